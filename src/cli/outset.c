/*
 * The output set of `hedgesim run --out DIR`: staging beside DIR, an atomic swap as the
 * commit, removal on abort and on SIGINT/SIGTERM/SIGHUP, and the cleanup of what a
 * SIGKILL left.  The design and its guarantees are in outset.h.
 */
#define _GNU_SOURCE
#include "outset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "plot.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* The staging name keeps at most this many bytes of DIR's last name, so that
 * ".NAME.hedgesim-partial.PID" stays within NAME_MAX (255). */
#define NAME_KEEP 200

/* The longest name of a file at the top of a set, with its slash ("/convergence.csv"). */
#define LONGEST_FILE 16

struct hs_outset {
    char *dir;     /* DIR as given, for messages */
    char *target;  /* DIR, trailing slashes removed, a symbolic link resolved */
    char *parent;  /* its parent directory */
    char *staging; /* PARENT/.NAME.hedgesim-partial.PID */
    char *old;     /* PARENT/.NAME.hedgesim-old.PID */
};

/* The handler's view, set before the handlers are installed.  g_state says what a
 * signal must do: nothing (IDLE), remove the staging and old names (STAGING), wait
 * for the commit's renames (CRITICAL: the signal is kept in g_pending), or nothing
 * because another thread is removing them and will re-raise (HANDLING). */
enum { ST_IDLE, ST_STAGING, ST_CRITICAL, ST_HANDLING };
static atomic_int g_state = ST_IDLE;
static volatile sig_atomic_t g_pending;
static const char *volatile g_staging, *volatile g_old;
static const int g_signals[3] = {SIGINT, SIGTERM, SIGHUP};
static struct sigaction g_prev[3];
static int g_installed[3];

/* ---- removal with async-signal-safe calls only --------------------------------- */

struct dirent64_raw {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static int is_dot(const char *s)
{
    return s[0] == '.' && (s[1] == '\0' || (s[1] == '.' && s[2] == '\0'));
}

/* Remove name (relative to directory fd at) and, for a directory, what it holds; never
 * follows a symbolic link.  A set is two levels deep; depth bounds anything else.
 * Entries are read a buffer at a time and removed, then the directory is read again
 * from the start, until a pass removes nothing. */
static int remove_tree(int at, const char *name, int depth)
{
    if (unlinkat(at, name, 0) == 0 || errno == ENOENT)
        return 0;
    if ((errno != EISDIR && errno != EPERM) || depth > 16)
        return -1;
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    for (;;) {
        _Alignas(8) char buf[4096];
        int removed = 0;
        long n;
        while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
            for (long off = 0; off < n;) {
                struct dirent64_raw *d = (struct dirent64_raw *)(void *)(buf + off);
                off += d->d_reclen;
                if (!is_dot(d->d_name) && remove_tree(fd, d->d_name, depth + 1) == 0)
                    removed = 1;
            }
        if (!removed || lseek(fd, 0, SEEK_SET) != 0)
            break;
    }
    close(fd);
    return unlinkat(at, name, AT_REMOVEDIR) == 0 || errno == ENOENT ? 0 : -1;
}

/* Remove the staging and old names: the staging directory is renamed away first (onto
 * the old name when that is free), so that no child can add to it behind the removal. */
static void remove_names(void)
{
    const char *staging = g_staging, *old = g_old;
    if (staging && old && rename(staging, old) != 0)
        remove_tree(AT_FDCWD, staging, 0);
    if (old)
        remove_tree(AT_FDCWD, old, 0);
}

static void restore_handlers(void)
{
    for (int i = 0; i < 3; i++)
        if (g_installed[i]) {
            sigaction(g_signals[i], &g_prev[i], NULL);
            g_installed[i] = 0;
        }
}

static void on_signal(int sig)
{
    int saved = errno;
    int expect = ST_STAGING;
    if (!atomic_compare_exchange_strong(&g_state, &expect, ST_HANDLING)) {
        if (expect == ST_CRITICAL) {
            g_pending = sig; /* the commit re-raises it when its renames are done */
            errno = saved;
            return;
        }
        if (expect == ST_HANDLING)
            for (;;)
                pause(); /* another thread removes the names, then kills the process */
    } else {
        remove_names();
    }
    restore_handlers();
    raise(sig); /* delivered when this handler returns: the process dies of sig */
    errno = saved;
}

static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++)
        sigaddset(&sa.sa_mask, g_signals[i]);
    for (int i = 0; i < 3; i++) {
        struct sigaction prev;
        if (sigaction(g_signals[i], NULL, &prev) != 0 || prev.sa_handler == SIG_IGN)
            continue; /* an ignored signal (nohup, a background job) stays ignored */
        g_prev[i] = prev;
        if (sigaction(g_signals[i], &sa, NULL) == 0)
            g_installed[i] = 1;
    }
}

/* A return from main before the commit or the abort removes the staging directory. */
static void at_exit(void)
{
    int expect = ST_STAGING;
    if (atomic_compare_exchange_strong(&g_state, &expect, ST_HANDLING)) {
        remove_names();
        atomic_store(&g_state, ST_IDLE);
        restore_handlers();
    }
}

/* ---- paths ------------------------------------------------------------------- */

static char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *str_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

static void set_free(hs_outset *s)
{
    if (!s)
        return;
    free(s->dir);
    free(s->target);
    free(s->parent);
    free(s->staging);
    free(s->old);
    free(s);
}

static int oom(void)
{
    fprintf(stderr, "hedgesim: --out: out of memory\n");
    return 2;
}

/* mkdir -p of path (allocated copy, so that no length cuts it). */
static int make_parents(const char *dir, const char *path)
{
    char *buf = strdup(path);
    if (!buf)
        return oom();
    for (char *s = buf + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        struct stat st;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            fprintf(stderr, "hedgesim: --out %s: cannot create %s: %s%s\n", dir, buf, strerror(e),
                    e == ENAMETOOLONG ? " (the limits are NAME_MAX, 255 bytes a name, "
                                        "and PATH_MAX, 4096 bytes a path)"
                                      : "");
            free(buf);
            return 2;
        }
        if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "hedgesim: --out %s: %s is not a directory\n", dir, buf);
            free(buf);
            return 2;
        }
        if (c == '\0')
            break;
        *s = c;
    }
    free(buf);
    return 0;
}

/* ---- what an output set may hold ------------------------------------------------ */

static const char *const top_files[] = {"summary.json",    "summary.csv", "pairs.csv",
                                        "convergence.csv", "pnl.csv",     "paths.csv",
                                        "report.html", "horizons.csv"};
/* plots/: the script files plot.c copies (its script_files) and, per figure,
 * FIG.gp, FIG.png, FIG.svg, and FIG.{png,svg}.log. */
static const char *const plot_helpers[] = {"common.gp", "csv.awk"};

/* name is base, or base followed by ".tmp." and digits (an atomic write's temporary). */
static int is_name(const char *name, const char *base)
{
    size_t n = strlen(base);
    if (strncmp(name, base, n) != 0)
        return 0;
    if (name[n] == '\0')
        return 1;
    if (strncmp(name + n, ".tmp.", 5) != 0 || !name[n + 5])
        return 0;
    for (const char *p = name + n + 5; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

static int is_plot_file(const char *name)
{
    for (size_t i = 0; i < sizeof plot_helpers / sizeof plot_helpers[0]; i++)
        if (is_name(name, plot_helpers[i]))
            return 1;
    for (int f = 0; f < HS_N_FIGURES; f++) {
        const char *fig = hs_cli_figures[f];
        size_t n = strlen(fig);
        if (strncmp(name, fig, n) != 0 || name[n] != '.')
            continue;
        const char *ext = name + n + 1;
        if (!strcmp(ext, "gp") || is_name(ext, "png") || is_name(ext, "svg") ||
            !strcmp(ext, "png.log") || !strcmp(ext, "svg.log"))
            return 1;
    }
    return 0;
}

/* The first entry of dir (sub: "plots/" inside it, or "") that is not part of an
 * output set, allocated; NULL when there is none.  *err: an errno when dir cannot be
 * read. */
static char *foreign_entry(const char *dir, const char *sub, int *err)
{
    char *path = str_printf("%s/%s", dir, sub);
    DIR *d = path ? opendir(path) : NULL;
    *err = path ? (d ? 0 : errno) : ENOMEM;
    if (!d) {
        free(path);
        return NULL;
    }
    char *found = NULL;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (is_dot(e->d_name))
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            found = str_printf("%s%s", sub, e->d_name);
            break;
        }
        int ok = 0;
        if (!*sub && !strcmp(e->d_name, "plots") && S_ISDIR(st.st_mode)) {
            int e2 = 0;
            found = foreign_entry(dir, "plots/", &e2);
            if (e2)
                *err = e2;
            ok = 1;
        } else if (S_ISREG(st.st_mode)) {
            if (*sub)
                ok = is_plot_file(e->d_name);
            else
                for (size_t i = 0; i < sizeof top_files / sizeof top_files[0] && !ok; i++)
                    ok = is_name(e->d_name, top_files[i]);
        }
        if (!ok)
            found = str_printf("%s%s", sub, e->d_name);
    }
    closedir(d);
    free(path);
    return found;
}

/* 2 with a message when the existing directory target may not be replaced. */
static int check_existing(const hs_outset *s)
{
    int e = 0;
    char *foreign = foreign_entry(s->target, "", &e);
    if (foreign) {
        fprintf(stderr,
                "hedgesim: --out %s: '%s' is not a file of hedgesim's output set, and each run "
                "replaces the directory as a whole (expected an empty directory or one written "
                "by hedgesim run --out: move '%s' away or choose another --out)\n",
                s->dir, foreign, foreign);
        free(foreign);
        return 2;
    }
    if (e) {
        fprintf(stderr, "hedgesim: --out %s: cannot read the directory: %s\n", s->dir, strerror(e));
        return 2;
    }
    return 0;
}

/* Remove PARENT/.NAME.hedgesim-{partial,old}.PID left by a process that is gone. */
static void remove_leftovers(const hs_outset *s, const char *prefix)
{
    DIR *d = opendir(s->parent);
    if (!d)
        return;
    size_t n = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, n) != 0)
            continue;
        const char *kind = e->d_name + n, *num;
        if (!strncmp(kind, "partial.", 8))
            num = kind + 8;
        else if (!strncmp(kind, "old.", 4))
            num = kind + 4;
        else
            continue;
        char *end;
        errno = 0;
        long pid = strtol(num, &end, 10);
        if (*num < '1' || *num > '9' || *end || errno || pid <= 0 || (pid_t)pid != pid)
            continue;
        if (pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
            continue; /* its run is still going (or not ours to judge) */
        char *path = str_printf("%s/%s", s->parent, e->d_name);
        if (path && remove_tree(AT_FDCWD, path, 0) == 0)
            fprintf(stderr,
                    "hedgesim: --out %s: removed %s, left by an interrupted run "
                    "(process %ld)\n",
                    s->dir, path, pid);
        else if (path)
            fprintf(stderr,
                    "hedgesim: --out %s: cannot remove %s, left by an interrupted run "
                    "(process %ld): %s\n",
                    s->dir, path, pid, strerror(errno));
        free(path);
    }
    closedir(d);
}

int hs_outset_open(const char *dir, size_t dir_max, const char *why, hs_outset **set)
{
    *set = NULL;
    hs_outset *s = calloc(1, sizeof *s);
    if (!s || !(s->dir = strdup(dir)) || !(s->target = strdup(dir)))
        return set_free(s), oom();
    /* DIR without its trailing slashes; a symbolic link is followed. */
    size_t len = strlen(s->target);
    while (len > 1 && s->target[len - 1] == '/')
        s->target[--len] = '\0';
    struct stat st;
    if (lstat(s->target, &st) == 0 && S_ISLNK(st.st_mode)) {
        char *real = realpath(s->target, NULL);
        if (!real) {
            fprintf(stderr, "hedgesim: --out %s: cannot follow the symbolic link: %s\n", dir,
                    strerror(errno));
            return set_free(s), 2;
        }
        free(s->target);
        s->target = real;
    }
    char *slash = strrchr(s->target, '/');
    const char *name = slash ? slash + 1 : s->target;
    if (!*name || is_dot(name)) {
        fprintf(stderr,
                "hedgesim: --out %s: expected a directory with a name of its own, not "
                "'/', '.' or '..' (each run replaces the directory as a whole)\n",
                dir);
        return set_free(s), 2;
    }
    if (strlen(name) > NAME_MAX) {
        fprintf(stderr,
                "hedgesim: --out %s: the last name is %zu bytes, longer than NAME_MAX "
                "(255)\n",
                dir, strlen(name));
        return set_free(s), 2;
    }
    s->parent = slash == s->target ? strdup("/")
                : slash            ? strndup(s->target, (size_t)(slash - s->target))
                                   : strdup(".");
    /* ".NAME" cut at NAME_KEEP bytes, on a UTF-8 character boundary. */
    size_t keep = strlen(name);
    if (keep > NAME_KEEP) {
        keep = NAME_KEEP;
        while (keep > 0 && ((unsigned char)name[keep] & 0xC0) == 0x80)
            keep--;
    }
    const char *sep = strcmp(s->parent, "/") ? "/" : "";
    char *prefix = str_printf(".%.*s.hedgesim-", (int)keep, name);
    if (!s->parent || !prefix ||
        !(s->staging = str_printf("%s%s%spartial.%ld", s->parent, sep, prefix, (long)getpid())) ||
        !(s->old = str_printf("%s%s%sold.%ld", s->parent, sep, prefix, (long)getpid())))
        return free(prefix), set_free(s), oom();
    /* Every path the run will use must fit, before anything is created. */
    if (strlen(s->staging) + LONGEST_FILE >= PATH_MAX) {
        fprintf(stderr,
                "hedgesim: --out %s: %zu characters is too long: the files of the set "
                "need paths shorter than PATH_MAX (%d bytes)\n",
                dir, strlen(dir), PATH_MAX);
        return free(prefix), set_free(s), 2;
    }
    if (dir_max && strlen(s->staging) > dir_max) {
        fprintf(stderr,
                "hedgesim: --out %s: %zu characters is too long for %s, which takes a "
                "directory of at most %zu characters (%s, the set being written, is %zu)\n",
                dir, strlen(dir), why, dir_max, s->staging, strlen(s->staging));
        return free(prefix), set_free(s), 2;
    }
    int rc = make_parents(dir, s->parent);
    if (rc)
        return free(prefix), set_free(s), rc;
    remove_leftovers(s, prefix);
    free(prefix);
    if (lstat(s->target, &st) == 0) {
        struct stat pst;
        if (!S_ISDIR(st.st_mode)) {
            fprintf(stderr, "hedgesim: --out %s: not a directory\n", dir);
            return set_free(s), 2;
        }
        if (stat(s->parent, &pst) == 0 && pst.st_dev != st.st_dev) {
            fprintf(stderr,
                    "hedgesim: --out %s: a mount point; the set is written beside it "
                    "and swapped in, so it must be on its parent's file system (use a "
                    "directory inside it)\n",
                    dir);
            return set_free(s), 2;
        }
        if ((rc = check_existing(s)))
            return set_free(s), rc;
        /* Deleting the old set needs write access to DIR (and plots/). */
        char *plots = str_printf("%s/plots", s->target);
        struct stat pl;
        const char *ro = access(s->target, W_OK | X_OK) != 0 ? s->target
                         : plots && lstat(plots, &pl) == 0 && access(plots, W_OK | X_OK) != 0
                             ? plots
                             : NULL;
        if (ro) {
            fprintf(stderr, "hedgesim: --out %s: %s is not writable: %s\n", dir, ro,
                    strerror(errno));
            free(plots);
            return set_free(s), 2;
        }
        free(plots);
    } else if (errno != ENOENT) {
        fprintf(stderr, "hedgesim: --out %s: %s\n", dir, strerror(errno));
        return set_free(s), 2;
    }
    /* The handlers know the names before the directory exists. */
    g_staging = s->staging;
    g_old = s->old;
    atomic_store(&g_state, ST_IDLE);
    static int registered;
    if (!registered)
        registered = atexit(at_exit) == 0;
    install_handlers();
    if (mkdir(s->staging, 0777) != 0) {
        int e = errno;
        restore_handlers();
        fprintf(stderr,
                "hedgesim: --out %s: cannot write in %s: %s (the set is written in %s, "
                "then renamed)\n",
                dir, s->parent, strerror(e), s->staging);
        return set_free(s), 2;
    }
    atomic_store(&g_state, ST_STAGING);
    /* The new DIR keeps the old one's permissions. */
    if (lstat(s->target, &st) == 0)
        chmod(s->staging, st.st_mode & 07777);
    *set = s;
    return 0;
}

const char *hs_outset_dir(const hs_outset *set)
{
    return set->staging;
}

char *hs_outset_path(const hs_outset *set, const char *name)
{
    return str_printf("%s/%s", set->staging, name);
}

/* Leave the signal handling: a signal kept during the commit is raised now, after the
 * names are removed. */
static void finish(hs_outset *s)
{
    int expect = ST_STAGING;
    if (!atomic_compare_exchange_strong(&g_state, &expect, ST_IDLE))
        for (;;)
            pause(); /* a handler in another thread is removing the names */
    restore_handlers();
    g_staging = g_old = NULL;
    set_free(s);
}

void hs_outset_abort(hs_outset *set)
{
    if (!set)
        return;
    remove_names();
    finish(set);
}

/* Enter (1) or leave (0) the commit's renames; leaving re-raises a kept signal. */
static void critical(int on)
{
    if (on) {
        int expect = ST_STAGING;
        if (!atomic_compare_exchange_strong(&g_state, &expect, ST_CRITICAL))
            for (;;)
                pause();
        return;
    }
    atomic_store(&g_state, ST_STAGING);
    if (g_pending)
        on_signal(g_pending);
}

int hs_outset_commit(hs_outset *s)
{
    struct stat st;
    int exists = lstat(s->target, &st) == 0;
    if (exists) {
        int rc = check_existing(s);
        if (rc) {
            hs_outset_abort(s);
            return rc;
        }
    }
    critical(1);
    int e = 0;
    if (!exists && rename(s->staging, s->target) != 0) {
        e = errno;
        exists = e == EEXIST || e == ENOTEMPTY; /* DIR appeared meanwhile */
    }
    if (exists) {
        e = 0;
        if (renameat2(AT_FDCWD, s->staging, AT_FDCWD, s->target, RENAME_EXCHANGE) == 0) {
            /* the old set is now under the staging name */
        } else if (errno == EINVAL || errno == ENOSYS) {
            /* Best effort: for an instant there is no DIR. */
            if (rename(s->target, s->old) != 0)
                e = errno;
            else if (rename(s->staging, s->target) != 0) {
                e = errno;
                rename(s->old, s->target);
            }
        } else {
            e = errno;
        }
    }
    critical(0);
    if (e) {
        fprintf(stderr, "hedgesim: --out %s: cannot replace it by %s: %s (left as it was)\n",
                s->dir, s->staging, strerror(e));
        hs_outset_abort(s);
        return 1;
    }
    /* The old set, under the staging or the old name. */
    for (int i = 0; i < 2; i++) {
        const char *left = i ? s->old : s->staging;
        if (remove_tree(AT_FDCWD, left, 0) != 0)
            fprintf(stderr,
                    "hedgesim: --out %s: written; cannot delete the previous set, %s: %s "
                    "(the next run retries)\n",
                    s->dir, left, strerror(errno));
    }
    finish(s);
    return 0;
}
