/*
 * Merton (1976) jump-diffusion series for European calls and puts (see merton.h):
 *
 *   V = sum_n P(n; lambda' tau) BS(S, K, tau, r_n, q, sigma_n),   lambda' = lambda (1 + k),
 *   sigma_n^2 = sigma^2 + n delta^2 / tau,   r_n = r - lambda k + n ln(1 + k) / tau
 *
 * R.C. Merton, J. Financial Economics 3 (1976) 125-144, section 4; Hull, "Options, Futures
 * and Other Derivatives", 10th ed., chapter 27.
 *
 * How a term is evaluated.  Written out, the n-th Black-Scholes call is
 *   BS_n = S e^{-q tau} N(d1_n) - K e^{-r_n tau} N(d2_n),
 *   d1_n = x_n / s_n + s_n / 2,  d2_n = d1_n - s_n,
 *   x_n  = ln(S/K) + (r - q - lambda k) tau + n ln(1 + k)   (log-moneyness of the forward),
 *   s_n  = sqrt(sigma^2 tau + n delta^2).
 * Hull's r_n grows like n/tau, so e^{-r_n tau} over- or underflows for the many-jump
 * terms of long or jump-heavy options (tau r_n = -lambda k tau + n ln(1 + k) reaches
 * thousands), giving inf * 0.  Since
 *   P(n; lambda' tau) e^{-r_n tau} = e^{-r tau} P(n; lambda tau)
 * (expand both sides), each term is summed as
 *   S e^{-q tau} P(n; lambda' tau) N(d1_n) - K e^{-r tau} P(n; lambda tau) N(d2_n),
 * which is the same number with every factor bounded by 1.  N is hs_norm_cdf from bs.h;
 * a term with s_n = 0 (no diffusion and no jump variance) takes bs.h's zero-variance
 * limit: N(d) -> 1, 0 or 1/2 as x_n is > 0, < 0 or = 0.  The Poisson weights are
 * exp(-m + n ln m - lgamma(n + 1)), which never overflows and underflows to 0 only for
 * terms that are negligible anyway.  The put is summed the same way with N(-d), not by
 * parity, so that a far out-of-the-money put keeps its relative accuracy.  The delta is
 * e^{-q tau} sum_n P(n; lambda' tau) N(d1_n) (call) or minus the same with N(-d1_n) (put).
 *
 * Truncation.  Write T'(n) and T(n) for the Poisson(lambda' tau) and Poisson(lambda tau)
 * masses of the terms j > n.  Each left-out call term is in [0, S e^{-q tau} P(j; lambda'
 * tau)] and each put term in [0, K e^{-r tau} P(j; lambda tau)], so stopping after n
 * makes an error of at most S e^{-q tau} T'(n) (call), K e^{-r tau} T(n) (put), and
 * e^{-q tau} T'(n) in the delta.  For n + 2 > m the ratios P(j+1; m) / P(j; m) = m / (j+1)
 * are all <= m / (n + 2) < 1 for j > n, so the geometric bound
 *   T(n) <= P(n + 1; m) / (1 - m / (n + 2))
 * holds; the sum stops at the first n past both means where both bounds are below
 * HS_MERTON_TAIL = 1e-16.  The value is then exact to 1e-16 of S or K, far below the
 * rounding of the sum itself.
 */
#include "hedgesim/merton.h"

#include <math.h>

/* log P(n; m) for m >= 0, with 0 ln 0 = 0 so that m = 0 puts all mass on n = 0. */
static double log_poisson(double n, double m, double log_m)
{
    if (n == 0.0)
        return -m;
    if (m == 0.0)
        return -INFINITY;
    return -m + n * log_m - lgamma(n + 1.0);
}

/* Geometric bound on the Poisson(m) mass above n (see the file comment); +inf while n is
 * not yet past the mean, where the bound does not hold. */
static double tail_bound(double n, double m, double log_m)
{
    if (!(n + 2.0 > m))
        return INFINITY;
    return exp(log_poisson(n + 1.0, m, log_m)) / (1.0 - m / (n + 2.0));
}

/* N(d) where d = x / s + sign * s / 2, with bs.h's zero-variance limit at s = 0. */
static double norm_cdf_term(double x, double s, double sign)
{
    if (s > 0.0)
        return hs_norm_cdf(x / s + sign * 0.5 * s);
    return x > 0.0 ? 1.0 : x < 0.0 ? 0.0 : 0.5;
}

double hs_merton_kappa(const hs_merton_jumps *jumps)
{
    return expm1(jumps->mean + 0.5 * jumps->std * jumps->std);
}

static hs_status check_inputs(double spot, double strike, double tau, double rate, double div,
                              double sigma, const hs_merton_jumps *j, hs_error *err)
{
    const char *bad = NULL;
    if (!(spot > 0.0 && isfinite(spot)))
        bad = "spot must be finite and > 0";
    else if (!(strike > 0.0 && isfinite(strike)))
        bad = "strike must be finite and > 0";
    else if (!(tau >= 0.0 && isfinite(tau)))
        bad = "tau must be finite and >= 0";
    else if (!isfinite(rate) || !isfinite(div))
        bad = "rate and dividend must be finite";
    else if (!(sigma >= 0.0 && isfinite(sigma)))
        bad = "sigma must be finite and >= 0";
    else if (!j)
        bad = "no jump parameters";
    else if (!(j->lambda >= 0.0 && isfinite(j->lambda)))
        bad = "jump intensity lambda must be finite and >= 0";
    else if (!(j->std >= 0.0 && isfinite(j->std)))
        bad = "jump std delta must be finite and >= 0";
    else if (!(fabs(j->mean + 0.5 * j->std * j->std) <= 700.0))
        bad = "mean log jump mu_J + delta^2/2 must be within [-700, 700]";
    if (bad)
        return hs_error_set(err, HS_EINPUT,
                            "merton price: %s (spot %g, strike %g, tau %g, rate %g, "
                            "dividend %g, sigma %g)",
                            bad, spot, strike, tau, rate, div, sigma);
    double lk1 = j->mean + 0.5 * j->std * j->std; /* ln(1 + k) */
    double m = j->lambda * tau, m_prime = m * exp(lk1);
    if (!(m_prime <= HS_MERTON_MAX_JUMPS && m <= HS_MERTON_MAX_JUMPS))
        return hs_error_set(err, HS_EINPUT,
                            "merton price: expected number of jumps lambda tau = %g, "
                            "lambda (1 + k) tau = %g exceeds %g (the series would need "
                            "that many terms)",
                            m, m_prime, HS_MERTON_MAX_JUMPS);
    return HS_OK;
}

hs_status hs_merton_eval(hs_bs_kind kind, double spot, double strike, double tau, double rate,
                         double div, double sigma, const hs_merton_jumps *jumps,
                         hs_merton_value *out, hs_error *err)
{
    if (kind != HS_BS_CALL && kind != HS_BS_PUT)
        return hs_error_set(err, HS_EINPUT, "merton price: unknown option kind %d", (int)kind);
    hs_status st = check_inputs(spot, strike, tau, rate, div, sigma, jumps, err);
    if (st)
        return st;

    const double lk1 = jumps->mean + 0.5 * jumps->std * jumps->std; /* ln(1 + k) */
    const double kappa = expm1(lk1);
    /* m = lambda tau and m' = lambda' tau; check_inputs bounded m', so m k < m' is finite. */
    const double m = jumps->lambda * tau, log_m = log(m);
    const double m_prime = m * exp(lk1), log_m_prime = log(m_prime);
    const double x0 = log(spot / strike) + (rate - div) * tau - m * kappa;
    const double var0 = sigma * sigma * tau, jump_var = jumps->std * jumps->std;
    const double fwd_spot = spot * exp(-div * tau), fwd_strike = strike * exp(-rate * tau);
    const double sign = kind == HS_BS_CALL ? 1.0 : -1.0;

    /* Sum the spot parts and the strike parts apart: each is a sum of positive terms. */
    double spot_part = 0.0, strike_part = 0.0, tail = INFINITY;
    size_t n = 0;
    for (;; n++) {
        const double dn = (double)n;
        const double w_spot = exp(log_poisson(dn, m_prime, log_m_prime));
        const double w_strike = exp(log_poisson(dn, m, log_m));
        if (w_spot > 0.0 || w_strike > 0.0) {
            const double x = x0 + dn * lk1, s = sqrt(var0 + dn * jump_var);
            /* Call: N(d1), N(d2); put: N(-d1) = N(-x/s - s/2), N(-d2) = N(-x/s + s/2). */
            spot_part += w_spot * norm_cdf_term(sign * x, s, sign);
            strike_part += w_strike * norm_cdf_term(sign * x, s, -sign);
        }
        tail = fmax(tail_bound(dn, m_prime, log_m_prime), tail_bound(dn, m, log_m));
        if (tail < HS_MERTON_TAIL)
            break;
    }

    /* Each sum is a probability (P(S_T > K) under two measures, or its complement), so
     * it lies in [0, 1].  The log weight is a difference of numbers of size m, which
     * costs each weight a relative error of about m 2^-53 (1e-12 at m = 1e4), enough to
     * push a deep in-the-money sum a hair above 1: clamp it back. */
    spot_part = fmin(spot_part, 1.0);
    strike_part = fmin(strike_part, 1.0);
    double value = sign * (fwd_spot * spot_part - fwd_strike * strike_part);
    /* A sum of non-negative terms and, by Jensen's inequality, never below the
     * discounted intrinsic value of the forward: clamp away the rounding. */
    value = fmax(value, fmax(sign * (fwd_spot - fwd_strike), 0.0));
    out->value = value;
    out->delta = sign * exp(-div * tau) * spot_part;
    out->terms = n + 1;
    out->tail = tail;
    return HS_OK;
}
