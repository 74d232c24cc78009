/*
 * ratecred.h — the account a credential (session or API token) belongs
 * to, for charging its requests to the account's rate limit.
 *
 * A request's rate limit is charged before any work is done for it, so a
 * credential cannot be looked up in the database first. This map knows the
 * credentials the normal authentication already resolved: a keyed hash of
 * the credential (SipHash-2-4 under a random key of the process; the
 * credential itself is never kept) to the user id. The router adds a
 * credential once it resolves (and the login a token it issues), and
 * forgets one that no longer resolves or is logged out; a credential the
 * map does not know is charged to its client address. A fixed table of
 * HTTP_RATECRED_SLOTS slots probed HTTP_RATE_PROBES at a time: a new entry
 * takes an empty slot or the least recently used one of its window (a lost
 * entry costs one request charged to the address, then it is learnt
 * again). Thread-safety: one mutex; any thread.
 */
#ifndef LINLI_HTTP_RATECRED_H
#define LINLI_HTTP_RATECRED_H

#include <stdint.h>

#define HTTP_RATECRED_SLOTS 65536u

/* cred resolved to user_id (> 0). */
void http_ratecred_learn(const char *cred, int64_t user_id);
/* cred no longer resolves. */
void http_ratecred_forget(const char *cred);
/* The user id cred resolved to, or 0 when the map does not know it. */
int64_t http_ratecred_user(const char *cred);

#endif
