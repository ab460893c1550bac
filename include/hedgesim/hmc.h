/*
 * Hedged Monte Carlo (HMC): the variance-optimal hedge of a book learned by regression on
 * simulated paths of the scenario's own model (Potters, Bouchaud & Sestovic, "Hedged
 * Monte Carlo: low variance derivative pricing with objective probabilities", Physica A
 * 289 (2001) 517-525; Foellmer & Schweizer's local risk minimisation).
 *
 * Backward over the dates t_0 < t_1 < ... < t_D = T where the hedge may trade, find the
 * value C_d(S) and the hedge phi_d(S) of the book, each a linear combination of B-splines
 * in x = ln S (the same basis times the standardised model state z when asked), that
 * minimise over the training paths
 *
 *   mean_i ( Y_i - C_d(S_d^i) - phi_d(S_d^i) G_i )^2,
 *   Y_i = e^{-r Dt} C_{d+1}(S_{d+1}^i) + sum_{legs expiring in (t_d, t_{d+1}]}
 *         q_leg payoff(S_e^i) e^{-r (t_e - t_d)},            (C_D = 0: all legs paid)
 *   G_i = S_{d+1}^i e^{(q - r) Dt} - S_d^i                   (a share's discounted gain,
 *                                                             dividends reinvested).
 *
 * phi_d is the number of shares that makes the book + shares locally least risky; the
 * hedge of the book is -phi_d (the engine's sign: shares held against the book).
 * This header is the training (hmc_train.c) and the evaluation of a fitted date; the
 * ratio `min_variance` (ratio_min_variance.c) wires it into the engine.
 */
#ifndef HEDGESIM_HMC_H
#define HEDGESIM_HMC_H

#include <stddef.h>
#include <stdint.h>

#include "hedgesim/error.h"
#include "hedgesim/model.h"
#include "hedgesim/strategy.h"

/* Most B-splines in x (and so 2 x this many functions with the state). */
#define HS_HMC_MAX_BASIS 64

/* One fitted date: functions f_j(x, z) = B_a(x) z^s, a < nx, s < nz (j = a * nz + s). */
typedef struct hs_hmc_date {
    size_t k;          /* grid step of the date */
    size_t nx;         /* B-splines in x: the basis, or 1 (a constant) when x is constant */
    size_t nz;         /* 1, or 2 when the state enters (1 and z) */
    double x_lo, x_hi; /* the knots' range: the training paths' range of ln S at t_k */
    double brk[HS_HMC_MAX_BASIS]; /* the nx - order + 2 breakpoints, brk[0] = x_lo */
    double z_mean, z_sd;          /* standardisation of the state: z = (state - mean) / sd */
    double z_lo, z_hi;            /* the training range of z (evaluation clamps to it) */
    double *value;                /* [nx * nz] coefficients of C */
    double *hedge;                /* [nx * nz] coefficients of phi */
} hs_hmc_date;

typedef struct hs_hmc_spec {
    size_t basis;   /* B-splines in x (>= order) */
    size_t order;   /* spline order (4: cubic) */
    uint64_t paths; /* training paths */
    int state;      /* 1: the model's state[0] enters the basis */
    uint64_t seed;  /* the run's seed (training paths are run paths 2^62 + j) */
    size_t every;   /* grid steps between trading dates (1: every step) */
    int threads;    /* threads that simulate the training paths (0: all cores) */
} hs_hmc_spec;

typedef struct hs_hmc {
    size_t order;
    size_t n_dates;     /* trading dates t_0 .. (t_D = T is not stored) */
    hs_hmc_date *dates; /* [n_dates], increasing k */
    size_t *date_of;    /* [steps]: the index of the last date at or before step k */
    size_t steps;
    double price;   /* C_0(S_0): the book's HMC value at t0, t0 money */
    double stderr_; /* its standard error: std over paths of the hedged PV / sqrt(N) */
    double seconds; /* training wall time */
    uint64_t paths;
} hs_hmc;

/* Index of the first training path: above every run's paths (< 2^62 by the scenario's
 * limits), so the training streams have increments no run path has (streams.c). */
#define HS_HMC_PATH0 (UINT64_C(1) << 62)

/* Train on spec->paths paths of model m for the book legs[0 .. n_legs).  Deterministic:
 * the same bits for any thread count.  *out is allocated (free with hs_hmc_free). */
hs_status hs_hmc_train(const hs_model *m, const hs_leg *legs, size_t n_legs,
                       const hs_hmc_spec *spec, hs_hmc **out, hs_error *err);
void hs_hmc_free(hs_hmc *h);

/* Bytes hs_hmc_train holds at its peak for spec on a grid of `steps` steps. */
size_t hs_hmc_train_bytes(const hs_hmc_spec *spec, size_t steps, size_t n_legs);

/* One regression step (exposed for the known-answer test): given n rows of x (ln S), z
 * (NULL without state), gain G and target Y, fit d's coefficients (d->nx, d->nz, ranges
 * set here from the data; basis B-splines of the given order).  Returns the residuals in
 * res[n] when res is not NULL. */
hs_status hs_hmc_fit_date(hs_hmc_date *d, size_t basis, size_t order, size_t n, const double *x,
                          const double *z, const double *gain, const double *y, double *res,
                          hs_error *err);

/* The B-spline values B_0..B_{basis-1}(x) of order `order` on the clamped knots of the
 * basis - order + 2 increasing breakpoints brk (x clamped into [brk[0], brk[last]]), as
 * gsl_bspline_knots places them. */
void hs_hmc_bspline(double x, const double *brk, size_t basis, size_t order, double *out);
/* The same as the order nonzero values nv[0 .. order) of B_{a0} .. B_{a0+order-1}; returns
 * a0. */
size_t hs_hmc_bspline_nonzero(double x, const double *brk, size_t basis, size_t order, double *nv);

/* C_d and phi_d of a fitted date at (x, state value s); outside the training range x and z
 * are clamped (the fit is flat beyond the paths it saw). */
void hs_hmc_eval(const hs_hmc_date *d, size_t order, double x, double s, double *value,
                 double *hedge);

/* The bytes strategy s's training holds at its peak (0 unless its ratio is min_variance),
 * and the index of `train_paths` among the ratio's parameters (for messages). */
size_t hs_min_variance_train_bytes(const hs_strategy *s, const hs_grid *grid, size_t n_legs);
size_t hs_min_variance_train_paths_param(void);

#endif
