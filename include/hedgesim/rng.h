/*
 * Random numbers: PCG generators as small value types, the per-path stream scheme,
 * normal variates and a GSL adapter.
 *
 * pcg32  = XSH-RR 64/32: 64-bit LCG state, 32-bit output by xorshift-high then a
 *          random rotation.  pcg64 = XSL-RR 128/64: 128-bit LCG state, 64-bit output
 *          by xor of the halves then a random rotation.  Both follow
 *          M.E. O'Neill (2014), "PCG: A Family of Simple Fast Space-Efficient
 *          Statistically Good Algorithms for Random Number Generation", HMC-CS-2014-0905,
 *          section 6, and the reference implementation pcg-c (pcg_basic / pcg_variants).
 *
 * Per-path streams (docs/architecture.md): path p of a run with seed s draws only from
 * its own pcg32 stream, hs_path_stream(s, p): its increment is a bijection of p (so the
 * paths of a run all have different increments) and its starting state is hashed from
 * (s, p) with SplitMix64 (see random/streams.c).  The engine keeps a block's generators
 * as pcg32 lanes (hs_pcg32_lanes) and steps them together.  A path's draws depend only
 * on (seed, p), never on thread count, block size or MPI rank.
 */
#ifndef HEDGESIM_RNG_H
#define HEDGESIM_RNG_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

/* 128-bit unsigned integer (GCC/Clang extension, needed for pcg64's state). */
__extension__ typedef unsigned __int128 hs_u128;

#define HS_U128(hi, lo) (((hs_u128)(hi) << 64) | (hs_u128)(lo))

/* ------------------------------------------------------------------ pcg32 */

typedef struct hs_pcg32 {
    uint64_t state;
    uint64_t inc; /* always odd: selects the stream */
} hs_pcg32;

/* Seed as pcg32_srandom_r(rng, initstate, initseq) in pcg-c. */
void hs_pcg32_seed(hs_pcg32 *rng, uint64_t initstate, uint64_t initseq);
/* pcg-c's PCG_DEFAULT_MULTIPLIER_64 = 6364136223846793005 (Knuth's MMIX multiplier). */
#define HS_PCG32_MULT UINT64_C(0x5851f42d4c957f2d)

/* XSH-RR output of a state, kept in a 64-bit word (high half zero): xorshift the high
 * bits down, keep 32 of them, and rotate right by the top five bits, the best-mixed
 * bits of an LCG state.  Written on 64-bit words only, with the 32-bit rotation masked
 * back to 32 bits, so that a loop of it over lanes vectorises without packing. */
static inline uint64_t hs_pcg32_output(uint64_t old)
{
    uint64_t x = (((old >> 18u) ^ old) >> 27u) & UINT64_C(0xffffffff);
    uint64_t rot = old >> 59u;
    /* The 32-bit rotation as a 64-bit shift of x written twice: four vector operations
     * (vpsllq, vporq, vpsrlvq, vpandq) where the two-shift form took about eight. */
    return ((x | (x << 32u)) >> rot) & UINT64_C(0xffffffff);
}

/* Next 32-bit output: pcg-c outputs the OLD state and then steps. */
static inline uint32_t hs_pcg32_next(hs_pcg32 *rng)
{
    uint64_t old = rng->state;
    rng->state = old * HS_PCG32_MULT + rng->inc;
    return (uint32_t)hs_pcg32_output(old);
}
/* Jump ahead by delta draws in O(log delta) (Brown 1994, "Random number generation
 * with arbitrary strides"). */
void hs_pcg32_advance(hs_pcg32 *rng, uint64_t delta);

/* ------------------------------------------------------------------ pcg64 */

typedef struct hs_pcg64 {
    hs_u128 state;
    hs_u128 inc; /* always odd: selects the stream */
} hs_pcg64;

/* Seed as pcg64_srandom_r(rng, initstate, initseq) in pcg-c. */
void hs_pcg64_seed(hs_pcg64 *rng, hs_u128 initstate, hs_u128 initseq);
/* pcg-c's PCG_DEFAULT_MULTIPLIER_128 = 2549297995355413924 * 2^64 + 4865540595714422341. */
#define HS_PCG64_MULT HS_U128(UINT64_C(0x2360ed051fc65da4), UINT64_C(0x4385df649fccf645))

/* Next 64-bit output.  Inline: it is the innermost step of every path model, and an
 * out-of-line call costs as much as the 128-bit multiply itself. */
static inline uint64_t hs_pcg64_next(hs_pcg64 *rng)
{
    rng->state = rng->state * HS_PCG64_MULT + rng->inc;
    /* XSL-RR: fold the halves together with xor and rotate by the top six bits. */
    uint64_t folded = (uint64_t)(rng->state >> 64u) ^ (uint64_t)rng->state;
    unsigned rot = (unsigned)(rng->state >> 122u);
    return (folded >> rot) | (folded << ((-rot) & 63u));
}
/* Jump ahead by delta draws in O(log delta). */
void hs_pcg64_advance(hs_pcg64 *rng, hs_u128 delta);

/* A precomputed jump of fixed length: state -> mult * state + plus.  Applying it is one
 * 128-bit multiply-add, so walking from path p to path p+1 costs O(1). */
typedef struct hs_pcg64_jump {
    hs_u128 mult;
    hs_u128 plus;
} hs_pcg64_jump;

/* Precompute the jump of delta draws for generators with increment inc. */
void hs_pcg64_jump_init(hs_pcg64_jump *jump, hs_u128 inc, hs_u128 delta);
/* Apply a precomputed jump to rng (whose inc must be the one given to _init). */
void hs_pcg64_jump_apply(const hs_pcg64_jump *jump, hs_pcg64 *rng);

/* Uniform double in the OPEN interval (0, 1): (top 52 bits + 0.5) * 2^-52, the midpoint
 * of one of 2^52 equal cells.  Never 0 or 1, so an inverse normal CDF of it is always
 * finite.  52 bits, not 53: k + 0.5 needs one bit more than k, and with 53 bits the sum
 * would round to even above 2^52, giving 1.0 for the largest input.  With 52 every value
 * is exact and the set is symmetric (u and 1 - u both occur). */
static inline double hs_u01_from_u64(uint64_t x)
{
    return ((double)(x >> 12) + 0.5) * 0x1.0p-52;
}

static inline double hs_pcg64_uniform(hs_pcg64 *rng)
{
    return hs_u01_from_u64(hs_pcg64_next(rng));
}

/* Uniform in (0, 1) from two consecutive pcg32 outputs a (first) and b:
 * hs_u01_from_u64(a * 2^32 + b), i.e. (k + 0.5) * 2^-52 with k = a * 2^20 + (b >> 12),
 * the 52 bits of which are a's 32 and b's top 20 (the best bits of each output). */
static inline double hs_pcg32_uniform(hs_pcg32 *rng)
{
    uint64_t a = hs_pcg32_next(rng);
    uint64_t b = hs_pcg32_next(rng);
    return hs_u01_from_u64((a << 32u) | b);
}

/* ------------------------------------------------- pcg32 lanes (per-path SoA) */

/* The generators of a block of paths in structure-of-arrays form: lane i is the pcg32
 * (state[i], inc[i]), stepped exactly as hs_pcg32_next steps it, so that a loop over
 * lanes is a loop of independent 64-bit multiply-adds the compiler vectorises. */
typedef struct hs_pcg32_lanes {
    uint64_t *state; /* [lanes] */
    uint64_t *inc;   /* [lanes], odd: each lane's stream */
} hs_pcg32_lanes;

/* n lanes in one 64-byte-aligned allocation, zeroed (NULL when out of memory); free
 * with hs_pcg32_lanes_free.  hs_pcg32_lanes_bytes(n): the bytes it takes. */
hs_pcg32_lanes *hs_pcg32_lanes_alloc(size_t n);
void hs_pcg32_lanes_free(hs_pcg32_lanes *lanes);
size_t hs_pcg32_lanes_bytes(size_t n);

/* Lane i as a scalar generator, and back. */
static inline hs_pcg32 hs_pcg32_lanes_get(const hs_pcg32_lanes *lanes, size_t i)
{
    hs_pcg32 g = {lanes->state[i], lanes->inc[i]};
    return g;
}
static inline void hs_pcg32_lanes_set(hs_pcg32_lanes *lanes, size_t i, const hs_pcg32 *g)
{
    lanes->state[i] = g->state;
    lanes->inc[i] = g->inc;
}

/* One uniform from lane i: hs_pcg32_uniform of that lane (for the models' scalar
 * loops; hs_uniform_fill_lanes is the vectorised form). */
static inline double hs_pcg32_lanes_uniform(hs_pcg32_lanes *lanes, size_t i)
{
    hs_pcg32 g = hs_pcg32_lanes_get(lanes, i);
    double u = hs_pcg32_uniform(&g);
    lanes->state[i] = g.state;
    return u;
}

/* u[i] = hs_pcg32_lanes_uniform(lanes, i) for i in [0, n): one uniform (two draws) from
 * every lane, vectorised, bit-identical to the scalar form. */
void hs_uniform_fill_lanes(hs_pcg32_lanes *lanes, double *u, size_t n);

/* ------------------------------------------------------- per-path streams */

/* The stream (initseq) used where a single generator is seeded from one integer: the
 * GSL adapter and the known-answer tests.  54 is pcg-c's demo stream. */
#define HS_RNG_STREAM 54u

/* Generator of path `path` in a run seeded `seed`: a pcg32 of its own stream, different
 * from every other path's of the run (random/streams.c). */
void hs_path_stream(hs_pcg32 *rng, uint64_t seed, uint64_t path);
/* Lane `lane` of a block set to hs_path_stream(seed, path). */
void hs_pcg32_lanes_seed_path(hs_pcg32_lanes *lanes, size_t lane, uint64_t seed, uint64_t path);
/* Lanes [0, n) set to the paths first .. first + n - 1: hs_pcg32_lanes_seed_path of each,
 * vectorised (integer operations only: the same states). */
void hs_pcg32_lanes_seed_paths(hs_pcg32_lanes *lanes, size_t n, uint64_t seed, uint64_t first);

/* ---------------------------------------------------------- normal variates */

/* Inverse of the standard normal CDF, Wichura (1988), Algorithm AS 241 (PPND16),
 * Applied Statistics 37(3), 477-484: relative accuracy about 1e-16.  Valid for u in
 * (0, 1); returns -inf / +inf at 0 / 1 and NaN outside. */
double hs_normal_icdf(double u);

/* Standard normal variate by inversion: hs_normal_icdf(hs_pcg64_uniform(rng)).  One
 * uniform per normal, so the k-th normal of a stream is its k-th draw. */
double hs_pcg64_normal(hs_pcg64 *rng);
/* The same from pcg32: hs_normal_icdf(hs_pcg32_uniform(rng)), two outputs per normal.
 * A path's k-th normal (or uniform) is its outputs 2k and 2k + 1. */
double hs_pcg32_normal(hs_pcg32 *rng);

/* Fill z[0..n) with standard normals, z[i] from lane i (one uniform, two draws, each):
 * the block form used by the path models.  Bit-identical to hs_pcg32_normal on each
 * lane in turn. */
void hs_normal_fill_lanes(hs_pcg32_lanes *lanes, double *z, size_t n);

/* z[i] = hs_normal_icdf(u[i]) for u[i] strictly inside (0, 1) (subnormal u included),
 * vectorised (the inversion step of hs_normal_fill_lanes); bit-identical to the scalar
 * function. */
void hs_normal_icdf_lanes(const double *u, double *z, size_t n);

/* Natural log of a positive normal double x (DBL_MIN <= x < inf), within 1 ulp, using
 * only integer operations, +, -, * and one division, so that it vectorises and gives
 * the same bits on every machine and clone (random/normal.c).  hs_normal_icdf's tails
 * use it, so the scalar and vector inversions agree bit for bit. */
double hs_log_normal(double x);

/* -------------------------------------------------------------- GSL adapter */

/* gsl_rng types drawing from pcg32 and pcg64, so any GSL sampler (gsl_ran_*) can use
 * PCG: gsl_rng_alloc(hs_gsl_rng_pcg64).  gsl_rng_set(r, s) seeds with
 * (initstate = s, initseq = HS_RNG_STREAM). */
extern const gsl_rng_type *hs_gsl_rng_pcg32;
extern const gsl_rng_type *hs_gsl_rng_pcg64;

#endif
