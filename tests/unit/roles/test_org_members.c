/*
 * test_org_members.c — unit tests for src/domain/roles/org_members.c:
 * adding members and ending their terms (audited, nothing deleted), what
 * "current" means as time passes, bad input that changes nothing, access
 * scoped to the tree, members' personal data shown as the registry shows
 * it, the form of a new member, and the nearest organisation of some kinds
 * at or above a node.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/roles/org_members.h"
#include "domain/roles/roles.h"
#include "unit_domain.h"

/* street (root) > community c > area a > groups g1, g2; and community c2. */
struct fix {
	struct unit_db u;
	struct unit_small_tree t;
	int64_t c2, p1, p2, p3, far; /* p1–p3 live in g1, g1, g2; far in c2 */
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);
	if (!f || unit_db_open(&f->u, NULL, unit_t0()) != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	unit_db_close(&f->u);
	free(f);
	return 0;
}

static void build(struct fix *f)
{
	struct unit_db *u = &f->u;
	f->t = unit_small_tree(u);
	f->c2 = unit_make_node(u, u->root, "community", "和平社区");
	int64_t h1 = unit_make_household(u, f->t.g1, "1栋101", "owned");
	int64_t h2 = unit_make_household(u, f->t.g2, "2栋202", "owned");
	int64_t h3 = unit_make_household(u, f->c2, "9栋909", "owned");
	f->p1 = unit_make_person(u, h1, "黄建国", NULL, json_pack("{s:s}", "phone", "13912345678"));
	f->p2 = unit_make_person(u, h1, "李秀英", NULL, NULL);
	f->p3 = unit_make_person(u, h2, "王芳", NULL, NULL);
	f->far = unit_make_person(u, h3, "赵强", NULL, json_pack("{s:s}", "phone", "13800001111"));
}

static int64_t mk_org(const struct ctx *c, int64_t node, const char *kind, const char *name)
{
	json_t *in = json_pack("{s:I, s:s, s:s}", "node_id", (json_int_t)node, "kind", kind, "name", name), *out = NULL;
	struct err e = {0};
	int rc = orgs_create(c, in, &out, &e);
	json_decref(in);
	if (rc)
		print_error("orgs_create %s: %s\n", name, e.msg);
	assert_int_equal(rc, 0);
	int64_t id = jint(out, "id");
	json_decref(out);
	return id;
}

/* Adds a member; extra (stolen, may be NULL) is merged into the input. */
static int add(const struct ctx *c, int64_t org, int64_t person, const char *role, json_t *extra, json_t **out,
	       struct err *e)
{
	json_t *in = json_pack("{s:I, s:s}", "person_id", (json_int_t)person, "role", role);
	if (extra)
		json_object_update(in, extra);
	json_decref(extra);
	json_t *got = NULL;
	int rc = org_members_add(c, org, in, &got, e);
	json_decref(in);
	if (out)
		*out = got;
	else
		json_decref(got);
	return rc;
}

static int64_t add_ok(const struct ctx *c, int64_t org, int64_t person, const char *role)
{
	json_t *out = NULL;
	struct err e = {0};
	int rc = add(c, org, person, role, NULL, &out, &e);
	if (rc)
		print_error("add %s: %s (%s)\n", role, e.msg, e.field);
	assert_int_equal(rc, 0);
	int64_t id = jint(out, "id");
	json_decref(out);
	return id;
}

static size_t count_members(const struct ctx *c, int64_t org, bool all)
{
	json_t *items = NULL;
	struct err e = {0};
	assert_int_equal(org_members_list(c, org, all, 0, 100, &items, &e), 0);
	size_t n = json_array_size(items);
	json_decref(items);
	return n;
}

static int end(const struct ctx *c, int64_t org, int64_t member, json_t *in, json_t **out, struct err *e)
{
	json_t *body = in ? in : json_object(), *got = NULL;
	int rc = org_members_end(c, org, member, body, &got, e);
	json_decref(body);
	if (out)
		*out = got;
	else
		json_decref(got);
	return rc;
}

static void test_add_end_list(void **state)
{
	struct fix *f = *state;
	struct unit_db *u = &f->u;
	build(f);
	int64_t mc = mk_org(&u->c, f->t.c, "mediation_committee", "幸福社区人民调解委员会");
	int64_t audits = unit_audit_rows(u);
	json_t *m = NULL;
	struct err e = {0};
	assert_int_equal(add(&u->c, mc, f->p1, "mediator", json_pack("{s:s}", "note", "退休教师"), &m, &e), 0);
	assert_string_equal(jstr(m, "start_date"), "2024-06-15");
	assert_true(json_is_true(json_object_get(m, "current")));
	assert_string_equal(jstr(m, "role_name"), "调解员");
	json_t *p = json_object_get(m, "person");
	assert_string_equal(jstr(p, "name"), "黄建国");
	assert_string_equal(jstr(p, "phone"), "139****5678");
	int64_t mid = jint(m, "id");
	json_decref(m);
	assert_int_equal(unit_audit_rows(u), audits + 1);
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM audit WHERE entity = 'org_member' AND entity_id = ?", mid),
			 1);
	/* The audit snapshot holds the mask, never the number. */
	assert_null(strstr(unit_qs(u, "SELECT after FROM audit WHERE entity = 'org_member' AND entity_id = ?", mid),
			   "13912345678"));
	assert_int_equal(count_members(&u->c, mc, false), 1);

	assert_int_equal(end(&u->c, mc, mid, json_pack("{s:s}", "note", "迁居"), &m, &e), 0);
	assert_string_equal(jstr(m, "end_date"), "2024-06-15");
	assert_string_equal(jstr(m, "note"), "迁居");
	assert_false(json_is_true(json_object_get(m, "current")));
	json_decref(m);
	assert_string_equal(unit_qs(u,
				    "SELECT action FROM audit WHERE entity = 'org_member' AND entity_id = ? ORDER BY "
				    "id DESC LIMIT 1",
				    mid),
			    "end");
	assert_int_equal(count_members(&u->c, mc, false), 0);
	assert_int_equal(count_members(&u->c, mc, true), 1);
	assert_int_equal(unit_qi0(u, "SELECT count(*) FROM org_members"), 1);
	audits = unit_audit_rows(u);
	assert_int_equal(end(&u->c, mc, mid, NULL, NULL, &e), ERR_CONFLICT);
	assert_int_equal(unit_audit_rows(u), audits);

	json_t *mine = NULL;
	assert_int_equal(org_members_of_person(&u->c, f->p1, false, &mine, &e), 0);
	assert_int_equal(json_array_size(mine), 0);
	json_decref(mine);
	assert_int_equal(org_members_of_person(&u->c, f->p1, true, &mine, &e), 0);
	assert_int_equal(json_array_size(mine), 1);
	assert_string_equal(jstr(json_array_get(mine, 0), "org_name"), "幸福社区人民调解委员会");
	assert_string_equal(jstr(json_array_get(mine, 0), "kind_name"), "人民调解委员会");
	json_decref(mine);

	/* A term fixed in advance ends by itself as time passes. */
	assert_int_equal(add(&u->c, mc, f->p2, "member",
			     json_pack("{s:s, s:s}", "start_date", "2024-01-01", "end_date", "2024-12-31"), NULL, &e),
			 0);
	assert_int_equal(count_members(&u->c, mc, false), 1);
	time_set_fake(unit_utc(2024, 12, 31, 12, 0, 0));
	assert_int_equal(count_members(&u->c, mc, false), 0);
	/* A term starting later is not current yet. */
	assert_int_equal(add(&u->c, mc, f->p3, "member", json_pack("{s:s}", "start_date", "2025-03-01"), NULL, &e), 0);
	assert_int_equal(count_members(&u->c, mc, false), 0);
	time_set_fake(unit_utc(2025, 3, 1, 0, 0, 0));
	assert_int_equal(count_members(&u->c, mc, false), 1);
}

static void test_bad_input_changes_nothing(void **state)
{
	struct fix *f = *state;
	struct unit_db *u = &f->u;
	build(f);
	int64_t mc = mk_org(&u->c, f->t.c, "mediation_committee", "调委会");
	int64_t mid = add_ok(&u->c, mc, f->p1, "mediator");
	assert_int_equal(store_run(u->db, NULL, "UPDATE people SET status = 'deceased' WHERE id = ?", "i", f->p3), 0);
	int64_t audits = unit_audit_rows(u);
	struct err e = {0};
	const struct {
		int64_t person;
		const char *role;
		const char *extra;
		int rc;
		const char *field;
	} cases[] = {
	    {f->p2, "leader", NULL, ERR_INVALID, "role"},
	    {f->p2, "no_such_role", NULL, ERR_INVALID, "role"},
	    {f->p2, "mediator", "{\"end_date\": \"2024-01-01\"}", ERR_INVALID, "end_date"},
	    {f->p2, "mediator", "{\"start_date\": \"2024-13-01\"}", ERR_INVALID, "start_date"},
	    {f->p2, "mediator", "{\"org_id\": 1}", ERR_INVALID, "org_id"},
	    {f->p2, "mediator", "{\"user_id\": 999}", ERR_INVALID, "user_id"},
	    {f->p2, "mediator", "{\"note\": \"a\\u0001b\"}", ERR_INVALID, "note"},
	    {f->p1, "mediator", NULL, ERR_CONFLICT, "person_id"},
	    {f->p3, "mediator", NULL, ERR_INVALID, "person_id"},
	    {999999, "mediator", NULL, ERR_INVALID, "person_id"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		memset(&e, 0, sizeof e);
		json_t *extra = cases[i].extra ? json_loads(cases[i].extra, 0, NULL) : NULL;
		int rc = add(&u->c, mc, cases[i].person, cases[i].role, extra, NULL, &e);
		if (rc != cases[i].rc || strcmp(e.field, cases[i].field) != 0)
			print_error("case %zu: rc %d field %s: %s\n", i, rc, e.field, e.msg);
		assert_int_equal(rc, cases[i].rc);
		assert_string_equal(e.field, cases[i].field);
		assert_non_null(strstr(e.msg, " / "));
	}
	assert_int_equal(add(&u->c, 999, f->p2, "mediator", NULL, NULL, &e), ERR_NOT_FOUND);
	assert_int_equal(end(&u->c, mc, mid, json_pack("{s:s}", "end_date", "2020-01-01"), NULL, &e), ERR_INVALID);
	assert_string_equal(e.field, "end_date");
	assert_int_equal(end(&u->c, mc, mid, json_pack("{s:i}", "end_date", 5), NULL, &e), ERR_INVALID);
	assert_int_equal(end(&u->c, mc, mid, json_pack("{s:s}", "reason", "x"), NULL, &e), ERR_INVALID);
	int64_t other = mk_org(&u->c, f->t.c, "volunteer_team", "志愿队");
	audits = unit_audit_rows(u);
	assert_int_equal(end(&u->c, other, mid, NULL, NULL, &e), ERR_NOT_FOUND);
	/* A kind the current members' roles do not fit. */
	json_t *in = json_pack("{s:s}", "kind", "volunteer_team"), *out = NULL;
	assert_int_equal(orgs_update(&u->c, mc, in, &out, &e), ERR_CONFLICT);
	assert_string_equal(e.field, "kind");
	assert_int_equal(unit_audit_rows(u), audits);
	assert_int_equal(unit_qi0(u, "SELECT count(*) FROM org_members"), 1);
	assert_null(unit_qs(u, "SELECT end_date FROM org_members WHERE id = ?", mid));
	/* Once the term is over, the kind may change. */
	assert_int_equal(end(&u->c, mc, mid, NULL, NULL, &e), 0);
	assert_int_equal(orgs_update(&u->c, mc, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
	/* A retired organisation takes no new members. */
	assert_int_equal(store_run(u->db, NULL, "UPDATE orgs SET retired_at = 't' WHERE id = ?", "i", other), 0);
	assert_int_equal(add(&u->c, other, f->p2, "member", NULL, NULL, &e), ERR_CONFLICT);
}

static void test_access_follows_the_tree(void **state)
{
	struct fix *f = *state;
	struct unit_db *u = &f->u;
	build(f);
	int64_t mc = mk_org(&u->c, f->t.c, "mediation_committee", "调委会");
	int64_t mid = add_ok(&u->c, mc, f->p1, "mediator");
	int64_t far_mid = add_ok(&u->c, mc, f->far, "member"); /* the admin may add anyone */
	struct grant other_g = {f->c2, unit_path_of(u, f->c2), ACC_MANAGER};
	struct grant mgr_g = {f->t.c, unit_path_of(u, f->t.c), ACC_MANAGER};
	struct grant view_g = {f->t.c, unit_path_of(u, f->t.c), ACC_VIEWER};
	struct grant area_g = {f->t.a, unit_path_of(u, f->t.a), ACC_WORKER};
	struct actor other = {.user_id = 11, .username = "other", .ngrants = 1, .grants = &other_g};
	struct actor mgr = {.user_id = 12, .username = "mgr", .ngrants = 1, .grants = &mgr_g};
	struct actor viewer = {.user_id = 13, .username = "viewer", .ngrants = 1, .grants = &view_g};
	struct actor worker = {.user_id = 14, .username = "worker", .ngrants = 1, .grants = &area_g};
	struct ctx co = u->c, cm = u->c, cv = u->c, cw = u->c;
	co.who = &other, cm.who = &mgr, cv.who = &viewer, cw.who = &worker;
	int64_t audits = unit_audit_rows(u);
	struct err e = {0};
	json_t *out = NULL;

	/* A manager of another community: nothing here. */
	assert_int_equal(add(&co, mc, f->p2, "mediator", NULL, NULL, &e), ERR_FORBIDDEN);
	assert_int_equal(end(&co, mc, mid, NULL, NULL, &e), ERR_FORBIDDEN);
	assert_int_equal(org_members_list(&co, mc, true, 0, 10, &out, &e), ERR_FORBIDDEN);
	assert_int_equal(org_members_of_person(&co, f->p1, true, &out, &e), ERR_FORBIDDEN);
	/* A grid worker below the committee: neither reads nor adds. */
	assert_int_equal(org_members_list(&cw, mc, false, 0, 10, &out, &e), ERR_FORBIDDEN);
	assert_int_equal(add(&cw, mc, f->p2, "mediator", NULL, NULL, &e), ERR_FORBIDDEN);
	/* A viewer reads but does not add; the manager may not add a stranger. */
	assert_int_equal(add(&cv, mc, f->p2, "mediator", NULL, NULL, &e), ERR_FORBIDDEN);
	assert_int_equal(add(&cm, mc, f->far, "mediator", NULL, NULL, &e), ERR_FORBIDDEN);
	assert_string_equal(e.field, "person_id");
	assert_int_equal(unit_audit_rows(u), audits);
	assert_int_equal(add(&cm, mc, f->p2, "mediator", NULL, NULL, &e), 0);
	assert_int_equal(end(&cm, mc, mid, NULL, NULL, &e), 0);

	/* The viewer sees every member's name, and masked details only of the
	 * people it may read (not the one from the other community). */
	json_t *items = NULL;
	assert_int_equal(org_members_list(&cv, mc, true, 0, 10, &items, &e), 0);
	assert_int_equal(json_array_size(items), 3);
	size_t i;
	json_t *m;
	json_array_foreach (items, i, m) {
		json_t *p = json_object_get(m, "person");
		assert_non_null(jstr(p, "name"));
		if (jint(m, "id") == far_mid) {
			assert_string_equal(jstr(p, "name"), "赵强");
			assert_null(json_object_get(p, "phone"));
		} else {
			assert_non_null(json_object_get(p, "phone"));
		}
		if (jint(m, "id") == mid)
			assert_string_equal(jstr(p, "phone"), "139****5678");
	}
	json_decref(items);
}

static void test_member_form(void **state)
{
	struct fix *f = *state;
	struct unit_db *u = &f->u;
	json_t *form = NULL;
	struct err e = {0};
	assert_int_equal(org_members_form(&u->c, "volunteer_team", &form, &e), 0);
	const char *names = "";
	size_t i;
	json_t *fd;
	json_array_foreach (form, i, fd) {
		names = arena_printf(&u->a, "%s%s%s", names, i ? "," : "", jstr(fd, "name"));
		assert_false(json_is_true(json_object_get(fd, "read_only")));
		if (!strcmp(jstr(fd, "name"), "role")) {
			json_t *vals = json_object_get(fd, "values");
			assert_int_equal(json_array_size(vals), 2);
			assert_string_equal(jstr(json_array_get(vals, 0), "code"), "leader");
			assert_string_equal(jstr(json_array_get(vals, 0), "label_zh"), "队长");
			assert_string_equal(jstr(fd, "type"), "enum");
			assert_string_equal(jstr(fd, "source"), "org_member_roles");
		}
	}
	assert_string_equal(names, "person_id,user_id,role,start_date,end_date,note");
	json_decref(form);
	/* The organisation's read carries it. */
	build(f);
	int64_t vt = mk_org(&u->c, f->t.c, "volunteer_team", "志愿服务队");
	json_t *org = NULL;
	assert_int_equal(orgs_get(&u->c, vt, &org, &e), 0);
	assert_int_equal(json_array_size(json_object_get(org, "member_fields")), 6);
	json_decref(org);
}

static int64_t nearest(const struct ctx *c, int64_t node, const char *const *kinds, const char *role)
{
	int64_t org = -1;
	struct err e = {0};
	int rc = org_members_nearest(c, node, kinds, role, &org, &e);
	if (rc)
		print_error("nearest: %s\n", e.msg);
	assert_int_equal(rc, 0);
	return org;
}

static void test_nearest(void **state)
{
	struct fix *f = *state;
	struct unit_db *u = &f->u;
	build(f);
	static const char *const mediation[] = {"mediation_room", "mediation_committee", NULL};
	static const char *const committees[] = {"mediation_committee", NULL};
	int64_t top = mk_org(&u->c, u->root, "mediation_committee", "街道调委会");
	int64_t mc = mk_org(&u->c, f->t.c, "mediation_committee", "社区调委会");
	int64_t room = mk_org(&u->c, f->t.a, "mediation_room", "老黄调解室");
	int64_t empty = mk_org(&u->c, f->t.g1, "mediation_room", "无人调解室"); /* no members: never chosen */
	(void)empty;
	add_ok(&u->c, top, f->far, "mediator");
	add_ok(&u->c, mc, f->p3, "lead");
	int64_t room_mediator = add_ok(&u->c, room, f->p1, "mediator");

	assert_int_equal(nearest(&u->c, f->t.g1, mediation, NULL), room);
	assert_int_equal(nearest(&u->c, f->t.a, mediation, NULL), room);
	assert_int_equal(nearest(&u->c, f->t.c, mediation, NULL), mc);
	assert_int_equal(nearest(&u->c, f->c2, mediation, NULL), top);
	assert_int_equal(nearest(&u->c, f->t.g1, committees, NULL), mc);
	assert_int_equal(nearest(&u->c, f->t.g1, mediation, "mediator"), room);
	assert_int_equal(nearest(&u->c, f->t.g1, mediation, "lead"), mc);
	assert_int_equal(nearest(&u->c, f->t.g1, mediation, "co_mediator"), 0);

	struct err e = {0};
	assert_int_equal(end(&u->c, room, room_mediator, NULL, NULL, &e), 0);
	assert_int_equal(nearest(&u->c, f->t.g1, mediation, NULL), mc);
	assert_int_equal(store_run(u->db, NULL, "UPDATE orgs SET retired_at = 't' WHERE id = ?", "i", mc), 0);
	assert_int_equal(nearest(&u->c, f->t.g1, mediation, NULL), top);

	static const char *const none[] = {NULL};
	int64_t org = 0;
	assert_int_equal(org_members_nearest(&u->c, f->t.g1, none, NULL, &org, &e), ERR_INVALID);
	assert_int_equal(org_members_nearest(&u->c, 999999, mediation, NULL, &org, &e), ERR_NOT_FOUND);

	/* The reader's version checks access at the node and gives the record. */
	struct grant g = {f->c2, unit_path_of(u, f->c2), ACC_VIEWER};
	struct actor v = {.user_id = 9, .username = "v", .ngrants = 1, .grants = &g};
	struct ctx cv = u->c;
	cv.who = &v;
	json_t *out = NULL;
	assert_int_equal(org_members_nearest_get(&cv, f->t.g1, mediation, NULL, &out, &e), ERR_FORBIDDEN);
	assert_int_equal(org_members_nearest_get(&cv, f->c2, mediation, NULL, &out, &e), 0);
	assert_string_equal(jstr(out, "name"), "街道调委会");
	assert_string_equal(jstr(out, "kind_name"), "人民调解委员会");
	json_decref(out);
	assert_int_equal(org_members_nearest_get(&cv, f->c2, mediation, "co_mediator", &out, &e), ERR_NOT_FOUND);
}

#define FIX_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FIX_TEST(test_add_end_list),
	    FIX_TEST(test_bad_input_changes_nothing),
	    FIX_TEST(test_access_follows_the_tree),
	    FIX_TEST(test_member_form),
	    FIX_TEST(test_nearest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
