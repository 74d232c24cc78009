/*
 * org_members.c — members of organisations: add, end, list (of an
 * organisation, of a person), the form of a new member, and the nearest
 * organisation of some kinds with a current member.
 */
#include "domain/roles/org_members.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "domain/core/audit.h"
#include "domain/core/fields.h"
#include "domain/core/rows.h"
#include "domain/people/registry.h"
#include "domain/places/tree.h"
#include "domain/roles/org_kinds.h"
#include "domain/roles/orgs_internal.h"
#include "store/store.h"

/* What ending a membership takes. */
static const struct field end_fields[] = {
    {"end_date", FT_DATE, 0, 0, 0, "结束日期", "end date"},
    {"note", FT_TEXT, FF_TRIM, 500, 0, "备注", "note"},
};

/* A member is current from start_date until the day before end_date. */
#define CURRENT_SQL "(org_members.start_date <= ? AND (org_members.end_date IS NULL OR org_members.end_date > ?))"

static const char *member_select(const struct ctx *c)
{
	return arena_printf(c->a,
			    "SELECT %s, r.name_zh, r.name_en FROM org_members JOIN org_member_roles r ON r.code = "
			    "org_members.role ",
			    fields_select(&ENT_ORG_MEMBER, c->a));
}

static bool is_current(const struct ctx *c, json_t *m)
{
	const char *today = rows_today(c);
	const char *start = json_string_value(json_object_get(m, "start_date"));
	const char *end = json_string_value(json_object_get(m, "end_date"));
	return start && strcmp(start, today) <= 0 && (!end || strcmp(end, today) > 0);
}

static json_t *member_row(const struct ctx *c, struct store_stmt *st)
{
	json_t *o = fields_row(&ENT_ORG_MEMBER, st, 0, c, false);
	json_object_set_new(o, "role_name", json_string(store_col_text(st, ENT_ORG_MEMBER.n)));
	json_object_set_new(o, "role_name_en", json_string(store_col_text(st, ENT_ORG_MEMBER.n + 1)));
	json_object_set_new(o, "current", json_boolean(is_current(c, o)));
	return o;
}

/* One member with its person, as lists show it. */
static int load_member(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	int rc = rows_one(c, member_select(c), "org_members", id, member_row, "成员 / member", out, e);
	if (rc)
		return rc;
	json_t *one = json_pack("[O]", *out);
	rc = registry_people_brief(c, one, "person_id", e);
	json_decref(one);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* The organisation's place and kind, with the access the call needs. */
static int org_access(const struct ctx *c, int64_t org, enum access need, const char **kind, bool *retired,
		      struct err *e)
{
	const char *path;
	int rc = org_place(c, org, &path, kind, retired, e);
	return rc ? rc : authz_require(c->who, path, need, e);
}

/* The person must be registered, alive, and someone the actor may see. */
static int check_person(const struct ctx *c, int64_t person, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, "SELECT node_path, status FROM people WHERE id = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", person);
	const char *path = NULL, *status = NULL;
	if (store_step(st, e) == STORE_ROW) {
		path = arena_strdup(c->a, store_col_text(st, 0));
		status = arena_strdup(c->a, store_col_text(st, 1));
	}
	store_done(st);
	if (!path)
		return err_set(e, ERR_INVALID, "person_id", "人员不存在 / person not found");
	if (authz_access(c->who, path) < ACC_VIEWER)
		return err_set(e, ERR_FORBIDDEN, "person_id",
			       "只能添加您辖区内的人员 / you can only add people in your area");
	if (!strcmp(status, "deceased"))
		return err_set(e, ERR_INVALID, "person_id", "已故人员不能加入组织 / a deceased person cannot join");
	return 0;
}

/* An account given with a member must exist and be this person's, if it
 * belongs to anyone. */
static int check_user(const struct ctx *c, json_t *in, int64_t person, struct err *e)
{
	json_t *u = json_object_get(in, "user_id");
	if (!json_is_integer(u))
		return 0;
	int64_t owner = 0;
	int rc = store_int(c->db, e, &owner, "SELECT coalesce(person_id, 0) FROM users WHERE id = ?", "i",
			   (int64_t)json_integer_value(u));
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_INVALID, "user_id", "账号不存在 / account not found");
	if (rc == 0 && owner && owner != person)
		return err_set(e, ERR_INVALID, "user_id",
			       "该账号属于另一位居民 / the account belongs to another person");
	return rc;
}

int org_members_add(const struct ctx *c, int64_t org, json_t *in, json_t **out, struct err *e)
{
	const char *kind;
	bool retired;
	int rc = org_access(c, org, ACC_MANAGER, &kind, &retired, e);
	if (rc == 0)
		rc = fields_validate(&ENT_ORG_MEMBER, in, true, e);
	if (rc == 0)
		rc = fields_check_codes(c, &ENT_ORG_MEMBER, in, e);
	if (rc)
		return rc;
	const char *role = json_string_value(json_object_get(in, "role"));
	int64_t person = json_integer_value(json_object_get(in, "person_id"));
	rc = org_kinds_check_role(c, kind, role, e);
	if (rc == 0 && retired)
		rc = err_set(e, ERR_CONFLICT, NULL, "组织已撤销 / the organisation is retired");
	if (rc)
		return rc;
	json_t *obj = json_copy(in);
	if (!json_object_get(obj, "start_date"))
		json_object_set_new(obj, "start_date", json_string(rows_today(c)));
	const char *start = json_string_value(json_object_get(obj, "start_date"));
	const char *end = json_string_value(json_object_get(obj, "end_date"));
	if (end && strcmp(end, start) < 0)
		rc = err_set(e, ERR_INVALID, "end_date", "结束日期早于开始日期 / end_date is before start_date");
	if (rc == 0)
		rc = check_person(c, person, e);
	if (rc == 0)
		rc = check_user(c, obj, person, e);
	int64_t dup = 0;
	if (rc == 0)
		rc = store_int(c->db, e, &dup,
			       "SELECT count(*) FROM org_members WHERE org_id = ? AND person_id = ? AND role = ? AND "
			       "(end_date IS NULL OR end_date > ?)",
			       "iitt", org, person, role, rows_today(c));
	if (rc == 0 && dup)
		rc = err_set(e, ERR_CONFLICT, "person_id",
			     "该人员已在本组织担任此职务 / the person already holds this role here");
	json_t *internal = json_pack("{s:I, s:s}", "org_id", (json_int_t)org, "created_at", rows_now(c));
	int64_t id = 0;
	if (rc == 0)
		rc = store_begin(c->db, e);
	if (rc == 0) {
		rc = fields_write(c, &ENT_ORG_MEMBER, obj, internal, 0, &id, e);
		if (rc == 0)
			rc = load_member(c, id, out, e);
		if (rc == 0)
			rc = audit_log(c, "create", "org_member", id, NULL, *out, e);
		rc = txn_finish(c, rc, e);
	}
	json_decref(internal);
	json_decref(obj);
	return rc;
}

int org_members_end(const struct ctx *c, int64_t org, int64_t member, json_t *in, json_t **out, struct err *e)
{
	int64_t of = 0;
	int rc = store_int(c->db, e, &of, "SELECT org_id FROM org_members WHERE id = ?", "i", member);
	if (rc == ERR_NOT_FOUND || (rc == 0 && of != org))
		return err_set(e, ERR_NOT_FOUND, NULL, "成员%lld不存在 / member %lld not found", (long long)member,
			       (long long)member);
	const char *kind;
	bool retired;
	if (rc == 0)
		rc = org_access(c, org, ACC_MANAGER, &kind, &retired, e);
	if (rc == 0)
		rc = fields_check(end_fields, 2, in, e);
	if (rc)
		return rc;
	json_t *before = NULL;
	rc = store_begin(c->db, e);
	if (rc)
		return rc;
	rc = load_member(c, member, &before, e);
	const char *today = rows_today(c);
	json_t *upd = json_copy(in);
	if (!json_object_get(upd, "end_date"))
		json_object_set_new(upd, "end_date", json_string(today));
	const char *end = json_string_value(json_object_get(upd, "end_date"));
	const char *was = rc ? NULL : json_string_value(json_object_get(before, "end_date"));
	if (rc == 0 && was && strcmp(was, today) <= 0)
		rc = err_set(e, ERR_CONFLICT, NULL, "该成员的任期已于%s结束 / this membership ended on %s", was, was);
	if (rc == 0 && strcmp(end, json_string_value(json_object_get(before, "start_date"))) < 0)
		rc = err_set(e, ERR_INVALID, "end_date", "结束日期早于开始日期 / end_date is before start_date");
	if (rc == 0)
		rc = fields_write(c, &ENT_ORG_MEMBER, upd, NULL, member, NULL, e);
	if (rc == 0)
		rc = load_member(c, member, out, e);
	if (rc == 0)
		rc = audit_log(c, "end", "org_member", member, before, *out, e);
	json_decref(upd);
	json_decref(before);
	return txn_finish(c, rc, e);
}

int org_members_list(const struct ctx *c, int64_t org, bool all, int64_t after, int limit, json_t **out, struct err *e)
{
	const char *kind;
	bool retired;
	int rc = org_access(c, org, ACC_VIEWER, &kind, &retired, e);
	if (rc)
		return rc;
	struct store_stmt *st;
	rc = store_prepare(
	    c->db,
	    arena_printf(c->a,
			 "%s WHERE org_members.org_id = ? AND org_members.id > ? AND (? = 1 OR " CURRENT_SQL
			 ") ORDER BY org_members.id LIMIT ?",
			 member_select(c)),
	    &st, e);
	if (rc)
		return rc;
	const char *today = rows_today(c);
	store_bind(st, "iiitti", org, after, (int64_t)all, today, today, (int64_t)limit);
	json_t *items = NULL;
	rc = rows_collect(c, st, member_row, &items, e);
	if (rc == 0)
		rc = registry_people_brief(c, items, "person_id", e);
	if (rc) {
		json_decref(items);
		return rc;
	}
	*out = items;
	return 0;
}

static json_t *membership_row(const struct ctx *c, struct store_stmt *st)
{
	json_t *o = member_row(c, st);
	int k = ENT_ORG_MEMBER.n + 2;
	json_object_set_new(o, "org_name", json_string(store_col_text(st, k)));
	json_object_set_new(o, "org_kind", json_string(store_col_text(st, k + 1)));
	json_object_set_new(o, "kind_name", json_string(store_col_text(st, k + 2)));
	json_object_set_new(o, "kind_name_en", json_string(store_col_text(st, k + 3)));
	json_object_set_new(o, "node_id", json_integer(store_col_int(st, k + 4)));
	json_object_set_new(o, "node_name", json_string(store_col_text(st, k + 5)));
	return o;
}

int org_members_of_person(const struct ctx *c, int64_t person, bool all, json_t **out, struct err *e)
{
	/* Whoever may read the person, as the registry decides, may see where
	 * the person serves. */
	json_t *p = NULL;
	int rc = person_get(c, person, false, &p, e);
	json_decref(p);
	if (rc)
		return rc;
	struct store_stmt *st;
	rc = store_prepare(
	    c->db,
	    arena_printf(
		c->a,
		"SELECT %s, r.name_zh, r.name_en, o.name, o.kind, k.name_zh, k.name_en, o.node_id, n.name FROM "
		"org_members JOIN org_member_roles r ON r.code = org_members.role JOIN orgs o ON o.id = "
		"org_members.org_id JOIN org_kinds k ON k.code = o.kind JOIN nodes n ON n.id = o.node_id "
		"WHERE org_members.person_id = ? AND (? = 1 OR " CURRENT_SQL ") ORDER BY org_members.id",
		fields_select(&ENT_ORG_MEMBER, c->a)),
	    &st, e);
	if (rc)
		return rc;
	const char *today = rows_today(c);
	store_bind(st, "iitt", person, (int64_t)all, today, today);
	return rows_collect(c, st, membership_row, out, e);
}

int org_members_form(const struct ctx *c, const char *kind, json_t **out, struct err *e)
{
	json_t *roles = NULL;
	int rc = org_kinds_allowed(c, kind, &roles, e);
	if (rc)
		return rc;
	json_t *form = fields_describe(ENT_ORG_MEMBER.f, ENT_ORG_MEMBER.n);
	for (size_t i = json_array_size(form); i-- > 0;) {
		json_t *f = json_array_get(form, i);
		if (json_is_true(json_object_get(f, "read_only")))
			json_array_remove(form, i);
		else if (!strcmp(json_string_value(json_object_get(f, "name")), "role"))
			json_object_set(f, "values", roles);
	}
	json_decref(roles);
	*out = form;
	return 0;
}

int org_members_nearest(const struct ctx *c, int64_t node, const char *const *kinds, const char *role, int64_t *org,
			struct err *e)
{
	const char *path;
	int rc = tree_path(c, node, &path, e);
	if (rc)
		return rc;
	int nk = 0;
	while (kinds && kinds[nk] && nk < 16)
		nk++;
	if (nk == 0)
		return err_set(e, ERR_INVALID, "kind", "缺少组织类型 / kind is required");
	/* The node's path and its ancestors' are the prefixes of its path. */
	const char *prefixes[64];
	int np = 0;
	for (const char *p = path + 1; *p && np < 64; p = strchr(p, '/') + 1)
		prefixes[np++] = arena_strndup(c->a, path, (size_t)(strchr(p, '/') + 1 - path));
	struct buf sql = {0};
	buf_puts(&sql, "SELECT o.id FROM orgs o WHERE o.node_path IN (");
	for (int i = 0; i < np; i++)
		buf_puts(&sql, i ? ", ?" : "?");
	buf_puts(&sql, ") AND o.kind IN (");
	for (int i = 0; i < nk; i++)
		buf_puts(&sql, i ? ", ?" : "?");
	buf_puts(&sql, ") AND o.retired_at IS NULL AND EXISTS (SELECT 1 FROM org_members WHERE org_members.org_id = "
		       "o.id AND " CURRENT_SQL " AND (? IS NULL OR org_members.role = ?)) "
		       "ORDER BY length(o.node_path) DESC, o.id LIMIT 1");
	struct store_stmt *st;
	rc = store_prepare(c->db, buf_cstr(&sql), &st, e);
	buf_free(&sql);
	if (rc)
		return rc;
	int at = 1;
	for (int i = 0; i < np; i++)
		store_bind_at(st, at++, 't', prefixes[i]);
	for (int i = 0; i < nk; i++)
		store_bind_at(st, at++, 't', kinds[i]);
	const char *today = rows_today(c);
	store_bind_at(st, at++, 't', today);
	store_bind_at(st, at++, 't', today);
	for (int i = 0; i < 2; i++) {
		if (role)
			store_bind_at(st, at++, 't', role);
		else
			store_bind_at(st, at++, 'n');
	}
	*org = 0;
	rc = store_step(st, e);
	if (rc == STORE_ROW)
		*org = store_col_int(st, 0);
	store_done(st);
	return rc < 0 ? rc : 0;
}

int org_members_nearest_get(const struct ctx *c, int64_t node, const char *const *kinds, const char *role, json_t **out,
			    struct err *e)
{
	const char *path;
	int rc = tree_path(c, node, &path, e);
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_VIEWER, e);
	int64_t org = 0;
	if (rc == 0)
		rc = org_members_nearest(c, node, kinds, role, &org, e);
	if (rc == 0 && !org)
		rc = err_set(e, ERR_NOT_FOUND, NULL,
			     "本节点及其上级没有符合条件的组织 / no such organisation at or above this node");
	return rc ? rc : org_load(c, org, out, e);
}
