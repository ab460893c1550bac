#!/usr/bin/env bash
# Runs under MPI (issue 12): the distributed pieces (test_mpi, given as $2) on 1, 2 and 3
# ranks.  As root, mpirun needs --allow-run-as-root; --oversubscribe allows more ranks
# than cores.
. "$(dirname "$0")/lib.sh" "$@"
test_mpi=$2
mpirun_cmd=(mpirun --oversubscribe)
[ "$(id -u)" -eq 0 ] && mpirun_cmd+=(--allow-run-as-root)

for r in 1 2 3; do
    if out=$("${mpirun_cmd[@]}" -n "$r" "$test_mpi" 2>&1) && grep -q "0 failed" <<<"$out"; then
        ok
    else
        bad "test_mpi on $r ranks: $out"
    fi
done
done_tests mpi
