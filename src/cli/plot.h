/*
 * The figures of a run (`hedgesim plot DIR`, and `hedgesim run --plot`): each figure is
 * a gnuplot script of scripts/plot/ that reads the CSV files of the run directory
 * (docs/outputs.md); this renders every figure that applies to the run as
 * DIR/plots/NAME.png and DIR/plots/NAME.svg by running gnuplot, and copies the scripts
 * to DIR/plots/ so that the figures can be redrawn (or restyled) by hand later:
 *
 *     gnuplot -e "dir='DIR'; term='svg'" DIR/plots/frontier.gp
 *
 * Where the scripts are found, first hit wins: $HEDGESIM_PLOT_SCRIPTS; the installed
 * tree next to the executable (BIN/../share/hedgesim/plot, so an installed tree can be
 * moved); the source tree the executable was built from (HS_SCRIPTS_DIR, set by
 * meson.build); the install prefix it was configured with (HS_SCRIPTS_INSTALL_DIR).
 */
#ifndef HEDGESIM_CLI_PLOT_H
#define HEDGESIM_CLI_PLOT_H

#include <stddef.h>

/* The figures, in the order a report shows them. */
#define HS_N_FIGURES 6
extern const char *const hs_cli_figures[HS_N_FIGURES];

/* Render every figure that applies to the run in dir.  Prints one line per problem on
 * stderr and, unless quiet, one line naming what it wrote on stdout.  Returns the exit
 * code: 0 ok (also when gnuplot is not installed: it says so, and the scripts are still
 * copied), 2 when dir is missing or holds no summary.json, 1 when gnuplot failed. */
int hs_cli_plot(const char *dir, int quiet);

/* 0 when dir is a run directory (a directory holding summary.json); else print one
 * line naming the command and the problem on stderr and return 2. */
int hs_cli_check_run_dir(const char *command, const char *dir);

/* Does figure name apply to the run in dir (its data are there)? */
int hs_cli_figure_applies(const char *dir, const char *name);

/* The full path of gnuplot found on PATH into buf; 0 when found, -1 when not. */
int hs_cli_find_gnuplot(char *buf, size_t size);

#endif
