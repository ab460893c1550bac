/*
 * What the fuzz harnesses of tests/fuzz/ share: a private scratch directory per process
 * (removed at exit), writing the input bytes to a file in it, and the checks that turn a
 * broken house rule into a crash libFuzzer (or the replay driver) records.
 *
 * Each harness defines LLVMFuzzerTestOneInput and LLVMFuzzerInitialize; scripts/fuzz
 * links it with libFuzzer (clang), tests/fuzz/replay.c with a plain main() (gcc) so that
 * the normal test suite replays the corpus and every past crash.
 */
#ifndef HEDGESIM_TESTS_FUZZ_H
#define HEDGESIM_TESTS_FUZZ_H

#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken property: print what and where, then abort so that the input is kept. */
#define HS_FUZZ_CHECK(cond, ...)                                                                   \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz check failed at %s:%d: %s: ", __FILE__, __LINE__, #cond);        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static char hs_fuzz_dir[256];

static inline int hs_fuzz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline void hs_fuzz_cleanup(void)
{
    if (hs_fuzz_dir[0])
        nftw(hs_fuzz_dir, hs_fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
    hs_fuzz_dir[0] = '\0';
}

/* The scratch directory of this process (created on first use; the replay driver forks
 * before each input, so every input gets its own). */
static inline const char *hs_fuzz_tmpdir(void)
{
    if (!hs_fuzz_dir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(hs_fuzz_dir, sizeof hs_fuzz_dir, "%s/hsfuzz.XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(hs_fuzz_dir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
        atexit(hs_fuzz_cleanup);
    }
    return hs_fuzz_dir;
}

#ifdef HS_SOURCE_ROOT
/* The bundled data files, as data/NAME in the scratch directory: bootstrap and replay
 * scenarios of the corpus name them so. */
static inline void hs_fuzz_link_data(void)
{
    char link[512];
    snprintf(link, sizeof link, "%s/data", hs_fuzz_tmpdir());
    if (symlink(HS_SOURCE_ROOT "/scenarios/data", link) != 0) {
        perror(link);
        abort();
    }
}
#endif

/* Write size bytes to NAME in the scratch directory; the full path goes to path. */
static inline void hs_fuzz_write(const char *name, const uint8_t *data, size_t size, char *path,
                                 size_t len)
{
    snprintf(path, len, "%s/%s", hs_fuzz_tmpdir(), name);
    FILE *fp = fopen(path, "wb");
    if (!fp || (size && fwrite(data, 1, size, fp) != size) || fclose(fp)) {
        perror(path);
        abort();
    }
}

/* A library error must be one non-empty line (house rules). */
static inline void hs_fuzz_check_message(const char *what, const char *msg)
{
    HS_FUZZ_CHECK(msg[0] != '\0', "%s: empty error message", what);
    HS_FUZZ_CHECK(!strchr(msg, '\n'), "%s: message of several lines: %s", what, msg);
}

#endif
