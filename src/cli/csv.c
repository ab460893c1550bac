/*
 * CSV reader for the files of a run (docs/outputs.md): RFC 4180 section 2 quoting,
 * one record per line.  Used by the plot command to see which figures apply and by the
 * report to read pairs.csv; small files, so every cell is its own allocation.
 */
#define _POSIX_C_SOURCE 200809L
#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

hs_status hs_csv_read(const char *path, size_t max_rows, hs_csv *out, hs_error *err)
{
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return hs_error_set(err, HS_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    strvec head = {0}, cells = {0};
    char *line = NULL, *scratch = NULL;
    size_t cap = 0, scratch_cap = 0, rows = 0;
    ssize_t got;
    hs_status st = HS_OK;
    while ((got = getline(&line, &cap, fp)) >= 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
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
            if (split_line(line, scratch, &head) < 0)
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
        if (split_line(line, scratch, &cells) < 0) {
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
