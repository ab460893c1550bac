/*
 * The batched Heston delta (src/pricing/heston_batch.c) and the Heston model-delta tables
 * (src/pricing/heston_table.c) against the adaptive semi-closed form (hs_heston_eval_delta,
 * itself tested against Lewis's reference prices in tests/models/test_heston.c), and the
 * ratio `model`'s use of the tables under heston (src/hedging/ratio_model.c):
 *
 *  - known answer computed by hand: below HS_HESTON_XI_MIN the slice is Black-Scholes at
 *    the average variance vbar = theta + (v0 - theta)(1 - e^{-kappa tau}) / (kappa tau);
 *  - the slice (direct and from a slab) within 1e-9 of the formula on a grid of
 *    (S / K, tau, v) over the bundled Heston scenario's parameters (heston_stress: xi = 1,
 *    rho = -0.8, Feller failing), the model's example, Lewis's reference set and a
 *    positive-rho Feller case, tau from 1 day to 1 year, v from 0 to 3, calls and puts;
 *  - tables of heston_stress's short call at four dates (t = 0, one variance; mid-life;
 *    1 and 3 days to expiry) within 1e-7 of the formula on dense grids in (ln S, v) that
 *    fall between the nodes, and NaN outside their range;
 *  - runs with model_delta = table and exact on the same paths: P&L within the bound
 *    the delta error implies, no fallbacks for exact; after a crash out of the table's
 *    range the lanes fall back to the formula and are counted; threads 1 and 2
 *    byte-identical.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "hedgesim/bs.h"
#include "hedgesim/engine.h"
#include "hedgesim/heston.h"
#include "hedgesim/scenario.h"

static void setup(void)
{
    gsl_set_error_handler_off();
}

static double formula(hs_bs_kind kind, double s, double k, double tau, double r, double q,
                      hs_heston_params p)
{
    hs_heston_value v;
    hs_error err;
    cr_assert_eq(hs_heston_eval_delta(kind, s, k, tau, r, q, &p, &v, &err), HS_OK, "%s", err.msg);
    return v.delta;
}

/* Hand computation (S 100, K 110, tau 0.5, r 0.03, q 0.01, v0 0.09, kappa 2, theta
 * 0.04): vbar = 0.04 + 0.05 (1 - e^{-1}) = 0.0716060279, sigma = 0.2675930, d1 =
 * (ln(100/110) + (0.02 + 0.0358030) 0.5) / (0.2675930 sqrt 0.5) = -0.3562509,
 * delta = e^{-0.005} N(d1) = 0.9950125 x 0.3608264 = 0.3590267. */
Test(heston_batch, black_scholes_limit_known_answer, .init = setup)
{
    hs_heston_params p = {0.09, 2.0, 0.04, 1e-12, -0.5};
    double s = 100, d;
    hs_error err;
    cr_assert_eq(hs_heston_delta_batch(HS_BS_CALL, 110, 0.5, 0.03, 0.01, &p, 1, &s, &d, &err),
                 HS_OK, "%s", err.msg);
    cr_assert_float_eq(d, 0.35902670551536886, 1e-14, "%.17g", d);
    cr_assert_eq(hs_heston_delta_batch(HS_BS_PUT, 110, 0.5, 0.03, 0.01, &p, 1, &s, &d, &err), HS_OK,
                 "%s", err.msg);
    cr_assert_float_eq(d, 0.35902670551536886 - exp(-0.005), 1e-14, "%.17g", d);
}

static const hs_heston_params sets[] = {
    {0, 2.0, 0.04, 1.0, -0.8}, /* heston_stress */
    {0, 2.0, 0.04, 0.5, -0.7}, /* hs_model_heston's example */
    {0, 4.0, 0.25, 1.0, -0.5}, /* Lewis's reference set */
    {0, 2.0, 0.04, 0.3, 0.5},  /* Feller holds, rho > 0 */
};

Test(heston_batch, slice_matches_formula, .init = setup, .timeout = 120)
{
    const double vs[] = {0, 1e-6, 1e-4, 3e-3, 0.04, 0.2, 1, 3};
    const double taus[] = {1 / 252.0, 2 / 252.0, 5 / 252.0, 21 / 252.0, 0.25, 1.0};
    const double r = 0.03, q = 0.01, K = 100;
    double worst = 0, worst_slab = 0;
    size_t most = 0;
    for (size_t b = 0; b < sizeof sets / sizeof sets[0]; b++)
        for (size_t it = 0; it < sizeof taus / sizeof taus[0]; it++) {
            hs_heston_slab slab;
            hs_error err;
            cr_assert_eq(hs_heston_slab_init(&slab, taus[it], r, q, &sets[b], 3.0, &err), HS_OK,
                         "%s", err.msg);
            for (size_t iv = 0; iv < sizeof vs / sizeof vs[0]; iv++) {
                hs_heston_params p = sets[b];
                p.v0 = vs[iv];
                double spot[41], d[41], ds[41];
                for (int i = 0; i < 41; i++)
                    spot[i] = K * exp(-0.8 + 1.6 * i / 40);
                hs_heston_slice direct, from;
                cr_assert_eq(hs_heston_slice_init(&direct, taus[it], r, q, &p, &err), HS_OK, "%s",
                             err.msg);
                cr_assert_eq(hs_heston_slice_from_slab(&slab, vs[iv], &from, &err), HS_OK, "%s",
                             err.msg);
                most = direct.n > most ? direct.n : most;
                for (int kind = 0; kind < 2; kind++) {
                    hs_bs_kind bk = kind ? HS_BS_PUT : HS_BS_CALL;
                    hs_heston_slice_delta(&direct, bk, K, 41, spot, d);
                    hs_heston_slice_delta(&from, bk, K, 41, spot, ds);
                    for (int i = 0; i < 41; i++) {
                        double f = formula(bk, spot[i], K, taus[it], r, q, p);
                        worst = fmax(worst, fabs(d[i] - f));
                        worst_slab = fmax(worst_slab, fabs(ds[i] - f));
                        cr_assert_lt(fabs(d[i] - f), 1e-9,
                                     "set %zu tau %g v %g S %g: %.12g vs %.12g", b, taus[it],
                                     vs[iv], spot[i], d[i], f);
                        cr_assert_lt(fabs(ds[i] - f), 1e-9, "slab: set %zu tau %g v %g S %g", b,
                                     taus[it], vs[iv], spot[i]);
                    }
                }
                hs_heston_slice_free(&direct);
                hs_heston_slice_free(&from);
            }
            hs_heston_slab_free(&slab);
        }
    cr_log_info("batched delta: max error %.3g (direct), %.3g (slab); most nodes %zu", worst,
                worst_slab, most);
}

/* heston_stress's book (short 1 call, K 100, T 0.25, r 0.03) at date t, over the range
 * the ratio uses (ln 100 +- 0.65 covers 8 sd + 0.1 at any date; v up to 2.5, above the
 * 1e-7 quantile of the variance at every date), against the formula at points between
 * the nodes (a 61 x 41 grid in (x, sqrt v) whose spacings are incommensurate with the
 * rectangles'). */
static double table_error(double t, double v_lo, double v_hi, double half, size_t *leaves)
{
    hs_heston_params p = sets[0];
    p.v0 = 0.04;
    hs_heston_leg leg = {HS_BS_CALL, 100, 0.25 - t, -1};
    hs_heston_table tab;
    hs_error err;
    const double x0 = log(100);
    cr_assert_eq(
        hs_heston_table_build(&tab, &leg, 1, 0.03, 0, &p, x0 - half, x0 + half, v_lo, v_hi, &err),
        HS_OK, "%s", err.msg);
    cr_assert_leq(tab.max_check_err, HS_HESTON_TABLE_TOL);
    double worst = 0;
    const int nx = 61, ny = v_hi > v_lo ? 41 : 1;
    for (int i = 0; i < nx; i++)
        for (int j = 0; j < ny; j++) {
            double x = x0 - half + 2 * half * (i + 0.37) / nx;
            double y = sqrt(v_lo) + (sqrt(v_hi) - sqrt(v_lo)) * (ny > 1 ? (j + 0.29) / ny : 0);
            p.v0 = y * y;
            double f = -leg.quantity * formula(HS_BS_CALL, exp(x), 100, leg.tau, 0.03, 0, p);
            worst = fmax(worst, fabs(hs_heston_table_eval(&tab, x, y * y) - f));
        }
    cr_assert(isnan(hs_heston_table_eval(&tab, x0 + half * 1.0001, v_lo)));
    cr_assert(isnan(hs_heston_table_eval(&tab, x0, v_hi * 1.0001 + 1e-12)));
    cr_assert(isnan(hs_heston_table_eval(&tab, NAN, v_lo)));
    *leaves = tab.n_leaves;
    hs_heston_table_free(&tab);
    return worst;
}

Test(heston_batch, table_dense_grid, .init = setup, .timeout = 120)
{
    const double dates[][4] = {
        /* t, v_lo, v_hi, half-range in x */
        {0, 0.04, 0.04, 0.1},
        {0.125, 0, 2.5, 0.65},
        {0.25 - 3 / 252.0, 0, 2.5, 0.65},
        {0.25 - 1 / 252.0, 0, 2.5, 0.65},
    };
    for (size_t d = 0; d < 4; d++) {
        size_t leaves;
        double e = table_error(dates[d][0], dates[d][1], dates[d][2], dates[d][3], &leaves);
        cr_log_info("heston table at t = %.4f: %zu rectangles, max error %.3g", dates[d][0], leaves,
                    e);
        cr_assert_lt(e, 1e-7, "t = %g: %.3g", dates[d][0], e);
    }
}

/* The block evaluation (a branch-free walk from each point's cell, heston_table.c) against
 * a reference written here: the walk from the root, then the tensor Chebyshev sum by
 * Clenshaw's recurrence in each variable (Boyd, "Chebyshev and Fourier Spectral Methods",
 * 2nd ed., section 2.9), at 3000 points of the range, in blocks of 300 (several passes of
 * the evaluator's chunk).  A point walked into a neighbouring rectangle would be off by
 * the neighbour's extrapolation error, far above 1e-12.  Points outside the range, NaN and
 * a negative variance give NaN. */
static double clenshaw(const double *c, int n, size_t stride, double t)
{
    double b1 = 0, b2 = 0;
    for (int m = n; m >= 1; m--) {
        double b0 = 2 * t * b1 - b2 + c[m * stride];
        b2 = b1;
        b1 = b0;
    }
    return t * b1 - b2 + c[0];
}

static double reference_eval(const hs_heston_table *t, double x, double v)
{
    const int nx = HS_HESTON_TABLE_NX, ny = HS_HESTON_TABLE_NY;
    double y = sqrt(v);
    size_t at = 0;
    while (t->nodes[at].kind != 2)
        at = t->nodes[at].index + ((t->nodes[at].kind == 0 ? x : y) >= t->nodes[at].split);
    const double *leaf = t->coef + t->nodes[at].index * HS_HESTON_TABLE_LEAF;
    double tx = (2 * x - leaf[0] - leaf[1]) / (leaf[1] - leaf[0]);
    double sy = leaf[3] == leaf[2] ? 0 : (2 * y - leaf[2] - leaf[3]) / (leaf[3] - leaf[2]);
    double row[HS_HESTON_TABLE_NY + 1];
    for (int l = 0; l <= ny; l++)
        row[l] = clenshaw(leaf + 4 + l * HS_HESTON_TABLE_ROW, nx, 1, tx);
    return clenshaw(row, ny, 1, sy);
}

Test(heston_batch, table_block_walk_matches_root_walk, .init = setup, .timeout = 120)
{
    hs_heston_params p = sets[0];
    hs_heston_leg leg = {HS_BS_CALL, 100, 0.2, -1};
    hs_heston_table tab;
    hs_error err;
    const double x0 = log(100), half = 0.65, v_hi = 2.5;
    cr_assert_eq(
        hs_heston_table_build(&tab, &leg, 1, 0.03, 0, &p, x0 - half, x0 + half, 0, v_hi, &err),
        HS_OK, "%s", err.msg);
    cr_assert_gt(tab.walk_depth, 0, "a table of %zu rectangles needs walks", tab.n_leaves);
    enum { N = 3000, B = 300 };
    static double x[N], v[N], out[N];
    uint64_t st = 12345;
    for (size_t i = 0; i < N; i++) {
        st = st * 6364136223846793005u + 1442695040888963407u;
        double a = (double)(st >> 11) * 0x1p-53;
        st = st * 6364136223846793005u + 1442695040888963407u;
        double b = (double)(st >> 11) * 0x1p-53;
        x[i] = x0 - half + 2 * half * a;
        v[i] = v_hi * b * b;
    }
    x[7] = x0 + half * 1.001;
    v[11] = v_hi * 1.001;
    x[13] = NAN;
    v[17] = -1e-3;
    x[19] = x0 - half, v[19] = 0; /* corners are inside */
    x[23] = x0 + half, v[23] = v_hi;
    for (size_t i = 0; i < N; i += B)
        hs_heston_table_eval_lanes(&tab, x + i, v + i, out + i, B);
    double worst = 0;
    for (size_t i = 0; i < N; i++) {
        if (i == 7 || i == 11 || i == 13 || i == 17) {
            cr_assert(isnan(out[i]), "point %zu is outside: %g", i, out[i]);
            continue;
        }
        double r = reference_eval(&tab, x[i], v[i]);
        cr_assert_lt(fabs(out[i] - r), 1e-12, "point %zu (x %.17g, v %.17g): %.17g vs %.17g", i,
                     x[i], v[i], out[i], r);
        cr_assert_eq(out[i], hs_heston_table_eval(&tab, x[i], v[i]));
        worst = fmax(worst, fabs(out[i] - r));
    }
    cr_log_info("block walk: %zu rectangles, depth %zu, largest difference %.3g", tab.n_leaves,
                tab.walk_depth, worst);
    hs_heston_table_free(&tab);
}

static const char *heston_text = "[scenario]\nname = t\n[simulation]\npaths = 256\nseed = 29\n"
                                 "steps = 21\n[market]\nspot = 100\nrate = 0.03\n"
                                 "[model]\ntype = heston\nv0 = 0.04\nkappa = 2\ntheta = 0.04\n"
                                 "xi = 1\nrho = -0.8\n"
                                 "[option]\ntype = call\nstrike = 100\nmaturity = 0.0833333\n"
                                 "quantity = -1\n"
                                 "[strategy.model]\nratio = model\nhedges = 21\n"
                                 "model_delta = table, exact\n";

static hs_results *run_text(const char *text, const char *const *sets_, size_t n, int threads,
                            hs_scenario **scp)
{
    hs_error err;
    hs_scenario *sc = NULL;
    cr_assert_eq(hs_scenario_load_string(text, "t.ini", sets_, n, &sc, &err), HS_OK, "%s", err.msg);
    hs_run_opts opts = {.threads = threads};
    hs_results *res = NULL;
    cr_assert_eq(hs_run(sc, &opts, &res, &err), HS_OK, "%s", err.msg);
    *scp = sc;
    return res;
}

/* Each rebalance's hedge differs by at most 1e-7 shares, so the P&L differs by at most
 * 1e-7 x the sum over 21 steps of |S_{k+1} - S_k| and the trades' costs: under
 * 1e-7 x 21 x 100 = 2.1e-4 for moves below 100 a step. */
Test(heston_batch, table_pnl_matches_formula, .init = setup, .timeout = 300)
{
    hs_scenario *sc;
    hs_results *res = run_text(heston_text, NULL, 0, 1, &sc);
    cr_assert_eq(res->n_strategies, 2);
    double worst = 0;
    for (uint64_t p = 0; p < res->paths; p++)
        worst = fmax(worst, fabs(res->pnl[p] - res->pnl[res->paths + p]));
    cr_log_info("heston 256 paths x 21 hedges: max |pnl table - pnl formula| = %.3g (%llu "
                "fallbacks)",
                worst, res->means[0].model_delta_fallbacks);
    cr_assert_lt(worst, 2.1e-4);
    cr_assert_eq(res->means[1].model_delta_fallbacks, 0);
    hs_results_free(res);
    hs_scenario_free(sc);
}

/* A crash of -60% at mid-life puts every lane far below the table's range (ln S0 +- 8 sd
 * + 0.1): each must take the formula (counted) and give the formula's P&L within the
 * bound above. */
Test(heston_batch, outside_lanes_fall_back_and_count, .init = setup, .timeout = 300)
{
    const char *crash[] = {"simulation.paths=64", "+stress.c.type=crash", "stress.c.time=0.04",
                           "stress.c.size=-0.6"};
    hs_scenario *sc;
    hs_results *res = run_text(heston_text, crash, 4, 1, &sc);
    cr_assert_gt(res->means[0].model_delta_fallbacks, 0);
    cr_assert_eq(res->means[1].model_delta_fallbacks, 0);
    double worst = 0;
    for (uint64_t p = 0; p < res->paths; p++)
        worst = fmax(worst, fabs(res->pnl[p] - res->pnl[res->paths + p]));
    cr_log_info("heston crash: %llu fallbacks, max |pnl table - pnl formula| = %.3g",
                res->means[0].model_delta_fallbacks, worst);
    cr_assert_lt(worst, 2.1e-4);
    hs_results_free(res);
    hs_scenario_free(sc);
}

Test(heston_batch, table_same_for_one_and_two_threads, .init = setup, .timeout = 300)
{
    const char *only_table[] = {"strategy.model.model_delta=table", "simulation.paths=1024"};
    hs_scenario *s1, *s2;
    hs_results *a = run_text(heston_text, only_table, 2, 1, &s1);
    hs_results *b = run_text(heston_text, only_table, 2, 2, &s2);
    size_t cells = a->n_strategies * a->paths;
    cr_assert_eq(memcmp(a->pnl, b->pnl, cells * sizeof *a->pnl), 0);
    cr_assert_eq(memcmp(a->hedge_error, b->hedge_error, cells * sizeof *a->pnl), 0);
    cr_assert_eq(a->means[0].model_delta_fallbacks, b->means[0].model_delta_fallbacks);
    hs_results_free(a);
    hs_results_free(b);
    hs_scenario_free(s1);
    hs_scenario_free(s2);
}
