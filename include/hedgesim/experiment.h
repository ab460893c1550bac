/*
 * Experiments over the strategies of a run: confidence intervals of the summary
 * statistics, paired comparisons of strategies on the same paths, and the convergence
 * fit of hedging error against the number of rebalances (experiment.c).
 */
#ifndef HEDGESIM_EXPERIMENT_H
#define HEDGESIM_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>

#include "hedgesim/error.h"
#include "hedgesim/stats.h"

#define HS_Z95 1.959963984540054 /* the standard normal's 97.5% quantile */

typedef struct hs_interval {
    double lo, hi;
} hs_interval;

/* 95% confidence intervals of a sample's mean, std, VaR and ES (losses, positive). */
typedef struct hs_ci {
    hs_interval mean, std, var95, es95, var99, es99;
    size_t resamples; /* bootstrap resamples behind the VaR and ES intervals */
} hs_ci;

/* Intervals from the sample sorted ascending (n >= 2) and its summary: asymptotic
 * normal for the mean and std, percentile bootstrap with `resamples` resamples (seeded
 * with `seed`, so reproducible) for VaR and ES; NaN VaR and ES intervals when the
 * bootstrap does not apply (hs_boot_applies: fewer than 40 outcomes, or none drawn). */
hs_status hs_ci_compute(const double *sorted, size_t n, const hs_summary *s, uint64_t seed,
                        size_t resamples, hs_ci *out, hs_error *err);
int hs_boot_applies(uint64_t n, size_t resamples);

/* The intervals from the resamples' statistics stats[4][resamples] (VaR 95%, ES 95%,
 * VaR 99%, ES 99% of each resample; sorted in place), or NaN VaR and ES intervals for
 * stats == NULL.  The mean and std intervals come from the summary. */
void hs_ci_from_resamples(double *stats, size_t resamples, size_t n, const hs_summary *s,
                          hs_ci *out);

/* Standard error of a sample std by the delta method: s sqrt((exkurt + 2) / (4 n)). */
double hs_std_stderr(double std, double exkurt, size_t n);

/* A paired comparison of two strategies' outcomes x and y on the same paths. */
typedef struct hs_pair {
    size_t a, b;        /* strategy indices */
    double mean_diff;   /* mean of x - y */
    double stderr_diff; /* std of x - y over sqrt(n) */
    double z;           /* mean_diff / stderr_diff (0 when both are 0) */
    hs_interval ci95;
    double corr; /* correlation of x and y (NaN if either is constant) */
    /* Which hedges better, by variance, on the same paths: w_i = (x_i - mean x)^2 - (y_i -
     * mean y)^2 has mean var_diff (the difference of the two variances, n - 1
     * normalised), and var_z = mean(w) / (std(w) / sqrt(n)) is its paired z (negative: x
     * has the smaller variance); std_ratio = std(x) / std(y) (NaN when y is constant). */
    double var_diff, var_z, std_ratio;
} hs_pair;

void hs_pair_compute(const double *x, const double *y, size_t n, hs_pair *out);

/* Weighted least-squares fit of log(std) on log(hedges), each point weighted by the
 * inverse variance of its log std, (std_se / std)^2. */
typedef struct hs_fit {
    double slope, slope_se, intercept;
    hs_interval ci95;
} hs_fit;

hs_status hs_loglog_fit(const double *hedges, const double *std, const double *std_se, size_t k,
                        hs_fit *out, hs_error *err);

#endif
