/*
 * `hedgesim calibrate garch FILE.csv --column NAME [--returns] [--dist normal|t]
 *  [--periods N] [--json]`: maximum-likelihood GARCH(1,1) (Bollerslev 1986) of a column
 * of a CSV file, printed as a table of estimates with standard errors and as a [model]
 * section ready to paste into a scenario (or as one JSON object with --json).
 *
 * The column holds prices, whose log returns r_t = ln(P_t / P_{t-1}) are fitted, or with
 * --returns the returns themselves.  The fit is per period of the series (garch.h); the
 * annualised volatility is sqrt(periods * omega / (1 - alpha - beta)) with --periods
 * periods a year (252 trading days by default).  The section is in per-period units too,
 * so a scenario using it should have one step per period (dt = 1/periods year).
 *
 * Exit codes as everywhere (docs/architecture.md): 2 for bad input or usage with one
 * line naming the file, option or value and what was expected; 1 for a numerical
 * failure, which includes a fit whose simplex did not converge (its estimates are still
 * printed, after a warning on stderr).
 *
 * Input that cannot be per-period log returns is refused under --returns (issue 10,
 * item 9): a column whose every value is above 1 looks like prices (a log return of 1
 * multiplies the price by e in one period), and any value with |r| >= 1 is named with
 * its line (returns in percent are the usual cause).  Whatever the data, the [model]
 * section is checked before anything is printed, the way `validate` would check it:
 * each value as printed against the garch parameter table (models/garch.c), then the
 * model's own checks (alpha + beta < 1, the unconditional variance); a fit that fails
 * them is exit 2 with the reason, and no section is printed.
 */
#define _POSIX_C_SOURCE 200809L
#include "calibrate.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/csv.h"
#include "hedgesim/garch.h"
#include "hedgesim/model.h"
#include "hedgesim/param.h"

#define SECTION_LEN 1024

static const char usage[] =
    "usage: hedgesim calibrate garch FILE.csv --column NAME [--returns] [--dist normal|t]\n"
    "                          [--periods N] [--json]\n";

typedef struct options {
    const char *model, *file, *column;
    int returns, json;
    hs_garch_dist dist;
    double periods;
} options;

/* One line on stderr, exit code 2. */
static int bad(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "hedgesim: calibrate: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 2;
}

static int parse(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->dist = HS_GARCH_NORMAL;
    o->periods = 252.0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = !strcmp(a, "--column") || !strcmp(a, "--dist") || !strcmp(a, "--periods");
        if (takes && !val)
            return bad("option %s needs a value%s", a, "");
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return -1;
        } else if (!strcmp(a, "--json"))
            o->json = 1;
        else if (!strcmp(a, "--returns"))
            o->returns = 1;
        else if (!strcmp(a, "--column")) {
            o->column = val;
            i++;
        } else if (!strcmp(a, "--dist")) {
            if (!strcmp(val, "normal"))
                o->dist = HS_GARCH_NORMAL;
            else if (!strcmp(val, "t"))
                o->dist = HS_GARCH_T;
            else
                return bad("--dist '%s' is not a known innovation law (expected normal or t)%s",
                           val, "");
            i++;
        } else if (!strcmp(a, "--periods")) {
            char *end;
            errno = 0;
            double v = strtod(val, &end);
            if (end == val || *end || errno || !isfinite(v) || !(v > 0) || v > 1e6)
                return bad("--periods '%s' is not a number of periods a year (expected a "
                           "number in (0, 1e6], e.g. 252 for daily data)%s",
                           val, "");
            o->periods = v;
            i++;
        } else if (a[0] == '-' && a[1])
            return bad("unknown option '%s' (expected --column, --returns, --dist, --periods "
                       "or --json)%s",
                       a, "");
        else if (!o->model)
            o->model = a;
        else if (!o->file)
            o->file = a;
        else
            return bad("unexpected argument '%s' (one model and one CSV file)%s", a, "");
    }
    if (!o->model)
        return bad("missing model (expected garch)%s%s", "", "");
    if (strcmp(o->model, "garch"))
        return bad("unknown model '%s' (expected garch)%s", o->model, "");
    if (!o->file)
        return bad("missing CSV file (expected hedgesim calibrate garch FILE.csv --column "
                   "NAME)%s%s",
                   "", "");
    if (!o->column)
        return bad("%s: --column NAME is required (the price column, or the return column "
                   "with --returns)%s",
                   o->file, "");
    return 0;
}

/* The series as returns: log returns of a price column, or the column itself. */
static int to_returns(const options *o, const hs_series *s, double **out, size_t *n)
{
    size_t m = o->returns ? s->n : s->n - 1;
    double *r = malloc((m ? m : 1) * sizeof *r);
    if (!r) {
        fprintf(stderr, "hedgesim: calibrate: out of memory\n");
        return 1;
    }
    if (o->returns) {
        /* Prices given as returns: every value above 1 (head of this file). */
        double lo = s->values[0];
        for (size_t t = 0; t < s->n; t++)
            lo = fmin(lo, s->values[t]);
        if (lo > 1.0) {
            fprintf(stderr,
                    "hedgesim: calibrate: %s: column %s looks like prices (min %g, all > 1), "
                    "not log returns (expected per-period log returns with |r| < 1); drop "
                    "--returns\n",
                    o->file, o->column, lo);
            free(r);
            return 2;
        }
        for (size_t t = 0; t < s->n; t++)
            if (!(fabs(s->values[t]) < 1.0)) {
                fprintf(stderr,
                        "hedgesim: calibrate: %s:%zu: column %s = %g is not a per-period log "
                        "return (expected |r| < 1, a move of less than a factor e; returns in "
                        "percent? divide them by 100; prices? drop --returns)\n",
                        o->file, s->lines[t], o->column, s->values[t]);
                free(r);
                return 2;
            }
        memcpy(r, s->values, m * sizeof *r);
    } else {
        for (size_t t = 0; t < s->n; t++)
            if (!(s->values[t] > 0)) {
                fprintf(stderr,
                        "hedgesim: calibrate: %s:%zu: column %s = %g is not a positive price "
                        "(expected prices > 0; give --returns if the column holds returns)\n",
                        o->file, s->lines[t], o->column, s->values[t]);
                free(r);
                return 2;
            }
        for (size_t t = 0; t < m; t++)
            r[t] = log(s->values[t + 1] / s->values[t]);
    }
    *out = r;
    *n = m;
    return 0;
}

/* The [model] section of the fit, in per-period units. */
static void model_section(const hs_garch_result *f, char *buf, size_t len)
{
    const hs_garch_params *e = &f->est;
    int w = snprintf(buf, len,
                     "[model]\ntype = garch\nomega = %.10g\nalpha = %.10g\nbeta = %.10g\n"
                     "dist = %s\n",
                     e->omega, e->alpha, e->beta, e->dist == HS_GARCH_T ? "t" : "normal");
    if (w > 0 && (size_t)w < len && e->dist == HS_GARCH_T)
        w += snprintf(buf + w, len - (size_t)w, "nu = %.10g\n", e->nu);
    if (w > 0 && (size_t)w < len)
        snprintf(buf + w, len - (size_t)w,
                 "mu = %.10g ; fitted mean log return per step (delete for risk-neutral paths)\n"
                 "; h0 = %.10g ; to start at the variance after the last return\n",
                 e->mu, f->h_last);
}

/* Check the section as `validate` would (head of this file); 0, or 2 after one line
 * on stderr. */
static int check_section(const options *o, const hs_garch_result *f)
{
    const hs_model_type *t = &hs_model_garch;
    const hs_garch_params *e = &f->est;
    hs_model_args a;
    hs_model_args_default(&a, t);
    struct {
        const char *key;
        double value;
    } vals[] = {{"omega", e->omega}, {"alpha", e->alpha}, {"beta", e->beta},
                {"mu", e->mu},       {"nu", e->nu},       {"dist", 0}};
    size_t n_vals = sizeof vals / sizeof *vals;
    hs_error err;
    hs_error_clear(&err);
    for (size_t i = 0; i < n_vals; i++) {
        const hs_param *p = hs_param_find(t->params, t->n_params, vals[i].key);
        if (!p) {
            fprintf(stderr, "hedgesim: calibrate: internal: model 'garch' has no key '%s'\n",
                    vals[i].key);
            return 1;
        }
        size_t at = (size_t)(p - t->params);
        snprintf(a.at[at], sizeof a.at[at], "%s: column %s: fitted", o->file, o->column);
        if (p->kind == HS_PARAM_NAME) {
            a.par[at] = e->dist == HS_GARCH_T; /* choices "normal|t" */
            continue;
        }
        if (!strcmp(p->key, "nu") && e->dist != HS_GARCH_T)
            continue;
        /* The value as the section prints it, parsed as a scenario's value would be. */
        char text[64];
        snprintf(text, sizeof text, "%.10g", vals[i].value);
        hs_origin origin = {a.at[at], 0};
        if (hs_param_parse_number(p, text, origin,
                                  "model 'garch' (the [model] section would fail validation)",
                                  &a.par[at], &err)) {
            fprintf(stderr, "hedgesim: calibrate: %s\n", err.msg);
            return 2;
        }
    }
    hs_model m;
    hs_market market = {100.0, 0.0, 0.0};
    hs_grid grid = {1, 1.0 / o->periods, 1.0 / o->periods}; /* one period */
    if (hs_model_init(&m, t, &a, &market, &grid, &err)) {
        fprintf(stderr, "hedgesim: calibrate: %s (the [model] section would fail validation)\n",
                err.msg);
        return 2;
    }
    hs_model_release(&m);
    return 0;
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *params_json(const hs_garch_params *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "mu", num(p->mu));
    json_object_set_new(o, "omega", num(p->omega));
    json_object_set_new(o, "alpha", num(p->alpha));
    json_object_set_new(o, "beta", num(p->beta));
    json_object_set_new(o, "nu", p->dist == HS_GARCH_T ? num(p->nu) : json_null());
    return o;
}

static int print_json(const options *o, const hs_garch_result *f, const char *section)
{
    double vol = sqrt(f->uncond_var);
    json_t *root = json_object();
    json_object_set_new(root, "model", json_string("garch"));
    json_object_set_new(root, "file", json_string(o->file));
    json_object_set_new(root, "column", json_string(o->column));
    json_object_set_new(root, "input", json_string(o->returns ? "returns" : "prices"));
    json_object_set_new(root, "dist", json_string(f->est.dist == HS_GARCH_T ? "t" : "normal"));
    json_object_set_new(root, "returns", json_integer((json_int_t)f->n));
    json_object_set_new(root, "periods_per_year", json_real(o->periods));
    json_object_set_new(root, "estimates", params_json(&f->est));
    json_object_set_new(root, "std_errors", params_json(&f->se));
    json_object_set_new(root, "loglik", num(f->loglik));
    json_object_set_new(root, "persistence", num(f->est.alpha + f->est.beta));
    json_object_set_new(root, "unconditional_variance", num(f->uncond_var));
    json_object_set_new(root, "unconditional_vol", num(vol));
    json_object_set_new(root, "annual_vol", num(vol * sqrt(o->periods)));
    json_object_set_new(root, "last_variance", num(f->h_last));
    json_object_set_new(root, "kurtosis", num(hs_garch_kurtosis(f->est.alpha, f->est.beta)));
    json_object_set_new(root, "iterations", json_integer((json_int_t)f->iterations));
    json_object_set_new(root, "converged", json_boolean(f->converged));
    json_object_set_new(root, "hessian_ok", json_boolean(f->hessian_ok));
    json_object_set_new(root, "model_section", json_string(section));
    int rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) ||
             fputc('\n', stdout) == EOF;
    json_decref(root);
    return rc;
}

static void row(const char *name, double est, double se)
{
    char s[32];
    if (isfinite(se))
        snprintf(s, sizeof s, "%.4g", se);
    else
        snprintf(s, sizeof s, "n/a");
    printf("  %-8s %14.6g %12s\n", name, est, s);
}

static void print_text(const options *o, const hs_garch_result *f, const char *section)
{
    const hs_garch_params *e = &f->est, *se = &f->se;
    double vol = sqrt(f->uncond_var);
    printf("GARCH(1,1) fit of %s %s in %s: %zu returns, %s innovations\n\n", o->column,
           o->returns ? "(returns)" : "log returns", o->file, f->n,
           e->dist == HS_GARCH_T ? "Student t" : "normal");
    printf("  %-8s %14s %12s\n", "", "estimate", "std. error");
    row("mu", e->mu, se->mu);
    row("omega", e->omega, se->omega);
    row("alpha", e->alpha, se->alpha);
    row("beta", e->beta, se->beta);
    if (e->dist == HS_GARCH_T)
        row("nu", e->nu, se->nu);
    printf("\n  alpha + beta        %.6g\n", e->alpha + e->beta);
    printf("  log-likelihood      %.8g\n", f->loglik);
    printf("  unconditional vol   %.4g per period, %.4g a year (%g periods a year)\n", vol,
           vol * sqrt(o->periods), o->periods);
    printf("  vol after the data  %.4g per period, %.4g a year\n", sqrt(f->h_last),
           sqrt(f->h_last * o->periods));
    printf("  iterations          %zu (%s)\n", f->iterations,
           f->converged ? "converged" : "NOT converged");
    if (!f->hessian_ok)
        printf("  standard errors     n/a: the Hessian is not positive definite\n");
    if (e->dist == HS_GARCH_T && e->nu > 1000)
        printf("  note                nu > 1000: no fat tails in this sample; dist = normal "
               "fits as well\n");
    printf("\n; one step per period: steps = %g x the horizon in years\n%s", o->periods, section);
}

int hs_cli_calibrate(int argc, char **argv)
{
    options o;
    int rc = parse(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    hs_series s = {0};
    hs_error err;
    hs_error_clear(&err);
    hs_status st = hs_series_read_csv(o.file, o.column, NULL, &s, &err);
    if (st) {
        fprintf(stderr, "hedgesim: calibrate: %s\n", err.msg);
        return (int)st;
    }
    double *r = NULL;
    size_t n = 0;
    rc = to_returns(&o, &s, &r, &n);
    hs_series_free(&s);
    if (rc)
        return rc;
    hs_garch_result fit;
    st = hs_garch_fit(r, n, o.dist, &fit, &err);
    free(r);
    if (st) {
        fprintf(stderr, "hedgesim: calibrate: %s: column %s: %s\n", o.file, o.column, err.msg);
        return (int)st;
    }
    rc = check_section(&o, &fit);
    if (rc)
        return rc;
    char section[SECTION_LEN];
    model_section(&fit, section, sizeof section);
    if (o.json ? print_json(&o, &fit, section) : (print_text(&o, &fit, section), 0)) {
        fprintf(stderr, "hedgesim: calibrate: cannot write the results\n");
        return 1;
    }
    if (!fit.converged) {
        fprintf(stderr,
                "hedgesim: calibrate: the simplex did not converge after %zu iterations; "
                "the estimates above are unreliable\n",
                fit.iterations);
        return 1;
    }
    return 0;
}
