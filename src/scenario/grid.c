/*
 * The time grid of a scenario and the checks that need it: the [grid] axis (one
 * parameter swept across runs), the number of steps (default: the least common multiple
 * of the interval strategies' hedge counts, else 252 a year), every maturity on the
 * grid, and the model's sigma filled in where a vol was left to the model.
 */
#define _POSIX_C_SOURCE 200809L
#include "build.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The [grid] section: one key "section.key = v1, v2, ..." naming a parameter outside
 * [strategy.*] (strategy keys take lists themselves: a sweep on the same paths) with
 * 2 .. HS_MAX_AXIS values.  Only its shape is checked here; each value is checked when
 * the command builds the scenario with it (hs_scenario_load_at), with this line named. */
#define HS_MAX_AXIS 64

hs_status hs_scn_build_axis(build *b)
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
                                hs_scn_where(f, w, sizeof w), f->key, f->value, e->key);
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
                            hs_scn_where(e, w, sizeof w), e->key, e->value);
    if (!strncmp(e->key, "strategy.", 9))
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: [grid] key '%s' = %s is a strategy key (expected a key outside "
                            "[strategy.*]; give the list in the strategy section instead: a "
                            "sweep runs on the same paths)",
                            hs_scn_where(e, w, sizeof w), e->key, e->value);
    size_t n = 1;
    for (const char *c = e->value; *c; c++)
        n += *c == ',';
    if (n < 2 || n > HS_MAX_AXIS)
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: [grid] %s = %s has %zu value%s (expected a list of 2 to %d "
                            "values separated by commas)",
                            hs_scn_where(e, w, sizeof w), e->key, e->value, n, n == 1 ? "" : "s",
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
                                hs_scn_where(e, w, sizeof w), e->key, e->value);
        if (!end)
            break;
        v = end + 1;
    }
    /* The axis names a key of a section the scenario has (or one with defaults): the
     * values are applied as overrides, which may not create a section. */
    size_t sl = (size_t)(dot - e->key);
    int exists = 0;
    static const char *const fixed[] = {"scenario", "simulation", "market", "model"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        exists |= strlen(fixed[i]) == sl && !strncmp(fixed[i], e->key, sl);
    for (size_t i = 0; i < b->ini->n_sections && !exists; i++)
        exists |= strlen(b->ini->sections[i].name) == sl &&
                  !strncmp(b->ini->sections[i].name, e->key, sl);
    if (!exists)
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: [grid] key '%s' = %s names no section of the scenario (expected "
                            "section.key of a section in the file, or of [simulation], [market] "
                            "or [model])",
                            hs_scn_where(e, w, sizeof w), e->key, e->value);
    if (strlen(e->value) >= sizeof sc->axis_values)
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: [grid] %s: list of %zu characters is too long (expected at most "
                            "%zu)",
                            hs_scn_where(e, w, sizeof w), e->key, strlen(e->value),
                            sizeof sc->axis_values - 1);
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

hs_status hs_scn_build_grid(build *b)
{
    hs_scenario *sc = b->sc;
    double horizon = 0;
    for (size_t i = 0; i < sc->n_legs; i++)
        if (sc->legs[i].maturity > horizon)
            horizon = sc->legs[i].maturity;
    if (sc->steps == 0) {
        /* Default: the least common multiple of every fixed hedge count, so each interval
         * strategy lands on the grid; else daily steps.  A strategy that gives `every`
         * instead of `hedges` (hedges NaN) or neither (its rule reports that) has no
         * count to fit: with `every = h` alone the grid is daily and it trades every
         * h days. */
        uint64_t l = 0;
        for (size_t i = 0; i < sc->n_strategies; i++) {
            const hs_strategy *s = &sc->strategies[i];
            const hs_param *h = hs_param_find(s->rule->params, s->rule->n_params, "hedges");
            if (!h)
                continue;
            double hv = s->rule_par[h - s->rule->params];
            if (!(hv >= 1 && hv <= h->max)) /* NaN (not given); a range the row checked */
                continue;
            uint64_t n = (uint64_t)hv;
            l = l ? l / gcd(l, n) * n : n;
            if (l > 1000000)
                return hs_error_set(b->err, HS_EINPUT,
                                    "%s: [simulation] steps: the least common "
                                    "multiple of the hedges values exceeds 1000000 (expected "
                                    "steps to be given)",
                                    b->ini->file);
        }
        double daily = ceil(252.0 * horizon - 1e-9); /* horizon <= 100 years: exact */
        sc->steps = l ? (size_t)l : daily >= 1 ? (size_t)daily : 1;
    }
    sc->grid = (hs_grid){sc->steps, horizon, horizon / (double)sc->steps};
    for (size_t i = 0; i < sc->n_legs; i++) {
        hs_leg *leg = &sc->legs[i];
        double k = leg->maturity / sc->grid.dt;
        double kr = floor(k + 0.5);
        if (fabs(k - kr) > 1e-7 * (kr > 1 ? kr : 1)) {
            hs_ini_entry *e = hs_ini_get(b->ini, leg->name, "maturity");
            char w[512], vs[HS_VALUE_SHOWN + 32];
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: [%s] maturity = %s does not fall on the simulation grid "
                                "(%zu steps over %g years, dt = %g; expected a multiple of dt: "
                                "choose steps so that every maturity is on the grid)",
                                hs_scn_where(e, w, sizeof w), leg->name,
                                hs_value_shown(e->value, vs, sizeof vs), sc->steps, horizon,
                                sc->grid.dt);
        }
        leg->expiry_step = (size_t)kr;
    }
    return HS_OK;
}

hs_status hs_scn_check_model(build *b)
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
        if (!(sigma > 0)) {
            char w[512];
            hs_ini_entry *e = hs_ini_get(b->ini, s->section, "vol");
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: [%s] vol = model, but model '%s' has no "
                                "sigma (expected a number or `traded`)",
                                e ? hs_scn_where(e, w, sizeof w)
                                  : hs_scn_section_where(b, s->section, w, sizeof w),
                                s->section, sc->model->name);
        }
        s->vol = sigma;
    }
    for (size_t i = 0; i < sc->n_legs; i++) {
        if (!isnan(sc->legs[i].vol))
            continue;
        if (!(sigma > 0)) {
            char w[512];
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: [%s] missing key 'vol' (expected the "
                                "traded volatility: model '%s' has no sigma to default to)",
                                hs_scn_section_where(b, sc->legs[i].name, w, sizeof w),
                                sc->legs[i].name, sc->model->name);
        }
        sc->legs[i].vol = sigma;
    }
    return HS_OK;
}
