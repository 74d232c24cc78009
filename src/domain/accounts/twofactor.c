/* twofactor.c — enrolling, confirming, checking and turning off TOTP
 * (twofactor.h). */
#include "domain/accounts/twofactor.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/qrpng.h"
#include "base/timeutil.h"
#include "base/totp.h"
#include "domain/core/audit.h"
#include "domain/core/pii.h"
#include "domain/core/rows.h"
#include "store/store.h"

static int self(const struct ctx *c, struct err *e)
{
	if (!c->who || c->who->user_id <= 0)
		return err_set(e, ERR_FORBIDDEN, NULL, "需要登录账号 / an account must be logged in");
	return 0;
}

/* Makes and stores (encrypted, unconfirmed) a new secret for the account. */
static int enrol(const struct ctx *c, int64_t uid, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, "SELECT username, totp_enabled FROM users WHERE id = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", uid);
	rc = store_step(st, e);
	const char *username = rc == STORE_ROW ? arena_strdup(c->a, store_col_text(st, 0)) : NULL;
	bool enabled = rc == STORE_ROW && store_col_int(st, 1);
	store_done(st);
	if (rc < 0)
		return rc;
	if (!username)
		return err_set(e, ERR_NOT_FOUND, NULL, "用户不存在 / user not found");
	if (enabled)
		return err_set(e, ERR_CONFLICT, NULL,
			       "已启用动态验证码，须先停用 / two-factor login is on: turn it off first");
	unsigned char raw[TOTP_SECRET_BYTES];
	randombytes_buf(raw, sizeof raw);
	char secret[64];
	totp_base32_encode(raw, sizeof raw, secret, sizeof secret);
	sodium_memzero(raw, sizeof raw);
	size_t clen = 0;
	unsigned char *cipher = pii_encrypt(c->pii_key, secret, &clen, c->a);
	const char *uri =
	    arena_printf(c->a, "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d",
			 TWOFACTOR_ISSUER, username, secret, TWOFACTOR_ISSUER, TOTP_DIGITS, TOTP_PERIOD);
	unsigned char *png = NULL;
	size_t plen = 0;
	rc = qrpng_render(uri, 6, &png, &plen, e);
	if (rc)
		return rc;
	size_t b64cap = sodium_base64_ENCODED_LEN(plen, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = arena_alloc(c->a, b64cap);
	sodium_bin2base64(b64, b64cap, png, plen, sodium_base64_VARIANT_ORIGINAL);
	free(png);
	/* Enrolment is always the account's own act (logged in, or between
	 * the password and the first code). */
	struct actor who = {.user_id = uid, .username = username};
	struct ctx cu = *c;
	cu.who = &who;
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = store_run(c->db, e, "UPDATE users SET totp_secret = ?, totp_enabled = 0 WHERE id = ?", "bi",
			       cipher, clen, uid);
	if (rc == 0)
		rc = audit_log(&cu, "totp_enrol", "user", uid, NULL, NULL, e);
	rc = txn_finish(c, rc, e);
	if (rc == 0)
		*out = json_pack("{s:s, s:s, s:s}", "secret", secret, "otpauth_uri", uri, "qr_png", b64);
	sodium_memzero(secret, sizeof secret);
	return rc;
}

int twofactor_enrol(const struct ctx *c, json_t **out, struct err *e)
{
	int rc = self(c, e);
	return rc ? rc : enrol(c, c->who->user_id, out, e);
}

int twofactor_enrol_challenge(const struct ctx *c, const char *challenge, json_t **out, struct err *e)
{
	int64_t uid = 0;
	bool setup = false;
	int rc = account_challenge(c, challenge, &uid, &setup, e);
	if (rc)
		return rc;
	if (!setup)
		return err_set(e, ERR_CONFLICT, "challenge",
			       "该账号已启用动态验证码 / this account already has two-factor login");
	return enrol(c, uid, out, e);
}

int twofactor_accept(const struct ctx *c, int64_t user_id, const char *code, bool confirm, struct err *e)
{
	struct store_stmt *st;
	int rc =
	    store_prepare(c->db, "SELECT totp_secret, totp_enabled, totp_last_step FROM users WHERE id = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", user_id);
	rc = store_step(st, e);
	char *secret = NULL;
	bool enabled = false;
	int64_t last = 0;
	if (rc == STORE_ROW) {
		size_t len = 0;
		const unsigned char *blob = store_col_blob(st, 0, &len);
		secret = blob ? pii_decrypt(c->pii_key, blob, len, c->a) : NULL;
		enabled = store_col_int(st, 1) != 0;
		last = store_col_int(st, 2);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	if (confirm && enabled)
		return err_set(e, ERR_CONFLICT, NULL, "已启用动态验证码 / two-factor login is already on");
	if (!secret || (!confirm && !enabled))
		return confirm ? err_set(e, ERR_CONFLICT, NULL, "请先开始绑定 / start the enrolment first")
			       : err_set(e, ERR_UNAUTHORIZED, "code", "未启用动态验证码 / two-factor login is off");
	unsigned char key[TOTP_SECRET_BYTES * 2];
	int klen = totp_base32_decode(secret, key, sizeof key);
	int64_t step = 0;
	bool ok = klen > 0 && totp_check(key, (size_t)klen, code, time_now(), last, &step);
	sodium_memzero(key, sizeof key);
	sodium_memzero(secret, strlen(secret));
	if (!ok)
		return err_set(e, ERR_UNAUTHORIZED, "code", "动态验证码错误或已使用 / wrong or already used code");
	rc = store_run(c->db, e, "UPDATE users SET totp_last_step = ?, totp_enabled = 1 WHERE id = ?", "ii", step,
		       user_id);
	if (rc == 0 && confirm)
		rc = audit_log(c, "totp_enable", "user", user_id, NULL, NULL, e);
	return rc;
}

int twofactor_confirm(const struct ctx *c, const char *code, struct err *e)
{
	int rc = self(c, e);
	if (rc == 0)
		rc = store_begin(c->db, e);
	if (rc)
		return rc;
	rc = twofactor_accept(c, c->who->user_id, code, true, e);
	if (rc == ERR_UNAUTHORIZED)
		rc = err_recode(e, ERR_INVALID, "code");
	return txn_finish(c, rc, e);
}

static int turn_off(const struct ctx *c, int64_t uid, const char *action, struct err *e)
{
	int rc = store_run(c->db, e, "UPDATE users SET totp_secret = NULL, totp_enabled = 0 WHERE id = ?", "i", uid);
	if (rc == 0 && store_changes(c->db) == 0)
		rc = err_set(e, ERR_NOT_FOUND, NULL, "用户不存在 / user not found");
	if (rc == 0)
		rc = store_run(c->db, e, "DELETE FROM login_challenges WHERE user_id = ?", "i", uid);
	if (rc == 0)
		rc = audit_log(c, action, "user", uid, NULL, NULL, e);
	return rc;
}

int twofactor_disable(const struct ctx *c, const struct account_policy *pol, const char *password, const char *code,
		      struct err *e)
{
	int rc = self(c, e);
	if (rc)
		return rc;
	if (c->who->is_admin && pol && pol->require_totp_admin)
		return err_set(e, ERR_FORBIDDEN, NULL,
			       "本系统要求管理员使用动态验证码 / administrators must keep two-factor login here");
	struct store_stmt *st;
	rc = store_prepare(c->db, "SELECT password_hash FROM users WHERE id = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", c->who->user_id);
	rc = store_step(st, e);
	bool ok = rc == STORE_ROW && password &&
		  crypto_pwhash_str_verify(store_col_text(st, 0), password, strlen(password)) == 0;
	store_done(st);
	if (rc < 0)
		return rc;
	if (!ok)
		return err_set(e, ERR_FORBIDDEN, "password", "密码错误 / wrong password");
	rc = store_begin(c->db, e);
	if (rc == 0) {
		rc = twofactor_accept(c, c->who->user_id, code, false, e);
		if (rc == ERR_UNAUTHORIZED)
			rc = err_recode(e, ERR_INVALID, "code");
	}
	if (rc == 0)
		rc = turn_off(c, c->who->user_id, "totp_disable", e);
	return txn_finish(c, rc, e);
}

int twofactor_reset(const struct ctx *c, int64_t user_id, struct err *e)
{
	if (!c->who || !(c->who->is_admin || c->who->user_id == 0))
		return err_set(e, ERR_FORBIDDEN, NULL, "需要管理员权限 / administrator access required");
	int rc = store_begin(c->db, e);
	if (rc == 0)
		rc = turn_off(c, user_id, "totp_reset", e);
	return txn_finish(c, rc, e);
}
