/*
 * roles.h — civic roles held by people at nodes (网格长, 邻长, 调解员 …),
 * with terms (roles.c), and the organisations attached to nodes (物业,
 * 共建单位, 调解室 … ; orgs.c), whose kinds are data (org_kinds.h) and
 * whose members are in org_members.h.
 * Appointing and shaping organisations need manager access at the node;
 * reading needs viewer access, except the published contact list (公示),
 * which is public and shows only role, name, term and the published phone.
 * Organisation records: ENT_ORG's fields plus node_name, kind_name and
 * kind_name_en; orgs_get adds member_fields, the form of a new member
 * (org_members_form), and can_manage, whether the actor may add and end
 * members.
 */
#ifndef LINLI_ROLES_H
#define LINLI_ROLES_H

#include <jansson.h>

#include "domain/core/ctx.h"

int roles_types(const struct ctx *c, json_t **out, struct err *e);
int roles_create(const struct ctx *c, json_t *in, json_t **out, struct err *e);
int roles_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e);
/* Roles in the subtree of node (current only unless all), filtered by role code. */
int roles_list(const struct ctx *c, int64_t node, const char *role, bool all, const char *cursor, int limit,
	       json_t **out, const char **next, struct err *e);
int roles_contacts(const struct ctx *c, int64_t node, json_t **out, struct err *e);

int orgs_create(const struct ctx *c, json_t *in, json_t **out, struct err *e);
int orgs_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e);
int orgs_get(const struct ctx *c, int64_t id, json_t **out, struct err *e);
int orgs_list(const struct ctx *c, int64_t node, const char *kind, const char *cursor, int limit, json_t **out,
	      const char **next, struct err *e);

#endif
