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
            c->std_se[i] =
                hs_std_stderr(r->hedge_error.std, r->hedge_error.exkurt, rep->res->paths);
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
 *   in parallel, as tasks with dependencies: the sort of each sample (the hedging
 *     error's only when costs make it no shift of the P&L), the moments of the P&L and
 *     of the hedging error, the cost and carry attribution; the bootstrap resamples of
 *     the P&L (drawn up front in resample order: hs_boot_init), in parts, each as soon as
 *     the P&L is sorted (the moments still running beside them); the order statistics
 *     of each sample once its sort and moments are done;
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
            /* The sort of the P&L is made first: it is the head of the longest chain
             * (sort, then the bootstrap), and the moments run beside it. */
#pragma omp task firstprivate(w, pnl) depend(out : w->ps)
            w->ps = hs_summary_sort(pnl, paths, w->sorted_pnl, threads, &w->e_ps);
#pragma omp task firstprivate(w, r, pnl) depend(out : w->pm)
            w->pm = hs_summary_moments(pnl, paths, &r->pnl, &w->e_pm);
            if (!w->frictionless) {
#pragma omp task firstprivate(w, he) depend(out : w->hs)
                w->hs = hs_summary_sort(he, paths, w->sorted_he, threads, &w->e_hs);
            }
#pragma omp task firstprivate(w, r, he) depend(out : w->hm)
            w->hm = hs_summary_moments(he, paths, &r->hedge_error, &w->e_hm);
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
            /* The bootstrap resamples the sorted P&L's lower tail, in parts; it needs the
             * sort only, so it starts while the moments are still summed.  On a failed
             * summary its numbers are never used (first_error reports the failure). */
            if (!w->bi)
                for (int i = 0; i < w->parts; i++) {
                    size_t R = w->boot.resamples, parts = (size_t)w->parts;
                    size_t r0 = R * (size_t)i / parts, r1 = R * (size_t)(i + 1) / parts;
#pragma omp task firstprivate(w, i, r0, r1) depend(in : w->ps)
                    if (!w->ps)
                        w->bp[i] = hs_boot_run(&w->boot, w->sorted_pnl, r0, r1, &w->e_bp[i]);
                }
                /* The order statistics complete the summaries the moments filled. */
#pragma omp task firstprivate(w, r) depend(in : w->ps, w->pm, w->hs, w->hm)
            if (!w->pm && !w->ps) {
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
