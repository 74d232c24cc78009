/*
 * case_notify.c — the timeline and what follows from it: every event is a
 * row; the kind says who hears of it in the app (by default the reporter,
 * of every public step); every public event is offered to the webhooks
 * registered above the case (group-chat robots and other systems), queued
 * in webhook_deliveries for the delivery job.
 */
#include <string.h>

#include "domain/cases/case_internal.h"
#include "domain/core/rows.h"
#include "store/store.h"

static const struct {
	const char *type, *label;
} labels[] = {{"reported", "已受理登记 / reported"},
	      {"accepted", "已接单 / accepted"},
	      {"note", "办理记录 / note"},
	      {"asked", "请居民补充情况 / asked the resident for details"},
	      {"replied", "居民已补充 / the resident replied"},
	      {"handed_over", "已转交牵头单位 / handed over"},
	      {"joint_assigned", "联办单位 / joint handling"},
	      {"org_done", "承办单位已办结 / an organisation finished its part"},
	      {"resolved", "已办结，请评价 / resolved, please rate"},
	      {"escalated", "已上报上级 / escalated"},
	      {"auto_escalated", "超时自动上报 / escalated: time limit passed"},
	      {"response_overdue", "响应超时 / no response in time"},
	      {"overdue", "办理超时 / time limit passed"},
	      {"closed", "已办结归档 / closed"},
	      {"auto_closed", "逾期未评价，自动归档 / closed: not rated in time"},
	      {"merged", "已合并到其他诉求 / merged into another request"},
	      {"merged_in", "合并了重复诉求 / a duplicate was merged in"},
	      {"published", "已公开 / made public"},
	      {"unpublished", "已取消公开 / made private"},
	      {"file_added", "上传了图片 / photo added"}};

const char *case_event_label(const char *type)
{
	for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
		if (!strcmp(labels[i].type, type))
			return labels[i].label;
	/* The kinds' own events (a request's rating, …). */
	for (int i = 0; case_kinds[i]; i++)
		for (const struct case_label *l = case_kinds[i]->events; l && l->type; l++)
			if (!strcmp(l->type, type))
				return l->label;
	return type;
}

int case_event(const struct ctx *c, const struct case_core *k, const char *type, const char *status_to, int64_t to_node,
	       int64_t org_id, const char *note, bool public, struct err *e)
{
	const char *actor = c->who && c->who->user_id ? c->who->username : "系统 / system";
	int rc = store_run(
	    c->db, e,
	    "INSERT INTO case_events (case_id, at, type, actor_user_id, actor_name, node_id, to_node_id, org_id, "
	    "status_from, status_to, note, public) VALUES (?, ?, ?, nullif(?, 0), ?, ?, nullif(?, 0), nullif(?, 0), ?, "
	    "?, ?, ?)",
	    "ittitiiittti", k->id, rows_now(c), type, c->who ? c->who->user_id : (int64_t)0, actor, k->node_id, to_node,
	    org_id, k->status, status_to, note, (int64_t) public);
	if (rc)
		return rc;
	int64_t event_id = store_last_id(c->db);
	rc = case_tell(c, k, type, public, e);
	return rc || !public ? rc : case_notify(c, k, type, event_id, note, e);
}

enum { MAX_RECIPIENTS = 64 };

/* The engine's rule when a kind names nobody: the reporter hears of every
 * public step. */
static int reporter_hears(const struct case_core *k, bool public, struct case_recipient *to)
{
	if (!public || !k->reporter_user_id)
		return 0;
	to[0] = (struct case_recipient){k->reporter_user_id, NULL};
	return 1;
}

int case_tell(const struct ctx *c, const struct case_core *k, const char *type, bool public, struct err *e)
{
	struct case_recipient to[MAX_RECIPIENTS];
	int n = k->def && k->def->notify ? k->def->notify(c, k, type, public, to, MAX_RECIPIENTS, e)
					 : reporter_hears(k, public, to);
	if (n < 0)
		return e->code ? e->code : err_set(e, ERR_INTERNAL, NULL, "通知对象出错 / recipients failed");
	const char *label = case_event_label(type);
	const char *now = rows_now(c);
	const char *text = k->def && k->def->notify
			       ? arena_printf(c->a, "%s“%s”：%s", k->def->zh, k->title ? k->title : "", label)
			       : arena_printf(c->a, "您反映的“%s”：%s", k->title ? k->title : "", label);
	int rc = 0;
	for (int i = 0; i < n && i < MAX_RECIPIENTS && rc == 0; i++) {
		int64_t u = to[i].user_id;
		bool seen = u <= 0 || (c->who && c->who->user_id == u); /* nobody, or their own step */
		for (int j = 0; j < i && !seen; j++)
			seen = to[j].user_id == u;
		if (!seen)
			rc = store_run(c->db, e,
				       "INSERT INTO notifications (user_id, case_id, at, text, event) VALUES (?, ?, ?, "
				       "?, ?)",
				       "iittt", u, k->id, now, to[i].text ? to[i].text : text, type);
	}
	return rc;
}

/* Is type one of the comma-separated event names (or "*")? */
static bool event_listed(const char *events, const char *type)
{
	if (!strcmp(events, "*"))
		return true;
	size_t n = strlen(type);
	for (const char *p = events; p && *p; p = strchr(p, ','), p = p ? p + 1 : NULL)
		if (!strncmp(p, type, n) && (p[n] == ',' || p[n] == 0))
			return true;
	return false;
}

int case_notify(const struct ctx *c, const struct case_core *k, const char *type, int64_t event_id, const char *note,
		struct err *e)
{
	const char *label = case_event_label(type);
	const char *now = rows_now(c);
	/* Webhooks registered at the case's node or above. */
	struct store_stmt *st;
	int rc = store_prepare(
	    c->db,
	    "SELECT id, events FROM webhooks WHERE active = 1 AND ? >= node_path AND ? < node_path || '~' "
	    "AND substr(?, 1, length(node_path)) = node_path",
	    &st, e);
	if (rc)
		return rc;
	store_bind(st, "ttt", k->node_path, k->node_path, k->node_path);
	int64_t hooks[64];
	int n = 0;
	while (n < 64 && store_step(st, NULL) == STORE_ROW) {
		const char *events = store_col_text(st, 1);
		if (event_listed(events, type))
			hooks[n++] = store_col_int(st, 0);
	}
	store_done(st);
	if (n == 0)
		return 0;
	const char *node_name = "";
	if (store_prepare(c->db, "SELECT name FROM nodes WHERE id = ?", &st, NULL) == 0) {
		store_bind(st, "i", k->node_id);
		if (store_step(st, NULL) == STORE_ROW)
			node_name = arena_strdup(c->a, store_col_text(st, 0));
		store_done(st);
	}
	/* A payload group-chat robots (企业微信/钉钉) accept as a text message,
	 * with the structured event beside it. No personal data. */
	const char *text = arena_printf(c->a, "【邻里】%s#%lld“%s”（%s）：%s", k->def ? k->def->zh : "",
					(long long)k->id, k->title ? k->title : "", node_name, label);
	json_t *payload =
	    json_pack("{s:s, s:{s:s}, s:{s:s, s:I, s:{s:I, s:s?, s:s, s:s, s:I, s:s}, s:{s:s, s:s, s:s}}}", "msgtype",
		      "text", "text", "content", text, "linli", "event", arena_printf(c->a, "%s.%s", k->kind, type),
		      "event_id", (json_int_t)event_id, "case", "id", (json_int_t)k->id, "title", k->title, "category",
		      k->category, "status", k->status, "node_id", (json_int_t)k->node_id, "node_name", node_name,
		      "detail", "type", type, "label", label, "at", now);
	char *body = json_dumps(payload, JSON_COMPACT);
	json_decref(payload);
	(void)note;
	for (int i = 0; i < n && rc == 0; i++)
		rc = store_run(c->db, e,
			       "INSERT INTO webhook_deliveries (webhook_id, case_id, event, payload, next_at, "
			       "created_at) VALUES (?, ?, ?, ?, ?, ?)",
			       "iitttt", hooks[i], k->id, arena_printf(c->a, "%s.%s", k->kind, type), body, now, now);
	free(body);
	return rc;
}
