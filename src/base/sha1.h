/*
 * sha1.h — SHA-1 (FIPS 180-4) and HMAC-SHA1 (RFC 2104), for TOTP (RFC 6238)
 * alone: authenticator apps compute HMAC-SHA1, which libsodium lacks. Not
 * for anything new: SHA-1 is kept here only because RFC 6238's default and
 * every phone app use it (HMAC-SHA1 stays sound where SHA-1 collisions do
 * not matter).
 * Thread-safety: pure functions.
 */
#ifndef LINLI_SHA1_H
#define LINLI_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_BYTES 20

void sha1(const void *data, size_t len, unsigned char out[SHA1_BYTES]);
void sha1_hmac(const void *key, size_t keylen, const void *msg, size_t len, unsigned char out[SHA1_BYTES]);

#endif
