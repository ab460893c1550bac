/*
 * PCG generators (see rng.h): pcg32 = XSH-RR 64/32 and pcg64 = XSL-RR 128/64, their
 * O(log n) jump-ahead, precomputed jumps, the open-interval uniform and the per-path
 * stream scheme.
 *
 * Both generators are the linear congruential recurrence
 *     state_{k+1} = a * state_k + c   (mod 2^64 or 2^128),  c = inc (odd),
 * followed by a permutation of the state into the output, as in M.E. O'Neill (2014),
 * "PCG: A Family of Simple Fast Space-Efficient Statistically Good Algorithms for
 * Random Number Generation", HMC-CS-2014-0905, section 6.  Multipliers, seeding and
 * the order of step and output follow the reference implementation pcg-c
 * (pcg_variants.h): pcg32 outputs the OLD state and then steps, pcg64 steps and then
 * outputs the NEW state, so both reproduce pcg-c's published demo outputs.
 *
 * Jump-ahead composes the affine map x -> a x + c with itself by binary powering:
 * f^(2m) = f^m o f^m with (a, c) -> (a^2, (a + 1) c), and the set bits of delta select
 * the powers to accumulate.  This is F.B. Brown (1994), "Random number generation with
 * arbitrary strides", Trans. Am. Nucl. Soc. 71, 202, as coded in pcg-c's
 * pcg_advance_lcg_64 / pcg_advance_lcg_128.
 *
 * pcg32 lanes (hs_pcg32_lanes) are the same pcg32 in structure-of-arrays form; this
 * file allocates them (the stepping loops live in normal.c, as vector kernels).
 */
#include "hedgesim/rng.h"

#include <stdlib.h>
#include <string.h>

#define PCG32_MULT HS_PCG32_MULT

#define PCG64_MULT HS_PCG64_MULT

/* ------------------------------------------------------------------ pcg32 */

void hs_pcg32_seed(hs_pcg32 *rng, uint64_t initstate, uint64_t initseq)
{
    /* pcg32_srandom_r: the stream bits become an odd increment, and two steps around
     * the addition of initstate mix the seed into the state before the first output. */
    rng->state = 0u;
    rng->inc = (initseq << 1u) | 1u;
    rng->state = rng->state * PCG32_MULT + rng->inc;
    rng->state += initstate;
    rng->state = rng->state * PCG32_MULT + rng->inc;
}

void hs_pcg32_advance(hs_pcg32 *rng, uint64_t delta)
{
    uint64_t cur_mult = PCG32_MULT, cur_plus = rng->inc;
    uint64_t acc_mult = 1u, acc_plus = 0u;
    while (delta > 0) {
        if (delta & 1u) {
            acc_mult *= cur_mult;
            acc_plus = acc_plus * cur_mult + cur_plus;
        }
        cur_plus = (cur_mult + 1u) * cur_plus;
        cur_mult *= cur_mult;
        delta >>= 1u;
    }
    rng->state = acc_mult * rng->state + acc_plus;
}

/* ------------------------------------------------------------------ pcg64 */

void hs_pcg64_seed(hs_pcg64 *rng, hs_u128 initstate, hs_u128 initseq)
{
    /* pcg_setseq_128_srandom_r, the same recipe as pcg32 on 128-bit words. */
    rng->state = 0u;
    rng->inc = (initseq << 1u) | 1u;
    rng->state = rng->state * PCG64_MULT + rng->inc;
    rng->state += initstate;
    rng->state = rng->state * PCG64_MULT + rng->inc;
}


void hs_pcg64_jump_init(hs_pcg64_jump *jump, hs_u128 inc, hs_u128 delta)
{
    hs_u128 cur_mult = PCG64_MULT, cur_plus = inc;
    hs_u128 acc_mult = 1u, acc_plus = 0u;
    while (delta > 0) {
        if (delta & 1u) {
            acc_mult *= cur_mult;
            acc_plus = acc_plus * cur_mult + cur_plus;
        }
        cur_plus = (cur_mult + 1u) * cur_plus;
        cur_mult *= cur_mult;
        delta >>= 1u;
    }
    jump->mult = acc_mult;
    jump->plus = acc_plus;
}

void hs_pcg64_jump_apply(const hs_pcg64_jump *jump, hs_pcg64 *rng)
{
    rng->state = jump->mult * rng->state + jump->plus;
}

void hs_pcg64_advance(hs_pcg64 *rng, hs_u128 delta)
{
    hs_pcg64_jump jump;
    hs_pcg64_jump_init(&jump, rng->inc, delta);
    hs_pcg64_jump_apply(&jump, rng);
}

/* ------------------------------------------------------------ pcg32 lanes */

/* The struct, then the state and increment arrays, each starting on a 64-byte line so
 * that vector loads of whole lanes never straddle one. */
static size_t lanes_header(void)
{
    return (sizeof(hs_pcg32_lanes) + 63u) & ~(size_t)63u;
}

static size_t lanes_array(size_t n)
{
    return (n * sizeof(uint64_t) + 63u) & ~(size_t)63u;
}

size_t hs_pcg32_lanes_bytes(size_t n)
{
    return lanes_header() + 2 * lanes_array(n);
}

hs_pcg32_lanes *hs_pcg32_lanes_alloc(size_t n)
{
    if (n == 0 || n > SIZE_MAX / 4 / sizeof(uint64_t))
        return NULL;
    size_t bytes = hs_pcg32_lanes_bytes(n);
    unsigned char *mem = aligned_alloc(64, bytes);
    if (!mem)
        return NULL;
    memset(mem, 0, bytes);
    hs_pcg32_lanes *lanes = (hs_pcg32_lanes *)mem;
    lanes->state = (uint64_t *)(mem + lanes_header());
    lanes->inc = (uint64_t *)(mem + lanes_header() + lanes_array(n));
    return lanes;
}

void hs_pcg32_lanes_free(hs_pcg32_lanes *lanes)
{
    free(lanes);
}
