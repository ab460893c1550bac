/*
 * Tests of src/pricing/bs.c: Black-Scholes-Merton prices and Greeks with a dividend yield
 * (Merton 1973; Hull, "Options, Futures and Other Derivatives", 10th ed., 17.4 and 19),
 * and of the instruments' payoffs (src/pricing/instrument.c).
 *
 * Provenance of the reference values: unless a test says otherwise they were computed
 * independently of this code with Python's decimal module at 60 significant digits
 * (erf by its Maclaurin series, exp, ln and sqrt from decimal), from the closed forms in
 * the header comment of src/pricing/bs.c, and cross-checked against scipy.stats.norm in double
 * precision (agreement to 1e-14).  They are quoted to 16 significant digits, so
 * tolerances of 1e-10 absolute test the code, not the reference.
 */
#include <criterion/criterion.h>

#include <float.h>
#include <math.h>
#include <string.h>

#include "hedgesim/bs.h"
#include "hedgesim/instrument.h"
#include "../../src/vmath.h"

/* Assert |got - want| <= tol and name the quantity in the failure message. */
static void expect_near(const char *what, double got, double want, double tol)
{
    cr_assert(fabs(got - want) <= tol, "%s: got %.17g, want %.17g (tol %g, off by %g)",
              what, got, want, tol, fabs(got - want));
}

/* Assert every field is finite. */
static void expect_finite(const char *what, hs_bs_greeks g)
{
    cr_assert(isfinite(g.value) && isfinite(g.delta) && isfinite(g.gamma) &&
                  isfinite(g.vega) && isfinite(g.theta),
              "%s: non-finite field: value %g delta %g gamma %g vega %g theta %g", what,
              g.value, g.delta, g.gamma, g.vega, g.theta);
}

/* --- Known answers ------------------------------------------------------------------ */

/* S = K = 100, T = 1, r = 5%, q = 0, sigma = 20%: the textbook at-the-money case.  The
 * first five values are the ones quoted in the module brief; all eight agree with the
 * decimal reference (call 10.45058357218557, put 5.573526022256968, ...). */
Test(bs_known, atm_no_dividend)
{
    hs_bs_greeks c = hs_bs_greeks_eval(HS_BS_CALL, 100, 100, 1, 0.05, 0, 0.20);
    hs_bs_greeks p = hs_bs_greeks_eval(HS_BS_PUT, 100, 100, 1, 0.05, 0, 0.20);
    expect_near("call", c.value, 10.45058357218557, 1e-10);
    expect_near("put", p.value, 5.573526022256968, 1e-10);
    expect_near("call delta", c.delta, 0.6368306511756191, 1e-10);
    expect_near("put delta", p.delta, -0.3631693488243809, 1e-10);
    expect_near("gamma", c.gamma, 0.01876201734584689, 1e-10);
    expect_near("put gamma", p.gamma, 0.01876201734584689, 1e-10);
    expect_near("vega", c.vega, 37.52403469169379, 1e-10);
    expect_near("put vega", p.vega, 37.52403469169379, 1e-10);
    expect_near("call theta", c.theta, -6.414027546438196, 1e-10);
    expect_near("put theta", p.theta, -1.657880423934626, 1e-10);
}

/* S = 100, K = 95, T = 0.5, r = 10%, q = 5%, sigma = 20%.  (The module brief guessed a
 * call of 9.4667 for these inputs; the decimal reference and scipy both give
 * 9.628983522021, which is what is tested.) */
Test(bs_known, dividend_yield)
{
    hs_bs_greeks c = hs_bs_greeks_eval(HS_BS_CALL, 100, 95, 0.5, 0.10, 0.05, 0.20);
    hs_bs_greeks p = hs_bs_greeks_eval(HS_BS_PUT, 100, 95, 0.5, 0.10, 0.05, 0.20);
    expect_near("call", c.value, 9.628983522021257, 1e-10);
    expect_near("put", p.value, 2.464787646755821, 1e-10);
    expect_near("call delta", c.delta, 0.7111283123922603, 1e-10);
    expect_near("put delta", p.delta, -0.2641815996360724, 1e-10);
    expect_near("gamma", c.gamma, 0.02283957429626999, 1e-10);
    expect_near("vega", c.vega, 22.83957429626999, 1e-10);
    expect_near("call theta", c.theta, -7.160658069013174, 1e-10);
    expect_near("put theta", p.theta, -3.000528096398054, 1e-10);
}

/* Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed. (2007), section 1.1.6,
 * generalized Black-Scholes example: S = 75, X = 70, T = 0.5, r = 10%, b = r - q = 5%,
 * sigma = 35% gives a put of 4.0870 (published to 4 decimals).  The decimal reference
 * gives 4.086953828635354 for the put and 10.64913751571032 for the call. */
Test(bs_known, haug_generalized_put)
{
    hs_bs_greeks p = hs_bs_greeks_eval(HS_BS_PUT, 75, 70, 0.5, 0.10, 0.05, 0.35);
    hs_bs_greeks c = hs_bs_greeks_eval(HS_BS_CALL, 75, 70, 0.5, 0.10, 0.05, 0.35);
    expect_near("put vs Haug", p.value, 4.0870, 0.5e-4);
    expect_near("put", p.value, 4.086953828635354, 1e-10);
    expect_near("call", c.value, 10.64913751571032, 1e-10);
    expect_near("put delta", p.delta, -0.2997079175615913, 1e-10);
    expect_near("gamma", p.gamma, 0.01846638382628984, 1e-10);
    expect_near("vega", p.vega, 18.17784657900406, 1e-10);
    expect_near("put theta", p.theta, -4.829646228931919, 1e-10);
}

/* The one-month at-the-money option of the Derman & Kamal scenario
 * (scenarios/derman_kamal.ini):
 * S = K = 100, T = 1/12, r = 5%, q = 0, sigma = 20%. */
Test(bs_known, one_month_atm)
{
    hs_bs_greeks c = hs_bs_greeks_eval(HS_BS_CALL, 100, 100, 1.0 / 12, 0.05, 0, 0.20);
    expect_near("call", c.value, 2.512067086039882, 1e-10);
    expect_near("delta", c.delta, 0.5402391766665812, 1e-10);
    expect_near("gamma", c.gamma, 0.06874703651978116, 1e-10);
    expect_near("vega", c.vega, 11.45783941996353, 1e-10);
    expect_near("theta", c.theta, -16.32499983298714, 1e-10);
}

/* Large volatility and long maturities, where sigma^2 tau is large and d1, d2 sit in
 * opposite tails. */
Test(bs_known, huge_sigma_and_long_tau)
{
    hs_bs_greeks c = hs_bs_greeks_eval(HS_BS_CALL, 100, 100, 1, 0.05, 0, 10);
    hs_bs_greeks p = hs_bs_greeks_eval(HS_BS_PUT, 100, 100, 1, 0.05, 0, 10);
    expect_near("sigma 10 call", c.value, 99.99994408582790, 1e-10);
    expect_near("sigma 10 put", p.value, 95.12288653589930, 1e-10);
    expect_near("sigma 10 call delta", c.delta, 0.9999997206898448, 1e-12);
    expect_near("sigma 10 put delta", p.delta, -2.793101551558241e-7, 1e-15);
    expect_near("sigma 10 gamma", c.gamma, 1.449994154086106e-9, 1e-18);
    expect_near("sigma 10 vega", c.vega, 1.449994154086106e-4, 1e-13);
    expect_near("sigma 10 call theta", c.theta, -7.263962348724359e-4, 1e-12);
    expect_near("sigma 10 put theta", p.theta, 4.755420726268698, 1e-10);

    c = hs_bs_greeks_eval(HS_BS_CALL, 100, 100, 100, 0.05, 0.02, 0.2);
    p = hs_bs_greeks_eval(HS_BS_PUT, 100, 100, 100, 0.05, 0.02, 0.2);
    expect_near("tau 100 call", c.value, 12.98358590050227, 1e-10);
    expect_near("tau 100 put", p.value, 0.1238522767495493, 1e-10);
    expect_near("tau 100 call delta", c.delta, 0.1344948964209442, 1e-12);
    expect_near("tau 100 gamma", c.gamma, 1.186098755976778e-5, 1e-15);
    expect_near("tau 100 vega", c.vega, 2.372197511953556, 1e-10);
    expect_near("tau 100 call theta", c.theta, 0.2433224082503274, 1e-10);
    expect_near("tau 100 put theta", p.theta, 0.006341576772529369, 1e-12);

    /* sigma = 3 over 30 years: d1 = 8.47, d2 = -7.96, both normal tails matter. */
    c = hs_bs_greeks_eval(HS_BS_CALL, 100, 100, 30, 0.05, 0, 3);
    p = hs_bs_greeks_eval(HS_BS_PUT, 100, 100, 30, 0.05, 0, 3);
    expect_finite("tau 30 sigma 3 call", c);
    expect_finite("tau 30 sigma 3 put", p);
    expect_near("tau 30 sigma 3 call", c.value, 100.0, 1e-10);
    expect_near("tau 30 sigma 3 put", p.value, 22.31301601484297, 1e-10);
    expect_near("tau 30 sigma 3 put delta", p.delta, -4.902413462387601e-17, 1e-25);
    expect_near("tau 30 sigma 3 put theta", p.theta, 1.115650800742138, 1e-10);
    cr_assert(c.value <= 100.0, "call above the spot: %.17g", c.value);
}

/* --- The cheap single-value forms ------------------------------------------------- */

/* hs_bs_price and hs_bs_delta must agree with the full evaluation to the last bit over a
 * grid that crosses every branch (zero variance, tiny, ordinary and huge sigma). */
Test(bs_forms, price_and_delta_match_greeks)
{
    const double spots[] = {1e-4, 50, 99, 100, 101, 150, 1e6};
    const double taus[] = {0, 1e-12, 0.25, 1, 30};
    const double sigmas[] = {0, 1e-12, 0.2, 1, 10};
    const double divs[] = {0, 0.03};
    for (int kind = 0; kind < 2; kind++)
        for (size_t a = 0; a < sizeof spots / sizeof *spots; a++)
            for (size_t b = 0; b < sizeof taus / sizeof *taus; b++)
                for (size_t c = 0; c < sizeof sigmas / sizeof *sigmas; c++)
                    for (size_t d = 0; d < 2; d++) {
                        double s = spots[a], t = taus[b], v = sigmas[c], q = divs[d];
                        hs_bs_greeks g = hs_bs_greeks_eval(kind, s, 100, t, 0.05, q, v);
                        double price = hs_bs_price(kind, s, 100, t, 0.05, q, v);
                        double delta = hs_bs_delta(kind, s, 100, t, 0.05, q, v);
                        cr_assert(
                            price == g.value && delta == g.delta,
                            "kind %d S %g tau %g sigma %g q %g: price %.17g vs %.17g, "
                            "delta %.17g vs %.17g",
                            kind, s, t, v, q, price, g.value, delta, g.delta);
                    }
}

/* --- Identities --------------------------------------------------------------------- */

/* Put-call parity with dividends, c - p = S e^{-q tau} - K e^{-r tau} (Hull 17.4), and
 * its derivatives: equal gamma and vega, delta_c - delta_p = e^{-q tau}, theta_c -
 * theta_p = q S e^{-q tau} - r K e^{-r tau}.  Spots stay near the strike so that
 * 1e-12 absolute is a few ulps of the prices involved. */
Test(bs_identity, put_call_parity)
{
    const double spots[] = {60, 90, 100, 110, 160};
    const double taus[] = {1e-6, 0.1, 1, 5};
    const double sigmas[] = {0.05, 0.2, 0.6};
    const double divs[] = {0, 0.03, 0.08};
    for (size_t a = 0; a < 5; a++)
        for (size_t b = 0; b < 4; b++)
            for (size_t c = 0; c < 3; c++)
                for (size_t d = 0; d < 3; d++) {
                    double s = spots[a], t = taus[b], v = sigmas[c], q = divs[d], r = 0.05;
                    hs_bs_greeks call = hs_bs_greeks_eval(HS_BS_CALL, s, 100, t, r, q, v);
                    hs_bs_greeks put = hs_bs_greeks_eval(HS_BS_PUT, s, 100, t, r, q, v);
                    double dq = exp(-q * t), dr = exp(-r * t);
                    double fwd = s * dq - 100 * dr;
                    cr_assert(fabs(call.value - put.value - fwd) <= 1e-12,
                              "parity S %g tau %g sigma %g q %g: c - p = %.17g, fwd %.17g",
                              s, t, v, q, call.value - put.value, fwd);
                    cr_assert(fabs(put.delta - (call.delta - dq)) <= 1e-15,
                              "put delta S %g tau %g sigma %g q %g: %.17g vs %.17g", s, t,
                              v, q, put.delta, call.delta - dq);
                    cr_assert(call.gamma == put.gamma && call.vega == put.vega,
                              "gamma/vega differ between call and put");
                    /* Theta's volatility term, S phi(d1) sigma / (2 sqrt(tau)), reaches
                     * 1e4 at tau = 1e-6, so its rounding is allowed for as well. */
                    double theta_tol = 1e-12 + 4 * DBL_EPSILON * fabs(call.theta);
                    cr_assert(fabs(call.theta - put.theta - (q * s * dq - r * 100 * dr)) <=
                                  theta_tol,
                              "theta parity S %g tau %g sigma %g q %g", s, t, v, q);
                }
}

/* Central finite differences of the price against the analytic Greeks.  The steps
 * balance truncation (h^2 / 6 times a third derivative) against rounding (a few ulps of
 * V over h, or over h^2 for gamma).  Deep in the money the third derivative in sigma is
 * large next to vega itself (case 5: a step of 1e-4 in sigma errs by 8e-6 relative,
 * confirmed with the 60-digit decimal reference), hence the small steps.  The worst
 * relative error left is 2.4e-7 (gamma, one-month case), so 1e-6 relative, with an
 * absolute floor of 1e-9 for Greeks that are nearly zero, is a real test. */
Test(bs_identity, finite_differences)
{
    struct {
        double spot, strike, tau, rate, div, sigma;
    } cases[] = {
        {100, 100, 1, 0.05, 0, 0.2},     {100, 95, 0.5, 0.10, 0.05, 0.2},
        {75, 70, 0.5, 0.10, 0.05, 0.35}, {100, 100, 1.0 / 12, 0.05, 0, 0.2},
        {80, 100, 2, 0.03, 0.01, 0.3},   {130, 100, 0.25, 0.0, 0.02, 0.15},
        {100, 120, 5, 0.05, 0.04, 0.6},  {100, 100, 1, -0.01, 0.0, 0.25},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        for (int kind = 0; kind < 2; kind++) {
            double s = cases[i].spot, k = cases[i].strike, t = cases[i].tau;
            double r = cases[i].rate, q = cases[i].div, v = cases[i].sigma;
            hs_bs_greeks g = hs_bs_greeks_eval(kind, s, k, t, r, q, v);
            double hs = 1e-5 * s, ht = 1e-5 * t, hv = 1e-5;
            double up = hs_bs_price(kind, s + hs, k, t, r, q, v);
            double dn = hs_bs_price(kind, s - hs, k, t, r, q, v);
            double fd_delta = (up - dn) / (2 * hs);
            /* The same step for the second difference: its rounding error, a few ulps of
             * V over h^2, is still only ~1e-10 here, while a step of 1e-3 S already
             * lets the truncation error h^2 V'''' / 12 reach 1e-6 relative. */
            double hg = 1e-4 * s;
            double fd_gamma = (hs_bs_price(kind, s + hg, k, t, r, q, v) - 2 * g.value +
                               hs_bs_price(kind, s - hg, k, t, r, q, v)) /
                              (hg * hg);
            double fd_vega = (hs_bs_price(kind, s, k, t, r, q, v + hv) -
                              hs_bs_price(kind, s, k, t, r, q, v - hv)) /
                             (2 * hv);
            /* theta = dV/dt = -dV/dtau. */
            double fd_theta = -(hs_bs_price(kind, s, k, t + ht, r, q, v) -
                                hs_bs_price(kind, s, k, t - ht, r, q, v)) /
                              (2 * ht);
            double want[4] = {g.delta, g.gamma, g.vega, g.theta};
            double got[4] = {fd_delta, fd_gamma, fd_vega, fd_theta};
            const char *names[4] = {"delta", "gamma", "vega", "theta"};
            for (int j = 0; j < 4; j++) {
                double tol = 1e-6 * fmax(fabs(want[j]), 1e-3);
                cr_assert(fabs(got[j] - want[j]) <= tol,
                          "case %zu kind %d %s: analytic %.12g, finite difference %.12g", i,
                          kind, names[j], want[j], got[j]);
            }
        }
}

/* --- Limits --------------------------------------------------------------------------- */

/* tau = 0: exact intrinsic value, delta 1 / 0 (and 1/2 exactly at the money, the average
 * of the one-sided limits, our documented convention), gamma and vega 0, and theta the
 * derivative of the forward intrinsic value on the exercised side. */
Test(bs_limit, tau_zero)
{
    const double r = 0.05, q = 0.02;
    hs_bs_greeks c, p;

    c = hs_bs_greeks_eval(HS_BS_CALL, 110, 100, 0, r, q, 0.2);
    p = hs_bs_greeks_eval(HS_BS_PUT, 110, 100, 0, r, q, 0.2);
    expect_finite("itm call", c);
    expect_finite("otm put", p);
    cr_assert(c.value == 10.0 && c.delta == 1.0 && c.gamma == 0.0 && c.vega == 0.0);
    cr_assert(p.value == 0.0 && p.delta == 0.0 && p.gamma == 0.0 && p.vega == 0.0);
    expect_near("itm call theta", c.theta, q * 110 - r * 100, 1e-15);
    cr_assert(p.theta == 0.0);

    c = hs_bs_greeks_eval(HS_BS_CALL, 90, 100, 0, r, q, 0.2);
    p = hs_bs_greeks_eval(HS_BS_PUT, 90, 100, 0, r, q, 0.2);
    cr_assert(c.value == 0.0 && c.delta == 0.0 && c.gamma == 0.0 && c.vega == 0.0);
    cr_assert(c.theta == 0.0);
    cr_assert(p.value == 10.0 && p.delta == -1.0 && p.gamma == 0.0 && p.vega == 0.0);
    expect_near("itm put theta", p.theta, r * 100 - q * 90, 1e-15);

    c = hs_bs_greeks_eval(HS_BS_CALL, 100, 100, 0, r, q, 0.2);
    p = hs_bs_greeks_eval(HS_BS_PUT, 100, 100, 0, r, q, 0.2);
    expect_finite("atm call", c);
    expect_finite("atm put", p);
    cr_assert(c.value == 0.0 && c.delta == 0.5 && c.gamma == 0.0 && c.vega == 0.0);
    cr_assert(p.value == 0.0 && p.delta == -0.5 && p.gamma == 0.0 && p.vega == 0.0);

    cr_assert(hs_bs_price(HS_BS_CALL, 110, 100, 0, r, q, 0.2) == 10.0);
    cr_assert(hs_bs_price(HS_BS_PUT, 90, 100, 0, r, q, 0.2) == 10.0);
    cr_assert(hs_bs_delta(HS_BS_CALL, 100, 100, 0, r, q, 0.2) == 0.5);
    cr_assert(hs_bs_delta(HS_BS_PUT, 100, 100, 0, r, q, 0.2) == -0.5);
}

/* tau = 1e-12 with sigma = 20%: sigma sqrt(tau) = 2e-7.  Away from the money every field
 * is within rounding of the tau = 0 values.  At the money the time value is
 * S phi(0) sigma sqrt(tau) ~ 8e-6, delta is 1/2 + O(1e-7), vega S phi(0) sqrt(tau) ~
 * 4e-5, while gamma = phi(0) / (S sigma sqrt(tau)) ~ 2e4 is large but finite: the
 * approach to the Dirac mass. */
Test(bs_limit, tau_tiny)
{
    const double t = 1e-12, r = 0.05, q = 0.02;
    for (int kind = 0; kind < 2; kind++) {
        double sign = kind == HS_BS_CALL ? 1 : -1;
        hs_bs_greeks itm = hs_bs_greeks_eval(kind, 100 + sign * 10, 100, t, r, q, 0.2);
        hs_bs_greeks otm = hs_bs_greeks_eval(kind, 100 - sign * 10, 100, t, r, q, 0.2);
        hs_bs_greeks atm = hs_bs_greeks_eval(kind, 100, 100, t, r, q, 0.2);
        expect_finite("itm", itm);
        expect_finite("otm", otm);
        expect_finite("atm", atm);
        expect_near("itm value", itm.value, 10, 1e-9);
        expect_near("itm delta", itm.delta, sign, 1e-11);
        expect_near("itm gamma", itm.gamma, 0, 1e-300);
        expect_near("itm vega", itm.vega, 0, 1e-300);
        expect_near("otm value", otm.value, 0, 1e-300);
        expect_near("otm delta", otm.delta, 0, 1e-300);
        expect_near("atm value", atm.value, 0, 1e-5);
        expect_near("atm delta", atm.delta, sign * 0.5, 1e-6);
        expect_near("atm vega", atm.vega, 0, 1e-4);
        expect_near("atm gamma", atm.gamma, 0.3989422804014327 / (100 * 2e-7), 1.0);
    }
}

/* sigma = 0 with tau = 1: the discounted forward intrinsic value
 * max(S e^{-q tau} - K e^{-r tau}, 0), delta e^{-q tau} 1{F > K}.  S = 99 < K = 100
 * but F = 99 e^{0.03} = 102.0 > K, so the call is in the money in forward terms even
 * though it is out of the money in spot terms: this separates F from S. */
Test(bs_limit, sigma_zero)
{
    const double t = 1, r = 0.05, q = 0.02, dq = exp(-q * t), dr = exp(-r * t);
    hs_bs_greeks c = hs_bs_greeks_eval(HS_BS_CALL, 99, 100, t, r, q, 0);
    hs_bs_greeks p = hs_bs_greeks_eval(HS_BS_PUT, 99, 100, t, r, q, 0);
    expect_finite("call", c);
    expect_finite("put", p);
    expect_near("call value", c.value, 99 * dq - 100 * dr, 1e-13);
    cr_assert(c.delta == dq && c.gamma == 0.0 && c.vega == 0.0);
    expect_near("call theta", c.theta, q * 99 * dq - r * 100 * dr, 1e-13);
    cr_assert(p.value == 0.0 && p.delta == 0.0 && p.gamma == 0.0 && p.vega == 0.0 &&
              p.theta == 0.0);

    /* F = 90 e^{0.03} = 92.7 < K: the put is exercised. */
    c = hs_bs_greeks_eval(HS_BS_CALL, 90, 100, t, r, q, 0);
    p = hs_bs_greeks_eval(HS_BS_PUT, 90, 100, t, r, q, 0);
    cr_assert(c.value == 0.0 && c.delta == 0.0 && c.gamma == 0.0 && c.vega == 0.0);
    expect_near("put value", p.value, 100 * dr - 90 * dq, 1e-13);
    cr_assert(p.delta == -dq && p.gamma == 0.0 && p.vega == 0.0);
    expect_near("put theta", p.theta, r * 100 * dr - q * 90 * dq, 1e-13);

    /* F == K exactly (r == q, S == K): zero price, delta e^{-q tau} / 2, and the
     * one-sided vega S e^{-q tau} sqrt(tau) phi(0), since V ~ S e^{-q tau} phi(0)
     * sigma sqrt(tau) for small sigma. */
    c = hs_bs_greeks_eval(HS_BS_CALL, 100, 100, 4, 0.03, 0.03, 0);
    p = hs_bs_greeks_eval(HS_BS_PUT, 100, 100, 4, 0.03, 0.03, 0);
    double dq4 = exp(-0.12);
    cr_assert(c.value == 0.0 && p.value == 0.0);
    cr_assert(c.delta == 0.5 * dq4 && p.delta == -0.5 * dq4);
    expect_near("atm-forward vega", c.vega, 100 * dq4 * 2 * 0.3989422804014327, 1e-12);
    cr_assert(c.vega == p.vega && c.gamma == 0.0 && p.gamma == 0.0);
}

/* sigma = 1e-12 is continuous with sigma = 0, including the at-the-money-forward
 * vega. */
Test(bs_limit, sigma_tiny)
{
    const double t = 1, r = 0.05, q = 0.02;
    const double spots[] = {90, 99, 110};
    for (int kind = 0; kind < 2; kind++)
        for (int i = 0; i < 3; i++) {
            hs_bs_greeks z = hs_bs_greeks_eval(kind, spots[i], 100, t, r, q, 0);
            hs_bs_greeks e = hs_bs_greeks_eval(kind, spots[i], 100, t, r, q, 1e-12);
            expect_finite("sigma 1e-12", e);
            expect_near("value", e.value, z.value, 1e-12);
            expect_near("delta", e.delta, z.delta, 1e-15);
            expect_near("gamma", e.gamma, 0, 1e-300);
            expect_near("vega", e.vega, 0, 1e-300);
            expect_near("theta", e.theta, z.theta, 1e-12);
        }
    hs_bs_greeks z = hs_bs_greeks_eval(HS_BS_CALL, 100, 100, 4, 0.03, 0.03, 0);
    hs_bs_greeks e = hs_bs_greeks_eval(HS_BS_CALL, 100, 100, 4, 0.03, 0.03, 1e-12);
    expect_finite("atm forward sigma 1e-12", e);
    expect_near("atm forward value", e.value, 0, 1e-10);
    expect_near("atm forward delta", e.delta, z.delta, 1e-12);
    expect_near("atm forward vega", e.vega, z.vega, 1e-10);
}

/* Deep in and out of the money, S / K = 1e-6 and 1e6, over maturities and volatilities
 * that include the zero-variance, tiny, huge and long cases.  Only bounds can be asserted
 * uniformly: no-arbitrage bounds on the price, 0 <= delta <= e^{-q tau} for a call
 * (-e^{-q tau} <= delta <= 0 for a put), non-negative gamma and vega, everything
 * finite. */
Test(bs_limit, deep_moneyness)
{
    const double strikes[] = {1e8, 1e2, 1e-4}; /* with spot 100: S/K = 1e-6, 1, 1e6 */
    const double taus[] = {0, 1e-12, 1.0 / 12, 1, 50};
    const double sigmas[] = {0, 1e-12, 0.2, 10};
    const double divs[] = {0, 0.04};
    const double s = 100, r = 0.05;
    for (int kind = 0; kind < 2; kind++)
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 5; b++)
                for (int c = 0; c < 4; c++)
                    for (int d = 0; d < 2; d++) {
                        double k = strikes[a], t = taus[b], v = sigmas[c], q = divs[d];
                        hs_bs_greeks g = hs_bs_greeks_eval(kind, s, k, t, r, q, v);
                        double dq = exp(-q * t), dr = exp(-r * t);
                        expect_finite("deep", g);
                        cr_assert(g.gamma >= 0 && g.vega >= 0,
                                  "kind %d K %g tau %g sigma %g: gamma %g vega %g", kind, k,
                                  t, v, g.gamma, g.vega);
                        /* Rounding slack: a few ulps of the larger of S and K. */
                        double slack = 8 * DBL_EPSILON * fmax(s, k);
                        if (kind == HS_BS_CALL) {
                            cr_assert(g.value >= fmax(s * dq - k * dr, 0) - slack &&
                                          g.value <= s * dq + slack && g.value <= s,
                                      "call K %g tau %g sigma %g q %g: %.17g", k, t, v, q,
                                      g.value);
                            cr_assert(g.delta >= 0 && g.delta <= dq,
                                      "call delta K %g tau %g sigma %g: %.17g", k, t, v,
                                      g.delta);
                        } else {
                            cr_assert(g.value >= fmax(k * dr - s * dq, 0) - slack &&
                                          g.value <= k * dr + slack,
                                      "put K %g tau %g sigma %g q %g: %.17g", k, t, v, q,
                                      g.value);
                            cr_assert(g.delta <= 0 && g.delta >= -dq,
                                      "put delta K %g tau %g sigma %g: %.17g", k, t, v,
                                      g.delta);
                        }
                    }
}

/* At S/K = 1e6 a call is the forward, and at S/K = 1e-6 it is worthless, to rounding. */
Test(bs_limit, deep_moneyness_values)
{
    const double r = 0.05, q = 0.02, t = 1, dq = exp(-q), dr = exp(-r);
    hs_bs_greeks c = hs_bs_greeks_eval(HS_BS_CALL, 1e6, 1, t, r, q, 0.2);
    expect_near("deep itm call", c.value, 1e6 * dq - dr, 1e-9);
    expect_near("deep itm call delta", c.delta, dq, 1e-15);
    cr_assert(c.gamma == 0.0 && c.vega == 0.0);
    expect_near("deep itm call theta", c.theta, q * 1e6 * dq - r * dr, 1e-9);
    hs_bs_greeks p = hs_bs_greeks_eval(HS_BS_PUT, 1e6, 1, t, r, q, 0.2);
    cr_assert(p.value == 0.0 && p.delta == 0.0 && p.theta == 0.0);
    c = hs_bs_greeks_eval(HS_BS_CALL, 1, 1e6, t, r, q, 0.2);
    cr_assert(c.value == 0.0 && c.delta == 0.0 && c.theta == 0.0);
    p = hs_bs_greeks_eval(HS_BS_PUT, 1, 1e6, t, r, q, 0.2);
    expect_near("deep itm put", p.value, 1e6 * dr - dq, 1e-9);
    expect_near("deep itm put delta", p.delta, -dq, 1e-15);
}

/* --- Domain --------------------------------------------------------------------------- */

/* Out-of-domain input gives NaN in every field, never a plausible number. */
Test(bs_domain, nan_outside_domain)
{
    const double bad[][6] = {
        {0, 100, 1, 0.05, 0, 0.2},          {-1, 100, 1, 0.05, 0, 0.2},
        {100, 0, 1, 0.05, 0, 0.2},          {100, 100, -1e-9, 0.05, 0, 0.2},
        {100, 100, 1, 0.05, 0, -0.1},       {NAN, 100, 1, 0.05, 0, 0.2},
        {100, 100, 1, NAN, 0, 0.2},         {100, 100, 1, 0.05, NAN, 0.2},
        {100, 100, 1, 0.05, 0, NAN},        {INFINITY, 100, 1, 0.05, 0, 0.2},
        {100, 100, INFINITY, 0.05, 0, 0.2}, {100, 100, 1, 0.05, 0, INFINITY},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        for (int kind = 0; kind < 2; kind++) {
            const double *a = bad[i];
            hs_bs_greeks g = hs_bs_greeks_eval(kind, a[0], a[1], a[2], a[3], a[4], a[5]);
            cr_assert(isnan(g.value) && isnan(g.delta) && isnan(g.gamma) && isnan(g.vega) &&
                          isnan(g.theta),
                      "case %zu kind %d not all NaN", i, kind);
            cr_assert(isnan(hs_bs_price(kind, a[0], a[1], a[2], a[3], a[4], a[5])));
            cr_assert(isnan(hs_bs_delta(kind, a[0], a[1], a[2], a[3], a[4], a[5])));
        }
}

/* --- Normal distribution ---------------------------------------------------------- */

/* Values from the decimal reference (erf series at 120 digits); N(-37) from
 * scipy.special.ndtr.  Tail values are checked relative to themselves. */
Test(bs_normal, cdf_and_pdf)
{
    expect_near("N(0)", hs_norm_cdf(0), 0.5, 0);
    expect_near("N(1.96)", hs_norm_cdf(1.96), 0.97500210485177957, 2.3e-16);
    expect_near("N(-1.96)", hs_norm_cdf(-1.96), 0.024997895148220434, 1e-17);
    expect_near("N(3)", hs_norm_cdf(3), 0.99865010196836991, 2.3e-16);
    double n5 = 2.8665157187919391e-7, n10 = 7.6198530241605261e-24;
    double n37 = 5.7255712225239266e-300;
    expect_near("N(-5) rel", hs_norm_cdf(-5) / n5, 1, 1e-14);
    expect_near("N(-10) rel", hs_norm_cdf(-10) / n10, 1, 1e-14);
    expect_near("N(-37) rel", hs_norm_cdf(-37) / n37, 1, 1e-12);
    cr_assert(hs_norm_cdf(-INFINITY) == 0.0 && hs_norm_cdf(INFINITY) == 1.0);
    cr_assert(hs_norm_cdf(-1e300) == 0.0 && hs_norm_cdf(1e300) == 1.0);
    for (double x = -8; x <= 8; x += 0.37)
        expect_near("N(x) + N(-x)", hs_norm_cdf(x) + hs_norm_cdf(-x), 1, 2e-16);

    expect_near("phi(0)", hs_norm_pdf(0), 0.39894228040143268, 1e-17);
    expect_near("phi(1.96)", hs_norm_pdf(1.96), 0.058440944333451460, 1e-17);
    expect_near("phi(-1.96)", hs_norm_pdf(-1.96), 0.058440944333451460, 1e-17);
    expect_near("phi(-10) rel", hs_norm_pdf(-10) / 7.6945986267064193e-23, 1, 1e-14);
    cr_assert(hs_norm_pdf(INFINITY) == 0.0 && hs_norm_pdf(-INFINITY) == 0.0);
    cr_assert(hs_norm_pdf(40) == 0.0);
}

/* The instruments' payoffs (src/pricing/instrument.c), scalar and in blocks: known
 * values by hand (max(S - K, 0), max(K - S, 0), 1{S > K}, 1{S < K}), at the strike, one
 * ulp either side of it (where S - K is the smallest difference), at 0 and infinity, and
 * for NaN (no payoff); the block form equals quantity * payoff * growth bit for bit. */
Test(instrument, payoffs_by_hand_scalar_and_in_blocks)
{
    const double k = 100.0, up = nextafter(k, INFINITY), down = nextafter(k, 0.0);
    const double s[] = {80.0, 100.0, 120.5, up, down, 0.0, INFINITY, NAN, 1e-300, 57.75};
    enum { N = sizeof s / sizeof s[0] };
    const double want[4][N] = {
        {0.0, 0.0, 20.5, up - k, 0.0, 0.0, INFINITY, 0.0, 0.0, 0.0},     /* call */
        {20.0, 0.0, 0.0, 0.0, k - down, 100.0, 0.0, 0.0, 100.0, 42.25}, /* put */
        {0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0},             /* digital call */
        {1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0},             /* digital put */
    };
    const hs_instrument_type *t[4] = {&hs_instrument_call, &hs_instrument_put,
                                      &hs_instrument_digital_call, &hs_instrument_digital_put};
    cr_assert(up - k > 0.0 && k - down > 0.0, "one ulp from the strike is a positive difference");
    for (int j = 0; j < 4; j++) {
        double out[N];
        t[j]->payoff_lanes(s, k, -0.1, 1.0512710963760241, out, N);
        for (int i = 0; i < N; i++) {
            double p = t[j]->payoff(s[i], k);
            cr_expect(p == want[j][i] && !signbit(p), "%s payoff at %g: %g, expected %g",
                      t[j]->name, s[i], p, want[j][i]);
            /* Inexact factors: the order of the products shows (20.5 and 42.25). */
            double q = -0.1 * p * 1.0512710963760241;
            cr_expect(memcmp(&out[i], &q, sizeof q) == 0, "%s block payoff at %g: %g, not %g",
                      t[j]->name, s[i], out[i], q);
        }
    }
}

/* The block delta of calls and puts (instrument.c's delta_kernel) lane by lane against
 * its formula acc + scale (Phi(d1) - minus) with the full Phi, bit for bit.  The kernel
 * takes Phi's body fit for a whole block when every |d1| < 3; the blocks below put one
 * lane exactly at d1 = -3 or at 5, where the body fit differs from Phi in the last
 * bits (test_vmath), so a block sent to the body fit by a wrong bound fails here; and
 * infinities and NaN, which the bound must route or tolerate. */
Test(instrument, block_delta_equals_phi_lane_by_lane)
{
    enum { N = 16 };
    const double b3 = nextafter(3.0, 0.0);
    const double inner[N] = {0.0, -0.0, 1.25,   -1.25, b3,     -b3,  2.5,   -2.5,
                             1e-9, -2.75, 0.5, -0.5,  2.9999, 0.125, -2.0, 1.75};
    const double odd[] = {-3.0, 5.0, INFINITY, -INFINITY, NAN, -5.0};
    /* scale = weight disc_q = -1 and a zero accumulator on the even lanes, where the odd
     * values go, so that a last-bit difference of Phi shows in the sum. */
    hs_delta_args a = {.inv_sd = 1.0, .shift = 0.0, .disc_q = 0.5, .weight = -2.0};
    const hs_instrument_type *t[2] = {&hs_instrument_call, &hs_instrument_put};
    for (size_t o = 0; o <= sizeof odd / sizeof odd[0]; o++) {
        double d1[N];
        memcpy(d1, inner, sizeof d1);
        if (o > 0)
            d1[(o * 4) % N] = odd[o - 1]; /* none for o = 0: the whole block in the body */
        for (int j = 0; j < 2; j++) {
            double acc[N], want[N];
            for (int i = 0; i < N; i++)
                acc[i] = want[i] = i % 2 ? 0.1 * i : 0.0;
            t[j]->delta_lanes(&a, d1, NULL, acc, N);
            for (int i = 0; i < N; i++) {
                want[i] = fma(-2.0 * 0.5, hs_vnorm_cdf(d1[i]) - (j ? 1.0 : 0.0), want[i]);
                cr_expect(memcmp(&acc[i], &want[i], sizeof acc[i]) == 0 ||
                              (isnan(acc[i]) && isnan(want[i])),
                          "%s block %zu, lane %d (d1 %.17g): %.17g, formula %.17g", t[j]->name,
                          o, i, d1[i], acc[i], want[i]);
            }
        }
    }
}
