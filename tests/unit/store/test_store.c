/*
 * test_store.c — unit tests for the SQLite backend of store.h: opening and
 * migrating a temporary database file, constraint-to-error mapping,
 * binding, the statement cache, nested transactions (savepoints), online
 * backup, the integrity check and the whole-database copy (its table list
 * and order read from the schema).
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
#include "base/err.h"
#include "base/log.h"
#include "store/store.h"
#include "store/store_copy.h"
#include "unit_helpers.h"

struct fx {
	char *dir;
	char path[4096];
	struct store *s;
};

/* A fresh, migrated database in a private temporary directory. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	f->dir = unit_tmpdir();
	if (!f->dir)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/test.db", f->dir);
	struct err e = {0};
	if (store_open(f->path, true, &f->s, &e) != 0 || store_migrate(f->s, &e) != 0) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (!f)
		return 0;
	store_close(f->s);
	unit_rmdir(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* The highest migration number embedded in the binary. */
static int embedded_schema_version(void)
{
	int max = 0;
	for (size_t i = 0; i < embedded_count; i++) {
		const char *p = embedded_files[i].path;
		if (strncmp(p, "src/store/migrations/", 21) != 0)
			continue;
		int v = atoi(p + 21);
		if (v > max)
			max = v;
	}
	return max;
}

static int64_t count(struct store *s, const char *sql)
{
	int64_t n = -1;
	struct err e = {0};
	int rc = store_int(s, &e, &n, sql, "");
	if (rc != 0)
		fprintf(stderr, "count(%s): %s\n", sql, e.msg);
	assert_int_equal(rc, 0);
	return n;
}

static bool table_exists(struct store *s, const char *name)
{
	int64_t n = 0;
	assert_int_equal(
	    store_int(s, NULL, &n, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", "t", name),
	    0);
	return n == 1;
}

/* A node row with everything NOT NULL filled in; returns the store_run status. */
static int insert_node(struct store *s, struct err *e, int64_t id, int64_t parent, const char *path, const char *name)
{
	const char *sql = "INSERT INTO nodes (id, parent_id, kind, name, path, depth, created_at, updated_at) "
			  "VALUES (?, ?, 'street', ?, ?, 0, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')";
	if (parent)
		return store_run(s, e, sql, "iitt", id, parent, name, path);
	return store_run(s, e, sql, "intt", id, name, path);
}

/* ---------------------------------------------------------------- open */

static void test_open_create_and_migrate(void **state)
{
	char *dir = unit_tmpdir();
	assert_non_null(dir);
	char path[4096];
	snprintf(path, sizeof path, "%s/new.db", dir);
	struct store *s = NULL;
	struct err e = {0};

	/* Without create, a missing file is an I/O error and is not created. */
	assert_int_equal(store_open(path, false, &s, &e), ERR_IO);
	assert_int_equal(e.code, ERR_IO);
	assert_null(s);
	assert_false(unit_file_exists(path));

	/* "sqlite:" prefix, create. */
	char url[4200];
	snprintf(url, sizeof url, "sqlite:%s", path);
	assert_int_equal(store_open(url, true, &s, &e), 0);
	assert_non_null(s);
	assert_true(unit_file_exists(path));
	assert_int_equal(store_schema_version(s), 0);
	assert_false(table_exists(s, "nodes"));

	int want = embedded_schema_version();
	assert_true(want > 0);
	assert_int_equal(store_migrate(s, &e), 0);
	assert_int_equal(store_schema_version(s), want);
	assert_true(table_exists(s, "nodes"));
	assert_true(table_exists(s, "people"));
	assert_true(table_exists(s, "households"));
	assert_true(table_exists(s, "audit"));
	int64_t kinds = count(s, "SELECT count(*) FROM node_kinds");
	assert_true(kinds > 0);
	assert_false(store_in_txn(s));

	/* Connection settings promised by store.h. */
	assert_int_equal(count(s, "PRAGMA foreign_keys"), 1);
	struct store_stmt *st;
	assert_int_equal(store_prepare(s, "PRAGMA journal_mode", &st, &e), 0);
	assert_int_equal(store_step(st, &e), STORE_ROW);
	assert_string_equal(store_col_text(st, 0), "wal");
	store_done(st);
	assert_int_equal(count(s, "PRAGMA synchronous"), 2); /* FULL */

	/* Migrating again is a no-op (the defaults are not inserted twice). */
	assert_int_equal(store_migrate(s, &e), 0);
	assert_int_equal(store_schema_version(s), want);
	assert_int_equal(count(s, "SELECT count(*) FROM node_kinds"), kinds);
	store_close(s);

	/* Reopening without create sees the migrated schema. */
	s = NULL;
	assert_int_equal(store_open(path, false, &s, &e), 0);
	assert_int_equal(store_schema_version(s), want);
	store_close(s);

	/* A PostgreSQL server that is not there: unavailable (503), no store. */
	s = NULL;
	assert_true(store_url_is_postgres("postgresql://127.0.0.1:1/linli"));
	assert_null(store_url_file("postgres://127.0.0.1:1/linli"));
	assert_string_equal(store_url_file("sqlite:/tmp/x.db"), "/tmp/x.db");
	assert_int_equal(store_open("postgres://nobody@127.0.0.1:1/linli?connect_timeout=2", true, &s, &e),
			 ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "PostgreSQL"));
	assert_null(s);
	store_close(NULL);

	unit_rmdir(dir);
	free(dir);
}

/* ---------------------------------------------------------- constraints */

static void test_foreign_key_violation_is_invalid(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	assert_int_equal(insert_node(f->s, &e, 1, 0, "/1/", "root"), 0);
	assert_int_equal(insert_node(f->s, &e, 2, 1, "/1/2/", "child"), 0);
	/* Parent 999 does not exist. */
	err_clear(&e);
	assert_int_equal(insert_node(f->s, &e, 3, 999, "/999/3/", "orphan"), ERR_INVALID);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(count(f->s, "SELECT count(*) FROM nodes"), 2);
	/* An unknown kind is a foreign-key violation too. */
	err_clear(&e);
	assert_int_equal(store_run(f->s, &e,
				   "INSERT INTO nodes (kind, name, path, depth, created_at, updated_at) "
				   "VALUES ('no_such_kind', 'x', '/x/', 0, 'a', 'b')",
				   ""),
			 ERR_INVALID);
	/* Deleting a referenced parent is refused. */
	assert_int_equal(store_run(f->s, &e, "DELETE FROM nodes WHERE id = 1", ""), ERR_INVALID);
	assert_int_equal(count(f->s, "SELECT count(*) FROM nodes"), 2);
}

static void test_unique_violation_is_conflict(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	assert_int_equal(insert_node(f->s, &e, 1, 0, "/1/", "root"), 0);
	/* Same path (UNIQUE). */
	assert_int_equal(insert_node(f->s, &e, 2, 0, "/1/", "again"), ERR_CONFLICT);
	assert_int_equal(e.code, ERR_CONFLICT);
	/* Same primary key. */
	err_clear(&e);
	assert_int_equal(insert_node(f->s, &e, 1, 0, "/other/", "dup id"), ERR_CONFLICT);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_int_equal(count(f->s, "SELECT count(*) FROM nodes"), 1);
}

static void test_check_violation_is_invalid(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	/* name must be 1..100 characters. */
	assert_int_equal(insert_node(f->s, &e, 1, 0, "/1/", ""), ERR_INVALID);
	assert_int_equal(e.code, ERR_INVALID);
	/* 100 Chinese characters are fine: length() counts characters. */
	char name[400] = "";
	for (int i = 0; i < 100; i++)
		strcat(name, "王");
	assert_int_equal(insert_node(f->s, &e, 1, 0, "/1/", name), 0);
	strcat(name, "王");
	assert_int_equal(insert_node(f->s, &e, 2, 0, "/2/", name), ERR_INVALID);
	/* Enumerated column. */
	err_clear(&e);
	assert_int_equal(
	    store_run(f->s, &e,
		      "INSERT INTO households (node_id, node_path, address, tenure, created_at, updated_at) "
		      "VALUES (1, '/1/', 'addr', 'stolen', 'a', 'b')",
		      ""),
	    ERR_INVALID);
	assert_int_equal(e.code, ERR_INVALID);
	/* NOT NULL. */
	assert_int_equal(store_run(f->s, &e,
				   "INSERT INTO households (node_id, node_path, address, created_at, updated_at) "
				   "VALUES (1, '/1/', NULL, 'a', 'b')",
				   ""),
			 ERR_INVALID);
	assert_int_equal(count(f->s, "SELECT count(*) FROM households"), 0);
}

/* ---------------------------------------------------------------- bind */

static void test_bind_formats(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	assert_int_equal(store_exec(f->s, "CREATE TABLE t (i INTEGER, s TEXT, b BLOB, d REAL, n TEXT)", &e), 0);
	struct store_stmt *st;
	assert_int_equal(store_prepare(f->s, "INSERT INTO t VALUES (?, ?, ?, ?, ?)", &st, &e), 0);
	const unsigned char blob[] = {0x00, 0xFF, 0x10, 0x00, 0x7F};
	int64_t big = ((int64_t)1 << 40) + 7;
	assert_int_equal(store_bind(st, "itbdn", big, "王贵宝", blob, sizeof blob, 3.25), 0);
	assert_int_equal(store_step(st, &e), STORE_DONE);
	store_done(st);
	int64_t first = store_last_id(f->s);
	assert_int_equal(store_changes(f->s), 1);

	/* NULL pointers for t and b bind SQL NULL; negative ints survive. */
	assert_int_equal(store_prepare(f->s, "INSERT INTO t VALUES (?, ?, ?, ?, ?)", &st, &e), 0);
	assert_int_equal(
	    store_bind(st, "itbdt", (int64_t)-5, (const char *)NULL, (const void *)NULL, (size_t)0, -0.5, "x"), 0);
	assert_int_equal(store_step(st, &e), STORE_DONE);
	store_done(st);
	assert_int_equal(store_last_id(f->s), first + 1);

	/* store_bind_at, out of order. */
	assert_int_equal(store_prepare(f->s, "INSERT INTO t VALUES (?, ?, ?, ?, ?)", &st, &e), 0);
	assert_int_equal(store_bind_at(st, 5, 't', "five"), 0);
	assert_int_equal(store_bind_at(st, 1, 'i', (int64_t)1), 0);
	assert_int_equal(store_bind_at(st, 4, 'd', 1e10), 0);
	assert_int_equal(store_bind_at(st, 3, 'n'), 0);
	assert_int_equal(store_bind_at(st, 2, 't', ""), 0);
	/* An unknown letter is refused. */
	assert_int_equal(store_bind_at(st, 2, 'x', 0), ERR_INTERNAL);
	assert_int_equal(store_step(st, &e), STORE_DONE);
	store_done(st);

	assert_int_equal(
	    store_prepare(f->s, "SELECT i, s, b, d, n, typeof(b), typeof(n) FROM t ORDER BY rowid", &st, &e), 0);
	assert_int_equal(store_col_count(st), 7);
	assert_string_equal(store_col_name(st, 1), "s");
	assert_int_equal(store_step(st, &e), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), big);
	assert_string_equal(store_col_text(st, 1), "王贵宝");
	size_t len = 0;
	const void *p = store_col_blob(st, 2, &len);
	assert_int_equal(len, sizeof blob);
	assert_memory_equal(p, blob, sizeof blob);
	assert_true(store_col_double(st, 3) == 3.25);
	assert_true(store_col_null(st, 4));
	assert_null(store_col_text(st, 4));
	assert_string_equal(store_col_text(st, 5), "blob");
	assert_string_equal(store_col_text(st, 6), "null");

	assert_int_equal(store_step(st, &e), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), -5);
	assert_true(store_col_null(st, 1));
	assert_true(store_col_null(st, 2));
	assert_true(store_col_double(st, 3) == -0.5);
	assert_string_equal(store_col_text(st, 4), "x");

	assert_int_equal(store_step(st, &e), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), 1);
	assert_string_equal(store_col_text(st, 1), "");
	assert_false(store_col_null(st, 1));
	assert_true(store_col_null(st, 2));
	assert_true(store_col_double(st, 3) == 1e10);
	assert_string_equal(store_col_text(st, 4), "five");

	assert_int_equal(store_step(st, &e), STORE_DONE);
	store_done(st);

	/* Bindings are cleared when a statement goes back to the cache. */
	assert_int_equal(store_prepare(f->s, "SELECT ? IS NULL", &st, &e), 0);
	assert_int_equal(store_bind(st, "i", (int64_t)1), 0);
	assert_int_equal(store_step(st, &e), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), 0);
	store_done(st);
	assert_int_equal(store_prepare(f->s, "SELECT ? IS NULL", &st, &e), 0);
	assert_int_equal(store_step(st, &e), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), 1);
	store_done(st);
	store_done(NULL);
}

static void test_store_int_and_run(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	int64_t v = 12345;
	assert_int_equal(store_int(f->s, &e, &v, "SELECT id FROM nodes WHERE id = ?", "i", (int64_t)1), ERR_NOT_FOUND);
	assert_int_equal(v, 12345); /* untouched */
	assert_int_equal(store_int(f->s, &e, &v, "SELECT ? * 2", "i", (int64_t)21), 0);
	assert_int_equal(v, 42);
	/* Syntax errors are internal errors, never a crash. */
	assert_int_equal(store_run(f->s, &e, "SELEC nonsense", ""), ERR_INTERNAL);
	assert_int_equal(
	    store_exec(f->s, "CREATE TABLE a (x); INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);", &e), 0);
	assert_int_equal(count(f->s, "SELECT sum(x) FROM a"), 3);
	err_clear(&e);
	assert_int_equal(store_exec(f->s, "INSERT INTO nowhere VALUES (1)", &e), ERR_INTERNAL);
	assert_int_equal(e.code, ERR_INTERNAL);
	assert_false(store_in_txn(f->s));
}

/* ----------------------------------------------------------- the cache */

static void test_statement_cache_nested_use(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	assert_int_equal(store_exec(f->s, "CREATE TABLE n (x INTEGER); INSERT INTO n VALUES (1), (2), (3);", &e), 0);
	const char *sql = "SELECT x FROM n WHERE x >= ? ORDER BY x";
	struct store_stmt *a, *b;
	assert_int_equal(store_prepare(f->s, sql, &a, &e), 0);
	store_bind(a, "i", (int64_t)1);
	assert_int_equal(store_step(a, &e), STORE_ROW);
	assert_int_equal(store_col_int(a, 0), 1);

	/* Same SQL while a is mid-iteration: a distinct, working statement. */
	assert_int_equal(store_prepare(f->s, sql, &b, &e), 0);
	assert_ptr_not_equal(a, b);
	store_bind(b, "i", (int64_t)2);
	assert_int_equal(store_step(b, &e), STORE_ROW);
	assert_int_equal(store_col_int(b, 0), 2);
	assert_int_equal(store_step(b, &e), STORE_ROW);
	assert_int_equal(store_col_int(b, 0), 3);
	assert_int_equal(store_step(b, &e), STORE_DONE);

	/* a was not disturbed. */
	assert_int_equal(store_step(a, &e), STORE_ROW);
	assert_int_equal(store_col_int(a, 0), 2);
	assert_int_equal(store_step(a, &e), STORE_ROW);
	assert_int_equal(store_col_int(a, 0), 3);
	assert_int_equal(store_step(a, &e), STORE_DONE);

	store_done(b);
	/* The returned statement is reused (a is still held). */
	struct store_stmt *c;
	assert_int_equal(store_prepare(f->s, sql, &c, &e), 0);
	assert_ptr_equal(c, b);
	/* It starts from the beginning again. */
	store_bind(c, "i", (int64_t)3);
	assert_int_equal(store_step(c, &e), STORE_ROW);
	assert_int_equal(store_col_int(c, 0), 3);
	store_done(c);
	store_done(a);
	/* Both free now: the next prepare gets one of the two, not a third. */
	assert_int_equal(store_prepare(f->s, sql, &c, &e), 0);
	assert_true(c == a || c == b);
	store_done(c);
}

/* -------------------------------------------------------- transactions */

static int64_t nrows(struct store *s)
{
	return count(s, "SELECT count(*) FROM tx");
}

static int64_t has(struct store *s, int64_t v)
{
	int64_t n = 0;
	assert_int_equal(store_int(s, NULL, &n, "SELECT count(*) FROM tx WHERE v = ?", "i", v), 0);
	return n;
}

static void put(struct store *s, int64_t v)
{
	struct err e = {0};
	assert_int_equal(store_run(s, &e, "INSERT INTO tx (v) VALUES (?)", "i", v), 0);
}

static void test_nested_rollback_inner_keeps_outer(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	assert_int_equal(store_exec(f->s, "CREATE TABLE tx (v INTEGER)", &e), 0);
	assert_false(store_in_txn(f->s));
	assert_int_equal(store_begin(f->s, &e), 0);
	assert_true(store_in_txn(f->s));
	put(f->s, 1);
	assert_int_equal(store_begin(f->s, &e), 0); /* savepoint */
	put(f->s, 2);
	assert_int_equal(nrows(f->s), 2);
	store_rollback(f->s); /* inner only */
	assert_true(store_in_txn(f->s));
	assert_int_equal(has(f->s, 1), 1);
	assert_int_equal(has(f->s, 2), 0);
	put(f->s, 3);
	assert_int_equal(store_commit(f->s, &e), 0);
	assert_false(store_in_txn(f->s));
	assert_int_equal(nrows(f->s), 2);
	assert_int_equal(has(f->s, 1), 1);
	assert_int_equal(has(f->s, 3), 1);
}

static void test_nested_rollback_outer_discards_all(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	assert_int_equal(store_exec(f->s, "CREATE TABLE tx (v INTEGER)", &e), 0);
	assert_int_equal(store_begin(f->s, &e), 0);
	put(f->s, 1);
	assert_int_equal(store_begin(f->s, &e), 0);
	put(f->s, 2);
	assert_int_equal(store_commit(f->s, &e), 0); /* releases the savepoint only */
	assert_true(store_in_txn(f->s));
	store_rollback(f->s); /* the outer transaction */
	assert_false(store_in_txn(f->s));
	assert_int_equal(nrows(f->s), 0);

	/* Three levels, middle rolled back after the innermost committed. */
	assert_int_equal(store_begin(f->s, &e), 0);
	put(f->s, 10);
	assert_int_equal(store_begin(f->s, &e), 0);
	put(f->s, 20);
	assert_int_equal(store_begin(f->s, &e), 0);
	put(f->s, 30);
	assert_int_equal(store_commit(f->s, &e), 0);
	store_rollback(f->s); /* drops 20 and 30 */
	put(f->s, 40);
	assert_int_equal(store_commit(f->s, &e), 0);
	assert_false(store_in_txn(f->s));
	assert_int_equal(nrows(f->s), 2);
	assert_int_equal(has(f->s, 10), 1);
	assert_int_equal(has(f->s, 40), 1);

	/* A read transaction commits cleanly, and the depth counter is reset. */
	assert_int_equal(store_begin_read(f->s, &e), 0);
	assert_int_equal(nrows(f->s), 2);
	assert_int_equal(store_commit(f->s, &e), 0);
	assert_int_equal(store_begin(f->s, &e), 0);
	put(f->s, 50);
	store_rollback(f->s);
	assert_false(store_in_txn(f->s));
	assert_int_equal(has(f->s, 50), 0);
}

/* A second connection must not see uncommitted writes, and sees them
 * after the commit (the data really reached the file). */
static void test_commit_visible_to_other_connection(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	assert_int_equal(store_exec(f->s, "CREATE TABLE tx (v INTEGER)", &e), 0);
	struct store *other = NULL;
	assert_int_equal(store_open(f->path, false, &other, &e), 0);
	assert_int_equal(store_begin(f->s, &e), 0);
	put(f->s, 7);
	assert_int_equal(nrows(other), 0);
	assert_int_equal(store_commit(f->s, &e), 0);
	assert_int_equal(nrows(other), 1);
	store_close(other);
}

/* -------------------------------------------------------------- backup */

static void test_backup_round_trip(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	assert_int_equal(store_exec(f->s, "CREATE TABLE big (v INTEGER, s TEXT)", &e), 0);
	assert_int_equal(store_begin(f->s, &e), 0);
	for (int i = 0; i < 3000; i++)
		assert_int_equal(
		    store_run(f->s, &e, "INSERT INTO big VALUES (?, ?)", "it", (int64_t)i, "幸福社区 3号楼"), 0);
	assert_int_equal(store_commit(f->s, &e), 0);

	char out[4200], tmp[4300];
	snprintf(out, sizeof out, "%s/backup.db", f->dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", out);
	assert_int_equal(store_backup(f->s, out, &e), 0);
	assert_true(unit_file_exists(out));
	assert_false(unit_file_exists(tmp));

	struct store *b = NULL;
	assert_int_equal(store_open(out, false, &b, &e), 0);
	assert_int_equal(count(b, "SELECT count(*) FROM big"), 3000);
	assert_int_equal(count(b, "SELECT sum(v) FROM big"), 3000 * 2999 / 2);
	assert_int_equal(count(b, "SELECT count(*) FROM node_kinds"), count(f->s, "SELECT count(*) FROM node_kinds"));
	assert_int_equal(store_schema_version(b), store_schema_version(f->s));
	char report[256];
	assert_int_equal(store_check(b, report, sizeof report, &e), 0);
	store_close(b);

	/* Backing up over an existing file replaces it. */
	assert_int_equal(store_run(f->s, &e, "DELETE FROM big WHERE v >= 1000", ""), 0);
	assert_int_equal(store_backup(f->s, out, &e), 0);
	b = NULL;
	assert_int_equal(store_open(out, false, &b, &e), 0);
	assert_int_equal(count(b, "SELECT count(*) FROM big"), 1000);
	store_close(b);

	/* An unwritable destination is an I/O error. */
	assert_int_equal(store_backup(f->s, "/nonexistent-dir/x/backup.db", &e), ERR_IO);
	assert_int_equal(e.code, ERR_IO);
}

/* --------------------------------------------------------------- check */

static void test_check_good_and_bad(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	char report[1024];
	memset(report, 'x', sizeof report);
	assert_int_equal(store_check(f->s, report, sizeof report, &e), 0);
	assert_string_equal(report, "");

	/* Smuggle in an orphan with foreign keys off: the check must see it. */
	assert_int_equal(insert_node(f->s, &e, 1, 0, "/1/", "root"), 0);
	assert_int_equal(store_exec(f->s, "PRAGMA foreign_keys=OFF", &e), 0);
	assert_int_equal(insert_node(f->s, &e, 2, 77, "/77/2/", "orphan"), 0);
	assert_int_equal(store_exec(f->s, "PRAGMA foreign_keys=ON", &e), 0);
	int problems = store_check(f->s, report, sizeof report, &e);
	assert_int_equal(problems, 1);
	assert_non_null(strstr(report, "foreign"));
	assert_non_null(strstr(report, "nodes"));

	/* A tiny report buffer is never overrun. */
	char small[8];
	assert_int_equal(store_check(f->s, small, sizeof small, &e), 1);
	assert_true(strlen(small) < sizeof small);
}

/* ---------------------------------------------------------------- copy */

static int64_t count_in(struct store *s, const char *sql, int64_t arg)
{
	int64_t n = -1;
	struct err e = {0};
	assert_int_equal(store_int(s, &e, &n, sql, "i", arg), 0);
	return n;
}

/* Index of table in the report, or -1. */
static int report_index(const struct store_copy_report *r, const char *table)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->tables[i].name, table))
			return i;
	return -1;
}

/* The report lists every table of the schema once (the full-text index's
 * shadow tables not), each after the tables it refers to. */
static void assert_copy_order(struct store *s, const struct store_copy_report *r)
{
	struct err e = {0};
	struct store_stmt *st;
	assert_int_equal(store_prepare(s,
				       "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN "
				       "('table', 'virtual') AND name NOT LIKE 'sqlite!_%' ESCAPE '!'",
				       &st, &e),
			 0);
	int tables = 0;
	while (store_step(st, &e) == STORE_ROW) {
		const char *name = store_col_text(st, 0);
		int i = report_index(r, name);
		if (i < 0)
			fail_msg("table %s was not copied", name);
		struct store_stmt *fk;
		assert_int_equal(store_prepare(s, "SELECT \"table\" FROM pragma_foreign_key_list(?)", &fk, &e), 0);
		assert_int_equal(store_bind(fk, "t", name), 0);
		while (store_step(fk, &e) == STORE_ROW) {
			const char *parent = store_col_text(fk, 0);
			if (strcmp(parent, name) != 0 && report_index(r, parent) > i)
				fail_msg("%s is copied before %s, which it refers to", name, parent);
		}
		store_done(fk);
		tables++;
	}
	store_done(st);
	assert_true(tables >= 20);
	assert_int_equal(r->n, tables);
}

/* Tables a later migration might add, on both sides (the target is still
 * at schema version 0): a child created before its parent, a parent that
 * refers forward to its own rows, and a cache. */
static const char future_tables[] =
    "CREATE TABLE future_child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES future_parent(id), "
    "note TEXT);"
    "CREATE TABLE future_parent (id INTEGER PRIMARY KEY, node_id INTEGER REFERENCES nodes(id), "
    "next_id INTEGER REFERENCES future_parent(id), label TEXT NOT NULL);"
    "CREATE TABLE future_cache (key TEXT PRIMARY KEY, body TEXT);";

/* An empty target beside the source (copy.db); extra's tables are created
 * on both sides, as a later migration would. */
static struct store *copy_target(const struct fx *f, const char *extra)
{
	struct err e = {0};
	char path[4200];
	snprintf(path, sizeof path, "%s/copy.db", f->dir);
	struct store *dst = NULL;
	assert_int_equal(store_open(path, true, &dst, &e), 0);
	assert_int_equal(store_exec(f->s, extra, &e), 0);
	assert_int_equal(store_exec(dst, extra, &e), 0);
	return dst;
}

static void test_copy_sqlite_to_sqlite(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	struct store *dst = copy_target(f, future_tables);

	/* A node refers forward to a later one (the party tree's link), a case
	 * is merged into a later one; blobs, doubles, NULLs, a rowid order. */
	assert_int_equal(insert_node(f->s, &e, 1, 0, "/1/", "root"), 0);
	assert_int_equal(insert_node(f->s, &e, 2, 1, "/1/2/", "幸福社区"), 0);
	assert_int_equal(insert_node(f->s, &e, 5, 1, "/1/5/", "party"), 0);
	assert_int_equal(store_run(f->s, &e, "UPDATE nodes SET linked_node_id = 5 WHERE id = 2", ""), 0);
	assert_int_equal(
	    store_run(f->s, &e,
		      "INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at) "
		      "VALUES (3, 'admin', '管理员', 'x', 't', 't')",
		      ""),
	    0);
	assert_int_equal(
	    store_run(f->s, &e,
		      "INSERT INTO sessions (token_hash, user_id, kind, csrf, created_at, expires_at) VALUES "
		      "(?, 3, 'api', 'c', 't', 't'), (?, 3, 'api', 'c', 't', 't')",
		      "bb", "\x02\x00\xff", (size_t)3, "\x01", (size_t)1),
	    0);
	const char *case_sql =
	    "INSERT INTO cases (id, kind, category, title, description, status, lat, lng, node_id, node_path, "
	    "origin_node_id, origin_path, merged_into, landed_at, respond_due, resolve_due, created_at, updated_at) "
	    "VALUES (?, 'request', 'sewer', '下水道', '下水道堵了', 'new', ?, 112.9388, 2, '/1/2/', 2, "
	    "'/1/2/', ?, 't', 't', 't', 't', 't')";
	assert_int_equal(store_run(f->s, &e, case_sql, "idn", (int64_t)10, 28.2282), 0);
	assert_int_equal(store_run(f->s, &e, case_sql, "ini", (int64_t)7, (int64_t)10), 0);
	assert_int_equal(
	    store_run(f->s, &e, "INSERT INTO requests (case_id, channel) VALUES (10, 'self'), (7, 'open311')", ""), 0);
	assert_int_equal(
	    store_run(f->s, &e, "INSERT INTO cases_fts (rowid, text) VALUES (10, '下 水 道'), (7, '下 水 道')", ""), 0);
	assert_int_equal(store_run(f->s, &e, "INSERT INTO case_stats_cache VALUES ('k', 1, 'd', '{}')", ""), 0);
	assert_int_equal(store_run(f->s, &e, "UPDATE role_types SET rowid = 1000 WHERE code = 'street_secretary'", ""),
			 0);

	assert_int_equal(store_exec(f->s,
				    "INSERT INTO future_parent VALUES (1, 1, 2, 'first'), (2, 2, NULL, 'second'); "
				    "INSERT INTO future_child VALUES (1, 2, 'of the second'), (2, 1, NULL)",
				    &e),
			 0);
	assert_int_equal(store_run(f->s, &e, "INSERT INTO future_cache VALUES ('k', 'v')", ""), 0);

	struct store_copy_report *r = calloc(1, sizeof *r);
	assert_non_null(r);
	assert_int_equal(store_copy(f->s, dst, r, NULL, NULL, &e), 0);
	assert_true(r->ok);
	assert_copy_order(f->s, r);
	assert_true(report_index(r, "future_parent") < report_index(r, "future_child"));
	assert_true(r->tables[report_index(r, "future_cache")].derived);
	assert_true(r->tables[report_index(r, "counters")].derived);
	assert_false(r->tables[report_index(r, "cases_fts")].derived);
	assert_int_equal(count(dst, "SELECT count(*) FROM future_cache"), 0);
	assert_int_equal(count_in(dst, "SELECT next_id FROM future_parent WHERE id = ?", 1), 2);
	assert_int_equal(count_in(dst, "SELECT parent_id FROM future_child WHERE id = ?", 1), 2);
	assert_int_equal(count(dst, "SELECT count(*) FROM future_child"), 2);
	assert_int_equal(store_schema_version(dst), store_schema_version(f->s));
	for (int i = 0; i < r->n; i++) {
		const struct store_copy_table *t = &r->tables[i];
		if (!t->derived)
			assert_int_equal(t->src_rows, t->dst_rows);
		/* Caches are rebuilt on demand, the figures and the tree's
		 * closure by the first command on the target: not copied. */
		if (!strcmp(t->name, "case_stats_cache") || !strcmp(t->name, "node_line"))
			assert_int_equal(t->dst_rows, 0);
	}
	assert_int_equal(count_in(dst, "SELECT linked_node_id FROM nodes WHERE id = ?", 2), 5);
	assert_int_equal(count_in(dst, "SELECT merged_into FROM cases WHERE id = ?", 7), 10);
	assert_int_equal(count_in(dst, "SELECT count(*) FROM requests WHERE channel = 'open311' AND case_id = ?", 7),
			 1);
	assert_int_equal(count_in(dst, "SELECT count(*) FROM cases WHERE lat = 28.2282 AND id = ?", 10), 1);
	assert_int_equal(count(dst, "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH '\"下\" + \"水\"'"), 2);
	/* The implicit rowids came along: an API token's id, the role types' order. */
	assert_int_equal(count(dst, "SELECT rowid FROM sessions WHERE token_hash = x'01'"),
			 count(f->s, "SELECT rowid FROM sessions WHERE token_hash = x'01'"));
	assert_int_equal(count(dst, "SELECT rowid FROM role_types WHERE code = 'street_secretary'"), 1000);
	assert_int_equal(count(dst, "SELECT count(*) FROM role_types"), count(f->s, "SELECT count(*) FROM role_types"));
	char report[256];
	assert_int_equal(store_check(dst, report, sizeof report, &e), 0);

	/* A second copy into the now non-empty target is refused, changing nothing. */
	int64_t before = count(dst, "SELECT count(*) FROM nodes");
	err_clear(&e);
	assert_int_equal(store_copy(f->s, dst, r, NULL, NULL, &e), ERR_CONFLICT);
	assert_non_null(strstr(e.msg, "already has a linli schema"));
	assert_int_equal(count(dst, "SELECT count(*) FROM nodes"), before);

	/* Verification alone: equal, then one altered value is found. */
	assert_int_equal(store_copy_verify(f->s, dst, r, &e), 0);
	assert_true(r->ok);
	assert_int_equal(store_run(dst, &e, "UPDATE cases SET lng = 112.9389 WHERE id = 10", ""), 0);
	assert_int_equal(store_copy_verify(f->s, dst, r, &e), 0);
	assert_false(r->ok);
	for (int i = 0; i < r->n; i++)
		assert_int_equal(r->tables[i].ok, strcmp(r->tables[i].name, "cases") != 0);
	free(r);
	store_close(dst);
}

/* Two tables that refer to each other cannot be put in an order: the copy
 * says so and the target stays empty. */
/* 007 moves what only requests have into their side table, rebuilding
 * `cases` in SQLite: rows, references to them and the side values survive,
 * the request-only columns and the status check are gone, and foreign keys
 * are enforced again afterwards. */
static void test_migration_007_request_side(void **state)
{
	char *dir = unit_tmpdir();
	assert_non_null(dir);
	char path[4096];
	snprintf(path, sizeof path, "%s/old.db", dir);
	struct store *s = NULL;
	struct err e = {0};
	assert_int_equal(store_open(path, true, &s, &e), 0);
	assert_int_equal(store_migrate_to(s, 6, &e), 0);
	assert_int_equal(store_schema_version(s), 6);
	assert_int_equal(
	    store_exec(s,
		       "INSERT INTO nodes (id, parent_id, kind, name, path, depth, created_at, updated_at) "
		       "VALUES (1, NULL, 'street', '街道', '/1/', 0, 't', 't');"
		       "INSERT INTO cases (id, kind, category, title, description, status, channel, node_id, "
		       "node_path, origin_node_id, origin_path, landed_at, respond_due, resolve_due, "
		       "created_at, updated_at, rating, rating_comment, rated_at, external_token, phase) VALUES "
		       "(1, 'request', 'sewer', '下水道', '堵了', 'closed', 'open311', 1, '/1/', 1, '/1/', 't', "
		       "'t', 't', 't', 't', 'unsatisfied', '还是堵', 'r', 'tok1', 'closed'),"
		       "(2, 'request', 'noise', '噪音', '夜里装修', 'new', 'box', 1, '/1/', 1, '/1/', 't', "
		       "'t', 't', 't', 't', NULL, NULL, NULL, NULL, 'open');"
		       "INSERT INTO case_events (case_id, at, type) VALUES (1, 't', 'reported'), "
		       "(2, 't', 'reported');",
		       &e),
	    0);
	assert_int_equal(store_migrate(s, &e), 0);
	assert_true(store_schema_version(s) >= 7);
	assert_int_equal(count(s, "SELECT count(*) FROM cases"), 2);
	assert_int_equal(count(s, "SELECT count(*) FROM case_events WHERE case_id IN (1, 2)"), 2);
	assert_int_equal(count(s, "SELECT count(*) FROM requests WHERE case_id = 1 AND channel = 'open311' AND "
				  "rating = 'unsatisfied' AND rating_comment = '还是堵' AND external_token = 'tok1'"),
			 1);
	assert_int_equal(count(s, "SELECT count(*) FROM requests WHERE case_id = 2 AND channel = 'box' AND "
				  "rating IS NULL"),
			 1);
	assert_int_equal(count(s, "SELECT count(*) FROM pragma_table_info('cases') WHERE name IN ('channel', "
				  "'rating', 'rating_comment', 'rated_at', 'external_token')"),
			 0);
	/* Any kind's states now; the engine's indexes and the stats counter are back. */
	assert_int_equal(store_run(s, &e, "UPDATE cases SET status = 'mediating' WHERE id = 2", ""), 0);
	/* 007's five, and 011's index of public cases. */
	assert_int_equal(count(s, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases'"), 6);
	/* 011 put both cases in the list of their node (the root, their only line). */
	assert_int_equal(count(s, "SELECT count(*) FROM case_scope WHERE anc_id = 1 AND case_id IN (1, 2)"), 2);
	assert_int_equal(count(s, "SELECT count(*) FROM case_scope WHERE is_open = 1"), 1);
	int64_t before = count(s, "SELECT value FROM counters WHERE name = 'cases'");
	assert_int_equal(store_run(s, &e, "UPDATE requests SET rating = 'basic' WHERE case_id = 2", ""), 0);
	assert_int_equal(count(s, "SELECT value FROM counters WHERE name = 'cases'"), before + 1);
	/* Foreign keys are enforced again. */
	assert_int_equal(store_run(s, &e, "INSERT INTO requests (case_id, channel) VALUES (99, 'self')", ""),
			 ERR_INVALID);
	assert_int_equal(count(s, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	store_close(s);
	unit_rmdir(dir);
	free(dir);
}

static void test_copy_refuses_a_foreign_key_cycle(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	const char *cycle = "CREATE TABLE cycle_a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES cycle_b(id));"
			    "CREATE TABLE cycle_b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES cycle_a(id));";
	struct store *dst = copy_target(f, cycle);
	struct store_copy_report *r = calloc(1, sizeof *r);
	assert_non_null(r);
	assert_int_equal(store_copy(f->s, dst, r, NULL, NULL, &e), ERR_INTERNAL);
	assert_non_null(strstr(e.msg, "cycle: cycle_a cycle_b"));
	assert_int_equal(store_schema_version(dst), 0);
	free(r);
	store_close(dst);
}

int main(void)
{
	log_set_level(LOG_ERROR); /* no "migrated to schema N" lines per test */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_create_and_migrate),
	    cmocka_unit_test_setup_teardown(test_foreign_key_violation_is_invalid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unique_violation_is_conflict, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_violation_is_invalid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bind_formats, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_int_and_run, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_statement_cache_nested_use, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nested_rollback_inner_keeps_outer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nested_rollback_outer_discards_all, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_commit_visible_to_other_connection, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_good_and_bad, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_copy_sqlite_to_sqlite, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_copy_refuses_a_foreign_key_cycle, setup, teardown),
	    cmocka_unit_test(test_migration_007_request_side),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
