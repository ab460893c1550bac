/*
 * Tests of scenario reading and validation (scenario.h, param.h): every kind of bad
 * input gets a one-line message naming file, line, key, value and what was expected,
 * and status HS_EINPUT; good input is interpreted as documented (defaults, sweeps,
 * overrides, the derived step count).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hedgesim/scenario.h"

/* A valid base scenario; tests append or replace lines to break it. */
static const char *base_head = "[simulation]\n"     /* 1 */
                               "paths = 1000\n"     /* 2 */
                               "seed = 7\n"         /* 3 */
                               "steps = 84\n"       /* 4 */
                               "[market]\n"         /* 5 */
                               "spot = 100\n"       /* 6 */
                               "rate = 0.05\n"      /* 7 */
                               "[model]\n"          /* 8 */
                               "type = gbm\n"       /* 9 */
                               "sigma = 0.2\n"      /* 10 */
                               "[option]\n"         /* 11 */
                               "type = call\n"      /* 12 */
                               "strike = 100\n"     /* 13 */
                               "maturity = 0.25\n"  /* 14 */
                               "[strategy.hedge]\n" /* 15 */
                               "hedges = 21, 84\n"; /* 16 */

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
    expect_error(with("this is not a key\n"),
                 (const char *[]){"test.ini:17:", "syntax error", NULL});
}

Test(scenario, unknown_section_with_hint)
{
    expect_error(
        with("[modle]\nx = 1\n"),
        (const char *[]){"test.ini:17:", "unknown section [modle]", "did you mean [model]", NULL});
    expect_error(with("[stratgy.fast]\n"), (const char *[]){"test.ini:17:", "[stratgy.fast]",
                                                            "did you mean [strategy.fast]", NULL});
}

Test(scenario, unknown_key_with_hint)
{
    expect_error(
        replace_line(10, "sigam = 0.2"),
        (const char *[]){"test.ini:10:", "unknown key 'sigam'", "did you mean 'sigma'", NULL});
    expect_error(with("hedgse = 4\n"), (const char *[]){"test.ini:17:", "[strategy.hedge]",
                                                        "did you mean 'hedges'", NULL});
}

Test(scenario, duplicate_key)
{
    expect_error(with("hedges = 4\n"),
                 (const char *[]){"test.ini:17:", "hedges = 4", "given twice", "line 16", NULL});
}

Test(scenario, out_of_range)
{
    expect_error(
        replace_line(10, "sigma = -1"),
        (const char *[]){"test.ini:10:", "model 'gbm'", "sigma = -1", "outside [0, 5]", NULL});
    expect_error(
        replace_line(6, "spot = 0"),
        (const char *[]){"test.ini:6:", "[market]", "spot = 0", "outside (0, 1e+12]", NULL});
    expect_error(replace_line(2, "paths = 1"),
                 (const char *[]){"test.ini:2:", "paths = 1", "outside", NULL});
}

Test(scenario, not_finite)
{
    expect_error(replace_line(7, "rate = nan"),
                 (const char *[]){"test.ini:7:", "rate = nan", "not finite", NULL});
    expect_error(replace_line(7, "rate = inf"),
                 (const char *[]){"test.ini:7:", "not finite", NULL});
    expect_error(replace_line(13, "strike = 1e999"),
                 (const char *[]){"test.ini:13:", "strike = 1e999", "too large", NULL});
}

Test(scenario, unparsable_values)
{
    expect_error(replace_line(10, "sigma = 0.2x"),
                 (const char *[]){"test.ini:10:", "sigma = '0.2x'", "is not a number", NULL});
    expect_error(replace_line(10, "sigma ="),
                 (const char *[]){"test.ini:10:", "is not a number", NULL});
    expect_error(replace_line(2, "paths = 10.5"),
                 (const char *[]){"test.ini:2:", "paths = 10.5", "not a whole number", NULL});
}

Test(scenario, unknown_names_list_the_valid_ones)
{
    expect_error(replace_line(9, "type = gmb"),
                 (const char *[]){"test.ini:9:", "'gmb' is not a known model", "gbm",
                                  "did you mean 'gbm'", NULL});
    expect_error(
        replace_line(12, "type = cal"),
        (const char *[]){"test.ini:12:", "not a known instrument", "did you mean 'call'", NULL});
    expect_error(
        with("rebalance = intervl\n"),
        (const char *[]){"test.ini:17:", "not a known rebalancing rule", "interval", NULL});
    expect_error(with("ratio = bsx\n"),
                 (const char *[]){"test.ini:17:", "not a known hedge ratio", NULL});
}

Test(scenario, grid_consistency)
{
    expect_error(with("[strategy.odd]\nhedges = 5\n"),
                 (const char *[]){"test.ini:18:", "hedges = 5 does not divide steps = 84", NULL});
    expect_error(with("[option.b]\ntype = put\nstrike = 90\nmaturity = 0.1\n"),
                 (const char *[]){
                     "test.ini:20:", "maturity = 0.1 does not fall on the simulation grid", NULL});
}

Test(scenario, missing_and_empty)
{
    expect_error(replace_line(13, "; no strike"),
                 (const char *[]){"test.ini", "[option]", "missing key 'strike'", NULL});
    expect_error(with("[option.x]\n"),
                 (const char *[]){"test.ini:17:", "[option.x] is empty", NULL});
    expect_error(replace_line(15, "[scenario]"),
                 (const char *[]){"no [strategy.NAME] section", NULL});
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
    cr_assert(strstr(err.msg, "/nonexistent/x.ini") && strstr(err.msg, "cannot open"), "%s",
              err.msg);
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

/* ---------------------------------------------------------------- issue 10 */

/* Build base_head with the overrides applied by hs_ini_set (as `--set` does). */
static hs_status build_with_sets(const char *text, const char *const *sets, hs_scenario **sc,
                                 hs_error *err)
{
    hs_ini *ini = NULL;
    hs_status st = hs_ini_parse_string(text, "test.ini", &ini, err);
    for (size_t i = 0; !st && sets[i]; i++)
        st = hs_ini_set(ini, sets[i], err);
    if (!st)
        st = hs_scenario_build(ini, sc, err);
    hs_ini_free(ini);
    return st;
}

static void expect_set_error(const char *const *sets, const char *const *want)
{
    hs_scenario *sc = NULL;
    hs_error err;
    hs_error_clear(&err);
    hs_status st = build_with_sets(base_head, sets, &sc, &err);
    cr_assert_eq(st, HS_EINPUT, "expected HS_EINPUT for --set %s, got %d: %s", sets[0], st,
                 err.msg);
    cr_assert_null(sc);
    cr_assert_null(strchr(err.msg, '\n'), "message must be one line: %s", err.msg);
    for (size_t i = 0; want[i]; i++)
        cr_assert(strstr(err.msg, want[i]), "message '%s' lacks '%s'", err.msg, want[i]);
}

/* Section names are tracked whole by the reader (inih's own buffer would cut them at
 * 49 characters for the keys but not for the header): up to 95 characters work, a
 * longer one is refused at its header, naming the limit. */
Test(scenario, long_section_names_are_whole_or_refused)
{
    char name[100], buf[4096];
    memset(name, 'x', 60);
    name[60] = '\0';
    snprintf(buf, sizeof buf, "%s[strategy.%s]\nhedges = 21\ncost = 0.001\n", base_head, name);
    hs_scenario *sc = NULL;
    hs_error err;
    cr_assert_eq(build_text(buf, &sc, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(sc->n_strategies, 3);
    cr_assert_str_eq(sc->strategies[2].name, name);
    cr_assert_float_eq(sc->strategies[2].costs.prop, 0.001, 0, "keys land in the long section");
    hs_scenario_free(sc);

    memset(name, 'x', 87);
    name[87] = '\0'; /* "strategy." + 87 = 96 characters */
    snprintf(buf, sizeof buf, "%s[strategy.%s]\nhedges = 21\n", base_head, name);
    expect_error(
        buf, (const char *[]){"test.ini:17:", "section name of 96 characters", "at most 95", NULL});
}

Test(scenario, bom_is_skipped)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "\xEF\xBB\xBF%s", base_head);
    hs_scenario *sc = NULL;
    hs_error err;
    cr_assert_eq(build_text(buf, &sc, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(sc->paths, 1000, "the first section after the BOM is read");
    hs_scenario_free(sc);
    /* Only at the start of the file. */
    expect_error(with("\xEF\xBB\xBF[strategy.b]\nhedges = 21\n"),
                 (const char *[]){"test.ini:17:", NULL});
}

/* A file written to disk for the reader's file path. */
static const char *write_file(const char *name, const char *data, size_t len)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/hs_test_scenario_%d_%s", (int)getpid(), name);
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    cr_assert_eq(fwrite(data, 1, len, fp), len);
    fclose(fp);
    return path;
}

Test(scenario, nul_byte_refused)
{
    char buf[4096];
    size_t n = (size_t)snprintf(buf, sizeof buf, "%s", base_head);
    char *spot = strstr(buf, "spot = 100");
    spot[8] = '\0'; /* "spot = 1\0 0" */
    const char *path = write_file("nul.ini", buf, n);
    hs_ini *ini = NULL;
    hs_error err;
    cr_assert_eq(hs_ini_read(path, &ini, &err), HS_EINPUT);
    cr_assert_null(ini);
    cr_assert(strstr(err.msg, ":6: NUL byte in line 6"), "%s", err.msg);
    cr_assert(strstr(err.msg, path), "%s", err.msg);
    unlink(path);
}

Test(scenario, special_files_refused, .timeout = 10)
{
    hs_ini *ini = NULL;
    hs_error err;
    cr_assert_eq(hs_ini_read("/dev/zero", &ini, &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "/dev/zero") && strstr(err.msg, "is a device") &&
                  strstr(err.msg, "regular"),
              "%s", err.msg);
    cr_assert_eq(hs_ini_read("/tmp", &ini, &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "/tmp: ") && strstr(err.msg, "is a directory"), "%s", err.msg);
    char fifo[256];
    snprintf(fifo, sizeof fifo, "/tmp/hs_test_fifo_%d", (int)getpid());
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    hs_status st = hs_ini_read(fifo, &ini, &err); /* must not wait for a writer */
    unlink(fifo);
    cr_assert_eq(st, HS_EINPUT);
    cr_assert(strstr(err.msg, "is a FIFO"), "%s", err.msg);
    cr_assert_null(ini);
}

Test(scenario, long_paths_refused_naming_the_limit)
{
    char path[600];
    memset(path, 'p', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    hs_ini *ini = NULL;
    hs_error err;
    cr_assert_eq(hs_ini_read(path, &ini, &err), HS_EINPUT);
    cr_assert(strstr(err.msg, "599 characters") && strstr(err.msg, "at most 480"), "%s", err.msg);
}

/* --set may create a [strategy.*], [option.*] or [stress.*] section only with '+'. */
Test(scenario, set_creates_sections_only_with_plus)
{
    expect_set_error((const char *[]){"strategy.hegde.hedges=4", NULL},
                     (const char *[]){"--set strategy.hegde.hedges=4: no section [strategy.hegde] "
                                      "in test.ini",
                                      "did you mean [strategy.hedge]?",
                                      "write --set +strategy.hegde.hedges=4", NULL});
    expect_set_error(
        (const char *[]){"stress.crash.size=-0.1", NULL},
        (const char *[]){"no section [stress.crash]", "to add a stress overlay", NULL});
    expect_set_error((const char *[]){"option.a.strike=90", NULL},
                     (const char *[]){"no section [option.a]", "to add an option leg", NULL});
    /* With '+': made, and what it lacks names the --set that made it, not the file. */
    expect_set_error(
        (const char *[]){"+option.a.strike=90", NULL},
        (const char *[]){"--set +option.a.strike=90: [option.a]", "missing key 'type'", NULL});
    expect_set_error((const char *[]){"+stress.crash.size=-0.1", NULL},
                     (const char *[]){"--set +stress.crash.size=-0.1: [stress.crash]",
                                      "missing key 'type' (expected one of: crash, gap, vol, implied)",
                                      NULL});
    expect_set_error((const char *[]){"+stress.crash.type=crash", "+stress.crash.time=0.1",
                                      "+stress.crash.sizee=-0.1", NULL},
                     (const char *[]){"unknown key 'sizee'", "expected one of: type, time, size",
                                      "did you mean 'size'?", NULL});

    hs_scenario *sc = NULL;
    hs_error err;
    cr_assert_eq(
        build_with_sets(base_head,
                        (const char *[]){"+strategy.fast.hedges=84", "market.dividend=0.01",
                                         "+strategy.hedge.cost=0.001", "scenario.name=x", NULL},
                        &sc, &err),
        HS_OK, "%s", err.msg);
    cr_assert_eq(sc->n_strategies, 3);
    cr_assert_str_eq(sc->strategies[2].name, "fast");
    cr_assert_float_eq(sc->strategies[0].costs.prop, 0.001, 0);
    cr_assert_float_eq(sc->market.dividend, 0.01, 0);
    hs_scenario_free(sc);
    /* The fixed sections have defaults: plain --set may make them. */
    char no_market[4096];
    snprintf(no_market, sizeof no_market, "%s", base_head);
    char *m = strstr(no_market, "[market]\nspot = 100\nrate = 0.05\n");
    memmove(m, m + 32, strlen(m + 32) + 1);
    cr_assert_null(strstr(no_market, "[market]"));
    cr_assert_eq(build_with_sets(no_market, (const char *[]){"market.spot=90", NULL}, &sc, &err),
                 HS_OK, "%s", err.msg);
    cr_assert_float_eq(sc->market.spot, 90, 0);
    hs_scenario_free(sc);
}

Test(scenario, misspelt_key_reported_before_missing_key)
{
    expect_error(replace_line(13, "strik = 95"),
                 (const char *[]){"test.ini:13:", "[option] unknown key 'strik' = 95",
                                  "expected one of: type, strike", "did you mean 'strike'?", NULL});
    expect_error(
        replace_line(12, "typ = call"),
        (const char *[]){"test.ini:12:", "unknown key 'typ'", "did you mean 'type'?", NULL});
    expect_error(
        with("[stress.crash]\ntyp = crash\n"),
        (const char *[]){"test.ini:18:", "unknown key 'typ'", "did you mean 'type'?", NULL});
}

Test(scenario, comment_hints)
{
    expect_error(with("cost = 0.001 # comment\n"),
                 (const char *[]){"test.ini:17:", "cost = '0.001 # comment' is not a number",
                                  "'#' does not start a comment", "' ; comment'", NULL});
    expect_error(with("cost = 0.001;comment\n"),
                 (const char *[]){"test.ini:17:", "';' starts a comment only after a space", NULL});
    expect_error(
        replace_line(12, "type = call # the option"),
        (const char *[]){"test.ini:12:", "not a known instrument", "'#' does not start", NULL});
    /* A ';' after a space is a comment: this builds. */
    hs_scenario *sc = NULL;
    hs_error err;
    cr_assert_eq(build_text(with("cost = 0.001 ; comment\n"), &sc, &err), HS_OK, "%s", err.msg);
    hs_scenario_free(sc);
}

Test(scenario, subnormal_and_overflow)
{
    hs_scenario *sc = NULL;
    hs_error err;
    cr_assert_eq(build_text(replace_line(7, "rate = 4.9e-324"), &sc, &err), HS_OK, "%s", err.msg);
    cr_assert(sc->market.rate > 0 && sc->market.rate < 1e-300, "%g", sc->market.rate);
    hs_scenario_free(sc);
    expect_error(replace_line(6, "spot = 1e-400"),
                 (const char *[]){"test.ini:6:", "spot = 1e-400 is outside (0, 1e+12]", NULL});
    expect_error(replace_line(6, "spot = -1e999"),
                 (const char *[]){"test.ini:6:", "too large", NULL});
    /* Leading zeros are read whole (no buffer to cut them). */
    char seed[80];
    snprintf(seed, sizeof seed, "seed = %060d7", 0);
    cr_assert_eq(build_text(replace_line(3, seed), &sc, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(sc->seed, 7);
    hs_scenario_free(sc);
}

/* `every` without `hedges` (hedges NaN) no longer reaches an integer conversion: the grid
 * is daily (252 a year) and the strategy trades every `every` steps. */
Test(scenario, every_without_steps)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", replace_line(4, "; no steps"));
    char *h = strstr(buf, "hedges = 21, 84");
    memcpy(h, "every = 1      ", 15);
    hs_scenario *sc = NULL;
    hs_error err;
    cr_assert_eq(build_text(buf, &sc, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(sc->grid.steps, 63, "0.25 years at 252 a year");
    cr_assert(isnan(sc->strategies[0].rule_par[0]));
    cr_assert_float_eq(sc->strategies[0].rule_par[1], 1, 0);
    hs_scenario_free(sc);
    /* with hedges elsewhere: their lcm */
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "[strategy.b]\nhedges = 8\n");
    cr_assert_eq(build_text(buf, &sc, &err), HS_OK, "%s", err.msg);
    cr_assert_eq(sc->grid.steps, 8);
    hs_scenario_free(sc);
    /* An empty strategy section: a clear error at its header. */
    expect_error(with("[strategy.x]\n"), (const char *[]){"test.ini:17:", "[strategy.x]",
                                                          "give exactly one of 'hedges' "
                                                          "and 'every'",
                                                          NULL});
    expect_error(replace_line(4, "; no steps\n[strategy.x]"),
                 (const char *[]){"test.ini:5:", "give exactly one of", NULL});
}

/* Values are stored whole: a 2,000-character --set list sweeps all its values, a text
 * field too small for a value refuses it naming the limit, never cuts it. */
Test(scenario, long_set_values_whole_or_refused)
{
    char list[4096] = "strategy.hedge.cost=";
    for (int i = 1; i <= 40; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s0.%03d%037d", i > 1 ? "," : "",
                 i, 0);
    cr_assert_gt(strlen(list), 1650);
    hs_scenario *sc = NULL;
    hs_error err;
    cr_assert_eq(build_with_sets(base_head,
                                 (const char *[]){"strategy.hedge.hedges=84", list, NULL}, &sc,
                                 &err),
                 HS_OK, "%s", err.msg);
    cr_assert_eq(sc->n_strategies, 40);
    cr_assert_float_eq(sc->strategies[39].costs.prop, 0.040, 1e-15, "the last value is whole");
    cr_assert(strstr(sc->strategies[39].name, "cost=0.040000"), "%s", sc->strategies[39].name);
    hs_scenario_free(sc);

    char text[2100] = "scenario.description=";
    memset(text + strlen(text), 'd', 2000);
    expect_set_error((const char *[]){text, NULL},
                     (const char *[]){"--set", "description = 'dddd", "2000 characters long",
                                      "at most 255", NULL});
    char key[200] = "model.";
    memset(key + 6, 'k', 100);
    strcat(key, "=1");
    expect_set_error(
        (const char *[]){key, NULL},
        (const char *[]){"key of 100 characters is too long (expected at most 63)", NULL});
    /* A message shows a long value by its start and length, and stays one line. */
    char bad[2100] = "model.sigma=";
    memset(bad + strlen(bad), '9', 2000);
    strcat(bad, "x");
    expect_set_error((const char *[]){bad, NULL},
                     (const char *[]){"(2001 characters)", "is not a number", NULL});
}

Test(scenario, grid_axis_names_an_existing_section)
{
    expect_error(with("[grid]\noption.b.strike = 90, 100\n"),
                 (const char *[]){"test.ini:18:", "names no section", NULL});
}
