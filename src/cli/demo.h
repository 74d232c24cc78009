/* demo.h — the demo generator's parts (cmd_demo.c, demo_requests.c). */
#ifndef LINLI_DEMO_H
#define LINLI_DEMO_H

#include "cli/cli.h"

/* The demo's logins: they pass the password policy (at least 10
 * characters, not common); `make run` and `linli demo` print them, and the
 * tests log in with them (tests/api/lib.mjs, tests/browser/lib.mjs). */
#define DEMO_ADMIN_PASSWORD "linli-admin-1"
#define DEMO_PASSWORD       "linli-demo-1"

/* Creates count requests through the case engine, spread over the year
 * before now. Returns 0 or a CLI exit status. */
int demo_requests(struct cli_env *env, int64_t count, int64_t now);

#endif
