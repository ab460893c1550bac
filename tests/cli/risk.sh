#!/usr/bin/env bash
# Horizon risk through the command (issue 13): bad [risk] and implied-overlay input exits
# 2 with one line naming file:line, key, value and what was expected, and creates no
# output; a good run shows the horizons in the table and JSON, identically for 1 and 2
# threads; without [risk] nothing of it appears.
# Usage: tests/cli/risk.sh PATH/TO/hedgesim   (run from the source root)
. "$(dirname "$0")/lib.sh" "$@"
n=0

refuse() {
    local parts=$1
    shift
    n=$((n + 1))
    local out="$tmp/out$n"
    for cmd in run validate; do
        local extra=()
        [ "$cmd" = run ] && extra=(--out "$out" --quiet)
        timeout 10 "$bin" "$cmd" "$@" "${extra[@]}" >"$tmp/stdout" 2>"$tmp/err"
        local rc=$?
        if [ "$rc" -ne 2 ]; then
            bad "$cmd $*: exit $rc, expected 2: $(head -c 300 "$tmp/err")"
            continue
        fi
        ok
        [ "$(grep -c '' "$tmp/err")" -eq 1 ] && ok || bad "$cmd $*: not one line: $(cat "$tmp/err")"
        IFS='|' read -ra want <<<"$parts"
        for p in "${want[@]}"; do
            grep -qF -- "$p" "$tmp/err" && ok || bad "$cmd $*: message lacks '$p': $(cat "$tmp/err")"
        done
        [ ! -e "$out" ] && ok || bad "$cmd $*: --out directory created on failure"
    done
}

# A gbm book (derman_kamal: 84 steps over one month) with a [risk] section.
risk() {
    { cat scenarios/derman_kamal.ini; printf '\n[risk]\n%s\n' "$1"; } >"$tmp/r.ini"
}
line_of() { grep -n "^$1" "$tmp/r.ini" | tail -1 | cut -d: -f1; }

risk 'horizons = 0.001'
refuse "$tmp/r.ini:$(line_of horizons): [risk] horizons: 0.001 is not on the simulation grid|expected a multiple of dt" "$tmp/r.ini"
risk 'horizons = 0.5'
refuse "$tmp/r.ini:$(line_of horizons): [risk] horizons: 0.5 is after the last maturity|expected horizons in (0, 0.08333" "$tmp/r.ini"
risk 'horizons = 0, 0.0119047619047619'
refuse "$tmp/r.ini:$(line_of horizons): [risk] horizons = 0, 0.0119047619047619|each > 0" "$tmp/r.ini"
risk 'horizons = abc'
refuse "$tmp/r.ini:$(line_of horizons): [risk] horizons = abc|expected comma-separated times" "$tmp/r.ini"
risk $'horizons = 0.0119047619047619\nmark = modle'
refuse "$tmp/r.ini:$(line_of mark): [risk]: mark = 'modle' is not a known choice|model|implied" "$tmp/r.ini"
risk $'horizon = 0.0119047619047619'
refuse "[risk] unknown key 'horizon'|did you mean 'horizons'" "$tmp/r.ini"
risk $'horizons = 0.0119047619047619\ndrawdown = 2'
refuse "$tmp/r.ini:$(line_of drawdown)|drawdown" "$tmp/r.ini"

# mark = model for a model without a price points to implied.
sed "s|= *data/|= $PWD/scenarios/data/|" scenarios/bootstrap_dax.ini >"$tmp/b.ini"
steps=$("$bin" run "$tmp/b.ini" --json --quiet --paths 300 | grep '"steps"' | tr -dc 0-9)
hor=$("$bin" run "$tmp/b.ini" --json --quiet --paths 300 | grep '"horizon"' | head -1 | tr -dc '0-9.e-')
h1=$(awk -v T="$hor" -v N="$steps" 'BEGIN { printf "%.17g", T / N }')
printf '\n[risk]\nhorizons = %s\nmark = model\n' "$h1" >>"$tmp/b.ini"
refuse "$tmp/b.ini:$(grep -n '^mark' "$tmp/b.ini" | cut -d: -f1): [risk] mark = model: model 'bootstrap' has no price|expected mark = implied" "$tmp/b.ini"

# Implied-vol overlays: a negative resulting vol, mark = model, no [risk].
risk $'horizons = 0.0119047619047619\nmark = implied\n[stress.down]\ntype = implied\ntime = 0\nsize = -25'
refuse "$tmp/r.ini:$(line_of size): [stress.down] size = -25 vol points takes the implied vol of [option] (traded 0.2) to -0.05|expected a resulting implied vol >= 0" "$tmp/r.ini"
risk $'horizons = 0.0119047619047619\nmark = model\n[stress.up]\ntype = implied\ntime = 0\nsize = 5'
refuse "$tmp/r.ini:$(line_of size): [stress.up] type = implied|expected a [risk] section with mark = implied: it has mark = model" "$tmp/r.ini"
{ cat scenarios/derman_kamal.ini; printf '\n[stress.up]\ntype = implied\ntime = 0\nsize = 5\n'; } >"$tmp/r.ini"
refuse "$tmp/r.ini:$(line_of size): [stress.up] type = implied|expected a [risk] section with mark = implied" "$tmp/r.ini"
risk $'horizons = 0.0119047619047619\nmark = implied\n[stress.up]\ntype = implied\nsize = 5'
refuse "[stress.up]: missing key 'time'" "$tmp/r.ini"

# A good run: the table and JSON show the horizons, the same for 1 and 2 threads.
risk $'horizons = 0.0119047619047619, 0.0833333333333333333\nmark = model\ndrawdown = 1'
"$bin" run "$tmp/r.ini" --quiet --paths 3000 --threads 1 >"$tmp/t1" 2>&1 && ok || bad "risk run failed: $(cat "$tmp/t1")"
grep -q "Horizon risk" "$tmp/t1" && grep -q "P&L explain" "$tmp/t1" && grep -q "Drawdown" "$tmp/t1" && ok ||
    bad "table lacks the horizon sections"
for t in 1 2; do
    "$bin" run "$tmp/r.ini" --json --quiet --paths 3000 --threads "$t" |
        grep -v '"seconds"\|"ns_per\|"threads"' >"$tmp/j$t"
done
cmp -s "$tmp/j1" "$tmp/j2" && ok || bad "JSON differs between 1 and 2 threads"
grep -q '"horizons"' "$tmp/j1" && grep -q '"explain"' "$tmp/j1" && grep -q '"drawdown"' "$tmp/j1" && ok ||
    bad "JSON lacks horizons, explain or drawdown"
"$bin" run scenarios/derman_kamal.ini --json --quiet --paths 1000 | grep -q '"horizons"' &&
    bad "horizons in the JSON of a scenario without [risk]" || ok
"$bin" run scenarios/risk_desk.ini --quiet --paths 1000 >"$tmp/desk" 2>&1 && ok || bad "risk_desk failed: $(cat "$tmp/desk")"

# The output set: horizons.csv, the horizon columns of pnl.csv, the page's section and,
# with gnuplot, the figure.
"$bin" run scenarios/risk_desk.ini --quiet --paths 600 --out "$tmp/desk-out" --pnl --report \
    >/dev/null 2>"$tmp/err" && ok || bad "risk_desk --out --report failed: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/desk-out/horizons.csv")" -eq 5 ] && ok || bad "horizons.csv: not 1 + 2 x 2 rows"
head -1 "$tmp/desk-out/pnl.csv" | grep -q ',h1_pnl,h1_edge,.*,h2_residual,h2_spot,h2_state$' && ok ||
    bad "pnl.csv header lacks the horizon columns: $(head -1 "$tmp/desk-out/pnl.csv")"
grep -q 'id="horizon-risk"' "$tmp/desk-out/report.html" && grep -q 'P&amp;L explain' "$tmp/desk-out/report.html" &&
    ok || bad "report.html lacks the horizon risk section"
if command -v gnuplot >/dev/null; then
    [ -s "$tmp/desk-out/plots/horizon.svg" ] && ok || bad "no plots/horizon.svg"
fi
if command -v python3 >/dev/null; then
    python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$tmp/desk-out/report.html" &&
        ok || bad "report.html is not well-formed XML"
fi

# A list given to a list-valued key with --set is its value, not a grid: two horizons in
# one run (no "== grid" header), a regime's vols, and a repeated horizon refused as in
# the file.
"$bin" run scenarios/risk_desk.ini --paths 600 \
    --set risk.horizons=0.003968253968253968,0.03968253968253968 >"$tmp/two" 2>&1 && ok ||
    bad "--set risk.horizons=a,b failed: $(head -c 300 "$tmp/two")"
grep -q "== grid" "$tmp/two" && bad "--set risk.horizons=a,b made a grid" || ok
"$bin" run scenarios/risk_desk.ini --paths 600 --json --quiet \
    --set risk.horizons=0.003968253968253968,0.03968253968253968 |
    python3 -c 'import json, sys; j = json.load(sys.stdin); sys.exit(len(j["strategies"][0]["horizons"]) != 2)' &&
    ok || bad "--set risk.horizons=a,b: not two horizons in one run's JSON"
# The same for a model's list keys (a regime's vols, lambdas and rates).
"$bin" run scenarios/regime_switch.ini --paths 500 --json --quiet --set model.vols=0.1,0.3 \
    --set model.lambdas=0,0 --set model.rates=-1,1,1,-1 |
    python3 -c 'import json, sys; j = json.load(sys.stdin); sys.exit(j["model"]["vols"] != [0.1, 0.3])' &&
    ok || bad "--set model.vols=0.1,0.3 is not the regime's two vols"
refuse "--set|does not come after" scenarios/risk_desk.ini --paths 600 \
    --set risk.horizons=0.003968253968253968,0.003968253968253968

done_tests risk
