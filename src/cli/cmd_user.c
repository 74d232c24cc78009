/* cmd_user.c — `linli user add|list|grant|revoke|passwd|totp-off`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/accounts/accounts.h"
#include "domain/accounts/twofactor.h"

static const char usage[] =
    "usage: linli user add --db FILE --username U --password PW [--name NAME] [--admin] [--person ID]\n"
    "       linli user list --db FILE\n"
    "       linli user grant --db FILE --username U --node ID --access viewer|worker|officer|manager\n"
    "       linli user revoke --db FILE --grant ID\n"
    "       linli user passwd --db FILE --username U --password PW\n"
    "       linli user totp-off --db FILE --username U   (two-factor login off: a lost phone)\n\n"
    "Passwords: at least 10 characters, not the username, not a common password.\n";

static int user_id(struct cli_env *env, int argc, char **argv, int64_t *id)
{
	const char *u = cli_opt(argc, argv, "--username");
	struct err e = {0};
	if (!u) {
		fputs(usage, stderr);
		return 2;
	}
	return account_by_name(&env->c, u, id, &e) ? cli_fail(&e) : 0;
}

int cmd_user(int argc, char **argv)
{
	if (cli_help(argc, argv, usage))
		return 0;
	const char *db = cli_opt(argc, argv, "--db");
	if (argc < 2 || !db) {
		fputs(usage, stderr);
		return 2;
	}
	const char *sub = argv[1];
	struct cli_env env;
	int rc = cli_open(&env, db, cli_opt(argc, argv, "--key"));
	if (rc)
		return rc;
	struct err e = {0};
	json_t *out = NULL;
	int64_t id = 0;
	if (!strcmp(sub, "add")) {
		const char *u = cli_opt(argc, argv, "--username"), *name = cli_opt(argc, argv, "--name");
		const char *person = cli_opt(argc, argv, "--person");
		int64_t pid = 0;
		if (person && !cli_int("--person", person, 1, INT64_MAX, &pid)) {
			rc = 2;
			goto done;
		}
		json_t *in = json_pack("{s:s?, s:s?, s:b}", "username", u, "display_name", name ? name : u, "is_admin",
				       cli_flag(argc, argv, "--admin"));
		if (person)
			json_object_set_new(in, "person_id", json_integer(pid));
		rc = account_create(&env.c, in, cli_opt(argc, argv, "--password"), &out, &e);
		json_decref(in);
	} else if (!strcmp(sub, "list")) {
		rc = account_list(&env.c, 0, 500, &out, &e);
	} else if (!strcmp(sub, "grant")) {
		const char *node = cli_opt(argc, argv, "--node"), *acc = cli_opt(argc, argv, "--access");
		if ((rc = user_id(&env, argc, argv, &id)) != 0)
			goto done;
		if (!node || !acc) {
			fputs(usage, stderr);
			rc = 2;
			goto done;
		}
		int64_t node_id;
		if (!cli_int("--node", node, 1, INT64_MAX, &node_id)) {
			rc = 2;
			goto done;
		}
		rc = account_grant(&env.c, id, node_id, acc, &out, &e);
	} else if (!strcmp(sub, "revoke")) {
		const char *g = cli_opt(argc, argv, "--grant");
		int64_t grant_id;
		if (!g)
			fputs(usage, stderr);
		rc = g && cli_int("--grant", g, 1, INT64_MAX, &grant_id) ? account_revoke(&env.c, grant_id, &e) : 2;
	} else if (!strcmp(sub, "passwd")) {
		if ((rc = user_id(&env, argc, argv, &id)) == 0)
			rc = account_passwd(&env.c, id, NULL, cli_opt(argc, argv, "--password"), &e);
	} else if (!strcmp(sub, "totp-off")) {
		if ((rc = user_id(&env, argc, argv, &id)) == 0)
			rc = twofactor_reset(&env.c, id, &e);
		if (rc == 0)
			puts("two-factor login is off; the account enrols again from its security page");
	} else {
		fputs(usage, stderr);
		rc = 2;
	}
	if (rc < 0)
		rc = cli_fail(&e);
	else if (rc == 0 && out) {
		char *s = json_dumps(out, JSON_INDENT(2));
		puts(s);
		free(s);
	}
done:
	json_decref(out);
	cli_close(&env);
	return rc;
}
