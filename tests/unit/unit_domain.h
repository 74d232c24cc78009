/*
 * unit_domain.h — the fixture the domain-level unit tests share: a fresh
 * migrated database in a private directory, a personal-data key, an arena,
 * the system actor's context (user 0, admin, as the CLI and the clock) and
 * a root street, with the fake clock set; plus one-value queries.
 *
 * A test file embeds struct unit_db as the member `u` of its own fixture.
 * Include after cmocka.h (the query helpers assert).
 */
#ifndef LINLI_UNIT_DOMAIN_H
#define LINLI_UNIT_DOMAIN_H

#include <jansson.h>
#include <sodium.h>

#include "base/arena.h"
#include "base/timeutil.h"
#include "domain/core/ctx.h"
#include "domain/core/pii.h"
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
	arena_init(&u->a);
	u->sys = (struct actor){.user_id = 0, .username = "system", .is_admin = true};
	u->c = (struct ctx){
	    .db = u->db, .a = &u->a, .who = &u->sys, .client = "unit", .pii_key = u->key, .files_dir = u->dir};
	time_set_fake(now);
	int rc = store_begin(u->db, &e);
	if (rc == 0)
		rc = tree_create_root(&u->c, "street", "幸福街道", &u->root, &e);
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

#endif
