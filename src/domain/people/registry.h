/*
 * registry.h — residents and households (人口与户籍台账).
 *
 * A household belongs to a place node; its members' node_path follows it.
 * Moving in and out keeps one residence_history row per stay. Personal data
 * (ID card, phone) is encrypted by fields.c; lists show masks; a reveal
 * needs officer access and is audited. Resident accounts see their own
 * household only.
 */
#ifndef LINLI_REGISTRY_H
#define LINLI_REGISTRY_H

#include <jansson.h>

#include "domain/core/ctx.h"

struct person_filter {
	int64_t node_id; /* subtree root; 0 = the actor's home */
	const char *q;   /* name, pinyin initials/full, ID card or phone */
	const char *tag;
	const char *residence, *status, *political_status, *gender;
	int64_t household_id;
	int64_t after_id;
	/* Sort by name in pinyin order (how Chinese lists are alphabetised)
	 * instead of by registration; the keyset is (name_pinyin, id). */
	bool by_name;
	const char *after_pinyin;
	int limit;
	bool reveal; /* unmasked personal data: officer access, caller audits */
};

int person_create(const struct ctx *c, json_t *in, json_t **out, struct err *e);
int person_get(const struct ctx *c, int64_t id, bool reveal, json_t **out, struct err *e);
int person_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e);
/* Moves a person into household_id (0 = out of the area), keeping history. */
int person_move(const struct ctx *c, int64_t id, int64_t household_id, const char *date, const char *reason,
		const char *status, json_t **out, struct err *e);
int person_list(const struct ctx *c, const struct person_filter *f, json_t **out, struct err *e);
int person_history(const struct ctx *c, int64_t id, json_t **out, struct err *e);

int household_create(const struct ctx *c, json_t *in, json_t **out, struct err *e);
int household_get(const struct ctx *c, int64_t id, bool reveal, json_t **out, struct err *e);
int household_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e);
int household_list(const struct ctx *c, int64_t node_id, const char *tenure, int64_t after_id, int limit, json_t **out,
		   struct err *e);
/* For each object in items whose member `key` is a person id, sets
 * "person": {id, name} and, when the actor may read that person, the
 * person's gender, age, status and phone, masked as the registry's own
 * rows are. Used by lists of other records that name people. */
int registry_people_brief(const struct ctx *c, json_t *items, const char *key, struct err *e);
/* Subtree path for a list, checking read access (0 = the actor's home). */
int registry_scope(const struct ctx *c, int64_t node_id, const char **path, struct err *e);

#endif
