/*
 * api_transfer.c — import of residents and export of lists (台账).
 *
 * POST /import/people?node=ID[&dry_run=1]: the body is the raw file (CSV in
 * UTF-8/GB18030 or .xlsx, detected by content). 200 with counts, or 422
 * with every bad row; nothing is changed unless every row is good.
 * GET /export/{people|households|roles|orgs|nodes}?node=ID&format=xlsx|csv
 * [&reveal=1]: the file as an attachment. The people list also takes the
 * residents table's filters (q, tag, residence, status, political_status,
 * gender, household, sort, read by api_person_filter as GET /people reads
 * them), so the file holds exactly the people the table shows. Statuses:
 * 200, 400, 401, 403, 404, 413, 422.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/handlers.h"
#include "domain/people/registry.h"
#include "domain/transfer/transfer.h"

void h_import_people(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t node;
	if (!api_qkeys(r, keys) || !api_qint(r, "node", &node))
		return;
	if (!node)
		return api_error(r, 400, "invalid", "node", "需要node参数 / node is required");
	if (r->req->body_len == 0)
		return api_error(r, 400, "invalid", "file", "请上传文件 / no file uploaded");
	json_t *report = NULL;
	struct err e = {0};
	int rc =
	    transfer_import_people(&r->c, node, r->req->body, r->req->body_len, api_qbool(r, "dry_run"), &report, &e);
	if (rc == ERR_INVALID && report) {
		api_error(r, 422, "invalid_rows", "file", e.msg);
		json_t *err = json_object_get(r->resp->json, "error");
		json_object_set(err, "rows", json_object_get(report, "errors"));
		json_object_set(err, "row_count", json_object_get(report, "rows"));
		json_decref(report);
		return;
	}
	api_result(r, rc, &e, 200, report);
}

void h_export(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	static const char *const filter_keys[] = {PERSON_FILTER_KEYS};
	int64_t node;
	if (!api_qkeys(r, keys) || !api_qint(r, "node", &node))
		return;
	/* With any filter the export takes the filter; another list than
	 * people refuses it (400) rather than silently exporting everything. */
	bool filtered = false;
	for (size_t i = 0; i < sizeof filter_keys / sizeof *filter_keys; i++)
		filtered = filtered || http_query(r->req, filter_keys[i]) != NULL;
	struct person_filter f = {0};
	if (filtered && !api_person_filter(r, &f))
		return;
	const char *fmt = http_query(r->req, "format");
	if (!fmt)
		fmt = "xlsx";
	const char *path = api_tmpfile(r, "export");
	if (!path)
		return;
	int64_t rows = 0;
	struct err e = {0};
	int rc = transfer_export_filtered(&r->c, r->param[0], node, filtered ? &f : NULL, fmt, api_qbool(r, "reveal"),
					  path, &rows, &e);
	if (rc) {
		api_fail(r, rc, &e);
	} else if (api_send_file(r, path, api_sheet_type(fmt))) {
		http_add_header(r->resp, "Content-Disposition",
				arena_printf(r->req->a, "attachment; filename=\"%s.%s\"; filename*=UTF-8''%s-%s.%s",
					     r->param[0], fmt, "%E5%8F%B0%E8%B4%A6", r->param[0], fmt));
		http_add_header(r->resp, "X-Row-Count", arena_printf(r->req->a, "%lld", (long long)rows));
	}
	unlink(path);
}
