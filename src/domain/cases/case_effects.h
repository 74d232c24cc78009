/*
 * case_effects.h — the engine's effects, which a kind's action table names:
 * each changes the case inside the action's transaction and writes its
 * event on the timeline. An effect moves the case to the action's `to`
 * state where it has one.
 * Thread-safety: as the ctx they run with.
 */
#ifndef LINLI_CASE_EFFECTS_H
#define LINLI_CASE_EFFECTS_H

#include "domain/cases/case_kind.h"

int case_fx_accept(struct case_step *s, struct err *e);   /* takes it on: responds, ends a wait */
int case_fx_note(struct case_step *s, struct err *e);     /* a note, public or internal */
int case_fx_ask(struct case_step *s, struct err *e);      /* asks the reporter: the clock pauses */
int case_fx_reply(struct case_step *s, struct err *e);    /* the reporter answers: the clock goes on */
int case_fx_handover(struct case_step *s, struct err *e); /* to organisations, one lead (input "orgs") */
int case_fx_org_done(struct case_step *s, struct err *e); /* an organisation finished its part */
int case_fx_resolve(struct case_step *s, struct err *e);  /* the outcome (input "outcome") */
int case_fx_escalate(struct case_step *s, struct err *e); /* to the level above (input "reason") */
int case_fx_close(struct case_step *s, struct err *e);    /* closed with a reason (input "reason") */
int case_fx_merge(struct case_step *s, struct err *e);    /* into another open case (input "into") */
int case_fx_publish(struct case_step *s, struct err *e);  /* made public or private (input "public") */

/* An organisation's part is open: the actor's own (or, for a handler,
 * any organisation's) — when org_done can be taken. */
bool case_org_part_open(const struct ctx *c, const struct case_core *k, unsigned who);
/* Suggested input and label of a publish action: the opposite of now. */
json_t *case_publish_suggest(const struct case_core *k);
const char *case_publish_label(const struct case_core *k);

#endif
