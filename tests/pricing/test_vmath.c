/*
 * Tests of src/vmath.h: hs_vexp (exp) and hs_vnorm_cdf (Phi, the standard normal CDF),
 * the libm-free functions of the vectorised kernels.
 *
 * Provenance of the known values: mpmath 1.3 at 40 digits (mpmath.exp, mpmath.ncdf),
 * quoted to 20 significant digits; Phi(1) and Phi(-5) also as quoted in the issue.
 * The sweeps compare 10^7 points with glibc: exp against exp (<= 1 ulp), Phi against
 * 0.5 erfcl(|x| / sqrt 2) in long double (64-bit mantissa, about 1e-19 relative in the
 * body) and against GSL's gsl_cdf_ugaussian_P, which is itself off by up to 1.03e-15
 * (at x = -4.36) against the long double reference.  Points come from a fixed 64-bit LCG
 * (Knuth's MMIX constants), so the sweep is the same on every run.
 */
#include <criterion/criterion.h>

#include <float.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../src/simd.h"
#include "../../src/vmath.h"

/* The sweeps evaluate in blocks through HS_KERNEL loops, as the engine does: the clone
 * this CPU selects (v4, v3 or baseline) is the one tested, and it is vectorised (the
 * baseline clone calls libm's fma, which makes scalar calls slow). */
#define SWEEP_BLOCK 4096

HS_KERNEL static void vexp_block(const double *restrict x, double *restrict y, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        y[i] = hs_vexp(x[i]);
}

HS_KERNEL static void vnorm_cdf_block(const double *restrict x, double *restrict y, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        y[i] = hs_vnorm_cdf(x[i]);
}

/* Body of hs_vnorm_cdf: Phi(x) >= 1e-300; the issue asks for 1e-15 there, 6.1e-16 measured
 * (see vmath.h).  Tighter at the centre, where deltas mostly live. */
#define PHI_BODY_LO (-37.0)
#define PHI_REL_TOL 1e-15
#define PHI_REL_TOL_CENTRE 8e-16 /* [-3, 3] */

static uint64_t lcg_state = 1;

static double uniform(double lo, double hi)
{
    lcg_state = lcg_state * 6364136223846793005u + 1442695040888963407u;
    return lo + (hi - lo) * ((double)(lcg_state >> 11) * 0x1p-53);
}

/* |got - want| in units of the last place of want (want finite and non-zero). */
static double ulps(double got, double want)
{
    double w = fabs(want);
    return fabs(got - want) / (nextafter(w, INFINITY) - w);
}

static long double phi_ref(double x)
{
    long double q = 0.5L * erfcl(fabsl((long double)x) / sqrtl(2.0L));
    return x < 0 ? q : 1.0L - q;
}

static void expect_rel(const char *what, double got, double want, double tol)
{
    double rel = fabs(got - want) / fabs(want);
    cr_assert(rel <= tol, "%s: got %.17g, want %.17g (relative %.3g > %.3g)", what, got, want, rel,
              tol);
}

Test(vexp, known_values)
{
    cr_assert(hs_vexp(0.0) == 1.0, "exp(0) must be exactly 1");
    cr_assert(hs_vexp(-0.0) == 1.0);
    static const double cases[][2] = {
        {1.0, 2.7182818284590452354},         {-1.0, 0.3678794411714423216},
        {0.5, 1.6487212707001281468},         {10.0, 22026.465794806716517},
        {-10.0, 4.5399929762484851536e-05},   {100.0, 2.6881171418161354484e+43},
        {-100.0, 3.720075976020835963e-44},   {700.0, 1.0142320547350045095e+304},
        {709.5, 1.3549863193146328309e+308},  {-700.0, 9.8596765437597708567e-305},
        {-708.5, 2.0061323053313058204e-308},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert(ulps(hs_vexp(cases[i][0]), cases[i][1]) <= 1.0, "exp(%g) = %.17g, want %.17g",
                  cases[i][0], hs_vexp(cases[i][0]), cases[i][1]);
}

Test(vexp, special_values)
{
    cr_assert(isinf(hs_vexp(710.0)) && hs_vexp(710.0) > 0, "overflow gives +inf");
    cr_assert(isinf(hs_vexp(INFINITY)) && hs_vexp(INFINITY) > 0);
    cr_assert(hs_vexp(-INFINITY) == 0.0 && !signbit(hs_vexp(-INFINITY)));
    cr_assert(hs_vexp(-1000.0) == 0.0);
    cr_assert(isnan(hs_vexp(NAN)));
    /* Subnormal results, rounded once: exp(-740) = 4.1887398800480489395e-322 (85 times
     * the least subnormal), exp(-745) = 2.8e-324 rounds up to the least, 4.94e-324. */
    cr_assert(hs_vexp(-740.0) == exp(-740.0), "exp(-740) = %a, want %a", hs_vexp(-740.0),
              exp(-740.0));
    cr_assert(hs_vexp(-745.0) == 0x1p-1074);
    /* Largest finite result: exp(709.78) = 1.79e308. */
    cr_assert(isfinite(hs_vexp(709.78)) && ulps(hs_vexp(709.78), exp(709.78)) <= 1.0);
}

/* 10^7 points over the whole finite range [-745, 709.78], against glibc's exp. */
Test(vexp, sweep_against_glibc)
{
    static double x[SWEEP_BLOCK], y[SWEEP_BLOCK];
    lcg_state = 1;
    double worst = 0, at = 0;
    for (long block = 0; block < 10000000 / SWEEP_BLOCK + 1; block++) {
        for (size_t i = 0; i < SWEEP_BLOCK; i++)
            x[i] = uniform(-745.0, 709.78);
        vexp_block(x, y, SWEEP_BLOCK);
        for (size_t i = 0; i < SWEEP_BLOCK; i++) {
            double want = exp(x[i]);
            double u = want >= DBL_MIN ? ulps(y[i], want) : fabs(y[i] - want) / 0x1p-1074;
            if (u > worst) {
                worst = u;
                at = x[i];
            }
        }
    }
    cr_assert(worst <= 1.0, "hs_vexp off by %.3g ulp at %.17g", worst, at);
}

Test(vnorm_cdf, known_values)
{
    cr_assert(hs_vnorm_cdf(0.0) == 0.5, "Phi(0) = %.17g", hs_vnorm_cdf(0.0));
    cr_assert(hs_vnorm_cdf(-0.0) == 0.5);
    static const double cases[][2] = {
        {1.0, 0.84134474606854294859},       {-1.0, 0.15865525393145705141},
        {-1.5, 0.066807201268858066004},     {2.5, 0.99379033467422386483},
        {-5.0, 2.8665157187919391167e-07},   {-10.0, 7.619853024160526066e-24},
        {-20.0, 2.7536241186062336951e-89},  {-30.0, 4.9067139271481870595e-198},
        {-37.0, 5.7255712225245768227e-300}, {6.0, 0.99999999901341235496},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "Phi(%g)", cases[i][0]);
        expect_rel(what, hs_vnorm_cdf(cases[i][0]), cases[i][1], PHI_REL_TOL);
    }
    /* Phi(8.5) = 1 - 9.5e-18 rounds to 1. */
    cr_assert(hs_vnorm_cdf(8.5) == 1.0);
}

Test(vnorm_cdf, special_values)
{
    cr_assert(hs_vnorm_cdf(INFINITY) == 1.0);
    cr_assert(hs_vnorm_cdf(-INFINITY) == 0.0);
    cr_assert(hs_vnorm_cdf(-40.0) == 0.0);
    cr_assert(hs_vnorm_cdf(1e300) == 1.0 && hs_vnorm_cdf(-1e300) == 0.0);
    cr_assert(isnan(hs_vnorm_cdf(NAN)));
    /* Tiny arguments: Phi(x) = 1/2 + x / sqrt(2 pi) to first order. */
    cr_assert(hs_vnorm_cdf(1e-300) == 0.5 && hs_vnorm_cdf(-1e-300) == 0.5);
    /* Monotone through the switch between Q(-x) and 1 - Q(x) at 0. */
    cr_assert(hs_vnorm_cdf(-0x1p-30) < 0.5 && hs_vnorm_cdf(0x1p-30) > 0.5);
}

/* 10^7 points over the body [-37, 8.3] and the centre [-3, 3], against long double erfcl
 * (the accuracy claim) and GSL (whose own error adds up to 1.03e-15). */
Test(vnorm_cdf, sweep_against_references)
{
    static const double range[][3] = {{PHI_BODY_LO, 8.3, PHI_REL_TOL},
                                      {-3.0, 3.0, PHI_REL_TOL_CENTRE}};
    const long counts[] = {7000000, 3000000};
    static double x[SWEEP_BLOCK], y[SWEEP_BLOCK];
    lcg_state = 2;
    for (int r = 0; r < 2; r++) {
        double worst = 0, worst_gsl = 0, at = 0, at_gsl = 0;
        for (long block = 0; block < counts[r] / SWEEP_BLOCK + 1; block++) {
            for (size_t i = 0; i < SWEEP_BLOCK; i++)
                x[i] = uniform(range[r][0], range[r][1]);
            vnorm_cdf_block(x, y, SWEEP_BLOCK);
            for (size_t i = 0; i < SWEEP_BLOCK; i++) {
                long double want = phi_ref(x[i]);
                double rel = (double)fabsl((y[i] - want) / want);
                double gsl = gsl_cdf_ugaussian_P(x[i]);
                double rel_gsl = fabs(y[i] - gsl) / gsl;
                if (rel > worst) {
                    worst = rel;
                    at = x[i];
                }
                if (rel_gsl > worst_gsl) {
                    worst_gsl = rel_gsl;
                    at_gsl = x[i];
                }
            }
        }
        cr_assert(worst <= range[r][2], "[%g, %g]: relative error %.3g at %.17g", range[r][0],
                  range[r][1], worst, at);
        cr_assert(worst_gsl <= range[r][2] + 1.03e-15, "[%g, %g]: %.3g from GSL at %.17g",
                  range[r][0], range[r][1], worst_gsl, at_gsl);
    }
}

HS_KERNEL static void vnorm_cdf_body_block(const double *restrict x, double *restrict y, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        y[i] = hs_vnorm_cdf_body(x[i]);
}

/* hs_vnorm_cdf_body is hs_vnorm_cdf bit for bit wherever |x| < 3: 10^6 points of
 * (-3, 3), the largest doubles below 3 on both sides, zeros, tiny values and NaN.  At
 * |x| = 3 the full form takes its tail fit and the body form does not: the two differ
 * there, which is why callers must check |x| < 3 strictly (instrument.c). */
Test(vnorm_cdf, body_form_is_phi_inside_three)
{
    static double x[SWEEP_BLOCK], y[SWEEP_BLOCK], yb[SWEEP_BLOCK];
    const double below3 = nextafter(3.0, 0.0);
    const double edges[] = {0.0, -0.0, 1e-300, -1e-300, below3, -below3, 2.999, -2.999,
                            1.0, -1.0, 0x1p-30, -0x1p-30};
    lcg_state = 5;
    for (long block = 0; block < 1000000 / SWEEP_BLOCK + 1; block++) {
        for (size_t i = 0; i < SWEEP_BLOCK; i++)
            x[i] = block == 0 && i < sizeof edges / sizeof edges[0] ? edges[i]
                                                                    : uniform(-below3, below3);
        vnorm_cdf_block(x, y, SWEEP_BLOCK);
        vnorm_cdf_body_block(x, yb, SWEEP_BLOCK);
        for (size_t i = 0; i < SWEEP_BLOCK; i++)
            cr_assert(memcmp(&y[i], &yb[i], sizeof y[i]) == 0,
                      "body form at %.17g: %.17g, Phi %.17g", x[i], yb[i], y[i]);
    }
    cr_assert(isnan(hs_vnorm_cdf_body(NAN)));
    /* At 3 the fits differ in the last bits: the strict bound is needed. */
    cr_assert(hs_vnorm_cdf_body(3.0) != hs_vnorm_cdf(3.0) ||
                  hs_vnorm_cdf_body(-3.0) != hs_vnorm_cdf(-3.0),
              "the two fits agree at +-3: the edge test of instrument.c would prove nothing");
}

/* ------------------------------------------------------------------ ln(1 + x) */

HS_KERNEL static void vlog1p_block(const double *restrict x, double *restrict y, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        y[i] = hs_vlog1p(x[i]);
}

Test(vlog1p, known_values)
{
    /* Below 2^-53, 1 + x rounds to 1 and the correction gives x itself. */
    cr_assert(hs_vlog1p(1e-20) == 1e-20 && hs_vlog1p(-1e-20) == -1e-20);
    cr_assert(hs_vlog1p(0.0) == 0.0);
    /* ln(1 + x) of the double nearest each argument, from Python's decimal at 50 digits:
     * Decimal(1 + Decimal(x)).ln(). */
    static const double cases[][2] = {
        {-0.5, -0.69314718055994530941723212145817656807550013436026},
        {1.0, 0.69314718055994530941723212145817656807550013436026},
        {1e-8, 9.9999999500000005425589370423620179963127981491944e-9},
        {-0.999, -6.9077552789821361638755546639282547143505804988993},
        {3.0, 1.3862943611198906188344642429163531361510002687205},
        {-1e-5, -1.0000050000333336651392053027509799126591837759621e-5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert(ulps(hs_vlog1p(cases[i][0]), cases[i][1]) <= 2.0, "log1p(%g) = %.17g, want %.17g",
                  cases[i][0], hs_vlog1p(cases[i][0]), cases[i][1]);
}

/* 4 * 10^6 points against glibc's log1p (itself below 1 ulp): within 2 ulp, on
 * (-1, 10) uniformly and on |x| < 1e-3 (where 1 + x loses most of x's bits). */
Test(vlog1p, sweep_against_glibc)
{
    static const double range[][2] = {{-0.999999, 10.0}, {-1e-3, 1e-3}};
    static double x[SWEEP_BLOCK], y[SWEEP_BLOCK];
    lcg_state = 3;
    for (int r = 0; r < 2; r++) {
        double worst = 0, at = 0;
        for (long block = 0; block < 2000000 / SWEEP_BLOCK + 1; block++) {
            for (size_t i = 0; i < SWEEP_BLOCK; i++)
                x[i] = uniform(range[r][0], range[r][1]);
            vlog1p_block(x, y, SWEEP_BLOCK);
            for (size_t i = 0; i < SWEEP_BLOCK; i++) {
                if (x[i] == 0.0)
                    continue;
                double e = ulps(y[i], log1p(x[i]));
                if (e > worst) {
                    worst = e;
                    at = x[i];
                }
            }
        }
        cr_log_info("hs_vlog1p on [%g, %g]: largest error %.3g ulp at %.17g", range[r][0],
                    range[r][1], worst, at);
        cr_assert(worst <= 2.0, "hs_vlog1p off by %.3g ulp at %.17g", worst, at);
    }
}
