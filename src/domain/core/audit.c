/* audit.c — writing and reading audit rows. */
#include "domain/core/audit.h"

#include <string.h>

#include "base/timeutil.h"
#include "domain/core/audit_chain.h"
#include "store/store.h"

int audit_log(const struct ctx *c, const char *action, const char *entity, int64_t id, json_t *before, json_t *after,
	      struct err *e)
{
	if (!c->audit_key)
		return err_set(e, ERR_INTERNAL, NULL, "审计密钥未加载 / the audit key is not loaded");
	char now[21];
	time_iso(time_now(), now);
	char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct audit_row row = {.at = now,
				.user_id = c->who ? c->who->user_id : 0,
				.username = c->who && c->who->username ? c->who->username : "system",
				.action = action,
				.entity = entity,
				.entity_id = id,
				.before = b,
				.after = a,
				.client = c->client ? c->client : "cli"};
	unsigned char prev[AUDIT_HASH_BYTES], hash[AUDIT_HASH_BYTES];
	int rc = audit_chain_community(c, entity, id, &row.community_id, e);
	if (rc == 0)
		rc = audit_chain_next(c, row.community_id, &row.seq, prev, e);
	if (rc == 0) {
		audit_chain_hash(c->audit_key, prev, &row, hash);
		rc = store_run(
		    c->db, e,
		    "INSERT INTO audit (at, user_id, username, action, entity, entity_id, before, after, client, "
		    "community_id, chain_seq, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    "titttitttiibb", row.at, row.user_id, row.username, action, entity, id, b, a, row.client,
		    row.community_id, row.seq, prev, (size_t)AUDIT_HASH_BYTES, hash, (size_t)AUDIT_HASH_BYTES);
	}
	if (rc == 0)
		rc = audit_chain_advance(c, row.community_id, row.seq, store_last_id(c->db), hash, e);
	free(b);
	free(a);
	return rc;
}

int audit_reveal(const struct ctx *c, const char *entity, int64_t id, struct err *e)
{
	json_t *what = json_pack("{s:[s,s]}", "fields", "id_card", "phone");
	int rc = audit_log(c, "reveal", entity, id, NULL, what, e);
	json_decref(what);
	return rc;
}

int audit_list(const struct ctx *c, const char *entity, int64_t id, int64_t before_id, int limit, json_t **out,
	       struct err *e)
{
	struct store_stmt *st;
	const char *sql = entity ? "SELECT id, at, user_id, username, action, entity, entity_id, before, after, client "
				   "FROM audit WHERE entity = ? AND entity_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
				 : "SELECT id, at, user_id, username, action, entity, entity_id, before, after, client "
				   "FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?";
	int rc = store_prepare(c->db, sql, &st, e);
	if (rc)
		return rc;
	int64_t cursor = before_id > 0 ? before_id : INT64_MAX;
	if (entity)
		store_bind(st, "tiii", entity, id, cursor, (int64_t)limit);
	else
		store_bind(st, "ii", cursor, (int64_t)limit);
	json_t *arr = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(store_col_int(st, 0)));
		json_object_set_new(o, "at", json_string(store_col_text(st, 1)));
		json_object_set_new(o, "user_id", json_integer(store_col_int(st, 2)));
		json_object_set_new(o, "username", json_string(store_col_text(st, 3)));
		json_object_set_new(o, "action", json_string(store_col_text(st, 4)));
		json_object_set_new(o, "entity", json_string(store_col_text(st, 5)));
		json_object_set_new(o, "entity_id", json_integer(store_col_int(st, 6)));
		for (int k = 7; k <= 8; k++) {
			const char *t = store_col_text(st, k);
			json_object_set_new(o, k == 7 ? "before" : "after", t ? json_loads(t, 0, NULL) : json_null());
		}
		json_object_set_new(o, "client", json_string(store_col_text(st, 9)));
		json_array_append_new(arr, o);
	}
	store_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int audit_access(const struct ctx *c, const char *entity, int64_t id, struct err *e)
{
	if (c->who && c->who->is_admin)
		return 0;
	if (!entity || !id)
		return err_set(e, ERR_FORBIDDEN, "entity",
			       "完整审计记录仅限管理员 / the whole trail is for administrators");
	/* Where each kind of entity sits in the tree. */
	static const struct {
		const char *entity, *sql;
	} where[] = {
	    {"node", "SELECT path FROM nodes WHERE id = ?"},
	    {"person", "SELECT node_path FROM people WHERE id = ?"},
	    {"household", "SELECT node_path FROM households WHERE id = ?"},
	    {"role", "SELECT node_path FROM roles WHERE id = ?"},
	    {"org", "SELECT node_path FROM orgs WHERE id = ?"},
	    {"org_member", "SELECT o.node_path FROM org_members m JOIN orgs o ON o.id = m.org_id WHERE m.id = ?"}};
	for (size_t i = 0; i < sizeof where / sizeof *where; i++) {
		if (strcmp(where[i].entity, entity) != 0)
			continue;
		struct store_stmt *st;
		int rc = store_prepare(c->db, where[i].sql, &st, e);
		if (rc)
			return rc;
		store_bind(st, "i", id);
		rc = store_step(st, e);
		const char *path = rc == STORE_ROW ? arena_strdup(c->a, store_col_text(st, 0)) : NULL;
		store_done(st);
		if (rc < 0)
			return rc;
		if (!path)
			return err_set(e, ERR_NOT_FOUND, "id", "记录不存在 / no such record");
		return authz_require(c->who, path, ACC_VIEWER, e);
	}
	return err_set(e, ERR_FORBIDDEN, "entity", "该审计记录仅限管理员 / this trail is for administrators");
}
