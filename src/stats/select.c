/*
 * Exact order statistics of a sample split into parts (select.h), by radix selection on
 * order-preserving integer keys.
 *
 * A double maps to a 64-bit key that sorts as the double does: flip every bit of a
 * negative number, set the sign bit of a positive one (-0 then sorts just below +0).  The
 * key of the value of rank t is found a digit at a time, most significant first (16 bits,
 * then six of 8): every part counts its keys that share the prefix found so far in buckets
 * of the next digit, the counts are summed over the parts (an integer reduction: exact,
 * and the same whatever the split), and the bucket where the running count passes t
 * extends the prefix.  Seven rounds fix the key.  The counts of the buckets passed over add up to
 * the number of values strictly below the result, which expected shortfall needs.  Targets that
 * share a prefix share its histogram, and each part keeps only the keys that can still matter
 * (those under some target's prefix), so rounds after the first touch few keys.  This is the
 * classic distributed radix select (e.g. D.A. Bader and J. JaJa 1996, "Practical parallel
 * algorithms for dynamic data redistribution, median finding, and selection", IPPS), with the
 * reduction abstracted so that one process, threads or MPI ranks can run it.  A sample of
 * at most 4096 values held by one process is sorted instead (select_sorted).
 */
#include "select.h"

#include <stdlib.h>
#include <string.h>

#include "simd.h"
#include "sort.h"
#include "bigmem.h"

/* Digits, most significant first: 16 bits in the first round (sign, exponent and four
 * mantissa bits: one histogram of 2^16 counts, the prefix is still empty), then 8 bits a
 * round, where every target prefix has its own histogram: 2 KiB each rather than 512 KiB,
 * so the later rounds' histograms stay in cache and add no resident memory to speak of. */
#define ROUNDS 7
static const int digit_bits[ROUNDS] = {16, 8, 8, 8, 8, 8, 8};
#define BUCKETS_MAX ((size_t)1 << 16)
/* The bits fixed before round r. */
static int kept_before(int r)
{
    int k = 0;
    for (int i = 0; i < r; i++)
        k += digit_bits[i];
    return k;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Index of p in the sorted, distinct g[0..m), which holds it. */
static size_t group_of(const uint64_t *g, size_t m, uint64_t p)
{
    size_t lo = 0, hi = m;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (g[mid] <= p)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static int reduce(const hs_reduce *red, uint64_t *buf, size_t n)
{
    return red ? red->sum_u64(red->ctx, buf, n) : 0;
}

/* Targets per pass: each distinct prefix of a later round has a histogram of 2^8 counts,
 * so a pass needs at most 512 KiB of histograms per thread whatever the targets. */
#define BATCH 16
/* Values per thread below which threads do not pay for their histograms. */
#define PER_THREAD 65536

/* A thread's share of the sample: x[lo, hi) and, after the first round, the keys of it
 * that can still matter (cand[0 .. nc)), with its own histograms. */
typedef struct share {
    size_t lo, hi, nc;
    uint64_t *cand;
    uint64_t *hist; /* [hist_len(k)] */
} share;

/* Count the keys of a share in the histograms of their prefix group: from x in the first
 * round (no copy of the sample is made), from the kept keys after. */
static void count_share(share *sh, const double *x, int round, const uint64_t *groups, size_t m)
{
    int keep = kept_before(round), shift = 64 - keep - digit_bits[round];
    size_t buckets = (size_t)1 << digit_bits[round];
    uint64_t *hist = sh->hist;
    memset(hist, 0, m * buckets * sizeof *hist);
    if (round == 0) {
        for (size_t i = sh->lo; i < sh->hi; i++)
            hist[hs_select_key(x[i]) >> shift]++;
        return;
    }
    for (size_t i = 0; i < sh->nc; i++) {
        uint64_t c = sh->cand[i], p = c >> (64 - keep);
        size_t g = m > 1 ? group_of(groups, m, p) : 0;
        hist[g * buckets + ((c >> shift) & (buckets - 1))]++;
    }
}

#if HS_HAVE_V4_PATHS
#include <immintrin.h>
/* The first round's filter on AVX-512, 8 values at a time: their keys (hs_select_key's
 * bit flips: x ^ (sign extension | sign bit)), each key's prefix compared with every
 * target group's (k <= BATCH), and the kept keys packed by vpcompressq (into a register,
 * then stored whole while 8 places remain in cand, else only the packed ones).  The same
 * keys in the same order as the scalar loop; the tail slots of 1M values (order.c) took
 * 2.0 ms instead of 3.2. */
HS_TARGET_V4 static size_t filter_first_v4(const double *x, size_t n, int shift,
                                           const uint64_t *groups, size_t k, uint64_t *cand)
{
    const __m512i sign = _mm512_set1_epi64((long long)(UINT64_C(1) << 63));
    __m512i g[BATCH];
    for (size_t j = 0; j < k; j++)
        g[j] = _mm512_set1_epi64((long long)groups[j]);
    size_t kept = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        __m512i b = _mm512_loadu_si512(x + i);
        __m512i key = _mm512_xor_si512(b, _mm512_or_si512(_mm512_srai_epi64(b, 63), sign));
        __m512i p = _mm512_srl_epi64(key, _mm_cvtsi32_si128(shift));
        __mmask8 m = 0;
        for (size_t j = 0; j < k; j++)
            m |= _mm512_cmpeq_epi64_mask(p, g[j]);
        /* Not past the n kept keys the share may hold: a partial store when near. */
        if (kept + 8 <= n)
            _mm512_storeu_si512(cand + kept, _mm512_maskz_compress_epi64(m, key));
        else
            _mm512_mask_compressstoreu_epi64(cand + kept, m, key);
        kept += (size_t)__builtin_popcount(m);
    }
    for (; i < n; i++) {
        uint64_t c = hs_select_key(x[i]), p = c >> shift;
        int in = 0;
        for (size_t j = 0; j < k; j++)
            in |= groups[j] == p;
        cand[kept] = c;
        kept += (size_t)in;
    }
    return kept;
}
#endif

/* Keep the keys of a share under some target's prefix of next_keep bits (groups[0..k)
 * sorted). */
static void filter_share(share *sh, const double *x, int round, int next_keep,
                         const uint64_t *groups, size_t k)
{
    size_t kept = 0;
    if (round == 0) {
#if HS_HAVE_V4_PATHS
        if (hs_cpu_v4()) {
            sh->nc = filter_first_v4(x + sh->lo, sh->hi - sh->lo, 64 - next_keep, groups, k,
                                     sh->cand);
            return;
        }
#endif
        /* The first digit's prefixes (16 bits: digit_bits[0]) index a bitmap of the
         * targets': a key is kept by one lookup instead of a binary search, and without
         * a branch (a key not kept is overwritten by the next). */
        uint64_t mark[((size_t)1 << 16) / 64] = {0};
        for (size_t g = 0; g < k; g++)
            mark[groups[g] >> 6] |= UINT64_C(1) << (groups[g] & 63);
        for (size_t i = sh->lo; i < sh->hi; i++) {
            uint64_t c = hs_select_key(x[i]), p = c >> (64 - next_keep);
            sh->cand[kept] = c;
            kept += (mark[p >> 6] >> (p & 63)) & 1;
        }
    } else {
        for (size_t i = 0; i < sh->nc; i++) {
            uint64_t c = sh->cand[i], p = c >> (64 - next_keep);
            size_t g = group_of(groups, k, p);
            if (groups[g] == p)
                sh->cand[kept++] = c;
        }
    }
    sh->nc = kept;
}

static hs_status select_batch(const double *x, size_t n, const uint64_t *ranks, size_t k,
                              const hs_reduce *red, int threads, double *values, uint64_t *below,
                              hs_error *err)
{
    /* Threads split the part's values in contiguous shares; their histograms are added
     * (integers: the order does not matter), so the result does not depend on them. */
    int T = threads > 1 ? threads : 1;
    if ((size_t)T > n / PER_THREAD)
        T = n / PER_THREAD > 1 ? (int)(n / PER_THREAD) : 1;
    share *sh = calloc((size_t)T, sizeof *sh);
    uint64_t *prefix = calloc(k, sizeof *prefix);
    uint64_t *groups = malloc(k * sizeof *groups);
    /* The first round's one histogram, or a later round's one per target: 512 KiB,
     * cleared in full each round, so mapped at once (bigmem.c; a Derman-Kamal run's first
     * selection faulted it in a page at a time: 126 faults, about 2% of the run). */
    size_t hlen = k * ((size_t)1 << 8) > BUCKETS_MAX ? k * ((size_t)1 << 8) : BUCKETS_MAX;
    uint64_t *hist = hs_big_alloc(hlen * sizeof *hist);
    int oom = !sh || !prefix || !groups || !hist;
    for (int t = 0; !oom && t < T; t++) {
        sh[t].lo = n * (size_t)t / (size_t)T;
        sh[t].hi = n * (size_t)(t + 1) / (size_t)T;
        /* Only the kept keys are written: the pages of the rest are never touched. */
        sh[t].cand = malloc((sh[t].hi - sh[t].lo ? sh[t].hi - sh[t].lo : 1) * sizeof(uint64_t));
        sh[t].hist = T > 1 ? hs_big_alloc(hlen * sizeof(uint64_t)) : hist;
        oom = !sh[t].cand || !sh[t].hist;
    }
    hs_status st = HS_OK;
    if (oom) {
        /* Every part must still make the same reductions: a part that failed here
         * cannot take part, so the caller must treat this error as fatal for all. */
        st = hs_error_set(err, HS_ERUNTIME, "out of memory for order statistics of %zu values", n);
        goto done;
    }
    for (size_t j = 0; j < k; j++)
        below[j] = 0;

    for (int round = 0; round < ROUNDS; round++) {
        size_t buckets = (size_t)1 << digit_bits[round];
        memcpy(groups, prefix, k * sizeof *groups);
        qsort(groups, k, sizeof *groups, cmp_u64);
        size_t m = 0;
        for (size_t j = 0; j < k; j++)
            if (m == 0 || groups[j] != groups[m - 1])
                groups[m++] = groups[j];
#pragma omp parallel for num_threads(T) if (T > 1) schedule(static, 1)
        for (int t = 0; t < T; t++)
            count_share(&sh[t], x, round, groups, m);
        if (T > 1) {
            memcpy(hist, sh[0].hist, m * buckets * sizeof *hist);
            for (int t = 1; t < T; t++)
                for (size_t i = 0; i < m * buckets; i++)
                    hist[i] += sh[t].hist[i];
        }
        if (reduce(red, hist, m * buckets)) {
            st = hs_error_set(err, HS_ERUNTIME, "order statistics: the reduction failed");
            goto done;
        }
        /* ranks[j] - below[j] values of target j's prefix lie below it: its bucket is
         * where the running count of its group's histogram passes that.  The targets of a
         * group are taken in increasing order of it, so that one sweep of the histogram
         * serves them all (a sweep per target from the first bucket cost 16 x 2^16 steps
         * in the first round). */
        size_t order[BATCH], grp[BATCH];
        uint64_t want[BATCH];
        for (size_t j = 0; j < k; j++) {
            grp[j] = group_of(groups, m, prefix[j]);
            want[j] = ranks[j] - below[j];
            size_t i = j; /* insertion by (group, want) */
            while (i > 0 && (grp[order[i - 1]] > grp[j] ||
                             (grp[order[i - 1]] == grp[j] && want[order[i - 1]] > want[j]))) {
                order[i] = order[i - 1];
                i--;
            }
            order[i] = j;
        }
        uint64_t run = 0;
        size_t b = 0;
        for (size_t o = 0; o < k; o++) {
            size_t j = order[o];
            if (o == 0 || grp[j] != grp[order[o - 1]])
                run = 0, b = 0;
            const uint64_t *h = hist + grp[j] * buckets;
            while (run + h[b] <= want[j])
                run += h[b++];
            below[j] += run;
            prefix[j] = (prefix[j] << digit_bits[round]) | b;
        }
        if (round + 1 == ROUNDS)
            break;
        /* Keep the keys under some target's new prefix. */
        memcpy(groups, prefix, k * sizeof *groups);
        qsort(groups, k, sizeof *groups, cmp_u64);
#pragma omp parallel for num_threads(T) if (T > 1) schedule(static, 1)
        for (int t = 0; t < T; t++)
            filter_share(&sh[t], x, round, kept_before(round + 1), groups, k);
    }
    for (size_t j = 0; j < k; j++)
        values[j] = hs_select_value(prefix[j]);
done:
    for (int t = 0; sh && t < T; t++) {
        free(sh[t].cand);
        if (sh[t].hist != hist)
            hs_big_free(sh[t].hist);
    }
    free(sh), free(prefix), free(groups), hs_big_free(hist);
    return st;
}

/* A small sample held whole by one part: its keys sorted (sort.h's LSD radix sort, the
 * same key order), the value of rank t read at t and the count strictly below it by a
 * binary search for the first copy of its key.  The radix selection's first round alone
 * clears and sweeps 2^16 counts (512 KiB): for 200 values the summary took 74 us, most of
 * a small run's statistics, and under AddressSanitizer, which maps every large block
 * afresh, most of a small run's time.  Both ways give the exact order statistics, so the
 * result does not depend on which one ran. */
#define SMALL 4096
static hs_status select_sorted(const double *x, size_t n, const uint64_t *ranks, size_t k,
                               double *values, uint64_t *below, hs_error *err)
{
    double *s = malloc((n ? n : 1) * sizeof *s);
    if (!s || hs_sort_doubles_to(x, s, n, 1)) {
        free(s);
        return hs_error_set(err, HS_ERUNTIME, "out of memory for order statistics of %zu values",
                            n);
    }
    for (size_t j = 0; j < k; j++) {
        uint64_t key = hs_select_key(s[ranks[j]]);
        size_t lo = 0, hi = ranks[j]; /* the first place whose key is not below key */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (hs_select_key(s[mid]) < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        values[j] = s[ranks[j]];
        below[j] = lo;
    }
    free(s);
    return HS_OK;
}

hs_status hs_select(const double *x, size_t n, const uint64_t *ranks, size_t k,
                    const hs_reduce *red, int threads, double *values, uint64_t *below,
                    hs_error *err)
{
    uint64_t total = n;
    if (reduce(red, &total, 1))
        return hs_error_set(err, HS_ERUNTIME, "order statistics: the reduction failed");
    for (size_t j = 0; j < k; j++)
        if (ranks[j] >= total)
            return hs_error_set(err, HS_ERUNTIME,
                                "order statistics: rank %llu of a sample of %llu values",
                                (unsigned long long)ranks[j], (unsigned long long)total);
    if (!red && n <= SMALL)
        return select_sorted(x, n, ranks, k, values, below, err);
    for (size_t j = 0; j < k; j += BATCH) {
        size_t m = k - j < BATCH ? k - j : BATCH;
        hs_status st = select_batch(x, n, ranks + j, m, red, threads, values + j, below + j, err);
        if (st)
            return st;
    }
    return HS_OK;
}
