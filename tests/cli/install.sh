#!/usr/bin/env bash
# `meson install` as a user of the library sees it (issue 15): install the build tree
# into a temporary directory (DESTDIR), then, with nothing but `pkg-config hedgesim`
# (PKG_CONFIG_PATH pointed at the installed hedgesim.pc), compile every public header
# alone and both examples (examples/), linked to the shared library and, from a folder
# holding only libhedgesim.a, statically (which needs every private requirement of
# hedgesim.pc: GSL, inih, jansson, OpenMP); run them and check their output; load
# the installed Python package from its installed place.
#   tests/cli/install.sh HEDGESIM BUILD_DIR CC SANITIZE
# SANITIZE is meson's b_sanitize ("none" or e.g. "address,undefined"): the examples are
# then compiled with the same -fsanitize flags, and the Python part is skipped (a plain
# python3 cannot load a library built with AddressSanitizer).
. "$(dirname "$0")/lib.sh" "$@"
# meson test points LD_LIBRARY_PATH at the build tree (the test depends on the library):
# a user's program has only what the install gives it.
unset LD_LIBRARY_PATH
build=$2
cc=$3
san=${4:-none}
flags=(-std=c11 -Wall -Wextra -pedantic -Werror)
[ "$san" != none ] && flags+=("-fsanitize=$san")

dest=$tmp/dest
if meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >"$tmp/install.log" 2>&1; then
    ok
else
    bad "meson install failed: $(tail -3 "$tmp/install.log")"
    done_tests install
fi

# What must be there.
pc=$(find "$dest" -name hedgesim.pc | head -1)
for f in "$pc" $(find "$dest" -name 'libhedgesim.so.0' -o -name libhedgesim.a | sort) \
    "$(find "$dest" -path '*/include/hedgesim/hedgesim.h')" \
    "$(find "$dest" -path '*/man1/hedgesim.1')" "$(find "$dest" -path '*/plot/pnl_density.gp')" \
    "$(find "$dest" -path '*/hedgesim/__init__.py')"; do
    if [ -n "$f" ] && [ -f "$f" ]; then ok; else bad "not installed: ${f:-(missing)}"; fi
done
[ "$(find "$dest" -name 'libhedgesim.so*' | wc -l)" -ge 2 ] && [ -n "$pc" ] && ok ||
    bad "libhedgesim.so and hedgesim.pc not both installed"
# A build with MPI installs its module where the command looks for it (<libdir>/hedgesim/,
# src/parallel/comm.c), and the command itself does not link Open MPI.
if [ -f "$build/hedgesim-mpi.so" ]; then
    if find "$dest" -path '*/hedgesim/hedgesim-mpi.so' | grep -q .; then ok; else
        bad "hedgesim-mpi.so not installed in <libdir>/hedgesim/"
    fi
fi

# The man page renders without a warning (groff's own check, where groff is installed).
man1=$(find "$dest" -path '*/man1/hedgesim.1' | head -1)
if command -v groff >/dev/null && [ -n "$man1" ]; then
    if groff -man -ww -z "$man1" 2>"$tmp/groff.err" && [ ! -s "$tmp/groff.err" ]; then
        ok
    else
        bad "hedgesim(1): $(head -3 "$tmp/groff.err")"
    fi
fi

# hedgesim.pc is relocatable (its prefix is found from its own place, pkgconfig.relocatable
# in meson.build).  A build directory configured before that default keeps prefix=/usr/...:
# point that prefix into DESTDIR, as a packager relocating the tree would.
export PKG_CONFIG_PATH=$(dirname "$pc")
if ! grep -q '^prefix=${pcfiledir}' "$pc"; then
    prefix=$(sed -n 's/^prefix=//p' "$pc")
    mkdir -p "$tmp/pc"
    sed "s|^prefix=.*|prefix=$dest$prefix|" "$pc" >"$tmp/pc/hedgesim.pc"
    PKG_CONFIG_PATH=$tmp/pc
    echo "note: $pc has prefix=$prefix (not relocatable: reconfigure with -Dpkgconfig.relocatable=true); relocated for the test"
fi
libdir=$(pkg-config --variable=libdir hedgesim)
[ -f "$libdir/libhedgesim.a" ] && ok || bad "pkg-config libdir $libdir holds no libhedgesim.a"

# Every public header compiles alone (it includes what it uses).
for h in "$(pkg-config --variable=includedir hedgesim)"/hedgesim/*.h; do
    name=hedgesim/$(basename "$h")
    if printf '#include <%s>\nint main(void) { return 0; }\n' "$name" |
        "$cc" "${flags[@]}" -x c - -o "$tmp/h.out" $(pkg-config --cflags --libs hedgesim) \
            2>"$tmp/h.err"; then
        ok
    else
        bad "$name does not compile alone: $(head -3 "$tmp/h.err")"
    fi
done

# The examples, linked to the shared library (found at run time through its rpath).
mkdir -p "$tmp/static"
ln -s "$libdir/libhedgesim.a" "$tmp/static/libhedgesim.a"
for ex in run_scenario sweep_pnl; do
    if "$cc" "${flags[@]}" -o "$tmp/$ex" examples/$ex.c $(pkg-config --cflags --libs hedgesim) \
        -lm -Wl,-rpath,"$libdir" 2>"$tmp/cc.err"; then
        ok
    else
        bad "examples/$ex.c (shared): $(head -5 "$tmp/cc.err")"
    fi
    # Static: -L to a folder with only the .a, then everything hedgesim.pc says is private.
    if "$cc" "${flags[@]}" -o "$tmp/$ex.static" examples/$ex.c \
        $(pkg-config --cflags hedgesim) -L"$tmp/static" $(pkg-config --libs --static hedgesim) \
        -lm 2>"$tmp/cc.err"; then
        ok
    else
        bad "examples/$ex.c (static, pkg-config --static): $(head -5 "$tmp/cc.err")"
    fi
done
if [ -x "$tmp/run_scenario.static" ] && ldd "$tmp/run_scenario.static" | grep -q libhedgesim; then
    bad "the static example still needs libhedgesim.so"
else
    ok
fi
if [ -x "$tmp/run_scenario" ] && ldd "$tmp/run_scenario" | grep -q "libhedgesim.so.0 => $libdir"; then
    ok
else
    bad "run_scenario does not use the installed libhedgesim.so.0: $(ldd "$tmp/run_scenario" 2>&1 | grep hedgesim)"
fi

# run_scenario prints the command's table for the same scenario, paths and seed (the
# first line, which holds the run's seconds, aside).
"$bin" run scenarios/derman_kamal.ini --paths 3000 --seed 5 --quiet | tail -n +2 >"$tmp/cli.txt"
for v in "" .static; do
    rc=0
    "$tmp/run_scenario$v" scenarios/derman_kamal.ini 3000 5 >"$tmp/ex.txt" 2>"$tmp/ex.err" || rc=$?
    if [ "$rc" -eq 0 ] && tail -n +2 "$tmp/ex.txt" | cmp -s - "$tmp/cli.txt"; then
        ok
    else
        bad "run_scenario$v: exit $rc, table differs from hedgesim run's: $(head -3 "$tmp/ex.err")"
    fi
done
# Bad input: the command's message and exit code 2.
rc=0
"$tmp/run_scenario" scenarios/bad/duplicate_key.ini 2>"$tmp/ex.err" >/dev/null || rc=$?
"$bin" run scenarios/bad/duplicate_key.ini 2>"$tmp/cli.err" >/dev/null
if [ "$rc" -eq 2 ] && [ "$(sed 's/^run_scenario: //' "$tmp/ex.err")" = "$(sed 's/^hedgesim: //' "$tmp/cli.err")" ]; then
    ok
else
    bad "run_scenario on a bad scenario: exit $rc, '$(cat "$tmp/ex.err")'"
fi

# sweep_pnl: its std from the per-path array equals the library's, and the mean P&L of
# hedging at the 20% the option was sold at, on paths of true vol s, is the premium
# difference grown to T: (C(0.20) - C(s)) e^{rT}, by hand from Black-Scholes (S = K = 100,
# r = 0.05, T = 1/12): C(0.20) = 2.512067, C(0.15) = 1.939617, C(0.30) = 3.659 ->
# +0.574840 at s = 0.15 and -1.151287 at s = 0.30; checked within 4 standard errors
# (std / sqrt(20000)) plus 0.005 of discrete-hedging bias.
for v in "" .static; do
    rc=0
    "$tmp/sweep_pnl$v" >"$tmp/sw.txt" 2>"$tmp/sw.err" || rc=$?
    if [ "$rc" -eq 0 ] && awk '
        NR > 1 { n++; if ($3 != $5) { print "std " $3 " != library std " $5; exit 1 } }
        $1 == "model.sigma=0.15" { want = 0.574840 } $1 == "model.sigma=0.30" { want = -1.151287 }
        NR > 1 && want != "" { tol = 4 * $3 / sqrt(20000) + 0.005; d = $2 - want;
            if (d > tol || -d > tol) { print $1 ": mean " $2 ", expected " want " +- " tol; exit 1 }
            checked++; want = "" }
        END { if (n != 4 || checked != 2) { print "rows " n ", checked " checked; exit 1 } }' \
        "$tmp/sw.txt" >"$tmp/sw.check"; then
        ok
    else
        bad "sweep_pnl$v: exit $rc: $(cat "$tmp/sw.check" "$tmp/sw.err")"
    fi
done

# The installed Python package, imported from where meson put it, loads the installed
# library and runs.
site=$(dirname "$(find "$dest" -path '*/hedgesim/__init__.py' | head -1)")
if [ "$san" != none ]; then
    echo "note: Python part skipped (library built with -fsanitize=$san)"
elif PYTHONPATH=$(dirname "$site") HEDGESIM_LIBRARY= /usr/bin/python3 -c '
import sys, hedgesim
lib = hedgesim._lib.lib._name
assert lib.startswith(sys.argv[1]), "loaded %s, not the installed library" % lib
r = hedgesim.run("scenarios/derman_kamal.ini", paths=500, seed=1)
assert r.pnl.shape == (2, 500), r.pnl.shape
' "$dest" 2>"$tmp/py.err"; then
    ok
else
    bad "installed Python package: $(tail -3 "$tmp/py.err")"
fi
done_tests install
