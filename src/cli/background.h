/*
 * background.h — the serve command's background job (case clocks and
 * webhook deliveries). The config must outlive the process's serving.
 */
#ifndef LINLI_BACKGROUND_H
#define LINLI_BACKGROUND_H

#include "domain/core/ctx.h"

struct background_config {
	const char *db_url;
	const unsigned char *pii_key;
	const unsigned char *audit_key;
	const char *files_dir;
	int tick_seconds; /* how often the clocks run */
	long retry_base;  /* first webhook retry delay, seconds */
};

int background_start(const struct background_config *cfg);

#endif
