/*
 * test_base.c — unit tests for src/base: UTF-8 validation, decoding and encoding,
 * what text may hold and its normal form (textnorm),
 * the arena, the growable buffer, calendar/time helpers and struct err.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/textnorm.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "unit_helpers.h"

/* ---------------------------------------------------------------- utf8 */

static bool valid(const char *s)
{
	return utf8_valid(s, strlen(s));
}

static void test_utf8_valid_accepts_well_formed(void **state)
{
	assert_true(valid(""));
	assert_true(valid("plain ASCII, 123"));
	assert_true(valid("王贵宝"));
	assert_true(valid("3号楼A单元"));
	assert_true(valid("\xf0\x9f\x98\x80")); /* U+1F600 */
	assert_true(valid("\xf0\xa0\x80\x80")); /* U+20000, CJK Ext B */
	/* Boundaries of each encoding length. */
	assert_true(valid("\x7f"));             /* U+007F */
	assert_true(valid("\xc2\x80"));         /* U+0080, smallest 2-byte */
	assert_true(valid("\xdf\xbf"));         /* U+07FF */
	assert_true(valid("\xe0\xa0\x80"));     /* U+0800, smallest 3-byte */
	assert_true(valid("\xed\x9f\xbf"));     /* U+D7FF, just below surrogates */
	assert_true(valid("\xee\x80\x80"));     /* U+E000, just above surrogates */
	assert_true(valid("\xef\xbf\xbf"));     /* U+FFFF */
	assert_true(valid("\xf0\x90\x80\x80")); /* U+10000, smallest 4-byte */
	assert_true(valid("\xf4\x8f\xbf\xbf")); /* U+10FFFF, the last code point */
	/* Only the first n bytes count: an embedded NUL is just a byte. */
	assert_true(utf8_valid("a\0b", 3));
	assert_true(utf8_valid("王\xff", 3));
}

static void test_utf8_valid_rejects_overlong(void **state)
{
	assert_false(valid("\xc0\xaf"));         /* '/' in 2 bytes */
	assert_false(valid("\xc1\x81"));         /* 'A' in 2 bytes */
	assert_false(valid("\xc0\x80"));         /* NUL in 2 bytes ("modified UTF-8") */
	assert_false(valid("\xe0\x80\xaf"));     /* '/' in 3 bytes */
	assert_false(valid("\xe0\x9f\xbf"));     /* U+07FF in 3 bytes */
	assert_false(valid("\xf0\x80\x80\xaf")); /* '/' in 4 bytes */
	assert_false(valid("\xf0\x8f\xbf\xbf")); /* U+FFFF in 4 bytes */
	/* An overlong after good text still fails the whole string. */
	assert_false(valid("王贵宝\xc0\xaf"));
}

static void test_utf8_valid_rejects_surrogates(void **state)
{
	assert_false(valid("\xed\xa0\x80")); /* U+D800 */
	assert_false(valid("\xed\xaf\xbf")); /* U+DBFF */
	assert_false(valid("\xed\xb0\x80")); /* U+DC00 */
	assert_false(valid("\xed\xbf\xbf")); /* U+DFFF */
	/* A CESU-8 style surrogate pair for U+1F600. */
	assert_false(valid("\xed\xa0\xbd\xed\xb8\x80"));
}

static void test_utf8_valid_rejects_truncated_and_stray(void **state)
{
	assert_false(valid("\xe7\x8e"));     /* first two bytes of 王 */
	assert_false(valid("\xf0\x9f\x98")); /* three of four */
	assert_false(valid("\xc2"));         /* lone lead byte */
	assert_false(valid("\xe7\x8ex"));    /* sequence broken by ASCII */
	assert_false(valid("\x80"));         /* stray continuation */
	assert_false(valid("a\xbf"
			   "b"));
	assert_false(valid("\xff"));
	assert_false(valid("\xfe"));
	assert_false(valid("\xf8\x88\x80\x80\x80")); /* old 5-byte form */
	/* Truncated by n even though the bytes after n are fine. */
	assert_false(utf8_valid("王", 1));
	assert_false(utf8_valid("王", 2));
	assert_true(utf8_valid("王", 3));
	assert_false(utf8_valid("\xf0\x9f\x98\x80", 3));
}

static void test_utf8_valid_rejects_above_max(void **state)
{
	assert_false(valid("\xf4\x90\x80\x80")); /* U+110000 */
	assert_false(valid("\xf5\x80\x80\x80"));
	assert_false(valid("\xf7\xbf\xbf\xbf")); /* U+1FFFFF */
}

static void test_utf8_len(void **state)
{
	assert_int_equal(utf8_len(""), 0);
	assert_int_equal(utf8_len("abc"), 3);
	assert_int_equal(utf8_len("王贵宝"), 3);
	assert_int_equal(strlen("王贵宝"), 9);
	assert_int_equal(utf8_len("中华人民共和国"), 7);
	assert_int_equal(utf8_len("3号楼A单元"), 6);
	assert_int_equal(utf8_len("王\xf0\x9f\x98\x80!"), 3);
	assert_int_equal(utf8_len("é"), 1);
}

static void test_utf8_next_decodes(void **state)
{
	const char *s = "a王\xf0\x9f\x98\x80\xc3\xa9";
	const char *p = s;

	assert_int_equal(utf8_next(&p), 'a');
	assert_ptr_equal(p, s + 1);
	assert_int_equal(utf8_next(&p), 0x738B);
	assert_ptr_equal(p, s + 4);
	assert_int_equal(utf8_next(&p), 0x1F600);
	assert_ptr_equal(p, s + 8);
	assert_int_equal(utf8_next(&p), 0xE9);
	assert_ptr_equal(p, s + 10);
	assert_int_equal(*p, 0);

	p = "\xf4\x8f\xbf\xbf";
	assert_int_equal(utf8_next(&p), 0x10FFFF);
	assert_int_equal(*p, 0);
}

static void test_utf8_next_bad_input_advances(void **state)
{
	/* Invalid lead byte: U+FFFD, one byte consumed. */
	const char *s = "\xff"
			"x";
	const char *p = s;
	assert_int_equal(utf8_next(&p), 0xFFFD);
	assert_ptr_equal(p, s + 1);
	assert_int_equal(utf8_next(&p), 'x');

	/* Stray continuation byte. */
	s = "\x80y";
	p = s;
	assert_int_equal(utf8_next(&p), 0xFFFD);
	assert_ptr_equal(p, s + 1);

	/* Sequence cut by ASCII: the ASCII byte is not swallowed. */
	s = "\xe7\x8ex";
	p = s;
	assert_int_equal(utf8_next(&p), 0xFFFD);
	assert_ptr_equal(p, s + 2);
	assert_int_equal(utf8_next(&p), 'x');

	/* Truncated at the end of the string: never steps past the NUL. */
	s = "\xe7\x8e";
	p = s;
	assert_int_equal(utf8_next(&p), 0xFFFD);
	assert_ptr_equal(p, s + 2);
	assert_int_equal(*p, 0);
	s = "\xf0";
	p = s;
	assert_int_equal(utf8_next(&p), 0xFFFD);
	assert_ptr_equal(p, s + 1);
}

/* utf8.h: "returns 0xFFFD on bad input", and utf8.h defines well-formed
 * as "no overlongs, no surrogates" (and nothing above U+10FFFF). */
static void test_utf8_next_rejects_ill_formed_sequences(void **state)
{
	const char *p;

	p = "\xc0\xaf"; /* overlong '/' — the classic path-traversal smuggle */
	assert_int_equal(utf8_next(&p), 0xFFFD);
	p = "\xe0\x80\xaf";
	assert_int_equal(utf8_next(&p), 0xFFFD);
	p = "\xed\xa0\x80"; /* U+D800 */
	assert_int_equal(utf8_next(&p), 0xFFFD);
	p = "\xf4\x90\x80\x80"; /* U+110000 */
	assert_int_equal(utf8_next(&p), 0xFFFD);
}

static void test_utf8_valid_prefix_stops_at_first_bad_sequence(void **state)
{
	assert_int_equal(utf8_valid_prefix("", 0), 0);
	assert_int_equal(utf8_valid_prefix("abc", 3), 3);
	assert_int_equal(utf8_valid_prefix("王贵宝", 9), 9);
	assert_int_equal(utf8_valid_prefix("a\0b", 3), 3);
	assert_int_equal(utf8_valid_prefix("ab\xff王", 6), 2);       /* invalid lead */
	assert_int_equal(utf8_valid_prefix("王\x80", 4), 3);         /* stray continuation */
	assert_int_equal(utf8_valid_prefix("a\xe7\x8ex", 4), 1);     /* cut by ASCII */
	assert_int_equal(utf8_valid_prefix("王", 2), 0);             /* cut by the end */
	assert_int_equal(utf8_valid_prefix("x\xc0\xaf", 3), 1);      /* overlong */
	assert_int_equal(utf8_valid_prefix("王\xed\xa0\x80", 6), 3); /* surrogate */
	assert_int_equal(utf8_valid_prefix("\xf4\x90\x80\x80", 4), 0);
	assert_int_equal(utf8_valid_prefix("\xf0\x9f\x98\x80!", 5), 5);
}

static void test_utf8_put_round_trips(void **state)
{
	static const unsigned cps[] = {0,      'a',    0x7F,   0x80,    0xE9,    0x7FF,   0x800,
				       0x738B, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
	static const size_t lens[] = {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4};
	char out[5];

	for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
		memset(out, 0, sizeof out);
		size_t n = utf8_put(out, cps[i]);
		assert_int_equal(n, lens[i]);
		assert_true(utf8_valid(out, n));
		if (cps[i]) {
			const char *p = out;
			assert_int_equal(utf8_next(&p), cps[i]);
			assert_ptr_equal(p, out + n);
		}
	}
	assert_int_equal(utf8_put(out, 0x738B), 3);
	assert_memory_equal(out, "王", 3);
}

/* ------------------------------------------------------------ textnorm */

static void test_textnorm_scan(void **state)
{
	/* A table: text, rules, what textnorm_scan finds and at which code point. */
	static const struct {
		const char *s;
		unsigned rules;
		enum textnorm_bad want;
		unsigned cp;
	} cases[] = {
	    {"王贵宝 abc", 0, TN_OK, 0},
	    {"", TN_NAME, TN_OK, 0},
	    {"bell\a", 0, TN_CONTROL, 7},
	    {"\x1b[31m", TN_MULTILINE, TN_CONTROL, 0x1b},
	    {"del\x7f", TN_MULTILINE, TN_CONTROL, 0x7f},
	    {"c1 \xc2\x85", TN_MULTILINE, TN_CONTROL, 0x85},
	    {"c1 \xc2\x9f", 0, TN_CONTROL, 0x9f},
	    {"\xc2\xa0nbsp is text", TN_NAME, TN_OK, 0},
	    {"tab\there", 0, TN_CONTROL, '\t'},
	    {"tab\there\nline", TN_MULTILINE, TN_OK, 0},
	    {"cr\r\n", TN_MULTILINE, TN_CONTROL, '\r'}, /* textnorm_nfc makes it LF first */
	    {"王\xe2\x80\x8b贵宝", 0, TN_OK, 0},        /* U+200B: only names refuse it */
	    {"王\xe2\x80\x8b贵宝", TN_NAME, TN_INVISIBLE, 0x200b},
	    {"王\xe2\x80\x8d贵宝", TN_NAME, TN_INVISIBLE, 0x200d},
	    {"\xef\xbb\xbf王", TN_NAME, TN_INVISIBLE, 0xfeff},
	    {"王\xe2\x81\xa0贵", TN_NAME, TN_INVISIBLE, 0x2060},
	    {"王\xc2\xad贵", TN_NAME, TN_INVISIBLE, 0xad},
	    {"\xe2\x80\xae宝贵王", TN_NAME, TN_BIDI, 0x202e},
	    {"\xe2\x80\xaax", TN_NAME, TN_BIDI, 0x202a},
	    {"\xe2\x81\xa6x\xe2\x81\xa9", TN_NAME, TN_BIDI, 0x2066},
	    {"x\xe2\x80\x8f", TN_NAME, TN_BIDI, 0x200f},
	    {"x\xe2\x80\x8f", TN_MULTILINE, TN_OK, 0}, /* a description may carry a bidi mark */
	    {"\xd8\x9c", TN_NAME, TN_BIDI, 0x61c},
	    {"a\x01\xe2\x80\x8b", TN_NAME, TN_CONTROL, 1}, /* the first one found */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		unsigned cp = 0;
		assert_int_equal(textnorm_scan(cases[i].s, cases[i].rules, &cp), cases[i].want);
		if (cases[i].want != TN_OK)
			assert_int_equal(cp, cases[i].cp);
	}
	assert_int_equal(textnorm_scan("a\x07", 0, NULL), TN_CONTROL);
}

static void test_textnorm_nfc(void **state)
{
	struct arena a;
	arena_init(&a);
	static const struct {
		const char *in;
		bool multiline;
		const char *out;
	} cases[] = {
	    {"plain ascii", false, "plain ascii"},
	    {"王贵宝", false, "王贵宝"},
	    {"Jose\xcc\x81", false, "Jos\xc3\xa9"},  /* e + U+0301 -> U+00E9 */
	    {"\xef\xa4\xac", false, "\xe9\x83\x8e"}, /* U+F92C -> U+90CE 郎 */
	    {"\xe2\x84\xab", false, "\xc3\x85"},     /* U+212B ANGSTROM SIGN -> U+00C5 */
	    {"\xef\xbc\xa1", false, "\xef\xbc\xa1"}, /* full-width A stays (NFKC would fold it) */
	    {"a\r\nb\rc\n", true, "a\nb\nc\n"},      /* line breaks as LF */
	    {"a\r\nb", false, "a\r\nb"},             /* single-line text keeps CR, which is then refused */
	    {"\xe4\xb8\x80\r\ne\xcc\x81", true, "\xe4\xb8\x80\n\xc3\xa9"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		assert_string_equal(textnorm_nfc(cases[i].in, cases[i].multiline, &a), cases[i].out);
	/* Text already normal is given back as it is, not copied. */
	const char *same = "王贵宝 abc";
	assert_ptr_equal(textnorm_nfc(same, false, &a), same);
	arena_free(&a);
}

/* --------------------------------------------------------------- arena */

static void test_arena_many_allocs(void **state)
{
	struct arena a;
	arena_init(&a);
	enum { N = 5000 };
	unsigned char *ptrs[N];
	size_t sizes[N];
	for (int i = 0; i < N; i++) {
		sizes[i] = (size_t)(i % 97) + 1;
		ptrs[i] = arena_alloc(&a, sizes[i]);
		assert_non_null(ptrs[i]);
		assert_int_equal((uintptr_t)ptrs[i] % 16, 0);
		for (size_t k = 0; k < sizes[i]; k++)
			assert_int_equal(ptrs[i][k], 0); /* zeroed */
		memset(ptrs[i], i & 0xFF, sizes[i]);
	}
	/* No allocation overlapped another: every block still holds its byte. */
	for (int i = 0; i < N; i++)
		for (size_t k = 0; k < sizes[i]; k++)
			assert_int_equal(ptrs[i][k], i & 0xFF);
	arena_free(&a);
	assert_null(a.head);
	/* The arena is reusable after arena_free. */
	char *s = arena_strdup(&a, "again");
	assert_string_equal(s, "again");
	arena_free(&a);
}

static void test_arena_large_alloc(void **state)
{
	struct arena a;
	arena_init(&a);
	char *small1 = arena_alloc(&a, 10);
	memcpy(small1, "small-one", 10);
	size_t big_n = (size_t)1 << 20;
	unsigned char *big = arena_alloc(&a, big_n);
	assert_non_null(big);
	assert_int_equal((uintptr_t)big % 16, 0);
	for (size_t i = 0; i < big_n; i += 4096)
		assert_int_equal(big[i], 0);
	memset(big, 0xAB, big_n);
	char *small2 = arena_alloc(&a, 10);
	memcpy(small2, "small-two", 10);
	/* A large block is bigger than a chunk; write the last byte (ASan
	 * would flag an undersized chunk) and check neighbours survive. */
	big[big_n - 1] = 0xCD;
	assert_string_equal(small1, "small-one");
	assert_string_equal(small2, "small-two");
	assert_int_equal(big[0], 0xAB);
	assert_int_equal(big[big_n - 1], 0xCD);
	/* A large allocation as the very first one. */
	struct arena b;
	arena_init(&b);
	unsigned char *first = arena_alloc(&b, 100000);
	first[99999] = 1;
	char *after = arena_strdup(&b, "after");
	assert_string_equal(after, "after");
	arena_free(&b);
	arena_free(&a);
}

static void test_arena_strdup(void **state)
{
	struct arena a;
	arena_init(&a);
	const char *src = "王贵宝 / Wang Guibao";
	char *d = arena_strdup(&a, src);
	assert_string_equal(d, src);
	assert_ptr_not_equal(d, src);
	assert_null(arena_strdup(&a, NULL));
	char *e = arena_strdup(&a, "");
	assert_string_equal(e, "");
	char *n = arena_strndup(&a, "王贵宝", 6); /* the first two characters */
	assert_string_equal(n, "王贵");
	char *z = arena_strndup(&a, "abc", 0);
	assert_string_equal(z, "");
	arena_free(&a);
}

static void test_arena_printf(void **state)
{
	struct arena a;
	arena_init(&a);
	char *s = arena_printf(&a, "%s社区有%d户，%s", "幸福", 128, "共312人");
	assert_string_equal(s, "幸福社区有128户，共312人");
	assert_int_equal(utf8_len(s), 15);
	char *p = arena_printf(&a, "/%lld/%lld/", 1LL, 42LL);
	assert_string_equal(p, "/1/42/");
	char *empty = arena_printf(&a, "%s", "");
	assert_string_equal(empty, "");
	/* Longer than a whole chunk. */
	char big[40001];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	char *l = arena_printf(&a, "[%s]", big);
	assert_int_equal(strlen(l), 40002);
	assert_int_equal(l[0], '[');
	assert_int_equal(l[40001], ']');
	/* The earlier strings are intact. */
	assert_string_equal(s, "幸福社区有128户，共312人");
	arena_free(&a);
}

/* ----------------------------------------------------------------- buf */

static void test_buf_append_growth(void **state)
{
	struct buf b = {0};
	size_t total = 0;
	for (int i = 0; i < 1000; i++) {
		char piece[16];
		int n = snprintf(piece, sizeof piece, "%d,", i);
		buf_append(&b, piece, (size_t)n);
		total += (size_t)n;
		assert_int_equal(b.len, total);
		assert_true(b.cap > b.len);
		assert_int_equal(b.data[b.len], 0);
	}
	assert_true(strncmp(b.data, "0,1,2,3,", 8) == 0);
	assert_non_null(strstr(b.data, ",998,999,"));
	/* Binary data with NUL bytes is kept exactly. */
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	const char bin[] = {'a', 0, 'b', 0, 'c'};
	buf_append(&b, bin, sizeof bin);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, bin, 5);
	buf_puts(&b, "王");
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.data + 5, "王", 3);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void test_buf_printf_growth(void **state)
{
	struct buf b = {0};
	buf_printf(&b, "%s=%d", "户数", 3);
	assert_string_equal(buf_cstr(&b), "户数=3");
	/* One printf far larger than the initial capacity. */
	char big[5000];
	memset(big, 'y', sizeof big - 1);
	big[sizeof big - 1] = 0;
	buf_printf(&b, "|%s|", big);
	assert_int_equal(b.len, strlen("户数=3") + 5001);
	assert_int_equal(b.data[b.len - 1], '|');
	assert_int_equal(b.data[b.len], 0);
	assert_int_equal(b.data[strlen("户数=3")], '|');
	/* Many small printfs. */
	buf_reset(&b);
	for (int i = 0; i < 2000; i++)
		buf_printf(&b, "%03d", i % 1000);
	assert_int_equal(b.len, 6000);
	assert_int_equal(strlen(buf_cstr(&b)), 6000);
	assert_true(strncmp(b.data + 5994, "998999", 6) == 0);
	buf_free(&b);
}

static void test_buf_cstr_empty(void **state)
{
	struct buf b = {0};
	const char *s = buf_cstr(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(b.len, 0);
	buf_free(&b);
}

/* ------------------------------------------------------------ timeutil */

static void test_time_valid_date(void **state)
{
	assert_true(time_valid_date("2024-01-01"));
	assert_true(time_valid_date("2024-12-31"));
	assert_true(time_valid_date("2024-02-29"));  /* leap year */
	assert_false(time_valid_date("2023-02-29")); /* not a leap year */
	assert_false(time_valid_date("2100-02-29")); /* century, not leap */
	assert_true(time_valid_date("2000-02-29"));  /* divisible by 400 */
	assert_false(time_valid_date("1900-02-29"));
	assert_true(time_valid_date("2023-02-28"));
	assert_false(time_valid_date("2024-02-30"));
	assert_false(time_valid_date("2024-04-31"));
	assert_true(time_valid_date("2024-04-30"));
	assert_false(time_valid_date("2024-06-31"));
	assert_false(time_valid_date("2024-09-31"));
	assert_false(time_valid_date("2024-11-31"));
	assert_true(time_valid_date("2024-08-31"));
	assert_false(time_valid_date("2024-13-01"));
	assert_false(time_valid_date("2024-00-10"));
	assert_false(time_valid_date("2024-01-00"));
	assert_false(time_valid_date("2024-01-32"));
	/* Shape. */
	assert_false(time_valid_date(NULL));
	assert_false(time_valid_date(""));
	assert_false(time_valid_date("2024-1-01"));
	assert_false(time_valid_date("2024/01/01"));
	assert_false(time_valid_date("20240101"));
	assert_false(time_valid_date("2024-01-01 "));
	assert_false(time_valid_date("2024-01-01T00:00:00Z"));
	assert_false(time_valid_date("2024-0a-01"));
	assert_false(time_valid_date("-024-01-01"));
	assert_false(time_valid_date("２０２４-01-01"));
}

static void test_time_age_birthdays(void **state)
{
	/* Day before, day of, day after the 24th birthday. */
	time_set_fake(unit_utc(2024, 6, 14, 23, 59, 59));
	assert_int_equal(time_age("2000-06-15", time_now()), 23);
	time_set_fake(unit_utc(2024, 6, 15, 0, 0, 0));
	assert_int_equal(time_age("2000-06-15", time_now()), 24);
	time_set_fake(unit_utc(2024, 6, 16, 12, 0, 0));
	assert_int_equal(time_age("2000-06-15", time_now()), 24);
	/* Earlier month, later month. */
	time_set_fake(unit_utc(2024, 5, 31, 12, 0, 0));
	assert_int_equal(time_age("2000-06-01", time_now()), 23);
	time_set_fake(unit_utc(2024, 7, 1, 12, 0, 0));
	assert_int_equal(time_age("2000-06-30", time_now()), 24);
	/* Born on 29 February: a year older only from 1 March in a common year. */
	time_set_fake(unit_utc(2023, 2, 28, 12, 0, 0));
	assert_int_equal(time_age("2004-02-29", time_now()), 18);
	time_set_fake(unit_utc(2023, 3, 1, 0, 0, 0));
	assert_int_equal(time_age("2004-02-29", time_now()), 19);
	time_set_fake(unit_utc(2024, 2, 29, 0, 0, 0));
	assert_int_equal(time_age("2004-02-29", time_now()), 20);
	/* Born today: 0. */
	assert_int_equal(time_age("2024-02-29", time_now()), 0);
	/* Invalid birth dates. */
	assert_int_equal(time_age("2023-02-29", time_now()), -1);
	assert_int_equal(time_age("not a date", time_now()), -1);
	assert_int_equal(time_age(NULL, time_now()), -1);
	time_set_fake(0);
}

static void test_time_fake_clock(void **state)
{
	int64_t t = unit_utc(2030, 1, 2, 3, 4, 5);
	time_set_fake(t);
	assert_int_equal(time_now(), t);
	time_set_fake(0);
	int64_t real = (int64_t)time(NULL);
	int64_t now = time_now();
	assert_true(now >= real - 1 && now <= real + 5);
}

static void test_time_parse_iso(void **state)
{
	/* Round trip with time_iso. */
	char out[21];
	int64_t t = unit_utc(2024, 2, 29, 23, 59, 58);
	time_iso(t, out);
	assert_int_equal(time_parse_iso(out), t);
	assert_int_equal(time_parse_iso("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(time_year(t), 2024);
	assert_int_equal(time_year(0), 1970);
	/* Exactly the shape, digits only: no signs, spaces or other separators. */
	assert_int_equal(time_parse_iso(NULL), -1);
	assert_int_equal(time_parse_iso(""), -1);
	assert_int_equal(time_parse_iso("2024-02-29T23:59:58"), -1);
	assert_int_equal(time_parse_iso("2024-02-29 23:59:58Z"), -1);
	assert_int_equal(time_parse_iso("2024-02-29T23:59: 8Z"), -1);
	assert_int_equal(time_parse_iso("2024-02-29T+3:59:58Z"), -1);
	assert_int_equal(time_parse_iso("2024-13-01T00:00:00Z"), -1);
	assert_int_equal(time_parse_iso("2024-01-01T24:00:00Z"), -1);
	assert_int_equal(time_parse_iso("2024-01-01T00:60:00Z"), -1);
}

static void test_time_iso(void **state)
{
	char out[21];
	memset(out, 'z', sizeof out);
	time_iso(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	time_iso(unit_utc(2024, 2, 29, 23, 59, 58), out);
	assert_string_equal(out, "2024-02-29T23:59:58Z");
	time_iso(1700000000, out);
	assert_string_equal(out, "2023-11-14T22:13:20Z");
	assert_int_equal(strlen(out), 20);
	/* UTC regardless of the process time zone. */
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	time_iso(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	unsetenv("TZ");
	tzset();
	/* Sortable: a later time gives a larger string. */
	char a[21], b[21];
	time_iso(unit_utc(2024, 9, 30, 0, 0, 0), a);
	time_iso(unit_utc(2024, 10, 1, 0, 0, 0), b);
	assert_true(strcmp(a, b) < 0);
}

/* ----------------------------------------------------------------- err */

static void test_err_set_fields(void **state)
{
	struct err e;
	memset(&e, 0x55, sizeof e);
	int rc = err_set(&e, ERR_CONFLICT, "id_card", "已登记（人员%d） / person %s", 7, "seven");
	assert_int_equal(rc, ERR_CONFLICT);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_string_equal(e.field, "id_card");
	assert_string_equal(e.msg, "已登记（人员7） / person seven");
	/* NULL field becomes "". */
	rc = err_set(&e, ERR_INVALID, NULL, "bad");
	assert_int_equal(rc, ERR_INVALID);
	assert_string_equal(e.field, "");
	assert_string_equal(e.msg, "bad");
	/* NULL err: still returns the code. */
	assert_int_equal(err_set(NULL, ERR_NOT_FOUND, "x", "y %d", 1), ERR_NOT_FOUND);
	/* Over-long message and field are cut and stay NUL-terminated. */
	char longmsg[600];
	memset(longmsg, 'm', sizeof longmsg - 1);
	longmsg[sizeof longmsg - 1] = 0;
	char longfield[200];
	memset(longfield, 'f', sizeof longfield - 1);
	longfield[sizeof longfield - 1] = 0;
	err_set(&e, ERR_TOO_LARGE, longfield, "%s", longmsg);
	assert_int_equal(strlen(e.msg), sizeof e.msg - 1);
	assert_int_equal(strlen(e.field), sizeof e.field - 1);
	err_clear(&e);
	assert_int_equal(e.code, 0);
	assert_string_equal(e.msg, "");
	assert_string_equal(e.field, "");
	err_clear(NULL);
}

static void test_err_name(void **state)
{
	assert_string_equal(err_name(ERR_OK), "ok");
	assert_string_equal(err_name(ERR_INVALID), "invalid");
	assert_string_equal(err_name(ERR_NOT_FOUND), "not_found");
	assert_string_equal(err_name(ERR_CONFLICT), "conflict");
	assert_string_equal(err_name(ERR_FORBIDDEN), "forbidden");
	assert_string_equal(err_name(ERR_UNAUTHORIZED), "unauthorized");
	assert_string_equal(err_name(ERR_TOO_LARGE), "too_large");
	assert_string_equal(err_name(ERR_RATE), "rate_limited");
	assert_string_equal(err_name(ERR_INTERNAL), "internal");
	assert_string_equal(err_name(ERR_UNAVAILABLE), "unavailable");
	assert_string_equal(err_name(ERR_UNSUPPORTED), "unsupported_media_type");
	assert_string_equal(err_name(ERR_METHOD), "method_not_allowed");
	assert_string_equal(err_name(ERR_IO), "io_error");
	assert_string_equal(err_name(-99), "internal");
	assert_string_equal(err_name(5), "internal");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_valid_accepts_well_formed),
	    cmocka_unit_test(test_utf8_valid_rejects_overlong),
	    cmocka_unit_test(test_utf8_valid_rejects_surrogates),
	    cmocka_unit_test(test_utf8_valid_rejects_truncated_and_stray),
	    cmocka_unit_test(test_utf8_valid_rejects_above_max),
	    cmocka_unit_test(test_utf8_len),
	    cmocka_unit_test(test_utf8_next_decodes),
	    cmocka_unit_test(test_utf8_next_bad_input_advances),
	    cmocka_unit_test(test_utf8_next_rejects_ill_formed_sequences),
	    cmocka_unit_test(test_utf8_valid_prefix_stops_at_first_bad_sequence),
	    cmocka_unit_test(test_utf8_put_round_trips),
	    cmocka_unit_test(test_textnorm_scan),
	    cmocka_unit_test(test_textnorm_nfc),
	    cmocka_unit_test(test_arena_many_allocs),
	    cmocka_unit_test(test_arena_large_alloc),
	    cmocka_unit_test(test_arena_strdup),
	    cmocka_unit_test(test_arena_printf),
	    cmocka_unit_test(test_buf_append_growth),
	    cmocka_unit_test(test_buf_printf_growth),
	    cmocka_unit_test(test_buf_cstr_empty),
	    cmocka_unit_test(test_time_valid_date),
	    cmocka_unit_test(test_time_age_birthdays),
	    cmocka_unit_test(test_time_fake_clock),
	    cmocka_unit_test(test_time_iso),
	    cmocka_unit_test(test_time_parse_iso),
	    cmocka_unit_test(test_err_set_fields),
	    cmocka_unit_test(test_err_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
