/*
 * test_accounts.c — unit tests for src/domain/accounts: creating accounts,
 * logging in and out, session tokens and their expiry, the lockout after
 * failed logins, and the actor an account acts as: the access its current
 * roles imply (src/domain/roles) plus its explicit grants. Each test runs
 * over a fresh migrated SQLite database as the system actor.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "domain/accounts/accounts.h"
#include "domain/core/ctx.h"
#include "domain/core/pii.h"
#include "domain/people/registry.h"
#include "domain/roles/roles.h"
#include "store/store.h"
#include "unit_domain.h"

static bool is_lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return true;
}

static int64_t make_user(struct unit_db *u, const char *username, const char *password, int64_t person)
{
	json_t *in = json_pack("{s:s, s:s}", "username", username, "display_name", "测试用户");
	if (person)
		json_object_set_new(in, "person_id", json_integer(person));
	json_t *out = NULL;
	struct err e = {0};
	int rc = account_create(&u->c, in, password, &out, &e);
	json_decref(in);
	if (rc)
		print_error("account_create: %s (%s)\n", e.msg, e.field);
	assert_int_equal(rc, 0);
	int64_t id = jint(out, "id");
	assert_null(json_object_get(out, "password_hash"));
	json_decref(out);
	return id;
}

/* account_login for an account without two-factor login: token and csrf
 * copied out as before the second step existed. */
static int login(struct unit_db *u, const char *user, const char *pw, const char *kind, const char *name,
		 char tok[ACCOUNT_TOKEN_HEX + 1], char csrf[ACCOUNT_TOKEN_HEX + 1], struct err *e)
{
	struct account_login_out out;
	int rc = account_login(&u->c, NULL, user, pw, kind, name, &out, e);
	if (rc == 0) {
		assert_int_equal(out.step, ACCOUNT_LOGGED_IN);
		memcpy(tok, out.token, ACCOUNT_TOKEN_HEX + 1);
		memcpy(csrf, out.csrf, ACCOUNT_TOKEN_HEX + 1);
	}
	return rc;
}

static void test_account_login_and_actor(void **state)
{
	struct unit_db *u = *state;
	struct err e = {0};
	int64_t uid = make_user(u, "zhang.san", "correct horse 马", 0);
	char tok[ACCOUNT_TOKEN_HEX + 1], csrf[ACCOUNT_TOKEN_HEX + 1];

	/* Duplicate name, weak password, bad characters. */
	json_t *in = json_pack("{s:s, s:s}", "username", "zhang.san", "display_name", "x");
	json_t *out = NULL;
	err_clear(&e);
	assert_int_equal(account_create(&u->c, in, "another password", &out, &e), ERR_CONFLICT);
	assert_string_equal(e.field, "username");
	json_decref(in);
	in = json_pack("{s:s, s:s}", "username", "li.si", "display_name", "x");
	assert_int_equal(account_create(&u->c, in, "short", &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "password");
	json_decref(in);
	in = json_pack("{s:s, s:s}", "username", "li si", "display_name", "x");
	assert_int_equal(account_create(&u->c, in, "long enough pw", &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "username");
	json_decref(in);
	assert_int_equal(unit_qi0(u, "SELECT count(*) FROM users"), 1);

	/* Success: 64 lower-case hex characters each, and different. */
	assert_int_equal(login(u, "zhang.san", "correct horse 马", NULL, NULL, tok, csrf, &e), 0);
	assert_true(is_lower_hex(tok, ACCOUNT_TOKEN_HEX));
	assert_true(is_lower_hex(csrf, ACCOUNT_TOKEN_HEX));
	assert_string_not_equal(tok, csrf);
	/* Only a hash of the token is stored. */
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM sessions WHERE user_id = ?", uid), 1);
	assert_int_equal(unit_qi(u, "SELECT length(token_hash) FROM sessions WHERE user_id = ?", uid), 32);
	assert_string_equal(unit_qs(u, "SELECT kind FROM sessions WHERE user_id = ?", uid), "session");

	/* The token resolves to the account. */
	struct actor *a = NULL;
	const char *got_csrf = NULL, *kind = NULL;
	assert_int_equal(account_actor(&u->c, NULL, tok, &a, &got_csrf, &kind, &e), 0);
	assert_int_equal(a->user_id, uid);
	assert_string_equal(a->username, "zhang.san");
	assert_false(a->is_admin);
	assert_int_equal(a->ngrants, 0);
	assert_string_equal(got_csrf, csrf);
	assert_string_equal(kind, "session");

	/* Wrong password, unknown user, bad or altered tokens. */
	assert_int_equal(login(u, "zhang.san", "wrong horse", NULL, NULL, tok, csrf, &e), ERR_UNAUTHORIZED);
	assert_int_equal(login(u, "nobody", "correct horse 马", NULL, NULL, tok, csrf, &e), ERR_UNAUTHORIZED);
	assert_int_equal(login(u, NULL, "x", NULL, NULL, tok, csrf, &e), ERR_UNAUTHORIZED);
	char forged[ACCOUNT_TOKEN_HEX + 1];
	memcpy(forged, tok, sizeof forged);
	forged[0] = forged[0] == 'a' ? 'b' : 'a';
	assert_int_equal(account_actor(&u->c, NULL, forged, &a, NULL, NULL, &e), ERR_UNAUTHORIZED);
	assert_int_equal(account_actor(&u->c, NULL, "abc", &a, NULL, NULL, &e), ERR_UNAUTHORIZED);
	assert_int_equal(account_actor(&u->c, NULL, NULL, &a, NULL, NULL, &e), ERR_UNAUTHORIZED);
	assert_int_equal(account_actor(&u->c, NULL, tok, &a, NULL, NULL, &e), 0); /* still good */

	/* Sessions last 12 hours. */
	time_set_fake(unit_t0() + 12 * 3600 - 60);
	assert_int_equal(account_actor(&u->c, NULL, tok, &a, NULL, NULL, &e), 0);
	time_set_fake(unit_t0() + 12 * 3600 + 1);
	assert_int_equal(account_actor(&u->c, NULL, tok, &a, NULL, NULL, &e), ERR_UNAUTHORIZED);
	time_set_fake(unit_t0());

	/* Logging out ends it. */
	char tok2[ACCOUNT_TOKEN_HEX + 1], csrf2[ACCOUNT_TOKEN_HEX + 1];
	assert_int_equal(login(u, "zhang.san", "correct horse 马", "api", "脚本", tok2, csrf2, &e), 0);
	assert_string_not_equal(tok2, tok);
	assert_int_equal(account_actor(&u->c, NULL, tok2, &a, NULL, &kind, &e), 0);
	assert_string_equal(kind, "api");
	assert_int_equal(account_logout(&u->c, tok2, &e), 0);
	assert_int_equal(account_actor(&u->c, NULL, tok2, &a, NULL, NULL, &e), ERR_UNAUTHORIZED);
}

static void test_account_lockout(void **state)
{
	struct unit_db *u = *state;
	struct err e = {0};
	int64_t uid = make_user(u, "wang", "the right password", 0);
	char tok[ACCOUNT_TOKEN_HEX + 1], csrf[ACCOUNT_TOKEN_HEX + 1];

	for (int i = 1; i <= 5; i++) {
		assert_int_equal(login(u, "wang", "a wrong password", NULL, NULL, tok, csrf, &e), ERR_UNAUTHORIZED);
		assert_int_equal(unit_qi(u, "SELECT failed_logins FROM users WHERE id = ?", uid), i);
	}
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM audit WHERE action = 'login_failed' AND entity_id = ?", uid),
			 5);
	assert_string_equal(unit_qs(u, "SELECT locked_until FROM users WHERE id = ?", uid), "2024-06-15T12:15:00Z");
	/* Locked: even the right password is refused. Since 7d3729c ("uniform
	 * login refusals") a locked account answers exactly like a wrong
	 * password (ERR_UNAUTHORIZED, not ERR_RATE) so the answer does not
	 * reveal which accounts exist; the lock shows in the audit trail. */
	err_clear(&e);
	assert_int_equal(login(u, "wang", "the right password", NULL, NULL, tok, csrf, &e), ERR_UNAUTHORIZED);
	assert_int_equal(e.code, ERR_UNAUTHORIZED);
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM sessions WHERE user_id = ?", uid), 0);
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM audit WHERE action = 'login_locked' AND entity_id = ?", uid),
			 1);
	time_set_fake(unit_t0() + 14 * 60);
	assert_int_equal(login(u, "wang", "the right password", NULL, NULL, tok, csrf, &e), ERR_UNAUTHORIZED);
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM sessions WHERE user_id = ?", uid), 0);
	/* The refusal while locked does not extend the lock. */
	assert_int_equal(unit_qi(u, "SELECT failed_logins FROM users WHERE id = ?", uid), 5);
	/* After 15 minutes the right password works and clears the counter. */
	time_set_fake(unit_t0() + 16 * 60);
	assert_int_equal(login(u, "wang", "the right password", NULL, NULL, tok, csrf, &e), 0);
	assert_int_equal(unit_qi(u, "SELECT failed_logins FROM users WHERE id = ?", uid), 0);
	assert_int_equal(unit_qi(u, "SELECT locked_until IS NULL FROM users WHERE id = ?", uid), 1);
	time_set_fake(unit_t0());
}

static void test_account_role_implied_grants(void **state)
{
	struct unit_db *u = *state;
	struct unit_small_tree t = unit_small_tree(u);
	struct err e = {0};
	int64_t l1 = unit_make_node(u, t.g1, "circle", "一邻");
	int64_t h = unit_make_household(u, t.g1, "1栋", "owned");
	int64_t p = unit_make_person(u, h, "网格员小王", NULL, NULL);
	int64_t other = unit_make_person(u, h, "邻居", NULL, NULL);

	/* grid_worker (implies worker) at G1, now; a mediator role (implies
	 * nothing); a future grid_leader term; a finished group_head term. */
	const char *roles[][5] = {{"grid_worker", "2024-01-01", NULL, "g1"},
				  {"mediator", "2024-01-01", NULL, "g2"},
				  {"grid_leader", "2025-01-01", NULL, "g2"},
				  {"group_head", "2020-01-01", "2023-12-31", "a"}};
	for (size_t i = 0; i < 4; i++) {
		int64_t node = strcmp(roles[i][3], "g1") == 0 ? t.g1 : strcmp(roles[i][3], "g2") == 0 ? t.g2 : t.a;
		json_t *in = json_pack("{s:I, s:I, s:s, s:s}", "node_id", (json_int_t)node, "person_id", (json_int_t)p,
				       "role", roles[i][0], "start_date", roles[i][1]);
		if (roles[i][2])
			json_object_set_new(in, "end_date", json_string(roles[i][2]));
		json_t *out = NULL;
		int rc = roles_create(&u->c, in, &out, &e);
		if (rc)
			print_error("roles_create %s: %s\n", roles[i][0], e.msg);
		assert_int_equal(rc, 0);
		json_decref(in);
		json_decref(out);
	}
	int64_t uid = make_user(u, "xiaowang", "grid worker pw", p);

	struct actor *a = NULL;
	assert_int_equal(account_load_actor(&u->c, uid, &a, &e), 0);
	assert_int_equal(a->person_id, p);
	assert_int_equal(a->household_id, h);
	assert_int_equal(a->ngrants, 1);
	assert_int_equal(a->grants[0].node_id, t.g1);
	assert_string_equal(a->grants[0].path, unit_path_of(u, t.g1));
	assert_int_equal(a->grants[0].access, ACC_WORKER);
	assert_int_equal(authz_access(a, unit_path_of(u, t.g1)), ACC_WORKER);
	assert_int_equal(authz_access(a, unit_path_of(u, l1)), ACC_WORKER);
	assert_int_equal(authz_access(a, unit_path_of(u, t.g2)), ACC_NONE);
	assert_int_equal(authz_access(a, unit_path_of(u, t.a)), ACC_NONE);

	/* The same through a login token. */
	char tok[ACCOUNT_TOKEN_HEX + 1], csrf[ACCOUNT_TOKEN_HEX + 1];
	assert_int_equal(login(u, "xiaowang", "grid worker pw", NULL, NULL, tok, csrf, &e), 0);
	struct actor *b = NULL;
	assert_int_equal(account_actor(&u->c, NULL, tok, &b, NULL, NULL, &e), 0);
	assert_int_equal(b->ngrants, 1);
	assert_int_equal(authz_access(b, unit_path_of(u, t.g1)), ACC_WORKER);

	/* The grid worker may register residents at G1, not at G2, and may
	 * not reveal personal data (officer). */
	struct ctx wc = u->c;
	wc.who = a;
	wc.client = "worker";
	json_t *in = json_pack("{s:I, s:s}", "node_id", (json_int_t)t.g1, "address", "2栋");
	json_t *out = NULL;
	assert_int_equal(household_create(&wc, in, &out, &e), 0);
	json_decref(out);
	json_decref(in);
	in = json_pack("{s:I, s:s}", "node_id", (json_int_t)t.g2, "address", "3栋");
	assert_int_equal(household_create(&wc, in, &out, &e), ERR_FORBIDDEN);
	json_decref(in);
	assert_int_equal(person_get(&wc, other, true, &out, &e), ERR_FORBIDDEN);
	assert_int_equal(person_get(&wc, other, false, &out, &e), 0);
	json_decref(out);
	assert_string_equal(
	    unit_qs(
		u,
		"SELECT username FROM audit WHERE id = (SELECT max(id) FROM audit WHERE client = 'worker' AND ? > 0)",
		1),
	    "xiaowang");

	/* An explicit viewer grant at the community adds to the role. */
	assert_int_equal(account_grant(&u->c, uid, t.c, "viewer", &out, &e), 0);
	json_decref(out);
	assert_int_equal(account_load_actor(&u->c, uid, &a, &e), 0);
	assert_int_equal(a->ngrants, 2);
	assert_int_equal(authz_access(a, unit_path_of(u, t.g2)), ACC_VIEWER);
	assert_int_equal(authz_access(a, unit_path_of(u, t.g1)), ACC_WORKER);

	/* When the term ends, the implied access goes with it. */
	time_set_fake(unit_utc(2025, 3, 1, 0, 0, 0)); /* grid_leader term has begun */
	assert_int_equal(account_load_actor(&u->c, uid, &a, &e), 0);
	assert_int_equal(authz_access(a, unit_path_of(u, t.g2)), ACC_OFFICER);
	time_set_fake(unit_t0());
	int64_t rid = unit_qi(u, "SELECT id FROM roles WHERE role = 'grid_worker' AND person_id = ?", p);
	in = json_pack("{s:s}", "end_date", "2024-06-01");
	assert_int_equal(roles_update(&u->c, rid, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
	assert_int_equal(account_load_actor(&u->c, uid, &a, &e), 0);
	assert_int_equal(a->ngrants, 1);
	assert_int_equal(authz_access(a, unit_path_of(u, t.g1)), ACC_VIEWER);

	/* A disabled account has no actor. */
	in = json_pack("{s:b}", "disabled", 1);
	assert_int_equal(account_update(&u->c, uid, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
	assert_int_equal(account_load_actor(&u->c, uid, &a, &e), ERR_UNAUTHORIZED);
	assert_int_equal(account_actor(&u->c, NULL, tok, &a, NULL, NULL, &e), ERR_UNAUTHORIZED);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	if (pii_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    UNIT_DB_TEST(test_account_login_and_actor),
	    UNIT_DB_TEST(test_account_lockout),
	    UNIT_DB_TEST(test_account_role_implied_grants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
