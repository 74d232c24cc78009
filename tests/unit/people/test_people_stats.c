/*
 * test_people_stats.c — unit tests for src/domain/people/stats.c, the
 * statistics of a subtree: the totals and per-child figures of residents,
 * households, age groups, roles and organisations; figures that follow
 * changes to the registry, the tree and the date; the population pyramid.
 * Each test runs over a fresh migrated SQLite database as the system actor.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "domain/core/ctx.h"
#include "domain/core/pii.h"
#include "domain/people/registry.h"
#include "domain/people/stats.h"
#include "domain/places/tree.h"
#include "domain/roles/roles.h"
#include "store/store.h"
#include "unit_domain.h"

static int64_t metric(json_t *o, const char *name)
{
	json_t *m = json_object_get(o, name);
	if (!json_is_integer(m))
		print_error("metric %s missing\n", name);
	assert_true(json_is_integer(m));
	return json_integer_value(m);
}

struct stats_tree {
	int64_t c, a1, a2, g1, h4;
};

/* S > C > {A1 > G1, A2}; households H1 (G1), H2 (A1, rented), H3 (A2,
 * rented), H4 (C itself, empty). Today is 2024-06-15. */
static struct stats_tree build_stats_tree(struct unit_db *u)
{
	struct stats_tree t;
	struct err e = {0};
	t.c = unit_make_node(u, u->root, "community", "幸福社区");
	t.a1 = unit_make_node(u, t.c, "area", "东片区");
	t.a2 = unit_make_node(u, t.c, "area", "西片区");
	t.g1 = unit_make_node(u, t.a1, "group", "第一组");
	int64_t h1 = unit_make_household(u, t.g1, "1栋", "owned");
	int64_t h2 = unit_make_household(u, t.a1, "2栋", "rented");
	int64_t h3 = unit_make_household(u, t.a2, "3栋", "rented");
	t.h4 = unit_make_household(u, t.c, "社区公房", "owned");
	char id[19];
	unit_make_id(id, "430302", "19900101", "011"); /* M, 34 */
	int64_t p1 = unit_make_person(u, h1, "甲", id,
				      json_pack("{s:s, s:[s]}", "political_status", "party_member", "tags", "低保"));
	unit_make_id(id, "430302", "20100601", "022"); /* F, 14 */
	unit_make_person(u, h1, "乙", id, json_pack("{s:s}", "residence", "floating"));
	unit_make_id(id, "430302", "19600101", "032"); /* F, 64 */
	int64_t p3 = unit_make_person(u, h2, "丙", id, NULL);
	unit_make_id(id, "430302", "19640616", "041"); /* M, 59: 60 tomorrow */
	unit_make_person(u, h2, "丁", id, NULL);
	unit_make_id(id, "430302", "19640615", "052"); /* F, 60 today */
	unit_make_person(u, h2, "戊", id, json_pack("{s:s}", "political_status", "probationary_member"));
	unit_make_id(id, "430302", "19400505", "061"); /* M, 84 */
	unit_make_person(u, h3, "己", id, json_pack("{s:[s]}", "tags", "独居老人"));
	unit_make_id(id, "430302", "20000101", "072"); /* F, moved out: not counted */
	int64_t p7 = unit_make_person(u, h3, "庚", id, json_pack("{s:[s]}", "tags", "低保"));
	json_t *out = NULL;
	assert_int_equal(person_move(&u->c, p7, 0, "2024-06-15", NULL, NULL, &out, &e), 0);
	json_decref(out);
	/* One organisation at A2; a current role at A1; a finished one. */
	json_t *in = json_pack("{s:I, s:s, s:s}", "node_id", (json_int_t)t.a2, "kind", "property", "name", "安居物业");
	assert_int_equal(orgs_create(&u->c, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
	in = json_pack("{s:I, s:I, s:s, s:s}", "node_id", (json_int_t)t.a1, "person_id", (json_int_t)p1, "role",
		       "grid_worker", "start_date", "2024-01-01");
	assert_int_equal(roles_create(&u->c, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
	in = json_pack("{s:I, s:I, s:s, s:s, s:s}", "node_id", (json_int_t)t.g1, "person_id", (json_int_t)p3, "role",
		       "group_head", "start_date", "2020-01-01", "end_date", "2023-12-31");
	assert_int_equal(roles_create(&u->c, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
	return t;
}

static void expect_metrics(json_t *m, const int64_t want[14])
{
	static const char *names[14] = {
	    "residents", "households", "floating",  "rented_households", "party_members", "male",         "female",
	    "age_0_17",  "age_18_34",  "age_35_59", "age_60_79",         "age_80_plus",   "role_holders", "orgs"};
	for (int i = 0; i < 14; i++) {
		int64_t got = metric(m, names[i]);
		if (got != want[i])
			print_error("%s: got %lld, want %lld\n", names[i], (long long)got, (long long)want[i]);
		assert_int_equal(got, want[i]);
	}
}

static json_t *child_by_id(json_t *stats, int64_t id)
{
	size_t i;
	json_t *k;
	json_array_foreach (json_object_get(stats, "children"), i, k) {
		if (jint(k, "id") == id)
			return k;
	}
	return NULL;
}

static void test_stats_node_totals(void **state)
{
	struct unit_db *u = *state;
	struct stats_tree t = build_stats_tree(u);
	struct err e = {0};
	json_t *s = NULL;
	assert_int_equal(stats_node(&u->c, t.c, &s, &e), 0);
	/* residents households floating rented party male female
	 * 0-17 18-34 35-59 60-79 80+ role_holders orgs */
	static const int64_t total[14] = {6, 4, 1, 2, 2, 3, 3, 1, 1, 1, 2, 1, 1, 1};
	static const int64_t a1[14] = {5, 2, 1, 1, 2, 2, 3, 1, 1, 1, 2, 0, 1, 0};
	static const int64_t a2[14] = {1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1};
	json_t *tot = json_object_get(s, "totals");
	expect_metrics(tot, total);
	assert_int_equal(json_object_size(json_object_get(tot, "roles")), 1);
	assert_int_equal(jint(json_object_get(tot, "roles"), "grid_worker"), 1);
	json_t *tags = json_object_get(tot, "tags");
	assert_int_equal(json_object_size(tags), 2);
	assert_int_equal(jint(tags, "低保"), 1);
	assert_int_equal(jint(tags, "独居老人"), 1);
	assert_int_equal(json_array_size(json_object_get(s, "children")), 2);
	assert_non_null(child_by_id(s, t.a1));
	assert_non_null(child_by_id(s, t.a2));
	expect_metrics(child_by_id(s, t.a1), a1);
	expect_metrics(child_by_id(s, t.a2), a2);
	assert_string_equal(jstr(child_by_id(s, t.a1), "name"), "东片区");
	assert_int_equal(jint(json_object_get(s, "node"), "id"), t.c);
	json_decref(s);

	/* One level up: the community is the only child, with the same numbers. */
	assert_int_equal(stats_node(&u->c, u->root, &s, &e), 0);
	expect_metrics(json_object_get(s, "totals"), total);
	assert_int_equal(json_array_size(json_object_get(s, "children")), 1);
	expect_metrics(child_by_id(s, t.c), total);
	json_decref(s);

	/* A leaf. */
	assert_int_equal(stats_node(&u->c, t.g1, &s, &e), 0);
	static const int64_t g1[14] = {2, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0};
	expect_metrics(json_object_get(s, "totals"), g1);
	assert_int_equal(json_array_size(json_object_get(s, "children")), 0);
	json_decref(s);

	/* Needs viewer access; unknown node. */
	struct actor nobody = {.user_id = 77, .username = "nobody"};
	struct ctx nc = u->c;
	nc.who = &nobody;
	assert_int_equal(stats_node(&nc, t.c, &s, &e), ERR_FORBIDDEN);
	assert_int_equal(stats_node(&u->c, 99999, &s, &e), ERR_NOT_FOUND);
}

/* Whatever is cached, a change to the registry shows at once, and so does
 * the passing of a birthday. */
static void test_stats_follow_changes(void **state)
{
	struct unit_db *u = *state;
	struct stats_tree t = build_stats_tree(u);
	struct err e = {0};
	json_t *s = NULL;
	assert_int_equal(stats_node(&u->c, t.c, &s, &e), 0);
	assert_int_equal(metric(json_object_get(s, "totals"), "residents"), 6);
	json_decref(s);
	/* Same answer twice. */
	assert_int_equal(stats_node(&u->c, t.c, &s, &e), 0);
	assert_int_equal(metric(json_object_get(s, "totals"), "residents"), 6);
	json_decref(s);

	/* A new resident in the community's own household. */
	char id[19];
	unit_make_id(id, "430302", "19990101", "081");
	unit_make_person(u, t.h4, "辛", id, NULL);
	assert_int_equal(stats_node(&u->c, t.c, &s, &e), 0);
	assert_int_equal(metric(json_object_get(s, "totals"), "residents"), 7);
	assert_int_equal(metric(json_object_get(s, "totals"), "male"), 4);
	assert_int_equal(metric(child_by_id(s, t.a1), "residents"), 5);
	assert_int_equal(metric(child_by_id(s, t.a2), "residents"), 1);
	json_decref(s);
	/* The parent's picture changed too. */
	assert_int_equal(stats_node(&u->c, u->root, &s, &e), 0);
	assert_int_equal(metric(json_object_get(s, "totals"), "residents"), 7);
	json_decref(s);

	/* Moving a subtree moves its numbers. */
	json_t *out = NULL;
	assert_int_equal(tree_move(&u->c, t.g1, t.a2, &out, &e), 0);
	json_decref(out);
	assert_int_equal(stats_node(&u->c, t.c, &s, &e), 0);
	assert_int_equal(metric(child_by_id(s, t.a1), "residents"), 3);
	assert_int_equal(metric(child_by_id(s, t.a2), "residents"), 3);
	json_decref(s);

	/* Tomorrow 丁 turns 60: the age buckets follow the date. */
	time_set_fake(unit_t0() + 24 * 3600);
	assert_int_equal(stats_node(&u->c, t.c, &s, &e), 0);
	assert_int_equal(metric(json_object_get(s, "totals"), "age_35_59"), 0);
	assert_int_equal(metric(json_object_get(s, "totals"), "age_60_79"), 3);
	json_decref(s);
	time_set_fake(unit_t0());
}

/* Checks pyramid band b (0 for 0-9 ... 8 for 80+; 9 for no birth date). */
static void expect_band(json_t *stats, int b, int64_t male, int64_t female, int64_t unknown)
{
	json_t *pyr = json_object_get(json_object_get(stats, "totals"), "pyramid");
	json_t *o =
	    b < 9 ? json_array_get(json_object_get(pyr, "bands"), (size_t)b) : json_object_get(pyr, "no_birth_date");
	assert_non_null(o);
	if (metric(o, "male") != male || metric(o, "female") != female || metric(o, "unknown") != unknown)
		print_error("band %d: got %lld/%lld/%lld, want %lld/%lld/%lld\n", b, (long long)metric(o, "male"),
			    (long long)metric(o, "female"), (long long)metric(o, "unknown"), (long long)male,
			    (long long)female, (long long)unknown);
	assert_int_equal(metric(o, "male"), male);
	assert_int_equal(metric(o, "female"), female);
	assert_int_equal(metric(o, "unknown"), unknown);
}

/* The population pyramid: active residents of the subtree by 10-year age
 * band and gender, ages on today's date, following changes. */
static void test_stats_pyramid(void **state)
{
	struct unit_db *u = *state;
	struct stats_tree t = build_stats_tree(u);
	struct err e = {0};
	json_t *s = NULL;
	assert_int_equal(stats_node(&u->c, t.c, &s, &e), 0);
	json_t *bands = json_object_get(json_object_get(json_object_get(s, "totals"), "pyramid"), "bands");
	assert_int_equal(json_array_size(bands), 9);
	assert_string_equal(jstr(json_array_get(bands, 0), "band"), "0-9");
	assert_int_equal(jint(json_array_get(bands, 0), "age_min"), 0);
	assert_int_equal(jint(json_array_get(bands, 0), "age_max"), 9);
	assert_string_equal(jstr(json_array_get(bands, 7), "band"), "70-79");
	assert_string_equal(jstr(json_array_get(bands, 8), "band"), "80+");
	assert_int_equal(jint(json_array_get(bands, 8), "age_min"), 80);
	assert_true(json_is_null(json_object_get(json_array_get(bands, 8), "age_max")));
	/* 乙 F 14; 甲 M 34; 丁 M 59; 丙 F 64 and 戊 F 60 today; 己 M 84. 庚
	 * moved out and is not counted. */
	expect_band(s, 0, 0, 0, 0);
	expect_band(s, 1, 0, 1, 0);
	expect_band(s, 2, 0, 0, 0);
	expect_band(s, 3, 1, 0, 0);
	expect_band(s, 4, 0, 0, 0);
	expect_band(s, 5, 1, 0, 0);
	expect_band(s, 6, 0, 2, 0);
	expect_band(s, 7, 0, 0, 0);
	expect_band(s, 8, 1, 0, 0);
	expect_band(s, 9, 0, 0, 0);
	json_decref(s);

	/* Without gender, without a birth date, or neither; and a newborn. */
	unit_make_person(u, t.h4, "子", NULL, json_pack("{s:s}", "birth_date", "1944-06-15")); /* 80 today */
	unit_make_person(u, t.h4, "丑", NULL, json_pack("{s:s}", "gender", "F"));
	unit_make_person(u, t.h4, "寅", NULL, NULL);
	unit_make_person(u, t.h4, "卯", NULL, json_pack("{s:s, s:s}", "gender", "M", "birth_date", "2024-06-01"));
	assert_int_equal(stats_node(&u->c, t.c, &s, &e), 0);
	expect_band(s, 0, 1, 0, 0);
	expect_band(s, 8, 1, 0, 1);
	expect_band(s, 9, 0, 1, 1);
	/* Every active resident is somewhere in the pyramid. */
	int64_t sum = 0;
	for (int b = 0; b <= 9; b++) {
		json_t *pyr = json_object_get(json_object_get(s, "totals"), "pyramid");
		json_t *o = b < 9 ? json_array_get(json_object_get(pyr, "bands"), (size_t)b)
				  : json_object_get(pyr, "no_birth_date");
		sum += metric(o, "male") + metric(o, "female") + metric(o, "unknown");
	}
	assert_int_equal(sum, metric(json_object_get(s, "totals"), "residents"));
	assert_int_equal(sum, 10);
	json_decref(s);

	/* A subtree counts only its own people: 西片区 has 己 alone. */
	assert_int_equal(stats_node(&u->c, t.a2, &s, &e), 0);
	for (int b = 0; b < 8; b++)
		expect_band(s, b, 0, 0, 0);
	expect_band(s, 8, 1, 0, 0);
	json_decref(s);

	/* Tomorrow 丁 turns 60 and moves up a band. */
	time_set_fake(unit_t0() + 24 * 3600);
	assert_int_equal(stats_node(&u->c, t.c, &s, &e), 0);
	expect_band(s, 5, 0, 0, 0);
	expect_band(s, 6, 1, 2, 0);
	json_decref(s);
	time_set_fake(unit_t0());
}

/* People born on every day around the age boundaries of several dates
 * (a leap day among them), counted by the figures and by a scan of the
 * rows with the definition's own comparison: equal on every date. */
static void test_stats_boundaries_by_date(void **state)
{
	struct unit_db *u = *state;
	struct err e = {0};
	int64_t c = unit_make_node(u, u->root, "community", "边界社区");
	int64_t a = unit_make_node(u, c, "area", "边界片区");
	int64_t h = unit_make_household(u, a, "边界1栋", "owned");
	static const char *const days[] = {"0101", "0131", "0201", "0228", "0229", "0301", "0614",
					   "0615", "0616", "0630", "0701", "1130", "1201", "1231"};
	static const int ages[] = {10, 18, 20, 35, 60, 80};
	int seq = 100;
	for (size_t i = 0; i < sizeof ages / sizeof *ages; i++)
		for (int dy = -1; dy <= 1; dy++)
			for (size_t d = 0; d < sizeof days / sizeof *days; d++) {
				char birth[9], id[19], seqs[4];
				int year = 2024 - ages[i] + dy;
				if (!strcmp(days[d], "0229") && year % 4 != 0)
					continue;
				snprintf(birth, sizeof birth, "%04d%s", year, days[d]);
				snprintf(seqs, sizeof seqs, "%03d", seq++ % 1000);
				unit_make_id(id, "430302", birth, seqs);
				unit_make_person(u, h, "界", id, NULL);
			}
	static const char *const now[] = {"2024-02-29T08:00:00Z", "2024-03-01T00:00:00Z", "2024-12-31T23:00:00Z",
					  "2025-01-01T00:00:00Z", "2024-06-15T12:00:00Z", "2025-02-28T12:00:00Z"};
	static const char *names[] = {"age_0_17", "age_18_34", "age_35_59", "age_60_79", "age_80_plus"};
	for (size_t t = 0; t < sizeof now / sizeof *now; t++) {
		time_set_fake(time_parse_iso(now[t]));
		char cut[4][11];
		int64_t at = time_now();
		static const int bounds[] = {18, 35, 60, 80};
		for (int k = 0; k < 4; k++)
			snprintf(cut[k], sizeof cut[k], "%04d%.6s", time_year(at) - bounds[k], now[t] + 4);
		int64_t want[5];
		const char *sql[] = {
		    "SELECT count(*) FROM people WHERE node_id = ? AND status = 'active' AND birth_date > ?",
		    "SELECT count(*) FROM people WHERE node_id = ? AND status = 'active' AND birth_date <= ? "
		    "AND birth_date > ?"};
		assert_int_equal(store_int(u->db, &e, &want[0], sql[0], "it", a, cut[0]), 0);
		for (int k = 0; k < 3; k++)
			assert_int_equal(store_int(u->db, &e, &want[k + 1], sql[1], "itt", a, cut[k], cut[k + 1]), 0);
		assert_int_equal(store_int(u->db, &e, &want[4],
					   "SELECT count(*) FROM people WHERE node_id = ? AND status = 'active' AND "
					   "birth_date <= ?",
					   "it", a, cut[3]),
				 0);
		const int64_t nodes[] = {a, c};
		for (int n = 0; n < 2; n++) {
			int64_t node = nodes[n];
			json_t *s = NULL;
			assert_int_equal(stats_node(&u->c, node, &s, &e), 0);
			json_t *tot = json_object_get(s, "totals");
			for (int k = 0; k < 5; k++) {
				if (metric(tot, names[k]) != want[k])
					print_error("%s at %s: %lld, want %lld\n", names[k], now[t],
						    (long long)metric(tot, names[k]), (long long)want[k]);
				assert_int_equal(metric(tot, names[k]), want[k]);
			}
			json_t *kid = child_by_id(s, a);
			if (kid)
				for (int k = 0; k < 5; k++)
					assert_int_equal(metric(kid, names[k]), want[k]);
			json_decref(s);
		}
	}
	time_set_fake(unit_t0());
}

int main(void)
{
	log_set_level(LOG_ERROR);
	if (pii_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    UNIT_DB_TEST(test_stats_node_totals),
	    UNIT_DB_TEST(test_stats_follow_changes),
	    UNIT_DB_TEST(test_stats_pyramid),
	    UNIT_DB_TEST(test_stats_boundaries_by_date),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
