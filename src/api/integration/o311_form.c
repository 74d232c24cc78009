/* o311_form.c — parsing a form-encoded Open311 body (o311_form.h). */
#include "api/integration/o311_form.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Decodes one application/x-www-form-urlencoded component in place. */
static char *form_decode(char *s)
{
	char *w = s;
	for (char *p = s; *p; p++) {
		if (*p == '+')
			*w++ = ' ';
		else if (*p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
			char hex[3] = {p[1], p[2], 0};
			*w++ = (char)strtol(hex, NULL, 16);
			p += 2;
		} else
			*w++ = *p;
	}
	*w = 0;
	return s;
}

json_t *o311_form_parse(struct arena *a, const char *body, size_t len)
{
	json_t *p = json_object();
	char *copy = arena_strndup(a, body ? body : "", body ? len : 0), *save = NULL;
	for (char *kv = strtok_r(copy, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq)
			continue;
		*eq = 0;
		json_object_set_new(p, form_decode(kv), json_string(form_decode(eq + 1)));
	}
	return p;
}
