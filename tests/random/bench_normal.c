/*
 * Micro-benchmark (not a test): ns per normal of hs_normal_fill_lanes on one block of
 * 256 pcg32 lanes, as the path models call it, beside the uniform fill, the inversion
 * alone (on uniforms over (0, 1), and on uniforms squeezed into the central region, so
 * that the difference over 0.15 is the cost of a tail lane) and the scalar reference
 * loop (hs_pcg32_normal lane by lane).  Prints the median of `reps` timings of `iters`
 * fills each.  Usage: bench_normal [iters] [reps]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hedgesim/rng.h"

#define LANES 256

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static volatile double sink;

enum { FILL, UNIFORM, ICDF, CENTRAL, SCALAR, KINDS };
static const char *names[KINDS] = {"hs_normal_fill_lanes", "hs_uniform_fill_lanes",
                                   "hs_normal_icdf_lanes", "  the same, no tail lanes",
                                   "scalar hs_pcg32_normal"};

static double run(int kind, hs_pcg32_lanes *l, double *z, double *u, long iters)
{
    double t0 = now();
    for (long it = 0; it < iters; it++) {
        switch (kind) {
        case FILL:
            hs_normal_fill_lanes(l, z, LANES);
            break;
        case UNIFORM:
            hs_uniform_fill_lanes(l, z, LANES);
            break;
        case ICDF:
            hs_normal_icdf_lanes(u + (size_t)(it & 63) * LANES, z, LANES);
            break;
        case CENTRAL:
            hs_normal_icdf_lanes(u + (size_t)(64 + (it & 63)) * LANES, z, LANES);
            break;
        default:
            for (size_t i = 0; i < LANES; i++) {
                hs_pcg32 g = hs_pcg32_lanes_get(l, i);
                z[i] = hs_pcg32_normal(&g);
                l->state[i] = g.state;
            }
        }
        sink += z[it & (LANES - 1)];
    }
    return (now() - t0) / ((double)iters * LANES) * 1e9;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 20000;
    int reps = argc > 2 ? atoi(argv[2]) : 7;
    if (iters <= 0 || reps <= 0 || reps > 99)
        return 2;
    hs_pcg32_lanes *l = hs_pcg32_lanes_alloc(LANES);
    double *z = malloc(sizeof(double) * LANES), *u = malloc(sizeof(double) * LANES * 128);
    if (!l || !z || !u)
        return 1;
    for (size_t i = 0; i < LANES; i++)
        hs_pcg32_lanes_seed_path(l, i, 42, i);
    for (size_t k = 0; k < 64; k++)
        hs_uniform_fill_lanes(l, u + k * LANES, LANES);
    /* The second 64 blocks: the same uniforms mapped into [0.0755, 0.9245], where
     * |u - 1/2| <= 0.425 and AS 241 uses its central formula only. */
    for (size_t i = 0; i < 64 * (size_t)LANES; i++)
        u[64 * LANES + i] = 0.5 + 0.849 * (u[i] - 0.5);
    double t[KINDS][99];
    for (int r = 0; r < reps; r++) /* interleaved, so that noise hits every kind */
        for (int k = 0; k < KINDS; k++)
            t[k][r] = run(k, l, z, u, iters);
    for (int k = 0; k < KINDS; k++) {
        qsort(t[k], (size_t)reps, sizeof(double), cmp);
        printf("%-24s %6.3f ns per value (median of %d x %ld x %d)\n", names[k], t[k][reps / 2],
               reps, iters, LANES);
    }
    size_t tails = 0;
    for (size_t i = 0; i < 64 * (size_t)LANES; i++)
        tails += u[i] < 0.075 || u[i] > 0.925;
    double share = (double)tails / (64.0 * LANES);
    printf("a tail lane costs %.2f ns more (%.1f%% of the uniforms are tail lanes)\n",
           (t[ICDF][reps / 2] - t[CENTRAL][reps / 2]) / share, 100.0 * share);
    /* A checksum of 1000 fills from fixed seeds, to compare builds for different
     * instruction sets (which must agree bit for bit). */
    uint64_t sum = 0;
    for (size_t i = 0; i < LANES; i++)
        hs_pcg32_lanes_seed_path(l, i, 7, i);
    for (int k = 0; k < 1000; k++) {
        hs_normal_fill_lanes(l, z, LANES);
        for (size_t i = 0; i < LANES; i++) {
            uint64_t bits;
            memcpy(&bits, &z[i], sizeof bits);
            sum = (sum ^ bits) * UINT64_C(0x100000001b3);
        }
    }
    printf("checksum of 256 lanes x 1000 fills: %016llx\n", (unsigned long long)sum);
    hs_pcg32_lanes_free(l);
    free(z);
    free(u);
    return 0;
}
