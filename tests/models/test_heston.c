/*
 * Tests of the Heston (1993) model: the semi-closed-form pricer (pricing/heston.c,
 * heston.h) and the path model hs_model_heston (models/heston.c, Andersen's QE scheme).
 *
 *  - known answers to 1e-8:
 *    A. Lewis's high-precision reference prices ("Heston model reference prices",
 *       financepress.com, 2019-02-15; computed to 50 digits and reproduced in QuantLib's
 *       test-suite, hestonmodel.cpp testAllIntegrationMethods and
 *       multiprecisionhestonengine.cpp testMultiPrecisionHestonPricing): S = 100, r = 0.01,
 *       q = 0.02, kappa = 4, theta = 0.25, xi = 1, rho = -0.5, with (v0 = 0.04, T = 1) and
 *       the short-maturity set (v0 = 0.01, T = 0.01), calls and puts, K = 80..120 and 90..110;
 *    F. Fang and C.W. Oosterlee, "A novel pricing method for European options based on
 *       Fourier-cosine series expansions", SIAM J. Sci. Comput. 31(2) (2008) 826-848,
 *       section 5.2 (a case where the Feller condition fails: 2 kappa theta = 0.126 <
 *       xi^2 = 0.331): S = K = 100, r = q = 0, v0 = 0.0175, kappa = 1.5768,
 *       theta = 0.0398, xi = 0.5751, rho = -0.5711; T = 10: 22.318945791.  Their T = 1
 *       value 5.785155450 is 1.6e-8 above both this code and an independent 40-digit
 *       mpmath integration of the Lewis formula with the trap characteristic function
 *       (5.785155434376189), so that row is held to 2e-8;
 *  - xi -> 0 is Black-Scholes at the average variance (bs.h), to first order in xi;
 *  - put-call parity; delta against a central difference of the price; tau -> 0 and
 *    far-from-the-money options are finite and bounded; every error path;
 *  - the QE paths, driven block by block through start/step with hs_path_stream lanes,
 *    price calls and puts like the semi-closed form within 4 standard errors, with the
 *    Feller condition holding and failing; E[S_T] = S_0 e^{mu T} (martingale
 *    correction), also for a real-world drift;
 *  - exactly 2 draws per step, paths independent of lane and block;
 *  - no NaN, infinity, negative price or negative variance at the ends of every range.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "hedgesim/bs.h"
#include "hedgesim/heston.h"
#include "hedgesim/model.h"

#include "lanes.h"

/* ------------------------------------------------------------------ helpers */

static void setup(void)
{
    gsl_set_error_handler_off(); /* as main() does: GSL reports through statuses */
}

static hs_heston_value eval(hs_bs_kind kind, double s, double k, double tau, double r, double q,
                            hs_heston_params p)
{
    hs_heston_value v;
    hs_error err;
    cr_assert_eq(hs_heston_eval(kind, s, k, tau, r, q, &p, &v, &err), HS_OK, "%s", err.msg);
    return v;
}

static double price(hs_bs_kind kind, double s, double k, double tau, double r, double q,
                    hs_heston_params p)
{
    return eval(kind, s, k, tau, r, q, p).value;
}

typedef struct heston_case {
    double spot, rate, div;
    hs_heston_params p;
    double mu; /* NaN: default rate - dividend */
    double horizon;
    size_t steps;
} heston_case;

static void model_init(hs_model *m, hs_model_args *a, const heston_case *c)
{
    const hs_model_type *t = &hs_model_heston;
    const char *keys[] = {"v0", "kappa", "theta", "xi", "rho", "mu"};
    double vals[] = {c->p.v0, c->p.kappa, c->p.theta, c->p.xi, c->p.rho, c->mu};
    hs_model_args_default(a, t);
    for (size_t i = 0; i < 6; i++) {
        const hs_param *p = hs_param_find(t->params, t->n_params, keys[i]);
        cr_assert_not_null(p, "no key %s", keys[i]);
        a->par[p - t->params] = vals[i];
    }
    hs_market mk = {c->spot, c->rate, c->div};
    hs_grid g = {c->steps, c->horizon, c->horizon / (double)c->steps};
    hs_error err;
    cr_assert_eq(hs_model_init(m, t, a, &mk, &g, &err), HS_OK, "%s", err.msg);
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

/* Monte Carlo means and standard errors of several functions of S_T over `paths`. */
#define MAX_F 4
typedef struct mc_out {
    double mean[MAX_F], se[MAX_F];
} mc_out;

typedef struct payoff {
    int kind; /* 0 call, 1 put, 2 S_T itself */
    double strike, disc;
} payoff;

static double payoff_eval(const payoff *f, double s)
{
    if (f->kind == 2)
        return s;
    double x = f->kind == 0 ? s - f->strike : f->strike - s;
    return f->disc * (x > 0 ? x : 0.0);
}

static mc_out monte_carlo(const hs_model *m, uint64_t seed, size_t paths, const payoff *f,
                          size_t nf)
{
    lanes *l = lanes_alloc();
    double sum[MAX_F] = {0}, sum2[MAX_F] = {0};
    for (size_t first = 0; first < paths; first += HS_BLOCK) {
        size_t n = paths - first < HS_BLOCK ? paths - first : HS_BLOCK;
        run_block(m, l, seed, first, n);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < nf; j++) {
                double x = payoff_eval(&f[j], l->spot[i]);
                sum[j] += x;
                sum2[j] += x * x;
            }
    }
    free(l);
    mc_out o;
    for (size_t j = 0; j < nf; j++) {
        o.mean[j] = sum[j] / (double)paths;
        o.se[j] = sqrt((sum2[j] / (double)paths - o.mean[j] * o.mean[j]) / (double)(paths - 1));
    }
    return o;
}

/* ------------------------------------------------------ known answers */

static const hs_heston_params lewis = {0.04, 4.0, 0.25, 1.0, -0.5};

Test(heston_price, lewis_reference_prices, .init = setup)
{
    /* strike, call, put (Lewis's 50-digit values, cut to 17 significant digits) */
    const double rows[][3] = {
        {80, 26.774758743998854, 7.9588781132567683},
        {90, 20.933349000596710, 12.017966707346305},
        {100, 16.070154917028834, 17.055270961270109},
        {110, 12.132211516709845, 23.017825898442801},
        {120, 9.0249134834578356, 29.811026202682472},
    };
    for (size_t i = 0; i < 5; i++) {
        double c = price(HS_BS_CALL, 100, rows[i][0], 1.0, 0.01, 0.02, lewis);
        double p = price(HS_BS_PUT, 100, rows[i][0], 1.0, 0.01, 0.02, lewis);
        cr_log_info("Lewis K=%g: call %.15f (off %.1e), put %.15f (off %.1e)", rows[i][0], c,
                    c - rows[i][1], p, p - rows[i][2]);
        cr_assert(fabs(c - rows[i][1]) < 1e-8, "K %g call %.15f want %.15f", rows[i][0], c,
                  rows[i][1]);
        cr_assert(fabs(p - rows[i][2]) < 1e-8, "K %g put %.15f want %.15f", rows[i][0], p,
                  rows[i][2]);
    }
}

Test(heston_price, lewis_short_maturity_prices, .init = setup)
{
    /* v0 = 0.01, T = 0.01: values from 1e-13 to 10 (Lewis, via QuantLib's
     * multiprecisionhestonengine.cpp). */
    hs_heston_params p = lewis;
    p.v0 = 0.01;
    const double rows[][3] = {
        {90, 9.9890015950652765, 4.5183603586861773e-8},
        {95, 4.9899634797381601, 0.00046195485565385158},
        {100, 0.46778267151284426, 0.47778117162950468},
        {105, 2.5274478231947061e-6, 5.0095010525636503},
        {110, 1.2993276005262492e-13, 10.008998550115124},
    };
    for (size_t i = 0; i < 5; i++) {
        double c = price(HS_BS_CALL, 100, rows[i][0], 0.01, 0.01, 0.02, p);
        double q = price(HS_BS_PUT, 100, rows[i][0], 0.01, 0.01, 0.02, p);
        cr_log_info("Lewis T=0.01 K=%g: call %.15g (off %.1e), put %.15g (off %.1e)", rows[i][0], c,
                    c - rows[i][1], q, q - rows[i][2]);
        cr_assert(fabs(c - rows[i][1]) < 1e-8, "K %g call %.15g want %.15g", rows[i][0], c,
                  rows[i][1]);
        cr_assert(fabs(q - rows[i][2]) < 1e-8, "K %g put %.15g want %.15g", rows[i][0], q,
                  rows[i][2]);
    }
}

Test(heston_price, fang_oosterlee_feller_violated, .init = setup)
{
    hs_heston_params p = {0.0175, 1.5768, 0.0398, 0.5751, -0.5711};
    cr_assert(2 * p.kappa * p.theta < p.xi * p.xi, "the case must violate Feller");
    double c10 = price(HS_BS_CALL, 100, 100, 10.0, 0, 0, p);
    double c1 = price(HS_BS_CALL, 100, 100, 1.0, 0, 0, p);
    cr_log_info("Fang-Oosterlee: T=10 %.12f (off %.1e), T=1 %.12f (off %.1e, mpmath %.1e)", c10,
                c10 - 22.318945791, c1, c1 - 5.785155450, c1 - 5.785155434376189);
    cr_assert(fabs(c10 - 22.318945791) < 1e-8, "T=10: %.12f", c10);
    cr_assert(fabs(c1 - 5.785155450) < 2e-8, "T=1: %.12f", c1);
    cr_assert(fabs(c1 - 5.785155434376189) < 1e-10, "T=1 vs mpmath: %.15f", c1);
}

/* ------------------------------------------------------------- limits */

Test(heston_price, mean_variance, .init = setup)
{
    hs_heston_params p = {0.09, 2.0, 0.04, 0.5, 0};
    double want = 0.04 + 0.05 * (1 - exp(-2.0 * 0.5)) / (2.0 * 0.5);
    cr_assert(fabs(hs_heston_mean_variance(&p, 0.5) - want) < 1e-15);
    cr_assert_eq(hs_heston_mean_variance(&p, 0.0), 0.09);
    p.kappa = 0;
    cr_assert_eq(hs_heston_mean_variance(&p, 3.0), 0.09);
}

Test(heston_price, xi_to_zero_is_black_scholes, .init = setup)
{
    /* At xi = 0 the variance is deterministic: Black-Scholes at the average variance,
     * exactly.  Just above, the price moves by about rho xi (first order) or xi^2 (rho = 0),
     * so it must approach Black-Scholes continuously through the integral. */
    const double tau = 0.75, r = 0.03, q = 0.01;
    const double xis[] = {0.0, 1e-9, 1e-6};
    const double rhos[] = {0.0, -0.8};
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 2; b++) {
            hs_heston_params p = {0.04, 1.5, 0.09, xis[a], rhos[b]};
            double vol = sqrt(hs_heston_mean_variance(&p, tau));
            /* xi = 0: exact; rho = 0: second order in xi; else first order, 2 xi */
            double tol = xis[a] == 0 ? 1e-13 : rhos[b] == 0 ? 1e-9 : fmax(1e-9, 5.0 * xis[a]);
            for (double k = 70; k <= 140; k += 10)
                for (int kind = 0; kind < 2; kind++) {
                    hs_heston_value v = eval((hs_bs_kind)kind, 100, k, tau, r, q, p);
                    double bs = hs_bs_price((hs_bs_kind)kind, 100, k, tau, r, q, vol);
                    double bsd = hs_bs_delta((hs_bs_kind)kind, 100, k, tau, r, q, vol);
                    cr_assert(fabs(v.value - bs) <= tol && fabs(v.delta - bsd) <= tol,
                              "xi %g rho %g K %g kind %d: %.15g vs BS %.15g, delta %.12f vs %.12f",
                              xis[a], rhos[b], k, kind, v.value, bs, v.delta, bsd);
                }
        }
    /* kappa = xi = 0 (the pole beta + d = 0 of the integrand) is the same limit. */
    hs_heston_params flat = {0.04, 0.0, 0.3, 0.0, -0.5};
    cr_assert(fabs(price(HS_BS_CALL, 100, 105, 1, 0.02, 0, flat) -
                   hs_bs_price(HS_BS_CALL, 100, 105, 1, 0.02, 0, 0.2)) < 1e-13);
}

Test(heston_price, tau_to_zero_is_intrinsic, .init = setup)
{
    hs_heston_params p = {0.04, 2, 0.04, 0.5, -0.7};
    cr_assert_eq(price(HS_BS_CALL, 110, 100, 0, 0.05, 0, p), 10.0);
    cr_assert_eq(price(HS_BS_PUT, 110, 100, 0, 0.05, 0, p), 0.0);
    cr_assert_eq(price(HS_BS_PUT, 90, 100, 0, 0.05, 0, p), 10.0);
    cr_assert_eq(eval(HS_BS_CALL, 110, 100, 0, 0.05, 0, p).delta, 1.0);
    cr_assert_eq(eval(HS_BS_PUT, 110, 100, 0, 0.05, 0, p).delta, 0.0);
    /* Approaching expiry: the at-the-money value shrinks like sqrt(v0 tau / (2 pi)) S,
     * away from the money it goes to the intrinsic value; never NaN. */
    for (double tau = 1e-2; tau > 1e-15; tau *= 0.01) {
        double atm = price(HS_BS_CALL, 100, 100, tau, 0, 0, p);
        double want = 100 * sqrt(0.04 * tau / (2 * 3.14159265358979323846));
        cr_assert(fabs(atm / want - 1) < 0.05, "tau %g: ATM %g, want about %g", tau, atm, want);
        hs_heston_value itm = eval(HS_BS_CALL, 100, 95, tau, 0, 0, p);
        hs_heston_value otm = eval(HS_BS_PUT, 100, 95, tau, 0, 0, p);
        if (tau < 1e-5) {
            cr_assert(fabs(itm.value - 5) < 1e-12 && fabs(itm.delta - 1) < 1e-12,
                      "tau %g: ITM %.15g delta %.15g", tau, itm.value, itm.delta);
            cr_assert(otm.value < 1e-12 && fabs(otm.delta) < 1e-12, "tau %g: OTM %g", tau,
                      otm.value);
        }
    }
}

Test(heston_price, put_call_parity, .init = setup)
{
    const hs_heston_params ps[] = {lewis,
                                   {0.0175, 1.5768, 0.0398, 0.5751, -0.5711},
                                   {0.09, 0.5, 0.04, 1.5, 0.3},
                                   {0.01, 10, 0.16, 0.2, -0.95}};
    for (size_t i = 0; i < 4; i++)
        for (double k = 40; k <= 250; k *= 1.25)
            for (double tau = 0.05; tau <= 5; tau *= 10) {
                double r = 0.04, q = 0.025;
                hs_heston_value c = eval(HS_BS_CALL, 100, k, tau, r, q, ps[i]);
                hs_heston_value p = eval(HS_BS_PUT, 100, k, tau, r, q, ps[i]);
                double parity = 100 * exp(-q * tau) - k * exp(-r * tau);
                cr_assert(fabs(c.value - p.value - parity) <= 1e-10 * k,
                          "case %zu K %g tau %g: C - P = %.15g, want %.15g", i, k, tau,
                          c.value - p.value, parity);
                cr_assert(fabs(c.delta - p.delta - exp(-q * tau)) <= 1e-10,
                          "case %zu K %g tau %g: delta C - P = %.15g", i, k, tau,
                          c.delta - p.delta);
            }
}

Test(heston_price, delta_is_the_derivative_of_the_price, .init = setup)
{
    const hs_heston_params ps[] = {
        lewis, {0.0175, 1.5768, 0.0398, 0.5751, -0.5711}, {0.09, 0.5, 0.04, 1.5, 0.3}};
    const double taus[] = {0.02, 0.5, 3.0};
    double worst = 0;
    for (size_t i = 0; i < 3; i++)
        for (size_t t = 0; t < 3; t++)
            for (int kind = 0; kind < 2; kind++)
                for (double spot = 70; spot <= 140; spot += 10) {
                    double h = 1e-3 * spot, tau = taus[t];
                    hs_heston_value v = eval((hs_bs_kind)kind, spot, 100, tau, 0.03, 0.01, ps[i]);
                    double dd[2];
                    for (int j = 0; j < 2; j++) {
                        double hj = j ? 0.5 * h : h;
                        double up = price((hs_bs_kind)kind, spot + hj, 100, tau, 0.03, 0.01, ps[i]);
                        double down =
                            price((hs_bs_kind)kind, spot - hj, 100, tau, 0.03, 0.01, ps[i]);
                        dd[j] = (up - down) / (2 * hj);
                    }
                    /* Richardson: the central difference's O(h^2) term cancels, leaving
                     * O(h^4) and the prices' own error (<= 1e-9) over h. */
                    double fd = (4 * dd[1] - dd[0]) / 3, tol = 1e-7;
                    worst = fmax(worst, fabs(v.delta - fd));
                    cr_assert(fabs(v.delta - fd) <= tol,
                              "case %zu tau %g kind %d S %g: delta %.12f, difference %.12f", i, tau,
                              kind, spot, v.delta, fd);
                    /* The delta-only entry point agrees. */
                    hs_heston_value d;
                    hs_error err;
                    cr_assert_eq(hs_heston_eval_delta((hs_bs_kind)kind, spot, 100, tau, 0.03, 0.01,
                                                      &ps[i], &d, &err),
                                 HS_OK);
                    cr_assert_eq(d.delta, v.delta);
                    cr_assert(isnan(d.value));
                }
    cr_log_info("heston delta vs Richardson central difference: worst %.2e", worst);
}

Test(heston_price, finite_and_bounded_far_from_the_money, .init = setup)
{
    /* Strikes many standard deviations away, where the integrand would oscillate on
     * Lewis's contour (the contour moves, see choose_contour). */
    hs_heston_params p = {0.04, 2, 0.04, 0.5, -0.7};
    const double taus[] = {1e-4, 1e-2, 0.25, 10};
    for (size_t t = 0; t < 4; t++)
        for (double k = 10; k <= 1000; k *= 1.5)
            for (int kind = 0; kind < 2; kind++) {
                double tau = taus[t], dq = exp(-0.01 * tau), dr = exp(-0.03 * tau);
                hs_heston_value v = eval((hs_bs_kind)kind, 100, k, tau, 0.03, 0.01, p);
                double lower = kind == 0 ? fmax(100 * dq - k * dr, 0) : fmax(k * dr - 100 * dq, 0);
                double upper = kind == 0 ? 100 * dq : k * dr;
                cr_assert(v.value >= lower && v.value <= upper && fabs(v.delta) <= dq,
                          "tau %g K %g kind %d: value %g delta %g", tau, k, kind, v.value, v.delta);
            }
    /* A far out-of-the-money put keeps its relative accuracy: its value must fall with
     * the strike, not sit on rounding noise. */
    double prev = INFINITY;
    for (double k = 60; k >= 20; k -= 10) {
        double v = price(HS_BS_PUT, 100, k, 0.25, 0.03, 0.01, p);
        cr_assert(v > 0 && v < prev, "K %g: put %g after %g", k, v, prev);
        prev = v;
    }
}

Test(heston_price, bad_inputs, .init = setup)
{
    hs_heston_value v = {-7, -7, 7, 7};
    hs_error err;
    struct {
        double s, k, tau, r, q;
        hs_heston_params p;
        const char *word;
    } bad[] = {
        {0, 100, 1, 0, 0, {0.04, 1, 0.04, 0.5, 0}, "spot"},
        {NAN, 100, 1, 0, 0, {0.04, 1, 0.04, 0.5, 0}, "spot"},
        {100, -1, 1, 0, 0, {0.04, 1, 0.04, 0.5, 0}, "strike"},
        {100, 100, -1, 0, 0, {0.04, 1, 0.04, 0.5, 0}, "tau"},
        {100, 100, INFINITY, 0, 0, {0.04, 1, 0.04, 0.5, 0}, "tau"},
        {100, 100, 1, NAN, 0, {0.04, 1, 0.04, 0.5, 0}, "rate"},
        {100, 100, 1, 0, INFINITY, {0.04, 1, 0.04, 0.5, 0}, "dividend"},
        {100, 100, 1, 0, 0, {-0.04, 1, 0.04, 0.5, 0}, "v0"},
        {100, 100, 1, 0, 0, {0.04, -1, 0.04, 0.5, 0}, "kappa"},
        {100, 100, 1, 0, 0, {0.04, 1, NAN, 0.5, 0}, "theta"},
        {100, 100, 1, 0, 0, {0.04, 1, 0.04, -0.5, 0}, "xi"},
        {100, 100, 1, 0, 0, {0.04, 1, 0.04, 0.5, 1.5}, "rho"},
        {100, 100, 1, 0, 0, {0.04, 1, 0.04, 0.5, NAN}, "rho"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hs_status st = hs_heston_eval(HS_BS_CALL, bad[i].s, bad[i].k, bad[i].tau, bad[i].r,
                                      bad[i].q, &bad[i].p, &v, &err);
        cr_assert_eq(st, HS_EINPUT, "case %zu accepted", i);
        cr_assert_not_null(strstr(err.msg, bad[i].word), "case %zu: '%s' lacks '%s'", i, err.msg,
                           bad[i].word);
        cr_assert_eq(v.value, -7, "case %zu wrote its output", i);
    }
    hs_heston_params ok = {0.04, 1, 0.04, 0.5, 0};
    cr_assert_eq(hs_heston_eval((hs_bs_kind)7, 100, 100, 1, 0, 0, &ok, &v, &err), HS_EINPUT);
    cr_assert_not_null(strstr(err.msg, "kind"), "%s", err.msg);
    cr_assert_eq(hs_heston_eval(HS_BS_CALL, 100, 100, 1, 0, 0, NULL, &v, &err), HS_EINPUT);
}

Test(heston_price, non_convergence_is_an_error, .init = setup)
{
    /* Variance starting at 0 with a vol of vol far above the Feller bound (2 kappa theta
     * = 0.01, xi^2 = 4) and rho = -0.9: the variance stays near 0 with high probability,
     * the characteristic function has a long plateau, and the delta integral of this
     * out-of-the-money put cannot reach its tolerance within the subinterval limit. */
    hs_heston_params p = {0.0, 0.5, 0.01, 2.0, -0.9};
    hs_heston_value v = {-7, -7, 7, 7};
    hs_error err;
    hs_status st = hs_heston_eval(HS_BS_PUT, 120, 100, 0.02, 0.05, 0.02, &p, &v, &err);
    cr_assert_eq(st, HS_ERUNTIME, "status %d", st);
    cr_assert_not_null(strstr(err.msg, "did not converge"), "%s", err.msg);
    cr_assert_eq(v.value, -7, "wrote its output");
}

/* --------------------------------------------------------------- the model */

/* Feller holds: 2 kappa theta = 0.16 > xi^2 = 0.09. */
static const heston_case feller_ok = {100, 0.03, 0.01, {0.04, 2.0, 0.04, 0.3, -0.7}, NAN, 1.0, 50};
/* Feller fails: 2 kappa theta = 0.08 < xi^2 = 0.81; the variance often hits 0. */
static const heston_case feller_bad = {100, 0.03, 0.01, {0.04, 1.0, 0.04, 0.9, -0.7},
                                       NAN, 1.0,  100};

static void check_prices(const heston_case *c, uint64_t seed, size_t paths)
{
    hs_model_args a;
    hs_model m;
    model_init(&m, &a, c);
    const double disc = exp(-c->rate * c->horizon);
    const payoff f[4] = {{0, 100, disc}, {0, 120, disc}, {1, 85, disc}, {2, 0, 1}};
    mc_out o = monte_carlo(&m, seed, paths, f, 4);
    for (size_t j = 0; j < 4; j++) {
        double want = j == 3 ? c->spot * exp((c->rate - c->div) * c->horizon)
                             : price(f[j].kind ? HS_BS_PUT : HS_BS_CALL, c->spot, f[j].strike,
                                     c->horizon, c->rate, c->div, c->p);
        const char *what = j == 3 ? "E[S_T]" : f[j].kind ? "put" : "call";
        cr_log_info("heston QE (xi %g, %zu steps) %s K=%g: MC %.4f +- %.4f vs closed form %.4f "
                    "(%.2f s.e.)",
                    c->p.xi, c->steps, what, f[j].strike, o.mean[j], o.se[j], want,
                    (o.mean[j] - want) / o.se[j]);
        cr_assert(fabs(o.mean[j] - want) < 4 * o.se[j], "%s K %g: MC %.5f +- %.5f, want %.5f", what,
                  f[j].strike, o.mean[j], o.se[j], want);
    }
    hs_model_release(&m);
}

Test(heston_model, monte_carlo_prices_feller_satisfied, .init = setup, .timeout = 60)
{
    check_prices(&feller_ok, 21, 200000);
}

Test(heston_model, monte_carlo_prices_feller_violated, .init = setup, .timeout = 60)
{
    check_prices(&feller_bad, 22, 200000);
}

Test(heston_model, martingale_correction_with_large_steps, .init = setup, .timeout = 60)
{
    /* Coarse steps, strongly non-Gaussian variance, a positive correlation and a
     * real-world drift: E[S_T] = S_0 e^{mu T} must still hold (Andersen's K0*). */
    const heston_case cases[] = {
        {100, 0.02, 0.0, {0.09, 1.0, 0.04, 1.0, 0.5}, 0.12, 2.0, 4},
        {100, 0.02, 0.0, {0.01, 3.0, 0.09, 1.5, -0.9}, -0.05, 1.0, 2},
    };
    for (size_t i = 0; i < 2; i++) {
        hs_model_args a;
        hs_model m;
        model_init(&m, &a, &cases[i]);
        payoff f = {2, 0, 1};
        mc_out o = monte_carlo(&m, 30 + i, 200000, &f, 1);
        double want = cases[i].spot * exp(cases[i].mu * cases[i].horizon);
        cr_log_info("heston E[S_T] case %zu: %.4f +- %.4f vs %.4f (%.2f s.e.)", i, o.mean[0],
                    o.se[0], want, (o.mean[0] - want) / o.se[0]);
        cr_assert(fabs(o.mean[0] - want) < 4 * o.se[0], "case %zu: %.4f +- %.4f, want %.4f", i,
                  o.mean[0], o.se[0], want);
        hs_model_release(&m);
    }
}

Test(heston_model, xi_zero_is_a_deterministic_variance, .init = setup)
{
    /* xi = 0: the variance follows its mean exactly and the step is Black-Scholes with
     * a time-varying variance. */
    heston_case c = {100, 0.03, 0.0, {0.09, 2.0, 0.04, 0.0, -0.5}, NAN, 1.0, 20};
    hs_model_args a;
    hs_model m;
    model_init(&m, &a, &c);
    lanes *l = lanes_alloc();
    run_block(&m, l, 3, 0, 64);
    double v = c.p.theta + (c.p.v0 - c.p.theta) * exp(-c.p.kappa * c.horizon);
    for (size_t i = 0; i < 64; i++)
        cr_assert(fabs(l->state[i] - v) < 1e-15, "lane %zu: variance %.17g want %.17g", i,
                  l->state[i], v);
    free(l);
    const double disc = exp(-c.rate);
    payoff f = {0, 100, disc};
    mc_out o = monte_carlo(&m, 5, 100000, &f, 1);
    double want = price(HS_BS_CALL, 100, 100, 1.0, c.rate, 0, c.p);
    cr_log_info("heston xi=0 MC call %.4f +- %.4f vs BS %.4f (%.2f s.e.)", o.mean[0], o.se[0], want,
                (o.mean[0] - want) / o.se[0]);
    cr_assert(fabs(o.mean[0] - want) < 4 * o.se[0], "%.4f +- %.4f want %.4f", o.mean[0], o.se[0],
              want);
    hs_model_release(&m);
}

Test(heston_model, two_draws_per_step_and_lane_independent, .init = setup)
{
    hs_model_args a;
    hs_model m;
    model_init(&m, &a, &feller_bad);
    lanes *l = lanes_alloc(), *l2 = lanes_alloc();
    run_block(&m, l, 77, 1000, HS_BLOCK);
    for (size_t i = 0; i < HS_BLOCK; i++) {
        hs_pcg32 want;
        hs_path_stream(&want, 77, 1000 + i);
        hs_pcg32_advance(&want, 2 * (uint64_t)(2 * feller_bad.steps)); /* two outputs a draw */
        cr_assert(want.state == l->rng.state[i], "lane %zu: not 2 draws per step", i);
    }
    /* The same paths in a block of 37 lanes that starts 5 paths later. */
    run_block(&m, l2, 77, 1005, 37);
    for (size_t i = 0; i < 37; i++) {
        cr_assert_eq(l2->logspot[i], l->logspot[i + 5], "path %zu depends on its lane", 1005 + i);
        cr_assert_eq(l2->state[i], l->state[i + 5], "variance of path %zu", 1005 + i);
    }
    free(l);
    free(l2);
    hs_model_release(&m);
}

Test(heston_model, finite_at_the_ends_of_every_range, .init = setup)
{
    /* Every combination of the ends of v0, kappa, theta, xi, rho (mu at an end too), on a
     * fine grid and on coarse steps of 5 years: the variance stays >= 0 and finite, the
     * price finite and >= 0, logspot finite. */
    const hs_param *p = hs_model_heston.params;
    size_t np = hs_model_heston.n_params, runs = 0;
    lanes *l = lanes_alloc();
    for (unsigned mask = 0; mask < (1u << np); mask++)
        for (int grid = 0; grid < 2; grid++) {
            heston_case c = {100,           0.05, 0.02, {0, 0, 0, 0, 0}, 0, grid ? 20.0 : 1.0,
                             grid ? 4 : 100};
            double *fields[] = {&c.p.v0, &c.p.kappa, &c.p.theta, &c.p.xi, &c.p.rho, &c.mu};
            for (size_t i = 0; i < np; i++)
                *fields[i] = (mask >> i) & 1u ? p[i].max : p[i].min;
            hs_model_args a;
            hs_model m;
            model_init(&m, &a, &c);
            run_block(&m, l, 5, 0, HS_BLOCK);
            for (size_t i = 0; i < HS_BLOCK; i++)
                cr_assert(isfinite(l->logspot[i]) && isfinite(l->spot[i]) && l->spot[i] >= 0 &&
                              isfinite(l->state[i]) && l->state[i] >= 0,
                          "mask %u grid %d lane %zu: logspot %g spot %g variance %g", mask, grid, i,
                          l->logspot[i], l->spot[i], l->state[i]);
            cr_assert(isfinite(m.type->sigma(&m)));
            hs_model_release(&m);
            runs++;
        }
    /* A few interior extremes: tiny xi (the psi -> 0 limit), rho = +1 with large steps
     * (the martingale correction's condition fails), a variance stuck at 0. */
    const heston_case odd[] = {
        {100, 0.05, 0.0, {0.04, 2, 0.04, 1e-80, 0.9}, NAN, 1.0, 10},
        {100, 0.05, 0.0, {0.04, 2, 0.04, 1e-7, -1}, NAN, 1.0, 10},
        {100, 0.05, 0.0, {0.04, 0.1, 0.04, 0.05, 1}, NAN, 10.0, 2},
        {100, 0.05, 0.0, {0.0, 3, 0.0, 2, -0.5}, NAN, 1.0, 10},
        {100, 0.05, 0.0, {1e-300, 1e-3, 1e-300, 5, 1}, NAN, 1.0, 10},
    };
    for (size_t j = 0; j < sizeof odd / sizeof odd[0]; j++) {
        hs_model_args a;
        hs_model m;
        model_init(&m, &a, &odd[j]);
        run_block(&m, l, 6, 0, HS_BLOCK);
        for (size_t i = 0; i < HS_BLOCK; i++)
            cr_assert(isfinite(l->logspot[i]) && l->spot[i] >= 0 && isfinite(l->state[i]) &&
                          l->state[i] >= 0,
                      "odd case %zu lane %zu: logspot %g variance %g", j, i, l->logspot[i],
                      l->state[i]);
        hs_model_release(&m);
        runs++;
    }
    free(l);
    cr_assert_eq(runs, 2u * (1u << np) + 5u);
}

Test(heston_model, sigma_mu_and_lane_delta, .init = setup)
{
    hs_model_args a;
    hs_model m;
    model_init(&m, &a, &feller_ok);
    cr_assert_eq(m.type->sigma(&m), sqrt(feller_ok.p.theta));
    /* mu defaults to rate - dividend (a DERIVED row). */
    cr_assert(fabs(hs_model_param(&m, "mu") - (feller_ok.rate - feller_ok.div)) < 1e-15);
    /* The lane delta is the semi-closed-form delta at the lane's variance. */
    hs_heston_params p = feller_ok.p;
    p.v0 = 0.0625;
    double d = hs_heston_lane_delta(&m, HS_BS_PUT, 95, 0.0625, 100, 0.4);
    double want = eval(HS_BS_PUT, 95, 100, 0.4, feller_ok.rate, feller_ok.div, p).delta;
    cr_assert_eq(d, want);
    hs_model_release(&m);
    /* ... and NaN where the evaluation fails (the case of non_convergence_is_an_error). */
    heston_case c = {120, 0.05, 0.02, {0.0, 0.5, 0.01, 2.0, -0.9}, NAN, 1.0, 10};
    model_init(&m, &a, &c);
    cr_assert(isnan(hs_heston_lane_delta(&m, HS_BS_PUT, 120, 0.0, 100, 0.02)));
    hs_model_release(&m);
}

/* The QE variance step, written as Andersen's paper reads (branches, libm's log and
 * log1p), against the branch-free vector form hs_heston_qe_lanes (vmath.h's log and
 * log1p): both variances and log-price increments agree to 1e-13 of their size in every
 * branch, each branch taken by many of the 60,000 lanes.  Reference: Andersen (2008),
 * eqs. 23-30 (QE) and the martingale correction of section 4.2.  Branch: 0 v stays 0,
 * 1 psi -> 0, 2 quadratic, 3 quadratic without a finite correction (2 A a >= 1),
 * 4 exponential with V' > 0, 5 exponential at the mass at 0, 6 exponential without a
 * finite correction (A >= beta). */
static int qe_reference(const heston_case *c, double dt, double v, double u, double *vn,
                        double *jump)
{
    const double kappa = c->p.kappa, theta = c->p.theta, xi = c->p.xi, rho = c->p.rho;
    /* The model's constants, rounded as its prepare() rounds them. */
    const double one_minus_ek = -expm1(-kappa * dt), h = one_minus_ek / kappa;
    const double ek = 1.0 - one_minus_ek;
    const double mean = theta + (v - theta) * ek;
    const double s2hat = v * (ek * h) + 0.5 * theta * one_minus_ek * h;
    const double ahat = rho * (1.0 + 0.5 * kappa * dt) - 0.25 * rho * rho * xi * dt;
    const double cgf_normal = 0.5 * ahat * ahat * s2hat;
    if (!(mean > 0.0)) {
        *vn = *jump = 0.0;
        return 0;
    }
    const double psi = xi * xi * s2hat / (mean * mean);
    if (psi < 1e-100) {
        *vn = mean;
        *jump = ahat * sqrt(s2hat) * hs_normal_icdf(u) - cgf_normal;
        return 1;
    }
    const double A = ahat / xi;
    if (psi <= 1.5) {
        const double zv = hs_normal_icdf(u);
        const double b2 = 2.0 / psi - 1.0 + sqrt(2.0 / psi) * sqrt(2.0 / psi - 1.0);
        const double a = mean / (1.0 + b2), b = sqrt(b2);
        *vn = a * (b + zv) * (b + zv);
        const double y = 2.0 * A * a; /* c(A) = b^2 y^2 / (2 (1 - y)) - (y + ln(1 - y)) / 2 */
        const double cgf = y < 1.0 ? 0.5 * b2 * y * y / (1.0 - y) - 0.5 * (y + log1p(-y))
                                   : cgf_normal;
        *jump = A * a * (2.0 * b * zv + zv * zv - 1.0) - cgf;
        return y < 1.0 ? 2 : 3;
    }
    /* 1 - p = 2 / (psi + 1), as the model rounds it: V' = ln((1 - p) / (1 - U)) / beta is
     * the log of a ratio near 1 where U is near p, which magnifies any other rounding. */
    const double one_p = 2.0 / (psi + 1.0), beta = one_p / mean;
    const int zero = !(1.0 - u < one_p); /* U <= p: the mass at 0 */
    *vn = zero ? 0.0 : log(one_p / (1.0 - u)) / beta;
    if (A < beta) { /* c(A) = ln(p + (1 - p) / (1 - A / beta)) - A m */
        *jump = A * (*vn - mean) - (log((1.0 - one_p) + one_p / (1.0 - A / beta)) - A * mean);
        return zero ? 5 : 4;
    }
    *jump = A * (*vn - mean) - cgf_normal;
    return 6;
}

Test(heston_model, qe_step_matches_the_branchy_reference, .init = setup)
{
    /* Parameter sets that reach every branch: a mild case (quadratic), a wild one
     * (exponential, mass at 0), xi tiny (psi -> 0), rho > 0 with long steps (no finite
     * correction, quadratic and exponential), theta = 0 (v = 0 stays 0). */
    const heston_case cases[] = {
        {100, 0.0, 0.0, {0.04, 2.0, 0.04, 0.3, -0.7}, NAN, 1.0, 50},
        {100, 0.0, 0.0, {0.04, 1.0, 0.04, 1.5, -0.9}, NAN, 1.0, 50},
        {100, 0.0, 0.0, {0.04, 2.0, 0.04, 1e-60, -0.5}, NAN, 1.0, 50},
        {100, 0.0, 0.0, {1.0, 2.0, 1.0, 2.0, 1.0}, NAN, 5.0, 1},
        {100, 0.0, 0.0, {1.0, 5.0, 1.0, 5.0, 0.9}, NAN, 2.0, 1},
        {100, 0.0, 0.0, {0.0, 1.0, 0.0, 0.5, -0.5}, NAN, 1.0, 12},
    };
    enum { N = 10000 };
    static double var[N], u[N], zv[N], vn[N], jump[N];
    int hits[7] = {0};
    uint64_t s = 12345;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        hs_model_args a;
        hs_model m;
        model_init(&m, &a, &cases[k]);
        for (size_t i = 0; i < N; i++) {
            s = s * 6364136223846793005u + 1442695040888963407u;
            u[i] = ((double)(s >> 11) + 0.5) * 0x1p-53;
            zv[i] = hs_normal_icdf(u[i]);
            /* Variances from 0 up to 10 theta, a tenth of them 0. */
            var[i] = i % 10 == 0 ? 0.0 : 10.0 * cases[k].p.theta * (double)(i % 997) / 997.0;
        }
        hs_heston_qe_lanes(&m, var, u, zv, vn, jump, N);
        for (size_t i = 0; i < N; i++) {
            double want_v, want_j;
            int br = qe_reference(&cases[k], m.grid.dt, var[i], u[i], &want_v, &want_j);
            hits[br]++;
            double tol_v = 1e-13 * fabs(want_v) + 1e-300;
            double tol_j = 1e-13 * (fabs(want_j) + fabs(want_v) + fabs(var[i])) + 1e-300;
            cr_assert(fabs(vn[i] - want_v) <= tol_v, "case %zu, v %.17g, u %.17g (branch %d): V' %.17g want %.17g",
                      k, var[i], u[i], br, vn[i], want_v);
            cr_assert(fabs(jump[i] - want_j) <= tol_j, "case %zu, v %.17g, u %.17g (branch %d): jump %.17g want %.17g",
                      k, var[i], u[i], br, jump[i], want_j);
        }
        hs_model_release(&m);
    }
    for (int br = 0; br < 7; br++) {
        cr_log_info("QE branch %d: %d lanes", br, hits[br]);
        cr_assert_geq(hits[br], 100, "branch %d reached by %d lanes only", br, hits[br]);
    }
}
