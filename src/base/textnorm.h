/*
 * textnorm.h — what text may hold before it is stored, and its one form.
 *
 * Stored text is NFC (utf8proc), so two spellings of one character are one
 * string (an é typed as e + U+0301, a CJK compatibility ideograph U+F92C
 * for 郎). textnorm_scan finds the first code point a field may not hold:
 * C0 controls (a multi-line text keeps tab and line feed), DEL and the C1
 * controls U+0080..U+009F; in a name (a person's, an account's, a place's)
 * also the bidirectional controls and the invisible characters, which make
 * 王\u200b贵宝 look like 王贵宝 without being it.
 *
 * Ownership: returned strings are in the caller's arena.
 * Thread-safety: pure functions.
 */
#ifndef LINLI_TEXTNORM_H
#define LINLI_TEXTNORM_H

#include <stdbool.h>

#include "base/arena.h"

enum textnorm_bad {
	TN_OK = 0,
	TN_CONTROL,  /* C0 (but tab and line feed in multi-line text), DEL, C1 */
	TN_BIDI,     /* U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069 (names only) */
	TN_INVISIBLE /* U+00AD, U+180E, U+200B..U+200D, U+2060..U+2064, U+FEFF (names only) */
};

/* Rules for textnorm_scan. */
enum { TN_MULTILINE = 1, TN_NAME = 2 };

/* What the rules make of one code point (TN_OK: allowed). */
enum textnorm_bad textnorm_class(unsigned cp, unsigned rules);
/* The first forbidden code point of valid UTF-8 s under rules, its kind as
 * the result (TN_OK: none) and the code point in *cp (may be NULL). */
enum textnorm_bad textnorm_scan(const char *s, unsigned rules, unsigned *cp);
/* s (valid UTF-8) in NFC, with CR LF and a lone CR as LF when multiline;
 * s itself when already so, NULL when utf8proc refuses it. */
const char *textnorm_nfc(const char *s, bool multiline, struct arena *a);

#endif
