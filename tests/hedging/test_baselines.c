/*
 * Tests of issue 14's baselines: `rebalance = none` (rule_none.c) and convergence fits
 * for `every` sweeps (report.c).
 *
 *  - none never trades, not even at t0, under every ratio and with every friction: zero
 *    trades, costs and carry on every path, and the same P&L whatever the ratio; path by
 *    path the P&L of a short call is V0 e^{rT} - (S_T - K)^+ (V0 the premium at the
 *    traded vol), with S_T recovered from a strategy that trades once at t0 and holds
 *    (its P&L differs from none's by exactly Delta_0 (S_T - S_0 e^{rT}): one step by
 *    hand); traded at the model's vol with mu = r its mean is 0 within 4 s.e.;
 *  - `every = 1, 2, 5` over 63 steps is one convergence group fitted on N = 63, 32, 13
 *    (ceil(63 / every)), with the Derman-Kamal slope -1/2 within 4 s.e.; two values are
 *    enough for a fit; the group keeps the other swept keys (`cost`);
 *  - option.model_value (issue 14): 2 short calls traded at 25% under gbm at 20% have
 *    option.value = 2 BS(25%) (the book seen long), option.model_value = 2 BS(20%) and
 *    book.model_value = -2 BS(20%), in the report and the JSON; a digital under merton has no model
 * value and no key.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "hedgesim/bs.h"
#include "hedgesim/engine.h"
#include "hedgesim/report.h"
#include "hedgesim/scenario.h"

static hs_scenario *load(const char *text)
{
    hs_error err;
    hs_scenario *sc = NULL;
    cr_assert_eq(hs_scenario_load_string(text, "baselines.ini", NULL, 0, &sc, &err), HS_OK, "%s",
                 err.msg);
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

Test(rule_none, never_trades_under_any_ratio_or_cost)
{
    const double T = 0.25, r = 0.04, K = 105, S0 = 100;
    hs_scenario *sc = load("[simulation]\npaths = 20000\nseed = 21\nsteps = 63\n"
                           "[market]\nspot = 100\nrate = 0.04\n"
                           "[model]\ntype = gbm\nsigma = 0.2\n"
                           "[option]\ntype = call\nstrike = 105\nmaturity = 0.25\nquantity = -1\n"
                           "vol = 0.2\n"
                           "[strategy.none]\nrebalance = none\ncost = 0.01\nspread = 0.05\n"
                           "fee = 1\ncharge_unwind = 1\nborrow = 0.1\n"
                           "[strategy.leland]\nrebalance = none\nratio = leland\ncost = 0.01\n"
                           "[strategy.model]\nrebalance = none\nratio = model\n"
                           "[strategy.gamma]\nrebalance = none\nratio = delta_gamma\n"
                           "hedge_strike = 100\nhedge_maturity = 0.5\n"
                           "[strategy.realized]\nrebalance = none\nratio = realized\n"
                           "[strategy.once]\nhedges = 1\n");
    hs_results *res = run(sc);
    const size_t n = res->paths, ns = res->n_strategies;
    cr_assert_eq(ns, 6);
    const double v0 = hs_bs_price(HS_BS_CALL, S0, K, T, r, 0.0, 0.2), g = exp(r * T);
    const double d0 = hs_bs_delta(HS_BS_CALL, S0, K, T, r, 0.0, 0.2);
    double sum = 0.0, sum2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        for (size_t s = 0; s < 5; s++) {
            cr_assert(res->trades[s * n + i] == 0.0f, "strategy %zu path %zu trades", s, i);
            cr_assert(res->cost[s * n + i] == 0.0 && res->carry[s * n + i] == 0.0,
                      "strategy %zu path %zu: cost %g carry %g", s, i, res->cost[s * n + i],
                      res->carry[s * n + i]);
            cr_assert(res->pnl[s * n + i] == res->pnl[i], "strategy %zu path %zu", s, i);
        }
        /* once: short the call, buy Delta_0 shares at t0 and hold: its P&L minus none's is
         * Delta_0 (S_T - S_0 e^{rT}), which gives S_T. */
        const double st = S0 * g + (res->pnl[5 * n + i] - res->pnl[i]) / d0;
        const double want = v0 * g - fmax(st - K, 0.0);
        cr_assert(fabs(res->pnl[i] - want) < 1e-9 * (1.0 + fabs(want)), "path %zu: %.12g vs %.12g",
                  i, res->pnl[i], want);
        sum += res->pnl[i];
        sum2 += res->pnl[i] * res->pnl[i];
    }
    const double mean = sum / (double)n, se = sqrt((sum2 / (double)n - mean * mean) / (double)n);
    cr_log_info("none: mean P&L %.4f +- %.4f (0 expected)", mean, se);
    cr_assert(fabs(mean) < 4.0 * se, "mean %g se %g", mean, se);
    cr_assert(res->means[0].trades == 0.0 && res->means[0].cost == 0.0);
    hs_results_free(res);
    hs_scenario_free(sc);
}

static hs_report *report_of(const char *text, hs_scenario **sc, hs_results **res)
{
    *sc = load(text);
    *res = run(*sc);
    hs_report *rep;
    hs_error err;
    cr_assert_eq(hs_report_build(*sc, *res, &rep, &err), HS_OK, "%s", err.msg);
    return rep;
}

static const char *every_base = "[simulation]\npaths = 6000\nseed = 5\nsteps = 63\n"
                                "[market]\nspot = 100\nrate = 0.05\n"
                                "[model]\ntype = gbm\nsigma = 0.2\n"
                                "[option]\ntype = call\nstrike = 100\nmaturity = 0.25\n"
                                "quantity = -1\n";

Test(convergence, every_sweep_is_fitted_on_the_n_it_implies)
{
    char text[2048];
    snprintf(text, sizeof text, "%s[strategy.hedge]\nevery = 1, 2, 5\n", every_base);
    hs_scenario *sc;
    hs_results *res;
    hs_report *rep = report_of(text, &sc, &res);
    cr_assert_eq(rep->n_conv, 1, "groups %zu", rep->n_conv);
    const hs_convergence *c = &rep->conv[0];
    cr_assert_str_eq(c->group, "hedge");
    cr_assert_eq(c->k, 3);
    /* ceil(63 / every): 13, 32, 63 rebalances. */
    cr_assert(c->hedges[0] == 13 && c->hedges[1] == 32 && c->hedges[2] == 63, "%g %g %g",
              c->hedges[0], c->hedges[1], c->hedges[2]);
    cr_log_info("every 1, 2, 5: slope %.3f +- %.3f", c->fit.slope, c->fit.slope_se);
    cr_assert(fabs(c->fit.slope + 0.5) < 4.0 * c->fit.slope_se, "slope %g se %g", c->fit.slope,
              c->fit.slope_se);
    hs_report_free(rep);
    hs_results_free(res);
    hs_scenario_free(sc);

    /* Two values suffice; the group keeps the other swept key. */
    snprintf(text, sizeof text, "%s[strategy.hedge]\nevery = 1, 3\ncost = 0, 0.001\n", every_base);
    rep = report_of(text, &sc, &res);
    cr_assert_eq(rep->n_conv, 2, "groups %zu", rep->n_conv);
    for (size_t j = 0; j < 2; j++) {
        cr_assert_eq(rep->conv[j].k, 2);
        cr_assert(rep->conv[j].hedges[0] == 21 && rep->conv[j].hedges[1] == 63);
        cr_assert(strstr(rep->conv[j].group, "cost="), "%s", rep->conv[j].group);
        cr_assert(!strstr(rep->conv[j].group, "every"), "%s", rep->conv[j].group);
    }
    hs_report_free(rep);
    hs_results_free(res);
    hs_scenario_free(sc);
}

/* option.model_value: the book under the model beside its value at the traded vol; absent
 * where the model cannot price a leg. */
Test(model_value, in_the_report_and_json)
{
    hs_scenario *sc;
    hs_results *res;
    hs_report *rep = report_of("[simulation]\npaths = 500\nseed = 5\nsteps = 21\n"
                               "[market]\nspot = 100\nrate = 0.05\n"
                               "[model]\ntype = gbm\nsigma = 0.2\n"
                               "[option]\ntype = call\nstrike = 100\nmaturity = 0.25\n"
                               "quantity = -2\nvol = 0.25\n"
                               "[strategy.h]\nhedges = 21\n",
                               &sc, &res);
    const double bs20 = hs_bs_price(HS_BS_CALL, 100, 100, 0.25, 0.05, 0.0, 0.2);
    const double bs25 = hs_bs_price(HS_BS_CALL, 100, 100, 0.25, 0.05, 0.0, 0.25);
    /* `option` is the first leg, one unit long (report.h); `book` the two calls sold. */
    cr_assert(fabs(rep->option.value - bs25) < 1e-12, "value %g", rep->option.value);
    cr_assert(fabs(rep->option_model_value - bs20) < 1e-12, "model %g vs %g",
              rep->option_model_value, bs20);
    cr_assert(fabs(rep->book_model_value + 2.0 * bs20) < 1e-12, "book %g", rep->book_model_value);
    json_t *j = hs_report_json(rep);
    json_t *mv = json_object_get(json_object_get(j, "option"), "model_value");
    cr_assert(json_is_real(mv) && json_real_value(mv) == rep->option_model_value);
    json_decref(j);
    hs_report_free(rep);
    hs_results_free(res);
    hs_scenario_free(sc);

    /* A digital under merton: no price, no key. */
    rep = report_of("[simulation]\npaths = 500\nseed = 5\nsteps = 21\n"
                    "[market]\nspot = 100\nrate = 0.05\n"
                    "[model]\ntype = merton\n"
                    "[option]\ntype = digital_call\nstrike = 100\nmaturity = 0.25\n"
                    "[strategy.h]\nhedges = 21\n",
                    &sc, &res);
    cr_assert(isnan(rep->option_model_value));
    j = hs_report_json(rep);
    cr_assert_null(json_object_get(json_object_get(j, "option"), "model_value"));
    cr_assert_not_null(json_object_get(json_object_get(j, "option"), "value"));
    json_decref(j);
    hs_report_free(rep);
    hs_results_free(res);
    hs_scenario_free(sc);
}
