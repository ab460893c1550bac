/*
 * Merton (1976) jump diffusion: closed-form (series) price and delta of European calls
 * and puts on a stock with a continuous dividend yield.
 *
 * Under the risk-neutral measure
 *
 *   dS/S = (r - q - lambda k) dt + sigma dW + (Y - 1) dN,   ln Y ~ N(mu_J, delta^2),
 *   k = E[Y - 1] = exp(mu_J + delta^2/2) - 1,
 *
 * with N a Poisson process of intensity lambda.  Conditioning on the number n of jumps
 * before expiry gives Merton's series (R.C. Merton, "Option pricing when underlying
 * stock returns are discontinuous", J. Financial Economics 3 (1976) 125-144, section 4;
 * Hull, "Options, Futures and Other Derivatives", 10th ed., chapter 27):
 *
 *   V = sum_{n >= 0} e^{-lambda' tau} (lambda' tau)^n / n!  BS(S, K, tau, r_n, q, sigma_n)
 *
 *   lambda'   = lambda (1 + k)
 *   sigma_n^2 = sigma^2 + n delta^2 / tau
 *   r_n       = r - lambda k + n ln(1 + k) / tau
 *
 * and the delta is the same sum over the Black-Scholes deltas (the weights do not
 * depend on S).  See src/pricing/merton.c for how the terms are evaluated without
 * overflow and for the truncation bound.
 */
#ifndef HEDGESIM_MERTON_H
#define HEDGESIM_MERTON_H

#include <stddef.h>

#include "hedgesim/bs.h"
#include "hedgesim/error.h"

/* The series stops once the Poisson mass of the terms left out is below this (for both
 * Poisson(lambda' tau), which weights the call-like parts, and Poisson(lambda tau),
 * which weights the strike parts; see pricing/merton.c). */
#define HS_MERTON_TAIL 1e-16

/* Largest expected number of jumps lambda' tau (and lambda tau) accepted: the series
 * needs about that many terms. */
#define HS_MERTON_MAX_JUMPS 1e6

/* The jump part of the model. */
typedef struct hs_merton_jumps {
    double lambda; /* intensity, jumps per year, >= 0 */
    double mean;   /* mu_J, mean of the log jump size ln Y */
    double std;    /* delta, standard deviation of ln Y, >= 0 */
} hs_merton_jumps;

typedef struct hs_merton_value {
    double value; /* price, money */
    double delta; /* dV/dS */
    size_t terms; /* series terms summed (n = 0 .. terms - 1) */
    double tail;  /* bound on the Poisson mass of the terms left out (< HS_MERTON_TAIL) */
} hs_merton_value;

/* k = E[Y] - 1 = exp(mu_J + delta^2/2) - 1, the mean relative jump size. */
double hs_merton_kappa(const hs_merton_jumps *jumps);

/* Price and delta of a European call or put: spot > 0, strike > 0, tau >= 0 (years),
 * rate and div finite (continuously compounded per year), sigma >= 0 per sqrt(year),
 * jumps->lambda >= 0, jumps->std >= 0, |mu_J + delta^2/2| <= 700 (so k stays finite),
 * lambda' tau and lambda tau <= HS_MERTON_MAX_JUMPS.  Anything else: HS_EINPUT with a
 * message naming the argument; out is left untouched. */
hs_status hs_merton_eval(hs_bs_kind kind, double spot, double strike, double tau, double rate,
                         double div, double sigma, const hs_merton_jumps *jumps,
                         hs_merton_value *out, hs_error *err);

#endif
