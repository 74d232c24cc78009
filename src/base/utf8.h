/*
 * utf8.h — validating, measuring and encoding UTF-8 text.
 * Thread-safety: pure functions.
 */
#ifndef LINLI_UTF8_H
#define LINLI_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True if s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
bool utf8_valid(const char *s, size_t n);
/* Length of the longest well-formed prefix of s[0..n): the offset of the
 * first sequence that is not UTF-8, or n when utf8_valid(s, n). */
size_t utf8_valid_prefix(const char *s, size_t n);
/* Number of code points in a valid UTF-8 string. */
size_t utf8_len(const char *s);
/* Decodes one code point at *p and advances; returns 0xFFFD on bad input. */
unsigned utf8_next(const char **p);
/* Writes code point cp (at most U+10FFFF, not a surrogate) as 1 to 4 bytes
 * at out; returns how many. */
size_t utf8_put(char *out, unsigned cp);

#endif
