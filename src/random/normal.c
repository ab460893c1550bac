/*
 * Standard normal variates by inversion (see rng.h): the inverse normal CDF, one
 * normal per pcg64 draw, and the block form used by the path models.
 *
 * The inverse CDF is M.J. Wichura (1988), "Algorithm AS 241: The Percentage Points of
 * the Normal Distribution", Applied Statistics 37(3), 477-484, routine PPND16 with its
 * published coefficients (relative accuracy about 1e-16).  With q = u - 1/2:
 *   |q| <= 0.425:  z = q A(r) / B(r),  r = 0.180625 - q^2            (central region)
 *   otherwise:     r = sqrt(-ln min(u, 1 - u)),
 *                  z = +-C(r - 1.6) / D(r - 1.6)  if r <= 5        (intermediate tail)
 *                  z = +-E(r - 5)   / F(r - 5)    otherwise        (far tail)
 * where A..F are polynomials of degree 7, evaluated by Horner's rule in the same order
 * as the Fortran original (and R's qnorm.c).
 *
 * The block form hs_normal_fill_lanes must be bit-identical to the scalar form, so
 * both call the same helpers below; the project builds with -std=c11, which
 * implies -ffp-contract=off, so the compiler may not fuse a multiply and an add in
 * one place and not in the other.
 */
#include "hedgesim/rng.h"

#include "simd.h"

#include <math.h>

/* Rational approximation for the central region |q| <= 0.425 (85% of draws).  It is
 * branch-free so that a loop over lanes of it vectorises, and marked inline because
 * GCC at -O2 would otherwise keep it an out-of-line call, which the vectoriser cannot
 * see through. */
static inline double icdf_central(double q)
{
    double r = 0.180625 - q * q;
    return q *
           (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r +
                 67265.770927008700853) * r + 45921.953931549871457) * r +
               13731.693765509461125) * r + 1971.5909503065514427) * r +
             133.14166789178437745) * r + 3.3871328727963666080) /
           (((((((r * 5226.4952788528545610 + 28729.085735721942674) * r +
                 39307.895800092710610) * r + 21213.794301586595867) * r +
               5394.1960214247511077) * r + 687.18700749205790830) * r +
             42.313330701600911252) * r + 1.0);
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
    r -= 1.6;
    return (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r +
                 0.24178072517745061177) * r + 1.27045825245236838258) * r +
               3.64784832476320460504) * r + 5.7694972214606914055) * r +
             4.6303378461565452959) * r + 1.42343711074968357734) /
           (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r +
                 0.0151986665636164571966) * r + 0.14810397642748007459) * r +
               0.68976733498510000455) * r + 1.6763848301838038494) * r +
             2.05319162663775882187) * r + 1.0);
}

/* Far tail, r > 5: the E/F approximation in r - 5. */
static double tail_far(double r)
{
    r -= 5.0;
    return (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r +
                 0.0012426609473880784386) * r + 0.026532189526576123093) * r +
               0.29656057182850489123) * r + 1.7848265399172913358) * r +
             5.4637849111641143699) * r + 6.6579046435011037772) /
           (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r +
                 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
               0.0148753612908506148525) * r + 0.13692988092273580531) * r +
             0.59983220655588793769) * r + 1.0);
}

/* Both tails for u strictly inside (0, 1) with |q| > 0.425. */
static double icdf_tail(double u, double q)
{
    double r = sqrt(-log(tail_mass(u, q)));
    double val = r <= 5.0 ? tail_near(r) : tail_far(r);
    return q < 0.0 ? -val : val;
}

double hs_normal_icdf(double u)
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

/* Lanes per pass: one pass keeps its uniforms and intermediate values in stack
 * buffers of this many entries (26 KiB in all), so any n works without allocation
 * and the buffers stay in L1 cache. */
#define HS_FILL_CHUNK 1024

/* Vectorised loops run over a whole number of groups of this many lanes (a power of
 * two, so that rounding up is a mask GCC can see through).  GCC vectorises at -O2
 * only under its "very cheap" cost model, which refuses a loop that would need a
 * scalar remainder; 8 lanes are a whole number of vectors for SSE2, AVX2 and AVX-512. */
#define HS_FILL_GROUP ((size_t)8)

static size_t round_up_to_group(size_t n)
{
    return (n + HS_FILL_GROUP - 1) & ~(HS_FILL_GROUP - 1);
}

/*
 * The block form works in passes over a chunk of lanes, so that each pass is either
 * vectorisable or free of unpredictable branches:
 *   1. draw every lane's uniform (the 128-bit LCG step is scalar, but lanes are
 *      independent, so neighbouring lanes' multiplies overlap in the pipeline);
 *   2. evaluate the central formula for EVERY lane, branch-free (SIMD);
 *   3. copy it out and, without branching, list the lanes with |q| > 0.425 (about
 *      15% of them);
 *   4. r = sqrt(-ln m) for the listed lanes (scalar libm calls, but independent, so
 *      they overlap instead of waiting on a mispredicted branch);
 *   5. the intermediate-tail formula for every listed lane, branch-free (SIMD);
 *   6. write the tail lanes back, taking the far-tail formula where r > 5 (rare).
 * Discarded values computed in passes 2 and 5 for lanes that do not use them, and
 * for padding lanes (u = 1/2, r = 1.6), are finite and harmless.  Each lane's value
 * comes from the same helpers, with the same operations in the same order, as in
 * hs_normal_icdf; the uniforms lie in the open interval (0, 1), so its edge cases
 * never arise; hence the result equals hs_pcg64_normal lane by lane, bit for bit.
 */
/* One uniform per lane.  A function of its own (not inlined): inside the larger loop
 * nest below GCC 12 spilled each new 128-bit state to the stack as two halves and
 * reloaded it as one 16-byte vector, a failed store-to-load forward that stalled every
 * lane (measured: about half the run time of the Derman-Kamal scenario). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void draw_uniforms(hs_pcg64 *rngs, double *u, size_t m)
{
    for (size_t i = 0; i < m; i++)
        u[i] = hs_pcg64_uniform(&rngs[i]);
}

HS_KERNEL void hs_normal_fill_lanes(hs_pcg64 *rngs, double *z, size_t n)
{
    double u[HS_FILL_CHUNK];
    double val[HS_FILL_CHUNK];
    double tail_r[HS_FILL_CHUNK];
    uint16_t tail[HS_FILL_CHUNK];
    while (n > 0) {
        size_t m = n < HS_FILL_CHUNK ? n : HS_FILL_CHUNK;
        size_t padded = round_up_to_group(m);
        draw_uniforms(rngs, u, m);
        for (size_t i = m; i < padded; i++)
            u[i] = 0.5;
        for (size_t i = 0; i < padded; i++)
            val[i] = icdf_central(u[i] - 0.5);

        size_t ntail = 0;
        for (size_t i = 0; i < m; i++) {
            z[i] = val[i];
            tail[ntail] = (uint16_t)i;
            ntail += fabs(u[i] - 0.5) > 0.425;
        }

        /* From here on val[] and tail_r[] are indexed by position in the tail list.
         * The test for an empty list also tells GCC that the padded count is not
         * zero, which it needs to vectorise the loop over it. */
        if (ntail > 0) {
            size_t tail_padded = round_up_to_group(ntail);
            for (size_t j = 0; j < ntail; j++) {
                double uj = u[tail[j]];
                tail_r[j] = sqrt(-log(tail_mass(uj, uj - 0.5)));
            }
            for (size_t j = ntail; j < tail_padded; j++)
                tail_r[j] = 1.6;
            for (size_t j = 0; j < tail_padded; j++)
                val[j] = tail_near(tail_r[j]);
            for (size_t j = 0; j < ntail; j++) {
                size_t i = tail[j];
                double v = tail_r[j] <= 5.0 ? val[j] : tail_far(tail_r[j]);
                z[i] = u[i] - 0.5 < 0.0 ? -v : v;
            }
        }

        rngs += m;
        z += m;
        n -= m;
    }
}
