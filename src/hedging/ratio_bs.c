/*
 * Hedge ratio `bs`: the Black-Scholes delta of the book at the strategy's hedge vol
 * (default: each leg's traded vol; `vol = model` the model's own), held with the
 * opposite sign so the hedged book is delta-neutral:
 *
 *   target shares = - sum_legs quantity_i * Delta_i(S, tau_i, sigma_hedge)
 *
 * Black & Scholes (1973); Hull, "Options, Futures and Other Derivatives", section 19.1.
 * Legs that expired at or before the step no longer count.  hs_book_hedge_lanes is
 * shared by the ratios that differ from this one only in the vol they use.
 */
#include <math.h>
#include <string.h>

#include "hedgesim/instrument.h"
#include "hedgesim/strategy.h"

void hs_book_hedge_lanes(const hs_ratio_ctx *c, size_t k, const hs_block *b, double vol,
                         double *delta, double *gamma)
{
    memset(delta, 0, HS_BLOCK * sizeof *delta);
    if (gamma)
        memset(gamma, 0, HS_BLOCK * sizeof *gamma);
    double t = (double)k * c->grid->dt;
    for (size_t j = 0; j < c->n_legs; j++) {
        const hs_leg *leg = &c->legs[j];
        if (leg->expiry_step <= k)
            continue;
        double tau = leg->maturity - t;
        double v = isnan(vol) ? leg->vol : vol;
        hs_delta_args a;
        hs_delta_args_init(&a, leg->strike, tau, c->market->rate, c->market->dividend, v,
                           -leg->quantity);
        leg->type->delta_lanes(&a, b->logspot, b->spot, delta, b->n);
        if (gamma)
            leg->type->gamma_lanes(&a, b->logspot, b->spot, gamma, b->n);
    }
}

static void target(const hs_ratio_ctx *c, size_t k, const hs_block *b, const double *state,
                   double *delta, double *gamma, double *units)
{
    (void)units;
    (void)state;
    hs_book_hedge_lanes(c, k, b, c->vol, delta, gamma);
}

const hs_ratio_type hs_ratio_bs = {
    .name = "bs",
    .help = "Black-Scholes delta of the book at the hedge vol (traded, model or a number)",
    .params = NULL,
    .n_params = 0,
    .target = target,
};
