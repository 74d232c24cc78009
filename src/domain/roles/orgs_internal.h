/*
 * orgs_internal.h — what the files of domain/roles/ share about
 * organisations (orgs.c, org_members.c). Not an API: nothing outside
 * roles/ includes it, and none of these check access.
 */
#ifndef LINLI_ORGS_INTERNAL_H
#define LINLI_ORGS_INTERNAL_H

#include <jansson.h>

#include "domain/core/ctx.h"

/* An organisation's record (ENT_ORG's fields, node_name, kind_name,
 * kind_name_en), no access check: for callers that have checked. */
int org_load(const struct ctx *c, int64_t id, json_t **out, struct err *e);
/* Where an organisation sits and what it is: its node's path and its kind
 * (in the arena), and whether it is retired. ERR_NOT_FOUND (with the
 * message) when there is no such organisation. */
int org_place(const struct ctx *c, int64_t id, const char **path, const char **kind, bool *retired, struct err *e);

#endif
