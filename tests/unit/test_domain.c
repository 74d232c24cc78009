/*
 * test_domain.c — unit tests for src/domain over a migrated temporary
 * SQLite database, run as the system actor the CLI uses (user 0, admin):
 * personal data (PII), tree-scoped authorisation, field validation, the
 * organisation tree, the resident registry, the audit trail, accounts and
 * subtree statistics.
 *
 * Tests that expose open bugs which would crash or leak (and so take the
 * whole program down) run their body in a child process with its own
 * database (unit_run_child); the parent only checks how the child ended.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "domain/accounts/accounts.h"
#include "domain/core/audit.h"
#include "domain/core/ctx.h"
#include "domain/core/fields.h"
#include "domain/core/pii.h"
#include "domain/people/registry.h"
#include "domain/roles/roles.h"
#include "domain/people/stats.h"
#include "domain/places/tree.h"
#include "store/store.h"
#include "unit_domain.h"

/* ------------------------------------------------------------ fixtures */

struct env {
	struct unit_db u; /* the database, key, arena, system context, root street */
};

/* The clock all domain tests run at: 2024-06-15 12:00:00 UTC. */
static int64_t t0(void)
{
	return unit_utc(2024, 6, 15, 12, 0, 0);
}

static int env_open_in(struct env *v, const char *dir)
{
	return unit_db_open(&v->u, dir, t0());
}

static int env_open(struct env *v)
{
	return env_open_in(v, NULL);
}

static void env_close(struct env *v)
{
	unit_db_close(&v->u);
}

static int setup(void **state)
{
	struct env *v = calloc(1, sizeof *v);
	if (!v || env_open(v) != 0) {
		free(v);
		return -1;
	}
	*state = v;
	return 0;
}

static int teardown(void **state)
{
	struct env *v = *state;
	if (v) {
		env_close(v);
		free(v);
	}
	return 0;
}

/* ------------------------------------------------------------- helpers */

/* An 18-digit ID-card number: region (6) + birth YYYYMMDD (8) + sequence
 * (3, odd last digit = male) + the GB 11643 check character. */
static void make_id(char out[19], const char *region, const char *birth, const char *seq)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char check[] = "10X98765432";
	snprintf(out, 19, "%.6s%.8s%.3s", region, birth, seq);
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = check[sum % 11];
	out[18] = 0;
}

static int64_t qi(struct env *v, const char *sql, int64_t arg)
{
	return unit_qi(&v->u, sql, arg);
}

static int64_t qi0(struct env *v, const char *sql)
{
	int64_t n = -999;
	struct err e = {0};
	int rc = store_int(v->u.db, &e, &n, sql, "");
	if (rc)
		print_error("qi0(%s): %s\n", sql, e.msg);
	assert_int_equal(rc, 0);
	return n;
}

static const char *qs(struct env *v, const char *sql, int64_t arg)
{
	return unit_qs(&v->u, sql, arg);
}

static int64_t audit_rows(struct env *v)
{
	return qi0(v, "SELECT count(*) FROM audit");
}

static const char *path_of(struct env *v, int64_t node)
{
	const char *p = NULL;
	struct err e = {0};
	assert_int_equal(tree_path(&v->u.c, node, &p, &e), 0);
	return p;
}

static int try_node(struct env *v, int64_t parent, const char *kind, const char *name, int64_t *id, struct err *e)
{
	json_t *in = json_pack("{s:I, s:s, s:s}", "parent_id", (json_int_t)parent, "kind", kind, "name", name);
	json_t *out = NULL;
	int rc = tree_create(&v->u.c, in, &out, e);
	json_decref(in);
	if (rc == 0 && id)
		*id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	return rc;
}

static int64_t make_node(struct env *v, int64_t parent, const char *kind, const char *name)
{
	struct err e = {0};
	int64_t id = 0;
	int rc = try_node(v, parent, kind, name, &id, &e);
	if (rc)
		print_error("tree_create %s: %s (%s)\n", name, e.msg, e.field);
	assert_int_equal(rc, 0);
	assert_true(id > 0);
	return id;
}

static int64_t make_household(struct env *v, int64_t node, const char *address, const char *tenure)
{
	json_t *in = json_pack("{s:I, s:s, s:s}", "node_id", (json_int_t)node, "address", address, "tenure", tenure);
	json_t *out = NULL;
	struct err e = {0};
	int rc = household_create(&v->u.c, in, &out, &e);
	json_decref(in);
	if (rc)
		print_error("household_create: %s (%s)\n", e.msg, e.field);
	assert_int_equal(rc, 0);
	int64_t id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	assert_true(id > 0);
	return id;
}

/* Creates a person; extra (borrowed, may be NULL) is merged into the input. */
static int try_person(struct env *v, int64_t hid, const char *name, const char *id_card, json_t *extra, json_t **out,
		      struct err *e)
{
	json_t *in = json_pack("{s:I, s:s}", "household_id", (json_int_t)hid, "name", name);
	if (id_card)
		json_object_set_new(in, "id_card", json_string(id_card));
	if (extra)
		json_object_update(in, extra);
	int rc = person_create(&v->u.c, in, out, e);
	json_decref(in);
	return rc;
}

/* Like try_person, asserting success; extra is stolen (json_pack inline). */
static int64_t make_person(struct env *v, int64_t hid, const char *name, const char *id_card, json_t *extra)
{
	json_t *out = NULL;
	struct err e = {0};
	int rc = try_person(v, hid, name, id_card, extra, &out, &e);
	json_decref(extra);
	if (rc)
		print_error("person_create %s: %s (%s)\n", name, e.msg, e.field);
	assert_int_equal(rc, 0);
	int64_t id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	assert_true(id > 0);
	return id;
}

/* Runs person_list and returns the names found, comma-joined, in the arena. */
static const char *list_names(struct env *v, const struct person_filter *f)
{
	json_t *arr = NULL;
	struct err e = {0};
	int rc = person_list(&v->u.c, f, &arr, &e);
	if (rc)
		print_error("person_list: %s\n", e.msg);
	assert_int_equal(rc, 0);
	char buf[1024] = "";
	size_t i;
	json_t *p;
	json_array_foreach (arr, i, p) {
		if (i)
			strcat(buf, ",");
		strcat(buf, jstr(p, "name"));
	}
	json_decref(arr);
	return arena_strdup(&v->u.a, buf);
}

static bool is_lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return true;
}

/* ----------------------------------------------------------------- pii */

static void test_pii_id_card_checksum(void **state)
{
	char out[40], id[19];
	struct err e = {0};

	/* The GB 11643-1999 specimen; make_id agrees with it. */
	make_id(id, "110105", "19491231", "002");
	assert_string_equal(id, "11010519491231002X");
	assert_int_equal(pii_normalise(PII_ID_CARD, "11010519491231002X", out, sizeof out, &e), 0);
	assert_string_equal(out, "11010519491231002X");
	/* Lower-case x, spaces and dashes are normalised away. */
	assert_int_equal(pii_normalise(PII_ID_CARD, "110105 19491231 002x", out, sizeof out, &e), 0);
	assert_string_equal(out, "11010519491231002X");
	assert_int_equal(pii_normalise(PII_ID_CARD, "110105-19491231-002X", out, sizeof out, &e), 0);
	assert_string_equal(out, "11010519491231002X");
	/* A computed one with a digit check character. */
	make_id(id, "430302", "19900101", "123");
	assert_int_equal(pii_normalise(PII_ID_CARD, id, out, sizeof out, &e), 0);
	assert_string_equal(out, id);

	/* Every wrong check character is refused. */
	const char *cands = "0123456789X";
	for (const char *c = cands; *c; c++) {
		char bad[19];
		memcpy(bad, id, 19);
		bad[17] = *c;
		int rc = pii_normalise(PII_ID_CARD, bad, out, sizeof out, &e);
		if (*c == id[17])
			assert_int_equal(rc, 0);
		else {
			assert_int_equal(rc, ERR_INVALID);
			assert_string_equal(e.field, "id_card");
		}
	}
	/* One changed body digit breaks the checksum. */
	char typo[19];
	memcpy(typo, id, 19);
	typo[3] = typo[3] == '9' ? '8' : (char)(typo[3] + 1);
	assert_int_equal(pii_normalise(PII_ID_CARD, typo, out, sizeof out, &e), ERR_INVALID);
	/* Wrong length, letters, empty. */
	assert_int_equal(pii_normalise(PII_ID_CARD, "43030219900101123", out, sizeof out, &e), ERR_INVALID);
	assert_int_equal(pii_normalise(PII_ID_CARD, "4303021990010112345", out, sizeof out, &e), ERR_INVALID);
	assert_int_equal(pii_normalise(PII_ID_CARD, "43030219900A011234", out, sizeof out, &e), ERR_INVALID);
	assert_int_equal(pii_normalise(PII_ID_CARD, "", out, sizeof out, &e), ERR_INVALID);
	/* Far too long for the buffer: refused, not overflowed. */
	assert_int_equal(
	    pii_normalise(PII_ID_CARD, "1111111111111111111111111111111111111111111111111", out, sizeof out, &e),
	    ERR_INVALID);
}

static void test_pii_id_card_birth_and_gender(void **state)
{
	char birth[11], g = 0, id[19];
	assert_true(pii_id_card_birth("11010519491231002X", birth, &g));
	assert_string_equal(birth, "1949-12-31");
	assert_int_equal(g, 'F'); /* 17th digit 2: even = female */
	make_id(id, "430302", "19900101", "123");
	assert_true(pii_id_card_birth(id, birth, &g));
	assert_string_equal(birth, "1990-01-01");
	assert_int_equal(g, 'M');
	assert_true(pii_id_card_birth(id, birth, NULL));
	assert_false(pii_id_card_birth("4303021990", birth, &g));
}

/* pii.h: "checksum for 18-digit ID cards" plus, in pii.c, a birth-date check
 * ("身份证号码中的出生日期无效"). A number whose checksum is right but whose
 * date does not exist must be refused, or person_create stores an
 * impossible birth_date derived from it. */
static void test_pii_id_card_impossible_birth_date(void **state)
{
	char out[40], id[19];
	struct err e = {0};
	make_id(id, "430302", "19900231", "123"); /* 31 February */
	assert_int_equal(pii_normalise(PII_ID_CARD, id, out, sizeof out, &e), ERR_INVALID);
	make_id(id, "430302", "20230229", "123"); /* 29 February of a common year */
	assert_int_equal(pii_normalise(PII_ID_CARD, id, out, sizeof out, &e), ERR_INVALID);
	make_id(id, "430302", "19900431", "123"); /* 31 April */
	assert_int_equal(pii_normalise(PII_ID_CARD, id, out, sizeof out, &e), ERR_INVALID);
	/* Month 13 is already refused. */
	make_id(id, "430302", "19901301", "123");
	assert_int_equal(pii_normalise(PII_ID_CARD, id, out, sizeof out, &e), ERR_INVALID);
}

static void test_pii_phone(void **state)
{
	char out[40];
	struct err e = {0};
	assert_int_equal(pii_normalise(PII_PHONE, "+86 138-0013-8000", out, sizeof out, &e), 0);
	assert_string_equal(out, "13800138000");
	assert_int_equal(pii_normalise(PII_PHONE, "13800138000", out, sizeof out, &e), 0);
	assert_string_equal(out, "13800138000");
	assert_int_equal(pii_normalise(PII_PHONE, "+8613912345678", out, sizeof out, &e), 0);
	assert_string_equal(out, "13912345678");
	/* Landline with area code. */
	assert_int_equal(pii_normalise(PII_PHONE, "0731-8888 6666", out, sizeof out, &e), 0);
	assert_string_equal(out, "073188886666");
	/* Refused: not a mobile prefix, too short, letters, bare prefix. */
	err_clear(&e);
	assert_int_equal(pii_normalise(PII_PHONE, "12345678901", out, sizeof out, &e), ERR_INVALID);
	assert_string_equal(e.field, "phone");
	assert_int_equal(pii_normalise(PII_PHONE, "1380013800", out, sizeof out, &e), ERR_INVALID);
	assert_int_equal(pii_normalise(PII_PHONE, "138001380001", out, sizeof out, &e), ERR_INVALID);
	assert_int_equal(pii_normalise(PII_PHONE, "138OO138000", out, sizeof out, &e), ERR_INVALID);
	assert_int_equal(pii_normalise(PII_PHONE, "+86", out, sizeof out, &e), ERR_INVALID);
	assert_int_equal(pii_normalise(PII_PHONE, "", out, sizeof out, &e), ERR_INVALID);
	assert_int_equal(pii_normalise(PII_PHONE, "123456", out, sizeof out, &e), ERR_INVALID);
}

static void test_pii_masks(void **state)
{
	struct arena a;
	arena_init(&a);
	assert_string_equal(pii_mask(PII_ID_CARD, "430302199001011234", &a), "430302********1234");
	assert_string_equal(pii_mask(PII_ID_CARD, "11010519491231002X", &a), "110105********002X");
	assert_string_equal(pii_mask(PII_PHONE, "13812345678", &a), "138****5678");
	assert_string_equal(pii_mask(PII_PHONE, "073188886666", &a), "073*****6666");
	/* Short values still hide their second half. */
	const char *m = pii_mask(PII_PHONE, "1234567", &a);
	assert_int_equal(strlen(m), 7);
	assert_string_equal(m, "123****");
	/* The input is not modified. */
	char src[] = "13812345678";
	pii_mask(PII_PHONE, src, &a);
	assert_string_equal(src, "13812345678");
	arena_free(&a);
}

static void test_pii_encrypt_round_trip(void **state)
{
	assert_int_equal(pii_init(), 0);
	unsigned char key[PII_KEY_BYTES], other[PII_KEY_BYTES];
	randombytes_buf(key, sizeof key);
	randombytes_buf(other, sizeof other);
	struct arena a;
	arena_init(&a);
	const char *plain = "11010519491231002X 王贵宝";
	size_t len = 0, len2 = 0;
	unsigned char *c1 = pii_encrypt(key, plain, &len, &a);
	unsigned char *c2 = pii_encrypt(key, plain, &len2, &a);
	assert_int_equal(len, len2);
	assert_true(len > strlen(plain));
	/* Fresh nonce each time: equal plaintexts do not give equal ciphertexts. */
	assert_memory_not_equal(c1, c2, len);
	/* The plaintext does not appear in the ciphertext. */
	assert_null(memmem(c1, len, "11010519491231002X", 18));
	char *p = pii_decrypt(key, c1, len, &a);
	assert_non_null(p);
	assert_string_equal(p, plain);
	assert_string_equal(pii_decrypt(key, c2, len2, &a), plain);
	/* Empty plaintext. */
	unsigned char *ce = pii_encrypt(key, "", &len2, &a);
	assert_string_equal(pii_decrypt(key, ce, len2, &a), "");

	/* Any flipped byte (nonce, tag or body) makes it inauthentic. */
	for (size_t i = 0; i < len; i += 7) {
		unsigned char *t = arena_alloc(&a, len);
		memcpy(t, c1, len);
		t[i] ^= 0x01;
		assert_null(pii_decrypt(key, t, len, &a));
	}
	unsigned char *t = arena_alloc(&a, len);
	memcpy(t, c1, len);
	t[len - 1] ^= 0x80;
	assert_null(pii_decrypt(key, t, len, &a));
	/* Wrong key, truncated, too short, NULL. */
	assert_null(pii_decrypt(other, c1, len, &a));
	assert_null(pii_decrypt(key, c1, len - 1, &a));
	assert_null(pii_decrypt(key, c1, 10, &a));
	assert_null(pii_decrypt(key, NULL, 0, &a));
	arena_free(&a);
}

static void test_pii_hash(void **state)
{
	unsigned char key[PII_KEY_BYTES], key2[PII_KEY_BYTES];
	randombytes_buf(key, sizeof key);
	randombytes_buf(key2, sizeof key2);
	unsigned char h1[PII_HASH_BYTES], h2[PII_HASH_BYTES], h3[PII_HASH_BYTES], h4[PII_HASH_BYTES],
	    h5[PII_HASH_BYTES];
	pii_hash(key, PII_PHONE, "13800138000", h1);
	pii_hash(key, PII_PHONE, "13800138000", h2);
	assert_memory_equal(h1, h2, PII_HASH_BYTES);
	/* Different value. */
	pii_hash(key, PII_PHONE, "13800138001", h3);
	assert_memory_not_equal(h1, h3, PII_HASH_BYTES);
	/* Same text, other kind. */
	pii_hash(key, PII_ID_CARD, "13800138000", h4);
	assert_memory_not_equal(h1, h4, PII_HASH_BYTES);
	/* Same text, other key (hashes are keyed, not plain BLAKE2b). */
	pii_hash(key2, PII_PHONE, "13800138000", h5);
	assert_memory_not_equal(h1, h5, PII_HASH_BYTES);
}

/* --------------------------------------------------------------- authz */

static void test_authz_prefix_matching(void **state)
{
	struct grant g[] = {{.node_id = 5, .path = "/1/5/", .access = ACC_WORKER}};
	struct actor a = {.user_id = 9, .username = "w", .ngrants = 1, .grants = g};

	assert_int_equal(authz_access(&a, "/1/5/"), ACC_WORKER);
	assert_int_equal(authz_access(&a, "/1/5/9/"), ACC_WORKER);
	assert_int_equal(authz_access(&a, "/1/5/9/77/"), ACC_WORKER);
	/* A sibling, a sibling whose id starts with the same digit, and
	 * the ancestors are all outside the grant. */
	assert_int_equal(authz_access(&a, "/1/6/"), ACC_NONE);
	assert_int_equal(authz_access(&a, "/1/50/"), ACC_NONE);
	assert_int_equal(authz_access(&a, "/1/55/"), ACC_NONE);
	assert_int_equal(authz_access(&a, "/1/"), ACC_NONE);
	assert_int_equal(authz_access(&a, "/"), ACC_NONE);
	assert_int_equal(authz_access(&a, "/15/"), ACC_NONE);
	assert_int_equal(authz_access(&a, NULL), ACC_NONE);

	/* The highest of several grants wins. */
	struct grant g2[] = {{.node_id = 1, .path = "/1/", .access = ACC_VIEWER},
			     {.node_id = 5, .path = "/1/5/", .access = ACC_OFFICER},
			     {.node_id = 50, .path = "/1/50/", .access = ACC_WORKER}};
	struct actor b = {.user_id = 9, .username = "w", .ngrants = 3, .grants = g2};
	assert_int_equal(authz_access(&b, "/1/5/9/"), ACC_OFFICER);
	assert_int_equal(authz_access(&b, "/1/50/"), ACC_WORKER);
	assert_int_equal(authz_access(&b, "/1/6/"), ACC_VIEWER);
	assert_string_equal(authz_home(&b), "/1/");

	/* Administrators manage everything; no actor or no grant: nothing. */
	struct actor admin = {.user_id = 1, .username = "admin", .is_admin = true};
	assert_int_equal(authz_access(&admin, "/7/"), ACC_MANAGER);
	assert_string_equal(authz_home(&admin), "/");
	assert_int_equal(authz_access(NULL, "/1/"), ACC_NONE);
	struct actor nobody = {.user_id = 2, .username = "n"};
	assert_int_equal(authz_access(&nobody, "/1/"), ACC_NONE);
	assert_null(authz_home(&nobody));
	assert_null(authz_home(NULL));

	struct err e = {0};
	assert_int_equal(authz_require(&a, "/1/5/9/", ACC_WORKER, &e), 0);
	assert_int_equal(authz_require(&a, "/1/5/9/", ACC_OFFICER, &e), ERR_FORBIDDEN);
	assert_int_equal(e.code, ERR_FORBIDDEN);
	assert_non_null(strstr(e.msg, "officer"));
	assert_int_equal(authz_require(&a, "/1/50/", ACC_VIEWER, &e), ERR_FORBIDDEN);

	assert_string_equal(access_name(ACC_VIEWER), "viewer");
	assert_string_equal(access_name(ACC_MANAGER), "manager");
	assert_string_equal(access_name((enum access)42), "none");
	assert_int_equal(access_parse("worker"), ACC_WORKER);
	assert_int_equal(access_parse("officer"), ACC_OFFICER);
	assert_int_equal(access_parse("none"), -1);
	assert_int_equal(access_parse("Manager"), -1);
	assert_int_equal(access_parse(NULL), -1);
}

/* -------------------------------------------------------------- fields */

static int validate(const struct entity *ent, const char *json, bool create, struct err *e)
{
	json_error_t je;
	json_t *o = json_loads(json, 0, &je);
	assert_non_null(o);
	int rc = fields_validate(ent, o, create, e);
	json_decref(o);
	return rc;
}

static void expect_invalid(const struct entity *ent, const char *json, bool create, const char *field)
{
	struct err e = {0};
	int rc = validate(ent, json, create, &e);
	if (rc != ERR_INVALID || strcmp(e.field, field) != 0)
		print_error("input %s: rc %d field '%s' msg %s\n", json, rc, e.field, e.msg);
	assert_int_equal(rc, ERR_INVALID);
	assert_string_equal(e.field, field);
}

static char *repeat(struct arena *a, const char *unit, int n)
{
	size_t u = strlen(unit);
	char *s = arena_alloc(a, u * (size_t)n + 1);
	for (int i = 0; i < n; i++)
		memcpy(s + u * (size_t)i, unit, u);
	return s;
}

static void test_fields_validate(void **state)
{
	struct arena a;
	arena_init(&a);
	struct err e = {0};
	assert_int_equal(validate(&ENT_PERSON,
				  "{\"name\": \"王贵宝\", \"gender\": \"M\", \"birth_date\": \"1990-01-01\"}", true,
				  &e),
			 0);
	/* Unknown, read-only, no-update fields. */
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"nickname\": \"y\"}", true, "nickname");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"id\": 5}", true, "id");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"status\": \"active\"}", true, "status");
	expect_invalid(&ENT_PERSON, "{\"household_id\": 3}", false, "household_id");
	expect_invalid(&ENT_NODE, "{\"path\": \"/1/\"}", false, "path");
	/* Wrong types. */
	expect_invalid(&ENT_PERSON, "{\"name\": 5}", true, "name");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"household_id\": \"12\"}", true, "household_id");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"household_id\": 0}", true, "household_id");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"tags\": \"a,b\"}", true, "tags");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"tags\": [1]}", true, "tags");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"tags\": [\"a,b\"]}", true, "tags");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"birth_date\": 19900101}", true, "birth_date");
	expect_invalid(&ENT_USER, "{\"username\": \"ab\", \"display_name\": \"x\", \"is_admin\": 1}", true, "is_admin");
	expect_invalid(&ENT_NODE, "{\"kind\": \"area\", \"name\": \"x\", \"sort_order\": 1000001}", true, "sort_order");
	/* Bad enum (codes only; labels are for import), bad dates. */
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"gender\": \"X\"}", true, "gender");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"gender\": \"男\"}", true, "gender");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"political_status\": \"communist\"}", true, "political_status");
	expect_invalid(&ENT_HOUSEHOLD, "{\"node_id\": 1, \"address\": \"a\", \"tenure\": \"stolen\"}", true, "tenure");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"birth_date\": \"2023-02-29\"}", true, "birth_date");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"birth_date\": \"1990/01/01\"}", true, "birth_date");
	assert_int_equal(validate(&ENT_PERSON, "{\"name\": \"x\", \"birth_date\": \"2024-02-29\"}", true, &e), 0);
	/* Required fields on create only. */
	expect_invalid(&ENT_PERSON, "{}", true, "name");
	expect_invalid(&ENT_PERSON, "{\"gender\": \"F\"}", true, "name");
	expect_invalid(&ENT_PERSON, "{\"name\": null}", true, "name");
	expect_invalid(&ENT_PERSON, "{\"name\": \"\"}", true, "name");
	expect_invalid(&ENT_HOUSEHOLD, "{\"address\": \"3栋\"}", true, "node_id");
	assert_int_equal(validate(&ENT_PERSON, "{}", false, &e), 0);
	assert_int_equal(validate(&ENT_PERSON, "{\"note\": null}", false, &e), 0);
	/* Control characters. */
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"note\": \"a\\u0007b\"}", true, "note");
	assert_int_equal(validate(&ENT_PERSON, "{\"name\": \"x\", \"note\": \"line\\nline\"}", true, &e), 0);
	/* Not an object. */
	json_t *arr = json_array();
	assert_int_equal(fields_validate(&ENT_PERSON, arr, true, &e), ERR_INVALID);
	json_decref(arr);

	/* Lengths count characters: 50 Chinese characters (150 bytes) pass. */
	char *name50 = repeat(&a, "王", 50), *name51 = repeat(&a, "王", 51);
	json_t *o = json_pack("{s:s}", "name", name50);
	assert_int_equal(fields_validate(&ENT_PERSON, o, true, &e), 0);
	json_decref(o);
	o = json_pack("{s:s}", "name", name51);
	err_clear(&e);
	assert_int_equal(fields_validate(&ENT_PERSON, o, true, &e), ERR_INVALID);
	assert_string_equal(e.field, "name");
	json_decref(o);
	o = json_pack("{s:s}", "name", repeat(&a, "a", 50));
	assert_int_equal(fields_validate(&ENT_PERSON, o, true, &e), 0);
	json_decref(o);
	o = json_pack("{s:s}", "name", repeat(&a, "a", 51));
	assert_int_equal(fields_validate(&ENT_PERSON, o, true, &e), ERR_INVALID);
	json_decref(o);
	/* Emoji count as one character each as well. */
	o = json_pack("{s:s, s:s}", "name", "x", "ethnicity", repeat(&a, "\xf0\x9f\x98\x80", 20));
	assert_int_equal(fields_validate(&ENT_PERSON, o, true, &e), 0);
	json_decref(o);

	/* Invalid UTF-8 smuggled past jansson's own check. */
	o = json_object();
	json_object_set_new(o, "name", json_string_nocheck("\xc0\xaf"));
	assert_int_equal(fields_validate(&ENT_PERSON, o, true, &e), ERR_INVALID);
	assert_string_equal(e.field, "name");
	json_decref(o);

	/* PII is normalised in place; a bad ID card names its field. */
	o = json_pack("{s:s, s:s, s:s}", "name", "x", "phone", "+86 138-0013-8000", "id_card", "110105 19491231 002x");
	assert_int_equal(fields_validate(&ENT_PERSON, o, true, &e), 0);
	assert_string_equal(jstr(o, "phone"), "13800138000");
	assert_string_equal(jstr(o, "id_card"), "11010519491231002X");
	json_decref(o);
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"id_card\": \"110105194912310021\"}", true, "id_card");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"phone\": \"555\"}", true, "phone");
	arena_free(&a);
}

/* ---------------------------------------------------------------- tree */

static void test_tree_create_hierarchy(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	const char *rp = path_of(v, v->u.root);
	assert_string_equal(rp, arena_printf(&v->u.a, "/%lld/", (long long)v->u.root));
	assert_int_equal(qi(v, "SELECT depth FROM nodes WHERE id = ?", v->u.root), 0);
	assert_int_equal(qi(v, "SELECT community_id IS NULL FROM nodes WHERE id = ?", v->u.root), 1);
	assert_int_equal(qi(v, "SELECT parent_id IS NULL FROM nodes WHERE id = ?", v->u.root), 1);

	int64_t audit0 = audit_rows(v);
	int64_t c = make_node(v, v->u.root, "community", "幸福社区");
	int64_t a = make_node(v, c, "area", "东片区");
	int64_t g = make_node(v, a, "group", "第一组");
	int64_t l = make_node(v, g, "circle", "一邻");
	assert_int_equal(audit_rows(v), audit0 + 4);

	assert_string_equal(path_of(v, l), arena_printf(&v->u.a, "/%lld/%lld/%lld/%lld/%lld/", (long long)v->u.root,
							(long long)c, (long long)a, (long long)g, (long long)l));
	assert_int_equal(qi(v, "SELECT depth FROM nodes WHERE id = ?", c), 1);
	assert_int_equal(qi(v, "SELECT depth FROM nodes WHERE id = ?", l), 4);
	/* community_id: the community itself and everything below it. */
	assert_int_equal(qi(v, "SELECT community_id FROM nodes WHERE id = ?", c), c);
	assert_int_equal(qi(v, "SELECT community_id FROM nodes WHERE id = ?", a), c);
	assert_int_equal(qi(v, "SELECT community_id FROM nodes WHERE id = ?", l), c);
	assert_string_equal(qs(v, "SELECT name_initials FROM nodes WHERE id = ?", c), "xfsq");

	json_t *n = NULL;
	assert_int_equal(tree_get(&v->u.c, g, &n, &e), 0);
	assert_string_equal(jstr(n, "kind"), "group");
	assert_string_equal(jstr(n, "kind_name"), "组");
	assert_int_equal(jint(n, "parent_id"), a);
	assert_int_equal(jint(n, "depth"), 3);
	assert_int_equal(jint(n, "child_count"), 1);
	assert_int_equal(jint(n, "community_id"), c);
	json_decref(n);

	json_t *anc = NULL;
	assert_int_equal(tree_ancestors(&v->u.c, l, &anc, &e), 0);
	assert_int_equal(json_array_size(anc), 4);
	assert_int_equal(jint(json_array_get(anc, 0), "id"), v->u.root);
	assert_int_equal(jint(json_array_get(anc, 3), "id"), g);
	json_decref(anc);

	json_t *found = NULL;
	assert_int_equal(tree_search(&v->u.c, v->u.root, "dpq", 10, &found, &e), 0);
	assert_int_equal(json_array_size(found), 1);
	assert_int_equal(jint(json_array_get(found, 0), "id"), a);
	json_decref(found);
}

static void test_tree_placement_rules(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	int64_t c = make_node(v, v->u.root, "community", "幸福社区");
	int64_t a = make_node(v, c, "area", "东片区");
	int64_t nodes = qi0(v, "SELECT count(*) FROM nodes");
	int64_t audits = audit_rows(v);
	int64_t id = 0;

	/* A higher level under a lower one. */
	assert_int_equal(try_node(v, c, "street", "x", &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "kind");
	/* The same level (area and grid are both level 4). */
	assert_int_equal(try_node(v, a, "grid", "x", &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "kind");
	assert_int_equal(try_node(v, a, "area", "x", &id, &e), ERR_INVALID);
	/* The party tree does not mix with the org tree. */
	assert_int_equal(try_node(v, c, "party_branch", "x", &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "kind");
	/* Unknown kind, missing or unknown parent, bad names. */
	assert_int_equal(try_node(v, c, "galaxy", "x", &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "kind");
	assert_int_equal(try_node(v, 99999, "area", "x", &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "parent_id");
	json_t *in = json_pack("{s:s, s:s}", "kind", "area", "name", "x");
	json_t *out = NULL;
	assert_int_equal(tree_create(&v->u.c, in, &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "parent_id");
	json_decref(in);
	assert_int_equal(try_node(v, c, "area", "", &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "name");
	assert_int_equal(try_node(v, c, "area", repeat(&v->u.a, "区", 101), &id, &e), ERR_INVALID);
	assert_string_equal(e.field, "name");
	/* Nothing was written. */
	assert_int_equal(qi0(v, "SELECT count(*) FROM nodes"), nodes);
	assert_int_equal(audit_rows(v), audits);

	/* Skipping levels downwards is allowed: a group straight under a community. */
	assert_int_equal(try_node(v, c, "group", "直属组", &id, &e), 0);
	assert_int_equal(qi(v, "SELECT depth FROM nodes WHERE id = ?", id), 2);
	assert_int_equal(try_node(v, c, "area", repeat(&v->u.a, "区", 100), &id, &e), 0);
}

static void test_tree_move_subtree(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	int64_t c1 = make_node(v, v->u.root, "community", "一社区");
	int64_t c2 = make_node(v, v->u.root, "community", "二社区");
	int64_t a1 = make_node(v, c1, "area", "东片区");
	int64_t g1 = make_node(v, a1, "group", "第一组");
	int64_t l1 = make_node(v, g1, "circle", "一邻");
	int64_t keep = make_node(v, c1, "area", "西片区");
	int64_t h = make_household(v, g1, "3栋101", "owned");
	int64_t hl = make_household(v, l1, "3栋102", "rented");
	char id[19];
	make_id(id, "430302", "19900101", "123");
	int64_t p = make_person(v, h, "王贵宝", id, json_pack("{s:[s]}", "tags", "低保"));
	int64_t q = make_person(v, hl, "李四", NULL, NULL);
	const char *keep_path = path_of(v, keep);

	/* A1 (with G1, L1, two households and two people) moves to C2. */
	int64_t audits = audit_rows(v);
	json_t *out = NULL;
	assert_int_equal(tree_move(&v->u.c, a1, c2, &out, &e), 0);
	const char *c2p = path_of(v, c2);
	const char *a1p = arena_printf(&v->u.a, "%s%lld/", c2p, (long long)a1);
	const char *g1p = arena_printf(&v->u.a, "%s%lld/", a1p, (long long)g1);
	const char *l1p = arena_printf(&v->u.a, "%s%lld/", g1p, (long long)l1);
	assert_string_equal(jstr(out, "path"), a1p);
	assert_int_equal(jint(out, "parent_id"), c2);
	json_decref(out);
	assert_int_equal(audit_rows(v), audits + 1);
	assert_string_equal(path_of(v, a1), a1p);
	assert_string_equal(path_of(v, g1), g1p);
	assert_string_equal(path_of(v, l1), l1p);
	assert_int_equal(qi(v, "SELECT depth FROM nodes WHERE id = ?", a1), 2);
	assert_int_equal(qi(v, "SELECT depth FROM nodes WHERE id = ?", l1), 4);
	for (int64_t n = a1; n <= l1; n++)
		assert_int_equal(qi(v, "SELECT community_id FROM nodes WHERE id = ?", n), c2);
	/* Rows that belong to the subtree followed it. */
	assert_string_equal(qs(v, "SELECT node_path FROM households WHERE id = ?", h), g1p);
	assert_string_equal(qs(v, "SELECT node_path FROM households WHERE id = ?", hl), l1p);
	assert_int_equal(qi(v, "SELECT community_id FROM households WHERE id = ?", h), c2);
	assert_string_equal(qs(v, "SELECT node_path FROM people WHERE id = ?", p), g1p);
	assert_string_equal(qs(v, "SELECT node_path FROM people WHERE id = ?", q), l1p);
	assert_int_equal(qi(v, "SELECT community_id FROM people WHERE id = ?", p), c2);
	assert_string_equal(qs(v, "SELECT node_path FROM person_tags WHERE person_id = ?", p), g1p);
	/* Nothing else moved. */
	assert_string_equal(path_of(v, keep), keep_path);
	assert_int_equal(qi(v, "SELECT community_id FROM nodes WHERE id = ?", keep), c1);
	struct person_filter f = {.node_id = c1};
	assert_string_equal(list_names(v, &f), "");
	f.node_id = c2;
	assert_string_equal(list_names(v, &f), "王贵宝,李四");
	f.tag = "低保";
	assert_string_equal(list_names(v, &f), "王贵宝");

	/* G1 (with L1) moves up directly under C2: depths shrink by one. */
	assert_int_equal(tree_move(&v->u.c, g1, c2, &out, &e), 0);
	json_decref(out);
	g1p = arena_printf(&v->u.a, "%s%lld/", c2p, (long long)g1);
	l1p = arena_printf(&v->u.a, "%s%lld/", g1p, (long long)l1);
	assert_string_equal(path_of(v, g1), g1p);
	assert_string_equal(path_of(v, l1), l1p);
	assert_int_equal(qi(v, "SELECT depth FROM nodes WHERE id = ?", g1), 2);
	assert_int_equal(qi(v, "SELECT depth FROM nodes WHERE id = ?", l1), 3);
	assert_string_equal(qs(v, "SELECT node_path FROM people WHERE id = ?", q), l1p);
	assert_string_equal(qs(v, "SELECT node_path FROM households WHERE id = ?", h), g1p);
	/* Every node's depth matches its path. */
	assert_int_equal(
	    qi0(v, "SELECT count(*) FROM nodes WHERE depth != length(path) - length(replace(path, '/', '')) - 2"), 0);
	/* Every household's path is its node's path. */
	assert_int_equal(
	    qi0(v, "SELECT count(*) FROM households h JOIN nodes n ON n.id = h.node_id WHERE h.node_path != n.path"),
	    0);
	assert_int_equal(
	    qi0(v, "SELECT count(*) FROM people p JOIN nodes n ON n.id = p.node_id WHERE p.node_path != n.path"), 0);
}

static void test_tree_move_rejects(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	int64_t c1 = make_node(v, v->u.root, "community", "一社区");
	int64_t c2 = make_node(v, v->u.root, "community", "二社区");
	int64_t a1 = make_node(v, c1, "area", "东片区");
	int64_t g1 = make_node(v, a1, "group", "第一组");
	int64_t l1 = make_node(v, g1, "circle", "一邻");
	const char *before = arena_strdup(&v->u.a, qs(v, "SELECT group_concat(path, ' ') FROM nodes WHERE id > ?", 0));
	int64_t audits = audit_rows(v);
	json_t *out = NULL;

	/* Under its own descendant (placement would also object: the
	 * descendant check must come first and name parent_id). */
	err_clear(&e);
	assert_int_equal(tree_move(&v->u.c, a1, l1, &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "parent_id");
	err_clear(&e);
	assert_int_equal(tree_move(&v->u.c, a1, g1, &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "parent_id");
	/* Under itself. */
	err_clear(&e);
	assert_int_equal(tree_move(&v->u.c, a1, a1, &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "parent_id");
	/* The root; a missing target; a wrong level. */
	assert_int_equal(tree_move(&v->u.c, v->u.root, c1, &out, &e), ERR_INVALID);
	assert_int_equal(tree_move(&v->u.c, a1, 99999, &out, &e), ERR_INVALID);
	assert_int_equal(tree_move(&v->u.c, 99999, c1, &out, &e), ERR_NOT_FOUND);
	err_clear(&e);
	assert_int_equal(tree_move(&v->u.c, c2, a1, &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "kind");

	assert_string_equal(qs(v, "SELECT group_concat(path, ' ') FROM nodes WHERE id > ?", 0), before);
	assert_int_equal(audit_rows(v), audits);
	assert_false(store_in_txn(v->u.db));
}

/* A node created under a street has no community (NULL). Moving an area
 * out of its community to sit directly under the street must leave it in
 * the same state, not with community_id 0 (a node id that does not exist). */
static void test_tree_move_out_of_community_clears_community(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	int64_t c1 = make_node(v, v->u.root, "community", "一社区");
	int64_t fresh = make_node(v, v->u.root, "area", "街道直属片区");
	assert_int_equal(qi(v, "SELECT community_id IS NULL FROM nodes WHERE id = ?", fresh), 1);
	int64_t a1 = make_node(v, c1, "area", "东片区");
	int64_t h = make_household(v, a1, "5栋", "owned");
	json_t *out = NULL;
	assert_int_equal(tree_move(&v->u.c, a1, v->u.root, &out, &e), 0);
	bool null_in_json = json_is_null(json_object_get(out, "community_id"));
	json_decref(out); /* before asserting: a failure here must not leak */
	assert_true(null_in_json);
	assert_int_equal(qi(v, "SELECT community_id IS NULL FROM nodes WHERE id = ?", a1), 1);
	assert_int_equal(qi(v, "SELECT community_id IS NULL FROM households WHERE id = ?", h), 1);
}

static void test_tree_retire(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	int64_t c = make_node(v, v->u.root, "community", "幸福社区");
	int64_t a = make_node(v, c, "area", "东片区");
	int64_t g = make_node(v, c, "group", "有户的组");
	make_household(v, g, "1栋", "owned");

	err_clear(&e);
	assert_int_equal(tree_retire(&v->u.c, c, &e), ERR_CONFLICT); /* active children */
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_int_equal(qi(v, "SELECT retired_at IS NULL FROM nodes WHERE id = ?", c), 1);
	assert_int_equal(tree_retire(&v->u.c, g, &e), ERR_CONFLICT); /* a household */
	assert_int_equal(tree_retire(&v->u.c, v->u.root, &e), ERR_INVALID);
	assert_int_equal(tree_retire(&v->u.c, 99999, &e), ERR_NOT_FOUND);
	assert_false(store_in_txn(v->u.db));

	int64_t audits = audit_rows(v);
	assert_int_equal(tree_retire(&v->u.c, a, &e), 0);
	assert_int_equal(audit_rows(v), audits + 1);
	assert_string_equal(qs(v, "SELECT retired_at FROM nodes WHERE id = ?", a), "2024-06-15T12:00:00Z");
	assert_int_equal(tree_retire(&v->u.c, a, &e), ERR_CONFLICT); /* twice */
	/* Nothing new under a retired node. */
	int64_t id;
	assert_int_equal(try_node(v, a, "group", "x", &id, &e), ERR_INVALID);
	json_t *in = json_pack("{s:I, s:s}", "node_id", (json_int_t)a, "address", "x");
	json_t *out = NULL;
	assert_int_equal(household_create(&v->u.c, in, &out, &e), ERR_INVALID);
	json_decref(in);
	/* Children lists hide it unless asked. */
	json_t *kids = NULL;
	assert_int_equal(tree_children(&v->u.c, c, 0, 50, false, &kids, &e), 0);
	assert_int_equal(json_array_size(kids), 1);
	json_decref(kids);
	assert_int_equal(tree_children(&v->u.c, c, 0, 50, true, &kids, &e), 0);
	assert_int_equal(json_array_size(kids), 2);
	json_decref(kids);
	/* Still blocked by the group with a household. */
	assert_int_equal(tree_retire(&v->u.c, c, &e), ERR_CONFLICT);
}

/* ------------------------------------------------------------ registry */

struct small_tree {
	int64_t c, a, g1, g2;
};

static struct small_tree small_tree(struct env *v)
{
	struct small_tree t;
	t.c = make_node(v, v->u.root, "community", "幸福社区");
	t.a = make_node(v, t.c, "area", "东片区");
	t.g1 = make_node(v, t.a, "group", "第一组");
	t.g2 = make_node(v, t.a, "group", "第二组");
	return t;
}

static void test_household_create(void **state)
{
	struct env *v = *state;
	struct small_tree t = small_tree(v);
	struct err e = {0};
	int64_t audits = audit_rows(v);
	json_t *in = json_pack("{s:I, s:s, s:s, s:s}", "node_id", (json_int_t)t.g1, "address", "3栋2单元101", "tenure",
			       "rented", "note", "租户常年在外");
	json_t *out = NULL;
	assert_int_equal(household_create(&v->u.c, in, &out, &e), 0);
	json_decref(in);
	int64_t h = jint(out, "id");
	assert_string_equal(jstr(out, "address"), "3栋2单元101");
	assert_string_equal(jstr(out, "tenure"), "rented");
	assert_string_equal(jstr(out, "status"), "active");
	assert_string_equal(jstr(out, "node_name"), "第一组");
	assert_int_equal(jint(out, "member_count"), 0);
	assert_true(json_is_null(json_object_get(out, "head_person_id")));
	json_decref(out);
	assert_string_equal(qs(v, "SELECT node_path FROM households WHERE id = ?", h), path_of(v, t.g1));
	assert_int_equal(qi(v, "SELECT community_id FROM households WHERE id = ?", h), t.c);
	assert_int_equal(audit_rows(v), audits + 1);

	/* Default tenure. */
	int64_t h2 = make_household(v, t.g2, "4栋", "owned");
	assert_string_equal(qs(v, "SELECT tenure FROM households WHERE id = ?", h2), "owned");

	/* Unknown node, missing address, read-only status. */
	in = json_pack("{s:I, s:s}", "node_id", (json_int_t)99999, "address", "x");
	err_clear(&e);
	assert_int_equal(household_create(&v->u.c, in, &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "node_id");
	json_decref(in);
	in = json_pack("{s:I}", "node_id", (json_int_t)t.g1);
	assert_int_equal(household_create(&v->u.c, in, &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "address");
	json_decref(in);
	in = json_pack("{s:I, s:s, s:s}", "node_id", (json_int_t)t.g1, "address", "x", "status", "closed");
	assert_int_equal(household_create(&v->u.c, in, &out, &e), ERR_INVALID);
	json_decref(in);
	assert_int_equal(qi0(v, "SELECT count(*) FROM households"), 2);
	assert_false(store_in_txn(v->u.db));
}

static void test_person_create_derives_from_id_card(void **state)
{
	struct env *v = *state;
	struct small_tree t = small_tree(v);
	int64_t h = make_household(v, t.g1, "3栋101", "owned");
	char id[19];
	make_id(id, "430302", "19900101", "123");
	struct err e = {0};
	json_t *out = NULL;
	json_t *extra = json_pack("{s:s, s:[s,s], s:s, s:s}", "phone", "+86 138-0013-8000", "tags", "低保", "独居老人",
				  "relation", "head", "political_status", "party_member");
	assert_int_equal(try_person(v, h, "王贵宝", id, extra, &out, &e), 0);
	json_decref(extra);
	int64_t p = jint(out, "id");
	assert_string_equal(jstr(out, "birth_date"), "1990-01-01");
	assert_string_equal(jstr(out, "gender"), "M");
	assert_int_equal(jint(out, "age"), 34); /* on 2024-06-15 */
	/* Masked in what is returned. */
	assert_string_equal(jstr(out, "id_card"), arena_printf(&v->u.a, "430302********%s", id + 14));
	assert_string_equal(jstr(out, "phone"), "138****8000");
	assert_string_equal(jstr(out, "status"), "active");
	assert_string_equal(jstr(out, "residence"), "permanent");
	assert_string_equal(jstr(out, "household_address"), "3栋101");
	assert_int_equal(json_array_size(json_object_get(out, "tags")), 2);
	json_decref(out);

	/* Stored encrypted, hashed, with pinyin columns and the place. */
	assert_string_equal(qs(v, "SELECT name_initials FROM people WHERE id = ?", p), "wgb");
	assert_string_equal(qs(v, "SELECT name_pinyin FROM people WHERE id = ?", p), "wangguibao");
	assert_string_equal(qs(v, "SELECT node_path FROM people WHERE id = ?", p), path_of(v, t.g1));
	assert_int_equal(qi(v, "SELECT node_id FROM people WHERE id = ?", p), t.g1);
	assert_int_equal(qi(v, "SELECT community_id FROM people WHERE id = ?", p), t.c);
	assert_int_equal(qi(v, "SELECT length(id_card_hash) FROM people WHERE id = ?", p), PII_HASH_BYTES);
	assert_int_equal(qi(v, "SELECT instr(id_card_enc, '430302') FROM people WHERE id = ?", p), 0);
	assert_int_equal(qi(v, "SELECT count(*) FROM person_tags WHERE person_id = ?", p), 2);
	assert_int_equal(qi(v, "SELECT head_person_id FROM households WHERE id = ?", h), p);
	assert_int_equal(qi(v, "SELECT count(*) FROM residence_history WHERE person_id = ? AND moved_out IS NULL", p),
			 1);

	/* Reading it back decrypts. */
	assert_int_equal(person_get(&v->u.c, p, false, &out, &e), 0);
	assert_string_equal(jstr(out, "phone"), "138****8000");
	assert_string_equal(jstr(out, "name"), "王贵宝");
	json_decref(out);

	/* A female number; given values win over derived ones. */
	char idf[19];
	make_id(idf, "430302", "19921231", "124");
	assert_int_equal(try_person(v, h, "王芳", idf, NULL, &out, &e), 0);
	assert_string_equal(jstr(out, "gender"), "F");
	assert_string_equal(jstr(out, "birth_date"), "1992-12-31");
	assert_int_equal(jint(out, "age"), 31);
	json_decref(out);
	char idg[19];
	make_id(idg, "430302", "19800101", "135");
	extra = json_pack("{s:s}", "birth_date", "1980-01-02");
	assert_int_equal(try_person(v, h, "王大", idg, extra, &out, &e), 0);
	json_decref(extra);
	assert_string_equal(jstr(out, "birth_date"), "1980-01-02");
	json_decref(out);

	/* 50 Chinese characters are a legal name all the way to the database. */
	assert_int_equal(try_person(v, h, repeat(&v->u.a, "王", 50), NULL, NULL, &out, &e), 0);
	json_decref(out);
	assert_int_equal(try_person(v, h, repeat(&v->u.a, "王", 51), NULL, NULL, &out, &e), ERR_INVALID);
	/* No household, unknown household. */
	json_t *in = json_pack("{s:s}", "name", "无户");
	assert_int_equal(person_create(&v->u.c, in, &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "household_id");
	json_decref(in);
	assert_int_equal(try_person(v, 99999, "无户", NULL, NULL, &out, &e), ERR_INVALID);
	assert_false(store_in_txn(v->u.db));
}

static void test_person_duplicate_id_card(void **state)
{
	struct env *v = *state;
	struct small_tree t = small_tree(v);
	int64_t h1 = make_household(v, t.g1, "1栋", "owned");
	int64_t h2 = make_household(v, t.g2, "2栋", "owned");
	make_person(v, h1, "王贵宝", "11010519491231002X", NULL);
	int64_t people = qi0(v, "SELECT count(*) FROM people");
	int64_t audits = audit_rows(v);
	struct err e = {0};
	json_t *out = NULL;
	assert_int_equal(try_person(v, h2, "冒名者", "11010519491231002X", NULL, &out, &e), ERR_CONFLICT);
	assert_string_equal(e.field, "id_card");
	/* The same number written differently is the same number. */
	err_clear(&e);
	assert_int_equal(try_person(v, h2, "冒名者", "110105 19491231 002x", NULL, &out, &e), ERR_CONFLICT);
	assert_int_equal(e.code, ERR_CONFLICT);
	assert_int_equal(qi0(v, "SELECT count(*) FROM people"), people);
	assert_int_equal(audit_rows(v), audits);
	assert_false(store_in_txn(v->u.db));
	/* A different number is fine. */
	char id[19];
	make_id(id, "110105", "19491231", "003");
	make_person(v, h2, "另一人", id, NULL);
}

static void test_person_list_search(void **state)
{
	struct env *v = *state;
	struct small_tree t = small_tree(v);
	int64_t h1 = make_household(v, t.g1, "1栋", "owned");
	int64_t h2 = make_household(v, t.g2, "2栋", "owned");
	char id1[19], id2[19];
	make_id(id1, "430302", "19900101", "123");
	make_id(id2, "110105", "19491231", "002"); /* ends in X */
	make_person(v, h1, "王贵宝", id1, json_pack("{s:s, s:[s]}", "phone", "13800138000", "tags", "低保"));
	make_person(v, h1, "李四", id2, json_pack("{s:s}", "phone", "13912345678"));
	make_person(v, h2, "王芳", NULL, json_pack("{s:[s], s:s}", "tags", "残疾", "residence", "floating"));
	make_person(v, h2, "单田芳", NULL, NULL);

	struct person_filter f = {.node_id = 0};
	assert_string_equal(list_names(v, &f), "王贵宝,李四,王芳,单田芳");
	/* Pinyin initials, any case; full pinyin prefix. */
	f.q = "wgb";
	assert_string_equal(list_names(v, &f), "王贵宝");
	f.q = "WGB";
	assert_string_equal(list_names(v, &f), "王贵宝");
	f.q = "wang";
	assert_string_equal(list_names(v, &f), "王贵宝,王芳");
	f.q = "stf"; /* 单 as a surname reads shan */
	assert_string_equal(list_names(v, &f), "单田芳");
	f.q = "w";
	assert_string_equal(list_names(v, &f), "王贵宝,王芳");
	/* Name substring. */
	f.q = "贵宝";
	assert_string_equal(list_names(v, &f), "王贵宝");
	/* Full ID card (also with a lower-case x), phone; never partial. */
	f.q = id1;
	assert_string_equal(list_names(v, &f), "王贵宝");
	f.q = "11010519491231002x";
	assert_string_equal(list_names(v, &f), "李四");
	f.q = "13912345678";
	assert_string_equal(list_names(v, &f), "李四");
	f.q = "13800138000";
	assert_string_equal(list_names(v, &f), "王贵宝");
	f.q = "1380013800";
	assert_string_equal(list_names(v, &f), "");
	f.q = "430302";
	assert_string_equal(list_names(v, &f), "");
	/* Tag, residence, gender, household, subtree. */
	f = (struct person_filter){.tag = "低保"};
	assert_string_equal(list_names(v, &f), "王贵宝");
	f.tag = "残疾";
	assert_string_equal(list_names(v, &f), "王芳");
	f.tag = "没有";
	assert_string_equal(list_names(v, &f), "");
	f = (struct person_filter){.residence = "floating"};
	assert_string_equal(list_names(v, &f), "王芳");
	f = (struct person_filter){.gender = "F"};
	assert_string_equal(list_names(v, &f), "李四");
	f = (struct person_filter){.household_id = h2};
	assert_string_equal(list_names(v, &f), "王芳,单田芳");
	f = (struct person_filter){.node_id = t.g1};
	assert_string_equal(list_names(v, &f), "王贵宝,李四");
	f = (struct person_filter){.node_id = t.g2, .q = "wgb"};
	assert_string_equal(list_names(v, &f), "");
	/* Paging. */
	f = (struct person_filter){.limit = 2};
	assert_string_equal(list_names(v, &f), "王贵宝,李四");
	json_t *arr = NULL;
	struct err e = {0};
	assert_int_equal(person_list(&v->u.c, &f, &arr, &e), 0);
	f.after_id = jint(json_array_get(arr, 1), "id");
	json_decref(arr);
	assert_string_equal(list_names(v, &f), "王芳,单田芳");
	/* Lists are masked. */
	f = (struct person_filter){.q = "wgb"};
	assert_int_equal(person_list(&v->u.c, &f, &arr, &e), 0);
	assert_string_equal(jstr(json_array_get(arr, 0), "phone"), "138****8000");
	json_decref(arr);
}

/* person_list builds up to 9 text binds (4 for a pinyin query, 4 equality
 * filters, 1 tag) into `const char *tv[8]`. Run in a child: with the bug
 * ASan aborts on the stack-buffer-overflow. */
/* What a child test body gets: the directory for its database, made and
 * removed by the parent (a crashing child cannot clean up), and a flag. */
struct child_arg {
	const char *dir;
	bool flag;
};

/* Runs body in a child with a fresh directory; returns the wait status. */
static int run_in_child(int (*body)(void *), bool flag)
{
	char *dir = unit_tmpdir();
	assert_non_null(dir);
	struct child_arg ca = {.dir = dir, .flag = flag};
	int st = unit_run_child(body, &ca);
	unit_rmdir(dir);
	free(dir);
	return st;
}

static int child_list_all_filters(void *arg)
{
	const struct child_arg *ca = arg;
	struct env v;
	if (env_open_in(&v, ca->dir))
		return 10;
	struct err e = {0};
	json_t *in =
	    json_pack("{s:I, s:s, s:s}", "parent_id", (json_int_t)v.u.root, "kind", "community", "name", "社区");
	json_t *out = NULL;
	int rc = tree_create(&v.u.c, in, &out, &e);
	int64_t node = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	in = json_pack("{s:I, s:s}", "node_id", (json_int_t)node, "address", "1栋");
	if (rc == 0)
		rc = household_create(&v.u.c, in, &out, &e);
	int64_t hid = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	in = json_pack("{s:I, s:s, s:s, s:s, s:s, s:[s]}", "household_id", (json_int_t)hid, "name", "王贵宝", "gender",
		       "M", "residence", "permanent", "political_status", "masses", "tags", "低保");
	if (rc == 0)
		rc = person_create(&v.u.c, in, &out, &e);
	json_decref(in);
	json_decref(out);
	if (rc)
		return 11;
	struct person_filter f = {.q = "wgb",
				  .residence = "permanent",
				  .status = "active",
				  .political_status = "masses",
				  .gender = "M",
				  .tag = "低保"};
	json_t *arr = NULL;
	rc = person_list(&v.u.c, &f, &arr, &e);
	size_t n = rc == 0 ? json_array_size(arr) : 0;
	json_decref(arr);
	env_close(&v);
	if (rc)
		return 12;
	return n == 1 ? 0 : 13;
}

static void test_person_list_all_filters_at_once(void **state)
{
	char why[64];
	int st = run_in_child(child_list_all_filters, false);
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		print_error("person_list with q + 4 filters + tag: child %s\n", unit_status_text(st, why, sizeof why));
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_person_move_history(void **state)
{
	struct env *v = *state;
	struct small_tree t = small_tree(v);
	int64_t h1 = make_household(v, t.g1, "1栋", "owned");
	int64_t h2 = make_household(v, t.g2, "2栋", "rented");
	int64_t p = make_person(v, h1, "王贵宝", NULL, json_pack("{s:s, s:[s]}", "relation", "head", "tags", "低保"));
	assert_int_equal(qi(v, "SELECT head_person_id FROM households WHERE id = ?", h1), p);
	struct err e = {0};
	json_t *out = NULL, *hist = NULL;

	assert_int_equal(person_history(&v->u.c, p, &hist, &e), 0);
	assert_int_equal(json_array_size(hist), 1);
	assert_string_equal(jstr(json_array_get(hist, 0), "moved_in"), "2024-06-15");
	assert_true(json_is_null(json_object_get(json_array_get(hist, 0), "moved_out")));
	json_decref(hist);

	/* Refusals first: nothing may change. */
	int64_t audits = audit_rows(v);
	assert_int_equal(person_move(&v->u.c, p, h2, "2024-13-01", NULL, NULL, &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "date");
	assert_int_equal(person_move(&v->u.c, p, h2, "2024-06-01", NULL, NULL, &out, &e),
			 ERR_INVALID); /* before moved in */
	assert_string_equal(e.field, "date");
	assert_int_equal(person_move(&v->u.c, p, h1, "2024-06-20", NULL, NULL, &out, &e),
			 ERR_INVALID); /* same household */
	assert_int_equal(person_move(&v->u.c, p, 99999, "2024-06-20", NULL, NULL, &out, &e), ERR_INVALID);
	assert_int_equal(person_move(&v->u.c, p, 0, "2024-06-20", NULL, "gone", &out, &e), ERR_INVALID);
	assert_int_equal(person_move(&v->u.c, 99999, h2, "2024-06-20", NULL, NULL, &out, &e), ERR_NOT_FOUND);
	assert_int_equal(audit_rows(v), audits);
	assert_int_equal(qi(v, "SELECT count(*) FROM residence_history WHERE person_id = ?", p), 1);
	assert_false(store_in_txn(v->u.db));

	/* Into another household. */
	assert_int_equal(person_move(&v->u.c, p, h2, "2024-06-20", NULL, NULL, &out, &e), 0);
	assert_int_equal(jint(out, "household_id"), h2);
	assert_string_equal(jstr(out, "household_address"), "2栋");
	assert_true(json_is_null(json_object_get(out, "relation")));
	json_decref(out);
	assert_string_equal(qs(v, "SELECT node_path FROM people WHERE id = ?", p), path_of(v, t.g2));
	assert_int_equal(qi(v, "SELECT node_id FROM people WHERE id = ?", p), t.g2);
	assert_string_equal(qs(v, "SELECT node_path FROM person_tags WHERE person_id = ?", p), path_of(v, t.g2));
	assert_int_equal(qi(v, "SELECT head_person_id IS NULL FROM households WHERE id = ?", h1), 1);
	assert_int_equal(audit_rows(v), audits + 1);
	assert_string_equal(
	    qs(v, "SELECT action FROM audit WHERE id = (SELECT max(id) FROM audit WHERE entity_id = ?)", p), "move_in");

	/* Out of the area. */
	assert_int_equal(person_move(&v->u.c, p, 0, "2024-07-01", "迁往外地", NULL, &out, &e), 0);
	assert_string_equal(jstr(out, "status"), "moved_out");
	json_decref(out);
	assert_int_equal(audit_rows(v), audits + 2);

	assert_int_equal(person_history(&v->u.c, p, &hist, &e), 0);
	assert_int_equal(json_array_size(hist), 2);
	json_t *s1 = json_array_get(hist, 0), *s2 = json_array_get(hist, 1);
	assert_int_equal(jint(s1, "household_id"), h1);
	assert_string_equal(jstr(s1, "moved_in"), "2024-06-15");
	assert_string_equal(jstr(s1, "moved_out"), "2024-06-20");
	assert_int_equal(jint(s2, "household_id"), h2);
	assert_string_equal(jstr(s2, "moved_in"), "2024-06-20");
	assert_string_equal(jstr(s2, "moved_out"), "2024-07-01");
	assert_non_null(strstr(jstr(s2, "reason"), "迁往外地"));
	json_decref(hist);
	/* At most one open stay, none now. */
	assert_int_equal(qi(v, "SELECT count(*) FROM residence_history WHERE person_id = ? AND moved_out IS NULL", p),
			 0);

	/* Gone from the default (active) list, found with status filters. */
	struct person_filter f = {0};
	assert_string_equal(list_names(v, &f), "");
	f.status = "moved_out";
	assert_string_equal(list_names(v, &f), "王贵宝");
	f.status = "all";
	assert_string_equal(list_names(v, &f), "王贵宝");
}

/* A resident who moved out comes back to the household they left: that is
 * a new stay, not "already in that household". */
static void test_person_move_back_after_moving_out(void **state)
{
	struct env *v = *state;
	struct small_tree t = small_tree(v);
	int64_t h1 = make_household(v, t.g1, "1栋", "owned");
	int64_t p = make_person(v, h1, "王贵宝", NULL, NULL);
	struct err e = {0};
	json_t *out = NULL;
	assert_int_equal(person_move(&v->u.c, p, 0, "2024-07-01", "外出务工", NULL, &out, &e), 0);
	json_decref(out);
	out = NULL;
	int rc = person_move(&v->u.c, p, h1, "2024-09-01", "返乡", NULL, &out, &e);
	if (rc)
		print_error("moving back in: %s (%s)\n", e.msg, e.field);
	assert_int_equal(rc, 0);
	assert_string_equal(jstr(out, "status"), "active");
	json_decref(out);
	assert_int_equal(qi(v, "SELECT count(*) FROM residence_history WHERE person_id = ?", p), 2);
}

/* err.h: the struct err may be NULL. person_create with an unknown
 * household must then just return ERR_INVALID. Run in a child because the
 * bug is a NULL dereference. */
static int child_person_null_err(void *arg)
{
	const struct child_arg *ca = arg;
	struct env v;
	if (env_open_in(&v, ca->dir))
		return 10;
	json_t *in = json_pack("{s:I, s:s}", "household_id", (json_int_t)99999, "name", "无户");
	json_t *out = NULL;
	int rc = person_create(&v.u.c, in, &out, NULL);
	json_decref(in);
	bool txn = store_in_txn(v.u.db);
	env_close(&v);
	return rc == ERR_INVALID && !txn ? 0 : 11;
}

static void test_person_create_with_null_err(void **state)
{
	char why[64];
	int st = run_in_child(child_person_null_err, false);
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		print_error("person_create(..., NULL err) for an unknown household: child %s\n",
			    unit_status_text(st, why, sizeof why));
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* A reveal (officer access, audited) must not leak memory: checked with
 * LeakSanitizer in a child that closes everything first. */
static int child_reveal_leak(void *arg)
{
	const struct child_arg *ca = arg;
	bool household = ca->flag;
	struct env v;
	if (env_open_in(&v, ca->dir))
		return 10;
	struct err e = {0};
	json_t *in = json_pack("{s:I, s:s}", "node_id", (json_int_t)v.u.root, "address", "1栋");
	json_t *out = NULL;
	int rc = household_create(&v.u.c, in, &out, &e);
	int64_t hid = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	in = json_pack("{s:I, s:s, s:s}", "household_id", (json_int_t)hid, "name", "王贵宝", "phone", "13800138000");
	if (rc == 0)
		rc = person_create(&v.u.c, in, &out, &e);
	int64_t pid = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	out = NULL;
	if (rc == 0)
		rc = household ? household_get(&v.u.c, hid, true, &out, &e) : person_get(&v.u.c, pid, true, &out, &e);
	int ok = rc == 0 && out != NULL;
	json_t *who = household ? json_object_get(json_array_get(json_object_get(out, "members"), 0), "phone")
				: json_object_get(out, "phone");
	ok = ok && json_is_string(who) && strcmp(json_string_value(who), "13800138000") == 0;
	json_decref(out);
	env_close(&v);
	if (!ok)
		return 11;
	return unit_leak_check() ? 12 : 0;
}

static void test_person_reveal_does_not_leak(void **state)
{
	char why[64];
	int st = run_in_child(child_reveal_leak, false);
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		print_error("person_get(reveal): child %s (12 = leak)\n", unit_status_text(st, why, sizeof why));
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_household_reveal_does_not_leak(void **state)
{
	char why[64];
	int st = run_in_child(child_reveal_leak, true);
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		print_error("household_get(reveal): child %s (12 = leak)\n", unit_status_text(st, why, sizeof why));
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* --------------------------------------------------------------- audit */

static void test_audit_same_transaction(void **state)
{
	struct env *v = *state;
	struct small_tree t = small_tree(v);
	int64_t h = make_household(v, t.g1, "1栋", "owned");
	char id[19];
	make_id(id, "430302", "19900101", "123");
	int64_t p = make_person(v, h, "王贵宝", id, json_pack("{s:s}", "phone", "13800138000"));
	struct err e = {0};
	json_t *out = NULL;

	/* The successful write wrote exactly one row, with masked data only. */
	assert_string_equal(qs(v, "SELECT action FROM audit WHERE id = (SELECT max(id) FROM audit WHERE 0 < ?)", 1),
			    "create");
	assert_int_equal(qi0(v, "SELECT entity_id FROM audit WHERE id = (SELECT max(id) FROM audit)"), p);
	const char *after = qs(v, "SELECT after FROM audit WHERE entity = 'person' AND entity_id = ?", p);
	assert_non_null(after);
	assert_null(strstr(after, id));
	assert_null(strstr(after, "13800138000"));
	assert_non_null(strstr(after, "138****8000"));
	assert_non_null(strstr(after, "王贵宝"));
	assert_string_equal(qs(v, "SELECT username FROM audit WHERE entity_id = ? AND entity = 'person'", p), "system");
	assert_string_equal(qs(v, "SELECT client FROM audit WHERE entity_id = ? AND entity = 'person'", p), "unit");

	/* Failed writes leave the trail unchanged. */
	int64_t audits = audit_rows(v), people = qi0(v, "SELECT count(*) FROM people");
	assert_int_equal(try_person(v, h, "重复", id, NULL, &out, &e), ERR_CONFLICT);
	json_t *bad = json_pack("{s:s}", "birth_date", "2023-02-29");
	assert_int_equal(try_person(v, h, "坏日期", NULL, bad, &out, &e), ERR_INVALID);
	json_decref(bad);
	json_t *upd = json_pack("{s:s}", "gender", "Q");
	assert_int_equal(person_update(&v->u.c, p, upd, &out, &e), ERR_INVALID);
	json_decref(upd);
	assert_int_equal(audit_rows(v), audits);
	assert_int_equal(qi0(v, "SELECT count(*) FROM people"), people);

	/* The audit row commits or vanishes with its change: a domain write
	 * inside an outer transaction that is rolled back leaves neither. */
	assert_int_equal(store_begin(v->u.db, &e), 0);
	int64_t h2 = make_household(v, t.g2, "2栋", "owned");
	int64_t p2 = make_person(v, h2, "李四", NULL, NULL);
	assert_int_equal(audit_rows(v), audits + 2);
	store_rollback(v->u.db);
	assert_false(store_in_txn(v->u.db));
	assert_int_equal(audit_rows(v), audits);
	assert_int_equal(qi(v, "SELECT count(*) FROM households WHERE id = ?", h2), 0);
	assert_int_equal(qi(v, "SELECT count(*) FROM people WHERE id = ?", p2), 0);
	assert_int_equal(qi(v, "SELECT count(*) FROM audit WHERE entity = 'household' AND entity_id = ?", h2), 0);

	/* An update records before and after. */
	upd = json_pack("{s:s}", "note", "新备注");
	assert_int_equal(person_update(&v->u.c, p, upd, &out, &e), 0);
	json_decref(upd);
	json_decref(out);
	assert_int_equal(audit_rows(v), audits + 1);
	json_t *trail = NULL;
	assert_int_equal(audit_list(&v->u.c, "person", p, 0, 10, &trail, &e), 0);
	assert_int_equal(json_array_size(trail), 2);
	json_t *last = json_array_get(trail, 0); /* newest first */
	assert_string_equal(jstr(last, "action"), "update");
	assert_true(json_is_null(json_object_get(json_object_get(last, "before"), "note")));
	assert_string_equal(jstr(json_object_get(last, "after"), "note"), "新备注");
	json_decref(trail);
}

/* ------------------------------------------------------------ accounts */

static int64_t make_user(struct env *v, const char *username, const char *password, int64_t person)
{
	json_t *in = json_pack("{s:s, s:s}", "username", username, "display_name", "测试用户");
	if (person)
		json_object_set_new(in, "person_id", json_integer(person));
	json_t *out = NULL;
	struct err e = {0};
	int rc = account_create(&v->u.c, in, password, &out, &e);
	json_decref(in);
	if (rc)
		print_error("account_create: %s (%s)\n", e.msg, e.field);
	assert_int_equal(rc, 0);
	int64_t id = jint(out, "id");
	assert_null(json_object_get(out, "password_hash"));
	json_decref(out);
	return id;
}

static void test_account_login_and_actor(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	int64_t uid = make_user(v, "zhang.san", "correct horse 马", 0);
	char tok[ACCOUNT_TOKEN_HEX + 1], csrf[ACCOUNT_TOKEN_HEX + 1];

	/* Duplicate name, weak password, bad characters. */
	json_t *in = json_pack("{s:s, s:s}", "username", "zhang.san", "display_name", "x");
	json_t *out = NULL;
	err_clear(&e);
	assert_int_equal(account_create(&v->u.c, in, "another password", &out, &e), ERR_CONFLICT);
	assert_string_equal(e.field, "username");
	json_decref(in);
	in = json_pack("{s:s, s:s}", "username", "li.si", "display_name", "x");
	assert_int_equal(account_create(&v->u.c, in, "short", &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "password");
	json_decref(in);
	in = json_pack("{s:s, s:s}", "username", "li si", "display_name", "x");
	assert_int_equal(account_create(&v->u.c, in, "long enough pw", &out, &e), ERR_INVALID);
	assert_string_equal(e.field, "username");
	json_decref(in);
	assert_int_equal(qi0(v, "SELECT count(*) FROM users"), 1);

	/* Success: 64 lower-case hex characters each, and different. */
	assert_int_equal(account_login(&v->u.c, "zhang.san", "correct horse 马", NULL, NULL, tok, csrf, &e), 0);
	assert_true(is_lower_hex(tok, ACCOUNT_TOKEN_HEX));
	assert_true(is_lower_hex(csrf, ACCOUNT_TOKEN_HEX));
	assert_string_not_equal(tok, csrf);
	/* Only a hash of the token is stored. */
	assert_int_equal(qi(v, "SELECT count(*) FROM sessions WHERE user_id = ?", uid), 1);
	assert_int_equal(qi(v, "SELECT length(token_hash) FROM sessions WHERE user_id = ?", uid), 32);
	assert_string_equal(qs(v, "SELECT kind FROM sessions WHERE user_id = ?", uid), "session");

	/* The token resolves to the account. */
	struct actor *a = NULL;
	const char *got_csrf = NULL, *kind = NULL;
	assert_int_equal(account_actor(&v->u.c, tok, &a, &got_csrf, &kind, &e), 0);
	assert_int_equal(a->user_id, uid);
	assert_string_equal(a->username, "zhang.san");
	assert_false(a->is_admin);
	assert_int_equal(a->ngrants, 0);
	assert_string_equal(got_csrf, csrf);
	assert_string_equal(kind, "session");

	/* Wrong password, unknown user, bad or altered tokens. */
	assert_int_equal(account_login(&v->u.c, "zhang.san", "wrong horse", NULL, NULL, tok, csrf, &e),
			 ERR_UNAUTHORIZED);
	assert_int_equal(account_login(&v->u.c, "nobody", "correct horse 马", NULL, NULL, tok, csrf, &e),
			 ERR_UNAUTHORIZED);
	assert_int_equal(account_login(&v->u.c, NULL, "x", NULL, NULL, tok, csrf, &e), ERR_UNAUTHORIZED);
	char forged[ACCOUNT_TOKEN_HEX + 1];
	memcpy(forged, tok, sizeof forged);
	forged[0] = forged[0] == 'a' ? 'b' : 'a';
	assert_int_equal(account_actor(&v->u.c, forged, &a, NULL, NULL, &e), ERR_UNAUTHORIZED);
	assert_int_equal(account_actor(&v->u.c, "abc", &a, NULL, NULL, &e), ERR_UNAUTHORIZED);
	assert_int_equal(account_actor(&v->u.c, NULL, &a, NULL, NULL, &e), ERR_UNAUTHORIZED);
	assert_int_equal(account_actor(&v->u.c, tok, &a, NULL, NULL, &e), 0); /* still good */

	/* Sessions last 12 hours. */
	time_set_fake(t0() + 12 * 3600 - 60);
	assert_int_equal(account_actor(&v->u.c, tok, &a, NULL, NULL, &e), 0);
	time_set_fake(t0() + 12 * 3600 + 1);
	assert_int_equal(account_actor(&v->u.c, tok, &a, NULL, NULL, &e), ERR_UNAUTHORIZED);
	time_set_fake(t0());

	/* Logging out ends it. */
	char tok2[ACCOUNT_TOKEN_HEX + 1], csrf2[ACCOUNT_TOKEN_HEX + 1];
	assert_int_equal(account_login(&v->u.c, "zhang.san", "correct horse 马", "api", "脚本", tok2, csrf2, &e), 0);
	assert_string_not_equal(tok2, tok);
	assert_int_equal(account_actor(&v->u.c, tok2, &a, NULL, &kind, &e), 0);
	assert_string_equal(kind, "api");
	assert_int_equal(account_logout(&v->u.c, tok2, &e), 0);
	assert_int_equal(account_actor(&v->u.c, tok2, &a, NULL, NULL, &e), ERR_UNAUTHORIZED);
}

static void test_account_lockout(void **state)
{
	struct env *v = *state;
	struct err e = {0};
	int64_t uid = make_user(v, "wang", "the right password", 0);
	char tok[ACCOUNT_TOKEN_HEX + 1], csrf[ACCOUNT_TOKEN_HEX + 1];

	for (int i = 1; i <= 5; i++) {
		assert_int_equal(account_login(&v->u.c, "wang", "a wrong password", NULL, NULL, tok, csrf, &e),
				 ERR_UNAUTHORIZED);
		assert_int_equal(qi(v, "SELECT failed_logins FROM users WHERE id = ?", uid), i);
	}
	assert_int_equal(qi(v, "SELECT count(*) FROM audit WHERE action = 'login_failed' AND entity_id = ?", uid), 5);
	assert_string_equal(qs(v, "SELECT locked_until FROM users WHERE id = ?", uid), "2024-06-15T12:15:00Z");
	/* Locked: even the right password is refused. Since 7d3729c ("uniform
	 * login refusals") a locked account answers exactly like a wrong
	 * password (ERR_UNAUTHORIZED, not ERR_RATE) so the answer does not
	 * reveal which accounts exist; the lock shows in the audit trail. */
	err_clear(&e);
	assert_int_equal(account_login(&v->u.c, "wang", "the right password", NULL, NULL, tok, csrf, &e),
			 ERR_UNAUTHORIZED);
	assert_int_equal(e.code, ERR_UNAUTHORIZED);
	assert_int_equal(qi(v, "SELECT count(*) FROM sessions WHERE user_id = ?", uid), 0);
	assert_int_equal(qi(v, "SELECT count(*) FROM audit WHERE action = 'login_locked' AND entity_id = ?", uid), 1);
	time_set_fake(t0() + 14 * 60);
	assert_int_equal(account_login(&v->u.c, "wang", "the right password", NULL, NULL, tok, csrf, &e),
			 ERR_UNAUTHORIZED);
	assert_int_equal(qi(v, "SELECT count(*) FROM sessions WHERE user_id = ?", uid), 0);
	/* The refusal while locked does not extend the lock. */
	assert_int_equal(qi(v, "SELECT failed_logins FROM users WHERE id = ?", uid), 5);
	/* After 15 minutes the right password works and clears the counter. */
	time_set_fake(t0() + 16 * 60);
	assert_int_equal(account_login(&v->u.c, "wang", "the right password", NULL, NULL, tok, csrf, &e), 0);
	assert_int_equal(qi(v, "SELECT failed_logins FROM users WHERE id = ?", uid), 0);
	assert_int_equal(qi(v, "SELECT locked_until IS NULL FROM users WHERE id = ?", uid), 1);
	time_set_fake(t0());
}

static void test_account_role_implied_grants(void **state)
{
	struct env *v = *state;
	struct small_tree t = small_tree(v);
	struct err e = {0};
	int64_t l1 = make_node(v, t.g1, "circle", "一邻");
	int64_t h = make_household(v, t.g1, "1栋", "owned");
	int64_t p = make_person(v, h, "网格员小王", NULL, NULL);
	int64_t other = make_person(v, h, "邻居", NULL, NULL);

	/* grid_worker (implies worker) at G1, now; a mediator role (implies
	 * nothing); a future grid_leader term; a finished group_head term. */
	const char *roles[][5] = {{"grid_worker", "2024-01-01", NULL, "g1"},
				  {"mediator", "2024-01-01", NULL, "g2"},
				  {"grid_leader", "2025-01-01", NULL, "g2"},
				  {"group_head", "2020-01-01", "2023-12-31", "a"}};
	for (size_t i = 0; i < 4; i++) {
		int64_t node = strcmp(roles[i][3], "g1") == 0 ? t.g1 : strcmp(roles[i][3], "g2") == 0 ? t.g2 : t.a;
		json_t *in = json_pack("{s:I, s:I, s:s, s:s}", "node_id", (json_int_t)node, "person_id", (json_int_t)p,
				       "role", roles[i][0], "start_date", roles[i][1]);
		if (roles[i][2])
			json_object_set_new(in, "end_date", json_string(roles[i][2]));
		json_t *out = NULL;
		int rc = roles_create(&v->u.c, in, &out, &e);
		if (rc)
			print_error("roles_create %s: %s\n", roles[i][0], e.msg);
		assert_int_equal(rc, 0);
		json_decref(in);
		json_decref(out);
	}
	int64_t uid = make_user(v, "xiaowang", "grid worker pw", p);

	struct actor *a = NULL;
	assert_int_equal(account_load_actor(&v->u.c, uid, &a, &e), 0);
	assert_int_equal(a->person_id, p);
	assert_int_equal(a->household_id, h);
	assert_int_equal(a->ngrants, 1);
	assert_int_equal(a->grants[0].node_id, t.g1);
	assert_string_equal(a->grants[0].path, path_of(v, t.g1));
	assert_int_equal(a->grants[0].access, ACC_WORKER);
	assert_int_equal(authz_access(a, path_of(v, t.g1)), ACC_WORKER);
	assert_int_equal(authz_access(a, path_of(v, l1)), ACC_WORKER);
	assert_int_equal(authz_access(a, path_of(v, t.g2)), ACC_NONE);
	assert_int_equal(authz_access(a, path_of(v, t.a)), ACC_NONE);

	/* The same through a login token. */
	char tok[ACCOUNT_TOKEN_HEX + 1], csrf[ACCOUNT_TOKEN_HEX + 1];
	assert_int_equal(account_login(&v->u.c, "xiaowang", "grid worker pw", NULL, NULL, tok, csrf, &e), 0);
	struct actor *b = NULL;
	assert_int_equal(account_actor(&v->u.c, tok, &b, NULL, NULL, &e), 0);
	assert_int_equal(b->ngrants, 1);
	assert_int_equal(authz_access(b, path_of(v, t.g1)), ACC_WORKER);

	/* The grid worker may register residents at G1, not at G2, and may
	 * not reveal personal data (officer). */
	struct ctx wc = v->u.c;
	wc.who = a;
	wc.client = "worker";
	json_t *in = json_pack("{s:I, s:s}", "node_id", (json_int_t)t.g1, "address", "2栋");
	json_t *out = NULL;
	assert_int_equal(household_create(&wc, in, &out, &e), 0);
	json_decref(out);
	json_decref(in);
	in = json_pack("{s:I, s:s}", "node_id", (json_int_t)t.g2, "address", "3栋");
	assert_int_equal(household_create(&wc, in, &out, &e), ERR_FORBIDDEN);
	json_decref(in);
	assert_int_equal(person_get(&wc, other, true, &out, &e), ERR_FORBIDDEN);
	assert_int_equal(person_get(&wc, other, false, &out, &e), 0);
	json_decref(out);
	assert_string_equal(
	    qs(v, "SELECT username FROM audit WHERE id = (SELECT max(id) FROM audit WHERE client = 'worker' AND ? > 0)",
	       1),
	    "xiaowang");

	/* An explicit viewer grant at the community adds to the role. */
	assert_int_equal(account_grant(&v->u.c, uid, t.c, "viewer", &out, &e), 0);
	json_decref(out);
	assert_int_equal(account_load_actor(&v->u.c, uid, &a, &e), 0);
	assert_int_equal(a->ngrants, 2);
	assert_int_equal(authz_access(a, path_of(v, t.g2)), ACC_VIEWER);
	assert_int_equal(authz_access(a, path_of(v, t.g1)), ACC_WORKER);

	/* When the term ends, the implied access goes with it. */
	time_set_fake(unit_utc(2025, 3, 1, 0, 0, 0)); /* grid_leader term has begun */
	assert_int_equal(account_load_actor(&v->u.c, uid, &a, &e), 0);
	assert_int_equal(authz_access(a, path_of(v, t.g2)), ACC_OFFICER);
	time_set_fake(t0());
	int64_t rid = qi(v, "SELECT id FROM roles WHERE role = 'grid_worker' AND person_id = ?", p);
	in = json_pack("{s:s}", "end_date", "2024-06-01");
	assert_int_equal(roles_update(&v->u.c, rid, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
	assert_int_equal(account_load_actor(&v->u.c, uid, &a, &e), 0);
	assert_int_equal(a->ngrants, 1);
	assert_int_equal(authz_access(a, path_of(v, t.g1)), ACC_VIEWER);

	/* A disabled account has no actor. */
	in = json_pack("{s:b}", "disabled", 1);
	assert_int_equal(account_update(&v->u.c, uid, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
	assert_int_equal(account_load_actor(&v->u.c, uid, &a, &e), ERR_UNAUTHORIZED);
	assert_int_equal(account_actor(&v->u.c, tok, &a, NULL, NULL, &e), ERR_UNAUTHORIZED);
}

/* --------------------------------------------------------------- stats */

static int64_t metric(json_t *o, const char *name)
{
	json_t *m = json_object_get(o, name);
	if (!json_is_integer(m))
		print_error("metric %s missing\n", name);
	assert_true(json_is_integer(m));
	return json_integer_value(m);
}

struct stats_tree {
	int64_t c, a1, a2, g1, h4;
};

/* S > C > {A1 > G1, A2}; households H1 (G1), H2 (A1, rented), H3 (A2,
 * rented), H4 (C itself, empty). Today is 2024-06-15. */
static struct stats_tree build_stats_tree(struct env *v)
{
	struct stats_tree t;
	struct err e = {0};
	t.c = make_node(v, v->u.root, "community", "幸福社区");
	t.a1 = make_node(v, t.c, "area", "东片区");
	t.a2 = make_node(v, t.c, "area", "西片区");
	t.g1 = make_node(v, t.a1, "group", "第一组");
	int64_t h1 = make_household(v, t.g1, "1栋", "owned");
	int64_t h2 = make_household(v, t.a1, "2栋", "rented");
	int64_t h3 = make_household(v, t.a2, "3栋", "rented");
	t.h4 = make_household(v, t.c, "社区公房", "owned");
	char id[19];
	make_id(id, "430302", "19900101", "011"); /* M, 34 */
	int64_t p1 =
	    make_person(v, h1, "甲", id, json_pack("{s:s, s:[s]}", "political_status", "party_member", "tags", "低保"));
	make_id(id, "430302", "20100601", "022"); /* F, 14 */
	make_person(v, h1, "乙", id, json_pack("{s:s}", "residence", "floating"));
	make_id(id, "430302", "19600101", "032"); /* F, 64 */
	int64_t p3 = make_person(v, h2, "丙", id, NULL);
	make_id(id, "430302", "19640616", "041"); /* M, 59: 60 tomorrow */
	make_person(v, h2, "丁", id, NULL);
	make_id(id, "430302", "19640615", "052"); /* F, 60 today */
	make_person(v, h2, "戊", id, json_pack("{s:s}", "political_status", "probationary_member"));
	make_id(id, "430302", "19400505", "061"); /* M, 84 */
	make_person(v, h3, "己", id, json_pack("{s:[s]}", "tags", "独居老人"));
	make_id(id, "430302", "20000101", "072"); /* F, moved out: not counted */
	int64_t p7 = make_person(v, h3, "庚", id, json_pack("{s:[s]}", "tags", "低保"));
	json_t *out = NULL;
	assert_int_equal(person_move(&v->u.c, p7, 0, "2024-06-15", NULL, NULL, &out, &e), 0);
	json_decref(out);
	/* One organisation at A2; a current role at A1; a finished one. */
	json_t *in = json_pack("{s:I, s:s, s:s}", "node_id", (json_int_t)t.a2, "kind", "property", "name", "安居物业");
	assert_int_equal(orgs_create(&v->u.c, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
	in = json_pack("{s:I, s:I, s:s, s:s}", "node_id", (json_int_t)t.a1, "person_id", (json_int_t)p1, "role",
		       "grid_worker", "start_date", "2024-01-01");
	assert_int_equal(roles_create(&v->u.c, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
	in = json_pack("{s:I, s:I, s:s, s:s, s:s}", "node_id", (json_int_t)t.g1, "person_id", (json_int_t)p3, "role",
		       "group_head", "start_date", "2020-01-01", "end_date", "2023-12-31");
	assert_int_equal(roles_create(&v->u.c, in, &out, &e), 0);
	json_decref(in);
	json_decref(out);
	return t;
}

static void expect_metrics(json_t *m, const int64_t want[14])
{
	static const char *names[14] = {
	    "residents", "households", "floating",  "rented_households", "party_members", "male",         "female",
	    "age_0_17",  "age_18_34",  "age_35_59", "age_60_79",         "age_80_plus",   "role_holders", "orgs"};
	for (int i = 0; i < 14; i++) {
		int64_t got = metric(m, names[i]);
		if (got != want[i])
			print_error("%s: got %lld, want %lld\n", names[i], (long long)got, (long long)want[i]);
		assert_int_equal(got, want[i]);
	}
}

static json_t *child_by_id(json_t *stats, int64_t id)
{
	size_t i;
	json_t *k;
	json_array_foreach (json_object_get(stats, "children"), i, k) {
		if (jint(k, "id") == id)
			return k;
	}
	return NULL;
}

static void test_stats_node_totals(void **state)
{
	struct env *v = *state;
	struct stats_tree t = build_stats_tree(v);
	struct err e = {0};
	json_t *s = NULL;
	assert_int_equal(stats_node(&v->u.c, t.c, &s, &e), 0);
	/* residents households floating rented party male female
	 * 0-17 18-34 35-59 60-79 80+ role_holders orgs */
	static const int64_t total[14] = {6, 4, 1, 2, 2, 3, 3, 1, 1, 1, 2, 1, 1, 1};
	static const int64_t a1[14] = {5, 2, 1, 1, 2, 2, 3, 1, 1, 1, 2, 0, 1, 0};
	static const int64_t a2[14] = {1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1};
	json_t *tot = json_object_get(s, "totals");
	expect_metrics(tot, total);
	assert_int_equal(json_object_size(json_object_get(tot, "roles")), 1);
	assert_int_equal(jint(json_object_get(tot, "roles"), "grid_worker"), 1);
	json_t *tags = json_object_get(tot, "tags");
	assert_int_equal(json_object_size(tags), 2);
	assert_int_equal(jint(tags, "低保"), 1);
	assert_int_equal(jint(tags, "独居老人"), 1);
	assert_int_equal(json_array_size(json_object_get(s, "children")), 2);
	assert_non_null(child_by_id(s, t.a1));
	assert_non_null(child_by_id(s, t.a2));
	expect_metrics(child_by_id(s, t.a1), a1);
	expect_metrics(child_by_id(s, t.a2), a2);
	assert_string_equal(jstr(child_by_id(s, t.a1), "name"), "东片区");
	assert_int_equal(jint(json_object_get(s, "node"), "id"), t.c);
	json_decref(s);

	/* One level up: the community is the only child, with the same numbers. */
	assert_int_equal(stats_node(&v->u.c, v->u.root, &s, &e), 0);
	expect_metrics(json_object_get(s, "totals"), total);
	assert_int_equal(json_array_size(json_object_get(s, "children")), 1);
	expect_metrics(child_by_id(s, t.c), total);
	json_decref(s);

	/* A leaf. */
	assert_int_equal(stats_node(&v->u.c, t.g1, &s, &e), 0);
	static const int64_t g1[14] = {2, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0};
	expect_metrics(json_object_get(s, "totals"), g1);
	assert_int_equal(json_array_size(json_object_get(s, "children")), 0);
	json_decref(s);

	/* Needs viewer access; unknown node. */
	struct actor nobody = {.user_id = 77, .username = "nobody"};
	struct ctx nc = v->u.c;
	nc.who = &nobody;
	assert_int_equal(stats_node(&nc, t.c, &s, &e), ERR_FORBIDDEN);
	assert_int_equal(stats_node(&v->u.c, 99999, &s, &e), ERR_NOT_FOUND);
}

/* Whatever is cached, a change to the registry shows at once, and so does
 * the passing of a birthday. */
static void test_stats_follow_changes(void **state)
{
	struct env *v = *state;
	struct stats_tree t = build_stats_tree(v);
	struct err e = {0};
	json_t *s = NULL;
	assert_int_equal(stats_node(&v->u.c, t.c, &s, &e), 0);
	assert_int_equal(metric(json_object_get(s, "totals"), "residents"), 6);
	json_decref(s);
	/* Same answer twice. */
	assert_int_equal(stats_node(&v->u.c, t.c, &s, &e), 0);
	assert_int_equal(metric(json_object_get(s, "totals"), "residents"), 6);
	json_decref(s);

	/* A new resident in the community's own household. */
	char id[19];
	make_id(id, "430302", "19990101", "081");
	make_person(v, t.h4, "辛", id, NULL);
	assert_int_equal(stats_node(&v->u.c, t.c, &s, &e), 0);
	assert_int_equal(metric(json_object_get(s, "totals"), "residents"), 7);
	assert_int_equal(metric(json_object_get(s, "totals"), "male"), 4);
	assert_int_equal(metric(child_by_id(s, t.a1), "residents"), 5);
	assert_int_equal(metric(child_by_id(s, t.a2), "residents"), 1);
	json_decref(s);
	/* The parent's picture changed too. */
	assert_int_equal(stats_node(&v->u.c, v->u.root, &s, &e), 0);
	assert_int_equal(metric(json_object_get(s, "totals"), "residents"), 7);
	json_decref(s);

	/* Moving a subtree moves its numbers. */
	json_t *out = NULL;
	assert_int_equal(tree_move(&v->u.c, t.g1, t.a2, &out, &e), 0);
	json_decref(out);
	assert_int_equal(stats_node(&v->u.c, t.c, &s, &e), 0);
	assert_int_equal(metric(child_by_id(s, t.a1), "residents"), 3);
	assert_int_equal(metric(child_by_id(s, t.a2), "residents"), 3);
	json_decref(s);

	/* Tomorrow 丁 turns 60: the age buckets follow the date. */
	time_set_fake(t0() + 24 * 3600);
	assert_int_equal(stats_node(&v->u.c, t.c, &s, &e), 0);
	assert_int_equal(metric(json_object_get(s, "totals"), "age_35_59"), 0);
	assert_int_equal(metric(json_object_get(s, "totals"), "age_60_79"), 3);
	json_decref(s);
	time_set_fake(t0());
}

/* Checks pyramid band b (0 for 0-9 ... 8 for 80+; 9 for no birth date). */
static void expect_band(json_t *stats, int b, int64_t male, int64_t female, int64_t unknown)
{
	json_t *pyr = json_object_get(json_object_get(stats, "totals"), "pyramid");
	json_t *o =
	    b < 9 ? json_array_get(json_object_get(pyr, "bands"), (size_t)b) : json_object_get(pyr, "no_birth_date");
	assert_non_null(o);
	if (metric(o, "male") != male || metric(o, "female") != female || metric(o, "unknown") != unknown)
		print_error("band %d: got %lld/%lld/%lld, want %lld/%lld/%lld\n", b, (long long)metric(o, "male"),
			    (long long)metric(o, "female"), (long long)metric(o, "unknown"), (long long)male,
			    (long long)female, (long long)unknown);
	assert_int_equal(metric(o, "male"), male);
	assert_int_equal(metric(o, "female"), female);
	assert_int_equal(metric(o, "unknown"), unknown);
}

/* The population pyramid: active residents of the subtree by 10-year age
 * band and gender, ages on today's date, following changes. */
static void test_stats_pyramid(void **state)
{
	struct env *v = *state;
	struct stats_tree t = build_stats_tree(v);
	struct err e = {0};
	json_t *s = NULL;
	assert_int_equal(stats_node(&v->u.c, t.c, &s, &e), 0);
	json_t *bands = json_object_get(json_object_get(json_object_get(s, "totals"), "pyramid"), "bands");
	assert_int_equal(json_array_size(bands), 9);
	assert_string_equal(jstr(json_array_get(bands, 0), "band"), "0-9");
	assert_int_equal(jint(json_array_get(bands, 0), "age_min"), 0);
	assert_int_equal(jint(json_array_get(bands, 0), "age_max"), 9);
	assert_string_equal(jstr(json_array_get(bands, 7), "band"), "70-79");
	assert_string_equal(jstr(json_array_get(bands, 8), "band"), "80+");
	assert_int_equal(jint(json_array_get(bands, 8), "age_min"), 80);
	assert_true(json_is_null(json_object_get(json_array_get(bands, 8), "age_max")));
	/* 乙 F 14; 甲 M 34; 丁 M 59; 丙 F 64 and 戊 F 60 today; 己 M 84. 庚
	 * moved out and is not counted. */
	expect_band(s, 0, 0, 0, 0);
	expect_band(s, 1, 0, 1, 0);
	expect_band(s, 2, 0, 0, 0);
	expect_band(s, 3, 1, 0, 0);
	expect_band(s, 4, 0, 0, 0);
	expect_band(s, 5, 1, 0, 0);
	expect_band(s, 6, 0, 2, 0);
	expect_band(s, 7, 0, 0, 0);
	expect_band(s, 8, 1, 0, 0);
	expect_band(s, 9, 0, 0, 0);
	json_decref(s);

	/* Without gender, without a birth date, or neither; and a newborn. */
	make_person(v, t.h4, "子", NULL, json_pack("{s:s}", "birth_date", "1944-06-15")); /* 80 today */
	make_person(v, t.h4, "丑", NULL, json_pack("{s:s}", "gender", "F"));
	make_person(v, t.h4, "寅", NULL, NULL);
	make_person(v, t.h4, "卯", NULL, json_pack("{s:s, s:s}", "gender", "M", "birth_date", "2024-06-01"));
	assert_int_equal(stats_node(&v->u.c, t.c, &s, &e), 0);
	expect_band(s, 0, 1, 0, 0);
	expect_band(s, 8, 1, 0, 1);
	expect_band(s, 9, 0, 1, 1);
	/* Every active resident is somewhere in the pyramid. */
	int64_t sum = 0;
	for (int b = 0; b <= 9; b++) {
		json_t *pyr = json_object_get(json_object_get(s, "totals"), "pyramid");
		json_t *o = b < 9 ? json_array_get(json_object_get(pyr, "bands"), (size_t)b)
				  : json_object_get(pyr, "no_birth_date");
		sum += metric(o, "male") + metric(o, "female") + metric(o, "unknown");
	}
	assert_int_equal(sum, metric(json_object_get(s, "totals"), "residents"));
	assert_int_equal(sum, 10);
	json_decref(s);

	/* A subtree counts only its own people: 西片区 has 己 alone. */
	assert_int_equal(stats_node(&v->u.c, t.a2, &s, &e), 0);
	for (int b = 0; b < 8; b++)
		expect_band(s, b, 0, 0, 0);
	expect_band(s, 8, 1, 0, 0);
	json_decref(s);

	/* Tomorrow 丁 turns 60 and moves up a band. */
	time_set_fake(t0() + 24 * 3600);
	assert_int_equal(stats_node(&v->u.c, t.c, &s, &e), 0);
	expect_band(s, 5, 0, 0, 0);
	expect_band(s, 6, 1, 2, 0);
	json_decref(s);
	time_set_fake(t0());
}

int main(void)
{
	log_set_level(LOG_ERROR);
	if (pii_init() != 0)
		return 1;
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    /* First, while no earlier failure can have left leaked blocks
	     * behind for the children's LeakSanitizer check to see. */
	    cmocka_unit_test(test_person_reveal_does_not_leak),
	    cmocka_unit_test(test_household_reveal_does_not_leak),
	    cmocka_unit_test(test_pii_id_card_checksum),
	    cmocka_unit_test(test_pii_id_card_birth_and_gender),
	    cmocka_unit_test(test_pii_id_card_impossible_birth_date),
	    cmocka_unit_test(test_pii_phone),
	    cmocka_unit_test(test_pii_masks),
	    cmocka_unit_test(test_pii_encrypt_round_trip),
	    cmocka_unit_test(test_pii_hash),
	    cmocka_unit_test(test_authz_prefix_matching),
	    cmocka_unit_test(test_fields_validate),
	    T(test_tree_create_hierarchy),
	    T(test_tree_placement_rules),
	    T(test_tree_move_subtree),
	    T(test_tree_move_rejects),
	    T(test_tree_move_out_of_community_clears_community),
	    T(test_tree_retire),
	    T(test_household_create),
	    T(test_person_create_derives_from_id_card),
	    T(test_person_duplicate_id_card),
	    T(test_person_list_search),
	    cmocka_unit_test(test_person_list_all_filters_at_once),
	    T(test_person_move_history),
	    T(test_person_move_back_after_moving_out),
	    cmocka_unit_test(test_person_create_with_null_err),
	    T(test_audit_same_transaction),
	    T(test_account_login_and_actor),
	    T(test_account_lockout),
	    T(test_account_role_implied_grants),
	    T(test_stats_node_totals),
	    T(test_stats_follow_changes),
	    T(test_stats_pyramid),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
