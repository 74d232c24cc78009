/*
 * store_plan_log.c — the query plans of the SQL a connection prepares,
 * written to the file named by LINLI_PLAN_LOG (tests only; unset, nothing
 * is done). The plan test (tests/api/plans.test.mjs) reads it to check
 * that no list reads a whole table or sorts a whole subtree.
 *
 * Format, one block per statement: "Q\t<sql on one line>\n", then
 * "P\t<plan step>\n" per step. Blocks are appended whole (one write to a
 * file opened O_APPEND), so threads' blocks never interleave.
 */
#include "store/store_plan_log.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"

static const char *log_path;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void read_env(void)
{
	const char *p = getenv("LINLI_PLAN_LOG");
	log_path = p && *p ? p : NULL;
}

bool store_plan_log_on(void)
{
	pthread_once(&once, read_env);
	return log_path != NULL;
}

bool store_plan_is_query(const char *sql)
{
	while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '(')
		sql++;
	return !strncasecmp(sql, "SELECT", 6) || !strncasecmp(sql, "WITH", 4);
}

void store_plan_write(const char *sql, const char *const *steps, int n)
{
	if (!store_plan_log_on())
		return;
	struct buf b = {0};
	buf_puts(&b, "Q\t");
	for (const char *p = sql; *p; p++)
		buf_append(&b, *p == '\n' || *p == '\t' ? " " : p, 1);
	buf_puts(&b, "\n");
	for (int i = 0; i < n; i++) {
		buf_puts(&b, "P\t");
		buf_puts(&b, steps[i]);
		buf_puts(&b, "\n");
	}
	int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		ssize_t w = write(fd, buf_cstr(&b), b.len);
		(void)w;
		close(fd);
	}
	buf_free(&b);
}

void store_plan_log(sqlite3 *db, const char *sql)
{
	if (!store_plan_log_on() || !store_plan_is_query(sql))
		return;
	struct buf b = {0};
	buf_puts(&b, "EXPLAIN QUERY PLAN ");
	buf_puts(&b, sql);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, buf_cstr(&b), -1, &st, NULL);
	buf_free(&b);
	if (rc != SQLITE_OK)
		return;
	const char *steps[256];
	char *own[256];
	int n = 0;
	while (n < 256 && sqlite3_step(st) == SQLITE_ROW)
		steps[n] = own[n] = strdup((const char *)sqlite3_column_text(st, 3)), n++;
	sqlite3_finalize(st);
	store_plan_write(sql, steps, n);
	for (int i = 0; i < n; i++)
		free(own[i]);
}
