/*
 * Tests of the real-data pieces of issue 3: the CSV reader (csv.c), the stationary block
 * bootstrap (models/bootstrap.c) and the historical replay (models/replay.c).
 *
 * Provenance of the reference values:
 *  - the small files under tests/data/csv/ were written by hand for these tests; their
 *    expected values are read off the files themselves (see each test);
 *  - figures of scenarios/data/eu_stock_markets.csv (R's datasets::EuStockMarkets) were
 *    computed independently with Python 3 (csv module, float(), math.log, two-pass
 *    sample standard deviation) and are listed in scenarios/data/README.md:
 *    DAX: 1860 prices, first 1628.75, row 22 (t = 1991.576923) 1616.67, last 5473.72;
 *    sd of the 1859 log returns 0.010300836598995531, annualised at 252 per year
 *    0.16352071162112727, mean 0.0006520417476913256.
 *  - the bootstrap's law (Politis & Romano 1994, section 2): each step's index is uniform
 *    on the returns (the stationary distribution), and a new block starts with
 *    probability p = 1/block, independently of everything else; a restart lands on the
 *    next index anyway with probability 1/n, so the fraction of steps that do not
 *    continue the block is p (1 - 1/n) exactly (a binomial count, checked within 4 s.e.).
 *    With rescaling, E[(x - m)^2] is the population variance of the rescaled returns,
 *    target_vol^2 / periods_per_year * (n - 1) / n, which the mean of the per-path
 *    realised variances must match within 4 s.e. (paths are independent).
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hedgesim/csv.h"
#include "hedgesim/model.h"

#include "lanes.h"

#define DATA HS_SOURCE_ROOT "/tests/data/csv/"
#define EU "scenarios/data/eu_stock_markets.csv"

enum { B_FILE, B_COLUMN, B_BLOCK, B_TARGET, B_PPY };
enum { R_FILE, R_COLUMN, R_PPY };

/* ------------------------------------------------------------------ CSV reader */

static void expect_error(const char *file, const char *column, const char *date,
                         const char *const *words)
{
    hs_series s;
    hs_error err;
    char path[1024];
    snprintf(path, sizeof path, "%s%s", DATA, file);
    hs_status st = hs_series_read_csv(path, column, date, &s, &err);
    cr_assert_eq(st, HS_EINPUT, "%s: status %d (%s)", file, st, err.msg);
    cr_assert_eq(s.n, 0u, "%s: a failed read left %zu values", file, s.n);
    cr_assert_null(s.values);
    cr_assert_null(s.dates);
    cr_assert_null(strchr(err.msg, '\n'), "%s: message is not one line: %s", file, err.msg);
    cr_assert_not_null(strstr(err.msg, file), "%s: message does not name the file: %s", file,
                       err.msg);
    for (const char *const *w = words; *w; w++)
        cr_assert_not_null(strstr(err.msg, *w), "%s: message lacks '%s': %s", file, *w, err.msg);
    hs_series_free(&s); /* harmless on an empty series */
}

/* CRLF line ends, quoted header names with spaces around them, a quoted number, a
 * doubled quote, blank and space-only lines, a quoted field over two lines, a number in
 * exponent form and no line break at the end of the file. */
Test(csv, crlf_quoted_known_answer)
{
    hs_series s;
    hs_error err;
    cr_assert_eq(hs_series_read_csv(DATA "crlf_quoted.csv", "price", "date", &s, &err), HS_OK, "%s",
                 err.msg);
    cr_assert_eq(s.n, 4u);
    const double want[] = {100, 101.5, 99.25, 100};
    const char *dates[] = {"2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"};
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(s.values[i], want[i], "row %zu: %.17g", i, s.values[i]);
        cr_assert_str_eq(s.dates[i], dates[i]);
    }
    cr_assert_str_eq(s.column, "price");
    hs_series_free(&s);
    cr_assert_eq(s.n, 0u);
    cr_assert_null(s.values);
    hs_series_free(&s); /* idempotent */
    hs_series_free(NULL);

    /* The third column as the "date" column: quotes undoubled, commas and the line break
     * inside quotes kept as they are. */
    cr_assert_eq(hs_series_read_csv(DATA "crlf_quoted.csv", "price", "note, text", &s, &err), HS_OK,
                 "%s", err.msg);
    cr_assert_str_eq(s.dates[0], "x");
    cr_assert_str_eq(s.dates[1], "a \"quoted\" b");
    cr_assert_str_eq(s.dates[2], "two\r\nlines");
    cr_assert_str_eq(s.dates[3], "y");
    hs_series_free(&s);
}

/* LF line ends, no date column asked for, a negative number and a hexadecimal float
 * (strtod's C99 syntax: 0x1p3 = 8). */
Test(csv, lf_without_dates)
{
    hs_series s;
    hs_error err;
    cr_assert_eq(hs_series_read_csv(DATA "lf_plain.csv", "price", NULL, &s, &err), HS_OK, "%s",
                 err.msg);
    cr_assert_eq(s.n, 3u);
    cr_assert_null(s.dates);
    cr_assert_eq(s.values[0], 100.0);
    cr_assert_eq(s.values[1], -0.25);
    cr_assert_eq(s.values[2], 8.0);
    hs_series_free(&s);
}

/* The shipped data: 1860 rows, first and last DAX closes and the t column as text. */
Test(csv, eu_stock_markets)
{
    hs_series s;
    hs_error err;
    cr_assert_eq(hs_series_read_csv(HS_SOURCE_ROOT "/" EU, "DAX", "t", &s, &err), HS_OK, "%s",
                 err.msg);
    cr_assert_eq(s.n, 1860u);
    cr_assert_eq(s.values[0], 1628.75);
    cr_assert_eq(s.values[21], 1616.67);
    cr_assert_eq(s.values[1859], 5473.72);
    cr_assert_str_eq(s.dates[0], "1991.496154");
    cr_assert_str_eq(s.dates[1859], "1998.646154");
    hs_series_free(&s);
    const char *cols[] = {"SMI", "CAC", "FTSE"};
    const double last[] = {7676.3, 3995, 5455};
    for (size_t c = 0; c < 3; c++) {
        cr_assert_eq(hs_series_read_csv(HS_SOURCE_ROOT "/" EU, cols[c], NULL, &s, &err), HS_OK);
        cr_assert_eq(s.n, 1860u);
        cr_assert_eq(s.values[1859], last[c], "%s", cols[c]);
        hs_series_free(&s);
    }
}

Test(csv, missing_file)
{
    expect_error("no_such_file.csv", "price", NULL,
                 (const char *[]){"cannot open", "No such file", NULL});
}

Test(csv, no_header)
{
    expect_error("empty.csv", "price", NULL, (const char *[]){"no header", NULL});
    expect_error("blank.csv", "price", NULL, (const char *[]){"no header", NULL});
    expect_error("numbers_only.csv", "price", NULL,
                 (const char *[]){"numbers_only.csv:1:", "no header", "'1'", NULL});
}

Test(csv, unknown_column_lists_the_available_ones)
{
    expect_error("lf_plain.csv", "Price", NULL,
                 (const char *[]){":1:", "'Price'", "available: 'date', 'price'", NULL});
    expect_error("lf_plain.csv", "price", "day",
                 (const char *[]){":1:", "'day'", "available: 'date', 'price'", NULL});
    expect_error("duplicate.csv", "price", NULL, (const char *[]){":1:", "more than once", NULL});
}

Test(csv, bad_values_name_line_column_and_value)
{
    expect_error("not_a_number.csv", "price", NULL,
                 (const char *[]){"not_a_number.csv:3:", "'price'", "'NA'", "not a number",
                                  "expected a finite number", NULL});
    expect_error("not_finite.csv", "price", NULL,
                 (const char *[]){"not_finite.csv:3:", "'price'", "'1e999'", "not finite", NULL});
    expect_error("nan_value.csv", "price", NULL,
                 (const char *[]){"nan_value.csv:2:", "'nan'", "not finite", NULL});
    expect_error("empty_value.csv", "price", NULL,
                 (const char *[]){"empty_value.csv:2:", "'price'", "empty", NULL});
    /* A line number counted through a quoted field spanning two lines. */
    expect_error("multiline_then_bad.csv", "price", NULL,
                 (const char *[]){"multiline_then_bad.csv:4:", "'bad'", NULL});
}

/* Issue 10, item 9: a NUL byte would end the number for strtod ("101\0junk" read as
 * 101): refused with its line.  A UTF-8 byte order mark before the header is skipped, so
 * the first column keeps its name. */
Test(csv, nul_byte_and_bom)
{
    expect_error("nul_byte.csv", "price", NULL,
                 (const char *[]){"nul_byte.csv:3:", "NUL byte", "character 15", NULL});
    hs_series s;
    hs_error err;
    cr_assert_eq(hs_series_read_csv(DATA "bom.csv", "price", "date", &s, &err), HS_OK, "%s",
                 err.msg);
    cr_assert_eq(s.n, 2u);
    cr_assert_str_eq(s.dates[0], "2020-01-02");
    cr_assert_eq(s.values[1], 101.0);
    cr_assert_eq(s.lines[0], 2u);
    cr_assert_eq(s.lines[1], 3u);
    hs_series_free(&s);
    cr_assert_eq(hs_series_read_csv(DATA "bom.csv", "date", NULL, &s, &err), HS_EINPUT);
    cr_assert_not_null(strstr(err.msg, "bom.csv:2:"), "%s", err.msg); /* found, not a number */
}

/* A column name longer than any fixed buffer is kept whole (it was cut at 63 bytes). */
Test(csv, long_column_name)
{
    char name[300], path[] = "/tmp/hs_test_data_long_XXXXXX";
    memset(name, 'c', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fprintf(f, "t,%s\n1,100\n2,101\n", name);
    fclose(f);
    hs_series s;
    hs_error err;
    cr_assert_eq(hs_series_read_csv(path, name, NULL, &s, &err), HS_OK, "%s", err.msg);
    cr_assert_str_eq(s.column, name);
    hs_series_free(&s);
    remove(path);
}

/* Issue 10, item 5: only regular files.  A FIFO with no writer would block the open
 * forever (the timeout catches a hang), /dev/zero never ends, a directory is no file;
 * each is HS_EINPUT naming the file and what it is.  A (sparse) file over the limit is
 * refused by its size before anything is read. */
Test(csv, special_files, .timeout = 20)
{
    char dir[] = "/tmp/hs_test_data_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char fifo[64], big[64];
    snprintf(fifo, sizeof fifo, "%s/fifo.csv", dir);
    snprintf(big, sizeof big, "%s/big.csv", dir);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    int fd = open(big, O_WRONLY | O_CREAT, 0600);
    cr_assert(fd >= 0 && ftruncate(fd, (off_t)HS_FILE_LIMIT + 1) == 0);
    close(fd);
    struct {
        const char *path, *what;
    } cases[] = {{fifo, "is a FIFO"},
                 {"/dev/zero", "is a character device"},
                 {dir, "is a directory"},
                 {big, "over the limit of 256 MiB"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hs_series s;
        hs_error err;
        cr_assert_eq(hs_series_read_csv(cases[i].path, "price", NULL, &s, &err), HS_EINPUT, "%s",
                     cases[i].path);
        cr_assert_null(s.values);
        cr_assert_not_null(strstr(err.msg, cases[i].path), "%s", err.msg);
        cr_assert_not_null(strstr(err.msg, cases[i].what), "%s", err.msg);
        cr_assert_not_null(strstr(err.msg, "expected a CSV file"), "%s", err.msg);
    }
    remove(fifo);
    remove(big);
    rmdir(dir);
}

Test(csv, too_few_rows)
{
    expect_error("one_row.csv", "price", NULL, (const char *[]){"1 data row", "at least 2", NULL});
    expect_error("header_only.csv", "price", NULL,
                 (const char *[]){"0 data rows", "at least 2", NULL});
}

Test(csv, malformed_records)
{
    expect_error("ragged.csv", "price", NULL,
                 (const char *[]){"ragged.csv:3:", "3 fields", "has 2", NULL});
    expect_error("unterminated.csv", "price", NULL,
                 (const char *[]){"unterminated.csv:3:", "not closed", NULL});
    expect_error("after_quote.csv", "price", NULL,
                 (const char *[]){"after_quote.csv:2:", "'x'", NULL});
}

/* ------------------------------------------------------------------ model helpers */

/* Default arguments of type t with the data file (relative to the source root, as a
 * scenario in the root would give it) and column. */
static void args_for(hs_model_args *a, const hs_model_type *t, const char *file, const char *column)
{
    hs_model_args_default(a, t);
    snprintf(a->dir, sizeof a->dir, "%s", HS_SOURCE_ROOT);
    snprintf(a->text[0], sizeof a->text[0], "%s", file);
    snprintf(a->text[1], sizeof a->text[1], "%s", column);
    snprintf(a->at[0], sizeof a->at[0], "data.ini:7");
    snprintf(a->at[1], sizeof a->at[1], "data.ini:8");
}

static hs_status try_init(hs_model *m, const hs_model_type *t, const hs_model_args *a, size_t steps,
                          double horizon, hs_error *err)
{
    hs_market mk = {100.0, 0.03, 0.0};
    hs_grid g = {steps, horizon, horizon / (double)steps};
    return hs_model_init(m, t, a, &mk, &g, err);
}

static void init(hs_model *m, const hs_model_type *t, const hs_model_args *a, size_t steps,
                 double horizon)
{
    hs_error err;
    cr_assert_eq(try_init(m, t, a, steps, horizon, &err), HS_OK, "%s", err.msg);
}

/* Log returns of a column, computed here from the reader's values. */
static double *data_returns(const char *path, const char *column, size_t *n)
{
    hs_series s;
    hs_error err;
    cr_assert_eq(hs_series_read_csv(path, column, NULL, &s, &err), HS_OK, "%s", err.msg);
    double *r = malloc(s.n * sizeof *r);
    cr_assert_not_null(r);
    for (size_t i = 0; i + 1 < s.n; i++)
        r[i] = log(s.values[i + 1] / s.values[i]);
    *n = s.n - 1;
    hs_series_free(&s);
    return r;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Distance from x to the nearest value of the sorted array v[0..n). */
static double nearest(const double *v, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    double d = INFINITY;
    if (lo < n)
        d = fabs(v[lo] - x);
    if (lo > 0)
        d = fmin(d, fabs(v[lo - 1] - x));
    return d;
}

static void seed_block(lanes *l, uint64_t seed, uint64_t first, size_t n)
{
    l->b.n = n;
    l->b.first_path = first;
    for (size_t i = 0; i < n; i++)
        hs_pcg32_lanes_seed_path(&l->rng, i, seed, first + i);
}

/* ------------------------------------------------------------------ bootstrap */

/* sigma() is the data's annualised vol; the parsed target_vol reports it too. */
Test(bootstrap, sigma_is_the_data_vol)
{
    hs_model_args a;
    hs_model m;
    args_for(&a, &hs_model_bootstrap, EU, "DAX");
    init(&m, &hs_model_bootstrap, &a, 252, 1.0);
    cr_assert(fabs(m.type->sigma(&m) - 0.16352071162112727) < 1e-12, "sigma %.17g",
              m.type->sigma(&m));
    cr_assert(fabs(hs_model_param(&m, "target_vol") - 0.16352071162112727) < 1e-12);
    hs_model_release(&m);
    /* At 260 periods a year the same sd annualises to 0.010300836598995531 sqrt(260). */
    a.par[B_PPY] = 260;
    init(&m, &hs_model_bootstrap, &a, 260, 1.0);
    cr_assert(fabs(m.type->sigma(&m) - 0.010300836598995531 * sqrt(260.0)) < 1e-12);
    hs_model_release(&m);
}

/* Unscaled, every step's log return is a return of the data (to 1e-12), the one at the
 * lane's index, spot = exp(logspot), and the draws are two uniforms per step. */
static void check_draws_existing_returns(double block, size_t *restarts, size_t *moves)
{
    size_t n = 0;
    double *r = data_returns(HS_SOURCE_ROOT "/" EU, "DAX", &n);
    double *sorted = malloc(n * sizeof *sorted);
    cr_assert_not_null(sorted);
    memcpy(sorted, r, n * sizeof *r);
    qsort(sorted, n, sizeof *sorted, cmp_double);

    hs_model_args a;
    hs_model m;
    args_for(&a, &hs_model_bootstrap, EU, "DAX");
    a.par[B_BLOCK] = block;
    const size_t steps = 252, paths = 2 * HS_BLOCK + 37;
    init(&m, &hs_model_bootstrap, &a, steps, 1.0);
    lanes *l = lanes_alloc();
    double old[HS_BLOCK], prev[HS_BLOCK];
    *restarts = *moves = 0;
    for (size_t first = 0; first < paths; first += HS_BLOCK) {
        size_t nb = paths - first < HS_BLOCK ? paths - first : HS_BLOCK;
        seed_block(l, 7, first, nb);
        m.type->start(&m, &l->b);
        for (size_t k = 0; k < steps; k++) {
            memcpy(old, l->logspot, sizeof old);
            memcpy(prev, l->state, sizeof prev);
            m.type->step(&m, &l->b, k);
            for (size_t i = 0; i < nb; i++) {
                double x = l->logspot[i] - old[i], j = l->state[i];
                cr_assert(j >= 0 && j < (double)n && j == floor(j), "index %g", j);
                cr_assert(nearest(sorted, n, x) <= 1e-12,
                          "path %zu step %zu: %.17g is no data "
                          "return",
                          first + i, k, x);
                cr_assert(fabs(x - r[(size_t)j]) <= 1e-12, "path %zu step %zu: %.17g != r[%g]",
                          first + i, k, x, j);
                /* exp is the vectorised one (simd.h): equal to a few ulp, not bit for bit. */
                cr_assert(fabs(l->spot[i] - exp(l->logspot[i])) <= 1e-15 * l->spot[i] &&
                          l->spot[i] > 0);
                if (k > 0) {
                    *moves += 1;
                    *restarts += j != fmod(prev[i] + 1.0, (double)n);
                }
            }
        }
        for (size_t i = 0; i < nb; i++) {
            hs_pcg32 want;
            hs_path_stream(&want, 7, first + i);
            hs_pcg32_advance(&want, 2 * (uint64_t)(2 * steps)); /* two outputs a draw */
            cr_assert(want.state == l->rng.state[i], "path %zu: not 2 draws per step", first + i);
        }
    }
    free(l);
    free(sorted);
    free(r);
    hs_model_release(&m);
}

Test(bootstrap, draws_only_data_returns_in_blocks)
{
    size_t n = 1859;
    const double blocks[] = {20, 1, 3.5};
    for (size_t c = 0; c < 3; c++) {
        size_t restarts, moves;
        check_draws_existing_returns(blocks[c], &restarts, &moves);
        double want = 1.0 / blocks[c] * (1.0 - 1.0 / (double)n);
        double got = (double)restarts / (double)moves;
        double se = sqrt(want * (1.0 - want) / (double)moves);
        cr_log_info("bootstrap block %g: new-block fraction %.5f vs %.5f (%.2f s.e.)", blocks[c],
                    got, want, (got - want) / se);
        cr_assert(fabs(got - want) < 4 * se,
                  "block %g: new-block fraction %.5f vs %.5f "
                  "(s.e. %.5f)",
                  blocks[c], got, want, se);
    }
}

/* target_vol: every step is a rescaled data return m + s (r - m), and the realised
 * variance of many paths matches target^2 (n - 1) / n within 4 s.e. */
Test(bootstrap, target_vol_rescales_about_the_mean)
{
    size_t n = 0;
    double *r = data_returns(HS_SOURCE_ROOT "/" EU, "DAX", &n);
    double mean = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += r[i];
    mean /= (double)n;
    cr_assert(fabs(mean - 0.0006520417476913256) < 1e-15);
    const double target = 0.30, sd = 0.010300836598995531, ppy = 252;
    double scale = target / (sd * sqrt(ppy));
    for (size_t i = 0; i < n; i++)
        r[i] = mean + scale * (r[i] - mean);
    qsort(r, n, sizeof *r, cmp_double);

    hs_model_args a;
    hs_model m;
    args_for(&a, &hs_model_bootstrap, EU, "DAX");
    a.par[B_TARGET] = target;
    const size_t steps = 252, paths = 16 * HS_BLOCK;
    init(&m, &hs_model_bootstrap, &a, steps, 1.0);
    cr_assert_eq(m.type->sigma(&m), target);
    lanes *l = lanes_alloc();
    double old[HS_BLOCK], v[HS_BLOCK], sum = 0.0, sum2 = 0.0;
    for (size_t first = 0; first < paths; first += HS_BLOCK) {
        seed_block(l, 11, first, HS_BLOCK);
        m.type->start(&m, &l->b);
        for (size_t i = 0; i < HS_BLOCK; i++)
            v[i] = 0.0;
        for (size_t k = 0; k < steps; k++) {
            memcpy(old, l->logspot, sizeof old);
            m.type->step(&m, &l->b, k);
            for (size_t i = 0; i < HS_BLOCK; i++) {
                double x = l->logspot[i] - old[i];
                cr_assert(nearest(r, n, x) <= 1e-12, "%.17g is no rescaled return", x);
                v[i] += (x - mean) * (x - mean);
            }
        }
        for (size_t i = 0; i < HS_BLOCK; i++) {
            double var = v[i] * ppy / (double)steps;
            sum += var;
            sum2 += var * var;
        }
    }
    double p = (double)paths, est = sum / p, se = sqrt((sum2 / p - est * est) / (p - 1.0));
    double want = target * target * (double)(n - 1) / (double)n;
    cr_log_info("bootstrap target_vol 0.3: variance %.6f +- %.6f vs %.6f (%.2f s.e.), vol %.5f",
                est, se, want, (est - want) / se, sqrt(est));
    cr_assert(fabs(est - want) < 4 * se, "variance %.6f vs %.6f (s.e. %.6f)", est, want, se);
    free(l);
    free(r);
    hs_model_release(&m);

    /* target_vol = the data's vol changes nothing (to rounding). */
    args_for(&a, &hs_model_bootstrap, EU, "DAX");
    a.par[B_TARGET] = 0.16352071162112727;
    hs_model m2, m3;
    init(&m2, &hs_model_bootstrap, &a, 252, 1.0);
    args_for(&a, &hs_model_bootstrap, EU, "DAX");
    init(&m3, &hs_model_bootstrap, &a, 252, 1.0);
    const double *r2 = m2.data, *r3 = m3.data;
    for (size_t i = 0; i < n; i++)
        cr_assert(fabs(r2[i] - r3[i]) < 1e-15, "return %zu: %.17g vs %.17g", i, r2[i], r3[i]);
    hs_model_release(&m2);
    hs_model_release(&m3);
}

/* A path does not depend on its lane or block (the per-path stream contract). */
Test(bootstrap, path_independent_of_block)
{
    hs_model_args a;
    hs_model m;
    args_for(&a, &hs_model_bootstrap, EU, "CAC");
    init(&m, &hs_model_bootstrap, &a, 21, 1.0 / 12.0);
    lanes *l1 = lanes_alloc(), *l2 = lanes_alloc();
    seed_block(l1, 3, 0, 40);
    seed_block(l2, 3, 17, 5);
    m.type->start(&m, &l1->b);
    m.type->start(&m, &l2->b);
    for (size_t k = 0; k < 21; k++) {
        m.type->step(&m, &l1->b, k);
        m.type->step(&m, &l2->b, k);
    }
    for (size_t i = 0; i < 5; i++)
        cr_assert(l1->spot[17 + i] == l2->spot[i], "path %zu differs", 17 + i);
    free(l1);
    free(l2);
    hs_model_release(&m);
}

/* Finite, positive paths at the extremes: 40 years of daily steps at target_vol 5 with
 * block 1, and target_vol 0 (every step the mean return). */
Test(bootstrap, finite_at_extremes)
{
    const double targets[] = {5.0, 0.0};
    const double blocks[] = {1.0, 10000.0};
    for (size_t c = 0; c < 2; c++) {
        hs_model_args a;
        hs_model m;
        args_for(&a, &hs_model_bootstrap, EU, "FTSE");
        a.par[B_TARGET] = targets[c];
        a.par[B_BLOCK] = blocks[c];
        init(&m, &hs_model_bootstrap, &a, 10080, 40.0);
        lanes *l = lanes_alloc();
        seed_block(l, 1, 0, HS_BLOCK);
        m.type->start(&m, &l->b);
        for (size_t k = 0; k < 10080; k++) {
            m.type->step(&m, &l->b, k);
            for (size_t i = 0; i < HS_BLOCK; i++)
                cr_assert(isfinite(l->spot[i]) && l->spot[i] > 0 && isfinite(l->logspot[i]),
                          "target %g step %zu lane %zu: %g", targets[c], k, i, l->spot[i]);
        }
        free(l);
        hs_model_release(&m);
    }
}

/* Every error of prepare: HS_EINPUT, one line, the scenario location and the cause. */
static void expect_model_error(const hs_model_type *t, const hs_model_args *a, size_t steps,
                               double horizon, const char *const *words)
{
    hs_model m;
    hs_error err;
    hs_status st = try_init(&m, t, a, steps, horizon, &err);
    cr_assert_eq(st, HS_EINPUT, "%s: status %d (%s)", t->name, st, err.msg);
    cr_assert_null(m.data, "a failed prepare left data");
    cr_assert_null(strchr(err.msg, '\n'), "message is not one line: %s", err.msg);
    cr_assert_not_null(strstr(err.msg, t->name), "'%s' does not name the model", err.msg);
    for (const char *const *w = words; *w; w++)
        cr_assert_not_null(strstr(err.msg, *w), "'%s' lacks '%s'", err.msg, *w);
}

static void common_errors(const hs_model_type *t)
{
    hs_model_args a;
    args_for(&a, t, "tests/data/csv/no_such_file.csv", "price");
    expect_model_error(t, &a, 21, 1.0 / 12, (const char *[]){"data.ini:7", "cannot open", NULL});
    args_for(&a, t, EU, "dax");
    expect_model_error(t, &a, 21, 1.0 / 12,
                       (const char *[]){"data.ini:7", "no column 'dax'", "'DAX'", NULL});
    args_for(&a, t, "tests/data/csv/zero_price.csv", "price");
    expect_model_error(
        t, &a, 2, 2.0 / 252,
        (const char *[]){"zero_price.csv:3:", "column 'price'", "= 0", "positive price", NULL});
    /* The physical line of the value, counted through quoted fields over several lines. */
    args_for(&a, t, "tests/data/csv/negative_after_multiline.csv", "price");
    expect_model_error(t, &a, 2, 2.0 / 252,
                       (const char *[]){"negative_after_multiline.csv:7:", "column 'price'", "= -5",
                                        "positive price", NULL});
    args_for(&a, t, "tests/data/csv/flat.csv", "price");
    expect_model_error(t, &a, 2, 2.0 / 252, (const char *[]){"zero volatility", NULL});
    args_for(&a, t, "tests/data/csv/two_prices.csv", "price");
    expect_model_error(t, &a, 1, 1.0 / 252, (const char *[]){"one return", NULL});
    args_for(&a, t, "tests/data/csv/not_a_number.csv", "price");
    expect_model_error(t, &a, 2, 2.0 / 252,
                       (const char *[]){"data.ini:7", "not_a_number.csv:3:", "'NA'", NULL});
    /* Defaults only: file and column missing. */
    hs_model_args_default(&a, t);
    expect_model_error(t, &a, 21, 1.0 / 12, (const char *[]){"missing key 'file'", NULL});
    args_for(&a, t, EU, "");
    expect_model_error(t, &a, 21, 1.0 / 12, (const char *[]){"missing key 'column'", NULL});
}

Test(bootstrap, errors)
{
    common_errors(&hs_model_bootstrap);
    hs_model_args a;
    args_for(&a, &hs_model_bootstrap, EU, "DAX");
    snprintf(a.at[B_PPY], sizeof a.at[B_PPY], "data.ini:9");
    /* A month hedged on 84 steps would see four months of daily moves. */
    expect_model_error(&hs_model_bootstrap, &a, 84, 1.0 / 12,
                       (const char *[]){"data.ini:9", "steps", "not 84", "1008", NULL});
    /* Within 1% (50 steps for 0.2 years = 50.4) and within half a step are accepted. */
    hs_model m;
    init(&m, &hs_model_bootstrap, &a, 50, 0.2);
    hs_model_release(&m);
    init(&m, &hs_model_bootstrap, &a, 3, 2.6 / 252);
    hs_model_release(&m);
    expect_model_error(&hs_model_bootstrap, &a, 52, 0.2, (const char *[]){"not 52", NULL});
    /* An absolute file name is used as it is, whatever the scenario's directory. */
    args_for(&a, &hs_model_bootstrap, HS_SOURCE_ROOT "/" EU, "SMI");
    snprintf(a.dir, sizeof a.dir, "/nonexistent");
    init(&m, &hs_model_bootstrap, &a, 21, 1.0 / 12);
    hs_model_release(&m);
}

/* ------------------------------------------------------------------ replay */

static const double *prices(const hs_model *m)
{
    return m->data;
}

/* Windows reproduce the historical prices as ratios to their first price, to the last
 * bit, for paths at the start, the end and past the number of windows (wrap-around). */
Test(replay, windows_are_history)
{
    hs_model_args a;
    hs_model m;
    args_for(&a, &hs_model_replay, EU, "DAX");
    const size_t steps = 21, n = 1860, windows = n - steps;
    init(&m, &hs_model_replay, &a, steps, 1.0 / 12.0);
    cr_assert_eq((size_t)m.consts[0], windows);
    hs_series s;
    hs_error err;
    cr_assert_eq(hs_series_read_csv(HS_SOURCE_ROOT "/" EU, "DAX", NULL, &s, &err), HS_OK);
    const double s0 = m.market.spot;
    const uint64_t firsts[] = {0, 1000, windows - 3, 2 * windows - 1};
    lanes *l = lanes_alloc();
    for (size_t c = 0; c < 4; c++) {
        seed_block(l, 5, firsts[c], 8);
        uint64_t before[8];
        memcpy(before, l->rng.state, sizeof before);
        m.type->start(&m, &l->b);
        for (size_t i = 0; i < 8; i++)
            cr_assert(l->spot[i] == s0 && fabs(l->logspot[i] - log(s0)) <= 1e-15);
        for (size_t k = 0; k < steps; k++) {
            m.type->step(&m, &l->b, k);
            for (size_t i = 0; i < 8; i++) {
                size_t w = (size_t)((firsts[c] + i) % windows);
                double want = s0 * (s.values[w + k + 1] / s.values[w]);
                cr_assert(l->spot[i] == want, "path %zu step %zu: %.17g vs %.17g",
                          (size_t)firsts[c] + i, k, l->spot[i], want);
                cr_assert(fabs(l->logspot[i] - log(l->spot[i])) <= 1e-15);
                /* Same ratio as the file's numbers, independently of the model's copy. */
                cr_assert(fabs(l->spot[i] / s0 - s.values[w + k + 1] / s.values[w]) <=
                          4e-16 * (s.values[w + k + 1] / s.values[w]));
            }
        }
        /* No random numbers drawn. */
        cr_assert(!memcmp(before, l->rng.state, sizeof before), "replay drew random numbers");
    }
    /* Known answers from the file (Python, README): path 0 ends at 100 * 1616.67 /
     * 1628.75 = 99.25832693783576; path windows - 1 ends at 100 * 5473.72 / 6108. */
    seed_block(l, 5, windows - 1, 2);
    m.type->start(&m, &l->b);
    for (size_t k = 0; k < steps; k++)
        m.type->step(&m, &l->b, k);
    cr_assert(fabs(l->spot[0] - 89.61558611656844) < 1e-12, "%.17g", l->spot[0]);
    cr_assert(fabs(l->spot[1] - 99.25832693783576) < 1e-12, "%.17g", l->spot[1]);
    cr_assert_eq(prices(&m)[0], 1628.75);
    free(l);
    hs_series_free(&s);
    hs_model_release(&m);
}

/* A stress overlay that moves the price between steps (crash: S *= 1 + size) stays in
 * the path: afterwards S_k = 0.8 x the historical ratio. */
/* A replay of column col over 21 steps, and n lanes from path `first` at its start. */
static lanes *replay_start(hs_model *m, hs_model_args *a, const char *col, uint64_t first,
                           size_t n)
{
    args_for(a, &hs_model_replay, EU, col);
    init(m, &hs_model_replay, a, 21, 1.0 / 12.0);
    lanes *l = lanes_alloc();
    seed_block(l, 5, first, n);
    m->type->start(m, &l->b);
    return l;
}

Test(replay, overlay_persists)
{
    hs_model_args a;
    hs_model m;
    lanes *l = replay_start(&m, &a, "FTSE", 100, 4);
    const double *p = prices(&m);
    for (size_t k = 0; k < 21; k++) {
        m.type->step(&m, &l->b, k);
        if (k == 4)
            for (size_t i = 0; i < 4; i++) {
                l->spot[i] *= 0.8;
                l->logspot[i] += log(0.8);
            }
        double f = k >= 4 ? 0.8 : 1.0;
        for (size_t i = 0; i < 4; i++) {
            double want = 100.0 * f * p[100 + i + k + 1] / p[100 + i];
            cr_assert(fabs(l->spot[i] - want) < 1e-12 * want, "step %zu: %.17g vs %.17g", k,
                      l->spot[i], want);
        }
    }
    free(l);
    hs_model_release(&m);
}

/* ln S is vmath.h's hs_vlog for a positive normal price and libm's log otherwise: an
 * overlay that takes one lane's price into the subnormals (S *= 1e-310) and another's to
 * 0 gets libm's values there (-inf at 0), and the other lanes keep theirs. */
Test(replay, log_of_a_price_beyond_the_normal_range)
{
    hs_model_args a;
    hs_model m;
    lanes *l = replay_start(&m, &a, "DAX", 10, 8);
    m.type->step(&m, &l->b, 0);
    l->spot[2] *= 1e-310;
    l->spot[5] = 0.0;
    m.type->step(&m, &l->b, 1);
    cr_assert(l->spot[2] > 0.0 && l->spot[2] < DBL_MIN, "lane 2 not subnormal: %g", l->spot[2]);
    cr_assert(l->logspot[2] == log(l->spot[2]), "%.17g vs %.17g", l->logspot[2], log(l->spot[2]));
    cr_assert(l->spot[5] == 0.0 && isinf(l->logspot[5]) && l->logspot[5] < 0.0);
    for (size_t i = 0; i < 8; i++)
        if (i != 2 && i != 5)
            cr_assert(fabs(l->logspot[i] - log(l->spot[i])) <= 1e-15, "lane %zu", i);
    free(l);
    hs_model_release(&m);
}

Test(replay, sigma_and_errors)
{
    hs_model_args a;
    hs_model m;
    args_for(&a, &hs_model_replay, EU, "DAX");
    init(&m, &hs_model_replay, &a, 21, 1.0 / 12.0);
    cr_assert(fabs(m.type->sigma(&m) - 0.16352071162112727) < 1e-12, "%.17g", m.type->sigma(&m));
    hs_model_release(&m);
    /* The longest grid has one window: 1859 steps; 1860 need one price more. */
    init(&m, &hs_model_replay, &a, 1859, 1859.0 / 252);
    cr_assert_eq(m.consts[0], 1.0);
    hs_model_release(&m);
    expect_model_error(&hs_model_replay, &a, 1860, 1860.0 / 252,
                       (const char *[]){"data.ini:7", "1860 prices", "steps + 1 = 1861", NULL});
    /* A small file: five prices 100, 110, 99, 121, 100 and 2 steps give 3 windows. */
    args_for(&a, &hs_model_replay, "tests/data/csv/five.csv", "price");
    init(&m, &hs_model_replay, &a, 2, 2.0 / 252);
    lanes *l = lanes_alloc();
    seed_block(l, 1, 0, 4);
    m.type->start(&m, &l->b);
    m.type->step(&m, &l->b, 0);
    m.type->step(&m, &l->b, 1);
    const double want[] = {99, 110, 100.0 * 100 / 99, 99}; /* path 3 wraps to window 0 */
    for (size_t i = 0; i < 4; i++)
        cr_assert(fabs(l->spot[i] - want[i]) < 1e-12, "path %zu: %.17g", i, l->spot[i]);
    free(l);
    hs_model_release(&m);
    common_errors(&hs_model_replay);
}
