/*
 * case_actions.c — taking an action on a case, and telling an actor which
 * actions it may take now. The kind's action table says which states an
 * action applies in, who may take it, its input fields and its effect;
 * this file checks all of that, then runs the effect, the event and the
 * audit row in one transaction.
 */
#include <string.h>

#include "base/timeutil.h"
#include "domain/cases/case_internal.h"
#include "domain/core/audit.h"
#include "domain/core/rows.h"
#include "store/store.h"

int case_set_state(const struct ctx *c, const struct case_core *k, const char *state, struct err *e)
{
	const struct case_state *st = case_kind_state(k->def, state);
	if (!st)
		return err_set(e, ERR_INTERNAL, "status", "kind %s has no state %s", k->kind, state);
	int rc = store_run(c->db, e, "UPDATE cases SET status = ?, phase = ?, updated_at = ? WHERE id = ?", "ttti",
			   state, case_phase_name(st->phase), rows_now(c), k->id);
	if (rc == 0)
		rc = case_scope_phase(c, k->id, st->phase == CASE_OPEN || st->phase == CASE_WAITING, e);
	return rc; /* k->status stays as loaded: the action's events record it as status_from */
}

int case_unpause(const struct ctx *c, const struct case_core *k, const char *now, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, "SELECT paused_at, respond_due, resolve_due FROM cases WHERE id = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", k->id);
	rc = store_step(st, e);
	int64_t paused = rc == STORE_ROW ? time_parse_iso(store_col_text(st, 0)) : -1;
	int64_t respond = rc == STORE_ROW ? time_parse_iso(store_col_text(st, 1)) : -1;
	int64_t resolve = rc == STORE_ROW ? time_parse_iso(store_col_text(st, 2)) : -1;
	store_done(st);
	if (rc < 0)
		return rc;
	if (paused < 0)
		return 0; /* not waiting */
	int64_t waited = time_parse_iso(now) - paused;
	char respond_due[21], resolve_due[21];
	time_iso(respond + waited, respond_due);
	time_iso(resolve + waited, resolve_due);
	return store_run(c->db, e,
			 "UPDATE cases SET respond_due = coalesce(?, respond_due), resolve_due = coalesce(?, "
			 "resolve_due), paused_at = NULL WHERE id = ?",
			 "tti", respond < 0 ? NULL : respond_due, resolve < 0 ? NULL : resolve_due, k->id);
}

int case_responded(const struct ctx *c, const struct case_core *k, struct err *e)
{
	const char *now = rows_now(c);
	return store_run(c->db, e,
			 "UPDATE cases SET level_responded_at = coalesce(level_responded_at, ?), first_response_at = "
			 "coalesce(first_response_at, ?) WHERE id = ?",
			 "tti", now, now, k->id);
}

/* Who the actor is for this case, as case_who bits. */
static unsigned actor_roles(const struct ctx *c, const struct case_core *k)
{
	/* The system (CLI, clocks, demo) may record any step, e.g. a rating
	 * given by phone and entered by an operator's import. */
	if (c->who && c->who->user_id == 0 && c->who->is_admin)
		return WHO_HANDLER | WHO_REPORTER | WHO_ORG | WHO_ORG_LEAD;
	unsigned who = 0;
	if (case_can_handle(c, k))
		who |= WHO_HANDLER;
	if (case_is_reporter(c, k))
		who |= WHO_REPORTER;
	if (c->who && case_org_assigned(c, k)) {
		who |= WHO_ORG;
		int64_t lead = 0;
		store_int(c->db, NULL, &lead,
			  "SELECT count(*) FROM case_orgs WHERE case_id = ? AND org_id = ? AND role = 'lead'", "ii",
			  k->id, c->who->org_id);
		if (lead)
			who |= WHO_ORG_LEAD;
	}
	return who;
}

/* Unknown input keys are refused before anything else is looked at. */
static int check_keys(const struct case_action *a, json_t *in, struct err *e)
{
	if (!json_is_object(in))
		return err_set(e, ERR_INVALID, NULL, "请求体应为JSON对象 / body must be a JSON object");
	const char *key;
	json_t *v;
	json_object_foreach (in, key, v) {
		bool ok = false;
		for (int i = 0; i < a->ninput && !ok; i++)
			ok = !strcmp(a->input[i].name, key);
		if (!ok)
			return err_set(e, ERR_INVALID, key, "未知字段“%s” / unknown field '%s'", key, key);
	}
	return 0;
}

int case_act(const struct ctx *c, int64_t id, const char *action, json_t *in, json_t **out, struct err *e)
{
	struct case_core k;
	int rc = case_load_core(c, id, &k, e);
	if (rc)
		return rc;
	const struct case_action *act = case_kind_action(k.def, action);
	if (!act)
		return err_set(e, ERR_NOT_FOUND, "action", "未知操作“%s” / unknown action '%s'", action, action);
	if ((rc = check_keys(act, in, e)))
		return rc;
	unsigned who = actor_roles(c, &k);
	if (!(who & act->who)) {
		if (!who && !k.is_public && authz_access(c->who, k.node_path) < ACC_VIEWER)
			return err_set(e, ERR_FORBIDDEN, NULL, "无权处理此诉求 / you may not act on this request");
		return err_set(e, ERR_FORBIDDEN, "action", "您不能对此诉求执行“%s” / you may not %s this request",
			       action, action);
	}
	if (!case_action_allows(act, k.status))
		return err_set(e, ERR_CONFLICT, "status",
			       "诉求当前状态为“%s”，不能执行“%s” / cannot %s a request that is %s", k.status, action,
			       action, k.status);
	if ((rc = fields_check(act->input, act->ninput, in, e)))
		return rc;
	const char *before = k.status;
	struct case_step step = {c, k.def, act, &k, in, who, rows_now(c)};
	rc = store_begin(c->db, e);
	if (rc)
		return rc;
	rc = act->effect(&step, e);
	if (rc == 0) {
		json_t *snap = json_pack("{s:s, s:s}", "action", action, "status_before", before);
		rc = audit_log(c, action, "case", k.id, NULL, snap, e);
		json_decref(snap);
	}
	rc = txn_finish(c, rc, e);
	if (rc)
		return rc;
	rc = case_get(c, id, out, e);
	if (rc == ERR_FORBIDDEN) {
		/* Done, and now beyond the actor's reach (escalated upwards): say
		 * where it went instead of failing an action that took effect. */
		struct case_core after;
		if ((rc = case_load_core(c, id, &after, e)) == 0)
			*out = json_pack("{s:I, s:s, s:I, s:b, s:[]}", "id", (json_int_t)id, "status", after.status,
					 "node_id", (json_int_t)after.node_id, "can_handle", 0, "actions");
	}
	return rc;
}

json_t *case_actions_for(const struct ctx *c, const struct case_core *k)
{
	json_t *arr = json_array();
	unsigned who = actor_roles(c, k);
	for (const struct case_action *a = k->def->actions; a->code; a++) {
		if (!(who & a->who) || !case_action_allows(a, k->status) || (a->when && !a->when(c, k, who)))
			continue;
		const char *label = a->label ? a->label(k) : NULL;
		json_t *o =
		    json_pack("{s:s, s:s, s:s, s:o, s:b}", "code", a->code, "label_zh", a->zh, "label_en", a->en,
			      "input", fields_describe(a->input, a->ninput), "primary", (a->flags & ACT_PRIMARY) != 0);
		if (label)
			json_object_set_new(o, "label", json_string(label));
		if (a->flags & ACT_CONFIRM)
			json_object_set_new(o, "confirm",
					    json_pack("{s:s, s:s}", "zh", a->confirm_zh, "en", a->confirm_en));
		if (a->suggest)
			json_object_set_new(o, "suggest", a->suggest(k));
		if (a->flags & ACT_DIRECT)
			json_object_set_new(o, "direct", json_true());
		json_array_append_new(arr, o);
	}
	return arr;
}
