/*
 * The two commands over the directory of a finished run: `hedgesim plot DIR [--quiet]`
 * (plot.h) and `hedgesim report DIR` (html.h).  This file sits above both, so that the
 * report may draw figures (html.c uses plot.h) without the figures knowing the report.
 */
#ifndef HEDGESIM_CLI_RUNDIR_H
#define HEDGESIM_CLI_RUNDIR_H

/* `hedgesim plot DIR [--quiet]` and `hedgesim report DIR` from main's argv: parse the
 * arguments, run the command, return its exit code. */
int hs_cli_dir_command(int argc, char **argv);

#endif
