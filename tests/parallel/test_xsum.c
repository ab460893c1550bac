/*
 * Exact sums (src/stats/xsum.c).  Known answers from Python's math.fsum, which returns
 * the correctly rounded exact sum (Shewchuk's algorithm; CPython docs, math.fsum), and
 * from integer arithmetic: sums of multiples of 2^-20 whose exact value an int64_t holds.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>

#include "parallel/xsum.h"

static double xsum_of(const double *x, size_t n)
{
    hs_xsum s;
    hs_xsum_init(&s);
    hs_xsum_add_n(&s, x, n);
    return hs_xsum_round(&s);
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

Test(xsum, fsum_known_answers)
{
    double tenth[10], mtenth[10];
    for (int i = 0; i < 10; i++)
        tenth[i] = 0.1, mtenth[i] = -0.1;
    cr_expect(xsum_of(tenth, 10) == 1.0, "fsum([0.1]*10) = 1.0 (naive: 0.9999999999999999)");
    cr_expect(xsum_of(mtenth, 10) == -1.0);
    double cancel[] = {1e100, 1.0, -1e100};
    cr_expect(xsum_of(cancel, 3) == 1.0);
    double big[] = {1e16, 1.0, 1.0};
    cr_expect(xsum_of(big, 3) == 1.0000000000000002e+16, "naive gives 1e16");
    double mix[] = {0.1, 0.2, 0.3, -0.6};
    cr_expect(xsum_of(mix, 4) == 2.7755575615628914e-17, "got %a", xsum_of(mix, 4));
}

Test(xsum, rounding_ties_and_sticky)
{
    double tie_even[] = {1.0, 0x1p-53};
    cr_expect(xsum_of(tie_even, 2) == 1.0, "a tie rounds to the even neighbour");
    double sticky[] = {1.0, 0x1p-53, 0x1p-1074};
    cr_expect(xsum_of(sticky, 3) == 1.0 + 0x1p-52, "a bit below the tie rounds up");
    double odd[] = {1.0 + 0x1p-52, 0x1p-53};
    cr_expect(xsum_of(odd, 2) == 1.0 + 0x1p-51, "a tie on an odd mantissa rounds up");
    double below[] = {1.0, 0x1p-54, 0x1p-60};
    cr_expect(xsum_of(below, 3) == 1.0, "less than half an ulp rounds down");
    double neg[] = {-1.0, -0x1p-53, -0x1p-1074};
    cr_expect(xsum_of(neg, 3) == -(1.0 + 0x1p-52), "rounding is symmetric in sign");
}

Test(xsum, subnormals_overflow_and_specials)
{
    double sub[] = {5e-324, 5e-324};
    cr_expect(xsum_of(sub, 2) == 1e-323);
    double edge[] = {DBL_MIN, -5e-324};
    cr_expect(xsum_of(edge, 2) == 2.225073858507201e-308);
    double over[] = {DBL_MAX, DBL_MAX, -DBL_MAX};
    cr_expect(xsum_of(over, 3) == DBL_MAX, "an intermediate overflow is no overflow");
    double inf[] = {DBL_MAX, DBL_MAX};
    cr_expect(isinf(xsum_of(inf, 2)) && xsum_of(inf, 2) > 0);
    double zero[] = {3.5, -3.5};
    cr_expect(same_bits(xsum_of(zero, 2), 0.0), "an exact zero is +0");
    double nan[] = {1.0, NAN};
    cr_expect(isnan(xsum_of(nan, 2)));
    double pm[] = {INFINITY, -INFINITY};
    cr_expect(isnan(xsum_of(pm, 2)));
    double ninf[] = {1.0, -INFINITY};
    cr_expect(xsum_of(ninf, 2) == -INFINITY);
    cr_expect(same_bits(xsum_of(NULL, 0), 0.0));
}

/* A deterministic generator for the property tests (SplitMix64). */
static uint64_t next64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

Test(xsum, equals_integer_arithmetic)
{
    /* x_i = k_i 2^-20 with |k_i| < 2^40: the exact sum of 10^5 of them is an integer
     * below 2^57 times 2^-20, which int64_t holds and (double) rounds correctly. */
    enum { N = 100000 };
    static double x[N];
    uint64_t st = 7;
    for (int trial = 0; trial < 20; trial++) {
        int64_t k_sum = 0;
        for (int i = 0; i < N; i++) {
            int64_t k = (int64_t)(next64(&st) >> 24) - (INT64_C(1) << 39);
            k_sum += k;
            x[i] = ldexp((double)k, -20);
        }
        double want = ldexp((double)k_sum, -20);
        double got = xsum_of(x, N);
        cr_assert(same_bits(got, want), "trial %d: %a, exact %a", trial, got, want);
    }
}

Test(xsum, independent_of_order_and_split)
{
    /* Values over 600 binades, both signs: any order and any split merged in any order
     * give the same bits. */
    enum { N = 20000 };
    static double x[N], y[N];
    uint64_t st = 11;
    for (int i = 0; i < N; i++) {
        uint64_t r = next64(&st);
        double m = (double)(r >> 11) * 0x1p-53;
        x[i] = ldexp(r & 1 ? -m : m, (int)(r % 600) - 300);
    }
    double whole = xsum_of(x, N);
    /* Reverse order. */
    for (int i = 0; i < N; i++)
        y[i] = x[N - 1 - i];
    cr_expect(same_bits(xsum_of(y, N), whole));
    /* Seven uneven pieces, merged last to first. */
    size_t cut[] = {0, 1, 50, 51, 4000, 13000, 19999, N};
    hs_xsum part[7], total;
    for (int p = 0; p < 7; p++) {
        hs_xsum_init(&part[p]);
        hs_xsum_add_n(&part[p], x + cut[p], cut[p + 1] - cut[p]);
    }
    hs_xsum_init(&total);
    for (int p = 6; p >= 0; p--)
        hs_xsum_merge(&total, &part[p]);
    cr_expect(same_bits(hs_xsum_round(&total), whole));
    /* Rounding does not consume the sum: adding more afterwards still works. */
    hs_xsum_add(&total, -whole);
    hs_xsum_add(&total, whole);
    cr_expect(same_bits(hs_xsum_round(&total), whole));
}

Test(xsum, carries_are_pushed_before_digits_overflow)
{
    /* White box: the accumulator normalises its digits every 2^30 adds; start one add
     * short of that with digits near their largest and check nothing is lost. */
    hs_xsum s;
    hs_xsum_init(&s);
    for (int i = 0; i < 1000; i++)
        hs_xsum_add(&s, 0x1.fffffffffffffp+1000);
    s.pending = (UINT32_C(1) << 30) - 1;
    hs_xsum_add(&s, 0x1.fffffffffffffp+1000);
    cr_expect(s.pending == 0, "the 2^30th add normalises");
    for (int i = 0; i < 1000; i++)
        hs_xsum_add(&s, -0x1.fffffffffffffp+1000);
    cr_expect(hs_xsum_round(&s) == 0x1.fffffffffffffp+1000, "got %a", hs_xsum_round(&s));
}
