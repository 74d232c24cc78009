/*
 * unit_domain.h — the fixture the domain-level unit tests share: a fresh
 * migrated database in a private directory, a personal-data key and an
 * audit key, an arena,
 * the system actor's context (user 0, admin, as the CLI and the clock) and
 * a root street, with the fake clock set; plus one-value queries and the
 * builders of test data (ID-card numbers, nodes, households, people, a
 * small tree) that more than one test program needs.
 *
 * A test uses struct unit_db directly (unit_db_setup and unit_db_teardown,
 * or UNIT_DB_TEST in the test list) or embeds it as the member `u` of its
 * own fixture. Everything here is named unit_* (or j*) so that a test file
 * may keep helpers of its own with the short names.
 * Include after cmocka.h (the helpers assert).
 */
#ifndef LINLI_UNIT_DOMAIN_H
#define LINLI_UNIT_DOMAIN_H

#include <jansson.h>
#include <sodium.h>

#include "base/arena.h"
#include "base/timeutil.h"
#include "domain/core/ctx.h"
#include "domain/core/figures.h"
#include "domain/core/pii.h"
#include "domain/people/registry.h"
#include "domain/places/tree.h"
#include "store/store.h"
#include "unit_helpers.h"

struct unit_db {
	char *dir;
	bool own_dir; /* unit_db_close removes dir */
	char path[4096];
	struct store *db;
	struct arena a;
	unsigned char key[PII_KEY_BYTES];
	unsigned char audit_key[PII_KEY_BYTES];
	struct actor sys;
	struct ctx c;
	int64_t root; /* a street, as `linli init` would create */
};

/* Builds the fixture without cmocka asserts (also used in child processes).
 * dir: an existing directory to use (the caller removes it), or NULL for a
 * fresh one that unit_db_close removes. now: the fake clock's time. */
static inline int unit_db_open(struct unit_db *u, const char *dir, int64_t now)
{
	memset(u, 0, sizeof *u);
	struct err e = {0};
	if (pii_init() != 0)
		return 1;
	u->own_dir = dir == NULL;
	u->dir = dir ? strdup(dir) : unit_tmpdir();
	if (!u->dir)
		return 2;
	snprintf(u->path, sizeof u->path, "%s/linli.db", u->dir);
	if (store_open(u->path, true, &u->db, &e) || store_migrate(u->db, &e)) {
		fprintf(stderr, "unit_db_open: %s\n", e.msg);
		return 3;
	}
	randombytes_buf(u->key, sizeof u->key);
	randombytes_buf(u->audit_key, sizeof u->audit_key);
	arena_init(&u->a);
	u->sys = (struct actor){.user_id = 0, .username = "system", .is_admin = true};
	u->c = (struct ctx){.db = u->db,
			    .a = &u->a,
			    .who = &u->sys,
			    .client = "unit",
			    .pii_key = u->key,
			    .audit_key = u->audit_key,
			    .files_dir = u->dir};
	time_set_fake(now);
	int rc = figures_install(&u->c, &e);
	if (rc == 0)
		rc = store_begin(u->db, &e);
	if (rc == 0)
		rc = tree_create_root(&u->c, "street", "幸福街道", 0, &u->root, &e);
	if (rc == 0)
		rc = store_commit(u->db, &e);
	else
		store_rollback(u->db);
	if (rc) {
		fprintf(stderr, "unit_db_open root: %s\n", e.msg);
		return 4;
	}
	return 0;
}

static inline void unit_db_close(struct unit_db *u)
{
	time_set_fake(0);
	store_close(u->db);
	u->db = NULL;
	arena_free(&u->a);
	if (u->own_dir)
		unit_rmdir(u->dir);
	free(u->dir);
	u->dir = NULL;
}

/* First column of the first row as an integer; the query must succeed. */
static inline int64_t unit_qi(struct unit_db *u, const char *sql, int64_t arg)
{
	int64_t n = -999;
	struct err e = {0};
	int rc = store_int(u->db, &e, &n, sql, "i", arg);
	if (rc)
		print_error("qi(%s): %s\n", sql, e.msg);
	assert_int_equal(rc, 0);
	return n;
}

/* First column of the first row as text (arena copy), NULL for SQL NULL. */
static inline const char *unit_qs(struct unit_db *u, const char *sql, int64_t arg)
{
	struct store_stmt *st;
	struct err e = {0};
	assert_int_equal(store_prepare(u->db, sql, &st, &e), 0);
	store_bind(st, "i", arg);
	assert_int_equal(store_step(st, &e), STORE_ROW);
	const char *t = store_col_text(st, 0);
	const char *r = t ? arena_strdup(&u->a, t) : NULL;
	store_done(st);
	return r;
}

static inline int64_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static inline const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The clock the domain tests run at: 2024-06-15 12:00:00 UTC. */
static inline int64_t unit_t0(void)
{
	return unit_utc(2024, 6, 15, 12, 0, 0);
}

/* cmocka setup and teardown: *state is a struct unit_db opened at unit_t0(). */
static inline int unit_db_setup(void **state)
{
	struct unit_db *u = calloc(1, sizeof *u);
	if (!u || unit_db_open(u, NULL, unit_t0()) != 0) {
		free(u);
		return -1;
	}
	*state = u;
	return 0;
}

static inline int unit_db_teardown(void **state)
{
	struct unit_db *u = *state;
	if (u) {
		unit_db_close(u);
		free(u);
	}
	return 0;
}

/* A test over a fresh database (unit_db_setup, unit_db_teardown). */
#define UNIT_DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, unit_db_setup, unit_db_teardown)

/* First column of the first row as an integer, for a query without binds. */
static inline int64_t unit_qi0(struct unit_db *u, const char *sql)
{
	int64_t n = -999;
	struct err e = {0};
	int rc = store_int(u->db, &e, &n, sql, "");
	if (rc)
		print_error("qi0(%s): %s\n", sql, e.msg);
	assert_int_equal(rc, 0);
	return n;
}

static inline int64_t unit_audit_rows(struct unit_db *u)
{
	return unit_qi0(u, "SELECT count(*) FROM audit");
}

/* A node's materialised path ("/1/5/"), in the arena. */
static inline const char *unit_path_of(struct unit_db *u, int64_t node)
{
	const char *p = NULL;
	struct err e = {0};
	assert_int_equal(tree_path(&u->c, node, &p, &e), 0);
	return p;
}

/* An 18-digit ID-card number: region (6) + birth YYYYMMDD (8) + sequence
 * (3, odd last digit = male) + the GB 11643 check character. */
static inline void unit_make_id(char out[19], const char *region, const char *birth, const char *seq)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	snprintf(out, 19, "%.6s%.8s%.3s", region, birth, seq);
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = check[sum % 11];
	out[18] = 0;
}

/* unit repeated n times, in the arena (which zeroes, so it ends in NUL). */
static inline char *unit_repeat(struct arena *a, const char *unit, int n)
{
	size_t len = strlen(unit);
	char *s = arena_alloc(a, len * (size_t)n + 1);
	for (int i = 0; i < n; i++)
		memcpy(s + len * (size_t)i, unit, len);
	return s;
}

/* tree_create under parent; *id (may be NULL) gets the new node's id. */
static inline int unit_try_node(struct unit_db *u, int64_t parent, const char *kind, const char *name, int64_t *id,
				struct err *e)
{
	json_t *in = json_pack("{s:I, s:s, s:s}", "parent_id", (json_int_t)parent, "kind", kind, "name", name);
	json_t *out = NULL;
	int rc = tree_create(&u->c, in, &out, e);
	json_decref(in);
	if (rc == 0 && id)
		*id = jint(out, "id");
	json_decref(out);
	return rc;
}

/* Like unit_try_node, asserting success; returns the id. */
static inline int64_t unit_make_node(struct unit_db *u, int64_t parent, const char *kind, const char *name)
{
	struct err e = {0};
	int64_t id = 0;
	int rc = unit_try_node(u, parent, kind, name, &id, &e);
	if (rc)
		print_error("tree_create %s: %s (%s)\n", name, e.msg, e.field);
	assert_int_equal(rc, 0);
	assert_true(id > 0);
	return id;
}

static inline int64_t unit_make_household(struct unit_db *u, int64_t node, const char *address, const char *tenure)
{
	json_t *in = json_pack("{s:I, s:s, s:s}", "node_id", (json_int_t)node, "address", address, "tenure", tenure);
	json_t *out = NULL;
	struct err e = {0};
	int rc = household_create(&u->c, in, &out, &e);
	json_decref(in);
	if (rc)
		print_error("household_create: %s (%s)\n", e.msg, e.field);
	assert_int_equal(rc, 0);
	int64_t id = jint(out, "id");
	json_decref(out);
	assert_true(id > 0);
	return id;
}

/* Creates a person; extra (borrowed, may be NULL) is merged into the input. */
static inline int unit_try_person(struct unit_db *u, int64_t hid, const char *name, const char *id_card, json_t *extra,
				  json_t **out, struct err *e)
{
	json_t *in = json_pack("{s:I, s:s}", "household_id", (json_int_t)hid, "name", name);
	if (id_card)
		json_object_set_new(in, "id_card", json_string(id_card));
	if (extra)
		json_object_update(in, extra);
	int rc = person_create(&u->c, in, out, e);
	json_decref(in);
	return rc;
}

/* Like unit_try_person, asserting success; extra is stolen (json_pack
 * inline). Returns the id. */
static inline int64_t unit_make_person(struct unit_db *u, int64_t hid, const char *name, const char *id_card,
				       json_t *extra)
{
	json_t *out = NULL;
	struct err e = {0};
	int rc = unit_try_person(u, hid, name, id_card, extra, &out, &e);
	json_decref(extra);
	if (rc)
		print_error("person_create %s: %s (%s)\n", name, e.msg, e.field);
	assert_int_equal(rc, 0);
	int64_t id = jint(out, "id");
	json_decref(out);
	assert_true(id > 0);
	return id;
}

/* Runs person_list and returns the names found, comma-joined, in the arena. */
static inline const char *unit_list_names(struct unit_db *u, const struct person_filter *f)
{
	json_t *arr = NULL;
	struct err e = {0};
	struct person_filter copy = *f;
	int rc = person_list(&u->c, &copy, &arr, &e);
	if (rc)
		print_error("person_list: %s\n", e.msg);
	assert_int_equal(rc, 0);
	char buf[1024] = "";
	size_t i;
	json_t *p;
	json_array_foreach (arr, i, p) {
		if (i)
			strcat(buf, ",");
		strcat(buf, jstr(p, "name"));
	}
	json_decref(arr);
	return arena_strdup(&u->a, buf);
}

/* The root street > community C > area A > groups G1 and G2. */
struct unit_small_tree {
	int64_t c, a, g1, g2;
};

static inline struct unit_small_tree unit_small_tree(struct unit_db *u)
{
	struct unit_small_tree t;
	t.c = unit_make_node(u, u->root, "community", "幸福社区");
	t.a = unit_make_node(u, t.c, "area", "东片区");
	t.g1 = unit_make_node(u, t.a, "group", "第一组");
	t.g2 = unit_make_node(u, t.a, "group", "第二组");
	return t;
}

#endif
