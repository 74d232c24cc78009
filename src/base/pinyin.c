/*
 * pinyin.c — Mandarin readings of Chinese text, for search by pinyin.
 *
 * Decodes UTF-8 itself (invalid bytes are skipped one at a time), looks each
 * code point up in the table generated from Unihan kMandarin (layout in
 * base/pinyin_table.h) and writes either the toneless syllables or their
 * first letters. In PINYIN_NAME mode the first character is read as a
 * surname, because Unihan's common reading is wrong for many surnames
 * (单 is dan in text but Shan as a family name). ASCII letters and digits
 * pass through lower-cased; anything else without a reading is dropped.
 */
#include "base/pinyin.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/pinyin_table.h"

/* Family-name readings that differ from, or must not depend on, Unihan's
 * first kMandarin reading. Traditional forms are listed where they differ
 * from the simplified ones. Only consulted for the first character. */
static const struct {
	uint32_t cp;
	const char *py;
} surname_readings[] = {
    {0x4E07, "wan"},   /* 万 */
    {0x4E50, "yue"},   /* 乐 */
    {0x4EC7, "qiu"},   /* 仇 */
    {0x4EFB, "ren"},   /* 任 */
    {0x533A, "ou"},    /* 区 */
    {0x5340, "ou"},    /* 區 */
    {0x534E, "hua"},   /* 华 */
    {0x5355, "shan"},  /* 单 */
    {0x53E5, "gou"},   /* 句 */
    {0x53EC, "shao"},  /* 召 */
    {0x5458, "yun"},   /* 员 */
    {0x54E1, "yun"},   /* 員 */
    {0x55AE, "shan"},  /* 單 */
    {0x5BBF, "su"},    /* 宿 */
    {0x5C09, "yu"},    /* 尉 */
    {0x6298, "she"},   /* 折 */
    {0x66FE, "zeng"},  /* 曾 */
    {0x6734, "piao"},  /* 朴 */
    {0x67CF, "bai"},   /* 柏 */
    {0x67E5, "zha"},   /* 查 */
    {0x6A02, "yue"},   /* 樂 */
    {0x6C88, "shen"},  /* 沈 */
    {0x700B, "shen"},  /* 瀋 */
    {0x725F, "mu"},    /* 牟 */
    {0x76D6, "ge"},    /* 盖 */
    {0x77F3, "shi"},   /* 石 */
    {0x7955, "bi"},    /* 祕 */
    {0x79CD, "chong"}, /* 种 */
    {0x79D8, "bi"},    /* 秘 */
    {0x7A2E, "chong"}, /* 種 */
    {0x7E41, "po"},    /* 繁 */
    {0x7E46, "miao"},  /* 繆 */
    {0x7F2A, "miao"},  /* 缪 */
    {0x7FDF, "zhai"},  /* 翟 */
    {0x80FD, "nai"},   /* 能 */
    {0x83EF, "hua"},   /* 華 */
    {0x842C, "wan"},   /* 萬 */
    {0x845B, "ge"},    /* 葛 */
    {0x84CB, "ge"},    /* 蓋 */
    {0x85CF, "zang"},  /* 藏 */
    {0x8983, "qin"},   /* 覃 */
    {0x89D2, "jue"},   /* 角 */
    {0x89E3, "xie"},   /* 解 */
    {0x8CC8, "jia"},   /* 賈 */
    {0x8D3E, "jia"},   /* 贾 */
    {0x8FC7, "guo"},   /* 过 */
    {0x904E, "guo"},   /* 過 */
    {0x90A3, "na"},    /* 那 */
    {0x91CD, "chong"}, /* 重 */
    {0x9577, "chang"}, /* 長 */
    {0x957F, "chang"}, /* 长 */
    {0x9697, "wei"},   /* 隗 */
    {0x9ED1, "he"},    /* 黑 */
};

/* Returned for bytes that do not start a valid sequence. */
#define UTF8_INVALID 0xFFFFFFFFu

/*
 * Decodes the code point at *sp and advances past it. On a malformed,
 * overlong, surrogate or out-of-range sequence only the lead byte is
 * consumed, so the following bytes get their own chance to decode. Never
 * reads past a NUL: NUL is not a continuation byte.
 */
static uint32_t utf8_next(const unsigned char **sp)
{
	const unsigned char *s = *sp;
	uint32_t cp;
	int n;

	if (s[0] < 0x80) {
		*sp = s + 1;
		return s[0];
	} else if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		cp = s[0] & 0x1Fu;
		n = 1;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		cp = s[0] & 0x0Fu;
		n = 2;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		cp = s[0] & 0x07u;
		n = 3;
	} else {
		/* Stray continuation byte, C0/C1 or F5..FF. */
		*sp = s + 1;
		return UTF8_INVALID;
	}
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*sp = s + 1;
			return UTF8_INVALID;
		}
		cp = cp << 6 | (s[i] & 0x3Fu);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
		*sp = s + 1;
		return UTF8_INVALID;
	}
	*sp = s + 1 + n;
	return cp;
}

const char *pinyin_of(unsigned cp)
{
	size_t lo = 0, hi = pinyin_table_len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t e = pinyin_table[mid];
		uint32_t mcp = PINYIN_ENTRY_CP(e);

		if (mcp == cp) {
			uint32_t syl = PINYIN_ENTRY_SYL(e);

			return syl < pinyin_syllables_len ? pinyin_syllables[syl] : NULL;
		}
		if (mcp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const char *surname_of(uint32_t cp)
{
	for (size_t i = 0; i < sizeof surname_readings / sizeof surname_readings[0]; i++)
		if (surname_readings[i].cp == cp)
			return surname_readings[i].py;
	return NULL;
}

/*
 * ASCII letter or digit for cp, lower-cased, or 0. Full-width forms
 * (Ａ, ３) are folded too: Chinese input methods produce them and a user
 * typing "a" should still find "Ａ栋".
 */
static char ascii_alnum(uint32_t cp)
{
	if (cp >= 0xFF10 && cp <= 0xFF5A)
		cp -= 0xFF10 - '0';
	if (cp >= '0' && cp <= '9')
		return (char)cp;
	if (cp >= 'a' && cp <= 'z')
		return (char)cp;
	if (cp >= 'A' && cp <= 'Z')
		return (char)(cp - 'A' + 'a');
	return 0;
}

/* Bounded writer: keeps room for the NUL, silently drops what does not fit. */
struct sink {
	char *out;
	size_t cap;
	size_t len;
};

/* Returns false once the buffer is full, so callers can stop early. */
static bool sink_put(struct sink *k, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (k->len + 1 >= k->cap)
			return false;
		k->out[k->len++] = s[i];
	}
	return k->len + 1 < k->cap;
}

static size_t convert(const char *utf8, enum pinyin_mode mode, char *out, size_t cap, bool initials_only)
{
	struct sink k = {out, cap, 0};
	const unsigned char *s = (const unsigned char *)(utf8 ? utf8 : "");
	/* The surname slot is the first character that yields output, so
	 * leading spaces or punctuation do not shift it. */
	bool surname_slot = mode == PINYIN_NAME;

	if (cap == 0)
		return 0;
	while (*s) {
		uint32_t cp = utf8_next(&s);
		char c = cp == UTF8_INVALID ? 0 : ascii_alnum(cp);
		const char *py = NULL;
		bool more;

		if (c) {
			more = sink_put(&k, &c, 1);
		} else if (cp != UTF8_INVALID && cp > 0x7F) {
			if (surname_slot)
				py = surname_of(cp);
			if (!py)
				py = pinyin_of(cp);
			if (!py)
				continue;
			more = sink_put(&k, py, initials_only ? 1 : strlen(py));
		} else {
			continue;
		}
		surname_slot = false;
		if (!more)
			break;
	}
	k.out[k.len] = '\0';
	return k.len;
}

size_t pinyin_initials(const char *utf8, enum pinyin_mode mode, char *out, size_t cap)
{
	return convert(utf8, mode, out, cap, true);
}

size_t pinyin_full(const char *utf8, enum pinyin_mode mode, char *out, size_t cap)
{
	return convert(utf8, mode, out, cap, false);
}
