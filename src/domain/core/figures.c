/*
 * figures.c — installing, checking and reading the kept figures, and the
 * tree's closure they roll up along (see figures.h).
 */
#include "domain/core/figures.h"

#include <stdio.h>
#include <string.h>

#include "domain/core/figures_sql.h"
#include "store/store.h"

/* Bumped when the way figures are kept changes beyond their definitions. */
#define FIGURES_ENGINE 1

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* The kept triggers' objects, dropped before new ones are made. */
static int drop_triggers(const struct ctx *c, struct err *e)
{
	bool pg = store_dialect(c->db) == STORE_POSTGRES;
	struct store_stmt *st;
	int rc = store_prepare(
	    c->db,
	    pg ? "SELECT proname FROM pg_proc WHERE proname LIKE 'fig\\_%' AND pronamespace = "
		 "current_schema()::regnamespace"
	       : "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'fig\\_%' ESCAPE '\\'",
	    &st, e);
	if (rc)
		return rc;
	struct buf sql = {0};
	while ((rc = store_step(st, e)) == STORE_ROW)
		buf_printf(&sql, pg ? "DROP FUNCTION %s() CASCADE;\n" : "DROP TRIGGER %s;\n", store_col_text(st, 0));
	store_done(st);
	if (rc == 0 && sql.len)
		rc = store_exec(c->db, buf_cstr(&sql), e);
	buf_free(&sql);
	return rc < 0 ? rc : 0;
}

/* The closure from the tree's parents (the migration's statement). */
static int rebuild_lines(const struct ctx *c, struct err *e)
{
	int rc = store_run(c->db, e, "DELETE FROM node_line", "");
	if (rc == 0)
		rc = store_run(c->db, e,
			       "WITH RECURSIVE anc(node_id, anc_id) AS (SELECT id, id FROM nodes UNION ALL SELECT "
			       "anc.node_id, n.parent_id FROM anc JOIN nodes n ON n.id = anc.anc_id WHERE n.parent_id "
			       "IS NOT NULL) INSERT INTO node_line (node_id, anc_id) SELECT node_id, anc_id FROM anc",
			       "");
	return rc;
}

static int recompute(const struct ctx *c, const char *table, struct err *e)
{
	struct buf sql = {0};
	figures_sql_recompute(&sql, table);
	int rc = store_run(c->db, e, arena_printf(c->a, "DELETE FROM %s", table), "");
	if (rc == 0)
		rc = store_exec(c->db, buf_cstr(&sql), e);
	buf_free(&sql);
	return rc;
}

int figures_install(const struct ctx *c, struct err *e)
{
	struct buf ddl = {0};
	figures_sql_triggers(&ddl, store_dialect(c->db));
	char hash[40];
	snprintf(hash, sizeof hash, "%d:%016llx", FIGURES_ENGINE, (unsigned long long)fnv1a(buf_cstr(&ddl)));
	int rc = store_begin(c->db, e);
	struct store_stmt *st = NULL;
	bool current = false;
	if (rc == 0)
		rc = store_prepare(c->db, "SELECT value FROM figures_state WHERE name = 'definitions'", &st, e);
	if (rc == 0) {
		current = store_step(st, NULL) == STORE_ROW && !strcmp(store_col_text(st, 0), hash);
		store_done(st);
	}
	if (rc == 0 && !current) {
		rc = drop_triggers(c, e);
		if (rc == 0)
			rc = store_exec(c->db, buf_cstr(&ddl), e);
		if (rc == 0)
			rc = rebuild_lines(c, e);
		if (rc == 0)
			rc = store_run(c->db, e, "DELETE FROM figures_delta", "");
		if (rc == 0)
			rc = recompute(c, "figures", e);
		if (rc == 0)
			rc = store_run(c->db, e,
				       "INSERT INTO figures_state (name, value) VALUES ('definitions', ?) ON CONFLICT "
				       "(name) DO UPDATE SET value = excluded.value",
				       "t", hash);
	}
	buf_free(&ddl);
	if (rc == 0)
		rc = store_commit(c->db, e);
	if (rc)
		store_rollback(c->db);
	return rc;
}

/* Appends the rows of a that b lacks (as "label node name key value"). */
static int diff(const struct ctx *c, const char *a, const char *b, const char *label, char *report, size_t cap,
		int64_t *bad, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db,
			       arena_printf(c->a,
					    "SELECT node_id, name, key, value FROM %s WHERE value <> 0 EXCEPT SELECT "
					    "node_id, name, key, value FROM %s WHERE value <> 0 ORDER BY 1, 2, 3",
					    a, b),
			       &st, e);
	if (rc)
		return rc;
	while ((rc = store_step(st, e)) == STORE_ROW) {
		size_t len = strlen(report);
		if (++*bad <= 20 && len + 1 < cap)
			snprintf(report + len, cap - len, "figures: %s node %lld %s[%s] = %lld\n", label,
				 (long long)store_col_int(st, 0), store_col_text(st, 1), store_col_text(st, 2),
				 (long long)store_col_int(st, 3));
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

int figures_check(const struct ctx *c, char *report, size_t cap, int64_t *bad, struct err *e)
{
	/* The recomputation goes to a temporary table of the same shape,
	 * dropped with the transaction's end on both engines. */
	int rc = store_begin(c->db, e);
	if (rc == 0)
		rc = store_exec(
		    c->db,
		    store_dialect(c->db) == STORE_POSTGRES
			? "CREATE TEMP TABLE figures_expected (node_id BIGINT NOT NULL, name TEXT COLLATE "
			  "\"C\" NOT NULL, key TEXT COLLATE \"C\" NOT NULL, value BIGINT NOT NULL, PRIMARY "
			  "KEY (node_id, name, key)) ON COMMIT DROP"
			: "CREATE TEMP TABLE figures_expected (node_id INTEGER NOT NULL, name TEXT NOT NULL, "
			  "key TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (node_id, name, key))",
		    e);
	if (rc == 0)
		rc = recompute(c, "figures_expected", e);
	if (rc == 0)
		rc = diff(c, "figures_expected", "figures", "expected", report, cap, bad, e);
	if (rc == 0)
		rc = diff(c, "figures", "figures_expected", "kept", report, cap, bad, e);
	/* Nothing to keep: the check only read. */
	if (store_dialect(c->db) != STORE_POSTGRES)
		store_exec(c->db, "DROP TABLE temp.figures_expected", NULL);
	store_rollback(c->db);
	return rc;
}

int figures_node_added(const struct ctx *c, int64_t id, int64_t parent, struct err *e)
{
	return store_run(
	    c->db, e,
	    "INSERT INTO node_line (node_id, anc_id) SELECT CAST(? AS BIGINT), anc_id FROM node_line WHERE "
	    "node_id = ? UNION ALL SELECT CAST(? AS BIGINT), CAST(? AS BIGINT)",
	    "iiii", id, parent, id, id);
}

/* Adds sign × the subtree totals of id to every node on parent's line. */
static int shift(const struct ctx *c, int64_t id, int64_t parent, int sign, struct err *e)
{
	return store_run(c->db, e,
			 "INSERT INTO figures (node_id, name, key, value) SELECT l.anc_id, f.name, f.key, CAST(? AS "
			 "BIGINT) * f.value "
			 "FROM figures f JOIN node_line l ON l.node_id = ? WHERE f.node_id = ? AND f.value <> 0 "
			 "ON CONFLICT (node_id, name, key) DO UPDATE SET value = figures.value + excluded.value",
			 "iii", (int64_t)sign, parent, id);
}

int figures_node_moved(const struct ctx *c, int64_t id, int64_t old_parent, struct err *e)
{
	int64_t parent = 0;
	int rc = store_int(c->db, e, &parent, "SELECT parent_id FROM nodes WHERE id = ?", "i", id);
	if (rc == 0)
		rc = shift(c, id, old_parent, -1, e);
	if (rc == 0)
		rc =
		    store_run(c->db, e,
			      "DELETE FROM node_line WHERE node_id IN (SELECT node_id FROM node_line WHERE anc_id = ?) "
			      "AND anc_id IN (SELECT anc_id FROM node_line WHERE node_id = ?)",
			      "ii", id, old_parent);
	if (rc == 0)
		rc = store_run(c->db, e,
			       "INSERT INTO node_line (node_id, anc_id) SELECT s.node_id, a.anc_id FROM node_line s "
			       "JOIN node_line a ON a.node_id = ? WHERE s.anc_id = ?",
			       "ii", parent, id);
	if (rc == 0)
		rc = shift(c, id, parent, 1, e);
	return rc;
}

int figures_pause(const struct ctx *c, struct err *e)
{
	return store_run(c->db, e,
			 "INSERT INTO figures_pause (id, depth) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET depth = "
			 "figures_pause.depth + 1",
			 "");
}

int figures_resume(const struct ctx *c, struct err *e)
{
	int64_t depth = 0;
	int rc = store_int(c->db, e, &depth, "SELECT depth FROM figures_pause WHERE id = 1", "");
	if (rc == ERR_NOT_FOUND)
		return 0; /* not paused */
	if (rc == 0 && depth > 1)
		return store_run(c->db, e, "UPDATE figures_pause SET depth = depth - 1 WHERE id = 1", "");
	if (rc == 0)
		rc = store_run(c->db, e,
			       "INSERT INTO figures (node_id, name, key, value) SELECT l.anc_id, d.name, d.key, "
			       "sum(d.value) FROM figures_delta d JOIN node_line l ON l.node_id = d.node_id GROUP BY "
			       "l.anc_id, d.name, d.key HAVING sum(d.value) <> 0 ON CONFLICT (node_id, name, key) DO "
			       "UPDATE SET value = figures.value + excluded.value",
			       "");
	if (rc == 0)
		rc = store_run(c->db, e, "DELETE FROM figures_delta", "");
	if (rc == 0)
		rc = store_run(c->db, e, "DELETE FROM figures_pause", "");
	return rc;
}

int figures_get(const struct ctx *c, int64_t node, const char *name, const char *key_from, const char *key_to,
		struct figure **out, int *n, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db,
			       key_from ? "SELECT key, value FROM figures WHERE node_id = ? AND name = ? AND key >= ? "
					  "AND key < ? ORDER BY key"
					: "SELECT key, value FROM figures WHERE node_id = ? AND name = ? ORDER BY key",
			       &st, e);
	if (rc)
		return rc;
	if (key_from)
		store_bind(st, "ittt", node, name, key_from, key_to);
	else
		store_bind(st, "it", node, name);
	int cap = 0;
	*out = NULL, *n = 0;
	while ((rc = store_step(st, e)) == STORE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			struct figure *g = arena_alloc(c->a, sizeof *g * (size_t)cap);
			if (*n)
				memcpy(g, *out, sizeof *g * (size_t)*n);
			*out = g;
		}
		(*out)[*n].key = arena_strdup(c->a, store_col_text(st, 0));
		(*out)[(*n)++].value = store_col_int(st, 1);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

int figures_sum(const struct ctx *c, int64_t node, const char *name, int64_t *out, struct err *e)
{
	*out = 0;
	int rc = store_int(c->db, e, out, "SELECT coalesce(sum(value), 0) FROM figures WHERE node_id = ? AND name = ?",
			   "it", node, name);
	return rc == ERR_NOT_FOUND ? 0 : rc;
}
