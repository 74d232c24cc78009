/*
 * api_orgs.c — organisation kinds and member roles (/org-kinds,
 * /org-member-roles), members of organisations (/orgs/{id}/members,
 * /people/{id}/orgs) and the nearest organisation of some kinds above a
 * node (/nodes/{id}/nearest-org).
 * Statuses: 200, 201, 400, 401, 403 (not an administrator, or not a
 * manager there), 404, 409 (exists, already ended, retired).
 */
#include <string.h>

#include "api/handlers.h"
#include "domain/roles/org_kinds.h"
#include "domain/roles/org_members.h"

static void list_of(struct api *r, int (*fn)(const struct ctx *, json_t **, struct err *))
{
	if (!api_qkeys(r, api_route_keys(r)))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = fn(&r->c, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}

/* PATCH …/{code}: the code is the path's only parameter. */
static void update_by_code(struct api *r,
			   int (*fn)(const struct ctx *, const char *, json_t *, json_t **, struct err *))
{
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	struct err e = {0};
	int rc = fn(&r->c, r->param[0], in, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 200, out);
}

void h_org_kinds_list(struct api *r)
{
	list_of(r, org_kinds_list);
}

void h_org_kinds_create(struct api *r)
{
	api_create(r, org_kinds_create);
}

void h_org_kinds_update(struct api *r)
{
	update_by_code(r, org_kinds_update);
}

void h_org_roles_list(struct api *r)
{
	list_of(r, org_kinds_roles_list);
}

void h_org_roles_create(struct api *r)
{
	api_create(r, org_kinds_role_create);
}

void h_org_roles_update(struct api *r)
{
	update_by_code(r, org_kinds_role_update);
}

void h_org_members_list(struct api *r)
{
	int64_t org, limit, after;
	if (!api_id(r, 0, &org) || !api_qkeys(r, api_route_keys(r)) || !api_qint(r, "limit", &limit) ||
	    !api_cursor(r, &after))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = org_members_list(&r->c, org, api_qbool(r, "all"), after, (int)limit, &items, &e);
	if (rc)
		return api_fail(r, rc, &e);
	api_page(r, items, (int)limit);
}

void h_org_members_add(struct api *r)
{
	int64_t org;
	if (!api_id(r, 0, &org))
		return;
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	struct err e = {0};
	int rc = org_members_add(&r->c, org, in, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 201, out);
}

void h_org_members_end(struct api *r)
{
	int64_t org, member;
	if (!api_id(r, 0, &org) || !api_id(r, 1, &member))
		return;
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	struct err e = {0};
	int rc = org_members_end(&r->c, org, member, in, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 200, out);
}

void h_people_orgs(struct api *r)
{
	int64_t person;
	if (!api_id(r, 0, &person) || !api_qkeys(r, api_route_keys(r)))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = org_members_of_person(&r->c, person, api_qbool(r, "all"), &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}

/* kind=a,b (at most 16 kinds), role=optional. */
void h_nodes_nearest_org(struct api *r)
{
	int64_t node;
	if (!api_id(r, 0, &node) || !api_qkeys(r, api_route_keys(r)))
		return;
	const char *list = http_query(r->req, "kind");
	if (!list || !*list)
		return api_error(r, 400, "invalid", "kind", "缺少组织类型kind / kind is required");
	const char *kinds[17] = {0};
	int n = 0;
	for (const char *p = list; *p && n < 16;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len)
			kinds[n++] = arena_strndup(r->req->a, p, len);
		p += len + (comma ? 1 : 0);
	}
	const char *role = http_query(r->req, "role");
	json_t *out = NULL;
	struct err e = {0};
	int rc = org_members_nearest_get(&r->c, node, kinds, role && *role ? role : NULL, &out, &e);
	api_result(r, rc, &e, 200, out);
}
