/*
 * Private: exact sums of doubles, independent of the order of the terms (xsum.c).
 *
 * An hs_xsum holds the sum of every double added to it EXACTLY, as a fixed-point number
 * of 68 signed 32-bit digits spanning 2^-1074 .. 2^1102; hs_xsum_round gives that sum
 * rounded once to the nearest double (ties to even).  Adding the same terms in any order,
 * or splitting them among accumulators and merging those in any order, gives the same
 * bits: sums that do not depend on the number of threads or ranks that formed them.
 */
#ifndef HEDGESIM_XSUM_H
#define HEDGESIM_XSUM_H

#include <stddef.h>
#include <stdint.h>

#define HS_XSUM_LIMBS 68

typedef struct hs_xsum {
    int64_t limb[HS_XSUM_LIMBS]; /* digit j weighs 2^(32 j - 1074) */
    uint32_t pending;            /* adds since the digits were last normalised */
    uint32_t nan, pinf, ninf;    /* non-finite terms seen (they poison the sum) */
} hs_xsum;

void hs_xsum_init(hs_xsum *s);

/* s += x, exactly. */
void hs_xsum_add(hs_xsum *s, double x);

/* s += x[0] + ... + x[n-1], exactly. */
void hs_xsum_add_n(hs_xsum *s, const double *x, size_t n);

/* Push the carries up: every digit but the top one in [0, 2^32), the top one signed.
 * The value does not change.  Normalised accumulators can be added digit by digit as
 * integers (e.g. by an MPI sum over ranks) and stay exact for up to 2^29 terms. */
void hs_xsum_normalise(hs_xsum *s);

/* s += t (t is normalised in passing; its value does not change). */
void hs_xsum_merge(hs_xsum *s, hs_xsum *t);

/* The exact sum rounded to the nearest double, ties to even: +-inf when it overflows or
 * an infinity was added, NaN for a NaN term or inf - inf.  An exact zero is +0. */
double hs_xsum_round(hs_xsum *s);

#endif
