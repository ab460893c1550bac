/*
 * A gnuplot SVG figure written inline into an HTML page (svg_inline.h), for
 * `hedgesim report` (html.c).  The embedded SVG is gnuplot's with its XML declaration
 * dropped, its namespace declarations dropped (the HTML parser puts <svg> in the SVG
 * namespace by itself, and the page then holds no http:// reference at all), xlink:href
 * written as SVG 2's plain href (so no undeclared prefix is left for an XML parser), and
 * its ids prefixed per figure so that the figures' identical symbol definitions do not
 * collide within the page.  Moved out of html.c unchanged.
 */
#define _POSIX_C_SOURCE 200809L
#include "svg_inline.h"

#include <stdlib.h>
#include <string.h>

#include "hedgesim/csv.h"

/* A figure's text: a regular file of bounded size (a FIFO in plots/ would block). */
static char *slurp(const char *path, size_t *len)
{
    char *buf;
    if (hs_file_read(path, HS_FILE_LIMIT, "an SVG figure", 1, &buf, len, NULL))
        return NULL;
    return buf;
}

static int starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

int hs_cli_inline_svg(FILE *fp, const char *path, const char *prefix)
{
    size_t len;
    char *text = slurp(path, &len);
    if (!text)
        return -1;
    char *begin = strstr(text, "<svg");
    char *end = NULL;
    for (char *p = begin; p && (p = strstr(p, "</svg>")); p += 6)
        end = p + 6;
    if (!begin || !end || strstr(begin, "<script")) {
        free(text);
        return -1;
    }
    const char *tag_end = strchr(begin, '>'); /* the end of the <svg ...> start tag */
    for (const char *s = begin; s < end;) {
        if (s < tag_end && starts(s, "xmlns")) {
            /* Drop a namespace declaration: the attribute up to its closing quote. */
            const char *q = strpbrk(s, "\"'");
            const char *close = q ? strchr(q + 1, *q) : NULL;
            if (close && close < end) {
                s = close + 1;
                continue;
            }
        }
        if (starts(s, "xlink:href")) {
            s += 6; /* "href" stays */
            continue;
        }
        if (starts(s, " id='") || starts(s, " id=\"") || starts(s, "href='#") ||
            starts(s, "href=\"#") || starts(s, "url(#")) {
            size_t n = starts(s, " id=") ? 5 : starts(s, "href") ? 7 : 5;
            fwrite(s, 1, n, fp);
            fputs(prefix, fp);
            s += n;
            continue;
        }
        fputc(*s++, fp);
    }
    fputc('\n', fp);
    free(text);
    return 0;
}
