/*
 * Parameter tables: every key of every pluggable piece (model, rule, ratio, leg,
 * section) is described by one row giving its kind, range, default, unit and help.
 * One validator turns any bad value into a message such as
 *
 *   scenarios/x.ini:12: model 'heston': kappa = -1 is outside [0, 50] (mean-reversion speed, per
 * year)
 *
 * Redis's bounded config tables are the model: a table is data, so `hedgesim list` can
 * print it and the tests can loop over it.
 */
#ifndef HEDGESIM_PARAM_H
#define HEDGESIM_PARAM_H

#include <stddef.h>

#include "hedgesim/error.h"

typedef enum hs_param_kind {
    HS_PARAM_REAL, /* a finite real number in [min, max] */
    HS_PARAM_INT,  /* an integer in [min, max] (written as 50000 or 5e4) */
    HS_PARAM_NAME, /* a name from a fixed list (choices) or a registry */
    HS_PARAM_TEXT, /* free text (scenario name, description, a file name) */
    HS_PARAM_LIST  /* comma-separated reals, each in [min, max] (model keys only) */
} hs_param_kind;

/* Flags of a parameter row. */
enum {
    HS_PARAM_REQUIRED = 1u << 0, /* no default: the key must be given */
    HS_PARAM_MIN_OPEN = 1u << 1, /* the lower bound itself is excluded: (min, max] */
    HS_PARAM_MAX_OPEN = 1u << 2, /* the upper bound itself is excluded */
    HS_PARAM_DERIVED = 1u << 3,  /* default computed from other keys (help says how) */
    HS_PARAM_SWEEP = 1u << 4     /* may be a comma-separated list: one run per value */
};

typedef struct hs_param {
    const char *key;
    hs_param_kind kind;
    double min, max;     /* range for REAL and INT */
    double def;          /* default (ignored when REQUIRED or DERIVED) */
    const char *unit;    /* e.g. "per year", "money", "fraction of notional" */
    const char *help;    /* short description, used in messages and `hedgesim list` */
    const char *choices; /* NAME: "call|put"; NULL when resolved by a registry */
    unsigned flags;
} hs_param;

/* Where a value came from: a file and line, or the command line (file "--set"). */
typedef struct hs_origin {
    const char *file;
    int line; /* 0 for the command line */
} hs_origin;

/* Format an origin as "file:line" or "--set" into buf (for messages). */
const char *hs_origin_str(hs_origin origin, char *buf, size_t len);

/* Find a row by key; NULL if absent. */
const hs_param *hs_param_find(const hs_param *table, size_t n, const char *key);

/* The closest key of table to `key` by edit distance, or NULL when none is close
 * enough to be a plausible misspelling (used for "did you mean" hints). */
const char *hs_param_suggest(const hs_param *table, size_t n, const char *key);

/* The closest of a NULL-terminated list of names, or NULL (same rule). */
const char *hs_name_suggest(const char *const *names, const char *name);

/* Parse one scalar value of a REAL or INT row, check finiteness and range.  context
 * names the owner for messages, e.g. "[market]" or "model 'gbm'". */
hs_status hs_param_parse_number(const hs_param *p, const char *text, hs_origin origin,
                                const char *context, double *out, hs_error *err);

/* A value as messages show it: whole up to HS_VALUE_SHOWN characters, else its start
 * and its length (buf of at least HS_VALUE_SHOWN + 32 bytes): a message stays one
 * readable line whatever the user gave. */
#define HS_VALUE_SHOWN 200
const char *hs_value_shown(const char *value, char *buf, size_t len);

/* A hint for a value that failed to parse and holds a comment-like '#' or ';' (inih
 * takes ';' as a comment only after white space, and '#' only at the start of a line),
 * with a leading space; "" when there is none. */
const char *hs_comment_hint(const char *value);

/* Levenshtein distance, bounded by 255 (for suggestions). */
int hs_edit_distance(const char *a, const char *b);

/* Describe the accepted range of p in words, e.g. "[0, 50]" or "(0, inf)". */
const char *hs_param_range_str(const hs_param *p, char *buf, size_t len);

#endif
