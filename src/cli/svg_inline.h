/*
 * Embedding a gnuplot SVG figure in an HTML page (svg_inline.c).
 */
#ifndef HEDGESIM_CLI_SVG_INLINE_H
#define HEDGESIM_CLI_SVG_INLINE_H

#include <stdio.h>

/* Write the SVG file at path into fp, inline, its ids prefixed with prefix; 0, or -1
 * when the file is missing, too large, holds no <svg> element or holds a script. */
int hs_cli_inline_svg(FILE *fp, const char *path, const char *prefix);

#endif
