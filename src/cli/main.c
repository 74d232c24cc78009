/*
 * main.c — the linli command: one binary, one subcommand per job.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
    {"init", cmd_init, "create an empty database, its key and an administrator"},
    {"serve", cmd_serve, "serve the API and web UI"},
    {"demo", cmd_demo, "create a database filled with a realistic demo"},
    {"user", cmd_user, "manage accounts: add, list, grant, revoke, passwd"},
    {"import", cmd_import, "import residents from CSV or .xlsx"},
    {"export", cmd_export, "export a list to .xlsx or CSV"},
    {"clock", cmd_clock, "run the request clocks now (or --at a time) and deliver webhooks"},
    {"backup", cmd_backup, "consistent online backup"},
    {"check", cmd_check, "verify database integrity"},
    {"migrate", cmd_migrate, "copy a live SQLite database to PostgreSQL and verify the copy"},
    {"routes", cmd_routes, "print the API routes"},
    {"openapi", cmd_openapi, "write the OpenAPI document (docs/openapi.json)"},
};

static void usage(FILE *f)
{
	fprintf(f, "linli — 邻里 grassroots community governance\n\nusage: linli COMMAND [options]   (COMMAND --help "
		   "for details)\n\n");
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "linli: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
