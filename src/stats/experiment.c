/*
 * Confidence intervals, paired comparisons and convergence fits (experiment.h).
 *
 * Mean:  mean +- z se,  se = s / sqrt(n)  (central limit theorem).
 * Std:   s +- z se(s),  se(s) = s sqrt((kappa + 2) / (4 n)),  kappa the excess kurtosis
 *        (delta method on the sample variance, whose variance is s^4 (kappa + 2) / n;
 *        e.g. Casella & Berger, "Statistical Inference", 2nd ed., section 5.5.4).
 * VaR, ES: percentile bootstrap (Efron & Tibshirani 1993, "An Introduction to the
 *        Bootstrap", ch. 13) over `resamples` resamples of the n outcomes.  Both depend
 *        only on the lower tail of a resample, so a resample is drawn tail first: the
 *        number K of its n draws that land among the m lowest outcomes is
 *        Binomial(n, m/n), and those K draws are uniform over the m lowest: tailboot.c,
 *        which spreads them over the slots by a tree that any split of the tail among
 *        threads or MPI ranks reproduces, and sums exactly.
 * Pairs: the difference d = x - y path by path: mean(d) +- z sd(d)/sqrt(n); pairing on
 *        the same paths removes the common noise (Glasserman 2003, section 4.2).
 * Fit:   weighted least squares of log std on log N with weights 1/var(log std_i),
 *        var(log s) = (se(s)/s)^2; slope se = 1 / sqrt(sum w (x - xbar_w)^2).  The
 *        points come from the same paths and are positively correlated, so treating
 *        them as independent overstates the slope's uncertainty (a conservative band).
 */
#include "hedgesim/experiment.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sample.h"
#include "tailboot.h"

double hs_std_stderr(double std, double exkurt, size_t n)
{
    double k = exkurt + 2.0;
    return std * sqrt((k > 0 ? k : 0) / (4.0 * (double)n));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static hs_interval percentile_interval(double *v, size_t b)
{
    qsort(v, b, sizeof *v, cmp_double);
    hs_interval iv = {gsl_stats_quantile_from_sorted_data(v, 1, b, 0.025),
                      gsl_stats_quantile_from_sorted_data(v, 1, b, 0.975)};
    return iv;
}

void hs_ci_from_resamples(double *stats, size_t resamples, size_t n, const hs_summary *s,
                          hs_ci *out)
{
    memset(out, 0, sizeof *out);
    out->mean = (hs_interval){s->mean - HS_Z95 * s->stderr_mean, s->mean + HS_Z95 * s->stderr_mean};
    double se_std = hs_std_stderr(s->std, s->exkurt, n);
    out->std = (hs_interval){fmax(0.0, s->std - HS_Z95 * se_std), s->std + HS_Z95 * se_std};
    out->resamples = resamples;
    if (!stats || resamples == 0) {
        out->var95 = out->es95 = out->var99 = out->es99 = (hs_interval){NAN, NAN};
        return;
    }
    out->var95 = percentile_interval(stats, resamples);
    out->es95 = percentile_interval(stats + resamples, resamples);
    out->var99 = percentile_interval(stats + 2 * resamples, resamples);
    out->es99 = percentile_interval(stats + 3 * resamples, resamples);
}

int hs_boot_applies(uint64_t n, size_t resamples)
{
    return resamples > 0 && n >= 40 && n <= UINT32_MAX;
}

hs_status hs_ci_compute(const double *sorted, size_t n, const hs_summary *s, uint64_t seed,
                        size_t resamples, hs_ci *out, hs_error *err)
{
    if (!hs_boot_applies(n, resamples)) {
        hs_ci_from_resamples(NULL, resamples, n, s, out);
        return HS_OK;
    }
    /* The tail bootstrap with the whole tail in one part (tailboot.c). */
    hs_tailboot tb;
    hs_tailboot_share share = {0, NULL, NULL};
    double *stats = malloc(4 * resamples * sizeof *stats);
    hs_status st = stats ? hs_tailboot_init(&tb, n, seed, resamples, err)
                         : hs_error_set(err, HS_ERUNTIME, "out of memory for the bootstrap");
    if (st) {
        free(stats);
        return st;
    }
    st = hs_tailboot_share_alloc(&share, resamples, err);
    if (!st)
        st = hs_tailboot_run(&tb, sorted, 0, tb.leaves, 0, resamples, &share, err);
    if (!st) {
        hs_tailboot_stats(&tb, &share, stats);
        hs_ci_from_resamples(stats, resamples, n, s, out);
    }
    hs_tailboot_share_free(&share);
    hs_tailboot_free(&tb);
    free(stats);
    return st;
}

void hs_pair_compute(const double *x, const double *y, size_t n, hs_pair *out)
{
    /* sample.c's exact sums, as a run's report computes them. */
    hs_error err;
    if (hs_sample_pair(hs_comm_self(), x, y, n, 1, out, &err) != HS_OK) {
        size_t a = out->a, b = out->b;
        memset(out, 0, sizeof *out);
        out->a = a;
        out->b = b;
        out->corr = NAN;
    }
}

hs_status hs_loglog_fit(const double *hedges, const double *std, const double *std_se, size_t k,
                        hs_fit *out, hs_error *err)
{
    double sw = 0, swx = 0, swy = 0;
    for (size_t i = 0; i < k; i++) {
        if (!(hedges[i] > 0 && std[i] > 0 && std_se[i] > 0))
            return hs_error_set(err, HS_ERUNTIME,
                                "convergence fit: point %zu has hedges %g, std %g, "
                                "se %g (expected all positive)",
                                i, hedges[i], std[i], std_se[i]);
        double rel = std_se[i] / std[i], w = 1.0 / (rel * rel);
        sw += w;
        swx += w * log(hedges[i]);
        swy += w * log(std[i]);
    }
    double xb = swx / sw, yb = swy / sw, sxx = 0, sxy = 0;
    for (size_t i = 0; i < k; i++) {
        double rel = std_se[i] / std[i], w = 1.0 / (rel * rel);
        double dx = log(hedges[i]) - xb;
        sxx += w * dx * dx;
        sxy += w * dx * (log(std[i]) - yb);
    }
    if (!(sxx > 1e-12 * sw))
        return hs_error_set(err, HS_ERUNTIME, "convergence fit needs at least two distinct hedges");
    out->slope = sxy / sxx;
    out->slope_se = 1.0 / sqrt(sxx);
    out->intercept = yb - out->slope * xb;
    out->ci95 =
        (hs_interval){out->slope - HS_Z95 * out->slope_se, out->slope + HS_Z95 * out->slope_se};
    return HS_OK;
}
