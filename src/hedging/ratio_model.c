/*
 * Hedge ratio `model`: the delta of the book under the path model itself, where the
 * library has the model's price, instead of Black-Scholes at some vol:
 *
 *   gbm     Black-Scholes delta at the model's sigma (the same as bs with vol = model);
 *   merton  the Merton (1976) series delta (merton.h): the sum over the number of jumps
 *           of Poisson-weighted Black-Scholes deltas; cost per lane and leg per
 *           rebalance: about lambda' tau + 10 Black-Scholes deltas;
 *   heston  the semi-closed-form Heston delta at the lane's current variance
 *           (heston.h): a numerical Fourier integral per lane and leg per rebalance,
 *           about 80 microseconds (0.2 ms when Feller fails, 1.7 ms at xi = 2),
 *           so keep paths x hedges modest (20 000 paths x 21 hedges: about 30 s).
 *
 * For any other model prepare refuses with a message (no closed-form price exists in
 * the library for it).  The delta is minimised-variance only in the complete-market
 * sense; under jumps and stochastic vol it is the model's price sensitivity, the
 * hedge a practitioner using the model would put on (Hull, section 27.1; Heston 1993).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hedgesim/instrument.h"
#include "hedgesim/heston.h"
#include "hedgesim/merton.h"
#include "hedgesim/strategy.h"

enum { KIND_GBM, KIND_MERTON, KIND_HESTON };

static int model_kind(const hs_model_type *t)
{
    if (!strcmp(t->name, "gbm"))
        return KIND_GBM;
    if (!strcmp(t->name, "merton"))
        return KIND_MERTON;
    if (!strcmp(t->name, "heston"))
        return KIND_HESTON;
    return -1;
}

static hs_status prepare(hs_ratio_ctx *c, const hs_origin *origins, const char *context,
                         hs_error *err)
{
    (void)origins;
    if (!c->model)
        return HS_OK; /* checked again by the engine, which has the model */
    int kind = model_kind(c->model->type);
    if (kind < 0)
        return hs_error_set(err, HS_EINPUT, "%s: ratio = model: model '%s' has no price in the "
                            "library (expected a model among gbm, merton, heston, or ratio = bs)",
                            context, c->model->type->name);
    for (size_t j = 0; j < c->n_legs; j++) {
        const hs_instrument_type *t = c->legs[j].type;
        if (t != &hs_instrument_call && t != &hs_instrument_put)
            return hs_error_set(err, HS_EINPUT, "%s: ratio = model: leg [%s] is a %s (expected "
                                "calls and puts: the model prices only those)", context,
                                c->legs[j].name, t->name);
    }
    c->consts[0] = kind;
    return HS_OK;
}

static void target(const hs_ratio_ctx *c, size_t k, const hs_block *b, const double *state,
                   double *delta, double *gamma, double *units)
{
    (void)state, (void)units;
    int kind = (int)c->consts[0];
    const hs_model *m = c->model;
    if (kind == KIND_GBM) {
        hs_book_hedge_lanes(c, k, b, m->type->sigma(m), delta, gamma);
        return;
    }
    for (size_t i = 0; i < HS_BLOCK; i++)
        delta[i] = 0.0;
    if (gamma)
        for (size_t i = 0; i < HS_BLOCK; i++)
            gamma[i] = 0.0; /* band rules get no model gamma: they see a flat book */
    double t = (double)k * c->grid->dt;
    for (size_t j = 0; j < c->n_legs; j++) {
        const hs_leg *leg = &c->legs[j];
        if (leg->expiry_step <= k)
            continue;
        double tau = leg->maturity - t;
        hs_bs_kind bk = leg->type == &hs_instrument_put ? HS_BS_PUT : HS_BS_CALL;
        for (size_t i = 0; i < b->n; i++) {
            double d = NAN;
            if (kind == KIND_MERTON) {
                hs_merton_jumps jumps = {hs_model_param(m, "lambda"), hs_model_param(m, "jump_mean"),
                                         hs_model_param(m, "jump_std")};
                hs_merton_value v;
                hs_error e;
                if (hs_merton_eval(bk, b->spot[i], leg->strike, tau, c->market->rate,
                                   c->market->dividend, hs_model_param(m, "sigma"), &jumps, &v,
                                   &e) == HS_OK)
                    d = v.delta;
            }
            else if (kind == KIND_HESTON) {
                d = hs_heston_lane_delta(m, bk, b->spot[i], b->state[i], leg->strike, tau);
            }
            /* A failed evaluation keeps the Black-Scholes delta at the leg's vol. */
            if (!isfinite(d))
                d = leg->type->greeks(b->spot[i], leg->strike, tau, c->market->rate,
                                      c->market->dividend, leg->vol)
                        .delta;
            delta[i] -= leg->quantity * d;
        }
    }
}

const hs_ratio_type hs_ratio_model = {
    .name = "model",
    .help = "the path model's own delta (gbm, merton series, heston semi-closed form)",
    .params = NULL,
    .n_params = 0,
    .prepare = prepare,
    .target = target,
};
