/*
 * Private: Poisson counts by inversion of a tabulated CDF, for the exact jump steps of
 * models/merton.c and models/regime.c (Glasserman, "Monte Carlo Methods in Financial
 * Engineering", 2003, section 3.5.1 for the step; Devroye, "Non-Uniform Random Variate
 * Generation", 1986, section III.2 for the inversion of a discrete CDF).
 *
 * The mean lambda dt of a step is fixed for a run, so its CDF is tabulated once and a
 * count costs one uniform: always exactly one, whatever the count, which keeps the
 * number of draws per step independent of the path (model.h's contract).
 */
#ifndef HEDGESIM_POISSON_H
#define HEDGESIM_POISSON_H

#include <stddef.h>

/* Mass of Poisson(mean) left beyond the table: below anything a uniform resolves. */
#define HS_POISSON_TAIL 0x1.0p-60

/* The CDF of Poisson(mean), mean >= 0 finite: F[n] = P(N <= n) up to the first n where
 * the mass above n is below HS_POISSON_TAIL, with the last entry set to 1.  Returns a
 * malloc'd array of *len entries (free it), or NULL when out of memory. */
double *hs_poisson_table(double mean, size_t *len);

/* Smallest n with u <= F[n] (F increasing, F[len-1] = 1 > u).  Most steps have no jump
 * (u <= F[0] = e^{-mean}), so that case is tested first; otherwise bisection. */
static inline size_t hs_poisson_invert(const double *f, size_t len, double u)
{
    if (u <= f[0])
        return 0;
    size_t lo = 0, hi = len - 1; /* invariant: f[lo] < u <= f[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (u <= f[mid])
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

/* Entries of a table compared for every lane by hs_poisson_count_lanes. */
#define HS_POISSON_HEAD 16

/* count[i] += the number of the first `head` entries of f below u[i] (head <= len - 1,
 * count[] zeroed by the caller): one comparison per entry and lane, no branch, so the
 * loop vectorises with f[j] broadcast.  Since f does not decrease, the entries below u
 * form a prefix, and a count below head is exactly hs_poisson_invert(f, len, u); a count
 * of head (u beyond the head, which for the usual means holds all but 1e-12 or less of
 * the mass) is settled by hs_poisson_invert.  Inline so that a target_clones kernel
 * vectorises it. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void hs_poisson_count_lanes(const double *f, size_t head, const double *u,
                                          double *count, size_t n)
{
    for (size_t j = 0; j < head; j++) {
        const double fj = f[j];
        for (size_t i = 0; i < n; i++)
            count[i] += u[i] > fj ? 1.0 : 0.0;
    }
}

#endif
