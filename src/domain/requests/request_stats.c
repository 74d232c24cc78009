/*
 * request_stats.c — request statistics and monthly summaries.
 *
 * Cases count where they started (origin_path), so a community's figures
 * include what it escalated upwards. One pass over the subtree's cases
 * accumulates totals and groups in C; durations are kept to compute
 * median and p90 exactly. Results are cached per parameters until any case
 * changes (the 'cases' counter, migration 004).
 */
#include "domain/requests/request_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/table_io.h"
#include "base/timeutil.h"
#include "domain/core/rows.h"
#include "domain/places/tree.h"
#include "store/store.h"

struct group {
	const char *key;
	int64_t received, resolved, at_origin, escalated, overdue, satisfied, basic, unsatisfied;
};

struct groups {
	struct group *g;
	int n, cap;
};

static struct group *group_get(const struct ctx *c, struct groups *gs, const char *key)
{
	for (int i = 0; i < gs->n; i++)
		if (!strcmp(gs->g[i].key, key))
			return &gs->g[i];
	if (gs->n == gs->cap) {
		int cap = gs->cap ? gs->cap * 2 : 16;
		struct group *g = arena_alloc(c->a, sizeof *g * (size_t)cap);
		if (gs->n)
			memcpy(g, gs->g, sizeof *g * (size_t)gs->n);
		gs->g = g, gs->cap = cap;
	}
	struct group *g = &gs->g[gs->n++];
	g->key = arena_strdup(c->a, key);
	return g;
}

struct durations {
	double *v;
	size_t n, cap;
};

static void dur_add(struct durations *d, double hours)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 256;
		d->v = realloc(d->v, d->cap * sizeof *d->v);
		if (!d->v)
			abort();
	}
	d->v[d->n++] = hours;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted values; null when there are none. */
static json_t *percentile(struct durations *d, double p)
{
	if (!d->n)
		return json_null();
	size_t rank = (size_t)(p * (double)d->n + 0.999999999);
	if (rank < 1)
		rank = 1;
	if (rank > d->n)
		rank = d->n;
	return json_real((double)(int64_t)(d->v[rank - 1] * 100 + 0.5) / 100);
}

static int64_t iso_secs(const char *s)
{
	int64_t t = time_parse_iso(s);
	return t < 0 ? 0 : t;
}

/* ISO week label "2026-W47" of a timestamp. */
static void iso_week(const char *at, char out[16])
{
	time_t t = (time_t)iso_secs(at);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 16, "%G-W%V", &tm);
}

static json_t *group_json(const struct group *g)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I}", "received", (json_int_t)g->received, "resolved",
			      (json_int_t)g->resolved, "resolved_at_origin", (json_int_t)g->at_origin, "escalated",
			      (json_int_t)g->escalated, "overdue", (json_int_t)g->overdue);
	json_object_set_new(o, "resolution_rate",
			    g->received ? json_real((double)g->resolved / (double)g->received) : json_null());
	int64_t rated = g->satisfied + g->basic + g->unsatisfied;
	json_object_set_new(
	    o, "satisfaction",
	    json_pack("{s:I, s:I, s:I, s:o}", "satisfied", (json_int_t)g->satisfied, "basic", (json_int_t)g->basic,
		      "unsatisfied", (json_int_t)g->unsatisfied, "rate",
		      rated ? json_real((double)(g->satisfied + g->basic) / (double)rated) : json_null()));
	return o;
}

static int group_cmp(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->key, ((const struct group *)b)->key);
}

/* Sorted by key (weeks and months in time order), so the answer does not
 * depend on the order the database returned the rows in. */
static json_t *groups_json(struct groups *gs, const char *keyname)
{
	if (gs->n > 1)
		qsort(gs->g, (size_t)gs->n, sizeof *gs->g, group_cmp);
	json_t *arr = json_array();
	for (int i = 0; i < gs->n; i++) {
		json_t *o = group_json(&gs->g[i]);
		json_object_set_new(o, keyname, json_string(gs->g[i].key));
		json_array_append_new(arr, o);
	}
	return arr;
}

static void count(struct group *g, struct store_stmt *st)
{
	g->received++;
	bool resolved = !store_col_null(st, 4);
	int64_t esc = store_col_int(st, 5);
	g->resolved += resolved;
	g->at_origin += resolved && esc == 0;
	g->escalated += esc > 0;
	g->overdue += store_col_int(st, 6) != 0;
	const char *r = store_col_text(st, 7);
	if (r) {
		g->satisfied += !strcmp(r, "satisfied");
		g->basic += !strcmp(r, "basic");
		g->unsatisfied += !strcmp(r, "unsatisfied");
	}
}

static int compute(const struct ctx *c, int64_t node, const char *path, const char *from, const char *to, json_t **out,
		   struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(
	    c->db,
	    "SELECT cases.category, cat.name_zh, cases.origin_path, cases.created_at, cases.resolved_at, "
	    "cases.escalations, cases.overdue, requests.rating, cases.first_response_at, cases.reopened "
	    "FROM cases JOIN categories cat ON cat.code = cases.category JOIN requests ON requests.case_id = cases.id "
	    "WHERE cases.kind = 'request' AND "
	    "cases.origin_path >= ? AND "
	    "cases.origin_path < ? AND cases.created_at >= ? AND cases.created_at <= ? AND cases.merged_into IS NULL",
	    &st, e);
	if (rc)
		return rc;
	store_bind(st, "tttt", path, arena_printf(c->a, "%s~", path), from ? from : "0000",
		   to ? arena_printf(c->a, "%sT23:59:59Z", to) : "9999");
	struct group total = {0};
	struct groups cats = {0}, kids = {0}, weeks = {0}, months = {0};
	struct durations first = {0}, resolve = {0};
	int64_t reopened = 0, escalations = 0;
	size_t plen = strlen(path);
	/* Child names, for the per-child breakdown. */
	json_t *names = json_object();
	struct store_stmt *ns;
	if (store_prepare(c->db, "SELECT id, name FROM nodes WHERE parent_id = ? AND retired_at IS NULL", &ns, NULL) ==
	    0) {
		store_bind(ns, "i", node);
		while (store_step(ns, NULL) == STORE_ROW) {
			char id[24];
			snprintf(id, sizeof id, "%lld", (long long)store_col_int(ns, 0));
			json_object_set_new(names, id, json_string(store_col_text(ns, 1)));
		}
		store_done(ns);
	}
	while ((rc = store_step(st, e)) == STORE_ROW) {
		const char *created = store_col_text(st, 3);
		count(&total, st);
		count(group_get(c, &cats, store_col_text(st, 0)), st);
		const char *op = store_col_text(st, 2);
		if (strlen(op) > plen) {
			char id[24];
			snprintf(id, sizeof id, "%lld", strtoll(op + plen, NULL, 10));
			count(group_get(c, &kids, id), st);
		}
		char wk[16], mon[8];
		iso_week(created, wk);
		snprintf(mon, sizeof mon, "%.7s", created);
		count(group_get(c, &weeks, wk), st);
		count(group_get(c, &months, mon), st);
		int64_t t0 = iso_secs(created);
		if (!store_col_null(st, 8))
			dur_add(&first, (double)(iso_secs(store_col_text(st, 8)) - t0) / 3600.0);
		if (!store_col_null(st, 4))
			dur_add(&resolve, (double)(iso_secs(store_col_text(st, 4)) - t0) / 3600.0);
		reopened += store_col_int(st, 9);
		escalations += store_col_int(st, 5);
	}
	store_done(st);
	if (rc < 0) {
		free(first.v), free(resolve.v);
		json_decref(names);
		return rc;
	}
	if (first.n)
		qsort(first.v, first.n, sizeof *first.v, cmp_double);
	if (resolve.n)
		qsort(resolve.v, resolve.n, sizeof *resolve.v, cmp_double);
	json_t *t = group_json(&total);
	json_object_set_new(t, "escalations", json_integer(escalations));
	json_object_set_new(t, "reopened", json_integer(reopened));
	json_object_set_new(t, "share_resolved_at_origin",
			    total.resolved ? json_real((double)total.at_origin / (double)total.resolved) : json_null());
	json_object_set_new(t, "first_response_hours",
			    json_pack("{s:o, s:o}", "median", percentile(&first, 0.5), "p90", percentile(&first, 0.9)));
	json_object_set_new(
	    t, "resolution_hours",
	    json_pack("{s:o, s:o}", "median", percentile(&resolve, 0.5), "p90", percentile(&resolve, 0.9)));
	free(first.v), free(resolve.v);
	json_t *by_cat = groups_json(&cats, "category");
	size_t i;
	json_t *g;
	json_array_foreach (by_cat, i, g) {
		struct store_stmt *cs;
		if (store_prepare(c->db, "SELECT name_zh FROM categories WHERE code = ?", &cs, NULL) == 0) {
			store_bind(cs, "t", json_string_value(json_object_get(g, "category")));
			if (store_step(cs, NULL) == STORE_ROW)
				json_object_set_new(g, "category_name", json_string(store_col_text(cs, 0)));
			store_done(cs);
		}
	}
	json_t *by_child = groups_json(&kids, "node_id");
	json_array_foreach (by_child, i, g) {
		const char *id = json_string_value(json_object_get(g, "node_id"));
		json_object_set(g, "node_name", json_object_get(names, id) ? json_object_get(names, id) : json_null());
		json_object_set_new(g, "node_id", json_integer(strtoll(id, NULL, 10)));
	}
	json_decref(names);
	*out = json_pack("{s:I, s:s?, s:s?, s:o, s:o, s:o, s:o, s:o}", "node_id", (json_int_t)node, "from", from, "to",
			 to, "totals", t, "by_category", by_cat, "by_child", by_child, "by_week",
			 groups_json(&weeks, "week"), "by_month", groups_json(&months, "month"));
	return 0;
}

static bool valid_day(const char *s)
{
	return !s || time_valid_date(s);
}

int request_stats(const struct ctx *c, int64_t node, const char *from, const char *to, json_t **out, struct err *e)
{
	if (!valid_day(from) || !valid_day(to))
		return err_set(e, ERR_INVALID, !valid_day(from) ? "from" : "to",
			       "日期应为YYYY-MM-DD / dates are YYYY-MM-DD");
	const char *path;
	int rc = tree_path(c, node, &path, e);
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_VIEWER, e);
	if (rc)
		return rc;
	const char *key = arena_printf(c->a, "stats|%lld|%s|%s", (long long)node, from ? from : "", to ? to : "");
	const char *day = rows_today(c);
	int64_t version = 0;
	rc = store_begin_read(c->db, e);
	if (rc == 0)
		rc = store_int(c->db, e, &version, "SELECT value FROM counters WHERE name = 'cases'", "");
	struct store_stmt *st;
	if (rc == 0 &&
	    store_prepare(c->db, "SELECT body FROM case_stats_cache WHERE key = ? AND version = ? AND day = ?", &st,
			  NULL) == 0) {
		store_bind(st, "tit", key, version, day);
		json_t *hit = store_step(st, NULL) == STORE_ROW ? json_loads(store_col_text(st, 0), 0, NULL) : NULL;
		store_done(st);
		if (hit) {
			store_rollback(c->db);
			*out = hit;
			return 0;
		}
	}
	if (rc == 0)
		rc = compute(c, node, path, from, to, out, e);
	store_rollback(c->db);
	if (rc)
		return rc;
	char *body = json_dumps(*out, JSON_COMPACT);
	store_run(c->db, NULL,
		  "INSERT INTO case_stats_cache (key, version, day, body) VALUES (?, ?, ?, ?) ON CONFLICT (key) "
		  "DO UPDATE SET version = excluded.version, day = excluded.day, body = excluded.body",
		  "titt", key, version, day, body);
	free(body);
	return 0;
}

/* Counts for cases started under path (or at exactly origin node) in a month. */
static json_t *month_counts(const struct ctx *c, const char *path, int64_t origin, const char *start, const char *end)
{
	struct store_stmt *st;
	const char *sql =
	    origin ? "SELECT count(*), sum(resolved_at IS NOT NULL AND resolved_at <= ?), sum(escalations > 0), "
		     "sum(phase IN ('open', 'waiting')) FROM cases WHERE kind = 'request' AND origin_node_id = ? "
		     "AND created_at >= ? AND created_at < ? AND merged_into IS NULL"
		   : "SELECT count(*), sum(resolved_at IS NOT NULL AND resolved_at <= ?), sum(escalations > 0), "
		     "sum(phase IN ('open', 'waiting')) FROM cases WHERE kind = 'request' AND origin_path >= ? AND "
		     "origin_path < ? AND created_at >= ? AND created_at < ? AND merged_into IS NULL";
	json_t *o = NULL;
	if (store_prepare(c->db, sql, &st, NULL))
		return json_object();
	if (origin)
		store_bind(st, "titt", end, origin, start, end);
	else
		store_bind(st, "ttttt", end, path, arena_printf(c->a, "%s~", path), start, end);
	if (store_step(st, NULL) == STORE_ROW)
		o = json_pack("{s:I, s:I, s:I, s:I}", "collected", (json_int_t)store_col_int(st, 0), "resolved",
			      (json_int_t)store_col_int(st, 1), "escalated", (json_int_t)store_col_int(st, 2), "open",
			      (json_int_t)store_col_int(st, 3));
	store_done(st);
	return o ? o : json_object();
}

int request_summary(const struct ctx *c, int64_t node, const char *month, json_t **out, struct err *e)
{
	if (!month || strlen(month) != 7 || !time_valid_date(arena_printf(c->a, "%s-01", month)))
		return err_set(e, ERR_INVALID, "month", "月份应为YYYY-MM / month must be YYYY-MM");
	const char *path;
	int rc = tree_path(c, node, &path, e);
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_VIEWER, e);
	if (rc)
		return rc;
	int y = (int)strtol(month, NULL, 10), m = (int)strtol(month + 5, NULL, 10);
	const char *start = arena_printf(c->a, "%s-01T00:00:00Z", month);
	const char *end = arena_printf(c->a, "%04d-%02d-01T00:00:00Z", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
	json_t *nodes = json_array(), *heads = json_array();
	json_t *self = month_counts(c, path, 0, start, end);
	/* Per child node. */
	struct store_stmt *st;
	rc = store_prepare(
	    c->db, "SELECT id, name, kind, path FROM nodes WHERE parent_id = ? AND retired_at IS NULL ORDER BY id", &st,
	    e);
	if (rc == 0) {
		store_bind(st, "i", node);
		while (store_step(st, NULL) == STORE_ROW) {
			json_t *row = month_counts(c, store_col_text(st, 3), 0, start, end);
			json_object_set_new(row, "node_id", json_integer(store_col_int(st, 0)));
			json_object_set_new(row, "node_name", json_string(store_col_text(st, 1)));
			json_object_set_new(row, "kind", json_string(store_col_text(st, 2)));
			json_array_append_new(nodes, row);
		}
		store_done(st);
	}
	/* Per neighbour head (and the other heads) serving in the subtree. */
	if (rc == 0)
		rc = store_prepare(
		    c->db,
		    "SELECT r.role, t.name_zh, p.name, r.node_id, n.name, coalesce(u.id, 0) FROM roles r JOIN "
		    "role_types t "
		    "ON t.code = r.role JOIN people p ON p.id = r.person_id JOIN nodes n ON n.id = r.node_id LEFT JOIN "
		    "users u ON u.person_id = r.person_id WHERE r.node_path >= ? AND r.node_path < ? AND r.role IN "
		    "('neighbour_head', 'group_head', 'area_head', 'building_head', 'unit_head', 'grid_worker', "
		    "'grid_leader') AND r.start_date < ? AND (r.end_date IS NULL OR r.end_date >= ?) ORDER BY n.path, "
		    "r.id "
		    "LIMIT 5000",
		    &st, e);
	if (rc == 0) {
		/* Terms are dates: compare with the month's first and next first days. */
		store_bind(st, "tttt", path, arena_printf(c->a, "%s~", path), arena_strndup(c->a, end, 10),
			   arena_strndup(c->a, start, 10));
		while (store_step(st, NULL) == STORE_ROW) {
			int64_t at = store_col_int(st, 3), user = store_col_int(st, 5);
			json_t *row = month_counts(c, NULL, at, start, end);
			int64_t recorded = 0;
			if (user)
				store_int(c->db, NULL, &recorded,
					  "SELECT count(*) FROM cases WHERE recorded_by = ? AND created_at >= ? AND "
					  "created_at < ?",
					  "itt", user, start, end);
			json_object_set_new(row, "recorded", json_integer(recorded));
			json_object_set_new(row, "role", json_string(store_col_text(st, 0)));
			json_object_set_new(row, "role_name", json_string(store_col_text(st, 1)));
			json_object_set_new(row, "name", json_string(store_col_text(st, 2)));
			json_object_set_new(row, "node_id", json_integer(at));
			json_object_set_new(row, "node_name", json_string(store_col_text(st, 4)));
			json_array_append_new(heads, row);
		}
		store_done(st);
	}
	if (rc) {
		json_decref(self), json_decref(nodes), json_decref(heads);
		return rc;
	}
	*out = json_pack("{s:I, s:s, s:o, s:o, s:o}", "node_id", (json_int_t)node, "month", month, "totals", self,
			 "by_child", nodes, "by_head", heads);
	return 0;
}

int request_summary_export(const struct ctx *c, int64_t node, const char *month, const char *fmt, const char *path,
			   struct err *e)
{
	enum tio_format tf = !strcmp(fmt, "csv") ? TIO_CSV : !strcmp(fmt, "xlsx") ? TIO_XLSX : 0;
	if (!tf)
		return err_set(e, ERR_INVALID, "format", "格式应为xlsx或csv / format must be xlsx or csv");
	json_t *s = NULL;
	int rc = request_summary(c, node, month, &s, e);
	if (rc)
		return rc;
	struct tio_writer *w;
	rc = tio_writer_open(&w, tf, path, arena_printf(c->a, "%s月度小结", month), e);
	if (rc) {
		json_decref(s);
		return rc;
	}
	static const char *const head[] = {"类型", "节点",   "职务",   "姓名",  "收集",
					   "代录", "已办结", "已上报", "未办结"};
	rc = tio_writer_row(w, 9, head, e);
	struct {
		const char *list, *type;
	} parts[] = {{"by_child", "下级节点"}, {"by_head", "三长与网格员"}};
	for (int p = 0; p < 2 && rc == 0; p++) {
		size_t i;
		json_t *r;
		json_array_foreach (json_object_get(s, parts[p].list), i, r) {
			const char *cells[9] = {parts[p].type, json_string_value(json_object_get(r, "node_name")),
						json_string_value(json_object_get(r, "role_name")) ?: "",
						json_string_value(json_object_get(r, "name")) ?: ""};
			const char *keys[] = {"collected", "recorded", "resolved", "escalated", "open"};
			for (int k = 0; k < 5; k++)
				cells[4 + k] =
				    json_object_get(r, keys[k])
					? arena_printf(c->a, "%lld",
						       (long long)json_integer_value(json_object_get(r, keys[k])))
					: "";
			if (rc == 0)
				rc = tio_writer_row(w, 9, cells, e);
		}
	}
	json_decref(s);
	if (rc) {
		tio_writer_abort(w);
		return rc;
	}
	return tio_writer_close(w, e);
}
