/*
 * pinyin_table.h — layout of the generated Mandarin reading table
 * (build/gen/pinyin_table.c, written by tools/gen_pinyin.sh from Unihan
 * kMandarin). Shared by the generator's output and pinyin.c.
 *
 * Each entry packs a code point and an index into pinyin_toned_syllables
 * into one 32-bit word, cp << PINYIN_SYL_BITS | syllable. Sorting the words
 * sorts by code point, so pinyin.c can binary-search the flat array, and the
 * table holds no pointers (no relocations, 4 bytes per character). A toned
 * syllable's toneless form is pinyin_syllables[pinyin_toned_plain[i]], so
 * both readings of a character come from one entry and never disagree.
 */
#ifndef LINLI_PINYIN_TABLE_H
#define LINLI_PINYIN_TABLE_H

#include <stdint.h>

/* 21 bits cover every code point up to U+10FFFF; 11 leave room for 2048
 * toned syllables (Unihan's first readings use about 1,500; Mandarin has
 * about 400 toneless ones). */
#define PINYIN_SYL_BITS 11u
#define PINYIN_SYL_MAX  ((1u << PINYIN_SYL_BITS) - 1u)
/* Longest toneless syllable is 6 letters ("zhuang"); plus NUL, rounded. */
#define PINYIN_SYL_LEN 8
/* Longest toned syllable is 7 bytes of UTF-8 ("zhuàng"); plus NUL. */
#define PINYIN_TONED_LEN 8

#define PINYIN_ENTRY_CP(e)  ((uint32_t)(e) >> PINYIN_SYL_BITS)
#define PINYIN_ENTRY_SYL(e) ((uint32_t)(e)&PINYIN_SYL_MAX)

/* Sorted ascending, one entry per code point that has a reading. */
extern const uint32_t pinyin_table[];
extern const unsigned pinyin_table_len;
/* Toneless ASCII syllables, "v" standing for ü ("lv", "nve"). */
extern const char pinyin_syllables[][PINYIN_SYL_LEN];
extern const unsigned pinyin_syllables_len;
/* Syllables as Unihan writes them, with tone marks in UTF-8 ("zhōng", "lǜ";
 * the neutral tone has none), and the index of each one's toneless form. */
extern const char pinyin_toned_syllables[][PINYIN_TONED_LEN];
extern const uint16_t pinyin_toned_plain[];
extern const unsigned pinyin_toned_syllables_len;

#endif
