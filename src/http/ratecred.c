/*
 * ratecred.c — credential hash → user id (see ratecred.h).
 *
 * An entry is named by the 64-bit keyed hash alone: without the key, a
 * credential that hashes like a known one cannot be aimed at, and a chance
 * match (about one in 2^48 with the table full) would only charge a
 * request to another account's bucket.
 */
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "base/log.h"
#include "http/ratecred.h"
#include "http/ratelimit.h"

struct entry {
	uint64_t hash;
	int64_t user_id; /* 0: an empty slot */
	uint64_t used;   /* the map's clock at the last use */
};

static struct entry entries[HTTP_RATECRED_SLOTS];
static unsigned char hash_key[crypto_shorthash_KEYBYTES];
static uint64_t clock_now;
static bool ready;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
	if (sodium_init() < 0) {
		log_error("rate limits: libsodium did not start; requests are charged to their address");
		return;
	}
	randombytes_buf(hash_key, sizeof hash_key);
	ready = true;
}

static bool hash_of(const char *cred, uint64_t *h)
{
	if (!cred || !*cred)
		return false;
	pthread_once(&once, init);
	if (!ready)
		return false;
	crypto_shorthash((unsigned char *)h, (const unsigned char *)cred, strlen(cred), hash_key);
	return true;
}

/* The entry of h, or NULL; called locked. */
static struct entry *find(uint64_t h)
{
	for (unsigned i = 0; i < HTTP_RATE_PROBES; i++) {
		struct entry *e = &entries[(h + i) % HTTP_RATECRED_SLOTS];
		if (e->user_id && e->hash == h)
			return e;
	}
	return NULL;
}

void http_ratecred_learn(const char *cred, int64_t user_id)
{
	uint64_t h;
	if (user_id <= 0 || !hash_of(cred, &h))
		return;
	pthread_mutex_lock(&lock);
	struct entry *e = find(h);
	if (!e) {
		for (unsigned i = 0; i < HTTP_RATE_PROBES; i++) {
			struct entry *c = &entries[(h + i) % HTTP_RATECRED_SLOTS];
			if (!c->user_id) {
				e = c;
				break;
			}
			if (!e || c->used < e->used)
				e = c;
		}
	}
	e->hash = h;
	e->user_id = user_id;
	e->used = ++clock_now;
	pthread_mutex_unlock(&lock);
}

void http_ratecred_forget(const char *cred)
{
	uint64_t h;
	if (!hash_of(cred, &h))
		return;
	pthread_mutex_lock(&lock);
	struct entry *e = find(h);
	if (e)
		*e = (struct entry){0};
	pthread_mutex_unlock(&lock);
}

int64_t http_ratecred_user(const char *cred)
{
	uint64_t h;
	if (!hash_of(cred, &h))
		return 0;
	pthread_mutex_lock(&lock);
	struct entry *e = find(h);
	int64_t user = 0;
	if (e) {
		user = e->user_id;
		e->used = ++clock_now;
	}
	pthread_mutex_unlock(&lock);
	return user;
}
