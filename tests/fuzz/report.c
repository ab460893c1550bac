/*
 * Fuzz harness: `hedgesim report DIR` (hs_cli_report, src/cli/html.c) on a run directory
 * whose summary.json is the input, beside a fixed pairs.csv (tests/data/report/single/).
 * gnuplot is kept out of reach (PATH names no directory), so no figure is drawn.
 *
 * Properties: no crash, leak or undefined behaviour; the exit code is 0 (page written)
 * or 2 (not a summary); the page never holds markup the summary could inject (every text
 * is escaped, so "<script" can only come from the input).
 */
#include "fuzz.h"

#include "cli/html.h"

#ifndef HS_SOURCE_ROOT
#error "HS_SOURCE_ROOT must name the source tree (for tests/data/report)"
#endif

static char dir[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("PATH", "/nonexistent-no-gnuplot", 1);
    setenv("HEDGESIM_PLOT_SCRIPTS", "/nonexistent-no-scripts", 1);
    snprintf(dir, sizeof dir, "%s/run", hs_fuzz_tmpdir());
    if (mkdir(dir, 0777) != 0) {
        perror(dir);
        abort();
    }
    FILE *in = fopen(HS_SOURCE_ROOT "/tests/data/report/single/pairs.csv", "rb");
    char to[600];
    snprintf(to, sizeof to, "%s/pairs.csv", dir);
    FILE *out = fopen(to, "wb");
    if (!in || !out)
        abort();
    int c;
    while ((c = getc(in)) != EOF)
        putc(c, out);
    fclose(in);
    if (fclose(out))
        abort();
    return 0;
}

/* Does the file at path hold needle (case-insensitive)? */
static int file_holds(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    size_t n = strlen(needle), at = 0;
    int c, found = 0;
    while (!found && (c = getc(fp)) != EOF) {
        int lc = (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
        at = lc == needle[at] ? at + 1 : (lc == needle[0] ? 1 : 0);
        found = at == n;
    }
    fclose(fp);
    return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0])
        LLVMFuzzerInitialize(NULL, NULL);
    char path[600], page[600];
    snprintf(page, sizeof page, "%s/report.html", dir);
    remove(page);
    hs_fuzz_write("run/summary.json", data, size, path, sizeof path);
    int rc = hs_cli_report(dir);
    HS_FUZZ_CHECK(rc == 0 || rc == 2, "report exited %d", rc);
    if (rc == 0)
        HS_FUZZ_CHECK(!file_holds(page, "<script"), "the page holds <script");
    else
        HS_FUZZ_CHECK(access(page, F_OK) != 0, "a refused summary left report.html");
    return 0;
}
