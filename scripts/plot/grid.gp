# grid.gp: the tail risk of every strategy across the values of a grid run (`--set
# model.sigma=0.1,0.2,0.4`: one simulation per value): value-at-risk (solid) and expected
# shortfall (dashed) of the P&L, as positive losses, at 95% (left) and 99% (right),
# against the grid value, from summary.csv.  ES >= VaR always (Acerbi & Tasche 2002);
# the gap between them measures how heavy the tail is beyond the VaR.
#
#   gnuplot -e "dir='RUN'; term='svg'" scripts/plot/grid.gp   (see common.gp)
name = "grid"; width = 900; height = 500
if (!exists("scripts")) { _a = ARG0; _i = strlen(_a); while (_i > 0 && _a[_i:_i] ne "/") { _i = _i - 1 }; scripts = (_i > 1) ? _a[1:_i - 1] : (_i == 1 ? "/" : ".") }
load scripts . "/common.gp"

if (!is_grid) {
    eval missing("Not a grid run: give --set section.key=v1,v2,... to sweep a value across runs.")
    exit
}
n = nuniq("summary.csv", "strategy")
array names[n]
do for [i = 1:n] { names[i] = uniqv("summary.csv", "strategy", i) }
set multiplot layout 1, 2 title ttl("Tail risk of the P&L across the grid (VaR solid, ES dashed)")
set xlabel grid_key
set ylabel "loss (time-T money)"
set key top left box opaque samplen 2 font ",9"
set autoscale xfix   # the grid values themselves, no negative intensity or vol
set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
do for [level in "95 99"] {
    set title level . "%"
    plot for [i = 1:n] pick("summary.csv", "-", "strategy", names[i]) \
            using (column("grid_value")):(column("pnl_var" . level)) smooth unique with linespoints lt i \
            title names[i], \
         for [i = 1:n] pick("summary.csv", "-", "strategy", names[i]) \
            using (column("grid_value")):(column("pnl_es" . level)) smooth unique with linespoints lt i dt 2 pt 6 \
            notitle
    unset key
}
unset multiplot
