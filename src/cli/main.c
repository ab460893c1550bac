/*
 * The hedgesim command: a thin shell over libhedgesim (docs/architecture.md).
 *
 *   hedgesim run SCENARIO [--paths N] [--seed S] [--threads T] [--set k=v]... [--out DIR]
 *                         [--json] [--quiet]
 *   hedgesim validate SCENARIO [--set k=v]...
 *   hedgesim list
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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hedgesim/engine.h"
#include "hedgesim/instrument.h"
#include "hedgesim/report.h"
#include "hedgesim/scenario.h"
#include "calibrate.h"
#include "html.h"
#include "outset.h"
#include "plot.h"
#include "rundir.h"

#define MAX_SETS 256

static const char usage[] =
    "usage:\n"
    "  hedgesim run SCENARIO [--paths N] [--seed S] [--threads T] [--set section.key=value]...\n"
    "                        [--out DIR] [--pnl] [--trace N] [--plot] [--report] [--json]\n"
    "                        [--quiet]\n"
    "  hedgesim validate SCENARIO [--set section.key=value]...\n"
    "  hedgesim plot DIR [--quiet]\n"
    "  hedgesim report DIR\n"
    "  hedgesim calibrate garch FILE.csv --column NAME [--returns] [--dist normal|t] [--json]\n"
    "  hedgesim list\n";

typedef struct cli {
    const char *command, *scenario, *out_dir;
    const char *sets[MAX_SETS + 4];
    size_t n_sets;
    char own[3][64]; /* --paths/--seed/--threads rewritten as overrides */
    /* The scenario's [grid] section as one more override "key=v1,v2,..." (when no
     * list-valued --set replaces it), and its line for messages (0: none). */
    char axis[HS_INI_SECTION_LEN + HS_INI_KEY_LEN + HS_INI_VALUE_LEN + 2];
    int axis_line;
    int json, quiet, threads, pnl, plot, report;
    long long trace; /* --trace N; -1 = default (3 with --out) */
} cli;

static int fail(hs_error *err)
{
    fprintf(stderr, "hedgesim: %s\n", err->msg);
    return err->status == HS_OK ? 1 : (int)err->status;
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "hedgesim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    return 2;
}

/* A whole non-negative number for an option, or -1. */
static long long option_number(const char *text)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    return (end == text || *end || errno || v < 0) ? -1 : v;
}

static int parse_args(int argc, char **argv, cli *c)
{
    memset(c, 0, sizeof *c);
    c->trace = -1;
    if (argc < 2)
        return usage_error("missing command (expected run, validate or list)%s", "");
    c->command = argv[1];
    if (!strcmp(c->command, "-h") || !strcmp(c->command, "--help") || !strcmp(c->command, "help")) {
        fputs(usage, stdout);
        exit(0);
    }
    if (strcmp(c->command, "run") && strcmp(c->command, "validate") && strcmp(c->command, "list"))
        return usage_error("unknown command '%s' (expected run, validate or list)", c->command);
    int own = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = !strcmp(a, "--paths") || !strcmp(a, "--seed") || !strcmp(a, "--threads") ||
                    !strcmp(a, "--set") || !strcmp(a, "--out") || !strcmp(a, "--trace");
        if (takes && !val)
            return usage_error("option %s needs a value", a);
        if (!strcmp(a, "--json"))
            c->json = 1;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q"))
            c->quiet = 1;
        else if (!strcmp(a, "--out"))
            c->out_dir = argv[++i];
        else if (!strcmp(a, "--pnl"))
            c->pnl = 1;
        else if (!strcmp(a, "--plot"))
            c->plot = 1;
        else if (!strcmp(a, "--report"))
            c->report = 1;
        else if (!strcmp(a, "--trace")) {
            c->trace = option_number(val);
            if (c->trace < 0 || c->trace > HS_TRACE_MAX)
                return usage_error("--trace expects a number of paths in [0, 64], not '%s'", val);
            i++;
        }
        else if (!strcmp(a, "--set")) {
            if (c->n_sets >= MAX_SETS)
                return usage_error("too many --set options (at most %s)", "256");
            c->sets[c->n_sets++] = argv[++i];
        } else if (!strcmp(a, "--paths") || !strcmp(a, "--seed") || !strcmp(a, "--threads")) {
            /* Rewritten as overrides so the scenario validator checks the range. */
            if (option_number(val) < 0)
                return usage_error("%s expects a whole number >= 0", a);
            snprintf(c->own[own], sizeof c->own[own], "simulation.%s=%s", a + 2, val);
            c->sets[c->n_sets++] = c->own[own++];
            if (!strcmp(a, "--threads"))
                c->threads = (int)option_number(val);
            i++;
        } else if (a[0] == '-')
            return usage_error("unknown option '%s'", a);
        else if (!c->scenario)
            c->scenario = a;
        else
            return usage_error("unexpected argument '%s' (one scenario file at a time)", a);
    }
    if (strcmp(c->command, "list") && !c->scenario)
        return usage_error("%s needs a scenario file", c->command);
    if ((c->plot || c->report || c->pnl || c->trace > 0) && !c->out_dir)
        return usage_error("%s needs --out DIR (the files it reads and writes live there)",
                           c->plot ? "--plot" : c->report ? "--report" : c->pnl ? "--pnl" : "--trace");
    return 0;
}

static void print_params(const hs_param *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char range[96] = "";
        if (p[i].kind == HS_PARAM_REAL || p[i].kind == HS_PARAM_INT)
            hs_param_range_str(&p[i], range, sizeof range);
        char def[48] = "";
        if (p[i].flags & HS_PARAM_REQUIRED)
            snprintf(def, sizeof def, "required");
        else if (p[i].flags & HS_PARAM_DERIVED)
            snprintf(def, sizeof def, "derived");
        else if (p[i].kind == HS_PARAM_REAL || p[i].kind == HS_PARAM_INT)
            snprintf(def, sizeof def, "default %g", p[i].def);
        if (p[i].kind == HS_PARAM_NAME && p[i].choices)
            snprintf(range, sizeof range, "%s", p[i].choices);
        else if (p[i].kind == HS_PARAM_LIST)
            snprintf(range, sizeof range, "list");
        else if (p[i].kind == HS_PARAM_TEXT)
            snprintf(range, sizeof range, "text");
        printf("      %-16s %-16s %-14s %s (%s)\n", p[i].key, range, def, p[i].help, p[i].unit);
    }
}

static int cmd_list(void)
{
    printf("models ([model] type):\n");
    for (const hs_model_type *const *t = hs_model_types(); *t; t++) {
        printf("  %-16s %s\n", (*t)->name, (*t)->help);
        print_params((*t)->params, (*t)->n_params);
    }
    printf("rebalancing rules ([strategy.*] rebalance):\n");
    for (const hs_rule_type *const *t = hs_rule_types(); *t; t++) {
        printf("  %-16s %s\n", (*t)->name, (*t)->help);
        print_params((*t)->params, (*t)->n_params);
    }
    printf("hedge ratios ([strategy.*] ratio):\n");
    for (const hs_ratio_type *const *t = hs_ratio_types(); *t; t++) {
        printf("  %-16s %s\n", (*t)->name, (*t)->help);
        print_params((*t)->params, (*t)->n_params);
    }
    printf("hedge vol, frictions and carry (keys of every [strategy.*]):\n");
    size_t n_common;
    const hs_param *common = hs_strategy_common_params(&n_common);
    print_params(common, n_common);
    printf("stress overlays ([stress.*] type):\n");
    for (const hs_stress_type *const *t = hs_stress_types(); *t; t++) {
        printf("  %-16s %s\n", (*t)->name, (*t)->help);
        print_params((*t)->params, (*t)->n_params);
    }
    printf("instruments ([option] type):\n");
    for (const hs_instrument_type *const *t = hs_instrument_types(); *t; t++)
        printf("  %-16s %s\n", (*t)->name, (*t)->help);
    return 0;
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
    if (r->header(fp))
        return -1;
    for (size_t i = 0; i < r->n; i++)
        if (r->rows(r->rep[i], fp))
            return -1;
    return 0;
}

/* A grid: the one --set outside [strategy.*] whose value is a list.  Returns its index
 * in c->sets, -1 when there is none, -2 (with a message) when there are several. */
static int find_grid(const cli *c, hs_error *err)
{
    int found = -1;
    for (size_t i = 0; i < c->n_sets; i++) {
        const char *eq = strchr(c->sets[i], '=');
        if (!eq || !strchr(eq, ',') || !strncmp(c->sets[i], "strategy.", 9))
            continue;
        if (found >= 0) {
            hs_error_set(err, HS_EINPUT, "--set %s: a second grid after --set %s (expected one "
                         "list-valued --set outside [strategy.*]: grids have one axis)",
                         c->sets[i], c->sets[found]);
            return -2;
        }
        found = (int)i;
    }
    return found;
}

/* Load the scenario with the overrides, the grid's (index grid, or -1) replaced by the
 * single value "key=value" in one.  A value of the file's [grid] names that line in
 * messages, a value of --set names --set. */
static hs_status load_value(const cli *c, int grid, const char *one, hs_scenario **sc,
                            hs_error *err)
{
    const char *sets[MAX_SETS + 4];
    hs_origin origins[MAX_SETS + 4];
    for (size_t i = 0; i < c->n_sets; i++) {
        sets[i] = c->sets[i];
        origins[i] = (hs_origin){"--set", 0};
    }
    if (grid >= 0) {
        sets[grid] = one;
        if (c->axis_line > 0 && c->sets[grid] == c->axis)
            origins[grid] = (hs_origin){c->scenario, c->axis_line};
    }
    return hs_scenario_load_at(c->scenario, sets, origins, c->n_sets, sc, err);
}

/* Run the scenario (loaded as by load_value unless given) and build its report. */
static hs_status run_one(cli *c, int grid, const char *one, hs_scenario **sc, hs_results **res,
                         hs_report **rep, hs_error *err)
{
    hs_status st = *sc ? HS_OK : load_value(c, grid, one, sc, err);
    if (st)
        return st;
    progress prog = {wall(), 0};
    hs_run_opts opts = {.threads = c->threads};
    opts.trace_paths = c->trace >= 0 ? (size_t)c->trace : c->out_dir ? 3 : 0;
    if (!c->quiet && isatty(STDERR_FILENO)) {
        opts.progress = show_progress;
        opts.progress_user = &prog;
    }
    st = hs_run(*sc, &opts, res, err);
    if (opts.progress)
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
static hs_status write_files(const cli *c, const hs_outset *set, runs *r, json_t *js,
                             hs_error *err)
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
    int grid = find_grid(c, &err);
    if (grid == -2)
        return fail(&err);
    /* Check the scenario (every grid value) before anything is created on disk. */
    hs_scenario *preloaded = NULL;
    {
        hs_scenario *sc = NULL;
        if (grid < 0) {
            if (load_value(c, -1, NULL, &sc, &err))
                return fail(&err);
            if (sc->axis_key[0]) {
                /* The file's [grid]: one more override, checked value by value below. */
                snprintf(c->axis, sizeof c->axis, "%s=%s", sc->axis_key, sc->axis_values);
                c->axis_line = sc->axis_line;
                c->sets[c->n_sets] = c->axis;
                grid = (int)c->n_sets++;
            }
        }
        if (grid >= 0) {
            /* Check every value of the grid. */
            char one[512], key[256];
            const char *eq = strchr(c->sets[grid], '=');
            snprintf(key, sizeof key, "%.*s", (int)(eq - c->sets[grid]), c->sets[grid]);
            char vals[512];
            snprintf(vals, sizeof vals, "%s", eq + 1);
            for (char *save = NULL, *v = strtok_r(vals, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
                hs_scenario_free(sc);
                sc = NULL;
                snprintf(one, sizeof one, "%s=%s", key, v);
                if (load_value(c, grid, one, &sc, &err))
                    return fail(&err);
            }
        }
        if (validate_only) {
            printf("%s: ok: %s, model %s, %zu leg%s, %zu strateg%s, %llu paths x %zu steps",
                   c->scenario, sc->name, sc->model->name, sc->n_legs, sc->n_legs == 1 ? "" : "s",
                   sc->n_strategies, sc->n_strategies == 1 ? "y" : "ies",
                   (unsigned long long)sc->paths, sc->grid.steps);
            if (grid >= 0) {
                const char *eq = strchr(c->sets[grid], '=');
                printf(", grid %.*s = %s", (int)(eq - c->sets[grid]), c->sets[grid], eq + 1);
            }
            printf("\n");
        }
        if (validate_only) {
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
    if (c->out_dir) {
        int orc = hs_outset_open(c->out_dir, c->plot || c->report ? RUN_DIR_MAX : 0,
                                 c->plot ? "--plot" : "--report", &set);
        if (orc) {
            hs_scenario_free(preloaded);
            return orc;
        }
    }

    /* One run, or one per grid value. */
    char key[256] = "", vals[1024] = "";
    const char *values[64];
    size_t n_values = 1;
    values[0] = NULL;
    if (grid >= 0) {
        const char *eq = strchr(c->sets[grid], '=');
        snprintf(key, sizeof key, "%.*s", (int)(eq - c->sets[grid]), c->sets[grid]);
        snprintf(vals, sizeof vals, "%s", eq + 1);
        n_values = 0;
        for (char *save = NULL, *v = strtok_r(vals, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
            if (n_values == 64) {
                hs_error_set(&err, HS_EINPUT, "--set %s: more than 64 grid values", c->sets[grid]);
                return fail(&err);
            }
            while (*v == ' ')
                v++;
            values[n_values++] = v;
        }
    }
    hs_scenario *scs[64] = {preloaded};
    hs_results *ress[64] = {NULL};
    runs r = {0};
    hs_status st = HS_OK;
    char ones[64][512];
    for (size_t g = 0; g < n_values && !st; g++) {
        if (grid >= 0)
            snprintf(ones[g], sizeof ones[g], "%s=%s", key, values[g]);
        st = run_one(c, grid, ones[g], &scs[g], &ress[g], &r.rep[g], &err);
        if (r.rep[g]) {
            r.n = g + 1;
            if (grid >= 0) {
                r.rep[g]->grid_key = key;
                r.rep[g]->grid_value = strtod(values[g], NULL);
            }
        }
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
    if (!st && !extra && c->out_dir && !c->json) {
        printf("wrote %s/summary.json, summary.csv, pairs.csv, convergence.csv%s%s\n", c->out_dir,
               c->pnl ? ", pnl.csv" : "", r.rep[0]->res->trace_paths ? ", paths.csv" : "");
        if (c->plot && !c->quiet)
            print_figures(c->out_dir);
        if (c->report && !c->quiet)
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
    gsl_set_error_handler_off();
    if (argc >= 2 && (!strcmp(argv[1], "plot") || !strcmp(argv[1], "report")))
        return hs_cli_dir_command(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "calibrate"))
        return hs_cli_calibrate(argc, argv);
    cli c;
    int rc = parse_args(argc, argv, &c);
    if (rc)
        return rc;
    if (!strcmp(c.command, "list"))
        return cmd_list();
    return cmd_run(&c, !strcmp(c.command, "validate"));
}
