/*
 * Private: exp(x) and the standard normal CDF Phi(x) for the vectorised hot loops, written
 * with +, -, *, / and integer bit operations only, so that every target_clones variant
 * (baseline SSE2, x86-64-v3, x86-64-v4) and every vector width gives the same bits.
 * (glibc's libmvec, used before, has separate AVX2 and AVX-512 codes that may round
 * differently; its exp and erfc were also the two largest items in perf.)
 *
 * hs_vexp(x) = 2^k exp(r),  k = round(x / ln 2),  r = (x - k L1) - k L2
 *   Cody-Waite reduction (Cody & Waite, "Software Manual for the Elementary Functions",
 *   1980, ch. 6) with L1 + L2 = ln 2 split as in fdlibm's e_exp.c: L1 has 32 significant
 *   bits, so k L1 and x - k L1 are exact for |k| < 2^11.  exp(r), |r| <= ln2 / 2, by its
 *   Taylor series to degree 13: the remainder r^14 / 14! < 4.2e-18, 0.02 ulp.  2^k is
 *   applied as two factors 2^k1 2^k2 built in the exponent field, so results near
 *   overflow and in the subnormal range are rounded once.  Domain: all doubles; x > 710
 *   gives +inf, x < -746 gives +0 (as exp), NaN gives NaN.  Error <= 1 ulp against glibc's
 *   exp (tests/pricing/test_vmath.c, 10^7 points).
 *
 * hs_vnorm_cdf(x) = Phi(x) = Q(-x) for x < 0, 1 - Q(x) for x >= 0, with the upper tail
 *   Q(a) = exp(-a^2 / 2) P(a) / R(a),  a = |x|,  P of degree 10, R of degree 11
 *   P / R approximates Q(a) e^{a^2/2} (the Mills ratio over sqrt(2 pi)) on [0, 40] with
 *   relative error 9.8e-19, a weighted least-squares rational fit (Sanathanan-Koerner
 *   iteration with Lawson reweighting towards minimax) at 400 Chebyshev nodes of the map
 *   t = (a - 4) / (a + 4), done in 50-digit mpmath against mpmath.erfc: the form is that
 *   of Hart et al., "Computer Approximations" (1968), algorithm 5666, with more terms.  All
 *   coefficients are positive, so Horner's rule does not cancel.  exp(-a^2/2) is taken as
 *   exp(hi + lo), hi = -ah^2/2 exact for ah = a cut to 26 bits, lo = -(a - ah)(a + ah)/2:
 *   rounding a^2 / 2 (up to 800) would otherwise cost up to 1e-13 relative in the tail.
 *   Relative error, measured on 10^7 points against glibc's long double erfcl (64-bit
 *   mantissa): <= 1.5e-15 (7 ulp) for Phi(x) >= 1e-300 (x >= -37, "the body"), <= 8.2e-16
 *   on [-3, 3]; it is the rounding of the 21 Horner steps in a (the fit itself is 1e-18).
 *   GSL's gsl_cdf_ugaussian_P is itself off by up to 1.03e-15 (x = -4.36) against the
 *   same reference, so the two differ by <= 2.5e-15.  Below x = -37, Phi nears the
 *   subnormal range and its relative accuracy degrades smoothly to 0 at x = -38.5.  Phi(0) = 0.5
 * exactly, Phi(+-inf) = 1, 0 and NaN gives NaN.  No branches: `#pragma omp simd` loops vectorise.
 */
#ifndef HEDGESIM_VMATH_H
#define HEDGESIM_VMATH_H

#include <stdint.h>
#include <string.h>

static inline uint64_t hs_vm_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline double hs_vm_double(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* exp(hi + lo) for |lo| <= 1e-3 (lo only shifts the reduced argument) and hi in
 * [-1000, 710]: then |k| < 2^11 and 2^k1, 2^k2 stay normal. */
static inline double hs_vexp_dd(double hi, double lo)
{
    /* Adding 1.5 * 2^52 rounds hi / ln 2 to the nearest integer k and leaves k in the low
     * mantissa bits of t: no float-to-integer conversion, which is undefined for NaN. */
    const double shifter = 0x1.8p52;
    const double log2e = 0x1.71547652b82fep0;    /* 1 / ln 2, rounded */
    const double ln2_hi = 0x1.62e42feep-1;       /* fdlibm ln2HI: 32 bits */
    const double ln2_lo = 0x1.a39ef35793c76p-33; /* fdlibm ln2LO = ln 2 - ln2_hi, rounded */
    double t = hi * log2e + shifter;
    double k = t - shifter;
    double r = (hi - k * ln2_hi) + (lo - k * ln2_lo);
    /* Taylor coefficients 1/n!, n = 2..13, each the double nearest the exact rational. */
    double q = 1.0 / 6227020800.0; /* 1/13! */
    q = q * r + 1.0 / 479001600.0; /* 1/12! */
    q = q * r + 1.0 / 39916800.0;  /* 1/11! */
    q = q * r + 1.0 / 3628800.0;   /* 1/10! */
    q = q * r + 1.0 / 362880.0;    /* 1/9! */
    q = q * r + 1.0 / 40320.0;     /* 1/8! */
    q = q * r + 1.0 / 5040.0;      /* 1/7! */
    q = q * r + 1.0 / 720.0;       /* 1/6! */
    q = q * r + 1.0 / 120.0;       /* 1/5! */
    q = q * r + 1.0 / 24.0;        /* 1/4! */
    q = q * r + 1.0 / 6.0;         /* 1/3! */
    q = q * r + 0.5;               /* 1/2! */
    /* exp(r) = 1 + (r + r^2 q): the rounding errors of the sum stay below ulp(r) / 2. */
    double e = 1.0 + (r + (r * r) * q);
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

/* exp(x), <= 1 ulp; +inf above 710, +0 below -746, NaN for NaN (comparisons with NaN are
 * false, so the clamps let it through). */
static inline double hs_vexp(double x)
{
    x = x > 710.0 ? 710.0 : x;
    x = x < -746.0 ? -746.0 : x;
    return hs_vexp_dd(x, 0.0);
}

/* Phi(x), the standard normal CDF; see the top of the file. */
static inline double hs_vnorm_cdf(double x)
{
    double a = x < 0.0 ? -x : x;
    a = a > 40.0 ? 40.0 : a; /* Q(40) = 0 in doubles; keeps ah, exp in their domain */
    /* ah: a with its low 27 mantissa bits cleared, so ah * ah is exact. */
    double ah = hs_vm_double(hs_vm_bits(a) & ~(uint64_t)0x7ffffff);
    double hi = -0.5 * (ah * ah);
    double lo = -0.5 * ((a - ah) * (a + ah));
    double e = hs_vexp_dd(hi, lo);
    /* P and R from the fit described above (tools: mpmath 1.3, 50 digits). */
    double p = 2.262164869988441201652619e-07;
    p = p * a + 7.029736882230614862804029e-06;
    p = p * a + 1.072717096876998326895139e-04;
    p = p * a + 1.045484085782731243210425e-03;
    p = p * a + 7.155899196793968227097367e-03;
    p = p * a + 3.580326501890764621317304e-02;
    p = p * a + 1.324442878528819873671554e-01;
    p = p * a + 3.581563608884205846310732e-01;
    p = p * a + 6.806600401948893743769474e-01;
    p = p * a + 8.285978376435574655750747e-01;
    p = p * a + 5.000000000000000004865453e-01;
    double s = 5.670406424988827101289338e-07;
    s = s * a + 1.762093723224297637091093e-05;
    s = s * a + 2.694573412107608646023513e-04;
    s = s * a + 2.638260907523384424093132e-03;
    s = s * a + 1.820493546783389421069684e-02;
    s = s * a + 9.233087479503957355140712e-02;
    s = s * a + 3.493936588608732704394374e-01;
    s = s * a + 9.824454028832444811250621e-01;
    s = s * a + 2.004920739095825178969280e+00;
    s = s * a + 2.820190696298219542000559e+00;
    s = s * a + 2.455080236089980510084530e+00;
    s = s * a + 1.0;
    double q = e * p / s;
    return x < 0.0 ? q : 1.0 - q;
}

#endif
