/*
 * Tests of the stress overlays (stress.h) through the engine, with fixed seeds:
 *
 *  - a gap or crash of size 0 leaves every path's P&L bit-identical;
 *  - a vol overlay with factor f over the whole life of GBM(sigma) is GBM(f sigma) on the
 *    same normals (the identity derived in stress.c), so the P&L of a strategy hedging
 *    at a fixed vol agrees path by path to rounding;
 *  - a crash moves the price at its step by exactly (1 + size), and the hedged short
 *    call loses more the larger the crash;
 *  - bad overlays are rejected with file:line, key and value.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "hedgesim/engine.h"
#include "hedgesim/scenario.h"
#include "hedgesim/stress.h"

static const char *base =
    "[simulation]\npaths = 3000\nseed = 11\nsteps = 40\n"
    "[market]\nspot = 100\nrate = 0.03\n"
    "[model]\ntype = gbm\nsigma = 0.2\n"
    "[option]\ntype = call\nstrike = 100\nmaturity = 0.25\nquantity = -1\nvol = 0.2\n"
    "[strategy.hedge]\nhedges = 20\nvol = 0.2\n";

static hs_status build(const char *extra, const char *const *sets, size_t n_sets,
                       hs_scenario **sc, hs_error *err)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", base, extra);
    return hs_scenario_load_string(text, "stress.ini", sets, n_sets, sc, err);
}

static hs_results *run(const char *extra, const char *const *sets, size_t n_sets)
{
    hs_scenario *sc = NULL;
    hs_error err;
    cr_assert_eq(build(extra, sets, n_sets, &sc, &err), HS_OK, "%s", err.msg);
    hs_run_opts opts = {.threads = 1};
    hs_results *res = NULL;
    cr_assert_eq(hs_run(sc, &opts, &res, &err), HS_OK, "%s", err.msg);
    hs_scenario_free(sc);
    return res;
}

static double mean(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s / (double)n;
}

Test(stress, zero_size_changes_nothing)
{
    hs_results *plain = run("", NULL, 0);
    hs_results *gap = run("[stress.g]\ntype = gap\nstep = 13\nsize = 0\n", NULL, 0);
    hs_results *crash = run("[stress.c]\ntype = crash\ntime = 0.1\nsize = 0\n", NULL, 0);
    cr_assert(!memcmp(plain->pnl, gap->pnl, plain->paths * sizeof(double)));
    cr_assert(!memcmp(plain->pnl, crash->pnl, plain->paths * sizeof(double)));
    hs_results_free(plain);
    hs_results_free(gap);
    hs_results_free(crash);
}

Test(stress, vol_factor_is_gbm_at_scaled_sigma)
{
    const char *sets[] = {"model.sigma=0.4"};
    hs_results *wide = run("", sets, 1);
    hs_results *shocked = run("[stress.v]\ntype = vol\nfrom = 0\nto = 0.25\nfactor = 2\n", NULL, 0);
    double worst = 0;
    for (size_t i = 0; i < wide->paths; i++)
        worst = fmax(worst, fabs(wide->pnl[i] - shocked->pnl[i]));
    cr_assert_lt(worst, 1e-9, "largest path difference %g", worst);
    /* And it is not a no-op: the P&L differs from the unshocked run. */
    hs_results *plain = run("", NULL, 0);
    cr_assert_gt(fabs(plain->pnl[0] - shocked->pnl[0]), 1e-6);
    hs_results_free(wide);
    hs_results_free(shocked);
    hs_results_free(plain);
}

Test(stress, crash_jumps_by_its_size)
{
    hs_stress o;
    memset(&o, 0, sizeof o);
    snprintf(o.name, sizeof o.name, "x");
    o.type = &hs_stress_crash;
    o.par[0] = 0.1;  /* time */
    o.par[1] = -0.2; /* size */
    hs_grid grid = {40, 0.25, 0.25 / 40};
    hs_error err;
    cr_assert_eq(o.type->resolve(&o, &grid, 0.2, 0.03, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(o.k_to, 16u, "0.1 / (0.25/40) = 16");
    double spot[8], logspot[8];
    for (int i = 0; i < 8; i++) {
        spot[i] = 50.0 + i;
        logspot[i] = log(spot[i]);
    }
    hs_block b = {.n = 8, .spot = spot, .logspot = logspot};
    hs_stress_apply(&o, 1, 14, &b, NULL); /* not its step */
    cr_assert_eq(spot[3], 53.0);
    hs_stress_apply(&o, 1, 15, &b, NULL); /* the step 15 -> 16 */
    for (int i = 0; i < 8; i++)
        cr_assert_float_eq(spot[i], 0.8 * (50.0 + i), 1e-12);
}

Test(stress, larger_crash_loses_more)
{
    double prev = INFINITY;
    const char *sizes[] = {"0", "-0.1", "-0.2", "-0.3"};
    for (int j = 0; j < 4; j++) {
        char extra[256];
        snprintf(extra, sizeof extra, "[stress.c]\ntype = crash\ntime = 0.125\nsize = %s\n",
                 sizes[j]);
        hs_results *r = run(extra, NULL, 0);
        double m = mean(r->pnl, r->paths);
        cr_assert_lt(m, prev, "size %s: mean P&L %g not below %g", sizes[j], m, prev);
        prev = m;
        hs_results_free(r);
    }
}

static void expect_error(const char *extra, const char *frag1, const char *frag2)
{
    hs_scenario *sc = NULL;
    hs_error err;
    hs_status st = build(extra, NULL, 0, &sc, &err);
    cr_assert_eq(st, HS_EINPUT, "accepted: %s", extra);
    cr_assert(strstr(err.msg, frag1) && strstr(err.msg, frag2), "message: %s", err.msg);
}

Test(stress, bad_overlays)
{
    expect_error("[stress.v]\ntype = vol\nfrom = 0.2\nto = 0.1\nfactor = 2\n", "stress.ini:",
                 "to = 0.1 is not after from = 0.2");
    expect_error("[stress.c]\ntype = crash\ntime = 0.5\nsize = -0.2\n", "time = 0.5",
                 "after the horizon");
    expect_error("[stress.g]\ntype = gap\nstep = 41\nsize = -0.2\n", "step = 41",
                 "beyond the grid");
    expect_error("[stress.g]\ntype = gapp\nstep = 4\nsize = -0.2\n", "'gapp'", "did you mean 'gap'");
    expect_error("[stress.g]\nstep = 4\nsize = -0.2\n", "missing key 'type'", "[stress.g]");
    expect_error("[stress.c]\ntype = crash\ntime = 0.1\nsize = -1\n", "size = -1", "outside");
    expect_error("[stress.c]\ntype = crash\ntime = 0.1\nsize = -0.1\nwhen = 2\n",
                 "unknown key 'when'", "time, size");
    expect_error("[stres.c]\ntype = crash\n", "unknown section [stres.c]", "did you mean [stress.c]");
}
