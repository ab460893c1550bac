/*
 * Registries of rebalancing rules and hedge ratios (docs/architecture.md): the names a
 * [strategy.*] section may give to `rebalance` and `ratio`; and the set-up of one
 * strategy for a run, shared by the scenario validator and the engine.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hedgesim/strategy.h"

static const hs_rule_type *const rules[] = {
    &hs_rule_interval,
    &hs_rule_band,
    &hs_rule_whalley_wilmott,
    &hs_rule_move,
    &hs_rule_none,
    NULL,
};

static const hs_ratio_type *const ratios[] = {
    &hs_ratio_bs,
    &hs_ratio_realized,
    &hs_ratio_leland,
    &hs_ratio_delta_gamma,
    &hs_ratio_model,
    &hs_ratio_min_variance,
    NULL,
};

const hs_rule_type *const *hs_rule_types(void)
{
    return rules;
}

const hs_rule_type *hs_rule_type_find(const char *name)
{
    for (size_t i = 0; rules[i]; i++)
        if (strcmp(rules[i]->name, name) == 0)
            return rules[i];
    return NULL;
}

const hs_ratio_type *const *hs_ratio_types(void)
{
    return ratios;
}

const hs_ratio_type *hs_ratio_type_find(const char *name)
{
    for (size_t i = 0; ratios[i]; i++)
        if (strcmp(ratios[i]->name, name) == 0)
            return ratios[i];
    return NULL;
}

hs_status hs_strategy_setup(const hs_strategy *s, const hs_leg *legs, size_t n_legs,
                            const hs_market *market, const hs_grid *grid, const hs_model *model,
                            const char *where, const char *context, hs_rule_state *rule,
                            hs_ratio_ctx *ratio, hs_error *err)
{
    memset(rule, 0, sizeof *rule);
    hs_status st = s->rule->prepare(rule, s->rule_par, s->rule_origin, grid, context, err);
    if (st)
        return st;
    rule->cost = s->costs.prop;
    rule->rate = market->rate;
    rule->horizon = grid->horizon;
    memset(ratio, 0, sizeof *ratio);
    ratio->legs = legs;
    ratio->n_legs = n_legs;
    ratio->market = market;
    ratio->grid = grid;
    ratio->model = model;
    ratio->vol = s->vol;
    ratio->par = s->ratio_par;
    ratio->cost = s->costs.prop;
    ratio->interval = s->rule->hedges && s->rule->hedges(rule) ? (double)rule->every * grid->dt : 0.0;
    /* rebalance = none never asks its ratio (rule_none.c): nothing to prepare. */
    if (s->ratio->prepare && s->rule != &hs_rule_none) {
        char located[1024];
        snprintf(located, sizeof located, "%s: %s", where, context);
        return s->ratio->prepare(ratio, s->ratio_origin, located, err);
    }
    return HS_OK;
}
