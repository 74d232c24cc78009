/*
 * arena.h — bump allocation for one request or one job.
 *
 * Everything allocated from an arena is freed together by arena_free().
 * Used for per-request scratch memory so handlers never track frees.
 * Thread-safety: an arena belongs to one thread at a time.
 */
#ifndef LINLI_ARENA_H
#define LINLI_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_chunk;
struct arena {
	struct arena_chunk *head;
};

void arena_init(struct arena *a);
void arena_free(struct arena *a);
/* Zeroed memory, aligned for any type; aborts on out-of-memory. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
