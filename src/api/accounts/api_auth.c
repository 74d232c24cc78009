/*
 * api_auth.c — login, logout, the current user and API tokens.
 * Statuses: 200, 400 (bad body), 401 (wrong credentials), 404 (token),
 * 429 (throttled).
 */
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "domain/accounts/accounts.h"

#define LOGIN_PER_MINUTE 20

/* The session cookie's attributes; Secure when the public URL is https. */
static const char *cookie_attrs(const struct api *r)
{
	const struct api_app *app = r->app;
	return app->secure_cookie ? "Path=/; HttpOnly; SameSite=Strict; Secure" : "Path=/; HttpOnly; SameSite=Strict";
}

void h_login(struct api *r)
{
	if (!http_rate_allow(r->req->client, LOGIN_PER_MINUTE, "login")) {
		api_error(r, 429, "rate_limited", NULL, "登录尝试过于频繁 / too many login attempts");
		http_add_header(r->resp, "Retry-After", "60");
		return;
	}
	json_t *in = api_body(r);
	if (!in)
		return;
	const char *user = NULL, *pw = NULL, *kind = "session", *name = NULL;
	json_error_t je;
	if (json_unpack_ex(in, &je, JSON_STRICT, "{s:s, s:s, s?s, s?s}", "username", &user, "password", &pw, "kind",
			   &kind, "name", &name) != 0 ||
	    (strcmp(kind, "session") != 0 && strcmp(kind, "api") != 0)) {
		api_error(r, 400, "invalid", NULL, "需要username和password / username and password are required");
		json_decref(in);
		return;
	}
	char token[ACCOUNT_TOKEN_HEX + 1], csrf[ACCOUNT_TOKEN_HEX + 1];
	struct err e = {0};
	int rc = account_login(&r->c, user, pw, kind, name, token, csrf, &e);
	if (rc) {
		json_decref(in);
		api_fail(r, rc, &e);
		return;
	}
	int64_t uid = 0;
	account_by_name(&r->c, user, &uid, NULL);
	struct actor *who = NULL;
	account_load_actor(&r->c, uid, &who, &e);
	if (strcmp(kind, "session") == 0)
		http_add_header(r->resp, "Set-Cookie",
				arena_printf(r->req->a, "linli_session=%s; %s; Max-Age=43200", token, cookie_attrs(r)));
	api_ok(r, 200,
	       json_pack("{s:s, s:s, s:s, s:o}", "token", token, "csrf_token", csrf, "kind", kind, "user",
			 who ? account_actor_json(who) : json_null()));
	json_decref(in);
}

void h_logout(struct api *r)
{
	bool cookie = false;
	const char *h = http_header(r->req, "Authorization");
	const char *token =
	    h && strncasecmp(h, "Bearer ", 7) == 0 ? h + 7 : (cookie = true, http_cookie(r->req, "linli_session"));
	struct err e = {0};
	int rc = account_logout(&r->c, token ? token : "", &e);
	if (rc)
		return api_fail(r, rc, &e);
	if (cookie)
		http_add_header(r->resp, "Set-Cookie",
				arena_printf(r->req->a, "linli_session=; %s; Max-Age=0", cookie_attrs(r)));
	api_ok(r, 200, json_pack("{s:b}", "ok", 1));
}

void h_me(struct api *r)
{
	api_ok(r, 200, account_actor_json(r->c.who));
}

void h_tokens_list(struct api *r)
{
	json_t *items = NULL;
	struct err e = {0};
	int rc = account_tokens(&r->c, &items, &e);
	api_result(r, rc, &e, 200, rc ? NULL : json_pack("{s:o}", "items", items));
}

void h_tokens_delete(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	struct err e = {0};
	int rc = account_token_revoke(&r->c, id, &e);
	api_result(r, rc, &e, 200, NULL);
}
