/*
 * webhook_post.c — one signed delivery attempt of an outgoing webhook.
 *
 * Validates the target (http/https only, a host, no control characters),
 * signs "<timestamp>.<body>" with HMAC-SHA256 (libsodium), and POSTs the body
 * through a private libcurl easy handle with a total timeout, no redirects,
 * no signals (safe in threads), no "Expect: 100-continue" round trip, no
 * proxy and no content decoding. Every address libcurl is about to connect
 * to passes netaddr_refused() first (CURLOPT_OPENSOCKETFUNCTION: the
 * decision is on the resolved address actually dialled, so a name that
 * resolves, or later re-resolves, to an internal address gets nowhere). The answer's body is counted and discarded, and
 * the transfer is cut off after WEBHOOK_RESPONSE_CAP bytes; only the status matters. The back-off helper for the retry
 * scheduler lives here too, so the whole delivery policy is in one file.
 */
#include "base/webhook_post.h"

#include <curl/curl.h>
#include <sodium.h>
#include <sys/socket.h>

#include <limits.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/netaddr.h"

#define WEBHOOK_URL_MAX   8192
#define WEBHOOK_EVENT_MAX 128

/* ---------------------------------------------------------------- init */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_status = ERR_INTERNAL;

static void init_run(void)
{
	if (sodium_init() < 0)
		return;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return;
	init_status = 0;
}

int webhook_init(void)
{
	pthread_once(&init_once, init_run);
	return init_status;
}

/* ---------------------------------------------------------------- targets */

/* Configuration: set once at start-up, read by every delivery. */
static struct netaddr_allow allow_list;

int webhook_allow(const char *spec, struct err *e)
{
	struct netaddr_allow a;
	int rc = netaddr_allow_parse(spec, &a, e);
	if (rc == 0)
		allow_list = a;
	return rc;
}

/* ---------------------------------------------------------------- signing */

static void hmac_hex_parts(const char *key, const unsigned char *a, size_t an, const unsigned char *b, size_t bn,
			   char out[65])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	if (an)
		crypto_auth_hmacsha256_update(&st, a, an);
	if (bn)
		crypto_auth_hmacsha256_update(&st, b, bn);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 65, mac, sizeof mac);
	sodium_memzero(&st, sizeof st);
	sodium_memzero(mac, sizeof mac);
}

void webhook_hmac_hex(const char *key, const unsigned char *data, size_t n, char out[65])
{
	hmac_hex_parts(key ? key : "", data, n, NULL, 0, out);
}

void webhook_sign(const char *secret, long long timestamp, const char *body, char *out, size_t cap)
{
	char prefix[32];
	char hex[65];

	if (!out || cap == 0)
		return;
	out[0] = '\0';
	if (cap < WEBHOOK_SIGNATURE_CAP)
		return;
	if (!body)
		body = "";
	int pn = snprintf(prefix, sizeof prefix, "%lld.", timestamp);
	hmac_hex_parts(secret ? secret : "", (const unsigned char *)prefix, (size_t)pn, (const unsigned char *)body,
		       strlen(body), hex);
	snprintf(out, cap, "sha256=%s", hex);
}

/* ---------------------------------------------------------------- validation */

/* A host that is an address literal ("10.0.0.1", "[::1]", "[fe80::1%25eth0]") or a
 * name that always means this machine ("localhost", "x.localhost") and is refused. */
static int check_host(const char *host, struct err *e)
{
	char lit[64];
	size_t n = strlen(host);
	if (n && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	size_t zone = strcspn(host, "%");
	if (zone < n)
		n = zone;
	if (n >= sizeof lit)
		return 0;
	memcpy(lit, host, n);
	lit[n] = '\0';
	if (!strcasecmp(lit, "localhost") || (n > 10 && !strcasecmp(lit + n - 10, ".localhost")))
		snprintf(lit, sizeof lit, "127.0.0.1");
	struct netaddr a;
	if (!netaddr_parse(lit, &a))
		return 0; /* a name: judged by the address it resolves to, at delivery */
	const struct netaddr_reason *why = netaddr_refused(&a, &allow_list);
	if (!why)
		return 0;
	char txt[64];
	netaddr_str(&a, txt, sizeof txt);
	return err_set(e, ERR_FORBIDDEN, "url",
		       "接收地址 %s 是%s，不允许向它推送（本地部署的机器人需用 --webhook-allow 放行） / the webhook "
		       "target %s is %s, which is refused (an on-premise receiver needs --webhook-allow)",
		       txt, why->zh, txt, why->en);
}

/* Accepts only absolute http(s) URLs with a host and no whitespace or control bytes;
 * with hosts, also refuses refused address literals (check_host). */
static int check_url(const char *url, bool hosts, struct err *e)
{
	if (!url || !*url)
		return err_set(e, ERR_INVALID, "url", "webhook url is empty");
	size_t n = strlen(url);
	if (n > WEBHOOK_URL_MAX)
		return err_set(e, ERR_INVALID, "url", "webhook url is longer than %d bytes", WEBHOOK_URL_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= 0x20 || c == 0x7f)
			return err_set(e, ERR_INVALID, "url", "webhook url contains whitespace or control characters");
	}
	size_t pre = strncasecmp(url, "http://", 7) == 0 ? 7 : strncasecmp(url, "https://", 8) == 0 ? 8 : 0;
	if (!pre)
		return err_set(e, ERR_INVALID, "url", "webhook url must start with http:// or https://");
	/* libcurl is lenient ("http:///x" means host "x"); insist on an authority right after "//". */
	if (url[pre] == '\0' || strchr("/?#\\", url[pre]))
		return err_set(e, ERR_INVALID, "url", "webhook url has no host");

	int rc = 0;
	char *scheme = NULL, *host = NULL;
	CURLU *u = curl_url();
	if (!u)
		return err_set(e, ERR_INTERNAL, "url", "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !*host)
		rc = err_set(e, ERR_INVALID, "url", "webhook url is malformed");
	else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
		rc = err_set(e, ERR_INVALID, "url", "webhook url must use http or https");
	else if (hosts)
		rc = check_host(host, e);
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int webhook_check_target(const char *url, struct err *e)
{
	return check_url(url, true, e);
}

/* The event goes into a header verbatim: a non-empty run of visible ASCII, nothing else. */
static int check_event(const char *event, struct err *e)
{
	if (!event || !*event)
		return err_set(e, ERR_INVALID, "event", "webhook event is empty");
	size_t n = strlen(event);
	if (n > WEBHOOK_EVENT_MAX)
		return err_set(e, ERR_INVALID, "event", "webhook event is longer than %d bytes", WEBHOOK_EVENT_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)event[i];
		if (c < 0x21 || c > 0x7e)
			return err_set(e, ERR_INVALID, "event", "webhook event must be visible ASCII without spaces");
	}
	return 0;
}

/* ---------------------------------------------------------------- delivery */

/* What the socket callback refused, for the result. */
struct dial {
	int refused;
	char why[160];
};

/* libcurl calls this for every address it is about to connect to, after
 * name resolution; a refused one gets no socket, so nothing is sent. */
static curl_socket_t open_socket(void *userdata, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct dial *d = userdata;
	struct netaddr a;
	const struct netaddr_reason *why = NULL;

	if (purpose != CURLSOCKTYPE_IPCXN || !netaddr_from_sockaddr(&addr->addr, &a) ||
	    (why = netaddr_refused(&a, &allow_list)) != NULL) {
		char txt[64] = "?";
		if (why)
			netaddr_str(&a, txt, sizeof txt);
		d->refused++;
		snprintf(d->why, sizeof d->why, "refused to connect to %s: %s (see --webhook-allow)", txt,
			 why ? why->en : "not an IP socket");
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

struct sink {
	size_t got;
	int capped;
};

static size_t sink_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nmemb;

	(void)ptr;
	if (n > WEBHOOK_RESPONSE_CAP - s->got) {
		s->got = WEBHOOK_RESPONSE_CAP;
		s->capped = 1;
		return 0; /* stop reading: CURLE_WRITE_ERROR, recognised below */
	}
	s->got += n;
	return n;
}

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends one formatted header line to *h; returns 0 or -1 (out of memory, *h unchanged). */
static int append(struct curl_slist **h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int append(struct curl_slist **h, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	struct curl_slist *t = curl_slist_append(*h, line);
	if (!t)
		return -1;
	*h = t;
	return 0;
}

static struct curl_slist *build_headers(const char *secret, const char *event, long long delivery_id, const char *body)
{
	long long ts = (long long)time(NULL);
	char sig[WEBHOOK_SIGNATURE_CAP];
	struct curl_slist *h = NULL;

	webhook_sign(secret, ts, body, sig, sizeof sig);
	/* "Expect:" with no value: no 100-continue round trip (libcurl 7.88 asks for one above 1 MiB). */
	if (append(&h, "Content-Type: application/json; charset=utf-8") || append(&h, "Expect:") ||
	    append(&h, "X-Linli-Event: %s", event) || append(&h, "X-Linli-Delivery: %lld", delivery_id) ||
	    append(&h, "X-Linli-Timestamp: %lld", ts) || append(&h, "X-Linli-Signature: %s", sig)) {
		curl_slist_free_all(h);
		return NULL;
	}
	return h;
}

int webhook_post(const char *url, const char *secret, const char *event, long long delivery_id, const char *body,
		 long timeout_ms, struct webhook_result *res, struct err *e)
{
	struct webhook_result local;
	int rc;

	if (!res)
		res = &local;
	memset(res, 0, sizeof *res);
	if (!body)
		body = "";

	if ((rc = check_url(url, false, e)) != 0)
		return rc;
	if (!secret || !*secret)
		return err_set(e, ERR_INVALID, "secret", "webhook secret is empty");
	if ((rc = check_event(event, e)) != 0)
		return rc;
	if (timeout_ms <= 0)
		return err_set(e, ERR_INVALID, "timeout_ms", "webhook timeout must be positive");
	if (webhook_init() != 0)
		return err_set(e, ERR_INTERNAL, NULL, "webhook: libcurl/libsodium initialisation failed");

	double t0 = now_mono();
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = build_headers(secret, event, delivery_id, body);
	if (!h || !hdrs) {
		curl_slist_free_all(hdrs);
		if (h)
			curl_easy_cleanup(h);
		return err_set(e, ERR_INTERNAL, NULL, "webhook: cannot set up the transfer");
	}

	char errbuf[CURL_ERROR_SIZE];
	struct sink sink = {0, 0};
	struct dial dial = {0, ""};
	CURLcode sc = CURLE_OK;
	errbuf[0] = '\0';
#define SET(opt, val)                                                                                                  \
	do {                                                                                                           \
		if (sc == CURLE_OK)                                                                                    \
			sc = curl_easy_setopt(h, opt, val);                                                            \
	} while (0)
	SET(CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SET(CURLOPT_NOSIGNAL, 1L);
	/* No proxy (not even from the environment): the address checked must be the receiver's. */
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_OPENSOCKETFUNCTION, open_socket);
	SET(CURLOPT_OPENSOCKETDATA, &dial);
	SET(CURLOPT_TIMEOUT_MS, timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_MAXREDIRS, 0L);
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	SET(CURLOPT_POSTFIELDS, body);
	SET(CURLOPT_HTTPHEADER, hdrs);
	SET(CURLOPT_USERAGENT, "linli-webhook/1");
	SET(CURLOPT_WRITEFUNCTION, sink_write);
	SET(CURLOPT_WRITEDATA, &sink);
	SET(CURLOPT_ERRORBUFFER, errbuf);
#undef SET
	if (sc != CURLE_OK) {
		curl_slist_free_all(hdrs);
		curl_easy_cleanup(h);
		return err_set(e, ERR_INTERNAL, NULL, "webhook: libcurl rejected an option: %s",
			       curl_easy_strerror(sc));
	}

	CURLcode pc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	res->status = status;
	if (pc != CURLE_OK && status == 0 && dial.refused)
		snprintf(res->error, sizeof res->error, "%s", dial.why);
	else if (pc != CURLE_OK && !(pc == CURLE_WRITE_ERROR && sink.capped))
		snprintf(res->error, sizeof res->error, "%s", errbuf[0] ? errbuf : curl_easy_strerror(pc));
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	res->seconds = now_mono() - t0;

	/* A 2xx means the receiver took the delivery; a transfer hiccup while reading its (discarded)
	 * answer afterwards must not cause a duplicate, so it is only noted in res->error. */
	if (status >= 200 && status <= 299)
		return 0;
	if (pc != CURLE_OK && status == 0 && dial.refused)
		return err_set(e, ERR_FORBIDDEN, "url", "webhook delivery %s", dial.why);
	if (res->error[0])
		return err_set(e, ERR_UNAVAILABLE, "url", "webhook delivery failed: %s", res->error);
	return err_set(e, ERR_UNAVAILABLE, "url", "webhook receiver answered HTTP %ld", status);
}

/* ---------------------------------------------------------------- back-off */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

long webhook_backoff(int attempt, long base_s, long cap_s, unsigned jitter_seed)
{
	if (base_s <= 0)
		return 0;
	if (attempt < 1)
		attempt = 1;
	/* Keep d + d/10 representable whatever the caller passes. */
	long limit = LONG_MAX / 11 * 10;
	if (cap_s <= 0 || cap_s > limit)
		cap_s = limit;

	long d = base_s < cap_s ? base_s : cap_s;
	for (int i = 1; i < attempt && d < cap_s; i++)
		d = d > cap_s / 2 ? cap_s : d * 2;

	uint64_t span = (uint64_t)(d / 10) + 1; /* jitter in [0, d/10] */
	uint64_t r;
	if (jitter_seed) {
		r = splitmix64(((uint64_t)jitter_seed << 32) ^ (uint64_t)(unsigned)attempt);
	} else {
		if (sodium_init() < 0)
			return d;
		randombytes_buf(&r, sizeof r);
	}
	return d + (long)(r % span);
}
