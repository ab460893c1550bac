#!/usr/bin/env bash
# Command-line tests of `hedgesim calibrate garch` (src/cli/calibrate.c): a fit of the DAX
# closes of scenarios/data/eu_stock_markets.csv prints its estimates and a [model] section
# that a scenario accepts; --json is one object with the documented keys; --returns on
# the log returns gives the fit of the prices; bad input exits 2 with one line on stderr
# naming the file, option or value; --returns on prices, percent returns and a fit that
# `validate` would refuse print no section; special files are refused without a hang.
# Usage: tests/cli/calibrate.sh PATH/TO/hedgesim   (run from the source root)
. "$(dirname "$0")/lib.sh" "$@"
data=scenarios/data/eu_stock_markets.csv

# expect_exit CODE CMD...: the exit code, and for code 2 exactly one line on stderr.
expect_exit() {
    local want=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        bad "$* exited $rc, expected $want: $(head -c 300 "$tmp/err")"
        return 1
    fi
    if [ "$want" -eq 2 ] && [ "$(grep -c '' "$tmp/err")" -ne 1 ]; then
        bad "$*: expected one line on stderr, got: $(cat "$tmp/err")"
        return 1
    fi
    ok
}

# The DAX fit: a table and a [model] section with every key.
expect_exit 0 "$bin" calibrate garch "$data" --column DAX
for frag in "GARCH(1,1) fit of DAX" "std. error" "log-likelihood" "unconditional vol" \
    "[model]" "type = garch" "omega = " "alpha = " "beta = " "dist = normal" "mu = "; do
    grep -qF -- "$frag" "$tmp/out" && ok || bad "DAX table lacks '$frag'"
done
grep -q "converged" "$tmp/out" && ! grep -q "NOT converged" "$tmp/out" && ok || bad "DAX fit not converged"

# The printed section makes a valid scenario (one step per trading day).
{
    printf '[scenario]\nname = garch_dax\n[simulation]\npaths = 500\nseed = 3\nsteps = 63\n'
    printf '[market]\nspot = 100\nrate = 0.03\n'
    sed -n '/^\[model\]/,$p' "$tmp/out"
    printf '[option]\ntype = call\nstrike = 100\nmaturity = 0.25\nquantity = -1\n'
    printf '[strategy.hedge]\nhedges = 63, 21\n'
} >"$tmp/garch_dax.ini"
expect_exit 0 "$bin" validate "$tmp/garch_dax.ini" || cat "$tmp/garch_dax.ini"
expect_exit 0 "$bin" run "$tmp/garch_dax.ini" --quiet --json

# --json (normal and t): one object, finite estimates and errors, a stationary fit.
for dist in normal t; do
    expect_exit 0 "$bin" calibrate garch "$data" --column DAX --dist "$dist" --json || continue
    cp "$tmp/out" "$tmp/fit_$dist.json"
    /usr/bin/python3 - "$tmp/out" "$dist" <<'PY' && ok || bad "--json --dist $dist"
import json, math, sys
d = json.load(open(sys.argv[1]))
dist = sys.argv[2]
for k in ("model", "file", "column", "input", "dist", "returns", "periods_per_year", "estimates",
          "std_errors", "loglik", "persistence", "unconditional_variance", "unconditional_vol",
          "annual_vol", "last_variance", "iterations", "converged", "hessian_ok", "model_section"):
    assert k in d, k
assert d["model"] == "garch" and d["column"] == "DAX" and d["dist"] == dist
assert d["returns"] == 1859 and d["input"] == "prices" and d["periods_per_year"] == 252
assert d["converged"] is True and d["hessian_ok"] is True
keys = ["mu", "omega", "alpha", "beta"] + (["nu"] if dist == "t" else [])
for k in keys:
    assert math.isfinite(d["estimates"][k]) and d["std_errors"][k] > 0, k
if dist == "normal":
    assert d["estimates"]["nu"] is None
else:
    assert 3 < d["estimates"]["nu"] < 15
e = d["estimates"]
assert e["omega"] > 0 and e["alpha"] > 0 and e["beta"] > 0 and e["alpha"] + e["beta"] < 1
assert abs(d["persistence"] - e["alpha"] - e["beta"]) < 1e-12
assert abs(d["annual_vol"] - math.sqrt(252 * e["omega"] / (1 - e["alpha"] - e["beta"]))) < 1e-9
assert 0.10 < d["annual_vol"] < 0.30   # DAX 1991-1998: between 10% and 30% a year
assert d["model_section"].startswith("[model]\ntype = garch\n")
PY
done
# The t fit is the more likely (fat tails), by far.
/usr/bin/python3 - "$tmp/fit_normal.json" "$tmp/fit_t.json" <<'PY' && ok || bad "t vs normal log-likelihood"
import json, sys
n, t = (json.load(open(p)) for p in sys.argv[1:3])
assert t["loglik"] > n["loglik"] + 20, (n["loglik"], t["loglik"])
PY

# --returns on the log returns reproduces the fit of the prices; --periods scales the vol.
awk -F, 'NR == 1 { print "r"; next } NR > 2 { printf "%.17g\n", log($2 / prev) } { prev = $2 }' \
    "$data" >"$tmp/returns.csv"
expect_exit 0 "$bin" calibrate garch "$tmp/returns.csv" --column r --returns --periods 12 --json
/usr/bin/python3 - "$tmp/fit_normal.json" "$tmp/out" <<'PY' && ok || bad "--returns differs from prices"
import json, math, sys
p, r = (json.load(open(f)) for f in sys.argv[1:3])
assert r["input"] == "returns" and r["returns"] == 1859 and r["periods_per_year"] == 12
for k in ("mu", "omega", "alpha", "beta"):
    assert abs(p["estimates"][k] - r["estimates"][k]) <= 1e-6 * abs(p["estimates"][k]), k
assert abs(r["annual_vol"] - r["unconditional_vol"] * math.sqrt(12)) < 1e-12
PY

# Bad input: exit 2, one line naming what is wrong.
expect_exit 2 "$bin" calibrate garch "$data" --column NOPE && grep -q "NOPE" "$tmp/err" && ok || bad "unknown column message"
expect_exit 2 "$bin" calibrate garch "$tmp/missing.csv" --column DAX && grep -q "missing.csv" "$tmp/err" && ok || bad "missing file message"
expect_exit 2 "$bin" calibrate garch "$data" --column DAX --bogus && grep -q -- "--bogus" "$tmp/err" && ok || bad "bad option message"
expect_exit 2 "$bin" calibrate garch "$data" --column DAX --dist cauchy && grep -q "cauchy" "$tmp/err" && ok || bad "bad --dist message"
expect_exit 2 "$bin" calibrate garch "$data" --column DAX --periods -5 && grep -q -- "--periods" "$tmp/err" && ok || bad "bad --periods message"
expect_exit 2 "$bin" calibrate garch "$data" --column DAX --dist && grep -q -- "--dist needs a value" "$tmp/err" && ok || bad "--dist without value"
expect_exit 2 "$bin" calibrate garch "$data" && grep -q -- "--column" "$tmp/err" && ok || bad "missing --column message"
expect_exit 2 "$bin" calibrate heston "$data" --column DAX && grep -q "heston" "$tmp/err" && ok || bad "unknown model message"
expect_exit 2 "$bin" calibrate
head -n 31 "$data" >"$tmp/short.csv"
expect_exit 2 "$bin" calibrate garch "$tmp/short.csv" --column DAX && grep -q "at least 50" "$tmp/err" && ok || bad "short series message"
printf 't,P\n1,100\n2,0\n3,101\n' >"$tmp/zero.csv"
expect_exit 2 "$bin" calibrate garch "$tmp/zero.csv" --column P && grep -q "zero.csv:3: column P = 0 is not a positive price (expected prices > 0" "$tmp/err" && ok || bad "non-positive price message"

# Issue 10, item 9: --returns on prices, on returns in percent, and a fit whose section
# `validate` would refuse: exit 2, one line, and no [model] section on stdout.
expect_exit 2 "$bin" calibrate garch "$data" --column DAX --returns &&
    grep -q "column DAX looks like prices (min 1402.34, all > 1).*drop --returns" "$tmp/err" && ok || bad "--returns on prices: $(cat "$tmp/err")"
check_no_section() { [ ! -s "$tmp/out" ] && ok || bad "$1: something printed on stdout: $(head -3 "$tmp/out")"; }
check_no_section "--returns on prices"
awk -F, 'NR == 1 { print "r" } NR > 2 { printf "%.6f\n", 100 * log($2 / p) } { p = $2 }' "$data" >"$tmp/percent.csv"
expect_exit 2 "$bin" calibrate garch "$tmp/percent.csv" --column r --returns &&
    grep -q "percent.csv:7: column r = 1.2427.* is not a per-period log return (expected |r| < 1" "$tmp/err" && ok || bad "percent returns: $(cat "$tmp/err")"
check_no_section "percent returns"
/usr/bin/python3 -c '
import random
random.seed(3)
print("r")
for i in range(300): print(round(random.uniform(-0.95, 0.95), 6))' >"$tmp/wide.csv"
expect_exit 2 "$bin" calibrate garch "$tmp/wide.csv" --column r --returns &&
    grep -q "wide.csv: column r: fitted: model .garch.: unconditional variance .* is above 0.25 .*would fail validation" "$tmp/err" && ok || bad "section out of range: $(cat "$tmp/err")"
check_no_section "section out of range"
expect_exit 2 "$bin" calibrate garch "$tmp/wide.csv" --column r --returns --json
check_no_section "section out of range, --json"

# Issue 10, item 5: special files as input exit 2 at once (a FIFO used to hang).
mkfifo "$tmp/fifo.csv"
expect_exit 2 timeout 10 "$bin" calibrate garch "$tmp/fifo.csv" --column DAX && grep -q "fifo.csv: is a FIFO" "$tmp/err" && ok || bad "FIFO input: $(cat "$tmp/err")"
expect_exit 2 timeout 10 "$bin" calibrate garch /dev/zero --column DAX && grep -q "/dev/zero: is a character device" "$tmp/err" && ok || bad "/dev/zero input: $(cat "$tmp/err")"
expect_exit 2 timeout 10 "$bin" calibrate garch "$tmp" --column DAX && grep -q "is a directory" "$tmp/err" && ok || bad "directory input: $(cat "$tmp/err")"

done_tests calibrate
