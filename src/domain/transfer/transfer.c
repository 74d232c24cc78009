/*
 * transfer.c — bulk import and export driven by the entity field tables.
 *
 * Import runs in one transaction: rows are validated and inserted in file
 * order (so a duplicate ID card within the file is caught like one already
 * registered); any error rolls everything back. A dry run always rolls
 * back. One audit row records the import (file size, counts, node).
 *
 * Export pages through the same list functions the API lists with, so a
 * file holds exactly what the lists show; the people list takes the
 * residents table's filters (person_filter) as they are.
 */
#include "domain/transfer/transfer.h"

#include <stdatomic.h>
#include <string.h>

#include "base/table_io.h"
#include "domain/core/audit.h"
#include "domain/core/fields.h"
#include "domain/core/lookup.h"
#include "domain/core/pii.h"
#include "domain/people/registry.h"
#include "domain/roles/roles.h"
#include "domain/places/tree.h"
#include "store/store.h"

#define MAX_REPORTED 1000

/* Columns that belong to the household, not the person. */
static const char *const place_cols[][3] = {
    {"place", "所属节点", "place"}, {"address", "门牌地址", "address"}, {"tenure", "房屋性质", "tenure"}};

static int place_col(const char *h)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(h, place_cols[i][0]) || !strcmp(h, place_cols[i][1]) || !strcasecmp(h, place_cols[i][2]))
			return i;
	return -1;
}

static void report(json_t *errs, size_t line, const char *field, const char *msg)
{
	if (json_array_size(errs) < MAX_REPORTED)
		json_array_append_new(errs, json_pack("{s:I, s:s?, s:s}", "line", (json_int_t)line, "field",
						      field && *field ? field : NULL, "message", msg));
}

/* Finds the place node named `name` in the subtree (unique), or the root. */
static int find_place(const struct ctx *c, const char *root_path, int64_t root, const char *name, int64_t *id,
		      struct err *e)
{
	if (!name || !*name) {
		*id = root;
		return 0;
	}
	struct store_stmt *st;
	int rc = store_prepare(
	    c->db, "SELECT id FROM nodes WHERE path >= ? AND path < ? AND name = ? AND retired_at IS NULL LIMIT 2", &st,
	    e);
	if (rc)
		return rc;
	store_bind(st, "ttt", root_path, arena_printf(c->a, "%s~", root_path), name);
	int n = 0;
	while ((rc = store_step(st, e)) == STORE_ROW)
		*id = store_col_int(st, 0), n++;
	store_done(st);
	if (rc < 0)
		return rc;
	if (n == 0)
		return err_set(e, ERR_INVALID, "place", "找不到节点“%s” / no place named '%s' here", name, name);
	if (n > 1)
		return err_set(e, ERR_INVALID, "place", "节点名“%s”不唯一 / place name '%s' is ambiguous", name, name);
	return 0;
}

static int find_or_create_household(const struct ctx *c, struct registry_batch *b, int64_t place, const char *address,
				    const char *tenure, int64_t *hid, struct err *e)
{
	int rc = store_int(c->db, e, hid,
			   "SELECT id FROM households WHERE node_id = ? AND address = ? AND status = 'active'", "it",
			   place, address);
	if (rc != ERR_NOT_FOUND)
		return rc;
	json_t *h = json_pack("{s:I, s:s}", "node_id", (json_int_t)place, "address", address);
	if (tenure && *tenure) {
		const struct field *f = fields_find(&ENT_HOUSEHOLD, "tenure");
		const char *code = tenure;
		for (const struct enum_val *v = f->vals; v->code; v++)
			if (!strcmp(v->zh, tenure) || !strcmp(v->code, tenure))
				code = v->code;
		json_object_set_new(h, "tenure", json_string(code));
	}
	rc = registry_batch_household(c, b, h, hid, e);
	json_decref(h);
	return rc;
}

static int import_people(const struct ctx *c, int64_t node, const void *data, size_t len, bool dry_run, json_t **out,
			 struct err *e)
{
	const char *root_path;
	int rc = tree_path(c, node, &root_path, e);
	if (rc == 0)
		rc = authz_require(c->who, root_path, ACC_WORKER, e);
	if (rc)
		return rc;
	struct tio_table t = {0};
	rc = tio_read_mem(data, len, &t, e);
	if (rc)
		return rc;
	if (t.nrows < 2) {
		tio_free(&t);
		return err_set(e, ERR_INVALID, "file", "文件没有数据行 / the file has no data rows");
	}
	/* Header: split into place columns and person columns. */
	const struct tio_row *head = &t.rows[0];
	size_t ncol = head->ncells;
	int *kind = arena_alloc(c->a, ncol * sizeof *kind); /* -1 person, else place col */
	const char **pnames = arena_alloc(c->a, ncol * sizeof *pnames);
	int *pidx = arena_alloc(c->a, ncol * sizeof *pidx);
	int np = 0;
	json_t *errs = json_array();
	bool have_address = false;
	for (size_t i = 0; i < ncol; i++) {
		const char *h = tio_cell(head, i);
		kind[i] = place_col(h);
		have_address |= kind[i] == 1;
		if (kind[i] >= 0)
			continue;
		if (!fields_find(&ENT_PERSON, h)) {
			bool known = false;
			for (int k = 0; k < ENT_PERSON.n; k++)
				known |= !strcmp(ENT_PERSON.f[k].zh, h) || !strcasecmp(ENT_PERSON.f[k].en, h);
			if (!known)
				report(errs, head->line, h,
				       arena_printf(c->a, "未知列“%s” / unknown column '%s'", h, h));
		}
		pnames[np] = h;
		pidx[np++] = (int)i;
	}
	if (!have_address)
		report(errs, head->line, "address", "缺少“门牌地址”列 / the address column (门牌地址) is missing");
	struct registry_batch batch = {0};
	if (json_array_size(errs) == 0)
		rc = store_begin(c->db, e);
	const char **cells = arena_alloc(c->a, (size_t)(np ? np : 1) * sizeof *cells);
	/* Header errors stop here (no transaction); row errors are all collected. */
	for (size_t r = 1; rc == 0 && store_in_txn(c->db) && r < t.nrows; r++) {
		const struct tio_row *row = &t.rows[r];
		const char *place = NULL, *address = NULL, *tenure = NULL;
		for (size_t i = 0; i < ncol; i++) {
			if (kind[i] == 0)
				place = tio_cell(row, i);
			else if (kind[i] == 1)
				address = tio_cell(row, i);
			else if (kind[i] == 2)
				tenure = tio_cell(row, i);
		}
		for (int k = 0; k < np; k++)
			cells[k] = tio_cell(row, (size_t)pidx[k]);
		struct err re = {0};
		json_t *person = NULL;
		int64_t place_id = 0, hid = 0, pid = 0;
		int rrc = fields_from_cells(&ENT_PERSON, np, pnames, cells, &person, &re);
		if (rrc == 0)
			rrc = fields_validate(&ENT_PERSON, person, true, &re);
		if (rrc == 0 && (!address || !*address))
			rrc = err_set(&re, ERR_INVALID, "address", "门牌地址不能为空 / address is required");
		if (rrc == 0)
			rrc = find_place(c, root_path, node, place, &place_id, &re);
		if (rrc == 0)
			rrc = find_or_create_household(c, &batch, place_id, address, tenure, &hid, &re);
		if (rrc == 0) {
			json_object_set_new(person, "household_id", json_integer(hid));
			rrc = registry_batch_person(c, &batch, person, &pid, &re);
		}
		json_decref(person);
		if (rrc == ERR_INVALID || rrc == ERR_CONFLICT || rrc == ERR_FORBIDDEN || rrc == ERR_NOT_FOUND)
			report(errs, row->line, re.field, re.msg);
		else if (rrc)
			rc = rrc, *e = re;
	}
	size_t nrows = t.nrows - 1;
	tio_free(&t);
	if (rc) {
		store_rollback(c->db);
		json_decref(errs);
		return rc;
	}
	if (json_array_size(errs) > 0) {
		store_rollback(c->db);
		/* Rows refused as ID numbers already registered are lookups
		 * (core/lookup.h): counted and audited, and past the hour's
		 * limit the report that names them is not given. */
		if (batch.id_conflicts) {
			rc = lookup_room(c, (int)batch.id_conflicts, e);
			if (rc == 0)
				rc = lookup_record(c, node, "import", PII_ID_CARD, NULL, batch.id_conflicts,
						   (int)batch.id_conflicts, e);
			if (rc) {
				json_decref(errs);
				return rc;
			}
		}
		*out = json_pack("{s:o, s:I}", "errors", errs, "rows", (json_int_t)nrows);
		return err_set(e, ERR_INVALID, "file",
			       "%zu行有错误，未导入任何数据 / %zu bad rows; nothing was imported",
			       json_array_size(errs), json_array_size(errs));
	}
	json_decref(errs);
	*out = json_pack("{s:I, s:I, s:I, s:b}", "rows", (json_int_t)nrows, "people", (json_int_t)batch.people,
			 "households_created", (json_int_t)batch.households, "dry_run", dry_run);
	if (dry_run) {
		store_rollback(c->db);
		return 0;
	}
	json_t *summary =
	    json_pack("{s:I, s:I, s:I, s:I}", "node_id", (json_int_t)node, "bytes", (json_int_t)len, "people",
		      (json_int_t)batch.people, "households_created", (json_int_t)batch.households);
	rc = audit_log(c, "import", "node", node, NULL, summary, e);
	json_decref(summary);
	if (rc == 0)
		rc = store_commit(c->db, e);
	if (rc)
		store_rollback(c->db);
	return rc;
}

/* Imports running in this process: each holds its table in memory (up to
 * table_io's caps), so only a few run at once. */
static atomic_int imports_running;

int transfer_import_people(const struct ctx *c, int64_t node, const void *data, size_t len, bool dry_run, json_t **out,
			   struct err *e)
{
	if (atomic_fetch_add(&imports_running, 1) >= TRANSFER_IMPORTS_AT_ONCE) {
		atomic_fetch_sub(&imports_running, 1);
		return err_set(e, ERR_UNAVAILABLE, "file",
			       "同时进行的导入已达%d个，请稍后再试 / %d imports are running; try again shortly",
			       TRANSFER_IMPORTS_AT_ONCE, TRANSFER_IMPORTS_AT_ONCE);
	}
	int rc = import_people(c, node, data, len, dry_run, out, e);
	atomic_fetch_sub(&imports_running, 1);
	return rc;
}

/* One page of a list after cursor (NULL: the first); *next is the next
 * page's (NULL: the list ended). Nodes page by path. */
static int list_page(const struct ctx *c, const char *list, int64_t node, const struct person_filter *filter,
		     const char *cursor, bool reveal, json_t **items, const char **next, struct err *e)
{
	*next = NULL;
	if (!strcmp(list, "people")) {
		struct person_filter f = {0};
		if (filter)
			f = *filter;
		/* a masked file holds what viewers see, whoever exports it */
		f.node_id = node, f.cursor = cursor, f.limit = 500, f.reveal = reveal, f.masked = !reveal;
		int rc = person_list(c, &f, items, e);
		*next = f.next;
		return rc;
	}
	if (!strcmp(list, "households"))
		return household_list(c, node, NULL, cursor, 500, items, next, e);
	if (!strcmp(list, "roles"))
		return roles_list(c, node, NULL, false, cursor, 500, items, next, e);
	if (!strcmp(list, "nodes")) {
		int rc = tree_subtree(c, node, NULL, 0, cursor, 500, items, e);
		size_t n = rc ? 0 : json_array_size(*items);
		if (n == 500)
			*next = arena_strdup(c->a,
					     json_string_value(json_object_get(json_array_get(*items, n - 1), "path")));
		return rc;
	}
	return orgs_list(c, node, NULL, cursor, 500, items, next, e);
}

static const struct entity *list_entity(const char *list)
{
	if (!strcmp(list, "people"))
		return &ENT_PERSON;
	if (!strcmp(list, "households"))
		return &ENT_HOUSEHOLD;
	if (!strcmp(list, "roles"))
		return &ENT_ROLE;
	if (!strcmp(list, "orgs"))
		return &ENT_ORG;
	if (!strcmp(list, "nodes"))
		return &ENT_NODE;
	return NULL;
}

/* A JSON value as a 台账 cell: enum codes become Chinese labels (those kept
 * as data, such as organisation kinds, from their tables). */
static const char *cell_text(const struct ctx *c, const struct field *f, json_t *v)
{
	if (!v || json_is_null(v))
		return "";
	if (json_is_integer(v))
		return arena_printf(c->a, "%lld", (long long)json_integer_value(v));
	if (json_is_boolean(v))
		return json_is_true(v) ? "是" : "否";
	if (json_is_array(v)) {
		const char *s = "";
		size_t i;
		json_t *t;
		json_array_foreach (v, i, t)
			s = arena_printf(c->a, "%s%s%s", s, i ? "、" : "", json_string_value(t));
		return s;
	}
	const char *s = json_string_value(v);
	if (f->type == FT_CODE)
		return fields_code_label(c, f, s);
	return f->type == FT_ENUM ? enum_label(f->vals, s) : s;
}

/* The filter as the audit row records it. Numbers searched for are ID-card
 * or phone numbers: only their masks are written, as everywhere in audit. */
static json_t *filter_json(const struct ctx *c, const struct person_filter *f)
{
	json_t *o = json_object();
	if (f->q && *f->q) {
		bool digits = strpbrk(f->q, "0123456789") != NULL;
		const char *q = digits ? pii_mask(strlen(f->q) == 18 ? PII_ID_CARD : PII_PHONE, f->q, c->a) : f->q;
		json_object_set_new(o, "q", json_string(q ? q : "***"));
	}
	const struct {
		const char *key, *val;
	} s[] = {{"tag", f->tag},
		 {"residence", f->residence},
		 {"status", f->status},
		 {"political_status", f->political_status},
		 {"gender", f->gender}};
	for (size_t i = 0; i < sizeof s / sizeof *s; i++)
		if (s[i].val)
			json_object_set_new(o, s[i].key, json_string(s[i].val));
	if (f->household_id)
		json_object_set_new(o, "household", json_integer(f->household_id));
	if (f->by_name)
		json_object_set_new(o, "sort", json_string("name"));
	return o;
}

int transfer_export(const struct ctx *c, const char *list, int64_t node, const char *fmt, bool reveal, const char *path,
		    int64_t *rows, struct err *e)
{
	return transfer_export_filtered(c, list, node, NULL, fmt, reveal, path, rows, e);
}

int transfer_export_filtered(const struct ctx *c, const char *list, int64_t node, const struct person_filter *filter,
			     const char *fmt, bool reveal, const char *path, int64_t *rows, struct err *e)
{
	const struct entity *ent = list_entity(list);
	if (!ent)
		return err_set(e, ERR_NOT_FOUND, "list", "不能导出“%s” / cannot export '%s'", list, list);
	if (filter && ent != &ENT_PERSON)
		return err_set(e, ERR_INVALID, "list",
			       "只有居民名单可以按条件导出 / only the people list takes filters");
	enum tio_format tf = !strcmp(fmt, "csv") ? TIO_CSV : !strcmp(fmt, "xlsx") ? TIO_XLSX : 0;
	if (!tf)
		return err_set(e, ERR_INVALID, "format", "格式应为xlsx或csv / format must be xlsx or csv");
	reveal = reveal && ent == &ENT_PERSON; /* only people carry personal data */
	const char *scope;
	int rc = registry_scope(c, node, &scope, e);
	if (rc == 0 && reveal)
		rc = authz_require(c->who, scope, ACC_OFFICER, e);
	if (rc)
		return rc;
	const char *head[64];
	const struct field *cols[64];
	int n = 0;
	for (int i = 0; i < ent->n && n < 64; i++)
		if (!(ent->f[i].flags & FF_NOEXPORT))
			cols[n] = &ent->f[i], head[n++] = ent->f[i].zh;
	struct tio_writer *w;
	rc = tio_writer_open(&w, tf, path, "台账", e);
	if (rc)
		return rc;
	rc = tio_writer_row(w, (size_t)n, head, e);
	int64_t count = 0;
	const char *cursor = NULL;
	const char **cells = arena_alloc(c->a, (size_t)n * sizeof *cells);
	while (rc == 0) {
		json_t *items = NULL;
		const char *next = NULL;
		rc = list_page(c, list, node, filter, cursor, reveal, &items, &next, e);
		if (rc)
			break;
		size_t i;
		json_t *it;
		json_array_foreach (items, i, it) {
			for (int k = 0; k < n; k++)
				cells[k] = cell_text(c, cols[k], json_object_get(it, cols[k]->name));
			if (rc == 0)
				rc = tio_writer_row(w, (size_t)n, cells, e);
			count++;
		}
		json_decref(items);
		if (!next)
			break;
		cursor = next;
	}
	if (rc) {
		tio_writer_abort(w);
		return rc;
	}
	rc = tio_writer_close(w, e);
	if (rc)
		return rc;
	*rows = count;
	json_t *summary = json_pack("{s:s, s:I, s:s, s:b, s:I}", "list", list, "node_id", (json_int_t)node, "format",
				    fmt, "revealed", reveal, "rows", (json_int_t)count);
	if (filter)
		json_object_set_new(summary, "filter", filter_json(c, filter));
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = audit_log(c, "export", "node", node, NULL, summary, e);
	json_decref(summary);
	if (rc == 0)
		rc = store_commit(c->db, e);
	if (rc)
		store_rollback(c->db);
	return rc;
}
