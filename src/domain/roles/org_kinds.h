/*
 * org_kinds.h — organisation kinds (物业, 人民调解委员会, 调解室, 志愿服务队 …)
 * and the roles members hold in organisations (负责人, 调解员, 队长 …), kept
 * as data so that a deployment adds or renames them without a release.
 * Each kind lists the member roles it allows (org_kind_roles).
 *
 * Anyone logged in reads them; only administrators change them, as with
 * node kinds and request categories, and every change is audited in its
 * transaction. Nothing is deleted: a kind or role is deactivated
 * (active = false), after which no new organisation or membership may use
 * it while existing ones keep it.
 * Records: {id, code, name_zh, name_en, sort_order, active, created_at,
 * updated_at}; a kind also has "roles": [{code, name_zh, name_en, active}].
 */
#ifndef LINLI_ORG_KINDS_H
#define LINLI_ORG_KINDS_H

#include <jansson.h>

#include "domain/core/ctx.h"

/* Every kind, inactive ones included, in sort order, with its roles. */
int org_kinds_list(const struct ctx *c, json_t **out, struct err *e);
/* in: the fields of ENT_ORG_KIND plus "roles", a list of 1–20 member role
 * codes (required). 409 if the code exists. */
int org_kinds_create(const struct ctx *c, json_t *in, json_t **out, struct err *e);
/* Renames, reorders or (de)activates the kind with this code; "roles", if
 * given, replaces its list of allowed roles. */
int org_kinds_update(const struct ctx *c, const char *code, json_t *in, json_t **out, struct err *e);

/* Every member role, inactive ones included, in sort order. */
int org_kinds_roles_list(const struct ctx *c, json_t **out, struct err *e);
int org_kinds_role_create(const struct ctx *c, json_t *in, json_t **out, struct err *e);
int org_kinds_role_update(const struct ctx *c, const char *code, json_t *in, json_t **out, struct err *e);

/* The active member roles a kind allows, in order, described as enum
 * values for a form: [{code, label_zh, label_en}]. */
int org_kinds_allowed(const struct ctx *c, const char *kind, json_t **out, struct err *e);
/* 0 if kind allows role and role is active; else ERR_INVALID on "role". */
int org_kinds_check_role(const struct ctx *c, const char *kind, const char *role, struct err *e);

#endif
