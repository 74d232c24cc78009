/*
 * ratelimit.c — token buckets in fixed tables (see ratelimit.h).
 *
 * A slot's key is its bucket name (8 bytes, zero-padded) and id; a bucket
 * may sit in any slot of the window of probes slots from its keyed hash,
 * and a lookup looks at the whole window (a slot is emptied only by being
 * taken over, never removed, so there are no tombstones).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "http/ratelimit.h"

#define NAME_BYTES 8
#define KEY_BYTES  (NAME_BYTES + HTTP_RATE_ID)
#define OVERFLOWS  4 /* overflow buckets per table: one per bucket name */
#define LOG_EVERY  60.0

struct slot {
	unsigned char key[KEY_BYTES];
	double tokens, last;
	int per_minute; /* 0: an empty slot */
};

struct http_rate_table {
	pthread_mutex_t lock;
	unsigned mask, probes;
	unsigned char hash_key[crypto_shorthash_KEYBYTES];
	unsigned long overflows, logged; /* overflows in all, and at the last log line */
	double logged_at;
	bool logged_once;
	struct slot overflow[OVERFLOWS];
	struct slot slot[];
};

struct http_rate_table *http_rate_table_new(unsigned slots, unsigned probes)
{
	if (slots == 0 || (slots & (slots - 1)) != 0 || probes == 0 || probes > slots || sodium_init() < 0)
		return NULL;
	struct http_rate_table *t = calloc(1, sizeof *t + (size_t)slots * sizeof(struct slot));
	if (!t)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	t->mask = slots - 1;
	t->probes = probes;
	randombytes_buf(t->hash_key, sizeof t->hash_key);
	return t;
}

void http_rate_table_free(struct http_rate_table *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* The bucket's tokens at now, at its current rate. */
static double level(const struct slot *s, double now)
{
	double elapsed = now > s->last ? now - s->last : 0;
	double tokens = s->tokens + elapsed * s->per_minute / 60.0;
	return tokens > s->per_minute ? s->per_minute : tokens;
}

static void fill(struct slot *s, const unsigned char *key, int per_minute, double now)
{
	memcpy(s->key, key, KEY_BYTES);
	s->per_minute = per_minute;
	s->tokens = per_minute;
	s->last = now;
}

/* The overflow bucket of the key's bucket name. */
static struct slot *overflow_of(struct http_rate_table *t, const unsigned char *key, int per_minute, double now)
{
	unsigned char okey[KEY_BYTES] = {0};
	memcpy(okey, key, NAME_BYTES);
	for (int i = 0; i < OVERFLOWS; i++) {
		struct slot *s = &t->overflow[i];
		if (s->per_minute && memcmp(s->key, okey, KEY_BYTES) == 0)
			return s;
		if (!s->per_minute) {
			fill(s, okey, per_minute, now);
			return s;
		}
	}
	return &t->overflow[OVERFLOWS - 1];
}

bool http_rate_take(struct http_rate_table *t, const char *bucket, const unsigned char id[HTTP_RATE_ID], int per_minute,
		    double now)
{
	if (per_minute <= 0)
		return true;
	unsigned char key[KEY_BYTES] = {0};
	memcpy(key, bucket, strnlen(bucket, NAME_BYTES));
	memcpy(key + NAME_BYTES, id, HTTP_RATE_ID);
	uint64_t h;
	crypto_shorthash((unsigned char *)&h, key, sizeof key, t->hash_key);
	unsigned long log_n = 0;
	pthread_mutex_lock(&t->lock);
	struct slot *s = NULL, *free_slot = NULL;
	for (unsigned i = 0; i < t->probes; i++) {
		struct slot *c = &t->slot[(h + i) & t->mask];
		if (c->per_minute && memcmp(c->key, key, KEY_BYTES) == 0) {
			s = c;
			break;
		}
		if (!free_slot && (!c->per_minute || level(c, now) >= c->per_minute))
			free_slot = c;
	}
	if (!s && free_slot) {
		s = free_slot;
		fill(s, key, per_minute, now);
	}
	if (!s) {
		s = overflow_of(t, key, per_minute, now);
		t->overflows++;
		if (!t->logged_once || now - t->logged_at >= LOG_EVERY) {
			log_n = t->overflows - t->logged;
			t->logged = t->overflows;
			t->logged_at = now;
			t->logged_once = true;
		}
	}
	s->tokens = level(s, now);
	s->per_minute = per_minute;
	if (s->tokens > per_minute)
		s->tokens = per_minute;
	if (now > s->last)
		s->last = now;
	bool ok = s->tokens >= 1.0;
	if (ok)
		s->tokens -= 1.0;
	pthread_mutex_unlock(&t->lock);
	if (log_n)
		log_warn(
		    "rate limit \"%.8s\": %lu request(s) of clients without a slot of their own were charged to the "
		    "shared overflow bucket (the table is full of busy clients)",
		    bucket, log_n);
	return ok;
}

unsigned long http_rate_overflows(struct http_rate_table *t)
{
	pthread_mutex_lock(&t->lock);
	unsigned long n = t->overflows;
	pthread_mutex_unlock(&t->lock);
	return n;
}

void http_rate_addr_id(const char *client, unsigned char id[HTTP_RATE_ID])
{
	memset(id, 0, HTTP_RATE_ID);
	struct in_addr a4;
	struct in6_addr a6;
	if (!client)
		client = "?";
	if (inet_pton(AF_INET, client, &a4) == 1) {
		id[10] = id[11] = 0xff; /* as v4-mapped IPv6 */
		memcpy(id + 12, &a4, 4);
	} else if (inet_pton(AF_INET6, client, &a6) == 1) {
		memcpy(id, &a6, IN6_IS_ADDR_V4MAPPED(&a6) ? 16 : 8);
	} else {
		crypto_generichash(id, HTTP_RATE_ID, (const unsigned char *)client, strlen(client), NULL, 0);
		id[0] |= 1; /* never an IPv4 address's id (zero there) */
		id[8] |= 1; /* never a /64's (zero there) */
	}
}

int http_rate_retry_after(int per_minute)
{
	if (per_minute <= 0 || per_minute >= 60)
		return 1;
	return (60 + per_minute - 1) / per_minute;
}

static struct http_rate_table *addr_table, *account_table;
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void tables_make(void)
{
	addr_table = http_rate_table_new(HTTP_RATE_SLOTS, HTTP_RATE_PROBES);
	account_table = http_rate_table_new(HTTP_RATE_SLOTS, HTTP_RATE_PROBES);
	if (!addr_table || !account_table)
		log_error("rate limits: out of memory for their tables; requests are not limited");
}

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
	pthread_once(&tables_once, tables_make);
	if (!addr_table)
		return true;
	unsigned char id[HTTP_RATE_ID];
	http_rate_addr_id(client, id);
	return http_rate_take(addr_table, bucket, id, per_minute, now_s());
}

bool http_rate_allow_account(int64_t user_id, int per_minute)
{
	if (per_minute <= 0)
		return true;
	pthread_once(&tables_once, tables_make);
	if (!account_table)
		return true;
	unsigned char id[HTTP_RATE_ID] = {0};
	uint64_t u = (uint64_t)user_id;
	for (int i = 0; i < 8; i++)
		id[i] = (unsigned char)(u >> (8 * i));
	return http_rate_take(account_table, "account", id, per_minute, now_s());
}
