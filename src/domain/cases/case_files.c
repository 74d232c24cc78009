/*
 * case_files.c — photos attached to a case, stored outside the database.
 *
 * Only images are accepted, recognised by their content (JPEG, PNG, WebP),
 * at most CASE_FILE_MAX bytes and declaring no more pixels than
 * base/image.h allows. A file is named by its SHA-256 under
 * files_dir/ab/abcdef…, written to a temporary name, synced and renamed, so
 * an acknowledged upload survives a crash and equal files are stored once.
 */
#include "domain/cases/case_files.h"

#include "base/image.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain/core/audit.h"
#include "domain/cases/case_internal.h"
#include "domain/core/rows.h"
#include "store/store.h"

static int write_file(const char *dir, const char *hex, const void *data, size_t len, struct err *e)
{
	char sub[4096], path[4200], tmp[4300];
	snprintf(sub, sizeof sub, "%s/%.2s", dir, hex);
	snprintf(path, sizeof path, "%s/%s", sub, hex);
	struct stat sb;
	if (stat(path, &sb) == 0 && (size_t)sb.st_size == len)
		return 0; /* the same content is already stored */
	if ((mkdir(dir, 0700) && errno != EEXIST) || (mkdir(sub, 0700) && errno != EEXIST))
		return err_set(e, ERR_IO, "file", "cannot create %s: %s", sub, strerror(errno));
	snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return err_set(e, ERR_IO, "file", "cannot write %s: %s", tmp, strerror(errno));
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(tmp);
			return err_set(e, ERR_IO, "file", "cannot write the file: %s", strerror(errno));
		}
		p += w, left -= (size_t)w;
	}
	int rc = fsync(fd);
	close(fd);
	if (rc || rename(tmp, path)) {
		unlink(tmp);
		return err_set(e, ERR_IO, "file", "cannot store the file: %s", strerror(errno));
	}
	/* The directory entry must reach the disk too. */
	int dfd = open(sub, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int case_file_add(const struct ctx *c, int64_t case_id, const void *data, size_t len, json_t **out, struct err *e)
{
	struct case_core k;
	int rc = case_load_core(c, case_id, &k, e);
	if (rc)
		return rc;
	if (!case_can_handle(c, &k) && !case_is_reporter(c, &k) && !case_org_assigned(c, &k))
		return err_set(e, ERR_FORBIDDEN, NULL, "无权为此诉求上传图片 / you may not add photos to this request");
	if (!strcmp(k.status, "closed"))
		return err_set(e, ERR_CONFLICT, "status", "诉求已归档 / the request is closed");
	if (len == 0 || len > CASE_FILE_MAX)
		return err_set(e, len ? ERR_TOO_LARGE : ERR_INVALID, "file",
			       "图片应为1字节到%d MiB / an image of up to %d MiB", CASE_FILE_MAX >> 20,
			       CASE_FILE_MAX >> 20);
	/* The type by content, and the dimensions it declares within limits. */
	struct img_info img;
	rc = img_probe(data, len, &img, e);
	if (rc)
		return rc;
	const char *mime = img.mime;
	int64_t count = 0;
	store_int(c->db, NULL, &count, "SELECT count(*) FROM case_files WHERE case_id = ?", "i", case_id);
	if (count >= CASE_FILES_PER_CASE)
		return err_set(e, ERR_CONFLICT, "file", "每条诉求最多%d张图片 / at most %d photos per request",
			       CASE_FILES_PER_CASE, CASE_FILES_PER_CASE);
	unsigned char hash[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(hash, data, len);
	char hex[crypto_hash_sha256_BYTES * 2 + 1];
	sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
	/* The file is on disk before the row that points at it commits. */
	rc = write_file(c->files_dir, hex, data, len, e);
	if (rc == 0)
		rc = store_begin(c->db, e);
	if (rc)
		return rc;
	rc = case_event(c, &k, "file_added", NULL, 0, 0, NULL, true, e);
	int64_t ev = store_last_id(c->db), id = 0;
	if (rc == 0)
		rc = store_run(c->db, e,
			       "INSERT INTO case_files (case_id, event_id, sha256, mime, size, uploaded_by, "
			       "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			       "iittiit", case_id, ev, hex, mime, (int64_t)len, c->who ? c->who->user_id : (int64_t)0,
			       rows_now(c));
	if (rc == 0)
		id = store_last_id(c->db);
	if (rc == 0) {
		json_t *snap = json_pack("{s:I, s:s, s:s, s:I}", "file_id", (json_int_t)id, "sha256", hex, "mime", mime,
					 "size", (json_int_t)len);
		rc = audit_log(c, "file_add", "case", case_id, NULL, snap, e);
		if (rc == 0)
			*out = snap;
		else
			json_decref(snap);
	}
	return txn_finish(c, rc, e);
}

int case_file_path(const struct ctx *c, int64_t file_id, const char **path, const char **mime, struct err *e)
{
	int64_t case_id = 0;
	const char *hex = NULL;
	struct store_stmt *st;
	int rc = store_prepare(c->db, "SELECT case_id, sha256, mime FROM case_files WHERE id = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", file_id);
	if (store_step(st, NULL) == STORE_ROW) {
		case_id = store_col_int(st, 0);
		hex = arena_strdup(c->a, store_col_text(st, 1));
		*mime = arena_strdup(c->a, store_col_text(st, 2));
	}
	store_done(st);
	if (!hex)
		return err_set(e, ERR_NOT_FOUND, NULL, "文件不存在 / no such file");
	json_t *view = NULL;
	/* Whoever may see the case (not its public view) may see its photos. */
	rc = case_get(c, case_id, &view, e);
	if (rc)
		return rc;
	bool full = json_object_get(view, "address") != NULL;
	json_decref(view);
	if (!full)
		return err_set(e, ERR_FORBIDDEN, NULL, "无权查看此图片 / you may not see this photo");
	*path = arena_printf(c->a, "%s/%.2s/%s", c->files_dir, hex, hex);
	return 0;
}
