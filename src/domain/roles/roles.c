/* roles.c — appointments at nodes and the public contact list (organisations: orgs.c). */
#include "domain/roles/roles.h"

#include <string.h>

#include "base/timeutil.h"
#include "domain/core/audit.h"
#include "domain/core/fields.h"
#include "domain/people/registry.h"
#include "domain/core/page.h"
#include "domain/core/rows.h"
#include "domain/places/tree.h"
#include "store/store.h"

#define ROLE_FROM                                                                                                      \
	"roles JOIN people p ON p.id = roles.person_id JOIN role_types t ON t.code = roles.role JOIN nodes n ON "      \
	"n.id = roles.node_id"

static const char *role_cols(const struct ctx *c)
{
	return arena_printf(c->a, "%s, p.name, t.name_zh, n.name", fields_select(&ENT_ROLE, c->a));
}

static const char *role_select(const struct ctx *c)
{
	return arena_printf(c->a, "SELECT %s FROM " ROLE_FROM " ", role_cols(c));
}

static json_t *role_row(const struct ctx *c, struct store_stmt *st)
{
	json_t *o = fields_row(&ENT_ROLE, st, 0, c, false);
	json_object_set_new(o, "person_name", json_string(store_col_text(st, ENT_ROLE.n)));
	json_object_set_new(o, "role_name", json_string(store_col_text(st, ENT_ROLE.n + 1)));
	json_object_set_new(o, "node_name", json_string(store_col_text(st, ENT_ROLE.n + 2)));
	return o;
}

static int load_role(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	return rows_one(c, role_select(c), "roles", id, role_row, "任职 / role", out, e);
}

int roles_types(const struct ctx *c, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, "SELECT code, name_zh, name_en, grants FROM role_types ORDER BY rowid", &st, e);
	if (rc)
		return rc;
	json_t *arr = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s?}", "code", store_col_text(st, 0), "name_zh",
						     store_col_text(st, 1), "name_en", store_col_text(st, 2), "grants",
						     store_col_text(st, 3)));
	store_done(st);
	*out = arr;
	return rc < 0 ? rc : 0;
}

int roles_create(const struct ctx *c, json_t *in, json_t **out, struct err *e)
{
	int rc = fields_validate(&ENT_ROLE, in, true, e);
	if (rc)
		return rc;
	int64_t node = json_integer_value(json_object_get(in, "node_id"));
	const char *path;
	rc = tree_path(c, node, &path, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_INVALID, "node_id", "节点不存在 / node not found");
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_MANAGER, e);
	if (rc)
		return rc;
	const char *end = json_string_value(json_object_get(in, "end_date"));
	if (end && strcmp(end, json_string_value(json_object_get(in, "start_date"))) < 0)
		return err_set(e, ERR_INVALID, "end_date", "任期结束早于开始 / end_date is before start_date");
	int64_t exists = 0;
	if (store_int(c->db, NULL, &exists, "SELECT count(*) FROM role_types WHERE code = ?", "t",
		      json_string_value(json_object_get(in, "role"))) == 0 &&
	    !exists)
		return err_set(e, ERR_INVALID, "role", "未知职务 / unknown role type");
	/* The appointee must be someone the appointer can see: a resident of
	 * the area (or of another area the appointer also covers). */
	const char *ppath = NULL;
	struct store_stmt *pst;
	rc = store_prepare(c->db, "SELECT node_path FROM people WHERE id = ?", &pst, e);
	if (rc)
		return rc;
	store_bind(pst, "i", (int64_t)json_integer_value(json_object_get(in, "person_id")));
	if (store_step(pst, e) == STORE_ROW)
		ppath = arena_strdup(c->a, store_col_text(pst, 0));
	store_done(pst);
	if (!ppath)
		return err_set(e, ERR_INVALID, "person_id", "人员不存在 / person not found");
	if (authz_access(c->who, ppath) < ACC_VIEWER)
		return err_set(e, ERR_FORBIDDEN, "person_id",
			       "只能任命您辖区内的人员 / you can only appoint people in your area");
	char now[21];
	time_iso(time_now(), now);
	json_t *internal = json_pack("{s:s, s:s}", "node_path", path, "created_at", now);
	int64_t id;
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = fields_write(c, &ENT_ROLE, in, internal, 0, &id, e);
	json_decref(internal);
	if (rc == 0)
		rc = rows_one(c, role_select(c), "roles", id, role_row, "任职 / role", out, e);
	if (rc == 0)
		rc = audit_log(c, "create", "role", id, NULL, *out, e);
	return txn_finish(c, rc, e);
}

int roles_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e)
{
	json_t *before = NULL;
	int rc = load_role(c, id, &before, e);
	const char *path;
	if (rc == 0)
		rc = tree_path(c, json_integer_value(json_object_get(before, "node_id")), &path, e);
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_MANAGER, e);
	if (rc == 0)
		rc = fields_validate(&ENT_ROLE, in, false, e);
	if (rc == 0) {
		const char *start = json_string_value(json_object_get(in, "start_date"));
		const char *end = json_string_value(json_object_get(in, "end_date"));
		if (!start)
			start = json_string_value(json_object_get(before, "start_date"));
		if (!json_object_get(in, "end_date"))
			end = json_string_value(json_object_get(before, "end_date"));
		if (end && strcmp(end, start) < 0)
			rc = err_set(e, ERR_INVALID, "end_date", "任期结束早于开始 / end_date is before start_date");
	}
	json_decref(before);
	return rc ? rc : rows_update(c, &ENT_ROLE, id, in, NULL, load_role, out, e);
}

int roles_list(const struct ctx *c, int64_t node, const char *role, bool all, const char *cursor, int limit,
	       json_t **out, const char **next, struct err *e)
{
	const char *path;
	int rc = registry_scope(c, node, &path, e);
	struct page_q q;
	if (rc == 0)
		rc = page_place(c, &q, "roles", role_cols(c), ROLE_FROM, path, cursor, limit, e);
	if (rc)
		return rc;
	char *today = arena_alloc(c->a, 21);
	time_iso(time_now(), today);
	today[10] = 0;
	if (!all)
		page_filter(&q, c, "(roles.end_date IS NULL OR roles.end_date >= ?)", today, NULL);
	if (role)
		page_filter(&q, c, "roles.role = ?", role, NULL);
	return page_list(c, &q, role_row, out, next, e);
}

int roles_contacts(const struct ctx *c, int64_t node, json_t **out, struct err *e)
{
	const char *path;
	int rc = tree_path(c, node, &path, e);
	if (rc)
		return rc;
	char today[21];
	time_iso(time_now(), today);
	today[10] = 0;
	struct store_stmt *st;
	/* The node's own role holders and those of its ancestors (who serves
	 * here): the nodes of its path, each through the roles_node index. */
	int64_t ids[32];
	int n = tree_path_ids(path, ids, 32);
	const char *in = "?";
	for (int i = 1; i < n; i++)
		in = arena_printf(c->a, "%s, ?", in);
	rc = store_prepare(
	    c->db,
	    arena_printf(
		c->a,
		"SELECT r.role, t.name_zh, t.name_en, p.name, r.public_phone, r.start_date, n.id, n.name FROM "
		"roles r JOIN role_types t ON t.code = r.role JOIN people p ON p.id = r.person_id JOIN nodes n "
		"ON n.id = r.node_id WHERE r.node_id IN (%s) AND r.start_date <= ? AND (r.end_date IS NULL OR "
		"r.end_date >= ?) ORDER BY n.depth DESC, r.id",
		in),
	    &st, e);
	if (rc)
		return rc;
	int idx = 1;
	for (int i = 0; i < n; i++)
		store_bind_at(st, idx++, 'i', ids[i]);
	store_bind_at(st, idx++, 't', today);
	store_bind_at(st, idx, 't', today);
	json_t *arr = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW)
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:I, s:s}", "role", store_col_text(st, 0),
				   "role_name", store_col_text(st, 1), "role_name_en", store_col_text(st, 2), "name",
				   store_col_text(st, 3), "public_phone", store_col_text(st, 4), "since",
				   store_col_text(st, 5), "node_id", (json_int_t)store_col_int(st, 6), "node_name",
				   store_col_text(st, 7)));
	store_done(st);
	*out = arr;
	return rc < 0 ? rc : 0;
}
