"""Tests of the Python package (python/hedgesim) against the command (issue 15).

    /usr/bin/python3 tests/python/test_hedgesim.py HEDGESIM_BINARY

run from the source root with PYTHONPATH=python and HEDGESIM_LIBRARY=build/libhedgesim.so
(tests/meson.build sets both).  What the package must give is what the command gives:
  - .json / .summary: the text of `hedgesim run --json` for the same scenario, seed,
    paths, threads and overrides, byte for byte (the timing lines aside);
  - .pnl, .hedge_error, .cost, .carry, .trades: the rows of `--out DIR --pnl`'s pnl.csv
    (written with %.17g, so equality is exact), views of the library's memory;
  - bad input: InputError with the command's one-line message and exit code 2, for
    every file of scenarios/bad/ and for bad options;
  - the same arrays for 1 and 2 threads.
Prints "cli: N passed, N failed (python)", the closing line scripts/test adds up.
"""

import csv
import gc
import glob
import os
import subprocess
import sys
import tempfile
import unittest

if os.environ.get("HS_SANITIZE", "none") != "none":
    print("skipped: libhedgesim is built with -fsanitize=%s, which a plain python3 cannot load"
          % os.environ["HS_SANITIZE"])
    sys.exit(77)

import numpy as np  # noqa: E402

import hedgesim  # noqa: E402

BIN = None


def command(*args):
    """Run the hedgesim command: (exit code, stdout, stderr)."""
    p = subprocess.run([BIN] + list(args), capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def untimed(text):
    """The JSON text without the lines that hold wall time."""
    return "\n".join(l for l in text.splitlines() if '"seconds"' not in l and '"ns_per' not in l)


class TestSummary(unittest.TestCase):
    def check_same_json(self, scenario, args, **kw):
        rc, out, err = command("run", scenario, "--json", "--quiet", *args)
        self.assertEqual(rc, 0, err)
        r = hedgesim.run(scenario, **kw)
        self.assertEqual(untimed(r.json), untimed(out))
        self.assertEqual(r.summary["seed"], kw.get("seed", r.summary["seed"]))
        self.assertEqual(r.strategies, [s["name"] for s in r.summary["strategies"]])
        return r

    def test_json_equals_command(self):
        r = self.check_same_json("scenarios/derman_kamal.ini",
                                 ["--paths", "3000", "--seed", "11", "--threads", "2",
                                  "--set", "model.sigma=0.3"],
                                 paths=3000, seed=11, threads=2, set={"model.sigma": 0.3})
        self.assertEqual(r.summary["model"]["sigma"], 0.3)
        self.assertEqual(r.pnl.shape, (2, 3000))

    def test_json_equals_command_sweep_and_costs(self):
        # A list in a [strategy.*] key is a sweep, as --set strategy.hedge.hedges=1,2,4.
        r = self.check_same_json("scenarios/leland_costs.ini",
                                 ["--paths", "2000", "--seed", "3",
                                  "--set", "strategy.bs.hedges=7,21"],
                                 paths=2000, seed=3, set={"strategy.bs.hedges": [7, 21]})
        self.assertGreaterEqual(len(r.strategies), 3)

    def test_json_equals_command_other_models(self):
        for sc in ("scenarios/heston_stress.ini", "scenarios/jump_crash.ini"):
            with self.subTest(scenario=sc):
                self.check_same_json(sc, ["--paths", "1000", "--seed", "2"], paths=1000, seed=2)

    def test_table_equals_command(self):
        rc, out, err = command("run", "scenarios/derman_kamal.ini", "--paths", "2000", "--quiet")
        r = hedgesim.run("scenarios/derman_kamal.ini", paths=2000)
        # The first line holds the run's seconds.
        self.assertEqual(str(r).split("\n", 1)[1], out.split("\n", 1)[1])

    def test_override_values_as_text(self):
        # NumPy scalars and arrays are written as Python's: the shortest round-trip text.
        a = hedgesim.run("scenarios/derman_kamal.ini", paths=500, seed=np.int64(3),
                         set={"model.sigma": np.float64(0.1) + np.float64(0.2),
                              "strategy.hedge.hedges": np.array([21, 84])})
        b = hedgesim.run("scenarios/derman_kamal.ini", paths=500, seed=3,
                         set={"model.sigma": 0.30000000000000004,
                              "strategy.hedge.hedges": "21, 84"})
        self.assertEqual(a.summary["model"]["sigma"], 0.1 + 0.2)
        self.assertEqual(untimed(a.json), untimed(b.json))

    def test_run_string(self):
        text = open("scenarios/derman_kamal.ini").read()
        a = hedgesim.run_string(text, "scenarios/derman_kamal.ini", paths=1000, seed=4)
        b = hedgesim.run("scenarios/derman_kamal.ini", paths=1000, seed=4)
        self.assertTrue(np.array_equal(a.pnl, b.pnl))


class TestArrays(unittest.TestCase):
    def test_arrays_equal_pnl_csv(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "run")
            rc, _, err = command("run", "scenarios/leland_costs.ini", "--paths", "1500",
                                 "--seed", "9", "--out", out, "--pnl", "--quiet")
            self.assertEqual(rc, 0, err)
            r = hedgesim.run("scenarios/leland_costs.ini", paths=1500, seed=9)
            n = 0
            with open(os.path.join(out, "pnl.csv"), newline="") as f:
                for row in csv.DictReader(f):
                    s = r.strategies.index(row["strategy"])
                    p = int(row["path"])
                    for col in ("pnl", "hedge_error", "cost", "carry"):
                        self.assertEqual(getattr(r, col)[s, p], float(row[col]),
                                         "%s of %s, path %d" % (col, row["strategy"], p))
                    self.assertEqual(r.trades[s, p], float(row["trades"]))
                    n += 1
            self.assertEqual(n, r.pnl.size)
            # The attribution holds path by path: pnl = edge + hedge_error - cost + carry.
            edge = np.array([s["edge"] for s in r.summary["strategies"]])[:, None]
            self.assertLess(np.max(np.abs(r.pnl - (edge + r.hedge_error - r.cost + r.carry))),
                            1e-9)

    def test_views_without_copy(self):
        r = hedgesim.run("scenarios/derman_kamal.ini", paths=1000, seed=1)
        self.assertFalse(r.pnl.flags.owndata)
        self.assertFalse(r.pnl.flags.writeable)
        self.assertTrue(r.pnl.flags.c_contiguous)
        self.assertEqual(r.pnl.dtype, np.float64)
        self.assertEqual(r.trades.dtype, np.float32)
        # The arrays keep the run alive: use them after the Result is gone.
        keep = r.pnl
        copy = np.array(keep)
        del r
        gc.collect()
        hedgesim.run("scenarios/derman_kamal.ini", paths=1000, seed=2)  # reuse freed memory
        self.assertTrue(np.array_equal(keep, copy))

    def test_threads_give_the_same_paths(self):
        a = hedgesim.run("scenarios/heston_stress.ini", paths=1000, seed=5, threads=1)
        b = hedgesim.run("scenarios/heston_stress.ini", paths=1000, seed=5, threads=2)
        for col in ("pnl", "hedge_error", "cost", "carry", "trades"):
            self.assertTrue(np.array_equal(getattr(a, col), getattr(b, col)), col)
        self.assertEqual(untimed(a.json).replace('"threads": 1', '"threads": 2'), untimed(b.json))

    def test_to_frame(self):
        r = hedgesim.run("scenarios/derman_kamal.ini", paths=500, seed=1)
        try:
            import pandas  # noqa: F401
        except ImportError:
            with self.assertRaisesRegex(ImportError, "needs pandas"):
                r.to_frame()
            return
        df = r.to_frame()
        self.assertEqual(len(df), r.pnl.size)
        self.assertEqual(list(df.columns),
                         ["path", "strategy", "pnl", "hedge_error", "cost", "carry", "trades"])


class TestErrors(unittest.TestCase):
    def test_bad_scenarios_raise_the_command_message(self):
        files = sorted(glob.glob("scenarios/bad/*.ini"))
        self.assertGreater(len(files), 10)
        for path in files:
            with self.subTest(path=path):
                rc, _, err = command("run", path, "--quiet")
                self.assertEqual(rc, 2, err)
                with self.assertRaises(hedgesim.InputError) as cm:
                    hedgesim.run(path)
                self.assertEqual("hedgesim: " + cm.exception.message, err.strip())
                self.assertEqual(cm.exception.exit_code, 2)
                self.assertIsInstance(cm.exception, ValueError)

    def test_bad_overrides_raise_the_command_message(self):
        cases = [(["--paths", "1"], dict(paths=1)),
                 (["--set", "model.sigma=-1"], dict(set={"model.sigma": -1})),
                 (["--set", "modle.sigma=0.2"], dict(set={"modle.sigma": 0.2})),
                 (["--set", "strategy.hedge.vol=abc"], dict(set={"strategy.hedge.vol": "abc"}))]
        for args, kw in cases:
            with self.subTest(args=args):
                rc, _, err = command("run", "scenarios/derman_kamal.ini", "--quiet", *args)
                self.assertEqual(rc, 2)
                with self.assertRaises(hedgesim.InputError) as cm:
                    hedgesim.run("scenarios/derman_kamal.ini", **kw)
                self.assertEqual("hedgesim: " + cm.exception.message, err.strip())
                self.assertIn(":", cm.exception.message)

    def test_file_line_in_message(self):
        with self.assertRaisesRegex(hedgesim.InputError, r"^scenarios/bad/out_of_range\.ini:\d+: "):
            hedgesim.run("scenarios/bad/out_of_range.ini")

    def test_grid_is_refused_with_its_line(self):
        with self.assertRaisesRegex(hedgesim.InputError,
                                    r"jump_intensity_grid\.ini:\d+: \[grid\] model\.lambda"):
            hedgesim.run("scenarios/jump_intensity_grid.ini", paths=100)

    def test_python_side_checks(self):
        for kw in (dict(paths=-1), dict(seed=1.5), dict(threads=True)):
            with self.subTest(kw=kw):
                with self.assertRaises(hedgesim.InputError):
                    hedgesim.run("scenarios/derman_kamal.ini", **kw)
        with self.assertRaisesRegex(hedgesim.InputError, "cannot open"):
            hedgesim.run("scenarios/no_such_file.ini")
        # A NUL byte would end the C string early (the value "0.2" would be used):
        # refused, as the command refuses one in a file.
        with self.assertRaisesRegex(hedgesim.InputError, "set model.sigma: a NUL byte"):
            hedgesim.run("scenarios/derman_kamal.ini", paths=100,
                         set={"model.sigma": "0.2\0x"})
        with self.assertRaisesRegex(hedgesim.InputError, "s.ini: a NUL byte at line 2"):
            hedgesim.run_string("[simulation]\npaths = 100\0\n", name="s.ini")


if __name__ == "__main__":
    BIN = sys.argv.pop(1)
    runner = unittest.TextTestRunner(verbosity=2)
    result = runner.run(unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]))
    failed = len(result.failures) + len(result.errors)
    print("cli: %d passed, %d failed (python)" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
