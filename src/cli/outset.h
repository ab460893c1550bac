/*
 * The output set of `hedgesim run --out DIR`: every file of a run appears in DIR at once,
 * or none does (docs/outputs.md, "The output set is replaced as a whole").
 *
 * Design.  The whole new set (the CSV and JSON files, and plots/ and report.html under
 * --plot/--report) is written into a staging directory beside DIR, on the same file
 * system, named so that a reader can tell what it is:
 *
 *     PARENT/.NAME.hedgesim-partial.PID      (NAME: DIR's last name, cut to 200 bytes)
 *
 * and committed by one rename: rename(staging, DIR) when DIR does not exist, otherwise
 * renameat2(staging, DIR, RENAME_EXCHANGE), which swaps the two directories atomically;
 * the old set, now under the staging name, is then deleted.  A file system without
 * RENAME_EXCHANGE (EINVAL) gets the best effort: DIR is renamed to
 * PARENT/.NAME.hedgesim-old.PID and the staging directory to DIR, so that for that
 * instant a reader finds no DIR (never a mix); then the old set is deleted.
 *
 * Because a commit replaces DIR as a whole, DIR belongs to hedgesim: an existing DIR may
 * hold only the names of an output set (summary.json, summary.csv, pairs.csv,
 * convergence.csv, pnl.csv, paths.csv, report.html, plots/ with the figures and their
 * scripts, and the *.tmp.PID files of older versions); anything else is refused before
 * the simulation, so that a swap never deletes a user's file.  DIR must not be "/", "."
 * or "..", nor a mount point (the staging directory would be on another file system);
 * a symbolic link is followed, and the directory it names is replaced.
 *
 * Signals: from the creation of the staging directory until the old set is gone,
 * SIGINT, SIGTERM and SIGHUP (unless ignored) run a handler that removes the staging
 * directory with async-signal-safe calls only (rename, openat, getdents64, unlinkat),
 * then restores the previous action and re-raises, so that the process still dies of
 * the signal (exit status 128+N).  The staging directory is first renamed away, so that
 * a gnuplot child still running cannot create a file in it behind the removal.  A
 * signal that arrives during the commit's renames waits until they are done (a flag,
 * not only a signal mask, since an OpenMP thread may take it).
 *
 * SIGKILL cannot be caught: its leftover, PARENT/.NAME.hedgesim-{partial,old}.PID, is
 * removed by the next run over DIR when process PID no longer exists (or is that run's
 * own PID, reused), with one line on stderr.
 *
 * Paths are allocated, never cut: a DIR whose files would need a path of PATH_MAX bytes
 * or more, or whose last name is longer than NAME_MAX, is refused before anything is
 * created.
 */
#ifndef HEDGESIM_CLI_OUTSET_H
#define HEDGESIM_CLI_OUTSET_H

#include <stddef.h>

typedef struct hs_outset hs_outset;

/* Check DIR and prepare its staging directory, before the simulation: create DIR's
 * missing parents, remove leftovers of killed runs, check that an existing DIR holds
 * only an output set and is writable, create the staging directory (which proves that
 * the parent is writable) and install the signal handlers.  dir_max, when not 0, is the
 * longest staging path the caller can use (what names it: why, e.g. "--plot"), checked
 * here so that the run does not fail after the simulation.  Prints one line on stderr
 * and returns 2 on bad input (nothing left behind), 0 with *set otherwise. */
int hs_outset_open(const char *dir, size_t dir_max, const char *why, hs_outset **set);

/* The directory to write the new set into (the staging directory). */
const char *hs_outset_dir(const hs_outset *set);

/* STAGING/name, allocated (free it); NULL when out of memory. */
char *hs_outset_path(const hs_outset *set, const char *name);

/* Replace DIR by the staging directory, delete the old set, restore the signal
 * handlers and free set.  Prints one line on stderr and returns 1 when DIR could not be
 * replaced (the staging directory is removed; DIR is as it was), 2 when DIR came to
 * hold a foreign entry since hs_outset_open, 0 otherwise. */
int hs_outset_commit(hs_outset *set);

/* Remove the staging directory, restore the signal handlers and free set (NULL: no-op).
 * DIR is left as it was. */
void hs_outset_abort(hs_outset *set);

#endif
