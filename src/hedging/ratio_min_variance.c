/*
 * Hedge ratio `min_variance`: the variance-optimal (locally risk-minimising) hedge of
 * Hedged Monte Carlo (Potters, Bouchaud & Sestovic, Physica A 289 (2001) 517-525;
 * Foellmer & Schweizer 1989), learned on training paths of the scenario's own model
 * before the run (hmc_train.c, equations in hmc.h) and used out of sample:
 *
 *   target shares at step k = - phi_d(S_k[, state_k]),   d the last trading date <= k,
 *
 * phi_d a combination of `basis` B-splines of order `order` in ln S (times 1 and the
 * standardised model state with `state = 1`), with knots over the training paths' range of
 * ln S at t_d; beyond that range the hedge is held at its value at the range's edge (the
 * fit has seen no path there, and a flat extension cannot explode as a polynomial would).
 *
 * Trading dates: the rule's rebalance dates when it has a fixed interval (`interval`:
 * every h steps, so phi_d hedges over [t_d, t_{d+h}]), else every grid step (band rules,
 * `move`).  Band rules see the book's Black-Scholes gamma at the strategy's vol (the fit
 * gives no gamma).  The training set holds train_paths x (dates + expiries) spots; its
 * size is estimated before the run (hs_hmc_train_bytes) and a set that does not fit is
 * refused by the command.  The fit is reported per strategy: C_0 (the book's HMC value)
 * with its standard error and the training time.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hedgesim/hmc.h"
#include "hedgesim/strategy.h"

enum { P_BASIS, P_ORDER, P_TRAIN_PATHS, P_STATE };
enum { C_EVERY };

static const hs_param params[] = {
    {"basis", HS_PARAM_INT, 2, HS_HMC_MAX_BASIS, 16, "functions",
     "B-splines in ln S for the value and for the hedge at each date (a list makes a sweep)", NULL,
     HS_PARAM_SWEEP},
    {"order", HS_PARAM_INT, 2, 6, 4, "order", "B-spline order (4: cubic, 2: piecewise linear)",
     NULL, HS_PARAM_SWEEP},
    {"train_paths", HS_PARAM_INT, 100, 2e6, 50000, "paths",
     "training paths (streams disjoint from the run's; a list makes a sweep)", NULL,
     HS_PARAM_SWEEP},
    {"state", HS_PARAM_INT, 0, 1, 0, "0|1",
     "1: the model's state (heston variance, regime, garch variance) enters the basis", NULL,
     HS_PARAM_SWEEP},
};

static int has_state(const hs_model_type *t)
{
    return !strcmp(t->name, "heston") || !strcmp(t->name, "regime") || !strcmp(t->name, "garch");
}

static hs_status prepare(hs_ratio_ctx *c, const hs_origin *origins, const char *context,
                         hs_error *err)
{
    char w[512];
#define AT(j) (origins ? hs_origin_str(origins[j], w, sizeof w) : "scenario")
    if (c->par[P_ORDER] > c->par[P_BASIS])
        return hs_error_set(err, HS_EINPUT,
                            "%s: %s: ratio = min_variance: basis = %g is less than order = %g "
                            "(expected at least order B-splines)",
                            AT(P_BASIS), context, c->par[P_BASIS], c->par[P_ORDER]);
    if (c->model && c->par[P_STATE] != 0.0 && !has_state(c->model->type))
        return hs_error_set(err, HS_EINPUT,
                            "%s: %s: ratio = min_variance: state = 1, but model '%s' has no "
                            "observable state (expected state = 0, or a heston, regime or "
                            "garch model)",
                            AT(P_STATE), context, c->model->type->name);
    /* Four paths per unknown at the least (2 x basis unknowns, twice that with the state):
     * fewer leave the regression all noise. */
    double unknowns = 2.0 * c->par[P_BASIS] * (c->par[P_STATE] != 0.0 ? 2.0 : 1.0);
    if (c->par[P_TRAIN_PATHS] < 4.0 * unknowns)
        return hs_error_set(err, HS_EINPUT,
                            "%s: %s: ratio = min_variance: train_paths = %g for %g unknowns per "
                            "date (expected at least %g: four training paths per unknown)",
                            AT(P_TRAIN_PATHS), context, c->par[P_TRAIN_PATHS], unknowns,
                            4.0 * unknowns);
#undef AT
    double every = c->interval > 0.0 ? round(c->interval / c->grid->dt) : 1.0;
    c->consts[C_EVERY] = every >= 1.0 ? every : 1.0;
    return HS_OK;
}

static hs_hmc_spec spec_of(const hs_ratio_ctx *c)
{
    return (hs_hmc_spec){(size_t)c->par[P_BASIS],
                         (size_t)c->par[P_ORDER],
                         (uint64_t)c->par[P_TRAIN_PATHS],
                         c->par[P_STATE] != 0.0,
                         c->seed,
                         (size_t)c->consts[C_EVERY],
                         c->threads};
}

static hs_status begin(hs_ratio_ctx *c, hs_error *err)
{
    if (!c->model)
        return HS_OK;
    hs_hmc_spec sp = spec_of(c); /* with the run's threads: --threads 1 stays serial */
    hs_hmc *h = NULL;
    hs_status st = hs_hmc_train(c->model, c->legs, c->n_legs, &sp, &h, err);
    if (st)
        return st;
    c->data = h;
    return HS_OK;
}

static void end(hs_ratio_ctx *c)
{
    hs_hmc_free(c->data);
    c->data = NULL;
}

static void target(const hs_ratio_ctx *c, size_t k, const hs_block *b, const double *state,
                   double *delta, double *gamma, double *units)
{
    (void)state, (void)units;
    const hs_hmc *h = c->data;
    if (gamma) /* band rules: the Black-Scholes gamma at the strategy's vol */
        hs_book_hedge_lanes(c, k, b, c->vol, delta, gamma);
    for (size_t i = 0; i < HS_BLOCK; i++)
        delta[i] = 0.0;
    if (!h || k >= h->steps)
        return;
    const hs_hmc_date *d = &h->dates[h->date_of[k]];
    for (size_t i = 0; i < b->n; i++) {
        double phi;
        hs_hmc_eval(d, h->order, b->logspot[i], b->state[i], NULL, &phi);
        delta[i] = -phi;
    }
}

static int fitted(const hs_ratio_ctx *c, double *price, double *stderr_, double *seconds,
                  double *paths)
{
    const hs_hmc *h = c->data;
    if (!h)
        return 0;
    *price = h->price, *stderr_ = h->stderr_, *seconds = h->seconds, *paths = (double)h->paths;
    return 1;
}

size_t hs_min_variance_train_bytes(const hs_strategy *s, const hs_grid *grid, size_t n_legs)
{
    if (s->ratio != &hs_ratio_min_variance)
        return 0;
    /* The trading interval as the strategy's set-up finds it: the rule's own prepare. */
    hs_rule_state rs;
    hs_error e;
    memset(&rs, 0, sizeof rs);
    size_t every = 1;
    if (s->rule->prepare(&rs, s->rule_par, s->rule_origin, grid, s->name, &e) == HS_OK &&
        s->rule->hedges && s->rule->hedges(&rs) && rs.every >= 1)
        every = rs.every;
    const double *par = s->ratio_par;
    hs_hmc_spec sp = {(size_t)par[P_BASIS],
                      (size_t)par[P_ORDER],
                      (uint64_t)par[P_TRAIN_PATHS],
                      par[P_STATE] != 0.0,
                      0,
                      every,
                      0};
    return hs_hmc_train_bytes(&sp, grid->steps, n_legs);
}

size_t hs_min_variance_train_paths_param(void)
{
    return P_TRAIN_PATHS;
}

const hs_ratio_type hs_ratio_min_variance = {
    .name = "min_variance",
    .help = "variance-optimal hedge learned by Hedged Monte Carlo on training paths of the model",
    .params = params,
    .n_params = sizeof params / sizeof params[0],
    .prepare = prepare,
    .target = target,
    .begin = begin,
    .end = end,
    .fitted = fitted,
};
