/*
 * Tests of the inverse normal CDF (Wichura 1988, AS 241 PPND16) and of the normal
 * variates drawn from pcg64 and pcg32 lanes, and of the tail log (src/random/normal.c).
 *
 * Known answers: R's qnorm (which is AS 241) for the values quoted to 16 digits, and,
 * for the exact double inputs of the table below, quantiles computed with mpmath 1.3
 * at 60 significant digits by solving log Phi(x) = log u with findroot (Phi = ncdf).
 * Round trips use GSL's gsl_cdf_ugaussian_P / _Q.  Monte Carlo checks use fixed seeds
 * and 4 standard errors or 1% critical values, so each run gives the same verdict.
 */
#include <criterion/criterion.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "hedgesim/rng.h"

static double rel_err(double got, double want)
{
    return fabs(got - want) / fabs(want);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ------------------------------------------------------- inverse CDF */

Test(normal_icdf, known_values_r_qnorm)
{
    /* R 4.x: print(qnorm(c(0.975, 1e-10)), digits = 16). */
    cr_assert_lt(rel_err(hs_normal_icdf(0.975), 1.959963984540054), 1e-15);
    cr_assert_lt(rel_err(hs_normal_icdf(1e-10), -6.361340902404056), 1e-15);
    /* Phi(1) = 0.841344746068542948... (Abramowitz & Stegun table 26.1). */
    cr_assert_lt(fabs(hs_normal_icdf(0.841344746068543) - 1.0), 1e-12);
    /* q = u - 1/2 is exactly 0, and the central formula is q times a ratio. */
    cr_assert_eq(hs_normal_icdf(0.5), 0.0);
}

Test(normal_icdf, known_values_mpmath)
{
    /* u given in hex so that it is the exact double the reference was computed for. */
    static const struct {
        double u, x;
    } table[] = {
        {0x1.f333333333333p-1, 1.9599639845400538556},    /* 0.975 */
        {0x1.999999999999ap-6, -1.9599639845400542118},   /* 0.025 */
        {0x1.aec4bd120d37ep-1, 1.0000000000000003646},    /* 0.841344746068543 */
        {0x1.b7cdfd9d7bdbbp-34, -6.3613409024040561991},  /* 1e-10 */
        {0x1.999999999999ap-4, -1.2815515655446004353},   /* 0.1 */
        {0x1.3333333333333p-2, -0.52440051270804081597},  /* 0.3 */
        {0x1.3333333333333p-1, 0.25334710313579974132},   /* 0.6 */
        {0x1.d99999999999ap-1, 1.4395314709384562291},    /* 0.925, just past the split */
        {0x1.3333333333333p-4, -1.4395314709384559349},   /* 0.075, just inside it */
        {0x1.ff7ced916872bp-1, 3.0902323061678132778},    /* 0.999 */
        {0x1.fd70a3d70a3d7p-1, 2.5758293035489004539},    /* 0.995 */
        {0x1.79ca10c924223p-67, -9.2623400897984075796},  /* 1e-20, far tail r > 5 */
        {0x1.bff2ee48e0530p-333, -21.273453560965324294}, /* 1e-100 */
        {0x1.56e1fc2f8f359p-997, -37.047096299361199237}, /* 1e-300 */
        {0x1.fffffffffffffp-1, 8.2095361516013868556},    /* 1 - 2^-53 */
        {0x1p-54, -8.2923610758135955382},                /* 2^-54 */
        {0x0.0000000000001p-1022, -38.467405617144346251} /* smallest subnormal */
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        double x = hs_normal_icdf(table[i].u);
        /* AS 241 claims about 1e-16; allow about three ulps for libm's log and sqrt. */
        cr_assert_lt(rel_err(x, table[i].x), 6e-16, "u = %a: got %.17g, want %.17g",
                     table[i].u, x, table[i].x);
    }
}

Test(normal_icdf, edges)
{
    cr_assert(isinf(hs_normal_icdf(0.0)) && hs_normal_icdf(0.0) < 0.0);
    cr_assert(isinf(hs_normal_icdf(-0.0)) && hs_normal_icdf(-0.0) < 0.0);
    cr_assert(isinf(hs_normal_icdf(1.0)) && hs_normal_icdf(1.0) > 0.0);
    cr_assert(isnan(hs_normal_icdf(NAN)));
    cr_assert(isnan(hs_normal_icdf(-1e-300)));
    cr_assert(isnan(hs_normal_icdf(-0.5)));
    cr_assert(isnan(hs_normal_icdf(1.0 + 0x1p-52)));
    cr_assert(isnan(hs_normal_icdf(2.0)));
    cr_assert(isnan(hs_normal_icdf(INFINITY)));
    cr_assert(isnan(hs_normal_icdf(-INFINITY)));
    /* Just inside the interval the result is finite. */
    cr_assert(isfinite(hs_normal_icdf(0x0.0000000000001p-1022)));
    cr_assert(isfinite(hs_normal_icdf(1.0 - 0x1p-53)));
}

Test(normal_icdf, symmetry)
{
    /* Inputs for which 1 - u is exact, so icdf(1 - u) = -icdf(u) is a property of the
     * algorithm, not of the rounding of 1 - u: a grid of multiples of 2^-20 (central
     * region and near tails) and the powers 2^-k (far tails). */
    for (uint32_t k = 1; k < (1u << 20); k += 997) {
        double u = (double)k * 0x1p-20;
        double a = hs_normal_icdf(u), b = hs_normal_icdf(1.0 - u);
        cr_assert_leq(fabs(a + b), 1e-15 * fabs(a), "u = %a", u);
    }
    for (int k = 2; k <= 53; k++) {
        double u = ldexp(1.0, -k);
        double a = hs_normal_icdf(u), b = hs_normal_icdf(1.0 - u);
        cr_assert_leq(fabs(a + b), 1e-15 * fabs(a), "u = 2^-%d", k);
    }
}

Test(normal_icdf, continuous_and_monotone_across_splits)
{
    /* The three rational approximations meet at |q| = 0.425 and at r = 5
     * (u = exp(-25)).  Step across each meeting point ulp by ulp: consecutive results
     * may not go down by more than a few ulps of x, nor go up by more than the true
     * step of the quantile plus a few ulps.  (Rounding in the
     * evaluation makes the computed function monotone only to within an ulp or two,
     * anywhere, so exact monotonicity is not a property AS 241 has.) */
    const double splits[] = {0.075, 0.925, exp(-25.0), 1.0 - exp(-25.0)};
    for (size_t s = 0; s < sizeof splits / sizeof splits[0]; s++) {
        double u = splits[s];
        for (int i = 0; i < 64; i++)
            u = nextafter(u, 0.0);
        double prev = hs_normal_icdf(u);
        for (int i = 0; i < 128; i++) {
            double next = nextafter(u, 1.0);
            double x = hs_normal_icdf(next);
            double slack = 4.0 * 0x1p-52 * fabs(x);
            /* The true step is (next - u) / phi(x) to first order: at most twice that. */
            double step = 2.0 * (next - u) / gsl_ran_ugaussian_pdf(x);
            cr_assert_geq(x, prev - slack, "goes down at u = %a", next);
            cr_assert_leq(x, prev + step + slack, "jumps up at u = %a", next);
            prev = x;
            u = next;
        }
    }
    /* On a grid with steps far larger than the rounding noise, strictly increasing. */
    double prev = -INFINITY;
    for (int k = 1; k < 100000; k++) {
        double x = hs_normal_icdf(k / 100000.0);
        cr_assert_gt(x, prev);
        prev = x;
    }
}

/*
 * Round trip through GSL's normal CDF from u = 1e-300 to 1 - 1e-16.  The error is
 * measured in x: dx = |Phi(x) - u| / phi(x) is the distance from x to the exact
 * quantile of u, to first order, and dx / max(1, |x|) must be below 1e-14.  A relative
 * error in u would not do: in the tails u is ill-conditioned, |d ln u / d ln x| ~ x^2
 * (about 1400 at u = 1e-300), so even the double nearest the true quantile misses u by
 * about 1e-13 there.  In the upper half the tail mass 1 - u (exact) is compared with
 * Q(x) = 1 - Phi(x), which GSL computes without cancellation.
 */
static double round_trip_error(double u)
{
    double x = hs_normal_icdf(u);
    double mass = u > 0.5 ? 1.0 - u : u;
    double back = u > 0.5 ? gsl_cdf_ugaussian_Q(x) : gsl_cdf_ugaussian_P(x);
    return fabs(back - mass) / gsl_ran_ugaussian_pdf(x) / fmax(1.0, fabs(x));
}

Test(normal_icdf, round_trip_gsl)
{
    double worst = 0.0;
    for (double e = 0.30103; e <= 300.0; e += 0.05) {
        double t = pow(10.0, -e);
        worst = fmax(worst, round_trip_error(t));
        if (e <= 16.0)
            worst = fmax(worst, round_trip_error(1.0 - t));
    }
    for (int k = 1; k < 20000; k++)
        worst = fmax(worst, round_trip_error(k / 20000.0));
    worst = fmax(worst, round_trip_error(1e-300));
    worst = fmax(worst, round_trip_error(1.0 - 1e-16));
    cr_assert_lt(worst, 1e-14, "worst error in x: %g", worst);
}

/* ------------------------------------------------------- normal variates */

Test(normal_draw, scalar_is_icdf_of_uniform)
{
    hs_pcg64 a, b;
    hs_pcg64_seed(&a, 77u, HS_RNG_STREAM);
    b = a;
    for (int i = 0; i < 1000; i++) {
        double z = hs_pcg64_normal(&a);
        cr_assert_eq(z, hs_normal_icdf(hs_pcg64_uniform(&b)));
        cr_assert(isfinite(z));
    }
    hs_pcg32 c, d;
    hs_pcg32_seed(&c, 77u, HS_RNG_STREAM);
    d = c;
    for (int i = 0; i < 1000; i++) {
        double z = hs_pcg32_normal(&c);
        cr_assert_eq(z, hs_normal_icdf(hs_pcg32_uniform(&d)));
    }
}

Test(normal_draw, fill_lanes_bit_identical_to_scalar)
{
    /* Lane counts around vector widths and the internal chunk of 1024, with several
     * draws per lane, compared bit for bit (memcmp-strict: == on non-NaN doubles), and
     * the uniform fill likewise. */
    enum { MAXN = 3001 };
    static hs_pcg32 scalar[MAXN];
    static double z[MAXN];
    hs_pcg32_lanes *lanes = hs_pcg32_lanes_alloc(MAXN);
    cr_assert_not_null(lanes);
    const size_t counts[] = {0, 1, 7, 8, 9, 1023, 1024, 1025, 2500, MAXN};
    size_t tail_lanes = 0, total = 0;
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        size_t n = counts[c];
        for (size_t p = 0; p < n; p++) {
            hs_pcg32_lanes_seed_path(lanes, p, 4242u + c, p);
            hs_path_stream(&scalar[p], 4242u + c, p);
        }
        for (int step = 0; step < 6; step++) {
            int normal = step % 3 != 2;
            if (normal)
                hs_normal_fill_lanes(lanes, z, n);
            else
                hs_uniform_fill_lanes(lanes, z, n);
            for (size_t p = 0; p < n; p++) {
                double want = normal ? hs_pcg32_normal(&scalar[p]) : hs_pcg32_uniform(&scalar[p]);
                cr_assert(z[p] == want && signbit(z[p]) == signbit(want),
                          "n = %zu, lane %zu, step %d: %a != %a", n, p, step, z[p], want);
                cr_assert(lanes->state[p] == scalar[p].state);
                tail_lanes += normal && fabs(z[p]) > 1.4395314709384560;
                total += normal;
            }
        }
    }
    /* The tail pass must have been exercised: about 15% of lanes. */
    cr_assert_gt(tail_lanes, total / 10);
    hs_pcg32_lanes_free(lanes);
}

/* A pcg32 state whose XSH-RR output is v: rotation 0 (top five bits clear) and
 * (s ^ (s >> 18)) >> 27 = v, i.e. s = xorshift18^-1(v << 27). */
static uint64_t state_with_output(uint32_t v)
{
    uint64_t y = (uint64_t)v << 27;
    return y ^ (y >> 18) ^ (y >> 36) ^ (y >> 54);
}

Test(normal_draw, fill_lanes_tails_identical)
{
    /* Drive both tail formulas (r <= 5 and r > 5) and the extreme uniforms, which
     * random lanes seldom reach, by choosing each lane's next two outputs (a, b): the
     * state s0 outputs a, the increment s1 - M s0 (made odd with a low bit of s1, below
     * the output bits) steps it to s1, which outputs b.  u = (a 2^20 + (b >> 12) +
     * 0.5) 2^-52. */
    const uint32_t pairs[][2] = {{0u, 0u},          {0xffffffffu, 0xffffffffu},
                                 {0u, 1u << 12},    {0u, 1u << 20},
                                 {0u, 1u << 28},    {0xffffffffu, 0u},
                                 {0u, 0x0000f000u}, {1u, 0u},
                                 {0xfffffffeu, 0u}, {1u << 8, 0u},
                                 {1u << 16, 0u},    {0xffffffffu, 1u << 24},
                                 {1u << 30, 5u},    {0x9e3779b9u, 0x7f4a7c15u}};
    enum { N = sizeof pairs / sizeof pairs[0] };
    hs_pcg32_lanes *lanes = hs_pcg32_lanes_alloc(N);
    hs_pcg32 scalar[N];
    double z[N];
    for (size_t i = 0; i < N; i++) {
        uint64_t s0 = state_with_output(pairs[i][0]), s1 = state_with_output(pairs[i][1]);
        if (((s1 - s0 * HS_PCG32_MULT) & 1u) == 0)
            s1 ^= 1u;
        scalar[i] = (hs_pcg32){s0, s1 - s0 * HS_PCG32_MULT};
        hs_pcg32_lanes_set(lanes, i, &scalar[i]);
        hs_pcg32 probe = scalar[i];
        cr_assert_eq(hs_pcg32_next(&probe), pairs[i][0], "lane %zu set up wrong", i);
        cr_assert_eq(hs_pcg32_next(&probe), pairs[i][1], "lane %zu set up wrong", i);
    }
    hs_normal_fill_lanes(lanes, z, N);
    int near_tail = 0, far_tail = 0;
    for (size_t i = 0; i < N; i++) {
        double want = hs_pcg32_normal(&scalar[i]);
        cr_assert(z[i] == want, "lane %zu: %a != %a", i, z[i], want);
        cr_assert(isfinite(z[i]));
        /* |z| = 6.7 is about r = 5, where min(u, 1 - u) = exp(-25). */
        far_tail += fabs(z[i]) > 6.7;
        near_tail += fabs(z[i]) > 1.44 && fabs(z[i]) < 6.7;
    }
    cr_assert_geq(far_tail, 4, "far-tail formula (r > 5) not reached");
    cr_assert_geq(near_tail, 4, "near-tail formula (r <= 5) not reached");
    /* The extreme outputs give the extreme uniforms 2^-53 and 1 - 2^-53, whose normals
     * are exact negatives of each other: Phi^-1(2^-53) = -8.2095361516013868556
     * (mpmath, as in known_values_mpmath). */
    cr_assert_eq(z[0], -z[1]);
    cr_assert_lt(rel_err(z[0], -8.2095361516013868556), 6e-16);
    hs_pcg32_lanes_free(lanes);
}

Test(normal_draw, icdf_lanes_bit_identical_to_scalar)
{
    /* The inversion alone on uniforms spread over (0, 1) in log scale towards both
     * ends, down to DBL_MIN and into the subnormals (where the scalar tail takes
     * libm's log, the vector log covering the normal range only). */
    enum { N = 4000 };
    static double u[N], z[N];
    for (size_t i = 0; i < N; i++) {
        double t = pow(2.0, -1074.0 * (double)(i / 2) / (N / 2));
        u[i] = i % 2 ? 1.0 - t * 0.5 : t;
        if (u[i] <= 0.0 || u[i] >= 1.0)
            u[i] = 0.5;
    }
    u[0] = 0x1p-1074;
    u[2] = DBL_MIN;
    u[4] = DBL_MIN / 3.0;
    hs_normal_icdf_lanes(u, z, N);
    for (size_t i = 0; i < N; i++)
        cr_assert(z[i] == hs_normal_icdf(u[i]), "u = %a: %a != %a", u[i], z[i],
                  hs_normal_icdf(u[i]));
}

/* ------------------------------------------------------- the tail log */

/* Distance in units in the last place between two positive or two negative doubles. */
static double ulps(double got, double want)
{
    int e;
    frexp(want, &e);
    return fabs(got - want) / ldexp(1.0, e - 53);
}

Test(log_normal, known_values)
{
    /* ln 2^k = k ln 2 (ln 2 = 0.693147180559945309417232121458176568, A002162), the
     * reduction's exact case; ln 0.1 = -ln 10 + ln(1 + 2^-54 * 0.8) for the double 0.1 =
     * 0.1000000000000000055511151231257827, i.e. -2.302585092994045684017991 +
     * 5.551115123125783e-16 = -2.3025850929940451289 (hand expansion, ln(1+x) = x). */
    const double ln2 = 0.693147180559945309417232121458176568;
    const int ks[] = {-1, -2, -54, -1022, 1, 10};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
        cr_assert_leq(ulps(hs_log_normal(ldexp(1.0, ks[i])), ks[i] * ln2), 1.0, "2^%d", ks[i]);
    cr_assert_eq(hs_log_normal(1.0), 0.0);
    cr_assert_leq(ulps(hs_log_normal(0.1), -2.3025850929940451289), 1.0);
    cr_assert_leq(ulps(hs_log_normal(0.075), log(0.075)), 1.0);
}

Test(log_normal, within_one_ulp_of_glibc_on_1e7_points)
{
    /* 10^7 points log-uniform over the tail masses [2^-54, 0.075] (and so every
     * binade and both halves of the reduced mantissa), each within 2 ulp of glibc's
     * log (itself within 1 ulp of exact), and the largest error reported. */
    const size_t n = 10000000;
    const double lo = log(0x1.0p-54), hi = log(0.075);
    double worst = 0.0, worst_x = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x = exp(lo + (hi - lo) * ((double)i + 0.5) / (double)n);
        double e = ulps(hs_log_normal(x), log(x));
        if (e > worst) {
            worst = e;
            worst_x = x;
        }
    }
    cr_log_info("log_normal: largest error %.3g ulp at x = %a", worst, worst_x);
    cr_assert_leq(worst, 2.0, "%.3g ulp at x = %a", worst, worst_x);
}

Test(normal_draw, moments)
{
    /* Mean, variance, skewness and excess kurtosis of 10^6 normals, each within 4
     * standard errors of 0, 1, 0, 0: se = sqrt(1/n), sqrt(2/n), sqrt(6/n), sqrt(24/n). */
    enum { N = 1000000 };
    hs_pcg64 rng;
    hs_pcg64_seed(&rng, 123456789u, HS_RNG_STREAM);
    double s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0;
    for (int i = 0; i < N; i++) {
        double z = hs_pcg64_normal(&rng), z2 = z * z;
        s1 += z;
        s2 += z2;
        s3 += z2 * z;
        s4 += z2 * z2;
    }
    double n = N, mean = s1 / n;
    double m2 = s2 / n - mean * mean;
    double m3 = s3 / n - 3.0 * mean * s2 / n + 2.0 * mean * mean * mean;
    double m4 = s4 / n - 4.0 * mean * s3 / n + 6.0 * mean * mean * s2 / n -
                3.0 * mean * mean * mean * mean;
    double skew = m3 / pow(m2, 1.5), kurt = m4 / (m2 * m2) - 3.0;
    cr_assert_lt(fabs(mean), 4.0 * sqrt(1.0 / n), "mean %g", mean);
    cr_assert_lt(fabs(m2 - 1.0), 4.0 * sqrt(2.0 / n), "variance %g", m2);
    cr_assert_lt(fabs(skew), 4.0 * sqrt(6.0 / n), "skewness %g", skew);
    cr_assert_lt(fabs(kurt), 4.0 * sqrt(24.0 / n), "excess kurtosis %g", kurt);
}

Test(normal_draw, kolmogorov_smirnov)
{
    /* D = sup |F_n - Phi| of 10^5 normals below the asymptotic 1% critical value
     * 1.628 / sqrt(n) (Kolmogorov's limiting distribution). */
    enum { N = 100000 };
    static double x[N];
    hs_pcg64 rng;
    hs_pcg64_seed(&rng, 31415926u, HS_RNG_STREAM);
    for (size_t i = 0; i < N; i++)
        x[i] = hs_pcg64_normal(&rng);
    qsort(x, N, sizeof x[0], cmp_double);
    double d = 0.0;
    for (size_t i = 0; i < N; i++) {
        double f = gsl_cdf_ugaussian_P(x[i]);
        d = fmax(d, fmax((double)(i + 1) / N - f, f - (double)i / N));
    }
    cr_assert_lt(d, 1.628 / sqrt((double)N), "KS D = %g", d);
}

Test(normal_draw, fill_lanes_kolmogorov_smirnov)
{
    /* The block form over 500 path streams x 200 steps: the same KS criterion. */
    enum { LANES = 500, STEPS = 200, N = LANES * STEPS };
    static double x[N];
    hs_pcg32_lanes *lanes = hs_pcg32_lanes_alloc(LANES);
    for (size_t p = 0; p < LANES; p++)
        hs_pcg32_lanes_seed_path(lanes, p, 2718281828u, p);
    for (size_t k = 0; k < STEPS; k++)
        hs_normal_fill_lanes(lanes, x + k * LANES, LANES);
    hs_pcg32_lanes_free(lanes);
    qsort(x, N, sizeof x[0], cmp_double);
    double d = 0.0;
    for (size_t i = 0; i < N; i++) {
        double f = gsl_cdf_ugaussian_P(x[i]);
        d = fmax(d, fmax((double)(i + 1) / N - f, f - (double)i / N));
    }
    cr_assert_lt(d, 1.628 / sqrt((double)N), "KS D = %g", d);
}
