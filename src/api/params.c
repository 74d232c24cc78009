/*
 * params.c — the query and path parameters of the API, once each: their
 * key, type (shapes.h notation) and meaning. Routes name their query
 * parameters by id (routes.c); a path's {x} is the path parameter x
 * (Open311's {id} is Open311Id). Enumerations that are a field's values
 * say so (of=ENTITY.FIELD) instead of listing them again. Then the
 * response headers routes send on success (`headers`).
 */
#include <string.h>

#include "api/shapes.h"

// clang-format off
const struct param api_params[] = {
    {"Text", "text", "query", "str len=2000", "要注音的文本（必填，最多2000个字） / the text to annotate (required, at most 2000 characters)"},
    {"NodeQ", "q", "query", "str", "搜索词：名称片段或拼音首字母 / search: part of the name or pinyin initials"},
    {"Under", "under", "query", "int min=0 def=0", "搜索范围的节点（0或不传：调用者的范围） / node to search under (0 or absent: the caller's area)"},
    {"Limit", "limit", "query", "int min=1 max=500 def=50", "每页条数，1到500，默认50；超出范围400。 / page size, 1 to 500, default 50; out of range is 400."},
    {"Cursor", "cursor", "query", "str", "分页游标：不透明的字符串，取自上一页的 next_cursor，原样传回；不传表示第一页。格式无效时400。 / Page cursor: an opaque string taken unchanged from the previous page's next_cursor; absent for the first page. A malformed cursor is 400."},
    {"TreeLimit", "limit", "query", "int min=1 max=1000 def=200", "每页条数，1到1000，默认200；超出范围400。 / page size, 1 to 1000, default 200; out of range is 400."},
    {"Retired", "retired", "query", "str enum=1|true|0|false", "retired=1（或true）时包含已撤销的下级 / retired=1 (or true) includes retired children"},
    {"NodeKind", "kind", "query", "str", "只列此层级类型 / only this node kind"},
    {"Depth", "depth", "query", "int min=0 max=20 def=0", "最多向下几层，0为不限 / at most this many levels below (0 = all)"},
    {"Node", "node", "query", "int min=0 def=0", "范围：该节点及其全部下级；不传或0表示调用者可查看的最高节点。节点不存在404，无权限403。 / Scope: this node and its whole subtree; absent or 0 means the highest node the caller may read. Unknown node 404, no access 403."},
    {"PersonQ", "q", "query", "str len=100", "搜索：姓名片段、拼音首字母或全拼前缀（如 wgb、wanggui）、完整身份证号或电话（精确匹配：需要该处的工作人员（worker）权限，否则403；每个账号每小时最多200次，超出429；每次记入审计）；最多100字节 / search: part of the name, pinyin initials or full-pinyin prefix (wgb, wanggui), or a complete ID-card or phone number (exact match: needs worker access there, else 403; at most 200 an hour per account, else 429; each one audited); at most 100 bytes"},
    {"PersonTag", "tag", "query", "str", "关爱标签 / care tag"},
    {"PersonResidence", "residence", "query", "str of=person.residence enum=all", "居住类型：permanent、floating 或 all / residence: permanent, floating or all"},
    {"PersonStatus", "status", "query", "str of=person.status enum=all def=active", "人员状态，默认 active；all 表示全部 / status, default active; all for every status"},
    {"PersonPoliticalStatus", "political_status", "query", "str of=person.political_status enum=all", "政治面貌（代码）或 all / political status code, or all"},
    {"PersonGender", "gender", "query", "str of=person.gender enum=all", "性别：M、F 或 all / gender: M, F or all"},
    {"PersonHousehold", "household", "query", "int min=0", "只列该户的成员（0或不传：不限） / only members of this household (0 or absent: any)"},
    {"PersonSort", "sort", "query", "str enum=place|name def=place", "排序：place（按地点：楼栋、单元，再按登记顺序，即台账顺序，默认）或name（按拼音排序）。游标不透明。 / Order: place (by building and unit, then registration: the 台账's order; the default) or name (pinyin order, how Chinese lists are alphabetised); the cursor is opaque."},
    {"Reveal", "reveal", "query", "str enum=1|true|0|false", "reveal=1（或true）显示完整的身份证号和电话：需要该处的干部（officer）权限，否则403；每次查看都记入审计。其他值视为否。 / reveal=1 (or true) shows full ID-card and phone numbers: needs officer access there, else 403; every reveal is audited. Any other value means no."},
    {"Tenure", "tenure", "query", "str of=household.tenure", "房屋性质 / tenure"},
    {"RoleType", "role", "query", "str", "职务代码 / role type code"},
    {"All", "all", "query", "str enum=1|true|0|false", "all=1（或true）包含已结束的任期 / all=1 (or true) includes ended terms"},
    {"Limit100", "limit", "query", "int min=1 max=500 def=100", "每页条数，1到500，默认100；超出范围400。 / page size, 1 to 500, default 100; out of range is 400."},
    {"OrgKind", "kind", "query", "str of=org.kind", "组织类型 / organisation kind"},
    {"AuditEntity", "entity", "query", "str", "对象类型 / entity type"},
    {"AuditId", "id", "query", "int min=0", "对象编号 / entity ID"},
    {"NodeRequired", "node", "query", "id", "节点（必填） / node (required)"},
    {"ImportNode", "node", "query", "id", "导入到的节点（必填） / node to import into (required)"},
    {"DryRun", "dry_run", "query", "str enum=1|true|0|false", "dry_run=1（或true）只校验不保存 / dry_run=1 (or true) checks without saving"},
    {"StatsNode", "node", "query", "id", "节点（必填，正整数）：需要该节点的查看（viewer）权限，否则403；节点不存在404。 / the node (required, a positive integer): needs viewer access there, else 403; an unknown node is 404."},
    {"From", "from", "query", "date pat=^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "登记日期起（含），YYYY-MM-DD；无效日期400 / recorded on or after, YYYY-MM-DD; an invalid date is 400"},
    {"To", "to", "query", "date pat=^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "登记日期止（含），YYYY-MM-DD；无效日期400 / recorded on or before, YYYY-MM-DD; an invalid date is 400"},
    {"Month", "month", "query", "str pat=^[0-9]{4}-[0-9]{2}$", "月份（必填），YYYY-MM，否则400 / the month (required), YYYY-MM, else 400"},
    {"SummaryFormat", "format", "query", "str enum=json|xlsx|csv def=json", "格式：json（默认）、xlsx 或 csv；其他值400 / format: json (default), xlsx or csv; anything else is 400"},
    {"CaseNode", "node", "query", "int min=0 def=0", "范围：该节点及其全部下级；不传或0表示调用者可查看的最高节点。需要查看权限或在该节点任职（否则403，field=node）；节点不存在404。mine、org 时忽略。 / scope: this node and its subtree; absent or 0 means the highest node the caller may read. Needs viewer access, or a role at that node (else 403, field node); unknown node 404. Ignored with mine or org."},
    {"CaseQ", "q", "query", "str len=200", "全文搜索（标题、描述、地址），简体繁体互通，按字匹配短语；最多200字节 / full-text search of title, description and address; simplified and traditional find each other; at most 200 bytes"},
    {"Category", "category", "query", "str", "类别代码 / category code"},
    {"CaseStatus", "status", "query", "str of={kind}.status enum=open", "状态；open 表示未办结（new、accepted、waiting、referred） / status; open means new, accepted, waiting or referred"},
    {"CaseFrom", "from", "query", "date pat=^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "登记日期起（含），YYYY-MM-DD / recorded on or after, YYYY-MM-DD"},
    {"CaseTo", "to", "query", "date pat=^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "登记日期止（含），YYYY-MM-DD / recorded on or before, YYYY-MM-DD"},
    {"Due", "due", "query", "str enum=overdue|soon", "时限：overdue 已超期，soon 24小时内到期（只含 new、accepted、referred 且不在等待居民的） / time limit: overdue, or soon (within 24 hours); new, accepted and referred requests not waiting only"},
    {"Mine", "mine", "query", "str enum=1|true|0|false", "mine=1（或true）：调用者本人反映的诉求 / mine=1 (or true): the caller's own reports"},
    {"Org", "org", "query", "str enum=1|true|0|false", "org=1（或true）：转交给调用者所属组织的诉求；账号不属于组织时403 / org=1 (or true): requests handed to the caller's organisation; 403 if the account belongs to none"},
    {"Unread", "unread", "query", "str enum=1|true|0|false", "unread=1（或true）只列未读 / unread=1 (or true): unread ones only"},
    {"NotificationLimit", "limit", "query", "int min=1 max=200 def=50", "每页条数，1到200，默认50；超出范围400。 / page size, 1 to 200, default 50; out of range is 400."},
    {"WebhookNode", "node", "query", "id", "节点（必填，正整数）：需要管理（manager）权限，否则403；节点不存在404。 / the node (required, a positive integer): needs manager access, else 403; unknown node 404."},
    {"DeliveryLimit", "limit", "query", "int min=1 max=500 def=50", "条数，1到500，默认50；超出范围400。 / how many, 1 to 500, default 50; out of range is 400."},
    {"Scale", "scale", "query", "int min=1 max=32 def=8", "每个模块的像素数，1到32，默认8；超出范围400 / pixels per module, 1 to 32, default 8; out of range is 400"},
    {"ExportFormat", "format", "query", "str enum=xlsx|csv def=xlsx", "文件格式，默认 xlsx / file format, default xlsx"},
    {"Id", "id", "path", "id", "记录编号（正整数；否则400） / record ID (a positive integer, else 400)"},
    {"MemberId", "mid", "path", "id", "成员记录编号 / the membership's ID"},
    {"Code", "code", "path", "str", "代码（小写字母、数字和下划线） / the code (a-z, 0-9 and _)"},
    {"OrgKinds", "kind", "query", "str", "组织类型代码，逗号分隔，最多16个（必填） / organisation kind codes, comma-separated, at most 16 (required)"},
    {"OrgMemberRole", "role", "query", "str", "只找有此职务现任成员的组织 / only organisations with a current member in this role"},
    {"Action", "action", "path", "str", "办理操作（其他值404）；适用状态、谁可以做与请求体见各操作的输入 / the action (anything else is 404); states, who may act and the body: see each action's input"},
    {"List", "list", "path", "str enum=people|households|roles|orgs|nodes", "台账：people 居民，households 户，roles 任职，orgs 组织，nodes 下辖全部节点（其他值404） / the list: people, households, roles, orgs, nodes (the whole subtree); anything else is 404"},
    {"Format", "format", "path", "str enum=json|xml", "应答格式 / the answer's format"},
    {"ServiceCode", "code", "path", "str", "服务代码（诉求类别），可带 .json 或 .xml / the service code (a request category), optionally with .json or .xml"},
    {"Open311Id", "id", "path", "str", "诉求编号，可带 .json 或 .xml / the request's number, optionally with .json or .xml"},
    {"Token", "token", "path", "str", "提交诉求时返回的令牌，可带 .json 或 .xml / the token returned when the request was submitted, optionally with .json or .xml"},
    {"ApiKey", "api_key", "query", "str", "linli API令牌（kind=api）；提交诉求时必填，查询时可带以看到非公开的诉求 / a linli API token (kind api): required to submit, optional when reading (to see requests that are not public)"},
    {"JurisdictionId", "jurisdiction_id", "query", "str", "辖区（忽略：本服务只有一个） / jurisdiction (ignored: this server is one)"},
    {"ServiceRequestId", "service_request_id", "query", "str", "逗号分隔的诉求编号 / comma-separated request numbers"},
    {"Open311Status", "status", "query", "str enum=open|closed", "open 或 closed / open or closed"},
    {"Open311ServiceCode", "service_code", "query", "str", "服务代码 / service code"},
    {"StartDate", "start_date", "query", "time", "提交时间起 / submitted at or after"},
    {"EndDate", "end_date", "query", "time", "提交时间止 / submitted at or before"},
};
// clang-format on
const int api_param_count = (int)(sizeof api_params / sizeof api_params[0]);

const struct param *param_find(const char *id)
{
	for (int i = 0; id && i < api_param_count; i++)
		if (!strcmp(api_params[i].id, id))
			return &api_params[i];
	return NULL;
}

const struct param *param_path(const char *name)
{
	for (int i = 0; name && i < api_param_count; i++)
		if (!strcmp(api_params[i].in, "path") && !strcmp(api_params[i].name, name))
			return &api_params[i];
	return NULL;
}

// clang-format off
const struct resp_header api_resp_headers[] = {
    {"SetCookie", "Set-Cookie", "str", "kind=session 时设置会话Cookie（linli_session，HttpOnly，SameSite=Strict，12小时）；退出时清除 / with kind session, the session cookie (linli_session, HttpOnly, SameSite=Strict, 12 hours); cleared on logout"},
    {"ContentDisposition", "Content-Disposition", "str", "文件名：下载为 attachment（台账另有 RFC 6266 的中文 filename*），二维码为 inline / the file name: attachment for downloads (exports add a Chinese RFC 6266 filename*), inline for the QR code"},
    {"XRowCount", "X-Row-Count", "int min=0", "导出的行数 / the number of rows exported"},
    {"XQRLink", "X-QR-Link", "str", "二维码中的链接（扫码上报页） / the link the code holds (the scan-to-report page)"},
};
// clang-format on
const int api_resp_header_count = (int)(sizeof api_resp_headers / sizeof api_resp_headers[0]);

const struct resp_header *resp_header_find(const char *id)
{
	for (int i = 0; id && i < api_resp_header_count; i++)
		if (!strcmp(api_resp_headers[i].id, id))
			return &api_resp_headers[i];
	return NULL;
}
