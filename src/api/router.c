/*
 * router.c — the one dispatch path over the route table (routes.c).
 *
 * Dispatch: match the path,
 * check the method (405), authenticate (Bearer token or session cookie;
 * deny by default; a token that resolves is told to the rate limit's map,
 * ratecred.h, one that no longer does is forgotten there), check CSRF on
 * cookie-authenticated writes, rate-limit logins, then call the handler
 * with a ctx for the domain. The server asks
 * api_upload_allowed, with the same matching and authentication, before it
 * takes a body larger than its JSON limit.
 */
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "domain/accounts/accounts.h"
#include "domain/cases/case_kind.h"
#include "http/ratecred.h"

/* Matches pattern segments; {x} takes one non-empty segment, and {kind}
 * only the resource path of a registered case kind ("requests", …), so
 * one set of case routes serves every kind. */
bool api_route_match(const char *pattern, const char *path, struct api *r)
{
	r->nparam = 0;
	r->kind = NULL;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (!strncmp(p, "{kind}", 6)) {
			const char *end = strchr(s, '/');
			size_t n = end ? (size_t)(end - s) : strlen(s);
			for (int i = 0; case_kinds[i] && !r->kind; i++)
				if (strlen(case_kinds[i]->path) == n && !strncmp(case_kinds[i]->path, s, n))
					r->kind = case_kinds[i];
			if (!r->kind)
				return false;
			s += n;
			p += 6;
			continue;
		}
		if (*p == '{') {
			const char *end = strchr(s, '/');
			size_t n = end ? (size_t)(end - s) : strlen(s);
			if (n == 0 || r->nparam >= 4)
				return false;
			r->param[r->nparam++] = arena_strndup(r->req->a, s, n);
			s += n;
			p = strchr(p, '}') + 1;
			continue;
		}
		if (*p != *s)
			return false;
		p++, s++;
	}
	return *p == 0 && *s == 0;
}

const char *api_token(struct http_req *req, bool *from_cookie)
{
	const char *h = http_header(req, "Authorization");
	bool cookie = false;
	const char *token = NULL;
	if (h && strncasecmp(h, "Bearer ", 7) == 0)
		token = h + 7;
	else if ((token = http_cookie(req, "linli_session")))
		cookie = true;
	if (from_cookie)
		*from_cookie = cookie;
	return token;
}

/* The route for the request's method and path (NULL if none); *path_found
 * tells whether some route has the path with another method. Leaves the
 * route's path parameters in r. */
static const struct route *find_route(struct api *r, bool *path_found)
{
	const struct route *rt = NULL;
	*path_found = false;
	for (size_t i = 0; i < api_route_count && !rt; i++) {
		if (!api_route_match(api_routes[i].pattern, r->req->path, r))
			continue;
		*path_found = true;
		if (strcmp(api_routes[i].method, r->req->method) == 0)
			rt = &api_routes[i];
	}
	/* Re-match to restore the chosen route's parameters. */
	if (rt)
		api_route_match(rt->pattern, r->req->path, r);
	return rt;
}

enum who { WHO_NONE, WHO_OK, WHO_CSRF, WHO_BAD };

/* Reads the request's token, if any, into r->c.who. WHO_CSRF: a
 * cookie-authenticated write without its CSRF token; WHO_BAD: the token is
 * not valid (*rc and e say why). */
static enum who authenticate(struct api *r, int *rc, struct err *e)
{
	bool from_cookie;
	const char *token = api_token(r->req, &from_cookie);
	if (!token || !*token)
		return WHO_NONE;
	struct actor *who = NULL;
	const char *csrf = NULL;
	const struct api_app *app = r->app;
	*rc = account_actor(&r->c, &app->policy, token, &who, &csrf, &r->token_kind, e);
	if (*rc) {
		/* Its next requests are charged to the address again. */
		if (*rc == ERR_UNAUTHORIZED)
			http_ratecred_forget(token);
		return WHO_BAD;
	}
	r->c.who = who;
	http_ratecred_learn(token, who->user_id);
	bool write = strcmp(r->req->method, "GET") != 0 && strcmp(r->req->method, "HEAD") != 0;
	const char *sent = http_header(r->req, "X-CSRF-Token");
	if (from_cookie && write && (!sent || !csrf || strcmp(sent, csrf) != 0))
		return WHO_CSRF;
	return WHO_OK;
}

bool api_upload_allowed(struct http_req *req, void *user)
{
	const struct api_app *app = user;
	struct api r = {.req = req, .app = app};
	r.c = (struct ctx){.db = req->db, .a = req->a, .client = req->client, .audit_key = app->audit_key};
	bool path_found;
	const struct route *rt = find_route(&r, &path_found);
	if (!rt || rt->body != BODY_UPLOAD)
		return false;
	int rc = 0;
	struct err e = {0};
	return authenticate(&r, &rc, &e) == WHO_OK;
}

void api_dispatch(struct http_req *req, struct http_resp *resp, void *user)
{
	const struct api_app *app = user;
	struct api r = {.req = req, .resp = resp};
	r.c = (struct ctx){.db = req->db,
			   .a = req->a,
			   .client = req->client,
			   .pii_key = app->pii_key,
			   .audit_key = app->audit_key,
			   .files_dir = app->files_dir};
	r.app = app;
	if (strncmp(req->path, "/api/", 5) != 0 && strncmp(req->path, "/open311/", 9) != 0) {
		app_static(&r, app);
		return;
	}
	bool path_found;
	const struct route *rt = find_route(&r, &path_found);
	if (!rt) {
		if (path_found)
			api_error(&r, 405, "method_not_allowed", NULL, "不支持该方法 / method not allowed");
		else
			api_error(&r, 404, "not_found", NULL, "没有这个接口 / no such endpoint");
		return;
	}
	r.route = rt;
	int rc = 0;
	struct err e = {0};
	switch (authenticate(&r, &rc, &e)) {
	case WHO_CSRF:
		api_error(&r, 403, "csrf", NULL, "缺少或错误的CSRF令牌 / missing or wrong CSRF token");
		return;
	case WHO_BAD:
		if (rt->auth == AUTH_LOGIN) {
			api_fail(&r, rc, &e);
			return;
		}
		break;
	default:
		break;
	}
	if (!r.c.who && rt->auth == AUTH_LOGIN) {
		api_error(&r, 401, "unauthorized", NULL, "请先登录 / login required");
		return;
	}
	rt->fn(&r);
}
