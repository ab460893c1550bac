"""Loading libhedgesim.so with ctypes and declaring the functions of hedgesim.h (hs_sim).

The library is looked for, in order:
  1. $HEDGESIM_LIBRARY, a path to libhedgesim.so (the build tree's, in the tests);
  2. where `meson install` put it, found from this package's own place (_install.py,
     written by meson at install time, holds both install directories), so that an
     installed tree moved as a whole (a DESTDIR, a copied prefix) still works;
  3. in a source checkout (python/hedgesim/ not installed), the build tree's
     build/libhedgesim.so, so that PYTHONPATH=python is all a notebook needs there;
  4. libhedgesim.so.0 through the system's loader (ld.so.conf, LD_LIBRARY_PATH).
No compiler runs at import: the declarations below mirror include/hedgesim/hedgesim.h.
"""

import ctypes
import os

SONAME = "libhedgesim.so.0"


class Error(ctypes.Structure):
    """hs_error (include/hedgesim/error.h): a status and one line of text."""

    _fields_ = [("status", ctypes.c_int), ("msg", ctypes.c_char * 1024)]


class SimOpts(ctypes.Structure):
    """hs_sim_opts (include/hedgesim/hedgesim.h); a negative value keeps the scenario's."""

    _fields_ = [
        ("paths", ctypes.c_longlong),
        ("seed", ctypes.c_longlong),
        ("threads", ctypes.c_int),
    ]


def _candidates():
    env = os.environ.get("HEDGESIM_LIBRARY")
    if env:
        yield env
        return  # an explicit choice: never fall back to another library silently
    try:
        from . import _install  # written by meson install (python/meson.build)
    except ImportError:
        _install = None
    here = os.path.dirname(os.path.abspath(__file__))
    if _install is None:
        root = os.path.dirname(os.path.dirname(here))
        if os.path.exists(os.path.join(root, "meson.build")):
            yield os.path.join(root, "build", "libhedgesim.so")
    else:
        rel = os.path.relpath(_install.LIBDIR, os.path.join(_install.PYTHONDIR, "hedgesim"))
        yield os.path.normpath(os.path.join(here, rel, SONAME))
        yield os.path.join(_install.LIBDIR, SONAME)
    yield SONAME


def _load():
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path + " (no such file)")
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError(
        "hedgesim: cannot load libhedgesim: tried " + "; ".join(tried)
        + " (expected $HEDGESIM_LIBRARY=/path/to/libhedgesim.so or an installed hedgesim)"
    )


lib = _load()

_sim_p = ctypes.c_void_p
_dbl_p = ctypes.POINTER(ctypes.c_double)

lib.hs_version.restype = ctypes.c_char_p
lib.hs_version.argtypes = []
lib.hs_sim_opts_init.restype = None
lib.hs_sim_opts_init.argtypes = [ctypes.POINTER(SimOpts)]
lib.hs_sim_run.restype = ctypes.c_int
lib.hs_sim_run.argtypes = [
    ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t,
    ctypes.POINTER(SimOpts), ctypes.POINTER(_sim_p), ctypes.POINTER(Error),
]
lib.hs_sim_run_string.restype = ctypes.c_int
lib.hs_sim_run_string.argtypes = [
    ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t,
    ctypes.POINTER(SimOpts), ctypes.POINTER(_sim_p), ctypes.POINTER(Error),
]
lib.hs_sim_free.restype = None
lib.hs_sim_free.argtypes = [_sim_p]
for _name in ("hs_sim_json", "hs_sim_table_text"):
    getattr(lib, _name).restype = ctypes.c_char_p
    getattr(lib, _name).argtypes = [_sim_p]
lib.hs_sim_n_strategies.restype = ctypes.c_size_t
lib.hs_sim_n_strategies.argtypes = [_sim_p]
lib.hs_sim_strategy_name.restype = ctypes.c_char_p
lib.hs_sim_strategy_name.argtypes = [_sim_p, ctypes.c_size_t]
lib.hs_sim_paths.restype = ctypes.c_uint64
lib.hs_sim_paths.argtypes = [_sim_p]
for _name in ("hs_sim_pnl", "hs_sim_hedge_error", "hs_sim_cost", "hs_sim_carry"):
    getattr(lib, _name).restype = ctypes.c_void_p
    getattr(lib, _name).argtypes = [_sim_p]
lib.hs_sim_trades.restype = ctypes.c_void_p
lib.hs_sim_trades.argtypes = [_sim_p]
