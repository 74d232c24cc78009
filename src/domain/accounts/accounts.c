/* accounts.c — users, grants, login with throttling, sessions and tokens. */
#include "domain/accounts/accounts.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/utf8.h"
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

static int check_password(const char *pw, struct err *e)
{
	if (!pw || !utf8_valid(pw, strlen(pw)) || utf8_len(pw) < 8 || strlen(pw) > 256)
		return err_set(e, ERR_INVALID, "password", "密码至少8位 / password must have at least 8 characters");
	return 0;
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
	int rc = store_int(c->db, e, id, "SELECT id FROM users WHERE username = ?", "t", username);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, "username", "用户“%s”不存在 / no user '%s'", username, username);
	return rc;
}

int account_create(const struct ctx *c, json_t *in, const char *password, json_t **out, struct err *e)
{
	int rc = require_admin(c, e);
	if (rc == 0)
		rc = fields_validate(&ENT_USER, in, true, e);
	if (rc == 0)
		rc = check_password(password, e);
	if (rc)
		return rc;
	const char *u = json_string_value(json_object_get(in, "username"));
	if (strlen(u) < 2)
		return err_set(e, ERR_INVALID, "username", "用户名至少2个字符 / username: at least 2 characters");
	for (const char *p = u; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '.'))
			return err_set(e, ERR_INVALID, "username",
				       "用户名只能包含字母、数字、_-. / username: letters, digits, _-. only");
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
	int rc;
	/* Changing one's own password needs the current one (a stolen session
	 * must not be enough to take the account over). */
	if (!c->who->is_admin || c->who->user_id == id) {
		if (c->who->user_id != 0 && !current)
			return err_set(e, ERR_INVALID, "current_password",
				       "需要当前密码 / current_password is required");
		if (current) {
			struct store_stmt *st;
			rc = store_prepare(c->db, "SELECT password_hash FROM users WHERE id = ?", &st, e);
			if (rc)
				return rc;
			store_bind(st, "i", id);
			bool ok = store_step(st, e) == STORE_ROW &&
				  crypto_pwhash_str_verify(store_col_text(st, 0), current, strlen(current)) == 0;
			store_done(st);
			if (!ok)
				return err_set(e, ERR_FORBIDDEN, "current_password",
					       "当前密码错误 / current password is wrong");
		}
	}
	rc = check_password(password, e);
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

int account_login(const struct ctx *c, const char *username, const char *password, const char *kind, const char *name,
		  char token[ACCOUNT_TOKEN_HEX + 1], char csrf[ACCOUNT_TOKEN_HEX + 1], struct err *e)
{
	const char *bad = "用户名或密码错误 / wrong username or password";
	if (!username || !password || strlen(username) > 64 || strlen(password) > 256)
		return err_set(e, ERR_UNAUTHORIZED, NULL, "%s", bad);
	struct store_stmt *st;
	int rc = store_prepare(c->db,
			       "SELECT id, password_hash, disabled, failed_logins, coalesce(locked_until, '') FROM "
			       "users WHERE username = ?",
			       &st, e);
	if (rc)
		return rc;
	store_bind(st, "t", username);
	rc = store_step(st, e);
	int64_t id = 0, disabled = 0;
	char hash[crypto_pwhash_STRBYTES] = "", locked[32] = "";
	if (rc == STORE_ROW) {
		id = store_col_int(st, 0);
		snprintf(hash, sizeof hash, "%s", store_col_text(st, 1));
		disabled = store_col_int(st, 2);
		snprintf(locked, sizeof locked, "%s", store_col_text(st, 4));
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
		char until[21];
		time_iso(time_now() + LOCK_SECONDS, until);
		rc = store_begin(c->db, e);
		if (rc == 0)
			rc = store_run(
			    c->db, e,
			    /* an expired lock starts the count afresh */
			    "UPDATE users SET failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= "
			    "?1 THEN 1 "
			    "ELSE failed_logins + 1 END, locked_until = CASE WHEN locked_until IS NOT NULL AND "
			    "locked_until <= ?1 "
			    "THEN NULL WHEN failed_logins + 1 >= ?2 THEN ?3 ELSE locked_until END WHERE id = ?4",
			    "titi", now, (int64_t)MAX_FAILED_LOGINS, until, id);
		if (rc == 0)
			rc = audit_log(c, "login_failed", "user", id, NULL, NULL, e);
		txn_finish(c, rc, NULL);
		return err_set(e, ERR_UNAUTHORIZED, NULL, "%s", bad);
	}
	bool api = kind && strcmp(kind, "api") == 0;
	random_hex(token);
	random_hex(csrf);
	unsigned char th[32];
	token_hash(token, th);
	char exp[21];
	time_iso(time_now() + (api ? API_TOKEN_SECONDS : SESSION_SECONDS), exp);
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = store_run(c->db, e, "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", "i",
			       id);
	if (rc == 0)
		rc = store_run(c->db, e,
			       "INSERT INTO sessions (token_hash, user_id, kind, name, csrf, created_at, expires_at) "
			       "VALUES (?, ?, ?, ?, ?, ?, ?)",
			       "bittttt", th, (size_t)32, id, api ? "api" : "session", name, csrf, now, exp);
	if (rc == 0) {
		struct actor who = {.user_id = id, .username = username};
		struct ctx c2 = *c;
		c2.who = &who;
		rc = audit_log(&c2, api ? "token_create" : "login", "user", id, NULL, NULL, e);
	}
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

int account_actor(const struct ctx *c, const char *token, struct actor **out, const char **csrf_out,
		  const char **kind_out, struct err *e)
{
	if (!token || strlen(token) != ACCOUNT_TOKEN_HEX)
		return err_set(e, ERR_UNAUTHORIZED, NULL, "请先登录 / login required");
	unsigned char th[32];
	token_hash(token, th);
	struct store_stmt *st;
	int rc =
	    store_prepare(c->db, "SELECT user_id, csrf, kind, expires_at FROM sessions WHERE token_hash = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "b", th, (size_t)32);
	rc = store_step(st, e);
	int64_t uid = 0;
	char now[21];
	time_iso(time_now(), now);
	bool expired = false;
	if (rc == STORE_ROW) {
		uid = store_col_int(st, 0);
		if (csrf_out)
			*csrf_out = arena_strdup(c->a, store_col_text(st, 1));
		if (kind_out)
			*kind_out = arena_strdup(c->a, store_col_text(st, 2));
		expired = strcmp(store_col_text(st, 3), now) <= 0;
	}
	store_done(st);
	if (rc < 0)
		return rc;
	if (rc == STORE_DONE || expired)
		return err_set(e, ERR_UNAUTHORIZED, NULL, "登录已失效，请重新登录 / session expired, please log in");
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
