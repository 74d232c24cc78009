/*
 * ratelimit.h — token buckets: requests per client address and per account.
 *
 * A bucket of a rate of N per minute holds up to N tokens and refills at
 * N/60 a second; a request takes one, and an empty bucket refuses it. A
 * bucket is named by a bucket name ("all", "login") and an id (a client
 * address's, http_rate_addr_id, or an account's) and lives in a fixed table
 * of slots, hashed with the table's own random key (SipHash-2-4, so a
 * client cannot choose ids that land on one slot) and probed a window of
 * slots at a time. A new bucket takes an empty slot of its window or one
 * whose bucket is full again (an idle client's: forgetting it loses
 * nothing); when every slot of the window holds a bucket still refilling,
 * the new one shares its table's overflow bucket of that name, so a flood
 * of new ids never resets the bucket of a client that spent its own.
 *
 * The server keeps two tables (address buckets, account buckets) of
 * HTTP_RATE_SLOTS slots, made on first use. Thread-safety: each table has
 * one mutex; every function may be called from any thread.
 */
#ifndef LINLI_HTTP_RATELIMIT_H
#define LINLI_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define HTTP_RATE_SLOTS  65536u /* slots of each of the server's tables */
#define HTTP_RATE_PROBES 16u    /* slots a bucket may occupy, from its hash */
#define HTTP_RATE_ID     16     /* bytes of a bucket's id */

struct http_rate_table;

/* A table of slots (a power of two) probed probes at a time, owned by the
 * caller (http_rate_table_free). NULL when out of memory. */
struct http_rate_table *http_rate_table_new(unsigned slots, unsigned probes);
void http_rate_table_free(struct http_rate_table *t);
/* Takes a token from the bucket (bucket, id) at now (seconds of a monotonic
 * clock). True when the request may go on; always true for per_minute <= 0.
 * Only the first 8 bytes of bucket name it. */
bool http_rate_take(struct http_rate_table *t, const char *bucket, const unsigned char id[HTTP_RATE_ID], int per_minute,
		    double now);
/* Requests charged to an overflow bucket so far (their bucket found no
 * slot). The server logs them at most once a minute. */
unsigned long http_rate_overflows(struct http_rate_table *t);

/* The bucket id of a client address (canonical text): an IPv6 address by
 * its /64 (one subscriber's network), an IPv4 address (also v4-mapped)
 * whole; any other text by a hash of it. */
void http_rate_addr_id(const char *client, unsigned char id[HTTP_RATE_ID]);
/* The Retry-After of a spent bucket: ⌈60/per_minute⌉ seconds, at least 1. */
int http_rate_retry_after(int per_minute);

/* The server's tables. Per client address (bucket names the budget: "all"
 * for every request, "login" for login attempts), and per account. */
bool http_rate_allow(const char *client, int per_minute, const char *bucket);
bool http_rate_allow_account(int64_t user_id, int per_minute);

#endif
