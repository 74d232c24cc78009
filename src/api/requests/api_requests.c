/*
 * api_requests.c — what residents' requests have beyond the generic case
 * routes (api/cases/): their statistics and monthly summaries;
 * and the engine's notifications, photos and webhooks.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/handlers.h"
#include "base/timeutil.h"
#include "domain/cases/case_files.h"
#include "domain/requests/request_stats.h"
#include "domain/cases/cases.h"
#include "domain/integration/webhooks.h"
#include "domain/requests/requests.h"

void h_files_get(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	const char *path, *mime;
	struct err e = {0};
	int rc = case_file_path(&r->c, id, &path, &mime, &e);
	if (rc)
		return api_fail(r, rc, &e);
	/* Content-addressed: the bytes behind an id never change. */
	if (api_send_file(r, path, mime))
		http_add_header(r->resp, "Cache-Control", "private, max-age=86400");
}

void h_requests_stats(struct api *r)
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
	int rc = request_stats(&r->c, node, http_query(r->req, "from"), http_query(r->req, "to"), &out, &e);
	api_result(r, rc, &e, 200, out);
}

void h_requests_summary(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t node;
	if (!api_qkeys(r, keys) || !api_qint(r, "node", &node))
		return;
	const char *month = http_query(r->req, "month"), *fmt = http_query(r->req, "format");
	if (!node)
		return api_error(r, 400, "invalid", "node", "需要node参数 / node is required");
	struct err e = {0};
	if (!fmt || !strcmp(fmt, "json")) {
		json_t *out = NULL;
		int rc = request_summary(&r->c, node, month, &out, &e);
		return api_result(r, rc, &e, 200, out);
	}
	const char *path = api_tmpfile(r, "summary");
	if (!path)
		return;
	int rc = request_summary_export(&r->c, node, month, fmt, path, &e);
	if (rc)
		api_fail(r, rc, &e);
	else if (api_send_file(r, path, api_sheet_type(fmt)))
		http_add_header(r->resp, "Content-Disposition",
				arena_printf(r->req->a, "attachment; filename=\"summary-%s.%s\"", month, fmt));
	unlink(path);
}

void h_notifications_list(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t limit, before;
	if (!api_qkeys(r, keys) || !api_qint(r, "limit", &limit) || !api_cursor(r, &before))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = notifications_list(&r->c, api_qbool(r, "unread"), before, (int)limit, &items, &e);
	if (rc)
		return api_fail(r, rc, &e);
	api_page(r, items, (int)limit);
}

void h_notifications_read(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	struct err e = {0};
	int rc = notifications_read(&r->c, id, &e);
	api_result(r, rc, &e, 200, NULL);
}

void h_webhooks_list(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t node;
	if (!api_qkeys(r, keys) || !api_qint(r, "node", &node))
		return;
	if (!node)
		return api_error(r, 400, "invalid", "node", "需要node参数 / node is required");
	json_t *items = NULL;
	struct err e = {0};
	int rc = webhooks_list(&r->c, node, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}

void h_webhooks_create(struct api *r)
{
	api_create(r, webhooks_create);
}

void h_webhooks_update(struct api *r)
{
	api_update(r, webhooks_update);
}

void h_webhooks_deliveries(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t id, limit;
	if (!api_id(r, 0, &id) || !api_qkeys(r, keys) || !api_qint(r, "limit", &limit))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = webhooks_deliveries(&r->c, id, (int)limit, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}
