/*
 * Large arrays backed by transparent huge pages where the kernel offers them, and
 * mid-sized ones (64 KiB to 2 MiB) mapped at once rather than a page fault at a time
 * (bigmem.c).  Private to the library: the engine's per-path results and the order
 * statistics' histograms.
 */
#ifndef HEDGESIM_BIGMEM_H
#define HEDGESIM_BIGMEM_H

#include <stddef.h>

/* Like malloc(bytes) (contents undefined; NULL when out of memory); release with
 * hs_big_free. */
void *hs_big_alloc(size_t bytes);

/* free(), for symmetry; NULL is a no-op. */
void hs_big_free(void *p);

#endif
