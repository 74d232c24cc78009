/*
 * rows.h — the small patterns every domain module shares: ending a write
 * transaction, reading one record or a list of records through a row
 * function, and the current date and time as stored text.
 * Thread-safety: uses the ctx's connection.
 */
#ifndef LINLI_ROWS_H
#define LINLI_ROWS_H

#include <jansson.h>

#include "domain/core/ctx.h"
#include "domain/core/fields.h"
#include "store/store.h"

typedef json_t *(*row_fn)(const struct ctx *c, struct store_stmt *st);

/* Commits when rc == 0, else rolls back; returns the final status. */
int txn_finish(const struct ctx *c, int rc, struct err *e);
/* Runs `select WHERE table.id = ?` and turns the row into *out; what names
 * the record in the not-found message ("节点 / node"). */
int rows_one(const struct ctx *c, const char *select, const char *table, int64_t id, row_fn row, const char *what,
	     json_t **out, struct err *e);
/* Steps a prepared, bound statement to the end, collecting rows; gives the
 * statement back. */
int rows_collect(const struct ctx *c, struct store_stmt *st, row_fn row, json_t **out, struct err *e);
typedef int (*load_fn)(const struct ctx *c, int64_t id, json_t **out, struct err *e);
/* The audited update every entity shares, for input already validated and
 * authorised: in one transaction, read the record (load), write the present
 * fields plus internal columns (may be NULL; updated_at is added when the
 * entity has it), read it again into *out, audit "update" with before and
 * after. */
int rows_update(const struct ctx *c, const struct entity *ent, int64_t id, json_t *in, json_t *internal, load_fn load,
		json_t **out, struct err *e);

/* The audited put of a code-keyed entity (node kinds, categories), for
 * input already validated and authorised: in one transaction,
 * fields_upsert, then an audit "put" with the input as its after-picture. */
int rows_put(const struct ctx *c, const struct entity *ent, json_t *in, json_t *internal, struct err *e);

/* "YYYY-MM-DDTHH:MM:SSZ" and "YYYY-MM-DD" of now, in the arena. */
const char *rows_now(const struct ctx *c);

const char *rows_today(const struct ctx *c);

#endif
