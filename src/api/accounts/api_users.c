/*
 * api_users.c — /users, /grants and /audit.
 * Statuses: 200, 201, 400, 401, 403 (not an administrator / manager), 404,
 * 409 (username taken).
 */
#include <string.h>

#include "api/handlers.h"
#include "domain/accounts/accounts.h"
#include "domain/core/audit.h"

void h_users_list(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t limit, after;
	if (!api_qkeys(r, keys) || !api_qint(r, "limit", &limit) || !api_cursor(r, &after))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = account_list(&r->c, after, (int)limit, &items, &e);
	if (rc)
		return api_fail(r, rc, &e);
	api_page(r, items, (int)limit);
}

void h_users_create(struct api *r)
{
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	/* The password is not a stored field: take it out before validation. */
	json_t *pw = json_incref(json_object_get(in, "password"));
	json_object_del(in, "password");
	struct err e = {0};
	int rc;
	if (!json_is_string(pw))
		rc = err_set(&e, ERR_INVALID, "password", "需要密码 / password is required");
	else
		rc = account_create(&r->c, in, json_string_value(pw), &out, &e);
	json_decref(pw);
	json_decref(in);
	api_result(r, rc, &e, 201, out);
}

void h_users_get(struct api *r)
{
	api_get(r, account_get);
}

void h_users_update(struct api *r)
{
	api_update(r, account_update);
}

void h_users_password(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *in = api_body(r);
	if (!in)
		return;
	const char *pw = NULL, *current = NULL;
	json_error_t je;
	struct err e = {0};
	int rc;
	if (json_unpack_ex(in, &je, JSON_STRICT, "{s:s, s?s}", "password", &pw, "current_password", &current) != 0)
		rc = err_set(&e, ERR_INVALID, "password",
			     "需要password（本人修改还需current_password） / password required (and current_password "
			     "for your own)");
	else
		rc = account_passwd(&r->c, id, current, pw, &e);
	json_decref(in);
	api_result(r, rc, &e, 200, NULL);
}

void h_users_grant(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	json_int_t node = 0;
	const char *access = NULL;
	json_error_t je;
	struct err e = {0};
	int rc;
	if (json_unpack_ex(in, &je, JSON_STRICT, "{s:I, s:s}", "node_id", &node, "access", &access) != 0)
		rc = err_set(&e, ERR_INVALID, NULL, "需要node_id和access / node_id and access are required");
	else
		rc = account_grant(&r->c, id, node, access, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 201, out);
}

void h_grants_delete(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	struct err e = {0};
	int rc = account_revoke(&r->c, id, &e);
	api_result(r, rc, &e, 200, NULL);
}

void h_audit_list(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t id, limit, before;
	if (!api_qkeys(r, keys) || !api_qint(r, "id", &id) || !api_qint(r, "limit", &limit) || !api_cursor(r, &before))
		return;
	const char *entity = http_query(r->req, "entity");
	if (entity && !id)
		return api_error(r, 400, "invalid", "id", "按实体查询需要id / entity needs id");
	struct err e = {0};
	int rc = audit_access(&r->c, entity, id, &e);
	json_t *items = NULL;
	if (rc == 0)
		rc = audit_list(&r->c, entity, id, before, (int)limit, &items, &e);
	if (rc)
		return api_fail(r, rc, &e);
	api_page(r, items, (int)limit);
}
