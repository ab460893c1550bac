/*
 * Tests of scenario reading and validation (scenario.h, param.h): every kind of bad
 * input gets a one-line message naming file, line, key, value and what was expected,
 * and status HS_EINPUT; good input is interpreted as documented (defaults, sweeps,
 * overrides, the derived step count).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "hedgesim/scenario.h"

/* A valid base scenario; tests append or replace lines to break it. */
static const char *base_head =
    "[simulation]\n"      /* 1 */
    "paths = 1000\n"      /* 2 */
    "seed = 7\n"          /* 3 */
    "steps = 84\n"        /* 4 */
    "[market]\n"          /* 5 */
    "spot = 100\n"        /* 6 */
    "rate = 0.05\n"       /* 7 */
    "[model]\n"           /* 8 */
    "type = gbm\n"        /* 9 */
    "sigma = 0.2\n"       /* 10 */
    "[option]\n"          /* 11 */
    "type = call\n"       /* 12 */
    "strike = 100\n"      /* 13 */
    "maturity = 0.25\n"   /* 14 */
    "[strategy.hedge]\n"  /* 15 */
    "hedges = 21, 84\n";  /* 16 */

static hs_status build_text(const char *text, hs_scenario **sc, hs_error *err)
{
    hs_ini *ini = NULL;
    hs_status st = hs_ini_parse_string(text, "test.ini", &ini, err);
    if (st)
        return st;
    st = hs_scenario_build(ini, sc, err);
    hs_ini_free(ini);
    return st;
}

/* Build base_head with `extra` appended; expect failure whose message holds every
 * fragment in `want` (NULL-terminated). */
static void expect_error(const char *text, const char *const *want)
{
    hs_scenario *sc = NULL;
    hs_error err;
    hs_error_clear(&err);
    hs_status st = build_text(text, &sc, &err);
    cr_assert_eq(st, HS_EINPUT, "expected HS_EINPUT for:\n%s\ngot %d: %s", text, st, err.msg);
    cr_assert_null(sc);
    cr_assert_null(strchr(err.msg, '\n'), "message must be one line: %s", err.msg);
    for (size_t i = 0; want[i]; i++)
        cr_assert(strstr(err.msg, want[i]), "message '%s' lacks '%s'", err.msg, want[i]);
}

static char *with(const char *extra)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s%s", base_head, extra);
    return buf;
}

/* Replace line `line` (1-based) of base_head by `text`. */
static char *replace_line(int line, const char *text)
{
    static char buf[4096];
    buf[0] = '\0';
    const char *p = base_head;
    for (int l = 1; *p; l++) {
        const char *nl = strchr(p, '\n');
        size_t len = (size_t)(nl - p) + 1;
        if (l == line) {
            strcat(buf, text);
            strcat(buf, "\n");
        } else
            strncat(buf, p, len);
        p += len;
    }
    return buf;
}

Test(scenario, base_builds_with_a_sweep)
{
    hs_scenario *sc = NULL;
    hs_error err;
    cr_assert_eq(build_text(base_head, &sc, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(sc->paths, 1000);
    cr_assert_eq(sc->seed, 7);
    cr_assert_eq(sc->grid.steps, 84);
    cr_assert_float_eq(sc->grid.dt, 0.25 / 84, 1e-15);
    cr_assert_eq(sc->n_legs, 1);
    cr_assert_eq(sc->legs[0].quantity, -1, "default quantity is one option sold");
    cr_assert_float_eq(sc->legs[0].vol, 0.2, 1e-15, "traded vol defaults to the model sigma");
    cr_assert_eq(sc->legs[0].expiry_step, 84);
    cr_assert_eq(sc->n_strategies, 2);
    cr_assert_str_eq(sc->strategies[0].name, "hedge[hedges=21]");
    cr_assert_str_eq(sc->strategies[1].name, "hedge[hedges=84]");
    cr_assert(isnan(sc->strategies[0].vol), "hedge vol defaults to each leg's traded vol");
    cr_assert_eq(sc->market.dividend, 0);
    cr_assert_str_eq(sc->name, "test", "name defaults to the file name without extension");
    hs_scenario_free(sc);
}

Test(scenario, sweep_is_a_product_last_key_fastest)
{
    hs_scenario *sc = NULL;
    hs_error err;
    cr_assert_eq(build_text(with("vol = 0.1, 0.3\n"), &sc, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(sc->n_strategies, 4);
    cr_assert_str_eq(sc->strategies[0].name, "hedge[vol=0.1,hedges=21]");
    cr_assert_str_eq(sc->strategies[1].name, "hedge[vol=0.1,hedges=84]");
    cr_assert_str_eq(sc->strategies[3].name, "hedge[vol=0.3,hedges=84]");
    cr_assert_float_eq(sc->strategies[3].vol, 0.3, 1e-15);
    cr_assert_float_eq(sc->strategies[3].rule_par[0], 84, 0);
    hs_scenario_free(sc);
}

Test(scenario, steps_default_to_lcm_of_hedges)
{
    hs_scenario *sc = NULL;
    hs_error err;
    const char *text = replace_line(4, "; no steps");
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", text);
    char *h = strstr(buf, "hedges = 21, 84");
    memcpy(h, "hedges = 8, 12 ", 15);
    cr_assert_eq(build_text(buf, &sc, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(sc->grid.steps, 24, "lcm(8, 12) = 24");
    hs_scenario_free(sc);
}

Test(scenario, set_overrides_and_adds)
{
    hs_ini *ini = NULL;
    hs_error err;
    cr_assert_eq(hs_ini_parse_string(base_head, "t.ini", &ini, &err), HS_OK);
    cr_assert_eq(hs_ini_set(ini, "model.sigma=0.3", &err), HS_OK);
    cr_assert_eq(hs_ini_set(ini, "strategy.hedge.vol = 0.25", &err), HS_OK, "%s", err.msg);
    cr_assert_eq(hs_ini_set(ini, "market.dividend=0.01", &err), HS_OK);
    hs_scenario *sc = NULL;
    cr_assert_eq(hs_scenario_build(ini, &sc, &err), HS_OK, "%s", err.msg);
    cr_assert_float_eq(sc->model_args.par[0], 0.3, 1e-15);
    cr_assert_float_eq(sc->strategies[0].vol, 0.25, 1e-15);
    cr_assert_float_eq(sc->market.dividend, 0.01, 1e-15);
    hs_scenario_free(sc);
    /* A bad override names --set as its origin. */
    cr_assert_eq(hs_ini_set(ini, "model.sigma=-2", &err), HS_OK);
    cr_assert_eq(hs_scenario_build(ini, &sc, &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "--set") && strstr(err.msg, "sigma = -2"), "%s", err.msg);
    cr_assert_eq(hs_ini_set(ini, "sigma=0.3", &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "section.key"), "%s", err.msg);
    cr_assert_eq(hs_ini_set(ini, "model.sigma", &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "missing '='"), "%s", err.msg);
    hs_ini_free(ini);
}

/* The [grid] section: one axis "section.key = list", kept as written for the command
 * (which runs one scenario per value); its shape is checked here, each value when the
 * command builds the scenario with it, naming the grid's line. */
Test(scenario, grid_section)
{
    hs_scenario *sc = NULL;
    hs_error err;
    cr_assert_eq(build_text(with("[grid]\nmodel.sigma = 0.1, 0.2, 0.4\n"), &sc, &err), HS_OK, "%s",
                 err.msg);
    cr_assert_str_eq(sc->axis_key, "model.sigma");
    cr_assert_str_eq(sc->axis_values, "0.1, 0.2, 0.4");
    cr_assert_eq(sc->axis_line, 18);
    cr_assert_float_eq(sc->model_args.par[0], 0.2, 1e-15, "the base scenario keeps [model] sigma");
    hs_scenario_free(sc);
    cr_assert_eq(build_text(base_head, &sc, &err), HS_OK, "%s", err.msg);
    cr_assert_str_eq(sc->axis_key, "", "no [grid]: no axis");
    hs_scenario_free(sc);

    expect_error(with("[grid]\nmodel.sigma = 0.1, 0.2\nmarket.rate = 0, 0.1\n"),
                 (const char *[]){"test.ini:19", "second key 'market.rate'", "one axis", NULL});
    expect_error(with("[grid]\nsigma = 0.1, 0.2\n"),
                 (const char *[]){"test.ini:18", "'sigma'", "not section.key", NULL});
    expect_error(with("[grid]\nstrategy.hedge.vol = 0.1, 0.2\n"),
                 (const char *[]){"test.ini:18", "strategy key", "sweep", NULL});
    expect_error(with("[grid]\nmodel.sigma = 0.3\n"),
                 (const char *[]){"test.ini:18", "model.sigma = 0.3", "1 value", "2 to 64", NULL});
    expect_error(with("[grid]\nmodel.sigma = 0.3, , 0.4\n"),
                 (const char *[]){"test.ini:18", "empty value", NULL});
    expect_error(with("[gird]\nmodel.sigma = 0.3, 0.4\n"),
                 (const char *[]){"test.ini:17", "unknown section [gird]", "[grid]", NULL});

    /* A value applied as an override from the grid's line names that line. */
    hs_ini *ini = NULL;
    cr_assert_eq(hs_ini_parse_string(with("[grid]\nmodel.sigma = 0.1, 9\n"), "t.ini", &ini, &err),
                 HS_OK);
    cr_assert_eq(hs_ini_set_at(ini, "model.sigma=9", (hs_origin){"t.ini", 18}, &err), HS_OK);
    cr_assert_eq(hs_scenario_build(ini, &sc, &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "t.ini:18") && strstr(err.msg, "sigma = 9"), "%s", err.msg);
    hs_ini_free(ini);
}

Test(scenario, syntax_error_names_the_line)
{
    expect_error(with("this is not a key\n"), (const char *[]){"test.ini:17:", "syntax error", NULL});
}

Test(scenario, unknown_section_with_hint)
{
    expect_error(with("[modle]\nx = 1\n"),
                 (const char *[]){"test.ini:17:", "unknown section [modle]", "did you mean [model]", NULL});
    expect_error(with("[stratgy.fast]\n"),
                 (const char *[]){"test.ini:17:", "[stratgy.fast]", "did you mean [strategy.fast]", NULL});
}

Test(scenario, unknown_key_with_hint)
{
    expect_error(replace_line(10, "sigam = 0.2"),
                 (const char *[]){"test.ini:10:", "unknown key 'sigam'", "did you mean 'sigma'", NULL});
    expect_error(with("hedgse = 4\n"),
                 (const char *[]){"test.ini:17:", "[strategy.hedge]", "did you mean 'hedges'", NULL});
}

Test(scenario, duplicate_key)
{
    expect_error(with("hedges = 4\n"),
                 (const char *[]){"test.ini:17:", "hedges = 4", "given twice", "line 16", NULL});
}

Test(scenario, out_of_range)
{
    expect_error(replace_line(10, "sigma = -1"),
                 (const char *[]){"test.ini:10:", "model 'gbm'", "sigma = -1", "outside [0, 5]", NULL});
    expect_error(replace_line(6, "spot = 0"),
                 (const char *[]){"test.ini:6:", "[market]", "spot = 0", "outside (0, 1e+12]", NULL});
    expect_error(replace_line(2, "paths = 1"), (const char *[]){"test.ini:2:", "paths = 1", "outside", NULL});
}

Test(scenario, not_finite)
{
    expect_error(replace_line(7, "rate = nan"), (const char *[]){"test.ini:7:", "rate = nan", "not finite", NULL});
    expect_error(replace_line(7, "rate = inf"), (const char *[]){"test.ini:7:", "not finite", NULL});
    expect_error(replace_line(13, "strike = 1e999"), (const char *[]){"test.ini:13:", "strike = 1e999", "too large", NULL});
}

Test(scenario, unparsable_values)
{
    expect_error(replace_line(10, "sigma = 0.2x"),
                 (const char *[]){"test.ini:10:", "sigma = '0.2x'", "is not a number", NULL});
    expect_error(replace_line(10, "sigma ="), (const char *[]){"test.ini:10:", "is not a number", NULL});
    expect_error(replace_line(2, "paths = 10.5"),
                 (const char *[]){"test.ini:2:", "paths = 10.5", "not a whole number", NULL});
}

Test(scenario, unknown_names_list_the_valid_ones)
{
    expect_error(replace_line(9, "type = gmb"),
                 (const char *[]){"test.ini:9:", "'gmb' is not a known model", "gbm", "did you mean 'gbm'", NULL});
    expect_error(replace_line(12, "type = cal"),
                 (const char *[]){"test.ini:12:", "not a known instrument", "did you mean 'call'", NULL});
    expect_error(with("rebalance = intervl\n"),
                 (const char *[]){"test.ini:17:", "not a known rebalancing rule", "interval", NULL});
    expect_error(with("ratio = bsx\n"), (const char *[]){"test.ini:17:", "not a known hedge ratio", NULL});
}

Test(scenario, grid_consistency)
{
    expect_error(with("[strategy.odd]\nhedges = 5\n"),
                 (const char *[]){"test.ini:18:", "hedges = 5 does not divide steps = 84", NULL});
    expect_error(with("[option.b]\ntype = put\nstrike = 90\nmaturity = 0.1\n"),
                 (const char *[]){"test.ini:20:", "maturity = 0.1 does not fall on the simulation grid", NULL});
}

Test(scenario, missing_and_empty)
{
    expect_error(replace_line(13, "; no strike"),
                 (const char *[]){"test.ini", "[option]", "missing key 'strike'", NULL});
    expect_error(with("[option.x]\n"), (const char *[]){"test.ini:17:", "[option.x] is empty", NULL});
    expect_error(replace_line(15, "[scenario]"), (const char *[]){"no [strategy.NAME] section", NULL});
    expect_error(with("quantity = 0\n[strategy.b]\nhedges = 1\n"),
                 (const char *[]){"test.ini:17:", "unknown key 'quantity'", NULL});
}

Test(scenario, zero_quantity_and_lists_where_not_allowed)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", replace_line(14, "maturity = 0.25\nquantity = 0"));
    expect_error(buf, (const char *[]){"test.ini:15:", "quantity = 0 holds nothing", NULL});
    expect_error(replace_line(6, "spot = 100, 110"),
                 (const char *[]){"test.ini:6:", "spot = 100, 110 is a list", NULL});
}

Test(scenario, long_and_indented_lines)
{
    char buf[4096], longv[400];
    memset(longv, '1', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    snprintf(buf, sizeof buf, "%sdescription_x = %s\n", base_head, longv);
    expect_error(buf, (const char *[]){"test.ini:17:", "line too long", NULL});
    expect_error(with("  hedges = 8\n"), (const char *[]){"test.ini:17:", "continuation", NULL});
}

Test(scenario, missing_file)
{
    hs_ini *ini = NULL;
    hs_error err;
    cr_assert_eq(hs_ini_read("/nonexistent/x.ini", &ini, &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "/nonexistent/x.ini") && strstr(err.msg, "cannot open"), "%s", err.msg);
    cr_assert_null(ini);
}

Test(scenario, bundled_scenarios_validate)
{
    hs_scenario *sc = NULL;
    hs_error err;
    cr_assert_eq(hs_scenario_load("scenarios/derman_kamal.ini", NULL, 0, &sc, &err), HS_OK, "%s",
                 err.msg);
    cr_assert_str_eq(sc->name, "derman_kamal");
    cr_assert_eq(sc->paths, 50000);
    cr_assert_eq(sc->n_strategies, 2);
    hs_scenario_free(sc);
}
