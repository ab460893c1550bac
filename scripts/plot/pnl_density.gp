# pnl_density.gp: the distribution of the P&L at maturity (time-T money) of every
# strategy of a run, overlaid on one axis per grid value (one panel per value in a grid
# run, the legend in a panel of its own so that it covers no curve).
#
# With pnl.csv (`hedgesim run --pnl`): Gaussian kernel density estimates.  Each density
# has weight 1/n per path used, so it integrates to one; the bandwidth is gnuplot's
# default, Silverman's rule of thumb for a Gaussian kernel, h = (4 / 3n)^(1/5) sd
# (Silverman 1986, "Density Estimation", eq. 3.28).  Beyond 20000 paths every K-th path
# is used (K = ceil(paths / 20000); the paths are independent, so this is a plain random
# subsample): the estimate costs paths x samples kernel evaluations.
#
# Without pnl.csv: the density the quantiles of summary.csv imply, a step line: the
# probability between two neighbouring quantiles (min, 1%, 5%, 50%, 95%, 99%, max hold
# 1%, 4%, 45%, 45%, 4%, 1% between them) spread evenly over their interval.  The
# quantiles are exact order statistics of every path (split-invariant, src/stats/), so
# each step holds exactly its probability; the shape within a step is not known.
#
# The x range of a panel is the pooled 1%..99% quantiles of its strategies widened by
# half their span, so that one far tail does not squash every curve.
#
#   gnuplot -e "dir='RUN'; term='svg'" scripts/plot/pnl_density.gp   (see common.gp)
name = "pnl_density"; width = 900; height = 600
if (!exists("scripts")) { _a = ARG0; _i = strlen(_a); while (_i > 0 && _a[_i:_i] ne "/") { _i = _i - 1 }; scripts = (_i > 1) ? _a[1:_i - 1] : (_i == 1 ? "/" : ".") }
load scripts . "/common.gp"

n_names = nuniq("summary.csv", "strategy")
if (n_names == 0) {
    eval missing("summary.csv holds no strategy.")
    exit
}
array names[n_names]
do for [j = 1:n_names] { names[j] = uniqv("summary.csv", "strategy", j) }
kde = have("pnl.csv")
n_grid = words(grid_values)
if (kde) {
    # Every (grid value, strategy) holds the same paths: rows / series.
    paths = (system(sprintf("wc -l < '%s'", shq(path("pnl.csv")))) - 1) / (n_grid * n_names)
    K = (paths > 20000) ? ceil(paths / 20000.) : 1
    used = int((paths - 1) / K) + 1
}
# The step density of strategy v in grid value g from its quantiles (csv.awk qdens).
qpick(g, v) = sprintf("< HS_IS='%s' HS_GRID='%s' awk -f '%s/csv.awk' -v where=strategy -v qdens=1 '%s'", shq(v), shq(g), shq(scripts), shq(path("summary.csv")))
how = kde ? "kernel density of every path" : "density implied by the 1/5/50/95/99% quantiles (run with --pnl for the kernel density)"
set samples 300
# stats reads only points inside the current ranges: they are set after it, per panel.
set xlabel "P&L at maturity (time-T money)"
set ylabel "density"
set key noenhanced

array sd[n_names]
if (!is_grid) {
    set title ttl("P&L at maturity, per strategy") . "\n" . how
    stats src("summary.csv") using (column("pnl_q01")) nooutput
    lo = STATS_min
    stats src("summary.csv") using (column("pnl_q99")) nooutput
    hi = STATS_max
    span = (hi > lo) ? hi - lo : 1
    do for [j = 1:n_names] {
        stats pick("summary.csv", "-", "strategy", names[j]) using (column("pnl_std")) nooutput
        sd[j] = STATS_mean
    }
    set xrange [lo - 0.5 * span : hi + 0.5 * span]
    set yrange [0:*]
    set key outside right top box Left reverse samplen 2
    if (kde) {
        plot for [j = 1:n_names] pick("pnl.csv", "-", "strategy", names[j]) every K using (column("pnl")):(1.0 / used) \
             smooth kdensity with lines lt j lw 2 title sprintf("%s, std %.4g", names[j], sd[j])
    } else {
        plot for [j = 1:n_names] qpick("-", names[j]) using 1:2 with lines lt j lw 2 \
             title sprintf("%s, std %.4g", names[j], sd[j])
    }
    exit
}

# A grid run: one panel per grid value, then the legend's panel.
panels = n_grid + 1
cols = (panels <= 2) ? panels : (panels <= 4) ? 2 : 3
rows = int(ceil(panels / (cols * 1.0)))
set multiplot layout rows, cols title ttl("P&L at maturity, per strategy and " . grid_key) . "\n" . how
unset key
do for [g in grid_values] {
    set title sprintf("%s = %g", grid_key, g + 0)
    set xrange [*:*]; set yrange [*:*]
    stats pick("summary.csv", g, "grid_value", g) using (column("pnl_q01")) nooutput
    lo = STATS_min
    stats pick("summary.csv", g, "grid_value", g) using (column("pnl_q99")) nooutput
    hi = STATS_max
    span = (hi > lo) ? hi - lo : 1
    set xrange [lo - 0.5 * span : hi + 0.5 * span]
    set yrange [0:*]
    if (kde) {
        plot for [j = 1:n_names] pick("pnl.csv", g, "strategy", names[j]) every K using (column("pnl")):(1.0 / used) \
             smooth kdensity with lines lt j lw 2 notitle
    } else {
        plot for [j = 1:n_names] qpick(g, names[j]) using 1:2 with lines lt j lw 2 notitle
    }
}
# The legend: an empty plot whose only content is the key.
unset title; unset xlabel; unset ylabel; unset border; unset tics; unset grid
set xrange [0:1]; set yrange [0:1]
set key center center box samplen 3 width 1
plot for [j = 1:n_names] NaN with lines lt j lw 2 title names[j]
unset multiplot
