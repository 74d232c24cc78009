/*
 * store_copy.h — copying a whole linli database to another engine, and
 * proving the copy equal (`linli migrate`).
 *
 * The source is read in one read transaction, so the copy is one consistent
 * snapshot while a server keeps writing to it. The target must be empty (no
 * linli schema); it gets the same migrations, then every table's rows in an
 * order that satisfies the foreign keys, all in one write transaction: a
 * failed copy leaves the target as empty as it was.
 * Verification reads every table on both sides in primary-key order and
 * compares row counts and a BLAKE2b-256 checksum over the rows, each value
 * hashed by its type (store_col_type): integers as int64, doubles by their
 * bits, text and blobs by their bytes, NULL as a marker.
 * Derived tables are not copied: the statistics caches start empty on the
 * target and are rebuilt on demand, and the counters that key them keep
 * the values the target's own triggers gave them during the copy (on
 * PostgreSQL they hold transaction ids, so a copied SQLite value could equal
 * a later transaction's id and miss a bump).
 * Which tables there are, in which order they are copied and which columns
 * they have is read from the schema of the SQLite side (store_copy_plan.h),
 * so a table a migration adds is copied as it is.
 * Thread-safety: none; each store belongs to the calling thread.
 */
#ifndef LINLI_STORE_COPY_H
#define LINLI_STORE_COPY_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

#define STORE_COPY_MAX_TABLES 48
#define STORE_COPY_NAME_BYTES 64
#define STORE_COPY_SUM_BYTES  32

struct store_copy_table {
	char name[STORE_COPY_NAME_BYTES];
	bool derived; /* rebuilt by the target, not copied or compared */
	int64_t src_rows, dst_rows;
	unsigned char src_sum[STORE_COPY_SUM_BYTES], dst_sum[STORE_COPY_SUM_BYTES];
	bool ok;
};

struct store_copy_report {
	struct store_copy_table tables[STORE_COPY_MAX_TABLES]; /* in copy order */
	int n;
	int64_t rows;     /* rows copied */
	double copy_secs; /* the copy, including migrations and commit */
	double verify_secs;
	bool ok; /* every compared table has equal counts and checksums */
};

/* Called after each chunk of a table (done = the table is finished), and
 * once as "(indexes, keys)" with their number when they have been rebuilt. */
typedef void store_copy_progress(void *arg, const char *table, int64_t rows, bool done);

/* Copies src into the empty dst and verifies it. Returns 0 when the copy
 * committed (r->ok tells whether it verified), else an ERR_* code and dst
 * unchanged. */
int store_copy(struct store *src, struct store *dst, struct store_copy_report *r, store_copy_progress *progress,
	       void *arg, struct err *e);
/* Compares src and dst as they are now (each read in one snapshot). */
int store_copy_verify(struct store *src, struct store *dst, struct store_copy_report *r, struct err *e);

#endif
