/*
 * Tests of the PCG generators, jump-ahead, per-path streams, the open-interval
 * uniform and the GSL adapters (src/random/pcg.c, src/random/gsl_adapter.c).
 *
 * Known answers come from the reference implementation pcg-c by M.E. O'Neill
 * (https://github.com/imneme/pcg-c): the demo programs pcg32-demo and pcg64-demo
 * seeded with (initstate = 42, initseq = 54) and their expected outputs in
 * test-high/expected/.  Jump-ahead is checked against plain stepping, and statistical
 * checks use fixed seeds and 1% critical values, so every run gives the same verdict.
 */
#include <criterion/criterion.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "hedgesim/rng.h"

/* The increment pcg64 seeding derives from HS_RNG_STREAM: (54 << 1) | 1. */
#define STREAM_INC ((hs_u128)((HS_RNG_STREAM << 1) | 1u))

/* ------------------------------------------------------------- helpers */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Kolmogorov-Smirnov statistic D = sup |F_n(x) - F(x)| of a sample (sorted in place)
 * against the continuous CDF cdf. */
static double ks_statistic(double *x, size_t n, double (*cdf)(double))
{
    qsort(x, n, sizeof *x, cmp_double);
    double d = 0.0;
    for (size_t i = 0; i < n; i++) {
        double f = cdf(x[i]);
        double above = (double)(i + 1) / (double)n - f;
        double below = f - (double)i / (double)n;
        if (above > d)
            d = above;
        if (below > d)
            d = below;
    }
    return d;
}

/* Asymptotic 1% critical value of D: sqrt(n) D exceeds 1.628 with probability 0.01
 * (Kolmogorov's limiting distribution; e.g. Stephens 1974, JASA 69, 730-737). */
static double ks_critical_1pct(size_t n)
{
    return 1.628 / sqrt((double)n);
}

static double uniform_cdf(double x)
{
    return x <= 0.0 ? 0.0 : x >= 1.0 ? 1.0 : x;
}

/* ------------------------------------------------------------ pcg32 */

Test(pcg32, known_answer_pcg_c_demo)
{
    /* pcg-c, pcg32-demo seeded pcg32_srandom_r(&rng, 42u, 54u): first six outputs
     * (test-high/expected/check-pcg32.out and pcg_basic's pcg32-demo). */
    const uint32_t expected[] = {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u,
                                 0x83d2f293u, 0xbfa4784bu, 0xcbed606eu};
    hs_pcg32 rng;
    hs_pcg32_seed(&rng, 42u, 54u);
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        uint32_t got = hs_pcg32_next(&rng);
        cr_assert_eq(got, expected[i], "draw %zu: got 0x%08x, expected 0x%08x", i, got,
                     expected[i]);
    }
}

Test(pcg32, advance_equals_draws)
{
    const uint64_t ks[] = {0, 1, 7, 1000};
    for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++) {
        hs_pcg32 stepped, jumped;
        hs_pcg32_seed(&stepped, 12345u, 678u);
        jumped = stepped;
        for (uint64_t i = 0; i < ks[j]; i++)
            hs_pcg32_next(&stepped);
        hs_pcg32_advance(&jumped, ks[j]);
        cr_assert_eq(jumped.state, stepped.state, "advance(%llu) != %llu draws",
                     (unsigned long long)ks[j], (unsigned long long)ks[j]);
        cr_assert_eq(hs_pcg32_next(&jumped), hs_pcg32_next(&stepped));
    }
}

Test(pcg32, advance_composes)
{
    /* a + b wraps modulo 2^64, which is the period, so the identity still holds. */
    const uint64_t a = UINT64_C(0x9e3779b97f4a7c15), b = UINT64_C(0xdeadbeefcafef00d);
    hs_pcg32 two, one;
    hs_pcg32_seed(&two, 42u, 54u);
    one = two;
    hs_pcg32_advance(&two, a);
    hs_pcg32_advance(&two, b);
    hs_pcg32_advance(&one, a + b);
    cr_assert_eq(two.state, one.state);
    cr_assert_eq(two.inc, one.inc);
}

Test(pcg32, advance_minus_one_is_step_back)
{
    /* The period is 2^64, so advancing by 2^64 - 1 and drawing once is the identity;
     * the draw taken then is the one before the first, and the next is the first. */
    hs_pcg32 rng, fresh;
    hs_pcg32_seed(&rng, 42u, 54u);
    fresh = rng;
    uint64_t start = rng.state;
    hs_pcg32_advance(&rng, UINT64_MAX);
    cr_assert_neq(rng.state, start);
    hs_pcg32_next(&rng);
    cr_assert_eq(rng.state, start);
    cr_assert_eq(hs_pcg32_next(&rng), 0xa15c02b7u);
    cr_assert_eq(hs_pcg32_next(&fresh), 0xa15c02b7u);
}

Test(pcg32, streams_differ)
{
    /* Same initstate, different initseq: different increments and different draws. */
    hs_pcg32 a, b;
    hs_pcg32_seed(&a, 42u, 54u);
    hs_pcg32_seed(&b, 42u, 55u);
    cr_assert_neq(a.inc, b.inc);
    cr_assert(a.inc & 1u, "increment must be odd");
    int same = 0;
    for (int i = 0; i < 64; i++)
        same += hs_pcg32_next(&a) == hs_pcg32_next(&b);
    cr_assert_lt(same, 2);
}

/* ------------------------------------------------------------ pcg64 */

Test(pcg64, known_answer_pcg_c_demo)
{
    /* pcg-c, pcg64-demo seeded pcg64_srandom_r(&rng, 42u, 54u): first four outputs
     * (test-high/expected/check-pcg64.out). */
    const uint64_t expected[] = {UINT64_C(0x86b1da1d72062b68), UINT64_C(0x1304aa46c9853d39),
                                 UINT64_C(0xa3670e9e0dd50358), UINT64_C(0xf9090e529a7dae00)};
    hs_pcg64 rng;
    hs_pcg64_seed(&rng, 42u, 54u);
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        uint64_t got = hs_pcg64_next(&rng);
        cr_assert_eq(got, expected[i], "draw %zu: got 0x%016llx, expected 0x%016llx", i,
                     (unsigned long long)got, (unsigned long long)expected[i]);
    }
}

Test(pcg64, advance_equals_draws)
{
    const uint64_t ks[] = {0, 1, 7, 1000};
    for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++) {
        hs_pcg64 stepped, jumped;
        hs_pcg64_seed(&stepped, 987654321u, HS_RNG_STREAM);
        jumped = stepped;
        for (uint64_t i = 0; i < ks[j]; i++)
            hs_pcg64_next(&stepped);
        hs_pcg64_advance(&jumped, ks[j]);
        cr_assert(jumped.state == stepped.state, "advance(%llu) != %llu draws",
                  (unsigned long long)ks[j], (unsigned long long)ks[j]);
        cr_assert_eq(hs_pcg64_next(&jumped), hs_pcg64_next(&stepped));
    }
}

Test(pcg64, advance_composes)
{
    /* Deltas above 2^64 whose sum wraps modulo 2^128 (the period). */
    const hs_u128 a = HS_U128(UINT64_C(0xf39cc0605cedc834), UINT64_C(0x1082276bf3a27251));
    const hs_u128 b = HS_U128(UINT64_C(0x9e3779b97f4a7c15), UINT64_C(0xf39cc0605cedc835));
    hs_pcg64 two, one;
    hs_pcg64_seed(&two, 42u, 54u);
    one = two;
    hs_pcg64_advance(&two, a);
    hs_pcg64_advance(&two, b);
    hs_pcg64_advance(&one, a + b);
    cr_assert(two.state == one.state);
    cr_assert(two.inc == one.inc);
}

Test(pcg64, advance_minus_one_is_step_back)
{
    /* Period 2^128: advancing by 2^128 - 1 then stepping once returns to the start. */
    hs_pcg64 rng;
    hs_pcg64_seed(&rng, 42u, 54u);
    hs_u128 start = rng.state;
    hs_pcg64_advance(&rng, ~(hs_u128)0);
    cr_assert(rng.state != start);
    hs_pcg64_next(&rng);
    cr_assert(rng.state == start);
    cr_assert_eq(hs_pcg64_next(&rng), UINT64_C(0x86b1da1d72062b68),
                 "back at the seeded state, the next draw is the first of pcg-c's demo");
}

Test(pcg64, jump_equals_advance)
{
    const hs_u128 deltas[] = {0u, 1u, 7u, 1000u, (hs_u128)1 << 64,
                              HS_U128(UINT64_C(0x0123456789abcdef), UINT64_C(0xfedcba9876543210))};
    for (size_t j = 0; j < sizeof deltas / sizeof deltas[0]; j++) {
        hs_pcg64 advanced, jumped;
        hs_pcg64_seed(&advanced, 2024u, 77u);
        jumped = advanced;
        hs_pcg64_jump jump;
        hs_pcg64_jump_init(&jump, jumped.inc, deltas[j]);
        hs_pcg64_jump_apply(&jump, &jumped);
        hs_pcg64_advance(&advanced, deltas[j]);
        cr_assert(jumped.state == advanced.state, "delta #%zu", j);
    }
}

Test(pcg64, uniform_open_interval_extremes)
{
    /* The extreme 64-bit outputs map to 2^-53 and 1 - 2^-53, never to 0 or 1.  (An
     * earlier (top 53 bits + 0.5) * 2^-53 rounded UINT64_MAX to exactly 1.0.) */
    cr_assert_gt(hs_u01_from_u64(0), 0.0);
    cr_assert_lt(hs_u01_from_u64(UINT64_MAX), 1.0);
    cr_assert_eq(hs_u01_from_u64(0), 0x1.0p-53);
    cr_assert_eq(hs_u01_from_u64(UINT64_MAX), 1.0 - 0x1.0p-53);
    /* Every value is a cell midpoint, exact, so 1 - u of one output is another output:
     * normals by inversion come out exactly symmetric. */
    const uint64_t xs[] = {0u, 1u << 12, UINT64_C(0x7fffffffffffffff), UINT64_C(0x8000000000000000),
                           UINT64_C(0x0123456789abcdef), UINT64_MAX};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double u = hs_u01_from_u64(xs[i]);
        cr_assert_eq(1.0 - u, hs_u01_from_u64(~xs[i]), "x = 0x%016llx",
                     (unsigned long long)xs[i]);
        cr_assert_eq(u, ((double)(xs[i] >> 12) + 0.5) / 4503599627370496.0);
    }
    /* Only the top 52 bits matter. */
    cr_assert_eq(hs_u01_from_u64(UINT64_C(0x8000000000000000)),
                 hs_u01_from_u64(UINT64_C(0x8000000000000fff)));
    cr_assert_neq(hs_u01_from_u64(UINT64_C(0x8000000000000000)),
                  hs_u01_from_u64(UINT64_C(0x8000000000001000)));
}

Test(pcg64, uniform_is_u01_of_next)
{
    hs_pcg64 a, b;
    hs_pcg64_seed(&a, 5u, HS_RNG_STREAM);
    b = a;
    for (int i = 0; i < 100; i++)
        cr_assert_eq(hs_pcg64_uniform(&a), hs_u01_from_u64(hs_pcg64_next(&b)));
}

Test(pcg64, uniform_ks)
{
    enum { N = 100000 };
    static double x[N];
    hs_pcg64 rng;
    hs_pcg64_seed(&rng, 20240601u, HS_RNG_STREAM);
    for (size_t i = 0; i < N; i++) {
        x[i] = hs_pcg64_uniform(&rng);
        cr_assert(x[i] > 0.0 && x[i] < 1.0);
    }
    double d = ks_statistic(x, N, uniform_cdf);
    cr_assert_lt(d, ks_critical_1pct(N), "KS D = %g", d);
}

/* ------------------------------------------------------------ pcg32 lanes */

Test(pcg32_lanes, lane_form_equals_scalar_lane_by_lane)
{
    /* Lanes seeded from pcg-c's demo seeding (42 + i, 54 + i): the vector uniform fill
     * steps each lane exactly as hs_pcg32_next does (two outputs a, b per uniform) and
     * combines them as hs_u01_from_u64(a 2^32 + b).  Counts around vector widths. */
    enum { N = 77 };
    hs_pcg32_lanes *lanes = hs_pcg32_lanes_alloc(N);
    cr_assert_not_null(lanes);
    hs_pcg32 scalar[N];
    for (size_t i = 0; i < N; i++) {
        hs_pcg32_seed(&scalar[i], 42u + i, 54u + i);
        hs_pcg32_lanes_set(lanes, i, &scalar[i]);
    }
    double u[N];
    const size_t counts[] = {N, 1, 8, 9, 64, 33};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        hs_uniform_fill_lanes(lanes, u, counts[c]);
        for (size_t i = 0; i < counts[c]; i++) {
            uint64_t a = hs_pcg32_next(&scalar[i]), b = hs_pcg32_next(&scalar[i]);
            cr_assert_eq(u[i], hs_u01_from_u64((a << 32) | b), "lane %zu", i);
            cr_assert_eq(lanes->state[i], scalar[i].state);
            cr_assert_eq(lanes->inc[i], scalar[i].inc);
        }
        for (size_t i = counts[c]; i < N; i++)
            cr_assert_eq(lanes->state[i], scalar[i].state, "lane %zu beyond n moved", i);
    }
    /* The scalar accessor is the same draw. */
    hs_pcg32 g = hs_pcg32_lanes_get(lanes, 5);
    cr_assert_eq(hs_pcg32_lanes_uniform(lanes, 5), hs_pcg32_uniform(&g));
    cr_assert_eq(lanes->state[5], g.state);
    hs_pcg32_lanes_free(lanes);
}

Test(pcg32_lanes, demo_outputs_through_lanes)
{
    /* pcg-c's pcg32-demo (42, 54) outputs 0xa15c02b7, 0x7b47f409 first: lane 0 of a
     * lane array seeded that way gives u = ((0xa15c02b7 << 20) + (0x7b47f409 >> 12) +
     * 0.5) 2^-52. */
    hs_pcg32_lanes *lanes = hs_pcg32_lanes_alloc(1);
    hs_pcg32 g;
    hs_pcg32_seed(&g, 42u, 54u);
    hs_pcg32_lanes_set(lanes, 0, &g);
    double u;
    hs_uniform_fill_lanes(lanes, &u, 1);
    double want = ((double)((UINT64_C(0xa15c02b7) << 20) | (0x7b47f409u >> 12)) + 0.5) * 0x1p-52;
    cr_assert_eq(u, want, "%a != %a", u, want);
    hs_pcg32_lanes_free(lanes);
}

/* ------------------------------------------------------- per-path streams */

Test(path, neighbouring_paths_uncorrelated)
{
    /* Neighbouring paths' normals at the same step (and one step apart) must be
     * uncorrelated: |sample correlation| < 4 standard errors of 1/sqrt(n). */
    enum { PATHS = 1001, STEPS = 200 };
    static double z[2][PATHS];
    hs_pcg32_lanes *rngs = hs_pcg32_lanes_alloc(PATHS);
    for (size_t p = 0; p < PATHS; p++)
        hs_pcg32_lanes_seed_path(rngs, p, 31337u, p);
    double sum = 0.0, sum_lag = 0.0;
    size_t n = 0;
    for (size_t k = 0; k < STEPS; k++) {
        double *cur = z[k & 1u];
        hs_normal_fill_lanes(rngs, cur, PATHS);
        for (size_t p = 0; p + 1 < PATHS; p++) {
            sum += cur[p] * cur[p + 1];
            n++;
        }
        /* Also path p at step k against path p + 1 at step k - 1. */
        if (k > 0) {
            const double *prev = z[(k - 1) & 1u];
            for (size_t p = 0; p + 1 < PATHS; p++)
                sum_lag += cur[p] * prev[p + 1];
        }
    }
    double se = 1.0 / sqrt((double)n);
    cr_assert_lt(fabs(sum / (double)n), 4.0 * se, "corr = %g, se = %g", sum / (double)n, se);
    double n_lag = (double)(STEPS - 1) * (PATHS - 1);
    cr_assert_lt(fabs(sum_lag / n_lag), 4.0 / sqrt(n_lag));
    hs_pcg32_lanes_free(rngs);
}

/* ------------------------------------------------------------- GSL adapter */

Test(gsl_adapter, type_tables)
{
    cr_assert_str_eq(hs_gsl_rng_pcg32->name, "pcg32");
    cr_assert_str_eq(hs_gsl_rng_pcg64->name, "pcg64");
    cr_assert_eq(hs_gsl_rng_pcg32->min, 0ul);
    cr_assert_eq(hs_gsl_rng_pcg32->max, 0xfffffffful);
    cr_assert_eq(hs_gsl_rng_pcg64->min, 0ul);
#if ULONG_MAX >= UINT64_MAX
    cr_assert_eq(hs_gsl_rng_pcg64->max, ULONG_MAX);
#endif
    cr_assert_eq(hs_gsl_rng_pcg32->size, sizeof(hs_pcg32));
    cr_assert_eq(hs_gsl_rng_pcg64->size, sizeof(hs_pcg64));
}

Test(gsl_adapter, pcg64_matches_native)
{
    gsl_rng *r = gsl_rng_alloc(hs_gsl_rng_pcg64);
    cr_assert_not_null(r);
    cr_assert_str_eq(gsl_rng_name(r), "pcg64");
    gsl_rng_set(r, 42u);
    hs_pcg64 rng;
    hs_pcg64_seed(&rng, 42u, HS_RNG_STREAM);
#if ULONG_MAX >= UINT64_MAX
    /* pcg-c's pcg64 demo (42, 54), since HS_RNG_STREAM = 54. */
    cr_assert_eq(gsl_rng_get(r), 0x86b1da1d72062b68ul);
    hs_pcg64_next(&rng);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(gsl_rng_get(r), hs_pcg64_next(&rng));
#endif
    for (int i = 0; i < 100; i++) {
        double u = gsl_rng_uniform(r);
        cr_assert_eq(u, hs_pcg64_uniform(&rng));
        cr_assert(u > 0.0 && u < 1.0);
    }
    gsl_rng_free(r);
}

Test(gsl_adapter, pcg32_matches_native)
{
    gsl_rng *r = gsl_rng_alloc(hs_gsl_rng_pcg32);
    cr_assert_not_null(r);
    gsl_rng_set(r, 42u);
    /* pcg-c's pcg32 demo (42, 54), since HS_RNG_STREAM = 54. */
    cr_assert_eq(gsl_rng_get(r), 0xa15c02b7ul);
    cr_assert_eq(gsl_rng_get(r), 0x7b47f409ul);
    hs_pcg32 rng;
    hs_pcg32_seed(&rng, 42u, HS_RNG_STREAM);
    hs_pcg32_next(&rng);
    hs_pcg32_next(&rng);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(gsl_rng_get(r), (unsigned long)hs_pcg32_next(&rng));
    for (int i = 0; i < 100; i++) {
        double u = gsl_rng_uniform(r);
        cr_assert_eq(u, ((double)hs_pcg32_next(&rng) + 0.5) * 0x1.0p-32);
        cr_assert(u > 0.0 && u < 1.0);
    }
    gsl_rng_free(r);
}

Test(gsl_adapter, clone_continues_the_stream)
{
    gsl_rng *r = gsl_rng_alloc(hs_gsl_rng_pcg64);
    gsl_rng_set(r, 3u);
    gsl_rng_get(r);
    gsl_rng *c = gsl_rng_clone(r);
    cr_assert_not_null(c);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(gsl_rng_get(c), gsl_rng_get(r));
    gsl_rng_free(c);
    gsl_rng_free(r);
}

/* gsl_ran_gaussian's sampler reads only the adapter's get_double, so a KS test of its
 * output against the normal CDF exercises the adapter end to end. */
static void gsl_gaussian_ks(const gsl_rng_type *type)
{
    enum { N = 100000 };
    static double x[N];
    gsl_rng *r = gsl_rng_alloc(type);
    cr_assert_not_null(r);
    gsl_rng_set(r, 8675309u);
    for (size_t i = 0; i < N; i++)
        x[i] = gsl_ran_gaussian(r, 1.0);
    gsl_rng_free(r);
    double d = ks_statistic(x, N, gsl_cdf_ugaussian_P);
    cr_assert_lt(d, ks_critical_1pct(N), "%s: KS D = %g", type->name, d);
}

Test(gsl_adapter, pcg64_gaussian_ks)
{
    gsl_gaussian_ks(hs_gsl_rng_pcg64);
}

Test(gsl_adapter, pcg32_gaussian_ks)
{
    gsl_gaussian_ks(hs_gsl_rng_pcg32);
}

Test(gsl_adapter, uniform_int_chi_square)
{
    /* gsl_rng_uniform_int divides the range max - min by n, so it checks that the
     * adapters' max is right.  Pearson chi-square with 9 degrees of freedom against its
     * 1% critical value 21.666 (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.4). */
    const gsl_rng_type *types[2] = {hs_gsl_rng_pcg32, hs_gsl_rng_pcg64};
    for (int t = 0; t < 2; t++) {
        enum { N = 100000, K = 10 };
        unsigned long counts[K] = {0};
        gsl_rng *r = gsl_rng_alloc(types[t]);
        gsl_rng_set(r, 1u);
        for (int i = 0; i < N; i++) {
            unsigned long k = gsl_rng_uniform_int(r, K);
            cr_assert_lt(k, (unsigned long)K);
            counts[k]++;
        }
        gsl_rng_free(r);
        double chi2 = 0.0, expected = (double)N / K;
        for (int k = 0; k < K; k++)
            chi2 += ((double)counts[k] - expected) * ((double)counts[k] - expected) / expected;
        cr_assert_lt(chi2, 21.666, "%s: chi2 = %g", types[t]->name, chi2);
    }
}
