/*
 * json_out.h — a JSON value written as compact text, byte for byte what
 * jansson's json_dumps(v, JSON_COMPACT) writes (object members in
 * insertion order, UTF-8 kept, reals as jansson prints them), about ten
 * times faster: responses are written with it (jansson's dumper spends
 * about 80 instructions per byte on a list page).
 * Thread-safety: reentrant; the value must not change while it is written.
 */
#ifndef LINLI_JSON_OUT_H
#define LINLI_JSON_OUT_H

#include <jansson.h>
#include <stddef.h>

/* The text (malloc'd, NUL-terminated) and its length; NULL on a
 * non-finite real. Strings are written as jansson holds them: it checks
 * UTF-8 when a string or key is made (linli never uses its _nocheck
 * makers), so they are not checked again. */
char *json_out(const json_t *v, size_t *len);

#endif
