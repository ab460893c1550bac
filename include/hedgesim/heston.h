/*
 * Heston (1993) stochastic volatility: semi-closed-form price and delta of European
 * calls and puts on a stock with a continuous dividend yield.
 *
 * Under the risk-neutral measure
 *
 *   dS/S = (r - q) dt + sqrt(v) dW_1,
 *   dv   = kappa (theta - v) dt + xi sqrt(v) dW_2,      d<W_1, W_2> = rho dt,
 *
 * S.L. Heston, "A closed-form solution for options with stochastic volatility with
 * applications to bond and currency options", Review of Financial Studies 6 (1993)
 * 327-343.  The characteristic function of X = ln(S_T / F), F = S e^{(r - q) tau}, is
 * taken in the form of H. Albrecher, P. Mayer, W. Schoutens and J. Tistaert, "The little
 * Heston trap", Wilmott Magazine, January 2007, 83-92 (their formulation 2, whose
 * principal-branch logarithm is continuous; R. Lord and C. Kahl, "Complex logarithms in
 * Heston-like models", Mathematical Finance 20 (2010) 671-694, extend this to the complex
 * arguments used here), and the price is A. Lewis's single Fourier integral along
 * Im z = -1/2 (A.L. Lewis, "Option Valuation under Stochastic Volatility", Finance Press,
 * 2000; "A simple option formula for general jump-diffusion and other exponential Levy
 * processes", 2001):
 *
 *   call  = S e^{-q tau} - sqrt(F K) e^{-r tau} / pi
 *                          * int_0^inf Re[e^{i u x} phi(u - i/2)] / (u^2 + 1/4) du,
 *   delta = e^{-q tau}   - sqrt(F K) e^{-r tau} / (pi S)
 *                          * int_0^inf Re[e^{i u x} phi(u - i/2) / (1/2 - i u)] du,
 *
 * x = ln(F / K).  src/pricing/heston.c says how the integrals are evaluated (a
 * Black-Scholes control variate near the money, Lord and Kahl's optimal contour far from
 * it, GSL's adaptive Gauss-Kronrod quadrature), how the limits tau -> 0 and xi -> 0 are
 * taken, and where the quadrature can fail (a variance near 0 with xi far above the
 * Feller bound).  The put follows by put-call parity:
 * put = call - S e^{-q tau} + K e^{-r tau}, put delta = call delta - e^{-q tau}.
 */
#ifndef HEDGESIM_HESTON_H
#define HEDGESIM_HESTON_H

#include <stddef.h>

#include "hedgesim/bs.h"
#include "hedgesim/error.h"
#include "hedgesim/model.h"

/* Below this vol of vol the variance path is taken as deterministic and the price is
 * Black-Scholes at the average variance (exact at xi = 0; see pricing/heston.c for the
 * size of the error just above). */
#define HS_HESTON_XI_MIN 1e-10

/* Target absolute error of a price, per unit of sqrt(S e^{-q tau} K e^{-r tau}) (so 1e-11
 * of the spot for an option near the money; or 1e-10 relative, whichever is looser); the
 * delta gets the same absolute target. */
#define HS_HESTON_TOL 1e-11

/* The variance part of the model (risk-neutral). */
typedef struct hs_heston_params {
    double v0;    /* initial (current) variance, >= 0, per year */
    double kappa; /* mean-reversion speed, >= 0, per year */
    double theta; /* long-run variance, >= 0, per year */
    double xi;    /* volatility of the variance ("vol of vol"), >= 0 */
    double rho;   /* correlation of the price and variance noises, in [-1, 1] */
} hs_heston_params;

typedef struct hs_heston_value {
    double value;  /* price, money */
    double delta;  /* dV/dS */
    double abserr; /* GSL's estimate of the absolute error of value (0 for a limit case) */
    size_t evals;  /* characteristic-function evaluations used (0 for a limit case) */
} hs_heston_value;

/* Average variance over [0, tau] of the deterministic part of v:
 * theta + (v0 - theta) (1 - e^{-kappa tau}) / (kappa tau), with the limit v0 at
 * kappa tau = 0.  At xi = 0 the model is Black-Scholes at sqrt of this. */
double hs_heston_mean_variance(const hs_heston_params *p, double tau);

/* Price and delta of a European call or put: spot > 0, strike > 0, tau >= 0 (years),
 * rate and div finite, v0, kappa, theta, xi >= 0 and finite, rho in [-1, 1].  Bad
 * input: HS_EINPUT naming the argument.  A quadrature that does not converge to the
 * tolerance: HS_ERUNTIME naming GSL's reason.  On failure out is left untouched. */
hs_status hs_heston_eval(hs_bs_kind kind, double spot, double strike, double tau, double rate,
                         double div, const hs_heston_params *p, hs_heston_value *out,
                         hs_error *err);

/* The delta alone (one integral instead of two): out->value is NaN. */
hs_status hs_heston_eval_delta(hs_bs_kind kind, double spot, double strike, double tau, double rate,
                               double div, const hs_heston_params *p, hs_heston_value *out,
                               hs_error *err);

/* One step of Andersen's QE variance scheme for n lanes of a prepared hs_model_heston
 * model (src/models/heston.c): from the variances var, the lanes' uniforms u and their
 * normals zv = Phi^{-1}(u), the next variances into v_next and the log-price
 * increments A (V' - m) - c(A) (martingale-corrected) into jump.  What the model's step
 * does before its price step; public for tests. */
void hs_heston_qe_lanes(const hs_model *m, const double *var, const double *u, const double *zv,
                        double *v_next, double *jump, size_t n);

/* The delta of a call or put under a prepared hs_model_heston model at a lane's spot
 * and current variance (the hedge ratio `model`): the model's kappa, theta, xi and rho,
 * its market's rate and dividend.  NaN when the evaluation fails. */
double hs_heston_lane_delta(const hs_model *m, hs_bs_kind kind, double spot, double variance,
                            double strike, double tau);

/* The delta at one (tau, v) for many spots (the batched delta of the model-delta tables):
 * the characteristic function evaluated once on a fixed trapezoid grid in u, then a sum
 * of n complex products per spot (pricing/heston.c, "batched delta", has the method and
 * its error).  Within 1e-9 of hs_heston_eval_delta (tested). */
typedef struct hs_heston_slice {
    double tau, rate, div;
    double sigma_bar;  /* sqrt of the average variance: the control variate's vol */
    double dq;         /* e^{-q tau} */
    double k_lo, k_hi; /* ln(K / F) beyond which the call delta is its limit e^{-q tau}, 0 */
    double h;          /* the grid step in u */
    size_t n;          /* grid nodes; 0: the Black-Scholes limit (tau, vbar or xi at 0) */
    double *re, *im;   /* [n] weight x psi(u_j) */
} hs_heston_slice;

/* Prepare the slice of tau and variance p->v0.  Bad input: HS_EINPUT; no moment bound
 * (moments exploding before tau) or too slow a decay: HS_ERUNTIME (use the formula). */
hs_status hs_heston_slice_init(hs_heston_slice *s, double tau, double rate, double div,
                               const hs_heston_params *p, hs_error *err);
void hs_heston_slice_free(hs_heston_slice *s);

/* The deltas of a call or put of the given strike at n spots (> 0, finite). */
void hs_heston_slice_delta(const hs_heston_slice *s, hs_bs_kind kind, double strike, size_t n,
                           const double *spot, double *delta);

/* The prices of a call or put of the given strike at n spots (> 0, finite) from the same
 * slice (heston_price_batch.c): HS_ERUNTIME only when memory runs out. */
hs_status hs_heston_slice_price(const hs_heston_slice *s, hs_bs_kind kind, double strike, size_t n,
                                const double *spot, double *price);

/* A slab: what the slices of one tau at any variance up to v_max share (C and D of
 * ln phi = C + v D on a grid in u, filled on demand; the Chernoff grid), so that a slice
 * costs a complex exponential per node (heston_batch.c).  Not thread-safe: one builder. */
typedef struct hs_heston_slab {
    double tau, rate, div;
    hs_heston_params p; /* v0 = v_max */
    double h0;          /* the grid step: that of v_max's slice (0: slices are made directly) */
    size_t cap;         /* grid points allocated */
    double *cd;         /* [cap][4]: Re C, Im C, Re D, Im D at u = j h0, NaN until needed */
    int n_right, n_left;
    double t_right[33], mc_right[33], md_right[33]; /* Chernoff grid: ln M = mc + v md */
    double t_left[33], mc_left[33], md_left[33];
} hs_heston_slab;

hs_status hs_heston_slab_init(hs_heston_slab *sb, double tau, double rate, double div,
                              const hs_heston_params *p, double v_max, hs_error *err);
void hs_heston_slab_free(hs_heston_slab *sb);

/* The slice at variance v from the slab (or made directly where the slab cannot serve it);
 * the same accuracy as hs_heston_slice_init (tested). */
hs_status hs_heston_slice_from_slab(hs_heston_slab *sb, double v, hs_heston_slice *s,
                                    hs_error *err);

/* One slice for n spots, then freed: the same as n calls of hs_heston_eval_delta within
 * 1e-9 (absolute). */
hs_status hs_heston_delta_batch(hs_bs_kind kind, double strike, double tau, double rate, double div,
                                const hs_heston_params *p, size_t n, const double *spot,
                                double *delta, hs_error *err);

/* ------------------------------------------------ model-delta tables (heston_table.c)
 * The hedge of a book of calls and puts at one date, h(x, v) = -sum quantity * delta at
 * S = e^x and variance v, as a piecewise tensor Chebyshev interpolant in (x, sqrt v) on
 * a k-d tree of rectangles whose error at check points between the nodes is at most
 * HS_HESTON_TABLE_TOL per unit of the book's total |quantity| (the promised bound
 * anywhere in the table, tested on dense grids against the formula, is 1e-7). */
#define HS_HESTON_TABLE_NX 12
#define HS_HESTON_TABLE_NY 10
#define HS_HESTON_TABLE_TOL 2e-8
/* A leaf's coefficient row: NX + 1 values, then zeros to a multiple of 8 (whole vectors).
 * 12 x 10 measured best of 10..16 x 8..12 (build and evaluation together). */
#define HS_HESTON_TABLE_ROW ((HS_HESTON_TABLE_NX + 8) / 8 * 8)
#define HS_HESTON_TABLE_LEAF (4 + (HS_HESTON_TABLE_NY + 1) * HS_HESTON_TABLE_ROW)
#define HS_HESTON_TABLE_CELLS 64 /* the index of start nodes: cells per side */

typedef struct hs_heston_leg {
    hs_bs_kind kind;
    double strike, tau, quantity;
} hs_heston_leg;

typedef struct hs_heston_table_node {
    double split; /* the cut (x or y) of a split node */
    int kind;     /* 0: split in x, 1: split in y, 2: leaf */
    size_t index; /* split: the first of the two children (below the cut); leaf: its number */
} hs_heston_table_node;

typedef struct hs_heston_table {
    double x_lo, x_hi, y_lo, y_hi; /* the range: x = ln S, y = sqrt(v) */
    size_t n_nodes, n_leaves;
    hs_heston_table_node *nodes; /* [n_nodes], the root first */
    double *coef;                /* [n_leaves][HS_HESTON_TABLE_LEAF]: xa, xb, ya, yb, c[l][m] */
    size_t *cells;               /* [CELLS^2] start node of each cell of the range, y-major */
    double cell_x, cell_y;       /* cells per unit of x and of y */
    /* The tree again for a branch-free walk of many points at once (heston_table.c): per
     * node its cut (+inf at a leaf), its first child (itself at a leaf) and whether the
     * cut is in y; walk_depth steps take any point from its cell's start node to its
     * leaf. */
    double *walk_split;
    size_t *walk_next, *walk_axis;
    size_t walk_depth;
    size_t evals;               /* values of h spent on the build (nodes and checks) */
    double max_check_err;       /* largest error at an accepted rectangle's check points */
    size_t slices, slice_nodes; /* slices made for the build and their nodes in all */
    size_t eval_nodes;          /* terms of the slice sums over all values */
} hs_heston_table;

/* Build the table of the book legs[n_legs] (each leg's tau > 0) under the model p (p->v0
 * unused) over x in [x_lo, x_hi], v in [v_lo, v_hi] (v_lo = v_hi allowed: a table in x
 * alone).  HS_EINPUT for a bad range; HS_ERUNTIME when the batched delta fails, a
 * rectangle cannot meet the tolerance or memory runs out. */
hs_status hs_heston_table_build(hs_heston_table *t, const hs_heston_leg *legs, size_t n_legs,
                                double rate, double div, const hs_heston_params *p, double x_lo,
                                double x_hi, double v_lo, double v_hi, hs_error *err);

/* The same table of the book's value h(x, v) = + sum quantity * price (model prices,
 * model_price.c), from hs_heston_slice_price, to HS_HESTON_PRICE_TABLE_TOL per unit of
 * sum |quantity| * strike at its check points. */
#define HS_HESTON_PRICE_TABLE_TOL 2e-10
hs_status hs_heston_price_table_build(hs_heston_table *t, const hs_heston_leg *legs, size_t n_legs,
                                      double rate, double div, const hs_heston_params *p,
                                      double x_lo, double x_hi, double v_lo, double v_hi,
                                      hs_error *err);

/* The interpolant at (x, v); NaN outside the range (or for NaN input). */
double hs_heston_table_eval(const hs_heston_table *t, double x, double v);
/* The same at n points: out[i] = hs_heston_table_eval(t, x[i], v[i]), bit for bit. */
void hs_heston_table_eval_lanes(const hs_heston_table *t, const double *x, const double *v,
                                double *out, size_t n);

void hs_heston_table_free(hs_heston_table *t);

#endif
