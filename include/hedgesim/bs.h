/*
 * Black-Scholes-Merton prices and Greeks of European calls and puts on a stock with a
 * continuous dividend yield.
 *
 *   d1 = [ln(S/K) + (r - q + sigma^2/2) tau] / (sigma sqrt(tau)),  d2 = d1 - sigma sqrt(tau)
 *   call = S e^{-q tau} N(d1) - K e^{-r tau} N(d2)
 *   put  = K e^{-r tau} N(-d2) - S e^{-q tau} N(-d1)
 *
 * Merton (1973), "Theory of rational option pricing"; Hull, "Options, Futures and Other
 * Derivatives", 10th ed., sections 17.4 and 19.  N is computed with GSL's special
 * functions (gsl_sf_erfc), accurate in both tails.
 *
 * Limits (never NaN for finite, in-range inputs):
 *   tau -> 0 or sigma -> 0: the price tends to the discounted intrinsic value of the
 *   forward, max(S e^{-q tau} - K e^{-r tau}, 0) for a call; delta to e^{-q tau} * 1{F > K}
 *   (1/2 at F == K); gamma and vega to 0.
 */
#ifndef HEDGESIM_BS_H
#define HEDGESIM_BS_H

typedef enum hs_bs_kind { HS_BS_CALL = 0, HS_BS_PUT = 1 } hs_bs_kind;

typedef struct hs_bs_greeks {
    double value; /* price, in money */
    double delta; /* dV/dS */
    double gamma; /* d2V/dS2 */
    double vega;  /* dV/dsigma per unit of volatility (1.00 = 100 vol points) */
    double theta; /* dV/dt per year (calendar time passing, tau shrinking) */
} hs_bs_greeks;

/* Inputs: spot > 0, strike > 0, tau >= 0 (years), rate and div continuously compounded
 * per year, sigma >= 0 per sqrt(year).  Out-of-domain input returns NaN fields; the
 * scenario validator guarantees the domain for the simulator. */
hs_bs_greeks hs_bs_greeks_eval(hs_bs_kind kind, double spot, double strike, double tau,
                               double rate, double div, double sigma);

double hs_bs_price(hs_bs_kind kind, double spot, double strike, double tau, double rate,
                   double div, double sigma);
double hs_bs_delta(hs_bs_kind kind, double spot, double strike, double tau, double rate,
                   double div, double sigma);

/* Standard normal CDF and density. */
double hs_norm_cdf(double x);
double hs_norm_pdf(double x);

#endif
