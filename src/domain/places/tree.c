/*
 * tree.c — nodes of the organisation and party trees.
 *
 * Invariants: a child's kind belongs to the same tree as its parent's and
 * sits at a deeper level; a node cannot move under its own subtree; a
 * retired node has no active children. community_id is the nearest
 * ancestor-or-self whose kind is a community (used for sharding and stats).
 */
#include "domain/places/tree.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pinyin.h"
#include "base/timeutil.h"
#include "domain/cases/cases.h"
#include "domain/core/audit.h"
#include "domain/core/fields.h"
#include "domain/core/figures.h"
#include "domain/core/rows.h"
#include "store/store.h"

const char *tree_initials(struct arena *a, const char *name, int person)
{
	char buf[256];
	pinyin_initials(name, person ? PINYIN_NAME : PINYIN_TEXT, buf, sizeof buf);
	return arena_strdup(a, buf);
}

int tree_path(const struct ctx *c, int64_t id, const char **path, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, "SELECT path FROM nodes WHERE id = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	rc = store_step(st, e);
	if (rc == STORE_ROW)
		*path = arena_strdup(c->a, store_col_text(st, 0));
	store_done(st);
	if (rc == STORE_DONE)
		return err_set(e, ERR_NOT_FOUND, "node_id", "节点%lld不存在 / node %lld not found", (long long)id,
			       (long long)id);
	return rc == STORE_ROW ? 0 : rc;
}

static json_t *node_row(const struct ctx *c, struct store_stmt *st)
{
	json_t *o = fields_row(&ENT_NODE, st, 0, c, false);
	json_object_set_new(o, "kind_name", json_string(store_col_text(st, ENT_NODE.n)));
	json_object_set_new(o, "child_count", json_integer(store_col_int(st, ENT_NODE.n + 1)));
	return o;
}

static const char *node_select(const struct ctx *c)
{
	return arena_printf(c->a,
			    "SELECT %s, k.name_zh, (SELECT count(*) FROM nodes ch WHERE ch.parent_id = nodes.id AND "
			    "ch.retired_at IS NULL) FROM nodes JOIN node_kinds k ON k.code = nodes.kind ",
			    fields_select(&ENT_NODE, c->a));
}

static int load_node(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	return rows_one(c, node_select(c), "nodes", id, node_row, "节点 / node", out, e);
}

int tree_get(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	const char *path;
	int rc = tree_path(c, id, &path, e);
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_VIEWER, e);
	if (rc == 0)
		rc = load_node(c, id, out, e);
	return rc;
}

int tree_children(const struct ctx *c, int64_t parent, int64_t after_id, int limit, bool include_retired, json_t **out,
		  struct err *e)
{
	const char *path;
	int rc = tree_path(c, parent, &path, e);
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_VIEWER, e);
	if (rc)
		return rc;
	struct store_stmt *st;
	rc = store_prepare(c->db,
			   arena_printf(c->a,
					"%s WHERE nodes.parent_id = ? AND nodes.id > ? %s ORDER BY nodes.id LIMIT ?",
					node_select(c), include_retired ? "" : "AND nodes.retired_at IS NULL"),
			   &st, e);
	if (rc)
		return rc;
	store_bind(st, "iii", parent, after_id, (int64_t)limit);
	return rows_collect(c, st, node_row, out, e);
}

int tree_subtree(const struct ctx *c, int64_t id, const char *kind, int max_depth, const char *after_path, int limit,
		 json_t **out, struct err *e)
{
	const char *path;
	int rc = tree_path(c, id, &path, e);
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_VIEWER, e);
	if (rc)
		return rc;
	int64_t depth = 0;
	store_int(c->db, NULL, &depth, "SELECT depth FROM nodes WHERE id = ?", "i", id);
	struct store_stmt *st;
	rc = store_prepare(
	    c->db,
	    arena_printf(
		c->a,
		"%s WHERE nodes.path > ? AND nodes.path < ? AND nodes.retired_at IS NULL "
		"AND (? IS NULL OR nodes.kind = ?) AND (? = 0 OR nodes.depth <= ?) ORDER BY nodes.path LIMIT ?",
		node_select(c)),
	    &st, e);
	if (rc)
		return rc;
	const char *from = after_path && strncmp(after_path, path, strlen(path)) == 0 ? after_path : path;
	store_bind(st, "tttti", from, arena_printf(c->a, "%s~", path), kind, kind, (int64_t)max_depth);
	store_bind_at(st, 6, 'i', depth + max_depth);
	store_bind_at(st, 7, 'i', (int64_t)limit);
	return rows_collect(c, st, node_row, out, e);
}

int tree_ancestors(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	const char *path;
	int rc = tree_path(c, id, &path, e);
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_VIEWER, e);
	if (rc)
		return rc;
	json_t *arr = json_array();
	/* The path lists the ancestors root first; each is one primary-key read. */
	for (const char *p = path + 1; *p;) {
		int64_t aid = strtoll(p, NULL, 10);
		p = strchr(p, '/') + 1;
		if (aid == id)
			break;
		json_t *n;
		if (load_node(c, aid, &n, e) == 0)
			json_array_append_new(arr, n);
	}
	*out = arr;
	return 0;
}

int tree_roots(const struct ctx *c, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc;
	if (c->who && c->who->is_admin) {
		rc = store_prepare(
		    c->db, arena_printf(c->a, "%s WHERE nodes.parent_id IS NULL ORDER BY nodes.id", node_select(c)),
		    &st, e);
		if (rc)
			return rc;
		return rows_collect(c, st, node_row, out, e);
	}
	json_t *arr = json_array();
	for (int i = 0; c->who && i < c->who->ngrants; i++) {
		json_t *n;
		if (load_node(c, c->who->grants[i].node_id, &n, e) == 0)
			json_array_append_new(arr, n);
	}
	*out = arr;
	return 0;
}

int tree_search(const struct ctx *c, int64_t under, const char *q, int limit, json_t **out, struct err *e)
{
	const char *path = under ? NULL : authz_home(c->who);
	int rc = under ? tree_path(c, under, &path, e) : 0;
	if (rc == 0 && !path)
		rc = err_set(e, ERR_FORBIDDEN, NULL, "没有可查看的范围 / no area you may view");
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_VIEWER, e);
	if (rc)
		return rc;
	struct store_stmt *st;
	rc = store_prepare(c->db,
			   arena_printf(c->a,
					"%s WHERE nodes.path >= ? AND nodes.path < ? AND nodes.retired_at IS NULL AND "
					"(instr(nodes.name, ?) > 0 OR nodes.name_initials LIKE ? ESCAPE '\\') "
					"ORDER BY nodes.depth, nodes.id LIMIT ?",
					node_select(c)),
			   &st, e);
	if (rc)
		return rc;
	char *pref = arena_alloc(c->a, strlen(q) * 2 + 2), *w = pref;
	for (const char *s = q; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			*w++ = '\\';
		*w++ = (char)tolower((unsigned char)*s);
	}
	*w++ = '%';
	store_bind(st, "tttti", path, arena_printf(c->a, "%s~", path), q, pref, (int64_t)limit);
	return rows_collect(c, st, node_row, out, e);
}

struct kind_info {
	const char *tree;
	int level;
	bool is_community;
};

static int kind_lookup(const struct ctx *c, const char *code, struct kind_info *k, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, "SELECT tree, level, is_community FROM node_kinds WHERE code = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "t", code);
	rc = store_step(st, e);
	if (rc == STORE_ROW) {
		k->tree = arena_strdup(c->a, store_col_text(st, 0));
		k->level = (int)store_col_int(st, 1);
		k->is_community = store_col_int(st, 2) != 0;
	}
	store_done(st);
	if (rc == STORE_DONE)
		return err_set(e, ERR_INVALID, "kind", "未知的层级类型“%s” / unknown node kind '%s'", code, code);
	return rc == STORE_ROW ? 0 : rc;
}

/* Reads kind, path, depth, community and retirement of a node. */
struct node_core {
	const char *kind, *path;
	int64_t depth, community_id;
	bool retired;
};

static int load_core(const struct ctx *c, int64_t id, struct node_core *n, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(
	    c->db, "SELECT kind, path, depth, community_id, retired_at IS NOT NULL FROM nodes WHERE id = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	rc = store_step(st, e);
	if (rc == STORE_ROW) {
		n->kind = arena_strdup(c->a, store_col_text(st, 0));
		n->path = arena_strdup(c->a, store_col_text(st, 1));
		n->depth = store_col_int(st, 2);
		n->community_id = store_col_int(st, 3);
		n->retired = store_col_int(st, 4) != 0;
	}
	store_done(st);
	if (rc == STORE_DONE)
		return err_set(e, ERR_NOT_FOUND, "parent_id", "节点%lld不存在 / node %lld not found", (long long)id,
			       (long long)id);
	return rc == STORE_ROW ? 0 : rc;
}

static int check_placement(const struct ctx *c, const char *kind, const struct node_core *parent, struct kind_info *k,
			   struct err *e)
{
	int rc = kind_lookup(c, kind, k, e);
	if (rc)
		return rc;
	struct kind_info pk;
	rc = kind_lookup(c, parent->kind, &pk, e);
	if (rc)
		return rc;
	if (parent->retired)
		return err_set(e, ERR_INVALID, "parent_id", "上级节点已撤销 / parent node is retired");
	if (strcmp(pk.tree, k->tree) != 0 || k->level <= pk.level)
		return err_set(e, ERR_INVALID, "kind", "“%s”不能放在“%s”之下 / a %s cannot sit under a %s", kind,
			       parent->kind, kind, parent->kind);
	return 0;
}

static int insert_node(const struct ctx *c, json_t *in, int64_t parent_id, const char *parent_path, int depth,
		       int64_t community_id, bool is_community, int64_t *id, struct err *e)
{
	char now[21];
	time_iso(time_now(), now);
	const char *name = json_string_value(json_object_get(in, "name"));
	json_t *internal =
	    json_pack("{s:s, s:s, s:s, s:s, s:i}", "path", "/pending/", "name_initials", tree_initials(c->a, name, 0),
		      "created_at", now, "updated_at", now, "depth", depth);
	if (parent_id)
		json_object_set_new(internal, "parent_id", json_integer(parent_id));
	if (community_id)
		json_object_set_new(internal, "community_id", json_integer(community_id));
	int rc = fields_write(c, &ENT_NODE, in, internal, 0, id, e);
	json_decref(internal);
	if (rc)
		return rc;
	/* The path needs the new id, so it is set right after the insert. */
	const char *path = arena_printf(c->a, "%s%lld/", parent_path, (long long)*id);
	rc = store_run(c->db, e, "UPDATE nodes SET path = ?, community_id = nullif(?, 0) WHERE id = ?", "tii", path,
		       is_community ? *id : community_id, *id);
	return rc ? rc : figures_node_added(c, *id, parent_id, e);
}

int tree_create(const struct ctx *c, json_t *in, json_t **out, struct err *e)
{
	int rc = fields_validate(&ENT_NODE, in, true, e);
	if (rc)
		return rc;
	json_t *pid = json_object_get(in, "parent_id");
	if (!json_is_integer(pid))
		return err_set(e, ERR_INVALID, "parent_id", "缺少上级节点 / parent_id is required");
	struct node_core parent;
	rc = load_core(c, json_integer_value(pid), &parent, e);
	if (rc)
		return rc == ERR_NOT_FOUND ? err_recode(e, ERR_INVALID, "parent_id") : rc;
	rc = authz_require(c->who, parent.path, ACC_MANAGER, e);
	if (rc)
		return rc;
	struct kind_info k;
	rc = check_placement(c, json_string_value(json_object_get(in, "kind")), &parent, &k, e);
	if (rc)
		return rc;
	rc = store_begin(c->db, e);
	if (rc)
		return rc;
	int64_t id;
	rc = insert_node(c, in, json_integer_value(pid), parent.path, (int)parent.depth + 1, parent.community_id,
			 k.is_community, &id, e);
	if (rc == 0)
		rc = load_node(c, id, out, e);
	if (rc == 0)
		rc = audit_log(c, "create", "node", id, NULL, *out, e);
	if (rc == 0)
		rc = store_commit(c->db, e);
	if (rc)
		store_rollback(c->db);
	return rc;
}

int tree_create_root(const struct ctx *c, const char *kind, const char *name, int64_t linked_node_id, int64_t *id,
		     struct err *e)
{
	struct kind_info k;
	int rc = kind_lookup(c, kind, &k, e);
	if (rc)
		return rc;
	json_t *in = json_pack("{s:s, s:s}", "kind", kind, "name", name);
	if (linked_node_id)
		json_object_set_new(in, "linked_node_id", json_integer(linked_node_id));
	rc = fields_validate(&ENT_NODE, in, true, e);
	if (rc == 0)
		rc = insert_node(c, in, 0, "/", 0, 0, k.is_community, id, e);
	json_t *after = NULL;
	if (rc == 0)
		rc = load_node(c, *id, &after, e);
	if (rc == 0)
		rc = audit_log(c, "create", "node", *id, NULL, after, e);
	json_decref(after);
	json_decref(in);
	return rc;
}

int tree_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e)
{
	const char *path;
	int rc = tree_path(c, id, &path, e);
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_MANAGER, e);
	if (rc == 0)
		rc = fields_validate(&ENT_NODE, in, false, e);
	if (rc)
		return rc;
	json_t *name = json_object_get(in, "name");
	json_t *internal =
	    name ? json_pack("{s:s}", "name_initials", tree_initials(c->a, json_string_value(name), 0)) : NULL;
	rc = rows_update(c, &ENT_NODE, id, in, internal, load_node, out, e);
	json_decref(internal);
	return rc;
}

/* Tables whose rows carry the node_path of the place they belong to. */
static const char *const path_tables[] = {"households", "people", "roles", "orgs", "person_tags", "cases"};

int tree_path_ids(const char *path, int64_t *ids, int max)
{
	int n = 0;
	for (const char *p = path; p && *p && n < max;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p)
			break;
		ids[n++] = v;
		p = end;
	}
	return n;
}

int64_t tree_path_node(const char *path)
{
	int64_t ids[32];
	int n = tree_path_ids(path, ids, 32);
	return n ? ids[n - 1] : 0;
}

int tree_move(const struct ctx *c, int64_t id, int64_t new_parent, json_t **out, struct err *e)
{
	struct node_core node, parent;
	int rc = load_core(c, id, &node, e);
	if (rc)
		return rc;
	rc = load_core(c, new_parent, &parent, e);
	if (rc)
		return rc == ERR_NOT_FOUND
			   ? err_set(e, ERR_INVALID, "parent_id", "目标上级不存在 / target parent not found")
			   : rc;
	if ((rc = authz_require(c->who, node.path, ACC_MANAGER, e)) ||
	    (rc = authz_require(c->who, parent.path, ACC_MANAGER, e)))
		return rc;
	if (node.depth == 0)
		return err_set(e, ERR_INVALID, "id", "根节点不能移动 / the root cannot move");
	if (strncmp(parent.path, node.path, strlen(node.path)) == 0)
		return err_set(e, ERR_INVALID, "parent_id", "不能移到自己的下级 / cannot move a node under itself");
	struct kind_info k;
	rc = check_placement(c, node.kind, &parent, &k, e);
	if (rc)
		return rc;
	json_t *before = NULL;
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = load_node(c, id, &before, e);
	const char *newp = arena_printf(c->a, "%s%lld/", parent.path, (long long)id);
	const char *end = arena_printf(c->a, "%s~", node.path);
	int64_t delta = parent.depth + 1 - node.depth;
	int64_t oldlen = (int64_t)strlen(node.path);
	/* The old parent's path: node.path less the node's own segment. */
	const char *old_parent =
	    arena_printf(c->a, "%.*s", (int)oldlen - snprintf(NULL, 0, "%lld/", (long long)id), node.path);
	char now[21];
	time_iso(time_now(), now);
	if (rc == 0)
		rc = store_run(c->db, e, "UPDATE nodes SET parent_id = ?, updated_at = ? WHERE id = ?", "iti",
			       new_parent, now, id);
	if (rc == 0)
		rc = store_run(
		    c->db, e,
		    "UPDATE nodes SET path = ? || substr(path, ?), depth = depth + ? WHERE path >= ? AND path < ?",
		    "tiitt", newp, oldlen + 1, delta, node.path, end);
	/* Recompute community ownership: the moved subtree now belongs to the
	 * nearest community above or within it. */
	if (rc == 0 && !k.is_community)
		rc = store_run(c->db, e,
			       "UPDATE nodes SET community_id = nullif(?, 0) WHERE path >= ? AND path < ? AND "
			       "(community_id = ? OR community_id IS NULL)",
			       "itti", parent.community_id, newp, arena_printf(c->a, "%s~", newp), node.community_id);
	for (size_t i = 0; rc == 0 && i < sizeof path_tables / sizeof *path_tables; i++)
		rc = store_run(
		    c->db, e,
		    arena_printf(
			c->a,
			"UPDATE %s SET node_path = ? || substr(node_path, ?) WHERE node_path >= ? AND node_path < ?",
			path_tables[i]),
		    "titt", newp, oldlen + 1, node.path, end);
	/* Cases keep where they started (origin_path) and the subtree lists they
	 * are in (case_scope) true to the tree as it now is. */
	if (rc == 0)
		rc = store_run(c->db, e,
			       "UPDATE cases SET origin_path = ? || substr(origin_path, ?) WHERE origin_path >= ? AND "
			       "origin_path < ?",
			       "titt", newp, oldlen + 1, node.path, end);
	if (rc == 0)
		rc = case_scope_moved(c, old_parent, newp, e);
	if (rc == 0)
		rc = figures_node_moved(c, id, tree_path_node(old_parent), e);
	if (rc == 0)
		rc = store_run(c->db, e,
			       "UPDATE households SET community_id = (SELECT community_id FROM nodes WHERE nodes.id = "
			       "households.node_id) "
			       "WHERE node_path >= ? AND node_path < ?",
			       "tt", newp, arena_printf(c->a, "%s~", newp));
	if (rc == 0)
		rc = store_run(
		    c->db, e,
		    "UPDATE people SET community_id = (SELECT community_id FROM nodes WHERE nodes.id = people.node_id) "
		    "WHERE node_path >= ? AND node_path < ?",
		    "tt", newp, arena_printf(c->a, "%s~", newp));
	if (rc == 0)
		rc = load_node(c, id, out, e);
	if (rc == 0)
		rc = audit_log(c, "move", "node", id, before, *out, e);
	if (rc == 0)
		rc = store_commit(c->db, e);
	if (rc)
		store_rollback(c->db);
	json_decref(before);
	return rc;
}

int tree_retire(const struct ctx *c, int64_t id, struct err *e)
{
	struct node_core node;
	int rc = load_core(c, id, &node, e);
	if (rc == 0)
		rc = authz_require(c->who, node.path, ACC_MANAGER, e);
	if (rc)
		return rc;
	if (node.depth == 0)
		return err_set(e, ERR_INVALID, "id", "根节点不能撤销 / the root cannot be retired");
	if (node.retired)
		return err_set(e, ERR_CONFLICT, "id", "节点已撤销 / node already retired");
	int64_t n = 0;
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = store_int(c->db, e, &n, "SELECT count(*) FROM nodes WHERE parent_id = ? AND retired_at IS NULL",
			       "i", id);
	if (rc == 0 && n > 0)
		rc = err_set(e, ERR_CONFLICT, "id",
			     "请先撤销或移走%lld个下级节点 / retire or move its %lld children first", (long long)n,
			     (long long)n);
	if (rc == 0)
		rc = store_int(c->db, e, &n, "SELECT count(*) FROM households WHERE node_id = ? AND status = 'active'",
			       "i", id);
	if (rc == 0 && n > 0)
		rc = err_set(e, ERR_CONFLICT, "id", "节点下还有%lld户 / %lld households still belong here",
			     (long long)n, (long long)n);
	json_t *before = NULL, *after = NULL;
	if (rc == 0)
		rc = load_node(c, id, &before, e);
	char now[21];
	time_iso(time_now(), now);
	if (rc == 0)
		rc = store_run(c->db, e, "UPDATE nodes SET retired_at = ?, updated_at = ? WHERE id = ?", "tti", now,
			       now, id);
	if (rc == 0)
		rc = load_node(c, id, &after, e);
	if (rc == 0)
		rc = audit_log(c, "retire", "node", id, before, after, e);
	if (rc == 0)
		rc = store_commit(c->db, e);
	if (rc)
		store_rollback(c->db);
	json_decref(before);
	json_decref(after);
	return rc;
}

int tree_kinds(const struct ctx *c, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(
	    c->db,
	    "SELECT code, tree, level, name_zh, name_en, is_community FROM node_kinds ORDER BY tree DESC, level, code",
	    &st, e);
	if (rc)
		return rc;
	json_t *arr = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW)
		json_array_append_new(arr,
				      json_pack("{s:s, s:s, s:I, s:s, s:s, s:b}", "code", store_col_text(st, 0), "tree",
						store_col_text(st, 1), "level", (json_int_t)store_col_int(st, 2),
						"name_zh", store_col_text(st, 3), "name_en", store_col_text(st, 4),
						"is_community", (int)store_col_int(st, 5)));
	store_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int tree_kind_put(const struct ctx *c, json_t *in, struct err *e)
{
	if (!c->who || !c->who->is_admin)
		return err_set(e, ERR_FORBIDDEN, NULL, "只有管理员可以配置层级 / only administrators configure levels");
	json_t *kind = json_deep_copy(in);
	int rc = fields_validate(&ENT_NODE_KIND, kind, true, e);
	/* An existing level keeps its tree, depth and role; only its names change. */
	if (rc == 0)
		rc = rows_put(c, &ENT_NODE_KIND, kind, NULL, e);
	json_decref(kind);
	return rc;
}
