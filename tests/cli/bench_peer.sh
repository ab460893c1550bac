#!/usr/bin/env bash
# Correctness (not speed) of scripts/bench_numpy.py, the NumPy peer that scripts/bench
# times hedgesim against: on 10 000 paths of the Derman-Kamal experiment hedged at all 84
# steps (seed 5), its P&L std must agree with Derman & Kamal's formula and with hedgesim's
# std for the same experiment within 4 standard errors, its mean with 0 (delta hedging at
# the true vol with drift = rate: the discounted P&L is a martingale), and the formula it
# prints with the value computed by hand:
#   d1 = (0 + (0.05 + 0.02) / 12) / (0.2 sqrt(1/12)) = 0.101036, phi(d1) = 0.396911,
#   vega = 100 * 0.396911 * sqrt(1/12) = 11.4578,
#   std = sqrt(pi/4) * 11.4578 * 0.2 / sqrt(84) = 0.886227 * 2.29156 / 9.16515 = 0.221584.
# Skipped (SKIP, nothing counted) when /usr/bin/python3 lacks numpy or scipy.
# Usage: tests/cli/bench_peer.sh PATH/TO/hedgesim   (run from the source root)
. "$(dirname "$0")/lib.sh" "$@"

if ! /usr/bin/python3 -c 'import numpy, scipy.special' 2>/dev/null; then
    echo "SKIP: /usr/bin/python3 has no numpy or scipy (Debian: python3-numpy python3-scipy)"
    done_tests bench_peer
fi

peer() { /usr/bin/python3 scripts/bench_numpy.py "$@"; }

# check NAME PYTHON-EXPRESSION: true over p (the peer's JSON) and h (hedgesim's JSON).
check() {
    if /usr/bin/python3 - "$tmp/peer.json" "$tmp/hs.json" "$2" <<'PY'; then ok; else bad "$1"; fi
import json, math, sys
p = json.load(open(sys.argv[1]))
h = json.load(open(sys.argv[2]))
ok = eval(sys.argv[3])
if not ok:
    print("peer:", json.dumps(p), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}

peer --paths 10000 --seed 5 --chunk 3000 >"$tmp/peer.json" || bad "peer run failed"
"$bin" run scenarios/derman_kamal.ini --paths 10000 --seed 5 --json --quiet \
    --set strategy.hedge.hedges=84 >"$tmp/hs.json" || bad "hedgesim run failed"

check "peer: 10000 paths" 'p["paths"] == 10000 and p["hedges"] == 84 and p["steps"] == 84'
check "peer: Derman-Kamal std 0.221584 (by hand)" 'abs(p["derman_kamal_std"] - 0.221584) < 2e-6'
check "peer: P&L std within 4 s.e. of Derman-Kamal" \
    'abs(p["pnl_std"] - p["derman_kamal_std"]) < 4 * p["pnl_std_se"]'
check "peer: P&L mean within 4 s.e. of 0" 'abs(p["pnl_mean"]) < 4 * p["pnl_mean_se"]'
check "peer: s.e. of the std about std sqrt((exkurt + 2) / n) / 2" \
    'abs(p["pnl_std_se"] / (p["pnl_std"] * math.sqrt((p["pnl_exkurt"] + 2) / 1e4) / 2) - 1) < 1e-3'
check "peer: P&L std within 4 s.e. of hedgesim's (the same experiment)" '
abs(p["pnl_std"] - h["strategies"][0]["pnl"]["std"]) < 4 * math.hypot(p["pnl_std_se"],
    h["strategies"][0]["pnl"]["std"] * math.sqrt((h["strategies"][0]["pnl"]["exkurt"] + 2) / 1e4) / 2)'

# The same seed and chunk size give the same P&L: the peer's runs are reproducible.
peer --paths 10000 --seed 5 --chunk 3000 >"$tmp/again.json" &&
    cmp -s <(grep -o '"pnl_std": [^,]*' "$tmp/peer.json") \
        <(grep -o '"pnl_std": [^,]*' "$tmp/again.json") && ok || bad "peer: seed 5 twice differs"
# Coarser hedging (21 of the 84 steps): the std doubles, as sqrt(84 / 21) says.
peer --paths 10000 --seed 5 --hedges 21 >"$tmp/peer.json" || bad "peer run (21 hedges) failed"
check "peer: 21 hedges, P&L std within 10% of Derman-Kamal 0.443168" \
    'abs(p["derman_kamal_std"] - 0.443168) < 2e-6 and abs(p["pnl_std"] / 0.443168 - 1) < 0.1'
# Hedges must divide the steps: a usage error (exit 2).
peer --paths 100 --hedges 5 >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "peer: hedges = 5 of 84 steps accepted"

done_tests bench_peer
