/*
 * Tabulated CDF of a Poisson law, for counts by inversion (see poisson.h):
 *
 *   F[n] = sum_{j <= n} e^{-m} m^j / j!
 *
 * until the geometric bound on the mass above n, P(n+1) / (1 - m/(n+2)) (the ratios
 * P(j+1) / P(j) = m / (j+1) are all <= m/(n+2) < 1 for j > n once n + 2 > m), is below
 * HS_POISSON_TAIL = 2^-60, under the 2^-52 resolution of a uniform (Devroye,
 * "Non-Uniform Random Variate Generation", 1986, section III.2).  Weights are
 * exp(-m + n ln m - lgamma(n+1)): no underflow of e^{-m} for a large mean.
 */
#include "poisson.h"

#include <math.h>
#include <stdlib.h>

double *hs_poisson_table(double mean, size_t *len)
{
    size_t cap = (size_t)(mean + 40.0 * sqrt(mean) + 64.0);
    double *f = malloc(cap * sizeof *f);
    if (!f)
        return NULL;
    double log_mean = mean > 0 ? log(mean) : 0.0, sum = 0.0;
    size_t n = 0;
    for (;; n++) {
        double dn = (double)n;
        double p = n == 0     ? exp(-mean)
                   : mean > 0 ? exp(-mean + dn * log_mean - lgamma(dn + 1.0))
                              : 0.0;
        sum += p;
        f[n] = fmin(sum, 1.0);
        if (dn + 2.0 > mean) {
            double next = mean > 0 ? exp(-mean + (dn + 1.0) * log_mean - lgamma(dn + 2.0)) : 0.0;
            if (next / (1.0 - mean / (dn + 2.0)) < HS_POISSON_TAIL)
                break;
        }
        if (n + 1 == cap)
            break; /* 40 standard deviations past the mean: the mass left is far below 2^-60 */
    }
    f[n] = 1.0;
    *len = n + 1;
    return f;
}
