/*
 * The [risk] section and the `[stress.NAME] type = implied` overlays (risk.h, issue 13):
 * read before the grid is known, resolved on it afterwards.
 *
 *   [risk]
 *   horizons = 0.003968253968, 0.03968253968   ; years, each on the grid, in (0, T]
 *   mark     = model | implied                  ; how options alive at a horizon are valued
 *   drawdown = 0 | 1                            ; mark at every step, largest fall from peak
 *
 *   [stress.NAME]
 *   type = implied
 *   size = 10          ; vol points added to every leg's implied vol (10 = +0.10)
 *   time = 0           ; in force from the grid time nearest `time` on (0: from t1, "0+")
 *   from = .., to = .. ; or in force at the grid times in [from, to) only
 *
 * A horizon must be a grid time (within 1e-7 of a step, as maturities are) after t0 and
 * at or before the last maturity; mark = model needs a model with a price
 * (model_price.h); an implied overlay needs mark = implied and must leave every leg's
 * implied vol non-negative.  Each refusal names file:line, key, value and what was
 * expected.
 */
#define _POSIX_C_SOURCE 200809L
#include "build.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/model_price.h"

const char *const hs_explain_names[HS_EX_TERMS] = {"edge",  "delta", "gamma", "vega",
                                                   "theta", "carry", "costs", "residual"};

const hs_param hs_scn_risk_params[] = {
    {"horizons", HS_PARAM_TEXT, 0, 0, 0, "years",
     "comma-separated horizons at which the book is marked, each a grid time in (0, T]", NULL,
     HS_PARAM_REQUIRED},
    {"mark", HS_PARAM_NAME, 0, 1, 0, "name",
     "how options alive at a horizon are valued: the model's price or Black-Scholes at the "
     "implied vol",
     "model|implied", 0},
    {"drawdown", HS_PARAM_INT, 0, 1, 0, "flag",
     "1: mark the book at every grid step and report the largest fall from its running peak", NULL,
     0},
};
const size_t hs_scn_n_risk_params = sizeof hs_scn_risk_params / sizeof hs_scn_risk_params[0];

const hs_param hs_scn_implied_params[] = {
    {"size", HS_PARAM_REAL, -500, 500, 0, "vol points",
     "implied vol shift added to every leg (10 = +0.10)", NULL, HS_PARAM_REQUIRED},
    {"time", HS_PARAM_REAL, 0, 1000, 0, "years",
     "in force from the grid time nearest `time` on (0: from the first step, 0+)", NULL,
     HS_PARAM_DERIVED},
    {"from", HS_PARAM_REAL, 0, 1000, 0, "years", "start of a window (instead of `time`)", NULL,
     HS_PARAM_DERIVED},
    {"to", HS_PARAM_REAL, 0, 1000, 0, "years", "end of the window (default: the horizon)", NULL,
     HS_PARAM_DERIVED},
};
const size_t hs_scn_n_implied_params =
    sizeof hs_scn_implied_params / sizeof hs_scn_implied_params[0];

const hs_param *hs_risk_params(size_t *n)
{
    *n = hs_scn_n_risk_params;
    return hs_scn_risk_params;
}

const hs_param *hs_implied_params(size_t *n)
{
    *n = hs_scn_n_implied_params;
    return hs_scn_implied_params;
}

double hs_risk_implied_shift(const hs_risk *r, size_t k)
{
    double s = 0.0;
    for (size_t i = 0; i < r->n_shocks; i++)
        if (k >= r->shocks[i].k_from && k < r->shocks[i].k_to)
            s += r->shocks[i].shift;
    return s;
}

/* Parse the horizons list (strtod per item), increasing order not required. */
static hs_status parse_horizons(build *b, hs_ini_entry *e)
{
    hs_risk *r = &b->sc->risk;
    char w[512], vs[HS_VALUE_SHOWN + 32];
    const char *s = e->value;
    r->n_horizons = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        const char *after = end;
        while (*after == ' ' || *after == '\t')
            after++;
        if (end == s || errno || !isfinite(v) || v <= 0 || (*after && *after != ','))
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: [risk] horizons = %s: '%.40s' is not a horizon (expected "
                                "comma-separated times in years, each > 0)%s",
                                hs_scn_where(e, w, sizeof w),
                                hs_value_shown(e->value, vs, sizeof vs), s,
                                hs_comment_hint(e->value));
        if (r->n_horizons >= HS_MAX_HORIZONS)
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: [risk] horizons = %s: too many horizons (expected at most %d)",
                                hs_scn_where(e, w, sizeof w),
                                hs_value_shown(e->value, vs, sizeof vs), HS_MAX_HORIZONS);
        r->time[r->n_horizons++] = v;
        if (!*after)
            break;
        s = after + 1;
    }
    return HS_OK;
}

/* Read [risk] (before the grid is known). */
hs_status hs_scn_build_risk(build *b)
{
    hs_risk *r = &b->sc->risk;
    int present = 0;
    for (size_t i = 0; i < b->ini->n_sections; i++)
        present |= !strcmp(b->ini->sections[i].name, "risk");
    for (size_t i = 0; i < b->ini->n; i++)
        present |= !strcmp(b->ini->entries[i].section, "risk");
    if (!present)
        return HS_OK;
    hs_ini_entry *e = hs_ini_get(b->ini, "risk", "horizons");
    if (!e)
        return hs_scn_missing_key(b, "risk", "[risk]", "horizons",
                                  "comma-separated horizons in years, each a grid time in (0, T]");
    e->used = 1;
    hs_scn_where(e, r->at_horizons, sizeof r->at_horizons);
    hs_status st = parse_horizons(b, e);
    if (st)
        return st;
    hs_ini_entry *m = hs_ini_get(b->ini, "risk", "mark");
    double v = 0;
    if (m) {
        m->used = 1;
        hs_scn_where(m, r->at_mark, sizeof r->at_mark);
        st = hs_scn_parse_choice(b, "[risk]", &hs_scn_risk_params[1], m, m->value, &v);
        if (st)
            return st;
    } else
        hs_scn_section_where(b, "risk", r->at_mark, sizeof r->at_mark);
    r->mark = (int)v;
    st = hs_scn_get_number(b, "risk", "[risk]", &hs_scn_risk_params[2], &v);
    if (st)
        return st;
    r->drawdown = (int)v;
    return HS_OK;
}

/* Read one `[stress.NAME] type = implied` section (overlays.c routes it here). */
hs_status hs_scn_build_implied(build *b, const char *section)
{
    hs_risk *r = &b->sc->risk;
    char w[512];
    if (r->n_shocks >= HS_MAX_IMPLIED)
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: [%s]: too many implied-vol overlays (expected at most %d)",
                            hs_scn_section_where(b, section, w, sizeof w), section, HS_MAX_IMPLIED);
    hs_implied_shock *o = &r->shocks[r->n_shocks];
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", section + strlen("stress."));
    char context[HS_INI_SECTION_LEN + 2];
    snprintf(context, sizeof context, "[%s]", section);
    double *dst[4] = {&o->size, &o->time, &o->from, &o->to};
    for (size_t i = 0; i < hs_scn_n_implied_params; i++) {
        hs_status st = hs_scn_get_number(b, section, context, &hs_scn_implied_params[i], dst[i]);
        if (st)
            return st;
    }
    hs_ini_entry *e = hs_ini_get(b->ini, section, "size");
    hs_scn_where(e, o->at_size, sizeof o->at_size);
    hs_ini_entry *t = hs_ini_get(b->ini, section, "time");
    hs_ini_entry *f = hs_ini_get(b->ini, section, "from");
    if (t && f)
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: %s: both time and from are given (expected `time` for a "
                            "lasting shift, or `from` and `to` for a window)",
                            hs_scn_where(f, w, sizeof w), context);
    if (!t && !f)
        return hs_scn_missing_key(b, section, context, "time",
                                  "when the implied shift starts, years (or `from`/`to`)");
    hs_scn_where(t ? t : f, o->at_time, sizeof o->at_time);
    r->n_shocks++;
    return HS_OK;
}

static size_t nearest_step(double t, const hs_grid *g)
{
    double k = floor(t / g->dt + 0.5);
    return k < 0 ? 0 : (size_t)k;
}

/* Resolve horizons and overlays on the grid, and check mark = model (after the grid). */
hs_status hs_scn_resolve_risk(build *b)
{
    hs_scenario *sc = b->sc;
    hs_risk *r = &sc->risk;
    const hs_grid *g = &sc->grid;
    if (r->n_shocks && (!r->n_horizons || r->mark != HS_MARK_IMPLIED))
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: [stress.%s] type = implied shifts the implied vol of the "
                            "horizon marks (expected a [risk] section with mark = implied%s)",
                            r->shocks[0].at_size, r->shocks[0].name,
                            r->n_horizons ? ": it has mark = model" : "");
    if (!r->n_horizons)
        return HS_OK;
    for (size_t i = 0; i < r->n_horizons; i++) {
        double h = r->time[i], k = h / g->dt, kr = floor(k + 0.5);
        if (h > g->horizon * (1 + 1e-12))
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: [risk] horizons: %.17g is after the last maturity (expected "
                                "horizons in (0, %.17g] years)",
                                r->at_horizons, h, g->horizon);
        if (fabs(k - kr) > 1e-7 * (kr > 1 ? kr : 1) || kr < 1)
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: [risk] horizons: %.17g is not on the simulation grid (%zu "
                                "steps over %g years, dt = %.12g; expected a multiple of dt, "
                                "e.g. %.12g or %.12g)",
                                r->at_horizons, h, g->steps, g->horizon, g->dt,
                                (kr < 1 ? 1 : kr) * g->dt, (kr < 1 ? 2 : kr + 1) * g->dt);
        r->step[i] = (size_t)kr;
    }
    /* Increasing, without duplicates. */
    for (size_t i = 1; i < r->n_horizons; i++)
        if (r->step[i] <= r->step[i - 1])
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: [risk] horizons: %.17g does not come after %.17g (expected "
                                "increasing horizons, each on its own grid step)",
                                r->at_horizons, r->time[i], r->time[i - 1]);
    if (r->mark == HS_MARK_MODEL && !hs_model_has_price(sc->model))
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: [risk] mark = model: model '%s' has no price to mark options "
                            "with (expected mark = implied: Black-Scholes at the traded vol, "
                            "shifted by [stress.NAME] type = implied overlays)",
                            r->at_mark, sc->model->name);
    for (size_t i = 0; i < r->n_shocks; i++) {
        hs_implied_shock *o = &r->shocks[i];
        o->shift = o->size / 100.0;
        if (!isnan(o->time)) {
            o->k_from = nearest_step(o->time, g);
            if (o->k_from < 1)
                o->k_from = 1; /* at t0 the book changes hands at the traded vol: 0+ */
            o->k_to = g->steps + 1;
        } else {
            o->k_from = nearest_step(o->from, g);
            o->k_to = isnan(o->to) ? g->steps + 1 : nearest_step(o->to, g);
            if (o->k_from < 1)
                o->k_from = 1;
            if (o->k_to <= o->k_from)
                return hs_error_set(b->err, HS_EINPUT,
                                    "%s: [stress.%s] from = %g, to = %g is an empty window on "
                                    "the grid (expected from < to, at least one step apart: "
                                    "dt = %g)",
                                    o->at_time, o->name, o->from, o->to, g->dt);
        }
        if (o->k_from > g->steps)
            return hs_error_set(b->err, HS_EINPUT,
                                "%s: [stress.%s]: the shift starts after the horizon (expected "
                                "a time in [0, %g] years)",
                                o->at_time, o->name, g->horizon);
    }
    /* Every leg's implied vol stays >= 0 at every step. */
    for (size_t k = 1; r->n_shocks && k <= g->steps; k++) {
        double shift = hs_risk_implied_shift(r, k);
        for (size_t j = 0; j < sc->n_legs; j++)
            if (sc->legs[j].expiry_step > k && sc->legs[j].vol + shift < 0) {
                const hs_implied_shock *o = &r->shocks[0];
                for (size_t i = 0; i < r->n_shocks; i++)
                    if (k >= r->shocks[i].k_from && k < r->shocks[i].k_to && r->shocks[i].shift < 0)
                        o = &r->shocks[i];
                return hs_error_set(b->err, HS_EINPUT,
                                    "%s: [stress.%s] size = %g vol points takes the implied vol "
                                    "of [%s] (traded %g) to %g at t = %g (expected a resulting "
                                    "implied vol >= 0)",
                                    o->at_size, o->name, o->size, sc->legs[j].name, sc->legs[j].vol,
                                    sc->legs[j].vol + shift, (double)k * g->dt);
            }
    }
    return HS_OK;
}
