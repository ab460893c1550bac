# frontier.gp: the risk-cost frontier of a run: each strategy's mean transaction cost
# (x, time-T money) against the standard deviation of its P&L (y), with the bootstrap 95%
# interval of the std as an error bar, from summary.csv.  Hedging more often buys a
# smaller std with a higher cost; strategies on the lower-left envelope are efficient
# (Whalley & Wilmott 1997 frame the choice of a no-trade band this way).  In a grid run
# each strategy's points are joined across the grid and labelled with the grid value.
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
# A frictionless run has every cost at 0: give the x axis some width around it.
stats src("summary.csv") using (column("cost_mean")) nooutput
if (STATS_max - STATS_min < 1e-12) { set xrange [STATS_min - 1 : STATS_max + 1] } else { set offsets graph 0.25, graph 0.25, graph 0.1, graph 0.1 }
# Labels go right of a strategy's points in the left half of the plot and left of them
# in the right half, so that none runs off it: the plot command is built as a string.
xmid = (STATS_min + STATS_max) / 2
set title ttl(is_grid ? "Risk against cost, per strategy (points labelled with " . grid_key . ")" : "Risk against cost, per strategy")
set xlabel "mean transaction cost (time-T money)"
set ylabel "std of the P&L (time-T money)"
# The points carry the strategy names; in a grid run they carry the grid values and the
# legend names the strategies.
if (is_grid) { set key outside right top box samplen 2 } else { unset key }
style = is_grid ? "yerrorlines" : "yerrorbars"
cmd = "plot"
do for [i = 1:n] {
    stats pick("summary.csv", "-", "strategy", names[i]) using (column("cost_mean")) nooutput
    side = (STATS_mean > xmid) ? "right offset -1, 0.6" : "left offset 1, 0.6"
    # Only indices go into the command: names[i] is looked up when it runs.
    data = sprintf("pick(\"summary.csv\", \"-\", \"strategy\", names[%d])", i)
    cmd = cmd . sprintf(" %s using (column(\"cost_mean\")):(column(\"pnl_std\")):(column(\"pnl_std_lo\")):(column(\"pnl_std_hi\")) with %s lt %d pt 7 ps 1.2 title names[%d],", data, style, i, i)
    cmd = cmd . sprintf(" %s using (column(\"cost_mean\")):(column(\"pnl_std\")):(%s) with labels %s tc lt %d %s notitle%s", data, is_grid ? "sprintf(\"%g\", column(\"grid_value\"))" : "strcol(\"strategy\")", side, i, is_grid ? "font \",9\"" : "", (i < n) ? "," : "")
}
eval cmd
