/*
 * Tests of confidence intervals, paired comparisons and the convergence fit
 * (experiment.h), with fixed seeds.
 *
 *  - Coverage: over R independent normal samples the 95% intervals of the mean, std,
 *    VaR and ES contain the true values in a fraction of the replications compatible
 *    with 95% (binomial: within 4 standard errors sqrt(0.95 * 0.05 / R)).  True values
 *    for N(0, 1): VaR_95 = 1.6448536, ES_95 = phi(1.6448536) / 0.05 = 2.0627128,
 *    VaR_99 = 2.3263479, ES_99 = phi(2.3263479) / 0.01 = 2.6652142.
 *  (The resamples themselves, split among parts and against brute force, are tested in
 *  test_tailboot.c.)
 *  - Pairs: a hand-computed example.
 *  - Fit: exact power laws give their exponent; the slope's s.e. is the WLS formula.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/experiment.h"
#include "hedgesim/rng.h"
#include "hedgesim/stats.h"

Test(ci, coverage_of_all_intervals)
{
    enum { R = 300, N = 20000 };
    static double x[N], scratch[N];
    const double var95 = 1.6448536269514722, es95 = 2.0627128075074257;
    const double var99 = 2.3263478740408408, es99 = 2.6652142203458076;
    int hit[6] = {0};
    for (int r = 0; r < R; r++) {
        hs_pcg32 rng;
        hs_path_stream(&rng, 77, (uint64_t)r);
        for (int i = 0; i < N; i++)
            x[i] = hs_pcg32_normal(&rng);
        hs_summary s;
        hs_error err;
        cr_assert_eq(hs_summary_compute(x, N, scratch, &s, &err), HS_OK);
        hs_ci ci;
        cr_assert_eq(hs_ci_compute(scratch, N, &s, 1000u + (uint64_t)r, 200, &ci, &err), HS_OK);
        hit[0] += ci.mean.lo <= 0 && 0 <= ci.mean.hi;
        hit[1] += ci.std.lo <= 1 && 1 <= ci.std.hi;
        hit[2] += ci.var95.lo <= var95 && var95 <= ci.var95.hi;
        hit[3] += ci.es95.lo <= es95 && es95 <= ci.es95.hi;
        hit[4] += ci.var99.lo <= var99 && var99 <= ci.var99.hi;
        hit[5] += ci.es99.lo <= es99 && es99 <= ci.es99.hi;
        cr_assert(ci.var95.lo < s.var95 && s.var95 < ci.var95.hi, "point estimate inside");
    }
    /* Percentile bootstrap intervals of tail quantiles are known to under-cover a little
     * at moderate n (Hall 1992); 4 binomial standard errors around 95% still apply at
     * R = 300 (0.95 +- 0.05). */
    const char *names[6] = {"mean", "std", "var95", "es95", "var99", "es99"};
    double se = sqrt(0.95 * 0.05 / R);
    for (int k = 0; k < 6; k++) {
        double cover = (double)hit[k] / R;
        cr_assert_lt(fabs(cover - 0.95), 4 * se, "%s: coverage %.3f", names[k], cover);
    }
}

Test(ci, bootstrap_is_reproducible_and_needs_data)
{
    enum { N = 1000 };
    static double x[N], scratch[N];
    hs_pcg32 rng;
    hs_path_stream(&rng, 5, 0);
    for (int i = 0; i < N; i++)
        x[i] = hs_pcg32_normal(&rng);
    hs_summary s;
    hs_error err;
    cr_assert_eq(hs_summary_compute(x, N, scratch, &s, &err), HS_OK);
    hs_ci a, b;
    hs_ci_compute(scratch, N, &s, 9, 100, &a, &err);
    hs_ci_compute(scratch, N, &s, 9, 100, &b, &err);
    cr_assert(a.es99.lo == b.es99.lo && a.var95.hi == b.var95.hi, "same seed, same interval");
    hs_ci_compute(scratch, 10, &s, 9, 100, &a, &err);
    cr_assert(isnan(a.var95.lo), "too few outcomes for a tail bootstrap: NaN, not noise");
}

Test(pairs, hand_computed)
{
    const double x[5] = {1, 2, 3, 4, 5}, y[5] = {0.5, 2.5, 2, 4.5, 4};
    /* d = 0.5 -0.5 1 -0.5 1: mean 0.3, sample var = (0.04+0.64+0.49+0.64+0.49)/4 = 0.575. */
    hs_pair p;
    hs_pair_compute(x, y, 5, &p);
    cr_assert_float_eq(p.mean_diff, 0.3, 1e-15);
    cr_assert_float_eq(p.stderr_diff, sqrt(0.575 / 5), 1e-15);
    cr_assert_float_eq(p.z, 0.3 / sqrt(0.575 / 5), 1e-12);
    cr_assert_float_eq(p.ci95.lo, 0.3 - HS_Z95 * sqrt(0.115), 1e-14);
    /* corr: sxy = 9, sxx = 10, syy = 10.3 (means 3 and 2.7). */
    cr_assert_float_eq(p.corr, 9 / sqrt(10 * 10.3), 1e-14);
}

Test(fit, exact_power_laws)
{
    const double n[4] = {10, 20, 40, 80};
    double sd[4], se[4];
    for (int i = 0; i < 4; i++) {
        sd[i] = 3.0 * pow(n[i], -0.5);
        se[i] = 0.01 * sd[i]; /* 1% relative error at every point: equal weights */
    }
    hs_fit f;
    hs_error err;
    cr_assert_eq(hs_loglog_fit(n, sd, se, 4, &f, &err), HS_OK);
    cr_assert_float_eq(f.slope, -0.5, 1e-13);
    cr_assert_float_eq(f.intercept, log(3.0), 1e-12);
    /* s.e. = 1 / sqrt(sum w (x - xbar)^2), w = 1e4, x = log n. */
    double xb = 0, sxx = 0;
    for (int i = 0; i < 4; i++)
        xb += log(n[i]) / 4;
    for (int i = 0; i < 4; i++)
        sxx += 1e4 * (log(n[i]) - xb) * (log(n[i]) - xb);
    cr_assert_float_eq(f.slope_se, 1 / sqrt(sxx), 1e-15);
    cr_assert(f.ci95.lo < -0.5 && -0.5 < f.ci95.hi);
    /* Flat: slope 0 (hedging error that does not fall, as under jumps). */
    for (int i = 0; i < 4; i++)
        sd[i] = 0.7;
    cr_assert_eq(hs_loglog_fit(n, sd, se, 4, &f, &err), HS_OK);
    cr_assert_float_eq(f.slope, 0.0, 1e-14);
    /* Degenerate input is an error, not a NaN. */
    const double same[2] = {10, 10};
    cr_assert_eq(hs_loglog_fit(same, sd, se, 2, &f, &err), HS_ERUNTIME);
    sd[1] = 0;
    cr_assert_eq(hs_loglog_fit(n, sd, se, 4, &f, &err), HS_ERUNTIME);
}
