#!/usr/bin/env bash
# Hostile-data tests of the hedgesim command (issue 10, items 5, 7, 8 and 9), through the
# command as a user would meet them: special files (a FIFO, /dev/zero, a directory) as a
# model's data file and as the files of `report DIR` / `plot DIR` (exit 2 at once, one
# line naming the file, under a timeout so that a hang fails instead of blocking);
# NUL bytes and a byte order mark in a data file; non-positive prices named FILE:LINE;
# a run whose P&L is near 1e-90 (its kurtosis used to underflow, exit 1); strategy and
# scenario names holding " \ ' $ ; # @ and UTF-8 (every figure drawn, report.html
# well-formed XML).  Prints "cli: N passed, N failed" like cli.sh (scripts/test sums it).
# Usage: tests/cli/hostile_data.sh PATH/TO/hedgesim   (run from the source root)
. "$(dirname "$0")/lib.sh" "$@"
py=/usr/bin/python3
root=$(pwd)

# expect_exit CODE CMD...: the exit code under a 20 s timeout (124 is a hang), and for
# code 2 exactly one line on stderr.
expect_exit() {
    local want=$1
    shift
    timeout 20 "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        bad "$* exited $rc, expected $want: $(head -c 400 "$tmp/err")"
        return 1
    fi
    if [ "$want" -eq 2 ] && [ "$(grep -c '' "$tmp/err")" -ne 1 ]; then
        bad "$*: expected one line on stderr, got: $(cat "$tmp/err")"
        return 1
    fi
    ok
}
# has TEXT: the last command's stderr holds TEXT (fixed string).
has() { grep -qF -- "$1" "$tmp/err" && ok || bad "stderr lacks '$1': $(cat "$tmp/err")"; }

# A scenario over a data file: MODEL is bootstrap or replay.
data_scenario() { # data_scenario FILE MODEL DATAFILE
    cat >"$1" <<EOF
[scenario]
name = hostile
[simulation]
paths = 200
seed = 1
steps = 5
[market]
spot = 100
rate = 0.01
[model]
type = $2
file = $3
column = price
[option]
type = call
strike = 100
maturity = 0.02
quantity = -1
[strategy.hedge]
hedges = 5
EOF
}

# --- Item 5: special files as a model's data file -----------------------------------
mkfifo "$tmp/fifo.csv"
for model in bootstrap replay; do
    for cmd in validate run; do
        data_scenario "$tmp/s.ini" $model "$tmp/fifo.csv"
        expect_exit 2 "$bin" $cmd "$tmp/s.ini" --out "$tmp/o" --quiet && has "fifo.csv: is a FIFO (named pipe)" && has "s.ini:12: model '$model'"
        [ ! -e "$tmp/o" ] && ok || bad "$model $cmd: --out created on failure"
        data_scenario "$tmp/s.ini" $model /dev/zero
        expect_exit 2 "$bin" $cmd "$tmp/s.ini" --quiet && has "/dev/zero: is a character device"
        data_scenario "$tmp/s.ini" $model "$tmp"
        expect_exit 2 "$bin" $cmd "$tmp/s.ini" --quiet && has "is a directory"
    done
done

# --- Item 9: NUL bytes, a byte order mark, non-positive prices ------------------------
printf 'date,price\n2020-01-02,100\n2020-01-03,101\0junk\n2020-01-06,102\n2020-01-07,101\n2020-01-08,103\n2020-01-09,104\n2020-01-10,102\n' >"$tmp/nul.csv"
data_scenario "$tmp/s.ini" bootstrap "$tmp/nul.csv"
expect_exit 2 "$bin" validate "$tmp/s.ini" && has "nul.csv:3: a NUL byte"
printf '\xEF\xBB\xBFprice,date\n100,1\n101,2\n99,3\n102,4\n100,5\n103,6\n101,7\n' >"$tmp/bom.csv"
data_scenario "$tmp/s.ini" replay "$tmp/bom.csv"
expect_exit 0 "$bin" validate "$tmp/s.ini"
# A quoted field over two lines before the bad price: the physical line is named.
printf 'date,note,price\nd1,"two\nlines",100\nd2,x,101\nd3,y,-3\nd4,z,102\nd5,w,103\nd6,v,101\nd7,u,100\n' >"$tmp/neg.csv"
for model in bootstrap replay; do
    data_scenario "$tmp/s.ini" $model "$tmp/neg.csv"
    expect_exit 2 "$bin" validate "$tmp/s.ini" && has "neg.csv:5: column 'price' = -3 is not a positive price"
done

# --- Item 7: a run with a P&L near 1e-90 (exit 1 "summary statistics overflowed") ----
expect_exit 0 "$bin" run scenarios/derman_kamal.ini --json --quiet --set model.sigma=0.025 \
    --set model.mu=-1 --set market.rate=-1 --set simulation.paths=100 --set simulation.steps=63 \
    --set option.maturity=0.25 --set option.vol=0.025 --set strategy.hedge.hedges=63 \
    --set strategy.hedge.vol=0.025
$py - "$tmp/out" <<'PY' && ok || bad "tiny P&L run: statistics not finite"
import json, math, sys
d = json.load(open(sys.argv[1]))
for s in d["strategies"]:
    p = s["pnl"]
    assert all(isinstance(p[k], float) and math.isfinite(p[k]) for k in ("mean", "std", "skew", "exkurt")), p
    assert 1e-92 < abs(p["mean"]) < 1e-85 and p["std"] > 0, p
PY

# --- Items 5 and 9: the files of `report DIR` and `plot DIR` -------------------------
expect_exit 0 "$bin" run scenarios/derman_kamal.ini --paths 200 --out "$tmp/run" --pnl --quiet
for cmd in report plot; do
    cp -r "$tmp/run" "$tmp/r1"
    rm "$tmp/r1/pnl.csv" && mkfifo "$tmp/r1/pnl.csv"
    timeout 20 "$bin" $cmd "$tmp/r1" --quiet >/dev/null 2>&1
    rc=$?
    [ "$rc" -ne 124 ] && ok || bad "$cmd with a FIFO pnl.csv hangs"
    rm -rf "$tmp/r1"
    cp -r "$tmp/run" "$tmp/r1"
    rm "$tmp/r1/summary.json" && mkfifo "$tmp/r1/summary.json"
    expect_exit 2 "$bin" $cmd "$tmp/r1"
    rm -rf "$tmp/r1"
done
cp -r "$tmp/run" "$tmp/r1"
printf '{"scenario": "x\0y"}' >"$tmp/r1/summary.json"
expect_exit 2 "$bin" report "$tmp/r1" && has "summary.json:1: a NUL byte"
rm -rf "$tmp/r1"

# --- Item 8: names that are gnuplot, awk or sh syntax ---------------------------------
names_scenario() {
    cat >"$1" <<'EOF'
[scenario]
name = we'ird "sc;en" \ #x @y $z ü
description = names
[simulation]
paths = 400
seed = 1
steps = 8
[market]
spot = 100
rate = 0.05
[model]
type = gbm
sigma = 0.2
[option]
type = call
strike = 100
maturity = 0.25
quantity = -1
[strategy.a"b]
hedges = 2, 4, 8
[strategy.c\d]
hedges = 8
[strategy.e'f$g;h#i@jé]
hedges = 4
EOF
}
names_scenario "$tmp/names.ini"
figures_ok() { # figures_ok DIR "FIGURES"
    command -v gnuplot >/dev/null 2>&1 || return 0
    for f in $2; do
        [ "$(head -c 4 "$1/plots/$f.png" 2>/dev/null | tail -c 3)" = PNG ] && ok || bad "$1: $f.png not drawn"
        $py -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1/plots/$f.svg" && ok || bad "$1: $f.svg"
    done
    [ -z "$(ls "$1/plots" | grep -E '\.tmp\.|\.log$')" ] && ok || bad "$1: temporary or log files left"
}
page_ok() { # page_ok DIR: report.html is XML and names every strategy
    $py - "$1" <<'PY' && ok || bad "$1: report.html"
import sys, json, xml.etree.ElementTree as E
d = sys.argv[1]
text = "".join(E.parse(d + "/report.html").getroot().itertext())
js = json.load(open(d + "/summary.json"))
runs = js.get("runs", [js])
for s in runs[0]["strategies"]:
    assert s["name"] in text, s["name"]
PY
}
expect_exit 0 "$bin" run "$tmp/names.ini" --out "$tmp/names" --pnl --trace 2 --plot --report --quiet
figures_ok "$tmp/names" "frontier pnl_density convergence path"
[ -s "$tmp/names/report.html" ] && ok || bad "names: report.html not written"
page_ok "$tmp/names"
if command -v gnuplot >/dev/null 2>&1; then
    # Every strategy is a series of the legend (in the SVG as text).
    for n in 'a"b[hedges=2]' 'c\d' "e'f\$g;h#i@jé"; do
        $py - "$tmp/names/plots/pnl_density.svg" "$n" <<'PY' && ok || bad "pnl_density.svg lacks '$n'"
import sys, xml.etree.ElementTree as E
text = " ".join(E.parse(sys.argv[1]).getroot().itertext())
assert sys.argv[2] in text
PY
    done
fi
# A grid run over the same names: the grid figure too.
expect_exit 0 "$bin" run "$tmp/names.ini" --out "$tmp/grid" --set model.sigma=0.1,0.2 --plot --report --quiet
figures_ok "$tmp/grid" "frontier grid convergence"
page_ok "$tmp/grid"

done_tests hostile_data
