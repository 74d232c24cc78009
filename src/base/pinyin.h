/*
 * pinyin.h — Mandarin readings of Chinese text, for search by pinyin.
 *
 * The table is generated at build time from Unihan kMandarin
 * (build/gen/pinyin_table.c). Surnames with their own readings
 * (单 shan, 曾 zeng, 解 xie, 仇 qiu, 区 ou, ...) are honoured for the first
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
/* Toneless reading of one code point, or NULL if it has none. */
const char *pinyin_of(unsigned cp);

#endif
