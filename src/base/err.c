/* err.c — filling struct err and naming codes. */
#define LINLI_ERR_IMPL /* the real functions, not err.h's analyzer macros */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct err *e, int code, const char *field, const char *fmt, ...)
{
	if (!e)
		return code;
	e->code = code;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}

void err_clear(struct err *e)
{
	if (e)
		memset(e, 0, sizeof *e);
}

const char *err_name(int code)
{
	switch (code) {
	case ERR_OK:
		return "ok";
	case ERR_INVALID:
		return "invalid";
	case ERR_NOT_FOUND:
		return "not_found";
	case ERR_CONFLICT:
		return "conflict";
	case ERR_FORBIDDEN:
		return "forbidden";
	case ERR_UNAUTHORIZED:
		return "unauthorized";
	case ERR_TOO_LARGE:
		return "too_large";
	case ERR_RATE:
		return "rate_limited";
	case ERR_UNAVAILABLE:
		return "unavailable";
	case ERR_UNSUPPORTED:
		return "unsupported_media_type";
	case ERR_METHOD:
		return "method_not_allowed";
	case ERR_IO:
		return "io_error";
	default:
		return "internal";
	}
}

int err_recode(struct err *e, int code, const char *field)
{
	if (e) {
		e->code = code;
		snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	}
	return code;
}
