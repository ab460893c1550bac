/*
 * Reading one price series from a CSV file (csv.h).
 *
 * The grammar is RFC 4180 (Y. Shafranovich, "Common Format and MIME Type for
 * Comma-Separated Values (CSV) Files", 2005, section 2): records separated by line
 * breaks, fields by commas, a field optionally enclosed in double quotes, a quote inside
 * such a field written twice, and quoted fields free to hold commas and line breaks.  We
 * add the tolerances real files need: LF as well as CRLF, spaces around fields and blank
 * lines ignored.  The first non-blank record is the header.
 *
 * The whole file is read into one buffer and split in place: a field's text is
 * unescaped over its own bytes (the unescaped text is never longer), so the parser
 * allocates nothing per field.  Numbers are read with strtod and must use every
 * character of the field.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hedgesim/csv.h"

/* The longest piece of a bad value quoted in a message: enough to recognise it. */
#define SHOW "40"

typedef struct reader {
    const char *path;
    char *p, *end; /* the unread part of the buffer; *end is a '\0' we may overwrite */
    size_t line;   /* line number of *p, from 1 */
    char **field;  /* fields of the current record, pointing into the buffer */
    size_t nf, cap;
} reader;

/* Read the whole file at path into a '\0'-terminated buffer. */
static hs_status slurp(const char *path, char **out, size_t *len, hs_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return hs_error_set(err, HS_EINPUT,
                            "%s: cannot open the file: %s (expected a CSV "
                            "file of prices with a header row)",
                            path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            break;
        if (n + 1 >= cap) {
            char *grown = realloc(buf, 2 * cap);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf)
        return hs_error_set(err, HS_ERUNTIME, "%s: out of memory reading the file", path);
    if (failed) {
        free(buf);
        return hs_error_set(err, HS_EINPUT,
                            "%s: cannot read the file (expected a readable "
                            "CSV file of prices)",
                            path);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return HS_OK;
}

static hs_status push_field(reader *r, char *text, hs_error *err)
{
    if (r->nf == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        char **grown = realloc(r->field, cap * sizeof *grown);
        if (!grown)
            return hs_error_set(err, HS_ERUNTIME, "%s: out of memory reading the file", r->path);
        r->field = grown;
        r->cap = cap;
    }
    r->field[r->nf++] = text;
    return HS_OK;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Split the next record into r->field (r->nf fields) and set *line to the line it
 * starts on.  *got is 0 at the end of the file.  Blank lines are skipped. */
static hs_status next_record(reader *r, size_t *line, int *got, hs_error *err)
{
    *got = 0;
    while (r->p < r->end) {
        *line = r->line;
        r->nf = 0;
        int quoted = 0;
        char d; /* the character that ended the last field: ',', '\n' or '\0' (end) */
        do {
            char *s = r->p, *stop, *last; /* last: where the field's '\0' goes */
            while (s < r->end && is_blank(*s))
                s++;
            if (s < r->end && *s == '"') {
                /* Quoted: copy the content down over the opening quote, undoubling "". */
                char *in = s + 1;
                last = s;
                quoted = 1;
                for (;;) {
                    if (in >= r->end)
                        return hs_error_set(err, HS_EINPUT,
                                            "%s:%zu: a quoted field is not "
                                            "closed (expected a closing \")",
                                            r->path, *line);
                    if (*in == '"') {
                        if (in + 1 < r->end && in[1] == '"') {
                            *last++ = '"';
                            in += 2;
                            continue;
                        }
                        in++;
                        break;
                    }
                    if (*in == '\n')
                        r->line++;
                    *last++ = *in++;
                }
                while (in < r->end && (is_blank(*in) || *in == '\r'))
                    in++;
                if (in < r->end && *in != ',' && *in != '\n')
                    return hs_error_set(err, HS_EINPUT,
                                        "%s:%zu: unexpected '%c' after a "
                                        "quoted field (expected a comma or the end of the "
                                        "line)",
                                        r->path, r->line, *in);
                stop = in;
            } else {
                stop = s;
                while (stop < r->end && *stop != ',' && *stop != '\n')
                    stop++;
                last = stop;
                while (last > s && (is_blank(last[-1]) || last[-1] == '\r'))
                    last--;
            }
            /* Read the delimiter before terminating the field: the '\0' may go on it.
             * (In a quoted field last < stop: the closing quote lies between.) */
            d = stop < r->end ? *stop : '\0';
            *last = '\0';
            hs_status st = push_field(r, s, err);
            if (st)
                return st;
            r->p = stop < r->end ? stop + 1 : r->end;
        } while (d == ',');
        if (d == '\n')
            r->line++;
        /* A line holding nothing (or only spaces) is not a record. */
        if (r->nf == 1 && !quoted && r->field[0][0] == '\0')
            continue;
        *got = 1;
        return HS_OK;
    }
    return HS_OK;
}

/* A whole field as a number: strtod must use every character. */
static int parse_number(const char *text, double *value)
{
    char *end;
    if (!*text)
        return 0;
    *value = strtod(text, &end);
    return *end == '\0';
}

/* Copy of a '\0'-terminated string (strdup is POSIX, not C11). */
static char *copy_text(const char *text)
{
    size_t n = strlen(text) + 1;
    char *c = malloc(n);
    if (c)
        memcpy(c, text, n);
    return c;
}

/* Index of the header field named name, -1 if none, -2 if more than one. */
static long find_column(const reader *r, const char *name)
{
    long found = -1;
    for (size_t i = 0; i < r->nf; i++)
        if (strcmp(r->field[i], name) == 0) {
            if (found >= 0)
                return -2;
            found = (long)i;
        }
    return found;
}

/* "no column" message listing the header's names (truncated to fit). */
static hs_status unknown_column(const reader *r, size_t line, const char *name, long idx,
                                hs_error *err)
{
    if (idx == -2)
        return hs_error_set(err, HS_EINPUT,
                            "%s:%zu: column '%s' appears more than once in "
                            "the header (expected unique column names)",
                            r->path, line, name);
    char list[512];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < r->nf; i++) {
        int n = snprintf(list + used, sizeof list - used, "%s'%s'", i ? ", " : "", r->field[i]);
        if (n < 0 || (size_t)n >= sizeof list - used) {
            /* Cut the list at a name boundary and say that more follow. */
            size_t at = used < sizeof list - 6 ? used : sizeof list - 6;
            memcpy(list + at, ", ...", 6);
            break;
        }
        used += (size_t)n;
    }
    return hs_error_set(err, HS_EINPUT, "%s:%zu: no column '%s' in the header (available: %s)",
                        r->path, line, name, list);
}

void hs_series_free(hs_series *s)
{
    if (!s)
        return;
    if (s->dates)
        for (size_t i = 0; i < s->n; i++)
            free(s->dates[i]);
    free(s->dates);
    free(s->values);
    memset(s, 0, sizeof *s);
}

/* Append one row to *s, growing its arrays; *cap is their capacity. */
static int append(hs_series *s, size_t *cap, double value, const char *date, int want_dates)
{
    if (s->n == *cap) {
        size_t c = *cap ? 2 * *cap : 256;
        double *v = realloc(s->values, c * sizeof *v);
        if (!v)
            return 0;
        s->values = v;
        if (want_dates) {
            char **d = realloc(s->dates, c * sizeof *d);
            if (!d)
                return 0;
            s->dates = d;
        }
        *cap = c;
    }
    if (want_dates) {
        char *c = copy_text(date);
        if (!c)
            return 0;
        s->dates[s->n] = c;
    }
    s->values[s->n++] = value;
    return 1;
}

static hs_status read_rows(reader *r, const char *column, const char *date_column, hs_series *out,
                           hs_error *err)
{
    size_t line = 0, cap = 0;
    int got;
    hs_status st = next_record(r, &line, &got, err);
    if (st)
        return st;
    if (!got)
        return hs_error_set(err, HS_EINPUT,
                            "%s: no header row: the file is empty (expected a "
                            "header row naming the columns, e.g. date,price)",
                            r->path);
    size_t header_line = line, n_cols = r->nf, numeric = 0;
    double ignored;
    for (size_t i = 0; i < r->nf; i++)
        numeric += parse_number(r->field[i], &ignored);
    if (numeric == r->nf)
        return hs_error_set(err, HS_EINPUT,
                            "%s:%zu: no header row: the first row '%." SHOW
                            "s' holds only numbers (expected a header row naming the columns)",
                            r->path, line, r->field[0]);
    long ci = find_column(r, column), di = -1;
    if (ci < 0)
        return unknown_column(r, line, column, ci, err);
    if (date_column) {
        di = find_column(r, date_column);
        if (di < 0)
            return unknown_column(r, line, date_column, di, err);
    }
    snprintf(out->column, sizeof out->column, "%s", column);

    for (;;) {
        st = next_record(r, &line, &got, err);
        if (st || !got)
            break;
        if (r->nf != n_cols)
            return hs_error_set(err, HS_EINPUT,
                                "%s:%zu: %zu field%s where the header (line "
                                "%zu) has %zu (expected one field per column)",
                                r->path, line, r->nf, r->nf == 1 ? "" : "s", header_line, n_cols);
        const char *text = r->field[ci];
        double v;
        if (!*text)
            return hs_error_set(err, HS_EINPUT,
                                "%s:%zu: column '%s' is empty (expected a "
                                "finite number)",
                                r->path, line, column);
        if (!parse_number(text, &v))
            return hs_error_set(err, HS_EINPUT,
                                "%s:%zu: column '%s' = '%." SHOW "s' is not a "
                                "number (expected a finite number such as 1628.75)",
                                r->path, line, column, text);
        if (!isfinite(v))
            return hs_error_set(err, HS_EINPUT,
                                "%s:%zu: column '%s' = '%." SHOW "s' is not "
                                "finite (expected a finite number)",
                                r->path, line, column, text);
        if (!append(out, &cap, v, di >= 0 ? r->field[di] : NULL, date_column != NULL))
            return hs_error_set(err, HS_ERUNTIME, "%s:%zu: out of memory", r->path, line);
    }
    if (st)
        return st;
    if (out->n < 2)
        return hs_error_set(err, HS_EINPUT,
                            "%s: column '%s' has %zu data row%s (expected at "
                            "least 2 rows after the header: a return needs two prices)",
                            r->path, column, out->n, out->n == 1 ? "" : "s");
    return HS_OK;
}

hs_status hs_series_read_csv(const char *path, const char *column, const char *date_column,
                             hs_series *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    if (!path || !*path)
        return hs_error_set(err, HS_EINPUT, "no CSV file given (expected a file name)");
    if (!column || !*column)
        return hs_error_set(err, HS_EINPUT,
                            "%s: no column given (expected the name of a "
                            "column of prices)",
                            path);
    char *buf = NULL;
    size_t len = 0;
    hs_status st = slurp(path, &buf, &len, err);
    if (st)
        return st;
    reader r = {path, buf, buf + len, 1, NULL, 0, 0};
    st = read_rows(&r, column, date_column, out, err);
    free(r.field);
    free(buf);
    if (st)
        hs_series_free(out);
    return st;
}
