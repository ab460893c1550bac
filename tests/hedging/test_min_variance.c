/*
 * Tests of the Hedged Monte Carlo ratio `min_variance` (hmc.h, hmc_train.c,
 * ratio_min_variance.c; Potters, Bouchaud & Sestovic, Physica A 289 (2001)):
 *
 *  - the B-spline evaluator against GSL's gsl_bspline_eval on the same knots;
 *  - one regression step by hand: at t0 (one spot) the fit is C + phi G, whose least
 *    squares solution on three paths is computed below; with linear B-splines a value and a
 *    hedge that are linear in x are recovered exactly; on random rows the normal equations
 *    agree with gsl_multifit_linear's SVD of the design;
 *  - GBM with mu = rate (fixed seed): the t0 hedge within 0.01 of the Black-Scholes delta,
 *    the HMC price within 4 s.e. of Black-Scholes, the hedging std not above the BS delta's
 *    by more than 2 paired s.e.;
 *  - Merton (sigma 0.2, lambda 5, jumps N(-0.05, 0.1), one-month ATM call, daily): the
 *    min-variance std below both the BS delta's and Merton's own delta's (paired z < -4),
 *    the HMC price within 4 s.e. of Merton's series price;
 *  - the same bits on 1 and 2 threads; refusals (state without a state, basis < order,
 *    too few training paths).
 * The Monte Carlo checks use 20 000 paths, enough for the z-scores stated (the Merton z's
 * are about -10 and -17); scripts/validate repeats them at larger sizes.
 */
#include <criterion/criterion.h>

#include <gsl/gsl_bspline.h>
#include <gsl/gsl_multifit.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/bs.h"
#include "hedgesim/engine.h"
#include "hedgesim/hmc.h"
#include "hedgesim/merton.h"
#include "hedgesim/scenario.h"
#include "hedgesim/strategy.h"

static hs_scenario *load(const char *text)
{
    hs_error err;
    hs_scenario *sc = NULL;
    cr_assert_eq(hs_scenario_load_string(text, "min_variance.ini", NULL, 0, &sc, &err), HS_OK, "%s",
                 err.msg);
    return sc;
}

static hs_results *run(const hs_scenario *sc, int threads)
{
    hs_run_opts opts = {.threads = threads};
    hs_results *res = NULL;
    hs_error err;
    cr_assert_eq(hs_run(sc, &opts, &res, &err), HS_OK, "%s", err.msg);
    return res;
}

/* Paired test of two strategies' variances on the same paths: d_i = (a_i - mean a)^2 -
 * (b_i - mean b)^2; z = mean(d) / (sd(d) / sqrt(n)) (negative: a has the smaller
 * variance). */
static double paired_var_z(const double *a, const double *b, size_t n)
{
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; i++)
        ma += a[i], mb += b[i];
    ma /= (double)n, mb /= (double)n;
    double md = 0, sd = 0;
    for (size_t i = 0; i < n; i++)
        md += (a[i] - ma) * (a[i] - ma) - (b[i] - mb) * (b[i] - mb);
    md /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = (a[i] - ma) * (a[i] - ma) - (b[i] - mb) * (b[i] - mb) - md;
        sd += d * d;
    }
    sd = sqrt(sd / (double)(n - 1));
    return md / (sd / sqrt((double)n));
}

Test(hmc, bspline_matches_gsl)
{
    const size_t basis = 9, order = 4, nbreak = basis - order + 2;
    double brk[] = {-0.3, -0.1, -0.04, 0.0, 0.02, 0.1, 0.5}; /* uneven, as quantiles are */
    gsl_bspline_workspace *w = gsl_bspline_alloc(order, nbreak);
    gsl_vector_view bv = gsl_vector_view_array(brk, nbreak);
    gsl_bspline_knots(&bv.vector, w);
    gsl_vector *ref = gsl_vector_alloc(basis);
    for (int i = 0; i <= 80; i++) {
        double x = -0.3 + 0.8 * i / 80.0, mine[16];
        hs_hmc_bspline(x, brk, basis, order, mine);
        gsl_bspline_eval(x, ref, w);
        for (size_t j = 0; j < basis; j++)
            cr_assert(fabs(mine[j] - gsl_vector_get(ref, j)) < 1e-14, "x %g B_%zu: %g vs %g", x, j,
                      mine[j], gsl_vector_get(ref, j));
    }
    gsl_vector_free(ref);
    gsl_bspline_free(w);
}

Test(hmc, regression_at_t0_by_hand)
{
    /* Three paths from one spot (x constant: the basis is the constant), gains G = -1, 0, 2
     * and values Y = 0, 1, 5.  Least squares of Y = C + phi G:
     *   mean G = 1/3, mean Y = 2, sum (G - 1/3)(Y - 2) = 8/3 + 1/3 + 15/3 = 8,
     *   sum (G - 1/3)^2 = 16/9 + 1/9 + 25/9 = 14/3, so phi = 8 / (14/3) = 12/7 and
     *   C = 2 - (12/7)(1/3) = 10/7; residuals 2/7, -3/7, 1/7. */
    double x[] = {4.6, 4.6, 4.6}, g[] = {-1, 0, 2}, y[] = {0, 1, 5}, res[3];
    double coef[4];
    hs_hmc_date d = {.k = 0, .value = coef, .hedge = coef + 2};
    hs_error err;
    cr_assert_eq(hs_hmc_fit_date(&d, 8, 4, 3, x, NULL, g, y, res, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(d.nx, 1);
    cr_assert(fabs(d.value[0] - 10.0 / 7.0) < 1e-13, "C %.17g", d.value[0]);
    cr_assert(fabs(d.hedge[0] - 12.0 / 7.0) < 1e-13, "phi %.17g", d.hedge[0]);
    double want[] = {2.0 / 7.0, -3.0 / 7.0, 1.0 / 7.0};
    for (int i = 0; i < 3; i++)
        cr_assert(fabs(res[i] - want[i]) < 1e-13, "residual %d: %g", i, res[i]);
}

Test(hmc, regression_linear_splines_exact)
{
    /* Order 2, basis 2: B_0 = 1 - x, B_1 = x on [0, 1] (nbreak 2, no quantile knots).
     * Y = C(x) + phi(x) G with C = 1 + 2x and phi = 0.5 - x exactly, so the coefficients
     * are the end values: C(0) = 1, C(1) = 3, phi(0) = 0.5, phi(1) = -0.5. */
    double x[] = {0.0, 0.25, 0.5, 0.75, 1.0, 0.1}, g[] = {1.0, -2.0, 0.5, 3.0, -1.0, 2.0}, y[6];
    for (int i = 0; i < 6; i++)
        y[i] = 1 + 2 * x[i] + (0.5 - x[i]) * g[i];
    double coef[4];
    hs_hmc_date d = {.k = 3, .value = coef, .hedge = coef + 2};
    hs_error err;
    cr_assert_eq(hs_hmc_fit_date(&d, 2, 2, 6, x, NULL, g, y, NULL, &err), HS_OK, "%s", err.msg);
    double want[] = {1.0, 3.0, 0.5, -0.5};
    for (int j = 0; j < 4; j++)
        cr_assert(fabs(coef[j] - want[j]) < 1e-12, "coefficient %d: %.17g", j, coef[j]);
    double v, h;
    hs_hmc_eval(&d, 2, 0.4, 0.0, &v, &h);
    cr_assert(fabs(v - 1.8) < 1e-12 && fabs(h - 0.1) < 1e-12, "C(0.4) %g phi(0.4) %g", v, h);
    hs_hmc_eval(&d, 2, 7.0, 0.0, &v, &h); /* beyond the paths: held at the edge */
    cr_assert(fabs(v - 3.0) < 1e-12 && fabs(h + 0.5) < 1e-12);
}

Test(hmc, normal_equations_match_gsl_multifit)
{
    const size_t n = 400, basis = 6, order = 4, p = 2 * basis;
    double x[400], g[400], y[400], coef[2 * 6];
    srand(7);
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)rand() / RAND_MAX - 0.5;
        g[i] = (double)rand() / RAND_MAX - 0.5;
        y[i] = sin(3 * x[i]) + x[i] * x[i] * g[i] + 0.1 * ((double)rand() / RAND_MAX - 0.5);
    }
    hs_hmc_date d = {.k = 1, .value = coef, .hedge = coef + basis};
    hs_error err;
    cr_assert_eq(hs_hmc_fit_date(&d, basis, order, n, x, NULL, g, y, NULL, &err), HS_OK);
    /* The same design on the fit's own breakpoints, solved by GSL's SVD of X. */
    gsl_matrix *X = gsl_matrix_alloc(n, p), *cov = gsl_matrix_alloc(p, p);
    gsl_vector *yv = gsl_vector_alloc(n), *c = gsl_vector_alloc(p);
    for (size_t i = 0; i < n; i++) {
        double b[16];
        hs_hmc_bspline(x[i], d.brk, basis, order, b);
        for (size_t j = 0; j < basis; j++) {
            gsl_matrix_set(X, i, j, b[j]);
            gsl_matrix_set(X, i, basis + j, b[j] * g[i]);
        }
        gsl_vector_set(yv, i, y[i]);
    }
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, p);
    double chisq;
    cr_assert_eq(gsl_multifit_linear(X, yv, c, cov, &chisq, w), 0);
    for (size_t j = 0; j < p; j++)
        cr_assert(fabs(coef[j] - gsl_vector_get(c, j)) < 1e-8 * (1 + fabs(coef[j])),
                  "coefficient %zu: %.12g vs gsl %.12g", j, coef[j], gsl_vector_get(c, j));
    gsl_multifit_linear_free(w);
    gsl_matrix_free(X), gsl_matrix_free(cov), gsl_vector_free(yv), gsl_vector_free(c);
}

static const char *gbm_text =
    "[simulation]\npaths = 20000\nseed = 5\nsteps = 21\n"
    "[market]\nspot = 100\nrate = 0.05\n"
    "[model]\ntype = gbm\nsigma = 0.2\nmu = 0.05\n"
    "[option]\ntype = call\nstrike = 100\nmaturity = 0.08333333333333333\n"
    "quantity = -1\nvol = 0.2\n"
    "[strategy.bs]\nhedges = 21\n"
    "[strategy.mv]\nratio = min_variance\nhedges = 21\ntrain_paths = 100000\n";

Test(hmc, gbm_matches_black_scholes)
{
    hs_scenario *sc = load(gbm_text);
    hs_model m;
    hs_error err;
    cr_assert_eq(hs_model_init(&m, sc->model, &sc->model_args, &sc->market, &sc->grid, &err),
                 HS_OK);
    hs_hmc_spec sp = {16, 4, 100000, 0, sc->seed, 1, 0};
    hs_hmc *h = NULL;
    cr_assert_eq(hs_hmc_train(&m, sc->legs, sc->n_legs, &sp, &h, &err), HS_OK, "%s", err.msg);
    double tau = sc->legs[0].maturity;
    double bs_delta = hs_bs_delta(HS_BS_CALL, 100, 100, tau, 0.05, 0.0, 0.2);
    double bs_value = hs_bs_price(HS_BS_CALL, 100, 100, tau, 0.05, 0.0, 0.2);
    double hedge0 = -h->dates[0].hedge[0]; /* shares held against the short call */
    cr_assert(fabs(hedge0 - bs_delta) < 0.01, "t0 hedge %.5f vs BS delta %.5f", hedge0, bs_delta);
    cr_assert(fabs(h->price + bs_value) < 4 * h->stderr_, "HMC %.5f +- %.5f vs BS %.5f", h->price,
              h->stderr_, -bs_value);
    hs_hmc_free(h);
    hs_model_release(&m);

    hs_results *res = run(sc, 0);
    size_t n = res->paths;
    double z = paired_var_z(res->pnl + n, res->pnl, n);
    cr_assert(z < 2.0, "min_variance std not above BS delta's: paired z %+.2f", z);
    cr_assert(isfinite(res->means[1].hmc_price) && res->means[1].hmc_paths == 100000);
    cr_assert(isnan(res->means[0].hmc_price));
    hs_results_free(res);
    hs_scenario_free(sc);
}

Test(hmc, merton_beats_both_deltas)
{
    hs_scenario *sc = load("[simulation]\npaths = 20000\nseed = 11\nsteps = 21\n"
                           "[market]\nspot = 100\nrate = 0.05\n"
                           "[model]\ntype = merton\nsigma = 0.2\nlambda = 5\njump_mean = -0.05\n"
                           "jump_std = 0.1\n"
                           "[option]\ntype = call\nstrike = 100\nmaturity = 0.08333333333333333\n"
                           "quantity = -1\n"
                           "[strategy.bs]\nhedges = 21\n"
                           "[strategy.model]\nratio = model\nhedges = 21\n"
                           "[strategy.mv]\nratio = min_variance\nhedges = 21\n");
    hs_results *res = run(sc, 0);
    size_t n = res->paths;
    double z_bs = paired_var_z(res->pnl + 2 * n, res->pnl, n);
    double z_model = paired_var_z(res->pnl + 2 * n, res->pnl + n, n);
    cr_assert(z_bs < -4, "min_variance vs BS delta: paired z %+.2f", z_bs);
    cr_assert(z_model < -4, "min_variance vs Merton delta: paired z %+.2f", z_model);
    hs_merton_jumps j = {5, -0.05, 0.1};
    hs_merton_value v;
    hs_error err;
    cr_assert_eq(
        hs_merton_eval(HS_BS_CALL, 100, 100, sc->legs[0].maturity, 0.05, 0.0, 0.2, &j, &v, &err),
        HS_OK);
    const hs_strategy_means *mv = &res->means[2];
    cr_assert(fabs(mv->hmc_price + v.value) < 4 * mv->hmc_stderr, "HMC %.5f +- %.5f vs Merton %.5f",
              mv->hmc_price, mv->hmc_stderr, -v.value);
    hs_results_free(res);
    hs_scenario_free(sc);
}

Test(hmc, same_bits_on_any_thread_count)
{
    hs_scenario *sc = load("[simulation]\npaths = 3000\nseed = 3\nsteps = 20\n"
                           "[market]\nspot = 100\nrate = 0.02\ndividend = 0.01\n"
                           "[model]\ntype = heston\n"
                           "[option]\ntype = put\nstrike = 95\nmaturity = 0.25\nquantity = -2\n"
                           "[strategy.mv]\nratio = min_variance\nevery = 2\nstate = 1\n"
                           "train_paths = 3000\nbasis = 8\n");
    hs_results *a = run(sc, 1), *b = run(sc, 2);
    cr_assert_eq(memcmp(a->pnl, b->pnl, a->paths * sizeof *a->pnl), 0);
    cr_assert(a->means[0].hmc_price == b->means[0].hmc_price);
    cr_assert(a->means[0].hmc_stderr == b->means[0].hmc_stderr);
    hs_results_free(a), hs_results_free(b);
    hs_scenario_free(sc);
}

Test(hmc, sparse_state_directions_do_not_explode)
{
    /* Two regimes (12% and 45% vol), the state in the basis, a band rule trading at any
     * step (60 dates) and a book with a digital put expiring early, on 5 000 training
     * paths: some spline x regime combinations are seen by few paths.  With the SVD cut
     * at 1e-12 one path lost 40 times the std (std 4.75, excess kurtosis 1504); at 1e-8
     * the std is 1.72, below the BS delta's 2.25 under the 7-step interval rule. */
    hs_scenario *sc = load("[simulation]\npaths = 2000\nseed = 3\nsteps = 60\n"
                           "[market]\nspot = 100\nrate = 0.03\ndividend = 0.01\n"
                           "[model]\ntype = regime\nvols = 0.12, 0.45\nrates = -2, 2, 12, -12\n"
                           "start = -1\n"
                           "[option]\ntype = call\nstrike = 100\nmaturity = 0.25\nquantity = -1\n"
                           "[option.early]\ntype = digital_put\nstrike = 95\nmaturity = 0.1\n"
                           "quantity = 3\n"
                           "[strategy.band]\nrebalance = band\nband = 0.05\n"
                           "ratio = min_variance\nstate = 1\ntrain_paths = 5000\n");
    hs_results *res = run(sc, 0);
    size_t n = res->paths;
    double m = 0, v = 0;
    for (size_t i = 0; i < n; i++)
        m += res->pnl[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        v += (res->pnl[i] - m) * (res->pnl[i] - m);
    double sd = sqrt(v / (double)(n - 1));
    cr_assert(sd < 2.0, "P&L std %.4f (a poorly determined fit explodes)", sd);
    hs_results_free(res);
    hs_scenario_free(sc);
}

static void refused(const char *text, const char *fragment)
{
    hs_error err;
    hs_scenario *sc = NULL;
    hs_status st = hs_scenario_load_string(text, "min_variance.ini", NULL, 0, &sc, &err);
    if (st == HS_OK) {
        hs_run_opts opts = {.threads = 1};
        hs_results *res = NULL;
        st = hs_run(sc, &opts, &res, &err);
        hs_results_free(res);
        hs_scenario_free(sc);
    }
    cr_assert_eq(st, HS_EINPUT, "expected a refusal naming '%s'", fragment);
    cr_assert(strstr(err.msg, fragment), "message: %s", err.msg);
}

Test(hmc, refusals)
{
    const char *head = "[simulation]\npaths = 500\nsteps = 10\n[model]\ntype = gbm\n"
                       "[option]\ntype = call\nstrike = 100\nmaturity = 0.1\n";
    char text[1024];
    snprintf(text, sizeof text, "%s[strategy.mv]\nratio = min_variance\nhedges = 10\nstate = 1\n",
             head);
    refused(text, "no observable state");
    snprintf(text, sizeof text, "%s[strategy.mv]\nratio = min_variance\nhedges = 10\nbasis = 3\n",
             head);
    refused(text, "min_variance.ini:");
    snprintf(text, sizeof text,
             "%s[strategy.mv]\nratio = min_variance\nhedges = 10\nbasis = 64\n"
             "train_paths = 100\n",
             head);
    refused(text, "training paths");
}
