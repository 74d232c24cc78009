/* cmd_serve.c — `linli serve`: the HTTP server over one database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/app.h"
#include "base/log.h"
#include "cli/background.h"
#include "cli/cli.h"
#include "http/http.h"

static const char usage[] =
    "usage: linli serve --db FILE [--key FILE] [--listen ADDR:PORT] [--threads N]\n"
    "                   [--rate N] [--max-body BYTES] [--public-url URL] [--tick S] [--retry-base S]\n"
    "                   [--webhook-allow CIDR,...]\n\n"
    "Serves the JSON API (/api/v1/), Open311 and the web UI. Defaults:\n"
    "--listen 127.0.0.1:8080, --threads = number of CPUs x 2, --rate 6000\n"
    "requests per client per minute, --max-body 1048576 (imports: 64 MiB),\n"
    "--public-url http://ADDR:PORT (the address in QR codes), --tick 60 (case\n"
    "clocks), --retry-base 30 (first webhook retry, doubling up to 6 h).\n"
    "Webhooks reach public addresses only; --webhook-allow lists the private\n"
    "ones an on-premise receiver may use (e.g. 10.0.0.0/8,127.0.0.1).\n";

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
	app.db_url = db;
	const char *listen_opt = cli_opt(argc, argv, "--listen"), *public_url = cli_opt(argc, argv, "--public-url");
	/* These live as long as the server: plain heap copies. */
	app.public_url =
	    strdup(public_url ? public_url
			      : arena_printf(&env.arena, "http://%s", listen_opt ? listen_opt : "127.0.0.1:8080"));
	app.files_dir = strdup(env.c.files_dir);
	cli_close(&env);
	const char *listen = cli_opt(argc, argv, "--listen"), *threads = cli_opt(argc, argv, "--threads");
	const char *rate = cli_opt(argc, argv, "--rate"), *max_body = cli_opt(argc, argv, "--max-body");
	const char *tick = cli_opt(argc, argv, "--tick"), *retry = cli_opt(argc, argv, "--retry-base");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int64_t nthreads = ncpu > 0 ? (ncpu > 128 ? 256 : ncpu * 2) : 4, body = 1 << 20, per_minute = 6000;
	int64_t tick_s = 60, retry_s = 30;
	if ((threads && !cli_int("--threads", threads, 1, 256, &nthreads)) ||
	    (max_body && !cli_int("--max-body", max_body, 1, (int64_t)1 << 40, &body)) ||
	    (rate && !cli_int("--rate", rate, 0, INT32_MAX, &per_minute)) ||
	    (tick && !cli_int("--tick", tick, 1, INT32_MAX, &tick_s)) ||
	    (retry && !cli_int("--retry-base", retry, 1, INT32_MAX, &retry_s)))
		return 2;
	struct http_config cfg = {
	    .db_url = db,
	    .listen = listen ? listen : "127.0.0.1:8080",
	    .threads = (int)nthreads,
	    .max_body = (size_t)body,
	    .max_upload = (size_t)64 << 20,
	    .rate_per_minute = (int)per_minute,
	    .dispatch = api_dispatch,
	    .user = &app,
	};
	static struct background_config bg;
	bg = (struct background_config){.db_url = db,
					.pii_key = app.pii_key,
					.files_dir = app.files_dir,
					.tick_seconds = (int)tick_s,
					.retry_base = (long)retry_s};
	if (background_start(&bg)) {
		fprintf(stderr, "linli: cannot start the background job\n");
		return 1;
	}
	return http_serve(&cfg) ? 1 : 0;
}
