/*
 * Percentile bootstrap of VaR and ES (Efron & Tibshirani 1993, "An Introduction to the
 * Bootstrap", ch. 13) over a lower tail split among parts (tailboot.h).
 *
 * A resample draws n outcomes with replacement.  VaR and ES at 5% and 1% read only its
 * lowest n/20 + 2 values, so only the draws that land among the sample's m lowest
 * outcomes (the tail's slots, in sorted order) matter: their number K is
 * Binomial(n, m / n), and given K they are uniform over the m slots.  With
 * m = ceil(n / 16) and n > 16384, K falls short of n/20 + 2 only 6.5 standard
 * deviations below its mean, with probability below 5e-11 (1e-39 beyond n = 65536);
 * such a K is drawn again (a conditioning no run can detect).  Up to 16384 outcomes the
 * tail is the whole sample and K = n.
 *
 * The K draws are spread over the slots by a tree that does not depend on how the slots
 * are split among parts: the slots form leaves of 4096, and a node covering leaves
 * [a, b) with c draws sends Binomial(c, slots(a, mid) / slots(a, b)) of them to its left
 * half (the multinomial law by conditional binomials, e.g. Devroye 1986, "Non-Uniform
 * Random Variate Generation", XI.1), the binomial drawn from a generator seeded by the
 * resample's key and the node alone.  Inside a leaf, each of its c draws picks a slot by
 * a counter-based hash of (key, leaf, draw).  A part descends only into the nodes that
 * meet its leaves; the draws of the nodes wholly to its left give the resample rank its
 * first slot starts at, with no communication.  It then reports the values at the ranks
 * VaR reads (as order-preserving keys, select.h, zero where it holds none) and the sum of
 * the values ES averages that it holds: each leaf's part in double, in slot order, then
 * added exactly (xsum.h).  Added over the parts, these
 * are the resample's statistics, the same for any split: the same intervals on 1 or
 * 1,000 ranks.
 */
#include "tailboot.h"

#include "hedgesim/rng.h"
#include "select.h"
#include "simd.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GAMMA UINT64_C(0x9e3779b97f4a7c15)
/* The ranks where a resample's slot needs more than a plain add (leaf_stats). */
#define EVENTS 7
/* Samples up to this size are their own tail. */
#define WHOLE_SAMPLE 16384

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

hs_tail_rank hs_tail_rank_of(uint64_t n, double p)
{
    hs_tail_rank r;
    double pos = p * (double)(n - 1);
    r.lo = (uint64_t)pos;
    r.frac = pos - (double)r.lo;
    r.k = (uint64_t)ceil((double)n * p - 1e-9);
    if (r.k < 1)
        r.k = 1;
    return r;
}

/* The highest rank (exclusive) any of the statistics reads. */
static uint64_t ranks_needed(const hs_tailboot *b)
{
    uint64_t need = 0;
    for (int q = 0; q < 2; q++) {
        uint64_t r = b->rank[q].lo + 2 > b->rank[q].k ? b->rank[q].lo + 2 : b->rank[q].k;
        need = r > need ? r : need;
    }
    return need < b->n ? need : b->n;
}

hs_status hs_tailboot_init(hs_tailboot *b, uint64_t n, uint64_t seed, size_t resamples,
                           hs_error *err)
{
    memset(b, 0, sizeof *b);
    if (n < 2 || n > UINT32_MAX)
        return hs_error_set(err, HS_ERUNTIME, "bootstrap of %llu outcomes (expected 2 to %u)",
                            (unsigned long long)n, UINT32_MAX);
    b->n = n;
    b->m = n <= WHOLE_SAMPLE ? n : (n + 15) / 16;
    b->leaves = (b->m + HS_TAILBOOT_LEAF - 1) / HS_TAILBOOT_LEAF;
    b->resamples = resamples;
    b->rank[0] = hs_tail_rank_of(n, 0.05);
    b->rank[1] = hs_tail_rank_of(n, 0.01);
    b->draws = malloc((resamples ? resamples : 1) * sizeof *b->draws);
    b->key = malloc((resamples ? resamples : 1) * sizeof *b->key);
    gsl_rng *rng = gsl_rng_alloc(hs_gsl_rng_pcg64);
    if (!b->draws || !b->key || !rng) {
        if (rng)
            gsl_rng_free(rng);
        hs_tailboot_free(b);
        return hs_error_set(err, HS_ERUNTIME, "out of memory for the bootstrap");
    }
    /* Every resample's numbers, in resample order, from two streams of seed. */
    gsl_rng_set(rng, (unsigned long)seed);
    hs_pcg64 keys;
    hs_pcg64_seed(&keys, seed, 0x626f6f74u); /* "boot" */
    uint64_t need = ranks_needed(b);
    for (size_t r = 0; r < resamples; r++) {
        uint64_t k = n;
        if (b->m < n)
            do
                k = gsl_ran_binomial(rng, (double)b->m / (double)n, (unsigned int)n);
            while (k < need);
        b->draws[r] = k;
        b->key[r] = hs_pcg64_next(&keys);
    }
    gsl_rng_free(rng);
    return HS_OK;
}

void hs_tailboot_free(hs_tailboot *b)
{
    free(b->draws);
    free(b->key);
    b->draws = b->key = NULL;
}

void hs_tailboot_leaves_of(const hs_tailboot *b, int part, int parts, uint64_t *leaf_lo,
                           uint64_t *leaf_hi)
{
    *leaf_lo = b->leaves * (uint64_t)part / (uint64_t)parts;
    *leaf_hi = b->leaves * (uint64_t)(part + 1) / (uint64_t)parts;
}

hs_status hs_tailboot_share_alloc(hs_tailboot_share *s, size_t resamples, hs_error *err)
{
    s->resamples = resamples;
    s->keys = calloc(resamples ? 4 * resamples : 1, sizeof *s->keys);
    s->sums = malloc((resamples ? 2 * resamples : 1) * sizeof *s->sums);
    if (!s->keys || !s->sums) {
        hs_tailboot_share_free(s);
        return hs_error_set(err, HS_ERUNTIME, "out of memory for the bootstrap");
    }
    for (size_t i = 0; i < 2 * resamples; i++)
        hs_xsum_init(&s->sums[i]);
    return HS_OK;
}

void hs_tailboot_share_free(hs_tailboot_share *s)
{
    free(s->keys);
    free(s->sums);
    s->keys = NULL;
    s->sums = NULL;
}

/* Draws hashed per pass of draw_slots (HASH_BLOCK <= HS_TAILBOOT_LEAF: the slot list
 * doubles as its output). */
#define HASH_BLOCK 1024

/* out[i] = the slot of draw i0 + i of the leaf whose hash base is `base`, for i < nb: a
 * loop of 64-bit multiplies, shifts and xors that vectorises (vpmullq under AVX-512). */
HS_KERNEL static void draw_slots(uint64_t base, uint64_t i0, uint64_t size, size_t nb,
                                 uint32_t *out)
{
    for (size_t i = 0; i < nb; i++) {
        uint64_t z = mix64(base + (i0 + i) * GAMMA);
        uint64_t hi = (z >> 32) * size, lo = ((z & 0xffffffffu) * size) >> 32;
        out[i] = (uint32_t)((hi + lo) >> 32);
    }
}

/* idx[0..occ) = the slots i < size with slot[i] != 0, ascending; returns occ.  idx has
 * 16 places of slack past `size`.  Branch-free (a branch per slot mispredicted often);
 * on AVX-512, 16 slots at a time by vpcompressd into a register (the form to memory is
 * slow on AMD's Zen 4) and a whole-vector store. */
#if HS_HAVE_V4_PATHS
#include <immintrin.h>
HS_TARGET_V4 static size_t occupied_v4(const uint32_t *slot, uint32_t size, uint32_t *idx)
{
    size_t occ = 0;
    uint32_t i = 0;
    __m512i lane = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const __m512i step = _mm512_set1_epi32(16);
    for (; i + 16 <= size; i += 16) {
        __mmask16 k = _mm512_test_epi32_mask(_mm512_loadu_si512(slot + i),
                                             _mm512_set1_epi32(-1));
        _mm512_storeu_si512(idx + occ, _mm512_maskz_compress_epi32(k, lane));
        occ += (size_t)__builtin_popcount(k);
        lane = _mm512_add_epi32(lane, step);
    }
    for (; i < size; i++) {
        idx[occ] = i;
        occ += slot[i] != 0;
    }
    return occ;
}
#endif

static size_t occupied(const uint32_t *slot, uint32_t size, uint32_t *idx)
{
#if HS_HAVE_V4_PATHS
    if (hs_cpu_v4())
        return occupied_v4(slot, size, idx);
#endif
    size_t occ = 0;
    for (uint32_t i = 0; i < size; i++) {
        idx[occ] = i;
        occ += slot[i] != 0;
    }
    return occ;
}

/* The statistics over a leaf's occupied slots idx[0..occ) (counts slot[], values v[]),
 * from resample rank pos, until rank `need`: the keys of the values at the target ranks
 * (keys[t]), and each ES sum's part (sum[q] += v * the copies of the slot below k_q).
 * Each slot adds v[i] * (double)w to sum[q] in slot order, w = min(k_q - pos, cnt), and
 * only while k_q > pos: one chain of adds each, whose latency is the cost.  Between the
 * event ranks ev[] (targets, k_0, k_1, need; ascending) every slot is plain (w = cnt for
 * both sums or none, no target): a tight loop takes them; the slot that meets an event
 * takes the general step.  Returns the rank after the last slot taken. */
static uint64_t leaf_stats(const double *v, const uint32_t *slot, const uint32_t *idx, size_t occ,
                           uint64_t pos, uint64_t need, const uint64_t *ev,
                           const uint64_t *target, uint64_t *keys, uint64_t k0, uint64_t k1,
                           double *sum)
{
    double sum0 = sum[0], sum1 = sum[1]; /* in registers */
    size_t o = 0;
    while (o < occ && pos < need) {
        /* The next event at or after pos: slots ending at or before it are plain. */
        int e = 0;
        while (ev[e] < pos)
            e++;
        uint64_t h = ev[e];
        if (k1 > pos) /* both sums (k1 <= k0) */
            for (; o < occ; o++) {
                uint32_t i = idx[o];
                uint64_t cnt = slot[i];
                if (pos + cnt > h)
                    break;
                double vc = v[i] * (double)cnt;
                sum0 += vc;
                sum1 += vc;
                pos += cnt;
            }
        else if (k0 > pos)
            for (; o < occ; o++) {
                uint32_t i = idx[o];
                uint64_t cnt = slot[i];
                if (pos + cnt > h)
                    break;
                sum0 += v[i] * (double)cnt;
                pos += cnt;
            }
        else
            for (; o < occ; o++) {
                uint64_t cnt = slot[idx[o]];
                if (pos + cnt > h)
                    break;
                pos += cnt;
            }
        if (o == occ || pos >= need)
            break;
        /* The slot that meets the event. */
        uint32_t i = idx[o++];
        uint64_t cnt = slot[i];
        for (int t = 0; t < 4; t++)
            if (target[t] >= pos && target[t] < pos + cnt)
                keys[t] = hs_select_key(v[i]);
        if (k0 > pos)
            sum0 += v[i] * (double)(k0 - pos < cnt ? k0 - pos : cnt);
        if (k1 > pos)
            sum1 += v[i] * (double)(k1 - pos < cnt ? k1 - pos : cnt);
        pos += cnt;
    }
    sum[0] = sum0;
    sum[1] = sum1;
    return pos;
}

/* Slots of leaves [a, b). */
static uint64_t slots_of(const hs_tailboot *b, uint64_t a, uint64_t e)
{
    uint64_t hi = e * HS_TAILBOOT_LEAF < b->m ? e * HS_TAILBOOT_LEAF : b->m;
    return hi - a * HS_TAILBOOT_LEAF;
}

typedef struct descent {
    const hs_tailboot *b;
    gsl_rng *rng;
    uint64_t key, lo, hi; /* the resample's key; this part's leaves [lo, hi) */
    uint64_t before;      /* draws in the leaves left of this part */
    uint64_t *count;      /* [hi - lo] draws per leaf of this part */
} descent;

static void descend(descent *d, uint64_t a, uint64_t e, uint64_t c)
{
    if (e <= d->lo) {
        d->before += c;
        return;
    }
    if (a >= d->hi)
        return;
    if (e - a == 1) {
        d->count[a - d->lo] = c;
        return;
    }
    uint64_t mid = a + (e - a) / 2, left = 0;
    if (c > 0) {
        gsl_rng_set(d->rng, (unsigned long)mix64(d->key ^ mix64(a * GAMMA + e)));
        double p = (double)slots_of(d->b, a, mid) / (double)slots_of(d->b, a, e);
        left = gsl_ran_binomial(d->rng, p, (unsigned int)c);
    }
    descend(d, a, mid, left);
    descend(d, mid, e, c - left);
}

hs_status hs_tailboot_run(const hs_tailboot *b, const double *slot_values, uint64_t leaf_lo,
                          uint64_t leaf_hi, size_t r0, size_t r1, hs_tailboot_share *s,
                          hs_error *err)
{
    if (leaf_lo >= leaf_hi || r0 >= r1)
        return HS_OK;
    uint64_t nl = leaf_hi - leaf_lo;
    uint64_t *count = malloc(nl * sizeof *count);
    uint32_t *slot = malloc(HS_TAILBOOT_LEAF * sizeof *slot);
    uint32_t *idx = malloc((HS_TAILBOOT_LEAF + 16) * sizeof *idx); /* + a vector's slack */
    gsl_rng *rng = gsl_rng_alloc(hs_gsl_rng_pcg64);
    if (!count || !slot || !idx || !rng) {
        free(count), free(slot), free(idx);
        if (rng)
            gsl_rng_free(rng);
        return hs_error_set(err, HS_ERUNTIME, "out of memory for the bootstrap");
    }
    uint64_t need = ranks_needed(b);
    uint64_t target[4] = {b->rank[0].lo, b->rank[0].lo + 1, b->rank[1].lo, b->rank[1].lo + 1};
    /* The ranks where a slot needs more than a plain add, ascending, `need` last. */
    uint64_t ev[EVENTS] = {target[0], target[1], target[2], target[3],
                           b->rank[0].k, b->rank[1].k, need};
    for (int e = 1; e < EVENTS; e++)
        for (int f = e; f > 0 && ev[f - 1] > ev[f]; f--) {
            uint64_t tmp = ev[f];
            ev[f] = ev[f - 1];
            ev[f - 1] = tmp;
        }
    for (size_t r = r0; r < r1; r++) {
        descent d = {b, rng, b->key[r], leaf_lo, leaf_hi, 0, count};
        memset(count, 0, nl * sizeof *count);
        descend(&d, 0, b->leaves, b->draws[r]);
        uint64_t pos = d.before; /* resample rank of this part's first draw */
        uint64_t *keys = s->keys + 4 * r;
        hs_xsum *sums = s->sums + 2 * r;
        for (uint64_t j = 0; j < nl && pos < need; j++) {
            uint64_t g = leaf_lo + j, c = count[j];
            uint64_t size = slots_of(b, g, g + 1);
            if (c == 0)
                continue;
            memset(slot, 0, size * sizeof *slot);
            /* Each draw's slot: the high half of hash * size (Lemire's multiply-shift),
             * hashed in blocks (a vector loop), then counted. */
            uint64_t base = mix64(b->key[r] ^ (g + 1) * GAMMA);
            for (uint64_t i0 = 0; i0 < c; i0 += HASH_BLOCK) {
                size_t nb = c - i0 < HASH_BLOCK ? (size_t)(c - i0) : HASH_BLOCK;
                draw_slots(base, i0, size, nb, idx);
                for (size_t i = 0; i < nb; i++)
                    slot[idx[i]]++;
            }
            /* The occupied slots in order (about a third of them are empty), then the
             * statistics over them. */
            size_t occ = occupied(slot, (uint32_t)size, idx);
            const double *v = slot_values + j * HS_TAILBOOT_LEAF;
            /* A leaf's part of each ES sum, in double in slot order (a leaf is never
             * split between parts, so this is the same for any split), then exactly. */
            double sums_leaf[2] = {0.0, 0.0};
            pos = leaf_stats(v, slot, idx, occ, pos, need, ev, target, keys, b->rank[0].k,
                             b->rank[1].k, sums_leaf);
            hs_xsum_add(&sums[0], sums_leaf[0]);
            hs_xsum_add(&sums[1], sums_leaf[1]);
        }
    }
    gsl_rng_free(rng);
    free(count);
    free(slot);
    free(idx);
    return HS_OK;
}

void hs_tailboot_stats(const hs_tailboot *b, hs_tailboot_share *total, double *out)
{
    size_t R = b->resamples;
    for (size_t r = 0; r < R; r++)
        for (int q = 0; q < 2; q++) {
            double lo = hs_select_value(total->keys[4 * r + 2 * q]);
            double hi = hs_select_value(total->keys[4 * r + 2 * q + 1]);
            out[(size_t)(2 * q) * R + r] = -(lo + b->rank[q].frac * (hi - lo));
            out[(size_t)(2 * q + 1) * R + r] =
                -hs_xsum_round(&total->sums[2 * r + q]) / (double)b->rank[q].k;
        }
}
