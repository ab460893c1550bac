/*
 * Private: summary statistics of a sample spread over the ranks of a run (sample.c).
 */
#ifndef HEDGESIM_SAMPLE_H
#define HEDGESIM_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "hedgesim/comm.h"
#include "hedgesim/experiment.h"
#include "hedgesim/stats.h"

/* Collective over c: x[0..n) is this rank's share of the sample, x[0] being path
 * `first` (for messages); the threads of each rank share the passes.  *out is the same
 * on every rank, for any split and thread count.  HS_ERUNTIME for fewer than 2 values,
 * a non-finite value (naming its path), or an overflow. */
hs_status hs_sample_summary(const hs_comm *c, const double *x, size_t n, uint64_t first,
                            int threads, hs_summary *out, hs_error *err);

/* Collective: the paired comparison of x and y path by path (experiment.h's hs_pair:
 * out->a and out->b are kept), every sum exact. */
hs_status hs_sample_pair(const hs_comm *c, const double *x, const double *y, size_t n, int threads,
                         hs_pair *out, hs_error *err);

/* Collective: the mean and the sample standard deviation (n - 1), every sum exact;
 * 0 for an empty sample, std 0 for one value. */
hs_status hs_sample_mean_std(const hs_comm *c, const double *x, size_t n, int threads, double *mean,
                             double *std, hs_error *err);

#endif
