"""hedgesim: Monte Carlo delta-hedging simulations from Python, over libhedgesim.

    import hedgesim
    r = hedgesim.run("scenarios/derman_kamal.ini", paths=100_000, seed=42,
                     set={"model.sigma": 0.3})
    r.summary["strategies"][0]["pnl"]["std"]   # the JSON of `hedgesim run --json`
    r.pnl                                      # NumPy, strategies x paths, no copy
    print(r)                                   # the table `hedgesim run` prints

Only ctypes and NumPy (Debian's python3-numpy); pandas is used by Result.to_frame when
it is installed.  The library is the one `meson install` put beside this package, or
$HEDGESIM_LIBRARY (hedgesim/_lib.py).  docs/api.md describes the C API underneath.
"""

import ctypes
import json
import numbers
import threading

import numpy as np

from . import _lib

__all__ = ["run", "run_string", "Result", "HedgesimError", "InputError", "SimulationError",
           "__version__"]

__version__ = _lib.lib.hs_version().decode()


class HedgesimError(Exception):
    """A failed run: .message is the library's one line, .exit_code the command's exit
    code for it (2 bad input, 1 runtime failure)."""

    exit_code = 1

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class InputError(HedgesimError, ValueError):
    """Bad input: the message names file:line (or the override), key, value and what
    was expected, as `hedgesim run` does before exiting with 2."""

    exit_code = 2


class SimulationError(HedgesimError, RuntimeError):
    """A runtime or numerical failure (out of memory, I/O, NaN): the command's exit 1."""

    exit_code = 1


# One run at a time from this process: each run already uses every core (OpenMP), and
# GSL's error handler is process-wide (docs/api.md, "Thread safety").
_lock = threading.Lock()


def _raise(err):
    msg = err.msg.decode("utf-8", "replace")
    if err.status == 2:
        raise InputError(msg)
    raise SimulationError(msg)


def _value_text(value):
    """An override's value as the scenario file would write it."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        # The shortest text that reads back as the same double (NumPy scalars too).
        return repr(float(value))
    if isinstance(value, (list, tuple, np.ndarray)):
        return ",".join(_value_text(v) for v in value)  # a sweep (strategy keys)
    return str(value)


def _c_text(what, text):
    """text as the C string the library reads; a NUL byte would silently end it there, so
    it is refused as the command refuses one in a file."""
    text = str(text)
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        raise InputError("%s: a NUL byte at line %d (expected text without NUL bytes)"
                         % (what, line))
    return text.encode()


def _option(name, value):
    if value is None:
        return -1
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise InputError("%s=%r: expected a whole number (see [simulation] %s in "
                         "`hedgesim list`)" % (name, value, name))
    return int(value)


def _prepare(paths, seed, threads, set):
    opts = _lib.SimOpts()
    _lib.lib.hs_sim_opts_init(ctypes.byref(opts))
    opts.paths = _option("paths", paths)
    opts.seed = _option("seed", seed)
    opts.threads = _option("threads", threads)
    items = []
    for key, value in (set or {}).items():
        item = "%s=%s" % (key, _value_text(value))
        items.append(_c_text("set %s" % key, item))
    sets = (ctypes.c_char_p * max(len(items), 1))(*items)
    return opts, sets, len(items)


def run(scenario, paths=None, seed=None, threads=None, set=None):
    """Run the scenario file with the overrides of `hedgesim run SCENARIO --paths P
    --seed S --threads T --set KEY=VALUE...` (set: {"model.sigma": 0.3, ...}; a list is
    a sweep where the key allows one).  Returns a Result; raises InputError (bad input,
    the command's exit 2) or SimulationError (exit 1)."""
    opts, sets, n = _prepare(paths, seed, threads, set)
    sim = ctypes.c_void_p()
    err = _lib.Error()
    path = _c_text("scenario path", scenario)
    with _lock:
        st = _lib.lib.hs_sim_run(path, sets, n, ctypes.byref(opts), ctypes.byref(sim),
                                 ctypes.byref(err))
    if st:
        _raise(err)
    return Result(_Sim(sim))


def run_string(text, name="<string>", paths=None, seed=None, threads=None, set=None):
    """The same as run() for a scenario held in a string (INI text); `name` stands for
    the file in messages, and relative data files resolve from it."""
    opts, sets, n = _prepare(paths, seed, threads, set)
    sim = ctypes.c_void_p()
    err = _lib.Error()
    with _lock:
        st = _lib.lib.hs_sim_run_string(_c_text(str(name), text), _c_text("name", name), sets, n,
                                        ctypes.byref(opts), ctypes.byref(sim),
                                        ctypes.byref(err))
    if st:
        _raise(err)
    return Result(_Sim(sim))


class _Sim:
    """Owns one hs_sim; freed when the last array viewing its memory is gone."""

    def __init__(self, ptr):
        self.ptr = ptr

    def __del__(self):
        if self.ptr:
            _lib.lib.hs_sim_free(self.ptr)
            self.ptr = None


class Result:
    """One run.  summary: the JSON summary as a dict (`hedgesim run --json`);
    strategies: names, in the order of the arrays' rows; pnl, hedge_error, cost, carry,
    trades: read-only NumPy arrays of shape (strategies, paths) viewing the library's
    memory (no copy; they keep the run alive); table: the terminal table; json: the
    JSON text.  Money is at maturity in time-T money (docs/outputs.md)."""

    def __init__(self, sim):
        lib = _lib.lib
        p = sim.ptr
        self.json = lib.hs_sim_json(p).decode()
        self.summary = json.loads(self.json)
        self.table = lib.hs_sim_table_text(p).decode()
        n = lib.hs_sim_n_strategies(p)
        self.strategies = [lib.hs_sim_strategy_name(p, i).decode() for i in range(n)]
        self.paths = int(lib.hs_sim_paths(p))
        shape = (n, self.paths)
        self.pnl = _view(sim, lib.hs_sim_pnl(p), ctypes.c_double, np.float64, shape)
        self.hedge_error = _view(sim, lib.hs_sim_hedge_error(p), ctypes.c_double, np.float64,
                                 shape)
        self.cost = _view(sim, lib.hs_sim_cost(p), ctypes.c_double, np.float64, shape)
        self.carry = _view(sim, lib.hs_sim_carry(p), ctypes.c_double, np.float64, shape)
        self.trades = _view(sim, lib.hs_sim_trades(p), ctypes.c_float, np.float32, shape)

    def __repr__(self):
        return "<hedgesim.Result %s: %d strategies x %d paths>" % (
            self.summary.get("scenario"), len(self.strategies), self.paths)

    def __str__(self):
        return self.table

    def to_frame(self):
        """The per-path results as a pandas DataFrame in the layout of pnl.csv (one row
        per path and strategy: path, strategy, pnl, hedge_error, cost, carry, trades).
        Needs pandas."""
        try:
            import pandas as pd
        except ImportError as e:
            raise ImportError("hedgesim.Result.to_frame needs pandas (Debian: python3-pandas);"
                              " the arrays .pnl, .hedge_error, ... need only NumPy") from e
        n, m = self.pnl.shape
        return pd.DataFrame({
            "path": np.tile(np.arange(m, dtype=np.uint64), n),
            "strategy": pd.Categorical(np.repeat(np.array(self.strategies, dtype=object), m),
                                       categories=self.strategies),
            "pnl": self.pnl.reshape(-1),
            "hedge_error": self.hedge_error.reshape(-1),
            "cost": self.cost.reshape(-1),
            "carry": self.carry.reshape(-1),
            "trades": self.trades.reshape(-1),
        })


def _view(owner, address, ctype, dtype, shape):
    """A read-only array over the library's memory that keeps owner alive."""
    count = shape[0] * shape[1]
    if not address or count == 0:
        return np.zeros(shape, dtype=dtype)
    buf = (ctype * count).from_address(address)
    buf._owner = owner  # the hs_sim lives while this buffer (the array's base) does
    a = np.frombuffer(buf, dtype=dtype).reshape(shape)
    a.flags.writeable = False
    return a
