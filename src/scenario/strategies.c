/*
 * The [strategy.NAME] sections: the common keys (hedge vol and frictions), the rule's
 * and the ratio's own keys, and the sweep expansion: a key flagged HS_PARAM_SWEEP may
 * hold a list, and the section becomes one strategy per combination of list values, the
 * last key varying fastest, named NAME[key=value,...].  Finally each strategy is set up
 * once against the model (hs_strategy_setup), so that ratio = model is refused where
 * the model has no price.
 */
#define _POSIX_C_SOURCE 200809L
#include "build.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most values one key of a strategy may list. */
#define MAX_SWEEP 64

/* One key of a strategy section: its row and its values (one, or several for a sweep),
 * each with its text as written (pointers into buf, a copy of the value: names of the
 * swept strategies show it whole). */
typedef struct sweep_key {
    const hs_param *row;
    hs_origin origin;
    size_t n;
    double values[MAX_SWEEP];
    const char *text[MAX_SWEEP];
    char *buf;
    int given;
} sweep_key;

static hs_status parse_values(build *b, const char *context, sweep_key *k, hs_ini_entry *e)
{
    char *buf = k->buf = strdup(e->value);
    if (!buf)
        return hs_error_set(b->err, HS_ERUNTIME, "%s: out of memory", b->ini->file);
    k->n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        char *end = tok + strlen(tok);
        while (end > tok && isspace((unsigned char)end[-1]))
            *--end = '\0';
        if (k->n >= MAX_SWEEP) {
            char w[512];
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: %s: %s has more than %d values (expected "
                                "a shorter sweep)",
                                hs_scn_where(e, w, sizeof w), context, e->key, MAX_SWEEP);
        }
        hs_status st = HS_OK;
        if (k->row->kind == HS_PARAM_NAME)
            st = hs_scn_parse_choice(b, context, k->row, e, tok, &k->values[k->n]);
        else if (!strcmp(k->row->key, "vol") && !strcmp(tok, "traded"))
            k->values[k->n] = HS_VOL_TRADED;
        else if (!strcmp(k->row->key, "vol") && !strcmp(tok, "model"))
            k->values[k->n] = HS_VOL_MODEL;
        else
            st = hs_param_parse_number(k->row, tok, e->origin, context, &k->values[k->n], b->err);
        if (st)
            return st;
        k->text[k->n] = tok;
        k->n++;
    }
    if (k->n == 0) {
        char w[512];
        return hs_error_set(b->err, HS_EINPUT, "%s: %s: %s is empty (expected %s)",
                            hs_scn_where(e, w, sizeof w), context, e->key, k->row->help);
    }
    return HS_OK;
}

/* Where a key that was not given is reported: the section's header (origins outlive
 * the ini, so the file name points into the scenario), or --set for a section made by
 * --set alone. */
static hs_origin section_origin(const build *b, const char *section)
{
    for (size_t i = 0; i < b->ini->n_sections; i++)
        if (!strcmp(b->ini->sections[i].name, section))
            return (hs_origin){b->sc->file, b->ini->sections[i].origin.line};
    for (size_t i = 0; i < b->ini->n; i++)
        if (!strcmp(b->ini->entries[i].section, section)) {
            hs_origin o;
            hs_scn_origin_of(b, &b->ini->entries[i], &o);
            return o;
        }
    return (hs_origin){b->sc->file, 0};
}

static hs_status read_key(build *b, const char *section, const char *context, sweep_key *k)
{
    hs_ini_entry *e = hs_ini_get(b->ini, section, k->row->key);
    k->n = 1;
    k->given = e != NULL;
    if (!e) {
        if (k->row->flags & HS_PARAM_REQUIRED) {
            char expected[512];
            snprintf(expected, sizeof expected, "%s, %s", k->row->help, k->row->unit);
            return hs_scn_missing_key(b, section, context, k->row->key, expected);
        }
        k->values[0] = (k->row->flags & HS_PARAM_DERIVED) ? NAN : k->row->def;
        k->origin = section_origin(b, section);
        return HS_OK;
    }
    e->used = 1;
    hs_scn_origin_of(b, e, &k->origin);
    if (hs_scn_is_list(e->value) && !(k->row->flags & HS_PARAM_SWEEP)) {
        char w[512], vs[HS_VALUE_SHOWN + 32];
        return hs_error_set(b->err, HS_EINPUT, "%s: %s: %s = %s is a list (expected one value)",
                            hs_scn_where(e, w, sizeof w), context, e->key,
                            hs_value_shown(e->value, vs, sizeof vs));
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
        return hs_scn_unknown_name(b, e, context, "rebalancing rule", names);
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
        return hs_scn_unknown_name(b, e, context, "hedge ratio", names);
    }

    /* Keys: vol, cost, then the rule's and the ratio's own. */
    sweep_key *keys = calloc(4 * HS_MAX_PARAMS, sizeof *keys);
    if (!keys)
        return hs_error_set(b->err, HS_ERUNTIME, "%s: out of memory", b->ini->file);
    hs_status st = expand_strategy(b, section, context, rule, ratio, keys);
    for (size_t i = 0; i < 4 * HS_MAX_PARAMS; i++)
        free(keys[i].buf);
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
        keys[nk++] = (sweep_key){.row = &hs_scn_strategy_params[STRAT_FIRST_COMMON + i]};
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
    if (sc->n_strategies + combos > HS_MAX_STRATEGIES) {
        char w[512];
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: %s: the sweep makes more than %d strategies "
                            "(expected fewer list values)",
                            hs_scn_section_where(b, section, w, sizeof w), context,
                            HS_MAX_STRATEGIES);
    }

    /* Expand the product; the last key varies fastest. */
    for (size_t c = 0; c < combos; c++) {
        hs_strategy *s = &sc->strategies[sc->n_strategies++];
        memset(s, 0, sizeof *s);
        snprintf(s->section, sizeof s->section, "%s", section);
        s->rule = rule;
        s->ratio = ratio;
        size_t rest = c;
        size_t idx[4 * HS_MAX_PARAMS];
        for (size_t i = nk; i-- > 0;) {
            idx[i] = rest % keys[i].n;
            rest /= keys[i].n;
        }
        /* The name: NAME, or NAME[key=value,...] with the swept values; one that does
         * not fit the name field is refused, never cut (two cut names could collide). */
        const char *short_name = section + strlen("strategy.");
        size_t len = (size_t)snprintf(s->name, sizeof s->name, "%s", short_name);
        int first = 1;
        for (size_t i = 0; i < nk && len < sizeof s->name; i++) {
            if (keys[i].n > 1) {
                len += (size_t)snprintf(s->name + len, sizeof s->name - len, "%s%s=%s",
                                        first ? "[" : ",", keys[i].row->key, keys[i].text[idx[i]]);
                first = 0;
            }
        }
        if (!first && len < sizeof s->name)
            len += (size_t)snprintf(s->name + len, sizeof s->name - len, "]");
        if (len >= sizeof s->name) {
            char w[512];
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: %s: the name of a swept strategy, '%.60s...', is longer "
                                "than %zu characters (expected a shorter section name or "
                                "shorter list values)",
                                hs_scn_section_where(b, section, w, sizeof w), context, s->name,
                                sizeof s->name - 1);
        }
        double v[STRAT_N_COMMON];
        for (size_t i = 0; i < STRAT_N_COMMON; i++)
            v[i] = keys[i].values[idx[i]];
        s->vol = v[0];
        s->costs = (hs_costs){.prop = v[1],
                              .fee = v[2],
                              .spread = v[3],
                              .lot = v[4],
                              .min_trade = v[5],
                              .charge_initial = (int)v[6],
                              .charge_unwind = (int)v[7],
                              .borrow = v[8],
                              .min_gap = v[9]};
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

hs_status hs_scn_build_strategies(build *b)
{
    char done[HS_MAX_STRATEGIES][HS_INI_SECTION_LEN];
    size_t n_done = 0;
    /* Sections in order of appearance: headers first (they carry the file order). */
    for (size_t pass = 0; pass < 2; pass++) {
        size_t n = pass == 0 ? b->ini->n_sections : b->ini->n;
        for (size_t i = 0; i < n; i++) {
            const char *s = pass == 0 ? b->ini->sections[i].name : b->ini->entries[i].section;
            if (!hs_scn_section_is(s, "strategy"))
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
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: no [strategy.NAME] section (expected at least "
                            "one hedging strategy, e.g. [strategy.hedge] with hedges = 21)",
                            b->ini->file);
    return HS_OK;
}

hs_status hs_scn_check_rules(build *b)
{
    /* The ratios see the model (ratio = model checks that it has a price). */
    hs_model m;
    hs_status st =
        hs_model_init(&m, b->sc->model, &b->sc->model_args, &b->sc->market, &b->sc->grid, b->err);
    if (st)
        return st;
    for (size_t i = 0; i < b->sc->n_strategies && !st; i++) {
        hs_strategy *s = &b->sc->strategies[i];
        hs_rule_state rs;
        hs_ratio_ctx rc;
        char context[2 * HS_NAME_LEN + 16], w[512];
        snprintf(context, sizeof context, "[%s] %s", s->section, s->name);
        st = hs_strategy_setup(s, b->sc->legs, b->sc->n_legs, &b->sc->market, &b->sc->grid, &m,
                               hs_scn_section_where(b, s->section, w, sizeof w), context, &rs, &rc,
                               b->err);
    }
    hs_model_release(&m);
    return st;
}
