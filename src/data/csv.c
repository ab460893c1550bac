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
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "hedgesim/csv.h"

/* The longest piece of a bad value quoted in a message: enough to recognise it. */
#define SHOW "40"

typedef struct reader {
    const char *path;
    char *p, *end; /* the unread part of the buffer; *end is a '\0' we may overwrite */
    size_t line;   /* line number of *p, from 1 */
    char **field;  /* fields of the current record, pointing into the buffer */
    size_t *fline; /* the line each field starts on */
    size_t nf, cap;
} reader;

/* What a file that is not a regular one is, for messages. */
static const char *file_kind(mode_t mode)
{
    return S_ISDIR(mode)    ? "a directory"
           : S_ISFIFO(mode) ? "a FIFO (named pipe)"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a regular file";
}

hs_status hs_file_open_regular(const char *path, size_t limit, const char *expected, int *fd,
                               hs_error *err)
{
    *fd = -1;
    /* O_NONBLOCK: opening a FIFO for reading blocks until a writer comes, so the check
     * below has to happen on a descriptor opened without waiting. */
    int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (f < 0)
        return hs_error_set(err, HS_EINPUT, "%s: cannot open the file: %s (expected %s)", path,
                            strerror(errno), expected);
    struct stat st;
    if (fstat(f, &st) != 0) {
        int e = errno;
        close(f);
        return hs_error_set(err, HS_EINPUT, "%s: cannot read the file: %s (expected %s)", path,
                            strerror(e), expected);
    }
    if (!S_ISREG(st.st_mode)) {
        close(f);
        return hs_error_set(err, HS_EINPUT, "%s: is %s (expected %s, a regular file)", path,
                            file_kind(st.st_mode), expected);
    }
    if ((uintmax_t)st.st_size > (uintmax_t)limit) {
        close(f);
        return hs_error_set(err, HS_EINPUT,
                            "%s: the file is %jd bytes, over the limit of %zu MiB (expected %s "
                            "of at most %zu bytes)",
                            path, (intmax_t)st.st_size, limit >> 20, expected, limit);
    }
    int flags = fcntl(f, F_GETFL);
    if (flags < 0 || fcntl(f, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        int e = errno;
        close(f);
        return hs_error_set(err, HS_EINPUT, "%s: cannot read the file: %s (expected %s)", path,
                            strerror(e), expected);
    }
    *fd = f;
    return HS_OK;
}

hs_status hs_file_read(const char *path, size_t limit, const char *expected, int text, char **out,
                       size_t *len, hs_error *err)
{
    *out = NULL;
    *len = 0;
    int fd;
    hs_status st = hs_file_open_regular(path, limit, expected, &fd, err);
    if (st)
        return st;
    struct stat info;
    size_t cap = fstat(fd, &info) == 0 && info.st_size > 0 ? (size_t)info.st_size + 1 : 4096;
    size_t n = 0;
    char *buf = malloc(cap);
    int e = 0;
    while (buf) {
        if (n + 1 >= cap) {
            /* The file grew after the check: read on, up to the limit. */
            char *grown = realloc(buf, 2 * cap);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            e = errno;
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (n > limit)
            break;
    }
    close(fd);
    if (!buf)
        return hs_error_set(err, HS_ERUNTIME, "%s: out of memory reading the file", path);
    if (e || n > limit) {
        free(buf);
        if (e)
            return hs_error_set(err, HS_EINPUT, "%s: cannot read the file: %s (expected %s)", path,
                                strerror(e), expected);
        return hs_error_set(err, HS_EINPUT,
                            "%s: the file grew past the limit of %zu MiB while being read "
                            "(expected %s of at most %zu bytes)",
                            path, limit >> 20, expected, limit);
    }
    buf[n] = '\0';
    const char *nul = text ? memchr(buf, '\0', n) : NULL;
    if (nul) {
        size_t line = 1;
        const char *start = buf;
        for (const char *p = buf; p < nul; p++)
            if (*p == '\n') {
                line++;
                start = p + 1;
            }
        size_t col = (size_t)(nul - start) + 1;
        free(buf);
        return hs_error_set(err, HS_EINPUT,
                            "%s:%zu: a NUL byte at character %zu of the line (expected %s: "
                            "text, without NUL bytes)",
                            path, line, col, expected);
    }
    *out = buf;
    *len = n;
    return HS_OK;
}

/* What a price file should be, for the messages of the file checks. */
#define EXPECTED_PRICES "a CSV file of prices with a header row"

static hs_status push_field(reader *r, char *text, size_t line, hs_error *err)
{
    if (r->nf == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        char **grown = realloc(r->field, cap * sizeof *grown);
        if (!grown)
            return hs_error_set(err, HS_ERUNTIME, "%s: out of memory reading the file", r->path);
        r->field = grown;
        size_t *lines = realloc(r->fline, cap * sizeof *lines);
        if (!lines)
            return hs_error_set(err, HS_ERUNTIME, "%s: out of memory reading the file", r->path);
        r->fline = lines;
        r->cap = cap;
    }
    r->fline[r->nf] = line;
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
            size_t at = r->line;          /* the line the field starts on */
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
            hs_status st = push_field(r, s, at, err);
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
    free(s->lines);
    free(s->column);
    memset(s, 0, sizeof *s);
}

/* Append one row to *s, growing its arrays; *cap is their capacity. */
static int append(hs_series *s, size_t *cap, double value, size_t line, const char *date,
                  int want_dates)
{
    if (s->n == *cap) {
        size_t c = *cap ? 2 * *cap : 256;
        double *v = realloc(s->values, c * sizeof *v);
        if (!v)
            return 0;
        s->values = v;
        size_t *l = realloc(s->lines, c * sizeof *l);
        if (!l)
            return 0;
        s->lines = l;
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
    s->lines[s->n] = line;
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
    out->column = copy_text(column);
    if (!out->column)
        return hs_error_set(err, HS_ERUNTIME, "%s: out of memory", r->path);

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
        line = r->fline[ci]; /* the value's own line (a quoted field before it may span
                              * several) */
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
        if (!append(out, &cap, v, line, di >= 0 ? r->field[di] : NULL, date_column != NULL))
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
    hs_status st = hs_file_read(path, HS_FILE_LIMIT, EXPECTED_PRICES, 1, &buf, &len, err);
    if (st)
        return st;
    /* A UTF-8 byte order mark (spreadsheets write one) is not part of the first name. */
    size_t bom = len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
    reader r = {path, buf + bom, buf + len, 1, NULL, NULL, 0, 0};
    st = read_rows(&r, column, date_column, out, err);
    free(r.field);
    free(r.fline);
    free(buf);
    if (st)
        hs_series_free(out);
    return st;
}
