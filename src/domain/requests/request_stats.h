/*
 * request_stats.h — the picture of requests in a subtree: received, resolved,
 * resolution rate, median and p90 time to first response and to
 * resolution, the share resolved at the level where it started (小事不出院),
 * escalations, overdue, satisfaction; by category, child node, week and
 * month. And the monthly summary per node and per neighbour head, as the
 * heads report each month. Needs viewer access at the node.
 */
#ifndef LINLI_REQUEST_STATS_H
#define LINLI_REQUEST_STATS_H

#include <jansson.h>

#include "domain/core/ctx.h"

/* from/to: dates YYYY-MM-DD (inclusive), NULL for unbounded. */
int request_stats(const struct ctx *c, int64_t node, const char *from, const char *to, json_t **out, struct err *e);
/* month: YYYY-MM. */
int request_summary(const struct ctx *c, int64_t node, const char *month, json_t **out, struct err *e);
/* Writes the summary as a 台账 file (xlsx or csv). */
int request_summary_export(const struct ctx *c, int64_t node, const char *month, const char *fmt, const char *path,
			   struct err *e);

#endif
