/*
 * Test helper: one block's lane arrays laid out as the engine lays them out (engine.c),
 * so a model's start() and step() can be driven directly by the model tests.
 */
#ifndef HEDGESIM_TESTS_LANES_H
#define HEDGESIM_TESTS_LANES_H

#include <criterion/criterion.h>
#include <stdlib.h>

#include "hedgesim/model.h"

typedef struct lanes {
    double spot[HS_BLOCK], logspot[HS_BLOCK], z[HS_BLOCK];
    double state[HS_MODEL_STATE * HS_BLOCK];
    uint64_t rng_state[HS_BLOCK], rng_inc[HS_BLOCK];
    hs_pcg32_lanes rng; /* points at rng_state and rng_inc */
    hs_block b;
} lanes;

/* A zeroed block (free with free()); its hs_block points into its own arrays. */
static inline lanes *lanes_alloc(void)
{
    lanes *l = calloc(1, sizeof *l);
    cr_assert_not_null(l);
    l->rng = (hs_pcg32_lanes){l->rng_state, l->rng_inc};
    l->b = (hs_block){0, 0, l->spot, l->logspot, l->state, l->z, &l->rng};
    return l;
}

#endif
