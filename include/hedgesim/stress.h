/*
 * Stress overlays: deterministic shocks laid over the paths of any model
 * (`[stress.NAME]` sections of a scenario).
 *
 *   crash  the price jumps by `size` (relative, -0.2 = -20%) at the grid time nearest
 *          `time`, after the model's step to it and before any rebalance there;
 *   gap    the same at grid step `step`: the hedger last traded at step - 1 or before
 *          and meets the new price only at step;
 *   vol    the model's log-returns of the steps starting in [from, to) are scaled by
 *          `factor` about their risk-neutral mean (see stress.c).
 *
 * Overlays are a type table each (name, parameters, resolve, apply), as every pluggable
 * piece is (docs/architecture.md); the engine applies them to every lane after
 * each model step, so every model and strategy sees them unchanged.
 */
#ifndef HEDGESIM_STRESS_H
#define HEDGESIM_STRESS_H

#include <stddef.h>

#include "hedgesim/error.h"
#include "hedgesim/model.h"
#include "hedgesim/param.h"

#define HS_MAX_STRESS 16

typedef struct hs_stress_type hs_stress_type;

/* One overlay as the scenario gave it, then resolved against the grid. */
typedef struct hs_stress {
    char name[96]; /* the NAME of [stress.NAME] */
    const hs_stress_type *type;
    double par[HS_MAX_PARAMS];
    char at[HS_MAX_PARAMS][HS_TEXT_LEN]; /* where each parameter was given (messages) */
    /* Resolved by type->resolve: the overlay acts on steps k with
     * k_from <= k < k_to (the step from t_k to t_{k+1}). */
    size_t k_from, k_to;
    double jump;        /* crash, gap: log(1 + size) */
    double factor;      /* vol: return multiplier; crash, gap: price multiplier 1 + size */
    double mean_shift;  /* vol: (1 - f) mu dt - (f^2 - f) sigma^2 dt / 2 */
} hs_stress;

struct hs_stress_type {
    const char *name;
    const char *help;
    const hs_param *params;
    size_t n_params;
    /* Check the parameters against the grid and fill the resolved fields. sigma is the
     * model's volatility (for vol), drift the risk-neutral drift rate - dividend. */
    hs_status (*resolve)(hs_stress *s, const hs_grid *grid, double sigma, double drift,
                         hs_error *err);
};

const hs_stress_type *const *hs_stress_types(void);
const hs_stress_type *hs_stress_type_find(const char *name);

/* Apply every overlay acting on step k to the block, just after the model's step from
 * t_k to t_{k+1}; old_logspot holds the lanes' log prices at t_k (needed by vol). */
void hs_stress_apply(const hs_stress *s, size_t n, size_t k, hs_block *b,
                     const double *old_logspot);

/* Does any overlay act on step k and need the log prices at t_k? */
int hs_stress_needs_old(const hs_stress *s, size_t n, size_t k);

/* One line describing an overlay, e.g. "crash 'lehman': -20% at t = 0.0417 (step 42)". */
const char *hs_stress_describe(const hs_stress *s, const hs_grid *grid, char *buf, size_t len);

extern const hs_stress_type hs_stress_crash;
extern const hs_stress_type hs_stress_gap;
extern const hs_stress_type hs_stress_vol;

#endif
