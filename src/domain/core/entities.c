/*
 * entities.c — the field tables of the foundation entities.
 *
 * The single description of each field: its JSON key and column, type,
 * limits, and its Chinese and English labels (used as import/export
 * headers). Enumerations carry their Chinese labels for 台账 files;
 * those a deployment extends (organisation kinds, member roles) are data
 * (FT_CODE) and their labels live in their tables.
 */
#include "domain/core/fields.h"

static const struct enum_val gender_vals[] = {{"M", "男", "male"}, {"F", "女", "female"}, {0}};
static const struct enum_val political_vals[] = {{"masses", "群众", "masses"},
						 {"party_member", "中共党员", "party member"},
						 {"probationary_member", "中共预备党员", "probationary member"},
						 {"league_member", "共青团员", "league member"},
						 {"democratic_party", "民主党派", "democratic party"},
						 {"other", "其他", "other"},
						 {0}};
static const struct enum_val relation_vals[] = {{"head", "户主", "head"},
						{"spouse", "配偶", "spouse"},
						{"child", "子女", "child"},
						{"parent", "父母", "parent"},
						{"grandchild", "孙辈", "grandchild"},
						{"grandparent", "祖辈", "grandparent"},
						{"sibling", "兄弟姐妹", "sibling"},
						{"in_law", "姻亲", "in-law"},
						{"tenant", "租户", "tenant"},
						{"other", "其他", "other"},
						{0}};
static const struct enum_val residence_vals[] = {
    {"permanent", "常住", "permanent"}, {"floating", "流动", "floating"}, {0}};
static const struct enum_val person_status_vals[] = {
    {"active", "在册", "active"}, {"moved_out", "迁出", "moved out"}, {"deceased", "已故", "deceased"}, {0}};
static const struct enum_val tenure_vals[] = {{"owned", "自住", "owned"},
					      {"rented", "出租", "rented"},
					      {"public", "公租房", "public housing"},
					      {"other", "其他", "other"},
					      {0}};
static const struct enum_val hh_status_vals[] = {{"active", "在册", "active"}, {"closed", "注销", "closed"}, {0}};
static const struct enum_val selection_vals[] = {{"self", "个人自荐", "self-recommended"},
						 {"mass", "群众推荐", "recommended by residents"},
						 {"appointed", "组织任命", "appointed"},
						 {"elected", "选举产生", "elected"},
						 {0}};
static const struct field node_fields[] = {
    {"id", FT_INT, FF_READONLY, 0, 0, "编号", "ID"},
    {"parent_id", FT_REF, FF_NOUPDATE, 0, 0, "上级", "parent"},
    {"kind", FT_TEXT, FF_REQUIRED | FF_NOUPDATE, 32, 0, "层级类型", "kind"},
    {"name", FT_TEXT, FF_REQUIRED | FF_NAME, 100, 0, "名称", "name"},
    {"path", FT_TEXT, FF_READONLY, 0, 0, "路径", "path"},
    {"depth", FT_INT, FF_READONLY, 0, 0, "深度", "depth"},
    {"community_id", FT_INT, FF_READONLY, 0, 0, "所属社区", "community"},
    {"linked_node_id", FT_REF, 0, 0, 0, "关联组织节点", "linked node"},
    {"address", FT_TEXT, 0, 200, 0, "地址", "address"},
    {"sort_order", FT_INT, FF_NOTNULL, 1000000, 0, "排序", "sort order"},
    {"retired_at", FT_TEXT, FF_READONLY, 0, 0, "撤销时间", "retired at"},
    {"created_at", FT_TEXT, FF_READONLY | FF_NOEXPORT, 0, 0, "创建时间", "created at"},
    {"updated_at", FT_TEXT, FF_READONLY | FF_NOEXPORT, 0, 0, "更新时间", "updated at"},
};
const struct entity ENT_NODE = ENTITY("node", "nodes", node_fields);

static const struct field household_fields[] = {
    {"id", FT_INT, FF_READONLY, 0, 0, "户编号", "household ID"},
    {"node_id", FT_REF, FF_REQUIRED | FF_NOUPDATE, 0, 0, "所属节点", "node"},
    {"address", FT_TEXT, FF_REQUIRED, 200, 0, "门牌地址", "address"},
    {"tenure", FT_ENUM, FF_NOTNULL, 0, tenure_vals, "房屋性质", "tenure"},
    {"head_person_id", FT_REF, FF_READONLY, 0, 0, "户主编号", "head person ID"},
    {"status", FT_ENUM, FF_READONLY, 0, hh_status_vals, "状态", "status"},
    {"note", FT_TEXT, FF_MULTILINE, 1000, 0, "备注", "note"},
    {"created_at", FT_TEXT, FF_READONLY | FF_NOEXPORT, 0, 0, "创建时间", "created at"},
    {"updated_at", FT_TEXT, FF_READONLY | FF_NOEXPORT, 0, 0, "更新时间", "updated at"},
};
const struct entity ENT_HOUSEHOLD = ENTITY("household", "households", household_fields);

static const struct field person_fields[] = {
    {"id", FT_INT, FF_READONLY, 0, 0, "人员编号", "person ID"},
    {"household_id", FT_REF, FF_NOUPDATE, 0, 0, "户编号", "household ID"},
    {"name", FT_TEXT, FF_REQUIRED | FF_NAME, 50, 0, "姓名", "name"},
    {"gender", FT_ENUM, 0, 0, gender_vals, "性别", "gender"},
    {"birth_date", FT_DATE, FF_PERSONAL, 0, 0, "出生日期", "birth date"},
    {"id_card", FT_PII_ID, 0, 0, 0, "身份证号", "ID card"},
    {"phone", FT_PII_PHONE, 0, 0, 0, "联系电话", "phone"},
    {"ethnicity", FT_TEXT, 0, 20, 0, "民族", "ethnicity"},
    {"political_status", FT_ENUM, 0, 0, political_vals, "政治面貌", "political status"},
    {"relation", FT_ENUM, 0, 0, relation_vals, "与户主关系", "relation to head"},
    {"residence", FT_ENUM, FF_NOTNULL, 0, residence_vals, "居住类型", "residence"},
    {"status", FT_ENUM, FF_READONLY, 0, person_status_vals, "人员状态", "status"},
    {"tags", FT_TAGS, FF_NOTNULL, 0, 0, "关爱标签", "care tags"},
    {"note", FT_TEXT, FF_MULTILINE, 1000, 0, "备注", "note"},
    {"node_id", FT_INT, FF_READONLY | FF_NOEXPORT, 0, 0, "所属节点", "node"},
    {"created_at", FT_TEXT, FF_READONLY | FF_NOEXPORT, 0, 0, "创建时间", "created at"},
    {"updated_at", FT_TEXT, FF_READONLY | FF_NOEXPORT, 0, 0, "更新时间", "updated at"},
};
const struct entity ENT_PERSON = ENTITY("person", "people", person_fields);

static const struct field role_fields[] = {
    {"id", FT_INT, FF_READONLY, 0, 0, "编号", "ID"},
    {"node_id", FT_REF, FF_REQUIRED | FF_NOUPDATE, 0, 0, "节点", "node"},
    {"person_id", FT_REF, FF_REQUIRED | FF_NOUPDATE, 0, 0, "人员", "person"},
    {"role", FT_TEXT, FF_REQUIRED | FF_NOUPDATE, 32, 0, "职务", "role"},
    {"start_date", FT_DATE, FF_REQUIRED, 0, 0, "任职开始", "start date"},
    {"end_date", FT_DATE, 0, 0, 0, "任职结束", "end date"},
    {"public_phone", FT_TEXT, 0, 40, 0, "公示电话", "public phone"},
    {"selection", FT_ENUM, 0, 0, selection_vals, "产生方式", "selection"},
    {"note", FT_TEXT, FF_MULTILINE, 500, 0, "备注", "note"},
    {"created_at", FT_TEXT, FF_READONLY | FF_NOEXPORT, 0, 0, "创建时间", "created at"},
};
const struct entity ENT_ROLE = ENTITY("role", "roles", role_fields);

static const struct field org_fields[] = {
    {"id", FT_INT, FF_READONLY, 0, 0, "编号", "ID"},
    {"node_id", FT_REF, FF_REQUIRED, 0, 0, "所属节点", "node"},
    {"kind", FT_CODE, FF_REQUIRED, 32, FIELD_SOURCE("org_kinds"), "类型", "kind"},
    {"name", FT_TEXT, FF_REQUIRED | FF_NAME, 100, 0, "名称", "name"},
    {"contact_name", FT_TEXT, FF_NAME, 50, 0, "联系人", "contact"},
    {"contact_phone", FT_TEXT, 0, 40, 0, "联系电话", "contact phone"},
    {"address", FT_TEXT, 0, 200, 0, "地址", "address"},
    {"note", FT_TEXT, FF_MULTILINE, 1000, 0, "备注", "note"},
    {"retired_at", FT_TEXT, FF_READONLY, 0, 0, "撤销时间", "retired at"},
    {"created_at", FT_TEXT, FF_READONLY | FF_NOEXPORT, 0, 0, "创建时间", "created at"},
    {"updated_at", FT_TEXT, FF_READONLY | FF_NOEXPORT, 0, 0, "更新时间", "updated at"},
};
const struct entity ENT_ORG = ENTITY("org", "orgs", org_fields);

/* Organisation kinds and member roles share one shape; kinds also list the
 * member roles they allow, which live in org_kind_roles (see org_kinds.h). */
static const struct field org_kind_fields[] = {
    {"id", FT_INT, FF_READONLY, 0, 0, "编号", "ID"},
    {"code", FT_TEXT, FF_REQUIRED | FF_NOUPDATE | FF_SLUG, 32, 0, "代码", "code"},
    {"name_zh", FT_TEXT, FF_REQUIRED | FF_TRIM | FF_NAME, 20, 0, "中文名称", "Chinese name"},
    {"name_en", FT_TEXT, FF_REQUIRED | FF_TRIM | FF_NAME, 60, 0, "英文名称", "English name"},
    {"sort_order", FT_INT, FF_NOTNULL, 1000000, 0, "排序", "sort order"},
    {"active", FT_BOOL, FF_NOTNULL, 0, 0, "启用", "active"},
    {"created_at", FT_TEXT, FF_READONLY | FF_NOEXPORT, 0, 0, "创建时间", "created at"},
    {"updated_at", FT_TEXT, FF_READONLY | FF_NOEXPORT, 0, 0, "更新时间", "updated at"},
};
/* A kind's member roles: a list kept in org_kind_roles (org_kinds.c checks
 * each code and writes the list). */
static const struct field org_kind_input[] = {{"roles", FT_LIST, FF_REQUIRED, 20, 0, "成员职务", "member roles"}};
const struct entity ENT_ORG_KIND = {.name = "org_kind",
				    .table = "org_kinds",
				    .f = org_kind_fields,
				    .n = (int)(sizeof org_kind_fields / sizeof *org_kind_fields),
				    .key = "code",
				    .extra = org_kind_input,
				    .nextra = 1};
const struct entity ENT_ORG_MEMBER_ROLE = ENTITY_KEYED("org_member_role", "org_member_roles", org_kind_fields, "code");

static const struct field org_member_fields[] = {
    {"id", FT_INT, FF_READONLY, 0, 0, "编号", "ID"},
    {"org_id", FT_REF, FF_READONLY, 0, 0, "组织", "organisation"},
    {"person_id", FT_REF, FF_REQUIRED | FF_NOUPDATE, 0, 0, "人员", "person"},
    {"user_id", FT_REF, FF_NOUPDATE, 0, 0, "账号", "account"},
    {"role", FT_CODE, FF_REQUIRED | FF_NOUPDATE, 32, FIELD_SOURCE("org_member_roles"), "成员职务", "member role"},
    {"start_date", FT_DATE, FF_NOTNULL, 0, 0, "开始日期", "start date"},
    {"end_date", FT_DATE, FF_NOUPDATE, 0, 0, "结束日期", "end date"},
    {"note", FT_TEXT, FF_TRIM | FF_MULTILINE, 500, 0, "备注", "note"},
    {"created_at", FT_TEXT, FF_READONLY | FF_NOEXPORT, 0, 0, "创建时间", "created at"},
};
const struct entity ENT_ORG_MEMBER = ENTITY("org_member", "org_members", org_member_fields);

static const struct field user_fields[] = {
    {"id", FT_INT, FF_READONLY, 0, 0, "编号", "ID"},
    {"username", FT_TEXT, FF_REQUIRED | FF_NOUPDATE | FF_NAME, 64, 0, "用户名", "username"},
    {"display_name", FT_TEXT, FF_REQUIRED | FF_NAME, 50, 0, "显示名", "display name"},
    {"person_id", FT_REF, 0, 0, 0, "关联居民", "person"},
    {"org_id", FT_REF, 0, 0, 0, "所属组织", "organisation"},
    {"is_admin", FT_BOOL, FF_NOTNULL, 0, 0, "管理员", "administrator"},
    {"disabled", FT_BOOL, FF_NOTNULL, 0, 0, "停用", "disabled"},
    {"totp_enabled", FT_BOOL, FF_READONLY | FF_NOTNULL, 0, 0, "动态验证码", "two-factor login"},
    {"created_at", FT_TEXT, FF_READONLY, 0, 0, "创建时间", "created at"},
    {"updated_at", FT_TEXT, FF_READONLY, 0, 0, "更新时间", "updated at"},
};
const struct entity ENT_USER = ENTITY("user", "users", user_fields);

static const struct enum_val tree_vals[] = {{"org", "行政", "administrative"}, {"party", "党组织", "party"}, {0}};

/* The levels of the trees (街道, 社区, 片区, 网格, 楼栋, 邻 …; the party's). */
static const struct field node_kind_fields[] = {
    {"code", FT_TEXT, FF_REQUIRED | FF_NOUPDATE | FF_SLUG, 32, 0, "代码", "code"},
    {"tree", FT_ENUM, FF_REQUIRED | FF_NOUPDATE, 0, tree_vals, "所属树", "tree"},
    {"level", FT_INT, FF_REQUIRED | FF_NOUPDATE, 20, 0, "层级", "level"},
    {"name_zh", FT_TEXT, FF_REQUIRED | FF_TRIM | FF_NAME, 20, 0, "中文名称", "Chinese name"},
    {"name_en", FT_TEXT, FF_REQUIRED | FF_TRIM | FF_NAME, 60, 0, "英文名称", "English name"},
    {"is_community", FT_BOOL, FF_NOUPDATE | FF_NOTNULL, 0, 0, "社区层级", "community level"},
};
const struct entity ENT_NODE_KIND = ENTITY_KEYED("node_kind", "node_kinds", node_kind_fields, "code");
