/*
 * api_cases.c — every case kind at its own resource path (/api/v1/requests,
 * later /disputes, /topics): list and search, create, read with the
 * timeline and the actions the caller may take now, act, photos. The
 * router sets r->kind from the path. Statuses: 200, 201, 400 (bad input),
 * 401, 403 (not yours to see or act on), 404, 409 (action not allowed in
 * the current state), 413, 415 (not an image).
 */
#include <string.h>

#include "api/handlers.h"
#include "base/timeutil.h"
#include "domain/cases/case_files.h"
#include "domain/cases/cases.h"

/* A kind's categories (a request's 类别, a dispute's 类型): for everyone
 * logged in; configured by administrators. */
void h_categories_list(struct api *r)
{
	json_t *items = NULL;
	struct err e = {0};
	int rc = case_categories(&r->c, r->kind, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}

void h_categories_put(struct api *r)
{
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	struct err e = {0};
	int rc = case_category_put(&r->c, r->kind, in, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 200, out);
}

void h_case_kinds(struct api *r)
{
	api_ok(r, 200, json_pack("{s:o}", "items", case_kinds_describe()));
}

void h_cases_list(struct api *r)
{
	/* The engine's filters and the kind's own (a request's channel …): the
	 * route's query keys (routes.c, "{filters}"). */
	const char *const *keys = api_route_keys(r);
	int64_t node, limit, after;
	if (!api_list_query(r, keys, &node, &limit, &after))
		return;
	struct case_filter f = {.kind = r->kind, .node_id = node, .limit = (int)limit, .after_id = after};
	f.q = http_query(r->req, "q");
	f.category = http_query(r->req, "category");
	f.status = http_query(r->req, "status");
	f.from = http_query(r->req, "from");
	f.to = http_query(r->req, "to");
	f.due = http_query(r->req, "due");
	f.mine = api_qbool(r, "mine");
	f.org = api_qbool(r, "org");
	if (f.due && strcmp(f.due, "overdue") != 0 && strcmp(f.due, "soon") != 0)
		return api_error(r, 400, "invalid", "due", "due应为overdue或soon / due must be overdue or soon");
	if (f.status && strcmp(f.status, "open") != 0 && !case_kind_state(r->kind, f.status))
		return api_error(r, 400, "invalid", "status", "未知状态 / unknown status");
	if ((f.from && !time_valid_date(f.from)) || (f.to && !time_valid_date(f.to)))
		return api_error(r, 400, "invalid", f.from && !time_valid_date(f.from) ? "from" : "to",
				 "日期应为YYYY-MM-DD / dates are YYYY-MM-DD");
	if (f.q && strlen(f.q) > 200)
		return api_error(r, 400, "invalid", "q", "搜索词过长 / search text too long");
	json_t *filters = json_object();
	const struct entity *side = r->kind->side;
	for (int i = 0; side && i < side->n; i++) {
		const char *key = side->f[i].name, *q = http_query(r->req, key);
		if (q && case_kind_filter(r->kind, key) && json_object_set_new(filters, key, json_string(q))) {
			json_decref(filters);
			return api_error(r, 400, "invalid", key, "不是有效的UTF-8文本 / not valid UTF-8");
		}
	}
	f.side = filters;
	json_t *items = NULL;
	struct err e = {0};
	int rc = case_list(&r->c, &f, &items, &e);
	json_decref(filters);
	if (rc)
		return api_fail(r, rc, &e);
	/* Newest first: the cursor is the last id, and pages go downwards. */
	api_page_resume(r, items, f.limit, f.resume);
}

void h_cases_create(struct api *r)
{
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	struct err e = {0};
	int rc = case_create(&r->c, r->kind, in, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 201, out);
}

void h_cases_get(struct api *r)
{
	api_get(r, case_get);
}

void h_cases_orgs(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = case_orgs_available(&r->c, id, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}

void h_cases_act(struct api *r)
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

void h_cases_file_add(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	if (r->req->body_len > CASE_FILE_MAX)
		return api_error(r, 413, "too_large", "file",
				 "图片过大（最多5 MiB） / image too large (5 MiB at most)");
	json_t *out = NULL;
	struct err e = {0};
	int rc = case_file_add(&r->c, id, r->req->body, r->req->body_len, &out, &e);
	api_result(r, rc, &e, 201, out);
}
