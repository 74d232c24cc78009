/*
 * api_stats.c — /stats?node=ID: the picture of a subtree.
 * Statuses: 200, 400, 401, 403 (outside the caller's subtree), 404.
 */
#include <string.h>

#include "api/handlers.h"
#include "domain/people/stats.h"

void h_stats(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t node;
	if (!api_qkeys(r, keys) || !api_qint(r, "node", &node))
		return;
	if (!node)
		return api_error(r, 400, "invalid", "node", "需要node参数 / node is required");
	json_t *out = NULL;
	struct err e = {0};
	int rc = stats_node(&r->c, node, &out, &e);
	api_result(r, rc, &e, 200, out);
}
