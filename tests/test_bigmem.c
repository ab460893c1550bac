/*
 * Tests of the large-array allocator (src/bigmem.c): every size gives writable memory
 * of at least that size, arrays of 2 MiB and more start on a 2 MiB boundary (the
 * condition for a transparent huge page), a size that cannot be rounded up to whole
 * huge pages is refused, and free of NULL is a no-op.  Whether the kernel backs the
 * arrays with huge pages is its choice (THP "never" is legal), so it is not asserted.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "../src/bigmem.h"

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
