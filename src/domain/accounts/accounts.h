/*
 * accounts.h — user accounts, grants, sessions and API tokens.
 *
 * Passwords are hashed with argon2id (libsodium crypto_pwhash) and must pass
 * the password policy (password.h). Usernames are unique without regard to
 * case, and login finds them so. Session and API tokens are 256-bit random
 * values; only their BLAKE2b hash is stored. Five failed logins (wrong
 * passwords or wrong codes) lock an account for 15 minutes. A browser
 * session ends after 12 h, or sooner after policy->idle_seconds unused. An
 * account with two-factor login (twofactor.h) logs in in two steps: the
 * password answers with a challenge, the challenge and a code with the
 * session. An actor's grants are
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

/* What the server's configuration sets for every login and session. */
struct account_policy {
	int idle_seconds;        /* a browser session unused this long ends (0: only the 12 h limit) */
	bool require_totp_admin; /* administrators cannot log in without two-factor login */
};
#define ACCOUNT_IDLE_DEFAULT      1800 /* 30 minutes */
#define ACCOUNT_CHALLENGE_SECONDS 300  /* 5 minutes */

enum account_step {
	ACCOUNT_LOGGED_IN, /* token and csrf are set */
	ACCOUNT_NEED_TOTP, /* challenge is set: send it with a code (account_login_totp) */
	ACCOUNT_NEED_SETUP /* challenge is set: enrol (twofactor_enrol_challenge), then send a code */
};

struct account_login_out {
	enum account_step step;
	int64_t user_id;
	char token[ACCOUNT_TOKEN_HEX + 1], csrf[ACCOUNT_TOKEN_HEX + 1];
	char challenge[ACCOUNT_TOKEN_HEX + 1];
	char expires_at[21]; /* of the session, token or challenge */
	char kind[8];        /* "session" or "api": what the login makes */
};

/* Checks the password; on success, for an account without two-factor login
 * (and not an administrator under require_totp_admin), creates a session
 * (kind "session", expires in 12 h) or an API token (kind "api", 1 year);
 * otherwise answers a challenge valid ACCOUNT_CHALLENGE_SECONDS. */
int account_login(const struct ctx *c, const struct account_policy *pol, const char *username, const char *password,
		  const char *kind, const char *name, struct account_login_out *out, struct err *e);
/* The second step: the challenge and a code of the account's authenticator
 * (a code is accepted once). For a 'setup' challenge the code confirms the
 * enrolment first. Five wrong codes end the challenge and count as failed
 * logins. */
int account_login_totp(const struct ctx *c, const char *challenge, const char *code, struct account_login_out *out,
		       struct err *e);
/* The account a live challenge belongs to and whether it is a setup one. */
int account_challenge(const struct ctx *c, const char *challenge, int64_t *user_id, bool *setup, struct err *e);
int account_logout(const struct ctx *c, const char *token, struct err *e);
/* The caller's API tokens (never the secrets: id, name, dates). */
int account_tokens(const struct ctx *c, json_t **out, struct err *e);
/* Revokes one of the caller's API tokens (administrators: anyone's). */
int account_token_revoke(const struct ctx *c, int64_t id, struct err *e);
/* Resolves a token into an actor allocated in the ctx arena; csrf_out gets
 * the session's CSRF token (may be NULL). ERR_UNAUTHORIZED if invalid. */
int account_actor(const struct ctx *c, const struct account_policy *pol, const char *token, struct actor **out,
		  const char **csrf_out, const char **kind_out, struct err *e);
/* Loads the actor of a user id (used by the CLI and by account_actor). */
int account_load_actor(const struct ctx *c, int64_t user_id, struct actor **out, struct err *e);
json_t *account_actor_json(const struct actor *a);

#endif
