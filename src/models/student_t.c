/*
 * Quantile of Student's t distribution with nu degrees of freedom, for a nu fixed per
 * run, by piecewise Chebyshev interpolation of gsl_cdf_tdist_Pinv.
 *
 * By symmetry x(u) = -x(1 - u), so with p = min(u, 1 - u) (1 - u is exact for
 * u >= 1/2, Sterbenz) only the upper quantile q(p) = -F^-1(p) > 0 of p in (0, 1/2] is
 * tabulated, and x = -q(u) for u < 1/2, x = q(1 - u) otherwise.
 *
 *   central, p in [1/4, 1/2]: with d = 1/2 - p, q(p) = d r(d^2), and r is analytic and
 *     even (q is odd in d); r is interpolated in s = d^2 in [0, 1/16], split into
 *     HS_TQ_CENTRAL equal pieces.  Writing q as d r keeps the error relative as q -> 0.
 *   tails, p in [2^-(j+1), 2^-j), j = 2 .. HS_TQ_LEVELS + 1: each binade is split into
 *     HS_TQ_SPLIT equal pieces and q is interpolated in p on each.  Near p = 0,
 *     q ~ (c / p)^{1/nu} (t) or sqrt(2 ln(1/p)) (nu -> infinity): the only singularity is
 *     at p = 0, which lies 4 S + 1 half-widths from the centre of the piece [a, a(1 + 1/S)]
 *     nearest to it (S = HS_TQ_SPLIT), so the degree-n interpolant converges like
 *     rho^-n with rho = m + sqrt(m^2 - 1), m = 4 S + 1 (L. N. Trefethen, "Approximation
 *     Theory and Approximation Practice", SIAM 2013, theorem 8.2): rho = 33.97 for
 *     S = 4, and n = 11 gives rho^-11 = 6e-18 times the function's size on the Bernstein
 *     ellipse; q changes by a factor of at most 2^{1/nu} over a binade, so the error is
 *     relative.  Measured: 2e-14 relative at most against GSL for nu from 2 + 1e-9 to
 *     1e5 (tests/models/test_student_t.c, which asks for 1e-12).
 *   below 2^-(HS_TQ_LEVELS + 2) = 2^-64 (no uniform of hs_pcg64_uniform, whose smallest
 *     value is 2^-53, gets there): gsl_cdf_tdist_Pinv itself.
 *
 * Piece and position come from the bits of p: the binary exponent gives the binade, the
 * leading mantissa bits the piece, the rest the position; all of it exact.  Coefficients
 * of the Chebyshev series on the n + 1 Chebyshev points of the first kind (Trefethen,
 * chapter 3; W. H. Press et al., "Numerical Recipes", 3rd ed., section 5.8), evaluated by
 * Clenshaw's recurrence.  Inversion keeps one uniform per draw.
 */
#include "student_t.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "simd.h"
#include "vmath.h"

#define NCOEF (HS_TQ_DEG + 1)
#define PI 3.14159265358979323846

/* Upper quantile q(p) = -F^-1(p) for p < 1/2 (GSL is accurate in the lower tail). */
static double upper(double p, double nu)
{
    return -gsl_cdf_tdist_Pinv(p, nu);
}

/* Chebyshev coefficients on [-1, 1] of the values f[k] at x_k = cos(pi (k + 1/2) / N). */
static void chebyshev_fit(const double *f, double *c)
{
    for (int j = 0; j < NCOEF; j++) {
        double sum = 0.0;
        for (int k = 0; k < NCOEF; k++)
            sum += f[k] * cos(PI * j * (k + 0.5) / NCOEF);
        c[j] = (j == 0 ? 1.0 : 2.0) * sum / NCOEF;
    }
}

static double node(int k)
{
    return cos(PI * (k + 0.5) / NCOEF);
}

/* Clenshaw's recurrence for sum c[j] T_j(x), x in [-1, 1]. */
static inline double clenshaw(const double *c, double x)
{
    double b1 = 0.0, b2 = 0.0, x2 = 2.0 * x;
    for (int j = NCOEF - 1; j >= 1; j--) {
        double b0 = x2 * b1 - b2 + c[j];
        b2 = b1;
        b1 = b0;
    }
    return x * b1 - b2 + c[0];
}

static int build(hs_tq_table *t, double nu)
{
    t->nu = nu;
    double f[NCOEF];
    double *c = t->coef;
    /* Central pieces: r(s) = q(1/2 - sqrt(s)) / sqrt(s) on s in [i, i + 1] / (16 K). */
    for (int i = 0; i < HS_TQ_CENTRAL; i++, c += NCOEF) {
        for (int k = 0; k < NCOEF; k++) {
            double s = (i + 0.5 * (node(k) + 1.0)) / (16.0 * HS_TQ_CENTRAL);
            double p = 0.5 - sqrt(s);
            double d = 0.5 - p; /* exact: the d that p stands for */
            f[k] = upper(p, nu) / d;
            if (!isfinite(f[k]))
                return -1;
        }
        chebyshev_fit(f, c);
    }
    /* Binade j = l + 2, piece i: p in 2^-(j+1) [1 + i/S, 1 + (i+1)/S]. */
    for (int l = 0; l < HS_TQ_LEVELS; l++) {
        double base = ldexp(1.0, -(l + 3));
        for (int i = 0; i < HS_TQ_SPLIT; i++, c += NCOEF) {
            for (int k = 0; k < NCOEF; k++) {
                double p = base * (1.0 + (i + 0.5 * (node(k) + 1.0)) / HS_TQ_SPLIT);
                f[k] = upper(p, nu);
                if (!isfinite(f[k]))
                    return -1;
            }
            chebyshev_fit(f, c);
        }
    }
    return 0;
}

/* The last tables built in this process.  A run prepares its model several times (the
 * scenario's checks, the engine, the report), and each build costs about 3,400 calls of
 * gsl_cdf_tdist_Pinv (2 - 6 ms): later ones copy the table (27 KB).  A table is a pure
 * function of nu, so a copy is the table a build would give. */
#define CACHE_SIZE 4
static hs_tq_table cache[CACHE_SIZE];
static int cache_used[CACHE_SIZE];
static unsigned cache_next;

int hs_tq_init(hs_tq_table *t, double nu)
{
    if (!(nu > 0.0) || !isfinite(nu))
        return -1;
    int hit = 0;
#pragma omp critical(hs_tq_cache)
    for (int i = 0; i < CACHE_SIZE && !hit; i++)
        if (cache_used[i] && cache[i].nu == nu) {
            *t = cache[i];
            hit = 1;
        }
    if (hit)
        return 0;
    if (build(t, nu) != 0)
        return -1;
#pragma omp critical(hs_tq_cache)
    {
        cache[cache_next] = *t;
        cache_used[cache_next] = 1;
        cache_next = (cache_next + 1) % CACHE_SIZE;
    }
    return 0;
}

double hs_student_t_quantile(const hs_tq_table *t, double u)
{
    double p = u < 0.5 ? u : 1.0 - u;
    double q;
    if (p >= 0.25) {
        double d = 0.5 - p, s = d * d;
        double y = s * (16.0 * HS_TQ_CENTRAL);
        int i = (int)y;
        if (i > HS_TQ_CENTRAL - 1)
            i = HS_TQ_CENTRAL - 1;
        q = d * clenshaw(t->coef + (size_t)i * NCOEF, 2.0 * (y - i) - 1.0);
    } else if (p >= 0x1p-64) {
        uint64_t bits;
        memcpy(&bits, &p, sizeof bits);
        int level = 1020 - (int)(bits >> 52); /* p in [2^-(level+3), 2^-(level+2)) */
        /* Mantissa as a number in [1, 2): exact. */
        uint64_t mbits = (bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull;
        double m;
        memcpy(&m, &mbits, sizeof m);
        double y = (m - 1.0) * HS_TQ_SPLIT;
        int i = (int)y;
        size_t piece = HS_TQ_CENTRAL + (size_t)level * HS_TQ_SPLIT + (size_t)i;
        q = clenshaw(t->coef + piece * NCOEF, 2.0 * (y - i) - 1.0);
    } else if (p > 0.0) {
        q = upper(p, t->nu);
    } else {
        q = INFINITY; /* u = 0 or 1: GSL's answer too */
    }
    return u < 0.5 ? -q : q;
}

/* Lanes per pass of hs_student_t_quantile_lanes (stack arrays of this many). */
#define TQ_CHUNK 256

/*
 * The same quantiles for many u at once, in passes that vectorise: each lane's piece and
 * position (both regions computed, one chosen: integer and exact operations only), then
 * Clenshaw's recurrence across the lanes with the pieces' coefficients gathered (the
 * scalar form runs one recurrence at a time, a serial chain of 33 operations), then the
 * sign (a product by -1 or 1: -r and r bit for bit).  q may be u: the passes work on a
 * local copy of u and write q at the end.  Each lane sees the operations of
 * hs_student_t_quantile in the same order, so the results are the same bits; p below
 * 2^-64 (never from a 52-bit uniform) goes to it.  (The first pass was scalar until the
 * conversions were written so that GCC could vectorise them: 9.5 to 5.5 ns a quantile.
 * AVX-512's hardware gathers for the coefficients measured slower than GCC's emulated
 * ones on this Zen 5: 6.8 ns.)
 */
HS_KERNEL static void quantile_chunk(const hs_tq_table *t, const double *u, double *q, size_t n)
{
    int64_t off[TQ_CHUNK];
    double uu[TQ_CHUNK], x[TQ_CHUNK], d[TQ_CHUNK], b1[TQ_CHUNK], b2[TQ_CHUNK], sg[TQ_CHUNK];
    size_t rare[TQ_CHUNK], n_rare = 0;
    /* Local copies in and out: q may be u, and the passes below then see no aliasing
     * (which kept GCC from vectorising them). */
    memcpy(uu, u, n * sizeof *uu);
    for (size_t i = 0; i < n; i++) {
        const double ui = uu[i];
        const double p = ui < 0.5 ? ui : 1.0 - ui;
        /* central, p >= 1/4 */
        const double dc = 0.5 - p, yc = dc * dc * (16.0 * HS_TQ_CENTRAL);
        int64_t ic = (int64_t)yc; /* yc in [0, 16]: signed conversions vectorise */
        ic = ic > HS_TQ_CENTRAL - 1 ? HS_TQ_CENTRAL - 1 : ic;
        /* tails: the binade from the exponent, the piece from the leading mantissa bits
         * (a lane of the other region computes a value it does not use; its index is
         * kept inside the table) */
        const uint64_t bits = hs_vm_bits(p);
        uint64_t level = (uint64_t)1020 - (bits >> 52);
        level = level < HS_TQ_LEVELS ? level : 0;
        const double m = hs_vm_double((bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull);
        const double yt = (m - 1.0) * HS_TQ_SPLIT;
        /* yt < 4 always (m < 2); the select, which changes nothing, tells GCC the
         * conversion is in range, and the loop vectorises (it did not without). */
        const int64_t it = (int64_t)(yt < HS_TQ_SPLIT ? yt : 0.0);
        const int central = p >= 0.25;
        const int64_t ot = HS_TQ_CENTRAL + (int64_t)level * HS_TQ_SPLIT + it;
        const double xc = 2.0 * (yc - (double)ic) - 1.0, xt = 2.0 * (yt - (double)it) - 1.0;
        off[i] = (central ? ic : ot) * NCOEF;
        x[i] = central ? xc : xt;
        d[i] = central ? dc : 1.0;
        sg[i] = ui < 0.5 ? -1.0 : 1.0; /* r * -1 is -r, bit for bit */
        b1[i] = b2[i] = 0.0;
    }
    for (size_t i = 0; i < n; i++) {
        const double p = uu[i] < 0.5 ? uu[i] : 1.0 - uu[i];
        rare[n_rare] = i;
        n_rare += !(p >= 0x1p-64);
    }
    for (int j = NCOEF - 1; j >= 1; j--)
        for (size_t i = 0; i < n; i++) {
            const double b0 = 2.0 * x[i] * b1[i] - b2[i] + t->coef[off[i] + j];
            b2[i] = b1[i];
            b1[i] = b0;
        }
    for (size_t i = 0; i < n; i++) {
        const double c = x[i] * b1[i] - b2[i] + t->coef[off[i]];
        b1[i] = sg[i] * (d[i] * c); /* d = 1 in the tails: exact */
    }
    for (size_t r = 0; r < n_rare; r++)
        b1[rare[r]] = hs_student_t_quantile(t, uu[rare[r]]);
    memcpy(q, b1, n * sizeof *q);
}

void hs_student_t_quantile_lanes(const hs_tq_table *t, const double *u, double *q, size_t n)
{
    for (size_t off = 0; off < n; off += TQ_CHUNK)
        quantile_chunk(t, u + off, q + off, n - off < TQ_CHUNK ? n - off : TQ_CHUNK);
}
