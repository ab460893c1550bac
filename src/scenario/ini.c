/*
 * Reading scenario INI files with inih (https://github.com/benhoyt/inih), keeping the
 * file and line of every key.
 *
 * inih's handler is not told the line number in the Debian build (INI_HANDLER_LINENO
 * is 0), so the entries are read through ini_parse_stream with our own line reader:
 * inih calls the handler right after reading a line, so the reader's count is the
 * line of the key.  The reader also sees the raw text, which lets it catch what inih
 * would quietly accept: over-long lines (inih would split them), section headers of
 * empty sections, and indented lines (inih reads them as a continuation of the
 * previous value).
 */
#include "hedgesim/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
    FILE *fp;         /* file source, or */
    const char *text; /* in-memory source */
    int line;
    int indented;       /* the current line starts with white space */
    int long_line;      /* first line that was too long, 0 if none */
    hs_ini *ini;
    hs_error *err;
    hs_status status;   /* first error met by the handler */
    int err_line;       /* its line */
    char last_key[HS_INI_KEY_LEN];
    char last_section[HS_INI_SECTION_LEN];
} reader;

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Note a "[section]" header so that sections without keys are still checked. */
static void note_section(reader *rd, const char *raw)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", raw);
    char *s = trim(buf);
    if (*s != '[')
        return;
    char *close = strchr(s, ']');
    if (!close)
        return; /* inih reports the syntax error */
    *close = '\0';
    hs_ini *ini = rd->ini;
    if (ini->n_sections < sizeof ini->sections / sizeof ini->sections[0]) {
        hs_ini_section *sec = &ini->sections[ini->n_sections++];
        snprintf(sec->name, sizeof sec->name, "%s", trim(s + 1));
        sec->origin = (hs_origin){ini->file, rd->line};
    }
}

/* fgets-like reader for inih that counts lines and remembers long and indented ones. */
static char *read_line(char *str, int num, void *stream)
{
    reader *rd = stream;
    size_t len = 0;
    int c, too_long = 0;
    for (;;) {
        if (rd->fp)
            c = fgetc(rd->fp);
        else
            c = *rd->text ? (unsigned char)*rd->text++ : EOF;
        if (c == EOF)
            break;
        if (len + 1 < (size_t)num)
            str[len++] = (char)c;
        else if (c != '\n' && c != '\r')
            too_long = 1;
        if (c == '\n')
            break;
    }
    if (len == 0 && c == EOF)
        return NULL;
    str[len] = '\0';
    rd->line++;
    if (too_long && !rd->long_line)
        rd->long_line = rd->line;
    rd->indented = len > 0 && (str[0] == ' ' || str[0] == '\t');
    note_section(rd, str);
    return str;
}

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
    reader *rd = user;
    hs_ini *ini = rd->ini;
    if (rd->status != HS_OK)
        return 1;
    rd->err_line = rd->line;
    int continuation = rd->indented && strcmp(key, rd->last_key) == 0 &&
                       strcmp(section, rd->last_section) == 0;
    if (continuation) {
        rd->status = hs_error_set(rd->err, HS_EINPUT,
                                  "%s:%d: [%s] indented line is read as a continuation of '%s' "
                                  "(expected 'key = value' at the start of the line)",
                                  ini->file, rd->line, section, key);
        return 1;
    }
    if (strlen(section) >= HS_INI_SECTION_LEN || strlen(key) >= HS_INI_KEY_LEN ||
        strlen(value) >= HS_INI_VALUE_LEN) {
        rd->status = hs_error_set(rd->err, HS_EINPUT,
                                  "%s:%d: [%s] %s: name or value too long (expected a section "
                                  "name under %d, a key under %d and a value under %d characters)",
                                  ini->file, rd->line, section, key, HS_INI_SECTION_LEN,
                                  HS_INI_KEY_LEN, HS_INI_VALUE_LEN);
        return 1;
    }
    hs_ini_entry *prev = hs_ini_get(ini, section, key);
    if (prev) {
        rd->status = hs_error_set(rd->err, HS_EINPUT,
                                  "%s:%d: [%s] %s = %s: key given twice in one section (first "
                                  "at line %d; expected each key once)",
                                  ini->file, rd->line, section, key, value, prev->origin.line);
        return 1;
    }
    if (ini->n >= HS_INI_MAX_ENTRIES) {
        rd->status = hs_error_set(rd->err, HS_EINPUT, "%s:%d: too many keys (expected at most %d)",
                                  ini->file, rd->line, HS_INI_MAX_ENTRIES);
        return 1;
    }
    hs_ini_entry *e = &ini->entries[ini->n++];
    snprintf(e->section, sizeof e->section, "%s", section);
    snprintf(e->key, sizeof e->key, "%s", key);
    snprintf(e->value, sizeof e->value, "%s", value);
    e->origin = (hs_origin){ini->file, rd->line};
    e->used = 0;
    snprintf(rd->last_key, sizeof rd->last_key, "%s", key);
    snprintf(rd->last_section, sizeof rd->last_section, "%s", section);
    return 1;
}

static hs_status parse(reader *rd, hs_ini **out, hs_error *err)
{
    int rc = ini_parse_stream(read_line, rd, on_entry, rd);
    hs_ini *ini = rd->ini;
    /* Report the earliest problem: an over-long line, a syntax error (inih returns its
     * line) or what the handler found (it stops recording after its first). */
    int first = rd->status != HS_OK ? rd->err_line : 0;
    if (rd->long_line && (!first || rd->long_line < first)) {
        first = rd->long_line;
        rd->status = hs_error_set(err, HS_EINPUT,
                                  "%s:%d: line too long (expected at most %d characters)",
                                  ini->file, rd->long_line, INI_MAX_LINE - 2);
    }
    if (rc > 0 && (!first || rc < first))
        rd->status = hs_error_set(err, HS_EINPUT,
                                  "%s:%d: syntax error (expected '[section]', 'key = value' or "
                                  "a ; comment)",
                                  ini->file, rc);
    else if (rc < 0 && rd->status == HS_OK)
        rd->status = hs_error_set(err, HS_ERUNTIME, "%s: cannot parse (out of memory)", ini->file);
    if (rd->status != HS_OK) {
        free(ini);
        return rd->status;
    }
    *out = ini;
    return HS_OK;
}

static hs_ini *ini_new(const char *file)
{
    hs_ini *ini = calloc(1, sizeof *ini);
    if (ini)
        snprintf(ini->file, sizeof ini->file, "%s", file);
    return ini;
}

hs_status hs_ini_read(const char *path, hs_ini **out, hs_error *err)
{
    *out = NULL;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return hs_error_set(err, HS_EINPUT, "%s: cannot open scenario: %s (expected a readable "
                            "INI file)", path, strerror(errno));
    hs_ini *ini = ini_new(path);
    if (!ini) {
        fclose(fp);
        return hs_error_set(err, HS_ERUNTIME, "%s: out of memory", path);
    }
    reader rd = {.fp = fp, .ini = ini, .err = err, .status = HS_OK};
    hs_status st = parse(&rd, out, err);
    fclose(fp);
    return st;
}

hs_status hs_ini_parse_string(const char *text, const char *file, hs_ini **out, hs_error *err)
{
    *out = NULL;
    hs_ini *ini = ini_new(file);
    if (!ini)
        return hs_error_set(err, HS_ERUNTIME, "%s: out of memory", file);
    reader rd = {.text = text, .ini = ini, .err = err, .status = HS_OK};
    return parse(&rd, out, err);
}

void hs_ini_free(hs_ini *ini)
{
    free(ini);
}

hs_ini_entry *hs_ini_get(hs_ini *ini, const char *section, const char *key)
{
    for (size_t i = 0; i < ini->n; i++)
        if (strcmp(ini->entries[i].section, section) == 0 && strcmp(ini->entries[i].key, key) == 0)
            return &ini->entries[i];
    return NULL;
}

hs_status hs_ini_set(hs_ini *ini, const char *assignment, hs_error *err)
{
    return hs_ini_set_at(ini, assignment, (hs_origin){"--set", 0}, err);
}

hs_status hs_ini_set_at(hs_ini *ini, const char *assignment, hs_origin origin, hs_error *err)
{
    char buf[HS_INI_SECTION_LEN + HS_INI_KEY_LEN + HS_INI_VALUE_LEN];
    if (strlen(assignment) >= sizeof buf)
        return hs_error_set(err, HS_EINPUT, "--set %.40s...: too long (expected section.key=value)",
                            assignment);
    snprintf(buf, sizeof buf, "%s", assignment);
    char *eq = strchr(buf, '=');
    if (!eq)
        return hs_error_set(err, HS_EINPUT, "--set %s: missing '=' (expected section.key=value)",
                            assignment);
    *eq = '\0';
    char *lhs = trim(buf), *value = trim(eq + 1);
    char *dot = strrchr(lhs, '.');
    if (!dot || dot == lhs || dot[1] == '\0')
        return hs_error_set(err, HS_EINPUT,
                            "--set %s: '%s' is not section.key (expected e.g. model.sigma=0.3 or "
                            "strategy.hedge.vol=0.25)",
                            assignment, lhs);
    *dot = '\0';
    const char *section = trim(lhs), *key = trim(dot + 1);
    if (strlen(section) >= HS_INI_SECTION_LEN || strlen(key) >= HS_INI_KEY_LEN ||
        strlen(value) >= HS_INI_VALUE_LEN)
        return hs_error_set(err, HS_EINPUT, "--set %s: name or value too long", assignment);
    hs_ini_entry *e = hs_ini_get(ini, section, key);
    if (!e) {
        if (ini->n >= HS_INI_MAX_ENTRIES)
            return hs_error_set(err, HS_EINPUT, "--set %s: too many keys", assignment);
        e = &ini->entries[ini->n++];
        snprintf(e->section, sizeof e->section, "%s", section);
        snprintf(e->key, sizeof e->key, "%s", key);
    }
    snprintf(e->value, sizeof e->value, "%s", value);
    e->origin = origin.line > 0 ? origin : (hs_origin){"--set", 0};
    e->used = 0;
    return HS_OK;
}
