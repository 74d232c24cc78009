/*
 * lookup.h — exact-match lookups by a full ID-card or phone number.
 *
 * A masked phone (138****5678) leaves 10,000 numbers, and any answer that
 * says whether one of them is registered confirms it: a search by the full
 * number, and a registration or an import refused because the ID number is
 * already there. Such an answer is a lookup: it needs worker access where
 * it looks (the caller checks), is recorded by an audit row (action
 * "lookup" on the node: what was looked for, masked, how many found) and is
 * limited per account to LOOKUP_PER_HOUR numbers in any hour. The count
 * lives in the database (table lookups), so it holds across restarts and
 * across servers sharing one database. The system (CLI jobs, run by whoever
 * holds the database and its key) is neither limited nor recorded.
 * Thread-safety: uses the ctx's connection.
 */
#ifndef LINLI_LOOKUP_H
#define LINLI_LOOKUP_H

#include <jansson.h>

#include "domain/core/ctx.h"
#include "domain/core/pii.h"

#define LOOKUP_PER_HOUR 200

/* 0 when the actor may make n more lookups now, else ERR_RATE (429). */
int lookup_room(const struct ctx *c, int n, struct err *e);
/* Counts n lookups and writes their audit row on node_id: after-picture
 * {"source", "kind", "number" (masked; NULL = several), "found", "n"}.
 * In the caller's transaction, or one of its own when there is none. */
int lookup_record(const struct ctx *c, int64_t node_id, const char *source, enum pii_kind kind, const char *number,
		  int64_t found, int n, struct err *e);

#endif
