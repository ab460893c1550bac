/*
 * European call and put instruments and the instrument registry.
 *
 *   payoff: call max(S - K, 0), put max(K - S, 0)
 *   delta:  call e^{-q tau} N(d1), put e^{-q tau} (N(d1) - 1),
 *           N(x) = erfc(-x / sqrt 2) / 2,  d1 = (ln S + shift) / (sigma sqrt tau)
 *
 * (Hull, "Options, Futures and Other Derivatives", 10th ed., eqs. 15.20-15.21 and
 * section 19.1.)  Value and Greeks come from bs.c; the block delta is the hot-path form.
 */
#include <math.h>
#include <string.h>

#include "hedgesim/instrument.h"
#include "simd.h"

void hs_delta_args_init(hs_delta_args *a, double strike, double tau, double rate, double div,
                        double sigma, double weight)
{
    double sd = sigma * sqrt(tau);
    a->sd = sd;
    a->inv_sd = 1.0 / sd;
    a->shift = -log(strike) + (rate - div + 0.5 * sigma * sigma) * tau;
    a->disc_q = exp(-div * tau);
    a->disc_r = exp(-rate * tau);
    a->strike = strike;
    a->weight = weight;
}

/* acc[i] += scale * (N(d1_i) - minus): the shared kernel of calls (minus 0) and puts
 * (minus 1). */
HS_KERNEL
static void delta_kernel(const double *restrict logspot, double *restrict acc, double inv_sd,
                         double shift, double scale, double minus, size_t n)
{
    const double m = -inv_sd * 0.70710678118654752440; /* -1/(sigma sqrt(tau) sqrt 2) */
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        acc[i] += scale * (0.5 * erfc(m * (logspot[i] + shift)) - minus);
}

static void call_delta_lanes(const hs_delta_args *a, const double *logspot, const double *spot,
                             double *acc, size_t n)
{
    (void)spot;
    delta_kernel(logspot, acc, a->inv_sd, a->shift, a->weight * a->disc_q, 0.0, HS_PADDED(n));
}

static void put_delta_lanes(const hs_delta_args *a, const double *logspot, const double *spot,
                            double *acc, size_t n)
{
    (void)spot;
    delta_kernel(logspot, acc, a->inv_sd, a->shift, a->weight * a->disc_q, 1.0, HS_PADDED(n));
}

static double call_payoff(double spot, double strike)
{
    return spot > strike ? spot - strike : 0.0;
}

static double put_payoff(double spot, double strike)
{
    return strike > spot ? strike - spot : 0.0;
}

static hs_bs_greeks call_greeks(double spot, double strike, double tau, double rate, double div,
                                double sigma)
{
    return hs_bs_greeks_eval(HS_BS_CALL, spot, strike, tau, rate, div, sigma);
}

static hs_bs_greeks put_greeks(double spot, double strike, double tau, double rate, double div,
                               double sigma)
{
    return hs_bs_greeks_eval(HS_BS_PUT, spot, strike, tau, rate, div, sigma);
}

const hs_instrument_type hs_instrument_call = {
    .name = "call",
    .help = "European call, pays max(S - K, 0) at maturity",
    .payoff = call_payoff,
    .greeks = call_greeks,
    .delta_lanes = call_delta_lanes,
};

const hs_instrument_type hs_instrument_put = {
    .name = "put",
    .help = "European put, pays max(K - S, 0) at maturity",
    .payoff = put_payoff,
    .greeks = put_greeks,
    .delta_lanes = put_delta_lanes,
};

static const hs_instrument_type *const registry[] = {
    &hs_instrument_call,
    &hs_instrument_put,
    NULL,
};

const hs_instrument_type *const *hs_instrument_types(void)
{
    return registry;
}

const hs_instrument_type *hs_instrument_type_find(const char *name)
{
    for (size_t i = 0; registry[i]; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}
