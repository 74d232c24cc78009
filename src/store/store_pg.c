/*
 * store_pg.c — the PostgreSQL backend of store.h (libpq).
 *
 * One connection per struct store, like SQLite's; the server keeps one per
 * worker thread. What the domain code relies on, and how it holds here:
 *  - Writers serialise. SQLite's BEGIN IMMEDIATE lets one writer at a time
 *    in; here a write transaction is READ COMMITTED plus a transaction-scoped
 *    advisory lock taken at BEGIN, so read-check-then-write sequences see
 *    every earlier commit and no other writer in between.
 *  - A read transaction is one snapshot (REPEATABLE READ), as a SQLite read
 *    transaction in WAL mode is.
 *  - An acknowledged commit is durable: PostgreSQL's default
 *    synchronous_commit=on.
 *  - A failed statement inside a transaction poisons it in PostgreSQL; the
 *    commit then reports the failure instead of silently rolling back.
 * Statements are prepared once per connection (named, cached by SQL text)
 * after pg_sql_statement() rewrites the few spellings that differ. Parameter
 * types are left to the server to infer from context; where it cannot, the
 * parameter is typed text and the statement prepared again.
 * When the server goes away, statements fail with ERR_UNAVAILABLE (503); the
 * next call outside a transaction reconnects and prepares afresh.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "store/pg_sql.h"
#include "store/store_backends.h"
#include "store/store_impl.h"
#include "store/store_plan_log.h"

/* The decimal number s starts with, or fallback when it starts with none or
 * the number does not fit an int (what atoi would not say). */
static int lead_int(const char *s, int fallback)
{
	char *end = NULL;
	errno = 0;
	long v = s ? strtol(s, &end, 10) : 0;
	if (!s || end == s || errno || v < INT_MIN || v > INT_MAX)
		return fallback;
	return (int)v;
}

#define STMT_BUCKETS        256
#define TEXTOID             25
#define BYTEAOID            17
#define WRITE_LOCK_KEY      7140514 /* the advisory lock every write transaction holds */
#define MAX_IDENTITY_TABLES 64

extern char **environ;

struct pg_blob {
	unsigned char *p;
	size_t n;
};

struct pg_stmt {
	struct store_stmt base;
	struct pg_stmt *next;
	char *sql;   /* as given, the cache key */
	char *pgsql; /* as sent */
	unsigned hash;
	bool in_use;
	char name[16];
	unsigned prepared_gen; /* connection generation it was prepared on; 0 = not yet */
	int nparams;
	unsigned *types; /* 0 = let the server infer */
	char **values;
	int *lengths, *formats;
	const char *returning; /* identity column appended as RETURNING, or NULL */
	PGresult *res;
	int row;
	bool executed;
	struct pg_blob *blobs; /* the current row's unescaped bytea values, by column (nblobs) */
	int nblobs;
};

struct identity {
	char table[64], column[32];
};

struct pg {
	struct store base;
	PGconn *conn;
	struct pg_stmt *buckets[STMT_BUCKETS];
	int txn_depth;
	bool txn_failed;
	unsigned gen; /* bumped at every (re)connect: prepared statements die with the connection */
	int stmt_seq;
	int changes;
	int64_t last_id;
	struct identity ids[MAX_IDENTITY_TABLES];
	int nids;
	unsigned ids_gen; /* generation the identity list was read on; 0 = stale */
};

static const struct store_ops pg_ops;

#define P(s)   ((struct pg *)(s))
#define PS(st) ((struct pg_stmt *)(st))

static int unavailable(struct err *e)
{
	return err_set(e, ERR_UNAVAILABLE, NULL, "数据库暂时不可用，请稍后重试 / database unavailable, retry");
}

/* Maps a failed result (or a dead connection) to the error vocabulary. */
static int map_result(struct pg *s, const PGresult *res, struct err *e)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(s->conn);
	if (s->txn_depth > 0)
		s->txn_failed = true;
	if (PQstatus(s->conn) != CONNECTION_OK || !state || !strncmp(state, "08", 2) || !strncmp(state, "57P0", 4)) {
		log_error("postgres connection lost: %s", msg);
		return unavailable(e);
	}
	if (!strcmp(state, "23505"))
		return err_set(e, ERR_CONFLICT, NULL, "记录已存在 / already exists");
	if (!strcmp(state, "23503"))
		return err_set(e, ERR_INVALID, NULL, "引用的记录不存在 / refers to a record that does not exist");
	if (!strncmp(state, "23", 2) || !strncmp(state, "22", 2)) {
		log_info("constraint: %s", msg);
		return err_set(e, ERR_INVALID, NULL, "数据不符合规则 / value not allowed");
	}
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03") || !strcmp(state, "57014"))
		return err_set(e, ERR_UNAVAILABLE, NULL, "database busy, retry");
	log_error("postgres: %s (%s)", msg, state);
	return err_set(e, ERR_INTERNAL, NULL, "database error");
}

static int session_setup(struct pg *s, struct err *e)
{
	const char *timeout = getenv("LINLI_PG_STATEMENT_TIMEOUT");
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SET statement_timeout = '%s'; SET client_min_messages = warning; SET client_encoding = 'UTF8'",
		 timeout && *timeout ? timeout : "30s");
	PGresult *r = PQexec(s->conn, sql);
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : map_result(s, r, e);
	PQclear(r);
	s->gen++;
	s->ids_gen = 0;
	return rc;
}

/* Outside a transaction, a lost connection is re-established. */
static int ensure_conn(struct pg *s, struct err *e)
{
	if (PQstatus(s->conn) == CONNECTION_OK)
		return 0;
	if (s->txn_depth > 0)
		return unavailable(e);
	PQreset(s->conn);
	if (PQstatus(s->conn) != CONNECTION_OK)
		return unavailable(e);
	log_info("reconnected to postgres");
	return session_setup(s, e);
}

static void pg_close(struct store *ss);

int store_pg_open(const char *url, bool create, struct store **out, struct err *e)
{
	(void)create; /* the database itself is created by its administrator */
	struct pg *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	s->base.ops = &pg_ops;
	s->conn = PQconnectdb(url);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		err_set(e, ERR_UNAVAILABLE, "db", "cannot connect to PostgreSQL: %s", PQerrorMessage(s->conn));
		pg_close(&s->base);
		return ERR_UNAVAILABLE;
	}
	if (session_setup(s, e) != 0) {
		pg_close(&s->base);
		return ERR_UNAVAILABLE;
	}
	*out = &s->base;
	return 0;
}

/* A row's blobs stay valid until the next step, as SQLite's do. */
static void stmt_free_blobs(struct pg_stmt *st)
{
	for (int i = 0; i < st->nblobs; i++)
		PQfreemem(st->blobs[i].p);
	free(st->blobs);
	st->blobs = NULL;
	st->nblobs = 0;
}

static void stmt_clear_result(struct pg_stmt *st)
{
	PQclear(st->res);
	st->res = NULL;
	stmt_free_blobs(st);
	st->executed = false;
	st->row = -1;
}

static void stmt_free(struct pg_stmt *st)
{
	stmt_clear_result(st);
	for (int i = 0; i < st->nparams; i++)
		free(st->values[i]);
	free(st->values);
	free(st->lengths);
	free(st->formats);
	free(st->types);
	free(st->sql);
	free(st->pgsql);
	free(st);
}

static void pg_close(struct store *ss)
{
	struct pg *s = P(ss);
	for (int i = 0; i < STMT_BUCKETS; i++) {
		struct pg_stmt *st = s->buckets[i];
		while (st) {
			struct pg_stmt *n = st->next;
			stmt_free(st);
			st = n;
		}
	}
	PQfinish(s->conn);
	free(s);
}

/* Runs SQL without parameters (the engine's own: transaction control,
 * sequences, the schema version). */
static int run_sql(struct pg *s, const char *sql, struct err *e)
{
	int rc = ensure_conn(s, e);
	if (rc)
		return rc;
	PGresult *r = PQexec(s->conn, sql);
	ExecStatusType st = PQresultStatus(r);
	rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY ? 0 : map_result(s, r, e);
	PQclear(r);
	return rc;
}

/* store_exec: callers' SQL may be DDL (migrations, the copy's index
 * rebuilds), so the identity columns are read again before the next new
 * INSERT is prepared. */
static int pg_exec(struct store *ss, const char *sql, struct err *e)
{
	struct pg *s = P(ss);
	int rc = run_sql(s, sql, e);
	s->ids_gen = 0;
	return rc;
}

static int pg_begin(struct store *ss, bool write, struct err *e)
{
	struct pg *s = P(ss);
	char sql[96];
	if (s->txn_depth == 0 && PQtransactionStatus(s->conn) == PQTRANS_IDLE)
		s->txn_failed = false;
	if (s->txn_depth > 0)
		snprintf(sql, sizeof sql, "SAVEPOINT sp%d", s->txn_depth);
	else if (write)
		snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%d)", WRITE_LOCK_KEY);
	else
		snprintf(sql, sizeof sql, "BEGIN ISOLATION LEVEL REPEATABLE READ");
	int rc = run_sql(s, sql, e);
	if (rc == 0)
		s->txn_depth++;
	return rc;
}

static void pg_rollback(struct store *ss)
{
	struct pg *s = P(ss);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		s->txn_depth = 0; /* the server rolled it back when the connection went */
		s->txn_failed = false;
		return;
	}
	if (s->txn_depth > 1) {
		char sp[64];
		s->txn_depth--;
		snprintf(sp, sizeof sp, "ROLLBACK TO sp%d; RELEASE sp%d", s->txn_depth, s->txn_depth);
		PQclear(PQexec(s->conn, sp));
		return;
	}
	if (PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		PQclear(PQexec(s->conn, "ROLLBACK"));
	s->txn_depth = 0;
	s->txn_failed = false;
}

static int pg_commit(struct store *ss, struct err *e)
{
	struct pg *s = P(ss);
	if (s->txn_depth > 1) {
		char sp[32];
		snprintf(sp, sizeof sp, "RELEASE sp%d", --s->txn_depth);
		return run_sql(s, sp, e);
	}
	if (s->txn_failed) {
		log_error("commit of a transaction with a failed statement refused");
		pg_rollback(ss);
		return err_set(e, ERR_INTERNAL, NULL, "database error");
	}
	PGresult *r = PQexec(s->conn, "COMMIT");
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = map_result(s, r, e);
	else if (strcmp(PQcmdStatus(r), "COMMIT") != 0)
		rc = err_set(e, ERR_INTERNAL, NULL, "database error");
	PQclear(r);
	if (rc)
		pg_rollback(ss);
	s->txn_depth = 0;
	s->txn_failed = false;
	return rc;
}

/* A lost connection has no transaction left (PQTRANS_UNKNOWN). */
static bool pg_in_txn(struct store *ss)
{
	PGTransactionStatusType t = PQtransactionStatus(P(ss)->conn);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static int pg_txn_depth(struct store *ss)
{
	return pg_in_txn(ss) ? P(ss)->txn_depth : 0;
}

/* Identity columns, so an INSERT can return its new id (store_last_id). */
static void load_identities(struct pg *s)
{
	s->nids = 0;
	PGresult *r = PQexec(s->conn, "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = "
				      "a.attrelid WHERE a.attidentity <> '' AND c.relnamespace = "
				      "to_regnamespace(current_schema())::oid");
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		for (int i = 0; i < PQntuples(r) && s->nids < MAX_IDENTITY_TABLES; i++) {
			snprintf(s->ids[s->nids].table, sizeof s->ids[0].table, "%s", PQgetvalue(r, i, 0));
			snprintf(s->ids[s->nids].column, sizeof s->ids[0].column, "%s", PQgetvalue(r, i, 1));
			s->nids++;
		}
		s->ids_gen = s->gen;
	}
	PQclear(r);
}

/* "INSERT INTO t ..." without RETURNING into a table with an identity column. */
static const char *insert_identity(struct pg *s, const char *sql)
{
	while (*sql == ' ' || *sql == '\n' || *sql == '\t')
		sql++;
	if (strncmp(sql, "INSERT INTO ", 12) != 0 || strstr(sql, "RETURNING"))
		return NULL;
	if (s->ids_gen != s->gen)
		load_identities(s);
	const char *t = sql + 12;
	size_t n = strcspn(t, " (");
	for (int i = 0; i < s->nids; i++)
		if (strlen(s->ids[i].table) == n && !strncmp(s->ids[i].table, t, n))
			return s->ids[i].column;
	return NULL;
}

/* store_sync_ids: each identity sequence restarts after its column's
 * largest value. */
static int pg_sync_ids(struct store *ss, struct err *e)
{
	struct pg *s = P(ss);
	int rc = ensure_conn(s, e);
	if (rc)
		return rc;
	load_identities(s);
	if (s->ids_gen != s->gen)
		return err_set(e, ERR_INTERNAL, NULL, "cannot list the identity columns");
	for (int i = 0; rc == 0 && i < s->nids; i++) {
		const struct identity *id = &s->ids[i];
		char *table = PQescapeIdentifier(s->conn, id->table, strlen(id->table));
		char *column = PQescapeIdentifier(s->conn, id->column, strlen(id->column));
		char *table_lit = table ? PQescapeLiteral(s->conn, table, strlen(table)) : NULL;
		char *column_lit = PQescapeLiteral(s->conn, id->column, strlen(id->column));
		char sql[512];
		if (table && column && table_lit && column_lit) {
			snprintf(
			    sql, sizeof sql,
			    "SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max(%s), 0) + 1, false) FROM %s",
			    table_lit, column_lit, column, table);
			rc = run_sql(P(ss), sql, e);
		} else {
			rc = err_set(e, ERR_INTERNAL, NULL, "out of memory");
		}
		PQfreemem(table);
		PQfreemem(column);
		PQfreemem(table_lit);
		PQfreemem(column_lit);
	}
	return rc;
}

static int pg_prepare(struct store *ss, const char *sql, struct store_stmt **out, struct err *e)
{
	struct pg *s = P(ss);
	unsigned h = store_sql_hash(sql);
	struct pg_stmt **bucket = &s->buckets[h % STMT_BUCKETS];
	for (struct pg_stmt *st = *bucket; st; st = st->next) {
		if (!st->in_use && st->hash == h && strcmp(st->sql, sql) == 0) {
			st->in_use = true;
			*out = &st->base;
			return 0;
		}
	}
	int rc = ensure_conn(s, e);
	if (rc)
		return rc;
	struct pg_stmt *st = calloc(1, sizeof *st);
	if (!st)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	st->base.owner = ss;
	st->sql = strdup(sql);
	st->pgsql = pg_sql_statement(sql, &st->nparams);
	st->returning = insert_identity(s, sql);
	if (st->returning) {
		size_t n = strlen(st->pgsql);
		char *w = realloc(st->pgsql, n + strlen(st->returning) + 12);
		if (w) {
			sprintf(w + n, " RETURNING %s", st->returning);
			st->pgsql = w;
		}
	}
	int np = st->nparams > 0 ? st->nparams : 1;
	st->types = calloc((size_t)np, sizeof *st->types);
	st->values = calloc((size_t)np, sizeof *st->values);
	st->lengths = calloc((size_t)np, sizeof *st->lengths);
	st->formats = calloc((size_t)np, sizeof *st->formats);
	snprintf(st->name, sizeof st->name, "s%d", ++s->stmt_seq);
	st->hash = h;
	st->row = -1;
	st->in_use = true;
	st->next = *bucket;
	*bucket = st;
	*out = &st->base;
	return 0;
}

/* The generic plan of a prepared query, for LINLI_PLAN_LOG (tests only),
 * with sequential scans priced out of reach: one shows only where no
 * index serves the query. */
static void pg_plan_log(struct pg *s, const struct pg_stmt *st, bool in_txn)
{
	if (in_txn)
		PQclear(PQexec(s->conn, "SAVEPOINT linli_plan"));
	PQclear(PQexec(s->conn, "SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan"));
	struct buf b = {0};
	buf_printf(&b, "EXPLAIN EXECUTE %s", st->name);
	for (int i = 0; i < st->nparams; i++)
		buf_puts(&b, i ? ", NULL" : "(NULL");
	if (st->nparams > 0)
		buf_puts(&b, ")");
	PGresult *r = PQexec(s->conn, buf_cstr(&b));
	buf_free(&b);
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	int n = ok ? PQntuples(r) : 0;
	const char **lines = n ? calloc((size_t)n, sizeof *lines) : NULL;
	for (int i = 0; lines && i < n; i++)
		lines[i] = PQgetvalue(r, i, 0);
	if (lines)
		store_plan_write(st->sql, lines, n);
	free(lines);
	PQclear(r);
	if (in_txn)
		PQclear(PQexec(s->conn, ok ? "RELEASE SAVEPOINT linli_plan" : "ROLLBACK TO SAVEPOINT linli_plan"));
}

/* Prepares on the current connection; parameters the server cannot type from
 * context ("could not determine data type of parameter $n") become text.
 * Inside a transaction a savepoint keeps a failed attempt from poisoning it. */
static int server_prepare(struct pg *s, struct pg_stmt *st, struct err *e)
{
	bool in_txn = PQtransactionStatus(s->conn) == PQTRANS_INTRANS;
	if (in_txn)
		PQclear(PQexec(s->conn, "SAVEPOINT linli_prepare"));
	for (;;) {
		PGresult *r = PQprepare(s->conn, st->name, st->pgsql, st->nparams, st->types);
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			PQclear(r);
			if (in_txn)
				PQclear(PQexec(s->conn, "RELEASE SAVEPOINT linli_prepare"));
			st->prepared_gen = s->gen;
			if (store_plan_log_on() && store_plan_is_query(st->sql))
				pg_plan_log(s, st, in_txn);
			return 0;
		}
		if (in_txn)
			PQclear(PQexec(s->conn, "ROLLBACK TO SAVEPOINT linli_prepare"));
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		const char *dollar = msg ? strchr(msg, '$') : NULL;
		int n = dollar ? lead_int(dollar + 1, 0) : 0;
		if (state && (!strcmp(state, "42P18") || !strcmp(state, "42P08")) && n >= 1 && n <= st->nparams &&
		    st->types[n - 1] != TEXTOID) {
			st->types[n - 1] = TEXTOID;
			PQclear(r);
			continue;
		}
		log_error("prepare failed: %s: %s", msg ? msg : "?", st->pgsql);
		int rc = map_result(s, r, e);
		PQclear(r);
		if (in_txn)
			PQclear(PQexec(s->conn, "RELEASE SAVEPOINT linli_prepare"));
		return rc;
	}
}

static void pg_done(struct store_stmt *sst)
{
	struct pg_stmt *st = PS(sst);
	stmt_clear_result(st);
	for (int i = 0; i < st->nparams; i++) {
		free(st->values[i]);
		st->values[i] = NULL;
		st->lengths[i] = 0;
		st->formats[i] = 0;
	}
	st->in_use = false;
}

static int pg_bind_one(struct store_stmt *sst, int idx, const struct store_value *v)
{
	struct pg_stmt *st = PS(sst);
	if (idx < 1 || idx > st->nparams)
		return ERR_INTERNAL;
	int i = idx - 1;
	free(st->values[i]);
	st->values[i] = NULL;
	st->formats[i] = 0;
	st->lengths[i] = 0;
	char tmp[40];
	switch (v->type) {
	case 'i':
		snprintf(tmp, sizeof tmp, "%lld", (long long)v->i);
		st->values[i] = strdup(tmp);
		break;
	case 'd':
		snprintf(tmp, sizeof tmp, "%.17g", v->d);
		st->values[i] = strdup(tmp);
		break;
	case 't':
		if (v->t)
			st->values[i] = strdup(v->t);
		break;
	case 'b':
		if (v->p) {
			st->values[i] = malloc(v->n ? v->n : 1);
			if (st->values[i])
				memcpy(st->values[i], v->p, v->n);
			st->lengths[i] = (int)v->n;
			st->formats[i] = 1;
		}
		break;
	case 'n':
		break;
	default:
		return ERR_INTERNAL;
	}
	return 0;
}

static int pg_step(struct store_stmt *sst, struct err *e)
{
	struct pg_stmt *st = PS(sst);
	struct pg *s = P(sst->owner);
	if (!st->executed) {
		int rc = ensure_conn(s, e);
		if (rc == 0 && st->prepared_gen != s->gen)
			rc = server_prepare(s, st, e);
		if (rc)
			return rc;
		PGresult *r = PQexecPrepared(s->conn, st->name, st->nparams, (const char *const *)st->values,
					     st->lengths, st->formats, 0);
		ExecStatusType es = PQresultStatus(r);
		if (es != PGRES_TUPLES_OK && es != PGRES_COMMAND_OK) {
			rc = map_result(s, r, e);
			PQclear(r);
			return rc;
		}
		st->executed = true;
		s->changes = lead_int(PQcmdTuples(r), 0); /* "" for statements without a count */
		if (st->returning) {
			if (es == PGRES_TUPLES_OK && PQntuples(r) > 0)
				s->last_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
			PQclear(r);
			return STORE_DONE;
		}
		if (es == PGRES_COMMAND_OK) {
			PQclear(r);
			return STORE_DONE;
		}
		st->res = r;
		st->row = -1;
	}
	if (!st->res)
		return STORE_DONE;
	stmt_free_blobs(st);
	return ++st->row < PQntuples(st->res) ? STORE_ROW : STORE_DONE;
}

static const char *cell(struct store_stmt *sst, int i)
{
	struct pg_stmt *st = PS(sst);
	if (!st->res || st->row < 0 || st->row >= PQntuples(st->res) || i >= PQnfields(st->res) ||
	    PQgetisnull(st->res, st->row, i))
		return NULL;
	return PQgetvalue(st->res, st->row, i);
}

/* Booleans come back as t/f; SQLite gives 1/0 for the same expressions. */
static int64_t pg_col_int(struct store_stmt *st, int i)
{
	const char *v = cell(st, i);
	if (!v)
		return 0;
	if (v[0] == 't' && !v[1])
		return 1;
	return strtoll(v, NULL, 10);
}

static double pg_col_double(struct store_stmt *st, int i)
{
	const char *v = cell(st, i);
	if (v && v[0] == 't' && !v[1])
		return 1;
	return v ? strtod(v, NULL) : 0;
}

static const char *pg_col_text(struct store_stmt *st, int i)
{
	return cell(st, i);
}

static const void *pg_col_blob(struct store_stmt *sst, int i, size_t *len)
{
	struct pg_stmt *st = PS(sst);
	const char *v = cell(sst, i);
	*len = 0;
	if (!v)
		return NULL;
	if (PQftype(st->res, i) != BYTEAOID) {
		*len = strlen(v);
		return v;
	}
	if (!st->blobs) {
		st->blobs = calloc((size_t)PQnfields(st->res), sizeof *st->blobs);
		if (!st->blobs)
			return NULL;
		st->nblobs = PQnfields(st->res);
	}
	struct pg_blob *b = &st->blobs[i];
	if (!b->p)
		b->p = PQunescapeBytea((const unsigned char *)v, &b->n);
	*len = b->p ? b->n : 0;
	return b->p;
}

static bool pg_col_null(struct store_stmt *st, int i)
{
	return cell(st, i) == NULL;
}

/* By the column's type OID: int2/4/8, float4/8 and numeric, bytea, boolean
 * (as SQLite's 0/1 integers), the rest text. */
static char pg_col_type(struct store_stmt *st, int i)
{
	if (!cell(st, i))
		return 'n';
	switch (PQftype(PS(st)->res, i)) {
	case 20:
	case 21:
	case 23:
	case 16:
		return 'i';
	case 700:
	case 701:
	case 1700:
		return 'd';
	case BYTEAOID:
		return 'b';
	default:
		return 't';
	}
}

static int pg_col_count(struct store_stmt *st)
{
	return PS(st)->res ? PQnfields(PS(st)->res) : 0;
}

static const char *pg_col_name(struct store_stmt *st, int i)
{
	return PS(st)->res ? PQfname(PS(st)->res, i) : NULL;
}

static int64_t pg_last_id(struct store *s)
{
	return P(s)->last_id;
}

static int pg_changes(struct store *s)
{
	return P(s)->changes;
}

static int pg_schema_version(struct store *ss)
{
	struct pg *s = P(ss);
	if (ensure_conn(s, NULL))
		return -1;
	PGresult *r = PQexec(s->conn, "SELECT to_regclass('linli_schema') IS NOT NULL");
	bool exists = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	if (!ok)
		return -1;
	if (!exists)
		return 0;
	r = PQexec(s->conn, "SELECT max(version) FROM linli_schema");
	/* max() of no rows is NULL, which libpq gives as "": version 0. */
	int v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? lead_int(PQgetvalue(r, 0, 0), 0) : -1;
	PQclear(r);
	return v;
}

static int pg_set_schema_version(struct store *s, int version, struct err *e)
{
	char sql[160];
	snprintf(sql, sizeof sql,
		 "CREATE TABLE IF NOT EXISTS linli_schema (version integer NOT NULL); DELETE FROM linli_schema; "
		 "INSERT INTO linli_schema VALUES (%d)",
		 version);
	return pg_exec(s, sql, e);
}

static char *pg_migration_sql(const unsigned char *text, size_t len)
{
	return pg_sql_migration(text, len, STORE_POSTGRES);
}

/* Bulk loading commits without waiting for the WAL flush; optimizing
 * makes every commit durable again and refreshes the planner's statistics. */
static int pg_bulk_load(struct store *s, bool on, struct err *e)
{
	return pg_exec(s, on ? "SET synchronous_commit = off" : "SET synchronous_commit = on", e);
}

static int pg_optimize(struct store *s, struct err *e)
{
	return pg_exec(s, "SET synchronous_commit = on; ANALYZE", e);
}

static int pg_refresh_stats(struct store *s, struct err *e)
{
	(void)s;
	(void)e;
	return 0;
}

/* pg_dump's custom format: restorable with pg_restore into an empty database. */
static int pg_backup(struct store *ss, const char *path, struct err *e)
{
	struct pg *s = P(ss);
	char tmp[4096], dbarg[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	/* Rebuild the URL-less connection string from the live connection. */
	snprintf(dbarg, sizeof dbarg, "host=%s port=%s dbname=%s user=%s", PQhost(s->conn), PQport(s->conn),
		 PQdb(s->conn), PQuser(s->conn));
	const char *pw = PQpass(s->conn);
	if (pw && *pw)
		setenv("PGPASSWORD", pw, 1);
	char *argv[] = {"pg_dump", "--format=custom", "--no-owner", "--file", tmp, "--dbname", dbarg, NULL};
	pid_t pid;
	if (posix_spawnp(&pid, "pg_dump", NULL, NULL, argv, environ) != 0)
		return err_set(e, ERR_IO, "out", "cannot run pg_dump (install postgresql-client)");
	int status = 0;
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		remove(tmp);
		return err_set(e, ERR_IO, "out", "pg_dump failed (exit %d)",
			       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	if (rename(tmp, path) != 0)
		return err_set(e, ERR_IO, "out", "cannot write %s", path);
	return 0;
}

/* PostgreSQL alters tables in place inside the migration's transaction:
 * references stay enforced throughout. */
static int pg_fk_enforce(struct store *s, bool on, struct err *e)
{
	return 0;
}

static int pg_fk_verify(struct store *s, struct err *e)
{
	return 0;
}

/* PostgreSQL enforces constraints as it goes; what can still be wrong is a
 * constraint left unvalidated or an index left invalid by a failed build. */
static int pg_check(struct store *ss, char *report, size_t cap, struct err *e)
{
	struct pg *s = P(ss);
	report[0] = 0;
	size_t used = 0;
	int problems = 0;
	PGresult *r = PQexec(s->conn, "SELECT 'constraint ' || conname || ' not validated' FROM pg_constraint WHERE "
				      "NOT convalidated UNION ALL SELECT 'index ' || indexrelid::regclass::text || ' "
				      "invalid' FROM pg_index WHERE NOT indisvalid");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = map_result(s, r, e);
		PQclear(r);
		return rc;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		problems++;
		if (used < cap)
			used += (size_t)snprintf(report + used, cap - used, "%s\n", PQgetvalue(r, i, 0));
	}
	PQclear(r);
	return problems;
}

static const struct store_ops pg_ops = {
    .dialect = STORE_POSTGRES,
    .close = pg_close,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_txn = pg_in_txn,
    .txn_depth = pg_txn_depth,
    .prepare = pg_prepare,
    .done = pg_done,
    .bind_one = pg_bind_one,
    .step = pg_step,
    .col_int = pg_col_int,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .col_null = pg_col_null,
    .col_type = pg_col_type,
    .col_count = pg_col_count,
    .col_name = pg_col_name,
    .last_id = pg_last_id,
    .changes = pg_changes,
    .schema_version = pg_schema_version,
    .set_schema_version = pg_set_schema_version,
    .migration_sql = pg_migration_sql,
    .fk_enforce = pg_fk_enforce,
    .fk_verify = pg_fk_verify,
    .bulk_load = pg_bulk_load,
    .optimize = pg_optimize,
    .refresh_stats = pg_refresh_stats,
    .sync_ids = pg_sync_ids,
    .backup = pg_backup,
    .check = pg_check,
};
