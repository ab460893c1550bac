/*
 * Horizon risk in the report (report.h, risk.h; issue 13): per strategy and horizon the
 * marked-to-market P&L's summary (the same statistics as `pnl`: moments, quantiles,
 * VaR/ES 95/99) with its 95% intervals, the explain's per-path means and stds, and the
 * drawdown; their JSON, terminal table and horizons.csv.
 *
 * Every statistic comes from the split-invariant functions of src/stats (exact sums,
 * exact order statistics, the split tail bootstrap), called in a fixed order (horizon,
 * then strategy) on every rank: the same bits for any thread and rank count.
 */
#define _POSIX_C_SOURCE 200809L
#include "hedgesim/report.h"
#include "csv_fields.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bootstrap.h"
#include "stats/sample.h"

hs_status hs_horizon_build(hs_report *rep, int threads, hs_error *err)
{
    const hs_scenario *sc = rep->sc;
    const hs_results *res = rep->res;
    const hs_risk *r = &sc->risk;
    size_t nh = res->n_horizons, n = rep->n, paths = (size_t)res->paths;
    rep->horizons = calloc(nh && n ? nh * n : 1, sizeof *rep->horizons);
    if (!rep->horizons)
        return hs_error_set(err, HS_ERUNTIME, "out of memory for the horizon statistics");
    hs_status st = HS_OK;
    for (size_t h = 0; h < nh && !st; h++)
        for (size_t s = 0; s < n && !st; s++) {
            hs_horizon_report *o = &rep->horizons[h * n + s];
            o->time = (double)r->step[h] * sc->grid.dt;
            o->step = r->step[h];
            const double *x = res->horizon_pnl + (h * n + s) * paths;
            st = hs_sample_summary(res->comm, x, paths, res->first_path, threads, &o->pnl, err);
            if (!st)
                st = hs_report_bootstrap(res, x, sc->seed * 1000003u + s + 7919u * (h + 1), threads,
                                         &o->pnl, &o->ci, err);
            const double *ex = res->explain + (h * n + s) * HS_EX_TERMS * paths;
            for (size_t t = 0; t < HS_EX_TERMS && !st; t++)
                st = hs_sample_mean_std(res->comm, ex + t * paths, paths, threads,
                                        &o->explain[t].mean, &o->explain[t].std, err);
        }
    if (!st && res->drawdown) {
        rep->drawdown = calloc(n ? n : 1, sizeof *rep->drawdown);
        if (!rep->drawdown)
            return hs_error_set(err, HS_ERUNTIME, "out of memory for the drawdown statistics");
        for (size_t s = 0; s < n && !st; s++)
            st = hs_sample_summary(res->comm, res->drawdown + s * paths, paths, res->first_path,
                                   threads, &rep->drawdown[s], err);
    }
    return st;
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *summary_json(const hs_summary *s)
{
    static const char *const keys[16] = {"mean",  "std",  "stderr", "skew", "exkurt", "min",
                                         "max",   "q01",  "q05",    "q50",  "q95",    "q99",
                                         "var95", "es95", "var99",  "es99"};
    double v[16] = {s->mean,  s->std,  s->stderr_mean, s->skew, s->exkurt, s->min,
                    s->max,   s->q01,  s->q05,         s->q50,  s->q95,    s->q99,
                    s->var95, s->es95, s->var99,       s->es99};
    json_t *o = json_object();
    for (int i = 0; i < 16; i++)
        json_object_set_new(o, keys[i], num(v[i]));
    return o;
}

static const char *const ci_keys[6] = {"mean", "std", "var95", "es95", "var99", "es99"};

static void ci_values(const hs_ci *c, const hs_interval *iv[6])
{
    iv[0] = &c->mean, iv[1] = &c->std, iv[2] = &c->var95;
    iv[3] = &c->es95, iv[4] = &c->var99, iv[5] = &c->es99;
}

void hs_horizon_json_root(const hs_report *rep, json_t *root)
{
    const hs_scenario *sc = rep->sc;
    const hs_risk *r = &sc->risk;
    if (!r->n_horizons)
        return;
    json_t *o = json_object(), *hs = json_array(), *im = json_array();
    for (size_t h = 0; h < r->n_horizons; h++)
        json_array_append_new(hs, num((double)r->step[h] * sc->grid.dt));
    json_object_set_new(o, "horizons", hs);
    json_object_set_new(o, "mark", json_string(r->mark == HS_MARK_MODEL ? "model" : "implied"));
    json_object_set_new(o, "drawdown", json_boolean(r->drawdown));
    for (size_t i = 0; i < r->n_shocks; i++) {
        const hs_implied_shock *s = &r->shocks[i];
        json_t *j = json_object();
        json_object_set_new(j, "name", json_string(s->name));
        json_object_set_new(j, "size", num(s->size));
        json_object_set_new(j, "first_step", json_integer((json_int_t)s->k_from));
        json_object_set_new(
            j, "last_step",
            json_integer((json_int_t)(s->k_to <= sc->grid.steps ? s->k_to - 1 : sc->grid.steps)));
        json_array_append_new(im, j);
    }
    json_object_set_new(o, "implied", im);
    json_object_set_new(root, "risk", o);
}

void hs_horizon_json(const hs_report *rep, size_t s, json_t *strategy)
{
    const hs_results *res = rep->res;
    if (!rep->horizons)
        return;
    json_t *arr = json_array();
    for (size_t h = 0; h < res->n_horizons; h++) {
        const hs_horizon_report *o = &rep->horizons[h * rep->n + s];
        json_t *j = json_object();
        json_object_set_new(j, "time", num(o->time));
        json_object_set_new(j, "step", json_integer((json_int_t)o->step));
        json_object_set_new(j, "pnl", summary_json(&o->pnl));
        json_t *ci = json_object();
        const hs_interval *iv[6];
        ci_values(&o->ci, iv);
        for (int k = 0; k < 6; k++) {
            json_t *pair = json_array();
            json_array_append_new(pair, num(iv[k]->lo));
            json_array_append_new(pair, num(iv[k]->hi));
            json_object_set_new(ci, ci_keys[k], pair);
        }
        json_object_set_new(j, "ci", ci);
        json_t *ex = json_object();
        for (size_t t = 0; t < HS_EX_TERMS; t++) {
            json_t *ms = json_object();
            json_object_set_new(ms, "mean", num(o->explain[t].mean));
            json_object_set_new(ms, "std", num(o->explain[t].std));
            json_object_set_new(ex, hs_explain_names[t], ms);
        }
        json_object_set_new(j, "explain", ex);
        json_array_append_new(arr, j);
    }
    json_object_set_new(strategy, "horizons", arr);
    if (rep->drawdown) {
        const hs_summary *d = &rep->drawdown[s];
        json_t *dd = json_object();
        json_object_set_new(dd, "mean", num(d->mean));
        json_object_set_new(dd, "q95", num(d->q95));
        json_object_set_new(dd, "q99", num(d->q99));
        json_object_set_new(dd, "max", num(d->max));
        json_object_set_new(strategy, "drawdown", dd);
    }
}

int hs_horizon_table(const hs_report *rep, FILE *fp)
{
    const hs_results *res = rep->res;
    const hs_scenario *sc = rep->sc;
    if (!rep->horizons)
        return 0;
    size_t w = 8;
    for (size_t s = 0; s < rep->n; s++)
        if (strlen(rep->strategies[s].strategy->name) > w)
            w = strlen(rep->strategies[s].strategy->name);
    fprintf(fp,
            "\nHorizon risk: the book marked to market (mark = %s), P&L in time-h money; "
            "days of 252\n",
            sc->risk.mark == HS_MARK_MODEL ? "model" : "implied");
    for (size_t i = 0; i < sc->risk.n_shocks; i++) {
        const hs_implied_shock *o = &sc->risk.shocks[i];
        fprintf(fp, "Implied-vol overlay '%s': %+g vol points from t = %g (step %zu)", o->name,
                o->size, (double)o->k_from * sc->grid.dt, o->k_from);
        if (o->k_to <= sc->grid.steps)
            fprintf(fp, " to t = %g (step %zu)", (double)o->k_to * sc->grid.dt, o->k_to);
        fputc('\n', fp);
    }
    fprintf(fp, "%-*s | %7s | %9s | %8s | %8s | %8s | %8s | %8s\n", (int)w, "strategy", "days",
            "P&L mean", "P&L std", "VaR 95%", "ES 95%", "VaR 99%", "ES 99%");
    for (size_t h = 0; h < res->n_horizons; h++)
        for (size_t s = 0; s < rep->n; s++) {
            const hs_horizon_report *o = &rep->horizons[h * rep->n + s];
            fprintf(fp, "%-*s | %7.2f | %9.4f | %8.4f | %8.4f | %8.4f | %8.4f | %8.4f\n", (int)w,
                    rep->strategies[s].strategy->name, o->time * 252.0, o->pnl.mean, o->pnl.std,
                    o->pnl.var95, o->pnl.es95, o->pnl.var99, o->pnl.es99);
        }
    fprintf(fp, "\nP&L explain at the horizons (means; the terms sum to the P&L on every path)\n");
    fprintf(fp, "%-*s | %7s", (int)w, "strategy", "days");
    for (size_t t = 0; t < HS_EX_TERMS; t++)
        fprintf(fp, " | %8s", hs_explain_names[t]);
    fputc('\n', fp);
    for (size_t h = 0; h < res->n_horizons; h++)
        for (size_t s = 0; s < rep->n; s++) {
            const hs_horizon_report *o = &rep->horizons[h * rep->n + s];
            fprintf(fp, "%-*s | %7.2f", (int)w, rep->strategies[s].strategy->name, o->time * 252.0);
            for (size_t t = 0; t < HS_EX_TERMS; t++)
                fprintf(fp, " | %8.4f", o->explain[t].mean);
            fputc('\n', fp);
        }
    if (rep->drawdown) {
        fprintf(fp, "\nDrawdown: largest fall of the marked book from its running peak over "
                    "the life\n");
        fprintf(fp, "%-*s | %8s | %8s | %8s\n", (int)w, "strategy", "mean", "q95", "q99");
        for (size_t s = 0; s < rep->n; s++)
            fprintf(fp, "%-*s | %8.4f | %8.4f | %8.4f\n", (int)w, rep->strategies[s].strategy->name,
                    rep->drawdown[s].mean, rep->drawdown[s].q95, rep->drawdown[s].q99);
    }
    return ferror(fp) ? -1 : 0;
}

int hs_horizons_csv_header(FILE *fp)
{
    static const char *const keys[16] = {"mean",  "std",  "stderr", "skew", "exkurt", "min",
                                         "max",   "q01",  "q05",    "q50",  "q95",    "q99",
                                         "var95", "es95", "var99",  "es99"};
    fputs("grid_key,grid_value,strategy,horizon,step", fp);
    for (int i = 0; i < 16; i++)
        fprintf(fp, ",pnl_%s", keys[i]);
    for (int k = 0; k < 6; k++)
        fprintf(fp, ",pnl_%s_lo,pnl_%s_hi", ci_keys[k], ci_keys[k]);
    for (size_t t = 0; t < HS_EX_TERMS; t++)
        fprintf(fp, ",%s_mean,%s_std", hs_explain_names[t], hs_explain_names[t]);
    fputs(",drawdown_mean,drawdown_q95,drawdown_q99\n", fp);
    return ferror(fp) ? -1 : 0;
}

int hs_horizons_csv_rows(const hs_report *rep, FILE *fp)
{
    if (!rep->horizons)
        return 0;
    for (size_t h = 0; h < rep->res->n_horizons; h++)
        for (size_t s = 0; s < rep->n; s++) {
            const hs_horizon_report *o = &rep->horizons[h * rep->n + s];
            hs_csv_put_grid(rep, fp);
            hs_csv_put_text(fp, rep->strategies[s].strategy->name);
            fprintf(fp, ",%.17g,%zu", o->time, o->step);
            const hs_summary *p = &o->pnl;
            double v[16] = {p->mean,  p->std,  p->stderr_mean, p->skew, p->exkurt, p->min,
                            p->max,   p->q01,  p->q05,         p->q50,  p->q95,    p->q99,
                            p->var95, p->es95, p->var99,       p->es99};
            for (int i = 0; i < 16; i++)
                hs_csv_put_num(fp, v[i]);
            const hs_interval *iv[6];
            ci_values(&o->ci, iv);
            for (int k = 0; k < 6; k++) {
                hs_csv_put_num(fp, iv[k]->lo);
                hs_csv_put_num(fp, iv[k]->hi);
            }
            for (size_t t = 0; t < HS_EX_TERMS; t++) {
                hs_csv_put_num(fp, o->explain[t].mean);
                hs_csv_put_num(fp, o->explain[t].std);
            }
            const hs_summary *d = rep->drawdown ? &rep->drawdown[s] : NULL;
            hs_csv_put_num(fp, d ? d->mean : NAN);
            hs_csv_put_num(fp, d ? d->q95 : NAN);
            hs_csv_put_num(fp, d ? d->q99 : NAN);
            fputc('\n', fp);
        }
    return ferror(fp) ? -1 : 0;
}

int hs_pnl_csv_header_risk(const hs_report *rep, FILE *fp)
{
    fputs("grid_key,grid_value,path,strategy,pnl,hedge_error,cost,carry,trades", fp);
    for (size_t h = 0; h < rep->res->n_horizons; h++) {
        fprintf(fp, ",h%zu_pnl", h + 1);
        for (size_t t = 0; t < HS_EX_TERMS; t++)
            fprintf(fp, ",h%zu_%s", h + 1, hs_explain_names[t]);
        fprintf(fp, ",h%zu_spot,h%zu_state", h + 1, h + 1);
    }
    fputc('\n', fp);
    return ferror(fp) ? -1 : 0;
}

/* The state column: the Heston variance, the regime's index, the GARCH conditional vol
 * per sqrt(year) (sqrt(h / dt) of its per-step variance h); empty for the other models,
 * which have no state. */
static double state_value(const hs_scenario *sc, double x)
{
    const char *m = sc->model->name;
    if (!strcmp(m, "heston") || !strcmp(m, "regime"))
        return x;
    if (!strcmp(m, "garch"))
        return sqrt(x / sc->grid.dt);
    return NAN;
}

void hs_pnl_csv_horizon_cols(const hs_report *rep, FILE *fp, size_t s, uint64_t p)
{
    const hs_results *res = rep->res;
    size_t n = rep->n, paths = (size_t)res->paths;
    for (size_t h = 0; h < res->n_horizons; h++) {
        hs_csv_put_num(fp, res->horizon_pnl[(h * n + s) * paths + p]);
        const double *ex = res->explain + (h * n + s) * HS_EX_TERMS * paths;
        for (size_t t = 0; t < HS_EX_TERMS; t++)
            hs_csv_put_num(fp, ex[t * paths + p]);
        const double *st = res->horizon_state + (h * paths + p) * 2;
        hs_csv_put_num(fp, st[0]);
        hs_csv_put_num(fp, state_value(rep->sc, st[1]));
    }
}
