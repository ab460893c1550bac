/*
 * Model prices of the book's legs at each lane's state (model_price.h).
 *
 *   gbm: V = Black-Scholes value of the leg's instrument at the model's sigma
 *        (instrument.h greeks: calls, puts and digitals; Hull, 10th ed., section 19).
 *
 * First version: gbm only.  The other models with a price (merton, heston, regime,
 * garch) are added here behind the same interface.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/instrument.h"
#include "hedgesim/model_price.h"

struct hs_model_pricer {
    const hs_model *m;
    const hs_leg *legs;
    size_t n_legs;
    double sigma;
};

int hs_model_has_price(const hs_model_type *type)
{
    return type && !strcmp(type->name, "gbm");
}

hs_status hs_model_pricer_new(const hs_model *m, const hs_leg *legs, size_t n_legs,
                              hs_model_pricer **out, hs_error *err)
{
    *out = NULL;
    if (!hs_model_has_price(m->type))
        return hs_error_set(err, HS_EINPUT,
                            "model '%s' has no price in the library (expected gbm, or mark = "
                            "implied)",
                            m->type->name);
    hs_model_pricer *p = calloc(1, sizeof *p);
    if (!p)
        return hs_error_set(err, HS_ERUNTIME, "out of memory for the model pricer");
    p->m = m;
    p->legs = legs;
    p->n_legs = n_legs;
    p->sigma = m->type->sigma(m);
    *out = p;
    return HS_OK;
}

void hs_model_pricer_value(const hs_model_pricer *p, size_t j, size_t k, const double *spot,
                           const double *state, size_t n, double *out)
{
    (void)state;
    const hs_leg *leg = &p->legs[j];
    const hs_market *mk = &p->m->market;
    double tau = leg->maturity - (double)k * p->m->grid.dt;
    for (size_t i = 0; i < n; i++) {
        if (k >= leg->expiry_step || tau <= 0.0)
            out[i] = k == leg->expiry_step ? leg->type->payoff(spot[i], leg->strike) : 0.0;
        else
            out[i] = leg->type->greeks(spot[i], leg->strike, tau, mk->rate, mk->dividend,
                                       p->sigma)
                         .value;
    }
}

double hs_model_pricer_value0(const hs_model_pricer *p, size_t j)
{
    double s0 = p->m->market.spot, v;
    double state[HS_MODEL_STATE * HS_BLOCK] = {0};
    hs_model_pricer_value(p, j, 0, &s0, state, 1, &v);
    return v;
}

void hs_model_pricer_free(hs_model_pricer *p)
{
    free(p);
}
