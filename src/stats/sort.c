/*
 * LSD radix sort of doubles by their IEEE-754 bit patterns.
 *
 * Mapping each double to key = bits ^ 0x8000...0 when it is positive and ~bits when it
 * is negative makes unsigned integer order equal numeric order (Herf 2001, "Radix
 * tricks"; Knuth TAOCP vol. 3, section 5.2.5).  Eight stable counting passes of one
 * byte each sort the keys; a pass whose byte is the same for every key is skipped,
 * which drops most high-byte passes for P&L samples of one sign and magnitude.  It is
 * several times faster than GSL's heapsort on the 10^5 - 10^7 samples of a run.
 */
#include "sort.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline uint64_t to_key(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return (b >> 63) ? ~b : b ^ 0x8000000000000000ull;
}

static inline double from_key(uint64_t k)
{
    uint64_t b = (k >> 63) ? k ^ 0x8000000000000000ull : ~k;
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

int hs_sort_doubles(double *x, size_t n)
{
    if (n < 2)
        return 0;
    uint64_t *a = malloc(2 * n * sizeof *a);
    if (!a)
        return -1;
    uint64_t *src = a, *dst = a + n;
    static const size_t buckets = 256;
    size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = to_key(x[i]);
        src[i] = k;
        for (int d = 0; d < 8; d++)
            count[d][(k >> (8 * d)) & 0xff]++;
    }
    for (int d = 0; d < 8; d++) {
        size_t *c = count[d];
        /* All keys share this byte: the pass would be the identity. */
        if (c[(src[0] >> (8 * d)) & 0xff] == n)
            continue;
        size_t sum = 0;
        for (size_t b = 0; b < buckets; b++) {
            size_t t = c[b];
            c[b] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t k = src[i];
            dst[c[(k >> (8 * d)) & 0xff]++] = k;
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    for (size_t i = 0; i < n; i++)
        x[i] = from_key(src[i]);
    free(a);
    return 0;
}
