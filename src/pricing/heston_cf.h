/*
 * Private to src/pricing: the pieces of the Heston characteristic function that the
 * adaptive pricer (heston.c), the batched delta (heston_batch.c) and price
 * (heston_price_batch.c) share.  heston.c's
 * file comment has the formulas.
 */
#ifndef HEDGESIM_PRICING_HESTON_CF_H
#define HEDGESIM_PRICING_HESTON_CF_H

#include <complex.h>

#include "hedgesim/heston.h"

typedef struct cf_ctx {
    double v0, kappa, theta, xi, rho, tau;
    double k;        /* ln(K / F) */
    double a;        /* the contour: z = u - i a */
    double scale;    /* the integration variable is s = u * scale */
    double vbar_tau; /* vbar tau, the total variance of the control variate */
    int control;     /* subtract the Black-Scholes integrand (only on a = 1/2) */
    size_t evals;
} cf_ctx;

/* e^z - 1 without cancellation for small z. */
double complex hs_heston_cexpm1(double complex z);

/* ln phi(u - i a) = C + v0 D (the trap form); C and D do not depend on v0. */
void hs_heston_log_cf_cd(const cf_ctx *c, double u, double a, double complex *C, double complex *D);

/* e^{(1-a) k - iuk} (phi_H - phi_BS)(u - i a) (without phi_BS when c->control is 0). */
double complex hs_heston_cf_difference(cf_ctx *c, double u);

/* The edge of the strip of finite moments on one side (side > 0: a = 1 + t; side < 0:
 * a = -t): the largest t <= 1e8 with E[e^{a X}] finite at c->tau (independent of v0). */
double hs_heston_strip_edge(const cf_ctx *c, int side);

/* Points per call of hs_heston_fourier_sums. */
#define HS_FOURIER_CHUNK 16

/* out[l] = sum_{j < n} Re[e^{-i j h k[l]} (re[j] + i im[j])] for l < m <= HS_FOURIER_CHUNK:
 * the sums of the batched delta and price (heston_batch.c). */
void hs_heston_fourier_sums(const double *re, const double *im, size_t n, double h, const double *k,
                            size_t m, double *out);

/* HS_EINPUT naming the first bad argument of a price or delta. */
hs_status hs_heston_check_inputs(hs_bs_kind kind, double spot, double strike, double tau,
                                 double rate, double div, const hs_heston_params *p, hs_error *err);

#endif
