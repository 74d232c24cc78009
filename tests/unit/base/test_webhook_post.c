/*
 * test_webhook_post.c — unit tests for src/base/webhook_post: the HMAC helper
 * against RFC 4231 vectors and an independent HMAC built from SHA-256, the
 * signature format, the back-off schedule, argument validation, and real
 * deliveries to a tiny HTTP/1.1 server that runs in a thread on 127.0.0.1
 * (ephemeral port). The server records the request line, headers and body
 * and answers with a configurable status, an oversized body, a hang or a
 * dropped connection. Only loopback is ever contacted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/webhook_post.h"

/* ---------------------------------------------------------------- test server */

#define SRV_MAX_REQS 8
#define SRV_HEAD_CAP 16384
#define SRV_WAIT_MS  5000

enum srv_mode {
	SRV_ANSWER, /* reply with status and resp_len bytes of body */
	SRV_HANG,   /* read the request, then say nothing until the client goes away */
	SRV_DROP    /* read the request, then close without answering */
};

struct srv_req {
	char head[SRV_HEAD_CAP]; /* request line + headers, NUL-terminated, without the blank line */
	char *body;              /* malloc'd, NUL-terminated */
	size_t body_len;
};

struct srv {
	/* configuration */
	enum srv_mode mode;
	int status;
	const char *location; /* optional Location header */
	size_t resp_len;      /* announced Content-Length */
	size_t resp_stall;    /* if non-zero: send only this many body bytes, then wait for the client to leave */
	int conns;            /* connections to serve before the thread ends */
	/* state */
	int lfd;
	int port;
	pthread_t th;
	int served;
	struct srv_req reqs[SRV_MAX_REQS];
};

static int wait_readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r;
	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r;
}

static const char *find_header(const char *head, const char *name, char *out, size_t cap, int *count);

/* Reads one request into r; returns 0 or -1. */
static int read_request(int fd, struct srv_req *r)
{
	char buf[SRV_HEAD_CAP + 65536];
	size_t n = 0;
	char *end = NULL;

	while (!end) {
		if (n >= sizeof buf - 1 || wait_readable(fd, SRV_WAIT_MS) <= 0)
			return -1;
		ssize_t k = recv(fd, buf + n, sizeof buf - 1 - n, 0);
		if (k <= 0)
			return -1;
		n += (size_t)k;
		buf[n] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	size_t hlen = (size_t)(end - buf);
	if (hlen >= sizeof r->head)
		return -1;
	memcpy(r->head, buf, hlen);
	r->head[hlen] = '\0';

	char cl[32];
	size_t want = 0;
	if (find_header(r->head, "Content-Length", cl, sizeof cl, NULL))
		want = (size_t)strtoull(cl, NULL, 10);
	r->body = calloc(1, want + 1);
	if (!r->body)
		return -1;
	size_t have = n - (hlen + 4);
	if (have > want)
		have = want;
	memcpy(r->body, end + 4, have);
	while (have < want) {
		if (wait_readable(fd, SRV_WAIT_MS) <= 0)
			return -1;
		ssize_t k = recv(fd, r->body + have, want - have, 0);
		if (k <= 0)
			return -1;
		have += (size_t)k;
	}
	r->body_len = want;
	return 0;
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k <= 0)
			return; /* the client hung up (e.g. after the response cap) */
		p += k;
		n -= (size_t)k;
	}
}

static void hang(int fd)
{
	char c;
	while (wait_readable(fd, SRV_WAIT_MS) > 0 && recv(fd, &c, 1, 0) > 0)
		;
}

static void answer(struct srv *s, int fd)
{
	char head[512];
	int hn = snprintf(head, sizeof head,
			  "HTTP/1.1 %d Whatever\r\nContent-Type: text/plain\r\n%s%s%s"
			  "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			  s->status, s->location ? "Location: " : "", s->location ? s->location : "",
			  s->location ? "\r\n" : "", s->resp_len);
	send_all(fd, head, (size_t)hn);
	char chunk[8192];
	memset(chunk, 'x', sizeof chunk);
	size_t len = s->resp_stall ? s->resp_stall : s->resp_len;
	for (size_t left = len; left;) {
		size_t k = left < sizeof chunk ? left : sizeof chunk;
		send_all(fd, chunk, k);
		left -= k;
	}
	if (s->resp_stall)
		hang(fd);
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	while (s->served < s->conns && s->served < SRV_MAX_REQS) {
		if (wait_readable(s->lfd, SRV_WAIT_MS) <= 0)
			break;
		int fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			break; /* srv_stop() shut the listener down */
		struct srv_req *r = &s->reqs[s->served++];
		if (read_request(fd, r) == 0) {
			if (s->mode == SRV_ANSWER) {
				answer(s, fd);
			} else if (s->mode == SRV_HANG) {
				hang(fd);
			}
		}
		close(fd);
	}
	return NULL;
}

static void srv_start(struct srv *s)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	socklen_t al = sizeof a;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s->lfd, 16), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &al), 0);
	s->port = ntohs(a.sin_port);
	if (s->conns == 0)
		s->conns = 1;
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
}

/* Wakes the server if it still waits for a connection, joins it and closes the listener. */
static void srv_stop(struct srv *s)
{
	shutdown(s->lfd, SHUT_RDWR);
	pthread_join(s->th, NULL);
	close(s->lfd);
}

static void srv_free(struct srv *s)
{
	for (int i = 0; i < SRV_MAX_REQS; i++)
		free(s->reqs[i].body);
	free(s);
}

static struct srv *srv_new(enum srv_mode mode, int status)
{
	struct srv *s = calloc(1, sizeof *s);
	assert_non_null(s);
	s->mode = mode;
	s->status = status;
	return s;
}

static void srv_url(const struct srv *s, const char *path, char *out, size_t cap)
{
	snprintf(out, cap, "http://127.0.0.1:%d%s", s->port, path);
}

/* Value of header name in head (case-insensitive name); *count gets how many times it occurs. */
static const char *find_header(const char *head, const char *name, char *out, size_t cap, int *count)
{
	const char *found = NULL;
	size_t nl = strlen(name);
	int c = 0;

	const char *line = strstr(head, "\r\n"); /* skip the request line */
	while (line) {
		line += 2;
		const char *eol = strstr(line, "\r\n");
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		if (len > nl && line[nl] == ':' && strncasecmp(line, name, nl) == 0) {
			const char *v = line + nl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t vl = len - (size_t)(v - line);
			if (!found) {
				snprintf(out, cap, "%.*s", (int)vl, v);
				found = out;
			}
			c++;
		}
		line = eol;
	}
	if (count)
		*count = c;
	return found;
}

/* The header must be present exactly once; returns its value in out. */
static const char *header1(const struct srv_req *r, const char *name, char *out, size_t cap)
{
	int count = 0;
	const char *v = find_header(r->head, name, out, cap, &count);
	if (count != 1)
		fail_msg("header %s occurs %d times in:\n%s", name, count, r->head);
	return v;
}

/* ---------------------------------------------------------------- independent HMAC */

/* HMAC-SHA256 straight from RFC 2104 on top of plain SHA-256, to check the module's helper. */
static void ref_hmac_hex(const unsigned char *key, size_t kn, const unsigned char *msg, size_t mn, char out[65])
{
	unsigned char k[64] = {0}, ipad[64], opad[64], inner[32], mac[32];
	crypto_hash_sha256_state st;

	if (kn > 64)
		crypto_hash_sha256(k, key, kn);
	else
		memcpy(k, key, kn);
	for (int i = 0; i < 64; i++) {
		ipad[i] = k[i] ^ 0x36;
		opad[i] = k[i] ^ 0x5c;
	}
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, ipad, 64);
	crypto_hash_sha256_update(&st, msg, mn);
	crypto_hash_sha256_final(&st, inner);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, opad, 64);
	crypto_hash_sha256_update(&st, inner, 32);
	crypto_hash_sha256_final(&st, mac);
	sodium_bin2hex(out, 65, mac, 32);
}

/* Checks a received request's signature three ways: format, webhook_sign(), independent HMAC. */
static void verify_signature(const struct srv_req *r, const char *secret)
{
	char ts[64], sig[128], mine[WEBHOOK_SIGNATURE_CAP], ref[65];

	header1(r, "X-Linli-Timestamp", ts, sizeof ts);
	header1(r, "X-Linli-Signature", sig, sizeof sig);
	assert_int_equal(strlen(sig), 7 + 64);
	assert_memory_equal(sig, "sha256=", 7);
	for (int i = 7; i < 71; i++)
		assert_non_null(strchr("0123456789abcdef", sig[i]));

	char *end;
	long long t = strtoll(ts, &end, 10);
	assert_true(*end == '\0' && end != ts);
	webhook_sign(secret, t, r->body, mine, sizeof mine);
	assert_string_equal(sig, mine);

	size_t tl = strlen(ts);
	unsigned char *msg = malloc(tl + 1 + r->body_len);
	assert_non_null(msg);
	memcpy(msg, ts, tl);
	msg[tl] = '.';
	memcpy(msg + tl + 1, r->body, r->body_len);
	ref_hmac_hex((const unsigned char *)secret, strlen(secret), msg, tl + 1 + r->body_len, ref);
	free(msg);
	assert_string_equal(sig + 7, ref);
}

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- HMAC and signing */

static void test_hmac_rfc4231_case2(void **state)
{
	const char *data = "what do ya want for nothing?";
	char out[65];

	webhook_hmac_hex("Jefe", (const unsigned char *)data, strlen(data), out);
	assert_string_equal(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_hmac_rfc4231_case6_long_key(void **state)
{
	char key[132];
	const char *data = "Test Using Larger Than Block-Size Key - Hash Key First";
	char out[65], ref[65];

	memset(key, 0xaa, 131);
	key[131] = '\0';
	webhook_hmac_hex(key, (const unsigned char *)data, strlen(data), out);
	assert_string_equal(out, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	ref_hmac_hex((const unsigned char *)key, 131, (const unsigned char *)data, strlen(data), ref);
	assert_string_equal(out, ref);
}

static void test_sign_is_hmac_of_timestamp_dot_body(void **state)
{
	const char *body = "{\"event\":\"request.escalated\",\"title\":\"楼道灯坏了\"}";
	char sig[WEBHOOK_SIGNATURE_CAP], hex[65], msg[256];

	webhook_sign("s3cret", 1700000000LL, body, sig, sizeof sig);
	int n = snprintf(msg, sizeof msg, "1700000000.%s", body);
	webhook_hmac_hex("s3cret", (const unsigned char *)msg, (size_t)n, hex);
	assert_int_equal(strlen(sig), 71);
	assert_memory_equal(sig, "sha256=", 7);
	assert_string_equal(sig + 7, hex);

	/* Any change to secret, timestamp or body changes the signature. */
	char other[WEBHOOK_SIGNATURE_CAP];
	webhook_sign("s3cret", 1700000001LL, body, other, sizeof other);
	assert_string_not_equal(sig, other);
	webhook_sign("s3creT", 1700000000LL, body, other, sizeof other);
	assert_string_not_equal(sig, other);
	webhook_sign("s3cret", 1700000000LL, "{}", other, sizeof other);
	assert_string_not_equal(sig, other);

	/* Too small a buffer gives "" rather than a truncated signature. */
	char small[40];
	memset(small, 'z', sizeof small);
	webhook_sign("s3cret", 1700000000LL, body, small, sizeof small);
	assert_string_equal(small, "");
}

/* ---------------------------------------------------------------- back-off */

static void test_backoff_doubles_within_jitter_and_caps(void **state)
{
	for (unsigned seed = 1; seed <= 20; seed++) {
		for (int n = 1; n <= 6; n++) {
			long lo = 30L << (n - 1);
			long v = webhook_backoff(n, 30, 3600, seed);
			assert_in_range(v, lo, lo + lo / 10);
			assert_true((double)v <= 1.1 * (double)lo);
		}
		/* 30 * 2^7 = 3840 > 3600: capped, then jittered. */
		for (int n = 8; n <= 1000; n = n * 3) {
			long v = webhook_backoff(n, 30, 3600, seed);
			assert_in_range(v, 3600, 3960);
		}
		assert_in_range(webhook_backoff(7, 30, 3600, seed), 1920, 2112);
	}
	/* Unseeded jitter obeys the same bounds. */
	for (int i = 0; i < 50; i++) {
		assert_in_range(webhook_backoff(3, 30, 3600, 0), 120, 132);
		assert_in_range(webhook_backoff(40, 30, 3600, 0), 3600, 3960);
	}
}

static void test_backoff_deterministic_with_seed(void **state)
{
	for (int n = 1; n <= 10; n++)
		assert_int_equal(webhook_backoff(n, 30, 3600, 7), webhook_backoff(n, 30, 3600, 7));

	/* The seed actually moves the jitter. */
	long first = webhook_backoff(6, 30, 3600, 1);
	bool differs = false;
	for (unsigned seed = 2; seed <= 50 && !differs; seed++)
		differs = webhook_backoff(6, 30, 3600, seed) != first;
	assert_true(differs);
}

static void test_backoff_edges(void **state)
{
	assert_int_equal(webhook_backoff(1, 0, 3600, 1), 0);
	assert_int_equal(webhook_backoff(3, -5, 3600, 1), 0);
	assert_in_range(webhook_backoff(0, 30, 3600, 1), 30, 33); /* attempt < 1 counts as 1 */
	assert_in_range(webhook_backoff(-3, 30, 3600, 1), 30, 33);
	assert_in_range(webhook_backoff(3, 30, 0, 1), 120, 132);        /* cap <= 0: uncapped */
	assert_in_range(webhook_backoff(1, 5000, 3600, 1), 3600, 3960); /* base above cap */
	long huge = webhook_backoff(1000000, 30, 0, 1);                 /* no overflow */
	assert_true(huge > 0);
	assert_in_range(webhook_backoff(2, 1, 3600, 1), 2, 2); /* d/10 == 0: no jitter */
}

/* ---------------------------------------------------------------- validation */

static void expect_invalid(const char *url, const char *secret, const char *event, long timeout_ms, const char *field)
{
	struct webhook_result res;
	struct err e;

	memset(&res, 0x55, sizeof res);
	err_clear(&e);
	int rc = webhook_post(url, secret, event, 1, "{}", timeout_ms, &res, &e);
	if (rc != ERR_INVALID)
		fail_msg("url=%s secret=%s event=%s: rc %d, want ERR_INVALID", url ? url : "(null)",
			 secret ? secret : "(null)", event ? event : "(null)", rc);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.field, field);
	assert_true(e.msg[0] != '\0');
	assert_int_equal(res.status, 0); /* res is reset even when nothing was sent */
	assert_string_equal(res.error, "");
}

static void test_invalid_arguments_never_reach_the_network(void **state)
{
	struct srv *s = srv_new(SRV_ANSWER, 200);
	char url[128], ftp[128];

	srv_start(s);
	srv_url(s, "/hook", url, sizeof url);
	snprintf(ftp, sizeof ftp, "ftp://127.0.0.1:%d/hook", s->port);

	expect_invalid(ftp, "k", "request.created", 1000, "url");
	expect_invalid("file:///etc/passwd", "k", "request.created", 1000, "url");
	expect_invalid("gopher://127.0.0.1/", "k", "request.created", 1000, "url");
	expect_invalid("127.0.0.1/hook", "k", "request.created", 1000, "url");
	expect_invalid("http://", "k", "request.created", 1000, "url");
	expect_invalid("http:///path", "k", "request.created", 1000, "url");
	expect_invalid("http:/127.0.0.1/hook", "k", "request.created", 1000, "url");
	expect_invalid("https://?q=1", "k", "request.created", 1000, "url");
	expect_invalid("http://@/", "k", "request.created", 1000, "url");
	expect_invalid("http://127.0.0.1/a b", "k", "request.created", 1000, "url");
	expect_invalid("http://127.0.0.1/\r\nX: y", "k", "request.created", 1000, "url");
	expect_invalid("", "k", "request.created", 1000, "url");
	expect_invalid(NULL, "k", "request.created", 1000, "url");
	expect_invalid(url, "", "request.created", 1000, "secret");
	expect_invalid(url, NULL, "request.created", 1000, "secret");
	expect_invalid(url, "k", "", 1000, "event");
	expect_invalid(url, "k", NULL, 1000, "event");
	expect_invalid(url, "k", "request.created\r\nX-Evil: 1", 1000, "event");
	expect_invalid(url, "k", "request created", 1000, "event");
	expect_invalid(url, "k", "request.created", 0, "timeout_ms");
	expect_invalid(url, "k", "request.created", -1, "timeout_ms");

	srv_stop(s);
	assert_int_equal(s->served, 0);
	srv_free(s);
}

/* ---------------------------------------------------------------- deliveries */

static void test_post_delivers_headers_body_and_signature(void **state)
{
	const char *secret = "wx-robot-secret-邻里";
	const char *body = "{\"event\":\"request.escalated\",\"request_id\":42,\"title\":\"3号楼电梯困人\","
			   "\"note\":\"quote \\\" and backslash \\\\\"}";
	struct srv *s = srv_new(SRV_ANSWER, 200);
	struct webhook_result res;
	struct err e;
	char url[128], v[256];

	srv_start(s);
	srv_url(s, "/cgi-bin/webhook/send?key=abc-123", url, sizeof url);
	err_clear(&e);
	long long before = (long long)time(NULL);
	int rc = webhook_post(url, secret, "request.escalated", 9007199254740993LL, body, 5000, &res, &e);
	long long after = (long long)time(NULL);
	srv_stop(s);

	assert_int_equal(rc, 0);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.error, "");
	assert_true(res.seconds >= 0 && res.seconds < 5);
	assert_int_equal(s->served, 1);

	const struct srv_req *r = &s->reqs[0];
	assert_true(strncmp(r->head, "POST /cgi-bin/webhook/send?key=abc-123 HTTP/1.1\r\n", 49) == 0);
	assert_string_equal(header1(r, "Content-Type", v, sizeof v), "application/json; charset=utf-8");
	assert_string_equal(header1(r, "User-Agent", v, sizeof v), "linli-webhook/1");
	assert_string_equal(header1(r, "X-Linli-Event", v, sizeof v), "request.escalated");
	assert_string_equal(header1(r, "X-Linli-Delivery", v, sizeof v), "9007199254740993");
	header1(r, "X-Linli-Timestamp", v, sizeof v);
	long long ts = strtoll(v, NULL, 10);
	assert_true(ts >= before && ts <= after);
	snprintf(v, sizeof v, "%zu", strlen(body));
	char cl[32];
	assert_string_equal(header1(r, "Content-Length", cl, sizeof cl), v);
	assert_null(find_header(r->head, "Expect", v, sizeof v, NULL));

	assert_int_equal(r->body_len, strlen(body));
	assert_memory_equal(r->body, body, strlen(body));
	verify_signature(r, secret);
	srv_free(s);
}

static void test_post_large_body_arrives_without_expect_delay(void **state)
{
	size_t n = 1536 * 1024; /* libcurl adds "Expect: 100-continue" above 1 MiB */
	char *body = malloc(n + 1);
	struct srv *s = srv_new(SRV_ANSWER, 204);
	struct webhook_result res;
	char url[128], v[64];

	assert_non_null(body);
	/* Valid JSON string full of multi-byte UTF-8 ("邻里" is 6 bytes). */
	memcpy(body, "{\"t\":\"", 6);
	size_t i = 6;
	while (i + 6 + 2 <= n) {
		memcpy(body + i, "邻里", 6);
		i += 6;
	}
	memcpy(body + i, "\"}", 2);
	i += 2;
	body[i] = '\0';

	srv_start(s);
	srv_url(s, "/hook", url, sizeof url);
	double t0 = now_mono();
	int rc = webhook_post(url, "k", "request.updated", 7, body, 5000, &res, NULL);
	double took = now_mono() - t0;
	srv_stop(s);

	assert_int_equal(rc, 0);
	assert_int_equal(res.status, 204);
	assert_true(took < 0.9); /* no one-second wait for "100 Continue" */
	assert_null(find_header(s->reqs[0].head, "Expect", v, sizeof v, NULL));
	assert_int_equal(s->reqs[0].body_len, i);
	assert_memory_equal(s->reqs[0].body, body, i);
	verify_signature(&s->reqs[0], "k");
	srv_free(s);
	free(body);
}

static void test_post_empty_and_null_body(void **state)
{
	struct srv *s = srv_new(SRV_ANSWER, 200);
	char url[128], v[32];

	s->conns = 2;
	srv_start(s);
	srv_url(s, "/", url, sizeof url);
	assert_int_equal(webhook_post(url, "k", "ping", 1, "", 5000, NULL, NULL), 0);
	assert_int_equal(webhook_post(url, "k", "ping", 2, NULL, 5000, NULL, NULL), 0);
	srv_stop(s);
	assert_int_equal(s->served, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(s->reqs[i].body_len, 0);
		assert_string_equal(header1(&s->reqs[i], "Content-Length", v, sizeof v), "0");
		verify_signature(&s->reqs[i], "k");
	}
	srv_free(s);
}

static void test_post_500_is_unavailable(void **state)
{
	struct srv *s = srv_new(SRV_ANSWER, 500);
	struct webhook_result res;
	struct err e;
	char url[128];

	s->resp_len = 100;
	srv_start(s);
	srv_url(s, "/hook", url, sizeof url);
	err_clear(&e);
	int rc = webhook_post(url, "k", "request.created", 3, "{}", 5000, &res, &e);
	srv_stop(s);

	assert_int_equal(rc, ERR_UNAVAILABLE);
	assert_int_equal(e.code, ERR_UNAVAILABLE);
	assert_non_null(strstr(e.msg, "500"));
	assert_null(strstr(e.msg, "127.0.0.1")); /* messages never carry the URL */
	assert_int_equal(res.status, 500);
	assert_string_equal(res.error, "");
	assert_int_equal(s->served, 1);
	srv_free(s);
}

static void test_post_redirect_is_not_followed(void **state)
{
	struct srv *target = srv_new(SRV_ANSWER, 200);
	struct srv *s = srv_new(SRV_ANSWER, 302);
	struct webhook_result res;
	char url[128], loc[128];

	srv_start(target);
	srv_url(target, "/elsewhere", loc, sizeof loc);
	s->location = loc;
	srv_start(s);
	srv_url(s, "/hook", url, sizeof url);
	int rc = webhook_post(url, "k", "request.created", 4, "{}", 5000, &res, NULL);
	srv_stop(s);
	srv_stop(target);

	assert_int_equal(rc, ERR_UNAVAILABLE);
	assert_int_equal(res.status, 302);
	assert_int_equal(s->served, 1);
	assert_int_equal(target->served, 0);
	srv_free(s);
	srv_free(target);
}

static void test_post_response_body_is_capped(void **state)
{
	struct srv *s = srv_new(SRV_ANSWER, 200);
	struct webhook_result res;
	char url[128];

	s->resp_len = 8 * 1024 * 1024;
	srv_start(s);
	srv_url(s, "/hook", url, sizeof url);
	int rc = webhook_post(url, "k", "request.created", 5, "{}", 5000, &res, NULL);
	srv_stop(s);

	assert_int_equal(rc, 0);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.error, "");
	assert_true(res.seconds < 4);
	srv_free(s);

	/* An oversized error page still reports the status. */
	s = srv_new(SRV_ANSWER, 503);
	s->resp_len = 1024 * 1024;
	srv_start(s);
	srv_url(s, "/hook", url, sizeof url);
	rc = webhook_post(url, "k", "request.created", 6, "{}", 5000, &res, NULL);
	srv_stop(s);
	assert_int_equal(rc, ERR_UNAVAILABLE);
	assert_int_equal(res.status, 503);
	srv_free(s);
}

/* The answer is cut off after 64 KiB: a receiver that announces 8 MiB, sends 256 KiB and then stalls
 * does not hold the sender until the timeout. */
static void test_post_response_read_stops_at_cap(void **state)
{
	struct srv *s = srv_new(SRV_ANSWER, 200);
	struct webhook_result res;
	char url[128];

	s->resp_len = 8 * 1024 * 1024;
	s->resp_stall = 256 * 1024;
	srv_start(s);
	srv_url(s, "/hook", url, sizeof url);
	int rc = webhook_post(url, "k", "request.created", 12, "{}", 3000, &res, NULL);
	srv_stop(s);

	assert_int_equal(rc, 0);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.error, "");
	assert_true(res.seconds < 1.5);
	srv_free(s);
}

/* Once a 2xx status arrived the delivery counts as done, even if reading the (discarded) answer then
 * fails; the failure is still reported in res.error. */
static void test_post_2xx_then_stall_counts_as_delivered(void **state)
{
	struct srv *s = srv_new(SRV_ANSWER, 200);
	struct webhook_result res;
	struct err e;
	char url[128];

	s->resp_len = 1000;
	s->resp_stall = 10;
	srv_start(s);
	srv_url(s, "/hook", url, sizeof url);
	err_clear(&e);
	int rc = webhook_post(url, "k", "request.created", 13, "{}", 400, &res, &e);
	srv_stop(s);

	assert_int_equal(rc, 0);
	assert_int_equal(e.code, 0);
	assert_int_equal(res.status, 200);
	assert_non_null(strcasestr(res.error, "timed out"));
	srv_free(s);
}

static void test_post_hung_server_times_out(void **state)
{
	struct srv *s = srv_new(SRV_HANG, 200);
	struct webhook_result res;
	struct err e;
	char url[128];

	srv_start(s);
	srv_url(s, "/hook", url, sizeof url);
	err_clear(&e);
	double t0 = now_mono();
	int rc = webhook_post(url, "k", "request.created", 8, "{}", 400, &res, &e);
	double took = now_mono() - t0;
	srv_stop(s);

	assert_int_equal(rc, ERR_UNAVAILABLE);
	assert_int_equal(e.code, ERR_UNAVAILABLE);
	assert_int_equal(res.status, 0);
	assert_non_null(strcasestr(res.error, "timed out"));
	assert_true(took >= 0.35 && took < 1.5);
	assert_true(res.seconds >= 0.35 && res.seconds < 1.5);
	assert_int_equal(s->served, 1);
	srv_free(s);
}

static void test_post_dropped_connection_is_unavailable(void **state)
{
	struct srv *s = srv_new(SRV_DROP, 200);
	struct webhook_result res;
	char url[128];

	srv_start(s);
	srv_url(s, "/hook", url, sizeof url);
	int rc = webhook_post(url, "k", "request.created", 9, "{}", 5000, &res, NULL);
	srv_stop(s);
	assert_int_equal(rc, ERR_UNAVAILABLE);
	assert_int_equal(res.status, 0);
	assert_true(res.error[0] != '\0');
	srv_free(s);
}

static void test_post_closed_port_is_unavailable(void **state)
{
	/* A bound but not listening socket: connections to its port are refused, and holding it
	 * keeps the port from being reused by anyone else meanwhile. */
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	socklen_t al = sizeof a;
	struct webhook_result res;
	struct err e;
	char url[128];

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", ntohs(a.sin_port));

	err_clear(&e);
	int rc = webhook_post(url, "k", "request.created", 10, "{}", 2000, &res, &e);
	close(fd);
	assert_int_equal(rc, ERR_UNAVAILABLE);
	assert_int_equal(e.code, ERR_UNAVAILABLE);
	assert_int_equal(res.status, 0);
	assert_true(res.error[0] != '\0');
	assert_true(res.seconds < 2);
}

struct poster {
	const char *url;
	long long id;
	int rc;
	long status;
};

static void *poster_main(void *arg)
{
	struct poster *p = arg;
	struct webhook_result res;
	char body[64];

	snprintf(body, sizeof body, "{\"delivery\":%lld}", p->id);
	p->rc = webhook_post(p->url, "shared-secret", "request.updated", p->id, body, 5000, &res, NULL);
	p->status = res.status;
	return NULL;
}

static void test_post_from_many_threads(void **state)
{
	enum { N = 6 };
	struct srv *s = srv_new(SRV_ANSWER, 202);
	struct poster p[N];
	pthread_t th[N];
	char url[128], v[64];

	s->conns = N;
	srv_start(s);
	srv_url(s, "/hook", url, sizeof url);
	for (int i = 0; i < N; i++) {
		p[i] = (struct poster){.url = url, .id = 100 + i};
		assert_int_equal(pthread_create(&th[i], NULL, poster_main, &p[i]), 0);
	}
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	srv_stop(s);

	assert_int_equal(s->served, N);
	bool seen[N] = {false};
	for (int i = 0; i < N; i++) {
		assert_int_equal(p[i].rc, 0);
		assert_int_equal(p[i].status, 202);
		const struct srv_req *r = &s->reqs[i];
		long long id = strtoll(header1(r, "X-Linli-Delivery", v, sizeof v), NULL, 10);
		assert_in_range(id, 100, 100 + N - 1);
		assert_false(seen[id - 100]);
		seen[id - 100] = true;
		char want[64];
		snprintf(want, sizeof want, "{\"delivery\":%lld}", id);
		assert_string_equal(r->body, want);
		verify_signature(r, "shared-secret");
	}
	srv_free(s);
}

static void test_post_accepts_upper_case_scheme(void **state)
{
	struct srv *s = srv_new(SRV_ANSWER, 200);
	char url[128];

	srv_start(s);
	snprintf(url, sizeof url, "HTTP://127.0.0.1:%d/hook", s->port);
	assert_int_equal(webhook_post(url, "k", "request.created", 11, "{}", 5000, NULL, NULL), 0);
	srv_stop(s);
	assert_int_equal(s->served, 1);
	srv_free(s);
}

/* ---------------------------------------------------------------- address policy */

/* With loopback no longer on the allow-list, a receiver on 127.0.0.1 gets
 * no connection at all, whether the URL names the address, ::1, or a name
 * that resolves to it (decided on the address dialled, after resolution). */
static void test_post_refused_address_gets_no_connection(void **state)
{
	struct srv *s = srv_new(SRV_ANSWER, 200);
	struct webhook_result res;
	struct err e;
	char url[128];

	s->conns = 3;
	srv_start(s);
	assert_int_equal(webhook_allow("", &e), 0);
	const char *hosts[] = {"127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "[::1]"};
	for (size_t i = 0; i < sizeof hosts / sizeof *hosts; i++) {
		snprintf(url, sizeof url, "http://%s:%d/hook", hosts[i], s->port);
		err_clear(&e);
		int rc = webhook_post(url, "k", "request.created", 1, "{}", 2000, &res, &e);
		print_message("%s -> %d %s\n", url, rc, res.error);
		assert_int_equal(rc, ERR_FORBIDDEN);
		assert_int_equal(res.status, 0);
		assert_non_null(strstr(res.error, "loopback"));
	}
	assert_int_equal(webhook_allow("127.0.0.1/32", &e), 0);
	srv_stop(s);
	assert_int_equal(s->served, 0); /* nothing ever reached the receiver */
	srv_free(s);
}

/* What may be registered: refused address literals and "localhost" are
 * ERR_FORBIDDEN unless the allow-list lets them through; names pass. */
static void test_check_target_table(void **state)
{
	static const struct {
		const char *allow, *url;
		int rc;
	} cases[] = {
	    {"", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", 0},
	    {"", "http://8.8.8.8/hook", 0},
	    {"", "http://[2606:4700::1111]/hook", 0},
	    {"", "http://127.0.0.1:9/hook", ERR_FORBIDDEN},
	    {"", "http://127.1.2.3/hook", ERR_FORBIDDEN},
	    {"", "http://localhost:8080/", ERR_FORBIDDEN},
	    {"", "http://Robot.LOCALHOST/", ERR_FORBIDDEN},
	    {"", "http://[::1]:8080/", ERR_FORBIDDEN},
	    {"", "http://[::ffff:10.0.0.1]/", ERR_FORBIDDEN},
	    {"", "http://[fe80::1%25eth0]/", ERR_FORBIDDEN},
	    {"", "http://[fd00::5]/", ERR_FORBIDDEN},
	    {"", "http://169.254.169.254/latest/meta-data/", ERR_FORBIDDEN},
	    {"", "http://10.1.2.3/", ERR_FORBIDDEN},
	    {"", "http://192.168.1.1/", ERR_FORBIDDEN},
	    {"", "http://172.16.0.1/", ERR_FORBIDDEN},
	    {"", "http://100.64.0.1/", ERR_FORBIDDEN},
	    {"", "http://0.0.0.0/", ERR_FORBIDDEN},
	    {"", "http://224.0.0.1/", ERR_FORBIDDEN},
	    {"", "http://255.255.255.255/", ERR_FORBIDDEN},
	    {"", "http://2130706433/", ERR_FORBIDDEN}, /* 127.0.0.1 as one number */
	    {"", "http://0x7f.1/", ERR_FORBIDDEN},
	    {"", "ftp://8.8.8.8/", ERR_INVALID},
	    {"127.0.0.1/32", "http://127.0.0.1:9/hook", 0},
	    {"127.0.0.1/32", "http://localhost:9/hook", 0},
	    {"127.0.0.1/32", "http://127.0.0.2/hook", ERR_FORBIDDEN},
	    {"10.0.0.0/8,::1", "http://10.20.30.40/", 0},
	    {"10.0.0.0/8,::1", "http://[::1]/", 0},
	    {"10.0.0.0/8,::1", "http://192.168.0.1/", ERR_FORBIDDEN},
	};
	struct err e;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		assert_int_equal(webhook_allow(cases[i].allow, &e), 0);
		err_clear(&e);
		int rc = webhook_check_target(cases[i].url, &e);
		if (rc != cases[i].rc)
			fail_msg("allow '%s', %s: %d, want %d (%s)", cases[i].allow, cases[i].url, rc, cases[i].rc,
				 e.msg);
		if (rc == ERR_FORBIDDEN)
			assert_non_null(strstr(e.msg, "不允许"));
	}
	assert_int_equal(webhook_allow("10.0.0.0/33", &e), ERR_INVALID);
	assert_int_equal(webhook_allow("127.0.0.1/32", &e), 0);
}

/* ---------------------------------------------------------------- main */

static int group_setup(void **state)
{
	/* Loopback only: make sure no proxy from the environment is consulted. */
	const char *vars[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	setenv("no_proxy", "*", 1);
	setenv("NO_PROXY", "*", 1);
	/* The test receiver is on loopback, which deliveries refuse unless allowed. */
	struct err e;
	if (webhook_allow("127.0.0.1/32", &e))
		return -1;
	return webhook_init() == 0 && webhook_init() == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hmac_rfc4231_case2),
	    cmocka_unit_test(test_hmac_rfc4231_case6_long_key),
	    cmocka_unit_test(test_sign_is_hmac_of_timestamp_dot_body),
	    cmocka_unit_test(test_backoff_doubles_within_jitter_and_caps),
	    cmocka_unit_test(test_backoff_deterministic_with_seed),
	    cmocka_unit_test(test_backoff_edges),
	    cmocka_unit_test(test_invalid_arguments_never_reach_the_network),
	    cmocka_unit_test(test_post_delivers_headers_body_and_signature),
	    cmocka_unit_test(test_post_large_body_arrives_without_expect_delay),
	    cmocka_unit_test(test_post_empty_and_null_body),
	    cmocka_unit_test(test_post_500_is_unavailable),
	    cmocka_unit_test(test_post_redirect_is_not_followed),
	    cmocka_unit_test(test_post_response_body_is_capped),
	    cmocka_unit_test(test_post_response_read_stops_at_cap),
	    cmocka_unit_test(test_post_2xx_then_stall_counts_as_delivered),
	    cmocka_unit_test(test_post_hung_server_times_out),
	    cmocka_unit_test(test_post_dropped_connection_is_unavailable),
	    cmocka_unit_test(test_post_closed_port_is_unavailable),
	    cmocka_unit_test(test_post_from_many_threads),
	    cmocka_unit_test(test_post_accepts_upper_case_scheme),
	    cmocka_unit_test(test_post_refused_address_gets_no_connection),
	    cmocka_unit_test(test_check_target_table),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
