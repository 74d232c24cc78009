/*
 * case_internal.h — what the case engine's files share: the loaded case
 * core, access checks, events, landing at a node, notifications.
 * For the engine's files and the kinds' own effects (src/domain/<kind>/),
 * nothing else.
 */
#ifndef LINLI_CASE_INTERNAL_H
#define LINLI_CASE_INTERNAL_H

#include <jansson.h>

#include "domain/cases/case_kind.h"
#include "domain/cases/cases.h"

struct case_core {
	const struct case_kind *def; /* the kind's description */
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
/* The actions the actor may take on the case now, with their input
 * fields, labels and what the server suggests (a new array). */
json_t *case_actions_for(const struct ctx *c, const struct case_core *k);
/* Moves the case to a state of its kind (status and phase together). */
int case_set_state(const struct ctx *c, const struct case_core *k, const char *state, struct err *e);
/* Marks the first response at this level (and ever). */
int case_responded(const struct ctx *c, const struct case_core *k, struct err *e);
/* Ends a wait: the paused time is added to the deadlines. */
int case_unpause(const struct ctx *c, const struct case_core *k, const char *now, struct err *e);
/* Moves the case to the nearest level above that someone serves
 * (case_escalate.c); automatic = by the clocks (flagged overdue). */
int case_escalate(const struct ctx *c, struct case_core *k, const char *reason, bool automatic, struct err *e);
/* Appends an event to the timeline and enqueues notifications/webhooks. */
int case_event(const struct ctx *c, const struct case_core *k, const char *type, const char *status_to, int64_t to_node,
	       int64_t org_id, const char *note, bool public, struct err *e);
/* Moves the case to node (landing): resets its clocks for the new level. */
int case_land(const struct ctx *c, const struct case_core *k, int64_t node, int64_t now, struct err *e);
/* The case's rows in case_scope (case_scope.c): rewritten for the line of
 * node_path when it lands; is_open set when its phase changes. */
int case_scope_land(const struct ctx *c, int64_t case_id, const char *kind, const char *node_path, bool open,
		    struct err *e);
int case_scope_phase(const struct ctx *c, int64_t case_id, bool open, struct err *e);
/* The nearest ancestor above node with a role holder (0 if none). */
int case_parent_target(const struct ctx *c, int64_t node, int64_t *target, struct err *e);
/* Tells in the app whom the kind names (case_kind.notify) of an event. */
int case_tell(const struct ctx *c, const struct case_core *k, const char *type, bool public, struct err *e);
/* Queues a public event for the webhooks registered above the case. */
int case_notify(const struct ctx *c, const struct case_core *k, const char *type, int64_t event_id, const char *note,
		struct err *e);
const char *case_event_label(const char *type);

#endif
