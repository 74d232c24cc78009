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

bool time_valid_date(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	int d = (s[8] - '0') * 10 + (s[9] - '0');
	return y >= 1850 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int time_age(const char *birth, int64_t t)
{
	if (!time_valid_date(birth))
		return -1;
	int by, bm, bd;
	sscanf(birth, "%d-%d-%d", &by, &bm, &bd);
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	int age = tm.tm_year + 1900 - by;
	if (tm.tm_mon + 1 < bm || (tm.tm_mon + 1 == bm && tm.tm_mday < bd))
		age--;
	return age;
}

int64_t time_parse_iso(const char *s)
{
	struct tm tm = {0};
	if (!s || strlen(s) != 20 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}
