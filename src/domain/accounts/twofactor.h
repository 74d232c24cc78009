/*
 * twofactor.h — two-factor login with an authenticator app (TOTP, RFC 6238:
 * HMAC-SHA1, 6 digits, 30 s, one step of drift either way; base/totp.h),
 * available to every account.
 *
 * Enrolling makes a 160-bit secret, kept encrypted with the personal-data
 * key like other personal data, and answers it as an otpauth:// URI and a
 * QR code; a code from the app confirms it, and from then on every login
 * of the account needs a code (accounts.h: account_login_totp). A code is
 * accepted once: the step it belongs to is recorded and no code of that
 * step or an earlier one is taken again. Turning it off needs the password
 * and a code; an administrator may not turn it off while the server
 * requires it of administrators. An administrator (or the CLI) can reset
 * an account whose phone is lost. Everything is audited.
 * Thread-safety: uses the ctx's connection.
 */
#ifndef LINLI_TWOFACTOR_H
#define LINLI_TWOFACTOR_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/accounts/accounts.h"
#include "domain/core/ctx.h"

#define TWOFACTOR_ISSUER "linli"

/* Starts enrolment for the acting account (replacing an unconfirmed
 * secret; 409 while enabled). *out: {secret (base32), otpauth_uri,
 * qr_png (base64 PNG)}. */
int twofactor_enrol(const struct ctx *c, json_t **out, struct err *e);
/* The same for the account of a live 'setup' login challenge (an
 * administrator who must enrol before the first login completes). */
int twofactor_enrol_challenge(const struct ctx *c, const char *challenge, json_t **out, struct err *e);
/* Confirms the acting account's enrolment with a code from the app. */
int twofactor_confirm(const struct ctx *c, const char *code, struct err *e);
/* Turns it off for the acting account: its password and a code. */
int twofactor_disable(const struct ctx *c, const struct account_policy *pol, const char *password, const char *code,
		      struct err *e);
/* Turns it off for any account (administrators, the CLI): a lost phone. */
int twofactor_reset(const struct ctx *c, int64_t user_id, struct err *e);
/* Checks a code of the account inside the caller's write transaction and
 * records its step; confirm: the code confirms a pending enrolment.
 * ERR_UNAUTHORIZED for a wrong or used code. */
int twofactor_accept(const struct ctx *c, int64_t user_id, const char *code, bool confirm, struct err *e);

#endif
