/*
 * Reports: per-strategy summary statistics, intervals, pairs and convergence fits built
 * from a run's results, on the run's threads (report.h).  The renderings are json.c,
 * csv.c and table.c.
 */
#define _POSIX_C_SOURCE 200809L
#include "hedgesim/report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hedgesim/instrument.h"
#include "hedgesim/model_price.h"
#include "stats/order.h"
#include "parallel/reduce.h"
#include "stats/sample.h"
#include "stats/tailboot.h"
#include "bootstrap.h"

/* Whether the statistics of different strategies (and pairs) may run as parallel tasks:
 * only on one process, where no call communicates (MPI is called from the main thread
 * only).  Either way every number is the same: each comes from exact sums and exact
 * order statistics (stats/sample.c), whatever thread or rank formed its parts. */
static int tasks_ok(const hs_results *res)
{
    return hs_comm_size(res->comm) == 1;
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
    const hs_results *res = rep->res;
    const double *pnl = res->pnl;
    hs_pair *pairs = rep->pairs;
    long np = (long)rep->n_pairs;
    int tasks = tasks_ok(res) && threads > 1 && np > 1;
    hs_status *st = calloc((size_t)np, sizeof *st);
    hs_error *e = calloc((size_t)np, sizeof *e);
    if (!st || !e) {
        free(st), free(e);
        return hs_error_set(err, HS_ERUNTIME, "out of memory for pairs");
    }
    /* Either the pairs share the threads, or each pair's passes do.  (Not one loop with
     * `if (tasks)`: an inactive parallel region around the passes' own regions makes them
     * nested, and libgomp then starts fresh threads for every one of them while the
     * simulation's workers still spin: the statistics ran slower on 2 threads.) */
    if (tasks) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
        for (long i = 0; i < np; i++) {
            hs_pair *p = &pairs[i];
            st[i] = hs_sample_pair(res->comm, pnl + p->a * paths, pnl + p->b * paths, paths, 1, p,
                                   &e[i]);
        }
    } else {
        for (long i = 0; i < np; i++) {
            hs_pair *p = &pairs[i];
            st[i] = hs_sample_pair(res->comm, pnl + p->a * paths, pnl + p->b * paths, paths,
                                   threads, p, &e[i]);
        }
    }
    hs_status first = HS_OK;
    for (long i = 0; i < np && !first; i++)
        if (st[i]) {
            first = st[i];
            *err = e[i];
        }
    free(st), free(e);
    return first;
}

/* Remove `key` and its value (`hedges=N`) from a sweep label "name[a=1,key=N,b=2]". */
static void strip_key(char *out, const char *key)
{
    char *h = strstr(out, key);
    if (!h)
        return;
    char *end = h + strlen(key);
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

/* The group of a swept strategy: its name without the sweep's `hedges=` or `every=`
 * value, so that `every = 1, 2, 5` is one group fitted on the N each implies
 * (ceil(steps / every) rebalances, the first at t0; issue 14). */
static void group_of(const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s", name);
    strip_key(out, "hedges=");
    strip_key(out, "every=");
}

/* Convergence fits for interval strategies swept over `hedges` or `every` (two points or
 * more, on the number of rebalances N each implies). */
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
            c->std_se[i] =
                hs_std_stderr(r->hedge_error.std, r->hedge_error.exkurt, rep->res->total_paths);
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

/* The percentile bootstrap of VaR and ES (stats/tailboot.c) over this rank's P&L:
 * every rank takes the tail slots of its leaves (stats/order.c), computes its share of
 * every resample on its threads, and the shares add up exactly over the ranks. */
hs_status hs_report_bootstrap(const hs_results *res, const double *pnl, uint64_t seed, int threads,
                              const hs_summary *sum, hs_ci *ci, hs_error *err)
{
    uint64_t n = res->total_paths;
    size_t resamples = HS_BOOTSTRAP_RESAMPLES;
    if (!hs_boot_applies(n, resamples)) {
        hs_ci_from_resamples(NULL, resamples, (size_t)n, sum, ci); /* NaN intervals */
        return HS_OK;
    }
    const hs_comm *c = res->comm;
    int R = hs_comm_size(c), me = hs_comm_rank(c);
    hs_tailboot tb;
    hs_status st = hs_tailboot_init(&tb, n, seed, resamples, err);
    if (st)
        return st;
    uint64_t *start = malloc(((size_t)R + 1) * sizeof *start);
    double *slots = NULL, *stats = malloc(4 * resamples * sizeof *stats);
    hs_tailboot_share share = {0, NULL, NULL};
    if (!start || !stats) {
        st = hs_error_set(err, HS_ERUNTIME, "out of memory for the bootstrap");
        goto done;
    }
    for (int q = 0; q < R; q++) {
        uint64_t lo, hi;
        hs_tailboot_leaves_of(&tb, q, R, &lo, &hi);
        start[q] = lo * HS_TAILBOOT_LEAF < tb.m ? lo * HS_TAILBOOT_LEAF : tb.m;
    }
    start[R] = tb.m;
    st = hs_order_range(c, pnl, (size_t)res->paths, start, threads, &slots, err);
    if (!st)
        st = hs_tailboot_share_alloc(&share, resamples, err);
    if (st)
        goto done;
    uint64_t leaf_lo, leaf_hi;
    hs_tailboot_leaves_of(&tb, me, R, &leaf_lo, &leaf_hi);
    /* Resamples in parts on the threads: each part fills its own resamples' entries. */
    int parts = threads * 2 < BOOT_PARTS ? threads * 2 : BOOT_PARTS;
    hs_status pst[BOOT_PARTS];
    hs_error pe[BOOT_PARTS];
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1)
    for (int i = 0; i < parts; i++) {
        size_t r0 = resamples * (size_t)i / (size_t)parts;
        size_t r1 = resamples * (size_t)(i + 1) / (size_t)parts;
        pst[i] = hs_tailboot_run(&tb, slots, leaf_lo, leaf_hi, r0, r1, &share, &pe[i]);
    }
    for (int i = 0; i < parts && !st; i++)
        if (pst[i]) {
            st = pst[i];
            *err = pe[i];
        }
    if (!st && (hs_comm_sum_u64(c, share.keys, 4 * resamples) ||
                hs_comm_sum_xsum(c, share.sums, 2 * resamples)))
        st = hs_error_set(err, HS_ERUNTIME, "the bootstrap: the reduction over ranks failed");
    if (!st) {
        hs_tailboot_stats(&tb, &share, stats);
        hs_ci_from_resamples(stats, resamples, (size_t)n, sum, ci);
    }
done:
    hs_tailboot_share_free(&share);
    hs_tailboot_free(&tb);
    free(start);
    free(slots);
    free(stats);
    return st;
}

/* The statistics of strategy s: summaries of its P&L and hedging error, the intervals,
 * the attribution of costs and carry, the hedge count and Derman-Kamal's std.  `threads`
 * share each pass. */
static hs_status strategy_stats(const hs_scenario *sc, const hs_results *res, hs_report *rep,
                                size_t s, int threads, int vanilla, hs_error *err)
{
    size_t paths = (size_t)res->paths;
    hs_strategy_report *r = &rep->strategies[s];
    r->strategy = &sc->strategies[s];
    r->means = res->means[s];
    const double *pnl = res->pnl + s * paths, *he = res->hedge_error + s * paths;
    const hs_comm *c = res->comm;
    hs_status st = hs_sample_summary(c, pnl, paths, res->first_path, threads, &r->pnl, err);
    if (!st)
        st = hs_report_bootstrap(res, pnl, sc->seed * 1000003u + s, threads, &r->pnl, &r->ci, err);
    if (!st)
        st = hs_sample_summary(c, he, paths, res->first_path, threads, &r->hedge_error, err);
    /* A strategy without costs (or borrow fees) never writes its cost (carry) array,
     * which stays zero pages (engine.c): reading it would only fault them in. */
    const hs_costs *k = &r->strategy->costs;
    r->cost = r->carry = (hs_mean_std){0, 0};
    if (!st && (k->prop > 0 || k->fee > 0 || k->spread > 0))
        st = hs_sample_mean_std(c, res->cost + s * paths, paths, threads, &r->cost.mean,
                                &r->cost.std, err);
    if (!st && k->borrow > 0)
        st = hs_sample_mean_std(c, res->carry + s * paths, paths, threads, &r->carry.mean,
                                &r->carry.std, err);
    if (st)
        return st;
    hs_rule_state rs;
    r->hedges = 0;
    if (r->strategy->rule->hedges &&
        r->strategy->rule->prepare(&rs, r->strategy->rule_par, NULL, &sc->grid, "", NULL) == HS_OK)
        r->hedges = r->strategy->rule->hedges(&rs);
    /* Derman-Kamal describes delta hedging; a gamma-neutral hedge has no such std. */
    r->derman_kamal_std =
        r->hedges && isfinite(rep->model_sigma) && vanilla &&
                r->strategy->ratio != &hs_ratio_delta_gamma
            ? hs_derman_kamal_std(rep->book.vega, rep->model_sigma, (double)r->hedges)
            : NAN;
    return HS_OK;
}

/* Every strategy's statistics: on one process, strategies are tasks shared by the
 * threads (each one on one thread); under MPI, one after the other with the threads
 * inside each.  The error reported is the first in strategy order. */
static hs_status build_strategies(const hs_scenario *sc, const hs_results *res, hs_report *rep,
                                  int threads, int vanilla, hs_error *err)
{
    size_t n = rep->n;
    int tasks = tasks_ok(res) && threads > 1 && n > 1;
    hs_status *st = calloc(n ? n : 1, sizeof *st);
    hs_error *e = calloc(n ? n : 1, sizeof *e);
    if (!st || !e) {
        free(st), free(e);
        return hs_error_set(err, HS_ERUNTIME, "out of memory for statistics");
    }
    long ns = (long)n;
    /* The strategies share the threads, or each one's passes do (as in build_pairs: no
     * inactive region around the passes' own). */
    if (tasks) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
        for (long s = 0; s < ns; s++)
            st[s] = strategy_stats(sc, res, rep, (size_t)s, 1, vanilla, &e[s]);
    } else {
        for (long s = 0; s < ns; s++)
            st[s] = strategy_stats(sc, res, rep, (size_t)s, threads, vanilla, &e[s]);
    }
    hs_status first = HS_OK;
    for (size_t s = 0; s < n && !first; s++)
        if (st[s]) {
            first = st[s];
            *err = e[s];
        }
    free(st), free(e);
    return first;
}

/* The values under the model (issue 14's option.model_value and book.model_value): the
 * first leg alone, one unit long, as `option` is, and the book as held.  NaN where the
 * model has no price or cannot price a leg: that is not an error of the run. */
static void model_value(hs_report *rep, const hs_model *m)
{
    rep->option_model_value = rep->book_model_value = NAN;
    if (!hs_model_has_price(m->type))
        return;
    double v;
    if (hs_model_book_value(m, rep->sc->legs, rep->sc->n_legs, &v, NULL) == HS_OK)
        rep->book_model_value = v;
    hs_model_pricer *p = NULL;
    if (hs_model_pricer_new(m, rep->sc->legs, 1, &p, NULL) == HS_OK) {
        rep->option_model_value = hs_model_pricer_value0(p, 0);
        hs_model_pricer_free(p);
    }
}

hs_status hs_report_build(const hs_scenario *sc, const hs_results *res, hs_report **out,
                          hs_error *err)
{
    *out = NULL;
    /* The threads of the run: the statistics follow the simulation's thread count, so
     * `--threads 1` stays serial. */
    int threads = res->threads > 1 ? res->threads : 1;
    hs_report *rep = calloc(1, sizeof *rep);
    if (!rep)
        return hs_error_set(err, HS_ERUNTIME, "out of memory for statistics");
    rep->sc = sc;
    rep->res = res;
    rep->book = hs_book_greeks_t0(sc, NAN);
    /* The first leg alone, one unit held long, at its traded vol: the price a quote
     * screen shows.  (It used to be the book with the first leg's sign, which with a
     * quantity of -10 was ten options, neither the unit nor the book as held.) */
    const hs_leg *leg0 = &sc->legs[0];
    hs_bs_greeks u = leg0->type->greeks(sc->market.spot, leg0->strike, leg0->maturity,
                                        sc->market.rate, sc->market.dividend, leg0->vol);
    rep->option = (hs_book_greeks){u.value, u.delta, u.gamma, u.vega, u.theta};
    hs_model m;
    hs_status st = hs_model_init(&m, sc->model, &sc->model_args, &sc->market, &sc->grid, err);
    rep->model_sigma = st ? NAN : sc->model->sigma(&m);
    if (!st)
        model_value(rep, &m);
    hs_model_release(&m);
    rep->n = res->n_strategies;
    /* Derman-Kamal's formula is for calls and puts (smooth payoffs with a vega). */
    int vanilla = 1;
    for (size_t j = 0; j < sc->n_legs; j++)
        vanilla &=
            sc->legs[j].type == &hs_instrument_call || sc->legs[j].type == &hs_instrument_put;
    if (!st)
        st = build_strategies(sc, res, rep, threads, vanilla, err);
    if (!st)
        st = build_pairs(rep, threads, err);
    if (!st)
        st = build_convergence(rep, err);
    if (!st && res->n_horizons)
        st = hs_horizon_build(rep, threads, err);
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
    free(rep->horizons);
    free(rep->drawdown);
    free(rep);
}
