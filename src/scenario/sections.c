/*
 * The sections of a scenario file (docs/architecture.md, "Scenario files"): the
 * parameter table of every fixed section, which section names exist, and the final
 * check that turns every key no step has used into "unknown key", with the closest
 * valid name from every table that could own it (the section's own, the model's, the
 * rule's and the ratio's).
 */
#define _POSIX_C_SOURCE 200809L
#include "build.h"

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

#include <string.h>

const hs_param hs_scn_scenario_params[] = {
    {"name", HS_PARAM_TEXT, 0, 0, 0, "text", "scenario name (default: the file name)", NULL,
     HS_PARAM_DERIVED},
    {"description", HS_PARAM_TEXT, 0, 0, 0, "text", "one line saying what the scenario shows", NULL,
     0},
};

const hs_param hs_scn_simulation_params[] = {
    {"paths", HS_PARAM_INT, 2, 1e9, 10000, "paths", "number of Monte Carlo paths", NULL, 0},
    {"seed", HS_PARAM_INT, 0, 9007199254740992.0, 42, "integer",
     "seed of the random number streams", NULL, 0},
    {"steps", HS_PARAM_INT, 1, 1e6, 0, "steps",
     "time steps over the horizon, the finest rebalancing grid (default: the least common "
     "multiple of the interval strategies' hedges, else 252 per year)",
     NULL, HS_PARAM_DERIVED},
    {"threads", HS_PARAM_INT, 0, 1024, 0, "threads", "worker threads (0 = all cores)", NULL, 0},
};

const hs_param hs_scn_market_params[] = {
    {"spot", HS_PARAM_REAL, 0, 1e12, 100, "money", "spot price at t0", NULL, HS_PARAM_MIN_OPEN},
    {"rate", HS_PARAM_REAL, -1, 1, 0, "per year", "risk-free rate, continuously compounded", NULL,
     0},
    {"dividend", HS_PARAM_REAL, -1, 1, 0, "per year", "continuous dividend yield", NULL, 0},
};

const hs_param hs_scn_model_common[] = {
    {"type", HS_PARAM_NAME, 0, 0, 0, "name", "path model (see `hedgesim list`)", NULL, 0},
};

const hs_param hs_scn_option_params[] = {
    {"type", HS_PARAM_NAME, 0, 0, 0, "name", "instrument (see `hedgesim list`)", NULL,
     HS_PARAM_REQUIRED},
    {"strike", HS_PARAM_REAL, 0, 1e12, 0, "money", "strike price", NULL,
     HS_PARAM_REQUIRED | HS_PARAM_MIN_OPEN},
    {"maturity", HS_PARAM_REAL, 0, 100, 0, "years", "time to expiry from t0", NULL,
     HS_PARAM_REQUIRED | HS_PARAM_MIN_OPEN},
    {"quantity", HS_PARAM_REAL, -1e9, 1e9, -1, "units",
     "units held, negative = short (default -1: one option sold)", NULL, 0},
    {"vol", HS_PARAM_REAL, 0, 5, 0, "per sqrt(year)",
     "volatility the option is traded at (default: the model's sigma)", NULL,
     HS_PARAM_DERIVED | HS_PARAM_MIN_OPEN},
};

const hs_param hs_scn_strategy_params[] = {
    {"rebalance", HS_PARAM_NAME, 0, 0, 0, "name", "rebalancing rule (default interval)", NULL, 0},
    {"ratio", HS_PARAM_NAME, 0, 0, 0, "name", "hedge ratio (default bs)", NULL, 0},
    /* From here on: the common keys of every strategy, in the order of STRAT_* (build.h). */
    {"vol", HS_PARAM_REAL, 0, 5, 0, "per sqrt(year)",
     "volatility of the hedge ratio: a number, `traded` (each leg's traded vol, the "
     "default) or `model` (the model's sigma)",
     NULL, HS_PARAM_DERIVED | HS_PARAM_MIN_OPEN | HS_PARAM_SWEEP},
    {"cost", HS_PARAM_REAL, 0, 1, 0, "fraction of traded notional",
     "proportional cost per trade, one way", NULL, HS_PARAM_MAX_OPEN | HS_PARAM_SWEEP},
    {"fee", HS_PARAM_REAL, 0, 1e9, 0, "money", "fixed fee per trade", NULL, HS_PARAM_SWEEP},
    {"spread", HS_PARAM_REAL, 0, 1e9, 0, "money per share",
     "half bid-ask spread paid on every share traded", NULL, HS_PARAM_SWEEP},
    {"lot", HS_PARAM_REAL, 0, 1e9, 0, "shares",
     "lot size: holdings are rounded to whole lots (0 = any amount)", NULL, HS_PARAM_SWEEP},
    {"min_trade", HS_PARAM_REAL, 0, 1e9, 0, "shares",
     "smaller changes of the holding are not traded", NULL, HS_PARAM_SWEEP},
    {"charge_initial", HS_PARAM_INT, 0, 1, 1, "0 or 1", "whether the first trade at t0 pays costs",
     NULL, HS_PARAM_SWEEP},
    {"charge_unwind", HS_PARAM_INT, 0, 1, 0, "0 or 1",
     "whether unwinding the hedge at maturity pays costs", NULL, HS_PARAM_SWEEP},
    {"borrow", HS_PARAM_REAL, 0, 1, 0, "per year", "borrow fee on the value of shares held short",
     NULL, HS_PARAM_SWEEP},
    {"min_gap", HS_PARAM_REAL, 0, 100, 0, "years",
     "least time between two trades of a path (combines with any rule)", NULL, HS_PARAM_SWEEP},
};

const hs_param *hs_strategy_common_params(size_t *n)
{
    *n = STRAT_N_COMMON;
    return hs_scn_strategy_params + STRAT_FIRST_COMMON;
}

/* The table of a fixed section ("scenario", "simulation", "market", "model": its `type`
 * key, "option": the keys of [option] and of every [option.NAME]), for `hedgesim list`;
 * NULL for any other name. */
const hs_param *hs_scenario_section_params(const char *section, size_t *n)
{
    static const struct {
        const char *name;
        const hs_param *rows;
        size_t n;
    } t[] = {
        {"scenario", hs_scn_scenario_params, NROWS(hs_scn_scenario_params)},
        {"simulation", hs_scn_simulation_params, NROWS(hs_scn_simulation_params)},
        {"market", hs_scn_market_params, NROWS(hs_scn_market_params)},
        {"model", hs_scn_model_common, NROWS(hs_scn_model_common)},
        {"option", hs_scn_option_params, NROWS(hs_scn_option_params)},
    };
    for (size_t i = 0; i < NROWS(t); i++)
        if (!strcmp(section, t[i].name)) {
            *n = t[i].n;
            return t[i].rows;
        }
    *n = 0;
    return NULL;
}

const size_t hs_scn_n_scenario_params = NROWS(hs_scn_scenario_params);
const size_t hs_scn_n_simulation_params = NROWS(hs_scn_simulation_params);
const size_t hs_scn_n_market_params = NROWS(hs_scn_market_params);
const size_t hs_scn_n_model_common = NROWS(hs_scn_model_common);
const size_t hs_scn_n_option_params = NROWS(hs_scn_option_params);
const size_t hs_scn_n_strategy_params = NROWS(hs_scn_strategy_params);

int hs_scn_section_is(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(name, prefix, n) == 0 && name[n] == '.' && name[n + 1] != '\0';
}

static int known_section(const char *name)
{
    return !strcmp(name, "scenario") || !strcmp(name, "simulation") || !strcmp(name, "market") ||
           !strcmp(name, "model") || !strcmp(name, "option") || hs_scn_section_is(name, "option") ||
           hs_scn_section_is(name, "strategy") || hs_scn_section_is(name, "stress") ||
           !strcmp(name, "grid") || !strcmp(name, "risk");
}

static hs_status check_section_name(build *b, const char *name, hs_origin origin)
{
    if (known_section(name))
        return HS_OK;
    static const char *const names[] = {"scenario", "simulation", "market", "model", "option",
                                        "strategy", "stress",     "grid",   "risk", NULL};
    char w[512], hint[160] = "";
    char base[HS_INI_SECTION_LEN];
    snprintf(base, sizeof base, "%s", name);
    char *dot = strchr(base, '.');
    if (dot)
        *dot = '\0';
    const char *s = hs_name_suggest(names, base);
    if (s && (!strcmp(s, "strategy") || !strcmp(s, "stress")))
        snprintf(hint, sizeof hint, "; did you mean [%s.%s]?", s, dot ? dot + 1 : "NAME");
    else if (s)
        snprintf(hint, sizeof hint, "; did you mean [%s%s%s]?", s, dot ? "." : "",
                 dot ? dot + 1 : "");
    return hs_error_set(b->err, HS_EINPUT,
                        "%s: unknown section [%s] (expected [scenario], [simulation], [market], "
                        "[model], [option] or [option.NAME], [strategy.NAME], [stress.NAME], "
                        "[grid], [risk]%s)",
                        hs_origin_str(origin, w, sizeof w), name, hint);
}

hs_status hs_scn_check_sections(build *b)
{
    for (size_t i = 0; i < b->ini->n_sections; i++) {
        hs_status st = check_section_name(b, b->ini->sections[i].name, b->ini->sections[i].origin);
        if (st)
            return st;
    }
    for (size_t i = 0; i < b->ini->n; i++) {
        hs_status st = check_section_name(b, b->ini->entries[i].section, b->ini->entries[i].origin);
        if (st)
            return st;
    }
    return HS_OK;
}

/* The key of a [stress.NAME] section that names its overlay, listed with the overlay's
 * keys (and alone when the type is missing or unknown). */
static const hs_param stress_type_row[] = {
    {"type", HS_PARAM_NAME, 0, 0, 0, "name", "stress overlay: crash, gap, vol or implied", NULL,
     HS_PARAM_REQUIRED},
};

/* "unknown key" for an entry no step used, with every key its section takes and the
 * closest of them, from every table that could own it (the section's own, the
 * model's, the rule's and the ratio's). */
hs_status hs_scn_unknown_key(build *b, hs_ini_entry *e)
{
    const hs_param *tables[4] = {NULL};
    size_t sizes[4] = {0};
    size_t nt = 0;
    if (!strcmp(e->section, "scenario"))
        tables[nt] = hs_scn_scenario_params, sizes[nt++] = hs_scn_n_scenario_params;
    else if (!strcmp(e->section, "simulation"))
        tables[nt] = hs_scn_simulation_params, sizes[nt++] = hs_scn_n_simulation_params;
    else if (!strcmp(e->section, "market"))
        tables[nt] = hs_scn_market_params, sizes[nt++] = hs_scn_n_market_params;
    else if (!strcmp(e->section, "model")) {
        tables[nt] = hs_scn_model_common, sizes[nt++] = hs_scn_n_model_common;
        if (b->sc->model)
            tables[nt] = b->sc->model->params, sizes[nt++] = b->sc->model->n_params;
    } else if (!strcmp(e->section, "option") || hs_scn_section_is(e->section, "option"))
        tables[nt] = hs_scn_option_params, sizes[nt++] = hs_scn_n_option_params;
    else if (hs_scn_section_is(e->section, "stress")) {
        tables[nt] = stress_type_row, sizes[nt++] = 1;
        hs_ini_entry *t = hs_ini_get(b->ini, e->section, "type");
        const hs_stress_type *type = hs_stress_type_find(t ? t->value : "");
        if (type)
            tables[nt] = type->params, sizes[nt++] = type->n_params;
        else if (t && !strcmp(t->value, "implied"))
            tables[nt] = hs_scn_implied_params, sizes[nt++] = hs_scn_n_implied_params;
    } else if (!strcmp(e->section, "risk"))
        tables[nt] = hs_scn_risk_params, sizes[nt++] = hs_scn_n_risk_params; else if (hs_scn_section_is(e->section, "strategy")) {
        tables[nt] = hs_scn_strategy_params, sizes[nt++] = hs_scn_n_strategy_params;
        hs_ini_entry *r = hs_ini_get(b->ini, e->section, "rebalance");
        const hs_rule_type *rule = hs_rule_type_find(r ? r->value : "interval");
        if (rule)
            tables[nt] = rule->params, sizes[nt++] = rule->n_params;
        hs_ini_entry *ra = hs_ini_get(b->ini, e->section, "ratio");
        const hs_ratio_type *ratio = hs_ratio_type_find(ra ? ra->value : "bs");
        if (ratio && ratio->n_params)
            tables[nt] = ratio->params, sizes[nt++] = ratio->n_params;
    }
    const char *best = NULL;
    int best_d = 256;
    for (size_t t = 0; t < nt; t++) {
        const char *s = hs_param_suggest(tables[t], sizes[t], e->key);
        if (s && hs_edit_distance(s, e->key) < best_d) {
            best = s;
            best_d = hs_edit_distance(s, e->key);
        }
    }
    char w[512], keys[1024] = "", hint[128] = "", vs[HS_VALUE_SHOWN + 32];
    for (size_t t = 0; t < nt; t++)
        for (size_t j = 0; j < sizes[t]; j++) {
            size_t used = strlen(keys);
            snprintf(keys + used, sizeof keys - used, "%s%s", used ? ", " : "", tables[t][j].key);
        }
    if (best)
        snprintf(hint, sizeof hint, "; did you mean '%s'?", best);
    return hs_error_set(b->err, HS_EINPUT, "%s: [%s] unknown key '%s' = %s (expected one of: %s%s)",
                        hs_scn_where(e, w, sizeof w), e->section, e->key,
                        hs_value_shown(e->value, vs, sizeof vs), keys, hint);
}

/* After interpretation: the first unused entry is an unknown key. */
hs_status hs_scn_check_unused(build *b, const hs_param *extra, size_t n_extra)
{
    (void)extra;
    (void)n_extra;
    for (size_t i = 0; i < b->ini->n; i++)
        if (!b->ini->entries[i].used)
            return hs_scn_unknown_key(b, &b->ini->entries[i]);
    return HS_OK;
}
