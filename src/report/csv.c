/*
 * The report as CSV files (report.h, columns in docs/outputs.md): summary.csv,
 * pairs.csv, convergence.csv, pnl.csv and paths.csv, quoted as RFC 4180 section 2 asks,
 * with an empty cell for a quantity that does not apply; and hs_write_atomic, which
 * writes any of them to a temporary name renamed into place.
 */
#define _POSIX_C_SOURCE 200809L
#include "hedgesim/report.h"
#include "csv_fields.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hedgesim/instrument.h"

static const char *const summary_keys[] = {"mean",  "std",  "stderr", "skew", "exkurt", "min",
                                           "max",   "q01",  "q05",    "q50",  "q95",    "q99",
                                           "var95", "es95", "var99",  "es99"};

static void summary_values(const hs_summary *s, double v[16])
{
    double x[16] = {s->mean,  s->std,  s->stderr_mean, s->skew, s->exkurt, s->min,
                    s->max,   s->q01,  s->q05,         s->q50,  s->q95,    s->q99,
                    s->var95, s->es95, s->var99,       s->es99};
    memcpy(v, x, sizeof x);
}

void hs_csv_put_grid(const hs_report *rep, FILE *fp)
{
    if (rep->grid_key)
        fprintf(fp, "%s,%.17g,", rep->grid_key, rep->grid_value);
    else
        fputs(",,", fp);
}

void hs_csv_put_text(FILE *fp, const char *t)
{
    if (!strpbrk(t, ",\"\n")) {
        fputs(t, fp);
        return;
    }
    fputc('"', fp);
    for (; *t; t++) {
        if (*t == '"')
            fputc('"', fp);
        fputc(*t, fp);
    }
    fputc('"', fp);
}

void hs_csv_put_num(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, ",%.17g", v);
    else
        fputc(',', fp);
}

int hs_report_csv_header(FILE *fp)
{
    fprintf(fp, "grid_key,grid_value,strategy,rebalance,ratio,hedges,vol,cost,trades_mean,"
                "turnover_mean,cost_mean,edge,derman_kamal_std,cost_std,carry_mean,carry_std");
    for (int part = 0; part < 2; part++)
        for (size_t i = 0; i < 16; i++)
            fprintf(fp, ",%s_%s", part ? "hedge_error" : "pnl", summary_keys[i]);
    static const char *const ci_keys[6] = {"mean", "std", "var95", "es95", "var99", "es99"};
    for (int k = 0; k < 6; k++)
        fprintf(fp, ",pnl_%s_lo,pnl_%s_hi", ci_keys[k], ci_keys[k]);
    fputc('\n', fp);
    return ferror(fp) ? -1 : 0;
}

int hs_report_csv_rows(const hs_report *rep, FILE *fp)
{
    for (size_t s = 0; s < rep->n; s++) {
        const hs_strategy_report *r = &rep->strategies[s];
        hs_csv_put_grid(rep, fp);
        hs_csv_put_text(fp, r->strategy->name);
        fprintf(fp, ",%s,%s,", r->strategy->rule->name, r->strategy->ratio->name);
        if (r->hedges)
            fprintf(fp, "%zu", r->hedges);
        double head[10] = {r->strategy->vol,    r->strategy->costs.prop,
                           r->means.trades,     r->means.turnover,
                           r->means.cost,       r->means.edge,
                           r->derman_kamal_std, r->cost.std,
                           r->carry.mean,       r->carry.std};
        for (int i = 0; i < 10; i++)
            hs_csv_put_num(fp, head[i]);
        double v[16];
        summary_values(&r->pnl, v);
        for (size_t i = 0; i < 16; i++)
            hs_csv_put_num(fp, v[i]);
        summary_values(&r->hedge_error, v);
        for (size_t i = 0; i < 16; i++)
            hs_csv_put_num(fp, v[i]);
        const hs_interval *iv[6] = {&r->ci.mean, &r->ci.std,   &r->ci.var95,
                                    &r->ci.es95, &r->ci.var99, &r->ci.es99};
        for (int k = 0; k < 6; k++) {
            hs_csv_put_num(fp, iv[k]->lo);
            hs_csv_put_num(fp, iv[k]->hi);
        }
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}

int hs_paths_csv_header(FILE *fp)
{
    fputs("grid_key,grid_value,strategy,path,step,time,spot,option_value,target,held,cash,"
          "portfolio_value,hedge_error,trades\n",
          fp);
    return ferror(fp) ? -1 : 0;
}

int hs_paths_csv_rows(const hs_report *rep, FILE *fp)
{
    const hs_results *res = rep->res;
    size_t steps = rep->sc->grid.steps;
    for (size_t s = 0; s < res->n_strategies; s++)
        for (size_t p = 0; p < res->trace_paths; p++)
            for (size_t k = 0; k <= steps; k++) {
                const double *row =
                    res->trace + ((s * res->trace_paths + p) * (steps + 1) + k) * HS_TR_FIELDS;
                hs_csv_put_grid(rep, fp);
                hs_csv_put_text(fp, rep->strategies[s].strategy->name);
                fprintf(fp, ",%zu,%zu", p, k);
                for (int f = 0; f < HS_TR_FIELDS; f++)
                    hs_csv_put_num(fp, row[f]);
                fputc('\n', fp);
            }
    return ferror(fp) ? -1 : 0;
}

int hs_report_csv(const hs_report *rep, FILE *fp)
{
    if (hs_report_csv_header(fp))
        return -1;
    return hs_report_csv_rows(rep, fp);
}

int hs_pairs_csv_header(FILE *fp)
{
    fputs("grid_key,grid_value,strategy_a,strategy_b,mean_diff,stderr,z,ci95_lo,ci95_hi,corr,"
          "var_diff,var_z,std_ratio\n",
          fp);
    return ferror(fp) ? -1 : 0;
}

int hs_pairs_csv_rows(const hs_report *rep, FILE *fp)
{
    for (size_t i = 0; i < rep->n_pairs; i++) {
        const hs_pair *p = &rep->pairs[i];
        hs_csv_put_grid(rep, fp);
        hs_csv_put_text(fp, rep->strategies[p->a].strategy->name);
        fputc(',', fp);
        hs_csv_put_text(fp, rep->strategies[p->b].strategy->name);
        double v[9] = {p->mean_diff, p->stderr_diff, p->z,     p->ci95.lo,  p->ci95.hi,
                       p->corr,      p->var_diff,    p->var_z, p->std_ratio};
        for (int k = 0; k < 9; k++)
            hs_csv_put_num(fp, v[k]);
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}

int hs_convergence_csv_header(FILE *fp)
{
    fputs("grid_key,grid_value,group,hedges,std,std_se,derman_kamal_std,ratio_to_dk,slope,"
          "slope_se,slope_ci95_lo,slope_ci95_hi\n",
          fp);
    return ferror(fp) ? -1 : 0;
}

int hs_convergence_csv_rows(const hs_report *rep, FILE *fp)
{
    for (size_t j = 0; j < rep->n_conv; j++) {
        const hs_convergence *c = &rep->conv[j];
        for (size_t i = 0; i < c->k; i++) {
            hs_csv_put_grid(rep, fp);
            hs_csv_put_text(fp, c->group);
            fprintf(fp, ",%.0f", c->hedges[i]);
            double v[8] = {c->std[i],    c->std_se[i],    c->dk[i],       c->std[i] / c->dk[i],
                           c->fit.slope, c->fit.slope_se, c->fit.ci95.lo, c->fit.ci95.hi};
            for (int k = 0; k < 8; k++)
                hs_csv_put_num(fp, v[k]);
            fputc('\n', fp);
        }
    }
    return ferror(fp) ? -1 : 0;
}

int hs_pnl_csv_header(FILE *fp)
{
    fputs("grid_key,grid_value,path,strategy,pnl,hedge_error,cost,carry,trades\n", fp);
    return ferror(fp) ? -1 : 0;
}

int hs_pnl_csv_rows_range(const hs_report *rep, FILE *fp, uint64_t p0, uint64_t p1)
{
    const hs_results *res = rep->res;
    for (uint64_t p = p0; p < p1 && p < res->paths; p++)
        for (size_t s = 0; s < res->n_strategies; s++) {
            size_t i = s * res->paths + p;
            hs_csv_put_grid(rep, fp);
            fprintf(fp, "%llu,", (unsigned long long)(res->first_path + p));
            hs_csv_put_text(fp, rep->strategies[s].strategy->name);
            fprintf(fp, ",%.17g,%.17g,%.17g,%.17g,%.0f", res->pnl[i], res->hedge_error[i],
                    res->cost[i], res->carry[i], (double)res->trades[i]);
            if (res->n_horizons)
                hs_pnl_csv_horizon_cols(rep, fp, s, p); /* [risk] only (report/horizon.c) */
            fputc('\n', fp);
        }
    return ferror(fp) ? -1 : 0;
}

int hs_pnl_csv_rows(const hs_report *rep, FILE *fp)
{
    return hs_pnl_csv_rows_range(rep, fp, 0, rep->res->paths);
}

hs_status hs_write_atomic(const char *path, int (*write)(FILE *fp, const void *user),
                          const void *user, hs_error *err)
{
    /* The temporary name is allocated: no length of path cuts it. */
    size_t size = strlen(path) + 32;
    char *tmp = malloc(size);
    if (!tmp)
        return hs_error_set(err, HS_ERUNTIME, "%s: cannot write: out of memory", path);
    snprintf(tmp, size, "%s.tmp.%ld", path, (long)getpid());
    FILE *fp = fopen(tmp, "w");
    if (!fp) {
        int e = errno;
        hs_error_set(err, HS_ERUNTIME, "%s: cannot write: %s", tmp, strerror(e));
        free(tmp);
        return HS_ERUNTIME;
    }
    int rc = write(fp, user);
    if (fclose(fp) != 0)
        rc = -1;
    if (rc != 0 || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        free(tmp);
        return hs_error_set(err, HS_ERUNTIME, "%s: cannot write: %s", path, strerror(e));
    }
    free(tmp);
    return HS_OK;
}
