/*
 * `hedgesim calibrate garch FILE.csv --column NAME [--returns] [--dist normal|t]
 *  [--periods N] [--json]`: fit a path model to a series read from a CSV file and print
 * the estimates and a ready [model] section (calibrate.c).
 */
#ifndef HEDGESIM_CLI_CALIBRATE_H
#define HEDGESIM_CLI_CALIBRATE_H

/* The calibrate command from main's argv (argv[1] is "calibrate"): parse the arguments,
 * fit, print.  Returns the exit code: 0 ok, 2 bad input or usage (one line on stderr
 * naming the file, option or value and what was expected), 1 a runtime or numerical
 * failure (including a fit that did not converge, whose estimates are still printed). */
int hs_cli_calibrate(int argc, char **argv);

#endif
