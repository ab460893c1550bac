#!/usr/bin/env python3
"""Cost of `ratio = model` per lane and rebalance, table against formula (issue 11).

Merton: jump_crash's strategy hedged 63 times, 20 000 paths.  Heston: the setting of
scripts/bench's row (heston_stress's [market] and [model], a 1-month ATM call, 21 daily
steps and hedges), the formula on 200 paths (its cost per lane does not depend on the
run's size) and the table on 20 000 and 200 000 paths (the cost per lane includes the 21
table builds, amortised over the run).  Each is run with ratio = bs (the peer: everything
but the model delta), ratio = model with model_delta = table and model_delta = exact,
interleaved, REPEATS times each, on one thread; the line printed is the median engine
time ("seconds" of the JSON) less the bs peer's, per path x rebalance.  The Heston table
build time per date is the engine time of a 2-path run less its bs peer's, over the 21
dates (the lookups of one path are negligible).
Usage: scripts/bench_model_delta.py [hedgesim] [repeats] [merton,heston]
"""
import json, os, statistics, subprocess, sys, tempfile

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/hedgesim"
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
MODELS = sys.argv[3].split(",") if len(sys.argv) > 3 else ["merton", "heston"]

HESTON_INI = """[scenario]
name = bench_heston_model
[simulation]
paths = 1000
seed = 1
steps = 21
[market]
spot = 100
rate = 0.03
[model]
type = heston
v0 = 0.04
kappa = 2
theta = 0.04
xi = 1.0
rho = -0.8
[option]
type = call
strike = 100
maturity = 0.08333333333333333
quantity = -1
[strategy.hedge]
hedges = 21
vol = model
"""


def run(scn, sec, paths, ratio, mode, extra=()):
    args = [BIN, "run", scn, "--json", "--quiet", "--threads", "1", "--paths", str(paths),
            "--set", "%s.ratio=%s" % (sec, ratio)] + list(extra)
    if ratio == "model":
        args += ["--set", "%s.model_delta=%s" % (sec, mode)]
    out = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    return out["timing"]["seconds"], out["strategies"][0].get("model_delta_fallbacks", 0)


def per_lane(scn, sec, paths, steps, modes, extra=()):
    """Median over REPEATS interleaved rounds of (mode - bs) / (paths x steps), in ns."""
    t = {k: [] for k in ("bs",) + modes}
    fb = 0
    for _ in range(REPEATS):
        t["bs"].append(run(scn, sec, paths, "bs", None, extra)[0])
        for m in modes:
            s, f = run(scn, sec, paths, "model", m, extra)
            t[m].append(s)
            fb = max(fb, f)
    med = {k: statistics.median(v) for k, v in t.items()}
    return {m: (med[m] - med["bs"]) / (paths * steps) * 1e9 for m in modes}, fb


def merton():
    """The table against the series on the same run."""
    steps = 63
    extra = ["--set", "strategy.model.hedges=%d" % steps]
    per, _ = per_lane("scenarios/jump_crash.ini", "strategy.model", 20000, steps,
                      ("table", "exact"), extra)
    print("merton: ratio=model per lane and rebalance, median of %d: exact %.0f ns, table %.0f "
          "ns, exact/table %.1fx (20000 paths x %d rebalances, 1 thread)"
          % (REPEATS, per["exact"], per["table"], per["exact"] / per["table"], steps))


def heston():
    with tempfile.TemporaryDirectory() as tmp:
        ini = os.path.join(tmp, "heston.ini")
        with open(ini, "w") as f:
            f.write(HESTON_INI)
        sec = "strategy.hedge"
        exact, _ = per_lane(ini, sec, 200, 21, ("exact",))
        build, _ = per_lane(ini, sec, 2, 21, ("table",))
        print("heston: table build %.1f ms per date (median of %d, 2-path runs, 21 dates)"
              % (build["table"] * 2 * 1e-6, REPEATS))
        for paths in (20000, 200000):
            table, fb = per_lane(ini, sec, paths, 21, ("table",))
            print("heston: ratio=model per lane and rebalance, median of %d: exact %.0f ns (200 "
                  "paths), table %.0f ns (%d paths, builds included, %d fallbacks), "
                  "exact/table %.0fx (21 rebalances, 1 thread)"
                  % (REPEATS, exact["exact"], table["table"], paths, fb,
                     exact["exact"] / table["table"]))


if "merton" in MODELS:
    merton()
if "heston" in MODELS:
    heston()
