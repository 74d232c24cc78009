/* bulk.c — a bulk job's transaction and loading mode, over the store. */
#include "domain/core/bulk.h"

#include "domain/core/figures.h"
#include "store/store.h"

int bulk_begin(const struct ctx *c, struct err *e)
{
	int rc = store_begin(c->db, e);
	if (rc == 0 && (rc = figures_pause(c, e)) != 0)
		store_rollback(c->db);
	return rc;
}

int bulk_commit(const struct ctx *c, struct err *e)
{
	int rc = figures_resume(c, e);
	if (rc == 0)
		rc = store_commit(c->db, e);
	if (rc)
		store_rollback(c->db);
	return rc;
}

void bulk_rollback(const struct ctx *c)
{
	store_rollback(c->db);
}

int bulk_load(const struct ctx *c, bool on, struct err *e)
{
	return store_bulk_load(c->db, on, e);
}

int bulk_optimize(const struct ctx *c, struct err *e)
{
	return store_optimize(c->db, e);
}
