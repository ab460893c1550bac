/*
 * Heston (1993) prices for many spots at once from a delta slice (heston.h,
 * hs_heston_slice_price): the source of the price tables of model_price.c.
 *
 * The slice holds, on its grid u_j = j h, w_j psi(u_j) with
 * psi(u) = (phi_H - phi_BS)(u - i/2) / (iu - 1/2) (heston_batch.c).  Lewis's price
 * integrand differs from his delta integrand by the factor 1 / (1/2 + iu) (heston.h:
 * 1 / (u^2 + 1/4) = 1 / ((1/2 - iu)(1/2 + iu))), and the prefactors by S, so with
 * k = ln(K / F), F = S e^{(r - q) tau},
 *
 *   C_H(k) = C_BS(k; sigma_bar) + S e^{-q tau} e^{k/2} / pi
 *                                 * sum_j Re[e^{-i u_j k} w_j psi(u_j) / (1/2 + i u_j)],
 *
 * the same trapezoid rule on the same grid (its aliasing argument holds for the price
 * difference, which reaches its limits beyond the same Chernoff range), and the integrand
 * decays faster than the delta's by 1/|u|, so the delta's stopping rule is conservative.
 * Beyond the range the call is its limit: 0 above k_hi (it is below S e^{-q tau} times
 * the share-measure tail 1e-12 there) and S e^{-q tau} - K e^{-r tau} below k_lo (the put
 * is below K e^{-r tau} times the same bound).  Puts by parity; values are clamped to the
 * no-arbitrage bounds.  tests/pricing/test_model_price.c checks the result against
 * hs_heston_eval through the tables built from it.
 */
#include "hedgesim/heston.h"

#include "heston_cf.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>

#define PI 3.14159265358979323846
#define CHUNK HS_FOURIER_CHUNK

static void call_chunk(const hs_heston_slice *s, const double *pre, const double *pim,
                       double strike, size_t n, const double *spot, double *out)
{
    double kk[CHUNK], sum[CHUNK];
    size_t idx[CHUNK], m = 0;
    const double dr = exp(-s->rate * s->tau);
    for (size_t i = 0; i < n; i++) {
        const double k = log(strike / spot[i]) - (s->rate - s->div) * s->tau;
        out[i] = hs_bs_price(HS_BS_CALL, spot[i], strike, s->tau, s->rate, s->div, s->sigma_bar);
        if (!s->n)
            continue;
        if (k >= s->k_hi)
            out[i] = 0.0;
        else if (k <= s->k_lo)
            out[i] = spot[i] * s->dq - strike * dr;
        else {
            idx[m] = i;
            kk[m] = k;
            m++;
        }
    }
    if (m)
        hs_heston_fourier_sums(pre, pim, s->n, s->h, kk, m, sum);
    for (size_t l = 0; l < m; l++) {
        const size_t i = idx[l];
        out[i] += spot[i] * s->dq / PI * exp(0.5 * kk[l]) * sum[l];
    }
    for (size_t i = 0; i < n; i++)
        out[i] = fmin(fmax(out[i], fmax(spot[i] * s->dq - strike * dr, 0.0)), spot[i] * s->dq);
}

hs_status hs_heston_slice_price(const hs_heston_slice *s, hs_bs_kind kind, double strike, size_t n,
                                const double *spot, double *price)
{
    double *pre = NULL, *pim = NULL;
    if (s->n) {
        pre = malloc(2 * s->n * sizeof *pre);
        if (!pre)
            return HS_ERUNTIME;
        pim = pre + s->n;
        /* w_j psi_j / (1/2 + i u_j) */
        for (size_t j = 0; j < s->n; j++) {
            const double complex z = (s->re[j] + I * s->im[j]) / (0.5 + I * ((double)j * s->h));
            pre[j] = creal(z);
            pim[j] = cimag(z);
        }
    }
    const double dr = exp(-s->rate * s->tau);
    for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
        const size_t m = n - i0 < CHUNK ? n - i0 : CHUNK;
        call_chunk(s, pre, pim, strike, m, spot + i0, price + i0);
        if (kind == HS_BS_PUT)
            for (size_t i = i0; i < i0 + m; i++)
                price[i] = fmin(fmax(price[i] - spot[i] * s->dq + strike * dr,
                                     fmax(strike * dr - spot[i] * s->dq, 0.0)),
                                strike * dr);
    }
    free(pre);
    return HS_OK;
}
