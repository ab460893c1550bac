/*
 * Tests of hedge ratios, rebalancing rules, frictions and books (issue 4) against
 * theory, with fixed seeds; Monte Carlo checks within 4 standard errors unless said.
 *
 *  - Ahmad & Wilmott (2005), "Which free lunch would you like today, Sir?", Wilmott
 *    Magazine: a bought option hedged at the actual vol earns BS(sigma) - BS(sigma_imp)
 *    (here compounded to T); hedged at the implied vol it has the same mean when the
 *    drift equals the rate, and a much larger std.
 *  - Leland (1985): selling at the Leland price and hedging with the Leland delta gives
 *    a mean P&L net of costs of zero.
 *  - Expected cost of a plain interval hedge: kappa sqrt(2/pi) vega (N-1) sqrt(dt) / T
 *    (leading order: E|dDelta| S = Gamma S^2 sigma sqrt(dt) sqrt(2/pi) per rebalance).
 *  - Whalley & Wilmott (1997) half-width against hand-computed values; band 0 equals
 *    interval every = 1 bit for bit; wider bands trade less on average, and a band at
 *    least twice as wide never trades more on any path (a theorem; see the test).
 *  - Books: a straddle's P&L std falls as 1/sqrt(N) (Derman-Kamal rate); a digital's
 *    falls too, more slowly.
 *  - The attribution pnl = edge + replication - cost + carry holds path by path.
 */
#include <criterion/criterion.h>

#define PI 3.14159265358979323846
#include <math.h>
#include <string.h>

#include "hedgesim/bs.h"
#include "hedgesim/engine.h"
#include "hedgesim/scenario.h"
#include "hedgesim/strategy.h"
#include "hedgesim/merton.h"

static hs_scenario *load(const char *text)
{
    hs_error err;
    hs_scenario *sc = NULL;
    cr_assert_eq(hs_scenario_load_string(text, "strategies.ini", NULL, 0, &sc, &err), HS_OK,
                 "%s", err.msg);
    return sc;
}

static hs_results *run(const hs_scenario *sc)
{
    hs_run_opts opts = {.threads = 0};
    hs_results *res = NULL;
    hs_error err;
    cr_assert_eq(hs_run(sc, &opts, &res, &err), HS_OK, "%s", err.msg);
    return res;
}

typedef struct ms {
    double mean, std, se;
} ms;

static ms stats_of(const double *x, size_t n)
{
    double m = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    double sd = sqrt(ss / (double)(n - 1));
    return (ms){m, sd, sd / sqrt((double)n)};
}

static const double *pnl_of(const hs_results *r, size_t s)
{
    return r->pnl + s * r->paths;
}

Test(ratios, ahmad_wilmott_actual_vs_implied)
{
    /* Bought 3-month ATM call at implied 20%; the world has 30%, drift = rate. */
    hs_scenario *sc = load("[simulation]\npaths = 40000\nseed = 3\nsteps = 100\n"
                           "[market]\nspot = 100\nrate = 0.04\n"
                           "[model]\ntype = gbm\nsigma = 0.3\n"
                           "[option]\ntype = call\nstrike = 100\nmaturity = 0.25\nquantity = 1\n"
                           "vol = 0.2\n"
                           "[strategy.actual]\nhedges = 100\nvol = model\n"
                           "[strategy.implied]\nhedges = 100\nvol = traded\n");
    hs_results *r = run(sc);
    double want = (hs_bs_price(HS_BS_CALL, 100, 100, 0.25, 0.04, 0, 0.3) -
                   hs_bs_price(HS_BS_CALL, 100, 100, 0.25, 0.04, 0, 0.2)) *
                  exp(0.04 * 0.25);
    ms actual = stats_of(pnl_of(r, 0), r->paths), implied = stats_of(pnl_of(r, 1), r->paths);
    cr_assert_lt(fabs(actual.mean - want), 4 * actual.se, "actual: %g vs %g (se %g)",
                 actual.mean, want, actual.se);
    cr_assert_lt(fabs(implied.mean - want), 4 * implied.se, "implied: %g vs %g (se %g)",
                 implied.mean, want, implied.se);
    cr_assert_gt(implied.std, 1.5 * actual.std, "std implied %g vs actual %g", implied.std,
                 actual.std);
    hs_results_free(r);
    hs_scenario_free(sc);
}

Test(ratios, leland_price_and_delta_break_even)
{
    /* Short 3-month ATM call, daily rebalancing, 0.2% one-way cost.  Leland's price
     * pays for the rebalancing, not for setting the hedge up: the t0 trade is free
     * here (charge_initial = 0), as in Leland's replication argument. */
    double sigma = 0.2, cost = 0.002, T = 0.25;
    size_t N = 63;
    double vol_l = hs_leland_vol(sigma, cost, T / (double)N, -1.0);
    cr_assert_float_eq(vol_l, sqrt(sigma * sigma + sqrt(8 / PI) * cost * sigma /
                                                        sqrt(T / (double)N)), 1e-15);
    char text[1024];
    snprintf(text, sizeof text,
             "[simulation]\npaths = 40000\nseed = 9\nsteps = 63\n"
             "[market]\nspot = 100\nrate = 0.03\n"
             "[model]\ntype = gbm\nsigma = %.17g\n"
             "[option]\ntype = call\nstrike = 100\nmaturity = 0.25\nquantity = -1\nvol = %.17g\n"
             "[strategy.leland]\nratio = leland\nhedges = 63\nvol = %.17g\ncost = %.17g\n"
             "charge_initial = 0\n"
             "[strategy.plain]\nhedges = 63\nvol = %.17g\ncost = %.17g\ncharge_initial = 0\n",
             sigma, vol_l, sigma, cost, sigma, cost);
    hs_scenario *sc = load(text);
    hs_results *r = run(sc);
    ms lel = stats_of(pnl_of(r, 0), r->paths);
    cr_assert_lt(fabs(lel.mean), 4 * lel.se, "Leland mean P&L %g (se %g)", lel.mean, lel.se);
    /* The plain BS hedge at sigma of the same sale keeps the premium but pays the same
     * order of costs: its mean differs from Leland's, which is the point of the rule. */
    ms plain = stats_of(pnl_of(r, 1), r->paths);
    cr_assert(fabs(plain.mean - lel.mean) > 4 * lel.se, "plain %g vs leland %g", plain.mean,
              lel.mean);
    hs_results_free(r);
    hs_scenario_free(sc);
}

Test(costs, expected_rebalancing_cost_formula)
{
    double kappa = 0.001, sigma = 0.2, T = 1.0 / 12;
    size_t N = 84;
    char text[1024];
    snprintf(text, sizeof text,
             "[simulation]\npaths = 20000\nseed = 4\nsteps = 84\n"
             "[market]\nspot = 100\nrate = 0.05\n"
             "[model]\ntype = gbm\nsigma = 0.2\n"
             "[option]\ntype = call\nstrike = 100\nmaturity = %.17g\nquantity = -1\n"
             "[strategy.hedge]\nhedges = 84\ncost = %g\ncharge_initial = 0\n",
             T, kappa);
    hs_scenario *sc = load(text);
    hs_results *r = run(sc);
    hs_bs_greeks g = hs_bs_greeks_eval(HS_BS_CALL, 100, 100, T, 0.05, 0, sigma);
    double dt = T / (double)N;
    double want = kappa * sqrt(2 / PI) * g.vega * (double)(N - 1) * sqrt(dt) / T;
    double got = r->means[0].cost;
    cr_assert_lt(fabs(got / want - 1), 0.03, "cost %g vs formula %g (%.2f%%)", got, want,
                 100 * (got / want - 1));
    hs_results_free(r);
    hs_scenario_free(sc);
}

Test(costs, fee_spread_initial_and_attribution)
{
    hs_scenario *sc = load("[simulation]\npaths = 3000\nseed = 8\nsteps = 40\n"
                           "[market]\nspot = 100\nrate = 0.03\n"
                           "[model]\ntype = gbm\nsigma = 0.25\n"
                           "[option]\ntype = call\nstrike = 100\nmaturity = 0.25\nquantity = 1\n"
                           "vol = 0.3\n"
                           "[strategy.fee]\nhedges = 40\nfee = 0.5\n"
                           "[strategy.free]\nhedges = 40\n"
                           "[strategy.start]\nhedges = 40\ncost = 0.01\ncharge_initial = 0\n"
                           "[strategy.paid]\nhedges = 40\ncost = 0.01\n"
                           "[strategy.all]\nhedges = 40\ncost = 0.002\nspread = 0.01\n"
                           "fee = 0.1\nborrow = 0.05\ncharge_unwind = 1\n");
    hs_results *r = run(sc);
    size_t n = r->paths;
    for (size_t i = 0; i < n; i++) {
        /* A fixed fee per trade: cost = fee x trades (time-T money: x growth). */
        double trades = r->trades[i];
        cr_assert(r->cost[i] > 0.5 * trades * 0.999 && r->cost[i] < 0.5 * trades * 1.01,
                  "path %zu: fee cost %g for %g trades", i, r->cost[i], trades);
        cr_assert_eq(r->trades[i], r->trades[n + i], "fees do not change trading");
        /* Charging the t0 trade costs exactly kappa |Delta_0| S0 G_0 more, on every path. */
        double d0 = fabs(hs_bs_delta(HS_BS_CALL, 100, 100, 0.25, 0.03, 0, 0.3));
        double extra = 0.01 * d0 * 100 * exp(0.03 * 0.25);
        cr_assert_float_eq(r->cost[3 * n + i] - r->cost[2 * n + i], extra, 1e-9,
                           "path %zu: initial trade cost", i);
        /* Attribution: pnl = edge + replication - cost + carry, path by path. */
        size_t j = 4 * n + i;
        double sum = r->means[4].edge + r->hedge_error[j] - r->cost[j] + r->carry[j];
        cr_assert_float_eq(sum, r->pnl[j], 1e-12 * (1 + fabs(r->pnl[j])), "path %zu", i);
        cr_assert_leq(r->carry[j], 0.0, "borrow fees are paid, never received");
    }
    /* Frictionless P&L minus the costly strategy's = its costs and carry, on average. */
    ms a = stats_of(r->pnl + n, n), b = stats_of(r->pnl + 4 * n, n);
    cr_assert_lt(a.mean - b.mean - r->means[4].cost + r->means[4].carry, 1e-9);
    cr_assert_lt(r->means[4].carry, 0.0, "a long call is hedged short stock: borrow is paid");
    hs_results_free(r);
    hs_scenario_free(sc);
}

Test(rules, whalley_wilmott_halfwidth_known_values)
{
    /* By hand: (1.5 e^{-0.05*0.5} 0.01 * 100 * 0.02^2 / 1)^{1/3}
     *        = (1.5 * 0.975309912 * 0.01 * 100 * 0.0004)^{1/3} = 0.000585186^{1/3}
     *        = 0.0836433...  */
    double h = hs_whalley_wilmott_halfwidth(100, 0.02, 0.01, 1.0, 0.05, 0.5);
    cr_assert_float_eq(h, cbrt(1.5 * exp(-0.025) * 0.01 * 100 * 0.0004), 1e-15);
    cr_assert_float_eq(h, 0.0836433, 1e-7);
    /* gamma = 0, cost = 0: no band, never NaN. */
    cr_assert_eq(hs_whalley_wilmott_halfwidth(100, 0.0, 0.01, 1.0, 0.05, 0.5), 0.0);
    cr_assert_eq(hs_whalley_wilmott_halfwidth(100, 0.03, 0.0, 1.0, 0.05, 0.5), 0.0);
    cr_assert(!isnan(hs_whalley_wilmott_halfwidth(100, -0.0, 0.01, 1e-6, 0.0, 0.0)));
    /* Scaling: doubling the risk aversion shrinks the band by 2^{-1/3}. */
    double h2 = hs_whalley_wilmott_halfwidth(100, 0.02, 0.01, 2.0, 0.05, 0.5);
    cr_assert_float_eq(h2 / h, cbrt(0.5), 1e-14);
}

static const char *band_base =
    "[simulation]\npaths = 5000\nseed = 21\nsteps = 60\n"
    "[market]\nspot = 100\nrate = 0.02\n"
    "[model]\ntype = gbm\nsigma = 0.25\n"
    "[option]\ntype = call\nstrike = 100\nmaturity = 0.25\nquantity = -1\n";

Test(rules, band_zero_and_tiny_move_equal_interval_every_step)
{
    char text[2048];
    snprintf(text, sizeof text,
             "%s[strategy.interval]\nevery = 1\ncost = 0.001\n"
             "[strategy.band]\nrebalance = band\nband = 0\ncost = 0.001\n"
             "[strategy.move]\nrebalance = move\nmove = 1e-12\ncost = 0.001\n",
             band_base);
    hs_scenario *sc = load(text);
    hs_results *r = run(sc);
    size_t n = r->paths;
    cr_assert(!memcmp(r->pnl, r->pnl + n, n * sizeof(double)), "band 0 differs from interval");
    cr_assert(!memcmp(r->pnl, r->pnl + 2 * n, n * sizeof(double)), "move 0 differs");
    hs_results_free(r);
    hs_scenario_free(sc);
}

Test(rules, wider_bands_trade_less)
{
    char text[2048];
    snprintf(text, sizeof text,
             "%s[strategy.band]\nrebalance = band\nband = 0, 0.02, 0.05, 0.1\nto = target, edge\n"
             "[strategy.ww]\nrebalance = whalley_wilmott\ncost = 0.002\n"
             "risk_aversion = 0.5, 5\n",
             band_base);
    hs_scenario *sc = load(text);
    hs_results *r = run(sc);
    /* Strategies: band x to, last varies fastest: (0,t) (0,e) (0.02,t) ... (0.1,e). */
    for (size_t to = 0; to < 2; to++) {
        for (size_t w = 1; w < 4; w++) {
            double narrow = r->means[2 * (w - 1) + to].trades, wide = r->means[2 * w + to].trades;
            cr_assert_lt(wide, narrow, "to=%zu: band %zu trades %g >= %g", to, w, wide, narrow);
        }
    }
    /* Edge trades at least as often as target for the same band (it stays at the edge). */
    for (size_t w = 1; w < 4; w++)
        cr_assert_geq(r->means[2 * w + 1].trades, r->means[2 * w].trades);
    /* More risk-averse: a narrower Whalley-Wilmott band, more trades, lower P&L std. */
    cr_assert_gt(r->means[9].trades, r->means[8].trades);
    ms lo = stats_of(pnl_of(r, 8), r->paths), hi = stats_of(pnl_of(r, 9), r->paths);
    cr_assert_lt(hi.std, lo.std);
    hs_results_free(r);
    hs_scenario_free(sc);
}

/* Path by path, a band at least twice as wide never trades more (to = target, same
 * target).  Proof: let the wide band trade at t1 (to the target X(t1)) and next at t2,
 * so |X(t2) - X(t1)| > w2.  If the narrow band did not trade in (t1, t2] its holding h
 * was constant there with |X(t1) - h| <= w1 and |X(t2) - h| <= w1, so |X(t2) - X(t1)| <=
 * 2 w1 <= w2: a contradiction.  Each wide trade after the first thus has a narrow trade
 * of its own before it, and both put the hedge on at t0 and unwind at expiry.  For
 * w1 < w2 < 2 w1 the statement is false: targets 0, 1.05, 1.6, 0.08 with w1 = 1,
 * w2 = 1.5 make the wide band trade at 1.6 and 0.08, the narrow one only at 1.05. */
Test(rules, band_twice_as_wide_never_trades_more_on_any_path)
{
    char text[2048];
    snprintf(text, sizeof text,
             "%s[strategy.band]\nrebalance = band\nband = 0.005, 0.01, 0.025, 0.05, 0.1, 0.2\n",
             band_base);
    hs_scenario *sc = load(text);
    hs_results *r = run(sc);
    size_t n = r->paths, fewer = 0;
    for (size_t w = 1; w < 6; w++) {
        const float *narrow = r->trades + (w - 1) * n, *wide = r->trades + w * n;
        for (size_t p = 0; p < n; p++) {
            cr_assert_leq(wide[p], narrow[p], "path %zu: band %g trades %g > band %g's %g", p,
                          sc->strategies[w].rule_par[0], (double)wide[p],
                          sc->strategies[w - 1].rule_par[0], (double)narrow[p]);
            fewer += wide[p] < narrow[p];
        }
    }
    cr_assert_gt(fewer, n, "the bands must differ on most paths for the test to mean anything");
    hs_results_free(r);
    hs_scenario_free(sc);
}

Test(rules, min_gap_and_lots)
{
    char text[2048];
    snprintf(text, sizeof text,
             "%s[strategy.gap]\nevery = 1\nmin_gap = 0.0208333333\n"
             "[strategy.lot]\nevery = 1\nlot = 0.1\n"
             "[strategy.min]\nevery = 1\nmin_trade = 0.05\n",
             band_base);
    hs_scenario *sc = load(text);
    hs_results *r = run(sc);
    size_t n = r->paths;
    /* 60 steps of 1/240 year; a gap of 5 steps allows at most 12 trades per path. */
    for (size_t i = 0; i < n; i++)
        cr_assert_leq(r->trades[i], 12.0f, "path %zu: %g trades", i, (double)r->trades[i]);
    cr_assert_lt(r->means[1].trades, 30.0, "lots of 0.1 shares trade less than every step");
    cr_assert_lt(r->means[2].trades, 30.0);
    hs_results_free(r);
    hs_scenario_free(sc);
}

Test(ratios, realized_vol_hedger)
{
    char text[2048];
    snprintf(text, sizeof text,
             "%s[strategy.true]\nevery = 1\n"
             "[strategy.ewma]\nevery = 1\nratio = realized\ndecay = 0.9\n"
             "[strategy.rolling]\nevery = 1\nratio = realized\nwindow = 10\ninit_vol = 0.4\n",
             band_base);
    hs_scenario *sc = load(text);
    hs_results *r = run(sc);
    ms t = stats_of(pnl_of(r, 0), r->paths);
    for (size_t s = 1; s < 3; s++) {
        ms e = stats_of(pnl_of(r, s), r->paths);
        /* Hedging with an estimate of the right vol: still unbiased on average... */
        cr_assert_lt(fabs(e.mean), 4 * e.se, "strategy %zu: mean %g se %g", s, e.mean, e.se);
        /* ...but noisier than knowing the truth. */
        cr_assert_gt(e.std, t.std, "strategy %zu", s);
        cr_assert_lt(e.std, 3 * t.std, "strategy %zu", s);
    }
    hs_results_free(r);
    hs_scenario_free(sc);
}

Test(books, straddle_and_digital_converge)
{
    hs_scenario *sc = load("[simulation]\npaths = 20000\nseed = 6\nsteps = 336\n"
                           "[market]\nspot = 100\nrate = 0.05\n"
                           "[model]\ntype = gbm\nsigma = 0.2\n"
                           "[option.c]\ntype = call\nstrike = 100\nmaturity = 0.25\nquantity = -1\n"
                           "[option.p]\ntype = put\nstrike = 100\nmaturity = 0.25\nquantity = -1\n"
                           "[strategy.h]\nhedges = 21, 84, 336\n");
    hs_results *r = run(sc);
    double s21 = stats_of(pnl_of(r, 0), r->paths).std, s84 = stats_of(pnl_of(r, 1), r->paths).std,
           s336 = stats_of(pnl_of(r, 2), r->paths).std;
    /* Derman-Kamal rate: quadrupling N halves the std (to a few %: first-order theory,
     * and the sampling error of a std at 20 000 paths is about 0.6%). */
    cr_assert_lt(fabs(s21 / s84 - 2), 0.1, "21/84: %g", s21 / s84);
    cr_assert_lt(fabs(s84 / s336 - 2), 0.1, "84/336: %g", s84 / s336);
    hs_results_free(r);
    hs_scenario_free(sc);

    sc = load("[simulation]\npaths = 20000\nseed = 6\nsteps = 336\n"
              "[market]\nspot = 100\nrate = 0.05\n"
              "[model]\ntype = gbm\nsigma = 0.2\n"
              "[option]\ntype = digital_call\nstrike = 100\nmaturity = 0.25\nquantity = -10\n"
              "[strategy.h]\nhedges = 21, 84, 336\n");
    r = run(sc);
    double d21 = stats_of(pnl_of(r, 0), r->paths).std, d84 = stats_of(pnl_of(r, 1), r->paths).std,
           d336 = stats_of(pnl_of(r, 2), r->paths).std;
    ms m = stats_of(pnl_of(r, 2), r->paths);
    cr_assert_lt(fabs(m.mean), 4 * m.se, "digital mean P&L %g se %g", m.mean, m.se);
    cr_assert(d84 < d21 && d336 < d84, "digital std %g %g %g", d21, d84, d336);
    /* Slower than 1/sqrt(N) for the kinked payoff: less than halved per quadrupling. */
    cr_assert_gt(d84 / d336, 1.0);
    cr_assert_lt(d84 / d336, 2.0, "digital 84/336: %g", d84 / d336);
    hs_results_free(r);
    hs_scenario_free(sc);
}

Test(books, digital_greeks_known_values)
{
    /* Hull (2022), section 26.11: cash-or-nothing call = e^{-rT} N(d2). */
    hs_scenario *sc = NULL;
    (void)sc;
    double S = 100, K = 100, T = 1, r = 0.05, v = 0.2;
    double d2 = (log(S / K) + (r - v * v / 2) * T) / (v * sqrt(T));
    double want = exp(-r * T) * 0.5 * erfc(-d2 / sqrt(2));
    extern hs_bs_greeks hs_digital_greeks(hs_bs_kind, double, double, double, double, double,
                                          double);
    hs_bs_greeks g = hs_digital_greeks(HS_BS_CALL, S, K, T, r, 0, v);
    cr_assert_float_eq(g.value, want, 1e-14);
    cr_assert_float_eq(g.value, 0.5323248154537634, 1e-12);
    hs_bs_greeks p = hs_digital_greeks(HS_BS_PUT, S, K, T, r, 0, v);
    cr_assert_float_eq(g.value + p.value, exp(-r * T), 1e-15, "parity");
    /* Delta and gamma against central differences of the value. */
    double h = 1e-3;
    double up = hs_digital_greeks(HS_BS_CALL, S + h, K, T, r, 0, v).value;
    double dn = hs_digital_greeks(HS_BS_CALL, S - h, K, T, r, 0, v).value;
    cr_assert_float_eq(g.delta, (up - dn) / (2 * h), 1e-7);
    cr_assert_float_eq(g.gamma, (up - 2 * g.value + dn) / (h * h), 1e-5);
    double vu = hs_digital_greeks(HS_BS_CALL, S, K, T, r, 0, v + 1e-5).value;
    double vd = hs_digital_greeks(HS_BS_CALL, S, K, T, r, 0, v - 1e-5).value;
    cr_assert_float_eq(g.vega, (vu - vd) / 2e-5, 1e-6);
    double tu = hs_digital_greeks(HS_BS_CALL, S, K, T - 1e-5, r, 0, v).value;
    double td = hs_digital_greeks(HS_BS_CALL, S, K, T + 1e-5, r, 0, v).value;
    cr_assert_float_eq(g.theta, (tu - td) / 2e-5, 1e-6);
}

Test(strategies, bad_keys)
{
    const char *cases[][2] = {
        {"[strategy.x]\nrebalance = band\n", "missing key 'band'"},
        {"[strategy.x]\nrebalance = band\nband = 0.1\nto = middle\n", "'middle' is not a known choice"},
        {"[strategy.x]\nhedges = 4\nevery = 2\n", "exactly one of 'hedges' and 'every'"},
        {"[strategy.x]\nevery = 100\n", "every = 100 is more than steps"},
        {"[strategy.x]\nratio = leland\nrebalance = band\nband = 0.1\ncost = 0.01\n",
         "fixed interval"},
        {"[strategy.x]\nhedges = 4\ncharge_initial = 2\n", "charge_initial = 2 is outside"},
        {"[strategy.x]\nhedges = 4\nvol = implied\n", "vol = 'implied' is not a number"},
        {"[strategy.x]\nratio = realized\nhedges = 4\ndecay = 1\n", "decay = 1 is outside"},
        {"[strategy.x]\nrebalance = move\nmove = 0\n", "move = 0 is outside"},
        {"[strategy.x]\nhedges = 4\nratio = lelend\n", "did you mean 'leland'"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char text[2048];
        snprintf(text, sizeof text,
                 "[simulation]\npaths = 100\nsteps = 20\n[model]\nsigma = 0.2\n"
                 "[option]\ntype = call\nstrike = 100\nmaturity = 0.1\n%s",
                 cases[c][0]);
        hs_ini *ini = NULL;
        hs_error err;
        cr_assert_eq(hs_ini_parse_string(text, "bad.ini", &ini, &err), HS_OK);
        hs_scenario *sc = NULL;
        hs_status st = hs_scenario_build(ini, &sc, &err);
        hs_ini_free(ini);
        cr_assert_eq(st, HS_EINPUT, "case %zu accepted", c);
        cr_assert(strstr(err.msg, cases[c][1]) && strstr(err.msg, "bad.ini"),
                  "case %zu: %s", c, err.msg);
    }
}

Test(books, delta_gamma_converges_faster)
{
    hs_scenario *sc = load("[simulation]\npaths = 6000\nseed = 12\nsteps = 252\n"
                           "[market]\nspot = 100\nrate = 0.03\n"
                           "[model]\ntype = gbm\nsigma = 0.25\n"
                           "[option.c]\ntype = call\nstrike = 100\nmaturity = 0.25\nquantity = -1\n"
                           "[option.p]\ntype = put\nstrike = 100\nmaturity = 0.25\nquantity = -1\n"
                           "[strategy.delta]\nhedges = 63, 252\n"
                           "[strategy.gamma]\nratio = delta_gamma\nhedge_strike = 100\n"
                           "hedge_maturity = 0.5\nhedges = 63, 252\n");
    hs_results *r = run(sc);
    double d63 = stats_of(pnl_of(r, 0), r->paths).std, d252 = stats_of(pnl_of(r, 1), r->paths).std;
    ms g63 = stats_of(pnl_of(r, 2), r->paths), g252 = stats_of(pnl_of(r, 3), r->paths);
    /* Everything traded at the true vol: no edge, mean zero. */
    cr_assert_lt(fabs(g252.mean), 4 * g252.se, "mean %g se %g", g252.mean, g252.se);
    /* Gamma-neutral: far smaller error, and falling faster than 1/sqrt(N) (delta: x2). */
    cr_assert_lt(g63.std, 0.3 * d63, "gamma %g vs delta %g", g63.std, d63);
    cr_assert_lt(fabs(d63 / d252 - 2), 0.15, "delta ratio %g", d63 / d252);
    cr_assert_gt(g63.std / g252.std, 2.5, "gamma ratio %g", g63.std / g252.std);
    hs_results_free(r);
    hs_scenario_free(sc);
}

/* Black-Scholes implied vol of a price by bisection (for the Merton test below). */
static double implied_vol(double price, double S, double K, double T, double r)
{
    double lo = 1e-4, hi = 3.0;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (hs_bs_price(HS_BS_CALL, S, K, T, r, 0, mid) < price)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

Test(ratios, model_delta_under_merton)
{
    /* A call sold at its Merton price (Merton 1976 series; the implied vol below
     * reproduces it) and hedged on risk-neutral Merton paths: any self-financing hedge
     * has zero-mean gains, so the mean P&L is zero within 4 s.e. for the model delta
     * and for the Black-Scholes delta alike.  (Their stds differ: neither hedges the
     * jumps; here the Black-Scholes delta at the higher implied vol, 3% lower std,
     * happens to cover them a little better than Merton's delta.) */
    hs_merton_jumps j = {2.0, -0.1, 0.1};
    hs_merton_value v;
    hs_error err;
    cr_assert_eq(hs_merton_eval(HS_BS_CALL, 100, 100, 0.25, 0.03, 0, 0.2, &j, &v, &err), HS_OK);
    double iv = implied_vol(v.value, 100, 100, 0.25, 0.03);
    char text[2048];
    snprintf(text, sizeof text,
             "[simulation]\npaths = 20000\nseed = 31\nsteps = 63\n"
             "[market]\nspot = 100\nrate = 0.03\n"
             "[model]\ntype = merton\nsigma = 0.2\nlambda = 2\njump_mean = -0.1\njump_std = 0.1\n"
             "[option]\ntype = call\nstrike = 100\nmaturity = 0.25\nquantity = -1\nvol = %.17g\n"
             "[strategy.model]\nratio = model\nhedges = 63\n"
             "[strategy.bs]\nhedges = 63\n",
             iv);
    hs_scenario *sc = load(text);
    hs_results *r = run(sc);
    ms m = stats_of(pnl_of(r, 0), r->paths), b = stats_of(pnl_of(r, 1), r->paths);
    cr_assert_lt(fabs(m.mean), 4 * m.se, "model delta: mean %g se %g", m.mean, m.se);
    cr_assert_lt(fabs(b.mean), 4 * b.se, "bs delta: mean %g se %g", b.mean, b.se);
    cr_assert_gt(fabs(m.std - b.std), 0.01 * b.std, "model std %g vs bs std %g", m.std, b.std);
    hs_results_free(r);
    hs_scenario_free(sc);

    /* Without jumps the model delta is the Black-Scholes delta at sigma. */
    sc = load("[simulation]\npaths = 2000\nseed = 3\nsteps = 20\n"
              "[market]\nspot = 100\nrate = 0.03\n"
              "[model]\ntype = merton\nsigma = 0.2\nlambda = 0\n"
              "[option]\ntype = put\nstrike = 95\nmaturity = 0.1\nquantity = -1\n"
              "[strategy.model]\nratio = model\nhedges = 20\nmodel_delta = exact, table\n"
              "[strategy.bs]\nhedges = 20\nvol = 0.2\n");
    r = run(sc);
    /* The series itself (exact) to rounding; the table (delta error < 1e-7 shares) to
     * 1e-7 x the sum of |S_{k+1} - S_k| over 20 steps (well under 20 x 10) = 2e-5. */
    for (size_t i = 0; i < r->paths; i++) {
        cr_assert_lt(fabs(r->pnl[i] - r->pnl[2 * r->paths + i]), 1e-9, "path %zu", i);
        cr_assert_lt(fabs(r->pnl[r->paths + i] - r->pnl[2 * r->paths + i]), 2e-5, "path %zu", i);
    }
    hs_results_free(r);
    hs_scenario_free(sc);

    /* A model without a price is refused with a message. */
    hs_ini *ini = NULL;
    cr_assert_eq(hs_ini_parse_string("[simulation]\npaths = 100\nsteps = 10\n"
                                     "[model]\ntype = regime\nvols = 0.1, 0.3\n"
                                     "rates = -1, 1, 1, -1\n"
                                     "[option]\ntype = call\nstrike = 100\nmaturity = 0.1\n"
                                     "[strategy.x]\nratio = model\nhedges = 10\n",
                                     "m.ini", &ini, &err),
                 HS_OK);
    hs_scenario *bad = NULL;
    cr_assert_eq(hs_scenario_build(ini, &bad, &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "m.ini") && strstr(err.msg, "has no price"), "%s", err.msg);
    hs_ini_free(ini);
}
