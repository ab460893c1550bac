/*
 * `hedgesim plot DIR [--quiet]` and `hedgesim report DIR [--quiet]`: the argument parsing shared by
 * the two commands over a run directory (rundir.h), dispatching to plot.c or html.c.
 */
#include "rundir.h"

#include <stdio.h>
#include <string.h>

#include "html.h"
#include "plot.h"

static const char dir_usage[] =
    "usage:\n"
    "  hedgesim plot DIR [--quiet]    figures of a run as DIR/plots/*.png and *.svg\n"
    "  hedgesim report DIR [--quiet]  the run as one HTML page, DIR/report.html\n";

int hs_cli_dir_command(int argc, char **argv)
{
    const char *command = argv[1], *dir = NULL;
    int quiet = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q"))
            quiet = 1;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "hedgesim: %s: unknown option '%s'\n%s", command, argv[i], dir_usage);
            return 2;
        } else if (!dir)
            dir = argv[i];
        else {
            fprintf(stderr,
                    "hedgesim: %s: unexpected argument '%s' (one run directory at a time)\n%s",
                    command, argv[i], dir_usage);
            return 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "hedgesim: %s needs a run directory (the --out DIR of a run)\n%s", command,
                dir_usage);
        return 2;
    }
    if (!strcmp(command, "plot"))
        return hs_cli_plot(dir, quiet);
    int rc = hs_cli_report(dir);
    if (!rc && !quiet)
        printf("wrote %s/report.html\n", dir);
    return rc;
}
