/*
 * case_actions.c — applying an action to a case: checks the rule table
 * (case_rules.c), who may act, the action's input; then changes the case,
 * writes the event and the audit row in one transaction.
 */
#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"
#include "domain/core/audit.h"
#include "domain/cases/case_internal.h"
#include "domain/cases/case_rules.h"
#include "domain/core/rows.h"
#include "store/store.h"

/* Input keys each action accepts. */
static const struct {
	const char *action;
	const char *keys[4];
} action_keys[] = {{"accept", {"note"}},        {"note", {"note", "public"}},    {"ask", {"note"}},
		   {"reply", {"note"}},         {"handover", {"orgs", "note"}},  {"org_done", {"note", "org_id"}},
		   {"resolve", {"outcome"}},    {"escalate", {"reason"}},        {"close", {"reason"}},
		   {"merge", {"into", "note"}}, {"rate", {"rating", "comment"}}, {"publish", {"public"}}};

static int check_keys(const char *action, json_t *in, struct err *e)
{
	if (!json_is_object(in))
		return err_set(e, ERR_INVALID, NULL, "请求体应为JSON对象 / body must be a JSON object");
	for (size_t i = 0; i < sizeof action_keys / sizeof *action_keys; i++) {
		if (strcmp(action_keys[i].action, action))
			continue;
		const char *key;
		json_t *v;
		json_object_foreach (in, key, v) {
			bool ok = false;
			for (int k = 0; k < 4 && action_keys[i].keys[k]; k++)
				ok |= !strcmp(action_keys[i].keys[k], key);
			if (!ok)
				return err_set(e, ERR_INVALID, key, "未知字段“%s” / unknown field '%s'", key, key);
		}
		return 0;
	}
	return err_set(e, ERR_NOT_FOUND, "action", "未知操作“%s” / unknown action '%s'", action, action);
}

/* A required or optional text of at most max characters. */
static int text_arg(json_t *in, const char *key, bool required, int max, const char **out, struct err *e)
{
	json_t *v = json_object_get(in, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return required ? err_set(e, ERR_INVALID, key, "请填写%s / %s is required", key, key) : 0;
	const char *s = json_string_value(v);
	if (!s || (required && !*s) || utf8_len(s) > (size_t)max)
		return err_set(e, ERR_INVALID, key, "%s应为1到%d个字 / %s: text of 1 to %d characters", key, max, key,
			       max);
	*out = s;
	return 0;
}

static int set_status(const struct ctx *c, const struct case_core *k, const char *status, struct err *e)
{
	return store_run(c->db, e, "UPDATE cases SET status = ?, updated_at = ? WHERE id = ?", "tti", status,
			 rows_now(c), k->id);
}

/* Ends a wait for the resident: the paused time is added to the deadlines. */
static int unpause(const struct ctx *c, const struct case_core *k, const char *now, struct err *e)
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

/* Marks the first response at this level (and ever). */
static int responded(const struct ctx *c, const struct case_core *k, struct err *e)
{
	const char *now = rows_now(c);
	return store_run(c->db, e,
			 "UPDATE cases SET level_responded_at = coalesce(level_responded_at, ?), first_response_at = "
			 "coalesce(first_response_at, ?) WHERE id = ?",
			 "tti", now, now, k->id);
}

static int do_escalate(const struct ctx *c, struct case_core *k, const char *reason, bool automatic, struct err *e)
{
	int64_t target;
	int rc = case_parent_target(c, k->node_id, &target, e);
	if (rc)
		return rc;
	if (!target)
		return err_set(e, ERR_CONFLICT, "reason", "已在最高层级，无法上报 / already at the top of the tree");
	int64_t from = k->node_id;
	rc = case_land(c, k, target, time_now(), e);
	if (rc == 0)
		rc = store_run(c->db, e,
			       "UPDATE cases SET status = 'new', escalations = escalations + 1, overdue = CASE WHEN ? "
			       "= 1 THEN 1 ELSE overdue END "
			       "WHERE id = ?",
			       "ii", (int64_t)automatic, k->id);
	if (rc == 0) {
		k->node_id = from; /* the event records where it came from */
		rc = case_event(c, k, automatic ? "auto_escalated" : "escalated", "new", target, 0, reason, true, e);
		k->node_id = target;
	}
	return rc;
}

int case_escalate_auto(const struct ctx *c, struct case_core *k, const char *reason, struct err *e);
int case_escalate_auto(const struct ctx *c, struct case_core *k, const char *reason, struct err *e)
{
	return do_escalate(c, k, reason, true, e);
}

static int do_handover(const struct ctx *c, struct case_core *k, json_t *in, const char *note, struct err *e)
{
	json_t *orgs = json_object_get(in, "orgs");
	if (!json_is_array(orgs) || json_array_size(orgs) == 0 || json_array_size(orgs) > 10)
		return err_set(e, ERR_INVALID, "orgs", "请选择1到10个承办单位 / orgs: 1 to 10 organisations");
	int leads = 0;
	size_t i;
	json_t *o;
	json_array_foreach (orgs, i, o) {
		json_int_t id = 0;
		const char *role = "lead";
		json_error_t je;
		if (json_unpack_ex(o, &je, JSON_STRICT, "{s:I, s?s}", "org_id", &id, "role", &role) || id <= 0 ||
		    (strcmp(role, "lead") && strcmp(role, "joint")))
			return err_set(e, ERR_INVALID, "orgs",
				       "每项应为{org_id, role: lead|joint} / each item: {org_id, role: lead|joint}");
		leads += !strcmp(role, "lead");
		for (size_t j = 0; j < i; j++)
			if (json_integer_value(json_object_get(json_array_get(orgs, j), "org_id")) == id)
				return err_set(e, ERR_INVALID, "orgs", "单位%lld重复 / organisation %lld listed twice",
					       (long long)id, (long long)id);
		/* The organisation must serve this place: attached on its line of the tree. */
		const char *opath = NULL;
		struct store_stmt *st;
		int rc = store_prepare(c->db, "SELECT node_path FROM orgs WHERE id = ? AND retired_at IS NULL", &st, e);
		if (rc)
			return rc;
		store_bind(st, "i", (int64_t)id);
		if (store_step(st, NULL) == STORE_ROW)
			opath = arena_strdup(c->a, store_col_text(st, 0));
		store_done(st);
		if (!opath ||
		    (strncmp(k->node_path, opath, strlen(opath)) && strncmp(opath, k->node_path, strlen(k->node_path))))
			return err_set(e, ERR_INVALID, "orgs",
				       "单位%lld不存在或不服务此处 / organisation %lld not found here", (long long)id,
				       (long long)id);
	}
	if (leads != 1)
		return err_set(e, ERR_INVALID, "orgs", "需且仅需一个牵头单位 / exactly one lead organisation");
	const char *now = rows_now(c);
	/* A new handover names the lead: an earlier lead stays on as joint. */
	int rc0 =
	    store_run(c->db, e, "UPDATE case_orgs SET role = 'joint' WHERE case_id = ? AND role = 'lead'", "i", k->id);
	if (rc0)
		return rc0;
	json_array_foreach (orgs, i, o) {
		json_int_t id = json_integer_value(json_object_get(o, "org_id"));
		const char *role = json_string_value(json_object_get(o, "role"));
		role = role ? role : "lead";
		int rc = store_run(
		    c->db, e,
		    "INSERT INTO case_orgs (case_id, org_id, role, status, assigned_at) VALUES (?, ?, ?, 'open', ?) "
		    "ON CONFLICT (case_id, org_id) DO UPDATE SET role = excluded.role, status = 'open', done_at = NULL",
		    "iitt", k->id, (int64_t)id, role, now);
		if (rc == 0)
			rc = case_event(c, k, !strcmp(role, "lead") ? "handed_over" : "joint_assigned", "referred", 0,
					id, !strcmp(role, "lead") ? note : NULL, true, e);
		if (rc)
			return rc;
	}
	return 0;
}

static int do_rate(const struct ctx *c, struct case_core *k, json_t *in, struct err *e)
{
	const char *rating = json_string_value(json_object_get(in, "rating")), *comment;
	int rc = text_arg(in, "comment", false, 500, &comment, e);
	if (rc)
		return rc;
	if (!rating || (strcmp(rating, "satisfied") && strcmp(rating, "basic") && strcmp(rating, "unsatisfied")))
		return err_set(e, ERR_INVALID, "rating",
			       "评价应为satisfied、basic或unsatisfied / rating: satisfied, basic or unsatisfied");
	const char *now = rows_now(c);
	rc = store_run(c->db, e, "UPDATE cases SET rating = ?, rating_comment = ?, rated_at = ? WHERE id = ?", "ttti",
		       rating, comment, now, k->id);
	if (rc == 0)
		rc = case_event(c, k, arena_printf(c->a, "rated_%s", rating), NULL, 0, 0, comment, true, e);
	if (rc)
		return rc;
	if (strcmp(rating, "unsatisfied")) {
		rc = store_run(c->db, e,
			       "UPDATE cases SET status = 'closed', closed_at = ?, updated_at = ? WHERE id = ?", "tti",
			       now, now, k->id);
		return rc ? rc : case_event(c, k, "closed", "closed", 0, 0, NULL, true, e);
	}
	/* 不满意: reopened once at the same level; after that it goes up. */
	if (k->reopened == 0) {
		rc = case_land(c, k, k->node_id, time_now(), e);
		if (rc == 0)
			rc = store_run(c->db, e,
				       "UPDATE cases SET status = 'accepted', reopened = reopened + 1, resolved_at = "
				       "NULL WHERE id = ?",
				       "i", k->id);
		return rc ? rc : case_event(c, k, "reopened", "accepted", 0, 0, NULL, true, e);
	}
	rc = store_run(c->db, e, "UPDATE cases SET reopened = reopened + 1, resolved_at = NULL WHERE id = ?", "i",
		       k->id);
	int64_t target = 0;
	if (rc == 0)
		rc = case_parent_target(c, k->node_id, &target, e);
	if (rc == 0 && !target) {
		/* Nothing above: it is reopened at the top once more. */
		rc = case_land(c, k, k->node_id, time_now(), e);
		if (rc == 0)
			rc = set_status(c, k, "accepted", e);
		return rc ? rc : case_event(c, k, "reopened", "accepted", 0, 0, NULL, true, e);
	}
	return rc ? rc : do_escalate(c, k, "居民再次不满意 / the resident is still not satisfied", false, e);
}

static int do_merge(const struct ctx *c, struct case_core *k, json_t *in, const char *note, struct err *e)
{
	json_t *into = json_object_get(in, "into");
	if (!json_is_integer(into) || json_integer_value(into) == k->id)
		return err_set(e, ERR_INVALID, "into", "请指定要合并到的另一条诉求 / into: the id of another request");
	struct case_core target;
	int rc = case_load_core(c, json_integer_value(into), &target, e);
	if (rc)
		return rc == ERR_NOT_FOUND
			   ? err_set(e, ERR_INVALID, "into", "目标诉求不存在 / target request not found")
			   : rc;
	if (!case_open(target.status) || !case_can_handle(c, &target))
		return err_set(e, ERR_INVALID, "into",
			       "只能合并到您可办理的未办结诉求 / merge into an open request you handle");
	const char *now = rows_now(c);
	rc =
	    store_run(c->db, e,
		      "UPDATE cases SET status = 'closed', merged_into = ?, closed_at = ?, close_reason = ?, "
		      "updated_at = ? WHERE id = ?",
		      "ittti", target.id, now,
		      arena_printf(c->a, "合并到#%lld / merged into #%lld", (long long)target.id, (long long)target.id),
		      now, k->id);
	if (rc == 0)
		rc = case_event(c, k, "merged", "closed", 0, 0, note, true, e);
	if (rc == 0)
		rc = case_event(c, &target, "merged_in", NULL, 0, 0, arena_printf(c->a, "#%lld", (long long)k->id),
				true, e);
	return rc;
}

/* Who the actor is for this case, as case_who bits. */
static unsigned actor_roles(const struct ctx *c, const struct case_core *k)
{
	unsigned who = 0;
	/* The system (CLI, clocks, demo) may record any step, e.g. a rating
	 * given by phone and entered by an operator's import. */
	if (c->who && c->who->user_id == 0 && c->who->is_admin)
		return WHO_HANDLER | WHO_REPORTER | WHO_ORG | WHO_ORG_LEAD;
	if (case_can_handle(c, k))
		who |= WHO_HANDLER;
	if (case_is_reporter(c, k))
		who |= WHO_REPORTER;
	if (case_org_assigned(c, k)) {
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

int case_act(const struct ctx *c, int64_t id, const char *action, json_t *in, json_t **out, struct err *e)
{
	int rc = check_keys(action, in, e);
	if (rc)
		return rc;
	struct case_core k;
	rc = case_load_core(c, id, &k, e);
	if (rc)
		return rc;
	const struct case_rule *rule = case_rule_find(k.kind, action);
	if (!rule)
		return err_set(e, ERR_NOT_FOUND, "action", "未知操作“%s” / unknown action '%s'", action, action);
	unsigned who = actor_roles(c, &k);
	if (!(who & rule->who)) {
		if (!who && !k.is_public && authz_access(c->who, k.node_path) < ACC_VIEWER)
			return err_set(e, ERR_FORBIDDEN, NULL, "无权处理此诉求 / you may not act on this request");
		return err_set(e, ERR_FORBIDDEN, "action", "您不能对此诉求执行“%s” / you may not %s this request",
			       action, action);
	}
	if (!case_rule_allows(rule, k.status))
		return err_set(e, ERR_CONFLICT, "status",
			       "诉求当前状态为“%s”，不能执行“%s” / cannot %s a request that is %s", k.status, action,
			       action, k.status);
	const char *note = NULL, *outcome = NULL, *reason = NULL;
	if ((rc = text_arg(in, "note",
			   !strcmp(action, "note") || !strcmp(action, "ask") || !strcmp(action, "reply") ||
			       !strcmp(action, "org_done"),
			   2000, &note, e)) ||
	    (rc = text_arg(in, "outcome", !strcmp(action, "resolve"), 2000, &outcome, e)) ||
	    (rc = text_arg(in, "reason", !strcmp(action, "escalate") || !strcmp(action, "close"), 500, &reason, e)))
		return rc;
	json_t *pub = json_object_get(in, "public");
	if (pub && !json_is_boolean(pub))
		return err_set(e, ERR_INVALID, "public", "应为true或false / must be a boolean");
	if (!strcmp(action, "publish") && !pub)
		return err_set(e, ERR_INVALID, "public", "请指定public / public is required");
	const char *before = k.status;
	const char *now = rows_now(c);
	rc = store_begin(c->db, e);
	if (rc)
		return rc;
	if (!strcmp(action, "accept")) {
		rc = unpause(c, &k, now, e);
		if (rc == 0)
			rc = set_status(c, &k, "accepted", e);
		if (rc == 0)
			rc = responded(c, &k, e);
		if (rc == 0)
			rc = case_event(c, &k, "accepted", "accepted", 0, 0, note, true, e);
	} else if (!strcmp(action, "note")) {
		rc = responded(c, &k, e);
		if (rc == 0)
			rc = case_event(c, &k, "note", NULL, 0, 0, note, json_is_true(pub), e);
	} else if (!strcmp(action, "ask")) {
		/* Waiting for the resident pauses the clock. */
		rc = store_run(c->db, e,
			       "UPDATE cases SET status = 'waiting', paused_at = ?, updated_at = ? WHERE id = ?", "tti",
			       now, now, k.id);
		if (rc == 0)
			rc = responded(c, &k, e);
		if (rc == 0)
			rc = case_event(c, &k, "asked", "waiting", 0, 0, note, true, e);
	} else if (!strcmp(action, "reply")) {
		rc = unpause(c, &k, now, e);
		if (rc == 0)
			rc = set_status(c, &k, "accepted", e);
		if (rc == 0)
			rc = case_event(c, &k, "replied", "accepted", 0, 0, note, true, e);
	} else if (!strcmp(action, "handover")) {
		rc = unpause(c, &k, now, e);
		if (rc == 0)
			rc = do_handover(c, &k, in, note, e);
		if (rc == 0)
			rc = set_status(c, &k, "referred", e);
		if (rc == 0)
			rc = responded(c, &k, e);
	} else if (!strcmp(action, "org_done")) {
		json_t *oid = json_object_get(in, "org_id");
		if (oid && !json_is_integer(oid))
			rc = err_set(e, ERR_INVALID, "org_id", "org_id应为整数 / org_id must be an integer");
		int64_t org = oid ? json_integer_value(oid) : (c->who ? c->who->org_id : 0);
		if (!(who & WHO_HANDLER) && org != c->who->org_id)
			rc = err_set(e, ERR_FORBIDDEN, "org_id", "只能为本单位报结 / report for your own organisation");
		if (rc == 0) {
			rc = store_run(c->db, e,
				       "UPDATE case_orgs SET status = 'done', done_at = ? WHERE case_id = ? AND org_id "
				       "= ? AND status = 'open'",
				       "tii", now, k.id, org);
			if (rc == 0 && store_changes(c->db) == 0)
				rc = err_set(e, ERR_CONFLICT, "org_id",
					     "该单位没有待办 / that organisation has nothing open here");
		}
		if (rc == 0)
			rc = case_event(c, &k, "org_done", NULL, 0, org, note, true, e);
	} else if (!strcmp(action, "resolve")) {
		rc = store_run(c->db, e,
			       "UPDATE cases SET status = 'resolved', outcome = ?, resolved_at = ?, paused_at = NULL, "
			       "updated_at = ? WHERE id = ?",
			       "ttti", outcome, now, now, k.id);
		if (rc == 0)
			rc = responded(c, &k, e);
		if (rc == 0)
			rc = case_event(c, &k, "resolved", "resolved", 0, 0, outcome, true, e);
	} else if (!strcmp(action, "escalate")) {
		rc = do_escalate(c, &k, reason, false, e);
	} else if (!strcmp(action, "close")) {
		rc = store_run(
		    c->db, e,
		    "UPDATE cases SET status = 'closed', close_reason = ?, closed_at = ?, updated_at = ? WHERE id = ?",
		    "ttti", reason, now, now, k.id);
		if (rc == 0)
			rc = case_event(c, &k, "closed", "closed", 0, 0, reason, true, e);
	} else if (!strcmp(action, "merge")) {
		rc = do_merge(c, &k, in, note, e);
	} else if (!strcmp(action, "rate")) {
		rc = do_rate(c, &k, in, e);
	} else if (!strcmp(action, "publish")) {
		rc = store_run(c->db, e, "UPDATE cases SET is_public = ?, updated_at = ? WHERE id = ?", "iti",
			       (int64_t)json_is_true(pub), now, k.id);
		if (rc == 0)
			rc = case_event(c, &k, json_is_true(pub) ? "published" : "unpublished", NULL, 0, 0, NULL, false,
					e);
	}
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
			*out = json_pack("{s:I, s:s, s:I, s:b}", "id", (json_int_t)id, "status", after.status,
					 "node_id", (json_int_t)after.node_id, "can_handle", 0);
	}
	return rc;
}

int case_orgs_available(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	struct case_core k;
	int rc = case_load_core(c, id, &k, e);
	if (rc)
		return rc;
	if (!case_can_handle(c, &k))
		return err_set(e, ERR_FORBIDDEN, NULL, "无权办理此诉求 / you may not act on this request");
	struct store_stmt *st;
	rc = store_prepare(
	    c->db,
	    "SELECT o.id, o.name, o.kind, o.node_id, n.name FROM orgs o JOIN nodes n ON n.id = o.node_id "
	    "WHERE o.retired_at IS NULL AND (substr(?1, 1, length(o.node_path)) = o.node_path OR "
	    "(o.node_path >= ?1 AND o.node_path < ?1 || '~')) ORDER BY length(o.node_path) DESC, o.id LIMIT 200",
	    &st, e);
	if (rc)
		return rc;
	store_bind(st, "t", k.node_path);
	json_t *arr = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW)
		json_array_append_new(arr,
				      json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)store_col_int(st, 0),
						"name", store_col_text(st, 1), "kind", store_col_text(st, 2), "node_id",
						(json_int_t)store_col_int(st, 3), "node_name", store_col_text(st, 4)));
	store_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}
