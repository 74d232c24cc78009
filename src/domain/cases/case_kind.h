/*
 * case_kind.h — a kind of case described as data, and the kinds there are.
 *
 * The engine (cases/) never names a kind. A kind (residents' requests in
 * requests/; disputes and council topics later) is one `struct case_kind`:
 * its states, each with a phase the engine's clocks, lists and statistics
 * use; its actions, each with its input fields (a field table), who may
 * take it, the states it applies in and an effect; who may read its cases;
 * where a new case lands; its clocks; the labels of its own events; its
 * side table of kind-specific fields; who hears of its events. Kinds are registered in
 * src/domain/kinds.c, one line each.
 * Thread-safety: the descriptions are read-only.
 */
#ifndef LINLI_CASE_KIND_H
#define LINLI_CASE_KIND_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/core/ctx.h"
#include "domain/core/fields.h"

/* Where a state stands, whatever the kind calls it. Open cases run their
 * clocks; waiting ones are paused (for the resident, the parties …);
 * resolved ones await the reporter's verdict; closed ones are done. */
enum case_phase { CASE_OPEN, CASE_WAITING, CASE_RESOLVED, CASE_CLOSED };

/* "open", "waiting", "resolved", "closed": the values of cases.phase. */
const char *case_phase_name(enum case_phase p);

struct case_state {
	const char *code, *zh, *en;
	enum case_phase phase;
	bool respond_clock; /* the response limit is watched in this state */
};

/* Who the actor is for a case, as bits; an action names who may take it. */
enum case_who {
	WHO_HANDLER = 1,  /* role holder at the case's node, or worker access above */
	WHO_REPORTER = 2, /* the resident who reported it */
	WHO_ORG = 4,      /* an organisation it was handed to */
	WHO_ORG_LEAD = 8  /* the lead organisation of a joint handling */
};

struct case_core;
struct case_kind;

/* What the engine knows of a case being created when the kind checks its
 * own input. */
struct case_draft {
	bool resident;    /* reported by the resident themself */
	bool place_given; /* the reporter named the place (else: their home) */
	int64_t place;    /* the node it concerns */
};
struct case_action;

/* What an effect works on: the case as loaded, the action and its input
 * (already checked against the action's field table), inside the
 * transaction that will also hold the event and the audit row. */
struct case_step {
	const struct ctx *c;
	const struct case_kind *kind;
	const struct case_action *act;
	struct case_core *k;
	json_t *in;
	unsigned who; /* the actor's case_who bits */
	const char *now;
};

typedef int (*case_effect)(struct case_step *s, struct err *e);

enum {
	ACT_PRIMARY = 1, /* the usual next step: shown first */
	ACT_CONFIRM = 2, /* asks the user to confirm before it is taken */
	ACT_DIRECT = 4   /* taken at once with the input the server suggests (no form) */
};

struct case_action {
	const char *code, *zh, *en;
	const char *from;          /* space-separated states it applies in */
	const char *to;            /* the state it leads to; NULL: unchanged or decided by the effect */
	const struct field *input; /* its input fields */
	case_effect effect;
	const char *confirm_zh, *confirm_en;
	/* Input the server suggests for this case (e.g. publish: the opposite of
	 * now), and a label that depends on the case; both may be NULL. */
	json_t *(*suggest)(const struct case_core *k);
	const char *(*label)(const struct case_core *k);
	/* Whether it can be taken now beyond state and who (e.g. an
	 * organisation's part is still open); NULL: always. */
	bool (*when)(const struct ctx *c, const struct case_core *k, unsigned who);
	unsigned who;   /* case_who bits that may take it */
	int ninput;     /* entries in input */
	unsigned flags; /* ACT_* */
};

struct case_label {
	const char *type, *label; /* event type, "中文 / English" */
};

/* Someone a kind tells of an event in the app, and what they read. */
struct case_recipient {
	int64_t user_id;
	const char *text; /* NULL: "<the kind>“<title>”：<the event's label>" */
};

enum {
	READ_PUBLISHED = 1 /* a case made public is readable by anyone logged in */
};

struct case_kind {
	const char *code; /* cases.kind, categories.kind */
	const char *path; /* its resource under /api/v1/ ("requests") */
	const char *zh, *en;
	const struct case_state *states;   /* {0}-terminated; states[0] is where a case starts */
	const struct case_action *actions; /* {0}-terminated */
	unsigned read;                     /* READ_* */
	int rate_days;                     /* a resolved case left unrated this long is closed (0: never) */
	const struct case_label *events;   /* labels of the kind's own events, {0}-terminated */
	const struct entity *side;         /* the kind's own fields, in their side table (case_id = cases.id) */
	/* Where a new case lands, and where it goes when escalated; NULL: the
	 * engine's rule (the lowest node at or above the place, within the
	 * category's level, that has a current role holder; escalation to the
	 * nearest such ancestor). */
	int (*land_at)(const struct ctx *c, int64_t place, int level, int64_t *node, struct err *e);
	int (*escalate_to)(const struct ctx *c, int64_t node, int64_t *target, struct err *e);
	/* Checks the kind's own create input (`side`: the keys of the side
	 * entity, already validated against it) and completes it for this new
	 * case: defaults into side, values only the system sets (written as
	 * they are) into internal. A value of a FF_SECRET field put in internal
	 * is given back once, in the create answer. NULL: nothing to check. */
	int (*create_check)(const struct ctx *c, json_t *side, json_t *internal, const struct case_draft *d,
			    struct err *e);
	/* Who hears of an event in the app (webhooks hear of every public
	 * event whatever the kind says): up to max recipients written to `to`,
	 * their number returned, or -1 with e set. public: the event is on
	 * the case's public timeline. The engine drops the actor and repeats.
	 * NULL: the reporter hears of every public step (a dispute will name
	 * its parties and mediator instead). */
	int (*notify)(const struct ctx *c, const struct case_core *k, const char *type, bool public,
		      struct case_recipient *to, int max, struct err *e);
};

/* Every registered kind, NULL-terminated (src/domain/kinds.c). */
extern const struct case_kind *const case_kinds[];

const struct case_kind *case_kind_find(const char *code);
const struct case_kind *case_kind_by_path(const char *path);
const struct case_state *case_kind_state(const struct case_kind *k, const char *code);
const struct case_action *case_kind_action(const struct case_kind *k, const char *code);
/* The first state of a phase (e.g. where a closed case goes). */
const char *case_kind_first(const struct case_kind *k, enum case_phase p);
bool case_action_allows(const struct case_action *a, const char *state);
/* The kind's own field a list may be filtered by (an enum of its side
 * entity), or NULL. */
const struct field *case_kind_filter(const struct case_kind *k, const char *key);
/* The kinds with their states and phases, their actions and their own
 * fields, as JSON (for clients). */
json_t *case_kinds_describe(void);

#endif
