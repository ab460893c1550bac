/*
 * Reports: per-strategy summary statistics and their renderings (report.h).
 *
 * The "option" block of the JSON is the book seen by a holder long the first leg: for
 * the classic single short call it is the call's own price and Greeks (2.51207 for the
 * Derman-Kamal case), as QuantLib's DiscreteHedging prints it.  The "book" block is the
 * same signed by the quantities held.
 */
#define _POSIX_C_SOURCE 200809L
#include "hedgesim/report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hedgesim/instrument.h"

/* Two-pass mean and sample standard deviation (cheap parts of the attribution). */
static hs_mean_std mean_std(const double *x, size_t n)
{
    double m = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - m) * (x[i] - m);
    return (hs_mean_std){m, n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0};
}

/* Paired comparisons of P&L: all pairs, or each strategy with the next for big sweeps.
 * Each pair is a pure function of two P&L columns written to its own slot, so the
 * threads share them in any order. */
static hs_status build_pairs(hs_report *rep, int threads, hs_error *err)
{
    size_t n = rep->n, paths = rep->res->paths;
    size_t cap = n <= HS_PAIRS_ALL ? n * (n - 1) / 2 : n - 1;
    rep->n_pairs = 0;
    if (cap == 0)
        return HS_OK;
    rep->pairs = calloc(cap, sizeof *rep->pairs);
    if (!rep->pairs)
        return hs_error_set(err, HS_ERUNTIME, "out of memory for pairs");
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++) {
            if (n > HS_PAIRS_ALL && b != a + 1)
                continue;
            hs_pair *p = &rep->pairs[rep->n_pairs++];
            p->a = a;
            p->b = b;
        }
    const double *pnl = rep->res->pnl;
    hs_pair *pairs = rep->pairs;
    long np = (long)rep->n_pairs;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1 && np > 1)
    for (long i = 0; i < np; i++) {
        hs_pair *p = &pairs[i];
        size_t a = p->a, b = p->b;
        hs_pair_compute(pnl + a * paths, pnl + b * paths, paths, p);
        p->a = a;
        p->b = b;
    }
    return HS_OK;
}

/* The group of a strategy: its name without the `hedges=N` part of a sweep label. */
static void group_of(const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s", name);
    char *h = strstr(out, "hedges=");
    if (!h)
        return;
    char *end = h + strlen("hedges=");
    while (*end && *end != ',' && *end != ']')
        end++;
    if (*end == ',')
        end++;
    else if (h > out && h[-1] == ',')
        h--;
    memmove(h, end, strlen(end) + 1);
    size_t l = strlen(out);
    if (l >= 2 && out[l - 2] == '[' && out[l - 1] == ']')
        out[l - 2] = '\0';
}

/* Convergence fits for interval strategies swept over `hedges` (two points or more). */
static hs_status build_convergence(hs_report *rep, hs_error *err)
{
    rep->n_conv = 0;
    rep->conv = calloc(rep->n ? rep->n : 1, sizeof *rep->conv);
    if (!rep->conv)
        return hs_error_set(err, HS_ERUNTIME, "out of memory for convergence fits");
    for (size_t s = 0; s < rep->n; s++) {
        const hs_strategy_report *r = &rep->strategies[s];
        if (r->strategy->rule != &hs_rule_interval || !r->hedges)
            continue;
        char g[HS_NAME_LEN];
        group_of(r->strategy->name, g, sizeof g);
        hs_convergence *c = NULL;
        for (size_t j = 0; j < rep->n_conv; j++)
            if (!strcmp(rep->conv[j].group, g))
                c = &rep->conv[j];
        if (!c) {
            c = &rep->conv[rep->n_conv++];
            snprintf(c->group, sizeof c->group, "%s", g);
        }
        if (c->k >= 64)
            continue;
        /* Insert by increasing hedges. */
        size_t at = c->k;
        while (at > 0 && c->hedges[at - 1] > (double)r->hedges) {
            c->members[at] = c->members[at - 1];
            c->hedges[at] = c->hedges[at - 1];
            at--;
        }
        c->members[at] = s;
        c->hedges[at] = (double)r->hedges;
        c->k++;
    }
    size_t kept = 0;
    for (size_t j = 0; j < rep->n_conv; j++) {
        hs_convergence *c = &rep->conv[j];
        int distinct = c->k >= 2 && c->hedges[0] != c->hedges[c->k - 1];
        if (!distinct)
            continue;
        double ratio = 0;
        for (size_t i = 0; i < c->k; i++) {
            const hs_strategy_report *r = &rep->strategies[c->members[i]];
            c->std[i] = r->hedge_error.std;
            c->std_se[i] = hs_std_stderr(r->hedge_error.std, r->hedge_error.exkurt, rep->res->paths);
            c->dk[i] = r->derman_kamal_std;
            ratio += c->std[i] / c->dk[i];
        }
        c->dk_ratio = ratio / (double)c->k;
        hs_error e2;
        if (hs_loglog_fit(c->hedges, c->std, c->std_se, c->k, &c->fit, &e2) != HS_OK)
            continue; /* a degenerate group (zero std) has no fit; not an error of the run */
        rep->conv[kept++] = *c;
    }
    rep->n_conv = kept;
    (void)err;
    return HS_OK;
}

/* Bootstrap resamples are shared out in at most this many ranges per strategy. */
#define BOOT_PARTS 64

/* The statistics of one strategy while they are computed: its sorted samples, its
 * bootstrap, and the status of each part, so that the error reported is the one the
 * serial order (P&L summary, intervals, hedging error summary; strategy by strategy)
 * meets first, whichever thread met it. */
typedef struct strat_work {
    double *sorted_pnl, *sorted_he;
    hs_boot boot;
    int frictionless, parts;
    hs_status pm, ps, po, bi, hm, hs, ho;
    hs_error e_pm, e_ps, e_po, e_bi, e_hm, e_hs, e_ho;
    hs_status bp[BOOT_PARTS];
    hs_error e_bp[BOOT_PARTS];
} strat_work;

/* The first failure of a strategy in the serial order, or HS_OK. */
static hs_status first_error(const strat_work *w, hs_error *err)
{
    const hs_status st[] = {w->pm, w->ps, w->po, w->bi};
    const hs_error *e[] = {&w->e_pm, &w->e_ps, &w->e_po, &w->e_bi};
    for (int i = 0; i < 4; i++)
        if (st[i]) {
            if (err)
                *err = *e[i];
            return st[i];
        }
    for (int i = 0; i < w->parts; i++)
        if (w->bp[i]) {
            if (err)
                *err = w->e_bp[i];
            return w->bp[i];
        }
    const hs_status st2[] = {w->hm, w->hs, w->ho};
    const hs_error *e2[] = {&w->e_hm, &w->e_hs, &w->e_ho};
    for (int i = 0; i < 3; i++)
        if (st2[i]) {
            if (err)
                *err = *e2[i];
            return st2[i];
        }
    return HS_OK;
}

/* The statistics of strategies [s0, s1) on `threads` threads.  Every sum runs over one
 * sample in path order on one thread, and every result lands in its own slot, so the
 * numbers are those of the serial loop, bit for bit, for any thread count:
 *   stage 1, in parallel: the moments of the P&L and of the hedging error, the sort of
 *     each sample (the hedging error's only when costs make it no shift of the P&L),
 *     the cost and carry attribution;
 *   stage 2, in parallel: the order statistics of each sample and the bootstrap
 *     resamples of the P&L (drawn up front in resample order: hs_boot_init), in parts;
 *   then, serially, the intervals, the hedge counts, and the first error if any. */
static hs_status build_wave(const hs_scenario *sc, const hs_results *res, hs_report *rep,
                            strat_work *work, size_t s0, size_t s1, int threads, int vanilla,
                            hs_error *err)
{
    size_t paths = res->paths;
    for (size_t s = s0; s < s1; s++) {
        strat_work *w = &work[s - s0];
        hs_strategy_report *r = &rep->strategies[s];
        r->strategy = &sc->strategies[s];
        r->means = res->means[s];
        const hs_costs *c = &r->strategy->costs;
        w->frictionless = c->prop == 0 && c->fee == 0 && c->spread == 0 && c->borrow == 0;
        w->pm = w->ps = w->po = w->bi = w->hm = w->hs = w->ho = HS_OK;
        /* The resamples are drawn before any thread starts: cheap, and in one order. */
        w->bi = hs_boot_init(&w->boot, paths, sc->seed * 1000003u + s, HS_BOOTSTRAP_RESAMPLES,
                             &w->e_bi);
        size_t want = (size_t)threads * 2;
        w->parts = (int)(want < BOOT_PARTS ? want : BOOT_PARTS);
        for (int i = 0; i < w->parts; i++)
            w->bp[i] = HS_OK;
    }

#pragma omp parallel num_threads(threads) if (threads > 1)
#pragma omp single
    {
        for (size_t s = s0; s < s1; s++) {
            strat_work *w = &work[s - s0];
            hs_strategy_report *r = &rep->strategies[s];
            const double *pnl = res->pnl + s * paths, *he = res->hedge_error + s * paths;
#pragma omp task firstprivate(w, r, pnl)
            w->pm = hs_summary_moments(pnl, paths, &r->pnl, &w->e_pm);
#pragma omp task firstprivate(w, pnl)
            w->ps = hs_summary_sort(pnl, paths, w->sorted_pnl, threads, &w->e_ps);
#pragma omp task firstprivate(w, r, he)
            w->hm = hs_summary_moments(he, paths, &r->hedge_error, &w->e_hm);
            if (!w->frictionless) {
#pragma omp task firstprivate(w, he)
                w->hs = hs_summary_sort(he, paths, w->sorted_he, threads, &w->e_hs);
            }
            /* A strategy without costs (or borrow fees) never writes its cost (carry)
             * array, which stays zero pages (engine.c): reading it would only fault them
             * in. */
            const hs_costs *c = &r->strategy->costs;
            int costly = c->prop > 0 || c->fee > 0 || c->spread > 0;
            r->cost = r->carry = (hs_mean_std){0, 0};
            if (costly) {
#pragma omp task firstprivate(r, s)
                r->cost = mean_std(res->cost + s * paths, paths);
            }
            if (c->borrow > 0) {
#pragma omp task firstprivate(r, s)
                r->carry = mean_std(res->carry + s * paths, paths);
            }
        }
#pragma omp taskwait
        for (size_t s = s0; s < s1; s++) {
            strat_work *w = &work[s - s0];
            hs_strategy_report *r = &rep->strategies[s];
            if (w->pm || w->ps)
                continue;
            /* The bootstrap resamples the sorted P&L's lower tail, in parts. */
            if (!w->bi)
                for (int i = 0; i < w->parts; i++) {
                    size_t R = w->boot.resamples, parts = (size_t)w->parts;
                    size_t r0 = R * (size_t)i / parts, r1 = R * (size_t)(i + 1) / parts;
#pragma omp task firstprivate(w, i, r0, r1)
                    w->bp[i] = hs_boot_run(&w->boot, w->sorted_pnl, r0, r1, &w->e_bp[i]);
                }
#pragma omp task firstprivate(w, r)
            {
                w->po = hs_summary_order(w->sorted_pnl, paths, &r->pnl, &w->e_po);
                if (!w->hm && w->frictionless) {
                    /* hedge_error = fl(pnl - edge) path by path, a monotone map of the
                     * P&L: its sorted values are the sorted P&L's, shifted; no second
                     * sort. */
                    for (size_t i = 0; i < paths; i++)
                        w->sorted_he[i] = w->sorted_pnl[i] - r->means.edge;
                }
                if (!w->hm && !w->hs)
                    w->ho = hs_summary_order(w->sorted_he, paths, &r->hedge_error, &w->e_ho);
            }
        }
#pragma omp taskwait
    }

    for (size_t s = s0; s < s1; s++) {
        strat_work *w = &work[s - s0];
        hs_strategy_report *r = &rep->strategies[s];
        hs_status st = first_error(w, err);
        if (st)
            return st;
        hs_boot_ci(&w->boot, &r->pnl, &r->ci);
        hs_boot_free(&w->boot);
        hs_rule_state rs;
        r->hedges = 0;
        if (r->strategy->rule->hedges &&
            r->strategy->rule->prepare(&rs, r->strategy->rule_par, NULL, &sc->grid, "", NULL) ==
                HS_OK)
            r->hedges = r->strategy->rule->hedges(&rs);
        /* Derman-Kamal describes delta hedging; a gamma-neutral hedge has no such std. */
        r->derman_kamal_std =
            r->hedges && isfinite(rep->model_sigma) && vanilla &&
                    r->strategy->ratio != &hs_ratio_delta_gamma
                ? hs_derman_kamal_std(rep->book.vega, rep->model_sigma, (double)r->hedges)
                : NAN;
    }
    return HS_OK;
}

hs_status hs_report_build(const hs_scenario *sc, const hs_results *res, hs_report **out,
                          hs_error *err)
{
    *out = NULL;
    /* The threads of the run: the statistics follow the simulation's thread count, so
     * `--threads 1` stays serial.  A wave of up to `threads` strategies is in flight at a
     * time, each with its two sorted samples. */
    int threads = res->threads > 1 ? res->threads : 1;
    size_t wave = (size_t)threads < res->n_strategies ? (size_t)threads : res->n_strategies;
    if (wave == 0)
        wave = 1;
    hs_report *rep = calloc(1, sizeof *rep);
    strat_work *work = calloc(wave, sizeof *work);
    int ok = rep && work;
    for (size_t i = 0; ok && i < wave; i++) {
        work[i].sorted_pnl = malloc(res->paths * sizeof *work[i].sorted_pnl);
        work[i].sorted_he = malloc(res->paths * sizeof *work[i].sorted_he);
        ok = work[i].sorted_pnl && work[i].sorted_he;
    }
    if (!ok) {
        for (size_t i = 0; work && i < wave; i++) {
            free(work[i].sorted_pnl);
            free(work[i].sorted_he);
        }
        free(work);
        free(rep);
        return hs_error_set(err, HS_ERUNTIME, "out of memory for statistics");
    }
    rep->sc = sc;
    rep->res = res;
    rep->book = hs_book_greeks_t0(sc, NAN);
    double sign = sc->legs[0].quantity < 0 ? -1.0 : 1.0;
    rep->option =
        (hs_book_greeks){sign * rep->book.value, sign * rep->book.delta, sign * rep->book.gamma,
                         sign * rep->book.vega, sign * rep->book.theta};
    hs_model m;
    hs_status st = hs_model_init(&m, sc->model, &sc->model_args, &sc->market, &sc->grid, err);
    rep->model_sigma = st ? NAN : sc->model->sigma(&m);
    hs_model_release(&m);
    rep->n = res->n_strategies;
    /* Derman-Kamal's formula is for calls and puts (smooth payoffs with a vega). */
    int vanilla = 1;
    for (size_t j = 0; j < sc->n_legs; j++)
        vanilla &=
            sc->legs[j].type == &hs_instrument_call || sc->legs[j].type == &hs_instrument_put;
    for (size_t s0 = 0; s0 < rep->n && !st; s0 += wave) {
        size_t s1 = s0 + wave < rep->n ? s0 + wave : rep->n;
        st = build_wave(sc, res, rep, work, s0, s1, threads, vanilla, err);
    }
    for (size_t i = 0; i < wave; i++) {
        hs_boot_free(&work[i].boot);
        free(work[i].sorted_pnl);
        free(work[i].sorted_he);
    }
    free(work);
    if (!st)
        st = build_pairs(rep, threads, err);
    if (!st)
        st = build_convergence(rep, err);
    if (st) {
        hs_report_free(rep);
        return st;
    }
    *out = rep;
    return HS_OK;
}

void hs_report_free(hs_report *rep)
{
    if (!rep)
        return;
    free(rep->pairs);
    free(rep->conv);
    free(rep);
}

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
        json_object_set_new(so, "text", json_string(hs_stress_describe(o, &sc->grid, text,
                                                                       sizeof text)));
        json_array_append_new(stress, so);
    }
    json_object_set_new(root, "stress", stress);

    json_object_set_new(root, "option", greeks_json(&rep->option));
    json_object_set_new(root, "book", greeks_json(&rep->book));
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
        json_object_set_new(o, "hedges", r->hedges ? json_integer((json_int_t)r->hedges) : json_null());
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
        json_object_set_new(o, "pnl", summary_json(&r->pnl));
        json_object_set_new(o, "hedge_error", summary_json(&r->hedge_error));
        json_object_set_new(o, "derman_kamal_std", num(r->derman_kamal_std));
        json_t *attr = json_object();
        json_object_set_new(attr, "edge", num(r->means.edge));
        json_object_set_new(attr, "replication", mean_std_json(r->hedge_error.mean, r->hedge_error.std));
        json_object_set_new(attr, "cost", mean_std_json(-r->cost.mean, r->cost.std));
        json_object_set_new(attr, "carry", mean_std_json(r->carry.mean, r->carry.std));
        json_object_set_new(o, "attribution", attr);
        json_t *ci = json_object();
        const hs_interval *iv[6] = {&r->ci.mean, &r->ci.std, &r->ci.var95, &r->ci.es95,
                                    &r->ci.var99, &r->ci.es99};
        static const char *const ci_keys[6] = {"mean", "std", "var95", "es95", "var99", "es99"};
        for (int k = 0; k < 6; k++) {
            json_t *pair = json_array();
            json_array_append_new(pair, num(iv[k]->lo));
            json_array_append_new(pair, num(iv[k]->hi));
            json_object_set_new(ci, ci_keys[k], pair);
        }
        json_object_set_new(o, "ci", ci);
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

static const char *const summary_keys[] = {"mean", "std", "stderr", "skew", "exkurt", "min",
                                           "max", "q01", "q05", "q50", "q95", "q99", "var95",
                                           "es95", "var99", "es99"};

static void summary_values(const hs_summary *s, double v[16])
{
    double x[16] = {s->mean, s->std,  s->stderr_mean, s->skew,  s->exkurt, s->min,
                    s->max,  s->q01,  s->q05,         s->q50,   s->q95,    s->q99,
                    s->var95, s->es95, s->var99,      s->es99};
    memcpy(v, x, sizeof x);
}

/* The grid columns that start every CSV row: key and value, or two empty fields. */
static void grid_cols(const hs_report *rep, FILE *fp)
{
    if (rep->grid_key)
        fprintf(fp, "%s,%.17g,", rep->grid_key, rep->grid_value);
    else
        fputs(",,", fp);
}

/* A CSV text field, quoted when it holds a comma or a quote. */
static void csv_text(FILE *fp, const char *t)
{
    if (!strpbrk(t, ",\"\n")) {
        fputs(t, fp);
        return;
    }
    fputc('"', fp);
    for (; *t; t++) {
        if (*t == '"')
            fputc('"', fp);
        fputc(*t, fp);
    }
    fputc('"', fp);
}

/* A number for CSV: full precision, empty when not finite (gnuplot reads it as missing). */
static void csv_num(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, ",%.17g", v);
    else
        fputc(',', fp);
}

int hs_report_csv_header(FILE *fp)
{
    fprintf(fp, "grid_key,grid_value,strategy,rebalance,ratio,hedges,vol,cost,trades_mean,"
                "turnover_mean,cost_mean,edge,derman_kamal_std,cost_std,carry_mean,carry_std");
    for (int part = 0; part < 2; part++)
        for (size_t i = 0; i < 16; i++)
            fprintf(fp, ",%s_%s", part ? "hedge_error" : "pnl", summary_keys[i]);
    static const char *const ci_keys[6] = {"mean", "std", "var95", "es95", "var99", "es99"};
    for (int k = 0; k < 6; k++)
        fprintf(fp, ",pnl_%s_lo,pnl_%s_hi", ci_keys[k], ci_keys[k]);
    fputc('\n', fp);
    return ferror(fp) ? -1 : 0;
}

int hs_report_csv_rows(const hs_report *rep, FILE *fp)
{
    for (size_t s = 0; s < rep->n; s++) {
        const hs_strategy_report *r = &rep->strategies[s];
        grid_cols(rep, fp);
        csv_text(fp, r->strategy->name);
        fprintf(fp, ",%s,%s,", r->strategy->rule->name, r->strategy->ratio->name);
        if (r->hedges)
            fprintf(fp, "%zu", r->hedges);
        double head[10] = {r->strategy->vol, r->strategy->costs.prop, r->means.trades,
                           r->means.turnover, r->means.cost, r->means.edge, r->derman_kamal_std,
                           r->cost.std, r->carry.mean, r->carry.std};
        for (int i = 0; i < 10; i++)
            csv_num(fp, head[i]);
        double v[16];
        summary_values(&r->pnl, v);
        for (size_t i = 0; i < 16; i++)
            csv_num(fp, v[i]);
        summary_values(&r->hedge_error, v);
        for (size_t i = 0; i < 16; i++)
            csv_num(fp, v[i]);
        const hs_interval *iv[6] = {&r->ci.mean, &r->ci.std, &r->ci.var95, &r->ci.es95,
                                    &r->ci.var99, &r->ci.es99};
        for (int k = 0; k < 6; k++) {
            csv_num(fp, iv[k]->lo);
            csv_num(fp, iv[k]->hi);
        }
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}

int hs_paths_csv_header(FILE *fp)
{
    fputs("grid_key,grid_value,strategy,path,step,time,spot,option_value,target,held,cash,"
          "portfolio_value,hedge_error,trades\n", fp);
    return ferror(fp) ? -1 : 0;
}

int hs_paths_csv_rows(const hs_report *rep, FILE *fp)
{
    const hs_results *res = rep->res;
    size_t steps = rep->sc->grid.steps;
    for (size_t s = 0; s < res->n_strategies; s++)
        for (size_t p = 0; p < res->trace_paths; p++)
            for (size_t k = 0; k <= steps; k++) {
                const double *row =
                    res->trace + ((s * res->trace_paths + p) * (steps + 1) + k) * HS_TR_FIELDS;
                grid_cols(rep, fp);
                csv_text(fp, rep->strategies[s].strategy->name);
                fprintf(fp, ",%zu,%zu", p, k);
                for (int f = 0; f < HS_TR_FIELDS; f++)
                    csv_num(fp, row[f]);
                fputc('\n', fp);
            }
    return ferror(fp) ? -1 : 0;
}

int hs_report_csv(const hs_report *rep, FILE *fp)
{
    if (hs_report_csv_header(fp))
        return -1;
    return hs_report_csv_rows(rep, fp);
}

int hs_pairs_csv_header(FILE *fp)
{
    fputs("grid_key,grid_value,strategy_a,strategy_b,mean_diff,stderr,z,ci95_lo,ci95_hi,corr\n", fp);
    return ferror(fp) ? -1 : 0;
}

int hs_pairs_csv_rows(const hs_report *rep, FILE *fp)
{
    for (size_t i = 0; i < rep->n_pairs; i++) {
        const hs_pair *p = &rep->pairs[i];
        grid_cols(rep, fp);
        csv_text(fp, rep->strategies[p->a].strategy->name);
        fputc(',', fp);
        csv_text(fp, rep->strategies[p->b].strategy->name);
        double v[6] = {p->mean_diff, p->stderr_diff, p->z, p->ci95.lo, p->ci95.hi, p->corr};
        for (int k = 0; k < 6; k++)
            csv_num(fp, v[k]);
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}

int hs_convergence_csv_header(FILE *fp)
{
    fputs("grid_key,grid_value,group,hedges,std,std_se,derman_kamal_std,ratio_to_dk,slope,"
          "slope_se,slope_ci95_lo,slope_ci95_hi\n", fp);
    return ferror(fp) ? -1 : 0;
}

int hs_convergence_csv_rows(const hs_report *rep, FILE *fp)
{
    for (size_t j = 0; j < rep->n_conv; j++) {
        const hs_convergence *c = &rep->conv[j];
        for (size_t i = 0; i < c->k; i++) {
            grid_cols(rep, fp);
            csv_text(fp, c->group);
            fprintf(fp, ",%.0f", c->hedges[i]);
            double v[8] = {c->std[i], c->std_se[i], c->dk[i], c->std[i] / c->dk[i], c->fit.slope,
                           c->fit.slope_se, c->fit.ci95.lo, c->fit.ci95.hi};
            for (int k = 0; k < 8; k++)
                csv_num(fp, v[k]);
            fputc('\n', fp);
        }
    }
    return ferror(fp) ? -1 : 0;
}

int hs_pnl_csv_header(FILE *fp)
{
    fputs("grid_key,grid_value,path,strategy,pnl,hedge_error,cost,carry,trades\n", fp);
    return ferror(fp) ? -1 : 0;
}

int hs_pnl_csv_rows(const hs_report *rep, FILE *fp)
{
    const hs_results *res = rep->res;
    for (uint64_t p = 0; p < res->paths; p++)
        for (size_t s = 0; s < res->n_strategies; s++) {
            size_t i = s * res->paths + p;
            grid_cols(rep, fp);
            fprintf(fp, "%llu,", (unsigned long long)p);
            csv_text(fp, rep->strategies[s].strategy->name);
            fprintf(fp, ",%.17g,%.17g,%.17g,%.17g,%.0f\n", res->pnl[i], res->hedge_error[i],
                    res->cost[i], res->carry[i], (double)res->trades[i]);
        }
    return ferror(fp) ? -1 : 0;
}

int hs_report_table(const hs_report *rep, FILE *fp)
{
    const hs_scenario *sc = rep->sc;
    const hs_results *res = rep->res;
    fprintf(fp, "%s: %s, %llu paths x %zu steps, seed %llu, %d thread%s, %.3f s\n", sc->name,
            sc->model->name, (unsigned long long)sc->paths, sc->grid.steps,
            (unsigned long long)sc->seed, res->threads, res->threads == 1 ? "" : "s", res->seconds);
    if (sc->description[0])
        fprintf(fp, "%s\n", sc->description);
    for (size_t i = 0; i < sc->n_stress; i++) {
        char text[256];
        fprintf(fp, "Stress overlay %s\n", hs_stress_describe(&sc->stress[i], &sc->grid, text,
                                                              sizeof text));
    }
    fprintf(fp, "\nOption value: %.5f   delta %.4f   gamma %.4f   vega %.4f\n\n", rep->option.value,
            rep->option.delta, rep->option.gamma, rep->option.vega);
    size_t w = 8;
    for (size_t s = 0; s < rep->n; s++)
        if (strlen(rep->strategies[s].strategy->name) > w)
            w = strlen(rep->strategies[s].strategy->name);
    fprintf(fp, "%-*s | %7s | %9s | %8s | %8s | %8s | %6s | %7s | %8s | %8s | %8s\n", (int)w,
            "strategy", "trades", "P&L mean", "s.e.", "P&L std", "D&K std", "skew", "ex.kurt",
            "VaR 99%", "ES 99%", "cost");
    for (size_t i = 0; i < w + 109; i++)
        fputc('-', fp);
    fputc('\n', fp);
    for (size_t s = 0; s < rep->n; s++) {
        const hs_strategy_report *r = &rep->strategies[s];
        char dk[16] = "-";
        if (isfinite(r->derman_kamal_std))
            snprintf(dk, sizeof dk, "%.4f", r->derman_kamal_std);
        fprintf(fp, "%-*s | %7.1f | %9.4f | %8.4f | %8.4f | %8s | %6.2f | %7.2f | %8.4f | %8.4f | %8.4f\n",
                (int)w, r->strategy->name, r->means.trades, r->pnl.mean, r->pnl.stderr_mean,
                r->pnl.std, dk, r->pnl.skew, r->pnl.exkurt, r->pnl.var99, r->pnl.es99,
                r->means.cost);
    }
    fprintf(fp, "\nP&L at maturity in time-T money; VaR/ES are losses (positive); "
                "D&K std = sqrt(pi/4) vega sigma / sqrt(N).\n");

    fprintf(fp, "\n95%% confidence intervals (mean, std: asymptotic; VaR, ES: bootstrap, %zu "
                "resamples)\n", rep->n ? rep->strategies[0].ci.resamples : 0);
    fprintf(fp, "%-*s | %21s | %19s | %19s | %19s\n", (int)w, "strategy", "P&L mean", "P&L std",
            "VaR 99%", "ES 99%");
    for (size_t s = 0; s < rep->n; s++) {
        const hs_ci *c = &rep->strategies[s].ci;
        fprintf(fp, "%-*s | [%8.4f, %8.4f] | [%7.4f, %7.4f] | [%7.4f, %7.4f] | [%7.4f, %7.4f]\n",
                (int)w, rep->strategies[s].strategy->name, c->mean.lo, c->mean.hi, c->std.lo,
                c->std.hi, c->var99.lo, c->var99.hi, c->es99.lo, c->es99.hi);
    }

    int attribution = 0;
    for (size_t s = 0; s < rep->n; s++) {
        const hs_strategy_report *r = &rep->strategies[s];
        attribution |= r->means.edge != 0 || r->means.cost != 0 || r->means.carry != 0;
    }
    if (attribution) {
        fprintf(fp, "\nP&L attribution (means): P&L = edge + replication - cost + carry\n");
        fprintf(fp, "%-*s | %9s | %11s | %9s | %9s | %9s\n", (int)w, "strategy", "edge",
                "replication", "cost", "carry", "P&L");
        for (size_t s = 0; s < rep->n; s++) {
            const hs_strategy_report *r = &rep->strategies[s];
            fprintf(fp, "%-*s | %9.4f | %11.4f | %9.4f | %9.4f | %9.4f\n", (int)w,
                    r->strategy->name, r->means.edge, r->hedge_error.mean, r->cost.mean,
                    r->carry.mean, r->pnl.mean);
        }
    }

    if (rep->n_pairs) {
        size_t shown = rep->n_pairs < 10 ? rep->n_pairs : 10;
        fprintf(fp, "\nPaired differences of P&L on the same paths (a - b)%s\n",
                shown < rep->n_pairs ? " (first 10; all in pairs.csv)" : "");
        for (size_t i = 0; i < shown; i++) {
            const hs_pair *p = &rep->pairs[i];
            fprintf(fp, "  %s - %s: %+.4f (s.e. %.4f, z %+.2f, 95%% CI [%.4f, %.4f])\n",
                    rep->strategies[p->a].strategy->name, rep->strategies[p->b].strategy->name,
                    p->mean_diff, p->stderr_diff, p->z, p->ci95.lo, p->ci95.hi);
        }
    }
    for (size_t j = 0; j < rep->n_conv; j++) {
        const hs_convergence *c = &rep->conv[j];
        fprintf(fp, "\nConvergence of '%s': std(hedging error) ~ N^%.3f (s.e. %.3f, 95%% CI "
                    "[%.3f, %.3f]; theory -1/2 for smooth books, 0 under jumps)",
                c->group, c->fit.slope, c->fit.slope_se, c->fit.ci95.lo, c->fit.ci95.hi);
        if (isfinite(c->dk_ratio))
            fprintf(fp, "; std / Derman-Kamal = %.3f on average", c->dk_ratio);
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}

hs_status hs_write_atomic(const char *path, int (*write)(FILE *fp, const void *user),
                          const void *user, hs_error *err)
{
    /* The temporary name is allocated: no length of path cuts it. */
    size_t size = strlen(path) + 32;
    char *tmp = malloc(size);
    if (!tmp)
        return hs_error_set(err, HS_ERUNTIME, "%s: cannot write: out of memory", path);
    snprintf(tmp, size, "%s.tmp.%ld", path, (long)getpid());
    FILE *fp = fopen(tmp, "w");
    if (!fp) {
        int e = errno;
        hs_error_set(err, HS_ERUNTIME, "%s: cannot write: %s", tmp, strerror(e));
        free(tmp);
        return HS_ERUNTIME;
    }
    int rc = write(fp, user);
    if (fclose(fp) != 0)
        rc = -1;
    if (rc != 0 || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        free(tmp);
        return hs_error_set(err, HS_ERUNTIME, "%s: cannot write: %s", path, strerror(e));
    }
    free(tmp);
    return HS_OK;
}
