/*
 * case_clock.c — the clocks of open cases, run by the server's background
 * job every minute and by `linli clock` (with an injectable time).
 *
 * At time now: an open case (not waiting for the resident) past its
 * resolve limit moves to the parent level, flagged overdue; at the top it
 * is flagged once. A case not responded to by its respond limit is flagged
 * overdue. A result the resident left unrated for 7 days is closed.
 * Each case is handled in its own transaction; all state is in the
 * database, so a restart loses nothing and repeats nothing.
 */
#include <string.h>

#include "base/timeutil.h"
#include "domain/cases/case_internal.h"
#include "domain/core/rows.h"
#include "store/store.h"

#define RATE_DAYS  7
#define TICK_BATCH 500

int case_escalate_auto(const struct ctx *c, struct case_core *k, const char *reason, struct err *e);

static int ids_where(const struct ctx *c, const char *sql, const char *now, int64_t *ids, int max, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, sql, &st, e);
	if (rc)
		return rc;
	store_bind(st, "ti", now, (int64_t)max);
	int n = 0;
	while (n < max && (rc = store_step(st, e)) == STORE_ROW)
		ids[n++] = store_col_int(st, 0);
	store_done(st);
	return rc < 0 ? rc : n;
}

/* For each case: the update (?1 = now, ?2 = id) and its event, each case in
 * its own transaction. Returns how many were marked, or a negative error. */
static int mark_each(const struct ctx *c, const int64_t *ids, int n, const char *sql, const char *now,
		     const char *event, const char *status_to, struct err *e)
{
	int marked = 0;
	for (int i = 0; i < n; i++) {
		struct case_core k;
		int rc = case_load_core(c, ids[i], &k, e);
		if (rc == 0)
			rc = store_begin(c->db, e);
		if (rc == 0)
			rc = store_run(c->db, e, sql, "ti", now, k.id);
		if (rc == 0)
			rc = case_event(c, &k, event, status_to, 0, 0, NULL, true, e);
		marked += rc == 0;
		if ((rc = txn_finish(c, rc, e)))
			return rc;
	}
	return marked;
}

int case_tick(const struct ctx *c, int64_t now, json_t **report, struct err *e)
{
	char now_s[21], rate_limit[21];
	time_iso(now, now_s);
	time_iso(now - RATE_DAYS * 24 * 3600, rate_limit);
	int64_t *ids = arena_alloc(c->a, sizeof *ids * TICK_BATCH);
	int escalated = 0, flagged = 0, closed = 0;
	/* 1. past the resolve limit */
	int n = ids_where(c,
			  "SELECT id FROM cases WHERE status IN ('new', 'accepted', 'referred') AND paused_at IS NULL "
			  "AND resolve_due < ? ORDER BY resolve_due LIMIT ?",
			  now_s, ids, TICK_BATCH, e);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct case_core k;
		int rc = case_load_core(c, ids[i], &k, e);
		int64_t target = 0;
		if (rc == 0)
			rc = case_parent_target(c, k.node_id, &target, e);
		if (rc == 0)
			rc = store_begin(c->db, e);
		if (rc)
			return rc;
		if (target) {
			rc = case_escalate_auto(c, &k, "超过办理时限，自动上报 / the time limit passed", e);
			escalated += rc == 0;
		} else {
			/* At the top: flag it and give the top a new period, so it is
			 * flagged once per period rather than every minute. */
			char next[21];
			int64_t hours = 72;
			store_int(c->db, NULL, &hours, "SELECT resolve_hours FROM categories WHERE code = ?", "t",
				  k.category);
			time_iso(now + hours * 3600, next);
			rc = store_run(c->db, e, "UPDATE cases SET overdue = 1, resolve_due = ? WHERE id = ?", "ti",
				       next, k.id);
			if (rc == 0)
				rc = case_event(c, &k, "overdue", NULL, 0, 0, NULL, true, e);
			flagged += rc == 0;
		}
		rc = txn_finish(c, rc, e);
		if (rc)
			return rc;
	}
	/* 2. no response in time at this level */
	n = ids_where(c,
		      "SELECT id FROM cases WHERE status = 'new' AND level_responded_at IS NULL AND paused_at IS NULL "
		      "AND respond_due < ? AND overdue = 0 LIMIT ?",
		      now_s, ids, TICK_BATCH, e);
	if (n < 0)
		return n;
	n = mark_each(c, ids, n, "UPDATE cases SET overdue = 1 WHERE id = ?2", now_s, "response_overdue", NULL, e);
	if (n < 0)
		return n;
	flagged += n;
	/* 3. results not rated in time */
	n = ids_where(c, "SELECT id FROM cases WHERE status = 'resolved' AND resolved_at < ? LIMIT ?", rate_limit, ids,
		      TICK_BATCH, e);
	if (n < 0)
		return n;
	n = mark_each(c, ids, n, "UPDATE cases SET status = 'closed', closed_at = ?1, updated_at = ?1 WHERE id = ?2",
		      now_s, "auto_closed", "closed", e);
	if (n < 0)
		return n;
	closed += n;
	if (report)
		*report = json_pack("{s:s, s:i, s:i, s:i}", "at", now_s, "escalated", escalated, "flagged_overdue",
				    flagged, "auto_closed", closed);
	return 0;
}
