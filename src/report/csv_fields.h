/*
 * Private: the fields of the report's CSV files (csv.c writes them; horizon.c's
 * horizons.csv shares them), RFC 4180.
 */
#ifndef HEDGESIM_REPORT_CSV_FIELDS_H
#define HEDGESIM_REPORT_CSV_FIELDS_H

#include <stdio.h>

#include "hedgesim/report.h"

/* The grid columns that start every CSV row: key and value, or two empty fields. */
void hs_csv_put_grid(const hs_report *rep, FILE *fp);

/* A CSV text field, quoted when it holds a comma, a quote or a newline. */
void hs_csv_put_text(FILE *fp, const char *t);

/* ",number": full precision, empty when not finite (gnuplot reads it as missing). */
void hs_csv_put_num(FILE *fp, double v);

#endif
