/*
 * api_roles.c — /roles, /role-types and /orgs.
 * Statuses: 200, 201, 400, 401, 403 (not a manager there), 404.
 */
#include "api/handlers.h"
#include "domain/roles/roles.h"

void h_role_types(struct api *r)
{
	json_t *items = NULL;
	struct err e = {0};
	int rc = roles_types(&r->c, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}

void h_roles_list(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t node, limit;
	const char *cursor, *next = NULL;
	if (!api_list_query_text(r, keys, &node, &limit, &cursor))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = roles_list(&r->c, node, http_query(r->req, "role"), api_qbool(r, "all"), cursor, (int)limit, &items,
			    &next, &e);
	if (rc)
		return api_fail(r, rc, &e);
	api_page_next(r, items, next);
}

void h_roles_create(struct api *r)
{
	api_create(r, roles_create);
}

void h_roles_update(struct api *r)
{
	api_update(r, roles_update);
}

void h_orgs_list(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t node, limit;
	const char *cursor, *next = NULL;
	if (!api_list_query_text(r, keys, &node, &limit, &cursor))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = orgs_list(&r->c, node, http_query(r->req, "kind"), cursor, (int)limit, &items, &next, &e);
	if (rc)
		return api_fail(r, rc, &e);
	api_page_next(r, items, next);
}

void h_orgs_create(struct api *r)
{
	api_create(r, orgs_create);
}

void h_orgs_get(struct api *r)
{
	api_get(r, orgs_get);
}

void h_orgs_update(struct api *r)
{
	api_update(r, orgs_update);
}
