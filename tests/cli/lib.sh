# Shared set-up of the command-line test scripts (sourced, not run):
#   . "$(dirname "$0")/lib.sh" "$@"
# sets bin (the hedgesim binary given as $1), a temporary directory tmp removed on exit,
# the pass/fail counters with ok and bad, and done_tests NAME, which prints the closing
# line "cli: N passed, N failed (NAME)" that scripts/test adds up and exits 0 only when
# nothing failed.
set -u
bin=$1
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*"
}

done_tests() {
    echo "cli: $pass passed, $fail failed ($1)"
    [ "$fail" -eq 0 ]
    exit
}
