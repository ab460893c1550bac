/*
 * Replay driver of the fuzz harnesses (the other files of tests/fuzz/) for the normal test suite: a
 * plain main() instead of libFuzzer, so that a harness builds with gcc and no
 * clang-only feature.  Usage: fuzz_HARNESS DIR...  Every regular file of every DIR
 * (a seed corpus, the past crashes) is fed to LLVMFuzzerTestOneInput in a child process
 * of its own under a time limit, so one crash is counted and named and the rest still
 * run.  A missing DIR holds no input.  The closing line "fuzz: N passed, N failed" is
 * what scripts/test counts.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#define SECONDS_PER_INPUT 60

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run one input in a child; 0 when it returned normally. */
static int replay(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        printf("FAIL: %s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    uint8_t *data = NULL;
    size_t size = 0, cap = 0, got;
    do {
        if (size == cap) {
            cap = cap ? 2 * cap : 4096;
            data = realloc(data, cap);
            if (!data)
                abort();
        }
        got = fread(data + size, 1, cap - size, fp);
        size += got;
    } while (got);
    fclose(fp);

    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        abort();
    }
    if (pid == 0) {
        alarm(SECONDS_PER_INPUT);
        int argc = 1;
        char *args[] = {(char *)"replay", NULL}, **argv = args;
        LLVMFuzzerInitialize(&argc, &argv);
        /* libFuzzer hands the harness a buffer of exactly size bytes: so does this. */
        uint8_t *copy = malloc(size ? size : 1);
        memcpy(copy, data, size);
        LLVMFuzzerTestOneInput(copy, size);
        free(copy);
        free(data);
        exit(0);
    }
    free(data);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            abort();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status))
        printf("FAIL: %s: %s%s\n", path, strsignal(WTERMSIG(status)),
               WTERMSIG(status) == SIGALRM ? " (over the time limit)" : "");
    else
        printf("FAIL: %s: exit %d\n", path, WEXITSTATUS(status));
    return -1;
}

int main(int argc, char **argv)
{
    int pass = 0, fail = 0;
    /* The children's scratch directories go under one of ours, removed at the end even
     * when a child crashed before its own clean-up. */
    hs_fuzz_tmpdir();
    setenv("TMPDIR", hs_fuzz_dir, 1);
    hs_fuzz_dir[0] = '\0'; /* each child makes its own */
    char parent[sizeof hs_fuzz_dir];
    memcpy(parent, getenv("TMPDIR"), strlen(getenv("TMPDIR")) + 1);
    for (int a = 1; a < argc; a++) {
        DIR *d = opendir(argv[a]);
        if (!d)
            continue;
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 64;
                names = realloc(names, cap * sizeof *names);
                if (!names)
                    abort();
            }
            names[n++] = strdup(e->d_name);
        }
        closedir(d);
        if (n)
            qsort(names, n, sizeof *names, by_name);
        for (size_t i = 0; i < n; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[a], names[i]);
            struct stat st;
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                if (replay(path) == 0)
                    pass++;
                else
                    fail++;
            }
            free(names[i]);
        }
        free(names);
    }
    memcpy(hs_fuzz_dir, parent, sizeof parent);
    hs_fuzz_cleanup();
    printf("fuzz: %d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
