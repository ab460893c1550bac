/*
 * The split bootstrap of the lower tail (src/stats/tailboot.c):
 *  - any split of the leaves among parts gives the same resample statistics, bit for bit;
 *  - one leaf: each resample's VaR and ES equal a brute-force computation from the same
 *    draws (ES to 1e-14: the leaf's sum is formed in double) (the slot of draw i is the documented hash), sorted and read directly;
 *  - the tree sends each leaf its share of draws: totals per leaf over the resamples
 *    within 4 standard errors of resamples x leaf size (a wrong split weight fails);
 *  - a normal sample: the bootstrap std of VaR 95% agrees with the asymptotic
 *    sqrt(p (1 - p) / n) / phi(z_p) (e.g. Serfling 1980, section 2.3.3) within 15%.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/select.h"
#include "stats/tailboot.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* A sorted sample of n normals by inversion of an equally spaced grid, shuffled away
 * from exactness by a hash (so values are distinct). */
static double *normal_sample(size_t n, uint64_t salt)
{
    double *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        double u = ((double)(mix64(i ^ salt) >> 11) + 0.5) * 0x1p-53;
        x[i] = gsl_cdf_ugaussian_Pinv(u);
    }
    qsort(x, n, sizeof *x, cmp_double);
    return x;
}

/* Resample statistics with the leaves split among `parts`, shares added up. */
static double *stats_split(const hs_tailboot *b, const double *sorted, int parts)
{
    hs_error e;
    hs_error_clear(&e);
    hs_tailboot_share total;
    cr_assert(hs_tailboot_share_alloc(&total, b->resamples, &e) == HS_OK);
    for (int p = 0; p < parts; p++) {
        uint64_t lo, hi;
        hs_tailboot_leaves_of(b, p, parts, &lo, &hi);
        hs_tailboot_share s;
        cr_assert(hs_tailboot_share_alloc(&s, b->resamples, &e) == HS_OK);
        cr_assert(hs_tailboot_run(b, sorted + lo * HS_TAILBOOT_LEAF, lo, hi, 0, b->resamples, &s,
                                  &e) == HS_OK);
        for (size_t i = 0; i < 4 * b->resamples; i++)
            total.keys[i] += s.keys[i];
        for (size_t i = 0; i < 2 * b->resamples; i++)
            hs_xsum_merge(&total.sums[i], &s.sums[i]);
        hs_tailboot_share_free(&s);
    }
    double *out = malloc(4 * b->resamples * sizeof *out);
    hs_tailboot_stats(b, &total, out);
    hs_tailboot_share_free(&total);
    return out;
}

Test(tailboot, any_split_gives_the_same_bits)
{
    /* 200 000 outcomes: a tail of 12 500 slots in 4 leaves (the last partial). */
    size_t n = 200000;
    double *x = normal_sample(n, 1);
    hs_tailboot b;
    hs_error e;
    hs_error_clear(&e);
    cr_assert(hs_tailboot_init(&b, n, 42, 100, &e) == HS_OK);
    cr_expect(b.m == 12500 && b.leaves == 4);
    double *one = stats_split(&b, x, 1);
    for (int parts = 2; parts <= 6; parts++) {
        double *many = stats_split(&b, x, parts);
        cr_expect(memcmp(one, many, 4 * b.resamples * sizeof *one) == 0, "%d parts differ from one",
                  parts);
        free(many);
    }
    free(one);
    hs_tailboot_free(&b);
    free(x);
}

Test(tailboot, one_leaf_equals_brute_force)
{
    size_t n = 3000, R = 20;
    double *x = normal_sample(n, 2);
    hs_tailboot b;
    hs_error e;
    hs_error_clear(&e);
    cr_assert(hs_tailboot_init(&b, n, 7, R, &e) == HS_OK);
    cr_assert(b.m == n && b.leaves == 1);
    double *got = stats_split(&b, x, 1);
    double *res = malloc(n * sizeof *res);
    const double p[2] = {0.05, 0.01};
    for (size_t r = 0; r < R; r++) {
        /* The draws as tailboot.c documents them: leaf 0's hash base, Lemire's map. */
        uint64_t base = mix64(b.key[r] ^ 1 * UINT64_C(0x9e3779b97f4a7c15));
        for (size_t i = 0; i < n; i++) {
            uint64_t z = mix64(base + i * UINT64_C(0x9e3779b97f4a7c15));
            uint64_t hi = (z >> 32) * n, lo = ((z & 0xffffffffu) * n) >> 32;
            res[i] = x[(hi + lo) >> 32];
        }
        qsort(res, n, sizeof *res, cmp_double);
        for (int q = 0; q < 2; q++) {
            double var = -gsl_stats_quantile_from_sorted_data(res, 1, n, p[q]);
            size_t k = (size_t)ceil(n * p[q] - 1e-9);
            long double s = 0;
            for (size_t i = 0; i < k; i++)
                s += res[i];
            double es = -(double)(s / k);
            cr_expect(fabs(got[(2 * q) * R + r] - var) <= 1e-15 * fabs(var),
                      "resample %zu VaR %g: %.17g, brute force %.17g", r, p[q],
                      got[(2 * q) * R + r], var);
            cr_expect(fabs(got[(2 * q + 1) * R + r] - es) <= 1e-14 * fabs(es),
                      "resample %zu ES %g: %.17g, brute force %.17g", r, p[q],
                      got[(2 * q + 1) * R + r], es);
        }
    }
    free(res);
    free(got);
    hs_tailboot_free(&b);
    free(x);
}

Test(tailboot, the_tree_gives_each_leaf_its_share)
{
    /* 16 000 outcomes: the whole sample is the tail, 4 leaves (the last of 3 712
     * slots); each leaf run as its own part. */
    size_t n = 16000, R = 400;
    hs_tailboot b;
    hs_error e;
    hs_error_clear(&e);
    cr_assert(hs_tailboot_init(&b, n, 9, R, &e) == HS_OK);
    cr_assert(b.leaves == 4);
    /* With every value 1, a part's ES sum counts its draws below k; k = n counts all. */
    double *x = malloc(n * sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = 1.0;
    double total[4] = {0};
    for (uint64_t leaf = 0; leaf < 4; leaf++) {
        hs_tailboot_share s;
        cr_assert(hs_tailboot_share_alloc(&s, R, &e) == HS_OK);
        hs_tailboot bb = b;
        bb.rank[0].k = n;
        bb.rank[0].lo = n - 2;
        bb.rank[1] = bb.rank[0];
        cr_assert(hs_tailboot_run(&bb, x + leaf * HS_TAILBOOT_LEAF, leaf, leaf + 1, 0, R, &s, &e) ==
                  HS_OK);
        for (size_t r = 0; r < R; r++)
            total[leaf] += hs_xsum_round(&s.sums[2 * r]);
        hs_tailboot_share_free(&s);
    }
    for (uint64_t leaf = 0; leaf < 4; leaf++) {
        double size = leaf < 3 ? HS_TAILBOOT_LEAF : (double)(n - 3 * HS_TAILBOOT_LEAF);
        double mean = (double)R * size, sd = sqrt((double)R * size * (1 - size / (double)n));
        cr_expect(fabs(total[leaf] - mean) < 4 * sd, "leaf %llu: %g draws, expected %g +- %g",
                  (unsigned long long)leaf, total[leaf], mean, sd);
    }
    free(x);
    hs_tailboot_free(&b);
}

Test(tailboot, var_spread_matches_asymptotics)
{
    size_t n = 100000, R = 200;
    double *x = normal_sample(n, 3);
    hs_tailboot b;
    hs_error e;
    hs_error_clear(&e);
    cr_assert(hs_tailboot_init(&b, n, 5, R, &e) == HS_OK);
    cr_expect(b.m == 6250);
    double *st = stats_split(&b, x, 3);
    double sd = gsl_stats_sd(st, 1, R);
    double z = gsl_cdf_ugaussian_Pinv(0.05);
    double want = sqrt(0.05 * 0.95 / (double)n) / gsl_ran_ugaussian_pdf(z);
    cr_expect(fabs(sd / want - 1) < 0.15, "bootstrap sd of VaR 95%% %g, asymptotic %g", sd, want);
    double mean = gsl_stats_mean(st, 1, R);
    cr_expect(fabs(mean - (-z)) < 4 * want, "VaR 95%% %g, population %g", mean, -z);
    free(st);
    hs_tailboot_free(&b);
    free(x);
}
