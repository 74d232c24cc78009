/*
 * api_roles.c — /roles, /role-types and /orgs.
 * Statuses: 200, 201, 400, 401, 403 (not a manager there), 404.
 */
#include "api/handlers.h"
#include "domain/roles.h"

void h_role_types(struct api *r)
{
	json_t *items = NULL;
	struct err e = {0};
	int rc = roles_types(&r->c, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}

void h_roles_list(struct api *r)
{
	static const char *const keys[] = {"node", "role", "all", "limit", "cursor", NULL};
	int64_t node, limit, after;
	if (!api_qkeys(r, keys) || !api_qint(r, "node", 0, 0, INT64_MAX, &node) || !api_qint(r, "limit", 100, 1, 500, &limit) ||
	    !api_cursor(r, &after))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = roles_list(&r->c, node, http_query(r->req, "role"), api_qbool(r, "all"), after, (int)limit, &items, &e);
	if (rc)
		return api_fail(r, rc, &e);
	api_page(r, items, (int)limit);
}

void h_roles_create(struct api *r)
{
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	struct err e = {0};
	int rc = roles_create(&r->c, in, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 201, out);
}

void h_roles_update(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	struct err e = {0};
	int rc = roles_update(&r->c, id, in, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 200, out);
}

void h_orgs_list(struct api *r)
{
	static const char *const keys[] = {"node", "kind", "limit", "cursor", NULL};
	int64_t node, limit, after;
	if (!api_qkeys(r, keys) || !api_qint(r, "node", 0, 0, INT64_MAX, &node) || !api_qint(r, "limit", 100, 1, 500, &limit) ||
	    !api_cursor(r, &after))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = orgs_list(&r->c, node, http_query(r->req, "kind"), after, (int)limit, &items, &e);
	if (rc)
		return api_fail(r, rc, &e);
	api_page(r, items, (int)limit);
}

void h_orgs_create(struct api *r)
{
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	struct err e = {0};
	int rc = orgs_create(&r->c, in, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 201, out);
}

void h_orgs_get(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *out = NULL;
	struct err e = {0};
	int rc = orgs_get(&r->c, id, &out, &e);
	api_result(r, rc, &e, 200, out);
}

void h_orgs_update(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	struct err e = {0};
	int rc = orgs_update(&r->c, id, in, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 200, out);
}
