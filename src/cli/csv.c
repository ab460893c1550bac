/*
 * CSV reader for the files of a run (docs/outputs.md): RFC 4180 section 2 quoting,
 * one record per line.  Used by the plot command to see which figures apply and by the
 * report to read pairs.csv; small files, so every cell is its own allocation.  Only
 * regular files are read (hs_file_open_regular), at most HS_FILE_LIMIT bytes of them; a
 * NUL byte is refused with its line; a UTF-8 byte order mark before the header skipped.
 */
#define _POSIX_C_SOURCE 200809L
#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hedgesim/csv.h"

/* A growable array of strings. */
typedef struct strvec {
    char **v;
    size_t n, cap;
} strvec;

static int strvec_push(strvec *s, const char *text, size_t len)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        char **v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    char *t = malloc(len + 1);
    if (!t)
        return -1;
    memcpy(t, text, len);
    t[len] = '\0';
    s->v[s->n++] = t;
    return 0;
}

static void strvec_free(strvec *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* Split one line into fields appended to out; the field text is unquoted in place in
 * scratch (at least as long as the line).  Returns the number of fields, or -1. */
static long split_line(const char *line, char *scratch, strvec *out)
{
    long n = 0;
    const char *p = line;
    for (;;) {
        size_t len = 0;
        if (*p == '"') {
            /* Quoted: up to the lone closing quote; "" stands for one quote. */
            for (p++; *p; p++) {
                if (*p == '"' && p[1] == '"')
                    scratch[len++] = *p++;
                else if (*p == '"')
                    break;
                else
                    scratch[len++] = *p;
            }
            if (*p == '"')
                p++;
            while (*p && *p != ',') /* text after the closing quote is kept too */
                scratch[len++] = *p++;
        } else
            while (*p && *p != ',')
                scratch[len++] = *p++;
        if (strvec_push(out, scratch, len))
            return -1;
        n++;
        if (*p != ',')
            return n;
        p++;
    }
}

/* Read one line of fp into *line (without its line break), growing it; *total counts
 * the bytes read from the file so far.  Returns the length, -1 at the end of the file,
 * -2 out of memory, -3 past HS_FILE_LIMIT, -4 a NUL byte (at character *nul). */
static long read_line(FILE *fp, char **line, size_t *cap, size_t *total, size_t *nul)
{
    size_t n = 0;
    int c;
    while ((c = getc(fp)) != EOF) {
        if (++*total > HS_FILE_LIMIT)
            return -3;
        if (c == '\0') {
            *nul = n + 1;
            return -4;
        }
        if (n + 1 >= *cap) {
            size_t grown_cap = *cap ? 2 * *cap : 256;
            char *grown = realloc(*line, grown_cap);
            if (!grown)
                return -2;
            *line = grown;
            *cap = grown_cap;
        }
        if (c == '\n')
            break;
        (*line)[n++] = (char)c;
    }
    if (c == EOF && n == 0)
        return -1;
    (*line)[n] = '\0';
    return (long)n;
}

#define EXPECTED_RUN_CSV "a CSV file written by a run (docs/outputs.md)"

hs_status hs_csv_read(const char *path, size_t max_rows, hs_csv *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    /* A regular file only (a FIFO would block, /dev/zero never ends); its size is not
     * limited here, since only max_rows rows of pnl.csv are read, but what is read is. */
    int fd;
    hs_status st = hs_file_open_regular(path, SIZE_MAX, EXPECTED_RUN_CSV, &fd, err);
    if (st)
        return st;
    FILE *fp = fdopen(fd, "r");
    if (!fp) {
        close(fd);
        return hs_error_set(err, HS_ERUNTIME, "%s: cannot read: %s", path, strerror(errno));
    }
    strvec head = {0}, cells = {0};
    char *line = NULL, *scratch = NULL;
    size_t cap = 0, scratch_cap = 0, rows = 0, total = 0, line_no = 0, nul = 0;
    long got;
    while ((got = read_line(fp, &line, &cap, &total, &nul)) >= -1) {
        if (got == -1)
            break;
        line_no++;
        char *text = line;
        /* A UTF-8 byte order mark before the header is not part of the first name. */
        if (line_no == 1 && got >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
            text += 3;
            got -= 3;
        }
        while (got > 0 && text[got - 1] == '\r')
            text[--got] = '\0';
        if ((size_t)got + 1 > scratch_cap) {
            char *s = realloc(scratch, (size_t)got + 1);
            if (!s) {
                st = hs_error_set(err, HS_ERUNTIME, "%s: out of memory", path);
                break;
            }
            scratch = s;
            scratch_cap = (size_t)got + 1;
        }
        if (!head.n) {
            if (split_line(text, scratch, &head) < 0)
                st = hs_error_set(err, HS_ERUNTIME, "%s: out of memory", path);
            if (st)
                break;
            continue;
        }
        if (!got)
            continue;
        if (max_rows && rows == max_rows)
            break;
        size_t before = cells.n;
        if (split_line(text, scratch, &cells) < 0) {
            st = hs_error_set(err, HS_ERUNTIME, "%s: out of memory", path);
            break;
        }
        /* Keep every row head.n cells wide: pad a short row, drop surplus cells. */
        while (cells.n - before < head.n)
            if (strvec_push(&cells, "", 0)) {
                st = hs_error_set(err, HS_ERUNTIME, "%s: out of memory", path);
                break;
            }
        while (!st && cells.n - before > head.n)
            free(cells.v[--cells.n]);
        if (st)
            break;
        rows++;
    }
    if (!st && got == -2)
        st = hs_error_set(err, HS_ERUNTIME, "%s: out of memory", path);
    if (!st && got == -3)
        st = hs_error_set(err, HS_EINPUT,
                          "%s: more than %zu MiB read (expected %s of at most %zu bytes)", path,
                          HS_FILE_LIMIT >> 20, EXPECTED_RUN_CSV, HS_FILE_LIMIT);
    if (!st && got == -4)
        st = hs_error_set(err, HS_EINPUT,
                          "%s:%zu: a NUL byte at character %zu of the line (expected %s: text, "
                          "without NUL bytes)",
                          path, line_no + 1, nul, EXPECTED_RUN_CSV);
    if (!st && ferror(fp))
        st = hs_error_set(err, HS_ERUNTIME, "%s: read error", path);
    if (!st && !head.n)
        st = hs_error_set(err, HS_EINPUT, "%s: empty file (expected a header row)", path);
    free(line);
    free(scratch);
    fclose(fp);
    if (st) {
        strvec_free(&head);
        strvec_free(&cells);
        return st;
    }
    out->n_cols = head.n;
    out->head = head.v;
    out->n_rows = rows;
    out->cell = cells.v;
    return HS_OK;
}

void hs_csv_free(hs_csv *csv)
{
    if (!csv)
        return;
    for (size_t i = 0; i < csv->n_cols; i++)
        free(csv->head[i]);
    for (size_t i = 0; i < csv->n_rows * csv->n_cols; i++)
        free(csv->cell[i]);
    free(csv->head);
    free(csv->cell);
    memset(csv, 0, sizeof *csv);
}

int hs_csv_col(const hs_csv *csv, const char *name)
{
    for (size_t i = 0; i < csv->n_cols; i++)
        if (!strcmp(csv->head[i], name))
            return (int)i;
    return -1;
}

const char *hs_csv_get(const hs_csv *csv, size_t row, int col)
{
    if (col < 0 || (size_t)col >= csv->n_cols || row >= csv->n_rows)
        return "";
    return csv->cell[row * csv->n_cols + (size_t)col];
}

double hs_csv_num(const hs_csv *csv, size_t row, int col)
{
    const char *t = hs_csv_get(csv, row, col);
    char *end;
    double v = strtod(t, &end);
    return (end == t || *end) ? NAN : v;
}
