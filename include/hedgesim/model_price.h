/*
 * Model prices of the book's legs at each lane's state: what a leg alive at grid step k
 * is worth under the path model itself, given the lane's spot and the model's own state
 * (the Heston variance, the regime, the GARCH conditional variance), per unit of the leg.
 *
 *   gbm      Black-Scholes at the model's sigma (bs.h);
 *   merton   Merton's (1976) series (merton.h);
 *   heston   the semi-closed form at the lane's variance (heston.h);
 *   regime   the price given the lane's current state (src/pricing/model_price.c says how);
 *   garch    at the lane's conditional variance (src/pricing/model_price.c states the
 *            method and its accuracy);
 *   bootstrap, replay: no model price; hs_model_pricer_new refuses with HS_EINPUT.
 *
 * Used by horizon risk (`[risk] mark = model`, issue 13) and by the book's model value in
 * the table and JSON (`option.model_value`, issue 14).  Values are the same bits whatever
 * the thread or rank that asks (tables, where used, are built once per date from data that
 * does not depend on the lanes).
 */
#ifndef HEDGESIM_MODEL_PRICE_H
#define HEDGESIM_MODEL_PRICE_H

#include <stddef.h>

#include "hedgesim/error.h"
#include "hedgesim/model.h"
#include "hedgesim/strategy.h"

typedef struct hs_model_pricer hs_model_pricer;

/* Does the model have a price in the library?  (1: gbm, merton, heston, regime, garch.) */
int hs_model_has_price(const hs_model_type *type);

/* Set up the pricing of legs[0 .. n_legs) under the prepared model m (market and grid are
 * m's).  Refuses with HS_EINPUT and a message naming the model when it has no price, or
 * a leg type the model cannot price.  The pricer keeps pointers to m and legs: both must
 * outlive it.  Thread-safe after creation (hs_model_pricer_value may run on many threads
 * at once). */
hs_status hs_model_pricer_new(const hs_model *m, const hs_leg *legs, size_t n_legs,
                              hs_model_pricer **out, hs_error *err);

/* out[i] = value per unit of leg j at grid step k (time k * dt) for lanes i < n, given
 * spot[i] and the model's per-lane state in the block layout (state[s * HS_BLOCK + i]);
 * n <= HS_BLOCK.  A leg that has expired at or before step k is worth its payoff at
 * spot[i] (k == expiry_step) or 0 after (callers do not ask).  Never NaN for lanes in
 * the model's domain. */
void hs_model_pricer_value(const hs_model_pricer *p, size_t j, size_t k, const double *spot,
                           const double *state, size_t n, double *out);

/* The value per unit of leg j at t0, every lane at the model's initial state (the
 * book's model value: option.model_value).  For regime, the initial state's law
 * (start = mixed) is averaged over. */
double hs_model_pricer_value0(const hs_model_pricer *p, size_t j);

/* The book's value under the model at t0: sum over legs of quantity x value0 (signed as
 * held), for option.model_value and book.model_value.  HS_EINPUT when the model has no
 * price or cannot price a leg (the message says why); *value is NaN then. */
hs_status hs_model_book_value(const hs_model *m, const hs_leg *legs, size_t n_legs, double *value,
                              hs_error *err);

/* Lanes priced by the formula because they lay outside a date's table (merton, regime),
 * counted since creation; 0 for the other models. */
unsigned long long hs_model_pricer_fallbacks(const hs_model_pricer *p);

/* hs_model_pricer_free(NULL) is a no-op. */
void hs_model_pricer_free(hs_model_pricer *p);

#endif
