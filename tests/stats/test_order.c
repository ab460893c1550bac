/*
 * A range of the sorted order (src/stats/order.c) on one process, against a full sort
 * (qsort): the tail slots the bootstrap reads (ranks [0, n/16)) and ranges inside the
 * sample, on 1, 2 and 3 threads (the passes split the sample at n/T once n passes
 * 2 x 65,536), on samples with many ties at the ends of the range (equal values are
 * counted, not sent: a miscounted copy shifts every later value) and with -0 and +0.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/comm.h"
#include "stats/order.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (x == y) /* -0 before +0, as the keys order them */
        return signbit(y) - signbit(x);
    return (x > y) - (x < y);
}

/* Values on a grid of quarters (many ties), a few signed zeros, from a fixed LCG. */
static double *sample(size_t n, unsigned seed)
{
    double *x = malloc(n * sizeof *x);
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        s = s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        int v = (int)(s >> 40) % 4001 - 2000; /* -2000 .. 2000 */
        x[i] = v == 7 ? -0.0 : 0.25 * (double)(v / 40);
    }
    return x;
}

static void check_range(const double *x, size_t n, uint64_t lo, uint64_t hi, int threads)
{
    double *sorted = malloc(n * sizeof *sorted);
    memcpy(sorted, x, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    uint64_t start[2] = {lo, hi};
    double *out = NULL;
    hs_error e;
    cr_assert_eq(hs_order_range(hs_comm_self(), x, n, start, threads, &out, &e), HS_OK, "%s",
                 e.msg);
    for (uint64_t r = lo; r < hi; r++)
        cr_assert(memcmp(&out[r - lo], &sorted[r], sizeof(double)) == 0,
                  "rank %llu of [%llu, %llu), %d threads: %a, expected %a", (unsigned long long)r,
                  (unsigned long long)lo, (unsigned long long)hi, threads, out[r - lo], sorted[r]);
    free(out);
    free(sorted);
}

Test(order, tail_slots_match_a_full_sort_on_1_2_3_threads)
{
    size_t n = 400003; /* 3 shares of 65,536 values and more */
    double *x = sample(n, 11);
    for (int t = 1; t <= 3; t++)
        check_range(x, n, 0, (n + 15) / 16, t);
    free(x);
}

Test(order, inner_ranges_with_ties_at_both_ends)
{
    size_t n = 300007;
    double *x = sample(n, 5);
    /* Ranges that start and end inside runs of equal values, one of a single rank, one
     * of one value repeated (both ends equal), and one ending at the largest value. */
    uint64_t r[][2] = {{1000, 21000}, {150000, 150001}, {149990, 150010}, {250000, n}};
    for (size_t k = 0; k < sizeof r / sizeof r[0]; k++)
        for (int t = 1; t <= 3; t++)
            check_range(x, n, r[k][0], r[k][1], t);
    free(x);
}

Test(order, small_sample_on_one_share)
{
    size_t n = 1000;
    double *x = sample(n, 3);
    check_range(x, n, 0, 63, 2);
    check_range(x, n, 10, 990, 1);
    free(x);
}
