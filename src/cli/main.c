/*
 * The hedgesim command: a thin shell over libhedgesim (DESIGN.md section 4).
 *
 *   hedgesim run SCENARIO [--paths N] [--seed S] [--threads T] [--set k=v]... [--out DIR]
 *                         [--json] [--quiet]
 *   hedgesim validate SCENARIO [--set k=v]...
 *   hedgesim list
 *
 * Exit codes: 0 ok, 2 bad input or usage (one line naming file, line, key, value and
 * what was expected), 1 runtime or numerical failure.  Only this file prints.
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

#define MAX_SETS 256

static const char usage[] =
    "usage:\n"
    "  hedgesim run SCENARIO [--paths N] [--seed S] [--threads T] [--set section.key=value]...\n"
    "                        [--out DIR] [--json] [--quiet]\n"
    "  hedgesim validate SCENARIO [--set section.key=value]...\n"
    "  hedgesim list\n";

typedef struct cli {
    const char *command, *scenario, *out_dir;
    const char *sets[MAX_SETS + 3];
    size_t n_sets;
    char own[3][64]; /* --paths/--seed/--threads rewritten as overrides */
    int json, quiet, threads;
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
                    !strcmp(a, "--set") || !strcmp(a, "--out");
        if (takes && !val)
            return usage_error("option %s needs a value", a);
        if (!strcmp(a, "--json"))
            c->json = 1;
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q"))
            c->quiet = 1;
        else if (!strcmp(a, "--out"))
            c->out_dir = argv[++i];
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
        printf("      %-10s %-16s %-14s %s (%s)\n", p[i].key, range, def, p[i].help, p[i].unit);
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
    printf("costs ([strategy.*] keys):\n");
    printf("  %-16s %s\n", "cost", "proportional cost, one-way fraction of traded notional");
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

static int write_csv(FILE *fp, const void *user)
{
    return hs_report_csv((const hs_report *)user, fp);
}

static hs_status make_dir(const char *dir, hs_error *err)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *s = buf + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return hs_error_set(err, HS_EINPUT, "--out %s: cannot create %s: %s", dir, buf,
                                strerror(errno));
        *s = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return hs_error_set(err, HS_EINPUT, "--out %s: cannot create directory: %s", dir,
                            strerror(errno));
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return hs_error_set(err, HS_EINPUT, "--out %s: not a directory", dir);
    return HS_OK;
}

static int cmd_run(cli *c, int validate_only)
{
    hs_error err;
    hs_error_clear(&err);
    hs_scenario *sc = NULL;
    if (hs_scenario_load(c->scenario, c->sets, c->n_sets, &sc, &err))
        return fail(&err);
    if (validate_only) {
        printf("%s: ok: %s, model %s, %zu leg%s, %zu strateg%s, %llu paths x %zu steps\n",
               c->scenario, sc->name, sc->model->name, sc->n_legs, sc->n_legs == 1 ? "" : "s",
               sc->n_strategies, sc->n_strategies == 1 ? "y" : "ies",
               (unsigned long long)sc->paths, sc->grid.steps);
        hs_scenario_free(sc);
        return 0;
    }
    if (c->out_dir && make_dir(c->out_dir, &err)) {
        hs_scenario_free(sc);
        return fail(&err);
    }
    progress prog = {wall(), 0};
    hs_run_opts opts = {c->threads, NULL, NULL};
    if (!c->quiet && isatty(STDERR_FILENO)) {
        opts.progress = show_progress;
        opts.progress_user = &prog;
    }
    hs_results *res = NULL;
    hs_status st = hs_run(sc, &opts, &res, &err);
    if (opts.progress)
        fprintf(stderr, "\r%60s\r", "");
    hs_report *rep = NULL;
    if (!st)
        st = hs_report_build(sc, res, &rep, &err);
    json_t *js = NULL;
    if (!st && (c->json || c->out_dir)) {
        js = hs_report_json(rep);
        if (!js)
            st = hs_error_set(&err, HS_ERUNTIME, "cannot build the JSON summary");
    }
    if (!st && c->out_dir) {
        char path[1100];
        snprintf(path, sizeof path, "%s/summary.json", c->out_dir);
        st = hs_write_atomic(path, write_json, js, &err);
        snprintf(path, sizeof path, "%s/summary.csv", c->out_dir);
        if (!st)
            st = hs_write_atomic(path, write_csv, rep, &err);
    }
    if (!st) {
        if (c->json)
            write_json(stdout, js);
        else
            hs_report_table(rep, stdout);
        if (c->out_dir && !c->json)
            printf("wrote %s/summary.json and %s/summary.csv\n", c->out_dir, c->out_dir);
    }
    json_decref(js);
    hs_report_free(rep);
    hs_results_free(res);
    hs_scenario_free(sc);
    return st ? fail(&err) : 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    cli c;
    int rc = parse_args(argc, argv, &c);
    if (rc)
        return rc;
    if (!strcmp(c.command, "list"))
        return cmd_list();
    return cmd_run(&c, !strcmp(c.command, "validate"));
}
