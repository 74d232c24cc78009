/*
 * health.h — whether the database answers, for health checks.
 * Thread-safety: uses the ctx's connection only.
 */
#ifndef LINLI_HEALTH_H
#define LINLI_HEALTH_H

#include "domain/core/ctx.h"

/* The database's schema version; negative when it cannot be read. */
int health_schema_version(const struct ctx *c);

#endif
