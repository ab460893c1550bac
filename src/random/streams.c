/*
 * Per-path random streams: path p of a run with seed s draws from its own pcg64 stream.
 *
 *   key      = mix64(s)
 *   w_i      = mix64(key ^ p + (i + 1) * gamma),  i = 0..3,  gamma = 0x9e3779b97f4a7c15
 *   path rng = pcg64 seeded with initstate = (w_0, w_1), initseq = (w_2, w_3)
 *
 * mix64 is the SplitMix64 finaliser (Steele, Lea & Flood 2014, "Fast splittable
 * pseudorandom number generators", OOPSLA; constants of Stafford's Mix13), a bijection
 * of 64-bit words.  For a fixed seed, p -> w_3 is therefore one-to-one, so every path of
 * a run has a different LCG increment: a different pcg64 stream, not a window of a
 * shared one.  Its starting state is hashed too, as numpy's SeedSequence does for
 * PCG64, so no two paths start at related points of related streams.
 *
 * Why not windows of one stream (jump-ahead by p * 2^64)?  For an LCG modulo 2^128, a
 * jump of 2^64 leaves the low 64 bits of the state unchanged (a^(2^64) = 1 mod 2^64),
 * so all paths would share the low half of their state at every step and their outputs
 * are strongly correlated: hedged P&L means came out 28 standard errors from zero.
 * The test suite checks the cross-section of paths for exactly this.
 */
#include "hedgesim/rng.h"

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void hs_path_stream(hs_pcg64 *rng, uint64_t seed, uint64_t path)
{
    const uint64_t gamma = UINT64_C(0x9e3779b97f4a7c15);
    uint64_t base = mix64(seed) ^ path;
    uint64_t w[4];
    for (uint64_t i = 0; i < 4; i++)
        w[i] = mix64(base + (i + 1) * gamma);
    hs_pcg64_seed(rng, HS_U128(w[0], w[1]), HS_U128(w[2], w[3]));
}
