/*
 * registry.c — people and households: create, read, update, move, list.
 *
 * Denormalised columns (node_id, node_path, community_id, name_initials,
 * name_pinyin, person_tags rows) are maintained here, in the same
 * transaction as the change and its audit row.
 */
#include "domain/people/registry.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/pinyin.h"
#include "base/textnorm.h"
#include "base/timeutil.h"
#include "domain/core/audit.h"
#include "domain/core/fields.h"
#include "domain/core/lookup.h"
#include "domain/core/page.h"
#include "domain/core/pii.h"
#include "domain/core/rows.h"
#include "domain/places/tree.h"
#include "store/store.h"

struct place {
	int64_t node_id, community_id, household_id;
	const char *path;
};

int registry_scope(const struct ctx *c, int64_t node_id, const char **path, struct err *e)
{
	if (node_id == 0) {
		const char *home = authz_home(c->who);
		if (!home)
			return err_set(e, ERR_FORBIDDEN, "node", "没有可查看的范围 / no area you may view");
		*path = home;
		return 0;
	}
	int rc = tree_path(c, node_id, path, e);
	if (rc == 0)
		rc = authz_require(c->who, *path, ACC_VIEWER, e);
	return rc;
}

static int household_place(const struct ctx *c, int64_t hid, struct place *p, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, "SELECT node_id, node_path, community_id FROM households WHERE id = ?", &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", hid);
	rc = store_step(st, e);
	if (rc == STORE_ROW) {
		p->node_id = store_col_int(st, 0);
		p->path = arena_strdup(c->a, store_col_text(st, 1));
		p->community_id = store_col_int(st, 2);
		p->household_id = hid;
	}
	store_done(st);
	if (rc == STORE_DONE)
		return err_set(e, ERR_NOT_FOUND, "household_id", "户%lld不存在 / household %lld not found",
			       (long long)hid, (long long)hid);
	return rc == STORE_ROW ? 0 : rc;
}

static int person_place(const struct ctx *c, int64_t pid, struct place *p, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, "SELECT node_id, node_path, community_id, household_id FROM people WHERE id = ?",
			       &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", pid);
	rc = store_step(st, e);
	if (rc == STORE_ROW) {
		p->node_id = store_col_int(st, 0);
		p->path = arena_strdup(c->a, store_col_text(st, 1));
		p->community_id = store_col_int(st, 2);
		p->household_id = store_col_int(st, 3);
	}
	store_done(st);
	if (rc == STORE_DONE)
		return err_set(e, ERR_NOT_FOUND, NULL, "人员%lld不存在 / person %lld not found", (long long)pid,
			       (long long)pid);
	return rc == STORE_ROW ? 0 : rc;
}

/* Read access to a person or household: the area's staff, or a resident
 * account for its own household. */
static int can_read(const struct ctx *c, const struct place *p, struct err *e)
{
	if (c->who && c->who->household_id && p->household_id == c->who->household_id)
		return 0;
	return authz_require(c->who, p->path, ACC_VIEWER, e);
}

/* The columns person_select adds after the person's fields. */
enum { COL_ADDRESS = 0, COL_PINYIN = 1, COL_PATH = 2 };

/* A person as this reader sees it: at most `cap` (fields.h), and no more
 * than the reader's access where the person lives gives (a reveal, FV_FULL,
 * was checked by the caller). Below FV_EDIT the birth date shows its year
 * only, and the age is the age reached this year, which changes on 1
 * January for everyone and so does not give the birthday away either. */
static json_t *person_row(const struct ctx *c, struct store_stmt *st, enum fields_view cap)
{
	enum fields_view view = cap;
	if (cap != FV_FULL) {
		enum fields_view mine =
		    fields_view_for(authz_access(c->who, store_col_text(st, ENT_PERSON.n + COL_PATH)));
		view = mine < cap ? mine : cap;
	}
	json_t *o = fields_row_view(&ENT_PERSON, st, 0, c, view);
	const char *birth = json_string_value(json_object_get(o, "birth_date"));
	int age = -1;
	if (birth && view >= FV_EDIT) {
		age = time_age(birth, time_now());
	} else if (birth && strlen(birth) >= 4 && isdigit((unsigned char)birth[0])) {
		char today[21];
		time_iso(time_now(), today);
		age = (int)(strtol(today, NULL, 10) - strtol(birth, NULL, 10));
	}
	json_object_set_new(o, "age", age >= 0 ? json_integer(age) : json_null());
	json_object_set_new(o, "household_address",
			    store_col_null(st, ENT_PERSON.n + COL_ADDRESS)
				? json_null()
				: json_string(store_col_text(st, ENT_PERSON.n + COL_ADDRESS)));
	return o;
}

static const char *person_select(const struct ctx *c)
{
	return arena_printf(c->a,
			    "SELECT %s, households.address, people.name_pinyin, people.node_path FROM people LEFT JOIN "
			    "households ON "
			    "households.id = people.household_id ",
			    fields_select(&ENT_PERSON, c->a));
}

static int load_person(const struct ctx *c, int64_t id, enum fields_view cap, json_t **out, struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, arena_printf(c->a, "%s WHERE people.id = ?", person_select(c)), &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	rc = store_step(st, e);
	if (rc == STORE_ROW)
		*out = person_row(c, st, cap);
	store_done(st);
	if (rc == STORE_DONE)
		return err_set(e, ERR_NOT_FOUND, NULL, "人员%lld不存在 / person %lld not found", (long long)id,
			       (long long)id);
	return rc == STORE_ROW ? 0 : rc;
}

/* The audit row of a change to a person: the snapshots as FV_MASKED shows
 * them, whoever made the change (the trail is read with viewer access). */
static int audit_person(const struct ctx *c, const char *action, int64_t id, json_t *before, struct err *e)
{
	json_t *after = NULL;
	int rc = load_person(c, id, FV_MASKED, &after, e);
	if (rc == 0)
		rc = audit_log(c, action, "person", id, before, after, e);
	json_decref(after);
	return rc;
}

static int write_tags(const struct ctx *c, int64_t pid, const char *path, json_t *tags, struct err *e)
{
	int rc = store_run(c->db, e, "DELETE FROM person_tags WHERE person_id = ?", "i", pid);
	size_t i;
	json_t *t;
	json_array_foreach (tags, i, t) {
		if (rc)
			break;
		rc = store_run(
		    c->db, e,
		    "INSERT INTO person_tags (person_id, tag, node_path) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		    "itt", pid, json_string_value(t), path);
	}
	return rc;
}

/* Keeps households.head_person_id in step with relation = 'head'. */
static int sync_head(const struct ctx *c, int64_t pid, int64_t hid, json_t *rel, struct err *e)
{
	if (!hid || !rel || !json_is_string(rel))
		return 0;
	if (strcmp(json_string_value(rel), "head") == 0)
		return store_run(c->db, e, "UPDATE households SET head_person_id = ? WHERE id = ?", "ii", pid, hid);
	return store_run(c->db, e, "UPDATE households SET head_person_id = NULL WHERE id = ? AND head_person_id = ?",
			 "ii", hid, pid);
}

static json_t *name_columns(const struct ctx *c, const char *name, const char *now)
{
	char ini[128], full[512];
	pinyin_initials(name, PINYIN_NAME, ini, sizeof ini);
	pinyin_full(name, PINYIN_NAME, full, sizeof full);
	return json_pack("{s:s, s:s, s:s}", "name_initials", ini, "name_pinyin", full, "updated_at", now);
}

/* Fills birth date and gender from an ID card when they were not given. */
static void derive_from_id_card(json_t *in)
{
	const char *id = json_string_value(json_object_get(in, "id_card"));
	char birth[11], g;
	if (!id || !pii_id_card_birth(id, birth, &g))
		return;
	if (!json_object_get(in, "birth_date"))
		json_object_set_new(in, "birth_date", json_string(birth));
	if (!json_object_get(in, "gender"))
		json_object_set_new(in, "gender", json_string(g == 'M' ? "M" : "F"));
}

static int check_unique_id_card(const struct ctx *c, json_t *in, int64_t self, struct err *e)
{
	const char *id = json_string_value(json_object_get(in, "id_card"));
	if (!id)
		return 0;
	unsigned char h[PII_HASH_BYTES];
	pii_hash(c->pii_key, PII_ID_CARD, id, h);
	int64_t other = 0;
	int rc = store_int(c->db, e, &other,
			   "SELECT id FROM people WHERE id_card_hash = ? AND id != ? AND status != 'deceased'", "bi", h,
			   (size_t)PII_HASH_BYTES, self);
	if (rc == ERR_NOT_FOUND)
		return 0;
	if (rc)
		return rc;
	/* The other person is named only to whoever may read them. */
	struct place op;
	struct err ignored = {0};
	if (person_place(c, other, &op, &ignored) == 0 && can_read(c, &op, &ignored) == 0)
		return err_set(e, ERR_CONFLICT, "id_card",
			       "该身份证号已登记（人员%lld） / ID card already registered (person %lld)",
			       (long long)other, (long long)other);
	return err_set(e, ERR_CONFLICT, "id_card", "该身份证号已登记 / ID card already registered");
}

/* A registration that carries an ID number tells whether it is already
 * registered: a lookup (core/lookup.h). Refused with ERR_RATE once the
 * hour's lookups are spent, conflict or not, so that 429 tells nothing. */
static int id_card_room(const struct ctx *c, json_t *in, struct err *e)
{
	return json_is_string(json_object_get(in, "id_card")) ? lookup_room(c, 1, e) : 0;
}

/* After a registration refused as a duplicate ID number (rolled back):
 * the lookup it was, counted and audited; returns rc. */
static int id_card_conflict(const struct ctx *c, int rc, const struct err *why, json_t *in, const char *path,
			    struct err *e)
{
	if (rc != ERR_CONFLICT || strcmp(why->field, "id_card") != 0)
		return rc;
	struct err saved = *why;
	int lrc = lookup_record(c, tree_path_node(path), "register", PII_ID_CARD,
				json_string_value(json_object_get(in, "id_card")), 1, 1, e);
	if (lrc)
		return lrc;
	*e = saved;
	return rc;
}

/* Inserts a validated person inside an open transaction. */
static int person_insert(const struct ctx *c, json_t *in, int64_t *id, struct err *e)
{
	struct place p = {0};
	json_t *hid = json_object_get(in, "household_id");
	int rc = 0;
	if (json_is_integer(hid)) {
		rc = household_place(c, json_integer_value(hid), &p, e);
		if (rc == ERR_NOT_FOUND)
			rc = err_set(e, ERR_INVALID, "household_id", "户不存在 / household not found");
		if (rc == 0)
			rc = authz_require(c->who, p.path, ACC_WORKER, e);
	} else {
		rc = err_set(e, ERR_INVALID, "household_id", "请指定所在户 / household_id is required");
	}
	if (rc)
		return rc;
	derive_from_id_card(in);
	rc = check_unique_id_card(c, in, 0, e);
	if (rc)
		return rc;
	char now[21];
	time_iso(time_now(), now);
	json_t *internal = name_columns(c, json_string_value(json_object_get(in, "name")), now);
	json_object_set_new(internal, "created_at", json_string(now));
	json_object_set_new(internal, "node_id", json_integer(p.node_id));
	json_object_set_new(internal, "node_path", json_string(p.path));
	if (p.community_id)
		json_object_set_new(internal, "community_id", json_integer(p.community_id));
	rc = fields_write(c, &ENT_PERSON, in, internal, 0, id, e);
	json_decref(internal);
	if (rc == 0)
		rc = write_tags(c, *id, p.path, json_object_get(in, "tags"), e);
	if (rc == 0)
		rc = sync_head(c, *id, p.household_id, json_object_get(in, "relation"), e);
	if (rc == 0)
		rc = store_run(c->db, e,
			       "INSERT INTO residence_history (person_id, household_id, node_id, moved_in, reason) "
			       "VALUES (?, ?, ?, ?, ?)",
			       "iiitt", *id, p.household_id, p.node_id, arena_strndup(c->a, now, 10),
			       "登记 / registered");
	return rc;
}

int person_create(const struct ctx *c, json_t *in, json_t **out, struct err *e)
{
	int rc = fields_validate(&ENT_PERSON, in, true, e);
	if (rc)
		return rc;
	int64_t id;
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = id_card_room(c, in, e);
	if (rc == 0)
		rc = person_insert(c, in, &id, e);
	if (rc == 0)
		rc = load_person(c, id, FV_EDIT, out, e);
	if (rc == 0)
		rc = audit_person(c, "create", id, NULL, e);
	rc = txn_finish(c, rc, e);
	if (rc == ERR_CONFLICT) {
		struct place p = {.path = "/"};
		json_t *hid = json_object_get(in, "household_id");
		struct err ignored = {0};
		if (json_is_integer(hid))
			household_place(c, json_integer_value(hid), &p, &ignored);
		rc = id_card_conflict(c, rc, e, in, p.path, e);
	}
	return rc;
}

int person_get(const struct ctx *c, int64_t id, bool reveal, json_t **out, struct err *e)
{
	struct place p;
	int rc = person_place(c, id, &p, e);
	if (rc == 0)
		rc = can_read(c, &p, e);
	if (rc == 0 && reveal)
		rc = authz_require(c->who, p.path, ACC_OFFICER, e);
	if (rc)
		return rc;
	if (!reveal)
		return load_person(c, id, FV_EDIT, out, e);
	/* A reveal is itself a recorded act. */
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = load_person(c, id, FV_FULL, out, e);
	if (rc == 0)
		rc = audit_reveal(c, "person", id, e);
	return txn_finish(c, rc, e);
}

/* What another list (organisation members …) shows of a person: the name
 * always, as the roles list does; the rest of the row, masked, only to
 * those who may read the person here. */
int registry_people_brief(const struct ctx *c, json_t *items, const char *key, struct err *e)
{
	static const char *const shown[] = {"gender", "age", "phone", "status"};
	size_t i;
	json_t *it;
	json_array_foreach (items, i, it) {
		int64_t pid = json_integer_value(json_object_get(it, key));
		struct place pl;
		json_t *row = NULL;
		int rc = pid > 0 ? person_place(c, pid, &pl, e) : ERR_NOT_FOUND;
		if (rc == 0)
			rc = load_person(c, pid, FV_EDIT, &row, e);
		if (rc == ERR_NOT_FOUND)
			continue;
		if (rc)
			return rc;
		json_t *brief = json_pack("{s:I, s:O}", "id", (json_int_t)pid, "name", json_object_get(row, "name"));
		struct err ignored = {0};
		if (can_read(c, &pl, &ignored) == 0)
			for (size_t k = 0; k < sizeof shown / sizeof *shown; k++)
				json_object_set(brief, shown[k], json_object_get(row, shown[k]));
		json_decref(row);
		json_object_set_new(it, "person", brief);
	}
	return 0;
}

int person_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e)
{
	struct place p;
	int rc = person_place(c, id, &p, e);
	if (rc == 0)
		rc = authz_require(c->who, p.path, ACC_WORKER, e);
	if (rc == 0)
		rc = fields_validate(&ENT_PERSON, in, false, e);
	if (rc)
		return rc;
	json_t *before = NULL;
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = id_card_room(c, in, e);
	if (rc == 0)
		rc = check_unique_id_card(c, in, id, e);
	if (rc == 0)
		rc = load_person(c, id, FV_MASKED, &before, e);
	if (rc == 0) {
		char now[21];
		time_iso(time_now(), now);
		json_t *name = json_object_get(in, "name");
		json_t *internal = name && json_is_string(name) ? name_columns(c, json_string_value(name), now)
								: json_pack("{s:s}", "updated_at", now);
		rc = fields_write(c, &ENT_PERSON, in, internal, id, NULL, e);
		json_decref(internal);
	}
	if (rc == 0 && json_object_get(in, "tags"))
		rc = write_tags(c, id, p.path, json_object_get(in, "tags"), e);
	if (rc == 0)
		rc = sync_head(c, id, p.household_id, json_object_get(in, "relation"), e);
	if (rc == 0)
		rc = load_person(c, id, FV_EDIT, out, e);
	if (rc == 0)
		rc = audit_person(c, "update", id, before, e);
	json_decref(before);
	return id_card_conflict(c, txn_finish(c, rc, e), e, in, p.path, e);
}

int person_move(const struct ctx *c, int64_t id, int64_t household_id, const char *date, const char *reason,
		const char *status, json_t **out, struct err *e)
{
	struct place from, to = {0};
	int rc = person_place(c, id, &from, e);
	if (rc == 0)
		rc = authz_require(c->who, from.path, ACC_WORKER, e);
	if (rc)
		return rc;
	if (!date || !time_valid_date(date))
		return err_set(e, ERR_INVALID, "date", "日期应为YYYY-MM-DD / date must be YYYY-MM-DD");
	if (reason) { /* text, so through a field table like every other */
		static const struct field why[] = {{"reason", FT_TEXT, FF_TRIM, 200, 0, "原因", "reason"}};
		json_t *r = json_pack("{s:s}", "reason", reason);
		rc =
		    r ? fields_check(why, 1, r, e) : err_set(e, ERR_INVALID, "reason", "原因不是有效文本 / bad reason");
		const char *norm = json_string_value(json_object_get(r, "reason"));
		reason = norm ? arena_strdup(c->a, norm) : NULL;
		json_decref(r);
		if (rc)
			return rc;
	}
	if (!status)
		status = household_id ? "active" : "moved_out";
	if (!household_id && strcmp(status, "moved_out") != 0 && strcmp(status, "deceased") != 0)
		return err_set(e, ERR_INVALID, "status",
			       "不迁入新户时状态应为moved_out或deceased / without a household, status must be "
			       "moved_out or deceased");
	if (household_id && strcmp(status, "active") != 0)
		return err_set(e, ERR_INVALID, "status",
			       "迁入新户时状态只能为active / moving into a household keeps status active");
	if (household_id) {
		rc = household_place(c, household_id, &to, e);
		if (rc)
			return rc == ERR_NOT_FOUND ? err_set(e, ERR_INVALID, "household_id",
							     "目标户不存在 / target household not found")
						   : rc;
		rc = authz_require(c->who, to.path, ACC_WORKER, e);
		if (rc)
			return rc;
		int64_t active = 0;
		store_int(c->db, NULL, &active, "SELECT status = 'active' FROM people WHERE id = ?", "i", id);
		if (household_id == from.household_id && active)
			return err_set(e, ERR_INVALID, "household_id", "已在该户 / already in that household");
		status = "active";
	}
	json_t *before = NULL;
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = load_person(c, id, FV_MASKED, &before, e);
	/* A stay cannot end before it began. */
	int64_t too_early = 0;
	if (rc == 0)
		rc = store_int(
		    c->db, e, &too_early,
		    "SELECT count(*) FROM residence_history WHERE person_id = ? AND moved_out IS NULL AND moved_in > ?",
		    "it", id, date);
	if (rc == 0 && too_early)
		rc = err_set(e, ERR_INVALID, "date", "日期早于本次入住日期 / date is before the current stay began");
	if (rc == 0)
		rc = store_run(c->db, e,
			       "UPDATE residence_history SET moved_out = ? WHERE person_id = ? AND moved_out IS NULL",
			       "ti", date, id);
	char now[21];
	time_iso(time_now(), now);
	if (rc == 0 && household_id) {
		rc = store_run(c->db, e,
			       "UPDATE people SET household_id = ?, node_id = ?, node_path = ?, community_id = "
			       "nullif(?, 0), status = 'active', "
			       "relation = NULL, updated_at = ? WHERE id = ?",
			       "iititi", household_id, to.node_id, to.path, to.community_id, now, id);
		if (rc == 0)
			rc = store_run(c->db, e, "UPDATE person_tags SET node_path = ? WHERE person_id = ?", "ti",
				       to.path, id);
		if (rc == 0)
			rc =
			    store_run(c->db, e,
				      "INSERT INTO residence_history (person_id, household_id, node_id, moved_in, "
				      "reason) VALUES (?, ?, ?, ?, ?)",
				      "iiitt", id, household_id, to.node_id, date, reason ? reason : "迁入 / moved in");
	} else if (rc == 0) {
		rc = store_run(c->db, e, "UPDATE people SET status = ?, updated_at = ? WHERE id = ?", "tti", status,
			       now, id);
		if (rc == 0 && reason)
			rc = store_run(c->db, e,
				       "UPDATE residence_history SET reason = reason || '；' || ? WHERE person_id = ? "
				       "AND moved_out = ?",
				       "tit", reason, id, date);
	}
	if (rc == 0 && from.household_id)
		rc = store_run(c->db, e,
			       "UPDATE households SET head_person_id = NULL WHERE id = ? AND head_person_id = ?", "ii",
			       from.household_id, id);
	if (rc == 0)
		rc = load_person(c, id, FV_EDIT, out, e);
	if (rc == 0)
		rc = audit_person(c, household_id ? "move_in" : "move_out", id, before, e);
	json_decref(before);
	return txn_finish(c, rc, e);
}

static bool all_alpha(const char *s)
{
	for (; *s; s++)
		if (!isalpha((unsigned char)*s))
			return false;
	return true;
}

static bool looks_numeric_id(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!isdigit((unsigned char)s[n]) && !((s[n] == 'x' || s[n] == 'X') && s[n + 1] == 0))
			return false;
	return n >= 7;
}

/* A person row of a list (page.h calls this per row); in name order it
 * shows the pinyin it is sorted by. */
static json_t *list_person_row(const struct ctx *c, struct store_stmt *st, void *ud)
{
	const struct person_filter *f = ud;
	json_t *p = person_row(c, st, f->reveal ? FV_FULL : f->masked ? FV_MASKED : FV_EDIT);
	if (f->by_name)
		json_object_set_new(p, "name_pinyin", json_string(store_col_text(st, ENT_PERSON.n + COL_PINYIN)));
	return p;
}

/* Rows a name or number search reads per page (about 10 ms): a page with
 * fewer matches ends with the cursor where it stopped. */
#define PERSON_SEARCH_WINDOW 20000
/* Subtrees up to this many residents are sorted by name whole. */
#define NAME_SORT_SMALL 2000

/*
 * The list's driver. In place order (the 台账's: by building and unit,
 * then registration) the subtree is one range of an index on (status,
 * node_path, id). In name order the index is (status, community_id,
 * name_pinyin, id) inside a community and (status, name_pinyin, id) above
 * one, with the subtree a residual filter. A household's members or a
 * full-number lookup are a few rows of their own index.
 */
static void person_driver(const struct ctx *c, const struct person_filter *f, const char *path, const char *status,
			  struct page_q *q)
{
	page_init(q);
	q->cols = arena_printf(c->a, "%s, households.address, people.name_pinyin, people.node_path",
			       fields_select(&ENT_PERSON, c->a));
	q->from = "people LEFT JOIN households ON households.id = people.household_id";
	q->driver = "people";
	q->order[0] = f->by_name ? "people.name_pinyin" : "people.node_path";
	q->order[1] = "people.id";
	if (status)
		page_key(q, c, "people.status = ?", (struct page_param){'t', 0, status});
	const char *end = arena_printf(c->a, "%s~", path);
	if (!f->by_name) {
		page_key(q, c, "people.node_path >= ?", (struct page_param){'t', 0, path});
		page_key(q, c, "people.node_path < ?", (struct page_param){'t', 0, end});
		return;
	}
	/* A small subtree (counted to at most NAME_SORT_SMALL + 1 entries of
	 * its range) is sorted by name whole: its page is then full. */
	int64_t small = 0;
	if (status)
		store_int(
		    c->db, NULL, &small,
		    "SELECT count(*) FROM (SELECT 1 FROM people WHERE people.status = ? AND people.node_path >= ? "
		    "AND people.node_path < ? LIMIT ?) s",
		    "ttti", status, path, end, (int64_t)NAME_SORT_SMALL + 1);
	else
		store_int(
		    c->db, NULL, &small,
		    "SELECT count(*) FROM (SELECT 1 FROM people WHERE people.node_path >= ? AND people.node_path < ? "
		    "LIMIT ?) s",
		    "tti", path, end, (int64_t)NAME_SORT_SMALL + 1);
	if (small <= NAME_SORT_SMALL) {
		page_key(q, c, "people.node_path >= ?", (struct page_param){'t', 0, path});
		page_key(q, c, "people.node_path < ?", (struct page_param){'t', 0, end});
		return;
	}
	int64_t node = tree_path_node(path), community = 0;
	store_int(c->db, NULL, &community, "SELECT coalesce(community_id, 0) FROM nodes WHERE id = ?", "i", node);
	if (community && status)
		page_key(q, c, "people.community_id = ?", (struct page_param){'i', community, 0});
	if (!community || community != node)
		page_filter(q, c, "people.node_path >= ? AND people.node_path < ?", path, end);
	/* The name order's index, named: with the subtree's range beside it the
	 * planner would take that range and sort it. */
	const char *index = !status ? "people_pinyin" : community ? "people_name_community" : "people_name_all";
	q->driver = arena_printf(c->a, "people INDEXED BY %s", index);
	q->from = arena_printf(c->a, "%s LEFT JOIN households ON households.id = people.household_id", q->driver);
}

int person_list(const struct ctx *c, struct person_filter *f, json_t **out, struct err *e)
{
	const char *path;
	int rc = registry_scope(c, f->node_id, &path, e);
	if (rc == 0 && f->reveal)
		rc = authz_require(c->who, path, ACC_OFFICER, e);
	if (rc)
		return rc;
	const char *status = f->status ? f->status : "active";
	if (!strcmp(status, "all"))
		status = NULL;
	struct page_q q;
	person_driver(c, f, path, status, &q);
	q.limit = f->limit > 0 ? f->limit : 50;
	if ((rc = page_after(c, &q, f->cursor, "ti", e)) != 0)
		return rc;
	unsigned char h[PII_HASH_BYTES];
	bool use_hash = false;
	enum pii_kind k = PII_PHONE;
	char canon[40];
	if (f->q && *f->q) {
		/* A search's filter is selective: it reads a wider window per page. */
		q.window = PERSON_SEARCH_WINDOW;
		if (looks_numeric_id(f->q)) {
			/* A lookup (core/lookup.h): worker access here, limited, audited. */
			if (authz_require(c->who, path, ACC_WORKER, e))
				return err_set(
				    e, ERR_FORBIDDEN, "q",
				    "按完整身份证号或电话查找需要该处的工作人员权限 / looking up a full ID-card "
				    "or phone number needs worker access here");
			k = strlen(f->q) == 18 ? PII_ID_CARD : PII_PHONE;
			if (pii_normalise(k, f->q, canon, sizeof canon, NULL) != 0)
				snprintf(canon, sizeof canon, "%s", f->q);
			pii_hash(c->pii_key, k, canon, h);
			use_hash = true;
			/* One person or two: the number's index, the subtree checked on them. */
			q.key = "";
			q.nk = 0;
			page_key(&q, c, k == PII_ID_CARD ? "people.id_card_hash = ?" : "people.phone_hash = ?",
				 (struct page_param){'b', PII_HASH_BYTES, (const char *)h});
			if (status)
				page_key(&q, c, "people.status = ?", (struct page_param){'t', 0, status});
			page_filter(&q, c, "people.node_path >= ? AND people.node_path < ?", path,
				    arena_printf(c->a, "%s~", path));
		} else if (all_alpha(f->q)) {
			char *low = arena_strdup(c->a, f->q);
			for (char *p = low; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			const char *up = arena_printf(c->a, "%s~", low);
			/* Initials 'wgb' or full pinyin 'wanggui', both as prefixes. */
			page_filter(&q, c, "(people.name_initials >= ? AND people.name_initials < ?", low, up);
			q.where =
			    arena_printf(c->a, "%s OR people.name_pinyin >= ? AND people.name_pinyin < ?)", q.where);
			q.rp[q.nr++] = (struct page_param){'t', 0, low};
			q.rp[q.nr++] = (struct page_param){'t', 0, up};
		} else {
			/* names are stored in NFC (fields.c), so the query is too */
			const char *nfc = textnorm_nfc(f->q, false, c->a);
			page_filter(&q, c, "instr(people.name, ?) > 0", nfc ? nfc : f->q, NULL);
		}
	}
	const struct {
		const char *val, *clause;
	} eq[] = {{f->residence, "people.residence = ?"},
		  {f->political_status, "people.political_status = ?"},
		  {f->gender, "people.gender = ?"},
		  {f->tag, "EXISTS (SELECT 1 FROM person_tags t WHERE t.person_id = people.id AND t.tag = ?)"}};
	for (size_t i = 0; i < sizeof eq / sizeof *eq; i++)
		if (eq[i].val && strcmp(eq[i].val, "all") != 0)
			page_filter(&q, c, eq[i].clause, eq[i].val, NULL);
	if (f->household_id) {
		q.key = "";
		q.nk = 0;
		page_key(&q, c, "people.household_id = ?", (struct page_param){'i', f->household_id, 0});
		if (status)
			page_key(&q, c, "people.status = ?", (struct page_param){'t', 0, status});
		page_filter(&q, c, "people.node_path >= ? AND people.node_path < ?", path,
			    arena_printf(c->a, "%s~", path));
	}
	/* A lookup's count, search and record are one transaction, so that
	 * concurrent lookups cannot overrun the limit. */
	rc = use_hash ? store_begin(c->db, e) : 0;
	if (rc == 0 && use_hash)
		rc = lookup_room(c, 1, e);
	json_t *arr = NULL;
	struct page_param next[2];
	if (rc == 0)
		rc = page_run(c, &q, list_person_row, f, &arr, next, e);
	if (rc == 0)
		f->next = page_cursor(c, next);
	if (rc == 0 && use_hash)
		rc = lookup_record(c, tree_path_node(path), "search", k, canon, (int64_t)json_array_size(arr), 1, e);
	if (use_hash)
		rc = txn_finish(c, rc, e);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int person_history(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	struct place p;
	int rc = person_place(c, id, &p, e);
	if (rc == 0)
		rc = can_read(c, &p, e);
	if (rc)
		return rc;
	struct store_stmt *st;
	rc = store_prepare(c->db,
			   "SELECT r.household_id, h.address, r.node_id, n.name, r.moved_in, r.moved_out, r.reason "
			   "FROM residence_history r "
			   "LEFT JOIN households h ON h.id = r.household_id LEFT JOIN nodes n ON n.id = r.node_id "
			   "WHERE r.person_id = ? ORDER BY r.id",
			   &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	json_t *arr = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW)
		json_array_append_new(arr,
				      json_pack("{s:I, s:s?, s:I, s:s?, s:s, s:s?, s:s?}", "household_id",
						(json_int_t)store_col_int(st, 0), "address", store_col_text(st, 1),
						"node_id", (json_int_t)store_col_int(st, 2), "node_name",
						store_col_text(st, 3), "moved_in", store_col_text(st, 4), "moved_out",
						store_col_text(st, 5), "reason", store_col_text(st, 6)));
	store_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

static const char *household_cols(const struct ctx *c)
{
	return arena_printf(
	    c->a,
	    "%s, nodes.name, (SELECT count(*) FROM people WHERE people.household_id = households.id AND "
	    "people.status = 'active')",
	    fields_select(&ENT_HOUSEHOLD, c->a));
}

#define HOUSEHOLD_FROM "households JOIN nodes ON nodes.id = households.node_id"

static const char *household_select(const struct ctx *c)
{
	return arena_printf(c->a, "SELECT %s FROM " HOUSEHOLD_FROM " ", household_cols(c));
}

static json_t *household_row(const struct ctx *c, struct store_stmt *st)
{
	json_t *o = fields_row(&ENT_HOUSEHOLD, st, 0, c, false);
	json_object_set_new(o, "node_name", json_string(store_col_text(st, ENT_HOUSEHOLD.n)));
	json_object_set_new(o, "member_count", json_integer(store_col_int(st, ENT_HOUSEHOLD.n + 1)));
	return o;
}

static int load_household(const struct ctx *c, int64_t id, json_t **out, struct err *e)
{
	return rows_one(c, household_select(c), "households", id, household_row, "户 / household", out, e);
}

/* Inserts a validated household inside an open transaction. */
static int household_insert(const struct ctx *c, json_t *in, int64_t *id, struct err *e)
{
	int64_t node_id = json_integer_value(json_object_get(in, "node_id"));
	const char *path;
	int rc = tree_path(c, node_id, &path, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_INVALID, "node_id", "节点%lld不存在 / node %lld not found", (long long)node_id,
			       (long long)node_id);
	if (rc == 0)
		rc = authz_require(c->who, path, ACC_WORKER, e);
	int64_t comm = 0, retired = 0;
	if (rc == 0)
		rc = store_int(c->db, e, &retired, "SELECT retired_at IS NOT NULL FROM nodes WHERE id = ?", "i",
			       node_id);
	if (rc == 0 && retired)
		rc = err_set(e, ERR_INVALID, "node_id", "节点已撤销 / node is retired");
	if (rc == 0)
		store_int(c->db, NULL, &comm, "SELECT coalesce(community_id, 0) FROM nodes WHERE id = ?", "i", node_id);
	if (rc)
		return rc;
	char now[21];
	time_iso(time_now(), now);
	json_t *internal = json_pack("{s:s, s:s, s:s}", "node_path", path, "created_at", now, "updated_at", now);
	if (comm)
		json_object_set_new(internal, "community_id", json_integer(comm));
	rc = fields_write(c, &ENT_HOUSEHOLD, in, internal, 0, id, e);
	json_decref(internal);
	return rc;
}

int household_create(const struct ctx *c, json_t *in, json_t **out, struct err *e)
{
	int rc = fields_validate(&ENT_HOUSEHOLD, in, true, e);
	if (rc)
		return rc;
	int64_t id;
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = household_insert(c, in, &id, e);
	if (rc == 0)
		rc = load_household(c, id, out, e);
	if (rc == 0)
		rc = audit_log(c, "create", "household", id, NULL, *out, e);
	return txn_finish(c, rc, e);
}

int household_get(const struct ctx *c, int64_t id, bool reveal, json_t **out, struct err *e)
{
	struct place p;
	int rc = household_place(c, id, &p, e);
	if (rc == 0)
		rc = can_read(c, &p, e);
	if (rc == 0 && reveal)
		rc = authz_require(c->who, p.path, ACC_OFFICER, e);
	if (rc == 0)
		rc = load_household(c, id, out, e);
	if (rc)
		return rc;
	struct store_stmt *st;
	rc = store_prepare(
	    c->db,
	    arena_printf(c->a, "%s WHERE people.household_id = ? AND people.status = 'active' ORDER BY people.id",
			 person_select(c)),
	    &st, e);
	if (rc)
		return rc;
	store_bind(st, "i", id);
	json_t *members = json_array();
	while ((rc = store_step(st, e)) == STORE_ROW)
		json_array_append_new(members, person_row(c, st, reveal ? FV_FULL : FV_EDIT));
	store_done(st);
	json_object_set_new(*out, "members", members);
	if (rc < 0)
		return rc;
	if (reveal) {
		rc = store_begin(c->db, e);
		if (rc == 0)
			rc = audit_reveal(c, "household", id, e);
		rc = txn_finish(c, rc, e);
	}
	return rc;
}

int household_update(const struct ctx *c, int64_t id, json_t *in, json_t **out, struct err *e)
{
	struct place p;
	int rc = household_place(c, id, &p, e);
	if (rc == 0)
		rc = authz_require(c->who, p.path, ACC_WORKER, e);
	if (rc == 0)
		rc = fields_validate(&ENT_HOUSEHOLD, in, false, e);
	if (rc)
		return rc;
	return rows_update(c, &ENT_HOUSEHOLD, id, in, NULL, load_household, out, e);
}

int household_list(const struct ctx *c, int64_t node_id, const char *tenure, const char *cursor, int limit,
		   json_t **out, const char **next, struct err *e)
{
	const char *path;
	int rc = registry_scope(c, node_id, &path, e);
	struct page_q q;
	if (rc == 0)
		rc = page_place(c, &q, "households", household_cols(c), HOUSEHOLD_FROM, path, cursor, limit, e);
	if (rc)
		return rc;
	if (tenure)
		page_filter(&q, c, "households.tenure = ?", tenure, NULL);
	return page_list(c, &q, household_row, out, next, e);
}

/* Bulk registration: the same inserts as the create calls, without the
 * read-back and the audit row per record, in the job's transaction. */
static int batch_open(const struct ctx *c, struct err *e)
{
	if (!store_in_txn(c->db))
		return err_set(e, ERR_INTERNAL, NULL, "bulk registration outside a transaction");
	return 0;
}

int registry_batch_household(const struct ctx *c, struct registry_batch *b, json_t *in, int64_t *id, struct err *e)
{
	int rc = batch_open(c, e);
	if (rc == 0)
		rc = fields_validate(&ENT_HOUSEHOLD, in, true, e);
	if (rc == 0)
		rc = household_insert(c, in, id, e);
	if (rc == 0)
		b->households++;
	return rc;
}

int registry_batch_person(const struct ctx *c, struct registry_batch *b, json_t *in, int64_t *id, struct err *e)
{
	int rc = batch_open(c, e);
	if (rc == 0)
		rc = fields_validate(&ENT_PERSON, in, true, e);
	if (rc == 0)
		rc = person_insert(c, in, id, e);
	if (rc == 0)
		b->people++;
	else if (rc == ERR_CONFLICT && e && !strcmp(e->field, "id_card"))
		b->id_conflicts++;
	return rc;
}

int registry_batch_audit(const struct ctx *c, const struct registry_batch *b, const char *action, int64_t node_id,
			 json_t *summary, struct err *e)
{
	json_t *after = summary ? json_deep_copy(summary) : json_object();
	json_object_set_new(after, "people", json_integer(b->people));
	json_object_set_new(after, "households", json_integer(b->households));
	int rc = audit_log(c, action, "node", node_id, NULL, after, e);
	json_decref(after);
	return rc;
}

int registry_place_residents(const struct ctx *c, int64_t node, const char *const *kinds, struct place_resident **out,
			     size_t *n, struct err *e)
{
	const char *path;
	int rc = registry_scope(c, node, &path, e);
	if (rc)
		return rc;
	struct buf sql = {0};
	buf_puts(&sql, "SELECT n.id, (SELECT p.id FROM people p WHERE p.node_path = n.path LIMIT 1) FROM nodes n "
		       "WHERE n.path >= ? AND n.path < ? AND n.kind IN (");
	int nk = 0;
	for (; kinds[nk]; nk++)
		buf_puts(&sql, nk ? ", ?" : "?");
	buf_puts(&sql, ") ORDER BY n.id");
	struct store_stmt *st;
	rc = store_prepare(c->db, buf_cstr(&sql), &st, e);
	buf_free(&sql);
	if (rc)
		return rc;
	store_bind_at(st, 1, 't', path);
	store_bind_at(st, 2, 't', arena_printf(c->a, "%s~", path));
	for (int i = 0; i < nk; i++)
		store_bind_at(st, 3 + i, 't', kinds[i]);
	size_t cap = 1024;
	*n = 0;
	*out = arena_alloc(c->a, cap * sizeof **out);
	while ((rc = store_step(st, e)) == STORE_ROW) {
		if (*n == cap) {
			/* The arena does not grow in place: copy into a block twice the size. */
			struct place_resident *more = arena_alloc(c->a, 2 * cap * sizeof *more);
			memcpy(more, *out, cap * sizeof *more);
			*out = more;
			cap *= 2;
		}
		(*out)[(*n)++] = (struct place_resident){store_col_int(st, 0), store_col_int(st, 1)};
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}
