#!/usr/bin/env bash
# Command-line tests of the hedgesim command (docs/architecture.md): exit codes, one-line
# messages for every bundled bad input (scenarios/bad/*.ini, each naming in its first
# line the fragments its message must hold), nothing written on failure, and the
# outputs of a good run (JSON keys, CSV rows, files written whole).
# Usage: tests/cli/cli.sh PATH/TO/hedgesim   (run from the source root)
. "$(dirname "$0")/lib.sh" "$@"

# expect_exit CODE CMD...: the exit code, and for code 2 a single line on stderr.
expect_exit() {
    local want=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        bad "$* exited $rc, expected $want: $(head -c 300 "$tmp/err")"
        return 1
    fi
    if [ "$want" -eq 2 ] && [ "$(grep -c . "$tmp/err")" -lt 1 ]; then
        bad "$*: no message on stderr"
        return 1
    fi
    ok
}

# Every bad scenario: exit 2, one line naming the file, holding each expected fragment.
for f in scenarios/bad/*.ini; do
    expect=$(head -n 1 "$f" | sed -n 's/^; expect: //p')
    [ -n "$expect" ] || { bad "$f has no '; expect:' line"; continue; }
    for cmd in validate run; do
        out="$tmp/out_$(basename "$f" .ini)"
        expect_exit 2 "$bin" "$cmd" "$f" --out "$out" --quiet || continue
        lines=$(grep -c '' "$tmp/err")
        [ "$lines" -eq 1 ] && ok || bad "$f: $lines lines on stderr, expected 1"
        IFS='|' read -ra parts <<<"$expect"
        for part in "${parts[@]}"; do
            part=$(echo "$part" | sed 's/^ *//; s/ *$//')
            grep -qF -- "$part" "$tmp/err" && ok || bad "$f: message lacks '$part': $(cat "$tmp/err")"
        done
        [ ! -e "$out" ] && ok || bad "$f: --out directory created on failure"
    done
done

# Usage errors.
expect_exit 2 "$bin"
expect_exit 2 "$bin" frobnicate
expect_exit 2 "$bin" run
expect_exit 2 "$bin" run scenarios/derman_kamal.ini --paths
expect_exit 2 "$bin" run scenarios/derman_kamal.ini --paths abc
expect_exit 2 "$bin" run scenarios/derman_kamal.ini --bogus
expect_exit 2 "$bin" run scenarios/missing.ini && grep -q "cannot open" "$tmp/err" && ok || bad "missing file message"
expect_exit 2 "$bin" run scenarios/derman_kamal.ini --paths 1 && grep -q "paths = 1 is outside" "$tmp/err" && ok || bad "--paths 1"
expect_exit 2 "$bin" run scenarios/derman_kamal.ini --set model.sigma=inf && grep -q "not finite" "$tmp/err" && ok || bad "--set inf"
expect_exit 2 "$bin" run scenarios/derman_kamal.ini --set model.sigmaa=0.3 && grep -q "did you mean 'sigma'" "$tmp/err" && ok || bad "--set typo"
expect_exit 2 "$bin" run scenarios/derman_kamal.ini --set strategy.hedge.hedges=5 && grep -q "does not divide" "$tmp/err" && ok || bad "--set hedges"

# Good runs.
expect_exit 0 "$bin" list && grep -q "gbm" "$tmp/out" && grep -q "interval" "$tmp/out" && ok || bad "list"
expect_exit 0 "$bin" validate scenarios/derman_kamal.ini && grep -q "ok" "$tmp/out" && ok || bad "validate"
expect_exit 0 "$bin" run scenarios/derman_kamal.ini --paths 2000 --threads 2 --json --quiet
/usr/bin/python3 - "$tmp/out" <<'PY' && ok || bad "JSON summary keys"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("scenario", "seed", "paths", "steps", "threads", "option", "strategies", "timing"):
    assert k in d, k
assert d["paths"] == 2000 and d["steps"] == 84 and d["threads"] == 2
assert abs(d["option"]["value"] - 2.51207) < 1e-5
assert [s["name"] for s in d["strategies"]] == ["hedge[hedges=21]", "hedge[hedges=84]"]
for s in d["strategies"]:
    for part in ("pnl", "hedge_error"):
        for k in ("mean", "std", "stderr", "skew", "exkurt", "min", "max", "q01", "q05", "q50",
                  "q95", "q99", "var95", "es95", "var99", "es99"):
            assert isinstance(s[part][k], float), (part, k)
    assert s["derman_kamal_std"] > 0 and s["trades_mean"] > 0
    assert s["pnl"]["var99"] >= s["pnl"]["var95"] and s["pnl"]["es99"] >= s["pnl"]["var99"]
assert d["timing"]["path_steps"] == 2000 * 84
PY
expect_exit 0 "$bin" run scenarios/derman_kamal.ini --paths 2000 --out "$tmp/o1/nested" --quiet
[ -s "$tmp/o1/nested/summary.json" ] && [ -s "$tmp/o1/nested/summary.csv" ] && ok || bad "--out files"
[ "$(wc -l <"$tmp/o1/nested/summary.csv")" -eq 3 ] && ok || bad "summary.csv rows"
[ -z "$(find "$tmp/o1" -name '*.tmp.*')" ] && ok || bad "temporary files left"
head -n 1 "$tmp/o1/nested/summary.csv" | grep -q "^grid_key,grid_value,strategy,rebalance,ratio,hedges" && ok || bad "csv header"
for f in pairs.csv convergence.csv paths.csv; do
    [ -s "$tmp/o1/nested/$f" ] && ok || bad "--out writes $f"
done
[ ! -e "$tmp/o1/nested/pnl.csv" ] && ok || bad "pnl.csv only with --pnl"
# The table: the Derman-Kamal columns are there.
expect_exit 0 "$bin" run scenarios/derman_kamal.ini --paths 2000
grep -q "Option value: 2.51207" "$tmp/out" && grep -q "D&K std" "$tmp/out" && ok || bad "table"
[ ! -s "$tmp/err" ] && ok || bad "stderr not empty when not a terminal: $(cat "$tmp/err")"
# --out onto a regular file is bad input, and writes nothing.
touch "$tmp/afile"
expect_exit 2 "$bin" run scenarios/derman_kamal.ini --paths 2000 --out "$tmp/afile"

# Grid runs: one simulation per value, one combined set of files.
expect_exit 0 "$bin" run scenarios/derman_kamal.ini --paths 1000 --set model.sigma=0.15,0.2,0.25 \
    --out "$tmp/grid" --pnl --trace 2 --quiet
[ "$(wc -l <"$tmp/grid/summary.csv")" -eq 7 ] && ok || bad "grid: summary.csv has 3 x 2 rows"
grep -q "^model.sigma,0.25" "$tmp/grid/summary.csv" && ok || bad "grid: grid columns"
[ "$(wc -l <"$tmp/grid/pnl.csv")" -eq $((3 * 2 * 1000 + 1)) ] && ok || bad "grid: pnl.csv rows"
[ "$(wc -l <"$tmp/grid/paths.csv")" -eq $((3 * 2 * 2 * 85 + 1)) ] && ok || bad "grid: paths.csv rows"
/usr/bin/python3 - "$tmp/grid/summary.json" <<'PY' && ok || bad "grid: summary.json shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["grid"]["key"] == "model.sigma" and d["grid"]["values"] == [0.15, 0.2, 0.25]
assert len(d["runs"]) == 3 and all(r["grid_value"] == v for r, v in zip(d["runs"], d["grid"]["values"]))
r = d["runs"][1]
assert r["pairs"][0]["a"] == "hedge[hedges=21]" and r["convergence"][0]["group"] == "hedge"
for s in r["strategies"]:
    lo, hi = s["ci"]["var99"]
    assert lo <= s["pnl"]["var99"] <= hi
PY
expect_exit 2 "$bin" run scenarios/derman_kamal.ini --set model.sigma=0.1,0.2 --set market.rate=0,0.1 \
    --out "$tmp/grid2"
grep -q "grids have one axis" "$tmp/err" && ok || bad "two grid axes: message"
[ ! -e "$tmp/grid2" ] && ok || bad "two grid axes: nothing written"
expect_exit 2 "$bin" run scenarios/derman_kamal.ini --set model.sigma=0.1,-1 --out "$tmp/grid3"
grep -q "sigma = -1 is outside" "$tmp/err" && ok || bad "bad grid value: message"
[ ! -e "$tmp/grid3" ] && ok || bad "bad grid value: nothing written"
# A [grid] section in the file: the same, and a list-valued --set replaces it.
expect_exit 0 "$bin" validate scenarios/jump_intensity_grid.ini
grep -q "grid model.lambda = 0, 1, 3, 10" "$tmp/out" && ok || bad "validate names the [grid]"
expect_exit 0 "$bin" run scenarios/jump_intensity_grid.ini --paths 500 --out "$tmp/fgrid" --quiet
/usr/bin/python3 - "$tmp/fgrid/summary.json" <<'PY' && ok || bad "[grid]: summary.json shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["grid"]["key"] == "model.lambda" and d["grid"]["values"] == [0, 1, 3, 10], d["grid"]
assert [r["grid_value"] for r in d["runs"]] == [0, 1, 3, 10]
PY
expect_exit 0 "$bin" run scenarios/jump_intensity_grid.ini --paths 500 --set model.lambda=2,5 --json
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["grid"]["values"] == [2, 5]' \
    "$tmp/out" && ok || bad "[grid] replaced by --set"
sed 's/^model.lambda = .*/model.lambda = 0, 1, 300/' scenarios/jump_intensity_grid.ini >"$tmp/badgrid.ini"
line=$(grep -n "^model.lambda" "$tmp/badgrid.ini" | cut -d: -f1)
expect_exit 2 "$bin" run "$tmp/badgrid.ini" --out "$tmp/grid4"
grep -q "badgrid.ini:$line: .*lambda = 300 is outside" "$tmp/err" && ok || bad "bad [grid] value names its line: $(cat "$tmp/err")"
[ ! -e "$tmp/grid4" ] && ok || bad "bad [grid] value: nothing written"
expect_exit 2 "$bin" run scenarios/derman_kamal.ini --trace 65
# Paths trace: at maturity the hedging error column equals pnl.csv's for the path.
/usr/bin/python3 - "$tmp/grid" <<'PY' && ok || bad "paths.csv hedging error at maturity equals pnl.csv"
import csv, sys
d = sys.argv[1]
last = {}
for r in csv.DictReader(open(d + "/paths.csv")):
    if r["step"] == "84":
        last[(r["grid_value"], r["strategy"], r["path"])] = float(r["hedge_error"])
n = 0
for r in csv.DictReader(open(d + "/pnl.csv")):
    k = (r["grid_value"], r["strategy"], r["path"])
    if k in last:
        assert abs(last[k] - float(r["hedge_error"])) < 1e-9, (k, last[k], r["hedge_error"])
        n += 1
assert n == 3 * 2 * 2, n
PY

# run --report: the page is written next to the data (figures when gnuplot is there).
expect_exit 0 "$bin" run scenarios/derman_kamal.ini --paths 1000 --out "$tmp/rep" --report --quiet
[ -s "$tmp/rep/report.html" ] && ok || bad "run --report writes report.html"
expect_exit 2 "$bin" run scenarios/derman_kamal.ini --plot
grep -q -- "--plot needs --out DIR" "$tmp/err" && ok || bad "--plot without --out: message"

done_tests cli
