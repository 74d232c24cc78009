/*
 * app.h — the server's read-only application state handed to dispatch:
 * the personal-data and audit keys, the login policy and the embedded
 * static assets (web UI).
 */
#ifndef LINLI_APP_H
#define LINLI_APP_H

#include "api/api.h"
#include "domain/accounts/accounts.h"
#include "domain/core/pii.h"

struct api_app {
	unsigned char pii_key[PII_KEY_BYTES];
	unsigned char audit_key[PII_KEY_BYTES]; /* the audit chain's key (domain/core/audit_chain.h) */
	struct account_policy policy;           /* idle limit, two-factor for administrators */
	const char *db_url;
	const char *public_url; /* how residents reach this server, for QR links */
	const char *files_dir;
	bool secure_cookie; /* the public URL is https: the session cookie is Secure */
};

/* Serves an embedded UI asset, or the UI's index for client-side routes. */
void app_static(struct api *r, const struct api_app *app);

#endif
