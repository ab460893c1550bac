/*
 * Fuzz harness: a scenario file through the INI reader and the scenario builder
 * (hs_scenario_load, the path `hedgesim validate` takes), with command-line overrides.
 *
 * Input: the scenario file's bytes, optionally followed by a line "%%" and one --set
 * assignment per line ("section.key=value"), as `hedgesim validate FILE --set ...`
 * would apply them.  Properties: no crash, leak or undefined behaviour; a refusal is
 * HS_EINPUT with one non-empty line naming the file or --set.
 */
#include "fuzz.h"

#include "hedgesim/scenario.h"

#ifndef HS_SOURCE_ROOT
#error "HS_SOURCE_ROOT must name the source tree (for scenarios/data)"
#endif

#define MAX_SETS 16

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hs_fuzz_link_data();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Split off the overrides after the first "\n%%\n". */
    size_t file_size = size;
    const uint8_t *sep = NULL;
    for (size_t i = 0; i + 4 <= size; i++)
        if (!memcmp(data + i, "\n%%\n", 4)) {
            sep = data + i;
            file_size = i + 1;
            break;
        }
    char path[512];
    hs_fuzz_write("scenario.ini", data, file_size, path, sizeof path);

    char *sets_text = NULL;
    const char *sets[MAX_SETS];
    size_t n_sets = 0;
    if (sep) {
        size_t len = size - (size_t)(sep + 4 - data);
        sets_text = malloc(len + 1);
        memcpy(sets_text, sep + 4, len);
        sets_text[len] = '\0';
        for (char *line = sets_text; line && *line && n_sets < MAX_SETS;) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            if (*line)
                sets[n_sets++] = line;
            line = nl ? nl + 1 : NULL;
        }
    }

    hs_scenario *sc = NULL;
    hs_error err;
    hs_error_clear(&err);
    hs_status st = hs_scenario_load(path, sets, n_sets, &sc, &err);
    if (st == HS_OK) {
        HS_FUZZ_CHECK(sc != NULL, "load succeeded without a scenario");
        HS_FUZZ_CHECK(sc->n_strategies > 0 && sc->paths >= 2 && sc->steps >= 1,
                      "built a scenario with %zu strategies, %llu paths, %zu steps",
                      sc->n_strategies, (unsigned long long)sc->paths, sc->steps);
        hs_scenario_free(sc);
    } else {
        HS_FUZZ_CHECK(st == HS_EINPUT, "refused with status %d: %s", (int)st, err.msg);
        hs_fuzz_check_message("scenario", err.msg);
        HS_FUZZ_CHECK(strstr(err.msg, path) || strstr(err.msg, "--set"),
                      "the message names neither the file nor --set: %s", err.msg);
    }
    free(sets_text);
    return 0;
}
