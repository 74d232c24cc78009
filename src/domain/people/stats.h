/*
 * stats.h — the picture of a node's subtree: residents, households,
 * floating population, rented households, party members, role holders,
 * organisations, care tags and age structure, in total and per child, and
 * the population pyramid (10-year age bands by gender) in total.
 * Needs viewer access at the node.
 */
#ifndef LINLI_STATS_H
#define LINLI_STATS_H

#include <jansson.h>

#include "domain/core/ctx.h"

int stats_node(const struct ctx *c, int64_t node, json_t **out, struct err *e);

#endif
