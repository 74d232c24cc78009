/*
 * cli.h — shared pieces of the subcommands: opening the database with its
 * key, the system actor, option parsing and exit codes.
 * Exit codes: 0 ok, 1 failure, 2 usage error.
 */
#ifndef LINLI_CLI_H
#define LINLI_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/core/ctx.h"
#include "domain/core/pii.h"

struct cli_env {
	struct store *db;
	struct arena arena;
	struct actor system;
	struct ctx c;
	unsigned char key[PII_KEY_BYTES];
	unsigned char audit_key[PII_KEY_BYTES];
	char key_path[4096];
};

/* Default key file: the database path with ".key" appended. */
void cli_key_path(const char *db, const char *key, char *out, size_t cap);
/* The audit chain's key file, beside the personal-data key: FILE.key ->
 * FILE.audit.key (any other name gets ".audit" appended). */
void cli_audit_key_path(const char *key_path, char *out, size_t cap);
/* Opens an existing database, migrates it and loads its keys. A database
 * from before the audit chain (no chain yet, no audit key file) gets its
 * key created and its audit rows chained, once. */
int cli_open(struct cli_env *env, const char *db, const char *key);
void cli_close(struct cli_env *env);
/* Where uploaded files live: the database path with ".files" appended. */
const char *cli_files_dir(const char *db, struct arena *a);
int cli_fail(const struct err *e);
/* Finds "--name value" or "--name=value" in argv; NULL if absent. */
const char *cli_opt(int argc, char **argv, const char *name);
bool cli_flag(int argc, char **argv, const char *name);
bool cli_help(int argc, char **argv, const char *usage);
/* Reads s, the value of option name, as a whole decimal number in
 * [min, max] into out; false, after saying so on stderr, if it is not one. */
bool cli_int(const char *name, const char *s, int64_t min, int64_t max, int64_t *out);
/* Applies --webhook-allow CIDR,... (base/webhook_post.h) if given: 0, or 2
 * (a usage error, said on stderr) for a bad list. */
int cli_webhook_allow(int argc, char **argv);

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_openapi(int argc, char **argv);
int cmd_clock(int argc, char **argv);
int cmd_migrate(int argc, char **argv);

/* Creates a database with schema, key, root node and administrator. */
int cli_create_db(const char *db, const char *key, const char *root_kind, const char *root_name, const char *admin,
		  const char *password, struct err *e);

#endif
