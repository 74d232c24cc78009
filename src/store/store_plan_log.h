/*
 * store_plan_log.h — query plans written to LINLI_PLAN_LOG (tests only).
 * Thread-safety: callers pass their own connection; the file is appended
 * to in whole blocks.
 */
#ifndef LINLI_STORE_PLAN_LOG_H
#define LINLI_STORE_PLAN_LOG_H

#include <sqlite3.h>
#include <stdbool.h>

/* Is a plan log asked for (LINLI_PLAN_LOG set)? */
bool store_plan_log_on(void);
/* Appends the plan of the query sql on db (statements other than SELECT
 * and WITH are left out). */
void store_plan_log(sqlite3 *db, const char *sql);
/* SELECT or WITH? */
bool store_plan_is_query(const char *sql);
/* Appends one statement's plan, its steps as the engine printed them
 * (PostgreSQL's backend writes its EXPLAIN lines with this). */
void store_plan_write(const char *sql, const char *const *steps, int n);

#endif
