/*
 * Summary statistics of a sample of per-path outcomes, and the Derman-Kamal hedging
 * error estimate (see stats.h).
 *
 *   mean   = (1/n) sum x_i                           (gsl_stats_mean)
 *   std    = sqrt( sum (x_i - mean)^2 / (n - 1) )     (gsl_stats_sd_m)
 *   stderr = std / sqrt(n)
 *   skew   = (1/n) sum ((x_i - mean) / std)^3        (gsl_stats_skew_m_sd)
 *   exkurt = (1/n) sum ((x_i - mean) / std)^4 - 3    (gsl_stats_kurtosis_m_sd)
 *   q_p    = (1 - g) x_(j) + g x_(j+1),  j + g = (n - 1) p, x_(0) <= ... <= x_(n-1)
 *            (gsl_stats_quantile_from_sorted_data; Hyndman & Fan 1996, "Sample quantiles
 *            in statistical packages", Am. Stat. 50(4), definition 7, numpy's default)
 *   VaR_a  = -q_{1-a}
 *   ES_a   = -(1/k) sum_{i<k} x_(i),  k = ceil(n (1 - a))
 *            (Acerbi & Tasche 2002, "On the coherence of expected shortfall", J. Banking
 *            & Finance 26(7), the k smallest outcomes of the sample)
 *
 * GSL's skewness and kurtosis divide the sum by n but standardise with the n - 1
 * standard deviation; that is what is reported, as documented by GSL (Statistics,
 * "Higher moments").  A sample whose values are all equal has std 0, where skewness and
 * kurtosis are 0 / 0: we report both as 0 (a point mass has no asymmetry and no tails to
 * speak of) so that the summary stays finite and serialisable.
 *
 * Sums: every sum is exact and rounded once (xsum.c), and the order statistics are exact
 * values of ranks (select.c), so a summary does not depend on how the sample was split
 * among threads or MPI ranks (sample.c computes it; this file is its one-process entry).
 *
 * Scale: the central moments are summed over the deviations multiplied by a power of two,
 * d'_i = 2^k (x_i - mean), with k chosen so that max |d'_i| lies in [1/2, 1).  Skewness
 * and kurtosis do not depend on scale, and the std is scaled back by 2^-k, so a sample
 * of P&Ls around 1e-90 (whose fourth powers underflow to 0) or 1e+100 (whose fourth
 * powers overflow) gets the same skew and kurtosis as the same sample around 1 (issue
 * 10, item 7).  Multiplying by a power of two is exact, and every later operation
 * (products, sums, the division, the square root of a number times 2^2k) commutes with
 * it, so wherever the plain sums neither overflow nor leave the normal range the result
 * is bit for bit the one of the unscaled formulas: the bundled scenarios' summaries do
 * not change.  Only a std beyond the largest double (a sample spanning more than about
 * 1e308) is still reported as an overflow.
 *
 * Derman & Kamal (1999), "When you cannot hedge continuously: the corrections to
 * Black-Scholes", Risk 12(1): the P&L of an option delta-hedged N times at the
 * volatility it was priced at has standard deviation about sqrt(pi / 4) |vega| sigma /
 * sqrt(N), vega per unit volatility.
 */
#include "hedgesim/stats.h"

#include "sample.h"
#include "sort.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_statistics_double.h>

/* The arguments every entry point checks first, with the message of each case. */
static hs_status check_args(const double *x, size_t n, const double *scratch, const void *out,
                            hs_error *err)
{
    if (n < 2)
        return hs_error_set(err, HS_ERUNTIME, "summary statistics need at least 2 values, got %zu",
                            n);
    if (!x || !scratch || !out)
        return hs_error_set(err, HS_ERUNTIME, "summary statistics: NULL %s argument",
                            !x         ? "data"
                            : !scratch ? "scratch"
                                       : "output");
    /* Sorting in place would reorder the caller's paths, which the header promises
     * never to do. */
    if (scratch == x)
        return hs_error_set(err, HS_ERUNTIME,
                            "summary statistics: scratch buffer is the data itself");
    return HS_OK;
}

/* Every summary is sample.c's on one process: exact sums and exact order statistics,
 * so the numbers are those a run split over threads or MPI ranks gets. */
hs_status hs_summary_compute(const double *x, size_t n, double *scratch, hs_summary *out,
                             hs_error *err)
{
    hs_status st = check_args(x, n, scratch, out, err);
    if (!st)
        st = hs_sample_summary(hs_comm_self(), x, n, 0, 1, out, err);
    /* The header promises the sorted sample in scratch (hs_ci_compute reads it). */
    if (!st && hs_sort_doubles_to(x, scratch, n, 1) != 0)
        st = hs_error_set(err, HS_ERUNTIME, "out of memory sorting %zu values", n);
    return st;
}

hs_status hs_summary_compute_sorted(const double *x, size_t n, double *sorted, hs_summary *out,
                                    hs_error *err)
{
    hs_status st = check_args(x, n, sorted, out, err);
    return st ? st : hs_sample_summary(hs_comm_self(), x, n, 0, 1, out, err);
}

/* Out-of-domain input (non-finite, negative sigma, hedges <= 0) gives NaN, as in
 * bs.c: the formula has no meaning there and a plausible number would hide the error. */
double hs_derman_kamal_std(double vega, double sigma, double hedges)
{
    if (!(isfinite(vega) && isfinite(sigma) && sigma >= 0.0 && isfinite(hedges) && hedges > 0.0))
        return NAN;
    /* sqrt(pi / 4) = sqrt(pi) / 2; M_SQRTPI comes from gsl_math.h, since C11 has no pi. */
    return 0.5 * M_SQRTPI * fabs(vega) * sigma / sqrt(hedges);
}
