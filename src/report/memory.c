/*
 * The memory a run needs (memory.h): the engine's count (engine.c, which knows its own
 * allocations) plus the report's, counted from hs_report_build (report.c) and the
 * statistics it calls (stats/sample.c, stats/select.c, stats/tailboot.c, stats/order.c).
 * Under MPI every figure is this rank's.
 */
#include "hedgesim/memory.h"

#include <string.h>

#include "hedgesim/report.h"

/* The JSON summary of one strategy: about 120 numbers and names as jansson objects
 * (each value a small allocation with its hash-table slot), measured at ~12 KiB. */
enum { JSON_PER_STRATEGY = 16 * 1024 };

static size_t sat_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t sat_mul(size_t a, size_t b)
{
    return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

hs_memory hs_memory_estimate(const hs_scenario *sc, const hs_run_opts *opts)
{
    hs_memory m;
    memset(&m, 0, sizeof m);
    m.run = hs_run_memory_of(sc, opts);
    size_t n = sc->n_strategies;

    /* hs_report_build on the run's T threads (stats/sample.c, stats/order.c): up to
     * min(T, n) strategies at once on one process (one at a time under MPI, T threads
     * inside), each with the order-statistic keys of its paths (8 bytes a path), the
     * tail of its P&L twice (sent and received: 2 x 8 bytes for 1/16 of the paths) and
     * up to 16 histograms of 2^16 counts (8 MiB). */
    const hs_comm *comm = opts && opts->comm ? opts->comm : hs_comm_self();
    size_t t = m.run.threads > 1 && hs_comm_size(comm) == 1 ? (size_t)m.run.threads : 1;
    size_t wave = n < t ? n : t;
    size_t local = m.run.paths > SIZE_MAX ? SIZE_MAX : (size_t)m.run.paths;
    size_t per = sat_add(sat_mul(local, 2 * sizeof(double)), (size_t)8 << 20);
    m.report_scratch = sat_mul(per, wave ? wave : 1);
    /* build_pairs: all pairs up to HS_PAIRS_ALL strategies, else each with the next;
     * build_convergence: one fit per strategy at most. */
    size_t pairs = n <= HS_PAIRS_ALL ? n * (n ? n - 1 : 0) / 2 : n - 1;
    m.report = sizeof(hs_report) + pairs * sizeof(hs_pair) + (n ? n : 1) * sizeof(hs_convergence);
    m.other = sizeof(hs_scenario) + n * JSON_PER_STRATEGY;

    m.kept = sat_add(sat_add(m.run.results, m.run.trace), sat_add(m.report, m.other));
    m.transient = m.run.workspaces > m.report_scratch ? m.run.workspaces : m.report_scratch;
    m.total = sat_add(m.kept, m.transient);

    /* paths.csv: per row the grid columns (a key and a %.17g value, when a grid), the
     * strategy's name, path and step, and HS_TR_FIELDS numbers of up to 24 characters
     * (%.17g: sign, 17 digits, point, exponent) with their commas; ~20 is typical. */
    double per_row_names = 0;
    if (m.run.trace_rows)
        for (size_t s = 0; s < n; s++)
            per_row_names += (double)strlen(sc->strategies[s].name) / (double)n;
    m.paths_csv = (double)m.run.trace_rows * (per_row_names + 12.0 + 30.0 + HS_TR_FIELDS * 21.0);
    return m;
}
