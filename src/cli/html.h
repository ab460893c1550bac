/*
 * `hedgesim report DIR`: the run in DIR as one self-contained HTML page, DIR/report.html
 * (inline CSS, the SVG figures inline, nothing fetched from a network): the scenario,
 * the results per strategy with 95% intervals, the P&L attribution, the paired
 * comparisons, the convergence fit and the figures.  The markup is well-formed XML
 * (every element closed, attributes quoted), so that it also reads as XHTML.
 */
#ifndef HEDGESIM_CLI_HTML_H
#define HEDGESIM_CLI_HTML_H

/* Write DIR/report.html atomically, drawing the figures first (hs_cli_plot) when an
 * applicable one has no SVG yet and gnuplot is installed.  Prints one line per problem
 * on stderr.  Returns the exit code: 0 ok, 2 when dir is missing, holds no summary.json
 * or an unreadable one, 1 when the page cannot be written. */
int hs_cli_report(const char *dir);

/* The same, the page naming the directory shown instead of dir (`run --out DIR
 * --report` writes the page in a staging directory that becomes DIR, outset.h). */
int hs_cli_report_as(const char *dir, const char *shown);

#endif
