/*
 * cmd_clock.c — `linli clock`: runs the case clocks once, at the real time
 * or at a given one (--at), and delivers due webhooks. The server runs the
 * same every minute; this command serves cron, catching up after downtime,
 * and tests that need time to pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timeutil.h"
#include "cli/cli.h"
#include "domain/cases/cases.h"
#include "domain/integration/webhooks.h"

static const char usage[] = "usage: linli clock --db FILE [--at YYYY-MM-DDTHH:MM:SSZ] [--no-webhooks]\n"
			    "                   [--webhook-allow CIDR,...]\n\n"
			    "Escalates requests past their time limit, flags overdue ones, closes results left\n"
			    "unrated, then delivers due webhooks (to public addresses, and those --webhook-allow\n"
			    "lists, as `linli serve` does); prints what it did as JSON.\n";

int cmd_clock(int argc, char **argv)
{
	if (cli_help(argc, argv, usage))
		return 0;
	const char *db = cli_opt(argc, argv, "--db"), *at = cli_opt(argc, argv, "--at");
	if (!db) {
		fputs(usage, stderr);
		return 2;
	}
	if (cli_webhook_allow(argc, argv))
		return 2;
	int64_t now = time_now();
	if (at) {
		now = time_parse_iso(at);
		if (now < 0) {
			fprintf(stderr, "linli: --at must be YYYY-MM-DDTHH:MM:SSZ\n");
			return 2;
		}
		time_set_fake(now); /* everything this run records happens "at" that time */
	}
	struct cli_env env;
	int rc = cli_open(&env, db, cli_opt(argc, argv, "--key"));
	if (rc)
		return rc;
	struct err e = {0};
	json_t *report = NULL;
	rc = case_tick(&env.c, now, &report, &e);
	int done = 0, failed = 0;
	if (rc == 0 && !cli_flag(argc, argv, "--no-webhooks"))
		rc = webhooks_deliver_due(&env.c, now, 1000, 30, &done, &failed, &e);
	if (rc == 0) {
		json_object_set_new(report, "webhooks_delivered", json_integer(done));
		json_object_set_new(report, "webhooks_failed", json_integer(failed));
		char *s = json_dumps(report, JSON_COMPACT);
		puts(s);
		free(s);
	}
	json_decref(report);
	cli_close(&env);
	return rc ? cli_fail(&e) : 0;
}
