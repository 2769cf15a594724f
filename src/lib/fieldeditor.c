/*
 * fieldeditor: custom fields and their sections (REFERENCE-MORE §M5) through
 * /objects/fieldeditor, as JSON (the SDKs' encoding for that path). Every
 * spec is checked against the account's metadata before anything is sent;
 * the writes invalidate the metadata (http.c does it for every successful
 * write to a fieldeditor path). The reply parsers are pure and capped, for
 * tests/fuzz/fuzz_fieldeditor.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "banned.h"

#define FE_TEXT_MAX 255     /* a label, a section name, an option label */
#define FE_SPECS_MAX 100    /* fields in one request */
#define FE_OPTIONS_MAX 1000 /* options of one field */
#define FE_COLUMNS 3

static const char *const kinds[] = {
    "text", "longtext", "email",    "phone",   "sms",   "numeric", "price", "check",
    "drop", "list",     "fulldate", "country", "state", "address", NULL,
};

const char *const *ontra_field_kinds(void)
{
	return kinds;
}

static int kind_known(const char *k)
{
	for (size_t i = 0; kinds[i]; i++)
		if (k && !strcmp(kinds[i], k))
			return 1;
	return 0;
}

static int has_options(const char *kind)
{
	return kind && (!strcmp(kind, "drop") || !strcmp(kind, "list"));
}

static int text_ok(const char *s)
{
	return s && *s && strlen(s) <= FE_TEXT_MAX;
}

/* ---- pure parsers ---- */

static int bad(const char *what)
{
	return ontra__error(ONTRA_EBADRESPONSE, "field editor reply: %s", what);
}

/* A number, or a string of digits, as a JSON integer (new); NULL otherwise. */
static json_t *as_int(const json_t *v)
{
	long long n;

	if (json_is_integer(v))
		return json_integer(json_integer_value(v));
	if (json_is_string(v) && util_parse_ll(json_string_value(v), 0, 1LL << 53, &n) == 0)
		return json_integer(n);
	return NULL;
}

/* One field object of column col, normalised, appended to out. */
static int parse_field(json_t *out, const json_t *f, size_t col)
{
	static const char *const flags[] = {"required", "unique", "editable", "deletable"};
	json_t *o, *id = as_int(json_object_get(f, "id"));
	const char *name = json_string_value(json_object_get(f, "field"));
	const char *alias = json_string_value(json_object_get(f, "alias"));
	const char *type = json_string_value(json_object_get(f, "type"));
	json_t *opts = json_object_get(f, "options");

	if (!json_is_object(f) || !id || !name || !alias || !type) {
		json_decref(id);
		return bad("a field without id, field, alias or type");
	}
	o = json_pack("{s:o, s:s, s:s, s:s, s:I}", "id", id, "field", name, "alias", alias, "type",
	              type, "column", (json_int_t)col);
	if (!o)
		return ontra__error_oom();
	for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
		json_t *v = as_int(json_object_get(f, flags[i]));
		json_object_set_new(o, flags[i], v ? v : json_integer(0));
	}
	json_object_set_new(o, "options",
	                    json_is_object(opts) || json_is_string(opts) ? json_deep_copy(opts)
	                                                                 : json_string(""));
	return json_array_append_new(out, o) < 0 ? ontra__error_oom() : 0;
}

/* One section object, normalised, appended to out; *nfields counts every field seen. */
static int parse_section(json_t *out, const json_t *s, size_t *nfields)
{
	json_t *id = as_int(json_object_get(s, "id")), *cols = json_object_get(s, "fields");
	json_t *desc = json_object_get(s, "description"), *fields, *col, *f;
	const char *name = json_string_value(json_object_get(s, "name"));
	size_t i, j;
	int rc;

	if (!id || !name || !(json_is_array(cols) || json_is_null(cols) || !cols)) {
		json_decref(id);
		return bad("a section without id, name or fields");
	}
	if (json_array_size(cols) > FE_COLUMNS) {
		json_decref(id);
		return bad("a section with more than 3 columns");
	}
	fields = json_array();
	json_array_foreach(cols, i, col)
	{
		if (!json_is_array(col)) {
			json_decref(id);
			json_decref(fields);
			return bad("a column that is not a list of fields");
		}
		json_array_foreach(col, j, f)
		{
			if (++*nfields > ONTRA_FIELDEDITOR_MAX_FIELDS) {
				json_decref(id);
				json_decref(fields);
				return bad("more fields than the cap");
			}
			if ((rc = parse_field(fields, f, i)) < 0) {
				json_decref(id);
				json_decref(fields);
				return rc;
			}
		}
	}
	return json_array_append_new(
	           out, json_pack("{s:o, s:s, s:o, s:o}", "id", id, "name", name, "description",
	                          json_is_string(desc) ? json_deep_copy(desc) : json_null(),
	                          "fields", fields)) < 0
	           ? ontra__error_oom()
	           : 0;
}

static int cmp_section(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "id"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "id"));

	return (x > y) - (x < y);
}

/* Sort the sections by id (jansson arrays have no sort: rebuild). */
static json_t *sorted(json_t *arr)
{
	size_t n = json_array_size(arr), i;
	json_t **v = malloc((n ? n : 1) * sizeof *v), *out = json_array();

	if (!v || !out) {
		free(v);
		json_decref(out);
		return NULL;
	}
	for (i = 0; i < n; i++)
		v[i] = json_array_get(arr, i);
	qsort(v, n, sizeof *v, cmp_section);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

int ontra_field_sections_parse(json_t **out, const json_t *data)
{
	json_t *arr = json_array(), *s;
	size_t nfields = 0;
	const char *key;
	int rc = 0;

	*out = NULL;
	if (!arr)
		return ontra__error_oom();
	if (json_is_object(data) && json_object_get(data, "fields") &&
	    json_object_get(data, "name")) {
		rc = parse_section(arr, data, &nfields); /* ?section=: one section */
	} else if (json_is_object(data)) {
		if (json_object_size(data) > ONTRA_FIELDEDITOR_MAX_SECTIONS)
			rc = bad("more sections than the cap");
		json_object_foreach((json_t *)data, key, s)
		{
			if (rc < 0)
				break;
			if (!json_is_object(s))
				rc = bad("a section that is not an object");
			else
				rc = parse_section(arr, s, &nfields);
		}
	} else if (!json_is_array(data) || json_array_size(data)) {
		rc = bad(
		    "expected an object of sections"); /* [] = no sections (PHP's empty array) */
	}
	if (rc == 0 && !(*out = sorted(arr)))
		rc = ontra__error_oom();
	json_decref(arr);
	return rc;
}

/* A string map (or [] / absent) copied into *out, capped. */
static int string_map(json_t **out, const json_t *m, const char *what)
{
	const char *k;
	json_t *v;

	*out = json_object();
	if (!*out)
		return ontra__error_oom();
	if (!m || json_is_null(m) || (json_is_array(m) && !json_array_size(m)))
		return 0;
	if (!json_is_object(m) || json_object_size(m) > ONTRA_FIELDEDITOR_MAX_FIELDS) {
		json_decref(*out);
		*out = NULL;
		return ontra__error(ONTRA_EBADRESPONSE,
		                    "field editor reply: '%s' is not a map of at most %d entries",
		                    what, ONTRA_FIELDEDITOR_MAX_FIELDS);
	}
	json_object_foreach((json_t *)m, k, v)
	{
		if (!strcmp(what, "success") && !strcmp(k, "description"))
			continue;
		json_object_set_new(
		    *out, k, json_is_string(v) ? json_deep_copy(v) : json_string("(not text)"));
	}
	return 0;
}

int ontra_field_result_parse(json_t **out, const json_t *data)
{
	json_t *ok = NULL, *err = NULL;
	int rc;

	*out = NULL;
	if (!json_is_object(data))
		return bad("expected an object with 'success'");
	if ((rc = string_map(&ok, json_object_get(data, "success"), "success")) < 0)
		return rc;
	if ((rc = string_map(&err, json_object_get(data, "error"), "error")) < 0) {
		json_decref(ok);
		return rc;
	}
	*out = json_pack("{s:o, s:o}", "success", ok, "error", err);
	return *out ? 0 : ontra__error_oom();
}

/* ---- checks against the metadata ---- */

/* The field of type named `name` or labelled so (any case); its name, or NULL. */
static const char *find_field(const json_t *fields, const char *name, const json_t **def)
{
	const char *k;
	json_t *v;

	if ((*def = json_object_get(fields, name)))
		return name;
	json_object_foreach((json_t *)fields, k, v)
	{
		const char *alias = json_string_value(json_object_get(v, "alias"));
		if (alias && util_strieq(alias, name)) {
			*def = v;
			return k;
		}
	}
	return NULL;
}

static int flag_of(const json_t *def, const char *key)
{
	const char *s = json_string_value(json_object_get(def, key));
	return (s && !strcmp(s, "1")) || json_integer_value(json_object_get(def, key)) == 1;
}

static const char *type_name(ontra_client *c, int type)
{
	const char *n = ontra_object_type_name(c, type);
	return n ? n : "this type";
}

/* code (ONTRA_EINVALID or ONTRA_ENOTFOUND) "unknown field 'x' for Contact (did you mean...)". */
static int unknown_field(ontra_client *c, int type, const json_t *fields, const char *name,
                         int code)
{
	const char *cands[512], *k, *near;
	size_t n = 0;
	json_t *v;

	json_object_foreach((json_t *)fields, k, v) if (n < 512) cands[n++] = k;
	near = util_nearest(name, cands, n);
	return ontra__error(code, "unknown field '%s' for %s%s%s%s", name, type_name(c, type),
	                    near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

static int check_options(const ontra_field_spec *s, const char *kind, const char *who)
{
	if (s->options_op == ONTRA_OPTIONS_NONE)
		return s->options_count ? ontra__error(ONTRA_EINVALID,
		                                       "field '%s': options given without an "
		                                       "operation (add, remove or replace)",
		                                       who)
		                        : 0;
	if ((int)s->options_op < 0 || s->options_op > ONTRA_OPTIONS_REPLACE)
		return ontra__error(ONTRA_EINVALID, "field '%s': invalid options operation %d", who,
		                    (int)s->options_op);
	if (!has_options(kind))
		return ontra__error(
		    ONTRA_EINVALID,
		    "field '%s' is of kind %s: only drop and list fields take options", who,
		    kind ? kind : "?");
	if (!s->options_count || s->options_count > FE_OPTIONS_MAX || !s->options)
		return ontra__error(ONTRA_EINVALID, "field '%s': expected 1 to %d options", who,
		                    FE_OPTIONS_MAX);
	for (size_t i = 0; i < s->options_count; i++)
		if (!text_ok(s->options[i]))
			return ontra__error(
			    ONTRA_EINVALID,
			    "field '%s': an option label must be 1 to %d characters", who,
			    FE_TEXT_MAX);
	return 0;
}

static int check_flags(const ontra_field_spec *s, const char *who)
{
	if (s->required < -1 || s->required > 1 || s->unique < -1 || s->unique > 1)
		return ontra__error(
		    ONTRA_EINVALID,
		    "field '%s': required and unique must be 0, 1 or -1 (unchanged)", who);
	return 0;
}

/* A label no field of the type other than `self` has (any case). */
static int check_label(ontra_client *c, int type, const json_t *fields, const char *alias,
                       const char *self)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)fields, k, v)
	{
		const char *a = json_string_value(json_object_get(v, "alias"));
		if (a && util_strieq(a, alias) && (!self || strcmp(k, self)))
			return ontra__error(ONTRA_EINVALID,
			                    "a field labelled '%s' already exists for %s (%s)",
			                    alias, type_name(c, type), k);
	}
	return 0;
}

static int check_create(ontra_client *c, int type, const json_t *fields, const ontra_field_spec *s)
{
	const char *who = s->alias ? s->alias : "";
	int rc;

	if (!text_ok(s->alias))
		return ontra__error(ONTRA_EINVALID,
		                    "a new field needs a label of 1 to %d characters", FE_TEXT_MAX);
	if (!kind_known(s->kind))
		return ontra__error(
		    ONTRA_EINVALID,
		    "invalid kind '%s' for field '%s': expected text, longtext, email, "
		    "phone, sms, numeric, price, check, drop, list, fulldate, country, "
		    "state or address",
		    s->kind ? s->kind : "", who);
	if (s->column < 0 || s->column >= FE_COLUMNS)
		return ontra__error(ONTRA_EINVALID, "field '%s': column %d: expected 0, 1 or 2",
		                    who, s->column);
	if ((rc = check_flags(s, who)) < 0 || (rc = check_options(s, s->kind, who)) < 0)
		return rc;
	if (s->options_op == ONTRA_OPTIONS_REMOVE)
		return ontra__error(ONTRA_EINVALID,
		                    "field '%s': a new field has no options to remove", who);
	return check_label(c, type, fields, s->alias, NULL);
}

/* Check an update spec; *name is the field's name (borrowed from the metadata) or NULL (new). */
static int check_update(ontra_client *c, int type, const json_t *fields, const ontra_field_spec *s,
                        const char **name)
{
	const char *ref = s->field ? s->field : s->alias, *kind;
	const json_t *def = NULL;
	int rc;

	*name = ref ? find_field(fields, ref, &def) : NULL;
	if (!ref || !*ref)
		return ontra__error(ONTRA_EINVALID, "a field to change needs its name or label");
	if (!*name && s->field)
		return unknown_field(c, type, fields, s->field, ONTRA_EINVALID);
	if (!*name)
		return check_create(c, type, fields, s); /* by label, not there: a new field */
	if (!flag_of(def, "deletable"))
		return ontra__error(
		    ONTRA_EINVALID,
		    "field '%s' is not a custom field: the field editor cannot change it", *name);
	kind = json_string_value(json_object_get(def, "type"));
	if (s->kind && strcmp(s->kind, kind ? kind : "") &&
	    !(kind && !strcmp(kind, "text") && !strcmp(s->kind, "longtext")))
		return ontra__error(ONTRA_EINVALID,
		                    "field '%s' is of kind %s: the only change of kind is text to "
		                    "longtext",
		                    *name, kind ? kind : "?");
	if (s->alias && s->field && !text_ok(s->alias))
		return ontra__error(ONTRA_EINVALID,
		                    "field '%s': a label must be 1 to %d characters", *name,
		                    FE_TEXT_MAX);
	if ((rc = check_flags(s, *name)) < 0 || (rc = check_options(s, kind, *name)) < 0)
		return rc;
	return s->alias && s->field ? check_label(c, type, fields, s->alias, *name) : 0;
}

/* ---- requests ---- */

static json_t *spec_json(const ontra_field_spec *s, const char *name, const char *kind)
{
	static const char *const ops[] = {NULL, "add", "remove", "replace"};
	json_t *o = json_object(), *labels;

	if (!o)
		return NULL;
	if (name)
		json_object_set_new(o, "field", json_string(name));
	if (s->alias)
		json_object_set_new(o, "alias", json_string(s->alias));
	if (kind)
		json_object_set_new(o, "type", json_string(kind));
	if (s->required >= 0)
		json_object_set_new(o, "required", json_integer(s->required));
	if (s->unique >= 0)
		json_object_set_new(o, "unique", json_integer(s->unique));
	if (s->options_op != ONTRA_OPTIONS_NONE) {
		labels = json_array();
		for (size_t i = 0; labels && i < s->options_count; i++)
			json_array_append_new(labels, json_string(s->options[i]));
		json_object_set_new(o, "options", json_pack("{s:o}", ops[s->options_op], labels));
	}
	return o;
}

/* The request body's fields: 3 columns (update: all in the first). NULL with the error set. */
static json_t *body_fields(ontra_client *c, int type, const ontra_field_spec *specs, size_t n,
                           int update)
{
	const json_t *fields;
	json_t *cols = json_pack("[[],[],[]]");
	int rc;

	if (!cols || (rc = ontra_fields(&fields, c, type)) < 0) {
		if (!cols)
			ontra__error_oom();
		json_decref(cols);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const ontra_field_spec *s = &specs[i];
		const char *name = NULL;
		json_t *o;
		rc = update ? check_update(c, type, fields, s, &name)
		            : check_create(c, type, fields, s);
		for (size_t j = 0; rc == 0 && j < i; j++)
			if (specs[j].alias && s->alias && util_strieq(specs[j].alias, s->alias))
				rc = ontra__error(ONTRA_EINVALID, "the label '%s' is given twice",
				                  s->alias);
		if (rc < 0) {
			json_decref(cols);
			return NULL;
		}
		o = spec_json(s, name, s->kind);
		if (!o || json_array_append_new(json_array_get(cols, name ? 0 : (size_t)s->column),
		                                o) < 0) {
			json_decref(cols);
			ontra__error_oom();
			return NULL;
		}
	}
	return cols;
}

static int check_section(int type, const char *section)
{
	int rc;

	if ((rc = ontra__check_type(type)) < 0)
		return rc;
	if (!text_ok(section))
		return ontra__error(ONTRA_EINVALID, "a section name must be 1 to %d characters",
		                    FE_TEXT_MAX);
	return 0;
}

/* The first server error as the call's error. */
static int refused(json_t *res)
{
	json_t *errs = json_object_get(res, "error");
	const char *k = NULL;
	json_t *v = NULL;
	void *it = json_object_iter(errs);

	if (!it)
		return 0;
	k = json_object_iter_key(it);
	v = json_object_iter_value(it);
	return ontra__error(ONTRA_EINVALID, "the field editor refused '%s': %s", k,
	                    json_string_value(v) ? json_string_value(v) : "?");
}

static int write_fields(json_t **out, ontra_client *c, int type, const char *section,
                        const char *description, const ontra_field_spec *specs, size_t n,
                        int update)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	json_t *body, *cols, *data = NULL, *res = NULL;
	int rc;

	*out = NULL;
	if ((rc = check_section(type, section)) < 0)
		return rc;
	if ((n && !specs) || n > FE_SPECS_MAX || (update && !n && !description))
		return ontra__error(ONTRA_EINVALID, "expected %d to %d fields, got %zu",
		                    update && !description, FE_SPECS_MAX, n);
	if (description && strlen(description) > 4096)
		return ontra__error(ONTRA_EINVALID, "a section description is at most 4096 bytes");
	if (!(cols = body_fields(c, type, specs, n, update)))
		return ontra_error_last()->code;
	body = json_pack("{s:i, s:s, s:o}", "objectID", type, "name", section, "fields", cols);
	if (body && description)
		json_object_set_new(body, "description", json_string(description));
	if (!body)
		return ontra__error_oom();
	req.method = update ? "PUT" : "POST";
	req.path = "/objects/fieldeditor";
	req.json = body;
	rc = ontra_call_data(&data, c, &req);
	json_decref(body);
	if (rc == 0)
		rc = ontra_field_result_parse(&res, data);
	json_decref(data);
	if (rc == 0 && (rc = refused(res)) == 0) {
		*out = json_incref(json_object_get(res, "success"));
	}
	json_decref(res);
	return rc;
}

int ontra_fields_create(json_t **out, ontra_client *c, int type, const char *section,
                        const char *description, const ontra_field_spec *specs, size_t n)
{
	return write_fields(out, c, type, section, description, specs, n, 0);
}

int ontra_fields_update(json_t **out, ontra_client *c, int type, const char *section,
                        const char *description, const ontra_field_spec *specs, size_t n)
{
	return write_fields(out, c, type, section, description, specs, n, 1);
}

int ontra_field_sections(json_t **out, ontra_client *c, int type, const char *section)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *q = NULL;
	json_t *data = NULL;
	int rc;

	*out = NULL;
	if ((rc = ontra__check_type(type)) < 0)
		return rc;
	if (section && !text_ok(section))
		return ontra__error(ONTRA_EINVALID, "a section name must be 1 to %d characters",
		                    FE_TEXT_MAX);
	if ((rc = ontra_params_new(&q)) < 0 ||
	    (rc = ontra_params_add_int(q, "objectID", type)) < 0 ||
	    (section && (rc = ontra_params_add(q, "section", section)) < 0)) {
		ontra_params_free(q);
		return rc;
	}
	req.path = "/objects/fieldeditor";
	req.query = q;
	rc = ontra_call_data(&data, c, &req);
	ontra_params_free(q);
	if (rc == 0)
		rc = ontra_field_sections_parse(out, data);
	json_decref(data);
	return rc;
}

/* DELETE /objects/fieldeditor with objectID and key=value. */
static int fe_delete(ontra_client *c, int type, const char *key, const char *value)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *q = NULL;
	json_t *data = NULL;
	int rc;

	if ((rc = ontra_params_new(&q)) < 0 ||
	    (rc = ontra_params_add_int(q, "objectID", type)) < 0 ||
	    (rc = ontra_params_add(q, key, value)) < 0) {
		ontra_params_free(q);
		return rc;
	}
	req.method = "DELETE";
	req.path = "/objects/fieldeditor";
	req.query = q;
	rc = ontra_call_data(&data, c, &req);
	ontra_params_free(q);
	json_decref(data);
	return rc;
}

int ontra_field_delete(ontra_client *c, int type, const char *field)
{
	const json_t *fields, *def;
	const char *name;
	char keep[128];
	int rc;

	if ((rc = ontra__check_type(type)) < 0)
		return rc;
	if (!field || !*field)
		return ontra__error(ONTRA_EINVALID, "a field to delete needs its name or label");
	if ((rc = ontra_fields(&fields, c, type)) < 0)
		return rc;
	if (!(name = find_field(fields, field, &def)))
		return unknown_field(c, type, fields, field, ONTRA_ENOTFOUND);
	if (!flag_of(def, "deletable"))
		return ontra__error(ONTRA_EINVALID,
		                    "field '%s' is not a custom field: it cannot be "
		                    "deleted",
		                    name);
	snprintf(keep, sizeof keep, "%s", name);
	return fe_delete(c, type, "field", keep);
}

int ontra_field_section_delete(ontra_client *c, int type, const char *section)
{
	int rc;

	if ((rc = check_section(type, section)) < 0)
		return rc;
	return fe_delete(c, type, "section", section);
}
