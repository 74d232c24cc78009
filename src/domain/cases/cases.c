/*
 * cases.c — creating, routing, reading and listing cases.
 *
 * Reading rules: handlers (see case_can_handle) and staff with viewer
 * access above the case see everything but unrevealed personal data; the
 * reporter sees their own case; an organisation sees the cases handed to
 * it; anyone logged in sees a case made public, without personal data.
 */
#include "domain/cases/cases.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/textsearch.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "domain/core/audit.h"
#include "domain/cases/case_internal.h"
#include "domain/core/pii.h"
#include "domain/core/rows.h"
#include "domain/places/tree.h"
#include "store/store.h"

static const char *const channels[] = {"self",   "visit",  "box", "book",    "wechat", "phone",
				       "walkin", "patrol", "qr",  "open311", NULL};

int case_load_core(const struct ctx *c, int64_t id, struct case_core *k, struct err *e)
{
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

static bool in_list(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* Blanks around text are dropped: ASCII whitespace and the ideographic
 * space U+3000 that Chinese input methods type. */
static const char *trim_blanks(const struct ctx *c, const char *s)
{
	const char *b = s, *end = s + strlen(s);
	for (;;) {
		if (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')
			b++;
		else if (!strncmp(b, "\xe3\x80\x80", 3))
			b += 3;
		else
			break;
	}
	for (;;) {
		if (end > b && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
			end--;
		else if (end - b >= 3 && !strncmp(end - 3, "\xe3\x80\x80", 3))
			end -= 3;
		else
			break;
	}
	return b == s && *end == 0 ? s : arena_strndup(c->a, b, (size_t)(end - b));
}

/* Optional text field: a string within max characters, or absent/null. */
static int opt_text(const struct ctx *c, json_t *in, const char *key, int max, bool required, const char **out,
		    struct err *e)
{
	json_t *v = json_object_get(in, key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return err_set(e, ERR_INVALID, key, "缺少%s / %s is required", key, key);
		return 0;
	}
	const char *s = json_string_value(v);
	if (!s)
		return err_set(e, ERR_INVALID, key, "%s应为文本 / %s must be a string", key, key);
	s = trim_blanks(c, s);
	if (utf8_has_control(s) && strcmp(key, "description") && strcmp(key, "note"))
		return err_set(e, ERR_INVALID, key, "%s含有控制字符 / %s contains control characters", key, key);
	size_t n = utf8_len(s);
	if (n == 0 && !required)
		return 0; /* blank = not given */
	if ((required && n == 0) || (int)n > max)
		return err_set(e, ERR_INVALID, key, "%s应为1到%d个字 / %s: 1 to %d characters", key, max, key, max);
	*out = s;
	return 0;
}

static const char *const create_keys[] = {
    "category",  "title",   "description",        "place_node_id", "address",        "lat",       "lng",
    "anonymous", "channel", "reporter_person_id", "reporter_name", "reporter_phone", "is_public", NULL};

int case_create(const struct ctx *c, const struct case_kind *kind, json_t *in, json_t **out, struct err *e)
{
	if (!json_is_object(in))
		return err_set(e, ERR_INVALID, NULL, "请求体应为JSON对象 / body must be a JSON object");
	const char *key;
	json_t *v;
	json_object_foreach (in, key, v)
		if (!in_list(create_keys, key))
			return err_set(e, ERR_INVALID, key, "未知字段“%s” / unknown field '%s'", key, key);
	const char *category, *title, *desc, *address, *channel, *rname, *rphone;
	int rc;
	if ((rc = opt_text(c, in, "category", 40, true, &category, e)) ||
	    (rc = opt_text(c, in, "title", 100, false, &title, e)) ||
	    (rc = opt_text(c, in, "description", 5000, true, &desc, e)) ||
	    (rc = opt_text(c, in, "address", 200, false, &address, e)) ||
	    (rc = opt_text(c, in, "channel", 20, false, &channel, e)) ||
	    (rc = opt_text(c, in, "reporter_name", 50, false, &rname, e)) ||
	    (rc = opt_text(c, in, "reporter_phone", 40, false, &rphone, e)))
		return rc;
	int64_t level = 0, active = 0;
	if (store_int(c->db, NULL, &level, "SELECT level FROM categories WHERE code = ? AND kind = ?", "tt", category,
		      kind->code) ||
	    (store_int(c->db, NULL, &active, "SELECT active FROM categories WHERE code = ?", "t", category), !active))
		return err_set(e, ERR_INVALID, "category", "未知的诉求类别“%s” / unknown category '%s'", category,
			       category);
	json_t *lat = json_object_get(in, "lat"), *lng = json_object_get(in, "lng");
	bool bad_lat = lat && (!json_is_number(lat) || fabs(json_number_value(lat)) > 90);
	bool bad_lng = lng && (!json_is_number(lng) || fabs(json_number_value(lng)) > 180);
	if (bad_lat || bad_lng || (!lat) != (!lng))
		return err_set(e, ERR_INVALID, bad_lat || (!lat && lng) ? "lat" : "lng",
			       "坐标无效（纬度-90..90，经度-180..180，需成对） / invalid coordinates (lat -90..90, lng "
			       "-180..180, both)");
	json_t *anon = json_object_get(in, "anonymous"), *pub = json_object_get(in, "is_public");
	if ((anon && !json_is_boolean(anon)) || (pub && !json_is_boolean(pub)))
		return err_set(e, ERR_INVALID, anon && !json_is_boolean(anon) ? "anonymous" : "is_public",
			       "应为true或false / must be a boolean");
	json_t *pn = json_object_get(in, "place_node_id"), *rp = json_object_get(in, "reporter_person_id");
	if (json_is_null(pn))
		pn = NULL; /* no place given: the reporter's home, as when absent */
	if (json_is_null(rp))
		rp = NULL;
	if ((pn && !json_is_integer(pn)) || (rp && !json_is_integer(rp)))
		return err_set(e, ERR_INVALID, pn && !json_is_integer(pn) ? "place_node_id" : "reporter_person_id",
			       "应为整数编号 / must be an integer id");
	const struct actor *who = c->who;
	bool resident = who && !who->is_admin && who->ngrants == 0 && !who->org_id;
	/* The place: given, or the reporter's home. */
	int64_t place = pn ? json_integer_value(pn) : 0;
	/* Residents report from home by default; staff name the place. */
	if (!place && resident && who->household_id)
		store_int(c->db, NULL, &place, "SELECT node_id FROM households WHERE id = ?", "i", who->household_id);
	if (!place)
		return err_set(e, ERR_INVALID, "place_node_id", "请选择问题所在位置 / place_node_id is required");
	const char *place_path;
	rc = tree_path(c, place, &place_path, e);
	if (rc)
		return rc == ERR_NOT_FOUND ? err_set(e, ERR_INVALID, "place_node_id", "位置不存在 / no such place")
					   : rc;
	if (!channel)
		channel = resident ? (pn ? "qr" : "self") : "visit";
	if (!in_list(channels, channel))
		return err_set(e, ERR_INVALID, "channel", "未知渠道“%s” / unknown channel '%s'", channel, channel);
	int64_t reporter_person = 0;
	if (resident) {
		/* Residents report within their own community. */
		int64_t home_comm = 0, place_comm = 0;
		store_int(c->db, NULL, &home_comm, "SELECT coalesce(community_id, 0) FROM households WHERE id = ?", "i",
			  who->household_id);
		store_int(c->db, NULL, &place_comm, "SELECT coalesce(community_id, 0) FROM nodes WHERE id = ?", "i",
			  place);
		bool ancestor = false;
		const char *home_path = NULL;
		if (who->household_id) {
			int64_t hnode = 0;
			store_int(c->db, NULL, &hnode, "SELECT node_id FROM households WHERE id = ?", "i",
				  who->household_id);
			tree_path(c, hnode, &home_path, NULL);
			ancestor = home_path && !strncmp(home_path, place_path, strlen(place_path));
		}
		if (!who->household_id || (!ancestor && (!home_comm || home_comm != place_comm)))
			return err_set(e, ERR_FORBIDDEN, "place_node_id",
				       "只能反映本社区的问题 / you can report within your own community only");
		if (strcmp(channel, "self") && strcmp(channel, "qr"))
			return err_set(e, ERR_INVALID, "channel",
				       "居民自报渠道应为self或qr / residents report through self or qr");
		if (rp || rname || rphone)
			return err_set(e, ERR_INVALID, rp ? "reporter_person_id" : "reporter_name",
				       "居民本人上报不需填写代报信息 / residents report for themselves");
		reporter_person = who->person_id;
	} else {
		/* Staff, heads and integrations record within their own area. */
		if (authz_access(who, place_path) < ACC_VIEWER && !holds_role_at(c, place))
			return err_set(e, ERR_FORBIDDEN, "place_node_id",
				       "位置不在您的辖区内 / the place is outside your area");
		if (rp) {
			reporter_person = json_integer_value(rp);
			const char *ppath = NULL;
			struct store_stmt *st;
			if ((rc = store_prepare(c->db, "SELECT node_path FROM people WHERE id = ?", &st, e)))
				return rc;
			store_bind(st, "i", reporter_person);
			if (store_step(st, NULL) == STORE_ROW)
				ppath = arena_strdup(c->a, store_col_text(st, 0));
			store_done(st);
			if (!ppath || authz_access(who, ppath) < ACC_VIEWER)
				return err_set(e, ERR_INVALID, "reporter_person_id",
					       "反映人不在您的辖区 / reporter not found in your area");
		}
	}
	char phone[40] = "";
	if (rphone && pii_normalise(PII_PHONE, rphone, phone, sizeof phone, e))
		return err_recode(e, ERR_INVALID, "reporter_phone");
	if (!title) {
		/* A title from the first characters of the description. */
		const char *p = desc;
		for (int i = 0; i < 30 && *p; i++)
			utf8_next(&p);
		title = arena_strndup(c->a, desc, (size_t)(p - desc));
	}
	int64_t node;
	rc = kind->land_at ? kind->land_at(c, place, (int)level, &node, e) : case_route(c, place, (int)level, &node, e);
	if (rc)
		return rc;
	int64_t now = time_now();
	const char *now_s = rows_now(c);
	rc = store_begin(c->db, e);
	if (rc == 0) {
		size_t clen = 0;
		unsigned char *cipher = *phone ? pii_encrypt(c->pii_key, phone, &clen, c->a) : NULL;
		unsigned char hash[PII_HASH_BYTES];
		if (*phone)
			pii_hash(c->pii_key, PII_PHONE, phone, hash);
		struct store_stmt *st;
		rc = store_prepare(
		    c->db,
		    "INSERT INTO cases (kind, category, title, description, status, channel, place_node_id, address, "
		    "lat, "
		    "lng, node_id, node_path, origin_node_id, origin_path, reporter_person_id, reporter_user_id, "
		    "reporter_name, reporter_phone_enc, reporter_phone_hash, anonymous, recorded_by, is_public, "
		    "landed_at, respond_due, resolve_due, created_at, updated_at, phase) VALUES (?, ?, ?, ?, ?, "
		    "?, "
		    "?, ?, ?, ?, ?, '', ?, '', nullif(?, 0), nullif(?, 0), ?, ?, ?, ?, nullif(?, 0), ?, ?, ?, ?, ?, ?, "
		    "?)",
		    &st, e);
		if (rc == 0) {
			int idx = 1;
			store_bind_at(st, idx++, 't', kind->code);
			store_bind_at(st, idx++, 't', category);
			store_bind_at(st, idx++, 't', title);
			store_bind_at(st, idx++, 't', desc);
			store_bind_at(st, idx++, 't', kind->states[0].code);
			store_bind_at(st, idx++, 't', channel);
			store_bind_at(st, idx++, 'i', place);
			store_bind_at(st, idx++, 't', address);
			if (lat && json_is_number(lat)) {
				store_bind_at(st, idx++, 'd', json_number_value(lat));
				store_bind_at(st, idx++, 'd', json_number_value(lng));
			} else {
				store_bind_at(st, idx++, 'n');
				store_bind_at(st, idx++, 'n');
			}
			store_bind_at(st, idx++, 'i', node);
			store_bind_at(st, idx++, 'i', node);
			store_bind_at(st, idx++, 'i', reporter_person);
			store_bind_at(st, idx++, 'i', resident ? who->user_id : (int64_t)0);
			store_bind_at(st, idx++, 't', rname);
			store_bind_at(st, idx++, 'b', cipher, clen);
			store_bind_at(st, idx++, 'b', *phone ? hash : NULL, (size_t)PII_HASH_BYTES);
			store_bind_at(st, idx++, 'i', (int64_t)json_is_true(anon));
			store_bind_at(st, idx++, 'i', resident ? (int64_t)0 : who->user_id);
			store_bind_at(st, idx++, 'i', (int64_t)json_is_true(pub));
			for (int i = 0; i < 5; i++)
				store_bind_at(st, idx++, 't', now_s);
			store_bind_at(st, idx++, 't', case_phase_name(kind->states[0].phase));
			rc = store_step(st, e);
			rc = rc < 0 ? rc : 0;
			store_done(st);
		}
	}
	int64_t id = rc == 0 ? store_last_id(c->db) : 0;
	struct case_core k;
	if (rc == 0)
		rc = case_load_core(c, id, &k, e);
	if (rc == 0)
		rc = case_land(c, &k, node, now, e);
	if (rc == 0)
		rc = store_run(c->db, e, "UPDATE cases SET origin_path = node_path WHERE id = ?", "i", id);
	if (rc == 0)
		rc = case_load_core(c, id, &k, e); /* now with its place in the tree */
	if (rc == 0)
		rc = case_event(c, &k, "reported", k.status, node, 0, NULL, true, e);
	if (rc == 0)
		rc =
		    store_run(c->db, e, "INSERT INTO cases_fts (rowid, text) VALUES (?, ?)", "it", id,
			      ts_index_text(c->a, arena_printf(c->a, "%s %s %s", title, desc, address ? address : "")));
	/* Open311 clients follow a new request by a token until it has an id
	 * they can show (GeoReport v2 "token"); it is written with the case. */
	char token[33] = "";
	if (rc == 0 && !strcmp(channel, "open311")) {
		unsigned char raw[16];
		randombytes_buf(raw, sizeof raw);
		for (int i = 0; i < 16; i++)
			snprintf(token + i * 2, 3, "%02x", raw[i]);
		rc = store_run(c->db, e, "UPDATE cases SET external_token = ? WHERE id = ?", "ti", token, id);
	}
	if (rc == 0) {
		json_t *snap =
		    json_pack("{s:s, s:s, s:I}", "category", category, "channel", channel, "node_id", (json_int_t)node);
		rc = audit_log(c, "create", "case", id, NULL, snap, e);
		json_decref(snap);
	}
	rc = txn_finish(c, rc, e);
	if (rc == 0)
		rc = case_get(c, id, out, e);
	if (rc == 0 && *token)
		json_object_set_new(*out, "external_token", json_string(token));
	return rc;
}

int case_find_by_token(const struct ctx *c, const char *token, int64_t *id, struct err *e)
{
	*id = 0;
	if (store_int(c->db, NULL, id, "SELECT id FROM cases WHERE external_token = ?", "t", token) || !*id)
		return err_set(e, ERR_NOT_FOUND, "token", "没有这个令牌 / no such token");
	return 0;
}

static const char CASE_COLS[] =
    "cases.id, cases.kind, cases.category, cat.name_zh, cases.title, cases.description, cases.status, cases.channel, "
    "cases.place_node_id, pn.name, cases.address, cases.lat, cases.lng, cases.node_id, n.name, cases.origin_node_id, "
    "cases.reporter_user_id, cases.reporter_name, cases.reporter_phone_enc, cases.anonymous, cases.is_public, "
    "cases.merged_into, cases.escalations, cases.reopened, cases.landed_at, cases.respond_due, cases.resolve_due, "
    "cases.first_response_at, cases.resolved_at, cases.closed_at, cases.outcome, cases.close_reason, cases.rating, "
    "cases.rating_comment, cases.rated_at, cases.overdue, cases.created_at, cases.updated_at, cases.node_path, "
    "rp.name, cases.paused_at, cases.level_responded_at, cat.name_en, cases.phase";
static const char CASE_FROM[] =
    " FROM cases JOIN categories cat ON cat.code = cases.category "
    "JOIN nodes n ON n.id = cases.node_id LEFT JOIN nodes pn ON pn.id = cases.place_node_id "
    "LEFT JOIN people rp ON rp.id = cases.reporter_person_id ";

/* A case row as JSON, trimmed to what the view may see. */
static json_t *case_row(const struct ctx *c, struct store_stmt *st, enum view view)
{
	static const char *const names[] = {
	    "id",         "kind",         "category",      "category_name",     "title",       "description",
	    "status",     "channel",      "place_node_id", "place_name",        "address",     "lat",
	    "lng",        "node_id",      "node_name",     "origin_node_id",    NULL,          "reporter_name",
	    NULL,         "anonymous",    "is_public",     "merged_into",       "escalations", "reopened",
	    "landed_at",  "respond_due",  "resolve_due",   "first_response_at", "resolved_at", "closed_at",
	    "outcome",    "close_reason", "rating",        "rating_comment",    "rated_at",    "overdue",
	    "created_at", "updated_at"};
	json_t *o = json_object();
	for (int i = 0; i < (int)(sizeof names / sizeof *names); i++) {
		if (!names[i])
			continue;
		json_t *v;
		if (store_col_null(st, i))
			v = json_null();
		else if (i == 11 || i == 12)
			v = json_real(store_col_double(st, i));
		else if (i == 19 || i == 20 || i == 35)
			v = json_boolean(store_col_int(st, i));
		else if (i == 0 || i == 8 || i == 13 || i == 15 || i == 21 || i == 22 || i == 23)
			v = json_integer(store_col_int(st, i));
		else
			v = json_string(store_col_text(st, i));
		json_object_set_new(o, names[i], v);
	}
	bool anonymous = store_col_int(st, 19) != 0;
	const char *person_name = store_col_text(st, 39);
	const char *name = store_col_text(st, 17) ? store_col_text(st, 17) : person_name;
	/* Who reported it: hidden when anonymous (except from the reporter) and in public views. */
	bool show = view == VIEW_REPORTER || (view == VIEW_STAFF && !anonymous);
	json_object_set_new(o, "reporter_name", show && name ? json_string(name) : json_null());
	size_t len;
	const unsigned char *blob = store_col_blob(st, 18, &len);
	char *phone = show && blob ? pii_decrypt(c->pii_key, blob, len, c->a) : NULL;
	json_object_set_new(o, "reporter_phone", phone ? json_string(pii_mask(PII_PHONE, phone, c->a)) : json_null());
	if (view == VIEW_PUBLIC) {
		json_object_del(o, "address");
		json_object_del(o, "lat");
		json_object_del(o, "lng");
	}
	/* Due state for inboxes: open cases past or near their limit. */
	const char *phase = store_col_text(st, 43);
	char now[21], soon[21];
	time_iso(time_now(), now);
	time_iso(time_now() + 24 * 3600, soon);
	const char *resolve_due = store_col_text(st, 26), *respond_due = store_col_text(st, 25);
	bool responded = !store_col_null(st, 41);
	const char *due = "ok";
	if (!strcmp(phase, "open")) {
		if (strcmp(resolve_due, now) < 0 || (!responded && strcmp(respond_due, now) < 0))
			due = "overdue";
		else if (strcmp(resolve_due, soon) < 0)
			due = "soon";
	}
	json_object_set_new(o, "due", json_string(due));
	json_object_set_new(o, "category_name_en", json_string(store_col_text(st, 42)));
	json_object_set_new(o, "phase", json_string(phase));
	const struct case_state *cs = case_kind_state(case_kind_find(store_col_text(st, 1)), store_col_text(st, 6));
	json_object_set_new(o, "status_label", cs ? json_sprintf("%s / %s", cs->zh, cs->en) : json_null());
	json_object_set_new(o, "waiting_since",
			    store_col_null(st, 40) ? json_null() : json_string(store_col_text(st, 40)));
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
	rc = store_prepare(c->db, arena_printf(c->a, "SELECT %s%s WHERE cases.id = ?", CASE_COLS, CASE_FROM), &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	rc = store_step(st, e);
	json_t *o = rc == STORE_ROW ? case_row(c, st, view) : NULL;
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

/* Runs a case list: `where` starts with "cases.id < ? AND cases.kind = ?"
 * (the keyset and the kind), then an optional integer parameter (who),
 * then the text parameters. */
static int run_list(const struct ctx *c, const char *where, const struct case_filter *f, const int64_t *who,
		    const char *const *tv, int nt, enum view view, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(
	    c->db,
	    arena_printf(c->a, "SELECT %s%s WHERE %s ORDER BY cases.id DESC LIMIT ?", CASE_COLS, CASE_FROM, where), &st,
	    e);
	if (rc)
		return rc;
	int idx = 1;
	store_bind_at(st, idx++, 'i', f->after_id > 0 ? f->after_id : INT64_MAX);
	store_bind_at(st, idx++, 't', f->kind->code);
	if (who)
		store_bind_at(st, idx++, 'i', *who);
	for (int i = 0; i < nt; i++)
		store_bind_at(st, idx++, 't', tv[i]);
	store_bind_at(st, idx, 'i', (int64_t)(f->limit > 0 ? f->limit : 50));
	json_t *arr = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW)
		json_array_append_new(arr, case_row(c, st, view));
	store_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int case_list(const struct ctx *c, const struct case_filter *f, json_t **out, struct err *e)
{
	/* Scope: the caller's reports, its organisation's cases, or a subtree. */
	char where[1024] = "cases.id < ? AND cases.kind = ?";
	const char *tv[16];
	int nt = 0;
	const char *path = NULL;
	enum view view = VIEW_STAFF;
	if (f->mine) {
		strcat(where, " AND cases.reporter_user_id = ?");
		view = VIEW_REPORTER;
	} else if (f->org) {
		if (!c->who || !c->who->org_id)
			return err_set(e, ERR_FORBIDDEN, "org",
				       "您的账号不属于任何组织 / your account belongs to no organisation");
		strcat(where, " AND cases.id IN (SELECT case_id FROM case_orgs WHERE org_id = ?)");
		view = VIEW_ORG;
	} else {
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
			return err_set(e, ERR_FORBIDDEN, "node",
				       "无权查看该范围的诉求 / you may not see requests here");
		strcat(where, " AND cases.node_path >= ? AND cases.node_path < ?");
		tv[nt++] = path;
		tv[nt++] = arena_printf(c->a, "%s~", path);
	}
	struct {
		const char *val, *clause;
	} eq[] = {{f->category, " AND cases.category = ?"},
		  {f->channel, " AND cases.channel = ?"},
		  {f->from, " AND cases.created_at >= ?"},
		  {f->to ? arena_printf(c->a, "%sT23:59:59Z", f->to) : NULL, " AND cases.created_at <= ?"}};
	for (size_t i = 0; i < sizeof eq / sizeof *eq; i++)
		if (eq[i].val) {
			strcat(where, eq[i].clause);
			tv[nt++] = eq[i].val;
		}
	if (f->status) {
		if (!strcmp(f->status, "open"))
			strcat(where, " AND cases.phase IN ('open', 'waiting')");
		else {
			strcat(where, " AND cases.status = ?");
			tv[nt++] = f->status;
		}
	}
	if (f->due) {
		char *now = arena_alloc(c->a, 21), *soon = arena_alloc(c->a, 21);
		time_iso(time_now(), now);
		time_iso(time_now() + 24 * 3600, soon);
		strcat(where, " AND cases.phase = 'open'");
		if (!strcmp(f->due, "overdue")) {
			strcat(where, " AND (cases.resolve_due < ? OR (cases.level_responded_at IS NULL AND "
				      "cases.respond_due < ?))");
			tv[nt++] = now;
			tv[nt++] = now;
		} else {
			strcat(where, " AND cases.resolve_due >= ? AND cases.resolve_due < ?");
			tv[nt++] = now;
			tv[nt++] = soon;
		}
	}
	const char *match = f->q && *f->q ? ts_match_query(c->a, f->q) : NULL;
	if (f->q && *f->q && !match) {
		*out = json_array();
		return 0;
	}
	if (match) {
		strcat(where, " AND cases.id IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)");
		tv[nt++] = match;
	}
	int64_t who = f->mine ? (c->who ? c->who->user_id : -1) : f->org ? c->who->org_id : 0;
	return run_list(c, where, f, f->mine || f->org ? &who : NULL, tv, nt, view, out, e);
}

int case_list_public(const struct ctx *c, const struct case_filter *f, json_t **out, struct err *e)
{
	char where[512] = "cases.is_public = 1 AND cases.id < ? AND cases.kind = ?";
	const char *tv[4];
	int nt = 0;
	if (f->category)
		strcat(where, " AND cases.category = ?"), tv[nt++] = f->category;
	if (f->from)
		strcat(where, " AND cases.created_at >= ?"), tv[nt++] = f->from;
	if (f->to)
		strcat(where, " AND cases.created_at <= ?"), tv[nt++] = arena_printf(c->a, "%sT23:59:59Z", f->to);
	if (f->status && !strcmp(f->status, "open"))
		strcat(where, " AND cases.phase IN ('open', 'waiting')");
	return run_list(c, where, f, NULL, tv, nt, VIEW_PUBLIC, out, e);
}

int case_categories(const struct ctx *c, const struct case_kind *kind, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc =
	    store_prepare(c->db,
			  "SELECT code, name_zh, name_en, level, respond_hours, resolve_hours, active FROM categories "
			  "WHERE kind = ? ORDER BY sort_order, code",
			  &st, e);
	if (rc)
		return rc;
	store_bind(st, "t", kind->code);
	json_t *arr = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW)
		json_array_append_new(arr,
				      json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:b}", "code", store_col_text(st, 0),
						"name_zh", store_col_text(st, 1), "name_en", store_col_text(st, 2),
						"level", (json_int_t)store_col_int(st, 3), "respond_hours",
						(json_int_t)store_col_int(st, 4), "resolve_hours",
						(json_int_t)store_col_int(st, 5), "active", (int)store_col_int(st, 6)));
	store_done(st);
	*out = arr;
	return rc < 0 ? rc : 0;
}

int case_category_put(const struct ctx *c, const struct case_kind *kind, json_t *in, json_t **out, struct err *e)
{
	if (!c->who || !c->who->is_admin)
		return err_set(e, ERR_FORBIDDEN, NULL,
			       "只有管理员可以配置类别 / only administrators configure categories");
	const char *code, *zh, *en;
	json_int_t level, respond, resolve, sort = 50;
	int active = 1;
	json_error_t je;
	if (json_unpack_ex(in, &je, JSON_STRICT, "{s:s, s:s, s:s, s:I, s:I, s:I, s?b, s?I}", "code", &code, "name_zh",
			   &zh, "name_en", &en, "level", &level, "respond_hours", &respond, "resolve_hours", &resolve,
			   "active", &active, "sort_order", &sort) != 0)
		return err_set(e, ERR_INVALID, NULL, "类别定义无效 / invalid category: %s", je.text);
	if (!*code || strlen(code) > 40 || strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(code))
		return err_set(e, ERR_INVALID, "code", "代码只能是小写字母、数字和下划线 / code: a-z, 0-9 and _ only");
	if (level < 0 || level > 20 || respond < 1 || resolve < 1 || respond > 8760 || resolve > 8760 || !*zh || !*en ||
	    utf8_len(zh) > 20 || utf8_len(en) > 40)
		return err_set(e, ERR_INVALID, NULL,
			       "类别的层级或时限无效 / level 0..20, time limits 1..8760 hours, names required");
	int rc = store_begin(c->db, e);
	if (rc == 0)
		rc = store_run(
		    c->db, e,
		    "INSERT INTO categories (code, kind, name_zh, name_en, level, respond_hours, resolve_hours, "
		    "active, "
		    "sort_order) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
		    "name_zh = excluded.name_zh, name_en = excluded.name_en, level = excluded.level, respond_hours = "
		    "excluded.respond_hours, resolve_hours = excluded.resolve_hours, active = excluded.active, "
		    "sort_order = excluded.sort_order",
		    "ttttiiiii", code, kind->code, zh, en, (int64_t)level, (int64_t)respond, (int64_t)resolve,
		    (int64_t)active, (int64_t)sort);
	if (rc == 0)
		rc = audit_log(c, "put", "category", 0, NULL, in, e);
	rc = txn_finish(c, rc, e);
	if (rc == 0)
		*out = json_incref(in);
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
