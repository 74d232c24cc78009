/*
 * store_sqlite.c — the SQLite backend of store.h.
 *
 * Connections run in WAL mode with synchronous=FULL (an acknowledged commit
 * is on disk), foreign keys on and a busy timeout so concurrent writers
 * queue instead of failing. Prepared statements are cached per connection in
 * a small hash table keyed by the SQL text; a statement in use is never
 * handed out twice, so nested queries with the same SQL get their own.
 */
#include "store/store.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/embedded.h"
#include "base/log.h"

#define STMT_BUCKETS 256

struct store_stmt {
	struct store_stmt *next;
	struct store *owner;
	sqlite3_stmt *st;
	const char *sql; /* sqlite3_sql(st), owned by sqlite */
	unsigned hash;
	bool in_use;
};

struct store {
	sqlite3 *db;
	struct store_stmt *buckets[STMT_BUCKETS];
	int txn_depth;
};

static unsigned sql_hash(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static int map_rc(struct store *s, int rc, struct err *e)
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

int store_open(const char *url, bool create, struct store **out, struct err *e)
{
	const char *path = url;
	if (strncmp(url, "sqlite:", 7) == 0)
		path = url + 7;
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
		return err_set(e, ERR_UNSUPPORTED, "db", "PostgreSQL backend is not built in");
	struct store *s = calloc(1, sizeof *s);
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
	const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			      "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=1073741824;";
	if (store_exec(s, pragmas, e) != 0) {
		store_close(s);
		return ERR_IO;
	}
	*out = s;
	return 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < STMT_BUCKETS; i++) {
		struct store_stmt *st = s->buckets[i];
		while (st) {
			struct store_stmt *n = st->next;
			sqlite3_finalize(st->st);
			free(st);
			st = n;
		}
	}
	sqlite3_close(s->db);
	free(s);
}

int store_exec(struct store *s, const char *sql, struct err *e)
{
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
static int begin_with(struct store *s, const char *outer, struct err *e)
{
	char sp[32];
	if (sqlite3_get_autocommit(s->db))
		s->txn_depth = 0; /* SQLite may have rolled back by itself */
	if (s->txn_depth > 0)
		snprintf(sp, sizeof sp, "SAVEPOINT sp%d", s->txn_depth);
	int rc = store_exec(s, s->txn_depth > 0 ? sp : outer, e);
	if (rc == 0)
		s->txn_depth++;
	return rc;
}

int store_begin(struct store *s, struct err *e)
{
	return begin_with(s, "BEGIN IMMEDIATE", e);
}

int store_begin_read(struct store *s, struct err *e)
{
	return begin_with(s, "BEGIN", e);
}

int store_commit(struct store *s, struct err *e)
{
	if (s->txn_depth > 1) {
		char sp[32];
		snprintf(sp, sizeof sp, "RELEASE sp%d", --s->txn_depth);
		return store_exec(s, sp, e);
	}
	int rc = store_exec(s, "COMMIT", e);
	if (rc != 0)
		store_rollback(s);
	s->txn_depth = 0;
	return rc;
}

void store_rollback(struct store *s)
{
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

bool store_in_txn(struct store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

int store_prepare(struct store *s, const char *sql, struct store_stmt **out, struct err *e)
{
	unsigned h = sql_hash(sql);
	struct store_stmt **bucket = &s->buckets[h % STMT_BUCKETS];
	for (struct store_stmt *st = *bucket; st; st = st->next) {
		if (!st->in_use && st->hash == h && strcmp(st->sql, sql) == 0) {
			st->in_use = true;
			*out = st;
			return 0;
		}
	}
	sqlite3_stmt *raw = NULL;
	int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, NULL);
	if (rc != SQLITE_OK) {
		log_error("prepare failed: %s: %s", sqlite3_errmsg(s->db), sql);
		return map_rc(s, rc, e);
	}
	struct store_stmt *st = calloc(1, sizeof *st);
	if (!st) {
		sqlite3_finalize(raw);
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	st->owner = s;
	st->st = raw;
	st->sql = sqlite3_sql(raw);
	st->hash = h;
	st->in_use = true;
	st->next = *bucket;
	*bucket = st;
	*out = st;
	return 0;
}

void store_done(struct store_stmt *st)
{
	if (!st)
		return;
	sqlite3_reset(st->st);
	sqlite3_clear_bindings(st->st);
	st->in_use = false;
}

static int bind_one(struct store_stmt *st, int idx, char type, va_list *app)
{
	int rc = SQLITE_OK;
	switch (type) {
	case 'i':
		rc = sqlite3_bind_int64(st->st, idx, va_arg(*app, int64_t));
		break;
	case 't': {
		const char *t = va_arg(*app, const char *);
		rc = t ? sqlite3_bind_text(st->st, idx, t, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st->st, idx);
		break;
	}
	case 'b': {
		const void *p = va_arg(*app, const void *);
		size_t n = va_arg(*app, size_t);
		rc = p ? sqlite3_bind_blob(st->st, idx, p, (int)n, SQLITE_TRANSIENT) : sqlite3_bind_null(st->st, idx);
		break;
	}
	case 'd':
		rc = sqlite3_bind_double(st->st, idx, va_arg(*app, double));
		break;
	case 'n':
		rc = sqlite3_bind_null(st->st, idx);
		break;
	default:
		return ERR_INTERNAL;
	}
	return rc == SQLITE_OK ? 0 : ERR_INTERNAL;
}

static int bind_va(struct store_stmt *st, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int rc = 0, idx = 1;
	for (const char *f = fmt; f && *f && rc == 0; f++, idx++)
		rc = bind_one(st, idx, *f, &copy);
	va_end(copy);
	return rc;
}

int store_bind_at(struct store_stmt *st, int idx, char type, ...)
{
	va_list ap;
	va_start(ap, type);
	int rc = bind_one(st, idx, type, &ap);
	va_end(ap);
	return rc;
}

int store_bind(struct store_stmt *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = bind_va(st, fmt, ap);
	va_end(ap);
	return rc;
}

int store_step(struct store_stmt *st, struct err *e)
{
	int rc = sqlite3_step(st->st);
	if (rc == SQLITE_ROW)
		return STORE_ROW;
	if (rc == SQLITE_DONE)
		return STORE_DONE;
	return map_rc(st->owner, sqlite3_extended_errcode(st->owner->db), e);
}

int64_t store_col_int(struct store_stmt *st, int i)
{
	return sqlite3_column_int64(st->st, i);
}

double store_col_double(struct store_stmt *st, int i)
{
	return sqlite3_column_double(st->st, i);
}

const char *store_col_text(struct store_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st->st, i);
}

const void *store_col_blob(struct store_stmt *st, int i, size_t *len)
{
	const void *p = sqlite3_column_blob(st->st, i);
	*len = (size_t)sqlite3_column_bytes(st->st, i);
	return p;
}

bool store_col_null(struct store_stmt *st, int i)
{
	return sqlite3_column_type(st->st, i) == SQLITE_NULL;
}

int store_col_count(struct store_stmt *st)
{
	return sqlite3_column_count(st->st);
}

const char *store_col_name(struct store_stmt *st, int i)
{
	return sqlite3_column_name(st->st, i);
}

int64_t store_last_id(struct store *s)
{
	return sqlite3_last_insert_rowid(s->db);
}

int store_changes(struct store *s)
{
	return sqlite3_changes(s->db);
}

int store_run(struct store *s, struct err *e, const char *sql, const char *fmt, ...)
{
	struct store_stmt *st;
	int rc = store_prepare(s, sql, &st, e);
	if (rc)
		return rc;
	va_list ap;
	va_start(ap, fmt);
	rc = bind_va(st, fmt, ap);
	va_end(ap);
	if (rc == 0) {
		rc = store_step(st, e);
		rc = rc < 0 ? rc : 0;
	} else {
		err_set(e, rc, NULL, "bind failed");
	}
	store_done(st);
	return rc;
}

int store_int(struct store *s, struct err *e, int64_t *out, const char *sql, const char *fmt, ...)
{
	struct store_stmt *st;
	int rc = store_prepare(s, sql, &st, e);
	if (rc)
		return rc;
	va_list ap;
	va_start(ap, fmt);
	rc = bind_va(st, fmt, ap);
	va_end(ap);
	if (rc == 0) {
		rc = store_step(st, e);
		if (rc == STORE_ROW) {
			*out = store_col_int(st, 0);
			rc = 0;
		} else if (rc == STORE_DONE) {
			rc = ERR_NOT_FOUND;
		}
	}
	store_done(st);
	return rc;
}

int store_schema_version(struct store *s)
{
	int64_t v = 0;
	if (store_int(s, NULL, &v, "PRAGMA user_version", "") != 0)
		return -1;
	return (int)v;
}

int store_migrate(struct store *s, struct err *e)
{
	int have = store_schema_version(s);
	if (have < 0)
		return err_set(e, ERR_INTERNAL, NULL, "cannot read schema version");
	for (size_t i = 0; i < embedded_count; i++) {
		const struct embedded_file *f = &embedded_files[i];
		const char *base = strrchr(f->path, '/');
		base = base ? base + 1 : f->path;
		if (strncmp(f->path, "src/store/migrations/", 21) != 0)
			continue;
		int ver = atoi(base);
		if (ver <= have)
			continue;
		char *sql = malloc(f->len + 1);
		if (!sql)
			return err_set(e, ERR_INTERNAL, NULL, "out of memory");
		memcpy(sql, f->data, f->len);
		sql[f->len] = 0;
		int rc = store_begin(s, e);
		if (rc == 0)
			rc = store_exec(s, sql, e);
		free(sql);
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", ver);
		if (rc == 0)
			rc = store_exec(s, pragma, e);
		if (rc == 0)
			rc = store_commit(s, e);
		else
			store_rollback(s);
		if (rc)
			return rc;
		log_info("migrated database to schema %d (%s)", ver, base);
		have = ver;
	}
	return 0;
}

int store_backup(struct store *s, const char *path, struct err *e)
{
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

int store_check(struct store *s, char *report, size_t cap, struct err *e)
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
