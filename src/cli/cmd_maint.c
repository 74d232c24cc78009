/* cmd_maint.c — `linli backup`, `linli check` and `linli routes`. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "domain/cases/case_kind.h"
#include "domain/cases/cases.h"
#include "api/api.h"
#include "cli/cli.h"
#include "domain/core/audit_chain.h"
#include "domain/core/figures.h"
#include "store/store.h"

int cmd_backup(int argc, char **argv)
{
	static const char usage[] = "usage: linli backup --db FILE --out FILE\n\n"
				    "Copies the database consistently while the server keeps running.\n"
				    "The file is written with mode 0600 (readable by its owner only).\n"
				    "The key files (personal data, audit chain) are not copied: keep them\n"
				    "safe separately.\n";
	if (cli_help(argc, argv, usage))
		return 0;
	const char *db = cli_opt(argc, argv, "--db"), *out = cli_opt(argc, argv, "--out");
	if (!db || !out) {
		fputs(usage, stderr);
		return 2;
	}
	struct cli_env env;
	int rc = cli_open(&env, db, cli_opt(argc, argv, "--key"));
	if (rc)
		return rc;
	struct err e = {0};
	/* A backup holds everything the database does: only its owner may
	 * read it, like the key file and exports (0600, whatever the umask;
	 * SQLite and pg_dump create their files under it). */
	mode_t old = umask(077);
	rc = store_backup(env.db, out, &e);
	umask(old);
	cli_close(&env);
	if (rc)
		return cli_fail(&e);
	printf("backup written to %s\n", out);
	return 0;
}

int cmd_check(int argc, char **argv)
{
	static const char usage[] = "usage: linli check --db FILE [--key FILE]\n\n"
				    "Runs integrity and foreign-key checks and verifies every audit chain\n"
				    "(with the audit key beside the personal-data key), naming the first\n"
				    "broken row of each, and the rows kept for the lists (case_scope) and the\n"
				    "kept statistics (figures) against a recomputation; exit 1 if any problem\n"
				    "is found.\n";
	if (cli_help(argc, argv, usage))
		return 0;
	const char *db = cli_opt(argc, argv, "--db");
	if (!db) {
		fputs(usage, stderr);
		return 2;
	}
	struct cli_env env;
	int rc = cli_open(&env, db, cli_opt(argc, argv, "--key"));
	if (rc)
		return rc;
	struct err e = {0};
	char report[8192] = "";
	int problems = store_check(env.db, report, sizeof report, &e);
	int64_t rows = 0;
	int broken = problems < 0 ? 0 : audit_chain_verify(&env.c, report, sizeof report, &rows, &e);
	int derived = problems < 0 || broken < 0 ? 0 : case_scope_verify(&env.c, report, sizeof report, &e);
	int64_t figures = 0;
	int frc =
	    problems < 0 || broken < 0 || derived < 0 ? 0 : figures_check(&env.c, report, sizeof report, &figures, &e);
	cli_close(&env);
	if (problems < 0 || broken < 0 || derived < 0 || frc < 0)
		return cli_fail(&e);
	problems += broken + derived + (int)(figures > 1000000 ? 1000000 : figures);
	if (problems) {
		fprintf(stderr, "%d problem(s):\n%s", problems, report);
		return 1;
	}
	printf("ok (%lld audit rows chained and intact)\n", (long long)rows);
	return 0;
}

int cmd_routes(int argc, char **argv)
{
	if (cli_help(argc, argv, "usage: linli routes\n\nPrints METHOD PATH for every API route.\n"))
		return 0;
	for (size_t i = 0; i < api_route_count; i++) {
		const char *p = api_routes[i].pattern, *k = strstr(p, "{kind}");
		if (!k) {
			printf("%s %s\n", api_routes[i].method, p);
			continue;
		}
		/* One line per case kind that the pattern serves. */
		for (int j = 0; case_kinds[j]; j++)
			printf("%s %.*s%s%s\n", api_routes[i].method, (int)(k - p), p, case_kinds[j]->path, k + 6);
	}
	return 0;
}
