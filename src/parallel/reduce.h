/*
 * Private: exact sums over the ranks (reduce.c).
 */
#ifndef HEDGESIM_REDUCE_H
#define HEDGESIM_REDUCE_H

#include <stddef.h>

#include "hedgesim/comm.h"
#include "parallel/xsum.h"

/* Collective: each s[i] becomes the exact sum of every rank's s[i].  0 or -1. */
int hs_comm_sum_xsum(const hs_comm *c, hs_xsum *s, size_t count);

#endif
