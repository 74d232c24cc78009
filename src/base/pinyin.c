/*
 * pinyin.c — Mandarin readings of Chinese text, for search by pinyin.
 *
 * Decodes UTF-8 itself (invalid bytes are skipped one at a time), looks each
 * code point up in the table generated from Unihan kMandarin (layout in
 * base/pinyin_table.h) and writes the toneless syllables, their first
 * letters, or the syllables with tone marks for reading (zhōng guó). In
 * PINYIN_NAME mode the first character is read as a surname, because
 * Unihan's common reading is wrong for many surnames (单 is dān in text but
 * Shàn as a family name). ASCII letters and digits pass through lower-cased;
 * anything else without a reading is dropped.
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
	const char *toned; /* the same reading with its tone mark */
} surname_readings[] = {
    {0x4E07, "wan", "wàn"},     /* 万 */
    {0x4E50, "yue", "yuè"},     /* 乐 */
    {0x4EC7, "qiu", "qiú"},     /* 仇 */
    {0x4EFB, "ren", "rén"},     /* 任 */
    {0x533A, "ou", "ōu"},       /* 区 */
    {0x5340, "ou", "ōu"},       /* 區 */
    {0x534E, "hua", "huà"},     /* 华 */
    {0x5355, "shan", "shàn"},   /* 单 */
    {0x53E5, "gou", "gōu"},     /* 句 */
    {0x53EC, "shao", "shào"},   /* 召 */
    {0x5458, "yun", "yùn"},     /* 员 */
    {0x54E1, "yun", "yùn"},     /* 員 */
    {0x55AE, "shan", "shàn"},   /* 單 */
    {0x5BBF, "su", "sù"},       /* 宿 */
    {0x5C09, "yu", "yù"},       /* 尉 */
    {0x6298, "she", "shé"},     /* 折 */
    {0x66FE, "zeng", "zēng"},   /* 曾 */
    {0x6734, "piao", "piáo"},   /* 朴 */
    {0x67CF, "bai", "bǎi"},     /* 柏 */
    {0x67E5, "zha", "zhā"},     /* 查 */
    {0x6A02, "yue", "yuè"},     /* 樂 */
    {0x6C88, "shen", "shěn"},   /* 沈 */
    {0x700B, "shen", "shěn"},   /* 瀋 */
    {0x725F, "mu", "mù"},       /* 牟 */
    {0x76D6, "ge", "gě"},       /* 盖 */
    {0x77F3, "shi", "shí"},     /* 石 */
    {0x7955, "bi", "bì"},       /* 祕 */
    {0x79CD, "chong", "chóng"}, /* 种 */
    {0x79D8, "bi", "bì"},       /* 秘 */
    {0x7A2E, "chong", "chóng"}, /* 種 */
    {0x7E41, "po", "pó"},       /* 繁 */
    {0x7E46, "miao", "miào"},   /* 繆 */
    {0x7F2A, "miao", "miào"},   /* 缪 */
    {0x7FDF, "zhai", "zhái"},   /* 翟 */
    {0x80FD, "nai", "nài"},     /* 能 */
    {0x83EF, "hua", "huà"},     /* 華 */
    {0x842C, "wan", "wàn"},     /* 萬 */
    {0x845B, "ge", "gě"},       /* 葛 */
    {0x84CB, "ge", "gě"},       /* 蓋 */
    {0x85CF, "zang", "zàng"},   /* 藏 */
    {0x8983, "qin", "qín"},     /* 覃 */
    {0x89D2, "jue", "jué"},     /* 角 */
    {0x89E3, "xie", "xiè"},     /* 解 */
    {0x8CC8, "jia", "jiǎ"},     /* 賈 */
    {0x8D3E, "jia", "jiǎ"},     /* 贾 */
    {0x8FC7, "guo", "guō"},     /* 过 */
    {0x904E, "guo", "guō"},     /* 過 */
    {0x90A3, "na", "nā"},       /* 那 */
    {0x91CD, "chong", "chóng"}, /* 重 */
    {0x9577, "chang", "cháng"}, /* 長 */
    {0x957F, "chang", "cháng"}, /* 长 */
    {0x9697, "wei", "wěi"},     /* 隗 */
    {0x9ED1, "he", "hè"},       /* 黑 */
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

/* Index into pinyin_toned_syllables of cp's reading, or -1. */
static int32_t lookup(uint32_t cp)
{
	size_t lo = 0, hi = pinyin_table_len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t e = pinyin_table[mid];
		uint32_t mcp = PINYIN_ENTRY_CP(e);

		if (mcp == cp) {
			uint32_t syl = PINYIN_ENTRY_SYL(e);

			return syl < pinyin_toned_syllables_len ? (int32_t)syl : -1;
		}
		if (mcp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

const char *pinyin_of(unsigned cp)
{
	int32_t i = lookup(cp);

	if (i < 0 || pinyin_toned_plain[i] >= pinyin_syllables_len)
		return NULL;
	return pinyin_syllables[pinyin_toned_plain[i]];
}

const char *pinyin_toned_of(unsigned cp)
{
	int32_t i = lookup(cp);

	return i < 0 ? NULL : pinyin_toned_syllables[i];
}

/* The surname reading of cp, toneless or toned, or NULL if it has none of
 * its own. */
static const char *surname_of(uint32_t cp, bool toned)
{
	for (size_t i = 0; i < sizeof surname_readings / sizeof surname_readings[0]; i++)
		if (surname_readings[i].cp == cp)
			return toned ? surname_readings[i].toned : surname_readings[i].py;
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

/* Whether n more bytes fit with the NUL after them. */
static bool sink_fits(const struct sink *k, size_t n)
{
	return k->len + n + 1 <= k->cap;
}

enum style { INITIALS, FULL, TONED };

static size_t convert(const char *utf8, enum pinyin_mode mode, char *out, size_t cap, enum style style)
{
	struct sink k = {out, cap, 0};
	const unsigned char *s = (const unsigned char *)(utf8 ? utf8 : "");
	/* The surname slot is the first character that yields output, so
	 * leading spaces or punctuation do not shift it. */
	bool surname_slot = mode == PINYIN_NAME;
	/* TONED: whether the last thing written was a syllable. */
	bool after_syllable = false;

	if (cap == 0)
		return 0;
	while (*s) {
		uint32_t cp = utf8_next(&s);
		char c = ascii_alnum(cp); /* 0 for UTF8_INVALID too */
		const char *py = NULL;
		bool more;

		if (c) {
			if (style == TONED) {
				/* A space parts a syllable from a following
				 * letter or digit; whole tokens or nothing. */
				size_t sp = after_syllable ? 1 : 0;
				if (!sink_fits(&k, sp + 1))
					break;
				sink_put(&k, " ", sp);
				after_syllable = false;
			}
			more = sink_put(&k, &c, 1);
		} else if (cp != UTF8_INVALID && cp > 0x7F) {
			if (surname_slot)
				py = surname_of(cp, style == TONED);
			if (!py)
				py = style == TONED ? pinyin_toned_of(cp) : pinyin_of(cp);
			if (!py)
				continue;
			if (style == TONED) {
				/* Never cut a syllable: its letters are UTF-8. */
				size_t sp = k.len > 0 ? 1 : 0, n = strlen(py);
				if (!sink_fits(&k, sp + n))
					break;
				sink_put(&k, " ", sp);
				more = sink_put(&k, py, n);
				after_syllable = true;
			} else {
				more = sink_put(&k, py, style == INITIALS ? 1 : strlen(py));
			}
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
	return convert(utf8, mode, out, cap, INITIALS);
}

size_t pinyin_full(const char *utf8, enum pinyin_mode mode, char *out, size_t cap)
{
	return convert(utf8, mode, out, cap, FULL);
}

size_t pinyin_toned(const char *utf8, enum pinyin_mode mode, char *out, size_t cap)
{
	return convert(utf8, mode, out, cap, TONED);
}
