/*
 * fields.h — each entity's fields described once, in a static table.
 *
 * The table drives: validation of input (types, lengths, enums, dates,
 * unknown keys), SQL column lists and binding, records as JSON values,
 * import column matching (English key or Chinese label) and export
 * headers, and masking of personal data. jansson values are the domain's
 * record type; HTTP concerns stay in api/.
 * Thread-safety: tables are read-only.
 */
#ifndef LINLI_FIELDS_H
#define LINLI_FIELDS_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/core/ctx.h"
struct store_stmt;

/* FT_REAL: a number within ±max; FT_LIST: an array of at most max items,
 * whose items the code that takes it checks (e.g. organisations in a
 * handover). FT_CODE: an enumeration kept as data: the code of an active
 * row of a table (columns code, name_zh, name_en, active; FIELD_SOURCE),
 * so deployments add values without a release (organisation kinds …). */
enum ftype {
	FT_TEXT,
	FT_INT,
	FT_DATE,
	FT_ENUM,
	FT_BOOL,
	FT_TAGS,
	FT_PII_ID,
	FT_PII_PHONE,
	FT_REF,
	FT_REAL,
	FT_LIST,
	FT_CODE
};

enum {
	FF_REQUIRED = 1,   /* must be present on create */
	FF_READONLY = 2,   /* produced by the system; rejected in input */
	FF_NOUPDATE = 4,   /* set on create; changed only by a dedicated action */
	FF_NOEXPORT = 8,   /* not a 台账 column */
	FF_NOTNULL = 16,   /* may be omitted, but not set to null */
	FF_MULTILINE = 32, /* text may hold line breaks and tabs */
	FF_TRIM = 64,      /* blanks around text are dropped; an optional blank text counts as absent */
	FF_SECRET = 128,   /* stored and selected, never in a record or a description (a token) */
	FF_SLUG = 256,     /* a slug (a code people type): lowercase letters a-z, digits and _ */
	/* A name (a person's, an account's, a place's, a tag): besides the
	 * control characters every text refuses, no bidi controls and no
	 * invisible characters (base/textnorm.h). */
	FF_NAME = 1 << 12,
	/* Personal data shown in clear from the editing view up (FV_EDIT);
	 * below it masked by its type's rule: a date keeps its year
	 * (1944-**-**). ID-card and phone numbers (FT_PII_*) are always
	 * personal and clear only in FV_FULL. */
	FF_PERSONAL = 1 << 13
};

/* How much personal data a record shows; each field's mask rule (type and
 * FF_PERSONAL) says what it shows in each:
 *   FV_MASKED  viewers, residents, masked exports and every audit snapshot:
 *              ID 430302************, phone 138****5678, birth 1944-**-**;
 *   FV_EDIT    workers and officers, who register and edit people: dates
 *              in clear, ID-card and phone numbers masked as above;
 *   FV_FULL    a reveal (officer access, audited): everything. */
enum fields_view { FV_MASKED, FV_EDIT, FV_FULL };

struct enum_val {
	const char *code, *zh, *en;
};

struct field {
	const char *name; /* JSON key; column name (PII: name_enc, name_hash) */
	enum ftype type;
	unsigned flags;
	int max;                     /* characters for text, upper bound for int */
	const struct enum_val *vals; /* FT_ENUM: terminated by {0}; FT_CODE: FIELD_SOURCE */
	const char *zh, *en;
};

/* The vals of an FT_CODE field: one entry whose code names the table of
 * allowed codes, e.g. FIELD_SOURCE("org_kinds"). */
#define FIELD_SOURCE(table) ((const struct enum_val[]){{(table), 0, 0}, {0}})

struct entity {
	const char *name, *table;
	const struct field *f;
	int n;
	const char *key; /* the column that names a row when it is not `id` (a code): fields_upsert */
	/* Input beyond the table's columns, kept by the entity's own code (an
	 * organisation kind's allowed roles): validated and described with the
	 * fields (fields_validate, meta, OpenAPI), never selected or written
	 * by fields_*. */
	const struct field *extra;
	int nextra;
};

/* An entity over a static field table; a keyed one names its rows by a
 * code column (fields_upsert). */
#define ENTITY(name_, table_, fields_)                                                                                 \
	{                                                                                                              \
		.name = (name_), .table = (table_), .f = (fields_), .n = (int)(sizeof(fields_) / sizeof((fields_)[0])) \
	}
#define ENTITY_KEYED(name_, table_, fields_, key_)                                                                     \
	{                                                                                                              \
		.name = (name_), .table = (table_), .f = (fields_),                                                    \
		.n = (int)(sizeof(fields_) / sizeof((fields_)[0])), .key = (key_)                                      \
	}

extern const struct entity ENT_NODE, ENT_HOUSEHOLD, ENT_PERSON, ENT_ROLE, ENT_ORG, ENT_USER, ENT_NODE_KIND;
extern const struct entity ENT_ORG_KIND, ENT_ORG_MEMBER_ROLE, ENT_ORG_MEMBER;

const struct field *fields_find(const struct entity *ent, const char *key);
/* Validates obj against the table (create: required fields present).
 * Normalises PII values in place to canonical form. FT_CODE values are
 * checked for shape only; fields_check_codes checks them against the data. */
int fields_validate(const struct entity *ent, json_t *obj, bool create, struct err *e);
/* Every FT_CODE value present in obj must be the code of an active row of
 * its source table; else ERR_INVALID naming the field. */
int fields_check_codes(const struct ctx *c, const struct entity *ent, json_t *obj, struct err *e);
/* The Chinese name of an FT_CODE value (for 台账 files), or code itself
 * when the data has no such row. */
const char *fields_code_label(const struct ctx *c, const struct field *f, const char *code);
/* Turns an import row (header labels in Chinese or English, enum values as
 * codes or Chinese labels) into an object; *out is a new reference. */
int fields_from_cells(const struct entity *ent, int n, const char *const *head, const char *const *cells, json_t **out,
		      struct err *e);
/* Comma-separated column list for SELECT, in table order (PII: *_enc). */
const char *fields_select(const struct entity *ent, struct arena *a);
/* Reads the row (columns from fields_select starting at col) into a new
 * object, personal data as the view shows it (fields_view above). */
json_t *fields_row_view(const struct entity *ent, struct store_stmt *st, int col, const struct ctx *c,
			enum fields_view view);
/* fields_row_view with FV_FULL when reveal, else FV_MASKED. */
json_t *fields_row(const struct entity *ent, struct store_stmt *st, int col, const struct ctx *c, bool reveal);
/* The view of a reader with this access where the record is (never
 * FV_FULL: a reveal is asked for, checked and audited by its caller). */
enum fields_view fields_view_for(enum access a);
/* A date as FV_MASKED shows it (its year: 1944-**-**), in the arena. */
const char *fields_mask_date(const char *date, struct arena *a);
/* Inserts (update_id == 0) or updates row update_id with every writable
 * field present in obj, plus the columns of `internal` (column -> value,
 * written as is; may be NULL). PII is encrypted and hashed here. */
int fields_write(const struct ctx *c, const struct entity *ent, json_t *obj, json_t *internal, int64_t update_id,
		 int64_t *new_id, struct err *e);
/* Inserts the row, or where a row with its key (ent->key) exists, updates
 * the present fields that may change (not FF_NOUPDATE). For tables of
 * codes configured by administrators (node kinds, categories). */
int fields_upsert(const struct ctx *c, const struct entity *ent, json_t *obj, json_t *internal, struct err *e);
const char *enum_label(const struct enum_val *v, const char *code);
/* The fields as clients need them to build a form: name, type, required,
 * read-only, limit, labels, enum values with their labels; multiline,
 * create_only and not_null when they hold (a new array). An FT_CODE field
 * is an "enum" whose values come from the data: "source" names its table
 * and the caller adds the "values" that apply (as org_members_form does
 * with the roles a kind allows). */
json_t *fields_describe(const struct field *f, int n);
/* Validates obj against a bare field table (action inputs): as
 * fields_validate, with every FF_REQUIRED field required. */
int fields_check(const struct field *f, int n, json_t *obj, struct err *e);

#endif
