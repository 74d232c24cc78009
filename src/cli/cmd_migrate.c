/*
 * cmd_migrate.c — `linli migrate`: a live SQLite deployment copied to an
 * empty PostgreSQL database (store/store_copy.h) and proven equal, with its
 * personal-data key and its photos.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/store_copy.h"

static const char usage[] =
    "usage: linli migrate --from sqlite:FILE --to postgres://USER@HOST[:PORT]/DB [--key FILE] [--to-key FILE]\n"
    "       linli migrate --verify-only --from sqlite:FILE --to postgres://... \n\n"
    "Copies a linli database, while its server keeps running, into an empty\n"
    "database (PostgreSQL, or a new SQLite file), then checks every table on\n"
    "both sides: row count and a checksum over the rows in key order. The copy\n"
    "is one consistent snapshot of the source, written in one transaction: if\n"
    "anything fails, the target is left empty. Writes made after the snapshot\n"
    "are not copied: stop the server (or writes) before switching it over.\n\n"
    "The target database must exist and have no linli schema; create it with\n"
    "  psql -c 'CREATE DATABASE name'\n\n"
    "Also copied: the personal-data key (--key, default FILE.key) to --to-key\n"
    "(default: the target's key, DB.key in the working directory for\n"
    "PostgreSQL; an existing different key is refused before anything is\n"
    "written), the audit chain's key beside each (FILE.audit.key to\n"
    "DB.audit.key, the same rule), and the photos (FILE.files/ to DB.files/,\n"
    "missing ones only).\n\n"
    "  --verify-only   compare source and target as they are now; exit 1 on any\n"
    "                  difference\n"
    "Exit codes: 0 copied and equal, 1 failure or difference, 2 usage.\n";

struct progress {
	double start, last;
	bool tty;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_progress(void *arg, const char *table, int64_t rows, bool done)
{
	struct progress *p = arg;
	double t = now();
	if (!done && t - p->last < 5)
		return;
	p->last = t;
	if (table[0] == '(')
		fprintf(stderr, "  %-20s %12lld rebuilt   %7.1f s\n", table, (long long)rows, t - p->start);
	else
		fprintf(stderr, "  %-20s %12lld rows%s  %7.1f s\n", table, (long long)rows, done ? "" : " …",
			t - p->start);
}

static void hex16(const unsigned char *sum, char out[17])
{
	for (size_t i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", sum[i]);
}

static void print_report(const struct store_copy_report *r)
{
	printf("%-20s %12s  %-16s  %s\n", "table", "rows", "checksum", "ok");
	for (int i = 0; i < r->n; i++) {
		const struct store_copy_table *t = &r->tables[i];
		char src[17], dst[17];
		hex16(t->src_sum, src);
		hex16(t->dst_sum, dst);
		if (t->derived)
			printf("%-20s %12lld  %-16s  rebuilt (target has %lld)\n", t->name, (long long)t->src_rows, "-",
			       (long long)t->dst_rows);
		else if (t->ok)
			printf("%-20s %12lld  %-16s  ok\n", t->name, (long long)t->src_rows, src);
		else
			printf("%-20s %12lld  %-16s  MISMATCH: target has %lld rows, checksum %s\n", t->name,
			       (long long)t->src_rows, src, (long long)t->dst_rows, dst);
	}
}

static int read_key(const char *path, unsigned char key[PII_KEY_BYTES])
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	ssize_t n = read(fd, key, PII_KEY_BYTES);
	close(fd);
	return n == PII_KEY_BYTES ? 0 : -1;
}

static void sync_dir_of(const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(dir, sizeof dir, ".");
	int fd = open(slash && !dir[0] ? "/" : dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Writes path (mode 0600) from data, synced, through a temporary name. */
static int write_synced(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return -1;
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		p += w, left -= (size_t)w;
	}
	int rc = left == 0 && fsync(fd) == 0 ? 0 : -1;
	close(fd);
	if (rc == 0 && rename(tmp, path) == 0) {
		sync_dir_of(path);
		return 0;
	}
	unlink(tmp);
	return -1;
}

static int copy_file(const char *from, const char *to)
{
	FILE *f = fopen(from, "rb");
	if (!f)
		return -1;
	struct stat sb;
	if (fstat(fileno(f), &sb) != 0 || sb.st_size < 0) {
		fclose(f);
		return -1;
	}
	size_t n = (size_t)sb.st_size;
	char *data = malloc(n ? n : 1);
	size_t got = data ? fread(data, 1, n, f) : 0;
	fclose(f);
	int rc = data && got == n ? write_synced(to, data, n, 0600) : -1;
	free(data);
	return rc;
}

/* Photos are named by their SHA-256 under DIR/ab/abcdef…: copies the ones
 * the target lacks (or has with another size). */
static int copy_photos(const char *from, const char *to, int *copied, int *present)
{
	*copied = *present = 0;
	DIR *top = opendir(from);
	if (!top)
		return errno == ENOENT ? 0 : -1;
	int rc = 0;
	struct dirent *d;
	while (rc == 0 && (d = readdir(top)) != NULL) {
		if (d->d_name[0] == '.' || strlen(d->d_name) != 2)
			continue;
		char sub_from[4200], sub_to[4200];
		snprintf(sub_from, sizeof sub_from, "%s/%s", from, d->d_name);
		snprintf(sub_to, sizeof sub_to, "%s/%s", to, d->d_name);
		DIR *sub = opendir(sub_from);
		if (!sub)
			continue;
		if ((mkdir(to, 0700) && errno != EEXIST) || (mkdir(sub_to, 0700) && errno != EEXIST))
			rc = -1;
		struct dirent *f;
		while (rc == 0 && (f = readdir(sub)) != NULL) {
			if (f->d_name[0] == '.' || strstr(f->d_name, ".tmp"))
				continue;
			char src[8500], dst[8500];
			snprintf(src, sizeof src, "%s/%s", sub_from, f->d_name);
			snprintf(dst, sizeof dst, "%s/%s", sub_to, f->d_name);
			struct stat a, b;
			if (stat(src, &a) != 0 || !S_ISREG(a.st_mode))
				continue;
			if (stat(dst, &b) == 0 && b.st_size == a.st_size) {
				(*present)++;
				continue;
			}
			if (copy_file(src, dst) != 0) {
				fprintf(stderr, "linli: cannot copy %s to %s: %s\n", src, dst, strerror(errno));
				rc = -1;
			} else {
				(*copied)++;
			}
		}
		closedir(sub);
	}
	closedir(top);
	return rc;
}

/* Every photo the target's rows name must be in the target's directory. */
static int missing_photos(struct store *dst, const char *dir)
{
	struct store_stmt *st;
	if (store_prepare(dst, "SELECT DISTINCT sha256 FROM case_files", &st, NULL) != 0)
		return -1;
	int missing = 0;
	while (store_step(st, NULL) == STORE_ROW) {
		const char *hex = store_col_text(st, 0);
		char path[4200];
		struct stat sb;
		snprintf(path, sizeof path, "%s/%.2s/%s", dir, hex ? hex : "", hex ? hex : "");
		if (stat(path, &sb) != 0) {
			if (missing++ < 5)
				fprintf(stderr, "linli: photo missing from the target: %s\n", path);
		}
	}
	store_done(st);
	return missing;
}

static int fail(const struct err *e, struct store *a, struct store *b)
{
	store_close(a);
	store_close(b);
	return cli_fail(e);
}

int cmd_migrate(int argc, char **argv)
{
	if (cli_help(argc, argv, usage))
		return 0;
	const char *from = cli_opt(argc, argv, "--from"), *to = cli_opt(argc, argv, "--to");
	bool verify_only = cli_flag(argc, argv, "--verify-only");
	if (!from || !to) {
		fputs(usage, stderr);
		return 2;
	}
	if (pii_init() != 0) {
		fprintf(stderr, "linli: libsodium failed to start\n");
		return 1;
	}
	const char *from_file = store_url_file(from), *to_file = store_url_file(to);
	if (from_file && access(from_file, F_OK) != 0) {
		fprintf(stderr, "linli: no database at %s\n", from_file);
		return 1;
	}
	if (to_file && !verify_only && access(to_file, F_OK) == 0) {
		fprintf(stderr, "linli: %s already exists: migrate only into a new database\n", to_file);
		return 1;
	}
	struct err e = {0};
	struct store *src = NULL, *dst = NULL;
	if (store_open(from, false, &src, &e) != 0 || store_open(to, !verify_only, &dst, &e) != 0)
		return fail(&e, src, dst);

	struct store_copy_report r;
	if (verify_only) {
		int rc = store_copy_verify(src, dst, &r, &e);
		store_close(src);
		store_close(dst);
		if (rc)
			return cli_fail(&e);
		print_report(&r);
		printf("verified in %.1f s: %s\n", r.verify_secs, r.ok ? "equal" : "DIFFERENT");
		return r.ok ? 0 : 1;
	}

	/* The key first: a target with another key is refused before any write. */
	char key_from[4096], key_to[4096];
	cli_key_path(from, cli_opt(argc, argv, "--key"), key_from, sizeof key_from);
	cli_key_path(to, cli_opt(argc, argv, "--to-key"), key_to, sizeof key_to);
	unsigned char key[PII_KEY_BYTES], other[PII_KEY_BYTES];
	if (read_key(key_from, key) != 0) {
		fprintf(stderr, "linli: cannot read the source's key %s (give it with --key)\n", key_from);
		store_close(src);
		store_close(dst);
		return 1;
	}
	int have = read_key(key_to, other);
	if (have < 0 || (have == 0 && memcmp(key, other, sizeof key) != 0)) {
		fprintf(stderr,
			"linli: %s exists and is not the source's key: not overwritten (move it away or give "
			"--to-key)\n",
			key_to);
		store_close(src);
		store_close(dst);
		return 1;
	}
	/* The audit chain's key goes along beside it, under the same rule (a
	 * source from before the chain has none: the target makes its own). */
	char akey_from[4200], akey_to[4200];
	cli_audit_key_path(key_from, akey_from, sizeof akey_from);
	cli_audit_key_path(key_to, akey_to, sizeof akey_to);
	unsigned char akey[PII_KEY_BYTES], aother[PII_KEY_BYTES];
	int asrc = read_key(akey_from, akey), ahave = asrc == 0 ? read_key(akey_to, aother) : 0;
	if (asrc < 0 || ahave < 0 || (asrc == 0 && ahave == 0 && memcmp(akey, aother, sizeof akey) != 0)) {
		fprintf(stderr,
			"linli: %s is unreadable or %s exists and is not the source's audit key: not overwritten\n",
			akey_from, akey_to);
		store_close(src);
		store_close(dst);
		return 1;
	}

	struct progress p = {.start = now(), .tty = isatty(2)};
	p.last = p.start;
	fprintf(stderr, "copying %s to %s\n", from_file ? from_file : from, to);
	int rc = store_copy(src, dst, &r, on_progress, &p, &e);
	store_close(src);
	if (rc) {
		store_close(dst);
		if (to_file) { /* created above: nothing of it is left */
			remove(to_file);
			char side[4200];
			snprintf(side, sizeof side, "%s-wal", to_file);
			remove(side);
			snprintf(side, sizeof side, "%s-shm", to_file);
			remove(side);
		}
		return cli_fail(&e);
	}
	if (have == 1 && write_synced(key_to, key, sizeof key, 0600) != 0) {
		fprintf(stderr, "linli: the database was copied but the key could not be written to %s: %s\n", key_to,
			strerror(errno));
		store_close(dst);
		return 1;
	}
	if (asrc == 0 && ahave == 1 && write_synced(akey_to, akey, sizeof akey, 0600) != 0) {
		fprintf(stderr, "linli: the database was copied but the audit key could not be written to %s: %s\n",
			akey_to, strerror(errno));
		store_close(dst);
		return 1;
	}
	struct arena a;
	arena_init(&a);
	const char *files_from = cli_files_dir(from, &a), *files_to = cli_files_dir(to, &a);
	int copied = 0, present = 0;
	int frc = copy_photos(files_from, files_to, &copied, &present);
	int missing = frc == 0 ? missing_photos(dst, files_to) : -1;
	store_close(dst);

	print_report(&r);
	double rate = r.copy_secs > 0 ? (double)r.rows / r.copy_secs : 0;
	printf("copied %lld rows in %.1f s (%.0f rows/s), verified in %.1f s: %s\n", (long long)r.rows, r.copy_secs,
	       rate, r.verify_secs, r.ok ? "equal" : "DIFFERENT");
	printf("key: %s%s\n", key_to, have == 0 ? " (already there)" : "");
	if (asrc == 0)
		printf("audit key: %s%s\n", akey_to, ahave == 0 ? " (already there)" : "");
	printf("photos: %d copied, %d already there, into %s%s\n", copied, present, files_to,
	       missing > 0 ? " — SOME MISSING" : "");
	arena_free(&a);
	return r.ok && frc == 0 && missing == 0 ? 0 : 1;
}
