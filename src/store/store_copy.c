/*
 * store_copy.c — whole-database copy and verification (see store_copy.h).
 *
 * Tables are read in primary-key order in chunks (keyset: "WHERE key > last
 * ORDER BY key LIMIT n"), so neither engine holds a large result at once, and
 * written with multi-row INSERTs of up to ROWS_PER_INSERT rows. Values keep
 * the type the source gives them (store_col_type) from reading through
 * binding to hashing. Text keys order the same on both engines: SQLite
 * compares bytes, and PostgreSQL's text columns are COLLATE "C" (pg_sql.h).
 */
#include "store/store_copy.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "store/store_copy_plan.h"

#define READ_CHUNK      10000
#define ROWS_PER_INSERT 500
#define MAX_PARAMS      30000 /* below SQLite's 32766 variables and PostgreSQL's 65535 parameters */

/* One value of the current row; p points into the statement's row. */
struct val {
	char type; /* 'i' 'd' 't' 'b' 'n' */
	int64_t i;
	double d;
	const void *p;
	size_t n;
};

static void read_val(struct store_stmt *st, int c, struct val *v)
{
	v->type = store_col_type(st, c);
	v->p = NULL;
	v->n = 0;
	switch (v->type) {
	case 'i':
		v->i = store_col_int(st, c);
		break;
	case 'd':
		v->d = store_col_double(st, c);
		break;
	case 't':
		v->p = store_col_text(st, c);
		v->n = strlen(v->p);
		break;
	case 'b':
		v->p = store_col_blob(st, c, &v->n);
		if (!v->p)
			v->p = ""; /* SQLite gives NULL for an empty blob */
		break;
	default:
		v->type = 'n';
	}
}

/* ---- checksums ---- */

struct hasher {
	crypto_generichash_state st;
	size_t n;
	unsigned char buf[65536];
};

static void hash_bytes(struct hasher *h, const void *p, size_t n)
{
	if (h->n + n > sizeof h->buf) {
		crypto_generichash_update(&h->st, h->buf, h->n);
		h->n = 0;
	}
	if (n > sizeof h->buf) {
		crypto_generichash_update(&h->st, p, n);
		return;
	}
	memcpy(h->buf + h->n, p, n);
	h->n += n;
}

static void hash_u64(struct hasher *h, uint64_t x)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(x >> (8 * i));
	hash_bytes(h, b, 8);
}

/* A type letter, then int64 or the double's bits (little-endian), or the
 * length and the bytes; NULL is the letter alone. */
static void hash_val(struct hasher *h, const struct val *v)
{
	hash_bytes(h, &v->type, 1);
	switch (v->type) {
	case 'i':
		hash_u64(h, (uint64_t)v->i);
		break;
	case 'd': {
		uint64_t bits;
		memcpy(&bits, &v->d, sizeof bits);
		hash_u64(h, bits);
		break;
	}
	case 't':
	case 'b':
		hash_u64(h, v->n);
		hash_bytes(h, v->p, v->n);
		break;
	default:
		break;
	}
}

static void hash_final(struct hasher *h, unsigned char out[STORE_COPY_SUM_BYTES])
{
	crypto_generichash_update(&h->st, h->buf, h->n);
	h->n = 0;
	crypto_generichash_final(&h->st, out, STORE_COPY_SUM_BYTES);
}

/* ---- the writer: rows buffered and inserted many per statement ---- */

struct slot {
	char type;
	int64_t i;
	double d;
	size_t off, n; /* text and blobs: in bytes */
};

struct fixup {
	int64_t id, value;
	int col;
};

struct writer {
	struct store *dst;
	const struct store_copy_plan_table *t;
	const struct store_copy_cols *c;
	int per_insert;
	int rows;
	struct slot *slots;
	struct buf bytes;
	struct fixup *fix;
	size_t nfix, capfix;
};

static int writer_flush(struct writer *w, struct err *e)
{
	if (w->rows == 0)
		return 0;
	const struct store_copy_cols *c = w->c;
	struct buf sql = {0};
	buf_printf(&sql, "INSERT INTO %s (%s) VALUES ", w->t->name, c->list);
	for (int r = 0; r < w->rows; r++) {
		buf_puts(&sql, r ? ", (" : "(");
		for (int i = 0; i < c->n; i++)
			buf_puts(&sql, i ? ", ?" : "?");
		buf_puts(&sql, ")");
	}
	struct store_stmt *st = NULL;
	int rc = store_prepare(w->dst, buf_cstr(&sql), &st, e);
	buf_free(&sql);
	for (int k = 0; rc == 0 && k < w->rows * c->n; k++) {
		const struct slot *s = &w->slots[k];
		const char *p = w->bytes.data + s->off;
		switch (s->type) {
		case 'i':
			rc = store_bind_at(st, k + 1, 'i', s->i);
			break;
		case 'd':
			rc = store_bind_at(st, k + 1, 'd', s->d);
			break;
		case 't':
			rc = store_bind_at(st, k + 1, 't', p);
			break;
		case 'b':
			rc = store_bind_at(st, k + 1, 'b', (const void *)p, s->n);
			break;
		default:
			rc = store_bind_at(st, k + 1, 'n');
		}
		if (rc)
			rc = err_set(e, ERR_INTERNAL, NULL, "%s: cannot bind a value", w->t->name);
	}
	if (rc == 0) {
		rc = store_step(st, e);
		rc = rc < 0 ? rc : 0;
	}
	if (st)
		store_done(st);
	w->rows = 0;
	buf_reset(&w->bytes);
	return rc;
}

static int writer_add(struct writer *w, const struct val *v, struct err *e)
{
	const struct store_copy_cols *c = w->c;
	struct slot *row = &w->slots[(size_t)w->rows * (size_t)c->n];
	for (int i = 0; i < c->n; i++) {
		struct slot *s = &row[i];
		s->type = v[i].type;
		s->i = v[i].i;
		s->d = v[i].d;
		if (s->type == 't' || s->type == 'b') {
			s->off = w->bytes.len;
			s->n = v[i].n;
			buf_append(&w->bytes, v[i].p, v[i].n);
			buf_append(&w->bytes, "", 1); /* text binds NUL-terminated */
		}
		/* A reference to a row of the same table not copied yet waits. */
		if (c->self_ref[i] && v[i].type == 'i' && v[c->id].type == 'i' && v[i].i > v[c->id].i) {
			if (w->nfix == w->capfix) {
				size_t cap = w->capfix ? w->capfix * 2 : 64;
				struct fixup *f = realloc(w->fix, cap * sizeof *f);
				if (!f)
					return err_set(e, ERR_INTERNAL, NULL, "out of memory");
				w->fix = f;
				w->capfix = cap;
			}
			w->fix[w->nfix++] = (struct fixup){.id = v[c->id].i, .value = v[i].i, .col = i};
			s->type = 'n';
		}
	}
	return ++w->rows == w->per_insert ? writer_flush(w, e) : 0;
}

static int writer_fixups(struct writer *w, struct err *e)
{
	int rc = 0;
	for (size_t k = 0; rc == 0 && k < w->nfix; k++) {
		char sql[256];
		snprintf(sql, sizeof sql, "UPDATE %s SET \"%s\" = ? WHERE \"%s\" = ?", w->t->name,
			 w->c->name[w->fix[k].col], w->c->name[w->c->id]);
		rc = store_run(w->dst, e, sql, "ii", w->fix[k].value, w->fix[k].id);
	}
	return rc;
}

/* ---- reading a table in key order ---- */

struct key_copy {
	struct val v[STORE_COPY_MAX_KEY];
	struct buf bytes[STORE_COPY_MAX_KEY];
};

static void key_remember(struct key_copy *k, const struct store_copy_cols *c, const struct val *row)
{
	for (int j = 0; j < c->nkey; j++) {
		k->v[j] = row[c->key[j]];
		if (k->v[j].type == 't' || k->v[j].type == 'b') {
			buf_reset(&k->bytes[j]);
			buf_append(&k->bytes[j], k->v[j].p, k->v[j].n);
			k->v[j].p = buf_cstr(&k->bytes[j]);
		}
	}
}

static int bind_key(struct store_stmt *st, const struct key_copy *k, int nkey)
{
	int rc = 0;
	for (int j = 0; rc == 0 && j < nkey; j++) {
		const struct val *v = &k->v[j];
		switch (v->type) {
		case 'i':
			rc = store_bind_at(st, j + 1, 'i', v->i);
			break;
		case 'd':
			rc = store_bind_at(st, j + 1, 'd', v->d);
			break;
		case 't':
			rc = store_bind_at(st, j + 1, 't', (const char *)v->p);
			break;
		case 'b':
			rc = store_bind_at(st, j + 1, 'b', v->p, v->n);
			break;
		default:
			rc = ERR_INTERNAL; /* keys are never NULL */
		}
	}
	return rc;
}

struct scan {
	struct store *s;
	const struct store_copy_plan_table *t;
	const struct store_copy_cols *c;
	struct writer *w; /* NULL: read only */
	store_copy_progress *progress;
	void *arg;
	int64_t rows;
	unsigned char sum[STORE_COPY_SUM_BYTES];
};

/* Reads every row of the table in key order, hashing it (and handing it to
 * the writer). */
static int scan_table(struct scan *sc, struct err *e)
{
	const struct store_copy_cols *c = sc->c;
	struct buf first = {0}, next = {0};
	buf_printf(&first, "SELECT %s FROM %s ORDER BY %s LIMIT %d", c->list, sc->t->name, c->order, READ_CHUNK);
	buf_printf(&next, "SELECT %s FROM %s WHERE (%s) > (", c->list, sc->t->name, c->order);
	for (int j = 0; j < c->nkey; j++)
		buf_puts(&next, j ? ", ?" : "?");
	buf_printf(&next, ") ORDER BY %s LIMIT %d", c->order, READ_CHUNK);
	struct hasher *h = malloc(sizeof *h);
	struct key_copy *last = calloc(1, sizeof *last);
	int rc = h && last ? 0 : err_set(e, ERR_INTERNAL, NULL, "out of memory");
	if (h)
		crypto_generichash_init(&h->st, NULL, 0, STORE_COPY_SUM_BYTES);
	if (h)
		h->n = 0;
	sc->rows = 0;
	struct val row[STORE_COPY_MAX_COLS];
	for (bool more = true; rc == 0 && more;) {
		struct store_stmt *st;
		rc = store_prepare(sc->s, buf_cstr(sc->rows ? &next : &first), &st, e);
		if (rc)
			break;
		if (sc->rows && bind_key(st, last, c->nkey) != 0) {
			store_done(st);
			rc = err_set(e, ERR_INTERNAL, NULL, "%s: cannot bind the key", sc->t->name);
			break;
		}
		int n = 0;
		while (rc == 0 && (rc = store_step(st, e)) == STORE_ROW) {
			for (int i = 0; i < c->n; i++) {
				read_val(st, i, &row[i]);
				hash_val(h, &row[i]);
			}
			key_remember(last, c, row);
			n++;
			rc = sc->w ? writer_add(sc->w, row, e) : 0;
		}
		store_done(st);
		sc->rows += n;
		more = n == READ_CHUNK;
		if (rc == 0 && sc->progress)
			sc->progress(sc->arg, sc->t->name, sc->rows, !more);
	}
	if (rc == 0)
		hash_final(h, sc->sum);
	for (int j = 0; last && j < STORE_COPY_MAX_KEY; j++)
		buf_free(&last->bytes[j]);
	free(last);
	free(h);
	buf_free(&first);
	buf_free(&next);
	return rc;
}

static int count_rows(struct store *s, const char *table, int64_t *n, struct err *e)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	return store_int(s, e, n, sql, "");
}

static double now_secs(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report_init(struct store_copy_report *r)
{
	memset(r, 0, sizeof *r);
	r->ok = true;
}

/* The report lists the plan's tables, in copy order. */
static void report_tables(struct store_copy_report *r, const struct store_copy_plan *p)
{
	r->n = p->n;
	for (int i = 0; i < p->n; i++) {
		memcpy(r->tables[i].name, p->t[i].name, sizeof r->tables[i].name);
		r->tables[i].derived = p->t[i].derived;
	}
}

/* The plan from the source (in its read transaction) for this target. */
static int plan_load(struct store *src, struct store *dst, struct store_copy_report *r, struct store_copy_plan **out,
		     struct err *e)
{
	struct store_copy_plan *p = malloc(sizeof *p);
	int rc = p ? store_copy_plan_load(src, dst, p, e) : err_set(e, ERR_INTERNAL, NULL, "out of memory");
	if (rc) {
		free(p);
		return rc;
	}
	report_tables(r, p);
	*out = p;
	return 0;
}

static void plan_free(struct store_copy_plan *p)
{
	if (p)
		store_copy_plan_free(p);
	free(p);
}

/* One side of every table: counts, and checksums of the compared ones. s
 * must be in a read transaction. */
static int read_side(struct store *s, const struct store_copy_plan *p, struct store_copy_report *r, bool target,
		     struct err *e)
{
	int rc = 0;
	for (int i = 0; rc == 0 && i < p->n; i++) {
		struct store_copy_table *tr = &r->tables[i];
		int64_t *rows = target ? &tr->dst_rows : &tr->src_rows;
		if (p->t[i].derived) {
			rc = count_rows(s, p->t[i].name, rows, e);
			continue;
		}
		struct scan sc = {.s = s, .t = &p->t[i], .c = &p->t[i].c};
		rc = scan_table(&sc, e);
		*rows = sc.rows;
		memcpy(target ? tr->dst_sum : tr->src_sum, sc.sum, sizeof sc.sum);
	}
	return rc;
}

static void compare(struct store_copy_report *r)
{
	r->ok = true;
	for (int i = 0; i < r->n; i++) {
		struct store_copy_table *tr = &r->tables[i];
		tr->ok = tr->derived ||
			 (tr->src_rows == tr->dst_rows && !memcmp(tr->src_sum, tr->dst_sum, sizeof tr->src_sum));
		r->ok = r->ok && tr->ok;
	}
}

/* Copies one table inside dst's transaction, hashing the source's rows. */
static int copy_table(struct store *src, struct store *dst, const struct store_copy_plan_table *t,
		      struct store_copy_table *tr, store_copy_progress *progress, void *arg, struct err *e)
{
	const struct store_copy_cols *c = &t->c;
	struct writer w = {.dst = dst, .t = t, .c = c};
	w.per_insert = MAX_PARAMS / c->n < ROWS_PER_INSERT ? MAX_PARAMS / c->n : ROWS_PER_INSERT;
	w.slots = calloc((size_t)w.per_insert * (size_t)c->n, sizeof *w.slots);
	int rc = w.slots ? 0 : err_set(e, ERR_INTERNAL, NULL, "out of memory");
	struct scan sc = {.s = src, .t = t, .c = c, .w = &w, .progress = progress, .arg = arg};
	if (rc == 0)
		rc = scan_table(&sc, e);
	if (rc == 0)
		rc = writer_flush(&w, e);
	if (rc == 0)
		rc = writer_fixups(&w, e);
	tr->src_rows = sc.rows;
	memcpy(tr->src_sum, sc.sum, sizeof sc.sum);
	free(w.slots);
	free(w.fix);
	buf_free(&w.bytes);
	return rc;
}

/*
 * Building an index, or checking a foreign key, once over all the rows is
 * several times faster than doing it row by row. While the rows go in, the
 * target's secondary indexes (and on PostgreSQL its foreign keys) are set
 * aside; they are restored afterwards in the same transaction, where adding
 * a foreign key checks every row. (SQLite's foreign keys stay: they cannot
 * be turned off inside a transaction.)
 */
struct set_aside {
	char **restore;
	int n, cap;
};

static void set_aside_free(struct set_aside *sa)
{
	for (int i = 0; i < sa->n; i++)
		free(sa->restore[i]);
	free(sa->restore);
	memset(sa, 0, sizeof *sa);
}

static int set_aside(struct store *dst, struct set_aside *sa, struct err *e)
{
	const char *sql =
	    store_dialect(dst) == STORE_POSTGRES
		? "SELECT 'ALTER TABLE ' || quote_ident(t.relname) || ' DROP CONSTRAINT ' || quote_ident(k.conname), "
		  "'ALTER TABLE ' || quote_ident(t.relname) || ' ADD CONSTRAINT ' || quote_ident(k.conname) || ' ' || "
		  "pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid WHERE "
		  "k.contype = 'f' AND t.relnamespace = to_regnamespace(current_schema())::oid "
		  "UNION ALL SELECT 'DROP INDEX ' || quote_ident(c.relname), pg_get_indexdef(i.indexrelid) FROM "
		  "pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = "
		  "to_regnamespace(current_schema())::oid AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE "
		  "k.conindid = i.indexrelid)"
		: "SELECT 'DROP INDEX ' || name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL";
	struct store_stmt *st;
	int rc = store_prepare(dst, sql, &st, e);
	if (rc)
		return rc;
	struct buf drops = {0};
	while ((rc = store_step(st, e)) == STORE_ROW) {
		buf_printf(&drops, "%s;\n", store_col_text(st, 0));
		if (sa->n == sa->cap) {
			int cap = sa->cap ? sa->cap * 2 : 32;
			char **r = realloc(sa->restore, (size_t)cap * sizeof *r);
			if (!r) {
				rc = err_set(e, ERR_INTERNAL, NULL, "out of memory");
				break;
			}
			sa->restore = r;
			sa->cap = cap;
		}
		sa->restore[sa->n] = strdup(store_col_text(st, 1));
		if (!sa->restore[sa->n]) {
			rc = err_set(e, ERR_INTERNAL, NULL, "out of memory");
			break;
		}
		sa->n++;
	}
	store_done(st);
	if (rc == STORE_DONE && drops.len)
		rc = store_exec(dst, buf_cstr(&drops), e);
	buf_free(&drops);
	return rc;
}

/* Indexes first (listed last), then the foreign keys that may use them. */
static int restore_set_aside(struct store *dst, const struct set_aside *sa, struct err *e)
{
	int rc = 0;
	for (int i = sa->n - 1; rc == 0 && i >= 0; i--)
		rc = store_exec(dst, sa->restore[i], e);
	return rc;
}

/* Inside both transactions: the schema, the plan (read from the source
 * once the target has the same schema), then every table. */
static int copy_all(struct store *src, struct store *dst, struct store_copy_plan **plan, struct store_copy_report *r,
		    store_copy_progress *progress, void *arg, struct err *e)
{
	int rc = store_migrate(dst, e);
	if (rc == 0) {
		int sv = store_schema_version(src), dv = store_schema_version(dst);
		if (sv != dv)
			rc = err_set(e, ERR_CONFLICT, "from",
				     "the source is at schema version %d, this linli's is %d: upgrade the source first "
				     "(any linli command on it does, e.g. linli check)",
				     sv, dv);
	}
	if (rc == 0)
		rc = plan_load(src, dst, r, plan, e);
	if (rc)
		return rc;
	const struct store_copy_plan *p = *plan;
	/* The migrations' default rows (level names, role types, categories)
	 * give way to the source's, children first. The counters stay. */
	for (int i = p->n - 1; rc == 0 && i >= 0; i--) {
		if (!p->t[i].keep_rows) {
			char sql[128];
			snprintf(sql, sizeof sql, "DELETE FROM %s", p->t[i].name);
			rc = store_exec(dst, sql, e);
		}
	}
	struct set_aside sa = {0};
	if (rc == 0)
		rc = set_aside(dst, &sa, e);
	for (int i = 0; rc == 0 && i < p->n; i++) {
		struct store_copy_table *tr = &r->tables[i];
		if (p->t[i].derived) {
			rc = count_rows(src, p->t[i].name, &tr->src_rows, e);
			continue;
		}
		rc = copy_table(src, dst, &p->t[i], tr, progress, arg, e);
		r->rows += tr->src_rows;
	}
	if (rc == 0)
		rc = restore_set_aside(dst, &sa, e);
	if (rc == 0 && progress)
		progress(arg, "(indexes, keys)", sa.n, true);
	set_aside_free(&sa);
	if (rc == 0)
		rc = store_sync_ids(dst, e);
	return rc;
}

/* The target's side of the verification (after the source's has been read
 * into r), the comparison, and the end of the plan. */
static int verify_target(struct store *dst, struct store_copy_plan *p, struct store_copy_report *r, double since,
			 int rc, struct err *e)
{
	if (rc == 0)
		rc = store_begin_read(dst, e);
	if (rc == 0) {
		rc = read_side(dst, p, r, true, e);
		store_rollback(dst);
	}
	compare(r);
	r->verify_secs = now_secs() - since;
	plan_free(p);
	return rc;
}

int store_copy(struct store *src, struct store *dst, struct store_copy_report *r, store_copy_progress *progress,
	       void *arg, struct err *e)
{
	report_init(r);
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, NULL, "libsodium failed to start");
	double t0 = now_secs();
	int have = store_schema_version(dst);
	if (have < 0)
		return err_set(e, ERR_UNAVAILABLE, "to", "cannot read the target's schema version");
	if (have > 0)
		return err_set(
		    e, ERR_CONFLICT, "to",
		    "the target already has a linli schema (version %d): migrate only into an empty database", have);
	int rc = store_bulk_load(dst, true, e);
	/* Building an index or checking a foreign key over millions of rows
	 * takes longer than the limit meant for a server's requests. */
	if (rc == 0 && store_dialect(dst) == STORE_POSTGRES)
		rc = store_exec(dst, "SET statement_timeout = 0; SET maintenance_work_mem = '256MB'", e);
	if (rc == 0)
		rc = store_begin_read(src, e);
	if (rc)
		return rc;
	struct store_copy_plan *plan = NULL;
	rc = store_begin(dst, e);
	if (rc == 0) {
		rc = copy_all(src, dst, &plan, r, progress, arg, e);
		if (rc == 0)
			rc = store_commit(dst, e);
		else
			store_rollback(dst);
	}
	store_rollback(src); /* the end of the source's snapshot */
	if (rc == 0)
		rc = store_optimize(dst, e);
	if (rc == 0)
		rc = store_bulk_load(dst, false, e);
	double t1 = now_secs();
	r->copy_secs = t1 - t0;
	return verify_target(dst, plan, r, t1, rc, e);
}

int store_copy_verify(struct store *src, struct store *dst, struct store_copy_report *r, struct err *e)
{
	report_init(r);
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, NULL, "libsodium failed to start");
	double t0 = now_secs();
	int sv = store_schema_version(src), dv = store_schema_version(dst);
	if (sv != dv)
		return err_set(e, ERR_CONFLICT, "to", "the source is at schema version %d, the target at %d", sv, dv);
	int rc = store_begin_read(src, e);
	if (rc)
		return rc;
	struct store_copy_plan *plan = NULL;
	rc = plan_load(src, dst, r, &plan, e);
	if (rc == 0)
		rc = read_side(src, plan, r, false, e);
	store_rollback(src);
	return verify_target(dst, plan, r, t0, rc, e);
}
