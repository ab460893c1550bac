/*
 * Stress overlays (stress.h): crash, gap and volatility multiplier.
 *
 * crash / gap: ln S <- ln S + ln(1 + size) at one grid time, a deterministic jump of
 * every path (the "gap risk" a discrete hedger cannot trade through).
 *
 * vol: for a step with log-return x = ln S_{k+1} - ln S_k, the shocked return is
 *
 *   x' = f x + (1 - f) mu dt - (f^2 - f) sigma^2 dt / 2,
 *
 * with mu = rate - dividend and sigma the model's volatility.  For GBM, where
 * x = (mu - sigma^2/2) dt + sigma sqrt(dt) Z, this is exactly the GBM step at
 * volatility f sigma with the same Z: the risk-neutral drift is kept, so E[S'] is
 * unchanged and only the dispersion grows.  For other models it scales the step's
 * dispersion by f with the same first-order drift correction (documented in the README).
 */
#include "hedgesim/stress.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { CRASH_TIME, CRASH_SIZE };
enum { GAP_STEP, GAP_SIZE };
enum { VOL_FROM, VOL_TO, VOL_FACTOR };

static const hs_param crash_params[] = {
    {"time", HS_PARAM_REAL, 0, 1000, 0, "years", "when the price jumps (nearest grid time)",
     NULL, HS_PARAM_REQUIRED | HS_PARAM_MIN_OPEN},
    {"size", HS_PARAM_REAL, -1, 10, 0, "fraction", "relative jump, -0.2 = -20%", NULL,
     HS_PARAM_REQUIRED | HS_PARAM_MIN_OPEN},
};

static const hs_param gap_params[] = {
    {"step", HS_PARAM_INT, 1, 1e6, 0, "grid step", "grid step at which the price has gapped",
     NULL, HS_PARAM_REQUIRED},
    {"size", HS_PARAM_REAL, -1, 10, 0, "fraction", "relative jump, -0.2 = -20%", NULL,
     HS_PARAM_REQUIRED | HS_PARAM_MIN_OPEN},
};

static const hs_param vol_params[] = {
    {"from", HS_PARAM_REAL, 0, 1000, 0, "years", "start of the stressed window", NULL, 0},
    {"to", HS_PARAM_REAL, 0, 1000, 0, "years", "end of the stressed window", NULL,
     HS_PARAM_REQUIRED | HS_PARAM_MIN_OPEN},
    {"factor", HS_PARAM_REAL, 0, 100, 0, "multiple", "volatility multiplier in the window",
     NULL, HS_PARAM_REQUIRED | HS_PARAM_MIN_OPEN},
};

static size_t nearest_step(double t, const hs_grid *grid)
{
    double k = floor(t / grid->dt + 0.5);
    return k < 0 ? 0 : (size_t)k;
}

static hs_status resolve_crash(hs_stress *s, const hs_grid *grid, double sigma, double drift,
                               hs_error *err)
{
    (void)sigma, (void)drift;
    double t = s->par[CRASH_TIME];
    if (t > grid->horizon)
        return hs_error_set(err, HS_EINPUT, "%s: [stress.%s] time = %g is after the horizon "
                            "(expected a time in (0, %g] years)",
                            s->at[CRASH_TIME], s->name, t, grid->horizon);
    size_t k = nearest_step(t, grid);
    if (k < 1)
        k = 1;
    /* The jump lands at t_k: after the model's step k-1 -> k. */
    s->k_from = k - 1;
    s->k_to = k;
    s->jump = log1p(s->par[CRASH_SIZE]);
    s->factor = 1.0 + s->par[CRASH_SIZE];
    return HS_OK;
}

static hs_status resolve_gap(hs_stress *s, const hs_grid *grid, double sigma, double drift,
                             hs_error *err)
{
    (void)sigma, (void)drift;
    size_t k = (size_t)s->par[GAP_STEP];
    if (k > grid->steps)
        return hs_error_set(err, HS_EINPUT, "%s: [stress.%s] step = %zu is beyond the grid "
                            "(expected a step in [1, %zu])",
                            s->at[GAP_STEP], s->name, k, grid->steps);
    s->k_from = k - 1;
    s->k_to = k;
    s->jump = log1p(s->par[GAP_SIZE]);
    s->factor = 1.0 + s->par[GAP_SIZE];
    return HS_OK;
}

static hs_status resolve_vol(hs_stress *s, const hs_grid *grid, double sigma, double drift,
                             hs_error *err)
{
    double from = s->par[VOL_FROM], to = s->par[VOL_TO], f = s->par[VOL_FACTOR];
    if (!(from < to))
        return hs_error_set(err, HS_EINPUT, "%s: [stress.%s] to = %g is not after from = %g "
                            "(expected from < to)", s->at[VOL_TO], s->name, to, from);
    if (!isfinite(sigma))
        sigma = 0.0; /* a model without a sigma gets no drift correction */
    s->k_from = nearest_step(from, grid);
    s->k_to = nearest_step(to, grid);
    if (s->k_to > grid->steps)
        s->k_to = grid->steps;
    if (s->k_to <= s->k_from)
        return hs_error_set(err, HS_EINPUT, "%s: [stress.%s] the window [%g, %g) holds no grid "
                            "step (expected a window at least one step of %g years long, "
                            "inside the horizon)", s->at[VOL_TO], s->name, from, to, grid->dt);
    s->factor = f;
    s->mean_shift = (1.0 - f) * drift * grid->dt - (f * f - f) * sigma * sigma * grid->dt / 2.0;
    return HS_OK;
}

const hs_stress_type hs_stress_crash = {"crash", "price jump of `size` at `time`", crash_params,
                                        sizeof crash_params / sizeof crash_params[0],
                                        resolve_crash};
const hs_stress_type hs_stress_gap = {"gap", "price gap of `size` at grid step `step`",
                                      gap_params, sizeof gap_params / sizeof gap_params[0],
                                      resolve_gap};
const hs_stress_type hs_stress_vol = {"vol", "volatility times `factor` over [from, to)",
                                      vol_params, sizeof vol_params / sizeof vol_params[0],
                                      resolve_vol};

static const hs_stress_type *const registry[] = {&hs_stress_crash, &hs_stress_gap,
                                                 &hs_stress_vol, NULL};

const hs_stress_type *const *hs_stress_types(void)
{
    return registry;
}

const hs_stress_type *hs_stress_type_find(const char *name)
{
    for (size_t i = 0; registry[i]; i++)
        if (!strcmp(registry[i]->name, name))
            return registry[i];
    return NULL;
}

int hs_stress_needs_old(const hs_stress *s, size_t n, size_t k)
{
    for (size_t j = 0; j < n; j++)
        if (s[j].type == &hs_stress_vol && k >= s[j].k_from && k < s[j].k_to)
            return 1;
    return 0;
}

void hs_stress_apply(const hs_stress *s, size_t n, size_t k, hs_block *b,
                     const double *old_logspot)
{
    for (size_t j = 0; j < n; j++) {
        const hs_stress *o = &s[j];
        if (k < o->k_from || k >= o->k_to)
            continue;
        if (o->type == &hs_stress_vol) {
            for (size_t i = 0; i < b->n; i++) {
                double x = b->logspot[i] - old_logspot[i];
                b->logspot[i] = old_logspot[i] + o->factor * x + o->mean_shift;
                b->spot[i] = exp(b->logspot[i]);
            }
        } else {
            /* Multiply rather than recompute exp(logspot): a size of 0 then leaves the
             * lanes bit for bit as they were. */
            double mult = o->factor;
            for (size_t i = 0; i < b->n; i++) {
                b->logspot[i] += o->jump;
                b->spot[i] *= mult;
            }
        }
    }
}

const char *hs_stress_describe(const hs_stress *s, const hs_grid *grid, char *buf, size_t len)
{
    if (s->type == &hs_stress_vol)
        /* Steps are numbered as everywhere else (the gap's `step`, the crash's text, JSON
         * first_step/last_step, paths.csv): step j is the move from t_{j-1} to t_j, so the
         * window [t_from, t_to) is steps k_from + 1 to k_to. */
        snprintf(buf, len, "vol '%s': volatility x %g over [%g, %g) years (steps %zu to %zu)",
                 s->name, s->factor, (double)s->k_from * grid->dt, (double)s->k_to * grid->dt,
                 s->k_from + 1, s->k_to);
    else
        snprintf(buf, len, "%s '%s': %+g%% at t = %.6g years (step %zu)", s->type->name, s->name,
                 100.0 * expm1(s->jump), (double)s->k_to * grid->dt, s->k_to);
    return buf;
}
