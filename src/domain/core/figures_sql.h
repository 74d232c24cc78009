/*
 * figures_sql.h — the SQL figures.c runs, written from the figure
 * definitions (figures.h) in one engine's dialect: the triggers that keep
 * the figures, and the statements that recompute them from the rows.
 * Thread-safety: pure; results are in the caller's buffer.
 */
#ifndef LINLI_FIGURES_SQL_H
#define LINLI_FIGURES_SQL_H

#include "base/buf.h"
#include "domain/core/figures.h"
#include "store/store.h"

/* The triggers (and, on PostgreSQL, their functions) for every table a
 * figure reads, as one script; every object's name starts with "fig_". */
void figures_sql_triggers(struct buf *out, enum store_dialect d);
/* One INSERT per figure into table (figures, or a table of its shape)
 * of every figure's value recomputed from the rows, separated by ";\n". */
void figures_sql_recompute(struct buf *out, const char *table);

#endif
