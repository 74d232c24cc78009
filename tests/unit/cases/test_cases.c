/*
 * test_cases.c — unit tests for the case engine (民情诉求): the rule table,
 * routing through the tree, the state machine through case_act with the
 * different actors (resident reporter, 邻长, community director,
 * organisation, stranger), the clocks with an injected time, statistics
 * and the monthly summary, notifications and webhook queueing.
 *
 * Every test runs over a fresh migrated SQLite database in a temporary
 * directory with this tree (levels from migration 002):
 *
 *   S 幸福街道 (street, 2, root)
 *   └ C 幸福社区 (community, 3)            community_director 主任 (manager)
 *     ├ A 东片区 (area, 4)                  — nobody
 *     │ └ G 第一组 (group, 5)               — nobody
 *     │   ├ L 一邻 (circle, 6)              neighbour_head 邻长 (viewer)
 *     │   └ L2 二邻 (circle, 6)             — nobody
 *     └ A2 西片区 (area, 4)                 — nobody
 *
 * Residents: 居民 (the reporter, household at L), 邻长 (household at L),
 * 路人 (a stranger, household at L2), 主任 (household at C).
 * Organisations: 城管科 at C, 物业 at L, 西区物业 at A2; a user of 城管科.
 *
 * The clock is fixed with time_set_fake (t0 = 2024-06-15 12:00:00 UTC) and
 * restored with time_set_fake(0) at teardown.
 *
 * Tests that expose open bugs are marked "BUG:" and fail until fixed; one
 * that would hang runs in a child process with an alarm.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/timeutil.h"
#include "domain/accounts/accounts.h"
#include "domain/cases/case_internal.h"
#include "domain/cases/case_kind.h"
#include "domain/requests/requests.h"
#include "domain/requests/request_stats.h"
#include "domain/cases/cases.h"
#include "domain/core/ctx.h"
#include "domain/core/pii.h"
#include "domain/people/registry.h"
#include "domain/roles/roles.h"
#include "domain/places/tree.h"
#include "domain/integration/webhooks.h"
#include "store/store.h"
#include "unit_domain.h"

#define H 3600

/* ------------------------------------------------------------ fixtures */

struct env {
	struct unit_db u; /* the database, key, arena, system context (user 0, admin) */
	/* the tree (S: the root street) */
	int64_t S, C, A, A2, G, L, L2;
	/* people and their households */
	int64_t hL, hL2, hC, pr, pn, ps, pd;
	/* organisations */
	int64_t org1, org2, org3;
	/* users and their contexts */
	int64_t ur, un, us, ud, uo;
	struct ctx cr, cn, cs, cd, co; /* reporter, 邻长, stranger, director, org */
};

/* The clock all tests start at: 2024-06-15 12:00:00 UTC. */
static int64_t t0(void)
{
	return unit_utc(2024, 6, 15, 12, 0, 0);
}

static const char *iso(struct env *v, int64_t t)
{
	char *s = arena_alloc(&v->u.a, 21);
	time_iso(t, s);
	return s;
}

static int64_t qi(struct env *v, const char *sql, int64_t arg)
{
	return unit_qi(&v->u, sql, arg);
}

static const char *qs(struct env *v, const char *sql, int64_t arg)
{
	return unit_qs(&v->u, sql, arg);
}

/* The event types of a case in timeline order, comma-joined. */
static const char *events_of(struct env *v, int64_t id)
{
	const char *s =
	    qs(v,
	       "SELECT coalesce(group_concat(type, ','), '') FROM (SELECT type FROM case_events WHERE case_id = ? "
	       "ORDER BY id)",
	       id);
	return s ? s : "";
}

static double jreal(json_t *o, const char *k)
{
	json_t *x = json_object_get(o, k);
	if (!json_is_number(x))
		print_error("%s is not a number\n", k);
	assert_true(json_is_number(x));
	return json_number_value(x);
}

static int64_t make_node(struct env *v, int64_t parent, const char *kind, const char *name)
{
	json_t *in = json_pack("{s:I, s:s, s:s}", "parent_id", (json_int_t)parent, "kind", kind, "name", name);
	json_t *out = NULL;
	struct err e = {0};
	int rc = tree_create(&v->u.c, in, &out, &e);
	json_decref(in);
	if (rc)
		print_error("tree_create %s: %s (%s)\n", name, e.msg, e.field);
	assert_int_equal(rc, 0);
	int64_t id = jint(out, "id");
	json_decref(out);
	assert_true(id > 0);
	return id;
}

static int64_t make_household(struct env *v, int64_t node, const char *address)
{
	json_t *in = json_pack("{s:I, s:s, s:s}", "node_id", (json_int_t)node, "address", address, "tenure", "owned");
	json_t *out = NULL;
	struct err e = {0};
	int rc = household_create(&v->u.c, in, &out, &e);
	json_decref(in);
	if (rc)
		print_error("household_create: %s (%s)\n", e.msg, e.field);
	assert_int_equal(rc, 0);
	int64_t id = jint(out, "id");
	json_decref(out);
	return id;
}

static int64_t make_person(struct env *v, int64_t hid, const char *name)
{
	json_t *in = json_pack("{s:I, s:s}", "household_id", (json_int_t)hid, "name", name);
	json_t *out = NULL;
	struct err e = {0};
	int rc = person_create(&v->u.c, in, &out, &e);
	json_decref(in);
	if (rc)
		print_error("person_create %s: %s (%s)\n", name, e.msg, e.field);
	assert_int_equal(rc, 0);
	int64_t id = jint(out, "id");
	json_decref(out);
	return id;
}

static void make_role(struct env *v, int64_t node, int64_t person, const char *role, const char *start, const char *end)
{
	json_t *in = json_pack("{s:I, s:I, s:s, s:s}", "node_id", (json_int_t)node, "person_id", (json_int_t)person,
			       "role", role, "start_date", start);
	if (end)
		json_object_set_new(in, "end_date", json_string(end));
	json_t *out = NULL;
	struct err e = {0};
	int rc = roles_create(&v->u.c, in, &out, &e);
	json_decref(in);
	if (rc)
		print_error("roles_create %s: %s (%s)\n", role, e.msg, e.field);
	assert_int_equal(rc, 0);
	json_decref(out);
}

static int64_t make_org(struct env *v, int64_t node, const char *kind, const char *name)
{
	json_t *in = json_pack("{s:I, s:s, s:s}", "node_id", (json_int_t)node, "kind", kind, "name", name);
	json_t *out = NULL;
	struct err e = {0};
	int rc = orgs_create(&v->u.c, in, &out, &e);
	json_decref(in);
	if (rc)
		print_error("orgs_create %s: %s (%s)\n", name, e.msg, e.field);
	assert_int_equal(rc, 0);
	int64_t id = jint(out, "id");
	json_decref(out);
	return id;
}

/* A user account. account_create hashes the password with argon2id, which
 * takes long under ASan, and these tests never log in: the row is written
 * as account_create writes it, with a hash no password matches. */
static int64_t make_user(struct env *v, const char *username, int64_t person, int64_t org)
{
	struct err e = {0};
	const char *now = iso(v, time_now());
	int rc = store_run(v->u.db, &e,
			   "INSERT INTO users (username, display_name, password_hash, person_id, org_id, created_at, "
			   "updated_at) VALUES (?, ?, '!', nullif(?, 0), nullif(?, 0), ?, ?)",
			   "ttiitt", username, username, person, org, now, now);
	if (rc)
		print_error("insert user %s: %s\n", username, e.msg);
	assert_int_equal(rc, 0);
	return store_last_id(v->u.db);
}

/* A ctx acting as user uid (grants as of now, from roles too). */
static struct ctx actor_ctx(struct env *v, int64_t uid)
{
	struct actor *a = NULL;
	struct err e = {0};
	int rc = account_load_actor(&v->u.c, uid, &a, &e);
	if (rc)
		print_error("account_load_actor %lld: %s\n", (long long)uid, e.msg);
	assert_int_equal(rc, 0);
	struct ctx c = v->u.c;
	c.who = a;
	return c;
}

static int env_open(struct env *v)
{
	memset(v, 0, sizeof *v);
	int rc = unit_db_open(&v->u, NULL, t0());
	v->S = v->u.root;
	return rc;
}

static void build_world(struct env *v)
{
	v->C = make_node(v, v->S, "community", "幸福社区");
	v->A = make_node(v, v->C, "area", "东片区");
	v->A2 = make_node(v, v->C, "area", "西片区");
	v->G = make_node(v, v->A, "group", "第一组");
	v->L = make_node(v, v->G, "circle", "一邻");
	v->L2 = make_node(v, v->G, "circle", "二邻");
	v->hL = make_household(v, v->L, "1栋101");
	v->hL2 = make_household(v, v->L2, "2栋201");
	v->hC = make_household(v, v->C, "社区公房");
	v->pr = make_person(v, v->hL, "居民");
	v->pn = make_person(v, v->hL, "邻长");
	v->ps = make_person(v, v->hL2, "路人");
	v->pd = make_person(v, v->hC, "主任");
	make_role(v, v->L, v->pn, "neighbour_head", "2024-01-01", NULL);
	make_role(v, v->C, v->pd, "community_director", "2024-01-01", NULL);
	v->org1 = make_org(v, v->C, "department", "城管科");
	v->org2 = make_org(v, v->L, "property", "物业");
	v->org3 = make_org(v, v->A2, "property", "西区物业");
	v->ur = make_user(v, "resident", v->pr, 0);
	v->un = make_user(v, "neighbour.head", v->pn, 0);
	v->us = make_user(v, "stranger", v->ps, 0);
	v->ud = make_user(v, "director", v->pd, 0);
	v->uo = make_user(v, "chengguan", 0, v->org1);
	v->cr = actor_ctx(v, v->ur);
	v->cn = actor_ctx(v, v->un);
	v->cs = actor_ctx(v, v->us);
	v->cd = actor_ctx(v, v->ud);
	v->co = actor_ctx(v, v->uo);
	/* The kinds of actor the engine tells apart. */
	assert_int_equal(v->cr.who->ngrants, 0);
	assert_int_equal(v->cr.who->household_id, v->hL);
	assert_int_equal(v->cn.who->ngrants, 1);
	assert_int_equal(v->co.who->org_id, v->org1);
}

static void env_close(struct env *v)
{
	unit_db_close(&v->u);
}

static int setup_bare(void **state)
{
	struct env *v = calloc(1, sizeof *v);
	if (!v || env_open(v) != 0) {
		free(v);
		return -1;
	}
	*state = v;
	return 0;
}

static int setup(void **state)
{
	if (setup_bare(state))
		return -1;
	build_world(*state);
	return 0;
}

static int teardown(void **state)
{
	struct env *v = *state;
	if (v) {
		env_close(v);
		free(v);
	}
	time_set_fake(0);
	return 0;
}

/* ------------------------------------------------------------- helpers */

/* Creates a case as actor c; in is stolen. Returns the id. */
static int64_t create_as(const struct ctx *c, json_t *in)
{
	json_t *out = NULL;
	struct err e = {0};
	int rc = case_create(c, &REQUEST_KIND, in, &out, &e);
	json_decref(in);
	if (rc)
		print_error("case_create: %s (%s)\n", e.msg, e.field);
	assert_int_equal(rc, 0);
	int64_t id = jint(out, "id");
	json_decref(out);
	assert_true(id > 0);
	return id;
}

/* The resident reports from home (channel self). */
static int64_t report(struct env *v, const char *category, const char *desc)
{
	return create_as(&v->cr, json_pack("{s:s, s:s}", "category", category, "description", desc));
}

/* The system records a case at a place. */
static int64_t record_at(struct env *v, int64_t place, const char *category)
{
	return create_as(&v->u.c, json_pack("{s:s, s:s, s:I}", "category", category, "description", "系统登记的诉求",
					    "place_node_id", (json_int_t)place));
}

/* Applies an action; in is stolen (NULL = {}); returns rc, err in *e. */
static int try_act(const struct ctx *c, int64_t id, const char *action, json_t *in, struct err *e)
{
	if (!in)
		in = json_object();
	json_t *out = NULL;
	err_clear(e);
	int rc = case_act(c, id, action, in, &out, e);
	json_decref(in);
	json_decref(out);
	return rc;
}

/* Applies an action that must succeed. */
static void act(const struct ctx *c, int64_t id, const char *action, json_t *in)
{
	struct err e = {0};
	int rc = try_act(c, id, action, in, &e);
	if (rc)
		print_error("case_act %s: %d %s (%s)\n", action, rc, e.msg, e.field);
	assert_int_equal(rc, 0);
}

static const char *status_of(struct env *v, int64_t id)
{
	return qs(v, "SELECT status FROM cases WHERE id = ?", id);
}

static int64_t node_of(struct env *v, int64_t id)
{
	return qi(v, "SELECT node_id FROM cases WHERE id = ?", id);
}

static int64_t notifs(struct env *v, int64_t user)
{
	return qi(v, "SELECT count(*) FROM notifications WHERE user_id = ?", user);
}

static json_t *tick(struct env *v, int64_t now)
{
	time_set_fake(now); /* as `linli clock --at` does */
	json_t *r = NULL;
	struct err e = {0};
	int rc = case_tick(&v->u.c, now, &r, &e);
	if (rc)
		print_error("case_tick: %s\n", e.msg);
	assert_int_equal(rc, 0);
	assert_non_null(r);
	return r;
}

/* Ticks and checks the report's three counts. */
static void tick_expect(struct env *v, int64_t now, int escalated, int flagged, int closed)
{
	json_t *r = tick(v, now);
	if (jint(r, "escalated") != escalated || jint(r, "flagged_overdue") != flagged ||
	    jint(r, "auto_closed") != closed)
		print_error("tick at %s: escalated %lld flagged %lld closed %lld; want %d %d %d\n", jstr(r, "at"),
			    (long long)jint(r, "escalated"), (long long)jint(r, "flagged_overdue"),
			    (long long)jint(r, "auto_closed"), escalated, flagged, closed);
	assert_string_equal(jstr(r, "at"), iso(v, now));
	assert_int_equal(jint(r, "escalated"), escalated);
	assert_int_equal(jint(r, "flagged_overdue"), flagged);
	assert_int_equal(jint(r, "auto_closed"), closed);
	json_decref(r);
}

/* ----------------------------------------------------------- rule table */

static void test_rules_find(void **state)
{
	(void)state;
	const char *actions[] = {"accept",  "note",     "ask",   "reply", "handover", "org_done",
				 "resolve", "escalate", "close", "merge", "rate",     "publish"};
	for (size_t i = 0; i < sizeof actions / sizeof *actions; i++) {
		const struct case_action *r = case_kind_action(&REQUEST_KIND, actions[i]);
		assert_non_null(r);
		assert_string_equal(r->code, actions[i]);
	}
	/* Unknown kind or action. */
	assert_null(case_kind_action(&REQUEST_KIND, "fly"));
	assert_null(case_kind_action(&REQUEST_KIND, ""));
	assert_null(case_kind_action(&REQUEST_KIND, "Accept"));
	assert_null(case_kind_action(&REQUEST_KIND, "accepted"));
	assert_null(case_kind_action(case_kind_find("dispute"), "accept"));
	assert_null(case_kind_action(case_kind_find(""), "accept"));
	assert_null(case_kind_action(case_kind_find(NULL), "accept"));
	assert_null(case_kind_find("requests"));
	assert_ptr_equal(case_kind_by_path("requests"), &REQUEST_KIND);
	assert_ptr_equal(case_kind_find("request"), &REQUEST_KIND);

	/* Resulting states and who may act. */
	const struct case_action *r = case_kind_action(&REQUEST_KIND, "accept");
	assert_string_equal(r->to, "accepted");
	assert_int_equal(r->who, WHO_HANDLER);
	assert_string_equal(case_kind_action(&REQUEST_KIND, "ask")->to, "waiting");
	assert_string_equal(case_kind_action(&REQUEST_KIND, "reply")->to, "accepted");
	assert_int_equal(case_kind_action(&REQUEST_KIND, "reply")->who, WHO_REPORTER);
	assert_string_equal(case_kind_action(&REQUEST_KIND, "handover")->to, "referred");
	assert_string_equal(case_kind_action(&REQUEST_KIND, "resolve")->to, "resolved");
	/* Escalation starts again in the kind's first state, at the level above. */
	assert_null(case_kind_action(&REQUEST_KIND, "escalate")->to);
	assert_string_equal(REQUEST_KIND.states[0].code, "new");
	assert_string_equal(case_kind_action(&REQUEST_KIND, "close")->to, "closed");
	assert_string_equal(case_kind_action(&REQUEST_KIND, "merge")->to, "closed");
	assert_null(case_kind_action(&REQUEST_KIND, "rate")->to);
	assert_null(case_kind_action(&REQUEST_KIND, "note")->to);
	assert_int_equal(case_kind_action(&REQUEST_KIND, "rate")->who, WHO_REPORTER);
	/* The lead organisation may resolve; a joint one may not. */
	unsigned res = case_kind_action(&REQUEST_KIND, "resolve")->who;
	assert_true(res & WHO_ORG_LEAD);
	assert_false(res & WHO_ORG);
	assert_false(res & WHO_REPORTER);
	assert_true(case_kind_action(&REQUEST_KIND, "note")->who & WHO_ORG);
	assert_false(case_kind_action(&REQUEST_KIND, "accept")->who & (WHO_ORG | WHO_ORG_LEAD | WHO_REPORTER));
}

/* Every registered kind is well formed: states with phases, one of them
 * closed; each action applies only in the kind's states, leads to one of
 * them, has an effect, a who and a field table for its input; codes are
 * unique; the kind's resource path finds it. */
static void test_kinds_well_formed(void **state)
{
	(void)state;
	assert_non_null(case_kinds[0]);
	for (int i = 0; case_kinds[i]; i++) {
		const struct case_kind *k = case_kinds[i];
		assert_ptr_equal(case_kind_find(k->code), k);
		assert_ptr_equal(case_kind_by_path(k->path), k);
		assert_non_null(case_kind_first(k, CASE_CLOSED));
		assert_int_equal(k->states[0].phase, CASE_OPEN);
		for (const struct case_state *st = k->states; st->code; st++) {
			assert_ptr_equal(case_kind_state(k, st->code), st);
			assert_true(st->phase >= CASE_OPEN && st->phase <= CASE_CLOSED);
		}
		for (const struct case_action *a = k->actions; a->code; a++) {
			assert_ptr_equal(case_kind_action(k, a->code), a);
			assert_non_null(a->effect);
			assert_true(a->who != 0);
			assert_true(a->ninput >= 0 && (a->ninput == 0 || a->input));
			if (a->to)
				assert_non_null(case_kind_state(k, a->to));
			if (a->flags & ACT_CONFIRM)
				assert_true(a->confirm_zh && a->confirm_en);
			/* every word of `from` is a state of the kind */
			char buf[256];
			snprintf(buf, sizeof buf, "%s", a->from);
			char *save = NULL;
			int n = 0;
			for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save), n++) {
				if (!case_kind_state(k, w))
					print_error("%s.%s applies in unknown state '%s'\n", k->code, a->code, w);
				assert_non_null(case_kind_state(k, w));
			}
			assert_true(n > 0);
		}
	}
}

static void test_rules_allows(void **state)
{
	(void)state;
	static const char *const states[] = {"new", "accepted", "waiting", "referred", "resolved", "closed"};
	/* action: the states it applies in, as a bit per states[] entry. */
	static const struct {
		const char *action;
		unsigned from;
	} want[] = {{"accept", 1 | 4},
		    {"note", 1 | 2 | 4 | 8 | 16},
		    {"ask", 1 | 2 | 8},
		    {"reply", 4},
		    {"handover", 1 | 2 | 4},
		    {"org_done", 8},
		    {"resolve", 1 | 2 | 4 | 8},
		    {"escalate", 1 | 2 | 4 | 8},
		    {"close", 1 | 2 | 4 | 8 | 16},
		    {"merge", 1 | 2 | 4 | 8},
		    {"rate", 16},
		    {"publish", 63}};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		const struct case_action *r = case_kind_action(&REQUEST_KIND, want[i].action);
		assert_non_null(r);
		for (int s = 0; s < 6; s++) {
			bool got = case_action_allows(r, states[s]), exp = (want[i].from >> s) & 1;
			if (got != exp)
				print_error("%s from %s: got %d, want %d\n", want[i].action, states[s], got, exp);
			assert_int_equal(got, exp);
		}
	}
	/* Only whole words match: a part of a listed state is not that state. */
	const struct case_action *note = case_kind_action(&REQUEST_KIND, "note");
	const char *parts[] = {"ne",     "ew",      "accept", "ccepted", "cepte", "wait", "waitin", "aiting", "refer",
			       "ferred", "resolve", "solved", "d",       "renew", "news", "closed", " new",   "new "};
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		if (case_action_allows(note, parts[i]))
			print_error("note allows '%s'\n", parts[i]);
		assert_false(case_action_allows(note, parts[i]));
	}
	/* A state inside a longer word is skipped, and the scan goes on. */
	struct case_action r1 = {.code = "x", .from = "renew", .who = WHO_HANDLER};
	assert_false(case_action_allows(&r1, "new"));
	assert_false(case_action_allows(&r1, "ren"));
	assert_true(case_action_allows(&r1, "renew"));
	struct case_action r2 = {.code = "x", .from = "renew new", .who = WHO_HANDLER};
	assert_true(case_action_allows(&r2, "new"));
	assert_true(case_action_allows(&r2, "renew"));
	assert_false(case_action_allows(&r2, "ene"));
	struct case_action r3 = {.code = "x", .from = "newer renewed new_ new", .who = WHO_HANDLER};
	assert_true(case_action_allows(&r3, "new"));
	struct case_action r4 = {.code = "x", .from = "newer renewed new_", .who = WHO_HANDLER};
	assert_false(case_action_allows(&r4, "new"));
	assert_true(case_action_allows(&r4, "new_"));
}

static int allows_empty_child(void *arg)
{
	(void)arg;
	alarm(2); /* a hang ends the child by SIGALRM */
	bool ok = case_action_allows(case_kind_action(&REQUEST_KIND, "accept"), "");
	return ok ? 1 : 0;
}

/* BUG: case_action_allows(r, "") never returns: strstr(p, "") is p and the
 * scan advances by strlen("") = 0 (src/domain/case_rules.c:40-41). An
 * empty state is in no list, so the answer must be false, at once. */
static void test_rules_allows_empty_status_terminates(void **state)
{
	(void)state;
	char buf[64];
	int st = unit_run_child(allows_empty_child, NULL);
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		print_error("case_action_allows(r, \"\"): %s\n", unit_status_text(st, buf, sizeof buf));
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* -------------------------------------------------------------- routing */

static int64_t route(struct env *v, int64_t place, int level)
{
	int64_t node = -1;
	struct err e = {0};
	int rc = case_route(&v->u.c, place, level, &node, &e);
	if (rc)
		print_error("case_route: %s\n", e.msg);
	assert_int_equal(rc, 0);
	return node;
}

static int64_t parent_target(struct env *v, int64_t node)
{
	int64_t t = -1;
	struct err e = {0};
	assert_int_equal(case_parent_target(&v->u.c, node, &t, &e), 0);
	return t;
}

static void test_route(void **state)
{
	struct env *v = *state;
	/* Level 6 (circle) from a circle with a 邻长: the circle. */
	assert_int_equal(route(v, v->L, 6), v->L);
	/* Without a role holder at the circle: the nearest ancestor with one
	 * (G and A have none: C). */
	assert_int_equal(route(v, v->L2, 6), v->C);
	/* Level 5 (group) from L: L is too deep, G and A have nobody: C. */
	assert_int_equal(route(v, v->L, 5), v->C);
	/* Level 4 (safety) from L: the lowest node of level <= 4 with a holder:
	 * A (level 4) has none, so the community C. */
	assert_int_equal(route(v, v->L, 4), v->C);
	/* Level 2 (street): nobody at S, so the root. */
	assert_int_equal(route(v, v->L, 2), v->S);
	/* Level 0 (city): nothing in the tree is that high: the root. */
	assert_int_equal(route(v, v->L, 0), v->S);
	/* From a place above the level: the place's own line upwards. */
	assert_int_equal(route(v, v->C, 6), v->C);
	assert_int_equal(route(v, v->A2, 6), v->C);
	/* Unknown place. */
	int64_t node = 0;
	struct err e = {0};
	assert_int_not_equal(case_route(&v->u.c, 99999, 6, &node, &e), 0);

	/* case_parent_target skips ancestors without role holders. */
	assert_int_equal(parent_target(v, v->L), v->C);
	assert_int_equal(parent_target(v, v->G), v->C);
	assert_int_equal(parent_target(v, v->C), v->S); /* nobody above: the root */
	assert_int_equal(parent_target(v, v->S), 0);    /* at the top */

	/* An 片长 at A: level 4 now lands at A, level 6 from L2 too, and A is
	 * the parent target of L. */
	int64_t ph = make_person(v, v->hL, "片长");
	make_role(v, v->A, ph, "area_head", "2024-01-01", NULL);
	assert_int_equal(route(v, v->L, 4), v->A);
	assert_int_equal(route(v, v->L2, 6), v->A);
	assert_int_equal(route(v, v->L, 6), v->L);
	assert_int_equal(route(v, v->L, 3), v->C);
	assert_int_equal(parent_target(v, v->L), v->A);
	assert_int_equal(parent_target(v, v->G), v->A);
	assert_int_equal(parent_target(v, v->A), v->C);

	/* Terms that are over, or not begun, do not count. */
	int64_t pg = make_person(v, v->hL, "前组长");
	make_role(v, v->G, pg, "group_head", "2020-01-01", "2024-06-14");
	int64_t pf = make_person(v, v->hL2, "未来邻长");
	make_role(v, v->L2, pf, "neighbour_head", "2024-07-01", NULL);
	assert_int_equal(route(v, v->L, 5), v->A);
	assert_int_equal(route(v, v->L2, 6), v->A);
	assert_int_equal(parent_target(v, v->L), v->A);
	/* On the day the term begins, it counts. */
	time_set_fake(unit_utc(2024, 7, 1, 0, 0, 0));
	assert_int_equal(route(v, v->L2, 6), v->L2);
	time_set_fake(t0());
}

static void test_create_routes_by_category(void **state)
{
	struct env *v = *state;
	/* The resident reports from home: channel self, the circle. */
	json_t *out = NULL;
	struct err e = {0};
	json_t *in = json_pack("{s:s, s:s}", "category", "corridor_light", "description", "三楼楼道灯坏了，晚上很黑");
	assert_int_equal(case_create(&v->cr, &REQUEST_KIND, in, &out, &e), 0);
	json_decref(in);
	int64_t id = jint(out, "id");
	assert_int_equal(jint(out, "node_id"), v->L);
	assert_int_equal(jint(out, "origin_node_id"), v->L);
	assert_int_equal(jint(out, "place_node_id"), v->L);
	assert_string_equal(jstr(out, "status"), "new");
	assert_string_equal(jstr(out, "channel"), "self");
	assert_string_equal(jstr(out, "landed_at"), iso(v, t0()));
	assert_string_equal(jstr(out, "respond_due"), iso(v, t0() + 24 * H));
	assert_string_equal(jstr(out, "resolve_due"), iso(v, t0() + 72 * H));
	json_decref(out);
	assert_int_equal(qi(v, "SELECT reporter_user_id FROM cases WHERE id = ?", id), v->ur);
	assert_int_equal(qi(v, "SELECT reporter_person_id FROM cases WHERE id = ?", id), v->pr);
	assert_string_equal(qs(v, "SELECT origin_path FROM cases WHERE id = ?", id),
			    qs(v, "SELECT path FROM nodes WHERE id = ?", v->L));
	assert_string_equal(events_of(v, id), "reported");

	/* Safety (level 4): the community (A has no holder). */
	int64_t s = report(v, "safety", "消防通道被堵");
	assert_int_equal(node_of(v, s), v->C);
	assert_int_equal(qi(v, "SELECT origin_node_id FROM cases WHERE id = ?", s), v->C);
	assert_string_equal(qs(v, "SELECT resolve_due FROM cases WHERE id = ?", s), iso(v, t0() + 24 * H));
	/* A place in the next circle (no 邻长): the community; channel qr. */
	in = json_pack("{s:s, s:s, s:I}", "category", "noise", "description", "夜里装修", "place_node_id",
		       (json_int_t)v->L2);
	assert_int_equal(case_create(&v->cr, &REQUEST_KIND, in, &out, &e), 0);
	json_decref(in);
	assert_int_equal(jint(out, "node_id"), v->C);
	assert_string_equal(jstr(out, "channel"), "qr");
	json_decref(out);
	/* Unknown category. */
	in = json_pack("{s:s, s:s}", "category", "weather", "description", "下雨");
	assert_int_equal(case_create(&v->cr, &REQUEST_KIND, in, &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "category");
	json_decref(in);
}

/* ------------------------------------------------------- state machine */

static void test_lifecycle(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	const int64_t T = t0();
	int64_t id = report(v, "corridor_light", "三楼楼道灯坏了");
	assert_int_equal(node_of(v, id), v->L);

	/* Wrong actors. */
	assert_int_equal(try_act(&v->cr, id, "accept", NULL, &e), ERR_FORBIDDEN);
	assert_int_equal(try_act(&v->cs, id, "note", json_pack("{s:s}", "note", "路过看看"), &e), ERR_FORBIDDEN);
	assert_int_equal(try_act(&v->co, id, "accept", NULL, &e), ERR_FORBIDDEN); /* not handed to it */
	/* Rating an open case. */
	assert_int_equal(try_act(&v->cr, id, "rate", json_pack("{s:s}", "rating", "satisfied"), &e), ERR_CONFLICT);
	/* Unknown action, unknown field. */
	assert_int_equal(try_act(&v->cn, id, "fly", NULL, &e), ERR_NOT_FOUND);
	assert_int_equal(try_act(&v->cn, id, "accept", json_pack("{s:s}", "rating", "x"), &e), ERR_INVALID);
	assert_string_equal(status_of(v, id), "new");
	assert_string_equal(events_of(v, id), "reported");

	/* The 邻长 accepts an hour later: the first response. */
	time_set_fake(T + 1 * H);
	act(&v->cn, id, "accept", NULL);
	assert_string_equal(status_of(v, id), "accepted");
	assert_string_equal(qs(v, "SELECT first_response_at FROM cases WHERE id = ?", id), iso(v, T + 1 * H));
	assert_int_equal(try_act(&v->cn, id, "accept", NULL, &e), ERR_CONFLICT); /* not from accepted */
	assert_int_equal(try_act(&v->cr, id, "reply", json_pack("{s:s}", "note", "x"), &e), ERR_CONFLICT);

	/* ask -> waiting; the reply 5 hours later extends both limits by 5 h. */
	time_set_fake(T + 2 * H);
	act(&v->cn, id, "ask", json_pack("{s:s}", "note", "是哪一个单元？"));
	assert_string_equal(status_of(v, id), "waiting");
	assert_string_equal(qs(v, "SELECT paused_at FROM cases WHERE id = ?", id), iso(v, T + 2 * H));
	assert_int_equal(try_act(&v->cn, id, "reply", json_pack("{s:s}", "note", "2单元"), &e), ERR_FORBIDDEN);
	assert_int_equal(try_act(&v->cr, id, "reply", NULL, &e), ERR_INVALID); /* the note is required */
	time_set_fake(T + 7 * H);
	act(&v->cr, id, "reply", json_pack("{s:s}", "note", "2单元三楼"));
	assert_string_equal(status_of(v, id), "accepted");
	assert_null(qs(v, "SELECT paused_at FROM cases WHERE id = ?", id));
	assert_string_equal(qs(v, "SELECT resolve_due FROM cases WHERE id = ?", id), iso(v, T + 72 * H + 5 * H));
	assert_string_equal(qs(v, "SELECT respond_due FROM cases WHERE id = ?", id), iso(v, T + 24 * H + 5 * H));

	/* Handover: exactly one lead, organisations on the case's line. */
	time_set_fake(T + 8 * H);
	assert_int_equal(try_act(&v->cn, id, "handover",
				 json_pack("{s:[{s:I, s:s}, {s:I, s:s}]}", "orgs", "org_id", (json_int_t)v->org1,
					   "role", "lead", "org_id", (json_int_t)v->org2, "role", "lead"),
				 &e),
			 ERR_INVALID);
	assert_string_equal(e.field, "orgs");
	assert_int_equal(try_act(&v->cn, id, "handover",
				 json_pack("{s:[{s:I, s:s}]}", "orgs", "org_id", (json_int_t)v->org1, "role", "joint"),
				 &e),
			 ERR_INVALID);
	assert_string_equal(e.field, "orgs");
	assert_int_equal(try_act(&v->cn, id, "handover",
				 json_pack("{s:[{s:I, s:s}]}", "orgs", "org_id", (json_int_t)v->org3, "role", "lead"),
				 &e),
			 ERR_INVALID); /* 西区物业 serves A2, not this line */
	assert_string_equal(e.field, "orgs");
	assert_int_equal(try_act(&v->cn, id, "handover", json_pack("{s:[]}", "orgs"), &e), ERR_INVALID);
	assert_int_equal(try_act(&v->cn, id, "handover",
				 json_pack("{s:[{s:I, s:s}]}", "orgs", "org_id", (json_int_t)99999, "role", "lead"),
				 &e),
			 ERR_INVALID);
	assert_int_equal(qi(v, "SELECT count(*) FROM case_orgs WHERE case_id = ?", id), 0);
	assert_string_equal(status_of(v, id), "accepted");
	act(&v->cn, id, "handover",
	    json_pack("{s:[{s:I, s:s}, {s:I, s:s}], s:s}", "orgs", "org_id", (json_int_t)v->org1, "role", "lead",
		      "org_id", (json_int_t)v->org2, "role", "joint", "note", "请城管科牵头"));
	assert_string_equal(status_of(v, id), "referred");
	assert_int_equal(qi(v, "SELECT count(*) FROM case_orgs WHERE case_id = ? AND role = 'lead'", id), 1);
	assert_int_equal(qi(v, "SELECT count(*) FROM case_orgs WHERE case_id = ? AND role = 'joint'", id), 1);

	/* The lead organisation's user finishes its part and resolves. */
	time_set_fake(T + 20 * H);
	assert_int_equal(try_act(&v->co, id, "accept", NULL, &e), ERR_FORBIDDEN);
	act(&v->co, id, "org_done", json_pack("{s:s}", "note", "已更换灯泡"));
	act(&v->co, id, "resolve", json_pack("{s:s}", "outcome", "灯已修好"));
	assert_string_equal(status_of(v, id), "resolved");
	assert_string_equal(qs(v, "SELECT resolved_at FROM cases WHERE id = ?", id), iso(v, T + 20 * H));
	assert_int_equal(try_act(&v->cn, id, "rate", json_pack("{s:s}", "rating", "satisfied"), &e), ERR_FORBIDDEN);
	assert_int_equal(try_act(&v->cr, id, "rate", json_pack("{s:s}", "rating", "great"), &e), ERR_INVALID);

	/* The first 不满意: reopened at the same level. */
	time_set_fake(T + 21 * H);
	act(&v->cr, id, "rate", json_pack("{s:s, s:s}", "rating", "unsatisfied", "comment", "还是不亮"));
	assert_string_equal(status_of(v, id), "accepted");
	assert_int_equal(qi(v, "SELECT reopened FROM cases WHERE id = ?", id), 1);
	assert_int_equal(qi(v, "SELECT escalations FROM cases WHERE id = ?", id), 0);
	assert_int_equal(node_of(v, id), v->L);
	assert_null(qs(v, "SELECT resolved_at FROM cases WHERE id = ?", id));
	assert_string_equal(qs(v, "SELECT resolve_due FROM cases WHERE id = ?", id), iso(v, T + 21 * H + 72 * H));

	/* Resolved again; the second 不满意 escalates to the parent target. */
	time_set_fake(T + 30 * H);
	act(&v->cn, id, "resolve", json_pack("{s:s}", "outcome", "换了整套线路"));
	assert_string_equal(status_of(v, id), "resolved");
	time_set_fake(T + 31 * H);
	act(&v->cr, id, "rate", json_pack("{s:s}", "rating", "unsatisfied"));
	assert_string_equal(status_of(v, id), "new");
	assert_int_equal(node_of(v, id), v->C);
	assert_int_equal(qi(v, "SELECT escalations FROM cases WHERE id = ?", id), 1);
	assert_int_equal(qi(v, "SELECT origin_node_id FROM cases WHERE id = ?", id), v->L);
	assert_string_equal(qs(v, "SELECT landed_at FROM cases WHERE id = ?", id), iso(v, T + 31 * H));
	/* The 邻长 no longer handles it; the director does. */
	assert_int_equal(try_act(&v->cn, id, "note", json_pack("{s:s}", "note", "x"), &e), ERR_FORBIDDEN);

	/* The director accepts and resolves; 满意 closes it. */
	time_set_fake(T + 32 * H);
	act(&v->cd, id, "accept", NULL);
	time_set_fake(T + 40 * H);
	act(&v->cd, id, "resolve", json_pack("{s:s}", "outcome", "社区协调电工彻底修复"));
	time_set_fake(T + 41 * H);
	act(&v->cr, id, "rate", json_pack("{s:s}", "rating", "satisfied"));
	assert_string_equal(status_of(v, id), "closed");
	assert_string_equal(qs(v, "SELECT closed_at FROM cases WHERE id = ?", id), iso(v, T + 41 * H));
	assert_string_equal(qs(v, "SELECT rating FROM requests WHERE case_id = ?", id), "satisfied");
	/* First response stays the first one. */
	assert_string_equal(qs(v, "SELECT first_response_at FROM cases WHERE id = ?", id), iso(v, T + 1 * H));
	/* Nothing more on a closed case. */
	assert_int_equal(try_act(&v->cr, id, "rate", json_pack("{s:s}", "rating", "basic"), &e), ERR_CONFLICT);
	assert_int_equal(try_act(&v->cd, id, "resolve", json_pack("{s:s}", "outcome", "x"), &e), ERR_CONFLICT);

	/* The timeline, in order. */
	assert_string_equal(events_of(v, id),
			    "reported,accepted,asked,replied,handed_over,joint_assigned,org_done,"
			    "resolved,rated_unsatisfied,reopened,resolved,rated_unsatisfied,escalated,"
			    "accepted,resolved,rated_satisfied,closed");
	int64_t esc = qi(v, "SELECT id FROM case_events WHERE case_id = ? AND type = 'escalated'", id);
	assert_int_equal(qi(v, "SELECT node_id FROM case_events WHERE id = ?", esc), v->L);
	assert_int_equal(qi(v, "SELECT to_node_id FROM case_events WHERE id = ?", esc), v->C);
	assert_string_equal(qs(v, "SELECT status_to FROM case_events WHERE id = ?", esc), "new");
	int64_t ho = qi(v, "SELECT id FROM case_events WHERE case_id = ? AND type = 'handed_over'", id);
	assert_int_equal(qi(v, "SELECT org_id FROM case_events WHERE id = ?", ho), v->org1);
	int64_t asked = qi(v, "SELECT id FROM case_events WHERE case_id = ? AND type = 'asked'", id);
	assert_string_equal(qs(v, "SELECT status_from FROM case_events WHERE id = ?", asked), "accepted");
	assert_string_equal(qs(v, "SELECT status_to FROM case_events WHERE id = ?", asked), "waiting");
	assert_string_equal(qs(v, "SELECT at FROM case_events WHERE id = ?", asked), iso(v, T + 2 * H));
	assert_string_equal(qs(v, "SELECT actor_name FROM case_events WHERE id = ?", asked), "neighbour.head");
	/* Every action is in the audit trail. */
	assert_int_equal(qi(v, "SELECT count(*) FROM audit WHERE entity = 'case' AND entity_id = ?", id), 13);
}

/* What each actor may see of the case. */
static void test_visibility(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	int64_t id = report(v, "noise", "楼上深夜噪音");
	act(&v->cn, id, "note", json_pack("{s:s}", "note", "内部：此户曾有纠纷"));
	json_t *out = NULL;
	assert_int_equal(case_get(&v->cs, id, &out, &e), ERR_FORBIDDEN);
	assert_int_equal(case_get(&v->co, id, &out, &e), ERR_FORBIDDEN);
	/* The reporter sees the steps but not the internal note. */
	assert_int_equal(case_get(&v->cr, id, &out, &e), 0);
	assert_int_equal(json_array_size(json_object_get(out, "events")), 1);
	assert_false(json_is_true(json_object_get(out, "can_handle")));
	json_decref(out);
	assert_int_equal(case_get(&v->cn, id, &out, &e), 0);
	assert_int_equal(json_array_size(json_object_get(out, "events")), 2);
	assert_true(json_is_true(json_object_get(out, "can_handle")));
	json_decref(out);
	/* Made public: the stranger sees it without personal data. */
	act(&v->cn, id, "publish", json_pack("{s:b}", "public", 1));
	assert_int_equal(case_get(&v->cs, id, &out, &e), 0);
	assert_true(json_is_null(json_object_get(out, "reporter_name")));
	assert_false(json_is_true(json_object_get(out, "can_handle")));
	json_decref(out);
	/* Seeing is not handling. */
	assert_int_equal(try_act(&v->cs, id, "note", json_pack("{s:s}", "note", "x"), &e), ERR_FORBIDDEN);
	assert_int_equal(try_act(&v->cs, id, "accept", NULL, &e), ERR_FORBIDDEN);
}

/* BUG: accept is allowed from "waiting" (case_rules.c:14) but the accept
 * branch (case_actions.c:287-292) only sets the status: paused_at stays,
 * so the accepted case is skipped by the clock for good (case_clock.c:46
 * "paused_at IS NULL") and shows "due: ok" forever. Accepting a waiting
 * case must restart its clock as a reply does. */
static void test_accept_from_waiting_restarts_clock(void **state)
{
	struct env *v = *state;
	const int64_t T = t0();
	int64_t id = report(v, "corridor_light", "楼道灯坏了");
	time_set_fake(T + 1 * H);
	act(&v->cn, id, "ask", json_pack("{s:s}", "note", "哪一层？"));
	time_set_fake(T + 3 * H);
	act(&v->cn, id, "accept", json_pack("{s:s}", "note", "已电话确认，直接办理"));
	assert_string_equal(status_of(v, id), "accepted");
	if (qs(v, "SELECT paused_at FROM cases WHERE id = ?", id))
		print_error("accepted case still paused since %s\n",
			    qs(v, "SELECT paused_at FROM cases WHERE id = ?", id));
	assert_null(qs(v, "SELECT paused_at FROM cases WHERE id = ?", id));
	/* Long past any limit (even with the 2 h pause added): it moves up. */
	tick_expect(v, T + 30 * 24 * H, 1, 0, 0);
	assert_int_equal(node_of(v, id), v->C);
}

/* BUG: when the 邻长 escalates a case (to the community, out of their
 * reach), the escalation is committed, but case_act then reads the case
 * back as the 邻长 (case_actions.c:384 "return rc ? rc : case_get(...)")
 * and returns ERR_FORBIDDEN "you may not see this request": the caller is
 * told the action failed although it took effect (and *out is unset). */
static void test_escalate_out_of_reach_reports_success(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	int64_t id = report(v, "corridor_light", "楼道灯坏了");
	act(&v->cn, id, "accept", NULL);
	json_t *out = NULL;
	json_t *in = json_pack("{s:s}", "reason", "需要社区协调电工");
	int rc = case_act(&v->cn, id, "escalate", in, &out, &e);
	json_decref(in);
	if (rc)
		print_error(
		    "escalate returned %d (%s) while the case is now '%s' at node %lld (the community is %lld)\n", rc,
		    e.msg, status_of(v, id), (long long)node_of(v, id), (long long)v->C);
	assert_int_equal(rc, 0);
	json_decref(out);
	assert_string_equal(status_of(v, id), "new");
	assert_int_equal(node_of(v, id), v->C);
	assert_string_equal(events_of(v, id), "reported,accepted,escalated");
}

/* BUG: at the top of the tree a second 不满意 cannot be given: do_rate
 * records the rating, then do_escalate (case_actions.c, do_rate's last
 * line) fails with ERR_CONFLICT "already at the top of the tree", the
 * whole transaction rolls back, and the resident is told the tree has no
 * top above it. The rating must be recorded and the case stay open (as at
 * the top the clock does: flag, not fail). */
static void test_second_unsatisfied_at_top(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	int64_t id = report(v, "corridor_light", "楼道灯坏了");
	act(&v->u.c, id, "escalate", json_pack("{s:s}", "reason", "上报社区"));
	act(&v->u.c, id, "escalate", json_pack("{s:s}", "reason", "上报街道"));
	assert_int_equal(node_of(v, id), v->S);
	act(&v->u.c, id, "resolve", json_pack("{s:s}", "outcome", "已修"));
	act(&v->cr, id, "rate", json_pack("{s:s}", "rating", "unsatisfied"));
	assert_string_equal(status_of(v, id), "accepted"); /* reopened at S */
	act(&v->u.c, id, "resolve", json_pack("{s:s}", "outcome", "再修"));
	int rc = try_act(&v->cr, id, "rate", json_pack("{s:s}", "rating", "unsatisfied"), &e);
	if (rc)
		print_error("second unsatisfied at the top: %d %s\n", rc, e.msg);
	assert_int_equal(rc, 0);
	assert_string_equal(qs(v, "SELECT coalesce(rating, '') FROM requests WHERE case_id = ?", id), "unsatisfied");
	assert_string_not_equal(status_of(v, id), "resolved");
}

/* BUG: a second handover with another lead keeps the first lead as a lead
 * (case_actions.c:146-148 upserts the new rows only), so the case has two
 * lead organisations, both allowed to resolve, against "exactly one lead". */
static void test_second_handover_keeps_one_lead(void **state)
{
	struct env *v = *state;
	int64_t id = report(v, "corridor_light", "楼道灯坏了");
	act(&v->cn, id, "handover", json_pack("{s:[{s:I}]}", "orgs", "org_id", (json_int_t)v->org1));
	/* Back to waiting (ask is allowed from referred), then handed to 物业. */
	act(&v->cn, id, "ask", json_pack("{s:s}", "note", "请补充照片"));
	act(&v->cn, id, "handover",
	    json_pack("{s:[{s:I, s:s}]}", "orgs", "org_id", (json_int_t)v->org2, "role", "lead"));
	assert_string_equal(status_of(v, id), "referred");
	int64_t leads = qi(v, "SELECT count(*) FROM case_orgs WHERE case_id = ? AND role = 'lead'", id);
	if (leads != 1)
		print_error("%lld lead organisations after the second handover\n", (long long)leads);
	assert_int_equal(leads, 1);
	assert_int_equal(qi(v, "SELECT org_id FROM case_orgs WHERE case_id = ? AND role = 'lead'", id), v->org2);
}

/* --------------------------------------------------------------- clocks */

static void test_clock_escalates_past_limit(void **state)
{
	struct env *v = *state;
	const int64_t T = t0();
	int64_t id = record_at(v, v->L, "corridor_light"); /* 72 h to resolve */
	assert_int_equal(node_of(v, id), v->L);
	time_set_fake(T + 1 * H);
	act(&v->cn, id, "accept", NULL); /* responded: no response flag */
	const char *before = events_of(v, id);

	/* A second before the limit: nothing. At the limit itself: nothing. */
	tick_expect(v, T + 72 * H - 1, 0, 0, 0);
	tick_expect(v, T + 72 * H, 0, 0, 0);
	assert_int_equal(node_of(v, id), v->L);
	assert_string_equal(events_of(v, id), before);
	assert_int_equal(qi(v, "SELECT overdue FROM cases WHERE id = ?", id), 0);

	/* A second after: one level up (G and A have nobody: C), overdue. */
	const int64_t T1 = T + 72 * H + 1;
	tick_expect(v, T1, 1, 0, 0);
	assert_int_equal(node_of(v, id), v->C);
	assert_string_equal(status_of(v, id), "new");
	assert_int_equal(qi(v, "SELECT overdue FROM cases WHERE id = ?", id), 1);
	assert_int_equal(qi(v, "SELECT escalations FROM cases WHERE id = ?", id), 1);
	assert_string_equal(qs(v, "SELECT landed_at FROM cases WHERE id = ?", id), iso(v, T1));
	assert_string_equal(qs(v, "SELECT resolve_due FROM cases WHERE id = ?", id), iso(v, T1 + 72 * H));
	assert_string_equal(qs(v, "SELECT respond_due FROM cases WHERE id = ?", id), iso(v, T1 + 24 * H));
	assert_null(qs(v, "SELECT level_responded_at FROM cases WHERE id = ?", id));
	assert_string_equal(events_of(v, id), "reported,accepted,auto_escalated");
	int64_t ev = qi(v, "SELECT max(id) FROM case_events WHERE case_id = ?", id);
	assert_int_equal(qi(v, "SELECT node_id FROM case_events WHERE id = ?", ev), v->L);
	assert_int_equal(qi(v, "SELECT to_node_id FROM case_events WHERE id = ?", ev), v->C);
	assert_string_equal(qs(v, "SELECT at FROM case_events WHERE id = ?", ev), iso(v, T1));
	assert_string_equal(qs(v, "SELECT status_to FROM case_events WHERE id = ?", ev), "new");
	assert_null(qs(v, "SELECT actor_user_id FROM case_events WHERE id = ?", ev));

	/* The same tick again changes nothing. */
	int64_t nev = qi(v, "SELECT count(*) FROM case_events WHERE ? > 0", 1);
	tick_expect(v, T1, 0, 0, 0);
	assert_int_equal(qi(v, "SELECT count(*) FROM case_events WHERE ? > 0", 1), nev);
	assert_int_equal(node_of(v, id), v->C);
	assert_string_equal(qs(v, "SELECT resolve_due FROM cases WHERE id = ?", id), iso(v, T1 + 72 * H));

	/* Past the community's limit too: up to the root. */
	tick_expect(v, T1 + 72 * H + 1, 1, 0, 0);
	assert_int_equal(node_of(v, id), v->S);
	assert_int_equal(qi(v, "SELECT escalations FROM cases WHERE id = ?", id), 2);
}

static void test_clock_top_flagged_once_per_period(void **state)
{
	struct env *v = *state;
	const int64_t T = t0();
	int64_t id = record_at(v, v->S, "other"); /* nobody anywhere above S: lands at S; 168 h */
	assert_int_equal(node_of(v, id), v->S);
	act(&v->u.c, id, "accept", NULL);
	tick_expect(v, T + 168 * H - 1, 0, 0, 0);
	const int64_t T1 = T + 168 * H + 1;
	tick_expect(v, T1, 0, 1, 0);
	assert_int_equal(node_of(v, id), v->S);
	assert_int_equal(qi(v, "SELECT overdue FROM cases WHERE id = ?", id), 1);
	assert_int_equal(qi(v, "SELECT escalations FROM cases WHERE id = ?", id), 0);
	assert_string_equal(qs(v, "SELECT resolve_due FROM cases WHERE id = ?", id), iso(v, T1 + 168 * H));
	assert_string_equal(events_of(v, id), "reported,accepted,overdue");
	/* Not every minute, not within the new period. */
	tick_expect(v, T1, 0, 0, 0);
	tick_expect(v, T1 + 60, 0, 0, 0);
	tick_expect(v, T1 + 168 * H, 0, 0, 0);
	assert_string_equal(events_of(v, id), "reported,accepted,overdue");
	/* Once the next period has passed: flagged again, once. */
	tick_expect(v, T1 + 168 * H + 1, 0, 1, 0);
	tick_expect(v, T1 + 168 * H + 61, 0, 0, 0);
	assert_string_equal(events_of(v, id), "reported,accepted,overdue,overdue");
	/* A manual escalation at the top is refused. */
	struct err e = {0};
	assert_int_equal(try_act(&v->u.c, id, "escalate", json_pack("{s:s}", "reason", "上报"), &e), ERR_CONFLICT);
}

static void test_clock_waiting_does_not_escalate(void **state)
{
	struct env *v = *state;
	const int64_t T = t0();
	int64_t id = report(v, "corridor_light", "楼道灯坏了");
	time_set_fake(T + 1 * H);
	act(&v->cn, id, "ask", json_pack("{s:s}", "note", "请拍张照片"));
	tick_expect(v, T + 72 * H + 1, 0, 0, 0);
	tick_expect(v, T + 30 * 24 * H, 0, 0, 0);
	assert_string_equal(status_of(v, id), "waiting");
	assert_int_equal(node_of(v, id), v->L);
	assert_int_equal(qi(v, "SELECT overdue FROM cases WHERE id = ?", id), 0);
	assert_string_equal(events_of(v, id), "reported,asked");
	/* The reply a month later gives back what was left of the time:
	 * 71 h of 72, from T + 30 days. */
	const int64_t R = T + 30 * 24 * H;
	time_set_fake(R);
	act(&v->cr, id, "reply", json_pack("{s:s}", "note", "照片已上传"));
	assert_string_equal(qs(v, "SELECT resolve_due FROM cases WHERE id = ?", id), iso(v, R + 71 * H));
	tick_expect(v, R + 71 * H - 1, 0, 0, 0);
	tick_expect(v, R + 71 * H + 1, 1, 0, 0);
	assert_int_equal(node_of(v, id), v->C);
}

static void test_clock_response_overdue_once(void **state)
{
	struct env *v = *state;
	const int64_t T = t0();
	int64_t id = report(v, "corridor_light", "楼道灯坏了"); /* respond 24 h, resolve 72 h */
	int64_t done = report(v, "corridor_light", "二楼灯也坏了");
	time_set_fake(T + 2 * H);
	act(&v->cn, done, "note", json_pack("{s:s}", "note", "已看过"));
	tick_expect(v, T + 24 * H - 1, 0, 0, 0);
	tick_expect(v, T + 24 * H, 0, 0, 0);
	tick_expect(v, T + 24 * H + 1, 0, 1, 0);
	assert_int_equal(qi(v, "SELECT overdue FROM cases WHERE id = ?", id), 1);
	assert_int_equal(qi(v, "SELECT overdue FROM cases WHERE id = ?", done), 0);
	assert_string_equal(status_of(v, id), "new");
	assert_int_equal(node_of(v, id), v->L);
	assert_string_equal(events_of(v, id), "reported,response_overdue");
	assert_string_equal(events_of(v, done), "reported,note");
	/* Once only. */
	tick_expect(v, T + 24 * H + 1, 0, 0, 0);
	tick_expect(v, T + 48 * H, 0, 0, 0);
	assert_string_equal(events_of(v, id), "reported,response_overdue");
}

static void test_clock_auto_close_unrated(void **state)
{
	struct env *v = *state;
	const int64_t T = t0();
	int64_t id = report(v, "corridor_light", "楼道灯坏了");
	int64_t rated = report(v, "noise", "噪音");
	time_set_fake(T + 5 * H);
	act(&v->cn, id, "resolve", json_pack("{s:s}", "outcome", "已修好"));
	act(&v->cn, rated, "resolve", json_pack("{s:s}", "outcome", "已劝导"));
	time_set_fake(T + 6 * H);
	act(&v->cr, rated, "rate", json_pack("{s:s}", "rating", "basic"));
	assert_string_equal(status_of(v, rated), "closed");
	const int64_t R = T + 5 * H + 7 * 24 * H;
	tick_expect(v, R - 1, 0, 0, 0);
	tick_expect(v, R, 0, 0, 0);
	assert_string_equal(status_of(v, id), "resolved");
	tick_expect(v, R + 1, 0, 0, 1);
	assert_string_equal(status_of(v, id), "closed");
	assert_string_equal(qs(v, "SELECT closed_at FROM cases WHERE id = ?", id), iso(v, R + 1));
	assert_null(qs(v, "SELECT rating FROM requests WHERE case_id = ?", id));
	assert_string_equal(events_of(v, id), "reported,resolved,auto_closed");
	assert_string_equal(events_of(v, rated), "reported,resolved,rated_basic,closed");
	/* Idempotent; and too late to rate now. */
	tick_expect(v, R + 1, 0, 0, 0);
	tick_expect(v, R + 30 * 24 * H, 0, 0, 0);
	assert_string_equal(events_of(v, id), "reported,resolved,auto_closed");
	struct err e = {0};
	assert_int_equal(try_act(&v->cr, id, "rate", json_pack("{s:s}", "rating", "satisfied"), &e), ERR_CONFLICT);
}

/* Several cases in one tick, then the same tick again: nothing changes
 * the second time (cases, events, notifications). */
static void test_clock_idempotent(void **state)
{
	struct env *v = *state;
	const int64_t T = t0();
	int64_t a = report(v, "corridor_light", "灯");    /* escalates */
	int64_t b = report(v, "sewer", "下水道堵了");     /* level 5: at C; 12 h / 48 h */
	int64_t c = record_at(v, v->S, "corridor_light"); /* at the top */
	int64_t d = report(v, "noise", "噪音");           /* resolved, left unrated */
	act(&v->u.c, c, "accept", NULL);
	act(&v->cn, d, "resolve", json_pack("{s:s}", "outcome", "已劝导"));
	const int64_t N = T + 8 * 24 * H;
	json_t *r = tick(v, N);
	assert_true(jint(r, "escalated") >= 1);
	assert_int_equal(jint(r, "auto_closed"), 1);
	json_decref(r);
	int64_t events = qi(v, "SELECT count(*) FROM case_events WHERE ? > 0", 1);
	int64_t notes = qi(v, "SELECT count(*) FROM notifications WHERE ? > 0", 1);
	int64_t version = qi(v, "SELECT value FROM counters WHERE name = 'cases' AND ? > 0", 1);
	const char *snap =
	    qs(v,
	       "SELECT group_concat(id || ':' || status || ':' || node_id || ':' || resolve_due || ':' || "
	       "respond_due || ':' || overdue, ';') FROM cases WHERE ? > 0",
	       1);
	tick_expect(v, N, 0, 0, 0);
	assert_int_equal(qi(v, "SELECT count(*) FROM case_events WHERE ? > 0", 1), events);
	assert_int_equal(qi(v, "SELECT count(*) FROM notifications WHERE ? > 0", 1), notes);
	assert_int_equal(qi(v, "SELECT value FROM counters WHERE name = 'cases' AND ? > 0", 1), version);
	assert_string_equal(
	    qs(v,
	       "SELECT group_concat(id || ':' || status || ':' || node_id || ':' || resolve_due || ':' || "
	       "respond_due || ':' || overdue, ';') FROM cases WHERE ? > 0",
	       1),
	    snap);
	(void)a, (void)b;
}

/* ----------------------------------------------------------- statistics */

/* Four cases reported by the resident at t0:
 *  X corridor_light: accepted +1 h, resolved +10 h, 满意 (closed)      at L
 *  W noise:          accepted +3 h, resolved +20 h, 基本满意 (closed)   at L
 *  Y corridor_light: accepted +2 h, escalated +5 h (to C), resolved +25 h,
 *                    不满意 +26 h (reopened at C), resolved again +30 h at L
 *  Z safety:         lands at C (level 4), never touched (open)
 * First response: 1, 2, 3 h; resolution: 10, 20, 30 h (nearest rank:
 * median 2 and 20, p90 3 and 30). */
struct stats_cases {
	int64_t x, w, y, z;
};

static struct stats_cases make_stats_cases(struct env *v)
{
	const int64_t T = t0();
	struct stats_cases s;
	s.x = report(v, "corridor_light", "灯X");
	s.w = report(v, "noise", "噪音W");
	s.y = report(v, "corridor_light", "灯Y");
	s.z = report(v, "safety", "隐患Z");
	assert_int_equal(node_of(v, s.z), v->C);
	time_set_fake(T + 1 * H);
	act(&v->cn, s.x, "accept", NULL);
	time_set_fake(T + 2 * H);
	act(&v->cn, s.y, "accept", NULL);
	time_set_fake(T + 3 * H);
	act(&v->cn, s.w, "accept", NULL);
	time_set_fake(T + 5 * H);
	act(&v->u.c, s.y, "escalate", json_pack("{s:s}", "reason", "需社区协调"));
	assert_int_equal(node_of(v, s.y), v->C);
	time_set_fake(T + 10 * H);
	act(&v->cn, s.x, "resolve", json_pack("{s:s}", "outcome", "已修"));
	act(&v->cr, s.x, "rate", json_pack("{s:s}", "rating", "satisfied"));
	time_set_fake(T + 20 * H);
	act(&v->cn, s.w, "resolve", json_pack("{s:s}", "outcome", "已劝导"));
	act(&v->cr, s.w, "rate", json_pack("{s:s}", "rating", "basic"));
	time_set_fake(T + 25 * H);
	act(&v->cd, s.y, "resolve", json_pack("{s:s}", "outcome", "已修"));
	time_set_fake(T + 26 * H);
	act(&v->cr, s.y, "rate", json_pack("{s:s}", "rating", "unsatisfied"));
	assert_string_equal(status_of(v, s.y), "accepted");
	assert_int_equal(node_of(v, s.y), v->C);
	time_set_fake(T + 30 * H);
	act(&v->cd, s.y, "resolve", json_pack("{s:s}", "outcome", "更换线路"));
	time_set_fake(T + 31 * H);
	return s;
}

static json_t *find_by(json_t *arr, const char *key, const char *sval, int64_t ival)
{
	size_t i;
	json_t *g;
	json_array_foreach (arr, i, g) {
		json_t *k = json_object_get(g, key);
		if ((sval && json_is_string(k) && !strcmp(json_string_value(k), sval)) ||
		    (!sval && json_is_integer(k) && json_integer_value(k) == ival))
			return g;
	}
	return NULL;
}

static void expect_near(double got, double want, const char *what)
{
	if (fabs(got - want) > 1e-9)
		print_error("%s: got %.6f, want %.6f\n", what, got, want);
	assert_true(fabs(got - want) <= 1e-9);
}

static void test_stats(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	struct stats_cases s = make_stats_cases(v);
	json_t *out = NULL;
	int rc = request_stats(&v->u.c, v->C, NULL, NULL, &out, &e);
	if (rc)
		print_error("case_stats: %s\n", e.msg);
	assert_int_equal(rc, 0);
	json_t *t = json_object_get(out, "totals");
	assert_non_null(t);
	assert_int_equal(jint(t, "received"), 4);
	assert_int_equal(jint(t, "resolved"), 3);
	expect_near(jreal(t, "resolution_rate"), 0.75, "resolution_rate");
	assert_int_equal(jint(t, "resolved_at_origin"), 2);
	expect_near(jreal(t, "share_resolved_at_origin"), 2.0 / 3.0, "share_resolved_at_origin");
	assert_int_equal(jint(t, "escalations"), 1);
	assert_int_equal(jint(t, "escalated"), 1);
	assert_int_equal(jint(t, "reopened"), 1);
	assert_int_equal(jint(t, "overdue"), 0);
	json_t *fr = json_object_get(t, "first_response_hours"), *rh = json_object_get(t, "resolution_hours");
	expect_near(jreal(fr, "median"), 2, "first response median");
	expect_near(jreal(fr, "p90"), 3, "first response p90");
	expect_near(jreal(rh, "median"), 20, "resolution median");
	expect_near(jreal(rh, "p90"), 30, "resolution p90");
	json_t *sat = json_object_get(t, "satisfaction");
	assert_int_equal(jint(sat, "satisfied"), 1);
	assert_int_equal(jint(sat, "basic"), 1);
	assert_int_equal(jint(sat, "unsatisfied"), 1);
	expect_near(jreal(sat, "rate"), 2.0 / 3.0, "satisfaction rate");

	/* By category. */
	json_t *cats = json_object_get(out, "by_category");
	assert_int_equal(json_array_size(cats), 3);
	json_t *g = find_by(cats, "category", "corridor_light", 0);
	assert_non_null(g);
	assert_int_equal(jint(g, "received"), 2);
	assert_int_equal(jint(g, "resolved"), 2);
	assert_int_equal(jint(g, "resolved_at_origin"), 1);
	assert_int_equal(jint(g, "escalated"), 1);
	assert_string_equal(jstr(g, "category_name"), "楼道灯");
	g = find_by(cats, "category", "noise", 0);
	assert_non_null(g);
	assert_int_equal(jint(g, "received"), 1);
	assert_int_equal(jint(g, "resolved"), 1);
	assert_int_equal(jint(json_object_get(g, "satisfaction"), "basic"), 1);
	g = find_by(cats, "category", "safety", 0);
	assert_non_null(g);
	assert_int_equal(jint(g, "received"), 1);
	assert_int_equal(jint(g, "resolved"), 0);
	expect_near(jreal(g, "resolution_rate"), 0, "safety resolution_rate");
	assert_true(json_is_null(json_object_get(json_object_get(g, "satisfaction"), "rate")));

	/* By child: X, W, Y started under A; Z at C itself is in no child. */
	json_t *kids = json_object_get(out, "by_child");
	assert_int_equal(json_array_size(kids), 1);
	g = find_by(kids, "node_id", NULL, v->A);
	assert_non_null(g);
	assert_string_equal(jstr(g, "node_name"), "东片区");
	assert_int_equal(jint(g, "received"), 3);
	assert_int_equal(jint(g, "resolved"), 3);
	assert_int_equal(jint(g, "escalated"), 1);
	/* By month and week. */
	json_t *months = json_object_get(out, "by_month");
	assert_int_equal(json_array_size(months), 1);
	assert_string_equal(jstr(json_array_get(months, 0), "month"), "2024-06");
	assert_int_equal(jint(json_array_get(months, 0), "received"), 4);
	json_t *weeks = json_object_get(out, "by_week");
	assert_int_equal(json_array_size(weeks), 1);
	assert_string_equal(jstr(json_array_get(weeks, 0), "week"), "2024-W24");
	json_decref(out);

	/* From the street: everything under child C. */
	assert_int_equal(request_stats(&v->u.c, v->S, NULL, NULL, &out, &e), 0);
	kids = json_object_get(out, "by_child");
	assert_int_equal(json_array_size(kids), 1);
	assert_int_equal(jint(find_by(kids, "node_id", NULL, v->C), "received"), 4);
	json_decref(out);
	/* From A: three cases, all under G. */
	assert_int_equal(request_stats(&v->u.c, v->A, NULL, NULL, &out, &e), 0);
	assert_int_equal(jint(json_object_get(out, "totals"), "received"), 3);
	json_decref(out);
	/* A date range without the cases; a bad date. */
	/* (an empty range: test_stats_empty, in a child) */
	assert_int_equal(request_stats(&v->u.c, v->C, "2024-06-15", "2024-06-15", &out, &e), 0);
	assert_int_equal(jint(json_object_get(out, "totals"), "received"), 4);
	json_decref(out);
	assert_int_equal(request_stats(&v->u.c, v->C, "2024-02-30", NULL, &out, &e), ERR_INVALID);

	/* Who may see: the stranger not; the 邻长 (viewer at L only) not at C. */
	assert_int_equal(request_stats(&v->cs, v->C, NULL, NULL, &out, &e), ERR_FORBIDDEN);
	assert_int_equal(request_stats(&v->cn, v->C, NULL, NULL, &out, &e), ERR_FORBIDDEN);
	assert_int_equal(request_stats(&v->cd, v->C, NULL, NULL, &out, &e), 0);
	json_decref(out);

	/* The cache follows changes: Z accepted at +4 h is a fourth response. */
	time_set_fake(t0() + 4 * H);
	act(&v->cd, s.z, "accept", NULL);
	assert_int_equal(request_stats(&v->u.c, v->C, NULL, NULL, &out, &e), 0);
	fr = json_object_get(json_object_get(out, "totals"), "first_response_hours");
	expect_near(jreal(fr, "p90"), 4, "first response p90 after Z");
	json_decref(out);
}

static int stats_empty_child(void *arg)
{
	(void)arg;
	struct env v;
	if (env_open(&v))
		return 2;
	struct err e = {0};
	json_t *out = NULL;
	int rc = request_stats(&v.u.c, v.S, NULL, NULL, &out, &e);
	json_t *t = json_object_get(out, "totals");
	bool ok = rc == 0 && json_integer_value(json_object_get(t, "received")) == 0 &&
		  json_is_null(json_object_get(t, "resolution_rate")) &&
		  json_is_null(json_object_get(json_object_get(t, "resolution_hours"), "median")) &&
		  json_is_null(json_object_get(json_object_get(t, "first_response_hours"), "p90"));
	json_decref(out);
	env_close(&v);
	return ok ? 0 : 1;
}

/* BUG: statistics over a subtree without responses or resolutions call
 * qsort(NULL, 0, ...) (src/domain/requests/request_stats.c:210-211, in compute):
 * undefined behaviour (qsort's array is declared nonnull), which UBSan
 * reports and, with halt_on_error=1 as `make unit` runs, aborts on. Runs
 * in a child so the abort does not take the other tests down. */
static void test_stats_empty(void **state)
{
	(void)state;
	char buf[64];
	int st = unit_run_child(stats_empty_child, NULL);
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		print_error("case_stats over no cases: %s\n", unit_status_text(st, buf, sizeof buf));
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_summary(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	make_stats_cases(v);
	/* A case the 邻长 recorded for someone else. */
	time_set_fake(t0() + 40 * H);
	create_as(&v->cn, json_pack("{s:s, s:s, s:I, s:s}", "category", "other", "description", "代录", "place_node_id",
				    (json_int_t)v->L, "reporter_name", "王奶奶"));
	json_t *out = NULL;
	int rc = request_summary(&v->u.c, v->C, "2024-06", &out, &e);
	if (rc)
		print_error("case_summary: %s\n", e.msg);
	assert_int_equal(rc, 0);
	json_t *t = json_object_get(out, "totals");
	assert_int_equal(jint(t, "collected"), 5);
	assert_int_equal(jint(t, "resolved"), 3);
	assert_int_equal(jint(t, "escalated"), 1);
	assert_int_equal(jint(t, "open"), 2);
	json_t *kids = json_object_get(out, "by_child");
	assert_int_equal(json_array_size(kids), 2);
	json_t *a = find_by(kids, "node_id", NULL, v->A), *a2 = find_by(kids, "node_id", NULL, v->A2);
	assert_non_null(a);
	assert_non_null(a2);
	assert_int_equal(jint(a, "collected"), 4);
	assert_int_equal(jint(a, "resolved"), 3);
	assert_int_equal(jint(a, "escalated"), 1);
	assert_int_equal(jint(a, "open"), 1);
	assert_int_equal(jint(a2, "collected"), 0);
	/* Heads: the 邻长 at L (the director is not a head). */
	json_t *heads = json_object_get(out, "by_head");
	assert_int_equal(json_array_size(heads), 1);
	json_t *h = json_array_get(heads, 0);
	assert_string_equal(jstr(h, "role"), "neighbour_head");
	assert_string_equal(jstr(h, "name"), "邻长");
	assert_int_equal(jint(h, "node_id"), v->L);
	assert_int_equal(jint(h, "collected"), 4);
	assert_int_equal(jint(h, "resolved"), 3);
	assert_int_equal(jint(h, "recorded"), 1);
	json_decref(out);
	/* Another month is empty; a bad month is refused. */
	assert_int_equal(request_summary(&v->u.c, v->C, "2024-07", &out, &e), 0);
	assert_int_equal(jint(json_object_get(out, "totals"), "collected"), 0);
	json_decref(out);
	assert_int_equal(request_summary(&v->u.c, v->C, "2024-13", &out, &e), ERR_INVALID);
	assert_int_equal(request_summary(&v->u.c, v->C, "2024-6", &out, &e), ERR_INVALID);
	assert_int_equal(request_summary(&v->cs, v->C, "2024-06", &out, &e), ERR_FORBIDDEN);
}

/* BUG: a head whose term ended on the first day of the month served in
 * that month, but case_summary leaves them out: the date end_date
 * "2024-06-01" is compared as text with the timestamp
 * "2024-06-01T00:00:00Z" (src/domain/requests/request_stats.c:361, "r.end_date >= ?"
 * bound to start) and is the smaller string. */
static void test_summary_head_whose_term_ended_on_the_first(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	int64_t pg = make_person(v, v->hL, "组长");
	make_role(v, v->G, pg, "group_head", "2023-01-01", "2024-06-01");
	json_t *out = NULL;
	assert_int_equal(request_summary(&v->u.c, v->C, "2024-06", &out, &e), 0);
	json_t *heads = json_object_get(out, "by_head");
	bool found = find_by(heads, "role", "group_head", 0) != NULL;
	json_decref(out);
	if (!found)
		print_error("the group head (term to 2024-06-01) is missing from June's summary\n");
	assert_true(found);
	/* A term that ended in May is not in June. */
	int64_t po = make_person(v, v->hL, "老组长");
	make_role(v, v->G, po, "group_head", "2020-01-01", "2024-05-31");
	assert_int_equal(request_summary(&v->u.c, v->C, "2024-06", &out, &e), 0);
	size_t n = 0, i;
	json_t *r;
	json_array_foreach (json_object_get(out, "by_head"), i, r)
		n += !strcmp(jstr(r, "role"), "group_head");
	json_decref(out);
	assert_true(n <= 1);
}

/* -------------------------------------------------------- notifications */

static void test_notifications(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	int64_t id = report(v, "corridor_light", "楼道灯坏了");
	assert_int_equal(notifs(v, v->ur), 0); /* their own report */
	act(&v->cn, id, "accept", NULL);
	assert_int_equal(notifs(v, v->ur), 1);
	act(&v->cn, id, "note", json_pack("{s:s}", "note", "内部备注"));
	act(&v->cn, id, "note", json_pack("{s:s, s:b}", "note", "内部备注", "public", 0));
	assert_int_equal(notifs(v, v->ur), 1); /* internal notes: none */
	act(&v->cn, id, "note", json_pack("{s:s, s:b}", "note", "已联系电工", "public", 1));
	assert_int_equal(notifs(v, v->ur), 2);
	act(&v->cn, id, "publish", json_pack("{s:b}", "public", 1));
	assert_int_equal(notifs(v, v->ur), 2); /* publishing is internal */
	act(&v->cn, id, "ask", json_pack("{s:s}", "note", "哪一层？"));
	assert_int_equal(notifs(v, v->ur), 3);
	act(&v->cr, id, "reply", json_pack("{s:s}", "note", "三楼"));
	assert_int_equal(notifs(v, v->ur), 3); /* their own */
	act(&v->cn, id, "handover",
	    json_pack("{s:[{s:I, s:s}, {s:I, s:s}]}", "orgs", "org_id", (json_int_t)v->org1, "role", "lead", "org_id",
		      (json_int_t)v->org2, "role", "joint"));
	assert_int_equal(notifs(v, v->ur), 5); /* handed_over + joint_assigned */
	act(&v->co, id, "resolve", json_pack("{s:s}", "outcome", "已修好"));
	assert_int_equal(notifs(v, v->ur), 6);
	act(&v->cr, id, "rate", json_pack("{s:s}", "rating", "satisfied"));
	assert_int_equal(notifs(v, v->ur), 6); /* rated + closed: their own */
	assert_string_equal(status_of(v, id), "closed");
	/* One per public event by someone else, each for this case. */
	int64_t others = 0;
	assert_int_equal(store_int(v->u.db, &e, &others,
				   "SELECT count(*) FROM case_events WHERE case_id = ? AND public = 1 AND "
				   "coalesce(actor_user_id, 0) != ?",
				   "ii", id, v->ur),
			 0);
	assert_int_equal(others, 6);
	assert_int_equal(qi(v, "SELECT count(*) FROM notifications WHERE case_id != ?", id), 0);
	/* Nobody else hears of it. */
	assert_int_equal(notifs(v, v->un), 0);
	assert_int_equal(notifs(v, v->uo), 0);
	assert_int_equal(notifs(v, v->us), 0);

	/* The reporter's list: newest first, with the case title and label. */
	json_t *out = NULL;
	assert_int_equal(notifications_list(&v->cr, false, 0, 50, &out, &e), 0);
	assert_int_equal(json_array_size(out), 6);
	json_t *n0 = json_array_get(out, 0);
	assert_int_equal(jint(n0, "case_id"), id);
	assert_non_null(strstr(jstr(n0, "text"), "楼道灯坏了"));
	assert_non_null(strstr(jstr(n0, "text"), "已办结"));
	assert_non_null(strstr(jstr(json_array_get(out, 5), "text"), "已接单"));
	int64_t nid = jint(n0, "id");
	json_decref(out);
	/* Reading one; another user cannot read it. */
	assert_int_equal(notifications_read(&v->cn, nid, &e), ERR_NOT_FOUND);
	assert_int_equal(notifications_read(&v->cr, nid, &e), 0);
	assert_int_equal(notifications_list(&v->cr, true, 0, 50, &out, &e), 0);
	assert_int_equal(json_array_size(out), 5);
	json_decref(out);

	/* The clock's steps notify too (the system is someone else). */
	int64_t id2 = report(v, "corridor_light", "另一盏灯");
	tick_expect(v, t0() + 24 * H + 1, 0, 1, 0);
	assert_int_equal(qi(v, "SELECT count(*) FROM notifications WHERE case_id = ?", id2), 1);
}

/* A kind names its own recipients (a dispute: its parties and mediator):
 * private events reach them too, the actor and repeats are dropped, and
 * the reporter hears only if named. */
static int64_t hook_users[4];
static int hook_recipients(const struct ctx *c, const struct case_core *k, const char *type, bool public,
			   struct case_recipient *to, int max, struct err *e)
{
	(void)c, (void)k, (void)type, (void)public, (void)e;
	assert_true(max >= 4);
	for (int i = 0; i < 4; i++)
		to[i] = (struct case_recipient){hook_users[i], i == 3 ? "自定义 / own text" : NULL};
	return 4;
}

static void test_kind_names_recipients(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	int64_t id = report(v, "corridor_light", "楼道灯坏了");
	struct case_kind kind = REQUEST_KIND;
	kind.notify = hook_recipients;
	struct case_core k;
	assert_int_equal(case_load_core(&v->cn, id, &k, &e), 0);
	k.def = &kind;
	/* 邻长 (the actor), 路人 twice, the director with its own text. */
	hook_users[0] = v->un, hook_users[1] = v->us, hook_users[2] = v->us, hook_users[3] = v->ud;
	int64_t before = qi(v, "SELECT count(*) FROM notifications WHERE case_id = ?", id);
	assert_int_equal(store_begin(v->u.db, &e), 0);
	assert_int_equal(case_event(&v->cn, &k, "note", NULL, 0, 0, "内部", false, &e), 0);
	assert_int_equal(store_commit(v->u.db, &e), 0);
	assert_int_equal(qi(v, "SELECT count(*) FROM notifications WHERE case_id = ?", id), before + 2);
	assert_int_equal(notifs(v, v->un), 0);
	assert_int_equal(notifs(v, v->us), 1);
	assert_int_equal(notifs(v, v->ud), 1);
	assert_int_equal(notifs(v, v->ur), 0); /* not named */
	assert_string_equal(qs(v, "SELECT text FROM notifications WHERE user_id = ?", v->ud), "自定义 / own text");
	const char *t = qs(v, "SELECT text FROM notifications WHERE user_id = ?", v->us);
	assert_non_null(strstr(t, "民情诉求“楼道灯坏了”"));
	/* A private event is queued for no webhook whatever the kind says. */
	assert_int_equal(qi(v, "SELECT count(*) FROM webhook_deliveries WHERE case_id = ?", id), 0);
}

/* Webhooks above the case get its public events queued, no others. */
static void test_webhooks_queued(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	json_t *out = NULL;
	json_t *in = json_pack("{s:I, s:s}", "node_id", (json_int_t)v->C, "url", "https://example.invalid/all");
	assert_int_equal(webhooks_create(&v->u.c, in, &out, &e), 0);
	int64_t all = jint(out, "id");
	json_decref(in);
	json_decref(out);
	in = json_pack("{s:I, s:s}", "node_id", (json_int_t)v->A2, "url", "https://example.invalid/a2");
	assert_int_equal(webhooks_create(&v->u.c, in, &out, &e), 0);
	int64_t other = jint(out, "id");
	json_decref(in);
	json_decref(out);
	int64_t id = report(v, "corridor_light", "楼道灯坏了");
	act(&v->cn, id, "accept", NULL);
	act(&v->cn, id, "note", json_pack("{s:s}", "note", "内部"));
	assert_int_equal(qi(v, "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ?", all), 2);
	assert_int_equal(qi(v, "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ?", other), 0);
	assert_string_equal(qs(v,
			       "SELECT group_concat(event, ',') FROM (SELECT event FROM webhook_deliveries WHERE "
			       "webhook_id = ? ORDER BY id)",
			       all),
			    "request.reported,request.accepted");
	/* No personal data in the payload. */
	const char *payload =
	    qs(v, "SELECT payload FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id LIMIT 1", all);
	assert_null(strstr(payload, "居民"));
	assert_non_null(strstr(payload, "楼道灯坏了"));
}

/* BUG: a webhook's events are matched by substring (strstr(events, type),
 * src/domain/case_notify.c:90), so a hook for "auto_escalated" also gets
 * every manual "escalated" event, and one for "auto_closed" every "closed". */
static void test_webhook_events_match_whole_types(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	json_t *out = NULL;
	json_t *in = json_pack("{s:I, s:s, s:s}", "node_id", (json_int_t)v->S, "url", "https://example.invalid/auto",
			       "events", "auto_escalated,auto_closed");
	assert_int_equal(webhooks_create(&v->u.c, in, &out, &e), 0);
	int64_t hook = jint(out, "id");
	json_decref(in);
	json_decref(out);
	int64_t id = report(v, "corridor_light", "楼道灯坏了");
	act(&v->u.c, id, "escalate", json_pack("{s:s}", "reason", "需社区处理"));
	act(&v->cd, id, "close", json_pack("{s:s}", "reason", "重复"));
	const char *got =
	    qs(v, "SELECT coalesce(group_concat(event, ','), '') FROM webhook_deliveries WHERE webhook_id = ?", hook);
	if (*got)
		print_error("hook for auto_escalated,auto_closed got: %s\n", got);
	assert_string_equal(got, "");
	/* Its own events do reach it. */
	int64_t id2 = report(v, "corridor_light", "另一盏灯");
	act(&v->cn, id2, "accept", NULL);
	tick_expect(v, t0() + 72 * H + 1, 1, 0, 0);
	assert_int_equal(
	    qi(v, "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ? AND event = 'request.auto_escalated'",
	       hook),
	    1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules_find),
	    cmocka_unit_test(test_rules_allows),
	    cmocka_unit_test(test_kinds_well_formed),
	    cmocka_unit_test(test_rules_allows_empty_status_terminates),
	    cmocka_unit_test_setup_teardown(test_route, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create_routes_by_category, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_visibility, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_accept_from_waiting_restarts_clock, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_escalate_out_of_reach_reports_success, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_second_unsatisfied_at_top, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_second_handover_keeps_one_lead, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clock_escalates_past_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clock_top_flagged_once_per_period, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clock_waiting_does_not_escalate, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clock_response_overdue_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clock_auto_close_unrated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clock_idempotent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
	    cmocka_unit_test(test_stats_empty),
	    cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_summary_head_whose_term_ended_on_the_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_notifications, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kind_names_recipients, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_webhooks_queued, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_webhook_events_match_whole_types, setup, teardown),
	};
	(void)setup_bare;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
