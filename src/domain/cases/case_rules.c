/*
 * case_rules.c — the residents' request kind as data: which action may
 * move a case from which states to which, and who may take it.
 *
 * open states: new, accepted, waiting, referred. Rating: 满意/基本满意
 * close the case; the first 不满意 reopens it at the same level, a second
 * one escalates it (case_actions.c reads this table).
 */
#include <string.h>

#include "domain/cases/case_rules.h"

static const struct case_rule request_rules[] = {
    {"accept", "new waiting", "accepted", WHO_HANDLER},
    {"note", "new accepted waiting referred resolved", NULL, WHO_HANDLER | WHO_ORG},
    {"ask", "new accepted referred", "waiting", WHO_HANDLER},
    {"reply", "waiting", "accepted", WHO_REPORTER},
    {"handover", "new accepted waiting", "referred", WHO_HANDLER},
    {"org_done", "referred", NULL, WHO_HANDLER | WHO_ORG},
    {"resolve", "new accepted waiting referred", "resolved", WHO_HANDLER | WHO_ORG_LEAD},
    {"escalate", "new accepted waiting referred", "new", WHO_HANDLER},
    {"close", "new accepted waiting referred resolved", "closed", WHO_HANDLER},
    {"merge", "new accepted waiting referred", "closed", WHO_HANDLER},
    {"rate", "resolved", NULL, WHO_REPORTER},
    {"publish", "new accepted waiting referred resolved closed", NULL, WHO_HANDLER},
    {NULL, NULL, NULL, 0}};

const struct case_rule *case_rule_find(const char *kind, const char *action)
{
	if (!kind || strcmp(kind, "request"))
		return NULL;
	for (const struct case_rule *r = request_rules; r->action; r++)
		if (!strcmp(r->action, action))
			return r;
	return NULL;
}

bool case_rule_allows(const struct case_rule *r, const char *status)
{
	size_t n = status ? strlen(status) : 0;
	if (n == 0)
		return false;
	for (const char *p = r->from; (p = strstr(p, status)) != NULL; p += n)
		if ((p == r->from || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
			return true;
	return false;
}
