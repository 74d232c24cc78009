/*
 * store_copy_plan.h — what store_copy.c copies, read from the schema
 * instead of listed: the tables, parents before children, and for each one
 * its columns, key and references to its own rows.
 * Private to store_copy.c and store_copy_plan.c.
 *
 * The schema read is the SQLite side's: the source's (a SQLite deployment
 * moved to PostgreSQL), or the target's when a PostgreSQL database is
 * copied back into a new SQLite file (the target has then been migrated to
 * the source's schema version); two PostgreSQL databases are refused. Its
 * tables are those sqlite_master lists (virtual ones included; SQLite's
 * own and the shadow tables behind a full-text index not: the index
 * rebuilds them from its rows). They are ordered by their foreign keys
 * (PRAGMA foreign_key_list): a table comes after every table it refers to,
 * ties in the order the migrations created them; a reference to the
 * table's own rows does not order it (store_copy.c sets forward ones
 * afterwards), any other cycle is refused.
 * A table's key is its primary key; a virtual table (full text) or one
 * without a primary key is keyed and copied by its rowid. The implicit
 * rowid of a table whose primary key is something else is copied too where
 * the other side has one: SQLite always, PostgreSQL where its schema gave
 * the table a "rowid" column (role_types, sessions).
 * Derived tables (store_copy.h) are the statistics caches, every table named
 * *_cache, which the target starts empty, and the counters that key them,
 * whose rows the target keeps from its own migrations (a short list in
 * store_copy_plan.c).
 */
#ifndef LINLI_STORE_COPY_PLAN_H
#define LINLI_STORE_COPY_PLAN_H

#include "store/store_copy.h"

#define STORE_COPY_MAX_COLS 64
#define STORE_COPY_MAX_KEY  4

/* The columns of one table as they are read, hashed and written. */
struct store_copy_cols {
	int n;
	char *name[STORE_COPY_MAX_COLS];
	int key[STORE_COPY_MAX_KEY], nkey;  /* the order rows are read and hashed in */
	int id;                             /* the single integer key column, or -1 */
	bool self_ref[STORE_COPY_MAX_COLS]; /* refers to this table's id */
	char *list;                         /* "\"a\", \"b\"" */
	char *order;                        /* "\"k1\", \"k2\"" */
};

struct store_copy_plan_table {
	char name[STORE_COPY_NAME_BYTES];
	bool derived;             /* rebuilt by the target: neither copied nor compared */
	bool keep_rows;           /* derived, and the target keeps the rows its migrations gave it */
	struct store_copy_cols c; /* the tables that are copied */
};

struct store_copy_plan {
	struct store_copy_plan_table t[STORE_COPY_MAX_TABLES]; /* in copy order */
	int n;
};

/* Reads the plan from the SQLite one of src and dst (the source inside its
 * read transaction, so it is the snapshot's schema); both are at the same
 * schema version. */
int store_copy_plan_load(struct store *src, struct store *dst, struct store_copy_plan *p, struct err *e);
void store_copy_plan_free(struct store_copy_plan *p);

#endif
