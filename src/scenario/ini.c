/*
 * Reading scenario INI files with inih (https://github.com/benhoyt/inih), keeping the
 * file and line of every key.
 *
 * inih's handler is not told the line number in the Debian build (INI_HANDLER_LINENO
 * is 0), so the entries are read through ini_parse_stream with our own line reader:
 * inih calls the handler right after reading a line, so the reader's count is the
 * line of the key.  The reader also sees the raw text, which lets it catch what inih
 * would quietly accept or cut: over-long lines (inih would split them), NUL bytes (inih
 * would end the line there), section headers of empty sections, indented lines (inih
 * reads them as a continuation of the previous value) and section names longer than
 * inih's 49-character buffer: the reader tracks the current section itself, so the
 * documented limit (HS_INI_SECTION_LEN - 1) is the true one.  A UTF-8 byte-order mark
 * at the start of the file is skipped.
 *
 * Only regular files are read (a FIFO would block, /dev/zero never ends), up to
 * HS_INI_MAX_BYTES.  Values are stored whole in allocated strings.
 */
#define _POSIX_C_SOURCE 200809L
#include "hedgesim/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* inih's section buffer (INI_MAX_SECTION in its ini.c, not exported): 49 characters. */
#define INIH_SECTION_CHARS 49

typedef struct reader {
    FILE *fp;         /* file source, or */
    const char *text; /* in-memory source */
    int line;
    long bytes;
    int indented;     /* the current line starts with white space */
    int continuation; /* ... and inih will read it as a continuation of the last key */
    int after_key;    /* inih has a previous key (cleared by a section header) */
    hs_ini *ini;
    hs_error *err;
    hs_status status; /* first problem met (by the reader or the handler) */
    int err_line;     /* its line */
    char last_key[HS_INI_KEY_LEN];
    char section[HS_INI_SECTION_LEN]; /* the current section, whole */
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

/* Record the first problem (lines are read in order, so it is the earliest). */
__attribute__((format(printf, 3, 4))) static void problem(reader *rd, hs_status status,
                                                          const char *fmt, ...)
{
    if (rd->status != HS_OK)
        return;
    va_list ap;
    va_start(ap, fmt);
    char msg[HS_ERROR_LEN];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rd->status = hs_error_set(rd->err, status, "%s", msg);
    rd->err_line = rd->line;
}

/* Follow what inih will make of a raw line: a "[section]" header (noted, so that
 * sections without keys are still checked, and made current, whole) or the start of a
 * continuation.  Mirrors inih 55's order: comment, continuation, header, key. */
static void follow_line(reader *rd, const char *raw)
{
    const char *s = raw;
    while (isspace((unsigned char)*s))
        s++;
    rd->continuation = 0;
    if (*s == '\0' || *s == ';' || *s == '#')
        return;
    if (rd->after_key && s > raw) {
        rd->continuation = 1;
        return;
    }
    if (*s != '[')
        return;
    /* inih's find_chars_or_comment: the name ends at ']' or at a ';' after a space. */
    const char *end = s + 1;
    for (int was_space = 0; *end && *end != ']' && !(was_space && *end == ';'); end++)
        was_space = isspace((unsigned char)*end);
    if (*end != ']')
        return; /* inih reports the syntax error */
    size_t n = (size_t)(end - (s + 1));
    hs_ini *ini = rd->ini;
    if (n >= HS_INI_SECTION_LEN) {
        problem(rd, HS_EINPUT,
                "%s:%d: section name of %zu characters is too long (expected at most %d)",
                ini->file, rd->line, n, HS_INI_SECTION_LEN - 1);
        return;
    }
    memcpy(rd->section, s + 1, n);
    rd->section[n] = '\0';
    rd->after_key = 0;
    if (ini->n_sections >= HS_INI_MAX_SECTIONS) {
        problem(rd, HS_EINPUT, "%s:%d: too many sections (expected at most %d)", ini->file,
                rd->line, HS_INI_MAX_SECTIONS);
        return;
    }
    hs_ini_section *sec = &ini->sections[ini->n_sections++];
    char name[HS_INI_SECTION_LEN];
    memcpy(name, rd->section, n + 1);
    memcpy(sec->name, trim(name), strlen(trim(name)) + 1);
    sec->origin = (hs_origin){ini->file, rd->line};
}

/* fgets-like reader for inih that counts lines, refuses NUL bytes, over-long lines
 * and files over the size limit, and follows sections.  Returns NULL (end of input)
 * after the first problem: nothing after it can matter. */
static char *read_line(char *str, int num, void *stream)
{
    reader *rd = stream;
    if (rd->status != HS_OK)
        return NULL;
    size_t len = 0;
    int c, too_long = 0, nul = 0;
    for (;;) {
        if (rd->fp)
            c = fgetc(rd->fp);
        else
            c = *rd->text ? (unsigned char)*rd->text++ : EOF;
        if (c == EOF)
            break;
        if (++rd->bytes > HS_INI_MAX_BYTES) {
            rd->line++;
            problem(rd, HS_EINPUT,
                    "%s: larger than %ld MiB (expected a scenario file of at most "
                    "%ld MiB)",
                    rd->ini->file, HS_INI_MAX_BYTES >> 20, HS_INI_MAX_BYTES >> 20);
            return NULL;
        }
        if (c == '\0')
            nul = 1;
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
    if (nul) {
        problem(rd, HS_EINPUT,
                "%s:%d: NUL byte in line %d (expected text: a scenario file holds "
                "no NUL bytes)",
                rd->ini->file, rd->line, rd->line);
        return NULL;
    }
    if (too_long) {
        problem(rd, HS_EINPUT, "%s:%d: line too long (expected at most %d characters)",
                rd->ini->file, rd->line, num - 2);
        return NULL;
    }
    /* A UTF-8 byte-order mark (editors on Windows write one) is not part of the text. */
    if (rd->line == 1 && len >= 3 && !memcmp(str, "\xEF\xBB\xBF", 3))
        memmove(str, str + 3, len - 2);
    rd->indented = str[0] == ' ' || str[0] == '\t';
    follow_line(rd, str);
    if (rd->status != HS_OK)
        return NULL;
    return str;
}

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
    reader *rd = user;
    hs_ini *ini = rd->ini;
    if (rd->status != HS_OK)
        return 1;
    /* inih's copy of the section name is cut at 49 characters; ours is whole (the two
     * agree on the first 49 unless the reader misread a header: then inih's wins). */
    if (strncmp(section, rd->section, INIH_SECTION_CHARS) == 0)
        section = rd->section;
    if (rd->continuation) {
        problem(rd, HS_EINPUT,
                "%s:%d: [%s] indented line is read as a continuation of '%s' "
                "(expected 'key = value' at the start of the line)",
                ini->file, rd->line, section, rd->last_key);
        return 1;
    }
    rd->after_key = 1;
    if (strlen(key) >= HS_INI_KEY_LEN) {
        problem(rd, HS_EINPUT,
                "%s:%d: [%s] key of %zu characters is too long (expected at most %d)", ini->file,
                rd->line, section, strlen(key), HS_INI_KEY_LEN - 1);
        return 1;
    }
    hs_ini_entry *prev = hs_ini_get(ini, section, key);
    if (prev) {
        problem(rd, HS_EINPUT,
                "%s:%d: [%s] %s = %s: key given twice in one section (first "
                "at line %d; expected each key once)",
                ini->file, rd->line, section, key, value, prev->origin.line);
        return 1;
    }
    if (ini->n >= HS_INI_MAX_ENTRIES) {
        problem(rd, HS_EINPUT, "%s:%d: too many keys (expected at most %d)", ini->file, rd->line,
                HS_INI_MAX_ENTRIES);
        return 1;
    }
    char *copy = strdup(value);
    if (!copy) {
        problem(rd, HS_ERUNTIME, "%s:%d: out of memory", ini->file, rd->line);
        return 1;
    }
    hs_ini_entry *e = &ini->entries[ini->n++];
    memcpy(e->section, section, strlen(section) + 1);
    memcpy(e->key, key, strlen(key) + 1);
    e->value = copy;
    e->set = NULL;
    e->origin = (hs_origin){ini->file, rd->line};
    e->used = 0;
    memcpy(rd->last_key, key, strlen(key) + 1);
    return 1;
}

static hs_status parse(reader *rd, hs_ini **out, hs_error *err)
{
    int rc = ini_parse_stream(read_line, rd, on_entry, rd);
    hs_ini *ini = rd->ini;
    /* Report the earliest problem: a syntax error (inih returns the line of its first)
     * or what the reader and the handler found (they stop at their first). */
    if (rc > 0 && (rd->status == HS_OK || rc < rd->err_line))
        rd->status = hs_error_set(err, HS_EINPUT,
                                  "%s:%d: syntax error (expected '[section]', 'key = value' or "
                                  "a ; comment)",
                                  ini->file, rc);
    else if (rc < 0 && rd->status == HS_OK)
        rd->status = hs_error_set(err, HS_ERUNTIME, "%s: cannot parse (out of memory)", ini->file);
    if (rd->status != HS_OK) {
        hs_ini_free(ini);
        return rd->status;
    }
    *out = ini;
    return HS_OK;
}

static hs_status ini_new(const char *file, hs_ini **out, hs_error *err)
{
    *out = NULL;
    size_t n = strlen(file);
    if (n > HS_INI_PATH_MAX)
        return hs_error_set(err, HS_EINPUT,
                            "%.60s...: scenario path of %zu characters is too long (expected at "
                            "most %d)",
                            file, n, HS_INI_PATH_MAX);
    *out = calloc(1, sizeof **out);
    if (!*out)
        return hs_error_set(err, HS_ERUNTIME, "%s: out of memory", file);
    memcpy((*out)->file, file, n + 1);
    return HS_OK;
}

hs_status hs_ini_read(const char *path, hs_ini **out, hs_error *err)
{
    *out = NULL;
    hs_ini *ini = NULL;
    hs_status st = ini_new(path, &ini, err);
    if (st)
        return st;
    /* O_NONBLOCK so that opening a FIFO does not wait for a writer; it is refused
     * below, and cleared for the regular file that is read. */
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0) {
        st = hs_error_set(err, HS_EINPUT,
                          "%s: cannot open scenario: %s (expected a readable INI file)", path,
                          strerror(errno));
        hs_ini_free(ini);
        return st;
    }
    struct stat sb;
    const char *why = NULL;
    if (fstat(fd, &sb) != 0)
        why = strerror(errno);
    else if (S_ISDIR(sb.st_mode))
        why = "is a directory";
    else if (S_ISFIFO(sb.st_mode))
        why = "is a FIFO";
    else if (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode))
        why = "is a device";
    else if (S_ISSOCK(sb.st_mode))
        why = "is a socket";
    else if (!S_ISREG(sb.st_mode))
        why = "is not a regular file";
    if (why) {
        st = hs_error_set(err, HS_EINPUT,
                          "%s: cannot read scenario: %s (expected a regular INI "
                          "file)",
                          path, why);
    } else if (sb.st_size > HS_INI_MAX_BYTES) {
        st = hs_error_set(err, HS_EINPUT,
                          "%s: scenario of %lld bytes is larger than %ld MiB (expected a scenario "
                          "file of at most %ld MiB)",
                          path, (long long)sb.st_size, HS_INI_MAX_BYTES >> 20,
                          HS_INI_MAX_BYTES >> 20);
    } else {
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
            st = hs_error_set(err, HS_ERUNTIME, "%s: cannot read scenario: %s", path,
                              strerror(errno));
    }
    FILE *fp = st ? NULL : fdopen(fd, "r");
    if (!st && !fp)
        st = hs_error_set(err, HS_ERUNTIME, "%s: cannot read scenario: %s", path, strerror(errno));
    if (st) {
        close(fd);
        hs_ini_free(ini);
        return st;
    }
    reader rd = {.fp = fp, .ini = ini, .err = err, .status = HS_OK};
    st = parse(&rd, out, err);
    if (!st && ferror(fp)) {
        st = hs_error_set(err, HS_EINPUT, "%s: cannot read scenario: %s", path, strerror(errno));
        hs_ini_free(*out);
        *out = NULL;
    }
    fclose(fp);
    return st;
}

hs_status hs_ini_parse_string(const char *text, const char *file, hs_ini **out, hs_error *err)
{
    *out = NULL;
    hs_ini *ini = NULL;
    hs_status st = ini_new(file, &ini, err);
    if (st)
        return st;
    reader rd = {.text = text, .ini = ini, .err = err, .status = HS_OK};
    return parse(&rd, out, err);
}

void hs_ini_free(hs_ini *ini)
{
    if (!ini)
        return;
    for (size_t i = 0; i < ini->n; i++) {
        free(ini->entries[i].value);
        free(ini->entries[i].set);
    }
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

/* ------------------------------------------------------------------ --set */

static int section_exists(const hs_ini *ini, const char *section)
{
    for (size_t i = 0; i < ini->n_sections; i++)
        if (!strcmp(ini->sections[i].name, section))
            return 1;
    for (size_t i = 0; i < ini->n; i++)
        if (!strcmp(ini->entries[i].section, section))
            return 1;
    return 0;
}

/* What a section that holds a user-named item is ("a strategy"), or NULL for the fixed
 * sections (they have defaults) and unknown ones (the build reports those). */
static const char *item_kind(const char *section, char *family, size_t len)
{
    static const struct {
        const char *prefix, *what;
    } kinds[] = {
        {"strategy", "a strategy"}, {"stress", "a stress overlay"}, {"option", "an option leg"}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t n = strlen(kinds[i].prefix);
        if (!strncmp(section, kinds[i].prefix, n) &&
            ((section[n] == '.' && section[n + 1]) || (section[n] == '\0' && i == 2))) {
            snprintf(family, len, "%s", kinds[i].prefix);
            return kinds[i].what;
        }
    }
    return NULL;
}

/* The existing section of the same family closest to `section`, or NULL. */
static const char *closest_section(const hs_ini *ini, const char *section, const char *family)
{
    const char *best = NULL;
    int best_d = 256;
    size_t n = strlen(family);
    size_t want = strlen(section);
    for (size_t pass = 0; pass < 2; pass++) {
        size_t count = pass ? ini->n : ini->n_sections;
        for (size_t i = 0; i < count; i++) {
            const char *s = pass ? ini->entries[i].section : ini->sections[i].name;
            if (strncmp(s, family, n) || (s[n] != '.' && s[n] != '\0'))
                continue;
            int d = hs_edit_distance(section, s);
            size_t l = strlen(s) > want ? strlen(s) : want;
            /* Plausible: a third of the name after the family may differ. */
            int limit = (int)((l - n) / 3) > 1 ? (int)((l - n) / 3) : 1;
            if (d < best_d && d <= limit) {
                best_d = d;
                best = s;
            }
        }
    }
    return best;
}

hs_status hs_ini_set_at(hs_ini *ini, const char *assignment, hs_origin origin, hs_error *err)
{
    char where[HS_INI_PATH_MAX + HS_VALUE_SHOWN + 64], show[HS_VALUE_SHOWN + 32];
    hs_value_shown(assignment, show, sizeof show);
    if (origin.line > 0)
        snprintf(where, sizeof where, "%s:%d: [grid] %s", origin.file, origin.line, show);
    else
        snprintf(where, sizeof where, "--set %s", show);
    char *buf = strdup(assignment);
    if (!buf)
        return hs_error_set(err, HS_ERUNTIME, "%s: out of memory", where);
    hs_status st = HS_OK;
    char *eq = strchr(buf, '=');
    char *lhs = NULL, *value = NULL, *dot = NULL;
    int add = 0;
    if (!eq) {
        st = hs_error_set(err, HS_EINPUT, "%s: missing '=' (expected section.key=value)", where);
        goto done;
    }
    *eq = '\0';
    lhs = trim(buf);
    value = trim(eq + 1);
    if (*lhs == '+') {
        add = 1;
        lhs = trim(lhs + 1);
    }
    dot = strrchr(lhs, '.');
    if (!dot || dot == lhs || dot[1] == '\0') {
        st = hs_error_set(err, HS_EINPUT,
                          "%s: '%s' is not section.key (expected e.g. model.sigma=0.3 or "
                          "strategy.hedge.vol=0.25)",
                          where, lhs);
        goto done;
    }
    *dot = '\0';
    const char *section = trim(lhs), *key = trim(dot + 1);
    if (strlen(section) >= HS_INI_SECTION_LEN) {
        st = hs_error_set(err, HS_EINPUT,
                          "%s: section name of %zu characters is too long (expected at most %d)",
                          where, strlen(section), HS_INI_SECTION_LEN - 1);
        goto done;
    }
    if (strlen(key) >= HS_INI_KEY_LEN) {
        st = hs_error_set(err, HS_EINPUT,
                          "%s: key of %zu characters is too long (expected at most %d)", where,
                          strlen(key), HS_INI_KEY_LEN - 1);
        goto done;
    }
    char family[16];
    const char *kind = item_kind(section, family, sizeof family);
    if (!add && kind && !section_exists(ini, section)) {
        const char *near = closest_section(ini, section, family);
        char hint[HS_INI_SECTION_LEN + 32] = "";
        if (near)
            snprintf(hint, sizeof hint, "did you mean [%s]? ", near);
        st =
            hs_error_set(err, HS_EINPUT, "%s: no section [%s] in %s (%sto add %s, write --set +%s)",
                         where, section, ini->file, hint, kind, show);
        goto done;
    }
    hs_ini_entry *e = hs_ini_get(ini, section, key);
    if (!e && ini->n >= HS_INI_MAX_ENTRIES) {
        st = hs_error_set(err, HS_EINPUT, "%s: too many keys (expected at most %d)", where,
                          HS_INI_MAX_ENTRIES);
        goto done;
    }
    char *v = strdup(value), *set = strdup(assignment);
    if (!v || !set) {
        free(v);
        free(set);
        st = hs_error_set(err, HS_ERUNTIME, "%s: out of memory", where);
        goto done;
    }
    if (!e) {
        e = &ini->entries[ini->n++];
        memset(e, 0, sizeof *e);
        memcpy(e->section, section, strlen(section) + 1);
        memcpy(e->key, key, strlen(key) + 1);
    }
    free(e->value);
    free(e->set);
    e->value = v;
    e->set = set;
    /* A line (the file's [grid]) or an option's name (--paths, --seed, --threads) is
     * kept for messages; anything else is a plain --set. */
    e->origin = origin.line > 0 || (origin.file && origin.file[0] == '-')
                    ? origin
                    : (hs_origin){"--set", 0};
    e->used = 0;
done:
    free(buf);
    return st;
}
