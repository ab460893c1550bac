/*
 * Private: exp(x), ln x, ln(1 + x) and the standard normal CDF Phi(x) for the vectorised
 * hot loops, written with +, -, *, /, explicit fma() and integer bit operations only.
 * Compiled with -ffp-contract=off, every operation rounds as written, and fma() is
 * exactly rounded whether the CPU has the instruction (the x86-64-v3 and v4 clones inline
 * it) or glibc computes it (the baseline clone calls it): every target_clones variant and
 * vector width gives the same bits.  (glibc's libmvec, used before, has SSE, AVX2 and AVX-512 codes
 * that round differently; its exp and erfc were also the two largest items in perf.)
 * The price: the baseline clone, for CPUs without FMA, makes a libm call per fma() and
 * these loops do not vectorise there (about 13x slower than libmvec: scripts/bench_vmath).
 *
 * hs_vexp(x) = 2^k exp(r),  k = round(x / ln 2),  r = (x - k L1) - k L2
 *   Cody-Waite reduction (Cody & Waite, "Software Manual for the Elementary Functions",
 *   1980, ch. 6) with L1 + L2 = ln 2 split as in fdlibm's e_exp.c: L1 has 32 significant
 *   bits, so k L1 and x - k L1 are exact for |k| < 2^11.  exp(r) = 1 + r + r^2 q(r),
 *   |r| <= ln2 / 2, q of degree 9: the Chebyshev interpolant of (exp(r) - 1 - r) / r^2 on
 *   |r| <= ln2/2 + 1e-4 (mpmath.chebyfit, 50 digits; near-minimax), error 1.8e-17
 *   relative to exp(r), 0.08 ulp.  2^k is applied as two factors 2^k1 2^k2 built in the
 *   exponent field, so results near overflow and in the subnormal range are rounded once.
 *   Domain: all doubles; x > 710 gives +inf, x < -746 gives +0 (as exp), NaN gives NaN.
 *   Error <= 1 ulp against glibc's exp (tests/pricing/test_vmath.c, 10^7 points), exact
 *   at 0.
 *
 * hs_vnorm_cdf(x) = Phi(x) = Q(-x) for x < 0, 1 - Q(x) for x >= 0, with the upper tail
 *   Q(a) = exp(-a^2 / 2) F(a),  a = |x|,  F(a) = Q(a) e^{a^2/2} (Mills' ratio / sqrt(2 pi))
 *   F(a) = P(a) / R(a)                     for a < 3   (P, R of degree 7)
 *   F(a) = P'(w) / (a R'(w)),  w = 1/a^2   for a >= 3  (the asymptotic form; degree 7)
 *   Both are weighted least-squares rational fits of F's relative error (Sanathanan-
 *   Koerner iteration, then Lawson reweighting towards minimax) at 300 Chebyshev nodes
 *   in a on [0, 3] and in w on [1/40^2, 1/3^2], in 50-digit mpmath against mpmath.erfc:
 *   relative error 1.0e-17 and 7.2e-18.  The form is that of Cody (1969, "Rational
 *   Chebyshev approximations for the error function", Math. Comp. 23), whose erfc also
 *   switches to 1/x^2 in the tail.  Both share one Horner loop whose coefficients are
 *   picked per lane.  exp(-a^2/2) is taken as exp(hi + lo), hi = -ah^2/2 exact for ah =
 *   a cut to 26 bits, lo = -(a - ah)(a + ah)/2: rounding a^2 / 2 (up to 800) would cost
 *   up to 1e-13 relative in the tail.
 *   Relative error, 10^7 points against glibc's long double erfcl (64-bit mantissa):
 *   <= 6.1e-16 for Phi(x) >= 1e-300 (x >= -37, "the body"), the same on [-3, 3]; GSL's
 *   gsl_cdf_ugaussian_P is itself off by up to 1.03e-15 (x = -4.36) against the same
 *   reference.  Below x = -37 Phi nears the subnormal range and its relative accuracy
 *   degrades smoothly to 0 at x = -38.5.  Phi(0) = 0.5 exactly, Phi(+-inf) = 1, 0 and
 *   NaN gives NaN.  No branches: `#pragma omp simd` loops vectorise. *
 * hs_vlog(x) = ln x for a positive normal double: the classic fdlibm algorithm (Sun
 *   Microsystems 1993, e_log.c; musl src/math/log.c before 2017).  With k the exponent
 *   and f the mantissa reduced to [sqrt(2)/2, sqrt(2)),
 *     ln x = k ln2 + ln(1 + f),  ln(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)),  s = f/(2 + f),
 *   where 2 atanh(s) = ln(1 + f) and R is fdlibm's degree-14 minimax polynomial Lg1..Lg7
 *   for the atanh series; ln 2 is split in a high part with 11 trailing zero bits (so
 *   k ln2_hi is exact) and a low part.  The polynomial and the first product-sum are
 *   fused (fma).  Error below 1 ulp (tests/random/test_normal.c, 10^7 points against
 *   glibc).  Zero, negative, subnormal, infinite and NaN arguments give meaningless
 *   values (integer operations only, never a trap): callers select them away.
 *
 * hs_vlog1p(x) = ln(1 + x) for x > -1 with 1 + x normal: u = 1 + x rounded, then
 *   ln u + (x - (u - 1)) / u, the first-order correction for the rounding of u
 *   (Goldberg, "What every computer scientist should know about floating-point
 *   arithmetic", 1991, theorem 4 discusses the same device): exact for |x| below
 *   2^-53 (u = 1) and within about 2 ulp elsewhere (tests/pricing/test_vmath.c).
 */
#ifndef HEDGESIM_VMATH_H
#define HEDGESIM_VMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Always inlined: GCC's heuristics otherwise keep hs_vnorm_cdf out of line (fma() is a
 * call in the baseline compilation), and a call inside a `#pragma omp simd` loop stops
 * it from vectorising and runs the baseline code in every clone. */
#if defined(__GNUC__)
#define HS_VM_INLINE static inline __attribute__((always_inline))
#else
#define HS_VM_INLINE static inline
#endif

/* sqrt is correctly rounded (IEEE 754) on every machine; its one side effect is errno
 * for a negative argument.  Declared const, GCC vectorises it to vsqrtpd without a scalar
 * call guarded by an errno check (the alternative, -fno-math-errno, would be a build flag
 * for the whole library); the kernels never read errno, and a branch-free kernel's
 * discarded lanes may take a negative argument. */
extern double sqrt(double) __attribute__((const));

HS_VM_INLINE uint64_t hs_vm_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

HS_VM_INLINE double hs_vm_double(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* ln x for a positive normal double; see the top of the file.  Branch-free; the
 * exponent k is converted to double exactly by the 2^52 trick (integer-to-double
 * conversion of 64-bit words has no AVX2 instruction). */
HS_VM_INLINE double hs_vlog(double x)
{
    const double ln2_hi = 6.93147180369123816490e-01; /* 0x3fe62e42 fee00000 */
    const double ln2_lo = 1.90821492927058770002e-10; /* 0x3dea39ef 35793c76 */
    const double lg1 = 6.666666666666735130e-01;      /* 0x3fe55555 55555593 */
    const double lg2 = 3.999999999940941908e-01;      /* 0x3fd99999 9997fa04 */
    const double lg3 = 2.857142874366239149e-01;      /* 0x3fd24924 94229359 */
    const double lg4 = 2.222219843214978396e-01;      /* 0x3fcc71c5 1d8e78af */
    const double lg5 = 1.818357216161805012e-01;      /* 0x3fc74664 96cb03de */
    const double lg6 = 1.531383769920937332e-01;      /* 0x3fc39a09 d078c69f */
    const double lg7 = 1.479819860511658591e-01;      /* 0x3fc2f112 df3e5244 */
    uint64_t ix = hs_vm_bits(x);
    /* Shift the high word so that the mantissa range [sqrt(2)/2, sqrt(2)) maps onto
     * one exponent: the biased exponent of hx is then k + 1023. */
    uint64_t hx = (ix >> 32u) + (0x3ff00000u - 0x3fe6a09eu);
    uint64_t kb = hx >> 20u;
    hx = (hx & 0x000fffffu) + 0x3fe6a09eu;
    ix = (hx << 32u) | (ix & UINT64_C(0xffffffff));
    double m = hs_vm_double(ix);
    double dk = hs_vm_double(UINT64_C(0x4330000000000000) | kb); /* 2^52 + kb, exactly */
    dk -= 0x1.0p52 + 1023.0;

    double f = m - 1.0;
    double hfsq = 0.5 * f * f;
    double s = f / (2.0 + f);
    double z = s * s;
    double w = z * z;
    double t1 = w * fma(w, fma(w, lg6, lg4), lg2);
    double t2 = z * fma(w, fma(w, fma(w, lg7, lg5), lg3), lg1);
    double r = t2 + t1;
    return fma(s, hfsq + r, dk * ln2_lo) - hfsq + f + dk * ln2_hi;
}

/* ln(1 + x) for x > -1 with 1 + x normal; see the top of the file. */
HS_VM_INLINE double hs_vlog1p(double x)
{
    double u = 1.0 + x;
    return hs_vlog(u) + (x - (u - 1.0)) / u;
}

/* exp(hi + lo) for |lo| <= 1e-3 (lo only shifts the reduced argument) and hi in
 * [-1000, 710]: then |k| < 2^11 and 2^k1, 2^k2 stay normal. */
HS_VM_INLINE double hs_vexp_dd(double hi, double lo)
{
    /* Adding 1.5 * 2^52 rounds hi / ln 2 to the nearest integer k and leaves k in the low
     * mantissa bits of t: no float-to-integer conversion, which is undefined for NaN. */
    const double shifter = 0x1.8p52;
    const double log2e = 0x1.71547652b82fep0;    /* 1 / ln 2, rounded */
    const double ln2_hi = 0x1.62e42feep-1;       /* fdlibm ln2HI: 32 bits */
    const double ln2_lo = 0x1.a39ef35793c76p-33; /* fdlibm ln2LO = ln 2 - ln2_hi, rounded */
    double t = fma(hi, log2e, shifter);
    double k = t - shifter;
    double r = fma(-k, ln2_hi, hi) + fma(-k, ln2_lo, lo);
    /* q(r) = (exp(r) - 1 - r) / r^2 by a degree-9 Chebyshev interpolant on |r| <= ln2/2 +
     * 1e-4 (mpmath.chebyfit, 50 digits): error 1.8e-17 relative to exp(r), 0.08 ulp. */
    double q = 2.510040371657669144596846e-8;
    q = fma(q, r, 0.0000002762011213957236449088716);
    q = fma(q, r, 0.000002755726842168261226348147);
    q = fma(q, r, 0.00002480152124613149443216159);
    q = fma(q, r, 0.0001984126986307827975190352);
    q = fma(q, r, 0.001388888891724578757458907);
    q = fma(q, r, 0.00833333333333005689355781);
    q = fma(q, r, 0.04166666666662406364899213);
    q = fma(q, r, 0.1666666666666666745421764);
    q = fma(q, r, 0.500000000000000102404162);
    /* exp(r) = 1 + (r + r^2 q): the rounding errors of the sum stay below ulp(r) / 2. */
    double e = 1.0 + fma(r * r, q, r);
    /* b = k + 2048 from the bits of t (k in [-1443, 1025], so b > 0); k1 = floor(k / 2)
     * and k2 = k - k1 are both in [-722, 513], so 2^k1 and 2^k2 are normal and only the
     * last product rounds.  Unsigned shifts only: SSE2 and AVX2 have no 64-bit
     * arithmetic shift. */
    uint64_t b = hs_vm_bits(t) - hs_vm_bits(shifter) + 2048u;
    uint64_t b1 = b >> 1;                      /* k1 + 1024 */
    double s1 = hs_vm_double((b1 - 1u) << 52); /* 2^k1: exponent field k1 + 1023 */
    double s2 = hs_vm_double((b - b1 - 1u) << 52);
    return e * s1 * s2;
}

/* exp(x), <= 1 ulp; +inf above 710, +0 below -746, NaN for NaN.  The clamps are written
 * in the forms that compile to one vminpd and one vmaxpd each (they send a NaN to a bound),
 * and the NaN is put back at the end: the NaN-keeping clamps (x > 710 ? 710 : x) became a
 * chain of ten mask operations, and exp ran 0.79 instead of 0.64 ns per element
 * (AVX-512; every finite and infinite x gives the same bits either way). */
HS_VM_INLINE double hs_vexp(double x)
{
    double c = x < 710.0 ? x : 710.0;
    c = c > -746.0 ? c : -746.0;
    double e = hs_vexp_dd(c, 0.0);
    return x == x ? e : x;
}
/* Phi(x), the standard normal CDF, see the top of the file; may_tail is a constant
 * (inlined): 1 gives Phi for every x, 0 the body fit alone, which is Phi bit for bit
 * where |x| < 3 and meaningless elsewhere.  With 0 the compiler folds the per-lane
 * choice of coefficients away: 14 selects, the division 1 / a^2 and a product less. */
HS_VM_INLINE double hs_vnorm_cdf_form(double x, const int may_tail)
{
    /* |x| by its bits, and the clamp as a min that drops a NaN (restored at the end):
     * GCC compiles the NaN-keeping forms into chains of mask operations (4% slower). */
    double a = hs_vm_double(hs_vm_bits(x) & ~(UINT64_C(1) << 63));
    a = a < 40.0 ? a : 40.0; /* Q(40) = 0 in doubles; keeps ah, exp in their domain */
    /* ah: a with its low 27 mantissa bits cleared, so ah * ah is exact. */
    double ah = hs_vm_double(hs_vm_bits(a) & ~(uint64_t)0x7ffffff);
    double hi = -0.5 * (ah * ah);
    double lo = -0.5 * ((a - ah) * (a + ah));
    double e = hs_vexp_dd(hi, lo);
    /* The coefficients of both fits, highest degree first, picked per lane (no branch):
     * in z = a below 3, in z = 1/a^2 (the tail form, which also divides by a) above.
     * Tools: mpmath 1.3 at 50 digits, coefficients printed to 25 digits. */
    const int tail = may_tail && a >= 3.0;
    double z = tail ? 1.0 / (a * a) : a;
    double p = tail ? 2888.667165216557092741522 : -2.540365982353838225942048e-10;
    p = fma(p, z, tail ? 31480.01000220432410505218 : 0.00006341687125207705887140169);
    p = fma(p, z, tail ? 48462.05644863221788827965 : 0.001318677675485158252203709);
    p = fma(p, z, tail ? 24668.32243612188116702073 : 0.01249703009317942111404385);
    p = fma(p, z, tail ? 5346.315786091571905147341 : 0.06891130621566924791684784);
    p = fma(p, z, tail ? 537.4067140182031262440473 : 0.2357728580406988515151766);
    p = fma(p, z, tail ? 24.39820734923618245240108 : 0.4801909306818772712647475);
    p = fma(p, z, tail ? 0.3989422804014326451441204 : 0.5000000000000000051686433);
    double s = tail ? 32113.00206028970499998177 : 0.00015893500884778837380004;
    s = fma(s, z, tail ? 146060.0848807333515461026 : 0.003306023104890726258088307);
    s = fma(s, z, tail ? 166159.3737391760306513056 : 0.03147605716220980045574082);
    s = fma(s, z, tail ? 73078.95547087459805414447 : 0.1761271710873437807462964);
    s = fma(s, z, tail ? 14635.99070600843582458016 : 0.6212948572309473484196822);
    s = fma(s, z, tail ? 1406.236100726634486975641 : 1.37443934810614361279754);
    s = fma(s, z, tail ? 62.15723639190508766466651 : 1.758266422166622345661642);
    s = fma(s, z, 1.0);
    s = tail ? s * a : s;
    double q = e * p / s;
    /* Q(-x) below 0 (the sign bit: -0 gives Q(0) = 1/2 = 1 - Q(0) either way), NaN kept. */
    double r = hs_vm_bits(x) >> 63 ? q : 1.0 - q;
    return x == x ? r : x;
}

/* Phi(x) for every x. */
HS_VM_INLINE double hs_vnorm_cdf(double x)
{
    return hs_vnorm_cdf_form(x, 1);
}

/* Phi(x) for |x| < 3 only (a NaN gives NaN too): the same bits as hs_vnorm_cdf there,
 * and faster (no per-lane choice of fit, one division less).  For loops that check
 * first that all their lanes are in. */
HS_VM_INLINE double hs_vnorm_cdf_body(double x)
{
    return hs_vnorm_cdf_form(x, 0);
}

#endif
