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
	/* Sort by name in pinyin order (how Chinese lists are alphabetised)
	 * instead of by place (the 台账's order: building, unit, then
	 * registration); the keysets are (name_pinyin, id) and (node_path, id). */
	bool by_name;
	const char *cursor; /* the page after this cursor (NULL: the first) */
	const char *next;   /* out: the next page's cursor (NULL: the list ended) */
	int limit;
	bool reveal; /* unmasked personal data: officer access, caller audits */
	bool masked; /* as viewers see it whatever the reader's access (a masked export) */
};

int person_create(const struct ctx *c, json_t *in, json_t **out, struct err *e);
int person_get(const struct ctx *c, int64_t id, bool reveal, json_t **out, struct err *e);
int person_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e);
/* Moves a person into household_id (0 = out of the area), keeping history. */
int person_move(const struct ctx *c, int64_t id, int64_t household_id, const char *date, const char *reason,
		const char *status, json_t **out, struct err *e);
int person_list(const struct ctx *c, struct person_filter *f, json_t **out, struct err *e);
int person_history(const struct ctx *c, int64_t id, json_t **out, struct err *e);

int household_create(const struct ctx *c, json_t *in, json_t **out, struct err *e);
int household_get(const struct ctx *c, int64_t id, bool reveal, json_t **out, struct err *e);
int household_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e);
/* Households of a subtree in place order; *next is the next page's cursor
 * (NULL: the list ended). */
int household_list(const struct ctx *c, int64_t node_id, const char *tenure, const char *cursor, int limit,
		   json_t **out, const char **next, struct err *e);
/* For each object in items whose member `key` is a person id, sets
 * "person": {id, name} and, when the actor may read that person, the
 * person's gender, age, status and phone, masked as the registry's own
 * rows are. Used by lists of other records that name people. */
int registry_people_brief(const struct ctx *c, json_t *items, const char *key, struct err *e);
/* Subtree path for a list, checking read access (0 = the actor's home). */
int registry_scope(const struct ctx *c, int64_t node_id, const char **path, struct err *e);

/*
 * Bulk registration, for generators and importers (linli demo, import):
 * a household or person is validated against its field table and inserted
 * with the access checks of household_create and person_create, but
 * without reading it back and without an audit row of its own. It must run
 * inside a bulk job's transaction (core/bulk.h; ERR_INTERNAL otherwise),
 * so that a failed job leaves nothing; the batch counts what it inserted,
 * and registry_batch_audit records one audit row for the lot.
 */
struct registry_batch {
	int64_t households, people;
	int64_t id_conflicts; /* people refused as an ID number already registered: lookups (core/lookup.h) */
};
int registry_batch_household(const struct ctx *c, struct registry_batch *b, json_t *in, int64_t *id, struct err *e);
/* in names its household_id; an ID card already registered is ERR_CONFLICT
 * (field id_card), and nothing is written. */
int registry_batch_person(const struct ctx *c, struct registry_batch *b, json_t *in, int64_t *id, struct err *e);
/* The job's audit row: action on node node_id, with summary (may be NULL)
 * plus the batch's counts ("people", "households") as its after-picture. */
int registry_batch_audit(const struct ctx *c, const struct registry_batch *b, const char *action, int64_t node_id,
			 json_t *summary, struct err *e);

/* One resident of each place, for generators: the places of the given
 * kinds (a NULL-terminated list) in the subtree of node (0 = the actor's
 * home; read access needed), in id order, each with the first person
 * registered there (0 if none). *out is in the ctx arena. */
struct place_resident {
	int64_t node_id, person_id;
};
int registry_place_residents(const struct ctx *c, int64_t node, const char *const *kinds, struct place_resident **out,
			     size_t *n, struct err *e);

#endif
