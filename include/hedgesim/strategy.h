/*
 * Strategies: how a book is hedged (DESIGN.md sections 1 and 3).
 *
 * A strategy is a hedge ratio (what position to target), a rebalancing rule (when to
 * move to it) and costs (what moving costs).  Ratios and rules are const type tables in
 * registries, looked up by the names written in the scenario (`ratio = bs`,
 * `rebalance = interval`).  All strategies of a run hedge the same paths.
 */
#ifndef HEDGESIM_STRATEGY_H
#define HEDGESIM_STRATEGY_H

#include <stddef.h>

#include "hedgesim/error.h"
#include "hedgesim/model.h"
#include "hedgesim/param.h"

#define HS_MAX_LEGS 16
#define HS_MAX_STRATEGIES 256
#define HS_NAME_LEN 128

typedef struct hs_instrument_type hs_instrument_type;

/* One leg of the book: `quantity` units (negative = short) traded at `vol`. */
typedef struct hs_leg {
    char name[HS_NAME_LEN]; /* "option" or "option.<name>" */
    const hs_instrument_type *type;
    double strike;   /* money */
    double maturity; /* years from t0 */
    double quantity; /* units; negative = short */
    double vol;      /* traded (implied) volatility: the price it changes hands at */
    size_t expiry_step; /* grid step of the maturity */
} hs_leg;

typedef struct hs_rule_type hs_rule_type;
typedef struct hs_ratio_type hs_ratio_type;

/* A fully resolved strategy (one member of a sweep). */
typedef struct hs_strategy {
    char name[HS_NAME_LEN];    /* "hedge" or "hedge[hedges=21]" */
    char section[HS_NAME_LEN]; /* "strategy.hedge" */
    const hs_rule_type *rule;
    double rule_par[HS_MAX_PARAMS];
    const hs_ratio_type *ratio;
    double ratio_par[HS_MAX_PARAMS];
    double vol;  /* hedge volatility; NaN = each leg's traded vol */
    double cost; /* proportional cost, one-way fraction of traded notional */
    hs_origin rule_origin[HS_MAX_PARAMS]; /* where each rule parameter was given */
} hs_strategy;

/* Per-run state of a rule, set up once from the strategy and the grid. */
typedef struct hs_rule_state {
    const hs_rule_type *type;
    size_t every;  /* interval: grid steps between rebalances */
    size_t hedges; /* interval: rebalances per life */
} hs_rule_state;

struct hs_rule_type {
    const char *name;
    const char *help;
    const hs_param *params;
    size_t n_params;
    /* Check the rule's parameters against the grid and set up its state.  origins[j]
     * is where parameter j was given (for messages) and context names the strategy. */
    hs_status (*prepare)(hs_rule_state *st, const double *par, const hs_origin *origins,
                         const hs_grid *grid, const char *context, hs_error *err);
    /* May the rule trade at step k (0 <= k < steps)?  When not, the engine skips the
     * hedge-ratio computation for the step. */
    int (*active)(const hs_rule_state *st, size_t k);
    /* New holdings for lanes i < n given the current ones and the target. */
    void (*apply)(const hs_rule_state *st, const double *held, const double *target,
                  double *next, size_t n);
    /* The number of rebalances per life when fixed by the rule (for Derman-Kamal),
     * else 0. */
    size_t (*hedges)(const hs_rule_state *st);
};

/* What a hedge ratio sees: the book, the market, the grid and the strategy. */
typedef struct hs_ratio_ctx {
    const hs_leg *legs;
    size_t n_legs;
    const hs_market *market;
    const hs_grid *grid;
    double vol;        /* the strategy's hedge vol; NaN = each leg's traded vol */
    const double *par; /* the ratio's own parameters */
} hs_ratio_ctx;

struct hs_ratio_type {
    const char *name;
    const char *help;
    const hs_param *params;
    size_t n_params;
    /* Target holding in the underlying (shares) for every lane of the block at grid
     * step k, before any leg has expired at or before k: out[i] for i < b->n. */
    void (*target)(const hs_ratio_ctx *ctx, size_t k, const hs_block *b, double *out);
};

const hs_rule_type *const *hs_rule_types(void);
const hs_rule_type *hs_rule_type_find(const char *name);
const hs_ratio_type *const *hs_ratio_types(void);
const hs_ratio_type *hs_ratio_type_find(const char *name);

extern const hs_rule_type hs_rule_interval;
extern const hs_ratio_type hs_ratio_bs;

#endif
