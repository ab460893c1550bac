/*
 * gsl_rng adapters for pcg32 and pcg64 (see rng.h), so that every GSL sampler
 * (gsl_ran_gaussian, gsl_ran_gamma, ...) can draw from PCG.
 *
 * The tables follow the gsl_rng_type layout of GSL's own generators (GSL reference
 * manual, "Random Number Generator Algorithms", and the rng directory of its
 * sources): name, largest and smallest output, state size, and set / get /
 * get_double.  gsl_rng_set(r, s) seeds with (initstate = s, initseq = HS_RNG_STREAM),
 * so gsl_rng_set(r, seed) on the pcg64 type yields exactly the draws of path 0 of the
 * simulator for that seed.
 * get_double returns values in the OPEN interval (0, 1), as hs_u01_from_u64 does.
 */
#include "hedgesim/rng.h"

#include <limits.h>

/* ------------------------------------------------------------------ pcg32 */

static void pcg32_set(void *state, unsigned long seed)
{
    hs_pcg32_seed(state, (uint64_t)seed, HS_RNG_STREAM);
}

static unsigned long pcg32_get(void *state)
{
    return hs_pcg32_next(state);
}

/* One draw per call, (x + 1/2) 2^-32: the midpoint of the x-th of 2^32 equal cells,
 * so 0 and 1 never occur and get and get_double consume the stream at the same rate. */
static double pcg32_get_double(void *state)
{
    return ((double)hs_pcg32_next(state) + 0.5) * 0x1.0p-32;
}

static const gsl_rng_type pcg32_type = {
    "pcg32",      /* name */
    0xffffffffUL, /* max */
    0UL,          /* min */
    sizeof(hs_pcg32),
    pcg32_set,
    pcg32_get,
    pcg32_get_double,
};

const gsl_rng_type *hs_gsl_rng_pcg32 = &pcg32_type;

/* ------------------------------------------------------------------ pcg64 */

static void pcg64_set(void *state, unsigned long seed)
{
    hs_pcg64_seed(state, (hs_u128)seed, HS_RNG_STREAM);
}

/* Where unsigned long has 64 bits (LP64: Linux, macOS) get returns the whole output.
 * Elsewhere (LLP64: Windows) it must fit 32 bits, and the top half is the better one. */
#if ULONG_MAX >= UINT64_MAX
#define PCG64_GET_MAX ULONG_MAX
static unsigned long pcg64_get(void *state)
{
    return (unsigned long)hs_pcg64_next(state);
}
#else
#define PCG64_GET_MAX 0xffffffffUL
static unsigned long pcg64_get(void *state)
{
    return (unsigned long)(hs_pcg64_next(state) >> 32u);
}
#endif

static double pcg64_get_double(void *state)
{
    return hs_pcg64_uniform(state);
}

static const gsl_rng_type pcg64_type = {
    "pcg64",       /* name */
    PCG64_GET_MAX, /* max */
    0UL,           /* min */
    sizeof(hs_pcg64),
    pcg64_set,
    pcg64_get,
    pcg64_get_double,
};

const gsl_rng_type *hs_gsl_rng_pcg64 = &pcg64_type;
