/*
 * proxy.c — trusted proxies (--trusted-proxy) and the client address they
 * forward in X-Forwarded-For.
 *
 * Only a connection from a trusted proxy may name the client. The client is
 * the rightmost hop of X-Forwarded-For that is not itself a trusted proxy:
 * every hop to its right was appended by a proxy we trust, the hops to its
 * left were written by the client and prove nothing. A hop that is not an
 * address stops the walk at the nearest trusted hop. Addresses are kept as
 * 16 bytes, IPv4 as v4-mapped IPv6, and printed in their canonical form.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

/* Parses one address (no port, surrounding spaces allowed) into 16 bytes. */
static bool addr_parse(const char *s, size_t n, unsigned char out[16])
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	char text[INET6_ADDRSTRLEN];
	if (n == 0 || n >= sizeof text)
		return false;
	memcpy(text, s, n);
	text[n] = 0;
	struct in_addr v4;
	if (inet_pton(AF_INET, text, &v4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &v4, 4);
		return true;
	}
	return inet_pton(AF_INET6, text, out) == 1;
}

static bool is_v4(const unsigned char a[16])
{
	static const unsigned char prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return memcmp(a, prefix, 12) == 0;
}

static void addr_print(const unsigned char a[16], char *buf, size_t cap)
{
	if (!inet_ntop(is_v4(a) ? AF_INET : AF_INET6, is_v4(a) ? a + 12 : a, buf, (socklen_t)cap))
		snprintf(buf, cap, "?");
}

bool http_proxies_parse(const char *list, struct http_proxies *out, char *msg, size_t cap)
{
	memset(out, 0, sizeof *out);
	for (const char *p = list; *p;) {
		const char *end = p + strcspn(p, ", ");
		if (end > p) {
			const char *slash = memchr(p, '/', (size_t)(end - p));
			if (out->n == HTTP_PROXIES_MAX) {
				snprintf(msg, cap, "at most %d trusted proxies", HTTP_PROXIES_MAX);
				return false;
			}
			struct http_net *net = &out->net[out->n];
			if (!addr_parse(p, (size_t)((slash ? slash : end) - p), net->addr)) {
				snprintf(msg, cap, "not an address: %.*s", (int)(end - p), p);
				return false;
			}
			int max = is_v4(net->addr) ? 32 : 128;
			long bits = max;
			if (slash) {
				char *stop;
				bits = strtol(slash + 1, &stop, 10);
				if (stop == slash + 1 || stop != end || bits < 0 || bits > max) {
					snprintf(msg, cap, "bad prefix length: %.*s", (int)(end - p), p);
					return false;
				}
			}
			net->bits = (int)bits + (max == 32 ? 96 : 0);
			out->n++;
		}
		p = *end ? end + 1 : end;
	}
	return true;
}

static bool in_nets(const struct http_proxies *p, const unsigned char a[16])
{
	for (int i = 0; p && i < p->n; i++) {
		const struct http_net *net = &p->net[i];
		int whole = net->bits / 8, rest = net->bits % 8;
		if (memcmp(a, net->addr, (size_t)whole) != 0)
			continue;
		if (rest == 0 || ((a[whole] ^ net->addr[whole]) & (0xff00 >> rest)) == 0)
			return true;
	}
	return false;
}

bool http_proxy_trusted(const struct http_proxies *p, const char *addr)
{
	unsigned char a[16];
	return addr && addr_parse(addr, strlen(addr), a) && in_nets(p, a);
}

const char *http_client_addr(const struct http_proxies *p, const char *peer, const char *xff, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s", peer);
	if (!xff || !http_proxy_trusted(p, peer))
		return buf;
	const char *end = xff + strlen(xff);
	while (end > xff) {
		const char *start = end;
		while (start > xff && start[-1] != ',')
			start--;
		unsigned char a[16];
		if (!addr_parse(start, (size_t)(end - start), a))
			break; /* not an address: the nearest trusted hop is all we know */
		addr_print(a, buf, cap);
		if (!in_nets(p, a))
			break;
		end = start > xff ? start - 1 : start;
	}
	return buf;
}
