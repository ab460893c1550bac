/*
 * The processes of a run (comm.h): Open MPI's MPI_COMM_WORLD, or one process.
 *
 * MPI is started only when a launcher started this process, which its environment
 * shows: Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE, PMIx launchers (srun --mpi=pmix,
 * prun) PMIX_RANK, PMI-1/2 launchers (MPICH's mpiexec, srun --mpi=pmi2) PMI_RANK.  A
 * plain `hedgesim run` therefore never pays MPI's start-up nor depends on a working MPI
 * installation.  MPI counts are int: every transfer goes in pieces of at most 2^27
 * elements (MPI 4.0's large-count calls are not in Debian's Open MPI 4.1).  The threads
 * of a rank never call MPI (MPI_THREAD_FUNNELED: only the main thread, outside parallel
 * regions).  Reference: MPI Forum, "MPI: A Message-Passing Interface Standard",
 * version 3.1 (2015), sections 5.9 (reductions), 5.8 (all-to-all) and 8.7 (startup).
 */
#include "hedgesim/comm.h"

#include <stdlib.h>
#include <string.h>

#ifdef HS_HAVE_MPI
#include <mpi.h>
#endif

/* Elements per MPI call: well inside int for any element size up to 16 bytes. */
#define PIECE ((size_t)1 << 27)

struct hs_comm {
    int rank, size;
    int mpi; /* 1: MPI_COMM_WORLD */
};

static const hs_comm self = {0, 1, 0};

#ifdef HS_HAVE_MPI
/* Progress travels on a communicator of its own, so that its messages never meet the
 * run's.  Each rank's latest count (rank 0 side) and the last post (other ranks). */
static MPI_Comm progress_comm = MPI_COMM_NULL;
static uint64_t *progress_seen, *progress_got; /* rank 0: latest count, messages taken */
static uint64_t progress_sent;                 /* other ranks: messages posted */
static MPI_Request progress_req = MPI_REQUEST_NULL;
static uint64_t progress_msg;
static double progress_last;
#endif

const hs_comm *hs_comm_self(void)
{
    return &self;
}

int hs_comm_has_mpi(void)
{
#ifdef HS_HAVE_MPI
    return 1;
#else
    return 0;
#endif
}

int hs_comm_rank(const hs_comm *c)
{
    return c ? c->rank : 0;
}

int hs_comm_size(const hs_comm *c)
{
    return c ? c->size : 1;
}

#ifdef HS_HAVE_MPI
static hs_comm world;

static int launched(void)
{
    const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}
#endif

hs_status hs_comm_world(int *argc, char ***argv, const hs_comm **out, hs_error *err)
{
    *out = &self;
#ifdef HS_HAVE_MPI
    if (!launched())
        return HS_OK;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return hs_error_set(err, HS_ERUNTIME, "MPI_Init_thread failed");
    /* Errors come back as codes, handled as values, instead of aborting inside MPI. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &world.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world.size);
    world.mpi = 1;
    MPI_Comm_dup(MPI_COMM_WORLD, &progress_comm);
    progress_seen = calloc((size_t)world.size, sizeof *progress_seen);
    progress_got = calloc((size_t)world.size, sizeof *progress_got);
    *out = &world;
#else
    (void)argc, (void)argv, (void)err;
#endif
    return HS_OK;
}

void hs_comm_finalize(const hs_comm *c)
{
#ifdef HS_HAVE_MPI
    if (c && c->mpi) {
        if (progress_comm != MPI_COMM_NULL)
            MPI_Comm_free(&progress_comm);
        free(progress_seen);
        free(progress_got);
        progress_seen = progress_got = NULL;
        MPI_Finalize();
    }
#else
    (void)c;
#endif
}

#ifdef HS_HAVE_MPI
/* buf[0..n) reduced in place over the ranks by op, in pieces MPI's int counts allow. */
static int allreduce_u64(uint64_t *buf, size_t n, MPI_Op op)
{
    for (size_t i = 0; i < n; i += PIECE) {
        int m = (int)(n - i < PIECE ? n - i : PIECE);
        if (MPI_Allreduce(MPI_IN_PLACE, buf + i, m, MPI_UINT64_T, op, MPI_COMM_WORLD) !=
            MPI_SUCCESS)
            return -1;
    }
    return 0;
}
#endif

int hs_comm_sum_u64(const hs_comm *c, uint64_t *buf, size_t n)
{
#ifdef HS_HAVE_MPI
    if (c && c->mpi)
        return allreduce_u64(buf, n, MPI_SUM);
#else
    (void)c, (void)buf, (void)n;
#endif
    return 0;
}

int hs_comm_max_int(const hs_comm *c, int *v)
{
#ifdef HS_HAVE_MPI
    if (c && c->mpi)
        return MPI_Allreduce(MPI_IN_PLACE, v, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD) == MPI_SUCCESS
                   ? 0
                   : -1;
#else
    (void)c, (void)v;
#endif
    return 0;
}

int hs_comm_max_u64(const hs_comm *c, uint64_t *buf, size_t n)
{
#ifdef HS_HAVE_MPI
    if (c && c->mpi)
        return allreduce_u64(buf, n, MPI_MAX);
#else
    (void)c, (void)buf, (void)n;
#endif
    return 0;
}

int hs_comm_bcast(const hs_comm *c, void *buf, size_t n, int root)
{
#ifdef HS_HAVE_MPI
    if (c && c->mpi)
        for (size_t i = 0; i < n; i += PIECE) {
            int m = (int)(n - i < PIECE ? n - i : PIECE);
            if (MPI_Bcast((char *)buf + i, m, MPI_BYTE, root, MPI_COMM_WORLD) != MPI_SUCCESS)
                return -1;
        }
#else
    (void)c, (void)buf, (void)n, (void)root;
#endif
    return 0;
}

int hs_comm_alltoall_counts(const hs_comm *c, const uint64_t *send_count, uint64_t *recv_count)
{
#ifdef HS_HAVE_MPI
    if (c && c->mpi)
        return MPI_Alltoall(send_count, 1, MPI_UINT64_T, recv_count, 1, MPI_UINT64_T,
                            MPI_COMM_WORLD) == MPI_SUCCESS
                   ? 0
                   : -1;
#endif
    (void)c;
    recv_count[0] = send_count[0];
    return 0;
}

int hs_comm_alltoallv_double(const hs_comm *c, const double *send, const uint64_t *send_count,
                             double *recv, const uint64_t *recv_count)
{
#ifdef HS_HAVE_MPI
    if (c && c->mpi) {
        /* Point to point in pieces, which large counts need: every rank posts its
         * receives, then its sends, then waits (no ordering can deadlock). */
        int R = c->size;
        size_t nreq = 0, cap = 0;
        for (int q = 0; q < R; q++)
            cap += (send_count[q] + PIECE - 1) / PIECE + (recv_count[q] + PIECE - 1) / PIECE;
        MPI_Request *req = malloc((cap ? cap : 1) * sizeof *req);
        if (!req)
            return -1;
        int bad = 0;
        size_t off = 0;
        for (int q = 0; q < R && !bad; q++) {
            for (size_t i = 0; i < recv_count[q] && !bad; i += PIECE) {
                int m = (int)(recv_count[q] - i < PIECE ? recv_count[q] - i : PIECE);
                bad = MPI_Irecv(recv + off + i, m, MPI_DOUBLE, q, 7, MPI_COMM_WORLD,
                                &req[nreq++]) != MPI_SUCCESS;
            }
            off += recv_count[q];
        }
        off = 0;
        for (int q = 0; q < R && !bad; q++) {
            for (size_t i = 0; i < send_count[q] && !bad; i += PIECE) {
                int m = (int)(send_count[q] - i < PIECE ? send_count[q] - i : PIECE);
                bad = MPI_Isend(send + off + i, m, MPI_DOUBLE, q, 7, MPI_COMM_WORLD,
                                &req[nreq++]) != MPI_SUCCESS;
            }
            off += send_count[q];
        }
        if (!bad)
            bad = MPI_Waitall((int)nreq, req, MPI_STATUSES_IGNORE) != MPI_SUCCESS;
        free(req);
        return bad ? -1 : 0;
    }
#endif
    (void)c, (void)recv_count;
    memcpy(recv, send, send_count[0] * sizeof *send);
    return 0;
}

int hs_comm_send(const hs_comm *c, const void *buf, size_t n, int to)
{
#ifdef HS_HAVE_MPI
    if (c && c->mpi) {
        if (n > PIECE)
            return -1;
        return MPI_Send(buf, (int)n, MPI_BYTE, to, 8, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : -1;
    }
#endif
    (void)c, (void)buf, (void)n, (void)to;
    return -1; /* a single process has no one to send to */
}

int hs_comm_recv(const hs_comm *c, void *buf, size_t cap, size_t *got, int from)
{
#ifdef HS_HAVE_MPI
    if (c && c->mpi) {
        MPI_Status st;
        int count = 0;
        if (MPI_Recv(buf, (int)(cap < PIECE ? cap : PIECE), MPI_BYTE, from, 8, MPI_COMM_WORLD,
                     &st) != MPI_SUCCESS ||
            MPI_Get_count(&st, MPI_BYTE, &count) != MPI_SUCCESS)
            return -1;
        *got = (size_t)count;
        return 0;
    }
#endif
    (void)c, (void)buf, (void)cap, (void)from;
    *got = 0;
    return -1;
}

void hs_comm_progress_post(const hs_comm *c, uint64_t done)
{
#ifdef HS_HAVE_MPI
    if (!c || !c->mpi || c->rank == 0 || progress_comm == MPI_COMM_NULL)
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
#else
    (void)c, (void)done;
#endif
}

uint64_t hs_comm_progress_poll(const hs_comm *c)
{
#ifdef HS_HAVE_MPI
    if (!c || !c->mpi || c->rank != 0 || progress_comm == MPI_COMM_NULL || !progress_seen ||
        !progress_got)
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
    for (int q = 1; q < c->size; q++)
        sum += progress_seen[q];
    return sum;
#else
    (void)c;
    return 0;
#endif
}

void hs_comm_progress_end(const hs_comm *c)
{
#ifdef HS_HAVE_MPI
    if (!c || !c->mpi || progress_comm == MPI_COMM_NULL)
        return;
    /* Rank 0 learns how many posts each rank sent and takes every one it has not yet
     * received (blocking: they are on their way), so nothing stays pending. */
    if (progress_req != MPI_REQUEST_NULL)
        MPI_Wait(&progress_req, MPI_STATUS_IGNORE);
    uint64_t *sent = c->rank == 0 ? calloc((size_t)c->size, sizeof *sent) : NULL;
    MPI_Gather(&progress_sent, 1, MPI_UINT64_T, sent, 1, MPI_UINT64_T, 0, progress_comm);
    if (c->rank == 0 && sent && progress_got)
        for (int q = 1; q < c->size; q++)
            for (; progress_got[q] < sent[q]; progress_got[q]++) {
                uint64_t v;
                MPI_Recv(&v, 1, MPI_UINT64_T, q, 9, progress_comm, MPI_STATUS_IGNORE);
            }
    free(sent);
    progress_sent = 0;
    if (progress_seen)
        memset(progress_seen, 0, (size_t)c->size * sizeof *progress_seen);
    if (progress_got)
        memset(progress_got, 0, (size_t)c->size * sizeof *progress_got);
#else
    (void)c;
#endif
}

void hs_comm_abort(const hs_comm *c, int code)
{
#ifdef HS_HAVE_MPI
    if (c && c->mpi)
        MPI_Abort(MPI_COMM_WORLD, code);
#else
    (void)c, (void)code;
#endif
}
