/*
 * case_scope.c — the rows that make "the cases of a subtree, newest
 * first" one index range (table case_scope, migration 011).
 *
 * A case has one row per node on the line from the root down to the node
 * handling it. The row's anc_id is that node, so a subtree's cases are
 * the rows with anc_id = the subtree's root, already in case id order.
 * The rows change when the case lands at another node (escalation), when
 * its phase turns between open and not, and when a part of the tree moves
 * with the case inside it (only the nodes above the moved part change).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/cases/case_internal.h"
#include "domain/cases/cases.h"
#include "domain/places/tree.h"
#include "store/store.h"

#define SCOPE_DEPTH 32

int case_scope_land(const struct ctx *c, int64_t case_id, const char *kind, const char *node_path, bool open,
		    struct err *e)
{
	int64_t ids[SCOPE_DEPTH];
	int n = tree_path_ids(node_path, ids, SCOPE_DEPTH);
	int rc = store_run(c->db, e, "DELETE FROM case_scope WHERE case_id = ?", "i", case_id);
	if (rc || n == 0)
		return rc;
	/* One statement for the whole line: one round trip on PostgreSQL. */
	const char *sql = "INSERT INTO case_scope (anc_id, kind, is_open, case_id) VALUES (?, ?, ?, ?)";
	for (int i = 1; i < n; i++)
		sql = arena_printf(c->a, "%s, (?, ?, ?, ?)", sql);
	struct store_stmt *st;
	if ((rc = store_prepare(c->db, sql, &st, e)) != 0)
		return rc;
	for (int i = 0; i < n; i++) {
		store_bind_at(st, 4 * i + 1, 'i', ids[i]);
		store_bind_at(st, 4 * i + 2, 't', kind);
		store_bind_at(st, 4 * i + 3, 'i', (int64_t)open);
		store_bind_at(st, 4 * i + 4, 'i', case_id);
	}
	rc = store_step(st, e);
	store_done(st);
	return rc < 0 ? rc : 0;
}

int case_scope_phase(const struct ctx *c, int64_t case_id, bool open, struct err *e)
{
	return store_run(c->db, e, "UPDATE case_scope SET is_open = ? WHERE case_id = ? AND is_open <> ?", "iii",
			 (int64_t)open, case_id, (int64_t)open);
}

int case_scope_moved(const struct ctx *c, const char *old_parent_path, const char *new_path, struct err *e)
{
	int64_t old_above[SCOPE_DEPTH], new_above[SCOPE_DEPTH];
	int no = tree_path_ids(old_parent_path, old_above, SCOPE_DEPTH);
	int nn = tree_path_ids(new_path, new_above, SCOPE_DEPTH) - 1; /* the moved node itself stays */
	const char *end = arena_printf(c->a, "%s~", new_path);
	int rc = 0;
	for (int i = 0; rc == 0 && i < no; i++)
		rc = store_run(c->db, e,
			       "DELETE FROM case_scope WHERE anc_id = ? AND case_id IN "
			       "(SELECT id FROM cases WHERE node_path >= ? AND node_path < ?)",
			       "itt", old_above[i], new_path, end);
	for (int i = 0; rc == 0 && i < nn; i++)
		rc =
		    store_run(c->db, e,
			      "INSERT INTO case_scope (anc_id, kind, is_open, case_id) SELECT ?, kind, CASE WHEN phase "
			      "IN ('open', 'waiting') THEN 1 ELSE 0 END, id FROM cases WHERE node_path >= ? AND "
			      "node_path < ?",
			      "itt", new_above[i], new_path, end);
	return rc;
}

/* The scope rows as the cases and the tree say they should be. */
#define SCOPE_WANTED                                                                                                   \
	"WITH RECURSIVE anc(node_id, anc_id) AS (SELECT id, id FROM nodes UNION ALL SELECT anc.node_id, n.parent_id "  \
	"FROM anc JOIN nodes n ON n.id = anc.anc_id WHERE n.parent_id IS NOT NULL), "                                  \
	"wanted AS (SELECT anc.anc_id, cases.kind, CASE WHEN cases.phase IN ('open', 'waiting') THEN 1 ELSE 0 END "    \
	"AS is_open, cases.id AS case_id FROM cases JOIN anc ON anc.node_id = cases.node_id) "

int case_scope_verify(const struct ctx *c, char *report, size_t cap, struct err *e)
{
	static const struct {
		const char *sql, *what;
	} checks[] = {
	    {SCOPE_WANTED "SELECT count(*), min(case_id) FROM (SELECT * FROM wanted EXCEPT SELECT anc_id, kind, "
			  "is_open, case_id FROM case_scope) x",
	     "case_scope lacks or misstates rows of cases (the subtree lists miss them)"},
	    {SCOPE_WANTED "SELECT count(*), min(case_id) FROM (SELECT anc_id, kind, is_open, case_id FROM case_scope "
			  "EXCEPT SELECT * FROM wanted) x",
	     "case_scope has rows no case or node accounts for"},
	    {"SELECT count(*), min(cases.id) FROM cases JOIN nodes ON nodes.id = cases.node_id WHERE cases.node_path "
	     "<> nodes.path",
	     "cases whose node_path is not their node's path"},
	};
	int problems = 0;
	for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) {
		struct store_stmt *st;
		int rc = store_prepare(c->db, checks[i].sql, &st, e);
		if (rc)
			return -1;
		int64_t n = 0, first = 0;
		if ((rc = store_step(st, e)) == STORE_ROW) {
			n = store_col_int(st, 0);
			first = store_col_null(st, 1) ? 0 : store_col_int(st, 1);
		}
		store_done(st);
		if (rc < 0)
			return -1;
		if (n > 0) {
			size_t len = strlen(report);
			snprintf(report + len, cap > len ? cap - len : 0, "%s: %lld row(s), the first for case %lld\n",
				 checks[i].what, (long long)n, (long long)first);
			problems++;
		}
	}
	return problems;
}
