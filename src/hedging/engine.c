/*
 * The rebalancing engine (engine.h): blocks of HS_BLOCK paths in structure-of-arrays
 * form, every strategy hedging the same block, OpenMP over blocks.
 *
 * The loop for one block, over grid steps k = 0 .. steps-1:
 *   settle legs expiring at t_k;  for each strategy whose rule is active at k: compute
 *   the target hedge, trade, pay costs;  advance the model to t_{k+1};  credit
 *   dividends on held shares.  At t_steps the remaining legs settle and every hedge is
 *   unwound.  No allocation happens inside the block loop: each thread allocates its
 *   workspace once.
 */
#define _POSIX_C_SOURCE 200809L
#include "hedgesim/engine.h"

#include "parallel/reduce.h"
#include "parallel/xsum.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bigmem.h"
#include "horizon.h"
#include "hedgesim/hmc.h"
#include "hedgesim/instrument.h"
#include "simd.h"

/* Per-strategy lane arrays inside a thread's workspace. */
typedef struct book {
    double *held, *cash, *cost, *turnover, *trades, *carry;
    double *held2;              /* units of the hedge option (delta_gamma), else unused */
    double *last_spot, *last_k; /* spot and step of the lane's last trade (NaN: none yet) */
    double *ratio_state;        /* the ratio's per-lane memory, if it has any */
} book;

typedef struct workspace {
    hs_block blk;
    book *books;
    double *target, *gamma, *next, *old_spot, *old_logspot, *units;
    double *mem;
    hs_hz_ws *hz;      /* horizon marks ([risk]), NULL without */
    hs_hz_book *views; /* [n_strat]: what the marks read of the books */
} workspace;

/* Per-block sums, reduced in block order after the parallel loop. */
typedef struct block_sums {
    double trades, turnover, cost, carry;
} block_sums;

typedef struct plan {
    const hs_scenario *sc;
    hs_model model;
    size_t n_strat;
    hs_rule_state rules[HS_MAX_STRATEGIES];
    hs_ratio_ctx ratio_ctx[HS_MAX_STRATEGIES];
    size_t ratio_arrays[HS_MAX_STRATEGIES]; /* per-lane state arrays of each ratio */
    size_t gap_steps[HS_MAX_STRATEGIES];    /* min_gap in grid steps */
    double edge[HS_MAX_STRATEGIES];         /* premium edge, time-T money */
    double premium;                         /* sum q V_trade, paid at t0 */
    double *growth;                         /* [steps + 1]: G_k = e^{r (T - t_k)} */
    double div_growth;                      /* e^{q dt} - 1 */
    int need_old;                           /* some ratio updates from S_k */
    size_t trace_paths;                     /* paths 0 .. trace_paths-1 are traced */
    /* Strategies whose targets are the same function of the path (ratio bs at the same
     * hedge vol, no hedge option) share a class, the index of its first member; -1:
     * a class of its own.  A sweep over hedges or costs is one class, and the delta
     * computed at a step for one member serves every other member trading then. */
    int target_class[HS_MAX_STRATEGIES];
    hs_hz *hz;                                   /* [risk] marks, NULL without */
    size_t hz_last;                              /* last step they need */
    const hs_leg *hedge_legs[HS_MAX_STRATEGIES]; /* hedge option of s, or NULL */
} plan;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double *aligned_doubles(size_t n)
{
    size_t bytes = (n * sizeof(double) + 63) / 64 * 64;
    double *p = aligned_alloc(64, bytes);
    if (p)
        memset(p, 0, bytes);
    return p;
}

static void workspace_free(workspace *w)
{
    if (!w)
        return;
    free(w->mem);
    free(w->books);
    hs_hz_ws_free(w->hz);
    free(w->views);
    hs_pcg32_lanes_free(w->blk.rng);
    free(w);
}

enum { BOOK_ARRAYS = 9 };

static workspace *workspace_alloc(const plan *p)
{
    size_t n_strat = p->n_strat;
    workspace *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    size_t per = HS_BLOCK;
    size_t arrays = 4 + HS_MODEL_STATE + 6 + BOOK_ARRAYS * n_strat;
    for (size_t s = 0; s < n_strat; s++)
        arrays += p->ratio_arrays[s];
    w->mem = aligned_doubles(per * arrays);
    w->books = calloc(n_strat ? n_strat : 1, sizeof *w->books);
    w->blk.rng = hs_pcg32_lanes_alloc(HS_BLOCK);
    if (!w->mem || !w->books || !w->blk.rng) {
        workspace_free(w);
        return NULL;
    }
    double *m = w->mem;
    w->blk.spot = m, m += per;
    w->blk.logspot = m, m += per;
    w->blk.z = m, m += per;
    m += per; /* spare lane array, keeps the layout 64-byte aligned */
    w->blk.state = m, m += per * HS_MODEL_STATE;
    w->target = m, m += per;
    w->gamma = m, m += per;
    w->next = m, m += per;
    w->old_spot = m, m += per;
    w->old_logspot = m, m += per;
    w->units = m, m += per;
    for (size_t s = 0; s < n_strat; s++) {
        book *bk = &w->books[s];
        bk->held = m, m += per;
        bk->cash = m, m += per;
        bk->cost = m, m += per;
        bk->turnover = m, m += per;
        bk->trades = m, m += per;
        bk->carry = m, m += per;
        bk->last_spot = m, m += per;
        bk->last_k = m, m += per;
        bk->held2 = m, m += per;
        bk->ratio_state = p->ratio_arrays[s] ? m : NULL;
        m += per * p->ratio_arrays[s];
    }
    if (p->hz) {
        w->hz = hs_hz_ws_alloc(p->hz);
        w->views = calloc(n_strat ? n_strat : 1, sizeof *w->views);
        if (!w->hz || !w->views) {
            workspace_free(w);
            return NULL;
        }
        for (size_t s = 0; s < n_strat; s++)
            w->views[s] = (hs_hz_book){w->books[s].held, w->books[s].cash, w->books[s].cost,
                                       w->books[s].held2};
    }
    return w;
}

/* Trade every lane from held to next at spot, in time-T money.  Costs: proportional
 * (kappa of the notional), the half spread per share and a fixed fee per trade; with
 * charge = 0 the trade is free (the initial trade when charge_initial = 0). */
HS_KERNEL
static void trade_kernel(double *restrict held, const double *restrict next,
                         const double *restrict spot, double *restrict cash, double *restrict cost,
                         double *restrict turnover, double *restrict trades, double growth,
                         double kappa, double spread, double fee, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        double dh = next[i] - held[i];
        double adh = fabs(dh);
        double notional = adh * spot[i];
        double traded = adh > 0.0 ? 1.0 : 0.0;
        double c = fma(kappa, notional, fma(spread, adh, fee * traded)) * growth;
        cash[i] -= fma(dh * spot[i], growth, c);
        cost[i] += c;
        turnover[i] += notional;
        trades[i] += traded;
        held[i] = next[i];
    }
}

HS_KERNEL
static void dividend_kernel(const double *restrict held, const double *restrict spot,
                            double *restrict cash, double factor, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        cash[i] += held[i] * spot[i] * factor;
}

/* Every strategy's cash receives quantity * payoff of a leg expiring now. */
static void settle_leg(const plan *p, workspace *w, const hs_leg *leg, double growth)
{
    const hs_block *b = &w->blk;
    leg->type->payoff_lanes(b->spot, leg->strike, leg->quantity, growth, w->target, b->n);
    for (size_t s = 0; s < p->n_strat; s++) {
        double *cash = w->books[s].cash;
        for (size_t i = 0; i < b->n; i++)
            cash[i] += w->target[i];
    }
}

/* The frictions every rule shares, applied to the rule's proposal in w->next: a
 * minimum time between trades, whole lots and a minimum trade size. */
static void constrain(const plan *p, size_t s, size_t k, const book *bk, double *next, size_t n)
{
    const hs_costs *c = &p->sc->strategies[s].costs;
    size_t gap = p->gap_steps[s];
    for (size_t i = 0; i < n; i++) {
        double x = next[i];
        if (gap && !isnan(bk->last_k[i]) && (double)k - bk->last_k[i] < (double)gap)
            x = bk->held[i];
        if (c->lot > 0)
            x = c->lot * nearbyint(x / c->lot);
        if (fabs(x - bk->held[i]) < c->min_trade)
            x = bk->held[i];
        next[i] = x;
    }
}

/* Value of the hedge option per unit at step k on every lane (its traded vol). */
static double option_value(const hs_leg *h, const hs_market *mk, double spot, double t)
{
    return h->type->greeks(spot, h->strike, h->maturity - t, mk->rate, mk->dividend, h->vol).value;
}

/* Move the hedge option to its target units on the lanes whose share position the rule
 * changes (every lane for a fixed-interval rule), at its Black-Scholes value. */
static void trade_option(const plan *p, workspace *w, size_t s, size_t k, const double *next,
                         double kappa)
{
    const hs_scenario *sc = p->sc;
    const hs_leg *h = &p->ratio_ctx[s].hedge_leg;
    hs_block *b = &w->blk;
    book *bk = &w->books[s];
    int every_lane = sc->strategies[s].rule == &hs_rule_interval;
    double t = (double)k * sc->grid.dt, g = p->growth[k];
    for (size_t i = 0; i < b->n; i++) {
        if (!every_lane && next[i] == bk->held[i])
            continue;
        double dq = w->units[i] - bk->held2[i];
        if (dq == 0.0)
            continue;
        double v = option_value(h, &sc->market, b->spot[i], t);
        double c = kappa * fabs(dq) * v * g;
        bk->cash[i] -= dq * v * g + c;
        bk->cost[i] += c;
        bk->turnover[i] += fabs(dq) * v;
        bk->held2[i] = w->units[i];
    }
}

/* The hedge option settles (at its expiry) or is sold back at its value (at the
 * horizon, if it lives longer); growth converts to time-T money. */
static void close_option(const plan *p, workspace *w, size_t s, size_t k, double growth)
{
    const hs_scenario *sc = p->sc;
    const hs_leg *h = &p->ratio_ctx[s].hedge_leg;
    hs_block *b = &w->blk;
    book *bk = &w->books[s];
    double t = (double)k * sc->grid.dt;
    for (size_t i = 0; i < b->n; i++) {
        if (bk->held2[i] == 0.0)
            continue;
        double v = k == h->expiry_step ? h->type->payoff(b->spot[i], h->strike)
                                       : option_value(h, &sc->market, b->spot[i], t);
        bk->cash[i] += bk->held2[i] * v * growth;
        bk->held2[i] = 0.0;
    }
}

/* *cached is the strategy whose target for this step is in w->target (-1: none). */
static void rebalance(const plan *p, workspace *w, size_t s, size_t k, size_t np, int *cached)
{
    const hs_scenario *sc = p->sc;
    const hs_strategy *st = &sc->strategies[s];
    hs_block *b = &w->blk;
    book *bk = &w->books[s];
    size_t n = b->n;
    int needs_gamma = st->rule->needs_gamma;
    const hs_ratio_ctx *rc = &p->ratio_ctx[s];
    int cls = p->target_class[s];
    if (needs_gamma || cls < 0 || *cached < 0 || p->target_class[*cached] != cls) {
        st->ratio->target(rc, k, b, bk->ratio_state, w->target, needs_gamma ? w->gamma : NULL,
                          rc->has_hedge_leg ? w->units : NULL);
        for (size_t i = n; i < np; i++)
            w->target[i] = 0.0; /* padding lanes stay flat */
        *cached = (int)s;
    }
    const hs_costs *c = &st->costs;
    int constrained = c->lot > 0 || c->min_trade > 0 || p->gap_steps[s];
    /* A rule without apply trades to the target as it is (its padding lanes are flat):
     * without frictions to apply to it, the target is the next position, not copied. */
    double *next = w->next;
    if (!st->rule->apply && !constrained) {
        next = w->target;
    } else if (!st->rule->apply) {
        memcpy(next, w->target, np * sizeof *next);
    } else {
        hs_rule_io io = {k,         (double)k * sc->grid.dt,       b->spot,       bk->held,
                         w->target, needs_gamma ? w->gamma : NULL, bk->last_spot, next};
        st->rule->apply(&p->rules[s], &io, n);
        for (size_t i = n; i < np; i++)
            next[i] = 0.0;
    }
    if (constrained)
        constrain(p, s, k, bk, next, n);
    if (st->rule == &hs_rule_move || p->gap_steps[s])
        for (size_t i = 0; i < n; i++)
            if (next[i] != bk->held[i]) {
                bk->last_spot[i] = b->spot[i];
                bk->last_k[i] = (double)k;
            }
    int free_trade = k == 0 && !c->charge_initial;
    if (rc->has_hedge_leg && k < rc->hedge_leg.expiry_step)
        trade_option(p, w, s, k, next, free_trade ? 0.0 : c->prop);
    trade_kernel(bk->held, next, b->spot, bk->cash, bk->cost, bk->turnover, bk->trades,
                 p->growth[k], free_trade ? 0.0 : c->prop, free_trade ? 0.0 : c->spread,
                 free_trade ? 0.0 : c->fee, np);
}

/* Record the state of the traced lanes of every strategy at grid step k (after the
 * step's trades; at k = steps after the book settled, before the unwind). */
static void record_trace(const plan *p, workspace *w, size_t k, hs_results *res)
{
    const hs_scenario *sc = p->sc;
    const hs_block *b = &w->blk;
    size_t steps = sc->grid.steps, np = p->trace_paths < b->n ? p->trace_paths : b->n;
    double t = (double)k * sc->grid.dt, g = p->growth[k];
    for (size_t s = 0; s < p->n_strat; s++) {
        const hs_strategy *st = &sc->strategies[s];
        book *bk = &w->books[s];
        const hs_ratio_ctx *rc = &p->ratio_ctx[s];
        if (k < steps)
            st->ratio->target(rc, k, b, bk->ratio_state, w->gamma, NULL,
                              rc->has_hedge_leg ? w->units : NULL);
        for (size_t i = 0; i < np; i++) {
            double value = 0;
            for (size_t j = 0; j < sc->n_legs; j++) {
                const hs_leg *leg = &sc->legs[j];
                if (leg->expiry_step > k)
                    value +=
                        leg->quantity * leg->type
                                            ->greeks(b->spot[i], leg->strike, leg->maturity - t,
                                                     sc->market.rate, sc->market.dividend, leg->vol)
                                            .value;
            }
            if (rc->has_hedge_leg && bk->held2[i] != 0.0)
                value += bk->held2[i] * option_value(&rc->hedge_leg, &sc->market, b->spot[i], t);
            double *row = res->trace + ((s * p->trace_paths + i) * (steps + 1) + k) * HS_TR_FIELDS;
            double cash = bk->cash[i] / g, port = cash + bk->held[i] * b->spot[i] + value;
            row[HS_TR_TIME] = t;
            row[HS_TR_SPOT] = b->spot[i];
            row[HS_TR_OPTION] = value;
            row[HS_TR_TARGET] = k < steps ? w->gamma[i] : 0.0;
            row[HS_TR_HELD] = bk->held[i];
            row[HS_TR_CASH] = cash;
            row[HS_TR_PORTFOLIO] = port;
            row[HS_TR_ERROR] = port - p->edge[s] / g + bk->cost[i] / g - bk->carry[i] / g;
            row[HS_TR_TRADES] = bk->trades[i];
        }
    }
}

static int costly(const hs_costs *c)
{
    return c->prop > 0 || c->fee > 0 || c->spread > 0;
}

static void run_block(const plan *p, workspace *w, uint64_t first, size_t n, hs_results *res,
                      block_sums *sums)
{
    const hs_scenario *sc = p->sc;
    hs_block *b = &w->blk;
    size_t steps = sc->grid.steps, np = HS_PADDED(n);
    b->n = n;
    b->first_path = first;

    /* Each path its own stream, whatever block or thread it lands in. */
    hs_pcg32_lanes_seed_paths(b->rng, n, sc->seed, first);
    p->model.type->start(&p->model, b);
    for (size_t s = 0; s < p->n_strat; s++) {
        book *bk = &w->books[s];
        for (size_t i = 0; i < np; i++) {
            bk->held[i] = 0;
            bk->cash[i] = -p->premium * p->growth[0];
            bk->cost[i] = bk->turnover[i] = bk->trades[i] = bk->carry[i] = 0;
            bk->last_spot[i] = bk->last_k[i] = NAN;
            bk->held2[i] = 0;
        }
        const hs_ratio_type *rt = sc->strategies[s].ratio;
        if (rt->start)
            rt->start(&p->ratio_ctx[s], b, bk->ratio_state);
    }

    size_t lane0 = (size_t)(first - res->first_path);
    for (size_t k = 0; k < steps; k++) {
        if (p->hz && k <= p->hz_last)
            hs_hz_mark(p->hz, w->hz, k, b, w->views, res, lane0);
        for (size_t j = 0; j < sc->n_legs; j++)
            if (sc->legs[j].expiry_step == k && k > 0)
                settle_leg(p, w, &sc->legs[j], p->growth[k]);
        for (size_t s = 0; s < p->n_strat; s++)
            if (p->ratio_ctx[s].has_hedge_leg && p->ratio_ctx[s].hedge_leg.expiry_step == k)
                close_option(p, w, s, k, p->growth[k]);
        int cached = -1;
        for (size_t s = 0; s < p->n_strat; s++)
            if (sc->strategies[s].rule->active(&p->rules[s], k))
                rebalance(p, w, s, k, np, &cached);
        if (p->hz && k < p->hz_last)
            hs_hz_post_trade(p->hz, w->hz, k, b, w->views);
        if (first < p->trace_paths)
            record_trace(p, w, k, res);
        int keep_old =
            p->need_old || (sc->n_stress && hs_stress_needs_old(sc->stress, sc->n_stress, k));
        if (keep_old) {
            memcpy(w->old_logspot, b->logspot, n * sizeof *b->logspot);
            memcpy(w->old_spot, b->spot, n * sizeof *b->spot);
        }
        p->model.type->step(&p->model, b, k);
        if (sc->n_stress)
            hs_stress_apply(sc->stress, sc->n_stress, k, b, w->old_logspot);
        for (size_t s = 0; s < p->n_strat; s++) {
            book *bk = &w->books[s];
            if (p->div_growth != 0.0)
                dividend_kernel(bk->held, b->spot, bk->cash, p->div_growth * p->growth[k + 1], np);
            double borrow = sc->strategies[s].costs.borrow;
            if (borrow > 0) {
                /* The fee on the value of a short position over the step, paid at its end. */
                double f = borrow * sc->grid.dt * p->growth[k + 1];
                for (size_t i = 0; i < n; i++) {
                    double fee = bk->held[i] < 0 ? -bk->held[i] * b->spot[i] * f : 0.0;
                    bk->cash[i] -= fee;
                    bk->carry[i] -= fee;
                }
            }
            const hs_ratio_type *rt = sc->strategies[s].ratio;
            if (rt->update)
                rt->update(&p->ratio_ctx[s], k, b, w->old_spot, bk->ratio_state);
        }
    }
    if (p->hz && p->hz_last == steps)
        hs_hz_mark(p->hz, w->hz, steps, b, w->views, res, lane0);
    for (size_t j = 0; j < sc->n_legs; j++)
        if (sc->legs[j].expiry_step == steps)
            settle_leg(p, w, &sc->legs[j], 1.0);
    for (size_t s = 0; s < p->n_strat; s++)
        if (p->ratio_ctx[s].has_hedge_leg)
            close_option(p, w, s, steps, 1.0);
    if (first < p->trace_paths)
        record_trace(p, w, steps, res);

    /* Unwind and record. */
    for (size_t s = 0; s < p->n_strat; s++) {
        book *bk = &w->books[s];
        const hs_costs *c = &sc->strategies[s].costs;
        size_t off = s * res->paths + (first - res->first_path);
        block_sums *bs = &sums[s];
        bs->trades = bs->turnover = bs->cost = bs->carry = 0;
        for (size_t i = 0; i < n; i++) {
            double h = bk->held[i];
            if (c->charge_unwind && h != 0.0) {
                double uc = c->prop * fabs(h) * b->spot[i] + c->spread * fabs(h) + c->fee;
                bk->cash[i] -= uc;
                bk->cost[i] += uc;
                bk->turnover[i] += fabs(h) * b->spot[i];
                bk->trades[i] += 1.0;
            }
            double v = bk->cash[i] + h * b->spot[i];
            res->pnl[off + i] = v;
            res->hedge_error[off + i] = v - p->edge[s] + bk->cost[i] - bk->carry[i];
            res->trades[off + i] = (float)bk->trades[i];
            bs->trades += bk->trades[i];
            bs->turnover += bk->turnover[i];
            bs->cost += bk->cost[i];
            bs->carry += bk->carry[i];
        }
        /* The cost and carry arrays start as untouched zero pages (calloc): a strategy
         * without them never writes there, which saves the page faults of big runs. */
        if (costly(&sc->strategies[s].costs))
            memcpy(res->cost + off, bk->cost, n * sizeof *bk->cost);
        if (sc->strategies[s].costs.borrow > 0)
            memcpy(res->carry + off, bk->carry, n * sizeof *bk->carry);
    }
    if (p->hz && p->hz_last == steps)
        hs_hz_final(p->hz, w->hz, b, w->views, res, lane0);
}

hs_book_greeks hs_book_greeks_t0(const hs_scenario *sc, double vol_override)
{
    hs_book_greeks g = {0, 0, 0, 0, 0};
    for (size_t j = 0; j < sc->n_legs; j++) {
        const hs_leg *leg = &sc->legs[j];
        double vol = isnan(vol_override) ? leg->vol : vol_override;
        hs_bs_greeks u = leg->type->greeks(sc->market.spot, leg->strike, leg->maturity,
                                           sc->market.rate, sc->market.dividend, vol);
        g.value += leg->quantity * u.value;
        g.delta += leg->quantity * u.delta;
        g.gamma += leg->quantity * u.gamma;
        g.vega += leg->quantity * u.vega;
        g.theta += leg->quantity * u.theta;
    }
    return g;
}

static void plan_free(plan *p)
{
    if (!p)
        return;
    for (size_t s = 0; s < p->n_strat; s++)
        if (p->sc && p->sc->strategies[s].ratio->end)
            p->sc->strategies[s].ratio->end(&p->ratio_ctx[s]);
    hs_hz_free(p->hz);
    hs_model_release(&p->model);
    free(p->growth);
    free(p);
}

/* Set up the run's plan; with_begin 0 (the memory estimate) skips the ratios' begin,
 * which may train (min_variance): the estimate must not do the work it sizes. */
static hs_status plan_init(plan *p, const hs_scenario *sc, int with_begin, int threads,
                           hs_error *err)
{
    memset(p, 0, sizeof *p);
    p->sc = sc;
    p->n_strat = sc->n_strategies;
    hs_status st =
        hs_model_init(&p->model, sc->model, &sc->model_args, &sc->market, &sc->grid, err);
    if (st)
        return st;
    size_t steps = sc->grid.steps;
    p->growth = malloc((steps + 1) * sizeof *p->growth);
    if (!p->growth)
        return hs_error_set(err, HS_ERUNTIME, "out of memory for the time grid");
    for (size_t k = 0; k <= steps; k++)
        p->growth[k] = exp(sc->market.rate * (sc->grid.horizon - (double)k * sc->grid.dt));
    p->div_growth = expm1(sc->market.dividend * sc->grid.dt);
    p->premium = hs_book_greeks_t0(sc, NAN).value;
    for (size_t s = 0; s < p->n_strat; s++) {
        const hs_strategy *strat = &sc->strategies[s];
        st = hs_strategy_setup(strat, sc->legs, sc->n_legs, &sc->market, &sc->grid, &p->model,
                               sc->file, strat->name, &p->rules[s], &p->ratio_ctx[s], err);
        if (st)
            return st;
        const hs_ratio_type *rt = strat->ratio;
        p->ratio_ctx[s].seed = sc->seed;
        p->ratio_ctx[s].threads = threads;
        if (with_begin && rt->begin && (st = rt->begin(&p->ratio_ctx[s], err)) != HS_OK)
            return st;
        p->ratio_arrays[s] = rt->state_arrays ? rt->state_arrays(&p->ratio_ctx[s]) : 0;
        p->need_old |= rt->update != NULL;
        p->gap_steps[s] =
            strat->costs.min_gap > 0 ? (size_t)ceil(strat->costs.min_gap / sc->grid.dt - 1e-9) : 0;
        double hedge_value = hs_book_greeks_t0(sc, strat->vol).value;
        p->edge[s] = (hedge_value - p->premium) * p->growth[0];
        p->target_class[s] = -1;
        if (rt == &hs_ratio_bs && !p->ratio_ctx[s].has_hedge_leg) {
            p->target_class[s] = (int)s;
            for (size_t e = 0; e < s; e++)
                if (p->target_class[e] >= 0 &&
                    (p->ratio_ctx[e].vol == strat->vol ||
                     (isnan(p->ratio_ctx[e].vol) && isnan(strat->vol)))) {
                    p->target_class[s] = p->target_class[e];
                    break;
                }
        }
    }
    for (size_t s = 0; s < p->n_strat; s++)
        p->hedge_legs[s] = p->ratio_ctx[s].has_hedge_leg ? &p->ratio_ctx[s].hedge_leg : NULL;
    st = hs_hz_new(sc, &p->model, p->hedge_legs, p->growth, &p->hz, err);
    if (st)
        return st;
    p->hz_last = p->hz ? hs_hz_last_step(p->hz) : 0;
    return HS_OK;
}

/* Size arithmetic that saturates at SIZE_MAX instead of wrapping: an estimate of an
 * impossible run must read as impossible, and a product that overflows must never
 * reach malloc as a small number. */
static size_t sat_mul(size_t a, size_t b)
{
    return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

static size_t sat_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t sat_u64(uint64_t v)
{
    return v > SIZE_MAX ? SIZE_MAX : (size_t)v;
}

/* Paths traced for a request: at most HS_TRACE_MAX, the paths run, one block. */
static size_t trace_paths_of(const hs_scenario *sc, const hs_run_opts *opts)
{
    size_t tp = opts ? opts->trace_paths : 0;
    if (tp > HS_TRACE_MAX)
        tp = HS_TRACE_MAX;
    if (tp > sc->paths)
        tp = (size_t)sc->paths;
    if (tp > HS_BLOCK)
        tp = HS_BLOCK;
    return tp;
}

uint64_t hs_trace_rows(const hs_scenario *sc, size_t trace_paths)
{
    /* n_strategies <= 256, trace_paths <= 64 and steps <= 1e6: no overflow, but keep
     * the product saturating for any caller. */
    return sat_mul(sat_mul(sc->n_strategies, trace_paths), sat_add(sc->grid.steps, 1));
}

static int threads_of(const hs_scenario *sc, const hs_run_opts *opts, uint64_t n_blocks)
{
    int threads = opts && opts->threads > 0 ? opts->threads : sc->threads;
    if (threads <= 0)
        threads = omp_get_max_threads();
    if ((uint64_t)threads > n_blocks)
        threads = (int)n_blocks;
    return threads;
}

/* Bytes of one thread's workspace (workspace_alloc, with its 64-byte rounding). */
static size_t workspace_bytes(const plan *p)
{
    size_t arrays = 4 + HS_MODEL_STATE + 6 + BOOK_ARRAYS * p->n_strat;
    for (size_t s = 0; s < p->n_strat; s++)
        arrays = sat_add(arrays, p->ratio_arrays[s]);
    size_t bytes = sat_add(sat_mul(sat_mul(HS_BLOCK, arrays), sizeof(double)), 64);
    bytes = sat_add(bytes, sizeof(workspace) + (p->n_strat ? p->n_strat : 1) * sizeof(book));
    bytes = sat_add(bytes, hs_hz_ws_bytes(p->sc) + p->n_strat * sizeof(hs_hz_book));
    return sat_add(bytes, hs_pcg32_lanes_bytes(HS_BLOCK));
}

hs_run_memory hs_run_memory_of(const hs_scenario *sc, const hs_run_opts *opts)
{
    hs_run_memory m = {0};
    size_t n_strat = sc->n_strategies;
    /* This rank's share of the paths (all of them on one process). */
    const hs_comm *comm = opts && opts->comm ? opts->comm : hs_comm_self();
    uint64_t b0, b1;
    hs_rank_blocks((sc->paths + HS_BLOCK - 1) / HS_BLOCK, hs_comm_rank(comm), hs_comm_size(comm),
                   &b0, &b1);
    uint64_t n_blocks = b1 - b0;
    uint64_t lo = b0 * HS_BLOCK < sc->paths ? b0 * HS_BLOCK : sc->paths;
    uint64_t local = (b1 * HS_BLOCK < sc->paths ? b1 * HS_BLOCK : sc->paths) - lo;
    size_t cells = sat_mul(n_strat, sat_u64(local));
    m.paths = local;
    size_t per_cell =
        4 * sizeof(double) + sizeof(float); /* pnl, hedge_error, cost, carry, trades */
    m.results = sat_add(sat_mul(cells, per_cell), n_strat * sizeof(hs_strategy_means));
    m.results = sat_add(m.results, sizeof(hs_results));
    /* [risk]: horizon P&L and its explain per horizon, the drawdown (8 bytes each). */
    size_t per_risk = sc->risk.n_horizons * (1 + HS_EX_TERMS) + (sc->risk.drawdown ? 1 : 0);
    m.results = sat_add(m.results, sat_mul(sat_mul(cells, per_risk), sizeof(double)));
    m.results = sat_add(m.results,
                        sat_mul(sat_mul(sat_u64(local), sc->risk.n_horizons), 2 * sizeof(double)));
    m.trace_paths = trace_paths_of(sc, opts);
    m.trace_rows = hs_trace_rows(sc, m.trace_paths);
    m.trace = sat_mul(sat_u64(m.trace_rows), HS_TR_FIELDS * sizeof(double));
    m.threads = threads_of(sc, opts, n_blocks);
    /* The ratios' per-lane state (a realized-vol window) is known only once the
     * strategies are set up: do it as hs_run would.  If that fails, hs_run fails the
     * same way before allocating anything, and the estimate counts no ratio state. */
    plan *p = calloc(1, sizeof *p);
    size_t ws = 0;
    if (p) {
        hs_error e;
        hs_error_clear(&e);
        if (plan_init(p, sc, 0, 0, &e) != HS_OK) {
            memset(p->ratio_arrays, 0, sizeof p->ratio_arrays);
            p->n_strat = n_strat;
        }
        ws = workspace_bytes(p);
        plan_free(p);
    }
    m.workspaces = sat_mul(ws, (size_t)(m.threads > 0 ? m.threads : 1));
    m.workspaces =
        sat_add(m.workspaces, sat_mul(sat_mul(sat_u64(n_blocks), n_strat), sizeof(block_sums)));
    m.workspaces = sat_add(m.workspaces, sat_mul(sat_add(sc->grid.steps, 1), sizeof(double)));
    m.workspaces = sat_add(m.workspaces, sizeof(plan));
    /* min_variance trains before the run: its training set, held while it trains. */
    for (size_t s = 0; s < n_strat; s++)
        m.workspaces = sat_add(
            m.workspaces, hs_min_variance_train_bytes(&sc->strategies[s], &sc->grid, sc->n_legs));
    return m;
}

size_t hs_run_memory_bytes(const hs_scenario *sc, const hs_run_opts *opts)
{
    hs_run_memory m = hs_run_memory_of(sc, opts);
    return sat_add(sat_add(m.results, m.trace), m.workspaces);
}

void hs_results_free(hs_results *res)
{
    if (!res)
        return;
    hs_big_free(res->pnl);
    hs_big_free(res->hedge_error);
    free(res->cost);
    free(res->carry);
    hs_big_free(res->trades);
    free(res->horizon_pnl);
    free(res->explain);
    free(res->drawdown);
    free(res->horizon_state);
    free(res->trace);
    free(res->means);
    free(res);
}

void hs_rank_blocks(uint64_t n_blocks, int r, int R, uint64_t *b0, uint64_t *b1)
{
    /* ceil(n r / R) without overflow for any n: n = q R + m. */
    uint64_t q = n_blocks / (uint64_t)R, m = n_blocks % (uint64_t)R;
    *b0 = q * (uint64_t)r + (m * (uint64_t)r + (uint64_t)R - 1) / (uint64_t)R;
    *b1 = q * (uint64_t)(r + 1) + (m * (uint64_t)(r + 1) + (uint64_t)R - 1) / (uint64_t)R;
}

hs_status hs_run(const hs_scenario *sc, const hs_run_opts *opts, hs_results **out, hs_error *err)
{
    *out = NULL;
    plan *p = calloc(1, sizeof *p);
    if (!p)
        return hs_error_set(err, HS_ERUNTIME, "out of memory");
    /* The threads asked for (0: all cores), for the ratios' set-up work (begin). */
    hs_status st =
        plan_init(p, sc, 1, opts && opts->threads > 0 ? opts->threads : sc->threads, err);
    if (st) {
        plan_free(p);
        return st;
    }
    size_t n_strat = sc->n_strategies;
    const hs_comm *comm = opts && opts->comm ? opts->comm : hs_comm_self();
    /* This rank's blocks [b0, b1) and paths [first, first + paths). */
    uint64_t b0, b1;
    hs_rank_blocks((sc->paths + HS_BLOCK - 1) / HS_BLOCK, hs_comm_rank(comm), hs_comm_size(comm),
                   &b0, &b1);
    uint64_t first = b0 * HS_BLOCK < sc->paths ? b0 * HS_BLOCK : sc->paths;
    uint64_t paths = (b1 * HS_BLOCK < sc->paths ? b1 * HS_BLOCK : sc->paths) - first;
    uint64_t n_blocks = b1 - b0;
    size_t tp = trace_paths_of(sc, opts);
    uint64_t trace_rows = hs_trace_rows(sc, tp);
    if (trace_rows > HS_TRACE_ROWS_MAX) {
        plan_free(p);
        return hs_error_set(err, HS_EINPUT,
                            "a trace of %zu paths x %zu strategies x %zu steps is %llu rows, "
                            "more than %d (expected fewer traced paths)",
                            tp, n_strat, sc->grid.steps + 1, (unsigned long long)trace_rows,
                            HS_TRACE_ROWS_MAX);
    }
    /* The element counts of the arrays below, refused rather than wrapped when their
     * byte sizes would not fit a size_t (sat_mul saturates). */
    size_t cells = sat_mul(n_strat, sat_u64(paths));
    size_t trace_cells = sat_mul(sat_u64(trace_rows), HS_TR_FIELDS);
    if (sat_mul(cells, sizeof(double)) == SIZE_MAX ||
        sat_mul(trace_cells, sizeof(double)) == SIZE_MAX ||
        sat_mul(sat_mul(sat_u64(n_blocks), n_strat), sizeof(block_sums)) == SIZE_MAX) {
        plan_free(p);
        return hs_error_set(err, HS_ERUNTIME, "%llu paths x %zu strategies do not fit in memory",
                            (unsigned long long)paths, n_strat);
    }
    hs_results *res = calloc(1, sizeof *res);
    block_sums *sums = NULL;
    if (res) {
        res->n_strategies = n_strat;
        res->paths = paths;
        res->first_path = first;
        res->total_paths = sc->paths;
        res->comm = comm;
        /* Written in full by the blocks, so first touched on the threads that run them;
         * on huge pages where the kernel gives them (bigmem.c).  A rank may hold no path
         * (more ranks than blocks): one element keeps the allocators from returning NULL
         * for a size of 0. */
        size_t alloc = cells ? cells : 1;
        res->pnl = hs_big_alloc(alloc * sizeof *res->pnl);
        res->hedge_error = hs_big_alloc(alloc * sizeof *res->hedge_error);
        res->cost = calloc(alloc, sizeof *res->cost);
        res->carry = calloc(alloc, sizeof *res->carry);
        res->trades = hs_big_alloc(alloc * sizeof *res->trades);
        p->trace_paths = tp;
        res->trace_paths = tp;
        if (tp)
            res->trace = calloc(trace_cells, sizeof *res->trace);
        res->means = calloc(n_strat, sizeof *res->means);
        size_t nh = sc->risk.n_horizons;
        res->n_horizons = nh;
        /* nh <= HS_MAX_HORIZONS: sizes below 72 x the P&L array's, refused when not. */
        size_t hn = sat_mul(nh, alloc), en = sat_mul(hn, HS_EX_TERMS);
        if (nh && en < SIZE_MAX / sizeof(double)) {
            res->horizon_pnl = calloc(hn, sizeof *res->horizon_pnl);
            res->explain = calloc(en, sizeof(double));
            if (sc->risk.drawdown)
                res->drawdown = calloc(alloc, sizeof *res->drawdown);
            res->horizon_state = calloc(sat_mul(nh, paths ? (size_t)paths : 1), 2 * sizeof(double));
        }
        sums = calloc(n_blocks > 0 && n_strat > 0 ? (size_t)n_blocks * n_strat : 1, sizeof *sums);
    }
    if (!res || !res->pnl || !res->hedge_error || !res->cost || !res->carry || !res->trades ||
        !res->means || !sums || (res->trace_paths && !res->trace) ||
        (res->n_horizons && (!res->horizon_pnl || !res->explain || !res->horizon_state)) ||
        (sc->risk.drawdown && !res->drawdown)) {
        hs_results_free(res);
        free(sums);
        plan_free(p);
        return hs_error_set(err, HS_ERUNTIME, "out of memory for %llu paths x %zu strategies",
                            (unsigned long long)paths, n_strat);
    }

    int threads = threads_of(sc, opts, n_blocks);
    int failed = 0;
    uint64_t done = 0;
    double t0 = now_seconds();

#pragma omp parallel num_threads(threads) shared(failed, done)
    {
        workspace *w = workspace_alloc(p);
        if (!w) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp barrier
        if (!failed) {
#pragma omp for schedule(dynamic, 1)
            for (uint64_t blk = b0; blk < b1; blk++) {
                uint64_t start = blk * HS_BLOCK;
                size_t n = (size_t)(sc->paths - start < HS_BLOCK ? sc->paths - start : HS_BLOCK);
                run_block(p, w, start, n, res, sums + (blk - b0) * n_strat);
#pragma omp atomic
                done += n;
                if (opts && opts->progress && omp_get_thread_num() == 0) {
                    uint64_t d;
#pragma omp atomic read
                    d = done;
                    opts->progress(opts->progress_user, d, paths);
                }
            }
        }
        workspace_free(w);
    }
    res->seconds = now_seconds() - t0;
    res->threads = threads;
    if (failed) {
        hs_results_free(res);
        free(sums);
        plan_free(p);
        return hs_error_set(err, HS_ERUNTIME, "out of memory for thread workspaces");
    }

    /* Means: each block's sums (formed in path order) added exactly, then over the
     * ranks: the same bits for any thread and rank count. */
    hs_xsum *acc = calloc(4 * (n_strat ? n_strat : 1), sizeof *acc);
    uint64_t *fb = calloc(n_strat ? n_strat : 1, sizeof *fb);
    if (!acc || !fb) {
        free(acc), free(fb), free(sums), plan_free(p), hs_results_free(res);
        return hs_error_set(err, HS_ERUNTIME, "out of memory for the means");
    }
    for (size_t s = 0; s < n_strat; s++) {
        for (int j = 0; j < 4; j++)
            hs_xsum_init(&acc[4 * s + (size_t)j]);
        for (uint64_t blk = 0; blk < n_blocks; blk++) {
            const block_sums *bs = &sums[blk * n_strat + s];
            hs_xsum_add(&acc[4 * s], bs->trades);
            hs_xsum_add(&acc[4 * s + 1], bs->turnover);
            hs_xsum_add(&acc[4 * s + 2], bs->cost);
            hs_xsum_add(&acc[4 * s + 3], bs->carry);
        }
        const hs_ratio_type *rt = sc->strategies[s].ratio;
        fb[s] = rt->fallbacks ? rt->fallbacks(&p->ratio_ctx[s]) : 0;
    }
    if (hs_comm_sum_xsum(comm, acc, 4 * n_strat) || hs_comm_sum_u64(comm, fb, n_strat)) {
        free(acc), free(fb), free(sums), plan_free(p), hs_results_free(res);
        return hs_error_set(err, HS_ERUNTIME, "the means: the reduction over ranks failed");
    }
    double total = (double)sc->paths;
    for (size_t s = 0; s < n_strat; s++)
        res->means[s] = (hs_strategy_means){hs_xsum_round(&acc[4 * s]) / total,
                                            hs_xsum_round(&acc[4 * s + 1]) / total,
                                            hs_xsum_round(&acc[4 * s + 2]) / total,
                                            p->edge[s],
                                            hs_xsum_round(&acc[4 * s + 3]) / total,
                                            fb[s],
                                            NAN,
                                            NAN,
                                            NAN,
                                            0.0};
    for (size_t s = 0; s < n_strat; s++) {
        /* Every rank trained the same paths: its own fit is the run's. */
        const hs_ratio_type *rt = sc->strategies[s].ratio;
        hs_strategy_means *mn = &res->means[s];
        if (rt->fitted)
            rt->fitted(&p->ratio_ctx[s], &mn->hmc_price, &mn->hmc_stderr, &mn->hmc_seconds,
                       &mn->hmc_paths);
    }
    free(acc);
    free(fb);
    free(sums);
    plan_free(p);
    *out = res;
    return HS_OK;
}
