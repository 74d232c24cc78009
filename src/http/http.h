/*
 * http.h — the request and response seen by handlers, and the server.
 *
 * The server (libmicrohttpd, a pool of worker threads) collects a request
 * body within limits, opens one store connection per worker thread, and
 * hands each complete request to a dispatcher (api/router.c). Every
 * response leaves through http_respond(), which adds the security headers.
 * Thread-safety: a request belongs to one worker thread.
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
	const char *body;
	size_t body_len;
	bool body_too_large;
	const char *client; /* remote IP */
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

struct http_config {
	const char *db_url;
	const char *listen; /* "127.0.0.1:8080" */
	int threads;
	size_t max_body;     /* bytes for JSON bodies */
	size_t max_upload;   /* bytes for file uploads (import) */
	int rate_per_minute; /* requests per client per minute */
	http_dispatch_fn dispatch;
	void *user;
};

const char *http_query(struct http_req *r, const char *key);
const char *http_header(struct http_req *r, const char *key);
const char *http_cookie(struct http_req *r, const char *key);
void http_add_header(struct http_resp *w, const char *k, const char *v);

/* Runs until SIGINT/SIGTERM. Returns 0 on clean shutdown. */
int http_serve(const struct http_config *cfg);

/* Per-client token bucket (shared by all workers). */
bool http_rate_allow(const char *client, int per_minute, const char *bucket);

#endif
