/*
 * Hedge ratio `bs`: the Black-Scholes delta of the book at the strategy's hedge vol
 * (default: each leg's traded vol), held with the opposite sign so the hedged book is
 * delta-neutral:
 *
 *   target shares = - sum_legs quantity_i * Delta_i(S, tau_i, sigma_hedge)
 *
 * Black & Scholes (1973); Hull, "Options, Futures and Other Derivatives", section 19.1.
 * Legs that expired at or before the step no longer count.
 */
#include <math.h>
#include <string.h>

#include "hedgesim/instrument.h"
#include "hedgesim/strategy.h"

static void target(const hs_ratio_ctx *c, size_t k, const hs_block *b, double *out)
{
    memset(out, 0, HS_BLOCK * sizeof *out);
    double t = (double)k * c->grid->dt;
    for (size_t j = 0; j < c->n_legs; j++) {
        const hs_leg *leg = &c->legs[j];
        if (leg->expiry_step <= k)
            continue;
        double tau = leg->maturity - t;
        double vol = isnan(c->vol) ? leg->vol : c->vol;
        hs_delta_args a;
        hs_delta_args_init(&a, leg->strike, tau, c->market->rate, c->market->dividend, vol,
                           -leg->quantity);
        leg->type->delta_lanes(&a, b->logspot, b->spot, out, b->n);
    }
}

const hs_ratio_type hs_ratio_bs = {
    .name = "bs",
    .help = "Black-Scholes delta of the book at the hedge vol",
    .params = NULL,
    .n_params = 0,
    .target = target,
};
