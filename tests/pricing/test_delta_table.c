/*
 * Delta tables (src/pricing/delta_table.c) and the ratio model's use of them under
 * Merton (src/hedging/ratio_model.c): error against the formula on dense grids, the block
 * form against the scalar one bit for bit, lanes outside the range counted, P&L against
 * the formula-based run, thread invariance.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/bs.h"
#include "hedgesim/delta_table.h"
#include "hedgesim/engine.h"
#include "hedgesim/merton.h"
#include "hedgesim/scenario.h"

/* Known answer: N(x) (hs_norm_cdf) over [-10, 10], a function with the shape of a delta,
 * on 200001 points: the measured error must stay under 1e-7 and the build's own check
 * must be under its tolerance. */
static double ncdf(double x, void *u)
{
    (void)u;
    return hs_norm_cdf(x);
}

Test(delta_table, normal_cdf_known_answer)
{
    hs_delta_table t;
    hs_error err;
    cr_assert_eq(hs_delta_table_build(&t, -10, 10, ncdf, NULL, &err), HS_OK, "%s", err.msg);
    cr_assert_leq(t.max_check_err, HS_DELTA_TABLE_TOL);
    double worst = 0;
    for (int i = 0; i <= 200000; i++) {
        double x = -10 + 20.0 * i / 200000;
        worst = fmax(worst, fabs(hs_delta_table_eval(&t, x) - hs_norm_cdf(x)));
    }
    cr_log_info("N(x) on [-10, 10]: %zu panels, max error %.3g on 200001 points", t.n_panels,
                worst);
    cr_assert_lt(worst, 1e-7);
    cr_assert(isnan(hs_delta_table_eval(&t, 10.0000001)));
    cr_assert(isnan(hs_delta_table_eval(&t, -10.0000001)));
    cr_assert(isnan(hs_delta_table_eval(&t, NAN)));
    /* Exact at a node: x = 0 is the middle Lobatto node of the first panel or an edge. */
    cr_assert_float_eq(hs_delta_table_eval(&t, -10), hs_norm_cdf(-10), 1e-12);
    hs_delta_table_free(&t);
}

/* The block form against the scalar one, bit for bit: 1003 points (a partial group of
 * lanes at the end) over and beyond the range, every panel edge, lo, hi, just outside,
 * NaN and infinities; over [-10, 10] (many panels) and [-0.5, 0.5] (few). */
Test(delta_table, block_form_equals_scalar)
{
    const double ranges[][2] = {{-10, 10}, {-0.5, 0.5}};
    for (size_t r = 0; r < 2; r++) {
        hs_delta_table t;
        hs_error err;
        cr_assert_eq(hs_delta_table_build(&t, ranges[r][0], ranges[r][1], ncdf, NULL, &err),
                     HS_OK, "%s", err.msg);
        size_t n = 1003 + t.n_panels + 1 + 7;
        double *x = malloc(n * sizeof *x), *got = malloc(n * sizeof *got);
        size_t k = 0;
        for (int i = 0; i < 1003; i++)
            x[k++] = ranges[r][0] * 1.3 + (ranges[r][1] - ranges[r][0]) * 1.3 * i / 1002.0;
        for (size_t e = 0; e <= t.n_panels; e++)
            x[k++] = t.edges[e];
        const double extra[] = {t.lo, t.hi, nextafter(t.lo, -INFINITY), nextafter(t.hi, INFINITY),
                                NAN, INFINITY, -INFINITY};
        for (size_t e = 0; e < 7; e++)
            x[k++] = extra[e];
        hs_delta_table_eval_lanes(&t, x, got, n);
        for (size_t i = 0; i < n; i++) {
            double want = hs_delta_table_eval(&t, x[i]);
            cr_assert(memcmp(&got[i], &want, sizeof want) == 0 || (isnan(got[i]) && isnan(want)),
                      "range %zu, x = %.17g: %.17g, scalar %.17g", r, x[i], got[i], want);
        }
        free(x);
        free(got);
        hs_delta_table_free(&t);
    }
}

/* Merton's series delta of jump_crash's call (sigma 0.15, lambda 1, mu_J -0.15, delta
 * 0.1, r 0.03, K 100, T 0.25) at tau days to expiry, x = ln S. */
typedef struct mctx {
    double tau;
} mctx;

static double merton_delta(double x, void *u)
{
    const mctx *c = u;
    hs_merton_jumps j = {1.0, -0.15, 0.1};
    hs_merton_value v;
    hs_error e;
    if (hs_merton_eval(HS_BS_CALL, exp(x), 100, c->tau, 0.03, 0, 0.15, &j, &v, &e) != HS_OK)
        return NAN;
    return v.delta;
}

/* Dense grid: every date of a 252-step quarter (tau = 0.25 (1 - k / 252), k = 0..251) x
 * 4001 points of ln S over ln 100 +- 1 (past the range the ratio uses at any date,
 * 8 sd + 0.1 <= 0.63): max |table - series| < 1e-7. */
Test(delta_table, merton_dense_grid)
{
    double worst = 0;
    size_t panels = 0;
    for (int k = 0; k < 252; k++) {
        mctx c = {0.25 * (1.0 - k / 252.0)};
        hs_delta_table t;
        hs_error err;
        double lo = log(100) - 1, hi = log(100) + 1;
        cr_assert_eq(hs_delta_table_build(&t, lo, hi, merton_delta, &c, &err), HS_OK, "%s",
                     err.msg);
        panels += t.n_panels;
        for (int i = 0; i <= 4000; i++) {
            double x = lo + (hi - lo) * i / 4000;
            worst = fmax(worst, fabs(hs_delta_table_eval(&t, x) - merton_delta(x, &c)));
        }
        hs_delta_table_free(&t);
    }
    cr_log_info("merton: 252 dates x 4001 points, %zu panels in all, max error %.3g", panels,
                worst);
    cr_assert_lt(worst, 1e-7);
}

static const char *jump_text = "[scenario]\nname = t\n[simulation]\npaths = 1000\nseed = 17\n"
                               "steps = 63\n[market]\nspot = 100\nrate = 0.03\n"
                               "[model]\ntype = merton\nsigma = 0.15\nlambda = 1\n"
                               "jump_mean = -0.15\njump_std = 0.1\n"
                               "[option]\ntype = call\nstrike = 100\nmaturity = 0.25\n"
                               "quantity = -1\nvol = 0.25\n"
                               "[strategy.model]\nratio = model\nhedges = 63\n"
                               "model_delta = table, exact\n";

static hs_results *run_text(const char *text, const char *const *sets, size_t n, int threads,
                            hs_scenario **scp)
{
    hs_error err;
    hs_scenario *sc = NULL;
    cr_assert_eq(hs_scenario_load_string(text, "t.ini", sets, n, &sc, &err), HS_OK, "%s", err.msg);
    hs_run_opts opts = {.threads = threads};
    hs_results *res = NULL;
    cr_assert_eq(hs_run(sc, &opts, &res, &err), HS_OK, "%s", err.msg);
    *scp = sc;
    return res;
}

/* Table against series on the same paths: each rebalance's hedge differs by at most
 * 1e-7 shares, so the P&L differs by at most 1e-7 x sum_k |S_k - S_{k-1} G|-like moves:
 * bounded by 1e-7 x (the path's sum of |S_{k+1} - S_k| + the trades' cost terms), well
 * under 1e-7 x 63 x 100 = 6.3e-4 for a path with moves below 100 a step; in practice the
 * errors are much smaller.  Both strategies report their fallbacks (0 for exact). */
Test(delta_table, merton_pnl_matches_series)
{
    hs_scenario *sc;
    hs_results *res = run_text(jump_text, NULL, 0, 1, &sc);
    cr_assert_eq(res->n_strategies, 2);
    double worst = 0;
    for (uint64_t p = 0; p < res->paths; p++)
        worst = fmax(worst, fabs(res->pnl[p] - res->pnl[res->paths + p]));
    cr_log_info("merton 1000 paths x 63 hedges: max |pnl table - pnl series| = %.3g", worst);
    cr_assert_lt(worst, 6.3e-4);
    cr_assert_eq(res->means[1].model_delta_fallbacks, 0);
    hs_results_free(res);
    hs_scenario_free(sc);
}

/* A crash of -60% at mid-life puts every lane far below ln S0 - 8 sd - 0.1: each of them
 * must take the series (counted) and still give the series' P&L exactly. */
Test(delta_table, outside_lanes_fall_back_and_count)
{
    const char *sets[] = {"+stress.c.type=crash", "stress.c.time=0.125", "stress.c.size=-0.6"};
    hs_scenario *sc;
    hs_results *res = run_text(jump_text, sets, 3, 1, &sc);
    cr_assert_gt(res->means[0].model_delta_fallbacks, 0);
    cr_log_info("crash: %llu fallbacks", res->means[0].model_delta_fallbacks);
    double worst = 0;
    for (uint64_t p = 0; p < res->paths; p++)
        worst = fmax(worst, fabs(res->pnl[p] - res->pnl[res->paths + p]));
    cr_assert_lt(worst, 6.3e-4);
    hs_results_free(res);
    hs_scenario_free(sc);
}

Test(delta_table, same_for_one_and_two_threads)
{
    hs_scenario *s1, *s2;
    hs_results *a = run_text(jump_text, NULL, 0, 1, &s1);
    hs_results *b = run_text(jump_text, NULL, 0, 2, &s2);
    size_t cells = a->n_strategies * a->paths;
    cr_assert_eq(memcmp(a->pnl, b->pnl, cells * sizeof *a->pnl), 0);
    cr_assert_eq(memcmp(a->hedge_error, b->hedge_error, cells * sizeof *a->pnl), 0);
    cr_assert_eq(a->means[0].model_delta_fallbacks, b->means[0].model_delta_fallbacks);
    hs_results_free(a);
    hs_results_free(b);
    hs_scenario_free(s1);
    hs_scenario_free(s2);
}
