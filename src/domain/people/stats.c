/*
 * stats.c — subtree statistics from the kept figures.
 *
 * Counts are the figures of the node and of each child (figures.h: every
 * node's figures are its subtree's totals, kept by the writes). Ages are
 * counted at today's date from births kept by year and by month: those
 * born on or before a date D in year Y and month M are the births of the
 * years before Y, of Y's months before M, and the people born from the
 * first of M to D, read from an index on birth dates (one range of at
 * most a month per age boundary, over the whole subtree at once: the rows
 * are attributed to the children by their paths). Role holders are the
 * people holding a current term, read from the subtree's roles.
 */
#include "domain/people/stats.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "domain/places/tree.h"
#include "store/store.h"

#define ACTIVE     "$.status = 'active'"
#define BIRTH_COLS "node_id,status,birth_date,gender"
#define PEOPLE     .table = "people", .node = "$.node_id"
#define HOUSEHOLDS .table = "households", .node = "$.node_id"
const struct figure_def stats_figures[] = {
    {.name = "residents", PEOPLE, .when = ACTIVE, .cols = "node_id,status"},
    {.name = "floating", PEOPLE, .when = ACTIVE " AND $.residence = 'floating'", .cols = "node_id,status,residence"},
    {.name = "party_members",
     PEOPLE,
     .when = ACTIVE " AND $.political_status IN ('party_member', 'probationary_member')",
     .cols = "node_id,status,political_status"},
    /* Keys "YYYY|G" and "YYYY-MM|G" (G: M, F or empty); "|G" without a
     * birth date. */
    {.name = "born_y",
     PEOPLE,
     .when = ACTIVE,
     .key = "coalesce(substr($.birth_date, 1, 4), '') || '|' || coalesce($.gender, '')",
     .cols = BIRTH_COLS},
    {.name = "born_m",
     PEOPLE,
     .when = ACTIVE,
     .key = "coalesce(substr($.birth_date, 1, 7), '') || '|' || coalesce($.gender, '')",
     .cols = BIRTH_COLS},
    /* A tag counts while its person is an active resident, where the
     * person lives. */
    {.name = "tags",
     .table = "person_tags",
     .node = "@.node_id",
     .when = "@.status = 'active'",
     .key = "$.tag",
     .cols = "person_id,tag",
     .parent = "people",
     .parent_id = "id",
     .parent_fk = "person_id",
     .pcols = "node_id,status"},
    {.name = "households", HOUSEHOLDS, .when = ACTIVE, .cols = "node_id,status"},
    {.name = "rented_households",
     HOUSEHOLDS,
     .when = ACTIVE " AND $.tenure = 'rented'",
     .cols = "node_id,status,tenure"},
    {.name = "orgs",
     .table = "orgs",
     .node = "$.node_id",
     .when = "$.retired_at IS NULL",
     .cols = "node_id,retired_at"},
    {0}};

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
/* The metrics read straight from a figure, and its name. */
static const struct {
	int metric;
	const char *figure;
} plain[] = {{M_RESIDENTS, "residents"},      {M_HOUSEHOLDS, "households"}, {M_FLOATING, "floating"},
	     {M_RENTED, "rented_households"}, {M_PARTY, "party_members"},   {M_ORGS, "orgs"}};

enum { G_MALE, G_FEMALE, G_UNKNOWN, G_COUNT };
static const char *const gender_names[G_COUNT] = {"male", "female", "unknown"};

/* The ages whose boundaries are counted: the pyramid's bands (10 … 80)
 * for the node, the age metrics' (18, 35, 60, 80) for it and each child. */
static const int cut_age[] = {10, 18, 20, 30, 35, 40, 50, 60, 70, 80};
#define NCUT ((int)(sizeof cut_age / sizeof *cut_age))
/* The age metrics' lower bounds after age_0_17: 18, 35, 60, 80. */
static const int metric_age[] = {18, 35, 60, 80};
#define NMETRIC_AGE ((int)(sizeof metric_age / sizeof *metric_age))

/* The index in cut_age of age (which is there). */
static int cut_of(int age)
{
	int k = 0;
	while (k < NCUT - 1 && cut_age[k] != age)
		k++;
	return k;
}

static bool metric_cut(int k)
{
	for (int i = 0; i < NMETRIC_AGE; i++)
		if (cut_age[k] == metric_age[i])
			return true;
	return false;
}

/* The node (place 0) or one of its children. */
struct place {
	int64_t id;
	const char *name, *kind;
	int64_t m[M_COUNT];
	struct figure *born; /* born_y, in key order */
	int nborn;
	int64_t part[NCUT][G_COUNT]; /* born from the boundary month's first to the boundary */
	int64_t le[NCUT][G_COUNT];   /* born on or before the boundary */
	int64_t dated[G_COUNT];      /* with a birth date */
	int64_t undated[G_COUNT];
};

struct picture {
	const char *path;
	size_t plen;
	struct place *p; /* p[0]: the node; then its children by id */
	int n;
	char cut[NCUT][11];
};

static int gender_of(const char *key)
{
	const char *bar = strchr(key, '|');
	if (!bar)
		return G_UNKNOWN;
	return !strcmp(bar + 1, "M") ? G_MALE : !strcmp(bar + 1, "F") ? G_FEMALE : G_UNKNOWN;
}

/* The place a path lies in: a child (binary search by id) or the node. */
static struct place *place_of(struct picture *pc, const char *path)
{
	if (strlen(path) <= pc->plen)
		return &pc->p[0];
	int64_t id = strtoll(path + pc->plen, NULL, 10);
	int lo = 1, hi = pc->n - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (pc->p[mid].id == id)
			return &pc->p[mid];
		if (pc->p[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return &pc->p[0];
}

static void years_ago(int64_t now, int years, char out[11])
{
	char iso[21];
	time_iso(now, iso);
	snprintf(out, 11, "%04u%.6s", (unsigned)(time_year(now) - years) % 10000u, iso + 4);
}

/* People born from the first of the boundary's month to the boundary,
 * over the subtree, by place and gender. */
static int boundary_months(const struct ctx *c, struct picture *pc, struct err *e)
{
	const char *end = arena_printf(c->a, "%s~", pc->path);
	int rc = 0;
	for (int k = 0; k < NCUT && rc == 0; k++) {
		struct store_stmt *st;
		rc = store_prepare(
		    c->db,
		    "SELECT node_path, gender, count(*) FROM people INDEXED BY people_birth WHERE status = "
		    "'active' AND birth_date >= ? AND birth_date <= ? AND node_path >= ? AND node_path < ? "
		    "GROUP BY node_path, gender",
		    &st, e);
		if (rc)
			return rc;
		store_bind(st, "tttt", arena_printf(c->a, "%.8s01", pc->cut[k]), pc->cut[k], pc->path, end);
		while ((rc = store_step(st, e)) == STORE_ROW) {
			const char *g = store_col_text(st, 1);
			int gi = g && !strcmp(g, "M") ? G_MALE : g && !strcmp(g, "F") ? G_FEMALE : G_UNKNOWN;
			int64_t n = store_col_int(st, 2);
			struct place *p = place_of(pc, store_col_text(st, 0));
			if (p != &pc->p[0])
				p->part[k][gi] += n;
			pc->p[0].part[k][gi] += n;
		}
		store_done(st);
		rc = rc < 0 ? rc : 0;
	}
	return rc;
}

/* A place's figures and its counts at each boundary it needs. */
static int place_figures(const struct ctx *c, struct picture *pc, struct place *p, bool node, struct err *e)
{
	int rc = 0;
	for (size_t i = 0; i < sizeof plain / sizeof *plain && rc == 0; i++)
		rc = figures_sum(c, p->id, plain[i].figure, &p->m[plain[i].metric], e);
	if (rc == 0)
		rc = figures_get(c, p->id, "born_y", NULL, NULL, &p->born, &p->nborn, e);
	for (int i = 0; rc == 0 && i < p->nborn; i++) {
		int g = gender_of(p->born[i].key);
		if (p->born[i].key[0] == '|')
			p->undated[g] += p->born[i].value;
		else
			p->dated[g] += p->born[i].value;
		p->m[g == G_MALE ? M_MALE : M_FEMALE] += g == G_UNKNOWN ? 0 : p->born[i].value;
	}
	for (int k = 0; rc == 0 && k < NCUT; k++) {
		if (!node && !metric_cut(k))
			continue;
		const char *cut = pc->cut[k];
		for (int i = 0; i < p->nborn; i++)
			if (p->born[i].key[0] != '|' && strncmp(p->born[i].key, cut, 4) < 0)
				p->le[k][gender_of(p->born[i].key)] += p->born[i].value;
		struct figure *mon;
		int nmon;
		rc = figures_get(c, p->id, "born_m", arena_printf(c->a, "%.4s-01", cut), arena_strndup(c->a, cut, 7),
				 &mon, &nmon, e);
		for (int i = 0; rc == 0 && i < nmon; i++)
			p->le[k][gender_of(mon[i].key)] += mon[i].value;
		for (int g = 0; g < G_COUNT; g++)
			p->le[k][g] += p->part[k][g];
	}
	if (rc)
		return rc;
	/* The age metrics: differences of the counts at the boundaries. */
	int64_t le[NCUT], dated = p->dated[0] + p->dated[1] + p->dated[2];
	for (int k = 0; k < NCUT; k++)
		le[k] = p->le[k][0] + p->le[k][1] + p->le[k][2];
	/* M_AGE0 … M_AGE80 are consecutive: band i is from metric_age[i-1]
	 * (0 for the first) to metric_age[i]. */
	int64_t above = dated;
	for (int i = 0; i < NMETRIC_AGE; i++) {
		int64_t at_least = le[cut_of(metric_age[i])];
		p->m[M_AGE0 + i] = above - at_least;
		above = at_least;
	}
	p->m[M_AGE80] = above;
	return 0;
}

/* 0-9, 10-19, ..., 70-79, 80+. */
#define PYRAMID_BANDS 9

/*
 * Active residents of the subtree by 10-year age band and gender:
 * {"bands": [{"band": "0-9", "age_min": 0, "age_max": 9, "male", "female",
 * "unknown"}, ..., {"band": "80+", "age_min": 80, "age_max": null, ...}],
 * "no_birth_date": {"male", "female", "unknown"}}. Ages are whole years on
 * the day of now, as the age metrics count them: someone is n on their n-th
 * birthday.
 */
static json_t *pyramid(const struct ctx *c, const struct place *p)
{
	/* at_least[b][g]: at least b * 10 years old (b = 0: everyone dated). */
	int64_t at_least[PYRAMID_BANDS + 1][G_COUNT] = {{0}};
	for (int g = 0; g < G_COUNT; g++) {
		at_least[0][g] = p->dated[g];
		for (int k = 0; k < NCUT; k++)
			if (cut_age[k] % 10 == 0)
				at_least[cut_age[k] / 10][g] = p->le[k][g];
	}
	json_t *bands = json_array();
	for (int b = 0; b < PYRAMID_BANDS; b++) {
		bool last = b == PYRAMID_BANDS - 1;
		json_t *o = json_object();
		json_object_set_new(o, "band",
				    json_string(last ? arena_printf(c->a, "%d+", b * 10)
						     : arena_printf(c->a, "%d-%d", b * 10, b * 10 + 9)));
		json_object_set_new(o, "age_min", json_integer((json_int_t)b * 10));
		json_object_set_new(o, "age_max", last ? json_null() : json_integer((json_int_t)b * 10 + 9));
		for (int g = 0; g < G_COUNT; g++)
			json_object_set_new(o, gender_names[g],
					    json_integer(at_least[b][g] - (last ? 0 : at_least[b + 1][g])));
		json_array_append_new(bands, o);
	}
	json_t *none = json_object();
	for (int g = 0; g < G_COUNT; g++)
		json_object_set_new(none, gender_names[g], json_integer(p->undated[g]));
	return json_pack("{s:o, s:o}", "bands", bands, "no_birth_date", none);
}

static json_t *metrics_json(const int64_t *m)
{
	json_t *o = json_object();
	for (int i = 0; i < M_COUNT; i++)
		json_object_set_new(o, metric_names[i], json_integer(m[i]));
	return o;
}

static int tag_cmp(const void *a, const void *b)
{
	const struct figure *x = a, *y = b;
	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Care tags in total, most frequent first. */
static int tags_json(const struct ctx *c, int64_t node, json_t **out, struct err *e)
{
	struct figure *t;
	int n;
	int rc = figures_get(c, node, "tags", NULL, NULL, &t, &n, e);
	if (rc)
		return rc;
	if (n > 1)
		qsort(t, (size_t)n, sizeof *t, tag_cmp);
	*out = json_object();
	for (int i = 0; i < n; i++)
		if (t[i].value)
			json_object_set_new(*out, t[i].key, json_integer(t[i].value));
	return 0;
}

/* Role holders (people with a current term; one person with two terms is
 * one holder) in total and per child, and terms by role in total. */
static int roles(const struct ctx *c, struct picture *pc, const char *today, json_t **by_role, struct err *e)
{
	const char *end = arena_printf(c->a, "%s~", pc->path);
	struct store_stmt *st;
	int rc =
	    store_prepare(c->db,
			  "SELECT max(node_path), count(DISTINCT person_id) FROM roles WHERE start_date <= ? AND "
			  "(end_date IS NULL OR end_date >= ?) AND node_path >= ? AND node_path < ? GROUP BY node_id",
			  &st, e);
	if (rc)
		return rc;
	store_bind(st, "tttt", today, today, pc->path, end);
	while ((rc = store_step(st, e)) == STORE_ROW) {
		struct place *p = place_of(pc, store_col_text(st, 0));
		if (p != &pc->p[0])
			p->m[M_ROLES] += store_col_int(st, 1);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	if ((rc = store_int(c->db, e, &pc->p[0].m[M_ROLES],
			    "SELECT count(DISTINCT person_id) FROM roles WHERE node_path >= ? AND node_path < ? AND "
			    "start_date <= ? AND (end_date IS NULL OR end_date >= ?)",
			    "tttt", pc->path, end, today, today)))
		return rc;
	*by_role = json_object();
	rc =
	    store_prepare(c->db,
			  "SELECT role, count(*) FROM roles WHERE node_path >= ? AND node_path < ? AND start_date <= ? "
			  "AND (end_date IS NULL OR end_date >= ?) GROUP BY role ORDER BY role",
			  &st, e);
	if (rc == 0) {
		store_bind(st, "tttt", pc->path, end, today, today);
		while ((rc = store_step(st, e)) == STORE_ROW)
			json_object_set_new(*by_role, store_col_text(st, 0), json_integer(store_col_int(st, 1)));
		store_done(st);
	}
	return rc < 0 ? rc : 0;
}

static int compute(const struct ctx *c, int64_t node, json_t **out, struct err *e)
{
	json_t *info = NULL;
	int rc = tree_get(c, node, &info, e);
	if (rc)
		return rc;
	struct picture pc = {.path = arena_strdup(c->a, json_string_value(json_object_get(info, "path")))};
	pc.plen = strlen(pc.path);
	/* The node, then its children by id. */
	struct store_stmt *st;
	rc = store_prepare(
	    c->db, "SELECT id, name, kind FROM nodes WHERE parent_id = ? AND retired_at IS NULL ORDER BY id", &st, e);
	if (rc)
		goto fail;
	store_bind(st, "i", node);
	int cap = 16;
	pc.p = arena_alloc(c->a, (size_t)cap * sizeof *pc.p);
	memset(&pc.p[0], 0, sizeof pc.p[0]);
	pc.p[0].id = node;
	pc.n = 1;
	while ((rc = store_step(st, e)) == STORE_ROW) {
		if (pc.n == cap) {
			struct place *n = arena_alloc(c->a, (size_t)cap * 2 * sizeof *n);
			memcpy(n, pc.p, (size_t)cap * sizeof *n);
			pc.p = n, cap *= 2;
		}
		struct place *k = &pc.p[pc.n++];
		memset(k, 0, sizeof *k);
		k->id = store_col_int(st, 0);
		k->name = arena_strdup(c->a, store_col_text(st, 1));
		k->kind = arena_strdup(c->a, store_col_text(st, 2));
	}
	store_done(st);
	if (rc < 0)
		goto fail;
	int64_t now = time_now();
	for (int k = 0; k < NCUT; k++)
		years_ago(now, cut_age[k], pc.cut[k]);
	char today[21];
	time_iso(now, today);
	today[10] = 0;
	json_t *by_role = NULL, *tags = NULL;
	rc = boundary_months(c, &pc, e);
	for (int i = 0; rc == 0 && i < pc.n; i++)
		rc = place_figures(c, &pc, &pc.p[i], i == 0, e);
	if (rc == 0)
		rc = roles(c, &pc, today, &by_role, e);
	if (rc == 0)
		rc = tags_json(c, node, &tags, e);
	if (rc) {
		json_decref(by_role);
		goto fail;
	}
	json_t *totals = metrics_json(pc.p[0].m);
	json_object_set_new(totals, "roles", by_role);
	json_object_set_new(totals, "tags", tags);
	json_object_set_new(totals, "pyramid", pyramid(c, &pc.p[0]));
	json_t *children = json_array();
	for (int i = 1; i < pc.n; i++) {
		json_t *k = metrics_json(pc.p[i].m);
		json_object_set_new(k, "id", json_integer(pc.p[i].id));
		json_object_set_new(k, "name", json_string(pc.p[i].name));
		json_object_set_new(k, "kind", json_string(pc.p[i].kind));
		json_array_append_new(children, k);
	}
	*out = json_pack("{s:o, s:o, s:o}", "node", info, "totals", totals, "children", children);
	return 0;
fail:
	json_decref(info);
	return rc;
}

int stats_node(const struct ctx *c, int64_t node, json_t **out, struct err *e)
{
	const char *path;
	int rc = tree_path(c, node, &path, e);
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_VIEWER, e);
	if (rc)
		return rc;
	/* One snapshot: the figures and the rows read beside them agree. */
	rc = store_begin_read(c->db, e);
	if (rc == 0)
		rc = compute(c, node, out, e);
	store_rollback(c->db);
	return rc;
}
