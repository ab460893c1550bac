/*
 * Private: the table of MPI calls that the module hedgesim-mpi.so (comm_mpi.c, linked
 * with Open MPI) gives comm.c, which loads it with dlopen only when an MPI launcher
 * started the process.  A plain run therefore never maps Open MPI's eight libraries
 * (about 0.7 ms of start-up), and a build with MPI runs on a machine without Open MPI.
 * The module exports one symbol, hs_mpi_module; its `abi` must equal HS_MPI_ABI (a
 * module from another build of hedgesim is refused).  Every call works on
 * MPI_COMM_WORLD (progress on a duplicate of it) and returns 0 or -1 unless said.
 */
#ifndef HEDGESIM_COMM_MPI_H
#define HEDGESIM_COMM_MPI_H

#include <stddef.h>
#include <stdint.h>

#define HS_MPI_ABI 1
#define HS_MPI_MODULE_NAME "hedgesim-mpi.so"
#define HS_MPI_MODULE_SYMBOL "hs_mpi_module"

typedef struct hs_mpi_ops {
    int abi;
    /* MPI_Init_thread (funneled), errors returned as codes; rank and size of the world.
     * On failure *why names the call that failed. */
    int (*init)(int *argc, char ***argv, int *rank, int *size, const char **why);
    void (*finalize)(void);
    /* Element-wise sum (max = 0) or maximum (max = 1) over the ranks, in place. */
    int (*allreduce_u64)(uint64_t *buf, size_t n, int max);
    int (*max_int)(int *v);
    int (*bcast)(void *buf, size_t n, int root);
    int (*alltoall_counts)(const uint64_t *send_count, uint64_t *recv_count);
    int (*alltoallv_double)(int size, const double *send, const uint64_t *send_count,
                            double *recv, const uint64_t *recv_count);
    int (*send)(const void *buf, size_t n, int to);
    int (*recv)(void *buf, size_t cap, size_t *got, int from);
    void (*progress_post)(int rank, uint64_t done);
    uint64_t (*progress_poll)(int size);
    void (*progress_end)(int rank, int size);
    void (*abort)(int code);
} hs_mpi_ops;

#endif
