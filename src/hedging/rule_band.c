/*
 * Rebalancing rules that watch the position at every grid step:
 *
 *   band:             trade when |target - held| > band (shares), back to the target
 *                     (`to = target`) or to the nearer edge of the band (`to = edge`);
 *   whalley_wilmott:  the asymptotically optimal band for proportional cost lambda and
 *                     exponential-utility risk aversion gamma,
 *                       H = (3/2 e^{-r (T - t)} lambda S Gamma^2 / gamma)^{1/3},
 *                     trading back to the nearer edge (Whalley & Wilmott 1997, "An
 *                     asymptotic analysis of an optimal hedging model for option pricing
 *                     with transaction costs", Mathematical Finance 7(3), 307-324, eq. 4.5);
 *                     Gamma -> 0 gives H -> 0 through cbrt, never NaN;
 *   move:             trade to the target when the spot has moved by more than `move`
 *                     (relative) since the path's last trade.
 *
 * Each trades at t0 whatever the band (the position starts empty: |target - 0| is the
 * whole delta, and move has no last trade yet).  A band of 0 trades exactly when the
 * target moved, so it equals `interval` with every = 1 bit for bit.
 */
#include <math.h>
#include <stdio.h>

#include "hedgesim/strategy.h"

enum { BAND_WIDTH, BAND_TO };
enum { WW_RISK };
enum { MOVE_SIZE };

static const hs_param band_params[] = {
    {"band", HS_PARAM_REAL, 0, 1e9, 0, "shares", "half-width of the no-trade band around the target",
     NULL, HS_PARAM_REQUIRED | HS_PARAM_SWEEP},
    {"to", HS_PARAM_NAME, 0, 0, 0, "name", "trade back to the target or to the nearer edge",
     "target|edge", HS_PARAM_SWEEP},
};

static const hs_param ww_params[] = {
    {"risk_aversion", HS_PARAM_REAL, 0, 1e6, 1, "per money",
     "exponential-utility risk aversion gamma of Whalley-Wilmott", NULL,
     HS_PARAM_MIN_OPEN | HS_PARAM_SWEEP},
};

static const hs_param move_params[] = {
    {"move", HS_PARAM_REAL, 0, 10, 0, "fraction",
     "relative spot move since the last trade that triggers a rebalance", NULL,
     HS_PARAM_REQUIRED | HS_PARAM_MIN_OPEN | HS_PARAM_SWEEP},
};

static hs_status prepare_any(hs_rule_state *st, const hs_rule_type *type, const double *par,
                             size_t n_par)
{
    st->type = type;
    st->every = 1;
    st->hedges = 0;
    for (size_t i = 0; i < n_par; i++)
        st->par[i] = par[i];
    return HS_OK;
}

static hs_status band_prepare(hs_rule_state *st, const double *par, const hs_origin *origins,
                              const hs_grid *grid, const char *context, hs_error *err)
{
    (void)origins, (void)grid, (void)context, (void)err;
    return prepare_any(st, &hs_rule_band, par, 2);
}

static hs_status ww_prepare(hs_rule_state *st, const double *par, const hs_origin *origins,
                            const hs_grid *grid, const char *context, hs_error *err)
{
    (void)origins, (void)grid, (void)context, (void)err;
    return prepare_any(st, &hs_rule_whalley_wilmott, par, 1);
}

static hs_status move_prepare(hs_rule_state *st, const double *par, const hs_origin *origins,
                              const hs_grid *grid, const char *context, hs_error *err)
{
    (void)origins, (void)grid, (void)context, (void)err;
    return prepare_any(st, &hs_rule_move, par, 1);
}

static int always(const hs_rule_state *st, size_t k)
{
    (void)st, (void)k;
    return 1;
}

static size_t no_fixed_hedges(const hs_rule_state *st)
{
    (void)st;
    return 0;
}

/* Back inside [target - h, target + h]: to the target or to the nearer edge. */
static double into_band(double held, double target, double h, int to_edge)
{
    double d = target - held;
    if (!(fabs(d) > h))
        return held;
    if (!to_edge)
        return target;
    return d > 0 ? target - h : target + h;
}

static void band_apply(const hs_rule_state *st, const hs_rule_io *io, size_t n)
{
    double h = st->par[BAND_WIDTH];
    int to_edge = st->par[BAND_TO] == 1.0;
    for (size_t i = 0; i < n; i++)
        io->next[i] = io->k == 0 ? io->target[i] : into_band(io->held[i], io->target[i], h, to_edge);
}

double hs_whalley_wilmott_halfwidth(double spot, double gamma, double cost, double risk_aversion,
                                    double rate, double tau)
{
    double x = 1.5 * exp(-rate * tau) * cost * spot * gamma * gamma / risk_aversion;
    return cbrt(x > 0.0 ? x : 0.0);
}

static void ww_apply(const hs_rule_state *st, const hs_rule_io *io, size_t n)
{
    double tau = st->horizon - io->t;
    for (size_t i = 0; i < n; i++) {
        if (io->k == 0) {
            io->next[i] = io->target[i];
            continue;
        }
        double h = hs_whalley_wilmott_halfwidth(io->spot[i], io->gamma[i], st->cost,
                                                st->par[WW_RISK], st->rate, tau);
        io->next[i] = into_band(io->held[i], io->target[i], h, 1);
    }
}

static void move_apply(const hs_rule_state *st, const hs_rule_io *io, size_t n)
{
    double m = st->par[MOVE_SIZE];
    for (size_t i = 0; i < n; i++) {
        int first = isnan(io->last_spot[i]);
        int moved = first || fabs(io->spot[i] / io->last_spot[i] - 1.0) > m;
        io->next[i] = moved ? io->target[i] : io->held[i];
    }
}

const hs_rule_type hs_rule_band = {
    .name = "band",
    .help = "trade when |target - held| exceeds a fixed band (to the target or the edge)",
    .params = band_params,
    .n_params = sizeof band_params / sizeof band_params[0],
    .prepare = band_prepare,
    .active = always,
    .apply = band_apply,
    .hedges = no_fixed_hedges,
};

const hs_rule_type hs_rule_whalley_wilmott = {
    .name = "whalley_wilmott",
    .help = "Whalley-Wilmott optimal band for the strategy's proportional cost",
    .params = ww_params,
    .n_params = sizeof ww_params / sizeof ww_params[0],
    .prepare = ww_prepare,
    .active = always,
    .apply = ww_apply,
    .hedges = no_fixed_hedges,
    .needs_gamma = 1,
};

const hs_rule_type hs_rule_move = {
    .name = "move",
    .help = "trade when the spot moved by a relative amount since the last trade",
    .params = move_params,
    .n_params = sizeof move_params / sizeof move_params[0],
    .prepare = move_prepare,
    .active = always,
    .apply = move_apply,
    .hedges = no_fixed_hedges,
};
