/*
 * Interpreting a scenario: from checked INI entries to a validated hs_scenario
 * (scenario.h; the format is in docs/architecture.md).
 *
 * Every section has a parameter table; models, rules, ratios and instruments bring
 * their own.  A value is parsed once, checked for type, finiteness and range, and
 * marked used; anything left unused afterwards is an unknown key, reported with the
 * closest valid name.  Lists (comma-separated) are accepted only in keys flagged
 * HS_PARAM_SWEEP of [strategy.*] sections, where they expand into one strategy per
 * combination, in the order the keys appear in the rule's table.
 *
 * The steps live in this folder, one file each: sections.c (tables, section names,
 * unknown keys), values.c (one value), legs.c (header, market, model, options),
 * strategies.c (strategies and sweeps), overlays.c ([stress.*]), grid.c (time grid,
 * [grid] axis, model checks); build.h is their private interface.
 */
#define _POSIX_C_SOURCE 200809L
#include "build.h"

#include <stdio.h>
#include <stdlib.h>

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
    hs_status st = hs_scn_check_sections(&b);
    if (!st)
        st = hs_scn_build_header(&b);
    if (!st)
        st = hs_scn_build_model(&b);
    if (!st)
        st = hs_scn_build_legs(&b);
    if (!st)
        st = hs_scn_build_strategies(&b);
    if (!st)
        st = hs_scn_build_stress(&b);
    if (!st)
        st = hs_scn_build_risk(&b);
    if (!st)
        st = hs_scn_build_axis(&b);
    if (!st)
        st = hs_scn_check_unused(&b, NULL, 0);
    if (!st)
        st = hs_scn_build_grid(&b);
    if (!st)
        st = hs_scn_check_model(&b);
    if (!st)
        st = hs_scn_check_rules(&b);
    if (!st)
        st = hs_scn_resolve_stress(&b);
    if (!st)
        st = hs_scn_resolve_risk(&b);
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

/* Apply the overrides to ini, build, and free ini whatever happens. */
static hs_status override_and_build(hs_ini *ini, const char *const *sets, const hs_origin *origins,
                                    size_t n_sets, hs_scenario **out, hs_error *err)
{
    hs_status st = HS_OK;
    for (size_t i = 0; i < n_sets && !st; i++)
        st = hs_ini_set_at(ini, sets[i], origins ? origins[i] : (hs_origin){"--set", 0}, err);
    if (!st)
        st = hs_scenario_build(ini, out, err);
    hs_ini_free(ini);
    return st;
}

hs_status hs_scenario_load_at(const char *path, const char *const *sets, const hs_origin *origins,
                              size_t n_sets, hs_scenario **out, hs_error *err)
{
    *out = NULL;
    hs_ini *ini = NULL;
    hs_status st = hs_ini_read(path, &ini, err);
    return st ? st : override_and_build(ini, sets, origins, n_sets, out, err);
}

hs_status hs_scenario_load_string(const char *text, const char *file, const char *const *sets,
                                  size_t n_sets, hs_scenario **out, hs_error *err)
{
    *out = NULL;
    hs_ini *ini = NULL;
    hs_status st = hs_ini_parse_string(text, file, &ini, err);
    return st ? st : override_and_build(ini, sets, NULL, n_sets, out, err);
}

void hs_scenario_free(hs_scenario *sc)
{
    free(sc);
}
