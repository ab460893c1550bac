/*
 * The [stress.NAME] sections: one overlay each (crash, gap, vol; models/stress.c owns
 * what they do), read with the overlay type's parameter table and resolved on the grid
 * once the model's sigma is known.
 */
#define _POSIX_C_SOURCE 200809L
#include "build.h"

#include <stdio.h>
#include <string.h>

static hs_status build_one_stress(build *b, const char *section)
{
    hs_scenario *sc = b->sc;
    char w[512];
    if (sc->n_stress >= HS_MAX_STRESS)
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: [%s]: too many stress overlays (expected at "
                            "most %d)",
                            hs_scn_section_where(b, section, w, sizeof w), section, HS_MAX_STRESS);
    hs_stress *o = &sc->stress[sc->n_stress];
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", section + strlen("stress."));
    char context[HS_INI_SECTION_LEN + 2];
    snprintf(context, sizeof context, "[%s]", section);
    hs_ini_entry *e = hs_ini_get(b->ini, section, "type");
    if (!e) {
        char expected[256] = "one of: ";
        int i = 0;
        for (const hs_stress_type *const *t = hs_stress_types(); *t; t++, i++) {
            size_t used = strlen(expected);
            snprintf(expected + used, sizeof expected - used, "%s%s", i ? ", " : "", (*t)->name);
        }
        size_t used = strlen(expected);
        snprintf(expected + used, sizeof expected - used, ", implied");
        return hs_scn_missing_key(b, section, context, "type", expected);
    }
    e->used = 1;
    if (!strcmp(e->value, "implied"))
        return hs_scn_build_implied(b, section); /* horizon marks only (risk.c) */
    o->type = hs_stress_type_find(e->value);
    if (!o->type) {
        const char *names[16];
        size_t n = 0;
        for (const hs_stress_type *const *t = hs_stress_types(); *t && n < 14; t++)
            names[n++] = (*t)->name;
        names[n++] = "implied";
        names[n] = NULL;
        return hs_scn_unknown_name(b, e, context, "stress overlay", names);
    }
    for (size_t i = 0; i < o->type->n_params; i++) {
        const hs_param *p = &o->type->params[i];
        hs_ini_entry *pe = hs_ini_get(b->ini, section, p->key);
        if (pe)
            hs_scn_where(pe, o->at[i], sizeof o->at[i]);
        else
            hs_scn_section_where(b, section, o->at[i], sizeof o->at[i]);
        hs_status st = hs_scn_get_number(b, section, context, p, &o->par[i]);
        if (st)
            return st;
    }
    sc->n_stress++;
    return HS_OK;
}

hs_status hs_scn_build_stress(build *b)
{
    /* Sections in order of appearance: headers, then those made by --set alone. */
    for (size_t i = 0; i < b->ini->n_sections + b->ini->n; i++) {
        const char *s = i < b->ini->n_sections ? b->ini->sections[i].name
                                               : b->ini->entries[i - b->ini->n_sections].section;
        if (!hs_scn_section_is(s, "stress"))
            continue;
        int seen = 0;
        for (size_t j = 0; j < b->sc->n_stress; j++)
            seen |= !strcmp(b->sc->stress[j].name, s + strlen("stress."));
        for (size_t j = 0; j < b->sc->risk.n_shocks; j++)
            seen |= !strcmp(b->sc->risk.shocks[j].name, s + strlen("stress."));
        if (seen)
            continue;
        hs_status st = build_one_stress(b, s);
        if (st)
            return st;
    }
    return HS_OK;
}

/* Resolve the overlays on the grid, with the model's sigma for vol overlays. */
hs_status hs_scn_resolve_stress(build *b)
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
