/*
 * Summary statistics of a sample of per-path outcomes (P&L, hedging error), with GSL.
 *
 *   mean, std (n-1 denominator), stderr = std / sqrt(n),
 *   skew = m3 / s^3 and exkurt = m4 / s^4 - 3 (gsl_stats_skew / gsl_stats_kurtosis),
 *   quantiles q01..q99 by linear interpolation between order statistics
 *   (gsl_stats_quantile_from_sorted_data, Hyndman & Fan 1996 type 7),
 *   VaR_a = -q_{1-a}  (a loss, reported positive),
 *   ES_a  = -(mean of the k = ceil(n (1 - a)) smallest outcomes)  (a loss, positive).
 *
 * The input is never reordered: statistics are computed on a sorted copy in the
 * caller-provided scratch buffer, so results depend only on the values, in path order.
 */
#ifndef HEDGESIM_STATS_H
#define HEDGESIM_STATS_H

#include <stddef.h>

#include "hedgesim/error.h"

typedef struct hs_summary {
    size_t n;
    double mean, std, stderr_mean, skew, exkurt, min, max;
    double q01, q05, q50, q95, q99;
    double var95, es95, var99, es99;
} hs_summary;

/* Summarise x[0..n) (n >= 2, all finite).  scratch must hold n doubles.  Returns
 * HS_ERUNTIME with a message if n < 2 or a value is not finite. */
hs_status hs_summary_compute(const double *x, size_t n, double *scratch, hs_summary *out,
                             hs_error *err);

/* The same when the caller already has x sorted ascending in `sorted` (the values of
 * x, in order): the sort is skipped.  Used when a sample is a monotone image of
 * another already sorted (hedging error = P&L - edge when there are no costs). */
hs_status hs_summary_compute_sorted(const double *x, size_t n, double *sorted, hs_summary *out,
                                    hs_error *err);

/* Derman & Kamal (1999) std of the P&L of a discretely delta-hedged option:
 * sqrt(pi / 4) * |vega| * sigma / sqrt(N), vega per unit vol. */
double hs_derman_kamal_std(double vega, double sigma, double hedges);

#endif
