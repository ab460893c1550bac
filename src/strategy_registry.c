/*
 * Registries of rebalancing rules and hedge ratios (DESIGN.md section 3): the names a
 * [strategy.*] section may give to `rebalance` and `ratio`.
 */
#include <string.h>

#include "hedgesim/strategy.h"

static const hs_rule_type *const rules[] = {
    &hs_rule_interval,
    NULL,
};

static const hs_ratio_type *const ratios[] = {
    &hs_ratio_bs,
    NULL,
};

const hs_rule_type *const *hs_rule_types(void)
{
    return rules;
}

const hs_rule_type *hs_rule_type_find(const char *name)
{
    for (size_t i = 0; rules[i]; i++)
        if (strcmp(rules[i]->name, name) == 0)
            return rules[i];
    return NULL;
}

const hs_ratio_type *const *hs_ratio_types(void)
{
    return ratios;
}

const hs_ratio_type *hs_ratio_type_find(const char *name)
{
    for (size_t i = 0; ratios[i]; i++)
        if (strcmp(ratios[i]->name, name) == 0)
            return ratios[i];
    return NULL;
}
