/*
 * `hedgesim list` (list.h): the keys of the fixed sections ([scenario], [simulation],
 * [market], [option]), then every model, rule, ratio, common strategy key, stress
 * overlay and instrument with its keys, ranges, defaults and units, from the registries
 * and their parameter tables.
 */
#include "list.h"

#include <stdio.h>

#include "hedgesim/engine.h"
#include "hedgesim/instrument.h"
#include "hedgesim/scenario.h"

static void print_params(const hs_param *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* The range: numbers' bounds, a NAME's choices (printed whole, however long a
         * registry makes them), or the kind. */
        char range[96] = "";
        const char *shown = range;
        if (p[i].kind == HS_PARAM_REAL || p[i].kind == HS_PARAM_INT)
            hs_param_range_str(&p[i], range, sizeof range);
        char def[48] = "";
        if (p[i].flags & HS_PARAM_REQUIRED)
            snprintf(def, sizeof def, "required");
        else if (p[i].flags & HS_PARAM_DERIVED)
            snprintf(def, sizeof def, "derived");
        else if (p[i].kind == HS_PARAM_REAL || p[i].kind == HS_PARAM_INT)
            snprintf(def, sizeof def, "default %g", p[i].def);
        if (p[i].kind == HS_PARAM_NAME && p[i].choices)
            shown = p[i].choices;
        else if (p[i].kind == HS_PARAM_LIST)
            shown = "list";
        else if (p[i].kind == HS_PARAM_TEXT)
            shown = "text";
        printf("      %-16s %-16s %-14s %s (%s)\n", p[i].key, shown, def, p[i].help, p[i].unit);
    }
}

int hs_cli_list(void)
{
    /* The fixed sections first, in the order a scenario file has them. */
    static const char *const sections[][2] = {
        {"scenario", "[scenario]: what the scenario is"},
        {"simulation", "[simulation]: paths, seed, grid and threads (--paths, --seed, "
                       "--threads override)"},
        {"market", "[market]: the underlying at t0"},
        {"option", "[option] or [option.NAME] (one section per leg of a book):"},
    };
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        size_t n;
        const hs_param *p = hs_scenario_section_params(sections[i][0], &n);
        printf("%s\n", sections[i][1]);
        print_params(p, n);
    }
    printf("[grid]: one key section.key = v1, v2, ... (any key outside [strategy.*]): one "
           "simulation per value\n");
    printf("models ([model] type):\n");
    for (const hs_model_type *const *t = hs_model_types(); *t; t++) {
        printf("  %-16s %s\n", (*t)->name, (*t)->help);
        print_params((*t)->params, (*t)->n_params);
    }
    printf("rebalancing rules ([strategy.*] rebalance):\n");
    for (const hs_rule_type *const *t = hs_rule_types(); *t; t++) {
        printf("  %-16s %s\n", (*t)->name, (*t)->help);
        print_params((*t)->params, (*t)->n_params);
    }
    printf("hedge ratios ([strategy.*] ratio):\n");
    for (const hs_ratio_type *const *t = hs_ratio_types(); *t; t++) {
        printf("  %-16s %s\n", (*t)->name, (*t)->help);
        print_params((*t)->params, (*t)->n_params);
    }
    printf("hedge vol, frictions and carry (keys of every [strategy.*]):\n");
    size_t n_common;
    const hs_param *common = hs_strategy_common_params(&n_common);
    print_params(common, n_common);
    printf("stress overlays ([stress.*] type):\n");
    for (const hs_stress_type *const *t = hs_stress_types(); *t; t++) {
        printf("  %-16s %s\n", (*t)->name, (*t)->help);
        print_params((*t)->params, (*t)->n_params);
    }
    size_t n_risk;
    const hs_param *risk = hs_implied_params(&n_risk);
    printf("  %-16s %s\n", "implied", "implied-vol shift of the horizon marks (mark = implied)");
    print_params(risk, n_risk);
    printf("horizon risk ([risk] keys):\n");
    risk = hs_risk_params(&n_risk);
    print_params(risk, n_risk);
    printf("instruments ([option] type):\n");
    for (const hs_instrument_type *const *t = hs_instrument_types(); *t; t++)
        printf("  %-16s %s\n", (*t)->name, (*t)->help);
    return 0;
}
