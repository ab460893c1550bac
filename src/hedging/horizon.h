/*
 * Private: the engine's horizon marks and P&L explain (horizon.c, risk.h).  The engine
 * calls hs_hz_mark at the top of grid step k (before legs expiring at t_k settle and
 * before the step's trades), hs_hz_post_trade after every strategy traded at k, and
 * hs_hz_final after the maturity unwind when a horizon (or the drawdown) reaches it.
 */
#ifndef HEDGESIM_HORIZON_H
#define HEDGESIM_HORIZON_H

#include "hedgesim/engine.h"
#include "hedgesim/model.h"
#include "hedgesim/scenario.h"

typedef struct hs_hz hs_hz;
typedef struct hs_hz_ws hs_hz_ws;

/* What the horizon marks read of a strategy's book (engine.c's lane arrays). */
typedef struct hs_hz_book {
    const double *held, *cash, *cost, *held2;
} hs_hz_book;

/* NULL in *out (and HS_OK) when the scenario has no [risk].  hedge_legs[s]: strategy s's
 * hedge option (delta_gamma), else NULL; growth[k] = e^{r (T - t_k)}. */
hs_status hs_hz_new(const hs_scenario *sc, const hs_model *m, const hs_leg *const *hedge_legs,
                    const double *growth, hs_hz **out, hs_error *err);
void hs_hz_free(hs_hz *hz);
/* The last grid step the marks need (the last horizon, or the maturity with drawdown). */
size_t hs_hz_last_step(const hs_hz *hz);

hs_hz_ws *hs_hz_ws_alloc(const hs_hz *hz);
void hs_hz_ws_free(hs_hz_ws *w);
size_t hs_hz_ws_bytes(const hs_scenario *sc);

/* off: the results' index of lane 0 of the block (path - res->first_path). */
void hs_hz_mark(const hs_hz *hz, hs_hz_ws *w, size_t k, const hs_block *b, const hs_hz_book *books,
                hs_results *res, size_t off);
void hs_hz_post_trade(const hs_hz *hz, hs_hz_ws *w, size_t k, const hs_block *b,
                      const hs_hz_book *books);
/* After the unwind at maturity: a horizon at the maturity takes the P&L the engine wrote
 * (res->pnl), the costs term the unwind, the residual closes the sum; the drawdown takes
 * its last value. */
void hs_hz_final(const hs_hz *hz, hs_hz_ws *w, const hs_block *b, const hs_hz_book *books,
                 hs_results *res, size_t off);

#endif
