/*
 * Model prices of the book's legs at each lane's state (model_price.h).
 *
 *   gbm:    Black-Scholes at the model's sigma (instrument.h greeks: calls, puts and
 *           digitals; Hull, 10th ed., section 19).
 *   merton: Merton's (1976) series (merton.h) at the lane's spot; calls and puts.
 *   heston: the semi-closed form (heston.h, Heston 1993 in Lewis's single integral) at the
 *           lane's spot and variance v = state[i]; calls and puts.  About 160 us per lane
 *           and leg, so at later dates a table per (leg, date) in (ln S, sqrt v) replaces
 *           it (below).
 *   regime: exact on the grid given the lane's state s = state[i]: the mixture over the
 *           law of the remaining occupation counts (regime_mix.c) of Black-Scholes at the
 *           average variance, or with jumps of Merton at the average variance and
 *           intensity (Hull & White 1987 mixing; the chain is independent of the
 *           returns' noises).  Calls and puts, and digitals without jumps.  Prices are
 *           risk-neutral: real-world `drifts` do not enter.
 *   garch:  Black-Scholes at the expected integrated variance over the remaining n steps,
 *             w = sum_{j=0}^{n-1} E[h_{k+j} | h_k]
 *           (hs_garch_integrated_variance, Bollerslev 1986), h_k = state[i] the variance
 *           of step k's return, plus for calls and puts the second-order term of the
 *           Hull-White expansion (Hull & White, J. Finance 42 (1987) 281-300) with the
 *           variance that matches the fourth moment of the GARCH return (garch_iv_moments).
 *           An approximation: it leaves out higher moments and GARCH's drift -h/2.
 *           Measured against the Monte Carlo price of hedgesim's own paths
 *           (tests/pricing/test_model_price.c): 0.25% at the money at the defaults (one
 *           month), 0.9% for a 5% out-of-the-money put, 0.5% from h three times its mean;
 *           7.5% where h has no fourth moment (README, "Model prices").
 *   bootstrap, replay: no model price (refused).
 *
 * Tables.  Under heston the price of a leg at step k > 0 comes from a two-dimensional
 * table (hs_heston_price_table_build: Chebyshev patches in (ln S, sqrt v) of the batched
 * Fourier price, heston_price_batch.c) over the ratio-model tables' range: ln S0 +
 * (r - q - vbar/2) t +- (8 sd + 0.1), v up to the CIR level exceeded with probability 1e-7;
 * error at its check points 2e-10 per unit of strike; measured against the formula,
 * 5.5e-9 in money, 2.7e-7 relative to prices above 0.01 (tested); 28 ms to build, then
 * 0.19 us a lane against 160 us.  Under merton and regime a price costs a series (about
 * 10 Black-Scholes values) or a mixture (up to n + 1 of them for two states), and the
 * caller may ask at every grid step for every lane (drawdown marks), so each (leg, step,
 * state) gets on first use a piecewise Chebyshev table of V / K as a function of
 * x = ln S (delta_table.h: error at most 2e-8 per unit of strike at its check points,
 * 1e-7 anywhere), over ln S0 + (r - q) t +- (8 sd(t) + 0.1 + |mu - (r - q)| t), sd(t)^2
 * the largest variance per year of ln S times t.  A table is built once, under one
 * critical section, from data that do not depend on the lanes, so every thread reads the
 * same bits; a lane outside the range uses the formula and is counted
 * (hs_model_pricer_fallbacks).  value0 always uses the formula.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/delta_table.h"
#include "hedgesim/garch.h"
#include "hedgesim/heston.h"
#include "hedgesim/instrument.h"
#include "hedgesim/merton.h"
#include "hedgesim/model_price.h"
#include "regime_mix.h"

enum { KIND_GBM, KIND_MERTON, KIND_HESTON, KIND_REGIME, KIND_GARCH };

/* Standard deviations of ln S_t on either side of its mean that a table covers, plus a
 * margin in ln S (the ratio_model tables' choice). */
#define RANGE_SDS 8.0
#define RANGE_MARGIN 0.1

/* One table: built is 0 (not yet), 1 (ready) or 2 (none: the formula). */
typedef struct price_table {
    _Atomic int built;
    hs_delta_table t;  /* merton, regime */
    hs_heston_table h; /* heston */
} price_table;

struct hs_model_pricer {
    const hs_model *m;
    const hs_leg *legs;
    size_t n_legs;
    int kind;
    double sigma;              /* gbm */
    hs_merton_jumps jumps;     /* merton */
    hs_heston_params hp;       /* heston (v0 replaced by the lane's variance) */
    double omega, alpha, beta; /* garch, per step */
    double kurt;               /* garch: E[e^4] of the innovations (inf: none) */
    double c4;                 /* garch: alpha^2 E[e^4] + 2 alpha beta + beta^2 */
    double *g_sums;            /* garch: [L][2], sum_{d=1}^{L} a_{d-1} and p^{d-1}, L <= steps */
    hs_regime_mix mix;         /* regime */
    double var_max;            /* the largest variance per year of ln S (table ranges) */
    double drift_dev;          /* the largest |mu - (r - q)| per year (table ranges) */
    size_t steps, n_states;
    price_table *tabs; /* [n_legs][steps + 1][n_states], merton and regime */
    _Atomic unsigned long long fallbacks;
};

static int model_kind(const hs_model_type *t)
{
    static const char *const names[] = {"gbm", "merton", "heston", "regime", "garch"};
    for (int i = 0; t && i < 5; i++)
        if (!strcmp(t->name, names[i]))
            return i;
    return -1;
}

int hs_model_has_price(const hs_model_type *type)
{
    return model_kind(type) >= 0;
}

static int is_vanilla(const hs_leg *leg)
{
    return leg->type == &hs_instrument_call || leg->type == &hs_instrument_put;
}

static hs_bs_kind bs_kind(const hs_leg *leg)
{
    return leg->type == &hs_instrument_put ? HS_BS_PUT : HS_BS_CALL;
}

/* The largest expiry step of the legs (the regime mixtures' depth). */
static size_t last_expiry(const hs_leg *legs, size_t n)
{
    size_t e = 0;
    for (size_t j = 0; j < n; j++)
        e = legs[j].expiry_step > e ? legs[j].expiry_step : e;
    return e;
}

static hs_status setup(hs_model_pricer *p, hs_error *err)
{
    const hs_model *m = p->m;
    const double rq = m->market.rate - m->market.dividend;
    double mu;
    switch (p->kind) {
    case KIND_GBM:
        p->sigma = m->type->sigma(m);
        return HS_OK;
    case KIND_MERTON:
        p->sigma = hs_model_param(m, "sigma");
        p->jumps = (hs_merton_jumps){hs_model_param(m, "lambda"), hs_model_param(m, "jump_mean"),
                                     hs_model_param(m, "jump_std")};
        p->var_max = p->sigma * p->sigma + p->jumps.lambda * (p->jumps.mean * p->jumps.mean +
                                                              p->jumps.std * p->jumps.std);
        mu = hs_model_param(m, "mu");
        p->drift_dev = isfinite(mu) ? fabs(mu - rq) : 0.0;
        p->n_states = 1;
        return HS_OK;
    case KIND_HESTON:
        p->hp = (hs_heston_params){hs_model_param(m, "v0"), hs_model_param(m, "kappa"),
                                   hs_model_param(m, "theta"), hs_model_param(m, "xi"),
                                   hs_model_param(m, "rho")};
        mu = hs_model_param(m, "mu");
        p->drift_dev = isfinite(mu) ? fabs(mu - rq) : 0.0;
        p->n_states = 1;
        return HS_OK;
    case KIND_GARCH:
        p->omega = hs_model_param(m, "omega");
        p->alpha = hs_model_param(m, "alpha");
        p->beta = hs_model_param(m, "beta");
        {
            /* dist is a NAME row: 0 normal, 1 t (garch.h's hs_garch_dist). */
            const double nu = hs_model_param(m, "nu");
            p->kurt = hs_model_param(m, "dist") == 1.0
                          ? (nu > 4.0 ? 3.0 * (nu - 2.0) / (nu - 4.0) : INFINITY)
                          : 3.0;
            p->c4 = p->alpha * p->alpha * p->kurt + 2.0 * p->alpha * p->beta + p->beta * p->beta;
        }
        p->g_sums = malloc(2 * (m->grid.steps + 1) * sizeof *p->g_sums);
        if (!p->g_sums)
            return hs_error_set(err, HS_ERUNTIME, "out of memory for the model pricer");
        {
            double a = 0.0, pd = 1.0, sa = 0.0, sp = 0.0; /* a_{d-1}, p^{d-1}, their sums */
            p->g_sums[0] = p->g_sums[1] = 0.0;
            for (size_t l = 1; l <= m->grid.steps; l++) {
                sa += a, sp += pd;
                a = p->omega + (p->alpha + p->beta) * a;
                pd *= p->alpha + p->beta;
                p->g_sums[2 * l] = sa;
                p->g_sums[2 * l + 1] = sp;
            }
        }
        return HS_OK;
    default: { /* regime */
        hs_status st = hs_regime_mix_build(&p->mix, m, last_expiry(p->legs, p->n_legs), err);
        if (st)
            return st;
        p->n_states = p->mix.states;
        const double jv = p->mix.jump_mean * p->mix.jump_mean + p->mix.jump_std * p->mix.jump_std;
        const double *d = m->data;
        const size_t k = p->n_states;
        for (size_t s = 0; s < k; s++) {
            const double sv = d[2 * k * k + 3 * k + s];
            const double lam = p->mix.jumps ? m->args->list[5][s] : 0.0;
            p->var_max = fmax(p->var_max, sv * sv / m->grid.dt + lam * jv);
            if (m->args && m->args->list_n[2] == k)
                p->drift_dev = fmax(p->drift_dev, fabs(m->args->list[2][s] - rq));
        }
        return HS_OK;
    }
    }
}

hs_status hs_model_pricer_new(const hs_model *m, const hs_leg *legs, size_t n_legs,
                              hs_model_pricer **out, hs_error *err)
{
    *out = NULL;
    int kind = model_kind(m->type);
    if (kind < 0)
        return hs_error_set(err, HS_EINPUT,
                            "model '%s' has no price in the library (expected gbm, merton, "
                            "heston, regime or garch, or mark = implied)",
                            m->type->name);
    for (size_t j = 0; j < n_legs; j++) {
        const int jumps = kind == KIND_REGIME && m->consts[2] != 0.0;
        if (!is_vanilla(&legs[j]) && (kind == KIND_MERTON || kind == KIND_HESTON || jumps))
            return hs_error_set(err, HS_EINPUT,
                                "leg [%s] is a %s: model '%s'%s prices only calls and puts "
                                "(expected a call or put, or mark = implied)",
                                legs[j].name, legs[j].type->name, m->type->name,
                                jumps ? " with jumps" : "");
    }
    hs_model_pricer *p = calloc(1, sizeof *p);
    if (!p)
        return hs_error_set(err, HS_ERUNTIME, "out of memory for the model pricer");
    p->m = m;
    p->legs = legs;
    p->n_legs = n_legs;
    p->kind = kind;
    p->steps = m->grid.steps;
    hs_status st = setup(p, err);
    if (!st && (kind == KIND_MERTON || kind == KIND_REGIME || kind == KIND_HESTON)) {
        p->n_states = p->n_states ? p->n_states : 1;
        p->tabs = calloc(n_legs * (p->steps + 1) * p->n_states + 1, sizeof *p->tabs);
        if (!p->tabs)
            st = hs_error_set(err, HS_ERUNTIME, "out of memory for the model price tables");
    }
    if (st) {
        hs_model_pricer_free(p);
        return st;
    }
    *out = p;
    return HS_OK;
}

/* The regime price of leg at spot, n remaining steps and time to expiry tau, from state s. */
static double regime_price(const hs_model_pricer *p, const hs_leg *leg, double spot, size_t n,
                           double tau, size_t s)
{
    const hs_market *mk = &p->m->market;
    const hs_regime_mix *mx = &p->mix;
    const size_t a0 = mx->first[n * mx->states + s], a1 = mx->first[n * mx->states + s + 1];
    double v = 0.0;
    for (size_t a = a0; a < a1; a++) {
        const hs_regime_atom *at = &mx->atoms[a];
        const double sig = sqrt(at->var);
        double x;
        if (mx->jumps) {
            hs_merton_jumps j = {at->lambda, mx->jump_mean, mx->jump_std};
            hs_merton_value mv;
            x = hs_merton_eval(bs_kind(leg), spot, leg->strike, tau, mk->rate, mk->dividend, sig,
                               &j, &mv, NULL) == HS_OK
                    ? mv.value
                    : NAN;
        } else {
            x = leg->type->greeks(spot, leg->strike, tau, mk->rate, mk->dividend, sig).value;
        }
        v += at->weight * x;
    }
    return v;
}

/* The mean w = E[I] of the integrated variance I = sum_{j<n} h_{k+j} given h_k = h, and
 * the variance V that a Hull-White mixture sqrt(I) Z would need to have the fourth moment
 * of the GARCH log return R = sum_j sqrt(h_{k+j}) e_{k+j} (drift aside):
 *
 *   E[R^4] = K sum_j q_j + 6 sum_{i<j} E[h_i e_i^2 h_j],     K = E[e^4],
 *   E[h_i e_i^2 h_j] = a_{d-1} m_i + p^{d-1} (omega m_i + (alpha K + beta) q_i),  d = j - i,
 *
 * (every other term of the expansion has one e to an odd power, whose sign flips nothing
 * else: h depends on the e^2 alone), with m_j = E h_{k+j}, q_j = E h_{k+j}^2 from
 *   m_{j+1} = omega + p m_j,   q_{j+1} = omega^2 + 2 omega p m_j + c q_j,
 *   p = alpha + beta,  c = alpha^2 K + 2 alpha beta + beta^2,
 * and E[h_j | h_{i+1}] = a_{j-i-1} + p^{j-i-1} h_{i+1}, a_d = omega (1 + .. + p^{d-1}).
 * The mixture has E[R^4] = 3 E[I^2], so V = E[R^4] / 3 - w^2.  Matching the fourth moment
 * instead of using Var(I) itself takes in the feedback of each return into the later
 * variances (a large |e_i| raises h_j), which the plain mixture leaves out: measured, it
 * cut the gap to Monte Carlo at the money from 1.5% to 0.25% (README).  O(n) a lane. */
static void garch_iv_moments(const hs_model_pricer *p, size_t n, double h, double *mean,
                             double *var)
{
    const double pp = p->alpha + p->beta, ak = p->alpha * p->kurt + p->beta;
    double m = h, q = h * h, s1 = 0.0, s2 = 0.0, cross = 0.0;
    /* One forward pass: step i meets the sums of a_{d-1} and p^{d-1} over d = 1 .. L,
     * L = n - 1 - i, which depend on the parameters alone (p->g_sums, made once). */
    for (size_t i = 0; i < n; i++) {
        const size_t l = n - 1 - i;
        s1 += m;
        s2 += q;
        cross += m * p->g_sums[2 * l] + (p->omega * m + ak * q) * p->g_sums[2 * l + 1];
        const double m2 = p->omega + pp * m;
        q = p->omega * p->omega + 2.0 * p->omega * pp * m + p->c4 * q;
        m = m2;
    }
    *mean = s1;
    *var = fmax(p->kurt / 3.0 * s2 + 2.0 * cross - s1 * s1, 0.0);
}

/* GARCH: Black-Scholes at the expected integrated variance w = E[I], plus for calls and
 * puts the second-order Hull-White term (1/2) V d^2 C / dw^2 with V from garch_iv_moments,
 * d^2 C / dw^2 = S e^{-q tau} phi(d1) (d1 d2 - 1) / (4 w^{3/2})  (Hull & White 1987),
 * where h has a stationary fourth moment (c < 1; Bollerslev 1986, Theorem 2): beyond it
 * the moments grow so fast that the expansion overshoots (measured: 16% below Monte Carlo
 * at alpha 0.15, beta 0.83), and the first term alone is used (7.5% above). */
static double garch_price(const hs_model_pricer *p, const hs_leg *leg, double spot, double tau,
                          size_t n, double h)
{
    const hs_market *mk = &p->m->market;
    double w, var;
    if (is_vanilla(leg) && p->c4 < 1.0)
        garch_iv_moments(p, n, h, &w, &var);
    else
        w = hs_garch_integrated_variance(p->omega, p->alpha, p->beta, h, n), var = 0.0;
    double v =
        leg->type->greeks(spot, leg->strike, tau, mk->rate, mk->dividend, sqrt(w / tau)).value;
    if (var > 0.0 && w > 0.0) {
        const double sw = sqrt(w);
        const double d1 = (log(spot / leg->strike) + (mk->rate - mk->dividend) * tau) / sw +
                          0.5 * sw,
                     d2 = d1 - sw;
        const double phi = exp(-0.5 * d1 * d1) / sqrt(2.0 * 3.14159265358979323846);
        v += 0.5 * var * spot * exp(-mk->dividend * tau) * phi * (d1 * d2 - 1.0) / (4.0 * w * sw);
    }
    return v;
}

/* The formula: value per unit of leg j at step k (k < expiry), spot and state. */
static double formula(const hs_model_pricer *p, const hs_leg *leg, size_t k, double spot,
                      double state)
{
    const hs_market *mk = &p->m->market;
    const double tau = leg->maturity - (double)k * p->m->grid.dt;
    switch (p->kind) {
    case KIND_GBM:
        return leg->type->greeks(spot, leg->strike, tau, mk->rate, mk->dividend, p->sigma).value;
    case KIND_MERTON: {
        hs_merton_value v;
        return hs_merton_eval(bs_kind(leg), spot, leg->strike, tau, mk->rate, mk->dividend,
                              p->sigma, &p->jumps, &v, NULL) == HS_OK
                   ? v.value
                   : NAN;
    }
    case KIND_HESTON: {
        hs_heston_params hp = p->hp;
        hp.v0 = fmax(state, 0.0);
        hs_heston_value v;
        return hs_heston_eval(bs_kind(leg), spot, leg->strike, tau, mk->rate, mk->dividend, &hp, &v,
                              NULL) == HS_OK
                   ? v.value
                   : NAN;
    }
    case KIND_GARCH:
        return garch_price(p, leg, spot, tau, leg->expiry_step - k, state);
    default: {
        size_t s = state >= 0.0 && state < (double)p->n_states ? (size_t)state : 0;
        return regime_price(p, leg, spot, leg->expiry_step - k, tau, s);
    }
    }
}

/* What a table tabulates: V / K at S = e^x. */
typedef struct table_fn {
    const hs_model_pricer *p;
    const hs_leg *leg;
    size_t k;
    double state;
} table_fn;

static double table_value(double x, void *user)
{
    const table_fn *f = user;
    return formula(f->p, f->leg, f->k, exp(x), f->state) / f->leg->strike;
}

/* The level v_hi with P(v_t > v_hi) <= V_TAIL for the CIR variance from v0 (the Chernoff
 * bound of src/hedging/ratio_model.c, which has its derivation: v_t is c times a
 * noncentral chi-square, c = xi^2 (1 - e^{-kappa t}) / (4 kappa), d = 4 kappa theta / xi^2,
 * l = v0 e^{-kappa t} / c; P(v_t >= q) <= e^{L(s) - s q}, minimised over a grid of s). */
#define V_TAIL 1e-7
static double cir_upper(const hs_heston_params *p, double t)
{
    const double ek = exp(-p->kappa * t);
    const double om = p->kappa * t > 0.0 ? -expm1(-p->kappa * t) / p->kappa : t;
    const double mean = p->theta + (p->v0 - p->theta) * ek;
    const double c = p->xi * p->xi * om / 4.0;
    if (!(c > 1e-300))
        return fmax(fmax(mean, p->v0), p->theta) * (1.0 + 1e-9) + 1e-300;
    const double d = 4.0 * p->kappa * p->theta / (p->xi * p->xi), l = p->v0 * ek / c;
    double best = INFINITY;
    for (int i = 1; i < 400; i++) {
        const double f = i / 400.0, s = f / (2.0 * c);
        const double ls = -0.5 * d * log1p(-f) + l * c * s / (1.0 - f);
        best = fmin(best, (ls - log(V_TAIL)) / s);
    }
    return fmax(best, mean);
}

/* The Heston price table of leg j at step k over the ratio-model tables' range: x in
 * ln S0 + (r - q - vbar/2) t +- (8 sd + 0.1 + |mu - (r - q)| t), sd^2 = vbar(t) t, and
 * v in [0, v_hi(t)] (v0 alone at t = 0). */
static int build_heston(hs_model_pricer *p, size_t j, size_t k, price_table *d)
{
    const hs_model *m = p->m;
    const hs_leg *leg = &p->legs[j];
    const double t = (double)k * m->grid.dt, rq = m->market.rate - m->market.dividend;
    const double vbar = fmax(hs_heston_mean_variance(&p->hp, t), 0.0);
    const double mid = log(m->market.spot) + (rq - 0.5 * vbar) * t;
    const double half = RANGE_SDS * sqrt(vbar * t) + RANGE_MARGIN + p->drift_dev * t;
    const double v_lo = k ? 0.0 : p->hp.v0, v_hi = k ? cir_upper(&p->hp, t) : p->hp.v0;
    hs_heston_leg hl = {bs_kind(leg), leg->strike, leg->maturity - t, 1.0};
    return hs_heston_price_table_build(&d->h, &hl, 1, m->market.rate, m->market.dividend, &p->hp,
                                       mid - half, mid + half, v_lo, v_hi, NULL) == HS_OK;
}

/* The table of (leg j, step k, state s), built on first use under one critical section:
 * the same table whichever thread asks first.  NULL: none (the formula). */
static const price_table *table_once(const hs_model_pricer *cp, size_t j, size_t k, size_t s)
{
    hs_model_pricer *p = (hs_model_pricer *)cp; /* tables are the pricer's lazy cache */
    price_table *d = &p->tabs[(j * (p->steps + 1) + k) * p->n_states + s];
    int b = atomic_load_explicit(&d->built, memory_order_acquire);
    if (!b) {
#pragma omp critical(hs_model_price_table)
        {
            if (!atomic_load_explicit(&d->built, memory_order_relaxed)) {
                const hs_model *m = p->m;
                const double t = (double)k * m->grid.dt;
                const double mid = log(m->market.spot) + (m->market.rate - m->market.dividend) * t;
                const double half =
                    RANGE_SDS * sqrt(p->var_max * t) + RANGE_MARGIN + p->drift_dev * t;
                table_fn f = {p, &p->legs[j], k, (double)s};
                int ok = p->kind == KIND_HESTON
                             ? build_heston(p, j, k, d)
                             : hs_delta_table_build(&d->t, mid - half, mid + half, table_value, &f,
                                                    NULL) == HS_OK;
                atomic_store_explicit(&d->built, ok ? 1 : 2, memory_order_release);
            }
        }
        b = atomic_load_explicit(&d->built, memory_order_acquire);
    }
    return b == 1 ? d : NULL;
}

void hs_model_pricer_value(const hs_model_pricer *p, size_t j, size_t k, const double *spot,
                           const double *state, size_t n, double *out)
{
    const hs_leg *leg = &p->legs[j];
    const double tau = leg->maturity - (double)k * p->m->grid.dt;
    if (k >= leg->expiry_step || tau <= 0.0) {
        for (size_t i = 0; i < n; i++)
            out[i] = k == leg->expiry_step ? leg->type->payoff(spot[i], leg->strike) : 0.0;
        return;
    }
    if (p->tabs && k <= p->steps) {
        unsigned long long miss = 0;
        for (size_t i = 0; i < n; i++) {
            size_t s = 0;
            if (p->kind == KIND_REGIME)
                s = state[i] >= 0.0 && state[i] < (double)p->n_states ? (size_t)state[i] : 0;
            const price_table *t = table_once(p, j, k, s);
            double v = NAN;
            if (t && p->kind == KIND_HESTON)
                v = hs_heston_table_eval(&t->h, log(spot[i]), fmax(state[i], 0.0));
            else if (t)
                v = hs_delta_table_eval(&t->t, log(spot[i])) * leg->strike;
            if (isnan(v)) {
                out[i] = formula(p, leg, k, spot[i], state[i]);
                miss++;
            } else {
                out[i] = v;
            }
        }
        if (miss)
            atomic_fetch_add_explicit(&((hs_model_pricer *)p)->fallbacks, miss,
                                      memory_order_relaxed);
        return;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = formula(p, leg, k, spot[i], state[i]);
}

double hs_model_pricer_value0(const hs_model_pricer *p, size_t j)
{
    const hs_leg *leg = &p->legs[j];
    const hs_model *m = p->m;
    const double s0 = m->market.spot;
    if (leg->expiry_step == 0)
        return leg->type->payoff(s0, leg->strike);
    switch (p->kind) {
    case KIND_HESTON:
        return formula(p, leg, 0, s0, p->hp.v0);
    case KIND_GARCH:
        return formula(p, leg, 0, s0, m->consts[3]); /* garch.c's C_H0, the prepared h0 */
    case KIND_REGIME: {
        double v = 0.0;
        for (size_t s = 0; s < p->n_states; s++)
            if (p->mix.start[s] > 0.0)
                v += p->mix.start[s] * formula(p, leg, 0, s0, (double)s);
        return v;
    }
    default:
        return formula(p, leg, 0, s0, 0.0);
    }
}

hs_status hs_model_book_value(const hs_model *m, const hs_leg *legs, size_t n_legs, double *value,
                              hs_error *err)
{
    *value = NAN;
    hs_model_pricer *p;
    hs_status st = hs_model_pricer_new(m, legs, n_legs, &p, err);
    if (st)
        return st;
    double v = 0.0;
    for (size_t j = 0; j < n_legs; j++)
        v += legs[j].quantity * hs_model_pricer_value0(p, j);
    hs_model_pricer_free(p);
    *value = v;
    return HS_OK;
}

unsigned long long hs_model_pricer_fallbacks(const hs_model_pricer *p)
{
    return p ? atomic_load(&((hs_model_pricer *)p)->fallbacks) : 0;
}

void hs_model_pricer_free(hs_model_pricer *p)
{
    if (!p)
        return;
    if (p->tabs) {
        const size_t n = p->n_legs * (p->steps + 1) * p->n_states;
        for (size_t i = 0; i < n; i++)
            if (atomic_load(&p->tabs[i].built) == 1) {
                hs_delta_table_free(&p->tabs[i].t);
                hs_heston_table_free(&p->tabs[i].h);
            }
        free(p->tabs);
    }
    if (p->kind == KIND_REGIME)
        hs_regime_mix_free(&p->mix);
    free(p->g_sums);
    free(p);
}
