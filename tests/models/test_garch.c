/*
 * Tests of GARCH(1,1) (Bollerslev 1986): the path model hs_model_garch (models/garch.c)
 * and the fit and closed forms of garch.h (garch_fit.c).
 *
 *  - closed forms: the integrated-variance forecast equals the sum of the recursion
 *    E[h_{k+j+1}] = omega + (alpha + beta) E[h_{k+j}] term by term (also for
 *    alpha + beta = 1), and the normal-innovation kurtosis 3 (1 - p^2) / (1 - p^2 -
 *    2 alpha^2) at hand-computed values, infinite where the fourth moment is;
 *  - the model's paths, driven block by block through start/step with hs_path_stream
 *    lanes: the mean over paths of sum_{k<n} h_k equals the closed form within 4
 *    standard errors (normal and t innovations, started away from the long-run level);
 *    the sample kurtosis of stationary returns equals the closed form (a case with a
 *    finite 8th moment); with the default mean E[S_T] = S_0 e^{(r - q) T};
 *  - exactly one draw per step and lane, for both laws;
 *  - no NaN, infinity or non-positive price for a t with nu just above 2 and a variance
 *    near the largest legal one; the shock clip (+-5) and the variance cap (1) bind
 *    exactly where such a t drives them;
 *  - the fit: the likelihood of the DAX returns at fixed parameters equals an
 *    independent evaluation; 20 000 simulated returns give back their parameters within
 *    4 of the fit's own standard errors; a t fit recovers nu;
 *  - every error path: alpha + beta >= 1, too large a variance, too short a series, a
 *    non-finite return, a constant series, an unknown law, invalid closed-form input.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/csv.h"
#include "hedgesim/garch.h"
#include "hedgesim/model.h"

#include "lanes.h"

static void setup(void)
{
    gsl_set_error_handler_off(); /* as main() does: GSL reports through statuses */
}

TestSuite(garch, .init = setup);

/* ------------------------------------------------------------------ helpers */

typedef struct garch_case {
    double omega, alpha, beta, h0; /* h0 NaN: default (unconditional) */
    int dist;                      /* 0 normal, 1 t */
    double nu, mu;                 /* mu NaN: default (risk-neutral) */
    size_t steps;
    double dt;
} garch_case;

static hs_status model_try(hs_model *m, hs_model_args *a, const garch_case *c, hs_error *err)
{
    const char *keys[] = {"omega", "alpha", "beta", "h0", "dist", "nu", "mu"};
    double vals[] = {c->omega, c->alpha, c->beta, c->h0, c->dist, c->nu, c->mu};
    hs_model_args_default(a, &hs_model_garch);
    for (size_t i = 0; i < 7; i++) {
        const hs_param *p = hs_param_find(hs_model_garch.params, hs_model_garch.n_params, keys[i]);
        cr_assert_not_null(p, "no key %s", keys[i]);
        a->par[p - hs_model_garch.params] = vals[i];
    }
    hs_market mk = {100.0, 0.05, 0.02};
    hs_grid g = {c->steps, c->dt * (double)c->steps, c->dt};
    return hs_model_init(m, &hs_model_garch, a, &mk, &g, err);
}

static void model_init(hs_model *m, hs_model_args *a, const garch_case *c)
{
    hs_error err;
    cr_assert_eq(model_try(m, a, c, &err), HS_OK, "%s", err.msg);
}

/* Put paths [first, first + n) of seed at t0. */
static void start_block(const hs_model *m, lanes *l, uint64_t seed, uint64_t first, size_t n)
{
    l->b.n = n;
    l->b.first_path = first;
    for (size_t i = 0; i < n; i++)
        hs_pcg32_lanes_seed_path(&l->rng, i, seed, first + i);
    m->type->start(m, &l->b);
}

/* `n` log returns of one path (lane 0 of a block of one). */
static double *simulate_series(const garch_case *c, uint64_t seed, size_t n)
{
    hs_model m;
    hs_model_args a;
    model_init(&m, &a, c);
    lanes *l = lanes_alloc();
    double *r = malloc(n * sizeof *r);
    cr_assert_not_null(r);
    start_block(&m, l, seed, 0, 1);
    for (size_t k = 0; k < n; k++) {
        double before = l->logspot[0];
        m.type->step(&m, &l->b, k);
        r[k] = l->logspot[0] - before;
    }
    free(l);
    hs_model_release(&m);
    return r;
}

/* -------------------------------------------------------------- closed forms */

Test(garch, integrated_variance_equals_the_recursion)
{
    /* omega, alpha, beta, h_k */
    const double cases[][4] = {
        {2e-6, 0.08, 0.90, 3e-4},     {1e-5, 0.2, 0.5, 1e-6}, {4e-6, 0.0, 0.0, 1e-4},
        {1e-6, 0.05, 0.949999, 5e-5}, {1e-6, 0.1, 0.9, 2e-4}, /* p = 1: no long-run level */
    };
    const size_t lengths[] = {0, 1, 2, 21, 252, 5000};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (size_t j = 0; j < sizeof lengths / sizeof lengths[0]; j++) {
            const double *x = cases[c];
            double sum = 0.0, h = x[3];
            for (size_t i = 0; i < lengths[j]; i++) {
                sum += h;
                h = x[0] + (x[1] + x[2]) * h;
            }
            double got = hs_garch_integrated_variance(x[0], x[1], x[2], x[3], lengths[j]);
            cr_assert(fabs(got - sum) <= 1e-11 * fmax(sum, 1e-300),
                      "case %zu n %zu: closed form %.15g, recursion %.15g", c, lengths[j], got,
                      sum);
        }
    /* By hand: n = 2 is h + omega + p h. */
    cr_assert_float_eq(hs_garch_integrated_variance(1e-6, 0.1, 0.8, 1e-4, 2), 1e-4 + 1e-6 + 0.9e-4,
                       1e-18);
    /* Invalid input. */
    cr_assert(isnan(hs_garch_integrated_variance(0.0, 0.1, 0.8, 1e-4, 5)));
    cr_assert(isnan(hs_garch_integrated_variance(1e-6, -0.1, 0.8, 1e-4, 5)));
    cr_assert(isnan(hs_garch_integrated_variance(1e-6, 0.1, NAN, 1e-4, 5)));
    cr_assert(isnan(hs_garch_integrated_variance(1e-6, 0.1, 0.8, -1.0, 5)));
}

Test(garch, kurtosis_known_answers)
{
    /* 3 (1 - p^2) / (1 - p^2 - 2 alpha^2) by hand. */
    cr_assert_float_eq(hs_garch_kurtosis(0.1, 0.8), 3.0 * 0.19 / 0.17, 1e-14);
    cr_assert_float_eq(hs_garch_kurtosis(0.3, 0.6), 3.0 * 0.19 / 0.01, 1e-11);
    cr_assert_float_eq(hs_garch_kurtosis(0.05, 0.9), 3.0 * 0.0975 / 0.0925, 1e-14);
    /* No ARCH term: the returns are normal (kurtosis 3) whatever beta. */
    cr_assert_float_eq(hs_garch_kurtosis(0.0, 0.95), 3.0, 1e-15);
    /* The fourth moment does not exist: 1 - 0.9025 - 0.32 < 0, and alpha + beta >= 1. */
    cr_assert(isinf(hs_garch_kurtosis(0.4, 0.55)));
    cr_assert(isinf(hs_garch_kurtosis(0.1, 0.9)));
    cr_assert(isnan(hs_garch_kurtosis(-0.1, 0.5)));
    cr_assert(isnan(hs_garch_kurtosis(0.1, INFINITY)));
}

/* ---------------------------------------------------------------- the model */

/* Mean over paths of sum_{k<n} h_k against the closed form, from h0 three times the
 * long-run level so that the transient term is tested too. */
static void integrated_variance_mc(int dist, double nu)
{
    garch_case c = {2e-6, 0.1, 0.85, 1.2e-4, dist, nu, NAN, 50, 1.0 / 252};
    hs_model m;
    hs_model_args a;
    model_init(&m, &a, &c);
    lanes *l = lanes_alloc();
    const size_t paths = 40000;
    double sum = 0.0, sum2 = 0.0;
    for (size_t first = 0; first < paths; first += HS_BLOCK) {
        size_t n = paths - first < HS_BLOCK ? paths - first : HS_BLOCK;
        start_block(&m, l, 11, first, n);
        double iv[HS_BLOCK] = {0};
        for (size_t k = 0; k < c.steps; k++) {
            for (size_t i = 0; i < n; i++)
                iv[i] += l->state[i]; /* h_k, the variance of step k */
            m.type->step(&m, &l->b, k);
        }
        for (size_t i = 0; i < n; i++) {
            sum += iv[i];
            sum2 += iv[i] * iv[i];
        }
    }
    free(l);
    hs_model_release(&m);
    double mean = sum / paths, se = sqrt((sum2 / paths - mean * mean) / (paths - 1));
    double want = hs_garch_integrated_variance(c.omega, c.alpha, c.beta, c.h0, c.steps);
    cr_assert(fabs(mean - want) < 4.0 * se, "dist %d: MC %.8g +- %.2g, closed form %.8g (%.2f se)",
              dist, mean, se, want, (mean - want) / se);
    cr_log_info("integrated variance, dist %d: MC %.8g +- %.2g, closed form %.8g (%.2f se)", dist,
                mean, se, want, (mean - want) / se);
}

Test(garch, integrated_variance_monte_carlo_normal)
{
    integrated_variance_mc(0, 8.0);
}

Test(garch, integrated_variance_monte_carlo_t)
{
    integrated_variance_mc(1, 8.0);
}

/* Sample kurtosis of stationary returns against 3 (1 - p^2) / (1 - p^2 - 2 alpha^2).
 *
 * alpha = 0.1, beta = 0.8 has E[(beta + alpha Z^2)^4] = 0.788 < 1, so the returns have a
 * finite 8th moment (the condition of Bollerslev 1986, Theorem 2, for m = 4): the
 * fourth power of a return has a finite variance, and the per-path fourth and second
 * moments obey the central limit theorem across independent paths.  The kurtosis is
 * estimated as A / B^2 with A, B the means over paths of the per-path sums of
 * eps^4 and eps^2, and its standard error by the delta method from the covariance of
 * those per-path sums; the tolerance is 4 such standard errors.  Each path first runs
 * 200 steps from h = omega / (1 - p): the first two moments of h forget where they
 * started like 0.9^200 and 0.83^200, far below the Monte Carlo error. */
Test(garch, kurtosis_monte_carlo)
{
    double alpha = 0.1, beta = 0.8;
    double eighth = pow(beta, 4) + 4 * pow(beta, 3) * alpha + 6 * beta * beta * alpha * alpha * 3 +
                    4 * beta * pow(alpha, 3) * 15 + pow(alpha, 4) * 105;
    cr_assert(eighth < 1.0, "8th moment condition %g", eighth);
    const size_t burn = 200, len = 500, paths = 8192;
    garch_case c = {1e-5, alpha, beta, NAN, 0, 8.0, 0.0, burn + len, 1.0 / 252};
    hs_model m;
    hs_model_args a;
    model_init(&m, &a, &c);
    lanes *l = lanes_alloc();
    double s2 = 0, s4 = 0, s22 = 0, s44 = 0, s24 = 0;
    for (size_t first = 0; first < paths; first += HS_BLOCK) {
        size_t n = HS_BLOCK;
        start_block(&m, l, 29, first, n);
        double m2[HS_BLOCK] = {0}, m4[HS_BLOCK] = {0};
        for (size_t k = 0; k < burn + len; k++) {
            double before[HS_BLOCK];
            memcpy(before, l->logspot, sizeof before);
            m.type->step(&m, &l->b, k);
            if (k < burn)
                continue;
            for (size_t i = 0; i < n; i++) {
                double e = l->logspot[i] - before[i]; /* mu = 0: the shock itself */
                m2[i] += e * e;
                m4[i] += e * e * e * e;
            }
        }
        for (size_t i = 0; i < n; i++) {
            s2 += m2[i];
            s4 += m4[i];
            s22 += m2[i] * m2[i];
            s44 += m4[i] * m4[i];
            s24 += m2[i] * m4[i];
        }
    }
    free(l);
    hs_model_release(&m);
    double p = (double)paths;
    double mb = s2 / p, ma = s4 / p;
    double vb = (s22 / p - mb * mb) / (p - 1), va = (s44 / p - ma * ma) / (p - 1);
    double cab = (s24 / p - ma * mb) / (p - 1);
    /* K = len * A / B^2; dK = len (dA / B^2 - 2 A dB / B^3). */
    double k = len * ma / (mb * mb);
    double ga = len / (mb * mb), gb = -2.0 * len * ma / (mb * mb * mb);
    double se = sqrt(ga * ga * va + gb * gb * vb + 2 * ga * gb * cab);
    double want = hs_garch_kurtosis(alpha, beta);
    cr_assert(fabs(k - want) < 4.0 * se, "kurtosis MC %.5f +- %.3f, closed form %.5f (%.2f se)", k,
              se, want, (k - want) / se);
    /* The excess over 3 is resolved: the test could tell GARCH from a normal. */
    cr_assert(want - 3.0 > 8.0 * se, "excess %.4f not resolved by se %.4f", want - 3.0, se);
    cr_log_info("kurtosis: MC %.5f +- %.4f, closed form %.5f (%.2f se)", k, se, want,
                (k - want) / se);
}

/* With the default mean, E[S_T] = S_0 e^{(r - q) T} (exact for normal innovations). */
Test(garch, default_mean_is_risk_neutral)
{
    garch_case c = {4e-6, 0.1, 0.85, 3e-4, 0, 8.0, NAN, 63, 1.0 / 252};
    hs_model m;
    hs_model_args a;
    model_init(&m, &a, &c);
    lanes *l = lanes_alloc();
    const size_t paths = 40000;
    double sum = 0, sum2 = 0;
    for (size_t first = 0; first < paths; first += HS_BLOCK) {
        size_t n = paths - first < HS_BLOCK ? paths - first : HS_BLOCK;
        start_block(&m, l, 7, first, n);
        for (size_t k = 0; k < c.steps; k++)
            m.type->step(&m, &l->b, k);
        for (size_t i = 0; i < n; i++) {
            sum += l->spot[i];
            sum2 += l->spot[i] * l->spot[i];
        }
    }
    free(l);
    double mean = sum / paths, se = sqrt((sum2 / paths - mean * mean) / (paths - 1));
    double want = 100.0 * exp((0.05 - 0.02) * c.steps * c.dt);
    cr_assert(fabs(mean - want) < 4.0 * se, "E[S_T] %.6f +- %.4f, want %.6f", mean, se, want);
    /* sigma(): annualised unconditional vol. */
    cr_assert_float_eq(m.type->sigma(&m), sqrt(4e-6 / 0.05 * 252), 1e-12);
    cr_assert_float_eq(hs_model_param(&m, "h0"), 3e-4, 0);
    hs_model_release(&m);
}

/* One draw per step: after k steps a lane's generator is its stream advanced k draws. */
Test(garch, one_draw_per_step)
{
    for (int dist = 0; dist < 2; dist++) {
        garch_case c = {2e-6, 0.08, 0.9, NAN, dist, 5.0, NAN, 37, 1.0 / 252};
        hs_model m;
        hs_model_args a;
        model_init(&m, &a, &c);
        lanes *l = lanes_alloc();
        start_block(&m, l, 3, 1000, 13);
        for (size_t k = 0; k < c.steps; k++)
            m.type->step(&m, &l->b, k);
        for (size_t i = 0; i < 13; i++) {
            hs_pcg32 want;
            hs_path_stream(&want, 3, 1000 + i);
            hs_pcg32_advance(&want, 2 * (uint64_t)(c.steps)); /* two outputs a draw */
            cr_assert(want.state == l->rng.state[i], "dist %d lane %zu: not %zu draws", dist, i,
                      c.steps);
        }
        free(l);
        hs_model_release(&m);
    }
}

/* A t with nu just above 2 (a unit-variance t whose extreme quantiles reach 5e4) and a
 * long-run variance near the largest legal one: every value stays finite and positive. */
Test(garch, finite_at_extremes)
{
    const double nus[] = {2.000001, 2.5, 1e5};
    for (size_t j = 0; j < 3; j++) {
        garch_case c = {0.002, 0.5, 0.49, 0.25, 1, nus[j], NAN, 2000, 1.0 / 252};
        hs_model m;
        hs_model_args a;
        model_init(&m, &a, &c);
        lanes *l = lanes_alloc();
        start_block(&m, l, 5, 0, HS_BLOCK);
        for (size_t k = 0; k < c.steps; k++) {
            m.type->step(&m, &l->b, k);
            for (size_t i = 0; i < HS_BLOCK; i++)
                cr_assert(isfinite(l->logspot[i]) && l->spot[i] > 0 && isfinite(l->spot[i]) &&
                              l->state[i] > 0 && l->state[i] <= 1.0,
                          "nu %g step %zu lane %zu: S %g h %g", nus[j], k, i, l->spot[i],
                          l->state[i]);
        }
        free(l);
        hs_model_release(&m);
    }
}

/* The step's guards, where they bind (garch.c): a t with nu 2.5 and alpha 0.5
 * drive h to its cap of exactly 1 and shocks to the clip of exactly +-5.  With mu = 0
 * the log return of a step is the shock itself (to the rounding of ln S), so every one
 * is at most 5 in size, some are 5, and every h is at most 1, many exactly 1: a clamp
 * dropped or moved fails. */
Test(garch, shock_clip_and_variance_cap_bind_exactly)
{
    garch_case c = {0.002, 0.5, 0.49, 0.25, 1, 2.5, 0.0, 200, 1.0 / 252};
    hs_model m;
    hs_model_args a;
    model_init(&m, &a, &c);
    lanes *l = lanes_alloc();
    size_t clipped = 0, capped = 0;
    for (uint64_t first = 0; first < 16 * HS_BLOCK; first += HS_BLOCK) {
        start_block(&m, l, 11, first, HS_BLOCK);
        for (size_t k = 0; k < c.steps; k++) {
            double before[HS_BLOCK];
            memcpy(before, l->logspot, sizeof before);
            m.type->step(&m, &l->b, k);
            for (size_t i = 0; i < HS_BLOCK; i++) {
                double r = l->logspot[i] - before[i];
                cr_assert(fabs(r) <= 5.0 + 1e-9, "step %zu lane %zu: log return %.17g", k, i, r);
                cr_assert(l->state[i] <= 1.0, "step %zu lane %zu: h %.17g", k, i, l->state[i]);
                clipped += fabs(r) >= 5.0 - 1e-9;
                capped += l->state[i] == 1.0;
            }
        }
    }
    cr_expect(clipped >= 5 && capped >= 100, "clipped %zu, capped %zu", clipped, capped);
    free(l);
    hs_model_release(&m);
}

Test(garch, model_error_paths)
{
    hs_model m;
    hs_model_args a;
    hs_error err;
    /* alpha + beta = 1 and above: no stationary variance. */
    garch_case c = {2e-6, 0.1, 0.9, NAN, 0, 8.0, NAN, 10, 1.0 / 252};
    cr_assert_eq(model_try(&m, &a, &c, &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "alpha + beta") && strstr(err.msg, "below 1"), "%s", err.msg);
    c.alpha = 0.6;
    c.beta = 0.5;
    cr_assert_eq(model_try(&m, &a, &c, &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "model 'garch'"), "%s", err.msg);
    /* A long-run variance of 0.5 per step. */
    c = (garch_case){0.05, 0.05, 0.85, NAN, 0, 8.0, NAN, 10, 1.0 / 252};
    cr_assert_eq(model_try(&m, &a, &c, &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "unconditional variance"), "%s", err.msg);
}

/* ------------------------------------------------------------------ the fit */

/* The log-likelihood of the DAX log returns (scenarios/data/eu_stock_markets.csv, 1859
 * returns) at fixed parameters, recursion started at the sample variance, against the
 * same formula evaluated independently in Python (math.lgamma, math.log1p, a plain
 * loop): 5966.215099482525 (normal) and 6065.749365522639 (t). */
Test(garch, dax_loglik_known_answer)
{
    hs_series s = {0};
    hs_error err;
    cr_assert_eq(hs_series_read_csv(HS_SOURCE_ROOT "/scenarios/data/eu_stock_markets.csv", "DAX",
                                    NULL, &s, &err),
                 HS_OK, "%s", err.msg);
    size_t n = s.n - 1;
    double *r = malloc(n * sizeof *r), mean = 0, var = 0;
    for (size_t t = 0; t < n; t++)
        mean += r[t] = log(s.values[t + 1] / s.values[t]);
    mean /= n;
    for (size_t t = 0; t < n; t++)
        var += (r[t] - mean) * (r[t] - mean) / n;
    hs_garch_params pn = {HS_GARCH_NORMAL, 0.0006535019212, 4.756227088e-06,
                          0.06845180668,   0.8875709962,    NAN};
    hs_garch_params pt = {HS_GARCH_T,    0.0007641421696, 2.161651657e-06,
                          0.07908970616, 0.903589725,     6.033963088};
    cr_assert_float_eq(hs_garch_loglik(r, n, &pn, var), 5966.215099482525, 1e-8);
    cr_assert_float_eq(hs_garch_loglik(r, n, &pt, var), 6065.749365522639, 1e-8);
    /* The fits reach at least those values (the parameters are the fits, rounded). */
    hs_garch_result f;
    cr_assert_eq(hs_garch_fit(r, n, HS_GARCH_NORMAL, &f, &err), HS_OK, "%s", err.msg);
    cr_assert(f.converged && f.hessian_ok);
    cr_assert(f.loglik >= 5966.215099482525 - 1e-7, "normal fit %.12g", f.loglik);
    cr_assert_eq(hs_garch_fit(r, n, HS_GARCH_T, &f, &err), HS_OK, "%s", err.msg);
    cr_assert(f.converged && f.hessian_ok);
    cr_assert(f.loglik >= 6065.749365522639 - 1e-7, "t fit %.12g", f.loglik);
    /* Outside the parameter space: -inf. */
    hs_garch_params bad = pn;
    bad.omega = 0.0;
    cr_assert(isinf(hs_garch_loglik(r, n, &bad, var)));
    bad = pt;
    bad.nu = 2.0;
    cr_assert(isinf(hs_garch_loglik(r, n, &bad, var)));
    cr_assert(isinf(hs_garch_loglik(r, n, &pn, 0.0)));
    free(r);
    hs_series_free(&s);
}

static void check_recovery(const hs_garch_result *f, const garch_case *c, const char *what)
{
    const double truth[] = {c->mu, c->omega, c->alpha, c->beta, c->nu};
    const double est[] = {f->est.mu, f->est.omega, f->est.alpha, f->est.beta, f->est.nu};
    const double se[] = {f->se.mu, f->se.omega, f->se.alpha, f->se.beta, f->se.nu};
    const char *names[] = {"mu", "omega", "alpha", "beta", "nu"};
    cr_assert(f->converged && f->hessian_ok, "%s: converged %d, hessian %d", what, f->converged,
              f->hessian_ok);
    for (size_t i = 0; i < (c->dist ? 5u : 4u); i++) {
        cr_assert(se[i] > 0 && isfinite(se[i]), "%s: se of %s is %g", what, names[i], se[i]);
        cr_assert(fabs(est[i] - truth[i]) < 4.0 * se[i], "%s: %s = %.6g +- %.3g, true %.6g", what,
                  names[i], est[i], se[i], truth[i]);
        cr_log_info("%s: %s = %.6g +- %.3g, true %.6g (%.2f se)", what, names[i], est[i], se[i],
                    truth[i], (est[i] - truth[i]) / se[i]);
    }
}

Test(garch, fit_recovers_simulated_parameters)
{
    const size_t n = 20000;
    garch_case c = {2e-6, 0.08, 0.9, NAN, 0, 8.0, 3e-4, n, 1.0 / 252};
    double *r = simulate_series(&c, 2024, n);
    hs_garch_result f;
    hs_error err;
    cr_assert_eq(hs_garch_fit(r, n, HS_GARCH_NORMAL, &f, &err), HS_OK, "%s", err.msg);
    check_recovery(&f, &c, "normal");
    cr_assert_eq(f.n, n);
    cr_assert(isnan(f.est.nu) && isnan(f.se.nu));
    /* The maximum is a maximum: the true parameters are no more likely. */
    double mean = 0, var = 0;
    for (size_t t = 0; t < n; t++)
        mean += r[t] / n;
    for (size_t t = 0; t < n; t++)
        var += (r[t] - mean) * (r[t] - mean) / n;
    hs_garch_params truth = {HS_GARCH_NORMAL, c.mu, c.omega, c.alpha, c.beta, NAN};
    cr_assert(hs_garch_loglik(r, n, &truth, var) <= f.loglik + 1e-9);
    cr_assert_float_eq(f.uncond_var, f.est.omega / (1 - f.est.alpha - f.est.beta), 1e-18);
    free(r);
}

Test(garch, t_fit_recovers_nu)
{
    const size_t n = 20000;
    garch_case c = {2e-6, 0.08, 0.9, NAN, 1, 6.0, 3e-4, n, 1.0 / 252};
    double *r = simulate_series(&c, 77, n);
    hs_garch_result f;
    hs_error err;
    cr_assert_eq(hs_garch_fit(r, n, HS_GARCH_T, &f, &err), HS_OK, "%s", err.msg);
    check_recovery(&f, &c, "t");
    cr_assert(f.est.nu > 4.5 && f.est.nu < 8.0, "nu %g", f.est.nu);
    /* The t likelihood beats the normal one on t data. */
    hs_garch_result g;
    cr_assert_eq(hs_garch_fit(r, n, HS_GARCH_NORMAL, &g, &err), HS_OK, "%s", err.msg);
    cr_assert(f.loglik > g.loglik + 10.0, "t %.3f, normal %.3f", f.loglik, g.loglik);
    free(r);
}

Test(garch, fit_error_paths)
{
    double r[HS_GARCH_MIN_RETURNS];
    for (size_t t = 0; t < HS_GARCH_MIN_RETURNS; t++)
        r[t] = 0.01 * sin(1.0 + 3.7 * (double)t);
    hs_garch_result f;
    hs_error err;
    /* Too short by one. */
    cr_assert_eq(hs_garch_fit(r, HS_GARCH_MIN_RETURNS - 1, HS_GARCH_NORMAL, &f, &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "49 returns") && strstr(err.msg, "at least 50"), "%s", err.msg);
    cr_assert_eq(hs_garch_fit(NULL, 100, HS_GARCH_NORMAL, &f, &err), HS_EINPUT);
    /* 50 is enough to run (whatever the estimates of so short a series). */
    cr_assert_eq(hs_garch_fit(r, HS_GARCH_MIN_RETURNS, HS_GARCH_T, &f, &err), HS_OK, "%s", err.msg);
    cr_assert(isfinite(f.loglik) && f.est.alpha + f.est.beta < 1.0);
    /* A non-finite return. */
    r[17] = NAN;
    cr_assert_eq(hs_garch_fit(r, HS_GARCH_MIN_RETURNS, HS_GARCH_NORMAL, &f, &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "return 18"), "%s", err.msg);
    /* A constant series. */
    for (size_t t = 0; t < HS_GARCH_MIN_RETURNS; t++)
        r[t] = 0.001;
    cr_assert_eq(hs_garch_fit(r, HS_GARCH_MIN_RETURNS, HS_GARCH_NORMAL, &f, &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "variance"), "%s", err.msg);
    /* An unknown law. */
    r[3] = 0.002;
    cr_assert_eq(hs_garch_fit(r, HS_GARCH_MIN_RETURNS, (hs_garch_dist)7, &f, &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "normal or t"), "%s", err.msg);
}
