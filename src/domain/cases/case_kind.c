/*
 * case_kind.c — finding kinds, their states and actions by code.
 */
#include "domain/cases/case_kind.h"

#include <string.h>

static const char *const phase_names[] = {"open", "waiting", "resolved", "closed"};

const char *case_phase_name(enum case_phase p)
{
	return p >= CASE_OPEN && p <= CASE_CLOSED ? phase_names[p] : "open";
}

const struct case_kind *case_kind_find(const char *code)
{
	for (int i = 0; code && case_kinds[i]; i++)
		if (!strcmp(case_kinds[i]->code, code))
			return case_kinds[i];
	return NULL;
}

const struct case_kind *case_kind_by_path(const char *path)
{
	for (int i = 0; path && case_kinds[i]; i++)
		if (!strcmp(case_kinds[i]->path, path))
			return case_kinds[i];
	return NULL;
}

const struct case_state *case_kind_state(const struct case_kind *k, const char *code)
{
	for (const struct case_state *s = k ? k->states : NULL; code && s && s->code; s++)
		if (!strcmp(s->code, code))
			return s;
	return NULL;
}

const struct case_action *case_kind_action(const struct case_kind *k, const char *code)
{
	for (const struct case_action *a = k ? k->actions : NULL; code && a && a->code; a++)
		if (!strcmp(a->code, code))
			return a;
	return NULL;
}

const char *case_kind_first(const struct case_kind *k, enum case_phase p)
{
	for (const struct case_state *s = k->states; s->code; s++)
		if (s->phase == p)
			return s->code;
	return NULL;
}

bool case_action_allows(const struct case_action *a, const char *state)
{
	size_t n = state ? strlen(state) : 0;
	if (n == 0)
		return false;
	for (const char *p = a->from; (p = strstr(p, state)) != NULL; p += n)
		if ((p == a->from || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
			return true;
	return false;
}

const struct field *case_kind_filter(const struct case_kind *k, const char *key)
{
	const struct field *f = k && k->side && key ? fields_find(k->side, key) : NULL;
	return f && f->type == FT_ENUM && !(f->flags & FF_SECRET) ? f : NULL;
}

json_t *case_kinds_describe(void)
{
	json_t *arr = json_array();
	for (int i = 0; case_kinds[i]; i++) {
		const struct case_kind *k = case_kinds[i];
		json_t *states = json_array(), *actions = json_array();
		for (const struct case_state *s = k->states; s->code; s++)
			json_array_append_new(states,
					      json_pack("{s:s, s:s, s:s, s:s}", "code", s->code, "name_zh", s->zh,
							"name_en", s->en, "phase", case_phase_name(s->phase)));
		for (const struct case_action *a = k->actions; a->code; a++)
			json_array_append_new(actions, json_pack("{s:s, s:s, s:s, s:o}", "code", a->code, "name_zh",
								 a->zh, "name_en", a->en, "input",
								 fields_describe(a->input, a->ninput)));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "code", k->code, "path",
						     k->path, "name_zh", k->zh, "name_en", k->en, "states", states,
						     "actions", actions, "fields",
						     k->side ? fields_describe(k->side->f, k->side->n) : json_array()));
	}
	return arr;
}
