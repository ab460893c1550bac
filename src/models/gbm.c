/*
 * Geometric Brownian motion with the exact log-normal step:
 *
 *   dS = mu S dt + sigma S dW   =>   ln S_{k+1} = ln S_k + (mu - sigma^2/2) dt + sigma sqrt(dt) Z_k
 *
 * with Z_k standard normal (Glasserman, "Monte Carlo Methods in Financial Engineering",
 * 2003, section 3.2.1, eq. 3.21).  There is no discretisation error: the law of S on the
 * grid is exact for any step.  mu is the real-world price drift; its default
 * rate - dividend makes the paths risk-neutral.
 */
#include <math.h>

#include "hedgesim/model.h"
#include "simd.h"
#include "vmath.h"

enum { P_SIGMA, P_MU };
enum { C_DRIFT, C_VOL };

static const hs_param params[] = {
    {"sigma", HS_PARAM_REAL, 0, 5, 0.2, "per sqrt(year)", "volatility", NULL, 0},
    {"mu", HS_PARAM_REAL, -5, 5, 0, "per year",
     "real-world drift of the price (default: rate - dividend)", NULL, HS_PARAM_DERIVED},
};

static hs_status prepare(hs_model *m, hs_error *err)
{
    (void)err;
    double sigma = m->par[P_SIGMA];
    double mu = isnan(m->par[P_MU]) ? m->market.rate - m->market.dividend : m->par[P_MU];
    m->par[P_MU] = mu;
    m->consts[C_DRIFT] = (mu - 0.5 * sigma * sigma) * m->grid.dt;
    m->consts[C_VOL] = sigma * sqrt(m->grid.dt);
    return HS_OK;
}

static void start(const hs_model *m, hs_block *b)
{
    double s0 = m->market.spot, l0 = log(s0);
    for (size_t i = 0; i < HS_PADDED(b->n); i++) {
        b->spot[i] = s0;
        b->logspot[i] = l0;
    }
}

HS_KERNEL
static void advance(double *restrict spot, double *restrict logspot, const double *restrict z,
                    double drift, double vol, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        logspot[i] += fma(vol, z[i], drift);
        spot[i] = hs_vexp(logspot[i]);
    }
}

static void step(const hs_model *m, hs_block *b, size_t k)
{
    (void)k;
    hs_normal_fill_lanes(b->rng, b->z, b->n);
    advance(b->spot, b->logspot, b->z, m->consts[C_DRIFT], m->consts[C_VOL], HS_PADDED(b->n));
}

static double sigma(const hs_model *m)
{
    return m->par[P_SIGMA];
}

const hs_model_type hs_model_gbm = {
    .name = "gbm",
    .help = "geometric Brownian motion, exact log-normal step",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .prepare = prepare,
    .start = start,
    .step = step,
    .sigma = sigma,
    .example = "sigma = 0.2\n",
};
