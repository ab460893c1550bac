/*
 * Generic tests over the model registry (docs/architecture.md): every registered model,
 * driven by the engine through a whole hedging run, must
 *   - accept its own `example` [model] body;
 *   - give finite P&L on every path (no NaN, no infinity) at its example and with each
 *     REAL or INT parameter moved to the ends of its legal range, one at a time (a
 *     combination its prepare() rejects as inconsistent must be rejected with
 *     HS_EINPUT and a message, never crash);
 *   - give the same results for 1 and 3 threads (the per-path stream contract).
 * A model added to the registry is covered the moment it is registered.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hedgesim/engine.h"
#include "hedgesim/model.h"
#include "hedgesim/scenario.h"

static hs_status build(const hs_model_type *t, const char *set, hs_scenario **sc, hs_error *err)
{
    char text[4096];
    snprintf(text, sizeof text,
             "[simulation]\npaths = 600\nseed = 5\nsteps = 50\n"
             "[market]\nspot = 100\nrate = 0.03\ndividend = 0.01\n"
             "[model]\ntype = %s\n%s"
             "[option]\ntype = call\nstrike = 105\nmaturity = 0.2\nquantity = -1\nvol = 0.25\n"
             "[option.p]\ntype = put\nstrike = 90\nmaturity = 0.2\nquantity = 2\nvol = 0.3\n"
             "[strategy.hedge]\nhedges = 50, 10\n",
             t->name, t->example);
    /* Relative data files in examples resolve against the source root. */
    return hs_scenario_load_string(text, HS_SOURCE_ROOT "/generic.ini", &set, set ? 1 : 0, sc,
                                   err);
}

static void run_finite(const hs_scenario *sc, const char *what)
{
    hs_run_opts opts = {.threads = 1};
    hs_results *res = NULL;
    hs_error err;
    cr_assert_eq(hs_run(sc, &opts, &res, &err), HS_OK, "%s: %s", what, err.msg);
    for (size_t i = 0; i < res->paths * res->n_strategies; i++)
        cr_assert(isfinite(res->pnl[i]) && isfinite(res->hedge_error[i]),
                  "%s: path value %zu is %g", what, i, res->pnl[i]);
    hs_results_free(res);
}

Test(models, every_model_has_an_example_that_runs)
{
    size_t n = 0;
    for (const hs_model_type *const *t = hs_model_types(); *t; t++, n++) {
        cr_assert_not_null((*t)->example, "model '%s' has no example", (*t)->name);
        hs_scenario *sc = NULL;
        hs_error err;
        cr_assert_eq(build(*t, NULL, &sc, &err), HS_OK, "model '%s': %s", (*t)->name, err.msg);
        run_finite(sc, (*t)->name);
        hs_scenario_free(sc);
    }
    cr_assert_geq(n, 1u);
}

Test(models, finite_at_the_ends_of_every_range)
{
    for (const hs_model_type *const *t = hs_model_types(); *t; t++) {
        size_t accepted = 0;
        for (size_t i = 0; i < (*t)->n_params; i++) {
            const hs_param *p = &(*t)->params[i];
            if (p->kind != HS_PARAM_REAL && p->kind != HS_PARAM_INT)
                continue;
            for (int end = 0; end < 2; end++) {
                double v = end ? p->max : p->min;
                /* An open bound itself is illegal: step just inside it. */
                if (!end && (p->flags & HS_PARAM_MIN_OPEN))
                    v = p->min + fmax(1e-6, 1e-6 * fabs(p->min));
                if (end && (p->flags & HS_PARAM_MAX_OPEN))
                    v = p->max - fmax(1e-6, 1e-6 * fabs(p->max));
                char set[160], what[200];
                snprintf(set, sizeof set, "model.%s=%.17g", p->key, v);
                snprintf(what, sizeof what, "model '%s' with %s", (*t)->name, set);
                hs_scenario *sc = NULL;
                hs_error err;
                hs_status st = build(*t, set, &sc, &err);
                if (st) {
                    cr_assert_eq(st, HS_EINPUT, "%s: status %d", what, st);
                    cr_assert(strlen(err.msg) > 10, "%s: empty message", what);
                    continue;
                }
                accepted++;
                run_finite(sc, what);
                hs_scenario_free(sc);
            }
        }
        cr_assert(accepted > 0 || (*t)->n_params == 0,
                  "model '%s': no extreme value was accepted", (*t)->name);
    }
}

Test(models, same_results_for_any_thread_count)
{
    for (const hs_model_type *const *t = hs_model_types(); *t; t++) {
        hs_scenario *sc = NULL;
        hs_error err;
        cr_assert_eq(build(*t, NULL, &sc, &err), HS_OK, "%s", err.msg);
        hs_results *r1 = NULL, *r3 = NULL;
        hs_run_opts o1 = {.threads = 1}, o3 = {.threads = 3};
        cr_assert_eq(hs_run(sc, &o1, &r1, &err), HS_OK, "%s", err.msg);
        cr_assert_eq(hs_run(sc, &o3, &r3, &err), HS_OK, "%s", err.msg);
        cr_assert(!memcmp(r1->pnl, r3->pnl, r1->paths * r1->n_strategies * sizeof(double)),
                  "model '%s': 1 and 3 threads differ", (*t)->name);
        hs_results_free(r1);
        hs_results_free(r3);
        hs_scenario_free(sc);
    }
}
