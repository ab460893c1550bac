/*
 * Reading one value of a scenario for a build step: where an entry came from
 * (file:line or --set), scalar numbers with their defaults, text with its quotes
 * removed, a choice among fixed names, and the "not a known X; did you mean" message.
 * Numbers are checked by their parameter row (param.c): type, finiteness, range.
 */
#define _POSIX_C_SOURCE 200809L
#include "build.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void hs_scn_origin_of(const build *b, const hs_ini_entry *e, hs_origin *o)
{
    /* Origins must outlive the ini, so file names point into the scenario. */
    o->line = e->origin.line;
    o->file = e->origin.line > 0 ? b->sc->file : "--set";
}

const char *hs_scn_where(const hs_ini_entry *e, char *buf, size_t len)
{
    return hs_origin_str(e->origin, buf, len);
}

/* "file:line" of a section's header, for keys that are missing from it; for a section
 * made by --set alone, the first assignment that made it ("--set +option.a.strike=90"). */
const char *hs_scn_section_where(const build *b, const char *section, char *buf, size_t len)
{
    for (size_t i = 0; i < b->ini->n_sections; i++)
        if (!strcmp(b->ini->sections[i].name, section))
            return hs_origin_str(b->ini->sections[i].origin, buf, len);
    for (size_t i = 0; i < b->ini->n; i++) {
        const hs_ini_entry *e = &b->ini->entries[i];
        if (strcmp(e->section, section))
            continue;
        if (e->origin.line > 0)
            return hs_origin_str(e->origin, buf, len);
        if (e->set) {
            char vs[HS_VALUE_SHOWN + 32];
            snprintf(buf, len, "--set %s", hs_value_shown(e->set, vs, sizeof vs));
            return buf;
        }
        break;
    }
    snprintf(buf, len, "%s", b->ini->file);
    return buf;
}

/* A required key is missing: when an unused key of the section looks like a misspelling
 * of it ("strik" for "strike"), that key is the error to report. */
hs_status hs_scn_missing_key(build *b, const char *section, const char *context, const char *key,
                             const char *expected)
{
    const char *names[] = {key, NULL};
    for (size_t i = 0; i < b->ini->n; i++) {
        hs_ini_entry *e = &b->ini->entries[i];
        if (!e->used && !strcmp(e->section, section) && hs_name_suggest(names, e->key))
            return hs_scn_unknown_key(b, e);
    }
    char w[512];
    return hs_error_set(b->err, HS_EINPUT, "%s: %s: missing key '%s' (expected %s)",
                        hs_scn_section_where(b, section, w, sizeof w), context, key, expected);
}

int hs_scn_is_list(const char *v)
{
    return strchr(v, ',') != NULL;
}

/* Parse a scalar numeric key of a section (absent: default; required: error). */
hs_status hs_scn_get_number(build *b, const char *section, const char *context, const hs_param *p,
                            double *out)
{
    hs_ini_entry *e = hs_ini_get(b->ini, section, p->key);
    if (!e) {
        if (p->flags & HS_PARAM_REQUIRED) {
            char expected[512];
            snprintf(expected, sizeof expected, "%s, %s", p->help, p->unit);
            return hs_scn_missing_key(b, section, context, p->key, expected);
        }
        *out = (p->flags & HS_PARAM_DERIVED) ? NAN : p->def;
        return HS_OK;
    }
    e->used = 1;
    if (hs_scn_is_list(e->value)) {
        char w[512], vs[HS_VALUE_SHOWN + 32];
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: %s: %s = %s is a list (expected one value: lists make sweeps "
                            "only in [strategy.*] keys that allow them)",
                            hs_scn_where(e, w, sizeof w), context, p->key,
                            hs_value_shown(e->value, vs, sizeof vs));
    }
    return hs_param_parse_number(p, e->value, e->origin, context, out, b->err);
}

/* Text value with surrounding quotes removed, into a field of len bytes: a longer text
 * is refused (naming the limit), never cut.  Absent: out is left as it is. */
hs_status hs_scn_get_text(build *b, const char *section, const char *context, const char *key,
                          char *out, size_t len)
{
    hs_ini_entry *e = hs_ini_get(b->ini, section, key);
    if (!e)
        return HS_OK;
    e->used = 1;
    const char *v = e->value;
    size_t n = strlen(v);
    if (n >= 2 && ((v[0] == '"' && v[n - 1] == '"') || (v[0] == '\'' && v[n - 1] == '\'')))
        v++, n -= 2;
    if (n >= len) {
        char w[512];
        return hs_error_set(b->err, HS_EINPUT,
                            "%s: %s: %s = '%.40s...' is %zu characters long (expected at most "
                            "%zu)",
                            hs_scn_where(e, w, sizeof w), context, key, v, n, len - 1);
    }
    memcpy(out, v, n);
    out[n] = '\0';
    return HS_OK;
}

/* Format "one of: a, b, c" from a NULL-terminated name list. */
static void join_names(const char *const *names, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; names[i]; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
    }
}

hs_status hs_scn_unknown_name(build *b, const hs_ini_entry *e, const char *context,
                              const char *what, const char *const *names)
{
    char w[512], list[512], hint[128] = "", vs[HS_VALUE_SHOWN + 32];
    const char *s = hs_name_suggest(names, e->value);
    if (s)
        snprintf(hint, sizeof hint, "; did you mean '%s'?", s);
    join_names(names, list, sizeof list);
    return hs_error_set(
        b->err, HS_EINPUT, "%s: %s: %s = '%s' is not a known %s (expected one of: %s%s)%s",
        hs_scn_where(e, w, sizeof w), context, e->key, hs_value_shown(e->value, vs, sizeof vs),
        what, list, hint, hs_comment_hint(e->value));
}

/* A NAME value with fixed choices "a|b|c" as the index of its choice. */
hs_status hs_scn_parse_choice(build *b, const char *context, const hs_param *row,
                              const hs_ini_entry *e, const char *tok, double *out)
{
    const char *c = row->choices ? row->choices : "";
    size_t len = strlen(tok);
    for (int idx = 0; *c; idx++) {
        const char *bar = strchr(c, '|');
        size_t n = bar ? (size_t)(bar - c) : strlen(c);
        if (n == len && !strncmp(c, tok, n)) {
            *out = idx;
            return HS_OK;
        }
        c += n + (bar ? 1 : 0);
    }
    char w[512], vs[HS_VALUE_SHOWN + 32];
    return hs_error_set(b->err, HS_EINPUT,
                        "%s: %s: %s = '%s' is not a known choice (expected one "
                        "of: %s; %s)%s",
                        hs_scn_where(e, w, sizeof w), context, row->key,
                        hs_value_shown(tok, vs, sizeof vs), row->choices ? row->choices : "",
                        row->help, hs_comment_hint(tok));
}
