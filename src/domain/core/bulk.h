/*
 * bulk.h — bulk jobs (the demo generator, imports, benchmarks' history):
 * many domain calls in one transaction, committed in a few steps instead
 * of once per write. Inside bulk_begin … bulk_commit each domain call's own
 * transaction becomes a savepoint, so a call that fails still undoes only
 * itself. The job records what it did in its own audit row (audit.h,
 * registry_batch_audit) before it commits.
 * Thread-safety: uses the ctx's connection.
 */
#ifndef LINLI_BULK_H
#define LINLI_BULK_H

#include <stdbool.h>

#include "domain/core/ctx.h"

/* Opens the job's transaction (a savepoint when one is already open). */
int bulk_begin(const struct ctx *c, struct err *e);
/* Commits it; on failure rolls it back and returns the error. */
int bulk_commit(const struct ctx *c, struct err *e);
void bulk_rollback(const struct ctx *c);

/* Loading mode for a new database: commits stop waiting for the disk (the
 * data stays consistent; the last commits may be lost in a power cut until
 * bulk_optimize). */
int bulk_load(const struct ctx *c, bool on, struct err *e);
/* After a load: refreshes the planner's statistics and makes all durable. */
int bulk_optimize(const struct ctx *c, struct err *e);

#endif
