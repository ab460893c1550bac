/*
 * The market, the model and the book of a scenario: [scenario] and [simulation]
 * headers, [market], [model] with the model type's own parameter table (numbers, text,
 * choices and lists), and the option legs [option] / [option.NAME] in file order.
 */
#define _POSIX_C_SOURCE 200809L
#include "build.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/instrument.h"

hs_status hs_scn_build_header(build *b)
{
    hs_scenario *sc = b->sc;
    /* Default name: the file name without directory and extension. */
    const char *base = strrchr(sc->file, '/');
    base = base ? base + 1 : sc->file;
    snprintf(sc->name, sizeof sc->name, "%.*s", (int)sizeof sc->name - 1, base);
    char *ext = strrchr(sc->name, '.');
    if (ext && ext != sc->name)
        *ext = '\0';
    hs_status ts = hs_scn_get_text(b, "scenario", "[scenario]", "name", sc->name, sizeof sc->name);
    if (!ts)
        ts = hs_scn_get_text(b, "scenario", "[scenario]", "description", sc->description,
                             sizeof sc->description);
    if (ts)
        return ts;

    double v[4];
    for (size_t i = 0; i < hs_scn_n_simulation_params; i++) {
        hs_status st =
            hs_scn_get_number(b, "simulation", "[simulation]", &hs_scn_simulation_params[i], &v[i]);
        if (st)
            return st;
    }
    /* Each value is whole and in its row's range (checked by hs_scn_get_number), so the
     * conversions are exact; steps is NaN when not given (derived later). */
    sc->paths = (uint64_t)v[0];
    sc->seed = (uint64_t)v[1];
    sc->steps = isnan(v[2]) ? 0 : (size_t)v[2];
    sc->threads = (int)v[3];

    double m[3];
    for (size_t i = 0; i < hs_scn_n_market_params; i++) {
        hs_status st = hs_scn_get_number(b, "market", "[market]", &hs_scn_market_params[i], &m[i]);
        if (st)
            return st;
    }
    sc->market = (hs_market){m[0], m[1], m[2]};
    return HS_OK;
}

/* One model parameter of any kind into args slot i (see hs_model_args). */
static hs_status get_model_value(build *b, const char *context, const hs_param *p, hs_model_args *a,
                                 size_t i)
{
    hs_ini_entry *e = hs_ini_get(b->ini, "model", p->key);
    char w[512];
    if (e)
        snprintf(a->at[i], sizeof a->at[i], "%s", hs_scn_where(e, w, sizeof w));
    else
        snprintf(a->at[i], sizeof a->at[i], "%s", hs_scn_section_where(b, "model", w, sizeof w));
    if (p->kind == HS_PARAM_REAL || p->kind == HS_PARAM_INT)
        return hs_scn_get_number(b, "model", context, p, &a->par[i]);
    if (!e) {
        if (p->flags & HS_PARAM_REQUIRED) {
            char expected[512];
            snprintf(expected, sizeof expected, "%s, %s", p->help, p->unit);
            return hs_scn_missing_key(b, "model", context, p->key, expected);
        }
        return HS_OK;
    }
    e->used = 1;
    if (p->kind == HS_PARAM_TEXT) {
        hs_status st = hs_scn_get_text(b, "model", context, p->key, a->text[i], sizeof a->text[i]);
        if (st)
            return st;
        if (!a->text[i][0])
            return hs_error_set(b->err, HS_EINPUT, "%s: %s: %s is empty (expected %s)", a->at[i],
                                context, p->key, p->help);
        return HS_OK;
    }
    if (p->kind == HS_PARAM_NAME) /* choices "a|b|c": the value is stored as its index */
        return hs_scn_parse_choice(b, context, p, e, e->value, &a->par[i]);
    /* LIST: comma-separated numbers, each checked like a scalar of the same row. */
    hs_param scalar = *p;
    scalar.kind = HS_PARAM_REAL;
    char *buf = strdup(e->value); /* the value is not bounded: split a copy of it whole */
    if (!buf)
        return hs_error_set(b->err, HS_ERUNTIME, "%s: out of memory", a->at[i]);
    size_t n = 0;
    hs_status st = HS_OK;
    for (char *tok = buf, *next; tok && !st; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = '\0';
        if (n == HS_MAX_LIST) {
            st = hs_error_set(b->err, HS_EINPUT,
                              "%s: %s: %s has more than %d values (expected at most %d)", a->at[i],
                              context, p->key, HS_MAX_LIST, HS_MAX_LIST);
            break;
        }
        st = hs_param_parse_number(&scalar, tok, e->origin, context, &a->list[i][n], b->err);
        n++;
    }
    free(buf);
    a->list_n[i] = st ? 0 : n;
    return st;
}

hs_status hs_scn_build_model(build *b)
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
        return hs_scn_unknown_name(b, e, "[model]", "model", names);
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
    char where[512];
    if (sc->n_legs >= HS_MAX_LEGS)
        return hs_error_set(
            b->err, HS_EINPUT, "%s: [%s]: too many option legs (expected at most %d)",
            hs_scn_section_where(b, section, where, sizeof where), section, HS_MAX_LEGS);
    hs_leg *leg = &sc->legs[sc->n_legs];
    memset(leg, 0, sizeof *leg);
    snprintf(leg->name, sizeof leg->name, "%s", section);
    char context[HS_INI_SECTION_LEN + 2];
    snprintf(context, sizeof context, "[%s]", section);

    hs_ini_entry *e = hs_ini_get(b->ini, section, "type");
    if (!e)
        return hs_scn_missing_key(b, section, context, "type",
                                  "an instrument, see `hedgesim list`");
    e->used = 1;
    leg->type = hs_instrument_type_find(e->value);
    if (!leg->type) {
        const char *names[64];
        size_t n = 0;
        for (const hs_instrument_type *const *t = hs_instrument_types(); *t && n < 63; t++)
            names[n++] = (*t)->name;
        names[n] = NULL;
        return hs_scn_unknown_name(b, e, context, "instrument", names);
    }
    double v[5];
    for (size_t i = 1; i < hs_scn_n_option_params; i++) {
        hs_status st = hs_scn_get_number(b, section, context, &hs_scn_option_params[i], &v[i]);
        if (st)
            return st;
    }
    if (v[3] == 0) {
        char w[512];
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: %s: quantity = 0 holds nothing (expected a "
                            "non-zero number of units, negative = short)",
                            hs_scn_where(hs_ini_get(b->ini, section, "quantity"), w, sizeof w),
                            context);
    }
    leg->strike = v[1];
    leg->maturity = v[2];
    leg->quantity = v[3];
    leg->vol = v[4]; /* NaN: filled from the model's sigma below */
    sc->n_legs++;
    return HS_OK;
}

hs_status hs_scn_build_legs(build *b)
{
    /* Legs in the order their sections first appear, [option] included. */
    for (size_t i = 0; i < b->ini->n; i++) {
        const char *s = b->ini->entries[i].section;
        if (strcmp(s, "option") && !hs_scn_section_is(s, "option"))
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
        if ((!strcmp(s, "option") || hs_scn_section_is(s, "option")) &&
            !hs_ini_get(b->ini, s, "type")) {
            char w[512];
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: [%s] is empty (expected type, strike and "
                                "maturity of an option leg)",
                                hs_origin_str(b->ini->sections[i].origin, w, sizeof w), s);
        }
    }
    if (b->sc->n_legs == 0)
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: no [option] section (expected at least one "
                            "option leg to hedge)",
                            b->ini->file);
    return HS_OK;
}
