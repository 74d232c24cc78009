/*
 * figures.h — counts kept current per node for its whole subtree.
 *
 * A figure counts the rows of one table that meet a condition, at the node
 * each row belongs to and at every node above it (the figures table holds
 * subtree totals: a node's row includes its descendants), optionally split
 * by a key computed from the row (a birth year, a tag). The write that
 * changes a row changes its figures in the same transaction: triggers
 * generated from the definitions below, in each engine's own dialect, add
 * and subtract along the node's line to the root (node_line, the tree's
 * closure, which tree.c keeps on insert and move). A read is then the
 * node's rows and its children's, however many rows the subtree holds.
 *
 * Adding a figure is one entry in a module's table, listed in
 * figure_tables (figures_defs.c). At startup figures_install compares the
 * definitions with the ones the database was built with and, when they
 * differ, rebuilds the triggers, the closure and every figure from the
 * rows (so a new figure arrives filled in). `linli check` recomputes them
 * all and reports any difference.
 *
 * Bulk jobs (bulk.h) pause the per-row roll-up: inside the job each row
 * adds to its own node only (figures_delta), and the job's commit folds
 * the deltas up the tree in one grouped statement. The pause is a row the
 * job's own transaction writes, so nothing outside it sees a paused tree.
 *
 * Expressions are SQL both engines read, over the counted row written as
 * `$.column` and, for a figure counted through a parent row (a person's
 * tags through the person), the parent as `@.column`.
 * Thread-safety: the definitions are read-only; the functions use the
 * ctx's connection.
 */
#ifndef LINLI_FIGURES_H
#define LINLI_FIGURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/core/ctx.h"

struct figure_def {
	const char *name;  /* "residents" */
	const char *table; /* the counted rows' table */
	const char *node;  /* the row's node id: "$.node_id" (or "@.node_id") */
	const char *when;  /* the condition a counted row meets */
	const char *key;   /* NULL, or a text expression splitting the count */
	/* The columns of table whose change can change the figure (comma
	 * separated; updates of other columns fire nothing). */
	const char *cols;
	/* Counted through a parent row: its table, its id column and the
	 * counted table's column referring to it; pcols: the parent's
	 * columns whose change can change the figure. */
	const char *parent, *parent_id, *parent_fk, *pcols;
};

/* The tables of figures, NULL-terminated, each ending with a {0} entry. */
extern const struct figure_def *const figure_tables[];

/* Brings the triggers and the figures up to date with the definitions
 * (see above); a no-op when they already are. */
int figures_install(const struct ctx *c, struct err *e);
/* Recomputes every figure from the rows and appends the differences from
 * the kept ones to report (at most cap bytes); *bad counts them. */
int figures_check(const struct ctx *c, char *report, size_t cap, int64_t *bad, struct err *e);

/* The tree: a node was inserted under parent (0: a root). */
int figures_node_added(const struct ctx *c, int64_t id, int64_t parent, struct err *e);
/* A node moved from under old_parent to under its new parent (already
 * set in nodes): the line of its subtree and the totals above it follow. */
int figures_node_moved(const struct ctx *c, int64_t id, int64_t old_parent, struct err *e);

/* Bulk jobs (bulk.c): pause the roll-up inside the job's transaction,
 * and fold the job's deltas up the tree before it commits. Nested pauses
 * are counted; the last resume folds. */
int figures_pause(const struct ctx *c, struct err *e);
int figures_resume(const struct ctx *c, struct err *e);

/* One kept figure row. */
struct figure {
	const char *key;
	int64_t value;
};

/* The figure name of node (its subtree's total), split by key, keys in
 * [key_from, key_to) when key_from is given: *out (arena) holds *n rows in
 * key order; none when nothing was ever counted. */
int figures_get(const struct ctx *c, int64_t node, const char *name, const char *key_from, const char *key_to,
		struct figure **out, int *n, struct err *e);
/* The figure's total over all keys (0 when none). */
int figures_sum(const struct ctx *c, int64_t node, const char *name, int64_t *out, struct err *e);

#endif
