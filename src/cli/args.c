/*
 * The command line of run, validate and list (args.h).
 *
 * Every option may be repeated: the last --paths, --seed, --threads, --out, --trace or
 * --max-memory wins (the overrides are applied in command-line order, so a --paths
 * after a --set simulation.paths=... wins too, and the other way round).  --set may be
 * given any number of times (the scenario's limit of HS_INI_MAX_ENTRIES keys applies).
 */
#define _POSIX_C_SOURCE 200809L
#include "args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/engine.h"
#include "hedgesim/model.h"
#include "memlimit.h"

const char hs_cli_usage[] =
    "usage:\n"
    "  hedgesim run SCENARIO [--paths N] [--seed S] [--threads T] [--set section.key=value]...\n"
    "                        [--out DIR] [--pnl] [--trace N] [--plot] [--report] [--json]\n"
    "                        [--quiet] [--max-memory SIZE]\n"
    "  hedgesim validate SCENARIO [--paths N] [--seed S] [--threads T]\n"
    "                        [--set section.key=value]... [--max-memory SIZE]\n"
    "  hedgesim plot DIR [--quiet]\n"
    "  hedgesim report DIR [--quiet]\n"
    "  hedgesim calibrate garch FILE.csv --column NAME [--returns] [--dist normal|t] [--json]\n"
    "  hedgesim list\n"
    "A repeated option's last value wins.  SIZE: bytes, or a number with K, M, G or T\n"
    "(powers of 1024), e.g. 512M or 8G.\n";

#define COMMANDS "run, validate, list, plot, report or calibrate"

static const char *const option_names[] = {
    "--paths", "--seed",   "--threads", "--set",   "--out",        "--pnl", "--trace",
    "--plot",  "--report", "--json",    "--quiet", "--max-memory", NULL};

/* The [simulation] keys with an option of their own, and the words their messages use
 * for a value that is not a whole number.  The ranges mirror the scenario's table
 * (src/scenario/sections.c), which checks every value given as a number;
 * tests/cli/hostile_args.sh holds the two to the same ranges. */
static const struct {
    const char *option, *key, *range;
} own_options[] = {
    {"--paths", "paths", "2 to 1e9"},
    {"--seed", "seed", "0 to 2^53 = 9007199254740992"},
    {"--threads", "threads", "0 (all cores) to 1024"},
};

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "hedgesim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", hs_cli_usage);
    return 2;
}

/* A bad value of an option: one line, no usage (the option itself was understood). */
static int value_error(const char *option, const char *value, const char *expected)
{
    fprintf(stderr, "hedgesim: %s %s: expected %s\n", option, value, expected);
    return 2;
}

static char *own_string(hs_cli_args *c, size_t len)
{
    char *s = malloc(len);
    char **o = s ? realloc(c->owned, (c->n_owned + 1) * sizeof *o) : NULL;
    if (!o) {
        free(s);
        return NULL;
    }
    c->owned = o;
    c->owned[c->n_owned++] = s;
    return s;
}

static int add_set(hs_cli_args *c, const char *text, hs_origin origin, int from_set)
{
    if (c->n_sets == c->cap_sets) {
        size_t cap = c->cap_sets ? 2 * c->cap_sets : 16;
        const char **s = realloc(c->sets, cap * sizeof *s);
        if (s)
            c->sets = s;
        hs_origin *o = s ? realloc(c->origins, cap * sizeof *o) : NULL;
        if (o)
            c->origins = o;
        unsigned char *f = o ? realloc(c->from_set, cap) : NULL;
        if (!f)
            return -1;
        c->from_set = f;
        c->cap_sets = cap;
    }
    c->sets[c->n_sets] = text;
    c->origins[c->n_sets] = origin;
    c->from_set[c->n_sets] = (unsigned char)from_set;
    c->n_sets++;
    return 0;
}

/* --paths, --seed, --threads: a whole number in decimal digits, rewritten as the
 * override "simulation.KEY=N" with its leading zeros dropped (so "000...07" is 7 at
 * any length), which the scenario validator range-checks and reports as the option's.
 * A number above 2^53 exceeds every range (the largest is the seed's, 2^53) and is
 * refused here, before a double rounds it into range. */
static int own_option(hs_cli_args *c, size_t which, const char *val)
{
    const char *opt = own_options[which].option;
    char expected[160];
    snprintf(expected, sizeof expected, "a whole number (see [simulation] %s: %s)",
             own_options[which].key, own_options[which].range);
    size_t n = strlen(val);
    if (n == 0 || strspn(val, "0123456789") != n)
        return value_error(opt, val[0] ? val : "''", expected);
    while (val[0] == '0' && val[1])
        val++;
    /* Above 2^53 (more than 16 digits, or 16 greater than its digits) a double cannot
     * hold every whole number: 9007199254740993 would be read as ...992. */
    if (strlen(val) > 16 || (strlen(val) == 16 && strcmp(val, "9007199254740992") > 0)) {
        snprintf(expected, sizeof expected, "[simulation] %s in %s", own_options[which].key,
                 own_options[which].range);
        return value_error(opt, val, expected);
    }
    size_t len = strlen("simulation.") + strlen(own_options[which].key) + 1 + strlen(val) + 1;
    char *s = own_string(c, len);
    if (!s || add_set(c, s, (hs_origin){opt, 0}, 0))
        return usage_error("out of memory%s", "");
    snprintf(s, len, "simulation.%s=%s", own_options[which].key, val);
    return 0;
}

/* A whole non-negative number for --trace, or -1. */
static long long option_number(const char *text)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    return (end == text || *end || errno || v < 0) ? -1 : v;
}

int hs_cli_parse_args(int argc, char **argv, hs_cli_args *c)
{
    memset(c, 0, sizeof *c);
    c->trace = -1;
    c->grid = -1;
    if (argc < 2)
        return usage_error("missing command (expected " COMMANDS ")%s", "");
    c->command = argv[1];
    if (!strcmp(c->command, "-h") || !strcmp(c->command, "--help") || !strcmp(c->command, "help")) {
        fputs(hs_cli_usage, stdout);
        exit(0);
    }
    if (strcmp(c->command, "run") && strcmp(c->command, "validate") && strcmp(c->command, "list")) {
        static const char *const commands[] = {"run",    "validate",  "list", "plot",
                                               "report", "calibrate", NULL};
        const char *s = hs_name_suggest(commands, c->command);
        if (s) {
            fprintf(stderr,
                    "hedgesim: unknown command '%s' (did you mean '%s'? expected " COMMANDS ")\n%s",
                    c->command, s, hs_cli_usage);
            return 2;
        }
        return usage_error("unknown command '%s' (expected " COMMANDS ")", c->command);
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = !strcmp(a, "--paths") || !strcmp(a, "--seed") || !strcmp(a, "--threads") ||
                    !strcmp(a, "--set") || !strcmp(a, "--out") || !strcmp(a, "--trace") ||
                    !strcmp(a, "--max-memory");
        if (takes && !val)
            return usage_error("option %s needs a value", a);
        size_t own = 0;
        while (own < sizeof own_options / sizeof own_options[0] &&
               strcmp(a, own_options[own].option))
            own++;
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
                return value_error("--trace", val, "a number of paths to trace in [0, 64]");
            i++;
        } else if (!strcmp(a, "--max-memory")) {
            if (hs_cli_parse_size(val, &c->max_memory) || c->max_memory == 0)
                return value_error("--max-memory", val,
                                   "a size > 0: bytes, or a number with K, M, G or T "
                                   "(powers of 1024), e.g. 512M or 8G");
            i++;
        } else if (!strcmp(a, "--set")) {
            if (add_set(c, argv[++i], (hs_origin){"--set", 0}, 1))
                return usage_error("out of memory%s", "");
        } else if (own < sizeof own_options / sizeof own_options[0]) {
            int rc = own_option(c, own, val);
            if (rc)
                return rc;
            i++;
        } else if (a[0] == '-') {
            const char *s = hs_name_suggest(option_names, a);
            if (s) {
                fprintf(stderr, "hedgesim: unknown option '%s' (did you mean '%s'?)\n%s", a, s,
                        hs_cli_usage);
                return 2;
            }
            return usage_error("unknown option '%s'", a);
        } else if (!c->scenario)
            c->scenario = a;
        else
            return usage_error("unexpected argument '%s' (one scenario file at a time)", a);
    }
    if (strcmp(c->command, "list") && !c->scenario)
        return usage_error("%s needs a scenario file", c->command);
    if ((c->plot || c->report || c->pnl || c->trace > 0) && !c->out_dir)
        return usage_error("%s needs --out DIR (the files it reads and writes live there)",
                           c->plot     ? "--plot"
                           : c->report ? "--report"
                           : c->pnl    ? "--pnl"
                                       : "--trace");
    return 0;
}

void hs_cli_args_free(hs_cli_args *c)
{
    for (size_t i = 0; i < c->n_owned; i++)
        free(c->owned[i]);
    free(c->owned);
    free((void *)c->sets);
    free(c->origins);
    free(c->from_set);
    free(c->grid_values);
    free(c->grid_ones);
    memset(c, 0, sizeof *c);
}

/* Keys whose value is itself a list (risk.horizons, a model's LIST keys such as a
 * regime's vols or rates): a list given to them with --set is their value, not a grid. */
static int list_valued(const char *name, size_t len)
{
    if (len == 13 && !strncmp(name, "risk.horizons", 13))
        return 1;
    if (len <= 6 || strncmp(name, "model.", 6))
        return 0;
    const char *key = name + 6;
    size_t klen = len - 6;
    for (const hs_model_type *const *t = hs_model_types(); *t; t++)
        for (size_t j = 0; j < (*t)->n_params; j++) {
            const hs_param *p = &(*t)->params[j];
            if (p->kind == HS_PARAM_LIST && strlen(p->key) == klen && !strncmp(p->key, key, klen))
                return 1;
        }
    return 0;
}

int hs_cli_find_grid(const hs_cli_args *c, hs_error *err)
{
    int found = -1;
    for (size_t i = 0; i < c->n_sets; i++) {
        const char *s = c->sets[i];
        const char *eq = strchr(s, '=');
        /* A list in [strategy.*] is a sweep (strategies of one run), not a grid; a
         * leading '+' (a --set that may create the section) does not change that. */
        const char *name = s[0] == '+' ? s + 1 : s;
        if (!c->from_set[i] || !eq || !strchr(eq, ',') || !strncmp(name, "strategy.", 9) ||
            list_valued(name, (size_t)(eq - name)))
            continue;
        if (found >= 0) {
            hs_error_set(err, HS_EINPUT,
                         "--set %s: a second grid after --set %s (expected one list-valued "
                         "--set outside [strategy.*]: grids have one axis)",
                         s, c->sets[found]);
            return -2;
        }
        found = (int)i;
    }
    return found;
}

hs_status hs_cli_add_axis(hs_cli_args *c, const char *key, const char *values, int line,
                          hs_error *err)
{
    size_t len = strlen(key) + 1 + strlen(values) + 1;
    c->axis = own_string(c, len);
    if (!c->axis || add_set(c, c->axis, (hs_origin){c->scenario, line}, 0))
        return hs_error_set(err, HS_ERUNTIME, "out of memory");
    snprintf(c->axis, len, "%s=%s", key, values);
    c->axis_line = line;
    return HS_OK;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

hs_status hs_cli_grid_split(hs_cli_args *c, int grid, hs_error *err)
{
    const char *text = c->sets[grid];
    const char *eq = strchr(text, '=');
    char where[512];
    hs_origin_str(c->origins[grid], where, sizeof where);
    size_t klen = (size_t)(eq - text);
    /* One copy holds the key and the values, cut in place at the commas; the single
     * overrides "key=value" are allocated one by one (no length limit). */
    char *copy = own_string(c, strlen(text) + 1);
    if (!copy)
        return hs_error_set(err, HS_ERUNTIME, "out of memory");
    memcpy(copy, text, strlen(text) + 1);
    copy[klen] = '\0';
    c->grid_key = trim(copy);
    size_t n = 0;
    for (const char *p = eq + 1; *p;)
        if (*p++ == ',')
            n++;
    c->grid_values = calloc(n + 1, sizeof *c->grid_values);
    c->grid_ones = calloc(n + 1, sizeof *c->grid_ones);
    if (!c->grid_values || !c->grid_ones)
        return hs_error_set(err, HS_ERUNTIME, "out of memory");
    c->n_values = 0;
    for (char *save = NULL, *v = strtok_r(copy + klen + 1, ",", &save); v;
         v = strtok_r(NULL, ",", &save)) {
        v = trim(v);
        if (!*v)
            continue; /* "0.1, ,0.2": an empty item is no value, as ",," */
        c->grid_values[c->n_values++] = v;
    }
    if (c->n_values > HS_CLI_GRID_MAX)
        return hs_error_set(err, HS_EINPUT,
                            "%s: grid %s has %zu values, more than %d (expected at most %d "
                            "values: each run's results are kept until the files are written)",
                            where, c->grid_key, c->n_values, HS_CLI_GRID_MAX, HS_CLI_GRID_MAX);
    if (c->n_values == 0)
        return hs_error_set(err, HS_EINPUT, "%s: grid %s has no values (expected a list v1,v2,...)",
                            where, c->grid_key);
    for (size_t g = 0; g < c->n_values; g++) {
        size_t len = strlen(c->grid_key) + 1 + strlen(c->grid_values[g]) + 1;
        c->grid_ones[g] = own_string(c, len);
        if (!c->grid_ones[g])
            return hs_error_set(err, HS_ERUNTIME, "out of memory");
        snprintf(c->grid_ones[g], len, "%s=%s", c->grid_key, c->grid_values[g]);
    }
    c->grid = grid;
    return HS_OK;
}
