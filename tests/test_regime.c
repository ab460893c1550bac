/*
 * Tests of the Markov regime-switching model hs_model_regime (model_regime.c).
 *
 *  - one state is GBM: the Monte Carlo call price equals Black-Scholes (bs.h) within
 *    4 standard errors; left out, vols is one state of volatility sigma (default 0.2);
 *  - the transition matrix P = exp(Q dt) has rows summing to 1 and equals the closed form
 *    of a two-state chain with rates a (0 -> 1) and b (1 -> 0) (Norris, "Markov Chains",
 *    1997, section 2.1):  P_00 = (b + a e^{-(a+b) dt}) / (a+b),  P_01 = 1 - P_00,
 *    P_11 = (a + b e^{-(a+b) dt}) / (a+b),  P_10 = 1 - P_11;  stationary pi = (b, a)/(a+b);
 *    for three states P(dt)^2 = P(2 dt) (the semigroup property);
 *  - two states with equal drifts: the Monte Carlo call price equals an exact computation
 *    on the grid.  Given the states s_0 .. s_{n-1} the log price is normal with variance
 *    sum_k sigma_{s_k}^2 dt, so the call is E[BS(sigma_bar)], sigma_bar^2 the path's mean
 *    variance (Hull & White 1987).  Its law is found by dynamic programming over (step,
 *    state, number of steps spent in state 1) with the closed-form P above, independent
 *    of the model's matrix exponential; checked from the stationary start and from a
 *    fixed one;
 *  - the starting states follow pi, sigma() is sqrt(pi . sigma^2), there are 1 + 2 steps
 *    draws per path, and a path does not depend on its lane or block;
 *  - finite paths at extreme rates and vols (one 100-year step with rates of 1e4);
 *  - bad inputs (wrong size, negative off-diagonal entry, wrong diagonal, missing rates,
 *    wrong number of drifts, start out of range, a reducible chain with start = -1, too
 *    many states, a negative vol, both sigma and vols) are HS_EINPUT with file:line and the key in
 * the message.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/bs.h"
#include "hedgesim/model.h"
#include "hedgesim/scenario.h"

enum { A_VOLS, A_RATES, A_DRIFTS, A_START, A_SIGMA };

/* ------------------------------------------------------------------ helpers */

typedef struct lanes {
    double spot[HS_BLOCK], logspot[HS_BLOCK], z[HS_BLOCK];
    double state[HS_MODEL_STATE * HS_BLOCK];
    hs_pcg64 rng[HS_BLOCK];
    hs_block b;
} lanes;

static lanes *lanes_alloc(void)
{
    lanes *l = calloc(1, sizeof *l);
    cr_assert_not_null(l);
    l->b = (hs_block){0, 0, l->spot, l->logspot, l->state, l->z, l->rng};
    return l;
}

typedef struct regime_case {
    size_t k;
    double vols[8];
    size_t n_rates;
    double rates[64];
    size_t n_drifts;
    double drifts[8];
    double start;
    double spot, rate, div, horizon;
    size_t steps;
} regime_case;

static hs_status try_init(hs_model *m, hs_model_args *a, const regime_case *c, hs_error *err)
{
    hs_model_args_default(a, &hs_model_regime);
    a->list_n[A_VOLS] = c->k;
    memcpy(a->list[A_VOLS], c->vols, c->k * sizeof(double));
    a->list_n[A_RATES] = c->n_rates;
    memcpy(a->list[A_RATES], c->rates, c->n_rates * sizeof(double));
    a->list_n[A_DRIFTS] = c->n_drifts;
    memcpy(a->list[A_DRIFTS], c->drifts, c->n_drifts * sizeof(double));
    a->par[A_START] = c->start;
    hs_market mk = {c->spot, c->rate, c->div};
    hs_grid g = {c->steps, c->horizon, c->horizon / (double)c->steps};
    return hs_model_init(m, &hs_model_regime, a, &mk, &g, err);
}

static void model_init(hs_model *m, hs_model_args *a, const regime_case *c)
{
    hs_error err;
    cr_assert_eq(try_init(m, a, c, &err), HS_OK, "%s", err.msg);
}

/* The layout of m->data documented in model_regime.c. */
static const double *transition(const hs_model *m)
{
    return m->data;
}

static const double *stationary(const hs_model *m)
{
    size_t k = (size_t)m->consts[0];
    return (const double *)m->data + 2 * k * k;
}

static void run_block(const hs_model *m, lanes *l, uint64_t seed, uint64_t first, size_t n)
{
    l->b.n = n;
    l->b.first_path = first;
    for (size_t i = 0; i < n; i++)
        hs_path_stream(&l->rng[i], seed, first + i);
    m->type->start(m, &l->b);
    for (size_t k = 0; k < m->grid.steps; k++)
        m->type->step(m, &l->b, k);
}

/* Discounted call payoff: Monte Carlo mean and standard error. */
static void mc_call(const hs_model *m, uint64_t seed, size_t paths, double strike, double *mean,
                    double *se)
{
    lanes *l = lanes_alloc();
    double disc = exp(-m->market.rate * m->grid.horizon), sum = 0.0, sum2 = 0.0;
    for (size_t first = 0; first < paths; first += HS_BLOCK) {
        size_t n = paths - first < HS_BLOCK ? paths - first : HS_BLOCK;
        run_block(m, l, seed, first, n);
        for (size_t i = 0; i < n; i++) {
            double x = disc * fmax(l->spot[i] - strike, 0.0);
            sum += x;
            sum2 += x * x;
        }
    }
    free(l);
    *mean = sum / (double)paths;
    *se = sqrt((sum2 / (double)paths - *mean * *mean) / (double)(paths - 1));
}

/* Closed-form two-state transition matrix (see the file comment). */
static void two_state_p(double a, double b, double dt, double p[4])
{
    double e = exp(-(a + b) * dt);
    p[0] = (b + a * e) / (a + b);
    p[1] = 1.0 - p[0];
    p[3] = (a + b * e) / (a + b);
    p[2] = 1.0 - p[3];
}

/* Exact call price on the grid for two states: E[BS(sigma_bar)] by dynamic programming
 * over (state, steps spent in state 1).  init[s] is the law of s_0. */
static double exact_two_state(const regime_case *c, double a, double b, const double init[2],
                              double strike)
{
    size_t n = c->steps;
    double dt = c->horizon / (double)n, p[4];
    two_state_p(a, b, dt, p);
    double *f = calloc(2 * (n + 1), sizeof *f), *g = calloc(2 * (n + 1), sizeof *g);
    cr_assert(f && g);
    f[0 * (n + 1) + 0] = init[0];
    f[1 * (n + 1) + 0] = init[1];
    for (size_t k = 0; k < n; k++) {
        memset(g, 0, 2 * (n + 1) * sizeof *g);
        for (size_t s = 0; s < 2; s++)
            for (size_t j = 0; j <= k; j++) {
                double w = f[s * (n + 1) + j];
                size_t jj = j + (s == 1); /* step k was spent in state s */
                for (size_t t = 0; t < 2; t++)
                    g[t * (n + 1) + jj] += w * p[s * 2 + t];
            }
        double *tmp = f;
        f = g;
        g = tmp;
    }
    double price = 0.0, mass = 0.0;
    for (size_t j = 0; j <= n; j++) {
        double w = f[j] + f[(n + 1) + j];
        double var =
            ((double)(n - j) * c->vols[0] * c->vols[0] + (double)j * c->vols[1] * c->vols[1]) /
            (double)n;
        price +=
            w * hs_bs_price(HS_BS_CALL, c->spot, strike, c->horizon, c->rate, c->div, sqrt(var));
        mass += w;
    }
    cr_assert(fabs(mass - 1.0) < 1e-12, "DP mass %g", mass);
    free(f);
    free(g);
    return price;
}

/* ------------------------------------------------------------------- tests */

Test(regime, one_state_is_gbm)
{
    regime_case c = {.k = 1,
                     .vols = {0.25},
                     .start = -1,
                     .spot = 100,
                     .rate = 0.04,
                     .div = 0.01,
                     .horizon = 0.75,
                     .steps = 6};
    hs_model_args a;
    hs_model m;
    model_init(&m, &a, &c);
    double mean, se;
    mc_call(&m, 21, 200000, 105, &mean, &se);
    double bs = hs_bs_price(HS_BS_CALL, 100, 105, 0.75, 0.04, 0.01, 0.25);
    cr_log_info("regime K=1: MC %.4f +- %.4f vs BS %.4f (%.2f s.e.)", mean, se, bs,
                (mean - bs) / se);
    cr_assert(fabs(mean - bs) < 4 * se, "MC %.5f +- %.5f, BS %.5f", mean, se, bs);
    cr_assert_eq(m.type->sigma(&m), 0.25);
    cr_assert_eq(transition(&m)[0], 1.0);
    hs_model_release(&m);

    /* A 1x1 generator is accepted too, if its diagonal is 0. */
    c.n_rates = 1;
    model_init(&m, &a, &c);
    hs_model_release(&m);

    /* Every key at its default: one state of vol 0.2, the same paths as gbm's default
     * (one normal per step through the same exact step; regime draws one uniform more
     * per step and one at the start, so compare laws, not paths: the sigma). */
    hs_model_args_default(&a, &hs_model_regime);
    hs_market mk = {100, 0.04, 0.01};
    hs_grid g = {6, 0.75, 0.125};
    hs_error err;
    cr_assert_eq(hs_model_init(&m, &hs_model_regime, &a, &mk, &g, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(m.type->sigma(&m), 0.2);
    hs_model_release(&m);
    /* sigma alone sets the single state's volatility. */
    a.par[A_SIGMA] = 0.3;
    cr_assert_eq(hs_model_init(&m, &hs_model_regime, &a, &mk, &g, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(m.type->sigma(&m), 0.3);
    cr_assert_eq(((const double *)m.data)[2 + 3], 0.3 * sqrt(0.125));
    hs_model_release(&m);
}

Test(regime, transition_matrix)
{
    double a = 3.0, b = 2.0;
    regime_case c = {.k = 2,
                     .vols = {0.1, 0.4},
                     .n_rates = 4,
                     .rates = {-a, a, b, -b},
                     .start = -1,
                     .spot = 100,
                     .horizon = 1.0,
                     .steps = 7};
    hs_model_args args;
    hs_model m;
    model_init(&m, &args, &c);
    double want[4];
    two_state_p(a, b, 1.0 / 7.0, want);
    const double *p = transition(&m), *pi = stationary(&m);
    for (size_t i = 0; i < 4; i++)
        cr_assert(fabs(p[i] - want[i]) < 1e-14, "P[%zu] = %.17g, want %.17g", i, p[i], want[i]);
    cr_assert(fabs(pi[0] - 0.4) < 1e-12 && fabs(pi[1] - 0.6) < 1e-12, "pi = %g, %g", pi[0], pi[1]);
    cr_assert(fabs(m.type->sigma(&m) - sqrt(0.4 * 0.01 + 0.6 * 0.16)) < 1e-12);
    hs_model_release(&m);

    /* Three states, uneven rates: rows sum to 1, entries in [0, 1], P(dt)^2 = P(2 dt). */
    regime_case c3 = {.k = 3,
                      .vols = {0.1, 0.2, 0.5},
                      .n_rates = 9,
                      .rates = {-1.5, 1.0, 0.5, 4.0, -4.0, 0.0, 0.2, 9.8, -10.0},
                      .start = 0,
                      .spot = 100,
                      .horizon = 1.0,
                      .steps = 10};
    hs_model m1, m2;
    hs_model_args a1, a2;
    model_init(&m1, &a1, &c3);
    c3.steps = 5;
    model_init(&m2, &a2, &c3);
    const double *p1 = transition(&m1), *p2 = transition(&m2);
    for (size_t i = 0; i < 3; i++) {
        double sum = 0.0;
        for (size_t j = 0; j < 3; j++) {
            double sq = 0.0;
            for (size_t l = 0; l < 3; l++)
                sq += p1[i * 3 + l] * p1[l * 3 + j];
            cr_assert(p1[i * 3 + j] >= 0 && p1[i * 3 + j] <= 1);
            cr_assert(fabs(sq - p2[i * 3 + j]) < 1e-14, "(P^2)[%zu][%zu] = %.17g, P(2dt) %.17g", i,
                      j, sq, p2[i * 3 + j]);
            sum += p1[i * 3 + j];
        }
        cr_assert(fabs(sum - 1.0) < 1e-15, "row %zu sums to %.17g", i, sum);
    }
    /* pi Q = 0 for the stationary law (the start = 0 model keeps the limit from state 0,
     * which for an irreducible chain is pi). */
    const double *pi3 = stationary(&m1);
    for (size_t j = 0; j < 3; j++) {
        double flow = 0.0;
        for (size_t i = 0; i < 3; i++)
            flow += pi3[i] * c3.rates[i * 3 + j];
        cr_assert(fabs(flow) < 1e-12, "(pi Q)[%zu] = %g", j, flow);
    }
    hs_model_release(&m1);
    hs_model_release(&m2);
}

Test(regime, two_states_match_the_exact_grid_price)
{
    double a = 3.0, b = 2.0;
    regime_case c = {.k = 2,
                     .vols = {0.1, 0.4},
                     .n_rates = 4,
                     .rates = {-a, a, b, -b},
                     .start = -1,
                     .spot = 100,
                     .rate = 0.05,
                     .div = 0.01,
                     .horizon = 0.5,
                     .steps = 5};
    const double strikes[] = {90, 100, 115};
    for (int fixed = 0; fixed < 2; fixed++) {
        c.start = fixed ? 1 : -1;
        double init[2] = {fixed ? 0.0 : b / (a + b), fixed ? 1.0 : a / (a + b)};
        hs_model_args args;
        hs_model m;
        model_init(&m, &args, &c);
        for (size_t i = 0; i < 3; i++) {
            double mean, se, want = exact_two_state(&c, a, b, init, strikes[i]);
            double naive =
                hs_bs_price(HS_BS_CALL, 100, strikes[i], 0.5, 0.05, 0.01, m.type->sigma(&m));
            mc_call(&m, 100 + i + 10 * (size_t)fixed, 200000, strikes[i], &mean, &se);
            cr_log_info("regime start %g K=%g: MC %.4f +- %.4f vs exact %.4f (%.2f s.e.; BS at "
                        "the stationary vol %.4f)",
                        c.start, strikes[i], mean, se, want, (mean - want) / se, naive);
            cr_assert(fabs(mean - want) < 4 * se, "start %g K %g: MC %.5f +- %.5f, exact %.5f",
                      c.start, strikes[i], mean, se, want);
        }
        hs_model_release(&m);
    }
}

Test(regime, starting_states_follow_pi)
{
    regime_case c = {.k = 3,
                     .vols = {0.1, 0.2, 0.3},
                     .n_rates = 9,
                     .rates = {-1, 1, 0, 0, -2, 2, 3, 0, -3},
                     .start = -1,
                     .spot = 100,
                     .horizon = 1,
                     .steps = 1};
    hs_model_args a;
    hs_model m;
    model_init(&m, &a, &c);
    /* pi Q = 0: pi0 = 3 pi2, pi1 = pi0 / 2, so pi = (6, 3, 2) / 11. */
    const double want[3] = {6.0 / 11, 3.0 / 11, 2.0 / 11};
    const double *pi = stationary(&m);
    lanes *l = lanes_alloc();
    double count[3] = {0, 0, 0};
    size_t paths = 0;
    for (uint64_t first = 0; first < 51200; first += HS_BLOCK) {
        l->b.n = HS_BLOCK;
        for (size_t i = 0; i < HS_BLOCK; i++)
            hs_path_stream(&l->rng[i], 4, first + i);
        m.type->start(&m, &l->b);
        for (size_t i = 0; i < HS_BLOCK; i++)
            count[(size_t)l->state[i]]++;
        paths += HS_BLOCK;
    }
    for (size_t s = 0; s < 3; s++) {
        cr_assert(fabs(pi[s] - want[s]) < 1e-12, "pi[%zu] = %.15g, want %.15g", s, pi[s], want[s]);
        double f = count[s] / (double)paths, se = sqrt(want[s] * (1 - want[s]) / (double)paths);
        cr_log_info("regime start state %zu: %.4f vs pi %.4f (%.2f s.e.)", s, f, want[s],
                    (f - want[s]) / se);
        cr_assert(fabs(f - want[s]) < 4 * se, "state %zu: frequency %g, pi %g", s, f, want[s]);
    }
    free(l);
    hs_model_release(&m);
}

Test(regime, draws_per_path_and_lane_independence)
{
    regime_case c = {.k = 2,
                     .vols = {0.1, 0.4},
                     .n_rates = 4,
                     .rates = {-3, 3, 2, -2},
                     .start = -1,
                     .spot = 100,
                     .rate = 0.02,
                     .horizon = 1,
                     .steps = 12};
    hs_model_args a;
    hs_model m;
    model_init(&m, &a, &c);
    lanes *l = lanes_alloc(), *l2 = lanes_alloc();
    run_block(&m, l, 8, 500, HS_BLOCK);
    for (size_t i = 0; i < HS_BLOCK; i++) {
        hs_pcg64 want;
        hs_path_stream(&want, 8, 500 + i);
        hs_pcg64_advance(&want, 1 + 2 * (hs_u128)c.steps);
        cr_assert(want.state == l->rng[i].state, "lane %zu: not 1 + 2 steps draws", i);
    }
    run_block(&m, l2, 8, 503, 41);
    for (size_t i = 0; i < 41; i++) {
        cr_assert_eq(l2->logspot[i], l->logspot[i + 3], "path %zu depends on its lane", 503 + i);
        cr_assert_eq(l2->state[i], l->state[i + 3]);
    }
    hs_model_release(&m);
    /* A fixed start draws (and ignores) the same uniform, so the paths keep their numbers. */
    c.start = 0;
    model_init(&m, &a, &c);
    run_block(&m, l2, 8, 500, 4);
    for (size_t i = 0; i < 4; i++)
        cr_assert(l2->rng[i].state == l->rng[i].state);
    free(l);
    free(l2);
    hs_model_release(&m);
}

Test(regime, finite_at_extremes)
{
    const double rate_ends[] = {0.0, 1e-3, 1e4};
    const double vol_ends[][2] = {{0, 0}, {0, 5}, {5, 5}};
    lanes *l = lanes_alloc();
    for (size_t r = 0; r < 3; r++)
        for (size_t v = 0; v < 3; v++)
            for (int grid = 0; grid < 2; grid++) {
                double q = rate_ends[r];
                regime_case c = {.k = 2,
                                 .vols = {vol_ends[v][0], vol_ends[v][1]},
                                 .n_rates = 4,
                                 .rates = {-q, q, q, -q},
                                 .n_drifts = 2,
                                 .drifts = {-5, 5},
                                 .start = q > 0 ? -1 : 1,
                                 .spot = 100,
                                 .rate = 0.05,
                                 .horizon = grid ? 100 : 1,
                                 .steps = grid ? 1 : 50};
                hs_model_args a;
                hs_model m;
                model_init(&m, &a, &c);
                const double *p = transition(&m);
                for (size_t i = 0; i < 2; i++)
                    cr_assert(fabs(p[2 * i] + p[2 * i + 1] - 1.0) < 1e-15 && p[2 * i] >= 0 &&
                                  p[2 * i + 1] >= 0,
                              "rate %g grid %d: row %zu = %g, %g", q, grid, i, p[2 * i],
                              p[2 * i + 1]);
                run_block(&m, l, 6, 0, HS_BLOCK);
                for (size_t i = 0; i < HS_BLOCK; i++)
                    cr_assert(isfinite(l->logspot[i]) && isfinite(l->spot[i]) && l->spot[i] >= 0 &&
                                  (l->state[i] == 0 || l->state[i] == 1),
                              "rate %g vols %g,%g grid %d lane %zu: logspot %g state %g", q,
                              vol_ends[v][0], vol_ends[v][1], grid, i, l->logspot[i], l->state[i]);
                cr_assert(isfinite(m.type->sigma(&m)));
                hs_model_release(&m);
            }
    free(l);
}

/* ------------------------------------------------------------- bad inputs */

static void expect_bad(const char *model_body, const char *key, const char *word)
{
    char text[2048];
    snprintf(text, sizeof text,
             "[simulation]\npaths = 100\nseed = 1\nsteps = 10\n"
             "[market]\nspot = 100\nrate = 0.03\n"
             "[model]\ntype = regime\n%s"
             "[option]\ntype = call\nstrike = 100\nmaturity = 0.5\nquantity = -1\nvol = 0.2\n"
             "[strategy.hedge]\nhedges = 10\n",
             model_body);
    hs_ini *ini = NULL;
    hs_error err;
    cr_assert_eq(hs_ini_parse_string(text, "regime.ini", &ini, &err), HS_OK, "%s", err.msg);
    hs_scenario *sc = NULL;
    hs_status st = hs_scenario_build(ini, &sc, &err);
    hs_ini_free(ini);
    cr_assert_eq(st, HS_EINPUT, "accepted: %s", model_body);
    cr_assert_not_null(strstr(err.msg, "regime.ini:"), "no location in '%s'", err.msg);
    cr_assert_not_null(strstr(err.msg, key), "'%s' does not name %s", err.msg, key);
    cr_assert_not_null(strstr(err.msg, word), "'%s' lacks '%s'", err.msg, word);
    cr_log_info("%s", err.msg);
}

Test(regime, bad_inputs)
{
    expect_bad("vols = 0.1, 0.3\nrates = -1, 1, 2\n", "rates", "expected 4");
    expect_bad("vols = 0.1, 0.3\nrates = -1, 1, 2, -2, 0\n", "rates", "expected 4");
    expect_bad("vols = 0.1, 0.3\nrates = 1, -1, 2, -2\n", "rates", "negative");
    expect_bad("vols = 0.1, 0.3\nrates = 0, 1, 2, -2\n", "rates", "diagonal");
    expect_bad("vols = 0.1, 0.3\nrates = 0.5, 0.5, 0.2, 0.8\n", "rates", "diagonal");
    expect_bad("vols = 0.1, 0.3\n", "rates", "missing");
    expect_bad("vols = 0.1, 0.3\nrates = 0, 0, 0, 0\n", "rates", "start");
    expect_bad("vols = 0.1, 0.3\nrates = -1, 1, 2, -2\ndrifts = 0.1\n", "drifts", "one per state");
    expect_bad("vols = 0.1, 0.3\nrates = -1, 1, 2, -2\nstart = 2\n", "start", "not a state");
    expect_bad("vols = 0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1\n", "vols", "at most 8");
    /* vols left out is one state (GBM), which a 2x2 rates contradicts. */
    expect_bad("rates = -1, 1, 2, -2\n", "rates", "expected 1");
    expect_bad("vols = 0.1, -0.3\nrates = -1, 1, 2, -2\n", "vols", "outside");
    expect_bad("vols = 0.1, 0.3\nrates = -1, 1, 2, -2\nsigma = 0.2\n", "sigma", "both");
}
