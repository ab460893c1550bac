/*
 * `hedgesim plot DIR`: the figures of a run drawn by the gnuplot scripts of
 * scripts/plot/ (see plot.h for where they are looked up).  Each applicable figure is
 * rendered twice, PNG (pngcairo) and SVG, by one gnuplot process per file, all started
 * at once and then waited for; each writes a temporary name that is renamed when
 * gnuplot succeeds, so a failed or interrupted run never leaves half a figure.  The
 * scripts are copied into DIR/plots/ first and run from there, so the folder holds
 * exactly what drew its figures.
 */
#define _POSIX_C_SOURCE 200809L
#include "plot.h"

#include <errno.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "csv.h"
#include "hedgesim/csv.h"

const char *const hs_cli_figures[HS_N_FIGURES] = {"frontier", "pnl_density", "convergence", "path",
                                                  "grid",     "horizon"};

/* Files of scripts/plot/ that make up the scripts: the figures plus their helpers. */
static const char *const script_files[] = {"common.gp",      "csv.awk",        "frontier.gp",
                                           "pnl_density.gp", "convergence.gp", "path.gp",
                                           "grid.gp",        "horizon.gp"};
#define N_SCRIPT_FILES (sizeof script_files / sizeof script_files[0])

#define PATH_LEN 4096

/* snprintf through a va_list: every path here is built from a directory checked to be
 * shorter than PATH_LEN / 2 (hs_cli_check_run_dir), so none is cut short; the wrapper
 * keeps GCC's truncation analysis, which cannot know that, quiet. */
static void pathf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void pathf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int hs_cli_check_run_dir(const char *command, const char *dir)
{
    char path[PATH_LEN];
    if (strlen(dir) >= PATH_LEN / 2) {
        fprintf(stderr, "hedgesim: %s: directory name too long (%zu characters)\n", command,
                strlen(dir));
        return 2;
    }
    if (!is_dir(dir)) {
        fprintf(stderr,
                "hedgesim: %s %s: no such directory (expected the --out directory of a run)\n",
                command, dir);
        return 2;
    }
    pathf(path, sizeof path, "%s/summary.json", dir);
    if (!is_file(path)) {
        fprintf(stderr,
                "hedgesim: %s %s: not a run directory (no summary.json; expected the "
                "--out directory of a run)\n",
                command, dir);
        return 2;
    }
    return 0;
}

/* Does the CSV file of the run hold at least one row (and, with col, a non-empty cell in
 * column col of its first row)?  Reads only the first row: pnl.csv can be large. */
static int has_rows(const char *dir, const char *file, const char *col)
{
    char path[PATH_LEN];
    pathf(path, sizeof path, "%s/%s", dir, file);
    hs_csv csv;
    if (hs_csv_read(path, 1, &csv, NULL))
        return 0;
    int ok = csv.n_rows > 0 && (!col || hs_csv_get(&csv, 0, hs_csv_col(&csv, col))[0]);
    hs_csv_free(&csv);
    return ok;
}

int hs_cli_figure_applies(const char *dir, const char *name)
{
    if (!strcmp(name, "frontier"))
        return has_rows(dir, "summary.csv", NULL);
    if (!strcmp(name, "pnl_density")) /* from pnl.csv, else from the quantiles */
        return has_rows(dir, "summary.csv", NULL);
    if (!strcmp(name, "convergence"))
        return has_rows(dir, "convergence.csv", NULL) && has_rows(dir, "summary.csv", NULL);
    if (!strcmp(name, "path"))
        return has_rows(dir, "paths.csv", NULL) && has_rows(dir, "summary.csv", NULL);
    if (!strcmp(name, "grid"))
        return has_rows(dir, "summary.csv", "grid_value");
    if (!strcmp(name, "horizon")) /* [risk] only */
        return has_rows(dir, "horizons.csv", NULL);
    return 0;
}

int hs_cli_find_gnuplot(char *buf, size_t size)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        /* An empty PATH entry means the current directory (POSIX XBD 8.3). */
        pathf(buf, size, "%.*s/gnuplot", len ? (int)len : 1, len ? path : ".");
        if (is_file(buf) && access(buf, X_OK) == 0)
            return 0;
        path += len;
        if (*path == ':')
            path++;
    }
    buf[0] = '\0';
    return -1;
}

/* The folder of the scripts into buf; 0 when found, -1 when not. */
static int find_scripts(char *buf, size_t size)
{
    char probe[PATH_LEN];
    const char *env = getenv("HEDGESIM_PLOT_SCRIPTS");
    char exe[PATH_LEN];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char installed[PATH_LEN] = "";
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            pathf(installed, sizeof installed, "%s/../share/hedgesim/plot", exe);
        }
    }
    const char *candidates[4] = {env, installed,
#ifdef HS_SCRIPTS_DIR
                                 HS_SCRIPTS_DIR,
#else
                                 NULL,
#endif
#ifdef HS_SCRIPTS_INSTALL_DIR
                                 HS_SCRIPTS_INSTALL_DIR
#else
                                 NULL
#endif
    };
    for (int i = 0; i < 4; i++) {
        if (!candidates[i] || !candidates[i][0])
            continue;
        pathf(probe, sizeof probe, "%s/common.gp", candidates[i]);
        if (is_file(probe)) {
            pathf(buf, size, "%s", candidates[i]);
            return 0;
        }
    }
    return -1;
}

/* Copy file from to file to (through a temporary name); 0 or -1 with errno set. */
static int copy_file(const char *from, const char *to)
{
    char tmp[PATH_LEN + 32];
    pathf(tmp, sizeof tmp, "%s.tmp.%ld", to, (long)getpid());
    FILE *in = fopen(from, "rb");
    if (!in)
        return -1;
    FILE *out = fopen(tmp, "wb");
    if (!out) {
        int e = errno;
        fclose(in);
        errno = e;
        return -1;
    }
    char block[8192];
    size_t got;
    int rc = 0;
    while ((got = fread(block, 1, sizeof block, in)) > 0)
        if (fwrite(block, 1, got, out) != got)
            rc = -1;
    if (ferror(in))
        rc = -1;
    int e = errno;
    fclose(in);
    if (fclose(out) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, to) != 0)
        rc = -1;
    if (rc) {
        e = errno ? errno : e;
        remove(tmp);
        errno = e;
    }
    return rc;
}

/* text inside a gnuplot single-quoted string, in a new allocation (NULL when out of
 * memory).  In gnuplot's single-quoted strings '' stands for ' and nothing else is
 * special: no backslash escapes, and a line break in a -e argument stays in the string
 * (checked with gnuplot 5.4), so doubling ' is a complete escape and any text, " \ ; #
 * @ $ included, reaches the script as data. */
static char *gp_quote(const char *text)
{
    size_t n = 1;
    for (const char *t = text; *t; t++)
        n += *t == '\'' ? 2 : 1;
    char *buf = malloc(n);
    if (!buf)
        return NULL;
    size_t j = 0;
    for (; *text; text++) {
        if (*text == '\'')
            buf[j++] = '\'';
        buf[j++] = *text;
    }
    buf[j] = '\0';
    return buf;
}

/* printf into a new allocation (NULL when out of memory). */
static char *strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf) {
        va_start(ap, fmt);
        vsnprintf(buf, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return buf;
}

/* The scenario's name from summary.json (of the first run of a grid), quoted for
 * gnuplot (gp_quote), whole; "" when there is none; NULL when out of memory.
 * summary.json is read only when it is a regular file of bounded size. */
static char *scenario_name(const char *dir)
{
    char path[PATH_LEN];
    pathf(path, sizeof path, "%s/summary.json", dir);
    char *text;
    size_t len;
    json_t *root = NULL;
    if (!hs_file_read(path, HS_FILE_LIMIT, "the JSON summary of a run", 1, &text, &len, NULL)) {
        root = json_loadb(text, len, 0, NULL);
        free(text);
    }
    json_t *run =
        json_object_get(root, "runs") ? json_array_get(json_object_get(root, "runs"), 0) : root;
    const char *name = json_string_value(json_object_get(run, "scenario"));
    char *q = gp_quote(name ? name : "");
    json_decref(root);
    return q;
}

/* The last non-empty line of a log file (gnuplot's error message), into buf. */
static void last_line(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *fp = fopen(path, "r");
    if (!fp)
        return;
    char line[1024];
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[strspn(line, " \t^")])
            pathf(buf, size, "%s", line);
    }
    fclose(fp);
}

/* One gnuplot process: a figure in one format. */
typedef struct job {
    const char *figure, *ext;
    pid_t pid;
    char out[PATH_LEN], tmp[PATH_LEN + 32], log[PATH_LEN + 32];
} job;

static pid_t spawn_gnuplot(const char *gnuplot, const char *script, const char *setup,
                           const char *log)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* Child: stdout to /dev/null, stderr to the log, then gnuplot. */
    int null = open("/dev/null", O_WRONLY);
    int err = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (null < 0 || err < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
        _exit(127);
    char *argv[] = {(char *)gnuplot, "-e", (char *)setup, (char *)script, NULL};
    execv(gnuplot, argv);
    _exit(127);
}

int hs_cli_plot(const char *dir, int quiet)
{
    int rc = hs_cli_check_run_dir("plot", dir);
    if (rc)
        return rc;
    char plots[PATH_LEN], scripts[PATH_LEN], from[PATH_LEN * 2], to[PATH_LEN * 2];
    pathf(plots, sizeof plots, "%s/plots", dir);
    if (mkdir(plots, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "hedgesim: plot: cannot create %s: %s\n", plots, strerror(errno));
        return 1;
    }
    if (find_scripts(scripts, sizeof scripts)) {
        fprintf(stderr, "hedgesim: plot: cannot find the gnuplot scripts (scripts/plot/ of the "
                        "source tree, or share/hedgesim/plot/ of an installed one); set "
                        "HEDGESIM_PLOT_SCRIPTS to their folder\n");
        return 1;
    }
    for (size_t i = 0; i < N_SCRIPT_FILES; i++) {
        pathf(from, sizeof from, "%s/%s", scripts, script_files[i]);
        pathf(to, sizeof to, "%s/%s", plots, script_files[i]);
        if (copy_file(from, to)) {
            fprintf(stderr, "hedgesim: plot: cannot copy %s to %s: %s\n", from, to,
                    strerror(errno));
            return 1;
        }
    }
    /* A figure that does not apply must not survive from an earlier run in dir. */
    int applies[HS_N_FIGURES];
    for (int f = 0; f < HS_N_FIGURES; f++) {
        applies[f] = hs_cli_figure_applies(dir, hs_cli_figures[f]);
        if (!applies[f])
            for (int e = 0; e < 2; e++) {
                pathf(to, sizeof to, "%s/%s.%s", plots, hs_cli_figures[f], e ? "svg" : "png");
                remove(to);
            }
    }
    char gnuplot[PATH_LEN];
    if (hs_cli_find_gnuplot(gnuplot, sizeof gnuplot)) {
        fprintf(stderr,
                "hedgesim: plot: gnuplot not found on PATH, so no figures were drawn; the "
                "data and scripts are in %s (install gnuplot-nox, then run e.g. gnuplot -e "
                "\"dir='%s'\" %s/frontier.gp)\n",
                plots, dir, plots);
        return 0;
    }
    char *q_dir = gp_quote(dir), *q_plots = gp_quote(plots), *q_name = scenario_name(dir);
    if (!q_dir || !q_plots || !q_name) {
        free(q_dir);
        free(q_plots);
        free(q_name);
        fprintf(stderr, "hedgesim: plot: out of memory\n");
        return 1;
    }

    job jobs[2 * HS_N_FIGURES];
    int n_jobs = 0;
    for (int f = 0; f < HS_N_FIGURES; f++) {
        if (!applies[f])
            continue;
        for (int e = 0; e < 2; e++) {
            job *j = &jobs[n_jobs];
            j->figure = hs_cli_figures[f];
            j->ext = e ? "svg" : "png";
            pathf(j->out, sizeof j->out, "%s/%s.%s", plots, j->figure, j->ext);
            pathf(j->tmp, sizeof j->tmp, "%s.tmp.%ld", j->out, (long)getpid());
            pathf(j->log, sizeof j->log, "%s.log", j->out);
            char script[PATH_LEN * 2];
            /* Every value goes in as a single-quoted gnuplot string (gp_quote). */
            char *q_out = gp_quote(j->tmp);
            char *setup = q_out ? strf("dir='%s'; term='%s'; out='%s'; scripts='%s'; "
                                       "scenario='%s'",
                                       q_dir, j->ext, q_out, q_plots, q_name)
                                : NULL;
            free(q_out);
            if (!setup) {
                fprintf(stderr, "hedgesim: plot: out of memory\n");
                rc = 1;
                break;
            }
            pathf(script, sizeof script, "%s/%s.gp", plots, j->figure);
            fflush(NULL);
            j->pid = spawn_gnuplot(gnuplot, script, setup, j->log);
            free(setup);
            if (j->pid < 0) {
                fprintf(stderr, "hedgesim: plot: cannot start %s: %s\n", gnuplot, strerror(errno));
                rc = 1;
                continue;
            }
            n_jobs++;
        }
    }
    free(q_dir);
    free(q_plots);
    free(q_name);
    char done[PATH_LEN] = "";
    size_t used = 0;
    for (int i = 0; i < n_jobs; i++) {
        job *j = &jobs[i];
        int status = 0;
        while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
            ;
        int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && is_file(j->tmp);
        if (ok && rename(j->tmp, j->out) != 0)
            ok = 0;
        if (!ok) {
            char why[1024];
            last_line(j->log, why, sizeof why);
            if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !why[0])
                pathf(why, sizeof why, "cannot run %s", gnuplot);
            fprintf(stderr, "hedgesim: plot: gnuplot failed to draw %s (log in %s): %s\n", j->out,
                    j->log, why[0] ? why : "no message");
            remove(j->tmp);
            rc = 1;
            continue;
        }
        remove(j->log);
        if (j->ext[0] == 'p' && used + strlen(j->figure) + 2 < sizeof done)
            used += (size_t)snprintf(done + used, sizeof done - used, "%s%s", used ? "," : "",
                                     j->figure);
    }
    if (!quiet && done[0])
        printf("wrote %s/{%s}.{png,svg}\n", plots, done);
    return rc;
}
