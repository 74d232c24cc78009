/*
 * figures_sql.c — triggers and recomputation written from the figure
 * definitions.
 *
 * Every write to a counted table runs one statement: a UNION ALL of one
 * branch per figure and side (the old row subtracted, the new row added),
 * each giving (node, name, key, ±1 or 0), grouped, joined to the node's
 * line and upserted into figures. A row counted through a parent (a tag
 * through its person) also changes when the parent does: the parent's
 * triggers then count its children's rows out under the old parent and in
 * under the new one. Updates fire only when a column a figure reads
 * changed. While a bulk job has paused the roll-up (figures_pause has a
 * row in its transaction), the same branches add to figures_delta at the
 * row's own node instead.
 */
#include "domain/core/figures_sql.h"

#include <stdbool.h>
#include <string.h>

/* Writes expr with "$." as row and "@." as parent. */
static void subst(struct buf *b, const char *expr, const char *row, const char *parent)
{
	for (const char *p = expr; *p; p++) {
		if ((*p == '$' || *p == '@') && p[1] == '.') {
			buf_puts(b, *p == '$' ? row : parent);
			p++;
		} else {
			buf_append(b, p, 1);
		}
	}
}

/*
 * One branch: the figure d for the row named row (NEW, OLD or a child
 * alias) whose parent row is named parent; sign +1 or -1. from_child:
 * the branch reads the children of the parent row `parent` (a parent's
 * trigger) rather than the parent of the row `row` (a child's trigger).
 */
static void branch(struct buf *b, const struct figure_def *d, const char *row, const char *parent, int sign,
		   bool from_child)
{
	buf_puts(b, "SELECT ");
	subst(b, d->node, row, parent);
	buf_printf(b, " AS n, '%s' AS name, ", d->name);
	if (d->key)
		subst(b, d->key, row, parent);
	else
		buf_puts(b, "''");
	buf_printf(b, " AS key, %sCASE WHEN ", sign < 0 ? "-" : "");
	subst(b, d->when, row, parent);
	buf_puts(b, " THEN 1 ELSE 0 END AS d");
	if (d->parent && from_child) {
		/* row is an alias of the child table, parent is OLD or NEW. */
		buf_printf(b, " FROM %s c WHERE c.%s = %s%s", d->table, d->parent_fk, parent, d->parent_id);
	} else if (d->parent) {
		buf_printf(b, " FROM %s p WHERE p.%s = %s%s", d->parent, d->parent_id, row, d->parent_fk);
	}
}

enum event { EV_INSERT, EV_DELETE, EV_UPDATE, EV_COUNT };

/* The branches of every figure a write to table changes, for one event;
 * false when there are none. */
static bool branches(struct buf *b, const char *table, enum event ev)
{
	bool any = false;
	for (int t = 0; figure_tables[t]; t++)
		for (const struct figure_def *d = figure_tables[t]; d->name; d++) {
			bool own = !strcmp(d->table, table), dep = d->parent && !strcmp(d->parent, table);
			if (!own && !dep)
				continue;
			if (dep && ev == EV_INSERT)
				continue; /* a new parent has no children yet */
			for (int side = 0; side < 2; side++) {
				bool old = side == 0;
				if ((ev == EV_INSERT && old) || (ev == EV_DELETE && !old))
					continue;
				if (any)
					buf_puts(b, " UNION ALL ");
				if (own)
					branch(b, d, old ? "OLD." : "NEW.", "p.", old ? -1 : 1, false);
				else
					branch(b, d, "c.", old ? "OLD." : "NEW.", old ? -1 : 1, true);
				any = true;
			}
		}
	return any;
}

static void rollup(struct buf *b, const char *u, bool paused)
{
	if (paused)
		buf_printf(
		    b,
		    "INSERT INTO figures_delta (node_id, name, key, value) SELECT f.n, f.name, f.key, sum(f.d) "
		    "FROM (%s) f WHERE f.n IS NOT NULL GROUP BY f.n, f.name, f.key HAVING sum(f.d) <> 0 "
		    "ON CONFLICT (node_id, name, key) DO UPDATE SET value = figures_delta.value + excluded.value",
		    u);
	else
		buf_printf(b,
			   "INSERT INTO figures (node_id, name, key, value) SELECT l.anc_id, f.name, f.key, sum(f.d) "
			   "FROM (%s) f JOIN node_line l ON l.node_id = f.n GROUP BY l.anc_id, f.name, f.key "
			   "HAVING sum(f.d) <> 0 "
			   "ON CONFLICT (node_id, name, key) DO UPDATE SET value = figures.value + excluded.value",
			   u);
}

/* Adds col to the comma-separated list unless it is there. */
static void add_col(struct buf *list, const char *col, size_t n)
{
	const char *s = buf_cstr(list);
	for (const char *p = s; *p;) {
		const char *q = strchr(p, ',');
		size_t len = q ? (size_t)(q - p) : strlen(p);
		if (len == n && !strncmp(p, col, n))
			return;
		p = q ? q + 1 : p + len;
	}
	if (list->len)
		buf_puts(list, ",");
	buf_append(list, col, n);
}

static void add_cols(struct buf *list, const char *cols)
{
	for (const char *p = cols; p && *p;) {
		while (*p == ',' || *p == ' ')
			p++;
		size_t n = strcspn(p, ", ");
		if (n)
			add_col(list, p, n);
		p += n;
	}
}

/* The columns of table whose update can change a figure. */
static void update_cols(struct buf *list, const char *table)
{
	for (int t = 0; figure_tables[t]; t++)
		for (const struct figure_def *d = figure_tables[t]; d->name; d++) {
			if (!strcmp(d->table, table))
				add_cols(list, d->cols);
			if (d->parent && !strcmp(d->parent, table))
				add_cols(list, d->pcols);
		}
}

/* "OLD.a IS NOT NEW.a OR …" over the columns. */
static void changed(struct buf *b, const char *cols, enum store_dialect dl)
{
	bool first = true;
	for (const char *p = cols; *p;) {
		size_t n = strcspn(p, ",");
		buf_printf(b, "%sOLD.%.*s %s NEW.%.*s", first ? "" : " OR ", (int)n, p,
			   dl == STORE_POSTGRES ? "IS DISTINCT FROM" : "IS NOT", (int)n, p);
		first = false;
		p += n;
		if (*p)
			p++;
	}
}

/* The tables figures read, each once, in definition order. */
static int tables(const char **out, int cap)
{
	int n = 0;
	for (int t = 0; figure_tables[t]; t++)
		for (const struct figure_def *d = figure_tables[t]; d->name; d++) {
			const char *cand[2] = {d->table, d->parent};
			for (int k = 0; k < 2; k++) {
				bool seen = !cand[k];
				for (int i = 0; i < n && !seen; i++)
					seen = !strcmp(out[i], cand[k]);
				if (!seen && n < cap)
					out[n++] = cand[k];
			}
		}
	return n;
}

static const char *const event_sql[EV_COUNT] = {"INSERT", "DELETE", "UPDATE"};
static const char *const event_tag[EV_COUNT] = {"ins", "del", "upd"};

static void sqlite_triggers(struct buf *out, const char *table)
{
	struct buf cols = {0}, u = {0};
	update_cols(&cols, table);
	for (int ev = 0; ev < EV_COUNT; ev++) {
		buf_reset(&u);
		if (!branches(&u, table, (enum event)ev))
			continue;
		for (int paused = 0; paused < 2; paused++) {
			buf_printf(out, "CREATE TRIGGER fig_%s_%s%s AFTER %s", table, event_tag[ev], paused ? "_p" : "",
				   event_sql[ev]);
			if (ev == EV_UPDATE)
				buf_printf(out, " OF %s", buf_cstr(&cols));
			buf_printf(out, " ON %s WHEN ", table);
			if (ev == EV_UPDATE) {
				buf_puts(out, "(");
				changed(out, buf_cstr(&cols), STORE_SQLITE);
				buf_puts(out, ") AND ");
			}
			buf_printf(out, "%sEXISTS (SELECT 1 FROM figures_pause) BEGIN ", paused ? "" : "NOT ");
			rollup(out, buf_cstr(&u), paused);
			buf_puts(out, "; END;\n");
		}
	}
	buf_free(&cols), buf_free(&u);
}

static void pg_triggers(struct buf *out, const char *table)
{
	struct buf cols = {0}, u = {0};
	update_cols(&cols, table);
	buf_printf(out,
		   "CREATE FUNCTION fig_%s() RETURNS trigger LANGUAGE plpgsql AS $fig$\n"
		   "DECLARE paused boolean := EXISTS (SELECT 1 FROM figures_pause);\nBEGIN\n",
		   table);
	bool any[EV_COUNT] = {false};
	for (int ev = 0; ev < EV_COUNT; ev++) {
		buf_reset(&u);
		if (!(any[ev] = branches(&u, table, (enum event)ev)))
			continue;
		buf_printf(out, "IF TG_OP = '%s' THEN\n  IF paused THEN\n    ", event_sql[ev]);
		rollup(out, buf_cstr(&u), true);
		buf_puts(out, ";\n  ELSE\n    ");
		rollup(out, buf_cstr(&u), false);
		buf_puts(out, ";\n  END IF;\nEND IF;\n");
	}
	buf_puts(out, "RETURN NULL;\nEND\n$fig$;\n");
	if (any[EV_INSERT] || any[EV_DELETE])
		buf_printf(out,
			   "CREATE TRIGGER fig_%s_row AFTER %s%s%s ON %s FOR EACH ROW EXECUTE FUNCTION fig_%s();\n",
			   table, any[EV_INSERT] ? "INSERT" : "", any[EV_INSERT] && any[EV_DELETE] ? " OR " : "",
			   any[EV_DELETE] ? "DELETE" : "", table, table);
	if (any[EV_UPDATE]) {
		buf_printf(out, "CREATE TRIGGER fig_%s_upd AFTER UPDATE OF %s ON %s FOR EACH ROW WHEN (", table,
			   buf_cstr(&cols), table);
		changed(out, buf_cstr(&cols), STORE_POSTGRES);
		buf_printf(out, ") EXECUTE FUNCTION fig_%s();\n", table);
	}
	buf_free(&cols), buf_free(&u);
}

void figures_sql_triggers(struct buf *out, enum store_dialect d)
{
	const char *t[32];
	int n = tables(t, 32);
	for (int i = 0; i < n; i++) {
		if (d == STORE_POSTGRES)
			pg_triggers(out, t[i]);
		else
			sqlite_triggers(out, t[i]);
	}
}

void figures_sql_recompute(struct buf *out, const char *table)
{
	for (int t = 0; figure_tables[t]; t++)
		for (const struct figure_def *d = figure_tables[t]; d->name; d++) {
			/* Counted per node first, then rolled up: the join to the
			 * lines is as long as the nodes, not the rows. */
			buf_printf(out,
				   "INSERT INTO %s (node_id, name, key, value) SELECT l.anc_id, '%s', g.key, sum(g.c) "
				   "FROM (SELECT ",
				   table, d->name);
			subst(out, d->node, "t.", "p.");
			buf_puts(out, " AS n, ");
			if (d->key)
				subst(out, d->key, "t.", "p.");
			else
				buf_puts(out, "''");
			buf_printf(out, " AS key, count(*) AS c FROM %s t", d->table);
			if (d->parent)
				buf_printf(out, " JOIN %s p ON p.%s = t.%s", d->parent, d->parent_id, d->parent_fk);
			buf_puts(out, " WHERE ");
			subst(out, d->when, "t.", "p.");
			buf_puts(out,
				 " GROUP BY 1, 2) g JOIN node_line l ON l.node_id = g.n GROUP BY l.anc_id, g.key;\n");
		}
}
