/*
 * A small reader of the CSV files a run writes (docs/outputs.md), for the plot and
 * report commands: a header row, comma separators, fields quoted as in RFC 4180 section 2
 * (a field holding a comma or a quote is quoted, a quote inside doubled), one record per
 * line.  Cells are kept as text; hs_csv_num reads a number and gives NaN for an empty
 * cell, which is how the writers spell a quantity that does not apply.
 */
#ifndef HEDGESIM_CLI_CSV_H
#define HEDGESIM_CLI_CSV_H

#include <stddef.h>

#include "hedgesim/error.h"

typedef struct hs_csv {
    size_t n_cols, n_rows;
    char **head; /* n_cols column names */
    char **cell; /* n_rows * n_cols cells, row after row; a short row is padded with "" */
} hs_csv;

/* Read the header and at most max_rows rows (0: all) of the file at path into *out.
 * A missing or unreadable file, one that is not a regular file, a NUL byte or more than
 * HS_FILE_LIMIT bytes read is HS_EINPUT; out of memory HS_ERUNTIME. */
hs_status hs_csv_read(const char *path, size_t max_rows, hs_csv *out, hs_error *err);
void hs_csv_free(hs_csv *csv);

/* The index of the column named name, or -1. */
int hs_csv_col(const hs_csv *csv, const char *name);
/* The text of a cell; "" for a column of -1 or a row out of range. */
const char *hs_csv_get(const hs_csv *csv, size_t row, int col);
/* The number in a cell; NaN when it is empty or not a number. */
double hs_csv_num(const hs_csv *csv, size_t row, int col);

#endif
