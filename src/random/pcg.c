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
 */
#include "hedgesim/rng.h"

/* pcg-c's PCG_DEFAULT_MULTIPLIER_64 = 6364136223846793005 (Knuth's MMIX multiplier). */
#define PCG32_MULT UINT64_C(0x5851f42d4c957f2d)

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

uint32_t hs_pcg32_next(hs_pcg32 *rng)
{
    uint64_t old = rng->state;
    rng->state = old * PCG32_MULT + rng->inc;
    /* XSH-RR: xorshift the high bits down, keep 32 of them, and rotate by the top
     * five bits, which are the best-mixed bits of an LCG state. */
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    unsigned rot = (unsigned)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
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


