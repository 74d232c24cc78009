/*
 * test_transfer.c — imports run at most TRANSFER_IMPORTS_AT_ONCE at a time:
 * four threads, each with its own connection, released together by a
 * barrier, import an .xlsx whose shared strings inflate past the part cap
 * (about a second of work each); the two that get in are refused 413-style
 * (ERR_TOO_LARGE), the others are turned away (ERR_UNAVAILABLE) at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "base/table_io.h"
#include "domain/transfer/transfer.h"
#include "unit_domain.h"

#define THREADS 4

struct job {
	struct unit_db *u;
	pthread_barrier_t *go;
	const void *data;
	size_t len;
	int rc;
	char msg[256];
};

/* An .xlsx whose shared strings are TIO_MAX_PART + 1 MiB of blanks. */
static void *bomb(size_t *len)
{
	size_t n = TIO_MAX_PART + ((size_t)1 << 20);
	char *sst = malloc(n);
	assert_non_null(sst);
	memset(sst, ' ', n);
	memcpy(sst, "<sst>", 5);
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *buf = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *za = zip_open_from_source(buf, ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	zip_source_keep(buf);
	static const char wb[] = "<workbook><sheets><sheet r:id=\"rId1\" xmlns:r=\"r\"/></sheets></workbook>";
	static const char sheet[] = "<worksheet><sheetData/></worksheet>";
	assert_true(zip_file_add(za, "xl/workbook.xml", zip_source_buffer(za, wb, sizeof wb - 1, 0), 0) >= 0);
	assert_true(zip_file_add(za, "xl/sharedStrings.xml", zip_source_buffer(za, sst, n, 0), 0) >= 0);
	assert_true(
	    zip_file_add(za, "xl/worksheets/sheet1.xml", zip_source_buffer(za, sheet, sizeof sheet - 1, 0), 0) >= 0);
	assert_int_equal(zip_close(za), 0);
	free(sst);
	assert_int_equal(zip_source_open(buf), 0);
	zip_source_seek(buf, 0, SEEK_END);
	*len = (size_t)zip_source_tell(buf);
	zip_source_seek(buf, 0, SEEK_SET);
	void *out = malloc(*len);
	assert_int_equal(zip_source_read(buf, out, *len), (zip_int64_t)*len);
	zip_source_close(buf);
	zip_source_free(buf);
	return out;
}

static void *run(void *arg)
{
	struct job *j = arg;
	struct store *db = NULL;
	struct err e = {0};
	struct arena a;
	arena_init(&a);
	j->rc = store_open(j->u->path, false, &db, &e);
	struct ctx c = j->u->c;
	c.db = db;
	c.a = &a;
	json_t *report = NULL;
	pthread_barrier_wait(j->go);
	if (j->rc == 0)
		j->rc = transfer_import_people(&c, j->u->root, j->data, j->len, true, &report, &e);
	snprintf(j->msg, sizeof j->msg, "%s", e.msg);
	json_decref(report);
	store_close(db);
	arena_free(&a);
	return NULL;
}

static void test_imports_at_once(void **state)
{
	struct unit_db *u = *state;
	size_t len;
	void *data = bomb(&len);
	assert_true(len < ((size_t)1 << 20)); /* small on the wire */
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, THREADS);
	struct job jobs[THREADS];
	pthread_t th[THREADS];
	for (int i = 0; i < THREADS; i++) {
		jobs[i] = (struct job){.u = u, .go = &go, .data = data, .len = len};
		assert_int_equal(pthread_create(&th[i], NULL, run, &jobs[i]), 0);
	}
	int large = 0, busy = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		print_message("import %d: %d %s\n", i, jobs[i].rc, jobs[i].msg);
		large += jobs[i].rc == ERR_TOO_LARGE;
		if (jobs[i].rc == ERR_UNAVAILABLE) {
			busy++;
			assert_non_null(strstr(jobs[i].msg, "同时进行的导入已达2个"));
		}
	}
	pthread_barrier_destroy(&go);
	free(data);
	assert_int_equal(large + busy, THREADS);
	assert_true(large >= TRANSFER_IMPORTS_AT_ONCE);
	assert_true(busy >= 1);
	/* Once they are done the slots are free again. */
	struct err e = {0};
	json_t *report = NULL;
	assert_int_equal(transfer_import_people(&u->c, u->root, "a,b\n", 4, true, &report, &e), ERR_INVALID);
	json_decref(report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_DB_TEST(test_imports_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
