/*
 * api_meta.c — health, the OpenAPI document and static UI assets.
 */
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "base/embedded.h"
#include "store/store.h"

void h_health(struct api *r)
{
	int v = store_schema_version(r->c.db);
	if (v < 0)
		return api_error(r, 503, "unavailable", NULL, "数据库不可用 / database unavailable");
	api_ok(r, 200, json_pack("{s:s, s:i}", "status", "ok", "schema", v));
}

void h_openapi(struct api *r)
{
	const struct embedded_file *f = embedded_find("docs/openapi.json");
	if (!f)
		return api_error(r, 404, "not_found", NULL, "no OpenAPI document");
	r->resp->status = 200;
	r->resp->data = f->data;
	r->resp->len = f->len;
	r->resp->type = "application/json; charset=utf-8";
}

static const char *mime_of(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {{".html", "text/html; charset=utf-8"},
		     {".js", "text/javascript; charset=utf-8"},
		     {".css", "text/css; charset=utf-8"},
		     {".svg", "image/svg+xml"},
		     {".png", "image/png"},
		     {".json", "application/json"},
		     {".woff2", "font/woff2"},
		     {".ico", "image/x-icon"}};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

void app_static(struct api *r, const struct api_app *app)
{
	(void)app;
	if (strcmp(r->req->method, "GET") != 0 && strcmp(r->req->method, "HEAD") != 0)
		return api_error(r, 405, "method_not_allowed", NULL, "不支持该方法 / method not allowed");
	const char *path = r->req->path;
	if (strstr(path, ".."))
		return api_error(r, 400, "invalid", NULL, "bad path");
	const char *want = strcmp(path, "/") == 0 ? "web/dist/index.html" : arena_printf(r->req->a, "web/dist%s", path);
	const struct embedded_file *f = embedded_find(want);
	bool hashed = f && strstr(path, "/assets/");
	if (!f && !strchr(strrchr(path, '/'), '.'))
		f = embedded_find("web/dist/index.html"); /* client-side route */
	if (!f) {
		r->resp->status = 200;
		static const char page[] =
		    "<!doctype html><meta charset=utf-8><title>邻里 linli</title>"
		    "<h1>邻里 linli</h1><p>API: <a href=/api/v1/openapi.json>/api/v1/openapi.json</a></p>";
		if (strcmp(path, "/") != 0)
			return api_error(r, 404, "not_found", NULL, "没有这个页面 / no such page");
		r->resp->data = page;
		r->resp->len = sizeof page - 1;
		r->resp->type = "text/html; charset=utf-8";
		return;
	}
	r->resp->status = 200;
	r->resp->data = f->data;
	r->resp->len = f->len;
	r->resp->type = mime_of(f->path);
	/* Vite puts a content hash in asset names: cache them for a year. */
	http_add_header(r->resp, "Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
}
