/*
 * Tests of the large-array allocator (src/bigmem.c): every size gives writable memory
 * of at least that size, arrays of 2 MiB and more start on a 2 MiB boundary (the
 * condition for a transparent huge page), a size that cannot be rounded up to whole
 * huge pages is refused, and free of NULL is a no-op.  Whether the kernel backs the
 * arrays with huge pages is its choice (THP "never" is legal), so it is not asserted.
 * Arrays from 64 KiB to 2 MiB are mapped when allocated (MADV_POPULATE_WRITE): every
 * whole page of one is resident before it is written (mincore), where the kernel
 * supports the advice (Linux 5.14 and later; the test says so and stops otherwise).
 */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../src/bigmem.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux's value, as in bigmem.c */
#endif

Test(bigmem, sizes_alignment_and_contents)
{
    const size_t two_mib = (size_t)2 << 20;
    const size_t sizes[] = {0, 1, 4096, two_mib - 1, two_mib, two_mib + 1, 9 * two_mib / 2};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        unsigned char *p = hs_big_alloc(n);
        cr_assert_not_null(p, "size %zu", n);
        if (n >= two_mib)
            cr_expect_eq((uintptr_t)p % two_mib, 0, "size %zu at %p", n, (void *)p);
        /* Every byte is ours: write a pattern and read it back (ASan checks the bounds). */
        for (size_t j = 0; j < n; j++)
            p[j] = (unsigned char)(j * 131u + i);
        size_t bad = 0;
        for (size_t j = 0; j < n; j++)
            bad += p[j] != (unsigned char)(j * 131u + i);
        cr_expect_eq(bad, 0, "size %zu", n);
        hs_big_free(p);
    }
    hs_big_free(NULL);
}

Test(bigmem, impossible_size_is_refused)
{
    cr_expect_null(hs_big_alloc(SIZE_MAX));
    cr_expect_null(hs_big_alloc(SIZE_MAX - ((size_t)1 << 20)));
}

Test(bigmem, mid_sized_arrays_are_mapped_at_once)
{
    /* Does this kernel take the advice at all? */
    long page = sysconf(_SC_PAGESIZE);
    cr_assert(page > 0);
    void *probe = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
    cr_assert(probe != MAP_FAILED);
    int supported = madvise(probe, (size_t)page, MADV_POPULATE_WRITE) == 0;
    munmap(probe, (size_t)page);
    if (!supported) {
        cr_log_warn("MADV_POPULATE_WRITE refused by this kernel: not checked");
        return;
    }
    const size_t sizes[] = {(size_t)64 << 10, (size_t)800000, ((size_t)2 << 20) - 1};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = hs_big_alloc(sizes[i]);
        cr_assert_not_null(p);
        uintptr_t a = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
        uintptr_t e = ((uintptr_t)p + sizes[i]) & ~((uintptr_t)page - 1);
        size_t np = (e - a) / (size_t)page;
        unsigned char *vec = malloc(np);
        cr_assert_not_null(vec);
        cr_assert_eq(mincore((void *)a, e - a, vec), 0);
        size_t resident = 0;
        for (size_t j = 0; j < np; j++)
            resident += vec[j] & 1;
        cr_expect_eq(resident, np, "size %zu: %zu of %zu pages resident", sizes[i], resident, np);
        free(vec);
        hs_big_free(p);
    }
}
