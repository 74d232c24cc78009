/*
 * store_copy_plan.c — the copy's tables, their order and their columns,
 * read from the source's SQLite schema (see store_copy_plan.h).
 */
#include "store/store_copy_plan.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"

_Static_assert(STORE_COPY_MAX_TABLES <= 64, "a table's parents are a 64-bit set");

/*
 * Derived tables whose rows the target keeps: the counters the caches are
 * keyed by. The target's migrations insert their rows and its own triggers
 * bump them while the copy goes in (on PostgreSQL they hold transaction
 * ids, so a copied SQLite value could equal a later transaction's id and
 * miss a bump). The kept statistics and the tree's closure are rebuilt
 * from the copied rows by the first linli command on the target
 * (figures_install: its state goes with them). Every other derived table
 * is a cache, known by its name.
 */
static const char *const kept_derived[] = {"counters"};
static const char *const rebuilt[] = {"node_line", "figures", "figures_delta", "figures_pause", "figures_state"};
#define CACHE_SUFFIX "_cache"

/* A table of the source as its schema lists it. */
struct listed {
	char name[STORE_COPY_NAME_BYTES];
	bool is_virtual; /* full text: keyed by its rowid */
	bool without_rowid;
	uint64_t parents; /* the listed tables it refers to, itself left out */
};

/* Names go into SQL: letters, digits and underscores only. */
static bool ident_ok(const char *s, size_t cap)
{
	if (!s || !*s || strlen(s) >= cap)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static bool derived_name(const char *name, bool *keep_rows)
{
	*keep_rows = false;
	for (size_t i = 0; i < sizeof kept_derived / sizeof *kept_derived; i++)
		*keep_rows = *keep_rows || !strcmp(name, kept_derived[i]);
	bool rebuilt_name = false;
	for (size_t i = 0; i < sizeof rebuilt / sizeof *rebuilt; i++)
		rebuilt_name = rebuilt_name || !strcmp(name, rebuilt[i]);
	size_t n = strlen(name), k = strlen(CACHE_SUFFIX);
	return *keep_rows || rebuilt_name || (n > k && !strcmp(name + n - k, CACHE_SUFFIX));
}

/* Prepares sql with the table's name bound to its one parameter. */
static int query_table(struct store *s, const char *sql, const char *table, struct store_stmt **st, struct err *e)
{
	int rc = store_prepare(s, sql, st, e);
	if (rc == 0 && store_bind(*st, "t", table) != 0) {
		store_done(*st);
		rc = err_set(e, ERR_INTERNAL, NULL, "%s: cannot bind the table name", table);
	}
	return rc;
}

/* The end of a step loop: the statement back, STORE_DONE as success. */
static int query_end(struct store_stmt *st, int rc)
{
	store_done(st);
	return rc == STORE_DONE ? 0 : rc;
}

/* The tables in the order the migrations created them. */
static int list_tables(struct store *db, struct listed *t, int *n, struct err *e)
{
	const char *sql = "SELECT m.name, l.type = 'virtual', l.wr FROM sqlite_master m JOIN pragma_table_list l ON "
			  "l.schema = 'main' AND l.name = m.name WHERE m.type = 'table' AND l.type IN ('table', "
			  "'virtual') AND m.name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY m.rowid";
	struct store_stmt *st;
	int rc = store_prepare(db, sql, &st, e);
	if (rc)
		return rc;
	*n = 0;
	while ((rc = store_step(st, e)) == STORE_ROW) {
		const char *name = store_col_text(st, 0);
		if (*n == STORE_COPY_MAX_TABLES) {
			rc =
			    err_set(e, ERR_INTERNAL, NULL, "the source has more than %d tables", STORE_COPY_MAX_TABLES);
			break;
		}
		if (!ident_ok(name, sizeof t->name)) {
			rc = err_set(e, ERR_INTERNAL, NULL, "the source has a table the copier cannot name: %s", name);
			break;
		}
		struct listed *l = &t[(*n)++];
		memset(l, 0, sizeof *l);
		snprintf(l->name, sizeof l->name, "%s", name);
		l->is_virtual = store_col_int(st, 1) != 0;
		l->without_rowid = store_col_int(st, 2) != 0;
	}
	return query_end(st, rc);
}

static int find_listed(const struct listed *t, int n, const char *name)
{
	for (int i = 0; name && i < n; i++)
		if (!strcasecmp(t[i].name, name))
			return i;
	return -1;
}

/* The tables each one refers to (references to a table that does not exist
 * order nothing). */
static int read_parents(struct store *db, struct listed *t, int n, struct err *e)
{
	int rc = 0;
	for (int i = 0; rc == 0 && i < n; i++) {
		struct store_stmt *st;
		rc = query_table(db, "SELECT \"table\" FROM pragma_foreign_key_list(?)", t[i].name, &st, e);
		if (rc)
			break;
		while ((rc = store_step(st, e)) == STORE_ROW) {
			int j = find_listed(t, n, store_col_text(st, 0));
			if (j >= 0 && j != i)
				t[i].parents |= UINT64_C(1) << j;
		}
		rc = query_end(st, rc);
	}
	return rc;
}

/* Parents before children: each step takes the first table, in creation
 * order, whose parents are all placed. */
static int order_tables(const struct listed *t, int n, int *order, struct err *e)
{
	uint64_t placed = 0;
	for (int k = 0; k < n; k++) {
		int next = -1;
		for (int i = 0; i < n && next < 0; i++)
			if (!(placed >> i & 1) && (t[i].parents & ~placed) == 0)
				next = i;
		if (next < 0) {
			char names[200] = "";
			size_t len = 0;
			for (int i = 0; i < n; i++)
				if (!(placed >> i & 1) && len + strlen(t[i].name) + 2 < sizeof names)
					len += (size_t)snprintf(names + len, sizeof names - len, " %s", t[i].name);
			return err_set(e, ERR_INTERNAL, NULL, "the foreign keys of these tables form a cycle:%s",
				       names);
		}
		placed |= UINT64_C(1) << next;
		order[k] = next;
	}
	return 0;
}

static void cols_free(struct store_copy_cols *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->name[i]);
	free(c->list);
	free(c->order);
	memset(c, 0, sizeof *c);
}

/* Adds a column at position at (0 or the end). */
static int cols_insert(struct store_copy_cols *c, int at, const char *name, struct err *e)
{
	if (c->n == STORE_COPY_MAX_COLS)
		return err_set(e, ERR_INTERNAL, NULL, "too many columns");
	char *copy = strdup(name);
	if (!copy)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	memmove(&c->name[at + 1], &c->name[at], (size_t)(c->n - at) * sizeof *c->name);
	c->name[at] = copy;
	c->n++;
	return 0;
}

static int cols_find(const struct store_copy_cols *c, const char *name)
{
	for (int i = 0; name && i < c->n; i++)
		if (!strcasecmp(c->name[i], name))
			return i;
	return -1;
}

/* Does the other side have the implicit rowid too? SQLite keeps one in
 * every rowid table; PostgreSQL where the schema gave the table a "rowid"
 * column, its stand-in for the implicit one. */
static int other_keeps_rowid(struct store *other, const char *table, bool *keeps, struct err *e)
{
	*keeps = store_dialect(other) == STORE_SQLITE;
	if (*keeps)
		return 0;
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT * FROM %s LIMIT 0", table);
	struct store_stmt *st;
	int rc = store_prepare(other, sql, &st, e);
	if (rc)
		return rc;
	rc = store_step(st, e);
	for (int i = 0; rc >= 0 && i < store_col_count(st); i++)
		*keeps = *keeps || !strcmp(store_col_name(st, i), "rowid");
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* The declared columns (PRAGMA table_info leaves out generated and hidden
 * ones: they are not copied) and the primary key's, by position. */
struct declared {
	int pk[STORE_COPY_MAX_KEY], npk;
	bool pk_integer;   /* a single key column declared INTEGER: the rowid itself */
	bool pk_int_typed; /* a single key column of integer affinity */
};

static int read_columns(struct store *db, const char *table, struct store_copy_cols *c, struct declared *d,
			struct err *e)
{
	struct store_stmt *st;
	int rc = query_table(db, "SELECT name, pk, type FROM pragma_table_info(?) ORDER BY cid", table, &st, e);
	if (rc)
		return rc;
	while ((rc = store_step(st, e)) == STORE_ROW) {
		const char *name = store_col_text(st, 0), *type = store_col_text(st, 2);
		int64_t k = store_col_int(st, 1);
		if (!ident_ok(name, 64) || k > STORE_COPY_MAX_KEY) {
			rc = err_set(e, ERR_INTERNAL, NULL, "table %s: column %s is one the copier cannot handle",
				     table, name ? name : "?");
			break;
		}
		rc = cols_insert(c, c->n, name, e);
		if (rc)
			break;
		if (k > 0) {
			d->pk[k - 1] = c->n - 1;
			d->npk = k > d->npk ? (int)k : d->npk;
		}
		if (k == 1) {
			d->pk_integer = type && !strcasecmp(type, "INTEGER");
			d->pk_int_typed = type && strcasestr(type, "INT");
		}
	}
	return query_end(st, rc);
}

/* Columns referring to the table's own id: a forward one is set after the
 * rows are in (store_copy.c). Any other reference to its own rows could not
 * be ordered. */
static int read_self_refs(struct store *db, const char *table, struct store_copy_cols *c, struct err *e)
{
	struct store_stmt *st;
	int rc = query_table(db,
			     "SELECT \"from\", \"to\", seq FROM pragma_foreign_key_list(?1) WHERE \"table\" = ?1 "
			     "COLLATE NOCASE",
			     table, &st, e);
	if (rc)
		return rc;
	while ((rc = store_step(st, e)) == STORE_ROW) {
		const char *from = store_col_text(st, 0), *to = store_col_text(st, 1);
		int i = cols_find(c, from);
		bool to_id = c->id >= 0 && (!to || !strcasecmp(to, c->name[c->id]));
		if (i < 0 || !to_id || store_col_int(st, 2) != 0) {
			rc = err_set(e, ERR_INTERNAL, NULL,
				     "table %s: a reference to its own rows (%s) the copier cannot order", table,
				     from ? from : "?");
			break;
		}
		c->self_ref[i] = true;
	}
	return query_end(st, rc);
}

/* The key: the primary key's columns, or the rowid (first column). */
static void set_key(struct store_copy_cols *c, const struct declared *d, bool rowid_key, bool rowid_first)
{
	if (rowid_key) {
		c->key[c->nkey++] = 0;
		c->id = 0;
		return;
	}
	for (int k = 0; k < d->npk; k++)
		c->key[c->nkey++] = d->pk[k] + (rowid_first ? 1 : 0);
	if (d->npk == 1 && d->pk_int_typed)
		c->id = c->key[0];
}

/* The columns of t as they are copied, its key and its self references. */
static int cols_load(struct store *db, struct store *other, const struct listed *t, struct store_copy_cols *c,
		     struct err *e)
{
	memset(c, 0, sizeof *c);
	c->id = -1;
	struct declared d = {.npk = 0};
	int rc = read_columns(db, t->name, c, &d, e);
	bool rowid_key = t->is_virtual || (d.npk == 0 && !t->without_rowid);
	bool rowid_copied = rowid_key;
	if (rc == 0 && !rowid_key && !t->without_rowid && !(d.npk == 1 && d.pk_integer))
		rc = other_keeps_rowid(other, t->name, &rowid_copied, e);
	if (rc == 0 && rowid_copied)
		rc = cols_insert(c, 0, "rowid", e);
	if (rc == 0) {
		set_key(c, &d, rowid_key, rowid_copied);
		rc = read_self_refs(db, t->name, c, e);
	}
	if (rc) {
		cols_free(c);
		return rc;
	}
	struct buf list = {0}, order = {0};
	for (int i = 0; i < c->n; i++)
		buf_printf(&list, "%s\"%s\"", i ? ", " : "", c->name[i]);
	for (int k = 0; k < c->nkey; k++)
		buf_printf(&order, "%s\"%s\"", k ? ", " : "", c->name[c->key[k]]);
	c->list = (char *)buf_cstr(&list);
	c->order = (char *)buf_cstr(&order);
	return 0;
}

int store_copy_plan_load(struct store *src, struct store *dst, struct store_copy_plan *p, struct err *e)
{
	memset(p, 0, sizeof *p);
	struct store *db = store_dialect(src) == STORE_SQLITE ? src : dst;
	struct store *other = db == src ? dst : src;
	if (store_dialect(db) != STORE_SQLITE)
		return err_set(e, ERR_INVALID, "from", "one side must be a SQLite database: its schema is read");
	struct listed t[STORE_COPY_MAX_TABLES];
	int order[STORE_COPY_MAX_TABLES], n = 0;
	int rc = list_tables(db, t, &n, e);
	if (rc == 0)
		rc = read_parents(db, t, n, e);
	if (rc == 0)
		rc = order_tables(t, n, order, e);
	for (int k = 0; rc == 0 && k < n; k++) {
		const struct listed *l = &t[order[k]];
		struct store_copy_plan_table *pt = &p->t[p->n++];
		snprintf(pt->name, sizeof pt->name, "%s", l->name);
		pt->derived = derived_name(l->name, &pt->keep_rows);
		if (!pt->derived)
			rc = cols_load(db, other, l, &pt->c, e);
	}
	if (rc)
		store_copy_plan_free(p);
	return rc;
}

void store_copy_plan_free(struct store_copy_plan *p)
{
	for (int i = 0; i < p->n; i++)
		cols_free(&p->t[i].c);
	p->n = 0;
}
