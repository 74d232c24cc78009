/* totp.c — RFC 6238 codes and RFC 4648 base32 (vectors in
 * tests/unit/base/test_totp.c). */
#include "base/totp.h"

#include <ctype.h>
#include <string.h>

#include "base/sha1.h"

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int64_t totp_step(int64_t t)
{
	return t >= 0 ? t / TOTP_PERIOD : -1;
}

uint32_t totp_code(const unsigned char *key, size_t keylen, int64_t step, int digits)
{
	unsigned char msg[8], mac[SHA1_BYTES];
	uint64_t counter = (uint64_t)step;
	for (int i = 7; i >= 0; i--, counter >>= 8)
		msg[i] = (unsigned char)counter;
	sha1_hmac(key, keylen, msg, sizeof msg, mac);
	int off = mac[SHA1_BYTES - 1] & 0x0f;
	uint32_t bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 | (uint32_t)mac[off + 2] << 8 |
		       (uint32_t)mac[off + 3];
	uint32_t mod = 1;
	for (int i = 0; i < digits; i++)
		mod *= 10;
	return bin % mod;
}

bool totp_check(const unsigned char *key, size_t keylen, const char *code, int64_t now, int64_t last_step,
		int64_t *step)
{
	if (!code || strlen(code) != TOTP_DIGITS)
		return false;
	uint32_t want = 0;
	for (const char *p = code; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		want = want * 10 + (uint32_t)(*p - '0');
	}
	int64_t cur = totp_step(now), found = -1;
	/* Every step of the window is computed, whichever matches. */
	for (int64_t s = cur - TOTP_WINDOW; s <= cur + TOTP_WINDOW; s++) {
		uint32_t diff = totp_code(key, keylen, s, TOTP_DIGITS) ^ want;
		if (diff == 0 && s > last_step && found < 0)
			found = s;
	}
	if (found < 0)
		return false;
	*step = found;
	return true;
}

size_t totp_base32_encode(const unsigned char *in, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5 && n + 1 < cap) {
			out[n++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0 && n + 1 < cap)
		out[n++] = b32[(acc << (5 - bits)) & 31];
	if (cap)
		out[n] = 0;
	return n;
}

int totp_base32_decode(const char *in, unsigned char *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;
	for (const char *p = in; *p; p++) {
		if (*p == ' ' || *p == '=' || *p == '-')
			continue;
		const char *at = strchr(b32, toupper((unsigned char)*p));
		if (!at || !*p)
			return -1;
		acc = (acc << 5) | (uint32_t)(at - b32);
		bits += 5;
		if (bits >= 8) {
			if (n >= cap)
				return -1;
			out[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return (int)n;
}
