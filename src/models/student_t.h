/*
 * Quantile of Student's t distribution with a fixed nu, by a per-run table
 * (src/models/student_t.c has the method, its error and its references).  Private to
 * src/models/.
 */
#ifndef HEDGESIM_MODELS_STUDENT_T_H
#define HEDGESIM_MODELS_STUDENT_T_H

#include <stddef.h>

/* Degree of each polynomial piece (coefficients per piece: HS_TQ_DEG + 1). */
#define HS_TQ_DEG 11
/* Pieces of the central region p = min(u, 1 - u) in [1/4, 1/2], in (1/2 - p)^2. */
#define HS_TQ_CENTRAL 4
/* Pieces per binade [2^-(j+1), 2^-j) of the tails (a power of two). */
#define HS_TQ_SPLIT 4
/* Binades of the tails tabulated: p in [2^-(2 + HS_TQ_LEVELS), 1/4). */
#define HS_TQ_LEVELS 62

typedef struct hs_tq_table {
    double nu;
    /* Chebyshev coefficients, central pieces first, then binade by binade. */
    double coef[(HS_TQ_CENTRAL + HS_TQ_LEVELS * HS_TQ_SPLIT) * (HS_TQ_DEG + 1)];
} hs_tq_table;

/* Fills t for nu > 0: about 3,400 evaluations of gsl_cdf_tdist_Pinv, or a copy of a
 * table of the same nu built earlier in the process (the last four are kept).  Safe to
 * call from several threads.  Returns 0, or -1 when nu is not finite and positive or
 * GSL gave a value that is not finite. */
int hs_tq_init(hs_tq_table *t, double nu);

/* The u-quantile of Student's t with t->nu degrees of freedom, for u in (0, 1): within
 * 1e-12 relative of gsl_cdf_tdist_Pinv(u, nu) (tests/models/test_student_t.c). */
double hs_student_t_quantile(const hs_tq_table *t, double u);

/* q[i] = hs_student_t_quantile(t, u[i]) for i < n, bit for bit, in vector passes. */
void hs_student_t_quantile_lanes(const hs_tq_table *t, const double *u, double *q, size_t n);

#endif
