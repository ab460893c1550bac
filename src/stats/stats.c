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

#include "sort.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_statistics_double.h>

/* ceil(n p) for p = m / 100, in integer arithmetic: in floating point (1 - 0.95) * 100
 * is 5.000000000000004 and its ceiling 6, which would put one observation too many in
 * the 95% expected shortfall.  Written as quotient plus remainder so that it cannot
 * overflow for any n. */
static size_t hs_ceil_percent(size_t n, size_t m)
{
    return n / 100 * m + (n % 100 * m + 99) / 100;
}

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

hs_status hs_summary_compute(const double *x, size_t n, double *scratch, hs_summary *out,
                             hs_error *err)
{
    hs_summary s;
    hs_status st = check_args(x, n, scratch, out, err);
    if (!st)
        st = hs_summary_moments(x, n, &s, err);
    if (!st)
        st = hs_summary_sort(x, n, scratch, 1, err);
    if (!st)
        st = hs_summary_order(scratch, n, &s, err);
    if (!st)
        *out = s;
    return st;
}

hs_status hs_summary_compute_sorted(const double *x, size_t n, double *sorted, hs_summary *out,
                                    hs_error *err)
{
    hs_summary s;
    hs_status st = check_args(x, n, sorted, out, err);
    if (!st)
        st = hs_summary_moments(x, n, &s, err);
    if (!st)
        st = hs_summary_order(sorted, n, &s, err);
    if (!st)
        *out = s;
    return st;
}

hs_status hs_summary_moments(const double *x, size_t n, hs_summary *out, hs_error *err)
{
    if (n < 2 || !x || !out)
        return check_args(x, n, x ? x + 1 : NULL, out, err);
    /* One pass checks every value and finds the range. */
    double lo = x[0], hi = x[0];
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return hs_error_set(err, HS_ERUNTIME,
                                "summary statistics: x[%zu] = %g is not finite (n = %zu)", i, x[i],
                                n);
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }

    hs_summary s;
    memset(&s, 0, sizeof s);
    s.n = n;
    /* The moments are taken over x in path order, so that they do not depend on how the
     * sort arranges equal values.  The mean is GSL's (summed in long double: it cannot
     * overflow); the central moments of orders 2, 3 and 4 are summed in one pass and
     * combined exactly as gsl_stats_sd_m, gsl_stats_skew_m_sd and gsl_stats_kurtosis_m_sd
     * define them (three passes fewer over the data; equal to GSL's to rounding), over
     * deviations scaled by 2^k (head of this file).  Each sum runs in path order on one
     * thread: the same bits for any thread count. */
    s.mean = gsl_stats_mean(x, 1, n);
    /* Half the largest deviation: halved so that it cannot overflow. */
    double half = fmax(0.5 * hi - 0.5 * s.mean, 0.5 * s.mean - 0.5 * lo);
    double m2 = 0, m3 = 0, m4 = 0;
    int k = 0;
    if (half > 0.0) {
        int e;
        (void)frexp(half, &e); /* half in [2^(e-1), 2^e): max |d| in [2^e, 2^(e+1)) */
        k = -(e + 1);
        /* 2^k as one factor when it is a normal double; else ldexp, which is exact. */
        int direct = k > -1000 && k < 1000 && e < 1022;
        double c = direct ? ldexp(1.0, k) : 1.0;
        for (size_t i = 0; i < n; i++) {
            /* Beyond e = 1022, x - mean itself may overflow: scale both terms first. */
            double d = direct     ? (x[i] - s.mean) * c
                       : e < 1022 ? ldexp(x[i] - s.mean, k)
                                  : ldexp(x[i], k) - ldexp(s.mean, k);
            double d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
        }
    }
    /* The std of the scaled deviations, then scaled back (exact, short of overflow). */
    double std_scaled = sqrt(m2 / (double)(n - 1));
    s.std = ldexp(std_scaled, -k);
    s.stderr_mean = s.std / sqrt((double)n);
    if (std_scaled > 0.0) {
        double s2 = std_scaled * std_scaled;
        s.skew = m3 / (s2 * std_scaled) / (double)n;
        s.exkurt = m4 / (s2 * s2) / (double)n - 3.0;
    } else {
        s.skew = 0.0;
        s.exkurt = 0.0;
    }
    *out = s;
    return HS_OK;
}

hs_status hs_summary_sort(const double *x, size_t n, double *sorted, int parts, hs_error *err)
{
    if (n < 2 || !x || !sorted || sorted == x)
        return check_args(x, n, sorted, x, err);
    /* A radix sort (sort.c): GSL's heapsort took a fifth of a whole run. */
    if (hs_sort_doubles_to(x, sorted, n, parts) != 0)
        return hs_error_set(err, HS_ERUNTIME, "out of memory sorting %zu values", n);
    return HS_OK;
}

hs_status hs_summary_order(const double *sorted, size_t n, hs_summary *s, hs_error *err)
{
    if (n < 2 || !sorted || !s)
        return check_args(sorted, n, sorted ? sorted + 1 : NULL, s, err);
    s->min = sorted[0];
    s->max = sorted[n - 1];
    s->q01 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.01);
    s->q05 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.05);
    s->q50 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.50);
    s->q95 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.95);
    s->q99 = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.99);

    /* Losses are reported positive: VaR and ES are minus the lower-tail outcomes.  k is
     * at least 1 because n >= 2. */
    s->var95 = -s->q05;
    s->var99 = -s->q01;
    s->es95 = -gsl_stats_mean(sorted, 1, hs_ceil_percent(n, 5));
    s->es99 = -gsl_stats_mean(sorted, 1, hs_ceil_percent(n, 1));

    /* Finite inputs can still overflow: a sample spanning more than the largest double
     * has a std (or an ES) beyond it.  Report that rather than hand back an infinite
     * summary. */
    const double fields[] = {s->mean, s->std, s->stderr_mean, s->skew, s->exkurt, s->q01,
                             s->q05,  s->q50, s->q95,         s->q99,  s->es95,   s->es99};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (!isfinite(fields[i]))
            return hs_error_set(err, HS_ERUNTIME,
                                "summary statistics overflowed (mean %g, std %g): values "
                                "too large in magnitude",
                                s->mean, s->std);
    return HS_OK;
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
