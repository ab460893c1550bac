/*
 * hedgesim.h: the umbrella header of libhedgesim, and its simplest use, hs_sim: run a
 * scenario (a file, or INI text held in memory) with overrides and read the results as
 * the command gives them: the JSON summary of `hedgesim run --json`, the terminal table,
 * and the per-path arrays (P&L, hedging error, costs, carry, trades), strategies x paths.
 *
 *   hs_sim_opts o;  hs_sim_opts_init(&o);  o.paths = 100000;  o.seed = 42;
 *   const char *sets[] = {"model.sigma=0.3"};
 *   hs_sim *s;  hs_error err;
 *   if (hs_sim_run("scenarios/x.ini", sets, 1, &o, &s, &err)) { puts(err.msg); ... }
 *   fputs(hs_sim_table_text(s), stdout);
 *   const double *pnl = hs_sim_pnl(s);   // pnl[i * hs_sim_paths(s) + p]
 *   hs_sim_free(s);
 *
 * The parts below (scenario.h, engine.h, report.h, ...) are the library's own layers;
 * docs/api.md says which are stable, who frees what, and what is thread-safe.
 */
#ifndef HEDGESIM_HEDGESIM_H
#define HEDGESIM_HEDGESIM_H

#include <stddef.h>
#include <stdint.h>

#include "hedgesim/error.h"
#include "hedgesim/scenario.h"
#include "hedgesim/engine.h"
#include "hedgesim/report.h"
#include "hedgesim/instrument.h"
#include "hedgesim/model.h"
#include "hedgesim/strategy.h"
#include "hedgesim/stats.h"

/* The library's version, "MAJOR.MINOR.PATCH" (the command's and hedgesim.pc's). */
const char *hs_version(void);

/* Overrides of [simulation] that the command takes as --paths, --seed and --threads.
 * A negative value keeps the scenario's.  They are applied after the `sets`, and
 * messages name them as the command does: "--paths", "--seed", "--threads" (the sets
 * are "--set"), so a message reads the same from C, Python and the command line. */
typedef struct hs_sim_opts {
    long long paths; /* [simulation] paths, 2 to 1e9 */
    long long seed;  /* [simulation] seed, 0 to 2^53 */
    int threads;     /* [simulation] threads, 0 = all cores */
} hs_sim_opts;

/* Every field to "keep the scenario's". */
void hs_sim_opts_init(hs_sim_opts *opts);

/* A finished run: its scenario, results and report, the JSON text and the table. */
typedef struct hs_sim hs_sim;

/* Load the scenario file at path, apply the overrides "section.key=value" (as --set),
 * simulate on this process (no MPI) and build the report.  HS_EINPUT with the one-line
 * message of the command (file:line, key, value, what was expected) for bad input,
 * HS_ERUNTIME for a failure while running.  A scenario with a [grid] section is
 * refused (HS_EINPUT): run one value at a time with an override of the grid's key.
 * On success *out is freed with hs_sim_free; on failure *out is NULL.  opts may be NULL. */
hs_status hs_sim_run(const char *path, const char *const *sets, size_t n_sets,
                     const hs_sim_opts *opts, hs_sim **out, hs_error *err);

/* The same from INI text held in memory; `file` names it in messages and is where
 * relative data files resolve from. */
hs_status hs_sim_run_string(const char *text, const char *file, const char *const *sets,
                            size_t n_sets, const hs_sim_opts *opts, hs_sim **out, hs_error *err);

void hs_sim_free(hs_sim *sim); /* NULL is a no-op */

/* The JSON summary, the text `hedgesim run --json` prints (docs/outputs.md), and the
 * terminal table `hedgesim run` prints.  Owned by sim, valid until hs_sim_free. */
const char *hs_sim_json(const hs_sim *sim);
const char *hs_sim_table_text(const hs_sim *sim);

/* Strategies (after sweeps are expanded) and their names, as in the JSON. */
size_t hs_sim_n_strategies(const hs_sim *sim);
const char *hs_sim_strategy_name(const hs_sim *sim, size_t i);
uint64_t hs_sim_paths(const hs_sim *sim);

/* Per-path results, strategy-major: x[i * paths + p] is strategy i on path p (path p of
 * the seed is the same path for every strategy).  Money at maturity in time-T money;
 * trades are whole numbers.  Owned by sim, valid until hs_sim_free. */
const double *hs_sim_pnl(const hs_sim *sim);
const double *hs_sim_hedge_error(const hs_sim *sim);
const double *hs_sim_cost(const hs_sim *sim);
const double *hs_sim_carry(const hs_sim *sim);
const float *hs_sim_trades(const hs_sim *sim);

/* The layers underneath, for what the accessors above do not give. */
const hs_scenario *hs_sim_scenario(const hs_sim *sim);
const hs_results *hs_sim_results(const hs_sim *sim);
const hs_report *hs_sim_report(const hs_sim *sim);

#endif
