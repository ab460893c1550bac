/*
 * Private: function multiversioning and lane padding for the hot loops.
 *
 * HS_KERNEL compiles a function three times, for x86-64-v4 (AVX-512), x86-64-v3 (AVX2,
 * FMA) and the baseline (SSE2), and picks one at load time from the CPU.  The kernels'
 * elementary functions come from vmath.h, written with +, -, *, / and bit operations
 * only (no libmvec, no fused multiply-add unless written as fma()), and results are
 * compiled with -ffp-contract=off: each clone rounds every operation as the C source
 * says, so all three give the same bits (tests/cli/clones.sh runs the baseline and v3
 * clones under qemu and compares).  Every lane of a block goes through the same code
 * (blocks are padded to HS_PAD lanes), so a path's result never depends on its lane; it
 * is the same for any thread count.
 */
#ifndef HEDGESIM_SIMD_H
#define HEDGESIM_SIMD_H

#include <math.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(HS_NO_CLONES)
#define HS_KERNEL __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HS_KERNEL
#endif

/* A few kernels also have a hand-written AVX-512 part (HS_TARGET_V4, taken when
 * hs_cpu_v4() says the CPU runs x86-64-v4) for what GCC does not vectorise: compressing
 * the lanes that take a rare branch into a dense list and expanding the results back
 * (vcompresspd, vexpandpd).  Such parts only move data; every value is computed by the
 * same C code as in the other clones, so the bits do not change. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(HS_NO_CLONES)
#define HS_HAVE_V4_PATHS 1
#define HS_TARGET_V4 __attribute__((target("arch=x86-64-v4")))
static inline int hs_cpu_v4(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
}
#else
#define HS_HAVE_V4_PATHS 0
#endif

/* Lanes are processed in multiples of HS_PAD so no lane takes a scalar remainder path:
 * 8 doubles are one AVX-512 vector (two AVX2, four SSE2). */
#define HS_PAD 8
#define HS_PADDED(n) (((n) + HS_PAD - 1) / HS_PAD * HS_PAD)

#endif
