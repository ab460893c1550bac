/*
 * Delta tables: a function of one variable (the book's model delta as a function of
 * x = ln S at one rebalance date) replaced by a piecewise Chebyshev interpolant whose
 * error is measured when it is built (src/pricing/delta_table.c has the method).
 *
 * A table covers [lo, hi]; hs_delta_table_eval answers inside and returns NaN outside,
 * where the caller falls back to the formula.
 */
#ifndef HEDGESIM_DELTA_TABLE_H
#define HEDGESIM_DELTA_TABLE_H

#include <stddef.h>

#include "hedgesim/error.h"

/* Chebyshev degree of one panel (HS_DELTA_TABLE_DEGREE + 1 nodes). */
#define HS_DELTA_TABLE_DEGREE 16

/* Largest error accepted at the check points of a panel when it is built; the promised
 * bound on the error anywhere in the table (tested) is 1e-7. */
#define HS_DELTA_TABLE_TOL 2e-8

/* Most panels of one table. */
#define HS_DELTA_TABLE_MAX_PANELS 4096

typedef struct hs_delta_table {
    double lo, hi;        /* the range covered */
    size_t n_panels;      /* panels in increasing order of x */
    double *edges;        /* [n_panels + 1] panel boundaries, edges[0] = lo, edges[n] = hi */
    double *coef;         /* [n_panels][HS_DELTA_TABLE_DEGREE + 1] Chebyshev coefficients */
    size_t evals;         /* evaluations of f spent on the build (nodes and checks) */
    double max_check_err; /* largest error seen at an accepted panel's check points */
} hs_delta_table;

/* The function tabulated: f(x, user); NaN when it cannot be evaluated. */
typedef double (*hs_delta_fn)(double x, void *user);

/* Build a table of f over [lo, hi] (lo < hi, finite).  HS_ERUNTIME when f fails (NaN)
 * at a node, when a panel cannot meet the tolerance or when memory runs out. */
hs_status hs_delta_table_build(hs_delta_table *t, double lo, double hi, hs_delta_fn f, void *user,
                               hs_error *err);

/* The interpolant at x; NaN when x is outside [lo, hi] (or NaN). */
double hs_delta_table_eval(const hs_delta_table *t, double x);
/* out[i] = hs_delta_table_eval(t, x[i]) for i < n, the same bits, several lanes at once. */
void hs_delta_table_eval_lanes(const hs_delta_table *t, const double *x, double *out, size_t n);

void hs_delta_table_free(hs_delta_table *t);

#endif
