/*
 * netaddr.h — which IP addresses an outgoing request may go to.
 *
 * Webhooks are registered by community managers, so their targets are not
 * trusted: a URL naming 127.0.0.1, a private network or the cloud metadata
 * address 169.254.169.254 would turn the delivery log into a port scanner of
 * the server's own network. netaddr_refused() says why an address is not a
 * public unicast one (loopback, private, CGNAT, link-local, multicast, …, for
 * IPv4 and IPv6, IPv4 embedded in IPv6 classified as the IPv4 address), unless
 * an explicit allow-list (`linli serve --webhook-allow CIDR,…`) lets it through.
 *
 * Addresses are kept in IPv6 form (IPv4 as ::ffff:a.b.c.d), so one table and
 * one comparison serve both families.
 * Ownership: plain values, nothing allocated. Thread-safety: pure.
 */
#ifndef LINLI_NETADDR_H
#define LINLI_NETADDR_H

#include <stdbool.h>

#include "base/err.h"

struct sockaddr;

struct netaddr {
	unsigned char b[16];
};

struct netaddr_cidr {
	struct netaddr a;
	int bits; /* 0..128, over the IPv6 form */
};

#define NETADDR_ALLOW_MAX 32

struct netaddr_allow {
	int n;
	struct netaddr_cidr c[NETADDR_ALLOW_MAX];
};

/* A refused range: why, in Chinese and English. */
struct netaddr_reason {
	const char *zh, *en;
};

/* Parses a literal IPv4 (dotted quad) or IPv6 address (no brackets, no
 * zone). Returns true on success. */
bool netaddr_parse(const char *s, struct netaddr *out);
/* From an AF_INET or AF_INET6 socket address; false for other families. */
bool netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *out);
/* The address as text (IPv4 dotted for the mapped form); out >= 46 bytes. */
const char *netaddr_str(const struct netaddr *a, char *out, unsigned cap);

/* Parses "10.0.0.0/8,127.0.0.1,::1/128" (comma-separated addresses or
 * CIDR blocks; a bare address is one host) into *out. NULL or "" is the
 * empty list. ERR_INVALID names the bad entry. */
int netaddr_allow_parse(const char *spec, struct netaddr_allow *out, struct err *e);
bool netaddr_allowed_by(const struct netaddr *a, const struct netaddr_allow *allow);

/* NULL when a may be connected to: a public unicast address, or one inside
 * allow (may be NULL); else the reason it is refused. */
const struct netaddr_reason *netaddr_refused(const struct netaddr *a, const struct netaddr_allow *allow);

#endif
