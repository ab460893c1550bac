/*
 * The report page's section on horizon risk ([risk], issue 13), from summary.json: for
 * each run whose strategies carry `horizons`, the horizon P&L statistics with their
 * intervals, the explain's means (and stds) and the drawdown.  Nothing for a run
 * without [risk].
 */
#ifndef HEDGESIM_CLI_HTML_RISK_H
#define HEDGESIM_CLI_HTML_RISK_H

#include <jansson.h>
#include <stdio.h>

/* Whether any run of the page has horizon results (the page then links the section). */
int hs_cli_html_has_risk(json_t *runs);

/* runs: the run summaries (one, or one per grid value); grid_key NULL outside a grid. */
void hs_cli_html_risk(FILE *fp, json_t *runs, const char *grid_key);

#endif
