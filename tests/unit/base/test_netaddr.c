/*
 * test_netaddr.c — the address policy of outgoing requests as one table:
 * address (and allow-list) → allowed or refused, for IPv4 and IPv6, the
 * IPv4-in-IPv6 forms, and the allow-list's parsing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/netaddr.h"

static void test_address_table(void **state)
{
	static const struct {
		const char *addr, *allow;
		int refused;
	} cases[] = {
	    /* public unicast */
	    {"8.8.8.8", "", 0},
	    {"1.1.1.1", "", 0},
	    {"114.114.114.114", "", 0},
	    {"100.63.255.255", "", 0},
	    {"100.128.0.0", "", 0},
	    {"172.15.255.255", "", 0},
	    {"172.32.0.0", "", 0},
	    {"192.169.0.1", "", 0},
	    {"223.255.255.255", "", 0},
	    {"2400:3200::1", "", 0},
	    {"2606:4700:4700::1111", "", 0},
	    {"::ffff:8.8.8.8", "", 0},
	    {"64:ff9b::808:808", "", 0}, /* NAT64 of 8.8.8.8 */
	    {"2002:808:808::1", "", 0},  /* 6to4 of 8.8.8.8 */
	    /* IPv4 refused */
	    {"0.0.0.0", "", 1},
	    {"0.1.2.3", "", 1},
	    {"10.0.0.1", "", 1},
	    {"10.255.255.255", "", 1},
	    {"100.64.0.1", "", 1},
	    {"100.127.255.254", "", 1},
	    {"127.0.0.1", "", 1},
	    {"127.255.255.254", "", 1},
	    {"169.254.0.1", "", 1},
	    {"169.254.169.254", "", 1},
	    {"172.16.0.1", "", 1},
	    {"172.31.255.255", "", 1},
	    {"192.0.0.170", "", 1},
	    {"192.0.2.1", "", 1},
	    {"192.168.1.1", "", 1},
	    {"198.18.0.1", "", 1},
	    {"198.51.100.7", "", 1},
	    {"203.0.113.9", "", 1},
	    {"224.0.0.1", "", 1},
	    {"239.255.255.250", "", 1},
	    {"240.0.0.1", "", 1},
	    {"255.255.255.255", "", 1},
	    /* IPv6 refused */
	    {"::", "", 1},
	    {"::1", "", 1},
	    {"::127.0.0.1", "", 1},
	    {"::ffff:127.0.0.1", "", 1},
	    {"::ffff:10.0.0.1", "", 1},
	    {"::ffff:169.254.169.254", "", 1},
	    {"64:ff9b::a00:1", "", 1},    /* NAT64 of 10.0.0.1 */
	    {"64:ff9b::7f00:1", "", 1},   /* NAT64 of 127.0.0.1 */
	    {"2002:a00:1::1", "", 1},     /* 6to4 of 10.0.0.1 */
	    {"2002:a9fe:a9fe::1", "", 1}, /* 6to4 of 169.254.169.254 */
	    {"2001::1", "", 1},           /* Teredo */
	    {"2001:db8::1", "", 1},
	    {"100::1", "", 1},
	    {"fc00::1", "", 1},
	    {"fd12:3456:789a::1", "", 1},
	    {"fe80::1", "", 1},
	    {"febf:ffff::1", "", 1},
	    {"fec0::1", "", 1},
	    {"ff02::1", "", 1},
	    {"fd00:ec2::254", "", 1}, /* AWS's IPv6 metadata address */
	    /* the allow-list */
	    {"127.0.0.1", "127.0.0.1/32", 0},
	    {"127.0.0.2", "127.0.0.1/32", 1},
	    {"::ffff:127.0.0.1", "127.0.0.1", 0},
	    {"10.9.8.7", "10.0.0.0/8", 0},
	    {"11.0.0.1", "10.0.0.0/8", 0}, /* public anyway */
	    {"192.168.3.4", "10.0.0.0/8", 1},
	    {"192.168.3.4", "10.0.0.0/8, 192.168.3.0/24", 0},
	    {"192.168.4.4", "10.0.0.0/8, 192.168.3.0/24", 1},
	    {"::1", "::1/128", 0},
	    {"fd00::1", "fd00::/8", 0},
	    {"fe80::1", "fd00::/8", 1},
	    {"169.254.169.254", "0.0.0.0/0", 0},
	    {"fe80::1", "0.0.0.0/0", 1}, /* an IPv4 block covers IPv4 only */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct netaddr a;
		struct netaddr_allow allow;
		struct err e = {0};
		if (!netaddr_parse(cases[i].addr, &a))
			fail_msg("cannot parse %s", cases[i].addr);
		assert_int_equal(netaddr_allow_parse(cases[i].allow, &allow, &e), 0);
		const struct netaddr_reason *why = netaddr_refused(&a, &allow);
		if (!!why != cases[i].refused)
			fail_msg("%s (allow '%s'): %s, want %s", cases[i].addr, cases[i].allow,
				 why ? why->en : "allowed", cases[i].refused ? "refused" : "allowed");
		if (why)
			assert_true(why->zh[0] && why->en[0]);
	}
}

static void test_allow_parse(void **state)
{
	static const struct {
		const char *spec;
		int ok, n;
	} cases[] = {
	    {NULL, 1, 0},
	    {"", 1, 0},
	    {" , ,", 1, 0},
	    {"127.0.0.1", 1, 1},
	    {"10.0.0.0/8,::1", 1, 2},
	    {"::/0", 1, 1},
	    {"10.0.0.0/33", 0, 0},
	    {"::1/129", 0, 0},
	    {"10.0.0.0/", 0, 0},
	    {"10.0.0.0/x", 0, 0},
	    {"localhost", 0, 0},
	    {"10.0.0/8", 0, 0},
	    {"1.2.3.4/-1", 0, 0},
	    {"1.2.3.4/0008", 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct netaddr_allow allow;
		struct err e = {0};
		int rc = netaddr_allow_parse(cases[i].spec, &allow, &e);
		if ((rc == 0) != cases[i].ok)
			fail_msg("'%s': %d (%s)", cases[i].spec ? cases[i].spec : "(null)", rc, e.msg);
		if (rc == 0)
			assert_int_equal(allow.n, cases[i].n);
		else
			assert_string_equal(e.field, "webhook-allow");
	}
	/* More than NETADDR_ALLOW_MAX entries are refused. */
	char many[2048] = "";
	for (int i = 0; i <= NETADDR_ALLOW_MAX; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "10.0.%d.0/24,", i);
	struct netaddr_allow allow;
	assert_int_equal(netaddr_allow_parse(many, &allow, NULL), ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_address_table),
	    cmocka_unit_test(test_allow_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
