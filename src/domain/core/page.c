/*
 * page.c — keyset pages over one index with a bounded window (page.h).
 */
#include "domain/core/page.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"

void page_init(struct page_q *q)
{
	*q = (struct page_q){.key = "", .on = "", .where = "", .limit = 50};
}

void page_key(struct page_q *q, const struct ctx *c, const char *clause, struct page_param p)
{
	q->key = arena_printf(c->a, "%s%s%s", q->key, *q->key ? " AND " : "", clause);
	if (p.type)
		q->kp[q->nk++] = p;
}

bool page_filter(struct page_q *q, const struct ctx *c, const char *clause, const char *t, const char *t2)
{
	if (q->nr + 2 > (int)(sizeof q->rp / sizeof *q->rp))
		return false;
	q->where = arena_printf(c->a, "%s AND %s", q->where, clause);
	if (t)
		q->rp[q->nr++] = (struct page_param){'t', 0, t};
	if (t2)
		q->rp[q->nr++] = (struct page_param){'t', 0, t2};
	return true;
}

static int bind_all(struct store_stmt *st, int idx, const struct page_param *p, int n)
{
	for (int i = 0; i < n; i++)
		if (p[i].type == 'i')
			store_bind_at(st, idx++, 'i', p[i].i);
		else if (p[i].type == 't')
			store_bind_at(st, idx++, 't', p[i].t);
		else if (p[i].type == 'b')
			store_bind_at(st, idx++, 'b', p[i].t, (size_t)p[i].i);
	return idx;
}

/* The index range's conditions ("1 = 1" for a walk of the whole index). */
static const char *key_sql(const struct page_q *q)
{
	return *q->key ? q->key : "1 = 1";
}

static int nkeys(const struct page_q *q)
{
	return q->order[1] ? 2 : 1;
}

/* "(a, b)" or "a": the keyset as SQL compares it. */
static const char *keyset(const struct ctx *c, const struct page_q *q)
{
	return q->order[1] ? arena_printf(c->a, "(%s, %s)", q->order[0], q->order[1]) : q->order[0];
}

/* "a, b" or "a": the keyset as a column list. */
static const char *key_cols(const struct ctx *c, const struct page_q *q)
{
	return q->order[1] ? arena_printf(c->a, "%s, %s", q->order[0], q->order[1]) : q->order[0];
}

/* The list's order: each keyset column in its direction. */
static const char *order_by(const struct ctx *c, const struct page_q *q)
{
	const char *dir = q->desc ? " DESC" : "";
	return q->order[1] ? arena_printf(c->a, "%s%s, %s%s", q->order[0], dir, q->order[1], dir)
			   : arena_printf(c->a, "%s%s", q->order[0], dir);
}

static const char *marks(const struct page_q *q)
{
	return q->order[1] ? "(?, ?)" : "?";
}

/* The key of a row's trailing keyset columns, from column `at`. */
static void read_key(const struct ctx *c, struct store_stmt *st, int at, int n, struct page_param out[2])
{
	for (int i = 0; i < n; i++)
		if (store_col_type(st, at + i) == 'i')
			out[i] = (struct page_param){'i', store_col_int(st, at + i), NULL};
		else
			out[i] = (struct page_param){'t', 0, arena_strdup(c->a, store_col_text(st, at + i))};
}

/* Where a window of n driver rows past the cursor ends; end[0].type = 0
 * when the index range ends first. */
static int window_end(const struct ctx *c, const struct page_q *q, const char *past, int64_t n,
		      struct page_param end[2], struct err *e)
{
	const char *sql = arena_printf(c->a, "SELECT %s FROM %s WHERE %s%s ORDER BY %s LIMIT 1 OFFSET ?",
				       key_cols(c, q), q->driver, key_sql(q), past, order_by(c, q));
	struct store_stmt *st;
	int rc = store_prepare(c->db, sql, &st, e);
	if (rc)
		return rc;
	int idx = bind_all(st, 1, q->kp, q->nk);
	if (q->after[0].type)
		idx = bind_all(st, idx, q->after, nkeys(q));
	store_bind_at(st, idx, 'i', n - 1);
	end[0].type = end[1].type = 0;
	if ((rc = store_step(st, e)) == STORE_ROW)
		read_key(c, st, 0, nkeys(q), end);
	store_done(st);
	return rc < 0 ? rc : 0;
}

int page_run(const struct ctx *c, const struct page_q *q, page_row_fn row, void *ud, json_t **out,
	     struct page_param next[2], struct err *e)
{
	const char *ks = keyset(c, q), *m = marks(q);
	const char *past = q->after[0].type ? arena_printf(c->a, " AND %s %s %s", ks, q->desc ? "<" : ">", m) : "";
	struct page_param end[2] = {{0}, {0}};
	int rc = *q->where ? window_end(c, q, past, q->window > 0 ? q->window : q->limit * PAGE_WINDOW, end, e) : 0;
	if (rc)
		return rc;
	const char *upto = end[0].type ? arena_printf(c->a, " AND %s %s %s", ks, q->desc ? ">=" : "<=", m) : "";
	const char *sql =
	    arena_printf(c->a, "SELECT %s, %s FROM %s WHERE %s%s%s%s%s ORDER BY %s LIMIT ?", q->cols, key_cols(c, q),
			 q->from, key_sql(q), past, upto, q->on, q->where, order_by(c, q));
	struct store_stmt *st;
	if ((rc = store_prepare(c->db, sql, &st, e)) != 0)
		return rc;
	int idx = bind_all(st, 1, q->kp, q->nk);
	if (q->after[0].type)
		idx = bind_all(st, idx, q->after, nkeys(q));
	if (end[0].type)
		idx = bind_all(st, idx, end, nkeys(q));
	idx = bind_all(st, idx, q->rp, q->nr);
	store_bind_at(st, idx, 'i', q->limit);
	json_t *arr = json_array();
	int64_t n = 0;
	next[0].type = next[1].type = 0;
	while ((rc = store_step(st, e)) == STORE_ROW) {
		json_array_append_new(arr, row(c, st, ud));
		/* the keyset columns come last (counted once a row is in: PostgreSQL knows them then) */
		if (++n == q->limit)
			read_key(c, st, store_col_count(st) - nkeys(q), nkeys(q), next);
	}
	store_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	/* A short page whose window ended: the next page goes on past it. */
	if (n < q->limit && end[0].type)
		memcpy(next, end, sizeof end);
	*out = arr;
	return 0;
}

static const char *key_text(const struct ctx *c, const struct page_param *p)
{
	return p->type == 'i' ? arena_printf(c->a, "%lld", (long long)p->i) : p->t;
}

const char *page_cursor(const struct ctx *c, const struct page_param next[2])
{
	if (!next[0].type)
		return NULL;
	if (!next[1].type)
		return key_text(c, &next[0]);
	/* The id first: the text key after the first dot may hold anything. */
	return arena_printf(c->a, "%s.%s", key_text(c, &next[1]), key_text(c, &next[0]));
}

/* One key of a cursor, of type 'i' (a positive integer) or 't'. */
static bool read_one(const struct ctx *c, const char *s, size_t n, char type, struct page_param *out)
{
	if (n == 0 || n > 400)
		return false;
	if (type == 'i') {
		char *end;
		char *d = arena_strndup(c->a, s, n);
		long long v = strtoll(d, &end, 10);
		*out = (struct page_param){'i', v, NULL};
		return *end == 0 && v > 0;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return false;
	*out = (struct page_param){'t', 0, arena_strndup(c->a, s, n)};
	return true;
}

int page_after(const struct ctx *c, struct page_q *q, const char *cursor, const char *types, struct err *e)
{
	q->after[0].type = q->after[1].type = 0;
	if (!cursor || !*cursor)
		return 0;
	bool ok;
	if (!types[1]) {
		ok = read_one(c, cursor, strlen(cursor), types[0], &q->after[0]);
	} else {
		const char *dot = strchr(cursor, '.');
		ok = dot && read_one(c, cursor, (size_t)(dot - cursor), types[1], &q->after[1]) &&
		     read_one(c, dot + 1, strlen(dot + 1), types[0], &q->after[0]);
	}
	if (!ok) {
		q->after[0].type = q->after[1].type = 0;
		return err_set(e, ERR_INVALID, "cursor", "分页游标无效 / invalid cursor");
	}
	return 0;
}

struct plain {
	json_t *(*row)(const struct ctx *c, struct store_stmt *st);
};

static json_t *plain_row(const struct ctx *c, struct store_stmt *st, void *ud)
{
	const struct plain *p = ud;
	return p->row(c, st);
}

int page_list(const struct ctx *c, const struct page_q *q, json_t *(*row)(const struct ctx *c, struct store_stmt *st),
	      json_t **out, const char **next, struct err *e)
{
	struct plain p = {row};
	struct page_param nx[2];
	int rc = page_run(c, q, plain_row, &p, out, nx, e);
	*next = rc ? NULL : page_cursor(c, nx);
	return rc;
}

int page_place(const struct ctx *c, struct page_q *q, const char *table, const char *cols, const char *from,
	       const char *path, const char *cursor, int limit, struct err *e)
{
	page_init(q);
	q->cols = cols;
	q->from = from;
	q->driver = table;
	q->order[0] = arena_printf(c->a, "%s.node_path", table);
	q->order[1] = arena_printf(c->a, "%s.id", table);
	q->limit = limit > 0 ? limit : 50;
	page_key(q, c, arena_printf(c->a, "%s.node_path >= ?", table), (struct page_param){'t', 0, path});
	page_key(q, c, arena_printf(c->a, "%s.node_path < ?", table),
		 (struct page_param){'t', 0, arena_printf(c->a, "%s~", path)});
	return page_after(c, q, cursor, "ti", e);
}
