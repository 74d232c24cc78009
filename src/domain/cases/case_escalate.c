/*
 * case_escalate.c — where a case lands and where it goes up: the lowest
 * node at or above its place that may handle its category and has someone
 * serving there; escalation to the nearest ancestor with a role holder.
 * Landing resets the level's clocks. A kind may bring its own rule
 * (case_kind.land_at, escalate_to).
 */
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "domain/cases/case_internal.h"
#include "domain/core/rows.h"
#include "domain/places/tree.h"
#include "store/store.h"

int case_route(const struct ctx *c, int64_t place, int level, int64_t *node, struct err *e)
{
	const char *path;
	int rc = tree_path(c, place, &path, e);
	if (rc)
		return rc;
	/* Walk the path from the place upwards. */
	int64_t ids[64];
	int n = 0;
	for (const char *p = path + 1; *p && n < 64; p = strchr(p, '/') + 1)
		ids[n++] = strtoll(p, NULL, 10);
	if (n == 0)
		return err_set(e, ERR_INTERNAL, NULL, "node %lld has no path", (long long)place);
	const char *today = rows_today(c);
	for (int i = n - 1; i >= 0; i--) {
		int64_t lvl = 0, holders = 0;
		store_int(c->db, NULL, &lvl,
			  "SELECT k.level FROM nodes n JOIN node_kinds k ON k.code = n.kind WHERE n.id = ?", "i",
			  ids[i]);
		if (lvl > level)
			continue;
		store_int(c->db, NULL, &holders,
			  "SELECT count(*) FROM roles WHERE node_id = ? AND start_date <= ? AND (end_date IS NULL OR "
			  "end_date >= ?)",
			  "itt", ids[i], today, today);
		if (holders > 0) {
			*node = ids[i];
			return 0;
		}
	}
	*node = ids[0];
	return 0;
}

int case_parent_target(const struct ctx *c, int64_t node, int64_t *target, struct err *e)
{
	int64_t parent = 0;
	int rc = store_int(c->db, e, &parent, "SELECT coalesce(parent_id, 0) FROM nodes WHERE id = ?", "i", node);
	if (rc)
		return rc;
	*target = 0;
	if (!parent)
		return 0;
	/* The parent, or the nearest ancestor above it that someone serves. */
	return case_route(c, parent, 99, target, e);
}

static const char *add_hours(const struct ctx *c, int64_t now, int64_t hours)
{
	char *s = arena_alloc(c->a, 21);
	time_iso(now + hours * 3600, s);
	return s;
}

int case_land(const struct ctx *c, const struct case_core *k, int64_t node, int64_t now, struct err *e)
{
	int64_t respond = 24, resolve = 72;
	store_int(c->db, NULL, &respond, "SELECT respond_hours FROM categories WHERE code = ?", "t", k->category);
	store_int(c->db, NULL, &resolve, "SELECT resolve_hours FROM categories WHERE code = ?", "t", k->category);
	const char *path;
	int rc = tree_path(c, node, &path, e);
	if (rc)
		return rc;
	char landed[21];
	time_iso(now, landed);
	rc = store_run(
	    c->db, e,
	    "UPDATE cases SET node_id = ?, node_path = ?, community_id = (SELECT community_id FROM nodes WHERE id = "
	    "?), "
	    "landed_at = ?, respond_due = ?, resolve_due = ?, level_responded_at = NULL, paused_at = NULL, "
	    "updated_at = ? WHERE id = ?",
	    "ititttti", node, path, node, landed, add_hours(c, now, respond), add_hours(c, now, resolve), landed,
	    k->id);
	const struct case_state *st = case_kind_state(k->def, k->status);
	bool open = !st || st->phase == CASE_OPEN || st->phase == CASE_WAITING;
	return rc ? rc : case_scope_land(c, k->id, k->kind, path, open, e);
}

int case_escalate(const struct ctx *c, struct case_core *k, const char *reason, bool automatic, struct err *e)
{
	int64_t target;
	int rc = k->def && k->def->escalate_to ? k->def->escalate_to(c, k->node_id, &target, e)
					       : case_parent_target(c, k->node_id, &target, e);
	if (rc)
		return rc;
	if (!target)
		return err_set(e, ERR_CONFLICT, "reason", "已在最高层级，无法上报 / already at the top of the tree");
	int64_t from = k->node_id;
	rc = case_land(c, k, target, time_now(), e);
	/* It starts again at the level above, in the kind's first state. */
	if (!k->def)
		return err_set(e, ERR_INTERNAL, NULL, "case %lld has no kind", (long long)k->id);
	const char *first = k->def->states[0].code;
	if (rc == 0)
		rc = case_set_state(c, k, first, e);
	if (rc == 0)
		rc = store_run(c->db, e,
			       "UPDATE cases SET escalations = escalations + 1, overdue = CASE WHEN ? = 1 THEN 1 ELSE "
			       "overdue END WHERE id = ?",
			       "ii", (int64_t)automatic, k->id);
	if (rc == 0) {
		k->node_id = from; /* the event records where it came from */
		rc = case_event(c, k, automatic ? "auto_escalated" : "escalated", first, target, 0, reason, true, e);
		k->node_id = target;
	}
	return rc;
}
