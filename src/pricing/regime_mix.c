/*
 * The law of the remaining occupation of a regime path (regime_mix.h), from which the
 * regime model's price given its current state is exact on the grid (model_price.c).
 *
 * The regime model (src/models/regime.c) holds the state s_k over step k and draws
 * s_{k+1} from row s_k of P = exp(Q dt).  Given the states, ln S over the remaining n
 * steps is normal with variance sum_j sigma_{s_j}^2 dt plus a compound Poisson part of
 * intensity sum_j lambda_{s_j} dt, so a European option is worth the mixture of
 * Black-Scholes (Merton with jumps) prices at the average variance and intensity over
 * the law of the occupation counts c (c_i = steps spent in state i, sum c_i = n):
 *
 *   D_0     = {0: 1},
 *   D_n(s)  = e_s + sum_{s'} P[s][s'] D_{n-1}(s'),      n >= 1
 *
 * (the first remaining step is spent in s, then the chain moves; e_s adds one step to
 * count s).  This is the dynamic programme tests/models/test_regime.c uses for two
 * states, for K states.  A count vector is a key in base B = max_n + 1; equal keys are
 * merged (their probabilities added, in the order of the sorted keys, so the build is
 * deterministic) and atoms of zero probability dropped.
 *
 * Limits: D_n(s) has up to C(n + K - 1, K - 1) atoms, so the total over n <= N and K
 * states grows like K N^K / K!: two states over any grid (N = 252: 64 000 atoms), three
 * over about 130 steps, four over about 60; beyond HS_REGIME_MIX_MAX_ATOMS the build is
 * refused with the count, and B^K must fit 64 bits (always true for K <= 8, N < 256).
 */
#include "regime_mix.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The regime model's data layout (src/models/regime.c): P [K*K] | CDFs [K*K] | pi [K] |
 * start CDF [K] | drift [K] | sigma_s sqrt(dt) [K] | ... and its consts. */
enum { C_STATES, C_SIGMA, C_JUMPS, C_JUMP_MEAN, C_JUMP_STD };
enum { P_LAMBDAS = 5 };

typedef struct keyed {
    uint64_t key;
    double w;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->w < y->w ? -1 : x->w > y->w;
}

/* Sort and merge equal keys, dropping zero weights; returns the new length. */
static size_t merge(keyed *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_keyed);
    size_t out = 0;
    for (size_t i = 0; i < n;) {
        keyed e = v[i++];
        while (i < n && v[i].key == e.key)
            e.w += v[i++].w;
        if (e.w > 0.0)
            v[out++] = e;
    }
    return out;
}

hs_status hs_regime_mix_build(hs_regime_mix *mx, const hs_model *m, size_t max_n, hs_error *err)
{
    memset(mx, 0, sizeof *mx);
    const size_t k = (size_t)m->consts[C_STATES];
    const double *d = m->data;
    if (k < 1 || k > 8 || !d)
        return hs_error_set(err, HS_EINPUT, "model 'regime': not prepared");
    mx->states = k;
    mx->max_n = max_n;
    mx->jumps = m->consts[C_JUMPS] != 0.0;
    mx->jump_mean = m->consts[C_JUMP_MEAN];
    mx->jump_std = m->consts[C_JUMP_STD];
    double var[8], lam[8] = {0};
    const double dt = m->grid.dt;
    for (size_t i = 0; i < k; i++) {
        const double sv = d[2 * k * k + 3 * k + i];
        var[i] = sv * sv / dt;
        const double c0 = d[2 * k * k + k + i], c1 = i ? d[2 * k * k + k + i - 1] : 0.0;
        mx->start[i] = c0 - c1;
    }
    if (mx->jumps) {
        if (!m->args || m->args->list_n[P_LAMBDAS] != k)
            return hs_error_set(err, HS_EINPUT, "model 'regime': the jump intensities are missing");
        for (size_t i = 0; i < k; i++)
            lam[i] = m->args->list[P_LAMBDAS][i];
    }
    /* Keys in base B: B^K must fit 64 bits. */
    const double base = (double)max_n + 1.0;
    if ((double)k * log2(base) >= 63.0)
        return hs_error_set(err, HS_EINPUT,
                            "model 'regime': %zu states over %zu steps is beyond the exact "
                            "price (occupation keys overflow 64 bits)",
                            k, max_n);
    uint64_t unit[8];
    unit[0] = 1;
    for (size_t i = 1; i < k; i++)
        unit[i] = unit[i - 1] * (uint64_t)(max_n + 1);
    /* Count the atoms first, bounded by C(n + K - 1, K - 1) per (n, s). */
    double bound = 0.0;
    for (size_t n = 0; n <= max_n; n++) {
        double c = 1.0;
        for (size_t i = 1; i < k; i++)
            c = c * (double)(n + i) / (double)i;
        bound += c * (double)k;
    }
    if (bound > (double)HS_REGIME_MIX_MAX_ATOMS)
        return hs_error_set(err, HS_EINPUT,
                            "model 'regime': the exact price of %zu states over %zu steps "
                            "needs up to %.0f occupation atoms (limit %u: two states over any "
                            "grid, three over about 130 steps, four over about 60)",
                            k, max_n, bound, HS_REGIME_MIX_MAX_ATOMS);
    const size_t cap = (size_t)bound + 1;
    mx->first = calloc((max_n + 1) * k + 1, sizeof *mx->first);
    mx->atoms = malloc(cap * sizeof *mx->atoms);
    /* The previous level keyed, per state, and the level being built. */
    size_t lev_cap = 1;
    {
        double c = 1.0;
        for (size_t i = 1; i < k; i++)
            c = c * (double)(max_n + i) / (double)i;
        lev_cap = (size_t)c + 1;
    }
    keyed *prev = malloc(k * lev_cap * sizeof *prev), *cur = malloc(k * lev_cap * sizeof *cur);
    keyed *tmp = malloc(k * lev_cap * sizeof *tmp);
    size_t prev_n[8], cur_n[8];
    if (!mx->first || !mx->atoms || !prev || !cur || !tmp) {
        free(prev), free(cur), free(tmp);
        hs_regime_mix_free(mx);
        return hs_error_set(err, HS_ERUNTIME, "model 'regime': out of memory for the price");
    }
    size_t at = 0;
    for (size_t n = 0; n <= max_n; n++) {
        for (size_t s = 0; s < k; s++) {
            if (n == 0) {
                cur[s * lev_cap] = (keyed){0, 1.0};
                cur_n[s] = 1;
            } else {
                size_t m_n = 0;
                for (size_t s2 = 0; s2 < k; s2++) {
                    const double ps = d[s * k + s2];
                    if (!(ps > 0.0))
                        continue;
                    for (size_t a = 0; a < prev_n[s2]; a++)
                        tmp[m_n++] = (keyed){prev[s2 * lev_cap + a].key + unit[s],
                                             ps * prev[s2 * lev_cap + a].w};
                }
                m_n = merge(tmp, m_n);
                memcpy(cur + s * lev_cap, tmp, m_n * sizeof *tmp);
                cur_n[s] = m_n;
            }
            mx->first[n * k + s] = at;
            for (size_t a = 0; a < cur_n[s]; a++) {
                uint64_t key = cur[s * lev_cap + a].key;
                double v = 0.0, l = 0.0;
                for (size_t i = 0; i < k; i++) {
                    const double c = (double)(key / unit[i] % (uint64_t)(max_n + 1));
                    v += c * var[i];
                    l += c * lam[i];
                }
                const double inv = n ? 1.0 / (double)n : 0.0;
                mx->atoms[at++] = (hs_regime_atom){v * inv, l * inv, cur[s * lev_cap + a].w};
            }
        }
        keyed *sw = prev;
        prev = cur;
        cur = sw;
        memcpy(prev_n, cur_n, sizeof prev_n);
    }
    mx->first[(max_n + 1) * k] = at;
    free(prev), free(cur), free(tmp);
    return HS_OK;
}

void hs_regime_mix_free(hs_regime_mix *mx)
{
    free(mx->first);
    free(mx->atoms);
    mx->first = NULL;
    mx->atoms = NULL;
}
