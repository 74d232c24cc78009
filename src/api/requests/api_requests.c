/*
 * api_requests.c — residents' requests (/requests), their categories,
 * photos, statistics and monthly summaries, notifications and webhooks.
 * Statuses: 200, 201, 400 (bad input), 401, 403 (not yours to see or act
 * on), 404, 409 (action not allowed in the current state), 413, 415
 * (not an image).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/handlers.h"
#include "base/timeutil.h"
#include "domain/cases/case_files.h"
#include "domain/cases/case_stats.h"
#include "domain/cases/cases.h"
#include "domain/integration/webhooks.h"

void h_categories_list(struct api *r)
{
	json_t *items = NULL;
	struct err e = {0};
	int rc = case_categories(&r->c, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}

void h_categories_put(struct api *r)
{
	api_create(r, case_category_put);
	if (r->resp->status == 201)
		r->resp->status = 200;
}

void h_requests_list(struct api *r)
{
	static const char *const keys[] = {"node", "q",    "category", "status", "channel", "from", "to",
					   "due",  "mine", "org",      "limit",  "cursor",  NULL};
	int64_t node, limit, after;
	if (!api_list_query(r, keys, 50, &node, &limit, &after))
		return;
	struct case_filter f = {.node_id = node, .limit = (int)limit, .after_id = after};
	f.q = http_query(r->req, "q");
	f.category = http_query(r->req, "category");
	f.status = http_query(r->req, "status");
	f.channel = http_query(r->req, "channel");
	f.from = http_query(r->req, "from");
	f.to = http_query(r->req, "to");
	f.due = http_query(r->req, "due");
	f.mine = api_qbool(r, "mine");
	f.org = api_qbool(r, "org");
	if (f.due && strcmp(f.due, "overdue") && strcmp(f.due, "soon"))
		return api_error(r, 400, "invalid", "due", "due应为overdue或soon / due must be overdue or soon");
	static const char *const statuses[] = {"open",     "new",      "accepted", "waiting",
					       "referred", "resolved", "closed",   NULL};
	bool ok = !f.status;
	for (int i = 0; statuses[i] && !ok; i++)
		ok = !strcmp(statuses[i], f.status);
	if (!ok)
		return api_error(r, 400, "invalid", "status", "未知状态 / unknown status");
	if ((f.from && !time_valid_date(f.from)) || (f.to && !time_valid_date(f.to)))
		return api_error(r, 400, "invalid", f.from && !time_valid_date(f.from) ? "from" : "to",
				 "日期应为YYYY-MM-DD / dates are YYYY-MM-DD");
	if (f.q && strlen(f.q) > 200)
		return api_error(r, 400, "invalid", "q", "搜索词过长 / search text too long");
	json_t *items = NULL;
	struct err e = {0};
	int rc = case_list(&r->c, &f, &items, &e);
	if (rc)
		return api_fail(r, rc, &e);
	/* Newest first: the cursor is the last id, and pages go downwards. */
	api_page(r, items, f.limit);
}

void h_requests_create(struct api *r)
{
	api_create(r, case_create);
}

void h_requests_get(struct api *r)
{
	api_get(r, case_get);
}

void h_requests_orgs(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = case_orgs_available(&r->c, id, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}

void h_requests_act(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *in = r->req->body_len ? api_body(r) : json_object(), *out = NULL;
	if (!in)
		return;
	struct err e = {0};
	int rc = case_act(&r->c, id, r->param[1], in, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 200, out);
}

void h_requests_file_add(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	if (r->req->body_too_large || r->req->body_len > CASE_FILE_MAX)
		return api_error(r, 413, "too_large", "file",
				 "图片过大（最多5 MiB） / image too large (5 MiB at most)");
	json_t *out = NULL;
	struct err e = {0};
	int rc = case_file_add(&r->c, id, r->req->body, r->req->body_len, &out, &e);
	api_result(r, rc, &e, 201, out);
}

void h_files_get(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	const char *path, *mime;
	struct err e = {0};
	int rc = case_file_path(&r->c, id, &path, &mime, &e);
	if (rc)
		return api_fail(r, rc, &e);
	/* Content-addressed: the bytes behind an id never change. */
	if (api_send_file(r, path, mime))
		http_add_header(r->resp, "Cache-Control", "private, max-age=86400");
}

void h_requests_stats(struct api *r)
{
	static const char *const keys[] = {"node", "from", "to", NULL};
	int64_t node;
	if (!api_qkeys(r, keys) || !api_qint(r, "node", 0, 1, INT64_MAX, &node))
		return;
	if (!node)
		return api_error(r, 400, "invalid", "node", "需要node参数 / node is required");
	json_t *out = NULL;
	struct err e = {0};
	int rc = case_stats(&r->c, node, http_query(r->req, "from"), http_query(r->req, "to"), &out, &e);
	api_result(r, rc, &e, 200, out);
}

void h_requests_summary(struct api *r)
{
	static const char *const keys[] = {"node", "month", "format", NULL};
	int64_t node;
	if (!api_qkeys(r, keys) || !api_qint(r, "node", 0, 1, INT64_MAX, &node))
		return;
	const char *month = http_query(r->req, "month"), *fmt = http_query(r->req, "format");
	if (!node)
		return api_error(r, 400, "invalid", "node", "需要node参数 / node is required");
	struct err e = {0};
	if (!fmt || !strcmp(fmt, "json")) {
		json_t *out = NULL;
		int rc = case_summary(&r->c, node, month, &out, &e);
		return api_result(r, rc, &e, 200, out);
	}
	const char *path = api_tmpfile(r, "summary");
	if (!path)
		return;
	int rc = case_summary_export(&r->c, node, month, fmt, path, &e);
	if (rc)
		api_fail(r, rc, &e);
	else if (api_send_file(r, path, api_sheet_type(fmt)))
		http_add_header(r->resp, "Content-Disposition",
				arena_printf(r->req->a, "attachment; filename=\"summary-%s.%s\"", month, fmt));
	unlink(path);
}

void h_notifications_list(struct api *r)
{
	static const char *const keys[] = {"unread", "limit", "cursor", NULL};
	int64_t limit, before;
	if (!api_qkeys(r, keys) || !api_qint(r, "limit", 50, 1, 200, &limit) || !api_cursor(r, &before))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = notifications_list(&r->c, api_qbool(r, "unread"), before, (int)limit, &items, &e);
	if (rc)
		return api_fail(r, rc, &e);
	api_page(r, items, (int)limit);
}

void h_notifications_read(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	struct err e = {0};
	int rc = notifications_read(&r->c, id, &e);
	api_result(r, rc, &e, 200, NULL);
}

void h_webhooks_list(struct api *r)
{
	static const char *const keys[] = {"node", NULL};
	int64_t node;
	if (!api_qkeys(r, keys) || !api_qint(r, "node", 0, 1, INT64_MAX, &node))
		return;
	if (!node)
		return api_error(r, 400, "invalid", "node", "需要node参数 / node is required");
	json_t *items = NULL;
	struct err e = {0};
	int rc = webhooks_list(&r->c, node, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}

void h_webhooks_create(struct api *r)
{
	api_create(r, webhooks_create);
}

void h_webhooks_update(struct api *r)
{
	api_update(r, webhooks_update);
}

void h_webhooks_deliveries(struct api *r)
{
	static const char *const keys[] = {"limit", NULL};
	int64_t id, limit;
	if (!api_id(r, 0, &id) || !api_qkeys(r, keys) || !api_qint(r, "limit", 50, 1, 500, &limit))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = webhooks_deliveries(&r->c, id, (int)limit, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}
