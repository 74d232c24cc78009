/* rows.c — shared transaction ending, record reading and timestamps. */
#include "domain/core/rows.h"

#include "base/timeutil.h"
#include "domain/core/audit.h"
#include "store/store.h"

int txn_finish(const struct ctx *c, int rc, struct err *e)
{
	if (rc == 0)
		rc = store_commit(c->db, e);
	if (rc)
		store_rollback(c->db);
	return rc;
}

int rows_one(const struct ctx *c, const char *select, const char *table, int64_t id, row_fn row, const char *what,
	     json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, arena_printf(c->a, "%s WHERE %s.id = ?", select, table), &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	rc = store_step(st, e);
	if (rc == STORE_ROW)
		*out = row(c, st);
	store_done(st);
	if (rc == STORE_DONE)
		return err_set(e, ERR_NOT_FOUND, NULL, "%s %lld 不存在 / not found", what, (long long)id);
	return rc == STORE_ROW ? 0 : rc;
}

int rows_collect(const struct ctx *c, struct store_stmt *st, row_fn row, json_t **out, struct err *e)
{
	json_t *arr = json_array();
	int rc;
	while ((rc = store_step(st, e)) == STORE_ROW)
		json_array_append_new(arr, row(c, st));
	store_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

const char *rows_now(const struct ctx *c)
{
	char *s = arena_alloc(c->a, 21);
	time_iso(time_now(), s);
	return s;
}

const char *rows_today(const struct ctx *c)
{
	char *s = (char *)rows_now(c);
	s[10] = 0;
	return s;
}

int rows_update(const struct ctx *c, const struct entity *ent, int64_t id, json_t *in, json_t *internal, load_fn load,
		json_t **out, struct err *e)
{
	json_t *cols = internal ? json_deep_copy(internal) : json_object();
	if (fields_find(ent, "updated_at"))
		json_object_set_new(cols, "updated_at", json_string(rows_now(c)));
	json_t *before = NULL;
	int rc = store_begin(c->db, e);
	if (rc == 0)
		rc = load(c, id, &before, e);
	if (rc == 0)
		rc = fields_write(c, ent, in, cols, id, NULL, e);
	if (rc == 0)
		rc = load(c, id, out, e);
	if (rc == 0)
		rc = audit_log(c, "update", ent->name, id, before, *out, e);
	json_decref(before);
	json_decref(cols);
	return txn_finish(c, rc, e);
}

int rows_put(const struct ctx *c, const struct entity *ent, json_t *in, json_t *internal, struct err *e)
{
	int rc = store_begin(c->db, e);
	if (rc)
		return rc;
	rc = fields_upsert(c, ent, in, internal, e);
	if (rc == 0)
		rc = audit_log(c, "put", ent->name, 0, NULL, in, e);
	return txn_finish(c, rc, e);
}
