/*
 * requests.h — residents' requests (民情诉求), the case engine's first
 * kind: reported from the phone page or recorded on a resident's behalf,
 * handled at the lowest level that can, escalated when not, and closed by
 * the resident's rating (满意/基本满意 close; the first 不满意 reopens it at
 * the same level, a second one escalates it).
 * Thread-safety: the descriptions are read-only.
 */
#ifndef LINLI_REQUESTS_H
#define LINLI_REQUESTS_H

#include "domain/cases/case_kind.h"

extern const struct case_kind REQUEST_KIND;
/* The request's own fields, in the side table `requests` (channel, rating,
 * Open311 token). */
extern const struct entity ENT_REQUEST;
/* The resident's verdict: 满意, 基本满意, 不满意. */
extern const struct enum_val REQUEST_RATINGS[];

/* The kind's create check (case_kind.create_check): the channel's default
 * and the residents' channels; the Open311 token. */
int request_create_check(const struct ctx *c, json_t *side, json_t *internal, const struct case_draft *d,
			 struct err *e);
/* The request an Open311 token stands for (ERR_NOT_FOUND if none). */
int request_find_by_token(const struct ctx *c, const char *token, int64_t *id, struct err *e);

#endif
