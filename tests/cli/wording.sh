#!/usr/bin/env bash
# Tests of what the command says (issue 15): `hedgesim list` shows the keys of the fixed
# sections; --quiet prints no "wrote" line (and without it every file written is named);
# the option per unit and the book as held are told apart (JSON option = the first leg,
# one unit long; book = quantity x unit); a stress window's steps are numbered one way in
# the text and in first_step/last_step.
# Usage: tests/cli/wording.sh PATH/TO/hedgesim   (run from the source root)
. "$(dirname "$0")/lib.sh" "$@"
py=/usr/bin/python3

# list: every key of [scenario], [simulation], [market] and [option], under its header.
"$bin" list >"$tmp/list" 2>&1 && ok || bad "hedgesim list failed"
for section_keys in "scenario:name description" "simulation:paths seed steps threads" \
    "market:spot rate dividend" "option:type strike maturity quantity vol"; do
    section=${section_keys%%:*}
    keys=${section_keys#*:}
    # The lines from the section's header to the next header (a line not indented).
    block=$(awk -v h="[$section]" 'index($0, h) == 1 { on = 1; next } on && /^[^ ]/ { exit } on' "$tmp/list")
    for k in $keys; do
        grep -qE "^      $k " <<<"$block" && ok || bad "list: [$section] lacks $k"
    done
done
grep -q '^\[grid\]' "$tmp/list" && ok || bad "list: no [grid] line"

# --quiet: stdout holds the table only, no "wrote" line of any kind; without it, one
# line each for the data files, the figures (when gnuplot is there) and the page.
dk=scenarios/derman_kamal.ini
"$bin" run $dk --paths 500 --out "$tmp/q" --plot --report --quiet >"$tmp/out" 2>"$tmp/err" &&
    ok || bad "quiet run failed: $(cat "$tmp/err")"
grep -q "wrote" "$tmp/out" "$tmp/err" && bad "--quiet printed: $(grep wrote "$tmp/out" "$tmp/err")" || ok
grep -q "^hedge\[hedges=21\]" "$tmp/out" && ok || bad "--quiet dropped the table"
"$bin" run $dk --paths 500 --out "$tmp/q" --plot --report >"$tmp/out" 2>"$tmp/err" && ok || bad "run failed"
grep -q "^wrote $tmp/q/summary.json" "$tmp/out" && ok || bad "no wrote line for the data files"
grep -q "^wrote $tmp/q/report.html" "$tmp/out" && ok || bad "no wrote line for the page"
if command -v gnuplot >/dev/null 2>&1; then
    grep -q "^wrote $tmp/q/plots/" "$tmp/out" && ok || bad "no wrote line for the figures"
fi
for cmd in plot report; do
    "$bin" $cmd "$tmp/q" --quiet >"$tmp/out" 2>&1 && ok || bad "$cmd --quiet failed: $(cat "$tmp/out")"
    [ ! -s "$tmp/out" ] && ok || bad "$cmd --quiet printed: $(cat "$tmp/out")"
done

# Option and book with quantity -10 (known answer by hand: the Black-Scholes call at
# S = K = 100, r = 0.05, sigma = 0.2, T = 1/12 is 2.51207, QuantLib's DiscreteHedging
# value): the option is one unit, the book -10 units.
"$bin" run $dk --paths 200 --set option.quantity=-10 --json --quiet >"$tmp/q10.json" 2>"$tmp/err" &&
    ok || bad "quantity -10 run: $(cat "$tmp/err")"
$py - "$tmp/q10.json" <<'PY' && ok || bad "option/book with quantity -10"
import json, sys
d = json.load(open(sys.argv[1]))
o, b = d["option"], d["book"]
assert abs(o["value"] - 2.51207) < 5e-6, o
for k in ("value", "delta", "gamma", "vega", "theta"):
    assert abs(b[k] - (-10) * o[k]) <= 1e-12 * max(1, abs(b[k])), (k, o[k], b[k])
PY
"$bin" run $dk --paths 200 --set option.quantity=-10 --quiet >"$tmp/q10.txt" 2>&1
grep -q "^Option value: 2.51207 .*one unit long" "$tmp/q10.txt" && ok || bad "table option line: $(grep -i value "$tmp/q10.txt")"
grep -q "^Book value: *-25.12067 .*quantity -10" "$tmp/q10.txt" && ok || bad "table book line: $(grep -i value "$tmp/q10.txt")"

# A vol window over [t_21, t_42) of an 84-step month: steps 22 to 42 (step j moves t_{j-1}
# to t_j) in the text and in first_step/last_step alike.
cat >"$tmp/vol.ini" <<'EOF'
[simulation]
paths = 200
steps = 84
[model]
type = gbm
sigma = 0.2
[option]
type = call
strike = 100
maturity = 0.08333333333333333
[strategy.hedge]
hedges = 84
[stress.storm]
type = vol
from = 0.020833333333333332
to = 0.041666666666666664
factor = 2
EOF
"$bin" run "$tmp/vol.ini" --json --quiet >"$tmp/vol.json" 2>"$tmp/err" && ok || bad "vol run: $(cat "$tmp/err")"
$py - "$tmp/vol.json" <<'PY' && ok || bad "vol window steps: $(grep -o '"text": "[^"]*"' "$tmp/vol.json")"
import json, sys
s = json.load(open(sys.argv[1]))["stress"][0]
assert (s["first_step"], s["last_step"]) == (22, 42), s
assert "steps 22 to 42" in s["text"], s["text"]
PY

done_tests wording
