/*
 * Micro-benchmark (not a test): ns per element of src/vmath.h's hs_vexp and hs_vnorm_cdf
 * against glibc's libmvec exp and erfc (Phi = erfc(-x / sqrt 2) / 2, as the delta kernel
 * computed it before), and of hs_vnorm_cdf_body (Phi's body fit alone, which the delta
 * kernel takes when every lane's |d1| is below 3), each in a `#pragma omp simd` loop over
 * 4096 doubles, as the kernels use them.  scripts/bench_vmath builds it for one -march and prints the median
 * of 9 repetitions of each, interleaved.
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../src/vmath.h"

#pragma omp declare simd notinbranch
extern double exp(double);
#pragma omp declare simd notinbranch
extern double erfc(double);

#define N 4096
#define REPS 2000
static double in_exp[N], in_cdf[N], out[N];
static volatile double sink;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

__attribute__((noipa)) static void k_libm_exp(double d)
{
#pragma omp simd
    for (int i = 0; i < N; i++)
        out[i] = exp(in_exp[i] + d);
}
__attribute__((noipa)) static void k_vexp(double d)
{
#pragma omp simd
    for (int i = 0; i < N; i++)
        out[i] = hs_vexp(in_exp[i] + d);
}
__attribute__((noipa)) static void k_libm_erfc(double d)
{
#pragma omp simd
    for (int i = 0; i < N; i++)
        out[i] = 0.5 * erfc(-0.70710678118654752440 * (in_cdf[i] + d));
}
__attribute__((noipa)) static void k_vcdf(double d)
{
#pragma omp simd
    for (int i = 0; i < N; i++)
        out[i] = hs_vnorm_cdf(in_cdf[i] + d);
}
__attribute__((noipa)) static void k_vcdf_body(double d)
{
#pragma omp simd
    for (int i = 0; i < N; i++)
        out[i] = hs_vnorm_cdf_body(in_cdf[i] + d);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    enum { K = 5 };
    void (*kern[K])(double) = {k_libm_exp, k_vexp, k_libm_erfc, k_vcdf, k_vcdf_body};
    const char *name[K] = {"libmvec exp", "hs_vexp", "libmvec erfc (Phi)", "hs_vnorm_cdf",
                           "hs_vnorm_cdf_body"};
    double t[K][9];
    for (int i = 0; i < N; i++) {
        in_exp[i] = 4.6 + 0.3 * sin(i);  /* log spots near ln 100 */
        in_cdf[i] = 2.99 * sin(0.37 * i); /* d1 inside (-3, 3), the body */
    }
    for (int r = 0; r < 9; r++)
        for (int k = 0; k < K; k++) {
            double t0 = now();
            for (int j = 0; j < REPS; j++)
                kern[k](1e-9 * j);
            sink += out[N / 2];
            t[k][r] = (now() - t0) / ((double)REPS * N) * 1e9;
        }
    for (int k = 0; k < K; k++) {
        qsort(t[k], 9, sizeof(double), cmp);
        printf("%-20s %6.3f ns/element (median of 9; min %.3f)\n", name[k], t[k][4], t[k][0]);
    }
    return 0;
}
