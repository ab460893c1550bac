/*
 * run_scenario: run a scenario file and print the table `hedgesim run` prints.
 *
 *   cc run_scenario.c $(pkg-config --cflags --libs hedgesim) -o run_scenario
 *   ./run_scenario scenarios/derman_kamal.ini [PATHS [SEED]]
 *
 * Errors come back as values (hs_error: one line naming file:line, key, value and what
 * was expected); the exit code is the command's: 2 bad input, 1 a runtime failure.
 */
#include <stdio.h>
#include <stdlib.h>

#include <hedgesim/hedgesim.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s SCENARIO.ini [PATHS [SEED]]\n", argv[0]);
        return 2;
    }
    hs_sim_opts opts;
    hs_sim_opts_init(&opts); /* every field: keep the scenario's */
    if (argc > 2)
        opts.paths = atoll(argv[2]);
    if (argc > 3)
        opts.seed = atoll(argv[3]);

    hs_sim *sim;
    hs_error err;
    if (hs_sim_run(argv[1], NULL, 0, &opts, &sim, &err)) {
        fprintf(stderr, "run_scenario: %s\n", err.msg);
        return (int)err.status;
    }
    fputs(hs_sim_table_text(sim), stdout);
    hs_sim_free(sim);
    return 0;
}
