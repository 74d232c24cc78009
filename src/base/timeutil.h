/*
 * timeutil.h — wall-clock time and ISO-8601 dates.
 *
 * Times are stored as UTC text "YYYY-MM-DDTHH:MM:SSZ" (sortable, portable
 * across SQLite and PostgreSQL); dates as "YYYY-MM-DD".
 * The clock can be overridden for tests (time_set_fake).
 * Thread-safety: safe; time_set_fake is for single-threaded tests.
 */
#ifndef LINLI_TIMEUTIL_H
#define LINLI_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

int64_t time_now(void);
void time_set_fake(int64_t t); /* 0 restores the real clock */
/* Writes "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with NUL) */
void time_iso(int64_t t, char out[21]);
/* Parses "YYYY-MM-DDTHH:MM:SSZ" (UTC); -1 if it is not one. */
int64_t time_parse_iso(const char *s);
/* Validates "YYYY-MM-DD" as a real calendar date. */
bool time_valid_date(const char *s);
/* The calendar year (UTC) of t. */
int time_year(int64_t t);
/* Age in whole years on the date of t, or -1 if birth is invalid. */
int time_age(const char *birth, int64_t t);

#endif
