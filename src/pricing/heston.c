/*
 * Heston (1993) semi-closed-form price and delta of European calls and puts (see
 * heston.h for the model, the references and Lewis's integrals).
 *
 * The characteristic function.  With z = u - i a on a contour Im z = -a (Lewis's is
 * a = 1/2; see below for the others), w = i z + z^2 = u^2 + a (1 - a) + i u (1 - 2a) and
 *
 *   beta = kappa - rho xi i z = (kappa - rho xi a) - i rho xi u,
 *   d    = sqrt(beta^2 + xi^2 w)                (principal root, Re d >= 0),
 *   g    = (beta - d) / (beta + d),
 *
 * Albrecher, Mayer, Schoutens and Tistaert (2007), formulation 2 ("the little Heston
 * trap", eqs. (2)-(3) with their u replaced by z), give ln phi(z) = C + D v0 with
 *
 *   D = (beta - d) / xi^2 * (1 - e^{-d tau}) / (1 - g e^{-d tau}),
 *   C = kappa theta / xi^2 * [(beta - d) tau - 2 ln((1 - g e^{-d tau}) / (1 - g))].
 *
 * Written so, (beta - d) / xi^2 is a difference of nearly equal numbers divided by a
 * small one when xi is small.  Since (beta - d)(beta + d) = beta^2 - d^2 = -xi^2 w,
 *
 *   (beta - d) / xi^2 = -w / (beta + d),      g / xi^2 = -w / (beta + d)^2,
 *
 * which have no cancellation and a finite limit at xi = 0 (for kappa > 0): the code
 * never divides by xi.  The logarithm is ln(1 + y) with y = g (1 - e^{-d tau}) / (1 - g),
 * evaluated as log1p on the modulus and atan2 on the argument (the principal branch, as
 * the trap paper requires), and divided by xi^2 as (g / xi^2)(...) * ln(1 + y) / y.
 * 1 - e^{-d tau} is a complex expm1.  At xi = 0 this reduces exactly to
 * ln phi = -(w / 2) vbar tau, Black-Scholes at the average variance vbar
 * (hs_heston_mean_variance); beta + d vanishes only when xi = kappa = 0 (or a is 0 or
 * 1, never used).
 *
 * The integrals.  For a contour a outside {0, 1} and k = ln(K / F) (Lewis 2001; R.W. Lee,
 * "Option pricing by transform methods: extensions, unification and error control",
 * J. Computational Finance 7(3), 2004):
 *
 *   call  = S e^{-q tau} [R(a) + 1/pi int_0^inf Re[e^{(1-a) k - iuk} phi(u - ia)
 *                                                 / ((a + iu)(a - 1 + iu))] du],
 *   delta = e^{-q tau} [R'(a) + 1/pi int_0^inf Re[e^{(1-a) k - iuk} phi(u - ia)
 *                                                  / (a - 1 + iu)] du],
 *
 * R = 0, R' = 0 for a > 1; R = 1, R' = 1 for 0 < a < 1; R = 1 - e^k, R' = 1 for a < 0
 * (the residues of the poles at a = 1 and a = 0).  At a = 1/2 this is the formula of
 * heston.h.
 *
 * Near the money, a = 1/2 with a Black-Scholes control variate: Black-Scholes at vbar,
 * phi_BS(z) = e^{-vbar tau w / 2}, satisfies the same formulas with the same R, so
 *
 *   call_H  = call_BS  - S e^{-q tau} / pi int Re[e^{k/2 - iuk} (phi - phi_BS)] / w du,
 *   delta_H = delta_BS + e^{-q tau} / pi int Re[e^{k/2 - iuk} (phi - phi_BS) / (iu - 1/2)] du
 *
 * with w = u^2 + 1/4
 *
 * (the control variate of QuantLib's AnalyticHestonEngine with its AndersenPiterbarg
 * formula).  The difference removes the 1 / (u^2 + 1/4) peak of width 1/2 that would
 * otherwise sit on a much wider integrand when vbar tau is small, is zero at xi = 0,
 * and decays on the scale of both characteristic functions, u ~ 1 / sqrt(vbar tau).
 * phi - phi_BS is e^{l_BS} expm1(l_H - l_BS) where the two logs are close, so it keeps
 * its relative accuracy near u = 0 where both are near 1.  The puts use the same
 * correction (put-call parity holds in both models, so put_H - put_BS = call_H - call_BS
 * and likewise for the deltas), and the Black-Scholes values come from bs.h.
 *
 * Far from the money (more than SHIFT_SDS = 8 standard deviations), a is moved past
 * the pole to Lord and Kahl's optimal contour (choose_contour), and the integral is the
 * out-of-the-money option itself, without a control variate; the other kind follows by
 * put-call parity.
 *
 * Either way the integration variable is s = u * scale with scale ~ 1 / (the width of
 * the integrand in u), so that the integrand has the same shape for any tau, and the
 * integral over s in [0, inf) is GSL's QAGIU (15-point Gauss-Kronrod on t in (0, 1],
 * s = (1 - t) / t, adaptive bisection; R. Piessens et al., QUADPACK, 1983), to an
 * absolute error of HS_HESTON_TOL sqrt(S e^{-q tau} K e^{-r tau}) on the value and
 * HS_HESTON_TOL on the delta, or a relative error of 1e-10.  Where GSL stops short
 * (roundoff or the subinterval limit) with an error estimate within ACCEPT_FACTOR of
 * the tolerance, the result is kept and the estimate reported; beyond that the call
 * fails with HS_ERUNTIME.  That happens only at the edges of the parameter space: a
 * variance at or near 0 with a vol of vol far above the Feller bound (the variance then
 * stays near 0 with high probability and the characteristic function has a long
 * plateau), or |rho| = 1 with a large xi.  On a grid of 21600 calls over v0 in [0, 0.25],
 * kappa in [0.5, 10], theta in [0.01, 0.25], xi in [0.1, 2], rho in [-0.9, 0.5],
 * tau in [1e-4, 5] and S / K in [0.5, 2], 8 failed, all with v0 <= 1e-4, kappa theta =
 * 0.005 and xi = 2; the mean cost was 1100 evaluations of phi for a value and its delta.
 *
 * Limits (never NaN for finite legal input):
 *   tau = 0, or vbar = 0 (v0 = 0 and kappa theta = 0: the variance stays at 0): the
 *     Black-Scholes limit of bs.h, discounted intrinsic value of the forward and delta
 *     e^{-q tau} 1{F > K} (1/2 at F = K);
 *   xi < HS_HESTON_XI_MIN = 1e-10: Black-Scholes at sqrt(vbar), exact at xi = 0.  The
 *     first-order effect of xi on a price is of order rho xi S tau vbar, so the jump at
 *     the switch is about 1e-10 S tau vbar, far below the quadrature tolerance.
 * The result is clamped to the no-arbitrage bounds (value between the discounted
 * intrinsic value of the forward and S e^{-q tau} for a call, K e^{-r tau} for a put;
 * |delta| <= e^{-q tau}), which only removes rounding.
 */
#include "hedgesim/heston.h"
#include "heston_cf.h"

#include <complex.h>
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

/* Subintervals QAGIU may use: far more than a smooth integrand needs (tens). */
#define QUAD_LIMIT 2000

/* Relative tolerance of a correction integral, on top of the absolute one of
 * HS_HESTON_TOL: it keeps far out-of-the-money values accurate relative to their size. */
#define EPSREL 1e-10

/* A quadrature that stops short of the tolerance (GSL's roundoff or subinterval limit,
 * met by the slowly decaying integrands of |rho| near 1) is still accepted when GSL's
 * error estimate is within this factor of the tolerance: 1e-8 of sqrt(F K) on a price. */
#define ACCEPT_FACTOR 1e3

/* Beyond this u the integrands are below 1e-150: return 0 rather than risk inf - inf. */
#define U_MAX 1e150

/* The contour is moved off Im z = -1/2 when the strike is more than this many standard
 * deviations sqrt(vbar tau) of ln S_T away from the forward (see choose_contour). */
#define SHIFT_SDS 8.0

/* Largest |a| considered for a moved contour. */
#define A_MAX 1e8

/* pi (M_PI is not in C11). */
#define PI 3.14159265358979323846

/* e^z - 1 without cancellation for small z:
 * Re = e^a cos b - 1 = expm1(a) cos b - 2 sin^2(b/2), Im = e^a sin b. */
double complex hs_heston_cexpm1(double complex z)
{
    double a = creal(z), b = cimag(z), ea = expm1(a), hb = sin(0.5 * b);
    return (ea * cos(b) - 2.0 * hb * hb) + I * ((ea + 1.0) * sin(b));
}

/* ln(1 + y) / y on the principal branch, accurate for small y: ln|1 + y| is
 * 0.5 log1p(2a + a^2 + b^2) and arg(1 + y) is atan2(b, 1 + a). */
static double complex clog1p_over(double complex y)
{
    double a = creal(y), b = cimag(y);
    if (a == 0.0 && b == 0.0)
        return 1.0;
    double complex l = 0.5 * log1p(a * (2.0 + a) + b * b) + I * atan2(b, 1.0 + a);
    return l / y;
}

/* i z + z^2 at z = u - i a, written out so that no large terms cancel. */
static double complex cf_w(double u, double a)
{
    return (u * u + a * (1.0 - a)) + I * (u * (1.0 - 2.0 * a));
}

/* ln phi(u - i a) = C + v0 D, phi the characteristic function of ln(S_T / F) (file
 * comment); C and D do not depend on v0. */
void hs_heston_log_cf_cd(const cf_ctx *c, double u, double a, double complex *Cout,
                         double complex *Dout)
{
    const double xi = c->xi;
    const double complex w = cf_w(u, a);
    const double complex beta = (c->kappa - c->rho * xi * a) - I * (c->rho * xi * u);
    const double complex d = csqrt(beta * beta + xi * xi * w);
    const double complex bpd = beta + d;
    const double complex bmd_xi2 = -w / bpd;    /* (beta - d) / xi^2 */
    const double complex g_xi2 = bmd_xi2 / bpd; /* g / xi^2 */
    const double complex g = xi * xi * g_xi2;
    const double complex one_minus_e = -hs_heston_cexpm1(-d * c->tau); /* 1 - e^{-d tau} */
    const double complex e = 1.0 - one_minus_e;
    *Dout = bmd_xi2 * one_minus_e / (1.0 - g * e);
    /* ln((1 - g e) / (1 - g)) / xi^2 = (g / xi^2)(1 - e) / (1 - g) * ln(1 + y) / y. */
    const double complex ratio = one_minus_e / (1.0 - g);
    const double complex log_xi2 = g_xi2 * ratio * clog1p_over(g * ratio);
    *Cout = c->kappa * c->theta * (bmd_xi2 * c->tau - 2.0 * log_xi2);
}

static double complex heston_log_cf(const cf_ctx *c, double u, double a)
{
    double complex C, D;
    hs_heston_log_cf_cd(c, u, a, &C, &D);
    return C + c->v0 * D;
}

/* e^{(1-a) k - i u k} (phi_H - phi_BS)(u - i a), the common factor of both integrands,
 * or without the phi_BS term when there is no control variate. */
double complex hs_heston_cf_difference(cf_ctx *c, double u)
{
    c->evals++;
    const double a = c->a;
    const double complex shift = (1.0 - a) * c->k - I * (u * c->k);
    if (!c->control)
        return cexp(shift + heston_log_cf(c, u, a));
    const double complex l_bs = shift - 0.5 * c->vbar_tau * cf_w(u, a);
    const double complex l_h = shift + heston_log_cf(c, u, a);
    const double complex dl = l_h - l_bs;
    /* Where the two logs are close, e^{l_bs} expm1(dl) keeps the relative accuracy of
     * the (small) difference. */
    if (cabs(dl) < 0.5)
        return cexp(l_bs) * hs_heston_cexpm1(dl);
    return cexp(l_h) - cexp(l_bs);
}

/* Price correction integrand over s = u * scale: Re[... / ((a + iu)(a - 1 + iu))] du/ds. */
static double price_integrand(double s, void *ctx)
{
    cf_ctx *c = ctx;
    const double u = s / c->scale, a = c->a;
    if (!(u < U_MAX))
        return 0.0;
    const double complex den = (a + I * u) * ((a - 1.0) + I * u);
    return creal(hs_heston_cf_difference(c, u) / den) / c->scale;
}

/* Delta correction integrand over s: Re[... / (a - 1 + iu)] du/ds. */
static double delta_integrand(double s, void *ctx)
{
    cf_ctx *c = ctx;
    const double u = s / c->scale, a = c->a;
    if (!(u < U_MAX))
        return 0.0;
    return creal(hs_heston_cf_difference(c, u) / ((a - 1.0) + I * u)) / c->scale;
}

/* ------------------------------------------------------------ the contour */

/* Time at which E[S_T^om] becomes infinite, for om outside [0, 1]: L.B.G. Andersen and
 * V.V. Piterbarg, "Moment explosions in stochastic volatility models", Finance and
 * Stochastics 11 (2007) 29-50, Proposition 3.1, with k = rho xi om - kappa and
 * D = k^2 - xi^2 om (om - 1). */
static double explosion_time(const cf_ctx *c, double om)
{
    const double k = c->rho * c->xi * om - c->kappa;
    const double D = k * k - c->xi * c->xi * om * (om - 1.0);
    if (D >= 0.0) {
        if (k <= 0.0)
            return INFINITY;
        const double sd = sqrt(D);
        if (sd <= 1e-8 * k)
            return 2.0 / k; /* the limit D -> 0 */
        return log((k + sd) / (k - sd)) / sd;
    }
    const double g = sqrt(-D);
    if (k == 0.0)
        return PI / g;
    return 2.0 / g * ((k < 0.0 ? PI : 0.0) + atan(g / k));
}

/* The edge of the strip of finite moments on one side: the largest t in (0, A_MAX] with
 * E[e^{a X}] finite at tau for a = 1 + t (side > 0) or a = -t (side < 0).  The
 * explosion time falls as |a| grows away from [0, 1], so bisect (on log t). */
double hs_heston_strip_edge(const cf_ctx *c, int side)
{
    double lo = 1e-8, hi = A_MAX;
    if (explosion_time(c, side > 0 ? 1.0 + hi : -hi) > c->tau)
        return hi;
    for (int i = 0; i < 60; i++) {
        double mid = sqrt(lo * hi);
        if (explosion_time(c, side > 0 ? 1.0 + mid : -mid) > c->tau)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Lord and Kahl's objective: the log of the integrand's size at u = 0,
 * (1 - a) k + ln E[e^{a X}] - ln(a (a - 1)), for a outside [0, 1]. */
static double contour_cost(const cf_ctx *c, double a)
{
    return (1.0 - a) * c->k + creal(heston_log_cf(c, 0.0, a)) - log(a * (a - 1.0));
}

/* Choose the contour z = u - i a and the scale of u.  Near the money (|k| <= SHIFT_SDS
 * standard deviations) Lewis's a = 1/2 with u measured in units of 1 / sqrt(vbar tau).
 * Further out, e^{-iuk} would make the integrand oscillate |k| / sqrt(vbar tau) times
 * over its width, so the contour is moved past the pole at a = 1 (an out-of-the-money
 * call, k > 0) or a = 0 (k < 0) to the a that minimises the integrand's size at u = 0
 * (R. Lord and C. Kahl, "Optimal Fourier inversion in semi-analytical option pricing",
 * J. Computational Finance 10(4), 2007): near that saddle point the phase is stationary
 * and the integrand decays before it can oscillate.  Past the pole the integral is the
 * out-of-the-money option itself (the residues at a = 1 and a = 0 are the forward and
 * the strike, see eval), so it keeps its relative accuracy however small it is.  The
 * control variate is dropped there: Black-Scholes moments E[e^{a X}] = e^{vbar tau
 * a (a - 1) / 2} grow much faster in a than Heston's for the a that suits Heston, and
 * would overflow.  a stays inside the strip where E[e^{a X}] is
 * finite (Andersen and Piterbarg's explosion time exceeds tau), at most 90% of the way
 * to its edge and at least 1/2 from the pole; the scale of u is then
 * sqrt(d^2/da^2 ln E[e^{a X}]), the standard deviation of X under the measure tilted by
 * e^{a X}.  Where the strip is too narrow for that, a = 1/2 stays. */
static void choose_contour(cf_ctx *c)
{
    const double sigma_t = sqrt(c->vbar_tau);
    c->a = 0.5;
    c->scale = sigma_t;
    if (!(fabs(c->k) > SHIFT_SDS * sigma_t))
        return;
    const int side = c->k > 0.0 ? 1 : -1;
    const double t_hi = 0.9 * hs_heston_strip_edge(c, side), t_lo = 0.5;
    if (!(t_hi > t_lo))
        return;
    /* Golden-section search on ln t: the cost is convex in a, so unimodal in ln t. */
    const double r = 0.6180339887498949;
    double lo = log(t_lo), hi = log(t_hi);
    double m1 = hi - r * (hi - lo), m2 = lo + r * (hi - lo);
#define A_OF(lt) (side > 0 ? 1.0 + exp(lt) : -exp(lt))
    double f1 = contour_cost(c, A_OF(m1)), f2 = contour_cost(c, A_OF(m2));
    for (int i = 0; i < 40; i++) {
        if (!(f1 >= f2)) { /* a NaN cost counts as large */
            hi = m2, m2 = m1, f2 = f1;
            m1 = hi - r * (hi - lo);
            f1 = contour_cost(c, A_OF(m1));
        } else {
            lo = m1, m1 = m2, f1 = f2;
            m2 = lo + r * (hi - lo);
            f2 = contour_cost(c, A_OF(m2));
        }
    }
    const double a = A_OF(0.5 * (lo + hi));
#undef A_OF
    const double h = 1e-3 * fmin(fabs(a), 1.0);
    const double var =
        (creal(heston_log_cf(c, 0.0, a + h)) - 2.0 * creal(heston_log_cf(c, 0.0, a)) +
         creal(heston_log_cf(c, 0.0, a - h))) /
        (h * h);
    c->a = a;
    c->control = 0;
    if (isfinite(var) && var > 0.0)
        c->scale = sqrt(var);
}

double hs_heston_mean_variance(const hs_heston_params *p, double tau)
{
    double y = p->kappa * tau;
    double h = y > 0.0 ? -expm1(-y) / y : 1.0; /* (1 - e^{-y}) / y */
    return p->theta + (p->v0 - p->theta) * h;
}

hs_status hs_heston_check_inputs(hs_bs_kind kind, double spot, double strike, double tau,
                                 double rate, double div, const hs_heston_params *p, hs_error *err)
{
    const char *bad = NULL;
    if (kind != HS_BS_CALL && kind != HS_BS_PUT)
        bad = "unknown option kind";
    else if (!(spot > 0.0 && isfinite(spot)))
        bad = "spot must be finite and > 0";
    else if (!(strike > 0.0 && isfinite(strike)))
        bad = "strike must be finite and > 0";
    else if (!(tau >= 0.0 && isfinite(tau)))
        bad = "tau must be finite and >= 0";
    else if (!isfinite(rate) || !isfinite(div))
        bad = "rate and dividend must be finite";
    else if (!p)
        bad = "no Heston parameters";
    else if (!(p->v0 >= 0.0 && isfinite(p->v0)))
        bad = "v0 must be finite and >= 0";
    else if (!(p->kappa >= 0.0 && isfinite(p->kappa)))
        bad = "kappa must be finite and >= 0";
    else if (!(p->theta >= 0.0 && isfinite(p->theta)))
        bad = "theta must be finite and >= 0";
    else if (!(p->xi >= 0.0 && isfinite(p->xi)))
        bad = "xi must be finite and >= 0";
    else if (!(p->rho >= -1.0 && p->rho <= 1.0))
        bad = "rho must be in [-1, 1]";
    if (bad)
        return hs_error_set(err, HS_EINPUT,
                            "heston price: %s (kind %d, spot %g, strike %g, tau %g, rate %g, "
                            "dividend %g)",
                            bad, (int)kind, spot, strike, tau, rate, div);
    return HS_OK;
}

/* One correction integral with QAGIU; *out = the integral, *abserr its error estimate. */
static hs_status integrate(double (*f)(double, void *), cf_ctx *c, double epsabs,
                           gsl_integration_workspace *ws, double *out, double *abserr,
                           const char *what, hs_error *err)
{
    gsl_function fn = {f, c};
    *out = *abserr = NAN;
    int st = gsl_integration_qagiu(&fn, 0.0, epsabs, EPSREL, QUAD_LIMIT, ws, out, abserr);
    if (st == GSL_SUCCESS && isfinite(*out))
        return HS_OK;
    /* GSL stops with a roundoff or subinterval-limit status once it cannot improve; an
     * estimate whose error is still small is usable (and reported in abserr). */
    if ((st == GSL_EROUND || st == GSL_EMAXITER || st == GSL_ESING || st == GSL_EDIVERGE) &&
        isfinite(*out) && *abserr <= ACCEPT_FACTOR * fmax(epsabs, EPSREL * fabs(*out)))
        return HS_OK;
    return hs_error_set(err, HS_ERUNTIME,
                        "heston price: the %s integral did not converge (%s; estimate %g, "
                        "error %g, tolerance %g; v0 %g, kappa %g, theta %g, xi %g, rho %g, "
                        "tau %g, contour a = %g)",
                        what, gsl_strerror(st), *out, *abserr, epsabs, c->v0, c->kappa, c->theta,
                        c->xi, c->rho, c->tau, c->a);
}

static hs_status eval(hs_bs_kind kind, double spot, double strike, double tau, double rate,
                      double div, const hs_heston_params *p, int want_value, hs_heston_value *out,
                      hs_error *err)
{
    hs_status st = hs_heston_check_inputs(kind, spot, strike, tau, rate, div, p, err);
    if (st)
        return st;

    const double vbar = fmax(hs_heston_mean_variance(p, tau), 0.0);
    const double sigma_bar = sqrt(vbar);
    const double dq = exp(-div * tau), dr = exp(-rate * tau);
    double value = want_value ? hs_bs_price(kind, spot, strike, tau, rate, div, sigma_bar) : NAN;
    double delta = hs_bs_delta(kind, spot, strike, tau, rate, div, sigma_bar);
    double abserr = 0.0;
    size_t evals = 0;

    if (tau > 0.0 && vbar * tau > 0.0 && p->xi >= HS_HESTON_XI_MIN) {
        cf_ctx c = {p->v0, p->kappa, p->theta, p->xi, p->rho, tau, 0, 0.5, 1, vbar * tau, 1, 0};
        c.k = log(strike / spot) - (rate - div) * tau;
        choose_contour(&c);
        /* The integrals times S e^{-q tau} / pi (value) and e^{-q tau} / pi (delta) are:
         * on a = 1/2, call_H - call_BS and delta_H - delta_BS, which put-call parity
         * makes the same for the puts; on a > 1, the call and its delta; on a < 0, the
         * put and the call's delta less e^{-q tau} (the residues of the poles at a = 1
         * and a = 0, see the file comment).  The price tolerance is HS_HESTON_TOL of
         * sqrt(S e^{-q tau} K e^{-r tau}). */
        const double pre_value = spot * dq / PI, pre_delta = dq / PI;
        const double tol_value = HS_HESTON_TOL * sqrt(spot * dq) * sqrt(strike * dr);
        const double parity = spot * dq - strike * dr; /* call - put */
        const int is_call = kind == HS_BS_CALL;

        gsl_integration_workspace *ws = gsl_integration_workspace_alloc(QUAD_LIMIT);
        if (!ws)
            return hs_error_set(err, HS_ERUNTIME, "heston price: out of memory");
        double integral = 0.0, e = 0.0;
        if (want_value) {
            st = integrate(price_integrand, &c, tol_value / pre_value, ws, &integral, &e, "price",
                           err);
            if (!st) {
                double v = pre_value * integral;
                if (c.control)
                    value += v;
                else if (c.a > 1.0) /* v is the call */
                    value = is_call ? v : v - parity;
                else /* v is the put */
                    value = is_call ? v + parity : v;
                abserr = pre_value * e;
            }
        }
        if (!st) {
            st = integrate(delta_integrand, &c, HS_HESTON_TOL / pre_delta, ws, &integral, &e,
                           "delta", err);
            if (!st) {
                double d = pre_delta * integral; /* call delta, less e^{-q tau} if a < 0 */
                if (c.control)
                    delta += d;
                else if (c.a > 1.0)
                    delta = is_call ? d : d - dq;
                else
                    delta = is_call ? d + dq : d;
            }
        }
        gsl_integration_workspace_free(ws);
        if (st)
            return st;
        evals = c.evals;
    }

    /* No-arbitrage bounds: only rounding can cross them. */
    const double fwd_spot = spot * dq, fwd_strike = strike * dr;
    if (kind == HS_BS_CALL) {
        if (want_value)
            value = fmin(fmax(value, fmax(fwd_spot - fwd_strike, 0.0)), fwd_spot);
        delta = fmin(fmax(delta, 0.0), dq);
    } else {
        if (want_value)
            value = fmin(fmax(value, fmax(fwd_strike - fwd_spot, 0.0)), fwd_strike);
        delta = fmin(fmax(delta, -dq), 0.0);
    }
    out->value = value;
    out->delta = delta;
    out->abserr = abserr;
    out->evals = evals;
    return HS_OK;
}

hs_status hs_heston_eval(hs_bs_kind kind, double spot, double strike, double tau, double rate,
                         double div, const hs_heston_params *p, hs_heston_value *out, hs_error *err)
{
    return eval(kind, spot, strike, tau, rate, div, p, 1, out, err);
}

hs_status hs_heston_eval_delta(hs_bs_kind kind, double spot, double strike, double tau, double rate,
                               double div, const hs_heston_params *p, hs_heston_value *out,
                               hs_error *err)
{
    return eval(kind, spot, strike, tau, rate, div, p, 0, out, err);
}
