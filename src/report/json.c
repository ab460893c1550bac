/*
 * The report as JSON (report.h, keys in docs/outputs.md).  The "option" block is the
 * book seen by a holder long the first leg: for the classic single short call it is the
 * call's own price and Greeks (2.51207 for the Derman-Kamal case), as QuantLib's
 * DiscreteHedging prints it.  The "book" block is the same signed by the quantities
 * held.  JSON has no NaN: a quantity that does not apply is null.
 */
#define _POSIX_C_SOURCE 200809L
#include "hedgesim/report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hedgesim/instrument.h"

/* JSON has no NaN: a quantity that does not apply is null. */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *summary_json(const hs_summary *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "mean", num(s->mean));
    json_object_set_new(o, "std", num(s->std));
    json_object_set_new(o, "stderr", num(s->stderr_mean));
    json_object_set_new(o, "skew", num(s->skew));
    json_object_set_new(o, "exkurt", num(s->exkurt));
    json_object_set_new(o, "min", num(s->min));
    json_object_set_new(o, "max", num(s->max));
    json_object_set_new(o, "q01", num(s->q01));
    json_object_set_new(o, "q05", num(s->q05));
    json_object_set_new(o, "q50", num(s->q50));
    json_object_set_new(o, "q95", num(s->q95));
    json_object_set_new(o, "q99", num(s->q99));
    json_object_set_new(o, "var95", num(s->var95));
    json_object_set_new(o, "es95", num(s->es95));
    json_object_set_new(o, "var99", num(s->var99));
    json_object_set_new(o, "es99", num(s->es99));
    return o;
}

static json_t *greeks_json(const hs_book_greeks *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "value", num(g->value));
    json_object_set_new(o, "delta", num(g->delta));
    json_object_set_new(o, "gamma", num(g->gamma));
    json_object_set_new(o, "vega", num(g->vega));
    json_object_set_new(o, "theta", num(g->theta));
    return o;
}

/* model_value beside the value at the traded vols, only where the model has a price
 * (bootstrap and replay keep their JSON unchanged). */
static json_t *with_model_value(json_t *o, double model_value)
{
    if (isfinite(model_value))
        json_object_set_new(o, "model_value", json_real(model_value));
    return o;
}

/* ratio = min_variance: the Hedged Monte Carlo fit's value of the book at t0 beside the
 * book's Black-Scholes value at the traded vols; "training" holds the fit's wall time. */
static json_t *hmc_json(const hs_strategy_means *m, double book_value, double model_value)
{
    json_t *h = json_object();
    json_object_set_new(h, "price", num(m->hmc_price));
    json_object_set_new(h, "stderr", num(m->hmc_stderr));
    json_object_set_new(h, "bs_value", num(book_value));
    if (isfinite(model_value)) /* where the model has a price (book.model_value) */
        json_object_set_new(h, "model_value", num(model_value));
    json_object_set_new(h, "z_vs_bs", num((m->hmc_price - book_value) / m->hmc_stderr));
    json_object_set_new(h, "train_paths", json_integer((json_int_t)m->hmc_paths));
    json_t *t = json_object();
    json_object_set_new(t, "seconds", num(m->hmc_seconds));
    json_object_set_new(h, "training", t);
    return h;
}

static json_t *mean_std_json(double mean, double std)
{
    json_t *o = json_object();
    json_object_set_new(o, "mean", num(mean));
    json_object_set_new(o, "std", num(std));
    return o;
}

json_t *hs_report_json(const hs_report *rep)
{
    const hs_scenario *sc = rep->sc;
    const hs_results *res = rep->res;
    json_t *root = json_object();
    json_object_set_new(root, "scenario", json_string(sc->name));
    json_object_set_new(root, "description", json_string(sc->description));
    json_object_set_new(root, "seed", json_integer((json_int_t)sc->seed));
    json_object_set_new(root, "paths", json_integer((json_int_t)sc->paths));
    json_object_set_new(root, "steps", json_integer((json_int_t)sc->grid.steps));
    json_object_set_new(root, "threads", json_integer(res->threads));
    json_object_set_new(root, "ranks", json_integer(hs_comm_size(res->comm)));
    json_object_set_new(root, "horizon", num(sc->grid.horizon));

    json_t *market = json_object();
    json_object_set_new(market, "spot", num(sc->market.spot));
    json_object_set_new(market, "rate", num(sc->market.rate));
    json_object_set_new(market, "dividend", num(sc->market.dividend));
    json_object_set_new(root, "market", market);

    json_t *model = json_object();
    json_object_set_new(model, "type", json_string(sc->model->name));
    hs_model m;
    if (hs_model_init(&m, sc->model, &sc->model_args, &sc->market, &sc->grid, NULL) == HS_OK) {
        for (size_t i = 0; i < sc->model->n_params; i++) {
            const hs_param *p = &sc->model->params[i];
            const hs_model_args *a = &sc->model_args;
            if (p->kind == HS_PARAM_TEXT) {
                json_object_set_new(model, p->key, json_string(a->text[i]));
            } else if (p->kind == HS_PARAM_LIST) {
                json_t *list = json_array();
                for (size_t j = 0; j < a->list_n[i]; j++)
                    json_array_append_new(list, num(a->list[i][j]));
                json_object_set_new(model, p->key, list);
            } else if (p->kind == HS_PARAM_NAME && p->choices) {
                const char *c = p->choices;
                for (int k = 0; k < (int)m.par[i] && strchr(c, '|'); k++)
                    c = strchr(c, '|') + 1;
                const char *bar = strchr(c, '|');
                json_object_set_new(model, p->key,
                                    json_stringn(c, bar ? (size_t)(bar - c) : strlen(c)));
            } else {
                json_object_set_new(model, p->key, num(m.par[i]));
            }
        }
        hs_model_release(&m);
    }
    json_object_set_new(root, "model", model);

    json_t *stress = json_array();
    for (size_t i = 0; i < sc->n_stress; i++) {
        const hs_stress *o = &sc->stress[i];
        json_t *so = json_object();
        char text[256];
        json_object_set_new(so, "name", json_string(o->name));
        json_object_set_new(so, "type", json_string(o->type->name));
        for (size_t j = 0; j < o->type->n_params; j++)
            json_object_set_new(so, o->type->params[j].key, num(o->par[j]));
        json_object_set_new(so, "first_step", json_integer((json_int_t)o->k_from + 1));
        json_object_set_new(so, "last_step", json_integer((json_int_t)o->k_to));
        json_object_set_new(so, "text",
                            json_string(hs_stress_describe(o, &sc->grid, text, sizeof text)));
        json_array_append_new(stress, so);
    }
    json_object_set_new(root, "stress", stress);
    hs_horizon_json_root(rep, root); /* [risk] only */

    json_object_set_new(root, "option",
                        with_model_value(greeks_json(&rep->option), rep->option_model_value));
    json_object_set_new(root, "book",
                        with_model_value(greeks_json(&rep->book), rep->book_model_value));
    json_t *legs = json_array();
    for (size_t j = 0; j < sc->n_legs; j++) {
        const hs_leg *leg = &sc->legs[j];
        json_t *l = json_object();
        json_object_set_new(l, "name", json_string(leg->name));
        json_object_set_new(l, "type", json_string(leg->type->name));
        json_object_set_new(l, "strike", num(leg->strike));
        json_object_set_new(l, "maturity", num(leg->maturity));
        json_object_set_new(l, "quantity", num(leg->quantity));
        json_object_set_new(l, "vol", num(leg->vol));
        json_array_append_new(legs, l);
    }
    json_object_set_new(root, "legs", legs);

    json_t *strategies = json_array();
    for (size_t s = 0; s < rep->n; s++) {
        const hs_strategy_report *r = &rep->strategies[s];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(r->strategy->name));
        json_object_set_new(o, "rebalance", json_string(r->strategy->rule->name));
        json_object_set_new(o, "ratio", json_string(r->strategy->ratio->name));
        json_object_set_new(o, "hedges",
                            r->hedges ? json_integer((json_int_t)r->hedges) : json_null());
        json_object_set_new(o, "vol", num(r->strategy->vol));
        const hs_costs *c = &r->strategy->costs;
        json_object_set_new(o, "cost", num(c->prop));
        json_t *costs = json_object();
        json_object_set_new(costs, "cost", num(c->prop));
        json_object_set_new(costs, "fee", num(c->fee));
        json_object_set_new(costs, "spread", num(c->spread));
        json_object_set_new(costs, "lot", num(c->lot));
        json_object_set_new(costs, "min_trade", num(c->min_trade));
        json_object_set_new(costs, "charge_initial", json_boolean(c->charge_initial));
        json_object_set_new(costs, "charge_unwind", json_boolean(c->charge_unwind));
        json_object_set_new(costs, "borrow", num(c->borrow));
        json_object_set_new(costs, "min_gap", num(c->min_gap));
        json_object_set_new(o, "costs", costs);
        json_object_set_new(o, "trades_mean", num(r->means.trades));
        json_object_set_new(o, "turnover_mean", num(r->means.turnover));
        json_object_set_new(o, "cost_mean", num(r->means.cost));
        json_object_set_new(o, "edge", num(r->means.edge));
        if (r->strategy->ratio == &hs_ratio_model)
            json_object_set_new(o, "model_delta_fallbacks",
                                json_integer((json_int_t)r->means.model_delta_fallbacks));
        if (r->means.hmc_paths > 0)
            json_object_set_new(o, "hmc",
                                hmc_json(&r->means, rep->book.value, rep->book_model_value));
        json_object_set_new(o, "pnl", summary_json(&r->pnl));
        json_object_set_new(o, "hedge_error", summary_json(&r->hedge_error));
        json_object_set_new(o, "derman_kamal_std", num(r->derman_kamal_std));
        json_t *attr = json_object();
        json_object_set_new(attr, "edge", num(r->means.edge));
        json_object_set_new(attr, "replication",
                            mean_std_json(r->hedge_error.mean, r->hedge_error.std));
        json_object_set_new(attr, "cost", mean_std_json(-r->cost.mean, r->cost.std));
        json_object_set_new(attr, "carry", mean_std_json(r->carry.mean, r->carry.std));
        json_object_set_new(o, "attribution", attr);
        json_t *ci = json_object();
        const hs_interval *iv[6] = {&r->ci.mean, &r->ci.std,   &r->ci.var95,
                                    &r->ci.es95, &r->ci.var99, &r->ci.es99};
        static const char *const ci_keys[6] = {"mean", "std", "var95", "es95", "var99", "es99"};
        for (int k = 0; k < 6; k++) {
            json_t *pair = json_array();
            json_array_append_new(pair, num(iv[k]->lo));
            json_array_append_new(pair, num(iv[k]->hi));
            json_object_set_new(ci, ci_keys[k], pair);
        }
        json_object_set_new(o, "ci", ci);
        hs_horizon_json(rep, s, o); /* [risk] only */
        json_array_append_new(strategies, o);
    }
    json_object_set_new(root, "strategies", strategies);

    json_t *pairs = json_array();
    for (size_t i = 0; i < rep->n_pairs; i++) {
        const hs_pair *p = &rep->pairs[i];
        json_t *o = json_object();
        json_object_set_new(o, "a", json_string(rep->strategies[p->a].strategy->name));
        json_object_set_new(o, "b", json_string(rep->strategies[p->b].strategy->name));
        json_object_set_new(o, "mean_diff", num(p->mean_diff));
        json_object_set_new(o, "stderr", num(p->stderr_diff));
        json_object_set_new(o, "z", num(p->z));
        json_t *ci = json_array();
        json_array_append_new(ci, num(p->ci95.lo));
        json_array_append_new(ci, num(p->ci95.hi));
        json_object_set_new(o, "ci95", ci);
        json_object_set_new(o, "corr", num(p->corr));
        json_object_set_new(o, "var_diff", num(p->var_diff));
        json_object_set_new(o, "var_z", num(p->var_z));
        json_object_set_new(o, "std_ratio", num(p->std_ratio));
        json_array_append_new(pairs, o);
    }
    json_object_set_new(root, "pairs", pairs);

    json_t *conv = json_array();
    for (size_t j = 0; j < rep->n_conv; j++) {
        const hs_convergence *c = &rep->conv[j];
        json_t *o = json_object(), *pts = json_array();
        json_object_set_new(o, "group", json_string(c->group));
        for (size_t i = 0; i < c->k; i++) {
            json_t *pt = json_object();
            json_object_set_new(pt, "hedges", json_integer((json_int_t)c->hedges[i]));
            json_object_set_new(pt, "std", num(c->std[i]));
            json_object_set_new(pt, "std_se", num(c->std_se[i]));
            json_object_set_new(pt, "derman_kamal_std", num(c->dk[i]));
            json_array_append_new(pts, pt);
        }
        json_object_set_new(o, "points", pts);
        json_object_set_new(o, "slope", num(c->fit.slope));
        json_object_set_new(o, "slope_se", num(c->fit.slope_se));
        json_t *ci = json_array();
        json_array_append_new(ci, num(c->fit.ci95.lo));
        json_array_append_new(ci, num(c->fit.ci95.hi));
        json_object_set_new(o, "slope_ci95", ci);
        json_object_set_new(o, "dk_ratio", num(c->dk_ratio));
        json_array_append_new(conv, o);
    }
    json_object_set_new(root, "convergence", conv);
    if (rep->grid_key)
        json_object_set_new(root, "grid_value", num(rep->grid_value));

    double path_steps = (double)sc->paths * (double)sc->grid.steps;
    json_t *timing = json_object();
    json_object_set_new(timing, "seconds", num(res->seconds));
    json_object_set_new(timing, "path_steps", json_integer((json_int_t)path_steps));
    json_object_set_new(timing, "ns_per_path_step", num(res->seconds * 1e9 / path_steps));
    json_object_set_new(root, "timing", timing);
    return root;
}
