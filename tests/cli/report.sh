#!/usr/bin/env bash
# Tests of `hedgesim plot DIR` and `hedgesim report DIR` (src/cli/plot.c, src/cli/html.c,
# scripts/plot/): run directories built by hand from the fixtures of tests/data/report/
# (written to docs/outputs.md: single/ an ordinary run with every file, grid/ a grid run
# over model.sigma without pnl.csv and paths.csv), then real runs end to end.  Checks the
# exit codes and one-line messages for bad directories, the figures that apply (PNG and
# SVG, non-empty, none that does not apply), the page (well-formed XML, the strategy
# names, the escaped description, inline <svg>, no http:// or https://), gnuplot absent
# and gnuplot failing.  The plot checks are skipped, with a message, without gnuplot;
# a check in headless Chromium runs only where chromium is installed.
# Usage: tests/cli/report.sh PATH/TO/hedgesim   (run from the source root)
. "$(dirname "$0")/lib.sh" "$@"
py=/usr/bin/python3
figures="frontier pnl_density convergence path grid"

check() { # check DESCRIPTION CMD...: passes when CMD succeeds
    local what=$1
    shift
    if "$@"; then ok; else bad "$what"; fi
}

# expect_exit CODE CMD...: the exit code; for code 2 exactly one line on stderr.
expect_exit() {
    local want=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        bad "$* exited $rc, expected $want: $(head -c 400 "$tmp/err")"
        return 1
    fi
    if [ "$want" -eq 2 ] && [ "$(grep -c '' "$tmp/err")" -ne 1 ]; then
        bad "$*: expected one line on stderr, got: $(cat "$tmp/err")"
        return 1
    fi
    ok
}

if command -v gnuplot >/dev/null 2>&1; then
    gp=1
else
    gp=0
    echo "cli_report: gnuplot not found: skipping the checks of drawn figures (install gnuplot-nox)"
fi

# figures_are DIR "EXPECTED...": each expected figure as non-empty PNG (by its magic
# number) and SVG (well-formed XML); no other figure, no temporary file or log left.
figures_are() {
    local dir=$1 want=$2
    [ "$gp" -eq 1 ] || return 0
    for f in $figures; do
        if [[ " $want " == *" $f "* ]]; then
            check "$dir: $f.png is a PNG" test "$(head -c 4 "$dir/plots/$f.png" 2>/dev/null | tail -c 3)" = PNG
            check "$dir: $f.svg non-empty" test -s "$dir/plots/$f.svg"
            check "$dir: $f.svg is XML" $py -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$dir/plots/$f.svg"
        else
            check "$dir: $f should not be drawn" test ! -e "$dir/plots/$f.png" -a ! -e "$dir/plots/$f.svg"
        fi
    done
    check "$dir: temporary or log files left: $(ls "$dir/plots" | grep -E 'tmp|log')" \
        test -z "$(ls "$dir/plots" | grep -E '\.tmp\.|\.log$')"
}

# page_ok DIR N_SVG: report.html parses as XML, holds every strategy name of summary.json
# and its description (escaped on the way in, so equal after parsing), N_SVG inline
# <svg> elements, and no http:// or https:// anywhere.
page_ok() {
    local dir=$1 n_svg=$2
    [ "$gp" -eq 1 ] || n_svg=0
    check "$dir: report.html written" test -s "$dir/report.html"
    check "$dir: report.html has an http(s) reference" test -z "$(grep -oE 'https?://' "$dir/report.html" | head -1)"
    check "$dir: temporary file left" test -z "$(ls "$dir" | grep '\.tmp\.')"
    $py - "$dir" "$n_svg" <<'PY' && ok || bad "$dir: report.html content"
import json, sys, xml.etree.ElementTree as E
d, n_svg = sys.argv[1], int(sys.argv[2])
root = E.parse(d + "/report.html").getroot()
text = " ".join(root.itertext())
s = json.load(open(d + "/summary.json"))
runs = s["runs"] if "runs" in s else [s]
cells = ["".join(td.itertext()) for td in root.iter("td")]
for r in runs:
    for st in r["strategies"]:
        assert st["name"] in cells, st["name"]
assert runs[0]["description"] in text, "description"
svgs = [e for e in root.iter() if e.tag == "svg"]
assert len(svgs) == n_svg, ("svg elements", len(svgs), n_svg)
if "grid" in s:
    heads = [h.text for h in root.iter("h3") if h.text and h.text.startswith(s["grid"]["key"] + " = ")]
    assert len(heads) == 4 * len(runs), ("grid headings", len(heads))
# The layout a risk team reads without scrolling sideways (issue 15): the results come
# before the scenario; the first table of each run is the headline, of at most 7 columns,
# with VaR 99% and ES 99%; no table has more than 11 columns; no style keeps the
# strategy names or intervals from wrapping.
body = list(root.find("body"))
ids = [e.get("id") for e in body if e.tag == "h2"]
assert ids.index("results") < ids.index("scenario"), ids
headline = [t for t in root.iter("table") if t.get("class") == "headline"]
assert len(headline) == len(runs), ("headline tables", len(headline))
for t in headline:
    heads = ["".join(th.itertext()) for th in t.iter("th")]
    assert len(heads) <= 7 and "VaR 99%" in heads and "ES 99%" in heads, heads
    assert "P&L std" in heads and "P&L mean" in heads and "mean cost" in heads, heads
for t in root.iter("table"):
    n = max(len(tr.findall("th")) + len(tr.findall("td")) for tr in t.iter("tr"))
    assert n <= 11, ("a table of", n, "columns")
style = root.find("head").find("style").text
assert "nowrap" not in style, "white-space:nowrap in the style"
# The hedge vol column shows the vol each strategy used: a number for ratio bs.
for t in root.iter("table"):
    heads = ["".join(th.itertext()) for th in t.iter("th")]
    if "hedge vol" in heads:
        col = heads.index("hedge vol")
        for tr in t.find("tbody").findall("tr"):
            tds = tr.findall("td")
            ratio = tds[heads.index("ratio")].text
            v = "".join(tds[col].itertext())
            if ratio == "bs":
                float(v.split(",")[0])
PY
}

# expect_usage CMD...: exit 2, a message and the usage on stderr (as main.c's usage errors).
expect_usage() {
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    [ "$rc" -eq 2 ] && grep -q "^hedgesim: " "$tmp/err" && grep -q "usage:" "$tmp/err" && ok ||
        bad "$* exited $rc, expected 2 with a message and the usage: $(cat "$tmp/err")"
}

# Bad directories: exit 2, one line, nothing written.
mkdir -p "$tmp/empty"
for cmd in plot report; do
    expect_exit 2 "$bin" "$cmd" "$tmp/missing" && grep -q "no such directory" "$tmp/err" && ok ||
        bad "$cmd missing dir message: $(cat "$tmp/err")"
    expect_exit 2 "$bin" "$cmd" "$tmp/empty" && grep -q "no summary.json" "$tmp/err" && ok ||
        bad "$cmd dir without summary.json: $(cat "$tmp/err")"
    check "$cmd wrote into a bad directory" test -z "$(ls -A "$tmp/empty")"
    expect_usage "$bin" "$cmd"
    expect_usage "$bin" "$cmd" "$tmp/empty" "$tmp/empty"
    expect_usage "$bin" "$cmd" "$tmp/empty" --bogus
done
echo '{"scenario": ' >"$tmp/empty/summary.json"
expect_exit 2 "$bin" report "$tmp/empty" && grep -q "summary.json" "$tmp/err" && ok || bad "bad JSON"
rm -f "$tmp/empty/summary.json"

# The hand-made ordinary run: four figures (no grid), then the page.
cp -r tests/data/report/single "$tmp/single"
expect_exit 0 "$bin" plot "$tmp/single"
figures_are "$tmp/single" "frontier pnl_density convergence path"
for f in common.gp csv.awk $(for g in $figures; do echo "$g.gp"; done); do
    check "script $f copied" test -s "$tmp/single/plots/$f"
done
expect_exit 0 "$bin" report "$tmp/single"
page_ok "$tmp/single" 4
# The copied scripts draw on their own, as the plot command tells the user.
if [ "$gp" -eq 1 ]; then
    gnuplot -e "dir='$tmp/single'; term='svg'; out='$tmp/by_hand.svg'" "$tmp/single/plots/frontier.gp" 2>"$tmp/err"
    check "copied script by hand: $(cat "$tmp/err")" test -s "$tmp/by_hand.svg"
fi

# The report draws missing figures itself.
cp -r tests/data/report/single "$tmp/single2"
expect_exit 0 "$bin" report "$tmp/single2"
page_ok "$tmp/single2" 4

# The hand-made grid run: frontier, convergence and grid only; a stale figure of an
# earlier run in the directory is removed rather than shown.
cp -r tests/data/report/grid "$tmp/grid"
mkdir -p "$tmp/grid/plots" && echo '<svg/>' >"$tmp/grid/plots/path.svg"
expect_exit 0 "$bin" plot "$tmp/grid" --quiet
check "--quiet prints nothing" test ! -s "$tmp/out"
figures_are "$tmp/grid" "frontier pnl_density convergence grid"
expect_exit 0 "$bin" report "$tmp/grid"
page_ok "$tmp/grid" 4
# Without pnl.csv the P&L density comes from the quantiles, and the caption says so.
grep -q "quantiles imply" "$tmp/grid/report.html" && ok || bad "grid: density caption without pnl.csv"
# pairs.csv holds 6 pairs per grid value: each run's table shows its own 6.
$py - "$tmp/grid/report.html" <<'PY' && ok || bad "grid pairs tables"
import sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
body = list(root.find("body"))
i = [k for k, e in enumerate(body) if e.get("id") == "pairs"][0]
tables = []
for e in body[i + 1:]:
    if e.tag == "h2":
        break
    tables += [t for t in e.iter("table")]
assert [len(t.find("tbody").findall("tr")) for t in tables] == [6, 6, 6], [len(t.find("tbody").findall("tr")) for t in tables]
PY

# No gnuplot on PATH: exit 0, one line saying so, the scripts still copied, the page
# still written (with a note and no figure).
cp -r tests/data/report/single "$tmp/nogp"
PATH=/nonexistent expect_exit 0 "$bin" plot "$tmp/nogp"
check "no-gnuplot message: $(cat "$tmp/err")" test "$(grep -c '' "$tmp/err")" -eq 1
grep -q "gnuplot not found" "$tmp/err" && ok || bad "no-gnuplot message: $(cat "$tmp/err")"
check "scripts copied without gnuplot" test -s "$tmp/nogp/plots/frontier.gp"
check "no figure without gnuplot" test -z "$(ls "$tmp/nogp/plots" | grep -E '\.(png|svg)$')"
PATH=/nonexistent expect_exit 0 "$bin" report "$tmp/nogp"
gp_saved=$gp
gp=0 page_ok "$tmp/nogp" 0
gp=$gp_saved
grep -q "gnuplot was not found" "$tmp/nogp/report.html" && ok || bad "no-gnuplot note in the page"

# A scenario whose strategies name no hedge vol (JSON vol null): the page's "hedge vol"
# column shows the leg's traded vol, 0.2, not a dash (page_ok checks it is a number).
"$bin" run scenarios/crash_overlay.ini --paths 300 --out "$tmp/novol" --quiet >/dev/null 2>"$tmp/err"
check "crash_overlay run: $(cat "$tmp/err")" test -s "$tmp/novol/summary.json"
PATH=/nonexistent expect_exit 0 "$bin" report "$tmp/novol"
gp=0 page_ok "$tmp/novol" 0
gp=$gp_saved

# gnuplot failing on a figure: exit 1, a message naming it, its log kept, the rest drawn.
if [ "$gp" -eq 1 ]; then
    mkdir -p "$tmp/broken_scripts"
    cp scripts/plot/* "$tmp/broken_scripts/"
    echo 'plot [' >>"$tmp/broken_scripts/frontier.gp"
    cp -r tests/data/report/grid "$tmp/broken"
    HEDGESIM_PLOT_SCRIPTS="$tmp/broken_scripts" expect_exit 1 "$bin" plot "$tmp/broken"
    grep -q "frontier" "$tmp/err" && ok || bad "gnuplot failure message: $(cat "$tmp/err")"
    check "failure log kept" test -s "$tmp/broken/plots/frontier.svg.log"
    check "no figure from a failed script" test ! -e "$tmp/broken/plots/frontier.svg"
    check "other figures drawn" test -s "$tmp/broken/plots/convergence.svg"
fi

# The real thing end to end, once the run writes every file of docs/outputs.md.
"$bin" run scenarios/derman_kamal.ini --paths 4000 --out "$tmp/dk" --pnl --quiet >/dev/null 2>"$tmp/err"
if [ -s "$tmp/dk/pairs.csv" ] && [ -s "$tmp/dk/pnl.csv" ] && [ -s "$tmp/dk/paths.csv" ] &&
    [ -s "$tmp/dk/convergence.csv" ]; then
    expect_exit 0 "$bin" plot "$tmp/dk"
    figures_are "$tmp/dk" "frontier pnl_density convergence path"
    expect_exit 0 "$bin" report "$tmp/dk"
    page_ok "$tmp/dk" 4
    "$bin" run scenarios/derman_kamal.ini --paths 2000 --out "$tmp/dkgrid" --quiet \
        --set model.sigma=0.1,0.2,0.4 --set strategy.hedge.hedges=21,42,84 >/dev/null 2>"$tmp/err"
    check "grid run: $(cat "$tmp/err")" test -s "$tmp/dkgrid/summary.json"
    expect_exit 0 "$bin" report "$tmp/dkgrid"
    figures_are "$tmp/dkgrid" "frontier pnl_density convergence path grid"
    page_ok "$tmp/dkgrid" 5
else
    echo "cli_report: hedgesim run --out --pnl does not write every file of docs/outputs.md yet: skipping the end-to-end checks"
fi

# Headless Chromium, where installed (about 5 s): the inline SVG figures are parsed as
# SVG and laid out at a useful size (a script added to a copy of the page counts them
# into the title, read back from the DOM Chromium dumps).
chromium=$(command -v chromium || command -v chromium-browser || true)
t0=$(date +%s)
if [ -n "$chromium" ] && [ "$gp" -eq 1 ]; then
    sed 's|</body>|<script>document.title = "svg:" + Array.from(document.querySelectorAll("svg")).filter(function (s) { var r = s.getBoundingClientRect(); return s.namespaceURI === "http:" + "//www.w3.org/2000/svg" \&\& r.width > 300 \&\& r.height > 200; }).length;</script></body>|' \
        "$tmp/single/report.html" >"$tmp/single/check.html"
    timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --dump-dom \
        "file://$tmp/single/check.html" >"$tmp/dom" 2>/dev/null
    grep -q "<title>svg:4</title>" "$tmp/dom" && ok || bad "chromium: $(grep -o '<title>[^<]*</title>' "$tmp/dom")"
    # No table scrolls sideways at 1280 or 800 px (issue 15): every .wide box fits.
    sed 's|</body>|<script>document.title = "scroll:" + Array.from(document.querySelectorAll(".wide")).filter(function (e) { return e.scrollWidth > e.clientWidth + 1; }).length + " page:" + (document.documentElement.scrollWidth > window.innerWidth ? 1 : 0);</script></body>|' \
        "$tmp/single/report.html" >"$tmp/single/wide.html"
    for w in 1280 800; do
        timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --window-size="$w,1000" \
            --dump-dom "file://$tmp/single/wide.html" >"$tmp/dom" 2>/dev/null
        t=$(grep -o '<title>[^<]*</title>' "$tmp/dom" | head -1)
        [ "$t" = "<title>scroll:0 page:0</title>" ] && ok || bad "chromium at $w px: $t"
    done
    echo "cli_report: chromium check took $(($(date +%s) - t0)) s"
else
    echo "cli_report: skipping the browser check (it needs chromium and gnuplot)"
fi

done_tests report
