/*
 * The "Horizon risk" section of report.html (html_risk.h; docs/outputs.md, "Horizon
 * risk"): per run, a table of the marked-to-market P&L at each horizon (mean, std, VaR
 * and ES at 95% and 99%, each with its 95% interval below it), a table of the P&L
 * explain (mean and std of each term), and the drawdown (mean, q95, q99, max).  The
 * numbers are summary.json's; every text is escaped, the markup well-formed XML as
 * the rest of the page (html.c).
 */
#define _POSIX_C_SOURCE 200809L
#include "html_risk.h"

#include <math.h>
#include <string.h>

#define DASH "\xe2\x80\x93"

static void esc(FILE *fp, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '&':
            fputs("&amp;", fp);
            break;
        case '<':
            fputs("&lt;", fp);
            break;
        case '>':
            fputs("&gt;", fp);
            break;
        case '"':
            fputs("&quot;", fp);
            break;
        case '\'':
            fputs("&#39;", fp);
            break;
        default:
            if ((unsigned char)*s >= 0x20)
                fputc(*s, fp);
        }
}

static void num(FILE *fp, double v, int digits)
{
    if (v == 0)
        v = 0;
    if (isfinite(v))
        fprintf(fp, "%.*g", digits, v);
    else
        fputs(DASH, fp);
}

static double getnum(json_t *o, const char *a, const char *b)
{
    json_t *x = json_object_get(o, a);
    if (b)
        x = json_object_get(x, b);
    return json_is_number(x) ? json_number_value(x) : NAN;
}

static void td_stat(FILE *fp, json_t *h, const char *key)
{
    fputs("<td>", fp);
    num(fp, getnum(h, "pnl", key), 5);
    json_t *ci = json_object_get(json_object_get(h, "ci"), key);
    if (json_array_size(ci) == 2) {
        fputs("<br/><span class=\"ci\">[", fp);
        num(fp, json_number_value(json_array_get(ci, 0)), 4);
        fputs(", ", fp);
        num(fp, json_number_value(json_array_get(ci, 1)), 4);
        fputs("]</span>", fp);
    }
    fputs("</td>", fp);
}

static void td_name(FILE *fp, json_t *s)
{
    fputs("<td class=\"name\">", fp);
    esc(fp, json_string_value(json_object_get(s, "name")));
    fputs("</td>", fp);
}

/* A horizon row's first cells: the strategy, then the horizon in days of 252. */
static void row_start(FILE *fp, json_t *s, json_t *h)
{
    fputs("<tr>", fp);
    td_name(fp, s);
    fputs("<td>", fp);
    num(fp, 252.0 * getnum(h, "time", NULL), 4);
    fputs("</td>", fp);
}

static const char *const terms[8] = {"edge",  "delta", "gamma", "vega",
                                     "theta", "carry", "costs", "residual"};

static void run_tables(FILE *fp, json_t *run)
{
    json_t *strategies = json_object_get(run, "strategies"), *s;
    size_t i;
    fputs("<div class=\"wide\"><table><thead><tr><th>strategy</th><th>horizon (days of "
          "252)</th><th>P&amp;L mean</th><th>P&amp;L std</th><th>VaR 95%</th><th>ES "
          "95%</th><th>VaR 99%</th><th>ES 99%</th><th>5%</th><th>median</th><th>95%</th>"
          "</tr></thead>\n<tbody>\n",
          fp);
    json_array_foreach(strategies, i, s)
    {
        size_t j;
        json_t *h;
        json_array_foreach(json_object_get(s, "horizons"), j, h)
        {
            row_start(fp, s, h);
            static const char *const keys[6] = {"mean", "std", "var95", "es95", "var99", "es99"};
            for (int k = 0; k < 6; k++)
                td_stat(fp, h, keys[k]);
            static const char *const q[3] = {"q05", "q50", "q95"};
            for (int k = 0; k < 3; k++) {
                fputs("<td>", fp);
                num(fp, getnum(h, "pnl", q[k]), 5);
                fputs("</td>", fp);
            }
            fputs("</tr>\n", fp);
        }
    }
    fputs("</tbody></table></div>\n<p class=\"meta\">The book marked to market at each "
          "horizon, in time-h money; VaR and ES are losses, reported as positive numbers; "
          "below each value its 95% confidence interval.</p>\n",
          fp);

    fputs("<div class=\"wide\"><table><thead><tr><th>P&amp;L explain</th><th>days</th>", fp);
    for (int t = 0; t < 8; t++)
        fprintf(fp, "<th>%s</th>", terms[t]);
    fputs("<th>P&amp;L</th></tr></thead>\n<tbody>\n", fp);
    json_array_foreach(strategies, i, s)
    {
        size_t j;
        json_t *h;
        json_array_foreach(json_object_get(s, "horizons"), j, h)
        {
            row_start(fp, s, h);
            json_t *ex = json_object_get(h, "explain");
            for (int t = 0; t < 8; t++) {
                json_t *term = json_object_get(ex, terms[t]);
                fputs("<td>", fp);
                num(fp, getnum(term, "mean", NULL), 4);
                fputs("<br/><span class=\"ci\">std ", fp);
                num(fp, getnum(term, "std", NULL), 3);
                fputs("</span></td>", fp);
            }
            fputs("<td>", fp);
            num(fp, getnum(h, "pnl", "mean"), 4);
            fputs("</td></tr>\n", fp);
        }
    }
    fputs("</tbody></table></div>\n<p class=\"meta\">Means over the paths (std below); on "
          "every path the terms sum to the horizon P&amp;L: first-order Greeks at the start "
          "of each step times the step's moves, the residual closing the sum "
          "(docs/outputs.md).</p>\n",
          fp);

    int dd = 0;
    json_array_foreach(strategies, i, s) dd |= json_object_get(s, "drawdown") != NULL;
    if (!dd)
        return;
    fputs("<div class=\"wide\"><table><thead><tr><th>drawdown</th><th>mean</th><th>95%</th>"
          "<th>99%</th><th>max</th></tr></thead>\n<tbody>\n",
          fp);
    json_array_foreach(strategies, i, s)
    {
        fputs("<tr>", fp);
        td_name(fp, s);
        static const char *const keys[4] = {"mean", "q95", "q99", "max"};
        for (int k = 0; k < 4; k++) {
            fputs("<td>", fp);
            num(fp, getnum(s, "drawdown", keys[k]), 5);
            fputs("</td>", fp);
        }
        fputs("</tr>\n", fp);
    }
    fputs("</tbody></table></div>\n<p class=\"meta\">The largest fall of the marked book "
          "from its running peak over the life, per path.</p>\n",
          fp);
}

int hs_cli_html_has_risk(json_t *runs)
{
    size_t i;
    json_t *run;
    int any = 0;
    json_array_foreach(runs, i, run)
    {
        json_t *s0 = json_array_get(json_object_get(run, "strategies"), 0);
        any |= json_object_get(s0, "horizons") != NULL;
    }
    return any;
}

void hs_cli_html_risk(FILE *fp, json_t *runs, const char *grid_key)
{
    size_t i;
    json_t *run;
    if (!hs_cli_html_has_risk(runs))
        return;
    fputs("<h2 id=\"horizon-risk\">Horizon risk</h2>\n", fp);
    json_array_foreach(runs, i, run)
    {
        if (grid_key) {
            fputs("<h3>", fp);
            esc(fp, grid_key);
            fputs(" = ", fp);
            num(fp, getnum(run, "grid_value", NULL), 6);
            fputs("</h3>\n", fp);
        }
        run_tables(fp, run);
    }
}
