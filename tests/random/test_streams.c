/*
 * Tests of the per-path stream scheme (random/streams.c, pcg32 streams) across paths,
 * where a Monte Carlo estimate averages: the k-th normal of paths 0..n-1 must be an
 * i.i.d. N(0, 1) sample.
 * A scheme whose paths share structure (windows of one LCG at power-of-two distances
 * share their low state bits) fails these tests.  Bounds: 4 standard errors; the
 * Kolmogorov-Smirnov statistic below its 1% critical value 1.628 / sqrt(n)
 * (Marsaglia, Tsang & Wang 2003).
 */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>

#include "hedgesim/rng.h"

#define NPATHS 200000
#define NSTEPS 12

/* z[p * NSTEPS + k]: the k-th normal of path p for seed `seed`. */
static double *cross_section(uint64_t seed)
{
    double *z = malloc(sizeof(double) * NPATHS * NSTEPS);
    for (uint64_t p = 0; p < NPATHS; p++) {
        hs_pcg32 rng;
        hs_path_stream(&rng, seed, p);
        for (size_t k = 0; k < NSTEPS; k++)
            z[p * NSTEPS + k] = hs_pcg32_normal(&rng);
    }
    return z;
}

Test(streams, kth_normal_across_paths_is_standard_normal)
{
    double *z = cross_section(42);
    double *col = malloc(sizeof(double) * NPATHS);
    const double n = NPATHS;
    for (size_t k = 0; k < NSTEPS; k++) {
        double s1 = 0, s2 = 0;
        for (size_t p = 0; p < NPATHS; p++) {
            col[p] = z[p * NSTEPS + k];
            s1 += col[p];
            s2 += col[p] * col[p];
        }
        double mean = s1 / n, var = s2 / n - mean * mean;
        cr_assert(fabs(mean) < 4 / sqrt(n), "step %zu: mean %g", k, mean);
        cr_assert(fabs(var - 1) < 4 * sqrt(2 / n), "step %zu: var %g", k, var);
        gsl_sort(col, 1, NPATHS);
        double d = 0;
        for (size_t i = 0; i < NPATHS; i++) {
            double f = gsl_cdf_ugaussian_P(col[i]);
            double lo = f - (double)i / n, hi = (double)(i + 1) / n - f;
            d = fmax(d, fmax(lo, hi));
        }
        cr_assert(d < 1.628 / sqrt(n), "step %zu: KS D = %g", k, d);
    }
    free(col);
    free(z);
}

Test(streams, paths_are_uncorrelated_at_any_distance)
{
    /* Distances 1, the block size, and powers of two (where LCG windows correlate). */
    double *z = cross_section(7);
    const size_t dist[] = {1, 2, 3, 64, 256, 1024, 4096, 65536};
    for (size_t d = 0; d < sizeof dist / sizeof dist[0]; d++) {
        for (size_t k = 0; k < NSTEPS; k += 5) {
            double s = 0;
            size_t m = NPATHS - dist[d];
            for (size_t p = 0; p < m; p++)
                s += z[p * NSTEPS + k] * z[(p + dist[d]) * NSTEPS + k];
            double corr = s / (double)m;
            cr_assert(fabs(corr) < 4 / sqrt((double)m), "distance %zu, step %zu: corr %g",
                      dist[d], k, corr);
        }
    }
    /* The sum over a path's steps: its variance across paths is NSTEPS if steps are
     * independent within a path and paths are independent of each other. */
    double s1 = 0, s2 = 0;
    for (size_t p = 0; p < NPATHS; p++) {
        double sum = 0;
        for (size_t k = 0; k < NSTEPS; k++)
            sum += z[p * NSTEPS + k];
        s1 += sum;
        s2 += sum * sum;
    }
    double mean = s1 / NPATHS, var = s2 / NPATHS - mean * mean;
    cr_assert(fabs(mean) < 4 * sqrt(NSTEPS / (double)NPATHS), "mean of path sums %g", mean);
    cr_assert(fabs(var / NSTEPS - 1) < 4 * sqrt(2.0 / NPATHS), "variance of path sums %g", var);
    free(z);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

Test(streams, every_path_has_its_own_stream)
{
    /* Distinct increments for the paths of a run (by construction; checked here), for
     * consecutive paths and for paths 2^62 apart, which a selector taken as the low 63
     * bits of a 64-bit hash and then shifted out of (sel << 1) | 1 could confuse. */
    enum { N = 100000 };
    uint64_t *inc = malloc(sizeof *inc * 2 * N);
    for (uint64_t p = 0; p < N; p++) {
        hs_pcg32 a, b;
        hs_path_stream(&a, 123, p);
        hs_path_stream(&b, 123, p + (UINT64_C(1) << 62));
        cr_assert(a.inc & 1u, "increments are odd");
        inc[2 * p] = a.inc;
        inc[2 * p + 1] = b.inc;
    }
    qsort(inc, 2 * N, sizeof *inc, cmp_u64);
    for (size_t i = 1; i < 2 * N; i++)
        cr_assert(inc[i] != inc[i - 1], "two paths share a stream");
    free(inc);
}

Test(streams, depends_only_on_seed_and_path)
{
    hs_pcg32 a, b, c;
    hs_path_stream(&a, 5, 1000);
    hs_path_stream(&b, 5, 1000);
    hs_path_stream(&c, 6, 1000);
    int differ = 0;
    for (int i = 0; i < 10; i++) {
        uint32_t x = hs_pcg32_next(&a);
        cr_assert_eq(x, hs_pcg32_next(&b));
        differ += x != hs_pcg32_next(&c);
    }
    cr_assert_geq(differ, 9);
}

Test(streams, lanes_seeded_as_scalar)
{
    hs_pcg32_lanes *l = hs_pcg32_lanes_alloc(3);
    hs_pcg32 g;
    hs_pcg32_lanes_seed_path(l, 2, 99, 7);
    hs_path_stream(&g, 99, 7);
    cr_assert_eq(l->state[2], g.state);
    cr_assert_eq(l->inc[2], g.inc);
    hs_pcg32_lanes_free(l);
}

/* The definition at the top of src/random/streams.c, written out here with pcg32's own
 * seeding (hs_pcg32_seed, itself checked against pcg-c's outputs in test_rng.c). */
static uint64_t ref_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t ref_mix63(uint64_t z)
{
    const uint64_t m = UINT64_MAX >> 1;
    z &= m;
    z = ((z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9)) & m;
    z = ((z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb)) & m;
    return z ^ (z >> 31);
}

static hs_pcg32 ref_stream(uint64_t seed, uint64_t path)
{
    uint64_t key = ref_mix64(seed);
    hs_pcg32 g;
    hs_pcg32_seed(&g, ref_mix64(ref_mix64(key) + (path + 1) * UINT64_C(0x9e3779b97f4a7c15)),
                  ref_mix63((path ^ key) & (UINT64_MAX >> 1)));
    return g;
}

/* The block form seeds every lane as the definition does one path (and so does
 * hs_path_stream): 261 lanes (a partial vector at the end), for ordinary paths and for
 * paths near 2^63 and 2^64 where the selector's mask and the (p + 1) wrap matter. */
Test(streams, block_seeding_equals_the_scalar_streams)
{
    enum { N = 261 };
    const uint64_t firsts[] = {0, 123456789, (UINT64_C(1) << 63) - 100, UINT64_MAX - 200};
    const uint64_t seeds[] = {42, 0, UINT64_MAX};
    hs_pcg32_lanes *l = hs_pcg32_lanes_alloc(N);
    for (size_t f = 0; f < sizeof firsts / sizeof *firsts; f++)
        for (size_t s = 0; s < sizeof seeds / sizeof *seeds; s++) {
            hs_pcg32_lanes_seed_paths(l, N, seeds[s], firsts[f]);
            for (size_t i = 0; i < N; i++) {
                hs_pcg32 g, r = ref_stream(seeds[s], firsts[f] + i);
                hs_path_stream(&g, seeds[s], firsts[f] + i);
                cr_assert(g.state == r.state && g.inc == r.inc, "hs_path_stream of path %llu",
                          (unsigned long long)(firsts[f] + i));
                cr_assert(l->state[i] == r.state && l->inc[i] == r.inc,
                          "lane %zu of paths from %llu, seed %llu", i,
                          (unsigned long long)firsts[f], (unsigned long long)seeds[s]);
            }
        }
    hs_pcg32_lanes_free(l);
}
