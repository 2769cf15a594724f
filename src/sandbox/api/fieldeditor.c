/*
 * fieldeditor: custom fields and their sections (REFERENCE-MORE §M5), on
 * /1/objects/fieldeditor (objectID) and every named plural (/1/Contacts/fieldeditor).
 *
 *   GET     all sections keyed by id; `section=<name>` one section; `field=<fNNNN>` one field
 *   POST    name (section, created when missing), fields (1-3 columns of
 *           {alias, type, required, unique, options}), description:
 *           {"success": {"f1500": "<alias>"}, "error": [] or {"<alias>": "<why>"}}
 *   PUT     the same; the section must exist; fields matched by `field`, `id` or
 *           alias (any case) are changed (drop/list options {add|remove|replace:[...]}),
 *           the others created
 *   DELETE  section=<name> (must be empty) or field=<fNNNN>: "Deleted"
 *
 * A field is a column of the type's table (sbx_store_add_field), so it is in
 * the meta at once and records take it. Where the editor shows it (its id,
 * section and column) is in sbx_field_layout; the sections in sbx_sections.
 * A type's built-in fields get a layout the first time the editor looks at the
 * type: one section "<Name> Information", ids from 1 in display order. New
 * fields are f<N> with id N, one counter for the account from 1500.
 * Choices the reference leaves open are in docs/sandbox.md (UNCONFIRMED).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_routes.h"
#include "util.h"
#include "banned.h"

#define FE_COLUMNS 3        /* a section has at most 3 columns (§M5.2) */
#define FE_FIELDS_MAX 100   /* field definitions in one request */
#define FE_OPTIONS_MAX 1000 /* options of one drop/list field */
#define FE_TEXT_MAX 255     /* an alias, a section name, an option label */
#define FE_FIRST_FIELD 1500 /* the first custom field's number (§M5.3) */

static const sbx_ftype creatable[] = {
    SBX_FT_TEXT,     SBX_FT_LONGTEXT, SBX_FT_EMAIL, SBX_FT_PHONE,   SBX_FT_SMS,
    SBX_FT_NUMERIC,  SBX_FT_PRICE,    SBX_FT_CHECK, SBX_FT_DROP,    SBX_FT_LIST,
    SBX_FT_FULLDATE, SBX_FT_COUNTRY,  SBX_FT_STATE, SBX_FT_ADDRESS,
};

static int type_creatable(const char *s)
{
	int t = sbx_ftype_parse(s);
	size_t i;

	for (i = 0; t >= 0 && i < sizeof creatable / sizeof *creatable; i++)
		if (creatable[i] == (sbx_ftype)t)
			return t;
	return -1;
}

/* ---- SQL ---- */

/* Run sql with int64 arguments a (n of them) and an optional text last argument. */
static int exec_args(sbx_store *st, const char *sql, const long long *a, int n, const char *text,
                     sbx_err *e)
{
	sqlite3_stmt *s = sbx_store_prepare(st, sql, e);
	int i, rc;

	if (!s)
		return -1;
	for (i = 0; i < n; i++)
		sqlite3_bind_int64(s, i + 1, a[i]);
	if (text)
		sqlite3_bind_text(s, n + 1, text, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sbx_store_done(st, s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sbx_err_set(e, 500, "Internal Server Error: %s",
		                   sqlite3_errmsg(sbx_store_db(st)));
	return 0;
}

/* One integer from sql (same arguments as exec_args); dflt when no row. */
static int query_ll(sbx_store *st, const char *sql, const long long *a, int n, const char *text,
                    long long dflt, long long *out, sbx_err *e)
{
	sqlite3_stmt *s = sbx_store_prepare(st, sql, e);
	int i, rc;

	if (!s)
		return -1;
	for (i = 0; i < n; i++)
		sqlite3_bind_int64(s, i + 1, a[i]);
	if (text)
		sqlite3_bind_text(s, n + 1, text, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL
	           ? sqlite3_column_int64(s, 0)
	           : dflt;
	sbx_store_done(st, s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sbx_err_set(e, 500, "Internal Server Error: %s",
		                   sqlite3_errmsg(sbx_store_db(st)));
	return 0;
}

/* The built-in fields' layout, once per type (see the top of the file). */
static int ensure_layout(sbx_store *st, long long tid, sbx_err *e)
{
	const sbx_otype *t = sbx_store_type(st, tid);
	long long n, a[4];
	char name[300];
	size_t i;

	a[0] = tid;
	if (query_ll(st, "SELECT count(*) FROM sbx_sections WHERE type_id=?", a, 1, NULL, 0, &n,
	             e) < 0)
		return -1;
	if (n > 0 || !t)
		return 0;
	snprintf(name, sizeof name, "%s Information", t->name);
	a[1] = 1;
	if (exec_args(st, "INSERT INTO sbx_sections (type_id,id,name) VALUES (?,?,?)", a, 2, name,
	              e) < 0)
		return -1;
	for (i = 0; i < t->nfields; i++) {
		a[1] = (long long)i + 1;
		a[2] = 1;
		a[3] = 0;
		if (exec_args(
		        st,
		        "INSERT OR IGNORE INTO sbx_field_layout (type_id,fid,section_id,col,name)"
		        " VALUES (?,?,?,?,?)",
		        a, 4, t->fields[i].name, e) < 0)
			return -1;
	}
	return 0;
}

/* The id of t's section called name (any case), or 0. */
static int section_id(sbx_store *st, long long tid, const char *name, long long *out, sbx_err *e)
{
	long long a[1] = {tid};

	return query_ll(st, "SELECT id FROM sbx_sections WHERE type_id=? AND name=?", a, 1, name, 0,
	                out, e);
}

/* The editor's id of field `name`, or 0. */
static int field_fid(sbx_store *st, long long tid, const char *name, long long *out, sbx_err *e)
{
	long long a[1] = {tid};

	return query_ll(st, "SELECT fid FROM sbx_field_layout WHERE type_id=? AND name=?", a, 1,
	                name, 0, out, e);
}

/* The next custom field number (one counter for the account). */
static int next_field(sbx_store *st, long long *out, sbx_err *e)
{
	long long a[1] = {FE_FIRST_FIELD};

	if (query_ll(st, "SELECT CAST(value AS INTEGER) FROM sbx_meta WHERE key='next_field'", a, 0,
	             NULL, FE_FIRST_FIELD, out, e) < 0)
		return -1;
	a[0] = *out + 1;
	return exec_args(st, "INSERT OR REPLACE INTO sbx_meta (key,value) VALUES ('next_field',?)",
	                 a, 1, NULL, e);
}

/* ---- JSON ---- */

/* {id, alias, field, type, required, unique, editable, deletable, options} (§M5.2). */
static json_t *field_json(const sbx_field *f, long long fid)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:o}", "id", (json_int_t)fid,
	                 "alias", f->alias, "field", f->name, "type", sbx_ftype_name(f->type),
	                 "required", !!(f->flags & SBX_F_REQUIRED), "unique",
	                 !!(f->flags & SBX_F_UNIQUE), "editable", !!(f->flags & SBX_F_EDITABLE),
	                 "deletable", !!(f->flags & SBX_F_DELETABLE), "options",
	                 f->options ? json_deep_copy(f->options) : json_string(""));
}

/* {id, name, description, fields: [[...], ...]} with the columns in use (at least one). */
static json_t *section_json(sbx_store *st, const sbx_otype *t, sqlite3_stmt *sec, sbx_err *e)
{
	long long sid = sqlite3_column_int64(sec, 0);
	const char *desc = (const char *)sqlite3_column_text(sec, 2);
	json_t *cols = json_pack("[[]]"), *o;
	sqlite3_stmt *s;

	o = json_pack("{s:I, s:s, s:o, s:o}", "id", (json_int_t)sid, "name",
	              (const char *)sqlite3_column_text(sec, 1), "description",
	              desc ? json_string(desc) : json_null(), "fields", cols);
	s = o ? sbx_store_prepare(st,
	                          "SELECT name,fid,col FROM sbx_field_layout WHERE type_id=? AND "
	                          "section_id=? ORDER BY col,fid",
	                          e)
	      : NULL;
	if (!s) {
		json_decref(o);
		return NULL;
	}
	sqlite3_bind_int64(s, 1, t->id);
	sqlite3_bind_int64(s, 2, sid);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const sbx_field *f = sbx_otype_field(t, (const char *)sqlite3_column_text(s, 0));
		size_t col = (size_t)sqlite3_column_int64(s, 2);
		if (!f || col >= FE_COLUMNS)
			continue;
		while (json_array_size(cols) <= col)
			json_array_append_new(cols, json_array());
		json_array_append_new(json_array_get(cols, col),
		                      field_json(f, sqlite3_column_int64(s, 1)));
	}
	sbx_store_done(st, s);
	return o;
}

/* Every section of t (only the one called `only` when not NULL), keyed by id. */
static json_t *sections_json(sbx_store *st, const sbx_otype *t, const char *only, sbx_err *e)
{
	sqlite3_stmt *s = sbx_store_prepare(
	    st, "SELECT id,name,description FROM sbx_sections WHERE type_id=? ORDER BY id", e);
	json_t *all = json_object(), *one = NULL;

	if (!s || !all) {
		if (s)
			sbx_store_done(st, s);
		json_decref(all);
		return NULL;
	}
	sqlite3_bind_int64(s, 1, t->id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 1);
		char key[32];
		if (only && !util_strieq(name, only))
			continue;
		snprintf(key, sizeof key, "%lld", sqlite3_column_int64(s, 0));
		json_object_set_new(all, key, section_json(st, t, s, e));
		if (only)
			one = json_incref(json_object_get(all, key));
	}
	sbx_store_done(st, s);
	if (only) {
		json_decref(all);
		return one;
	}
	return all;
}

/* ---- GET ---- */

static void fe_get(sbx_call *c)
{
	sbx_store *st = c->ctx->store;
	const sbx_otype *t;
	const char *section = NULL, *field = NULL;
	sbx_err e = SBX_ERR_INIT;
	char shown[80];
	json_t *data;
	long long fid;

	if (sbx_call_otype(c, &t) < 0 || sbx_arg_str(c, "section", SBX_OPTIONAL, &section) < 0 ||
	    sbx_arg_str(c, "field", SBX_OPTIONAL, &field) < 0)
		return;
	if (ensure_layout(st, t->id, &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	if (field && *field) {
		const sbx_field *f = sbx_otype_field(t, field);
		if (!f || field_fid(st, t->id, field, &fid, &e) < 0 || !fid) {
			if (e.status)
				sbx_fail_err(c, &e);
			else
				sbx_fail(c, 404, "Field '%s' not found",
				         sbx_clip(field, shown, sizeof shown));
			return;
		}
		sbx_reply(c, field_json(f, fid));
		return;
	}
	data = sections_json(st, t, section && *section ? section : NULL, &e);
	if (!data && e.status)
		sbx_fail_err(c, &e);
	else if (!data)
		sbx_fail(c, 404, "Section '%s' not found", sbx_clip(section, shown, sizeof shown));
	else
		sbx_reply(c, data);
}

/* ---- field definitions ---- */

/* 0/1 from 0, 1, "0", "1", true, false, absent (0). -1 for anything else. */
static int def_flag(json_t *def, const char *key)
{
	json_t *v = json_object_get(def, key);
	const char *s = json_string_value(v);

	if (!v || json_is_null(v) || json_is_false(v) ||
	    (json_is_integer(v) && !json_integer_value(v)))
		return 0;
	if (json_is_true(v) || (json_is_integer(v) && json_integer_value(v) == 1))
		return 1;
	if (s && (!strcmp(s, "0") || !*s))
		return 0;
	if (s && !strcmp(s, "1"))
		return 1;
	return -1;
}

/* The labels of ops[key] (an array of strings) or NULL; *bad set when malformed. */
static json_t *op_labels(json_t *ops, const char *key, int *bad)
{
	json_t *a = json_object_get(ops, key), *v;
	size_t i;

	if (!a || json_is_null(a))
		return NULL;
	if (!json_is_array(a) || json_array_size(a) > FE_OPTIONS_MAX) {
		*bad = 1;
		return NULL;
	}
	json_array_foreach(a, i, v)
	{
		const char *s = json_string_value(v);
		if (!s || !*s || strlen(s) > FE_TEXT_MAX)
			*bad = 1;
	}
	return a;
}

static const char *label_id(json_t *opts, const char *label)
{
	const char *k;
	json_t *v;

	json_object_foreach(opts, k, v) if (json_is_string(v) &&
	                                    !strcmp(json_string_value(v), label)) return k;
	return NULL;
}

static long long max_option_id(json_t *opts)
{
	long long max = 0, id;
	const char *k;
	json_t *v;

	json_object_foreach(opts, k, v) if (util_parse_ll(k, 0, 1LL << 40, &id) == 0 && id > max)
	    max = id;
	(void)v;
	return max;
}

/* Add label to out with its id in cur (or the next id after next). */
static void put_option(json_t *out, json_t *cur, const char *label, long long *next)
{
	const char *id = cur ? label_id(cur, label) : NULL;
	char key[32];

	if (label_id(out, label))
		return;
	if (id) {
		json_object_set_new(out, id, json_string(label));
		return;
	}
	snprintf(key, sizeof key, "%lld", ++*next);
	json_object_set_new(out, key, json_string(label));
}

/*
 * The options after the operations in ops ({replace|add|remove: [labels]},
 * applied in that order) on cur (NULL: none yet), as new JSON text; NULL
 * with why set when ops are malformed. Labels kept keep their ids; new ones
 * get ids after the highest ever given to this field's options.
 */
static char *apply_options(json_t *cur, json_t *ops, const char **why)
{
	int bad = 0;
	json_t *rep = op_labels(ops, "replace", &bad), *add = op_labels(ops, "add", &bad);
	json_t *rem = op_labels(ops, "remove", &bad), *out, *v;
	long long next = cur ? max_option_id(cur) : 0;
	const char *k;
	char *text;
	size_t i;

	if (bad || (ops && !json_is_object(ops))) {
		*why = "options must be {\"add\"|\"remove\"|\"replace\": [labels]}";
		return NULL;
	}
	out = rep || !cur ? json_object() : json_deep_copy(cur);
	json_array_foreach(rep, i, v) put_option(out, cur, json_string_value(v), &next);
	json_array_foreach(add, i, v) put_option(out, cur, json_string_value(v), &next);
	json_array_foreach(rem, i, v)
	{
		k = label_id(out, json_string_value(v));
		if (k)
			json_object_del(out, k);
	}
	if (json_object_size(out) > FE_OPTIONS_MAX) {
		json_decref(out);
		*why = "too many options";
		return NULL;
	}
	text = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	return text;
}

/* An alias no other field of t has (any case); else why. */
static int alias_free(const sbx_otype *t, const char *alias, const char *except)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		if (util_strieq(t->fields[i].alias, alias) &&
		    (!except || strcmp(t->fields[i].name, except)))
			return 0;
	return 1;
}

/* The result of one definition: success[field] = alias, or error[key] = why. */
typedef struct fe_result {
	json_t *success, *error;
} fe_result;

__attribute__((format(printf, 3, 4))) static void fe_error(fe_result *r, const char *key,
                                                           const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_object_set_new(r->error, key && *key ? key : "alias", json_string(msg));
}

/* Create a field from def in section sid, column col. -1 only when e is set (500). */
static int create_field(sbx_store *st, long long tid, const char *section, long long sid, int col,
                        json_t *def, fe_result *r, sbx_err *e)
{
	const sbx_otype *t = sbx_store_type(st, tid);
	const char *alias = json_string_value(json_object_get(def, "alias"));
	const char *type = json_string_value(json_object_get(def, "type"));
	json_t *ops = json_object_get(def, "options");
	int req = def_flag(def, "required"), uniq = def_flag(def, "unique"), ft;
	const char *why = NULL;
	char *opts = NULL, name[32];
	long long n, a[4];
	sbx_field_def d;
	int rc;

	if (!alias || !*alias || strlen(alias) > FE_TEXT_MAX)
		return fe_error(r, alias, "a field needs an alias of 1 to 255 characters"), 0;
	if ((ft = type_creatable(type)) < 0)
		return fe_error(
		           r, alias,
		           "Invalid type '%.32s': expected text, longtext, email, phone, sms, "
		           "numeric, price, check, drop, list, fulldate, country, state or address",
		           type ? type : ""),
		       0;
	if (req < 0 || uniq < 0)
		return fe_error(r, alias, "required and unique must be 0 or 1"), 0;
	if (!alias_free(t, alias, NULL))
		return fe_error(r, alias, "A field named '%.64s' already exists", alias), 0;
	if (ops && !json_is_null(ops) && ft != SBX_FT_DROP && ft != SBX_FT_LIST)
		return fe_error(r, alias, "options are only for drop and list fields"), 0;
	if ((ft == SBX_FT_DROP || ft == SBX_FT_LIST) &&
	    !(opts = apply_options(NULL, json_is_null(ops) ? NULL : ops, &why)))
		return fe_error(r, alias, "%s", why ? why : "out of memory"), 0;
	if (next_field(st, &n, e) < 0) {
		free(opts);
		return -1;
	}
	snprintf(name, sizeof name, "f%lld", n);
	d = (sbx_field_def){name,
	                    alias,
	                    (sbx_ftype)ft,
	                    SBX_F_EDITABLE | SBX_F_DELETABLE | (req ? SBX_F_REQUIRED : 0u) |
	                        (uniq ? SBX_F_UNIQUE : 0u),
	                    opts,
	                    NULL,
	                    NULL,
	                    section};
	rc = sbx_store_add_field(st, tid, &d, e);
	free(opts);
	if (rc < 0)
		return -1;
	a[0] = tid;
	a[1] = n;
	a[2] = sid;
	a[3] = col;
	if (exec_args(st,
	              "INSERT OR REPLACE INTO sbx_field_layout (type_id,fid,section_id,col,name) "
	              "VALUES (?,?,?,?,?)",
	              a, 4, name, e) < 0)
		return -1;
	json_object_set_new(r->success, name, json_string(alias));
	return 0;
}

/* The existing field def names by `field`, `id` or alias; NULL when none. */
static const sbx_field *match_field(sbx_store *st, const sbx_otype *t, json_t *def, sbx_err *e)
{
	const char *field = json_string_value(json_object_get(def, "field"));
	const char *alias = json_string_value(json_object_get(def, "alias"));
	json_t *idv = json_object_get(def, "id");
	long long id = -1, a[2];
	size_t i;

	if (field && *field)
		return sbx_otype_field(t, field);
	if (json_is_integer(idv))
		id = json_integer_value(idv);
	else if (json_is_string(idv) &&
	         util_parse_ll(json_string_value(idv), 1, 1LL << 40, &id) < 0)
		id = -1;
	if (id > 0) {
		sqlite3_stmt *s = sbx_store_prepare(
		    st, "SELECT name FROM sbx_field_layout WHERE type_id=? AND fid=?", e);
		const sbx_field *f = NULL;
		a[0] = t->id;
		a[1] = id;
		if (!s)
			return NULL;
		sqlite3_bind_int64(s, 1, a[0]);
		sqlite3_bind_int64(s, 2, a[1]);
		if (sqlite3_step(s) == SQLITE_ROW)
			f = sbx_otype_field(t, (const char *)sqlite3_column_text(s, 0));
		sbx_store_done(st, s);
		return f;
	}
	for (i = 0; alias && i < t->nfields; i++)
		if (util_strieq(t->fields[i].alias, alias))
			return &t->fields[i];
	return NULL;
}

/* Change field f (of type tid) as def says. -1 only when e is set (500). */
static int update_field(sbx_store *st, long long tid, const sbx_field *f, json_t *def, fe_result *r,
                        sbx_err *e)
{
	const sbx_otype *t = sbx_store_type(st, tid);
	const char *alias = json_string_value(json_object_get(def, "alias"));
	const char *type = json_string_value(json_object_get(def, "type"));
	json_t *ops = json_object_get(def, "options");
	int req = def_flag(def, "required"), uniq = def_flag(def, "unique");
	const char *why = NULL;
	char *opts = NULL, name[80], abuf[FE_TEXT_MAX + 2];
	sbx_field_def d;
	int ft, rc;

	snprintf(name, sizeof name, "%s", f->name);
	if (!(f->flags & SBX_F_DELETABLE))
		return fe_error(r, name,
		                "Field '%.64s' is not a custom field: it cannot be changed", name),
		       0;
	snprintf(abuf, sizeof abuf, "%s", alias && *alias ? alias : f->alias);
	alias = abuf; /* f and its alias go with the metadata reload below */
	ft = type && *type ? sbx_ftype_parse(type) : (int)f->type;
	if (ft != (int)f->type && !(f->type == SBX_FT_TEXT && ft == SBX_FT_LONGTEXT))
		return fe_error(r, name,
		                "The type of '%.64s' can only change from text to longtext", name),
		       0;
	if (req < 0 || uniq < 0)
		return fe_error(r, name, "required and unique must be 0 or 1"), 0;
	if (strlen(alias) > FE_TEXT_MAX || !alias_free(t, alias, name))
		return fe_error(r, name, "A field named '%.64s' already exists", alias), 0;
	if (ops && !json_is_null(ops)) {
		if (f->type != SBX_FT_DROP && f->type != SBX_FT_LIST)
			return fe_error(r, name, "options are only for drop and list fields"), 0;
		if (!(opts = apply_options(f->options, ops, &why)))
			return fe_error(r, name, "%s", why ? why : "out of memory"), 0;
	} else if (f->options) {
		opts = json_dumps(f->options, JSON_COMPACT);
	}
	d = (sbx_field_def){name,
	                    alias,
	                    (sbx_ftype)ft,
	                    (json_object_get(def, "required") ? (req ? SBX_F_REQUIRED : 0u)
	                                                      : (f->flags & SBX_F_REQUIRED)) |
	                        (json_object_get(def, "unique") ? (uniq ? SBX_F_UNIQUE : 0u)
	                                                        : (f->flags & SBX_F_UNIQUE)),
	                    opts,
	                    NULL,
	                    NULL,
	                    NULL};
	rc = sbx_store_update_field(st, tid, &d, e);
	free(opts);
	if (rc < 0)
		return -1;
	json_object_set_new(r->success, name, json_string(alias));
	return 0;
}

/* ---- POST / PUT ---- */

/* The `fields` parameter: NULL (none) or 1-3 arrays of objects; else answered 400. */
static int fields_param(sbx_call *c, json_t **out)
{
	json_t *f = NULL, *col, *def;
	size_t i, j, n = 0;

	*out = NULL;
	if (sbx_arg_json(c, "fields", SBX_OPTIONAL, &f) < 0)
		return -1;
	if (!f || json_is_null(f))
		return 0;
	if (!json_is_array(f) || json_array_size(f) > FE_COLUMNS)
		goto bad;
	json_array_foreach(f, i, col)
	{
		if (!json_is_array(col))
			goto bad;
		json_array_foreach(col, j,
		                   def) if (!json_is_object(def) || ++n > FE_FIELDS_MAX) goto bad;
	}
	*out = f;
	return 0;
bad:
	json_decref(f);
	return sbx_fail(c, 400,
	                "Invalid fields: expected 1 to 3 columns, each an array of field "
	                "objects, %d fields at most",
	                FE_FIELDS_MAX);
}

/* The section `name` of tid: created (POST) or required (PUT); description set when given. */
static int fe_section(sbx_call *c, long long tid, const char *name, const char *desc, int create,
                      long long *sid, sbx_err *e)
{
	sbx_store *st = c->ctx->store;
	long long a[2] = {tid, 0};
	char shown[80];

	if (section_id(st, tid, name, sid, e) < 0)
		return sbx_fail_err(c, e);
	if (!*sid && !create)
		return sbx_fail(c, 404, "Section '%s' not found",
		                sbx_clip(name, shown, sizeof shown));
	if (!*sid) {
		if (query_ll(st, "SELECT max(id) FROM sbx_sections WHERE type_id=?", a, 1, NULL, 0,
		             sid, e) < 0)
			return sbx_fail_err(c, e);
		a[1] = ++*sid;
		if (exec_args(st, "INSERT INTO sbx_sections (type_id,id,name) VALUES (?,?,?)", a, 2,
		              name, e) < 0)
			return sbx_fail_err(c, e);
	}
	a[1] = *sid;
	if (desc &&
	    exec_args(st, "UPDATE sbx_sections SET description=?3 WHERE type_id=?1 AND id=?2", a, 2,
	              desc, e) < 0)
		return sbx_fail_err(c, e);
	return 0;
}

static void fe_write(sbx_call *c, int create)
{
	sbx_store *st = c->ctx->store;
	const sbx_otype *t;
	const char *name, *desc = NULL;
	fe_result r = {json_object(), json_object()};
	sbx_err e = SBX_ERR_INIT;
	json_t *fields = NULL, *col, *def, *data;
	long long tid, sid;
	size_t i, j;

	if (sbx_call_otype(c, &t) < 0 || sbx_arg_str(c, "name", SBX_REQUIRED, &name) < 0 ||
	    sbx_arg_str(c, "description", SBX_OPTIONAL, &desc) < 0 || fields_param(c, &fields) < 0)
		goto out;
	tid = t->id;
	if (!*name || strlen(name) > FE_TEXT_MAX) {
		sbx_fail(c, 400, "Invalid name: a section name of 1 to %d characters", FE_TEXT_MAX);
		goto out;
	}
	if (ensure_layout(st, tid, &e) < 0 ||
	    fe_section(c, tid, name, desc, create, &sid, &e) < 0) {
		if (e.status && !c->resp->status)
			sbx_fail_err(c, &e);
		goto out;
	}
	json_array_foreach(fields, i, col) json_array_foreach(col, j, def)
	{
		const sbx_field *f =
		    create ? NULL : match_field(st, sbx_store_type(st, tid), def, &e);
		int rc = f ? update_field(st, tid, f, def, &r, &e)
		           : create_field(st, tid, name, sid, (int)i, def, &r, &e);
		if (rc < 0 || e.status) {
			sbx_fail_err(c, &e);
			goto out;
		}
	}
	if (!create && desc)
		json_object_set_new(r.success, "description", json_string(desc));
	data = json_pack("{s:O}", "success", r.success);
	if (data && (create || json_object_size(r.error)))
		json_object_set_new(
		    data, "error", json_object_size(r.error) ? json_incref(r.error) : json_array());
	sbx_reply(c, data);
out:
	json_decref(fields);
	json_decref(r.success);
	json_decref(r.error);
}

static void fe_post(sbx_call *c)
{
	fe_write(c, 1);
}

static void fe_put(sbx_call *c)
{
	fe_write(c, 0);
}

/* ---- DELETE ---- */

static void fe_delete_field(sbx_call *c, const sbx_otype *t, const char *field)
{
	sbx_store *st = c->ctx->store;
	const sbx_field *f = sbx_otype_field(t, field);
	long long tid = t->id, a[1] = {t->id};
	sbx_err e = SBX_ERR_INIT;
	char shown[80], name[80];

	if (!f) {
		sbx_fail(c, 404, "Field '%s' not found", sbx_clip(field, shown, sizeof shown));
		return;
	}
	if (!(f->flags & SBX_F_DELETABLE)) {
		sbx_fail(c, 400, "Field '%s' cannot be deleted",
		         sbx_clip(field, shown, sizeof shown));
		return;
	}
	snprintf(name, sizeof name, "%s", f->name); /* f goes with the metadata reload */
	if (sbx_store_drop_field(st, tid, name, &e) < 0 ||
	    exec_args(st, "DELETE FROM sbx_field_layout WHERE type_id=? AND name=?", a, 1, name,
	              &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	sbx_reply(c, json_string("Deleted"));
}

static void fe_delete_section(sbx_call *c, const sbx_otype *t, const char *name)
{
	sbx_store *st = c->ctx->store;
	sbx_err e = SBX_ERR_INIT;
	long long sid, n, a[2] = {t->id, 0};
	char shown[80];

	if (fe_section(c, t->id, name, NULL, 0, &sid, &e) < 0)
		return;
	a[1] = sid;
	if (query_ll(st, "SELECT count(*) FROM sbx_field_layout WHERE type_id=? AND section_id=?",
	             a, 2, NULL, 0, &n, &e) < 0 ||
	    (n == 0 && exec_args(st, "DELETE FROM sbx_sections WHERE type_id=? AND id=?", a, 2,
	                         NULL, &e) < 0)) {
		sbx_fail_err(c, &e);
		return;
	}
	if (n > 0) {
		sbx_fail(c, 400, "Section '%s' is not empty: it has %lld fields; delete them first",
		         sbx_clip(name, shown, sizeof shown), n);
		return;
	}
	sbx_reply(c, json_string("Deleted"));
}

static void fe_delete(sbx_call *c)
{
	const sbx_otype *t;
	const char *section = NULL, *field = NULL;
	sbx_err e = SBX_ERR_INIT;

	if (sbx_call_otype(c, &t) < 0 || sbx_arg_str(c, "section", SBX_OPTIONAL, &section) < 0 ||
	    sbx_arg_str(c, "field", SBX_OPTIONAL, &field) < 0)
		return;
	if (ensure_layout(c->ctx->store, t->id, &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	if (field && *field)
		fe_delete_field(c, t, field);
	else if (section && *section)
		fe_delete_section(c, t, section);
	else
		sbx_fail(c, 400,
		         "Missing section or field: name the empty section or the field "
		         "to delete");
}

const sbx_route sbx_routes_fieldeditor[] = {
    {"GET", "/1/objects/fieldeditor", fe_get, 0},
    {"POST", "/1/objects/fieldeditor", fe_post, 0},
    {"PUT", "/1/objects/fieldeditor", fe_put, 0},
    {"DELETE", "/1/objects/fieldeditor", fe_delete, 0},
    {"GET", "/1/{types}/fieldeditor", fe_get, 0},
    {"POST", "/1/{types}/fieldeditor", fe_post, 0},
    {"PUT", "/1/{types}/fieldeditor", fe_put, 0},
    {"DELETE", "/1/{types}/fieldeditor", fe_delete, 0},
    {NULL, NULL, NULL, 0},
};
