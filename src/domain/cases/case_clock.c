/*
 * case_clock.c — the clocks of open cases, run by the server's background
 * job every minute and by `linli clock` (with an injectable time).
 *
 * At time now: a case in the open phase (not waiting) past its resolve
 * limit moves to the parent level, flagged overdue; at the top it is
 * flagged once. A case in a state whose response limit is watched
 * (case_state.respond_clock) and not responded to by then is flagged
 * overdue. A result left unrated for the kind's rate_days is closed.
 * Each case is handled in its own transaction; all state is in the
 * database, so a restart loses nothing and repeats nothing.
 */
#include <string.h>

#include "base/timeutil.h"
#include "domain/cases/case_internal.h"
#include "domain/core/rows.h"
#include "store/store.h"

#define TICK_BATCH 500

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

/* Ids of one kind's cases: ?1 kind, ?2 a state or phase, ?3 a time, ?4 max. */
static int ids_where2(const struct ctx *c, const char *sql, const char *kind, const char *what, const char *at,
		      int64_t *ids, int max, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, sql, &st, e);
	if (rc)
		return rc;
	store_bind(st, "ttti", kind, what, at, (int64_t)max);
	int n = 0;
	while (n < max && (rc = store_step(st, e)) == STORE_ROW)
		ids[n++] = store_col_int(st, 0);
	store_done(st);
	return rc < 0 ? rc : n;
}

/* Closes results left unrated: the kind's first closed state. */
static int close_each(const struct ctx *c, const int64_t *ids, int n, const struct case_kind *kind, const char *now,
		      struct err *e)
{
	const char *closed = case_kind_first(kind, CASE_CLOSED);
	int done = 0;
	for (int i = 0; i < n; i++) {
		struct case_core k;
		int rc = case_load_core(c, ids[i], &k, e);
		if (rc == 0)
			rc = store_begin(c->db, e);
		if (rc == 0)
			rc = case_set_state(c, &k, closed, e);
		if (rc == 0)
			rc = store_run(c->db, e, "UPDATE cases SET closed_at = ? WHERE id = ?", "ti", now, k.id);
		if (rc == 0)
			rc = case_event(c, &k, "auto_closed", closed, 0, 0, NULL, true, e);
		done += rc == 0;
		if ((rc = txn_finish(c, rc, e)))
			return rc;
	}
	return done;
}

int case_tick(const struct ctx *c, int64_t now, json_t **report, struct err *e)
{
	char now_s[21];
	time_iso(now, now_s);
	int64_t *ids = arena_alloc(c->a, sizeof *ids * TICK_BATCH);
	int escalated = 0, flagged = 0, closed = 0;
	/* 1. past the resolve limit */
	int n =
	    ids_where(c, "SELECT id FROM cases WHERE phase = 'open' AND resolve_due < ? ORDER BY resolve_due LIMIT ?",
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
			rc = case_escalate(c, &k, "超过办理时限，自动上报 / the time limit passed", true, e);
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
	for (int i = 0; case_kinds[i]; i++) {
		const struct case_kind *kind = case_kinds[i];
		/* 2. no response in time at this level, in the states whose
		 * response limit is watched */
		for (const struct case_state *st = kind->states; st->code; st++) {
			if (!st->respond_clock)
				continue;
			n = ids_where2(
			    c,
			    "SELECT id FROM cases WHERE kind = ?1 AND status = ?2 AND level_responded_at IS NULL "
			    "AND paused_at IS NULL AND respond_due < ?3 AND overdue = 0 LIMIT ?4",
			    kind->code, st->code, now_s, ids, TICK_BATCH, e);
			if (n < 0)
				return n;
			n = mark_each(c, ids, n, "UPDATE cases SET overdue = 1 WHERE id = ?2", now_s,
				      "response_overdue", NULL, e);
			if (n < 0)
				return n;
			flagged += n;
		}
		/* 3. results not rated in time */
		if (kind->rate_days <= 0)
			continue;
		char limit[21];
		time_iso(now - (int64_t)kind->rate_days * 24 * 3600, limit);
		n = ids_where2(c, "SELECT id FROM cases WHERE kind = ?1 AND phase = ?2 AND resolved_at < ?3 LIMIT ?4",
			       kind->code, "resolved", limit, ids, TICK_BATCH, e);
		if (n < 0)
			return n;
		n = close_each(c, ids, n, kind, now_s, e);
		if (n < 0)
			return n;
		closed += n;
	}
	if (report)
		*report = json_pack("{s:s, s:i, s:i, s:i}", "at", now_s, "escalated", escalated, "flagged_overdue",
				    flagged, "auto_closed", closed);
	return 0;
}
