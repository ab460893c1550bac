/*
 * LSD radix sort of doubles by their IEEE-754 bit patterns.
 *
 * Mapping each double to key = bits ^ 0x8000...0 when it is positive and ~bits when it
 * is negative makes unsigned integer order equal numeric order (Herf 2001, "Radix
 * tricks"; Knuth TAOCP vol. 3, section 5.2.5).  Eight stable counting passes of one
 * byte each sort the keys; a pass whose byte is the same for every key is skipped,
 * which drops most high-byte passes for P&L samples of one sign and magnitude.  It is
 * several times faster than GSL's heapsort on the 10^5 - 10^7 samples of a run.
 *
 * hs_sort_doubles_to shares each pass among `parts` OpenMP tasks (the standard
 * parallel LSD radix sort, e.g. Zagha & Blelloch 1991, "Radix sort for vector
 * multiprocessors"): the keys are cut into `parts` contiguous ranges, each range counts
 * its bytes, and key j of range c with byte b goes to
 *     sum_{b' < b} count[b'] + sum_{c' < c} count_c'[b] + (keys of range c before j with byte b),
 * the offsets summed in that fixed order.  That is the position the serial stable pass
 * gives it, so every pass, and the sorted output, is the serial one for any `parts`.
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
    return hs_sort_doubles_to(x, x, n, 1);
}

/* The serial sort of x into out (out may be x: every key is read before any is
 * written back). */
static int sort_serial(const double *x, double *out, size_t n)
{
    if (n < 2) {
        if (n == 1)
            out[0] = x[0];
        return 0;
    }
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
        out[i] = from_key(src[i]);
    free(a);
    return 0;
}

/* Ranges smaller than this are not worth a task. */
#define PART_MIN 32768
#define PARTS_MAX 64

int hs_sort_doubles_to(const double *x, double *out, size_t n, int parts)
{
    size_t P = parts > 1 ? (size_t)parts : 1;
    if (P > PARTS_MAX)
        P = PARTS_MAX;
    if (P > n / PART_MIN)
        P = n / PART_MIN;
    if (P < 2)
        return sort_serial(x, out, n);
    uint64_t *a = malloc(2 * n * sizeof *a);
    size_t(*count)[8][256] = calloc(P, sizeof *count);
    if (!a || !count) {
        free(a);
        free(count);
        return -1;
    }
    size_t lo[PARTS_MAX + 1];
    for (size_t c = 0; c <= P; c++)
        lo[c] = n / P * c + (n % P) * c / P;
    uint64_t *src = a, *dst = a + n;
    /* Keys and the counts of all eight bytes, range by range. */
    for (size_t c = 0; c < P; c++) {
#pragma omp task firstprivate(c) shared(x, src, count, lo)
        for (size_t i = lo[c]; i < lo[c + 1]; i++) {
            uint64_t k = to_key(x[i]);
            src[i] = k;
            for (int d = 0; d < 8; d++)
                count[c][d][(k >> (8 * d)) & 0xff]++;
        }
    }
#pragma omp taskwait
    int moved = 0; /* once a pass has moved the keys, the ranges' counts must be redone */
    for (int d = 0; d < 8; d++) {
        size_t total[256], start = 0;
        for (size_t b = 0; b < 256; b++) {
            total[b] = 0;
            for (size_t c = 0; c < P; c++)
                total[b] += count[c][d][b];
        }
        /* All keys share this byte: the pass would be the identity. */
        if (total[(src[0] >> (8 * d)) & 0xff] == n)
            continue;
        if (moved) {
            for (size_t c = 0; c < P; c++) {
#pragma omp task firstprivate(c, d) shared(src, count, lo)
                {
                    size_t *h = count[c][d];
                    memset(h, 0, 256 * sizeof *h);
                    for (size_t i = lo[c]; i < lo[c + 1]; i++)
                        h[(src[i] >> (8 * d)) & 0xff]++;
                }
            }
#pragma omp taskwait
        }
        /* Offsets in a fixed order: bucket by bucket, range by range within a bucket. */
        for (size_t b = 0; b < 256; b++)
            for (size_t c = 0; c < P; c++) {
                size_t t = count[c][d][b];
                count[c][d][b] = start;
                start += t;
            }
        for (size_t c = 0; c < P; c++) {
#pragma omp task firstprivate(c, d) shared(src, dst, count, lo)
            {
                size_t *off = count[c][d];
                for (size_t i = lo[c]; i < lo[c + 1]; i++) {
                    uint64_t k = src[i];
                    dst[off[(k >> (8 * d)) & 0xff]++] = k;
                }
            }
        }
#pragma omp taskwait
        moved = 1;
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    for (size_t c = 0; c < P; c++) {
#pragma omp task firstprivate(c) shared(out, src, lo)
        for (size_t i = lo[c]; i < lo[c + 1]; i++)
            out[i] = from_key(src[i]);
    }
#pragma omp taskwait
    free(count);
    free(a);
    return 0;
}
