/*
 * pinyin.h — Mandarin readings of Chinese text: toneless, for search and
 * sorting by pinyin, and with tone marks, for people reading the text.
 *
 * The table is generated at build time from Unihan kMandarin
 * (build/gen/pinyin_table.c). Surnames with their own readings
 * (单 shàn, 曾 zēng, 解 xiè, 仇 qiú, 区 ōu, ...) are honoured for the first
 * character of a personal name. Non-Chinese characters pass through
 * lower-cased (ASCII letters/digits) or are dropped (punctuation, space).
 * Thread-safety: pure functions over read-only tables.
 */
#ifndef LINLI_PINYIN_H
#define LINLI_PINYIN_H

#include <stddef.h>

enum pinyin_mode { PINYIN_TEXT = 0, PINYIN_NAME = 1 /* first char read as surname */ };

/* Writes the initials ("wgb" for 王贵宝) into out (NUL-terminated, truncated
 * to cap). Returns the length written. */
size_t pinyin_initials(const char *utf8, enum pinyin_mode mode, char *out, size_t cap);
/* Writes the toneless full reading ("wangguibao") into out. Returns length. */
size_t pinyin_full(const char *utf8, enum pinyin_mode mode, char *out, size_t cap);
/* Writes the reading with tone marks, in UTF-8, one space between syllables
 * and between a syllable and a neighbouring run of letters or digits
 * ("zhōng guó", "3 hào lóu"). Syllables are never cut: what does not fit in
 * cap is left out whole. Returns the length in bytes. */
size_t pinyin_toned(const char *utf8, enum pinyin_mode mode, char *out, size_t cap);
/* Toneless reading of one code point ("lv" for 绿), or NULL if it has none. */
const char *pinyin_of(unsigned cp);
/* The same reading with its tone mark, in UTF-8 ("lǜ"; the neutral tone has
 * none), or NULL if it has none. */
const char *pinyin_toned_of(unsigned cp);

#endif
