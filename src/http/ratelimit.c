/*
 * ratelimit.c — token buckets per client address and bucket name.
 *
 * A fixed-size open-addressed table under one mutex; entries for idle
 * clients are overwritten when the table is full, which only forgets a
 * client's history (it never blocks a new one).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/http.h"

#define RL_SLOTS 4096

struct rl_slot {
	char key[80];
	double tokens;
	double last;
};

static struct rl_slot slots[RL_SLOTS];
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool http_rate_allow(const char *client, int per_minute, const char *bucket)
{
	if (per_minute <= 0)
		return true;
	char key[80];
	snprintf(key, sizeof key, "%s|%s", bucket, client ? client : "?");
	unsigned h = 2166136261u;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	double t = now_s(), rate = per_minute / 60.0, burst = per_minute;
	pthread_mutex_lock(&rl_lock);
	struct rl_slot *s = NULL, *oldest = NULL;
	for (int i = 0; i < 8; i++) {
		struct rl_slot *c = &slots[(h + (unsigned)i) % RL_SLOTS];
		if (strcmp(c->key, key) == 0) {
			s = c;
			break;
		}
		if (!oldest || c->last < oldest->last)
			oldest = c;
	}
	if (!s) {
		s = oldest;
		snprintf(s->key, sizeof s->key, "%s", key);
		s->tokens = burst;
		s->last = t;
	}
	s->tokens += (t - s->last) * rate;
	if (s->tokens > burst)
		s->tokens = burst;
	s->last = t;
	bool ok = s->tokens >= 1.0;
	if (ok)
		s->tokens -= 1.0;
	pthread_mutex_unlock(&rl_lock);
	return ok;
}
