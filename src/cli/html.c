/*
 * `hedgesim report DIR`: one self-contained HTML page for a run directory
 * (docs/outputs.md), DIR/report.html.  Everything is inline: the style sheet, and the
 * SVG figures of DIR/plots/ (drawn first by hs_cli_plot when missing and gnuplot is
 * installed), so the page works offline and can be mailed as one file.  The numbers come
 * from summary.json (jansson) and pairs.csv (csv.h); every text from them is escaped.
 *
 * The page is well-formed XML as well as HTML: every element is closed, attributes are
 * quoted, only the five XML entities and numeric references are used; the SVG is
 * embedded by svg_inline.c.
 */
#define _POSIX_C_SOURCE 200809L
#include "html.h"
#include "html_risk.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "hedgesim/csv.h"
#include "hedgesim/report.h"
#include "plot.h"
#include "svg_inline.h"

#define PATH_LEN 4096
#define DASH "\xe2\x80\x93" /* U+2013, for a quantity that does not apply */

typedef struct page {
    const char *dir;
    const char *shown; /* the directory the footer names (hs_cli_report_as) */
    json_t *root;
    json_t *runs;         /* the run summaries: one, or one per grid value */
    const char *grid_key; /* NULL outside a grid run */
    hs_csv pairs;
    int have_pairs;
    int gnuplot;     /* gnuplot was found */
    int plot_failed; /* drawing the missing figures failed */
} page;

static const struct {
    const char *name, *title, *caption;
} figure_text[HS_N_FIGURES] = {
    {"frontier", "Risk against cost",
     "Mean transaction cost (in a run without costs: the mean number of trades) against the "
     "standard deviation of the P&L, one point per strategy with the 95% interval of the std; "
     "the members of a sweep are joined and labelled with their swept value."},
    {"pnl_density", "Distribution of the P&L",
     "Kernel density of the P&L at maturity per strategy (time-T money), from pnl.csv."},
    {"convergence", "Convergence in the number of hedges",
     "Std of the hedging error against the number of hedges, log-log, with one-s.e. bars, the "
     "fitted line and the Derman\xe2\x80\x93Kamal approximation (dashed)."},
    {"path", "A sample path",
     "The first traced path of the first strategy: spot; target and held hedge; hedging error "
     "in time-t money."},
    {"grid", "Tail risk across the grid",
     "VaR (solid) and ES (dashed) of the P&L at 95% and 99% against the grid value."},
    {"horizon", "Horizon risk",
     "VaR and ES at 99% (and VaR 95%, thin) of the book marked to market against the horizon, "
     "and the densities of the horizon P&L (with --pnl)."},
};

/* ---- text output ------------------------------------------------------------------ */

static void esc(FILE *fp, const char *s)
{
    for (; s && *s; s++) {
        const char *e = *s == '&'    ? "&amp;"
                        : *s == '<'  ? "&lt;"
                        : *s == '>'  ? "&gt;"
                        : *s == '"'  ? "&quot;"
                        : *s == '\'' ? "&#39;"
                                     : NULL;
        if (e)
            fputs(e, fp);
        else if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
            fputc(*s, fp); /* XML 1.0 forbids most control characters even as references */
    }
}

static void num(FILE *fp, double v, int digits)
{
    if (v == 0)
        v = 0; /* no "-0" for a cost of zero carried with its sign */
    if (isfinite(v))
        fprintf(fp, "%.*g", digits, v);
    else
        fputs(DASH, fp);
}

/* The member at a dotted path ("pnl.std"), or NULL. */
static json_t *get(json_t *o, const char *path)
{
    char key[128];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)n, path);
        o = json_object_get(o, key);
        path += n;
        if (*path == '.')
            path++;
    }
    return o;
}

static double getnum(json_t *o, const char *path)
{
    json_t *v = get(o, path);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *getstr(json_t *o, const char *path)
{
    const char *s = json_string_value(get(o, path));
    return s ? s : "";
}

/* Any JSON value as text: numbers to `digits` significant digits, null as a dash. */
static void value(FILE *fp, json_t *v, int digits)
{
    if (!v || json_is_null(v))
        fputs(DASH, fp);
    else if (json_is_integer(v))
        fprintf(fp, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        num(fp, json_real_value(v), digits);
    else if (json_is_string(v))
        esc(fp, json_string_value(v));
    else if (json_is_boolean(v))
        fputs(json_is_true(v) ? "yes" : "no", fp);
    else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            if (i)
                fputs(", ", fp);
            value(fp, x, digits);
        }
    } else {
        const char *k;
        json_t *x;
        int first = 1;
        json_object_foreach(v, k, x)
        {
            fprintf(fp, "%s", first ? "" : ", ");
            esc(fp, k);
            fputs(" = ", fp);
            value(fp, x, digits);
            first = 0;
        }
    }
}

static void td(FILE *fp, json_t *o, const char *path)
{
    fputs("<td>", fp);
    value(fp, get(o, path), 5);
    fputs("</td>", fp);
}

static void td_num(FILE *fp, double v)
{
    fputs("<td>", fp);
    num(fp, v, 5);
    fputs("</td>", fp);
}

static void td_text(FILE *fp, const char *s)
{
    fputs("<td class=\"name\">", fp);
    esc(fp, s);
    fputs("</td>", fp);
}

/* A P&L statistic with its 95% interval below it. */
static void td_ci(FILE *fp, json_t *strategy, const char *key)
{
    char path[64];
    snprintf(path, sizeof path, "pnl.%s", key);
    fputs("<td>", fp);
    num(fp, getnum(strategy, path), 5);
    json_t *ci = get(get(strategy, "ci"), key);
    if (json_array_size(ci) == 2) {
        fputs("<br/><span class=\"ci\">[", fp);
        num(fp, json_number_value(json_array_get(ci, 0)), 3);
        fputs(", ", fp);
        num(fp, json_number_value(json_array_get(ci, 1)), 3);
        fputs("]</span>", fp);
    }
    fputs("</td>", fp);
}

static void th_row(FILE *fp, const char *const *heads, size_t n)
{
    fputs("<thead><tr>", fp);
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "<th>%s</th>", heads[i]);
    fputs("</tr></thead>\n<tbody>\n", fp);
}

#define TH(fp, ...)                                                                                \
    do {                                                                                           \
        static const char *const h_[] = {__VA_ARGS__};                                             \
        th_row(fp, h_, sizeof h_ / sizeof h_[0]);                                                  \
    } while (0)

/* ---- the page's sections -------------------------------------------------------------- */

static const char style[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;"
    "max-width:1280px;padding:1em 2em 3em;color:#222;line-height:1.4}\n"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ccc;"
    "padding-bottom:.2em}h3{margin-top:1.5em}\n"
    "nav a{margin-right:1em}p.meta{color:#555}p.note{color:#7a4b00;background:#fff6e0;"
    "padding:.4em .8em;border-left:3px solid #e0a000}\n"
    ".wide{overflow-x:auto}table{border-collapse:collapse;margin:.5em 0 1em;"
    "font-variant-numeric:tabular-nums;font-size:.9em}\n"
    "th,td{border:1px solid #ddd;padding:.25em .6em;text-align:right;vertical-align:top}"
    "th{background:#f3f3f3}td.name,th:first-child{text-align:left}\n"
    "tbody tr:nth-child(even){background:#fafafa}.ci{color:#777;font-size:.85em}"
    "tr.sig td{font-weight:bold}\n"
    "table.headline{font-size:1em}table.headline td:nth-child(5),table.headline "
    "td:nth-child(6){font-weight:600}"
    "table.headline .ci{font-weight:normal}\n"
    /* Narrow windows (800 px): tighter cells so that the headline table fits whole. */
    "@media (max-width:960px){body{padding:.5em 1em 2em}table{font-size:.78em}"
    "table.headline{font-size:.85em}th,td{padding:.2em .35em}}\n"
    "figure{margin:1.5em 0;border:1px solid #e4e4e4;padding:.5em}figure svg{max-width:100%;"
    "height:auto;display:block}figcaption{color:#555;font-size:.9em;margin-top:.3em}\n"
    "dl.kv{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}dl.kv dt{color:#555}"
    "dl.kv dd{margin:0}\nfooter{margin-top:3em;color:#888;font-size:.85em}\n";

static void section_scenario(FILE *fp, const page *pg)
{
    json_t *run = json_array_get(pg->runs, 0);
    fputs("<h2 id=\"scenario\">Scenario</h2>\n<div class=\"wide\">\n", fp);
    fputs("<h3>Market</h3>\n<table>", fp);
    TH(fp, "spot", "rate", "dividend");
    fputs("<tr>", fp);
    td(fp, run, "market.spot");
    td(fp, run, "market.rate");
    td(fp, run, "market.dividend");
    fputs("</tr>\n</tbody></table>\n", fp);

    fputs("<h3>Model</h3>\n<table><thead><tr>", fp);
    const char *k;
    json_t *v;
    json_object_foreach(get(run, "model"), k, v)
    {
        fputs("<th>", fp);
        esc(fp, k);
        fputs("</th>", fp);
    }
    fputs("</tr></thead>\n<tbody><tr>", fp);
    json_object_foreach(get(run, "model"), k, v)
    {
        fputs("<td>", fp);
        value(fp, v, 6);
        fputs("</td>", fp);
    }
    fputs("</tr></tbody></table>\n", fp);
    if (pg->grid_key) {
        fputs("<p class=\"meta\">Grid run: ", fp);
        esc(fp, pg->grid_key);
        fputs(" takes the values ", fp);
        value(fp, get(pg->root, "grid.values"), 6);
        fputs(" (the table shows the first run's model).</p>\n", fp);
    }

    fputs("<h3>Book</h3>\n<table>", fp);
    TH(fp, "leg", "type", "strike", "maturity", "quantity", "vol");
    size_t i;
    json_array_foreach(get(run, "legs"), i, v)
    {
        fputs("<tr>", fp);
        td_text(fp, getstr(v, "name"));
        td(fp, v, "type");
        td(fp, v, "strike");
        td(fp, v, "maturity");
        td(fp, v, "quantity");
        td(fp, v, "vol");
        fputs("</tr>\n", fp);
    }
    fputs("</tbody></table>\n<table>", fp);
    TH(fp, "", "value", "delta", "gamma", "vega", "theta");
    static const char *const greeks[2] = {"option", "book"};
    static const char *const greek_label[2] = {"option (first leg, long one unit)",
                                               "book (as held)"};
    for (int g = 0; g < 2; g++) {
        json_t *o = get(run, greeks[g]);
        fputs("<tr>", fp);
        td_text(fp, greek_label[g]);
        static const char *const keys[5] = {"value", "delta", "gamma", "vega", "theta"};
        for (int j = 0; j < 5; j++) {
            fputs("<td>", fp);
            num(fp, getnum(o, keys[j]), 6);
            fputs("</td>", fp);
        }
        fputs("</tr>\n", fp);
    }
    fputs("</tbody></table>\n", fp);

    fputs("<h3>Stress overlays</h3>\n", fp);
    if (!json_array_size(get(run, "stress")))
        fputs("<p>None.</p>\n", fp);
    else {
        fputs("<table>", fp);
        TH(fp, "name", "type", "steps", "parameters", "what it does");
        json_array_foreach(get(run, "stress"), i, v)
        {
            fputs("<tr>", fp);
            td_text(fp, getstr(v, "name"));
            td(fp, v, "type");
            fputs("<td>", fp);
            value(fp, get(v, "first_step"), 6);
            fputs(DASH, fp);
            value(fp, get(v, "last_step"), 6);
            fputs("</td><td class=\"name\">", fp);
            int first = 1;
            json_t *x;
            json_object_foreach(v, k, x)
            {
                if (!strcmp(k, "name") || !strcmp(k, "type") || !strcmp(k, "first_step") ||
                    !strcmp(k, "last_step") || !strcmp(k, "text"))
                    continue;
                fputs(first ? "" : ", ", fp);
                esc(fp, k);
                fputs(" = ", fp);
                value(fp, x, 6);
                first = 0;
            }
            fputs("</td>", fp);
            td_text(fp, getstr(v, "text"));
            fputs("</tr>\n", fp);
        }
        fputs("</tbody></table>\n", fp);
    }
    fputs("</div>\n", fp);
}

/* A strategy's name with break opportunities after '[' and ',' (a swept name such as
 * "band[band=0.05,cost=0.001]" is one word otherwise and sets the table's width). */
static void td_name(FILE *fp, const char *s)
{
    fputs("<td class=\"name\">", fp);
    for (; s && *s; s++) {
        char c[2] = {*s, 0};
        esc(fp, c);
        if ((*s == '[' || *s == ',') && s[1])
            fputs("<wbr/>", fp);
    }
    fputs("</td>", fp);
}

/* The hedge vol a strategy used: its own (a number, or the model's, resolved to a number
 * in summary.json), else each leg's traded vol (summary.json writes null for that, the
 * engine's NaN): the distinct leg vols.  `leland` trades at Leland's vol built on it,
 * `realized` starts its running estimate from it, `model` hedges with the model's own
 * delta and uses no Black-Scholes vol. */
static void td_vol(FILE *fp, json_t *run, json_t *s)
{
    const char *ratio = getstr(s, "ratio");
    fputs("<td>", fp);
    if (!strcmp(ratio, "model")) {
        fputs("model", fp);
    } else {
        json_t *v = get(s, "vol");
        if (json_is_number(v)) {
            num(fp, json_number_value(v), 4);
        } else {
            double seen[8];
            int n = 0;
            size_t i;
            json_t *leg;
            json_array_foreach(get(run, "legs"), i, leg)
            {
                double lv = getnum(leg, "vol");
                int dup = !isfinite(lv) || n == 8;
                for (int j = 0; j < n; j++)
                    dup |= seen[j] == lv;
                if (!dup) {
                    fputs(n ? ", " : "", fp);
                    num(fp, lv, 4);
                    seen[n++] = lv;
                }
            }
            if (!n)
                fputs(DASH, fp);
        }
        if (!strcmp(ratio, "leland"))
            fputs("<br/><span class=\"ci\">Leland-adjusted</span>", fp);
        else if (!strcmp(ratio, "realized"))
            fputs("<br/><span class=\"ci\">prior of an estimate</span>", fp);
    }
    fputs("</td>", fp);
}

/* The results of one run in four tables, each narrow enough for an 800 px window (an
 * earlier single table of 17 columns put VaR 99% and ES 99% behind a scroll bar even at
 * 1280 px): first the headline a risk team reads, then how each strategy trades, then
 * the 95% tail and the shape, then the quantiles. */
static void table_results(FILE *fp, json_t *run)
{
    fputs("<div class=\"wide\"><table class=\"headline\">", fp);
    TH(fp, "strategy", "hedges", "P&amp;L mean", "P&amp;L std", "VaR 99%", "ES 99%", "mean cost");
    size_t i;
    json_t *s;
    json_array_foreach(get(run, "strategies"), i, s)
    {
        fputs("<tr>", fp);
        td_name(fp, getstr(s, "name"));
        td(fp, s, "hedges");
        td_ci(fp, s, "mean");
        td_ci(fp, s, "std");
        td_ci(fp, s, "var99");
        td_ci(fp, s, "es99");
        td(fp, s, "cost_mean");
        fputs("</tr>\n", fp);
    }
    fputs("</tbody></table></div>\n<p class=\"meta\">P&amp;L of the book as held, at maturity in "
          "time-T money; VaR and ES are losses, reported as positive numbers; below each value "
          "its 95% confidence interval; mean cost: transaction costs paid per path.</p>\n",
          fp);

    fputs("<div class=\"wide\"><table>", fp);
    TH(fp, "strategy", "rebalance", "ratio", "hedge vol", "cost rate", "trades", "turnover",
       "hedging-error std", "Derman&#8211;Kamal std");
    json_array_foreach(get(run, "strategies"), i, s)
    {
        fputs("<tr>", fp);
        td_name(fp, getstr(s, "name"));
        td(fp, s, "rebalance");
        td(fp, s, "ratio");
        td_vol(fp, run, s);
        td(fp, s, "cost");
        td(fp, s, "trades_mean");
        td(fp, s, "turnover_mean");
        td(fp, s, "hedge_error.std");
        td(fp, s, "derman_kamal_std");
        fputs("</tr>\n", fp);
    }
    fputs("</tbody></table></div>\n<p class=\"meta\">Hedge vol: the vol of the strategy's "
          "Black&#8211;Scholes delta (each leg's traded vol unless the strategy sets one); "
          "cost rate: the proportional cost per unit of value traded; trades and turnover "
          "(shares traded) per path.</p>\n",
          fp);

    fputs("<div class=\"wide\"><table>", fp);
    TH(fp, "P&amp;L tail and shape", "VaR 95%", "ES 95%", "s.e. of mean", "skew",
       "excess kurtosis");
    json_array_foreach(get(run, "strategies"), i, s)
    {
        fputs("<tr>", fp);
        td_name(fp, getstr(s, "name"));
        td_ci(fp, s, "var95");
        td_ci(fp, s, "es95");
        td(fp, s, "pnl.stderr");
        td(fp, s, "pnl.skew");
        td(fp, s, "pnl.exkurt");
        fputs("</tr>\n", fp);
    }
    fputs("</tbody></table></div>\n<div class=\"wide\"><table>", fp);
    TH(fp, "P&amp;L quantiles", "min", "1%", "5%", "median", "95%", "99%", "max");
    json_array_foreach(get(run, "strategies"), i, s)
    {
        fputs("<tr>", fp);
        td_name(fp, getstr(s, "name"));
        static const char *const keys[7] = {"min", "q01", "q05", "q50", "q95", "q99", "max"};
        for (int k = 0; k < 7; k++) {
            char path[32];
            snprintf(path, sizeof path, "pnl.%s", keys[k]);
            td(fp, s, path);
        }
        fputs("</tr>\n", fp);
    }
    fputs("</tbody></table></div>\n", fp);
}

static void table_attribution(FILE *fp, json_t *run)
{
    fputs("<div class=\"wide\"><table>", fp);
    TH(fp, "strategy", "premium edge", "replication mean", "replication std", "cost mean",
       "cost std", "carry mean", "carry std", "sum of means", "P&amp;L mean");
    size_t i;
    json_t *s;
    json_array_foreach(get(run, "strategies"), i, s)
    {
        json_t *a = get(s, "attribution");
        fputs("<tr>", fp);
        td_name(fp, getstr(s, "name"));
        td(fp, a, "edge");
        td(fp, a, "replication.mean");
        td(fp, a, "replication.std");
        td(fp, a, "cost.mean");
        td(fp, a, "cost.std");
        td(fp, a, "carry.mean");
        td(fp, a, "carry.std");
        td_num(fp, getnum(a, "edge") + getnum(a, "replication.mean") + getnum(a, "cost.mean") +
                       getnum(a, "carry.mean"));
        td(fp, s, "pnl.mean");
        fputs("</tr>\n", fp);
    }
    fputs("</tbody></table></div>\n<p class=\"meta\">P&amp;L = premium edge + replication error "
          "&#8722; costs + carry, path by path (costs enter with their sign here).</p>\n",
          fp);
}

static void table_convergence(FILE *fp, json_t *run)
{
    json_t *conv = get(run, "convergence");
    if (!json_array_size(conv)) {
        fputs("<p>No convergence sweep in this run (it needs an interval strategy swept over "
              "at least two values of <code>hedges</code> or <code>every</code>).</p>\n",
              fp);
        return;
    }
    fputs("<div class=\"wide\"><table>", fp);
    TH(fp, "group", "hedges N", "std of hedging error", "s.e.", "Derman&#8211;Kamal std",
       "std / D&amp;K");
    size_t i, j;
    json_t *c, *p;
    json_array_foreach(conv, i, c)
    {
        json_array_foreach(get(c, "points"), j, p)
        {
            fputs("<tr>", fp);
            td_text(fp, j ? "" : getstr(c, "group"));
            td(fp, p, "hedges");
            td(fp, p, "std");
            td(fp, p, "std_se");
            td(fp, p, "derman_kamal_std");
            td_num(fp, getnum(p, "std") / getnum(p, "derman_kamal_std"));
            fputs("</tr>\n", fp);
        }
    }
    fputs("</tbody></table>\n<table>", fp);
    TH(fp, "fit of log std on log N", "slope", "s.e.", "95% interval", "mean std / D&amp;K");
    json_array_foreach(conv, i, c)
    {
        fputs("<tr>", fp);
        td_text(fp, getstr(c, "group"));
        fputs("<td>", fp);
        num(fp, getnum(c, "slope"), 4);
        fputs("</td>", fp);
        td(fp, c, "slope_se");
        fputs("<td>[", fp);
        value(fp, get(c, "slope_ci95"), 4);
        fputs("]</td>", fp);
        td(fp, c, "dk_ratio");
        fputs("</tr>\n", fp);
    }
    fputs("</tbody></table></div>\n<p class=\"meta\">Theory: slope &#8722;1/2 for a smooth book "
          "(Derman &amp; Kamal 1999: std &#8776; &#8730;(&#960;/4) vega &#963; / &#8730;N), 0 "
          "under jumps.</p>\n",
          fp);
}

/* The pairs of pairs.csv (or, without it, summary.json) belonging to the run. */
static void table_pairs(FILE *fp, const page *pg, json_t *run)
{
    fputs("<div class=\"wide\"><table>", fp);
    TH(fp, "a", "b", "mean of a &#8722; b", "s.e.", "z", "95% interval", "correlation", "std a / b",
       "variance z");
    size_t n = 0;
    if (pg->have_pairs) {
        const hs_csv *c = &pg->pairs;
        int gv = hs_csv_col(c, "grid_value"), a = hs_csv_col(c, "strategy_a"),
            b = hs_csv_col(c, "strategy_b"), md = hs_csv_col(c, "mean_diff"),
            se = hs_csv_col(c, "stderr"), z = hs_csv_col(c, "z"), lo = hs_csv_col(c, "ci95_lo"),
            hi = hs_csv_col(c, "ci95_hi"), corr = hs_csv_col(c, "corr"),
            sr = hs_csv_col(c, "std_ratio"), vz = hs_csv_col(c, "var_z");
        double want = getnum(run, "grid_value");
        for (size_t r = 0; r < c->n_rows; r++) {
            if (pg->grid_key && !(hs_csv_num(c, r, gv) == want))
                continue;
            double zv = hs_csv_num(c, r, z);
            fprintf(fp, "<tr%s>", fabs(zv) > 1.96 ? " class=\"sig\"" : "");
            td_name(fp, hs_csv_get(c, r, a));
            td_name(fp, hs_csv_get(c, r, b));
            td_num(fp, hs_csv_num(c, r, md));
            td_num(fp, hs_csv_num(c, r, se));
            fputs("<td>", fp);
            num(fp, zv, 3);
            fputs("</td><td>[", fp);
            num(fp, hs_csv_num(c, r, lo), 4);
            fputs(", ", fp);
            num(fp, hs_csv_num(c, r, hi), 4);
            fputs("]</td>", fp);
            td_num(fp, hs_csv_num(c, r, corr));
            td_num(fp, hs_csv_num(c, r, sr));
            fputs("<td>", fp);
            num(fp, hs_csv_num(c, r, vz), 3);
            fputs("</td></tr>\n", fp);
            n++;
        }
    } else {
        size_t i;
        json_t *p;
        json_array_foreach(get(run, "pairs"), i, p)
        {
            double zv = getnum(p, "z");
            fprintf(fp, "<tr%s>", fabs(zv) > 1.96 ? " class=\"sig\"" : "");
            td_name(fp, getstr(p, "a"));
            td_name(fp, getstr(p, "b"));
            td(fp, p, "mean_diff");
            td(fp, p, "stderr");
            fputs("<td>", fp);
            num(fp, zv, 3);
            fputs("</td><td>[", fp);
            value(fp, get(p, "ci95"), 4);
            fputs("]</td>", fp);
            td(fp, p, "corr");
            td(fp, p, "std_ratio");
            td(fp, p, "var_z");
            fputs("</tr>\n", fp);
            n++;
        }
    }
    if (!n)
        fputs(
            "<tr><td class=\"name\" colspan=\"7\">No pairs (the run has one strategy).</td></tr>\n",
            fp);
    fputs("</tbody></table></div>\n<p class=\"meta\">Paired over the same paths (common random "
          "numbers); rows in bold have |z| &gt; 1.96, a difference significant at the 5% "
          "level.</p>\n",
          fp);
}

/* ---- figures ----------------------------------------------------------------------- */

static void section_figures(FILE *fp, const page *pg)
{
    fputs("<h2 id=\"figures\">Figures</h2>\n", fp);
    if (!pg->gnuplot)
        fputs("<p class=\"note\">gnuplot was not found when this report was written, so figures "
              "that were not drawn before are missing; install gnuplot (Debian: gnuplot-nox) and "
              "run <code>hedgesim report</code> again.</p>\n",
              fp);
    if (pg->plot_failed)
        fputs("<p class=\"note\">gnuplot failed on some figures; see the .log files in "
              "plots/.</p>\n",
              fp);
    int shown = 0;
    for (int f = 0; f < HS_N_FIGURES; f++) {
        const char *name = figure_text[f].name;
        if (!hs_cli_figure_applies(pg->dir, name))
            continue;
        char path[PATH_LEN], prefix[64];
        snprintf(path, sizeof path, "%s/plots/%s.svg", pg->dir, name);
        snprintf(prefix, sizeof prefix, "fig-%s-", name);
        fprintf(fp, "<figure id=\"fig-%s\">\n<h3>", name);
        esc(fp, figure_text[f].title);
        fputs("</h3>\n", fp);
        if (hs_cli_inline_svg(fp, path, prefix))
            fprintf(fp,
                    "<p class=\"note\">No figure: plots/%s.svg is missing or not an SVG "
                    "file.</p>\n",
                    name);
        else
            shown++;
        fputs("<figcaption>", fp);
        snprintf(path, sizeof path, "%s/pnl.csv", pg->dir);
        struct stat st;
        if (!strcmp(name, "pnl_density") && stat(path, &st) != 0)
            esc(fp, "The density of the P&L at maturity per strategy (time-T money) that its "
                    "quantiles imply: between two neighbouring quantiles of min, 1%, 5%, 50%, "
                    "95%, 99%, max, the probability between them (1%, 4%, 45%, 45%, 4%, 1%) "
                    "spread evenly. The run kept no per-path P&L; with --pnl this is a kernel "
                    "density.");
        else
            esc(fp, figure_text[f].caption);
        fputs("</figcaption>\n</figure>\n", fp);
    }
    if (!shown && pg->gnuplot && !pg->plot_failed)
        fputs("<p>No figure applies to this run.</p>\n", fp);
}

/* One of the per-run parts under its heading; in a grid run once per grid value. */
enum { PART_RESULTS, PART_ATTRIBUTION, PART_PAIRS, PART_CONVERGENCE };
static void section_runs(FILE *fp, const page *pg, int part)
{
    static const char *const ids[4] = {"results", "attribution", "pairs", "convergence"};
    static const char *const titles[4] = {"Results per strategy",
                                          "P&amp;L attribution (means and standard deviations)",
                                          "Paired comparisons", "Convergence fit"};
    fprintf(fp, "<h2 id=\"%s\">%s</h2>\n", ids[part], titles[part]);
    size_t i;
    json_t *run;
    json_array_foreach(pg->runs, i, run)
    {
        if (pg->grid_key) {
            fputs("<h3>", fp);
            esc(fp, pg->grid_key);
            fputs(" = ", fp);
            value(fp, get(run, "grid_value"), 6);
            fputs("</h3>\n", fp);
        }
        if (part == PART_RESULTS)
            table_results(fp, run);
        else if (part == PART_ATTRIBUTION)
            table_attribution(fp, run);
        else if (part == PART_PAIRS)
            table_pairs(fp, pg, run);
        else
            table_convergence(fp, run);
    }
}

/* ---- the page ------------------------------------------------------------------------ */

static int write_page(FILE *fp, const void *user)
{
    const page *pg = user;
    json_t *first = json_array_get(pg->runs, 0);
    const char *name = getstr(first, "scenario");
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>",
          fp);
    esc(fp, name);
    fputs(" &#8211; hedgesim report</title>\n<style>\n", fp);
    fputs(style, fp);
    fputs("</style>\n</head>\n<body>\n<h1>", fp);
    esc(fp, name);
    fputs("</h1>\n<p>", fp);
    esc(fp, getstr(first, "description"));
    fputs("</p>\n<p class=\"meta\">", fp);
    fputs("Model ", fp);
    esc(fp, getstr(first, "model.type"));
    fputs(" &#183; ", fp);
    value(fp, get(first, "paths"), 6);
    fputs(" paths &#215; ", fp);
    value(fp, get(first, "steps"), 6);
    fputs(" steps over ", fp);
    num(fp, getnum(first, "horizon"), 6);
    fputs(" years &#183; seed ", fp);
    value(fp, get(first, "seed"), 6);
    fputs(" &#183; ", fp);
    value(fp, get(first, "threads"), 6);
    fputs(" threads &#183; ", fp);
    double seconds = 0;
    size_t i;
    json_t *run;
    json_array_foreach(pg->runs, i, run) seconds += getnum(run, "timing.seconds");
    num(fp, seconds, 4);
    fputs(" s", fp);
    if (pg->grid_key) {
        fprintf(fp, " &#183; grid over ");
        esc(fp, pg->grid_key);
        fprintf(fp, " (%zu runs)", json_array_size(pg->runs));
    }
    fputs("</p>\n<nav><a href=\"#results\">Results</a>", fp);
    if (hs_cli_html_has_risk(pg->runs))
        fputs("<a href=\"#horizon-risk\">Horizon risk</a>", fp);
    fputs("<a href=\"#scenario\">Scenario</a>"
          "<a href=\"#attribution\">Attribution</a><a href=\"#pairs\">Pairs</a>"
          "<a href=\"#convergence\">Convergence</a><a href=\"#figures\">Figures</a></nav>\n",
          fp);

    /* The sections, in reading order: the headline results first, where a risk team
     * looks without scrolling.  A new section is one more call here. */
    section_runs(fp, pg, PART_RESULTS);
    hs_cli_html_risk(fp, pg->runs, pg->grid_key); /* [risk] only (html_risk.c) */
    section_scenario(fp, pg);
    section_runs(fp, pg, PART_ATTRIBUTION);
    section_runs(fp, pg, PART_PAIRS);
    section_runs(fp, pg, PART_CONVERGENCE);
    section_figures(fp, pg);
    fputs("<footer>Written by hedgesim from the files in ", fp);
    esc(fp, pg->shown);
    fputs(" (summary.json, pairs.csv, plots/*.svg); the CSV files there hold every number at "
          "full precision.</footer>\n</body>\n</html>\n",
          fp);
    return ferror(fp) ? -1 : 0;
}

int hs_cli_report(const char *dir)
{
    return hs_cli_report_as(dir, dir);
}

int hs_cli_report_as(const char *dir, const char *shown)
{
    int rc = hs_cli_check_run_dir("report", dir);
    if (rc)
        return rc;
    char path[PATH_LEN];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    json_error_t jerr;
    page pg = {0};
    pg.dir = dir;
    pg.shown = shown;
    /* A regular file of bounded size without NUL bytes, before jansson reads it. */
    char *text;
    size_t len;
    hs_error ferr;
    if (hs_file_read(path, HS_FILE_LIMIT, "the JSON summary of a run", 1, &text, &len, &ferr)) {
        fprintf(stderr, "hedgesim: report: %s\n", ferr.msg);
        return 2;
    }
    pg.root = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!pg.root || !json_is_object(pg.root)) {
        fprintf(stderr, "hedgesim: report: %s:%d: not a JSON summary: %s\n", path, jerr.line,
                pg.root ? "expected an object" : jerr.text);
        json_decref(pg.root);
        return 2;
    }
    json_t *runs = json_object_get(pg.root, "runs");
    if (json_is_array(runs)) {
        pg.runs = json_incref(runs);
        pg.grid_key = json_string_value(get(pg.root, "grid.key"));
    } else {
        pg.runs = json_array();
        json_array_append(pg.runs, pg.root);
    }
    if (!json_array_size(pg.runs) ||
        !json_is_array(get(json_array_get(pg.runs, 0), "strategies"))) {
        fprintf(stderr,
                "hedgesim: report: %s: no strategies (expected the summary of a run, "
                "docs/outputs.md)\n",
                path);
        json_decref(pg.runs);
        json_decref(pg.root);
        return 2;
    }

    /* Draw the figures first when one that applies has no SVG yet. */
    char gnuplot[PATH_LEN];
    pg.gnuplot = hs_cli_find_gnuplot(gnuplot, sizeof gnuplot) == 0;
    int missing = 0;
    for (int f = 0; f < HS_N_FIGURES; f++) {
        snprintf(path, sizeof path, "%s/plots/%s.svg", dir, hs_cli_figures[f]);
        struct stat st;
        if (hs_cli_figure_applies(dir, hs_cli_figures[f]) && stat(path, &st) != 0)
            missing = 1;
    }
    if (missing && pg.gnuplot)
        pg.plot_failed = hs_cli_plot(dir, 1) != 0;

    snprintf(path, sizeof path, "%s/pairs.csv", dir);
    pg.have_pairs = hs_csv_read(path, 0, &pg.pairs, NULL) == HS_OK;

    hs_error err;
    hs_error_clear(&err);
    snprintf(path, sizeof path, "%s/report.html", dir);
    hs_status st = hs_write_atomic(path, write_page, &pg, &err);
    if (st)
        fprintf(stderr, "hedgesim: report: %s\n", err.msg);
    if (pg.have_pairs)
        hs_csv_free(&pg.pairs);
    json_decref(pg.runs);
    json_decref(pg.root);
    return st ? 1 : 0;
}
