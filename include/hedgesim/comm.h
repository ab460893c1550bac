/*
 * The processes of a run: one, or the ranks of an MPI job (src/parallel/comm.c).
 *
 * A run split among R ranks gives rank r a contiguous range of the path blocks; the
 * collective calls below are what the library needs to combine the ranks' results
 * exactly (integer sums, broadcasts, an all-to-all exchange of doubles, a stream of
 * bytes to rank 0).  Every rank makes the same collective calls in the same order.  In a
 * build without MPI, or a process not started by an MPI launcher, hs_comm_world is a
 * single process and every call is a copy or nothing.
 */
#ifndef HEDGESIM_COMM_H
#define HEDGESIM_COMM_H

#include <stddef.h>
#include <stdint.h>

#include "hedgesim/error.h"

typedef struct hs_comm hs_comm;

/* The single-process communicator (never freed). */
const hs_comm *hs_comm_self(void);

/* The job's communicator: MPI_COMM_WORLD after MPI_Init when the process was started by
 * an MPI launcher (mpirun, mpiexec, srun: its environment says so) and the build has MPI;
 * hs_comm_self() otherwise.  Call once, before any thread starts; release with
 * hs_comm_finalize.  HS_ERUNTIME when MPI cannot start. */
hs_status hs_comm_world(int *argc, char ***argv, const hs_comm **out, hs_error *err);
void hs_comm_finalize(const hs_comm *c);

/* Whether this build can run under MPI. */
int hs_comm_has_mpi(void);

int hs_comm_rank(const hs_comm *c);
int hs_comm_size(const hs_comm *c);

/* Collective: buf[0..n) becomes the element-wise sum over the ranks (exact: integers,
 * wrapping modulo 2^64, which two's complement sums of int64 rely on).  0 or -1. */
int hs_comm_sum_u64(const hs_comm *c, uint64_t *buf, size_t n);

/* Collective: the largest v over the ranks, on every rank.  0 or -1. */
int hs_comm_max_int(const hs_comm *c, int *v);

/* Collective: buf[0..n) becomes the element-wise maximum over the ranks.  0 or -1. */
int hs_comm_max_u64(const hs_comm *c, uint64_t *buf, size_t n);

/* Collective: root's bytes [0, n) copied to every rank.  0 or -1. */
int hs_comm_bcast(const hs_comm *c, void *buf, size_t n, int root);

/* Collective: rank r sends send[send_off[q] .. + send_count[q]) to each rank q (counts in
 * doubles, offsets from send), and receives what each rank sends it into recv, in rank
 * order; recv_count[q] is filled in.  recv must hold the sum of what the ranks send to
 * this one (ask hs_comm_alltoall_counts first).  0 or -1. */
int hs_comm_alltoall_counts(const hs_comm *c, const uint64_t *send_count, uint64_t *recv_count);
int hs_comm_alltoallv_double(const hs_comm *c, const double *send, const uint64_t *send_count,
                             double *recv, const uint64_t *recv_count);

/* Point to point, for streaming a file to rank 0 in bounded pieces: bytes [0, n) to
 * rank `to`; hs_comm_recv takes the next piece from `from` into buf (capacity cap) and
 * sets *got.  0 or -1. */
int hs_comm_send(const hs_comm *c, const void *buf, size_t n, int to);
int hs_comm_recv(const hs_comm *c, void *buf, size_t cap, size_t *got, int from);

/* Progress of the paths of every rank, for rank 0's progress line (not a collective):
 * ranks other than 0 post their count of paths done (at most every 0.2 s, without
 * waiting for rank 0); rank 0 polls, getting the latest count of every other rank summed
 * (what arrived so far).  hs_comm_progress_end is a collective, after the simulation:
 * it waits for the posts and drains them.  No-ops on one process. */
void hs_comm_progress_post(const hs_comm *c, uint64_t done);
uint64_t hs_comm_progress_poll(const hs_comm *c);
void hs_comm_progress_end(const hs_comm *c);

/* Under MPI, end every rank of the job at once with this exit code (MPI_Abort: for a
 * failure that other ranks cannot learn of in a collective).  On a single process it
 * returns, and the caller exits.  The library never calls it. */
void hs_comm_abort(const hs_comm *c, int code);

#endif
