/*
 * Scenarios: the INI file a run is described by (docs/architecture.md), parsed with inih
 * and validated against the parameter tables, with file:line for every key.
 *
 * Reading is in two stages.  hs_ini_read keeps every `key = value` with its section and
 * origin (file and line, or "--set"), rejecting syntax errors and duplicate keys;
 * hs_ini_set applies command-line overrides.  hs_scenario_build then interprets the
 * entries: unknown sections or keys are errors with a "did you mean" hint, every value
 * is checked for type, finiteness and range, and list values in [strategy.*] sections
 * expand into one strategy per combination (a sweep).
 */
#ifndef HEDGESIM_SCENARIO_H
#define HEDGESIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "hedgesim/error.h"
#include "hedgesim/model.h"
#include "hedgesim/param.h"
#include "hedgesim/risk.h"
#include "hedgesim/strategy.h"
#include "hedgesim/stress.h"

/* Limits, each named in the message that refuses what exceeds it (nothing is cut).
 * Names: a key has at most HS_INI_KEY_LEN - 1 characters, a section name at most
 * HS_INI_SECTION_LEN - 1 (the reader tracks sections itself, so inih's shorter buffer
 * does not apply).  Values are stored whole (allocated); a file's lines are at most
 * 198 characters (inih's line buffer), a --set value has no length limit.  The few
 * values copied into fixed fields of hs_scenario are checked against those fields:
 * the description and the [grid] list against HS_INI_VALUE_LEN - 1. */
#define HS_INI_MAX_ENTRIES 1024
#define HS_INI_MAX_SECTIONS 128
#define HS_INI_KEY_LEN 64
#define HS_INI_SECTION_LEN 96
#define HS_INI_VALUE_LEN 256
/* Longest scenario path accepted (so that "path:line" fits every message buffer). */
#define HS_INI_PATH_MAX 480
/* Only regular files of at most this many bytes are read as scenarios. */
#define HS_INI_MAX_BYTES (16L * 1024 * 1024)

typedef struct hs_ini_entry {
    char section[HS_INI_SECTION_LEN];
    char key[HS_INI_KEY_LEN];
    char *value; /* allocated, whole */
    char *set;   /* the --set assignment that gave it (allocated), NULL from the file */
    hs_origin origin;
    int used; /* set when the interpreter consumed it (anything left is unknown) */
} hs_ini_entry;

/* A section header as written, with its line (sections may be empty). */
typedef struct hs_ini_section {
    char name[HS_INI_SECTION_LEN];
    hs_origin origin;
} hs_ini_section;

typedef struct hs_ini {
    char file[512];
    size_t n, n_sections;
    hs_ini_entry entries[HS_INI_MAX_ENTRIES];
    hs_ini_section sections[HS_INI_MAX_SECTIONS];
} hs_ini;

/* Read path into a freshly allocated ini (free with hs_ini_free). */
hs_status hs_ini_read(const char *path, hs_ini **out, hs_error *err);
/* Parse an INI held in memory (for tests); `file` names it in messages. */
hs_status hs_ini_parse_string(const char *text, const char *file, hs_ini **out, hs_error *err);
void hs_ini_free(hs_ini *ini);

/* Apply one override "section.key=value" (the key is after the LAST dot:
 * strategy.hedge.vol=0.3 sets vol in [strategy.hedge]).  Replaces a value given in the
 * file or adds the key.  A section the file does not have may be created only when the
 * assignment starts with '+' ("+strategy.fast.hedges=84"), so that a misspelt section
 * name is an error with a "did you mean" hint rather than a new strategy, leg or
 * overlay; [scenario], [simulation], [market] and [model] have defaults and may always
 * be set. */
hs_status hs_ini_set(hs_ini *ini, const char *assignment, hs_error *err);
/* The same with the origin messages will name (a value of a [grid] section names the
 * grid's line rather than "--set"). */
hs_status hs_ini_set_at(hs_ini *ini, const char *assignment, hs_origin origin, hs_error *err);

/* Look up an entry (NULL if absent). */
hs_ini_entry *hs_ini_get(hs_ini *ini, const char *section, const char *key);

typedef struct hs_scenario {
    char file[512];
    char name[HS_NAME_LEN];
    char description[HS_INI_VALUE_LEN];
    uint64_t paths;
    uint64_t seed;
    size_t steps;
    int threads; /* 0 = all cores */
    hs_market market;
    hs_grid grid;
    const hs_model_type *model;
    hs_model_args model_args;
    size_t n_legs;
    hs_leg legs[HS_MAX_LEGS];
    size_t n_strategies;
    hs_strategy strategies[HS_MAX_STRATEGIES];
    size_t n_stress;
    hs_stress stress[HS_MAX_STRESS]; /* [stress.NAME] overlays, resolved on the grid */
    /* The [grid] section: one parameter axis, "section.key" and its list of values as
     * written (axis_key is "" when there is none).  The scenario itself is built with
     * the value of the key outside the grid; the command runs one scenario per value
     * (hs_scenario_load_at with the value as an override from axis_line). */
    char axis_key[HS_INI_SECTION_LEN + HS_INI_KEY_LEN];
    char axis_values[HS_INI_VALUE_LEN];
    int axis_line;
    /* [risk]: horizons, mark, drawdown and implied-vol overlays (risk.h); n_horizons 0
     * without the section. */
    hs_risk risk;
} hs_scenario;

/* Interpret and validate an ini into a scenario (allocated; release it with
 * hs_scenario_free, the one owner rule of docs/api.md; the ini stays the caller's). */
hs_status hs_scenario_build(hs_ini *ini, hs_scenario **out, hs_error *err);

/* Read, override and build in one call: the path the command takes. */
hs_status hs_scenario_load(const char *path, const char *const *sets, size_t n_sets,
                           hs_scenario **out, hs_error *err);
/* The same with the origin of each override (origins NULL, or an entry with line 0:
 * "--set"). */
hs_status hs_scenario_load_at(const char *path, const char *const *sets, const hs_origin *origins,
                              size_t n_sets, hs_scenario **out, hs_error *err);

/* The same from INI text held in memory; `file` names it in messages and is where
 * relative data files resolve from (tests, embedding programs). */
hs_status hs_scenario_load_string(const char *text, const char *file, const char *const *sets,
                                  size_t n_sets, hs_scenario **out, hs_error *err);

void hs_scenario_free(hs_scenario *sc);

/* The keys every [strategy.*] section has (hedge vol, frictions, carry), for `list`. */
const hs_param *hs_strategy_common_params(size_t *n);
/* The keys of [risk] and of a `[stress.NAME] type = implied` overlay, for `list`. */
const hs_param *hs_risk_params(size_t *n);
const hs_param *hs_implied_params(size_t *n);

/* The keys of a fixed section, "scenario", "simulation", "market", "model" (its `type`)
 * or "option" (also every [option.NAME]), for `list`; NULL (n = 0) for another name. */
const hs_param *hs_scenario_section_params(const char *section, size_t *n);

#endif
