"""Ranks against one process (issue 12), run by scripts/bench after the other figures.

The bundled Derman-Kamal scenario (two strategies: 21 and 84 hedges on 84 steps) at
--paths paths (default 4 000 000), one thread per rank, end to end (mpirun's start
included, with OMPI_MCA_pml=ob1 unless the environment sets a pml): throughput on 2 ranks
against 1,
the median of --repeat interleaved rounds, beside the machine's ceiling in the same
rounds (two 1-rank runs started together, their throughput against one: what a second
core could give at that moment on a shared VM); and the peak resident memory (getrusage's
maxrss through /usr/bin/time) of each rank of the 2-rank run against that of the plain
single process.  The outputs of the runs are checked equal (timing, threads and ranks
aside) before any figure is printed.

    /usr/bin/python3 scripts/bench_mpi.py BUILD/hedgesim [--paths N] [--repeat N]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (run_together: the machine's ceiling, as scripts/bench takes it)

GOAL_SPEED, GOAL_MEMORY = 1.8, 0.60


# One machine: Open MPI's shared-memory path (ob1 over vader) rather than UCX's start-up
# (0.2 s of each run here); the same for 1 and 2 ranks.  README: Running on a cluster.
os.environ.setdefault("OMPI_MCA_pml", "ob1")


def mpirun(n, bind=True):
    cmd = ["mpirun", "--oversubscribe", "-n", str(n)]
    if not bind:
        # Two separate mpiruns each bind their one rank to the first core: side by side
        # they would share it (1.07x where the cores gave 1.5x).
        cmd += ["--bind-to", "none"]
    if os.geteuid() == 0:
        cmd.insert(1, "--allow-run-as-root")
    return cmd


def timed(cmd):
    """Wall seconds, stdout and stderr of one command."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode:
        sys.exit(f"bench_mpi: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr.strip()}")
    return wall, p.stdout, p.stderr


def strip(js):
    return "\n".join(l for l in js.splitlines()
                     if not re.search(r'"(seconds|ns_per_path_step|threads|ranks)"', l))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("hedgesim")
    ap.add_argument("--paths", type=int, default=4_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    run = [a.hedgesim, "run", "scenarios/derman_kamal.ini", "--quiet", "--json", "--threads",
           "1", "--paths", str(a.paths)]
    rss = ["/usr/bin/time", "-f", "maxrss %M"]

    ratios, ceilings, outs = [], [], {}
    for _ in range(a.repeat):
        t1, o1, _ = timed(mpirun(1) + run)
        t2, o2, _ = timed(mpirun(2) + run)
        tp, _ = bench.run_together([mpirun(1, bind=False) + run] * 2)
        ratios.append(t1 / t2)
        ceilings.append(2 * t1 / tp)
        outs[1], outs[2] = o1, o2
    if strip(outs[1]) != strip(outs[2]):
        sys.exit("bench_mpi: the 1-rank and 2-rank runs differ")
    _, o0, e0 = timed(rss + run)
    _, _, e2 = timed(mpirun(2) + rss + run)
    if strip(o0) != strip(outs[1]):
        sys.exit("bench_mpi: the plain run and the 1-rank run differ")
    single = int(re.findall(r"maxrss (\d+)", e0)[-1])
    per_rank = [int(x) for x in re.findall(r"maxrss (\d+)", e2)]
    speed = statistics.median(ratios)
    worst = max(per_rank) / single
    mb = lambda kb: f"{kb / 1024:.0f} MiB"
    print(f"| Derman-Kamal, {a.paths:,} paths, 2 ranks against 1 (throughput, end to end) | "
          f"{speed:.2f}x | >= {GOAL_SPEED}x | {'pass' if speed >= GOAL_SPEED else 'miss'} |")
    print(f"| the same: the machine's ceiling, two 1-rank runs side by side against one | "
          f"{statistics.median(ceilings):.2f}x | (the machine, not hedgesim) |  |")
    print(f"| peak memory per rank of 2, against one process ({mb(single)}) | "
          f"{', '.join(mb(x) for x in per_rank)} = {100 * worst:.0f}% | <= "
          f"{100 * GOAL_MEMORY:.0f}% | {'pass' if worst <= GOAL_MEMORY else 'miss'} |")
    print(f"(median of {a.repeat} interleaved rounds: "
          f"{', '.join(f'{r:.2f}' for r in ratios)}; outputs identical on 1 and 2 ranks)")


if __name__ == "__main__":
    main()
