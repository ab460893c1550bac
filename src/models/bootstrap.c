/*
 * Stationary block bootstrap of historical log returns (D.N. Politis and J.P. Romano,
 * "The stationary bootstrap", JASA 89 (1994) 1303-1313, section 2).
 *
 * From a price series P_0 .. P_n (one column of a CSV file, csv.h) take the log returns
 * r_j = ln(P_{j+1} / P_j), j = 0 .. n-1.  A path is a sequence of indices J_k:
 *
 *   J_0 uniform on {0 .. n-1};
 *   J_{k+1} = uniform on {0 .. n-1}   with probability p = 1 / block,
 *           = (J_k + 1) mod n         otherwise (the block goes on, wrapping around),
 *
 *   ln S_{k+1} = ln S_k + r'_{J_k},
 *
 * so the returns come in blocks of geometric length with mean `block` (Politis & Romano's
 * p = 1/block), which keeps the short-range dependence of the data (volatility
 * clustering) that an i.i.d. bootstrap (block = 1) destroys, and, unlike fixed blocks,
 * gives a stationary series.  Wrapping the index around is their circular construction.
 *
 * Time scale: one simulation step is one period of the data (a business day for daily
 * closes).  The scenario's grid must therefore have steps = horizon x periods_per_year;
 * prepare accepts steps within 1% of that, or within half a step (so that a short horizon
 * may round to the nearest whole number of steps), and refuses anything else, since
 * otherwise a month of hedging would silently see, say, four months of market moves.
 * periods_per_year (default 252 business days) also annualises the data's volatility:
 * sigma_data = sd(r) sqrt(periods_per_year), with the sample standard deviation
 * (divisor n - 1).
 *
 * Rescaling.  When target_vol is given the returns are first moved to that volatility
 * keeping their mean m:  r'_j = m + (target_vol / sigma_data) (r_j - m).  The mean is
 * kept so that target_vol changes the dispersion of the data only, as gbm's sigma does
 * not change its mu; the shape of the distribution (skew, kurtosis, clustering) is the
 * data's.  Without target_vol, r' = r exactly: every step is a return of the data.
 * sigma() is target_vol, or sigma_data when none is given.
 *
 * Keys: file and column are required (no column is a sensible default for an arbitrary
 * file; the bundled scenarios/data/eu_stock_markets.csv has DAX, SMI, CAC and FTSE).  A
 * relative file name is resolved against the scenario file's directory.  Every price
 * must be > 0, since the model works on log returns.
 *
 * Draws: exactly two uniforms per step and path, in this order: u1 decides whether a
 * new block starts (u1 < p), u2 picks its start floor(u2 n); u2 is drawn even when the
 * block goes on, so that every path draws the same numbers.  start() draws nothing: the
 * lane state (the current index J, as a double in b->state[0 .. HS_BLOCK)) is set to -1
 * there, and the first step always starts a block.
 *
 * m->data holds the n returns r' (freed by release).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/csv.h"
#include "hedgesim/model.h"
#include "simd.h"
#include "vmath.h"

enum { P_FILE, P_COLUMN, P_BLOCK, P_TARGET, P_PPY };
enum { C_RETURNS, C_RESTART, C_SIGMA, C_SIGMA_DATA, C_MEAN };

static const hs_param params[] = {
    {"file", HS_PARAM_TEXT, 0, 0, 0, "file name",
     "CSV file of prices with a header row (relative: to the scenario's directory)", NULL,
     HS_PARAM_REQUIRED},
    {"column", HS_PARAM_TEXT, 0, 0, 0, "column name", "column of the file holding the prices", NULL,
     HS_PARAM_REQUIRED},
    {"block", HS_PARAM_REAL, 1, 10000, 20, "steps",
     "mean block length; a new block starts with probability 1/block each step (1 = i.i.d. "
     "bootstrap)",
     NULL, 0},
    {"target_vol", HS_PARAM_REAL, 0, 5, 0, "per sqrt(year)",
     "rescale the returns about their mean to this annualised volatility (default: keep the "
     "data's)",
     NULL, HS_PARAM_DERIVED},
    {"periods_per_year", HS_PARAM_REAL, 1, 1e6, 252, "data periods per year",
     "sampling frequency of the data (252 for daily closes); steps must equal horizon times "
     "this",
     NULL, 0},
};

/* The file name of the scenario resolved against its directory, into buf. */
static hs_status resolve(const hs_model *m, char *buf, size_t len, hs_error *err)
{
    const char *file = m->args->text[P_FILE], *dir = m->args->dir;
    int n;
    if (file[0] == '/' || !dir[0] || strcmp(dir, ".") == 0)
        n = snprintf(buf, len, "%s", file);
    else
        n = snprintf(buf, len, "%s/%s", dir, file);
    if (n < 0 || (size_t)n >= len)
        return hs_error_set(err, HS_EINPUT,
                            "%s: model 'bootstrap': file = %s: the path is too "
                            "long (expected at most %zu characters)",
                            m->args->at[P_FILE], file, len - 1);
    return HS_OK;
}

/* Load the column (path receives the resolved file name, for messages), check it is a
 * positive price series and return its log returns. */
static hs_status load_returns(const hs_model *m, char *path, size_t len, double **returns,
                              size_t *n, hs_error *err)
{
    const hs_model_args *a = m->args;
    if (!a->text[P_FILE][0] || !a->text[P_COLUMN][0])
        return hs_error_set(err, HS_EINPUT,
                            "%s: model 'bootstrap': missing key '%s' (expected "
                            "%s)",
                            a->at[!a->text[P_FILE][0] ? P_FILE : P_COLUMN],
                            !a->text[P_FILE][0] ? "file" : "column",
                            !a->text[P_FILE][0] ? params[P_FILE].help : params[P_COLUMN].help);
    hs_status st = resolve(m, path, len, err);
    if (st)
        return st;
    hs_series s;
    hs_error csv_err;
    st = hs_series_read_csv(path, a->text[P_COLUMN], NULL, &s, &csv_err);
    if (st)
        return hs_error_set(err, st, "%s: model 'bootstrap': %s", a->at[P_FILE], csv_err.msg);
    for (size_t i = 0; i < s.n; i++)
        if (!(s.values[i] > 0)) {
            hs_error_set(err, HS_EINPUT,
                         "%s: model 'bootstrap': %s:%zu: column '%s' = %g is not a "
                         "positive price (expected prices > 0: the model resamples log "
                         "returns)",
                         a->at[P_FILE], path, s.lines[i], s.column, s.values[i]);
            hs_series_free(&s);
            return HS_EINPUT;
        }
    double *r = malloc(s.n * sizeof *r); /* n - 1 returns; n >= 2 by the reader */
    if (!r) {
        hs_series_free(&s);
        return hs_error_set(err, HS_ERUNTIME, "model 'bootstrap': out of memory");
    }
    for (size_t i = 0; i + 1 < s.n; i++)
        r[i] = log(s.values[i + 1] / s.values[i]);
    *returns = r;
    *n = s.n - 1;
    hs_series_free(&s);
    return HS_OK;
}

/* The grid must step through the data one period at a time (see the file comment). */
static hs_status check_time_scale(const hs_model *m, hs_error *err)
{
    double ppy = m->par[P_PPY], want = m->grid.horizon * ppy, steps = (double)m->grid.steps;
    if (fabs(steps - want) <= fmax(0.01 * want, 0.5))
        return HS_OK;
    return hs_error_set(err, HS_EINPUT,
                        "%s: model 'bootstrap': one step is one data period, so "
                        "steps should be horizon x periods_per_year = %g x %g = %.4g, not %zu "
                        "(expected steps within 1%% of that, or periods_per_year = %.6g)",
                        m->args->at[P_PPY], m->grid.horizon, ppy, want, m->grid.steps,
                        steps / m->grid.horizon);
}

static hs_status prepare(hs_model *m, hs_error *err)
{
    hs_status st = check_time_scale(m, err);
    if (st)
        return st;
    double *r = NULL;
    size_t n = 0;
    char path[2 * HS_TEXT_LEN];
    st = load_returns(m, path, sizeof path, &r, &n, err);
    if (st)
        return st;
    /* Two-pass mean and sample variance: exact enough and free of cancellation. */
    double mean = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += r[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (r[i] - mean) * (r[i] - mean);
    double sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    double sigma_data = sd * sqrt(m->par[P_PPY]);
    if (!(sd > 0)) {
        free(r);
        return hs_error_set(err, HS_EINPUT,
                            "%s: model 'bootstrap': column '%s' of %s has %s "
                            "(expected a price series that moves: at least 3 prices, not all "
                            "returns equal)",
                            m->args->at[P_COLUMN], m->args->text[P_COLUMN], path,
                            n > 1 ? "zero volatility" : "one return");
    }
    double sigma = sigma_data;
    if (!isnan(m->par[P_TARGET])) {
        sigma = m->par[P_TARGET];
        double scale = sigma / sigma_data;
        for (size_t i = 0; i < n; i++)
            r[i] = mean + scale * (r[i] - mean);
    }
    m->par[P_TARGET] = sigma;
    m->consts[C_RETURNS] = (double)n;
    m->consts[C_RESTART] = 1.0 / m->par[P_BLOCK];
    m->consts[C_SIGMA] = sigma;
    m->consts[C_SIGMA_DATA] = sigma_data;
    m->consts[C_MEAN] = mean;
    m->data = r;
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
        b->state[i] = -1.0; /* no block yet: the first step starts one */
    }
}

HS_KERNEL
static void advance(double *restrict spot, double *restrict logspot, const double *restrict x,
                    size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        logspot[i] += x[i];
        spot[i] = hs_vexp(logspot[i]);
    }
}

/* Each lane's next return: a restart (state < 0: none yet, or probability p) at
 * floor(u2 n), else the next one of the series, cyclically; both computed and one kept,
 * so the loop has no branch and vectorises (the restarts are rare but random). */
HS_KERNEL static void next_returns(const double *restrict r, size_t n, double p,
                                   const double *restrict u1, const double *restrict u2,
                                   double *restrict state, double *restrict x, size_t lanes)
{
    for (size_t i = 0; i < lanes; i++) {
        const double j = state[i];
        size_t pick = (size_t)(u2[i] * (double)n);
        pick = pick < n ? pick : n - 1; /* u2 < 1, but u2 n may round up to n */
        size_t follow = (size_t)(j < 0 ? 0.0 : j) + 1;
        follow = follow == n ? 0 : follow;
        const size_t next = j < 0 || u1[i] < p ? pick : follow;
        state[i] = (double)next;
        x[i] = r[next];
    }
}

static void step(const hs_model *m, hs_block *b, size_t k)
{
    (void)k;
    const double *r = m->data;
    size_t n = (size_t)m->consts[C_RETURNS], np = HS_PADDED(b->n);
    double p = m->consts[C_RESTART], x[HS_BLOCK], u1[HS_BLOCK], u2[HS_BLOCK];
    /* Two uniforms per lane, in this order (each fill draws one per lane). */
    hs_uniform_fill_lanes(b->rng, u1, b->n);
    hs_uniform_fill_lanes(b->rng, u2, b->n);
    next_returns(r, n, p, u1, u2, b->state, x, b->n);
    for (size_t i = b->n; i < np; i++)
        x[i] = 0.0;
    advance(b->spot, b->logspot, x, np);
}

static double sigma(const hs_model *m)
{
    return m->consts[C_SIGMA];
}

const hs_model_type hs_model_bootstrap = {
    .name = "bootstrap",
    .help = "stationary block bootstrap of historical log returns (Politis & Romano 1994), "
            "one step per data period, optionally rescaled to a target vol",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .prepare = prepare,
    .start = start,
    .step = step,
    .sigma = sigma,
    .release = release,
    .example = "file = scenarios/data/eu_stock_markets.csv\ncolumn = DAX\nblock = 20\n",
};
