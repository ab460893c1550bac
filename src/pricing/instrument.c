/*
 * European call, put and cash-or-nothing digital instruments and the registry.
 *
 *   payoff: call max(S - K, 0), put max(K - S, 0), digital call 1{S > K}, put 1{S < K}
 *   delta:  call e^{-q tau} N(d1), put e^{-q tau} (N(d1) - 1),
 *           N(x) by hs_vnorm_cdf (vmath.h),  d1 = (ln S + shift) / (sigma sqrt tau)
 *   gamma:  call and put e^{-q tau} n(d1) / (S sigma sqrt tau)
 *   digital call: V = e^{-r tau} N(d2), delta = e^{-r tau} n(d2) / (S sigma sqrt tau),
 *           gamma = -e^{-r tau} n(d2) d1 / (S^2 sigma^2 tau), vega = -e^{-r tau} n(d2) d1 / sigma;
 *   digital put = e^{-r tau} - digital call (so its delta and gamma are the call's negated)
 *
 * (Hull, "Options, Futures and Other Derivatives", 10th ed., eqs. 15.20-15.21, sections
 * 19.1 and 26.11.)  Value and Greeks come from bs.c; block forms are the hot path.
 */
#include <math.h>
#include <string.h>

#include "hedgesim/instrument.h"
#include "simd.h"
#include "vmath.h"

void hs_delta_args_init(hs_delta_args *a, double strike, double tau, double rate, double div,
                        double sigma, double weight)
{
    double sd = sigma * sqrt(tau);
    /* A vanishing sigma sqrt(tau) (a subnormal vol, or one that underflows with tau)
     * would make (ln S + shift) / sd a 0 / 0 at the strike: below 1e-150 it is taken as
     * 1e-150, the zero-variance limit to within 1e-150, and 1 / sd^2 (digital gammas)
     * stays finite.  No practical scenario comes near it. */
    if (!(sd >= 1e-150))
        sd = 1e-150;
    a->sd = sd;
    a->inv_sd = 1.0 / sd;
    a->shift = -log(strike) + (rate - div + 0.5 * sigma * sigma) * tau;
    a->disc_q = exp(-div * tau);
    a->disc_r = exp(-rate * tau);
    a->strike = strike;
    a->weight = weight;
}

/* acc[i] += scale * (N(d1_i) - minus): the shared kernel of calls (minus 0) and puts
 * (minus 1).  When every lane's |d1| is below 3, Phi's body fit alone serves them
 * (hs_vnorm_cdf_body: the same bits there, without the per-lane choice between the two
 * fits and one division less): 1.21 against 1.45 ns per lane with AVX-512, and 1.51 when
 * a lane sends the call to the full Phi.  A block of 256 lanes stays in the body for
 * about half of a Derman-Kamal run's steps, the early ones.  (Checking chunks of 64
 * lanes instead took the body more often, 58% of the time, but measured no faster: the
 * choice then changes within a step and its branch is mispredicted.) */
HS_KERNEL
static void delta_kernel(const double *restrict logspot, double *restrict acc, double inv_sd,
                         double shift, double scale, double minus, size_t n)
{
    /* d1 is a monotone function of ln S (rounding is monotone, and so is a product by
     * the constant inv_sd): the d1 of the lanes' extremes of ln S bound every d1.  A NaN
     * lane is the one case they may miss, and there both forms give the same NaN. */
    if (!n)
        return;
    double lo = logspot[0], hi = logspot[0];
#pragma omp simd reduction(min : lo) reduction(max : hi)
    for (size_t i = 0; i < n; i++) {
        lo = logspot[i] < lo ? logspot[i] : lo;
        hi = logspot[i] > hi ? logspot[i] : hi;
    }
    if (fabs(inv_sd * (lo + shift)) < 3.0 && fabs(inv_sd * (hi + shift)) < 3.0) {
#pragma omp simd
        for (size_t i = 0; i < n; i++)
            acc[i] = fma(scale, hs_vnorm_cdf_body(inv_sd * (logspot[i] + shift)) - minus, acc[i]);
    } else {
#pragma omp simd
        for (size_t i = 0; i < n; i++)
            acc[i] = fma(scale, hs_vnorm_cdf(inv_sd * (logspot[i] + shift)) - minus, acc[i]);
    }
}

static void call_delta_lanes(const hs_delta_args *a, const double *logspot, const double *spot,
                             double *acc, size_t n)
{
    (void)spot;
    delta_kernel(logspot, acc, a->inv_sd, a->shift, a->weight * a->disc_q, 0.0, HS_PADDED(n));
}

static void put_delta_lanes(const hs_delta_args *a, const double *logspot, const double *spot,
                            double *acc, size_t n)
{
    (void)spot;
    delta_kernel(logspot, acc, a->inv_sd, a->shift, a->weight * a->disc_q, 1.0, HS_PADDED(n));
}

/* Gamma of calls and puts: e^{-q tau} n(d1) / (S sd), scalar (band rules only). */
static void vanilla_gamma_lanes(const hs_delta_args *a, const double *logspot, const double *spot,
                                double *acc, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double d1 = (logspot[i] + a->shift) * a->inv_sd;
        acc[i] += a->weight * a->disc_q * hs_norm_pdf(d1) / spot[i] * a->inv_sd;
    }
}

/* Digital call delta e^{-r tau} n(d2) / (S sd); sign -1 gives the put. */
static void digital_delta(const hs_delta_args *a, const double *logspot, const double *spot,
                          double *acc, size_t n, double sign)
{
    for (size_t i = 0; i < n; i++) {
        double d2 = (logspot[i] + a->shift) * a->inv_sd - a->sd;
        acc[i] += sign * a->weight * a->disc_r * hs_norm_pdf(d2) / spot[i] * a->inv_sd;
    }
}

static void digital_gamma(const hs_delta_args *a, const double *logspot, const double *spot,
                          double *acc, size_t n, double sign)
{
    for (size_t i = 0; i < n; i++) {
        double d1 = (logspot[i] + a->shift) * a->inv_sd;
        double d2 = d1 - a->sd;
        double g = -a->disc_r * hs_norm_pdf(d2) * d1 * a->inv_sd * a->inv_sd / spot[i] / spot[i];
        acc[i] += sign * a->weight * g;
    }
}

static void dcall_delta_lanes(const hs_delta_args *a, const double *logspot, const double *spot,
                              double *acc, size_t n)
{
    digital_delta(a, logspot, spot, acc, n, 1.0);
}

static void dput_delta_lanes(const hs_delta_args *a, const double *logspot, const double *spot,
                             double *acc, size_t n)
{
    digital_delta(a, logspot, spot, acc, n, -1.0);
}

static void dcall_gamma_lanes(const hs_delta_args *a, const double *logspot, const double *spot,
                              double *acc, size_t n)
{
    digital_gamma(a, logspot, spot, acc, n, 1.0);
}

static void dput_gamma_lanes(const hs_delta_args *a, const double *logspot, const double *spot,
                             double *acc, size_t n)
{
    digital_gamma(a, logspot, spot, acc, n, -1.0);
}

hs_bs_greeks hs_digital_greeks(hs_bs_kind kind, double spot, double strike, double tau, double rate,
                               double div, double sigma)
{
    hs_bs_greeks g = {0, 0, 0, 0, 0};
    double disc_r = exp(-rate * tau);
    double sd = sigma * sqrt(tau);
    double fwd = spot * exp((rate - div) * tau);
    if (!(sd > 0.0)) {
        /* Expired or no volatility: the forward decides; at the money, half. */
        double in = fwd > strike ? 1.0 : fwd < strike ? 0.0 : 0.5;
        g.value = disc_r * (kind == HS_BS_CALL ? in : 1.0 - in);
        g.theta = rate * g.value;
        return g;
    }
    double d1 = (log(spot / strike) + (rate - div + 0.5 * sigma * sigma) * tau) / sd;
    double d2 = d1 - sd;
    double pdf = hs_norm_pdf(d2);
    double sign = kind == HS_BS_CALL ? 1.0 : -1.0;
    g.value = disc_r * hs_norm_cdf(sign * d2);
    g.delta = sign * disc_r * pdf / (spot * sd);
    g.gamma = -sign * disc_r * pdf * d1 / (spot * spot * sd * sd);
    g.vega = -sign * disc_r * pdf * d1 / sigma;
    /* theta = dV/dt = r V - dV/dtau-part from d2: d(d2)/dtau computed analytically. */
    double dd2_dtau = (rate - div - 0.5 * sigma * sigma) / sd - d2 / (2.0 * tau);
    g.theta = rate * g.value - sign * disc_r * pdf * dd2_dtau;
    return g;
}

static hs_bs_greeks dcall_greeks(double spot, double strike, double tau, double rate, double div,
                                 double sigma)
{
    return hs_digital_greeks(HS_BS_CALL, spot, strike, tau, rate, div, sigma);
}

static hs_bs_greeks dput_greeks(double spot, double strike, double tau, double rate, double div,
                                double sigma)
{
    return hs_digital_greeks(HS_BS_PUT, spot, strike, tau, rate, div, sigma);
}

/* Payoffs per unit, in one form without a branch (at the money a branch on S > K was
 * mispredicted half the time): with d = S - K for calls and K - S for puts, a vanilla
 * pays d when d > 0 and a digital 1.  d > 0 exactly when S > K (resp. S < K): the
 * difference of two distinct doubles never rounds to 0, and a NaN or infinite
 * difference compares as the branch did, so the values are the same as before. */
static inline double payoff_value(double spot, double strike, int put, int digital)
{
    double d = put ? strike - spot : spot - strike;
    return d > 0.0 ? (digital ? 1.0 : d) : 0.0;
}

static double call_payoff(double spot, double strike)
{
    return payoff_value(spot, strike, 0, 0);
}

static double put_payoff(double spot, double strike)
{
    return payoff_value(spot, strike, 1, 0);
}

static double dcall_payoff(double spot, double strike)
{
    return payoff_value(spot, strike, 0, 1);
}

static double dput_payoff(double spot, double strike)
{
    return payoff_value(spot, strike, 1, 1);
}

/* out[i] = quantity * payoff(spot[i]) * growth, the settlement of a block (engine.c). */
HS_KERNEL static void payoff_kernel(const double *restrict spot, double strike, int put,
                                    int digital, double quantity, double growth,
                                    double *restrict out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = quantity * payoff_value(spot[i], strike, put, digital) * growth;
}

/* The table's block payoffs: payoff_kernel with each instrument's flags. */
#define PAYOFF_LANES(name, put, digital)                                                           \
    static void name(const double *spot, double strike, double quantity, double growth,            \
                     double *out, size_t n)                                                        \
    {                                                                                              \
        payoff_kernel(spot, strike, put, digital, quantity, growth, out, n);                       \
    }
PAYOFF_LANES(call_payoff_lanes, 0, 0)
PAYOFF_LANES(put_payoff_lanes, 1, 0)
PAYOFF_LANES(dcall_payoff_lanes, 0, 1)
PAYOFF_LANES(dput_payoff_lanes, 1, 1)

static hs_bs_greeks call_greeks(double spot, double strike, double tau, double rate, double div,
                                double sigma)
{
    return hs_bs_greeks_eval(HS_BS_CALL, spot, strike, tau, rate, div, sigma);
}

static hs_bs_greeks put_greeks(double spot, double strike, double tau, double rate, double div,
                               double sigma)
{
    return hs_bs_greeks_eval(HS_BS_PUT, spot, strike, tau, rate, div, sigma);
}

const hs_instrument_type hs_instrument_call = {
    .name = "call",
    .help = "European call, pays max(S - K, 0) at maturity",
    .payoff = call_payoff,
    .payoff_lanes = call_payoff_lanes,
    .greeks = call_greeks,
    .delta_lanes = call_delta_lanes,
    .gamma_lanes = vanilla_gamma_lanes,
};

const hs_instrument_type hs_instrument_put = {
    .name = "put",
    .help = "European put, pays max(K - S, 0) at maturity",
    .payoff = put_payoff,
    .payoff_lanes = put_payoff_lanes,
    .greeks = put_greeks,
    .delta_lanes = put_delta_lanes,
    .gamma_lanes = vanilla_gamma_lanes,
};

const hs_instrument_type hs_instrument_digital_call = {
    .name = "digital_call",
    .help = "cash-or-nothing digital call, pays 1 if S > K at maturity",
    .payoff = dcall_payoff,
    .payoff_lanes = dcall_payoff_lanes,
    .greeks = dcall_greeks,
    .delta_lanes = dcall_delta_lanes,
    .gamma_lanes = dcall_gamma_lanes,
};

const hs_instrument_type hs_instrument_digital_put = {
    .name = "digital_put",
    .help = "cash-or-nothing digital put, pays 1 if S < K at maturity",
    .payoff = dput_payoff,
    .payoff_lanes = dput_payoff_lanes,
    .greeks = dput_greeks,
    .delta_lanes = dput_delta_lanes,
    .gamma_lanes = dput_gamma_lanes,
};

static const hs_instrument_type *const registry[] = {
    &hs_instrument_call,
    &hs_instrument_put,
    &hs_instrument_digital_call,
    &hs_instrument_digital_put,
    NULL,
};

const hs_instrument_type *const *hs_instrument_types(void)
{
    return registry;
}

const hs_instrument_type *hs_instrument_type_find(const char *name)
{
    for (size_t i = 0; registry[i]; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}
