/*
 * Tests of the memory estimate (engine.h hs_run_memory_of, memory.h hs_memory_estimate)
 * and the trace bound (HS_TRACE_ROWS_MAX):
 *
 *  - the estimate of a known scenario matches the hand count below within 5%;
 *  - what hs_run and hs_report_build really leave allocated (glibc's mallinfo2, one
 *    thread) matches the estimate's kept part within 5%;
 *  - estimates of huge runs are huge (no wrapped product), and hs_run refuses a trace
 *    over HS_TRACE_ROWS_MAX rows with HS_EINPUT before allocating it.
 *
 * Hand count for the scenario below (100 000 paths, 2 strategies, 84 steps, one
 * thread, 3 traced paths):
 *   results   2 x 100 000 x (4 doubles + 1 float = 36 bytes)        = 7 200 000
 *   trace     2 strategies x 3 paths x 85 rows x 9 fields x 8 bytes  =    36 720
 *   workspace 256 lanes x 8 bytes x (4 + 4 + 6 + 9 x 2 = 32 arrays)  =    65 536
 *             + 391 blocks x 2 strategies x 32 bytes of sums         =    25 024
 *             + 256 generators, the time grid and the engine's plan (tables sized for
 *               HS_MAX_STRATEGIES strategies: ~140 KB)                 <   262 144
 *   report    scratch: 100 000 x (key + tail share = 16) + 8 MiB      = 9 988 608
 *             (the order-statistic keys of one sample, its tail sent and received,
 *             16 histograms of 2^16 counts)
 *   report    hs_report 120 992 + 1 pair x 64 + 2 fits x 2 744      =   126 544
 *   other     hs_scenario 449 688 + JSON 2 x 16 KiB                  =   482 456
 *             (struct sizes of x86-64 with gcc 12; the tables are sized for 256
 *             strategies, so they hardly change with a scenario)
 *   kept      results + trace + report + other                       = 7 845 720
 *   total     kept + max(workspace, report scratch)                  = 17 834 328
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <malloc.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "hedgesim/engine.h"
#include "hedgesim/memory.h"
#include "hedgesim/report.h"
#include "hedgesim/scenario.h"

static const char *text = "[simulation]\npaths = 100000\nseed = 42\nsteps = 84\nthreads = 1\n"
                          "[market]\nspot = 100\nrate = 0.05\n"
                          "[model]\ntype = gbm\nsigma = 0.2\n"
                          "[option]\ntype = call\nstrike = 100\nmaturity = 0.25\nquantity = -1\n"
                          "[strategy.hedge]\nhedges = 21, 84\n";

static hs_scenario *load(const char *const *sets, size_t n_sets)
{
    hs_error err;
    hs_scenario *sc = NULL;
    cr_assert_eq(hs_scenario_load_string(text, "memory.ini", sets, n_sets, &sc, &err), HS_OK, "%s",
                 err.msg);
    return sc;
}

static void within(double got, double want, double rel, const char *what)
{
    cr_assert(fabs(got - want) <= rel * want, "%s: %.0f, expected %.0f within %.0f%%", what, got,
              want, 100 * rel);
}

Test(memory, estimate_matches_the_hand_count)
{
    hs_scenario *sc = load(NULL, 0);
    hs_run_opts opts = {.threads = 1, .trace_paths = 3};
    hs_run_memory r = hs_run_memory_of(sc, &opts);
    within((double)r.results, 7200000, 0.001, "results");
    cr_assert_eq(r.trace_paths, 3);
    cr_assert_eq(r.trace_rows, 2 * 3 * 85);
    cr_assert_eq(r.trace, 36720);
    cr_assert_eq(r.threads, 1);
    cr_assert(r.workspaces >= 65536 + 25024 && r.workspaces <= 65536 + 25024 + 262144,
              "workspaces: %zu", r.workspaces);
    hs_memory m = hs_memory_estimate(sc, &opts);
    cr_assert_eq(m.report_scratch, 9988608);
    within((double)m.kept, 7845720, 0.05, "kept");
    within((double)m.total, 17834328, 0.05, "total");
    cr_assert_eq(m.total, m.kept + m.transient);
    cr_assert_eq(hs_run_memory_bytes(sc, &opts), r.results + r.trace + r.workspaces);
    /* paths.csv: 510 rows of about 230 bytes. */
    within(m.paths_csv, 510 * 230.0, 0.25, "paths.csv");
    hs_scenario_free(sc);
}

/* Bytes in use by malloc: the main arena's and the mmapped chunks (one thread: all
 * of hs_run's allocations come from the main arena or mmap). */
static double in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (double)mi.uordblks + (double)mi.hblkhd;
}

Test(memory, estimate_matches_the_real_allocation)
{
#ifdef __SANITIZE_ADDRESS__
    /* AddressSanitizer replaces malloc, and mallinfo2 no longer sees it. */
    cr_skip_test("mallinfo2 does not count AddressSanitizer's allocations");
#endif
    hs_scenario *sc = load(NULL, 0);
    hs_run_opts opts = {.threads = 1, .trace_paths = 3};
    hs_memory m = hs_memory_estimate(sc, &opts);
    double before = in_use();
    hs_results *res = NULL;
    hs_error err;
    cr_assert_eq(hs_run(sc, &opts, &res, &err), HS_OK, "%s", err.msg);
    double after_run = in_use();
    within(after_run - before, (double)(m.run.results + m.run.trace), 0.05, "kept by hs_run");
    hs_report *rep = NULL;
    cr_assert_eq(hs_report_build(sc, res, &rep, &err), HS_OK, "%s", err.msg);
    /* The report keeps its structs; the estimate's "other" (scenario, JSON allowance)
     * is not allocated here, so compare the report part alone (within 5%). */
    within(in_use() - after_run, (double)m.report, 0.05, "kept by hs_report_build");
    hs_report_free(rep);
    hs_results_free(res);
    hs_scenario_free(sc);
}

Test(memory, huge_runs_do_not_wrap)
{
    const char *sets[] = {"simulation.paths=1e9", "strategy.hedge.hedges=1,2,3,4,6,7,12,14"};
    hs_scenario *sc = load(sets, 2);
    hs_run_opts opts = {.threads = 1};
    hs_memory m = hs_memory_estimate(sc, &opts);
    /* 8 strategies x 1e9 paths x 36 bytes, and the statistics' 16 bytes per path. */
    cr_assert_geq((double)m.run.results, 8 * 1e9 * 36);
    cr_assert_geq((double)m.total, 8 * 1e9 * 36 + 1e9 * 16);
    cr_assert_lt((double)m.total, 1.05 * (8 * 1e9 * 36 + 1e9 * 16));
    hs_scenario_free(sc);
}

Test(memory, long_traces_are_refused)
{
    const char *sets[] = {"simulation.steps=1000000", "strategy.hedge.hedges=1000000",
                          "simulation.paths=4"};
    hs_scenario *sc = load(sets, 3);
    cr_assert_eq(hs_trace_rows(sc, 1), 1000001);
    hs_run_opts opts = {.threads = 1, .trace_paths = 1};
    hs_results *res = NULL;
    hs_error err;
    cr_assert_eq(hs_run(sc, &opts, &res, &err), HS_EINPUT);
    cr_assert_null(res);
    cr_assert(strstr(err.msg, "1000001 rows") && strstr(err.msg, "more than 1000000"), "%s",
              err.msg);
    hs_scenario_free(sc);
}
