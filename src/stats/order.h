/*
 * Private: ranges of the global sorted order of a sample spread over the ranks (order.c).
 */
#ifndef HEDGESIM_ORDER_H
#define HEDGESIM_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "hedgesim/comm.h"
#include "hedgesim/error.h"

/* Collective.  x[0..n) is this rank's share of the sample (finite values); start[0..R]
 * is non-decreasing, the same on every rank, start[R] at most the sample's size.  On
 * success *out (malloc'd, free it) holds the values of global ranks
 * [start[r], start[r + 1]) of this rank r, ascending (-0 before +0).  threads: OpenMP
 * threads for the local passes (1 inside a parallel region); never change the result. */
hs_status hs_order_range(const hs_comm *c, const double *x, size_t n, const uint64_t *start,
                         int threads, double **out, hs_error *err);

#endif
