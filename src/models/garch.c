/*
 * GARCH(1,1) on the simulation grid (T. Bollerslev, "Generalized autoregressive
 * conditional heteroskedasticity", J. Econometrics 31 (1986) 307-327, section 2 with
 * p = q = 1):
 *
 *   r_k     = mu_k + sqrt(h_k) e_k,                 e_k iid, mean 0, variance 1
 *   h_{k+1} = omega + alpha (r_k - mu_k)^2 + beta h_k
 *   S_{k+1} = S_k exp(r_k)
 *
 * Everything is per simulation step: omega and h are variances of one step's log
 * return, and mu is one step's mean log return.  GARCH is not closed under temporal
 * aggregation (Drost & Nijman, Econometrica 61 (1993) 909-927), so parameters fitted
 * on daily returns (`hedgesim calibrate garch`) describe daily steps: give the scenario
 * dt = 1/252 year (steps = 252 * horizon).
 *
 * Innovations: dist = normal draws a standard normal; dist = t draws one uniform and
 * inverts the Student-t CDF with nu degrees of freedom, scaled by sqrt((nu - 2) / nu) to
 * unit variance (Bollerslev, Rev. Econ. Stat. 69 (1987) 542-547).  Either way exactly
 * one draw per step and lane.  The inverse is a per-run table of gsl_cdf_tdist_Pinv
 * (student_t.c, in m->data, freed by release): within 1e-14 relative of the exact
 * quantile, where GSL's own Newton iteration costs about 1 us a draw.
 *
 * Mean: when mu is given it is the constant per-step mean of the fit.  By default the
 * mean uses the lane's current variance, mu_k = (rate - dividend) dt - h_k / 2, so that
 * with normal innovations E[S_{k+1} | S_k, h_k] = S_k e^{(rate - dividend) dt} exactly:
 * the price is a martingale after discounting, step by step (the risk-neutral
 * GARCH of Duan, Math. Finance 5 (1995) 13-32, with a zero price of risk).  For t
 * innovations E[e^{c e}] is infinite for every c > 0 (the t has no moment generating
 * function), so no exact correction exists; -h/2 is the correction to second order.
 *
 * Guards that never bind for parameters a market could have: the shock
 * sqrt(h_k) e_k is clipped to +-5 (a factor e^5 = 148 in one step; with h_k = 1e-4 that
 * is 500 standard deviations, so a normal never reaches it and a t only in its
 * 2^-52 tail), and h is capped at 1 (a per-step volatility of 100%).  prepare refuses an
 * unconditional or initial variance above 0.25 per step.  With them h and ln S stay
 * finite for every legal parameter, even nu just above 2, whose unit-variance t
 * inverted at the extreme uniforms reaches 5e4.
 *
 * sigma() is the annualised unconditional volatility sqrt(omega / (1 - alpha - beta) / dt).
 * Per-lane state: h in b->state[0 .. HS_BLOCK).
 */
#include <math.h>
#include <stdlib.h>

#include "hedgesim/model.h"
#include "simd.h"
#include "student_t.h"
#include "vmath.h"

enum { P_OMEGA, P_ALPHA, P_BETA, P_H0, P_DIST, P_NU, P_MU };
enum { C_OMEGA, C_ALPHA, C_BETA, C_H0, C_NU, C_TSCALE, C_DRIFT, C_MU, C_RISK_NEUTRAL };
enum { DIST_NORMAL, DIST_T };

/* Largest unconditional or initial per-step variance prepare accepts (50% per step). */
#define H_LIMIT 0.25
/* Cap of the per-step variance inside a path (100% per step). */
#define H_CAP 1.0
/* Clip of the shock sqrt(h) e of one step, in log return. */
#define SHOCK_CLIP 5.0

static const hs_param params[] = {
    {"omega", HS_PARAM_REAL, 0, H_LIMIT, 2e-6, "per-step variance",
     "constant of the variance recursion", NULL, HS_PARAM_MIN_OPEN},
    {"alpha", HS_PARAM_REAL, 0, 1, 0.08, "1", "weight of the last squared shock (ARCH term)", NULL,
     0},
    {"beta", HS_PARAM_REAL, 0, 1, 0.9, "1", "weight of the last variance (GARCH term)", NULL, 0},
    {"h0", HS_PARAM_REAL, 0, H_LIMIT, 0, "per-step variance",
     "initial variance (default: unconditional omega / (1 - alpha - beta))", NULL,
     HS_PARAM_MIN_OPEN | HS_PARAM_DERIVED},
    {"dist", HS_PARAM_NAME, 0, 0, 0, "name", "innovation law: normal or unit-variance Student t",
     "normal|t", 0},
    {"nu", HS_PARAM_REAL, 2, 1e5, 8, "1", "degrees of freedom of the t innovations", NULL,
     HS_PARAM_MIN_OPEN},
    {"mu", HS_PARAM_REAL, -0.1, 0.1, 0, "per-step log return",
     "mean log return of a step (default: (rate - dividend) dt - h/2, risk-neutral)", NULL,
     HS_PARAM_DERIVED},
};

static hs_status prepare(hs_model *m, hs_error *err)
{
    double omega = m->par[P_OMEGA], alpha = m->par[P_ALPHA], beta = m->par[P_BETA];
    double persistence = alpha + beta;
    if (!(persistence < 1.0))
        return hs_error_set(err, HS_EINPUT,
                            "%s: model 'garch': alpha + beta = %g + %g = %g is not below 1 "
                            "(expected a stationary variance, alpha + beta < 1)",
                            m->args->at[P_BETA], alpha, beta, persistence);
    double uncond = omega / (1.0 - persistence);
    if (!(uncond <= H_LIMIT))
        return hs_error_set(err, HS_EINPUT,
                            "%s: model 'garch': unconditional variance omega / (1 - alpha - beta) "
                            "= %g per step is above %g (a per-step volatility over 50%%; "
                            "expected per-step units, e.g. daily variances)",
                            m->args->at[P_OMEGA], uncond, H_LIMIT);
    double h0 = isnan(m->par[P_H0]) ? uncond : m->par[P_H0];
    m->par[P_H0] = h0;
    double nu = m->par[P_NU];
    m->consts[C_OMEGA] = omega;
    m->consts[C_ALPHA] = alpha;
    m->consts[C_BETA] = beta;
    m->consts[C_H0] = h0;
    m->consts[C_NU] = nu;
    m->consts[C_TSCALE] = sqrt((nu - 2.0) / nu);
    m->consts[C_DRIFT] = (m->market.rate - m->market.dividend) * m->grid.dt;
    m->consts[C_RISK_NEUTRAL] = isnan(m->par[P_MU]) ? 1.0 : 0.0;
    m->consts[C_MU] = isnan(m->par[P_MU]) ? 0.0 : m->par[P_MU];
    if (m->par[P_DIST] == DIST_T) {
        hs_tq_table *table = malloc(sizeof *table);
        if (!table)
            return hs_error_set(err, HS_ERUNTIME, "model 'garch': out of memory for the t table");
        if (hs_tq_init(table, nu) != 0) {
            free(table);
            return hs_error_set(err, HS_ERUNTIME,
                                "model 'garch': the Student-t quantiles for nu = %g are not finite",
                                nu);
        }
        m->data = table;
    }
    return HS_OK;
}

static void release(hs_model *m)
{
    free(m->data);
    m->data = NULL;
}

static void start(const hs_model *m, hs_block *b)
{
    double s0 = m->market.spot, l0 = log(s0), h0 = m->consts[C_H0];
    for (size_t i = 0; i < HS_PADDED(b->n); i++) {
        b->spot[i] = s0;
        b->logspot[i] = l0;
        b->state[i] = h0;
    }
}

/* One step of every lane: the mean is drift - rn * h/2 + mu, which is the risk-neutral
 * mean when rn = 1 (mu = 0) and the constant mu when rn = 0 (drift = 0). */
HS_KERNEL
static void advance(double *restrict spot, double *restrict logspot, double *restrict h,
                    const double *restrict e, double omega, double alpha, double beta, double drift,
                    double rn, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        double hk = h[i];
        /* The clamps as selects, not fmin and fmax: those are libm calls GCC does not
         * inline (without -ffinite-math-only), and a call kept this loop scalar, the exp
         * included (garch ran 17-22 ns a path-step).  Each select gives what fmin/fmax
         * gives for every double, NaN and signed zeros included (a NaN goes to the bound,
         * as fmax(NaN, b) = b), so the bits are the same. */
        double shock = sqrt(hk) * e[i];
        shock = shock > -SHOCK_CLIP ? shock : -SHOCK_CLIP;
        shock = shock < SHOCK_CLIP ? shock : SHOCK_CLIP;
        logspot[i] += drift - rn * 0.5 * hk + shock;
        spot[i] = hs_vexp(logspot[i]);
        double hn = omega + alpha * shock * shock + beta * hk;
        h[i] = hn < H_CAP ? hn : H_CAP;
    }
}

static void step(const hs_model *m, hs_block *b, size_t k)
{
    (void)k;
    size_t n = b->n, np = HS_PADDED(n);
    if (m->par[P_DIST] == DIST_T) {
        const hs_tq_table *table = m->data;
        double scale = m->consts[C_TSCALE];
        hs_uniform_fill_lanes(b->rng, b->z, n);
        hs_student_t_quantile_lanes(table, b->z, b->z, n);
        for (size_t i = 0; i < n; i++)
            b->z[i] *= scale;
    } else {
        hs_normal_fill_lanes(b->rng, b->z, n);
    }
    /* Padding lanes are computed but never used: give them a harmless shock. */
    for (size_t i = n; i < np; i++)
        b->z[i] = 0.0;
    double rn = m->consts[C_RISK_NEUTRAL];
    double drift = rn != 0.0 ? m->consts[C_DRIFT] : m->consts[C_MU];
    advance(b->spot, b->logspot, b->state, b->z, m->consts[C_OMEGA], m->consts[C_ALPHA],
            m->consts[C_BETA], drift, rn, np);
}

static double sigma(const hs_model *m)
{
    double uncond = m->par[P_OMEGA] / (1.0 - m->par[P_ALPHA] - m->par[P_BETA]);
    return sqrt(uncond / m->grid.dt);
}

const hs_model_type hs_model_garch = {
    .name = "garch",
    .help = "GARCH(1,1) of Bollerslev (1986) on the step, normal or Student-t innovations",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .prepare = prepare,
    .start = start,
    .step = step,
    .sigma = sigma,
    .release = release,
    .example = "omega = 2e-6\nalpha = 0.08\nbeta = 0.9\ndist = t\nnu = 8\n",
};
