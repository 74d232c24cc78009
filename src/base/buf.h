/*
 * buf.h — a growable byte buffer (owned heap memory).
 *
 * The caller owns buf.data and releases it with buf_free().
 * Thread-safety: a buffer belongs to one thread at a time.
 */
#ifndef LINLI_BUF_H
#define LINLI_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len, cap;
};

void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns data NUL-terminated (len unchanged); never NULL. */
const char *buf_cstr(struct buf *b);

#endif
