"""Timing of hedgesim against QuantLib's DiscreteHedging example (see scripts/bench).

The same work: 50 000 paths of a one-month ATM call (S = K = 100, r = 5%, sigma = 20%)
delta-hedged 21 and 84 times.  QuantLib runs the two cases on grids of 21 and 84 steps;
hedgesim runs both strategies on one 84-step grid (more work, not less).  Each command
is timed end to end (process start, parsing, simulation, statistics, output) and the
best of --repeat runs is kept, the usual way to take noise out of a wall-clock timing.
"""
import argparse
import json
import os
import subprocess
import sys
import time


def best_of(cmd, repeat):
    best = float("inf")
    out = ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, check=True)
        best = min(best, time.perf_counter() - t0)
        out = p.stdout
    return best, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("hedgesim")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--large-paths", type=int, default=1_000_000)
    a = ap.parse_args()
    hs = [a.hedgesim, "run", "scenarios/derman_kamal.ini", "--quiet"]

    ql_time, ql_out = best_of(["/usr/bin/DiscreteHedging"], max(2, a.repeat // 2))
    hs_time, _ = best_of(hs + ["--threads", "1"], a.repeat)
    hs_all, _ = best_of(hs + ["--threads", "0"], a.repeat)
    _, js = best_of(hs + ["--threads", "1", "--json"], 1)
    sim = json.loads(js)

    cores = os.cpu_count()
    large = {}
    for threads in (1, 0):
        cmd = [a.hedgesim, "run", "scenarios/derman_kamal.ini", "--quiet", "--json",
               "--paths", str(a.large_paths), "--set", "strategy.hedge.hedges=84",
               "--threads", str(threads)]
        best = None
        for _ in range(3):
            d = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
            if best is None or d["timing"]["seconds"] < best["timing"]["seconds"]:
                best = d
        large[threads] = best

    print("QuantLib DiscreteHedging output:")
    print("\n".join("    " + l for l in ql_out.strip().splitlines()))
    print()
    print(f"| work (50 000 paths, 21 and 84 hedges) | wall time | speed-up vs QuantLib |")
    print(f"|---|---:|---:|")
    print(f"| QuantLib `DiscreteHedging` (1 thread) | {ql_time * 1e3:.0f} ms | 1x |")
    print(f"| hedgesim, 1 thread | {hs_time * 1e3:.1f} ms | {ql_time / hs_time:.0f}x |")
    print(f"| hedgesim, {cores} threads | {hs_all * 1e3:.1f} ms | {ql_time / hs_all:.0f}x |")
    print()
    print(f"hedgesim simulation alone (1 thread): {sim['timing']['seconds'] * 1e3:.1f} ms, "
          f"{sim['timing']['ns_per_path_step']:.2f} ns per path-step (2 strategies)")
    print()
    print(f"| large run: {a.large_paths:,} paths x 84 steps, 84 hedges | seconds | ns per path-step |")
    print(f"|---|---:|---:|")
    for threads, label in ((1, "1 thread"), (0, f"all cores ({large[0]['threads']})")):
        t = large[threads]["timing"]
        print(f"| {label} | {t['seconds']:.3f} | {t['ns_per_path_step']:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
