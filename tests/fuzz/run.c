/*
 * Fuzz harness: a scenario run end to end at a few paths (the path `hedgesim run` takes):
 * load with the overrides simulation.paths=64, run on one thread with a trace of three
 * paths, build the report, and render the JSON summary, every CSV file and the terminal
 * table (into /dev/null).  Scenarios whose steps x strategies would be slow are skipped.
 *
 * Input: a scenario file; its data files (bootstrap, replay) are found as data/NAME, a
 * link to scenarios/data/.  Properties: no crash, leak or undefined behaviour; a refusal
 * is HS_EINPUT with one line; a scenario that builds runs and reports (a failure there,
 * HS_ERUNTIME, is the "correct runs that fail" class of issue 10); every number of the
 * JSON summary is finite (jansson has no NaN: the report writes null instead).
 */
#include "fuzz.h"

#include <jansson.h>

#include "hedgesim/engine.h"
#include "hedgesim/report.h"
#include "hedgesim/scenario.h"

#ifndef HS_SOURCE_ROOT
#error "HS_SOURCE_ROOT must name the source tree (for scenarios/data)"
#endif

#define MAX_LANE_STEPS 20000 /* steps x strategies above this are skipped */

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hs_fuzz_link_data();
    devnull = fopen("/dev/null", "w");
    if (!devnull)
        abort();
    return 0;
}

/* Reals of the summary are finite (json_real refuses NaN; this guards the integers too). */
static void check_json(const json_t *j, const char *where)
{
    size_t i;
    const char *key;
    json_t *v;
    if (json_is_object(j)) {
        json_object_foreach((json_t *)j, key, v) check_json(v, key);
    } else if (json_is_array(j)) {
        json_array_foreach((json_t *)j, i, v) check_json(v, where);
    } else if (json_is_real(j)) {
        double x = json_real_value(j);
        HS_FUZZ_CHECK(x == x && x - x == 0, "JSON %s is not finite", where);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!devnull)
        LLVMFuzzerInitialize(NULL, NULL);
    char path[512];
    hs_fuzz_write("run.ini", data, size, path, sizeof path);
    const char *sets[] = {"simulation.paths=64"};
    hs_scenario *sc = NULL;
    hs_error err;
    hs_error_clear(&err);
    hs_status st = hs_scenario_load(path, sets, 1, &sc, &err);
    if (st) {
        HS_FUZZ_CHECK(st == HS_EINPUT, "load refused with status %d: %s", (int)st, err.msg);
        hs_fuzz_check_message("load", err.msg);
        return 0;
    }
    if (sc->steps > MAX_LANE_STEPS || sc->steps * sc->n_strategies > MAX_LANE_STEPS) {
        hs_scenario_free(sc);
        return 0;
    }
    hs_run_opts opts = {.threads = 1, .trace_paths = 3};
    hs_results *res = NULL;
    st = hs_run(sc, &opts, &res, &err);
    if (st) {
        /* A scenario the builder accepted must run, or be refused as input. */
        HS_FUZZ_CHECK(st == HS_EINPUT, "run failed with status %d: %s", (int)st, err.msg);
        hs_fuzz_check_message("run", err.msg);
        hs_scenario_free(sc);
        return 0;
    }
    hs_report *rep = NULL;
    st = hs_report_build(sc, res, &rep, &err);
    HS_FUZZ_CHECK(st == HS_OK, "report failed with status %d: %s", (int)st, err.msg);

    json_t *js = hs_report_json(rep);
    HS_FUZZ_CHECK(js != NULL, "no JSON summary");
    check_json(js, "summary");
    HS_FUZZ_CHECK(json_dumpf(js, devnull, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) == 0,
                  "JSON summary not written");
    json_decref(js);

    int (*const headers[])(FILE *) = {hs_report_csv_header, hs_pairs_csv_header,
                                      hs_convergence_csv_header, hs_pnl_csv_header,
                                      hs_paths_csv_header, hs_horizons_csv_header};
    int (*const rows[])(const hs_report *, FILE *) = {hs_report_csv_rows, hs_pairs_csv_rows,
                                                      hs_convergence_csv_rows, hs_pnl_csv_rows,
                                                      hs_paths_csv_rows, hs_horizons_csv_rows};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        HS_FUZZ_CHECK(headers[i](devnull) == 0 && rows[i](rep, devnull) == 0, "CSV file %zu", i);
    HS_FUZZ_CHECK(hs_report_csv(rep, devnull) == 0, "CSV summary");
    HS_FUZZ_CHECK(hs_report_table(rep, devnull) == 0, "terminal table");

    hs_report_free(rep);
    hs_results_free(res);
    hs_scenario_free(sc);
    return 0;
}
