/*
 * Hedge ratio `leland`: the Black-Scholes delta at Leland's (1985) modified volatility,
 * which prices in proportional transaction costs for a hedge rebalanced every dt:
 *
 *   sigma_L^2 = sigma^2 (1 - sign(Gamma) sqrt(8/pi) lambda / (sigma sqrt(dt)))
 *
 * with lambda the one-way proportional cost (Leland's round-trip k = 2 lambda, so
 * sqrt(2/pi) k = sqrt(8/pi) lambda) and Gamma the book's gamma at t0: a book short
 * gamma (a sold option) is hedged, and should be priced, at the higher vol.
 * H.E. Leland (1985), "Option pricing and replication with transactions costs",
 * Journal of Finance 40(5), 1283-1301, eq. (11); P. Wilmott, "Paul Wilmott on
 * Quantitative Finance", 2nd ed., section 48.4.  Each leg's base sigma is the strategy's
 * hedge vol, else the leg's traded vol.  The rule must have a fixed interval.
 */
#include <math.h>
#include <stdio.h>

#include "hedgesim/instrument.h"
#include "hedgesim/strategy.h"

#define SQRT_8_OVER_PI 1.5957691216057307117 /* sqrt(8 / pi) */

enum { C_FACTOR_NUM }; /* consts[0] = sign of the book's gamma at t0 */

double hs_leland_vol(double sigma, double cost, double interval, double gamma_sign)
{
    double v = sigma * sigma - gamma_sign * SQRT_8_OVER_PI * cost * sigma / sqrt(interval);
    return v > 0.0 ? sqrt(v) : NAN;
}

static hs_status prepare(hs_ratio_ctx *c, const hs_origin *origins, const char *context,
                         hs_error *err)
{
    (void)origins;
    if (!(c->interval > 0.0))
        return hs_error_set(err, HS_EINPUT, "%s: ratio = leland needs a rebalancing rule with a "
                            "fixed interval (expected rebalance = interval)", context);
    /* Sign of the book's gamma at t0 at the traded vols. */
    double gamma = 0.0;
    for (size_t j = 0; j < c->n_legs; j++) {
        const hs_leg *l = &c->legs[j];
        gamma += l->quantity * l->type->greeks(c->market->spot, l->strike, l->maturity,
                                               c->market->rate, c->market->dividend, l->vol)
                                   .gamma;
    }
    double sign = gamma < 0.0 ? -1.0 : 1.0;
    c->consts[C_FACTOR_NUM] = sign;
    for (size_t j = 0; j < c->n_legs; j++) {
        double sigma = isnan(c->vol) ? c->legs[j].vol : c->vol;
        if (isnan(hs_leland_vol(sigma, c->cost, c->interval, sign)))
            return hs_error_set(err, HS_EINPUT, "%s: ratio = leland: the modified variance is "
                                "not positive for a long-gamma book at cost = %g, sigma = %g and "
                                "a rebalancing interval of %g years (expected a smaller cost or "
                                "a longer interval)", context, c->cost, sigma, c->interval);
    }
    return HS_OK;
}

static void target(const hs_ratio_ctx *c, size_t k, const hs_block *b, const double *state,
                   double *delta, double *gamma, double *units)
{
    (void)units;
    (void)state;
    if (!isnan(c->vol)) {
        hs_book_hedge_lanes(c, k, b, hs_leland_vol(c->vol, c->cost, c->interval, c->consts[0]),
                            delta, gamma);
        return;
    }
    /* Legs with their own base vols: one leg at a time, summed. */
    double d[HS_BLOCK], g[HS_BLOCK];
    for (size_t i = 0; i < HS_BLOCK; i++)
        delta[i] = 0.0;
    if (gamma)
        for (size_t i = 0; i < HS_BLOCK; i++)
            gamma[i] = 0.0;
    for (size_t j = 0; j < c->n_legs; j++) {
        hs_ratio_ctx one = *c;
        one.legs = &c->legs[j];
        one.n_legs = 1;
        hs_book_hedge_lanes(&one, k, b,
                            hs_leland_vol(c->legs[j].vol, c->cost, c->interval, c->consts[0]), d,
                            gamma ? g : NULL);
        for (size_t i = 0; i < b->n; i++)
            delta[i] += d[i];
        if (gamma)
            for (size_t i = 0; i < b->n; i++)
                gamma[i] += g[i];
    }
}

const hs_ratio_type hs_ratio_leland = {
    .name = "leland",
    .help = "Black-Scholes delta at Leland's cost-adjusted volatility",
    .params = NULL,
    .n_params = 0,
    .prepare = prepare,
    .target = target,
};
