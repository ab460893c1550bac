/*
 * The processes of a run (comm.h): Open MPI's MPI_COMM_WORLD, or one process.
 *
 * MPI is started only when a launcher started this process, which its environment
 * shows: Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE, PMIx launchers (srun --mpi=pmix,
 * prun) PMIX_RANK, PMI-1/2 launchers (MPICH's mpiexec, srun --mpi=pmi2) PMI_RANK.  The
 * MPI calls live in a module of their own, hedgesim-mpi.so (comm_mpi.c), loaded with
 * dlopen only then: a plain `hedgesim run` neither maps Open MPI's libraries (0.7 ms of
 * start-up each run) nor needs them installed.  The module is looked for, in order:
 *   1. the file $HEDGESIM_MPI_MODULE names, if set (and only there);
 *   2. beside the running program (the build tree: build/hedgesim-mpi.so);
 *   3. beside the library holding this file, and in its hedgesim/ folder (an installed
 *      libhedgesim.so);
 *   4. where `meson install` puts it (HS_MPI_MODULE_PATH, <libdir>/hedgesim/).
 * A module from another build is refused (its ABI number differs).
 */
#define _GNU_SOURCE
#include "hedgesim/comm.h"

#include "comm_mpi.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct hs_comm {
    int rank, size;
    const hs_mpi_ops *mpi; /* NULL: one process */
};

static const hs_comm self = {0, 1, NULL};

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
static void *module;

/* The launcher variable that is set, or NULL. */
static const char *launched(void)
{
    const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (getenv(vars[i]))
            return vars[i];
    return NULL;
}

/* dir(path) + "/" + rest, malloc'ed (NULL when out of memory or path has no folder). */
static char *beside(const char *path, const char *rest)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!slash)
        return NULL;
    size_t d = (size_t)(slash - path), r = strlen(rest);
    char *out = malloc(d + 1 + r + 1);
    if (out) {
        memcpy(out, path, d);
        out[d] = '/';
        memcpy(out + d + 1, rest, r + 1);
    }
    return out;
}

/* The running program's file (/proc/self/exe), malloc'ed, any length; NULL if unknown. */
static char *self_exe(void)
{
    for (size_t cap = 256; cap <= ((size_t)1 << 20); cap *= 2) {
        char *buf = malloc(cap);
        if (!buf)
            return NULL;
        ssize_t n = readlink("/proc/self/exe", buf, cap);
        if (n < 0) {
            free(buf);
            return NULL;
        }
        if ((size_t)n < cap) {
            buf[n] = '\0';
            return buf;
        }
        free(buf);
    }
    return NULL;
}

/* dlopen the first candidate that exists; on failure, err says which were tried. */
static const hs_mpi_ops *load_module(const char *var, hs_error *err)
{
    char *cand[5] = {NULL};
    size_t nc = 0;
    const char *forced = getenv("HEDGESIM_MPI_MODULE");
    if (forced && *forced) {
        cand[nc++] = strdup(forced);
    } else {
        char *exe = self_exe();
        cand[nc++] = beside(exe, HS_MPI_MODULE_NAME);
        free(exe);
        Dl_info info;
        if (dladdr(&self, &info) && info.dli_fname) { /* the file holding this code */
            cand[nc++] = beside(info.dli_fname, HS_MPI_MODULE_NAME);
            cand[nc++] = beside(info.dli_fname, "hedgesim/" HS_MPI_MODULE_NAME);
        }
        cand[nc++] = strdup(HS_MPI_MODULE_PATH);
    }
    const hs_mpi_ops *ops = NULL;
    char *tried = NULL, *why = NULL; /* the last candidate that failed, and dlerror's text */
    for (size_t i = 0; i < nc && !ops; i++) {
        if (!cand[i] || access(cand[i], F_OK) != 0)
            continue;
        /* RTLD_GLOBAL: Open MPI dlopens its own components, which expect libmpi's
         * symbols to be visible. */
        void *h = dlopen(cand[i], RTLD_NOW | RTLD_GLOBAL);
        const hs_mpi_ops *o = h ? (const hs_mpi_ops *)dlsym(h, HS_MPI_MODULE_SYMBOL) : NULL;
        if (o && o->abi == HS_MPI_ABI) {
            module = h;
            ops = o;
        } else {
            const char *dl = h ? NULL : dlerror();
            free(tried);
            free(why);
            tried = strdup(cand[i]);
            why = dl ? strdup(dl) : NULL;
            if (h)
                dlclose(h);
        }
    }
    if (!ops && tried)
        hs_error_set(err, HS_ERUNTIME,
                     "started by an MPI launcher (%s is set), but hedgesim's MPI module %s %s%s",
                     var, tried,
                     why ? "cannot be loaded: "
                         : "is not this build's module (no " HS_MPI_MODULE_SYMBOL
                           " of the same ABI)",
                     why ? why : "");
    else if (!ops && forced && *forced)
        hs_error_set(err, HS_EINPUT,
                     "started by an MPI launcher (%s is set), but HEDGESIM_MPI_MODULE names "
                     "%s, which does not exist",
                     var, forced);
    else if (!ops)
        hs_error_set(err, HS_ERUNTIME,
                     "started by an MPI launcher (%s is set), but hedgesim's MPI module %s is "
                     "neither beside the program nor at %s: reinstall hedgesim, or set "
                     "HEDGESIM_MPI_MODULE to the module's path",
                     var, HS_MPI_MODULE_NAME, HS_MPI_MODULE_PATH);
    free(tried);
    free(why);
    for (size_t i = 0; i < nc; i++)
        free(cand[i]);
    return ops;
}
#endif

hs_status hs_comm_world(int *argc, char ***argv, const hs_comm **out, hs_error *err)
{
    *out = &self;
#ifdef HS_HAVE_MPI
    const char *var = launched();
    if (!var)
        return HS_OK;
    const hs_mpi_ops *ops = load_module(var, err);
    if (!ops)
        return err ? err->status : HS_ERUNTIME;
    const char *why = "MPI_Init_thread failed";
    if (ops->init(argc, argv, &world.rank, &world.size, &why))
        return hs_error_set(err, HS_ERUNTIME, "%s", why);
    world.mpi = ops;
    *out = &world;
#else
    (void)argc, (void)argv, (void)err;
#endif
    return HS_OK;
}

void hs_comm_finalize(const hs_comm *c)
{
    if (c && c->mpi)
        c->mpi->finalize();
    /* The module stays loaded: Open MPI's libraries do not support being unloaded. */
}

int hs_comm_sum_u64(const hs_comm *c, uint64_t *buf, size_t n)
{
    return c && c->mpi ? c->mpi->allreduce_u64(buf, n, 0) : 0;
}

int hs_comm_max_int(const hs_comm *c, int *v)
{
    return c && c->mpi ? c->mpi->max_int(v) : 0;
}

int hs_comm_max_u64(const hs_comm *c, uint64_t *buf, size_t n)
{
    return c && c->mpi ? c->mpi->allreduce_u64(buf, n, 1) : 0;
}

int hs_comm_bcast(const hs_comm *c, void *buf, size_t n, int root)
{
    return c && c->mpi ? c->mpi->bcast(buf, n, root) : 0;
}

int hs_comm_alltoall_counts(const hs_comm *c, const uint64_t *send_count, uint64_t *recv_count)
{
    if (c && c->mpi)
        return c->mpi->alltoall_counts(send_count, recv_count);
    recv_count[0] = send_count[0];
    return 0;
}

int hs_comm_alltoallv_double(const hs_comm *c, const double *send, const uint64_t *send_count,
                             double *recv, const uint64_t *recv_count)
{
    if (c && c->mpi)
        return c->mpi->alltoallv_double(c->size, send, send_count, recv, recv_count);
    memcpy(recv, send, send_count[0] * sizeof *send);
    return 0;
}

int hs_comm_send(const hs_comm *c, const void *buf, size_t n, int to)
{
    /* A single process has no one to send to. */
    return c && c->mpi ? c->mpi->send(buf, n, to) : -1;
}

int hs_comm_recv(const hs_comm *c, void *buf, size_t cap, size_t *got, int from)
{
    if (c && c->mpi)
        return c->mpi->recv(buf, cap, got, from);
    *got = 0;
    return -1;
}

void hs_comm_progress_post(const hs_comm *c, uint64_t done)
{
    if (c && c->mpi && c->rank != 0)
        c->mpi->progress_post(c->rank, done);
}

uint64_t hs_comm_progress_poll(const hs_comm *c)
{
    return c && c->mpi && c->rank == 0 ? c->mpi->progress_poll(c->size) : 0;
}

void hs_comm_progress_end(const hs_comm *c)
{
    if (c && c->mpi)
        c->mpi->progress_end(c->rank, c->size);
}

void hs_comm_abort(const hs_comm *c, int code)
{
    if (c && c->mpi)
        c->mpi->abort(code);
}
