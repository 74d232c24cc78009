/*
 * case_rules.h — a case kind's state machine as a table of rules.
 * Thread-safety: read-only tables.
 */
#ifndef LINLI_CASE_RULES_H
#define LINLI_CASE_RULES_H

#include <stdbool.h>

enum case_who {
	WHO_HANDLER = 1,  /* role holder at the case's node, or worker access above */
	WHO_REPORTER = 2, /* the resident who reported it */
	WHO_ORG = 4,      /* an organisation it was handed to */
	WHO_ORG_LEAD = 8  /* the lead organisation of a joint handling */
};

struct case_rule {
	const char *action;
	const char *from; /* space-separated states the action applies in */
	const char *to;   /* resulting state; NULL: unchanged or decided by the action */
	unsigned who;
};

const struct case_rule *case_rule_find(const char *kind, const char *action);
bool case_rule_allows(const struct case_rule *r, const char *status);

#endif
