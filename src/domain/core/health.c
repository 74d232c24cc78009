/*
 * health.c — the database's answer to a health check.
 */
#include "domain/core/health.h"

#include "store/store.h"

int health_schema_version(const struct ctx *c)
{
	return store_schema_version(c->db);
}
