# frontier.gp: the risk-cost frontier of a run: each strategy's mean transaction cost
# (x, time-T money) against the standard deviation of its P&L (y), with the bootstrap 95%
# interval of the std as an error bar, from summary.csv.  Hedging more often buys a
# smaller std with a higher cost; strategies on the lower-left envelope are efficient
# (Whalley & Wilmott 1997 frame the choice of a no-trade band this way).  Without costs
# the x axis is the mean number of trades instead (below).  The members of
# a sweep (one strategy section) are joined and labelled with their swept value; in a
# grid run each strategy's points are joined across the grid and labelled with the grid
# value.
#
#   gnuplot -e "dir='RUN'; term='svg'" scripts/plot/frontier.gp   (see common.gp)
name = "frontier"; width = 800; height = 500
if (!exists("scripts")) { _a = ARG0; _i = strlen(_a); while (_i > 0 && _a[_i:_i] ne "/") { _i = _i - 1 }; scripts = (_i > 1) ? _a[1:_i - 1] : (_i == 1 ? "/" : ".") }
load scripts . "/common.gp"

n = nuniq("summary.csv", "strategy")
if (n == 0) {
    eval missing("summary.csv holds no strategy.")
    exit
}
array names[n]
do for [i = 1:n] { names[i] = uniqv("summary.csv", "strategy", i) }
# Costs are never negative: the x axis starts at 0.  A frictionless run has every cost at
# 0, where a cost axis would stack every point on one vertical line (and their labels on
# each other): the x axis is then the mean number of trades per path, the effort that
# buys the lower std, on a log scale, and the title says so.
stats src("summary.csv") using (column("cost_mean")) nooutput
frictionless = (STATS_max < 1e-12)
xcol = frictionless ? "trades_mean" : "cost_mean"
if (frictionless) {
    set logscale x
    set format x "%g"
    set for [e = 0:7] xtics add (sprintf("%g", 2 * 10.**e) 2 * 10.**e, sprintf("%g", 5 * 10.**e) 5 * 10.**e)
    set offsets graph 0.1, graph 0.15, graph 0.1, 0
    set xlabel "mean number of trades per path (no transaction costs in this run)"
} else {
    set xrange [(STATS_min >= 0 ? 0 : STATS_min) : *]
    set offsets 0, graph 0.15, graph 0.1, 0
    set xlabel "mean transaction cost (time-T money)"
}
what = frictionless ? "Risk against trading" : "Risk against cost"
set title ttl(what . (is_grid ? ", per strategy (points labelled with " . grid_key . ")" : ", per strategy"))
set ylabel "std of the P&L (time-T money)"
set yrange [0 : *]   # a std is never negative
set key outside right top box Left reverse samplen 2 width 2 noenhanced
# One series per strategy section (the members of a sweep, joined in sweep order, each
# point labelled with its swept value only: long names side by side collided), or in a
# grid run one per strategy across the grid, labelled with the grid value.  The legend
# names the series.  Labels sit above-right of the points of odd series and below-right
# of even ones, so that two interleaved sweeps label away from each other.
n_series = is_grid ? n : nstems("summary.csv", "strategy")
array series_name[n_series]
do for [i = 1:n_series] { series_name[i] = is_grid ? names[i] : stemv("summary.csv", "strategy", i) }
cmd = "plot"
do for [i = 1:n_series] {
    side = (i % 2) ? "left offset 0.8, 0.7" : "left offset 0.8, -0.7"
    # Only indices go into the command: series_name[i] is looked up when it runs.
    data = is_grid ? sprintf("pick(\"summary.csv\", \"-\", \"strategy\", series_name[%d])", i) \
                   : sprintf("pickstem(\"summary.csv\", \"-\", \"strategy\", series_name[%d])", i)
    cmd = cmd . sprintf(" %s using (column(\"%s\")):(column(\"pnl_std\")):(column(\"pnl_std_lo\")):(column(\"pnl_std_hi\")) with yerrorlines lt %d pt 7 ps 1.1 title series_name[%d],", data, xcol, i, i)
    cmd = cmd . sprintf(" %s using (column(\"%s\")):(column(\"pnl_std\")):(%s) with labels %s tc lt %d font \",9\" notitle%s", data, xcol, is_grid ? "sprintf(\"%g\", column(\"grid_value\"))" : "swept(strcol(\"strategy\"))", side, i, (i < n_series) ? "," : "")
}
eval cmd
