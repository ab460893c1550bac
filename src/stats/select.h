/*
 * Private: exact order statistics of a sample split into parts (select.c), e.g. the
 * paths of an MPI run, one part per rank, without gathering the sample anywhere.
 */
#ifndef HEDGESIM_SELECT_H
#define HEDGESIM_SELECT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hedgesim/error.h"

/* How the parts add up integer counts: buf[0..n) becomes, on every part, the element-wise
 * sum of every part's buf (for MPI, MPI_Allreduce(MPI_IN_PLACE, ..., MPI_UINT64_T,
 * MPI_SUM)).  Every part makes the same calls in the same order (a collective).  Returns
 * 0, or non-zero when the reduction failed.  Integer sums are exact, so the result never
 * depends on how the sample was split. */
typedef struct hs_reduce {
    int (*sum_u64)(void *ctx, uint64_t *buf, size_t n);
    void *ctx;
} hs_reduce;

/* The values of ranks[0..k) (0-based, ascending order of the whole sample, -0 before +0;
 * each rank below the sample's total size) in values[0..k), and in below[j] how many
 * values of the whole sample are strictly smaller than values[j].  x[0..n) is this
 * part's share (finite values; n may be 0).  red == NULL: the sample is x alone.  Memory:
 * O(n) scratch on each part.  The result is the same on every part and for any split.
 * threads: OpenMP threads that count the part's values (1 inside a parallel region of
 * the caller's); they never change the result. */
hs_status hs_select(const double *x, size_t n, const uint64_t *ranks, size_t k,
                    const hs_reduce *red, int threads, double *values, uint64_t *below,
                    hs_error *err);

/* Order-preserving map of a double to an unsigned key, and back: flip every bit of a
 * negative number, set the sign bit of a positive one (-0 then sorts just below +0).
 * Inline: the passes over a sample call it once per value, and as a call it kept their
 * loops scalar (2.5% of a Derman-Kamal run was the call itself).  Written with masks,
 * b ^ (all ones or 0, by the sign | the sign bit), the same key as the ?: form, which
 * kept GCC from vectorising the loops around it. */
static inline uint64_t hs_select_key(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b ^ ((0 - (b >> 63)) | (UINT64_C(1) << 63));
}

static inline double hs_select_value(uint64_t key)
{
    uint64_t b = key >> 63 ? key & ~(UINT64_C(1) << 63) : ~key;
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

#endif
