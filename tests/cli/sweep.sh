#!/usr/bin/env bash
# The extreme-value sweep (issue 10): every key of every model, rebalancing rule, hedge
# ratio, friction (the keys of every [strategy.*]) and stress overlay, as `hedgesim list`
# prints it, is set through --set on a small scenario where it applies (200 paths, 8
# steps), at each end of its range and just outside it (an open end: just inside, and the
# end itself); a key with named values (a|b) takes each name and a wrong one.  Each run
# must exit 0 with a JSON summary whose numbers are all finite (null only where
# docs/outputs.md says a quantity may not apply: hedges, derman_kamal_std), or exit 2
# with exactly one line on stderr: never 1, never a signal, never past `timeout 20`.
# Keys whose value is a list or a file are not swept.
# Usage: tests/cli/sweep.sh PATH/TO/hedgesim   (run from the source root)
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" list >"$tmp/list" || { echo "FAIL: $bin list"; echo "cli: 0 passed, 1 failed"; exit 1; }
exec /usr/bin/python3 - "$bin" "$tmp" "$PWD" <<'PY'
import concurrent.futures, json, os, random, re, subprocess, sys

COMBINATIONS = 100

bin_, tmp, root = sys.argv[1:4]
data = os.path.join(root, "scenarios", "data", "eu_stock_markets.csv")

# Base scenarios: 200 paths, 8 steps of a 8/252-year option (so that the data models,
# one step per trading day, fit too).
common = """[simulation]
paths = 200
seed = 7
steps = 8
[market]
spot = 100
rate = 0.03
[option]
type = call
strike = 100
maturity = 0.031746031746031744
quantity = -1
vol = 0.2
"""
models = {
    "gbm": "type = gbm\nsigma = 0.2\n",
    "merton": "type = merton\nsigma = 0.2\nlambda = 1\njump_mean = -0.1\njump_std = 0.15\n",
    "regime": "type = regime\nvols = 0.12, 0.45\nrates = -2, 2, 12, -12\nlambdas = 0, 6\n"
              "jump_mean = -0.05\njump_std = 0.04\nstart = -1\n",
    "regime1": "type = regime\nsigma = 0.2\nstart = 0\n",
    "bootstrap": f"type = bootstrap\nfile = {data}\ncolumn = DAX\nblock = 5\n",
    "replay": f"type = replay\nfile = {data}\ncolumn = DAX\n",
    "heston": "type = heston\nv0 = 0.04\nkappa = 2\ntheta = 0.04\nxi = 0.5\nrho = -0.7\n",
    "garch": "type = garch\nomega = 2e-06\nalpha = 0.08\nbeta = 0.9\ndist = t\nnu = 6\n",
}
one_strategy = "[strategy.h]\nhedges = 8\n"
# One strategy per rule and per ratio, so that each key has a section to go to.
strategies = """[strategy.iv]
rebalance = interval
hedges = 4
[strategy.ev]
rebalance = interval
every = 2
[strategy.bd]
rebalance = band
band = 0.1
to = target
[strategy.ww]
rebalance = whalley_wilmott
cost = 0.01
risk_aversion = 1
[strategy.mv]
rebalance = move
move = 0.05
[strategy.rz]
ratio = realized
hedges = 8
decay = 0.94
init_vol = 0.2
[strategy.rw]
ratio = realized
hedges = 8
window = 4
[strategy.le]
ratio = leland
hedges = 4
cost = 0.01
[strategy.dg]
ratio = delta_gamma
hedges = 4
hedge_type = call
hedge_strike = 105
hedge_maturity = 0.25
hedge_vol = 0.2
[strategy.md]
ratio = model
hedges = 4
"""
# min_variance in a base of its own: its pairs of range ends (train_paths = 2e6 trains for
# about 1 s at 2 hedges) then meet only its own keys, not every key of every strategy.
hmc = """[strategy.hm]
ratio = min_variance
hedges = 2
train_paths = 2000
"""
stress = """[stress.c]
type = crash
time = 0.01
size = -0.1
[stress.g]
type = gap
step = 2
size = 0.1
[stress.v]
type = vol
from = 0
to = 0.02
factor = 2
[stress.i]
type = implied
time = 0.01
size = 5
[risk]
horizons = 0.011904761904761904
mark = implied
drawdown = 1
"""

def write(name, model, body):
    path = os.path.join(tmp, name + ".ini")
    with open(path, "w") as f:
        f.write(f"[scenario]\nname = sweep_{name}\n" + common + "[model]\n" + model + body)
    return path

bases = {m: write(m, text, one_strategy) for m, text in models.items()}
bases["strategies"] = write("strategies", models["gbm"], strategies)
bases["hmc"] = write("hmc", models["gbm"], hmc)
bases["stress"] = write("stress", models["gbm"], one_strategy + stress)

# Where each key goes: (base, section) by the part of `hedgesim list` it is listed in.
rule_section = {"hedges": "iv", "every": "ev", "band": "bd", "to": "bd",
                "risk_aversion": "ww", "move": "mv"}
ratio_section = {"decay": "rz", "init_vol": "rz", "window": "rw", "hedge_type": "dg",
                 "hedge_strike": "dg", "hedge_maturity": "dg", "hedge_vol": "dg",
                 "model_delta": "md", "basis": "hm", "order": "hm", "train_paths": "hm",
                 "state": "hm"}
stress_section = {"crash": "c", "gap": "g", "vol": "v", "implied": "i"}

def target(part, item, key):
    if part == "models":
        base = "regime1" if (item, key) == ("regime", "sigma") else item
        return bases[base], "model." + key
    if part == "rules":
        return bases["strategies"], f"strategy.{rule_section[key]}.{key}"
    if part == "ratios":
        section = ratio_section[key]
        return bases["hmc" if section == "hm" else "strategies"], f"strategy.{section}.{key}"
    if part == "frictions":
        return bases["strategies"], f"strategy.iv.{key}"
    if part == "stress":
        return bases["stress"], f"stress.{stress_section[item]}.{key}"
    if part == "risk":
        return bases["stress"], f"risk.{key}"
    return None, None

def fmt(x):
    s = "%.12g" % x
    return s

def values(rng):
    """The values to try for a range as `list` prints it, and those inside it (for the
    combinations)."""
    m = re.fullmatch(r"([\[(])(\S+), (\S+)([\])])", rng)
    if m:
        lo, hi = float(m.group(2)), float(m.group(3))
        dlo, dhi = 1e-9 * max(1.0, abs(lo)), 1e-9 * max(1.0, abs(hi))
        lo_in, lo_out = (lo, lo - dlo) if m.group(1) == "[" else (lo + dlo, lo)
        hi_in, hi_out = (hi, hi + dhi) if m.group(4) == "]" else (hi - dhi, hi)
        # Far outside and not numbers at all: refused, never run.
        far = ["1e308", "-1e308", "nan", "inf"]
        return [fmt(v) for v in (lo_in, lo_out, hi_in, hi_out)] + far, \
            [fmt(v) for v in (lo_in, hi_in, (lo + hi) / 2)]
    if "|" in rng:
        names = [v for v in rng.split("|") if v]
        return names + ["bogus"], names
    return [], []  # list, text: not swept

# Parse `hedgesim list`.
parts = {"models": "models", "rebalancing": "rules", "hedge ratios": "ratios",
         "hedge vol, frictions": "frictions", "stress overlays": "stress",
         "horizon risk": "risk", "instruments": None}
cases = []
in_range = {}
derived = set()
part = item = None
for line in open(os.path.join(tmp, "list")):
    line = line.rstrip("\n")
    if not line.startswith(" "):
        part = next((v for k, v in parts.items() if line.startswith(k)), None)
        item = None
        continue
    if part is None:
        continue
    m = re.match(r"^  (\S+)\s", line)
    if m and not line.startswith("   "):
        item = m.group(1)
        continue
    m = re.match(r"^      (\S+)\s+(\[\S+, \S+\]|\(\S+, \S+\]|\[\S+, \S+\)|\(\S+, \S+\)|\S+)", line)
    if m:
        key, rng = m.group(1), m.group(2)
        if re.search(r"\bderived\b", line[len(m.group(0)):]):
            derived.add(key)
        base, setkey = target(part, item, key)
        tried, inside = values(rng)
        for v in tried:
            cases.append(([base], [f"{setkey}={v}"], f"{part} {item or ''} {key} {rng}"))
        if inside:
            in_range.setdefault(base, []).append((setkey, inside))

# Combinations: every key of a base at once, each at an end of its range or its middle
# (seeded, so the same runs every time), and every pair of keys at their ends: single
# extremes pass where combinations fail.
for base, keys in sorted(in_range.items()):
    # Every pair of keys at the ends of their ranges (names: the first two).
    for a in range(len(keys)):
        for b in range(a + 1, len(keys)):
            for va in keys[a][1][:2]:
                for vb in keys[b][1][:2]:
                    cases.append(([base], [f"{keys[a][0]}={va}", f"{keys[b][0]}={vb}"],
                                  "pair of ends"))
    rnd = random.Random("sweep " + os.path.basename(base))
    for i in range(COMBINATIONS):
        sets = [f"{k}={rnd.choice(v)}" for k, v in keys]
        cases.append(([base], sets, f"combination {i} of {len(keys)} keys"))

documented_null = {"hedges", "derman_kamal_std"}

def nulls(j, key="", parent="", out=None):
    """Keys holding null where no null is documented: a key `list` shows as "derived"
    may be null in the model and strategy objects (left to its default)."""
    out = [] if out is None else out
    if isinstance(j, dict):
        for k, v in j.items():
            nulls(v, k, key, out)
    elif isinstance(j, list):
        for v in j:
            nulls(v, key, parent, out)
    elif j is None and key not in documented_null and not (
            key in derived and parent in ("model", "strategies")):
        out.append(f"{parent}.{key}" if parent else key)
    return out

def bad_constant(name):
    raise ValueError("not finite: " + name)

passed = failed = 0
exits = {0: 0, 2: 0}
def fail(msg):
    global failed
    failed += 1
    print("FAIL: " + msg)

# The bases themselves must run.
for name, path in bases.items():
    r = subprocess.run([bin_, "run", path, "--json", "--quiet"], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"base {name} exited {r.returncode}: {r.stderr.strip()}")
    else:
        passed += 1

def run_case(case, leaks=True):
    (base,), sets, _ = case
    args = ["timeout", "20", bin_, "run", base, "--json", "--quiet"]
    for a in sets:
        args += ["--set", a]
    env = None
    if not leaks:
        env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    return subprocess.run(args, capture_output=True, text=True, errors="replace", env=env)

# Under the sanitizers (ASAN_OPTIONS with detect_leaks=1, as scripts/test sets it) the
# leak check at exit is most of a run's cost (about 40 of 90 ms here): every single key
# at every value runs with it, the pairs and combinations without, and then one
# representative of each distinct outcome among those (exit 2: the message with its
# numbers blanked; exit 0: the base and the named values set) runs again with it.  Every
# run keeps AddressSanitizer's and UndefinedBehaviorSanitizer's checks.
leak_split = "detect_leaks=1" in os.environ.get("ASAN_OPTIONS", "")
def single(case):
    return len(case[1]) == 1

# The runs go on as many at once as this process may use cores (HS_SWEEP_JOBS to
# change it): each is a process of its own, and under the sanitizers (meson test
# --num-processes 1) one at a time took most of the suite's time.  The results are read
# in the cases' order, so the report is the same for any number of jobs.
jobs = int(os.environ.get("HS_SWEEP_JOBS", "0")) or len(os.sched_getaffinity(0))
with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
    results = list(pool.map(lambda c: run_case(c, not leak_split or single(c)), cases))
    if leak_split:
        def outcome(case, r):
            if r.returncode == 2:
                return (2, re.sub(r"'[^']*'|[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", "#",
                                  r.stderr.strip()))
            named = tuple(a for a in case[1] if not re.search(r"=[-+0-9.]", a))
            return (r.returncode, case[0][0], named)
        seen, again = set(), []
        for i, (case, r) in enumerate(zip(cases, results)):
            o = outcome(case, r)
            if single(case):
                seen.add(o)
            elif o not in seen:
                seen.add(o)
                again.append(i)
        for i, r in zip(again, pool.map(lambda i: run_case(cases[i]), again)):
            if r.returncode != results[i].returncode:
                results[i] = r  # a leak (exit 1 under AddressSanitizer) fails the case below
        print(f"sweep: leak checks on the {sum(map(single, cases))} runs that set one key "
              f"and {len(again)} distinct outcomes of the other runs")

for ((base,), sets, what), r in zip(cases, results):
    rc = r.returncode
    label = f"{os.path.basename(base)} --set {' --set '.join(sets)} ({what})"
    err = r.stderr.strip()
    if rc in exits:
        exits[rc] += 1
    if os.environ.get("HS_SWEEP_VERBOSE"):
        print(f"{label}: exit {rc}: {err[:200]}")
    if rc == 0:
        try:
            j = json.loads(r.stdout, parse_constant=bad_constant)
        except ValueError as e:
            fail(f"{label}: exit 0 with bad JSON: {e}")
            continue
        n = sorted(set(nulls(j)))
        if n:
            fail(f"{label}: exit 0 with null (not finite) in {', '.join(n)}")
        else:
            passed += 1
    elif rc == 2:
        lines = [l for l in r.stderr.split("\n") if l]
        if len(lines) != 1:
            fail(f"{label}: exit 2 with {len(lines)} lines on stderr: {err[:300]}")
        else:
            passed += 1
    elif rc == 124:
        fail(f"{label}: over 20 s (timeout)")
    elif rc < 0 or rc > 128:
        fail(f"{label}: killed by signal {-rc if rc < 0 else rc - 128}: {err[:300]}")
    else:
        fail(f"{label}: exit {rc}: {err[:300]}")

n_keys = sum(len(k) for k in in_range.values())
print(f"sweep: {len(cases)} runs ({n_keys} keys, {COMBINATIONS} combinations per base): "
      f"{exits[0]} exit 0, {exits[2]} exit 2")
print(f"cli: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
