/*
 * Summary statistics of a sample spread over the ranks of a run (sample.h): the fields
 * and definitions of stats.h (moments as GSL defines them, type-7 quantiles, VaR, ES of
 * the k = ceil(n p) lowest outcomes), computed so that no number depends on how the
 * sample is split among ranks and threads:
 *
 *   mean       = round(sum x_i) / n, the sum formed per group of 256 paths (one engine
 *                block: never split between ranks or threads) in double in path order,
 *                the group sums added exactly (xsum.h) and rounded once;
 *   m_j        = round(sum d_i^j), j = 2, 3, 4, d_i = 2^k (x_i - mean) as in stats.c;
 *   order stat = the exact value of a rank (select.h): integer counts over the ranks;
 *   ES_p       = -(sum of the values below t + (k - #below t) t) / k, t the value of
 *                rank k - 1, the sum exact.
 *
 * Each part of a sum is formed on one thread over a chunk of this rank's values; exact
 * sums make the order of merging irrelevant, so threads and ranks never change a bit.
 * The quantile interpolation is GSL's gsl_stats_quantile_from_sorted_data, written out
 * on the two values it reads.  Against stats.c (GSL's long-double running mean), the
 * mean and the sums behind std, skew, kurtosis and ES can differ in the last bit; the
 * order statistics are the same values.
 */
#include "sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parallel/reduce.h"
#include "select.h"
#include "parallel/xsum.h"
#include "simd.h"

/* ceil(n m / 100) in integer arithmetic: in floating point (1 - 0.95) * 100 is
 * 5.000000000000004 and its ceiling 6, which would put one observation too many in the
 * 95% expected shortfall.  Quotient plus remainder, so that it cannot overflow. */
static uint64_t ceil_percent(uint64_t n, uint64_t m)
{
    return n / 100 * m + (n % 100 * m + 99) / 100;
}

static int comm_sum(void *ctx, uint64_t *buf, size_t n)
{
    return hs_comm_sum_u64(ctx, buf, n);
}

/* Paths per group: a block of the engine, never split between ranks or threads. */
#define GROUP 256

/* Chunks of the local values, one per thread at most, of whole groups. */
static size_t chunks_of(size_t n, int threads)
{
    size_t t = threads > 1 ? (size_t)threads : 1;
    return n < 65536 ? 1 : t;
}

/* acc[0..ns) = the sums f forms in double, in path order, over [lo, hi) (one group). */
typedef void (*chunk_fn)(size_t lo, size_t hi, const void *arg, double *acc);

/* The same sums over the QUAD whole groups from lo at once, acc[g] for the group at
 * lo + g GROUP: each group's sums are the same adds in the same order as f's, in
 * independent chains that run side by side (one chain was bound by the latency of an
 * add: 3-4 cycles a value).  Returns 0 where it does not apply (f is then used). */
#define QUAD 4
typedef int (*quad_fn)(size_t lo, const void *arg, double (*acc)[6]);

/* s[0..ns) += the sums of f over [0, n): each group of GROUP paths (the local index
 * counts from a multiple of GROUP: ranks hold whole blocks) is summed in double in path
 * order, the same whatever the split, and the group sums are added exactly; chunks of
 * whole groups run on the threads.  ns <= 6.  fq (or NULL) takes whole groups four at a
 * time; the group sums are added in group order either way. */
static int sum_chunks(size_t n, int threads, chunk_fn f, quad_fn fq, const void *arg, hs_xsum *s,
                      size_t ns)
{
    size_t nc = chunks_of(n, threads), groups = (n + GROUP - 1) / GROUP;
    hs_xsum *part = malloc(nc * ns * sizeof *part);
    if (!part)
        return -1;
#pragma omp parallel for num_threads((int)nc) if (nc > 1) schedule(static, 1)
    for (size_t c = 0; c < nc; c++) {
        size_t g0 = groups * c / nc, g1 = groups * (c + 1) / nc;
        for (size_t j = 0; j < ns; j++)
            hs_xsum_init(&part[c * ns + j]);
        for (size_t g = g0; g < g1;) {
            double acc[QUAD][6] = {{0}};
            size_t lo = g * GROUP, k = 1;
            if (fq && g + QUAD <= g1 && lo + QUAD * GROUP <= n && fq(lo, arg, acc)) {
                k = QUAD;
            } else {
                size_t hi = lo + GROUP < n ? lo + GROUP : n;
                f(lo, hi, arg, acc[0]);
            }
            for (size_t q = 0; q < k; q++)
                for (size_t j = 0; j < ns; j++)
                    hs_xsum_add(&part[c * ns + j], acc[q][j]);
            g += k;
        }
    }
    for (size_t c = 0; c < nc; c++)
        for (size_t j = 0; j < ns; j++)
            hs_xsum_merge(&s[j], &part[c * ns + j]);
    free(part);
    return 0;
}

typedef struct sum_arg {
    const double *x;
    int scale;
} sum_arg;

/* The plain sum, scaled by 2^-scale (exact: a power of two) so that it cannot overflow. */
static void sum_x(size_t lo, size_t hi, const void *arg, double *acc)
{
    const sum_arg *a = arg;
    if (a->scale)
        for (size_t i = lo; i < hi; i++)
            acc[0] += ldexp(a->x[i], -a->scale);
    else
        for (size_t i = lo; i < hi; i++)
            acc[0] += a->x[i];
}

/* sum_x over four whole groups (scale 0 only). */
HS_KERNEL static int sum_x_quad(size_t lo, const void *arg, double (*acc)[6])
{
    const sum_arg *a = arg;
    if (a->scale)
        return 0;
    const double *x = a->x + lo;
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    for (size_t i = 0; i < GROUP; i++) {
        s0 += x[i];
        s1 += x[GROUP + i];
        s2 += x[2 * GROUP + i];
        s3 += x[3 * GROUP + i];
    }
    acc[0][0] = s0, acc[1][0] = s1, acc[2][0] = s2, acc[3][0] = s3;
    return 1;
}

typedef struct dev_arg {
    const double *x;
    double mean, c;
    int k, e, direct;
} dev_arg;

/* Sums of d^2, d^3, d^4 with d the deviation scaled as stats.c scales it. */
static void sum_dev(size_t lo, size_t hi, const void *arg, double *acc)
{
    const dev_arg *a = arg;
    const double *x = a->x;
    for (size_t i = lo; i < hi; i++) {
        double d = a->direct     ? (x[i] - a->mean) * a->c
                   : a->e < 1022 ? ldexp(x[i] - a->mean, a->k)
                                 : ldexp(x[i], a->k) - ldexp(a->mean, a->k);
        double d2 = d * d;
        acc[0] += d2;
        acc[1] += d2 * d;
        acc[2] += d2 * d2;
    }
}

/* sum_dev over four whole groups (the direct scaling only). */
HS_KERNEL static int sum_dev_quad(size_t lo, const void *arg, double (*acc)[6])
{
    const dev_arg *a = arg;
    if (!a->direct)
        return 0;
    const double *x = a->x + lo;
    double s[QUAD][3] = {{0}};
    for (size_t i = 0; i < GROUP; i++)
        for (size_t g = 0; g < QUAD; g++) {
            double d = (x[g * GROUP + i] - a->mean) * a->c;
            double d2 = d * d;
            s[g][0] += d2;
            s[g][1] += d2 * d;
            s[g][2] += d2 * d2;
        }
    for (size_t g = 0; g < QUAD; g++)
        for (size_t j = 0; j < 3; j++)
            acc[g][j] = s[g][j];
    return 1;
}

typedef struct below_arg {
    const double *x;
    uint64_t key[2];
} below_arg;

/* The values of x[lo, hi) (at most GROUP) whose key is below `below`, in path order, and
 * their keys: a list formed without a branch (a value is below for about one in twenty,
 * and the branch mispredicted). */
HS_KERNEL static size_t list_below(const double *x, size_t lo, size_t hi, uint64_t below,
                                   double *v, uint64_t *kv)
{
    size_t m = 0;
    for (size_t i = lo; i < hi; i++) {
        uint64_t k = hs_select_key(x[i]);
        v[m] = x[i];
        kv[m] = k;
        m += k < below;
    }
    return m;
}

/* Sums of the values whose key is below each of two thresholds, key[1] <= key[0] (the
 * ES thresholds at 1% and 5%): each sum adds the same values in the same order as a loop
 * over all values would, over the short list of those below key[0]. */
static void sum_below(size_t lo, size_t hi, const void *arg, double *acc)
{
    const below_arg *a = arg;
    double v[GROUP];
    uint64_t kv[GROUP];
    size_t m = list_below(a->x, lo, hi, a->key[0], v, kv);
    for (size_t j = 0; j < m; j++) {
        acc[0] += v[j];
        if (kv[j] < a->key[1])
            acc[1] += v[j];
    }
}

/* Over x[lo, hi): r[0] = the first path (first + i) whose value is not finite
 * (UINT64_MAX: none), r[1] and r[2] = the least and greatest key of the finite values.
 * The main loop has no branch and only OR, min and max reductions, so that it
 * vectorises; a non-finite value (an error of the run) is then found by a second loop. */
HS_KERNEL static void scan_range(const double *x, size_t lo, size_t hi, uint64_t first,
                                 uint64_t *r)
{
    uint64_t kmin = UINT64_MAX, kmax = 0, nonfinite = 0;
    for (size_t i = lo; i < hi; i++) {
        uint64_t b;
        memcpy(&b, &x[i], sizeof b);
        uint64_t bad = (b & ~(UINT64_C(1) << 63)) >= UINT64_C(0x7ff0000000000000); /* 0 or 1 */
        /* A non-finite value's key made neutral for the minimum (all ones) and the
         * maximum (0). */
        uint64_t k = hs_select_key(x[i]);
        uint64_t lo_k = k | (0 - bad), hi_k = k & (bad - 1);
        nonfinite |= bad;
        kmin = lo_k < kmin ? lo_k : kmin;
        kmax = hi_k > kmax ? hi_k : kmax;
    }
    r[0] = UINT64_MAX;
    for (size_t i = lo; nonfinite && i < hi; i++)
        if (!isfinite(x[i])) {
            r[0] = first + i;
            break;
        }
    r[1] = kmin;
    r[2] = kmax;
}

/* gsl_stats_quantile_from_sorted_data on the two values it reads. */
static double quantile(double lo, double hi, double delta, int at_end)
{
    return at_end ? lo : (1 - delta) * lo + delta * hi;
}

/* s += v c exactly (c < 2^53): the error-free product p + e, e = fma(v, c, -p). */
static void add_product(hs_xsum *s, double v, uint64_t c)
{
    double p = v * (double)c;
    hs_xsum_add(s, p);
    hs_xsum_add(s, fma(v, (double)c, -p));
}

hs_status hs_sample_summary(const hs_comm *c, const double *x, size_t n, uint64_t first,
                            int threads, hs_summary *out, hs_error *err)
{
    /* The sample's size, its first non-finite value (by path), its range. */
    uint64_t bad = UINT64_MAX;
    uint64_t kmin = UINT64_MAX, kmax = 0;
    /* On the threads: minima and maxima of integers, the same in any order. */
    int nt = threads > 1 && n >= 131072 ? threads : 1;
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(static, 1)                         \
    reduction(min : bad, kmin) reduction(max : kmax)
    for (int t = 0; t < nt; t++) {
        uint64_t r[3];
        scan_range(x, n * (size_t)t / (size_t)nt, n * (size_t)(t + 1) / (size_t)nt, first, r);
        bad = r[0] < bad ? r[0] : bad;
        kmin = r[1] < kmin ? r[1] : kmin;
        kmax = r[2] > kmax ? r[2] : kmax;
    }
    uint64_t total = n, mx[3] = {~bad, ~kmin, kmax};
    if (hs_comm_sum_u64(c, &total, 1) || hs_comm_max_u64(c, mx, 3))
        return hs_error_set(err, HS_ERUNTIME, "summary statistics: the reduction failed");
    if (total < 2)
        return hs_error_set(err, HS_ERUNTIME, "summary statistics need at least 2 values, got %llu",
                            (unsigned long long)total);
    if (~mx[0] != UINT64_MAX)
        return hs_error_set(err, HS_ERUNTIME,
                            "summary statistics: the value of path %llu is not finite (n = %llu)",
                            (unsigned long long)~mx[0], (unsigned long long)total);
    double lo = hs_select_value(~mx[1]), hi = hs_select_value(mx[2]);

    hs_summary s;
    memset(&s, 0, sizeof s);
    s.n = (size_t)total;
    /* The mean: an exact sum, scaled down when it could exceed the largest double. */
    int scale = fmax(fabs(lo), fabs(hi)) >= 0x1p960 ? 64 : 0;
    hs_xsum sum;
    hs_xsum_init(&sum);
    sum_arg sa = {x, scale};
    if (sum_chunks(n, threads, sum_x, sum_x_quad, &sa, &sum, 1) || hs_comm_sum_xsum(c, &sum, 1))
        return hs_error_set(err, HS_ERUNTIME, "summary statistics: out of memory or reduction");
    s.mean = ldexp(hs_xsum_round(&sum) / (double)total, scale);

    /* Central moments over deviations scaled by 2^k (stats.c). */
    double half = fmax(0.5 * hi - 0.5 * s.mean, 0.5 * s.mean - 0.5 * lo);
    double m[3] = {0, 0, 0};
    int k = 0;
    if (half > 0.0) {
        dev_arg a;
        (void)frexp(half, &a.e);
        k = a.k = -(a.e + 1);
        a.direct = a.k > -1000 && a.k < 1000 && a.e < 1022;
        a.c = a.direct ? ldexp(1.0, a.k) : 1.0;
        a.mean = s.mean;
        a.x = x;
        hs_xsum dev[3];
        for (int j = 0; j < 3; j++)
            hs_xsum_init(&dev[j]);
        if (sum_chunks(n, threads, sum_dev, sum_dev_quad, &a, dev, 3) ||
            hs_comm_sum_xsum(c, dev, 3))
            return hs_error_set(err, HS_ERUNTIME, "summary statistics: out of memory or reduction");
        for (int j = 0; j < 3; j++)
            m[j] = hs_xsum_round(&dev[j]);
    }
    double std_scaled = sqrt(m[0] / (double)(total - 1));
    s.std = ldexp(std_scaled, -k);
    s.stderr_mean = s.std / sqrt((double)total);
    if (std_scaled > 0.0) {
        double s2 = std_scaled * std_scaled;
        s.skew = m[1] / (s2 * std_scaled) / (double)total;
        s.exkurt = m[2] / (s2 * s2) / (double)total - 3.0;
    }

    /* Order statistics: the two ranks each quantile reads, and the ES thresholds. */
    const double p[5] = {0.01, 0.05, 0.50, 0.95, 0.99};
    uint64_t ranks[12], below[12];
    double val[12], delta[5];
    for (int j = 0; j < 5; j++) {
        double index = p[j] * (double)(total - 1);
        uint64_t lhs = (uint64_t)index;
        delta[j] = index - (double)lhs;
        ranks[2 * j] = lhs;
        ranks[2 * j + 1] = lhs + 1 < total ? lhs + 1 : lhs;
    }
    uint64_t kes[2] = {ceil_percent(total, 5), ceil_percent(total, 1)};
    ranks[10] = kes[0] - 1;
    ranks[11] = kes[1] - 1;
    hs_reduce red = {comm_sum, (void *)c};
    /* One process holds the whole sample: no reduction (select.h: red == NULL). */
    hs_status st = hs_select(x, n, ranks, 12, hs_comm_size(c) > 1 ? &red : NULL, threads, val,
                             below, err);
    if (st)
        return st;
    s.min = lo;
    s.max = hi;
    double *q[5] = {&s.q01, &s.q05, &s.q50, &s.q95, &s.q99};
    for (int j = 0; j < 5; j++)
        *q[j] = quantile(val[2 * j], val[2 * j + 1], delta[j], ranks[2 * j] == total - 1);
    s.var95 = -s.q05;
    s.var99 = -s.q01;
    below_arg ba = {x, {hs_select_key(val[10]), hs_select_key(val[11])}};
    hs_xsum tail[2];
    hs_xsum_init(&tail[0]);
    hs_xsum_init(&tail[1]);
    if (sum_chunks(n, threads, sum_below, NULL, &ba, tail, 2) || hs_comm_sum_xsum(c, tail, 2))
        return hs_error_set(err, HS_ERUNTIME, "summary statistics: out of memory or reduction");
    double es[2];
    for (int j = 0; j < 2; j++) {
        add_product(&tail[j], val[10 + j], kes[j] - below[10 + j]);
        es[j] = -hs_xsum_round(&tail[j]) / (double)kes[j];
    }
    s.es95 = es[0];
    s.es99 = es[1];

    const double fields[] = {s.mean, s.std, s.stderr_mean, s.skew, s.exkurt, s.q01,
                             s.q05,  s.q50, s.q95,         s.q99,  s.es95,   s.es99};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (!isfinite(fields[i]))
            return hs_error_set(err, HS_ERUNTIME,
                                "summary statistics overflowed (mean %g, std %g): values "
                                "too large in magnitude",
                                s.mean, s.std);
    *out = s;
    return HS_OK;
}

/* ------------------------------------------------------------ pairs, mean and std */

typedef struct pair_arg {
    const double *x, *y;
    double md, mx, my;
} pair_arg;

/* Sums of d = fl(x - y), x and y. */
static void sum_pair1(size_t lo, size_t hi, const void *arg, double *acc)
{
    const pair_arg *a = arg;
    for (size_t i = lo; i < hi; i++) {
        acc[0] += a->x[i] - a->y[i];
        acc[1] += a->x[i];
        acc[2] += a->y[i];
    }
}

/* Sums of (d - md)^2, (x - mx)^2, (y - my)^2, (x - mx)(y - my), and of w^2 and w with
 * w = (x - mx)^2 - (y - my)^2 (the paired comparison of the variances). */
static void sum_pair2(size_t lo, size_t hi, const void *arg, double *acc)
{
    const pair_arg *a = arg;
    for (size_t i = lo; i < hi; i++) {
        double d = a->x[i] - a->y[i] - a->md, u = a->x[i] - a->mx, v = a->y[i] - a->my;
        double w = u * u - v * v;
        acc[0] += d * d;
        acc[1] += u * u;
        acc[2] += v * v;
        acc[3] += u * v;
        acc[4] += w * w;
        acc[5] += w;
    }
}

hs_status hs_sample_pair(const hs_comm *c, const double *x, const double *y, size_t n, int threads,
                         hs_pair *out, hs_error *err)
{
    uint64_t total = n;
    if (hs_comm_sum_u64(c, &total, 1))
        return hs_error_set(err, HS_ERUNTIME, "paired comparison: the reduction failed");
    if (total < 2)
        return hs_error_set(err, HS_ERUNTIME, "paired comparison needs 2 paths, got %llu",
                            (unsigned long long)total);
    pair_arg a = {x, y, 0, 0, 0};
    hs_xsum s[6];
    for (int j = 0; j < 6; j++)
        hs_xsum_init(&s[j]);
    if (sum_chunks(n, threads, sum_pair1, NULL, &a, s, 3) || hs_comm_sum_xsum(c, s, 3))
        return hs_error_set(err, HS_ERUNTIME, "paired comparison: out of memory or reduction");
    double nn = (double)total;
    a.md = hs_xsum_round(&s[0]) / nn;
    a.mx = hs_xsum_round(&s[1]) / nn;
    a.my = hs_xsum_round(&s[2]) / nn;
    for (int j = 0; j < 6; j++)
        hs_xsum_init(&s[j]);
    if (sum_chunks(n, threads, sum_pair2, NULL, &a, s, 6) || hs_comm_sum_xsum(c, s, 6))
        return hs_error_set(err, HS_ERUNTIME, "paired comparison: out of memory or reduction");
    double sdd = hs_xsum_round(&s[0]), sxx = hs_xsum_round(&s[1]);
    double syy = hs_xsum_round(&s[2]), sxy = hs_xsum_round(&s[3]);
    size_t ia = out->a, ib = out->b;
    memset(out, 0, sizeof *out);
    out->a = ia;
    out->b = ib;
    out->mean_diff = a.md;
    out->stderr_diff = sqrt(sdd / (nn - 1)) / sqrt(nn);
    out->z = out->stderr_diff > 0 ? a.md / out->stderr_diff : 0.0;
    out->ci95 = (hs_interval){a.md - HS_Z95 * out->stderr_diff, a.md + HS_Z95 * out->stderr_diff};
    out->corr = sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
    /* The variances compared on the same paths: the mean of w and its standard error,
     * from the exact sums of w and of w^2. */
    double sw = hs_xsum_round(&s[5]);
    double mw = sw / nn, sww = hs_xsum_round(&s[4]) - nn * mw * mw;
    double se_w = sww > 0 ? sqrt(sww / (nn - 1)) / sqrt(nn) : 0.0;
    out->var_diff = sw / (nn - 1);
    out->var_z = se_w > 0 ? mw / se_w : 0.0;
    out->std_ratio = syy > 0 ? sqrt(sxx / syy) : NAN;
    return HS_OK;
}

typedef struct ms_arg {
    const double *x;
    double mean;
    int scale, k; /* the sum is of x 2^-scale, the squares of (x - mean) 2^k */
} ms_arg;

/* Squared deviations, scaled by 2^k (exact) when values are so large that their squares
 * would overflow; k = 0 below 2^500, where nothing is scaled. */
static void sum_sq(size_t lo, size_t hi, const void *arg, double *acc)
{
    const ms_arg *a = arg;
    if (a->k)
        for (size_t i = lo; i < hi; i++) {
            double d = ldexp(a->x[i], a->k) - ldexp(a->mean, a->k);
            acc[0] += d * d;
        }
    else
        for (size_t i = lo; i < hi; i++) {
            double d = a->x[i] - a->mean;
            acc[0] += d * d;
        }
}

hs_status hs_sample_mean_std(const hs_comm *c, const double *x, size_t n, int threads, double *mean,
                             double *std, hs_error *err)
{
    /* The largest |x| over every part (the bits of a non-negative double order as it
     * does), which sets the scalings: the same on any split. */
    uint64_t total = n, big = 0;
    for (size_t i = 0; i < n; i++) {
        double ax = fabs(x[i]);
        uint64_t b;
        memcpy(&b, &ax, sizeof b);
        big = b > big ? b : big;
    }
    if (hs_comm_sum_u64(c, &total, 1) || hs_comm_max_u64(c, &big, 1))
        return hs_error_set(err, HS_ERUNTIME, "mean and std: the reduction failed");
    double top;
    memcpy(&top, &big, sizeof top);
    hs_xsum s;
    hs_xsum_init(&s);
    ms_arg a = {x, 0, top >= 0x1p960 ? 64 : 0, 0};
    sum_arg sa = {x, a.scale}; /* the summary's scaled plain sum */
    if (sum_chunks(n, threads, sum_x, sum_x_quad, &sa, &s, 1) || hs_comm_sum_xsum(c, &s, 1))
        return hs_error_set(err, HS_ERUNTIME, "mean and std: out of memory or reduction");
    a.mean = total ? ldexp(hs_xsum_round(&s) / (double)total, a.scale) : 0.0;
    if (isfinite(top) && top >= 0x1p500) {
        int e;
        (void)frexp(top, &e);
        a.k = -(e + 1);
    }
    hs_xsum_init(&s);
    if (sum_chunks(n, threads, sum_sq, NULL, &a, &s, 1) || hs_comm_sum_xsum(c, &s, 1))
        return hs_error_set(err, HS_ERUNTIME, "mean and std: out of memory or reduction");
    *mean = a.mean;
    *std = total > 1 ? ldexp(sqrt(hs_xsum_round(&s) / (double)(total - 1)), -a.k) : 0.0;
    return HS_OK;
}
