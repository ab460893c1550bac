/*
 * The command line of `hedgesim run | validate | list` (args.c): options, the overrides
 * they make, and the grid (one list-valued --set, or the scenario's [grid] section).
 *
 * Nothing here has a fixed size that a user's text could overflow or be cut by: the
 * overrides, the grid's key and values are allocated.  The limits that remain are
 * named in their messages: 64 grid values (cmd_run keeps each run's results), the
 * scenario's own limits (scenario.h) and the option ranges of [simulation].
 */
#ifndef HEDGESIM_CLI_ARGS_H
#define HEDGESIM_CLI_ARGS_H

#include <stddef.h>

#include "hedgesim/error.h"
#include "hedgesim/param.h"

/* Grid values of one invocation at most (each run's results are kept for the files). */
#define HS_CLI_GRID_MAX 64

typedef struct hs_cli_args {
    const char *command, *scenario, *out_dir;
    /* The overrides in command-line order (a later one wins): --set's text as given and
     * --paths/--seed/--threads rewritten as "simulation.KEY=N"; origins name where each
     * came from in messages ("--set", "--paths", or the [grid] line of the file). */
    const char **sets;
    hs_origin *origins;
    unsigned char *from_set; /* 1: a user's --set (a grid candidate) */
    size_t n_sets, cap_sets;
    char **owned; /* strings the overrides point to, freed by hs_cli_args_free */
    size_t n_owned;
    /* The scenario's [grid] section as one more override "key=v1,v2,..." (when no
     * list-valued --set replaces it), and its line for messages (0: none). */
    char *axis;
    int axis_line;
    /* The grid, once split (hs_cli_grid_split): its index in sets (-1: none), its key,
     * values (trimmed) and the single overrides "key=value" of each run. */
    int grid;
    char *grid_key;
    char **grid_values, **grid_ones;
    size_t n_values;
    int json, quiet, pnl, plot, report;
    long long trace;   /* --trace N; -1 = default (3 with --out, fewer if too long) */
    size_t max_memory; /* --max-memory; 0 = the machine's available memory */
} hs_cli_args;

/* Parse argv of run, validate or list into c (which hs_cli_args_free releases, also
 * after a failure).  Returns 0, or the exit code after printing the message (2). */
int hs_cli_parse_args(int argc, char **argv, hs_cli_args *c);
void hs_cli_args_free(hs_cli_args *c);

/* The usage text (for --help and usage errors). */
extern const char hs_cli_usage[];

/* The one list-valued --set outside [strategy.*]: its index, -1 when there is none,
 * -2 (err filled) when there are several. */
int hs_cli_find_grid(const hs_cli_args *c, hs_error *err);

/* Append the file's [grid] "key=values" from origin line as the grid override. */
hs_status hs_cli_add_axis(hs_cli_args *c, const char *key, const char *values, int line,
                          hs_error *err);

/* Split the grid override c->sets[grid] into c->grid_key, grid_values and grid_ones;
 * more than HS_CLI_GRID_MAX values (or none) is an error naming its origin. */
hs_status hs_cli_grid_split(hs_cli_args *c, int grid, hs_error *err);

#endif
