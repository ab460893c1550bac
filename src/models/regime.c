/*
 * Markov regime switching: a geometric Brownian motion, optionally with Merton jumps,
 * whose volatility (and drift and jump intensity) follow a hidden K-state Markov chain,
 * in the spirit of J.D. Hamilton, "A new approach to the economic analysis of
 * nonstationary time series and the business cycle", Econometrica 57 (1989) 357-384 (a
 * discrete-time chain switching the parameters of the return process), with the chain
 * given in continuous time by its generator Q.
 *
 * On the grid t_k = k dt, with s_k the state at t_k:
 *
 *   ln S_{k+1} = ln S_k + (mu_s - lambda_s kappa - sigma_s^2 / 2) dt + sigma_s sqrt(dt) Z_1
 *                + N mu_J + delta sqrt(N) Z_2,     s = s_k,  N ~ Poisson(lambda_s dt)
 *   kappa = E[Y - 1] = exp(mu_J + delta^2/2) - 1,  ln Y ~ N(mu_J, delta^2)
 *   P(s_{k+1} = j | s_k = i) = [exp(Q dt)]_{ij}
 *
 * The jump part is Merton's (R.C. Merton, J. Financial Economics 3 (1976) 125-144; the
 * exact step as in models/merton.c, Glasserman, "Monte Carlo Methods in Financial
 * Engineering", 2003, section 3.5.1): given N = n the n log jumps sum to N(n mu_J,
 * n delta^2), one normal.  Each state has its own intensity lambda_s; the jump-size law
 * (mu_J, delta) is shared by all states.  Without lambdas (or with every lambda_s = 0)
 * there are no jumps and the step is GBM's.
 *
 * The chain is sampled exactly at the grid times (the transition matrix of a
 * continuous-time chain over dt is the matrix exponential, Norris, "Markov Chains",
 * 1997, section 2.1), and the state is held over each step: the log return of step k
 * is exactly normal (a Poisson mixture of normals with jumps) given s_k.  This is
 * Hamilton's discrete-time model on the grid; a continuous-time switch inside a step is
 * only felt at the next grid time, an O(dt) difference in the integrated variance and
 * intensity.  The compensator -lambda_s kappa makes E[S_{k+1} | S_k, s_k] = S_k
 * e^{mu_s dt}: with every mu_s = rate - dividend (the default) that is e^{(r - q) dt} in
 * every state and the paths are risk-neutral.  A call is then worth E[BS(sigma_bar)]
 * with sigma_bar^2 the path's average variance (Hull & White 1987 mixing, since the
 * chain is independent of Z), and with jumps E[Merton(sigma_bar, lambda_bar)] with
 * lambda_bar the path's average intensity: given the states, ln S_T has the law it has
 * under Merton's model with those constant averages (the sum of the Poisson counts is
 * Poisson(sum lambda_s dt), the normals add their variances).
 *
 * Keys.  vols: K state volatilities (K <= 8, since rates holds K*K <= 64 values); left
 * out, one state of volatility sigma (default 0.2), i.e. GBM with gbm's keys and
 * defaults, so a scenario written for gbm runs unchanged (the generic tests rely on it).
 * Giving both sigma and vols is an error rather than one silently overriding the other.
 * rates: the generator Q, row-major; q_ij >= 0 (i != j) is the rate per year of switching
 * from i to j, and the diagonal must equal minus the row's other rates (rows of a
 * generator sum to 0; checked to 1e-9 relative, then set exactly).  Requiring the
 * diagonal, rather than ignoring it, catches a matrix of transition probabilities given
 * by mistake (rows summing to 1).  With K = 1 rates may be left out.  drifts: optional K
 * real-world drifts (jumps included, as merton's mu).  start: a state index, or -1
 * (default) for the stationary distribution.  lambdas: optional K jump intensities per
 * year (0 for a state without jumps); jump_mean and jump_std: mu_J and delta (default
 * -0.1 and 0.15, merton's), only with lambdas: given without it they would change
 * nothing, so that is an error rather than silently ignored.  Jumps at the state changes
 * themselves are not modelled.
 *
 * Precomputed in prepare (m->data, one array of doubles, freed by release):
 *   P = exp(Q dt) by scaling and squaring (Moler & Van Loan 1978): GSL's
 *   gsl_linalg_exponential_ss on Q dt / 2^s with norm <= 1, then s squarings, each put
 *   back on the stochastic matrices (tiny negative entries from rounding set to 0, rows
 *   renormalised) so that rounding does not compound (see transition_matrix).
 *   The limit L = lim P^n by repeated squaring (until L^2 = L to 1e-15); the stationary
 *   distribution pi is its common row, and when the rows differ (more than one closed
 *   class of states) start = -1 is refused.  With a fixed start, pi is row `start` of L.
 *   Layout (K states): P [K*K] | row CDFs of P [K*K] | pi [K] | CDF of the starting
 *   distribution [K] | per-state drift (mu_s - lambda_s kappa - sigma_s^2/2) dt [K] |
 *   sigma_s sqrt(dt) [K], and with jumps (some lambda_s > 0) also: offset in data of the
 *   Poisson(lambda_s dt) CDF of state s [K] | its length [K] | the K CDFs one after the
 *   other (hs_poisson_table in poisson.c, shared with models/merton.c; offsets and lengths
 *   are stored as doubles, exact below 2^53).  tests/models/test_regime.c reads P, pi and (to
 *   recompute a path by hand) the rest through this layout.
 *
 * Draws: one uniform per path at start() (the starting state by inversion of the
 * starting CDF; drawn and ignored when start is fixed, so that paths keep the same
 * numbers whatever start is), then per step, without jumps, one normal (the return)
 * followed by one uniform (the next state by inversion of row s_k of P): 1 + 2 steps
 * draws per path.  With jumps, per step always four, in this order: Z_1 (diffusion), U
 * (the number of jumps, by inversion of the Poisson CDF of state s_k), Z_2 (the jump
 * sum; drawn even when N = 0 or lambda_s = 0), then the state uniform: 1 + 4 steps
 * draws, the same for every path whatever its states, so a path's numbers never depend
 * on its lane, block or thread.  Whether there are jumps is fixed for the run (some
 * lambda_s > 0); lambdas all 0 gives exactly the paths of no lambdas.  The state is kept
 * as a double in b->state[0 .. HS_BLOCK).
 *
 * sigma() = sqrt(sum_s pi_s (sigma_s^2 + lambda_s (mu_J^2 + delta^2))), the long-run
 * (stationary) volatility, jumps included: the variance per year of ln S, diffusion plus
 * compound Poisson (lambda E[(ln Y)^2]), averaged over the states as merton's sigma().
 * It is what a hedger estimating volatility from returns would see in the long run.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "hedgesim/model.h"
#include "poisson.h"
#include "simd.h"
#include "vmath.h"

/* New keys go at the end: tests index the table by these positions. */
enum { P_VOLS, P_RATES, P_DRIFTS, P_START, P_SIGMA, P_LAMBDAS, P_JUMP_MEAN, P_JUMP_STD };
enum { C_STATES, C_SIGMA, C_JUMPS, C_JUMP_MEAN, C_JUMP_STD };

#define MAX_STATES 8
/* Volatility of the single state used when neither vols nor sigma is given: the model is
 * then GBM at gbm's default sigma. */
#define DEFAULT_VOL 0.2
/* The jump-size law when lambdas is given without it: merton's defaults. */
#define DEFAULT_JUMP_MEAN (-0.1)
#define DEFAULT_JUMP_STD 0.15

static const hs_param params[] = {
    {"vols", HS_PARAM_LIST, 0, 5, DEFAULT_VOL, "per sqrt(year)",
     "volatility in each state, a list of K values, K <= 8 (default: one state of "
     "volatility sigma, i.e. GBM)",
     NULL, HS_PARAM_DERIVED},
    {"rates", HS_PARAM_LIST, -1e4, 1e4, 0, "per year",
     "generator matrix, K*K values row-major: entry (i, j) >= 0 is the rate of switching "
     "from state i to j, the diagonal minus the row's other rates (optional when K = 1)",
     NULL, 0},
    {"drifts", HS_PARAM_LIST, -5, 5, 0, "per year",
     "real-world drift of the price in each state, jumps included (default: rate - dividend "
     "in all)",
     NULL, HS_PARAM_DERIVED},
    {"start", HS_PARAM_INT, -1, 63, -1, "state index",
     "starting state, 0 .. K-1, or -1 to draw it from the stationary distribution", NULL, 0},
    {"sigma", HS_PARAM_REAL, 0, 5, DEFAULT_VOL, "per sqrt(year)",
     "volatility of the single state when vols is not given (default 0.2); not both", NULL,
     HS_PARAM_DERIVED},
    {"lambdas", HS_PARAM_LIST, 0, 100, 0, "jumps per year",
     "Merton jump intensity in each state, a list of K values, 0 for no jumps (default: no "
     "jumps in any state)",
     NULL, 0},
    {"jump_mean", HS_PARAM_REAL, -1, 1, DEFAULT_JUMP_MEAN, "log return",
     "mean of the log jump size (mu_J), shared by all states; only with lambdas (default "
     "-0.1)",
     NULL, HS_PARAM_DERIVED},
    {"jump_std", HS_PARAM_REAL, 0, 1, DEFAULT_JUMP_STD, "log return",
     "standard deviation of the log jump size (delta), shared by all states; only with "
     "lambdas (default 0.15)",
     NULL, HS_PARAM_DERIVED},
};

/* Offsets into m->data (see the file comment). */
static size_t off_cdf(size_t k)
{
    return k * k;
}
static size_t off_pi(size_t k)
{
    return 2 * k * k;
}
static size_t off_init(size_t k)
{
    return 2 * k * k + k;
}
static size_t off_drift(size_t k)
{
    return 2 * k * k + 2 * k;
}
static size_t off_vol(size_t k)
{
    return 2 * k * k + 3 * k;
}
static size_t off_jumps(size_t k)
{
    return 2 * k * k + 4 * k;
}

/* CDF of a probability row p[0..k) into cdf: the entry of the last state with positive
 * mass and all after it are set to exactly 1, so inversion of any u < 1 never picks a
 * state of zero probability. */
static void row_cdf(const double *p, double *cdf, size_t k)
{
    size_t last = 0;
    double sum = 0.0;
    for (size_t j = 0; j < k; j++) {
        sum += p[j];
        cdf[j] = fmin(sum, 1.0);
        if (p[j] > 0.0)
            last = j;
    }
    for (size_t j = last; j < k; j++)
        cdf[j] = 1.0;
}

/* Smallest j with u <= cdf[j] (cdf[k-1] = 1 > u). */
static inline size_t invert(const double *cdf, size_t k, double u)
{
    size_t j = 0;
    while (j + 1 < k && u > cdf[j])
        j++;
    return j;
}

/* Set every entry of a nearly stochastic matrix to >= 0 and every row to sum 1. */
static void make_stochastic(gsl_matrix *a)
{
    for (size_t i = 0; i < a->size1; i++) {
        double sum = 0.0;
        for (size_t j = 0; j < a->size2; j++) {
            double v = fmax(gsl_matrix_get(a, i, j), 0.0);
            gsl_matrix_set(a, i, j, v);
            sum += v;
        }
        for (size_t j = 0; j < a->size2; j++)
            gsl_matrix_set(a, i, j, gsl_matrix_get(a, i, j) / sum);
    }
}

/* Read, check and complete the generator into q (k x k). */
static hs_status read_generator(const hs_model *m, size_t k, gsl_matrix *q, hs_error *err)
{
    const hs_model_args *a = m->args;
    const char *at = a->at[P_RATES];
    size_t n = a->list_n[P_RATES];
    gsl_matrix_set_zero(q);
    if (n == 0) {
        if (k == 1)
            return HS_OK;
        return hs_error_set(err, HS_EINPUT,
                            "%s: model 'regime': rates is missing: the %zu states of vols need "
                            "a %zux%zu generator matrix (%zu values, row-major)",
                            at, k, k, k, k * k);
    }
    if (n != k * k)
        return hs_error_set(err, HS_EINPUT,
                            "%s: model 'regime': rates has %zu values, expected %zu (a %zux%zu "
                            "generator matrix, row-major, for the %zu states of vols)",
                            at, n, k * k, k, k, k);
    const double *r = a->list[P_RATES];
    for (size_t i = 0; i < k; i++) {
        double off = 0.0;
        for (size_t j = 0; j < k; j++) {
            if (j == i)
                continue;
            if (r[i * k + j] < 0)
                return hs_error_set(err, HS_EINPUT,
                                    "%s: model 'regime': rates entry (%zu, %zu) = %g is "
                                    "negative (an off-diagonal entry is the rate of switching "
                                    "from state %zu to state %zu, per year, >= 0)",
                                    at, i, j, r[i * k + j], i, j);
            off += r[i * k + j];
            gsl_matrix_set(q, i, j, r[i * k + j]);
        }
        double diag = r[i * k + i];
        if (!(fabs(diag + off) <= 1e-9 * fmax(1.0, off)))
            return hs_error_set(err, HS_EINPUT,
                                "%s: model 'regime': rates row %zu: diagonal entry %g should "
                                "be %g, minus the sum of the row's other rates (each row of a "
                                "generator matrix sums to 0)",
                                at, i, diag, -off);
        gsl_matrix_set(q, i, i, -off);
    }
    return HS_OK;
}

/* P = exp(Q dt) into p; work is scratch.  HS_ERUNTIME if GSL fails or the result is not
 * stochastic.  GSL squares its Taylor approximation without correcting it, so for a
 * large |Q dt| (rates of 1e4 per year over long steps) the rounding in the row sums grows
 * with every squaring, by 1e-9 after twenty-odd.  So the scaling is done here: GSL
 * exponentiates Q dt / 2^s with norm <= 1, and the s squarings that follow each put the
 * product back on the stochastic matrices (entries >= 0, rows summing to 1), where
 * products of non-negative numbers lose nothing to cancellation. */
static hs_status transition_matrix(gsl_matrix *q, double dt, gsl_matrix *p, gsl_matrix *work,
                                   hs_error *err)
{
    double norm = 0.0; /* infinity norm of Q dt: twice the largest exit rate, times dt */
    for (size_t i = 0; i < q->size1; i++)
        norm = fmax(norm, 2.0 * fabs(gsl_matrix_get(q, i, i)) * dt);
    int squarings = norm > 1.0 ? (int)ceil(log2(norm)) : 0;
    gsl_matrix_scale(q, ldexp(dt, -squarings));
    int gst = gsl_linalg_exponential_ss(q, p, GSL_PREC_DOUBLE);
    if (gst)
        return hs_error_set(err, HS_ERUNTIME,
                            "model 'regime': matrix exponential of rates * dt "
                            "failed: %s",
                            gsl_strerror(gst));
    for (size_t i = 0; i < p->size1; i++) {
        double sum = 0.0;
        for (size_t j = 0; j < p->size2; j++) {
            double v = gsl_matrix_get(p, i, j);
            if (!isfinite(v) || v < -1e-12)
                return hs_error_set(err, HS_ERUNTIME,
                                    "model 'regime': transition matrix "
                                    "entry (%zu, %zu) = %g is not a probability",
                                    i, j, v);
            sum += v;
        }
        if (!(fabs(sum - 1.0) <= 1e-12))
            return hs_error_set(err, HS_ERUNTIME,
                                "model 'regime': transition matrix row %zu "
                                "sums to %.17g, not 1",
                                i, sum);
    }
    make_stochastic(p);
    for (int it = 0; it < squarings; it++) {
        gst = gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, p, p, 0.0, work);
        if (gst)
            return hs_error_set(err, HS_ERUNTIME, "model 'regime': matrix product failed: %s",
                                gsl_strerror(gst));
        make_stochastic(work);
        gsl_matrix_memcpy(p, work);
    }
    return HS_OK;
}

/* L = lim P^n into l by repeated squaring; work is scratch of the same size. */
static hs_status limit_matrix(const gsl_matrix *p, gsl_matrix *l, gsl_matrix *work, hs_error *err)
{
    gsl_matrix_memcpy(l, p);
    for (int it = 0; it < 256; it++) {
        int gst = gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, l, l, 0.0, work);
        if (gst)
            return hs_error_set(err, HS_ERUNTIME, "model 'regime': matrix product failed: %s",
                                gsl_strerror(gst));
        make_stochastic(work);
        double change = 0.0;
        for (size_t i = 0; i < l->size1; i++)
            for (size_t j = 0; j < l->size2; j++)
                change = fmax(change, fabs(gsl_matrix_get(work, i, j) - gsl_matrix_get(l, i, j)));
        gsl_matrix_memcpy(l, work);
        if (change <= 1e-15)
            return HS_OK;
    }
    return HS_OK; /* 2^256 steps: as converged as squaring can get */
}

static hs_status prepare(hs_model *m, hs_error *err)
{
    const hs_model_args *a = m->args;
    size_t k = a->list_n[P_VOLS];
    double sigma_one = m->par[P_SIGMA];
    if (k > 0 && !isnan(sigma_one))
        return hs_error_set(err, HS_EINPUT,
                            "%s: model 'regime': sigma = %g and vols are both "
                            "given (sigma is the volatility of a single state, vols those of "
                            "several: give one of them)",
                            a->at[P_SIGMA], sigma_one);
    const double single_vol[1] = {isnan(sigma_one) ? DEFAULT_VOL : sigma_one};
    const double *vols = k ? a->list[P_VOLS] : single_vol;
    if (k == 0)
        k = 1;
    if (k > MAX_STATES)
        return hs_error_set(err, HS_EINPUT,
                            "%s: model 'regime': vols has %zu states, at most "
                            "%d are supported (rates holds K*K <= %d values)",
                            a->at[P_VOLS], k, MAX_STATES, HS_MAX_LIST);
    size_t nd = a->list_n[P_DRIFTS];
    if (nd != 0 && nd != k)
        return hs_error_set(err, HS_EINPUT,
                            "%s: model 'regime': drifts has %zu values, expected "
                            "one per state of vols (%zu)",
                            a->at[P_DRIFTS], nd, k);
    double start = m->par[P_START];
    if (start >= (double)k)
        return hs_error_set(err, HS_EINPUT,
                            "%s: model 'regime': start = %g is not a state "
                            "(expected 0 .. %zu for the %zu states of vols, or -1 for the "
                            "stationary distribution)",
                            a->at[P_START], start, k - 1, k);
    size_t nl = a->list_n[P_LAMBDAS];
    if (nl != 0 && nl != k)
        return hs_error_set(err, HS_EINPUT,
                            "%s: model 'regime': lambdas has %zu values, expected "
                            "one per state of vols (%zu)",
                            a->at[P_LAMBDAS], nl, k);
    double jmean = m->par[P_JUMP_MEAN], jstd = m->par[P_JUMP_STD];
    if (nl == 0 && (!isnan(jmean) || !isnan(jstd))) {
        size_t key = isnan(jmean) ? P_JUMP_STD : P_JUMP_MEAN;
        return hs_error_set(err, HS_EINPUT,
                            "%s: model 'regime': %s = %g is given without lambdas (the jump "
                            "size law only acts through the per-state jump intensities: give "
                            "lambdas, one value per state, or leave %s out)",
                            a->at[key], params[key].key, m->par[key], params[key].key);
    }
    const double *lambdas = nl ? a->list[P_LAMBDAS] : NULL;
    bool jumps = false;
    for (size_t i = 0; i < nl; i++)
        jumps = jumps || lambdas[i] > 0;
    if (nl) {
        /* Shown in the results as the values used. */
        m->par[P_JUMP_MEAN] = jmean = isnan(jmean) ? DEFAULT_JUMP_MEAN : jmean;
        m->par[P_JUMP_STD] = jstd = isnan(jstd) ? DEFAULT_JUMP_STD : jstd;
    }
    /* Without lambdas kappa is 0 and the drift below is the jump-free one to the bit. */
    double kappa = nl ? expm1(jmean + 0.5 * jstd * jstd) : 0.0;
    double jump_var = nl ? jmean * jmean + jstd * jstd : 0.0;

    hs_status st = HS_OK;
    double *table[MAX_STATES] = {NULL};
    size_t table_len[MAX_STATES] = {0}, table_total = 0;
    double *data = NULL;
    gsl_matrix *q = gsl_matrix_alloc(k, k), *p = gsl_matrix_alloc(k, k);
    gsl_matrix *l = gsl_matrix_alloc(k, k), *work = gsl_matrix_alloc(k, k);
    for (size_t i = 0; jumps && i < k; i++) {
        table[i] = hs_poisson_table(lambdas[i] * m->grid.dt, &table_len[i]);
        if (!table[i]) {
            st =
                hs_error_set(err, HS_ERUNTIME, "model 'regime': out of memory for the jump tables");
            goto done;
        }
        table_total += table_len[i];
    }
    data = malloc((off_jumps(k) + (jumps ? 2 * k + table_total : 0)) * sizeof *data);
    if (!q || !p || !l || !work || !data) {
        st = hs_error_set(err, HS_ERUNTIME, "model 'regime': out of memory");
        goto done;
    }
    st = read_generator(m, k, q, err);
    if (!st)
        st = transition_matrix(q, m->grid.dt, p, work, err);
    if (!st)
        st = limit_matrix(p, l, work, err);
    if (st)
        goto done;

    double *pi = data + off_pi(k);
    if (start < 0) {
        /* The stationary distribution exists and is unique iff every row of L is the
         * same: the chain has a single closed class. */
        for (size_t i = 1; i < k; i++)
            for (size_t j = 0; j < k; j++)
                if (!(fabs(gsl_matrix_get(l, i, j) - gsl_matrix_get(l, 0, j)) <= 1e-9)) {
                    st = hs_error_set(err, HS_EINPUT,
                                      "%s: model 'regime': the chain of rates has no unique "
                                      "stationary distribution (started in state 0 or in "
                                      "state %zu it settles differently: more than one closed "
                                      "class of states); set start to a state index",
                                      a->at[P_RATES], i);
                    goto done;
                }
        for (size_t j = 0; j < k; j++) {
            double mean = 0.0;
            for (size_t i = 0; i < k; i++)
                mean += gsl_matrix_get(l, i, j);
            pi[j] = mean / (double)k;
        }
        row_cdf(pi, data + off_init(k), k);
    } else {
        size_t s0 = (size_t)start;
        double *init = data + off_init(k);
        for (size_t j = 0; j < k; j++) {
            pi[j] = gsl_matrix_get(l, s0, j);
            init[j] = j == s0;
        }
        row_cdf(init, init, k);
    }
    for (size_t i = 0; i < k; i++) {
        for (size_t j = 0; j < k; j++)
            data[i * k + j] = gsl_matrix_get(p, i, j);
        row_cdf(data + i * k, data + off_cdf(k) + i * k, k);
        double sigma = vols[i];
        double mu = nd ? a->list[P_DRIFTS][i] : m->market.rate - m->market.dividend;
        double lambda = nl ? lambdas[i] : 0.0;
        data[off_drift(k) + i] = (mu - lambda * kappa - 0.5 * sigma * sigma) * m->grid.dt;
        data[off_vol(k) + i] = sigma * sqrt(m->grid.dt);
    }
    if (jumps) {
        double *jt = data + off_jumps(k);
        size_t at = off_jumps(k) + 2 * k;
        for (size_t i = 0; i < k; i++) {
            jt[i] = (double)at;
            jt[k + i] = (double)table_len[i];
            memcpy(data + at, table[i], table_len[i] * sizeof *data);
            at += table_len[i];
        }
    }
    double var = 0.0;
    for (size_t i = 0; i < k; i++) {
        var += pi[i] * vols[i] * vols[i];
        if (nl)
            var += pi[i] * lambdas[i] * jump_var;
    }
    m->consts[C_STATES] = (double)k;
    m->consts[C_SIGMA] = sqrt(var);
    m->consts[C_JUMPS] = jumps;
    m->consts[C_JUMP_MEAN] = jumps ? jmean : 0.0;
    m->consts[C_JUMP_STD] = jumps ? jstd : 0.0;
    m->data = data;
    data = NULL;

done:
    for (size_t i = 0; i < MAX_STATES; i++)
        free(table[i]);
    free(data);
    gsl_matrix_free(q);
    gsl_matrix_free(p);
    gsl_matrix_free(l);
    gsl_matrix_free(work);
    return st;
}

static void release(hs_model *m)
{
    free(m->data);
    m->data = NULL;
}

static void start(const hs_model *m, hs_block *b)
{
    size_t k = (size_t)m->consts[C_STATES];
    const double *init = (const double *)m->data + off_init(k);
    double s0 = m->market.spot, l0 = log(s0);
    for (size_t i = 0; i < HS_PADDED(b->n); i++) {
        b->spot[i] = s0;
        b->logspot[i] = l0;
        b->state[i] = 0.0;
    }
    for (size_t i = 0; i < b->n; i++)
        b->state[i] = (double)invert(init, k, hs_pcg32_lanes_uniform(b->rng, i));
}

HS_KERNEL
static void advance(double *restrict spot, double *restrict logspot, const double *restrict z,
                    const double *restrict drift, const double *restrict vol, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        logspot[i] += drift[i] + vol[i] * z[i];
        spot[i] = hs_vexp(logspot[i]);
    }
}

/* The same with the jumps of the step: jumps[i] = N and amp[i] = delta sqrt(N).  A
 * separate kernel rather than zero jumps through this one, so that the paths without
 * jumps stay GBM's to the bit. */
HS_KERNEL
static void advance_jumps(double *restrict spot, double *restrict logspot, const double *restrict z,
                          const double *restrict drift, const double *restrict vol,
                          const double *restrict jumps, const double *restrict amp,
                          const double *restrict zj, double jmean, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        logspot[i] += drift[i] + vol[i] * z[i] + jumps[i] * jmean + amp[i] * zj[i];
        spot[i] = hs_vexp(logspot[i]);
    }
}

/* jumps[i] = 0 where u[i] <= the first entry of the lane's state's Poisson table (no
 * jump: hs_poisson_invert's first test), -1 where the search must settle it; one pass of
 * loads and comparisons without a branch. */
HS_KERNEL static void jump_counts_regime(const double *restrict data, const double *restrict jt,
                                         const double *restrict state, const double *restrict u,
                                         double *restrict jumps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double f0 = data[(size_t)jt[(size_t)state[i]]];
        jumps[i] = u[i] <= f0 ? 0.0 : -1.0;
    }
}

/* amp[i] = jstd sqrt(jumps[i]) where a lane jumps, 0 where not. */
HS_KERNEL static void jump_amplitudes(const double *restrict jumps, double jstd,
                                      double *restrict amp, size_t n)
{
    for (size_t i = 0; i < n; i++)
        amp[i] = jumps[i] != 0.0 ? jstd * sqrt(jumps[i]) : 0.0;
}

/* Jumps of step k for lanes [0, n): the U and Z_2 draws of every lane (see the file
 * comment for the order), then N by inversion of the Poisson CDF of the lane's state. */
static void draw_jumps(const hs_model *m, hs_block *b, double *jumps, double *amp, double *zj)
{
    size_t k = (size_t)m->consts[C_STATES], n = b->n;
    const double *data = m->data, *jt = data + off_jumps(k);
    double jstd = m->consts[C_JUMP_STD], u[HS_BLOCK];
    hs_uniform_fill_lanes(b->rng, u, n);
    hs_normal_fill_lanes(b->rng, zj, n);
    jump_counts_regime(data, jt, b->state, u, jumps, n);
    for (size_t i = 0; i < n; i++)
        if (jumps[i] < 0.0) { /* beyond the table's first entry: the search (rare) */
            size_t s = (size_t)b->state[i];
            jumps[i] = (double)hs_poisson_invert(data + (size_t)jt[s], (size_t)jt[k + s], u[i]);
        }
    jump_amplitudes(jumps, jstd, amp, n);
}

/* state[i] = invert(cdf row of state[i], k, u[i]) for every lane, as a count: the row is
 * non-decreasing (cumulative sums of non-negative numbers), so the j < k - 1 with
 * u > cdf[j] are exactly those below invert's answer.  No branch per state and lane
 * (invert's loop exits at a random state), and the loop over lanes vectorises. */
HS_KERNEL static void next_states(const double *restrict cdf, size_t k, const double *restrict u,
                                  double *restrict state, size_t n)
{
    size_t row[HS_BLOCK], j[HS_BLOCK];
    for (size_t i = 0; i < n; i++) {
        row[i] = (size_t)state[i] * k;
        j[i] = 0;
    }
    for (size_t c = 0; c + 1 < k; c++)
        for (size_t i = 0; i < n; i++)
            j[i] += u[i] > cdf[row[i] + c];
    for (size_t i = 0; i < n; i++)
        state[i] = (double)j[i];
}

/* drift[i], vol[i] = the per-step drift and vol of lane i's state: a cloned loop (the
 * baseline compilation converts a double to size_t by a compare-and-subtract sequence
 * per lane; AVX-512 has vcvttpd2uqq). */
HS_KERNEL static void state_params(const double *restrict dc, const double *restrict vc,
                                   const double *restrict state, double *restrict drift,
                                   double *restrict vol, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t s = (size_t)state[i];
        drift[i] = dc[s];
        vol[i] = vc[s];
    }
}

static void step(const hs_model *m, hs_block *b, size_t k_step)
{
    (void)k_step;
    size_t k = (size_t)m->consts[C_STATES], n = b->n, np = HS_PADDED(n);
    const double *data = m->data, *cdf = data + off_cdf(k);
    const double *dc = data + off_drift(k), *vc = data + off_vol(k);
    double drift[HS_BLOCK], vol[HS_BLOCK];

    hs_normal_fill_lanes(b->rng, b->z, n);
    state_params(dc, vc, b->state, drift, vol, n);
    for (size_t i = n; i < np; i++)
        drift[i] = vol[i] = b->z[i] = 0.0;
    if (m->consts[C_JUMPS] != 0) {
        double jumps[HS_BLOCK], amp[HS_BLOCK], zj[HS_BLOCK];
        draw_jumps(m, b, jumps, amp, zj);
        /* Padding lanes are computed but never used: give them harmless values. */
        for (size_t i = n; i < np; i++)
            jumps[i] = amp[i] = zj[i] = 0.0;
        advance_jumps(b->spot, b->logspot, b->z, drift, vol, jumps, amp, zj, m->consts[C_JUMP_MEAN],
                      np);
    } else {
        advance(b->spot, b->logspot, b->z, drift, vol, np);
    }
    /* The state at t_{k+1}, drawn after the return of step k that used s_k. */
    double u[HS_BLOCK];
    hs_uniform_fill_lanes(b->rng, u, n);
    next_states(cdf, k, u, b->state, n);
}

static double sigma(const hs_model *m)
{
    return m->consts[C_SIGMA];
}

const hs_model_type hs_model_regime = {
    .name = "regime",
    .help = "Markov regime switching (Hamilton 1989): GBM whose vol, drift and optional "
            "Merton jump intensity follow a K-state chain, exact transitions exp(Q dt) on "
            "the grid",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .prepare = prepare,
    .start = start,
    .step = step,
    .sigma = sigma,
    .release = release,
    .example = "vols = 0.15, 0.35\nrates = -2, 2, 4, -4\nlambdas = 0, 3\n",
};
