/*
 * o311_form.h — the application/x-www-form-urlencoded body of an Open311
 * POST (GeoReport v2 sends its parameters so), parsed into a JSON object.
 * Thread-safety: pure. Ownership: the object is the caller's.
 */
#ifndef LINLI_O311_FORM_H
#define LINLI_O311_FORM_H

#include <jansson.h>
#include <stddef.h>

#include "base/arena.h"

/* "k=v&k2=v2" → {"k": "v", "k2": "v2"} ('+' is a space, %XX a byte);
 * pairs without '=' and those whose key or value is not UTF-8 are left
 * out, a repeated key keeps its last value. a holds the working copy.
 * Returns a new object, never NULL (empty on an empty body). */
json_t *o311_form_parse(struct arena *a, const char *body, size_t len);

#endif
