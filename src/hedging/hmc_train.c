/*
 * Hedged Monte Carlo training (hmc.h): simulate the training paths with the scenario's
 * model and fit, backward over the trading dates, the value C_d and the hedge phi_d of
 * the book by least squares on B-splines in ln S (Potters, Bouchaud & Sestovic, Physica
 * A 289 (2001) 517-525, eq. 6-9; local risk minimisation: Foellmer & Schweizer 1989).
 *
 * Each date's problem, with f_j the basis functions and G the discounted gain of a share,
 *
 *   min over (a, b) of  sum_i ( Y_i - sum_j a_j f_j(x_i) - sum_j b_j f_j(x_i) G_i )^2,
 *
 * is one linear least-squares problem in the 2M unknowns (a, b), solved by
 * gsl_multifit_linear (SVD with column balancing; rank-deficient columns, a spline whose
 * support no path reached, get the least-norm solution).  B-splines sum to one, so the
 * constant is in the span of the f_j and each date's residuals sum to zero: the mean over
 * paths of the hedged present value of the book is exactly C_0, and its standard deviation
 * over the paths gives C_0's standard error (the hedge held fixed).
 *
 * Streams: training path j is path 2^62 + j of the run's seed (streams.c: the stream's
 * increment is a bijection of the path index below 2^63, and run paths are below 1e9), so
 * no training path shares a stream with a run path: the hedge is used out of sample.
 * Stress overlays are not applied to training paths (they are what-ifs on the run).
 *
 * Determinism: paths are simulated in blocks of HS_BLOCK on any number of threads, each
 * path from its own stream into fixed positions; every sum (the regressions, the price
 * and its error) is formed by one thread in path order.  So the fit has the same bits
 * for any thread count, and every MPI rank, training the same paths, gets the same fit.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "hedgesim/hmc.h"
#include "hedgesim/instrument.h"

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

size_t hs_hmc_bspline_nonzero(double x, const double *brk, size_t basis, size_t order, double *nv)
{
    /* Clamped knots t[0 .. basis + order): order copies of lo, the nbreak - 2 interior
     * breakpoints, order copies of hi (as gsl_bspline_knots places them): t[i] =
     * brk[clamp(i - (order - 1), 0, nbreak - 1)].  de Boor's BSPLVB recurrence on the span
     * of x (de Boor, A Practical Guide to Splines, 1978, ch. X). */
    const size_t nbreak = basis - order + 2, k = order;
    const double lo = brk[0], hi = brk[nbreak - 1];
    if (!(x > lo))
        x = lo;
    if (!(x < hi))
        x = hi;
    /* The breakpoint interval [brk[b], brk[b + 1]) holding x (the last one for x = hi),
     * by bisection; the knot span is s = b + k - 1. */
    size_t b0 = 0, b1 = nbreak - 1;
    while (b1 - b0 > 1) {
        size_t mid = (b0 + b1) / 2;
        if (x >= brk[mid])
            b0 = mid;
        else
            b1 = mid;
    }
#define KNOT(i) brk[(i) < k - 1 ? 0 : ((i) - (k - 1) > nbreak - 1 ? nbreak - 1 : (i) - (k - 1))]
    const size_t s = b0 + k - 1;
    double left[16], right[16];
    nv[0] = 1.0;
    for (size_t j = 1; j < k; j++) {
        left[j] = x - KNOT(s + 1 - j);
        right[j] = KNOT(s + j) - x;
        double saved = 0.0;
        for (size_t r = 0; r < j; r++) {
            double temp = nv[r] / (right[r + 1] + left[j - r]);
            nv[r] = saved + right[r + 1] * temp;
            saved = left[j - r] * temp;
        }
        nv[j] = saved;
    }
#undef KNOT
    return s + 1 - k;
}

void hs_hmc_bspline(double x, const double *brk, size_t basis, size_t order, double *out)
{
    double nv[16];
    size_t a0 = hs_hmc_bspline_nonzero(x, brk, basis, order, nv);
    memset(out, 0, basis * sizeof *out);
    for (size_t r = 0; r < order; r++)
        out[a0 + r] = nv[r];
}

/* The functions f_j(x, z) of a date into f[nx * nz]. */
static void basis_row(const hs_hmc_date *d, size_t order, double x, double s, double *f)
{
    double bx[HS_HMC_MAX_BASIS];
    if (d->nx > 1)
        hs_hmc_bspline(x, d->brk, d->nx, order, bx);
    else
        bx[0] = 1.0;
    double z = 0.0;
    if (d->nz > 1) {
        z = (s - d->z_mean) / d->z_sd;
        z = fmin(fmax(z, d->z_lo), d->z_hi);
    }
    for (size_t a = 0; a < d->nx; a++) {
        f[a * d->nz] = bx[a];
        if (d->nz > 1)
            f[a * d->nz + 1] = bx[a] * z;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Breakpoints: 0.8 of the way from uniform ones over [lo, hi] to the empirical quantiles
 * of x at equal probabilities.  Quantiles put the resolution where the paths are (the
 * hedge near expiry turns from 0 to 1 within a day's move of the strike, while the range
 * of ln S holds the jumps' far tail); the uniform part keeps the breakpoints strictly
 * increasing when paths repeat values (bootstrap, replay) and leaves knots in the tails. */
static void breakpoints(hs_hmc_date *d, size_t nbreak, size_t n, const double *x)
{
    double *sorted = malloc(n * sizeof *sorted);
    double lo = d->x_lo, hi = d->x_hi;
    if (sorted) {
        memcpy(sorted, x, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, cmp_double);
    }
    for (size_t i = 0; i < nbreak; i++) {
        double u = (double)i / (double)(nbreak - 1), b = lo + (hi - lo) * u;
        if (sorted && i > 0 && i + 1 < nbreak)
            b = 0.2 * b + 0.8 * sorted[(size_t)llround(u * (double)(n - 1))];
        d->brk[i] = b;
    }
    d->brk[0] = lo, d->brk[nbreak - 1] = hi;
    free(sorted);
}

void hs_hmc_eval(const hs_hmc_date *d, size_t order, double x, double s, double *value,
                 double *hedge)
{
    double f[2 * HS_HMC_MAX_BASIS];
    basis_row(d, order, x, s, f);
    double v = 0.0, h = 0.0;
    for (size_t j = 0; j < d->nx * d->nz; j++) {
        v += d->value[j] * f[j];
        h += d->hedge[j] * f[j];
    }
    if (value)
        *value = v;
    if (hedge)
        *hedge = h;
}

/* The nonzero entries of row i: columns col[0 .. m) with values val[0 .. m). */
static size_t row_of(const hs_hmc_date *d, size_t order, double x, double s, double gain,
                     size_t *col, double *val)
{
    double nv[16] = {1.0};
    size_t a0 = 0, na = 1;
    if (d->nx > 1)
        a0 = hs_hmc_bspline_nonzero(x, d->brk, d->nx, order, nv), na = order;
    double z = 0.0;
    if (d->nz > 1)
        z = fmin(fmax((s - d->z_mean) / d->z_sd, d->z_lo), d->z_hi);
    size_t nf = d->nx * d->nz, m = 0;
    for (size_t a = 0; a < na; a++)
        for (size_t t = 0; t < d->nz; t++) {
            double f = t ? nv[a] * z : nv[a];
            size_t j = (a0 + a) * d->nz + t;
            col[m] = j, val[m++] = f;
            col[m] = nf + j, val[m++] = f * gain;
        }
    return m;
}

hs_status hs_hmc_fit_date(hs_hmc_date *d, size_t basis, size_t order, size_t n, const double *x,
                          const double *z, const double *gain, const double *y, double *res,
                          hs_error *err)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        lo = fmin(lo, x[i]), hi = fmax(hi, x[i]);
    d->x_lo = lo, d->x_hi = hi;
    /* All paths at one point (t0): the functions of x are a constant. */
    d->nx = hi - lo > 1e-12 * (1.0 + fabs(lo)) ? basis : 1;
    d->nz = 1;
    d->z_mean = 0.0, d->z_sd = 1.0, d->z_lo = d->z_hi = 0.0;
    if (z) {
        double m = 0.0, v = 0.0;
        for (size_t i = 0; i < n; i++)
            m += z[i];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (z[i] - m) * (z[i] - m);
        double sd = sqrt(v / (double)n);
        if (sd > 1e-12 * (1.0 + fabs(m))) {
            d->nz = 2, d->z_mean = m, d->z_sd = sd;
            d->z_lo = INFINITY, d->z_hi = -INFINITY;
            for (size_t i = 0; i < n; i++) {
                double zi = (z[i] - m) / sd;
                d->z_lo = fmin(d->z_lo, zi), d->z_hi = fmax(d->z_hi, zi);
            }
        }
    }
    if (d->nx > 1)
        breakpoints(d, basis - order + 2, n, x);
    size_t nf = d->nx * d->nz, p = 2 * nf;
    if (n <= p)
        return hs_error_set(err, HS_EINPUT,
                            "min_variance: %zu training paths for %zu unknowns at step %zu "
                            "(expected train_paths well above 2 x basis%s)",
                            n, p, d->k, d->nz > 1 ? " x 2" : "");
    /* The normal equations X'X c = X'y, accumulated row by row in path order: a row has
     * 2 x order x nz nonzeros (B-splines are local), so this is O(n order^2), against the
     * O(n p^2) of an SVD of X (10 s for 20 000 paths x 21 dates at basis 32). */
    gsl_matrix *A = gsl_matrix_calloc(p, p), *V = gsl_matrix_alloc(p, p);
    gsl_vector *b = gsl_vector_calloc(p), *sv = gsl_vector_alloc(p), *c = gsl_vector_alloc(p);
    gsl_vector *scale = gsl_vector_alloc(p), *work = gsl_vector_alloc(p);
    hs_status st = HS_OK;
    if (!A || !V || !b || !sv || !c || !scale || !work) {
        st = hs_error_set(err, HS_ERUNTIME, "min_variance: out of memory for the regression");
        goto done;
    }
    size_t col[64];
    double val[64];
    double *ad = A->data, *bd = b->data; /* calloc'ed, row stride A->tda */
    for (size_t i = 0; i < n; i++) {
        size_t m = row_of(d, order, x[i], z ? z[i] : 0.0, gain[i], col, val);
        for (size_t u = 0; u < m; u++) {
            double *arow = ad + col[u] * A->tda;
            bd[col[u] * b->stride] += val[u] * y[i];
            for (size_t v = 0; v < m; v++)
                arow[col[v]] += val[u] * val[v];
        }
    }
    /* Balance (unit diagonal), then the least-squares solution by SVD of the symmetric
     * matrix with singular values below 1e-8 of the largest dropped (a condition number of
     * the balanced design capped at 1e4).  A spline no path reached (an empty column) gets
     * coefficient 0, and a combination few paths determine (a spline times the state where
     * one regime is rare) is not fitted to their noise: with 1e-12 a regime-switching book
     * trained on 5 000 paths had one path lose 40 times the std (tests/hedging). */
    for (size_t j = 0; j < p; j++) {
        double a = gsl_matrix_get(A, j, j);
        gsl_vector_set(scale, j, a > 0.0 ? 1.0 / sqrt(a) : 1.0);
    }
    for (size_t j = 0; j < p; j++) {
        for (size_t l = 0; l < p; l++)
            *gsl_matrix_ptr(A, j, l) *= gsl_vector_get(scale, j) * gsl_vector_get(scale, l);
        *gsl_vector_ptr(b, j) *= gsl_vector_get(scale, j);
    }
    int gs = gsl_linalg_SV_decomp(A, V, sv, work);
    if (gs) {
        st = hs_error_set(err, HS_ERUNTIME, "min_variance: the regression at step %zu failed: %s",
                          d->k, gsl_strerror(gs));
        goto done;
    }
    double cut = 1e-8 * gsl_vector_get(sv, 0);
    for (size_t j = 0; j < p; j++)
        if (!(gsl_vector_get(sv, j) > cut))
            gsl_vector_set(sv, j, 0.0);
    gsl_linalg_SV_solve(A, V, sv, b, c);
    for (size_t j = 0; j < nf; j++) {
        d->value[j] = gsl_vector_get(c, j) * gsl_vector_get(scale, j);
        d->hedge[j] = gsl_vector_get(c, nf + j) * gsl_vector_get(scale, nf + j);
    }
    if (res)
        for (size_t i = 0; i < n; i++) {
            size_t m = row_of(d, order, x[i], z ? z[i] : 0.0, gain[i], col, val);
            double fit = 0.0;
            for (size_t u = 0; u < m; u++)
                fit += val[u] * (col[u] < nf ? d->value[col[u]] : d->hedge[col[u] - nf]);
            res[i] = y[i] - fit;
        }
done:
    gsl_matrix_free(A), gsl_matrix_free(V);
    gsl_vector_free(b), gsl_vector_free(sv), gsl_vector_free(c);
    gsl_vector_free(scale), gsl_vector_free(work);
    return st;
}

/* Steps whose spot the training keeps: the trading dates, the legs' expiries, T. */
static size_t slot_map(const hs_hmc_spec *spec, size_t steps, const hs_leg *legs, size_t n_legs,
                       long *slot)
{
    size_t n = 0;
    for (size_t k = 0; k <= steps; k++) {
        int keep = (k < steps && k % spec->every == 0) || k == steps;
        for (size_t j = 0; j < n_legs; j++)
            keep |= legs[j].expiry_step == k;
        slot[k] = keep ? (long)n++ : -1;
    }
    return n;
}

size_t hs_hmc_train_bytes(const hs_hmc_spec *spec, size_t steps, size_t n_legs)
{
    (void)n_legs;
    size_t every = spec->every ? spec->every : 1;
    double dates = (double)((steps + every - 1) / every);
    double slots = dates + 1.0 + (double)(n_legs < steps ? n_legs : steps);
    double cols = 2.0 * (double)spec->basis * (spec->state ? 2.0 : 1.0);
    /* Spots per kept step, states per date, five per-path work arrays and the sorted copy
     * of ln S for the breakpoints; the normal equations (four p x p and vectors) and the
     * coefficient tables. */
    double per_path = slots + (spec->state ? dates : 0.0) + 6.0;
    double bytes =
        8.0 * (per_path * (double)spec->paths + dates * (cols + 16.0 + (double)HS_HMC_MAX_BASIS) +
               4.0 * cols * cols + 8.0 * cols);
    return bytes >= (double)SIZE_MAX ? SIZE_MAX : (size_t)bytes;
}

void hs_hmc_free(hs_hmc *h)
{
    if (!h)
        return;
    if (h->dates)
        for (size_t d = 0; d < h->n_dates; d++)
            free(h->dates[d].value);
    free(h->dates);
    free(h->date_of);
    free(h);
}

/* Simulate the training paths: spot[slot][path] at the kept steps, and the model's
 * state[0] at the trading dates into state[date][path] (when asked). */
static hs_status simulate(const hs_model *m, const hs_hmc_spec *spec, const long *slot,
                          double *spot, double *state, hs_error *err)
{
    const size_t steps = m->grid.steps;
    const uint64_t n = spec->paths, n_blocks = (n + HS_BLOCK - 1) / HS_BLOCK;
    int failed = 0;
    /* The run's threads (blocks are independent and written to their own columns, so
     * the same bits on any count); a few blocks are not worth waking them for. */
    int nt = spec->threads > 0 ? spec->threads : omp_get_max_threads();
#pragma omp parallel num_threads(nt) if (n_blocks >= 16 && nt > 1)
    {
        double *mem = aligned_alloc(64, (4 + HS_MODEL_STATE) * HS_BLOCK * sizeof(double));
        hs_pcg32_lanes *rng = hs_pcg32_lanes_alloc(HS_BLOCK);
        if (!mem || !rng) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp barrier
        if (!failed) {
            hs_block b = {0};
            b.spot = mem, b.logspot = mem + HS_BLOCK, b.z = mem + 2 * HS_BLOCK;
            b.state = mem + 4 * HS_BLOCK;
            b.rng = rng;
#pragma omp for schedule(dynamic, 1)
            for (uint64_t blk = 0; blk < n_blocks; blk++) {
                uint64_t first = blk * HS_BLOCK;
                size_t nl = (size_t)(n - first < HS_BLOCK ? n - first : HS_BLOCK);
                memset(mem, 0, (4 + HS_MODEL_STATE) * HS_BLOCK * sizeof(double));
                b.n = nl;
                b.first_path = HS_HMC_PATH0 + first;
                for (size_t i = 0; i < nl; i++)
                    hs_pcg32_lanes_seed_path(rng, i, spec->seed, HS_HMC_PATH0 + first + i);
                m->type->start(m, &b);
                for (size_t k = 0;; k++) {
                    if (slot[k] >= 0)
                        memcpy(spot + (size_t)slot[k] * n + first, b.spot, nl * sizeof(double));
                    if (state && k < steps && k % spec->every == 0)
                        memcpy(state + (k / spec->every) * n + first, b.state, nl * sizeof(double));
                    if (k == steps)
                        break;
                    m->type->step(m, &b, k);
                }
            }
        }
        free(mem);
        hs_pcg32_lanes_free(rng);
    }
    if (failed)
        return hs_error_set(err, HS_ERUNTIME, "min_variance: out of memory for training blocks");
    return HS_OK;
}

hs_status hs_hmc_train(const hs_model *m, const hs_leg *legs, size_t n_legs,
                       const hs_hmc_spec *spec, hs_hmc **out, hs_error *err)
{
    const double t_start = wall_seconds();
    const size_t steps = m->grid.steps, every = spec->every ? spec->every : 1;
    const size_t n = (size_t)spec->paths, n_dates = (steps + every - 1) / every;
    const double dt = m->grid.dt, r = m->market.rate, q = m->market.dividend;
    hs_hmc_spec sp = *spec;
    sp.every = every;
    *out = NULL;
    if (spec->basis < spec->order || spec->basis > HS_HMC_MAX_BASIS || spec->order < 2 ||
        spec->order > 8)
        return hs_error_set(err, HS_EINPUT,
                            "min_variance: basis = %zu, order = %zu (expected order in [2, 8] "
                            "and order <= basis <= %d)",
                            spec->basis, spec->order, HS_HMC_MAX_BASIS);
    hs_hmc *h = calloc(1, sizeof *h);
    long *slot = malloc((steps + 1) * sizeof *slot);
    if (!h || !slot) {
        free(h), free(slot);
        return hs_error_set(err, HS_ERUNTIME, "min_variance: out of memory");
    }
    h->order = spec->order, h->steps = steps, h->paths = spec->paths, h->n_dates = n_dates;
    size_t nf = spec->basis * (spec->state ? 2 : 1);
    h->dates = calloc(n_dates, sizeof *h->dates);
    h->date_of = malloc((steps ? steps : 1) * sizeof *h->date_of);
    size_t n_slots = slot_map(&sp, steps, legs, n_legs, slot);
    double *spot = malloc(n_slots * n * sizeof *spot);
    double *state = spec->state ? malloc(n_dates * n * sizeof *state) : NULL;
    double *work = malloc(5 * n * sizeof *work);
    hs_status st = HS_OK;
    if (!h->dates || !h->date_of || !spot || (spec->state && !state) || !work) {
        st = hs_error_set(err, HS_ERUNTIME, "min_variance: out of memory for %llu training paths",
                          (unsigned long long)spec->paths);
        goto done;
    }
    for (size_t d = 0; d < n_dates; d++) {
        h->dates[d].k = d * every;
        h->dates[d].value = calloc(2 * nf, sizeof(double));
        if (!h->dates[d].value) {
            st = hs_error_set(err, HS_ERUNTIME, "min_variance: out of memory");
            goto done;
        }
        h->dates[d].hedge = h->dates[d].value + nf;
    }
    for (size_t k = 0; k < steps; k++)
        h->date_of[k] = k / every;
    if ((st = simulate(m, &sp, slot, spot, state, err)) != HS_OK)
        goto done;

    double *x = work, *gain = work + n, *y = work + 2 * n, *res = work + 3 * n, *acc = work + 4 * n;
    double *cnext = y; /* C_{d+1} at S_{d+1}, turned into Y in place */
    for (size_t i = 0; i < n; i++)
        cnext[i] = 0.0, acc[i] = 0.0;
    for (size_t d = n_dates; d-- > 0;) {
        hs_hmc_date *dd = &h->dates[d];
        size_t k = dd->k, k1 = d + 1 < n_dates ? h->dates[d + 1].k : steps;
        double span = (double)(k1 - k) * dt, disc = exp(-r * span), dg = exp((q - r) * span);
        const double *s0 = spot + (size_t)slot[k] * n, *s1 = spot + (size_t)slot[k1] * n;
        for (size_t i = 0; i < n; i++) {
            x[i] = log(s0[i]);
            gain[i] = s1[i] * dg - s0[i];
            y[i] = disc * cnext[i];
        }
        /* Legs that expire in (t_k, t_k1]: their payoff, discounted to t_k. */
        for (size_t j = 0; j < n_legs; j++) {
            const hs_leg *leg = &legs[j];
            if (leg->expiry_step <= k || leg->expiry_step > k1)
                continue;
            const double *se = spot + (size_t)slot[leg->expiry_step] * n;
            double de = exp(-r * (double)(leg->expiry_step - k) * dt);
            for (size_t i = 0; i < n; i++)
                y[i] += leg->quantity * leg->type->payoff(se[i], leg->strike) * de;
        }
        dd->k = k;
        st = hs_hmc_fit_date(dd, spec->basis, spec->order, n, x, state ? state + d * n : NULL, gain,
                             y, res, err);
        if (st)
            goto done;
        double d0 = exp(-r * (double)k * dt);
        for (size_t i = 0; i < n; i++) {
            acc[i] += d0 * res[i];
            hs_hmc_eval(dd, spec->order, x[i], state ? state[d * n + i] : 0.0, &cnext[i], NULL);
        }
    }
    /* The hedged present value of each path, W_i = C_0 + sum_d PV(residual_d,i): its mean
     * is the mean of C_0 (each date's residuals sum to zero; C_0 is one number unless the
     * state varies at t0), its spread over the paths the price's error. */
    double m2 = 0.0, mean = 0.0;
    for (size_t i = 0; i < n; i++)
        acc[i] += cnext[i], mean += acc[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        m2 += (acc[i] - mean) * (acc[i] - mean);
    h->price = mean;
    h->stderr_ = sqrt(m2 / (double)(n - 1)) / sqrt((double)n);
done:
    free(slot), free(spot), free(state), free(work);
    if (st) {
        hs_hmc_free(h);
        return st;
    }
    h->seconds = wall_seconds() - t_start;
    *out = h;
    return HS_OK;
}
