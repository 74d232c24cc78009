/*
 * http.h — the request and response seen by handlers, and the server.
 *
 * The server (libmicrohttpd, a pool of worker threads) checks a request's
 * size limits and its client's connection and rate limits (per account for
 * a credential already resolved, else per address: ratelimit.h) as soon as
 * its headers are in, collects the body within limits (a large upload, which
 * only a request the dispatcher's upload check admits may send, into an
 * anonymous file mapped for the handler), opens one store connection per
 * worker thread, and hands each complete request to a dispatcher
 * (api/router.c). Every response leaves through one function, which adds
 * the security headers. Thread-safety: a request belongs to one worker
 * thread; the trusted proxies are read-only once the server runs.
 */
#ifndef LINLI_HTTP_H
#define LINLI_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
struct store; /* opened per worker thread (server.c) */

struct MHD_Connection;

struct http_req {
	struct MHD_Connection *conn;
	const char *method, *path;
	const char *body;   /* in memory, or an upload's file mapped read-only */
	size_t body_len;    /* within the server's limit: a larger body is refused before it is read */
	const char *client; /* the client's address: the peer's, or the one a trusted proxy forwarded */
	struct arena *a;
	struct store *db; /* this worker's connection */
};

struct http_resp {
	int status;
	json_t *json;     /* owned; serialised if set */
	const void *data; /* else raw bytes (not owned unless free_data) */
	size_t len;
	bool free_data;
	const char *type; /* content type for raw bytes */
	const char *headers[8][2];
	int nheaders;
};

typedef void (*http_dispatch_fn)(struct http_req *req, struct http_resp *resp, void *user);
/* Whether a request whose headers are in (no body yet) may send up to
 * max_upload bytes: it goes to an upload route and is authenticated. */
typedef bool (*http_upload_fn)(struct http_req *req, void *user);
/* The credential a request whose headers are in carries (a token), or NULL;
 * *from_cookie (may be NULL) tells whether it came in the session cookie. */
typedef const char *(*http_cred_fn)(struct http_req *req, bool *from_cookie);

/* Trusted proxies: addresses or networks (IPv4 as v4-mapped IPv6). */
#define HTTP_PROXIES_MAX 32
struct http_net {
	unsigned char addr[16];
	int bits;
};
struct http_proxies {
	int n;
	struct http_net net[HTTP_PROXIES_MAX];
};

/* linli's own request limits, below libmicrohttpd's (server.c), so that
 * linli answers a request over them with its JSON error first. */
#define HTTP_URI_MAX      32768               /* bytes of path and query (the reading aid takes 2,000 characters) */
#define HTTP_QUERY_ARGS   100                 /* query parameters */
#define HTTP_HEADERS_MAX  100                 /* header lines */
#define HTTP_HEADER_BYTES ((size_t)32 * 1024) /* names and values of all headers */
/* A body over its limit, from a client that did not ask to continue first,
 * is read and dropped up to this many bytes past the limit so the client
 * sees the 413 (closing on unread data would reset the connection before
 * it reads the answer); a larger one is answered at once. From a trusted
 * proxy, up to max_upload past it. */
#define HTTP_DRAIN_MAX ((size_t)16 << 20)

struct http_config {
	const char *db_url;
	const char *listen; /* "127.0.0.1:8080" */
	int threads;
	size_t max_body;      /* bytes for JSON bodies */
	size_t max_upload;    /* bytes for file uploads (import) */
	int rate_per_minute;  /* requests per client address per minute (anonymous and unknown credentials); 0: none */
	int rate_account;     /* requests per account per minute (ratelimit.h, ratecred.h); 0: none */
	int conns_per_client; /* connections (and forwarded requests) per client address; 0: no limit */
	int header_timeout;   /* seconds a request's headers may take, from connect or the last response */
	bool hsts;            /* send Strict-Transport-Security (the public URL is https) */
	const struct http_proxies *proxies; /* may set the client address (X-Forwarded-For); NULL: none */
	bool group_writes;                  /* writes through one group-committing writer (single-writer engines) */
	http_dispatch_fn dispatch;
	http_upload_fn upload_ok; /* NULL: no request may send more than max_body */
	http_cred_fn credential;  /* NULL: every request is charged to its address */
	void *user;
};

const char *http_query(struct http_req *r, const char *key);
const char *http_header(struct http_req *r, const char *key);
const char *http_cookie(struct http_req *r, const char *key);
void http_add_header(struct http_resp *w, const char *k, const char *v);

/* Runs until SIGINT/SIGTERM. Returns 0 on clean shutdown. */
int http_serve(const struct http_config *cfg);

/* Parses a comma- or space-separated list of addresses and ADDR/BITS
 * networks, IPv4 or IPv6 (proxy.c). False with a message in msg. */
bool http_proxies_parse(const char *list, struct http_proxies *out, char *msg, size_t cap);
bool http_proxy_trusted(const struct http_proxies *p, const char *addr);
/* The client's address: peer, unless peer is a trusted proxy and xff (the
 * X-Forwarded-For hops, comma-separated) names one: then the rightmost hop
 * that is not a trusted proxy (the leftmost if all are), stopping at a hop
 * that is not an address. Written into buf, canonical text; returns buf. */
const char *http_client_addr(const struct http_proxies *p, const char *peer, const char *xff, char *buf, size_t cap);

#endif
