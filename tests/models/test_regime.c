/*
 * Tests of the Markov regime-switching model hs_model_regime (models/regime.c).
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
 *  - per-state Merton jumps (lambdas, jump_mean, jump_std): E[S_T] = S_0 e^{(r-q) T}
 *    with jumps in one state only (the compensator -lambda_s kappa is that of the state
 *    held over the step); the call price equals the exact grid computation extended to
 *    jumps: given the number j of steps spent in state 1, ln S_T is as under Merton's
 *    model with the constant averages sigma_bar^2 = V(j) / T and lambda_bar = Lambda(j) /
 *    T, V(j) and Lambda(j) = ((n - j) lambda_0 + j lambda_1) dt the integrated variance
 *    and intensity (the conditional law depends on nothing else), so the price is
 *    E[hs_merton_eval(sigma_bar, lambda_bar)] over the law of j; one state with jumps is
 *    Merton's model; sigma() includes the jump variance;
 *  - the draws of a path follow the documented order (Z_1, U, Z_2, state uniform; 1 + 4
 *    steps draws with jumps): one path recomputed by hand with the scalar generators
 *    matches; lambdas all 0 gives exactly the paths and draws of no lambdas;
 *  - finite paths with jumps at the ends of the ranges (lambda 100, jump_std 1,
 *    jump_mean -1 and 1, one 100-year step);
 *  - bad inputs (wrong size, negative off-diagonal entry, wrong diagonal, missing rates,
 *    wrong number of drifts, start out of range, a reducible chain with start = -1, too
 *    many states, a negative vol, both sigma and vols, wrong number of lambdas, a negative
 *    lambda, jump_mean or jump_std without lambdas) are HS_EINPUT with file:line and the
 *    key in the message.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/bs.h"
#include "hedgesim/merton.h"
#include "hedgesim/model.h"
#include "hedgesim/scenario.h"

#include "lanes.h"

enum { A_VOLS, A_RATES, A_DRIFTS, A_START, A_SIGMA, A_LAMBDAS, A_JUMP_MEAN, A_JUMP_STD };

/* ------------------------------------------------------------------ helpers */

typedef struct regime_case {
    size_t k;
    double vols[8];
    size_t n_rates;
    double rates[64];
    size_t n_drifts;
    double drifts[8];
    size_t n_lambdas; /* 0: no lambdas, and jump_mean, jump_std are not given */
    double lambdas[8];
    double jump_mean, jump_std;
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
    a->list_n[A_LAMBDAS] = c->n_lambdas;
    memcpy(a->list[A_LAMBDAS], c->lambdas, c->n_lambdas * sizeof(double));
    if (c->n_lambdas) {
        a->par[A_JUMP_MEAN] = c->jump_mean;
        a->par[A_JUMP_STD] = c->jump_std;
    }
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

/* The layout of m->data documented in models/regime.c. */
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
        hs_pcg32_lanes_seed_path(&l->rng, i, seed, first + i);
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

/* S_T (not discounted): Monte Carlo mean and standard error. */
static void mc_spot(const hs_model *m, uint64_t seed, size_t paths, double *mean, double *se)
{
    lanes *l = lanes_alloc();
    double sum = 0.0, sum2 = 0.0;
    for (size_t first = 0; first < paths; first += HS_BLOCK) {
        size_t n = paths - first < HS_BLOCK ? paths - first : HS_BLOCK;
        run_block(m, l, seed, first, n);
        for (size_t i = 0; i < n; i++) {
            sum += l->spot[i];
            sum2 += l->spot[i] * l->spot[i];
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
 * over (state, steps spent in state 1).  init[s] is the law of s_0.  With lambdas, given
 * j steps in state 1 the price is Merton's series at the average variance and intensity
 * (see the file comment): E[Merton(sigma_bar, lambda_bar)]. */
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
        if (c->n_lambdas) {
            hs_merton_jumps jl = {((double)(n - j) * c->lambdas[0] + (double)j * c->lambdas[1]) /
                                      (double)n,
                                  c->jump_mean, c->jump_std};
            hs_merton_value v;
            hs_error err;
            cr_assert_eq(hs_merton_eval(HS_BS_CALL, c->spot, strike, c->horizon, c->rate, c->div,
                                        sqrt(var), &jl, &v, &err),
                         HS_OK, "%s", err.msg);
            price += w * v.value;
        } else {
            price += w * hs_bs_price(HS_BS_CALL, c->spot, strike, c->horizon, c->rate, c->div,
                                     sqrt(var));
        }
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
            hs_pcg32_lanes_seed_path(&l->rng, i, 4, first + i);
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
        hs_pcg32 want;
        hs_path_stream(&want, 8, 500 + i);
        hs_pcg32_advance(&want, 2 * (uint64_t)(1 + 2 * c.steps)); /* two outputs a draw */
        cr_assert(want.state == l->rng.state[i], "lane %zu: not 1 + 2 steps draws", i);
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
        cr_assert(l2->rng.state[i] == l->rng.state[i]);
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

/* ------------------------------------------------------------------ jumps */

Test(regime, jumps_keep_the_martingale)
{
    /* Jumps only in the turbulent state: a compensator taken from the wrong state, or
     * left out, moves E[S_T] by a factor of about e^{pi_1 lambda_1 kappa T}. */
    regime_case c = {.k = 2,
                     .vols = {0.15, 0.3},
                     .n_rates = 4,
                     .rates = {-2, 2, 3, -3},
                     .n_lambdas = 2,
                     .lambdas = {0, 8},
                     .jump_mean = -0.15,
                     .jump_std = 0.2,
                     .spot = 100,
                     .rate = 0.05,
                     .div = 0.02,
                     .horizon = 1,
                     .steps = 12};
    double kappa = expm1(-0.15 + 0.5 * 0.2 * 0.2), want = 100 * exp(0.03);
    for (int fixed = 0; fixed < 3; fixed++) {
        c.start = fixed == 0 ? -1 : fixed - 1;
        hs_model_args a;
        hs_model m;
        model_init(&m, &a, &c);
        double mean, se;
        mc_spot(&m, 31 + (uint64_t)fixed, 200000, &mean, &se);
        cr_log_info("regime jumps start %g: E[S_T] MC %.4f +- %.4f vs %.4f (%.2f s.e.; without "
                    "the compensator about %.2f)",
                    c.start, mean, se, want, (mean - want) / se, want * exp(0.6 * 8 * kappa));
        cr_assert(fabs(mean - want) < 4 * se, "start %g: E[S_T] %.5f +- %.5f, want %.5f", c.start,
                  mean, se, want);
        hs_model_release(&m);
    }
}

Test(regime, jumps_match_the_exact_grid_price)
{
    double a = 3.0, b = 2.0;
    regime_case c = {.k = 2,
                     .vols = {0.1, 0.3},
                     .n_rates = 4,
                     .rates = {-a, a, b, -b},
                     .n_lambdas = 2,
                     .lambdas = {1, 6},
                     .jump_mean = -0.1,
                     .jump_std = 0.2,
                     .spot = 100,
                     .rate = 0.05,
                     .div = 0.01,
                     .horizon = 0.5,
                     .steps = 5};
    const double strikes[] = {80, 100, 115};
    for (int fixed = 0; fixed < 2; fixed++) {
        c.start = fixed ? 0 : -1;
        double init[2] = {fixed ? 1.0 : b / (a + b), fixed ? 0.0 : a / (a + b)};
        hs_model_args args;
        hs_model m;
        model_init(&m, &args, &c);
        /* Long-run variance: pi = (0.4, 0.6), each state's diffusion plus lambda_s (mu_J^2 +
         * delta^2). */
        double jv = 0.01 + 0.04;
        double want_sigma = sqrt(0.4 * (0.01 + 1 * jv) + 0.6 * (0.09 + 6 * jv));
        cr_assert(fabs(m.type->sigma(&m) - want_sigma) < 1e-12, "sigma %.15g, want %.15g",
                  m.type->sigma(&m), want_sigma);
        for (size_t i = 0; i < 3; i++) {
            double mean, se, want = exact_two_state(&c, a, b, init, strikes[i]);
            regime_case nj = c; /* the same chain without jumps, to show they matter */
            nj.n_lambdas = 0;
            double without = exact_two_state(&nj, a, b, init, strikes[i]);
            mc_call(&m, 200 + i + 10 * (size_t)fixed, 200000, strikes[i], &mean, &se);
            cr_log_info("regime jumps start %g K=%g: MC %.4f +- %.4f vs exact %.4f (%.2f s.e.; "
                        "without the jumps %.4f)",
                        c.start, strikes[i], mean, se, want, (mean - want) / se, without);
            cr_assert(fabs(mean - want) < 4 * se, "start %g K %g: MC %.5f +- %.5f, exact %.5f",
                      c.start, strikes[i], mean, se, want);
        }
        hs_model_release(&m);
    }

    /* One state with jumps is Merton's model. */
    regime_case c1 = {.k = 1,
                      .vols = {0.2},
                      .n_lambdas = 1,
                      .lambdas = {2},
                      .jump_mean = -0.1,
                      .jump_std = 0.15,
                      .start = -1,
                      .spot = 100,
                      .rate = 0.04,
                      .horizon = 0.75,
                      .steps = 3};
    hs_model_args a1;
    hs_model m1;
    model_init(&m1, &a1, &c1);
    hs_merton_jumps jl = {2, -0.1, 0.15};
    hs_merton_value v;
    hs_error err;
    cr_assert_eq(hs_merton_eval(HS_BS_CALL, 100, 95, 0.75, 0.04, 0, 0.2, &jl, &v, &err), HS_OK,
                 "%s", err.msg);
    double mean, se;
    mc_call(&m1, 41, 200000, 95, &mean, &se);
    cr_log_info("regime K=1 with jumps: MC %.4f +- %.4f vs Merton %.4f (%.2f s.e.)", mean, se,
                v.value, (mean - v.value) / se);
    cr_assert(fabs(mean - v.value) < 4 * se, "MC %.5f +- %.5f, Merton %.5f", mean, se, v.value);
    cr_assert(fabs(m1.type->sigma(&m1) - sqrt(0.04 + 2 * (0.01 + 0.0225))) < 1e-15);
    hs_model_release(&m1);

    /* lambdas alone: the jump-size law is merton's default (-0.1, 0.15), and the values
     * used are those the model reports. */
    hs_model_args_default(&a1, &hs_model_regime);
    a1.list_n[A_LAMBDAS] = 1;
    a1.list[A_LAMBDAS][0] = 2;
    hs_market mk = {100, 0.04, 0};
    hs_grid g = {3, 0.75, 0.25};
    cr_assert_eq(hs_model_init(&m1, &hs_model_regime, &a1, &mk, &g, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(hs_model_param(&m1, "jump_mean"), -0.1);
    cr_assert_eq(hs_model_param(&m1, "jump_std"), 0.15);
    cr_assert(fabs(m1.type->sigma(&m1) - sqrt(0.04 + 2 * (0.01 + 0.0225))) < 1e-15);
    hs_model_release(&m1);
}

Test(regime, jump_draws_follow_the_documented_order)
{
    regime_case c = {.k = 3,
                     .vols = {0.1, 0.25, 0.5},
                     .n_rates = 9,
                     .rates = {-2, 1, 1, 3, -4, 1, 2, 6, -8},
                     .n_lambdas = 3,
                     .lambdas = {0, 4, 60},
                     .jump_mean = -0.08,
                     .jump_std = 0.12,
                     .start = -1,
                     .spot = 100,
                     .rate = 0.03,
                     .div = 0.01,
                     .horizon = 2,
                     .steps = 8};
    hs_model_args a;
    hs_model m;
    model_init(&m, &a, &c);
    lanes *l = lanes_alloc(), *l2 = lanes_alloc();
    const size_t lanes_used = 37;
    run_block(&m, l, 12, 1000, lanes_used);
    /* 1 + 4 steps draws, whatever the states and counts of the path. */
    for (size_t i = 0; i < lanes_used; i++) {
        hs_pcg32 want;
        hs_path_stream(&want, 12, 1000 + i);
        hs_pcg32_advance(&want, 2 * (uint64_t)(1 + 4 * c.steps)); /* two outputs a draw */
        cr_assert(want.state == l->rng.state[i], "lane %zu: not 1 + 4 steps draws", i);
    }
    run_block(&m, l2, 12, 1005, 20);
    for (size_t i = 0; i < 20; i++) {
        cr_assert_eq(l2->logspot[i], l->logspot[i + 5], "path %zu depends on its lane", 1005 + i);
        cr_assert_eq(l2->state[i], l->state[i + 5]);
    }
    /* Each path again by hand, from the scalar generators and the layout of m->data:
     * start uniform, then per step Z_1, U (count), Z_2, state uniform. */
    size_t k = 3, total_jumps = 0;
    const double *d = m.data, *cdf = d + k * k, *init = d + 2 * k * k + k;
    const double *dc = d + 2 * k * k + 2 * k, *vc = d + 2 * k * k + 3 * k;
    const double *jt = d + 2 * k * k + 4 * k;
    for (size_t i = 0; i < lanes_used; i++) {
        hs_pcg32 r;
        hs_path_stream(&r, 12, 1000 + i);
        double u0 = hs_pcg32_uniform(&r), x = log(100.0);
        size_t s = 0;
        while (s + 1 < k && u0 > init[s])
            s++;
        for (size_t step = 0; step < c.steps; step++) {
            double z1 = hs_pcg32_normal(&r), u = hs_pcg32_uniform(&r);
            double z2 = hs_pcg32_normal(&r), us = hs_pcg32_uniform(&r);
            const double *f = d + (size_t)jt[s];
            size_t len = (size_t)jt[k + s], count = 0;
            while (count + 1 < len && u > f[count])
                count++;
            total_jumps += count;
            x += dc[s] + vc[s] * z1 + (double)count * c.jump_mean +
                 (count ? c.jump_std * sqrt((double)count) : 0.0) * z2;
            size_t next = 0;
            while (next + 1 < k && us > cdf[s * k + next])
                next++;
            s = next;
        }
        cr_assert(fabs(x - l->logspot[i]) < 1e-12, "lane %zu: logspot %.17g, by hand %.17g", i,
                  l->logspot[i], x);
        cr_assert_eq((double)s, l->state[i], "lane %zu: state %g, by hand %zu", i, l->state[i], s);
    }
    cr_assert_gt(total_jumps, 0u);
    cr_log_info("regime draw order: %zu paths recomputed by hand, %zu jumps", lanes_used,
                total_jumps);
    free(l);
    free(l2);
    hs_model_release(&m);
}

Test(regime, zero_lambdas_are_no_jumps)
{
    regime_case c = {.k = 2,
                     .vols = {0.1, 0.4},
                     .n_rates = 4,
                     .rates = {-3, 3, 2, -2},
                     .n_drifts = 2,
                     .drifts = {0.1, -0.2},
                     .start = -1,
                     .spot = 100,
                     .rate = 0.02,
                     .horizon = 1,
                     .steps = 12};
    hs_model_args a0, a1;
    hs_model m0, m1;
    model_init(&m0, &a0, &c);
    c.n_lambdas = 2; /* lambdas = 0, 0 with a jump law given: still no jumps */
    c.jump_mean = 0.3;
    c.jump_std = 0.5;
    model_init(&m1, &a1, &c);
    cr_assert_eq(m0.type->sigma(&m0), m1.type->sigma(&m1));
    lanes *l0 = lanes_alloc(), *l1 = lanes_alloc();
    run_block(&m0, l0, 9, 0, HS_BLOCK);
    run_block(&m1, l1, 9, 0, HS_BLOCK);
    for (size_t i = 0; i < HS_BLOCK; i++) {
        cr_assert_eq(l0->logspot[i], l1->logspot[i], "lane %zu", i);
        cr_assert_eq(l0->spot[i], l1->spot[i], "lane %zu", i);
        cr_assert_eq(l0->state[i], l1->state[i], "lane %zu", i);
        cr_assert(l0->rng.state[i] == l1->rng.state[i], "lane %zu: other draws", i);
    }
    free(l0);
    free(l1);
    hs_model_release(&m0);
    hs_model_release(&m1);
}

Test(regime, jumps_finite_at_extremes)
{
    const double lambda_ends[][2] = {{0, 100}, {100, 100}};
    const double mean_ends[] = {-1, 0, 1};
    const double std_ends[] = {0, 1};
    lanes *l = lanes_alloc();
    for (size_t li = 0; li < 2; li++)
        for (size_t mi = 0; mi < 3; mi++)
            for (size_t si = 0; si < 2; si++)
                for (int grid = 0; grid < 2; grid++) {
                    regime_case c = {.k = 2,
                                     .vols = {0, 5},
                                     .n_rates = 4,
                                     .rates = {-1e4, 1e4, 1e-3, -1e-3},
                                     .n_drifts = 2,
                                     .drifts = {5, -5},
                                     .n_lambdas = 2,
                                     .lambdas = {lambda_ends[li][0], lambda_ends[li][1]},
                                     .jump_mean = mean_ends[mi],
                                     .jump_std = std_ends[si],
                                     .start = -1,
                                     .spot = 100,
                                     .rate = 0.05,
                                     .horizon = grid ? 100 : 1,
                                     .steps = grid ? 1 : 50};
                    hs_model_args a;
                    hs_model m;
                    model_init(&m, &a, &c);
                    run_block(&m, l, 7, 0, HS_BLOCK);
                    for (size_t i = 0; i < HS_BLOCK; i++)
                        cr_assert(
                            isfinite(l->logspot[i]) && isfinite(l->spot[i]) && l->spot[i] >= 0,
                            "lambdas %g,%g jump %g,%g grid %d lane %zu: logspot %g", c.lambdas[0],
                            c.lambdas[1], c.jump_mean, c.jump_std, grid, i, l->logspot[i]);
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
    expect_bad("vols = 0.1, 0.3\nrates = -1, 1, 2, -2\nlambdas = 2\n", "lambdas", "one per state");
    expect_bad("vols = 0.1, 0.3\nrates = -1, 1, 2, -2\nlambdas = 0, 2, 4\n", "lambdas",
               "expected one per state of vols (2)");
    expect_bad("lambdas = 1, 2\n", "lambdas", "one per state");
    expect_bad("vols = 0.1, 0.3\nrates = -1, 1, 2, -2\nlambdas = 2, -1\n", "lambdas", "outside");
    expect_bad("vols = 0.1, 0.3\nrates = -1, 1, 2, -2\nlambdas = 2, 101\n", "lambdas", "outside");
    expect_bad("vols = 0.1, 0.3\nrates = -1, 1, 2, -2\njump_mean = -0.2\n", "jump_mean",
               "without lambdas");
    expect_bad("vols = 0.1, 0.3\nrates = -1, 1, 2, -2\njump_std = 0.1\n", "jump_std",
               "without lambdas");
    expect_bad("vols = 0.1, 0.3\nrates = -1, 1, 2, -2\nlambdas = 1, 2\njump_std = -0.1\n",
               "jump_std", "outside");
}
