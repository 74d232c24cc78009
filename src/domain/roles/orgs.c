/*
 * orgs.c — organisations attached to nodes (物业, 共建单位, 调解室 …):
 * create, read, update, list. Their kind is data (org_kinds.h); their
 * members are in org_members.c.
 */
#include "domain/roles/roles.h"

#include <string.h>

#include "domain/core/audit.h"
#include "domain/core/fields.h"
#include "domain/core/page.h"
#include "domain/core/rows.h"
#include "domain/people/registry.h"
#include "domain/places/tree.h"
#include "domain/roles/org_members.h"
#include "domain/roles/orgs_internal.h"
#include "store/store.h"

#define ORG_FROM "orgs JOIN nodes n ON n.id = orgs.node_id JOIN org_kinds k ON k.code = orgs.kind"

static const char *org_cols(const struct ctx *c)
{
	return arena_printf(c->a, "%s, n.name, k.name_zh, k.name_en", fields_select(&ENT_ORG, c->a));
}

static const char *org_select(const struct ctx *c)
{
	return arena_printf(c->a, "SELECT %s FROM " ORG_FROM " ", org_cols(c));
}

static json_t *org_row(const struct ctx *c, struct store_stmt *st)
{
	json_t *o = fields_row(&ENT_ORG, st, 0, c, false);
	json_object_set_new(o, "node_name", json_string(store_col_text(st, ENT_ORG.n)));
	json_object_set_new(o, "kind_name", json_string(store_col_text(st, ENT_ORG.n + 1)));
	json_object_set_new(o, "kind_name_en", json_string(store_col_text(st, ENT_ORG.n + 2)));
	return o;
}

int org_load(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	return rows_one(c, org_select(c), "orgs", id, org_row, "组织 / organisation", out, e);
}

int org_place(const struct ctx *c, int64_t id, const char **path, const char **kind, bool *retired, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, "SELECT node_path, kind, retired_at IS NOT NULL FROM orgs WHERE id = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	rc = store_step(st, e);
	if (rc == STORE_ROW) {
		*path = arena_strdup(c->a, store_col_text(st, 0));
		*kind = arena_strdup(c->a, store_col_text(st, 1));
		*retired = store_col_int(st, 2) != 0;
	}
	store_done(st);
	if (rc == STORE_DONE)
		return err_set(e, ERR_NOT_FOUND, NULL, "组织%lld不存在 / organisation %lld not found", (long long)id,
			       (long long)id);
	return rc == STORE_ROW ? 0 : rc;
}

static int node_for_write(const struct ctx *c, json_t *in, const char **path, struct err *e)
{
	json_t *nid = json_object_get(in, "node_id");
	int rc = tree_path(c, json_integer_value(nid), path, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_INVALID, "node_id", "节点不存在 / node not found");
	return rc ? rc : authz_require(c->who, *path, ACC_MANAGER, e);
}

int orgs_create(const struct ctx *c, json_t *in, json_t **out, struct err *e)
{
	int rc = fields_validate(&ENT_ORG, in, true, e);
	const char *path;
	if (rc == 0)
		rc = node_for_write(c, in, &path, e);
	if (rc == 0)
		rc = fields_check_codes(c, &ENT_ORG, in, e);
	if (rc)
		return rc;
	const char *now = rows_now(c);
	json_t *internal = json_pack("{s:s, s:s, s:s}", "node_path", path, "created_at", now, "updated_at", now);
	int64_t id;
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = fields_write(c, &ENT_ORG, in, internal, 0, &id, e);
	json_decref(internal);
	if (rc == 0)
		rc = org_load(c, id, out, e);
	if (rc == 0)
		rc = audit_log(c, "create", "org", id, NULL, *out, e);
	return txn_finish(c, rc, e);
}

/* An organisation for a reader with viewer access at its node (*path). */
static int org_read(const struct ctx *c, int64_t id, const char **path, json_t **out, struct err *e)
{
	const char *kind;
	bool retired;
	int rc = org_place(c, id, path, &kind, &retired, e);
	if (rc == 0)
		rc = authz_require(c->who, *path, ACC_VIEWER, e);
	return rc ? rc : org_load(c, id, out, e);
}

int orgs_get(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	json_t *form = NULL;
	const char *path;
	int rc = org_read(c, id, &path, out, e);
	if (rc == 0)
		rc = org_members_form(c, json_string_value(json_object_get(*out, "kind")), &form, e);
	if (rc == 0) {
		json_object_set_new(*out, "member_fields", form);
		/* Clients offer the member form and the end buttons only to those
		 * the member calls would let through. */
		json_object_set_new(*out, "can_manage", json_boolean(authz_access(c->who, path) >= ACC_MANAGER));
	} else if (*out) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

/* A new kind must allow the roles of the organisation's current members. */
static int kind_fits_members(const struct ctx *c, int64_t id, const char *kind, struct err *e)
{
	const char *today = rows_today(c);
	int64_t misfits = 0;
	int rc =
	    store_int(c->db, e, &misfits,
		      "SELECT count(*) FROM org_members m WHERE m.org_id = ? AND (m.end_date IS NULL OR m.end_date "
		      "> ?) AND NOT EXISTS (SELECT 1 FROM org_kind_roles kr WHERE kr.kind = ? AND kr.role = m.role)",
		      "itt", id, today, kind);
	if (rc == 0 && misfits > 0)
		rc = err_set(
		    e, ERR_CONFLICT, "kind",
		    "%lld位现任成员的职务不属于新类型，请先结束其任期 / %lld current members hold roles the new "
		    "kind does not allow; end their terms first",
		    (long long)misfits, (long long)misfits);
	return rc;
}

int orgs_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e)
{
	json_t *before = NULL;
	const char *path;
	int rc = org_read(c, id, &path, &before, e);
	if (rc == 0)
		rc = fields_validate(&ENT_ORG, in, false, e);
	if (rc == 0)
		rc = node_for_write(c, before, &path, e);
	if (rc == 0)
		rc = fields_check_codes(c, &ENT_ORG, in, e);
	const char *kind = json_string_value(json_object_get(in, "kind"));
	if (rc == 0 && kind && strcmp(kind, json_string_value(json_object_get(before, "kind"))) != 0)
		rc = kind_fits_members(c, id, kind, e);
	json_t *internal = NULL;
	if (rc == 0 && json_object_get(in, "node_id")) {
		/* Re-attaching to another node needs manager access there too. */
		const char *newpath;
		rc = node_for_write(c, in, &newpath, e);
		if (rc == 0)
			internal = json_pack("{s:s}", "node_path", newpath);
	}
	json_decref(before);
	if (rc == 0)
		rc = rows_update(c, &ENT_ORG, id, in, internal, org_load, out, e);
	json_decref(internal);
	return rc;
}

int orgs_list(const struct ctx *c, int64_t node, const char *kind, const char *cursor, int limit, json_t **out,
	      const char **next, struct err *e)
{
	const char *path;
	int rc = registry_scope(c, node, &path, e);
	struct page_q q;
	if (rc == 0)
		rc = page_place(c, &q, "orgs", org_cols(c), ORG_FROM, path, cursor, limit, e);
	if (rc)
		return rc;
	if (kind)
		page_filter(&q, c, "orgs.kind = ?", kind, NULL);
	return page_list(c, &q, org_row, out, next, e);
}
