/*
 * Tests of the Merton (1976) jump diffusion: the series pricer (pricing/merton.c, merton.h)
 * and the path model hs_model_merton (models/merton.c).
 *
 *  - the series equals a direct brute-force sum of Hull's form (Poisson(lambda' tau)
 *    weights times hs_bs_price at r_n and sigma_n, 150 terms; Hull, "Options, Futures and
 *    Other Derivatives", 10th ed., chapter 27) where that form does not overflow;
 *  - known answers: E.G. Haug, "The Complete Guide to Option Pricing Formulas" (1998),
 *    p. 9, as corrected and reproduced by QuantLib's test-suite/jumpdiffusion.cpp
 *    (testMerton76: Haug's table is truncated at 11 terms; QuantLib's column is the
 *    converged value, 2 decimals).  Haug's parameters map to ours as delta = v sqrt(gamma /
 *    lambda), sigma = v sqrt(1 - gamma), mu_J = -delta^2 / 2 (zero mean jump, k = 0);
 *  - lambda = 0, or jumps of size exactly 1, give Black-Scholes (bs.h);
 *  - put-call parity, delta against a central difference of the series price;
 *  - the model's paths, driven block by block through start/step with hs_path_stream
 *    lanes, price calls and puts like the series within 4 standard errors, have
 *    E[S_T] = S_0 e^{mu T} for a real-world drift, and a jump count with the Poisson
 *    mean, variance and P(N = 0);
 *  - exactly 3 draws per step, and a path's values do not depend on its lane or block;
 *  - no NaN, infinity or negative value at the ends of every legal range;
 *  - every error path of hs_merton_eval.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/bs.h"
#include "hedgesim/merton.h"
#include "hedgesim/model.h"

#include "lanes.h"

/* ------------------------------------------------------------------ helpers */

static double price(hs_bs_kind kind, double s, double k, double tau, double r, double q,
                    double sigma, double lambda, double jmean, double jstd)
{
    hs_merton_jumps j = {lambda, jmean, jstd};
    hs_merton_value v;
    hs_error err;
    cr_assert_eq(hs_merton_eval(kind, s, k, tau, r, q, sigma, &j, &v, &err), HS_OK, "%s", err.msg);
    return v.value;
}

static hs_merton_value eval(hs_bs_kind kind, double s, double k, double tau, double r, double q,
                            double sigma, double lambda, double jmean, double jstd)
{
    hs_merton_jumps j = {lambda, jmean, jstd};
    hs_merton_value v;
    hs_error err;
    cr_assert_eq(hs_merton_eval(kind, s, k, tau, r, q, sigma, &j, &v, &err), HS_OK, "%s", err.msg);
    return v;
}

/* Hull's form, summed term by term with the Poisson weights by recursion. */
static double brute_force(hs_bs_kind kind, double s, double k, double tau, double r, double q,
                          double sigma, double lambda, double jmean, double jstd, int terms)
{
    double kappa = exp(jmean + 0.5 * jstd * jstd) - 1.0;
    double m = lambda * (1.0 + kappa) * tau, w = exp(-m), sum = 0.0;
    for (int n = 0; n < terms; n++) {
        double sig_n = sqrt(sigma * sigma + n * jstd * jstd / tau);
        double r_n = r - lambda * kappa + n * log(1.0 + kappa) / tau;
        sum += w * hs_bs_price(kind, s, k, tau, r_n, q, sig_n);
        w *= m / (n + 1);
    }
    return sum;
}

/* Model arguments at their defaults with the given key = value pairs. */
static void set_args(hs_model_args *a, const hs_model_type *t, const char *const *keys,
                     const double *vals, size_t n)
{
    hs_model_args_default(a, t);
    for (size_t i = 0; i < n; i++) {
        const hs_param *p = hs_param_find(t->params, t->n_params, keys[i]);
        cr_assert_not_null(p, "no key %s", keys[i]);
        a->par[p - t->params] = vals[i];
    }
}

typedef struct merton_case {
    double spot, rate, div, sigma, lambda, jmean, jstd, mu; /* mu NaN: default */
    double horizon;
    size_t steps;
} merton_case;

static void model_init(hs_model *m, hs_model_args *a, const merton_case *c)
{
    const char *keys[] = {"sigma", "lambda", "jump_mean", "jump_std", "mu"};
    double vals[] = {c->sigma, c->lambda, c->jmean, c->jstd, c->mu};
    set_args(a, &hs_model_merton, keys, vals, 5);
    hs_market mk = {c->spot, c->rate, c->div};
    hs_grid g = {c->steps, c->horizon, c->horizon / (double)c->steps};
    hs_error err;
    cr_assert_eq(hs_model_init(m, &hs_model_merton, a, &mk, &g, &err), HS_OK, "%s", err.msg);
}

/* Run paths [first, first + n) of seed in one block to the horizon. */
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

/* Monte Carlo mean and standard error of f(S_T) over `paths` paths. */
typedef double (*payoff_fn)(double spot, const void *ctx);

static void monte_carlo(const hs_model *m, uint64_t seed, size_t paths, payoff_fn f,
                        const void *ctx, double *mean, double *se)
{
    lanes *l = lanes_alloc();
    double sum = 0.0, sum2 = 0.0;
    for (size_t first = 0; first < paths; first += HS_BLOCK) {
        size_t n = paths - first < HS_BLOCK ? paths - first : HS_BLOCK;
        run_block(m, l, seed, first, n);
        for (size_t i = 0; i < n; i++) {
            double x = f(l->spot[i], ctx);
            sum += x;
            sum2 += x * x;
        }
    }
    free(l);
    *mean = sum / (double)paths;
    *se = sqrt((sum2 / (double)paths - *mean * *mean) / (double)(paths - 1));
}

typedef struct option_ctx {
    hs_bs_kind kind;
    double strike, disc;
} option_ctx;

static double option_payoff(double spot, const void *ctx)
{
    const option_ctx *o = ctx;
    double x = o->kind == HS_BS_CALL ? spot - o->strike : o->strike - spot;
    return o->disc * (x > 0 ? x : 0.0);
}

static double identity(double spot, const void *ctx)
{
    (void)ctx;
    return spot;
}

/* ------------------------------------------------------------- the series */

Test(merton_series, equals_brute_force_sum)
{
    /* spot, strike, tau, rate, div, sigma, lambda, mu_J, delta */
    const double cases[][9] = {
        {100, 100, 1.0, 0.05, 0.02, 0.2, 1.0, -0.1, 0.15},
        {100, 80, 0.25, 0.03, 0.00, 0.15, 5.0, -0.05, 0.1},
        {100, 130, 2.0, 0.01, 0.03, 0.3, 0.5, 0.2, 0.3},
        {50, 45, 0.5, 0.08, 0.01, 0.0, 3.0, -0.3, 0.2}, /* no diffusion */
        {100, 100, 0.1, 0.0, 0.0, 0.25, 10.0, 0.05, 0.05},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const double *x = cases[c];
        for (int kind = 0; kind < 2; kind++) {
            hs_merton_value v =
                eval((hs_bs_kind)kind, x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8]);
            double want = brute_force((hs_bs_kind)kind, x[0], x[1], x[2], x[3], x[4], x[5], x[6],
                                      x[7], x[8], 150);
            cr_assert(fabs(v.value - want) <= 1e-11 * fmax(1.0, want),
                      "case %zu kind %d: series %.15g, brute force %.15g (%zu terms)", c, kind,
                      v.value, want, v.terms);
            cr_assert(v.tail < HS_MERTON_TAIL && v.terms < 150, "case %zu: %zu terms, tail %g", c,
                      v.terms, v.tail);
        }
    }
}

/* Haug (1998) p. 9 as converged in QuantLib's jumpdiffusion.cpp (see the file comment):
 * S = 100, q = 0, r = 0.08, v = 0.25. */
Test(merton_series, haug_known_answers)
{
    /* strike, t, lambda, gamma, value */
    const double rows[][5] = {
        {80, 0.10, 1.0, 0.25, 20.67},  {80, 0.50, 10.0, 0.25, 23.61}, {90, 0.25, 1.0, 0.25, 12.74},
        {90, 0.50, 10.0, 0.50, 15.41}, {100, 0.50, 1.0, 0.25, 8.95},  {100, 0.10, 10.0, 0.25, 3.53},
        {100, 0.25, 1.0, 0.50, 5.58},  {110, 0.25, 5.0, 0.50, 2.11},  {110, 0.50, 10.0, 0.25, 4.74},
        {120, 0.50, 1.0, 0.50, 2.15},  {120, 0.10, 5.0, 0.50, 0.10},  {120, 0.50, 10.0, 0.25, 2.25},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const double *x = rows[i];
        double v = 0.25, lambda = x[2], gamma = x[3];
        double jstd = v * sqrt(gamma / lambda), sigma = v * sqrt(1.0 - gamma);
        double got =
            price(HS_BS_CALL, 100, x[0], x[1], 0.08, 0.0, sigma, lambda, -0.5 * jstd * jstd, jstd);
        cr_assert(fabs(got - x[4]) <= 0.0051, "Haug row %zu: got %.4f, want %.2f", i, got, x[4]);
    }
}

Test(merton_series, no_jumps_is_black_scholes)
{
    for (int kind = 0; kind < 2; kind++)
        for (double strike = 60; strike <= 150; strike += 15) {
            double bs = hs_bs_price((hs_bs_kind)kind, 100, strike, 0.7, 0.04, 0.01, 0.3);
            double bsd = hs_bs_delta((hs_bs_kind)kind, 100, strike, 0.7, 0.04, 0.01, 0.3);
            /* lambda = 0: one term. */
            hs_merton_value v =
                eval((hs_bs_kind)kind, 100, strike, 0.7, 0.04, 0.01, 0.3, 0.0, -0.2, 0.3);
            cr_assert(fabs(v.value - bs) <= 1e-12 * fmax(1, bs), "K %g: %.15g vs BS %.15g", strike,
                      v.value, bs);
            cr_assert(fabs(v.delta - bsd) <= 1e-13, "K %g delta: %.15g vs %.15g", strike, v.delta,
                      bsd);
            cr_assert_eq(v.terms, 1u);
            /* Jumps of size exactly 1 (mu_J = delta = 0) change nothing either. */
            hs_merton_value w =
                eval((hs_bs_kind)kind, 100, strike, 0.7, 0.04, 0.01, 0.3, 4.0, 0.0, 0.0);
            cr_assert(fabs(w.value - bs) <= 1e-12 * fmax(1, bs), "K %g: %.15g vs BS %.15g", strike,
                      w.value, bs);
        }
    /* tau = 0: intrinsic value. */
    cr_assert_eq(price(HS_BS_CALL, 110, 100, 0, 0.05, 0, 0.2, 3, -0.1, 0.2), 10.0);
    cr_assert_eq(price(HS_BS_PUT, 110, 100, 0, 0.05, 0, 0.2, 3, -0.1, 0.2), 0.0);
}

Test(merton_series, put_call_parity)
{
    for (double strike = 50; strike <= 200; strike += 25)
        for (double lambda = 0.5; lambda <= 20; lambda *= 4) {
            double tau = 1.3, r = 0.04, q = 0.025;
            double c = price(HS_BS_CALL, 100, strike, tau, r, q, 0.2, lambda, -0.15, 0.25);
            double p = price(HS_BS_PUT, 100, strike, tau, r, q, 0.2, lambda, -0.15, 0.25);
            double parity = 100 * exp(-q * tau) - strike * exp(-r * tau);
            cr_assert(fabs(c - p - parity) <= 1e-11 * strike,
                      "K %g lambda %g: C - P = %.15g, "
                      "want %.15g",
                      strike, lambda, c - p, parity);
        }
}

Test(merton_series, delta_is_the_derivative_of_the_price)
{
    for (int kind = 0; kind < 2; kind++)
        for (double spot = 70; spot <= 140; spot += 10) {
            double h = 1e-4 * spot;
            hs_merton_value v =
                eval((hs_bs_kind)kind, spot, 100, 0.5, 0.03, 0.01, 0.18, 2.0, -0.12, 0.2);
            double up =
                price((hs_bs_kind)kind, spot + h, 100, 0.5, 0.03, 0.01, 0.18, 2.0, -0.12, 0.2);
            double down =
                price((hs_bs_kind)kind, spot - h, 100, 0.5, 0.03, 0.01, 0.18, 2.0, -0.12, 0.2);
            double fd = (up - down) / (2 * h);
            cr_assert(fabs(v.delta - fd) <= 1e-7, "kind %d S %g: delta %.12f, difference %.12f",
                      kind, spot, v.delta, fd);
        }
}

Test(merton_series, finite_at_extremes)
{
    const double spots[] = {1e-3, 100, 1e5};
    const double taus[] = {0, 1e-9, 0.5, 100};
    const double sigmas[] = {0, 5};
    const double lambdas[] = {0, 100};
    const double means[] = {-1, 1};
    const double stds[] = {0, 1};
    size_t checked = 0;
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 4; b++)
            for (size_t c = 0; c < 2; c++)
                for (size_t d = 0; d < 2; d++)
                    for (size_t e = 0; e < 2; e++)
                        for (size_t f = 0; f < 2; f++)
                            for (int kind = 0; kind < 2; kind++) {
                                hs_merton_value v =
                                    eval((hs_bs_kind)kind, spots[a], 100, taus[b], 0.1, -0.05,
                                         sigmas[c], lambdas[d], means[e], stds[f]);
                                double edq = exp(0.05 * taus[b]);
                                cr_assert(isfinite(v.value) && v.value >= 0 && isfinite(v.delta) &&
                                              fabs(v.delta) <= edq * (1 + 1e-12),
                                          "S %g tau %g sigma %g lambda %g mu_J %g delta %g "
                                          "kind %d: value %g delta %g",
                                          spots[a], taus[b], sigmas[c], lambdas[d], means[e],
                                          stds[f], kind, v.value, v.delta);
                                checked++;
                            }
    cr_assert_eq(checked, 384u);
}

Test(merton_series, bad_inputs)
{
    hs_merton_jumps j = {1, -0.1, 0.1}, out_j;
    hs_merton_value v = {-7, -7, 7, 7};
    hs_error err;
    struct {
        double s, k, tau, r, q, sigma, lambda, mean, std;
        const char *word;
    } bad[] = {
        {0, 100, 1, 0, 0, 0.2, 1, 0, 0.1, "spot"},
        {NAN, 100, 1, 0, 0, 0.2, 1, 0, 0.1, "spot"},
        {100, -1, 1, 0, 0, 0.2, 1, 0, 0.1, "strike"},
        {100, 100, -1, 0, 0, 0.2, 1, 0, 0.1, "tau"},
        {100, 100, INFINITY, 0, 0, 0.2, 1, 0, 0.1, "tau"},
        {100, 100, 1, NAN, 0, 0.2, 1, 0, 0.1, "rate"},
        {100, 100, 1, 0, INFINITY, 0.2, 1, 0, 0.1, "dividend"},
        {100, 100, 1, 0, 0, -0.2, 1, 0, 0.1, "sigma"},
        {100, 100, 1, 0, 0, 0.2, -1, 0, 0.1, "lambda"},
        {100, 100, 1, 0, 0, 0.2, 1, 0, -0.1, "delta"},
        {100, 100, 1, 0, 0, 0.2, 1, 800, 0.1, "mu_J"},
        {100, 100, 1, 0, 0, 0.2, 1, NAN, 0.1, "mu_J"},
        {100, 100, 1e3, 0, 0, 0.2, 2e3, 0, 0.1, "jumps"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        out_j = (hs_merton_jumps){bad[i].lambda, bad[i].mean, bad[i].std};
        hs_status st = hs_merton_eval(HS_BS_CALL, bad[i].s, bad[i].k, bad[i].tau, bad[i].r,
                                      bad[i].q, bad[i].sigma, &out_j, &v, &err);
        cr_assert_eq(st, HS_EINPUT, "case %zu accepted", i);
        cr_assert_not_null(strstr(err.msg, bad[i].word), "case %zu: '%s' lacks '%s'", i, err.msg,
                           bad[i].word);
        cr_assert_eq(v.value, -7, "case %zu wrote its output", i);
    }
    cr_assert_eq(hs_merton_eval((hs_bs_kind)7, 100, 100, 1, 0, 0, 0.2, &j, &v, &err), HS_EINPUT);
    cr_assert_not_null(strstr(err.msg, "kind"), "%s", err.msg);
    cr_assert_eq(hs_merton_eval(HS_BS_CALL, 100, 100, 1, 0, 0, 0.2, NULL, &v, &err), HS_EINPUT);
}

/* --------------------------------------------------------------- the model */

static const merton_case base = {100, 0.05, 0.02, 0.2, 2.0, -0.1, 0.15, NAN, 0.5, 8};

Test(merton_model, monte_carlo_prices_match_the_series)
{
    hs_model_args a;
    hs_model m;
    model_init(&m, &a, &base);
    const size_t paths = 200000;
    struct {
        hs_bs_kind kind;
        double strike;
    } opts[] = {{HS_BS_CALL, 100}, {HS_BS_CALL, 120}, {HS_BS_PUT, 90}, {HS_BS_PUT, 100}};
    for (size_t i = 0; i < 4; i++) {
        option_ctx o = {opts[i].kind, opts[i].strike, exp(-base.rate * base.horizon)};
        double mean, se;
        monte_carlo(&m, 11 + i, paths, option_payoff, &o, &mean, &se);
        double want = price(opts[i].kind, base.spot, opts[i].strike, base.horizon, base.rate,
                            base.div, base.sigma, base.lambda, base.jmean, base.jstd);
        cr_log_info("merton MC %s K=%g: %.4f +- %.4f vs series %.4f (%.2f s.e.)",
                    opts[i].kind == HS_BS_CALL ? "call" : "put", opts[i].strike, mean, se, want,
                    (mean - want) / se);
        cr_assert(fabs(mean - want) < 4 * se, "K %g: MC %.5f +- %.5f, series %.5f", opts[i].strike,
                  mean, se, want);
    }
    hs_model_release(&m);
}

Test(merton_model, real_world_drift_and_many_jumps)
{
    /* Many large jumps: the compensator must hold E[S_T] = S_0 e^{mu T}. */
    merton_case c = {100, 0.03, 0.0, 0.1, 20.0, 0.05, 0.3, 0.12, 1.0, 4};
    hs_model_args a;
    hs_model m;
    model_init(&m, &a, &c);
    double mean, se;
    monte_carlo(&m, 3, 200000, identity, NULL, &mean, &se);
    double want = c.spot * exp(c.mu * c.horizon);
    cr_log_info("merton E[S_T] %.4f +- %.4f vs %.4f (%.2f s.e.)", mean, se, want,
                (mean - want) / se);
    cr_assert(fabs(mean - want) < 4 * se, "E[S_T] %.4f +- %.4f, want %.4f", mean, se, want);
    cr_assert_eq(m.type->sigma(&m), sqrt(0.01 + 20 * (0.0025 + 0.09)));
    hs_model_release(&m);
}

/* No diffusion, jumps of fixed size: the log step is drift + N mu_J, so N is read back
 * from the path; its mean, variance and P(0) against Poisson's within 4 standard errors. */
static void check_poisson_counts(merton_case c)
{
    hs_model_args a;
    hs_model m;
    model_init(&m, &a, &c);
    double drift = m.consts[0], mean_n = c.lambda * c.horizon / (double)c.steps;
    lanes *l = lanes_alloc();
    double sum = 0, sum2 = 0, zeros = 0;
    size_t count = 0;
    for (uint64_t first = 0; first < 100000; first += HS_BLOCK) {
        l->b.n = HS_BLOCK;
        for (size_t i = 0; i < HS_BLOCK; i++)
            hs_pcg32_lanes_seed_path(&l->rng, i, 9, first + i);
        m.type->start(&m, &l->b);
        for (size_t k = 0; k < c.steps; k++) {
            double before[HS_BLOCK];
            memcpy(before, l->logspot, sizeof before);
            m.type->step(&m, &l->b, k);
            for (size_t i = 0; i < HS_BLOCK; i++) {
                double n = (l->logspot[i] - before[i] - drift) / c.jmean;
                cr_assert(fabs(n - round(n)) < 1e-6, "jump count %g not an integer", n);
                sum += round(n);
                sum2 += round(n) * round(n);
                zeros += round(n) == 0;
                count++;
            }
        }
    }
    free(l);
    double mean = sum / count, var = sum2 / count - mean * mean;
    double p0 = zeros / count, want_p0 = exp(-mean_n);
    cr_log_info("merton jumps: mean %.5f (want %.5f), var %.5f, P(0) %.5f (want %.5f)", mean,
                mean_n, var, p0, want_p0);
    cr_assert(fabs(mean - mean_n) < 4 * sqrt(mean_n / count), "mean %g want %g", mean, mean_n);
    /* Var of the sample variance of a Poisson(m): about (m + 2 m^2) / count. */
    cr_assert(fabs(var - mean_n) < 4 * sqrt((mean_n + 2 * mean_n * mean_n) / count),
              "var %g want %g", var, mean_n);
    cr_assert(fabs(p0 - want_p0) < 4 * sqrt(want_p0 * (1 - want_p0) / count), "P(0) %g want %g", p0,
              want_p0);
    hs_model_release(&m);
}

Test(merton_model, jump_counts_are_poisson)
{
    check_poisson_counts((merton_case){100, 0.0, 0.0, 0.0, 30.0, 0.01, 0.0, 0.0, 0.5, 10});
}

/* A mean of 14 jumps a step: a third of the counts lie beyond the table's head that the
 * step compares for every lane (HS_POISSON_HEAD = 16 entries), and take the search; a
 * count stuck at the head would pull the mean below 14 by far more than 4 s.e. */
Test(merton_model, jump_counts_beyond_the_table_head)
{
    check_poisson_counts((merton_case){100, 0.0, 0.0, 0.0, 100.0, 0.01, 0.0, 0.0, 0.28, 2});
}

Test(merton_model, three_draws_per_step_and_lane_independent)
{
    hs_model_args a;
    hs_model m;
    model_init(&m, &a, &base);
    lanes *l = lanes_alloc(), *l2 = lanes_alloc();
    run_block(&m, l, 77, 1000, HS_BLOCK);
    for (size_t i = 0; i < HS_BLOCK; i++) {
        hs_pcg32 want;
        hs_path_stream(&want, 77, 1000 + i);
        hs_pcg32_advance(&want, 2 * (uint64_t)(3 * base.steps)); /* two outputs a draw */
        cr_assert(want.state == l->rng.state[i], "lane %zu: not 3 draws per step", i);
    }
    /* The same paths in a block of 37 lanes that starts 5 paths later. */
    run_block(&m, l2, 77, 1005, 37);
    for (size_t i = 0; i < 37; i++)
        cr_assert_eq(l2->logspot[i], l->logspot[i + 5], "path %zu depends on its lane", 1005 + i);
    free(l);
    free(l2);
    hs_model_release(&m);
}

Test(merton_model, finite_at_the_ends_of_every_range)
{
    /* Each parameter at each end of its range, the others at extreme or base values; on
     * a fine grid and on a single step of 100 years (lambda dt = 1e4 jumps per step). */
    const hs_param *p = hs_model_merton.params;
    size_t np = hs_model_merton.n_params, runs = 0;
    lanes *l = lanes_alloc();
    for (unsigned mask = 0; mask < (1u << np); mask++)
        for (int grid = 0; grid < 2; grid++) {
            merton_case c = base;
            double *fields[] = {&c.sigma, &c.lambda, &c.jmean, &c.jstd, &c.mu};
            for (size_t i = 0; i < np; i++)
                *fields[i] = (mask >> i) & 1u ? p[i].max : p[i].min;
            c.horizon = grid ? 100.0 : 1.0;
            c.steps = grid ? 1 : 50;
            hs_model_args a;
            hs_model m;
            model_init(&m, &a, &c);
            run_block(&m, l, 5, 0, HS_BLOCK);
            for (size_t i = 0; i < HS_BLOCK; i++)
                cr_assert(isfinite(l->logspot[i]) && l->spot[i] >= 0 && isfinite(l->spot[i]),
                          "mask %u grid %d lane %zu: logspot %g spot %g", mask, grid, i,
                          l->logspot[i], l->spot[i]);
            cr_assert(isfinite(m.type->sigma(&m)));
            hs_model_release(&m);
            runs++;
        }
    free(l);
    cr_assert_eq(runs, 64u);
}
