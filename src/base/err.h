/*
 * err.h — the one error vocabulary of linli.
 *
 * Every fallible function returns an int status: 0 on success or a negative
 * ERR_* code. Details go into a caller-provided struct err (may be NULL).
 * The HTTP layer maps codes to statuses in one place (api/common.c).
 * Thread-safety: pure; struct err belongs to the caller.
 */
#ifndef LINLI_ERR_H
#define LINLI_ERR_H

#include <stddef.h>

enum err_code {
	ERR_OK = 0,
	ERR_INVALID = -1,      /* bad input: 400 / 422 */
	ERR_NOT_FOUND = -2,    /* 404 */
	ERR_CONFLICT = -3,     /* 409: unique violation, stale state */
	ERR_FORBIDDEN = -4,    /* 403 */
	ERR_UNAUTHORIZED = -5, /* 401 */
	ERR_TOO_LARGE = -6,    /* 413 */
	ERR_RATE = -7,         /* 429 */
	ERR_INTERNAL = -8,     /* 500 */
	ERR_UNAVAILABLE = -9,  /* 503: database busy or down */
	ERR_UNSUPPORTED = -10, /* 415: wrong media type */
	ERR_METHOD = -11,      /* 405 */
	ERR_IO = -12           /* file system */
};

struct err {
	int code;
	char msg[256];
	char field[64];
};

/* Sets e (if non-NULL) and returns code, so callers can `return err_set(...)`. */
int err_set(struct err *e, int code, const char *field, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void err_clear(struct err *e);
/* Keeps e's message and gives it another code and field (a lower layer's
 * error about the caller's input), returning code. */
int err_recode(struct err *e, int code, const char *field);
/* Short machine name of a code: "invalid", "not_found", ... */
const char *err_name(int code);

/* The static analyzer (clang-tidy) sees one file at a time and so not that
 * err_set and err_recode return their code; spelled out here for it alone,
 * or every `return err_set(...)` path looks like a success to it. */
#if defined(__clang_analyzer__) && !defined(LINLI_ERR_IMPL)
#define err_set(e, code, ...)      (err_set((e), (code), __VA_ARGS__), (code))
#define err_recode(e, code, field) (err_recode((e), (code), (field)), (code))
#endif

#endif
