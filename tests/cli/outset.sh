#!/usr/bin/env bash
# The output set of `hedgesim run --out DIR` is replaced as a whole (src/cli/outset.h,
# docs/outputs.md): after successive runs every file is from the last one; SIGINT and
# SIGTERM at any moment leave either the complete old set or the complete new one, and
# no staging directory or temporary file; a SIGKILL's leftover is cleaned by the next
# run; an unwritable, foreign or too long --out is refused with exit 2 before the
# simulation; a full disk fails with exit 1 and leaves the old set.
# Usage: tests/cli/outset.sh PATH/TO/hedgesim   (run from the source root)
. "$(dirname "$0")/lib.sh" "$@"
mounts=()
cleanup() {
    for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
    chmod -R u+w "$tmp" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT # replaces lib.sh's: unmount and unlock first

sc=scenarios/derman_kamal.ini
set_files="summary.json summary.csv pairs.csv convergence.csv pnl.csv paths.csv"

# fingerprint DIR: one line from every file of a --pnl set (summary.json without its
# timing fields), "missing NAME" for an absent one, and the list of entries.
fingerprint() {
    local f
    for f in $set_files; do
        if [ ! -f "$1/$f" ]; then
            echo "missing $f"
        elif [ "$f" = summary.json ]; then
            grep -v '"seconds"\|"ns_per_path_step"' "$1/$f" | md5sum
        else
            md5sum <"$1/$f"
        fi
    done | tr '\n' ' '
    echo "$(cd "$1" && ls -A | tr '\n' ' ')"
}

# strays DIR: what a run may leave behind in DIR or its parent (staging, *.tmp.*).
strays() {
    find "$(dirname "$1")" -name '*.hedgesim-*' -o -name '*.tmp.*' | head -5
}

now() { date +%s.%N; }

# Two reference sets, one per seed, large enough that writing pnl.csv takes a while.
big=400000
for s in 1 2; do
    "$bin" run $sc --paths $big --seed $s --pnl --out "$tmp/ref$s" --quiet >/dev/null 2>"$tmp/err" ||
        bad "reference run seed $s: $(head -c 300 "$tmp/err")"
done
fp1=$(fingerprint "$tmp/ref1")
fp2=$(fingerprint "$tmp/ref2")
[ "$fp1" != "$fp2" ] && ! grep -q missing <<<"$fp1$fp2" && ok || bad "reference sets"

# (a) Successive runs over one DIR: every file is from the last run, also when the
# first had figures (plots/ and report.html do not survive into a set without them).
mkdir -p "$tmp/a"
"$bin" run $sc --paths 2000 --seed 7 --pnl --report --out "$tmp/a/out" --quiet >/dev/null 2>&1
[ -f "$tmp/a/out/report.html" ] && ok || bad "(a) first run wrote no report.html"
"$bin" run $sc --paths $big --seed 2 --pnl --out "$tmp/a/out" --quiet >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "(a) second run exited $rc: $(head -c 300 "$tmp/err")"
[ "$(fingerprint "$tmp/a/out")" = "$fp2" ] && ok || bad "(a) not every file is from the second run"
grep -q '"seed": 2,' "$tmp/a/out/summary.json" && ok || bad "(a) summary.json seed"
[ -z "$(strays "$tmp/a/out")" ] && ok || bad "(a) left: $(strays "$tmp/a/out")"

# (b) SIGINT and SIGTERM at several moments over a complete older set: one complete set
# afterwards, the old or the new one, nothing else in the parent, and the process died
# of the signal (128+N) unless it had finished.
mkdir -p "$tmp/b"
n_old=0
n_new=0
for sig in INT TERM; do
    want=$((128 + $(kill -l $sig)))
    for t in 0.05 0.2 0.4 0.6 0.9 1.3 2; do
        rm -rf "$tmp/b/out"
        cp -a "$tmp/ref1" "$tmp/b/out"
        timeout -k 30 -s $sig --preserve-status $t \
            "$bin" run $sc --paths $big --seed 2 --pnl --out "$tmp/b/out" --quiet >/dev/null 2>"$tmp/err"
        rc=$?
        { [ $rc -eq 0 ] || [ $rc -eq $want ]; } && ok ||
            bad "(b) SIG$sig after $t s: exit $rc, expected 0 or $want: $(head -c 300 "$tmp/err")"
        fp=$(fingerprint "$tmp/b/out")
        if [ "$fp" = "$fp1" ]; then
            n_old=$((n_old + 1))
            ok
        elif [ "$fp" = "$fp2" ]; then
            n_new=$((n_new + 1))
            ok
        else
            bad "(b) SIG$sig after $t s: a mixed or incomplete set: $fp"
        fi
        [ $rc -eq 0 ] && [ "$fp" != "$fp2" ] && bad "(b) SIG$sig after $t s: exit 0 without the new set"
        left=$(ls -A "$tmp/b" | grep -vx out)
        [ -z "$left" ] && [ -z "$(strays "$tmp/b/out")" ] && ok ||
            bad "(b) SIG$sig after $t s: left $left $(strays "$tmp/b/out")"
    done
done
echo "outset: signals left the old set $n_old times, the new set $n_new times"

# (c) A SIGKILL's leftover is clearly named, and the next run removes it.
mkdir -p "$tmp/c"
"$bin" run $sc --paths 3000000 --out "$tmp/c/out" --quiet >/dev/null 2>&1 &
pid=$!
sleep 0.5
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
[ -d "$tmp/c/.out.hedgesim-partial.$pid" ] && ok ||
    bad "(c) no staging directory .out.hedgesim-partial.$pid after kill -9: $(ls -A "$tmp/c")"
timeout 60 "$bin" run $sc --paths 2000 --out "$tmp/c/out" --quiet >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "(c) run after kill -9 exited $rc"
grep -q "removed $tmp/c/.out.hedgesim-partial.$pid, left by an interrupted run (process $pid)" \
    "$tmp/err" && ok || bad "(c) message: $(cat "$tmp/err")"
[ "$(ls -A "$tmp/c")" = out ] && ok || bad "(c) left: $(ls -A "$tmp/c")"

# (d) An unwritable --out is refused with exit 2 before the simulation (5e6 paths would
# take many seconds), and nothing is created.
# expect2 WHAT FRAGMENT ARGS...: exit 2, one line holding FRAGMENT, well under 2 s.
expect2() {
    local what=$1 frag=$2
    shift 2
    local t0 rc
    t0=$(now)
    timeout 60 "$bin" run $sc --paths 5000000 "$@" >/dev/null 2>"$tmp/err"
    rc=$?
    local dt
    dt=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')
    [ $rc -eq 2 ] && ok || bad "$what: exit $rc, expected 2: $(head -c 300 "$tmp/err")"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF -- "$frag" "$tmp/err" && ok ||
        bad "$what: message: $(head -c 400 "$tmp/err")"
    awk -v d="$dt" 'BEGIN { exit !(d < 2) }' && ok || bad "$what: took $dt s (simulated first?)"
}
mkdir -p "$tmp/d"
echo x >"$tmp/d/file.txt"
expect2 "(d) file as a directory" "$tmp/d/file.txt is not a directory" --out "$tmp/d/file.txt/out"
expect2 "(d) /proc" "--out /proc/hedgesim-out: cannot write in /proc" --out /proc/hedgesim-out
[ "$(ls -A "$tmp/d")" = file.txt ] && ok || bad "(d) left: $(ls -A "$tmp/d")"
if [ "$(id -u)" -ne 0 ]; then
    # Permission bits hold only for a user that is not root.
    cp -a "$tmp/ref1" "$tmp/d/set"
    chmod 555 "$tmp/d"
    expect2 "(d) read-only parent" "cannot write in $tmp/d" --out "$tmp/d/set"
    chmod 755 "$tmp/d"
    chmod 555 "$tmp/d/set"
    expect2 "(d) read-only DIR" "is not writable" --out "$tmp/d/set"
    chmod 755 "$tmp/d/set"
    [ "$(fingerprint "$tmp/d/set")" = "$fp1" ] && ok || bad "(d) read-only: the set changed"
fi
mkdir -p "$tmp/d/ro"
if mount -t tmpfs -o ro,size=64k tmpfs "$tmp/d/ro" 2>/dev/null; then
    mounts+=("$tmp/d/ro")
    expect2 "(d) read-only file system" "cannot write in $tmp/d/ro: Read-only file system" \
        --out "$tmp/d/ro/out"
else
    echo "outset: mount not permitted, read-only file system case skipped"
fi

# (e) A 2,000-character --out (ten names of 200) works, every file rightly named; with
# --plot it is refused (plot takes at most 2047), and a 4,200-character one names
# PATH_MAX; neither creates anything.
name=$(printf 'n%.0s' $(seq 200))
long="$tmp/e"
for i in $(seq 10); do long="$long/$name$i"; done
timeout 120 "$bin" run $sc --paths 2000 --pnl --out "$long" --quiet >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "(e) 2,000-character --out exited $rc: $(head -c 300 "$tmp/err")"
want=$(echo $set_files | tr ' ' '\n' | sort | tr '\n' ' ')
[ "$(ls -A "$long" 2>/dev/null | sort | tr '\n' ' ')" = "$want" ] && ok ||
    bad "(e) files: $(ls -A "$long" 2>&1 | head -c 300)"
[ "$(ls -A "$(dirname "$long")")" = "$(basename "$long")" ] && ok || bad "(e) strays"
rm -rf "$tmp/e"
mkdir -p "$tmp/e"
expect2 "(e) --plot with a 2,000-character --out" "which takes a directory of at most 2047" \
    --out "$long" --plot
[ -z "$(ls -A "$tmp/e")" ] && ok || bad "(e) --plot: created $(ls -A "$tmp/e" | head -c 100)"
longer="$long"
for i in $(seq 11 21); do longer="$longer/$name$i"; done
expect2 "(e) 4,200-character --out" "PATH_MAX (4096 bytes)" --out "$longer"
[ -z "$(ls -A "$tmp/e")" ] && ok || bad "(e) PATH_MAX: created $(ls -A "$tmp/e" | head -c 100)"

# (f) A foreign file in DIR (or in DIR/plots): exit 2 before the simulation, the file and
# the set untouched.
mkdir -p "$tmp/f"
cp -a "$tmp/ref1" "$tmp/f/out"
echo "my notes" >"$tmp/f/out/notes.txt"
expect2 "(f) foreign file" "'notes.txt' is not a file of hedgesim's output set" --out "$tmp/f/out"
[ "$(cat "$tmp/f/out/notes.txt")" = "my notes" ] && ok || bad "(f) notes.txt changed"
rm "$tmp/f/out/notes.txt"
[ "$(fingerprint "$tmp/f/out")" = "$fp1" ] && ok || bad "(f) the set changed"
mkdir "$tmp/f/out/plots"
echo "set title 'mine'" >"$tmp/f/out/plots/mine.gp"
expect2 "(f) foreign file in plots/" "'plots/mine.gp' is not a file" --out "$tmp/f/out"
[ -f "$tmp/f/out/plots/mine.gp" ] && ok || bad "(f) plots/mine.gp removed"
[ "$(ls -A "$tmp/f")" = out ] && ok || bad "(f) left: $(ls -A "$tmp/f")"

# (g) A full disk: exit 1, the old set intact, no staging directory.
mkdir -p "$tmp/g"
if mount -t tmpfs -o size=1m tmpfs "$tmp/g" 2>/dev/null; then
    mounts+=("$tmp/g")
    "$bin" run $sc --paths 2000 --seed 1 --out "$tmp/g/out" --quiet >/dev/null 2>&1
    before=$(cd "$tmp/g/out" && md5sum *)
    timeout 60 "$bin" run $sc --paths 50000 --seed 2 --pnl --out "$tmp/g/out" --quiet \
        >/dev/null 2>"$tmp/err"
    rc=$?
    [ $rc -eq 1 ] && ok || bad "(g) full disk: exit $rc, expected 1: $(head -c 300 "$tmp/err")"
    grep -q "No space left on device" "$tmp/err" && ok || bad "(g) message: $(cat "$tmp/err")"
    [ "$(cd "$tmp/g/out" && md5sum *)" = "$before" ] && ok || bad "(g) the old set changed"
    [ "$(ls -A "$tmp/g")" = out ] && ok || bad "(g) left: $(ls -A "$tmp/g")"
else
    echo "outset: mount not permitted, full-disk case skipped"
fi

done_tests outset
