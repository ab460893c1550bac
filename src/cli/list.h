/*
 * `hedgesim list` (list.c): what a scenario may name, with its keys.
 */
#ifndef HEDGESIM_CLI_LIST_H
#define HEDGESIM_CLI_LIST_H

/* Print the registries and their parameter tables on stdout; returns the exit code. */
int hs_cli_list(void);

#endif
