/* webhooks.c — registering webhooks and running their delivery queue. */
#include "domain/integration/webhooks.h"

#include <sodium.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"
#include "base/webhook_post.h"
#include "domain/core/audit.h"
#include "domain/core/rows.h"
#include "domain/places/tree.h"
#include "store/store.h"

/* A webhook: where a node's case events are posted, signed with its
 * secret (given back only when the webhook is registered). */
static const struct field webhook_fields[] = {
    {"id", FT_INT, FF_READONLY, 0, 0, "编号", "number"},
    {"node_id", FT_REF, FF_REQUIRED | FF_NOUPDATE, 0, 0, "节点", "node"},
    {"url", FT_TEXT, FF_REQUIRED | FF_TRIM, 500, 0, "接收地址", "URL"},
    {"secret", FT_TEXT, FF_NOUPDATE | FF_SECRET, 128, 0, "签名密钥", "signing secret"},
    {"events", FT_TEXT, FF_NOTNULL | FF_TRIM, 500, 0, "事件类型", "events"},
    {"active", FT_BOOL, FF_NOTNULL, 0, 0, "启用", "active"},
    {"created_at", FT_TEXT, FF_READONLY, 0, 0, "创建时间", "created at"},
};
const struct entity ENT_WEBHOOK = ENTITY("webhook", "webhooks", webhook_fields);

static json_t *hook_row(const struct ctx *c, struct store_stmt *st)
{
	return fields_row(&ENT_WEBHOOK, st, 0, c, false);
}

static const char *hook_select(const struct ctx *c)
{
	return arena_printf(c->a, "SELECT %s FROM webhooks", fields_select(&ENT_WEBHOOK, c->a));
}

static int load_hook(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	return rows_one(c, hook_select(c), "webhooks", id, hook_row, "webhook", out, e);
}

/* The form, then the target: an address literal the address policy
 * refuses (loopback, private, link-local, metadata …) is refused here;
 * a name is judged by the address it resolves to at each delivery. */
static int check_url(const char *url, struct err *e)
{
	if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) || strlen(url) > 500 ||
	    strpbrk(url, " \t\r\n") || !utf8_valid(url, strlen(url)))
		return err_set(e, ERR_INVALID, "url",
			       "地址应以http://或https://开头 / url must be http:// or https://");
	struct err why = {0};
	int rc = webhook_check_target(url, &why);
	if (rc == ERR_FORBIDDEN)
		return err_set(e, ERR_INVALID, "url", "%s", why.msg);
	if (rc)
		return err_set(e, ERR_INVALID, "url", "地址格式无效 / %s", why.msg);
	return 0;
}

static int check_events(const char *events, struct err *e)
{
	if (!*events || strlen(events) > 500 || strspn(events, "abcdefghijklmnopqrstuvwxyz_,*") != strlen(events))
		return err_set(e, ERR_INVALID, "events",
			       "events应为逗号分隔的事件类型或* / events: comma-separated event types or *");
	return 0;
}

int webhooks_create(const struct ctx *c, json_t *in, json_t **out, struct err *e)
{
	json_t *hook = json_deep_copy(in);
	int rc = fields_validate(&ENT_WEBHOOK, hook, true, e);
	const char *url = json_string_value(json_object_get(hook, "url"));
	const char *events = json_string_value(json_object_get(hook, "events"));
	const char *secret = json_string_value(json_object_get(hook, "secret"));
	if (rc == 0)
		rc = check_url(url, e);
	if (rc == 0 && events)
		rc = check_events(events, e);
	if (rc == 0 && secret && strlen(secret) < 16)
		rc = err_set(e, ERR_INVALID, "secret", "密钥16到128个字符 / secret: 16 to 128 characters");
	const char *path = NULL;
	if (rc == 0) {
		rc = tree_path(c, json_integer_value(json_object_get(hook, "node_id")), &path, e);
		if (rc == ERR_NOT_FOUND)
			rc = err_set(e, ERR_INVALID, "node_id", "节点不存在 / node not found");
	}
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_MANAGER, e);
	if (rc == 0 && !secret) {
		unsigned char raw[32];
		char gen[65];
		randombytes_buf(raw, sizeof raw);
		sodium_bin2hex(gen, sizeof gen, raw, sizeof raw);
		json_object_set_new(hook, "secret", json_string(gen));
	}
	int64_t id = 0;
	if (rc == 0 && (rc = store_begin(c->db, e)) == 0) {
		json_t *internal = json_pack("{s:s, s:s}", "node_path", path, "created_at", rows_now(c));
		rc = fields_write(c, &ENT_WEBHOOK, hook, internal, 0, &id, e);
		json_decref(internal);
		if (rc == 0)
			rc = load_hook(c, id, out, e);
		if (rc == 0)
			rc = audit_log(c, "create", "webhook", id, NULL, *out, e);
		rc = txn_finish(c, rc, e);
	}
	/* The secret is shown this once; receivers keep it to check signatures. */
	if (rc == 0)
		json_object_set(*out, "secret", json_object_get(hook, "secret"));
	json_decref(hook);
	return rc;
}

int webhooks_list(const struct ctx *c, int64_t node, json_t **out, struct err *e)
{
	const char *path;
	int rc = tree_path(c, node, &path, e);
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_MANAGER, e);
	if (rc)
		return rc;
	struct store_stmt *st;
	rc = store_prepare(
	    c->db, arena_printf(c->a, "%s WHERE node_path >= ? AND node_path < ? ORDER BY id", hook_select(c)), &st, e);
	if (rc)
		return rc;
	store_bind(st, "tt", path, arena_printf(c->a, "%s~", path));
	return rows_collect(c, st, hook_row, out, e);
}

static int hook_access(const struct ctx *c, int64_t id, struct err *e)
{
	const char *path = NULL;
	struct store_stmt *st;
	int rc = store_prepare(c->db, "SELECT node_path FROM webhooks WHERE id = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	if (store_step(st, NULL) == STORE_ROW)
		path = arena_strdup(c->a, store_col_text(st, 0));
	store_done(st);
	if (!path)
		return err_set(e, ERR_NOT_FOUND, NULL, "webhook %lld 不存在 / not found", (long long)id);
	return authz_require(c->who, path, ACC_MANAGER, e);
}

int webhooks_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e)
{
	int rc = hook_access(c, id, e);
	if (rc)
		return rc;
	json_t *hook = json_deep_copy(in);
	rc = fields_validate(&ENT_WEBHOOK, hook, false, e);
	const char *url = json_string_value(json_object_get(hook, "url"));
	const char *events = json_string_value(json_object_get(hook, "events"));
	if (rc == 0 && url)
		rc = check_url(url, e);
	if (rc == 0 && events)
		rc = check_events(events, e);
	if (rc == 0)
		rc = rows_update(c, &ENT_WEBHOOK, id, hook, NULL, load_hook, out, e);
	json_decref(hook);
	return rc;
}

int webhooks_deliveries(const struct ctx *c, int64_t id, int limit, json_t **out, struct err *e)
{
	int rc = hook_access(c, id, e);
	if (rc)
		return rc;
	struct store_stmt *st;
	rc = store_prepare(
	    c->db,
	    "SELECT id, case_id, event, status, attempts, next_at, last_status, last_error, created_at, delivered_at "
	    "FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?",
	    &st, e);
	if (rc)
		return rc;
	store_bind(st, "ii", id, (int64_t)limit);
	json_t *arr = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW)
		json_array_append_new(
		    arr, json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:I, s:s?, s:s, s:s?}", "id",
				   (json_int_t)store_col_int(st, 0), "case_id", (json_int_t)store_col_int(st, 1),
				   "event", store_col_text(st, 2), "status", store_col_text(st, 3), "attempts",
				   (json_int_t)store_col_int(st, 4), "next_at", store_col_text(st, 5), "last_status",
				   (json_int_t)store_col_int(st, 6), "last_error", store_col_text(st, 7), "created_at",
				   store_col_text(st, 8), "delivered_at", store_col_text(st, 9)));
	store_done(st);
	*out = arr;
	return rc < 0 ? rc : 0;
}

struct due {
	int64_t id, attempts;
	char *url, *secret, *event, *payload;
};

int webhooks_deliver_due(const struct ctx *c, int64_t now, int max, long retry_base, int *done, int *failed,
			 struct err *e)
{
	char now_s[21];
	time_iso(now, now_s);
	struct store_stmt *st;
	int rc = store_prepare(
	    c->db,
	    "SELECT d.id, d.attempts, w.url, w.secret, d.event, d.payload FROM webhook_deliveries d JOIN webhooks w "
	    "ON w.id = d.webhook_id WHERE d.status = 'pending' AND d.next_at <= ? ORDER BY d.next_at, d.id LIMIT ?",
	    &st, e);
	if (rc)
		return rc;
	store_bind(st, "ti", now_s, (int64_t)max);
	struct due *list = arena_alloc(c->a, sizeof *list * (size_t)(max > 0 ? max : 1));
	int n = 0;
	while (n < max && store_step(st, NULL) == STORE_ROW) {
		struct due *d = &list[n++];
		d->id = store_col_int(st, 0);
		d->attempts = store_col_int(st, 1);
		d->url = arena_strdup(c->a, store_col_text(st, 2));
		d->secret = arena_strdup(c->a, store_col_text(st, 3));
		d->event = arena_strdup(c->a, store_col_text(st, 4));
		d->payload = arena_strdup(c->a, store_col_text(st, 5));
	}
	store_done(st);
	for (int i = 0; i < n; i++) {
		struct due *d = &list[i];
		struct webhook_result res = {0};
		/* The network call holds no database lock. */
		int sent = webhook_post(d->url, d->secret, d->event, d->id, d->payload, 5000, &res, NULL);
		int attempts = (int)d->attempts + 1;
		char next[21];
		time_iso(now + webhook_backoff(attempts, retry_base, 6L * 3600, 0), next);
		/* A target the address policy refuses is not retried. */
		const char *status = sent == 0                                                   ? "delivered"
				     : attempts >= WEBHOOK_MAX_ATTEMPTS || sent == ERR_FORBIDDEN ? "failed"
												 : "pending";
		rc = store_run(c->db, e,
			       "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_at = ?, last_status = ?, "
			       "last_error = ?, "
			       "delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE NULL END WHERE id = ?",
			       "titittti", status, (int64_t)attempts, next, (int64_t)res.status,
			       res.error[0] ? res.error : NULL, status, now_s, d->id);
		if (rc)
			return rc;
		if (sent == 0 && done)
			(*done)++;
		if (sent != 0 && failed)
			(*failed)++;
	}
	return 0;
}
