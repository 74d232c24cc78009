/*
 * org_kinds.c — organisation kinds and member roles as data: listing,
 * adding, renaming, reordering and deactivating, and which roles a kind
 * allows. Kinds and roles share one field table (ENT_ORG_KIND's shape).
 */
#include "domain/roles/org_kinds.h"

#include <string.h>

#include "domain/core/audit.h"
#include "domain/core/fields.h"
#include "domain/core/rows.h"
#include "store/store.h"

/* The role codes a kind lists, checked one by one as an FT_CODE value. */
static const struct field role_code_field[] = {
    {"roles", FT_CODE, 0, 32, FIELD_SOURCE("org_member_roles"), "成员职务", "member role"}};
static const struct entity role_codes = {.name = "roles", .table = "", .f = role_code_field, .n = 1};

static int admin_only(const struct ctx *c, struct err *e)
{
	if (c->who && c->who->is_admin)
		return 0;
	return err_set(e, ERR_FORBIDDEN, NULL,
		       "只有管理员可以配置组织类型和成员职务 / only administrators configure organisation kinds and "
		       "member roles");
}

/* Codes go into URLs and data: lower-case letters, digits and '_'. */
static int check_code(const char *code, struct err *e)
{
	bool ok = code && *code;
	for (const char *p = code; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
	return ok ? 0
		  : err_set(e, ERR_INVALID, "code",
			    "代码只能由小写字母、数字和下划线组成 / code: lower-case letters, digits and _ only");
}

static const char *what_of(const struct entity *ent)
{
	return ent == &ENT_ORG_KIND ? "组织类型 / organisation kind" : "成员职务 / member role";
}

static json_t *kind_row(const struct ctx *c, struct store_stmt *st)
{
	return fields_row(&ENT_ORG_KIND, st, 0, c, false);
}

static json_t *role_row(const struct ctx *c, struct store_stmt *st)
{
	return fields_row(&ENT_ORG_MEMBER_ROLE, st, 0, c, false);
}

static const char *select_of(const struct ctx *c, const struct entity *ent)
{
	return arena_printf(c->a, "SELECT %s FROM %s ", fields_select(ent, c->a), ent->table);
}

/* The roles of one kind (NULL: of every kind) as {kind: [role …]}. */
static int roles_by_kind(const struct ctx *c, const char *kind, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db,
			       "SELECT kr.kind, r.code, r.name_zh, r.name_en, r.active FROM org_kind_roles kr JOIN "
			       "org_member_roles r ON r.code = kr.role WHERE (? IS NULL OR kr.kind = ?) "
			       "ORDER BY r.sort_order, r.code",
			       &st, e);
	if (rc)
		return rc;
	store_bind(st, "tt", kind, kind);
	json_t *map = json_object();
	while ((rc = store_step(st, e)) == STORE_ROW) {
		const char *k = store_col_text(st, 0);
		json_t *arr = json_object_get(map, k);
		if (!arr)
			json_object_set_new(map, k, arr = json_array());
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b}", "code", store_col_text(st, 1), "name_zh",
						     store_col_text(st, 2), "name_en", store_col_text(st, 3), "active",
						     (int)store_col_int(st, 4)));
	}
	store_done(st);
	if (rc < 0) {
		json_decref(map);
		return rc;
	}
	*out = map;
	return 0;
}

static void attach_roles(json_t *kind, json_t *map)
{
	json_t *roles = json_object_get(map, json_string_value(json_object_get(kind, "code")));
	json_object_set_new(kind, "roles", roles ? json_incref(roles) : json_array());
}

static int load_kind(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	json_t *map = NULL;
	int rc = rows_one(c, select_of(c, &ENT_ORG_KIND), "org_kinds", id, kind_row, what_of(&ENT_ORG_KIND), out, e);
	if (rc == 0)
		rc = roles_by_kind(c, json_string_value(json_object_get(*out, "code")), &map, e);
	if (rc == 0)
		attach_roles(*out, map);
	json_decref(map);
	return rc;
}

static int load_role(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	return rows_one(c, select_of(c, &ENT_ORG_MEMBER_ROLE), "org_member_roles", id, role_row,
			what_of(&ENT_ORG_MEMBER_ROLE), out, e);
}

static int load_any(const struct ctx *c, const struct entity *ent, int64_t id, json_t **out, struct err *e)
{
	return ent == &ENT_ORG_KIND ? load_kind(c, id, out, e) : load_role(c, id, out, e);
}

static int list_of(const struct ctx *c, const struct entity *ent, row_fn row, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, arena_printf(c->a, "%s ORDER BY sort_order, code", select_of(c, ent)), &st, e);
	return rc ? rc : rows_collect(c, st, row, out, e);
}

int org_kinds_list(const struct ctx *c, json_t **out, struct err *e)
{
	json_t *kinds = NULL, *map = NULL;
	int rc = list_of(c, &ENT_ORG_KIND, kind_row, &kinds, e);
	if (rc == 0)
		rc = roles_by_kind(c, NULL, &map, e);
	if (rc) {
		json_decref(kinds);
		return rc;
	}
	size_t i;
	json_t *k;
	json_array_foreach (kinds, i, k)
		attach_roles(k, map);
	json_decref(map);
	*out = kinds;
	return 0;
}

int org_kinds_roles_list(const struct ctx *c, json_t **out, struct err *e)
{
	return list_of(c, &ENT_ORG_MEMBER_ROLE, role_row, out, e);
}

/* A kind's list of allowed roles (its length checked by the field table,
 * ENT_ORG_KIND's input): at least one, distinct codes of active roles. */
static int check_roles(const struct ctx *c, json_t *roles, struct err *e)
{
	if (json_array_size(roles) < 1)
		return err_set(e, ERR_INVALID, "roles", "至少要有一个成员职务 / roles: at least one member role");
	size_t i;
	json_t *r;
	json_array_foreach (roles, i, r) {
		if (!json_is_string(r))
			return err_set(e, ERR_INVALID, "roles", "成员职务代码应为文本 / roles: codes are strings");
		for (size_t j = 0; j < i; j++)
			if (json_equal(json_array_get(roles, j), r))
				return err_set(e, ERR_INVALID, "roles",
					       "成员职务“%s”重复 / roles: '%s' is listed twice", json_string_value(r),
					       json_string_value(r));
		json_t *one = json_pack("{s:O}", "roles", r);
		int rc = fields_validate(&role_codes, one, false, e);
		if (rc == 0)
			rc = fields_check_codes(c, &role_codes, one, e);
		json_decref(one);
		if (rc)
			return rc;
	}
	return 0;
}

static int write_roles(const struct ctx *c, const char *kind, json_t *roles, struct err *e)
{
	int rc = store_run(c->db, e, "DELETE FROM org_kind_roles WHERE kind = ?", "t", kind);
	size_t i;
	json_t *r;
	json_array_foreach (roles, i, r) {
		if (rc)
			break;
		rc = store_run(c->db, e, "INSERT INTO org_kind_roles (kind, role) VALUES (?, ?)", "tt", kind,
			       json_string_value(r));
	}
	return rc;
}

/* The input checked against the entity's fields and its input beyond
 * them (obj, a copy); "roles" (a kind's list, not a column) taken out of
 * it into *roles. */
static int split_roles(const struct entity *ent, json_t *in, bool create, json_t **obj, json_t **roles, struct err *e)
{
	*obj = json_copy(in);
	*roles = NULL;
	int rc = fields_validate(ent, *obj, create, e);
	if (rc == 0 && json_object_get(*obj, "roles")) {
		*roles = json_incref(json_object_get(*obj, "roles"));
		json_object_del(*obj, "roles");
	}
	return rc;
}

static int code_id(const struct ctx *c, const struct entity *ent, const char *code, int64_t *id, struct err *e)
{
	int rc = store_int(c->db, e, id, arena_printf(c->a, "SELECT id FROM %s WHERE code = ?", ent->table), "t", code);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, NULL, "%s“%s”不存在 / not found", what_of(ent), code);
	return rc;
}

static int create_any(const struct ctx *c, const struct entity *ent, json_t *in, json_t **out, struct err *e)
{
	int rc = admin_only(c, e);
	if (rc)
		return rc;
	json_t *roles, *obj;
	rc = split_roles(ent, in, true, &obj, &roles, e);
	const char *code = json_string_value(json_object_get(obj, "code"));
	if (rc == 0)
		rc = check_code(code, e);
	if (rc == 0 && roles)
		rc = check_roles(c, roles, e);
	int64_t id = 0;
	if (rc == 0 && store_int(c->db, NULL, &id, arena_printf(c->a, "SELECT id FROM %s WHERE code = ?", ent->table),
				 "t", code) == 0)
		rc = err_set(e, ERR_CONFLICT, "code", "%s“%s”已存在 / already exists", what_of(ent), code);
	json_t *internal = json_pack("{s:s, s:s}", "created_at", rows_now(c), "updated_at", rows_now(c));
	if (rc == 0)
		rc = store_begin(c->db, e);
	if (rc == 0) {
		rc = fields_write(c, ent, obj, internal, 0, &id, e);
		if (rc == 0 && roles)
			rc = write_roles(c, code, roles, e);
		if (rc == 0)
			rc = load_any(c, ent, id, out, e);
		if (rc == 0)
			rc = audit_log(c, "create", ent->name, id, NULL, *out, e);
		rc = txn_finish(c, rc, e);
	}
	json_decref(internal);
	json_decref(obj);
	json_decref(roles);
	return rc;
}

static int update_any(const struct ctx *c, const struct entity *ent, const char *code, json_t *in, json_t **out,
		      struct err *e)
{
	int64_t id = 0;
	int rc = admin_only(c, e);
	if (rc == 0)
		rc = code_id(c, ent, code, &id, e);
	if (rc)
		return rc;
	json_t *roles, *obj;
	rc = split_roles(ent, in, false, &obj, &roles, e);
	if (rc == 0 && roles)
		rc = check_roles(c, roles, e);
	json_t *before = NULL, *cols = json_pack("{s:s}", "updated_at", rows_now(c));
	if (rc == 0)
		rc = store_begin(c->db, e);
	if (rc == 0) {
		rc = load_any(c, ent, id, &before, e);
		if (rc == 0)
			rc = fields_write(c, ent, obj, cols, id, NULL, e);
		if (rc == 0 && roles)
			rc = write_roles(c, code, roles, e);
		if (rc == 0)
			rc = load_any(c, ent, id, out, e);
		if (rc == 0)
			rc = audit_log(c, "update", ent->name, id, before, *out, e);
		rc = txn_finish(c, rc, e);
	}
	json_decref(before);
	json_decref(cols);
	json_decref(obj);
	json_decref(roles);
	return rc;
}

int org_kinds_create(const struct ctx *c, json_t *in, json_t **out, struct err *e)
{
	return create_any(c, &ENT_ORG_KIND, in, out, e);
}

int org_kinds_update(const struct ctx *c, const char *code, json_t *in, json_t **out, struct err *e)
{
	return update_any(c, &ENT_ORG_KIND, code, in, out, e);
}

int org_kinds_role_create(const struct ctx *c, json_t *in, json_t **out, struct err *e)
{
	return create_any(c, &ENT_ORG_MEMBER_ROLE, in, out, e);
}

int org_kinds_role_update(const struct ctx *c, const char *code, json_t *in, json_t **out, struct err *e)
{
	return update_any(c, &ENT_ORG_MEMBER_ROLE, code, in, out, e);
}

int org_kinds_allowed(const struct ctx *c, const char *kind, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db,
			       "SELECT r.code, r.name_zh, r.name_en FROM org_kind_roles kr JOIN org_member_roles r ON "
			       "r.code = kr.role WHERE kr.kind = ? AND r.active = 1 ORDER BY r.sort_order, r.code",
			       &st, e);
	if (rc)
		return rc;
	store_bind(st, "t", kind);
	json_t *arr = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "code", store_col_text(st, 0), "label_zh",
						     store_col_text(st, 1), "label_en", store_col_text(st, 2)));
	store_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int org_kinds_check_role(const struct ctx *c, const char *kind, const char *role, struct err *e)
{
	int64_t n = 0;
	int rc = store_int(c->db, e, &n,
			   "SELECT count(*) FROM org_kind_roles kr JOIN org_member_roles r ON r.code = kr.role WHERE "
			   "kr.kind = ? AND kr.role = ? AND r.active = 1",
			   "tt", kind, role);
	if (rc)
		return rc;
	if (n == 0)
		return err_set(e, ERR_INVALID, "role",
			       "“%s”类组织没有成员职务“%s” / organisations of kind '%s' have no member role '%s'", kind,
			       role, kind, role);
	return 0;
}
