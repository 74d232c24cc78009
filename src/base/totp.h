/*
 * totp.h — time-based one-time passwords (RFC 6238 over RFC 4226's HOTP):
 * HMAC-SHA1, 6 digits, 30-second steps, what every authenticator app
 * (Google Authenticator, Microsoft Authenticator, 腾讯身份验证器 …) makes
 * from an otpauth:// URI; and the base32 (RFC 4648) that such URIs carry
 * secrets in.
 * Thread-safety: pure functions.
 */
#ifndef LINLI_TOTP_H
#define LINLI_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOTP_PERIOD       30
#define TOTP_DIGITS       6
#define TOTP_SECRET_BYTES 20 /* 160 bits, as RFC 4226 recommends */
#define TOTP_WINDOW       1  /* steps accepted either side of now (clock drift) */

/* The step a time falls in (t / 30). */
int64_t totp_step(int64_t t);
/* HOTP value of key at counter step, reduced to `digits` decimal digits. */
uint32_t totp_code(const unsigned char *key, size_t keylen, int64_t step, int digits);
/* Checks a 6-digit code against the steps now-1 .. now+1 that are later than
 * last_step (a code is good once: a used step never again). On a match
 * returns true and sets *step. The comparison does not stop early. */
bool totp_check(const unsigned char *key, size_t keylen, const char *code, int64_t now, int64_t last_step,
		int64_t *step);

/* Base32 without padding, upper case. out needs 8 * ceil(len / 5) / 5 + 1
 * bytes at most (len * 8 / 5 + 2 is enough); returns the length written. */
size_t totp_base32_encode(const unsigned char *in, size_t len, char *out, size_t cap);
/* Decodes base32 (case, spaces and '=' ignored); the number of bytes, or -1
 * on a character outside the alphabet or too little room. */
int totp_base32_decode(const char *in, unsigned char *out, size_t cap);

#endif
