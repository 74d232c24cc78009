/*
 * stats.c — subtree statistics.
 *
 * Algorithm: one grouped scan per table over the subtree's path range
 * (people through a covering index), grouped by the leaf node; each group
 * is then rolled up in C to the child of the requested node that contains
 * it (the path segment after the node's own path). This keeps the work at
 * one index range scan however many children there are.
 *
 * The population pyramid (10-year age bands by gender) is one more grouped
 * scan of the same covering index: each row's band and gender are computed
 * in SQL and the subtree is grouped by them (at most 30 groups). Summing 27
 * band-and-gender conditions per row in the per-node scan instead measured
 * several times slower on a million people.
 */
#include "domain/people/stats.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "domain/places/tree.h"
#include "store/store.h"

/* Bumped whenever the picture gains or changes fields (2: the pyramid). */
#define STATS_SHAPE 2

enum {
	M_RESIDENTS,
	M_HOUSEHOLDS,
	M_FLOATING,
	M_RENTED,
	M_PARTY,
	M_MALE,
	M_FEMALE,
	M_AGE0,
	M_AGE18,
	M_AGE35,
	M_AGE60,
	M_AGE80,
	M_ROLES,
	M_ORGS,
	M_COUNT
};
static const char *const metric_names[M_COUNT] = {
    "residents", "households", "floating",  "rented_households", "party_members", "male",         "female",
    "age_0_17",  "age_18_34",  "age_35_59", "age_60_79",         "age_80_plus",   "role_holders", "orgs"};

struct child {
	int64_t id;
	const char *name, *kind, *path;
	int64_t m[M_COUNT];
};

struct rollup {
	const char *path;
	size_t plen;
	struct child *kids;
	int nkids;
	int64_t total[M_COUNT];
};

/* The child of the node that contains path, or NULL (the node itself). */
static struct child *child_of(struct rollup *r, const char *path)
{
	if (strlen(path) <= r->plen)
		return NULL;
	int64_t id = strtoll(path + r->plen, NULL, 10);
	/* Children are sorted by id: binary search. */
	int lo = 0, hi = r->nkids - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (r->kids[mid].id == id)
			return &r->kids[mid];
		if (r->kids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

static void add(struct rollup *r, const char *path, int metric, int64_t n)
{
	r->total[metric] += n;
	struct child *k = child_of(r, path);
	if (k)
		k->m[metric] += n;
}

static int scan(const struct ctx *c, struct rollup *r, const char *sql, const int *metrics, int nm,
		const char *const *dates, int ndates, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, sql, &st, e);
	if (rc)
		return rc;
	int idx = 1;
	for (int i = 0; i < ndates; i++)
		store_bind_at(st, idx++, 't', dates[i]);
	store_bind_at(st, idx++, 't', r->path);
	store_bind_at(st, idx++, 't', arena_printf(c->a, "%s~", r->path));
	while ((rc = store_step(st, e)) == STORE_ROW) {
		const char *path = store_col_text(st, 0);
		for (int i = 0; i < nm; i++)
			add(r, path, metrics[i], store_col_int(st, i + 1));
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

static void years_ago(int64_t now, int years, char out[11])
{
	char iso[21];
	time_iso(now, iso);
	snprintf(out, 11, "%04u%.6s", (unsigned)(time_year(now) - years) % 10000u, iso + 4);
}

/* 0-9, 10-19, ..., 70-79, 80+. */
#define PYRAMID_BANDS 9
enum { G_MALE, G_FEMALE, G_UNKNOWN, G_COUNT };
static const char *const gender_names[G_COUNT] = {"male", "female", "unknown"};

/*
 * Active residents of the subtree at path by 10-year age band and gender:
 * {"bands": [{"band": "0-9", "age_min": 0, "age_max": 9, "male", "female",
 * "unknown"}, ..., {"band": "80+", "age_min": 80, "age_max": null, ...}],
 * "no_birth_date": {"male", "female", "unknown"}}. Ages are whole years on
 * the day of now, as the age metrics count them: someone is n on their n-th
 * birthday.
 */
static int pyramid(const struct ctx *c, const char *path, int64_t now, json_t **out, struct err *e)
{
	/* cut[n] is the date n * 10 years ago: born on or before it, at least
	 * n * 10 years old. */
	char cut[PYRAMID_BANDS][11];
	for (int n = 1; n < PYRAMID_BANDS; n++)
		years_ago(now, n * 10, cut[n]);
	struct store_stmt *st;
	int rc = store_prepare(c->db,
			       "SELECT CASE gender WHEN 'M' THEN 0 WHEN 'F' THEN 1 ELSE 2 END, "
			       "CASE WHEN birth_date IS NULL OR birth_date = '' THEN -1 WHEN birth_date <= ? THEN 8 "
			       "WHEN birth_date <= ? THEN 7 WHEN birth_date <= ? THEN 6 WHEN birth_date <= ? THEN 5 "
			       "WHEN birth_date <= ? THEN 4 WHEN birth_date <= ? THEN 3 WHEN birth_date <= ? THEN 2 "
			       "WHEN birth_date <= ? THEN 1 ELSE 0 END, count(*) "
			       "FROM people INDEXED BY people_stats WHERE node_path >= ? AND node_path < ? AND "
			       "status = 'active' GROUP BY 1, 2",
			       &st, e);
	if (rc)
		return rc;
	int idx = 1;
	for (int n = PYRAMID_BANDS - 1; n >= 1; n--)
		store_bind_at(st, idx++, 't', cut[n]);
	store_bind_at(st, idx++, 't', path);
	store_bind_at(st, idx++, 't', arena_printf(c->a, "%s~", path));
	/* Row PYRAMID_BANDS: no birth date. */
	int64_t count[PYRAMID_BANDS + 1][G_COUNT] = {{0}};
	while ((rc = store_step(st, e)) == STORE_ROW) {
		int64_t g = store_col_int(st, 0), band = store_col_int(st, 1);
		if (g < 0 || g >= G_COUNT || band < -1 || band >= PYRAMID_BANDS)
			continue;
		count[band < 0 ? PYRAMID_BANDS : band][g] += store_col_int(st, 2);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	json_t *bands = json_array();
	for (int b = 0; b <= PYRAMID_BANDS; b++) {
		json_t *o = json_object();
		if (b < PYRAMID_BANDS) {
			bool last = b == PYRAMID_BANDS - 1;
			json_object_set_new(o, "band",
					    json_string(last ? arena_printf(c->a, "%d+", b * 10)
							     : arena_printf(c->a, "%d-%d", b * 10, b * 10 + 9)));
			json_object_set_new(o, "age_min", json_integer((json_int_t)b * 10));
			json_object_set_new(o, "age_max", last ? json_null() : json_integer((json_int_t)b * 10 + 9));
		}
		for (int g = 0; g < G_COUNT; g++)
			json_object_set_new(o, gender_names[g], json_integer(count[b][g]));
		if (b < PYRAMID_BANDS) {
			json_array_append_new(bands, o);
		} else {
			*out = json_pack("{s:o, s:o}", "bands", bands, "no_birth_date", o);
		}
	}
	return 0;
}

static json_t *metrics_json(const int64_t *m)
{
	json_t *o = json_object();
	for (int i = 0; i < M_COUNT; i++)
		json_object_set_new(o, metric_names[i], json_integer(m[i]));
	return o;
}

static int compute(const struct ctx *c, int64_t node, json_t **out, struct err *e)
{
	json_t *info = NULL;
	int rc = tree_get(c, node, &info, e);
	if (rc)
		return rc;
	struct rollup r = {.path = arena_strdup(c->a, json_string_value(json_object_get(info, "path")))};
	r.plen = strlen(r.path);
	/* Children, sorted by id for the roll-up. */
	struct store_stmt *st;
	rc = store_prepare(
	    c->db, "SELECT id, name, kind, path FROM nodes WHERE parent_id = ? AND retired_at IS NULL ORDER BY id", &st,
	    e);
	if (rc)
		goto fail;
	store_bind(st, "i", node);
	int cap = 16;
	r.kids = arena_alloc(c->a, (size_t)cap * sizeof *r.kids);
	while ((rc = store_step(st, e)) == STORE_ROW) {
		if (r.nkids == cap) {
			struct child *n = arena_alloc(c->a, (size_t)cap * 2 * sizeof *n);
			memcpy(n, r.kids, (size_t)cap * sizeof *n);
			r.kids = n, cap *= 2;
		}
		struct child *k = &r.kids[r.nkids++];
		k->id = store_col_int(st, 0);
		k->name = arena_strdup(c->a, store_col_text(st, 1));
		k->kind = arena_strdup(c->a, store_col_text(st, 2));
	}
	store_done(st);
	if (rc < 0)
		goto fail;
	int64_t now = time_now();
	char d18[11], d35[11], d60[11], d80[11];
	years_ago(now, 18, d18), years_ago(now, 35, d35), years_ago(now, 60, d60), years_ago(now, 80, d80);
	const char *dates[] = {d18, d18, d35, d35, d60, d60, d80, d80};
	static const int pm[] = {M_RESIDENTS, M_FLOATING, M_PARTY, M_MALE,  M_FEMALE,
				 M_AGE0,      M_AGE18,    M_AGE35, M_AGE60, M_AGE80};
	rc = scan(
	    c, &r,
	    "SELECT max(node_path), count(*), sum(residence = 'floating'), "
	    "sum(political_status IN ('party_member', 'probationary_member')), sum(gender = 'M'), sum(gender = 'F'), "
	    "sum(birth_date > ?), sum(birth_date <= ? AND birth_date > ?), sum(birth_date <= ? AND birth_date > ?), "
	    "sum(birth_date <= ? AND birth_date > ?), sum(birth_date <= ?) "
	    "FROM people INDEXED BY people_stats WHERE node_path >= ? AND node_path < ? AND status = 'active' GROUP BY "
	    "node_path",
	    pm, 10, dates, 8, e);
	static const int hm[] = {M_HOUSEHOLDS, M_RENTED};
	if (rc == 0)
		rc = scan(c, &r,
			  "SELECT max(node_path), count(*), sum(tenure = 'rented') FROM households "
			  "WHERE node_path >= ? AND node_path < ? AND status = 'active' GROUP BY node_path",
			  hm, 2, NULL, 0, e);
	static const int om[] = {M_ORGS};
	if (rc == 0)
		rc = scan(c, &r,
			  "SELECT max(node_path), count(*) FROM orgs WHERE node_path >= ? AND node_path < ? AND "
			  "retired_at IS NULL GROUP BY node_id",
			  om, 1, NULL, 0, e);
	char today[21];
	time_iso(now, today);
	today[10] = 0;
	static const int rm[] = {M_ROLES};
	const char *rd[] = {today, today};
	if (rc == 0)
		rc = scan(c, &r,
			  "SELECT max(node_path), count(DISTINCT person_id) FROM roles WHERE start_date <= ? AND "
			  "(end_date IS NULL OR end_date >= ?) "
			  "AND node_path >= ? AND node_path < ? GROUP BY node_id",
			  rm, 1, rd, 2, e);
	if (rc)
		goto fail;
	/* Role holders and care tags in total, by kind. */
	json_t *roles = json_object(), *tags = json_object();
	rc = store_prepare(
	    c->db,
	    "SELECT role, count(*) FROM roles WHERE node_path >= ? AND node_path < ? AND start_date <= ? AND "
	    "(end_date IS NULL OR end_date >= ?) GROUP BY role ORDER BY role",
	    &st, e);
	if (rc == 0) {
		store_bind(st, "tttt", r.path, arena_printf(c->a, "%s~", r.path), today, today);
		while ((rc = store_step(st, e)) == STORE_ROW)
			json_object_set_new(roles, store_col_text(st, 0), json_integer(store_col_int(st, 1)));
		store_done(st);
	}
	if (rc >= 0)
		rc = store_prepare(c->db,
				   "SELECT t.tag, count(*) FROM person_tags t JOIN people p ON p.id = t.person_id "
				   "WHERE t.node_path >= ? AND t.node_path < ? AND p.status = 'active' GROUP BY t.tag "
				   "ORDER BY count(*) DESC, t.tag",
				   &st, e);
	if (rc == 0) {
		store_bind(st, "tt", r.path, arena_printf(c->a, "%s~", r.path));
		while ((rc = store_step(st, e)) == STORE_ROW)
			json_object_set_new(tags, store_col_text(st, 0), json_integer(store_col_int(st, 1)));
		store_done(st);
	}
	if (rc < 0) {
		json_decref(roles);
		json_decref(tags);
		goto fail;
	}
	/* A person holding roles at two nodes is one role holder. */
	int64_t holders = 0;
	if (store_int(c->db, e, &holders,
		      "SELECT count(DISTINCT person_id) FROM roles WHERE node_path >= ? AND node_path < ? AND "
		      "start_date <= ? "
		      "AND (end_date IS NULL OR end_date >= ?)",
		      "tttt", r.path, arena_printf(c->a, "%s~", r.path), today, today) == 0)
		r.total[M_ROLES] = holders;
	json_t *pyr = NULL;
	rc = pyramid(c, r.path, now, &pyr, e);
	if (rc) {
		json_decref(roles);
		json_decref(tags);
		goto fail;
	}
	json_t *totals = metrics_json(r.total);
	json_object_set_new(totals, "roles", roles);
	json_object_set_new(totals, "tags", tags);
	json_object_set_new(totals, "pyramid", pyr);
	json_t *children = json_array();
	for (int i = 0; i < r.nkids; i++) {
		json_t *k = metrics_json(r.kids[i].m);
		json_object_set_new(k, "id", json_integer(r.kids[i].id));
		json_object_set_new(k, "name", json_string(r.kids[i].name));
		json_object_set_new(k, "kind", json_string(r.kids[i].kind));
		json_array_append_new(children, k);
	}
	*out = json_pack("{s:o, s:o, s:o}", "node", info, "totals", totals, "children", children);
	return 0;
fail:
	json_decref(info);
	return rc;
}

/* The cached picture of node if it is still current, else NULL. */
static json_t *cache_get(const struct ctx *c, int64_t node, int64_t version, const char *day)
{
	struct store_stmt *st;
	if (store_prepare(c->db, "SELECT body FROM stats_cache WHERE node_id = ? AND version = ? AND day = ?", &st,
			  NULL))
		return NULL;
	store_bind(st, "iit", node, version, day);
	json_t *j = NULL;
	if (store_step(st, NULL) == STORE_ROW)
		j = json_loads(store_col_text(st, 0), 0, NULL);
	store_done(st);
	return j;
}

int stats_node(const struct ctx *c, int64_t node, json_t **out, struct err *e)
{
	const char *path;
	int rc = tree_path(c, node, &path, e);
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_VIEWER, e);
	if (rc)
		return rc;
	/* The cache's day also names the shape of the picture, so pictures
	 * cached by an older build without the pyramid are not served. */
	char day[32];
	time_iso(time_now(), day);
	snprintf(day + 10, sizeof day - 10, "/%d", STATS_SHAPE);
	/* Read the version and the data in one snapshot, so a picture is never
	 * stored under a version newer than the data it was computed from. */
	int64_t version = 0;
	rc = store_begin_read(c->db, e);
	if (rc == 0)
		rc = store_int(c->db, e, &version, "SELECT value FROM counters WHERE name = 'registry'", "");
	if (rc == 0 && (*out = cache_get(c, node, version, day)) != NULL) {
		store_rollback(c->db);
		return 0;
	}
	if (rc == 0)
		rc = compute(c, node, out, e);
	store_rollback(c->db);
	if (rc)
		return rc;
	/* Caching is an optimisation: a busy database just skips it. */
	char *body = json_dumps(*out, JSON_COMPACT);
	store_run(c->db, NULL,
		  "INSERT INTO stats_cache (node_id, version, day, body) VALUES (?, ?, ?, ?) ON CONFLICT (node_id) "
		  "DO UPDATE SET version = excluded.version, day = excluded.day, body = excluded.body",
		  "iitt", node, version, day, body);
	free(body);
	return 0;
}
