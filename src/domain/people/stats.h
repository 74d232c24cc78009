/*
 * stats.h — the picture of a node's subtree: residents, households,
 * floating population, rented households, party members, role holders,
 * organisations, care tags and age structure, in total and per child, and
 * the population pyramid (10-year age bands by gender) in total.
 * Needs viewer access at the node. The counts come from the kept figures
 * (a read costs the node's and its children's rows, not the subtree's);
 * role holders are read from the subtree's current terms.
 */
#ifndef LINLI_STATS_H
#define LINLI_STATS_H

#include <jansson.h>

#include "domain/core/ctx.h"
#include "domain/core/figures.h"

int stats_node(const struct ctx *c, int64_t node, json_t **out, struct err *e);

/* The registry's figures (figures.h): residents, floating population,
 * party members, births by year and by month with gender, care tags,
 * households and rented households, organisations. */
extern const struct figure_def stats_figures[];

#endif
