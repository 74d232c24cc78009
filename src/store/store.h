/*
 * store.h — the database interface every domain module uses.
 *
 * A struct store is ONE connection, owned by one thread (the server keeps one
 * per worker thread). SQL is written with '?' placeholders and is always
 * parameterised. Prepared statements are cached per connection: a statement
 * from store_prepare() must be given back with store_done().
 * The backend is chosen by URL: a path or "sqlite:PATH" (SQLite, WAL,
 * synchronous=FULL so an acknowledged commit survives a crash), or
 * "postgres://..." / "postgresql://..." (PostgreSQL through libpq; see
 * store_pg.c for how its transactions keep SQLite's guarantees).
 * SQL is written once, in the subset both understand; store_pg.c rewrites
 * the few spellings that differ (pg_sql.c), and migrations keep their
 * dialect-specific parts side by side in marked blocks.
 * Thread-safety: none per connection; open one per thread.
 */
#ifndef LINLI_STORE_H
#define LINLI_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct store;
struct store_stmt;

enum { STORE_DONE = 0, STORE_ROW = 1 };

enum store_dialect { STORE_SQLITE, STORE_POSTGRES };

/* True for postgres:// and postgresql:// URLs. */
bool store_url_is_postgres(const char *url);
/* The file of a SQLite URL (strips "sqlite:"); NULL for PostgreSQL. */
const char *store_url_file(const char *url);

int store_open(const char *url, bool create, struct store **out, struct err *e);
void store_close(struct store *s);
enum store_dialect store_dialect(const struct store *s);
/* Applies pending migrations (embedded in the binary). */
int store_migrate(struct store *s, struct err *e);
/* The same, up to schema version `upto` (tests of a migration's data). */
int store_migrate_to(struct store *s, int upto, struct err *e);
int store_schema_version(struct store *s);

/* Write transactions serialise up front instead of failing mid-way (SQLite:
 * BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock). */
int store_begin(struct store *s, struct err *e);
int store_begin_read(struct store *s, struct err *e);
int store_commit(struct store *s, struct err *e);
void store_rollback(struct store *s);
bool store_in_txn(struct store *s);
/* How many store_begin calls are open on this connection (0: none). */
int store_txn_depth(struct store *s);
/* Hides the first n open levels from the code that runs next (group
 * commit: a request's handler sees no transaction — store_in_txn is false
 * — and a commit or rollback of its own at that level does nothing; its
 * own store_begin is a savepoint). 0 shows them again. */
void store_txn_floor(struct store *s, int n);
/* Does the engine let one connection write at a time (SQLite)? Writes
 * then gain from being grouped (store_group.h). */
bool store_single_writer(const struct store *s);

/* Runs SQL without parameters (may contain several statements). */
int store_exec(struct store *s, const char *sql, struct err *e);

int store_prepare(struct store *s, const char *sql, struct store_stmt **out, struct err *e);
/* Resets the statement and returns it to the cache. NULL is fine. */
void store_done(struct store_stmt *st);

/*
 * Binds parameters 1..n from a format string:
 *   i int64_t   t const char* (NULL binds NULL)   b const void*, size_t
 *   d double    n NULL
 */
int store_bind(struct store_stmt *st, const char *fmt, ...);
/* Binds one parameter at idx with a single format letter (as above). */
int store_bind_at(struct store_stmt *st, int idx, int type, ...);
/* Steps: STORE_ROW, STORE_DONE or negative ERR_* (constraint -> ERR_CONFLICT/ERR_INVALID). */
int store_step(struct store_stmt *st, struct err *e);

int64_t store_col_int(struct store_stmt *st, int i);
double store_col_double(struct store_stmt *st, int i);
const char *store_col_text(struct store_stmt *st, int i); /* NULL if NULL */
const void *store_col_blob(struct store_stmt *st, int i, size_t *len);
bool store_col_null(struct store_stmt *st, int i);
/* The value's type in the current row: 'i' integer, 'd' double, 't' text,
 * 'b' blob, 'n' NULL (the letters store_bind takes). */
char store_col_type(struct store_stmt *st, int i);
int store_col_count(struct store_stmt *st);
const char *store_col_name(struct store_stmt *st, int i);

int64_t store_last_id(struct store *s);
int store_changes(struct store *s);

/* One-shot helpers: prepare, bind, step, done. */
int store_run(struct store *s, struct err *e, const char *sql, const char *fmt, ...);
/* First column of the first row as int; *out untouched if no row (returns ERR_NOT_FOUND). */
int store_int(struct store *s, struct err *e, int64_t *out, const char *sql, const char *fmt, ...);

/* Bulk loading: commits stop waiting for the disk (the data stays
 * consistent; the last commits may be lost in a power cut until store_optimize
 * or the next durable commit). */
int store_bulk_load(struct store *s, bool on, struct err *e);
/* After bulk loading: refresh the planner's statistics, make all durable. */
int store_optimize(struct store *s, struct err *e);
/* The planner's statistics brought up to date cheaply, for a schedule
 * (SQLite: ANALYZE with analysis_limit, a sample of each index;
 * PostgreSQL: left to autovacuum's analyze). */
int store_refresh_stats(struct store *s, struct err *e);
/* After rows were inserted with their ids given (a copy): moves the id
 * generators past the largest id of every table, so the next insert does not
 * collide (PostgreSQL's identity sequences, including the rowid stand-ins;
 * SQLite needs nothing: a new rowid follows the largest). */
int store_sync_ids(struct store *s, struct err *e);

/* Online consistent copy of the whole database to path (SQLite: a database
 * file; PostgreSQL: pg_dump's custom format, restorable with pg_restore). */
int store_backup(struct store *s, const char *path, struct err *e);
/* Integrity and foreign-key checks; problems are appended to report. */
int store_check(struct store *s, char *report, size_t cap, struct err *e);

#endif
