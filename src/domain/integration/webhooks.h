/*
 * webhooks.h — outgoing webhooks registered at a node: every public event
 * of a case in its subtree is delivered as signed JSON (see
 * base/webhook_post.h), retried with exponential back-off until delivered
 * or failed after WEBHOOK_MAX_ATTEMPTS. Managing them needs manager access.
 */
#ifndef LINLI_WEBHOOKS_H
#define LINLI_WEBHOOKS_H

#include <jansson.h>

#include "domain/core/ctx.h"
#include "domain/core/fields.h"

#define WEBHOOK_MAX_ATTEMPTS 8

/* Its fields; the signing secret is in the answer of webhooks_create only. */
extern const struct entity ENT_WEBHOOK;

int webhooks_create(const struct ctx *c, json_t *in, json_t **out, struct err *e);
int webhooks_list(const struct ctx *c, int64_t node, json_t **out, struct err *e);
int webhooks_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e);
int webhooks_deliveries(const struct ctx *c, int64_t id, int limit, json_t **out, struct err *e);
/* Delivers up to max due deliveries at time now; retry_base is the first
 * back-off in seconds. Network calls happen outside any transaction.
 * *done and *failed count this run's outcomes (may be NULL). */
int webhooks_deliver_due(const struct ctx *c, int64_t now, int max, long retry_base, int *done, int *failed,
			 struct err *e);

#endif
