/*
 * server.c — libmicrohttpd glue: body collection, limits, worker stores.
 *
 * libmicrohttpd runs a pool of worker threads (epoll). Each worker opens
 * its own store connection on first use (thread-local), which is the "one
 * connection per worker thread" rule. Bodies are collected into a buffer
 * bounded by max_body (max_upload for /import routes); an oversize body is
 * drained and answered with 413 without reaching a handler.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "http/http.h"
#include "store/store.h"

struct conn_state {
	struct buf body;
	bool too_large;
	size_t limit;
};

static _Thread_local struct store *worker_db;
static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

const char *http_query(struct http_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *http_header(struct http_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, key);
}

const char *http_cookie(struct http_req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, key);
}

void http_add_header(struct http_resp *w, const char *k, const char *v)
{
	if (w->nheaders < 8) {
		w->headers[w->nheaders][0] = k;
		w->headers[w->nheaders][1] = v;
		w->nheaders++;
	}
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct http_resp *w)
{
	struct MHD_Response *r;
	if (w->json) {
		char *s = json_dumps(w->json, JSON_COMPACT);
		json_decref(w->json);
		w->json = NULL;
		size_t n = strlen(s);
		r = MHD_create_response_from_buffer(n, s, MHD_RESPMEM_MUST_FREE);
		MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	} else {
		r = MHD_create_response_from_buffer(w->len, (void *)w->data,
						    w->free_data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		if (w->type)
			MHD_add_response_header(r, "Content-Type", w->type);
	}
	/* One place for security headers: every response passes here. */
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(
	    r, "Content-Security-Policy",
	    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
	bool has_cache = false;
	for (int i = 0; i < w->nheaders; i++) {
		MHD_add_response_header(r, w->headers[i][0], w->headers[i][1]);
		has_cache |= strcasecmp(w->headers[i][0], "Cache-Control") == 0;
	}
	if (!has_cache)
		MHD_add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)w->status, r);
	MHD_destroy_response(r);
	return ret;
}

static void error_json(struct http_resp *w, int status, const char *code, const char *msg)
{
	w->status = status;
	w->json = json_pack("{s:{s:s, s:s, s:n}}", "error", "code", code, "message", msg, "field");
}

static const char *client_ip(struct MHD_Connection *conn, char *buf, size_t cap)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(buf, cap, "?");
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)cap);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)cap);
	}
	return buf;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	const struct http_config *cfg = cls;
	struct conn_state *cs = *con_cls;
	if (!cs) {
		cs = calloc(1, sizeof *cs);
		if (!cs)
			return MHD_NO;
		/* Files (imports, photos) may be larger than JSON bodies; their
		 * handlers apply their own limits. */
		cs->limit = strstr(url, "/import") || strstr(url, "/files") ? cfg->max_upload : cfg->max_body;
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > cs->limit)
			cs->too_large = true;
		*con_cls = cs;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!cs->too_large && cs->body.len + *upload_size <= cs->limit)
			buf_append(&cs->body, upload_data, *upload_size);
		else
			cs->too_large = true;
		*upload_size = 0;
		return MHD_YES;
	}
	char ip[64];
	struct http_resp w = {.status = 200};
	struct arena a;
	arena_init(&a);
	struct http_req r = {.conn = conn,
			     .method = method,
			     .path = url,
			     .body = cs->body.data ? cs->body.data : "",
			     .body_len = cs->body.len,
			     .body_too_large = cs->too_large,
			     .client = client_ip(conn, ip, sizeof ip),
			     .a = &a};
	if (!worker_db) {
		struct err e = {0};
		if (store_open(cfg->db_url, false, &worker_db, &e) != 0)
			log_error("worker cannot open database: %s", e.msg);
	}
	r.db = worker_db;
	if (!r.db)
		error_json(&w, 503, "unavailable", "数据库不可用 / database unavailable");
	else if (!http_rate_allow(r.client, cfg->rate_per_minute, "all"))
		error_json(&w, 429, "rate_limited", "请求过于频繁 / too many requests"),
		    http_add_header(&w, "Retry-After", "10");
	else
		cfg->dispatch(&r, &w, cfg->user);
	if (r.db && store_in_txn(r.db)) {
		log_error("handler left a transaction open: %s %s", method, url);
		while (store_in_txn(r.db))
			store_rollback(r.db);
	}
	enum MHD_Result ret = send_resp(conn, &w);
	arena_free(&a);
	return ret;
}

static void on_complete(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;
	if (cs) {
		buf_free(&cs->body);
		free(cs);
	}
	*con_cls = NULL;
}

/* libmicrohttpd has no per-thread teardown hook; the workers' connections
 * close with the process, after the daemon has stopped them. */
int http_serve(const struct http_config *cfg)
{
	char host[128] = "127.0.0.1";
	const char *colon = strrchr(cfg->listen, ':');
	if (colon)
		snprintf(host, sizeof host, "%.*s", (int)(colon - cfg->listen), cfg->listen);
	const char *digits = colon ? colon + 1 : cfg->listen;
	char *end;
	long port = strtol(digits, &end, 10);
	if (end == digits || *end || port < 0 || port > 65535) {
		log_error("listen port must be 0..65535, got %s", cfg->listen);
		return ERR_INVALID;
	}
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		log_error("listen address must be IPv4 ADDR:PORT, got %s", cfg->listen);
		return ERR_INVALID;
	}
	struct sigaction act = {.sa_handler = on_signal};
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL, on_request,
	    (void *)cfg, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned)cfg->threads, MHD_OPTION_NOTIFY_COMPLETED, on_complete, NULL, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)64 * 1024, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
	if (!d) {
		log_error("cannot listen on %s", cfg->listen);
		return ERR_IO;
	}
	log_info("serving on http://%s:%ld (%d threads)", host, port, cfg->threads);
	while (!stop_flag)
		pause();
	log_info("shutting down");
	MHD_stop_daemon(d);
	return 0;
}
