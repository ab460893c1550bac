/*
 * Horizon marks and the P&L explain of the hedged book (risk.h, horizon.h; issue 13).
 *
 * The book of strategy s at grid step k, marked before the legs expiring at t_k settle
 * and before the step's trades, in time-t_k money:
 *
 *   V_k = cash_k / G_k + h_k S_k + sum_{legs alive} q_j m_j(k) + u_k w(k),
 *
 * cash in time-T money (G_k = e^{r (T - t_k)}, engine.h), m_j the leg's mark (its payoff
 * at its expiry step; before, the model's price or Black-Scholes at the implied vol),
 * u the units of a hedge option (delta_gamma) valued, as the engine trades it, at
 * Black-Scholes at its traded vol.  The horizon P&L is V_h: the book changed hands at
 * t0 at the traded vols, so V starts at edge = V_0 (zero for mark = implied).
 *
 * Explain, step by step from t_k to t_{k+1} (Greeks at the start of the step, from
 * Black-Scholes at each leg's implied vol sigma_j(k) of its mark: for mark = implied the
 * mark's own vol, for mark = model the vol that reprices the model's value, found by
 * Newton's method per lane), with h+ and u+ the holdings after the trades at t_k:
 *
 *   delta  += (sum q Delta_j + h+ + u+ Delta_w) dS
 *   gamma  += 1/2 (sum q Gamma_j + u+ Gamma_w) dS^2
 *   vega   += sum q Vega_j (sigma_j(k+1) - sigma_j(k))
 *   theta  += (sum q Theta_j + u+ Theta_w) dt
 *   carry  += cash_{k+1} / G_{k+1} - cash+_k / G_k     (interest, dividends, borrow fees)
 *   costs  -= costs paid at t_k / G_k                   (and the unwind at maturity)
 *   residual = V_h - edge - delta - gamma - vega - theta - carry - costs
 *
 * so the terms sum to the P&L on every path by construction; the residual holds the
 * higher orders (d S^3, vanna, volga, the theta-gamma cross terms) and shrinks as the
 * steps get finer (O(dt^{1/2}) per path for a smooth book).  A leg expiring at t_{k+1}
 * has no implied vol there: its vol move is taken as zero.
 */
#define _POSIX_C_SOURCE 200809L
#include "horizon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/instrument.h"
#include "hedgesim/model_price.h"

/* Per-strategy lane arrays. */
enum {
    SB_CASH, /* cash after the trades at t_k, in time-t_k money */
    SB_HELD, /* shares after the trades at t_k */
    SB_HD,   /* hedge option's delta, gamma, theta times its units after the trades */
    SB_HG,
    SB_HT,
    SB_COST, /* costs paid so far, time-T money, at the last post-trade */
    SB_PEAK, /* running peak of V (drawdown) */
    SB_DD,   /* largest fall from the peak so far */
    SB_TERMS,
    SB_ARRAYS = SB_TERMS + HS_EX_RESIDUAL
};

struct hs_hz {
    const hs_scenario *sc;
    const hs_risk *risk;
    const hs_leg *const *hedge; /* [n_strat] */
    const double *growth;
    hs_model_pricer *pricer; /* mark = model */
    size_t last;             /* last step marked */
    size_t n_legs, n_strat;
    double *implied; /* mark = implied: [(steps + 1) * n_legs] implied vol of leg j at k */
};

struct hs_hz_ws {
    double *mem;
    double *val, *sig, *sig_prev, *qv, *qv_prev;                     /* [n_legs][HS_BLOCK] */
    double *dl, *gl, *tl, *dl_prev, *gl_prev, *tl_prev, *s_prev, *v; /* [HS_BLOCK] */
    double *strat; /* [n_strat][SB_ARRAYS][HS_BLOCK] */
};

static double *lanes(const hs_hz_ws *w, const hs_hz *hz, size_t s, size_t a)
{
    (void)hz;
    return w->strat + (s * SB_ARRAYS + a) * HS_BLOCK;
}

hs_status hs_hz_new(const hs_scenario *sc, const hs_model *m, const hs_leg *const *hedge_legs,
                    const double *growth, hs_hz **out, hs_error *err)
{
    *out = NULL;
    const hs_risk *r = &sc->risk;
    if (!r->n_horizons)
        return HS_OK;
    hs_hz *hz = calloc(1, sizeof *hz);
    if (!hz)
        return hs_error_set(err, HS_ERUNTIME, "out of memory for the horizon marks");
    hz->sc = sc;
    hz->risk = r;
    hz->hedge = hedge_legs;
    hz->growth = growth;
    hz->n_legs = sc->n_legs;
    hz->n_strat = sc->n_strategies;
    hz->last = r->drawdown ? sc->grid.steps : r->step[r->n_horizons - 1];
    if (r->mark == HS_MARK_MODEL) {
        hs_status st = hs_model_pricer_new(m, sc->legs, sc->n_legs, &hz->pricer, err);
        if (st) {
            free(hz);
            return st;
        }
    } else {
        size_t steps = sc->grid.steps;
        hz->implied = malloc((steps + 1) * sc->n_legs * sizeof *hz->implied);
        if (!hz->implied) {
            free(hz);
            return hs_error_set(err, HS_ERUNTIME, "out of memory for the implied vols");
        }
        for (size_t k = 0; k <= steps; k++) {
            double shift = k ? hs_risk_implied_shift(r, k) : 0.0;
            for (size_t j = 0; j < sc->n_legs; j++)
                hz->implied[k * sc->n_legs + j] = sc->legs[j].vol + shift;
        }
    }
    *out = hz;
    return HS_OK;
}

void hs_hz_free(hs_hz *hz)
{
    if (!hz)
        return;
    hs_model_pricer_free(hz->pricer);
    free(hz->implied);
    free(hz);
}

size_t hs_hz_last_step(const hs_hz *hz)
{
    return hz->last;
}

static size_t ws_arrays(size_t n_legs, size_t n_strat)
{
    return 5 * n_legs + 8 + n_strat * SB_ARRAYS;
}

size_t hs_hz_ws_bytes(const hs_scenario *sc)
{
    if (!sc->risk.n_horizons)
        return 0;
    return sizeof(hs_hz_ws) + ws_arrays(sc->n_legs, sc->n_strategies) * HS_BLOCK * sizeof(double);
}

hs_hz_ws *hs_hz_ws_alloc(const hs_hz *hz)
{
    hs_hz_ws *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->mem = calloc(ws_arrays(hz->n_legs, hz->n_strat) * HS_BLOCK, sizeof(double));
    if (!w->mem) {
        free(w);
        return NULL;
    }
    double *m = w->mem;
    size_t L = hz->n_legs * HS_BLOCK;
    w->val = m, m += L;
    w->sig = m, m += L;
    w->sig_prev = m, m += L;
    w->qv = m, m += L;
    w->qv_prev = m, m += L;
    w->dl = m, m += HS_BLOCK;
    w->gl = m, m += HS_BLOCK;
    w->tl = m, m += HS_BLOCK;
    w->dl_prev = m, m += HS_BLOCK;
    w->gl_prev = m, m += HS_BLOCK;
    w->tl_prev = m, m += HS_BLOCK;
    w->s_prev = m, m += HS_BLOCK;
    w->v = m, m += HS_BLOCK;
    w->strat = m;
    return w;
}

void hs_hz_ws_free(hs_hz_ws *w)
{
    if (!w)
        return;
    free(w->mem);
    free(w);
}

/* Black-Scholes value and Greeks of a leg, and at a spot of 0 (a path a crash or a huge
 * vol has driven below the smallest double) their limits: a price that is 0 stays 0, so
 * the leg is worth its payoff at 0, discounted, and its Greeks are 0 (bs.h wants
 * spot > 0: ln 0 would make every term NaN). */
static hs_bs_greeks greeks_at(const hs_leg *leg, double spot, double tau, const hs_market *mk,
                              double sigma)
{
    if (spot > 0.0)
        return leg->type->greeks(spot, leg->strike, tau, mk->rate, mk->dividend, sigma);
    hs_bs_greeks g = {0, 0, 0, 0, 0};
    g.value = exp(-mk->rate * tau) * leg->type->payoff(0.0, leg->strike);
    return g;
}

/* The Black-Scholes vol that reprices `price` (Newton from `guess`, kept in [1e-4, 5]),
 * with the Greeks there in *g.  Where no vol does (a price outside the no-arbitrage
 * bounds, a flat vega), the guess stays: the vega term then misses the move, and the
 * residual takes it. */
static double implied_vol(const hs_leg *leg, const hs_market *mk, double spot, double tau,
                          double price, double guess, hs_bs_greeks *g)
{
    double sig = guess > 1e-4 && guess < 5 ? guess : 0.2;
    for (int it = 0; it < 20; it++) {
        *g = greeks_at(leg, spot, tau, mk, sig);
        double diff = g->value - price;
        if (fabs(diff) <= 1e-13 * (fabs(price) + spot * 1e-3))
            return sig;
        if (!(g->vega > 1e-300))
            break;
        double next = sig - diff / g->vega;
        if (next < 1e-4)
            next = 0.5 * (sig + 1e-4);
        if (next > 5)
            next = 0.5 * (sig + 5);
        if (!isfinite(next))
            break;
        sig = next;
    }
    if (!(sig > 1e-4 && sig < 5) || !isfinite(sig))
        sig = guess > 1e-4 && guess < 5 ? guess : 0.2;
    *g = greeks_at(leg, spot, tau, mk, sig);
    return sig;
}

/* Leg marks, implied vols and Greeks at step k (legs alive at t_k, i.e. expiry_step >=
 * k; the Greeks only for legs alive after it).  One Black-Scholes evaluation per lane
 * and leg gives both the mark (mark = implied) and the Greeks for the step to k + 1. */
static void leg_marks(const hs_hz *hz, hs_hz_ws *w, size_t k, const hs_block *b)
{
    const hs_scenario *sc = hz->sc;
    size_t n = b->n;
    double t = (double)k * sc->grid.dt;
    for (size_t i = 0; i < n; i++)
        w->dl[i] = w->gl[i] = w->tl[i] = 0.0;
    for (size_t j = 0; j < hz->n_legs; j++) {
        const hs_leg *leg = &sc->legs[j];
        double *val = w->val + j * HS_BLOCK, *sig = w->sig + j * HS_BLOCK;
        double *qv = w->qv + j * HS_BLOCK;
        const double *prev = w->sig_prev + j * HS_BLOCK;
        if (leg->expiry_step <= k) {
            if (leg->expiry_step == k)
                for (size_t i = 0; i < n; i++) {
                    val[i] = leg->type->payoff(b->spot[i], leg->strike);
                    sig[i] = prev[i];
                }
            memset(qv, 0, HS_BLOCK * sizeof *qv);
            continue;
        }
        double tau = leg->maturity - t, q = leg->quantity;
        if (hz->pricer) {
            hs_model_pricer_value(hz->pricer, j, k, b->spot, b->state, n, val);
            for (size_t i = 0; i < n; i++)
                if (!(b->spot[i] > 0.0)) /* the limit at 0, as greeks_at takes it */
                    val[i] = greeks_at(leg, 0.0, tau, &sc->market, leg->vol).value;
        }
        double s = hz->pricer ? 0.0 : hz->implied[k * hz->n_legs + j];
        for (size_t i = 0; i < n; i++) {
            hs_bs_greeks g;
            if (hz->pricer)
                sig[i] = implied_vol(leg, &sc->market, b->spot[i], tau, val[i],
                                     k ? prev[i] : leg->vol, &g);
            else {
                g = greeks_at(leg, b->spot[i], tau, &sc->market, s);
                val[i] = g.value;
                sig[i] = s;
            }
            w->dl[i] += q * g.delta;
            w->gl[i] += q * g.gamma;
            w->tl[i] += q * g.theta;
            qv[i] = q * g.vega;
        }
    }
}

/* After the explain of the step into k: the Greeks of k become the step's start. */
static void leg_greeks(const hs_hz *hz, hs_hz_ws *w, const hs_block *b)
{
    memcpy(w->s_prev, b->spot, b->n * sizeof *b->spot);
    memcpy(w->sig_prev, w->sig, hz->n_legs * HS_BLOCK * sizeof *w->sig);
    memcpy(w->dl_prev, w->dl, HS_BLOCK * sizeof *w->dl);
    memcpy(w->gl_prev, w->gl, HS_BLOCK * sizeof *w->gl);
    memcpy(w->tl_prev, w->tl, HS_BLOCK * sizeof *w->tl);
    memcpy(w->qv_prev, w->qv, hz->n_legs * HS_BLOCK * sizeof *w->qv);
}

/* Write horizon h's P&L and terms of strategy s for the block's lanes. */
static void record(const hs_hz *hz, const hs_hz_ws *w, size_t h, size_t s, size_t n,
                   const double *pnl, hs_results *res, size_t off)
{
    size_t paths = res->paths, S = hz->n_strat;
    double *hp = res->horizon_pnl + (h * S + s) * paths + off;
    double *ex = res->explain + (h * S + s) * HS_EX_TERMS * paths + off;
    for (size_t i = 0; i < n; i++) {
        double sum = 0.0;
        for (size_t t = 0; t < HS_EX_RESIDUAL; t++) {
            double x = lanes(w, hz, s, SB_TERMS + t)[i];
            ex[t * paths + i] = x;
            sum += x;
        }
        ex[HS_EX_RESIDUAL * paths + i] = pnl[i] - sum;
        hp[i] = pnl[i];
    }
}

void hs_hz_mark(const hs_hz *hz, hs_hz_ws *w, size_t k, const hs_block *b, const hs_hz_book *books,
                hs_results *res, size_t off)
{
    const hs_scenario *sc = hz->sc;
    const hs_risk *r = hz->risk;
    size_t n = b->n, steps = sc->grid.steps;
    double t = (double)k * sc->grid.dt, g = hz->growth[k], dt = sc->grid.dt;
    leg_marks(hz, w, k, b);
    /* The legs' part of V, the same for every strategy. */
    double *legv = w->v;
    for (size_t i = 0; i < n; i++)
        legv[i] = 0.0;
    for (size_t j = 0; j < hz->n_legs; j++)
        if (sc->legs[j].expiry_step >= k)
            for (size_t i = 0; i < n; i++)
                legv[i] += sc->legs[j].quantity * w->val[j * HS_BLOCK + i];
    size_t h = r->n_horizons;
    for (size_t q = 0; q < r->n_horizons; q++)
        if (r->step[q] == k) {
            /* The state at the horizon, for pnl.csv: spot and the model's state[0]. */
            double *st = res->horizon_state + (q * res->paths + off) * 2;
            for (size_t i = 0; i < n; i++) {
                st[2 * i] = b->spot[i];
                st[2 * i + 1] = b->state[i];
            }
            if (k < steps)
                h = q;
        }
    double vcur[HS_BLOCK];
    for (size_t s = 0; s < hz->n_strat; s++) {
        const hs_hz_book *bk = &books[s];
        const hs_leg *hl = hz->hedge[s];
        double *cash = lanes(w, hz, s, SB_CASH), *held = lanes(w, hz, s, SB_HELD);
        double *peak = lanes(w, hz, s, SB_PEAK), *dd = lanes(w, hz, s, SB_DD);
        double *term[HS_EX_RESIDUAL];
        for (size_t x = 0; x < HS_EX_RESIDUAL; x++)
            term[x] = lanes(w, hz, s, SB_TERMS + x);
        for (size_t i = 0; i < n; i++) {
            double c = bk->cash[i] / g, v = c + bk->held[i] * b->spot[i] + legv[i];
            if (hl && bk->held2[i] != 0.0)
                v +=
                    bk->held2[i] *
                    (k == hl->expiry_step
                         ? hl->type->payoff(b->spot[i], hl->strike)
                         : greeks_at(hl, b->spot[i], hl->maturity - t, &sc->market, hl->vol).value);
            vcur[i] = v;
            if (k == 0) {
                for (size_t x = 0; x < HS_EX_RESIDUAL; x++)
                    term[x][i] = 0.0;
                term[HS_EX_EDGE][i] = v;
                peak[i] = v;
                dd[i] = 0.0;
                continue;
            }
            double ds = b->spot[i] - w->s_prev[i];
            double *hd = lanes(w, hz, s, SB_HD), *hg = lanes(w, hz, s, SB_HG),
                   *ht = lanes(w, hz, s, SB_HT);
            double vega = 0.0;
            for (size_t j = 0; j < hz->n_legs; j++)
                vega += w->qv_prev[j * HS_BLOCK + i] *
                        (w->sig[j * HS_BLOCK + i] - w->sig_prev[j * HS_BLOCK + i]);
            term[HS_EX_DELTA][i] += (w->dl_prev[i] + held[i] + hd[i]) * ds;
            term[HS_EX_GAMMA][i] += 0.5 * (w->gl_prev[i] + hg[i]) * ds * ds;
            term[HS_EX_VEGA][i] += vega;
            term[HS_EX_THETA][i] += (w->tl_prev[i] + ht[i]) * dt;
            term[HS_EX_CARRY][i] += c - cash[i];
            if (k < steps) {
                if (v > peak[i])
                    peak[i] = v;
                if (peak[i] - v > dd[i])
                    dd[i] = peak[i] - v;
            }
        }
        if (h < r->n_horizons)
            record(hz, w, h, s, n, vcur, res, off);
    }
    if (k < hz->last)
        leg_greeks(hz, w, b);
}

void hs_hz_post_trade(const hs_hz *hz, hs_hz_ws *w, size_t k, const hs_block *b,
                      const hs_hz_book *books)
{
    const hs_scenario *sc = hz->sc;
    size_t n = b->n;
    double g = hz->growth[k], t = (double)k * sc->grid.dt;
    for (size_t s = 0; s < hz->n_strat; s++) {
        const hs_hz_book *bk = &books[s];
        const hs_leg *hl = hz->hedge[s];
        double *cash = lanes(w, hz, s, SB_CASH), *held = lanes(w, hz, s, SB_HELD);
        double *cost = lanes(w, hz, s, SB_COST), *costs = lanes(w, hz, s, SB_TERMS + HS_EX_COSTS);
        double *hd = lanes(w, hz, s, SB_HD), *hg = lanes(w, hz, s, SB_HG),
               *ht = lanes(w, hz, s, SB_HT);
        for (size_t i = 0; i < n; i++) {
            if (k == 0)
                cost[i] = 0.0;
            costs[i] -= (bk->cost[i] - cost[i]) / g;
            cost[i] = bk->cost[i];
            cash[i] = bk->cash[i] / g;
            held[i] = bk->held[i];
            hd[i] = hg[i] = ht[i] = 0.0;
            if (hl && bk->held2[i] != 0.0 && hl->expiry_step > k) {
                hs_bs_greeks u = greeks_at(hl, b->spot[i], hl->maturity - t, &sc->market, hl->vol);
                hd[i] = bk->held2[i] * u.delta;
                hg[i] = bk->held2[i] * u.gamma;
                ht[i] = bk->held2[i] * u.theta;
            }
        }
    }
}

void hs_hz_final(const hs_hz *hz, hs_hz_ws *w, const hs_block *b, const hs_hz_book *books,
                 hs_results *res, size_t off)
{
    const hs_risk *r = hz->risk;
    size_t n = b->n, steps = hz->sc->grid.steps, paths = res->paths;
    size_t h = r->n_horizons;
    for (size_t q = 0; q < r->n_horizons; q++)
        if (r->step[q] == steps)
            h = q;
    for (size_t s = 0; s < hz->n_strat; s++) {
        const double *pnl = res->pnl + s * paths + off;
        double *cost = lanes(w, hz, s, SB_COST), *costs = lanes(w, hz, s, SB_TERMS + HS_EX_COSTS);
        double *peak = lanes(w, hz, s, SB_PEAK), *dd = lanes(w, hz, s, SB_DD);
        for (size_t i = 0; i < n; i++) {
            costs[i] -= books[s].cost[i] - cost[i]; /* the unwind, at G = 1 */
            cost[i] = books[s].cost[i];
            if (pnl[i] > peak[i])
                peak[i] = pnl[i];
            if (peak[i] - pnl[i] > dd[i])
                dd[i] = peak[i] - pnl[i];
        }
        if (h < r->n_horizons)
            record(hz, w, h, s, n, pnl, res, off);
        if (r->drawdown)
            memcpy(res->drawdown + s * paths + off, dd, n * sizeof *dd);
    }
}
