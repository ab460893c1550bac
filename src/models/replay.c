/*
 * Historical replay: every path is a window of a real price series, scaled to start at
 * the market spot (a "historical simulation" of the hedge, as in backtests of hedging
 * strategies on past prices).
 *
 * With prices P_0 .. P_{n-1} (one column of a CSV file, csv.h), N grid steps and
 * W = n - N windows, path p uses the window starting at w = p mod W:
 *
 *   S_k = spot * P_{w+k} / P_w,   k = 0 .. N,
 *
 * one data period per grid step.  Paths p and p + W are the same path, and neighbouring
 * windows overlap in N - 1 returns, so the paths are not independent draws: the
 * standard errors the engine reports assume independence and understate the
 * uncertainty of a replay (the windows are what history offers, not a sample).  The
 * model draws no random numbers.
 *
 * Time scale: the step is one data period, so a scenario means what it says only with
 * steps = horizon x periods_per_year.  Unlike the bootstrap this is not enforced:
 * periods_per_year is then only the annualisation of sigma() below, and a replay on
 * another grid (e.g. one step per week of daily data with steps = horizon x 52) is a
 * legitimate if unusual compression of time.  sigma() = sd(ln(P_{j+1}/P_j))
 * sqrt(periods_per_year) over the whole series (sample sd, divisor n - 2 for n - 1
 * returns): the default traded vol of the options.
 *
 * Exactness and stress overlays.  A step writes S_{k+1} = spot x f x (P_{w+k+1} / P_w)
 * with a per-lane factor f, rather than multiplying step returns together, so that
 * without overlays S_k is the historical ratio to the last bit (no rounding builds up).
 * f starts at 1; a stress overlay (stress.h) that moves the price between steps shows
 * as S_k differing from the value the model wrote, and f takes up that move, so a
 * crash persists on the rest of the path as it does for the other models.
 *
 * Lane state: b->state[i] = w (as a double), b->state[HS_BLOCK + i] = f.
 * m->data holds the n prices (freed by release).  Keys as for the bootstrap: file and
 * column are required, a relative file is resolved against the scenario's directory,
 * and every price must be > 0.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/csv.h"
#include "hedgesim/model.h"
#include "simd.h"
#include "vmath.h"

enum { P_FILE, P_COLUMN, P_PPY };
enum { C_WINDOWS, C_SIGMA };

static const hs_param params[] = {
    {"file", HS_PARAM_TEXT, 0, 0, 0, "file name",
     "CSV file of prices with a header row (relative: to the scenario's directory)", NULL,
     HS_PARAM_REQUIRED},
    {"column", HS_PARAM_TEXT, 0, 0, 0, "column name", "column of the file holding the prices", NULL,
     HS_PARAM_REQUIRED},
    {"periods_per_year", HS_PARAM_REAL, 1, 1e6, 252, "data periods per year",
     "sampling frequency of the data (252 for daily closes), to annualise its volatility", NULL, 0},
};

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
                            "%s: model 'replay': file = %s: the path is too "
                            "long (expected at most %zu characters)",
                            m->args->at[P_FILE], file, len - 1);
    return HS_OK;
}

static hs_status prepare(hs_model *m, hs_error *err)
{
    const hs_model_args *a = m->args;
    if (!a->text[P_FILE][0] || !a->text[P_COLUMN][0])
        return hs_error_set(err, HS_EINPUT, "%s: model 'replay': missing key '%s' (expected %s)",
                            a->at[!a->text[P_FILE][0] ? P_FILE : P_COLUMN],
                            !a->text[P_FILE][0] ? "file" : "column",
                            !a->text[P_FILE][0] ? params[P_FILE].help : params[P_COLUMN].help);
    char path[2 * HS_TEXT_LEN];
    hs_status st = resolve(m, path, sizeof path, err);
    if (st)
        return st;
    hs_series s;
    hs_error csv_err;
    st = hs_series_read_csv(path, a->text[P_COLUMN], NULL, &s, &csv_err);
    if (st)
        return hs_error_set(err, st, "%s: model 'replay': %s", a->at[P_FILE], csv_err.msg);
    size_t steps = m->grid.steps;
    if (s.n < steps + 1) {
        hs_error_set(err, HS_EINPUT,
                     "%s: model 'replay': %s: column '%s' has %zu prices, too "
                     "few for one window of steps + 1 = %zu (expected a longer series or "
                     "fewer steps)",
                     a->at[P_FILE], path, s.column, s.n, steps + 1);
        hs_series_free(&s);
        return HS_EINPUT;
    }
    for (size_t i = 0; i < s.n; i++)
        if (!(s.values[i] > 0)) {
            hs_error_set(err, HS_EINPUT,
                         "%s: model 'replay': %s:%zu: column '%s' = %g is not a "
                         "positive price (expected prices > 0)",
                         a->at[P_FILE], path, s.lines[i], s.column, s.values[i]);
            hs_series_free(&s);
            return HS_EINPUT;
        }
    /* Two-pass sample standard deviation of the log returns. */
    size_t nr = s.n - 1;
    double mean = 0.0, ss = 0.0;
    for (size_t i = 0; i < nr; i++)
        mean += log(s.values[i + 1] / s.values[i]);
    mean /= (double)nr;
    for (size_t i = 0; i < nr; i++) {
        double d = log(s.values[i + 1] / s.values[i]) - mean;
        ss += d * d;
    }
    double sd = nr > 1 ? sqrt(ss / (double)(nr - 1)) : 0.0;
    if (!(sd > 0)) {
        hs_error_set(err, HS_EINPUT,
                     "%s: model 'replay': column '%s' of %s has %s (expected a "
                     "price series that moves: at least 3 prices, not all returns equal)",
                     a->at[P_COLUMN], s.column, path, nr > 1 ? "zero volatility" : "one return");
        hs_series_free(&s);
        return HS_EINPUT;
    }
    m->consts[C_WINDOWS] = (double)(s.n - steps);
    m->consts[C_SIGMA] = sd * sqrt(m->par[P_PPY]);
    /* Keep the prices, hand the array over to m->data. */
    m->data = s.values;
    s.values = NULL;
    hs_series_free(&s);
    return HS_OK;
}

static void release(hs_model *m)
{
    free(m->data);
    m->data = NULL;
}

static void start(const hs_model *m, hs_block *b)
{
    uint64_t windows = (uint64_t)m->consts[C_WINDOWS];
    double s0 = m->market.spot, l0 = log(s0);
    for (size_t i = 0; i < HS_PADDED(b->n); i++) {
        b->spot[i] = s0;
        b->logspot[i] = l0;
        b->state[i] = (double)((b->first_path + i) % windows);
        b->state[HS_BLOCK + i] = 1.0;
    }
}

/* ln S for every lane by vmath.h's hs_vlog (the same bits on every clone, below 1 ulp;
 * libm's scalar log was 13% of a replay run), then libm's log for the rare lane that is
 * not a positive normal double (an overlay can push a price to 0 or beyond). */
HS_KERNEL static void take_log(const double *restrict spot, double *restrict logspot, size_t n)
{
    int odd = 0;
#pragma omp simd reduction(| : odd)
    for (size_t i = 0; i < n; i++) {
        logspot[i] = hs_vlog(spot[i]);
        odd |= !(spot[i] >= DBL_MIN && spot[i] <= DBL_MAX);
    }
    if (odd)
        for (size_t i = 0; i < n; i++)
            if (!(spot[i] >= DBL_MIN && spot[i] <= DBL_MAX))
                logspot[i] = log(spot[i]);
}

static void step(const hs_model *m, hs_block *b, size_t k)
{
    const double *price = m->data;
    double s0 = m->market.spot, *factor = b->state + HS_BLOCK;
    for (size_t i = 0; i < b->n; i++) {
        size_t w = (size_t)b->state[i];
        /* What this model wrote at t_k; anything else is an overlay's move to keep. */
        double written = s0 * factor[i] * (price[w + k] / price[w]);
        if (b->spot[i] != written)
            factor[i] *= b->spot[i] / written;
        b->spot[i] = s0 * factor[i] * (price[w + k + 1] / price[w]);
    }
    take_log(b->spot, b->logspot, HS_PADDED(b->n));
}

static double sigma(const hs_model *m)
{
    return m->consts[C_SIGMA];
}

const hs_model_type hs_model_replay = {
    .name = "replay",
    .help = "historical replay: path p is the window of a price series starting at p mod "
            "(number of windows), scaled to the spot; no random numbers",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .prepare = prepare,
    .start = start,
    .step = step,
    .sigma = sigma,
    .release = release,
    .example = "file = scenarios/data/eu_stock_markets.csv\ncolumn = DAX\n",
};
