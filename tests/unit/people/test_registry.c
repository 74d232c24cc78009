/*
 * test_registry.c — unit tests for src/domain/people/registry.c, the
 * resident registry: households, people and what person_create derives
 * from an ID card (birth date, gender) and stores (encrypted, hashed,
 * pinyin), duplicate ID cards, person_list's search and filters, moves
 * between households with the residence history, and reveals. Each test
 * runs over a fresh migrated SQLite database as the system actor.
 *
 * Tests that expose open bugs which would crash or leak (and so take the
 * whole program down) run their body in a child process with its own
 * database (expect_child_ok); the parent only checks how the child ended.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "domain/core/bulk.h"
#include "domain/core/ctx.h"
#include "domain/core/pii.h"
#include "domain/people/registry.h"
#include "domain/places/tree.h"
#include "store/store.h"
#include "unit_domain.h"

/* What a child test body gets: the directory for its database, made and
 * removed by the parent (a crashing child cannot clean up), and a flag.
 * The body builds its own fixture with unit_db_open and reports by its
 * return value: cmocka's asserts must not run in the child. */
struct child_arg {
	const char *dir;
	bool flag;
};

/* Runs body in a child with a fresh directory and asserts that it exited
 * with 0; what names the check in the failure message. */
static void expect_child_ok(int (*body)(void *), bool flag, const char *what)
{
	char *dir = unit_tmpdir();
	assert_non_null(dir);
	struct child_arg ca = {.dir = dir, .flag = flag};
	int st = unit_run_child(body, &ca);
	unit_rmdir(dir);
	free(dir);
	char why[64];
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		print_error("%s: child %s\n", what, unit_status_text(st, why, sizeof why));
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_household_create(void **state)
{
	struct unit_db *u = *state;
	struct unit_small_tree t = unit_small_tree(u);
	struct err e = {0};
	int64_t audits = unit_audit_rows(u);
	json_t *in = json_pack("{s:I, s:s, s:s, s:s}", "node_id", (json_int_t)t.g1, "address", "3栋2单元101", "tenure",
			       "rented", "note", "租户常年在外");
	json_t *out = NULL;
	assert_int_equal(household_create(&u->c, in, &out, &e), 0);
	json_decref(in);
	int64_t h = jint(out, "id");
	assert_string_equal(jstr(out, "address"), "3栋2单元101");
	assert_string_equal(jstr(out, "tenure"), "rented");
	assert_string_equal(jstr(out, "status"), "active");
	assert_string_equal(jstr(out, "node_name"), "第一组");
	assert_int_equal(jint(out, "member_count"), 0);
	assert_true(json_is_null(json_object_get(out, "head_person_id")));
	json_decref(out);
	assert_string_equal(unit_qs(u, "SELECT node_path FROM households WHERE id = ?", h), unit_path_of(u, t.g1));
	assert_int_equal(unit_qi(u, "SELECT community_id FROM households WHERE id = ?", h), t.c);
	assert_int_equal(unit_audit_rows(u), audits + 1);

	/* Default tenure. */
	int64_t h2 = unit_make_household(u, t.g2, "4栋", "owned");
	assert_string_equal(unit_qs(u, "SELECT tenure FROM households WHERE id = ?", h2), "owned");

	/* Unknown node, missing address, read-only status. */
	in = json_pack("{s:I, s:s}", "node_id", (json_int_t)99999, "address", "x");
	err_clear(&e);
	assert_int_equal(household_create(&u->c, in, &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "node_id");
	json_decref(in);
	in = json_pack("{s:I}", "node_id", (json_int_t)t.g1);
	assert_int_equal(household_create(&u->c, in, &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "address");
	json_decref(in);
	in = json_pack("{s:I, s:s, s:s}", "node_id", (json_int_t)t.g1, "address", "x", "status", "closed");
	assert_int_equal(household_create(&u->c, in, &out, &e), ERR_INVALID);
	json_decref(in);
	assert_int_equal(unit_qi0(u, "SELECT count(*) FROM households"), 2);
	assert_false(store_in_txn(u->db));
}

static void test_person_create_derives_from_id_card(void **state)
{
	struct unit_db *u = *state;
	struct unit_small_tree t = unit_small_tree(u);
	int64_t h = unit_make_household(u, t.g1, "3栋101", "owned");
	char id[19];
	unit_make_id(id, "430302", "19900101", "123");
	struct err e = {0};
	json_t *out = NULL;
	json_t *extra = json_pack("{s:s, s:[s,s], s:s, s:s}", "phone", "+86 138-0013-8000", "tags", "低保", "独居老人",
				  "relation", "head", "political_status", "party_member");
	assert_int_equal(unit_try_person(u, h, "王贵宝", id, extra, &out, &e), 0);
	json_decref(extra);
	int64_t p = jint(out, "id");
	assert_string_equal(jstr(out, "birth_date"), "1990-01-01");
	assert_string_equal(jstr(out, "gender"), "M");
	assert_int_equal(jint(out, "age"), 34); /* on 2024-06-15 */
	/* Masked in what is returned. */
	assert_string_equal(jstr(out, "id_card"), "430302************"); /* the region only */
	assert_string_equal(jstr(out, "phone"), "138****8000");
	assert_string_equal(jstr(out, "status"), "active");
	assert_string_equal(jstr(out, "residence"), "permanent");
	assert_string_equal(jstr(out, "household_address"), "3栋101");
	assert_int_equal(json_array_size(json_object_get(out, "tags")), 2);
	json_decref(out);

	/* Stored encrypted, hashed, with pinyin columns and the place. */
	assert_string_equal(unit_qs(u, "SELECT name_initials FROM people WHERE id = ?", p), "wgb");
	assert_string_equal(unit_qs(u, "SELECT name_pinyin FROM people WHERE id = ?", p), "wangguibao");
	assert_string_equal(unit_qs(u, "SELECT node_path FROM people WHERE id = ?", p), unit_path_of(u, t.g1));
	assert_int_equal(unit_qi(u, "SELECT node_id FROM people WHERE id = ?", p), t.g1);
	assert_int_equal(unit_qi(u, "SELECT community_id FROM people WHERE id = ?", p), t.c);
	assert_int_equal(unit_qi(u, "SELECT length(id_card_hash) FROM people WHERE id = ?", p), PII_HASH_BYTES);
	assert_int_equal(unit_qi(u, "SELECT instr(id_card_enc, '430302') FROM people WHERE id = ?", p), 0);
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM person_tags WHERE person_id = ?", p), 2);
	assert_int_equal(unit_qi(u, "SELECT head_person_id FROM households WHERE id = ?", h), p);
	assert_int_equal(
	    unit_qi(u, "SELECT count(*) FROM residence_history WHERE person_id = ? AND moved_out IS NULL", p), 1);

	/* Reading it back decrypts. */
	assert_int_equal(person_get(&u->c, p, false, &out, &e), 0);
	assert_string_equal(jstr(out, "phone"), "138****8000");
	assert_string_equal(jstr(out, "name"), "王贵宝");
	json_decref(out);

	/* A female number; given values win over derived ones. */
	char idf[19];
	unit_make_id(idf, "430302", "19921231", "124");
	assert_int_equal(unit_try_person(u, h, "王芳", idf, NULL, &out, &e), 0);
	assert_string_equal(jstr(out, "gender"), "F");
	assert_string_equal(jstr(out, "birth_date"), "1992-12-31");
	assert_int_equal(jint(out, "age"), 31);
	json_decref(out);
	char idg[19];
	unit_make_id(idg, "430302", "19800101", "135");
	extra = json_pack("{s:s}", "birth_date", "1980-01-02");
	assert_int_equal(unit_try_person(u, h, "王大", idg, extra, &out, &e), 0);
	json_decref(extra);
	assert_string_equal(jstr(out, "birth_date"), "1980-01-02");
	json_decref(out);

	/* 50 Chinese characters are a legal name all the way to the database. */
	assert_int_equal(unit_try_person(u, h, unit_repeat(&u->a, "王", 50), NULL, NULL, &out, &e), 0);
	json_decref(out);
	assert_int_equal(unit_try_person(u, h, unit_repeat(&u->a, "王", 51), NULL, NULL, &out, &e), ERR_INVALID);
	/* No household, unknown household. */
	json_t *in = json_pack("{s:s}", "name", "无户");
	assert_int_equal(person_create(&u->c, in, &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "household_id");
	json_decref(in);
	assert_int_equal(unit_try_person(u, 99999, "无户", NULL, NULL, &out, &e), ERR_INVALID);
	assert_false(store_in_txn(u->db));
}

static void test_person_duplicate_id_card(void **state)
{
	struct unit_db *u = *state;
	struct unit_small_tree t = unit_small_tree(u);
	int64_t h1 = unit_make_household(u, t.g1, "1栋", "owned");
	int64_t h2 = unit_make_household(u, t.g2, "2栋", "owned");
	unit_make_person(u, h1, "王贵宝", "11010519491231002X", NULL);
	int64_t people = unit_qi0(u, "SELECT count(*) FROM people");
	int64_t audits = unit_audit_rows(u);
	struct err e = {0};
	json_t *out = NULL;
	assert_int_equal(unit_try_person(u, h2, "冒名者", "11010519491231002X", NULL, &out, &e), ERR_CONFLICT);
	assert_string_equal(e.field, "id_card");
	/* The same number written differently is the same number. */
	err_clear(&e);
	assert_int_equal(unit_try_person(u, h2, "冒名者", "110105 19491231 002x", NULL, &out, &e), ERR_CONFLICT);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_int_equal(unit_qi0(u, "SELECT count(*) FROM people"), people);
	assert_int_equal(unit_audit_rows(u), audits);
	assert_false(store_in_txn(u->db));
	/* A different number is fine. */
	char id[19];
	unit_make_id(id, "110105", "19491231", "003");
	unit_make_person(u, h2, "另一人", id, NULL);
}

static void test_person_list_search(void **state)
{
	struct unit_db *u = *state;
	struct unit_small_tree t = unit_small_tree(u);
	int64_t h1 = unit_make_household(u, t.g1, "1栋", "owned");
	int64_t h2 = unit_make_household(u, t.g2, "2栋", "owned");
	char id1[19], id2[19];
	unit_make_id(id1, "430302", "19900101", "123");
	unit_make_id(id2, "110105", "19491231", "002"); /* ends in X */
	unit_make_person(u, h1, "王贵宝", id1, json_pack("{s:s, s:[s]}", "phone", "13800138000", "tags", "低保"));
	unit_make_person(u, h1, "李四", id2, json_pack("{s:s}", "phone", "13912345678"));
	unit_make_person(u, h2, "王芳", NULL, json_pack("{s:[s], s:s}", "tags", "残疾", "residence", "floating"));
	unit_make_person(u, h2, "单田芳", NULL, NULL);

	struct person_filter f = {.node_id = 0};
	assert_string_equal(unit_list_names(u, &f), "王贵宝,李四,王芳,单田芳");
	/* Pinyin initials, any case; full pinyin prefix. */
	f.q = "wgb";
	assert_string_equal(unit_list_names(u, &f), "王贵宝");
	f.q = "WGB";
	assert_string_equal(unit_list_names(u, &f), "王贵宝");
	f.q = "wang";
	assert_string_equal(unit_list_names(u, &f), "王贵宝,王芳");
	f.q = "stf"; /* 单 as a surname reads shan */
	assert_string_equal(unit_list_names(u, &f), "单田芳");
	f.q = "w";
	assert_string_equal(unit_list_names(u, &f), "王贵宝,王芳");
	/* Name substring. */
	f.q = "贵宝";
	assert_string_equal(unit_list_names(u, &f), "王贵宝");
	/* Full ID card (also with a lower-case x), phone; never partial. */
	f.q = id1;
	assert_string_equal(unit_list_names(u, &f), "王贵宝");
	f.q = "11010519491231002x";
	assert_string_equal(unit_list_names(u, &f), "李四");
	f.q = "13912345678";
	assert_string_equal(unit_list_names(u, &f), "李四");
	f.q = "13800138000";
	assert_string_equal(unit_list_names(u, &f), "王贵宝");
	f.q = "1380013800";
	assert_string_equal(unit_list_names(u, &f), "");
	f.q = "430302";
	assert_string_equal(unit_list_names(u, &f), "");
	/* Tag, residence, gender, household, subtree. */
	f = (struct person_filter){.tag = "低保"};
	assert_string_equal(unit_list_names(u, &f), "王贵宝");
	f.tag = "残疾";
	assert_string_equal(unit_list_names(u, &f), "王芳");
	f.tag = "没有";
	assert_string_equal(unit_list_names(u, &f), "");
	f = (struct person_filter){.residence = "floating"};
	assert_string_equal(unit_list_names(u, &f), "王芳");
	f = (struct person_filter){.gender = "F"};
	assert_string_equal(unit_list_names(u, &f), "李四");
	f = (struct person_filter){.household_id = h2};
	assert_string_equal(unit_list_names(u, &f), "王芳,单田芳");
	f = (struct person_filter){.node_id = t.g1};
	assert_string_equal(unit_list_names(u, &f), "王贵宝,李四");
	f = (struct person_filter){.node_id = t.g2, .q = "wgb"};
	assert_string_equal(unit_list_names(u, &f), "");
	/* Paging. */
	f = (struct person_filter){.limit = 2};
	assert_string_equal(unit_list_names(u, &f), "王贵宝,李四");
	json_t *arr = NULL;
	struct err e = {0};
	assert_int_equal(person_list(&u->c, &f, &arr, &e), 0);
	assert_non_null(f.next);
	f.cursor = f.next;
	json_decref(arr);
	assert_string_equal(unit_list_names(u, &f), "王芳,单田芳");
	/* Lists are masked. */
	f = (struct person_filter){.q = "wgb"};
	assert_int_equal(person_list(&u->c, &f, &arr, &e), 0);
	assert_string_equal(jstr(json_array_get(arr, 0), "phone"), "138****8000");
	json_decref(arr);
}

/* person_list builds up to 9 text binds (4 for a pinyin query, 4 equality
 * filters, 1 tag) into `const char *tv[8]`. Run in a child: with the bug
 * ASan aborts on the stack-buffer-overflow. */
static int child_list_all_filters(void *arg)
{
	const struct child_arg *ca = arg;
	struct unit_db u;
	if (unit_db_open(&u, ca->dir, unit_t0()))
		return 10;
	struct err e = {0};
	json_t *in = json_pack("{s:I, s:s, s:s}", "parent_id", (json_int_t)u.root, "kind", "community", "name", "社区");
	json_t *out = NULL;
	int rc = tree_create(&u.c, in, &out, &e);
	int64_t node = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	in = json_pack("{s:I, s:s}", "node_id", (json_int_t)node, "address", "1栋");
	if (rc == 0)
		rc = household_create(&u.c, in, &out, &e);
	int64_t hid = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	in = json_pack("{s:I, s:s, s:s, s:s, s:s, s:[s]}", "household_id", (json_int_t)hid, "name", "王贵宝", "gender",
		       "M", "residence", "permanent", "political_status", "masses", "tags", "低保");
	if (rc == 0)
		rc = person_create(&u.c, in, &out, &e);
	json_decref(in);
	json_decref(out);
	if (rc)
		return 11;
	struct person_filter f = {.q = "wgb",
				  .residence = "permanent",
				  .status = "active",
				  .political_status = "masses",
				  .gender = "M",
				  .tag = "低保"};
	json_t *arr = NULL;
	rc = person_list(&u.c, &f, &arr, &e);
	size_t n = rc == 0 ? json_array_size(arr) : 0;
	json_decref(arr);
	unit_db_close(&u);
	if (rc)
		return 12;
	return n == 1 ? 0 : 13;
}

static void test_person_list_all_filters_at_once(void **state)
{
	expect_child_ok(child_list_all_filters, false, "person_list with q + 4 filters + tag");
}

static void test_person_move_history(void **state)
{
	struct unit_db *u = *state;
	struct unit_small_tree t = unit_small_tree(u);
	int64_t h1 = unit_make_household(u, t.g1, "1栋", "owned");
	int64_t h2 = unit_make_household(u, t.g2, "2栋", "rented");
	int64_t p =
	    unit_make_person(u, h1, "王贵宝", NULL, json_pack("{s:s, s:[s]}", "relation", "head", "tags", "低保"));
	assert_int_equal(unit_qi(u, "SELECT head_person_id FROM households WHERE id = ?", h1), p);
	struct err e = {0};
	json_t *out = NULL, *hist = NULL;

	assert_int_equal(person_history(&u->c, p, &hist, &e), 0);
	assert_int_equal(json_array_size(hist), 1);
	assert_string_equal(jstr(json_array_get(hist, 0), "moved_in"), "2024-06-15");
	assert_true(json_is_null(json_object_get(json_array_get(hist, 0), "moved_out")));
	json_decref(hist);

	/* Refusals first: nothing may change. */
	int64_t audits = unit_audit_rows(u);
	assert_int_equal(person_move(&u->c, p, h2, "2024-13-01", NULL, NULL, &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "date");
	assert_int_equal(person_move(&u->c, p, h2, "2024-06-01", NULL, NULL, &out, &e),
			 ERR_INVALID); /* before moved in */
	assert_string_equal(e.field, "date");
	assert_int_equal(person_move(&u->c, p, h1, "2024-06-20", NULL, NULL, &out, &e),
			 ERR_INVALID); /* same household */
	assert_int_equal(person_move(&u->c, p, 99999, "2024-06-20", NULL, NULL, &out, &e), ERR_INVALID);
	assert_int_equal(person_move(&u->c, p, 0, "2024-06-20", NULL, "gone", &out, &e), ERR_INVALID);
	assert_int_equal(person_move(&u->c, 99999, h2, "2024-06-20", NULL, NULL, &out, &e), ERR_NOT_FOUND);
	assert_int_equal(unit_audit_rows(u), audits);
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM residence_history WHERE person_id = ?", p), 1);
	assert_false(store_in_txn(u->db));

	/* Into another household. */
	assert_int_equal(person_move(&u->c, p, h2, "2024-06-20", NULL, NULL, &out, &e), 0);
	assert_int_equal(jint(out, "household_id"), h2);
	assert_string_equal(jstr(out, "household_address"), "2栋");
	assert_true(json_is_null(json_object_get(out, "relation")));
	json_decref(out);
	assert_string_equal(unit_qs(u, "SELECT node_path FROM people WHERE id = ?", p), unit_path_of(u, t.g2));
	assert_int_equal(unit_qi(u, "SELECT node_id FROM people WHERE id = ?", p), t.g2);
	assert_string_equal(unit_qs(u, "SELECT node_path FROM person_tags WHERE person_id = ?", p),
			    unit_path_of(u, t.g2));
	assert_int_equal(unit_qi(u, "SELECT head_person_id IS NULL FROM households WHERE id = ?", h1), 1);
	assert_int_equal(unit_audit_rows(u), audits + 1);
	assert_string_equal(
	    unit_qs(u, "SELECT action FROM audit WHERE id = (SELECT max(id) FROM audit WHERE entity_id = ?)", p),
	    "move_in");

	/* Out of the area. */
	assert_int_equal(person_move(&u->c, p, 0, "2024-07-01", "迁往外地", NULL, &out, &e), 0);
	assert_string_equal(jstr(out, "status"), "moved_out");
	json_decref(out);
	assert_int_equal(unit_audit_rows(u), audits + 2);

	assert_int_equal(person_history(&u->c, p, &hist, &e), 0);
	assert_int_equal(json_array_size(hist), 2);
	json_t *s1 = json_array_get(hist, 0), *s2 = json_array_get(hist, 1);
	assert_int_equal(jint(s1, "household_id"), h1);
	assert_string_equal(jstr(s1, "moved_in"), "2024-06-15");
	assert_string_equal(jstr(s1, "moved_out"), "2024-06-20");
	assert_int_equal(jint(s2, "household_id"), h2);
	assert_string_equal(jstr(s2, "moved_in"), "2024-06-20");
	assert_string_equal(jstr(s2, "moved_out"), "2024-07-01");
	assert_non_null(strstr(jstr(s2, "reason"), "迁往外地"));
	json_decref(hist);
	/* At most one open stay, none now. */
	assert_int_equal(
	    unit_qi(u, "SELECT count(*) FROM residence_history WHERE person_id = ? AND moved_out IS NULL", p), 0);

	/* Gone from the default (active) list, found with status filters. */
	struct person_filter f = {0};
	assert_string_equal(unit_list_names(u, &f), "");
	f.status = "moved_out";
	assert_string_equal(unit_list_names(u, &f), "王贵宝");
	f.status = "all";
	assert_string_equal(unit_list_names(u, &f), "王贵宝");
}

/* A resident who moved out comes back to the household they left: that is
 * a new stay, not "already in that household". */
static void test_person_move_back_after_moving_out(void **state)
{
	struct unit_db *u = *state;
	struct unit_small_tree t = unit_small_tree(u);
	int64_t h1 = unit_make_household(u, t.g1, "1栋", "owned");
	int64_t p = unit_make_person(u, h1, "王贵宝", NULL, NULL);
	struct err e = {0};
	json_t *out = NULL;
	assert_int_equal(person_move(&u->c, p, 0, "2024-07-01", "外出务工", NULL, &out, &e), 0);
	json_decref(out);
	out = NULL;
	int rc = person_move(&u->c, p, h1, "2024-09-01", "返乡", NULL, &out, &e);
	if (rc)
		print_error("moving back in: %s (%s)\n", e.msg, e.field);
	assert_int_equal(rc, 0);
	assert_string_equal(jstr(out, "status"), "active");
	json_decref(out);
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM residence_history WHERE person_id = ?", p), 2);
}

/* err.h: the struct err may be NULL. person_create with an unknown
 * household must then just return ERR_INVALID. Run in a child because the
 * bug is a NULL dereference. */
static int child_person_null_err(void *arg)
{
	const struct child_arg *ca = arg;
	struct unit_db u;
	if (unit_db_open(&u, ca->dir, unit_t0()))
		return 10;
	json_t *in = json_pack("{s:I, s:s}", "household_id", (json_int_t)99999, "name", "无户");
	json_t *out = NULL;
	int rc = person_create(&u.c, in, &out, NULL);
	json_decref(in);
	bool txn = store_in_txn(u.db);
	unit_db_close(&u);
	return rc == ERR_INVALID && !txn ? 0 : 11;
}

static void test_person_create_with_null_err(void **state)
{
	expect_child_ok(child_person_null_err, false, "person_create(..., NULL err) for an unknown household");
}

/* A reveal (officer access, audited) must not leak memory: checked with
 * LeakSanitizer in a child that closes everything first. */
static int child_reveal_leak(void *arg)
{
	const struct child_arg *ca = arg;
	bool household = ca->flag;
	struct unit_db u;
	if (unit_db_open(&u, ca->dir, unit_t0()))
		return 10;
	struct err e = {0};
	json_t *in = json_pack("{s:I, s:s}", "node_id", (json_int_t)u.root, "address", "1栋");
	json_t *out = NULL;
	int rc = household_create(&u.c, in, &out, &e);
	int64_t hid = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	in = json_pack("{s:I, s:s, s:s}", "household_id", (json_int_t)hid, "name", "王贵宝", "phone", "13800138000");
	if (rc == 0)
		rc = person_create(&u.c, in, &out, &e);
	int64_t pid = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	out = NULL;
	if (rc == 0)
		rc = household ? household_get(&u.c, hid, true, &out, &e) : person_get(&u.c, pid, true, &out, &e);
	int ok = rc == 0 && out != NULL;
	json_t *who = household ? json_object_get(json_array_get(json_object_get(out, "members"), 0), "phone")
				: json_object_get(out, "phone");
	ok = ok && json_is_string(who) && strcmp(json_string_value(who), "13800138000") == 0;
	json_decref(out);
	unit_db_close(&u);
	if (!ok)
		return 11;
	return unit_leak_check() ? 12 : 0;
}

static void test_person_reveal_does_not_leak(void **state)
{
	expect_child_ok(child_reveal_leak, false, "person_get(reveal), 12 = leak");
}

static void test_household_reveal_does_not_leak(void **state)
{
	expect_child_ok(child_reveal_leak, true, "household_get(reveal), 12 = leak");
}

/* Bulk registration: validated and access-checked like the create calls,
 * only inside a bulk transaction, no audit row per record, one for the lot. */
static void test_registry_batch(void **state)
{
	struct unit_db *u = *state;
	struct unit_small_tree t = unit_small_tree(u);
	struct registry_batch b = {0};
	struct err e = {0};
	int64_t hid = 0, pid = 0;
	json_t *h = json_pack("{s:I, s:s}", "node_id", (json_int_t)t.g1, "address", "1栋101");
	/* Outside a transaction a batch would write unguarded: refused. */
	assert_int_equal(registry_batch_household(&u->c, &b, h, &hid, &e), ERR_INTERNAL);
	int64_t audits = unit_audit_rows(u);
	assert_int_equal(bulk_begin(&u->c, &e), 0);
	assert_int_equal(registry_batch_household(&u->c, &b, h, &hid, &e), 0);
	json_t *bad = json_pack("{s:I, s:s, s:s}", "node_id", (json_int_t)t.g1, "address", "1栋102", "tenure", "x");
	assert_int_equal(registry_batch_household(&u->c, &b, bad, &pid, &e), ERR_INVALID);
	assert_string_equal(e.field, "tenure");
	json_t *p = json_pack("{s:I, s:s, s:s}", "household_id", (json_int_t)hid, "name", "王贵宝", "id_card",
			      "11010519491231002X");
	assert_int_equal(registry_batch_person(&u->c, &b, p, &pid, &e), 0);
	err_clear(&e);
	assert_int_equal(registry_batch_person(&u->c, &b, p, &pid, &e), ERR_CONFLICT);
	assert_string_equal(e.field, "id_card");
	/* The access checks of the create calls: a viewer may not register. */
	struct actor viewer = {.user_id = 9, .username = "v", .ngrants = 1};
	struct grant g = {.node_id = t.a, .path = unit_path_of(u, t.a), .access = ACC_VIEWER};
	viewer.grants = &g;
	struct ctx vc = u->c;
	vc.who = &viewer;
	json_t *h2 = json_pack("{s:I, s:s}", "node_id", (json_int_t)t.g2, "address", "2栋");
	assert_int_equal(registry_batch_household(&vc, &b, h2, &hid, &e), ERR_FORBIDDEN);
	assert_int_equal(b.households, 1);
	assert_int_equal(b.people, 1);
	assert_int_equal(unit_audit_rows(u), audits);
	json_t *summary = json_pack("{s:s}", "scale", "test");
	assert_int_equal(registry_batch_audit(&u->c, &b, "demo", u->root, summary, &e), 0);
	assert_int_equal(bulk_commit(&u->c, &e), 0);
	assert_int_equal(unit_audit_rows(u), audits + 1);
	assert_string_equal(unit_qs(u, "SELECT after FROM audit WHERE id = (SELECT max(id) FROM audit) AND 1 = ?", 1),
			    "{\"households\":1,\"people\":1,\"scale\":\"test\"}");
	assert_int_equal(unit_qi0(u, "SELECT count(*) FROM residence_history"), 1);
	json_decref(summary);
	json_decref(h);
	json_decref(h2);
	json_decref(bad);
	json_decref(p);
}

/* One resident per place of the kinds asked for, in id order, within reach. */
static void test_registry_place_residents(void **state)
{
	struct unit_db *u = *state;
	struct unit_small_tree t = unit_small_tree(u);
	int64_t c1 = unit_make_node(u, t.g1, "circle", "第一邻");
	int64_t c2 = unit_make_node(u, t.g2, "circle", "第二邻");
	int64_t h = unit_make_household(u, c2, "3栋", "owned");
	int64_t p = unit_make_person(u, h, "李明", NULL, NULL);
	static const char *const kinds[] = {"circle", NULL};
	struct place_resident *r = NULL;
	size_t n = 0;
	struct err e = {0};
	assert_int_equal(registry_place_residents(&u->c, 0, kinds, &r, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].node_id, c1);
	assert_int_equal(r[0].person_id, 0);
	assert_int_equal(r[1].node_id, c2);
	assert_int_equal(r[1].person_id, p);
	assert_int_equal(registry_place_residents(&u->c, t.g2, kinds, &r, &n, &e), 0);
	assert_int_equal(n, 1);
	struct actor nobody = {.user_id = 9, .username = "n"};
	struct ctx nc = u->c;
	nc.who = &nobody;
	assert_int_equal(registry_place_residents(&nc, t.g2, kinds, &r, &n, &e), ERR_FORBIDDEN);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	if (pii_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    /* First, while no earlier failure can have left leaked blocks
	     * behind for the children's LeakSanitizer check to see. */
	    cmocka_unit_test(test_person_reveal_does_not_leak),
	    cmocka_unit_test(test_household_reveal_does_not_leak),
	    UNIT_DB_TEST(test_household_create),
	    UNIT_DB_TEST(test_person_create_derives_from_id_card),
	    UNIT_DB_TEST(test_person_duplicate_id_card),
	    UNIT_DB_TEST(test_person_list_search),
	    cmocka_unit_test(test_person_list_all_filters_at_once),
	    UNIT_DB_TEST(test_person_move_history),
	    UNIT_DB_TEST(test_person_move_back_after_moving_out),
	    cmocka_unit_test(test_person_create_with_null_err),
	    UNIT_DB_TEST(test_registry_batch),
	    UNIT_DB_TEST(test_registry_place_residents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
