/*
 * Private: sorting doubles in O(n) for quantiles (stats.c).
 */
#ifndef HEDGESIM_SORT_H
#define HEDGESIM_SORT_H

#include <stddef.h>

/* Sort x[0..n) ascending (finite values; -0.0 sorts before +0.0).  Returns 0, or -1
 * when the temporary buffer cannot be allocated (x is then unchanged). */
int hs_sort_doubles(double *x, size_t n);

/* out[0..n) = x[0..n) sorted (out may be x), each pass shared among up to `parts`
 * OpenMP tasks (run by the threads of the enclosing parallel region, or at once outside
 * one): the same result for any `parts`.  parts <= 1, or fewer than 65536 values, sorts
 * serially.  Returns 0, or -1 when out of memory (out then unchanged). */
int hs_sort_doubles_to(const double *x, double *out, size_t n, int parts);

#endif
