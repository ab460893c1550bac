/*
 * Exact sums over the ranks of accumulators built on each (reduce.h).
 *
 * A normalised exact accumulator (xsum.h) is a vector of 32-bit digits in 64-bit words
 * (the top one signed): digit-wise integer sums of R of them, modulo 2^64 as MPI_SUM on
 * MPI_UINT64_T computes them, are the two's complement sums of the digits, exact while
 * R < 2^31.  The result is again an accumulator whose digits carry at most R adds, so
 * the sum of the terms of every rank, rounded once, does not depend on R.
 */
#include "reduce.h"

#include <stdlib.h>
#include <string.h>

/* Words per accumulator on the wire: the digits and the three non-finite counts. */
#define WORDS (HS_XSUM_LIMBS + 3)

int hs_comm_sum_xsum(const hs_comm *c, hs_xsum *s, size_t count)
{
    if (hs_comm_size(c) == 1 || count == 0)
        return 0;
    uint64_t *buf = malloc(count * WORDS * sizeof *buf);
    if (!buf)
        return -1;
    for (size_t i = 0; i < count; i++) {
        hs_xsum_normalise(&s[i]);
        uint64_t *w = buf + i * WORDS;
        for (int j = 0; j < HS_XSUM_LIMBS; j++)
            w[j] = (uint64_t)s[i].limb[j];
        w[HS_XSUM_LIMBS] = s[i].nan;
        w[HS_XSUM_LIMBS + 1] = s[i].pinf;
        w[HS_XSUM_LIMBS + 2] = s[i].ninf;
    }
    int rc = hs_comm_sum_u64(c, buf, count * WORDS);
    if (!rc)
        for (size_t i = 0; i < count; i++) {
            const uint64_t *w = buf + i * WORDS;
            for (int j = 0; j < HS_XSUM_LIMBS; j++)
                s[i].limb[j] = (int64_t)w[j];
            s[i].nan = (uint32_t)w[HS_XSUM_LIMBS];
            s[i].pinf = (uint32_t)w[HS_XSUM_LIMBS + 1];
            s[i].ninf = (uint32_t)w[HS_XSUM_LIMBS + 2];
            /* Each digit now carries R normalised digits: as if R adds were pending. */
            s[i].pending = (uint32_t)hs_comm_size(c);
            hs_xsum_normalise(&s[i]);
        }
    free(buf);
    return rc;
}
