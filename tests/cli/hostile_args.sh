#!/usr/bin/env bash
# Hostile command lines (issue 10, items 1, 2, 6 and 10): repeated options, long values,
# long grids, runs too big for memory, long traces and a new user's slips.  Each case
# runs under `timeout 20` and must end in its exit code (2 with one message naming the
# option or key, value and what was expected; 0 where the right result is a run), never
# a signal (exit >= 128) or a hang (124), and leave no --out directory when refused.
# Usage: tests/cli/hostile_args.sh PATH/TO/hedgesim   (run from the source root)
. "$(dirname "$0")/lib.sh" "$@"
dk=scenarios/derman_kamal.ini

# expect CODE CMD...: the exit code under a timeout; for 2, exactly one line on stderr
# (two or more only for usage errors, whose usage text follows the first line).
expect() {
    local want=$1
    shift
    timeout 20 "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" -ge 124 ]; then
        bad "$(echo "$*" | head -c 200): exit $rc (timeout or signal), expected $want"
        return 1
    fi
    if [ "$rc" -ne "$want" ]; then
        bad "$(echo "$*" | head -c 200): exit $rc, expected $want: $(head -c 300 "$tmp/err")"
        return 1
    fi
    ok
}

# has TEXT...: the first line on stderr holds every fragment.
has() {
    local line
    line=$(head -n 1 "$tmp/err")
    for part in "$@"; do
        case "$line" in
        *"$part"*) ok ;;
        *) bad "message lacks '$part': $line" ;;
        esac
    done
}

one_line() {
    [ "$(grep -c '' "$tmp/err")" -eq 1 ] && ok || bad "expected one line on stderr: $(cat "$tmp/err")"
}

json() { # json PYTHON-EXPR-ON-d: true or the case fails
    /usr/bin/python3 -c "import json,sys; d=json.load(open('$tmp/out')); sys.exit(0 if ($1) else 1)" &&
        ok || bad "JSON check failed: $1"
}

# 1. Repeated options: the last value wins, no overflow (12 x --seed crashed).
args=()
for i in $(seq 12); do args+=(--seed "$i"); done
expect 0 "$bin" validate "$dk" "${args[@]}" && grep -q ": ok: " "$tmp/out" && ok || bad "12 x --seed"
args=()
for i in $(seq 40); do args+=(--paths "$((100 + i))" --threads 1 --seed 5); done
expect 0 "$bin" run "$dk" "${args[@]}" --json --quiet && json 'd["paths"] == 140 and d["seed"] == 5'
expect 0 "$bin" run "$dk" --set simulation.paths=500 --paths 200 --json --quiet && json 'd["paths"] == 200'
expect 0 "$bin" run "$dk" --paths 200 --set simulation.paths=300 --json --quiet && json 'd["paths"] == 300'
args=()
for i in $(seq 300); do args+=(--set "model.sigma=0.2"); done
for i in $(seq 5); do args+=(--threads 1); done
expect 0 "$bin" validate "$dk" "${args[@]}"
args=()
for i in $(seq 3000); do args+=(--set "market.spot=100"); done
expect 0 "$bin" validate "$dk" "${args[@]}"
expect 0 "$bin" run "$dk" --paths 100 --out "$tmp/o1" --out "$tmp/o2" --quiet
[ -e "$tmp/o2/summary.json" ] && [ ! -e "$tmp/o1" ] && ok || bad "--out: the last one wins"

# 2. Long numbers: leading zeros at any length, no cut (60 zeros and a 7 ran as seed 0).
z60=$(printf '0%.0s' $(seq 60))
z300=$(printf '0%.0s' $(seq 300))
expect 0 "$bin" run "$dk" --paths 100 --seed "${z60}7" --json --quiet && json 'd["seed"] == 7'
expect 0 "$bin" run "$dk" --paths "${z300}123" --json --quiet && json 'd["paths"] == 123'
expect 2 "$bin" run "$dk" --seed 123456789012345678901 && one_line && has "--seed 123456789012345678901" "0 to 2^53"

# 4. Options named in messages, with their own ranges (held to the scenario's table).
expect 2 "$bin" run "$dk" --paths 1 && one_line &&
    has "hedgesim: --paths: " "paths = 1 is outside [2, 1000000000]"
expect 2 "$bin" validate "$dk" --paths 1000000001 && has "--paths: " "outside [2, 1000000000]"
expect 2 "$bin" validate "$dk" --threads 1025 && has "--threads: " "threads = 1025 is outside [0, 1024]"
expect 0 "$bin" validate "$dk" --seed 9007199254740992 --paths 2 --threads 1024 && grep -q ": ok: " "$tmp/out" && ok
expect 2 "$bin" validate "$dk" --seed 9007199254740993 && has "--seed 9007199254740993: " "0 to 2^53"
expect 2 "$bin" run "$dk" --paths abc && one_line &&
    has "--paths abc: expected a whole number (see [simulation] paths: 2 to 1e9)"
expect 2 "$bin" run "$dk" --threads x && has "--threads x" "0 (all cores) to 1024"
expect 2 "$bin" run "$dk" --seed -1 && has "--seed -1" "0 to 2^53"
expect 2 "$bin" run "$dk" --paths "" && has "--paths ''" "a whole number"
expect 2 "$bin" run "$dk" --pths 100 && has "unknown option '--pths'" "did you mean '--paths'?"
expect 2 "$bin" run "$dk" --max-memroy 8G && has "did you mean '--max-memory'?"
expect 2 "$bin" frobnicate && has "unknown command 'frobnicate'" "run, validate, list, plot, report or calibrate"
expect 2 "$bin" valdate "$dk" && has "did you mean 'validate'?"
expect 2 "$bin" && has "missing command" "run, validate, list, plot, report or calibrate"
# a '+' (a --set that may create a strategy) keeps a [strategy.*] list a sweep, not a grid
expect 0 "$bin" validate "$dk" --set model.sigma=0.2,0.3 --set +strategy.hedge.hedges=21,42 &&
    grep -q "2 strategies.*grid model.sigma = 0.2,0.3" "$tmp/out" && ok ||
    bad "+strategy list read as a grid: $(cat "$tmp/out" "$tmp/err")"

# 2. Grids: 64 values of > 1,100 characters run every value exactly; 65 are refused
# before any run; a bad value anywhere (past 511 characters too) is refused up front.
vals=$(/usr/bin/python3 -c "print(','.join('0.%02d00000000000000000%02d' % (i + 10, i) for i in range(64)))")
[ "${#vals}" -gt 1100 ] && ok || bad "grid text only ${#vals} characters"
expect 0 "$bin" run "$dk" --paths 100 --json --quiet --set "model.sigma=$vals" &&
    VALS="$vals" json 'd["grid"]["key"] == "model.sigma" and d["grid"]["values"] == [float(v) for v in __import__("os").environ["VALS"].split(",")] and len(d["runs"]) == 64'
expect 2 "$bin" run "$dk" --paths 100 --out "$tmp/g65" --set "model.sigma=$vals,0.5" && one_line &&
    has "--set: grid model.sigma has 65 values, more than 64"
[ ! -e "$tmp/g65" ] && ok || bad "65-value grid created --out"
expect 2 "$bin" validate "$dk" --set "model.sigma=$vals,0.5" && has "65 values"
long=$(printf '9%.0s' $(seq 600))
expect 2 "$bin" run "$dk" --paths 100 --out "$tmp/glong" --set "model.sigma=0.2,$long" && one_line && has "--set"
[ ! -e "$tmp/glong" ] && ok || bad "a bad grid value started the runs"
expect 2 "$bin" run "$dk" --paths 100 --out "$tmp/gbad" --set "model.sigma=$vals" --set "model.sigma=0.2,0.3,7" &&
    has "second grid"
expect 2 "$bin" run "$dk" --paths 100 --out "$tmp/gbad" --set "model.sigma=0.2,0.3,7" && has "sigma = 7"
[ ! -e "$tmp/gbad" ] && ok || bad "a bad last grid value started the runs"

# 3. Runs that cannot fit: refused before anything starts, with the estimate.
expect 0 "$bin" validate "$dk" && grep -q "MiB of memory" "$tmp/out" && ok || bad "validate reports memory"
huge=(--paths 1000000000 --set strategy.hedge.hedges=1,2,3,4,6,7,12,14)
expect 2 "$bin" validate "$dk" "${huge[@]}" && one_line && has "$dk: needs ~" "of memory" "1000000000 paths x 8 strategies" "more than"
expect 2 timeout 5 "$bin" run "$dk" "${huge[@]}" --out "$tmp/huge" && has "needs ~" "--max-memory"
[ ! -e "$tmp/huge" ] && ok || bad "a run too big created --out"
expect 2 "$bin" run "$dk" --max-memory 1M --out "$tmp/small" && one_line && has "more than 1 MiB (--max-memory)"
[ ! -e "$tmp/small" ] && ok || bad "--max-memory refusal created --out"
expect 0 "$bin" run "$dk" --paths 1000 --max-memory 8G --quiet
expect 0 "$bin" validate "$dk" --max-memory 1.5GiB
expect 0 "$bin" validate "$dk" --max-memory 100000000
for bad_size in 0 abc 12X -5 1e9 8GG ""; do
    expect 2 "$bin" validate "$dk" --max-memory "$bad_size" && has "--max-memory" "expected a size"
done
# a grid's runs are counted together: 64 runs of 10^6 paths hold 64 x 72 MB of results
expect 2 "$bin" validate "$dk" --paths 1000000 --set "model.sigma=$vals" --max-memory 2G &&
    has "for its 64 grid runs" "grid values"

# 3. Traces: at steps = 1e6, 10 traced paths were 10^7 rows (856 MB, a 2.3 GB paths.csv).
long_steps=(--paths 10 --set simulation.steps=1000000 --set strategy.hedge.hedges=1000000)
expect 2 "$bin" run "$dk" "${long_steps[@]}" --trace 10 --out "$tmp/tr" && one_line &&
    has "--trace 10: " "10000010 trace rows" "paths.csv" "limit of 1000000 rows" "drop --trace"
[ ! -e "$tmp/tr" ] && ok || bad "--trace refusal created --out"
expect 2 "$bin" run "$dk" --paths 10 --set simulation.steps=100000 --set strategy.hedge.hedges=1000,100000 \
    --trace 5 --out "$tmp/tr" && has "expected --trace 4 or less"
expect 0 "$bin" run "$dk" --paths 10 --set simulation.steps=1000 --set strategy.hedge.hedges=10,1000 \
    --trace 2 --out "$tmp/tr2" --quiet && [ "$(($(wc -l <"$tmp/tr2/paths.csv") - 1))" -eq 4004 ] && ok ||
    bad "--trace 2: paths.csv rows"
# the default trace (3 paths with --out) shrinks to fit, with a note, instead of failing
expect 0 "$bin" run "$dk" "${long_steps[@]}" --out "$tmp/tr0" && grep -q "note: paths.csv traces 0 paths" "$tmp/err" &&
    [ ! -e "$tmp/tr0/paths.csv" ] && ok || bad "default trace at steps = 1e6"

# min_variance: a training set that does not fit is refused before the run, naming its
# train_paths line and the estimate (issue 14)
{ sed '/^\[strategy.minvar\]/,$d' scenarios/min_variance.ini
  printf '[strategy.minvar]\nratio = min_variance\nhedges = 21\ntrain_paths = 2000000\n'; } >"$tmp/mv.ini"
line=$(grep -n '^train_paths' "$tmp/mv.ini" | cut -d: -f1)
expect 2 "$bin" run "$tmp/mv.ini" --max-memory 100M --out "$tmp/mv" && one_line &&
    has "mv.ini:$line" "train_paths = 2000000" "the training set needs ~" "more than 100 MiB (--max-memory)"
[ ! -e "$tmp/mv" ] && ok || bad "min_variance training refusal created --out"

done_tests hostile_args
