/*
 * The distributed pieces of a run under MPI (src/mpi, src/stats/select.c, tailboot.c),
 * run as `mpirun -n R test_mpi` for R = 1, 2, 3 by tests/cli/mpi.sh.  Every rank builds
 * the same global sample, keeps an uneven slice of it (rank r: [N r^2 / R^2,
 * N (r+1)^2 / R^2), so rank 0 holds little), and checks that the distributed result
 * equals, bit for bit, the one computed from the whole sample in one process:
 *  - an exact sum over the ranks (xsum + hs_comm_sum_xsum);
 *  - order statistics (hs_select with an MPI reduction) against a full sort;
 *  - each rank's range of the sorted order (hs_order_range) against the full sort;
 *  - the tail bootstrap's statistics with the tail split by rank against one part.
 * Prints "mpi: N passed, N failed (R ranks)" on rank 0 and exits 1 on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/comm.h"
#include "stats/order.h"
#include "parallel/reduce.h"
#include "stats/sample.h"
#include "stats/select.h"
#include "stats/sort.h"
#include "stats/tailboot.h"
#include "parallel/xsum.h"

static int passed, failed;

static void check(const hs_comm *c, int ok, const char *what)
{
    int bad = !ok;
    hs_comm_max_int(c, &bad);
    if (bad) {
        failed++;
        if (hs_comm_rank(c) == 0)
            fprintf(stderr, "FAIL: %s\n", what);
    } else {
        passed++;
    }
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static int comm_sum(void *ctx, uint64_t *buf, size_t n)
{
    return hs_comm_sum_u64(ctx, buf, n);
}

int main(int argc, char **argv)
{
    const hs_comm *c;
    hs_error e;
    hs_error_clear(&e);
    if (hs_comm_world(&argc, &argv, &c, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    int R = hs_comm_size(c), me = hs_comm_rank(c);
    enum { N = 240000 };
    double *x = malloc(N * sizeof *x), *sorted = malloc(N * sizeof *sorted);
    for (size_t i = 0; i < N; i++) {
        uint64_t r = mix64(i + 1);
        double u = ((double)(r >> 11) + 0.5) * 0x1p-53;
        double v = 0.4 * log(u / (1 - u)); /* logistic: fat-ish tails */
        if (r % 5 == 0)
            v = nearbyint(v * 32) / 32; /* ties */
        x[i] = v;
    }
    memcpy(sorted, x, N * sizeof *x);
    hs_sort_doubles(sorted, N);
    size_t a = (size_t)N * (size_t)(me * me) / (size_t)(R * R);
    size_t b = (size_t)N * (size_t)((me + 1) * (me + 1)) / (size_t)(R * R);
    const double *mine = x + a;
    size_t n = b - a;

    /* Exact sum. */
    hs_xsum s, whole;
    hs_xsum_init(&s);
    hs_xsum_init(&whole);
    hs_xsum_add_n(&s, mine, n);
    hs_xsum_add_n(&whole, x, N);
    double want = hs_xsum_round(&whole);
    check(c, hs_comm_sum_xsum(c, &s, 1) == 0, "xsum reduction");
    double got = hs_xsum_round(&s);
    check(c, memcmp(&got, &want, sizeof got) == 0, "exact sum over the ranks");

    /* Order statistics. */
    uint64_t ranks[] = {0, 2399, 2400, 11999, 12000, 119999, 120000, N - 1};
    size_t k = sizeof ranks / sizeof *ranks;
    double val[8];
    uint64_t below[8];
    hs_reduce red = {comm_sum, (void *)c};
    check(c, hs_select(mine, n, ranks, k, &red, 1, val, below, &e) == HS_OK, "hs_select runs");
    int ok = 1;
    for (size_t j = 0; j < k; j++)
        ok &= memcmp(&val[j], &sorted[ranks[j]], sizeof val[j]) == 0;
    check(c, ok, "order statistics over the ranks equal the full sort");

    /* Summary statistics over the ranks, on 2 threads each, against one process. */
    hs_summary s1, sR;
    /* Ranks hold whole blocks of 256 paths (sample.h): split at multiples of 256. */
    size_t a2 = a / 256 * 256, b2 = me == R - 1 ? (size_t)N : b / 256 * 256;
    check(c,
          hs_sample_summary(hs_comm_self(), x, N, 0, 1, &s1, &e) == HS_OK &&
              hs_sample_summary(c, x + a2, b2 - a2, a2, 2, &sR, &e) == HS_OK,
          "hs_sample_summary runs");
    check(c, memcmp(&s1, &sR, sizeof s1) == 0, "summary over the ranks equals one process's");

    /* Ranges of the sorted order: the lowest 15 000 split unevenly. */
    uint64_t *start = malloc(((size_t)R + 1) * sizeof *start);
    for (int q = 0; q <= R; q++)
        start[q] = (uint64_t)15000 * (uint64_t)(q * q) / (uint64_t)(R * R);
    double *range = NULL;
    check(c, hs_order_range(c, mine, n, start, 1, &range, &e) == HS_OK, "hs_order_range runs");
    ok = range &&
         memcmp(range, sorted + start[me], (start[me + 1] - start[me]) * sizeof *range) == 0;
    check(c, ok, "each rank's range equals the full sort's");
    free(range);

    /* The tail bootstrap: tail split by rank (leaves), against one part. */
    hs_tailboot tb;
    check(c, hs_tailboot_init(&tb, N, 77, 60, &e) == HS_OK, "tailboot init");
    hs_tailboot_share one, part;
    hs_tailboot_share_alloc(&one, tb.resamples, &e);
    hs_tailboot_share_alloc(&part, tb.resamples, &e);
    hs_tailboot_run(&tb, sorted, 0, tb.leaves, 0, tb.resamples, &one, &e);
    double *st1 = malloc(4 * tb.resamples * sizeof *st1),
           *stR = malloc(4 * tb.resamples * sizeof *stR);
    hs_tailboot_stats(&tb, &one, st1);
    for (int q = 0; q <= R; q++) {
        uint64_t lo, hi;
        hs_tailboot_leaves_of(&tb, q < R ? q : R - 1, R, &lo, &hi);
        start[q] = q < R ? lo * HS_TAILBOOT_LEAF : tb.m;
        if (start[q] > tb.m)
            start[q] = tb.m;
    }
    double *slots = NULL;
    check(c, hs_order_range(c, mine, n, start, 1, &slots, &e) == HS_OK, "tail slots by rank");
    uint64_t lo, hi;
    hs_tailboot_leaves_of(&tb, me, R, &lo, &hi);
    check(c, slots && hs_tailboot_run(&tb, slots, lo, hi, 0, tb.resamples, &part, &e) == HS_OK,
          "tailboot share");
    check(c,
          hs_comm_sum_u64(c, part.keys, 4 * tb.resamples) == 0 &&
              hs_comm_sum_xsum(c, part.sums, 2 * tb.resamples) == 0,
          "tailboot reduction");
    hs_tailboot_stats(&tb, &part, stR);
    check(c, memcmp(st1, stR, 4 * tb.resamples * sizeof *st1) == 0,
          "bootstrap statistics over the ranks equal one process's");
    free(slots), free(st1), free(stR), free(start);
    hs_tailboot_share_free(&one), hs_tailboot_share_free(&part), hs_tailboot_free(&tb);

    if (me == 0)
        printf("mpi: %d passed, %d failed (%d ranks)\n", passed, failed, R);
    free(x), free(sorted);
    hs_comm_finalize(c);
    return failed ? 1 : 0;
}
