/*
 * Black-Scholes-Merton prices and Greeks of European calls and puts with a continuous
 * dividend yield (see bs.h).
 *
 *   d1 = ln(F/K) / (sigma sqrt(tau)) + sigma sqrt(tau) / 2,  F = S e^{(r - q) tau},
 *   d2 = d1 - sigma sqrt(tau)
 *   call = S e^{-q tau} N(d1) - K e^{-r tau} N(d2)
 *   put  = K e^{-r tau} N(-d2) - S e^{-q tau} N(-d1)
 *   delta_call = e^{-q tau} N(d1),          delta_put = -e^{-q tau} N(-d1)
 *   gamma      = e^{-q tau} phi(d1) / (S sigma sqrt(tau))
 *   vega       = S e^{-q tau} phi(d1) sqrt(tau)
 *   theta_call = -S e^{-q tau} phi(d1) sigma / (2 sqrt(tau)) - r K e^{-r tau} N(d2)
 *                + q S e^{-q tau} N(d1)
 *   theta_put  = -S e^{-q tau} phi(d1) sigma / (2 sqrt(tau)) + r K e^{-r tau} N(-d2)
 *                - q S e^{-q tau} N(-d1)
 *
 * Merton (1973), "Theory of rational option pricing", Bell J. Econ. 4(1); Hull, "Options,
 * Futures and Other Derivatives", 10th ed., section 17.4 (dividend yield) and chapter 19
 * (Greeks, table 19.6).  N(x) is gsl_cdf_ugaussian_P, which cannot fail and keeps its
 * relative accuracy deep in both tails, so the put and the far out-of-the-money call are
 * not the difference of two numbers close to one.
 *
 * Zero-variance limit (sigma sqrt(tau) == 0, i.e. tau == 0 or sigma == 0): the option is
 * worth the discounted intrinsic value of the forward, max(S e^{-q tau} - K e^{-r tau}, 0)
 * for a call.  Delta is e^{-q tau} times the indicator of F > K, and exactly at F == K we
 * return half of it (the average of the one-sided limits, which also keeps put-call
 * parity for delta and theta).  Gamma is 0: at F == K the true gamma is a Dirac mass that
 * no double can hold, and 0 is the value everywhere else.  Vega is 0 except at F == K
 * with tau > 0, where the price grows linearly in sigma, V ~ S e^{-q tau} phi(0) sigma
 * sqrt(tau), so the one-sided vega S e^{-q tau} sqrt(tau) phi(0) is returned; this makes
 * sigma = 0 continuous with sigma = 1e-12.  Theta is the derivative in tau of the
 * zero-variance price, weighted like delta at F == K (with sigma > 0 the at-the-money
 * theta diverges as tau -> 0, so any finite value there is a convention).
 */
#include "hedgesim/bs.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

/* 1 / sqrt(2 pi), for the normal density. */
#define HS_INV_SQRT_2PI 0.398942280401432677939946059934381868

/* The Greeks of one option in the zero-variance limit described at the top of the
 * file.  Kept apart so that the general path never divides by a zero sigma sqrt(tau). */
static hs_bs_greeks hs_bs_greeks_limit(hs_bs_kind kind, double spot, double strike, double tau,
                                       double rate, double div)
{
    const double disc_div = exp(-div * tau);
    const double disc_rate = exp(-rate * tau);
    const double fwd_spot = spot * disc_div;      /* S e^{-q tau} = e^{-r tau} F */
    const double fwd_strike = strike * disc_rate; /* K e^{-r tau} */

    /* Weight of the exercise region for a call: 1 in the money, 0 out, 1/2 at the money. */
    double weight = fwd_spot > fwd_strike ? 1.0 : fwd_spot < fwd_strike ? 0.0 : 0.5;
    /* d(S e^{-q tau} - K e^{-r tau}) / dt with t = -tau: calendar time passing. */
    const double fwd_theta = div * fwd_spot - rate * fwd_strike;

    hs_bs_greeks g;
    if (kind == HS_BS_CALL) {
        g.value = fmax(fwd_spot - fwd_strike, 0.0);
        g.delta = disc_div * weight;
        g.theta = weight * fwd_theta;
    } else {
        weight = 1.0 - weight;
        g.value = fmax(fwd_strike - fwd_spot, 0.0);
        g.delta = -disc_div * weight;
        g.theta = -weight * fwd_theta;
    }
    g.gamma = 0.0;
    g.vega = fwd_spot == fwd_strike ? fwd_spot * sqrt(tau) * HS_INV_SQRT_2PI : 0.0;
    return g;
}

/* True when the inputs lie in the documented domain.  Written with positive
 * comparisons so that a NaN anywhere fails them. */
static int hs_bs_in_domain(double spot, double strike, double tau, double rate, double div,
                           double sigma)
{
    return spot > 0.0 && isfinite(spot) && strike > 0.0 && isfinite(strike) && tau >= 0.0 &&
           isfinite(tau) && isfinite(rate) && isfinite(div) && sigma >= 0.0 && isfinite(sigma);
}

/* d1 from log-moneyness of the forward: ln(F/K) / sd + sd / 2 with sd = sigma sqrt(tau).
 * Splitting it this way keeps the large-sigma and long-tau cases free of overflow in
 * sigma^2 tau / sd and needs no separate sqrt(tau) by the caller. */
static double hs_bs_d1(double spot, double strike, double tau, double rate, double div, double sd)
{
    return (log(spot / strike) + (rate - div) * tau) / sd + 0.5 * sd;
}

hs_bs_greeks hs_bs_greeks_eval(hs_bs_kind kind, double spot, double strike, double tau, double rate,
                               double div, double sigma)
{
    if (!hs_bs_in_domain(spot, strike, tau, rate, div, sigma)) {
        const hs_bs_greeks nan_greeks = {NAN, NAN, NAN, NAN, NAN};
        return nan_greeks;
    }
    const double sqrt_tau = sqrt(tau);
    const double sd = sigma * sqrt_tau;
    if (!(sd > 0.0))
        return hs_bs_greeks_limit(kind, spot, strike, tau, rate, div);

    const double d1 = hs_bs_d1(spot, strike, tau, rate, div, sd);
    const double d2 = d1 - sd;
    const double disc_div = exp(-div * tau);
    const double fwd_spot = spot * disc_div;
    const double fwd_strike = strike * exp(-rate * tau);
    const double pdf_d1 = hs_norm_pdf(d1);

    hs_bs_greeks g;
    g.vega = fwd_spot * pdf_d1 * sqrt_tau;
    /* Divide by S only after multiplying by the density, so a far-from-the-money gamma
     * underflows to 0 instead of forming 0 * inf when S * sd is tiny. */
    g.gamma = disc_div * pdf_d1 / spot / sd;
    /* The volatility part of theta, S e^{-q tau} phi(d1) sigma / (2 sqrt(tau)), written
     * as vega * sigma / (2 tau) so that a zero density gives 0 rather than 0 * inf. */
    const double theta_vol = -g.vega * sigma / (2.0 * tau);

    if (kind == HS_BS_CALL) {
        const double n_d1 = hs_norm_cdf(d1);
        const double n_d2 = hs_norm_cdf(d2);
        /* Rounding may push the difference a few ulps below the no-arbitrage floor, the
         * discounted forward intrinsic value; clamp to it so the price is never below
         * its own zero-variance limit (and never negative). */
        g.value = fmax(fwd_spot * n_d1 - fwd_strike * n_d2, fmax(fwd_spot - fwd_strike, 0.0));
        g.delta = disc_div * n_d1;
        g.theta = theta_vol - rate * fwd_strike * n_d2 + div * fwd_spot * n_d1;
    } else {
        /* N(-d) rather than 1 - N(d): the put lives in the tail where 1 - N(d) cancels. */
        const double n_md1 = hs_norm_cdf(-d1);
        const double n_md2 = hs_norm_cdf(-d2);
        g.value = fmax(fwd_strike * n_md2 - fwd_spot * n_md1, fmax(fwd_strike - fwd_spot, 0.0));
        g.delta = -disc_div * n_md1;
        g.theta = theta_vol + rate * fwd_strike * n_md2 - div * fwd_spot * n_md1;
    }
    return g;
}

double hs_bs_price(hs_bs_kind kind, double spot, double strike, double tau, double rate, double div,
                   double sigma)
{
    if (!hs_bs_in_domain(spot, strike, tau, rate, div, sigma))
        return NAN;
    const double sd = sigma * sqrt(tau);
    const double fwd_spot = spot * exp(-div * tau);
    const double fwd_strike = strike * exp(-rate * tau);
    if (!(sd > 0.0))
        return kind == HS_BS_CALL ? fmax(fwd_spot - fwd_strike, 0.0)
                                  : fmax(fwd_strike - fwd_spot, 0.0);

    const double d1 = hs_bs_d1(spot, strike, tau, rate, div, sd);
    const double d2 = d1 - sd;
    /* The same clamp to the zero-variance floor as in hs_bs_greeks_eval, so that the two
     * entry points agree to the last bit. */
    if (kind == HS_BS_CALL)
        return fmax(fwd_spot * hs_norm_cdf(d1) - fwd_strike * hs_norm_cdf(d2),
                    fmax(fwd_spot - fwd_strike, 0.0));
    return fmax(fwd_strike * hs_norm_cdf(-d2) - fwd_spot * hs_norm_cdf(-d1),
                fmax(fwd_strike - fwd_spot, 0.0));
}

/* The hedge ratio alone: one logarithm, one exponential and one normal CDF, because the
 * engine calls it for every path at every rebalancing step. */
double hs_bs_delta(hs_bs_kind kind, double spot, double strike, double tau, double rate, double div,
                   double sigma)
{
    if (!hs_bs_in_domain(spot, strike, tau, rate, div, sigma))
        return NAN;
    const double sd = sigma * sqrt(tau);
    const double disc_div = exp(-div * tau);
    if (!(sd > 0.0)) {
        const double fwd_spot = spot * disc_div;
        const double fwd_strike = strike * exp(-rate * tau);
        const double weight = fwd_spot > fwd_strike ? 1.0 : fwd_spot < fwd_strike ? 0.0 : 0.5;
        return kind == HS_BS_CALL ? disc_div * weight : -disc_div * (1.0 - weight);
    }
    const double d1 = hs_bs_d1(spot, strike, tau, rate, div, sd);
    return kind == HS_BS_CALL ? disc_div * hs_norm_cdf(d1) : -disc_div * hs_norm_cdf(-d1);
}

/* GSL's unit Gaussian lower tail (Cody's rational approximations): no error path, and
 * accurate relative to the result for x far below zero, where erfc-based 1 + erf(x)
 * would lose everything. */
double hs_norm_cdf(double x)
{
    return gsl_cdf_ugaussian_P(x);
}

/* exp(-x^2/2) / sqrt(2 pi); for |x| beyond about 38.6 it underflows to 0, the right
 * limit, and x = +-inf gives exactly 0. */
double hs_norm_pdf(double x)
{
    return HS_INV_SQRT_2PI * exp(-0.5 * x * x);
}
