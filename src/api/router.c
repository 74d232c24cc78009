/*
 * router.c — the one dispatch path over the route table (routes.c).
 *
 * Dispatch: match the path,
 * check the method (405), authenticate (Bearer token or session cookie;
 * deny by default), check CSRF on cookie-authenticated writes, rate-limit
 * logins, then call the handler with a ctx for the domain.
 */
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "domain/accounts/accounts.h"
#include "domain/cases/case_kind.h"

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

static const char *bearer_token(struct http_req *req, bool *from_cookie)
{
	const char *h = http_header(req, "Authorization");
	*from_cookie = false;
	if (h && strncasecmp(h, "Bearer ", 7) == 0)
		return h + 7;
	const char *c = http_cookie(req, "linli_session");
	if (c)
		*from_cookie = true;
	return c;
}

void api_dispatch(struct http_req *req, struct http_resp *resp, void *user)
{
	const struct api_app *app = user;
	struct api r = {.req = req, .resp = resp};
	r.c = (struct ctx){
	    .db = req->db, .a = req->a, .client = req->client, .pii_key = app->pii_key, .files_dir = app->files_dir};
	r.app = app;
	if (strncmp(req->path, "/api/", 5) != 0 && strncmp(req->path, "/open311/", 9) != 0) {
		app_static(&r, app);
		return;
	}
	const struct route *rt = NULL;
	bool path_found = false;
	for (size_t i = 0; i < api_route_count && !rt; i++) {
		if (!api_route_match(api_routes[i].pattern, req->path, &r))
			continue;
		path_found = true;
		if (strcmp(api_routes[i].method, req->method) == 0)
			rt = &api_routes[i];
	}
	if (!rt) {
		if (path_found)
			api_error(&r, 405, "method_not_allowed", NULL, "不支持该方法 / method not allowed");
		else
			api_error(&r, 404, "not_found", NULL, "没有这个接口 / no such endpoint");
		return;
	}
	/* Re-match to restore the chosen route's parameters. */
	api_route_match(rt->pattern, req->path, &r);
	r.route = rt;
	bool from_cookie;
	const char *token = bearer_token(req, &from_cookie);
	if (token && *token) {
		struct actor *who = NULL;
		const char *csrf = NULL;
		struct err e = {0};
		int rc = account_actor(&r.c, token, &who, &csrf, &r.token_kind, &e);
		if (rc == 0) {
			r.c.who = who;
			bool write = strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0;
			const char *sent = http_header(req, "X-CSRF-Token");
			if (from_cookie && write && (!sent || !csrf || strcmp(sent, csrf) != 0)) {
				api_error(&r, 403, "csrf", NULL, "缺少或错误的CSRF令牌 / missing or wrong CSRF token");
				return;
			}
		} else if (!(rt->auth != AUTH_LOGIN)) {
			api_fail(&r, rc, &e);
			return;
		}
	}
	if (req->body_too_large) {
		api_error(&r, 413, "too_large", NULL, "请求体过大 / request body too large");
		return;
	}
	if (!r.c.who && !(rt->auth != AUTH_LOGIN)) {
		api_error(&r, 401, "unauthorized", NULL, "请先登录 / login required");
		return;
	}
	rt->fn(&r);
}
