/*
 * openapi_gen.c — the OpenAPI 3.0 document, built from what the server
 * runs on: the route table (routes.c), the entities' field tables (records,
 * create and update bodies: types, limits, enumerations with their labels,
 * required and read-only fields), the case kinds (each kind's paths, its
 * states and actions, each action's input), and the shapes and parameters
 * that are not fields (shapes.c, params.c). Nothing in it is written twice:
 * docs/openapi.json is this output (`make openapi`), and a test checks that
 * the committed file is what the server serves.
 *
 * The document is the same for every call (static tables only), so it is
 * built once and kept.
 */
#include "api/openapi.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/shapes.h"
#include "domain/cases/cases.h"
#include "domain/meta.h"

struct gen {
	json_t *schemas;
	char why[256]; /* the first problem found, for openapi_check */
};

__attribute__((format(printf, 2, 3))) static void problem(struct gen *g, const char *fmt, ...)
{
	if (g->why[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->why, sizeof g->why, fmt, ap);
	va_end(ap);
}

/* ASCII case changes (names and methods are ASCII). */
static char upper(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - ('a' - 'A'));
	return c;
}

static char lower(char c)
{
	if (c >= 'A' && c <= 'Z')
		c = (char)(c + ('a' - 'A'));
	return c;
}

/* "org_done" → "OrgDone", "node" → "Node". */
static void camel(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	bool up = true;
	for (; *s && n + 1 < cap; s++) {
		if (*s == '_' || *s == '-' || *s == '.') {
			up = true;
			continue;
		}
		out[n++] = *s;
		if (up)
			out[n - 1] = upper(*s);
		up = false;
	}
	out[n] = 0;
}

static char *kind_name(const struct case_kind *k, char *out, size_t cap)
{
	camel(k->code, out, cap);
	return out;
}

static json_t *bilingual(const char *zh, const char *en)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s / %s", zh, en);
	return json_string(buf);
}

static json_t *ref(const char *name)
{
	char buf[200];
	snprintf(buf, sizeof buf, "#/components/schemas/%s", name);
	return json_pack("{s:s}", "$ref", buf);
}

/* The component name a type's @Name stands for: an entity's record
 * ("node" → Node), the kind's record ({kind}), a shape ({Kind}… for the
 * kind's own). Empty when it resolves to nothing. */
static void resolve(struct gen *g, const char *name, const struct case_kind *k, char *out, size_t cap)
{
	char kn[64] = "";
	if (k)
		kind_name(k, kn, sizeof kn);
	out[0] = 0;
	if (!strcmp(name, "{kind}")) {
		if (!k)
			problem(g, "@{kind} outside a case kind's shape or route");
		else
			snprintf(out, cap, "%s", kn);
		return;
	}
	if (!strncmp(name, "{Kind}", 6)) {
		if (!k || !shape_find(name))
			problem(g, "unknown or kind-less shape %s", name);
		else
			snprintf(out, cap, "%s%s", kn, name + 6);
		return;
	}
	if (meta_entity(name) && strcmp(name, "case") != 0) {
		camel(name, out, cap);
		return;
	}
	if (shape_find(name) && !meta_entity(name)) {
		snprintf(out, cap, "%s", name);
		return;
	}
	problem(g, "unknown type @%s", name);
}

static json_t *scalar_value(const char *base, const char *s)
{
	if (!strcmp(s, "null"))
		return json_null();
	if (!strcmp(base, "bool"))
		return json_boolean(!strcmp(s, "true"));
	if (!strcmp(base, "int") || !strcmp(base, "int64") || !strcmp(base, "id"))
		return json_integer(strtoll(s, NULL, 10));
	if (!strcmp(base, "num"))
		return json_real(strtod(s, NULL));
	return json_string(s);
}

static json_t *number(const char *s)
{
	return strpbrk(s, ".eE") ? json_real(strtod(s, NULL)) : json_integer(strtoll(s, NULL, 10));
}

static const struct field *field_of(struct gen *g, const char *ref_, const struct case_kind *k)
{
	char ent[64];
	const char *dot = strchr(ref_, '.');
	if (!dot || (size_t)(dot - ref_) >= sizeof ent) {
		problem(g, "bad of=%s", ref_);
		return NULL;
	}
	snprintf(ent, sizeof ent, "%.*s", (int)(dot - ref_), ref_);
	const struct field *f = NULL;
	if (!strcmp(ent, "{kind}")) {
		if (k)
			f = fields_find(&ENT_CASE, dot + 1);
		if (k && !f && k->side)
			f = fields_find(k->side, dot + 1);
	} else if (meta_entity(ent)) {
		f = fields_find(meta_entity(ent), dot + 1);
	}
	if (!f)
		problem(g, "of=%s names no field", ref_);
	return f;
}

/* An enumeration with its labels, from a field's values or, for a case's
 * status, the kind's states. */
static void enum_from(json_t *s, const struct field *f, const struct case_kind *k)
{
	json_t *e = json_object_get(s, "enum"), *zh = json_object(), *en = json_object();
	if (!e)
		json_object_set_new(s, "enum", e = json_array());
	if (k && !strcmp(f->name, "status") && !f->vals) {
		for (const struct case_state *st = k->states; st->code; st++) {
			json_array_append_new(e, json_string(st->code));
			json_object_set_new(zh, st->code, json_string(st->zh));
			json_object_set_new(en, st->code, json_string(st->en));
		}
	}
	for (const struct enum_val *v = f->vals; v && v->code; v++) {
		json_array_append_new(e, json_string(v->code));
		json_object_set_new(zh, v->code, json_string(v->zh));
		json_object_set_new(en, v->code, json_string(v->en));
	}
	json_object_set_new(s, "x-enum-labels-zh", zh);
	json_object_set_new(s, "x-enum-labels-en", en);
}

static json_t *base_schema(struct gen *g, const char *b, const struct case_kind *k);

/* A type spec (shapes.h) as a schema; *req tells whether it said req. */
static json_t *spec(struct gen *g, const char *type, const struct case_kind *k, bool *req)
{
	char buf[1024];
	snprintf(buf, sizeof buf, "%s", type);
	char *save = NULL, *tok = strtok_r(buf, " ", &save);
	if (!tok) {
		problem(g, "empty type");
		return json_object();
	}
	char base[200];
	snprintf(base, sizeof base, "%s", tok);
	json_t *s = base_schema(g, base, k);
	json_t *extra = NULL; /* enum= values to add after of= */
	const struct field *of = NULL;
	if (req)
		*req = false;
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *eq = strchr(tok, '=');
		const char *v = eq ? eq + 1 : "";
		if (eq)
			*eq = 0;
		if (!strcmp(tok, "req")) {
			if (req)
				*req = true;
		} else if (!strcmp(tok, "null")) {
			json_object_set_new(s, "nullable", json_true());
		} else if (!strcmp(tok, "min")) {
			json_object_set_new(s, "minimum", number(v));
		} else if (!strcmp(tok, "max")) {
			json_object_set_new(s, "maximum", number(v));
		} else if (!strcmp(tok, "len")) {
			json_object_set_new(s, "maxLength", number(v));
		} else if (!strcmp(tok, "minlen")) {
			json_object_set_new(s, "minLength", number(v));
		} else if (!strcmp(tok, "items")) {
			json_object_set_new(s, "maxItems", number(v));
		} else if (!strcmp(tok, "fmt")) {
			json_object_set_new(s, "format", json_string(v));
		} else if (!strcmp(tok, "pat")) {
			json_object_set_new(s, "pattern", json_string(v));
		} else if (!strcmp(tok, "def")) {
			json_object_set_new(s, "default", scalar_value(base, v));
		} else if (!strcmp(tok, "of")) {
			of = field_of(g, v, k);
		} else if (!strcmp(tok, "enum")) {
			extra = json_array();
			char vals[600];
			snprintf(vals, sizeof vals, "%s", v);
			char *s2 = NULL;
			for (char *x = strtok_r(vals, "|", &s2); x; x = strtok_r(NULL, "|", &s2))
				json_array_append_new(extra, scalar_value(base, x));
		} else {
			problem(g, "unknown modifier %s in %s", tok, type);
		}
	}
	if (of)
		enum_from(s, of, k);
	if (extra) {
		json_t *e = json_object_get(s, "enum");
		if (e)
			json_array_extend(e, extra);
		else
			json_object_set(s, "enum", extra);
		json_decref(extra);
	}
	/* null in an enum needs nullable (3.0) */
	json_t *e = json_object_get(s, "enum");
	for (size_t i = 0; e && i < json_array_size(e); i++)
		if (json_is_null(json_array_get(e, i)))
			json_object_set_new(s, "nullable", json_true());
	return s;
}

static json_t *base_schema(struct gen *g, const char *b, const struct case_kind *k)
{
	size_t n = strlen(b);
	if (n > 2 && b[0] == '[' && b[n - 1] == ']') {
		char inner[200];
		snprintf(inner, sizeof inner, "%.*s", (int)(n - 2), b + 1);
		return json_pack("{s:s, s:o}", "type", "array", "items", base_schema(g, inner, k));
	}
	if (n > 2 && b[0] == '{' && b[1] == '@' && b[n - 1] == '}') {
		char inner[200];
		snprintf(inner, sizeof inner, "%.*s", (int)(n - 2), b + 1);
		return json_pack("{s:s, s:o}", "type", "object", "additionalProperties", base_schema(g, inner, k));
	}
	if (n > 2 && b[0] == '{' && b[n - 1] == '}' && strcmp(b, "{kind}") != 0) {
		char inner[200];
		snprintf(inner, sizeof inner, "%.*s", (int)(n - 2), b + 1);
		return json_pack("{s:s, s:o}", "type", "object", "additionalProperties", base_schema(g, inner, k));
	}
	if (b[0] == '@') {
		char names[200], out[128];
		snprintf(names, sizeof names, "%s", b + 1);
		if (!strchr(names, '|')) {
			resolve(g, names, k, out, sizeof out);
			return ref(out);
		}
		json_t *one = json_array();
		char *save = NULL;
		for (char *x = strtok_r(names, "|", &save); x; x = strtok_r(NULL, "|", &save)) {
			resolve(g, x[0] == '@' ? x + 1 : x, k, out, sizeof out);
			json_array_append_new(one, ref(out));
		}
		return json_pack("{s:o}", "oneOf", one);
	}
	static const struct {
		const char *name, *type, *format;
		int min;
	} scalars[] = {{"str", "string", NULL, -1},       {"int", "integer", NULL, -1},
		       {"int64", "integer", "int64", -1}, {"id", "integer", "int64", 1},
		       {"num", "number", NULL, -1},       {"bool", "boolean", NULL, -1},
		       {"date", "string", "date", -1},    {"time", "string", "date-time", -1},
		       {"bin", "string", "binary", -1},   {"obj", "object", NULL, -1}};
	for (size_t i = 0; i < sizeof scalars / sizeof *scalars; i++)
		if (!strcmp(b, scalars[i].name)) {
			json_t *s = json_pack("{s:s}", "type", scalars[i].type);
			if (scalars[i].format)
				json_object_set_new(s, "format", json_string(scalars[i].format));
			if (scalars[i].min >= 0)
				json_object_set_new(s, "minimum", json_integer(scalars[i].min));
			return s;
		}
	if (!strcmp(b, "any"))
		return json_object();
	problem(g, "unknown base type %s", b);
	return json_object();
}

/* ------------------------------------------------------------ fields */

enum fmode { F_RECORD, F_CREATE, F_UPDATE };

static json_t *field_schema(const struct field *f, const struct case_kind *k, enum fmode mode)
{
	json_t *s;
	switch (f->type) {
	case FT_INT:
		s = json_pack("{s:s, s:s, s:i}", "type", "integer", "format", "int64", "minimum", 0);
		if (f->max)
			json_object_set_new(s, "maximum", json_integer(f->max));
		break;
	case FT_REF:
		s = json_pack("{s:s, s:s, s:i}", "type", "integer", "format", "int64", "minimum", 1);
		break;
	case FT_REAL:
		s = json_pack("{s:s}", "type", "number");
		if (f->max)
			json_object_set_new(s, "minimum", json_integer(-f->max)),
			    json_object_set_new(s, "maximum", json_integer(f->max));
		break;
	case FT_BOOL:
		s = json_pack("{s:s}", "type", "boolean");
		break;
	case FT_DATE:
		/* a record shows a personal date to viewers by its year only (fields.h FV_MASKED) */
		if (mode == F_RECORD && (f->flags & FF_PERSONAL))
			s = json_pack("{s:s, s:s, s:s}", "type", "string", "pattern",
				      "^[0-9]{4}-([0-9]{2}|\\*\\*)-([0-9]{2}|\\*\\*)$", "x-personal-data", "date");
		else
			s = json_pack("{s:s, s:s}", "type", "string", "format", "date");
		break;
	case FT_TAGS:
		/* fields.c: at most 20 tags of at most 20 characters, no commas */
		s = json_pack("{s:s, s:i, s:{s:s, s:i, s:i, s:s}}", "type", "array", "maxItems", 20, "items", "type",
			      "string", "minLength", 1, "maxLength", 20, "pattern", "^[^,]*$");
		break;
	case FT_LIST:
		s = json_pack("{s:s, s:{}}", "type", "array", "items");
		if (f->max)
			json_object_set_new(s, "maxItems", json_integer(f->max));
		break;
	case FT_PII_ID:
	case FT_PII_PHONE:
		s = json_pack("{s:s, s:s}", "type", "string", "x-personal-data",
			      f->type == FT_PII_ID ? "id_card" : "phone");
		break;
	case FT_CODE:
		/* an enumeration kept as data: its values are the active codes of a table */
		s = json_pack("{s:s, s:s}", "type", "string", "x-values-from", f->vals->code);
		break;
	default: /* FT_TEXT, FT_ENUM */
		s = json_pack("{s:s}", "type", "string");
		if (f->max)
			json_object_set_new(s, "maxLength", json_integer(f->max));
		if (f->vals || (k && f->type == FT_TEXT && !strcmp(f->name, "status")))
			enum_from(s, f, k);
	}
	const char *note = "";
	if (f->type == FT_PII_ID || f->type == FT_PII_PHONE)
		note = mode == F_RECORD ? "（脱敏，reveal=1 显示完整） / (masked unless reveal=1)" : "";
	else if (f->flags & FF_PERSONAL)
		note =
		    mode == F_RECORD ? "（查看者只见年份：1944-**-**） / (viewers see the year only: 1944-**-**)" : "";
	char buf[512];
	snprintf(buf, sizeof buf, "%s / %s%s", f->zh, f->en, note);
	json_object_set_new(s, "description", json_string(buf));
	if (mode == F_RECORD && (f->flags & FF_READONLY))
		json_object_set_new(s, "readOnly", json_true());
	if (mode == F_RECORD && (f->flags & FF_NOUPDATE))
		json_object_set_new(s, "x-create-only", json_true());
	if (f->flags & FF_MULTILINE)
		json_object_set_new(s, "x-multiline", json_true());
	bool nullable = !(f->flags & (FF_REQUIRED | FF_NOTNULL)) && strcmp(f->name, "id") != 0 && f->type != FT_TAGS;
	if (nullable)
		json_object_set_new(s, "nullable", json_true());
	return s;
}

/* The fields of ent that belong in this mode, added to props (and to req:
 * for records every field, which is always present, null or not; for
 * creation the required ones). */
static void add_fields(const struct entity *ent, const struct case_kind *k, enum fmode mode, json_t *props, json_t *req)
{
	for (int i = 0; ent && i < ent->n; i++) {
		const struct field *f = &ent->f[i];
		if (f->flags & FF_SECRET)
			continue;
		if (mode != F_RECORD && (f->flags & FF_READONLY))
			continue;
		if (mode == F_UPDATE && (f->flags & FF_NOUPDATE))
			continue;
		json_object_set_new(props, f->name, field_schema(f, k, mode));
		if (req && (mode == F_RECORD || (mode == F_CREATE && (f->flags & FF_REQUIRED))))
			json_array_append_new(req, json_string(f->name));
	}
	/* input kept outside the table (a kind's role list) */
	for (int i = 0; ent && mode != F_RECORD && i < ent->nextra; i++) {
		const struct field *f = &ent->extra[i];
		json_object_set_new(props, f->name, field_schema(f, k, mode));
		if (req && mode == F_CREATE && (f->flags & FF_REQUIRED))
			json_array_append_new(req, json_string(f->name));
	}
}

/* A shape's properties into props/req. */
static void add_props(struct gen *g, const struct shape *sh, const struct case_kind *k, json_t *props, json_t *req)
{
	for (const struct shape_prop *p = sh->props; p->name; p++) {
		bool r = false;
		json_t *s = spec(g, p->type, k, &r);
		if (p->doc) {
			/* a $ref takes no siblings in 3.0: wrap it */
			if (json_object_get(s, "$ref"))
				s = json_pack("{s:[o]}", "allOf", s);
			json_object_set_new(s, "description", json_string(p->doc));
		}
		json_object_set_new(props, p->name, s);
		if (r)
			json_array_append_new(req, json_string(p->name));
	}
}

static json_t *object(json_t *props, json_t *req, const char *doc)
{
	json_t *o = json_pack("{s:s}", "type", "object");
	if (doc)
		json_object_set_new(o, "description", json_string(doc));
	if (json_array_size(req))
		json_object_set(o, "required", req);
	json_object_set(o, "properties", props);
	json_decref(props);
	json_decref(req);
	return o;
}

/* An entity's record, create and update bodies (Node, NodeCreate,
 * NodeUpdate). */
static void entity_schemas(struct gen *g, const struct entity *ent)
{
	char name[64], buf[96];
	camel(ent->name, name, sizeof name);
	json_t *props = json_object(), *req = json_array();
	add_fields(ent, NULL, F_RECORD, props, req);
	const struct shape *extra = shape_find(ent->name);
	if (extra)
		add_props(g, extra, NULL, props, req);
	json_object_set_new(g->schemas, name, object(props, req, NULL));
	for (int m = F_CREATE; m <= F_UPDATE; m++) {
		props = json_object(), req = json_array();
		add_fields(ent, NULL, (enum fmode)m, props, req);
		json_t *o = object(props, req, NULL);
		json_object_set_new(o, "additionalProperties", json_false());
		snprintf(buf, sizeof buf, "%s%s", name, m == F_CREATE ? "Create" : "Update");
		json_object_set_new(g->schemas, buf, o);
	}
}

static void shape_schema(struct gen *g, const struct shape *sh, const struct case_kind *k, const char *name)
{
	json_t *s;
	if (!sh->props[0].name) {
		s = spec(g, sh->type ? sh->type : "obj", k, NULL);
		if (sh->doc)
			json_object_set_new(s, "description", json_string(sh->doc));
	} else {
		json_t *props = json_object(), *req = json_array();
		add_props(g, sh, k, props, req);
		s = object(props, req, sh->type ? NULL : sh->doc);
		if (sh->type) {
			s = json_pack("{s:[o, o]}", "allOf", spec(g, sh->type, k, NULL), s);
			if (sh->doc)
				json_object_set_new(s, "description", json_string(sh->doc));
		}
	}
	json_object_set_new(g->schemas, name, s);
}

static const char *who_text(unsigned who, char *buf, size_t cap)
{
	static const struct {
		unsigned bit;
		const char *zh, *en;
	} names[] = {{WHO_HANDLER, "办理人员", "handlers"},
		     {WHO_REPORTER, "反映人", "the reporter"},
		     {WHO_ORG, "承办单位", "an assigned organisation"},
		     {WHO_ORG_LEAD, "牵头单位", "the lead organisation"}};
	char zh[200] = "", en[200] = "";
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (who & names[i].bit) {
			snprintf(zh + strlen(zh), sizeof zh - strlen(zh), "%s%s", zh[0] ? "、" : "", names[i].zh);
			snprintf(en + strlen(en), sizeof en - strlen(en), "%s%s", en[0] ? ", " : "", names[i].en);
		}
	snprintf(buf, cap, "%s / %s", zh, en);
	return buf;
}

/* A case kind's record, create body, actions' inputs and its own shapes. */
static void kind_schemas(struct gen *g, const struct case_kind *k)
{
	char kn[64], buf[160], who[420];
	kind_name(k, kn, sizeof kn);
	json_t *props = json_object(), *req = json_pack("[s, s, s, s]", "id", "kind", "status", "phase");
	json_t *all = json_array();
	add_fields(&ENT_CASE, k, F_RECORD, props, all);
	add_fields(k->side, k, F_RECORD, props, all);
	json_decref(all); /* a case's public view leaves some fields out */
	const struct shape *extra = shape_find("{kind}");
	if (extra)
		add_props(g, extra, k, props, req);
	snprintf(buf, sizeof buf, "%s / %s", k->zh, k->en);
	json_object_set_new(g->schemas, kn, object(props, req, buf));
	props = json_object(), req = json_array();
	add_fields(&ENT_CASE, k, F_CREATE, props, req);
	add_fields(k->side, k, F_CREATE, props, req);
	json_t *o = object(props, req, NULL);
	json_object_set_new(o, "additionalProperties", json_false());
	snprintf(buf, sizeof buf, "%sCreate", kn);
	json_object_set_new(g->schemas, buf, o);
	json_t *any = json_array();
	for (const struct case_action *a = k->actions; a->code; a++) {
		props = json_object(), req = json_array();
		struct entity in = {.name = a->code, .table = "", .f = a->input, .n = a->ninput};
		add_fields(&in, k, F_CREATE, props, req);
		char doc[1400];
		snprintf(doc, sizeof doc,
			 "`%s`：%s。适用状态：%s；结果：%s；谁可以：%s / %s. Applies in: %s; leads to: %s.%s%s",
			 a->code, a->zh, a->from, a->to ? a->to : "不变或由操作决定", who_text(a->who, who, sizeof who),
			 a->en, a->from, a->to ? a->to : "unchanged or decided by the action", a->confirm_zh ? " " : "",
			 a->confirm_zh ? a->confirm_en : "");
		o = object(props, req, doc);
		json_object_set_new(o, "additionalProperties", json_false());
		json_object_set_new(o, "title", json_string(a->code));
		char an[64];
		camel(a->code, an, sizeof an);
		snprintf(buf, sizeof buf, "%sAction%s", kn, an);
		json_object_set_new(g->schemas, buf, o);
		json_array_append_new(any, ref(buf));
	}
	snprintf(buf, sizeof buf, "%sActionInput", kn);
	json_object_set_new(
	    g->schemas, buf,
	    json_pack(
		"{s:s, s:o}", "description",
		"办理操作的请求体：各操作只接受自己的字段（其他字段400）；可以不带请求体（等于{}） / the body of an "
		"action: each action accepts its own fields only (others are 400); it may be omitted "
		"(same as {})",
		"anyOf", any));
	for (int i = 0; i < api_shape_count; i++)
		if (!strncmp(api_shapes[i].name, "{Kind}", 6)) {
			snprintf(buf, sizeof buf, "%s%s", kn, api_shapes[i].name + 6);
			shape_schema(g, &api_shapes[i], k, buf);
		}
}

/* {"items": [...]} or a page of them, named after the item. */
static const char *wrapper(struct gen *g, const char *item, bool page)
{
	static __thread char name[128];
	snprintf(name, sizeof name, "%s%s", item, page ? "Page" : "List");
	if (json_object_get(g->schemas, name))
		return name;
	json_t *props = json_pack("{s:{s:s, s:o}}", "items", "type", "array", "items", ref(item));
	json_t *req = json_pack("[s]", "items");
	if (page) {
		json_object_set_new(
		    props, "next_cursor",
		    json_pack("{s:s, s:b, s:s}", "type", "string", "nullable", 1, "description",
			      "下一页游标：原样传给 cursor 参数；为null表示没有更多 / cursor of the next "
			      "page: pass it as the cursor parameter unchanged; null when there is no more"));
		json_array_append_new(req, json_string("next_cursor"));
	}
	json_object_set_new(g->schemas, name, object(props, req, page ? "一页 / a page" : "不分页 / not paged"));
	return name;
}

/* ------------------------------------------------------------ paths */

static const struct {
	const char *status, *name, *doc, *code, *msg, *field;
} errors[] = {
    {"400", "BadRequest",
     "请求无效：参数、请求体或字段值错误（code=invalid，field 指出出错处） / invalid request: bad parameter, body or "
     "field value (code invalid; field names the culprit)",
     "invalid", "未知参数“foo” / unknown query parameter 'foo'", "foo"},
    {"401", "Unauthorized",
     "未登录或令牌无效/过期/账号停用（code=unauthorized）；登录时用户名或密码错误、账号锁定（连续5次错误后15分钟）"
     "或停用都是同一回答，不透露账号是否存在 / not logged in, or the token is invalid, expired or its account disabled "
     "(code unauthorized); at login a wrong username or password, an account locked (15 minutes after 5 failures) and "
     "a "
     "disabled account get the same answer, which does not tell whether the account exists",
     "unauthorized", "请先登录 / login required", NULL},
    {"403", "Forbidden",
     "无权访问：不在调用者有权限的范围内，或权限级别不够（code=forbidden）；用Cookie认证的写请求缺少或带错 "
     "X-CSRF-Token（code=csrf） / forbidden: outside the caller's subtree or too low an access level (code forbidden); "
     "or a cookie-authenticated write without the right X-CSRF-Token (code csrf)",
     "forbidden", "需要worker权限 / requires worker access here", NULL},
    {"404", "NotFound", "记录不存在（code=not_found） / no such record (code not_found)", "not_found",
     "人员999999不存在 / person 999999 not found", NULL},
    {"405", "MethodNotAllowed",
     "该路径存在，但不支持所用的HTTP方法（code=method_not_allowed） / the path exists but not with this HTTP method "
     "(code method_not_allowed)",
     "method_not_allowed", "不支持该方法 / method not allowed", NULL},
    {"409", "Conflict",
     "冲突：与已有数据重复或状态不允许（code=conflict） / conflict: duplicates existing data or the state does not "
     "allow it (code conflict)",
     "conflict", "该身份证号已登记（人员1） / ID card already registered (person 1)", "id_card"},
    {"413", "PayloadTooLarge",
     "请求体过大（默认上限1 MiB，可用 --max-body 调整；已登录用户上传文件的接口上限64 "
     "MiB），在读取请求体之前回答（code=too_large） / request body too large (1 MiB by default, see --max-body; the "
     "file upload routes, for a logged-in caller: 64 MiB), answered before the body is read (code too_large)",
     "too_large", "请求体过大 / request body too large", NULL},
    {"415", "UnsupportedMediaType",
     "请求体不是 application/json（code=unsupported_media_type） / the body is not application/json (code "
     "unsupported_media_type)",
     "unsupported_media_type", "请求体应为application/json / body must be application/json", NULL},
    {"429", "TooManyRequests",
     "请求过于频繁：已登录的请求每个账号默认每分钟6000个（--rate-account），其他请求每个客户端地址（IPv6按/64）"
     "默认每分钟6000个（--rate）（code=rate_limited，Retry-"
     "After为再允许一个请求所需的秒数），登录每分钟20次；经可信代理"
     "转发时同一客户端同时进行的请求过多（--max-conns，code=too_many_connections） / too many requests: by default "
     "6000 per minute per logged-in account (--rate-account) and 6000 per minute per client address, an IPv6 client by "
     "its /64, for other requests (--rate) (code rate_limited; Retry-After: the seconds until one more request is "
     "allowed), 20 logins per minute; through a trusted proxy, too many concurrent requests of one client "
     "(--max-conns, code too_many_connections)",
     "rate_limited", "请求过于频繁 / too many requests", NULL},
    {"500", "InternalError", "服务器内部错误（code=internal 或 io_error） / internal error (code internal or io_error)",
     "internal", "服务器内部错误 / internal error", NULL},
    {"503", "Unavailable",
     "数据库繁忙或不可用，请稍后重试（code=unavailable） / database busy or unavailable; retry shortly (code "
     "unavailable)",
     "unavailable", "数据库不可用 / database unavailable", NULL},
};

static const struct {
	const char *name, *zh, *en;
} tags[] = {
    {"meta", "服务状态、本文档与字段说明", "service status, this document and the fields"},
    {"auth", "登录与会话", "login and sessions"},
    {"tree", "组织树：层级类型与节点", "the tree: node kinds and nodes"},
    {"registry", "人口台账：居民与户", "the register: residents and households"},
    {"roles", "任职与组织", "civic roles and organisations"},
    {"users", "账号与授权（多为管理员）", "accounts and grants (mostly administrators)"},
    {"audit", "审计记录", "the audit trail"},
    {"stats", "统计", "statistics"},
    {"transfer", "台账导入导出", "import and export of lists"},
    {"requests", "民情诉求：反映、办理、时间线、图片、统计与月度小结、通知和推送",
     "residents' requests: reporting, handling, timeline, photos, statistics and monthly summaries, notifications and "
     "webhooks"},
    {"open311", "Open311 GeoReport v2 接口（JSON 或 XML）", "the Open311 GeoReport v2 interface (JSON or XML)"},
};

static bool has_tag(const char *t)
{
	for (size_t i = 0; i < sizeof tags / sizeof *tags; i++)
		if (!strcmp(tags[i].name, t))
			return true;
	return !strcmp(t, "{kind}");
}

static json_t *error_ref(const char *status)
{
	for (size_t i = 0; i < sizeof errors / sizeof *errors; i++)
		if (!strcmp(errors[i].status, status)) {
			char buf[128];
			snprintf(buf, sizeof buf, "#/components/responses/%s", errors[i].name);
			return json_pack("{s:s}", "$ref", buf);
		}
	return NULL;
}

static json_t *content(const char *types, json_t *schema)
{
	json_t *c = json_object();
	char buf[400];
	snprintf(buf, sizeof buf, "%s", types);
	char *save = NULL;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		json_object_set_new(c, t + strspn(t, " "), json_pack("{s:O}", "schema", schema));
	json_decref(schema);
	return c;
}

static json_t *binary(void)
{
	return json_pack("{s:s, s:s}", "type", "string", "format", "binary");
}

static json_t *param_ref(const char *id)
{
	char buf[128];
	snprintf(buf, sizeof buf, "#/components/parameters/%s", id);
	return json_pack("{s:s}", "$ref", buf);
}

/* Parameters whose type depends on the case kind are written in place;
 * the rest are components. */
static json_t *param_obj(struct gen *g, const struct param *p, const struct case_kind *k)
{
	bool path = !strcmp(p->in, "path");
	json_t *s = spec(g, p->type, k, NULL);
	return json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", p->name, "in", p->in, "required", path, "description",
			 p->doc, "schema", s);
}

static bool kind_dependent(const struct param *p)
{
	return strstr(p->type, "{kind}") != NULL;
}

static void add_params(struct gen *g, const struct route *rt, const char *pattern, const struct case_kind *k,
		       json_t *params)
{
	for (const char *p = strchr(pattern, '{'); p; p = strchr(p + 1, '{')) {
		char name[40];
		const char *end = strchr(p, '}');
		snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
		if (!strcmp(name, "kind"))
			continue;
		if (!strcmp(name, "action") && k) {
			json_t *s = json_pack("{s:s, s:[], s:{}, s:{}}", "type", "string", "enum", "x-enum-labels-zh",
					      "x-enum-labels-en");
			for (const struct case_action *a = k->actions; a->code; a++) {
				json_array_append_new(json_object_get(s, "enum"), json_string(a->code));
				json_object_set_new(json_object_get(s, "x-enum-labels-zh"), a->code,
						    json_string(a->zh));
				json_object_set_new(json_object_get(s, "x-enum-labels-en"), a->code,
						    json_string(a->en));
			}
			const struct param *ap = param_path("action");
			json_array_append_new(params,
					      json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", "action", "in", "path",
							"required", 1, "description", ap ? ap->doc : "", "schema", s));
			continue;
		}
		const struct param *pp = !strncmp(pattern, "/open311/", 9) && !strcmp(name, "id")
					     ? param_find("Open311Id")
					     : param_path(name);
		if (!pp) {
			problem(g, "%s: no path parameter {%s}", rt->pattern, name);
			continue;
		}
		json_array_append_new(params, kind_dependent(pp) ? param_obj(g, pp, k) : param_ref(pp->id));
	}
	char q[400];
	snprintf(q, sizeof q, "%s", rt->query ? rt->query : "");
	char *save = NULL;
	for (char *id = strtok_r(q, " ", &save); id; id = strtok_r(NULL, " ", &save)) {
		if (!strcmp(id, "{filters}")) {
			for (int i = 0; k && k->side && i < k->side->n; i++) {
				const struct field *f = case_kind_filter(k, k->side->f[i].name);
				if (!f)
					continue;
				json_t *s = json_pack("{s:s}", "type", "string");
				enum_from(s, f, k);
				json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:o, s:o}", "name", f->name,
									"in", "query", "required", 0, "description",
									bilingual(f->zh, f->en), "schema", s));
			}
			continue;
		}
		const struct param *p = param_find(id);
		if (!p || strcmp(p->in, "query") != 0) {
			problem(g, "%s: no query parameter %s", rt->pattern, id);
			continue;
		}
		json_array_append_new(params, kind_dependent(p) ? param_obj(g, p, k) : param_ref(p->id));
	}
}

static json_t *request_body(struct gen *g, const struct route *rt, const struct case_kind *k)
{
	char name[128], kn[64] = "";
	if (k)
		kind_name(k, kn, sizeof kn);
	const char *of = rt->body_of ? rt->body_of : "";
	switch (rt->body) {
	case BODY_NONE:
		return NULL;
	case BODY_CREATE:
	case BODY_UPDATE:
		if (!strcmp(of, "{kind}") && k) {
			snprintf(name, sizeof name, "%sCreate", kn);
		} else {
			if (!meta_entity(of))
				problem(g, "%s: body of unknown entity %s", rt->pattern, of);
			char en[64];
			camel(of, en, sizeof en);
			snprintf(name, sizeof name, "%s%s", en, rt->body == BODY_CREATE ? "Create" : "Update");
		}
		break;
	case BODY_ACTION:
		snprintf(name, sizeof name, "%sActionInput", kn);
		return json_pack("{s:b, s:o}", "required", 0, "content", content("application/json", ref(name)));
	case BODY_UPLOAD:
		return json_pack("{s:b, s:o}", "required", 1, "content", content(of, binary()));
	case BODY_SHAPE:
		resolve(g, of, k, name, sizeof name);
		break;
	}
	return json_pack("{s:b, s:o}", "required", 1, "content", content("application/json", ref(name)));
}

static json_t *success(struct gen *g, const struct route *rt, const struct case_kind *k)
{
	char name[128] = "Ok";
	if (rt->out != OUT_OK && rt->out != OUT_FILE)
		resolve(g, rt->out_of ? rt->out_of : "", k, name, sizeof name);
	const char *item = name;
	if (rt->out == OUT_PAGE || rt->out == OUT_ITEMS)
		item = wrapper(g, name, rt->out == OUT_PAGE);
	json_t *c = rt->out == OUT_FILE ? json_object() : content("application/json", ref(item));
	if (rt->out_alt) {
		json_t *alt = content(rt->out_alt, binary());
		json_object_update(c, alt);
		json_decref(alt);
	}
	json_t *ok = json_pack("{s:s, s:o}", "description", rt->status == 201 ? "已创建 / created" : "成功 / success",
			       "content", c);
	json_t *hs = json_object();
	char *ids = strdup(rt->headers ? rt->headers : ""), *save = NULL;
	for (char *id = strtok_r(ids, " ", &save); id; id = strtok_r(NULL, " ", &save)) {
		const struct resp_header *h = resp_header_find(id);
		if (!h) {
			problem(g, "%s: no response header %s", rt->pattern, id);
			continue;
		}
		json_object_set_new(
		    hs, h->name, json_pack("{s:s, s:o}", "description", h->doc, "schema", spec(g, h->type, k, NULL)));
	}
	free(ids);
	if (json_object_size(hs))
		json_object_set_new(ok, "headers", hs);
	else
		json_decref(hs);
	return ok;
}

static void operation_id(const char *method, const char *path, char *out, size_t cap)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", method);
	for (char *c = buf; *c; c++)
		*c = lower(*c);
	size_t n = strlen(buf);
	bool up = true;
	for (const char *p = path + 1; *p && n + 1 < sizeof buf; p++) {
		if (!isalnum((unsigned char)*p)) {
			up = true;
			continue;
		}
		buf[n++] = *p;
		if (up)
			buf[n - 1] = upper(*p);
		up = false;
	}
	buf[n] = 0;
	snprintf(out, cap, "%s", buf);
}

static void operation(struct gen *g, json_t *paths, const struct route *rt, const struct case_kind *k)
{
	char path[256], id[256];
	const char *kp = strstr(rt->pattern, "{kind}");
	if (kp && k)
		snprintf(path, sizeof path, "%.*s%s%s", (int)(kp - rt->pattern), rt->pattern, k->path, kp + 6);
	else
		snprintf(path, sizeof path, "%s", rt->pattern);
	if (!rt->zh || !rt->en || !*rt->zh || !*rt->en)
		problem(g, "%s %s has no summary", rt->method, rt->pattern);
	if (!rt->tag || !has_tag(rt->tag))
		problem(g, "%s: unknown tag %s", rt->pattern, rt->tag ? rt->tag : "(none)");
	operation_id(rt->method, path, id, sizeof id);
	json_t *op =
	    json_pack("{s:[s], s:o, s:s}", "tags", k && !strcmp(rt->tag ? rt->tag : "", "{kind}") ? k->path : rt->tag,
		      "summary", bilingual(rt->zh ? rt->zh : "", rt->en ? rt->en : ""), "operationId", id);
	if (rt->auth != AUTH_LOGIN)
		json_object_set_new(op, "security", json_array());
	if (rt->auth == AUTH_APIKEY)
		json_object_set_new(
		    op, "description",
		    json_string("提交需要 api_key 参数：一个 linli API 令牌（kind=api），诉求记在其账号的辖区内 / "
				"submitting needs the api_key parameter: a linli API token (kind api); the "
				"request is recorded in its account's area"));
	json_t *params = json_array();
	add_params(g, rt, rt->pattern, k, params);
	if (json_array_size(params))
		json_object_set(op, "parameters", params);
	json_decref(params);
	json_t *body = request_body(g, rt, k);
	if (body)
		json_object_set_new(op, "requestBody", body);
	json_t *resp = json_object();
	char st[8];
	snprintf(st, sizeof st, "%d", rt->status ? rt->status : 200);
	json_object_set_new(resp, st, success(g, rt, k));
	bool has_path = strchr(rt->pattern, '{') != NULL, write = strcmp(rt->method, "GET") != 0;
	bool any_param = has_path || rt->query || body;
	/* a node named in the query (node=, under=) that does not exist */
	bool names_node = rt->query && strstr(rt->query, "Node");
	const char *codes[16];
	int n = 0;
	if (any_param)
		codes[n++] = "400";
	/* public writes may still fail on their credentials (login) or the
	 * CSRF token of a session cookie they carry */
	if (rt->auth != AUTH_PUBLIC || write)
		codes[n++] = "401", codes[n++] = "403";
	if (has_path || names_node)
		codes[n++] = "404";
	codes[n++] = "405";
	if (write)
		codes[n++] = "409";
	if (body)
		codes[n++] = "413", codes[n++] = "415";
	codes[n++] = "429", codes[n++] = "500", codes[n++] = "503";
	for (int i = 0; i < n; i++)
		json_object_set_new(resp, codes[i], error_ref(codes[i]));
	if (rt->body == BODY_UPLOAD && strstr(rt->body_of ? rt->body_of : "", "csv"))
		json_object_set_new(resp, "422",
				    json_pack("{s:s, s:{s:{s:o}}}", "description",
					      "有错误行，未导入任何数据 / bad rows; nothing was imported", "content",
					      "application/json", "schema", ref("ImportError")));
	json_object_set_new(op, "responses", resp);
	json_t *item = json_object_get(paths, path);
	if (!item)
		json_object_set_new(paths, path, item = json_object());
	char m[8];
	snprintf(m, sizeof m, "%s", rt->method);
	for (char *c = m; *c; c++)
		*c = lower(*c);
	if (json_object_get(item, m))
		problem(g, "%s %s is there twice", rt->method, path);
	json_object_set_new(item, m, op);
}

/* ------------------------------------------------------------ document */

static const char info_doc[] =
    "邻里（linli）是面向城市社区基层治理的服务：从街道、社区、网格到楼栋、户和居民的组织树与人口台账，任职与公示联系方"
    "式，挂在节点上的组织，统计，批量导入导出，以及审计。本文档描述 `/api/v1/` 下的JSON接口。\n"
    "\n"
    "**认证**：用 `POST /api/v1/auth/login` 登录。API客户端使用返回的令牌：`Authorization: Bearer "
    "<64位十六进制>`。浏览器使用登录时设置的 HttpOnly Cookie "
    "`linli_session`；用Cookie认证的写请求（GET以外的方法）必须带 `X-CSRF-Token` 头，值为登录返回的 "
    "`csrf_token`，否则403（code=csrf）。除标明无需登录的接口外都需要认证，否则401。\n"
    "\n"
    "**权限**"
    "：权限（viewer查看、worker录入、officer干部、manager管理）授予某个节点，覆盖其全部下级；现任职务也带来权限（如网格"
    "员在其网格有录入权限）。管理员在所有节点都有管理权限。超出范围为403。\n"
    "\n"
    "**个人信息**：身份证号和电话加密存储，响应中默认脱敏（430302********1234、138****5678）；`reveal=1` "
    "需要干部权限，且每次都记入审计。\n"
    "\n"
    "**请求与错误**：请求体为 "
    "`application/json`（否则415），未知字段、只读字段一律拒绝（400）。未知查询参数400。所有错误的格式都是 "
    "`{\"error\":{\"code\",\"message\",\"field\"}}`，message 中文在前、英文在后。\n"
    "\n"
    "**分页**：列表返回 `{\"items\":[…],\"next_cursor\":…}`。`next_cursor` 不为null时，把它原样作为 `cursor` "
    "参数取下一页；游标是不透明的字符串，不要自行构造。`limit` 控制每页条数。带筛选条件的一页只查看有限的行数，"
    "所以可能少于 `limit` 条（甚至为空）而 `next_cursor` 仍不为null：直到 `next_cursor` 为null才算取完。\n"
    "\n"
    "**限流**：已登录的请求按账号、其他请求按客户端地址（IPv6按/64）计，默认各每分钟6000个（429，Retry-After）；"
    "登录每分钟20次。数据库繁忙时503（Retry-After: "
    "1）。请求地址（路径和查询）最多32768字节、100个查询参数（否则414，code=uri_too_long）；请求头最多100个、共32 "
    "KiB（否则431，code=headers_too_large）。经可信代理（--trusted-proxy）时，客户端地址取 X-Forwarded-For "
    "中最右边的非代理地址。\n"
    "\n"
    "**民情诉求**：居民反映的问题按类别落到最低的有人任职的层级办理（`/api/v1/"
    "requests`），超时自动上报；每一步记入时间线，通知反映人，并可签名推送到群机器人等外部地址（`/api/v1/"
    "webhooks`）。\n"
    "\n"
    "---\n"
    "\n"
    "linli serves grassroots governance of urban neighbourhoods: the tree of places from the street office and "
    "community down to grids, buildings, households and residents, with the population register, civic roles and their "
    "published contacts, organisations attached to nodes, statistics, bulk import and export, and an audit trail. This "
    "document describes the JSON API under `/api/v1/`.\n"
    "\n"
    "**Authentication**: log in with `POST /api/v1/auth/login`. API clients send the returned token as `Authorization: "
    "Bearer <64 hex digits>`. Browsers use the HttpOnly cookie `linli_session` set at login; cookie-authenticated "
    "writes (any method but GET) must carry the `X-CSRF-Token` header with the `csrf_token` returned at login, else "
    "403 (code csrf). Every endpoint not marked public needs authentication, else 401.\n"
    "\n"
    "**Access**: access levels (viewer, worker, officer, manager) are granted at a node and reach its whole subtree; "
    "current civic roles imply access too (a grid worker may register residents in the grid). Administrators have "
    "manager access everywhere. Outside one's area is 403.\n"
    "\n"
    "**Personal data**: ID-card and phone numbers are stored encrypted and masked in responses (430302********1234, "
    "138****5678); `reveal=1` needs officer access and every reveal is audited.\n"
    "\n"
    "**Requests and errors**: bodies are `application/json` (else 415); unknown and read-only fields are rejected "
    "(400), as are unknown query parameters. Every error is `{\"error\":{\"code\",\"message\",\"field\"}}` with the "
    "message in Chinese, then English.\n"
    "\n"
    "**Paging**: lists answer `{\"items\":[…],\"next_cursor\":…}`. When `next_cursor` is not null, pass it unchanged "
    "as the `cursor` parameter for the next page; cursors are opaque, do not build them yourself. `limit` sets the "
    "page size. A filtered page reads a bounded number of rows, so it may hold fewer than `limit` items (even none) "
    "while `next_cursor` is not null: the list has ended only when `next_cursor` is null.\n"
    "\n"
    "**Rate limits**: logged-in requests are counted per account, others per client address (an IPv6 client by its "
    "/64), 6000 per minute each by default (429 with Retry-After); 20 logins per minute. A busy database answers 503 "
    "(Retry-After: 1). A request's URI (path and query) has at most 32768 bytes "
    "and 100 query parameters (else 414, code uri_too_long); its headers at most 100 lines and 32 KiB (else 431, "
    "code headers_too_large). Behind a trusted proxy (--trusted-proxy) the client address is the rightmost "
    "X-Forwarded-For hop that is not a proxy.\n"
    "\n"
    "**Residents' requests**: problems residents report land at the lowest staffed level their category allows "
    "(`/api/v1/requests`) and escalate when their time limit passes; every step is on the timeline, notifies the "
    "reporter, and can be pushed, signed, to group-chat robots and other systems (`/api/v1/webhooks`).";

static json_t *components(struct gen *g)
{
	json_t *params = json_object(), *resp = json_object();
	for (int i = 0; i < api_param_count; i++)
		if (!kind_dependent(&api_params[i]) && strcmp(api_params[i].id, "Action") != 0)
			json_object_set_new(params, api_params[i].id, param_obj(g, &api_params[i], NULL));
	for (size_t i = 0; i < sizeof errors / sizeof *errors; i++)
		json_object_set_new(resp, errors[i].name,
				    json_pack("{s:s, s:{s:{s:o, s:{s:{s:s, s:s, s:s?}}}}}", "description",
					      errors[i].doc, "content", "application/json", "schema", ref("Error"),
					      "example", "error", "code", errors[i].code, "message", errors[i].msg,
					      "field", errors[i].field));
	json_t *sec = json_pack(
	    "{s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}}", "bearerAuth", "type", "http", "scheme", "bearer",
	    "bearerFormat", "64位十六进制 / 64 hex digits", "description",
	    "`Authorization: Bearer <token>`，令牌为登录返回的64位十六进制（kind=session 12小时，kind=api 1年）。 / "
	    "`Authorization: Bearer <token>` with the 64-hex-digit token from login (kind session: 12 hours; kind api: "
	    "1 year).",
	    "cookieAuth", "type", "apiKey", "in", "cookie", "name", "linli_session", "description",
	    "登录（kind=session）时设置的 HttpOnly、SameSite=Strict 会话Cookie。用它认证的写请求（GET以外）必须带 "
	    "`X-CSRF-Token: <登录返回的csrf_token>`，否则403（code=csrf）。同时带 Authorization: Bearer "
	    "时以Bearer为准。 / The HttpOnly, SameSite=Strict session cookie set at login (kind session). Writes "
	    "authenticated by it (any method but GET) must send `X-CSRF-Token: <csrf_token from login>`, else 403 "
	    "(code csrf). An Authorization: Bearer header takes precedence over the cookie.");
	return json_pack("{s:o, s:o, s:o, s:O}", "securitySchemes", sec, "parameters", params, "responses", resp,
			 "schemas", g->schemas);
}

static json_t *build(struct gen *g)
{
	g->schemas = json_object();
	json_object_set_new(g->schemas, "Ok",
			    json_pack("{s:s, s:[s], s:{s:{s:s, s:[b]}}}", "type", "object", "required", "ok",
				      "properties", "ok", "type", "boolean", "enum", 1));
	const struct entity *e;
	for (int i = 0; (e = meta_entity_at(i)); i++) {
		bool side = !strcmp(e->name, "case");
		for (int k = 0; case_kinds[k]; k++)
			side = side || case_kinds[k]->side == e;
		if (!side)
			entity_schemas(g, e);
	}
	for (int k = 0; case_kinds[k]; k++)
		kind_schemas(g, case_kinds[k]);
	for (int i = 0; i < api_shape_count; i++) {
		const char *n = api_shapes[i].name;
		if (strncmp(n, "{Kind}", 6) != 0 && strcmp(n, "{kind}") != 0 && !meta_entity(n))
			shape_schema(g, &api_shapes[i], NULL, n);
	}
	json_t *paths = json_object();
	for (size_t i = 0; i < api_route_count; i++) {
		const struct route *rt = &api_routes[i];
		if (strstr(rt->pattern, "{kind}"))
			for (int k = 0; case_kinds[k]; k++)
				operation(g, paths, rt, case_kinds[k]);
		else
			operation(g, paths, rt, NULL);
	}
	json_t *tl = json_array();
	for (size_t i = 0; i < sizeof tags / sizeof *tags; i++)
		json_array_append_new(tl, json_pack("{s:s, s:o}", "name", tags[i].name, "description",
						    bilingual(tags[i].zh, tags[i].en)));
	for (int k = 0; case_kinds[k]; k++)
		if (!has_tag(case_kinds[k]->path))
			json_array_append_new(tl, json_pack("{s:s, s:o}", "name", case_kinds[k]->path, "description",
							    bilingual(case_kinds[k]->zh, case_kinds[k]->en)));
	json_t *doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s, s:s}], s:[{s:[]}, {s:[]}], s:o, s:o}", "openapi",
				"3.0.3", "info", "title", "linli 邻里 API", "version", "1.0.0", "description", info_doc,
				"servers", "url", "/", "description", "本服务 / this server", "security", "bearerAuth",
				"cookieAuth", "tags", tl, "paths", paths);
	json_object_set_new(doc, "components", components(g));
	json_decref(g->schemas);
	return doc;
}

json_t *openapi_document(void)
{
	struct gen g = {0};
	return build(&g);
}

int openapi_check(char *why, size_t cap)
{
	struct gen g = {0};
	json_decref(build(&g));
	snprintf(why, cap, "%s", g.why);
	return g.why[0] ? -1 : 0;
}

static char *text;
static size_t text_len;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void make_text(void)
{
	json_t *doc = openapi_document();
	char *s = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (!s)
		return;
	text_len = strlen(s) + 1;
	text = malloc(text_len + 1);
	if (text) {
		memcpy(text, s, text_len - 1);
		text[text_len - 1] = '\n';
		text[text_len] = 0;
	}
	free(s);
}

const char *openapi_text(size_t *len)
{
	pthread_once(&once, make_text);
	*len = text ? text_len : 0;
	return text;
}
