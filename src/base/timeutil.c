/* timeutil.c — clock with a test override; calendar checks without locale. */
#include "base/timeutil.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static _Atomic int64_t fake_now;

int64_t time_now(void)
{
	int64_t f = atomic_load(&fake_now);
	return f ? f : (int64_t)time(NULL);
}

void time_set_fake(int64_t t)
{
	atomic_store(&fake_now, t);
}

void time_iso(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

/* The n decimal digits at s as a number, or -1 if any is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD" at s (more may follow) into y, m, d: false if it is not
 * digits in that shape with a month 1-12 and a day 1-31. */
static bool parse_date(const char *s, int *y, int *m, int *d)
{
	if (strnlen(s, 10) < 10 || s[4] != '-' || s[7] != '-')
		return false;
	*y = digits(s, 4);
	*m = digits(s + 5, 2);
	*d = digits(s + 8, 2);
	return *y >= 0 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31;
}

/* A real calendar date in the years a person's dates can fall in. */
static bool real_date(int y, int m, int d)
{
	return y >= 1850 && y <= 2200 && d <= days_in_month(y, m);
}

bool time_valid_date(const char *s)
{
	int y, m, d;
	return s && strlen(s) == 10 && parse_date(s, &y, &m, &d) && real_date(y, m, d);
}

int time_age(const char *birth, int64_t t)
{
	int by, bm, bd;
	if (!birth || strlen(birth) != 10 || !parse_date(birth, &by, &bm, &bd) || !real_date(by, bm, bd))
		return -1;
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	int age = tm.tm_year + 1900 - by;
	if (tm.tm_mon + 1 < bm || (tm.tm_mon + 1 == bm && tm.tm_mday < bd))
		age--;
	return age;
}

int time_year(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	return tm.tm_year + 1900;
}

int64_t time_parse_iso(const char *s)
{
	if (!s || strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return -1;
	struct tm tm = {0};
	if (!parse_date(s, &tm.tm_year, &tm.tm_mon, &tm.tm_mday))
		return -1;
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	if (tm.tm_hour < 0 || tm.tm_hour > 23 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}
