/*
 * test_json_out.c — json_out writes what jansson's json_dumps(JSON_COMPACT)
 * writes, byte for byte: on chosen edge cases and on random documents,
 * jansson itself the reference.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/json_out.h"

static void same(const json_t *v)
{
	char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	size_t n = 0;
	char *got = json_out(v, &n);
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(n, strlen(want));
	free(want);
	free(got);
}

static void test_edge_cases(void **state)
{
	(void)state;
	const double reals[] = {
	    0.1,    1.0,      -0.0,  1e20, 1e21, 1.5e-7, 2.5e-300, 123456789012345678.0, 3.141592653589793,
	    28.194, 112.9823, -1e-5, 1e300};
	for (size_t i = 0; i < sizeof reals / sizeof *reals; i++) {
		json_t *r = json_real(reals[i]);
		same(r);
		json_decref(r);
	}
	json_t *doc = json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:b, s:n, s:[], s:{}, s:[i, [s], {s:f}]}", "zh",
				"邻里 · 诉求「楼道灯」😀", "esc", "a\"b\\c/d\b\f\n\r\t\x01\x1f\x7f", "key \"quoted\"",
				"v", "min", (json_int_t)INT64_MIN, "max", (json_int_t)INT64_MAX, "t", 1, "f", 0, "null",
				"empty", "obj", "nest", 1, "x", "y", 0.5);
	same(doc);
	json_decref(doc);
	json_t *nul = json_stringn("a\0b", 3);
	same(nul);
	json_decref(nul);
}

static json_t *random_value(unsigned *seed, int depth)
{
	static const char *const pieces[] = {"a", "中", "\"", "\\", "\n", "\x02", "😀", "/", " ", "é", "\t", "z9"};
	int kind = depth > 4 ? rand_r(seed) % 5 : rand_r(seed) % 7;
	switch (kind) {
	case 0: {
		char s[128] = "";
		int n = rand_r(seed) % 8;
		for (int i = 0; i < n; i++)
			strcat(s, pieces[rand_r(seed) % 12]);
		return json_string(s);
	}
	case 1:
		return json_integer((json_int_t)rand_r(seed) - RAND_MAX / 2);
	case 2:
		return json_real((double)rand_r(seed) / (rand_r(seed) % 1000 + 1) * (rand_r(seed) % 2 ? 1e-9 : 1e9));
	case 3:
		return rand_r(seed) % 2 ? json_true() : json_false();
	case 4:
		return json_null();
	case 5: {
		json_t *a = json_array();
		for (int i = rand_r(seed) % 5; i > 0; i--)
			json_array_append_new(a, random_value(seed, depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (int i = rand_r(seed) % 5; i > 0; i--) {
			char key[32];
			snprintf(key, sizeof key, "k%d%s", rand_r(seed) % 50, pieces[rand_r(seed) % 12]);
			json_object_set_new(o, key, random_value(seed, depth + 1));
		}
		return o;
	}
	}
}

static void test_random_documents(void **state)
{
	(void)state;
	unsigned seed = 20261203;
	for (int i = 0; i < 3000; i++) {
		json_t *v = random_value(&seed, 0);
		same(v);
		json_decref(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_edge_cases),
	    cmocka_unit_test(test_random_documents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
