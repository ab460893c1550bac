/*
 * Summary statistics of a split sample (src/stats/sample.c) on one process: a known
 * answer by hand, agreement with the serial summary of stats.c (order statistics bit for
 * bit, the sums to rounding), and the same bits for 1, 2 and 3 threads.  tests/mpi checks
 * the same over MPI ranks.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/sample.h"
#include "parallel/xsum.h"

static hs_summary summary(const double *x, size_t n, int threads)
{
    hs_summary s;
    hs_error e;
    hs_error_clear(&e);
    cr_assert(hs_sample_summary(hs_comm_self(), x, n, 0, threads, &s, &e) == HS_OK, "%s", e.msg);
    return s;
}

Test(sample, by_hand)
{
    /* 1..5: mean 3, variance 10/4, skew 0; kurtosis (1/5) sum d^4 / s^4 - 3 =
     * (34/5) / 6.25 - 3 = -1.912; q05 at index 0.2: 1.2; ES 95% and 99% read k = 1. */
    double x[] = {4, 2, 5, 1, 3};
    hs_summary s = summary(x, 5, 1);
    cr_expect(s.mean == 3.0);
    cr_expect(fabs(s.std - sqrt(2.5)) < 1e-15);
    cr_expect(s.skew == 0.0);
    cr_expect(fabs(s.exkurt - -1.912) < 1e-14, "%.17g", s.exkurt);
    cr_expect(fabs(s.q05 - 1.2) < 1e-15 && s.q50 == 3.0 && s.min == 1.0 && s.max == 5.0);
    cr_expect(s.es95 == -1.0 && s.es99 == -1.0 && fabs(s.var95 + 1.2) < 1e-15);
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

Test(sample, agrees_with_the_serial_summary)
{
    enum { N = 200003 };
    double *x = malloc(N * sizeof *x), *scratch = malloc(N * sizeof *x);
    for (size_t i = 0; i < N; i++) {
        uint64_t r = mix64(i + 5);
        double u = ((double)(r >> 11) + 0.5) * 0x1p-53;
        x[i] = 0.3 * log(u / (1 - u)) + 0.01;
        if (r % 4 == 0)
            x[i] = nearbyint(x[i] * 64) / 64;
    }
    hs_summary ref, s1 = summary(x, N, 1);
    hs_error e;
    hs_error_clear(&e);
    cr_assert(hs_summary_compute(x, N, scratch, &ref, &e) == HS_OK);
    cr_expect(s1.n == N);
    cr_expect(s1.min == ref.min && s1.max == ref.max && s1.q01 == ref.q01 && s1.q05 == ref.q05 &&
              s1.q50 == ref.q50 && s1.q95 == ref.q95 && s1.q99 == ref.q99);
    hs_xsum t;
    hs_xsum_init(&t);
    hs_xsum_add_n(&t, x, N);
    cr_expect(s1.mean == hs_xsum_round(&t) / N, "the mean is the exact sum over n");
    const double a[] = {s1.mean, s1.std, s1.skew, s1.exkurt, s1.es95, s1.es99};
    const double b[] = {ref.mean, ref.std, ref.skew, ref.exkurt, ref.es95, ref.es99};
    for (int i = 0; i < 6; i++)
        /* stats.c sums in double, in path order: its rounding errors grow with n (about
         * sqrt(n) eps, 5e-14 here); the exact sums have none. */
        cr_expect(fabs(a[i] - b[i]) <= 1e-12 * fabs(b[i]), "field %d: %.17g vs %.17g", i, a[i],
                  b[i]);
    for (int threads = 2; threads <= 3; threads++) {
        hs_summary st = summary(x, N, threads);
        cr_expect(memcmp(&st, &s1, sizeof st) == 0, "%d threads differ", threads);
    }
    x[777] = NAN;
    cr_expect(hs_sample_summary(hs_comm_self(), x, N, 1000, 1, &s1, &e) == HS_ERUNTIME);
    cr_expect(strstr(e.msg, "path 1777 is not finite") != NULL, "%s", e.msg);
    /* The first of several, on any thread count (each thread scans its own range). */
    x[N - 3] = -INFINITY;
    x[N / 2 + 1] = INFINITY;
    for (int threads = 1; threads <= 3; threads++) {
        cr_expect(hs_sample_summary(hs_comm_self(), x, N, 1000, threads, &s1, &e) == HS_ERUNTIME);
        cr_expect(strstr(e.msg, "path 1777 is not finite") != NULL, "%d threads: %s", threads,
                  e.msg);
    }
    x[777] = 1.0;
    cr_expect(hs_sample_summary(hs_comm_self(), x, N, 1000, 2, &s1, &e) == HS_ERUNTIME);
    cr_expect(strstr(e.msg, "is not finite") && strstr(e.msg, "path 1000") == NULL &&
                  atoll(strstr(e.msg, "path ") + 5) == 1000 + N / 2 + 1,
              "%s", e.msg);
    free(x);
    free(scratch);
}

Test(sample, pair_and_mean_std_by_hand)
{
    double x[] = {1, 2, 3, 4}, y[] = {1, 1, 1, 1}, z[] = {2, 4, 6, 8};
    hs_pair p = {.a = 3, .b = 5};
    hs_error e;
    hs_error_clear(&e);
    /* d = 0, 1, 2, 3: mean 1.5, sample variance 5/3, stderr sqrt(5/3) / 2. */
    cr_assert(hs_sample_pair(hs_comm_self(), x, y, 4, 1, &p, &e) == HS_OK);
    cr_expect(p.a == 3 && p.b == 5 && p.mean_diff == 1.5);
    cr_expect(fabs(p.stderr_diff - sqrt(5.0 / 3.0) / 2) < 1e-15);
    cr_expect(isnan(p.corr), "y is constant");
    cr_assert(hs_sample_pair(hs_comm_self(), x, z, 4, 1, &p, &e) == HS_OK);
    cr_expect(p.mean_diff == -2.5 && fabs(p.corr - 1.0) < 1e-15);
    /* By hand: u = x - 2.5 = (-1.5, -0.5, 0.5, 1.5), v = z - 5 = 2u, w = u^2 - v^2 =
     * (-6.75, -0.75, -0.75, -6.75): sum -15, var_diff -15/3 = -5 (= 5/3 - 20/3); w - mean w
     * = (-3, 3, 3, -3), std(w) = sqrt(36/3), s.e. sqrt(12)/2, var_z = -3.75 / sqrt(3);
     * std ratio sqrt(5/3 / (20/3)) = 1/2. */
    cr_expect(fabs(p.var_diff + 5.0) < 1e-14, "var_diff %g", p.var_diff);
    cr_expect(fabs(p.var_z + 3.75 / sqrt(3.0)) < 1e-14, "var_z %g", p.var_z);
    cr_expect(fabs(p.std_ratio - 0.5) < 1e-15, "std_ratio %g", p.std_ratio);
    double m, s;
    cr_assert(hs_sample_mean_std(hs_comm_self(), z, 4, 1, &m, &s, &e) == HS_OK);
    cr_expect(m == 5.0 && fabs(s - sqrt(20.0 / 3.0)) < 1e-15, "%g %g", m, s);
    /* The same sample times 2^700 and 2^1000 (squares and sums beyond the largest
     * double): the same digits times the factor, not inf. */
    for (int p2 = 700; p2 <= 1000; p2 += 300) {
        double big[4];
        for (int i = 0; i < 4; i++)
            big[i] = ldexp(z[i], p2);
        cr_assert(hs_sample_mean_std(hs_comm_self(), big, 4, 1, &m, &s, &e) == HS_OK);
        cr_expect(m == ldexp(5.0, p2) && fabs(ldexp(s, -p2) - sqrt(20.0 / 3.0)) < 1e-15,
                  "2^%d: %g %g", p2, m, s);
    }
}

Test(sample, pair_agrees_with_the_serial_one)
{
    enum { N = 150001 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    for (size_t i = 0; i < N; i++) {
        double u = ((double)(mix64(i) >> 11) + 0.5) * 0x1p-53;
        double v = ((double)(mix64(i + N) >> 11) + 0.5) * 0x1p-53;
        x[i] = log(u / (1 - u));
        y[i] = 0.8 * x[i] + 0.3 * log(v / (1 - v)) + 0.01;
    }
    hs_pair ref, p1 = {0}, p2 = {0};
    hs_pair_compute(x, y, N, &ref);
    hs_error e;
    hs_error_clear(&e);
    cr_assert(hs_sample_pair(hs_comm_self(), x, y, N, 1, &p1, &e) == HS_OK);
    cr_assert(hs_sample_pair(hs_comm_self(), x, y, N, 3, &p2, &e) == HS_OK);
    cr_expect(memcmp(&p1, &p2, sizeof p1) == 0, "1 and 3 threads differ");
    const double a[] = {p1.mean_diff, p1.stderr_diff, p1.corr};
    const double b[] = {ref.mean_diff, ref.stderr_diff, ref.corr};
    for (int i = 0; i < 3; i++)
        cr_expect(fabs(a[i] - b[i]) <= 1e-11 * fabs(b[i]), "field %d: %.17g vs %.17g", i, a[i],
                  b[i]);
    free(x);
    free(y);
}

/* The range scan (min, max, first non-finite value) on 1-3 threads, with the extremes
 * and the bad values at the ends of the threads' ranges (n t / T), where an off-by-one
 * in a range would miss them. */
Test(sample, extremes_and_bad_values_at_the_ends_of_thread_ranges)
{
    enum { N = 200004 }; /* ranges [0, 100002) and [100002, N) on 2 threads; 66668 on 3 */
    double *x = malloc(N * sizeof *x);
    for (size_t i = 0; i < N; i++)
        x[i] = 0.5 + 1e-6 * (double)(i % 1000);
    x[0] = -5.0;
    x[N - 1] = 7.0;
    x[N / 2 - 1] = -6.0; /* last of the first half */
    x[N / 2] = 9.0;      /* first of the second */
    x[N / 3] = 8.0;      /* first of the second third */
    for (int t = 1; t <= 3; t++) {
        hs_summary s = summary(x, N, t);
        cr_expect(s.min == -6.0 && s.max == 9.0, "%d threads: min %g max %g", t, s.min, s.max);
    }
    x[N / 2] = NAN;
    x[N - 1] = -INFINITY;
    hs_error e;
    hs_summary s;
    for (int t = 1; t <= 3; t++) {
        cr_expect(hs_sample_summary(hs_comm_self(), x, N, 0, t, &s, &e) == HS_ERUNTIME);
        cr_expect(strstr(e.msg, "path 100002 is not finite") != NULL, "%d threads: %s", t, e.msg);
    }
    x[N / 2] = 1.0;
    for (int t = 1; t <= 3; t++) {
        cr_expect(hs_sample_summary(hs_comm_self(), x, N, 0, t, &s, &e) == HS_ERUNTIME);
        cr_expect(strstr(e.msg, "path 200003 is not finite") != NULL, "%d threads: %s", t, e.msg);
    }
    free(x);
}

/* The sums' rule, bit for bit (the top of sample.c): each group of 256 paths summed in
 * double in path order, the group sums added exactly and rounded once.  A known answer:
 * every group starts 2^53, 1, -2^53, so in path order its 1 is lost (2^53 + 1 rounds to
 * 2^53) and the mean is exactly 0.25, the value of the other paths; any other order of
 * a group's adds keeps some of the ones.  Then the moments of a random sample against
 * the rule written out here, on 1-3 threads (the passes take several groups at once). */
Test(sample, group_sums_in_path_order_bit_for_bit)
{
    enum { G = 256, N = 256 * 300 + 17 }; /* 300 whole groups and a partial one */
    double *x = malloc(N * sizeof *x);
    for (size_t i = 0; i < N; i++)
        x[i] = 0.25;
    for (size_t g = 0; g + 3 <= N; g += G) {
        x[g] = 0x1p53;
        x[g + 1] = 1.0;
        x[g + 2] = -0x1p53;
    }
    for (int t = 1; t <= 3; t++) {
        hs_summary s = summary(x, N, t);
        /* Each group's sum is 0.25 times its paths but three (2^53 + 1 - 2^53 gives 0):
         * (N - 3 * 301) * 0.25 in all, exact, over N. */
        double want = (double)(N - 3 * 301) * 0.25 / (double)N;
        cr_expect(s.mean == want, "%d threads: mean %a, expected %a", t, s.mean, want);
    }

    uint64_t r = 12345;
    for (size_t i = 0; i < N; i++) {
        r = r * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        x[i] = ((double)(r >> 11) * 0x1p-53 - 0.3) * 3.0 + (i % 97 == 0 ? 40.0 : 0.0);
    }
    hs_xsum sum, dev[3];
    hs_xsum_init(&sum);
    for (size_t lo = 0; lo < N; lo += G) {
        double a = 0.0;
        for (size_t i = lo; i < lo + G && i < N; i++)
            a += x[i];
        hs_xsum_add(&sum, a);
    }
    double mean = hs_xsum_round(&sum) / (double)N, lo = x[0], hi = x[0];
    for (size_t i = 0; i < N; i++)
        lo = fmin(lo, x[i]), hi = fmax(hi, x[i]);
    int e;
    (void)frexp(fmax(0.5 * hi - 0.5 * mean, 0.5 * mean - 0.5 * lo), &e);
    int k = -(e + 1);
    double c = ldexp(1.0, k);
    for (int j = 0; j < 3; j++)
        hs_xsum_init(&dev[j]);
    for (size_t g = 0; g < N; g += G) {
        double a[3] = {0, 0, 0};
        for (size_t i = g; i < g + G && i < N; i++) {
            double d = (x[i] - mean) * c, d2 = d * d;
            a[0] += d2;
            a[1] += d2 * d;
            a[2] += d2 * d2;
        }
        for (int j = 0; j < 3; j++)
            hs_xsum_add(&dev[j], a[j]);
    }
    double m[3];
    for (int j = 0; j < 3; j++)
        m[j] = hs_xsum_round(&dev[j]);
    double sd = sqrt(m[0] / (double)(N - 1)), s2 = sd * sd;
    double want[4] = {mean, ldexp(sd, -k), m[1] / (s2 * sd) / (double)N,
                      m[2] / (s2 * s2) / (double)N - 3.0};
    for (int t = 1; t <= 3; t++) {
        hs_summary s = summary(x, N, t);
        double got[4] = {s.mean, s.std, s.skew, s.exkurt};
        for (int j = 0; j < 4; j++)
            cr_expect(memcmp(&got[j], &want[j], sizeof got[j]) == 0,
                      "%d threads, field %d: %.17g, the rule gives %.17g", t, j, got[j], want[j]);
    }
    free(x);
}
