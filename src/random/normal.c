/*
 * Standard normal variates by inversion (see rng.h): the inverse normal CDF, one
 * normal per uniform, and the block forms used by the path models (pcg32 lanes).
 *
 * The inverse CDF is M.J. Wichura (1988), "Algorithm AS 241: The Percentage Points of
 * the Normal Distribution", Applied Statistics 37(3), 477-484, routine PPND16 with its
 * published coefficients (relative accuracy about 1e-16).  With q = u - 1/2:
 *   |q| <= 0.425:  z = q A(r) / B(r),  r = 0.180625 - q^2            (central region)
 *   otherwise:     r = sqrt(-ln min(u, 1 - u)),
 *                  z = +-C(r - 1.6) / D(r - 1.6)  if r <= 5        (intermediate tail)
 *                  z = +-E(r - 5)   / F(r - 5)    otherwise        (far tail)
 * where A..F are polynomials of degree 7, evaluated by Horner's rule in the same order
 * as the Fortran original (and R's qnorm.c), each step one fused multiply-add (fma(),
 * one rounding instead of two: half the operations, and no less accurate).
 *
 * The tails need ln m (m = min(u, 1 - u) < 0.075).  Both the scalar and the vector
 * forms take it from hs_vlog (vmath.h: fdlibm's log, below 1 ulp, integer operations,
 * +, -, *, fma and one division, so a loop of it vectorises), not from libm.
 *
 * The block forms must be bit-identical to the scalar form, whatever vector width or
 * clone runs, so both call the same helpers below and use only correctly rounded
 * operations (+, -, *, /, sqrt, fma, integer operations); the project builds with
 * -std=c11, which implies -ffp-contract=off, so the compiler may not fuse a multiply and
 * an add in one place and not in the other: every fusion is an explicit fma().  The
 * baseline clone (CPUs without FMA) gets fma() from glibc, exact but slow there.
 */
#include "hedgesim/rng.h"

#include "simd.h"
#include "vmath.h"

#include <float.h>
#include <math.h>
#include <string.h>


/* c[0] r^7 + c[1] r^6 + ... + c[7] by Horner's rule, highest degree first, one fused
 * multiply-add a step (the loop is unrolled by the compiler; inline for the vector
 * loops). */
static inline double horner7(double r, const double c[8])
{
    double p = c[0];
    for (int i = 1; i < 8; i++)
        p = fma(p, r, c[i]);
    return p;
}

/* Rational approximation for the central region |q| <= 0.425 (85% of draws).  It is
 * branch-free so that a loop over lanes of it vectorises, and marked inline because
 * GCC at -O2 would otherwise keep it an out-of-line call, which the vectoriser cannot
 * see through. */
static inline double icdf_central(double q)
{
    static const double a[8] = {2509.0809287301226727, 33430.575583588128105,
                                67265.770927008700853, 45921.953931549871457,
                                13731.693765509461125, 1971.5909503065514427,
                                133.14166789178437745, 3.3871328727963666080};
    static const double b[8] = {5226.4952788528545610, 28729.085735721942674,
                                39307.895800092710610, 21213.794301586595867,
                                5394.1960214247511077, 687.18700749205790830,
                                42.313330701600911252, 1.0};
    double r = fma(-q, q, 0.180625);
    return q * horner7(r, a) / horner7(r, b);
}

/* Both tails, |q| > 0.425, start from r = sqrt(-ln m) with m = min(u, 1 - u) the tail
 * mass.  For u strictly inside (0, 1), 1 - u is exact where it is used (Sterbenz's
 * lemma, u >= 0.5), so the upper tail loses nothing to cancellation. */
static inline double tail_mass(double u, double q)
{
    return q < 0.0 ? u : 1.0 - u;
}

/* Intermediate tail, r <= 5 (m >= exp(-25), about 1.4e-11): the C/D approximation in
 * r - 1.6.  Branch-free and inline so a loop over tail lanes vectorises. */
static inline double tail_near(double r)
{
    static const double c[8] = {7.7454501427834140764e-4, 0.0227238449892691845833,
                                0.24178072517745061177, 1.27045825245236838258,
                                3.64784832476320460504, 5.7694972214606914055,
                                4.6303378461565452959, 1.42343711074968357734};
    static const double d[8] = {1.05075007164441684324e-9, 5.475938084995344946e-4,
                                0.0151986665636164571966, 0.14810397642748007459,
                                0.68976733498510000455, 1.6763848301838038494,
                                2.05319162663775882187, 1.0};
    r -= 1.6;
    return horner7(r, c) / horner7(r, d);
}

/* Far tail, r > 5: the E/F approximation in r - 5. */
static double tail_far(double r)
{
    static const double e[8] = {2.01033439929228813265e-7, 2.71155556874348757815e-5,
                                0.0012426609473880784386, 0.026532189526576123093,
                                0.29656057182850489123, 1.7848265399172913358,
                                5.4637849111641143699, 6.6579046435011037772};
    static const double f[8] = {2.04426310338993978564e-15, 1.4215117583164458887e-7,
                                1.8463183175100546818e-5, 7.868691311456132591e-4,
                                0.0148753612908506148525, 0.13692988092273580531,
                                0.59983220655588793769, 1.0};
    r -= 5.0;
    return horner7(r, e) / horner7(r, f);
}

double hs_log_normal(double x)
{
    return hs_vlog(x);
}

/* r = sqrt(-ln m) of a tail mass; libm's log only below the normal range, which the
 * 52-bit uniforms never reach (m >= 2^-53). */
static double tail_r(double m)
{
    return sqrt(-(m >= DBL_MIN ? hs_vlog(m) : log(m)));
}

/* Both tails for u strictly inside (0, 1) with |q| > 0.425. */
static double icdf_tail(double u, double q)
{
    double r = tail_r(tail_mass(u, q));
    double val = r <= 5.0 ? tail_near(r) : tail_far(r);
    return q < 0.0 ? -val : val;
}

HS_KERNEL double hs_normal_icdf(double u)
{
    /* The negated comparison also catches NaN. */
    if (!(u >= 0.0 && u <= 1.0))
        return NAN;
    if (u == 0.0)
        return -INFINITY;
    if (u == 1.0)
        return INFINITY;
    double q = u - 0.5;
    if (fabs(q) <= 0.425)
        return icdf_central(q);
    return icdf_tail(u, q);
}

double hs_pcg64_normal(hs_pcg64 *rng)
{
    return hs_normal_icdf(hs_pcg64_uniform(rng));
}

double hs_pcg32_normal(hs_pcg32 *rng)
{
    return hs_normal_icdf(hs_pcg32_uniform(rng));
}


/* ------------------------------------------------------------- block forms */

/* Lanes per pass: one pass keeps its uniforms and tail values in stack buffers of this
 * many entries (26 KiB in all), so any n works without allocation and the buffers stay
 * in L1 cache.  (The engine's blocks are HS_BLOCK = 256 lanes: one pass.) */
#define HS_FILL_CHUNK 1024

/* u[i] = hs_pcg32_uniform of lane i, stepping the lane twice.  The double is built
 * from bits rather than converted (there is no 64-bit integer to double conversion
 * under AVX2): with k = a * 2^20 + (b >> 12) < 2^52, the word 0x3ff0...0 | k is
 * y = 1 + k 2^-52 exactly, and y - (1 - 2^-53) = (k + 0.5) 2^-52 is representable (53
 * significant bits), so the subtraction is exact and u equals hs_u01_from_u64's value
 * ((k + 0.5) * 2^-52) bit for bit.  Every operation is a 64-bit integer one or an
 * exact subtraction, so the loop vectorises (vpmullq under AVX-512DQ; three
 * vpmuludq per product under AVX2). */
static inline void draw_uniforms(uint64_t *restrict st, const uint64_t *restrict inc,
                                 double *restrict u, size_t m)
{
    for (size_t i = 0; i < m; i++) {
        uint64_t s0 = st[i], c = inc[i];
        uint64_t s1 = s0 * HS_PCG32_MULT + c;
        st[i] = s1 * HS_PCG32_MULT + c;
        uint64_t a = hs_pcg32_output(s0), b = hs_pcg32_output(s1);
        uint64_t bits = UINT64_C(0x3ff0000000000000) | (a << 20u) | (b >> 12u);
        double y;
        memcpy(&y, &bits, sizeof y);
        u[i] = y - 0x1.fffffffffffffp-1;
    }
}

/*
 * z[i] = hs_normal_icdf(u[i]) for m <= HS_FILL_CHUNK uniforms in (0, 1), in passes that
 * are each either vectorisable or free of unpredictable branches:
 *   1. the central formula for EVERY lane, branch-free (SIMD);
 *   2. flag the lanes with |q| > 0.425 (about 15% of them) as bits of a word per 64
 *      lanes (SIMD) and list the set bits;
 *   3. gather their tail masses and take r = sqrt(-ln m) with hs_vlog (SIMD);
 *   4. the intermediate-tail formula for every listed lane (SIMD);
 *   5. write the tail lanes back, taking the scalar far tail where r > 5 (m below
 *      1.4e-11: rare).
 * Values computed in passes 1 and 4 for lanes that do not use them are finite and
 * discarded.  Each lane's value comes from the same helpers, with the same operations
 * in the same order, as in hs_normal_icdf (whose tails also take hs_vlog for every
 * normal mass; the fill's masses are >= 2^-53), so the result equals it bit for bit.
 */
/* Always inlined: an out-of-line copy would be compiled for the baseline only, and the
 * vector clones of the kernels below would call it (GCC keeps a function this large out
 * of line when it has several callers). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void icdf_chunk_generic(const double *restrict u, double *restrict z, size_t m)
{
    double mass[HS_FILL_CHUNK + 8];
    double val[HS_FILL_CHUNK + 8];
    uint16_t tail[HS_FILL_CHUNK];
    for (size_t i = 0; i < m; i++)
        z[i] = icdf_central(u[i] - 0.5);
    /* The tail lanes of each 64 as the set bits of a word (an OR reduction, SIMD),
     * then listed bit by bit: the scalar work is per tail lane, not per lane. */
    size_t ntail = 0;
    for (size_t w = 0; w < m; w += 64) {
        size_t len = m - w < 64 ? m - w : 64;
        uint64_t bits = 0;
        for (size_t i = 0; i < len; i++)
            bits |= (uint64_t)(fabs(u[w + i] - 0.5) > 0.425) << i;
        for (; bits; bits &= bits - 1)
            tail[ntail++] = (uint16_t)(w + (size_t)__builtin_ctzll(bits));
    }
    for (size_t j = 0; j < ntail; j++) {
        double uj = u[tail[j]];
        mass[j] = tail_mass(uj, uj - 0.5);
    }
    /* The vector passes run over whole vectors of 8: the list is padded with a harmless
     * mass (their values are discarded), so no lane takes a scalar remainder loop. */
    size_t npad = (ntail + 7) & ~(size_t)7;
    for (size_t j = ntail; j < npad; j++)
        mass[j] = 0.01;
    for (size_t j = 0; j < npad; j++)
        mass[j] = sqrt(-hs_vlog(mass[j])); /* now r */
    for (size_t j = 0; j < npad; j++)
        val[j] = tail_near(mass[j]);
    for (size_t j = 0; j < ntail; j++) {
        size_t i = tail[j];
        /* The sign of u - 1/2 (u < 1/2: the lower tail) by copysign, not a branch that
         * would be mispredicted half the time; val > 0 in both tails.  r > 5 (rare)
         * takes the scalar tail, which recomputes the same r; it is also where a
         * subnormal mass lands (hs_vlog gives about -709 for it, r > 26), and the
         * scalar tail takes libm's log there, so any u in (0, 1) is exact. */
        double q = u[i] - 0.5;
        z[i] = copysign(val[j], q);
        if (mass[j] > 5.0)
            z[i] = icdf_tail(u[i], q);
    }
}

#if HS_HAVE_V4_PATHS
#include <immintrin.h>

/* icdf_chunk_generic for m a multiple of 8 on an AVX-512 CPU, with the same values: the
 * central pass and the tail formulas are the same C code, but the tail lanes' uniforms
 * and indices are packed into dense lists by vcompresspd (eight lanes and one popcount
 * per step), and their values written back by a scatter, with no per-lane branch or
 * scalar loop.  The generic listing spent about 4 ns per tail lane in scalar code, more
 * than half of an inverse CDF on average.  Far-tail lanes (r > 5, about one draw in
 * 3.6e10) are found by one comparison per eight and redone by the scalar tail, as in
 * the generic form. */
HS_TARGET_V4 static void icdf_chunk_v4(const double *restrict u, double *restrict z, size_t m)
{
    double tu[HS_FILL_CHUNK + 16], r[HS_FILL_CHUNK + 16], val[HS_FILL_CHUNK + 16];
    int64_t idx[HS_FILL_CHUNK + 16];
    for (size_t i = 0; i < m; i++)
        z[i] = icdf_central(u[i] - 0.5);
    const __m512d half = _mm512_set1_pd(0.5), edge = _mm512_set1_pd(0.425);
    const __m512d sign = _mm512_set1_pd(-0.0);
    const __m512i step = _mm512_set1_epi64(8);
    __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    size_t ntail = 0;
    for (size_t g = 0; g < m / 8; g++) {
        __m512d ug = _mm512_loadu_pd(u + 8 * g);
        /* fabs(u - 1/2) > 0.425, as in the generic form. */
        __mmask8 k = _mm512_cmp_pd_mask(_mm512_andnot_pd(sign, _mm512_sub_pd(ug, half)), edge,
                                        _CMP_GT_OQ);
        _mm512_storeu_pd(tu + ntail, _mm512_maskz_compress_pd(k, ug));
        _mm512_storeu_si512(idx + ntail, _mm512_maskz_compress_epi64(k, lane));
        lane = _mm512_add_epi64(lane, step);
        ntail += (size_t)__builtin_popcount(k);
    }
    /* The list passes run over whole vectors of 8, padded with a harmless uniform. */
    size_t npad = (ntail + 7) & ~(size_t)7;
    for (size_t j = ntail; j < npad; j++) {
        tu[j] = 0.01;
        idx[j] = 0; /* never written: the scatter's mask leaves these lanes out */
    }
    int far = 0;
    for (size_t j = 0; j < npad; j++) {
        double q = tu[j] - 0.5;
        r[j] = sqrt(-hs_vlog(tail_mass(tu[j], q)));
        val[j] = copysign(tail_near(r[j]), q);
        far |= r[j] > 5.0;
    }
    for (size_t j = 0; j < npad; j += 8) {
        __mmask8 live = ntail - j >= 8 ? 0xff : (__mmask8)((1u << (ntail - j)) - 1u);
        _mm512_mask_i64scatter_pd(z, live, _mm512_loadu_si512(idx + j), _mm512_loadu_pd(val + j),
                                  8);
    }
    /* The far tail (r > 5, the same r as the generic form's): rare, so one flag for the
     * chunk and then the scalar tail for the lanes concerned. */
    if (far)
        for (size_t j = 0; j < ntail; j++)
            if (r[j] > 5.0) {
                size_t i = (size_t)idx[j];
                z[i] = icdf_tail(u[i], u[i] - 0.5);
            }
}
#endif

/* Dispatch: the AVX-512 listing for whole groups of 8 where the CPU has it. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void icdf_chunk(const double *restrict u, double *restrict z, size_t m)
{
#if HS_HAVE_V4_PATHS
    if (m >= 8 && hs_cpu_v4()) {
        size_t m8 = m & ~(size_t)7;
        icdf_chunk_v4(u, z, m8);
        if (m8 < m)
            icdf_chunk_generic(u + m8, z + m8, m - m8);
        return;
    }
#endif
    icdf_chunk_generic(u, z, m);
}

HS_KERNEL void hs_normal_icdf_lanes(const double *u, double *z, size_t n)
{
    for (size_t off = 0; off < n; off += HS_FILL_CHUNK) {
        size_t m = n - off < HS_FILL_CHUNK ? n - off : HS_FILL_CHUNK;
        icdf_chunk(u + off, z + off, m);
    }
}

HS_KERNEL void hs_uniform_fill_lanes(hs_pcg32_lanes *lanes, double *u, size_t n)
{
    draw_uniforms(lanes->state, lanes->inc, u, n);
}

HS_KERNEL void hs_normal_fill_lanes(hs_pcg32_lanes *lanes, double *z, size_t n)
{
    double u[HS_FILL_CHUNK];
    for (size_t off = 0; off < n; off += HS_FILL_CHUNK) {
        size_t m = n - off < HS_FILL_CHUNK ? n - off : HS_FILL_CHUNK;
        draw_uniforms(lanes->state + off, lanes->inc + off, u, m);
        icdf_chunk(u, z + off, m);
    }
}
