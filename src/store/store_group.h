/*
 * store_group.h — group commit: one writer thread runs the server's write
 * requests one after another in a shared transaction and commits them
 * together, so several requests share one fsync and none waits in a busy
 * loop for the write lock.
 *
 * Each job runs on the writer's own connection. A job's own transaction
 * (store_begin … store_commit) becomes a savepoint of the batch, so it is
 * still all or nothing by itself; the batch commits when no job is waiting
 * (or after STORE_GROUP_MAX jobs or STORE_GROUP_SPAN_MS), and every job
 * returns only once that commit is durable. If the batch cannot commit,
 * every job in it returns the error and none of its writes remain: nothing
 * a job's caller acknowledges is lost.
 *
 * Only engines with a single writer gain from this (SQLite:
 * store_single_writer); store_group_start gives NULL for the others, whose
 * connections write concurrently.
 * Thread-safety: store_group_run may be called from any thread.
 */
#ifndef LINLI_STORE_GROUP_H
#define LINLI_STORE_GROUP_H

#include <stdint.h>

#include "base/err.h"

struct store;
struct store_group;

enum { STORE_GROUP_MAX = 64, STORE_GROUP_SPAN_MS = 20 };

/* Starts the writer on its own connection to url. *out is NULL (and 0 is
 * returned) when the engine writes concurrently. */
int store_group_start(const char *url, struct store_group **out, struct err *e);
/* Stops the writer after the jobs queued so far (each is called back);
 * later submits fail. NULL is fine. */
void store_group_stop(struct store_group *g);
/* Frees a stopped writer, once nothing can submit to it. NULL is fine. */
void store_group_free(struct store_group *g);

typedef void (*store_job_fn)(struct store *db, void *arg);
/* Called on the writer thread once the job's batch is durable (rc 0) or
 * undone (rc and e: why). */
typedef void (*store_done_fn)(void *arg, int rc, const struct err *e);
/* Queues fn(db, arg) to run on the writer's connection inside a batch;
 * done(arg, …) follows once the batch is durable or undone. Returns at
 * once; an error (the writer is stopping, out of memory) means neither
 * will be called. */
int store_group_submit(struct store_group *g, store_job_fn fn, store_done_fn done, void *arg, struct err *e);
/* The same, waiting: returns once the batch is durable, 0, or the error
 * that undid it. */
int store_group_run(struct store_group *g, store_job_fn fn, void *arg, struct err *e);

struct store_group_stats {
	int64_t batches, jobs, failed_batches, largest;
};
void store_group_stats(struct store_group *g, struct store_group_stats *out);

#endif
