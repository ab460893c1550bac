/*
 * Per-path random streams: path p of a run with seed s draws from its own pcg32 stream.
 *
 *   key       = mix64(s)
 *   selector  = mix63((p XOR key) mod 2^63)                 the stream, 63 bits
 *   initstate = mix64(mix64(key) + (p + 1) * gamma),       gamma = 0x9e3779b97f4a7c15
 *   path rng  = pcg32 seeded (initstate, selector): inc = 2 * selector + 1
 *
 * mix64 is the SplitMix64 finaliser (Steele, Lea & Flood 2014, "Fast splittable
 * pseudorandom number generators", OOPSLA; constants of Stafford's Mix13), so initstate
 * is output p + 1 of a SplitMix64 generator seeded mix64(key): the starting states of
 * the paths are hashed, as numpy's SeedSequence does for PCG64, so no two paths start
 * at related points of their streams.
 *
 * Why a 63-bit mixer for the selector: pcg32's increment is (selector << 1) | 1, which
 * drops the selector's top bit, so two selectors differing only there would give two
 * paths the SAME stream.  mix63 works within 63 bits (xorshifts of a 63-bit word, and
 * multiplications by odd constants mod 2^63, each a bijection of [0, 2^63)), and
 * p -> (p XOR key) mod 2^63 is a bijection too, so for paths p < 2^63 the map from p to
 * the increment is one-to-one: every path of a run has a different LCG increment, by
 * construction.  (Checked on 10^5 paths in tests/random/test_streams.c.)
 *
 * Streams of one LCG with different increments are related by a constant factor of
 * the state (x -> (c2 / c1) x mod 2^64), O'Neill's known caveat about PCG streams; with
 * hashed, unrelated starting states the paths sit at unrelated points of them, and the
 * cross-section tests (k-th normal across paths, correlations at power-of-two
 * distances) check that nothing of it shows.
 *
 * Why not windows of one stream (jump-ahead by p * 2^k)?  For an LCG modulo 2^n, a jump
 * of 2^k leaves the low k bits of the state unchanged, so all paths would share the low
 * bits of their state at every step and their outputs are strongly correlated: hedged
 * P&L means came out 28 standard errors from zero (with pcg64, in an earlier version).
 */
#include "hedgesim/rng.h"

#include "simd.h"

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

#define MASK63 (UINT64_MAX >> 1)

/* A bijection of [0, 2^63): SplitMix64's rounds with every product taken mod 2^63 (the
 * constants are odd, so each multiplication is invertible) and shifts of a 63-bit word
 * (x -> x ^ (x >> k) is invertible and stays below 2^63). */
static inline uint64_t mix63(uint64_t z)
{
    z &= MASK63;
    z = ((z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9)) & MASK63;
    z = ((z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb)) & MASK63;
    return z ^ (z >> 31);
}

#define GAMMA UINT64_C(0x9e3779b97f4a7c15)

/* Path `path`'s generator from key = mix64(seed) and base = mix64(key): the selector and
 * initstate of the top of the file, then pcg32_srandom_r's steps (random/pcg.c's
 * hs_pcg32_seed: state 0 stepped once, initstate added, stepped again).  Integer
 * operations only, so a loop over paths vectorises (hs_pcg32_lanes_seed_paths). */
static inline void path_generator(uint64_t key, uint64_t base, uint64_t path, uint64_t *state,
                                  uint64_t *inc)
{
    uint64_t selector = mix63((path ^ key) & MASK63);
    uint64_t initstate = mix64(base + (path + 1) * GAMMA);
    uint64_t c = (selector << 1u) | 1u;
    *state = (c + initstate) * HS_PCG32_MULT + c; /* (0 * mult + c + initstate) * mult + c */
    *inc = c;
}

void hs_path_stream(hs_pcg32 *rng, uint64_t seed, uint64_t path)
{
    uint64_t key = mix64(seed);
    path_generator(key, mix64(key), path, &rng->state, &rng->inc);
}

void hs_pcg32_lanes_seed_path(hs_pcg32_lanes *lanes, size_t lane, uint64_t seed, uint64_t path)
{
    hs_pcg32 g;
    hs_path_stream(&g, seed, path);
    hs_pcg32_lanes_set(lanes, lane, &g);
}

/* hs_path_stream for lanes [0, n), in one loop of 64-bit multiplies, shifts and xors that
 * vectorises (vpmullq under AVX-512): a block's 256 seeds took about 8 ns a path one at a
 * time, 2% of a run of short paths. */
HS_KERNEL void hs_pcg32_lanes_seed_paths(hs_pcg32_lanes *lanes, size_t n, uint64_t seed,
                                         uint64_t first)
{
    uint64_t key = mix64(seed), base = mix64(key);
    uint64_t *restrict st = lanes->state, *restrict inc = lanes->inc;
    for (size_t i = 0; i < n; i++)
        path_generator(key, base, first + i, &st[i], &inc[i]);
}
