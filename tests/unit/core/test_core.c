/*
 * test_core.c — unit tests for src/domain/core: personal data (pii.c:
 * ID-card and phone normalisation, masks, encryption, keyed hashes),
 * tree-scoped authorisation (authz.c), field validation against the entity
 * descriptions (fields.c, entities.c) and the audit trail (audit.c), the
 * last over a migrated temporary SQLite database as the system actor.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "domain/core/audit.h"
#include "domain/core/ctx.h"
#include "domain/core/fields.h"
#include "domain/core/pii.h"
#include "domain/people/registry.h"
#include "store/store.h"
#include "unit_domain.h"

/* ----------------------------------------------------------------- pii */

static void test_pii_id_card_checksum(void **state)
{
	char out[40], id[19];
	struct err e = {0};

	/* The GB 11643-1999 specimen; unit_make_id agrees with it. */
	unit_make_id(id, "110105", "19491231", "002");
	assert_string_equal(id, "11010519491231002X");
	assert_int_equal(pii_normalise(PII_ID_CARD, "11010519491231002X", out, sizeof out, &e), 0);
	assert_string_equal(out, "11010519491231002X");
	/* Lower-case x, spaces and dashes are normalised away. */
	assert_int_equal(pii_normalise(PII_ID_CARD, "110105 19491231 002x", out, sizeof out, &e), 0);
	assert_string_equal(out, "11010519491231002X");
	assert_int_equal(pii_normalise(PII_ID_CARD, "110105-19491231-002X", out, sizeof out, &e), 0);
	assert_string_equal(out, "11010519491231002X");
	/* A computed one with a digit check character. */
	unit_make_id(id, "430302", "19900101", "123");
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
	unit_make_id(id, "430302", "19900101", "123");
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
	unit_make_id(id, "430302", "19900231", "123"); /* 31 February */
	assert_int_equal(pii_normalise(PII_ID_CARD, id, out, sizeof out, &e), ERR_INVALID);
	unit_make_id(id, "430302", "20230229", "123"); /* 29 February of a common year */
	assert_int_equal(pii_normalise(PII_ID_CARD, id, out, sizeof out, &e), ERR_INVALID);
	unit_make_id(id, "430302", "19900431", "123"); /* 31 April */
	assert_int_equal(pii_normalise(PII_ID_CARD, id, out, sizeof out, &e), ERR_INVALID);
	/* Month 13 is already refused. */
	unit_make_id(id, "430302", "19901301", "123");
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
	assert_string_equal(pii_mask(PII_ID_CARD, "430302199001011234", &a), "430302************");
	assert_string_equal(pii_mask(PII_ID_CARD, "11010519491231002X", &a), "110105************");
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

/* The check digit of the first 17 digits (GB 11643). */
static char id_check(const char *id17)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (id17[i] - '0') * w[i];
	return "10X98765432"[sum % 11];
}

/* How many valid ID numbers fit what a reader is given about a person:
 * the mask as pii_mask shows it, the sex, and the birth date as the view
 * shows it (the year only, or the whole date). keep_tail > 0 counts a mask
 * that also showed that many trailing digits (the one before). Every date of
 * the year and sequence number is tried; the check digit follows from the
 * rest, so each (date, sequence) is exactly one valid number. */
static long id_candidates(const char *id, bool date_known, int keep_tail, struct arena *a)
{
	const char *shown = pii_mask(PII_ID_CARD, id, a);
	long n = 0;
	char cand[19];
	for (int m = 1; m <= 12; m++)
		for (int d = 1; d <= 31; d++) {
			char date[11];
			snprintf(date, sizeof date, "%.4s-%02d-%02d", id + 6, m, d);
			char ymd[9];
			snprintf(ymd, sizeof ymd, "%.4s%02d%02d", id + 6, m, d);
			if (!time_valid_date(date) || (date_known && strncmp(ymd, id + 6, 8) != 0))
				continue;
			for (int seq = 0; seq < 1000; seq++) {
				if (seq % 2 != (id[16] - '0') % 2) /* the sex is shown */
					continue;
				snprintf(cand, sizeof cand, "%.6s%.4s%02d%02d%03d", id, id + 6, m, d, seq);
				cand[17] = id_check(cand), cand[18] = 0;
				if (strcmp(pii_mask(PII_ID_CARD, cand, a), shown) != 0)
					continue;
				if (keep_tail && strcmp(cand + 18 - keep_tail, id + 18 - keep_tail) != 0)
					continue;
				n++;
			}
		}
	return n;
}

/* docs/architecture.md, "Masks that cannot be undone": with every field a
 * viewer gets (the mask, the birth year, the sex; the region is in the mask
 * and may be guessed from the address anyway) at least 10^4 numbers remain. */
static void test_pii_mask_leaves_candidates(void **state)
{
	struct arena a;
	arena_init(&a);
	const char *id = "43030219440305102X"; /* region 430302, 1944-03-05, a woman */
	assert_int_equal(pii_normalise(PII_ID_CARD, id, (char[32]){0}, 32, NULL), 0);
	long viewer = id_candidates(id, false, 0, &a);
	assert_int_equal(viewer, 366 * 500); /* 1944 was a leap year */
	assert_true(viewer >= 10000);
	/* Workers and officers see the date: the sequence alone is left. */
	assert_int_equal(id_candidates(id, true, 0, &a), 500);
	/* The mask before (last 4 digits shown) left a few dozen with the year. */
	long before = id_candidates(id, false, 4, &a);
	assert_true(before > 0 && before < 100);
	/* Even the check digit alone with the year would leave about 16,600. */
	long check_only = id_candidates(id, false, 1, &a);
	assert_true(check_only > 15000 && check_only < 18000);
	arena_free(&a);
}

/* The mask rules by view, as the field table gives them (FF_PERSONAL). */
static void test_fields_views(void **state)
{
	struct arena a;
	arena_init(&a);
	assert_string_equal(fields_mask_date("1944-03-05", &a), "1944-**-**");
	assert_string_equal(fields_mask_date("", &a), "");
	assert_string_equal(fields_mask_date("19", &a), "****-**-**");
	assert_int_equal(fields_view_for(ACC_NONE), FV_MASKED);
	assert_int_equal(fields_view_for(ACC_VIEWER), FV_MASKED);
	assert_int_equal(fields_view_for(ACC_WORKER), FV_EDIT);
	assert_int_equal(fields_view_for(ACC_OFFICER), FV_EDIT);
	assert_int_equal(fields_view_for(ACC_MANAGER), FV_EDIT);
	const struct field *birth = fields_find(&ENT_PERSON, "birth_date");
	assert_true(birth->flags & FF_PERSONAL);
	assert_true(fields_find(&ENT_PERSON, "name")->flags & FF_NAME);
	assert_true(fields_find(&ENT_USER, "username")->flags & FF_NAME);
	assert_true(fields_find(&ENT_USER, "display_name")->flags & FF_NAME);
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
	/* A blank optional text is dropped, and the keys after it still checked
	 * (the dropped key's storage is freed: ASan saw it read afterwards). */
	for (int i = 0; i < 2; i++) {
		json_t *m = json_pack("{s:I, s:s, s:s, s:s}", "person_id", (json_int_t)1, "role", "member", "note",
				      i ? "\u3000 " : "   ", "start_date", "2024-01-01");
		assert_int_equal(fields_validate(&ENT_ORG_MEMBER, m, true, &e), 0);
		assert_null(json_object_get(m, "note"));
		assert_int_equal(json_object_size(m), 3);
		json_decref(m);
	}
	/* Control characters. */
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"note\": \"a\\u0007b\"}", true, "note");
	assert_int_equal(validate(&ENT_PERSON, "{\"name\": \"x\", \"note\": \"line\\nline\"}", true, &e), 0);
	/* A name is one line; only multi-line text (a note) keeps line breaks and tabs. */
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\\ny\"}", true, "name");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\\ty\"}", true, "name");
	expect_invalid(&ENT_PERSON, "{\"name\": \"\\u738b\\u200b\\u8d35\"}", true, "name");
	expect_invalid(&ENT_PERSON, "{\"name\": \"x\", \"note\": \"a\\u0085b\"}", true, "note");
	assert_int_equal(validate(&ENT_PERSON, "{\"name\": \"x\", \"note\": \"a\\u200bb\"}", true, &e), 0);
	/* Not an object. */
	json_t *arr = json_array();
	assert_int_equal(fields_validate(&ENT_PERSON, arr, true, &e), ERR_INVALID);
	json_decref(arr);

	/* Lengths count characters: 50 Chinese characters (150 bytes) pass. */
	char *name50 = unit_repeat(&a, "王", 50), *name51 = unit_repeat(&a, "王", 51);
	json_t *o = json_pack("{s:s}", "name", name50);
	assert_int_equal(fields_validate(&ENT_PERSON, o, true, &e), 0);
	json_decref(o);
	o = json_pack("{s:s}", "name", name51);
	err_clear(&e);
	assert_int_equal(fields_validate(&ENT_PERSON, o, true, &e), ERR_INVALID);
	assert_string_equal(e.field, "name");
	json_decref(o);
	o = json_pack("{s:s}", "name", unit_repeat(&a, "a", 50));
	assert_int_equal(fields_validate(&ENT_PERSON, o, true, &e), 0);
	json_decref(o);
	o = json_pack("{s:s}", "name", unit_repeat(&a, "a", 51));
	assert_int_equal(fields_validate(&ENT_PERSON, o, true, &e), ERR_INVALID);
	json_decref(o);
	/* Emoji count as one character each as well. */
	o = json_pack("{s:s, s:s}", "name", "x", "ethnicity", unit_repeat(&a, "\xf0\x9f\x98\x80", 20));
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

/* --------------------------------------------------------------- audit */

static void test_audit_same_transaction(void **state)
{
	struct unit_db *u = *state;
	struct unit_small_tree t = unit_small_tree(u);
	int64_t h = unit_make_household(u, t.g1, "1栋", "owned");
	char id[19];
	unit_make_id(id, "430302", "19900101", "123");
	int64_t p = unit_make_person(u, h, "王贵宝", id, json_pack("{s:s}", "phone", "13800138000"));
	struct err e = {0};
	json_t *out = NULL;

	/* The successful write wrote exactly one row, with masked data only. */
	assert_string_equal(
	    unit_qs(u, "SELECT action FROM audit WHERE id = (SELECT max(id) FROM audit WHERE 0 < ?)", 1), "create");
	assert_int_equal(unit_qi0(u, "SELECT entity_id FROM audit WHERE id = (SELECT max(id) FROM audit)"), p);
	const char *after = unit_qs(u, "SELECT after FROM audit WHERE entity = 'person' AND entity_id = ?", p);
	assert_non_null(after);
	assert_null(strstr(after, id));
	assert_null(strstr(after, "13800138000"));
	assert_non_null(strstr(after, "138****8000"));
	assert_non_null(strstr(after, "王贵宝"));
	assert_string_equal(unit_qs(u, "SELECT username FROM audit WHERE entity_id = ? AND entity = 'person'", p),
			    "system");
	assert_string_equal(unit_qs(u, "SELECT client FROM audit WHERE entity_id = ? AND entity = 'person'", p),
			    "unit");

	/* Failed writes leave the trail unchanged. */
	int64_t audits = unit_audit_rows(u), people = unit_qi0(u, "SELECT count(*) FROM people");
	assert_int_equal(unit_try_person(u, h, "重复", id, NULL, &out, &e), ERR_CONFLICT);
	json_t *bad = json_pack("{s:s}", "birth_date", "2023-02-29");
	assert_int_equal(unit_try_person(u, h, "坏日期", NULL, bad, &out, &e), ERR_INVALID);
	json_decref(bad);
	json_t *upd = json_pack("{s:s}", "gender", "Q");
	assert_int_equal(person_update(&u->c, p, upd, &out, &e), ERR_INVALID);
	json_decref(upd);
	assert_int_equal(unit_audit_rows(u), audits);
	assert_int_equal(unit_qi0(u, "SELECT count(*) FROM people"), people);

	/* The audit row commits or vanishes with its change: a domain write
	 * inside an outer transaction that is rolled back leaves neither. */
	assert_int_equal(store_begin(u->db, &e), 0);
	int64_t h2 = unit_make_household(u, t.g2, "2栋", "owned");
	int64_t p2 = unit_make_person(u, h2, "李四", NULL, NULL);
	assert_int_equal(unit_audit_rows(u), audits + 2);
	store_rollback(u->db);
	assert_false(store_in_txn(u->db));
	assert_int_equal(unit_audit_rows(u), audits);
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM households WHERE id = ?", h2), 0);
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM people WHERE id = ?", p2), 0);
	assert_int_equal(unit_qi(u, "SELECT count(*) FROM audit WHERE entity = 'household' AND entity_id = ?", h2), 0);

	/* An update records before and after. */
	upd = json_pack("{s:s}", "note", "新备注");
	assert_int_equal(person_update(&u->c, p, upd, &out, &e), 0);
	json_decref(upd);
	json_decref(out);
	assert_int_equal(unit_audit_rows(u), audits + 1);
	json_t *trail = NULL;
	assert_int_equal(audit_list(&u->c, "person", p, 0, 10, &trail, &e), 0);
	assert_int_equal(json_array_size(trail), 2);
	json_t *last = json_array_get(trail, 0); /* newest first */
	assert_string_equal(jstr(last, "action"), "update");
	assert_true(json_is_null(json_object_get(json_object_get(last, "before"), "note")));
	assert_string_equal(jstr(json_object_get(last, "after"), "note"), "新备注");
	json_decref(trail);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	if (pii_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pii_id_card_checksum),
	    cmocka_unit_test(test_pii_id_card_birth_and_gender),
	    cmocka_unit_test(test_pii_id_card_impossible_birth_date),
	    cmocka_unit_test(test_pii_phone),
	    cmocka_unit_test(test_pii_masks),
	    cmocka_unit_test(test_pii_mask_leaves_candidates),
	    cmocka_unit_test(test_fields_views),
	    cmocka_unit_test(test_pii_encrypt_round_trip),
	    cmocka_unit_test(test_pii_hash),
	    cmocka_unit_test(test_authz_prefix_matching),
	    cmocka_unit_test(test_fields_validate),
	    UNIT_DB_TEST(test_audit_same_transaction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
