/*
 * Horizon risk (`[risk]`, issue 13): the hedged book marked to market at chosen horizons
 * before maturity, its P&L there, and the P&L explain that splits it path by path.
 *
 *   P&L(h) = V(h) = cash(h) + held(h) S(h) + sum_legs q mark_j(h) + hedge options,
 *
 * in time-h money (cash grown at the rate to h), where the book changed hands at t0 at
 * the traded vols (cash(0) = -sum q V_trade) and each option alive at h is marked
 *
 *   mark = model    with the path model's own price at the lane's state (model_price.h);
 *   mark = implied  with Black-Scholes at the leg's traded vol (sticky), shifted by the
 *                   `[stress.NAME] type = implied` overlays in force at h (risk.c).
 *
 * The explain (docs/outputs.md, "Horizon risk") writes V(h) = edge + delta + gamma +
 * vega + theta + carry + costs + residual on every path, with Black-Scholes Greeks at
 * the start of each step at the mark's implied vol (src/hedging/horizon.c).
 */
#ifndef HEDGESIM_RISK_H
#define HEDGESIM_RISK_H

#include <stddef.h>

#define HS_MAX_HORIZONS 8
/* At most this many implied-vol overlays ([stress.NAME] type = implied). */
#define HS_MAX_IMPLIED 8

enum { HS_MARK_MODEL = 0, HS_MARK_IMPLIED = 1 };

/* The explain's terms, in the order of JSON and CSV columns. */
enum {
    HS_EX_EDGE,     /* day one: the book at its mark at t0 minus what it was traded at */
    HS_EX_DELTA,    /* net delta (options + shares) times the step's spot move */
    HS_EX_GAMMA,    /* half the options' gamma times the squared spot move */
    HS_EX_VEGA,     /* the options' vega times the step's move of the mark's implied vol */
    HS_EX_THETA,    /* the options' theta times dt */
    HS_EX_CARRY,    /* interest on cash, dividends on shares, borrow fees */
    HS_EX_COSTS,    /* minus the trading costs paid (and the unwind at maturity) */
    HS_EX_RESIDUAL, /* what the first-order terms miss: closes the sum exactly */
    HS_EX_TERMS
};

/* The names of the terms (JSON keys and CSV column suffixes), HS_EX_TERMS of them. */
extern const char *const hs_explain_names[HS_EX_TERMS];

/* One implied-vol shock: from grid step k_from on (and before k_to), the implied vol of
 * every leg is its traded vol plus `shift` (a fraction: 5 vol points = 0.05). */
typedef struct hs_implied_shock {
    char name[96];
    size_t k_from, k_to;
    double shift;
    double time, from, to, size;     /* as given (NaN: absent), resolved on the grid */
    char at_size[512], at_time[512]; /* where `size` and the timing keys were given */
} hs_implied_shock;

typedef struct hs_risk {
    size_t n_horizons; /* 0: no [risk] section (every output as without it) */
    double time[HS_MAX_HORIZONS];
    size_t step[HS_MAX_HORIZONS]; /* grid step of each horizon, increasing */
    int mark;                     /* HS_MARK_MODEL or HS_MARK_IMPLIED */
    int drawdown;                 /* 1: the book is marked at every step (max drawdown) */
    size_t n_shocks;
    hs_implied_shock shocks[HS_MAX_IMPLIED];
    char at_horizons[512], at_mark[512]; /* file:line of the keys (messages) */
} hs_risk;

/* The implied-vol shift in force at grid step k (sum of the shocks acting there). */
double hs_risk_implied_shift(const hs_risk *r, size_t k);

#endif
