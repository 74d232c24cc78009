/*
 * webhook_post.h — one signed delivery attempt of an outgoing webhook.
 *
 * When a resident's request changes, linli notifies group-chat robots
 * (企业微信/钉钉-style) and other systems by POSTing a JSON body to a URL
 * they registered. This module performs exactly one attempt: it signs the
 * body with the subscriber's secret (HMAC-SHA256 over "<timestamp>.<body>"),
 * sends it with libcurl under a hard total timeout, follows no redirects,
 * reads at most 64 KiB of the answer and throws it away, and reports what
 * happened. It connects only to public unicast addresses, or to those on the
 * allow-list (webhook_allow): the address checked is each one libcurl is
 * about to dial, after name resolution (base/netaddr.h says which are refused). Deciding whether and when to retry is
 * the scheduler's job; webhook_backoff() gives it the delay.
 *
 * Ownership: all arguments are borrowed for the duration of the call; the
 * caller owns struct webhook_result and struct err. Nothing is retained.
 * Thread-safety: call webhook_init() and webhook_allow() once at program start, before other
 * threads use libcurl. After that every function here may be called from
 * any number of threads at once (each webhook_post() uses its own curl easy
 * handle; webhook_post() also runs webhook_init() itself, idempotently, as a
 * safety net). webhook_sign(), webhook_hmac_hex() and webhook_backoff() are
 * pure apart from the random source used for unseeded jitter.
 */
#ifndef LINLI_WEBHOOK_POST_H
#define LINLI_WEBHOOK_POST_H

#include <stddef.h>

#include "base/err.h"

/* Upper bound on response bytes read; the rest of a longer answer is not read. */
#define WEBHOOK_RESPONSE_CAP ((size_t)64 * 1024)
/* Minimum capacity for webhook_sign(): "sha256=" + 64 hex digits + NUL. */
#define WEBHOOK_SIGNATURE_CAP 72

struct webhook_result {
	long status;     /* HTTP status, 0 if no response */
	char error[256]; /* transport error text, "" if none */
	double seconds;  /* time taken */
};

/* One-time global init (curl_global_init, sodium_init); call once at program start. Idempotent.
 * Returns 0 or ERR_INTERNAL. */
int webhook_init(void);

/* Sets the allow-list of addresses that may be connected to although they are not public
 * ("127.0.0.1/32,10.0.0.0/8"; NULL or "" = none, the default). Configuration: call before
 * deliveries start. Returns 0, or ERR_INVALID (e names the bad entry; the list is unchanged). */
int webhook_allow(const char *spec, struct err *e);

/* Whether url may be registered as a target: the checks webhook_post() makes of a URL, and a
 * host that is an address literal (or "localhost") must not be refused by the address policy
 * under the allow-list. Names are judged at delivery, by what they resolve to.
 * Returns 0, ERR_INVALID for a malformed URL, or ERR_FORBIDDEN for a refused address (field
 * "url"; that message in Chinese, then English). */
int webhook_check_target(const char *url, struct err *e);

/*
 * POSTs body (JSON, UTF-8; NULL is sent as "") to url with headers:
 *   Content-Type: application/json; charset=utf-8
 *   User-Agent: linli-webhook/1
 *   X-Linli-Event: <event>            (e.g. "request.escalated")
 *   X-Linli-Delivery: <delivery_id>   (decimal)
 *   X-Linli-Timestamp: <unix seconds>
 *   X-Linli-Signature: sha256=<hex HMAC-SHA256 over "<timestamp>.<body>" with secret>
 * Only http:// and https:// URLs; timeout_ms total (connect + transfer); no redirects followed
 * (a 3xx is a non-2xx answer); response body read but capped at WEBHOOK_RESPONSE_CAP and discarded.
 * No proxy is used, not even from the environment (http_proxy ...): the address checked must be the
 * receiver's own. Each address libcurl dials after resolving the host is checked first; a refused
 * one gets no socket (nothing is sent to it).
 *
 * Returns 0 if a 2xx response was received (also when reading the discarded answer fails after the
 * 2xx status line; res->error then says why, so the scheduler does not send a duplicate);
 * ERR_FORBIDDEN when no connection was made because the address policy refused the resolved
 * address(es) (res->error names the address and why); ERR_UNAVAILABLE for transport errors, timeouts and non-2xx (res
 * filled either way); ERR_INVALID for a bad URL/scheme, an empty secret, an event that is empty or not printable ASCII
 * without spaces (no header injection), or timeout_ms <= 0; ERR_INTERNAL if libcurl cannot be set up. res may be NULL;
 * it is always reset first. Error messages never contain the URL (robot URLs carry their access key in the query
 * string).
 */
int webhook_post(const char *url, const char *secret, const char *event, long long delivery_id, const char *body,
		 long timeout_ms, struct webhook_result *res, struct err *e);

/* The signature header value for (secret, timestamp, body), for receivers and tests. Writes
 * "sha256=<64 hex>" into out (cap >= WEBHOOK_SIGNATURE_CAP); with a smaller cap out gets "" (if
 * cap > 0) rather than a truncated signature. body NULL is treated as "". */
void webhook_sign(const char *secret, long long timestamp, const char *body, char *out, size_t cap);

/* Lower-case hex HMAC-SHA256 of data[0..n) keyed with the NUL-terminated key (any length; keys
 * longer than 64 bytes are hashed first, as RFC 2104 says). The helper behind webhook_sign(). */
void webhook_hmac_hex(const char *key, const unsigned char *data, size_t n, char out[65]);

/*
 * Exponential back-off with jitter for attempt n (1-based): d = min(base * 2^(n-1), cap) seconds,
 * plus a jitter in [0, d/10]. Deterministic for a non-zero jitter_seed (same seed and attempt give
 * the same value, for tests); jitter_seed 0 draws the jitter from the system CSPRNG.
 * attempt < 1 counts as 1; base_s <= 0 gives 0; cap_s <= 0 means "no cap" (still overflow-safe).
 */
long webhook_backoff(int attempt, long base_s, long cap_s, unsigned jitter_seed);

#endif
