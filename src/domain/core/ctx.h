/*
 * ctx.h — what every domain call runs with: a store connection, a scratch
 * arena, the acting user and the client address (for the audit trail).
 *
 * Access levels are granted at tree nodes and reach the node's subtree.
 * Thread-safety: a ctx belongs to one request on one thread.
 */
#ifndef LINLI_CTX_H
#define LINLI_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
struct store; /* store/store.h: reached only through the domain */

enum access {
	ACC_NONE = 0,
	ACC_VIEWER = 1,  /* read the subtree, masked personal data */
	ACC_WORKER = 2,  /* also register and edit residents and households */
	ACC_OFFICER = 3, /* also reveal personal data (audited) */
	ACC_MANAGER = 4  /* also shape the tree, roles, organisations, accounts */
};

struct grant {
	int64_t node_id;
	const char *path;
	enum access access;
};

struct actor {
	int64_t user_id; /* 0: the system (CLI, jobs) */
	const char *username;
	bool is_admin;
	int ngrants;
	struct grant *grants;
	int64_t person_id;    /* resident account: own person */
	int64_t household_id; /* resident account: own household */
	int64_t org_id;       /* account of an organisation (物业, 派出所 …) */
};

struct ctx {
	struct store *db;
	struct arena *a;
	const struct actor *who;
	const char *client;             /* remote address for the audit row */
	const unsigned char *pii_key;   /* 32-byte key for personal data */
	const unsigned char *audit_key; /* 32-byte key of the audit chain (audit_chain.h) */
	const char *files_dir;          /* where uploaded files live (outside the database) */
};

/* Highest access the actor has at a node with this path. */
enum access authz_access(const struct actor *who, const char *node_path);
/* ERR_FORBIDDEN (filled into e) unless access >= need. */
int authz_require(const struct actor *who, const char *node_path, enum access need, struct err *e);
const char *access_name(enum access a);
int access_parse(const char *s);
/* Path of the highest node the actor can read (admin: root), or NULL. */
const char *authz_home(const struct actor *who);

#endif
