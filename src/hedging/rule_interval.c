/*
 * Rebalancing rule `interval`: rebalance to the target at N evenly spaced dates
 * t_0, t_{h}, ..., t_{(N-1)h} (h = steps / N grid steps) and hold in between; the hedge
 * is unwound at maturity.  This is the convention of QuantLib's DiscreteHedging example
 * and of Derman & Kamal (1999), whose P&L std sqrt(pi/4) vega sigma / sqrt(N) it
 * reproduces.  Give either `hedges = N` per life or `every = h` grid steps.
 */
#include <math.h>
#include <stdio.h>

#include "hedgesim/strategy.h"

enum { P_HEDGES, P_EVERY };

static const hs_param params[] = {
    {"hedges", HS_PARAM_INT, 1, 1e6, 0, "rebalances per life",
     "number of evenly spaced rebalances, the first at t0 (a list makes a sweep; no hedge at "
     "all: rebalance = none)",
     NULL, HS_PARAM_DERIVED | HS_PARAM_SWEEP},
    {"every", HS_PARAM_INT, 1, 1e6, 0, "grid steps",
     "grid steps between rebalances (instead of hedges)", NULL, HS_PARAM_DERIVED | HS_PARAM_SWEEP},
};

static hs_status prepare(hs_rule_state *st, const double *par, const hs_origin *origins,
                         const hs_grid *grid, const char *context, hs_error *err)
{
    char w[512];
    hs_origin o = origins ? origins[P_HEDGES] : (hs_origin){"scenario", 0};
    int has_hedges = !isnan(par[P_HEDGES]), has_every = !isnan(par[P_EVERY]);
    if (has_hedges == has_every)
        return hs_error_set(err, HS_EINPUT,
                            "%s: %s: give exactly one of 'hedges' and 'every' "
                            "(expected rebalances per life, or grid steps between rebalances)",
                            hs_origin_str(o, w, sizeof w), context);
    size_t hedges, every;
    if (has_every) {
        every = (size_t)par[P_EVERY];
        o = origins ? origins[P_EVERY] : o;
        if (every > grid->steps)
            return hs_error_set(err, HS_EINPUT,
                                "%s: %s: every = %zu is more than steps = %zu "
                                "(expected at most the number of grid steps)",
                                hs_origin_str(o, w, sizeof w), context, every, grid->steps);
        hedges = (grid->steps + every - 1) / every;
    } else {
        hedges = (size_t)par[P_HEDGES];
        if (hedges > grid->steps || grid->steps % hedges != 0)
            return hs_error_set(err, HS_EINPUT,
                                "%s: %s: hedges = %zu does not divide steps = %zu (expected a "
                                "divisor of [simulation] steps, so rebalances fall evenly on the "
                                "grid; set steps to a common multiple of every hedges value)",
                                hs_origin_str(o, w, sizeof w), context, hedges, grid->steps);
        every = grid->steps / hedges;
    }
    st->type = &hs_rule_interval;
    st->hedges = hedges;
    st->every = every;
    return HS_OK;
}

static int active(const hs_rule_state *st, size_t k)
{
    return k % st->every == 0;
}

static size_t hedges(const hs_rule_state *st)
{
    return st->hedges;
}

const hs_rule_type hs_rule_interval = {
    .name = "interval",
    .help = "rebalance to the target at N evenly spaced dates, t0 first",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .prepare = prepare,
    .active = active,
    .apply = NULL, /* the target as it is */
    .hedges = hedges,
};
