#!/usr/bin/env bash
# Hostile scenario input through the hedgesim command (issue 10): special files, NUL
# bytes, a byte-order mark, long section names and values, --set that would create a
# section by a typo, misspelt required keys, '#' comments, subnormal and overflowing
# numbers, `every` without steps.  Each bad input must exit 2 with one line on stderr
# naming where and what, create no output directory, and never hang (timeout 10).
# Usage: tests/cli/hostile_scenario.sh PATH/TO/hedgesim   (run from the source root)
. "$(dirname "$0")/lib.sh" "$@"
base=scenarios/derman_kamal.ini
n=0

# refuse "PART|PART..." ARGS...: `run ARGS --out DIR` exits 2 within 10 s with one line on
# stderr holding every part, and DIR is not created; `validate ARGS` does the same.
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
        [ ! -s "$tmp/stdout" ] && ok || bad "$cmd $*: wrote to stdout on failure"
    done
}

# accept ARGS...: validate exits 0 within 10 s; its line is left in $tmp/stdout.
accept() {
    timeout 10 "$bin" validate "$@" >"$tmp/stdout" 2>"$tmp/err"
    local rc=$?
    [ "$rc" -eq 0 ] && ok || bad "validate $*: exit $rc, expected 0: $(head -c 300 "$tmp/err")"
}

# --- special files: only regular files are read, with a size limit.
mkfifo "$tmp/fifo.ini"
refuse "$tmp/fifo.ini: cannot read scenario: is a FIFO|regular" "$tmp/fifo.ini"
refuse "/dev/zero: cannot read scenario: is a device" /dev/zero
mkdir "$tmp/dir.ini"
refuse "$tmp/dir.ini: cannot read scenario: is a directory" "$tmp/dir.ini"
truncate -s 17M "$tmp/big.ini"
refuse "$tmp/big.ini: |larger than 16 MiB" "$tmp/big.ini"
rm -f "$tmp/fifo.ini" "$tmp/big.ini"

# --- bytes: NUL refused with its line, a UTF-8 byte-order mark skipped.
sed 's/^spot = 100$/spot = 1\x00 00/' "$base" >"$tmp/nul.ini"
line=$(grep -an '^spot' "$tmp/nul.ini" | cut -d: -f1)
refuse "$tmp/nul.ini:$line: NUL byte in line $line" "$tmp/nul.ini"
printf '\xEF\xBB\xBF' >"$tmp/bom.ini"
cat "$base" >>"$tmp/bom.ini"
cp "$base" "$tmp/plain.ini"
sed -i 's/^name = derman_kamal/name = bom/' "$tmp/bom.ini"
sed -i 's/^name = derman_kamal/name = bom/' "$tmp/plain.ini"
timeout 60 "$bin" run "$tmp/bom.ini" --paths 200 --json --quiet >"$tmp/bom.json" 2>"$tmp/err" &&
    ok || bad "BOM file: $(cat "$tmp/err")"
timeout 60 "$bin" run "$tmp/plain.ini" --paths 200 --json --quiet >"$tmp/plain.json" 2>&1
diff <(grep -v '"seconds"\|"ns_per_path_step"' "$tmp/bom.json") \
    <(grep -v '"seconds"\|"ns_per_path_step"' "$tmp/plain.json") >/dev/null &&
    ok || bad "a BOM changes the result"

# --- section names: whole up to 95 characters, longer refused naming the limit.
long60=$(printf 'x%.0s' $(seq 60))
sed "s/^\[strategy.hedge\]/[strategy.$long60]/" "$base" >"$tmp/long60.ini"
timeout 60 "$bin" run "$tmp/long60.ini" --paths 200 --json --quiet >"$tmp/long60.json" 2>"$tmp/err" &&
    ok || bad "60-character section: $(cat "$tmp/err")"
grep -qF "\"name\": \"$long60[hedges=84]\"" "$tmp/long60.json" && ok ||
    bad "60-character section: strategy name not whole"
long99=$(printf 'x%.0s' $(seq 90))
sed "s/^\[strategy.hedge\]/[strategy.$long99]/" "$base" >"$tmp/long99.ini"
line=$(grep -n '^\[strategy' "$tmp/long99.ini" | cut -d: -f1)
refuse "$tmp/long99.ini:$line: section name of 99 characters is too long (expected at most 95)" \
    "$tmp/long99.ini"
refuse "--set|section name of 99 characters|at most 95" "$base" --set "+strategy.$long99.hedges=84"

# --- long --set values: stored whole (a 2,000-character sweep list), or refused naming
# the limit of the field they would go to.
list=$(python3 -c "print(','.join('0.%03d' % i + '0' * 45 for i in range(1, 41)))")
[ "${#list}" -ge 2000 ] && ok || bad "test list only ${#list} characters"
accept "$base" --set strategy.hedge.hedges=84 --set "strategy.hedge.cost=$list"
grep -qF "40 strategies" "$tmp/stdout" && ok || bad "2,000-character list: $(cat "$tmp/stdout")"
timeout 60 "$bin" run "$base" --paths 100 --set strategy.hedge.hedges=84 \
    --set "strategy.hedge.cost=$list" --json --quiet >"$tmp/list.json" 2>"$tmp/err"
grep -qF "\"name\": \"hedge[cost=0.040$(printf '0%.0s' $(seq 45))]\"" "$tmp/list.json" && ok ||
    bad "2,000-character list: last value not whole: $(head -c 200 "$tmp/err")"
desc=$(printf 'd%.0s' $(seq 2000))
refuse "--set: [scenario]: description = 'dddd|2000 characters long (expected at most 255)" \
    "$base" --set "scenario.description=$desc"
refuse "--set|(2001 characters)|is not a number" "$base" --set "model.sigma=${desc}x"

# --- --set creates a [strategy.*], [option.*] or [stress.*] section only with '+'.
refuse "--set strategy.hegde.hedges=4: no section [strategy.hegde] in $base|did you mean [strategy.hedge]?|write --set +strategy.hegde.hedges=4" \
    "$base" --set strategy.hegde.hedges=4
accept "$base" --set +strategy.fast.hedges=84
grep -qF "3 strategies" "$tmp/stdout" && ok || bad "+strategy: $(cat "$tmp/stdout")"
accept "$base" --set +strategy.hedge.cost=0.001
refuse "--set +option.a.strike=90: [option.a]: missing key 'type'" "$base" --set +option.a.strike=90
refuse "no section [stress.crash]|to add a stress overlay" "$base" --set stress.crash.size=-0.1
refuse "--set +stress.crash.size=-0.1: [stress.crash]: missing key 'type' (expected one of: crash, gap, vol, implied)" \
    "$base" --set +stress.crash.size=-0.1

# --- messages: the misspelt key before the missing one, '#' comments.
sed 's/^strike = 100/strik = 95/' "$base" >"$tmp/strik.ini"
line=$(grep -n '^strik ' "$tmp/strik.ini" | cut -d: -f1)
refuse "$tmp/strik.ini:$line: [option] unknown key 'strik' = 95|did you mean 'strike'?" "$tmp/strik.ini"
sed 's/^hedges = 21, 84.*/hedges = 21 # daily/' "$base" >"$tmp/hash.ini"
refuse "'#' does not start a comment" "$tmp/hash.ini"

# --- numbers: subnormals are numbers, overflow is "too large", zeros are read whole.
accept "$base" --set market.rate=4.9e-324
# A subnormal vol (sigma sqrt(tau) underflows to 0) at the money used to give NaN deltas
# (0 / 0, found by the fuzzer): every instrument, under a band rule too, runs finite.
for t in call put digital_call digital_put; do
    timeout 60 "$bin" run "$base" --paths 200 --json --quiet --set market.rate=0 \
        --set option.vol=4.9e-324 --set option.type=$t --set +strategy.b.rebalance=band \
        --set +strategy.b.band=0.1 >"$tmp/sub.json" 2>"$tmp/err" &&
        /usr/bin/python3 -c "import json,math,sys; d=json.load(open('$tmp/sub.json'))
sys.exit(0 if all(math.isfinite(s['pnl']['std']) for s in d['strategies']) else 1)" &&
        ok || bad "subnormal vol, $t: $(head -c 300 "$tmp/err")"
done
refuse "--set: [market]: spot = 1e999 is too large" "$base" --set market.spot=1e999
timeout 60 "$bin" run "$base" --paths 100 --json --quiet \
    --set "simulation.seed=$(printf '0%.0s' $(seq 60))7" >"$tmp/seed.json" 2>"$tmp/err"
grep -q '"seed": 7,' "$tmp/seed.json" && ok || bad "seed with 60 leading zeros: $(cat "$tmp/err")"

# --- `every` without steps runs on the daily grid; an empty strategy is an error.
sed 's/^hedges = 21, 84.*/every = 1/; /^steps = /d' "$base" >"$tmp/every.ini"
timeout 60 "$bin" run "$tmp/every.ini" --paths 100 --json --quiet >"$tmp/every.json" 2>"$tmp/err" &&
    ok || bad "every = 1 without steps: $(cat "$tmp/err")"
grep -q '"steps": 21,' "$tmp/every.json" && ok || bad "every = 1: not 21 daily steps"
sed 's/^hedges = 21, 84.*//; s/^rebalance = interval//' "$base" >"$tmp/empty.ini"
refuse "[strategy.hedge]|give exactly one of 'hedges' and 'every'" "$tmp/empty.ini"

done_tests hostile_scenario
