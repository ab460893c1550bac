/*
 * Merton (1976) jump diffusion with the exact step on the grid:
 *
 *   dS/S = (mu - lambda k) dt + sigma dW + (Y - 1) dN,   ln Y ~ N(mu_J, delta^2),
 *   k = E[Y - 1] = exp(mu_J + delta^2/2) - 1,
 *
 *   ln S_{k+1} = ln S_k + (mu - lambda k - sigma^2/2) dt + sigma sqrt(dt) Z_1
 *                + N mu_J + delta sqrt(N) Z_2,               N ~ Poisson(lambda dt)
 *
 * (R.C. Merton, J. Financial Economics 3 (1976) 125-144, section 2; Glasserman, "Monte Carlo
 * Methods in Financial Engineering", 2003, section 3.5.1).  Given N = n the
 * sum of n independent N(mu_J, delta^2) log jumps is exactly N(n mu_J, n delta^2), so one
 * normal carries all the jumps of a step and the law of S on the grid is exact for any
 * step size.  The compensator -lambda k makes E[S_{k+1} | S_k] = S_k e^{mu dt}; with the
 * default mu = rate - dividend the paths are risk-neutral and Merton's series
 * (pricing/merton.c) prices their options.
 *
 * Draws per step and lane, always three and in this order: Z_1 (diffusion), U (the
 * number of jumps, by inversion of the Poisson CDF), Z_2 (the jump sum; drawn even when
 * N = 0 so the count never depends on the path).  The Poisson CDF of the fixed mean
 * lambda dt is tabulated once in prepare (m->data, by hs_poisson_table in poisson.c,
 * shared with models/regime.c) up to the point where the mass left beyond the table is
 * below 2^-60, under the 2^-52 resolution of a uniform; a uniform above the last
 * tabulated value maps to the last entry.
 *
 * sigma() is the total volatility sqrt(sigma^2 + lambda (mu_J^2 + delta^2)): the
 * variance per year of ln S, diffusion plus compound Poisson (lambda E[(ln Y)^2]).  It is
 * what a hedger estimating volatility from returns would see, and the default traded vol.
 */
#include <math.h>
#include <stdlib.h>

#include "hedgesim/model.h"
#include "poisson.h"
#include "simd.h"
#include "vmath.h"

enum { P_SIGMA, P_LAMBDA, P_JUMP_MEAN, P_JUMP_STD, P_MU };
enum { C_DRIFT, C_VOL, C_JUMP_MEAN, C_JUMP_STD, C_TABLE_LEN };

static const hs_param params[] = {
    {"sigma", HS_PARAM_REAL, 0, 5, 0.2, "per sqrt(year)", "volatility of the diffusion part", NULL,
     0},
    {"lambda", HS_PARAM_REAL, 0, 100, 1, "jumps per year", "jump intensity", NULL, 0},
    {"jump_mean", HS_PARAM_REAL, -1, 1, -0.1, "log return", "mean of the log jump size (mu_J)",
     NULL, 0},
    {"jump_std", HS_PARAM_REAL, 0, 1, 0.15, "log return",
     "standard deviation of the log jump size (delta)", NULL, 0},
    {"mu", HS_PARAM_REAL, -5, 5, 0, "per year",
     "real-world drift of the price, jumps included (default: rate - dividend)", NULL,
     HS_PARAM_DERIVED},
};

static hs_status prepare(hs_model *m, hs_error *err)
{
    double sigma = m->par[P_SIGMA], lambda = m->par[P_LAMBDA];
    double jmean = m->par[P_JUMP_MEAN], jstd = m->par[P_JUMP_STD];
    double mu = isnan(m->par[P_MU]) ? m->market.rate - m->market.dividend : m->par[P_MU];
    m->par[P_MU] = mu;
    double kappa = expm1(jmean + 0.5 * jstd * jstd), dt = m->grid.dt;
    m->consts[C_DRIFT] = (mu - lambda * kappa - 0.5 * sigma * sigma) * dt;
    m->consts[C_VOL] = sigma * sqrt(dt);
    m->consts[C_JUMP_MEAN] = jmean;
    m->consts[C_JUMP_STD] = jstd;
    size_t len = 0;
    double *table = hs_poisson_table(lambda * dt, &len);
    if (!table)
        return hs_error_set(err, HS_ERUNTIME, "model 'merton': out of memory for the jump table");
    m->data = table;
    m->consts[C_TABLE_LEN] = (double)len;
    return HS_OK;
}

static void release(hs_model *m)
{
    free(m->data);
    m->data = NULL;
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
                    const double *restrict jumps, const double *restrict amp,
                    const double *restrict zj, double drift, double vol, double jmean, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        logspot[i] += drift + vol * z[i] + jumps[i] * jmean + amp[i] * zj[i];
        spot[i] = hs_vexp(logspot[i]);
    }
}

/* jumps[i] = hs_poisson_invert(table, len, u[i]) and amp[i] = jstd sqrt(jumps[i]) (0 for
 * no jump), in vector passes: the table's head compared for every lane, the invert for
 * the rare lane beyond it.  The per-lane search with a branch on u <= e^{-lambda dt} was
 * 16% of a Merton run. */
HS_KERNEL static void jump_counts(const double *restrict table, size_t len,
                                  const double *restrict u, double *restrict jumps,
                                  double *restrict amp, double jstd, size_t n)
{
    const size_t head = len - 1 < HS_POISSON_HEAD ? len - 1 : HS_POISSON_HEAD;
    for (size_t i = 0; i < n; i++)
        jumps[i] = 0.0;
    hs_poisson_count_lanes(table, head, u, jumps, n);
    if (head < len - 1) {
        int beyond = 0;
        for (size_t i = 0; i < n; i++)
            beyond |= jumps[i] == (double)head;
        if (beyond)
            for (size_t i = 0; i < n; i++)
                if (jumps[i] == (double)head)
                    jumps[i] = (double)hs_poisson_invert(table, len, u[i]);
    }
    /* sqrt(1) = 1 exactly: without a lane of two jumps or more (the usual block) the
     * amplitudes need no square root. */
    int several = 0;
    for (size_t i = 0; i < n; i++)
        several |= jumps[i] > 1.0;
    if (several)
        for (size_t i = 0; i < n; i++)
            amp[i] = jumps[i] != 0.0 ? jstd * sqrt(jumps[i]) : 0.0;
    else
        for (size_t i = 0; i < n; i++)
            amp[i] = jumps[i] != 0.0 ? jstd : 0.0;
}

static void step(const hs_model *m, hs_block *b, size_t k)
{
    (void)k;
    double u[HS_BLOCK], zj[HS_BLOCK], jumps[HS_BLOCK], amp[HS_BLOCK];
    const double *table = m->data;
    size_t len = (size_t)m->consts[C_TABLE_LEN], n = b->n, np = HS_PADDED(n);
    double jstd = m->consts[C_JUMP_STD];

    hs_normal_fill_lanes(b->rng, b->z, n);
    hs_uniform_fill_lanes(b->rng, u, n);
    hs_normal_fill_lanes(b->rng, zj, n);
    jump_counts(table, len, u, jumps, amp, jstd, n);
    /* Padding lanes are computed but never used: give them harmless values. */
    for (size_t i = n; i < np; i++)
        b->z[i] = zj[i] = jumps[i] = amp[i] = 0.0;
    advance(b->spot, b->logspot, b->z, jumps, amp, zj, m->consts[C_DRIFT], m->consts[C_VOL],
            m->consts[C_JUMP_MEAN], np);
}

static double sigma(const hs_model *m)
{
    double s = m->par[P_SIGMA], jm = m->par[P_JUMP_MEAN], js = m->par[P_JUMP_STD];
    return sqrt(s * s + m->par[P_LAMBDA] * (jm * jm + js * js));
}

const hs_model_type hs_model_merton = {
    .name = "merton",
    .help = "Merton (1976) jump diffusion, exact step (Poisson count, one normal for the jumps)",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .prepare = prepare,
    .start = start,
    .step = step,
    .sigma = sigma,
    .release = release,
    .example = "sigma = 0.2\nlambda = 1\njump_mean = -0.1\njump_std = 0.15\n",
};
