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
 * with `seed`, so reproducible) for VaR and ES. */
/* VaR and ES at 5% and 1% (out: var95, es95, var99, es99, losses positive, as
 * stats.h defines them) of a resample of size n given as counts over the ascending
 * values[]: values[j] appears counts[j] times, and the slots from 0 on must hold at
 * least hs_tail_ranks_needed(n) draws (the ranks read).  first[] is scratch of one
 * more entry than the slots walked.  The bootstrap of hs_ci_compute uses it so that a
 * resample needs neither expanding nor sorting. */
void hs_resample_tails(const double *values, const unsigned *counts, size_t n, uint32_t *first,
                       double out[4]);
size_t hs_tail_ranks_needed(size_t n);

hs_status hs_ci_compute(const double *sorted, size_t n, const hs_summary *s, uint64_t seed,
                        size_t resamples, hs_ci *out, hs_error *err);

/* hs_ci_compute in three steps, so that the resamples can be shared among threads
 * with the same result for any split:
 *   hs_boot_init draws every resample's random numbers, in resample order, from `seed`
 *     (nothing to draw, and the VaR/ES intervals NaN, when resamples == 0 or n < 40);
 *   hs_boot_run computes resamples [r0, r1) of the sorted sample into fixed slots (any
 *     ranges, on any threads, once each; it allocates its own scratch);
 *   hs_boot_ci fills *out from the summary and the resamples.
 * hs_boot_free releases what init allocated (also after a failed init). */
typedef struct hs_boot {
    size_t n, m, need, resamples;
    unsigned *k;   /* per resample: draws among the m lowest outcomes */
    uint64_t *key; /* per resample: the hash key of its indices */
    double *stats; /* 4 x resamples: var95, es95, var99, es99 of each resample */
} hs_boot;

hs_status hs_boot_init(hs_boot *b, size_t n, uint64_t seed, size_t resamples, hs_error *err);
hs_status hs_boot_run(hs_boot *b, const double *sorted, size_t r0, size_t r1, hs_error *err);
void hs_boot_ci(hs_boot *b, const hs_summary *s, hs_ci *out);
void hs_boot_free(hs_boot *b);

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
