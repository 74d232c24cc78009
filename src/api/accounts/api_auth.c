/*
 * api_auth.c — login (the password, then a code where two-factor login is
 * on), logout, the current user, API tokens and the account's own
 * two-factor login.
 * Statuses: 200, 400 (bad body, wrong code when confirming), 401 (wrong
 * credentials or code, expired challenge), 403, 404 (token), 409, 429
 * (throttled).
 */
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "domain/accounts/accounts.h"
#include "domain/accounts/twofactor.h"
#include "http/ratecred.h"
#include "http/ratelimit.h"

#define LOGIN_PER_MINUTE 20

/* The session cookie's attributes; Secure when the public URL is https. */
static const char *cookie_attrs(const struct api *r)
{
	const struct api_app *app = r->app;
	return app->secure_cookie ? "Path=/; HttpOnly; SameSite=Strict; Secure" : "Path=/; HttpOnly; SameSite=Strict";
}

/* Every login step shares one budget per client address. */
static bool login_allowed(struct api *r)
{
	if (http_rate_allow(r->req->client, LOGIN_PER_MINUTE, "login"))
		return true;
	api_error(r, 429, "rate_limited", NULL, "登录尝试过于频繁 / too many login attempts");
	http_add_header(r->resp, "Retry-After", arena_printf(r->req->a, "%d", http_rate_retry_after(LOGIN_PER_MINUTE)));
	return false;
}

static const struct account_policy *policy(struct api *r)
{
	return &((const struct api_app *)r->app)->policy;
}

/* The answer of a login step: the session (with its cookie), or the
 * challenge of the next step. */
static void login_answer(struct api *r, const struct account_login_out *out, const char *kind)
{
	if (out->step != ACCOUNT_LOGGED_IN) {
		api_ok(r, 200,
		       json_pack("{s:b, s:b, s:s, s:s}", "totp_required", 1, "setup", out->step == ACCOUNT_NEED_SETUP,
				 "challenge", out->challenge, "expires_at", out->expires_at));
		return;
	}
	struct actor *who = NULL;
	struct err e = {0};
	account_load_actor(&r->c, out->user_id, &who, &e);
	http_ratecred_learn(out->token, out->user_id); /* its requests are the account's from the first */
	if (strcmp(kind, "session") == 0)
		http_add_header(
		    r->resp, "Set-Cookie",
		    arena_printf(r->req->a, "linli_session=%s; %s; Max-Age=43200", out->token, cookie_attrs(r)));
	api_ok(r, 200,
	       json_pack("{s:s, s:s, s:s, s:o}", "token", out->token, "csrf_token", out->csrf, "kind", kind, "user",
			 who ? account_actor_json(who) : json_null()));
}

void h_login(struct api *r)
{
	if (!login_allowed(r))
		return;
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
	struct account_login_out out;
	struct err e = {0};
	int rc = account_login(&r->c, policy(r), user, pw, kind, name, &out, &e);
	if (rc)
		api_fail(r, rc, &e);
	else
		login_answer(r, &out, kind);
	json_decref(in);
}

/* The second steps check the body before the login budget: a malformed
 * request tries no credential, so it spends none. */
void h_login_totp(struct api *r)
{
	json_t *in = api_body(r);
	if (!in)
		return;
	const char *challenge = NULL, *code = NULL;
	json_error_t je;
	if (json_unpack_ex(in, &je, JSON_STRICT, "{s:s, s:s}", "challenge", &challenge, "code", &code) != 0) {
		api_error(r, 400, "invalid", NULL, "需要challenge和code / challenge and code are required");
		json_decref(in);
		return;
	}
	if (!login_allowed(r)) {
		json_decref(in);
		return;
	}
	struct account_login_out out;
	struct err e = {0};
	int rc = account_login_totp(&r->c, challenge, code, &out, &e);
	if (rc)
		api_fail(r, rc, &e);
	else
		login_answer(r, &out, out.kind);
	json_decref(in);
}

void h_login_totp_setup(struct api *r)
{
	json_t *in = api_body(r), *out = NULL;
	if (!in)
		return;
	const char *challenge = NULL;
	json_error_t je;
	struct err e = {0};
	int rc;
	if (json_unpack_ex(in, &je, JSON_STRICT, "{s:s}", "challenge", &challenge) != 0) {
		rc = err_set(&e, ERR_INVALID, "challenge", "需要challenge / challenge is required");
	} else if (!login_allowed(r)) {
		json_decref(in);
		return;
	} else {
		rc = twofactor_enrol_challenge(&r->c, challenge, &out, &e);
	}
	json_decref(in);
	api_result(r, rc, &e, 200, out);
}

void h_totp_enrol(struct api *r)
{
	json_t *out = NULL;
	struct err e = {0};
	int rc = twofactor_enrol(&r->c, &out, &e);
	api_result(r, rc, &e, 200, out);
}

void h_totp_confirm(struct api *r)
{
	json_t *in = api_body(r);
	if (!in)
		return;
	const char *code = NULL;
	json_error_t je;
	struct err e = {0};
	int rc;
	if (json_unpack_ex(in, &je, JSON_STRICT, "{s:s}", "code", &code) != 0)
		rc = err_set(&e, ERR_INVALID, "code", "需要code（6位动态验证码） / code (6 digits) is required");
	else
		rc = twofactor_confirm(&r->c, code, &e);
	json_decref(in);
	api_result(r, rc, &e, 200, NULL);
}

void h_totp_disable(struct api *r)
{
	json_t *in = api_body(r);
	if (!in)
		return;
	const char *pw = NULL, *code = NULL;
	json_error_t je;
	struct err e = {0};
	int rc;
	if (json_unpack_ex(in, &je, JSON_STRICT, "{s:s, s:s}", "password", &pw, "code", &code) != 0)
		rc = err_set(&e, ERR_INVALID, NULL, "需要password和code / password and code are required");
	else
		rc = twofactor_disable(&r->c, policy(r), pw, code, &e);
	json_decref(in);
	api_result(r, rc, &e, 200, NULL);
}

void h_users_totp_reset(struct api *r)
{
	int64_t id;
	if (!api_id(r, 0, &id))
		return;
	struct err e = {0};
	int rc = twofactor_reset(&r->c, id, &e);
	api_result(r, rc, &e, 200, NULL);
}

void h_logout(struct api *r)
{
	bool cookie = false;
	const char *token = api_token(r->req, &cookie);
	struct err e = {0};
	int rc = account_logout(&r->c, token ? token : "", &e);
	if (rc)
		return api_fail(r, rc, &e);
	http_ratecred_forget(token);
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
