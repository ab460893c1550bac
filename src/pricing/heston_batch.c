/*
 * Heston (1993) delta for many spots at once (the batched delta of heston.h, the source
 * of the model-delta tables of heston_table.c).
 *
 * hs_heston_slice: the delta at one (tau, v) for many spots.  The correction
 * integral of the control-variate formula on Lewis's contour a = 1/2,
 *
 *   delta_H(k) = delta_BS(k) + e^{-q tau} / pi * e^{k/2} int_0^inf Re[e^{-iuk} psi(u)] du,
 *   psi(u) = (phi_H - phi_BS)(u - i/2) / (iu - 1/2),
 *
 * has psi independent of k: it is computed once, on a fixed grid u_j = j h, and each k
 * costs a sum of J complex products (Horner's rule in e^{-ihk}).  The rule is the
 * trapezoid rule on the whole line (psi(-u) = conj psi(u), so int_0^inf Re = half the
 * integral over R): for an integrand analytic in a strip and decaying, its error is, by
 * Poisson's summation formula, the aliasing sum_{m != 0} G(k + 2 pi m / h) of
 * G(k) = e^{-k/2} (delta_H - delta_BS)(k) e^{q tau} / 2 (J.A.C. Weideman and
 * L.N. Trefethen, "The exponentially convergent trapezoidal rule", SIAM Review 56 (2014)
 * 385-458, section 5; the same argument as the COS method's truncation range).  G is
 * negligible outside the range [k_lo, k_hi] where both deltas are still away from their
 * limits, so h = 2 pi / (ALIAS (k_hi - k_lo)), ALIAS = 1.1, puts every alias of a point
 * of the range outside it, where G is below the cut's level (the test holds the result
 * to 1e-9 of the formula; ALIAS = 2 gives the same errors with 1.8 times the nodes).
 * The range comes from Chernoff bounds on the share measure,
 *
 *   P^S(X > k) <= e^{(1 - a) k} E[e^{a X}]   (a > 1),
 *   P^S(X < k) <= e^{(1 - a) k} E[e^{a X}]   (a < 1),
 *
 * minimised over a grid of a inside the strip of finite moments (Andersen and Piterbarg,
 * as choose_contour uses them): beyond k_hi the call delta is below CUT_EPS e^{-q tau}
 * and beyond k_lo above (1 - CUT_EPS) e^{-q tau}, so there the slice returns the limits 0
 * and e^{-q tau} (Black-Scholes at vbar: its own 7.6 standard deviations).  The sum stops
 * when |psi| has stayed below PSI_STOP for STOP_RUN nodes (the Heston characteristic
 * function decays at least exponentially in u, so the tail beyond is of that order).
 * Where the strip is too narrow for a bound (the moments explode before tau), init fails
 * and the caller keeps the adaptive formula.  tests/pricing/test_heston_batch.c checks
 * the slice against hs_heston_eval_delta to 1e-9 over the bundled scenarios' parameters.
 */
#include "hedgesim/heston.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "heston_cf.h"
#include "simd.h"

#define PI 3.14159265358979323846

/* A delta beyond the Chernoff range differs from its limit by less than this (per unit
 * of e^{-q tau}). */
#define CUT_EPS 1e-12
/* Standard deviations of the Black-Scholes control variate's own range. */
#define BS_CUT_SDS 7.6
/* The sum stops once the geometric estimate of its tail, e^{max(k_hi, 0)/2} |psi(u_j)| h
 * r / (1 - r) with r = |psi(u_j)| / |psi(u_{j-1})| < 1, has stayed below TAIL_STOP for
 * STOP_RUN nodes.  1e-11 is two orders below the slice's own error against the formula
 * (4e-11 at most in tests/pricing/test_heston_batch.c, the same as with 1e-13, which
 * took 20% more nodes) and three below the tables' tolerance. */
#define TAIL_STOP 1e-11
#define STOP_RUN 4
/* 2 pi / h = ALIAS (k_hi - k_lo): every alias of a point of the range lands at least
 * (ALIAS - 1) range widths beyond it. */
#define ALIAS 1.1
/* Values of a tried for a Chernoff cut. */
#define CUT_GRID 33
/* Most grid points a slab may hold (4 doubles each). */
#define SLAB_MAX_NODES (1u << 22)
/* Below this exponent e^x is taken as 0 (under 1e-304, far below any tolerance). */
#define UNDERFLOW (-700.0)
/* Most nodes a slice may use. */
#define SLICE_MAX_NODES 200000

/* The grid of a for the Chernoff cut on one side (side > 0: a = 1 + t > 1, the right
 * tail of the call delta; side < 0: a = 1 - t < 1, the left tail), t from 0.02 to 90% of
 * the way to the strip's edge, with ln E[e^{a X}] = mc + md v0 (real at u = 0; the strip
 * of finite moments does not depend on v0). */
static int cut_grid(const cf_ctx *c, int side, double *t, double *mc, double *md)
{
    const double t_lo = 0.02, t_hi = side > 0 ? 0.9 * hs_heston_strip_edge(c, 1)
                                              : 1.0 + 0.9 * hs_heston_strip_edge(c, -1);
    int n = 0;
    if (!(t_hi > t_lo))
        return 0;
    for (int i = 0; i < CUT_GRID; i++) {
        const double ti = t_lo * pow(t_hi / t_lo, i / (CUT_GRID - 1.0));
        double complex C, D;
        hs_heston_log_cf_cd(c, 0.0, side > 0 ? 1.0 + ti : 1.0 - ti, &C, &D);
        if (!isfinite(creal(C)) || !isfinite(creal(D)))
            continue;
        t[n] = ti, mc[n] = creal(C), md[n] = creal(D);
        n++;
    }
    return n;
}

/* The cut at variance v: (1 - a) k + ln M(a) <= ln CUT_EPS gives k >= (lm - leps) / t on
 * the right, k <= (leps - lm) / t on the left; the best over the grid (infinite when the
 * grid is empty). */
static double cut_from(int side, const double *t, const double *mc, const double *md, int n,
                       double v)
{
    const double leps = log(CUT_EPS);
    double best = side > 0 ? INFINITY : -INFINITY;
    for (int i = 0; i < n; i++) {
        const double lm = mc[i] + md[i] * v;
        const double k = side > 0 ? (lm - leps) / t[i] : (leps - lm) / t[i];
        if (side > 0 ? k < best : k > best)
            best = k;
    }
    return best;
}

static double chernoff_cut(const cf_ctx *c, int side)
{
    double t[CUT_GRID], mc[CUT_GRID], md[CUT_GRID];
    int n = cut_grid(c, side, t, mc, md);
    return cut_from(side, t, mc, md, n, c->v0);
}

hs_status hs_heston_slice_init(hs_heston_slice *s, double tau, double rate, double div,
                               const hs_heston_params *p, hs_error *err)
{
    memset(s, 0, sizeof *s);
    hs_status st = hs_heston_check_inputs(HS_BS_CALL, 1.0, 1.0, tau, rate, div, p, err);
    if (st)
        return st;
    const double vbar = fmax(hs_heston_mean_variance(p, tau), 0.0);
    s->tau = tau;
    s->rate = rate;
    s->div = div;
    s->sigma_bar = sqrt(vbar);
    s->dq = exp(-div * tau);
    s->n = 0;
    if (!(tau > 0.0 && vbar * tau > 0.0 && p->xi >= HS_HESTON_XI_MIN))
        return HS_OK; /* the limits of eval: Black-Scholes at sqrt(vbar) */
    cf_ctx c = {p->v0, p->kappa, p->theta, p->xi, p->rho, tau, 0, 0.5, 1, vbar * tau, 1, 0};
    const double sd = sqrt(vbar * tau);
    double k_hi = chernoff_cut(&c, 1), k_lo = chernoff_cut(&c, -1);
    if (!isfinite(k_hi) || !isfinite(k_lo))
        return hs_error_set(err, HS_ERUNTIME,
                            "heston slice: no moment bound (v %g, tau %g): the strip of finite "
                            "moments is too narrow",
                            p->v0, tau);
    k_hi = fmax(k_hi, 0.5 * vbar * tau + BS_CUT_SDS * sd);
    k_lo = fmin(k_lo, 0.5 * vbar * tau - BS_CUT_SDS * sd);
    s->k_lo = k_lo;
    s->k_hi = k_hi;
    s->h = 2.0 * PI / (ALIAS * (k_hi - k_lo));
    const double grow = exp(0.5 * fmax(k_hi, 0.0));
    size_t cap = 256, run = 0;
    double last = INFINITY;
    s->re = malloc(cap * sizeof *s->re);
    s->im = malloc(cap * sizeof *s->im);
    for (size_t j = 0;; j++) {
        if (j == cap) {
            cap *= 2;
            double *r2 = s->re ? realloc(s->re, cap * sizeof *r2) : NULL;
            if (r2)
                s->re = r2;
            double *i2 = s->im && r2 ? realloc(s->im, cap * sizeof *i2) : NULL;
            if (i2)
                s->im = i2;
            if (!r2 || !i2)
                break;
        }
        if (!s->re || !s->im || j >= SLICE_MAX_NODES) {
            hs_heston_slice_free(s);
            return hs_error_set(err, HS_ERUNTIME, "heston slice: %s (v %g, tau %g)",
                                j >= SLICE_MAX_NODES ? "the integrand decays too slowly"
                                                     : "out of memory",
                                p->v0, tau);
        }
        const double u = (double)j * s->h;
        double complex ps = hs_heston_cf_difference(&c, u) / (I * u - 0.5);
        if (!(isfinite(creal(ps)) && isfinite(cimag(ps))))
            ps = 0.0; /* beyond U_MAX, or underflow: the integrand is 0 there */
        const double w = j ? s->h : 0.5 * s->h;
        s->re[j] = w * creal(ps);
        s->im[j] = w * cimag(ps);
        s->n = j + 1;
        const double mag = sqrt(creal(ps) * creal(ps) + cimag(ps) * cimag(ps)), r = mag / last;
        last = mag;
        run = r < 1.0 && grow * mag * s->h * r / (1.0 - r) < TAIL_STOP ? run + 1 : 0;
        if (run >= STOP_RUN)
            break;
    }
    return HS_OK;
}

void hs_heston_slice_free(hs_heston_slice *s)
{
    free(s->re);
    free(s->im);
    s->re = s->im = NULL;
    s->n = 0;
}

/* ---------------------------------------------------------------- the slab
 *
 * ln phi = C(u) + v D(u) with C and D independent of v, and the strip of finite moments
 * independent of v: a slab keeps, for one tau, C and D on a grid u = j h0 (filled on
 * demand) and the Chernoff grid's ln M(a) = mc + v md, so that a slice at any v costs one
 * complex exponential per node instead of a characteristic function.  h0 is the step of
 * the largest variance the slab serves (its range [k_lo, k_hi] is the widest); a slice at
 * v takes h = stride h0 with stride = floor(h(v) / h0) >= 1 (h(v) the step its own range
 * asks for: a finer step than needed, never a coarser one).  Where h(v) < h0 (a range
 * wider than the largest variance's) the slice is made directly. */

hs_status hs_heston_slab_init(hs_heston_slab *sb, double tau, double rate, double div,
                              const hs_heston_params *p, double v_max, hs_error *err)
{
    memset(sb, 0, sizeof *sb);
    hs_heston_params q = *p;
    q.v0 = v_max;
    hs_status st = hs_heston_check_inputs(HS_BS_CALL, 1.0, 1.0, tau, rate, div, &q, err);
    if (st)
        return st;
    sb->tau = tau, sb->rate = rate, sb->div = div, sb->p = q;
    hs_heston_slice top;
    st = hs_heston_slice_init(&top, tau, rate, div, &q, err);
    if (st)
        return st;
    sb->h0 = top.h;
    const int direct = top.n == 0; /* a limit case: slices are made directly */
    hs_heston_slice_free(&top);
    if (direct)
        return HS_OK;
    cf_ctx c = {v_max, q.kappa, q.theta, q.xi, q.rho, tau, 0, 0.5, 1, 0, 1, 0};
    sb->n_right = cut_grid(&c, 1, sb->t_right, sb->mc_right, sb->md_right);
    sb->n_left = cut_grid(&c, -1, sb->t_left, sb->mc_left, sb->md_left);
    return HS_OK;
}

void hs_heston_slab_free(hs_heston_slab *sb)
{
    free(sb->cd);
    sb->cd = NULL;
    sb->cap = 0;
}

/* C and D at u = j h0 (cd[4 j .. 4 j + 3]: Re C, Im C, Re D, Im D), computed on first use. */
static const double *slab_cd(hs_heston_slab *sb, size_t j)
{
    if (j >= sb->cap) {
        size_t cap = sb->cap ? sb->cap : 1024;
        while (cap <= j)
            cap *= 2;
        if (cap > SLAB_MAX_NODES)
            return NULL;
        double *cd = realloc(sb->cd, 4 * cap * sizeof *cd);
        if (!cd)
            return NULL;
        for (size_t i = 4 * sb->cap; i < 4 * cap; i++)
            cd[i] = NAN;
        sb->cd = cd;
        sb->cap = cap;
    }
    double *e = sb->cd + 4 * j;
    if (isnan(e[0])) {
        const hs_heston_params *q = &sb->p;
        cf_ctx c = {0.0, q->kappa, q->theta, q->xi, q->rho, sb->tau, 0, 0.5, 1, 0, 1, 0};
        double complex C, D;
        hs_heston_log_cf_cd(&c, (double)j * sb->h0, 0.5, &C, &D);
        e[0] = creal(C), e[1] = cimag(C), e[2] = creal(D), e[3] = cimag(D);
    }
    return e;
}

hs_status hs_heston_slice_from_slab(hs_heston_slab *sb, double v, hs_heston_slice *s, hs_error *err)
{
    hs_heston_params q = sb->p;
    q.v0 = v;
    if (!sb->h0 || !(v >= 0.0) || !(sb->n_right > 0 && sb->n_left > 0))
        return hs_heston_slice_init(s, sb->tau, sb->rate, sb->div, &q, err);
    memset(s, 0, sizeof *s);
    const double tau = sb->tau, vbar = fmax(hs_heston_mean_variance(&q, tau), 0.0);
    s->tau = tau, s->rate = sb->rate, s->div = sb->div;
    s->sigma_bar = sqrt(vbar);
    s->dq = exp(-sb->div * tau);
    if (!(vbar * tau > 0.0))
        return hs_heston_slice_init(s, tau, sb->rate, sb->div, &q, err);
    const double sd = sqrt(vbar * tau);
    double k_hi = cut_from(1, sb->t_right, sb->mc_right, sb->md_right, sb->n_right, v);
    double k_lo = cut_from(-1, sb->t_left, sb->mc_left, sb->md_left, sb->n_left, v);
    k_hi = fmax(k_hi, 0.5 * vbar * tau + BS_CUT_SDS * sd);
    k_lo = fmin(k_lo, 0.5 * vbar * tau - BS_CUT_SDS * sd);
    const double want = 2.0 * PI / (ALIAS * (k_hi - k_lo));
    const double stride_d = floor(want / sb->h0);
    if (!(stride_d >= 1.0 && stride_d < 1e6))
        return hs_heston_slice_init(s, tau, sb->rate, sb->div, &q, err);
    const size_t stride = (size_t)stride_d;
    s->k_lo = k_lo, s->k_hi = k_hi, s->h = stride_d * sb->h0;
    const double grow = exp(0.5 * fmax(k_hi, 0.0)), vt = vbar * tau;
    size_t cap = 256, run = 0;
    double last = INFINITY;
    s->re = malloc(cap * sizeof *s->re);
    s->im = malloc(cap * sizeof *s->im);
    for (size_t j = 0;; j++) {
        const double *e = s->re && s->im && j < SLICE_MAX_NODES ? slab_cd(sb, j * stride) : NULL;
        if (e && j == cap) {
            cap *= 2;
            double *r2 = realloc(s->re, cap * sizeof *r2);
            if (r2)
                s->re = r2;
            double *i2 = r2 ? realloc(s->im, cap * sizeof *i2) : NULL;
            if (i2)
                s->im = i2;
            if (!i2)
                e = NULL;
        }
        if (!e) {
            /* Out of memory or too slow a decay for the slab: the direct slice. */
            hs_heston_slice_free(s);
            return hs_heston_slice_init(s, tau, sb->rate, sb->div, &q, err);
        }
        const double u = (double)j * s->h;
        const double complex l_h = (e[0] + v * e[2]) + I * (e[1] + v * e[3]);
        const double l_bs = -0.5 * vt * (u * u + 0.25);
        const double complex dl = l_h - l_bs;
        const double dr = creal(dl), di = cimag(dl);
        /* As hs_heston_cf_difference: e^{l_bs} expm1(dl) where the logs are close
         * (|dl| < 1/2); then / (iu - 1/2) as * (-1/2 - iu) / (u^2 + 1/4). */
        double complex diff;
        if (dr * dr + di * di < 0.25)
            diff = exp(l_bs) * hs_heston_cexpm1(dl);
        else /* e^{x} below 1e-304 is 0 here: skip the exponentials' slow underflow path */
            diff =
                (creal(l_h) < UNDERFLOW ? 0.0 : cexp(l_h)) - (l_bs < UNDERFLOW ? 0.0 : exp(l_bs));
        const double den = u * u + 0.25, fr = creal(diff), fi = cimag(diff);
        double complex ps = ((-0.5 * fr + u * fi) + I * (-u * fr - 0.5 * fi)) / den;
        if (!(isfinite(creal(ps)) && isfinite(cimag(ps))))
            ps = 0.0;
        const double w = j ? s->h : 0.5 * s->h;
        s->re[j] = w * creal(ps);
        s->im[j] = w * cimag(ps);
        s->n = j + 1;
        const double mag = sqrt(creal(ps) * creal(ps) + cimag(ps) * cimag(ps)), r = mag / last;
        last = mag;
        run = r < 1.0 && grow * mag * s->h * r / (1.0 - r) < TAIL_STOP ? run + 1 : 0;
        if (run >= STOP_RUN)
            break;
    }
    return HS_OK;
}

/* Points summed together (hs_heston_fourier_sums). */
#define CHUNK HS_FOURIER_CHUNK

/* out[l] = sum_j Re[e^{-i u_j k_l} (re_j + i im_j)], u_j = j h, for m <= HS_FOURIER_CHUNK
 * points k_l (heston_cf.h).  With z = e^{-i h k} (from cos and sin) and w = z^2, the
 * sum is E(w) + z O(w), E and O the polynomials of the even and the odd nodes, each by
 * Horner's rule from the top, a <- a w + psi_j: four fused multiply-adds per node and
 * point (fma() is exactly rounded in every clone).  The two chains are independent, so
 * a point's latency per node is halved; the tables' fits call this with 12 or 13 points
 * per slice, which fill two vectors of 8 without them.  Each rounding is carried forward
 * multiplied by |w| = 1, so the error stays below about 4 n eps max|a|, as for the
 * recurrence of the powers z^j these sums replaced (ten operations per node).  Idle lanes
 * hold z = w = 1. */
HS_KERNEL void hs_heston_fourier_sums(const double *re, const double *im, size_t n, double h,
                                      const double *k, size_t m, double *out)
{
    double c1[HS_FOURIER_CHUNK], s1[HS_FOURIER_CHUNK], c2[HS_FOURIER_CHUNK], s2[HS_FOURIER_CHUNK];
    double er[HS_FOURIER_CHUNK], ei[HS_FOURIER_CHUNK], or_[HS_FOURIER_CHUNK], oi[HS_FOURIER_CHUNK];
    const size_t ne = (n + 1) / 2, no = n / 2; /* even and odd nodes; ne - no is 0 or 1 */
    for (size_t l = 0; l < HS_FOURIER_CHUNK; l++) {
        c1[l] = l < m ? cos(h * k[l]) : 1.0;
        s1[l] = l < m ? -sin(h * k[l]) : 0.0;
        c2[l] = fma(c1[l], c1[l], -(s1[l] * s1[l])); /* w = z^2 */
        s2[l] = 2.0 * c1[l] * s1[l];
        er[l] = ne > no ? re[n - 1] : 0.0;
        ei[l] = ne > no ? im[n - 1] : 0.0;
        or_[l] = oi[l] = 0.0;
    }
    for (size_t i = no; i-- > 0;) {
        const double pe = re[2 * i], qe = im[2 * i], po = re[2 * i + 1], qo = im[2 * i + 1];
        for (size_t l = 0; l < HS_FOURIER_CHUNK; l++) {
            const double a = er[l], b = ei[l], c = or_[l], d = oi[l];
            er[l] = fma(a, c2[l], fma(-b, s2[l], pe));
            ei[l] = fma(a, s2[l], fma(b, c2[l], qe));
            or_[l] = fma(c, c2[l], fma(-d, s2[l], po));
            oi[l] = fma(c, s2[l], fma(d, c2[l], qo));
        }
    }
    for (size_t l = 0; l < m; l++)
        out[l] = fma(c1[l], or_[l], fma(-s1[l], oi[l], er[l]));
}

/* The clamped call deltas of the slice at n <= CHUNK spots. */
static void slice_call_chunk(const hs_heston_slice *s, double strike, size_t n, const double *spot,
                             double *out)
{
    double kk[CHUNK], sum[CHUNK];
    size_t idx[CHUNK], m = 0;
    for (size_t i = 0; i < n; i++) {
        const double k = log(strike / spot[i]) - (s->rate - s->div) * s->tau;
        out[i] = hs_bs_delta(HS_BS_CALL, spot[i], strike, s->tau, s->rate, s->div, s->sigma_bar);
        if (!s->n)
            continue;
        if (k >= s->k_hi)
            out[i] = 0.0;
        else if (k <= s->k_lo)
            out[i] = s->dq;
        else {
            idx[m] = i;
            kk[m] = k;
            m++;
        }
    }
    if (m)
        hs_heston_fourier_sums(s->re, s->im, s->n, s->h, kk, m, sum);
    for (size_t l = 0; l < m; l++)
        out[idx[l]] += s->dq / PI * exp(0.5 * kk[l]) * sum[l];
    for (size_t i = 0; i < n; i++)
        out[i] = fmin(fmax(out[i], 0.0), s->dq);
}

void hs_heston_slice_delta(const hs_heston_slice *s, hs_bs_kind kind, double strike, size_t n,
                           const double *spot, double *delta)
{
    for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
        const size_t m = n - i0 < CHUNK ? n - i0 : CHUNK;
        slice_call_chunk(s, strike, m, spot + i0, delta + i0);
        if (kind == HS_BS_PUT)
            for (size_t i = i0; i < i0 + m; i++)
                delta[i] = fmin(fmax(delta[i] - s->dq, -s->dq), 0.0);
    }
}

hs_status hs_heston_delta_batch(hs_bs_kind kind, double strike, double tau, double rate, double div,
                                const hs_heston_params *p, size_t n, const double *spot,
                                double *delta, hs_error *err)
{
    for (size_t i = 0; i < n; i++) {
        hs_status st = hs_heston_check_inputs(kind, spot[i], strike, tau, rate, div, p, err);
        if (st)
            return st;
    }
    hs_heston_slice s;
    hs_status st = hs_heston_slice_init(&s, tau, rate, div, p, err);
    if (st)
        return st;
    hs_heston_slice_delta(&s, kind, strike, n, spot, delta);
    hs_heston_slice_free(&s);
    return HS_OK;
}
