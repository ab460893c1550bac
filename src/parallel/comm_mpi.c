/*
 * The module hedgesim-mpi.so: hedgesim's collective calls on Open MPI's MPI_COMM_WORLD
 * (comm_mpi.h), loaded by comm.c when an MPI launcher started the process.
 *
 * MPI counts are int: every transfer goes in pieces of at most 2^27 elements (MPI 4.0's
 * large-count calls are not in Debian's Open MPI 4.1).  The threads of a rank never call
 * MPI (MPI_THREAD_FUNNELED: only the main thread, outside parallel regions).  Reference:
 * MPI Forum, "MPI: A Message-Passing Interface Standard", version 3.1 (2015), sections
 * 5.9 (reductions), 5.8 (all-to-all) and 8.7 (startup).
 */
#include "comm_mpi.h"

#include <mpi.h>
#include <stdlib.h>
#include <string.h>

/* Elements per MPI call: well inside int for any element size up to 16 bytes. */
#define PIECE ((size_t)1 << 27)

/* Progress travels on a communicator of its own, so that its messages never meet the
 * run's.  Each rank's latest count (rank 0 side) and the last post (other ranks). */
static MPI_Comm progress_comm = MPI_COMM_NULL;
static uint64_t *progress_seen, *progress_got; /* rank 0: latest count, messages taken */
static uint64_t progress_sent;                 /* other ranks: messages posted */
static MPI_Request progress_req = MPI_REQUEST_NULL;
static uint64_t progress_msg;
static double progress_last;

static int init(int *argc, char ***argv, int *rank, int *size, const char **why)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        *why = "MPI_Init_thread failed";
        return -1;
    }
    /* Errors come back as codes, handled as values, instead of aborting inside MPI. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    MPI_Comm_dup(MPI_COMM_WORLD, &progress_comm);
    progress_seen = calloc((size_t)*size, sizeof *progress_seen);
    progress_got = calloc((size_t)*size, sizeof *progress_got);
    return 0;
}

static void finalize(void)
{
    if (progress_comm != MPI_COMM_NULL)
        MPI_Comm_free(&progress_comm);
    free(progress_seen);
    free(progress_got);
    progress_seen = progress_got = NULL;
    MPI_Finalize();
}

/* buf[0..n) reduced in place over the ranks, in pieces MPI's int counts allow. */
static int allreduce_u64(uint64_t *buf, size_t n, int max)
{
    for (size_t i = 0; i < n; i += PIECE) {
        int m = (int)(n - i < PIECE ? n - i : PIECE);
        if (MPI_Allreduce(MPI_IN_PLACE, buf + i, m, MPI_UINT64_T, max ? MPI_MAX : MPI_SUM,
                          MPI_COMM_WORLD) != MPI_SUCCESS)
            return -1;
    }
    return 0;
}

static int max_int(int *v)
{
    return MPI_Allreduce(MPI_IN_PLACE, v, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD) == MPI_SUCCESS
               ? 0
               : -1;
}

static int bcast(void *buf, size_t n, int root)
{
    for (size_t i = 0; i < n; i += PIECE) {
        int m = (int)(n - i < PIECE ? n - i : PIECE);
        if (MPI_Bcast((char *)buf + i, m, MPI_BYTE, root, MPI_COMM_WORLD) != MPI_SUCCESS)
            return -1;
    }
    return 0;
}

static int alltoall_counts(const uint64_t *send_count, uint64_t *recv_count)
{
    return MPI_Alltoall(send_count, 1, MPI_UINT64_T, recv_count, 1, MPI_UINT64_T,
                        MPI_COMM_WORLD) == MPI_SUCCESS
               ? 0
               : -1;
}

/* Post the receives (send = 0) or sends of count doubles from or to rank q, in pieces;
 * nonzero when MPI refused one. */
static int post_pieces(int send, double *buf, uint64_t count, int q, MPI_Request *req,
                       size_t *nreq)
{
    for (size_t i = 0; i < count; i += PIECE) {
        int m = (int)(count - i < PIECE ? count - i : PIECE);
        int rc = send ? MPI_Isend(buf + i, m, MPI_DOUBLE, q, 7, MPI_COMM_WORLD, &req[*nreq])
                      : MPI_Irecv(buf + i, m, MPI_DOUBLE, q, 7, MPI_COMM_WORLD, &req[*nreq]);
        ++*nreq;
        if (rc != MPI_SUCCESS)
            return 1;
    }
    return 0;
}

/* Point to point in pieces, which large counts need: every rank posts its receives,
 * then its sends, then waits (no ordering can deadlock). */
static int alltoallv_double(int R, const double *send, const uint64_t *send_count,
                            double *recv, const uint64_t *recv_count)
{
    size_t nreq = 0, cap = 0;
    for (int q = 0; q < R; q++)
        cap += (send_count[q] + PIECE - 1) / PIECE + (recv_count[q] + PIECE - 1) / PIECE;
    MPI_Request *req = malloc((cap ? cap : 1) * sizeof *req);
    if (!req)
        return -1;
    int bad = 0;
    size_t off = 0;
    for (int q = 0; q < R && !bad; off += recv_count[q], q++)
        bad = post_pieces(0, recv + off, recv_count[q], q, req, &nreq);
    off = 0;
    /* MPI_Isend takes a const buffer since MPI 3.0; the cast only satisfies the helper. */
    for (int q = 0; q < R && !bad; off += send_count[q], q++)
        bad = post_pieces(1, (double *)(uintptr_t)(send + off), send_count[q], q, req, &nreq);
    if (!bad)
        bad = MPI_Waitall((int)nreq, req, MPI_STATUSES_IGNORE) != MPI_SUCCESS;
    free(req);
    return bad ? -1 : 0;
}

static int send(const void *buf, size_t n, int to)
{
    if (n > PIECE)
        return -1;
    return MPI_Send(buf, (int)n, MPI_BYTE, to, 8, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
}

static int recv(void *buf, size_t cap, size_t *got, int from)
{
    MPI_Status st;
    int count = 0;
    if (MPI_Recv(buf, (int)(cap < PIECE ? cap : PIECE), MPI_BYTE, from, 8, MPI_COMM_WORLD,
                 &st) != MPI_SUCCESS ||
        MPI_Get_count(&st, MPI_BYTE, &count) != MPI_SUCCESS)
        return -1;
    *got = (size_t)count;
    return 0;
}

static void progress_post(int rank, uint64_t done)
{
    if (rank == 0 || progress_comm == MPI_COMM_NULL)
        return;
    double now = MPI_Wtime();
    int idle = 1;
    if (progress_req != MPI_REQUEST_NULL)
        MPI_Test(&progress_req, &idle, MPI_STATUS_IGNORE);
    /* One post in flight at a time: a slow rank 0 only sees older counts. */
    if (!idle || now - progress_last < 0.2)
        return;
    progress_last = now;
    progress_msg = done;
    if (MPI_Isend(&progress_msg, 1, MPI_UINT64_T, 0, 9, progress_comm, &progress_req) ==
        MPI_SUCCESS)
        progress_sent++;
}

static uint64_t progress_poll(int size)
{
    if (progress_comm == MPI_COMM_NULL || !progress_seen || !progress_got)
        return 0;
    for (;;) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, 9, progress_comm, &flag, &st);
        if (!flag)
            break;
        uint64_t v = 0;
        MPI_Recv(&v, 1, MPI_UINT64_T, st.MPI_SOURCE, 9, progress_comm, MPI_STATUS_IGNORE);
        progress_seen[st.MPI_SOURCE] = v;
        progress_got[st.MPI_SOURCE]++;
    }
    uint64_t sum = 0;
    for (int q = 1; q < size; q++)
        sum += progress_seen[q];
    return sum;
}

/* Rank 0 learns how many posts each rank sent and takes every one it has not yet
 * received (blocking: they are on their way), so nothing stays pending. */
static void progress_end(int rank, int size)
{
    if (progress_comm == MPI_COMM_NULL)
        return;
    if (progress_req != MPI_REQUEST_NULL)
        MPI_Wait(&progress_req, MPI_STATUS_IGNORE);
    uint64_t *sent = rank == 0 ? calloc((size_t)size, sizeof *sent) : NULL;
    MPI_Gather(&progress_sent, 1, MPI_UINT64_T, sent, 1, MPI_UINT64_T, 0, progress_comm);
    if (rank == 0 && sent && progress_got)
        for (int q = 1; q < size; q++)
            for (; progress_got[q] < sent[q]; progress_got[q]++) {
                uint64_t v;
                MPI_Recv(&v, 1, MPI_UINT64_T, q, 9, progress_comm, MPI_STATUS_IGNORE);
            }
    free(sent);
    progress_sent = 0;
    if (progress_seen)
        memset(progress_seen, 0, (size_t)size * sizeof *progress_seen);
    if (progress_got)
        memset(progress_got, 0, (size_t)size * sizeof *progress_got);
}

static void abort_job(int code)
{
    MPI_Abort(MPI_COMM_WORLD, code);
}

/* The one exported symbol (visibility: the module is built with -fvisibility=hidden). */
__attribute__((visibility("default"))) const hs_mpi_ops hs_mpi_module = {
    .abi = HS_MPI_ABI,
    .init = init,
    .finalize = finalize,
    .allreduce_u64 = allreduce_u64,
    .max_int = max_int,
    .bcast = bcast,
    .alltoall_counts = alltoall_counts,
    .alltoallv_double = alltoallv_double,
    .send = send,
    .recv = recv,
    .progress_post = progress_post,
    .progress_poll = progress_poll,
    .progress_end = progress_end,
    .abort = abort_job,
};
