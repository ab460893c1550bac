/*
 * Heston (1993) stochastic volatility paths by Andersen's QE scheme:
 *
 *   dS/S = mu dt + sqrt(v) dW_1,   dv = kappa (theta - v) dt + xi sqrt(v) dW_2,
 *   d<W_1, W_2> = rho dt
 *
 * L.B.G. Andersen, "Simple and efficient simulation of the Heston stochastic volatility
 * model", J. Computational Finance 11(3) (2008) 1-42.
 *
 * The variance (the QE, quadratic-exponential, scheme).  Given v = V(t), the exact conditional
 * mean and variance of V(t + dt) are
 *   m   = theta + (v - theta) e^{-kappa dt},
 *   s^2 = v xi^2 e^{-kappa dt} (1 - e^{-kappa dt}) / kappa
 *         + theta xi^2 (1 - e^{-kappa dt})^2 / (2 kappa)
 * and psi = s^2 / m^2.  For psi <= psi_c = 1.5 (Andersen's choice) the step is quadratic,
 *   V' = a (b + Z_V)^2,  b^2 = 2/psi - 1 + sqrt(2/psi) sqrt(2/psi - 1),  a = m / (1 + b^2);
 * above, exponential (a mass p at 0 and an exponential tail; eq. 29-30 for p and beta),
 *   V' = 0 if U <= p, else ln((1 - p) / (1 - U)) / beta,
 *   p = (psi - 1) / (psi + 1),  beta = (1 - p) / m.
 * Both match m and s^2 exactly and are never negative, whether or not
 * the Feller condition 2 kappa theta >= xi^2 holds.  One uniform U per step drives
 * both branches: Z_V = Phi^{-1}(U) in the quadratic one (hs_normal_icdf, so the draw is
 * the same uniform either way).  (1 - e^{-kappa dt}) / kappa is taken as dt at kappa = 0.
 *
 * The log price (Andersen's scheme for ln S given the two variances, with the central
 * weights gamma_1 = gamma_2 = 1/2):
 *   ln S' = ln S + mu dt + K0 + K1 v + K2 V' + sqrt(K3 v + K4 V') Z,
 *   K2 = dt/2 (kappa rho / xi - 1/2) + rho / xi,  K3 = K4 = dt (1 - rho^2) / 2,
 * with Z a second standard normal, and Andersen's martingale correction: K0 is replaced
 * per path and step by
 *   K0* = -ln E[e^{A V'} | v] - (K1 + K3/2) v,
 *   A   = K2 + K4/2 = (rho/xi)(1 + kappa dt/2) - rho^2 dt/4,
 *   ln E[e^{A V'}] = A b^2 a / (1 - 2 A a) - ln(1 - 2 A a) / 2    (quadratic, needs A < 1/(2a)),
 *                  = ln(p + beta (1 - p) / (beta - A))             (exponential, needs A < beta),
 * which makes E[S' | S, v] = S e^{mu dt} exactly, so the discounted price is a martingale
 * under the default mu = rate - dividend and option prices have no drift bias.
 *
 * How it is computed.  Substituting K0* the step becomes
 *   ln S' = ln S + mu dt + A (V' - m) - c(A) - K3 (v + V') / 2 + sqrt(K3 (v + V')) Z,
 *   c(A) = ln E[e^{A (V' - m)}]  (K1 drops out),
 * and in the quadratic branch V' - m = a (2 b Z_V + Z_V^2 - 1) and, with y = 2 A a,
 *   c(A) = b^2 y^2 / (2 (1 - y)) - (y + ln(1 - y)) / 2,
 * both terms non-negative.  A is O(rho / xi): written with
 * A_hat = A xi = rho (1 + kappa dt/2) - rho^2 xi dt / 4 and s^2 = xi^2 s_hat^2, every
 * product A (V' - m), A^2 s^2 stays finite as xi -> 0.  When psi < 1e-100 (xi so small
 * that 2/psi would lose meaning; xi = 0 exactly, or m = 0) the step takes the limit
 * psi -> 0 of the quadratic branch: V' = m, A (V' - m) -> A_hat s_hat Z_V,
 * c(A) -> A_hat^2 s_hat^2 / 2, i.e. a correlated Gaussian log step with a deterministic
 * variance.
 *
 * When the correction's condition fails (2 A a >= 1 or A >= beta: possible only for
 * rho > 0, where A > 0, with large steps or small xi) E[e^{A V'}] is infinite under the
 * QE law, no constant makes the step a martingale, and Andersen's correction cannot be
 * applied.  The step then uses c(A) = A^2 s^2 / 2, the value the
 * correction takes when V' is replaced by a normal of the same mean and variance (and the
 * limit of c(A) as psi -> 0): the drift stays centred to second order and every value
 * stays finite, but E[S'] is no longer exact.  Smaller steps restore the condition.
 *
 * Draws per step and lane, always two and in this order: U (the variance), then Z (the
 * price, hs_normal_fill_lanes).  Per-lane state: the variance in state[0 * HS_BLOCK + i].
 *
 * sigma() is sqrt(theta), the long-run volatility: the default traded vol and the
 * Derman-Kamal sigma.
 */
#include <math.h>

#include "hedgesim/heston.h"
#include "hedgesim/model.h"
#include "simd.h"
#include "vmath.h"

enum { P_V0, P_KAPPA, P_THETA, P_XI, P_RHO, P_MU };
enum { C_DRIFT, C_EK, C_C1, C_C2, C_AHAT, C_K3, C_XI, C_THETA };

/* Andersen's switching level between the quadratic and exponential branches (his
 * recommended value). */
#define PSI_C 1.5

/* Below this psi the quadratic branch is replaced by its psi -> 0 limit. */
#define PSI_TINY 1e-100

static const hs_param params[] = {
    {"v0", HS_PARAM_REAL, 0, 4, 0.04, "per year", "initial variance of the price (vol^2)", NULL, 0},
    {"kappa", HS_PARAM_REAL, 0, 50, 2, "per year", "mean-reversion speed", NULL, 0},
    {"theta", HS_PARAM_REAL, 0, 4, 0.04, "per year", "long-run variance (vol^2)", NULL, 0},
    {"xi", HS_PARAM_REAL, 0, 5, 0.5, "per year", "volatility of the variance (vol of vol)", NULL,
     0},
    {"rho", HS_PARAM_REAL, -1, 1, -0.7, "correlation",
     "correlation of the price and variance noises", NULL, 0},
    {"mu", HS_PARAM_REAL, -5, 5, 0, "per year",
     "real-world drift of the price (default: rate - dividend)", NULL, HS_PARAM_DERIVED},
};

static hs_status prepare(hs_model *m, hs_error *err)
{
    (void)err;
    const double kappa = m->par[P_KAPPA], theta = m->par[P_THETA], xi = m->par[P_XI];
    const double rho = m->par[P_RHO], dt = m->grid.dt;
    double mu = isnan(m->par[P_MU]) ? m->market.rate - m->market.dividend : m->par[P_MU];
    m->par[P_MU] = mu;
    const double one_minus_ek = -expm1(-kappa * dt);               /* 1 - e^{-kappa dt} */
    const double h = kappa * dt > 0.0 ? one_minus_ek / kappa : dt; /* (1 - e^{-kappa dt}) / kappa */
    m->consts[C_DRIFT] = mu * dt;
    m->consts[C_EK] = 1.0 - one_minus_ek;
    /* s^2 / xi^2 = v C1 + C2 */
    m->consts[C_C1] = (1.0 - one_minus_ek) * h;
    m->consts[C_C2] = 0.5 * theta * one_minus_ek * h;
    m->consts[C_AHAT] = rho * (1.0 + 0.5 * kappa * dt) - 0.25 * rho * rho * xi * dt;
    m->consts[C_K3] = 0.5 * dt * (1.0 - rho * rho);
    m->consts[C_XI] = xi;
    m->consts[C_THETA] = theta;
    return HS_OK;
}

static void start(const hs_model *m, hs_block *b)
{
    const double s0 = m->market.spot, l0 = log(s0), v0 = m->par[P_V0];
    for (size_t i = 0; i < HS_PADDED(b->n); i++) {
        b->spot[i] = s0;
        b->logspot[i] = l0;
        b->state[i] = v0;
    }
}

/* One QE step of a lane (file comment): the new variance into *v_next and the log-price
 * increment A (V' - m) - c(A) into *jump; u is the lane's uniform and zv its normal,
 * Phi^{-1}(u).  Branch-free, so that a loop over lanes vectorises: both branches (and the
 * psi -> 0 limit) are computed and the lane's one is selected; the others may hold
 * infinities or NaN, never used.  ln and ln(1 + x) are vmath.h's (below 1 ulp and
 * about 2 ulp; libm calls, one or two per lane, were 30% of a Heston run and kept the
 * loop scalar), so the bits are the same on every clone. */
HS_VM_INLINE void qe_lane(const double *c, double a_coef, double v, double u, double zv,
                            double *v_next, double *jump)
{
    const double xi = c[C_XI], ahat = c[C_AHAT];
    const double mean = c[C_THETA] + (v - c[C_THETA]) * c[C_EK];
    const double s2hat = v * c[C_C1] + c[C_C2]; /* s^2 / xi^2 */
    const double s2 = xi * xi * s2hat;
    const int live = mean > 0.0; /* else v = 0 and nothing pushes it up: it stays 0 */
    const double psi = live ? s2 / (mean * mean) : 0.0;
    /* Without a finite correction (2 A a >= 1 or A >= beta): the normal's c(A). */
    const double cgf_normal = 0.5 * ahat * ahat * s2hat;

    /* psi -> 0: a deterministic variance and a correlated Gaussian log step. */
    const double t_jump = ahat * sqrt(s2hat) * zv - cgf_normal;

    /* Quadratic branch, psi <= PSI_C. */
    const double inv = 2.0 / psi;
    const double b2 = inv - 1.0 + sqrt(inv) * sqrt(inv - 1.0), b = sqrt(b2);
    const double a = mean / (1.0 + b2);
    const double q_vn = a * (b + zv) * (b + zv);
    const double q_dv = a * (2.0 * b * zv + zv * zv - 1.0);
    const double y = 2.0 * a_coef * a;
    const double q_cgf =
        y < 1.0 ? 0.5 * b2 * y * y / (1.0 - y) - 0.5 * (y + hs_vlog1p(-y)) : cgf_normal;

    /* Exponential branch. */
    const double one_p = 2.0 / (psi + 1.0); /* 1 - p */
    const double beta = one_p / mean, q = 1.0 - u;
    const double e_vn = q < one_p ? hs_vlog(one_p / q) / beta : 0.0;
    const double e_dv = e_vn - mean;
    /* ln(p + (1 - p) / (1 - A / beta)) - A m */
    const double e_cgf = a_coef < beta
                             ? hs_vlog((1.0 - one_p) + one_p / (1.0 - a_coef / beta)) - a_coef * mean
                             : cgf_normal;

    const int quad = psi <= PSI_C, tiny = psi < PSI_TINY;
    const double vn = quad ? q_vn : e_vn;
    const double jmp = a_coef * (quad ? q_dv : e_dv) - (quad ? q_cgf : e_cgf);
    *v_next = !live ? 0.0 : tiny ? mean : vn;
    *jump = !live ? 0.0 : tiny ? t_jump : jmp;
}

/* The QE step of n lanes (heston.h). */
HS_KERNEL void hs_heston_qe_lanes(const hs_model *m, const double *restrict var,
                                  const double *restrict u, const double *restrict zv,
                                  double *restrict v_next, double *restrict jump, size_t n)
{
    const double *c = m->consts;
    const double a_coef = c[C_AHAT] / c[C_XI]; /* A; infinite at xi = 0, used only when
                                                  psi > PSI_TINY, which needs xi > 0 */
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        qe_lane(c, a_coef, var[i], u[i], zv[i], &v_next[i], &jump[i]);
}

HS_KERNEL
static void advance(double *restrict spot, double *restrict logspot, const double *restrict var,
                    const double *restrict var_next, const double *restrict jump,
                    const double *restrict z, double drift, double k3, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        double w = k3 * (var[i] + var_next[i]);
        logspot[i] += drift + jump[i] - 0.5 * w + sqrt(w) * z[i];
        spot[i] = hs_vexp(logspot[i]);
    }
}

static void step(const hs_model *m, hs_block *b, size_t k)
{
    (void)k;
    double u[HS_BLOCK], zv[HS_BLOCK], v_next[HS_BLOCK], jump[HS_BLOCK];
    const size_t n = b->n, np = HS_PADDED(n);
    double *var = b->state; /* state[0 * HS_BLOCK + i] */
    hs_uniform_fill_lanes(b->rng, u, n);
    hs_normal_fill_lanes(b->rng, b->z, n);
    /* Z_V for every lane at once (the vector form, bit-identical to hs_normal_icdf); the
     * exponential branch does not use it. */
    hs_normal_icdf_lanes(u, zv, n);
    hs_heston_qe_lanes(m, var, u, zv, v_next, jump, n);
    /* Padding lanes are computed but never used: give them harmless values. */
    for (size_t i = n; i < np; i++) {
        b->z[i] = jump[i] = 0.0;
        v_next[i] = var[i] = 0.0;
    }
    advance(b->spot, b->logspot, var, v_next, jump, b->z, m->consts[C_DRIFT], m->consts[C_K3], np);
    for (size_t i = 0; i < np; i++)
        var[i] = v_next[i];
}

static double sigma(const hs_model *m)
{
    return sqrt(m->par[P_THETA]);
}

double hs_heston_lane_delta(const hs_model *m, hs_bs_kind kind, double spot, double variance,
                            double strike, double tau)
{
    hs_heston_params p = {variance, m->par[P_KAPPA], m->par[P_THETA], m->par[P_XI], m->par[P_RHO]};
    hs_heston_value v;
    if (hs_heston_eval_delta(kind, spot, strike, tau, m->market.rate, m->market.dividend, &p, &v,
                             NULL) != HS_OK)
        return NAN;
    return v.delta;
}

const hs_model_type hs_model_heston = {
    .name = "heston",
    .help = "Heston (1993) stochastic volatility, Andersen (2008) QE step with martingale "
            "correction",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .prepare = prepare,
    .start = start,
    .step = step,
    .sigma = sigma,
    .example = "v0 = 0.04\nkappa = 2\ntheta = 0.04\nxi = 0.5\nrho = -0.7\n",
};
