/*
 * test_pinyin.c — unit tests for base/pinyin: readings from the generated
 * Unihan table, toneless and with tone marks, surname overrides in name
 * mode, ASCII pass-through, truncation and malformed UTF-8.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/pinyin.h"
#include "base/pinyin_table.h"

static void test_initials_simplified(void **state)
{
	char buf[64];

	assert_int_equal(pinyin_initials("王贵宝", PINYIN_NAME, buf, sizeof buf), 3);
	assert_string_equal(buf, "wgb");
	assert_int_equal(pinyin_initials("王贵宝", PINYIN_TEXT, buf, sizeof buf), 3);
	assert_string_equal(buf, "wgb");
}

static void test_full_simplified(void **state)
{
	char buf[64];

	assert_int_equal(pinyin_full("王贵宝", PINYIN_NAME, buf, sizeof buf), 10);
	assert_string_equal(buf, "wangguibao");
}

static void test_traditional(void **state)
{
	char buf[64];

	pinyin_initials("王貴寶", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "wgb");
	pinyin_full("王貴寶", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, "wangguibao");
	/* Traditional surname forms get the override too. */
	pinyin_full("單田芳", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "shantianfang");
	pinyin_full("長城", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "changcheng");
}

static void test_surname_override(void **state)
{
	char buf[64];

	pinyin_full("单田芳", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "shantianfang");
	pinyin_full("单元", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, "danyuan");
	pinyin_initials("曾国藩", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "zgf");
	pinyin_full("曾国藩", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "zengguofan");
	pinyin_full("解缙", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "xiejin");
	pinyin_full("朴槿惠", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "piaojinhui");
	/* Only the first character is a surname: 单单 reads shan dan. */
	pinyin_full("单单", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "shandan");
	/* Leading blanks and punctuation do not move the surname slot. */
	pinyin_full(" ·单田芳", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "shantianfang");
}

static void test_pinyin_of(void **state)
{
	assert_non_null(pinyin_of(0x738B)); /* 王 */
	assert_string_equal(pinyin_of(0x738B), "wang");
	assert_string_equal(pinyin_of(0x5355), "dan"); /* 单, not the surname */
	assert_string_equal(pinyin_of(0x7EFF), "lv");  /* 绿 lǜ: ü -> v */
	assert_string_equal(pinyin_of(0x7565), "lve"); /* 略 lüè */
	assert_string_equal(pinyin_of(0x5973), "nv");  /* 女 */
	assert_string_equal(pinyin_of(0x3400), "qiu"); /* first table entry */
	assert_null(pinyin_of('a'));
	assert_null(pinyin_of(0x3001));  /* 、 */
	assert_null(pinyin_of(0x1F600)); /* emoji */
	assert_null(pinyin_of(0x10FFFF));
	assert_null(pinyin_of(0));
}

static void test_mixed_text(void **state)
{
	char buf[64];

	assert_int_equal(pinyin_initials("3号楼A单元", PINYIN_TEXT, buf, sizeof buf), 6);
	assert_string_equal(buf, "3hlady");
	pinyin_full("3号楼A单元", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, "3haoloua"
				 "danyuan");
	/* ASCII words are copied letter by letter, lower-cased. */
	pinyin_initials("Linli 社区 101", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, "linlisq101");
	/* Punctuation, spaces and emoji are dropped. */
	pinyin_full("王，贵！ 宝😀", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "wangguibao");
	/* Full-width letters and digits fold to ASCII. */
	pinyin_initials("Ａ栋３", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, "ad3");
}

static void test_empty(void **state)
{
	char buf[8];

	memset(buf, 'x', sizeof buf);
	assert_int_equal(pinyin_initials("", PINYIN_NAME, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	memset(buf, 'x', sizeof buf);
	assert_int_equal(pinyin_full("", PINYIN_TEXT, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	memset(buf, 'x', sizeof buf);
	assert_int_equal(pinyin_full(NULL, PINYIN_TEXT, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	/* Nothing readable at all. */
	assert_int_equal(pinyin_full("，。！ ", PINYIN_TEXT, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
}

static void test_truncation(void **state)
{
	char buf[16];

	/* cap 0 writes nothing, not even the NUL. */
	memset(buf, 'x', sizeof buf);
	assert_int_equal(pinyin_full("王贵宝", PINYIN_NAME, buf, 0), 0);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(pinyin_full("王贵宝", PINYIN_NAME, NULL, 0), 0);

	memset(buf, 'x', sizeof buf);
	assert_int_equal(pinyin_full("王贵宝", PINYIN_NAME, buf, 1), 0);
	assert_string_equal(buf, "");
	assert_int_equal(buf[1], 'x');

	/* Cuts mid-syllable and stays inside cap. */
	memset(buf, 'x', sizeof buf);
	assert_int_equal(pinyin_full("王贵宝", PINYIN_NAME, buf, 6), 5);
	assert_string_equal(buf, "wangg");
	assert_int_equal(buf[6], 'x');

	memset(buf, 'x', sizeof buf);
	assert_int_equal(pinyin_initials("王贵宝", PINYIN_NAME, buf, 3), 2);
	assert_string_equal(buf, "wg");
	assert_int_equal(buf[3], 'x');

	/* Exactly enough room. */
	memset(buf, 'x', sizeof buf);
	assert_int_equal(pinyin_initials("王贵宝", PINYIN_NAME, buf, 4), 3);
	assert_string_equal(buf, "wgb");
	assert_int_equal(pinyin_full("王贵宝", PINYIN_NAME, buf, 11), 10);
	assert_string_equal(buf, "wangguibao");
	assert_int_equal(pinyin_full("王贵宝", PINYIN_NAME, buf, 10), 9);
	assert_string_equal(buf, "wangguiba");
}

static void test_invalid_utf8(void **state)
{
	char buf[64];

	/* Stray continuation byte, invalid lead bytes. */
	pinyin_full("\x80王\xff贵\xc0\xaf宝\xfe", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "wangguibao");
	/* Truncated sequence (first two bytes of 贵) before a valid one: the
	 * broken bytes are skipped, the next character still decodes. */
	pinyin_full("王\xe8\xb4宝", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, "wangbao");
	/* Truncated at the very end of the string: no read past the NUL. */
	pinyin_initials("王\xe8\xb4", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, "w");
	/* Overlong encoding of 'A' and an encoded surrogate are rejected,
	 * not taken as ASCII or as a character. */
	pinyin_initials("\xc1\x81\xed\xa0\x80x", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, "x");
	/* Overlong three-byte form of 'a' must not turn into a letter. */
	pinyin_initials("\xe0\x81\xa1", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, "");
	/* Same for four bytes, and for a code point above U+10FFFF. */
	pinyin_initials("\xf0\x80\x81\xa1\xf4\x90\x80\x80", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, "");
	/* Invalid bytes before a surname do not take the surname slot. */
	pinyin_full("\xff单田芳", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "shantianfang");
}

static void test_supplementary_plane(void **state)
{
	char buf[32];

	/* U+20000 (CJK Extension B) is in Unihan with a kMandarin reading. */
	const char *py = pinyin_of(0x20000);

	assert_non_null(py);
	pinyin_full("\xf0\xa0\x80\x80", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, py);
}

static void test_toned_of(void **state)
{
	assert_string_equal(pinyin_toned_of(0x4E2D), "zhōng"); /* 中 */
	assert_string_equal(pinyin_toned_of(0x56FD), "guó");   /* 国 */
	assert_string_equal(pinyin_toned_of(0x7EFF), "lǜ");    /* 绿 */
	assert_string_equal(pinyin_toned_of(0x7565), "lüè");   /* 略 */
	assert_string_equal(pinyin_toned_of(0x5355), "dān");   /* 单 in text */
	assert_string_equal(pinyin_toned_of(0x90BB), "lín");   /* 邻 */
	assert_string_equal(pinyin_toned_of(0x91CC), "lǐ");    /* 里 */
	assert_string_equal(pinyin_toned_of(0x5417), "ma");    /* 吗: neutral tone, no mark */
	/* Same characters, same table: the toneless reading is the toned one
	 * stripped, so search and sorting are what they were. */
	assert_string_equal(pinyin_of(0x4E2D), "zhong");
	assert_string_equal(pinyin_of(0x7EFF), "lv");
	assert_null(pinyin_toned_of('a'));
	assert_null(pinyin_toned_of(0x3001));
	assert_null(pinyin_toned_of(0x1F600));
	assert_null(pinyin_toned_of(0));
}

/* Tone-marked letter (UTF-8) at s -> its plain letter and byte length. */
static char plain_letter(const char *s, size_t *n)
{
	static const struct {
		const char *marked;
		char plain;
	} marks[] = {
	    {"ā", 'a'}, {"á", 'a'}, {"ǎ", 'a'}, {"à", 'a'}, {"ē", 'e'}, {"é", 'e'}, {"ě", 'e'}, {"è", 'e'}, {"ê", 'e'},
	    {"ế", 'e'}, {"ề", 'e'}, {"ī", 'i'}, {"í", 'i'}, {"ǐ", 'i'}, {"ì", 'i'}, {"ō", 'o'}, {"ó", 'o'}, {"ǒ", 'o'},
	    {"ò", 'o'}, {"ū", 'u'}, {"ú", 'u'}, {"ǔ", 'u'}, {"ù", 'u'}, {"ǖ", 'v'}, {"ǘ", 'v'}, {"ǚ", 'v'}, {"ǜ", 'v'},
	    {"ü", 'v'}, {"ḿ", 'm'}, {"m̀", 'm'}, {"ń", 'n'}, {"ň", 'n'}, {"ǹ", 'n'},
	};
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
		size_t len = strlen(marks[i].marked);
		if (strncmp(s, marks[i].marked, len) == 0) {
			*n = len;
			return marks[i].plain;
		}
	}
	*n = 1;
	return *s;
}

/* Every toned syllable in the generated table strips to the toneless one it
 * points at, so a character's two readings never disagree. */
static void test_toned_table_consistent(void **state)
{
	assert_true(pinyin_toned_syllables_len > 1000 && pinyin_toned_syllables_len <= PINYIN_SYL_MAX + 1);
	for (unsigned i = 0; i < pinyin_toned_syllables_len; i++) {
		char plain[PINYIN_TONED_LEN];
		size_t k = 0;
		for (const char *p = pinyin_toned_syllables[i]; *p && k + 1 < sizeof plain;) {
			size_t n;
			plain[k++] = plain_letter(p, &n);
			p += n;
		}
		plain[k] = '\0';
		assert_true(pinyin_toned_plain[i] < pinyin_syllables_len);
		assert_string_equal(plain, pinyin_syllables[pinyin_toned_plain[i]]);
	}
}

static void test_toned_text(void **state)
{
	char buf[64];

	assert_int_equal(pinyin_toned("中国", PINYIN_TEXT, buf, sizeof buf), strlen("zhōng guó"));
	assert_string_equal(buf, "zhōng guó");
	pinyin_toned("绿", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, "lǜ");
	/* Surnames keep their own reading, with its tone. */
	pinyin_toned("单田芳", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "shàn tián fāng");
	pinyin_toned("单元", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, "dān yuán");
	pinyin_toned("曾国藩", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "zēng guó fān");
	pinyin_toned("區", PINYIN_NAME, buf, sizeof buf);
	assert_string_equal(buf, "ōu");
	/* Letters and digits stay together, parted from syllables by a
	 * space; punctuation is dropped. */
	pinyin_toned("3号楼A单元，", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, "3 hào lóu a dān yuán");
	pinyin_toned("Linli社区101", PINYIN_TEXT, buf, sizeof buf);
	assert_string_equal(buf, "linli shè qū 101");
	assert_int_equal(pinyin_toned("，。", PINYIN_TEXT, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	assert_int_equal(pinyin_toned(NULL, PINYIN_TEXT, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
}

static void test_toned_truncation(void **state)
{
	char buf[16];

	memset(buf, 'x', sizeof buf);
	assert_int_equal(pinyin_toned("中国", PINYIN_TEXT, buf, 0), 0);
	assert_int_equal(buf[0], 'x');
	/* "zhōng" is 6 bytes: with cap 6 it does not fit, and is not cut
	 * inside its ō. */
	memset(buf, 'x', sizeof buf);
	assert_int_equal(pinyin_toned("中国", PINYIN_TEXT, buf, 6), 0);
	assert_string_equal(buf, "");
	memset(buf, 'x', sizeof buf);
	assert_int_equal(pinyin_toned("中国", PINYIN_TEXT, buf, 7), 6);
	assert_string_equal(buf, "zhōng");
	assert_int_equal(buf[7], 'x');
	/* The space and guó (4 bytes) need 5 more: 11 bytes + NUL. */
	assert_int_equal(pinyin_toned("中国", PINYIN_TEXT, buf, 11), 6);
	assert_string_equal(buf, "zhōng");
	assert_int_equal(pinyin_toned("中国", PINYIN_TEXT, buf, 12), 11);
	assert_string_equal(buf, "zhōng guó");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_initials_simplified),
	    cmocka_unit_test(test_full_simplified),
	    cmocka_unit_test(test_traditional),
	    cmocka_unit_test(test_surname_override),
	    cmocka_unit_test(test_pinyin_of),
	    cmocka_unit_test(test_mixed_text),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_supplementary_plane),
	    cmocka_unit_test(test_toned_of),
	    cmocka_unit_test(test_toned_table_consistent),
	    cmocka_unit_test(test_toned_text),
	    cmocka_unit_test(test_toned_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
