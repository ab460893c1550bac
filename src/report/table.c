/*
 * The report as the terminal table of `hedgesim run` (report.h): the strategies with
 * their P&L statistics, the 95% intervals, the paired differences and the convergence
 * fit.
 */
#define _POSIX_C_SOURCE 200809L
#include "hedgesim/report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hedgesim/instrument.h"

/* The option per unit and the book as held, so that neither is mistaken for the other
 * (a quantity of -10 makes the book ten times the unit, with the opposite sign). */
static void book_lines(const hs_report *rep, FILE *fp)
{
    const hs_scenario *sc = rep->sc;
    const hs_leg *leg0 = &sc->legs[0];
    char held[64];
    if (sc->n_legs == 1)
        snprintf(held, sizeof held, "quantity %g", leg0->quantity);
    else
        snprintf(held, sizeof held, "%zu legs", sc->n_legs);
    fprintf(fp,
            "\nOption value: %.5f   delta %.4f   gamma %.4f   vega %.4f   (%s, one unit long)\n",
            rep->option.value, rep->option.delta, rep->option.gamma, rep->option.vega,
            sc->n_legs == 1 ? "the option" : "first leg");
    fprintf(fp, "Book value:   %.5f   delta %.4f   gamma %.4f   vega %.4f   (as held: %s)\n",
            rep->book.value, rep->book.delta, rep->book.gamma, rep->book.vega, held);
    /* Where the model has a price: the same under the model, the premium edge against it. */
    if (isfinite(rep->option_model_value) && isfinite(rep->book_model_value))
        fprintf(fp, "Model value:  option %.5f, book %.5f   (under the path model at t0)\n",
                rep->option_model_value, rep->book_model_value);
    fputc('\n', fp);
}

/* ratio = min_variance: each fit's value of the book at t0 (Hedged Monte Carlo) with its
 * standard error, beside the book's Black-Scholes value at the traded vols. */
static void hmc_table(const hs_report *rep, FILE *fp, int w)
{
    int any = 0;
    for (size_t s = 0; s < rep->n; s++) {
        const hs_strategy_means *m = &rep->strategies[s].means;
        if (!(m->hmc_paths > 0))
            continue;
        if (!any++)
            fprintf(fp,
                    "\nHedged Monte Carlo fits (ratio min_variance): the book's value at t0\n"
                    "%-*s | %10s | %8s | %10s | %7s | %11s | %11s | %8s\n",
                    w, "strategy", "HMC value", "s.e.", "BS value", "z", "model value",
                    "train paths", "train s");
        char mv[32] = "-";
        if (isfinite(rep->book_model_value))
            snprintf(mv, sizeof mv, "%.5f", rep->book_model_value);
        fprintf(fp, "%-*s | %10.5f | %8.5f | %10.5f | %+7.2f | %11s | %11.0f | %8.3f\n", w,
                rep->strategies[s].strategy->name, m->hmc_price, m->hmc_stderr, rep->book.value,
                (m->hmc_price - rep->book.value) / m->hmc_stderr, mv, m->hmc_paths, m->hmc_seconds);
    }
}

int hs_report_table(const hs_report *rep, FILE *fp)
{
    const hs_scenario *sc = rep->sc;
    const hs_results *res = rep->res;
    int ranks = hs_comm_size(res->comm);
    char procs[48] = "";
    if (ranks > 1)
        snprintf(procs, sizeof procs, "%d ranks x ", ranks);
    fprintf(fp, "%s: %s, %llu paths x %zu steps, seed %llu, %s%d thread%s, %.3f s\n", sc->name,
            sc->model->name, (unsigned long long)sc->paths, sc->grid.steps,
            (unsigned long long)sc->seed, procs, res->threads, res->threads == 1 ? "" : "s",
            res->seconds);
    if (sc->description[0])
        fprintf(fp, "%s\n", sc->description);
    for (size_t i = 0; i < sc->n_stress; i++) {
        char text[256];
        fprintf(fp, "Stress overlay %s\n",
                hs_stress_describe(&sc->stress[i], &sc->grid, text, sizeof text));
    }
    book_lines(rep, fp);
    size_t w = 8;
    for (size_t s = 0; s < rep->n; s++)
        if (strlen(rep->strategies[s].strategy->name) > w)
            w = strlen(rep->strategies[s].strategy->name);
    fprintf(fp, "%-*s | %7s | %9s | %8s | %8s | %8s | %6s | %7s | %8s | %8s | %8s\n", (int)w,
            "strategy", "trades", "P&L mean", "s.e.", "P&L std", "D&K std", "skew", "ex.kurt",
            "VaR 99%", "ES 99%", "cost");
    for (size_t i = 0; i < w + 109; i++)
        fputc('-', fp);
    fputc('\n', fp);
    for (size_t s = 0; s < rep->n; s++) {
        const hs_strategy_report *r = &rep->strategies[s];
        char dk[16] = "-";
        if (isfinite(r->derman_kamal_std))
            snprintf(dk, sizeof dk, "%.4f", r->derman_kamal_std);
        fprintf(
            fp,
            "%-*s | %7.1f | %9.4f | %8.4f | %8.4f | %8s | %6.2f | %7.2f | %8.4f | %8.4f | %8.4f\n",
            (int)w, r->strategy->name, r->means.trades, r->pnl.mean, r->pnl.stderr_mean, r->pnl.std,
            dk, r->pnl.skew, r->pnl.exkurt, r->pnl.var99, r->pnl.es99, r->means.cost);
    }
    fprintf(fp, "\nP&L at maturity in time-T money; VaR/ES are losses (positive); "
                "D&K std = sqrt(pi/4) vega sigma / sqrt(N).\n");

    fprintf(fp,
            "\n95%% confidence intervals (mean, std: asymptotic; VaR, ES: bootstrap, %zu "
            "resamples)\n",
            rep->n ? rep->strategies[0].ci.resamples : 0);
    fprintf(fp, "%-*s | %21s | %19s | %19s | %19s\n", (int)w, "strategy", "P&L mean", "P&L std",
            "VaR 99%", "ES 99%");
    for (size_t s = 0; s < rep->n; s++) {
        const hs_ci *c = &rep->strategies[s].ci;
        fprintf(fp, "%-*s | [%8.4f, %8.4f] | [%7.4f, %7.4f] | [%7.4f, %7.4f] | [%7.4f, %7.4f]\n",
                (int)w, rep->strategies[s].strategy->name, c->mean.lo, c->mean.hi, c->std.lo,
                c->std.hi, c->var99.lo, c->var99.hi, c->es99.lo, c->es99.hi);
    }

    hmc_table(rep, fp, (int)w);

    int attribution = 0;
    for (size_t s = 0; s < rep->n; s++) {
        const hs_strategy_report *r = &rep->strategies[s];
        attribution |= r->means.edge != 0 || r->means.cost != 0 || r->means.carry != 0;
    }
    if (attribution) {
        fprintf(fp, "\nP&L attribution (means): P&L = edge + replication - cost + carry\n");
        fprintf(fp, "%-*s | %9s | %11s | %9s | %9s | %9s\n", (int)w, "strategy", "edge",
                "replication", "cost", "carry", "P&L");
        for (size_t s = 0; s < rep->n; s++) {
            const hs_strategy_report *r = &rep->strategies[s];
            fprintf(fp, "%-*s | %9.4f | %11.4f | %9.4f | %9.4f | %9.4f\n", (int)w,
                    r->strategy->name, r->means.edge, r->hedge_error.mean, r->cost.mean,
                    r->carry.mean, r->pnl.mean);
        }
    }

    if (hs_horizon_table(rep, fp)) /* [risk] only */
        return -1;
    if (rep->n_pairs) {
        size_t shown = rep->n_pairs < 10 ? rep->n_pairs : 10;
        fprintf(fp, "\nPaired differences of P&L on the same paths (a - b)%s\n",
                shown < rep->n_pairs ? " (first 10; all in pairs.csv)" : "");
        for (size_t i = 0; i < shown; i++) {
            const hs_pair *p = &rep->pairs[i];
            fprintf(fp,
                    "  %s - %s: %+.4f (s.e. %.4f, z %+.2f, 95%% CI [%.4f, %.4f]); std a/b %.4f "
                    "(variance z %+.2f)\n",
                    rep->strategies[p->a].strategy->name, rep->strategies[p->b].strategy->name,
                    p->mean_diff, p->stderr_diff, p->z, p->ci95.lo, p->ci95.hi, p->std_ratio,
                    p->var_z);
        }
        fprintf(fp, "  (variance z < 0: a has the smaller P&L variance on the same paths)\n");
    }
    for (size_t j = 0; j < rep->n_conv; j++) {
        const hs_convergence *c = &rep->conv[j];
        fprintf(fp,
                "\nConvergence of '%s': std(hedging error) ~ N^%.3f (s.e. %.3f, 95%% CI "
                "[%.3f, %.3f]; theory -1/2 for smooth books, 0 under jumps)",
                c->group, c->fit.slope, c->fit.slope_se, c->fit.ci95.lo, c->fit.ci95.hi);
        if (isfinite(c->dk_ratio))
            fprintf(fp, "; std / Derman-Kamal = %.3f on average", c->dk_ratio);
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}
