/*
 * Instruments: the European options a book is made of (docs/architecture.md).
 *
 * Each instrument is a const type table with its payoff, its Black-Scholes value and
 * Greeks, and block forms of its delta (the engine's hot path) and gamma (band rules):
 *
 *   call: delta = e^{-q tau} N(d1)        put: delta = e^{-q tau} (N(d1) - 1)
 *   d1 = [ln S - ln K + (r - q + sigma^2/2) tau] / (sigma sqrt tau)
 *
 * (Hull, "Options, Futures and Other Derivatives", 10th ed., section 19.)  The block
 * form takes ln S of every lane, shared by all legs and strategies of a step, so a
 * delta costs one affine map and one N(.) per lane.
 */
#ifndef HEDGESIM_INSTRUMENT_H
#define HEDGESIM_INSTRUMENT_H

#include <stddef.h>

#include "hedgesim/bs.h"

/* Constants of one leg at one time and one volatility, for the block delta. */
typedef struct hs_delta_args {
    double inv_sd;  /* 1 / (sigma sqrt tau) */
    double shift;   /* -ln K + (r - q + sigma^2/2) tau */
    double disc_q;  /* e^{-q tau} */
    double disc_r;  /* e^{-r tau} */
    double strike;  /* K */
    double sd;      /* sigma sqrt tau */
    double weight;  /* the amount each lane's delta is multiplied by before adding */
} hs_delta_args;

typedef struct hs_instrument_type {
    const char *name;
    const char *help;
    /* Payoff at expiry per unit. */
    double (*payoff)(double spot, double strike);
    /* out[i] = quantity * payoff(spot[i], strike) * growth for i < n (the same bits as
     * the scalar payoff in that product). */
    void (*payoff_lanes)(const double *spot, double strike, double quantity, double growth,
                         double *out, size_t n);
    /* Black-Scholes value and Greeks per unit. */
    hs_bs_greeks (*greeks)(double spot, double strike, double tau, double rate, double div,
                           double sigma);
    /* acc[i] += a->weight * delta(lane i) for i < n (sigma sqrt tau > 0). */
    void (*delta_lanes)(const hs_delta_args *a, const double *logspot, const double *spot,
                        double *acc, size_t n);
    /* acc[i] += a->weight * gamma(lane i) for i < n (sigma sqrt tau > 0). */
    void (*gamma_lanes)(const hs_delta_args *a, const double *logspot, const double *spot,
                        double *acc, size_t n);
} hs_instrument_type;

/* Fill the block-delta constants for a leg with tau > 0 and sigma > 0. */
void hs_delta_args_init(hs_delta_args *a, double strike, double tau, double rate, double div,
                        double sigma, double weight);

const hs_instrument_type *const *hs_instrument_types(void);
const hs_instrument_type *hs_instrument_type_find(const char *name);

extern const hs_instrument_type hs_instrument_call;
extern const hs_instrument_type hs_instrument_put;
extern const hs_instrument_type hs_instrument_digital_call;
extern const hs_instrument_type hs_instrument_digital_put;

/* Cash-or-nothing digital (pays 1 when in the money at expiry), Black-Scholes value and
 * Greeks (Hull, section 26.11): call e^{-r tau} N(d2), put e^{-r tau} N(-d2). */
hs_bs_greeks hs_digital_greeks(hs_bs_kind kind, double spot, double strike, double tau,
                               double rate, double div, double sigma);

#endif
