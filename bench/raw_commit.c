/*
 * raw_commit.c — the baseline for writes in `make bench`: how many durable
 * one-row transactions SQLite commits per second on this disk, with the
 * pragmas linli's store opens every connection with (src/store/
 * store_sqlite.c: WAL, synchronous=FULL, ...). One connection, BEGIN
 * IMMEDIATE; one INSERT of a row about the size of a request; COMMIT —
 * each commit an fsync of the WAL. linli's create-request rate is
 * reported as a ratio to this one, measured in the same run on the same
 * file system.
 *
 *   raw_commit DIR [SECONDS]   prints {"commits":N,"secs":S,"rate":R}
 *
 * The database is DIR/raw_commit.db, created afresh and removed after.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "raw_commit: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static void remove_db(const char *path)
{
	char side[4200];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: raw_commit DIR [SECONDS]\n");
		return 2;
	}
	double secs = argc == 3 ? atof(argv[2]) : 5.0;
	if (!(secs > 0)) {
		fprintf(stderr, "raw_commit: SECONDS must be positive\n");
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/raw_commit.db", argv[1]);
	remove_db(path);
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "raw_commit: cannot open %s: %s\n", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return 1;
	}
	/* The store's pragmas, as src/store/store_sqlite.c sets them. */
	const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			      "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=1073741824;";
	sqlite3_stmt *ins = NULL;
	int rc = 1;
	if (run(db, pragmas) || run(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, node_path TEXT NOT NULL, "
					"description TEXT NOT NULL, created_at TEXT NOT NULL)"))
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT INTO t (node_path, description, created_at) VALUES (?, ?, ?)", -1, &ins,
			       NULL) != SQLITE_OK) {
		fprintf(stderr, "raw_commit: %s\n", sqlite3_errmsg(db));
		goto out;
	}
	static const char desc[] = "压测：下水道堵了 / load test: blocked sewer — one row per transaction, "
				   "about the size of a request's description and its columns";
	long commits = 0;
	double start = now(), t = start;
	while (t - start < secs) {
		if (run(db, "BEGIN IMMEDIATE"))
			goto out;
		sqlite3_bind_text(ins, 1, "/1/3/5/7/9/", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, desc, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, "2026-01-01T00:00:00Z", -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			fprintf(stderr, "raw_commit: insert: %s\n", sqlite3_errmsg(db));
			goto out;
		}
		sqlite3_reset(ins);
		if (run(db, "COMMIT"))
			goto out;
		commits++;
		t = now();
	}
	printf("{\"commits\":%ld,\"secs\":%.3f,\"rate\":%.1f}\n", commits, t - start, (double)commits / (t - start));
	rc = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_close(db);
	remove_db(path);
	return rc;
}
