/*
 * Piecewise Chebyshev tables of a smooth function of one variable (delta_table.h), used
 * to replace the model's delta formula at a rebalance date by a few multiply-adds.
 *
 * On a panel [a, b], with t = (2x - a - b) / (b - a) in [-1, 1], the interpolant at the
 * N + 1 Chebyshev-Lobatto points t_j = cos(pi j / N) is
 *
 *   p(t) = sum_{m=0}^{N} c_m T_m(t),   c_m = (2 / N) sum''_{j=0}^{N} f(t_j) cos(pi m j / N),
 *
 * with the double prime halving the terms j = 0 and j = N, and c_0, c_N halved too
 * (J.P. Boyd, "Chebyshev and Fourier Spectral Methods", 2nd ed., Dover 2001, section 4.4;
 * L.N. Trefethen, "Approximation Theory and Approximation Practice", SIAM 2013, ch. 3).
 * p is evaluated by Clenshaw's recurrence.
 *
 * The error is measured, not assumed: once a panel's coefficients are known, f is
 * evaluated at the N midpoints t = cos(pi (j + 1/2) / N), where the interpolation error
 * of a Lobatto interpolant peaks between nodes, and the panel is accepted when every
 * |p - f| there is at most HS_DELTA_TABLE_TOL (2e-8); otherwise it is cut in two and
 * each half tried again (the adaptive splitting of chebfun: Z. Battles and
 * L.N. Trefethen, SIAM J. Sci. Comput. 25 (2004) 1743-1770).  Panels therefore crowd
 * where f is sharp (near the strike close to expiry) and stay wide elsewhere.  The
 * tolerance leaves a factor 5 to the bound of 1e-7 that tests/pricing/test_delta_table.c
 * checks on dense grids.  The build is deterministic: the same panels for the same f.
 */
#include "hedgesim/delta_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N HS_DELTA_TABLE_DEGREE
#define PI 3.14159265358979323846

/* Smallest panel width relative to the range: below it f is not smooth enough to table. */
#define MIN_WIDTH 1e-12

static double clenshaw(const double *c, double t)
{
    double b1 = 0.0, b2 = 0.0, t2 = 2.0 * t;
    for (int m = N; m >= 1; m--) {
        double b0 = c[m] + t2 * b1 - b2;
        b2 = b1;
        b1 = b0;
    }
    return c[0] + t * b1 - b2;
}

typedef struct builder {
    hs_delta_table *t;
    size_t cap;
    hs_delta_fn f;
    void *user;
    double width_min;
    hs_error *err;
} builder;

/* Fit [a, b] or split it; panels are appended in increasing x. */
static hs_status fit(builder *bd, double a, double b)
{
    hs_delta_table *t = bd->t;
    double fv[N + 1], c[N + 1];
    const double mid = 0.5 * (a + b), half = 0.5 * (b - a);
    for (int j = 0; j <= N; j++) {
        fv[j] = bd->f(mid + half * cos(PI * j / N), bd->user);
        if (!isfinite(fv[j]))
            return hs_error_set(bd->err, HS_ERUNTIME,
                                "delta table: the formula failed at x = %.17g",
                                mid + half * cos(PI * j / N));
    }
    t->evals += N + 1;
    for (int m = 0; m <= N; m++) {
        double s = 0.5 * (fv[0] + (m % 2 ? -fv[N] : fv[N]));
        for (int j = 1; j < N; j++)
            s += fv[j] * cos(PI * (double)((m * j) % (2 * N)) / N);
        c[m] = 2.0 * s / N;
    }
    c[0] *= 0.5;
    c[N] *= 0.5;
    double worst = 0.0;
    int ok = 1;
    for (int j = 0; j < N && ok; j++) {
        double tt = cos(PI * (j + 0.5) / N);
        double fx = bd->f(mid + half * tt, bd->user);
        t->evals++;
        double e = fabs(clenshaw(c, tt) - fx);
        if (!(e <= HS_DELTA_TABLE_TOL))
            ok = 0;
        else if (e > worst)
            worst = e;
    }
    if (!ok) {
        if (!(half > bd->width_min))
            return hs_error_set(bd->err, HS_ERUNTIME,
                                "delta table: no polynomial meets %g near x = %.17g",
                                HS_DELTA_TABLE_TOL, mid);
        hs_status st = fit(bd, a, mid);
        return st ? st : fit(bd, mid, b);
    }
    if (t->n_panels >= HS_DELTA_TABLE_MAX_PANELS)
        return hs_error_set(bd->err, HS_ERUNTIME, "delta table: more than %d panels",
                            HS_DELTA_TABLE_MAX_PANELS);
    if (t->n_panels == bd->cap) {
        size_t cap = bd->cap ? 2 * bd->cap : 16;
        double *e = realloc(t->edges, (cap + 1) * sizeof *e);
        if (e)
            t->edges = e;
        double *cc = e ? realloc(t->coef, cap * (N + 1) * sizeof *cc) : NULL;
        if (!cc)
            return hs_error_set(bd->err, HS_ERUNTIME, "delta table: out of memory");
        t->coef = cc;
        bd->cap = cap;
    }
    t->edges[t->n_panels] = a;
    t->edges[t->n_panels + 1] = b;
    memcpy(t->coef + t->n_panels * (N + 1), c, sizeof c);
    t->n_panels++;
    if (worst > t->max_check_err)
        t->max_check_err = worst;
    return HS_OK;
}

hs_status hs_delta_table_build(hs_delta_table *t, double lo, double hi, hs_delta_fn f, void *user,
                               hs_error *err)
{
    memset(t, 0, sizeof *t);
    if (!(isfinite(lo) && isfinite(hi) && lo < hi))
        return hs_error_set(err, HS_EINPUT, "delta table: bad range [%g, %g]", lo, hi);
    t->lo = lo;
    t->hi = hi;
    builder bd = {t, 0, f, user, MIN_WIDTH * (hi - lo), err};
    hs_status st = fit(&bd, lo, hi);
    if (st) {
        hs_delta_table_free(t);
        return st;
    }
    t->edges[0] = lo; /* exact ends: the panels' own are the same numbers */
    t->edges[t->n_panels] = hi;
    return HS_OK;
}

double hs_delta_table_eval(const hs_delta_table *t, double x)
{
    if (!(x >= t->lo && x <= t->hi))
        return NAN;
    /* The panel: the last edge <= x (binary search; x = hi is in the last panel). */
    size_t l = 0, r = t->n_panels;
    while (r - l > 1) {
        size_t m = (l + r) / 2;
        if (t->edges[m] <= x)
            l = m;
        else
            r = m;
    }
    const double a = t->edges[l], b = t->edges[l + 1];
    return clenshaw(t->coef + l * (N + 1), (2.0 * x - a - b) / (b - a));
}

/* Lanes evaluated side by side in hs_delta_table_eval_lanes. */
#define SIDE 8

void hs_delta_table_eval_lanes(const hs_delta_table *t, const double *x, double *out, size_t n)
{
    /* A panel search without branches (the largest l < n_panels with edges[l] <= x, as
     * the binary search finds: the edges increase strictly), then Clenshaw's recurrence
     * for SIDE lanes at once: each lane's chain of multiply-adds is the same as
     * clenshaw()'s, operation for operation, but one chain alone waited on the latency
     * of every step (a Merton `ratio = model` run spent a third of its time there). */
    size_t top = 1;
    while (top * 2 <= t->n_panels)
        top *= 2;
    static const double zeros[N + 1];
    for (size_t i0 = 0; i0 < n; i0 += SIDE) {
        size_t g_n = n - i0 < SIDE ? n - i0 : SIDE;
        const double *c[SIDE];
        double tt[SIDE], t2[SIDE], b1[SIDE], b2[SIDE];
        int in[SIDE];
        for (size_t g = 0; g < SIDE; g++) {
            double xv = g < g_n ? x[i0 + g] : t->lo;
            in[g] = xv >= t->lo && xv <= t->hi;
            size_t l = 0;
            if (in[g])
                for (size_t step = top; step > 0; step /= 2)
                    l = l + step < t->n_panels && t->edges[l + step] <= xv ? l + step : l;
            const double a = t->edges[l], b = t->edges[l + 1];
            tt[g] = in[g] ? (2.0 * xv - a - b) / (b - a) : 0.0;
            t2[g] = 2.0 * tt[g];
            c[g] = in[g] ? t->coef + l * (N + 1) : zeros;
            b1[g] = b2[g] = 0.0;
        }
        for (int m = N; m >= 1; m--)
            for (size_t g = 0; g < SIDE; g++) {
                double b0 = c[g][m] + t2[g] * b1[g] - b2[g];
                b2[g] = b1[g];
                b1[g] = b0;
            }
        for (size_t g = 0; g < g_n; g++)
            out[i0 + g] = in[g] ? c[g][0] + tt[g] * b1[g] - b2[g] : NAN;
    }
}

void hs_delta_table_free(hs_delta_table *t)
{
    free(t->edges);
    free(t->coef);
    t->edges = t->coef = NULL;
    t->n_panels = 0;
}
