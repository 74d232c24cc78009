/*
 * json_out.c — compact JSON text as jansson writes it (json_out.h).
 */
#include "base/json_out.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"

/* One byte, without a call when there is room. */
static inline void put1(struct buf *b, char ch)
{
	if (b->len + 1 < b->cap)
		b->data[b->len++] = ch;
	else
		buf_append(b, &ch, 1);
}

/* Bytes that need an escape: the quote, the backslash and controls. */
static const unsigned char needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

static void put_string(struct buf *b, const char *s, size_t n)
{
	put1(b, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (!needs_escape[ch])
			continue;
		buf_append(b, s + run, i - run);
		run = i + 1;
		char esc[8];
		switch (ch) {
		case '"':
			buf_append(b, "\\\"", 2);
			break;
		case '\\':
			buf_append(b, "\\\\", 2);
			break;
		case '\b':
			buf_append(b, "\\b", 2);
			break;
		case '\f':
			buf_append(b, "\\f", 2);
			break;
		case '\n':
			buf_append(b, "\\n", 2);
			break;
		case '\r':
			buf_append(b, "\\r", 2);
			break;
		case '\t':
			buf_append(b, "\\t", 2);
			break;
		default:
			snprintf(esc, sizeof esc, "\\u%04X", ch);
			buf_append(b, esc, 6);
		}
	}
	buf_append(b, s + run, n - run);
	put1(b, '"');
}

/* jansson's jsonp_dtostr: %.17g, ".0" when it reads as an integer, and no
 * '+' or leading zeros in the exponent. */
static void put_real(struct buf *b, double v)
{
	char s[64];
	int n = snprintf(s, sizeof s, "%.17g", v);
	if (n < 0 || n >= (int)sizeof s - 3)
		return;
	if (strspn(s, "0123456789-") == (size_t)n) {
		memcpy(s + n, ".0", 3);
		n += 2;
	}
	char *e = strchr(s, 'e');
	if (e) {
		char *start = e + 1, *end = start + 1;
		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start) {
			memmove(start, end, (size_t)(n - (end - s)) + 1);
			n -= (int)(end - start);
		}
	}
	buf_append(b, s, (size_t)n);
}

static bool put(struct buf *b, const json_t *v, int depth)
{
	if (depth > 2048)
		return false;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		buf_append(b, "{", 1);
		const char *key;
		json_t *m;
		bool first = true;
		json_object_foreach ((json_t *)v, key, m) {
			if (!first)
				put1(b, ',');
			first = false;
			put_string(b, key, strlen(key));
			put1(b, ':');
			if (!put(b, m, depth + 1))
				return false;
		}
		buf_append(b, "}", 1);
		return true;
	}
	case JSON_ARRAY: {
		buf_append(b, "[", 1);
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				put1(b, ',');
			if (!put(b, json_array_get(v, i), depth + 1))
				return false;
		}
		buf_append(b, "]", 1);
		return true;
	}
	case JSON_STRING: {
		put_string(b, json_string_value(v), json_string_length(v));
		return true;
	}
	case JSON_INTEGER: {
		char s[32];
		int n = snprintf(s, sizeof s, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		buf_append(b, s, (size_t)n);
		return true;
	}
	case JSON_REAL: {
		double d = json_real_value(v);
		if (!isfinite(d))
			return false;
		put_real(b, d);
		return true;
	}
	case JSON_TRUE:
		buf_append(b, "true", 4);
		return true;
	case JSON_FALSE:
		buf_append(b, "false", 5);
		return true;
	case JSON_NULL:
		buf_append(b, "null", 4);
		return true;
	}
	return false;
}

char *json_out(const json_t *v, size_t *len)
{
	struct buf b = {0};
	buf_append(&b, "", 0);
	if (!v || !put(&b, v, 0)) {
		buf_free(&b);
		return NULL;
	}
	buf_cstr(&b);
	*len = b.len;
	return b.data;
}
