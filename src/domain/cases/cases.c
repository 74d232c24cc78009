/*
 * cases.c — creating, routing, reading and listing cases.
 *
 * Reading rules: handlers (see case_can_handle) and staff with viewer
 * access above the case see everything but unrevealed personal data; the
 * reporter sees their own case; an organisation sees the cases handed to
 * it; anyone logged in sees a case made public, without personal data.
 */
#include "domain/cases/cases.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textsearch.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "domain/core/audit.h"
#include "domain/cases/case_internal.h"
#include "domain/core/pii.h"
#include "domain/core/page.h"
#include "domain/core/rows.h"
#include "domain/places/tree.h"
#include "store/store.h"

int case_load_core(const struct ctx *c, int64_t id, struct case_core *k, struct err *e)
{
	*k = (struct case_core){0};
	struct store_stmt *st;
	int rc = store_prepare(
	    c->db,
	    "SELECT id, node_id, origin_node_id, coalesce(reporter_user_id, 0), coalesce(merged_into, 0), "
	    "escalations, reopened, kind, category, status, node_path, resolve_due, paused_at, "
	    "first_response_at, title, is_public, anonymous, origin_path, coalesce(recorded_by, 0), "
	    "coalesce((SELECT path FROM nodes WHERE nodes.id = cases.place_node_id), '') FROM cases WHERE id = ?",
	    &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	rc = store_step(st, e);
	if (rc == STORE_ROW) {
		k->id = store_col_int(st, 0);
		k->node_id = store_col_int(st, 1);
		k->origin_node_id = store_col_int(st, 2);
		k->reporter_user_id = store_col_int(st, 3);
		k->merged_into = store_col_int(st, 4);
		k->escalations = store_col_int(st, 5);
		k->reopened = store_col_int(st, 6);
		const char **t[] = {&k->kind,      &k->category,          &k->status, &k->node_path, &k->resolve_due,
				    &k->paused_at, &k->first_response_at, &k->title};
		for (int i = 0; i < 8; i++)
			*t[i] = store_col_null(st, 7 + i) ? NULL : arena_strdup(c->a, store_col_text(st, 7 + i));
		k->is_public = store_col_int(st, 15) != 0;
		k->anonymous = store_col_int(st, 16) != 0;
		k->origin_path = arena_strdup(c->a, store_col_text(st, 17));
		k->recorded_by = store_col_int(st, 18);
		k->place_path = arena_strdup(c->a, store_col_text(st, 19));
		k->def = case_kind_find(k->kind);
	}
	store_done(st);
	if (rc == STORE_DONE)
		return err_set(e, ERR_NOT_FOUND, NULL, "诉求%lld不存在 / request %lld not found", (long long)id,
			       (long long)id);
	if (rc == STORE_ROW && !k->def)
		return err_set(e, ERR_INTERNAL, NULL, "case %lld is of an unknown kind %s", (long long)id, k->kind);
	return rc < 0 ? rc : 0;
}

/* Does the actor hold a current civic role at this node? */
static bool holds_role_at(const struct ctx *c, int64_t node)
{
	if (!c->who || !c->who->person_id)
		return false;
	int64_t n = 0;
	const char *today = rows_today(c);
	store_int(c->db, NULL, &n,
		  "SELECT count(*) FROM roles WHERE node_id = ? AND person_id = ? AND start_date <= ? AND "
		  "(end_date IS NULL OR end_date >= ?)",
		  "iitt", node, c->who->person_id, today, today);
	return n > 0;
}

bool case_org_assigned(const struct ctx *c, const struct case_core *k)
{
	if (!c->who || !c->who->org_id)
		return false;
	int64_t n = 0;
	store_int(c->db, NULL, &n, "SELECT count(*) FROM case_orgs WHERE case_id = ? AND org_id = ?", "ii", k->id,
		  c->who->org_id);
	return n > 0;
}

bool case_can_handle(const struct ctx *c, const struct case_core *k)
{
	if (!c->who)
		return false;
	if (c->who->user_id == 0 && c->who->is_admin)
		return true; /* the system: clocks, CLI */
	return authz_access(c->who, k->node_path) >= ACC_WORKER || holds_role_at(c, k->node_id);
}

bool case_is_reporter(const struct ctx *c, const struct case_core *k)
{
	return c->who && c->who->user_id && k->reporter_user_id == c->who->user_id;
}

/* How much of a case the actor may see. */
enum view { VIEW_NONE, VIEW_PUBLIC, VIEW_REPORTER, VIEW_ORG, VIEW_STAFF };

static enum view case_view(const struct ctx *c, const struct case_core *k)
{
	if (case_can_handle(c, k) || authz_access(c->who, k->node_path) >= ACC_VIEWER)
		return VIEW_STAFF;
	/* 反馈跟踪: those who serve where it started or was reported, and whoever
	 * recorded it, keep following it after it moved up (read-only). */
	if (c->who && c->who->user_id > 0 &&
	    (authz_access(c->who, k->origin_path) >= ACC_VIEWER || authz_access(c->who, k->place_path) >= ACC_VIEWER ||
	     k->recorded_by == c->who->user_id))
		return VIEW_STAFF;
	if (case_is_reporter(c, k))
		return VIEW_REPORTER;
	if (case_org_assigned(c, k))
		return VIEW_ORG;
	if (k->is_public && (k->def->read & READ_PUBLISHED) && c->who)
		return VIEW_PUBLIC;
	return VIEW_NONE;
}

/* Splits the create input into the engine's fields and the kind's own
 * (its side entity), validating each against its table; null counts as
 * not given. The caller's object is left as it was. */
static int split_input(const struct case_kind *kind, json_t *in, json_t **core, json_t **side, struct err *e)
{
	*core = json_deep_copy(in);
	*side = json_object();
	const char *key;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(*core, tmp, key, v)
	{
		if (json_is_null(v))
			json_object_del(*core, key);
		else if (kind->side && fields_find(kind->side, key)) {
			json_object_set(*side, key, v);
			json_object_del(*core, key);
		}
	}
	int rc = fields_validate(&ENT_CASE, *core, true, e);
	if (rc == 0 && kind->side)
		rc = fields_validate(kind->side, *side, true, e);
	return rc;
}

/* Who may report at place, and for whom: residents within their own
 * community and for themselves; staff, heads and integrations within their
 * own area, for a resident of it. */
static int check_reporter(const struct ctx *c, const struct case_draft *d, const char *place_path, json_t *core,
			  int64_t *reporter, struct err *e)
{
	const struct actor *who = c->who;
	json_t *rp = json_object_get(core, "reporter_person_id");
	if (d->resident) {
		int64_t home_comm = 0, place_comm = 0, hnode = 0;
		store_int(c->db, NULL, &home_comm, "SELECT coalesce(community_id, 0) FROM households WHERE id = ?", "i",
			  who->household_id);
		store_int(c->db, NULL, &place_comm, "SELECT coalesce(community_id, 0) FROM nodes WHERE id = ?", "i",
			  d->place);
		const char *home_path = NULL;
		if (who->household_id) {
			store_int(c->db, NULL, &hnode, "SELECT node_id FROM households WHERE id = ?", "i",
				  who->household_id);
			tree_path(c, hnode, &home_path, NULL);
		}
		bool ancestor = home_path && !strncmp(home_path, place_path, strlen(place_path));
		if (!who->household_id || (!ancestor && (!home_comm || home_comm != place_comm)))
			return err_set(e, ERR_FORBIDDEN, "place_node_id",
				       "只能反映本社区的问题 / you can report within your own community only");
		if (rp || json_object_get(core, "reporter_name") || json_object_get(core, "reporter_phone"))
			return err_set(e, ERR_INVALID, rp ? "reporter_person_id" : "reporter_name",
				       "居民本人上报不需填写代报信息 / residents report for themselves");
		*reporter = who->person_id;
		return 0;
	}
	if (authz_access(who, place_path) < ACC_VIEWER && !holds_role_at(c, d->place))
		return err_set(e, ERR_FORBIDDEN, "place_node_id",
			       "位置不在您的辖区内 / the place is outside your area");
	*reporter = rp ? json_integer_value(rp) : 0;
	if (*reporter) {
		const char *ppath = NULL;
		struct store_stmt *st;
		int rc = store_prepare(c->db, "SELECT node_path FROM people WHERE id = ?", &st, e);
		if (rc)
			return rc;
		store_bind(st, "i", *reporter);
		if (store_step(st, NULL) == STORE_ROW)
			ppath = arena_strdup(c->a, store_col_text(st, 0));
		store_done(st);
		if (!ppath || authz_access(who, ppath) < ACC_VIEWER)
			return err_set(e, ERR_INVALID, "reporter_person_id",
				       "反映人不在您的辖区 / reporter not found in your area");
	}
	return 0;
}

/* Writes the new case and its side row, lands it, indexes and audits it:
 * one transaction. */
static int insert_case(const struct ctx *c, const struct case_kind *kind, json_t *core, json_t *side,
		       json_t *side_internal, json_t *internal, int64_t node, int64_t *id, struct err *e)
{
	int rc = store_begin(c->db, e);
	if (rc)
		return rc;
	rc = fields_write(c, &ENT_CASE, core, internal, 0, id, e);
	if (rc == 0 && kind->side) {
		json_object_set_new(side_internal, "case_id", json_integer(*id));
		rc = fields_write(c, kind->side, side, side_internal, 0, NULL, e);
	}
	struct case_core k;
	if (rc == 0)
		rc = case_load_core(c, *id, &k, e);
	if (rc == 0)
		rc = case_land(c, &k, node, time_now(), e);
	if (rc == 0)
		rc = store_run(c->db, e, "UPDATE cases SET origin_path = node_path WHERE id = ?", "i", *id);
	if (rc == 0)
		rc = case_load_core(c, *id, &k, e); /* now with its place in the tree */
	if (rc == 0)
		rc = case_event(c, &k, "reported", k.status, node, 0, NULL, true, e);
	if (rc == 0) {
		const char *address = json_string_value(json_object_get(core, "address"));
		const char *text =
		    arena_printf(c->a, "%s %s %s", json_string_value(json_object_get(internal, "title")),
				 json_string_value(json_object_get(core, "description")), address ? address : "");
		rc = store_run(c->db, e, "INSERT INTO cases_fts (rowid, text) VALUES (?, ?)", "it", *id,
			       ts_index_text(c->a, text));
	}
	if (rc == 0) {
		/* What it is and where it went; personal data stays out of the log. */
		json_t *snap =
		    json_pack("{s:O, s:I}", "category", json_object_get(core, "category"), "node_id", (json_int_t)node);
		json_object_update(snap, side);
		rc = audit_log(c, "create", "case", *id, NULL, snap, e);
		json_decref(snap);
	}
	return txn_finish(c, rc, e);
}

int case_create(const struct ctx *c, const struct case_kind *kind, json_t *in, json_t **out, struct err *e)
{
	if (!json_is_object(in))
		return err_set(e, ERR_INVALID, NULL, "请求体应为JSON对象 / body must be a JSON object");
	json_t *core = NULL, *side = NULL, *internal = json_object(), *side_internal = json_object();
	int rc = split_input(kind, in, &core, &side, e);
	const char *category = json_string_value(json_object_get(core, "category"));
	int64_t level = 0, active = 0;
	if (rc == 0 &&
	    (store_int(c->db, NULL, &level, "SELECT level FROM categories WHERE code = ? AND kind = ?", "tt", category,
		       kind->code) ||
	     (store_int(c->db, NULL, &active, "SELECT active FROM categories WHERE code = ?", "t", category), !active)))
		rc = err_set(e, ERR_INVALID, "category", "未知的类别“%s” / unknown category '%s'", category, category);
	bool has_lat = json_object_get(core, "lat") != NULL, has_lng = json_object_get(core, "lng") != NULL;
	if (rc == 0 && has_lat != has_lng)
		rc = err_set(e, ERR_INVALID, has_lat ? "lng" : "lat",
			     "坐标需成对填写（纬度和经度） / give both coordinates (lat and lng)");
	const struct actor *who = c->who;
	struct case_draft d = {.resident = who && !who->is_admin && who->ngrants == 0 && !who->org_id,
			       .place_given = json_object_get(core, "place_node_id") != NULL};
	d.place = d.place_given ? json_integer_value(json_object_get(core, "place_node_id")) : 0;
	/* Residents report from home by default; staff name the place. */
	if (rc == 0 && !d.place && d.resident && who->household_id)
		store_int(c->db, NULL, &d.place, "SELECT node_id FROM households WHERE id = ?", "i", who->household_id);
	if (rc == 0 && !d.place)
		rc = err_set(e, ERR_INVALID, "place_node_id", "请选择问题所在位置 / place_node_id is required");
	const char *place_path = NULL;
	if (rc == 0 && (rc = tree_path(c, d.place, &place_path, e)) == ERR_NOT_FOUND)
		rc = err_set(e, ERR_INVALID, "place_node_id", "位置不存在 / no such place");
	if (rc == 0 && kind->create_check)
		rc = kind->create_check(c, side, side_internal, &d, e);
	int64_t reporter = 0, node = 0;
	if (rc == 0)
		rc = check_reporter(c, &d, place_path, core, &reporter, e);
	if (rc == 0)
		rc = kind->land_at ? kind->land_at(c, d.place, (int)level, &node, e)
				   : case_route(c, d.place, (int)level, &node, e);
	if (rc == 0) {
		const char *title = json_string_value(json_object_get(core, "title"));
		if (!title) {
			/* A title from the first characters of the description. */
			const char *desc = json_string_value(json_object_get(core, "description")), *p = desc;
			for (int i = 0; i < 30 && *p; i++)
				utf8_next(&p);
			title = arena_strndup(c->a, desc, (size_t)(p - desc));
		}
		const char *now = rows_now(c);
		json_object_set_new(internal, "title", json_string(title));
		json_object_set_new(internal, "kind", json_string(kind->code));
		json_object_set_new(internal, "status", json_string(kind->states[0].code));
		json_object_set_new(internal, "phase", json_string(case_phase_name(kind->states[0].phase)));
		json_object_set_new(internal, "place_node_id", json_integer(d.place));
		json_object_set_new(internal, "reporter_person_id", reporter ? json_integer(reporter) : json_null());
		json_object_set_new(internal, "reporter_user_id",
				    d.resident && who && who->user_id ? json_integer(who->user_id) : json_null());
		json_object_set_new(internal, "recorded_by",
				    !d.resident && who && who->user_id ? json_integer(who->user_id) : json_null());
		const char *const placed[] = {"node_id", "origin_node_id"}, *const paths[] = {"node_path",
											      "origin_path"};
		for (int i = 0; i < 2; i++) {
			json_object_set_new(internal, placed[i], json_integer(node));
			json_object_set_new(internal, paths[i], json_string(""));
		}
		const char *const times[] = {"landed_at", "respond_due", "resolve_due", "created_at", "updated_at"};
		for (size_t i = 0; i < sizeof times / sizeof *times; i++)
			json_object_set_new(internal, times[i], json_string(now));
	}
	int64_t id = 0;
	if (rc == 0)
		rc = insert_case(c, kind, core, side, side_internal, internal, node, &id, e);
	if (rc == 0)
		rc = case_get(c, id, out, e);
	if (rc == 0 && kind->side)
		/* Secrets the kind set are given back this once (an Open311 token). */
		for (int i = 0; i < kind->side->n; i++) {
			const struct field *f = &kind->side->f[i];
			json_t *v = json_object_get(side_internal, f->name);
			if ((f->flags & FF_SECRET) && v)
				json_object_set(*out, f->name, v);
		}
	json_decref(core);
	json_decref(side);
	json_decref(internal);
	json_decref(side_internal);
	return rc;
}

/* A case's columns: the engine's fields, the kind's own (side table), and
 * these, joined or kept by the engine (X_* below are their places). */
static const char CASE_EXTRA[] = "cat.name_zh, cat.name_en, pn.name, n.name, rp.name, cases.paused_at, "
				 "cases.level_responded_at";
enum { X_CAT_ZH, X_CAT_EN, X_PLACE, X_NODE, X_PERSON, X_PAUSED, X_LEVEL_RESPONDED };

/* SELECT … FROM … for cases of one kind: the same text for every call, so
 * it is built once per kind (lists and reads run it on every request). */
static struct arena select_arena;
static const char *select_cols[16], *select_joins[16];
static pthread_once_t select_once = PTHREAD_ONCE_INIT;

static void build_selects(void)
{
	arena_init(&select_arena);
	struct arena *a = &select_arena;
	for (int i = 0; i < 16 && case_kinds[i]; i++) {
		const struct entity *side = case_kinds[i]->side;
		select_cols[i] = arena_printf(a, "%s%s%s, %s", fields_select(&ENT_CASE, a), side ? ", " : "",
					      side ? fields_select(side, a) : "", CASE_EXTRA);
		select_joins[i] = arena_printf(
		    a,
		    " JOIN categories cat ON cat.code = cases.category "
		    "JOIN nodes n ON n.id = cases.node_id LEFT JOIN nodes pn ON pn.id = cases.place_node_id "
		    "LEFT JOIN people rp ON rp.id = cases.reporter_person_id %s ",
		    side ? arena_printf(a, "LEFT JOIN %s ON %s.case_id = cases.id", side->table, side->table) : "");
	}
}

/* The columns of a case read, and FROM `from` (cases, or the table a list
 * walks joined to it) with the joins every case read has. */
static int kind_index(const struct case_kind *kind)
{
	pthread_once(&select_once, build_selects);
	for (int i = 0; i < 16 && case_kinds[i]; i++)
		if (case_kinds[i] == kind)
			return i;
	return -1;
}

static const char *case_cols(const struct case_kind *kind)
{
	int i = kind_index(kind);
	return i < 0 ? "NULL /* unregistered kind */" : select_cols[i];
}

static const char *case_from(const struct ctx *c, const struct case_kind *kind, const char *from)
{
	int i = kind_index(kind);
	return arena_printf(c->a, "%s%s", from, i < 0 ? "" : select_joins[i]);
}

static const char *col_text_or_null(struct store_stmt *st, int i)
{
	return store_col_null(st, i) ? NULL : store_col_text(st, i);
}

static json_t *col_json(struct store_stmt *st, int i)
{
	return store_col_null(st, i) ? json_null() : json_string(store_col_text(st, i));
}

/* A case row as JSON (the field tables read it), trimmed to what the view
 * may see. */
static json_t *case_row(const struct ctx *c, struct store_stmt *st, const struct case_kind *kind, enum view view)
{
	json_t *o = fields_row(&ENT_CASE, st, 0, c, false);
	int x = ENT_CASE.n;
	if (kind->side) {
		json_t *side = fields_row(kind->side, st, x, c, false);
		json_object_update(o, side);
		json_decref(side);
		x += kind->side->n;
	}
	json_object_set_new(o, "category_name", json_string(store_col_text(st, x + X_CAT_ZH)));
	json_object_set_new(o, "category_name_en", json_string(store_col_text(st, x + X_CAT_EN)));
	json_object_set_new(o, "place_name", col_json(st, x + X_PLACE));
	json_object_set_new(o, "node_name", json_string(store_col_text(st, x + X_NODE)));
	/* Who reported it: hidden when anonymous (except from the reporter) and
	 * in public views. */
	bool anonymous = json_is_true(json_object_get(o, "anonymous"));
	bool show = view == VIEW_REPORTER || (view == VIEW_STAFF && !anonymous);
	const char *name = json_string_value(json_object_get(o, "reporter_name"));
	if (!name)
		name = col_text_or_null(st, x + X_PERSON);
	json_object_set_new(o, "reporter_name", show && name ? json_string(name) : json_null());
	if (!show)
		json_object_set_new(o, "reporter_phone", json_null());
	if (view != VIEW_STAFF || anonymous)
		json_object_del(o, "reporter_person_id");
	if (view == VIEW_PUBLIC) {
		json_object_del(o, "address");
		json_object_del(o, "lat");
		json_object_del(o, "lng");
	}
	/* Due state for inboxes: open cases past or near their limit. */
	const char *phase = json_string_value(json_object_get(o, "phase"));
	char now[21], soon[21];
	time_iso(time_now(), now);
	time_iso(time_now() + (int64_t)24 * 3600, soon);
	const char *resolve_due = json_string_value(json_object_get(o, "resolve_due"));
	const char *respond_due = json_string_value(json_object_get(o, "respond_due"));
	bool responded = !store_col_null(st, x + X_LEVEL_RESPONDED);
	const char *due = "ok";
	if (!strcmp(phase, "open")) {
		if (strcmp(resolve_due, now) < 0 || (!responded && strcmp(respond_due, now) < 0))
			due = "overdue";
		else if (strcmp(resolve_due, soon) < 0)
			due = "soon";
	}
	json_object_set_new(o, "due", json_string(due));
	const struct case_state *cs = case_kind_state(kind, json_string_value(json_object_get(o, "status")));
	json_object_set_new(o, "status_label", cs ? json_sprintf("%s / %s", cs->zh, cs->en) : json_null());
	json_object_set_new(o, "waiting_since", col_json(st, x + X_PAUSED));
	return o;
}

static int case_events_json(const struct ctx *c, int64_t id, enum view view, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(
	    c->db,
	    "SELECT ev.id, ev.at, ev.type, ev.actor_name, ev.node_id, n1.name, ev.to_node_id, n2.name, ev.org_id, "
	    "o.name, ev.status_from, ev.status_to, ev.note, ev.public FROM case_events ev "
	    "LEFT JOIN nodes n1 ON n1.id = ev.node_id LEFT JOIN nodes n2 ON n2.id = ev.to_node_id "
	    "LEFT JOIN orgs o ON o.id = ev.org_id WHERE ev.case_id = ? ORDER BY ev.id",
	    &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	json_t *arr = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW) {
		bool public = store_col_int(st, 13) != 0;
		/* Internal notes are for handlers; public views see the steps only. */
		if (!public && view != VIEW_STAFF && view != VIEW_ORG)
			continue;
		const char *type = store_col_text(st, 2);
		json_t *ev = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:I, s:s?}", "id", (json_int_t)store_col_int(st, 0),
				       "at", store_col_text(st, 1), "type", type, "label", case_event_label(type),
				       "actor", view == VIEW_PUBLIC ? NULL : store_col_text(st, 3), "node_id",
				       (json_int_t)store_col_int(st, 4), "node_name", store_col_text(st, 5));
		if (!store_col_null(st, 6))
			json_object_set_new(ev, "to_node_id", json_integer(store_col_int(st, 6))),
			    json_object_set_new(ev, "to_node_name", json_string(store_col_text(st, 7)));
		if (!store_col_null(st, 8))
			json_object_set_new(ev, "org_id", json_integer(store_col_int(st, 8))),
			    json_object_set_new(ev, "org_name", json_string(store_col_text(st, 9)));
		json_object_set_new(ev, "status_from",
				    store_col_null(st, 10) ? json_null() : json_string(store_col_text(st, 10)));
		json_object_set_new(ev, "status_to",
				    store_col_null(st, 11) ? json_null() : json_string(store_col_text(st, 11)));
		json_object_set_new(
		    ev, "note",
		    view == VIEW_PUBLIC || store_col_null(st, 12) ? json_null() : json_string(store_col_text(st, 12)));
		json_object_set_new(ev, "public", json_boolean(public));
		json_array_append_new(arr, ev);
	}
	store_done(st);
	*out = arr;
	return rc < 0 ? rc : 0;
}

int case_get(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	struct case_core k;
	int rc = case_load_core(c, id, &k, e);
	if (rc)
		return rc;
	enum view view = case_view(c, &k);
	if (view == VIEW_NONE)
		return err_set(e, ERR_FORBIDDEN, NULL, "无权查看此诉求 / you may not see this request");
	struct store_stmt *st;
	rc = store_prepare(
	    c->db,
	    arena_printf(c->a, "SELECT %s FROM %sWHERE cases.id = ?", case_cols(k.def), case_from(c, k.def, "cases")),
	    &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	rc = store_step(st, e);
	json_t *o = rc == STORE_ROW ? case_row(c, st, k.def, view) : NULL;
	store_done(st);
	if (!o)
		return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, NULL, "诉求不存在 / request not found");
	json_t *events = NULL;
	rc = case_events_json(c, id, view, &events, e);
	if (rc) {
		json_decref(o);
		return rc;
	}
	json_object_set_new(o, "events", events);
	/* Organisations handling it, and files. */
	json_t *orgs = json_array(), *files = json_array();
	if (store_prepare(
		c->db,
		"SELECT co.org_id, o.name, o.kind, co.role, co.status, co.assigned_at, co.done_at FROM case_orgs co "
		"JOIN orgs o ON o.id = co.org_id WHERE co.case_id = ? ORDER BY co.role DESC, co.org_id",
		&st, NULL) == 0) {
		store_bind(st, "i", id);
		while (store_step(st, NULL) == STORE_ROW)
			json_array_append_new(orgs,
					      json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s?}", "org_id",
							(json_int_t)store_col_int(st, 0), "name", store_col_text(st, 1),
							"kind", store_col_text(st, 2), "role", store_col_text(st, 3),
							"status", store_col_text(st, 4), "assigned_at",
							store_col_text(st, 5), "done_at", store_col_text(st, 6)));
		store_done(st);
	}
	if (view != VIEW_PUBLIC &&
	    store_prepare(c->db, "SELECT id, mime, size, created_at FROM case_files WHERE case_id = ? ORDER BY id", &st,
			  NULL) == 0) {
		store_bind(st, "i", id);
		while (store_step(st, NULL) == STORE_ROW)
			json_array_append_new(
			    files, json_pack("{s:I, s:s, s:I, s:s}", "id", (json_int_t)store_col_int(st, 0), "mime",
					     store_col_text(st, 1), "size", (json_int_t)store_col_int(st, 2),
					     "created_at", store_col_text(st, 3)));
		store_done(st);
	}
	json_object_set_new(o, "orgs", orgs);
	json_object_set_new(o, "files", files);
	json_object_set_new(o, "can_handle", json_boolean(case_can_handle(c, &k) || case_org_assigned(c, &k)));
	json_t *actions = case_actions_for(c, &k);
	bool can_rate = false;
	size_t i;
	json_t *a;
	json_array_foreach (actions, i, a)
		can_rate |= !strcmp(json_string_value(json_object_get(a, "code")), "rate");
	json_object_set_new(o, "can_rate", json_boolean(can_rate && case_is_reporter(c, &k)));
	json_object_set_new(o, "actions", actions);
	json_object_set_new(o, "kind_path", json_string(k.def->path));
	*out = o;
	return 0;
}

/* A list's rows, as the view may see them (page.h calls this per row). */
struct list_view {
	const struct case_kind *kind;
	enum view view;
};

static json_t *list_row(const struct ctx *c, struct store_stmt *st, void *ud)
{
	const struct list_view *v = ud;
	return case_row(c, st, v->kind, v->view);
}

/* Runs the page newest first; a short page's cursor lands in f->resume. */
static int run_list(const struct ctx *c, struct page_q *q, struct case_filter *f, enum view view, json_t **out,
		    struct err *e)
{
	q->cols = case_cols(f->kind);
	q->desc = true;
	q->limit = f->limit > 0 ? f->limit : 50;
	if (f->after_id > 0)
		q->after[0] = (struct page_param){'i', f->after_id, NULL};
	struct list_view v = {f->kind, view};
	struct page_param next[2];
	int rc = page_run(c, q, list_row, &v, out, next, e);
	f->resume = rc == 0 && next[0].type == 'i' && json_array_size(*out) < (size_t)q->limit ? next[0].i : 0;
	return rc;
}

/* The filters every list has: category and the dates it was made between. */
static void list_common(struct page_q *q, const struct ctx *c, const struct case_filter *f)
{
	if (f->category)
		page_filter(q, c, "cases.category = ?", f->category, NULL);
	if (f->from)
		page_filter(q, c, "cases.created_at >= ?", f->from, NULL);
	if (f->to)
		page_filter(q, c, "cases.created_at <= ?", arena_printf(c->a, "%sT23:59:59Z", f->to), NULL);
}

/* The list's driver: the caller's reports, its organisation's cases, or a
 * subtree (its case_scope rows, case_scope.c). */
static int list_scope(const struct ctx *c, const struct case_filter *f, struct page_q *q, enum view *view,
		      struct err *e)
{
	page_init(q);
	if (f->mine) {
		q->driver = "cases";
		q->from = case_from(c, f->kind, "cases");
		q->order[0] = "cases.id";
		page_key(q, c, "cases.reporter_user_id = ?",
			 (struct page_param){'i', c->who ? c->who->user_id : -1, 0});
		page_key(q, c, "cases.kind = ?", (struct page_param){'t', 0, f->kind->code});
		*view = VIEW_REPORTER;
		return 0;
	}
	if (f->org) {
		if (!c->who || !c->who->org_id)
			return err_set(e, ERR_FORBIDDEN, "org",
				       "您的账号不属于任何组织 / your account belongs to no organisation");
		q->driver = "case_orgs";
		q->from = case_from(c, f->kind, "case_orgs CROSS JOIN cases");
		q->order[0] = "case_orgs.case_id";
		q->on = " AND cases.id = case_orgs.case_id";
		page_key(q, c, "case_orgs.org_id = ?", (struct page_param){'i', c->who->org_id, 0});
		page_filter(q, c, "cases.kind = ?", f->kind->code, NULL);
		*view = VIEW_ORG;
		return 0;
	}
	const char *path = NULL;
	if (f->node_id) {
		int rc = tree_path(c, f->node_id, &path, e);
		if (rc)
			return rc;
	} else {
		path = authz_home(c->who);
	}
	bool role_here = false;
	if (path && f->node_id && authz_access(c->who, path) < ACC_VIEWER)
		role_here = holds_role_at(c, f->node_id);
	if (!path || (authz_access(c->who, path) < ACC_VIEWER && !role_here))
		return err_set(e, ERR_FORBIDDEN, "node", "无权查看该范围的诉求 / you may not see requests here");
	q->driver = "case_scope";
	q->from = case_from(c, f->kind, "case_scope CROSS JOIN cases");
	q->order[0] = "case_scope.case_id";
	q->on = " AND cases.id = case_scope.case_id";
	page_key(q, c, "case_scope.anc_id = ?", (struct page_param){'i', tree_path_node(path), 0});
	page_key(q, c, "case_scope.kind = ?", (struct page_param){'t', 0, f->kind->code});
	if (f->status && !strcmp(f->status, "open"))
		page_key(q, c, "case_scope.is_open = 1", (struct page_param){0});
	*view = VIEW_STAFF;
	return 0;
}

int case_list(const struct ctx *c, struct case_filter *f, json_t **out, struct err *e)
{
	struct page_q q;
	enum view view = VIEW_STAFF;
	int rc = list_scope(c, f, &q, &view, e);
	if (rc)
		return rc;
	const char *key;
	json_t *v;
	json_object_foreach (f->side, key, v) {
		/* The kind's own fields a list may be filtered by, and their values. */
		const struct field *sf = case_kind_filter(f->kind, key);
		const char *val = json_string_value(v);
		if (!sf || !val || enum_label(sf->vals, val) == val)
			return err_set(e, ERR_INVALID, key, "无法按“%s”=“%s”筛选 / cannot filter by %s=%s", key,
				       val ? val : "", key, val ? val : "");
		if (!page_filter(&q, c, arena_printf(c->a, "%s.%s = ?", f->kind->side->table, sf->name), val, NULL))
			return err_set(e, ERR_INVALID, key, "筛选条件过多 / too many filters");
	}
	list_common(&q, c, f);
	if (f->status && strcmp(f->status, "open") != 0)
		page_filter(&q, c, "cases.status = ?", f->status, NULL);
	else if (f->status && strcmp(q.driver, "case_scope") != 0)
		page_filter(&q, c, "cases.phase IN ('open', 'waiting')", NULL, NULL);
	if (f->due) {
		char *now = arena_alloc(c->a, 21), *soon = arena_alloc(c->a, 21);
		time_iso(time_now(), now);
		time_iso(time_now() + (int64_t)24 * 3600, soon);
		page_filter(&q, c, "cases.phase = 'open'", NULL, NULL);
		if (!strcmp(f->due, "overdue"))
			page_filter(
			    &q, c,
			    "(cases.resolve_due < ? OR (cases.level_responded_at IS NULL AND cases.respond_due < ?))",
			    now, now);
		else
			page_filter(&q, c, "cases.resolve_due >= ? AND cases.resolve_due < ?", now, soon);
	}
	const char *match = f->q && *f->q ? ts_match_query(c->a, f->q) : NULL;
	if (f->q && *f->q && !match) {
		*out = json_array();
		return 0;
	}
	if (match)
		page_filter(&q, c, "cases.id IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)", match, NULL);
	return run_list(c, &q, f, view, out, e);
}

int case_list_public(const struct ctx *c, struct case_filter *f, json_t **out, struct err *e)
{
	struct page_q q;
	page_init(&q);
	q.driver = "cases";
	q.from = case_from(c, f->kind, "cases");
	q.order[0] = "cases.id";
	page_key(&q, c, "cases.is_public = 1", (struct page_param){0});
	page_key(&q, c, "cases.kind = ?", (struct page_param){'t', 0, f->kind->code});
	list_common(&q, c, f);
	if (f->status && !strcmp(f->status, "open"))
		page_filter(&q, c, "cases.phase IN ('open', 'waiting')", NULL, NULL);
	return run_list(c, &q, f, VIEW_PUBLIC, out, e);
}

static json_t *category_row(const struct ctx *c, struct store_stmt *st)
{
	return fields_row(&ENT_CATEGORY, st, 0, c, false);
}

int case_categories(const struct ctx *c, const struct case_kind *kind, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db,
			       arena_printf(c->a, "SELECT %s FROM categories WHERE kind = ? ORDER BY sort_order, code",
					    fields_select(&ENT_CATEGORY, c->a)),
			       &st, e);
	if (rc)
		return rc;
	store_bind(st, "t", kind->code);
	return rows_collect(c, st, category_row, out, e);
}

int case_category_put(const struct ctx *c, const struct case_kind *kind, json_t *in, json_t **out, struct err *e)
{
	if (!c->who || !c->who->is_admin)
		return err_set(e, ERR_FORBIDDEN, NULL,
			       "只有管理员可以配置类别 / only administrators configure categories");
	json_t *cat = json_deep_copy(in);
	int rc = fields_validate(&ENT_CATEGORY, cat, true, e);
	json_int_t respond = json_integer_value(json_object_get(cat, "respond_hours"));
	json_int_t resolve = json_integer_value(json_object_get(cat, "resolve_hours"));
	if (rc == 0 && (respond < 1 || resolve < 1))
		rc = err_set(e, ERR_INVALID, respond < 1 ? "respond_hours" : "resolve_hours",
			     "时限至少1小时 / time limits are at least 1 hour");
	const char *code = json_string_value(json_object_get(cat, "code"));
	const char *other = NULL;
	struct store_stmt *st;
	if (rc == 0 && (rc = store_prepare(c->db, "SELECT kind FROM categories WHERE code = ?", &st, e)) == 0) {
		store_bind(st, "t", code);
		if (store_step(st, NULL) == STORE_ROW)
			other = arena_strdup(c->a, store_col_text(st, 0));
		store_done(st);
	}
	if (rc == 0 && other && strcmp(other, kind->code) != 0)
		rc = err_set(e, ERR_CONFLICT, "code", "代码“%s”已属于其他事项类型 / code '%s' belongs to another kind",
			     code, code);
	/* A put describes the whole category: what is left out takes its default. */
	if (!json_object_get(cat, "active"))
		json_object_set_new(cat, "active", json_true());
	if (!json_object_get(cat, "sort_order"))
		json_object_set_new(cat, "sort_order", json_integer(50));
	json_t *internal = json_pack("{s:s}", "kind", kind->code);
	if (rc == 0)
		rc = rows_put(c, &ENT_CATEGORY, cat, internal, e);
	json_decref(internal);
	if (rc == 0)
		*out = cat;
	else
		json_decref(cat);
	return rc;
}

int notifications_list(const struct ctx *c, bool unread, int64_t before_id, int limit, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(
	    c->db,
	    "SELECT n.id, n.case_id, n.at, n.text, n.read_at, n.event, k.title FROM notifications n LEFT "
	    "JOIN cases k ON k.id = n.case_id WHERE n.user_id = ? AND n.id < ? AND (? = 0 OR n.read_at IS "
	    "NULL) ORDER BY n.id DESC LIMIT ?",
	    &st, e);
	if (rc)
		return rc;
	store_bind(st, "iiii", c->who->user_id, before_id > 0 ? before_id : INT64_MAX, (int64_t)unread, (int64_t)limit);
	json_t *arr = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW) {
		/* event: what happened (null on notifications older than schema 5);
		 * event_label "中文 / English"; case_title to word it in either. */
		const char *ev = store_col_text(st, 5);
		json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:s, s:s?, s:s?, s:s?, s:s?}", "id",
						     (json_int_t)store_col_int(st, 0), "case_id",
						     (json_int_t)store_col_int(st, 1), "at", store_col_text(st, 2),
						     "text", store_col_text(st, 3), "read_at", store_col_text(st, 4),
						     "event", ev, "event_label", ev ? case_event_label(ev) : NULL,
						     "case_title", store_col_text(st, 6)));
	}
	store_done(st);
	*out = arr;
	return rc < 0 ? rc : 0;
}

int notifications_read(const struct ctx *c, int64_t id, struct err *e)
{
	int rc =
	    store_run(c->db, e, "UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL",
		      "tii", rows_now(c), id, c->who->user_id);
	if (rc == 0 && store_changes(c->db) == 0) {
		int64_t n = 0;
		store_int(c->db, NULL, &n, "SELECT count(*) FROM notifications WHERE id = ? AND user_id = ?", "ii", id,
			  c->who->user_id);
		if (!n)
			return err_set(e, ERR_NOT_FOUND, NULL, "通知不存在 / no such notification");
	}
	return rc;
}
int case_orgs_available(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	struct case_core k;
	int rc = case_load_core(c, id, &k, e);
	if (rc)
		return rc;
	if (!case_can_handle(c, &k))
		return err_set(e, ERR_FORBIDDEN, NULL, "无权办理此诉求 / you may not act on this request");
	struct store_stmt *st;
	rc = store_prepare(
	    c->db,
	    "SELECT o.id, o.name, o.kind, o.node_id, n.name FROM orgs o JOIN nodes n ON n.id = o.node_id "
	    "WHERE o.retired_at IS NULL AND (substr(?1, 1, length(o.node_path)) = o.node_path OR "
	    "(o.node_path >= ?1 AND o.node_path < ?1 || '~')) ORDER BY length(o.node_path) DESC, o.id LIMIT 200",
	    &st, e);
	if (rc)
		return rc;
	store_bind(st, "t", k.node_path);
	json_t *arr = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW)
		json_array_append_new(arr,
				      json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)store_col_int(st, 0),
						"name", store_col_text(st, 1), "kind", store_col_text(st, 2), "node_id",
						(json_int_t)store_col_int(st, 3), "node_name", store_col_text(st, 4)));
	store_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}
