/*
 * Private: the interface between the steps that build a scenario (scenario.c runs them
 * in order).  Each step reads the INI entries it owns, marks them used, and fills its
 * part of the hs_scenario; every failure is one line naming file:line, section, key,
 * value and what was expected.  Names are hs_scn_* so that they cannot collide with
 * the rest of the library.
 */
#ifndef HEDGESIM_SCENARIO_BUILD_H
#define HEDGESIM_SCENARIO_BUILD_H

#include "hedgesim/scenario.h"

#include <stddef.h>

/* What every step works on: the entries read, the scenario built, the error out. */
typedef struct build {
    hs_ini *ini;
    hs_scenario *sc;
    hs_error *err;
} build;

/* ---- parameter tables of the fixed sections (sections.c) ---- */
extern const hs_param hs_scn_scenario_params[], hs_scn_simulation_params[], hs_scn_market_params[],
    hs_scn_model_common[], hs_scn_option_params[], hs_scn_strategy_params[];
extern const size_t hs_scn_n_scenario_params, hs_scn_n_simulation_params, hs_scn_n_market_params,
    hs_scn_n_model_common, hs_scn_n_option_params, hs_scn_n_strategy_params;
/* Rows of hs_scn_strategy_params: rebalance and ratio, then the common keys of every
 * strategy (vol, cost, fee, spread, lot, min_trade, charge_initial, charge_unwind,
 * borrow, min_gap) in that order. */
enum { STRAT_FIRST_COMMON = 2, STRAT_N_COMMON = 10 };

/* ---- one value (values.c) ---- */
void hs_scn_origin_of(const build *b, const hs_ini_entry *e, hs_origin *o);
const char *hs_scn_where(const hs_ini_entry *e, char *buf, size_t len);
const char *hs_scn_section_where(const build *b, const char *section, char *buf, size_t len);
int hs_scn_is_list(const char *v);
hs_status hs_scn_get_number(build *b, const char *section, const char *context, const hs_param *p,
                            double *out);
hs_status hs_scn_get_text(build *b, const char *section, const char *context, const char *key,
                          char *out, size_t len);
hs_status hs_scn_missing_key(build *b, const char *section, const char *context, const char *key,
                             const char *expected);
hs_status hs_scn_unknown_key(build *b, hs_ini_entry *e);
hs_status hs_scn_unknown_name(build *b, const hs_ini_entry *e, const char *context,
                              const char *what, const char *const *names);
hs_status hs_scn_parse_choice(build *b, const char *context, const hs_param *row,
                              const hs_ini_entry *e, const char *tok, double *out);

/* ---- the steps, in the order scenario.c runs them ---- */
int hs_scn_section_is(const char *name, const char *prefix);                    /* sections.c */
hs_status hs_scn_check_sections(build *b);                                      /* sections.c */
hs_status hs_scn_build_header(build *b);                                        /* legs.c */
hs_status hs_scn_build_model(build *b);                                         /* legs.c */
hs_status hs_scn_build_legs(build *b);                                          /* legs.c */
hs_status hs_scn_build_strategies(build *b);                                    /* strategies.c */
hs_status hs_scn_build_stress(build *b);                                        /* overlays.c */
hs_status hs_scn_build_axis(build *b);                                          /* grid.c */
hs_status hs_scn_check_unused(build *b, const hs_param *extra, size_t n_extra); /* sections.c */
hs_status hs_scn_build_grid(build *b);                                          /* grid.c */
hs_status hs_scn_check_model(build *b);                                         /* grid.c */
hs_status hs_scn_check_rules(build *b);                                         /* strategies.c */
hs_status hs_scn_resolve_stress(build *b);                                      /* overlays.c */
/* ---- [risk] and implied-vol overlays (risk.c) ---- */
extern const hs_param hs_scn_risk_params[], hs_scn_implied_params[];
extern const size_t hs_scn_n_risk_params, hs_scn_n_implied_params;
hs_status hs_scn_build_risk(build *b);
hs_status hs_scn_build_implied(build *b, const char *section);
hs_status hs_scn_resolve_risk(build *b);

#endif
