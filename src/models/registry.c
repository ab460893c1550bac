/*
 * The model registry: every path model type, looked up by the name written in the
 * scenario's [model] type key (docs/architecture.md).  Adding a model means adding its
 * table here; the generic tests loop over this list.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hedgesim/model.h"

static const hs_model_type *const registry[] = {
    &hs_model_gbm,
    &hs_model_merton,
    &hs_model_regime,
    &hs_model_bootstrap,
    &hs_model_replay,
    &hs_model_heston,
    &hs_model_garch,
    NULL,
};

const hs_model_type *const *hs_model_types(void)
{
    return registry;
}

const hs_model_type *hs_model_type_find(const char *name)
{
    for (size_t i = 0; registry[i]; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

void hs_model_names(const char **names, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; registry[i] && n + 1 < cap; i++)
        names[n++] = registry[i]->name;
    names[n] = NULL;
}

hs_status hs_model_init(hs_model *m, const hs_model_type *type, const hs_model_args *args,
                        const hs_market *market, const hs_grid *grid, hs_error *err)
{
    memset(m, 0, sizeof *m);
    m->type = type;
    for (size_t i = 0; i < type->n_params && i < HS_MAX_PARAMS; i++)
        m->par[i] = args->par[i];
    m->market = *market;
    m->grid = *grid;
    m->args = args;
    hs_status st = type->prepare(m, err);
    if (st)
        hs_model_release(m);
    return st;
}

void hs_model_release(hs_model *m)
{
    if (m && m->type && m->type->release && m->data)
        m->type->release(m);
    if (m)
        m->data = NULL;
}

void hs_model_args_default(hs_model_args *args, const hs_model_type *type)
{
    memset(args, 0, sizeof *args);
    snprintf(args->dir, sizeof args->dir, ".");
    for (size_t i = 0; i < type->n_params && i < HS_MAX_PARAMS; i++) {
        const hs_param *p = &type->params[i];
        args->par[i] = (p->flags & HS_PARAM_DERIVED) ? NAN : p->def;
        snprintf(args->at[i], sizeof args->at[i], "default");
    }
}

double hs_model_param(const hs_model *m, const char *key)
{
    const hs_param *p = hs_param_find(m->type->params, m->type->n_params, key);
    return p ? m->par[p - m->type->params] : NAN;
}
