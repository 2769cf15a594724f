/*
 * Object types and fields, from GET /objects/meta?format=byId (all types),
 * fetched once per client. Field values are checked and normalised here
 * before anything is sent.
 */
#include <limits.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "internal.h"
#include "banned.h"

/* Names users type for the common types, singular and plural (REFERENCE.md §2). */
static const struct {
	const char *name;
	int id;
} aliases[] = {
    {"contacts", 0},      {"contact", 0},       {"tasks", 1},
    {"task", 1},          {"users", 2},         {"user", 2},
    {"groups", 3},        {"group", 3},         {"sequences", 5},
    {"sequence", 5},      {"rules", 6},         {"rule", 6},
    {"messages", 7},      {"message", 7},       {"notes", 12},
    {"note", 12},         {"tags", 14},         {"tag", 14},
    {"products", 16},     {"product", 16},      {"purchases", 17},
    {"purchase", 17},     {"landingpages", 20}, {"landingpage", 20},
    {"transactions", 46}, {"transaction", 46},  {"orders", 52},
    {"order", 52},        {"offers", 65},       {"offer", 65},
    {"forms", 122},       {"form", 122},        {"tagsubscribers", 138},
    {"campaigns", 140},   {"campaign", 140},    {"automations", 140},
    {"automation", 140},  {"webhooks", 145},    {"webhook", 145},
    {"deals", 149},       {"deal", 149},        {"companies", 150},
    {"company", 150},
};

/*
 * ontra_fields and ontra_object_type_name hand out pointers into the cached
 * metadata, valid until the client is freed: so dropped metadata is retired,
 * not freed, and ontra_client_free frees it. Each invalidation that is
 * followed by a fetch keeps one more copy until then.
 */
static void meta_retire(ontra_client *c)
{
	if (!c->meta)
		return;
	if (!c->meta_retired)
		c->meta_retired = json_array();
	if (c->meta_retired && json_array_append_new(c->meta_retired, c->meta) == 0) {
		c->meta = NULL;
		return;
	}
	/* Out of memory: keep the cache as it is rather than free what callers hold. */
	ontra__log(c, ONTRA_LOG_INFO, "metadata not invalidated: out of memory");
}

/* GET the metadata from the server, checked; *out new. */
static int meta_fetch(json_t **out, ontra_client *c)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	json_t *data;
	int rc;

	*out = NULL;
	req.path = "/objects/meta?format=byId";
	if ((rc = ontra_call_data(&data, c, &req)) < 0)
		return rc;
	if (!json_is_object(data)) {
		json_decref(data);
		return ontra__error(ONTRA_EBADRESPONSE,
		                    "the server's object metadata is not an object of types");
	}
	*out = data;
	return 0;
}

int ontra__meta(const json_t **out, ontra_client *c)
{
	json_t *data;
	int rc;

	*out = NULL;
	if (c->meta_stale) {
		meta_retire(c);
		c->meta_stale = c->meta != NULL; /* out of memory: next time */
	}
	if (!c->meta) {
		if (!c->cache_skip && ontra__meta_cache_load(&data, c) == 1) {
			c->meta_from_disk = 1;
		} else {
			if ((rc = meta_fetch(&data, c)) < 0)
				return rc;
			ontra__meta_cache_store(c, data);
			c->meta_from_disk = 0;
			c->cache_skip = 0;
		}
		c->meta = data;
	}
	*out = c->meta;
	return 0;
}

void ontra_meta_invalidate(ontra_client *c)
{
	if (!c)
		return;
	meta_retire(c);
	ontra__meta_cache_drop(c);
}

int ontra__meta_recheck(ontra_client *c)
{
	const json_t *meta;
	int rc;

	if (!c->meta || !c->meta_from_disk)
		return 0;
	ontra__log(c, ONTRA_LOG_INFO,
	           "* metadata from the cache lacks what was asked: fetching it");
	meta_retire(c);
	if (c->meta)
		return 0; /* out of memory: look no further */
	c->cache_skip = 1;
	if ((rc = ontra__meta(&meta, c)) < 0)
		return rc;
	return 1;
}

static const json_t *type_meta(const json_t *meta, int type)
{
	char key[24];
	snprintf(key, sizeof key, "%d", type);
	return json_object_get(meta, key);
}

const char *ontra_object_type_name(ontra_client *c, int type)
{
	const json_t *meta;
	if (ontra__meta(&meta, c) < 0)
		return NULL;
	return json_string_value(json_object_get(type_meta(meta, type), "name"));
}

/* Compare a typed name with a type's name, singular or plural, any case. */
static int name_matches(const char *typed, const char *name)
{
	size_t n = strlen(typed), m = strlen(name);

	if (util_strieq(typed, name))
		return 1;
	if (n == m + 1 && (typed[n - 1] == 's' || typed[n - 1] == 'S') &&
	    util_strnieq(typed, name, m))
		return 1;
	if (n == m + 2 && util_strieq(typed + m, "es") && util_strnieq(typed, name, m))
		return 1;
	if (m > 1 && name[m - 1] == 'y' && n == m + 2 && util_strieq(typed + m - 1, "ies") &&
	    util_strnieq(typed, name, m - 1))
		return 1;
	return 0;
}

/* A built-in type given by alias or number: known without the metadata. -1 when it is not one. */
static int builtin_type(const char *typed)
{
	char lower[32];
	long long v;
	size_t i;

	if (util_parse_ll(typed, 0, INT_MAX, &v) == 0) {
		for (i = 0; i < sizeof aliases / sizeof *aliases; i++)
			if (aliases[i].id == v)
				return (int)v;
		return -1;
	}
	if (strlen(typed) >= sizeof lower)
		return -1;
	for (i = 0; typed[i]; i++)
		lower[i] = (char)tolower((unsigned char)typed[i]);
	lower[i] = '\0';
	for (i = 0; i < sizeof aliases / sizeof *aliases; i++)
		if (strcmp(lower, aliases[i].name) == 0)
			return aliases[i].id;
	return -1;
}

/* A type number the metadata lists (custom objects, rarer built-in types). */
static int type_by_number(int *out, const json_t *meta, const char *typed)
{
	long long v;

	if (util_parse_ll(typed, 0, INT_MAX, &v) < 0)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid object type '%s': expected a name or a number", typed);
	if (!type_meta(meta, (int)v))
		return ontra__error(ONTRA_ENOTFOUND,
		                    "unknown object type %lld: see 'ontraport object-types'", v);
	*out = (int)v;
	return 0;
}

/* A type name the metadata lists, singular or plural, any case; else the nearest name. */
static int type_by_name(int *out, const json_t *meta, const char *typed)
{
	const json_t *t;
	const char *key, *cands[512], *near;
	long long v;
	size_t i, n = 0;

	json_object_foreach((json_t *)meta, key, t)
	{
		const char *name = json_string_value(json_object_get(t, "name"));
		if (name && name_matches(typed, name) && util_parse_ll(key, 0, INT_MAX, &v) == 0) {
			*out = (int)v;
			return 0;
		}
	}
	for (i = 0; i < sizeof aliases / sizeof *aliases && n < 512; i++)
		if (type_meta(meta, aliases[i].id))
			cands[n++] = aliases[i].name;
	json_object_foreach((json_t *)meta, key,
	                    t) if (n < 512 && json_string_value(json_object_get(t, "name")))
	    cands[n++] = json_string_value(json_object_get(t, "name"));
	near = util_nearest(typed, cands, n);
	return ontra__error(ONTRA_ENOTFOUND, "unknown object type '%s'%s%s%s", typed,
	                    near ? " (did you mean '" : "", near ? near : "",
	                    near ? "'?)" : ": see 'ontraport object-types'");
}

int ontra_object_type(int *out, ontra_client *c, const char *typed)
{
	const json_t *meta;
	int rc;

	*out = -1;
	if (!typed || !*typed)
		return ontra__error(ONTRA_EINVALID, "missing object type: expected a name such as "
		                                    "'contacts' or a number");
	if ((*out = builtin_type(typed)) >= 0)
		return 0;
	for (;;) {
		if ((rc = ontra__meta(&meta, c)) < 0)
			return rc;
		if (isdigit((unsigned char)typed[0]) || typed[0] == '-')
			rc = type_by_number(out, meta, typed);
		else
			rc = type_by_name(out, meta, typed);
		if (rc != ONTRA_ENOTFOUND)
			return rc;
		if ((rc = ontra__meta_recheck(c)) != 1)
			return rc < 0 ? rc : ONTRA_ENOTFOUND;
	}
}

static int cmp_id(const void *a, const void *b)
{
	long long x = json_integer_value(json_object_get(*(json_t *const *)a, "id"));
	long long y = json_integer_value(json_object_get(*(json_t *const *)b, "id"));
	return x < y ? -1 : x > y;
}

int ontra_object_types(json_t **out, ontra_client *c)
{
	const json_t *meta, *t;
	const char *key;
	json_t *arr, **items;
	size_t n = 0, i;
	long long v;
	int rc;

	*out = NULL;
	if ((rc = ontra__meta(&meta, c)) < 0)
		return rc;
	items = calloc(json_object_size(meta) + 1, sizeof *items);
	arr = json_array();
	if (!items || !arr) {
		free(items);
		json_decref(arr);
		return ontra__error_oom();
	}
	json_object_foreach((json_t *)meta, key, t)
	{
		if (util_parse_ll(key, 0, INT_MAX, &v) < 0)
			continue;
		items[n++] =
		    json_pack("{s:I, s:s, s:I}", "id", (json_int_t)v, "name",
		              json_string_value(json_object_get(t, "name"))
		                  ? json_string_value(json_object_get(t, "name"))
		                  : "",
		              "fields", (json_int_t)json_object_size(json_object_get(t, "fields")));
	}
	qsort(items, n, sizeof *items, cmp_id);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, items[i]);
	free(items);
	*out = arr;
	return 0;
}

int ontra_fields(const json_t **out, ontra_client *c, int type)
{
	const json_t *meta, *fields;
	int rc;

	*out = NULL;
	for (;;) {
		if ((rc = ontra__meta(&meta, c)) < 0)
			return rc;
		fields = json_object_get(type_meta(meta, type), "fields");
		if (json_is_object(fields)) {
			*out = fields;
			return 0;
		}
		if ((rc = ontra__meta_recheck(c)) < 0)
			return rc;
		if (rc == 0)
			return ontra__error(ONTRA_ENOTFOUND,
			                    "unknown object type %d: see 'ontraport object-types'",
			                    type);
	}
}

/* ---- value checks ---- */

/* The text of a scalar value, in buf (numbers as written, booleans 1/0). */
static const char *scalar_text(const json_t *v, char *buf, size_t n)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, n, "%.15g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, n, "%d", json_is_true(v) ? 1 : 0);
	else if (json_is_null(v))
		snprintf(buf, n, "%s", "");
	else
		return NULL;
	return buf;
}

static int is_number(const char *s, int allow_decimal)
{
	int digits = 0, dot = 0;

	if (*s == '-' || *s == '+')
		s++;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			digits++;
		else if (*s == '.' && allow_decimal && !dot)
			dot = 1;
		else
			return 0;
	}
	return digits > 0;
}

/* A plausible address: local@domain.tld, no spaces, one '@'. */
static int is_email(const char *s)
{
	const char *at = strchr(s, '@'), *dot;

	if (!at || at == s || strchr(at + 1, '@') || strpbrk(s, " \t\r\n,;<>()[]\\\""))
		return 0;
	dot = strrchr(at + 1, '.');
	return dot && dot > at + 1 && dot[1] != '\0';
}

/* A UTC date (util_parse_utc_date), or Unix seconds. */
static int parse_date(const char *s, long long *out)
{
	if (is_number(s, 0) && s[0] != '+')
		return util_parse_ll(s, -62135596800LL, 253402300799LL, out);
	return util_parse_utc_date(s, out);
}

/* An option of a drop/list field by id or label; returns its id (borrowed) or NULL. */
static const char *option_id(const json_t *options, const char *typed)
{
	const char *id;
	json_t *label;

	if (json_object_get(options, typed))
		return json_object_iter_key(json_object_iter_at((json_t *)options, typed));
	json_object_foreach((json_t *)options, id,
	                    label) if (json_is_string(label) &&
	                               util_strieq(json_string_value(label), typed)) return id;
	return NULL;
}

static int options_error(const char *field, const char *typed, const json_t *options)
{
	util_buf b = UTIL_BUF_INIT;
	const char *id;
	json_t *label;
	size_t n = 0;

	json_object_foreach((json_t *)options, id, label)
	{
		if (n++ == 8) {
			util_buf_puts(&b, ", ...");
			break;
		}
		util_buf_printf(&b, "%s%s (%s)", n > 1 ? ", " : "", id,
		                json_is_string(label) ? json_string_value(label) : "");
	}
	util_buf_ensure(&b);
	int rc =
	    ontra__error(ONTRA_EINVALID, "invalid value '%s' for field '%s': expected one of %s",
	                 typed, field, b.data ? b.data : "its options");
	util_buf_release(&b);
	return rc;
}

static int check_one(json_t *values, const char *field, const json_t *def, json_t *v)
{
	const char *type = json_string_value(json_object_get(def, "type"));
	const json_t *options = json_object_get(def, "options");
	char buf[64];
	const char *text;
	json_t *nv = NULL;

	if (!type)
		type = "text";
	if (strcmp(type, "list") == 0 && json_is_array(v)) {
		/* an array of option ids or labels */
		util_buf b = UTIL_BUF_INIT;
		size_t i;
		json_t *item;
		util_buf_puts(&b, "*/*");
		json_array_foreach(v, i, item)
		{
			const char *t = scalar_text(item, buf, sizeof buf), *id;
			if (!t || !(id = json_is_object(options) ? option_id(options, t) : t) ||
			    (!json_is_object(options) && !is_number(t, 0))) {
				util_buf_release(&b);
				return json_is_object(options) && t
				           ? options_error(field, t, options)
				           : ontra__error(ONTRA_EINVALID,
				                          "invalid value for field '%s': expected "
				                          "option ids",
				                          field);
			}
			util_buf_printf(&b, "%s*/*", id);
		}
		if (util_buf_ensure(&b) < 0) {
			util_buf_release(&b);
			return ontra__error_oom();
		}
		nv = json_string(b.data);
		util_buf_release(&b);
		return json_object_set_new(values, field, nv) < 0 ? ontra__error_oom() : 0;
	}
	text = scalar_text(v, buf, sizeof buf);
	if (!text)
		return ontra__error(
		    ONTRA_EINVALID,
		    "invalid value for field '%s': expected text or a number, not %s", field,
		    json_is_array(v) ? "a list" : "an object");
	if (!*text) {
		/* An empty value clears the field, whatever its kind. */
		nv = json_string("");
	} else if (strcmp(type, "numeric") == 0 || strcmp(type, "price") == 0) {
		if (!is_number(text, 1))
			return ontra__error(ONTRA_EINVALID,
			                    "invalid value '%s' for field '%s': expected a number",
			                    text, field);
		nv = json_string(text);
	} else if (strcmp(type, "parent") == 0 || strcmp(type, "subscription") == 0) {
		long long id;
		if (util_parse_ll(text, 0, ONTRA_ID_MAX, &id) < 0)
			return ontra__error(
			    ONTRA_EINVALID,
			    "invalid value '%s' for field '%s': expected an object id", text,
			    field);
		nv = json_string(text);
	} else if (strcmp(type, "email") == 0) {
		if (!is_email(text))
			return ontra__error(
			    ONTRA_EINVALID,
			    "invalid value '%s' for field '%s': expected an email address "
			    "(name@example.com)",
			    text, field);
		nv = json_string(text);
	} else if (strcmp(type, "check") == 0) {
		if (util_strieq(text, "1") || util_strieq(text, "true") || util_strieq(text, "yes"))
			nv = json_string("1");
		else if (util_strieq(text, "0") || util_strieq(text, "false") ||
		         util_strieq(text, "no"))
			nv = json_string("0");
		else
			return ontra__error(
			    ONTRA_EINVALID,
			    "invalid value '%s' for field '%s': expected 1 or 0 (true/false)", text,
			    field);
	} else if (strcmp(type, "fulldate") == 0 || strcmp(type, "timestamp") == 0 ||
	           strcmp(type, "date") == 0) {
		long long t;
		if (parse_date(text, &t) < 0)
			return ontra__error(
			    ONTRA_EINVALID,
			    "invalid value '%s' for field '%s': expected a date (YYYY-MM-DD, "
			    "YYYY-MM-DD HH:MM[:SS] UTC) or Unix seconds",
			    text, field);
		snprintf(buf, sizeof buf, "%lld", t);
		nv = json_string(buf);
	} else if (strcmp(type, "drop") == 0) {
		const char *id = json_is_object(options) ? option_id(options, text) : text;
		if (!id)
			return options_error(field, text, options);
		nv = json_string(id);
	} else if (strcmp(type, "list") == 0) {
		/* "1,2", "A,B", or the API's own star-slash-star form */
		json_t *arr = json_array();
		char *copy = util_strdup(text), *p, *save = NULL;
		int rc;
		if (!arr || !copy) {
			json_decref(arr);
			free(copy);
			return ontra__error_oom();
		}
		for (p = copy; *p; p++)
			if (*p == '*' || *p == '/')
				*p = ',';
		for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			if (*util_trim(p) && json_array_append_new(arr, json_string(p)) < 0) {
				json_decref(arr); /* not a list with an option missing */
				free(copy);
				return ontra__error_oom();
			}
		}
		free(copy);
		rc = check_one(values, field, def, arr);
		json_decref(arr);
		return rc;
	} else {
		if (!util_utf8_valid(text, strlen(text)))
			return ontra__error(ONTRA_EINVALID,
			                    "invalid value for field '%s': not UTF-8 text", field);
		nv = json_string(text);
	}
	if (!nv)
		return ontra__error(ONTRA_EINVALID, "invalid value for field '%s'", field);
	return json_object_set_new(values, field, nv) < 0 ? ontra__error_oom() : 0;
}

/* Whether a label and what was typed match, any case, with ' ', '_' and '-' alike
 * ("shoe_size" for "Shoe size": a label as a shell word). */
static int label_loose_eq(const char *label, const char *typed)
{
	for (; *label && *typed; label++, typed++) {
		int a = (unsigned char)*label, b = (unsigned char)*typed;
		if (strchr(" _-", a) && strchr(" _-", b))
			continue;
		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != b)
			return 0;
	}
	return !*label && !*typed;
}

/* The field whose alias is `typed` ("First Name" -> "firstname"), or NULL; an exact
 * (any case) label first, then one with '_' or '-' for its spaces. */
static const char *field_by_alias(const json_t *fields, const char *typed)
{
	const char *name;
	json_t *def;
	int pass;

	for (pass = 0; pass < 2; pass++)
		json_object_foreach((json_t *)fields, name, def)
		{
			const char *alias = json_string_value(json_object_get(def, "alias"));
			if (alias &&
			    (pass ? label_loose_eq(alias, typed) : util_strieq(alias, typed)))
				return name;
		}
	return NULL;
}

/* A subscription field's ids or names in the API's stored form (subfield.c); else check_one. */
static int check_field(json_t *values, const char *field, const json_t *def, json_t *v)
{
	const char *type = json_string_value(json_object_get(def, "type"));

	if (type && strcmp(type, "subscription") == 0)
		return ontra__subscription_value(values, field, v);
	return check_one(values, field, def, v);
}

/* Whether every key of values names a field, by name or alias. */
static int all_known(const json_t *fields, const json_t *values)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)values, key, v) if (!json_object_get(fields, key) &&
	                                                  !field_by_alias(fields, key)) return 0;
	return 1;
}

int ontra_fields_check(ontra_client *c, int type, json_t *values)
{
	const json_t *fields, *def;
	const char *key, *tname;
	json_t *v, *renamed = NULL;
	void *tmp;
	int rc;

	if (!json_is_object(values))
		return ontra__error(ONTRA_EINVALID, "field values must be a JSON object");
	if ((rc = ontra_fields(&fields, c, type)) < 0)
		return rc;
	if (!all_known(fields, values)) {
		if ((rc = ontra__meta_recheck(c)) < 0)
			return rc;
		if (rc == 1 && (rc = ontra_fields(&fields, c, type)) < 0)
			return rc;
	}
	tname = ontra_object_type_name(c, type);
	json_object_foreach_safe(values, tmp, key, v)
	{
		const char *name = key;
		def = json_object_get(fields, key);
		if (!def && (name = field_by_alias(fields, key)) != NULL) {
			def = json_object_get(fields, name);
			if (json_object_get(values, name)) {
				json_decref(renamed);
				return ontra__error(ONTRA_EINVALID,
				                    "field '%s' is given twice (as '%s' and '%s')",
				                    name, name, key);
			}
		}
		if (!def) {
			const char *cands[1024], *near, *fname;
			json_t *d;
			size_t n = 0;
			json_object_foreach((json_t *)fields, fname, d) if (n < 1024) cands[n++] =
			    fname;
			near = util_nearest(key, cands, n);
			json_decref(renamed);
			return ontra__error(ONTRA_EINVALID, "unknown field '%s' for %s%s%s%s", key,
			                    tname ? tname : "this object type",
			                    near ? " (did you mean '" : "", near ? near : "",
			                    near ? "'?)" : ": see 'ontraport fields'");
		}
		{
			json_t *ed = json_object_get(def, "editable");
			if ((json_is_string(ed) && strcmp(json_string_value(ed), "0") == 0) ||
			    (json_is_integer(ed) && json_integer_value(ed) == 0) ||
			    json_is_false(ed)) {
				if (strcmp(name, "unique_id") != 0) {
					json_decref(renamed);
					return ontra__error(ONTRA_EINVALID,
					                    "field '%s' of %s is read-only", name,
					                    tname ? tname : "this object type");
				}
			}
		}
		if (name != key) {
			/* Move it under its real name after the loop (do not grow the object while
			 * iterating). */
			if (!renamed && !(renamed = json_object()))
				return ontra__error_oom();
			if (json_object_set(renamed, name, v) < 0) {
				json_decref(renamed); /* do not drop the value on the way */
				return ontra__error_oom();
			}
			json_object_del(values, key);
			continue;
		}
		if ((rc = check_field(values, name, def, v)) < 0) {
			json_decref(renamed);
			return rc;
		}
	}
	if (renamed) {
		json_object_foreach(renamed, key, v)
		{
			if ((rc = check_field(values, key, json_object_get(fields, key), v)) < 0) {
				json_decref(renamed);
				return rc;
			}
		}
		json_decref(renamed);
	}
	return 0;
}
