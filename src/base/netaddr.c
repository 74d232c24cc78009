/*
 * netaddr.c — the table of address ranges an outgoing request must not
 * reach (IANA's special-purpose registries, IPv4 and IPv6), CIDR parsing
 * for the allow-list, and the one check both use.
 */
#include "base/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const struct netaddr_reason R_THIS = {"“本网络”地址", "a 'this network' address"},
				   R_LOOP = {"本机回环地址", "a loopback address"},
				   R_PRIV = {"内网地址", "a private address"},
				   R_CGNAT = {"运营商内网地址（CGNAT）", "a carrier-grade NAT address"},
				   R_LINK = {"链路本地地址（含云主机元数据地址）",
					     "a link-local address (cloud metadata)"},
				   R_SPECIAL = {"保留的特殊用途地址", "a reserved special-purpose address"},
				   R_MCAST = {"组播地址", "a multicast address"},
				   R_BCAST = {"广播地址", "the broadcast address"},
				   R_ULA = {"IPv6 内网地址（ULA）", "an IPv6 unique local address"};

/* Checked in order; IPv4 ranges are written as themselves and compared
 * in their mapped form. */
static const struct {
	const char *cidr;
	const struct netaddr_reason *why;
} blocked[] = {
    {"0.0.0.0/8", &R_THIS},
    {"10.0.0.0/8", &R_PRIV},
    {"100.64.0.0/10", &R_CGNAT},
    {"127.0.0.0/8", &R_LOOP},
    {"169.254.0.0/16", &R_LINK},
    {"172.16.0.0/12", &R_PRIV},
    {"192.0.0.0/24", &R_SPECIAL},
    {"192.0.2.0/24", &R_SPECIAL},
    {"192.88.99.0/24", &R_SPECIAL},
    {"192.168.0.0/16", &R_PRIV},
    {"198.18.0.0/15", &R_SPECIAL},
    {"198.51.100.0/24", &R_SPECIAL},
    {"203.0.113.0/24", &R_SPECIAL},
    {"224.0.0.0/4", &R_MCAST},
    {"255.255.255.255/32", &R_BCAST},
    {"240.0.0.0/4", &R_SPECIAL},
    {"::1/128", &R_LOOP},
    {"::/96", &R_THIS}, /* unspecified and the deprecated IPv4-compatible form */
    {"100::/64", &R_SPECIAL},
    {"2001::/23", &R_SPECIAL}, /* IETF protocol assignments, Teredo */
    {"2001:db8::/32", &R_SPECIAL},
    {"fc00::/7", &R_ULA},
    {"fe80::/10", &R_LINK},
    {"fec0::/10", &R_PRIV}, /* site-local, deprecated */
    {"ff00::/8", &R_MCAST},
};

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static void from_v4(const unsigned char v4[4], struct netaddr *out)
{
	memcpy(out->b, v4_mapped, 12);
	memcpy(out->b + 12, v4, 4);
}

static bool is_v4(const struct netaddr *a)
{
	return !memcmp(a->b, v4_mapped, 12);
}

bool netaddr_parse(const char *s, struct netaddr *out)
{
	unsigned char v4[4];

	if (!s)
		return false;
	if (inet_pton(AF_INET, s, v4) == 1) {
		from_v4(v4, out);
		return true;
	}
	return inet_pton(AF_INET6, s, out->b) == 1;
}

bool netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *out)
{
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		from_v4((const unsigned char *)&s4->sin_addr, out);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out->b, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

const char *netaddr_str(const struct netaddr *a, char *out, unsigned cap)
{
	if (!inet_ntop(is_v4(a) ? AF_INET : AF_INET6, is_v4(a) ? a->b + 12 : a->b, out, (socklen_t)cap))
		snprintf(out, cap, "?");
	return out;
}

static bool in_cidr(const struct netaddr *a, const struct netaddr_cidr *c)
{
	int full = c->bits / 8, rest = c->bits % 8;

	if (memcmp(a->b, c->a.b, (size_t)full) != 0)
		return false;
	if (!rest)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (a->b[full] & mask) == (c->a.b[full] & mask);
}

/* "addr" or "addr/len" (len over the address's own family). */
static bool parse_cidr(const char *s, size_t n, struct netaddr_cidr *out)
{
	char tmp[64];
	if (n == 0 || n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	char *slash = strchr(tmp, '/');
	long len = -1;
	if (slash) {
		*slash = '\0';
		const char *d = slash + 1;
		if (!*d || strlen(d) > 3 || strspn(d, "0123456789") != strlen(d))
			return false;
		len = 0;
		for (; *d; d++)
			len = len * 10 + (*d - '0');
	}
	if (!netaddr_parse(tmp, &out->a))
		return false;
	int v4 = strchr(tmp, ':') == NULL;
	int max = v4 ? 32 : 128;
	if (len < 0)
		len = max;
	if (len > max)
		return false;
	out->bits = (int)len + (v4 ? 96 : 0);
	return true;
}

int netaddr_allow_parse(const char *spec, struct netaddr_allow *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	if (!spec)
		return 0;
	const char *p = spec;
	while (*p) {
		size_t n = strcspn(p, ",");
		const char *s = p;
		size_t k = n;
		while (k && (*s == ' ' || *s == '\t'))
			s++, k--;
		while (k && (s[k - 1] == ' ' || s[k - 1] == '\t'))
			k--;
		if (k) {
			if (out->n >= NETADDR_ALLOW_MAX)
				return err_set(e, ERR_INVALID, "webhook-allow",
					       "允许的地址段最多%d个 / at most %d entries", NETADDR_ALLOW_MAX,
					       NETADDR_ALLOW_MAX);
			if (!parse_cidr(s, k, &out->c[out->n]))
				return err_set(
				    e, ERR_INVALID, "webhook-allow",
				    "无效的地址段“%.*s”，应为 地址 或 地址/前缀长度 / bad entry '%.*s': ADDR or "
				    "ADDR/LEN",
				    (int)(k > 60 ? 60 : k), s, (int)(k > 60 ? 60 : k), s);
			out->n++;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

bool netaddr_allowed_by(const struct netaddr *a, const struct netaddr_allow *allow)
{
	for (int i = 0; allow && i < allow->n; i++)
		if (in_cidr(a, &allow->c[i]))
			return true;
	return false;
}

/* The table's verdict for a, without the allow-list. */
static const struct netaddr_reason *classify(const struct netaddr *a)
{
	/* IPv4 carried inside IPv6 reaches that IPv4 host: NAT64
	 * (64:ff9b::/96) and 6to4 (2002::/16) are judged by it. */
	static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
	struct netaddr inner;
	if (!memcmp(a->b, nat64, 12)) {
		from_v4(a->b + 12, &inner);
		return classify(&inner);
	}
	if (a->b[0] == 0x20 && a->b[1] == 0x02) {
		from_v4(a->b + 2, &inner);
		return classify(&inner);
	}
	for (size_t i = 0; i < sizeof blocked / sizeof *blocked; i++) {
		struct netaddr_cidr c;
		if (parse_cidr(blocked[i].cidr, strlen(blocked[i].cidr), &c) && in_cidr(a, &c))
			return blocked[i].why;
	}
	return NULL;
}

const struct netaddr_reason *netaddr_refused(const struct netaddr *a, const struct netaddr_allow *allow)
{
	if (netaddr_allowed_by(a, allow))
		return NULL;
	return classify(a);
}
