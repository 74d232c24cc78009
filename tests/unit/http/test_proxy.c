/*
 * test_proxy.c — unit tests for src/http/proxy.c: parsing --trusted-proxy
 * and choosing the client address from X-Forwarded-For.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "http/http.h"

static void test_parse_lists(void **state)
{
	static const struct {
		const char *list;
		bool ok;
		int n;
	} cases[] = {
	    {"127.0.0.1", true, 1},
	    {"127.0.0.1, 10.0.0.0/8 ::1", true, 3},
	    {"192.168.0.0/16,fd00::/8,", true, 2},
	    {"", true, 0},
	    {"10.0.0.0/33", false, 0},
	    {"fd00::/129", false, 0},
	    {"10.0.0.0/", false, 0},
	    {"10.0.0.0/8x", false, 0},
	    {"localhost", false, 0},
	    {"1.2.3.4:80", false, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct http_proxies p;
		char msg[128] = "";
		bool ok = http_proxies_parse(cases[i].list, &p, msg, sizeof msg);
		if (ok != cases[i].ok)
			fail_msg("%s: %s", cases[i].list, msg);
		if (ok)
			assert_int_equal(p.n, cases[i].n);
		else
			assert_true(msg[0]);
	}
}

static void test_trusted_networks(void **state)
{
	struct http_proxies p;
	char msg[128];
	assert_true(http_proxies_parse("10.0.0.0/8,192.168.1.128/25,fd00::/8,127.0.0.1", &p, msg, sizeof msg));
	static const struct {
		const char *addr;
		bool trusted;
	} cases[] = {
	    {"10.1.2.3", true},       {"11.0.0.1", false},       {"192.168.1.128", true}, {"192.168.1.255", true},
	    {"192.168.1.127", false}, {"fd12::1", true},         {"fe80::1", false},      {"127.0.0.1", true},
	    {"127.0.0.2", false},     {"::ffff:10.0.0.1", true}, {"garbage", false},      {"", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		if (http_proxy_trusted(&p, cases[i].addr) != cases[i].trusted)
			fail_msg("%s", cases[i].addr);
	assert_false(http_proxy_trusted(NULL, "10.0.0.1"));
}

static void test_client_address(void **state)
{
	struct http_proxies p;
	char msg[128];
	assert_true(http_proxies_parse("127.0.0.1,10.0.0.0/8", &p, msg, sizeof msg));
	static const struct {
		const char *peer, *xff, *client;
	} cases[] = {
	    /* not from a trusted proxy: the header is the client's claim */
	    {"203.0.113.5", "198.51.100.7", "203.0.113.5"},
	    /* from the proxy: the hop it appended */
	    {"127.0.0.1", "198.51.100.7", "198.51.100.7"},
	    {"127.0.0.1", NULL, "127.0.0.1"},
	    {"127.0.0.1", "", "127.0.0.1"},
	    /* the rightmost untrusted hop; what the client wrote left of it is ignored */
	    {"127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"},
	    {"127.0.0.1", "6.6.6.6,198.51.100.7, 10.0.0.2", "198.51.100.7"},
	    /* all hops trusted: the leftmost */
	    {"127.0.0.1", "10.0.0.3, 10.0.0.2", "10.0.0.3"},
	    /* a hop that is not an address stops at the nearest trusted one */
	    {"127.0.0.1", "198.51.100.7, unknown", "127.0.0.1"},
	    {"127.0.0.1", "198.51.100.7, junk, 10.0.0.2", "10.0.0.2"},
	    {"127.0.0.1", "1.2.3.4:5678", "127.0.0.1"},
	    {"127.0.0.1", ",", "127.0.0.1"},
	    /* canonical text */
	    {"127.0.0.1", "2001:DB8:0:0::1", "2001:db8::1"},
	    {"127.0.0.1", " ::ffff:198.51.100.9 ", "198.51.100.9"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char buf[64];
		const char *got = http_client_addr(&p, cases[i].peer, cases[i].xff, buf, sizeof buf);
		if (strcmp(got, cases[i].client) != 0)
			fail_msg("peer %s xff '%s': got %s, want %s", cases[i].peer,
				 cases[i].xff ? cases[i].xff : "(none)", got, cases[i].client);
	}
	char buf[64];
	assert_string_equal(http_client_addr(NULL, "127.0.0.1", "198.51.100.7", buf, sizeof buf), "127.0.0.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_lists),
	    cmocka_unit_test(test_trusted_networks),
	    cmocka_unit_test(test_client_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
