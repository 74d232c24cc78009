/*
 * test_ratelimit.c — unit tests for src/http/ratelimit.c (token buckets in
 * fixed tables: refill, the overflow bucket, reuse of idle slots, bucket
 * ids of addresses) and src/http/ratecred.c (credential → account).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http/ratecred.h"
#include "http/ratelimit.h"

/* A distinct id per number. */
static const unsigned char *id_of(unsigned n)
{
	static unsigned char id[HTTP_RATE_ID];
	memset(id, 0, sizeof id);
	memcpy(id, &n, sizeof n);
	return id;
}

/* How many of n requests at now the bucket lets through. */
static int takes(struct http_rate_table *t, const char *bucket, unsigned who, int per_minute, double now, int n)
{
	int ok = 0;
	for (int i = 0; i < n; i++)
		ok += http_rate_take(t, bucket, id_of(who), per_minute, now);
	return ok;
}

static void test_refill(void **state)
{
	struct http_rate_table *t = http_rate_table_new(1024, 16);
	assert_non_null(t);
	/* A burst of the minute's rate, then one token per 60/N seconds. */
	assert_int_equal(takes(t, "all", 1, 60, 100.0, 70), 60);
	assert_int_equal(takes(t, "all", 1, 60, 100.5, 5), 0);
	assert_int_equal(takes(t, "all", 1, 60, 101.0, 5), 1);
	assert_int_equal(takes(t, "all", 1, 60, 111.0, 20), 10);
	/* Idle long enough, it is full again and no fuller. */
	assert_int_equal(takes(t, "all", 1, 60, 1000.0, 100), 60);
	/* Other clients and other budgets of the same client are their own. */
	assert_int_equal(takes(t, "all", 2, 60, 1000.0, 100), 60);
	assert_int_equal(takes(t, "login", 1, 20, 1000.0, 30), 20);
	/* No limit at 0. */
	assert_int_equal(takes(t, "all", 3, 0, 1000.0, 1000), 1000);
	assert_int_equal(http_rate_overflows(t), 0);
	http_rate_table_free(t);
}

/* A table whose probe window is the whole table: 16 clients fill it. */
static void test_overflow_when_window_busy(void **state)
{
	struct http_rate_table *t = http_rate_table_new(16, 16);
	assert_non_null(t);
	/* Client 0 spends its bucket; 15 others take two tokens each, so every
	 * slot holds a bucket still refilling (6/min: a token per 10 s). */
	assert_int_equal(takes(t, "all", 0, 6, 0.0, 6), 6);
	for (unsigned c = 1; c < 16; c++)
		assert_int_equal(takes(t, "all", c, 6, 0.0, 2), 2);
	assert_int_equal(http_rate_overflows(t), 0);
	/* New clients share one overflow bucket: six requests among all. */
	int ok = 0;
	for (unsigned c = 100; c < 200; c++)
		ok += takes(t, "all", c, 6, 1.0, 1);
	assert_int_equal(ok, 6);
	assert_int_equal(http_rate_overflows(t), 100);
	/* The flood did not reset the spent client, nor take the others'. */
	assert_int_equal(takes(t, "all", 0, 6, 1.0, 1), 0);
	assert_int_equal(takes(t, "all", 5, 6, 1.0, 10), 4);
	/* The overflow bucket refills like any other. */
	assert_int_equal(takes(t, "all", 300, 6, 11.5, 3), 1);
	assert_int_equal(http_rate_overflows(t), 103);
	/* Another budget name overflows into its own bucket. */
	assert_int_equal(takes(t, "login", 400, 2, 11.5, 5), 2);
	assert_int_equal(http_rate_overflows(t), 108);
	http_rate_table_free(t);
}

static void test_idle_slot_reused(void **state)
{
	struct http_rate_table *t = http_rate_table_new(16, 16);
	assert_non_null(t);
	for (unsigned c = 0; c < 16; c++)
		assert_int_equal(takes(t, "all", c, 6, 0.0, 1), 1);
	/* Client 0 goes on spending; the others go idle. */
	assert_int_equal(takes(t, "all", 0, 6, 0.0, 5), 5);
	/* 10 s later they are full again (one token back per 10 s), and a new
	 * client takes one of their slots with a full bucket of its own. */
	assert_int_equal(takes(t, "all", 100, 6, 10.0, 10), 6);
	assert_int_equal(http_rate_overflows(t), 0);
	/* Client 0 (one token back by now) was not the one forgotten. */
	assert_int_equal(takes(t, "all", 0, 6, 10.0, 5), 1);
	/* Fourteen new clients take the fourteen idle slots left; the next one
	 * finds only buckets still refilling (client 0's, client 100's and
	 * theirs) and overflows. Once those are full again, a new client gets
	 * a slot and a full bucket. */
	for (unsigned c = 200; c < 214; c++)
		assert_int_equal(takes(t, "all", c, 6, 20.0, 1), 1);
	assert_int_equal(http_rate_overflows(t), 0);
	assert_int_equal(takes(t, "all", 214, 6, 20.0, 1), 1);
	assert_int_equal(http_rate_overflows(t), 1);
	assert_int_equal(takes(t, "all", 215, 6, 80.0, 10), 6);
	assert_int_equal(http_rate_overflows(t), 1);
	http_rate_table_free(t);
}

static void id_text(const char *addr, unsigned char id[HTTP_RATE_ID])
{
	http_rate_addr_id(addr, id);
}

static bool same(const char *a, const char *b)
{
	unsigned char x[HTTP_RATE_ID], y[HTTP_RATE_ID];
	id_text(a, x);
	id_text(b, y);
	return memcmp(x, y, sizeof x) == 0;
}

static void test_address_ids(void **state)
{
	static const struct {
		const char *a, *b;
		bool same;
	} cases[] = {
	    {"2001:db8:1:2::1", "2001:db8:1:2:ffff:eeee:dddd:cccc", true}, /* one /64 */
	    {"2001:db8:1:2::1", "2001:db8:1:3::1", false},
	    {"2001:db8:1:2::1", "2001:db9:1:2::1", false},
	    {"fe80::1", "fe80::2", true},
	    {"192.0.2.1", "192.0.2.1", true},
	    {"192.0.2.1", "192.0.2.2", false}, /* IPv4: per address */
	    {"::ffff:192.0.2.1", "192.0.2.1", true},
	    {"::ffff:192.0.2.1", "::ffff:192.0.2.2", false},
	    {"::", "0.0.0.0", false},
	    {"?", "?", true},
	    {"?", "unknown", false},
	    {"?", "::", false},
	    {"?", "0.0.0.0", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		if (same(cases[i].a, cases[i].b) != cases[i].same)
			fail_msg("%s vs %s", cases[i].a, cases[i].b);
	/* The server's table groups the same way. */
	int ok = 0;
	for (int i = 0; i < 3; i++)
		ok += http_rate_allow("2001:db8:77:1::1", 3, "all");
	assert_int_equal(ok, 3);
	assert_false(http_rate_allow("2001:db8:77:1::2", 3, "all"));
	assert_true(http_rate_allow("2001:db8:77:2::1", 3, "all"));
	assert_true(http_rate_allow("198.51.100.7", 1, "all"));
	assert_false(http_rate_allow("198.51.100.7", 1, "all"));
	assert_true(http_rate_allow("198.51.100.8", 1, "all"));
}

static void test_accounts_and_retry_after(void **state)
{
	assert_true(http_rate_allow_account(42, 2));
	assert_true(http_rate_allow_account(42, 2));
	assert_false(http_rate_allow_account(42, 2));
	assert_true(http_rate_allow_account(43, 2));
	assert_true(http_rate_allow_account(42, 0));
	static const int retry[][2] = {{20, 3}, {40, 2}, {7, 9}, {1, 60}, {60, 1}, {6000, 1}, {0, 1}};
	for (size_t i = 0; i < sizeof retry / sizeof *retry; i++)
		assert_int_equal(http_rate_retry_after(retry[i][0]), retry[i][1]);
}

static void test_credentials(void **state)
{
	assert_int_equal(http_ratecred_user("token-a"), 0);
	http_ratecred_learn("token-a", 7);
	http_ratecred_learn("token-b", 8);
	assert_int_equal(http_ratecred_user("token-a"), 7);
	assert_int_equal(http_ratecred_user("token-b"), 8);
	assert_int_equal(http_ratecred_user("token-c"), 0);
	http_ratecred_forget("token-a");
	assert_int_equal(http_ratecred_user("token-a"), 0);
	assert_int_equal(http_ratecred_user("token-b"), 8);
	http_ratecred_learn("token-d", 0); /* not an account */
	assert_int_equal(http_ratecred_user("token-d"), 0);
	assert_int_equal(http_ratecred_user(""), 0);
	assert_int_equal(http_ratecred_user(NULL), 0);
	/* More credentials than slots: the map keeps working, recent ones kept. */
	char tok[32];
	for (unsigned i = 0; i < HTTP_RATECRED_SLOTS * 2; i++) {
		snprintf(tok, sizeof tok, "t%u", i);
		http_ratecred_learn(tok, (int64_t)i + 1);
	}
	snprintf(tok, sizeof tok, "t%u", HTTP_RATECRED_SLOTS * 2 - 1);
	assert_int_equal(http_ratecred_user(tok), HTTP_RATECRED_SLOTS * 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refill),
	    cmocka_unit_test(test_overflow_when_window_busy),
	    cmocka_unit_test(test_idle_slot_reused),
	    cmocka_unit_test(test_address_ids),
	    cmocka_unit_test(test_accounts_and_retry_after),
	    cmocka_unit_test(test_credentials),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
