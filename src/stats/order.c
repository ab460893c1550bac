/*
 * A range of the global sorted order on each rank (order.h): rank q ends with the values
 * of global ranks [start[q], start[q + 1]) in ascending order, from a sample spread over
 * the ranks in any way, without any rank holding more than its share.
 *
 * This is a sample sort with exact splitters (e.g. Blelloch et al. 1991, "A comparison
 * of sorting algorithms for the Connection Machine CM-2", SPAA; here the splitters are
 * exact order statistics, select.h, so no rank receives more than its range).  With
 * a_q and z_q the values of ranks start[q] and start[q+1] - 1, every value strictly
 * between them belongs to q's range and nothing lies strictly between z_q and a_{q+1}
 * (adjacent ranks).  So each rank sends q its values strictly inside (a_q, z_q), and q
 * adds the copies of a_q and of z_q its range holds, which it knows from the number of
 * values below each and the number equal to each (integer sums over the ranks): equal
 * doubles are interchangeable, so ties need not travel.
 */
#include "order.h"

#include <stdlib.h>
#include <string.h>

#include "simd.h"
#include "stats/select.h"
#include "stats/sort.h"

static int comm_sum(void *ctx, uint64_t *buf, size_t n)
{
    return hs_comm_sum_u64(ctx, buf, n);
}

/* The first j with key[j] >= k in the non-decreasing key[0..m). */
static int lower_bound(const uint64_t *key, int m, uint64_t k)
{
    int lo = 0, hi = m;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (key[mid] < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Index of the range q whose open interval (a_q, z_q) holds key, or -1. */
static int range_of(const uint64_t *ka, const uint64_t *kz, const int *q_of, int m, uint64_t key)
{
    int j = lower_bound(ka, m, key) - 1; /* the last range with a < key */
    return j >= 0 && key < kz[j] ? q_of[j] : -1;
}

/* The two passes for one range (a single process, or one rank holding the whole tail),
 * without the searches: a value's key is compared with the range's two ends, and the
 * counts and the list are formed without a branch (a value is inside for about one in
 * sixteen, and the searches' branches mispredicted: 2.5x slower).  The same counts and
 * the same list, in the same order, as the general loops below. */
HS_KERNEL static void count_one(const double *x, size_t n, uint64_t ka, uint64_t kz,
                                uint64_t *inside, uint64_t *eq)
{
    uint64_t in = 0, ea = 0, ez = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = hs_select_key(x[i]);
        ea += k == ka;
        ez += k == kz;
        in += (k > ka) & (k < kz);
    }
    *inside += in;
    eq[0] += ea;
    eq[1] += ez;
}

#if HS_HAVE_V4_PATHS
#include <immintrin.h>
/* send_one on AVX-512, 8 values at a time: the keys and both comparisons as vectors, the
 * values inside packed by vpcompresspd into a register and stored whole while 8 places
 * remain before `end` (then only the packed ones: the form to memory is slow on AMD's
 * Zen 4, so it is kept for the last few). */
HS_TARGET_V4 static uint64_t send_one_v4(const double *x, size_t n, uint64_t ka, uint64_t kz,
                                         double *send, uint64_t at, uint64_t end, size_t *done)
{
    const __m512i sign = _mm512_set1_epi64((long long)(UINT64_C(1) << 63));
    const __m512i a = _mm512_set1_epi64((long long)ka), z = _mm512_set1_epi64((long long)kz);
    size_t i = 0;
    for (; at < end && i + 8 <= n; i += 8) { /* whole groups of the share only */
        __m512i b = _mm512_loadu_si512(x + i);
        __m512i key = _mm512_xor_si512(b, _mm512_or_si512(_mm512_srai_epi64(b, 63), sign));
        __mmask8 in = _mm512_cmpgt_epu64_mask(key, a) & _mm512_cmplt_epu64_mask(key, z);
        __m512d v = _mm512_castsi512_pd(b);
        if (end - at >= 8)
            _mm512_storeu_pd(send + at, _mm512_maskz_compress_pd(in, v));
        else
            _mm512_mask_compressstoreu_pd(send + at, in, v);
        at += (uint64_t)__builtin_popcount(in);
    }
    *done = i;
    return at;
}
#endif

/* send[at, end) = the values of x[0..n) inside the range, end - at of them (counted by
 * count_one): a value is written at `at` and overwritten by the next unless inside, and
 * the loop ends with the last one inside, so nothing is written at or past `end` (another
 * thread's first place). */
static void send_one(const double *x, size_t n, uint64_t ka, uint64_t kz, double *send,
                     uint64_t at, uint64_t end)
{
    size_t i = 0;
#if HS_HAVE_V4_PATHS
    if (hs_cpu_v4())
        at = send_one_v4(x, n, ka, kz, send, at, end, &i);
#endif
    for (; at < end; i++) {
        uint64_t k = hs_select_key(x[i]);
        send[at] = x[i];
        at += (k > ka) & (k < kz);
    }
}

/* Threads that share a pass over n values: one per 64 Ki values at least. */
static int threads_for(size_t n, int threads)
{
    size_t t = threads > 1 ? (size_t)threads : 1;
    if (t > n / 65536)
        t = n / 65536 > 1 ? n / 65536 : 1;
    return (int)t;
}

hs_status hs_order_range(const hs_comm *c, const double *x, size_t n, const uint64_t *start,
                         int threads, double **out, hs_error *err)
{
    *out = NULL;
    int R = hs_comm_size(c), me = hs_comm_rank(c);
    hs_reduce red = {comm_sum, (void *)c};
    /* The non-empty ranges, in rank order, with their two end ranks. */
    int m = 0;
    int *q_of = malloc((size_t)R * sizeof *q_of);
    uint64_t *ranks = malloc(2 * (size_t)R * sizeof *ranks);
    double *val = malloc(2 * (size_t)R * sizeof *val);
    uint64_t *below = malloc(2 * (size_t)R * sizeof *below);
    uint64_t *eq = calloc(2 * (size_t)R, sizeof *eq);
    uint64_t *ka = malloc((size_t)R * sizeof *ka), *kz = malloc((size_t)R * sizeof *kz);
    uint64_t *scount = calloc((size_t)R, sizeof *scount);
    uint64_t *rcount = calloc((size_t)R, sizeof *rcount);
    uint64_t *soff = calloc((size_t)R + 1, sizeof *soff);
    double *send = NULL, *recv = NULL, *res = NULL;
    uint64_t *tcount = NULL; /* per thread: R counts by destination, then 2m end copies */
    int T = 1;
    hs_status st = HS_OK;
    if (!q_of || !ranks || !val || !below || !eq || !ka || !kz || !scount || !rcount || !soff) {
        st = hs_error_set(err, HS_ERUNTIME, "out of memory splitting %zu values by rank", n);
        goto done;
    }
    for (int q = 0; q < R; q++)
        if (start[q] < start[q + 1]) {
            q_of[m] = q;
            ranks[2 * m] = start[q];
            ranks[2 * m + 1] = start[q + 1] - 1;
            m++;
        }
    st = hs_select(x, n, ranks, 2 * (size_t)m, R > 1 ? &red : NULL, threads, val, below, err);
    if (st)
        goto done;
    for (int j = 0; j < m; j++) {
        ka[j] = hs_select_key(val[2 * j]);
        kz[j] = hs_select_key(val[2 * j + 1]);
    }
    /* Copies of each end value, and how many values each range receives from this rank,
     * counted by T threads over contiguous shares (integer counts: the same for any T). */
    T = threads_for(n, threads);
    tcount = calloc((size_t)T * (size_t)(R + 2 * m + 1), sizeof *tcount);
    if (!tcount) {
        st = hs_error_set(err, HS_ERUNTIME, "out of memory splitting %zu values by rank", n);
        goto done;
    }
#pragma omp parallel for num_threads(T) if (T > 1) schedule(static, 1)
    for (int t = 0; t < T; t++) {
        uint64_t *cnt = tcount + (size_t)t * (size_t)(R + 2 * m + 1), *teq = cnt + R;
        size_t i0 = n * (size_t)t / (size_t)T, i1 = n * (size_t)(t + 1) / (size_t)T;
        if (m == 1) {
            count_one(x + i0, i1 - i0, ka[0], kz[0], &cnt[q_of[0]], teq);
            continue;
        }
        for (size_t i = i0; i < i1; i++) {
            uint64_t k = hs_select_key(x[i]);
            for (int j = lower_bound(ka, m, k); j < m && ka[j] == k; j++)
                teq[2 * j]++;
            for (int j = lower_bound(kz, m, k); j < m && kz[j] == k; j++)
                teq[2 * j + 1]++;
            int q = range_of(ka, kz, q_of, m, k);
            if (q >= 0)
                cnt[q]++;
        }
    }
    for (int t = 0; t < T; t++) {
        const uint64_t *cnt = tcount + (size_t)t * (size_t)(R + 2 * m + 1);
        for (int q = 0; q < R; q++)
            scount[q] += cnt[q];
        for (int j = 0; j < 2 * m; j++)
            eq[j] += cnt[R + j];
    }
    if (hs_comm_sum_u64(c, eq, 2 * (size_t)m)) {
        st = hs_error_set(err, HS_ERUNTIME, "splitting values by rank: the reduction failed");
        goto done;
    }
    /* What goes where: offsets, then the values in destination order. */
    for (int q = 0; q < R; q++)
        soff[q + 1] = soff[q] + scount[q];
    /* Only what leaves: the values inside some range (a tail is a small part). */
    send = malloc((soff[R] ? soff[R] : 1) * sizeof *send);
    if (!send) {
        st = hs_error_set(err, HS_ERUNTIME, "out of memory splitting values by rank");
        goto done;
    }
    /* Thread t's values for q go after those of the threads before it: the serial order
     * (the receiver sorts them anyway). */
    for (int q = 0; q < R; q++) {
        uint64_t at = soff[q];
        for (int t = 0; t < T; t++) {
            uint64_t *cnt = tcount + (size_t)t * (size_t)(R + 2 * m + 1);
            uint64_t k = cnt[q];
            cnt[q] = at;
            at += k;
        }
    }
#pragma omp parallel for num_threads(T) if (T > 1) schedule(static, 1)
    for (int t = 0; t < T; t++) {
        uint64_t *fill = tcount + (size_t)t * (size_t)(R + 2 * m + 1);
        size_t i0 = n * (size_t)t / (size_t)T, i1 = n * (size_t)(t + 1) / (size_t)T;
        if (m == 1) {
            int q = q_of[0]; /* this thread's places end where the next one's start */
            uint64_t end = t + 1 < T ? fill[R + 2 * m + 1 + q] : soff[q + 1];
            send_one(x + i0, i1 - i0, ka[0], kz[0], send, fill[q], end);
            continue;
        }
        for (size_t i = i0; i < i1; i++) {
            int q = range_of(ka, kz, q_of, m, hs_select_key(x[i]));
            if (q >= 0)
                send[fill[q]++] = x[i];
        }
    }
    if (hs_comm_alltoall_counts(c, scount, rcount)) {
        st = hs_error_set(err, HS_ERUNTIME, "splitting values by rank: the exchange failed");
        goto done;
    }
    uint64_t nrecv = 0;
    for (int q = 0; q < R; q++)
        nrecv += rcount[q];
    uint64_t len = start[me + 1] - start[me];
    recv = malloc((nrecv ? nrecv : 1) * sizeof *recv);
    res = malloc((len ? len : 1) * sizeof *res);
    if (!recv || !res) {
        st = hs_error_set(err, HS_ERUNTIME, "out of memory for %llu values of rank %d",
                          (unsigned long long)len, me);
        goto done;
    }
    if (hs_comm_alltoallv_double(c, send, scount, recv, rcount)) {
        st = hs_error_set(err, HS_ERUNTIME, "splitting values by rank: the exchange failed");
        goto done;
    }
    if (len > 0) {
        int j = 0;
        while (q_of[j] != me)
            j++;
        int sort_failed = 0;
#pragma omp parallel num_threads(threads > 1 ? threads : 1) if (threads > 1)
#pragma omp single
        sort_failed = hs_sort_doubles_to(recv, recv, nrecv, threads);
        if (sort_failed) {
            st = hs_error_set(err, HS_ERUNTIME, "out of memory sorting %llu values",
                              (unsigned long long)nrecv);
            goto done;
        }
        uint64_t s = start[me], e = start[me + 1], pos = 0;
        uint64_t na, nz = 0;
        if (ka[j] == kz[j]) {
            na = len;
        } else {
            uint64_t end_a = below[2 * j] + eq[2 * j];
            na = (end_a < e ? end_a : e) - s;
            nz = e - below[2 * j + 1];
        }
        if (na + nrecv + nz != len) {
            st = hs_error_set(err, HS_ERUNTIME,
                              "rank %d: %llu + %llu + %llu values for a range of %llu", me,
                              (unsigned long long)na, (unsigned long long)nrecv,
                              (unsigned long long)nz, (unsigned long long)len);
            goto done;
        }
        for (uint64_t i = 0; i < na; i++)
            res[pos++] = val[2 * j];
        memcpy(res + pos, recv, nrecv * sizeof *recv);
        pos += nrecv;
        for (uint64_t i = 0; i < nz; i++)
            res[pos++] = val[2 * j + 1];
    }
    *out = res;
    res = NULL;
done:
    free(q_of), free(ranks), free(val), free(below), free(eq), free(ka), free(kz);
    free(scount), free(rcount), free(soff), free(send), free(recv), free(res), free(tcount);
    return st;
}
