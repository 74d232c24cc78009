/*
 * tree.h — the organisation tree (and the parallel party tree).
 *
 * Nodes carry a materialised path ('/1/7/42/'), so ancestors are the ids in
 * the path and a subtree is the range [path, path || '~'). Moving a node
 * rewrites the paths of its subtree and of every row (households, people,
 * roles, organisations) that belongs to it, in one transaction.
 * Every call checks the actor's access at the node and audits writes.
 */
#ifndef LINLI_TREE_H
#define LINLI_TREE_H

#include <jansson.h>

#include "domain/core/ctx.h"

/* The node ids of a path ("/1/5/23/" -> 1, 5, 23), root first; returns
 * how many were written (at most max). */
int tree_path_ids(const char *path, int64_t *ids, int max);
/* The node id at the end of a path ("/1/7/42/" -> 42; 0 for none). */
int64_t tree_path_node(const char *path);
/* Path of node id, allocated in the ctx arena; ERR_NOT_FOUND if absent. */
int tree_path(const struct ctx *c, int64_t id, const char **path, struct err *e);
int tree_get(const struct ctx *c, int64_t id, json_t **out, struct err *e);
int tree_children(const struct ctx *c, int64_t parent, int64_t after_id, int limit, bool include_retired, json_t **out,
		  struct err *e);
/* Descendants of id in tree order (a node before its subtree), optionally
 * one kind and at most max_depth levels below (0 = all); after_path is the
 * keyset (NULL = from the start). */
int tree_subtree(const struct ctx *c, int64_t id, const char *kind, int max_depth, const char *after_path, int limit,
		 json_t **out, struct err *e);
int tree_ancestors(const struct ctx *c, int64_t id, json_t **out, struct err *e);
/* The caller's starting nodes: tree roots for admins, granted nodes else. */
int tree_roots(const struct ctx *c, json_t **out, struct err *e);
/* Name or pinyin-initials search within the subtree of `under` (0: the
 * caller's home). */
int tree_search(const struct ctx *c, int64_t under, const char *q, int limit, json_t **out, struct err *e);
int tree_create(const struct ctx *c, json_t *in, json_t **out, struct err *e);
int tree_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e);
int tree_move(const struct ctx *c, int64_t id, int64_t new_parent, json_t **out, struct err *e);
int tree_retire(const struct ctx *c, int64_t id, struct err *e);
/* Creates a root node (no access check: used by init and the demo),
 * linked to an org node when linked_node_id is not 0 (a party tree's root
 * mirrors its street). Runs in the caller's transaction and audits. */
int tree_create_root(const struct ctx *c, const char *kind, const char *name, int64_t linked_node_id, int64_t *id,
		     struct err *e);
int tree_kinds(const struct ctx *c, json_t **out, struct err *e);
int tree_kind_put(const struct ctx *c, json_t *in, struct err *e);
/* Pinyin initials of a name, in the arena (for search columns). */
const char *tree_initials(struct arena *a, const char *name, int person);

#endif
