/* sha1.c — SHA-1 and HMAC-SHA1, checked against FIPS 180 and RFC 2202 vectors
 * (tests/unit/base/test_totp.c). */
#include "base/sha1.h"

#include <string.h>

struct sha1_state {
	uint32_t h[5];
	uint64_t bytes;
	unsigned char block[64];
	size_t used;
};

static uint32_t rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void compress(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80];
	for (size_t i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
		       (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;
		if (i < 20)
			f = (b & c) | (~b & d), k = 0x5A827999u;
		else if (i < 40)
			f = b ^ c ^ d, k = 0x6ED9EBA1u;
		else if (i < 60)
			f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDCu;
		else
			f = b ^ c ^ d, k = 0xCA62C1D6u;
		uint32_t t = rol(a, 5) + f + e + k + w[i];
		e = d, d = c, c = rol(b, 30), b = a, a = t;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

static void sha1_start(struct sha1_state *s)
{
	static const uint32_t iv[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
	memcpy(s->h, iv, sizeof iv);
	s->bytes = 0;
	s->used = 0;
}

static void sha1_add(struct sha1_state *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	s->bytes += len;
	while (len) {
		size_t n = 64 - s->used < len ? 64 - s->used : len;
		memcpy(s->block + s->used, p, n);
		s->used += n, p += n, len -= n;
		if (s->used == 64) {
			compress(s->h, s->block);
			s->used = 0;
		}
	}
}

static void sha1_end(struct sha1_state *s, unsigned char out[SHA1_BYTES])
{
	uint64_t bits = s->bytes * 8;
	unsigned char pad = 0x80, zero = 0, len[8];
	sha1_add(s, &pad, 1);
	while (s->used != 56)
		sha1_add(s, &zero, 1);
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_add(s, len, 8);
	for (size_t i = 0; i < 5; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

void sha1(const void *data, size_t len, unsigned char out[SHA1_BYTES])
{
	struct sha1_state s;
	sha1_start(&s);
	sha1_add(&s, data, len);
	sha1_end(&s, out);
}

void sha1_hmac(const void *key, size_t keylen, const void *msg, size_t len, unsigned char out[SHA1_BYTES])
{
	unsigned char k[64] = {0}, pad[64], inner[SHA1_BYTES];
	if (keylen > 64)
		sha1(key, keylen, k);
	else
		memcpy(k, key, keylen);
	struct sha1_state s;
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	sha1_start(&s);
	sha1_add(&s, pad, 64);
	sha1_add(&s, msg, len);
	sha1_end(&s, inner);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	sha1_start(&s);
	sha1_add(&s, pad, 64);
	sha1_add(&s, inner, sizeof inner);
	sha1_end(&s, out);
}
