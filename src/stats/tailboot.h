/*
 * Private: the bootstrap of VaR and ES over a sample whose lower tail is split among
 * parts (tailboot.c), each part holding a contiguous range of the tail's sorted slots.
 * Every part draws the same resamples and computes its share of each; the shares add up
 * exactly (integer keys, exact sums), so the intervals do not depend on the split.
 */
#ifndef HEDGESIM_TAILBOOT_H
#define HEDGESIM_TAILBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "hedgesim/error.h"
#include "parallel/xsum.h"

/* Slots per leaf of the resample tree; parts hold whole leaves. */
#define HS_TAILBOOT_LEAF 4096

/* The ranks the 5% and 1% VaR and ES read in a sample of n (type-7 quantile between
 * 0-based ranks lo and lo + 1, weight frac on the upper; ES averages ranks 0..k-1). */
typedef struct hs_tail_rank {
    uint64_t lo, k;
    double frac;
} hs_tail_rank;
hs_tail_rank hs_tail_rank_of(uint64_t n, double p);

typedef struct hs_tailboot {
    uint64_t n, m, leaves; /* sample size, tail slots, leaves of HS_TAILBOOT_LEAF slots */
    size_t resamples;
    uint64_t *draws;      /* per resample: its draws among the m tail slots */
    uint64_t *key;        /* per resample: the key of its tree and leaf hashes */
    hs_tail_rank rank[2]; /* 5% and 1% */
} hs_tailboot;

/* One part's share of every resample: for each resample and tail (5%, 1%) the keys
 * (select.h) of the values at ranks lo and lo + 1 when this part holds them, else 0, and
 * the exact sum of the resample's values at ranks below k that this part holds. */
typedef struct hs_tailboot_share {
    size_t resamples;
    uint64_t *keys; /* [resamples][2 tails][2] */
    hs_xsum *sums;  /* [resamples][2 tails] */
} hs_tailboot_share;

/* Draw every resample's tail size and key from seed: the same on every part.  The tail
 * is the whole sample up to 16384 values and its lowest ceil(n / 16) beyond (which holds
 * the n / 20 + 2 ranks read, but for an event of probability below 5e-11: see
 * tailboot.c).  Needs n >= 2. */
hs_status hs_tailboot_init(hs_tailboot *b, uint64_t n, uint64_t seed, size_t resamples,
                           hs_error *err);
void hs_tailboot_free(hs_tailboot *b);

/* The leaves [leaf_lo, leaf_hi) of a part: its slots are [leaf_lo L, min(leaf_hi L, m)). */
void hs_tailboot_leaves_of(const hs_tailboot *b, int part, int parts, uint64_t *leaf_lo,
                           uint64_t *leaf_hi);

hs_status hs_tailboot_share_alloc(hs_tailboot_share *s, size_t resamples, hs_error *err);
void hs_tailboot_share_free(hs_tailboot_share *s);

/* This part's share of resamples [r0, r1): slot_values are the tail's sorted values in
 * the slots of leaves [leaf_lo, leaf_hi). */
hs_status hs_tailboot_run(const hs_tailboot *b, const double *slot_values, uint64_t leaf_lo,
                          uint64_t leaf_hi, size_t r0, size_t r1, hs_tailboot_share *s,
                          hs_error *err);

/* From the shares summed over all parts (keys added as integers, sums merged): the
 * resample statistics out[4][resamples] = var95, es95, var99, es99 of each resample. */
void hs_tailboot_stats(const hs_tailboot *b, hs_tailboot_share *total, double *out);

#endif
