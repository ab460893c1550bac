#!/usr/bin/env python3
"""Cost of `ratio = model` per lane and rebalance, table against formula (issue 11).

Runs jump_crash (Merton) and heston_stress with their strategy hedged `steps` times,
ratio = bs (the peer, everything but the model delta), ratio = model with
model_delta = table and model_delta = exact, interleaved, REPEATS times each, on one thread,
and prints the median engine time ("seconds" of the JSON) less the bs peer's, per
path x rebalance, and the ratio exact / table.  Table build time is included (the tables
are built during the run).  Usage: scripts/bench_model_delta.py [hedgesim] [repeats]
(from scripts/bench: call it and append its lines to the table).
"""
import json, statistics, subprocess, sys

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/hedgesim"
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
CASES = {  # model: (scenario, paths, steps)
    "merton": ("scenarios/jump_crash.ini", 20000, 63),
    "heston": ("scenarios/heston_stress.ini", 256, 21),  # steps stay 252
}


def run(scn, paths, steps, ratio, mode):
    args = [BIN, "run", scn, "--json", "--quiet", "--threads", "1", "--paths", str(paths)]
    # One strategy: the first section hedged at every step with the given ratio.
    sec = "strategy.model" if "jump" in scn else "strategy.hedge"
    args += ["--set", "%s.hedges=%d" % (sec, steps), "--set", "%s.ratio=%s" % (sec, ratio)]
    if ratio == "model":
        args += ["--set", "%s.model_delta=%s" % (sec, mode)]
    out = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    return out["timing"]["seconds"]


for model, (scn, paths, steps) in CASES.items():
    t = {"bs": [], "table": [], "exact": []}
    for _ in range(REPEATS):
        t["bs"].append(run(scn, paths, steps, "bs", None))
        t["table"].append(run(scn, paths, steps, "model", "table"))
        t["exact"].append(run(scn, paths, steps, "model", "exact"))
    med = {k: statistics.median(v) for k, v in t.items()}
    lanes = paths * steps
    per = {k: (med[k] - med["bs"]) / lanes * 1e9 for k in ("table", "exact")}
    print("%s: ratio=model per lane and rebalance, median of %d: exact %.0f ns, table %.0f ns,"
          " exact/table %.1fx (%d paths x %d rebalances, 1 thread)"
          % (model, REPEATS, per["exact"], per["table"],
             per["exact"] / per["table"] if per["table"] > 0 else float("inf"), paths, steps))
