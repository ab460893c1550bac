/*
 * Rebalancing rule `none`: never trade, not even at t0; the book is held alone to
 * maturity.  It is the baseline every hedging comparison needs (issue 14): its P&L is
 *
 *   pnl = sum_legs quantity x (payoff(S_T) - V_traded e^{rT}) x (-1),
 *
 * that is the premium received at the traded vols, grown to T, less the book's payoff
 * (engine.h's attribution with replication = -payoff, cost = carry = 0).  The ratio of
 * the strategy is never asked (active() is always false, so the engine computes no
 * target), so any ratio and any cost is accepted and changes nothing: hs_strategy_setup
 * does not prepare it (a ratio = leland that needs an interval, or ratio = model under a
 * model without a price, would otherwise be refused for a hedge that never trades).
 */
#include "hedgesim/strategy.h"

static hs_status prepare(hs_rule_state *st, const double *par, const hs_origin *origins,
                         const hs_grid *grid, const char *context, hs_error *err)
{
    (void)par, (void)origins, (void)grid, (void)context, (void)err;
    st->type = &hs_rule_none;
    st->hedges = 0;
    st->every = 0;
    return HS_OK;
}

static int active(const hs_rule_state *st, size_t k)
{
    (void)st, (void)k;
    return 0;
}

static void apply(const hs_rule_state *st, const hs_rule_io *io, size_t n)
{
    (void)st;
    for (size_t i = 0; i < n; i++)
        io->next[i] = io->held[i];
}

static size_t hedges(const hs_rule_state *st)
{
    (void)st;
    return 0;
}

const hs_rule_type hs_rule_none = {
    .name = "none",
    .help = "never trade, not even at t0: the book alone (the no-hedge baseline)",
    .params = NULL,
    .n_params = 0,
    .prepare = prepare,
    .active = active,
    .apply = apply,
    .hedges = hedges,
};
