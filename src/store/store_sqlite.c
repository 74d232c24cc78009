/*
 * store_sqlite.c — the SQLite backend of store.h.
 *
 * Connections run in WAL mode with synchronous=FULL (an acknowledged commit
 * is on disk), foreign keys on and a busy timeout so concurrent writers
 * queue instead of failing. Prepared statements are cached per connection in
 * a small hash table keyed by the SQL text; a statement in use is never
 * handed out twice, so nested queries with the same SQL get their own.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "store/pg_sql.h"
#include "store/store_backends.h"
#include "store/store_impl.h"
#include "store/store_plan_log.h"

#define STMT_BUCKETS 256

struct lite_stmt {
	struct store_stmt base;
	struct lite_stmt *next;
	sqlite3_stmt *st;
	const char *sql; /* sqlite3_sql(st), owned by sqlite */
	unsigned hash;
	bool in_use;
};

struct lite {
	struct store base;
	sqlite3 *db;
	struct lite_stmt *buckets[STMT_BUCKETS];
	int txn_depth;
	int floor; /* levels the running code does not see (store_txn_floor) */
};

static const struct store_ops lite_ops;

#define L(s)   ((struct lite *)(s))
#define LS(st) ((struct lite_stmt *)(st))

static int map_rc(struct lite *s, int rc, struct err *e)
{
	const char *msg = s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	switch (rc & 0xFF) {
	case SQLITE_CONSTRAINT:
		log_info("constraint: %s", msg);
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return err_set(e, ERR_CONFLICT, NULL, "记录已存在 / already exists");
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			return err_set(e, ERR_INVALID, NULL,
				       "引用的记录不存在 / refers to a record that does not exist");
		return err_set(e, ERR_INVALID, NULL, "数据不符合规则 / value not allowed");
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return err_set(e, ERR_UNAVAILABLE, NULL, "database busy, retry");
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return err_set(e, ERR_IO, NULL, "database I/O error: %s", msg);
	default:
		log_error("sqlite: %s (%d)", msg, rc);
		return err_set(e, ERR_INTERNAL, NULL, "database error");
	}
}

static int lite_exec(struct store *ss, const char *sql, struct err *e);
static void lite_close(struct store *ss);

int store_sqlite_open(const char *path, bool create, struct store **out, struct err *e)
{
	struct lite *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK) {
		err_set(e, ERR_IO, "db", "cannot open database %s: %s", path,
			s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		sqlite3_close(s->db);
		free(s);
		return ERR_IO;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 10000);
	s->base.ops = &lite_ops;
	const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			      "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=1073741824;";
	if (lite_exec(&s->base, pragmas, e) != 0) {
		lite_close(&s->base);
		return ERR_IO;
	}
	*out = &s->base;
	return 0;
}

static void lite_close(struct store *ss)
{
	struct lite *s = L(ss);
	for (int i = 0; i < STMT_BUCKETS; i++) {
		struct lite_stmt *st = s->buckets[i];
		while (st) {
			struct lite_stmt *n = st->next;
			sqlite3_finalize(LS(st)->st);
			free(st);
			st = n;
		}
	}
	sqlite3_close(s->db);
	free(s);
}

static int lite_exec(struct store *ss, const char *sql, struct err *e)
{
	struct lite *s = L(ss);
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		int code = map_rc(s, rc, e);
		if (msg && e && code == ERR_INTERNAL)
			snprintf(e->msg, sizeof e->msg, "database error: %s", msg);
		sqlite3_free(msg);
		return code;
	}
	return 0;
}

/* Nested begins become savepoints, so a domain call that opens its own
 * transaction can run inside a caller's larger one (bulk loads). */
static int lite_begin(struct store *ss, bool write, struct err *e)
{
	struct lite *s = L(ss);
	const char *outer = write ? "BEGIN IMMEDIATE" : "BEGIN";
	char sp[32];
	if (sqlite3_get_autocommit(s->db))
		s->txn_depth = 0; /* SQLite may have rolled back by itself */
	if (s->txn_depth > 0)
		snprintf(sp, sizeof sp, "SAVEPOINT sp%d", s->txn_depth);
	int rc = lite_exec(ss, s->txn_depth > 0 ? sp : outer, e);
	if (rc == 0)
		s->txn_depth++;
	return rc;
}

static void lite_rollback(struct store *ss);

static int lite_commit(struct store *ss, struct err *e)
{
	struct lite *s = L(ss);
	if (s->txn_depth <= s->floor)
		return 0; /* not this code's transaction (group commit's batch) */
	if (s->txn_depth > 1) {
		char sp[32];
		snprintf(sp, sizeof sp, "RELEASE sp%d", --s->txn_depth);
		return lite_exec(ss, sp, e);
	}
	int rc = lite_exec(ss, "COMMIT", e);
	if (rc != 0)
		lite_rollback(ss);
	s->txn_depth = 0;
	return rc;
}

static void lite_rollback(struct store *ss)
{
	struct lite *s = L(ss);
	if (s->txn_depth <= s->floor && !sqlite3_get_autocommit(s->db))
		return; /* not this code's transaction (group commit's batch) */
	if (s->txn_depth > 1) {
		char sp[64];
		s->txn_depth--;
		snprintf(sp, sizeof sp, "ROLLBACK TO sp%d; RELEASE sp%d", s->txn_depth, s->txn_depth);
		sqlite3_exec(s->db, sp, NULL, NULL, NULL);
		return;
	}
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->txn_depth = 0;
}

static bool lite_in_txn(struct store *ss)
{
	struct lite *s = L(ss);
	if (s->floor)
		return !sqlite3_get_autocommit(s->db) && s->txn_depth > s->floor;
	return !sqlite3_get_autocommit(s->db);
}

static void lite_txn_floor(struct store *ss, int n)
{
	L(ss)->floor = n;
}

static int lite_txn_depth(struct store *ss)
{
	struct lite *s = L(ss);
	if (sqlite3_get_autocommit(s->db))
		s->txn_depth = 0; /* SQLite may have rolled back by itself */
	return s->txn_depth;
}

static int lite_prepare(struct store *ss, const char *sql, struct store_stmt **out, struct err *e)
{
	struct lite *s = L(ss);
	unsigned h = store_sql_hash(sql);
	struct lite_stmt **bucket = &s->buckets[h % STMT_BUCKETS];
	for (struct lite_stmt *st = *bucket; st; st = st->next) {
		if (!st->in_use && st->hash == h && strcmp(st->sql, sql) == 0) {
			st->in_use = true;
			*out = &st->base;
			return 0;
		}
	}
	sqlite3_stmt *raw = NULL;
	int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, NULL);
	if (rc != SQLITE_OK) {
		log_error("prepare failed: %s: %s", sqlite3_errmsg(s->db), sql);
		return map_rc(s, rc, e);
	}
	store_plan_log(s->db, sql);
	struct lite_stmt *st = calloc(1, sizeof *st);
	if (!st) {
		sqlite3_finalize(raw);
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	st->base.owner = ss;
	st->st = raw;
	st->sql = sqlite3_sql(raw);
	st->hash = h;
	st->in_use = true;
	st->next = *bucket;
	*bucket = st;
	*out = &st->base;
	return 0;
}

static void lite_done(struct store_stmt *sst)
{
	struct lite_stmt *st = LS(sst);
	sqlite3_reset(LS(st)->st);
	sqlite3_clear_bindings(LS(st)->st);
	st->in_use = false;
}

static int lite_bind_one(struct store_stmt *sst, int idx, const struct store_value *v)
{
	struct lite_stmt *st = LS(sst);
	int rc = SQLITE_OK;
	switch (v->type) {
	case 'i':
		rc = sqlite3_bind_int64(LS(st)->st, idx, v->i);
		break;
	case 't':
		rc = v->t ? sqlite3_bind_text(LS(st)->st, idx, v->t, -1, SQLITE_TRANSIENT)
			  : sqlite3_bind_null(LS(st)->st, idx);
		break;
	case 'b':
		rc = v->p ? sqlite3_bind_blob(LS(st)->st, idx, v->p, (int)v->n, SQLITE_TRANSIENT)
			  : sqlite3_bind_null(LS(st)->st, idx);
		break;
	case 'd':
		rc = sqlite3_bind_double(LS(st)->st, idx, v->d);
		break;
	case 'n':
		rc = sqlite3_bind_null(LS(st)->st, idx);
		break;
	default:
		return ERR_INTERNAL;
	}
	return rc == SQLITE_OK ? 0 : ERR_INTERNAL;
}

static int lite_step(struct store_stmt *sst, struct err *e)
{
	struct lite_stmt *st = LS(sst);
	int rc = sqlite3_step(LS(st)->st);
	if (rc == SQLITE_ROW)
		return STORE_ROW;
	if (rc == SQLITE_DONE)
		return STORE_DONE;
	struct lite *s = L(sst->owner);
	return map_rc(s, sqlite3_extended_errcode(s->db), e);
}

static int64_t lite_col_int(struct store_stmt *st, int i)
{
	return sqlite3_column_int64(LS(st)->st, i);
}

static double lite_col_double(struct store_stmt *st, int i)
{
	return sqlite3_column_double(LS(st)->st, i);
}

static const char *lite_col_text(struct store_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(LS(st)->st, i);
}

static const void *lite_col_blob(struct store_stmt *st, int i, size_t *len)
{
	const void *p = sqlite3_column_blob(LS(st)->st, i);
	*len = (size_t)sqlite3_column_bytes(LS(st)->st, i);
	return p;
}

static bool lite_col_null(struct store_stmt *st, int i)
{
	return sqlite3_column_type(LS(st)->st, i) == SQLITE_NULL;
}

static char lite_col_type(struct store_stmt *st, int i)
{
	switch (sqlite3_column_type(LS(st)->st, i)) {
	case SQLITE_INTEGER:
		return 'i';
	case SQLITE_FLOAT:
		return 'd';
	case SQLITE_TEXT:
		return 't';
	case SQLITE_BLOB:
		return 'b';
	default:
		return 'n';
	}
}

static int lite_col_count(struct store_stmt *st)
{
	return sqlite3_column_count(LS(st)->st);
}

static const char *lite_col_name(struct store_stmt *st, int i)
{
	return sqlite3_column_name(LS(st)->st, i);
}

static int64_t lite_last_id(struct store *s)
{
	return sqlite3_last_insert_rowid(L(s)->db);
}

static int lite_changes(struct store *s)
{
	return sqlite3_changes(L(s)->db);
}

static int lite_schema_version(struct store *s)
{
	int64_t v = 0;
	if (store_int(s, NULL, &v, "PRAGMA user_version", "") != 0)
		return -1;
	return (int)v;
}

static int lite_set_schema_version(struct store *s, int version, struct err *e)
{
	char pragma[64];
	snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", version);
	return lite_exec(s, pragma, e);
}

static char *lite_migration_sql(const unsigned char *text, size_t len)
{
	return pg_sql_migration(text, len, STORE_SQLITE);
}

/* Bulk loading commits without waiting for the disk (WAL keeps the file
 * consistent); optimizing refreshes the planner's statistics and folds the
 * WAL back into the database file. */
static int lite_bulk_load(struct store *s, bool on, struct err *e)
{
	return lite_exec(s, on ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL", e);
}

static int lite_optimize(struct store *s, struct err *e)
{
	return lite_exec(s, "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)", e);
}

/* About a thousand rows of each index: milliseconds at any size, and
 * enough for the planner to tell a range of a node from the whole table. */
static int lite_refresh_stats(struct store *s, struct err *e)
{
	return lite_exec(s, "PRAGMA analysis_limit=1000; ANALYZE; PRAGMA analysis_limit=0", e);
}

/* PRAGMA foreign_keys is a no-op inside a transaction: the migration
 * runner calls this before BEGIN and after COMMIT. */
static int lite_fk_enforce(struct store *s, bool on, struct err *e)
{
	return lite_exec(s, on ? "PRAGMA foreign_keys=ON" : "PRAGMA foreign_keys=OFF", e);
}

static int lite_fk_verify(struct store *s, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(s, "PRAGMA foreign_key_check", &st, e);
	if (rc)
		return rc;
	rc = store_step(st, e);
	if (rc == STORE_ROW)
		rc = err_set(e, ERR_INTERNAL, NULL, "rebuilt table %s has a row %lld whose reference to %s is broken",
			     store_col_text(st, 0), (long long)store_col_int(st, 1), store_col_text(st, 2));
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* Nothing to move: a new rowid follows the largest. */
static int lite_sync_ids(struct store *s, struct err *e)
{
	return 0;
}

static int lite_backup(struct store *ss, const char *path, struct err *e)
{
	struct lite *s = L(ss);
	sqlite3 *dst;
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	remove(tmp);
	if (sqlite3_open(tmp, &dst) != SQLITE_OK) {
		sqlite3_close(dst);
		return err_set(e, ERR_IO, "out", "cannot create %s", tmp);
	}
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", s->db, "main");
	if (!b) {
		err_set(e, ERR_IO, "out", "backup failed: %s", sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return ERR_IO;
	}
	int rc;
	/* Copy in steps so a running server is never blocked for long. */
	while ((rc = sqlite3_backup_step(b, 1024)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		sqlite3_sleep(5);
	sqlite3_backup_finish(b);
	if (rc == SQLITE_DONE)
		rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	sqlite3_close(dst);
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		remove(tmp);
		return err_set(e, ERR_IO, "out", "backup failed (%d)", rc);
	}
	if (rename(tmp, path) != 0)
		return err_set(e, ERR_IO, "out", "cannot write %s", path);
	return 0;
}

static int lite_check(struct store *s, char *report, size_t cap, struct err *e)
{
	size_t used = 0;
	int problems = 0;
	report[0] = 0;
	const char *checks[] = {"PRAGMA integrity_check", "PRAGMA foreign_key_check"};
	for (int c = 0; c < 2; c++) {
		struct store_stmt *st;
		int rc = store_prepare(s, checks[c], &st, e);
		if (rc)
			return rc;
		while ((rc = store_step(st, e)) == STORE_ROW) {
			const char *t = store_col_text(st, 0);
			if (c == 0 && t && strcmp(t, "ok") == 0)
				continue;
			problems++;
			if (used < cap)
				used += (size_t)snprintf(report + used, cap - used, "%s: %s %s\n", checks[c] + 7,
							 t ? t : "", c == 1 ? "(foreign key)" : "");
		}
		store_done(st);
		if (rc < 0)
			return rc;
	}
	return problems;
}

static const struct store_ops lite_ops = {
    .dialect = STORE_SQLITE,
    .single_writer = true,
    .close = lite_close,
    .exec = lite_exec,
    .begin = lite_begin,
    .commit = lite_commit,
    .rollback = lite_rollback,
    .in_txn = lite_in_txn,
    .txn_depth = lite_txn_depth,
    .txn_floor = lite_txn_floor,
    .prepare = lite_prepare,
    .done = lite_done,
    .bind_one = lite_bind_one,
    .step = lite_step,
    .col_int = lite_col_int,
    .col_double = lite_col_double,
    .col_text = lite_col_text,
    .col_blob = lite_col_blob,
    .col_null = lite_col_null,
    .col_type = lite_col_type,
    .col_count = lite_col_count,
    .col_name = lite_col_name,
    .last_id = lite_last_id,
    .changes = lite_changes,
    .schema_version = lite_schema_version,
    .set_schema_version = lite_set_schema_version,
    .migration_sql = lite_migration_sql,
    .fk_enforce = lite_fk_enforce,
    .fk_verify = lite_fk_verify,
    .bulk_load = lite_bulk_load,
    .optimize = lite_optimize,
    .refresh_stats = lite_refresh_stats,
    .sync_ids = lite_sync_ids,
    .backup = lite_backup,
    .check = lite_check,
};
