/*
 * Tests of the Student-t quantile table (src/models/student_t.c), used by the GARCH
 * model's t innovations.
 *
 *  - closed forms, no GSL: nu = 2 (x = (2u - 1) / sqrt(2 u (1 - u))) and nu = 4 (Shaw
 *    2006), on 10^5 uniforms each, and nu = 2, u = 0.9 by hand;
 *  - known answers at 50 digits from mpmath 1.3.0 (the root of the regularised incomplete
 *    beta function, mpmath.betainc, by mpmath.findroot at mp.dps = 50), including points
 *    where gsl_cdf_tdist_Pinv itself is off: within 1e-14 of u = 1/2 (GSL 3e-3 relative
 *    off for nu = 2.001) and u near 1 (GSL works on P, not 1 - P: 2.4e-4 off for nu = 12);
 *  - 10^6 uniforms of a PCG64 stream (fixed seed) for nu = 6.03 (garch_dax) and nu = 3,
 *    2 x 10^5 for five more nu from 2 + 1e-9 to 1e5: within 1e-12 relative of
 *    gsl_cdf_tdist_Pinv wherever GSL is accurate, that is |u - 1/2| >= 1e-3 (GSL's
 *    Newton step has an absolute error of about 1e-16 in P, 1e-13 relative to
 *    |u - 1/2| = 1e-3) and, for u > 1/2, in the form -Pinv(1 - u, nu) (exact 1 - u);
 *  - near u = 1/2, where GSL is not accurate, the backward error: the CDF of the result,
 *    by gsl_sf_beta_inc, against u, divided by x f(x), within 1e-12 relative;
 *  - below 2^-64 GSL itself; nu that is not finite and positive is refused.
 *
 * Planted bugs, each caught: the centre's 16.0 * HS_TQ_CENTRAL changed to 15.0 in the
 * evaluation (5 tests fail); the fit's cos(pi j (k + 0.5) / N) changed to (k + 0.501)
 * (every test fails, by 2.3e-3 relative).
 */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <string.h>

#include "hedgesim/rng.h"

#include "../../src/models/student_t.h"

static void setup(void)
{
    gsl_set_error_handler_off();
}

TestSuite(student_t, .init = setup);

static hs_tq_table table; /* 27 KB: not on the stack */

static double rel(double a, double b)
{
    return a == b ? 0.0 : fabs(a - b) / fabs(b);
}

Test(student_t, closed_forms_nu_2_and_4)
{
    hs_pcg32 rng;
    hs_path_stream(&rng, 11, 0);
    double worst4 = 0.0, worst2 = 0.0;
    /* nu = 4 (W. T. Shaw, J. Comput. Finance 9 (2006) 37-73, eq. 28):
     * x = 2 sqrt(cos(arccos(sqrt(a)) / 3) / sqrt(a) - 1), a = 4 u (1 - u), with the sign
     * of u - 1/2; accurate away from u = 1/2, where arccos(sqrt(a)) cancels. */
    cr_assert_eq(hs_tq_init(&table, 4.0), 0);
    for (int n = 0; n < 100000; n++) {
        double u = hs_pcg32_uniform(&rng);
        if (fabs(u - 0.5) < 0.05)
            continue;
        double v = u < 0.5 ? u : 1.0 - u, a = 4.0 * v * (1.0 - v);
        double x = 2.0 * sqrt(cos(acos(sqrt(a)) / 3.0) / sqrt(a) - 1.0);
        double e = rel(hs_student_t_quantile(&table, u), u < 0.5 ? -x : x);
        if (e > worst4)
            worst4 = e;
    }
    cr_assert_eq(hs_tq_init(&table, 2.0), 0);
    for (int n = 0; n < 100000; n++) {
        double u = hs_pcg32_uniform(&rng);
        double v = u < 0.5 ? u : 1.0 - u; /* exact */
        double x = (u < 0.5 ? -1.0 : 1.0) * (1.0 - 2.0 * v) / sqrt(2.0 * v * (1.0 - v));
        double e = rel(hs_student_t_quantile(&table, u), x);
        if (e > worst2)
            worst2 = e;
    }
    cr_expect_leq(worst4, 1e-12, "nu = 4: %g", worst4);
    cr_expect_leq(worst2, 1e-12, "nu = 2: %g", worst2);
    /* Hand-computed points: nu = 2, u = 0.9: 0.8 / sqrt(0.18) = 1.8856180831641267. */
    cr_expect_leq(rel(hs_student_t_quantile(&table, 0.9), 1.8856180831641267), 1e-14);
    cr_expect_eq(hs_student_t_quantile(&table, 0.5), 0.0);
}

Test(student_t, known_answers_mpmath)
{
    static const struct {
        double nu, u, x;
    } cases[] = {
        {8, 0.975, 2.3060041352041661143},
        {3, 0.999, 10.214531852407383456},
        {6.03, 0.999, 5.1920297929421368688},
        {6.03, 0.49999999, -2.6122546016871136821e-8},
        {6.03, 0.25, -0.71733327932184855709},
        {6.03, 0.1875, -0.957743891131484239},
        {2.001, 0.4999999999999913, -2.4649050840647202172e-14},
        {12, 0.9999999999999808, 40.008603587303533848},
        {30, 0.9999999999999999, 16.202143678389706638},
        {2.5, 1.1102230246251565e-16, -2111589.6492094181553},
        {100000, 1e-10, -6.3620004198436912012},
        {2.000000001, 1e-15, -22360679.593100558527},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        cr_assert_eq(hs_tq_init(&table, cases[c].nu), 0);
        double x = hs_student_t_quantile(&table, cases[c].u);
        cr_expect_leq(rel(x, cases[c].x), 1e-13, "nu %g u %.17g: %.17g, expected %.17g",
                      cases[c].nu, cases[c].u, x, cases[c].x);
    }
}

/* Largest relative distance to GSL over n uniforms with |u - 1/2| >= 1e-3. */
static double against_gsl(double nu, int n, uint64_t seed)
{
    hs_pcg32 rng;
    hs_path_stream(&rng, seed, 0);
    cr_assert_eq(hs_tq_init(&table, nu), 0);
    double worst = 0.0;
    for (int i = 0; i < n; i++) {
        double u = hs_pcg32_uniform(&rng);
        if (fabs(u - 0.5) < 1e-3)
            continue;
        double g = u < 0.5 ? gsl_cdf_tdist_Pinv(u, nu) : -gsl_cdf_tdist_Pinv(1.0 - u, nu);
        double e = rel(hs_student_t_quantile(&table, u), g);
        if (e > worst)
            worst = e;
    }
    return worst;
}

Test(student_t, million_uniforms_against_gsl)
{
    double nus[] = {6.03, 3.0};
    for (size_t k = 0; k < 2; k++) {
        double e = against_gsl(nus[k], 1000000, 20261203 + k);
        cr_expect_leq(e, 1e-12, "nu = %g: %g relative", nus[k], e);
    }
}

Test(student_t, other_nu_against_gsl)
{
    double nus[] = {2.0 + 1e-9, 2.1, 12.0, 1000.0, 1e5};
    for (size_t k = 0; k < sizeof nus / sizeof nus[0]; k++) {
        double e = against_gsl(nus[k], 200000, 7 + k);
        cr_expect_leq(e, 1e-12, "nu = %g: %g relative", nus[k], e);
    }
}

/* Relative error of x as a quantile of u, from the residual of the CDF: (F(x) - u) /
 * (x f(x)).  The CDF by the incomplete beta function (Abramowitz & Stegun 26.7.1):
 * F(x) - 1/2 = I_{x^2 / (nu + x^2)}(1/2, nu/2) / 2 for x > 0. */
static double backward(double x, double u, double nu)
{
    double d = fabs(u - 0.5), ax = fabs(x);
    if (ax == 0.0)
        return d == 0.0 ? 0.0 : INFINITY;
    double c = 0.5 * gsl_sf_beta_inc(0.5, 0.5 * nu, ax * ax / (nu + ax * ax));
    return fabs(d - c) / (gsl_ran_tdist_pdf(ax, nu) * ax);
}

Test(student_t, near_one_half_backward_error)
{
    /* gsl_sf_beta_inc(1/2, nu/2, .) is accurate to a few 1e-15 for moderate nu. */
    double nus[] = {2.0 + 1e-9, 2.5, 4.0, 6.03, 30.0};
    hs_pcg32 rng;
    hs_path_stream(&rng, 5, 0);
    for (size_t k = 0; k < sizeof nus / sizeof nus[0]; k++) {
        cr_assert_eq(hs_tq_init(&table, nus[k]), 0);
        double worst = 0.0;
        for (int i = 0; i < 100000; i++) {
            /* u - 1/2 of every scale from 2^-50 to 1/4, both signs. */
            double a = hs_pcg32_uniform(&rng), b = hs_pcg32_uniform(&rng);
            double u = 0.5 + (a - 0.5) * ldexp(0.5, -(int)(b * 48));
            double e = backward(hs_student_t_quantile(&table, u), u, nus[k]);
            if (e > worst)
                worst = e;
        }
        cr_expect_leq(worst, 1e-12, "nu = %g: %g relative", nus[k], worst);
    }
}

Test(student_t, deep_tail_and_errors)
{
    cr_assert_eq(hs_tq_init(&table, 6.03), 0);
    /* Below 2^-64: GSL itself. */
    cr_expect_eq(hs_student_t_quantile(&table, 1e-25), gsl_cdf_tdist_Pinv(1e-25, 6.03));
    /* Just above it, and the smallest uniform of hs_pcg64_uniform (2^-53), both tails. */
    double g = gsl_cdf_tdist_Pinv(0x1.0000000000001p-64, 6.03);
    cr_expect_leq(rel(hs_student_t_quantile(&table, 0x1.0000000000001p-64), g), 1e-13);
    g = gsl_cdf_tdist_Pinv(0x1p-53, 6.03);
    cr_expect_leq(rel(hs_student_t_quantile(&table, 0x1p-53), g), 1e-13);
    cr_expect_leq(rel(hs_student_t_quantile(&table, 1.0 - 0x1p-53), -g), 1e-13);
    cr_expect_eq(hs_tq_init(&table, 0.0), -1);
    cr_expect_eq(hs_tq_init(&table, -3.0), -1);
    cr_expect_eq(hs_tq_init(&table, NAN), -1);
    cr_expect_eq(hs_tq_init(&table, INFINITY), -1);
}

/* A table copied from the process's cache is the table a build gives: build nu = 6.03,
 * push it out of the cache (four other nu), build it again, compare every byte. */
Test(student_t, cached_table_equals_a_fresh_build)
{
    static hs_tq_table first, again;
    cr_assert_eq(hs_tq_init(&first, 6.03), 0);
    cr_assert_eq(hs_tq_init(&again, 6.03), 0); /* from the cache */
    cr_expect_eq(memcmp(&first, &again, sizeof first), 0);
    const double others[] = {3.0, 4.5, 9.0, 40.0};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(hs_tq_init(&table, others[i]), 0);
    cr_assert_eq(hs_tq_init(&again, 6.03), 0); /* built afresh */
    cr_expect_eq(memcmp(&first, &again, sizeof first), 0);
    cr_expect_eq(hs_student_t_quantile(&again, 0.3), hs_student_t_quantile(&first, 0.3));
}

/* The block form (the GARCH step's) against the scalar one, bit for bit: 5,000 uniforms of
 * a PCG stream plus both regions' edges (p = 1/4, the central pieces' ends, binade edges)
 * and p below 2^-64 (the scalar fallback), in place (q = u, as the step calls it) over
 * blocks of 300 and 7 (several passes, and a partial one). */
Test(student_t, lanes_bit_identical_to_scalar)
{
    cr_assert_eq(hs_tq_init(&table, 6.03), 0);
    enum { N = 5000 };
    static double u[N], q[N], want[N];
    hs_pcg32 rng;
    hs_path_stream(&rng, 5, 1);
    for (size_t i = 0; i < N; i++)
        u[i] = hs_pcg32_uniform(&rng);
    const double edges[] = {
        0.25,    0.75,  0.5,   0.5 - 0x1p-40, 0.125, 0.875,       0x1p-30, 1.0 - 0x1p-30,
        0x1p-53, 1e-25, 1e-30, 0.3,           0.2,   0.5 + 1e-12, 0x1p-64, 0x1.fffffffffffffp-65};
    for (size_t e = 0; e < sizeof edges / sizeof edges[0]; e++)
        u[3 * e + 1] = edges[e];
    for (size_t i = 0; i < N; i++)
        want[i] = hs_student_t_quantile(&table, u[i]);
    memcpy(q, u, sizeof q);
    for (size_t i = 0; i < N;) {
        size_t m = i < 2100 ? 300 : 7;
        m = m < N - i ? m : N - i;
        hs_student_t_quantile_lanes(&table, q + i, q + i, m);
        i += m;
    }
    for (size_t i = 0; i < N; i++)
        cr_assert(memcmp(&q[i], &want[i], sizeof q[i]) == 0, "u = %.17g: %.17g vs %.17g", u[i],
                  q[i], want[i]);
}
