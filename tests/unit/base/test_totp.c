/*
 * test_totp.c — unit tests for src/base/sha1 and src/base/totp against the
 * published vectors: SHA-1 (FIPS 180 examples), HMAC-SHA1 (RFC 2202, all
 * seven cases), HOTP (RFC 4226 appendix D), TOTP with SHA-1 (RFC 6238
 * appendix B) and base32 (RFC 4648 section 10); then the window and the
 * refusal of a used step that login relies on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha1.h"
#include "base/totp.h"

static void hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void test_sha1_fips(void **state)
{
	(void)state;
	static const struct {
		const char *msg, *digest;
	} v[] = {
	    {"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
	    {"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
	    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
	};
	unsigned char d[SHA1_BYTES];
	char h[2 * SHA1_BYTES + 1];
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		sha1(v[i].msg, strlen(v[i].msg), d);
		hex(d, sizeof d, h);
		assert_string_equal(h, v[i].digest);
	}
	/* A million 'a': many blocks, the length over 32 bits of bits. */
	char *m = malloc(1000000);
	memset(m, 'a', 1000000);
	sha1(m, 1000000, d);
	free(m);
	hex(d, sizeof d, h);
	assert_string_equal(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

static void test_hmac_sha1_rfc2202(void **state)
{
	(void)state;
	unsigned char k0b[20], kaa[80], k25[25], k0c[20], ddd[50], dcd[50];
	memset(k0b, 0x0b, sizeof k0b);
	memset(kaa, 0xaa, sizeof kaa);
	memset(k0c, 0x0c, sizeof k0c);
	memset(ddd, 0xdd, sizeof ddd);
	memset(dcd, 0xcd, sizeof dcd);
	for (int i = 0; i < 25; i++)
		k25[i] = (unsigned char)(i + 1);
	static const char *t6 = "Test Using Larger Than Block-Size Key - Hash Key First";
	static const char *t7 = "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data";
	const struct {
		const void *key;
		size_t keylen;
		const void *data;
		size_t len;
		const char *mac;
	} v[] = {
	    {k0b, 20, "Hi There", 8, "b617318655057264e28bc0b6fb378c8ef146be00"},
	    {"Jefe", 4, "what do ya want for nothing?", 28, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
	    {kaa, 20, ddd, 50, "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
	    {k25, 25, dcd, 50, "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
	    {k0c, 20, "Test With Truncation", 20, "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
	    {kaa, 80, t6, strlen(t6), "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
	    {kaa, 80, t7, strlen(t7), "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
	};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		unsigned char d[SHA1_BYTES];
		char h[2 * SHA1_BYTES + 1];
		sha1_hmac(v[i].key, v[i].keylen, v[i].data, v[i].len, d);
		hex(d, sizeof d, h);
		assert_string_equal(h, v[i].mac);
	}
}

#define RFC_SECRET "12345678901234567890"

static void test_hotp_rfc4226(void **state)
{
	(void)state;
	static const uint32_t want[10] = {755224, 287082, 359152, 969429, 338314,
					  254676, 287922, 162583, 399871, 520489};
	for (int c = 0; c < 10; c++)
		assert_int_equal(totp_code((const unsigned char *)RFC_SECRET, 20, c, 6), want[c]);
}

static void test_totp_rfc6238(void **state)
{
	(void)state;
	static const struct {
		int64_t t;
		uint32_t code;
	} v[] = {{59, 94287082},         {1111111109, 7081804},  {1111111111, 14050471},
		 {1234567890, 89005924}, {2000000000, 69279037}, {20000000000LL, 65353130}};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
		assert_int_equal(totp_code((const unsigned char *)RFC_SECRET, 20, totp_step(v[i].t), 8), v[i].code);
		/* The 6-digit code apps show is the same value's last six digits. */
		assert_int_equal(totp_code((const unsigned char *)RFC_SECRET, 20, totp_step(v[i].t), 6),
				 v[i].code % 1000000);
	}
}

static void code6(int64_t step, char out[7])
{
	snprintf(out, 7, "%06u", totp_code((const unsigned char *)RFC_SECRET, 20, step, 6));
}

static void test_totp_window_and_replay(void **state)
{
	(void)state;
	const unsigned char *k = (const unsigned char *)RFC_SECRET;
	int64_t now = 1234567890, cur = totp_step(now), got = 0;
	char c[7];
	/* now-1, now and now+1 are accepted; two steps away is not. */
	for (int d = -1; d <= 1; d++) {
		code6(cur + d, c);
		assert_true(totp_check(k, 20, c, now, 0, &got));
		assert_int_equal(got, cur + d);
	}
	code6(cur - 2, c);
	assert_false(totp_check(k, 20, c, now, 0, &got));
	code6(cur + 2, c);
	assert_false(totp_check(k, 20, c, now, 0, &got));
	/* A step already used (or an earlier one) is refused: no replay. */
	code6(cur, c);
	assert_false(totp_check(k, 20, c, now, cur, &got));
	code6(cur - 1, c);
	assert_false(totp_check(k, 20, c, now, cur, &got));
	code6(cur + 1, c);
	assert_true(totp_check(k, 20, c, now, cur, &got));
	assert_int_equal(got, cur + 1);
	/* Not six digits: refused without a match. */
	static const char *bad[] = {"", "12345", "1234567", "12a456", " 12345", NULL};
	for (int i = 0; bad[i]; i++)
		assert_false(totp_check(k, 20, bad[i], now, 0, &got));
	assert_false(totp_check(k, 20, NULL, now, 0, &got));
}

static void test_base32_rfc4648(void **state)
{
	(void)state;
	static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *enc[] = {"", "MY", "MZXQ", "MZXW6", "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"};
	for (int i = 0; i < 7; i++) {
		char out[32];
		unsigned char back[32];
		assert_int_equal(totp_base32_encode((const unsigned char *)plain[i], strlen(plain[i]), out, sizeof out),
				 strlen(enc[i]));
		assert_string_equal(out, enc[i]);
		assert_int_equal(totp_base32_decode(enc[i], back, sizeof back), (int)strlen(plain[i]));
		assert_memory_equal(back, plain[i], strlen(plain[i]));
	}
	unsigned char back[32];
	/* Padding, lower case and spaces are what people type; other letters are not base32. */
	assert_int_equal(totp_base32_decode("mzxw 6ytb oi======", back, sizeof back), 6);
	assert_memory_equal(back, "foobar", 6);
	assert_int_equal(totp_base32_decode("MZXW1", back, sizeof back), -1);
	assert_int_equal(totp_base32_decode("MZXW6YTBOI", back, 3), -1);
	/* A 20-byte secret is 32 characters, as the enrolment shows it. */
	char s[64];
	assert_int_equal(totp_base32_encode((const unsigned char *)RFC_SECRET, 20, s, sizeof s), 32);
	assert_string_equal(s, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha1_fips),
	    cmocka_unit_test(test_hmac_sha1_rfc2202),
	    cmocka_unit_test(test_hotp_rfc4226),
	    cmocka_unit_test(test_totp_rfc6238),
	    cmocka_unit_test(test_totp_window_and_replay),
	    cmocka_unit_test(test_base32_rfc4648),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
