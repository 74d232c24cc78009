/* cmd_transfer.c — `linli import` and `linli export` (台账 files). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/transfer/transfer.h"

int cmd_import(int argc, char **argv)
{
	static const char usage[] =
	    "usage: linli import --db FILE --node ID --file FILE [--dry-run]\n\n"
	    "Imports residents (CSV in UTF-8 or GB18030, or .xlsx) into the subtree of node ID.\n"
	    "Applies whole or reports every bad row and changes nothing.\n";
	if (cli_help(argc, argv, usage))
		return 0;
	const char *db = cli_opt(argc, argv, "--db"), *node = cli_opt(argc, argv, "--node"),
		   *file = cli_opt(argc, argv, "--file");
	if (!db || !node || !file) {
		fputs(usage, stderr);
		return 2;
	}
	int64_t node_id;
	if (!cli_int("--node", node, 1, INT64_MAX, &node_id))
		return 2;
	FILE *f = fopen(file, "rb");
	if (!f) {
		fprintf(stderr, "linli: cannot open %s\n", file);
		return 1;
	}
	/* The whole file in memory: its size first (not a pipe). */
	long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	char *data = n >= 0 && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)n + 1) : NULL;
	size_t got = data ? fread(data, 1, (size_t)n, f) : 0;
	fclose(f);
	if (!data || got != (size_t)n) {
		free(data);
		fprintf(stderr, "linli: cannot read %s\n", file);
		return 1;
	}
	struct cli_env env;
	int rc = cli_open(&env, db, cli_opt(argc, argv, "--key"));
	if (rc) {
		free(data);
		return rc;
	}
	json_t *report = NULL;
	struct err e = {0};
	rc = transfer_import_people(&env.c, node_id, data, (size_t)n, cli_flag(argc, argv, "--dry-run"), &report, &e);
	free(data);
	if (report) {
		char *s = json_dumps(report, JSON_INDENT(2));
		puts(s);
		free(s);
		json_decref(report);
	}
	cli_close(&env);
	return rc ? cli_fail(&e) : 0;
}

int cmd_export(int argc, char **argv)
{
	static const char usage[] =
	    "usage: linli export --db FILE --list people|households|roles|orgs --node ID --out FILE\n"
	    "                    [--format xlsx|csv] [--reveal]\n";
	if (cli_help(argc, argv, usage))
		return 0;
	const char *db = cli_opt(argc, argv, "--db"), *list = cli_opt(argc, argv, "--list");
	const char *node = cli_opt(argc, argv, "--node"), *out = cli_opt(argc, argv, "--out");
	const char *fmt = cli_opt(argc, argv, "--format");
	if (!db || !list || !node || !out) {
		fputs(usage, stderr);
		return 2;
	}
	int64_t node_id;
	if (!cli_int("--node", node, 1, INT64_MAX, &node_id))
		return 2;
	struct cli_env env;
	int rc = cli_open(&env, db, cli_opt(argc, argv, "--key"));
	if (rc)
		return rc;
	struct err e = {0};
	int64_t rows = 0;
	rc = transfer_export(&env.c, list, node_id, fmt ? fmt : "xlsx", cli_flag(argc, argv, "--reveal"), out, &rows,
			     &e);
	cli_close(&env);
	if (rc)
		return cli_fail(&e);
	printf("%lld rows written to %s\n", (long long)rows, out);
	return 0;
}
