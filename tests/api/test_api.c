/*
 * Tests of hs_sim (include/hedgesim/hedgesim.h, src/api/api.c), the facade the examples
 * and the Python package use:
 *
 *  - its JSON text is hs_report_json of the same run printed as the command prints it,
 *    and its arrays are the run's, strategy-major (x[i * paths + p]);
 *  - its overrides are the command's: --paths/--seed/--threads set [simulation] and are
 *    named so in messages; a bad value gives HS_EINPUT with file:line or the override;
 *  - a [grid] is refused with its line; a NULL override is refused;
 *  - known answer: a short call sold at 20% and hedged at 20% on 15% paths earns on
 *    average the premium difference grown to T, (C(0.20) - C(0.15)) e^{rT} = 0.574840
 *    (by hand: C(0.20) = 2.512067, C(0.15) = 1.939617; S = K = 100, r = 0.05, T = 1/12),
 *    within 4 standard errors plus 0.005 of discrete-hedging bias;
 *  - two threads running hs_sim_run at once (each with an OpenMP team of 2) give the
 *    arrays of a run alone, bit for bit (docs/api.md, "Thread safety").
 */
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "hedgesim/hedgesim.h"

static const char text[] = "[scenario]\nname = api\n"
                           "[simulation]\npaths = 20000\nseed = 7\nsteps = 21\n"
                           "[market]\nspot = 100\nrate = 0.05\n"
                           "[model]\ntype = gbm\nsigma = 0.2\nmu = 0.05\n"
                           "[option]\ntype = call\nstrike = 100\n"
                           "maturity = 0.0833333333333333333\nquantity = -1\nvol = 0.2\n"
                           "[strategy.daily]\nrebalance = interval\nhedges = 21, 7\nvol = 0.2\n";

Test(api, json_and_arrays_are_the_runs)
{
    hs_sim_opts o;
    hs_sim_opts_init(&o);
    o.paths = 3000;
    o.threads = 2;
    hs_sim *s;
    hs_error err;
    cr_assert_eq(hs_sim_run_string(text, "api.ini", NULL, 0, &o, &s, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(hs_sim_n_strategies(s), 2);
    cr_assert_eq(hs_sim_paths(s), 3000);
    cr_assert_str_eq(hs_sim_strategy_name(s, 1), "daily[hedges=7]");
    cr_assert_null(hs_sim_strategy_name(s, 2));
    json_t *js = hs_report_json(hs_sim_report(s));
    char *want = json_dumps(js, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    size_t n = strlen(want);
    cr_assert_eq(strncmp(hs_sim_json(s), want, n), 0);
    cr_assert_str_eq(hs_sim_json(s) + n, "\n");
    free(want);
    json_decref(js);
    /* Strategy-major arrays: the mean of row i is the report's mean of strategy i. */
    const hs_results *res = hs_sim_results(s);
    cr_assert_eq(hs_sim_pnl(s), res->pnl);
    cr_assert_eq(hs_sim_hedge_error(s), res->hedge_error);
    cr_assert_eq(hs_sim_cost(s), res->cost);
    cr_assert_eq(hs_sim_carry(s), res->carry);
    cr_assert_eq((const void *)hs_sim_trades(s), (const void *)res->trades);
    for (size_t i = 0; i < 2; i++) {
        double sum = 0;
        for (size_t p = 0; p < 3000; p++)
            sum += hs_sim_pnl(s)[i * 3000 + p];
        cr_assert_float_eq(sum / 3000, hs_sim_report(s)->strategies[i].pnl.mean, 1e-12);
        cr_assert_eq(hs_sim_trades(s)[i * 3000], i == 0 ? 21.0f : 7.0f);
    }
    cr_assert_eq(hs_sim_scenario(s)->seed, 7);
    cr_assert_eq(hs_sim_scenario(s)->threads, 2);
    cr_assert_not_null(strstr(hs_sim_table_text(s), "daily[hedges=21]"));
    hs_sim_free(s);
    hs_sim_free(NULL);
}

Test(api, known_answer_mean_pnl_at_the_wrong_vol)
{
    const char *sets[] = {"model.sigma=0.15", "strategy.daily.hedges=21"};
    hs_sim *s;
    hs_error err;
    cr_assert_eq(hs_sim_run_string(text, "api.ini", sets, 2, NULL, &s, &err), HS_OK, "%s", err.msg);
    const hs_summary *pnl = &hs_sim_report(s)->strategies[0].pnl;
    double want = 0.574840, tol = 4 * pnl->std / sqrt(20000.0) + 0.005;
    cr_assert(fabs(pnl->mean - want) < tol, "mean %.6f, expected %.6f +- %.4f", pnl->mean, want,
              tol);
    hs_sim_free(s);
}

Test(api, overrides_and_messages)
{
    hs_sim_opts o;
    hs_sim_opts_init(&o);
    o.paths = 1;
    hs_sim *s = (hs_sim *)1;
    hs_error err;
    cr_assert_eq(hs_sim_run_string(text, "api.ini", NULL, 0, &o, &s, &err), HS_EINPUT);
    cr_assert_null(s);
    cr_assert_str_eq(err.msg, "--paths: [simulation]: paths = 1 is outside [2, 1000000000] "
                              "(number of Monte Carlo paths, paths)");
    const char *bad[] = {"model.sigma=-1"};
    cr_assert_eq(hs_sim_run_string(text, "api.ini", bad, 1, NULL, &s, &err), HS_EINPUT);
    cr_assert(strncmp(err.msg, "--set: ", 7) == 0, "%s", err.msg);
    cr_assert_eq(hs_sim_run_string("[model]\nsigma = x\n", "x.ini", NULL, 0, NULL, &s, &err),
                 HS_EINPUT);
    cr_assert(strncmp(err.msg, "x.ini:", 6) == 0, "%s", err.msg);
    const char *null_set[] = {NULL};
    cr_assert_eq(hs_sim_run_string(text, "api.ini", null_set, 1, NULL, &s, &err), HS_EINPUT);
    cr_assert_eq(
        hs_sim_run(HS_SOURCE_ROOT "/scenarios/jump_intensity_grid.ini", NULL, 0, NULL, &s, &err),
        HS_EINPUT);
    cr_assert_not_null(strstr(err.msg, "jump_intensity_grid.ini:"), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "[grid] model.lambda"), "%s", err.msg);
    cr_assert_eq(hs_sim_run("/nonexistent/x.ini", NULL, 0, NULL, &s, &err), HS_EINPUT);
}

static void *run_thread(void *arg)
{
    hs_sim **out = arg;
    hs_sim_opts o;
    hs_sim_opts_init(&o);
    o.paths = 4000;
    o.threads = 2;
    hs_error err;
    if (hs_sim_run_string(text, "api.ini", NULL, 0, &o, out, &err))
        *out = NULL;
    return NULL;
}

Test(api, concurrent_runs_equal_a_run_alone)
{
    hs_sim *alone = NULL, *a = NULL, *b = NULL;
    run_thread(&alone);
    cr_assert_not_null(alone);
    pthread_t ta, tb;
    cr_assert_eq(pthread_create(&ta, NULL, run_thread, &a), 0);
    cr_assert_eq(pthread_create(&tb, NULL, run_thread, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    cr_assert(a && b);
    size_t n = 2 * 4000 * sizeof(double);
    cr_assert_eq(memcmp(hs_sim_pnl(alone), hs_sim_pnl(a), n), 0);
    cr_assert_eq(memcmp(hs_sim_pnl(alone), hs_sim_pnl(b), n), 0);
    cr_assert_eq(memcmp(hs_sim_hedge_error(alone), hs_sim_hedge_error(b), n), 0);
    hs_sim_free(alone);
    hs_sim_free(a);
    hs_sim_free(b);
}
