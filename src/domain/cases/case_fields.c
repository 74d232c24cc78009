/*
 * case_fields.c — the field table of the `cases` table: what every kind of
 * case has. A kind's own fields live in its side table, described by the
 * kind's own entity (case_kind.side). Columns the engine keeps for itself
 * (paths, clocks it does not show, who recorded it) are not fields: they
 * are never input and never part of a record.
 */
#include "domain/cases/cases.h"

#define RO    FF_READONLY
#define SHOWN (FF_READONLY | FF_NOEXPORT)

static const struct enum_val phase_vals[] = {{"open", "办理中", "open"},
					     {"waiting", "等待中", "waiting"},
					     {"resolved", "待评价", "resolved"},
					     {"closed", "已结束", "closed"},
					     {0}};

static const struct field case_fields[] = {
    {"id", FT_INT, RO, 0, 0, "编号", "number"},
    {"kind", FT_TEXT, RO, 0, 0, "事项类型", "kind"},
    {"category", FT_TEXT, FF_REQUIRED | FF_NOUPDATE | FF_TRIM, 40, 0, "类别", "category"},
    {"title", FT_TEXT, FF_TRIM, 100, 0, "标题", "title"},
    {"description", FT_TEXT, FF_REQUIRED | FF_MULTILINE | FF_TRIM, 5000, 0, "描述", "description"},
    {"status", FT_TEXT, RO, 0, 0, "状态", "status"},
    {"phase", FT_ENUM, RO, 0, phase_vals, "阶段", "phase"},
    {"place_node_id", FT_REF, FF_NOUPDATE, 0, 0, "问题位置", "place"},
    {"address", FT_TEXT, FF_TRIM, 200, 0, "地址", "address"},
    {"lat", FT_REAL, 0, 90, 0, "纬度", "latitude"},
    {"lng", FT_REAL, 0, 180, 0, "经度", "longitude"},
    {"node_id", FT_REF, RO, 0, 0, "办理节点", "handling node"},
    {"origin_node_id", FT_REF, RO, 0, 0, "首办节点", "first handling node"},
    {"reporter_person_id", FT_REF, FF_NOUPDATE, 0, 0, "反映人编号", "reporter"},
    {"reporter_name", FT_TEXT, FF_TRIM | FF_NAME, 50, 0, "反映人姓名", "reporter's name"},
    {"reporter_phone", FT_PII_PHONE, 0, 0, 0, "反映人电话", "reporter's phone"},
    {"anonymous", FT_BOOL, FF_NOTNULL, 0, 0, "匿名", "anonymous"},
    {"is_public", FT_BOOL, FF_NOTNULL, 0, 0, "公开", "public"},
    {"merged_into", FT_REF, RO, 0, 0, "合并到", "merged into"},
    {"escalations", FT_INT, RO, 0, 0, "上报次数", "escalations"},
    {"reopened", FT_INT, RO, 0, 0, "重新办理次数", "times reopened"},
    {"landed_at", FT_TEXT, SHOWN, 0, 0, "到达本级时间", "arrived at this level"},
    {"respond_due", FT_TEXT, RO, 0, 0, "响应时限", "respond by"},
    {"resolve_due", FT_TEXT, RO, 0, 0, "办结时限", "resolve by"},
    {"first_response_at", FT_TEXT, RO, 0, 0, "首次响应时间", "first response"},
    {"resolved_at", FT_TEXT, RO, 0, 0, "办结时间", "resolved at"},
    {"closed_at", FT_TEXT, RO, 0, 0, "归档时间", "closed at"},
    {"outcome", FT_TEXT, RO, 0, 0, "办理结果", "outcome"},
    {"close_reason", FT_TEXT, RO, 0, 0, "归档原因", "reason closed"},
    {"overdue", FT_BOOL, RO, 0, 0, "超时", "overdue"},
    {"created_at", FT_TEXT, RO, 0, 0, "反映时间", "reported at"},
    {"updated_at", FT_TEXT, SHOWN, 0, 0, "更新时间", "updated at"},
};
const struct entity ENT_CASE = ENTITY("case", "cases", case_fields);

/* A kind's categories (a request's 楼道灯, 下水道 …; a dispute's types):
 * the deepest level that may handle them and their time limits. */
static const struct field category_fields[] = {
    {"code", FT_TEXT, FF_REQUIRED | FF_NOUPDATE | FF_SLUG, 40, 0, "代码", "code"},
    {"kind", FT_TEXT, FF_READONLY | FF_NOUPDATE, 0, 0, "事项类型", "kind"},
    {"name_zh", FT_TEXT, FF_REQUIRED | FF_TRIM | FF_NAME, 20, 0, "中文名称", "Chinese name"},
    {"name_en", FT_TEXT, FF_REQUIRED | FF_TRIM | FF_NAME, 40, 0, "英文名称", "English name"},
    {"level", FT_INT, FF_REQUIRED, 20, 0, "办理层级", "handling level"},
    {"respond_hours", FT_INT, FF_REQUIRED, 8760, 0, "响应时限（小时）", "respond within (hours)"},
    {"resolve_hours", FT_INT, FF_REQUIRED, 8760, 0, "办结时限（小时）", "resolve within (hours)"},
    {"active", FT_BOOL, FF_NOTNULL, 0, 0, "启用", "active"},
    {"sort_order", FT_INT, FF_NOTNULL, 1000000, 0, "排序", "sort order"},
};
const struct entity ENT_CATEGORY = ENTITY_KEYED("category", "categories", category_fields, "code");
