/*
 * audit.h — the audit trail: who changed what, when, before and after.
 *
 * audit_log() must be called inside the transaction of the write it
 * records, so the change and its audit row commit or vanish together.
 * Snapshots hold masked personal data only.
 * Thread-safety: uses the ctx's connection.
 */
#ifndef LINLI_AUDIT_H
#define LINLI_AUDIT_H

#include <jansson.h>

#include "domain/core/ctx.h"

int audit_log(const struct ctx *c, const char *action, const char *entity, int64_t id, json_t *before, json_t *after,
	      struct err *e);
/* Records that personal data of an entity was shown unmasked. */
int audit_reveal(const struct ctx *c, const char *entity, int64_t id, struct err *e);
/* Audit rows of one entity (newest first), or of everything when entity is
 * NULL (administrators only). before_id: rows older than this id (0 = newest). */
int audit_list(const struct ctx *c, const char *entity, int64_t id, int64_t before_id, int limit, json_t **out,
	       struct err *e);

/* May the actor read the audit trail of this entity? Staff with viewer
 * access at the entity's node may; the whole trail is for administrators. */
int audit_access(const struct ctx *c, const char *entity, int64_t id, struct err *e);

#endif
