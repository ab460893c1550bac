/*
 * Interpreting a scenario: from checked INI entries to a validated hs_scenario
 * (scenario.h, DESIGN.md section 4).
 *
 * Every section has a parameter table; models, rules, ratios and instruments bring
 * their own.  A value is parsed once, checked for type, finiteness and range, and
 * marked used; anything left unused afterwards is an unknown key, reported with the
 * closest valid name.  Lists (comma-separated) are accepted only in keys flagged
 * HS_PARAM_SWEEP of [strategy.*] sections, where they expand into one strategy per
 * combination, in the order the keys appear in the rule's table.
 */
#define _POSIX_C_SOURCE 200809L
#include "hedgesim/scenario.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/instrument.h"

#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

/* ----------------------------------------------------------- section tables */

static const hs_param scenario_params[] = {
    {"name", HS_PARAM_TEXT, 0, 0, 0, "text", "scenario name (default: the file name)", NULL,
     HS_PARAM_DERIVED},
    {"description", HS_PARAM_TEXT, 0, 0, 0, "text", "one line saying what the scenario shows",
     NULL, 0},
};

static const hs_param simulation_params[] = {
    {"paths", HS_PARAM_INT, 2, 1e9, 10000, "paths", "number of Monte Carlo paths", NULL, 0},
    {"seed", HS_PARAM_INT, 0, 9007199254740992.0, 42, "integer",
     "seed of the random number streams", NULL, 0},
    {"steps", HS_PARAM_INT, 1, 1e6, 0, "steps",
     "time steps over the horizon, the finest rebalancing grid (default: the least common "
     "multiple of the interval strategies' hedges, else 252 per year)",
     NULL, HS_PARAM_DERIVED},
    {"threads", HS_PARAM_INT, 0, 1024, 0, "threads", "worker threads (0 = all cores)", NULL, 0},
};

static const hs_param market_params[] = {
    {"spot", HS_PARAM_REAL, 0, 1e12, 100, "money", "spot price at t0", NULL, HS_PARAM_MIN_OPEN},
    {"rate", HS_PARAM_REAL, -1, 1, 0, "per year", "risk-free rate, continuously compounded",
     NULL, 0},
    {"dividend", HS_PARAM_REAL, -1, 1, 0, "per year", "continuous dividend yield", NULL, 0},
};

static const hs_param model_common[] = {
    {"type", HS_PARAM_NAME, 0, 0, 0, "name", "path model (see `hedgesim list`)", NULL, 0},
};

static const hs_param option_params[] = {
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

static const hs_param strategy_params[] = {
    {"rebalance", HS_PARAM_NAME, 0, 0, 0, "name", "rebalancing rule (default interval)", NULL, 0},
    {"ratio", HS_PARAM_NAME, 0, 0, 0, "name", "hedge ratio (default bs)", NULL, 0},
    /* From here on: the common keys of every strategy, in the order of STRAT_* below. */
    {"vol", HS_PARAM_REAL, 0, 5, 0, "per sqrt(year)",
     "volatility of the hedge ratio: a number, `traded` (each leg's traded vol, the "
     "default) or `model` (the model's sigma)", NULL,
     HS_PARAM_DERIVED | HS_PARAM_MIN_OPEN | HS_PARAM_SWEEP},
    {"cost", HS_PARAM_REAL, 0, 1, 0, "fraction of traded notional",
     "proportional cost per trade, one way", NULL, HS_PARAM_MAX_OPEN | HS_PARAM_SWEEP},
    {"fee", HS_PARAM_REAL, 0, 1e9, 0, "money", "fixed fee per trade", NULL, HS_PARAM_SWEEP},
    {"spread", HS_PARAM_REAL, 0, 1e9, 0, "money per share",
     "half bid-ask spread paid on every share traded", NULL, HS_PARAM_SWEEP},
    {"lot", HS_PARAM_REAL, 0, 1e9, 0, "shares",
     "lot size: holdings are rounded to whole lots (0 = any amount)", NULL, HS_PARAM_SWEEP},
    {"min_trade", HS_PARAM_REAL, 0, 1e9, 0, "shares",
     "smaller changes of the holding are not traded", NULL, HS_PARAM_SWEEP},
    {"charge_initial", HS_PARAM_INT, 0, 1, 1, "0 or 1",
     "whether the first trade at t0 pays costs", NULL, HS_PARAM_SWEEP},
    {"charge_unwind", HS_PARAM_INT, 0, 1, 0, "0 or 1",
     "whether unwinding the hedge at maturity pays costs", NULL, HS_PARAM_SWEEP},
    {"borrow", HS_PARAM_REAL, 0, 1, 0, "per year",
     "borrow fee on the value of shares held short", NULL, HS_PARAM_SWEEP},
    {"min_gap", HS_PARAM_REAL, 0, 100, 0, "years",
     "least time between two trades of a path (combines with any rule)", NULL, HS_PARAM_SWEEP},
};

enum { STRAT_FIRST_COMMON = 2, STRAT_N_COMMON = 10 };

const hs_param *hs_strategy_common_params(size_t *n)
{
    *n = STRAT_N_COMMON;
    return strategy_params + STRAT_FIRST_COMMON;
}

/* ------------------------------------------------------------ build context */

typedef struct build {
    hs_ini *ini;
    hs_scenario *sc;
    hs_error *err;
} build;

static void origin_of(const build *b, const hs_ini_entry *e, hs_origin *o)
{
    /* Origins must outlive the ini, so file names point into the scenario. */
    o->line = e->origin.line;
    o->file = e->origin.line > 0 ? b->sc->file : "--set";
}

static const char *where(const hs_ini_entry *e, char *buf, size_t len)
{
    return hs_origin_str(e->origin, buf, len);
}

/* "file:line" of a section's header, for keys that are missing from it. */
static const char *section_where(const build *b, const char *section, char *buf, size_t len)
{
    for (size_t i = 0; i < b->ini->n_sections; i++)
        if (!strcmp(b->ini->sections[i].name, section))
            return hs_origin_str(b->ini->sections[i].origin, buf, len);
    snprintf(buf, len, "%s", b->ini->file);
    return buf;
}

static int is_list(const char *v)
{
    return strchr(v, ',') != NULL;
}

/* Parse a scalar numeric key of a section (absent: default; required: error). */
static hs_status get_number(build *b, const char *section, const char *context,
                            const hs_param *p, double *out)
{
    hs_ini_entry *e = hs_ini_get(b->ini, section, p->key);
    if (!e) {
        if (p->flags & HS_PARAM_REQUIRED) {
            char w[512];
            return hs_error_set(b->err, HS_EINPUT, "%s: %s: missing key '%s' (expected %s, %s)",
                                section_where(b, section, w, sizeof w), context, p->key, p->help,
                                p->unit);
        }
        *out = (p->flags & HS_PARAM_DERIVED) ? NAN : p->def;
        return HS_OK;
    }
    e->used = 1;
    if (is_list(e->value)) {
        char w[512];
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: %s: %s = %s is a list (expected one value: lists make sweeps "
                            "only in [strategy.*] keys that allow them)",
                            where(e, w, sizeof w), context, p->key, e->value);
    }
    return hs_param_parse_number(p, e->value, e->origin, context, out, b->err);
}

/* Text value with surrounding quotes removed. */
static void get_text(build *b, const char *section, const char *key, char *out, size_t len)
{
    hs_ini_entry *e = hs_ini_get(b->ini, section, key);
    if (!e)
        return;
    e->used = 1;
    const char *v = e->value;
    size_t n = strlen(v);
    if (n >= 2 && ((v[0] == '"' && v[n - 1] == '"') || (v[0] == '\'' && v[n - 1] == '\'')))
        snprintf(out, len, "%.*s", (int)(n - 2), v + 1);
    else
        snprintf(out, len, "%s", v);
}

/* Format "one of: a, b, c" from a NULL-terminated name list. */
static void join_names(const char *const *names, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; names[i]; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
    }
}

static hs_status unknown_name(build *b, const hs_ini_entry *e, const char *context,
                              const char *what, const char *const *names)
{
    char w[512], list[512], hint[128] = "";
    const char *s = hs_name_suggest(names, e->value);
    if (s)
        snprintf(hint, sizeof hint, "; did you mean '%s'?", s);
    join_names(names, list, sizeof list);
    return hs_error_set(b->err, HS_EINPUT, "%s: %s: %s = '%s' is not a known %s (expected one of: %s%s)",
                        where(e, w, sizeof w), context, e->key, e->value, what, list, hint);
}

/* ----------------------------------------------------------------- sections */

static int section_is(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(name, prefix, n) == 0 && name[n] == '.' && name[n + 1] != '\0';
}

static int known_section(const char *name)
{
    return !strcmp(name, "scenario") || !strcmp(name, "simulation") || !strcmp(name, "market") ||
           !strcmp(name, "model") || !strcmp(name, "option") || section_is(name, "option") ||
           section_is(name, "strategy") || section_is(name, "stress") || !strcmp(name, "grid");
}

static hs_status check_section_name(build *b, const char *name, hs_origin origin)
{
    if (known_section(name))
        return HS_OK;
    static const char *const names[] = {"scenario", "simulation", "market", "model", "option",
                                        "strategy", "stress", "grid", NULL};
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
                        "[grid]%s)",
                        hs_origin_str(origin, w, sizeof w), name, hint);
}

static hs_status check_sections(build *b)
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

/* After interpretation: the first unused entry is an unknown key. */
static hs_status check_unused(build *b, const hs_param *extra, size_t n_extra)
{
    (void)extra;
    (void)n_extra;
    for (size_t i = 0; i < b->ini->n; i++) {
        hs_ini_entry *e = &b->ini->entries[i];
        if (e->used)
            continue;
        /* Suggest from every table that could own this section's keys. */
        const hs_param *tables[4] = {NULL};
        size_t sizes[4] = {0};
        size_t nt = 0;
        if (!strcmp(e->section, "scenario"))
            tables[nt] = scenario_params, sizes[nt++] = NROWS(scenario_params);
        else if (!strcmp(e->section, "simulation"))
            tables[nt] = simulation_params, sizes[nt++] = NROWS(simulation_params);
        else if (!strcmp(e->section, "market"))
            tables[nt] = market_params, sizes[nt++] = NROWS(market_params);
        else if (!strcmp(e->section, "model")) {
            tables[nt] = model_common, sizes[nt++] = NROWS(model_common);
            if (b->sc->model)
                tables[nt] = b->sc->model->params, sizes[nt++] = b->sc->model->n_params;
        } else if (!strcmp(e->section, "option") || section_is(e->section, "option"))
            tables[nt] = option_params, sizes[nt++] = NROWS(option_params);
        else if (section_is(e->section, "stress")) {
            hs_ini_entry *t = hs_ini_get(b->ini, e->section, "type");
            const hs_stress_type *type = hs_stress_type_find(t ? t->value : "");
            if (type)
                tables[nt] = type->params, sizes[nt++] = type->n_params;
        } else if (section_is(e->section, "strategy")) {
            tables[nt] = strategy_params, sizes[nt++] = NROWS(strategy_params);
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
        char w[512], keys[512] = "", hint[128] = "";
        for (size_t t = 0; t < nt; t++)
            for (size_t j = 0; j < sizes[t]; j++) {
                size_t used = strlen(keys);
                snprintf(keys + used, sizeof keys - used, "%s%s", used ? ", " : "",
                         tables[t][j].key);
            }
        if (best)
            snprintf(hint, sizeof hint, "; did you mean '%s'?", best);
        return hs_error_set(b->err, HS_EINPUT, "%s: [%s] unknown key '%s' = %s (expected one of: %s%s)",
                            where(e, w, sizeof w), e->section, e->key, e->value, keys, hint);
    }
    return HS_OK;
}

/* ---------------------------------------------------------------- [market] etc */

static hs_status build_header(build *b)
{
    hs_scenario *sc = b->sc;
    /* Default name: the file name without directory and extension. */
    const char *base = strrchr(sc->file, '/');
    base = base ? base + 1 : sc->file;
    snprintf(sc->name, sizeof sc->name, "%.*s", (int)sizeof sc->name - 1, base);
    char *ext = strrchr(sc->name, '.');
    if (ext && ext != sc->name)
        *ext = '\0';
    get_text(b, "scenario", "name", sc->name, sizeof sc->name);
    get_text(b, "scenario", "description", sc->description, sizeof sc->description);

    double v[4];
    for (size_t i = 0; i < NROWS(simulation_params); i++) {
        hs_status st = get_number(b, "simulation", "[simulation]", &simulation_params[i], &v[i]);
        if (st)
            return st;
    }
    sc->paths = (uint64_t)v[0];
    sc->seed = (uint64_t)v[1];
    sc->steps = isnan(v[2]) ? 0 : (size_t)v[2];
    sc->threads = (int)v[3];

    double m[3];
    for (size_t i = 0; i < NROWS(market_params); i++) {
        hs_status st = get_number(b, "market", "[market]", &market_params[i], &m[i]);
        if (st)
            return st;
    }
    sc->market = (hs_market){m[0], m[1], m[2]};
    return HS_OK;
}

/* One model parameter of any kind into args slot i (see hs_model_args). */
static hs_status get_model_value(build *b, const char *context, const hs_param *p,
                                 hs_model_args *a, size_t i)
{
    hs_ini_entry *e = hs_ini_get(b->ini, "model", p->key);
    char w[512];
    if (e)
        snprintf(a->at[i], sizeof a->at[i], "%s", where(e, w, sizeof w));
    else
        snprintf(a->at[i], sizeof a->at[i], "%s", section_where(b, "model", w, sizeof w));
    if (p->kind == HS_PARAM_REAL || p->kind == HS_PARAM_INT)
        return get_number(b, "model", context, p, &a->par[i]);
    if (!e) {
        if (p->flags & HS_PARAM_REQUIRED)
            return hs_error_set(b->err, HS_EINPUT, "%s: %s: missing key '%s' (expected %s, %s)",
                                a->at[i], context, p->key, p->help, p->unit);
        return HS_OK;
    }
    e->used = 1;
    if (p->kind == HS_PARAM_TEXT) {
        get_text(b, "model", p->key, a->text[i], sizeof a->text[i]);
        if (!a->text[i][0])
            return hs_error_set(b->err, HS_EINPUT, "%s: %s: %s is empty (expected %s)", a->at[i],
                                context, p->key, p->help);
        return HS_OK;
    }
    if (p->kind == HS_PARAM_NAME) {
        /* Choices "a|b|c": the value is stored as its index. */
        const char *c = p->choices ? p->choices : "";
        size_t len = strlen(e->value);
        for (int idx = 0; *c; idx++) {
            const char *bar = strchr(c, '|');
            size_t n = bar ? (size_t)(bar - c) : strlen(c);
            if (n == len && !strncmp(c, e->value, n)) {
                a->par[i] = idx;
                return HS_OK;
            }
            c += n + (bar ? 1 : 0);
        }
        return hs_error_set(b->err, HS_EINPUT, "%s: %s: %s = '%s' is not a known choice "
                            "(expected one of: %s; %s)", a->at[i], context, p->key, e->value,
                            p->choices ? p->choices : "", p->help);
    }
    /* LIST: comma-separated numbers, each checked like a scalar of the same row. */
    hs_param scalar = *p;
    scalar.kind = HS_PARAM_REAL;
    char buf[HS_INI_VALUE_LEN];
    snprintf(buf, sizeof buf, "%s", e->value);
    size_t n = 0;
    for (char *tok = buf, *next; tok; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        if (n == HS_MAX_LIST)
            return hs_error_set(b->err, HS_EINPUT, "%s: %s: %s = %s has more than %d values",
                                a->at[i], context, p->key, e->value, HS_MAX_LIST);
        hs_status st = hs_param_parse_number(&scalar, tok, e->origin, context, &a->list[i][n], b->err);
        if (st)
            return st;
        n++;
    }
    a->list_n[i] = n;
    return HS_OK;
}

static hs_status build_model(build *b)
{
    hs_scenario *sc = b->sc;
    hs_ini_entry *e = hs_ini_get(b->ini, "model", "type");
    const char *name = "gbm";
    if (e) {
        e->used = 1;
        name = e->value;
    }
    sc->model = hs_model_type_find(name);
    if (!sc->model) {
        const char *names[64];
        hs_model_names(names, 64);
        return unknown_name(b, e, "[model]", "model", names);
    }
    char context[96];
    snprintf(context, sizeof context, "model '%s'", sc->model->name);
    hs_model_args *a = &sc->model_args;
    hs_model_args_default(a, sc->model);
    /* Relative data files resolve against the scenario file's directory. */
    const char *slash = strrchr(sc->file, '/');
    if (slash)
        snprintf(a->dir, sizeof a->dir, "%.*s", (int)(slash - sc->file), sc->file);
    for (size_t i = 0; i < sc->model->n_params; i++) {
        hs_status st = get_model_value(b, context, &sc->model->params[i], a, i);
        if (st)
            return st;
    }
    return HS_OK;
}

static hs_status build_leg(build *b, const char *section)
{
    hs_scenario *sc = b->sc;
    if (sc->n_legs >= HS_MAX_LEGS)
        return hs_error_set(b->err, HS_EINPUT, "%s: [%s]: too many option legs (expected at most %d)",
                            b->ini->file, section, HS_MAX_LEGS);
    hs_leg *leg = &sc->legs[sc->n_legs];
    memset(leg, 0, sizeof *leg);
    snprintf(leg->name, sizeof leg->name, "%s", section);
    char context[HS_INI_SECTION_LEN + 2];
    snprintf(context, sizeof context, "[%s]", section);

    hs_ini_entry *e = hs_ini_get(b->ini, section, "type");
    if (!e) {
        char w[512];
        return hs_error_set(b->err, HS_EINPUT, "%s: %s: missing key 'type' (expected an "
                            "instrument, see `hedgesim list`)",
                            section_where(b, section, w, sizeof w), context);
    }
    e->used = 1;
    leg->type = hs_instrument_type_find(e->value);
    if (!leg->type) {
        const char *names[64];
        size_t n = 0;
        for (const hs_instrument_type *const *t = hs_instrument_types(); *t && n < 63; t++)
            names[n++] = (*t)->name;
        names[n] = NULL;
        return unknown_name(b, e, context, "instrument", names);
    }
    double v[5];
    for (size_t i = 1; i < NROWS(option_params); i++) {
        hs_status st = get_number(b, section, context, &option_params[i], &v[i]);
        if (st)
            return st;
    }
    if (v[3] == 0) {
        char w[512];
        return hs_error_set(b->err, HS_EINPUT, "%s: %s: quantity = 0 holds nothing (expected a "
                            "non-zero number of units, negative = short)",
                            where(hs_ini_get(b->ini, section, "quantity"), w, sizeof w), context);
    }
    leg->strike = v[1];
    leg->maturity = v[2];
    leg->quantity = v[3];
    leg->vol = v[4]; /* NaN: filled from the model's sigma below */
    sc->n_legs++;
    return HS_OK;
}

static hs_status build_legs(build *b)
{
    /* Legs in the order their sections first appear, [option] included. */
    for (size_t i = 0; i < b->ini->n; i++) {
        const char *s = b->ini->entries[i].section;
        if (strcmp(s, "option") && !section_is(s, "option"))
            continue;
        int seen = 0;
        for (size_t j = 0; j < b->sc->n_legs; j++)
            seen |= !strcmp(b->sc->legs[j].name, s);
        if (!seen) {
            hs_status st = build_leg(b, s);
            if (st)
                return st;
        }
    }
    for (size_t i = 0; i < b->ini->n_sections; i++) {
        const char *s = b->ini->sections[i].name;
        if ((!strcmp(s, "option") || section_is(s, "option")) && !hs_ini_get(b->ini, s, "type")) {
            char w[512];
            return hs_error_set(b->err, HS_EINPUT, "%s: [%s] is empty (expected type, strike and "
                                "maturity of an option leg)",
                                hs_origin_str(b->ini->sections[i].origin, w, sizeof w), s);
        }
    }
    if (b->sc->n_legs == 0)
        return hs_error_set(b->err, HS_EINPUT, "%s: no [option] section (expected at least one "
                            "option leg to hedge)", b->ini->file);
    return HS_OK;
}

/* ---------------------------------------------------------------- strategies */

/* One key of a strategy section: its row and its values (one, or several for a sweep). */
typedef struct sweep_key {
    const hs_param *row;
    hs_origin origin;
    size_t n;
    double values[64];
    char text[64][32];
    int given;
} sweep_key;

/* A NAME value with fixed choices "a|b|c" as the index of its choice. */
static hs_status parse_choice(build *b, const char *context, const hs_param *row,
                              const hs_ini_entry *e, const char *tok, double *out)
{
    const char *c = row->choices ? row->choices : "";
    size_t len = strlen(tok);
    for (int idx = 0; *c; idx++) {
        const char *bar = strchr(c, '|');
        size_t n = bar ? (size_t)(bar - c) : strlen(c);
        if (n == len && !strncmp(c, tok, n)) {
            *out = idx;
            return HS_OK;
        }
        c += n + (bar ? 1 : 0);
    }
    char w[512];
    return hs_error_set(b->err, HS_EINPUT, "%s: %s: %s = '%s' is not a known choice (expected one "
                        "of: %s; %s)", where(e, w, sizeof w), context, row->key, tok,
                        row->choices ? row->choices : "", row->help);
}

static hs_status parse_values(build *b, const char *context, sweep_key *k, hs_ini_entry *e)
{
    char buf[HS_INI_VALUE_LEN];
    snprintf(buf, sizeof buf, "%s", e->value);
    k->n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        char *end = tok + strlen(tok);
        while (end > tok && isspace((unsigned char)end[-1]))
            *--end = '\0';
        if (k->n >= 64) {
            char w[512];
            return hs_error_set(b->err, HS_EINPUT, "%s: %s: %s has more than 64 values (expected "
                                "a shorter sweep)", where(e, w, sizeof w), context, e->key);
        }
        hs_status st = HS_OK;
        if (k->row->kind == HS_PARAM_NAME)
            st = parse_choice(b, context, k->row, e, tok, &k->values[k->n]);
        else if (!strcmp(k->row->key, "vol") && !strcmp(tok, "traded"))
            k->values[k->n] = HS_VOL_TRADED;
        else if (!strcmp(k->row->key, "vol") && !strcmp(tok, "model"))
            k->values[k->n] = HS_VOL_MODEL;
        else
            st = hs_param_parse_number(k->row, tok, e->origin, context, &k->values[k->n], b->err);
        if (st)
            return st;
        snprintf(k->text[k->n], sizeof k->text[k->n], "%s", tok);
        k->n++;
    }
    if (k->n == 0) {
        char w[512];
        return hs_error_set(b->err, HS_EINPUT, "%s: %s: %s is empty (expected %s)",
                            where(e, w, sizeof w), context, e->key, k->row->help);
    }
    return HS_OK;
}

static hs_status read_key(build *b, const char *section, const char *context, sweep_key *k)
{
    hs_ini_entry *e = hs_ini_get(b->ini, section, k->row->key);
    k->n = 1;
    k->given = e != NULL;
    if (!e) {
        if (k->row->flags & HS_PARAM_REQUIRED) {
            char w[512];
            return hs_error_set(b->err, HS_EINPUT, "%s: %s: missing key '%s' (expected %s, %s)",
                                section_where(b, section, w, sizeof w), context, k->row->key,
                                k->row->help, k->row->unit);
        }
        k->values[0] = (k->row->flags & HS_PARAM_DERIVED) ? NAN : k->row->def;
        k->origin = (hs_origin){b->sc->file, 0};
        return HS_OK;
    }
    e->used = 1;
    origin_of(b, e, &k->origin);
    if (is_list(e->value) && !(k->row->flags & HS_PARAM_SWEEP)) {
        char w[512];
        return hs_error_set(b->err, HS_EINPUT, "%s: %s: %s = %s is a list (expected one value)",
                            where(e, w, sizeof w), context, e->key, e->value);
    }
    return parse_values(b, context, k, e);
}

static hs_status expand_strategy(build *b, const char *section, const char *context,
                                 const hs_rule_type *rule, const hs_ratio_type *ratio,
                                 sweep_key *keys);

static hs_status build_strategy(build *b, const char *section)
{
    char context[HS_INI_SECTION_LEN + 2];
    snprintf(context, sizeof context, "[%s]", section);

    hs_ini_entry *e = hs_ini_get(b->ini, section, "rebalance");
    const hs_rule_type *rule = hs_rule_type_find(e ? e->value : "interval");
    if (e)
        e->used = 1;
    if (!rule) {
        const char *names[64];
        size_t n = 0;
        for (const hs_rule_type *const *t = hs_rule_types(); *t && n < 63; t++)
            names[n++] = (*t)->name;
        names[n] = NULL;
        return unknown_name(b, e, context, "rebalancing rule", names);
    }
    e = hs_ini_get(b->ini, section, "ratio");
    const hs_ratio_type *ratio = hs_ratio_type_find(e ? e->value : "bs");
    if (e)
        e->used = 1;
    if (!ratio) {
        const char *names[64];
        size_t n = 0;
        for (const hs_ratio_type *const *t = hs_ratio_types(); *t && n < 63; t++)
            names[n++] = (*t)->name;
        names[n] = NULL;
        return unknown_name(b, e, context, "hedge ratio", names);
    }

    /* Keys: vol, cost, then the rule's and the ratio's own. */
    sweep_key *keys = calloc(4 * HS_MAX_PARAMS, sizeof *keys);
    if (!keys)
        return hs_error_set(b->err, HS_ERUNTIME, "%s: out of memory", b->ini->file);
    hs_status st = expand_strategy(b, section, context, rule, ratio, keys);
    free(keys);
    return st;
}

static hs_status expand_strategy(build *b, const char *section, const char *context,
                                 const hs_rule_type *rule, const hs_ratio_type *ratio,
                                 sweep_key *keys)
{
    hs_scenario *sc = b->sc;
    size_t nk = 0;
    for (size_t i = 0; i < STRAT_N_COMMON; i++)
        keys[nk++] = (sweep_key){.row = &strategy_params[STRAT_FIRST_COMMON + i]};
    size_t rule0 = nk;
    for (size_t i = 0; i < rule->n_params; i++)
        keys[nk++] = (sweep_key){.row = &rule->params[i]};
    size_t ratio0 = nk;
    for (size_t i = 0; i < ratio->n_params; i++)
        keys[nk++] = (sweep_key){.row = &ratio->params[i]};
    size_t combos = 1;
    for (size_t i = 0; i < nk; i++) {
        hs_status st = read_key(b, section, context, &keys[i]);
        if (st)
            return st;
        combos *= keys[i].n;
        if (combos > HS_MAX_STRATEGIES)
            break;
    }
    if (sc->n_strategies + combos > HS_MAX_STRATEGIES)
        return hs_error_set(b->err, HS_EINPUT, "%s: %s: the sweep makes more than %d strategies "
                            "(expected fewer list values)", b->ini->file, context, HS_MAX_STRATEGIES);

    /* Expand the product; the last key varies fastest. */
    for (size_t c = 0; c < combos; c++) {
        hs_strategy *s = &sc->strategies[sc->n_strategies++];
        memset(s, 0, sizeof *s);
        snprintf(s->section, sizeof s->section, "%s", section);
        s->rule = rule;
        s->ratio = ratio;
        char label[HS_NAME_LEN] = "";
        size_t rest = c;
        size_t idx[4 * HS_MAX_PARAMS];
        for (size_t i = nk; i-- > 0;) {
            idx[i] = rest % keys[i].n;
            rest /= keys[i].n;
        }
        for (size_t i = 0; i < nk; i++) {
            if (keys[i].n > 1) {
                size_t used = strlen(label);
                snprintf(label + used, sizeof label - used, "%s%s=%s", used ? "," : "",
                         keys[i].row->key, keys[i].text[idx[i]]);
            }
        }
        const char *short_name = section + strlen("strategy.");
        if (label[0])
            snprintf(s->name, sizeof s->name, "%s[%s]", short_name, label);
        else
            snprintf(s->name, sizeof s->name, "%s", short_name);
        double v[STRAT_N_COMMON];
        for (size_t i = 0; i < STRAT_N_COMMON; i++)
            v[i] = keys[i].values[idx[i]];
        s->vol = v[0];
        s->costs = (hs_costs){.prop = v[1], .fee = v[2], .spread = v[3], .lot = v[4],
                              .min_trade = v[5], .charge_initial = (int)v[6],
                              .charge_unwind = (int)v[7], .borrow = v[8], .min_gap = v[9]};
        for (size_t i = 0; i < rule->n_params; i++) {
            s->rule_par[i] = keys[rule0 + i].values[idx[rule0 + i]];
            s->rule_origin[i] = keys[rule0 + i].origin;
        }
        for (size_t i = 0; i < ratio->n_params; i++) {
            s->ratio_par[i] = keys[ratio0 + i].values[idx[ratio0 + i]];
            s->ratio_origin[i] = keys[ratio0 + i].origin;
        }
    }
    return HS_OK;
}

static hs_status build_strategies(build *b)
{
    char done[HS_MAX_STRATEGIES][HS_INI_SECTION_LEN];
    size_t n_done = 0;
    /* Sections in order of appearance: headers first (they carry the file order). */
    for (size_t pass = 0; pass < 2; pass++) {
        size_t n = pass == 0 ? b->ini->n_sections : b->ini->n;
        for (size_t i = 0; i < n; i++) {
            const char *s = pass == 0 ? b->ini->sections[i].name : b->ini->entries[i].section;
            if (!section_is(s, "strategy"))
                continue;
            int seen = 0;
            for (size_t j = 0; j < n_done; j++)
                seen |= !strcmp(done[j], s);
            if (seen)
                continue;
            if (n_done >= HS_MAX_STRATEGIES)
                return hs_error_set(b->err, HS_EINPUT, "%s: too many [strategy.*] sections",
                                    b->ini->file);
            snprintf(done[n_done++], HS_INI_SECTION_LEN, "%s", s);
            hs_status st = build_strategy(b, s);
            if (st)
                return st;
        }
    }
    if (b->sc->n_strategies == 0)
        return hs_error_set(b->err, HS_EINPUT, "%s: no [strategy.NAME] section (expected at least "
                            "one hedging strategy, e.g. [strategy.hedge] with hedges = 21)",
                            b->ini->file);
    return HS_OK;
}

/* ------------------------------------------------------------------ [grid] */

/* The [grid] section: one key "section.key = v1, v2, ..." naming a parameter outside
 * [strategy.*] (strategy keys take lists themselves: a sweep on the same paths) with
 * 2 .. HS_MAX_AXIS values.  Only its shape is checked here; each value is checked when
 * the command builds the scenario with it (hs_scenario_load_at), with this line named. */
#define HS_MAX_AXIS 64

static hs_status build_axis(build *b)
{
    hs_scenario *sc = b->sc;
    hs_ini_entry *e = NULL;
    char w[512];
    for (size_t i = 0; i < b->ini->n; i++) {
        hs_ini_entry *f = &b->ini->entries[i];
        if (strcmp(f->section, "grid"))
            continue;
        if (e)
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: [grid] second key '%s' = %s after '%s' (expected one key: "
                                "a grid has one axis)",
                                where(f, w, sizeof w), f->key, f->value, e->key);
        e = f;
    }
    if (!e)
        return HS_OK;
    e->used = 1;
    const char *dot = strrchr(e->key, '.');
    if (!dot || dot == e->key || dot[1] == '\0')
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: [grid] key '%s' = %s is not section.key (expected e.g. "
                            "model.sigma = 0.2, 0.4, 0.8)",
                            where(e, w, sizeof w), e->key, e->value);
    if (!strncmp(e->key, "strategy.", 9))
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: [grid] key '%s' = %s is a strategy key (expected a key outside "
                            "[strategy.*]; give the list in the strategy section instead: a "
                            "sweep runs on the same paths)",
                            where(e, w, sizeof w), e->key, e->value);
    size_t n = 1;
    for (const char *c = e->value; *c; c++)
        n += *c == ',';
    if (n < 2 || n > HS_MAX_AXIS)
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: [grid] %s = %s has %zu value%s (expected a list of 2 to %d "
                            "values separated by commas)",
                            where(e, w, sizeof w), e->key, e->value, n, n == 1 ? "" : "s",
                            HS_MAX_AXIS);
    for (const char *v = e->value;;) {
        const char *end = strchr(v, ',');
        size_t len = end ? (size_t)(end - v) : strlen(v);
        int blank = 1;
        for (size_t j = 0; j < len; j++)
            blank &= v[j] == ' ' || v[j] == '\t';
        if (blank)
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: [grid] %s = %s has an empty value (expected a list of "
                                "values separated by commas)",
                                where(e, w, sizeof w), e->key, e->value);
        if (!end)
            break;
        v = end + 1;
    }
    snprintf(sc->axis_key, sizeof sc->axis_key, "%s", e->key);
    snprintf(sc->axis_values, sizeof sc->axis_values, "%s", e->value);
    sc->axis_line = e->origin.line;
    return HS_OK;
}

/* ------------------------------------------------------------ grid and checks */

static uint64_t gcd(uint64_t a, uint64_t c)
{
    while (c) {
        uint64_t t = a % c;
        a = c;
        c = t;
    }
    return a;
}

static hs_status build_grid(build *b)
{
    hs_scenario *sc = b->sc;
    double horizon = 0;
    for (size_t i = 0; i < sc->n_legs; i++)
        if (sc->legs[i].maturity > horizon)
            horizon = sc->legs[i].maturity;
    if (sc->steps == 0) {
        /* Default: the least common multiple of every fixed hedge count, so each interval
         * strategy lands on the grid; else daily steps. */
        uint64_t l = 0;
        for (size_t i = 0; i < sc->n_strategies; i++) {
            const hs_strategy *s = &sc->strategies[i];
            const hs_param *h = hs_param_find(s->rule->params, s->rule->n_params, "hedges");
            if (!h)
                continue;
            uint64_t n = (uint64_t)s->rule_par[h - s->rule->params];
            l = l ? l / gcd(l, n) * n : n;
            if (l > 1000000)
                return hs_error_set(b->err, HS_EINPUT, "%s: [simulation] steps: the least common "
                                    "multiple of the hedges values exceeds 1000000 (expected "
                                    "steps to be given)", b->ini->file);
        }
        sc->steps = l ? (size_t)l : (size_t)ceil(252.0 * horizon - 1e-9);
        if (sc->steps < 1)
            sc->steps = 1;
    }
    sc->grid = (hs_grid){sc->steps, horizon, horizon / (double)sc->steps};
    for (size_t i = 0; i < sc->n_legs; i++) {
        hs_leg *leg = &sc->legs[i];
        double k = leg->maturity / sc->grid.dt;
        double kr = floor(k + 0.5);
        if (fabs(k - kr) > 1e-7 * (kr > 1 ? kr : 1)) {
            hs_ini_entry *e = hs_ini_get(b->ini, leg->name, "maturity");
            char w[512];
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: [%s] maturity = %s does not fall on the simulation grid "
                                "(%zu steps over %g years, dt = %g; expected a multiple of dt: "
                                "choose steps so that every maturity is on the grid)",
                                where(e, w, sizeof w), leg->name, e->value, sc->steps, horizon,
                                sc->grid.dt);
        }
        leg->expiry_step = (size_t)kr;
    }
    return HS_OK;
}

static hs_status check_model(build *b)
{
    hs_scenario *sc = b->sc;
    hs_model m;
    hs_status st = hs_model_init(&m, sc->model, &sc->model_args, &sc->market, &sc->grid, b->err);
    if (st)
        return st;
    double sigma = sc->model->sigma(&m);
    hs_model_release(&m);
    for (size_t i = 0; i < sc->n_strategies; i++) {
        hs_strategy *s = &sc->strategies[i];
        if (s->vol != HS_VOL_MODEL)
            continue;
        if (!(sigma > 0))
            return hs_error_set(b->err, HS_EINPUT, "%s: [%s] vol = model, but model '%s' has no "
                                "sigma (expected a number or `traded`)", b->ini->file, s->section,
                                sc->model->name);
        s->vol = sigma;
    }
    for (size_t i = 0; i < sc->n_legs; i++) {
        if (!isnan(sc->legs[i].vol))
            continue;
        if (!(sigma > 0)) {
            return hs_error_set(b->err, HS_EINPUT, "%s: [%s] missing key 'vol' (expected the "
                                "traded volatility: model '%s' has no sigma to default to)",
                                b->ini->file, sc->legs[i].name, sc->model->name);
        }
        sc->legs[i].vol = sigma;
    }
    return HS_OK;
}

/* ------------------------------------------------------------------ [stress.*] */

static hs_status build_one_stress(build *b, const char *section)
{
    hs_scenario *sc = b->sc;
    char w[512];
    if (sc->n_stress >= HS_MAX_STRESS)
        return hs_error_set(b->err, HS_EINPUT, "%s: [%s]: too many stress overlays (expected at "
                            "most %d)", section_where(b, section, w, sizeof w), section,
                            HS_MAX_STRESS);
    hs_stress *o = &sc->stress[sc->n_stress];
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", section + strlen("stress."));
    char context[HS_INI_SECTION_LEN + 2];
    snprintf(context, sizeof context, "[%s]", section);
    hs_ini_entry *e = hs_ini_get(b->ini, section, "type");
    if (!e)
        return hs_error_set(b->err, HS_EINPUT, "%s: %s: missing key 'type' (expected crash, gap "
                            "or vol)", section_where(b, section, w, sizeof w), context);
    e->used = 1;
    o->type = hs_stress_type_find(e->value);
    if (!o->type) {
        const char *names[16];
        size_t n = 0;
        for (const hs_stress_type *const *t = hs_stress_types(); *t && n < 15; t++)
            names[n++] = (*t)->name;
        names[n] = NULL;
        return unknown_name(b, e, context, "stress overlay", names);
    }
    for (size_t i = 0; i < o->type->n_params; i++) {
        const hs_param *p = &o->type->params[i];
        hs_ini_entry *pe = hs_ini_get(b->ini, section, p->key);
        if (pe)
            where(pe, o->at[i], sizeof o->at[i]);
        else
            section_where(b, section, o->at[i], sizeof o->at[i]);
        hs_status st = get_number(b, section, context, p, &o->par[i]);
        if (st)
            return st;
    }
    sc->n_stress++;
    return HS_OK;
}

static hs_status build_stress(build *b)
{
    for (size_t i = 0; i < b->ini->n_sections; i++) {
        const char *s = b->ini->sections[i].name;
        if (!section_is(s, "stress"))
            continue;
        int seen = 0;
        for (size_t j = 0; j < b->sc->n_stress; j++)
            seen |= !strcmp(b->sc->stress[j].name, s + strlen("stress."));
        if (seen)
            continue;
        hs_status st = build_one_stress(b, s);
        if (st)
            return st;
    }
    return HS_OK;
}

/* Resolve the overlays on the grid, with the model's sigma for vol overlays. */
static hs_status resolve_stress(build *b)
{
    hs_scenario *sc = b->sc;
    if (sc->n_stress == 0)
        return HS_OK;
    hs_model m;
    hs_status st = hs_model_init(&m, sc->model, &sc->model_args, &sc->market, &sc->grid, b->err);
    if (st)
        return st;
    double sigma = sc->model->sigma(&m);
    hs_model_release(&m);
    for (size_t i = 0; i < sc->n_stress && !st; i++)
        st = sc->stress[i].type->resolve(&sc->stress[i], &sc->grid, sigma,
                                         sc->market.rate - sc->market.dividend, b->err);
    return st;
}

static hs_status check_rules(build *b)
{
    /* The ratios see the model (ratio = model checks that it has a price). */
    hs_model m;
    hs_status st = hs_model_init(&m, b->sc->model, &b->sc->model_args, &b->sc->market,
                                 &b->sc->grid, b->err);
    if (st)
        return st;
    for (size_t i = 0; i < b->sc->n_strategies && !st; i++) {
        hs_strategy *s = &b->sc->strategies[i];
        hs_rule_state rs;
        hs_ratio_ctx rc;
        char context[2 * HS_NAME_LEN + 16], w[512];
        snprintf(context, sizeof context, "[%s] %s", s->section, s->name);
        st = hs_strategy_setup(s, b->sc->legs, b->sc->n_legs, &b->sc->market, &b->sc->grid, &m,
                               section_where(b, s->section, w, sizeof w), context, &rs, &rc,
                               b->err);
    }
    hs_model_release(&m);
    return st;
}

hs_status hs_scenario_build(hs_ini *ini, hs_scenario **out, hs_error *err)
{
    *out = NULL;
    hs_scenario *sc = calloc(1, sizeof *sc);
    if (!sc)
        return hs_error_set(err, HS_ERUNTIME, "%s: out of memory", ini->file);
    snprintf(sc->file, sizeof sc->file, "%s", ini->file);
    build b = {ini, sc, err};
    for (size_t i = 0; i < ini->n; i++)
        ini->entries[i].used = 0;
    hs_status st = check_sections(&b);
    if (!st)
        st = build_header(&b);
    if (!st)
        st = build_model(&b);
    if (!st)
        st = build_legs(&b);
    if (!st)
        st = build_strategies(&b);
    if (!st)
        st = build_stress(&b);
    if (!st)
        st = build_axis(&b);
    if (!st)
        st = check_unused(&b, NULL, 0);
    if (!st)
        st = build_grid(&b);
    if (!st)
        st = check_model(&b);
    if (!st)
        st = check_rules(&b);
    if (!st)
        st = resolve_stress(&b);
    if (st) {
        free(sc);
        return st;
    }
    *out = sc;
    return HS_OK;
}

hs_status hs_scenario_load(const char *path, const char *const *sets, size_t n_sets,
                           hs_scenario **out, hs_error *err)
{
    return hs_scenario_load_at(path, sets, NULL, n_sets, out, err);
}

hs_status hs_scenario_load_at(const char *path, const char *const *sets,
                              const hs_origin *origins, size_t n_sets, hs_scenario **out,
                              hs_error *err)
{
    *out = NULL;
    hs_ini *ini = NULL;
    hs_status st = hs_ini_read(path, &ini, err);
    if (st)
        return st;
    for (size_t i = 0; i < n_sets && !st; i++)
        st = hs_ini_set_at(ini, sets[i], origins ? origins[i] : (hs_origin){"--set", 0}, err);
    if (!st)
        st = hs_scenario_build(ini, out, err);
    hs_ini_free(ini);
    return st;
}

void hs_scenario_free(hs_scenario *sc)
{
    free(sc);
}
