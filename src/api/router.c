/*
 * router.c — the route table and the one dispatch path.
 *
 * Adding a route is one line in api_routes[] (and its entry in
 * docs/openapi.json, which a test checks). Dispatch: match the path,
 * check the method (405), authenticate (Bearer token or session cookie;
 * deny by default), check CSRF on cookie-authenticated writes, rate-limit
 * logins, then call the handler with a ctx for the domain.
 */
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "domain/accounts/accounts.h"
#include "domain/cases/case_kind.h"

const struct route api_routes[] = {
    {"GET", "/api/v1/health", h_health, ROUTE_PUBLIC, "服务状态 / health"},
    {"GET", "/api/v1/openapi.json", h_openapi, ROUTE_PUBLIC, "OpenAPI文档 / OpenAPI document"},
    {"GET", "/api/v1/text/annotate", h_text_annotate, ROUTE_PUBLIC,
     "阅读辅助：拼音与繁体 / reading aid: pinyin and traditional"},
    {"POST", "/api/v1/auth/login", h_login, ROUTE_PUBLIC, "登录 / log in"},
    {"POST", "/api/v1/auth/logout", h_logout, 0, "退出 / log out"},
    {"GET", "/api/v1/auth/me", h_me, 0, "当前用户 / current user"},
    {"GET", "/api/v1/auth/tokens", h_tokens_list, 0, "我的API令牌 / my API tokens"},
    {"DELETE", "/api/v1/auth/tokens/{id}", h_tokens_delete, 0, "吊销API令牌 / revoke an API token"},
    {"GET", "/api/v1/node-kinds", h_kinds_list, 0, "层级类型 / node kinds"},
    {"POST", "/api/v1/node-kinds", h_kinds_put, 0, "配置层级 / configure a node kind"},
    {"GET", "/api/v1/nodes", h_nodes_list, 0, "节点列表或搜索 / list or search nodes"},
    {"POST", "/api/v1/nodes", h_nodes_create, 0, "新建节点 / create node"},
    {"GET", "/api/v1/nodes/{id}", h_nodes_get, 0, "节点详情 / node"},
    {"PATCH", "/api/v1/nodes/{id}", h_nodes_update, 0, "修改节点 / update node"},
    {"POST", "/api/v1/nodes/{id}/move", h_nodes_move, 0, "移动节点 / move node"},
    {"POST", "/api/v1/nodes/{id}/retire", h_nodes_retire, 0, "撤销节点 / retire node"},
    {"GET", "/api/v1/nodes/{id}/children", h_nodes_children, 0, "下级节点 / children"},
    {"GET", "/api/v1/nodes/{id}/ancestors", h_nodes_ancestors, 0, "上级节点 / ancestors"},
    {"GET", "/api/v1/nodes/{id}/subtree", h_nodes_subtree, 0, "下辖全部节点 / the whole subtree"},
    {"GET", "/api/v1/nodes/{id}/contacts", h_nodes_contacts, ROUTE_PUBLIC, "公示联系方式 / published contacts"},
    {"GET", "/api/v1/people", h_people_list, 0, "居民列表 / list residents"},
    {"POST", "/api/v1/people", h_people_create, 0, "登记居民 / register resident"},
    {"GET", "/api/v1/people/{id}", h_people_get, 0, "居民详情 / resident"},
    {"PATCH", "/api/v1/people/{id}", h_people_update, 0, "修改居民 / update resident"},
    {"POST", "/api/v1/people/{id}/move", h_people_move, 0, "迁入迁出 / move in or out"},
    {"GET", "/api/v1/people/{id}/history", h_people_history, 0, "居住历史 / residence history"},
    {"GET", "/api/v1/households", h_households_list, 0, "户列表 / list households"},
    {"POST", "/api/v1/households", h_households_create, 0, "新建户 / create household"},
    {"GET", "/api/v1/households/{id}", h_households_get, 0, "户详情 / household"},
    {"PATCH", "/api/v1/households/{id}", h_households_update, 0, "修改户 / update household"},
    {"GET", "/api/v1/role-types", h_role_types, 0, "职务类型 / role types"},
    {"GET", "/api/v1/roles", h_roles_list, 0, "任职列表 / list roles"},
    {"POST", "/api/v1/roles", h_roles_create, 0, "任命 / appoint"},
    {"PATCH", "/api/v1/roles/{id}", h_roles_update, 0, "修改任职 / update role"},
    {"GET", "/api/v1/orgs", h_orgs_list, 0, "组织列表 / list organisations"},
    {"POST", "/api/v1/orgs", h_orgs_create, 0, "新建组织 / create organisation"},
    {"GET", "/api/v1/orgs/{id}", h_orgs_get, 0, "组织详情 / organisation"},
    {"PATCH", "/api/v1/orgs/{id}", h_orgs_update, 0, "修改组织 / update organisation"},
    {"GET", "/api/v1/orgs/{id}/members", h_org_members_list, 0, "组织成员 / members of an organisation"},
    {"POST", "/api/v1/orgs/{id}/members", h_org_members_add, 0, "添加成员 / add a member"},
    {"POST", "/api/v1/orgs/{id}/members/{mid}/end", h_org_members_end, 0, "结束成员任期 / end a membership"},
    {"GET", "/api/v1/people/{id}/orgs", h_people_orgs, 0, "所在组织 / a person's organisations"},
    {"GET", "/api/v1/nodes/{id}/nearest-org", h_nodes_nearest_org, 0,
     "本级及上级最近的组织 / the nearest organisation at or above a node"},
    {"GET", "/api/v1/org-kinds", h_org_kinds_list, 0, "组织类型 / organisation kinds"},
    {"POST", "/api/v1/org-kinds", h_org_kinds_create, 0, "新增组织类型 / add an organisation kind"},
    {"PATCH", "/api/v1/org-kinds/{code}", h_org_kinds_update, 0, "修改组织类型 / update an organisation kind"},
    {"GET", "/api/v1/org-member-roles", h_org_roles_list, 0, "成员职务 / member roles"},
    {"POST", "/api/v1/org-member-roles", h_org_roles_create, 0, "新增成员职务 / add a member role"},
    {"PATCH", "/api/v1/org-member-roles/{code}", h_org_roles_update, 0, "修改成员职务 / update a member role"},
    {"GET", "/api/v1/users", h_users_list, 0, "用户列表 / list users"},
    {"POST", "/api/v1/users", h_users_create, 0, "新建用户 / create user"},
    {"GET", "/api/v1/users/{id}", h_users_get, 0, "用户详情 / user"},
    {"PATCH", "/api/v1/users/{id}", h_users_update, 0, "修改用户 / update user"},
    {"POST", "/api/v1/users/{id}/password", h_users_password, 0, "设置密码 / set password"},
    {"POST", "/api/v1/users/{id}/grants", h_users_grant, 0, "授权 / grant access"},
    {"DELETE", "/api/v1/grants/{id}", h_grants_delete, 0, "撤销授权 / revoke access"},
    {"GET", "/api/v1/audit", h_audit_list, 0, "审计记录 / audit trail"},
    {"GET", "/api/v1/stats", h_stats, 0, "统计 / statistics"},
    {"POST", "/api/v1/import/people", h_import_people, ROUTE_RAW, "导入居民 / import residents"},
    {"GET", "/api/v1/categories", h_categories_list, 0, "诉求类别 / request categories"},
    {"POST", "/api/v1/categories", h_categories_put, 0, "配置诉求类别 / configure a category"},
    {"GET", "/api/v1/requests/stats", h_requests_stats, 0, "诉求统计 / request statistics"},
    {"GET", "/api/v1/requests/summary", h_requests_summary, 0, "月度小结 / monthly summary"},
    /* Every case kind at its own path (requests, …), one set of handlers. */
    {"GET", "/api/v1/case-kinds", h_case_kinds, 0, "事项类型与状态 / case kinds and their states"},
    {"GET", "/api/v1/{kind}", h_cases_list, 0, "列表与搜索 / list and search"},
    {"POST", "/api/v1/{kind}", h_cases_create, 0, "新建（反映诉求） / create (report)"},
    {"GET", "/api/v1/{kind}/{id}", h_cases_get, 0, "详情、时间线与可执行的操作 / a case, its timeline and actions"},
    {"POST", "/api/v1/{kind}/{id}/files", h_cases_file_add, ROUTE_RAW, "上传图片 / add a photo"},
    {"GET", "/api/v1/{kind}/{id}/orgs", h_cases_orgs, 0, "可转办的单位 / organisations that can take it"},
    {"POST", "/api/v1/{kind}/{id}/{action}", h_cases_act, 0, "办理操作 / act on a case"},
    {"GET", "/api/v1/files/{id}", h_files_get, 0, "图片 / a photo"},
    {"GET", "/api/v1/notifications", h_notifications_list, 0, "我的通知 / my notifications"},
    {"POST", "/api/v1/notifications/{id}/read", h_notifications_read, 0, "标为已读 / mark as read"},
    {"GET", "/api/v1/webhooks", h_webhooks_list, 0, "推送地址 / webhooks"},
    {"POST", "/api/v1/webhooks", h_webhooks_create, 0, "新建推送 / create a webhook"},
    {"PATCH", "/api/v1/webhooks/{id}", h_webhooks_update, 0, "修改推送 / update a webhook"},
    {"GET", "/api/v1/webhooks/{id}/deliveries", h_webhooks_deliveries, 0, "推送记录 / webhook deliveries"},
    {"GET", "/api/v1/nodes/{id}/qr.png", h_nodes_qr, 0, "扫码上报二维码 / scan-to-report QR code"},
    {"GET", "/open311/v2/discovery.{format}", h_o311_discovery, ROUTE_PUBLIC, "Open311 服务发现 / discovery"},
    {"GET", "/open311/v2/services.{format}", h_o311_services, ROUTE_PUBLIC, "Open311 服务列表 / services"},
    {"GET", "/open311/v2/services/{code}", h_o311_service, ROUTE_PUBLIC, "Open311 服务定义 / service definition"},
    {"GET", "/open311/v2/requests.{format}", h_o311_requests_list, ROUTE_PUBLIC, "Open311 诉求列表 / requests"},
    {"POST", "/open311/v2/requests.{format}", h_o311_request_post, ROUTE_PUBLIC | ROUTE_RAW,
     "Open311 提交诉求 / submit a request"},
    {"GET", "/open311/v2/requests/{id}", h_o311_request_get, ROUTE_PUBLIC, "Open311 诉求详情 / a request"},
    {"GET", "/open311/v2/tokens/{token}", h_o311_token, ROUTE_PUBLIC, "Open311 令牌查询 / token lookup"},
    {"GET", "/api/v1/export/{list}", h_export, 0, "导出台账 / export a list"},
};
const size_t api_route_count = sizeof api_routes / sizeof api_routes[0];

/* Matches pattern segments; {x} takes one non-empty segment, and {kind}
 * only the resource path of a registered case kind ("requests", …), so
 * one set of case routes serves every kind. */
static bool match(const char *pattern, const char *path, struct api *r)
{
	r->nparam = 0;
	r->kind = NULL;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (!strncmp(p, "{kind}", 6)) {
			const char *end = strchr(s, '/');
			size_t n = end ? (size_t)(end - s) : strlen(s);
			for (int i = 0; case_kinds[i] && !r->kind; i++)
				if (strlen(case_kinds[i]->path) == n && !strncmp(case_kinds[i]->path, s, n))
					r->kind = case_kinds[i];
			if (!r->kind)
				return false;
			s += n;
			p += 6;
			continue;
		}
		if (*p == '{') {
			const char *end = strchr(s, '/');
			size_t n = end ? (size_t)(end - s) : strlen(s);
			if (n == 0 || r->nparam >= 4)
				return false;
			r->param[r->nparam++] = arena_strndup(r->req->a, s, n);
			s += n;
			p = strchr(p, '}') + 1;
			continue;
		}
		if (*p != *s)
			return false;
		p++, s++;
	}
	return *p == 0 && *s == 0;
}

static const char *bearer_token(struct http_req *req, bool *from_cookie)
{
	const char *h = http_header(req, "Authorization");
	*from_cookie = false;
	if (h && strncasecmp(h, "Bearer ", 7) == 0)
		return h + 7;
	const char *c = http_cookie(req, "linli_session");
	if (c)
		*from_cookie = true;
	return c;
}

void api_dispatch(struct http_req *req, struct http_resp *resp, void *user)
{
	const struct api_app *app = user;
	struct api r = {.req = req, .resp = resp};
	r.c = (struct ctx){
	    .db = req->db, .a = req->a, .client = req->client, .pii_key = app->pii_key, .files_dir = app->files_dir};
	r.app = app;
	if (strncmp(req->path, "/api/", 5) != 0 && strncmp(req->path, "/open311/", 9) != 0) {
		app_static(&r, app);
		return;
	}
	const struct route *rt = NULL;
	bool path_found = false;
	for (size_t i = 0; i < api_route_count && !rt; i++) {
		if (!match(api_routes[i].pattern, req->path, &r))
			continue;
		path_found = true;
		if (strcmp(api_routes[i].method, req->method) == 0)
			rt = &api_routes[i];
	}
	if (!rt) {
		if (path_found)
			api_error(&r, 405, "method_not_allowed", NULL, "不支持该方法 / method not allowed");
		else
			api_error(&r, 404, "not_found", NULL, "没有这个接口 / no such endpoint");
		return;
	}
	/* Re-match to restore the chosen route's parameters. */
	match(rt->pattern, req->path, &r);
	bool from_cookie;
	const char *token = bearer_token(req, &from_cookie);
	if (token && *token) {
		struct actor *who = NULL;
		const char *csrf = NULL;
		struct err e = {0};
		int rc = account_actor(&r.c, token, &who, &csrf, &r.token_kind, &e);
		if (rc == 0) {
			r.c.who = who;
			bool write = strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0;
			const char *sent = http_header(req, "X-CSRF-Token");
			if (from_cookie && write && (!sent || !csrf || strcmp(sent, csrf) != 0)) {
				api_error(&r, 403, "csrf", NULL, "缺少或错误的CSRF令牌 / missing or wrong CSRF token");
				return;
			}
		} else if (!(rt->flags & ROUTE_PUBLIC)) {
			api_fail(&r, rc, &e);
			return;
		}
	}
	if (req->body_too_large) {
		api_error(&r, 413, "too_large", NULL, "请求体过大 / request body too large");
		return;
	}
	if (!r.c.who && !(rt->flags & ROUTE_PUBLIC)) {
		api_error(&r, 401, "unauthorized", NULL, "请先登录 / login required");
		return;
	}
	rt->fn(&r);
}
