#!/usr/bin/env bash
# Runs under MPI (issue 12), on 1, 2 and 3 ranks (mpirun --oversubscribe; as root also
# --allow-run-as-root):
#  - the distributed pieces (test_mpi, given as $2: sums, order statistics, ranges, the
#    tail bootstrap, summaries) equal one process's bit for bit;
#  - whole runs of bundled scenarios of four models (gbm, heston, merton, bootstrap), and
#    risk_desk (horizon risk, issue 13: its statistics over the ranks), with
#    --out --pnl: every file equals the plain run's byte for byte (summary.json but for
#    its timing, threads and ranks);
#  - a data file missing on one rank only (two programs, mpirun's `A : B` form) and a bad
#    scenario end the job with exit 2 and one message, not a hang;
#  - the MPI module (hedgesim-mpi.so, loaded only under a launcher): the command does not
#    link Open MPI, and a module that is missing, not a library or another library gives
#    one line naming it (exit 2 for a HEDGESIM_MPI_MODULE that does not exist, else 1).
. "$(dirname "$0")/lib.sh" "$@"
test_mpi=$2
# One machine: the shared-memory transport, not UCX's slow start (README, MPI).
export OMPI_MCA_pml="${OMPI_MCA_pml:-ob1}"
mpirun_cmd=(timeout 300 mpirun --oversubscribe)
[ "$(id -u)" -eq 0 ] && mpirun_cmd+=(--allow-run-as-root)

for r in 1 2 3; do
    if out=$("${mpirun_cmd[@]}" -n "$r" "$test_mpi" 2>&1) && grep -q " 0 failed" <<<"$out"; then
        ok
    else
        bad "test_mpi on $r ranks: $out"
    fi
done

strip() { grep -v '"seconds"\|"ns_per_path_step"\|"threads"\|"ranks"' "$1"; }
for s in derman_kamal heston_stress jump_crash bootstrap_dax risk_desk min_variance; do
    "$bin" run "scenarios/$s.ini" --quiet --paths 3000 --threads 2 --out "$tmp/$s-plain" \
        --pnl >/dev/null || bad "$s: plain run failed"
    for r in 1 2 3; do
        d="$tmp/$s-$r"
        if ! "${mpirun_cmd[@]}" -n "$r" "$bin" run "scenarios/$s.ini" --quiet --paths 3000 \
            --threads 1 --out "$d" --pnl >/dev/null 2>"$tmp/err"; then
            bad "$s on $r ranks failed: $(head -3 "$tmp/err")"
            continue
        fi
        same=1
        for f in "$tmp/$s-plain"/*; do
            b=$(basename "$f")
            if [ "$b" = summary.json ]; then
                cmp -s <(strip "$f") <(strip "$d/$b") || { same=0; bad "$s, $r ranks: $b differs"; }
            else
                cmp -s "$f" "$d/$b" || { same=0; bad "$s, $r ranks: $b differs"; }
            fi
        done
        grep -q "\"ranks\": $r," "$d/summary.json" || { same=0; bad "$s: ranks $r not in the JSON"; }
        [ "$same" = 1 ] && ok
    done
done

# A data file missing on rank 1 only.
sed "s|= *data/|= $PWD/scenarios/data/|" scenarios/bootstrap_dax.ini >"$tmp/good.ini"
sed "s|eu_stock_markets.csv|missing.csv|" "$tmp/good.ini" >"$tmp/bad.ini"
"${mpirun_cmd[@]}" -n 1 "$bin" run "$tmp/good.ini" --quiet --paths 1000 : \
    -n 1 "$bin" run "$tmp/bad.ini" --quiet --paths 1000 >"$tmp/out" 2>"$tmp/err"
rc=$?
n=$(grep -c "^hedgesim: .*missing.csv: cannot open" "$tmp/err")
if [ "$rc" = 2 ] && [ "$n" = 1 ]; then ok; else bad "one rank's bad data file: exit $rc, $n messages: $(cat "$tmp/err")"; fi

# A bad value, on every rank: one message, exit 2.
"${mpirun_cmd[@]}" -n 3 "$bin" run scenarios/derman_kamal.ini --set model.sigma=-1 >"$tmp/out" 2>"$tmp/err"
rc=$?
n=$(grep -c "^hedgesim: .*sigma" "$tmp/err")
if [ "$rc" = 2 ] && [ "$n" = 1 ]; then ok; else bad "bad value on 3 ranks: exit $rc, $n messages: $(cat "$tmp/err")"; fi
# The module: Open MPI is loaded only under a launcher, so the command does not link it.
if ldd "$bin" | grep -q libmpi; then bad "$bin links libmpi: $(ldd "$bin" | grep libmpi)"; else ok; fi
# A launcher's variable with a module that cannot serve: a clear line, never a crash.
check_module() { # expected-exit pattern module
    HEDGESIM_MPI_MODULE=$3 OMPI_COMM_WORLD_SIZE=1 "$bin" run scenarios/derman_kamal.ini \
        --quiet --paths 100 >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" = "$1" ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q -- "$2" "$tmp/err" &&
        [ ! -s "$tmp/out" ]; then ok; else bad "module $3: exit $rc: $(cat "$tmp/err")"; fi
}
check_module 2 "HEDGESIM_MPI_MODULE names $tmp/none.so, which does not exist" "$tmp/none.so"
check_module 1 "MPI module $PWD/README.md cannot be loaded: .*invalid ELF header" "$PWD/README.md"
check_module 1 "is not this build's module" "$(dirname "$bin")/libhedgesim.so"
done_tests mpi
