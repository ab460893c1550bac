/*
 * Private: vectorised elementary functions for the hot loops.
 *
 * glibc's libmvec provides SIMD versions of exp, log and erfc (accurate to a few ulp),
 * but its headers only announce them under -ffast-math, which would also let the
 * compiler drop NaN checks and reorder sums.  Re-declaring the functions here with
 * `declare simd` lets `#pragma omp simd` loops call them without fast-math.
 *
 * HS_KERNEL compiles a function twice, for x86-64-v3 (AVX2) and the baseline, and
 * picks one at load time.  Every lane of a block goes through the same code (blocks
 * are padded to HS_PAD lanes), so a path's result never depends on its lane; it is the
 * same for any thread count.  Between machines of different vector width results may
 * differ in the last bits.
 */
#ifndef HEDGESIM_SIMD_H
#define HEDGESIM_SIMD_H

#include <math.h>

#pragma omp declare simd notinbranch
extern double exp(double);
#pragma omp declare simd notinbranch
extern double log(double);
#pragma omp declare simd notinbranch
extern double erfc(double);

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(HS_NO_CLONES)
#define HS_KERNEL __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define HS_KERNEL
#endif

/* Lanes are processed in multiples of HS_PAD so no lane takes a scalar remainder path. */
#define HS_PAD 8
#define HS_PADDED(n) (((n) + HS_PAD - 1) / HS_PAD * HS_PAD)

#endif
