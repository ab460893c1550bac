/*
 * Maximum-likelihood fit of GARCH(1,1) with constant mean (Bollerslev 1986, J.
 * Econometrics 31, 307-327, sections 2 and 5), and its closed-form moments.
 *
 * Log-likelihood of r_1..r_n, eps_t = r_t - mu, h_{t+1} = omega + alpha eps_t^2 + beta h_t,
 * the recursion started at the sample variance (h_1 = (1/n) sum (r_t - rbar)^2, the usual
 * choice, e.g. Zivot, "Practical issues in the analysis of univariate GARCH models", in
 * Handbook of Financial Time Series, 2009):
 *
 *   normal: l = sum_t -1/2 [ln(2 pi) + ln h_t + eps_t^2 / h_t]
 *   t(nu):  l = sum_t ln G((nu+1)/2) - ln G(nu/2) - 1/2 ln(pi (nu-2) h_t)
 *                     - (nu+1)/2 ln(1 + eps_t^2 / ((nu-2) h_t))
 *
 * the second being the Student t scaled to unit variance (Bollerslev, Rev. Econ. Stat.
 * 69 (1987) 542-547).
 *
 * Minimiser: GSL's Nelder-Mead simplex (gsl_multimin_fminimizer_nmsimplex2) on
 * unconstrained coordinates, every one of order 1, so one step size suits all:
 *
 *   x0 = (mu - rbar) / s,  x1 = ln(omega / s^2),
 *   (alpha, beta, 1 - alpha - beta) = softmax(x2, x3, 0),  x4 = ln(nu - 2)
 *
 * (s^2 the sample variance).  The softmax maps the plane onto the open triangle
 * alpha, beta > 0, alpha + beta < 1, so every point the simplex visits is a stationary
 * model and the recursion can neither go negative nor explode.  The simplex starts from
 * the best of a small grid of (alpha, beta) and is restarted from its optimum until a
 * restart finds nothing better, the classic remedy for its early collapse (Press et al.,
 * "Numerical Recipes", 3rd ed., 2007, section 10.5).
 *
 * Standard errors: the inverse of the Hessian of -l in the original parameters
 * (mu, omega, alpha, beta[, nu]) by central differences, the observed information.
 * The Hessian is taken in units of each parameter's own size (a diagonal rescaling,
 * undone afterwards, exact in exact arithmetic), because omega ~ 1e-6 and alpha ~ 0.1
 * would otherwise give entries 1e10 apart and a Cholesky factorisation that fails on
 * round-off alone.  A Hessian that is not positive definite gives NaN errors and a
 * cleared flag, never a wrong number.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_vector.h>

#include "hedgesim/garch.h"

#define LN_2PI 1.8378770664093454836
#define PI 3.14159265358979323846

/* Simplex: tolerance on its size in the unconstrained coordinates (far below the
 * sampling error of any estimate, which is 1/sqrt(n) or more in them), iterations per
 * run, runs, and iterations without a better point after which a run is over. */
#define SIMPLEX_TOL 1e-6
#define SIMPLEX_ITER 5000
#define SIMPLEX_RUNS 8
#define SIMPLEX_STALL 200
/* ln(nu - 2) is capped here (nu about 22000): beyond it the t is a normal to the
 * precision of any sample, and exp must not overflow. */
#define LOG_NU_MAX 10.0
/* Relative step of the numerical Hessian: the truncation error is O(step^2) relative
 * and the round-off O(eps |l| / step^2), both far below the sampling error. */
#define HESSIAN_STEP 1e-4
/* Stand-in for +inf (a point outside the model), so the simplex never sees a
 * non-finite value (nmsimplex2 stops with GSL_EBADFUNC on one). */
#define WALL 1e300

/* Log-likelihood, and the variance for the period after the series in *h_next. */
static double loglik_core(const double *r, size_t n, const hs_garch_params *p, double h1,
                          double *h_next)
{
    double omega = p->omega, alpha = p->alpha, beta = p->beta, mu = p->mu;
    if (!(omega > 0) || !(alpha >= 0) || !(beta >= 0) || !(h1 > 0) || !isfinite(mu) ||
        !isfinite(omega) || !isfinite(alpha) || !isfinite(beta) || !isfinite(h1))
        return -INFINITY;
    int student = p->dist == HS_GARCH_T;
    double nu = p->nu;
    if (student && !(nu > 2 && isfinite(nu)))
        return -INFINITY;
    double h = h1, sum = 0.0, constant;
    if (student) {
        double power = 0.5 * (nu + 1.0), inv = 1.0 / (nu - 2.0);
        constant = lgamma(power) - lgamma(0.5 * nu) - 0.5 * log(PI * (nu - 2.0));
        for (size_t t = 0; t < n; t++) {
            double e = r[t] - mu;
            sum += -0.5 * log(h) - power * log1p(e * e * inv / h);
            h = omega + alpha * e * e + beta * h;
        }
    } else {
        constant = -0.5 * LN_2PI;
        for (size_t t = 0; t < n; t++) {
            double e = r[t] - mu;
            sum += -0.5 * (log(h) + e * e / h);
            h = omega + alpha * e * e + beta * h;
        }
    }
    if (h_next)
        *h_next = h;
    double l = (double)n * constant + sum;
    return isfinite(l) ? l : -INFINITY;
}

double hs_garch_loglik(const double *returns, size_t n, const hs_garch_params *p, double h1)
{
    if (!returns || !p)
        return -INFINITY;
    return loglik_core(returns, n, p, h1, NULL);
}

typedef struct fit_ctx {
    const double *r;
    size_t n;
    hs_garch_dist dist;
    double mean, var, sd;
} fit_ctx;

/* Unconstrained coordinates x to parameters (see the top of the file). */
static void unpack(const gsl_vector *x, const fit_ctx *c, hs_garch_params *p)
{
    p->dist = c->dist;
    p->mu = c->mean + c->sd * gsl_vector_get(x, 0);
    p->omega = c->var * exp(gsl_vector_get(x, 1));
    double a = gsl_vector_get(x, 2), b = gsl_vector_get(x, 3);
    /* Softmax with the largest exponent factored out: no overflow for any a, b. */
    double top = fmax(0.0, fmax(a, b));
    double ea = exp(a - top), eb = exp(b - top), e0 = exp(-top), sum = ea + eb + e0;
    p->alpha = ea / sum;
    p->beta = eb / sum;
    p->nu = c->dist == HS_GARCH_T ? 2.0 + exp(fmin(gsl_vector_get(x, 4), LOG_NU_MAX)) : NAN;
}

static void pack(const hs_garch_params *p, const fit_ctx *c, gsl_vector *x)
{
    double rest = 1.0 - p->alpha - p->beta;
    gsl_vector_set(x, 0, (p->mu - c->mean) / c->sd);
    gsl_vector_set(x, 1, log(p->omega / c->var));
    gsl_vector_set(x, 2, log(p->alpha / rest));
    gsl_vector_set(x, 3, log(p->beta / rest));
    if (c->dist == HS_GARCH_T)
        gsl_vector_set(x, 4, log(p->nu - 2.0));
}

static double objective(const gsl_vector *x, void *data)
{
    const fit_ctx *c = data;
    hs_garch_params p;
    unpack(x, c, &p);
    double l = loglik_core(c->r, c->n, &p, c->var, NULL);
    return isfinite(l) ? -l : WALL;
}

/* The best of a small grid of starting points (the mean at the sample mean, omega
 * matching the sample variance, nu = 8), so the simplex starts in the right basin. */
static void start_point(const fit_ctx *c, hs_garch_params *best)
{
    static const double alphas[] = {0.03, 0.08, 0.15};
    static const double betas[] = {0.80, 0.90, 0.95};
    double best_l = -INFINITY;
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++) {
            if (alphas[i] + betas[j] >= 0.995)
                continue;
            hs_garch_params p = {c->dist,   c->mean,  c->var * (1.0 - alphas[i] - betas[j]),
                                 alphas[i], betas[j], c->dist == HS_GARCH_T ? 8.0 : NAN};
            double l = loglik_core(c->r, c->n, &p, c->var, NULL);
            if (l > best_l || (i == 0 && j == 0)) {
                best_l = l;
                *best = p;
            }
        }
}

/* Run the simplex from x (overwritten by the optimum), restarting until a restart finds
 * nothing better.  Returns a GSL status. */
static int minimise(const fit_ctx *c, gsl_vector *x, size_t *iterations, int *converged)
{
    size_t k = x->size;
    gsl_multimin_function f = {objective, k, (void *)c};
    gsl_multimin_fminimizer *s =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, k);
    gsl_vector *steps = gsl_vector_alloc(k);
    if (!s || !steps) {
        gsl_multimin_fminimizer_free(s);
        gsl_vector_free(steps);
        return GSL_ENOMEM;
    }
    gsl_vector_set_all(steps, 0.5);
    gsl_vector_set(steps, 0, 0.1); /* the mean, in sample standard deviations */
    double previous = INFINITY;
    int status = GSL_SUCCESS;
    *converged = 0;
    for (int run = 0; run < SIMPLEX_RUNS; run++) {
        status = gsl_multimin_fminimizer_set(s, &f, x, steps);
        if (status)
            break;
        int shrunk = 0;
        double best = INFINITY;
        size_t last_gain = 0;
        for (size_t it = 0; it < SIMPLEX_ITER; it++) {
            status = gsl_multimin_fminimizer_iterate(s);
            ++*iterations;
            if (status)
                break;
            if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), SIMPLEX_TOL) ==
                GSL_SUCCESS) {
                shrunk = 1;
                break;
            }
            /* Near the optimum the likelihood is flat to round-off, and the simplex can
             * cycle among points of equal value without shrinking: a best value that has
             * not moved for SIMPLEX_STALL iterations is the optimum at the resolution of
             * the function (and the restart below checks it). */
            double value = gsl_multimin_fminimizer_minimum(s);
            if (value < best - 1e-12 * (1.0 + fabs(value))) {
                best = value;
                last_gain = it;
            } else if (it - last_gain >= SIMPLEX_STALL) {
                shrunk = 1;
                break;
            }
        }
        /* The simplex keeps its best vertex, so even a failed iteration leaves a point
         * no worse than where this run started. */
        double value = gsl_multimin_fminimizer_minimum(s);
        if (value < WALL)
            gsl_vector_memcpy(x, gsl_multimin_fminimizer_x(s));
        if (status)
            break;
        if (shrunk && previous - value <= 1e-9 * (1.0 + fabs(value))) {
            *converged = 1;
            break;
        }
        previous = value;
    }
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(steps);
    return status;
}

/* Parameter i of p in the order mu, omega, alpha, beta, nu. */
static double *param_ref(hs_garch_params *p, size_t i)
{
    double *refs[] = {&p->mu, &p->omega, &p->alpha, &p->beta, &p->nu};
    return refs[i];
}

/* -l at est with parameters i and j moved by di, dj (in their own scales). */
static double shifted(const fit_ctx *c, const hs_garch_params *est, const double *scale, size_t i,
                      double di, size_t j, double dj)
{
    hs_garch_params p = *est;
    *param_ref(&p, i) += di * scale[i];
    *param_ref(&p, j) += dj * scale[j];
    return -loglik_core(c->r, c->n, &p, c->var, NULL);
}

/* Standard errors from the inverse of the numerical Hessian of -l.  Returns 1 when the
 * Hessian is positive definite and every error finite. */
static int standard_errors(const fit_ctx *c, const hs_garch_params *est, hs_garch_params *se)
{
    size_t k = c->dist == HS_GARCH_T ? 5 : 4;
    double scale[5];
    hs_garch_params e = *est;
    for (size_t i = 0; i < k; i++) {
        double v = fabs(*param_ref(&e, i));
        scale[i] = i == 0 ? c->sd : (v > 0 ? v : 1e-8);
    }
    *se = (hs_garch_params){est->dist, NAN, NAN, NAN, NAN, NAN};
    gsl_matrix *h = gsl_matrix_alloc(k, k);
    if (!h)
        return 0;
    const double d = HESSIAN_STEP;
    double f0 = -loglik_core(c->r, c->n, est, c->var, NULL);
    int ok = isfinite(f0);
    for (size_t i = 0; i < k && ok; i++) {
        double fp = shifted(c, est, scale, i, d, i, 0), fm = shifted(c, est, scale, i, -d, i, 0);
        gsl_matrix_set(h, i, i, (fp - 2.0 * f0 + fm) / (d * d));
        for (size_t j = 0; j < i; j++) {
            double fpp = shifted(c, est, scale, i, d, j, d),
                   fpm = shifted(c, est, scale, i, d, j, -d);
            double fmp = shifted(c, est, scale, i, -d, j, d),
                   fmm = shifted(c, est, scale, i, -d, j, -d);
            double hij = (fpp - fpm - fmp + fmm) / (4.0 * d * d);
            gsl_matrix_set(h, i, j, hij);
            gsl_matrix_set(h, j, i, hij);
        }
    }
    for (size_t i = 0; i < k && ok; i++)
        for (size_t j = 0; j < k; j++)
            ok = ok && isfinite(gsl_matrix_get(h, i, j));
    if (ok && gsl_linalg_cholesky_decomp1(h) != GSL_SUCCESS)
        ok = 0;
    if (ok && gsl_linalg_cholesky_invert(h) != GSL_SUCCESS)
        ok = 0;
    for (size_t i = 0; i < k && ok; i++) {
        double var = gsl_matrix_get(h, i, i) * scale[i] * scale[i];
        if (!(var > 0) || !isfinite(var))
            ok = 0;
        else
            *param_ref(se, i) = sqrt(var);
    }
    if (!ok)
        *se = (hs_garch_params){est->dist, NAN, NAN, NAN, NAN, NAN};
    gsl_matrix_free(h);
    return ok;
}

hs_status hs_garch_fit(const double *returns, size_t n, hs_garch_dist dist, hs_garch_result *out,
                       hs_error *err)
{
    memset(out, 0, sizeof *out);
    if (dist != HS_GARCH_NORMAL && dist != HS_GARCH_T)
        return hs_error_set(err, HS_EINPUT,
                            "garch fit: unknown innovation law %d "
                            "(expected normal or t)",
                            (int)dist);
    if (!returns || n < HS_GARCH_MIN_RETURNS)
        return hs_error_set(err, HS_EINPUT,
                            "garch fit: the series has %zu returns "
                            "(expected at least %d)",
                            returns ? n : 0, HS_GARCH_MIN_RETURNS);
    double mean = 0.0, largest = 0.0;
    for (size_t t = 0; t < n; t++) {
        if (!isfinite(returns[t]))
            return hs_error_set(err, HS_EINPUT,
                                "garch fit: return %zu is %g "
                                "(expected a finite number)",
                                t + 1, returns[t]);
        mean += returns[t];
        largest = fmax(largest, fabs(returns[t]));
    }
    mean /= (double)n;
    double var = 0.0;
    for (size_t t = 0; t < n; t++)
        var += (returns[t] - mean) * (returns[t] - mean);
    var /= (double)n;
    /* A constant series leaves only round-off in var: call it constant when the standard
     * deviation is below 1e-10 of the largest return. */
    if (!(var > 1e-20 * largest * largest) || !isfinite(var))
        return hs_error_set(err, HS_EINPUT,
                            "garch fit: the %zu returns have variance %g "
                            "(expected a series that moves)",
                            n, var);

    fit_ctx c = {returns, n, dist, mean, var, sqrt(var)};
    size_t k = dist == HS_GARCH_T ? 5 : 4;
    gsl_vector *x = gsl_vector_alloc(k);
    if (!x)
        return hs_error_set(err, HS_ERUNTIME, "garch fit: out of memory");
    hs_garch_params p;
    start_point(&c, &p);
    pack(&p, &c, x);
    int status = minimise(&c, x, &out->iterations, &out->converged);
    unpack(x, &c, &p);
    gsl_vector_free(x);
    double h_next = NAN;
    double l = loglik_core(returns, n, &p, var, &h_next);
    if (status == GSL_ENOMEM)
        return hs_error_set(err, HS_ERUNTIME, "garch fit: out of memory");
    if (!isfinite(l))
        return hs_error_set(err, HS_ERUNTIME,
                            "garch fit: the minimiser failed (%s) with no "
                            "finite likelihood",
                            gsl_strerror(status));
    if (status)
        out->converged = 0;
    out->est = p;
    out->loglik = l;
    out->h_last = h_next;
    out->n = n;
    out->uncond_var = p.alpha + p.beta < 1.0 ? p.omega / (1.0 - p.alpha - p.beta) : INFINITY;
    out->hessian_ok = standard_errors(&c, &p, &out->se);
    return HS_OK;
}

double hs_garch_integrated_variance(double omega, double alpha, double beta, double h_k, size_t n)
{
    if (!(omega > 0) || !(alpha >= 0) || !(beta >= 0) || !(h_k >= 0) || !isfinite(omega) ||
        !isfinite(alpha) || !isfinite(beta) || !isfinite(h_k))
        return NAN;
    double p = alpha + beta;
    if (p < 1.0) {
        double s2 = omega / (1.0 - p);
        /* (1 - p^n) / (1 - p) without cancellation for p near 1; p = 0 gives 1. */
        double geometric = p > 0 ? -expm1((double)n * log(p)) / (1.0 - p) : (n > 0 ? 1.0 : 0.0);
        return (double)n * s2 + (h_k - s2) * geometric;
    }
    /* Not stationary: E[h_{k+j+1}] = omega + p E[h_{k+j}], term by term. */
    double sum = 0.0, h = h_k;
    for (size_t j = 0; j < n; j++) {
        sum += h;
        h = omega + p * h;
    }
    return sum;
}

double hs_garch_kurtosis(double alpha, double beta)
{
    if (!(alpha >= 0) || !(beta >= 0) || !isfinite(alpha) || !isfinite(beta))
        return NAN;
    double p = alpha + beta, denom = 1.0 - p * p - 2.0 * alpha * alpha;
    if (!(denom > 0))
        return INFINITY;
    return 3.0 * (1.0 - p * p) / denom;
}
