/*
 * test_auth_policy.c — unit tests for the 等保 controls of src/domain/accounts:
 * usernames unique and found without regard to case (and migration 010
 * refusing a database that already has such a pair), the password policy
 * (a table of bad passwords), the idle limit of browser sessions, and
 * two-factor login: enrolment, the two login steps, a code refused the
 * second time, wrong codes counted towards the lock, turning it off, and
 * administrators made to enrol.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/totp.h"
#include "domain/accounts/accounts.h"
#include "domain/accounts/password.h"
#include "domain/accounts/twofactor.h"
#include "store/store.h"
#include "unit_domain.h"

static int64_t make_user(struct unit_db *u, const char *username, const char *password, bool admin)
{
	json_t *in = json_pack("{s:s, s:s, s:b}", "username", username, "display_name", "测试用户", "is_admin", admin);
	json_t *out = NULL;
	struct err e = {0};
	int rc = account_create(&u->c, in, password, &out, &e);
	json_decref(in);
	if (rc)
		print_error("account_create %s: %s (%s)\n", username, e.msg, e.field);
	assert_int_equal(rc, 0);
	int64_t id = jint(out, "id");
	json_decref(out);
	return id;
}

static void test_username_case(void **state)
{
	struct unit_db *u = *state;
	struct err e = {0};
	int64_t id = make_user(u, "Wang.Wu", "wang wu's password", false);
	/* "wang.wu", "WANG.WU": the same name. */
	static const char *same[] = {"wang.wu", "WANG.WU", "Wang.wu"};
	for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
		json_t *in = json_pack("{s:s, s:s}", "username", same[i], "display_name", "x"), *out = NULL;
		err_clear(&e);
		assert_int_equal(account_create(&u->c, in, "another good password", &out, &e), ERR_CONFLICT);
		assert_string_equal(e.field, "username");
		json_decref(in);
		int64_t found = 0;
		assert_int_equal(account_by_name(&u->c, same[i], &found, &e), 0);
		assert_int_equal(found, id);
		/* Login finds it however it is typed, and the account keeps its own spelling. */
		struct account_login_out lo;
		assert_int_equal(account_login(&u->c, NULL, same[i], "wang wu's password", NULL, NULL, &lo, &e), 0);
		assert_int_equal(lo.user_id, id);
	}
	assert_int_equal(unit_qi0(u, "SELECT count(*) FROM users"), 1);
	assert_int_equal(unit_qi0(u, "SELECT count(*) FROM audit WHERE action = 'login' AND username = 'Wang.Wu'"), 3);
	/* The database refuses it too, whoever writes. */
	assert_int_equal(store_run(u->db, &e,
				   "INSERT INTO users (username, display_name, password_hash, created_at, updated_at) "
				   "VALUES ('WANG.WU', 'x', 'x', 'now', 'now')",
				   ""),
			 ERR_CONFLICT);
}

/* Migration 010 stops, naming the accounts, rather than merge them. */
static void test_migration_refuses_case_duplicates(void **state)
{
	(void)state;
	char *dir = unit_tmpdir(), path[4096];
	snprintf(path, sizeof path, "%s/old.db", dir);
	struct store *s = NULL;
	struct err e = {0};
	assert_int_equal(store_open(path, true, &s, &e), 0);
	assert_int_equal(store_migrate_to(s, 9, &e), 0);
	assert_int_equal(
	    store_exec(s,
		       "INSERT INTO users (username, display_name, password_hash, created_at, updated_at) VALUES "
		       "('admin', 'a', 'x', 'now', 'now'), ('bob', 'b', 'x', 'now', 'now'), "
		       "('Admin', 'c', 'x', 'now', 'now'), ('ADMIN', 'd', 'x', 'now', 'now')",
		       &e),
	    0);
	int before = store_schema_version(s);
	err_clear(&e);
	assert_int_equal(store_migrate(s, &e), ERR_CONFLICT);
	assert_non_null(strstr(e.msg, "migration 10 not applied: admin, Admin, ADMIN"));
	assert_non_null(strstr(e.msg, "differ only in case"));
	assert_int_equal(store_schema_version(s), before);
	/* Renamed by hand (the way the documentation says), it goes through. */
	assert_int_equal(
	    store_exec(s,
		       "UPDATE users SET username = 'admin2' WHERE display_name = 'c'; UPDATE users SET username = "
		       "'admin3' WHERE display_name = 'd'",
		       &e),
	    0);
	assert_int_equal(store_migrate(s, &e), 0);
	assert_true(store_schema_version(s) >= 10);
	store_close(s);
	unit_rmdir(dir);
	free(dir);
}

static void test_password_policy(void **state)
{
	struct unit_db *u = *state;
	/* Each refused, with field "password". */
	static const struct {
		const char *user, *pw;
	} bad[] = {
	    {"zhangsan", "short1!"},           /* under 10 characters */
	    {"zhangsan", "密码太短了"},        /* 5 characters, 15 bytes */
	    {"zhangsan", "123456"},            /* the most common of all */
	    {"zhangsan", "1234567890"},        /* a straight run, and on the list */
	    {"zhangsan", "0987654321"},        /* a run downwards */
	    {"zhangsan", "abcdefghijk"},       /* letters in a row */
	    {"zhangsan", "aaaaaaaaaaaa"},      /* one character repeated */
	    {"zhangsan", "1212121212"},        /* a short pattern repeated */
	    {"zhangsan", "abcabcabcabc"},      /* likewise */
	    {"zhangsan", "woaini1314"},        /* 我爱你一生一世 */
	    {"zhangsan", "WoAiNi1314"},        /* case does not help */
	    {"zhangsan", "woaini5201314"},     /* a listed word with digits appended */
	    {"zhangsan", "a123456789"},        /* Chinese-common */
	    {"zhangsan", "1qaz2wsx3edc"},      /* a keyboard walk */
	    {"zhangsan", "qwertyuiop"},        /* likewise */
	    {"zhangsan", "password123"},       /* John the Ripper's list, with digits */
	    {"zhangsan", "Password2024!"},     /* a listed word, digits and a symbol */
	    {"zhangsan", "iloveyou1314"},      /* listed */
	    {"zhangsan", "zhangsan"},          /* the username (and short) */
	    {"zhangsan2024", "zhangsan2024"},  /* the username */
	    {"ZhangSan2024", "zhangsan2024"},  /* the username in another case */
	    {"zhangsan", "zhangsan2024!"},     /* the username with digits appended */
	    {"zhangsan", "linli123456"},       /* this product's own name */
	    {"zhangsan", "pass\x01word-long"}, /* a control character */
	    {"zhangsan", NULL},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct err e = {0};
		int rc = password_check(bad[i].user, bad[i].pw, &e);
		if (rc != ERR_INVALID)
			print_error("accepted: %s\n", bad[i].pw ? bad[i].pw : "(null)");
		assert_int_equal(rc, ERR_INVALID);
		assert_string_equal(e.field, "password");
	}
	char big[300];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = 0;
	big[0] = 'y'; /* not one character repeated: refused for its length */
	assert_int_equal(password_check("zhangsan", big, NULL), ERR_INVALID);
	/* Accepted. */
	static const char *good[] = {"linli-demo-1", "correct horse 马", "社区网格员自己的登录密码", "Zs-9f2k-Lq7m",
				     "tea at the 居委会"};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		struct err e = {0};
		int rc = password_check("zhangsan", good[i], &e);
		if (rc)
			print_error("refused %s: %s\n", good[i], e.msg);
		assert_int_equal(rc, 0);
	}
	assert_true(password_common("123456"));
	assert_true(password_common("A123456"));
	assert_true(password_common("woaini1314"));
	assert_true(password_common("qwerty"));
	assert_false(password_common("linli-demo-1"));
	/* Applied on create, on a change and on a reset. */
	struct err e = {0};
	json_t *in = json_pack("{s:s, s:s}", "username", "weak", "display_name", "x"), *out = NULL;
	assert_int_equal(account_create(&u->c, in, "woaini1314", &out, &e), ERR_INVALID);
	json_decref(in);
	int64_t id = make_user(u, "lisi", "lisi's good password", false);
	struct actor *me = NULL;
	assert_int_equal(account_load_actor(&u->c, id, &me, &e), 0);
	struct ctx mine = u->c;
	mine.who = me;
	assert_int_equal(account_passwd(&mine, id, "lisi's good password", "a123456789", &e), ERR_INVALID);
	assert_string_equal(e.field, "password");
	assert_int_equal(account_passwd(&u->c, id, NULL, "lisi2024", &e), ERR_INVALID);
	assert_int_equal(account_passwd(&u->c, id, NULL, "lisi's new password", &e), 0);
	assert_int_equal(unit_qi0(u, "SELECT count(*) FROM users WHERE username = 'weak'"), 0);
}

static void test_idle_timeout(void **state)
{
	struct unit_db *u = *state;
	struct err e = {0};
	int64_t uid = make_user(u, "idler", "an idle password", false);
	struct account_policy pol = {.idle_seconds = 600};
	struct account_login_out s, api;
	assert_int_equal(account_login(&u->c, &pol, "idler", "an idle password", NULL, NULL, &s, &e), 0);
	assert_int_equal(account_login(&u->c, &pol, "idler", "an idle password", "api", "job", &api, &e), 0);
	struct actor *a = NULL;
	int64_t t = unit_t0();
	/* Used after 30 s: fine, and not written (less than a minute). */
	time_set_fake(t + 30);
	assert_int_equal(account_actor(&u->c, &pol, s.token, &a, NULL, NULL, &e), 0);
	assert_string_equal(unit_qs(u, "SELECT last_seen FROM sessions WHERE user_id = ? AND kind = 'session'", uid),
			    "2024-06-15T12:00:00Z");
	/* Used after 9 minutes: written. */
	time_set_fake(t + 540);
	assert_int_equal(account_actor(&u->c, &pol, s.token, &a, NULL, NULL, &e), 0);
	assert_string_equal(unit_qs(u, "SELECT last_seen FROM sessions WHERE user_id = ? AND kind = 'session'", uid),
			    "2024-06-15T12:09:00Z");
	/* 18 minutes after login but 9 after the last use: still alive. */
	time_set_fake(t + 1080);
	assert_int_equal(account_actor(&u->c, &pol, s.token, &a, NULL, NULL, &e), 0);
	/* Then 10 minutes unused: over. */
	time_set_fake(t + 1080 + 600);
	err_clear(&e);
	assert_int_equal(account_actor(&u->c, &pol, s.token, &a, NULL, NULL, &e), ERR_UNAUTHORIZED);
	assert_non_null(strstr(e.msg, "idle"));
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM sessions WHERE user_id = ? AND kind = 'session'", uid), 0);
	/* An API token is not a browser session: the idle limit does not apply. */
	assert_int_equal(account_actor(&u->c, &pol, api.token, &a, NULL, NULL, &e), 0);
	/* No policy (or 0): only the 12-hour limit. */
	struct account_login_out s2;
	assert_int_equal(account_login(&u->c, &pol, "idler", "an idle password", NULL, NULL, &s2, &e), 0);
	time_set_fake(t + 1680 + 11 * 3600);
	assert_int_equal(account_actor(&u->c, NULL, s2.token, &a, NULL, NULL, &e), 0);
	time_set_fake(t + 1680 + 12 * 3600);
	assert_int_equal(account_actor(&u->c, NULL, s2.token, &a, NULL, NULL, &e), ERR_UNAUTHORIZED);
	time_set_fake(unit_t0());
}

/* The code an authenticator would show for a step offset from now. */
static void code_for(const char *secret, int delta, char out[7])
{
	unsigned char key[64];
	int n = totp_base32_decode(secret, key, sizeof key);
	assert_int_equal(n, TOTP_SECRET_BYTES);
	snprintf(out, 7, "%06u", totp_code(key, (size_t)n, totp_step(time_now()) + delta, TOTP_DIGITS));
}

/* A code no step of the window has. */
static void wrong_code(const char *secret, char out[7])
{
	for (int v = 0;; v++) {
		snprintf(out, 7, "%06d", v * 111111 % 1000000);
		bool used = false;
		for (int d = -1; d <= 1; d++) {
			char c[7];
			code_for(secret, d, c);
			used = used || strcmp(c, out) == 0;
		}
		if (!used)
			return;
	}
}

static struct ctx as_user(struct unit_db *u, int64_t id)
{
	struct actor *a = NULL;
	struct err e = {0};
	assert_int_equal(account_load_actor(&u->c, id, &a, &e), 0);
	struct ctx c = u->c;
	c.who = a;
	return c;
}

static void test_totp_login(void **state)
{
	struct unit_db *u = *state;
	struct err e = {0};
	int64_t uid = make_user(u, "zhao", "zhao's own password", false);
	struct ctx me = as_user(u, uid);
	json_t *enrol = NULL;
	assert_int_equal(twofactor_enrol(&me, &enrol, &e), 0);
	const char *secret = arena_strdup(&u->a, jstr(enrol, "secret"));
	assert_int_equal(strlen(secret), 32);
	assert_non_null(strstr(jstr(enrol, "otpauth_uri"), "otpauth://totp/linli:zhao?secret="));
	assert_true(strlen(jstr(enrol, "qr_png")) > 100);
	json_decref(enrol);
	/* Stored encrypted: the secret's text is not in the row. */
	int64_t plain = -1;
	assert_int_equal(store_int(u->db, &e, &plain,
				   "SELECT instr(totp_secret, CAST(? AS BLOB)) FROM users WHERE id = ?", "ti", secret,
				   uid),
			 0);
	assert_int_equal(plain, 0);
	/* Not on until confirmed: login is still one step. */
	struct account_login_out lo;
	assert_int_equal(account_login(&u->c, NULL, "zhao", "zhao's own password", NULL, NULL, &lo, &e), 0);
	assert_int_equal(lo.step, ACCOUNT_LOGGED_IN);
	char c0[7], c1[7], cm1[7], bad[7];
	wrong_code(secret, bad);
	code_for(secret, -1, cm1);
	code_for(secret, 0, c0);
	code_for(secret, 1, c1);
	assert_int_equal(twofactor_confirm(&me, bad, &e), ERR_INVALID);
	assert_int_equal(twofactor_confirm(&me, cm1, &e), 0);
	assert_int_equal(unit_qi(u, "SELECT totp_enabled FROM users WHERE id = ?", uid), 1);
	/* Now the password answers a challenge, not a session. */
	assert_int_equal(account_login(&u->c, NULL, "zhao", "zhao's own password", NULL, NULL, &lo, &e), 0);
	assert_int_equal(lo.step, ACCOUNT_NEED_TOTP);
	assert_int_equal(strlen(lo.challenge), ACCOUNT_TOKEN_HEX);
	assert_string_equal(lo.token, "");
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM sessions WHERE user_id = ?", uid), 1);
	char challenge[ACCOUNT_TOKEN_HEX + 1];
	memcpy(challenge, lo.challenge, sizeof challenge);
	/* The confirmation's code cannot be used again; a wrong one fails. */
	struct account_login_out done;
	assert_int_equal(account_login_totp(&u->c, challenge, cm1, &done, &e), ERR_UNAUTHORIZED);
	assert_int_equal(unit_qi(u, "SELECT failed_logins FROM users WHERE id = ?", uid), 1);
	assert_int_equal(account_login_totp(&u->c, challenge, c0, &done, &e), 0);
	assert_int_equal(done.step, ACCOUNT_LOGGED_IN);
	assert_string_equal(done.kind, "session");
	assert_int_equal(unit_qi(u, "SELECT failed_logins FROM users WHERE id = ?", uid), 0);
	/* The challenge is spent; the code is spent. */
	assert_int_equal(account_login_totp(&u->c, challenge, c1, &done, &e), ERR_UNAUTHORIZED);
	assert_int_equal(account_login(&u->c, NULL, "zhao", "zhao's own password", "api", "脚本", &lo, &e), 0);
	memcpy(challenge, lo.challenge, sizeof challenge);
	assert_int_equal(account_login_totp(&u->c, challenge, c0, &done, &e), ERR_UNAUTHORIZED);
	assert_non_null(strstr(e.msg, "already used"));
	assert_int_equal(account_login_totp(&u->c, challenge, c1, &done, &e), 0);
	assert_string_equal(done.kind, "api");
	/* A challenge lasts five minutes. */
	assert_int_equal(account_login(&u->c, NULL, "zhao", "zhao's own password", NULL, NULL, &lo, &e), 0);
	time_set_fake(unit_t0() + ACCOUNT_CHALLENGE_SECONDS);
	assert_int_equal(account_login_totp(&u->c, lo.challenge, c1, &done, &e), ERR_UNAUTHORIZED);
	time_set_fake(unit_t0());
	/* Five wrong codes lock the account, however often the password is sent again. */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(account_login(&u->c, NULL, "zhao", "zhao's own password", NULL, NULL, &lo, &e), 0);
		assert_int_equal(account_login_totp(&u->c, lo.challenge, bad, &done, &e), ERR_UNAUTHORIZED);
	}
	assert_true(unit_qi(u, "SELECT locked_until IS NOT NULL FROM users WHERE id = ?", uid) == 1);
	assert_int_equal(
	    unit_qi(u, "SELECT count(*) FROM audit WHERE action = 'login_code_failed' AND entity_id = ?", uid),
	    7); /* the replays and the five (spent and expired challenges are refused before any code) */
	/* Turning it off: the password and a fresh code. */
	time_set_fake(unit_t0() + 16 * 60);
	code_for(secret, 0, c0);
	assert_int_equal(twofactor_disable(&me, NULL, "wrong password!", c0, &e), ERR_FORBIDDEN);
	assert_int_equal(twofactor_disable(&me, NULL, "zhao's own password", "123456", &e), ERR_INVALID);
	assert_int_equal(twofactor_disable(&me, NULL, "zhao's own password", c0, &e), 0);
	assert_int_equal(unit_qi(u, "SELECT totp_enabled + (totp_secret IS NOT NULL) FROM users WHERE id = ?", uid), 0);
	assert_int_equal(account_login(&u->c, NULL, "zhao", "zhao's own password", NULL, NULL, &lo, &e), 0);
	assert_int_equal(lo.step, ACCOUNT_LOGGED_IN);
	assert_int_equal(unit_qi(u,
				 "SELECT count(*) FROM audit WHERE action IN ('totp_enrol', 'totp_enable', "
				 "'totp_disable') AND entity_id = ?",
				 uid),
			 3);
	time_set_fake(unit_t0());
}

static void test_totp_required_for_admins(void **state)
{
	struct unit_db *u = *state;
	struct err e = {0};
	int64_t uid = make_user(u, "boss", "the boss's password", true);
	make_user(u, "clerk", "the clerk's password", false);
	struct account_policy pol = {.require_totp_admin = true};
	struct account_login_out lo, done;
	/* Others log in as before; the administrator must enrol first. */
	assert_int_equal(account_login(&u->c, &pol, "clerk", "the clerk's password", NULL, NULL, &lo, &e), 0);
	assert_int_equal(lo.step, ACCOUNT_LOGGED_IN);
	assert_int_equal(account_login(&u->c, &pol, "boss", "the boss's password", NULL, NULL, &lo, &e), 0);
	assert_int_equal(lo.step, ACCOUNT_NEED_SETUP);
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM sessions WHERE user_id = ?", uid), 0);
	json_t *enrol = NULL;
	assert_int_equal(twofactor_enrol_challenge(&u->c, "not a challenge", &enrol, &e), ERR_UNAUTHORIZED);
	assert_int_equal(twofactor_enrol_challenge(&u->c, lo.challenge, &enrol, &e), 0);
	const char *secret = arena_strdup(&u->a, jstr(enrol, "secret"));
	json_decref(enrol);
	char c0[7];
	code_for(secret, 0, c0);
	assert_int_equal(account_login_totp(&u->c, lo.challenge, c0, &done, &e), 0);
	assert_int_equal(done.step, ACCOUNT_LOGGED_IN);
	assert_int_equal(unit_qi(u, "SELECT totp_enabled FROM users WHERE id = ?", uid), 1);
	/* From now on, a code each time; and it cannot be turned off here. */
	assert_int_equal(account_login(&u->c, &pol, "boss", "the boss's password", NULL, NULL, &lo, &e), 0);
	assert_int_equal(lo.step, ACCOUNT_NEED_TOTP);
	assert_int_equal(twofactor_enrol_challenge(&u->c, lo.challenge, &enrol, &e), ERR_CONFLICT);
	struct ctx me = as_user(u, uid);
	char c1[7];
	code_for(secret, 1, c1);
	assert_int_equal(twofactor_disable(&me, &pol, "the boss's password", c1, &e), ERR_FORBIDDEN);
	/* Without the setting an administrator who enabled it still must use it. */
	assert_int_equal(account_login(&u->c, NULL, "boss", "the boss's password", NULL, NULL, &lo, &e), 0);
	assert_int_equal(lo.step, ACCOUNT_NEED_TOTP);
	/* A lost phone: an administrator (here the CLI's system actor) resets it. */
	assert_int_equal(twofactor_reset(&me, 999, &e), ERR_NOT_FOUND);
	assert_int_equal(twofactor_reset(&u->c, uid, &e), 0);
	assert_int_equal(account_login(&u->c, NULL, "boss", "the boss's password", NULL, NULL, &lo, &e), 0);
	assert_int_equal(lo.step, ACCOUNT_LOGGED_IN);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	if (pii_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    UNIT_DB_TEST(test_username_case),   cmocka_unit_test(test_migration_refuses_case_duplicates),
	    UNIT_DB_TEST(test_password_policy), UNIT_DB_TEST(test_idle_timeout),
	    UNIT_DB_TEST(test_totp_login),      UNIT_DB_TEST(test_totp_required_for_admins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
