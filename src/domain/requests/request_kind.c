/*
 * request_kind.c — the residents' request kind as data: its states and
 * their phases, its actions with their input fields, who may take them and
 * their effects (the engine's, and the rating, which is the request's own).
 */
#include <string.h>

#include "base/timeutil.h"
#include "domain/cases/case_effects.h"
#include "domain/cases/case_internal.h"
#include "domain/requests/requests.h"
#include "store/store.h"

#define N(arr) ((int)(sizeof(arr) / sizeof((arr)[0])))
#define OPEN   "new accepted waiting referred"

static const struct case_state states[] = {
    {"new", "新收", "New", CASE_OPEN, true},
    {"accepted", "办理中", "In progress", CASE_OPEN, false},
    {"waiting", "待居民补充", "Waiting for the resident", CASE_WAITING, false},
    {"referred", "已转办", "Referred", CASE_OPEN, false},
    {"resolved", "已办结待评价", "Resolved, awaiting rating", CASE_RESOLVED, false},
    {"closed", "已归档", "Closed", CASE_CLOSED, false},
    {0}};

#define TEXT(max)   FT_TEXT, FF_MULTILINE, max, 0
#define NEEDED(max) FT_TEXT, FF_REQUIRED | FF_MULTILINE, max, 0
static const struct field in_accept[] = {{"note", TEXT(2000), "接单说明（可不填）", "Note (optional)"}};
static const struct field in_note[] = {{"note", NEEDED(2000), "记录内容", "Note"},
				       {"public", FT_BOOL, 0, 0, 0, "居民可见", "Visible to the resident"}};
static const struct field in_ask[] = {{"note", NEEDED(2000), "需要居民补充的内容", "What the resident should add"}};
static const struct field in_reply[] = {{"note", NEEDED(2000), "补充内容", "Your reply"}};
static const struct field in_handover[] = {{"orgs", FT_LIST, FF_REQUIRED, 10, 0, "承办单位", "Organisations"},
					   {"note", TEXT(2000), "交办说明（可不填）", "Instructions (optional)"}};
static const struct field in_org_done[] = {{"note", NEEDED(2000), "记录内容", "Note"},
					   {"org_id", FT_REF, 0, 0, 0, "单位编号", "Organisation number"}};
static const struct field in_resolve[] = {{"outcome", NEEDED(2000), "办理结果", "Outcome"}};
static const struct field in_reason[] = {{"reason", FT_TEXT, FF_REQUIRED, 500, 0, "原因", "Reason"}};
static const struct field in_merge[] = {
    {"into", FT_REF, FF_REQUIRED, 0, 0, "合并到的诉求编号", "Number of the request to merge into"},
    {"note", TEXT(2000), "说明（可不填）", "Note (optional)"}};
static const struct field in_rate[] = {{"rating", FT_ENUM, FF_REQUIRED, 0, REQUEST_RATINGS, "评价", "Rating"},
				       {"comment", FT_TEXT, FF_MULTILINE, 500, 0, "评价说明", "Comment"}};
static const struct field in_publish[] = {{"public", FT_BOOL, FF_REQUIRED, 0, 0, "公开", "Public"}};

/* The resident's verdict. 满意/基本满意 close the request; the first 不满意
 * reopens it at the same level; after that it goes up a level (or, at the
 * top, is reopened there once more). */
static int fx_rate(struct case_step *s, struct err *e)
{
	const struct ctx *c = s->c;
	struct case_core *k = s->k;
	const char *rating = json_string_value(json_object_get(s->in, "rating"));
	const char *comment = json_string_value(json_object_get(s->in, "comment"));
	int rc =
	    store_run(c->db, e, "UPDATE requests SET rating = ?, rating_comment = ?, rated_at = ? WHERE case_id = ?",
		      "ttti", rating, comment, s->now, k->id);
	if (rc == 0)
		rc = case_event(c, k, arena_printf(c->a, "rated_%s", rating), NULL, 0, 0, comment, true, e);
	if (rc)
		return rc;
	if (strcmp(rating, "unsatisfied") != 0) {
		rc = case_set_state(c, k, "closed", e);
		if (rc == 0)
			rc = store_run(c->db, e, "UPDATE cases SET closed_at = ? WHERE id = ?", "ti", s->now, k->id);
		return rc ? rc : case_event(c, k, "closed", "closed", 0, 0, NULL, true, e);
	}
	int64_t target = 0;
	if (k->reopened > 0)
		rc = case_parent_target(c, k->node_id, &target, e);
	if (rc == 0)
		rc = store_run(c->db, e, "UPDATE cases SET reopened = reopened + 1, resolved_at = NULL WHERE id = ?",
			       "i", k->id);
	if (rc)
		return rc;
	if (target)
		return case_escalate(c, k, "居民再次不满意 / the resident is still not satisfied", false, e);
	rc = case_land(c, k, k->node_id, time_now(), e);
	if (rc == 0)
		rc = case_set_state(c, k, "accepted", e);
	return rc ? rc : case_event(c, k, "reopened", "accepted", 0, 0, NULL, true, e);
}

/* code, labels, from states, to state, who, input, effect; then options. */
#define ACTION(c_, zh_, en_, from_, to_, who_, in_, fx_)                                                               \
	.code = (c_), .zh = (zh_), .en = (en_), .from = (from_), .to = (to_), .who = (who_), .input = (in_),           \
	.ninput = N(in_), .effect = (fx_)
static const struct case_action actions[] = {
    {ACTION("accept", "接单", "Accept", "new waiting", "accepted", WHO_HANDLER, in_accept, case_fx_accept),
     .flags = ACT_PRIMARY},
    {ACTION("note", "添加办理记录", "Add a note", OPEN " resolved", NULL, WHO_HANDLER | WHO_ORG, in_note,
	    case_fx_note)},
    {ACTION("ask", "请居民补充", "Ask the resident", "new accepted referred", "waiting", WHO_HANDLER, in_ask,
	    case_fx_ask)},
    {ACTION("reply", "补充情况", "Reply", "waiting", "accepted", WHO_REPORTER, in_reply, case_fx_reply),
     .flags = ACT_PRIMARY},
    {ACTION("handover", "转交单位", "Hand over", "new accepted waiting", "referred", WHO_HANDLER, in_handover,
	    case_fx_handover)},
    {ACTION("org_done", "本单位已完成", "Our part is done", "referred", NULL, WHO_HANDLER | WHO_ORG, in_org_done,
	    case_fx_org_done),
     .when = case_org_part_open},
    {ACTION("resolve", "办结", "Resolve", OPEN, "resolved", WHO_HANDLER | WHO_ORG_LEAD, in_resolve, case_fx_resolve),
     .flags = ACT_PRIMARY},
    {ACTION("escalate", "上报上级", "Escalate", OPEN, NULL, WHO_HANDLER, in_reason, case_fx_escalate),
     .flags = ACT_CONFIRM, .confirm_zh = "确定上报到上一级吗？上报后由上级办理。",
     .confirm_en = "Escalate to the level above? It will be handled there."},
    {ACTION("close", "归档", "Close", OPEN " resolved", "closed", WHO_HANDLER, in_reason, case_fx_close),
     .flags = ACT_CONFIRM, .confirm_zh = "确定归档此诉求吗？归档后不能再办理。",
     .confirm_en = "Close this request? It cannot be handled afterwards."},
    {ACTION("merge", "合并到其他诉求", "Merge into another", OPEN, "closed", WHO_HANDLER, in_merge, case_fx_merge),
     .flags = ACT_CONFIRM, .confirm_zh = "确定将此诉求合并到所填编号的诉求并归档吗？",
     .confirm_en = "Merge this request into the one numbered and close it?"},
    {ACTION("rate", "评价", "Rate", "resolved", NULL, WHO_REPORTER, in_rate, fx_rate), .flags = ACT_PRIMARY},
    {ACTION("publish", "公开设置", "Publicity", OPEN " resolved closed", NULL, WHO_HANDLER, in_publish,
	    case_fx_publish),
     .flags = ACT_DIRECT, .suggest = case_publish_suggest, .label = case_publish_label},
    {0}};

static const struct case_label events[] = {{"rated_satisfied", "居民评价：满意 / rated: satisfied"},
					   {"rated_basic", "居民评价：基本满意 / rated: basically satisfied"},
					   {"rated_unsatisfied", "居民评价：不满意 / rated: not satisfied"},
					   {"reopened", "重新办理 / reopened"},
					   {0}};

const struct case_kind REQUEST_KIND = {
    .code = "request",
    .path = "requests",
    .zh = "民情诉求",
    .en = "resident request",
    .states = states,
    .actions = actions,
    .read = READ_PUBLISHED,
    .rate_days = 7,
    .events = events,
    .side = &ENT_REQUEST,
    .create_check = request_create_check,
};
