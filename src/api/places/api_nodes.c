/*
 * api_nodes.c — /nodes and /node-kinds: the organisation tree.
 * Statuses: 200, 201, 400 (bad input), 401, 403 (outside the caller's
 * subtree), 404, 409 (retire with children).
 */
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "base/qrpng.h"
#include "domain/roles/roles.h"
#include "domain/places/tree.h"

void h_kinds_list(struct api *r)
{
	json_t *out = NULL;
	struct err e = {0};
	int rc = tree_kinds(&r->c, &out, &e);
	if (rc == 0)
		out = json_pack("{s:o}", "items", out);
	api_result(r, rc, &e, 200, out);
}

void h_kinds_put(struct api *r)
{
	json_t *in = api_body(r);
	if (!in)
		return;
	struct err e = {0};
	int rc = tree_kind_put(&r->c, in, &e);
	json_t *kinds = NULL, *stored = NULL;
	if (rc == 0)
		rc = tree_kinds(&r->c, &kinds, &e);
	size_t i;
	json_t *k;
	json_array_foreach (kinds, i, k)
		if (json_equal(json_object_get(k, "code"), json_object_get(in, "code")))
			stored = json_incref(k);
	json_decref(kinds);
	json_decref(in);
	api_result(r, rc, &e, 200, stored);
}

void h_nodes_list(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t under, limit;
	if (!api_qkeys(r, keys) || !api_qint(r, "under", &under) || !api_qint(r, "limit", &limit))
		return;
	const char *q = http_query(r->req, "q");
	struct err e = {0};
	json_t *items = NULL;
	int rc = 0;
	if (q && *q)
		rc = tree_search(&r->c, under, q, (int)limit, &items, &e);
	else
		rc = tree_roots(&r->c, &items, &e); /* the nodes the caller may start from */
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

void h_nodes_create(struct api *r)
{
	api_create(r, tree_create);
}

void h_nodes_get(struct api *r)
{
	api_get(r, tree_get);
}

void h_nodes_update(struct api *r)
{
	api_update(r, tree_update);
}

void h_nodes_move(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	json_int_t parent = 0;
	json_error_t je;
	struct err e = {0};
	int rc;
	if (json_unpack_ex(in, &je, JSON_STRICT, "{s:I}", "parent_id", &parent) != 0 || parent <= 0)
		rc = err_set(&e, ERR_INVALID, "parent_id", "需要目标上级parent_id / parent_id (integer) is required");
	else
		rc = tree_move(&r->c, id, parent, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 200, out);
}

void h_nodes_retire(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	struct err e = {0};
	json_t *out = NULL;
	int rc = tree_retire(&r->c, id, &e);
	if (rc == 0)
		rc = tree_get(&r->c, id, &out, &e);
	api_result(r, rc, &e, 200, out);
}

void h_nodes_children(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t id, limit, after;
	if (!api_id(r, 0, &id) || !api_qkeys(r, keys) || !api_qint(r, "limit", &limit) || !api_cursor(r, &after))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = tree_children(&r->c, id, after, (int)limit, api_qbool(r, "retired"), &items, &e);
	if (rc)
		return api_fail(r, rc, &e);
	api_page(r, items, (int)limit);
}

void h_nodes_ancestors(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = tree_ancestors(&r->c, id, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}

void h_nodes_subtree(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t id, depth, limit;
	if (!api_id(r, 0, &id) || !api_qkeys(r, keys) || !api_qint(r, "depth", &depth) || !api_qint(r, "limit", &limit))
		return;
	const char *cursor = http_query(r->req, "cursor");
	if (cursor && strspn(cursor, "/0123456789") != strlen(cursor))
		return api_error(r, 400, "invalid", "cursor", "分页游标无效 / invalid cursor");
	json_t *items = NULL;
	struct err e = {0};
	int rc = tree_subtree(&r->c, id, http_query(r->req, "kind"), (int)depth, cursor, (int)limit, &items, &e);
	if (rc)
		return api_fail(r, rc, &e);
	/* The cursor is the last node's path: tree order is path order. */
	size_t n = json_array_size(items);
	json_t *next =
	    n == (size_t)limit ? json_incref(json_object_get(json_array_get(items, n - 1), "path")) : json_null();
	api_ok(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

void h_nodes_contacts(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = roles_contacts(&r->c, id, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}

/* A printable QR code whose link opens the report page with the place
 * filled in (扫码上报). Needs read access to the node. */
void h_nodes_qr(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t id, scale;
	if (!api_id(r, 0, &id) || !api_qkeys(r, keys) || !api_qint(r, "scale", &scale))
		return;
	json_t *node = NULL;
	struct err e = {0};
	int rc = tree_get(&r->c, id, &node, &e);
	if (rc)
		return api_fail(r, rc, &e);
	json_decref(node);
	const struct api_app *app = r->app;
	const char *url = arena_printf(r->req->a, "%s/report?place=%lld", app->public_url, (long long)id);
	unsigned char *png = NULL;
	size_t len = 0;
	rc = qrpng_render(url, (int)scale, &png, &len, &e);
	if (rc)
		return api_fail(r, rc, &e);
	r->resp->status = 200;
	r->resp->data = png;
	r->resp->len = len;
	r->resp->free_data = true;
	r->resp->type = "image/png";
	http_add_header(r->resp, "Content-Disposition",
			arena_printf(r->req->a, "inline; filename=\"place-%lld.png\"", (long long)id));
	http_add_header(r->resp, "X-QR-Link", url);
}
