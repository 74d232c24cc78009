/*
 * api_people.c — /people and /households: the resident registry.
 * Statuses: 200, 201, 400 (bad input), 401, 403 (outside the caller's
 * subtree; reveal without officer access), 404, 409 (duplicate ID card).
 */
#include <string.h>

#include "api/handlers.h"
#include "domain/people/registry.h"

bool api_person_filter(struct api *r, struct person_filter *f)
{
	int64_t hh;
	if (!api_qint(r, "household", &hh))
		return false;
	const char *sort = http_query(r->req, "sort");
	if (sort && strcmp(sort, "name") != 0 && strcmp(sort, "place") != 0) {
		api_error(r, 400, "invalid", "sort", "sort应为place或name / sort must be place or name");
		return false;
	}
	f->by_name = sort && !strcmp(sort, "name");
	f->household_id = hh;
	f->q = http_query(r->req, "q");
	f->tag = http_query(r->req, "tag");
	f->residence = http_query(r->req, "residence");
	f->status = http_query(r->req, "status");
	f->political_status = http_query(r->req, "political_status");
	f->gender = http_query(r->req, "gender");
	if (f->q && strlen(f->q) > 100) {
		api_error(r, 400, "invalid", "q", "搜索词过长 / search text too long");
		return false;
	}
	return true;
}

void h_people_list(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	struct person_filter f = {0};
	int64_t node, limit;
	if (!api_qkeys(r, keys) || !api_qint(r, "node", &node) || !api_qint(r, "limit", &limit) ||
	    !api_person_filter(r, &f))
		return;
	f.cursor = http_query(r->req, "cursor");
	f.node_id = node;
	f.limit = (int)limit;
	json_t *items = NULL;
	struct err e = {0};
	int rc = person_list(&r->c, &f, &items, &e);
	if (rc)
		return api_fail(r, rc, &e);
	api_page_next(r, items, f.next);
}

void h_people_create(struct api *r)
{
	api_create(r, person_create);
}

void h_people_get(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t id;
	if (!api_id(r, 0, &id) || !api_qkeys(r, keys))
		return;
	json_t *out = NULL;
	struct err e = {0};
	int rc = person_get(&r->c, id, api_qbool(r, "reveal"), &out, &e);
	api_result(r, rc, &e, 200, out);
}

void h_people_update(struct api *r)
{
	api_update(r, person_update);
}

void h_people_move(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	json_int_t hh = 0;
	const char *date = NULL, *reason = NULL, *status = NULL;
	json_error_t je;
	struct err e = {0};
	int rc;
	if (json_unpack_ex(in, &je, JSON_STRICT, "{s?I, s:s, s?s, s?s}", "household_id", &hh, "date", &date, "reason",
			   &reason, "status", &status) != 0 ||
	    hh < 0)
		rc = err_set(&e, ERR_INVALID, NULL,
			     "需要date，可选household_id/reason/status / date required; household_id, reason, status "
			     "optional: %s",
			     je.text);
	else
		rc = person_move(&r->c, id, hh, date, reason, status, &out, &e);
	json_decref(in);
	api_result(r, rc, &e, 200, out);
}

void h_people_history(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = person_history(&r->c, id, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}

void h_households_list(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t node, limit;
	const char *cursor, *next = NULL;
	if (!api_list_query_text(r, keys, &node, &limit, &cursor))
		return;
	json_t *items = NULL;
	struct err e = {0};
	int rc = household_list(&r->c, node, http_query(r->req, "tenure"), cursor, (int)limit, &items, &next, &e);
	if (rc)
		return api_fail(r, rc, &e);
	api_page_next(r, items, next);
}

void h_households_create(struct api *r)
{
	api_create(r, household_create);
}

void h_households_get(struct api *r)
{
	/* the query keys are the route's (routes.c) */
	const char *const *keys = api_route_keys(r);
	int64_t id;
	if (!api_id(r, 0, &id) || !api_qkeys(r, keys))
		return;
	json_t *out = NULL;
	struct err e = {0};
	int rc = household_get(&r->c, id, api_qbool(r, "reveal"), &out, &e);
	api_result(r, rc, &e, 200, out);
}

void h_households_update(struct api *r)
{
	api_update(r, household_update);
}
