/*
 * The memory a run needs, estimated before it starts (issue 10: a run that cannot fit
 * is refused up front instead of failing after minutes, or being killed).
 *
 * A run of the hedgesim command holds, per grid value, until its outputs are written:
 *   the engine's results, 36 bytes per path and strategy (pnl, hedge_error, cost and
 *   carry doubles, trades as a float), and the trace (HS_TR_FIELDS doubles per trace
 *   row), from hs_run_memory_of (engine.h);  the report (hs_report, its pairs and
 *   convergence fits), the scenario and an allowance for the JSON summary;
 * and, one phase at a time, freed afterwards:
 *   hs_run's thread workspaces and block sums, or hs_report_build's statistics scratch:
 *   two copies of a strategy's P&L (16 bytes per path) plus the radix sort's keys and
 *   buffer (16 bytes per path, stats/sort.c); the bootstrap after it needs less (two
 *   4-byte counters per path, src/stats/experiment.c).
 * The estimate counts what is allocated, whether or not the pages are touched (cost and
 * carry are calloc'ed and stay untouched zero pages for a strategy without them), so
 * it is an upper bound of the resident size up to the C library's overheads; the unit
 * test (tests/hedging/test_memory.c) holds it to the hand count within 5%.
 */
#ifndef HEDGESIM_MEMORY_H
#define HEDGESIM_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include "hedgesim/engine.h"
#include "hedgesim/scenario.h"

typedef struct hs_memory {
    hs_run_memory run;     /* the engine's part */
    size_t report;         /* hs_report with its pairs and fits, kept */
    size_t report_scratch; /* peak scratch of hs_report_build, freed when it returns */
    size_t other;          /* the scenario and the JSON summary's allowance, kept */
    size_t kept;           /* run.results + run.trace + report + other */
    size_t transient;      /* max(run.workspaces, report_scratch) */
    size_t total;          /* kept + transient: the peak of one run */
    double paths_csv;      /* bytes of the run's rows of paths.csv (about) */
} hs_memory;

/* The estimate for one run of sc with opts (sums saturate at SIZE_MAX). */
hs_memory hs_memory_estimate(const hs_scenario *sc, const hs_run_opts *opts);

#endif
