# path.gp: one sample path of a run, the first path traced for the first strategy (the
# first row of paths.csv; in a grid run, its grid value), as three stacked panels
# against time in years: the spot; the target hedge (the hedge ratio's shares) and the
# shares held after each step's trade, as steps since the holding stays put between
# rebalances; and the hedging error, portfolio value - edge e^(-r(T-t)) + costs so far,
# in time-t money (docs/outputs.md), whose value at maturity is the path's hedging error.
#
#   gnuplot -e "dir='RUN'; term='svg'" scripts/plot/path.gp   (see common.gp)
name = "path"; width = 800; height = 750
if (!exists("scripts")) { _a = ARG0; _i = strlen(_a); while (_i > 0 && _a[_i:_i] ne "/") { _i = _i - 1 }; scripts = (_i > 1) ? _a[1:_i - 1] : (_i == 1 ? "/" : ".") }
load scripts . "/common.gp"

if (!have("paths.csv") || nuniq("paths.csv", "strategy") == 0) {
    eval missing("No paths.csv in this run: run hedgesim with --trace N (N >= 1) and --out.")
    exit
}
s0 = uniqv("paths.csv", "strategy", 1)
g0 = word(uniq("paths.csv", "grid_value") . " -", 1)
stats pick("paths.csv", g0, "strategy", s0) every ::0::0 using (column("path")) nooutput
p0 = STATS_min
# Rows of the chosen path: a filter on the strategy's rows (path is a number).
this(v) = (column("path") == p0) ? v : NaN
data = pick("paths.csv", g0, "strategy", s0)

set multiplot layout 3, 1 title ttl(sprintf("Path %d, strategy %s%s", p0, s0, (g0 eq "-") ? "" : sprintf(" (%s = %s)", grid_key, g0)))
set lmargin 12
set rmargin 4
set autoscale xfix
unset xlabel
set ylabel "spot"
plot data using (this(column("time"))):(column("spot")) with lines lt 1 notitle
set ylabel "shares"
set key top right box opaque samplen 2
# Held first, the dashed target over it: where the two agree (an interval rule trades to
# the target) the target stays visible.
plot data using (this(column("time"))):(column("held")) with steps lt 1 title "held", \
     data using (this(column("time"))):(column("target")) with steps lt 2 dt 2 title "target"
unset key
set xlabel "time (years)"
set ylabel "hedging error (time-t money)"
plot data using (this(column("time"))):(column("hedge_error")) with lines lt 4 notitle, \
     0 with lines lc rgb "#888888" dt 3 notitle
unset multiplot
