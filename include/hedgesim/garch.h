/*
 * GARCH(1,1) estimation and forecasts (T. Bollerslev, "Generalized autoregressive
 * conditional heteroskedasticity", J. Econometrics 31 (1986) 307-327):
 *
 *   r_t = mu + eps_t,   eps_t = sqrt(h_t) e_t,   h_{t+1} = omega + alpha eps_t^2 + beta h_t
 *
 * with e_t iid standard normal, or Student t with nu > 2 degrees of freedom scaled to unit
 * variance (Bollerslev, Rev. Econ. Stat. 69 (1987) 542-547).  The same recursion drives
 * the path model hs_model_garch (models/garch.c); all quantities are per period of the
 * series (per step of the simulation).
 *
 * hs_garch_fit maximises the likelihood with GSL's Nelder-Mead simplex on unconstrained
 * coordinates and reports standard errors from a numerical Hessian (garch_fit.c).
 */
#ifndef HEDGESIM_GARCH_H
#define HEDGESIM_GARCH_H

#include <stddef.h>

#include "hedgesim/error.h"

/* The shortest series hs_garch_fit accepts: with fewer returns the likelihood surface is
 * too flat to identify four or five parameters. */
#define HS_GARCH_MIN_RETURNS 50

typedef enum hs_garch_dist {
    HS_GARCH_NORMAL = 0, /* index of "normal" in the model's dist choices */
    HS_GARCH_T = 1       /* index of "t" */
} hs_garch_dist;

/* Parameters, per period: mu the mean return, omega > 0, alpha >= 0, beta >= 0 and, for
 * HS_GARCH_T, nu > 2 (ignored for HS_GARCH_NORMAL). */
typedef struct hs_garch_params {
    hs_garch_dist dist;
    double mu, omega, alpha, beta, nu;
} hs_garch_params;

typedef struct hs_garch_result {
    hs_garch_params est; /* maximum-likelihood estimates (nu NaN for normal) */
    hs_garch_params se;  /* standard errors (NaN where not available) */
    double loglik;       /* log-likelihood at est, constants included */
    double uncond_var;   /* omega / (1 - alpha - beta), per period */
    double h_last;       /* conditional variance for the period after the series */
    size_t n;            /* returns used */
    size_t iterations;   /* simplex iterations, restarts included */
    int converged;       /* 1 when the simplex shrank below tolerance and a restart
                            from the optimum found nothing better */
    int hessian_ok;      /* 1 when the Hessian was positive definite (se valid) */
} hs_garch_result;

/* Fit the GARCH(1,1) with constant mean to returns[0..n) by maximum likelihood.  The
 * variance recursion starts at the sample variance.  HS_EINPUT for fewer than
 * HS_GARCH_MIN_RETURNS returns, a non-finite return or a constant series; HS_ERUNTIME
 * when the minimiser fails.  A fit that does not converge, or whose Hessian is not
 * positive definite, is returned with HS_OK and its flag cleared. */
hs_status hs_garch_fit(const double *returns, size_t n, hs_garch_dist dist, hs_garch_result *out,
                       hs_error *err);

/* Log-likelihood of returns[0..n) under p, the recursion started at h1 (> 0).  -inf when
 * p is outside omega > 0, alpha >= 0, beta >= 0, nu > 2, or a variance is not finite.
 * alpha + beta < 1 is not required: the likelihood is defined without it. */
double hs_garch_loglik(const double *returns, size_t n, const hs_garch_params *p, double h1);

/* Expected integrated variance: sum_{j=0}^{n-1} E[h_{k+j} | h_k]
 *   = n s2 + (h_k - s2) (1 - p^n) / (1 - p),   s2 = omega / (1 - p),   p = alpha + beta,
 * from E[h_{k+j+1}] = omega + p E[h_{k+j}] (Bollerslev 1986, section 3).  For p >= 1 the
 * sum is taken term by term from that recursion.  NaN for invalid arguments. */
double hs_garch_integrated_variance(double omega, double alpha, double beta, double h_k, size_t n);

/* Unconditional kurtosis E[eps^4] / E[eps^2]^2 of GARCH(1,1) with normal innovations,
 *   3 (1 - p^2) / (1 - p^2 - 2 alpha^2),   p = alpha + beta
 * (Bollerslev 1986, section 3, after Theorem 2; also Tsay, "Analysis of Financial Time
 * Series", 2nd ed., 2005, chapter 3, kurtosis of GARCH models); +inf when the fourth
 * moment does not exist (1 - p^2 - 2 alpha^2 <= 0, which includes p >= 1), NaN for
 * invalid arguments. */
double hs_garch_kurtosis(double alpha, double beta);

#endif
