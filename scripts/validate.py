"""Derman-Kamal validation at scale (see scripts/validate).

For each seed, runs scenarios/derman_kamal.ini with --json and reports, per strategy:
the mean P&L in standard errors from zero, the P&L std, its distance from the
reference std in combined standard errors, and the ratio to the Derman-Kamal formula.
The standard error of a sample std is s * sqrt((kurt_excess + 2) / (4 n)) to first
order (delta method on the sample variance).
"""
import argparse
import json
import math
import subprocess
import sys

REFERENCE = {21: (0.4275, 0.0005), 84: (0.2180, 0.0005)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("hedgesim")
    ap.add_argument("--paths", type=int, default=2_000_000)
    ap.add_argument("--seeds", default="1,2,3")
    a = ap.parse_args()
    print(f"| seed | hedges | option value | P&L mean (s.e.) | z(mean) | P&L std | "
          f"std s.e. | reference | z(std) | D&K std | std / D&K |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for seed in a.seeds.split(","):
        out = subprocess.run([a.hedgesim, "run", "scenarios/derman_kamal.ini", "--quiet",
                              "--json", "--paths", str(a.paths), "--seed", seed],
                             capture_output=True, text=True, check=True).stdout
        d = json.loads(out)
        for s in d["strategies"]:
            n = d["paths"]
            hedges = int(s["name"].split("=")[1].rstrip("]"))
            p = s["pnl"]
            z_mean = p["mean"] / p["stderr"]
            se_std = p["std"] * math.sqrt((p["exkurt"] + 2.0) / (4.0 * n))
            ref, ref_se = REFERENCE[hedges]
            z_std = (p["std"] - ref) / math.hypot(se_std, ref_se)
            worst = max(worst, abs(z_mean), abs(z_std))
            print(f"| {seed} | {hedges} | {d['option']['value']:.5f} | "
                  f"{p['mean']:+.5f} ({p['stderr']:.5f}) | {z_mean:+.2f} | {p['std']:.5f} | "
                  f"{se_std:.5f} | {ref:.4f} | {z_std:+.2f} | {s['derman_kamal_std']:.4f} | "
                  f"{p['std'] / s['derman_kamal_std']:.4f} |")
    print(f"\nlargest |z| over all rows: {worst:.2f} (criterion: < 4)")
    return 0 if worst < 4.0 else 1


if __name__ == "__main__":
    sys.exit(main())
