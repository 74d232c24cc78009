/*
 * test_textsearch.c — unit tests for base/textsearch: the normalised index text, the MATCH expressions built
 * from user queries, and both together in a real in-memory FTS5 table: traditional and simplified finding each
 * other, word order, case and width folding, FTS5 syntax in user input staying literal, malformed UTF-8,
 * truncation at TS_MAX_INPUT, and concurrent use from several threads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/textsearch.h"

enum { ROW_LAMP = 1, ROW_CHARGER, ROW_PARKING, ROW_DRAIN, ROW_SYNTAX };

static const char *const rows[] = {
    [ROW_LAMP] = "4栋樓道燈壞了，晚上很黑",      /* traditional */
    [ROW_CHARGER] = "小区充电桩不够用",          /* simplified */
    [ROW_PARKING] = "Parking at Gate 3 blocked", /* Latin words and a number */
    [ROW_DRAIN] = "下水道堵了",                  /* shares 道 with ROW_LAMP */
    [ROW_SYNTAX] = "NEAR(a b) OR body:x",        /* FTS5 syntax as plain text */
};

static void test_init(void **state)
{
	struct err e = {0};

	assert_int_equal(ts_init(&e), 0);
	assert_int_equal(ts_init(NULL), 0);
}

static void test_index_text(void **state)
{
	struct arena a;

	arena_init(&a);
	assert_string_equal(ts_index_text(&a, rows[ROW_LAMP]), "4 栋 楼 道 灯 坏 了 晚 上 很 黑");
	assert_string_equal(ts_index_text(&a, rows[ROW_PARKING]), "parking at gate 3 blocked");
	/* Full-width letters, digits and space fold; numbers and words stay whole next to CJK. */
	assert_string_equal(ts_index_text(&a, "ＧＡＴＥ３号　WiFi密码abc123"), "gate3 号 wifi 密 码 abc123");
	/* CJK punctuation and symbols separate; 〇 is a character of its own. */
	assert_string_equal(ts_index_text(&a, "「二〇二三年」《通知》——★重要★…"), "二 〇 二 三 年 通 知 重 要");
	/* Extension A and B ideographs and compatibility ideographs are single tokens too. */
	assert_string_equal(ts_index_text(&a, "a\xe3\x90\x80\xf0\xa0\x80\x80\xef\xa4\x80z"),
			    "a \xe3\x90\x80 \xf0\xa0\x80\x80 \xef\xa4\x80 z");
	assert_string_equal(ts_index_text(&a, "  \t\n "), "");
	assert_string_equal(ts_index_text(&a, ""), "");
	assert_string_equal(ts_index_text(&a, NULL), "");
	arena_free(&a);
}

static void test_simplified(void **state)
{
	struct arena a;

	arena_init(&a);
	assert_string_equal(ts_simplified(&a, rows[ROW_LAMP]), "4栋楼道灯坏了，晚上很黑");
	assert_string_equal(ts_simplified(&a, "頭髮 Gate ＡＢ"), "头发 Gate ＡＢ");
	assert_string_equal(ts_simplified(&a, "小区"), "小区");
	assert_string_equal(ts_simplified(&a, ""), "");
	assert_string_equal(ts_simplified(&a, NULL), "");
	arena_free(&a);
}

static void test_match_query_text(void **state)
{
	struct arena a;

	arena_init(&a);
	assert_string_equal(ts_match_query(&a, "路灯 坏了"), "\"路\" + \"灯\" AND \"坏\" + \"了\"");
	assert_string_equal(ts_match_query(&a, "  樓道燈  "), "\"楼\" + \"道\" + \"灯\"");
	assert_string_equal(ts_match_query(&a, "Gate 3"), "\"gate\" AND \"3\"");
	assert_string_equal(ts_match_query(&a, "4栋"), "\"4\" + \"栋\"");
	assert_string_equal(ts_match_query(&a, "body:x"), "\"body\" + \"x\"");
	assert_string_equal(ts_match_query(&a, "OR"), "\"or\"");
	assert_string_equal(ts_match_query(&a, "NEAR(a b)"), "\"near\" + \"a\" AND \"b\"");
	assert_string_equal(ts_match_query(&a, "say \"hi\""), "\"say\" AND \"hi\"");
	assert_null(ts_match_query(&a, "，。！"));
	assert_null(ts_match_query(&a, "\""));
	assert_null(ts_match_query(&a, "*"));
	assert_null(ts_match_query(&a, "^ - + ( ) : {}"));
	assert_null(ts_match_query(&a, "…★😀"));
	assert_null(ts_match_query(&a, "   "));
	assert_null(ts_match_query(&a, ""));
	assert_null(ts_match_query(&a, NULL));
	arena_free(&a);
}

/* ---- against a real FTS5 table ---- */

static int setup_db(void **state)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	struct arena a;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return -1;
	if (sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(body)", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t(rowid, body) VALUES (?1, ?2)", -1, &st, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	arena_init(&a);
	for (int i = ROW_LAMP; i <= ROW_SYNTAX; i++) {
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_text(st, 2, ts_index_text(&a, rows[i]), -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE) {
			arena_free(&a);
			sqlite3_finalize(st);
			sqlite3_close(db);
			return -1;
		}
		sqlite3_reset(st);
	}
	arena_free(&a);
	sqlite3_finalize(st);
	*state = db;
	return 0;
}

static int teardown_db(void **state)
{
	sqlite3_close(*state);
	return 0;
}

/*
 * Runs the user query q against t. Returns -1 when ts_match_query() found nothing searchable, else the number
 * of matching rows, with the lowest rowid in *first. Fails the test on any SQLite error (a syntax error would
 * mean user text was read as FTS5 syntax).
 */
static int search(sqlite3 *db, const char *q, int *first)
{
	struct arena a;
	sqlite3_stmt *st;
	int n = 0, rc;

	arena_init(&a);
	const char *m = ts_match_query(&a, q);
	if (!m) {
		arena_free(&a);
		return -1;
	}
	rc = sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid", -1, &st, NULL);
	assert_int_equal(rc, SQLITE_OK);
	sqlite3_bind_text(st, 1, m, -1, SQLITE_TRANSIENT);
	*first = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (n++ == 0)
			*first = sqlite3_column_int(st, 0);
	if (rc != SQLITE_DONE)
		fail_msg("query %s -> MATCH %s: %s", q, m, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	arena_free(&a);
	return n;
}

/* Asserts that q finds exactly the row `row` (0: no row, or nothing to search for). */
static void expect(sqlite3 *db, const char *q, int row)
{
	int first = 0, n = search(db, q, &first);

	if (row == 0 && n > 0)
		fail_msg("query %s: expected no match, got %d rows (first %d)", q, n, first);
	if (row != 0 && (n != 1 || first != row))
		fail_msg("query %s: expected row %d, got %d rows (first %d)", q, row, n, first);
}

static void test_fts_chinese(void **state)
{
	sqlite3 *db = *state;

	expect(db, "楼道灯", ROW_LAMP); /* simplified finds traditional */
	expect(db, "樓道", ROW_LAMP);   /* traditional finds it too */
	expect(db, "楼道燈", ROW_LAMP); /* and a mix */
	expect(db, "4栋", ROW_LAMP);
	expect(db, "灯 黑", ROW_LAMP); /* terms AND-ed, in any order */
	expect(db, "黑 灯", ROW_LAMP);
	expect(db, "灯，坏了", ROW_LAMP); /* punctuation in a term is no token */
	expect(db, "充电", ROW_CHARGER);
	expect(db, "充電樁", ROW_CHARGER);
	expect(db, "电充", 0); /* characters of a term must be adjacent and in order */
	expect(db, "路灯", 0);
	expect(db, "楼道 路灯", 0);
	int first = 0;
	assert_int_equal(search(db, "道", &first), 2); /* 楼道 and 下水道 */
	assert_int_equal(first, ROW_LAMP);
}

static void test_fts_latin(void **state)
{
	sqlite3 *db = *state;

	expect(db, "gate 3", ROW_PARKING);
	expect(db, "GATE", ROW_PARKING);
	expect(db, "ＧＡＴＥ", ROW_PARKING);
	expect(db, "Ｇａｔｅ　３", ROW_PARKING);
	expect(db, "parking blocked", ROW_PARKING);
	expect(db, "gate 4", 0);
	expect(db, "gat", 0); /* whole words, no prefix search */
	/* Symbols and emoji next to real words must not become empty phrases that make the AND match nothing. */
	expect(db, "gate 🚗", ROW_PARKING);
	expect(db, "gate ★ © ™ … · ¥ → ㎡ ˊ", ROW_PARKING);
	expect(db, "gate! (3)", ROW_PARKING);
}

static void test_fts_injection(void **state)
{
	sqlite3 *db = *state;
	static const char *const nothing[] = {"\"", "*", "^", "\"\"", "()", "-", "+", ":", "{}", "'", "NOT", "AND"};
	static const char *const lits[] = {"OR",    "or",        "body:x", "NEAR(a b)", "near a", "\"body\"",
					   "b) OR", "{body}: x", "^near",  "near*",     "- x",    "b\"OR\"body"};
	int first;

	/* Pure syntax has nothing to search for; AND/NOT are just words no row contains. */
	assert_int_equal(search(db, "\"", &first), -1);
	assert_int_equal(search(db, "*", &first), -1);
	for (size_t i = 0; i < sizeof nothing / sizeof nothing[0]; i++)
		expect(db, nothing[i], 0);
	/* Operators are matched as plain words: only the row that literally contains them. */
	for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++)
		expect(db, lits[i], ROW_SYNTAX);
	expect(db, "gate OR 充电", 0); /* not an OR: "or" must be in the row too */
	expect(db, "body OR zzz", 0);
	expect(db, "NOT body", 0);  /* not a NOT: "not" is just a word no row contains */
	expect(db, "body:gate", 0); /* not a column filter */
	expect(db, "gate*", ROW_PARKING);
}

static void test_fts_invalid_utf8(void **state)
{
	sqlite3 *db = *state;

	/* lone continuation, truncated sequence, overlong '/', UTF-16 surrogate, > U+10FFFF, bytes 0xFE 0xFF */
	expect(db, "\x80樓\xe9\x81道\xc0\xaf\xed\xa0\x80燈\xf4\x90\x80\x80\xfe\xff", ROW_LAMP);
	expect(db, "\xff\xfe\xc0\xaf", 0);
}

static void test_invalid_utf8(void **state)
{
	struct arena a;
	const char *bad = "\xff\xfe楼\xe6\x9c道\xc0\xaf\xed\xa0\x80灯\xf4\x90\x80\x80 \xe4";

	arena_init(&a);
	assert_string_equal(ts_index_text(&a, bad), "楼 道 灯");
	assert_string_equal(ts_match_query(&a, bad), "\"楼\" + \"道\" + \"灯\"");
	assert_string_equal(ts_simplified(&a, bad), "楼道灯 ");
	assert_string_equal(ts_simplified(&a, "\xe4\xb8"), "");
	assert_null(ts_match_query(&a, "\x80\x81\xc3"));
	arena_free(&a);
}

static void test_truncation(void **state)
{
	struct arena a;
	size_t n = TS_MAX_INPUT + 4096;
	char *big = malloc(n + 1);
	const char *s;

	assert_non_null(big);
	arena_init(&a);

	/* 'a' up to one byte before the limit, then 樓 straddling it: cut before 樓. */
	memset(big, 'a', n);
	memcpy(big + TS_MAX_INPUT - 1, "樓", 3);
	big[n] = '\0';
	s = ts_simplified(&a, big);
	assert_int_equal(strlen(s), TS_MAX_INPUT - 1);
	assert_int_equal(strspn(s, "a"), TS_MAX_INPUT - 1);

	/* Only traditional characters: as many whole ones as fit, all converted. */
	for (size_t i = 0; i + 3 <= n; i += 3)
		memcpy(big + i, "樓", 3);
	big[n - n % 3] = '\0';
	s = ts_simplified(&a, big);
	assert_int_equal(strlen(s), TS_MAX_INPUT / 3 * 3);
	for (size_t i = 0; s[i]; i += 3)
		assert_memory_equal(s + i, "楼", 3);
	s = ts_index_text(&a, big);
	assert_int_equal(strlen(s), TS_MAX_INPUT / 3 * 4 - 1);
	assert_non_null(ts_match_query(&a, big));

	arena_free(&a);
	free(big);
}

/* ---- threads ---- */

static const struct {
	const char *in, *index, *simp;
} samples[] = {
    {"4栋樓道燈壞了", "4 栋 楼 道 灯 坏 了", "4栋楼道灯坏了"},
    {"頭髮太長了", "头 发 太 长 了", "头发太长了"},
    {"充電樁不夠用", "充 电 桩 不 够 用", "充电桩不够用"},
    {"Gate３號門", "gate3 号 门", "Gate３号门"},
    {"後面的車輛", "后 面 的 车 辆", "后面的车辆"},
};

#define NTHREADS 4
#define ROUNDS   200

struct worker {
	int id;
	int errors;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct arena a;
	size_t ns = sizeof samples / sizeof samples[0];

	arena_init(&a);
	for (int r = 0; r < ROUNDS; r++) {
		size_t k = (size_t)(r + w->id) % ns;
		w->errors += strcmp(ts_index_text(&a, samples[k].in), samples[k].index) != 0;
		w->errors += strcmp(ts_simplified(&a, samples[k].in), samples[k].simp) != 0;
		w->errors += ts_match_query(&a, samples[k].in) == NULL;
		if (r % 50 == 49) {
			arena_free(&a);
			arena_init(&a);
		}
	}
	arena_free(&a);
	/* Half the workers close their converter themselves; the others leave it to the thread-exit destructor
	 * (LeakSanitizer checks that it ran). */
	if (w->id % 2 == 0)
		ts_thread_cleanup();
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t th[NTHREADS];
	struct worker w[NTHREADS];

	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){.id = i};
		assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].errors, 0);
	}
}

static void test_thread_cleanup_reopens(void **state)
{
	struct arena a;

	arena_init(&a);
	ts_thread_cleanup();
	ts_thread_cleanup(); /* harmless when nothing is open */
	assert_string_equal(ts_simplified(&a, "樓"), "楼");
	ts_thread_cleanup();
	assert_string_equal(ts_simplified(&a, "燈"), "灯");
	arena_free(&a);
}

static int teardown_thread(void **state)
{
	ts_thread_cleanup(); /* the main thread's converter: no thread-exit destructor runs for it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init),
	    cmocka_unit_test(test_index_text),
	    cmocka_unit_test(test_simplified),
	    cmocka_unit_test(test_match_query_text),
	    cmocka_unit_test_setup_teardown(test_fts_chinese, setup_db, teardown_db),
	    cmocka_unit_test_setup_teardown(test_fts_latin, setup_db, teardown_db),
	    cmocka_unit_test_setup_teardown(test_fts_injection, setup_db, teardown_db),
	    cmocka_unit_test_setup_teardown(test_fts_invalid_utf8, setup_db, teardown_db),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_thread_cleanup_reopens),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_thread);
}
