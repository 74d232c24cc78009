/*
 * pii.h — personal information (PIPL): ID-card and phone numbers.
 *
 * Values are encrypted at rest with XChaCha20-Poly1305 (libsodium secretbox)
 * under a 32-byte key kept in a file outside the database; exact-match
 * search uses a keyed BLAKE2b hash of the normalised value. Responses show
 * masks (430302************, 138****5678) unless a reveal is allowed.
 * Thread-safety: pure functions once pii_init() has run.
 */
#ifndef LINLI_PII_H
#define LINLI_PII_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

#define PII_KEY_BYTES  32
#define PII_HASH_BYTES 16

enum pii_kind { PII_ID_CARD, PII_PHONE };

int pii_init(void);
/* Creates a new random key file (mode 0600); fails if it exists. */
int pii_key_create(const char *path, struct err *e);
int pii_key_load(const char *path, unsigned char key[PII_KEY_BYTES], struct err *e);

/* Normalises and validates ("x" -> "X", spaces removed, checksum for
 * 18-digit ID cards, mainland mobile/landline numbers for phones). Writes
 * the canonical form to out (cap >= 32). */
int pii_normalise(enum pii_kind kind, const char *in, char *out, size_t cap, struct err *e);
/* Ciphertext allocated in the arena; *len set. */
unsigned char *pii_encrypt(const unsigned char *key, const char *plain, size_t *len, struct arena *a);
/* Plaintext in the arena, or NULL if the ciphertext is not authentic. */
char *pii_decrypt(const unsigned char *key, const unsigned char *c, size_t len, struct arena *a);
void pii_hash(const unsigned char *key, enum pii_kind kind, const char *canonical, unsigned char out[PII_HASH_BYTES]);
/* Masked form in the arena: an ID number keeps its first 6 digits (the
 * region), a phone its first 3 and last 4. */
char *pii_mask(enum pii_kind kind, const char *plain, struct arena *a);
/* Birth date and gender encoded in an 18-digit ID card number. */
bool pii_id_card_birth(const char *id, char birth[11], char *gender);

#endif
