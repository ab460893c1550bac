"""Before and after, in one run: two hedgesim binaries (an older commit's and this one's)
timed side by side on the figures of scripts/bench that have no peer, each the median of
--repeat interleaved rounds, so that both meet the same machine.  A machine's speed drifts
from session to session (on the shared development VM QuantLib's example took 2.0 s one
day and 2.8 s another); figures measured days apart do not compare, these do.

Rows: the Derman-Kamal run end to end (ms); 1M x 84 end to end (s) and its engine ns per
path-step; every bundled model's engine ns per path-step (as scripts/bench: the [market]
and [model] of a bundled scenario, 200 000 paths x 84 daily steps, one strategy hedging
daily); the cost of `ratio = model` per lane and rebalance under Heston (200 000 paths)
and Merton (2 000 000), engine time over `ratio = bs`, 21 rebalances.

    git worktree add /tmp/old REV && (cd /tmp/old && meson setup build --buildtype=release
        && ninja -C build hedgesim)
    /usr/bin/python3 scripts/bench_compare.py /tmp/old/build/hedgesim build/hedgesim
    /usr/bin/python3 scripts/bench_compare.py OLD NEW --dk-only --dk-rounds 41
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the scenarios of scripts/bench)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wall(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        sys.exit(f"bench_compare: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr.strip()}")
    return time.perf_counter() - t0, p.stdout


def timing(out, key):
    return json.loads(out)["timing"][key]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dk-rounds", type=int, default=None,
                    help="rounds of the Derman-Kamal row (default 3 x --repeat)")
    ap.add_argument("--dk-only", action="store_true",
                    help="only the Derman-Kamal row (a 35 ms process: the noisiest figure, "
                         "worth many rounds)")
    a = ap.parse_args()
    dk_rounds = a.dk_rounds or 3 * a.repeat
    bins = (a.before, a.after)
    dk = os.path.join(ROOT, "scenarios", "derman_kamal.ini")
    tmp = tempfile.mkdtemp()
    rows = []

    def side_by_side(name, measure, rounds=a.repeat):
        got = {b: [] for b in bins}
        for _ in range(rounds):
            for b in bins:
                got[b].append(measure(b))
        rows.append((name, statistics.median(got[a.before]), statistics.median(got[a.after])))

    side_by_side("Derman–Kamal (50k paths, 21 + 84 hedges), 1 thread, end to end: ms",
                 lambda b: 1e3 * wall([b, "run", dk, "--quiet", "--threads", "1"])[0],
                 dk_rounds)
    if a.dk_only:
        report(a, rows, dk_rounds)
        return 0
    big = ["run", dk, "--quiet", "--json", "--threads", "1", "--paths", "1000000", "--set",
           "strategy.hedge.hedges=84"]
    runs = {b: [] for b in bins}
    for _ in range(a.repeat):
        for b in bins:
            runs[b].append(wall([b] + big))
    rows.append(("1M x 84, 84 hedges, 1 thread, end to end: s",
                 *(statistics.median([w for w, _ in runs[b]]) for b in bins)))
    rows.append(("the same: engine ns per path-step",
                 *(statistics.median([timing(o, "ns_per_path_step") for _, o in runs[b]])
                   for b in bins)))
    for m, scen in bench.MODELS:
        ini = bench.scenario(tmp, "cmp_" + m, scen, 84, 84 / 252, "")
        side_by_side(f"`{m}` ({scen}), 200k x 84: engine ns per path-step",
                     lambda b: timing(wall([b, "run", ini, "--quiet", "--json", "--threads", "1",
                                            "--paths", "200000"])[1], "ns_per_path_step"))
    for m, scen, paths in (("heston", "heston_stress", 200_000), ("merton", "jump_crash", 2_000_000)):
        ini = {k: bench.scenario(tmp, f"cmp_{m}_{k}", scen, 21, 21 / 252,
                                 f"ratio = {k}\nvol = model\n") for k in ("model", "bs")}

        def cost(b):
            s = {k: timing(wall([b, "run", ini[k], "--quiet", "--json", "--threads", "1",
                                 "--paths", str(paths)])[1], "seconds") for k in ini}
            return (s["model"] - s["bs"]) / (paths * 21) * 1e6
        side_by_side(f"`ratio = model` under `{m}`, {paths:,} paths x 21: µs per lane and "
                     "rebalance", cost)
    report(a, rows, dk_rounds)
    return 0


def report(a, rows, dk_rounds):
    print(f"before: {a.before}\nafter:  {a.after}\nmedian of {a.repeat} interleaved rounds "
          f"(Derman–Kamal: {dk_rounds})\n")
    print("| figure | before | after | speed-up |")
    print("|---|---:|---:|---:|")
    for name, x, y in rows:
        print(f"| {name} | {x:.4g} | {y:.4g} | {x / y:.3f}x |")


if __name__ == "__main__":
    sys.exit(main())
