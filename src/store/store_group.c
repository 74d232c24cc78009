/*
 * store_group.c — the writer thread of group commit (store_group.h).
 *
 * Callers queue a job (and are called back, or wait). The writer takes the
 * first job, opens the batch (BEGIN IMMEDIATE), runs it, and keeps taking
 * jobs while any are queued, up to STORE_GROUP_MAX or STORE_GROUP_SPAN_MS;
 * then it commits once and wakes every job of the batch with the result.
 * Jobs arriving during the commit's fsync form the next batch, so under
 * load each fsync carries many requests, and an idle server commits each
 * request at once. Jobs are served in arrival order, which is what makes
 * the writes fair.
 */
#include "store/store_group.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "base/log.h"
#include "store/store.h"

struct job {
	store_job_fn fn;
	store_done_fn done;
	void *arg;
	struct job *next;
};

struct store_group {
	struct store *db;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work; /* a job was queued, or stop */
	struct job *head, *tail;
	bool stop, joined;
	struct store_group_stats stats;
};

static struct job *take(struct store_group *g, bool wait)
{
	pthread_mutex_lock(&g->mu);
	while (wait && !g->head && !g->stop)
		pthread_cond_wait(&g->work, &g->mu);
	struct job *j = g->head;
	if (j) {
		g->head = j->next;
		if (!g->head)
			g->tail = NULL;
	}
	pthread_mutex_unlock(&g->mu);
	return j;
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Runs one job inside the batch; a job that leaves its own transaction
 * open has it rolled back, so the next job starts at the batch's level. */
static void run(struct store_group *g, struct job *j)
{
	j->fn(g->db, j->arg);
	while (store_txn_depth(g->db) > 1) {
		log_error("a write left its transaction open; rolled back");
		store_rollback(g->db);
	}
}

static void finish(struct store_group *g, struct job **batch, int n, int rc, const struct err *e)
{
	pthread_mutex_lock(&g->mu);
	g->stats.batches++;
	g->stats.jobs += n;
	g->stats.failed_batches += rc != 0;
	if (n > g->stats.largest)
		g->stats.largest = n;
	pthread_mutex_unlock(&g->mu);
	for (int i = 0; i < n; i++) {
		batch[i]->done(batch[i]->arg, rc, e);
		free(batch[i]);
	}
}

static void *writer(void *arg)
{
	struct store_group *g = arg;
	struct job *batch[STORE_GROUP_MAX];
	for (;;) {
		struct job *j = take(g, true);
		if (!j)
			break; /* stopped, nothing queued */
		struct err e = {0};
		int rc = store_begin(g->db, &e);
		if (rc) {
			finish(g, &j, 1, rc, &e);
			continue;
		}
		store_txn_floor(g->db, 1); /* the batch is not the jobs' to end */
		int n = 0;
		int64_t start = now_ms();
		bool lost = false;
		for (; j; j = n < STORE_GROUP_MAX && now_ms() - start < STORE_GROUP_SPAN_MS ? take(g, false) : NULL) {
			batch[n++] = j;
			run(g, j);
			/* SQLite undoes the whole transaction on some errors (a full
			 * disk …): then the batch so far is gone. */
			if (store_txn_depth(g->db) == 0) {
				lost = true;
				break;
			}
		}
		store_txn_floor(g->db, 0);
		if (lost) {
			rc =
			    err_set(&e, ERR_UNAVAILABLE, NULL, "写入未能保存，请重试 / the write was not saved, retry");
			log_error("a batch of %d writes was undone by the database", n);
		} else {
			rc = store_commit(g->db, &e);
			if (rc)
				log_error("a batch of %d writes failed to commit: %s", n, e.msg);
		}
		finish(g, batch, n, rc, &e);
	}
	return NULL;
}

int store_group_start(const char *url, struct store_group **out, struct err *e)
{
	*out = NULL;
	struct store *db;
	int rc = store_open(url, false, &db, e);
	if (rc)
		return rc;
	if (!store_single_writer(db)) {
		store_close(db);
		return 0;
	}
	struct store_group *g = calloc(1, sizeof *g);
	if (!g) {
		store_close(db);
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	}
	g->db = db;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->work, NULL);
	if (pthread_create(&g->thread, NULL, writer, g) != 0) {
		store_close(db);
		store_group_free(g);
		return err_set(e, ERR_INTERNAL, NULL, "cannot start the writer thread");
	}
	*out = g;
	return 0;
}

void store_group_stop(struct store_group *g)
{
	if (!g || g->joined)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = true;
	pthread_cond_broadcast(&g->work);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->thread, NULL);
	g->joined = true;
	store_close(g->db);
	g->db = NULL;
}

void store_group_free(struct store_group *g)
{
	if (!g)
		return;
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->work);
	free(g);
}

int store_group_submit(struct store_group *g, store_job_fn fn, store_done_fn done, void *arg, struct err *e)
{
	struct job *j = malloc(sizeof *j);
	if (!j)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	*j = (struct job){.fn = fn, .done = done, .arg = arg};
	pthread_mutex_lock(&g->mu);
	if (g->stop) {
		pthread_mutex_unlock(&g->mu);
		free(j);
		return err_set(e, ERR_UNAVAILABLE, NULL, "服务正在停止 / the server is stopping");
	}
	if (g->tail)
		g->tail->next = j;
	else
		g->head = j;
	g->tail = j;
	pthread_cond_signal(&g->work);
	pthread_mutex_unlock(&g->mu);
	return 0;
}

/* A caller waiting for its job (store_group_run). */
struct waiter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	store_job_fn fn;
	void *arg;
	bool done;
	int rc;
	struct err e;
};

static void waiter_job(struct store *db, void *arg)
{
	struct waiter *w = arg;
	w->fn(db, w->arg);
}

static void waiter_done(void *arg, int rc, const struct err *e)
{
	struct waiter *w = arg;
	pthread_mutex_lock(&w->mu);
	w->rc = rc;
	if (rc && e)
		w->e = *e;
	w->done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int store_group_run(struct store_group *g, store_job_fn fn, void *arg, struct err *e)
{
	struct waiter w = {.fn = fn, .arg = arg};
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	int rc = store_group_submit(g, waiter_job, waiter_done, &w, e);
	if (rc == 0) {
		pthread_mutex_lock(&w.mu);
		while (!w.done)
			pthread_cond_wait(&w.cv, &w.mu);
		pthread_mutex_unlock(&w.mu);
		rc = w.rc;
		if (rc && e)
			*e = w.e;
	}
	pthread_mutex_destroy(&w.mu);
	pthread_cond_destroy(&w.cv);
	return rc;
}

void store_group_stats(struct store_group *g, struct store_group_stats *out)
{
	pthread_mutex_lock(&g->mu);
	*out = g->stats;
	pthread_mutex_unlock(&g->mu);
}
