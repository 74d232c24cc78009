/*
 * meta.h — every entity the domain describes with a field table, found by
 * name, and their description for clients (GET /api/v1/meta/fields and the
 * OpenAPI document's schemas both come from here and from case_kind.h).
 * Thread-safety: read-only.
 */
#ifndef LINLI_META_H
#define LINLI_META_H

#include <jansson.h>

#include "domain/core/fields.h"

/* The i-th entity (0, 1, … until NULL): the foundation entities, the case
 * record (ENT_CASE), then each registered case kind's side entity. */
const struct entity *meta_entity_at(int i);

/* The entity named name ("node", "case", "request" …), or NULL. */
const struct entity *meta_entity(const char *name);
/* {"entities": {name: {"table", "fields": fields_describe}}, "case_kinds":
 * case_kinds_describe} (a new reference). */
json_t *meta_fields_describe(void);

#endif
