# convergence.gp: the standard deviation of the hedging error against the number of
# hedges N on log-log axes, one set of points (with +-1 standard-error bars) per group
# of strategies swept over `hedges`, from convergence.csv.  Dashed: the Derman-Kamal
# approximation sqrt(pi/4) |vega| sigma / sqrt(N) (Derman & Kamal 1999, "When you cannot
# hedge continuously", eq. 2), a line of slope -1/2.  Solid: the least-squares line
# log std = a + b log N written by hedgesim; the file gives the slope b and its standard
# error, and a follows from the line passing through the means of the logs.  Theory:
# b = -1/2 for smooth books (Boyle & Emanuel 1980), b = 0 under jumps.
#
#   gnuplot -e "dir='RUN'; term='svg'" scripts/plot/convergence.gp   (see common.gp)
name = "convergence"; width = 800; height = 560
if (!exists("scripts")) { _a = ARG0; _i = strlen(_a); while (_i > 0 && _a[_i:_i] ne "/") { _i = _i - 1 }; scripts = (_i > 1) ? _a[1:_i - 1] : (_i == 1 ? "/" : ".") }
load scripts . "/common.gp"

n_groups = have("convergence.csv") ? nuniq("convergence.csv", "group") : 0
if (n_groups == 0) {
    eval missing("No convergence sweep in this run: it needs a strategy with at least 3 values of hedges.")
    exit
}
array groups[n_groups]
do for [j = 1:n_groups] { groups[j] = uniqv("convergence.csv", "group", j) }
n = words(grid_values) * n_groups
array sg[n]; array sn[n]; array b[n]; array b_se[n]; array a[n]
i = 0
do for [g in grid_values] { do for [j = 1:n_groups] {
    i = i + 1; sg[i] = g; sn[i] = groups[j]
    stats pick("convergence.csv", g, "group", sn[i]) using (column("slope")):(column("slope_se")) nooutput
    b[i] = STATS_mean_x; b_se[i] = STATS_mean_y
    stats pick("convergence.csv", g, "group", sn[i]) using (log(column("hedges"))):(log(column("std"))) nooutput
    a[i] = STATS_mean_y - b[i] * STATS_mean_x
} }
set logscale xy
set title ttl("Hedging error against the number of hedges")
set xlabel "number of hedges N"
set ylabel "std of the hedging error (time-T money)"
# The legend goes below the plot, one line per group, under the x label (the label
# moved up into the legend's first line before); the bottom margin makes room for it.
set key below Left reverse samplen 3 width 1 spacing 1.1
set xlabel offset 0, 0
set bmargin (n + 5)
# Log axes labelled at 1, 2 and 5 of every decade (gnuplot labels only the powers of 10,
# which leaves a std between 0.1 and 1 with two labels): major tics there, the rest minor.
set xtics nomirror
set ytics nomirror
set format x "%g"
set format y "%g"
set for [e = -6:6] xtics add (sprintf("%g", 2 * 10.**e) 2 * 10.**e, sprintf("%g", 5 * 10.**e) 5 * 10.**e)
set for [e = -6:6] ytics add (sprintf("%g", 2 * 10.**e) 2 * 10.**e, sprintf("%g", 5 * 10.**e) 5 * 10.**e)
set mxtics 10
set mytics 10
# The data's range, not the enclosing decades: a little room on each side.
set autoscale xfix
set autoscale yfix
set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
plot for [i = 1:n] pick("convergence.csv", sg[i], "group", sn[i]) \
        using (column("hedges")):(column("std")):(column("std_se")) with yerrorbars lt i pt 7 \
        title sprintf("%s: slope %.3f ± %.3f", series(sn[i], sg[i]), b[i], b_se[i]), \
     for [i = 1:n] pick("convergence.csv", sg[i], "group", sn[i]) \
        using (column("hedges")):(exp(a[i]) * column("hedges") ** b[i]) with lines lt i notitle, \
     for [i = 1:n] pick("convergence.csv", sg[i], "group", sn[i]) \
        using (column("hedges")):(column("derman_kamal_std")) with lines lt i dt 2 \
        title (i == 1 ? "Derman–Kamal, slope −1/2 (dashed)" : "")
