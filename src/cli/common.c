/* common.c — option lookup, opening the database, the system actor. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "cli/cli.h"
#include "base/webhook_post.h"
#include "domain/accounts/accounts.h"
#include "domain/core/audit_chain.h"
#include "domain/core/figures.h"
#include "domain/places/tree.h"
#include "store/store.h"

/* Where the key file and the photos live: beside a SQLite file; for a
 * PostgreSQL URL, named after the database in the working directory. */
static void local_base(const char *db, char *out, size_t cap)
{
	const char *file = store_url_file(db);
	if (file) {
		snprintf(out, cap, "%s", file);
		return;
	}
	const char *at = strrchr(db, '@'), *slash = strchr(at ? at : db + 13, '/');
	size_t n = slash ? strcspn(slash + 1, "?") : 0;
	snprintf(out, cap, "%.*s", n ? (int)n : 5, n ? slash + 1 : "linli");
}

void cli_key_path(const char *db, const char *key, char *out, size_t cap)
{
	char base[3072];
	local_base(db, base, sizeof base);
	if (key)
		snprintf(out, cap, "%s", key);
	else
		snprintf(out, cap, "%s.key", base);
}

void cli_audit_key_path(const char *key_path, char *out, size_t cap)
{
	size_t n = strlen(key_path);
	if (n > 4 && strcmp(key_path + n - 4, ".key") == 0)
		snprintf(out, cap, "%.*s.audit.key", (int)(n - 4), key_path);
	else
		snprintf(out, cap, "%s.audit", key_path);
}

/* The audit key; created (and the rows so far chained) only for a database
 * that has no chain yet: one whose chain exists and whose key is gone can
 * neither extend nor prove its trail, so it is refused. */
static int audit_key_open(struct cli_env *env, struct err *e)
{
	char path[4200];
	cli_audit_key_path(env->key_path, path, sizeof path);
	if (access(path, F_OK) == 0)
		return pii_key_load(path, env->audit_key, e);
	bool chained = false;
	int rc = audit_chain_exists(&env->c, &chained, e);
	if (rc)
		return rc;
	if (chained)
		return err_set(
		    e, ERR_IO, "key",
		    "审计密钥文件 %s 缺失，审计链无法验证 / the audit key file %s is missing: the audit chain cannot "
		    "be verified or extended (restore it from where the keys are kept)",
		    path, path);
	rc = pii_key_create(path, e);
	if (rc == 0)
		rc = pii_key_load(path, env->audit_key, e);
	int64_t sealed = 0;
	if (rc == 0)
		rc = audit_chain_seal(&env->c, &sealed, e);
	if (rc == 0)
		log_info("created the audit key %s; chained %lld earlier audit rows", path, (long long)sealed);
	return rc;
}

int cli_open(struct cli_env *env, const char *db, const char *key)
{
	memset(env, 0, sizeof *env);
	struct err e = {0};
	if (pii_init() != 0) {
		fprintf(stderr, "linli: libsodium failed to start\n");
		return 1;
	}
	const char *path = store_url_file(db);
	FILE *probe = path ? fopen(path, "rb") : NULL;
	if (path && !probe) {
		fprintf(stderr, "linli: no database at %s (create one with: linli init --db %s)\n", path, path);
		return 1;
	}
	if (probe)
		fclose(probe);
	cli_key_path(db, key, env->key_path, sizeof env->key_path);
	if (store_open(db, false, &env->db, &e) || store_migrate(env->db, &e) ||
	    pii_key_load(env->key_path, env->key, &e))
		return cli_fail(&e);
	arena_init(&env->arena);
	env->system = (struct actor){.user_id = 0, .username = "system", .is_admin = true};
	env->c = (struct ctx){.db = env->db,
			      .a = &env->arena,
			      .who = &env->system,
			      .client = "cli",
			      .pii_key = env->key,
			      .audit_key = env->audit_key,
			      .files_dir = cli_files_dir(db, &env->arena)};
	if (audit_key_open(env, &e) || figures_install(&env->c, &e))
		return cli_fail(&e);
	return 0;
}

const char *cli_files_dir(const char *db, struct arena *a)
{
	char base[3072];
	local_base(db, base, sizeof base);
	return arena_printf(a, "%s.files", base);
}

void cli_close(struct cli_env *env)
{
	store_close(env->db);
	arena_free(&env->arena);
}

int cli_fail(const struct err *e)
{
	fprintf(stderr, "linli: %s%s%s\n", e->msg, e->field[0] ? " — " : "", e->field);
	return 1;
}

const char *cli_opt(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], name, n) != 0)
			continue;
		if (argv[i][n] == '=')
			return argv[i] + n + 1;
		if (argv[i][n] == 0 && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

bool cli_flag(int argc, char **argv, const char *name)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

bool cli_int(const char *name, const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end = NULL;
	errno = 0;
	long long v = s ? strtoll(s, &end, 10) : 0;
	if (!s || end == s || *end || errno || v < min || v > max) {
		fprintf(stderr, "linli: %s must be a whole number from %lld to %lld, got '%s'\n", name, (long long)min,
			(long long)max, s ? s : "");
		return false;
	}
	*out = v;
	return true;
}

bool cli_help(int argc, char **argv, const char *usage)
{
	if (!cli_flag(argc, argv, "--help") && !cli_flag(argc, argv, "-h"))
		return false;
	fputs(usage, stdout);
	return true;
}

int cli_create_db(const char *db, const char *key, const char *root_kind, const char *root_name, const char *admin,
		  const char *password, struct err *e)
{
	const char *path = store_url_file(db);
	FILE *probe = path ? fopen(path, "rb") : NULL;
	if (probe) {
		fclose(probe);
		return err_set(e, ERR_CONFLICT, "db", "database %s already exists", path);
	}
	struct store *s = NULL;
	int rc = store_open(db, true, &s, e);
	if (rc == 0 && !path && store_schema_version(s) != 0) {
		store_close(s);
		return err_set(e, ERR_CONFLICT, "db", "database already has a linli schema");
	}
	char kp[4096];
	cli_key_path(db, key, kp, sizeof kp);
	if (rc == 0)
		rc = pii_init();
	char akp[4200];
	cli_audit_key_path(kp, akp, sizeof akp);
	if (rc == 0)
		rc = pii_key_create(kp, e);
	if (rc == 0)
		rc = pii_key_create(akp, e);
	if (rc == 0)
		rc = store_migrate(s, e);
	unsigned char k[PII_KEY_BYTES], ak[PII_KEY_BYTES];
	if (rc == 0)
		rc = pii_key_load(kp, k, e);
	if (rc == 0)
		rc = pii_key_load(akp, ak, e);
	struct arena a;
	arena_init(&a);
	struct actor sys = {.user_id = 0, .username = "system", .is_admin = true};
	struct ctx c = {.db = s, .a = &a, .who = &sys, .client = "cli", .pii_key = k, .audit_key = ak};
	int64_t root = 0;
	if (rc == 0)
		rc = figures_install(&c, e);
	if (rc == 0)
		rc = store_begin(s, e);
	if (rc == 0)
		rc = tree_create_root(&c, root_kind, root_name, 0, &root, e);
	if (rc == 0)
		rc = store_commit(s, e);
	else if (s)
		store_rollback(s);
	json_t *u = NULL;
	if (rc == 0) {
		json_t *in =
		    json_pack("{s:s, s:s, s:b}", "username", admin, "display_name", "系统管理员", "is_admin", 1);
		rc = account_create(&c, in, password, &u, e);
		json_decref(in);
		json_decref(u);
	}
	arena_free(&a);
	store_close(s);
	if (rc) {
		remove(path);
		remove(kp);
		remove(akp);
	}
	return rc;
}

int cli_webhook_allow(int argc, char **argv)
{
	struct err e = {0};
	const char *spec = cli_opt(argc, argv, "--webhook-allow");
	if (spec && webhook_allow(spec, &e)) {
		fprintf(stderr, "linli: --webhook-allow: %s\n", e.msg);
		return 2;
	}
	return 0;
}
