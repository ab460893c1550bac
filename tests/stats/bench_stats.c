/*
 * Micro-benchmark (not a test): ms per call of the report's statistics of one strategy
 * (report.c's strategy_stats) on a sample of n P&L values, by part: the summary
 * (hs_sample_summary: exact moments and quantiles), the tail's sorted slots
 * (hs_order_range) and the percentile bootstrap of VaR and ES over them
 * (hs_report_bootstrap, which includes hs_order_range).  The sample is a skewed,
 * fat-tailed mixture (short-option P&L has a long left tail), drawn from pcg32 with a
 * fixed seed.  Prints the median of `reps` timings (thread CPU time on one thread, wall
 * time on more) and a checksum of every statistic, so a change that should keep the bits
 * can be checked by comparing the checksums.
 * Usage: bench_stats [n] [reps] [threads]
 */
#define _POSIX_C_SOURCE 200809L
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hedgesim/comm.h"
#include "hedgesim/rng.h"
#include "report/bootstrap.h"
#include "stats/order.h"
#include "stats/sample.h"

static double now(int threads)
{
    struct timespec ts;
    clock_gettime(threads > 1 ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* FNV-1a over the bytes of a buffer. */
static uint64_t fnv(uint64_t h, const void *p, size_t len)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < len; i++)
        h = (h ^ c[i]) * UINT64_C(0x100000001b3);
    return h;
}

enum { SUMMARY, ORDER, BOOT, KINDS };
static const char *names[KINDS] = {"hs_sample_summary", "hs_order_range (tail slots)",
                                   "hs_report_bootstrap (slots + resamples)"};

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 1000000;
    int reps = argc > 2 ? atoi(argv[2]) : 7;
    int threads = argc > 3 ? atoi(argv[3]) : 1;
    if (n < 1000 || reps < 1 || threads < 1) {
        fprintf(stderr, "usage: bench_stats [n >= 1000] [reps >= 1] [threads >= 1]\n");
        return 2;
    }
    /* As the program does (src/cli/main.c): scratch from the heap, not fresh mappings. */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    double *x = malloc(n * sizeof *x);
    double *t = malloc((size_t)reps * sizeof *t);
    if (!x || !t)
        return 1;
    hs_pcg32 g;
    hs_pcg32_seed(&g, 42, 7);
    for (size_t i = 0; i < n; i++) {
        double z = hs_normal_icdf(hs_pcg32_uniform(&g));
        x[i] = hs_pcg32_uniform(&g) < 0.1 ? -2.0 * z * z : 0.4 * z; /* fat left tail */
    }
    const hs_comm *c = hs_comm_self();
    hs_results res;
    memset(&res, 0, sizeof res);
    res.paths = n;
    res.total_paths = n;
    res.comm = c;
    hs_error err;
    uint64_t sum = UINT64_C(0xcbf29ce484222325);
    printf("%zu values, %d thread(s), median of %d\n", n, threads, reps);
    for (int k = 0; k < KINDS; k++) {
        for (int r = 0; r < reps; r++) {
            hs_summary s;
            hs_ci ci;
            double *slots = NULL;
            uint64_t start[2] = {0, (n + 15) / 16};
            double t0 = now(threads);
            hs_status st = HS_OK;
            if (k == SUMMARY) {
                st = hs_sample_summary(c, x, n, 0, threads, &s, &err);
                if (!st && r == 0)
                    sum = fnv(sum, &s, sizeof s);
            } else if (k == ORDER) {
                st = hs_order_range(c, x, n, start, threads, &slots, &err);
                if (!st && r == 0)
                    sum = fnv(sum, slots, start[1] * sizeof *slots);
            } else {
                st = hs_sample_summary(c, x, n, 0, threads, &s, &err);
                double t1 = now(threads);
                if (!st)
                    st = hs_report_bootstrap(&res, x, 1000003u, threads, &s, &ci, &err);
                t0 = t1; /* the bootstrap alone */
                if (!st && r == 0)
                    sum = fnv(sum, &ci, sizeof ci);
            }
            t[r] = 1e3 * (now(threads) - t0);
            free(slots);
            if (st) {
                fprintf(stderr, "bench_stats: %s\n", err.msg);
                return 1;
            }
        }
        qsort(t, (size_t)reps, sizeof *t, cmp);
        printf("  %-42s %9.3f ms\n", names[k], t[reps / 2]);
    }
    printf("checksum %016llx\n", (unsigned long long)sum);
    free(x);
    free(t);
    return 0;
}
