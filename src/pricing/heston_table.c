/*
 * Heston model-delta tables: the hedge of a book of calls and puts at one rebalance date,
 *
 *   h(x, v) = - sum_legs quantity * delta_leg(S = e^x, variance v, tau_leg),
 *
 * replaced by a piecewise tensor Chebyshev interpolant in (x, y), y = sqrt(v), on a k-d
 * tree of rectangles, with its error measured when it is built.
 *
 * Why y = sqrt(v): the characteristic function is e^{C(u) + D(u) v}, so h is an analytic
 * (even) function of y as well as of v, but its scale in x is the standard deviation
 * sqrt(vbar tau), which grows like y: in y the rectangles near v = 0 need a few halvings,
 * not a dozen.
 *
 * On a rectangle [xa, xb] x [ya, yb] with t = (2x - xa - xb) / (xb - xa) and
 * s = (2y - ya - yb) / (yb - ya), the interpolant at the (NX + 1) x (NY + 1) tensor
 * Chebyshev-Lobatto points is
 *
 *   p(t, s) = sum_{m <= NX} sum_{l <= NY} c_{ml} T_m(t) T_l(s),
 *
 * c the two-dimensional discrete cosine transform of the values (delta_table.c has the
 * one-dimensional formula; J.P. Boyd, "Chebyshev and Fourier Spectral Methods", 2nd ed.,
 * Dover 2001, section 4.4, and L.N. Trefethen, "Approximation Theory and Approximation
 * Practice", SIAM 2013, ch. 3, apply per axis), evaluated from the three-term
 * recurrences of T_l(s) and T_m(t) (see eval2).
 *
 * The error is measured, not assumed: with the coefficients known, h is evaluated at the
 * x midpoints cos(pi (j + 1/2) / NX) on every y node (the x error), then at those x
 * midpoints on the y midpoints cos(pi (l + 1/2) / NY) (the y and mixed error), where the
 * interpolation error of a Lobatto interpolant peaks between nodes.  A rectangle whose x
 * checks exceed HS_HESTON_TABLE_TOL (per unit of the book's total quantity) is halved in
 * x; one that passes in x but not in y is halved in y; the rest are leaves (the adaptive
 * splitting of chebfun2's constructor in spirit: A. Townsend and L.N. Trefethen, SIAM J.
 * Sci. Comput. 35 (2013) C495-C518, here with plain tensor patches).  The tolerance
 * leaves a factor 5 to the promised 1e-7, which tests/pricing/test_heston_batch.c checks
 * on dense grids against the formula.
 *
 * The values come from the batched delta (hs_heston_slice, heston.c): one slice per leg
 * and distinct y, cached (the x halvings of a rectangle reuse its y nodes), then a sum of
 * some tens of complex products per point.  The build is deterministic: the same tree
 * for the same book, whichever thread builds it.
 */
#include "hedgesim/heston.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"

#define NX HS_HESTON_TABLE_NX
#define NY HS_HESTON_TABLE_NY
#define RS HS_HESTON_TABLE_ROW /* a coefficient row: NX + 1 values, then zeros */
#define NC ((NY + 1) * RS)
#define LEAF_SIZE HS_HESTON_TABLE_LEAF
#define PI 3.14159265358979323846

/* Smallest rectangle side relative to the range: below it h is not smooth enough. */
#define MIN_WIDTH 1e-9
/* Slices kept in the cache (per leg, for one y each). */
#define CACHE 512
/* A cell's start node holds the cell widened by this fraction of a cell on each side. */
#define CELL_PAD 1e-6
/* Most leaves of one table. */
#define MAX_LEAVES 16384

enum { SPLIT_X, SPLIT_Y, LEAF };

/* cos(pi i / n) for i < 2n (the transform's cosines, the nodes) and cos(pi (j + 1/2) / n)
 * for j < n (the check points), n = NX and NY, filled once per build. */
typedef struct cosines {
    double x_dct[2 * NX], x_mid[NX], y_dct[2 * NY], y_mid[NY];
} cosines;

typedef struct cache_entry {
    double y;
    int ok;                /* 0: not filled */
    hs_heston_slice *legs; /* [n_legs] */
} cache_entry;

typedef struct builder {
    hs_heston_table *t;
    const hs_heston_leg *legs;
    size_t n_legs;
    double rate, div;
    hs_heston_params p;
    hs_heston_slab *slabs; /* [n_legs] */
    double tol;
    double wx_min, wy_min;
    cache_entry cache[CACHE];
    size_t next; /* round-robin eviction */
    size_t cap_nodes, cap_leaves;
    double *xs, *spots, *tmp; /* scratch of NX + 1 + NX points */
    cosines cs;
    hs_error *err;
    int price; /* 1: the book's value (hs_heston_price_table_build), 0: its hedge */
} builder;

/* The sums of p(t, s) once T_l(s) (ts[l * stride]) and T_m(t) (tm[m], zero beyond NX) are
 * known: b_m in l order across the whole padded row (it vectorises: two AVX-512 or four
 * AVX2 vectors), then four interleaved partial sums.  Shared by eval2 and the block
 * evaluation, so that both give the same bits. */
static inline __attribute__((always_inline)) double leaf_sum(const double *c, const double *ts,
                                                             size_t stride, const double *tm)
{
    double b[RS];
    for (int m = 0; m < RS; m++)
        b[m] = 0.0;
    for (int l = 0; l <= NY; l++)
        for (int m = 0; m < RS; m++)
            b[m] += c[l * RS + m] * ts[l * stride];
    double p0 = 0.0, p1 = 0.0, p2 = 0.0, p3 = 0.0;
    for (int m = 0; m < RS; m += 4) {
        p0 += b[m] * tm[m];
        p1 += b[m + 1] * tm[m + 1];
        p2 += b[m + 2] * tm[m + 2];
        p3 += b[m + 3] * tm[m + 3];
    }
    return (p0 + p1) + (p2 + p3);
}

/* p(t, s) from the coefficients, stored c[l][m] in rows of RS: T_l(s) and T_m(t) by their
 * recurrences (two independent chains), then leaf_sum: a fixed order, the same result on
 * every machine and thread, instead of Clenshaw's dependent recurrence. */
HS_KERNEL static double eval2(const double *c, double t, double s)
{
    double ts[NY + 1], tt[RS];
    ts[0] = 1.0;
    ts[1] = s;
    for (int l = 2; l <= NY; l++)
        ts[l] = 2.0 * s * ts[l - 1] - ts[l - 2];
    tt[0] = 1.0;
    tt[1] = t;
    for (int m = 2; m <= NX; m++)
        tt[m] = 2.0 * t * tt[m - 1] - tt[m - 2];
    for (int m = NX + 1; m < RS; m++)
        tt[m] = 0.0;
    return leaf_sum(c, ts, 1, tt);
}

/* The slices of every leg at y, from the cache or made. */
static const hs_heston_slice *slices_at(builder *bd, double y)
{
    for (size_t i = 0; i < CACHE; i++)
        if (bd->cache[i].ok && bd->cache[i].y == y)
            return bd->cache[i].legs;
    cache_entry *e = &bd->cache[bd->next];
    bd->next = (bd->next + 1) % CACHE;
    if (e->ok)
        for (size_t j = 0; j < bd->n_legs; j++)
            hs_heston_slice_free(&e->legs[j]);
    e->ok = 0;
    hs_heston_params p = bd->p;
    p.v0 = y * y;
    for (size_t j = 0; j < bd->n_legs; j++) {
        if (hs_heston_slice_from_slab(&bd->slabs[j], p.v0, &e->legs[j], bd->err)) {
            for (size_t i = 0; i < j; i++)
                hs_heston_slice_free(&e->legs[i]);
            return NULL;
        }
    }
    e->y = y;
    e->ok = 1;
    bd->t->slices += bd->n_legs;
    for (size_t j = 0; j < bd->n_legs; j++)
        bd->t->slice_nodes += e->legs[j].n;
    return e->legs;
}

/* h at n points x (n <= 2 NX + 1) and one y, into out. */
static hs_status book(builder *bd, const double *x, size_t n, double y, double *out)
{
    const hs_heston_slice *sl = slices_at(bd, y);
    if (!sl)
        return HS_ERUNTIME;
    for (size_t i = 0; i < n; i++) {
        bd->spots[i] = exp(x[i]);
        out[i] = 0.0;
    }
    for (size_t j = 0; j < bd->n_legs; j++) {
        if (bd->price) {
            if (hs_heston_slice_price(&sl[j], bd->legs[j].kind, bd->legs[j].strike, n, bd->spots,
                                      bd->tmp))
                return hs_error_set(bd->err, HS_ERUNTIME, "heston table: out of memory");
            for (size_t i = 0; i < n; i++)
                out[i] += bd->legs[j].quantity * bd->tmp[i];
        } else {
            hs_heston_slice_delta(&sl[j], bd->legs[j].kind, bd->legs[j].strike, n, bd->spots,
                                  bd->tmp);
            for (size_t i = 0; i < n; i++)
                out[i] -= bd->legs[j].quantity * bd->tmp[i];
        }
        bd->t->eval_nodes += n * sl[j].n;
    }
    bd->t->evals += n;
    return HS_OK;
}

/* Node j of n + 1 on [a, b] (dct: cos(pi i / n), i < 2n), or check point j (mids). */
static double node(double a, double b, int j, const double *dct)
{
    return b == a ? a : 0.5 * (a + b) + 0.5 * (b - a) * dct[j];
}

static double mid(double a, double b, int j, const double *mids)
{
    return b == a ? a : 0.5 * (a + b) + 0.5 * (b - a) * mids[j];
}

/* Chebyshev-Lobatto coefficients of n + 1 values v[j * stride] into c[m * stride]. */
static void dct(const double *v, double *c, int n, size_t stride, const double *cs)
{
    for (int m = 0; m <= n; m++) {
        double s = 0.5 * (v[0] + (m % 2 ? -v[n * stride] : v[n * stride]));
        for (int j = 1; j < n; j++)
            s += v[j * stride] * cs[(m * j) % (2 * n)];
        c[m * stride] = 2.0 * s / n;
    }
    c[0] *= 0.5;
    c[n * stride] *= 0.5;
}

static hs_status grow(builder *bd)
{
    hs_heston_table *t = bd->t;
    if (t->n_nodes + 2 > bd->cap_nodes) {
        size_t cap = bd->cap_nodes ? 2 * bd->cap_nodes : 64;
        hs_heston_table_node *nn = realloc(t->nodes, cap * sizeof *nn);
        if (!nn)
            return hs_error_set(bd->err, HS_ERUNTIME, "heston table: out of memory");
        t->nodes = nn;
        bd->cap_nodes = cap;
    }
    return HS_OK;
}

/* Fit node `at`, covering [xa, xb] x [ya, yb], or split it. */
static hs_status fit(builder *bd, size_t at, double xa, double xb, double ya, double yb)
{
    hs_heston_table *t = bd->t;
    double f[NX + 1][NY + 1], a[NX + 1][NY + 1], c[NX + 1][NY + 1], ct[NY + 1][RS];
    double xn[NX + 1], xm[NX], row[NX + 1];
    const cosines *cs = &bd->cs;
    for (int j = 0; j <= NX; j++)
        xn[j] = node(xa, xb, j, cs->x_dct);
    for (int j = 0; j < NX; j++)
        xm[j] = mid(xa, xb, j, cs->x_mid);
    const int flat = yb == ya;
    for (int l = 0; l <= NY; l++) {
        if (flat && l) {
            for (int j = 0; j <= NX; j++)
                f[j][l] = f[j][0];
            continue;
        }
        if (book(bd, xn, NX + 1, node(ya, yb, l, cs->y_dct), row))
            return HS_ERUNTIME;
        for (int j = 0; j <= NX; j++)
            f[j][l] = row[j];
    }
    for (int l = 0; l <= NY; l++)
        dct(&f[0][l], &a[0][l], NX, NY + 1, cs->x_dct);
    for (int m = 0; m <= NX; m++)
        dct(a[m], c[m], NY, 1, cs->y_dct);
    for (int l = 0; l <= NY; l++)
        for (int m = 0; m < RS; m++)
            ct[l][m] = m <= NX ? c[m][l] : 0.0;
    /* The x checks on every y node, then the y checks at the x midpoints. */
    double ex = 0.0, ey = 0.0;
    for (int l = 0; l <= NY && ex <= bd->tol; l++) {
        if (flat && l)
            break;
        if (book(bd, xm, NX, node(ya, yb, l, cs->y_dct), row))
            return HS_ERUNTIME;
        double s = flat ? 0.0 : cs->y_dct[l];
        for (int j = 0; j < NX; j++)
            ex = fmax(ex, fabs(eval2(&ct[0][0], cs->x_mid[j], s) - row[j]));
    }
    if (ex <= bd->tol && !flat)
        for (int l = 0; l < NY && ey <= bd->tol; l++) {
            if (book(bd, xm, NX, mid(ya, yb, l, cs->y_mid), row))
                return HS_ERUNTIME;
            double s = cs->y_mid[l];
            for (int j = 0; j < NX; j++)
                ey = fmax(ey, fabs(eval2(&ct[0][0], cs->x_mid[j], s) - row[j]));
        }
    if (!(ex <= bd->tol) || !(ey <= bd->tol)) {
        const int in_x = !(ex <= bd->tol);
        if (in_x ? !(xb - xa > bd->wx_min) : !(yb - ya > bd->wy_min))
            return hs_error_set(bd->err, HS_ERUNTIME,
                                "heston table: no polynomial meets %g near x = %.17g, v = %.17g",
                                bd->tol, 0.5 * (xa + xb), 0.25 * (ya + yb) * (ya + yb));
        if (grow(bd))
            return HS_ERUNTIME;
        size_t kids = t->n_nodes;
        t->n_nodes += 2;
        const double cut = in_x ? 0.5 * (xa + xb) : 0.5 * (ya + yb);
        t->nodes[at].kind = in_x ? SPLIT_X : SPLIT_Y;
        t->nodes[at].split = cut;
        t->nodes[at].index = kids;
        hs_status st = in_x ? fit(bd, kids, xa, cut, ya, yb) : fit(bd, kids, xa, xb, ya, cut);
        if (!st)
            st = in_x ? fit(bd, kids + 1, cut, xb, ya, yb) : fit(bd, kids + 1, xa, xb, cut, yb);
        return st;
    }
    if (t->n_leaves >= MAX_LEAVES)
        return hs_error_set(bd->err, HS_ERUNTIME, "heston table: more than %d rectangles",
                            MAX_LEAVES);
    if (t->n_leaves == bd->cap_leaves) {
        size_t cap = bd->cap_leaves ? 2 * bd->cap_leaves : 16;
        double *cc = realloc(t->coef, cap * LEAF_SIZE * sizeof *cc);
        if (!cc)
            return hs_error_set(bd->err, HS_ERUNTIME, "heston table: out of memory");
        t->coef = cc;
        bd->cap_leaves = cap;
    }
    double *leaf = t->coef + t->n_leaves * LEAF_SIZE;
    leaf[0] = xa, leaf[1] = xb, leaf[2] = ya, leaf[3] = yb;
    memcpy(leaf + 4, ct, sizeof ct);
    t->nodes[at].kind = LEAF;
    t->nodes[at].split = 0.0;
    t->nodes[at].index = t->n_leaves++;
    t->max_check_err = fmax(t->max_check_err, fmax(ex, ey));
    return HS_OK;
}

/* The start node of every cell of a HS_HESTON_TABLE_CELLS^2 grid over the range: the
 * deepest node whose region holds the whole cell, widened by CELL_PAD of a cell on each
 * side so that rounding in the cell's index never starts a point outside its node.  A
 * walk from there meets the same leaf as one from the root (every split skipped lies
 * outside the widened cell), in a few steps instead of the tree's depth. */
static hs_status index_cells(hs_heston_table *t, hs_error *err)
{
    const int g = HS_HESTON_TABLE_CELLS;
    t->cells = malloc((size_t)g * g * sizeof *t->cells);
    if (!t->cells)
        return hs_error_set(err, HS_ERUNTIME, "heston table: out of memory");
    const double wx = (t->x_hi - t->x_lo) / g, wy = (t->y_hi - t->y_lo) / g;
    for (int iy = 0; iy < g; iy++)
        for (int ix = 0; ix < g; ix++) {
            const double x0 = t->x_lo + (ix - CELL_PAD) * wx,
                         x1 = t->x_lo + (ix + 1 + CELL_PAD) * wx;
            const double y0 = t->y_lo + (iy - CELL_PAD) * wy,
                         y1 = t->y_lo + (iy + 1 + CELL_PAD) * wy;
            size_t at = 0;
            for (;;) {
                const hs_heston_table_node *nd = &t->nodes[at];
                if (nd->kind == LEAF)
                    break;
                const double lo = nd->kind == SPLIT_X ? x0 : y0, hi = nd->kind == SPLIT_X ? x1 : y1;
                if (hi < nd->split)
                    at = nd->index;
                else if (lo >= nd->split)
                    at = nd->index + 1;
                else
                    break;
            }
            t->cells[iy * g + ix] = at;
        }
    t->cell_x = g / (t->x_hi - t->x_lo);
    t->cell_y = t->y_hi > t->y_lo ? g / (t->y_hi - t->y_lo) : 0.0;
    /* The walk's arrays, and the height of every node (children follow their parent in
     * the array, so one backward pass); the depth is the tallest start node's height. */
    const size_t nn = t->n_nodes;
    t->walk_split = malloc(nn * sizeof *t->walk_split);
    t->walk_next = malloc(nn * sizeof *t->walk_next);
    t->walk_axis = malloc(2 * nn * sizeof *t->walk_axis); /* the heights behind, meanwhile */
    if (!t->walk_split || !t->walk_next || !t->walk_axis)
        return hs_error_set(err, HS_ERUNTIME, "heston table: out of memory");
    size_t *height = t->walk_axis + nn;
    for (size_t at = nn; at-- > 0;) {
        const hs_heston_table_node *nd = &t->nodes[at];
        const int leaf = nd->kind == LEAF;
        t->walk_split[at] = leaf ? INFINITY : nd->split;
        t->walk_next[at] = leaf ? at : nd->index;
        t->walk_axis[at] = nd->kind == SPLIT_Y;
        const size_t h0 = leaf ? 0 : height[nd->index], h1 = leaf ? 0 : height[nd->index + 1];
        height[at] = leaf ? 0 : 1 + (h0 > h1 ? h0 : h1);
    }
    t->walk_depth = 0;
    for (int c = 0; c < g * g; c++)
        t->walk_depth = height[t->cells[c]] > t->walk_depth ? height[t->cells[c]] : t->walk_depth;
    return HS_OK;
}

static hs_status build(hs_heston_table *t, const hs_heston_leg *legs, size_t n_legs, double rate,
                       double div, const hs_heston_params *p, double x_lo, double x_hi, double v_lo,
                       double v_hi, int price, hs_error *err);

hs_status hs_heston_table_build(hs_heston_table *t, const hs_heston_leg *legs, size_t n_legs,
                                double rate, double div, const hs_heston_params *p, double x_lo,
                                double x_hi, double v_lo, double v_hi, hs_error *err)
{
    return build(t, legs, n_legs, rate, div, p, x_lo, x_hi, v_lo, v_hi, 0, err);
}

hs_status hs_heston_price_table_build(hs_heston_table *t, const hs_heston_leg *legs, size_t n_legs,
                                      double rate, double div, const hs_heston_params *p,
                                      double x_lo, double x_hi, double v_lo, double v_hi,
                                      hs_error *err)
{
    return build(t, legs, n_legs, rate, div, p, x_lo, x_hi, v_lo, v_hi, 1, err);
}

static hs_status build(hs_heston_table *t, const hs_heston_leg *legs, size_t n_legs, double rate,
                       double div, const hs_heston_params *p, double x_lo, double x_hi, double v_lo,
                       double v_hi, int price, hs_error *err)
{
    memset(t, 0, sizeof *t);
    if (!(isfinite(x_lo) && isfinite(x_hi) && x_lo < x_hi && v_lo >= 0.0 && isfinite(v_hi) &&
          v_lo <= v_hi && n_legs > 0 && legs && p))
        return hs_error_set(err, HS_EINPUT, "heston table: bad range x [%g, %g], v [%g, %g]", x_lo,
                            x_hi, v_lo, v_hi);
    builder bd = {.t = t,
                  .legs = legs,
                  .n_legs = n_legs,
                  .rate = rate,
                  .div = div,
                  .p = *p,
                  .err = err,
                  .price = price};
    double qsum = 0.0;
    for (size_t j = 0; j < n_legs; j++)
        qsum += fabs(legs[j].quantity) * (price ? legs[j].strike : 1.0);
    bd.tol = (price ? HS_HESTON_PRICE_TABLE_TOL : HS_HESTON_TABLE_TOL) * fmax(qsum, 1e-300);
    t->x_lo = x_lo, t->x_hi = x_hi, t->y_lo = sqrt(v_lo), t->y_hi = sqrt(v_hi);
    bd.wx_min = MIN_WIDTH * (x_hi - x_lo);
    for (int i = 0; i < 2 * NX; i++)
        bd.cs.x_dct[i] = cos(PI * i / NX);
    for (int i = 0; i < 2 * NY; i++)
        bd.cs.y_dct[i] = cos(PI * i / NY);
    for (int j = 0; j < NX; j++)
        bd.cs.x_mid[j] = cos(PI * (j + 0.5) / NX);
    for (int j = 0; j < NY; j++)
        bd.cs.y_mid[j] = cos(PI * (j + 0.5) / NY);
    bd.wy_min = MIN_WIDTH * fmax(t->y_hi - t->y_lo, 1e-300);
    hs_heston_slice *sl = calloc(CACHE * n_legs, sizeof *sl);
    bd.slabs = calloc(n_legs, sizeof *bd.slabs);
    size_t n_slabs = 0;
    for (; bd.slabs && n_slabs < n_legs; n_slabs++)
        if (hs_heston_slab_init(&bd.slabs[n_slabs], legs[n_slabs].tau, rate, div, p, v_hi, err))
            break;
    bd.xs = malloc(3 * (2 * NX + 1) * sizeof *bd.xs);
    hs_status st = HS_OK;
    if (bd.slabs && n_slabs < n_legs) {
        st = HS_ERUNTIME;
    } else if (!sl || !bd.xs || !bd.slabs || grow(&bd)) {
        st = hs_error_set(err, HS_ERUNTIME, "heston table: out of memory");
    } else {
        bd.spots = bd.xs + (2 * NX + 1);
        bd.tmp = bd.spots + (2 * NX + 1);
        for (size_t i = 0; i < CACHE; i++)
            bd.cache[i].legs = sl + i * n_legs;
        t->n_nodes = 1;
        st = fit(&bd, 0, x_lo, x_hi, t->y_lo, t->y_hi);
        if (st == HS_ERUNTIME && !err)
            st = HS_ERUNTIME;
    }
    for (size_t i = 0; sl && i < CACHE; i++)
        if (bd.cache[i].ok)
            for (size_t j = 0; j < n_legs; j++)
                hs_heston_slice_free(&bd.cache[i].legs[j]);
    free(sl);
    free(bd.xs);
    for (size_t j = 0; j < n_slabs; j++)
        hs_heston_slab_free(&bd.slabs[j]);
    free(bd.slabs);
    if (!st)
        st = index_cells(t, err);
    if (st)
        hs_heston_table_free(t);
    return st;
}

/* Lanes per pass of the block evaluation (stack arrays of this many per T_l, T_m). */
#define EVAL_CHUNK 64

/*
 * eval2 at many points, in passes that each vectorise (the table's entries are loaded
 * lane by lane): each point's cell; branch-free steps down the tree until no point
 * moves (a leaf steps to itself; walk_depth steps at most); the point's coordinates on
 * its leaf; the recurrences of T_l(s) and T_m(t) (in eval2 two serial chains per point,
 * its longest latency); then each point's sums.  Every point sees the same operations in
 * the same order as eval2, so the result is eval2's bit for bit: the build's checks
 * measured exactly what is returned.  A point outside the range (or NaN) walks from a
 * clamped cell and returns NaN.
 */
HS_KERNEL static void eval_chunk(const hs_heston_table *t, const double *x, const double *v,
                                 double *out, size_t n)
{
    double ts[NY + 1][EVAL_CHUNK], tt[NX + 1][EVAL_CHUNK], tx[EVAL_CHUNK], sy[EVAL_CHUNK];
    double y[EVAL_CHUNK];
    size_t at[EVAL_CHUNK], leaf[EVAL_CHUNK], in[EVAL_CHUNK];
    const size_t g = HS_HESTON_TABLE_CELLS;
    for (size_t i = 0; i < n; i++) {
        y[i] = sqrt(v[i]);
        in[i] = x[i] >= t->x_lo && x[i] <= t->x_hi && y[i] >= t->y_lo && y[i] <= t->y_hi;
        /* Clamped first (NaN included) so that the conversions below are defined. */
        const double xc = in[i] ? x[i] : t->x_lo, yc = in[i] ? y[i] : t->y_lo;
        size_t ix = (size_t)((xc - t->x_lo) * t->cell_x), iy = (size_t)((yc - t->y_lo) * t->cell_y);
        ix = ix < g ? ix : g - 1;
        iy = iy < g ? iy : g - 1;
        at[i] = t->cells[iy * g + ix];
    }
    /* At most walk_depth steps; most points start at their leaf, so the passes stop as
     * soon as one moves no point (a leaf steps to itself). */
    for (size_t d = 0; d < t->walk_depth; d++) {
        size_t moved = 0;
        for (size_t i = 0; i < n; i++) {
            const size_t a = at[i];
            const double z = t->walk_axis[a] ? y[i] : x[i];
            at[i] = t->walk_next[a] + (z >= t->walk_split[a]);
            moved |= at[i] ^ a;
        }
        if (!moved)
            break;
    }
    for (size_t i = 0; i < n; i++) {
        leaf[i] = t->nodes[at[i]].index * LEAF_SIZE;
        const double *lf = t->coef + leaf[i];
        const double xa = lf[0], xb = lf[1], ya = lf[2], yb = lf[3];
        tx[i] = in[i] ? (2.0 * x[i] - xa - xb) / (xb - xa) : 0.0;
        sy[i] = in[i] && yb != ya ? (2.0 * y[i] - ya - yb) / (yb - ya) : 0.0;
    }
    for (size_t i = 0; i < n; i++) {
        ts[0][i] = 1.0;
        ts[1][i] = sy[i];
        tt[0][i] = 1.0;
        tt[1][i] = tx[i];
    }
    for (int l = 2; l <= NY; l++)
        for (size_t i = 0; i < n; i++)
            ts[l][i] = 2.0 * sy[i] * ts[l - 1][i] - ts[l - 2][i];
    for (int m = 2; m <= NX; m++)
        for (size_t i = 0; i < n; i++)
            tt[m][i] = 2.0 * tx[i] * tt[m - 1][i] - tt[m - 2][i];
    for (size_t i = 0; i < n; i++) {
        if (!in[i]) {
            out[i] = NAN;
            continue;
        }
        double tm[RS];
        for (int m = 0; m < RS; m++)
            tm[m] = m <= NX ? tt[m][i] : 0.0;
        out[i] = leaf_sum(t->coef + leaf[i] + 4, &ts[0][i], EVAL_CHUNK, tm);
    }
}

void hs_heston_table_eval_lanes(const hs_heston_table *t, const double *x, const double *v,
                                double *out, size_t n)
{
    for (size_t off = 0; off < n; off += EVAL_CHUNK)
        eval_chunk(t, x + off, v + off, out + off, n - off < EVAL_CHUNK ? n - off : EVAL_CHUNK);
}

double hs_heston_table_eval(const hs_heston_table *t, double x, double v)
{
    double out;
    hs_heston_table_eval_lanes(t, &x, &v, &out, 1);
    return out;
}

void hs_heston_table_free(hs_heston_table *t)
{
    free(t->nodes);
    free(t->coef);
    free(t->cells);
    free(t->walk_split);
    free(t->walk_next);
    free(t->walk_axis);
    t->walk_split = NULL;
    t->walk_next = t->walk_axis = NULL;
    t->cells = NULL;
    t->nodes = NULL;
    t->coef = NULL;
    t->n_nodes = t->n_leaves = 0;
}
