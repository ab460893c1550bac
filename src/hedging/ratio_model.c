/*
 * Hedge ratio `model`: the delta of the book under the path model itself, where the
 * library has the model's price, instead of Black-Scholes at some vol:
 *
 *   gbm     Black-Scholes delta at the model's sigma (the same as bs with vol = model);
 *   merton  the Merton (1976) series delta (merton.h): the sum over the number of jumps
 *           of Poisson-weighted Black-Scholes deltas; cost per lane and leg per
 *           rebalance: about lambda' tau + 10 Black-Scholes deltas;
 *   heston  the semi-closed-form Heston delta at the lane's current variance
 *           (heston.h): a numerical Fourier integral per lane and leg per rebalance,
 *           about 80 microseconds (0.2 ms when Feller fails, 1.7 ms at xi = 2); by
 *           default replaced by a table in (ln S, v) per date (below).
 *
 * Under merton the formula is replaced by default (key `model_delta = table`) by a table
 * per rebalance date of the book's hedge as a function of x = ln S (delta_table.h), built
 * from the series the first time a lane needs that date (so only dates that trade are
 * built; each table is the same whichever thread builds it) over
 *
 *   x in ln S0 + mu t +- (8 sd(t) + 0.1),  sd(t)^2 = (sigma^2 + lambda (mu_J^2 + delta^2)) t,
 *
 * the log price's mean +- 8 of its standard deviations at t (plus a margin).  Its error,
 * measured when it is built, is below 2e-8 per unit of the book's quantity; a lane outside
 * the range uses the series and is counted (model_delta_fallbacks in the JSON).  Memory:
 * one table of some hundreds of doubles per date, never per path.  `model_delta = exact`
 * keeps the series for every lane (the reference the table is tested against).
 *
 * Under heston the table is two-dimensional (hs_heston_table, heston.h): the book's hedge
 * in x = ln S and y = sqrt(v), built from the batched Heston delta (hs_heston_slice) on
 * first use of a date, over x in ln S0 + (mu - vbar/2) t +- (8 sd(t) + 0.1) with
 * sd(t)^2 = vbar(t) t (vbar the mean variance over [0, t] from v0) and v in [0, v_hi(t)],
 * v_hi the level the CIR variance exceeds with probability at most 1e-7 at t (a Chernoff
 * bound on its scaled noncentral chi-square law: W. Feller, Ann. Math. 54 (1951) 173-182;
 * Cox, Ingersoll and Ross, Econometrica 53 (1985) 385-407, eq. 18); at t = 0 the variance
 * is v0 on every lane and the table is one-dimensional.  Its error at check points is at
 * most 2e-8 per unit of the book's quantity (1e-7 anywhere, tested); lanes outside use the
 * formula and are counted.  A table costs some 50-200 ms to build (heston_stress's call:
 * 100-200 rectangles, ~150 000 batched deltas), so it pays from a few thousand paths
 * (with 200 000 paths x 21 dates the cost is ~0.3 us per lane and rebalance, builds
 * included, against ~200 us for the formula); memory: about 300 KB per date.
 *
 * For any other model prepare refuses with a message (no closed-form price exists in
 * the library for it).  The delta is minimised-variance only in the complete-market
 * sense; under jumps and stochastic vol it is the model's price sensitivity, the
 * hedge a practitioner using the model would put on (Hull, section 27.1; Heston 1993).
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hedgesim/delta_table.h"
#include "hedgesim/instrument.h"
#include "hedgesim/heston.h"
#include "hedgesim/merton.h"
#include "hedgesim/strategy.h"

enum { KIND_GBM, KIND_MERTON, KIND_HESTON };
enum { C_KIND, C_EXACT };
enum { P_MODEL_DELTA };

/* Standard deviations of ln S_t on either side of its mean that a table covers. */
#define RANGE_SDS 8.0
/* ... plus this margin in ln S (paths at t = 0 and in the first steps). */
#define RANGE_MARGIN 0.1

static const hs_param params[] = {
    {"model_delta", HS_PARAM_NAME, 0, 0, 0, "name",
     "how the model delta is computed: table (per-date interpolant, merton and heston) or "
     "exact "
     "(the formula for every lane)",
     "table|exact", HS_PARAM_SWEEP},
};

/* Probability that a lane's variance lies above a Heston table's range at its date. */
#define V_TAIL 1e-7

/* One date's table: built is 0 (not yet), 1 (table ready) or 2 (no table: formula). */
typedef struct date_table {
    _Atomic int built;
    hs_delta_table t;  /* merton */
    hs_heston_table h; /* heston */
    double seconds;    /* build time (CPU clock of the building thread) */
} date_table;

typedef struct tables {
    size_t steps;
    date_table *dates; /* [steps] */
    _Atomic unsigned long long fallbacks;
} tables;

static int model_kind(const hs_model_type *t)
{
    if (!strcmp(t->name, "gbm"))
        return KIND_GBM;
    if (!strcmp(t->name, "merton"))
        return KIND_MERTON;
    if (!strcmp(t->name, "heston"))
        return KIND_HESTON;
    return -1;
}

static hs_status prepare(hs_ratio_ctx *c, const hs_origin *origins, const char *context,
                         hs_error *err)
{
    (void)origins;
    if (!c->model)
        return HS_OK; /* checked again by the engine, which has the model */
    int kind = model_kind(c->model->type);
    if (kind < 0)
        return hs_error_set(err, HS_EINPUT,
                            "%s: ratio = model: model '%s' has no price in the "
                            "library (expected a model among gbm, merton, heston, or ratio = bs)",
                            context, c->model->type->name);
    for (size_t j = 0; j < c->n_legs; j++) {
        const hs_instrument_type *t = c->legs[j].type;
        if (t != &hs_instrument_call && t != &hs_instrument_put)
            return hs_error_set(err, HS_EINPUT,
                                "%s: ratio = model: leg [%s] is a %s (expected "
                                "calls and puts: the model prices only those)",
                                context, c->legs[j].name, t->name);
    }
    c->consts[C_KIND] = kind;
    c->consts[C_EXACT] = c->par[P_MODEL_DELTA];
    return HS_OK;
}

/* Merton delta of one leg at spot s (NaN when the series refuses). */
static double merton_leg_delta(const hs_ratio_ctx *c, const hs_leg *leg, double spot, double tau)
{
    const hs_model *m = c->model;
    hs_merton_jumps jumps = {hs_model_param(m, "lambda"), hs_model_param(m, "jump_mean"),
                             hs_model_param(m, "jump_std")};
    hs_bs_kind bk = leg->type == &hs_instrument_put ? HS_BS_PUT : HS_BS_CALL;
    hs_merton_value v;
    hs_error e;
    if (hs_merton_eval(bk, spot, leg->strike, tau, c->market->rate, c->market->dividend,
                       hs_model_param(m, "sigma"), &jumps, &v, &e) == HS_OK)
        return v.delta;
    return NAN;
}

/* The book's hedge (minus the sum of quantity x delta over live legs) at step k and spot
 * e^x under merton, as the table tabulates it. */
typedef struct book_at {
    const hs_ratio_ctx *c;
    size_t k;
} book_at;

static double merton_book_hedge(double x, void *user)
{
    const book_at *ba = user;
    const hs_ratio_ctx *c = ba->c;
    double t = (double)ba->k * c->grid->dt, h = 0.0, spot = exp(x);
    for (size_t j = 0; j < c->n_legs; j++) {
        const hs_leg *leg = &c->legs[j];
        if (leg->expiry_step <= ba->k)
            continue;
        h -= leg->quantity * merton_leg_delta(c, leg, spot, leg->maturity - t);
    }
    return h;
}

/* The date_table of step k, its table built by build(c, k, d) (1: built, 0: none: the
 * formula) on first use, once, under one critical section: the same table whichever
 * thread asks first.  NULL when there is no table for k. */
static date_table *table_once(const hs_ratio_ctx *c, size_t k,
                              int (*build)(const hs_ratio_ctx *c, size_t k, date_table *d))
{
    tables *tb = c->data;
    if (!tb || k >= tb->steps)
        return NULL;
    date_table *d = &tb->dates[k];
    int b = atomic_load_explicit(&d->built, memory_order_acquire);
    if (!b) {
#pragma omp critical(hs_ratio_model_table)
        {
            if (!atomic_load_explicit(&d->built, memory_order_relaxed)) {
                clock_t c0 = clock();
                int ok = build(c, k, d);
                d->seconds = (double)(clock() - c0) / CLOCKS_PER_SEC;
                atomic_store_explicit(&d->built, ok ? 1 : 2, memory_order_release);
            }
        }
        b = atomic_load_explicit(&d->built, memory_order_acquire);
    }
    return b == 1 ? d : NULL;
}

static int build_merton(const hs_ratio_ctx *c, size_t k, date_table *d)
{
    const hs_model *m = c->model;
    double t = (double)k * c->grid->dt;
    double sigma = hs_model_param(m, "sigma"), lambda = hs_model_param(m, "lambda");
    double mj = hs_model_param(m, "jump_mean"), sj = hs_model_param(m, "jump_std");
    double mu = hs_model_param(m, "mu");
    if (!isfinite(mu))
        mu = c->market->rate - c->market->dividend;
    double sd = sqrt((sigma * sigma + lambda * (mj * mj + sj * sj)) * t);
    double mid = log(c->market->spot) + mu * t;
    double half = RANGE_SDS * sd + RANGE_MARGIN;
    book_at ba = {c, k};
    hs_error e;
    return hs_delta_table_build(&d->t, mid - half, mid + half, merton_book_hedge, &ba, &e) == HS_OK;
}

/* The Merton table of step k; NULL when there is none (the formula). */
static const hs_delta_table *merton_table(const hs_ratio_ctx *c, size_t k)
{
    date_table *d = table_once(c, k, build_merton);
    return d ? &d->t : NULL;
}

/* The level v_hi with P(v_t > v_hi) <= V_TAIL for the CIR variance from v0: v_t is
 * c times a noncentral chi-square with d degrees of freedom and noncentrality l,
 * c = xi^2 (1 - e^{-kappa t}) / (4 kappa), d = 4 kappa theta / xi^2, l = v0 e^{-kappa t} / c,
 * whose log moment generating function is L(s) = -d/2 ln(1 - 2cs) + l c s / (1 - 2cs) for
 * s < 1 / (2c); Chernoff: P(v_t >= q) <= e^{L(s) - s q}, so any s gives a valid
 * q = (L(s) - ln V_TAIL) / s; the smallest over a grid of s is taken. */
static double cir_upper(double v0, double kappa, double theta, double xi, double t)
{
    const double ek = exp(-kappa * t);
    const double om = kappa * t > 0.0 ? -expm1(-kappa * t) / kappa : t; /* (1 - e^{-kt}) / k */
    const double mean = theta + (v0 - theta) * ek;
    const double c = xi * xi * om / 4.0;
    if (!(c > 1e-300))
        return fmax(fmax(mean, v0), theta) * (1.0 + 1e-9) + 1e-300;
    const double d = 4.0 * kappa * theta / (xi * xi), l = v0 * ek / c;
    double best = INFINITY;
    for (int i = 1; i < 400; i++) {
        const double f = i / 400.0, s = f / (2.0 * c); /* 1 - 2cs = 1 - f */
        const double ls = -0.5 * d * log1p(-f) + l * c * s / (1.0 - f);
        best = fmin(best, (ls - log(V_TAIL)) / s);
    }
    return fmax(best, mean);
}

static int build_heston(const hs_ratio_ctx *c, size_t k, date_table *d)
{
    const hs_model *m = c->model;
    const double t = (double)k * c->grid->dt;
    hs_heston_params p = {hs_model_param(m, "v0"), hs_model_param(m, "kappa"),
                          hs_model_param(m, "theta"), hs_model_param(m, "xi"),
                          hs_model_param(m, "rho")};
    double mu = hs_model_param(m, "mu");
    if (!isfinite(mu))
        mu = c->market->rate - c->market->dividend;
    hs_heston_leg legs[HS_MAX_LEGS];
    size_t n = 0;
    for (size_t j = 0; j < c->n_legs && n < HS_MAX_LEGS; j++) {
        const hs_leg *leg = &c->legs[j];
        if (leg->expiry_step <= k)
            continue;
        legs[n++] = (hs_heston_leg){leg->type == &hs_instrument_put ? HS_BS_PUT : HS_BS_CALL,
                                    leg->strike, leg->maturity - t, leg->quantity};
    }
    const double vbar = fmax(hs_heston_mean_variance(&p, t), 0.0);
    const double sd = sqrt(vbar * t);
    const double mid = log(c->market->spot) + (mu - 0.5 * vbar) * t;
    const double half = RANGE_SDS * sd + RANGE_MARGIN;
    double v_lo = p.v0, v_hi = p.v0;
    if (k > 0) {
        v_lo = 0.0;
        v_hi = cir_upper(p.v0, p.kappa, p.theta, p.xi, t);
    }
    hs_error e;
    int ok = n > 0 && hs_heston_table_build(&d->h, legs, n, c->market->rate, c->market->dividend,
                                            &p, mid - half, mid + half, v_lo, v_hi, &e) == HS_OK;
    return ok;
}

/* The Heston table of step k; NULL when there is none (the formula). */
static const hs_heston_table *heston_table(const hs_ratio_ctx *c, size_t k)
{
    date_table *d = table_once(c, k, build_heston);
    return d ? &d->h : NULL;
}

static hs_status begin(hs_ratio_ctx *c, hs_error *err)
{
    if (!c->model || c->consts[C_EXACT] != 0.0)
        return HS_OK;
    int kind = (int)c->consts[C_KIND];
    if (kind != KIND_MERTON && kind != KIND_HESTON)
        return HS_OK;
    tables *tb = calloc(1, sizeof *tb);
    if (tb)
        tb->dates = calloc(c->grid->steps ? c->grid->steps : 1, sizeof *tb->dates);
    if (!tb || !tb->dates) {
        free(tb);
        return hs_error_set(err, HS_ERUNTIME, "ratio = model: out of memory for delta tables");
    }
    tb->steps = c->grid->steps;
    c->data = tb;
    return HS_OK;
}

static void end(hs_ratio_ctx *c)
{
    tables *tb = c->data;
    if (!tb)
        return;
    for (size_t k = 0; k < tb->steps; k++)
        if (atomic_load(&tb->dates[k].built) == 1) {
            hs_delta_table_free(&tb->dates[k].t);
            hs_heston_table_free(&tb->dates[k].h);
        }
    free(tb->dates);
    free(tb);
    c->data = NULL;
}

static unsigned long long fallbacks(const hs_ratio_ctx *c)
{
    const tables *tb = c->data;
    return tb ? atomic_load(&tb->fallbacks) : 0;
}

static void target(const hs_ratio_ctx *c, size_t k, const hs_block *b, const double *state,
                   double *delta, double *gamma, double *units)
{
    (void)state, (void)units;
    int kind = (int)c->consts[C_KIND];
    const hs_model *m = c->model;
    if (kind == KIND_GBM) {
        hs_book_hedge_lanes(c, k, b, m->type->sigma(m), delta, gamma);
        return;
    }
    for (size_t i = 0; i < HS_BLOCK; i++)
        delta[i] = 0.0;
    if (gamma)
        for (size_t i = 0; i < HS_BLOCK; i++)
            gamma[i] = 0.0; /* band rules get no model gamma: they see a flat book */
    /* The lanes the formula serves: all of them, or those outside the date's table. */
    size_t lanes[HS_BLOCK], n_lanes = 0;
    const hs_delta_table *tab = kind == KIND_MERTON ? merton_table(c, k) : NULL;
    const hs_heston_table *htab = kind == KIND_HESTON ? heston_table(c, k) : NULL;
    if (tab || htab) {
        if (htab)
            hs_heston_table_eval_lanes(htab, b->logspot, b->state, delta, b->n);
        else
            hs_delta_table_eval_lanes(tab, b->logspot, delta, b->n);
        for (size_t i = 0; i < b->n; i++) {
            double h = delta[i];
            if (isnan(h)) {
                lanes[n_lanes++] = i;
                delta[i] = 0.0; /* the formula below adds up its legs */
            } else {
                delta[i] = h;
            }
        }
        if (n_lanes)
            atomic_fetch_add_explicit(&((tables *)c->data)->fallbacks, n_lanes,
                                      memory_order_relaxed);
    } else {
        for (size_t i = 0; i < b->n; i++)
            lanes[n_lanes++] = i;
    }
    double t = (double)k * c->grid->dt;
    for (size_t j = 0; j < c->n_legs; j++) {
        const hs_leg *leg = &c->legs[j];
        if (leg->expiry_step <= k)
            continue;
        double tau = leg->maturity - t;
        hs_bs_kind bk = leg->type == &hs_instrument_put ? HS_BS_PUT : HS_BS_CALL;
        for (size_t l = 0; l < n_lanes; l++) {
            size_t i = lanes[l];
            double d = NAN;
            if (kind == KIND_MERTON)
                d = merton_leg_delta(c, leg, b->spot[i], tau);
            else if (kind == KIND_HESTON)
                d = hs_heston_lane_delta(m, bk, b->spot[i], b->state[i], leg->strike, tau);
            /* A failed evaluation keeps the Black-Scholes delta at the leg's vol. */
            if (!isfinite(d))
                d = leg->type
                        ->greeks(b->spot[i], leg->strike, tau, c->market->rate, c->market->dividend,
                                 leg->vol)
                        .delta;
            delta[i] -= leg->quantity * d;
        }
    }
}

const hs_ratio_type hs_ratio_model = {
    .name = "model",
    .help = "the path model's own delta (gbm, merton series, heston semi-closed form)",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .prepare = prepare,
    .target = target,
    .begin = begin,
    .end = end,
    .fallbacks = fallbacks,
};
