/*
 * test_audit_chain.c — unit tests for src/domain/core/audit_chain: rows of
 * two communities and of the street land in three chains; an untouched
 * trail verifies; a changed row, a deleted row (the triggers dropped, as
 * someone with the database file could), rows cut off the end and a
 * forged head are each reported naming the row; rows written before the
 * chain existed are sealed into it; and no row younger than 183 days can
 * be deleted nor a chained one updated while the triggers stand.
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
#include "domain/core/audit.h"
#include "domain/core/audit_chain.h"
#include "store/store.h"
#include "unit_domain.h"

struct chains {
	int64_t c1, c2, h1, h2;
};

/* Two communities with a household each, and some changes in each. */
static struct chains fill(struct unit_db *u)
{
	struct chains k;
	k.c1 = unit_make_node(u, u->root, "community", "东社区");
	k.c2 = unit_make_node(u, u->root, "community", "西社区");
	k.h1 = unit_make_household(u, k.c1, "东1栋", "owned");
	k.h2 = unit_make_household(u, k.c2, "西1栋", "owned");
	for (int i = 0; i < 3; i++) {
		unit_make_person(u, k.h1, "东居民", NULL, NULL);
		unit_make_person(u, k.h2, "西居民", NULL, NULL);
	}
	return k;
}

static int verify(struct unit_db *u, char *report, size_t cap)
{
	struct err e = {0};
	int64_t rows = 0;
	report[0] = 0;
	int n = audit_chain_verify(&u->c, report, cap, &rows, &e);
	assert_true(n >= 0);
	return n;
}

static void test_chains_per_community(void **state)
{
	struct unit_db *u = *state;
	struct chains k = fill(u);
	char report[2048];
	assert_int_equal(verify(u, report, sizeof report), 0);
	/* The street's rows (its two new communities' creation is at
	 * community level: each community node is in its own chain). */
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM audit WHERE community_id = ?", k.c1), 1 + 1 + 3);
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM audit WHERE community_id = ?", k.c2), 1 + 1 + 3);
	assert_int_equal(unit_qi0(u, "SELECT count(*) FROM audit_chains"), 3);
	assert_int_equal(unit_qi(u, "SELECT max(chain_seq) FROM audit WHERE community_id = ?", k.c1), 5);
	/* Each row links to the one before it in its chain. */
	assert_int_equal(unit_qi(u,
				 "SELECT count(*) FROM audit a JOIN audit b ON b.community_id = a.community_id AND "
				 "b.chain_seq = a.chain_seq + 1 WHERE a.community_id = ? AND b.prev_hash = a.hash",
				 k.c2),
			 4);
	/* While the triggers stand, a chained row is not rewritten, and a row
	 * of today (the real clock: the triggers read the database's) is not
	 * deleted. */
	struct err e = {0};
	assert_true(store_run(u->db, &e, "UPDATE audit SET action = 'x' WHERE id = 3", "") < 0);
	assert_int_equal(verify(u, report, sizeof report), 0);
	assert_int_equal(
	    store_exec(u->db,
		       "INSERT INTO audit (at, user_id, username, action, entity, entity_id, client) VALUES "
		       "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-182 days'), 0, 'system', 'x', 'user', 1, 'cli')",
		       &e),
	    0);
	int64_t recent = store_last_id(u->db);
	assert_true(store_run(u->db, &e, "DELETE FROM audit WHERE id = ?", "i", recent) < 0);
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM audit WHERE id = ?", recent), 1);
}

static void drop_triggers(struct unit_db *u)
{
	struct err e = {0};
	assert_int_equal(store_exec(u->db, "DROP TRIGGER audit_append_only; DROP TRIGGER audit_kept", &e), 0);
}

/* The id of the n-th row (1-based) of a community's chain. */
static int64_t nth(struct unit_db *u, int64_t comm, int n)
{
	int64_t id = 0;
	struct err e = {0};
	assert_int_equal(store_int(u->db, &e, &id, "SELECT id FROM audit WHERE community_id = ? AND chain_seq = ?",
				   "ii", comm, (int64_t)n),
			 0);
	return id;
}

static void expect_row(const char *report, int64_t id, const char *what)
{
	char want[64];
	snprintf(want, sizeof want, ": row %lld: ", (long long)id);
	if (!strstr(report, want) || !strstr(report, what))
		print_error("report: %s (wanted row %lld, %s)\n", report, (long long)id, what);
	assert_non_null(strstr(report, want));
	assert_non_null(strstr(report, what));
}

static void test_tampering_found(void **state)
{
	struct unit_db *u = *state;
	struct chains k = fill(u);
	drop_triggers(u);
	char report[2048];
	struct err e = {0};
	/* A changed snapshot in the east. */
	int64_t changed = nth(u, k.c1, 3);
	assert_int_equal(
	    store_run(u->db, &e, "UPDATE audit SET after = replace(after, '东', '南') WHERE id = ?", "i", changed), 0);
	assert_int_equal(verify(u, report, sizeof report), 1);
	expect_row(report, changed, "hash mismatch");
	/* A row deleted in the west: the next one is named. */
	int64_t gone = nth(u, k.c2, 2), next = nth(u, k.c2, 3);
	assert_int_equal(store_run(u->db, &e, "DELETE FROM audit WHERE id = ?", "i", gone), 0);
	assert_int_equal(verify(u, report, sizeof report), 2);
	expect_row(report, next, "deleted");
	/* Even with the seq numbers closed up, the link is broken. */
	assert_int_equal(
	    store_run(u->db, &e, "UPDATE audit SET chain_seq = chain_seq - 1 WHERE community_id = ? AND chain_seq > 2",
		      "i", k.c2),
	    0);
	assert_int_equal(verify(u, report, sizeof report), 2);
	expect_row(report, next, "link to the previous row broken");
}

static void test_truncation_found(void **state)
{
	struct unit_db *u = *state;
	struct chains k = fill(u);
	drop_triggers(u);
	char report[2048];
	struct err e = {0};
	/* The last two rows of the east cut off, and the head moved back to
	 * the new last row's hash (known: it is in the table). */
	int64_t last = nth(u, k.c1, 3);
	assert_int_equal(store_run(u->db, &e, "DELETE FROM audit WHERE community_id = ? AND chain_seq > 3", "i", k.c1),
			 0);
	assert_int_equal(
	    store_run(u->db, &e,
		      "UPDATE audit_chains SET seq = 3, head_id = ?, head_hash = (SELECT hash FROM audit WHERE "
		      "id = ?) WHERE community_id = ?",
		      "iii", last, last, k.c1),
	    0);
	assert_int_equal(verify(u, report, sizeof report), 1);
	expect_row(report, last, "cut off");
}

static void test_seal_earlier_rows(void **state)
{
	struct unit_db *u = *state;
	struct chains k = fill(u);
	struct err e = {0};
	/* Rows as written before migration 010: no chain columns. */
	assert_int_equal(
	    store_run(u->db, &e,
		      "INSERT INTO audit (at, user_id, username, action, entity, entity_id, client) VALUES "
		      "('2023-01-01T00:00:00Z', 0, 'system', 'create', 'household', ?, 'cli'), "
		      "('2023-01-02T00:00:00Z', 0, 'system', 'login', 'user', 9, 'cli')",
		      "i", k.h1),
	    0);
	char report[2048];
	assert_int_equal(verify(u, report, sizeof report), 1);
	assert_non_null(strstr(report, "not chained"));
	int64_t sealed = 0;
	assert_int_equal(audit_chain_seal(&u->c, &sealed, &e), 0);
	assert_int_equal(sealed, 2);
	assert_int_equal(verify(u, report, sizeof report), 0);
	assert_int_equal(
	    unit_qi(u, "SELECT community_id FROM audit WHERE at = '2023-01-01T00:00:00Z' AND entity_id = ?", k.h1),
	    k.c1);
	/* A row older than 183 days may be deleted (nothing removes one yet);
	 * the chain then shows the gap, as it should. */
	assert_int_equal(store_run(u->db, &e, "DELETE FROM audit WHERE at = '2023-01-02T00:00:00Z'", ""), 0);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	if (pii_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    UNIT_DB_TEST(test_chains_per_community),
	    UNIT_DB_TEST(test_tampering_found),
	    UNIT_DB_TEST(test_truncation_found),
	    UNIT_DB_TEST(test_seal_earlier_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
