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

void *hs_big_alloc(size_t bytes)
{
    if (bytes < HUGE_MIN)
        return malloc(bytes ? bytes : 1);
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
