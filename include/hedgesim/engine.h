/*
 * The rebalancing engine: simulate the paths of a scenario block by block and hedge
 * the book with every strategy on the same paths (docs/architecture.md).
 *
 * Accounting, per path and strategy, all in time-T money (G_k = e^{r (T - t_k)}):
 *
 *   cash_T  = -sum_legs q V_trade G_0                       (the book changes hands)
 *             - sum_trades dh_k S_k G_k                     (shares bought, sold)
 *             - sum_trades cost_k G_k                       (costs: proportional, spread, fee)
 *             + sum_k h_k S_{k+1} (e^{q dt} - 1) G_{k+1}    (dividends on held shares)
 *             - sum_k b dt max(-h_k, 0) S_{k+1} G_{k+1}     (borrow fee on short shares)
 *             + sum_legs q payoff(S_expiry) G_expiry        (the book settles)
 *   pnl     = cash_T + h_final S_T                          (the hedge is unwound)
 *   edge    = sum_legs q (V_hedge - V_trade) G_0            (premium edge: traded vs hedge vol)
 *   carry   = - borrow fees                                 (what the replication does not pay)
 *   hedge_error = pnl - edge + cost - carry                  (replication error)
 *
 * so that pnl = edge + hedge_error - cost + carry exactly (the P&L attribution).
 * Dividends on held shares belong to the replication: the option's price already
 * accounts for them through the yield.
 *
 * P&L is measured at maturity in time-T money, as QuantLib's DiscreteHedging example
 * reports it.  Results are written to fixed positions [strategy][path] and per-block
 * sums are reduced in block order, so the output is bit-identical for any thread count.
 */
#ifndef HEDGESIM_ENGINE_H
#define HEDGESIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "hedgesim/error.h"
#include "hedgesim/scenario.h"
#include "hedgesim/comm.h"

typedef struct hs_run_opts {
    int threads; /* 0: the scenario's, and if that is 0 too, all cores */
    /* Called now and then from the main thread with the number of paths done. */
    void (*progress)(void *user, uint64_t done, uint64_t total);
    void *progress_user;
    size_t trace_paths; /* record full traces of paths 0 .. trace_paths-1 (<= HS_TRACE_MAX) */
    /* The processes of the run (comm.h), NULL for one: each rank simulates its range of
     * path blocks (hs_rank_blocks) and the results combine exactly over the ranks. */
    const hs_comm *comm;
} hs_run_opts;

/* Blocks [*b0, *b1) of n_blocks that rank r of R simulates: contiguous, in rank order,
 * ceil(n_blocks r / R) to ceil(n_blocks (r + 1) / R), so rank 0 always holds block 0
 * (the traced paths). */
void hs_rank_blocks(uint64_t n_blocks, int r, int R, uint64_t *b0, uint64_t *b1);

#define HS_TRACE_MAX 64
/* At most this many trace rows (strategies x traced paths x (steps + 1)) per run: each
 * is HS_TR_FIELDS doubles (72 bytes) in memory and about 230 bytes of paths.csv, so the
 * bound keeps a trace under ~70 MiB of memory and ~230 MB of CSV.  hs_run refuses more
 * (10 paths at steps = 1e6 were 10^7 rows: an 856 MB process, a 2.3 GB paths.csv). */
#define HS_TRACE_ROWS_MAX 1000000
/* Fields of one trace row (docs/outputs.md, paths.csv); money in time-t money. */
enum {
    HS_TR_TIME,
    HS_TR_SPOT,
    HS_TR_OPTION,
    HS_TR_TARGET,
    HS_TR_HELD,
    HS_TR_CASH,
    HS_TR_PORTFOLIO,
    HS_TR_ERROR,
    HS_TR_TRADES,
    HS_TR_FIELDS
};

/* Per-strategy means of the path quantities that need no distribution. */
typedef struct hs_strategy_means {
    double trades, turnover, cost;
    double edge;                              /* deterministic premium edge, time-T money */
    double carry;                             /* mean carry (borrow fees, negative) */
    unsigned long long model_delta_fallbacks; /* ratio model: lanes whose delta came from
                                               * the formula instead of a table */
    /* ratio min_variance: the fit's value of the book at t0 (t0 money), its standard
     * error, the training wall time and paths; NaN (paths 0) for other ratios. */
    double hmc_price, hmc_stderr, hmc_seconds, hmc_paths;
} hs_strategy_means;

typedef struct hs_results {
    size_t n_strategies;
    uint64_t paths;           /* paths held here: this rank's (all of them on one process) */
    uint64_t first_path;      /* the run's index of the first path held here */
    uint64_t total_paths;     /* paths of the run, over every rank */
    const hs_comm *comm;      /* the run's processes (never NULL) */
    double *pnl;              /* [n_strategies * paths], path-major per strategy */
    double *hedge_error;      /* same layout: replication error */
    double *cost;             /* same layout: costs paid, time-T money */
    double *carry;            /* same layout: carry (borrow fees), time-T money */
    float *trades;            /* same layout: trades of the path (whole numbers, exact in float) */
    hs_strategy_means *means; /* [n_strategies] */
    size_t trace_paths;       /* paths traced */
    double *trace;            /* [strategy][path][step 0..steps][HS_TR_FIELDS], or NULL */
    int threads;              /* threads actually used */
    double seconds;           /* wall time of the simulation */
    /* [risk] (risk.h), NULL without it: horizon P&L [horizon][strategy][path] in time-h
     * money, its explain [horizon][strategy][term][path] (HS_EX_* terms) and, with
     * drawdown = 1, the largest fall of the marked book [strategy][path]. */
    size_t n_horizons;
    double *horizon_pnl, *explain, *drawdown;
    double *horizon_state; /* [horizon][path][2]: spot and the model's state[0] at h (the
                            * Heston variance, the regime, the GARCH per-step variance) */
} hs_results;

hs_status hs_run(const hs_scenario *sc, const hs_run_opts *opts, hs_results **out, hs_error *err);

/* The memory hs_run would allocate for sc and opts, in bytes, before it starts, split
 * into what the results keep after the run and what is freed when hs_run returns.
 * Every product saturates at SIZE_MAX instead of wrapping. */
typedef struct hs_run_memory {
    size_t results;      /* pnl, hedge_error, cost, carry (8 bytes each) and trades (4):
                          * 36 bytes per path and strategy, plus the means */
    size_t trace;        /* trace_rows * HS_TR_FIELDS doubles */
    size_t workspaces;   /* per-thread lane arrays, block sums, the time grid */
    size_t trace_paths;  /* paths traced, after hs_run's clamps */
    uint64_t trace_rows; /* n_strategies * trace_paths * (steps + 1) */
    int threads;         /* threads hs_run would use */
    uint64_t paths;      /* paths this rank holds (all of them on one process) */
} hs_run_memory;

hs_run_memory hs_run_memory_of(const hs_scenario *sc, const hs_run_opts *opts);
/* The sum of the three parts: the most hs_run holds at once. */
size_t hs_run_memory_bytes(const hs_scenario *sc, const hs_run_opts *opts);
/* The trace rows of tracing trace_paths paths (after hs_run's clamps) of sc. */
uint64_t hs_trace_rows(const hs_scenario *sc, size_t trace_paths);
void hs_results_free(hs_results *res);

/* Value and Greeks of the book at t0 at the legs' traded vols: sum of quantity * unit. */
typedef struct hs_book_greeks {
    double value, delta, gamma, vega, theta;
} hs_book_greeks;

hs_book_greeks hs_book_greeks_t0(const hs_scenario *sc, double vol_override);

#endif
