/*
 * server.c — libmicrohttpd glue: limits, body collection, worker stores.
 *
 * libmicrohttpd runs a pool of worker threads (epoll). Each worker opens
 * its own store connection on first use (thread-local), which is the "one
 * connection per worker thread" rule. Before a request costs anything, and
 * before its body is read, it passes linli's limits in this order, each
 * answered with the JSON error envelope: the URI's size and parameter count
 * (414; checked on the raw request line, whose query libmicrohttpd is then
 * kept from parsing), the headers' count and size (431), the forwarded
 * client's concurrent requests behind a trusted proxy (429), the request
 * rate (429: per account for a credential already resolved, else per
 * client address; ratelimit.h, ratecred.h) and the body size (413, from Content-Length). A body is
 * collected in memory up to max_body; only a request the dispatcher's
 * upload check admits (an upload route, authenticated) may send up to
 * max_upload, and it goes to an anonymous file (spool.h) that the handler
 * sees mapped. A chunked body that outgrows its limit has its connection
 * closed: libmicrohttpd can answer only before it reads a body.
 * Connections are counted per client address and refused at accept past
 * --max-conns; their headers must arrive within --header-timeout
 * (conns.h), swept by the main thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "http/conns.h"
#include "http/http.h"
#include "http/ratecred.h"
#include "base/json_out.h"
#include "http/ratelimit.h"
#include "http/spool.h"
#include "store/store.h"
#include "store/store_group.h"

/* libmicrohttpd's per-connection memory: the request line, the headers
 * and the parsed parameters share it. Large enough that any request within
 * linli's limits (http.h) parses, so linli answers before the library's
 * own fixed HTML errors; a request line or header block beyond about this
 * size still gets those (docs/architecture.md, "The server"). */
#define MHD_POOL_BYTES ((size_t)128 * 1024)

struct conn_state {
	struct buf body;
	size_t len, limit;
	int fd;            /* the upload's spool file, or -1 */
	void *map;         /* the spool file mapped for the handler */
	bool started;      /* the headers were checked */
	bool uri_too_long; /* over HTTP_URI_MAX or HTTP_QUERY_ARGS */
	bool spool_failed; /* writing the spool file failed */
	bool draining;     /* over the limit: dropped as it comes, answered 413 */
	size_t drain;      /* how far past the limit a body is read to answer it */
	bool held;         /* a forwarded request counted under client */
	char client[64];
	char retry_after[12];    /* the Retry-After of a 429 */
	struct pending *pending; /* a write waiting for its group commit */
};

/* A write handed to the group-commit writer: its request, the answer the
 * handler made, and whether the batch that holds it is durable. The
 * connection is suspended meanwhile, so the worker thread serves others. */
struct pending {
	const struct http_config *cfg;
	struct MHD_Connection *conn;
	struct arena a;
	struct http_req r;
	struct http_resp w;
	int rc; /* the batch's outcome, set before the connection resumes */
};

static _Thread_local struct store *worker_db;
static volatile sig_atomic_t stop_flag;
static struct store_group *writes; /* the group-commit writer; NULL: each worker writes */

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

static enum MHD_Result send_resp(const struct http_config *cfg, struct MHD_Connection *conn, struct http_resp *w)
{
	struct MHD_Response *r;
	if (w->json) {
		size_t n = 0;
		char *s = json_out(w->json, &n);
		json_decref(w->json);
		w->json = NULL;
		if (!s) { /* text the domain let through unchecked: a bug, never a crash */
			log_error("response not writable as JSON (invalid UTF-8 or a non-finite number)");
			s = strdup("null");
			n = s ? 4 : 0;
		}
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
	/* Browsers heed it only over https, which the public URL says a
	 * proxy in front terminates. */
	if (cfg->hsts)
		MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
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

static const char *sockaddr_text(const struct sockaddr *sa, char *buf, size_t cap)
{
	snprintf(buf, cap, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)cap);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)cap);
	return buf;
}

static const char *peer_ip(struct MHD_Connection *conn, char *buf, size_t cap)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return sockaddr_text(ci ? ci->client_addr : NULL, buf, cap);
}

static struct http_conn *tracked(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static struct conn_state *state_new(void)
{
	struct conn_state *cs = calloc(1, sizeof *cs);
	if (cs)
		cs->fd = -1;
	return cs;
}

/* Called with the raw request line's URI before libmicrohttpd parses its
 * query. Over linli's limits, the query is cut off here (the first byte
 * after '?', in libmicrohttpd's own buffer, which it parses next), so the
 * library stores no parameters for it and the request is answered 414. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct conn_state *cs = state_new();
	if (!cs || !uri)
		return cs;
	char *q = strchr(uri, '?');
	size_t args = 0;
	if (q && q[1]) {
		args = 1;
		for (const char *p = q + 1; *p; p++)
			args += *p == '&';
	}
	if (strlen(uri) > HTTP_URI_MAX || args > HTTP_QUERY_ARGS) {
		cs->uri_too_long = true;
		if (q)
			q[1] = 0;
	}
	return cs;
}

struct header_tally {
	size_t n, bytes;
	struct buf xff;
};

static enum MHD_Result tally_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct header_tally *t = cls;
	t->n++;
	t->bytes += strlen(key) + (value ? strlen(value) : 0);
	if (value && strcasecmp(key, "X-Forwarded-For") == 0) {
		if (t->xff.len)
			buf_puts(&t->xff, ",");
		buf_puts(&t->xff, value);
	}
	return MHD_YES;
}

static struct store *worker_store(const struct http_config *cfg)
{
	if (!worker_db) {
		struct err e = {0};
		if (store_open(cfg->db_url, false, &worker_db, &e) != 0)
			log_error("worker cannot open database: %s", e.msg);
	}
	return worker_db;
}

static void too_large(struct http_resp *w)
{
	error_json(w, 413, "too_large", "请求体过大 / request body too large");
}

/* The request rate: a credential the map knows (one the router resolved
 * before) is charged to its account, any other request to its address,
 * before anything is looked up for it. False with the 429 in w. */
static bool rate_allow(const struct http_config *cfg, struct MHD_Connection *conn, struct conn_state *cs,
		       struct http_resp *w)
{
	struct http_req r = {.conn = conn};
	const char *cred = cfg->credential ? cfg->credential(&r, NULL) : NULL;
	int64_t account = cred ? http_ratecred_user(cred) : 0;
	int per_minute = account ? cfg->rate_account : cfg->rate_per_minute;
	if (account ? http_rate_allow_account(account, per_minute) : http_rate_allow(cs->client, per_minute, "all"))
		return true;
	error_json(w, 429, "rate_limited", "请求过于频繁 / too many requests");
	snprintf(cs->retry_after, sizeof cs->retry_after, "%d", http_rate_retry_after(per_minute));
	http_add_header(w, "Retry-After", cs->retry_after);
	return false;
}

/* The first call for a request: its headers are in, its body not yet
 * read. Fills w with the answer when the request is refused here. */
static void admit(const struct http_config *cfg, struct MHD_Connection *conn, const char *url, const char *method,
		  struct conn_state *cs, struct http_resp *w)
{
	http_conn_waiting(tracked(conn), false);
	char peer[64];
	peer_ip(conn, peer, sizeof peer);
	struct header_tally t = {0};
	MHD_get_connection_values(conn, MHD_HEADER_KIND, tally_header, &t);
	bool proxied = http_proxy_trusted(cfg->proxies, peer);
	/* A trusted proxy has the body already (nginx buffers it) and would
	 * turn the reset of an early answer into a 502: read all it sends. */
	cs->drain = proxied ? cfg->max_upload : HTTP_DRAIN_MAX;
	http_client_addr(cfg->proxies, peer, t.xff.len ? buf_cstr(&t.xff) : NULL, cs->client, sizeof cs->client);
	buf_free(&t.xff);
	cs->limit = cfg->max_body;
	if (cs->uri_too_long)
		return error_json(
		    w, 414, "uri_too_long",
		    "请求地址过长或查询参数过多（最多32768字节、100个参数） / URI too long or too many query "
		    "parameters (at most 32768 bytes, 100 parameters)");
	if (t.n > HTTP_HEADERS_MAX || t.bytes > HTTP_HEADER_BYTES)
		return error_json(
		    w, 431, "headers_too_large",
		    "请求头过多或过大（最多100个、32 KiB） / too many or too large headers (at most 100, 32 "
		    "KiB)");
	if (proxied && cfg->conns_per_client > 0 && strcmp(cs->client, peer) != 0) {
		if (!http_conn_acquire(cs->client, cfg->conns_per_client)) {
			error_json(w, 429, "too_many_connections", "同时进行的请求过多 / too many concurrent requests");
			return http_add_header(w, "Retry-After", "1");
		}
		cs->held = true;
	}
	if (!rate_allow(cfg, conn, cs, w))
		return;
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
	unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
	if ((declared > cfg->max_body || (!cl && te)) && cfg->upload_ok && cfg->max_upload > cfg->max_body) {
		struct arena a;
		arena_init(&a);
		struct http_req r = {.conn = conn, .method = method, .path = url, .client = cs->client, .a = &a};
		r.db = worker_store(cfg);
		bool upload = r.db && cfg->upload_ok(&r, cfg->user);
		if (r.db && store_in_txn(r.db))
			store_rollback(r.db);
		arena_free(&a);
		if (upload) {
			cs->limit = cfg->max_upload;
			cs->fd = http_spool_open();
			if (cs->fd < 0) {
				log_error("cannot create an upload file: %s", strerror(errno));
				return error_json(w, 503, "unavailable", "无法接收上传 / cannot take the upload now");
			}
		}
	}
	if (declared > cs->limit) {
		if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect") || declared > cs->limit + cs->drain)
			return too_large(w);
		cs->draining = true;
	}
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

static bool is_write(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && strcmp(method, "OPTIONS") != 0;
}

/* On the writer thread: the handler runs on the writer's connection. */
static void pending_run(struct store *db, void *arg)
{
	struct pending *p = arg;
	p->r.db = db;
	p->cfg->dispatch(&p->r, &p->w, p->cfg->user);
}

/* On the writer thread, once the batch is durable or undone. */
static void pending_done(void *arg, int rc, const struct err *e)
{
	struct pending *p = arg;
	p->rc = rc;
	MHD_resume_connection(p->conn);
}

/* The answer of a resumed write: the handler's, or a 503 when its batch
 * could not commit (the handler's answer, and any cookie it set, are
 * dropped: nothing it said happened did). */
static enum MHD_Result pending_answer(struct conn_state *cs)
{
	struct pending *p = cs->pending;
	if (p->rc) {
		json_decref(p->w.json);
		if (p->w.free_data)
			free((void *)p->w.data);
		p->w = (struct http_resp){.status = 200};
		error_json(&p->w, 503, "unavailable", "写入未能保存，请重试 / the write was not saved, retry");
		http_add_header(&p->w, "Retry-After", "1");
	}
	enum MHD_Result ret = send_resp(p->cfg, p->conn, &p->w);
	arena_free(&p->a);
	free(p);
	cs->pending = NULL;
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	const struct http_config *cfg = cls;
	struct conn_state *cs = *con_cls;
	if (!cs && !(cs = *con_cls = state_new()))
		return MHD_NO;
	if (cs->pending)
		return pending_answer(cs); /* resumed: the write's batch ended */
	if (!cs->started) {
		cs->started = true;
		struct http_resp w = {0};
		admit(cfg, conn, url, method, cs, &w);
		return w.status ? send_resp(cfg, conn, &w) : MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		cs->len += n;
		if (cs->len > cs->limit) {
			cs->draining = true;
			buf_free(&cs->body);
			/* Past what is worth reading just to answer: close. */
			return cs->len > cs->limit + cs->drain ? MHD_NO : MHD_YES;
		}
		if (cs->fd < 0)
			buf_append(&cs->body, upload_data, n);
		else if (!cs->spool_failed && !write_all(cs->fd, upload_data, n))
			cs->spool_failed = true, log_error("cannot write an upload file: %s", strerror(errno));
		return MHD_YES;
	}
	struct http_resp w = {.status = 200};
	if (cs->draining) {
		too_large(&w);
		return send_resp(cfg, conn, &w);
	}
	struct arena a;
	arena_init(&a);
	struct http_req r = {.conn = conn,
			     .method = method,
			     .path = url,
			     .body = cs->body.data ? cs->body.data : "",
			     .body_len = cs->len,
			     .client = cs->client,
			     .a = &a};
	if (cs->fd >= 0 && cs->len && !cs->spool_failed) {
		cs->map = mmap(NULL, cs->len, PROT_READ, MAP_PRIVATE, cs->fd, 0);
		if (cs->map == MAP_FAILED)
			cs->map = NULL, cs->spool_failed = true, log_error("cannot map an upload: %s", strerror(errno));
		else
			r.body = cs->map;
	}
	r.db = worker_store(cfg);
	if (r.db && !cs->spool_failed && writes && is_write(method)) {
		/* A write: to the group-commit writer, answered when resumed. */
		struct pending *p = calloc(1, sizeof *p);
		if (p) {
			*p = (struct pending){.cfg = cfg, .conn = conn, .r = r, .w = w};
			p->a = a; /* the arena moves with the request */
			p->r.a = &p->a;
			cs->pending = p;
			MHD_suspend_connection(conn);
			struct err e = {0};
			if (store_group_submit(writes, pending_run, pending_done, p, &e) == 0)
				return MHD_YES;
			/* The writer is stopping: answered at once. */
			error_json(&p->w, 503, "unavailable", "服务正在停止 / the server is stopping");
			MHD_resume_connection(conn);
			return MHD_YES;
		}
	}
	if (!r.db)
		error_json(&w, 503, "unavailable", "数据库不可用 / database unavailable");
	else if (cs->spool_failed)
		error_json(&w, 503, "unavailable", "无法接收上传 / cannot take the upload now");
	else
		cfg->dispatch(&r, &w, cfg->user);
	if (r.db && store_in_txn(r.db)) {
		log_error("handler left a transaction open: %s %s", method, url);
		while (store_in_txn(r.db))
			store_rollback(r.db);
	}
	enum MHD_Result ret = send_resp(cfg, conn, &w);
	arena_free(&a);
	return ret;
}

static void on_complete(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;
	if (cs) {
		if (cs->map)
			munmap(cs->map, cs->len);
		if (cs->fd >= 0)
			close(cs->fd);
		if (cs->held)
			http_conn_release(cs->client);
		buf_free(&cs->body);
		free(cs);
	}
	*con_cls = NULL;
	/* The next request's headers are awaited from now. */
	http_conn_waiting(tracked(conn), true);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		char ip[64];
		*socket_context = fd ? http_conn_open(fd->connect_fd, peer_ip(conn, ip, sizeof ip)) : NULL;
	} else {
		http_conn_close(*socket_context);
		*socket_context = NULL;
	}
}

/* Before a connection is taken: one client address may hold at most
 * conns_per_client; a trusted proxy's connections carry many clients and
 * are counted per forwarded client instead (admit). */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	const struct http_config *cfg = cls;
	if (cfg->conns_per_client <= 0)
		return MHD_YES;
	char ip[64];
	sockaddr_text(addr, ip, sizeof ip);
	if (http_proxy_trusted(cfg->proxies, ip) || http_conn_count(ip) < cfg->conns_per_client)
		return MHD_YES;
	return MHD_NO;
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
	if (http_spool_init() != 0) {
		log_error("cannot make a directory for uploads: %s", strerror(errno));
		return ERR_IO;
	}
	if (cfg->group_writes) {
		struct err e = {0};
		if (store_group_start(cfg->db_url, &writes, &e) != 0) {
			log_error("cannot start the writer: %s", e.msg);
			http_spool_cleanup();
			return e.code ? e.code : ERR_IO;
		}
	}
	struct sigaction act = {.sa_handler = on_signal};
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGTERM, &act, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME,
	    (uint16_t)port, on_accept, (void *)cfg, on_request, (void *)cfg, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_NOTIFY_COMPLETED,
	    on_complete, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_URI_LOG_CALLBACK, on_uri,
	    NULL, MHD_OPTION_CONNECTION_MEMORY_LIMIT, MHD_POOL_BYTES, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
	    MHD_OPTION_END);
	if (!d) {
		log_error("cannot listen on %s", cfg->listen);
		store_group_stop(writes);
		store_group_free(writes);
		writes = NULL;
		http_spool_cleanup();
		return ERR_IO;
	}
	log_info("serving on http://%s:%ld (%d threads)", host, port, cfg->threads);
	/* The main thread keeps the header deadline (4 sweeps a second). */
	int cut = 0;
	time_t told = time(NULL);
	while (!stop_flag) {
		struct timespec nap = {.tv_sec = 0, .tv_nsec = 250L * 1000 * 1000};
		nanosleep(&nap, NULL);
		if (cfg->header_timeout > 0)
			cut += http_conn_sweep(cfg->header_timeout);
		if (cut && time(NULL) - told >= 60) {
			log_warn("closed %d connections whose request headers took more than %d s", cut,
				 cfg->header_timeout);
			cut = 0;
			told = time(NULL);
		}
	}
	log_info("shutting down");
	/* The writer finishes what is queued (those connections resume with
	 * their answers) before the daemon stops; a write arriving after that
	 * is answered 503. */
	struct store_group *g = writes;
	if (g) {
		store_group_stop(g);
		struct store_group_stats st;
		store_group_stats(g, &st);
		log_info("group commit: %lld writes in %lld commits (%.2f per commit, largest %lld, %lld failed)",
			 (long long)st.jobs, (long long)st.batches,
			 st.batches ? (double)st.jobs / (double)st.batches : 0.0, (long long)st.largest,
			 (long long)st.failed_batches);
	}
	MHD_stop_daemon(d);
	writes = NULL;
	store_group_free(g);
	http_spool_cleanup();
	return 0;
}
