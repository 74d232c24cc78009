/*
 * pg_sql.h — the one place where SQLite and PostgreSQL spellings differ.
 *
 * Domain SQL is written once, in the subset both engines share; the few
 * remaining differences are rewritten here for PostgreSQL:
 *   placeholders   ? and ?N             -> $N
 *   full text      <table> MATCH ?      -> <table>.tsv @@ linli_tsquery($N)
 *   index hints    INDEXED BY name      -> (dropped)
 * Migrations keep engine-specific parts in marked blocks
 *   -- @sqlite ... -- @end      -- @postgres ... -- @end
 * and their shared DDL gets PostgreSQL's type names (INTEGER -> BIGINT,
 * "id INTEGER PRIMARY KEY" -> an identity column, REAL -> DOUBLE PRECISION,
 * BLOB -> BYTEA, TEXT columns -> TEXT COLLATE "C" so that path ranges and
 * sorting compare bytes as SQLite does).
 * Thread-safety: pure functions; results are malloc'd, the caller frees.
 */
#ifndef LINLI_PG_SQL_H
#define LINLI_PG_SQL_H

#include <stddef.h>

#include "store/store.h"

/* Rewrites one statement for PostgreSQL; *nparams receives the highest $N. */
char *pg_sql_statement(const char *sql, int *nparams);
/* The migration text as the given engine should run it. */
char *pg_sql_migration(const unsigned char *text, size_t len, enum store_dialect dialect);

#endif
