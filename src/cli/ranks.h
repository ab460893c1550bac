/*
 * The command under MPI: the ranks' roles (ranks.c).
 */
#ifndef HEDGESIM_CLI_RANKS_H
#define HEDGESIM_CLI_RANKS_H

#include <stdio.h>

#include "hedgesim/comm.h"
#include "hedgesim/error.h"
#include "hedgesim/report.h"

/* Start MPI when launched by mpirun or srun (comm.h); one process otherwise. */
hs_status hs_cli_world_init(int *argc, char ***argv, hs_error *err);
void hs_cli_world_end(void);
const hs_comm *hs_cli_world(void);

/* Whether this process prints and writes (rank 0). */
int hs_cli_speaks(void);

/* Collective: the status of the lowest rank whose st failed (HS_OK if none), the same on
 * every rank; rank 0's err then holds that rank's message. */
hs_status hs_cli_agree(hs_status st, hs_error *err);

/* A failure during the run under MPI: print it with the rank and end the whole job with
 * its exit code.  On one process it returns (the caller reports as usual). */
void hs_cli_abort_run(hs_status st, const hs_error *err);

/* pnl.csv under MPI: ranks 1.. send their rows (hs_cli_pnl_send, once per run report),
 * rank 0 appends them after its own in rank order (hs_cli_pnl_receive).  0 or -1. */
int hs_cli_pnl_send(const hs_report *rep);
int hs_cli_pnl_receive(FILE *fp);

#endif
