/*
 * store.c — the backend-independent half of store.h: dispatch through the
 * ops table (store_impl.h), the one-shot helpers and the migration runner.
 * Opening by URL is store_open.c's; what differs between the engines is
 * each backend's own ops.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/embedded.h"
#include "base/log.h"
#include "store/store_impl.h"

void store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}

enum store_dialect store_dialect(const struct store *s)
{
	return s->ops->dialect;
}

int store_exec(struct store *s, const char *sql, struct err *e)
{
	return s->ops->exec(s, sql, e);
}

int store_begin(struct store *s, struct err *e)
{
	return s->ops->begin(s, true, e);
}

int store_begin_read(struct store *s, struct err *e)
{
	return s->ops->begin(s, false, e);
}

int store_commit(struct store *s, struct err *e)
{
	return s->ops->commit(s, e);
}

void store_rollback(struct store *s)
{
	s->ops->rollback(s);
}

bool store_in_txn(struct store *s)
{
	return s->ops->in_txn(s);
}

int store_txn_depth(struct store *s)
{
	return s->ops->txn_depth(s);
}

void store_txn_floor(struct store *s, int n)
{
	if (s->ops->txn_floor)
		s->ops->txn_floor(s, n);
}

bool store_single_writer(const struct store *s)
{
	return s->ops->single_writer;
}

int store_prepare(struct store *s, const char *sql, struct store_stmt **out, struct err *e)
{
	return s->ops->prepare(s, sql, out, e);
}

void store_done(struct store_stmt *st)
{
	if (st)
		st->owner->ops->done(st);
}

/* Binds fmt's arguments to the parameters from idx on, each handed to the
 * backend as a struct store_value. */
static int bind_va(struct store_stmt *st, int idx, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int rc = 0;
	for (const char *f = fmt; f && *f && rc == 0; f++, idx++) {
		struct store_value v = {.type = *f};
		switch (*f) {
		case 'i':
			v.i = va_arg(copy, int64_t);
			break;
		case 'd':
			v.d = va_arg(copy, double);
			break;
		case 't':
			v.t = va_arg(copy, const char *);
			break;
		case 'b':
			v.p = va_arg(copy, const void *);
			v.n = va_arg(copy, size_t);
			break;
		case 'n':
			break;
		default:
			rc = ERR_INTERNAL; /* not a store_bind letter: its argument cannot be skipped */
			continue;
		}
		rc = st->owner->ops->bind_one(st, idx, &v);
	}
	va_end(copy);
	return rc;
}

int store_bind_at(struct store_stmt *st, int idx, int type, ...)
{
	const char fmt[2] = {(char)type, 0}; /* int: va_start after a promoted type is undefined */
	va_list ap;
	va_start(ap, type);
	int rc = bind_va(st, idx, fmt, ap);
	va_end(ap);
	return rc;
}

int store_bind(struct store_stmt *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = bind_va(st, 1, fmt, ap);
	va_end(ap);
	return rc;
}

int store_step(struct store_stmt *st, struct err *e)
{
	return st->owner->ops->step(st, e);
}

int64_t store_col_int(struct store_stmt *st, int i)
{
	return st->owner->ops->col_int(st, i);
}

double store_col_double(struct store_stmt *st, int i)
{
	return st->owner->ops->col_double(st, i);
}

const char *store_col_text(struct store_stmt *st, int i)
{
	return st->owner->ops->col_text(st, i);
}

const void *store_col_blob(struct store_stmt *st, int i, size_t *len)
{
	return st->owner->ops->col_blob(st, i, len);
}

bool store_col_null(struct store_stmt *st, int i)
{
	return st->owner->ops->col_null(st, i);
}

char store_col_type(struct store_stmt *st, int i)
{
	return st->owner->ops->col_type(st, i);
}

int store_col_count(struct store_stmt *st)
{
	return st->owner->ops->col_count(st);
}

const char *store_col_name(struct store_stmt *st, int i)
{
	return st->owner->ops->col_name(st, i);
}

int64_t store_last_id(struct store *s)
{
	return s->ops->last_id(s);
}

int store_changes(struct store *s)
{
	return s->ops->changes(s);
}

int store_schema_version(struct store *s)
{
	return s->ops->schema_version(s);
}

int store_backup(struct store *s, const char *path, struct err *e)
{
	return s->ops->backup(s, path, e);
}

int store_check(struct store *s, char *report, size_t cap, struct err *e)
{
	return s->ops->check(s, report, cap, e);
}

int store_bulk_load(struct store *s, bool on, struct err *e)
{
	return s->ops->bulk_load(s, on, e);
}

int store_optimize(struct store *s, struct err *e)
{
	return s->ops->optimize(s, e);
}

int store_refresh_stats(struct store *s, struct err *e)
{
	return s->ops->refresh_stats(s, e);
}

int store_sync_ids(struct store *s, struct err *e)
{
	return s->ops->sync_ids(s, e);
}

/* Prepares sql and binds fmt's arguments; on failure nothing is left in use. */
static int prepare_bound(struct store *s, struct err *e, const char *sql, const char *fmt, va_list ap,
			 struct store_stmt **out)
{
	int rc = store_prepare(s, sql, out, e);
	if (rc)
		return rc;
	rc = bind_va(*out, 1, fmt, ap);
	if (rc) {
		store_done(*out);
		return err_set(e, rc, NULL, "bind failed");
	}
	return 0;
}

int store_run(struct store *s, struct err *e, const char *sql, const char *fmt, ...)
{
	struct store_stmt *st;
	va_list ap;
	va_start(ap, fmt);
	int rc = prepare_bound(s, e, sql, fmt, ap, &st);
	va_end(ap);
	if (rc)
		return rc;
	rc = store_step(st, e);
	store_done(st);
	return rc < 0 ? rc : 0;
}

int store_int(struct store *s, struct err *e, int64_t *out, const char *sql, const char *fmt, ...)
{
	struct store_stmt *st;
	va_list ap;
	va_start(ap, fmt);
	int rc = prepare_bound(s, e, sql, fmt, ap, &st);
	va_end(ap);
	if (rc)
		return rc;
	rc = store_step(st, e);
	if (rc == STORE_ROW) {
		*out = store_col_int(st, 0);
		rc = 0;
	} else if (rc == STORE_DONE) {
		rc = ERR_NOT_FOUND;
	}
	store_done(st);
	return rc;
}

/* A migration may stop itself where going on would lose data silently: a
 * line "-- @refuse SELECT …" followed by "-- @because MESSAGE" fails the
 * migration when the query finds rows, with the message and the first
 * column of up to 20 of them (010: usernames differing only in case). */
static int check_refusals(struct store *s, const char *sql, int ver, struct err *e)
{
	for (const char *p = strstr(sql, "-- @refuse "); p; p = strstr(p + 1, "-- @refuse ")) {
		const char *q = p + 11, *nl = strchr(q, '\n');
		const char *because = nl ? nl + 1 : NULL;
		if (!nl || strncmp(because, "-- @because ", 12) != 0)
			return err_set(e, ERR_INTERNAL, NULL, "migration %d: @refuse without @because", ver);
		because += 12;
		const char *bend = strchr(because, '\n');
		char *query = strndup(q, (size_t)(nl - q));
		struct store_stmt *st;
		int rc = query ? store_prepare(s, query, &st, e) : ERR_INTERNAL;
		free(query);
		if (rc)
			return rc;
		char found[512] = "";
		int n = 0;
		size_t used = 0;
		while ((rc = store_step(st, e)) == STORE_ROW && n < 20) {
			const char *v = store_col_text(st, 0);
			int w = snprintf(found + used, sizeof found - used, "%s%s", n ? ", " : "", v ? v : "NULL");
			if (w > 0 && (size_t)w < sizeof found - used)
				used += (size_t)w;
			n++;
		}
		store_done(st);
		if (rc < 0)
			return rc;
		if (n)
			return err_set(e, ERR_CONFLICT, NULL, "迁移%d未执行 / migration %d not applied: %s — %.*s", ver,
				       ver, found, bend ? (int)(bend - because) : (int)strlen(because), because);
	}
	return 0;
}

/* Each migration is one transaction: its SQL as this engine runs it, then
 * the schema version. One that rebuilds tables (a line "-- @rebuild") runs
 * with foreign keys unenforced and verified once before it commits. */
static int apply_migration(struct store *s, const struct embedded_file *f, int ver, struct err *e)
{
	char *sql = s->ops->migration_sql(f->data, f->len);
	if (!sql)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	bool rebuild = strstr(sql, "\n-- @rebuild\n") != NULL;
	int rc = rebuild ? s->ops->fk_enforce(s, false, e) : 0;
	if (rc == 0)
		rc = store_begin(s, e);
	if (rc == 0) {
		rc = check_refusals(s, sql, ver, e);
		if (rc == 0)
			rc = store_exec(s, sql, e);
		if (rc == 0 && rebuild)
			rc = s->ops->fk_verify(s, e);
		if (rc == 0)
			rc = s->ops->set_schema_version(s, ver, e);
		if (rc == 0)
			rc = store_commit(s, e);
		else
			store_rollback(s);
	}
	free(sql);
	if (rebuild) {
		struct err e2 = {0};
		int rc2 = s->ops->fk_enforce(s, true, &e2);
		if (rc == 0 && rc2)
			rc = err_set(e, rc2, NULL, "%s", e2.msg);
	}
	return rc;
}

int store_migrate(struct store *s, struct err *e)
{
	return store_migrate_to(s, INT_MAX, e);
}

int store_migrate_to(struct store *s, int upto, struct err *e)
{
	int have = store_schema_version(s);
	if (have < 0)
		return err_set(e, ERR_INTERNAL, NULL, "cannot read schema version");
	for (size_t i = 0; i < embedded_count; i++) {
		const struct embedded_file *f = &embedded_files[i];
		if (strncmp(f->path, "src/store/migrations/", 21) != 0)
			continue;
		const char *base = f->path + 21;
		char *end = NULL;
		long ver = strtol(base, &end, 10); /* NNN_name.sql */
		if (end == base || *end != '_' || ver <= 0 || ver > INT_MAX)
			return err_set(e, ERR_INTERNAL, NULL, "migration %s has no version number", base);
		if (ver <= have || ver > upto)
			continue;
		int rc = apply_migration(s, f, (int)ver, e);
		if (rc)
			return rc;
		log_info("migrated database to schema %ld (%s)", ver, base);
		have = (int)ver;
	}
	return 0;
}
