/*
 * cases.h — the case engine: matters that move through the tree.
 *
 * A case sits at one node; the people who hold a role there, and the staff
 * above it (worker access or more), handle it. Every change is an event on
 * its timeline; nothing is deleted, only closed with a reason. Kinds
 * (residents' requests now; disputes and council topics later) bring their
 * categories, states and actions as data (case_kind.h). The clocks
 * (case_tick) escalate cases whose time limit passed and flag overdue ones.
 * Reporters follow and rate their own cases; organisations see the cases
 * handed to them.
 */
#ifndef LINLI_CASES_H
#define LINLI_CASES_H

#include <jansson.h>

#include "domain/cases/case_kind.h"
#include "domain/core/ctx.h"

/* What every kind of case has (the `cases` table); a kind's own fields are
 * its side entity (case_kind.side). */
extern const struct entity ENT_CASE;
/* A kind's categories, named by their code. */
extern const struct entity ENT_CATEGORY;

struct case_filter {
	const struct case_kind *kind; /* cases of this kind only */
	int64_t node_id;              /* subtree (0 = the caller's home) */
	const char *q;                /* full text, simplified and traditional alike */
	const char *category, *status;
	json_t *side;          /* kind's own fields to match: key -> value (case_kind_filters) */
	const char *from, *to; /* created_at range, dates YYYY-MM-DD inclusive */
	const char *due;       /* "overdue" or "soon" (within 24 h) */
	bool mine;             /* cases the caller reported */
	bool org;              /* cases handed to the caller's organisation */
	int64_t after_id;      /* keyset: cases with smaller ids (newest first) */
	int limit;
	int64_t resume; /* out: a short page's cursor, where its window ended (0: the list ended) */
};

/* A new case: in holds the fields of ENT_CASE and of the kind's side
 * entity. Secret values the kind sets (a request's Open311 token) are in
 * *out this once. */
int case_create(const struct ctx *c, const struct case_kind *kind, json_t *in, json_t **out, struct err *e);
int case_get(const struct ctx *c, int64_t id, json_t **out, struct err *e);
int case_list(const struct ctx *c, struct case_filter *f, json_t **out, struct err *e);
/* Requests made public, as anyone may see them (no personal data). */
int case_list_public(const struct ctx *c, struct case_filter *f, json_t **out, struct err *e);
/* Applies one of the case's kind's actions with its input; the case as the
 * actor now sees it in *out. A case read (case_get) lists the actions the
 * actor may take now, with their input fields. */
int case_act(const struct ctx *c, int64_t id, const char *action, json_t *in, json_t **out, struct err *e);
/* Runs the clocks at time now: escalations, overdue flags, closing of
 * results left unrated. *report counts what happened. */
int case_tick(const struct ctx *c, int64_t now, json_t **report, struct err *e);

/* Organisations that serve the case's place (attached on its line of the
 * tree), for handing it over; handlers only. */
int case_orgs_available(const struct ctx *c, int64_t id, json_t **out, struct err *e);

/* After a part of the tree moved (tree_move, in its transaction, once the
 * cases' paths were rewritten): the cases under new_path leave the lists
 * of the nodes on old_parent_path and join those above new_path. */
int case_scope_moved(const struct ctx *c, const char *old_parent_path, const char *new_path, struct err *e);
/* linli check: case_scope against a recomputation from the cases and the
 * tree; appends each problem to report, returns how many (-1 on error). */
int case_scope_verify(const struct ctx *c, char *report, size_t cap, struct err *e);

int case_categories(const struct ctx *c, const struct case_kind *kind, json_t **out, struct err *e);
int case_category_put(const struct ctx *c, const struct case_kind *kind, json_t *in, json_t **out, struct err *e);

int notifications_list(const struct ctx *c, bool unread, int64_t before_id, int limit, json_t **out, struct err *e);
int notifications_read(const struct ctx *c, int64_t id, struct err *e);

/* Where a new case lands: the lowest node at or above place whose level is
 * at most `level` and that has a current role holder (the root if none). */
int case_route(const struct ctx *c, int64_t place, int level, int64_t *node, struct err *e);

#endif
