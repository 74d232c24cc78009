/*
 * org_members.h — the people who make up an organisation: the mediators of
 * a 调解室 or of the people's mediation committee, a volunteer team's leader
 * and members, an owners' committee's members, a company's liaison.
 *
 * A membership is a term held by a registered person (optionally with an
 * account) in a role the organisation's kind allows (org_kinds.h). Ending
 * it sets end_date, the day from which the person no longer serves;
 * nothing is deleted. A member is current from start_date until the day
 * before end_date.
 *
 * Access follows the organisation's node, as for organisations: reading
 * needs viewer access there, adding and ending need manager access, and
 * the person added must be someone the actor may see. Every write is
 * audited in its transaction ("org_member"). Listings show each member's
 * person as the registry shows people in other lists
 * (registry_people_brief: the name, and masked details to those who may
 * read them).
 * Member records: the fields of ENT_ORG_MEMBER plus role_name,
 * role_name_en, current and person; a person's memberships add org_name,
 * org_kind, kind_name, kind_name_en, node_id and node_name.
 */
#ifndef LINLI_ORG_MEMBERS_H
#define LINLI_ORG_MEMBERS_H

#include <jansson.h>

#include "domain/core/ctx.h"

/* in: person_id, role, and optionally user_id, start_date (default today),
 * end_date, note. 409 if the organisation is retired or the person already
 * holds that role there. */
int org_members_add(const struct ctx *c, int64_t org, json_t *in, json_t **out, struct err *e);
/* Ends membership `member` of `org`. in: end_date (default today; not
 * before the start), note (replaces the note). 409 if it has ended. */
int org_members_end(const struct ctx *c, int64_t org, int64_t member, json_t *in, json_t **out, struct err *e);
/* Members of org by id (current only unless all), keyset after id. */
int org_members_list(const struct ctx *c, int64_t org, bool all, int64_t after, int limit, json_t **out, struct err *e);
/* The memberships of a person (current only unless all); needs read access
 * to the person as the registry grants it. */
int org_members_of_person(const struct ctx *c, int64_t person, bool all, json_t **out, struct err *e);
/* The form of a new member of an organisation of this kind: ENT_ORG_MEMBER's
 * writable fields described, with the role values this kind allows. */
int org_members_form(const struct ctx *c, const char *kind, json_t **out, struct err *e);

/* The nearest organisation at or above node (the node itself first, then
 * its ancestors, deepest first) whose kind is one of kinds (NULL-
 * terminated, at least one), that is not retired and has a current member
 * (in role, unless role is NULL). *org = 0 when there is none. For the
 * case engine (a dispute lands at the nearest mediation room or committee
 * above its place): no access check, like case routing. */
int org_members_nearest(const struct ctx *c, int64_t node, const char *const *kinds, const char *role, int64_t *org,
			struct err *e);
/* The same for a reader: needs viewer access at node; *out is the
 * organisation's record (ERR_NOT_FOUND when there is none). */
int org_members_nearest_get(const struct ctx *c, int64_t node, const char *const *kinds, const char *role, json_t **out,
			    struct err *e);

#endif
