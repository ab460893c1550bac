/*
 * Exact order statistics of a split sample (src/stats/select.c), against a full sort:
 * for 1, 2, 3 and 5 parts of uneven sizes (one empty), each part run by its own thread
 * with a reduction through shared memory, as MPI ranks would run it.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "stats/select.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (x == y) /* -0 before +0, as the keys order them */
        return signbit(y) - signbit(x);
    return (x > y) - (x < y);
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* A reduction among the threads of one parallel region: every thread adds its buffer
 * into a shared one (integers: the order of the adds does not matter), then copies the
 * total back. */
typedef struct shared_sum {
    uint64_t *buf;
    size_t cap;
} shared_sum;

static int thread_sum(void *ctx, uint64_t *buf, size_t n)
{
    shared_sum *s = ctx;
#pragma omp barrier
#pragma omp single
    {
        if (n > s->cap) {
            free(s->buf);
            s->buf = malloc(n * sizeof *s->buf);
            s->cap = n;
        }
        memset(s->buf, 0, n * sizeof *s->buf);
    }
#pragma omp critical(select_test_sum)
    for (size_t i = 0; i < n; i++)
        s->buf[i] += buf[i];
#pragma omp barrier
    memcpy(buf, s->buf, n * sizeof *buf);
#pragma omp barrier
    return 0;
}

static uint64_t next64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

enum { N = 60000, K = 12, KMAX = 40 };

static void check_split(const double *x, size_t n, int parts, const uint64_t *ranks, size_t k)
{
    double *sorted = malloc(n * sizeof *sorted);
    memcpy(sorted, x, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    double got[8][KMAX];
    uint64_t below[8][KMAX];
    int failed = 0;
    shared_sum ss = {NULL, 0};
    hs_reduce red = {thread_sum, &ss};
#pragma omp parallel num_threads(parts)
    {
        int r = omp_get_thread_num();
        /* Uneven parts: with several, part 0 is empty and part r >= 1 holds
         * [n (r-1)^2 / (parts-1)^2, n r^2 / (parts-1)^2). */
        size_t a = 0, b = n;
        if (parts > 1) {
            size_t q = (size_t)(parts - 1) * (size_t)(parts - 1);
            a = r == 0 ? 0 : n * (size_t)((r - 1) * (r - 1)) / q;
            b = r == 0 ? 0 : n * (size_t)(r * r) / q;
        }
        hs_error e;
        hs_error_clear(&e);
        if (hs_select(x + a, b - a, ranks, k, &red, 1, got[r], below[r], &e) != HS_OK) {
#pragma omp atomic write
            failed = 1;
        }
    }
    free(ss.buf);
    cr_assert(!failed);
    for (int r = 0; r < parts; r++)
        for (size_t j = 0; j < k; j++) {
            double want = sorted[ranks[j]];
            cr_assert(same_bits(got[r][j], want), "%d parts, part %d, rank %llu: %a, want %a",
                      parts, r, (unsigned long long)ranks[j], got[r][j], want);
            uint64_t lt = 0;
            while (lt < n && cmp_double(&sorted[lt], &want) < 0)
                lt++;
            cr_assert(below[r][j] == lt, "rank %llu: %llu below, want %llu",
                      (unsigned long long)ranks[j], (unsigned long long)below[r][j],
                      (unsigned long long)lt);
        }
    free(sorted);
}

Test(select, equals_a_full_sort_for_any_split)
{
    static double x[N];
    uint64_t st = 3;
    for (size_t i = 0; i < N; i++) {
        uint64_t r = next64(&st);
        /* Normal-ish P&Ls with many ties (a quarter rounded to 1/64) and signed zeros. */
        double u = ((double)(r >> 11) + 0.5) * 0x1p-53;
        double v = 0.4 * (u - 0.5) * (1 + (double)(r & 7));
        if ((r >> 3) % 4 == 0)
            v = nearbyint(v * 64) / 64;
        if ((r >> 5) % 97 == 0)
            v = (r >> 7) & 1 ? -0.0 : 0.0;
        x[i] = v;
    }
    uint64_t ranks[K] = {0, 1, 599, 600, 2999, 3000, 29999, 30000, 56999, 59399, 59400, N - 1};
    for (int parts = 1; parts <= 5; parts += parts < 3 ? 1 : 2)
        check_split(x, N, parts, ranks, K);
    /* More targets than one pass takes (16): several passes. */
    uint64_t many[KMAX];
    for (int j = 0; j < KMAX; j++)
        many[j] = (uint64_t)j * (N / KMAX) + (uint64_t)(j % 7);
    check_split(x, N, 3, many, KMAX);
}

Test(select, all_equal_values_and_bad_ranks)
{
    static double x[1000];
    for (int i = 0; i < 1000; i++)
        x[i] = 0.25;
    uint64_t ranks[K] = {0, 1, 2, 3, 4, 500, 600, 700, 800, 900, 998, 999};
    check_split(x, 1000, 3, ranks, K);

    double v;
    uint64_t b, bad = 1000;
    hs_error e;
    hs_error_clear(&e);
    cr_expect(hs_select(x, 1000, &bad, 1, NULL, 1, &v, &b, &e) == HS_ERUNTIME);
    cr_expect(strstr(e.msg, "rank 1000 of a sample of 1000") != NULL, "%s", e.msg);
}

Test(select, keys_order_as_doubles)
{
    double v[] = {-INFINITY, -1e300, -1.0, -5e-324, -0.0, 0.0, 5e-324, 1.0, 1e300, INFINITY};
    for (size_t i = 0; i + 1 < sizeof v / sizeof *v; i++) {
        cr_expect(hs_select_key(v[i]) < hs_select_key(v[i + 1]), "%g < %g", v[i], v[i + 1]);
        cr_expect(same_bits(hs_select_value(hs_select_key(v[i])), v[i]));
    }
    /* Known keys, by hand from the bit patterns: +x sets the sign bit, -x flips all. */
    cr_expect_eq(hs_select_key(0.0), UINT64_C(0x8000000000000000));
    cr_expect_eq(hs_select_key(-0.0), UINT64_C(0x7fffffffffffffff));
    cr_expect_eq(hs_select_key(1.0), UINT64_C(0xbff0000000000000));
    cr_expect_eq(hs_select_key(-1.0), UINT64_C(0x400fffffffffffff));
    cr_expect_eq(hs_select_key(-INFINITY), UINT64_C(0x000fffffffffffff));
}

/* Threads inside one part (2 and 3 shares of 65536+ values each, the first round
 * counted straight from x) give the full sort's values and counts, as one thread does. */
Test(select, threads_inside_a_part_equal_a_full_sort)
{
    enum { NT = 400000 };
    double *x = malloc(NT * sizeof *x), *sorted = malloc(NT * sizeof *sorted);
    cr_assert(x && sorted);
    uint64_t st = 11;
    for (size_t i = 0; i < NT; i++) {
        uint64_t r = next64(&st);
        double u = ((double)(r >> 11) + 0.5) * 0x1p-53;
        x[i] = (r & 3) == 0 ? nearbyint((u - 0.5) * 256) / 64 : 0.3 * (u - 0.5) * (1 + (r & 7));
    }
    memcpy(sorted, x, NT * sizeof *x);
    qsort(sorted, NT, sizeof *sorted, cmp_double);
    uint64_t ranks[K] = {0,      3999,   4000,   19999,  20000,  199999,
                         200000, 379999, 380000, 395999, 396000, NT - 1};
    for (int threads = 1; threads <= 3; threads++) {
        double got[K];
        uint64_t below[K];
        hs_error e;
        hs_error_clear(&e);
        cr_assert(hs_select(x, NT, ranks, K, NULL, threads, got, below, &e) == HS_OK, "%s", e.msg);
        for (size_t j = 0; j < K; j++) {
            cr_assert(same_bits(got[j], sorted[ranks[j]]), "%d threads, rank %llu: %a, want %a",
                      threads, (unsigned long long)ranks[j], got[j], sorted[ranks[j]]);
            uint64_t lt = ranks[j];
            while (lt > 0 && cmp_double(&sorted[lt - 1], &sorted[ranks[j]]) == 0)
                lt--;
            cr_assert(below[j] == lt, "%d threads, rank %llu: %llu below, want %llu", threads,
                      (unsigned long long)ranks[j], (unsigned long long)below[j],
                      (unsigned long long)lt);
        }
    }
    free(x);
    free(sorted);
}

/* A small sample held by one process (red == NULL, at most 4096 values) is sorted
 * instead of selected digit by digit: by hand, {3, -0, 1, +0, 1, -2} sorts by key to
 * -2, -0, +0, 1, 1, 3, so rank 0 is -2 with none below, rank 1 is -0 with 1 below,
 * rank 2 is +0 with 2 below (the keys tell the zeros apart), ranks 3 and 4 are 1 with 3
 * below (ties count what is strictly below), rank 5 is 3 with 5 below. */
Test(select, small_sample_by_hand)
{
    const double x[6] = {3, -0.0, 1, 0.0, 1, -2};
    const uint64_t ranks[6] = {5, 4, 3, 2, 1, 0};
    const double want[6] = {3, 1, 1, 0.0, -0.0, -2};
    const uint64_t want_below[6] = {5, 3, 3, 2, 1, 0};
    double got[6];
    uint64_t below[6];
    hs_error e;
    hs_error_clear(&e);
    cr_assert(hs_select(x, 6, ranks, 6, NULL, 1, got, below, &e) == HS_OK, "%s", e.msg);
    for (int j = 0; j < 6; j++) {
        cr_expect(same_bits(got[j], want[j]), "rank %d: %a, want %a", (int)ranks[j], got[j],
                  want[j]);
        cr_expect_eq(below[j], want_below[j], "rank %d: %llu below", (int)ranks[j],
                     (unsigned long long)below[j]);
    }
}

/* The sorted path (no reduction, n <= 4096) and the digit-by-digit one (a reduction that
 * adds nothing, which always selects) give the same bits and counts, at the sizes around
 * the switch, with ties, signed zeros and more targets than one pass takes. */
static int no_sum(void *ctx, uint64_t *buf, size_t n)
{
    (void)ctx, (void)buf, (void)n;
    return 0;
}

Test(select, small_sorted_equals_the_selection)
{
    static double x[4097];
    uint64_t st = 5;
    for (size_t i = 0; i < 4097; i++) {
        uint64_t r = next64(&st);
        double u = ((double)(r >> 11) + 0.5) * 0x1p-53;
        x[i] = (r & 3) == 0 ? nearbyint((u - 0.5) * 16) / 8 : (u - 0.5) * (1 + (r & 7));
        if ((r >> 5) % 31 == 0)
            x[i] = (r >> 7) & 1 ? -0.0 : 0.0;
    }
    const size_t sizes[] = {1, 2, 3, 200, 4095, 4096, 4097};
    hs_reduce red = {no_sum, NULL};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t n = sizes[s];
        uint64_t ranks[KMAX];
        for (size_t j = 0; j < KMAX; j++)
            ranks[j] = (uint64_t)(j * (n - 1) / (KMAX - 1));
        double a[KMAX], b[KMAX];
        uint64_t ba[KMAX], bb[KMAX];
        hs_error e;
        hs_error_clear(&e);
        cr_assert(hs_select(x, n, ranks, KMAX, NULL, 1, a, ba, &e) == HS_OK, "%s", e.msg);
        cr_assert(hs_select(x, n, ranks, KMAX, &red, 1, b, bb, &e) == HS_OK, "%s", e.msg);
        for (size_t j = 0; j < KMAX; j++) {
            cr_assert(same_bits(a[j], b[j]), "n %zu, rank %llu: %a against %a", n,
                      (unsigned long long)ranks[j], a[j], b[j]);
            cr_assert_eq(ba[j], bb[j], "n %zu, rank %llu: %llu against %llu below", n,
                         (unsigned long long)ranks[j], (unsigned long long)ba[j],
                         (unsigned long long)bb[j]);
        }
    }
}
