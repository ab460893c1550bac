/*
 * The law of a regime path's remaining occupation, as a mixture (regime_mix.c): private
 * to src/pricing/ (model_price.c).
 *
 * For n remaining steps started in state s, the atoms (average variance, average jump
 * intensity, probability) of the occupation counts of the states over those n steps
 * (src/pricing/regime_mix.c has the programme and its limits).
 */
#ifndef HS_PRICING_REGIME_MIX_H
#define HS_PRICING_REGIME_MIX_H

#include <stddef.h>

#include "hedgesim/error.h"
#include "hedgesim/model.h"

/* Most atoms held over every (n, s) together (3 doubles each: 48 MiB). */
#define HS_REGIME_MIX_MAX_ATOMS (2u << 20)

typedef struct hs_regime_atom {
    double var;    /* average variance per year over the remaining steps */
    double lambda; /* average jump intensity per year */
    double weight; /* probability */
} hs_regime_atom;

typedef struct hs_regime_mix {
    size_t states, max_n;
    int jumps;                  /* some state has lambda > 0 */
    double jump_mean, jump_std; /* the shared jump-size law */
    double start[8];            /* the starting law of the model (start, or stationary) */
    size_t *first;              /* [(max_n + 1) * states + 1]: atoms of (n, s) */
    hs_regime_atom *atoms;
} hs_regime_mix;

/* The mixtures of n = 0 .. max_n remaining steps for every state of the prepared regime
 * model m.  HS_EINPUT (naming the number of states and steps) when the atoms would exceed
 * HS_REGIME_MIX_MAX_ATOMS; HS_ERUNTIME when memory runs out. */
hs_status hs_regime_mix_build(hs_regime_mix *mx, const hs_model *m, size_t max_n, hs_error *err);
void hs_regime_mix_free(hs_regime_mix *mx);

#endif
