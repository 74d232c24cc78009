/*
 * background.c — the server's background job: every tick it runs the case
 * clocks, and every few seconds it delivers due webhooks. It has its own
 * store connection; all its state is in the database, so a restart simply
 * continues where it stopped.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/webhook_post.h"
#include "cli/background.h"
#include "domain/cases/cases.h"
#include "domain/integration/webhooks.h"
#include "store/store.h"

static void *run(void *arg)
{
	const struct background_config *cfg = arg;
	struct store *db = NULL;
	struct err e = {0};
	if (store_open(cfg->db_url, false, &db, &e)) {
		log_error("background job: cannot open the database: %s", e.msg);
		return NULL;
	}
	struct actor system = {.user_id = 0, .username = "system", .is_admin = true};
	/* The first run of the clocks comes one tick after start: a server
	 * restarting in a loop does not redo the catch-up each time. */
	int64_t last_tick = time_now(), last_stats = time_now();
	for (;;) {
		struct arena a;
		arena_init(&a);
		struct ctx c = {.db = db,
				.a = &a,
				.who = &system,
				.client = "clock",
				.pii_key = cfg->pii_key,
				.audit_key = cfg->audit_key,
				.files_dir = cfg->files_dir};
		int64_t now = time_now();
		if (now - last_tick >= cfg->tick_seconds) {
			json_t *report = NULL;
			err_clear(&e);
			if (case_tick(&c, now, &report, &e))
				log_error("clock: %s", e.msg);
			else if (json_integer_value(json_object_get(report, "escalated")) ||
				 json_integer_value(json_object_get(report, "flagged_overdue")))
				log_info("clock: %lld escalated, %lld flagged overdue",
					 (long long)json_integer_value(json_object_get(report, "escalated")),
					 (long long)json_integer_value(json_object_get(report, "flagged_overdue")));
			json_decref(report);
			last_tick = now;
		}
		/* The planner's statistics follow the data as it grows. */
		if (now - last_stats >= 3600) {
			err_clear(&e);
			if (store_refresh_stats(db, &e))
				log_error("planner statistics: %s", e.msg);
			last_stats = now;
		}
		int done = 0, failed = 0;
		err_clear(&e);
		if (webhooks_deliver_due(&c, now, 100, cfg->retry_base, &done, &failed, &e))
			log_error("webhooks: %s", e.msg);
		else if (done || failed)
			log_info("webhooks: %d delivered, %d failed attempts", done, failed);
		arena_free(&a);
		sleep(1);
	}
	return NULL;
}

int background_start(const struct background_config *cfg)
{
	webhook_init();
	pthread_t t;
	if (pthread_create(&t, NULL, run, (void *)cfg))
		return ERR_INTERNAL;
	pthread_detach(t);
	return 0;
}
