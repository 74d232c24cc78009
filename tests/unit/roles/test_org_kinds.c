/*
 * test_org_kinds.c — unit tests for src/domain/roles/org_kinds.c and the
 * FT_CODE fields behind it: organisation kinds and member roles are data
 * (seeded by migration 008, which rebuilds SQLite's orgs table without its
 * CHECK), an organisation's kind is validated against that data, only
 * administrators change it, and every change is audited.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/embedded.h"
#include "domain/core/fields.h"
#include "domain/roles/org_kinds.h"
#include "domain/roles/roles.h"
#include "store/pg_sql.h"
#include "unit_domain.h"

static int try_org(struct unit_db *u, const struct ctx *c, const char *kind, json_t **out, struct err *e)
{
	json_t *in = json_pack("{s:I, s:s, s:s}", "node_id", (json_int_t)u->root, "kind", kind, "name", "测试组织");
	int rc = orgs_create(c, in, out, e);
	json_decref(in);
	return rc;
}

static void test_seeded_kinds(void **state)
{
	struct unit_db *u = *state;
	json_t *kinds = NULL;
	struct err e = {0};
	assert_int_equal(org_kinds_list(&u->c, &kinds, &e), 0);
	assert_int_equal(json_array_size(kinds), 9);
	json_t *room = NULL;
	size_t i;
	json_t *k;
	json_array_foreach (kinds, i, k)
		if (!strcmp(jstr(k, "code"), "mediation_room"))
			room = k;
	assert_non_null(room);
	assert_string_equal(jstr(room, "name_zh"), "调解室");
	json_t *roles = json_object_get(room, "roles");
	assert_int_equal(json_array_size(roles), 4);
	assert_string_equal(jstr(json_array_get(roles, 0), "code"), "lead");
	assert_string_equal(jstr(json_array_get(roles, 1), "code"), "mediator");
	json_decref(kinds);
	/* The old codes still work; their labels come from the data. */
	json_t *org = NULL;
	assert_int_equal(try_org(u, &u->c, "property", &org, &e), 0);
	assert_string_equal(jstr(org, "kind_name"), "物业");
	const struct field *f = fields_find(&ENT_ORG, "kind");
	assert_int_equal(f->type, FT_CODE);
	assert_string_equal(fields_code_label(&u->c, f, "volunteer_team"), "志愿服务队");
	assert_string_equal(fields_code_label(&u->c, f, "unheard_of"), "unheard_of");
	json_decref(org);
}

static void test_kind_from_data(void **state)
{
	struct unit_db *u = *state;
	struct err e = {0};
	json_t *out = NULL;
	int64_t audits = unit_audit_rows(u);
	assert_int_equal(try_org(u, &u->c, "choir", &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "kind");
	assert_int_equal(unit_audit_rows(u), audits);

	json_t *in = json_pack("{s:s, s:s, s:s, s:[s,s]}", "code", "choir", "name_zh", "合唱团", "name_en", "choir",
			       "roles", "lead", "member");
	assert_int_equal(org_kinds_create(&u->c, in, &out, &e), 0);
	json_decref(in);
	assert_int_equal(jint(out, "sort_order"), 0);
	assert_true(json_is_true(json_object_get(out, "active")));
	assert_int_equal(json_array_size(json_object_get(out, "roles")), 2);
	json_decref(out);
	assert_int_equal(unit_audit_rows(u), audits + 1);
	assert_int_equal(unit_qi0(u, "SELECT count(*) FROM audit WHERE entity = 'org_kind' AND action = 'create'"), 1);

	assert_int_equal(try_org(u, &u->c, "choir", &out, &e), 0);
	int64_t choir = jint(out, "id");
	assert_string_equal(jstr(out, "kind_name"), "合唱团");
	json_decref(out);

	/* Deactivated: refused for new organisations, kept by the existing one. */
	in = json_pack("{s:b}", "active", 0);
	assert_int_equal(org_kinds_update(&u->c, "choir", in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
	assert_int_equal(try_org(u, &u->c, "choir", &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "kind");
	assert_non_null(strstr(e.msg, "已停用"));
	assert_string_equal(unit_qs(u, "SELECT kind FROM orgs WHERE id = ?", choir), "choir");
	/* The database refuses what the domain would: the kind references org_kinds. */
	assert_int_not_equal(store_run(u->db, &e, "UPDATE orgs SET kind = 'nope' WHERE id = ?", "i", choir), 0);
}

static void test_roles_replaced_and_checked(void **state)
{
	struct unit_db *u = *state;
	struct err e = {0};
	json_t *out = NULL;
	json_t *in = json_pack("{s:[s]}", "roles", "liaison");
	assert_int_equal(org_kinds_update(&u->c, "merchant", in, &out, &e), 0);
	json_decref(in);
	assert_int_equal(json_array_size(json_object_get(out, "roles")), 1);
	json_decref(out);
	assert_int_equal(org_kinds_check_role(&u->c, "merchant", "liaison", &e), 0);
	assert_int_equal(org_kinds_check_role(&u->c, "merchant", "lead", &e), ERR_INVALID);
	assert_string_equal(e.field, "role");
	/* A deactivated role is no longer allowed, nor offered in a form. */
	in = json_pack("{s:b}", "active", 0);
	assert_int_equal(org_kinds_role_update(&u->c, "liaison", in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
	assert_int_equal(org_kinds_check_role(&u->c, "merchant", "liaison", &e), ERR_INVALID);
	json_t *allowed = NULL;
	assert_int_equal(org_kinds_allowed(&u->c, "merchant", &allowed, &e), 0);
	assert_int_equal(json_array_size(allowed), 0);
	json_decref(allowed);
	int64_t audits = unit_audit_rows(u);
	in = json_pack("{s:[s]}", "roles", "liaison");
	assert_int_equal(org_kinds_update(&u->c, "merchant", in, &out, &e), ERR_INVALID);
	json_decref(in);
	assert_string_equal(e.field, "roles");
	assert_int_equal(unit_audit_rows(u), audits);
}

static void test_only_admins(void **state)
{
	struct unit_db *u = *state;
	struct grant g = {u->root, unit_path_of(u, u->root), ACC_MANAGER};
	struct actor mgr = {.user_id = 7, .username = "mgr", .ngrants = 1, .grants = &g};
	struct ctx c = u->c;
	c.who = &mgr;
	struct err e = {0};
	json_t *out = NULL;
	int64_t audits = unit_audit_rows(u);
	json_t *in = json_pack("{s:s, s:s, s:s, s:[s]}", "code", "choir", "name_zh", "合唱团", "name_en", "choir",
			       "roles", "member");
	assert_int_equal(org_kinds_create(&c, in, &out, &e), ERR_FORBIDDEN);
	json_decref(in);
	in = json_pack("{s:s}", "name_zh", "物业公司");
	assert_int_equal(org_kinds_update(&c, "property", in, &out, &e), ERR_FORBIDDEN);
	assert_int_equal(org_kinds_role_update(&c, "member", in, &out, &e), ERR_FORBIDDEN);
	json_decref(in);
	assert_int_equal(unit_audit_rows(u), audits);
	/* Reading is for everyone. */
	assert_int_equal(org_kinds_roles_list(&c, &out, &e), 0);
	assert_true(json_array_size(out) >= 6);
	json_decref(out);
}

/* Migration 008 on a database that already has organisations referred to
 * by accounts and cases: SQLite rebuilds orgs, and every reference, row
 * and trigger survives. */
static void test_migration_keeps_orgs(void **state)
{
	(void)state;
	char *dir = unit_tmpdir();
	assert_non_null(dir);
	char path[4096];
	snprintf(path, sizeof path, "%s/old.db", dir);
	struct store *db = NULL;
	struct err e = {0};
	assert_int_equal(store_open(path, true, &db, &e), 0);
	assert_int_equal(store_migrate_to(db, 7, &e), 0);
	assert_true(store_schema_version(db) < 8);
	const char *data =
	    "INSERT INTO nodes (id, kind, name, path, depth, created_at, updated_at) VALUES (1, 'street', '街道', "
	    "'/1/', "
	    "0, 't', 't');"
	    "INSERT INTO orgs (id, node_id, node_path, kind, name, created_at, updated_at) VALUES "
	    "(5, 1, '/1/', 'property', '物业', 't', 't'), (9, 1, '/1/', 'department', '派出所', 't', 't');"
	    "INSERT INTO users (id, username, display_name, password_hash, org_id, created_at, updated_at) VALUES "
	    "(2, 'wuye', '物业', 'x', 5, 't', 't');"
	    "INSERT INTO cases (id, kind, category, title, description, status, node_id, node_path, "
	    "origin_node_id, origin_path, landed_at, respond_due, resolve_due, created_at, updated_at) VALUES (1, "
	    "'request', 'sewer', 'x', 'x', 'new', 1, '/1/', 1, '/1/', 't', 't', 't', 't', 't');"
	    "INSERT INTO requests (case_id, channel) VALUES (1, 'self');"
	    "INSERT INTO case_orgs (case_id, org_id, role, assigned_at) VALUES (1, 9, 'lead', 't');";
	int rc = store_exec(db, data, &e);
	if (rc)
		print_error("old data: %s\n", e.msg);
	assert_int_equal(rc, 0);
	rc = store_migrate(db, &e);
	if (rc)
		print_error("migrate: %s\n", e.msg);
	assert_int_equal(rc, 0);
	assert_true(store_schema_version(db) >= 8);
	int64_t n = 0;
	assert_int_equal(store_int(db, &e, &n, "SELECT count(*) FROM pragma_foreign_key_check", ""), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_int(db, &e, &n, "SELECT org_id FROM users WHERE id = 2", ""), 0);
	assert_int_equal(n, 5);
	assert_int_equal(store_int(db, &e, &n, "SELECT count(*) FROM orgs o JOIN case_orgs co ON co.org_id = o.id", ""),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_int(db, &e, &n, "SELECT count(*) FROM sqlite_master WHERE name = 'orgs_v7'", ""), 0);
	assert_int_equal(n, 0);
	/* The registry's cache counter and the triggers that bumped it (made
	 * again with the rebuilt orgs table) are gone: the kept figures
	 * replaced them. */
	assert_int_equal(
	    store_int(db, &e, &n, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%registry%'",
		      ""),
	    0);
	assert_int_equal(n, 0);
	assert_int_equal(store_int(db, &e, &n, "SELECT count(*) FROM counters WHERE name = 'registry'", ""), 0);
	assert_int_equal(n, 0);
	/* And the kind is a reference now, not a fixed list. */
	assert_int_not_equal(
	    store_run(db, &e,
		      "INSERT INTO orgs (node_id, node_path, kind, name, created_at, updated_at) VALUES "
		      "(1, '/1/', 'nope', 'x', 't', 't')",
		      ""),
	    0);
	store_close(db);
	unit_rmdir(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_DB_TEST(test_seeded_kinds),
	    UNIT_DB_TEST(test_kind_from_data),
	    UNIT_DB_TEST(test_roles_replaced_and_checked),
	    UNIT_DB_TEST(test_only_admins),
	    cmocka_unit_test(test_migration_keeps_orgs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
