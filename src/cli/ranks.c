/*
 * The command under MPI (ranks.h): which rank speaks, how the ranks agree on a failure,
 * and how pnl.csv reaches rank 0.
 *
 * Only rank 0 prints and writes.  A failure found while loading and checking the
 * scenario (every rank loads it: a data file missing on one node fails there) is agreed
 * in one collective: every rank learns the status of the lowest failing rank, whose
 * message rank 0 receives and prints once; all ranks then exit with that status.  A
 * failure during the run, where the other ranks may be waiting in a collective, ends the
 * job at once (MPI_Abort with the exit code) after the failing rank printed it.
 * pnl.csv: rank 0 writes its own rows, then those of ranks 1, 2, ... in turn; each rank
 * formats its rows in pieces of at most CHUNK bytes and sends them, an empty piece last.
 * Ranks hold contiguous path ranges in rank order, so the file is in path order, as on
 * one process.
 */
#define _POSIX_C_SOURCE 200809L
#include "ranks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of formatted rows per message: bounded memory whatever the paths. */
#define CHUNK ((size_t)1 << 20)

static const hs_comm *world;

hs_status hs_cli_world_init(int *argc, char ***argv, hs_error *err)
{
    return hs_comm_world(argc, argv, &world, err);
}

void hs_cli_world_end(void)
{
    if (world)
        hs_comm_finalize(world);
    world = NULL;
}

const hs_comm *hs_cli_world(void)
{
    return world ? world : hs_comm_self();
}

int hs_cli_speaks(void)
{
    return hs_comm_rank(hs_cli_world()) == 0;
}

hs_status hs_cli_agree(hs_status st, hs_error *err)
{
    const hs_comm *c = hs_cli_world();
    int R = hs_comm_size(c), me = hs_comm_rank(c);
    if (R == 1)
        return st;
    /* The lowest failing rank f, as R - f (0: none failed). */
    int code = st ? R - me : 0;
    if (hs_comm_max_int(c, &code)) {
        hs_comm_abort(c, 1);
        return HS_ERUNTIME;
    }
    if (code == 0)
        return HS_OK;
    int f = R - code;
    int status = (int)st;
    if (hs_comm_bcast(c, &status, sizeof status, f)) {
        hs_comm_abort(c, 1);
        return HS_ERUNTIME;
    }
    if (f != 0) {
        size_t got = 0;
        if (me == f)
            hs_comm_send(c, err->msg, strlen(err->msg) + 1, 0);
        else if (me == 0 && hs_comm_recv(c, err->msg, sizeof err->msg, &got, f) == 0)
            err->msg[sizeof err->msg - 1] = '\0';
    }
    err->status = (hs_status)status;
    return (hs_status)status;
}

void hs_cli_abort_run(hs_status st, const hs_error *err)
{
    const hs_comm *c = hs_cli_world();
    if (hs_comm_size(c) == 1)
        return;
    fprintf(stderr, "hedgesim: rank %d: %s\n", hs_comm_rank(c), err->msg);
    fflush(stderr);
    hs_comm_abort(c, st == HS_OK ? 1 : (int)st);
}

int hs_cli_pnl_send(const hs_report *rep)
{
    const hs_comm *c = hs_cli_world();
    char *buf = NULL;
    size_t len = 0;
    uint64_t n = rep->res->paths;
    /* Paths per piece: rows are at most a few hundred bytes (a grid column, the
     * strategy's name, six numbers), so this stays near CHUNK. */
    size_t row = 200 + strlen(rep->strategies[0].strategy->name);
    uint64_t per = CHUNK / (row * (rep->res->n_strategies ? rep->res->n_strategies : 1));
    if (per == 0)
        per = 1;
    int rc = 0;
    for (uint64_t p = 0; p < n && !rc; p += per) {
        FILE *fp = open_memstream(&buf, &len);
        if (!fp)
            return -1;
        rc = hs_pnl_csv_rows_range(rep, fp, p, p + per);
        if (fclose(fp) != 0)
            rc = -1;
        /* A piece that outgrew CHUNK (very long names) goes in several messages. */
        for (size_t off = 0; !rc && off < len; off += CHUNK)
            rc = hs_comm_send(c, buf + off, len - off < CHUNK ? len - off : CHUNK, 0);
        free(buf);
        buf = NULL;
    }
    /* The end of this rank's rows, also after a failure (rank 0 stops waiting). */
    if (hs_comm_send(c, "", 0, 0))
        rc = -1;
    return rc;
}

int hs_cli_pnl_receive(FILE *fp)
{
    const hs_comm *c = hs_cli_world();
    int R = hs_comm_size(c);
    char *buf = malloc(CHUNK);
    if (!buf)
        return -1;
    int rc = 0;
    for (int q = 1; q < R; q++)
        for (;;) {
            size_t got = 0;
            if (hs_comm_recv(c, buf, CHUNK, &got, q)) {
                free(buf);
                return -1;
            }
            if (got == 0)
                break;
            if (!rc && fwrite(buf, 1, got, fp) != got)
                rc = -1; /* keep receiving: the senders must not block */
        }
    free(buf);
    return rc;
}
