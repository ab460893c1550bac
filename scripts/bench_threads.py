#!/usr/bin/env python3
"""Thread scaling of one large run, end to end: 1 thread against 2.

Runs `hedgesim run scenarios/derman_kamal.ini` at 1,000,000 paths x 84 steps with one
strategy hedged 84 times (`--set strategy.hedge.hedges=84`), on 1 and on 2 threads,
interleaved (1, 2, 1, 2, ...) so that both see the same machine load, REPEAT times each.
For each thread count it reports the median wall time of the whole command, the median
simulation time (the JSON's timing.seconds, hs_run alone) and the median of the rest
(wall minus simulation: start-up, statistics, JSON), and the ratio of the 1-thread
median to the 2-thread median (issue 11 asks for >= 1.85).

    scripts/bench_threads.py [HEDGESIM ...] [--repeat N] [--paths N]
                             [--wait-policy default passive active]

Several binaries (say a baseline copy and the current build) are measured in the same
interleaved loop and printed one line each.  --wait-policy measures each binary under
each OpenMP wait policy named (OMP_WAIT_POLICY; "default" leaves it unset): on a small
VM the first parallel region of a run can cost milliseconds under libgomp's default
spin-then-sleep wait (README, Benchmark).  Timings only: it never fails on a ratio.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def run_once(hedgesim, paths, threads, policy="default"):
    cmd = [hedgesim, "run", "scenarios/derman_kamal.ini", "--quiet", "--json",
           "--paths", str(paths), "--set", "strategy.hedge.hedges=84",
           "--threads", str(threads)]
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    if policy != "default":
        env["OMP_WAIT_POLICY"] = policy
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout
    wall = time.perf_counter() - t0
    sim = json.loads(out)["timing"]["seconds"]
    return wall, sim


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("hedgesim", nargs="*", default=["build/hedgesim"])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--paths", type=int, default=1_000_000)
    ap.add_argument("--wait-policy", nargs="+", default=["default"],
                    choices=["default", "passive", "active"])
    a = ap.parse_args()
    if a.repeat < 3:
        ap.error("--repeat must be at least 3 (medians)")
    # Binaries as given from here; the scenario from the repository root.
    a.hedgesim = [os.path.abspath(b) if os.sep in b else b for b in a.hedgesim]
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

    # Each (binary, policy) pair is one row; a row label shows a policy only when asked.
    runs = [(b, p) for b in a.hedgesim for p in a.wait_policy]
    times = {(r, t): [] for r in runs for t in (1, 2)}
    for b, p in runs:  # one warm-up each: page cache, CPU frequency
        run_once(b, a.paths, 2, p)
    for _ in range(a.repeat):
        for b, p in runs:
            for t in (1, 2):
                times[((b, p), t)].append(run_once(b, a.paths, t, p))

    print(f"{a.paths:,} paths x 84 steps, 84 hedges; medians of {a.repeat} interleaved runs")
    print("| binary | threads | wall s | simulation s | rest s | wall ratio 1/2 | sim ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for b, p in runs:
        med = {}
        for t in (1, 2):
            w = statistics.median(x[0] for x in times[((b, p), t)])
            s = statistics.median(x[1] for x in times[((b, p), t)])
            r = statistics.median(x[0] - x[1] for x in times[((b, p), t)])
            med[t] = (w, s, r)
        label = b if a.wait_policy == ["default"] else \
            f"{b} [OMP_WAIT_POLICY={p if p != 'default' else 'unset'}]"
        for t in (1, 2):
            w, s, r = med[t]
            ratio = f"{med[1][0] / med[2][0]:.3f}" if t == 2 else ""
            sratio = f"{med[1][1] / med[2][1]:.3f}" if t == 2 else ""
            print(f"| {label} | {t} | {w:.3f} | {s:.3f} | {r:.3f} | {ratio} | {sratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
