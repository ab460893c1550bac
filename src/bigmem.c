/*
 * Large arrays on transparent huge pages (see bigmem.h).
 *
 * A run of 10^6 paths writes 20 MB of per-path results: with 4 KiB pages that is about
 * 5,000 page faults, and freeing them took 2 ms at the end of the run (0.2 ms on huge
 * pages).  Used for the engine's results only: the statistics' sorted copies and sort
 * keys on huge pages made the one-thread report slower in measurements (135 ms against
 * 85 ms at 1M paths, cause not found), though faster on two threads.  An array of at
 * least HUGE_MIN bytes is aligned to 2 MiB and marked madvise(MADV_HUGEPAGE) (Linux,
 * "Transparent Hugepage Support", Documentation/admin-guide/mm/transhuge.rst), so that
 * it faults in 2 MiB at a time where THP is "always" or "madvise"; where it is "never",
 * or the advice fails, the array is an ordinary one.  The contents are never read
 * before written, so the numbers are the same either way.
 *
 * A smaller array of at least POPULATE_MIN bytes has its whole pages mapped at once
 * (madvise(MADV_POPULATE_WRITE), Linux 5.14: the same zeroed pages, one call instead of a
 * fault per 4 KiB page); the blocks write every element anyway, so it costs no memory.
 * On the 2026-12-04 development VM a fault cost about 5 us: a Derman-Kamal run (50k
 * paths, three 0.8 MB arrays) went from 954 to 486 faults and 35.7 to 33.3 ms end to end
 * (scripts/bench_compare.py --dk-only, median of 41).  An older kernel refuses the advice
 * and the pages fault in as before.
 */
#define _DEFAULT_SOURCE
#include "bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

/* Huge page size on x86-64 and arm64 with 4 KiB base pages. */
#define HUGE_PAGE ((size_t)2 << 20)
/* Smaller arrays would not fill one huge page. */
#define HUGE_MIN HUGE_PAGE
/* Below this, a few faults at most (and malloc's heap may have the pages already). */
#define POPULATE_MIN ((size_t)64 << 10)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux's value, for headers older than 5.14's */
#endif

/* Map the whole 4 KiB pages inside [p, p + bytes) now; advice only. */
static void populate(void *p, size_t bytes)
{
    uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
    uintptr_t e = ((uintptr_t)p + bytes) & ~(uintptr_t)4095;
    if (e > a)
        (void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
}

void *hs_big_alloc(size_t bytes)
{
    if (bytes < HUGE_MIN) {
        void *p = malloc(bytes ? bytes : 1);
        if (p && bytes >= POPULATE_MIN)
            populate(p, bytes);
        return p;
    }
    /* Whole huge pages: a partial last one would fault in 4 KiB at a time (over 400
     * faults for the tail of an 8 MB array). */
    size_t whole = bytes / HUGE_PAGE * HUGE_PAGE;
    if (whole < bytes) {
        if (whole > SIZE_MAX - HUGE_PAGE)
            return NULL;
        whole += HUGE_PAGE;
    }
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, whole) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    /* Advice only: a failure leaves ordinary pages. */
    (void)madvise(p, whole, MADV_HUGEPAGE);
#endif
    return p;
}

void hs_big_free(void *p)
{
    free(p);
}
