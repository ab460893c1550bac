/*
 * Path models: the world the paths come from (docs/architecture.md).
 *
 * A model is a const type table (name, parameter table, three functions), registered
 * in src/models/registry.c.  The engine works on blocks of paths in structure-of-arrays
 * form: a model advances every lane of a block from grid time t_k to t_{k+1} in one
 * call, so its inner loop runs over lanes and can be vectorised.
 *
 * Contract of a step: read and write spot[i], logspot[i] (kept equal to log(spot[i]))
 * and the model's own state arrays; draw random numbers only from rng[i] (lane i is
 * path first_path + i), always the same number of draws per step of a path, so a
 * path's numbers never depend on the block it is in.
 */
#ifndef HEDGESIM_MODEL_H
#define HEDGESIM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "hedgesim/error.h"
#include "hedgesim/param.h"
#include "hedgesim/rng.h"

/* Lanes per block: enough for the compiler to vectorise, small enough that a block's
 * arrays (spot, state, books of every strategy) stay in L1/L2 cache. */
#define HS_BLOCK 256
#define HS_MAX_PARAMS 16
#define HS_MODEL_CONSTS 32
#define HS_MODEL_STATE 4
#define HS_MAX_LIST 64
#define HS_TEXT_LEN 512

typedef struct hs_market {
    double spot;     /* S0, money */
    double rate;     /* r, continuously compounded per year */
    double dividend; /* q, continuous yield per year */
} hs_market;

/* The simulation grid: `steps` equal steps over [0, horizon]; t_k = k * dt. */
typedef struct hs_grid {
    size_t steps;
    double horizon; /* years */
    double dt;      /* years */
} hs_grid;

typedef struct hs_block {
    size_t n;            /* lanes in use, <= HS_BLOCK */
    uint64_t first_path; /* lane i is path first_path + i */
    double *spot;        /* [HS_BLOCK] */
    double *logspot;     /* [HS_BLOCK] */
    double *state;       /* [HS_MODEL_STATE * HS_BLOCK] model's own per-lane state */
    double *z;           /* [HS_BLOCK] scratch for normals */
    hs_pcg32_lanes *rng; /* HS_BLOCK per-path generators, lane i of path first_path + i */
} hs_block;

/* A model's parameter values as the scenario gave them, by kind of row:
 *   REAL, INT  -> par[i] (NaN for a DERIVED row not given)
 *   NAME       -> par[i] = index of the value in the row's choices ("normal|t": 0 or 1)
 *   TEXT       -> text[i] ("" when not given); a file name is resolved against dir
 *   LIST       -> list[i][0 .. list_n[i]) (each value checked against the row's range)
 * at[i] says where the value came from ("file:line", "--set" or the file when it is a
 * default), so that prepare can name it in a message. */
typedef struct hs_model_args {
    double par[HS_MAX_PARAMS];
    char text[HS_MAX_PARAMS][HS_TEXT_LEN];
    size_t list_n[HS_MAX_PARAMS];
    double list[HS_MAX_PARAMS][HS_MAX_LIST];
    char at[HS_MAX_PARAMS][HS_TEXT_LEN];
    char dir[HS_TEXT_LEN]; /* directory of the scenario file ("." when none) */
} hs_model_args;

typedef struct hs_model hs_model;

typedef struct hs_model_type {
    const char *name;
    const char *help;
    const hs_param *params;
    size_t n_params;
    /* Check cross-parameter constraints and precompute the step constants into
     * m->consts.  Called once per run, after every parameter passed its range check. */
    hs_status (*prepare)(hs_model *m, hs_error *err);
    /* Put every lane of the block at t0 (spot = market spot, initial state). */
    void (*start)(const hs_model *m, hs_block *b);
    /* Advance every lane from t_k to t_{k+1}. */
    void (*step)(const hs_model *m, hs_block *b, size_t k);
    /* The model's (long-run) volatility: the default traded vol of the options and the
     * sigma of the Derman-Kamal formula.  NaN when the model has none. */
    double (*sigma)(const hs_model *m);
    /* Optional: free what prepare allocated in m->data (NULL when nothing is). */
    void (*release)(hs_model *m);
    /* A valid body of a [model] section, "key = value" lines without `type`: shown by
     * `hedgesim list` and used by the generic tests that loop over the registry. */
    const char *example;
} hs_model_type;

struct hs_model {
    const hs_model_type *type;
    double par[HS_MAX_PARAMS]; /* values in the order of type->params */
    hs_market market;
    hs_grid grid;
    double consts[HS_MODEL_CONSTS]; /* per-run constants set by prepare */
    const hs_model_args *args;      /* text and list values; outlives the model */
    void *data;                     /* owned by the model: loaded series, tables */
};

/* Registry: NULL-terminated list of every model type; lookup by name. */
const hs_model_type *const *hs_model_types(void);
const hs_model_type *hs_model_type_find(const char *name);

/* Fill a NULL-terminated array of the registered names (for suggestions), size >= 64. */
void hs_model_names(const char **names, size_t cap);

/* Set up m for a run: copy parameters, market and grid, then type->prepare.  On
 * success release it with hs_model_release; on failure nothing is left to release. */
hs_status hs_model_init(hs_model *m, const hs_model_type *type, const hs_model_args *args,
                        const hs_market *market, const hs_grid *grid, hs_error *err);
void hs_model_release(hs_model *m);

/* Arguments with every parameter of type at its default (tests and tools). */
void hs_model_args_default(hs_model_args *args, const hs_model_type *type);

/* Value of parameter `key` of m (NaN if the model has no such key). */
double hs_model_param(const hs_model *m, const char *key);

extern const hs_model_type hs_model_gbm;
extern const hs_model_type hs_model_merton;
extern const hs_model_type hs_model_regime;
extern const hs_model_type hs_model_bootstrap;
extern const hs_model_type hs_model_replay;
extern const hs_model_type hs_model_heston;
extern const hs_model_type hs_model_garch;

#endif
