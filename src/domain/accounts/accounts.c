/* accounts.c — users, grants, login with throttling, sessions and tokens. */
#include "domain/accounts/accounts.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"
#include "domain/accounts/password.h"
#include "domain/accounts/twofactor.h"
#include "domain/core/audit.h"
#include "domain/core/fields.h"
#include "domain/core/rows.h"
#include "domain/places/tree.h"
#include "store/store.h"

#define MAX_FAILED_LOGINS 5
#define LOCK_SECONDS      ((int64_t)15 * 60)
#define SESSION_SECONDS   (12 * 3600)
#define API_TOKEN_SECONDS (365 * 24 * 3600)

static int require_admin(const struct ctx *c, struct err *e)
{
	if (c->who && (c->who->is_admin || c->who->user_id == 0))
		return 0;
	return err_set(e, ERR_FORBIDDEN, NULL, "需要管理员权限 / administrator access required");
}

static int load_user(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(
	    c->db, arena_printf(c->a, "SELECT %s FROM users WHERE id = ?", fields_select(&ENT_USER, c->a)), &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	rc = store_step(st, e);
	json_t *user = rc == STORE_ROW ? fields_row(&ENT_USER, st, 0, c, false) : NULL;
	store_done(st);
	if (rc == STORE_DONE)
		return err_set(e, ERR_NOT_FOUND, NULL, "用户%lld不存在 / user %lld not found", (long long)id,
			       (long long)id);
	if (rc != STORE_ROW)
		return rc;
	/* Grants belong to the account's picture. */
	rc = store_prepare(c->db,
			   "SELECT g.id, g.node_id, n.name, g.access FROM grants g JOIN nodes n ON n.id = g.node_id "
			   "WHERE g.user_id = ? ORDER BY g.id",
			   &st, e);
	if (rc) {
		json_decref(user);
		return rc;
	}
	store_bind(st, "i", id);
	json_t *grants = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW)
		json_array_append_new(grants, json_pack("{s:I, s:I, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0),
							"node_id", (json_int_t)store_col_int(st, 1), "node_name",
							store_col_text(st, 2), "access", store_col_text(st, 3)));
	store_done(st);
	json_object_set_new(user, "grants", grants);
	if (rc < 0) {
		json_decref(user);
		return rc;
	}
	*out = user;
	return 0;
}

int account_get(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	if (!c->who || (c->who->user_id != id && require_admin(c, e)))
		return err_set(e, ERR_FORBIDDEN, NULL, "需要管理员权限 / administrator access required");
	return load_user(c, id, out, e);
}

int account_by_name(const struct ctx *c, const char *username, int64_t *id, struct err *e)
{
	int rc = store_int(c->db, e, id, "SELECT id FROM users WHERE lower(username) = lower(?)", "t", username);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, "username", "用户“%s”不存在 / no user '%s'", username, username);
	return rc;
}

int account_create(const struct ctx *c, json_t *in, const char *password, json_t **out, struct err *e)
{
	int rc = require_admin(c, e);
	if (rc == 0)
		rc = fields_validate(&ENT_USER, in, true, e);
	if (rc)
		return rc;
	const char *u = json_string_value(json_object_get(in, "username"));
	if (strlen(u) < 2)
		return err_set(e, ERR_INVALID, "username", "用户名至少2个字符 / username: at least 2 characters");
	for (const char *p = u; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.'))
			return err_set(e, ERR_INVALID, "username",
				       "用户名只能包含字母、数字、_-. / username: letters, digits, _-. only");
	rc = password_check(u, password, e);
	if (rc)
		return rc;
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory hashing password");
	char now[21];
	time_iso(time_now(), now);
	json_t *internal = json_pack("{s:s, s:s, s:s}", "password_hash", hash, "created_at", now, "updated_at", now);
	int64_t id;
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = fields_write(c, &ENT_USER, in, internal, 0, &id, e);
	json_decref(internal);
	if (rc == ERR_CONFLICT)
		err_set(e, ERR_CONFLICT, "username", "用户名“%s”已存在 / username '%s' is taken", u, u);
	if (rc == 0)
		rc = load_user(c, id, out, e);
	if (rc == 0)
		rc = audit_log(c, "create", "user", id, NULL, *out, e);
	return txn_finish(c, rc, e);
}

int account_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e)
{
	int rc = require_admin(c, e);
	if (rc == 0)
		rc = fields_validate(&ENT_USER, in, false, e);
	if (rc)
		return rc;
	json_t *before = NULL;
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = load_user(c, id, &before, e);
	char now[21];
	time_iso(time_now(), now);
	json_t *internal = json_pack("{s:s}", "updated_at", now);
	if (rc == 0)
		rc = fields_write(c, &ENT_USER, in, internal, id, NULL, e);
	json_decref(internal);
	/* A disabled account loses its sessions at once. */
	if (rc == 0 && json_is_true(json_object_get(in, "disabled")))
		rc = store_run(c->db, e, "DELETE FROM sessions WHERE user_id = ?", "i", id);
	if (rc == 0)
		rc = load_user(c, id, out, e);
	if (rc == 0)
		rc = audit_log(c, "update", "user", id, before, *out, e);
	json_decref(before);
	return txn_finish(c, rc, e);
}

int account_list(const struct ctx *c, int64_t after_id, int limit, json_t **out, struct err *e)
{
	int rc = require_admin(c, e);
	if (rc)
		return rc;
	struct store_stmt *st;
	rc = store_prepare(c->db, "SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "ii", after_id, (int64_t)limit);
	int64_t ids[500];
	int n = 0;
	while (n < 500 && (rc = store_step(st, e)) == STORE_ROW)
		ids[n++] = store_col_int(st, 0);
	store_done(st);
	if (rc < 0)
		return rc;
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		json_t *u;
		if (load_user(c, ids[i], &u, e) == 0)
			json_array_append_new(arr, u);
	}
	*out = arr;
	return 0;
}

int account_passwd(const struct ctx *c, int64_t id, const char *current, const char *password, struct err *e)
{
	if (!c->who || (c->who->user_id != id && require_admin(c, e)))
		return err_set(e, ERR_FORBIDDEN, NULL, "需要管理员权限 / administrator access required");
	struct store_stmt *st;
	int rc = store_prepare(c->db, "SELECT username, password_hash FROM users WHERE id = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	rc = store_step(st, e);
	const char *username = rc == STORE_ROW ? arena_strdup(c->a, store_col_text(st, 0)) : NULL;
	const char *stored = rc == STORE_ROW ? arena_strdup(c->a, store_col_text(st, 1)) : NULL;
	store_done(st);
	if (rc < 0)
		return rc;
	if (!username)
		return err_set(e, ERR_NOT_FOUND, NULL, "用户不存在 / user not found");
	/* Changing one's own password needs the current one (a stolen session
	 * must not be enough to take the account over). */
	if (!c->who->is_admin || c->who->user_id == id) {
		if (c->who->user_id != 0 && !current)
			return err_set(e, ERR_INVALID, "current_password",
				       "需要当前密码 / current_password is required");
		if (current && crypto_pwhash_str_verify(stored, current, strlen(current)) != 0)
			return err_set(e, ERR_FORBIDDEN, "current_password",
				       "当前密码错误 / current password is wrong");
	}
	rc = password_check(username, password, e);
	if (rc)
		return rc;
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory hashing password");
	char now[21];
	time_iso(time_now(), now);
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = store_run(c->db, e,
			       "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL, updated_at "
			       "= ? WHERE id = ?",
			       "tti", hash, now, id);
	if (rc == 0 && store_changes(c->db) == 0)
		rc = err_set(e, ERR_NOT_FOUND, NULL, "用户不存在 / user not found");
	/* Every session of the account ends when the password changes; API
	 * tokens stay (revoke them separately). */
	if (rc == 0)
		rc = store_run(c->db, e, "DELETE FROM sessions WHERE user_id = ? AND kind = 'session'", "i", id);
	if (rc == 0)
		rc = audit_log(c, "passwd", "user", id, NULL, NULL, e);
	return txn_finish(c, rc, e);
}

int account_grant(const struct ctx *c, int64_t user_id, int64_t node_id, const char *access, json_t **out,
		  struct err *e)
{
	int acc = access_parse(access);
	if (acc < 0)
		return err_set(
		    e, ERR_INVALID, "access",
		    "权限应为viewer/worker/officer/manager / access must be viewer, worker, officer or manager");
	const char *path;
	int rc = tree_path(c, node_id, &path, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_INVALID, "node_id", "节点不存在 / node not found");
	/* Managers hand out access in their own subtree, never above it. */
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_MANAGER, e);
	if (rc)
		return rc;
	int64_t exists = 0;
	if (store_int(c->db, e, &exists, "SELECT count(*) FROM users WHERE id = ?", "i", user_id) == 0 && !exists)
		return err_set(e, ERR_NOT_FOUND, "user_id", "用户%lld不存在 / user %lld not found", (long long)user_id,
			       (long long)user_id);
	char now[21];
	time_iso(time_now(), now);
	int64_t gid = 0;
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc =
		    store_run(c->db, e, "INSERT INTO grants (user_id, node_id, access, created_at) VALUES (?, ?, ?, ?)",
			      "iitt", user_id, node_id, access, now);
	if (rc == ERR_CONFLICT)
		err_set(e, ERR_CONFLICT, "access", "该用户在此节点已有此权限 / the user already has this access here");
	if (rc == 0)
		gid = store_last_id(c->db);
	if (rc == 0)
		*out = json_pack("{s:I, s:I, s:I, s:s}", "id", (json_int_t)gid, "user_id", (json_int_t)user_id,
				 "node_id", (json_int_t)node_id, "access", access);
	if (rc == 0)
		rc = audit_log(c, "grant", "user", user_id, NULL, *out, e);
	return txn_finish(c, rc, e);
}

int account_revoke(const struct ctx *c, int64_t grant_id, struct err *e)
{
	int64_t node_id = 0, user_id = 0;
	int rc = store_int(c->db, e, &node_id, "SELECT node_id FROM grants WHERE id = ?", "i", grant_id);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, NULL, "授权%lld不存在 / grant %lld not found", (long long)grant_id,
			       (long long)grant_id);
	store_int(c->db, NULL, &user_id, "SELECT user_id FROM grants WHERE id = ?", "i", grant_id);
	const char *path;
	if (rc == 0)
		rc = tree_path(c, node_id, &path, e);
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_MANAGER, e);
	if (rc)
		return rc;
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = store_run(c->db, e, "DELETE FROM grants WHERE id = ?", "i", grant_id);
	json_t *before = json_pack("{s:I, s:I}", "grant_id", (json_int_t)grant_id, "node_id", (json_int_t)node_id);
	if (rc == 0)
		rc = audit_log(c, "revoke", "user", user_id, before, NULL, e);
	json_decref(before);
	return txn_finish(c, rc, e);
}

static void token_hash(const char *token, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL, 0);
}

static void random_hex(char out[ACCOUNT_TOKEN_HEX + 1])
{
	unsigned char raw[ACCOUNT_TOKEN_HEX / 2];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(out, ACCOUNT_TOKEN_HEX + 1, raw, sizeof raw);
}

/* A wrong password or code: count it, and lock the account at the fifth.
 * Runs in the caller's transaction. */
static int count_failure(const struct ctx *c, int64_t id, struct err *e)
{
	char now[21], until[21];
	time_iso(time_now(), now);
	time_iso(time_now() + LOCK_SECONDS, until);
	return store_run(c->db, e,
			 /* an expired lock starts the count afresh */
			 "UPDATE users SET failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= ?1 "
			 "THEN 1 ELSE failed_logins + 1 END, locked_until = CASE WHEN locked_until IS NOT NULL AND "
			 "locked_until <= ?1 THEN NULL WHEN failed_logins + 1 >= ?2 THEN ?3 ELSE locked_until END "
			 "WHERE id = ?4",
			 "titi", now, (int64_t)MAX_FAILED_LOGINS, until, id);
}

/* The session or API token of a completed login, in the caller's
 * transaction, with its audit row. */
static int new_session(const struct ctx *c, int64_t id, const char *username, bool api, const char *name,
		       struct account_login_out *out, struct err *e)
{
	random_hex(out->token);
	random_hex(out->csrf);
	unsigned char th[32];
	token_hash(out->token, th);
	char now[21];
	time_iso(time_now(), now);
	time_iso(time_now() + (api ? API_TOKEN_SECONDS : SESSION_SECONDS), out->expires_at);
	out->step = ACCOUNT_LOGGED_IN;
	out->user_id = id;
	snprintf(out->kind, sizeof out->kind, "%s", api ? "api" : "session");
	int rc = store_run(c->db, e, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", "i", id);
	if (rc == 0)
		rc = store_run(c->db, e,
			       "INSERT INTO sessions (token_hash, user_id, kind, name, csrf, created_at, expires_at, "
			       "last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			       "bitttttt", th, (size_t)32, id, api ? "api" : "session", name, out->csrf, now,
			       out->expires_at, now);
	if (rc == 0) {
		struct actor who = {.user_id = id, .username = username};
		struct ctx c2 = *c;
		c2.who = &who;
		rc = audit_log(&c2, api ? "token_create" : "login", "user", id, NULL, NULL, e);
	}
	return rc;
}

int account_login(const struct ctx *c, const struct account_policy *pol, const char *username, const char *password,
		  const char *kind, const char *name, struct account_login_out *out, struct err *e)
{
	const char *bad = "用户名或密码错误 / wrong username or password";
	memset(out, 0, sizeof *out);
	if (!username || !password || strlen(username) > 64 || strlen(password) > 256)
		return err_set(e, ERR_UNAUTHORIZED, NULL, "%s", bad);
	struct store_stmt *st;
	int rc = store_prepare(c->db,
			       "SELECT id, username, password_hash, disabled, coalesce(locked_until, ''), is_admin, "
			       "totp_enabled FROM users WHERE lower(username) = lower(?)",
			       &st, e);
	if (rc)
		return rc;
	store_bind(st, "t", username);
	rc = store_step(st, e);
	int64_t id = 0, disabled = 0, admin = 0, totp = 0;
	char hash[crypto_pwhash_STRBYTES] = "", locked[32] = "", stored_name[72] = "";
	if (rc == STORE_ROW) {
		id = store_col_int(st, 0);
		snprintf(stored_name, sizeof stored_name, "%s", store_col_text(st, 1));
		snprintf(hash, sizeof hash, "%s", store_col_text(st, 2));
		disabled = store_col_int(st, 3);
		snprintf(locked, sizeof locked, "%s", store_col_text(st, 4));
		admin = store_col_int(st, 5);
		totp = store_col_int(st, 6);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	char now[21];
	time_iso(time_now(), now);
	if (rc == STORE_DONE) {
		/* Spend the same effort as a real check so timing reveals nothing. */
		char dummy[crypto_pwhash_STRBYTES];
		if (crypto_pwhash_str(dummy, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
			return err_set(e, ERR_INTERNAL, NULL, "out of memory hashing password");
		return err_set(e, ERR_UNAUTHORIZED, NULL, "%s", bad);
	}
	/* The account's own spelling from here on (audit rows, the actor). */
	struct actor who = {.user_id = id, .username = stored_name};
	struct ctx cu = *c;
	cu.who = &who;
	/* Locked and disabled accounts answer like a wrong password, after the
	 * same work, so the answer does not tell which accounts exist. */
	bool verified = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	if ((*locked && strcmp(locked, now) > 0) || disabled) {
		rc = store_begin(c->db, e);
		if (rc == 0)
			rc = audit_log(c, disabled ? "login_disabled" : "login_locked", "user", id, NULL, NULL, e);
		txn_finish(c, rc, NULL);
		return err_set(e, ERR_UNAUTHORIZED, NULL, "%s", bad);
	}
	if (!verified) {
		rc = store_begin(c->db, e);
		if (rc == 0)
			rc = count_failure(c, id, e);
		if (rc == 0)
			rc = audit_log(c, "login_failed", "user", id, NULL, NULL, e);
		txn_finish(c, rc, NULL);
		return err_set(e, ERR_UNAUTHORIZED, NULL, "%s", bad);
	}
	bool api = kind && strcmp(kind, "api") == 0;
	rc = store_begin(c->db, e);
	if (rc == 0 && (totp || (admin && pol && pol->require_totp_admin))) {
		/* The password was right; the code comes next. The failure count
		 * stays until the code is right too, so wrong codes add up to the
		 * lock however often the password is sent again. */
		random_hex(out->challenge);
		unsigned char th[32];
		token_hash(out->challenge, th);
		time_iso(time_now() + ACCOUNT_CHALLENGE_SECONDS, out->expires_at);
		out->step = totp ? ACCOUNT_NEED_TOTP : ACCOUNT_NEED_SETUP;
		out->user_id = id;
		rc = store_run(c->db, e, "DELETE FROM login_challenges WHERE user_id = ? OR expires_at <= ?", "it", id,
			       now);
		if (rc == 0)
			rc = store_run(
			    c->db, e,
			    "INSERT INTO login_challenges (token_hash, user_id, purpose, kind, name, created_at, "
			    "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			    "bittttt", th, (size_t)32, id, totp ? "totp" : "setup", api ? "api" : "session", name, now,
			    out->expires_at);
		if (rc == 0)
			rc = audit_log(&cu, totp ? "login_password" : "login_setup", "user", id, NULL, NULL, e);
		return txn_finish(c, rc, e);
	}
	if (rc == 0)
		rc = new_session(c, id, stored_name, api, name, out, e);
	return txn_finish(c, rc, e);
}

/* The live challenge of a token: its account, purpose, login kind, name
 * (in the arena) and attempts so far. */
static int load_challenge(const struct ctx *c, const char *challenge, unsigned char th[32], int64_t *uid, bool *setup,
			  bool *api, const char **name, int64_t *attempts, struct err *e)
{
	const char *gone = "登录验证已失效，请重新登录 / this login step has expired: log in again";
	if (!challenge || strlen(challenge) != ACCOUNT_TOKEN_HEX)
		return err_set(e, ERR_UNAUTHORIZED, "challenge", "%s", gone);
	token_hash(challenge, th);
	struct store_stmt *st;
	int rc = store_prepare(
	    c->db,
	    "SELECT user_id, purpose, kind, name, attempts, expires_at FROM login_challenges WHERE token_hash = ?", &st,
	    e);
	if (rc)
		return rc;
	store_bind(st, "b", th, (size_t)32);
	rc = store_step(st, e);
	char now[21];
	time_iso(time_now(), now);
	bool live = false;
	if (rc == STORE_ROW) {
		*uid = store_col_int(st, 0);
		*setup = strcmp(store_col_text(st, 1), "setup") == 0;
		if (api)
			*api = strcmp(store_col_text(st, 2), "api") == 0;
		if (name)
			*name = store_col_text(st, 3) ? arena_strdup(c->a, store_col_text(st, 3)) : NULL;
		if (attempts)
			*attempts = store_col_int(st, 4);
		live = strcmp(store_col_text(st, 5), now) > 0;
	}
	store_done(st);
	if (rc < 0)
		return rc;
	return live ? 0 : err_set(e, ERR_UNAUTHORIZED, "challenge", "%s", gone);
}

int account_challenge(const struct ctx *c, const char *challenge, int64_t *user_id, bool *setup, struct err *e)
{
	unsigned char th[32];
	return load_challenge(c, challenge, th, user_id, setup, NULL, NULL, NULL, e);
}

int account_login_totp(const struct ctx *c, const char *challenge, const char *code, struct account_login_out *out,
		       struct err *e)
{
	memset(out, 0, sizeof *out);
	unsigned char th[32];
	int64_t id = 0, attempts = 0;
	bool setup = false, api = false;
	const char *name = NULL;
	int rc = load_challenge(c, challenge, th, &id, &setup, &api, &name, &attempts, e);
	if (rc)
		return rc;
	struct store_stmt *st;
	rc = store_prepare(c->db, "SELECT username, disabled, coalesce(locked_until, '') FROM users WHERE id = ?", &st,
			   e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	rc = store_step(st, e);
	char username[72] = "", now[21];
	bool blocked = true;
	time_iso(time_now(), now);
	if (rc == STORE_ROW) {
		snprintf(username, sizeof username, "%s", store_col_text(st, 0));
		const char *locked = store_col_text(st, 2);
		blocked = store_col_int(st, 1) || (*locked && strcmp(locked, now) > 0);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	struct actor who = {.user_id = id, .username = username};
	struct ctx cu = *c;
	cu.who = &who;
	rc = store_begin(c->db, e);
	if (rc == 0 && blocked) {
		/* Locked (by wrong codes, say) or disabled since the password step. */
		rc = store_run(c->db, e, "DELETE FROM login_challenges WHERE token_hash = ?", "b", th, (size_t)32);
		txn_finish(c, rc, NULL);
		return err_set(e, ERR_UNAUTHORIZED, NULL, "账号暂不可登录 / the account cannot log in now");
	}
	struct err why = {0};
	int ok = rc == 0 ? twofactor_accept(&cu, id, code, setup, &why) : rc;
	if (ok == ERR_UNAUTHORIZED) {
		/* A wrong (or used) code: counted against the challenge and the account. */
		rc = attempts + 1 >= MAX_FAILED_LOGINS
			 ? store_run(c->db, e, "DELETE FROM login_challenges WHERE token_hash = ?", "b", th, (size_t)32)
			 : store_run(c->db, e,
				     "UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = ?", "b",
				     th, (size_t)32);
		if (rc == 0)
			rc = count_failure(c, id, e);
		if (rc == 0)
			rc = audit_log(&cu, "login_code_failed", "user", id, NULL, NULL, e);
		txn_finish(c, rc, NULL);
		if (e)
			*e = why;
		return ERR_UNAUTHORIZED;
	}
	rc = ok;
	if (rc == 0)
		rc = store_run(c->db, e, "DELETE FROM login_challenges WHERE token_hash = ?", "b", th, (size_t)32);
	if (rc == 0)
		rc = new_session(c, id, username, api, name, out, e);
	if (ok && e && why.code)
		*e = why;
	return txn_finish(c, rc, e);
}

int account_logout(const struct ctx *c, const char *token, struct err *e)
{
	unsigned char th[32];
	token_hash(token, th);
	return store_run(c->db, e, "DELETE FROM sessions WHERE token_hash = ?", "b", th, (size_t)32);
}

int account_tokens(const struct ctx *c, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db,
			       "SELECT rowid, name, created_at, expires_at FROM sessions WHERE user_id = ? AND kind = "
			       "'api' ORDER BY rowid",
			       &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", c->who->user_id);
	json_t *arr = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW)
		json_array_append_new(arr, json_pack("{s:I, s:s?, s:s, s:s}", "id", (json_int_t)store_col_int(st, 0),
						     "name", store_col_text(st, 1), "created_at", store_col_text(st, 2),
						     "expires_at", store_col_text(st, 3)));
	store_done(st);
	*out = arr;
	return rc < 0 ? rc : 0;
}

int account_token_revoke(const struct ctx *c, int64_t id, struct err *e)
{
	int64_t owner = 0;
	int rc = store_int(c->db, e, &owner, "SELECT user_id FROM sessions WHERE rowid = ? AND kind = 'api'", "i", id);
	if (rc == ERR_NOT_FOUND || (rc == 0 && owner != c->who->user_id && !c->who->is_admin))
		return err_set(e, ERR_NOT_FOUND, NULL, "令牌%lld不存在 / token %lld not found", (long long)id,
			       (long long)id);
	if (rc)
		return rc;
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = store_run(c->db, e, "DELETE FROM sessions WHERE rowid = ?", "i", id);
	json_t *before = json_pack("{s:I}", "token_id", (json_int_t)id);
	if (rc == 0)
		rc = audit_log(c, "token_revoke", "user", owner, before, NULL, e);
	json_decref(before);
	return txn_finish(c, rc, e);
}

int account_load_actor(const struct ctx *c, int64_t user_id, struct actor **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(
	    c->db,
	    "SELECT u.username, u.is_admin, u.disabled, coalesce(u.person_id, 0), coalesce(p.household_id, 0), "
	    "coalesce(u.org_id, 0) "
	    "FROM users u LEFT JOIN people p ON p.id = u.person_id WHERE u.id = ?",
	    &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", user_id);
	rc = store_step(st, e);
	struct actor *a = arena_alloc(c->a, sizeof *a);
	int64_t disabled = 0;
	if (rc == STORE_ROW) {
		a->user_id = user_id;
		a->username = arena_strdup(c->a, store_col_text(st, 0));
		a->is_admin = store_col_int(st, 1) != 0;
		disabled = store_col_int(st, 2);
		a->person_id = store_col_int(st, 3);
		a->household_id = store_col_int(st, 4);
		a->org_id = store_col_int(st, 5);
	}
	store_done(st);
	if (rc == STORE_DONE || disabled)
		return err_set(e, ERR_UNAUTHORIZED, NULL, "账号不可用 / account not available");
	if (rc < 0)
		return rc;
	/* Explicit grants, plus access implied by roles the person holds now. */
	rc = store_prepare(
	    c->db,
	    "SELECT g.node_id, n.path, g.access FROM grants g JOIN nodes n ON n.id = g.node_id WHERE g.user_id = ? "
	    "UNION ALL SELECT r.node_id, r.node_path, t.grants FROM roles r JOIN role_types t ON t.code = r.role "
	    "WHERE r.person_id = ? AND r.person_id != 0 AND t.grants IS NOT NULL AND r.start_date <= ? "
	    "AND (r.end_date IS NULL OR r.end_date >= ?) LIMIT 64",
	    &st, e);
	if (rc)
		return rc;
	char today[21];
	time_iso(time_now(), today);
	today[10] = 0;
	store_bind(st, "iitt", user_id, a->person_id, today, today);
	a->grants = arena_alloc(c->a, 64 * sizeof *a->grants);
	while ((rc = store_step(st, e)) == STORE_ROW) {
		struct grant *g = &a->grants[a->ngrants++];
		g->node_id = store_col_int(st, 0);
		g->path = arena_strdup(c->a, store_col_text(st, 1));
		g->access = (enum access)access_parse(store_col_text(st, 2));
	}
	store_done(st);
	if (rc < 0)
		return rc;
	*out = a;
	return 0;
}

int account_actor(const struct ctx *c, const struct account_policy *pol, const char *token, struct actor **out,
		  const char **csrf_out, const char **kind_out, struct err *e)
{
	if (!token || strlen(token) != ACCOUNT_TOKEN_HEX)
		return err_set(e, ERR_UNAUTHORIZED, NULL, "请先登录 / login required");
	unsigned char th[32];
	token_hash(token, th);
	struct store_stmt *st;
	int rc = store_prepare(c->db,
			       "SELECT user_id, csrf, kind, expires_at, coalesce(last_seen, created_at) FROM sessions "
			       "WHERE token_hash = ?",
			       &st, e);
	if (rc)
		return rc;
	store_bind(st, "b", th, (size_t)32);
	rc = store_step(st, e);
	int64_t uid = 0, now = time_now(), seen = now;
	char now_iso[21];
	time_iso(now, now_iso);
	bool expired = false, browser = false;
	if (rc == STORE_ROW) {
		uid = store_col_int(st, 0);
		if (csrf_out)
			*csrf_out = arena_strdup(c->a, store_col_text(st, 1));
		if (kind_out)
			*kind_out = arena_strdup(c->a, store_col_text(st, 2));
		browser = strcmp(store_col_text(st, 2), "session") == 0;
		expired = strcmp(store_col_text(st, 3), now_iso) <= 0;
		seen = time_parse_iso(store_col_text(st, 4));
	}
	store_done(st);
	if (rc < 0)
		return rc;
	if (rc == STORE_DONE || expired)
		return err_set(e, ERR_UNAUTHORIZED, NULL, "登录已失效，请重新登录 / session expired, please log in");
	/* Browser sessions also end when left unused (API tokens serve
	 * integrations that call now and then). last_seen is written at most
	 * once a minute (or half the idle limit, if that is shorter), not on
	 * every request; the limit is counted from that write. */
	int idle = pol ? pol->idle_seconds : 0;
	if (browser && idle > 0) {
		if (seen < 0 || now - seen >= idle) {
			store_run(c->db, NULL, "DELETE FROM sessions WHERE token_hash = ?", "b", th, (size_t)32);
			return err_set(e, ERR_UNAUTHORIZED, NULL,
				       "长时间未操作，请重新登录 / session idle too long, please log in again");
		}
		int64_t every = idle / 2 < 60 ? (int64_t)(idle / 2) : 60;
		if (now - seen >= every && every > 0)
			store_run(c->db, NULL, "UPDATE sessions SET last_seen = ? WHERE token_hash = ?", "tb", now_iso,
				  th, (size_t)32);
	}
	return account_load_actor(c, uid, out, e);
}

json_t *account_actor_json(const struct actor *a)
{
	json_t *grants = json_array();
	for (int i = 0; i < a->ngrants; i++)
		json_array_append_new(grants, json_pack("{s:I, s:s}", "node_id", (json_int_t)a->grants[i].node_id,
							"access", access_name(a->grants[i].access)));
	return json_pack("{s:I, s:s, s:b, s:o, s:I, s:I, s:I}", "id", (json_int_t)a->user_id, "username", a->username,
			 "is_admin", a->is_admin, "grants", grants, "person_id", (json_int_t)a->person_id,
			 "household_id", (json_int_t)a->household_id, "org_id", (json_int_t)a->org_id);
}
