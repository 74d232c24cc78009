/* demo.h — the demo generator's parts (cmd_demo.c, demo_requests.c). */
#ifndef LINLI_DEMO_H
#define LINLI_DEMO_H

#include "cli/cli.h"

/* Creates count requests through the case engine, spread over the year
 * before now. Returns 0 or a CLI exit status. */
int demo_requests(struct cli_env *env, int64_t count, int64_t now);

#endif
