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
 *
 * Only regular files are read (a FIFO would block forever, /dev/zero never ends), of at
 * most HS_FILE_LIMIT bytes; a NUL byte anywhere is refused with its line (strtod would
 * stop at it and read "101\0junk" as 101); a UTF-8 byte order mark before the header is
 * skipped.  Lines are physical lines of the file, from 1, the header included, a quoted
 * field over several lines counting each of them.
 */
#ifndef HEDGESIM_CSV_H
#define HEDGESIM_CSV_H

#include <stddef.h>

#include "hedgesim/error.h"

/* The largest file the readers accept (price series, run files, summary.json): 256 MiB,
 * some hundred times the largest real series, so that a wrong file name (a disk image,
 * /dev/zero) fails at once instead of filling the memory. */
#define HS_FILE_LIMIT ((size_t)256 << 20)

typedef struct hs_series {
    size_t n;       /* number of values (data rows) */
    double *values; /* [n] the numeric column, in file order */
    size_t *lines;  /* [n] the line of the file each value is on (for messages) */
    char **dates;   /* [n] the date column as text; NULL if no date column was asked for */
    char *column;   /* name of the numeric column (a copy, freed by hs_series_free) */
} hs_series;

/* Read column `column` (and `date_column` unless NULL) of the CSV file at path into
 * *out, which is overwritten.  On failure *out is left empty (n = 0, NULL arrays), so
 * hs_series_free on it is harmless, and nothing is allocated. */
hs_status hs_series_read_csv(const char *path, const char *column, const char *date_column,
                             hs_series *out, hs_error *err);

/* Free what a successful read allocated and empty *s.  NULL-safe and idempotent. */
void hs_series_free(hs_series *s);

/* Open path for reading when it is a regular file of at most limit bytes (checked on
 * the open descriptor, which was opened without blocking, so that a FIFO with no writer
 * cannot hang the check; the descriptor is returned blocking).  `expected` completes the
 * messages: "(expected EXPECTED)".  HS_EINPUT naming the file and what it is otherwise
 * (a directory, a FIFO, a device, too large). */
hs_status hs_file_open_regular(const char *path, size_t limit, const char *expected, int *fd,
                               hs_error *err);

/* The whole of such a file in a '\0'-terminated buffer of *len bytes (free() it).  With
 * text set, a NUL byte in the file is refused with its line ("FILE:LINE: a NUL byte"). */
hs_status hs_file_read(const char *path, size_t limit, const char *expected, int text, char **out,
                       size_t *len, hs_error *err);

#endif
