/*
 * page.h — a list page whose cost is the page (keyset paging over one
 * index, with a bounded window for the filters the index does not hold).
 *
 * A list walks one index in its order (the driver: conditions `key` on it
 * make one index range, its order columns follow them in the index) and
 * keeps the rows that pass the other filters (the residual). A list with
 * a residual reads at most PAGE_WINDOW rows of the driver per row asked
 * for: when that window ends before the page is full, the page is shorter
 * and its cursor is where the window ended, so the next page goes on from
 * there. Nothing is counted and nothing is sorted.
 * Thread-safety: as the ctx's store connection.
 */
#ifndef LINLI_DOMAIN_PAGE_H
#define LINLI_DOMAIN_PAGE_H

#include <jansson.h>

#include "domain/core/ctx.h"

struct store_stmt;

#define PAGE_WINDOW 100

struct page_param {
	char type;     /* 'i', 't' or 'b' (0: none) */
	int64_t i;     /* 'i'; for 'b', the length */
	const char *t; /* 't' and 'b' */
};

struct page_q {
	const char *cols;     /* the selected columns (the row callback reads them from 0) */
	const char *from;     /* FROM … with the driver first and its joins */
	const char *driver;   /* the driver table alone, for the window's end */
	const char *order[2]; /* the keyset: one or two columns of the driver's index */
	bool desc;            /* newest first */
	const char *key;      /* the index range: conditions joined by AND */
	const char *on;       /* join conditions of `from` (" AND …", may be "") */
	const char *where;    /* the residual (" AND …", "" for none) */
	struct page_param kp[6], rp[16];
	int nk, nr;
	struct page_param after[2]; /* the cursor (type 0: the first page) */
	int64_t limit;
	int64_t window; /* driver rows a page with a residual may read (0: PAGE_WINDOW per row asked) */
};

typedef json_t *(*page_row_fn)(const struct ctx *c, struct store_stmt *st, void *ud);

/* page_run for rows turned into JSON from the statement alone; *next is
 * the next page's cursor as text (page_cursor). */
int page_list(const struct ctx *c, const struct page_q *q, json_t *(*row)(const struct ctx *c, struct store_stmt *st),
	      json_t **out, const char **next, struct err *e);

/* Empty query with its driver (cols, from, driver, order set by the caller after). */
void page_init(struct page_q *q);
/* An index condition and its parameter (type 0: none). */
void page_key(struct page_q *q, const struct ctx *c, const char *clause, struct page_param p);
/* A residual filter with up to two text parameters; false when full. */
bool page_filter(struct page_q *q, const struct ctx *c, const char *clause, const char *t, const char *t2);
/* Runs the page; next[] receives the cursor of the next page (type 0 on
 * both when the list ended). */
int page_run(const struct ctx *c, const struct page_q *q, page_row_fn row, void *ud, json_t **out,
	     struct page_param next[2], struct err *e);

/* A list in place order, the 台账's: `table`'s rows of the subtree at
 * path, keyset (node_path, id) on an index of (node_path, id); cols and
 * from as in struct page_q, the cursor read. */
int page_place(const struct ctx *c, struct page_q *q, const char *table, const char *cols, const char *from,
	       const char *path, const char *cursor, int limit, struct err *e);

/* The cursor of next[] as text: NULL when the list ended, else "k0" or,
 * for a text key k0 and an id k1, "k1.k0". */
const char *page_cursor(const struct ctx *c, const struct page_param next[2]);
/* Reads a cursor of the given key types ("i", "ti") into q->after; NULL
 * or "" is the first page. A malformed cursor is ERR_INVALID. */
int page_after(const struct ctx *c, struct page_q *q, const char *cursor, const char *types, struct err *e);

#endif
