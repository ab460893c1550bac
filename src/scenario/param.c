/*
 * Parameter tables: parsing and validation of one value against its row (param.h),
 * and the "did you mean" suggestions for misspelt names.
 *
 * Numbers are parsed with strtod over the whole token (no trailing junk), must be
 * finite, and must lie in the row's range; integers may be written in exponent form
 * (5e4) but must be whole and at most 2^53 so they convert exactly.  strtod's ERANGE is
 * split: an overflow (1e999) is "too large", an underflow (4.9e-324, a subnormal, or
 * 1e-400, which rounds to 0) is the number strtod gives, checked against the range like
 * any other.  The text is read where it lies: no copy, so no length limit.
 */
#include "hedgesim/param.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *hs_origin_str(hs_origin origin, char *buf, size_t len)
{
    if (origin.line > 0)
        snprintf(buf, len, "%s:%d", origin.file, origin.line);
    else
        snprintf(buf, len, "%s", origin.file ? origin.file : "--set");
    return buf;
}

const char *hs_value_shown(const char *value, char *buf, size_t len)
{
    size_t n = strlen(value);
    if (n <= HS_VALUE_SHOWN)
        snprintf(buf, len, "%s", value);
    else
        snprintf(buf, len, "%.60s... (%zu characters)", value, n);
    return buf;
}

const char *hs_comment_hint(const char *value)
{
    if (strchr(value, '#'))
        return " ('#' does not start a comment in scenario files; write ' ; comment')";
    if (strchr(value, ';'))
        return " (';' starts a comment only after a space: write ' ; comment')";
    return "";
}

const hs_param *hs_param_find(const hs_param *table, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].key, key) == 0)
            return &table[i];
    return NULL;
}

int hs_edit_distance(const char *a, const char *b)
{
    /* Optimal string alignment distance (Levenshtein plus adjacent transpositions, the
     * commonest typing slip: "sigam" for "sigma").  Names are short; a fixed bound keeps
     * the table on the stack. */
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 255;
    int d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            int best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* A suggestion is plausible when at most a third of the letters (and at least one)
 * differ: "sigam" -> "sigma", but "foo" suggests nothing. */
static int plausible(const char *want, const char *cand, int d)
{
    size_t l = strlen(want) > strlen(cand) ? strlen(want) : strlen(cand);
    int limit = (int)(l / 3) > 1 ? (int)(l / 3) : 1;
    return d <= limit || strncmp(want, cand, strlen(want)) == 0 ||
           strncmp(want, cand, strlen(cand)) == 0;
}

const char *hs_param_suggest(const hs_param *table, size_t n, const char *key)
{
    const char *best = NULL;
    int best_d = 256;
    for (size_t i = 0; i < n; i++) {
        int d = hs_edit_distance(key, table[i].key);
        if (d < best_d && plausible(key, table[i].key, d)) {
            best_d = d;
            best = table[i].key;
        }
    }
    return best;
}

const char *hs_name_suggest(const char *const *names, const char *name)
{
    const char *best = NULL;
    int best_d = 256;
    for (size_t i = 0; names[i]; i++) {
        int d = hs_edit_distance(name, names[i]);
        if (d < best_d && plausible(name, names[i], d)) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}

static void fmt_bound(char *buf, size_t len, double v)
{
    if (isinf(v))
        snprintf(buf, len, "%sinf", v < 0 ? "-" : "");
    else
        snprintf(buf, len, "%.10g", v);
}

const char *hs_param_range_str(const hs_param *p, char *buf, size_t len)
{
    char lo[32], hi[32];
    fmt_bound(lo, sizeof lo, p->min);
    fmt_bound(hi, sizeof hi, p->max);
    snprintf(buf, len, "%c%s, %s%c", (p->flags & HS_PARAM_MIN_OPEN) || isinf(p->min) ? '(' : '[',
             lo, hi, (p->flags & HS_PARAM_MAX_OPEN) || isinf(p->max) ? ')' : ']');
    return buf;
}

hs_status hs_param_parse_number(const hs_param *p, const char *text, hs_origin origin,
                                const char *context, double *out, hs_error *err)
{
    char where[512], range[96];
    hs_origin_str(origin, where, sizeof where);
    hs_param_range_str(p, range, sizeof range);
    const char *what = p->kind == HS_PARAM_INT ? "an integer" : "a number";

    while (isspace((unsigned char)*text))
        text++;
    char shown[HS_VALUE_SHOWN + 32];
    hs_value_shown(text, shown, sizeof shown);
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    while (end && isspace((unsigned char)*end))
        end++;
    if (end == text || (end && *end != '\0'))
        return hs_error_set(err, HS_EINPUT, "%s: %s: %s = '%s' is not %s (expected %s in %s, %s)%s",
                            where, context, p->key, shown, what, p->help, range, p->unit,
                            hs_comment_hint(text));
    if (errno == ERANGE && fabs(v) == HUGE_VAL)
        return hs_error_set(err, HS_EINPUT,
                            "%s: %s: %s = %s is too large for a number (expected %s in %s, %s)",
                            where, context, p->key, shown, what, range, p->unit);
    if (!isfinite(v))
        return hs_error_set(err, HS_EINPUT, "%s: %s: %s = %s is not finite (expected %s in %s, %s)",
                            where, context, p->key, shown, what, range, p->unit);
    if (p->kind == HS_PARAM_INT && (v != floor(v) || fabs(v) > 9007199254740992.0))
        return hs_error_set(err, HS_EINPUT, "%s: %s: %s = %s is not a whole number (%s, %s in %s)",
                            where, context, p->key, shown, p->help, what, range);
    int below = (p->flags & HS_PARAM_MIN_OPEN) ? !(v > p->min) : !(v >= p->min);
    int above = (p->flags & HS_PARAM_MAX_OPEN) ? !(v < p->max) : !(v <= p->max);
    if (below || above)
        return hs_error_set(err, HS_EINPUT, "%s: %s: %s = %s is outside %s (%s, %s)", where,
                            context, p->key, shown, range, p->help, p->unit);
    *out = v;
    return HS_OK;
}
