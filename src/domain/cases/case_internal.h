/*
 * case_internal.h — what the case engine's files share: the loaded case
 * core, access checks, events, landing at a node, notifications.
 * Not for use outside src/domain/case_*.c and cases.c.
 */
#ifndef LINLI_CASE_INTERNAL_H
#define LINLI_CASE_INTERNAL_H

#include <jansson.h>

#include "domain/cases/cases.h"

struct case_core {
	int64_t id, node_id, origin_node_id, reporter_user_id, merged_into, escalations, reopened;
	const char *kind, *category, *status, *node_path, *resolve_due, *paused_at, *first_response_at, *title;
	bool is_public, anonymous;
	const char *origin_path, *place_path; /* where it started, where it was reported */
	int64_t recorded_by;
};

int case_load_core(const struct ctx *c, int64_t id, struct case_core *k, struct err *e);
/* May the actor handle the case (role holder at its node, worker access
 * or more above it, or an organisation it was handed to)? */
bool case_can_handle(const struct ctx *c, const struct case_core *k);
bool case_is_reporter(const struct ctx *c, const struct case_core *k);
bool case_org_assigned(const struct ctx *c, const struct case_core *k);
bool case_open(const char *status);
/* Appends an event to the timeline and enqueues notifications/webhooks. */
int case_event(const struct ctx *c, const struct case_core *k, const char *type, const char *status_to, int64_t to_node,
	       int64_t org_id, const char *note, bool public, struct err *e);
/* Moves the case to node (landing): resets its clocks for the new level. */
int case_land(const struct ctx *c, const struct case_core *k, int64_t node, int64_t now, struct err *e);
/* The nearest ancestor above node with a role holder (0 if none). */
int case_parent_target(const struct ctx *c, int64_t node, int64_t *target, struct err *e);
/* Text for notifying the reporter, and webhook payloads, for an event type. */
int case_notify(const struct ctx *c, const struct case_core *k, const char *type, int64_t event_id, const char *note,
		struct err *e);
const char *case_event_label(const char *type);

#endif
