/*
 * accounts.h — user accounts, grants, sessions and API tokens.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash). Session and
 * API tokens are 256-bit random values; only their BLAKE2b hash is stored.
 * Five failed logins lock an account for 15 minutes. An actor's grants are
 * its explicit grants plus those implied by civic roles it holds (a 网格员
 * of a grid may register residents there), so appointing a person is what
 * gives them access.
 */
#ifndef LINLI_ACCOUNTS_H
#define LINLI_ACCOUNTS_H

#include <jansson.h>

#include "domain/core/ctx.h"

#define ACCOUNT_TOKEN_HEX 64

int account_create(const struct ctx *c, json_t *in, const char *password, json_t **out, struct err *e);
int account_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e);
int account_get(const struct ctx *c, int64_t id, json_t **out, struct err *e);
int account_by_name(const struct ctx *c, const char *username, int64_t *id, struct err *e);
int account_list(const struct ctx *c, int64_t after_id, int limit, json_t **out, struct err *e);
/* current: the present password, required when users change their own
 * (NULL for administrators setting another user's, and for the CLI). */
int account_passwd(const struct ctx *c, int64_t id, const char *current, const char *password, struct err *e);
int account_grant(const struct ctx *c, int64_t user_id, int64_t node_id, const char *access, json_t **out,
		  struct err *e);
int account_revoke(const struct ctx *c, int64_t grant_id, struct err *e);

/* Checks the password; on success creates a session (kind "session",
 * expires in 12 h) or an API token (kind "api", 1 year). token and csrf are
 * written as hex (65 bytes each). */
int account_login(const struct ctx *c, const char *username, const char *password, const char *kind, const char *name,
		  char token[ACCOUNT_TOKEN_HEX + 1], char csrf[ACCOUNT_TOKEN_HEX + 1], struct err *e);
int account_logout(const struct ctx *c, const char *token, struct err *e);
/* The caller's API tokens (never the secrets: id, name, dates). */
int account_tokens(const struct ctx *c, json_t **out, struct err *e);
/* Revokes one of the caller's API tokens (administrators: anyone's). */
int account_token_revoke(const struct ctx *c, int64_t id, struct err *e);
/* Resolves a token into an actor allocated in the ctx arena; csrf_out gets
 * the session's CSRF token (may be NULL). ERR_UNAUTHORIZED if invalid. */
int account_actor(const struct ctx *c, const char *token, struct actor **out, const char **csrf_out,
		  const char **kind_out, struct err *e);
/* Loads the actor of a user id (used by the CLI and by account_actor). */
int account_load_actor(const struct ctx *c, int64_t user_id, struct actor **out, struct err *e);
json_t *account_actor_json(const struct actor *a);

#endif
