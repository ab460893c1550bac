/*
 * Hedge ratio `realized`: the Black-Scholes delta at a running estimate of volatility
 * from the path so far, so the hedger does not know the true vol:
 *
 *   EWMA (window = 0):  v_{k+1} = decay v_k + (1 - decay) x_k^2 / dt
 *   rolling (window W): v_k = (sum of the last min(k, W) x^2 + (W - min(k, W)) v_0 dt) / (W dt)
 *
 * with x_k = ln(S_{k+1} / S_k) (zero-mean convention of RiskMetrics, J.P. Morgan 1996,
 * Technical Document, section 5.2.1) and v_0 = init_vol^2 (default: the strategy's hedge
 * vol, else each leg's traded vol).  Until a window has filled, its missing returns
 * count at the prior, so the estimate moves smoothly from the prior to the data.  Each
 * lane then has its own vol, so the delta is evaluated leg by leg per lane.
 */
#include <math.h>
#include <string.h>

#include "hedgesim/instrument.h"
#include "hedgesim/strategy.h"

enum { P_DECAY, P_WINDOW, P_INIT_VOL };
enum { S_VAR, S_SUM, S_RING }; /* state arrays: estimate, rolling sum, ring buffer */

static const hs_param params[] = {
    {"decay", HS_PARAM_REAL, 0, 1, 0.94, "fraction", "EWMA decay per step (window = 0)", NULL,
     HS_PARAM_MIN_OPEN | HS_PARAM_MAX_OPEN | HS_PARAM_SWEEP},
    {"window", HS_PARAM_INT, 0, 1000, 0, "steps",
     "rolling window of returns (0 = EWMA with decay)", NULL, HS_PARAM_SWEEP},
    {"init_vol", HS_PARAM_REAL, 0, 5, 0, "per sqrt(year)",
     "prior vol before any return is seen (default: the hedge vol, else the traded vol)", NULL,
     HS_PARAM_DERIVED | HS_PARAM_MIN_OPEN | HS_PARAM_SWEEP},
};

static double prior_vol(const hs_ratio_ctx *c)
{
    if (!isnan(c->par[P_INIT_VOL]))
        return c->par[P_INIT_VOL];
    return isnan(c->vol) ? c->legs[0].vol : c->vol;
}

static size_t state_arrays(const hs_ratio_ctx *c)
{
    return S_RING + (size_t)c->par[P_WINDOW];
}

static void start(const hs_ratio_ctx *c, const hs_block *b, double *state)
{
    double v0 = prior_vol(c);
    size_t w = (size_t)c->par[P_WINDOW];
    for (size_t i = 0; i < HS_BLOCK; i++) {
        state[S_VAR * HS_BLOCK + i] = v0 * v0;
        state[S_SUM * HS_BLOCK + i] = 0.0;
    }
    for (size_t j = 0; j < w; j++)
        memset(state + (S_RING + j) * HS_BLOCK, 0, HS_BLOCK * sizeof *state);
    (void)b;
}

static void update(const hs_ratio_ctx *c, size_t k, const hs_block *b, const double *old_spot,
                   double *state)
{
    double dt = c->grid->dt, v0 = prior_vol(c);
    size_t w = (size_t)c->par[P_WINDOW];
    double *var = state + S_VAR * HS_BLOCK;
    if (w == 0) {
        double lam = c->par[P_DECAY];
        for (size_t i = 0; i < b->n; i++) {
            double x = log(b->spot[i] / old_spot[i]);
            var[i] = lam * var[i] + (1.0 - lam) * x * x / dt;
        }
        return;
    }
    double *sum = state + S_SUM * HS_BLOCK;
    double *slot = state + (S_RING + k % w) * HS_BLOCK;
    size_t seen = k + 1 < w ? k + 1 : w;
    for (size_t i = 0; i < b->n; i++) {
        double x = log(b->spot[i] / old_spot[i]);
        /* Re-add rather than subtract-and-add when the ring wraps would cost O(W);
         * the running sum drifts by rounding only at the level of 1e-16 per step. */
        sum[i] += x * x - slot[i];
        slot[i] = x * x;
        double s = sum[i] > 0.0 ? sum[i] : 0.0;
        var[i] = (s + (double)(w - seen) * v0 * v0 * dt) / ((double)w * dt);
    }
}

static void target(const hs_ratio_ctx *c, size_t k, const hs_block *b, const double *state,
                   double *delta, double *gamma, double *units)
{
    (void)units;
    const double *var = state + S_VAR * HS_BLOCK;
    double t = (double)k * c->grid->dt;
    for (size_t i = 0; i < HS_BLOCK; i++)
        delta[i] = 0.0;
    if (gamma)
        for (size_t i = 0; i < HS_BLOCK; i++)
            gamma[i] = 0.0;
    for (size_t j = 0; j < c->n_legs; j++) {
        const hs_leg *leg = &c->legs[j];
        if (leg->expiry_step <= k)
            continue;
        double tau = leg->maturity - t;
        for (size_t i = 0; i < b->n; i++) {
            hs_bs_greeks g = leg->type->greeks(b->spot[i], leg->strike, tau, c->market->rate,
                                               c->market->dividend, sqrt(var[i]));
            delta[i] -= leg->quantity * g.delta;
            if (gamma)
                gamma[i] -= leg->quantity * g.gamma;
        }
    }
}

const hs_ratio_type hs_ratio_realized = {
    .name = "realized",
    .help = "Black-Scholes delta at a running (EWMA or rolling) estimate of the vol",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .target = target,
    .start = start,
    .update = update,
    .state_arrays = state_arrays,
};
