/* cmd_openapi.c — `linli openapi`: the OpenAPI document the server serves,
 * to stdout or a file (docs/openapi.json is its output: make openapi). */
#include <stdio.h>

#include "api/openapi.h"
#include "cli/cli.h"

int cmd_openapi(int argc, char **argv)
{
	if (cli_help(argc, argv,
		     "usage: linli openapi [--out FILE] [--check]\n\n"
		     "Writes the OpenAPI document that `linli serve` serves at /api/v1/openapi.json,\n"
		     "generated from the route table, the field tables and the case kinds, to stdout\n"
		     "or FILE. --check only reports whether the tables resolve (exit 1 if not).\n"))
		return 0;
	char why[256];
	if (openapi_check(why, sizeof why)) {
		fprintf(stderr, "linli openapi: %s\n", why);
		return 1;
	}
	if (cli_flag(argc, argv, "--check"))
		return 0;
	size_t len;
	const char *doc = openapi_text(&len);
	const char *out = cli_opt(argc, argv, "--out");
	FILE *f = out ? fopen(out, "w") : stdout;
	if (!doc || !f) {
		perror(out ? out : "linli openapi");
		return 1;
	}
	bool ok = fwrite(doc, 1, len, f) == len;
	if (out)
		ok = fclose(f) == 0 && ok;
	else
		ok = fflush(f) == 0 && ok;
	if (!ok) {
		perror(out ? out : "stdout");
		return 1;
	}
	return 0;
}
