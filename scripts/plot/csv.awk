# csv.awk: the CSV files of a hedgesim run (docs/outputs.md) as tab-separated text for
# gnuplot, which splits a comma-separated line at every comma, even inside the double
# quotes that a strategy name such as "band[width=0.05,cost=0.001]" gets (RFC 4180
# quoting: a field holding a comma or a quote is quoted, a quote inside it doubled).
#
#   awk -f csv.awk FILE               the file as TSV, quotes removed
#   awk -f csv.awk -v uniq=COL FILE   the distinct non-empty values of column COL, in order
#                                     of first appearance, each in double quotes and on its
#                                     own line (a word list for gnuplot's word()/words(); only
#                                     for values without quotes: grid keys and values)
#   awk -f csv.awk -v count=COL FILE  the number of those values
#   awk -f csv.awk -v uniq=COL -v nth=K FILE
#                                     the K-th of them (from 1), as it is, without quotes
#   HS_IS=VALUE [HS_GRID=G] awk -f csv.awk -v where=COL FILE
#                                     the header and the rows whose column COL is VALUE
#                                     (and whose grid_value is G, unless G is "-" or unset)
#   HS_IS=VALUE [HS_GRID=G] awk -f csv.awk -v where=COL -v qdens=1 summary.csv
#                                     for the matching rows, the density of the P&L that
#                                     its quantiles imply, as x<TAB>y points of a step
#                                     line: the mass between two neighbouring quantiles
#                                     (min, 1%, 5%, 50%, 95%, 99%, max: 0.01, 0.04, 0.45,
#                                     0.45, 0.04, 0.01) spread evenly over their interval
#                                     (an interval of width 0, an atom, is left out); a
#                                     blank line between rows
#   -v stem=1 with uniq, count or where: compare the stem of a value instead, the part
#                                     before its first '[' (a strategy's section: the stem
#                                     of "band[band=0.05]" is "band"), to group a sweep
# Names (strategies, groups) may hold any character but a line break, quotes and
# backslashes included: they reach this script through the environment (ENVIRON takes
# the bytes as they are; awk -v would read backslash escapes in them) and reach gnuplot
# as the output of nth=K, i.e. as data, never as gnuplot code (issue 10, item 8).
# Filtering here rather than with NaN in gnuplot's `using`: kernel densities and lines
# turn any undefined point into NaN or a gap.
# Plain POSIX awk (mawk, gawk, busybox), so the scripts need nothing beyond gnuplot and sh.

# Split line s into the array f; return the number of fields.
function fields(s, f,    n, i, c, q, cur, len) {
    if (index(s, "\"") == 0)
        return split(s, f, ",")
    n = 0; cur = ""; q = 0; len = length(s)
    for (i = 1; i <= len; i++) {
        c = substr(s, i, 1)
        if (c == "\"") {
            if (q && substr(s, i + 1, 1) == "\"") { cur = cur c; i++ }
            else q = !q
        } else if (c == "," && !q) {
            f[++n] = cur; cur = ""
        } else
            cur = cur c
    }
    f[++n] = cur
    return n
}

{ sub(/\r$/, "") }

# A value as compared: itself, or with -v stem=1 its part before the first '['.
function val(v,    i) {
    if (stem == "") return v
    i = index(v, "[")
    return i ? substr(v, 1, i - 1) : v
}

# The line as TSV.
function tsv(s,    n, f, i, line) {
    if (index(s, "\"") == 0) { gsub(/,/, "\t", s); return s }
    n = fields(s, f); line = f[1]
    for (i = 2; i <= n; i++) line = line "\t" f[i]
    return line
}

BEGIN {
    split("min q01 q05 q50 q95 q99 max", qn, " ")
    for (q = 0; q < 7; q++) qname[q] = qn[q + 1]
    split("0.01 0.04 0.45 0.45 0.04 0.01", qm, " ")
    for (q = 0; q < 6; q++) qmass[q] = qm[q + 1]
    if (count != "") uniq = count
    if (where != "") { is = ENVIRON["HS_IS"]; grid = ENVIRON["HS_GRID"] }
}

uniq == "" && where == "" { print tsv($0); next }

where != "" && NR == 1 {
    n = fields($0, f)
    for (i = 1; i <= n; i++) {
        if (f[i] == where) wcol = i
        if (f[i] == "grid_value") gcol = i
        for (q = 0; q < 7; q++) if (f[i] == "pnl_" qname[q]) qcol[q] = i
    }
    if (qdens == "") print tsv($0)
    else print "x\tdensity"
    next
}

where != "" {
    fields($0, f)
    if (wcol && val(f[wcol]) == is && (grid == "" || grid == "-" || (gcol && f[gcol] == grid))) {
        if (qdens == "") print tsv($0)
        else steps(f)
    }
    next
}

# The step density of one summary row (qdens, above): its outline, from 0 at the
# minimum up and along each interval, back to 0 at the maximum.
function steps(f,    q, lo, hi, h, first, last) {
    first = 1
    for (q = 0; q < 6; q++) {
        if (f[qcol[q]] == "" || f[qcol[q + 1]] == "") continue
        lo = f[qcol[q]] + 0; hi = f[qcol[q + 1]] + 0
        if (!(hi > lo)) continue
        h = qmass[q] / (hi - lo)
        if (first) printf "%.17g\t0\n", lo
        printf "%.17g\t%.17g\n%.17g\t%.17g\n", lo, h, hi, h
        first = 0; last = hi
    }
    if (!first) printf "%.17g\t0\n", last
    print ""
}

NR == 1 {
    n = fields($0, f)
    for (i = 1; i <= n; i++) if (f[i] == uniq) col = i
    if (!col) exit 0
    next
}

{
    fields($0, f)
    v = val(f[col])
    if (v != "" && !(v in seen)) {
        seen[v] = 1
        k++
        if (count != "") next
        if (nth == "") print "\"" v "\""
        else if (k == nth + 0) { print v; exit 0 }
    }
}

END { if (count != "") print k + 0 }
