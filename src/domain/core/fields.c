/*
 * fields.c — validation, SQL and JSON driven by the entity field tables.
 *
 * Text is checked for UTF-8 validity, control characters and length in
 * characters (not bytes), so Chinese names count as people expect.
 */
#include "domain/core/fields.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/textnorm.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "domain/core/pii.h"
#include "store/store.h"

const struct field *fields_find(const struct entity *ent, const char *key)
{
	for (int i = 0; i < ent->n; i++)
		if (strcmp(ent->f[i].name, key) == 0)
			return &ent->f[i];
	return NULL;
}

const char *enum_label(const struct enum_val *v, const char *code)
{
	for (; v && v->code; v++)
		if (code && strcmp(v->code, code) == 0)
			return v->zh;
	return code;
}

static bool enum_has(const struct enum_val *v, const char *code)
{
	for (; v && v->code; v++)
		if (strcmp(v->code, code) == 0)
			return true;
	return false;
}

/* Blanks around text: ASCII whitespace and the ideographic space U+3000
 * that Chinese input methods type. Returns the trimmed length in bytes
 * and where it starts. */
static size_t trimmed(const char *s, const char **start)
{
	const char *b = s, *end = s + strlen(s);
	for (;;) {
		if (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')
			b++;
		else if (!strncmp(b, "\xe3\x80\x80", 3))
			b += 3;
		else
			break;
	}
	for (;;) {
		if (end > b && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
			end--;
		else if (end - b >= 3 && !strncmp(end - 3, "\xe3\x80\x80", 3))
			end -= 3;
		else
			break;
	}
	*start = b;
	return (size_t)(end - b);
}

/* What text may hold (base/textnorm.h): no control characters (a
 * multi-line text keeps tabs and line breaks), and in names no bidi
 * controls or invisible characters. */
static int check_chars(const struct field *f, const char *s, unsigned rules, struct err *e)
{
	unsigned cp = 0;
	switch (textnorm_scan(s, rules, &cp)) {
	case TN_CONTROL:
		return err_set(e, ERR_INVALID, f->name,
			       "%s含有控制字符（U+%04X） / %s contains a control character (U+%04X)", f->zh, cp, f->en,
			       cp);
	case TN_BIDI:
		return err_set(e, ERR_INVALID, f->name,
			       "%s不能含有文字方向控制符（U+%04X） / %s: no bidirectional control characters (U+%04X)",
			       f->zh, cp, f->en, cp);
	case TN_INVISIBLE:
		return err_set(e, ERR_INVALID, f->name,
			       "%s不能含有不可见字符（U+%04X） / %s: no invisible characters (U+%04X)", f->zh, cp,
			       f->en, cp);
	case TN_OK:
		break;
	}
	return 0;
}

static unsigned text_rules(const struct field *f)
{
	return ((f->flags & FF_MULTILINE) ? TN_MULTILINE : 0) | ((f->flags & FF_NAME) ? TN_NAME : 0);
}

/* Text in NFC (line breaks as LF in multi-line text), then checked; v is
 * rewritten in its normal form. */
static int check_text(const struct field *f, json_t *v, struct err *e)
{
	const char *s = json_string_value(v);
	if (!utf8_valid(s, strlen(s)))
		return err_set(e, ERR_INVALID, f->name, "不是有效的UTF-8文本 / not valid UTF-8");
	if (f->type == FT_TEXT) {
		struct arena a;
		arena_init(&a);
		const char *nfc = textnorm_nfc(s, f->flags & FF_MULTILINE, &a);
		if (nfc && nfc != s)
			json_string_set(v, nfc);
		arena_free(&a);
		if (!nfc)
			return err_set(e, ERR_INVALID, f->name, "%s不是有效文本 / %s is not valid text", f->zh, f->en);
		s = json_string_value(v);
	}
	int rc = check_chars(f, s, text_rules(f), e);
	if (rc)
		return rc;
	if (f->max && (int)utf8_len(s) > f->max)
		return err_set(e, ERR_INVALID, f->name, "%s最多%d个字 / %s: at most %d characters", f->zh, f->max,
			       f->en, f->max);
	return 0;
}

static int check_value(const struct field *f, json_t *v, struct err *e)
{
	if (json_is_null(v)) {
		if (f->flags & (FF_REQUIRED | FF_NOTNULL))
			return err_set(e, ERR_INVALID, f->name, "%s不能为空 / %s is required", f->zh, f->en);
		return 0;
	}
	switch (f->type) {
	case FT_TEXT:
	case FT_DATE:
	case FT_ENUM:
	case FT_CODE:
	case FT_PII_ID:
	case FT_PII_PHONE: {
		if (!json_is_string(v))
			return err_set(e, ERR_INVALID, f->name, "%s应为文本 / %s must be a string", f->zh, f->en);
		if (f->flags & FF_TRIM) {
			const char *b, *raw = json_string_value(v);
			size_t n = trimmed(raw, &b);
			if (n != strlen(raw))
				json_string_setn(v, b, n);
		}
		int rc = check_text(f, v, e);
		if (rc)
			return rc;
		const char *s = json_string_value(v);
		if (((f->flags & FF_REQUIRED) || f->type == FT_CODE) && !*s)
			return err_set(e, ERR_INVALID, f->name, "%s不能为空 / %s is required", f->zh, f->en);
		if ((f->flags & FF_SLUG) && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(s))
			return err_set(e, ERR_INVALID, f->name,
				       "%s只能是小写字母、数字和下划线 / %s: lowercase letters, digits and _ only",
				       f->zh, f->en);
		if (f->type == FT_DATE && !time_valid_date(s))
			return err_set(e, ERR_INVALID, f->name, "%s应为YYYY-MM-DD日期 / %s must be a date YYYY-MM-DD",
				       f->zh, f->en);
		if (f->type == FT_DATE && !strcmp(f->name, "birth_date")) {
			char today[21];
			time_iso(time_now(), today);
			if (strncmp(s, today, 10) > 0)
				return err_set(e, ERR_INVALID, f->name,
					       "出生日期不能晚于今天 / birth date is in the future");
		}
		if (f->type == FT_ENUM && !enum_has(f->vals, s))
			return err_set(e, ERR_INVALID, f->name, "%s的值“%s”不在允许范围 / %s: value not allowed", f->zh,
				       s, f->en);
		if (f->type == FT_PII_ID || f->type == FT_PII_PHONE) {
			char canon[40];
			rc = pii_normalise(f->type == FT_PII_ID ? PII_ID_CARD : PII_PHONE, s, canon, sizeof canon, e);
			if (rc)
				return rc;
			json_string_set(v, canon);
		}
		return 0;
	}
	case FT_INT:
	case FT_REF:
		if (!json_is_integer(v))
			return err_set(e, ERR_INVALID, f->name, "%s应为整数 / %s must be an integer", f->zh, f->en);
		if (json_integer_value(v) < (f->type == FT_REF ? 1 : 0) || (f->max && json_integer_value(v) > f->max))
			return err_set(e, ERR_INVALID, f->name, "%s超出范围 / %s out of range", f->zh, f->en);
		return 0;
	case FT_REAL:
		if (!json_is_number(v) || (f->max && fabs(json_number_value(v)) > f->max))
			return err_set(e, ERR_INVALID, f->name, "%s应为-%d到%d之间的数 / %s: a number from -%d to %d",
				       f->zh, f->max, f->max, f->en, f->max, f->max);
		return 0;
	case FT_LIST:
		if (!json_is_array(v) || (f->max && (int)json_array_size(v) > f->max))
			return err_set(e, ERR_INVALID, f->name, "%s应为最多%d项的列表 / %s: a list of at most %d items",
				       f->zh, f->max, f->en, f->max);
		return 0;
	case FT_BOOL:
		if (!json_is_boolean(v))
			return err_set(e, ERR_INVALID, f->name, "%s应为true或false / %s must be a boolean", f->zh,
				       f->en);
		return 0;
	case FT_TAGS: {
		if (!json_is_array(v))
			return err_set(e, ERR_INVALID, f->name, "%s应为文本数组 / %s must be an array of strings",
				       f->zh, f->en);
		if (json_array_size(v) > 20)
			return err_set(e, ERR_INVALID, f->name, "最多20个标签 / at most 20 tags");
		size_t i;
		json_t *t;
		json_array_foreach (v, i, t) {
			if (!json_is_string(t) || !*json_string_value(t))
				return err_set(e, ERR_INVALID, f->name,
					       "标签应为非空文本 / tags must be non-empty strings");
			/* a tag is a name people search by exactly */
			struct field tag = {
			    .name = f->name, .type = FT_TEXT, .flags = FF_NAME, .max = 20, .zh = f->zh, .en = f->en};
			int rc = check_text(&tag, t, e);
			if (rc)
				return rc;
			if (strchr(json_string_value(t), ','))
				return err_set(e, ERR_INVALID, f->name,
					       "标签最多20个字且不含逗号 / tag too long or contains a comma");
		}
		return 0;
	}
	}
	return 0;
}

/* An optional text that trims to nothing counts as not given. */
/* Deletes a blank optional text; true if it did (key is freed then). */
static bool drop_blank(const struct field *f, json_t *obj, const char *key, json_t *v)
{
	const char *b;
	if ((f->flags & FF_TRIM) && !(f->flags & FF_REQUIRED) && json_is_string(v) &&
	    trimmed(json_string_value(v), &b) == 0)
		return json_object_del(obj, key) == 0;
	return false;
}

int fields_check(const struct field *f, int n, json_t *obj, struct err *e)
{
	struct entity ent = {.name = "input", .table = "", .f = f, .n = n};
	return fields_validate(&ent, obj, true, e);
}

int fields_validate(const struct entity *ent, json_t *obj, bool create, struct err *e)
{
	if (!json_is_object(obj))
		return err_set(e, ERR_INVALID, NULL, "请求体应为JSON对象 / body must be a JSON object");
	const char *key;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(obj, tmp, key, v)
	{
		const struct field *f = fields_find(ent, key);
		for (int i = 0; !f && i < ent->nextra; i++)
			if (!strcmp(ent->extra[i].name, key))
				f = &ent->extra[i];
		if (!f)
			return err_set(e, ERR_INVALID, key, "未知字段“%s” / unknown field '%s'", key, key);
		if (drop_blank(f, obj, key, v))
			continue;
		if (f->flags & FF_READONLY)
			return err_set(e, ERR_INVALID, key, "字段“%s”只读 / field '%s' is read-only", key, key);
		if (!create && (f->flags & FF_NOUPDATE))
			return err_set(e, ERR_INVALID, key, "字段“%s”不能在此修改 / field '%s' cannot be changed here",
				       key, key);
		int rc = check_value(f, v, e);
		if (rc)
			return rc;
	}
	if (create)
		for (int i = 0; i < ent->n + ent->nextra; i++) {
			const struct field *f = i < ent->n ? &ent->f[i] : &ent->extra[i - ent->n];
			if ((f->flags & FF_REQUIRED) && !json_object_get(obj, f->name))
				return err_set(e, ERR_INVALID, f->name, "缺少%s / %s is required", f->zh, f->en);
		}
	return 0;
}

static const char *enum_from_label(const struct enum_val *v, const char *s)
{
	for (; v && v->code; v++)
		if (strcmp(v->code, s) == 0 || strcmp(v->zh, s) == 0 || strcasecmp(v->en, s) == 0)
			return v->code;
	return NULL;
}

int fields_from_cells(const struct entity *ent, int n, const char *const *head, const char *const *cells, json_t **out,
		      struct err *e)
{
	json_t *obj = json_object();
	for (int i = 0; i < n; i++) {
		const struct field *f = NULL;
		for (int k = 0; k < ent->n && !f; k++)
			if (strcmp(ent->f[k].name, head[i]) == 0 || strcmp(ent->f[k].zh, head[i]) == 0 ||
			    strcasecmp(ent->f[k].en, head[i]) == 0)
				f = &ent->f[k];
		if (!f) {
			json_decref(obj);
			return err_set(e, ERR_INVALID, head[i], "未知列“%s” / unknown column '%s'", head[i], head[i]);
		}
		const char *s = cells[i] ? cells[i] : "";
		if (!*s || (f->flags & FF_READONLY))
			continue;
		json_t *v = NULL;
		if (f->type == FT_ENUM) {
			const char *code = enum_from_label(f->vals, s);
			v = json_string(code ? code : s);
		} else if (f->type == FT_INT || f->type == FT_REF) {
			char *end;
			long long x = strtoll(s, &end, 10);
			v = *end ? json_string(s) : json_integer(x);
		} else if (f->type == FT_BOOL) {
			v = json_boolean(strcmp(s, "是") == 0 || strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0);
		} else if (f->type == FT_TAGS) {
			v = json_array();
			char *copy = strdup(s), *save = NULL;
			/* tags are separated by ASCII or Chinese commas/顿号 or semicolons */
			for (char *p = copy; *p; p++)
				if (!strncmp(p, "，", 3) || !strncmp(p, "、", 3) || !strncmp(p, "；", 3))
					memset(p, ',', 3); /* strtok_r takes a run of separators as one */
			for (char *t = strtok_r(copy, ",; ", &save); t; t = strtok_r(NULL, ",; ", &save))
				json_array_append_new(v, json_string(t));
			free(copy);
		} else {
			v = json_string(s);
		}
		if (!v) {
			json_decref(obj);
			return err_set(e, ERR_INVALID, f->name, "%s不是有效文本 / %s is not valid text", f->zh, f->en);
		}
		json_object_set_new(obj, f->name, v);
	}
	*out = obj;
	return 0;
}

const char *fields_select(const struct entity *ent, struct arena *a)
{
	struct buf b = {0};
	for (int i = 0; i < ent->n; i++) {
		const struct field *f = &ent->f[i];
		if (i)
			buf_puts(&b, ", ");
		if (f->type == FT_PII_ID || f->type == FT_PII_PHONE)
			buf_printf(&b, "%s.%s_enc", ent->table, f->name);
		else
			buf_printf(&b, "%s.%s", ent->table, f->name);
	}
	const char *s = arena_strdup(a, buf_cstr(&b));
	buf_free(&b);
	return s;
}

enum fields_view fields_view_for(enum access a)
{
	return a >= ACC_WORKER ? FV_EDIT : FV_MASKED;
}

const char *fields_mask_date(const char *date, struct arena *a)
{
	if (!*date)
		return date;
	return strlen(date) >= 4 ? arena_printf(a, "%.4s-**-**", date) : "****-**-**";
}

json_t *fields_row(const struct entity *ent, struct store_stmt *st, int col, const struct ctx *c, bool reveal)
{
	return fields_row_view(ent, st, col, c, reveal ? FV_FULL : FV_MASKED);
}

json_t *fields_row_view(const struct entity *ent, struct store_stmt *st, int col, const struct ctx *c,
			enum fields_view view)
{
	json_t *o = json_object();
	for (int i = 0; i < ent->n; i++, col++) {
		const struct field *f = &ent->f[i];
		if (f->flags & FF_SECRET)
			continue;
		if (store_col_null(st, col)) {
			json_object_set_new(o, f->name, f->type == FT_TAGS ? json_array() : json_null());
			continue;
		}
		switch (f->type) {
		case FT_INT:
		case FT_REF:
			json_object_set_new(o, f->name, json_integer(store_col_int(st, col)));
			break;
		case FT_BOOL:
			json_object_set_new(o, f->name, json_boolean(store_col_int(st, col)));
			break;
		case FT_REAL:
			json_object_set_new(o, f->name, json_real(store_col_double(st, col)));
			break;
		case FT_TAGS: {
			json_t *arr = json_array();
			char *copy = strdup(store_col_text(st, col)), *save = NULL;
			for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
				json_array_append_new(arr, json_string(t));
			free(copy);
			json_object_set_new(o, f->name, arr);
			break;
		}
		case FT_PII_ID:
		case FT_PII_PHONE: {
			size_t len;
			const unsigned char *blob = store_col_blob(st, col, &len);
			char *plain = pii_decrypt(c->pii_key, blob, len, c->a);
			if (!plain)
				json_object_set_new(o, f->name, json_string("(无法解密 / undecryptable)"));
			else
				json_object_set_new(
				    o, f->name,
				    json_string(
					view == FV_FULL
					    ? plain
					    : pii_mask(f->type == FT_PII_ID ? PII_ID_CARD : PII_PHONE, plain, c->a)));
			break;
		}
		case FT_DATE:
			json_object_set_new(o, f->name,
					    json_string((f->flags & FF_PERSONAL) && view < FV_EDIT
							    ? fields_mask_date(store_col_text(st, col), c->a)
							    : store_col_text(st, col)));
			break;
		default:
			json_object_set_new(o, f->name, json_string(store_col_text(st, col)));
		}
	}
	return o;
}

struct colval {
	const char *col;
	json_t *v;
	const void *blob;
	size_t blen;
};

static void bind_json(struct store_stmt *st, int idx, const struct colval *cv)
{
	json_t *v = cv->v;
	if (cv->blob) {
		store_bind_at(st, idx, 'b', cv->blob, cv->blen);
	} else if (!v || json_is_null(v)) {
		store_bind_at(st, idx, 'n');
	} else if (json_is_integer(v)) {
		store_bind_at(st, idx, 'i', (int64_t)json_integer_value(v));
	} else if (json_is_boolean(v)) {
		store_bind_at(st, idx, 'i', (int64_t)json_is_true(v));
	} else if (json_is_real(v)) {
		store_bind_at(st, idx, 'd', json_real_value(v));
	} else if (json_is_array(v)) {
		struct buf b = {0};
		size_t i;
		json_t *t;
		json_array_foreach (v, i, t) {
			if (i)
				buf_puts(&b, ",");
			buf_puts(&b, json_string_value(t));
		}
		store_bind_at(st, idx, 't', buf_cstr(&b));
		buf_free(&b);
	} else {
		store_bind_at(st, idx, 't', json_string_value(v));
	}
}

/* The columns and values of the writable fields present in obj (PII
 * encrypted and hashed), then internal's. Returns how many (at most cap). */
static int collect_cols(const struct ctx *c, const struct entity *ent, json_t *obj, json_t *internal,
			struct colval *cols, int cap)
{
	int n = 0;
	for (int i = 0; i < ent->n && n < cap - 4; i++) {
		const struct field *f = &ent->f[i];
		json_t *v = json_object_get(obj, f->name);
		if (!v || (f->flags & FF_READONLY) || json_object_get(internal, f->name))
			continue;
		if ((f->type == FT_PII_ID || f->type == FT_PII_PHONE)) {
			enum pii_kind k = f->type == FT_PII_ID ? PII_ID_CARD : PII_PHONE;
			if (json_is_null(v)) {
				cols[n++] = (struct colval){arena_printf(c->a, "%s_enc", f->name), NULL, NULL, 0};
				cols[n++] = (struct colval){arena_printf(c->a, "%s_hash", f->name), NULL, NULL, 0};
				continue;
			}
			size_t clen;
			unsigned char *cipher = pii_encrypt(c->pii_key, json_string_value(v), &clen, c->a);
			unsigned char *h = arena_alloc(c->a, PII_HASH_BYTES);
			pii_hash(c->pii_key, k, json_string_value(v), h);
			cols[n++] = (struct colval){arena_printf(c->a, "%s_enc", f->name), NULL, cipher, clen};
			cols[n++] = (struct colval){arena_printf(c->a, "%s_hash", f->name), NULL, h, PII_HASH_BYTES};
			continue;
		}
		cols[n++] = (struct colval){f->name, v, NULL, 0};
	}
	const char *key;
	json_t *v;
	json_object_foreach (internal, key, v) {
		if (n < cap)
			cols[n++] = (struct colval){key, v, NULL, 0};
	}
	return n;
}

static int run_write(const struct ctx *c, struct buf *sql, const struct colval *cols, int n, int64_t update_id,
		     struct err *e)
{
	struct store_stmt *st;
	int rc = store_prepare(c->db, buf_cstr(sql), &st, e);
	buf_free(sql);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		bind_json(st, i + 1, &cols[i]);
	if (update_id)
		store_bind_at(st, n + 1, 'i', update_id);
	rc = store_step(st, e);
	store_done(st);
	return rc < 0 ? rc : 0;
}

static void insert_sql(struct buf *sql, const struct entity *ent, const struct colval *cols, int n)
{
	buf_printf(sql, "INSERT INTO %s (", ent->table);
	for (int i = 0; i < n; i++)
		buf_printf(sql, "%s%s", i ? ", " : "", cols[i].col);
	buf_puts(sql, ") VALUES (");
	for (int i = 0; i < n; i++)
		buf_puts(sql, i ? ", ?" : "?");
	buf_puts(sql, ")");
}

int fields_write(const struct ctx *c, const struct entity *ent, json_t *obj, json_t *internal, int64_t update_id,
		 int64_t *new_id, struct err *e)
{
	struct colval cols[64];
	int n = collect_cols(c, ent, obj, internal, cols, 64);
	if (n == 0)
		return 0;
	struct buf sql = {0};
	if (update_id) {
		buf_printf(&sql, "UPDATE %s SET ", ent->table);
		for (int i = 0; i < n; i++)
			buf_printf(&sql, "%s%s = ?", i ? ", " : "", cols[i].col);
		buf_puts(&sql, " WHERE id = ?");
	} else {
		insert_sql(&sql, ent, cols, n);
	}
	int rc = run_write(c, &sql, cols, n, update_id, e);
	if (rc == 0 && new_id)
		*new_id = update_id ? update_id : store_last_id(c->db);
	return rc;
}

int fields_upsert(const struct ctx *c, const struct entity *ent, json_t *obj, json_t *internal, struct err *e)
{
	struct colval cols[64];
	int n = collect_cols(c, ent, obj, internal, cols, 64);
	if (n == 0 || !ent->key)
		return err_set(e, ERR_INTERNAL, NULL, "%s: nothing to write or no key", ent->name);
	struct buf sql = {0};
	insert_sql(&sql, ent, cols, n);
	buf_printf(&sql, " ON CONFLICT (%s) DO ", ent->key);
	int changed = 0;
	for (int i = 0; i < n; i++) {
		const struct field *f = fields_find(ent, cols[i].col);
		if (strcmp(cols[i].col, ent->key) == 0 || (f && (f->flags & FF_NOUPDATE)))
			continue;
		buf_printf(&sql, "%s%s = excluded.%s", changed++ ? ", " : "UPDATE SET ", cols[i].col, cols[i].col);
	}
	if (!changed)
		buf_puts(&sql, "NOTHING");
	return run_write(c, &sql, cols, n, 0, e);
}

/* A code kept as data is an enum to clients; only its values' source differs. */
static const char *const type_names[] = {"text",    "int",   "date", "enum", "bool", "tags",
					 "id_card", "phone", "ref",  "real", "list", "enum"};

json_t *fields_describe(const struct field *f, int n)
{
	json_t *arr = json_array();
	for (int i = 0; i < n; i++) {
		if (f[i].flags & FF_SECRET)
			continue;
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "name", f[i].name, "type",
				      type_names[f[i].type], "label_zh", f[i].zh, "label_en", f[i].en, "required",
				      (f[i].flags & FF_REQUIRED) != 0, "read_only", (f[i].flags & FF_READONLY) != 0);
		if (f[i].max)
			json_object_set_new(o, "max", json_integer(f[i].max));
		if (f[i].flags & FF_MULTILINE)
			json_object_set_new(o, "multiline", json_true());
		if (f[i].type == FT_CODE)
			json_object_set_new(o, "source", json_string(f[i].vals->code));
		if (f[i].flags & FF_NOUPDATE)
			json_object_set_new(o, "create_only", json_true());
		if (f[i].flags & FF_NOTNULL)
			json_object_set_new(o, "not_null", json_true());
		if (f[i].type == FT_ENUM && f[i].vals) {
			json_t *vals = json_array();
			for (const struct enum_val *v = f[i].vals; v->code; v++)
				json_array_append_new(vals, json_pack("{s:s, s:s, s:s}", "code", v->code, "label_zh",
								      v->zh, "label_en", v->en));
			json_object_set_new(o, "values", vals);
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

/* FT_CODE: the values live in a table named by the static field table
 * (never by input), with columns code, name_zh, name_en, active. */
int fields_check_codes(const struct ctx *c, const struct entity *ent, json_t *obj, struct err *e)
{
	for (int i = 0; i < ent->n; i++) {
		const struct field *f = &ent->f[i];
		const char *code = json_string_value(json_object_get(obj, f->name));
		if (f->type != FT_CODE || !code)
			continue;
		int64_t active = 0;
		int rc =
		    store_int(c->db, e, &active,
			      arena_printf(c->a, "SELECT active FROM %s WHERE code = ?", f->vals->code), "t", code);
		if (rc == ERR_NOT_FOUND)
			return err_set(e, ERR_INVALID, f->name, "%s“%s”不存在 / %s: unknown value '%s'", f->zh, code,
				       f->en, code);
		if (rc)
			return rc;
		if (!active)
			return err_set(e, ERR_INVALID, f->name, "%s“%s”已停用 / %s: '%s' is no longer in use", f->zh,
				       code, f->en, code);
	}
	return 0;
}

const char *fields_code_label(const struct ctx *c, const struct field *f, const char *code)
{
	struct store_stmt *st;
	if (f->type != FT_CODE || !code ||
	    store_prepare(c->db, arena_printf(c->a, "SELECT name_zh FROM %s WHERE code = ?", f->vals->code), &st, NULL))
		return code;
	store_bind(st, "t", code);
	const char *label = code;
	if (store_step(st, NULL) == STORE_ROW)
		label = arena_strdup(c->a, store_col_text(st, 0));
	store_done(st);
	return label;
}
