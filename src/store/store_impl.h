/*
 * store_impl.h — what a database backend provides to store.c.
 *
 * struct store and struct store_stmt are the common heads of each backend's
 * own connection and statement structs (first member), so store.c can
 * dispatch through the ops table without knowing the backend. Everything
 * an engine does its own way is an operation here; store.c never asks
 * which engine it has. Backends are reached only through their open
 * functions (store_backends.h, named by store_open.c).
 */
#ifndef LINLI_STORE_IMPL_H
#define LINLI_STORE_IMPL_H

#include "store/store.h"

/* One value to bind, as store.c takes it from store_bind's arguments (the
 * backends never see the va_list): type is the store_bind letter; 'i'
 * uses i, 'd' d, 't' t (NULL = SQL NULL), 'b' p and n (NULL p = SQL NULL),
 * 'n' nothing. */
struct store_value {
	char type;
	int64_t i;
	double d;
	const char *t;
	const void *p;
	size_t n;
};

struct store_ops {
	enum store_dialect dialect;
	bool single_writer; /* one writing connection at a time: writes are grouped */
	void (*close)(struct store *s);
	int (*exec)(struct store *s, const char *sql, struct err *e);
	int (*begin)(struct store *s, bool write, struct err *e);
	int (*commit)(struct store *s, struct err *e);
	void (*rollback)(struct store *s);
	bool (*in_txn)(struct store *s);
	int (*txn_depth)(struct store *s);
	void (*txn_floor)(struct store *s, int n); /* NULL: the engine has no group commit */
	int (*prepare)(struct store *s, const char *sql, struct store_stmt **out, struct err *e);
	void (*done)(struct store_stmt *st);
	int (*bind_one)(struct store_stmt *st, int idx, const struct store_value *v);
	int (*step)(struct store_stmt *st, struct err *e);
	int64_t (*col_int)(struct store_stmt *st, int i);
	double (*col_double)(struct store_stmt *st, int i);
	const char *(*col_text)(struct store_stmt *st, int i);
	const void *(*col_blob)(struct store_stmt *st, int i, size_t *len);
	bool (*col_null)(struct store_stmt *st, int i);
	char (*col_type)(struct store_stmt *st, int i);
	int (*col_count)(struct store_stmt *st);
	const char *(*col_name)(struct store_stmt *st, int i);
	int64_t (*last_id)(struct store *s);
	int (*changes)(struct store *s);
	int (*schema_version)(struct store *s);
	int (*set_schema_version)(struct store *s, int version, struct err *e);
	/* The migration text as this engine runs it (its own blocks kept, the
	 * other's dropped; pg_sql_migration). malloc'd; NULL if out of memory. */
	char *(*migration_sql)(const unsigned char *text, size_t len);
	/* A migration marked `-- @rebuild` recreates tables that others
	 * reference: foreign keys are not enforced while it runs (outside its
	 * transaction), and verified once before it commits. */
	int (*fk_enforce)(struct store *s, bool on, struct err *e);
	int (*fk_verify)(struct store *s, struct err *e);
	int (*bulk_load)(struct store *s, bool on, struct err *e);
	int (*optimize)(struct store *s, struct err *e);
	int (*refresh_stats)(struct store *s, struct err *e);
	int (*sync_ids)(struct store *s, struct err *e);
	int (*backup)(struct store *s, const char *path, struct err *e);
	int (*check)(struct store *s, char *report, size_t cap, struct err *e);
};

struct store {
	const struct store_ops *ops;
};

struct store_stmt {
	struct store *owner;
};

/* FNV-1a of the SQL text: the key of both backends' statement caches. */
static inline unsigned store_sql_hash(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

#endif
