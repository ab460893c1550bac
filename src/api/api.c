/*
 * hs_sim: run a scenario with overrides and keep what the command would show
 * (include/hedgesim/hedgesim.h, docs/api.md).
 *
 * No new computation: this is the path of `hedgesim run --json` (src/cli/main.c) for a
 * single run on one process: hs_ini_read or hs_ini_parse_string, the overrides in order
 * (hs_ini_set_at), hs_scenario_build, hs_run, hs_report_build, hs_report_json printed
 * with JSON_INDENT(2) | JSON_REAL_PRECISION(17), so the text is byte for byte the
 * command's (timing fields aside) and the per-path arrays are hs_results' own.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "hedgesim/hedgesim.h"
#include "hs_version.h" /* HS_VERSION, from meson.build's project version */

struct hs_sim {
    hs_scenario *sc;
    hs_results *res;
    hs_report *rep;
    char *json, *table;
};

const char *hs_version(void)
{
    return HS_VERSION;
}

void hs_sim_opts_init(hs_sim_opts *opts)
{
    opts->paths = -1;
    opts->seed = -1;
    opts->threads = -1;
}

void hs_sim_free(hs_sim *sim)
{
    if (!sim)
        return;
    hs_report_free(sim->rep);
    hs_results_free(sim->res);
    hs_scenario_free(sim->sc);
    free(sim->json);
    free(sim->table);
    free(sim);
}

/* Apply one [simulation] option as the command does: "simulation.KEY=N", named
 * "--KEY" in messages (option is a string literal: origins outlive this call). */
static hs_status set_option(hs_ini *ini, const char *option, long long v, hs_error *err)
{
    if (v < 0)
        return HS_OK;
    char text[64];
    snprintf(text, sizeof text, "simulation.%s=%lld", option + 2, v);
    return hs_ini_set_at(ini, text, (hs_origin){option, 0}, err);
}

/* The table as text: hs_report_table into a memory stream. */
static char *table_text(const hs_report *rep)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp)
        return NULL;
    int bad = hs_report_table(rep, fp);
    if (fclose(fp) || bad) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Take ini (freed here whatever happens), override, build, run, report. */
static hs_status run_ini(hs_ini *ini, const char *const *sets, size_t n_sets,
                         const hs_sim_opts *opts, hs_sim **out, hs_error *err)
{
    hs_sim_opts o;
    hs_sim_opts_init(&o);
    if (opts)
        o = *opts;
    hs_origin origin = {"--set", 0};
    hs_status st = HS_OK;
    for (size_t i = 0; i < n_sets && !st; i++)
        st = sets[i] ? hs_ini_set_at(ini, sets[i], origin, err)
                     : hs_error_set(err, HS_EINPUT, "override %zu is NULL", i + 1);
    if (!st)
        st = set_option(ini, "--paths", o.paths, err);
    if (!st)
        st = set_option(ini, "--seed", o.seed, err);
    if (!st)
        st = set_option(ini, "--threads", o.threads, err);
    hs_scenario *sc = NULL;
    if (!st)
        st = hs_scenario_build(ini, &sc, err);
    hs_ini_free(ini);
    if (st)
        return st;
    if (sc->axis_key[0]) {
        st = hs_error_set(err, HS_EINPUT,
                          "%s:%d: [grid] %s = %s: a grid is several runs (expected one run: "
                          "override %s with one value at a time)",
                          sc->file, sc->axis_line, sc->axis_key, sc->axis_values, sc->axis_key);
        hs_scenario_free(sc);
        return st;
    }
    hs_sim *sim = calloc(1, sizeof *sim);
    if (!sim) {
        hs_scenario_free(sc);
        return hs_error_set(err, HS_ERUNTIME, "out of memory");
    }
    sim->sc = sc;
    hs_run_opts ro = {0};
    st = hs_run(sc, &ro, &sim->res, err);
    if (!st)
        st = hs_report_build(sc, sim->res, &sim->rep, err);
    if (!st) {
        json_t *js = hs_report_json(sim->rep);
        char *text = js ? json_dumps(js, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) : NULL;
        json_decref(js);
        size_t n = text ? strlen(text) : 0;
        sim->json = text ? malloc(n + 2) : NULL;
        if (sim->json) {
            memcpy(sim->json, text, n);
            memcpy(sim->json + n, "\n", 2); /* the command ends the text with a newline */
        }
        free(text);
        sim->table = table_text(sim->rep);
        if (!sim->json || !sim->table)
            st = hs_error_set(err, HS_ERUNTIME, "%s: cannot render the summary (out of memory)",
                              sc->file);
    }
    if (st) {
        hs_sim_free(sim);
        return st;
    }
    *out = sim;
    return HS_OK;
}

/* Library code never aborts: GSL's default handler would (the command turns it off in
 * main(); a program or an interpreter embedding the library may not have). */
static void gsl_quiet(void)
{
    gsl_set_error_handler_off();
}

hs_status hs_sim_run(const char *path, const char *const *sets, size_t n_sets,
                     const hs_sim_opts *opts, hs_sim **out, hs_error *err)
{
    *out = NULL;
    hs_error_clear(err);
    gsl_quiet();
    if (!path)
        return hs_error_set(err, HS_EINPUT, "no scenario file given");
    hs_ini *ini = NULL;
    hs_status st = hs_ini_read(path, &ini, err);
    return st ? st : run_ini(ini, sets, n_sets, opts, out, err);
}

hs_status hs_sim_run_string(const char *text, const char *file, const char *const *sets,
                            size_t n_sets, const hs_sim_opts *opts, hs_sim **out, hs_error *err)
{
    *out = NULL;
    hs_error_clear(err);
    gsl_quiet();
    if (!text)
        return hs_error_set(err, HS_EINPUT, "no scenario text given");
    hs_ini *ini = NULL;
    hs_status st = hs_ini_parse_string(text, file ? file : "<string>", &ini, err);
    return st ? st : run_ini(ini, sets, n_sets, opts, out, err);
}

const char *hs_sim_json(const hs_sim *sim)
{
    return sim->json;
}

const char *hs_sim_table_text(const hs_sim *sim)
{
    return sim->table;
}

size_t hs_sim_n_strategies(const hs_sim *sim)
{
    return sim->res->n_strategies;
}

const char *hs_sim_strategy_name(const hs_sim *sim, size_t i)
{
    return i < sim->sc->n_strategies ? sim->sc->strategies[i].name : NULL;
}

uint64_t hs_sim_paths(const hs_sim *sim)
{
    return sim->res->paths;
}

const double *hs_sim_pnl(const hs_sim *sim)
{
    return sim->res->pnl;
}

const double *hs_sim_hedge_error(const hs_sim *sim)
{
    return sim->res->hedge_error;
}

const double *hs_sim_cost(const hs_sim *sim)
{
    return sim->res->cost;
}

const double *hs_sim_carry(const hs_sim *sim)
{
    return sim->res->carry;
}

const float *hs_sim_trades(const hs_sim *sim)
{
    return sim->res->trades;
}

const hs_scenario *hs_sim_scenario(const hs_sim *sim)
{
    return sim->sc;
}

const hs_results *hs_sim_results(const hs_sim *sim)
{
    return sim->res;
}

const hs_report *hs_sim_report(const hs_sim *sim)
{
    return sim->rep;
}
