/*
 * The hedgesim command: a thin shell over libhedgesim (docs/architecture.md).
 *
 *   hedgesim run SCENARIO [--paths N] [--seed S] [--threads T] [--set k=v]... [--out DIR]
 *                         [--json] [--quiet] [--max-memory SIZE]   (options: args.c)
 *   hedgesim validate SCENARIO [--set k=v]...
 *   hedgesim list                    the registries (list.c)
 *   hedgesim plot DIR [--quiet]      figures of a run directory (plot.c)
 *   hedgesim report DIR              one HTML page of a run directory (html.c)
 *
 * Exit codes: 0 ok, 2 bad input or usage (one line naming file, line, key, value and
 * what was expected), 1 runtime or numerical failure.  Only this file prints.
 * (plot.c and html.c, the plot and report commands, print their own messages.)
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hedgesim/engine.h"
#include "hedgesim/instrument.h"
#include "hedgesim/report.h"
#include "hedgesim/hmc.h"
#include "hedgesim/memory.h"
#include "hedgesim/scenario.h"
#include "args.h"
#include "calibrate.h"
#include "html.h"
#include "list.h"
#include "memlimit.h"
#include "outset.h"
#include "plot.h"
#include "ranks.h"
#include "rundir.h"

/* The command line (args.h); cmd_run below reads it as `cli`. */
typedef hs_cli_args cli;
_Static_assert(HS_CLI_GRID_MAX <= 64, "cmd_run keeps the runs of a grid in arrays of 64");

/* Print the error (rank 0 only, under MPI) and give its exit code. */
static int fail(hs_error *err)
{
    if (hs_cli_speaks())
        fprintf(stderr, "hedgesim: %s\n", err->msg);
    return err->status == HS_OK ? 1 : (int)err->status;
}

/* A failure while checking the scenario, agreed among the ranks (ranks.c): every rank
 * makes this call or hs_cli_agree(HS_OK) once, and all exit with the first failure. */
static int fail_agreed(hs_error *err)
{
    hs_cli_agree(err->status == HS_OK ? HS_ERUNTIME : err->status, err);
    return fail(err);
}

/* Progress on stderr, at most ten times a second, only on a terminal. */
typedef struct progress {
    double start, last;
} progress;

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void show_progress(void *user, uint64_t done, uint64_t total)
{
    progress *p = user;
    /* Under MPI, the other ranks' paths too (the counts they posted so far). */
    done += hs_comm_progress_poll(hs_cli_world());
    if (done > total)
        done = total;
    double t = wall();
    if (t - p->last < 0.1 && done < total)
        return;
    p->last = t;
    double rate = (double)done / (t - p->start + 1e-9);
    double left = rate > 0 ? (double)(total - done) / rate : 0;
    fprintf(stderr, "\r  %3.0f%%  %llu/%llu paths  %.3g paths/s  %.0f s left   ",
            100.0 * (double)done / (double)total, (unsigned long long)done,
            (unsigned long long)total, rate, left);
}

/* Ranks other than 0 post their progress to rank 0 (comm.h). */
static void post_progress(void *user, uint64_t done, uint64_t total)
{
    (void)user, (void)total;
    hs_comm_progress_post(hs_cli_world(), done);
}

static int write_json(FILE *fp, const void *user)
{
    return json_dumpf((const json_t *)user, fp, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) ||
           fputc('\n', fp) == EOF;
}

/* The runs of one invocation (several for a grid), for the file writers. */
typedef struct runs {
    size_t n;
    hs_report *rep[64];
    int (*header)(FILE *fp);
    int (*rows)(const hs_report *rep, FILE *fp);
} runs;

static int write_rows(FILE *fp, const void *user)
{
    const runs *r = user;
    /* With [risk], pnl.csv has the horizon columns (report/horizon.c). */
    if (r->header == hs_pnl_csv_header && r->rep[0]->res->n_horizons
            ? hs_pnl_csv_header_risk(r->rep[0], fp)
            : r->header(fp))
        return -1;
    for (size_t i = 0; i < r->n; i++) {
        if (r->rows(r->rep[i], fp))
            return -1;
        /* Under MPI, pnl.csv continues with the other ranks' rows of this run. */
        if (r->rows == hs_pnl_csv_rows && hs_comm_size(hs_cli_world()) > 1 &&
            hs_cli_pnl_receive(fp))
            return -1;
    }
    return 0;
}

/* Load the scenario with the overrides, the grid's (index grid, or -1) replaced by the
 * single value "key=value" in one.  A value of the file's [grid] names that line in
 * messages, a value of --set names --set, --paths/--seed/--threads name the option. */
static hs_status load_value(const cli *c, int grid, const char *one, hs_scenario **sc,
                            hs_error *err)
{
    const char **sets = malloc((c->n_sets + 1) * sizeof *sets);
    if (!sets)
        return hs_error_set(err, HS_ERUNTIME, "out of memory");
    for (size_t i = 0; i < c->n_sets; i++)
        sets[i] = c->sets[i];
    if (grid >= 0)
        sets[grid] = one;
    hs_status st = hs_scenario_load_at(c->scenario, sets, c->origins, c->n_sets, sc, err);
    free((void *)sets);
    return st;
}

/* Paths traced in a run of sc: --trace N, else 3 with --out, but never more than
 * HS_TRACE_ROWS_MAX rows: a default trace of a scenario with very many steps or
 * strategies traces fewer paths (maybe none) instead of being refused. */
static size_t trace_paths_for(const cli *c, const hs_scenario *sc)
{
    if (c->trace >= 0)
        return (size_t)c->trace;
    size_t want = c->out_dir ? 3 : 0;
    uint64_t per_path = hs_trace_rows(sc, 1);
    if (per_path && want > HS_TRACE_ROWS_MAX / per_path)
        want = (size_t)(HS_TRACE_ROWS_MAX / per_path);
    return want;
}

/* A min_variance strategy whose training set alone exceeds --max-memory or the available
 * memory is refused before the run, naming its train_paths (the whole run's estimate,
 * training included, is checked by check_memory). */
static hs_status check_training(const cli *c, const hs_scenario *sc, hs_error *err)
{
    const char *source = "--max-memory";
    size_t limit = 0;
    for (size_t s = 0; s < sc->n_strategies; s++) {
        const hs_strategy *st = &sc->strategies[s];
        size_t bytes = hs_min_variance_train_bytes(st, &sc->grid, sc->n_legs);
        if (!bytes)
            continue;
        if (!limit)
            limit = c->max_memory ? c->max_memory : hs_cli_memory_available(&source);
        if (bytes <= limit)
            continue;
        size_t j = hs_min_variance_train_paths_param();
        char where[512], need[32], have[32];
        return hs_error_set(err, HS_EINPUT,
                            "%s: [%s] train_paths = %.0f: the training set needs ~%s (%.0f paths "
                            "x the trading dates and the regression), more than %s (%s); "
                            "expected fewer train_paths or a larger --max-memory SIZE",
                            hs_origin_str(st->ratio_origin[j], where, sizeof where), st->section,
                            st->ratio_par[j], hs_cli_bytes_str((double)bytes, need, sizeof need),
                            st->ratio_par[j], hs_cli_bytes_str((double)limit, have, sizeof have),
                            c->max_memory ? "--max-memory" : source);
    }
    return HS_OK;
}

/* Check the trace and estimate the memory of one run of sc before anything starts.
 * An explicit --trace longer than HS_TRACE_ROWS_MAX rows is refused, naming --trace. */
static hs_status check_run(const cli *c, const hs_scenario *sc, hs_memory *m, hs_error *err)
{
    /* Under MPI the estimate is this rank's: its share of the paths. */
    hs_run_opts opts = {.trace_paths = trace_paths_for(c, sc), .comm = hs_cli_world()};
    *m = hs_memory_estimate(sc, &opts);
    hs_status ts = check_training(c, sc, err);
    if (ts)
        return ts;
    if (m->run.trace_rows > HS_TRACE_ROWS_MAX) {
        char mem[32], csv[32];
        uint64_t per_path = hs_trace_rows(sc, 1);
        size_t fit = (size_t)(HS_TRACE_ROWS_MAX / per_path);
        char hint[96];
        if (fit)
            snprintf(hint, sizeof hint, "expected --trace %zu or less for this scenario", fit);
        else
            snprintf(hint, sizeof hint, "this scenario's steps allow no trace: drop --trace");
        return hs_error_set(
            err, HS_EINPUT,
            "--trace %lld: %zu traced paths x %zu strateg%s x %zu steps + 1 = "
            "%llu trace rows (~%s in memory, ~%s of paths.csv), more than the "
            "limit of %d rows (%s)",
            c->trace, m->run.trace_paths, sc->n_strategies, sc->n_strategies == 1 ? "y" : "ies",
            sc->grid.steps, (unsigned long long)m->run.trace_rows,
            hs_cli_bytes_str((double)m->run.trace, mem, sizeof mem),
            hs_cli_bytes_str(m->paths_csv, csv, sizeof csv), HS_TRACE_ROWS_MAX, hint);
    }
    return HS_OK;
}

/* A default trace (3 paths with --out) that HS_TRACE_ROWS_MAX cut says so, once. */
static void note_trace(const cli *c, const hs_scenario *sc, const hs_memory *m, int *noted)
{
    if (*noted || c->trace >= 0 || !c->out_dir || c->quiet || c->json || m->run.trace_paths >= 3 ||
        m->run.trace_paths >= sc->paths)
        return;
    *noted = 1;
    fprintf(stderr,
            "hedgesim: note: paths.csv traces %zu paths, not 3: %zu strateg%s x %zu steps + 1 "
            "allow no more within %d trace rows\n",
            m->run.trace_paths, sc->n_strategies, sc->n_strategies == 1 ? "y" : "ies",
            sc->grid.steps, HS_TRACE_ROWS_MAX);
}

/* Refuse a run (all of a grid's runs: their results are kept until the files are
 * written) whose estimate exceeds --max-memory or the machine's available memory;
 * the message details the biggest run (paths x n_strat). */
static hs_status check_memory(const cli *c, uint64_t paths, size_t n_strat, size_t kept,
                              size_t transient, const hs_memory *biggest, size_t n_runs,
                              hs_error *err)
{
    size_t total = kept > SIZE_MAX - transient ? SIZE_MAX : kept + transient;
    const char *source = "--max-memory";
    size_t limit = c->max_memory ? c->max_memory : hs_cli_memory_available(&source);
    if (total <= limit)
        return HS_OK;
    char need[32], have[32], res[32], trace[32], scratch[32], runs[48] = "";
    if (n_runs > 1)
        snprintf(runs, sizeof runs, " for its %zu grid runs", n_runs);
    return hs_error_set(err, HS_EINPUT,
                        "%s: needs ~%s of memory%s (%llu paths x %zu strateg%s: results ~%s, "
                        "trace ~%s, workspace and statistics ~%s), more than %s (%s); expected "
                        "fewer paths, strategies%s, or a larger --max-memory SIZE",
                        c->scenario, hs_cli_bytes_str((double)total, need, sizeof need), runs,
                        (unsigned long long)paths, n_strat, n_strat == 1 ? "y" : "ies",
                        hs_cli_bytes_str((double)biggest->run.results, res, sizeof res),
                        hs_cli_bytes_str((double)biggest->run.trace, trace, sizeof trace),
                        hs_cli_bytes_str((double)biggest->transient, scratch, sizeof scratch),
                        hs_cli_bytes_str((double)limit, have, sizeof have),
                        c->max_memory ? "--max-memory" : source,
                        n_runs > 1 ? " or grid values" : "");
}

/* Run the scenario (loaded as by load_value unless given) and build its report. */
static hs_status run_one(cli *c, int grid, const char *one, hs_scenario **sc, hs_results **res,
                         hs_report **rep, hs_error *err)
{
    hs_status st = *sc ? HS_OK : load_value(c, grid, one, sc, err);
    if (st)
        return st;
    progress prog = {wall(), 0};
    hs_run_opts opts = {.trace_paths = trace_paths_for(c, *sc), .comm = hs_cli_world()};
    int shown = !c->quiet && hs_cli_speaks() && isatty(STDERR_FILENO);
    if (shown) {
        opts.progress = show_progress;
        opts.progress_user = &prog;
    } else if (!hs_cli_speaks()) {
        opts.progress = post_progress; /* rank 0 counts this rank's paths too */
    }
    st = hs_run(*sc, &opts, res, err);
    hs_comm_progress_end(hs_cli_world());
    if (shown)
        fprintf(stderr, "\r%60s\r", "");
    if (!st)
        st = hs_report_build(*sc, *res, rep, err);
    return st;
}

/* plot.c and html.c take a run directory of at most this many characters
 * (hs_cli_check_run_dir); --plot and --report draw in the staging directory. */
#define RUN_DIR_MAX 2047

/* The line plot.c prints (it runs quiet on the staging directory), for DIR/plots. */
static void print_figures(const char *dir)
{
    size_t size = strlen(dir) + 64;
    char *png = malloc(size);
    int n = 0;
    for (int f = 0; png && f < HS_N_FIGURES; f++) {
        struct stat st;
        snprintf(png, size, "%s/plots/%s.png", dir, hs_cli_figures[f]);
        if (stat(png, &st) != 0)
            continue;
        if (!n++)
            printf("wrote %s/plots/{", dir);
        else
            putchar(',');
        fputs(hs_cli_figures[f], stdout);
    }
    if (n)
        printf("}.{png,svg}\n");
    free(png);
}

/* The files of the run into the staging directory of the output set (outset.h). */
static hs_status write_files(const cli *c, const hs_outset *set, runs *r, json_t *js, hs_error *err)
{
    struct {
        const char *name;
        int (*header)(FILE *);
        int (*rows)(const hs_report *, FILE *);
        int on;
    } files[] = {
        {"summary.json", NULL, NULL, 1},
        {"summary.csv", hs_report_csv_header, hs_report_csv_rows, 1},
        {"pairs.csv", hs_pairs_csv_header, hs_pairs_csv_rows, 1},
        {"convergence.csv", hs_convergence_csv_header, hs_convergence_csv_rows, 1},
        {"pnl.csv", hs_pnl_csv_header, hs_pnl_csv_rows, c->pnl},
        {"paths.csv", hs_paths_csv_header, hs_paths_csv_rows, r->rep[0]->res->trace_paths > 0},
        {"horizons.csv", hs_horizons_csv_header, hs_horizons_csv_rows, r->rep[0]->res->n_horizons > 0},
    };
    hs_status st = HS_OK;
    for (size_t i = 0; i < sizeof files / sizeof files[0] && !st; i++) {
        if (!files[i].on)
            continue;
        char *path = hs_outset_path(set, files[i].name);
        if (!path)
            return hs_error_set(err, HS_ERUNTIME, "--out %s: out of memory", c->out_dir);
        r->header = files[i].header;
        r->rows = files[i].rows;
        st = files[i].header ? hs_write_atomic(path, write_rows, r, err)
                             : hs_write_atomic(path, write_json, js, err);
        free(path);
    }
    return st;
}

static int cmd_run(cli *c, int validate_only)
{
    hs_error err;
    hs_error_clear(&err);
    int grid = hs_cli_find_grid(c, &err);
    if (grid == -2)
        return fail_agreed(&err);
    /* Check the scenario (every grid value), its trace and the memory of all its runs
     * before anything is created on disk. */
    hs_scenario *preloaded = NULL;
    {
        hs_scenario *sc = NULL;
        if (grid < 0) {
            if (load_value(c, -1, NULL, &sc, &err))
                return fail_agreed(&err);
            if (sc->axis_key[0]) {
                /* The file's [grid]: one more override, checked value by value below. */
                if (hs_cli_add_axis(c, sc->axis_key, sc->axis_values, sc->axis_line, &err)) {
                    hs_scenario_free(sc);
                    return fail_agreed(&err);
                }
                grid = (int)c->n_sets - 1;
            }
        }
        hs_memory m, biggest;
        memset(&biggest, 0, sizeof biggest);
        size_t kept = 0, transient = 0, n_runs = 1, big_strat = 0;
        uint64_t big_paths = 0;
        int noted = 0;
        if (grid >= 0) {
            /* Check every value of the grid. */
            if (hs_cli_grid_split(c, grid, &err)) {
                hs_scenario_free(sc);
                return fail_agreed(&err);
            }
            n_runs = c->n_values;
            for (size_t g = 0; g < c->n_values; g++) {
                hs_scenario_free(sc);
                sc = NULL;
                if (load_value(c, grid, c->grid_ones[g], &sc, &err) || check_run(c, sc, &m, &err)) {
                    hs_scenario_free(sc);
                    return fail_agreed(&err);
                }
                kept = kept > SIZE_MAX - m.kept ? SIZE_MAX : kept + m.kept;
                if (m.transient > transient)
                    transient = m.transient;
                if (!g || m.total > biggest.total) {
                    biggest = m;
                    big_paths = sc->paths;
                    big_strat = sc->n_strategies;
                }
                note_trace(c, sc, &m, &noted);
            }
        } else {
            if (check_run(c, sc, &m, &err)) {
                hs_scenario_free(sc);
                return fail_agreed(&err);
            }
            kept = m.kept;
            transient = m.transient;
            biggest = m;
            big_paths = sc->paths;
            big_strat = sc->n_strategies;
            note_trace(c, sc, &m, &noted);
        }
        if (check_memory(c, big_paths, big_strat, kept, transient, &biggest, n_runs, &err)) {
            hs_scenario_free(sc);
            return fail_agreed(&err);
        }
        if (hs_cli_agree(HS_OK, &err)) {
            hs_scenario_free(sc);
            return fail(&err);
        }
        if (validate_only) {
            if (!hs_cli_speaks()) {
                hs_scenario_free(sc);
                return 0;
            }
            char need[32];
            size_t total = kept > SIZE_MAX - transient ? SIZE_MAX : kept + transient;
            printf("%s: ok: %s, model %s, %zu leg%s, %zu strateg%s, %llu paths x %zu steps, "
                   "~%s of memory%s",
                   c->scenario, sc->name, sc->model->name, sc->n_legs, sc->n_legs == 1 ? "" : "s",
                   sc->n_strategies, sc->n_strategies == 1 ? "y" : "ies",
                   (unsigned long long)sc->paths, sc->grid.steps,
                   hs_cli_bytes_str((double)total, need, sizeof need),
                   hs_comm_size(hs_cli_world()) > 1 ? " per rank" : "");
            if (grid >= 0) {
                const char *eq = strchr(c->sets[grid], '=');
                printf(", grid %.*s = %s", (int)(eq - c->sets[grid]), c->sets[grid], eq + 1);
            }
            printf("\n");
            hs_scenario_free(sc);
            return 0;
        }
        if (grid < 0)
            preloaded = sc; /* a single run uses the scenario just checked */
        else
            hs_scenario_free(sc);
    }
    /* The output set is staged beside --out DIR, and DIR checked, before the simulation:
     * an unwritable or foreign DIR is refused now (exit 2), not after the runs. */
    hs_outset *set = NULL;
    {
        /* Only rank 0 writes: it opens the set (printing any problem), and the ranks
         * agree on the outcome before the simulation. */
        int orc = 0;
        if (c->out_dir && hs_cli_speaks())
            orc = hs_outset_open(c->out_dir, c->plot || c->report ? RUN_DIR_MAX : 0,
                                 c->plot ? "--plot" : "--report", &set);
        hs_error oe;
        hs_error_clear(&oe);
        int agreed = (int)hs_cli_agree((hs_status)orc, &oe);
        if (agreed) {
            hs_scenario_free(preloaded);
            return agreed;
        }
    }

    /* One run, or one per grid value (split and checked above, HS_CLI_GRID_MAX at most). */
    const char *key = c->grid_key, *const *values = (const char *const *)c->grid_values;
    size_t n_values = grid >= 0 ? c->n_values : 1;
    hs_scenario *scs[64] = {preloaded};
    hs_results *ress[64] = {NULL};
    runs r = {0};
    hs_status st = HS_OK;
    for (size_t g = 0; g < n_values && !st; g++) {
        st = run_one(c, grid, grid >= 0 ? c->grid_ones[g] : NULL, &scs[g], &ress[g], &r.rep[g],
                     &err);
        if (st)
            hs_cli_abort_run(st, &err); /* under MPI: the job ends here */
        if (r.rep[g]) {
            r.n = g + 1;
            if (grid >= 0) {
                r.rep[g]->grid_key = key;
                r.rep[g]->grid_value = strtod(values[g], NULL);
            }
        }
    }
    /* Ranks other than 0 only send their pnl.csv rows; rank 0 does the rest. */
    if (!hs_cli_speaks()) {
        int rc = 0;
        if (!st && c->out_dir && c->pnl)
            for (size_t g = 0; g < r.n && !rc; g++)
                rc = hs_cli_pnl_send(r.rep[g]);
        for (size_t g = 0; g < 64; g++) {
            hs_report_free(g < r.n ? r.rep[g] : NULL);
            hs_results_free(ress[g]);
            hs_scenario_free(scs[g]);
        }
        return rc ? 1 : 0;
    }
    json_t *js = NULL;
    if (!st && (c->json || c->out_dir)) {
        if (grid < 0) {
            js = hs_report_json(r.rep[0]);
        } else {
            js = json_object();
            json_t *gj = json_object(), *gv = json_array(), *rj = json_array();
            json_object_set_new(gj, "key", json_string(key));
            for (size_t g = 0; g < r.n; g++) {
                json_array_append_new(gv, json_real(r.rep[g]->grid_value));
                json_array_append_new(rj, hs_report_json(r.rep[g]));
            }
            json_object_set_new(gj, "values", gv);
            json_object_set_new(js, "grid", gj);
            json_object_set_new(js, "runs", rj);
        }
        if (!js)
            st = hs_error_set(&err, HS_ERUNTIME, "cannot build the JSON summary");
    }
    if (!st && c->out_dir)
        st = write_files(c, set, &r, js, &err);
    if (st && set)
        hs_outset_abort(set), set = NULL;
    if (st)
        hs_cli_abort_run(st, &err); /* other ranks may wait to send pnl.csv */
    /* Figures and the HTML page are drawn from the new set before it is committed
     * (plot.c, html.c print their problems; a missing gnuplot is a note, not a failure).
     * Any failure leaves DIR as it was: exit 0 if and only if the new set is in place. */
    int extra = 0;
    if (!st && c->plot)
        extra = hs_cli_plot(hs_outset_dir(set), 1);
    if (!st && !extra && c->report)
        extra = hs_cli_report_as(hs_outset_dir(set), c->out_dir);
    if (set) {
        if (st || extra) {
            hs_outset_abort(set);
            if (extra)
                fprintf(stderr,
                        "hedgesim: --out %s: left as it was (the figures or the page "
                        "of the new set could not be made)\n",
                        c->out_dir);
        } else {
            extra = hs_outset_commit(set);
        }
    }
    if (!st) {
        if (c->json) {
            write_json(stdout, js);
        } else {
            for (size_t g = 0; g < r.n; g++) {
                if (grid >= 0)
                    printf("%s== grid %s = %s ==\n", g ? "\n" : "", key, values[g]);
                hs_report_table(r.rep[g], stdout);
            }
        }
    }
    /* One rule for the "wrote" lines: all of them, unless --quiet or --json (stdout is
     * then only the results). */
    if (!st && !extra && c->out_dir && !c->json && !c->quiet) {
        printf("wrote %s/summary.json, summary.csv, pairs.csv, convergence.csv%s%s\n", c->out_dir,
               c->pnl ? ", pnl.csv" : "", r.rep[0]->res->trace_paths ? ", paths.csv" : "");
        if (r.rep[0]->res->n_horizons)
            printf("wrote %s/horizons.csv\n", c->out_dir);
        if (c->plot)
            print_figures(c->out_dir);
        if (c->report)
            printf("wrote %s/report.html\n", c->out_dir);
    }
    json_decref(js);
    for (size_t g = 0; g < 64; g++) {
        hs_report_free(g < r.n ? r.rep[g] : NULL);
        hs_results_free(ress[g]);
        hs_scenario_free(scs[g]);
    }
    return st ? fail(&err) : extra;
}

int main(int argc, char **argv)
{
    /* The statistics allocate and free buffers of up to some MiB many times (a 512 KiB
     * histogram per order-statistics pass): from glibc's default mmap they came back as
     * fresh pages each time, about 400 page faults of a Derman-Kamal run's 1,500.  Below
     * 64 MiB they now come from the heap, which keeps up to 256 MiB of freed memory for
     * reuse; larger arrays (the results of big runs) are still mapped and unmapped. */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    gsl_set_error_handler_off();
    if (argc >= 2 && (!strcmp(argv[1], "plot") || !strcmp(argv[1], "report")))
        return hs_cli_dir_command(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "calibrate"))
        return hs_cli_calibrate(argc, argv);
    /* MPI starts here when a launcher started this process (ranks.c). */
    hs_error err;
    hs_error_clear(&err);
    hs_status wst = hs_cli_world_init(&argc, &argv, &err);
    if (wst) {
        fprintf(stderr, "hedgesim: %s\n", err.msg);
        return (int)wst;
    }
    cli c;
    int rc = hs_cli_parse_args(argc, argv, &c);
    if (!rc)
        rc = !strcmp(c.command, "list") ? hs_cli_list()
                                        : cmd_run(&c, !strcmp(c.command, "validate"));
    hs_cli_args_free(&c);
    hs_cli_world_end();
    return rc;
}
