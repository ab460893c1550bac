/*
 * Confidence intervals, paired comparisons and convergence fits (experiment.h).
 *
 * Mean:  mean +- z se,  se = s / sqrt(n)  (central limit theorem).
 * Std:   s +- z se(s),  se(s) = s sqrt((kappa + 2) / (4 n)),  kappa the excess kurtosis
 *        (delta method on the sample variance, whose variance is s^4 (kappa + 2) / n;
 *        e.g. Casella & Berger, "Statistical Inference", 2nd ed., section 5.5.4).
 * VaR, ES: percentile bootstrap (Efron & Tibshirani 1993, "An Introduction to the
 *        Bootstrap", ch. 13) over `resamples` resamples of the n outcomes.  Both depend
 *        only on the lower tail of a resample, so a resample is drawn tail first: the
 *        number K of its n draws that land among the m lowest outcomes is
 *        Binomial(n, m/n), and those K draws are uniform over the m lowest.  This is
 *        exactly the law of the resample's m lowest values; m = ceil(n/16) covers the 1%
 *        and 5% tails, and in the (rare) case K < ceil(n/20) + 2 the whole resample is
 *        drawn instead.  The draws are counted per index (the outcomes are
 *        already sorted), so a resample costs O(n/10) and needs no sort.
 * Pairs: the difference d = x - y path by path: mean(d) +- z sd(d)/sqrt(n); pairing on
 *        the same paths removes the common noise (Glasserman 2003, section 4.2).
 * Fit:   weighted least squares of log std on log N with weights 1/var(log std_i),
 *        var(log s) = (se(s)/s)^2; slope se = 1 / sqrt(sum w (x - xbar_w)^2).  The
 *        points come from the same paths and are positively correlated, so treating
 *        them as independent overstates the slope's uncertainty (a conservative band).
 */
#include "hedgesim/experiment.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/rng.h"
#include "simd.h"

double hs_std_stderr(double std, double exkurt, size_t n)
{
    double k = exkurt + 2.0;
    return std * sqrt((k > 0 ? k : 0) / (4.0 * (double)n));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static hs_interval percentile_interval(double *v, size_t b)
{
    qsort(v, b, sizeof *v, cmp_double);
    hs_interval iv = {gsl_stats_quantile_from_sorted_data(v, 1, b, 0.025),
                      gsl_stats_quantile_from_sorted_data(v, 1, b, 0.975)};
    return iv;
}

/* Ranks that VaR and ES at tail probability p read in a sample of size n (type-7
 * quantile, as stats.c): the quantile lies between ranks lo and lo + 1 (0-based, weight
 * frac on the upper), ES averages ranks 0 .. k-1. */
typedef struct tail_ranks {
    size_t lo, k;
    double frac;
} tail_ranks;

static tail_ranks ranks_for(size_t n, double p)
{
    tail_ranks r;
    double pos = p * (double)(n - 1);
    r.lo = (size_t)pos;
    r.frac = pos - (double)r.lo;
    r.k = (size_t)ceil((double)n * p - 1e-9);
    if (r.k < 1)
        r.k = 1;
    return r;
}

size_t hs_tail_ranks_needed(size_t n)
{
    tail_ranks r5 = ranks_for(n, 0.05), r1 = ranks_for(n, 0.01);
    size_t need = r5.lo + 2 > r5.k ? r5.lo + 2 : r5.k;
    return r1.lo + 2 > need ? r1.lo + 2 : need;
}

/* The slot holding 0-based rank r: the largest j < len with first[j] <= r (first[] is
 * non-decreasing, first[0] = 0, and r < first[len]; an empty slot j has first[j] =
 * first[j+1], so the largest such j is never empty). */
static size_t slot_of(const uint32_t *first, size_t len, size_t r)
{
    size_t lo = 0, hi = len; /* first[lo] <= r < first[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (first[mid] <= r)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Sum of values[j] counts[j] over j in [a, b): a loop the compiler may vectorise (the
 * simd reduction allows it to reorder the additions). */
static double weighted_sum(const double *values, const unsigned *counts, size_t a, size_t b)
{
    double s = 0.0;
#pragma omp simd reduction(+ : s)
    for (size_t j = a; j < b; j++)
        s += values[j] * (double)counts[j];
    return s;
}

void hs_resample_tails(const double *values, const unsigned *counts, size_t n, uint32_t *first,
                       double out[4])
{
    /* Where each slot's copies start in the resample, as far as the highest rank read:
     * a prefix sum (one integer add per slot), then every rank is a binary search away. */
    size_t need = hs_tail_ranks_needed(n), len = 0;
    uint32_t rank = 0;
    while (rank < need) {
        first[len] = rank;
        rank += counts[len++];
    }
    first[len] = rank;
    const tail_ranks r[2] = {ranks_for(n, 0.05), ranks_for(n, 0.01)};
    size_t last[2];
    for (int q = 0; q < 2; q++) {
        double at_lo = values[slot_of(first, len, r[q].lo)];
        double at_hi = values[slot_of(first, len, r[q].lo + 1)];
        out[2 * q] = -(at_lo + r[q].frac * (at_hi - at_lo));
        last[q] = slot_of(first, len, r[q].k - 1); /* the slot of the last rank ES takes */
    }
    /* ES: whole slots before the last one, then the part of the last inside the tail.
     * The 1% tail is a prefix of the 5% one, so its sum is reused. */
    double s1 = weighted_sum(values, counts, 0, last[1]);
    double s5 = s1 + weighted_sum(values, counts, last[1], last[0]);
    s1 += values[last[1]] * (double)(r[1].k - first[last[1]]);
    s5 += values[last[0]] * (double)(r[0].k - first[last[0]]);
    out[1] = -s5 / (double)r[0].k;
    out[3] = -s1 / (double)r[1].k;
}

#define BOOT_CHUNK 1024

/* idx[i] = floor(range * mix64(base + i * gamma) / 2^64), i < n.  Compiled for AVX2 too
 * (simd.h): integer arithmetic, so every clone gives the same indices. */
HS_KERNEL
static void hash_indices(uint32_t *restrict idx, uint64_t base, size_t n, size_t range)
{
    const uint64_t gamma = UINT64_C(0x9e3779b97f4a7c15);
    uint64_t r = range;
    for (size_t i = 0; i < n; i++) {
        uint64_t z = base + (uint64_t)i * gamma;
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        z ^= z >> 31;
        /* High half of z * range: (z_hi * r) + ((z_lo * r) >> 32), r < 2^32. */
        uint64_t hi = (z >> 32) * r, lo = ((z & 0xffffffffu) * r) >> 32;
        idx[i] = (uint32_t)((hi + lo) >> 32);
    }
}

/* Whether a sample gets a bootstrap: 40 outcomes at least, and indices that fit the
 * 32-bit slots of a resample. */
static int boot_applies(size_t n, size_t resamples)
{
    return resamples > 0 && n >= 40 && n <= UINT32_MAX;
}

hs_status hs_boot_init(hs_boot *b, size_t n, uint64_t seed, size_t resamples, hs_error *err)
{
    memset(b, 0, sizeof *b);
    b->n = n;
    b->resamples = resamples;
    if (!boot_applies(n, resamples))
        return HS_OK;
    /* The m = n/16 lowest outcomes hold every rank the 5% and 1% measures read (n/20 + 2
     * of them) with overwhelming probability (K ~ Binomial(n, 1/16) falls short of n/20
     * by 0.0125 n, over 11 standard deviations at n = 50 000); otherwise the whole
     * sample is used. */
    b->m = (n + 15) / 16;
    b->need = hs_tail_ranks_needed(n);
    b->stats = malloc(4 * resamples * sizeof *b->stats);
    b->k = malloc(resamples * sizeof *b->k);
    b->key = malloc(resamples * sizeof *b->key);
    gsl_rng *rng = gsl_rng_alloc(hs_gsl_rng_pcg64);
    if (!b->stats || !b->k || !b->key || !rng) {
        if (rng)
            gsl_rng_free(rng);
        hs_boot_free(b);
        return hs_error_set(err, HS_ERUNTIME, "out of memory for the bootstrap");
    }
    /* Every random number of every resample is drawn here, in resample order, from the
     * two streams seeded by `seed`: the tail size K (a binomial, whose number of uniforms
     * varies) and the key of the counter-based hash of its indices.  A resample is then a
     * pure function of (K, key), whichever thread computes it. */
    gsl_rng_set(rng, (unsigned long)seed);
    hs_pcg64 draws;
    hs_pcg64_seed(&draws, seed, 0x626f6f74u); /* "boot" */
    for (size_t r = 0; r < resamples; r++) {
        b->k[r] = gsl_ran_binomial(rng, (double)b->m / (double)n, (unsigned int)n);
        b->key[r] = hs_pcg64_next(&draws);
    }
    gsl_rng_free(rng);
    return HS_OK;
}

hs_status hs_boot_run(hs_boot *b, const double *sorted, size_t r0, size_t r1, hs_error *err)
{
    if (!b->stats || r0 >= r1)
        return HS_OK;
    size_t n = b->n, resamples = b->resamples;
    unsigned *counts = malloc(n * sizeof *counts);
    uint32_t *first = malloc((n + 1) * sizeof *first);
    if (!counts || !first) {
        free(counts);
        free(first);
        return hs_error_set(err, HS_ERUNTIME, "out of memory for the bootstrap");
    }
    uint32_t idx[BOOT_CHUNK];
    for (size_t r = r0; r < r1; r++) {
        size_t range = b->m, len = b->k[r];
        if (b->k[r] < b->need) {
            range = n; /* fall back to the whole resample */
            len = n;
        }
        memset(counts, 0, range * sizeof *counts);
        /* Uniform indices in [0, range): a counter-based hash (SplitMix64's finaliser of
         * key + i * gamma, Steele, Lea & Flood 2014) in a loop that vectorises, then
         * Lemire's multiply-shift (bias below range / 2^64). */
        uint64_t key = b->key[r];
        for (size_t i0 = 0; i0 < len; i0 += BOOT_CHUNK) {
            size_t c = len - i0 < BOOT_CHUNK ? len - i0 : BOOT_CHUNK;
            hash_indices(idx, key + i0 * UINT64_C(0x9e3779b97f4a7c15), c, range);
            for (size_t i = 0; i < c; i++)
                counts[idx[i]]++;
        }
        double v[4];
        hs_resample_tails(sorted, counts, n, first, v);
        for (int q = 0; q < 4; q++)
            b->stats[(size_t)q * resamples + r] = v[q];
    }
    free(first);
    free(counts);
    return HS_OK;
}

void hs_boot_ci(hs_boot *b, const hs_summary *s, hs_ci *out)
{
    size_t n = b->n, resamples = b->resamples;
    memset(out, 0, sizeof *out);
    out->mean = (hs_interval){s->mean - HS_Z95 * s->stderr_mean, s->mean + HS_Z95 * s->stderr_mean};
    double se_std = hs_std_stderr(s->std, s->exkurt, n);
    out->std = (hs_interval){fmax(0.0, s->std - HS_Z95 * se_std), s->std + HS_Z95 * se_std};
    out->resamples = resamples;
    if (!b->stats) {
        out->var95 = out->es95 = out->var99 = out->es99 = (hs_interval){NAN, NAN};
        return;
    }
    out->var95 = percentile_interval(b->stats, resamples);
    out->es95 = percentile_interval(b->stats + resamples, resamples);
    out->var99 = percentile_interval(b->stats + 2 * resamples, resamples);
    out->es99 = percentile_interval(b->stats + 3 * resamples, resamples);
}

void hs_boot_free(hs_boot *b)
{
    free(b->stats);
    free(b->k);
    free(b->key);
    b->stats = NULL;
    b->k = NULL;
    b->key = NULL;
}

hs_status hs_ci_compute(const double *sorted, size_t n, const hs_summary *s, uint64_t seed,
                        size_t resamples, hs_ci *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    hs_boot b;
    hs_status st = hs_boot_init(&b, n, seed, resamples, err);
    if (!st)
        st = hs_boot_run(&b, sorted, 0, resamples, err);
    if (!st)
        hs_boot_ci(&b, s, out);
    hs_boot_free(&b);
    return st;
}

void hs_pair_compute(const double *x, const double *y, size_t n, hs_pair *out)
{
    double md = 0, mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        md += x[i] - y[i];
        mx += x[i];
        my += y[i];
    }
    md /= (double)n, mx /= (double)n, my /= (double)n;
    double sdd = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - y[i] - md, a = x[i] - mx, b = y[i] - my;
        sdd += d * d;
        sxx += a * a;
        syy += b * b;
        sxy += a * b;
    }
    out->mean_diff = md;
    out->stderr_diff = sqrt(sdd / (double)(n - 1)) / sqrt((double)n);
    out->z = out->stderr_diff > 0 ? md / out->stderr_diff : 0.0;
    out->ci95 = (hs_interval){md - HS_Z95 * out->stderr_diff, md + HS_Z95 * out->stderr_diff};
    out->corr = sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

hs_status hs_loglog_fit(const double *hedges, const double *std, const double *std_se, size_t k,
                        hs_fit *out, hs_error *err)
{
    double sw = 0, swx = 0, swy = 0;
    for (size_t i = 0; i < k; i++) {
        if (!(hedges[i] > 0 && std[i] > 0 && std_se[i] > 0))
            return hs_error_set(err, HS_ERUNTIME, "convergence fit: point %zu has hedges %g, std %g, "
                                "se %g (expected all positive)", i, hedges[i], std[i], std_se[i]);
        double rel = std_se[i] / std[i], w = 1.0 / (rel * rel);
        sw += w;
        swx += w * log(hedges[i]);
        swy += w * log(std[i]);
    }
    double xb = swx / sw, yb = swy / sw, sxx = 0, sxy = 0;
    for (size_t i = 0; i < k; i++) {
        double rel = std_se[i] / std[i], w = 1.0 / (rel * rel);
        double dx = log(hedges[i]) - xb;
        sxx += w * dx * dx;
        sxy += w * dx * (log(std[i]) - yb);
    }
    if (!(sxx > 1e-12 * sw))
        return hs_error_set(err, HS_ERUNTIME, "convergence fit needs at least two distinct hedges");
    out->slope = sxy / sxx;
    out->slope_se = 1.0 / sqrt(sxx);
    out->intercept = yb - out->slope * xb;
    out->ci95 = (hs_interval){out->slope - HS_Z95 * out->slope_se, out->slope + HS_Z95 * out->slope_se};
    return HS_OK;
}
