# pnl_density.gp: the distribution of the P&L at maturity (time-T money) of every
# strategy of a run, as Gaussian kernel density estimates overlaid on one axis, from
# pnl.csv (written with `hedgesim run --pnl`); in a grid run one curve per strategy and
# grid value.  Each density has weight 1/n per path used, so it integrates to one; the
# bandwidth is gnuplot's default, Silverman's rule of thumb for a Gaussian kernel,
# h = (4 / 3n)^(1/5) sd (Silverman 1986, "Density Estimation", eq. 3.28).  The x range
# is the pooled 1%..99% quantiles of summary.csv widened by half their span, so that
# one far tail does not squash every curve.  Beyond 20000 paths every K-th path is used
# (K = ceil(paths / 20000); the paths are independent, so this is a plain random
# subsample): the estimate costs paths x samples kernel evaluations.  Without pnl.csv
# the figure says so.
#
#   gnuplot -e "dir='RUN'; term='svg'" scripts/plot/pnl_density.gp   (see common.gp)
name = "pnl_density"; width = 800; height = 500
if (!exists("scripts")) { _a = ARG0; _i = strlen(_a); while (_i > 0 && _a[_i:_i] ne "/") { _i = _i - 1 }; scripts = (_i > 1) ? _a[1:_i - 1] : (_i == 1 ? "/" : ".") }
load scripts . "/common.gp"

if (!have("pnl.csv")) {
    eval missing("No pnl.csv in this run: run hedgesim with --pnl to keep the per-path P&L.")
    exit
}
n_names = nuniq("summary.csv", "strategy")
array names[n_names]
do for [j = 1:n_names] { names[j] = uniqv("summary.csv", "strategy", j) }
# Every (grid value, strategy) holds the same paths: rows / series.
paths = (system(sprintf("wc -l < '%s'", shq(path("pnl.csv")))) - 1) / (words(grid_values) * n_names)
K = (paths > 20000) ? ceil(paths / 20000.) : 1
used = int((paths - 1) / K) + 1
stats src("summary.csv") using (column("pnl_q01")) nooutput
lo = STATS_min
stats src("summary.csv") using (column("pnl_q99")) nooutput
hi = STATS_max
span = (hi > lo) ? hi - lo : 1
set xrange [lo - 0.5 * span : hi + 0.5 * span]
set yrange [0:*]
set offsets 0, 0, graph 0.3, 0   # headroom for the legend
set samples 300
set title ttl("P&L at maturity, per strategy")
set xlabel "P&L at maturity (time-T money)"
set ylabel "density"
set key top right box opaque samplen 2
# One series per (grid value, strategy); the legend carries each one's std from summary.csv.
n = words(grid_values) * n_names
array sg[n]; array ss[n]; array sd[n]
i = 0
do for [g in grid_values] { do for [j = 1:n_names] {
    i = i + 1; sg[i] = g; ss[i] = names[j]
    stats pick("summary.csv", g, "strategy", ss[i]) using (column("pnl_std")) nooutput
    sd[i] = STATS_mean
} }
plot for [i = 1:n] pick("pnl.csv", sg[i], "strategy", ss[i]) every K using (column("pnl")):(1.0 / used) \
     smooth kdensity with lines lw 2 title sprintf("%s, std %.4g", series(ss[i], sg[i]), sd[i])
