/*
 * Exact, order-independent sums of doubles (xsum.h): a "superaccumulator".
 *
 * Every finite double is x = (-1)^sign m 2^(p - 1074) with m < 2^53 an integer and
 * p = max(E - 1, 0) in [0, 2045] (E the biased exponent field; m carries the implicit bit
 * when E > 0).  The accumulator is the integer V = sum_j limb[j] 2^(32 j), the sum being
 * V 2^-1074.  Adding x adds m 2^(p mod 32), at most 85 bits, to the three digits from
 * j = p / 32 up: no rounding, ever.  Digits are signed 64-bit words holding 32-bit digits
 * plus carries not yet propagated; each add moves a digit by less than 2^32, so 2^30 adds
 * fit before the carries must be pushed up (hs_xsum_normalise), which leaves every digit
 * in [0, 2^32) and the sign in the top one.  Merging is digit-wise addition.  Rounding
 * reads the 53 bits below the leading one, then rounds to nearest, ties to even, with a
 * sticky bit for the digits further down.
 *
 * This is the "large superaccumulator" idea of R.M. Neal (2015), "Fast exact summation
 * using small and large superaccumulators", arXiv:1505.05571, and of U. Kulisch's exact
 * dot product (Kulisch & Miranker 1986), written here for clarity rather than top speed:
 * it costs a few nanoseconds per term.  It makes sums of per-path outcomes independent of
 * how the paths were split among threads, ranks or blocks, which plain floating-point
 * sums are not.  Right shifts of negative int64_t are arithmetic in GCC and Clang (the C
 * standard leaves them implementation-defined), which the carry propagation relies on.
 */
#include "xsum.h"

#include <math.h>
#include <string.h>

#define DIGIT_BITS 32
#define DIGIT_MASK UINT64_C(0xffffffff)
/* Adds allowed between normalisations: each moves a digit by < 2^32, so after 2^30 of
 * them a digit is below 2^62 + 2^32 in magnitude, safely inside an int64_t. */
#define MAX_PENDING (UINT32_C(1) << 30)

__extension__ typedef unsigned __int128 u128;

void hs_xsum_init(hs_xsum *s)
{
    memset(s, 0, sizeof *s);
}

void hs_xsum_normalise(hs_xsum *s)
{
    for (int j = 0; j < HS_XSUM_LIMBS - 1; j++) {
        int64_t carry = s->limb[j] >> DIGIT_BITS; /* floor(limb / 2^32) */
        s->limb[j] = (int64_t)((uint64_t)s->limb[j] & DIGIT_MASK);
        s->limb[j + 1] += carry;
    }
    s->pending = 0;
}

/* Non-finite terms are only counted: they poison the rounded sum. */
static void add_special(hs_xsum *s, uint64_t bits)
{
    if (bits & ((UINT64_C(1) << 52) - 1))
        s->nan++;
    else if (bits >> 63)
        s->ninf++;
    else
        s->pinf++;
}

/* s += x without the pending count (callers keep it).  Branch-free but for
 * non-finite terms: the sign is applied as (v ^ neg) - neg, neg = 0 or -1, since signs of
 * P&Ls are random and a branch on them would be mispredicted half the time. */
static inline void add_digits(hs_xsum *s, double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    unsigned e = (unsigned)(bits >> 52) & 0x7ffu;
    if (e == 0x7ffu) {
        add_special(s, bits);
        return;
    }
    uint64_t frac = bits & ((UINT64_C(1) << 52) - 1);
    uint64_t m = e ? frac | (UINT64_C(1) << 52) : frac;
    unsigned p = e ? e - 1 : 0, j = p / DIGIT_BITS, sh = p % DIGIT_BITS;
    /* m 2^sh is at most 85 bits: the low 64 in a, the rest in b (two shifts so that a
     * shift by 64 never happens when sh = 0). */
    uint64_t a = m << sh, b = (m >> 1) >> (63 - sh);
    int64_t neg = -(int64_t)(bits >> 63);
    s->limb[j] += ((int64_t)(a & DIGIT_MASK) ^ neg) - neg;
    s->limb[j + 1] += ((int64_t)(a >> 32) ^ neg) - neg;
    s->limb[j + 2] += ((int64_t)b ^ neg) - neg;
}

void hs_xsum_add(hs_xsum *s, double x)
{
    add_digits(s, x);
    if (++s->pending >= MAX_PENDING)
        hs_xsum_normalise(s);
}

void hs_xsum_add_n(hs_xsum *s, const double *x, size_t n)
{
    while (n > 0) {
        size_t room = MAX_PENDING - s->pending, m = n < room ? n : room;
        for (size_t i = 0; i < m; i++)
            add_digits(s, x[i]);
        s->pending += (uint32_t)m;
        if (s->pending >= MAX_PENDING)
            hs_xsum_normalise(s);
        x += m;
        n -= m;
    }
}

void hs_xsum_merge(hs_xsum *s, hs_xsum *t)
{
    hs_xsum_normalise(s);
    hs_xsum_normalise(t);
    for (int j = 0; j < HS_XSUM_LIMBS; j++)
        s->limb[j] += t->limb[j];
    /* Digits are now below 2^33: as if one more add had happened. */
    s->pending = 2;
    s->nan += t->nan;
    s->pinf += t->pinf;
    s->ninf += t->ninf;
}

double hs_xsum_round(hs_xsum *s)
{
    if (s->nan || (s->pinf && s->ninf))
        return NAN;
    if (s->pinf)
        return INFINITY;
    if (s->ninf)
        return -INFINITY;

    int64_t d[HS_XSUM_LIMBS];
    hs_xsum_normalise(s);
    memcpy(d, s->limb, sizeof d);
    int negative = d[HS_XSUM_LIMBS - 1] < 0;
    if (negative) {
        /* |V| = -V: negate every digit and push the borrows up again. */
        for (int j = 0; j < HS_XSUM_LIMBS; j++)
            d[j] = -d[j];
        for (int j = 0; j < HS_XSUM_LIMBS - 1; j++) {
            int64_t carry = d[j] >> DIGIT_BITS;
            d[j] = (int64_t)((uint64_t)d[j] & DIGIT_MASK);
            d[j + 1] += carry;
        }
    }
    int t = HS_XSUM_LIMBS - 1;
    while (t >= 0 && d[t] == 0)
        t--;
    if (t < 0)
        return 0.0;

    /* A window of the top three digits (zeros below digit 0), its lowest bit weighing
     * 2^base, and a sticky bit for anything non-zero further down. */
    u128 w = (u128)(uint64_t)d[t] << 64;
    if (t >= 1)
        w |= (u128)(uint64_t)d[t - 1] << 32;
    if (t >= 2)
        w |= (u128)(uint64_t)d[t - 2];
    int sticky = 0;
    for (int j = 0; j < t - 2; j++)
        sticky |= d[j] != 0;
    int base = DIGIT_BITS * (t - 2) - 1074;

    int nb = 128;
    while (!(w >> (nb - 1)))
        nb--;
    /* Keep 53 bits, or fewer when the result is subnormal: no bit below 2^-1074. */
    int shift = nb - 53;
    if (shift < -1074 - base)
        shift = -1074 - base;
    /* shift > 0 here: d[t] >= 1 puts the leading bit at 64 or above when t >= 2, and
     * for t < 2 the subnormal bound alone is 32 or 64. */
    u128 mant = w >> shift;
    u128 rem = w & (((u128)1 << shift) - 1);
    u128 half = (u128)1 << (shift - 1);
    if (rem > half || (rem == half && (sticky || (mant & 1))))
        mant++;
    double r = ldexp((double)(uint64_t)mant, base + shift);
    return negative ? -r : r;
}
