/*
 * Reports of a run: per-strategy statistics and their renderings (JSON summary, CSV,
 * terminal table), and atomic file output (docs/architecture.md).
 *
 * Conventions: P&L at maturity in time-T money; VaR and ES are losses reported as
 * positive numbers; derman_kamal_std = sqrt(pi/4) |vega| sigma / sqrt(N) for strategies
 * with a fixed number N of rebalances (Derman & Kamal 1999), with vega the book's at
 * the traded vols and sigma the model's.
 */
#ifndef HEDGESIM_REPORT_H
#define HEDGESIM_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "hedgesim/engine.h"
#include "hedgesim/experiment.h"
#include "hedgesim/scenario.h"
#include "hedgesim/stats.h"

/* Mean and standard deviation of a per-path quantity. */
typedef struct hs_mean_std {
    double mean, std;
} hs_mean_std;

typedef struct hs_strategy_report {
    const hs_strategy *strategy;
    hs_summary pnl, hedge_error;
    hs_mean_std cost, carry; /* the P&L attribution's per-path parts */
    hs_ci ci;                /* 95% intervals of the P&L's mean, std, VaR and ES */
    hs_strategy_means means;
    size_t hedges;           /* fixed rebalances per life, 0 if the rule has none */
    double derman_kamal_std; /* NaN when not applicable */
} hs_strategy_report;

/* Convergence of a group of interval strategies that differ only in `hedges`. */
typedef struct hs_convergence {
    char group[HS_NAME_LEN];
    size_t k;           /* points */
    size_t members[64]; /* strategy indices, by increasing hedges */
    double hedges[64], std[64], std_se[64], dk[64];
    hs_fit fit;
    double dk_ratio; /* mean of std / Derman-Kamal std over the points */
} hs_convergence;

/* Bootstrap resamples behind the VaR/ES intervals (hs_report_build). */
#define HS_BOOTSTRAP_RESAMPLES 200
/* All pairs are compared up to this many strategies; beyond, each with the next. */
#define HS_PAIRS_ALL 40

/* One strategy at one [risk] horizon (report/horizon.c): the P&L marked to market, its
 * intervals and the explain's per-path means and stds (risk.h's HS_EX_* terms). */
typedef struct hs_horizon_report {
    double time;
    size_t step;
    hs_summary pnl;
    hs_ci ci;
    hs_mean_std explain[HS_EX_TERMS];
} hs_horizon_report;

typedef struct hs_report {
    const hs_scenario *sc;
    const hs_results *res;
    hs_book_greeks option; /* the first leg, one unit held long, at its traded vol */
    hs_book_greeks book;   /* book greeks as held (signed by quantity) */
    double model_sigma;
    /* Values under the model itself (option.model_value: the first leg, one unit long;
     * book.model_value: the book as held; model_price.h); NaN where the model has no
     * price. */
    double option_model_value, book_model_value;
    size_t n;
    hs_strategy_report strategies[HS_MAX_STRATEGIES];
    size_t n_pairs;
    hs_pair *pairs;
    size_t n_conv;
    hs_convergence *conv;
    const char *grid_key; /* set by the caller for a grid run, else NULL */
    double grid_value;
    /* [risk] (NULL without): [horizon][strategy], and the drawdown summary per strategy
     * (NULL without drawdown = 1). */
    hs_horizon_report *horizons;
    hs_summary *drawdown;
} hs_report;

hs_status hs_report_build(const hs_scenario *sc, const hs_results *res, hs_report **out,
                          hs_error *err);
void hs_report_free(hs_report *rep);

/* The JSON summary (caller owns the reference). */
json_t *hs_report_json(const hs_report *rep);

/* Write the CSV summary (one row per strategy) and the terminal table to a stream. */
int hs_report_csv(const hs_report *rep, FILE *fp);

/* The CSV files of docs/outputs.md, header and rows apart so that the rows of several
 * runs (a grid) can share one file.  Each returns 0, or -1 on a stream error. */
int hs_report_csv_header(FILE *fp);
int hs_report_csv_rows(const hs_report *rep, FILE *fp);
int hs_pairs_csv_header(FILE *fp);
int hs_pairs_csv_rows(const hs_report *rep, FILE *fp);
int hs_convergence_csv_header(FILE *fp);
int hs_convergence_csv_rows(const hs_report *rep, FILE *fp);
int hs_pnl_csv_header(FILE *fp);
int hs_pnl_csv_rows(const hs_report *rep, FILE *fp);
/* The rows of the paths held here with local index in [p0, p1) (an MPI rank streams
 * its rows to rank 0 in such pieces). */
int hs_pnl_csv_rows_range(const hs_report *rep, FILE *fp, uint64_t p0, uint64_t p1);
int hs_paths_csv_header(FILE *fp);
int hs_paths_csv_rows(const hs_report *rep, FILE *fp);
int hs_report_table(const hs_report *rep, FILE *fp);

/* [risk] (report/horizon.c): statistics (called by hs_report_build, collective), the
 * JSON of strategy s's horizons and drawdown (added to its object), the table's
 * section, and horizons.csv (one row per grid value, strategy and horizon). */
hs_status hs_horizon_build(hs_report *rep, int threads, hs_error *err);
void hs_horizon_json(const hs_report *rep, size_t s, json_t *strategy);
/* The root's "risk" object: horizons, mark, drawdown, implied overlays. */
void hs_horizon_json_root(const hs_report *rep, json_t *root);
int hs_horizon_table(const hs_report *rep, FILE *fp);
int hs_horizons_csv_header(FILE *fp);
int hs_horizons_csv_rows(const hs_report *rep, FILE *fp);
/* pnl.csv with [risk]: the header with the horizon columns, and the columns of strategy
 * s on local path p (h1_pnl, h1_edge .. h1_residual, h1_spot, h1_state, then h2_...). */
int hs_pnl_csv_header_risk(const hs_report *rep, FILE *fp);
void hs_pnl_csv_horizon_cols(const hs_report *rep, FILE *fp, size_t s, uint64_t p);

/* Write a file atomically: write(fp, user) into "path.tmp.PID", then rename.  A failed
 * run never leaves a half-written file behind. */
hs_status hs_write_atomic(const char *path, int (*write)(FILE *fp, const void *user),
                          const void *user, hs_error *err);

#endif
