/* cmd_init.c — `linli init`: a new empty database with an administrator. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

static const char usage[] = "usage: linli init --db FILE [--key FILE] [--root-kind street] [--root-name NAME]\n"
			    "                  [--admin USER] [--password PW]\n\n"
			    "Creates FILE with the schema, a personal-data key (FILE.key unless --key),\n"
			    "the root node of the tree and an administrator. The password comes from\n"
			    "--password, else $LINLI_ADMIN_PASSWORD, else a random one that is printed.\n";

int cmd_init(int argc, char **argv)
{
	if (cli_help(argc, argv, usage))
		return 0;
	const char *db = cli_opt(argc, argv, "--db");
	if (!db) {
		fputs(usage, stderr);
		return 2;
	}
	const char *kind = cli_opt(argc, argv, "--root-kind"), *name = cli_opt(argc, argv, "--root-name");
	const char *admin = cli_opt(argc, argv, "--admin"), *pw = cli_opt(argc, argv, "--password");
	if (!pw)
		pw = getenv("LINLI_ADMIN_PASSWORD");
	char gen[33];
	bool generated = false;
	if (!pw) {
		if (sodium_init() < 0)
			return 1;
		unsigned char raw[12];
		randombytes_buf(raw, sizeof raw);
		sodium_bin2base64(gen, sizeof gen, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		pw = gen;
		generated = true;
	}
	struct err e = {0};
	if (cli_create_db(db, cli_opt(argc, argv, "--key"), kind ? kind : "street", name ? name : "街道",
			  admin ? admin : "admin", pw, &e))
		return cli_fail(&e);
	printf("created %s\nadministrator: %s\n", db, admin ? admin : "admin");
	if (generated)
		printf("password: %s\n", pw);
	return 0;
}
