# common.gp: settings shared by the hedgesim figure scripts in this folder (loaded by
# each of them; not a figure itself).  A figure script sets `name`, `width` and `height`,
# works out `scripts` (this folder) from ARG0, then loads this file.
#
# Variables a user may set with gnuplot -e "...; " before the script name:
#   dir      the run directory holding the CSV files of docs/outputs.md   (default ".")
#   term     svg | png | pdf, or any gnuplot terminal (then no file)      (default "svg")
#   out      the output file                         (default DIR/plots/NAME.svg|png|pdf)
#   scripts  the folder of csv.awk and this file                  (default: the script's)
#   scenario a title suffix, e.g. the scenario name                       (default none)
#
# Every CSV is read through csv.awk, which turns it into tab-separated text: gnuplot
# splits CSV lines at every comma, even inside the double quotes that a strategy name
# holding a comma gets (RFC 4180).  Columns are read by header name (column("pnl_std")),
# so new columns in the files do not break the scripts.  Empty fields (grid_key and
# grid_value of an ordinary run, non-finite numbers) are missing data to gnuplot, so
# grid fields are compared as strings (strcol), never read as numbers, except in
# grid.gp where they are known to be set.

if (!exists("dir")) dir = "."
if (!exists("term")) term = "svg"
if (!exists("scenario")) scenario = ""

# s with every ' written as '\'' so that it can sit between single quotes in sh.
shq(s) = (_shq_i = strstrt(s, "'")) ? s[1:_shq_i - 1] . "'\\''" . shq(s[_shq_i + 1:]) : s
path(f) = dir . "/" . f
# The command reading CSV file f of the run as TSV (a gnuplot "< command" data source).
src(f) = sprintf("< awk -f '%s/csv.awk' '%s'", shq(scripts), shq(path(f)))
# The rows of file f in grid value g ("-": any) whose column c holds v, as TSV.  v and g
# go to awk through the environment, quoted for sh by shq: never as awk or gnuplot code.
pick(f, g, c, v) = sprintf("< HS_IS='%s' HS_GRID='%s' awk -f '%s/csv.awk' -v where=%s '%s'", shq(v), shq(g), shq(scripts), c, shq(path(f)))
# 1 when file f of the run exists and is not empty, else 0.
have(f) = system(sprintf("test -s '%s' && echo 1 || echo 0", shq(path(f)))) + 0
# The distinct non-empty values of column c of file f, a word list ("a" "b c" ...): only
# for grid keys and values, which hold no quotes.
uniq(f, c) = system(sprintf("awk -f '%s/csv.awk' -v uniq=%s '%s' 2>/dev/null", shq(scripts), c, shq(path(f))))
# How many distinct non-empty values column c of file f holds, and the i-th of them (from
# 1) as a string.  Names (strategies, groups) are read this way: the text comes back as
# data from system(), so a name holding " \ ' $ ; # @ cannot break a word list or a command.
nuniq(f, c) = system(sprintf("awk -f '%s/csv.awk' -v count=%s '%s' 2>/dev/null", shq(scripts), c, shq(path(f)))) + 0
uniqv(f, c, i) = system(sprintf("awk -f '%s/csv.awk' -v uniq=%s -v nth=%d '%s' 2>/dev/null", shq(scripts), c, i, shq(path(f))))
# The same over the stems of column c (a value up to its first '[': a strategy's section),
# and the rows of file f in grid value g whose column c has the stem v: a sweep's members.
nstems(f, c) = system(sprintf("awk -f '%s/csv.awk' -v stem=1 -v count=%s '%s' 2>/dev/null", shq(scripts), c, shq(path(f)))) + 0
stemv(f, c, i) = system(sprintf("awk -f '%s/csv.awk' -v stem=1 -v uniq=%s -v nth=%d '%s' 2>/dev/null", shq(scripts), c, i, shq(path(f))))
pickstem(f, g, c, v) = sprintf("< HS_IS='%s' HS_GRID='%s' awk -f '%s/csv.awk' -v stem=1 -v where=%s '%s'", shq(v), shq(g), shq(scripts), c, shq(path(f)))
# What a sweep member's name adds to its section: "band[band=0.05]" -> "band=0.05".
swept(s) = strstrt(s, "[") ? s[strstrt(s, "[") + 1 : strlen(s) - (s[strlen(s):strlen(s)] eq "]")] : ""

set datafile separator "\t"
set datafile columnheaders

# The grid of the run: its key and values, or "-" for an ordinary run.
grid_key = word(uniq("summary.csv", "grid_key") . " -", 1)
grid_values = uniq("summary.csv", "grid_value")
if (grid_values eq "") grid_values = "-"
is_grid = (grid_values ne "-")
# A series title: the name, and in a grid run the grid value it belongs to.
series(s, g) = (g eq "-") ? s : sprintf("%s (%s = %g)", s, grid_key, g + 0)

if (!exists("out")) {
    ext = (term eq "png" || term eq "pngcairo") ? "png" : (term eq "pdf" || term eq "pdfcairo") ? "pdf" : "svg"
    out = path("plots/" . name . "." . ext)
    system(sprintf("mkdir -p '%s'", shq(path("plots"))))
}
if (term eq "svg") {
    set terminal svg size width, height fixed noenhanced font "sans-serif,12" linewidth 1.2 background "#ffffff"
    set output out
} else { if (term eq "png" || term eq "pngcairo") {
    set terminal pngcairo size width, height noenhanced font "sans,10" linewidth 1.2 background "#ffffff"
    set output out
} else { if (term eq "pdf" || term eq "pdfcairo") {
    set terminal pdfcairo size (width / 100.), (height / 100.) noenhanced font "sans,8"
    set output out
} else {
    eval "set terminal " . term
} } }

# Colours of the Tableau 10 palette and two more, easy to tell apart, also in print;
# twelve before a colour repeats.
set linetype 1 lc rgb "#1f77b4" lw 1.5 pt 7 ps 0.8
set linetype 2 lc rgb "#ff7f0e" lw 1.5 pt 5 ps 0.8
set linetype 3 lc rgb "#2ca02c" lw 1.5 pt 9 ps 0.9
set linetype 4 lc rgb "#d62728" lw 1.5 pt 11 ps 0.9
set linetype 5 lc rgb "#9467bd" lw 1.5 pt 13 ps 0.9
set linetype 6 lc rgb "#8c564b" lw 1.5 pt 7 ps 0.8
set linetype 7 lc rgb "#e377c2" lw 1.5 pt 5 ps 0.8
set linetype 8 lc rgb "#7f7f7f" lw 1.5 pt 9 ps 0.9
set linetype 9 lc rgb "#bcbd22" lw 1.5 pt 11 ps 0.9
set linetype 10 lc rgb "#17becf" lw 1.5 pt 13 ps 0.9
set linetype 11 lc rgb "#393b79" lw 1.5 pt 7 ps 0.8
set linetype 12 lc rgb "#e7969c" lw 1.5 pt 5 ps 0.8
set linetype cycle 12
set grid lc rgb "#dddddd" lw 0.5
set border lc rgb "#444444"
set key noenhanced
ttl(t) = (scenario eq "") ? t : t . " — " . scenario

# An empty figure that says why there is nothing to show (then the script exits).
missing(msg) = sprintf("unset border; unset tics; unset key; unset grid; set xrange [0:1]; set yrange [0:1]; set label 99 \"%s\" at 0.5, 0.5 center; plot 2 notitle", msg)
