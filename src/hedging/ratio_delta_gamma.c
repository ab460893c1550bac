/*
 * Hedge ratio `delta_gamma`: neutralise the book's gamma with a listed option, then its
 * delta with the underlying (Hull, "Options, Futures and Other Derivatives", 10th ed.,
 * section 19.7):
 *
 *   units of the hedge option   w = -Gamma_book / Gamma_h
 *   shares                      x = -(Delta_book + w Delta_h)
 *
 * with every Greek Black-Scholes at the strategy's hedge vol (book) and the option's own
 * traded vol (hedge option).  Where the hedge option has almost no gamma
 * (|Gamma_h| < 1e-12, e.g. deep out of the money near its expiry) w = 0 rather than a
 * huge position.  The hedge option is traded at its Black-Scholes value at its traded
 * vol; it settles at its expiry if that is inside the horizon, else it is sold back at
 * that value at the horizon.  Its trades pay the strategy's proportional cost on their
 * premium.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hedgesim/instrument.h"
#include "hedgesim/strategy.h"

enum { P_TYPE, P_STRIKE, P_MATURITY, P_VOL };

static const hs_param params[] = {
    {"hedge_type", HS_PARAM_NAME, 0, 0, 0, "name", "the listed hedge option: call or put",
     "call|put", 0},
    {"hedge_strike", HS_PARAM_REAL, 0, 1e12, 0, "money", "strike of the hedge option", NULL,
     HS_PARAM_REQUIRED | HS_PARAM_MIN_OPEN | HS_PARAM_SWEEP},
    {"hedge_maturity", HS_PARAM_REAL, 0, 100, 0, "years", "maturity of the hedge option", NULL,
     HS_PARAM_REQUIRED | HS_PARAM_MIN_OPEN | HS_PARAM_SWEEP},
    {"hedge_vol", HS_PARAM_REAL, 0, 5, 0, "per sqrt(year)",
     "vol the hedge option trades at (default: the hedge vol, else the first leg's vol)", NULL,
     HS_PARAM_DERIVED | HS_PARAM_MIN_OPEN | HS_PARAM_SWEEP},
};

static hs_status prepare(hs_ratio_ctx *c, const hs_origin *origins, const char *context,
                         hs_error *err)
{
    (void)origins;
    hs_leg *h = &c->hedge_leg;
    memset(h, 0, sizeof *h);
    snprintf(h->name, sizeof h->name, "hedge option");
    h->type = c->par[P_TYPE] == 1.0 ? &hs_instrument_put : &hs_instrument_call;
    h->strike = c->par[P_STRIKE];
    h->maturity = c->par[P_MATURITY];
    h->quantity = 1.0;
    h->vol = !isnan(c->par[P_VOL]) ? c->par[P_VOL] : !isnan(c->vol) ? c->vol : c->legs[0].vol;
    double steps = h->maturity / c->grid->dt;
    double k = floor(steps + 0.5);
    if (h->maturity <= c->grid->horizon + 1e-12 && fabs(steps - k) > 1e-6)
        return hs_error_set(err, HS_EINPUT, "%s: hedge_maturity = %g is not on the grid of step "
                            "%g years (expected a multiple of the step, or a maturity beyond the "
                            "horizon %g)", context, h->maturity, c->grid->dt, c->grid->horizon);
    h->expiry_step = h->maturity <= c->grid->horizon + 1e-12 ? (size_t)k : (size_t)-1;
    if (h->expiry_step == 0)
        return hs_error_set(err, HS_EINPUT, "%s: hedge_maturity = %g expires at t0 (expected a "
                            "later maturity)", context, h->maturity);
    c->has_hedge_leg = 1;
    return HS_OK;
}

static void target(const hs_ratio_ctx *c, size_t k, const hs_block *b, const double *state,
                   double *delta, double *gamma, double *units)
{
    (void)state;
    double book_gamma[HS_BLOCK];
    hs_book_hedge_lanes(c, k, b, c->vol, delta, book_gamma);
    const hs_leg *h = &c->hedge_leg;
    double tau = h->maturity - (double)k * c->grid->dt;
    for (size_t i = 0; i < b->n; i++) {
        double w = 0.0;
        hs_bs_greeks g = {0, 0, 0, 0, 0};
        if (k < h->expiry_step) {
            g = h->type->greeks(b->spot[i], h->strike, tau, c->market->rate, c->market->dividend,
                                h->vol);
            /* book_gamma is already the negated book gamma (the hedge's sign). */
            if (fabs(g.gamma) > 1e-12)
                w = book_gamma[i] / g.gamma;
        }
        delta[i] -= w * g.delta;
        if (units)
            units[i] = w;
        if (gamma)
            gamma[i] = book_gamma[i] - w * g.gamma;
    }
}

const hs_ratio_type hs_ratio_delta_gamma = {
    .name = "delta_gamma",
    .help = "gamma-neutral with a listed option, then delta-neutral with the underlying",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .prepare = prepare,
    .target = target,
};
