/*
 * test_store_group.c — unit tests for group commit (store_group.h) on
 * SQLite: jobs queued while the writer is busy share one commit; a job's
 * own failed transaction leaves the others of its batch; a job that leaves
 * its transaction open is rolled back alone; a batch the database undoes
 * fails every job in it, and none of their writes remain; submits after
 * stop fail.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "store/store.h"
#include "store/store_group.h"
#include "unit_helpers.h"

struct fx {
	char *dir;
	char path[4096];
	struct store *s; /* the test's own connection, to read what committed */
	struct store_group *g;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f || !(f->dir = unit_tmpdir()))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/test.db", f->dir);
	struct err e = {0};
	if (store_open(f->path, true, &f->s, &e) != 0 ||
	    store_exec(f->s, "CREATE TABLE t (v INTEGER PRIMARY KEY)", &e) != 0 ||
	    store_group_start(f->path, &f->g, &e) != 0 || !f->g) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_group_stop(f->g);
	store_group_free(f->g);
	store_close(f->s);
	unit_rmdir(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static int64_t rows(struct fx *f, const char *where)
{
	int64_t n = -1;
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM t WHERE %s", where);
	assert_int_equal(store_int(f->s, NULL, &n, sql, ""), 0);
	return n;
}

/* What a job does, by value: insert it in its own transaction, and then
 * (by flag) fail, leave the transaction open, or undo the whole batch. */
enum { JOB_OK, JOB_FAIL, JOB_LEAVE_OPEN, JOB_UNDO_BATCH, JOB_STRAY };
struct job {
	int64_t v;
	int how;
	pthread_mutex_t *gate; /* held by the test until the others are queued */
	int rc;
	bool saw_txn; /* a stray job found itself in a transaction */
	struct err e;
	struct store_group *g;
};

static void job_fn(struct store *db, void *arg)
{
	struct job *j = arg;
	if (j->gate) {
		pthread_mutex_lock(j->gate);
		pthread_mutex_unlock(j->gate);
	}
	struct err e = {0};
	if (j->how == JOB_STRAY) {
		/* Code that ends a transaction it did not begin (an import's
		 * header error) and asks whether it is in one: the batch is not
		 * its to end, nor visible to it. */
		j->saw_txn = store_in_txn(db);
		store_rollback(db);
		store_commit(db, &e);
		store_run(db, &e, "INSERT INTO t (v) VALUES (?)", "i", j->v);
		return;
	}
	if (store_begin(db, &e) != 0)
		return;
	store_run(db, &e, "INSERT INTO t (v) VALUES (?)", "i", j->v);
	switch (j->how) {
	case JOB_FAIL:
		store_rollback(db);
		break;
	case JOB_LEAVE_OPEN:
		break;
	case JOB_UNDO_BATCH:
		store_exec(db, "ROLLBACK", &e); /* as SQLite does on a full disk */
		break;
	default:
		store_commit(db, &e);
	}
}

static void *submit_thread(void *arg)
{
	struct job *j = arg;
	j->rc = store_group_run(j->g, job_fn, j, &j->e);
	return NULL;
}

/* Runs jobs[0] first (holding the writer at the gate) and the others
 * queued behind it, so they form the second batch together. */
static void run_behind_gate(struct fx *f, struct job *jobs, int n)
{
	pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&gate);
	jobs[0].gate = &gate;
	pthread_t th[16];
	for (int i = 0; i < n; i++) {
		jobs[i].g = f->g;
		assert_int_equal(pthread_create(&th[i], NULL, submit_thread, &jobs[i]), 0);
		if (i == 0) {
			/* the writer takes the first job and waits at the gate */
			struct timespec nap = {0, 50 * 1000000};
			nanosleep(&nap, NULL);
		}
	}
	struct timespec nap = {0, 50 * 1000000};
	nanosleep(&nap, NULL); /* the rest are queued */
	pthread_mutex_unlock(&gate);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
}

static void test_queued_jobs_share_a_commit(void **state)
{
	struct fx *f = *state;
	struct job jobs[9] = {0};
	for (int i = 0; i < 9; i++)
		jobs[i].v = i + 1;
	run_behind_gate(f, jobs, 9);
	for (int i = 0; i < 9; i++)
		assert_int_equal(jobs[i].rc, 0);
	assert_int_equal(rows(f, "1"), 9);
	struct store_group_stats st;
	store_group_stats(f->g, &st);
	assert_int_equal(st.jobs, 9);
	/* the first alone (or with some), the queued ones together */
	assert_true(st.batches <= 3);
	assert_true(st.largest >= 4);
	assert_int_equal(st.failed_batches, 0);
}

static void test_failed_job_leaves_its_batch(void **state)
{
	struct fx *f = *state;
	struct job jobs[6] = {
	    {.v = 1}, {.v = 2}, {.v = 3, .how = JOB_FAIL}, {.v = 4, .how = JOB_LEAVE_OPEN}, {.v = 5, .how = JOB_STRAY},
	    {.v = 6}};
	run_behind_gate(f, jobs, 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(jobs[i].rc, 0); /* the batch committed */
	assert_false(jobs[4].saw_txn);
	assert_int_equal(rows(f, "v IN (1, 2, 5, 6)"), 4);
	assert_int_equal(rows(f, "v IN (3, 4)"), 0); /* each undone alone */
}

static void test_undone_batch_fails_all_its_jobs(void **state)
{
	struct fx *f = *state;
	struct job first = {.v = 100};
	assert_int_equal(store_group_run(f->g, job_fn, &first, &first.e), 0);
	struct job jobs[4] = {{.v = 1}, {.v = 2}, {.v = 3, .how = JOB_UNDO_BATCH}, {.v = 4}};
	run_behind_gate(f, jobs, 4);
	/* jobs 1–3 were in the undone batch (the first may have committed
	 * alone if the writer took it before the others came); none of the
	 * jobs that failed left a row, and every row there is acknowledged. */
	for (int i = 0; i < 4; i++) {
		char where[32];
		snprintf(where, sizeof where, "v = %lld", (long long)jobs[i].v);
		if (jobs[i].rc)
			assert_int_equal(rows(f, where), 0);
		else
			assert_int_equal(rows(f, where), jobs[i].how == JOB_UNDO_BATCH ? 0 : 1);
	}
	assert_int_not_equal(jobs[2].rc, 0);
	assert_int_equal(jobs[2].e.code, ERR_UNAVAILABLE);
	assert_int_equal(rows(f, "v = 100"), 1);
	/* the writer goes on */
	struct job after = {.v = 200};
	assert_int_equal(store_group_run(f->g, job_fn, &after, &after.e), 0);
	assert_int_equal(rows(f, "v = 200"), 1);
}

static void test_submit_after_stop_fails(void **state)
{
	struct fx *f = *state;
	store_group_stop(f->g);
	struct job j = {.v = 1};
	struct err e = {0};
	assert_int_equal(store_group_run(f->g, job_fn, &j, &e), ERR_UNAVAILABLE);
	assert_int_equal(rows(f, "1"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_queued_jobs_share_a_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_job_leaves_its_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_undone_batch_fails_all_its_jobs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_submit_after_stop_fails, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
