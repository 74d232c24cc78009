/* fuzz_form.c — an Open311 POST body in application/x-www-form-urlencoded
 * (api/integration/o311_form.h). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "api/integration/o311_form.h"
#include "base/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	json_t *p = o311_form_parse(&a, (const char *)data, size);
	const char *k;
	json_t *v;
	json_object_foreach (p, k, v) {
		const char *s = json_string_value(v);
		/* keys and values that got in are UTF-8 strings */
		if (!s || !utf8_valid(k, strlen(k)) || !utf8_valid(s, strlen(s)))
			__builtin_trap();
	}
	json_decref(p);
	arena_free(&a);
	return 0;
}
