# horizon.gp: horizon risk ([risk], issue 13) in two panels.  Left: VaR and ES at 99%
# (solid, dashed) and 95% (thin) of the book marked to market against the horizon in
# days of 252, one colour per strategy, from horizons.csv.  Right: the densities of the
# horizon P&L (time-h money) of every strategy at every horizon, from the hJ_pnl columns
# of pnl.csv (written with `hedgesim run --pnl`), Gaussian kernel estimates with
# gnuplot's default bandwidth (Silverman's rule, as pnl_density.gp) on at most 20000
# paths per curve (every K-th path).  In a grid run the first grid value is drawn.
#
#   gnuplot -e "dir='RUN'; term='svg'" scripts/plot/horizon.gp   (see common.gp)
name = "horizon"; width = 1100; height = 480
if (!exists("scripts")) { _a = ARG0; _i = strlen(_a); while (_i > 0 && _a[_i:_i] ne "/") { _i = _i - 1 }; scripts = (_i > 1) ? _a[1:_i - 1] : (_i == 1 ? "/" : ".") }
load scripts . "/common.gp"

if (!have("horizons.csv")) {
    eval missing("No horizons.csv in this run: add a [risk] section to the scenario.")
    exit
}
g1 = word(grid_values, 1)
n_names = nuniq("horizons.csv", "strategy")
array names[n_names]
do for [j = 1:n_names] { names[j] = uniqv("horizons.csv", "strategy", j) }
n_h = (system(sprintf("wc -l < '%s'", shq(path("horizons.csv")))) - 1) / (words(grid_values) * n_names)

set multiplot layout 1, 2 title ttl("Horizon risk of the hedged book, marked to market")
set title "VaR and ES against the horizon"
set xlabel "horizon (days of 252)"
set ylabel "loss (time-h money)"
set key top left box opaque samplen 2
set xrange [0:*]
set yrange [0:*]
plot for [j = 1:n_names] pick("horizons.csv", g1, "strategy", names[j]) using (252 * column("horizon")):(column("pnl_var99")) with linespoints lt j lw 2 title sprintf("%s VaR 99%%", names[j]), \
     for [j = 1:n_names] pick("horizons.csv", g1, "strategy", names[j]) using (252 * column("horizon")):(column("pnl_es99")) with linespoints lt j dt 2 lw 2 title sprintf("%s ES 99%%", names[j]), \
     for [j = 1:n_names] pick("horizons.csv", g1, "strategy", names[j]) using (252 * column("horizon")):(column("pnl_var95")) with lines lt j lw 0.8 notitle

set title "Horizon P&L densities"
set xlabel "P&L at the horizon (time-h money)"
set ylabel "density"
set key top left box opaque samplen 2
set autoscale xy
if (!have("pnl.csv")) {
    unset border; unset tics; unset key; set xrange [0:1]; set yrange [0:1]
    set label 98 "No pnl.csv: run with --pnl for the densities." at 0.5, 0.5 center
    plot 2 notitle
} else {
    paths = (system(sprintf("wc -l < '%s'", shq(path("pnl.csv")))) - 1) / (words(grid_values) * n_names)
    K = (paths > 20000) ? ceil(paths / 20000.) : 1
    used = int((paths - 1) / K) + 1
    stats src("horizons.csv") using (column("pnl_q01")) nooutput
    lo = STATS_min
    stats src("horizons.csv") using (column("pnl_q99")) nooutput
    hi = STATS_max
    span = (hi > lo) ? hi - lo : 1
    set xrange [lo - 0.3 * span : hi + 0.3 * span]
    set yrange [0:*]
    set samples 300
    plot for [c = 1:n_names * n_h] pick("pnl.csv", g1, "strategy", names[(c - 1) % n_names + 1]) every K \
         using (column(sprintf("h%d_pnl", (c - 1) / n_names + 1))):(1.0 / used) smooth kdensity \
         with lines lt ((c - 1) % n_names + 1) dt 0 + ((c - 1) / n_names + 1) lw 2 \
         title sprintf("%s, h%d", names[(c - 1) % n_names + 1], (c - 1) / n_names + 1)
}
unset multiplot
