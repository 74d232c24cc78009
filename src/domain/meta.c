/*
 * meta.c — the list of entities with field tables, for clients and the
 * OpenAPI document. A case kind's side entity comes with the kind's
 * registration (kinds.c); the rest are here, one line each.
 */
#include "domain/meta.h"

#include <string.h>

#include "domain/cases/cases.h"
#include "domain/integration/webhooks.h"

static const struct entity *const fixed[] = {&ENT_NODE,       &ENT_NODE_KIND, &ENT_HOUSEHOLD, &ENT_PERSON,
					     &ENT_ROLE,       &ENT_ORG,       &ENT_ORG_KIND,  &ENT_ORG_MEMBER_ROLE,
					     &ENT_ORG_MEMBER, &ENT_USER,      &ENT_CASE,      &ENT_CATEGORY,
					     &ENT_WEBHOOK};
#define NFIXED ((int)(sizeof fixed / sizeof fixed[0]))

const struct entity *meta_entity_at(int i)
{
	if (i < 0)
		return NULL;
	if (i < NFIXED)
		return fixed[i];
	for (int k = 0, n = NFIXED; case_kinds[k]; k++)
		if (case_kinds[k]->side && n++ == i)
			return case_kinds[k]->side;
	return NULL;
}

const struct entity *meta_entity(const char *name)
{
	const struct entity *e;
	for (int i = 0; name && (e = meta_entity_at(i)); i++)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

json_t *meta_fields_describe(void)
{
	json_t *ents = json_object();
	const struct entity *e;
	for (int i = 0; (e = meta_entity_at(i)); i++) {
		json_t *o = json_pack("{s:s, s:o}", "table", e->table, "fields", fields_describe(e->f, e->n));
		if (e->nextra) /* input kept outside the table (a kind's role list) */
			json_object_set_new(o, "input", fields_describe(e->extra, e->nextra));
		json_object_set_new(ents, e->name, o);
	}
	return json_pack("{s:o, s:o}", "entities", ents, "case_kinds", case_kinds_describe());
}
