/*
 * Fuzz harness: a CSV file through both CSV readers: the library's price-series reader
 * (hs_series_read_csv, include/hedgesim/csv.h; the bootstrap and replay models' data
 * files) with a few column choices, and the command's reader of run files
 * (hs_csv_read, src/cli/csv.c; plot and report).
 *
 * Properties: no crash, leak or undefined behaviour; a refused series is HS_EINPUT with
 * one line naming the file and leaves the series empty; an accepted one has at least 2
 * finite values; every cell the run-file reader returns can be read back.
 */
#include "fuzz.h"

#include "cli/csv.h"
#include "hedgesim/csv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hs_fuzz_tmpdir();
    return 0;
}

static void series(const char *path, const char *column, const char *date)
{
    hs_series s;
    hs_error err;
    hs_error_clear(&err);
    hs_status st = hs_series_read_csv(path, column, date, &s, &err);
    if (st == HS_OK) {
        HS_FUZZ_CHECK(s.n >= 2 && s.values, "accepted a series of %zu values", s.n);
        for (size_t i = 0; i < s.n; i++)
            HS_FUZZ_CHECK(s.values[i] - s.values[i] == 0, "value %zu is not finite", i);
        HS_FUZZ_CHECK(!date || s.dates, "no dates although asked for");
        if (date)
            for (size_t i = 0; i < s.n; i++)
                HS_FUZZ_CHECK(s.dates[i] != NULL, "date %zu missing", i);
    } else {
        HS_FUZZ_CHECK(st == HS_EINPUT, "refused with status %d: %s", (int)st, err.msg);
        hs_fuzz_check_message("series", err.msg);
        HS_FUZZ_CHECK(strstr(err.msg, path), "the message does not name the file: %s", err.msg);
        HS_FUZZ_CHECK(s.n == 0 && !s.values && !s.dates, "a refused series is not empty");
    }
    hs_series_free(&s);
    hs_series_free(&s); /* idempotent */
}

static void run_file(const char *path, size_t max_rows)
{
    hs_csv csv;
    hs_error err;
    hs_error_clear(&err);
    if (hs_csv_read(path, max_rows, &csv, &err) != HS_OK) {
        hs_fuzz_check_message("run file", err.msg);
        return;
    }
    HS_FUZZ_CHECK(!max_rows || csv.n_rows <= max_rows, "%zu rows read, at most %zu asked",
                  csv.n_rows, max_rows);
    size_t chars = 0;
    for (size_t c = 0; c < csv.n_cols; c++) {
        HS_FUZZ_CHECK(hs_csv_col(&csv, csv.head[c]) >= 0, "column %zu not found by name", c);
        for (size_t r = 0; r < csv.n_rows; r++) {
            chars += strlen(hs_csv_get(&csv, r, (int)c));
            (void)hs_csv_num(&csv, r, (int)c);
        }
    }
    (void)chars;
    (void)hs_csv_col(&csv, "price");
    HS_FUZZ_CHECK(hs_csv_get(&csv, csv.n_rows, 0)[0] == '\0', "a row out of range is not empty");
    HS_FUZZ_CHECK(hs_csv_get(&csv, 0, -1)[0] == '\0', "column -1 is not empty");
    hs_csv_free(&csv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    hs_fuzz_write("prices.csv", data, size, path, sizeof path);
    series(path, "price", NULL);
    series(path, "price", "date");
    series(path, "DAX", "t");
    run_file(path, 0);
    run_file(path, 2);
    return 0;
}
