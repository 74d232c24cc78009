/* cmd_serve.c — `linli serve`: the HTTP server over one database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/app.h"
#include "base/log.h"
#include "cli/background.h"
#include "cli/cli.h"
#include "http/http.h"

static const char usage[] =
    "usage: linli serve --db FILE [--key FILE] [--listen ADDR:PORT] [--threads N]\n"
    "                   [--rate N] [--rate-account N] [--max-body BYTES] [--public-url URL]\n"
    "                   [--tick S] [--retry-base S] [--idle-timeout S] [--require-totp-admin]\n"
    "                   [--max-conns N] [--header-timeout S] [--trusted-proxy ADDR[/BITS],...]\n"
    "                   [--webhook-allow CIDR,...] [--no-group-commit]\n\n"
    "Serves the JSON API (/api/v1/), Open311 and the web UI. Defaults:\n"
    "--listen 127.0.0.1:8080, --threads = number of CPUs x 2, --rate 6000\n"
    "requests per minute per client address (an IPv6 client's /64) for requests\n"
    "without a known login, --rate-account 6000 requests per minute per account\n"
    "for logged-in ones (a token or session cookie once it has been verified), so\n"
    "an office of staff behind one address is limited per person (0: no limit;\n"
    "--rate 0 alone lifts both), --max-body 1048576 (uploads by a logged-in\n"
    "user: 64 MiB), --public-url http://ADDR:PORT (the address in QR codes; an\n"
    "https URL also makes the session cookie Secure and sends HSTS), --tick 60\n"
    "(case clocks), --retry-base 30 (first webhook retry, doubling up to 6 h),\n"
    "--idle-timeout 1800 (a browser session unused that long ends; 0: only the\n"
    "12 h limit), --max-conns 256 connections per client address (0: no limit),\n"
    "--header-timeout 10 seconds for a request's headers to arrive.\n"
    "--require-totp-admin: administrators log in only with two-factor login\n"
    "(one without it enrols at the next login).\n"
    "--trusted-proxy: the reverse proxies (addresses or networks, comma-separated)\n"
    "whose X-Forwarded-For names the client; none by default.\n"
    "Webhooks reach public addresses only; --webhook-allow lists the private\n"
    "ones an on-premise receiver may use (e.g. 10.0.0.0/8,127.0.0.1).\n"
    "On SQLite, writes are committed in groups by one writer thread (several\n"
    "requests per fsync, in arrival order); --no-group-commit lets each worker\n"
    "commit its own (for comparison).\n";

int cmd_serve(int argc, char **argv)
{
	if (cli_help(argc, argv, usage))
		return 0;
	const char *db = cli_opt(argc, argv, "--db");
	if (!db) {
		fputs(usage, stderr);
		return 2;
	}
	if (cli_webhook_allow(argc, argv))
		return 2;
	struct cli_env env;
	int rc = cli_open(&env, db, cli_opt(argc, argv, "--key"));
	if (rc)
		return rc;
	static struct api_app app;
	memcpy(app.pii_key, env.key, sizeof app.pii_key);
	memcpy(app.audit_key, env.audit_key, sizeof app.audit_key);
	app.db_url = db;
	const char *listen_opt = cli_opt(argc, argv, "--listen"), *public_url = cli_opt(argc, argv, "--public-url");
	/* These live as long as the server: plain heap copies. */
	app.public_url =
	    strdup(public_url ? public_url
			      : arena_printf(&env.arena, "http://%s", listen_opt ? listen_opt : "127.0.0.1:8080"));
	app.files_dir = strdup(env.c.files_dir);
	app.secure_cookie = strncasecmp(app.public_url, "https://", 8) == 0;
	cli_close(&env);
	const char *listen = cli_opt(argc, argv, "--listen"), *threads = cli_opt(argc, argv, "--threads");
	const char *rate = cli_opt(argc, argv, "--rate"), *max_body = cli_opt(argc, argv, "--max-body");
	const char *rate_acct = cli_opt(argc, argv, "--rate-account");
	const char *tick = cli_opt(argc, argv, "--tick"), *retry = cli_opt(argc, argv, "--retry-base");
	const char *idle = cli_opt(argc, argv, "--idle-timeout");
	const char *conns = cli_opt(argc, argv, "--max-conns"), *hdr_s = cli_opt(argc, argv, "--header-timeout");
	const char *proxy = cli_opt(argc, argv, "--trusted-proxy");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int64_t nthreads = ncpu > 0 ? (ncpu > 128 ? 256 : ncpu * 2) : 4, body = 1 << 20, per_minute = 6000;
	int64_t tick_s = 60, retry_s = 30, idle_s = ACCOUNT_IDLE_DEFAULT, max_conns = 256, header_s = 10;
	int64_t per_account = 6000;
	if ((threads && !cli_int("--threads", threads, 1, 256, &nthreads)) ||
	    (max_body && !cli_int("--max-body", max_body, 1, (int64_t)1 << 40, &body)) ||
	    (rate && !cli_int("--rate", rate, 0, INT32_MAX, &per_minute)) ||
	    (rate_acct && !cli_int("--rate-account", rate_acct, 0, INT32_MAX, &per_account)) ||
	    (tick && !cli_int("--tick", tick, 1, INT32_MAX, &tick_s)) ||
	    (retry && !cli_int("--retry-base", retry, 1, INT32_MAX, &retry_s)) ||
	    (idle && !cli_int("--idle-timeout", idle, 0, (int64_t)12 * 3600, &idle_s)) ||
	    (conns && !cli_int("--max-conns", conns, 0, 4096, &max_conns)) ||
	    (hdr_s && !cli_int("--header-timeout", hdr_s, 1, 3600, &header_s)))
		return 2;
	if (!rate_acct && per_minute == 0)
		per_account = 0; /* --rate 0 alone: no rate limit at all */
	app.policy = (struct account_policy){.idle_seconds = (int)idle_s,
					     .require_totp_admin = cli_flag(argc, argv, "--require-totp-admin")};
	static struct http_proxies proxies;
	char msg[128];
	if (proxy && !http_proxies_parse(proxy, &proxies, msg, sizeof msg)) {
		fprintf(stderr, "linli: --trusted-proxy: %s\n", msg);
		return 2;
	}
	struct http_config cfg = {
	    .db_url = db,
	    .listen = listen ? listen : "127.0.0.1:8080",
	    .threads = (int)nthreads,
	    .max_body = (size_t)body,
	    .max_upload = (size_t)64 << 20,
	    .rate_per_minute = (int)per_minute,
	    .rate_account = (int)per_account,
	    .conns_per_client = (int)max_conns,
	    .header_timeout = (int)header_s,
	    .hsts = app.secure_cookie,
	    .proxies = &proxies,
	    .group_writes = !cli_flag(argc, argv, "--no-group-commit"),
	    .dispatch = api_dispatch,
	    .upload_ok = api_upload_allowed,
	    .credential = api_token,
	    .user = &app,
	};
	static struct background_config bg;
	bg = (struct background_config){.db_url = db,
					.pii_key = app.pii_key,
					.audit_key = app.audit_key,
					.files_dir = app.files_dir,
					.tick_seconds = (int)tick_s,
					.retry_base = (long)retry_s};
	if (background_start(&bg)) {
		fprintf(stderr, "linli: cannot start the background job\n");
		return 1;
	}
	return http_serve(&cfg) ? 1 : 0;
}
