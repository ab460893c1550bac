/*
 * Strategies: how a book is hedged (docs/architecture.md).
 *
 * A strategy is a hedge ratio (what position to target), a rebalancing rule (when to
 * move to it) and costs (what moving costs).  Ratios and rules are const type tables in
 * registries, looked up by the names written in the scenario (`ratio = bs`,
 * `rebalance = interval`).  All strategies of a run hedge the same paths.
 */
#ifndef HEDGESIM_STRATEGY_H
#define HEDGESIM_STRATEGY_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

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
    double strike;      /* money */
    double maturity;    /* years from t0 */
    double quantity;    /* units; negative = short */
    double vol;         /* traded (implied) volatility: the price it changes hands at */
    size_t expiry_step; /* grid step of the maturity */
} hs_leg;

typedef struct hs_rule_type hs_rule_type;
typedef struct hs_ratio_type hs_ratio_type;

/* Frictions and carry of a strategy (keys of its [strategy.*] section). */
typedef struct hs_costs {
    double prop;        /* `cost`: one-way fraction of traded notional */
    double fee;         /* `fee`: money per trade */
    double spread;      /* `spread`: half bid-ask spread, money per share traded */
    double lot;         /* `lot`: shares per lot, holdings are whole lots (0: any amount) */
    double min_trade;   /* `min_trade`: smaller changes of holding are not traded (shares) */
    int charge_initial; /* `charge_initial`: the first trade at t0 pays costs (1) or not */
    int charge_unwind;  /* `charge_unwind`: the unwind at maturity pays costs (1) or not */
    double borrow;      /* `borrow`: fee per year on the value of shares held short */
    double min_gap;     /* `min_gap`: least time between two trades of a path, years */
} hs_costs;

/* The hedge vol a strategy asks for: a number, each leg's traded vol, or the model's. */
#define HS_VOL_TRADED NAN
#define HS_VOL_MODEL (-1.0)

/* A fully resolved strategy (one member of a sweep). */
typedef struct hs_strategy {
    char name[HS_NAME_LEN];    /* "hedge" or "hedge[hedges=21]" */
    char section[HS_NAME_LEN]; /* "strategy.hedge" */
    const hs_rule_type *rule;
    double rule_par[HS_MAX_PARAMS];
    const hs_ratio_type *ratio;
    double ratio_par[HS_MAX_PARAMS];
    double vol; /* hedge volatility; NaN = each leg's traded vol (model's resolved) */
    hs_costs costs;
    hs_origin rule_origin[HS_MAX_PARAMS];  /* where each rule parameter was given */
    hs_origin ratio_origin[HS_MAX_PARAMS]; /* where each ratio parameter was given */
} hs_strategy;

/* Per-run state of a rule, set up once from the strategy and the grid. */
typedef struct hs_rule_state {
    const hs_rule_type *type;
    size_t every;              /* interval: grid steps between rebalances */
    size_t hedges;             /* interval: rebalances per life (0 when not fixed) */
    double par[HS_MAX_PARAMS]; /* the rule's parameters as given */
    double cost;               /* the strategy's proportional cost (Whalley-Wilmott's lambda) */
    double rate;               /* market rate (discounting in Whalley-Wilmott) */
    double horizon;
} hs_rule_state;

/* What a rule sees at step k for the lanes of a block. */
typedef struct hs_rule_io {
    size_t k;
    double t;                /* t_k, years */
    const double *spot;      /* [n] S_k */
    const double *held;      /* [n] shares held now */
    const double *target;    /* [n] the ratio's target */
    const double *gamma;     /* [n] the book's gamma (NULL unless type->needs_gamma) */
    const double *last_spot; /* [n] spot at the lane's last trade (NaN before any) */
    double *next;            /* [n] out: shares to hold after the step */
} hs_rule_io;

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
    /* New holdings io->next[i] for lanes i < n; NULL: the target itself (the engine then
     * trades to io->target without copying it). */
    void (*apply)(const hs_rule_state *st, const hs_rule_io *io, size_t n);
    /* The number of rebalances per life when fixed by the rule (for Derman-Kamal),
     * else 0. */
    size_t (*hedges)(const hs_rule_state *st);
    int needs_gamma; /* apply reads io->gamma */
};

/* What a hedge ratio sees: the book, the market, the grid, the model and the strategy. */
typedef struct hs_ratio_ctx {
    const hs_leg *legs;
    size_t n_legs;
    const hs_market *market;
    const hs_grid *grid;
    const hs_model *model;
    double vol;        /* the strategy's hedge vol; NaN = each leg's traded vol */
    const double *par; /* the ratio's own parameters */
    double cost;       /* the strategy's proportional cost (Leland) */
    double interval;   /* the rule's time between rebalances, years (0 when not fixed) */
    double consts[8];  /* set by the ratio's prepare */
    int has_hedge_leg; /* the ratio also trades a listed option (delta_gamma) */
    hs_leg hedge_leg;  /* that option: quantity unused; vol is the vol it trades at */
    void *data;        /* the ratio's per-run memory (begin/end), NULL without one */
    uint64_t seed;     /* the run's seed (set by the engine before begin; min_variance) */
    int threads;       /* the run's threads (set with seed; 0: all cores) for work in begin */
} hs_ratio_ctx;

/* Per-lane memory of a ratio (running estimates): HS_RATIO_STATE arrays of HS_BLOCK. */
#define HS_RATIO_STATE 4

struct hs_ratio_type {
    const char *name;
    const char *help;
    const hs_param *params;
    size_t n_params;
    /* Optional: check parameters and fill ctx->consts once per run. */
    hs_status (*prepare)(hs_ratio_ctx *ctx, const hs_origin *origins, const char *context,
                         hs_error *err);
    /* Target holding in the underlying (shares) for every lane of the block at grid
     * step k, before any leg has expired at or before k: delta[i] for i < b->n; when
     * gamma is not NULL also the book's gamma per lane (for band rules); when units is
     * not NULL (ctx->has_hedge_leg) the target units of the hedge option. */
    void (*target)(const hs_ratio_ctx *ctx, size_t k, const hs_block *b, const double *state,
                   double *delta, double *gamma, double *units);
    /* Optional: per-lane running state: start at t0, update after each model step
     * (k -> k+1); old_spot holds S_k. */
    void (*start)(const hs_ratio_ctx *ctx, const hs_block *b, double *state);
    void (*update)(const hs_ratio_ctx *ctx, size_t k, const hs_block *b, const double *old_spot,
                   double *state);
    /* Optional: how many per-lane arrays of HS_BLOCK doubles the state needs (0 if NULL). */
    size_t (*state_arrays)(const hs_ratio_ctx *ctx);
    /* Optional: per-run memory in ctx->data, allocated by begin when a run starts (the
     * engine calls it after prepare; the scenario builder's trial set-up does not) and
     * freed by end (also after a begin that failed, and with data NULL). */
    hs_status (*begin)(hs_ratio_ctx *ctx, hs_error *err);
    void (*end)(hs_ratio_ctx *ctx);
    /* Optional: lanes whose target fell back from a table to the formula (ratio model). */
    unsigned long long (*fallbacks)(const hs_ratio_ctx *ctx);
    /* Optional: a ratio fitted before the run (min_variance) gives the book's fitted value
     * at t0, its standard error, the fit's wall time and its training paths; 0 if none. */
    int (*fitted)(const hs_ratio_ctx *ctx, double *value, double *stderr_, double *seconds,
                  double *paths);
};

/* Set up a strategy for a run: its rule's state and its ratio's context (calling the
 * rule's and the ratio's prepare).  context names the strategy in messages and where
 * is the "file:line" of its section (rules name their own key's line). */
hs_status hs_strategy_setup(const hs_strategy *s, const hs_leg *legs, size_t n_legs,
                            const hs_market *market, const hs_grid *grid, const hs_model *model,
                            const char *where, const char *context, hs_rule_state *rule,
                            hs_ratio_ctx *ratio, hs_error *err);

/* Whalley-Wilmott half-width of the no-trade band (rule_band.c), in shares. */
double hs_whalley_wilmott_halfwidth(double spot, double gamma, double cost, double risk_aversion,
                                    double rate, double tau);

/* Leland's modified volatility (ratio_leland.c); NaN when the variance is not positive. */
double hs_leland_vol(double sigma, double cost, double interval, double gamma_sign);

/* The book's Black-Scholes delta (and gamma when gamma != NULL) at step k, each leg at
 * `vol` (NaN: its traded vol), added into delta/gamma with weight -quantity (the hedge
 * holds the opposite of the book's delta).  Shared by the ratios. */
void hs_book_hedge_lanes(const hs_ratio_ctx *ctx, size_t k, const hs_block *b, double vol,
                         double *delta, double *gamma);

const hs_rule_type *const *hs_rule_types(void);
const hs_rule_type *hs_rule_type_find(const char *name);
const hs_ratio_type *const *hs_ratio_types(void);
const hs_ratio_type *hs_ratio_type_find(const char *name);

extern const hs_rule_type hs_rule_interval;
extern const hs_rule_type hs_rule_band;
extern const hs_rule_type hs_rule_whalley_wilmott;
extern const hs_rule_type hs_rule_move;
extern const hs_rule_type hs_rule_none;
extern const hs_ratio_type hs_ratio_bs;
extern const hs_ratio_type hs_ratio_realized;
extern const hs_ratio_type hs_ratio_leland;
extern const hs_ratio_type hs_ratio_delta_gamma;
extern const hs_ratio_type hs_ratio_model;
extern const hs_ratio_type hs_ratio_min_variance;

#endif
