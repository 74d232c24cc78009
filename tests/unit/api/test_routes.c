/*
 * test_routes.c — the route table is well formed (src/api/routes.c): every
 * route has a known method, a path under /api/v1/ or /open311/v2/, a
 * handler, a bilingual summary and a tag; no method and path twice; every
 * query parameter id, body and answer resolves (openapi_check builds the
 * whole OpenAPI document and reports the first thing that does not); every
 * route's query keys reach its handler (api_route_keys).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "api/api.h"
#include "api/openapi.h"
#include "api/shapes.h"
#include "base/arena.h"

static void test_every_route_is_complete(void **state)
{
	(void)state;
	static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE"};
	assert_true(api_route_count > 0);
	for (size_t i = 0; i < api_route_count; i++) {
		const struct route *rt = &api_routes[i];
		bool known = false;
		for (size_t m = 0; m < sizeof methods / sizeof *methods; m++)
			known = known || !strcmp(rt->method, methods[m]);
		assert_true(known);
		assert_true(!strncmp(rt->pattern, "/api/v1/", 8) || !strncmp(rt->pattern, "/open311/v2/", 12));
		assert_non_null(rt->fn);
		assert_non_null(rt->zh);
		assert_non_null(rt->en);
		assert_true(rt->zh[0] && rt->en[0]);
		assert_non_null(rt->tag);
		if (rt->body != BODY_NONE)
			assert_non_null(rt->body_of);
		if (rt->out == OUT_FILE)
			assert_non_null(rt->out_alt);
		else if (rt->out != OUT_OK)
			assert_non_null(rt->out_of);
		for (size_t j = 0; j < i; j++)
			assert_false(!strcmp(api_routes[j].method, rt->method) &&
				     !strcmp(api_routes[j].pattern, rt->pattern));
	}
}

static void test_the_document_resolves(void **state)
{
	(void)state;
	char why[256];
	int rc = openapi_check(why, sizeof why);
	if (rc)
		print_error("openapi_check: %s\n", why);
	assert_int_equal(rc, 0);
	size_t len;
	const char *doc = openapi_text(&len);
	assert_non_null(doc);
	assert_true(len > 1000);
	assert_int_equal(doc[len - 1], '\n');
	assert_int_equal(strlen(doc), len);
}

static void test_query_ids_and_keys(void **state)
{
	(void)state;
	struct arena a = {0};
	struct http_req req = {.a = &a};
	for (size_t i = 0; i < api_route_count; i++) {
		const struct route *rt = &api_routes[i];
		struct api r = {.req = &req, .route = rt};
		const char *const *keys = api_route_keys(&r);
		int n = 0;
		while (keys[n])
			n++;
		/* every id resolves ({filters} needs a kind: none here) */
		int ids = 0;
		const char *q = rt->query ? rt->query : "";
		for (const char *p = q; *p;) {
			size_t l = strcspn(p, " ");
			char id[64];
			snprintf(id, sizeof id, "%.*s", (int)l, p);
			if (strcmp(id, "{filters}") != 0) {
				assert_non_null(param_find(id));
				assert_string_equal(param_find(id)->in, "query");
				ids++;
			}
			p += l + strspn(p + l, " ");
		}
		assert_int_equal(n, ids);
	}
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_route_is_complete),
	    cmocka_unit_test(test_the_document_resolves),
	    cmocka_unit_test(test_query_ids_and_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
