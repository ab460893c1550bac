/*
 * A small reader of price series from CSV files, for the models that run on real data
 * (bootstrap, replay; issue 3).
 *
 * Format: RFC 4180 (Shafranovich 2005, section 2) with the usual tolerances: a header
 * row naming the columns is required; fields are separated by commas; a field may be
 * quoted ("..."), a quote inside a quoted field is doubled ("") and a quoted field may
 * hold commas and line breaks; lines may end in CRLF or LF; spaces around a field and
 * blank lines are ignored.  Every row must have as many fields as the header.
 *
 * One numeric column is read (and optionally one text column of dates or times, kept as
 * strings).  Every value of the numeric column must be a finite number; a file with
 * fewer than 2 data rows is refused, since a series of prices needs at least one return.
 * Every failure is HS_EINPUT (HS_ERUNTIME for out of memory) with one line naming the
 * file, the line, the column, the value and what was expected, and leaves *out empty.
 */
#ifndef HEDGESIM_CSV_H
#define HEDGESIM_CSV_H

#include <stddef.h>

#include "hedgesim/error.h"

typedef struct hs_series {
    size_t n;        /* number of values (data rows) */
    double *values;  /* [n] the numeric column, in file order */
    char **dates;    /* [n] the date column as text; NULL if no date column was asked for */
    char column[64]; /* name of the numeric column (truncated to 63 bytes) */
} hs_series;

/* Read column `column` (and `date_column` unless NULL) of the CSV file at path into
 * *out, which is overwritten.  On failure *out is left empty (n = 0, NULL arrays), so
 * hs_series_free on it is harmless, and nothing is allocated. */
hs_status hs_series_read_csv(const char *path, const char *column, const char *date_column,
                             hs_series *out, hs_error *err);

/* Free what a successful read allocated and empty *s.  NULL-safe and idempotent. */
void hs_series_free(hs_series *s);

#endif
