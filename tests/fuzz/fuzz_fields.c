/*
 * fuzz_fields.c — a JSON request body as the API takes it (UTF-8 check,
 * jansson with duplicate keys refused, an object) through the field-table
 * validation: every entity's table (domain/meta.h), on create and update,
 * and every case kind's action inputs. The first byte picks the table.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/utf8.h"
#include "domain/cases/case_kind.h"
#include "domain/core/fields.h"
#include "domain/meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The tables: entities first, then (kind, action) inputs. */
static int ntables(void)
{
	int n = 0;
	while (meta_entity_at(n))
		n++;
	for (int k = 0; case_kinds[k]; k++)
		for (const struct case_action *a = case_kinds[k]->actions; a->code; a++)
			n++;
	return n;
}

static void check(int pick, bool create, json_t *obj)
{
	struct err e = {0};
	int i = 0;
	for (; meta_entity_at(i); i++)
		if (i == pick) {
			fields_validate(meta_entity_at(i), obj, create, &e);
			return;
		}
	for (int k = 0; case_kinds[k]; k++)
		for (const struct case_action *a = case_kinds[k]->actions; a->code; a++, i++)
			if (i == pick) {
				fields_check(a->input, a->ninput, obj, &e);
				return;
			}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int n;
	if (!n)
		n = ntables();
	if (size < 1)
		return 0;
	int pick = (data[0] >> 1) % n;
	bool create = data[0] & 1;
	const char *body = (const char *)data + 1;
	size_t len = size - 1;
	if (!utf8_valid(body, len))
		return 0; /* the API answers 400 before parsing */
	json_error_t je;
	json_t *obj = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (json_is_object(obj))
		check(pick, create, obj);
	json_decref(obj);
	return 0;
}
