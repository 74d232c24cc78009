/* utf8.c — strict UTF-8 validation (RFC 3629), code point iteration and encoding. */
#include "base/utf8.h"

size_t utf8_valid_prefix(const char *str, size_t n)
{
	const unsigned char *start = (const unsigned char *)str, *s = start, *end = s + n;
	while (s < end) {
		unsigned c = *s;
		if (c < 0x80) {
			s++;
			continue;
		}
		size_t need;
		unsigned cp, min;
		if ((c & 0xE0) == 0xC0) {
			need = 1, cp = c & 0x1F, min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			need = 2, cp = c & 0x0F, min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			need = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return (size_t)(s - start);
		}
		if ((size_t)(end - s) <= need)
			return (size_t)(s - start);
		for (size_t i = 1; i <= need; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return (size_t)(s - start);
			cp = (cp << 6) | (s[i] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return (size_t)(s - start);
		s += need + 1;
	}
	return n;
}

bool utf8_valid(const char *s, size_t n)
{
	return utf8_valid_prefix(s, n) == n;
}

size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

unsigned utf8_next(const char **pp)
{
	const unsigned char *s = (const unsigned char *)*pp;
	unsigned c = s[0];
	if (c < 0x80) {
		*pp += 1;
		return c;
	}
	int need = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
	if (need < 0) {
		*pp += 1;
		return 0xFFFD;
	}
	unsigned cp = c & (0x3F >> need);
	for (int i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*pp += i;
			return 0xFFFD;
		}
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	*pp += need + 1;
	static const unsigned min[] = {0, 0x80, 0x800, 0x10000};
	/* overlong forms, surrogates and values beyond Unicode are not text */
	if (cp < min[need] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0xFFFD;
	return cp;
}

size_t utf8_put(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}
