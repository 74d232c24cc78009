/*
 * case_effects.c — what the engine's actions do to a case. Each runs
 * inside case_act's transaction, after the action's input was checked
 * against its field table, and writes its event on the timeline.
 */
#include "domain/cases/case_effects.h"

#include <string.h>

#include "base/timeutil.h"
#include "domain/cases/case_internal.h"
#include "domain/core/rows.h"
#include "store/store.h"

static const char *text_in(const struct case_step *s, const char *key)
{
	return json_string_value(json_object_get(s->in, key));
}

/* The action's `to` state, when it has one. */
static int to_state(struct case_step *s, struct err *e)
{
	return s->act->to ? case_set_state(s->c, s->k, s->act->to, e) : 0;
}

int case_fx_accept(struct case_step *s, struct err *e)
{
	int rc = case_unpause(s->c, s->k, s->now, e);
	if (rc == 0)
		rc = to_state(s, e);
	if (rc == 0)
		rc = case_responded(s->c, s->k, e);
	return rc ? rc : case_event(s->c, s->k, "accepted", s->act->to, 0, 0, text_in(s, "note"), true, e);
}

int case_fx_note(struct case_step *s, struct err *e)
{
	int rc = case_responded(s->c, s->k, e);
	return rc ? rc
		  : case_event(s->c, s->k, "note", NULL, 0, 0, text_in(s, "note"),
			       json_is_true(json_object_get(s->in, "public")), e);
}

int case_fx_ask(struct case_step *s, struct err *e)
{
	/* Waiting for the reporter pauses the clock. */
	int rc = to_state(s, e);
	if (rc == 0)
		rc = store_run(s->c->db, e, "UPDATE cases SET paused_at = ? WHERE id = ?", "ti", s->now, s->k->id);
	if (rc == 0)
		rc = case_responded(s->c, s->k, e);
	return rc ? rc : case_event(s->c, s->k, "asked", s->act->to, 0, 0, text_in(s, "note"), true, e);
}

int case_fx_reply(struct case_step *s, struct err *e)
{
	int rc = case_unpause(s->c, s->k, s->now, e);
	if (rc == 0)
		rc = to_state(s, e);
	return rc ? rc : case_event(s->c, s->k, "replied", s->act->to, 0, 0, text_in(s, "note"), true, e);
}

/* The organisations of a handover: 1 to 10, one lead, each serving the
 * case's place (attached on its line of the tree). */
static int check_orgs(struct case_step *s, json_t *orgs, struct err *e)
{
	if (json_array_size(orgs) == 0)
		return err_set(e, ERR_INVALID, "orgs", "请选择1到10个承办单位 / orgs: 1 to 10 organisations");
	int leads = 0;
	size_t i;
	json_t *o;
	json_array_foreach (orgs, i, o) {
		json_int_t id = 0;
		const char *role = "lead";
		json_error_t je;
		if (json_unpack_ex(o, &je, JSON_STRICT, "{s:I, s?s}", "org_id", &id, "role", &role) || id <= 0 ||
		    (strcmp(role, "lead") != 0 && strcmp(role, "joint") != 0))
			return err_set(e, ERR_INVALID, "orgs",
				       "每项应为{org_id, role: lead|joint} / each item: {org_id, role: lead|joint}");
		leads += !strcmp(role, "lead");
		for (size_t j = 0; j < i; j++)
			if (json_integer_value(json_object_get(json_array_get(orgs, j), "org_id")) == id)
				return err_set(e, ERR_INVALID, "orgs", "单位%lld重复 / organisation %lld listed twice",
					       (long long)id, (long long)id);
		const char *opath = NULL;
		struct store_stmt *st;
		int rc =
		    store_prepare(s->c->db, "SELECT node_path FROM orgs WHERE id = ? AND retired_at IS NULL", &st, e);
		if (rc)
			return rc;
		store_bind(st, "i", (int64_t)id);
		if (store_step(st, NULL) == STORE_ROW)
			opath = arena_strdup(s->c->a, store_col_text(st, 0));
		store_done(st);
		const char *np = s->k->node_path;
		if (!opath || (strncmp(np, opath, strlen(opath)) != 0 && strncmp(opath, np, strlen(np)) != 0))
			return err_set(e, ERR_INVALID, "orgs",
				       "单位%lld不存在或不服务此处 / organisation %lld not found here", (long long)id,
				       (long long)id);
	}
	if (leads != 1)
		return err_set(e, ERR_INVALID, "orgs", "需且仅需一个牵头单位 / exactly one lead organisation");
	return 0;
}

int case_fx_handover(struct case_step *s, struct err *e)
{
	json_t *orgs = json_object_get(s->in, "orgs");
	int rc = check_orgs(s, orgs, e);
	if (rc == 0)
		rc = case_unpause(s->c, s->k, s->now, e);
	/* A new handover names the lead: an earlier lead stays on as joint. */
	if (rc == 0)
		rc = store_run(s->c->db, e, "UPDATE case_orgs SET role = 'joint' WHERE case_id = ? AND role = 'lead'",
			       "i", s->k->id);
	size_t i;
	json_t *o;
	json_array_foreach (orgs, i, o) {
		if (rc)
			break;
		json_int_t id = json_integer_value(json_object_get(o, "org_id"));
		const char *role = json_string_value(json_object_get(o, "role"));
		bool lead = !role || !strcmp(role, "lead");
		rc = store_run(
		    s->c->db, e,
		    "INSERT INTO case_orgs (case_id, org_id, role, status, assigned_at) VALUES (?, ?, ?, 'open', "
		    "?) ON CONFLICT (case_id, org_id) DO UPDATE SET role = excluded.role, status = 'open', "
		    "done_at = NULL",
		    "iitt", s->k->id, (int64_t)id, lead ? "lead" : "joint", s->now);
		if (rc == 0)
			rc = case_event(s->c, s->k, lead ? "handed_over" : "joint_assigned", s->act->to, 0, id,
					lead ? text_in(s, "note") : NULL, true, e);
	}
	if (rc == 0)
		rc = to_state(s, e);
	return rc ? rc : case_responded(s->c, s->k, e);
}

int case_fx_org_done(struct case_step *s, struct err *e)
{
	json_t *oid = json_object_get(s->in, "org_id");
	int64_t mine = s->c->who ? s->c->who->org_id : 0;
	int64_t org = oid ? json_integer_value(oid) : mine;
	if (!(s->who & WHO_HANDLER) && org != mine)
		return err_set(e, ERR_FORBIDDEN, "org_id", "只能为本单位报结 / report for your own organisation");
	int rc = store_run(s->c->db, e,
			   "UPDATE case_orgs SET status = 'done', done_at = ? WHERE case_id = ? AND org_id = ? AND "
			   "status = 'open'",
			   "tii", s->now, s->k->id, org);
	if (rc == 0 && store_changes(s->c->db) == 0)
		rc = err_set(e, ERR_CONFLICT, "org_id", "该单位没有待办 / that organisation has nothing open here");
	return rc ? rc : case_event(s->c, s->k, "org_done", NULL, 0, org, text_in(s, "note"), true, e);
}

int case_fx_resolve(struct case_step *s, struct err *e)
{
	const char *outcome = text_in(s, "outcome");
	int rc = to_state(s, e);
	if (rc == 0)
		rc = store_run(s->c->db, e,
			       "UPDATE cases SET outcome = ?, resolved_at = ?, paused_at = NULL WHERE id = ?", "tti",
			       outcome, s->now, s->k->id);
	if (rc == 0)
		rc = case_responded(s->c, s->k, e);
	return rc ? rc : case_event(s->c, s->k, "resolved", s->act->to, 0, 0, outcome, true, e);
}

int case_fx_escalate(struct case_step *s, struct err *e)
{
	return case_escalate(s->c, s->k, text_in(s, "reason"), false, e);
}

int case_fx_close(struct case_step *s, struct err *e)
{
	const char *reason = text_in(s, "reason");
	int rc = to_state(s, e);
	if (rc == 0)
		rc = store_run(s->c->db, e, "UPDATE cases SET close_reason = ?, closed_at = ? WHERE id = ?", "tti",
			       reason, s->now, s->k->id);
	return rc ? rc : case_event(s->c, s->k, "closed", s->act->to, 0, 0, reason, true, e);
}

int case_fx_merge(struct case_step *s, struct err *e)
{
	json_int_t into = json_integer_value(json_object_get(s->in, "into"));
	if (into == s->k->id)
		return err_set(e, ERR_INVALID, "into", "请指定要合并到的另一条诉求 / into: the id of another request");
	struct case_core target;
	int rc = case_load_core(s->c, into, &target, e);
	if (rc)
		return rc == ERR_NOT_FOUND
			   ? err_set(e, ERR_INVALID, "into", "目标诉求不存在 / target request not found")
			   : rc;
	const struct case_state *ts = case_kind_state(target.def, target.status);
	if (target.def != s->k->def || !ts || ts->phase > CASE_WAITING || !case_can_handle(s->c, &target))
		return err_set(e, ERR_INVALID, "into",
			       "只能合并到您可办理的未办结诉求 / merge into an open request you handle");
	rc = to_state(s, e);
	if (rc == 0)
		rc = store_run(s->c->db, e,
			       "UPDATE cases SET merged_into = ?, closed_at = ?, close_reason = ? WHERE id = ?", "itti",
			       target.id, s->now,
			       arena_printf(s->c->a, "合并到#%lld / merged into #%lld", (long long)target.id,
					    (long long)target.id),
			       s->k->id);
	if (rc == 0)
		rc = case_event(s->c, s->k, "merged", s->act->to, 0, 0, text_in(s, "note"), true, e);
	return rc ? rc
		  : case_event(s->c, &target, "merged_in", NULL, 0, 0,
			       arena_printf(s->c->a, "#%lld", (long long)s->k->id), true, e);
}

int case_fx_publish(struct case_step *s, struct err *e)
{
	bool pub = json_is_true(json_object_get(s->in, "public"));
	int rc = store_run(s->c->db, e, "UPDATE cases SET is_public = ?, updated_at = ? WHERE id = ?", "iti",
			   (int64_t)pub, s->now, s->k->id);
	return rc ? rc : case_event(s->c, s->k, pub ? "published" : "unpublished", NULL, 0, 0, NULL, false, e);
}

json_t *case_publish_suggest(const struct case_core *k)
{
	return json_pack("{s:b}", "public", !k->is_public);
}

const char *case_publish_label(const struct case_core *k)
{
	return k->is_public ? "取消公开 / Make private" : "公开 / Make public";
}

bool case_org_part_open(const struct ctx *c, const struct case_core *k, unsigned who)
{
	int64_t n = 0;
	int64_t org = (who & WHO_HANDLER) || !c->who ? 0 : c->who->org_id;
	store_int(c->db, NULL, &n,
		  "SELECT count(*) FROM case_orgs WHERE case_id = ? AND status = 'open' AND (? = 0 OR org_id = ?)",
		  "iii", k->id, org, org);
	return n > 0;
}
