/*
 * Tests of src/stats/stats.c: summary statistics of per-path outcomes (mean, n - 1 standard
 * deviation, GSL skewness and excess kurtosis, Hyndman-Fan type 7 quantiles, VaR and
 * expected shortfall over the k = ceil(n (1 - a)) smallest outcomes) and the
 * Derman & Kamal (1999) hedging error standard deviation.
 *
 * Known answers are derived by hand in the comments and were checked with numpy 1.24
 * (np.mean, np.std(ddof=1), np.quantile with its default linear method, which is
 * Hyndman-Fan type 7 like GSL).  The Monte Carlo test uses a fixed seed and tolerances
 * of 4 standard errors derived from asymptotic theory.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "hedgesim/stats.h"
#include "stats/sort.h"

/* Assert |got - want| <= tol and name the quantity in the failure message. */
static void expect_near(const char *what, double got, double want, double tol)
{
    cr_assert(fabs(got - want) <= tol, "%s: got %.17g, want %.17g (tol %g, off by %g)", what, got,
              want, tol, fabs(got - want));
}

/* --- Known answers ------------------------------------------------------------------ */

/* x = {3, -1, 4, 1, -5, 9, 2, -6, 5, 3}, n = 10, by hand:
 *   mean = 15 / 10 = 1.5
 *   sum (x - mean)^2 = 184.5, sum (x - mean)^3 = -225, sum (x - mean)^4 = 8351.625
 *   var = 184.5 / 9 = 20.5, std = sqrt(20.5) = 4.527692569068709,
 *   stderr = std / sqrt(10) = 1.4317821063276353
 *   skew = (-225 / 10) / 20.5^1.5 = -0.2424106669935656
 *   exkurt = (8351.625 / 10) / 20.5^2 - 3 = -1.0127007733491975
 *   sorted: -6 -5 -1 1 2 3 3 4 5 9; q_p at position 9 p:
 *     q01 = -6 + 0.09 (1) = -5.91, q05 = -6 + 0.45 (1) = -5.55, q50 = 2 + 0.5 (1) = 2.5,
 *     q95 = 5 + 0.55 (4) = 7.2, q99 = 5 + 0.91 (4) = 8.64
 *   VaR95 = 5.55, VaR99 = 5.91; k95 = ceil(0.5) = 1 and k99 = ceil(0.1) = 1, so
 *   ES95 = ES99 = -(-6) = 6. */
Test(stats_known, ten_values)
{
    const double x[] = {3, -1, 4, 1, -5, 9, 2, -6, 5, 3};
    double scratch[10];
    hs_summary s;
    hs_error err;
    hs_error_clear(&err);
    cr_assert_eq(hs_summary_compute(x, 10, scratch, &s, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(s.n, 10);
    expect_near("mean", s.mean, 1.5, 1e-15);
    expect_near("std", s.std, 4.527692569068709, 1e-14);
    expect_near("stderr", s.stderr_mean, 1.4317821063276353, 1e-14);
    expect_near("skew", s.skew, -0.2424106669935656, 1e-14);
    expect_near("exkurt", s.exkurt, -1.0127007733491975, 1e-14);
    cr_assert(s.min == -6 && s.max == 9);
    expect_near("q01", s.q01, -5.91, 1e-14);
    expect_near("q05", s.q05, -5.55, 1e-14);
    expect_near("q50", s.q50, 2.5, 1e-14);
    expect_near("q95", s.q95, 7.2, 1e-14);
    expect_near("q99", s.q99, 8.64, 1e-14);
    expect_near("var95", s.var95, 5.55, 1e-14);
    expect_near("var99", s.var99, 5.91, 1e-14);
    expect_near("es95", s.es95, 6, 0);
    expect_near("es99", s.es99, 6, 0);
}

/* Forty values (numpy default_rng(7), normal(0, 10), rounded to 2 decimals), so that
 * k95 = ceil(40 * 0.05) = 2 and k99 = ceil(0.4) = 1.  The two smallest are -25.17 and
 * -19.01: ES95 = (25.17 + 19.01) / 2 = 22.09, ES99 = 25.17;
 * q01 = -25.17 + 0.39 (6.16) = -22.7676; VaR99 = 22.7676.  Mean, std, skew, exkurt and
 * the other quantiles are numpy's, with the GSL definitions of skew and kurtosis
 * (1/n sums over the n - 1 standard deviation). */
Test(stats_known, forty_values)
{
    const double x[40] = {0.01,   2.99,  -2.74,  -8.91, -4.55, -9.92, 0.6,    13.4,  -4.92,  -6.2,
                          4.9,    3.57,  1.05,   -9.3,  -0.29, 6.95,  -13.44, -4.58, -19.01, -12.9,
                          -18.42, -2.35, -12.67, 2.71,  1.57,  -1.87, -25.17, -5.39, -0.49,  1.13,
                          -15.3,  -4.78, -9.79,  -8.09, 10.61, -8.08, -0.33,  8.84,  -5.84,  -1.12};
    double scratch[40];
    hs_summary s;
    hs_error err;
    hs_error_clear(&err);
    cr_assert_eq(hs_summary_compute(x, 40, scratch, &s, &err), HS_OK, "%s", err.msg);
    expect_near("mean", s.mean, -3.9530000000000003, 1e-13);
    expect_near("std", s.std, 8.207332931358021, 1e-13);
    expect_near("skew", s.skew, -0.28599720040763976, 1e-13);
    expect_near("exkurt", s.exkurt, -0.0639318282542849, 1e-13);
    cr_assert(s.min == -25.17 && s.max == 13.4);
    expect_near("q01", s.q01, -22.7676, 1e-12);
    expect_near("q05", s.q05, -18.4495, 1e-12);
    expect_near("q50", s.q50, -3.645, 1e-12);
    expect_near("q95", s.q95, 8.9285, 1e-12);
    expect_near("q99", s.q99, 12.3119, 1e-12);
    expect_near("var99", s.var99, 22.7676, 1e-12);
    expect_near("var95", s.var95, 18.4495, 1e-12);
    expect_near("es95", s.es95, 22.09, 1e-13);
    expect_near("es99", s.es99, 25.17, 0);
}

/* The expected-shortfall count k = ceil(n (1 - a)) at the boundaries where floating
 * point goes wrong ((1 - 0.95) * 100 = 5.000000000000004) and just past them.  The data
 * are 1..n in a scrambled order (x_i = (17 i mod n) + 1, a permutation since 17 is prime
 * to every n used), so the k smallest are 1..k and ES = -(k + 1) / 2 exactly; the 5%
 * quantile sits at position 0.05 (n - 1), so VaR95 = -(1 + 0.05 (n - 1)). */
Test(stats_known, shortfall_count)
{
    const struct {
        size_t n, k95, k99;
    } cases[] = {{2, 1, 1},      {20, 1, 1},     {21, 2, 1},     {99, 5, 1},
                 {100, 5, 1},    {101, 6, 2},    {200, 10, 2},   {201, 11, 3},
                 {1000, 50, 10}, {1001, 51, 11}, {2000, 100, 20}};
    double x[2000], scratch[2000];
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        size_t n = cases[c].n;
        for (size_t i = 0; i < n; i++)
            x[i] = (double)((17 * i) % n + 1);
        hs_summary s;
        hs_error err;
        hs_error_clear(&err);
        cr_assert_eq(hs_summary_compute(x, n, scratch, &s, &err), HS_OK, "%s", err.msg);
        expect_near("es95", s.es95, -(double)(cases[c].k95 + 1) / 2, 1e-12);
        expect_near("es99", s.es99, -(double)(cases[c].k99 + 1) / 2, 1e-12);
        expect_near("var95", s.var95, -(1 + 0.05 * (double)(n - 1)), 1e-12);
        expect_near("var99", s.var99, -(1 + 0.01 * (double)(n - 1)), 1e-12);
        expect_near("mean", s.mean, (double)(n + 1) / 2, 1e-12);
        cr_assert(s.min == 1 && s.max == (double)n);
        /* With the k smallest averaged, expected shortfall is never below VaR. */
        cr_assert(s.es95 >= s.var95 && s.es99 >= s.var99, "n %zu: ES below VaR", n);
    }
}

/* All values equal: std 0, and skew and exkurt are reported as 0 rather than 0 / 0. */
Test(stats_known, constant_sample)
{
    const double x[] = {0.1, 0.1, 0.1, 0.1, 0.1};
    double scratch[5];
    hs_summary s;
    cr_assert_eq(hs_summary_compute(x, 5, scratch, &s, NULL), HS_OK);
    cr_assert(s.mean == 0.1 && s.std == 0 && s.stderr_mean == 0);
    cr_assert(s.skew == 0 && s.exkurt == 0);
    /* Interpolating between equal order statistics may round by an ulp. */
    expect_near("q01", s.q01, 0.1, 3e-17);
    expect_near("q50", s.q50, 0.1, 3e-17);
    expect_near("q99", s.q99, 0.1, 3e-17);
    expect_near("var95", s.var95, -0.1, 3e-17);
    expect_near("var99", s.var99, -0.1, 3e-17);
    cr_assert(s.es95 == -0.1 && s.es99 == -0.1);
}

/* --- A large normal sample ---------------------------------------------------------- */

/* n = 1e6 standard normals from gsl_rng_mt19937, seed 20240601 (fixed).  Each estimate
 * is compared with its population value within 4 asymptotic standard errors:
 *   mean: 1/sqrt(n); std: 1/sqrt(2n); skew: sqrt(6/n); exkurt: sqrt(24/n);
 *   quantile q_p: sqrt(p (1 - p) / n) / phi(z_p)  (e.g. 3.7e-3 for p = 1%);
 *   ES at tail probability p, population value phi(z_p) / p (2.6652 at 1%,
 *   2.0627 at 5%): sqrt((V + (1 - p) (z_p + phi(z_p) / p)^2) / (n p)), V the variance of
 *   X given X < z_p, 1 - z_p lambda - lambda^2 with lambda = phi(z_p) / p
 *   (Manistre & Hancock 2005, "Variance of the CTE estimator", N. Am. Actuar. J. 9(2);
 *   4.6e-3 at 1%).
 * VaR_a = -q_{1-a} is 2.3263 at 99% and 1.6449 at 95%. */
Test(stats_mc, normal_sample)
{
    const size_t n = 1000000;
    double *x = malloc(n * sizeof *x);
    double *copy = malloc(n * sizeof *copy);
    double *scratch = malloc(n * sizeof *scratch);
    cr_assert(x && copy && scratch);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    cr_assert(rng);
    gsl_rng_set(rng, 20240601);
    for (size_t i = 0; i < n; i++)
        x[i] = gsl_ran_gaussian(rng, 1.0);
    gsl_rng_free(rng);
    memcpy(copy, x, n * sizeof *x);

    hs_summary s;
    hs_error err;
    hs_error_clear(&err);
    cr_assert_eq(hs_summary_compute(x, n, scratch, &s, &err), HS_OK, "%s", err.msg);
    cr_assert(memcmp(x, copy, n * sizeof *x) == 0, "the input was modified");

    const double rn = (double)n;
    expect_near("mean", s.mean, 0, 4 / sqrt(rn));
    expect_near("std", s.std, 1, 4 / sqrt(2 * rn));
    expect_near("stderr", s.stderr_mean, s.std / 1000, 1e-15);
    expect_near("skew", s.skew, 0, 4 * sqrt(6 / rn));
    expect_near("exkurt", s.exkurt, 0, 4 * sqrt(24 / rn));

    const double ps[] = {0.01, 0.05, 0.50, 0.95, 0.99};
    const double qs[] = {s.q01, s.q05, s.q50, s.q95, s.q99};
    const char *names[] = {"q01", "q05", "q50", "q95", "q99"};
    for (int i = 0; i < 5; i++) {
        double z = gsl_cdf_ugaussian_Pinv(ps[i]);
        double se = sqrt(ps[i] * (1 - ps[i]) / rn) / gsl_ran_ugaussian_pdf(z);
        expect_near(names[i], qs[i], z, 4 * se);
    }
    /* Spot values of the population quantities, to 4 decimals. */
    expect_near("z_0.01", gsl_cdf_ugaussian_Pinv(0.01), -2.3263, 0.5e-4);
    expect_near("ES99 population", gsl_ran_ugaussian_pdf(2.3263479) / 0.01, 2.6652, 0.5e-4);
    expect_near("ES95 population", gsl_ran_ugaussian_pdf(1.6448536) / 0.05, 2.0627, 0.5e-4);

    const double tails[] = {0.01, 0.05};
    const double var[] = {s.var99, s.var95}, es[] = {s.es99, s.es95};
    for (int i = 0; i < 2; i++) {
        double p = tails[i], z = gsl_cdf_ugaussian_Pinv(p);
        double lambda = gsl_ran_ugaussian_pdf(z) / p;
        double se_q = sqrt(p * (1 - p) / rn) / gsl_ran_ugaussian_pdf(z);
        double v_tail = 1 - z * lambda - lambda * lambda;
        double se_es = sqrt((v_tail + (1 - p) * (z + lambda) * (z + lambda)) / (rn * p));
        expect_near(i == 0 ? "var99" : "var95", var[i], -z, 4 * se_q);
        expect_near(i == 0 ? "es99" : "es95", es[i], lambda, 4 * se_es);
    }
    cr_assert(s.min < s.q01 && s.q99 < s.max);
    free(x);
    free(copy);
    free(scratch);
}

/* The input stays as it was, in path order, and the scratch copy ends up sorted. */
Test(stats_known, input_not_modified)
{
    const double orig[] = {5, -2, 7, 7, 0.5, -9, 3, 1e-3};
    double x[8], scratch[8];
    memcpy(x, orig, sizeof x);
    hs_summary s;
    cr_assert_eq(hs_summary_compute(x, 8, scratch, &s, NULL), HS_OK);
    cr_assert(memcmp(x, orig, sizeof x) == 0, "the input was modified");
    for (int i = 1; i < 8; i++)
        cr_assert(scratch[i - 1] <= scratch[i], "scratch not sorted at %d", i);
}

/* --- Error paths ---------------------------------------------------------------------- */

/* Fewer than two values: the message says how many there were. */
Test(stats_error, too_few)
{
    const double x[] = {1.0};
    double scratch[1];
    hs_summary s;
    hs_error err;
    hs_error_clear(&err);
    cr_assert_eq(hs_summary_compute(x, 1, scratch, &s, &err), HS_ERUNTIME);
    cr_assert_eq(err.status, HS_ERUNTIME);
    cr_assert(strstr(err.msg, "at least 2") && strstr(err.msg, "got 1"), "%s", err.msg);
    cr_assert(strchr(err.msg, '\n') == NULL);
    hs_error_clear(&err);
    cr_assert_eq(hs_summary_compute(x, 0, scratch, &s, &err), HS_ERUNTIME);
    cr_assert(strstr(err.msg, "got 0"), "%s", err.msg);
    /* A NULL error is allowed: the status alone still reports the failure. */
    cr_assert_eq(hs_summary_compute(x, 1, scratch, &s, NULL), HS_ERUNTIME);
}

/* NaN and infinities: rejected, with the index of the first bad value, and the output
 * left untouched. */
Test(stats_error, non_finite)
{
    const double bad[] = {NAN, INFINITY, -INFINITY};
    const char *shown[] = {"nan", "inf", "-inf"};
    for (int b = 0; b < 3; b++) {
        double x[] = {1, 2, 3, bad[b], 5, NAN};
        double scratch[6];
        hs_summary s;
        memset(&s, 0, sizeof s);
        s.n = 12345;
        hs_error err;
        hs_error_clear(&err);
        cr_assert_eq(hs_summary_compute(x, 6, scratch, &s, &err), HS_ERUNTIME);
        cr_assert_eq(err.status, HS_ERUNTIME);
        /* The path is named (on an MPI run its value lives on another rank). */
        (void)shown;
        cr_assert(strstr(err.msg, "path 3") && strstr(err.msg, "not finite"), "%s", err.msg);
        cr_assert_eq(s.n, 12345, "output written on failure");
    }
}

/* A sample spanning more than the largest double has a std beyond it: a runtime failure
 * naming the overflow, not an infinite standard deviation. */
Test(stats_error, overflow)
{
    const double x[] = {1.7e308, -1.7e308, 1.7e308};
    double scratch[3];
    hs_summary s;
    hs_error err;
    hs_error_clear(&err);
    cr_assert_eq(hs_summary_compute(x, 3, scratch, &s, &err), HS_ERUNTIME);
    cr_assert(strstr(err.msg, "overflow"), "%s", err.msg);
}

/* --- Scale (issue 10, item 7) ------------------------------------------------------- */

/* x = {0, 1, 2, 3, 9}, n = 5, by hand:
 *   mean = 15 / 5 = 3; deviations -3, -2, -1, 0, 6
 *   sum d^2 = 9 + 4 + 1 + 0 + 36 = 50, sum d^3 = -27 - 8 - 1 + 0 + 216 = 180,
 *   sum d^4 = 81 + 16 + 1 + 0 + 1296 = 1394
 *   var = 50 / 4 = 12.5, std = sqrt(12.5) = 3.5355339059327378, stderr = std / sqrt(5)
 *   skew = (180 / 5) / 12.5^1.5 = 36 / 44.19417382415922 = 0.8145870119269027
 *   exkurt = (1394 / 5) / 12.5^2 - 3 = 278.8 / 156.25 - 3 = -1.21568 */
static void five_points(double scale, hs_summary *s)
{
    const double base[] = {0, 1, 2, 3, 9};
    double x[5], scratch[5];
    for (int i = 0; i < 5; i++)
        x[i] = base[i] * scale;
    hs_error err;
    hs_error_clear(&err);
    cr_assert_eq(hs_summary_compute(x, 5, scratch, s, &err), HS_OK, "scale %g: %s", scale, err.msg);
}

Test(stats_scale, five_points_by_hand)
{
    hs_summary s;
    five_points(1.0, &s);
    expect_near("mean", s.mean, 3.0, 0);
    expect_near("std", s.std, 3.5355339059327378, 1e-15);
    expect_near("stderr", s.stderr_mean, 1.5811388300841895, 1e-15);
    expect_near("skew", s.skew, 0.8145870119269027, 1e-15);
    expect_near("exkurt", s.exkurt, -1.21568, 1e-14);
}

/* Skewness and kurtosis do not depend on scale: the five points times 1e-100 (fourth
 * powers of the deviations near 1e-400, below the smallest double) and times 1e+100
 * (near 1e+400, beyond the largest) give the unscaled values to 1e-12, and the std
 * scales with the sample. */
Test(stats_scale, tiny_and_huge_samples)
{
    hs_summary ref, s;
    five_points(1.0, &ref);
    const double scales[] = {1e-100, 1e+100, 1e-300, 1e+300, 0x1p-1060};
    for (size_t i = 0; i < sizeof scales / sizeof *scales; i++) {
        five_points(scales[i], &s);
        double sc = scales[i];
        cr_assert(fabs(s.skew - ref.skew) <= 1e-12 * fabs(ref.skew),
                  "scale %g: skew %.17g, want %.17g", sc, s.skew, ref.skew);
        cr_assert(fabs(s.exkurt - ref.exkurt) <= 1e-12 * fabs(ref.exkurt),
                  "scale %g: exkurt %.17g, want %.17g", sc, s.exkurt, ref.exkurt);
        if (sc >= 1e-300) /* 2^-1060 * 9 is subnormal: its std keeps few digits */
            cr_assert(fabs(s.std - ref.std * sc) <= 1e-12 * ref.std * sc,
                      "scale %g: std %.17g, want %.17g", sc, s.std, ref.std * sc);
        cr_assert(isfinite(s.mean) && isfinite(s.stderr_mean) && isfinite(s.es99));
    }
}

/* The P&L of issue 10's reproduction (gbm, sigma 0.025, rate -1: values near 1e-90):
 * with the plain formulas s^4 underflowed to 0 and the summary was refused.  Here values
 * near 1e-90 plus an offset of 1e-88, as a run's P&L is around its mean. */
Test(stats_scale, pnl_near_1e_minus_90)
{
    double x[100], scratch[100], y[100], scratch_y[100];
    for (int i = 0; i < 100; i++) {
        y[i] = sin(1.0 + i) + 0.1 * (i % 7);
        x[i] = 1e-88 + 1e-90 * y[i];
    }
    hs_summary s, r;
    hs_error err;
    hs_error_clear(&err);
    cr_assert_eq(hs_summary_compute(x, 100, scratch, &s, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(hs_summary_compute(y, 100, scratch_y, &r, &err), HS_OK, "%s", err.msg);
    /* x is y scaled and shifted with rounding in the last bits of each value: 1e-9. */
    cr_assert(fabs(s.skew - r.skew) <= 1e-9 * (1 + fabs(r.skew)), "skew %.17g vs %.17g", s.skew,
              r.skew);
    cr_assert(fabs(s.exkurt - r.exkurt) <= 1e-9 * (1 + fabs(r.exkurt)), "exkurt %.17g vs %.17g",
              s.exkurt, r.exkurt);
    cr_assert(s.std > 0 && isfinite(s.std));
}

/* Misuse by the caller: missing buffers, or the scratch buffer being the data itself
 * (which would sort the caller's paths in place). */
/* The ten values of stats_known/ten_values by hand (mean 1.5, q50 = 2.5, min -6); a
 * non-finite value is named by its index. */
Test(stats_parts, ten_values_and_a_nan)
{
    double x[10] = {3, -1, 4, 1, -5, 9, 2, -6, 5, 3}, scratch[10];
    hs_summary whole;
    hs_error err;
    hs_error_clear(&err);
    cr_assert_eq(hs_summary_compute(x, 10, scratch, &whole, &err), HS_OK, "%s", err.msg);
    expect_near("mean", whole.mean, 1.5, 1e-15);
    expect_near("q50", whole.q50, 2.5, 1e-15);
    expect_near("min", whole.min, -6, 0);
    x[4] = NAN;
    cr_assert_eq(hs_summary_compute(x, 10, scratch, &whole, &err), HS_ERUNTIME);
    cr_assert(strstr(err.msg, "path 4 is not finite") != NULL, "%s", err.msg);
}

/* The radix sort with its passes shared among OpenMP tasks gives the serial sort bit for
 * bit, for several part counts, on 4 threads: 300 000 values of both signs, -0.0 and
 * +0.0, ties, and magnitudes from 1e-300 to 1e300 (so that every byte pass runs). */
Test(stats_parts, parallel_sort_equals_the_serial_sort)
{
    enum { N = 300000 };
    double *x = malloc(N * sizeof *x), *one = malloc(N * sizeof *one),
           *many = malloc(N * sizeof *many);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 3);
    for (size_t i = 0; i < N; i++) {
        double u = gsl_rng_uniform(rng);
        x[i] = i % 5 == 0   ? (double)(i % 17) - 8.0 /* ties */
               : i % 5 == 1 ? (i % 2 ? -0.0 : 0.0)
                            : (u - 0.5) * pow(10.0, (double)(i % 601) - 300.0);
    }
    cr_assert_eq(hs_sort_doubles_to(x, one, N, 1), 0);
    for (size_t i = 1; i < N; i++)
        cr_assert(one[i - 1] <= one[i] &&
                      !(signbit(one[i - 1]) == 0 && signbit(one[i]) && one[i] == 0.0),
                  "serial sort out of order at %zu", i);
    const int parts[] = {2, 3, 7};
    for (int p = 0; p < 3; p++) {
        hs_status st = HS_OK;
        memset(many, 0, N * sizeof *many);
#pragma omp parallel num_threads(4)
#pragma omp single
        st = hs_sort_doubles_to(x, many, N, parts[p]) ? HS_ERUNTIME : HS_OK;
        cr_assert_eq(st, HS_OK);
        cr_assert_eq(memcmp(one, many, N * sizeof *one), 0, "%d parts", parts[p]);
    }
    gsl_rng_free(rng);
    free(x), free(one), free(many);
}

Test(stats_error, bad_buffers)
{
    double x[] = {1, 2, 3}, scratch[3];
    hs_summary s;
    hs_error err;
    cr_assert_eq(hs_summary_compute(NULL, 3, scratch, &s, &err), HS_ERUNTIME);
    cr_assert_eq(hs_summary_compute(x, 3, NULL, &s, &err), HS_ERUNTIME);
    cr_assert_eq(hs_summary_compute(x, 3, scratch, NULL, &err), HS_ERUNTIME);
    cr_assert_eq(hs_summary_compute(x, 3, x, &s, &err), HS_ERUNTIME);
    cr_assert(strstr(err.msg, "scratch"), "%s", err.msg);
    cr_assert(x[0] == 1 && x[1] == 2 && x[2] == 3);
}

/* --- Derman & Kamal -------------------------------------------------------------- */

/* S = K = 100, T = 1/12, r = 5%, q = 0, sigma = 20%: Black-Scholes vega
 * 11.45783941996353 (60-digit decimal reference; tests/pricing/test_bs.c checks
 * hs_bs_greeks_eval against it).  sqrt(pi / 4) = 0.886226925452758, so the Derman-Kamal std is
 *   N = 21: 0.886226925452758 * 11.45783941996353 * 0.2 / sqrt(21) = 0.4431676191475781
 *   N = 84: half of that, 0.2215838095737891
 * (decimal reference; docs/architecture.md quotes 0.4432). */
Test(stats_dk, known_answer)
{
    const double vega = 11.45783941996353;
    expect_near("N = 21", hs_derman_kamal_std(vega, 0.2, 21), 0.4431676191475781, 1e-15);
    expect_near("N = 84", hs_derman_kamal_std(vega, 0.2, 84), 0.2215838095737891, 1e-15);
    /* A short position has negative vega; the spread of its P&L is the same. */
    cr_assert(hs_derman_kamal_std(-vega, 0.2, 21) == hs_derman_kamal_std(vega, 0.2, 21));
    cr_assert(hs_derman_kamal_std(vega, 0, 21) == 0);
    cr_assert(isnan(hs_derman_kamal_std(vega, 0.2, 0)));
    cr_assert(isnan(hs_derman_kamal_std(vega, 0.2, -4)));
    cr_assert(isnan(hs_derman_kamal_std(vega, -0.2, 21)));
    cr_assert(isnan(hs_derman_kamal_std(NAN, 0.2, 21)));
    cr_assert(isnan(hs_derman_kamal_std(vega, 0.2, INFINITY)));
}
