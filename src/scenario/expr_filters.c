/*
 * expr_filters: the filters after '|' (docs/guide/scenarios.md lists them).
 * Each takes the input and its evaluated arguments and gives a new value,
 * or NULL with the error set; results are capped like every string.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "scen_expr_int.h"
#include "banned.h"

typedef json_t *(*filter_fn)(const ectx *c, const enode *f, json_t *in, json_t **args, int n);

static json_t *fail(const ectx *c, const enode *f, const char *what)
{
	scen_expr_fail(c->e, f->off, "%s: %s", f->name, what);
	return NULL;
}

/* The input as text, for the text filters; NULL (error set) for lists and objects. */
static char *text_of(const ectx *c, const enode *f, const json_t *v)
{
	if (json_is_array(v) || json_is_object(v)) {
		fail(c, f,
		     json_is_array(v) ? "expected text, got a list"
		                      : "expected text, got an object");
		return NULL;
	}
	return scen_expr_str(v);
}

static json_t *take_text(const ectx *c, const enode *f, char *s)
{
	json_t *r = s ? scen_expr_string(c, f->off, s, strlen(s)) : fail(c, f, "out of memory");
	free(s);
	return r;
}

static json_t *f_case(const ectx *c, const enode *f, json_t *in, json_t **a, int n)
{
	char *s = text_of(c, f, in), *p;

	if (!s)
		return NULL;
	for (p = s; *p; p++)
		*p = (char)(f->name[0] == 'l' ? tolower((unsigned char)*p)
		                              : toupper((unsigned char)*p));
	return take_text(c, f, s);
}

static json_t *f_trim(const ectx *c, const enode *f, json_t *in, json_t **a, int n)
{
	char *s = text_of(c, f, in);

	if (!s)
		return NULL;
	memmove(s, util_trim(s), strlen(util_trim(s)) + 1);
	return take_text(c, f, s);
}

static json_t *f_default(const ectx *c, const enode *f, json_t *in, json_t **a, int n)
{
	if (json_is_null(in) || (json_is_string(in) && !json_string_length(in)))
		return json_incref(a[0]);
	return json_incref(in);
}

static json_t *f_join(const ectx *c, const enode *f, json_t *in, json_t **a, int n)
{
	util_buf b = UTIL_BUF_INIT;
	char *sep = n ? text_of(c, f, a[0]) : strdup(","), *s;
	json_t *v, *r = NULL;
	size_t i;

	if (!json_is_array(in)) {
		free(sep);
		return json_is_null(in) ? json_string("") : take_text(c, f, text_of(c, f, in));
	}
	b.cap = SCEN_EXPR_MAX_STRING;
	json_array_foreach(in, i, v)
	{
		s = scen_expr_str(v);
		if (i)
			util_buf_puts(&b, sep ? sep : "");
		util_buf_puts(&b, s ? s : "");
		free(s);
	}
	r = util_buf_failed(&b) ? fail(c, f, "result too long")
	                        : scen_expr_string(c, f->off, b.data ? b.data : "", b.len);
	util_buf_release(&b);
	free(sep);
	return r;
}

static int split_into(json_t *r, const char *s, const char *sep)
{
	const char *p = s, *q;

	for (;;) {
		if (json_array_size(r) == SCEN_EXPR_MAX_ITEMS)
			return -1;
		q = strstr(p, sep);
		json_array_append_new(r, json_stringn(p, q ? (size_t)(q - p) : strlen(p)));
		if (!q)
			return 0;
		p = q + strlen(sep);
	}
}

static json_t *f_split(const ectx *c, const enode *f, json_t *in, json_t **a, int n)
{
	char *s = text_of(c, f, in), *sep = s ? text_of(c, f, a[0]) : NULL;
	json_t *r = NULL;

	if (sep && !*sep)
		fail(c, f, "the separator is empty");
	else if (sep && !*s)
		r = json_array();
	else if (sep && (r = json_array()) && split_into(r, s, sep) < 0) {
		json_decref(r);
		r = fail(c, f, "too many parts (at most 1000)");
	}
	free(s);
	free(sep);
	return r;
}

/* A time: epoch seconds (a number, or text of one) or an ISO date. */
static int epoch_of(const json_t *v, long long *t)
{
	double d;

	if (scen_expr_num(v, &d) && d > -1e12 && d < 1e12) {
		*t = (long long)d;
		return 0;
	}
	return json_is_string(v) ? util_parse_utc_date(json_string_value(v), t) : -1;
}

static json_t *f_date(const ectx *c, const enode *f, json_t *in, json_t **a, int n)
{
	char out[512];
	long long t;
	time_t tt;
	struct tm tm;
	const char *fmt = json_string_value(a[0]);
	size_t len;

	if (!fmt || strlen(fmt) > 128)
		return fail(c, f, "the format must be text of at most 128 characters");
	if (epoch_of(in, &t) < 0)
		return fail(c, f,
		            "expected epoch seconds or a date like 2026-12-07 or "
		            "2026-12-07T10:00:00Z");
	tt = (time_t)t;
	if (!gmtime_r(&tt, &tm))
		return fail(c, f, "date out of range");
		/* The user's format, by design: strftime writes at most sizeof out bytes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	len = strftime(out, sizeof out, fmt, &tm);
#pragma GCC diagnostic pop
	if (!len && *fmt)
		return fail(c, f, "the formatted date is too long");
	return scen_expr_string(c, f->off, out, len);
}

static json_t *f_json(const ectx *c, const enode *f, json_t *in, json_t **a, int n)
{
	return take_text(c, f, json_dumps(in, JSON_COMPACT | JSON_ENCODE_ANY));
}

static json_t *f_affix(const ectx *c, const enode *f, json_t *in, json_t **a, int n)
{
	char *s, *x;
	size_t ls, lx;
	int r;

	if (f->name[0] == 'c' && json_is_array(in)) {
		r = 0;
		for (size_t i = 0; i < json_array_size(in) && !r; i++)
			r = scen_expr_equal(json_array_get(in, i), a[0]);
		return json_boolean(r);
	}
	if (!(s = text_of(c, f, in)) || !(x = text_of(c, f, a[0]))) {
		free(s);
		return NULL;
	}
	ls = strlen(s);
	lx = strlen(x);
	if (f->name[0] == 'c')
		r = strstr(s, x) != NULL;
	else if (f->name[0] == 's')
		r = !strncmp(s, x, lx);
	else
		r = ls >= lx && !strcmp(s + ls - lx, x);
	free(s);
	free(x);
	return json_boolean(r);
}

static json_t *f_length(const ectx *c, const enode *f, json_t *in, json_t **a, int n)
{
	const char *s;
	size_t k = 0;

	if (json_is_array(in))
		return json_integer((json_int_t)json_array_size(in));
	if (json_is_object(in))
		return json_integer((json_int_t)json_object_size(in));
	if (json_is_null(in))
		return json_integer(0);
	if (!json_is_string(in))
		return fail(c, f, "expected text, a list or an object");
	for (s = json_string_value(in); *s; s++)
		k += ((unsigned char)*s & 0xC0) != 0x80; /* characters, not bytes */
	return json_integer((json_int_t)k);
}

/* ---- Ontraport helpers ---- */

static json_t *id_value(const char *s)
{
	long long v;

	if (util_parse_ll(s, 0, 1LL << 53, &v) == 0)
		return json_integer(v);
	return json_string(s);
}

static json_t *options_of(const ectx *c, const enode *f, json_t **a, int n)
{
	const char *field = json_string_value(a[0]);
	const char *type = n > 1 ? json_string_value(a[1]) : "contacts";
	json_t *opts = NULL;

	if (!field || !type)
		return fail(c, f, "the field (and the object type) must be text");
	if (!c->r || !c->r->field_options)
		return fail(c, f, "no account to resolve against");
	if (c->r->field_options(c->r->ud, type, field, &opts) < 0 || !json_is_object(opts)) {
		json_decref(opts);
		scen_expr_fail(c->e, f->off, "%s: no field '%s' with options in %s", f->name, field,
		               type);
		return NULL;
	}
	return opts;
}

static json_t *not_found(const ectx *c, const enode *f, const json_t *opts, const char *what,
                         const char *label)
{
	const char *names[64], *near, *k;
	json_t *v;
	size_t m = 0;

	json_object_foreach((json_t *)opts, k, v)
	{
		if (m < 64)
			names[m++] = what[0] == 'l' ? json_string_value(v) : k;
	}
	near = label ? util_nearest(label, names, m) : NULL;
	scen_expr_fail(c->e, f->off, "%s: no option %s '%.80s'%s%s%s", f->name, what,
	               label ? label : "", near ? " (did you mean '" : "", near ? near : "",
	               near ? "'?)" : "");
	return NULL;
}

static json_t *f_label_to_id(const ectx *c, const enode *f, json_t *in, json_t **a, int n)
{
	json_t *opts = options_of(c, f, a, n), *v, *r = NULL;
	const char *k, *label = json_string_value(in);

	if (!opts)
		return NULL;
	json_object_foreach(opts, k, v)
	{
		if (!r && label && json_is_string(v) && util_strieq(json_string_value(v), label))
			r = id_value(k);
	}
	if (!r)
		not_found(c, f, opts, "labelled", label);
	json_decref(opts);
	return r;
}

static json_t *f_id_to_label(const ectx *c, const enode *f, json_t *in, json_t **a, int n)
{
	json_t *opts = options_of(c, f, a, n), *r;
	char *id = opts ? text_of(c, f, in) : NULL;

	if (!id) {
		json_decref(opts);
		return NULL;
	}
	r = json_object_get(opts, id);
	r = r ? json_incref(r) : not_found(c, f, opts, "with id", id);
	free(id);
	json_decref(opts);
	return r;
}

static json_t *f_tag_id(const ectx *c, const enode *f, json_t *in, json_t **a, int n)
{
	json_t *r = NULL;

	if (!json_is_string(in))
		return fail(c, f, "expected a tag name");
	if (!c->r || !c->r->tag_id)
		return fail(c, f, "no account to resolve against");
	if (c->r->tag_id(c->r->ud, json_string_value(in), &r) < 0) {
		scen_expr_fail(c->e, f->off, "tag_id: no tag named '%.80s'", json_string_value(in));
		return NULL;
	}
	return r;
}

/* A list for Ontraport's list fields: [1, 2] -> "* / *1* / *2* / *" without the spaces. */
static json_t *f_to_list(const ectx *c, const enode *f, json_t *in, json_t **a, int n)
{
	util_buf b = UTIL_BUF_INIT;
	json_t *v, *r;
	size_t i;
	char *s;
	int bad = 0;

	if (json_is_null(in) || (json_is_array(in) && !json_array_size(in)))
		return json_string("");
	if (!json_is_array(in)) {
		json_t *one = json_pack("[O]", in);
		r = one ? f_to_list(c, f, one, a, n) : fail(c, f, "out of memory");
		json_decref(one);
		return r;
	}
	b.cap = SCEN_EXPR_MAX_STRING;
	util_buf_puts(&b, "*/*");
	json_array_foreach(in, i, v)
	{
		s = json_is_array(v) || json_is_object(v) ? NULL : scen_expr_str(v);
		bad |= !s || strstr(s, "*/*") != NULL;
		util_buf_puts(&b, s ? s : "");
		util_buf_puts(&b, "*/*");
		free(s);
	}
	r = bad                   ? fail(c, f, "items must be plain values without '*/*'")
	    : util_buf_failed(&b) ? fail(c, f, "result too long")
	                          : scen_expr_string(c, f->off, b.data, b.len);
	util_buf_release(&b);
	return r;
}

static json_t *f_from_list(const ectx *c, const enode *f, json_t *in, json_t **a, int n)
{
	char *s, *p, *q;
	json_t *r;

	if (json_is_null(in))
		return json_array();
	if (!(s = text_of(c, f, in)) || !(r = json_array())) {
		free(s);
		return NULL;
	}
	for (p = s; *p;) {
		q = strstr(p, "*/*");
		if (q)
			*q = '\0';
		if (*p && json_array_size(r) < SCEN_EXPR_MAX_ITEMS)
			json_array_append_new(r, id_value(p));
		if (!q)
			break;
		p = q + 3;
	}
	free(s);
	return r;
}

static const struct filter {
	const char *name;
	int min, max;
	filter_fn fn;
} filters[] = {
    {"lower", 0, 0, f_case},
    {"upper", 0, 0, f_case},
    {"trim", 0, 0, f_trim},
    {"default", 1, 1, f_default},
    {"join", 0, 1, f_join},
    {"split", 1, 1, f_split},
    {"date", 1, 1, f_date},
    {"json", 0, 0, f_json},
    {"ends_with", 1, 1, f_affix},
    {"starts_with", 1, 1, f_affix},
    {"contains", 1, 1, f_affix},
    {"length", 0, 0, f_length},
    {"label_to_id", 1, 2, f_label_to_id},
    {"id_to_label", 1, 2, f_id_to_label},
    {"tag_id", 0, 0, f_tag_id},
    {"to_list", 0, 0, f_to_list},
    {"from_list", 0, 0, f_from_list},
};
#define NFILTERS (sizeof filters / sizeof *filters)

static const struct filter *find_filter(const char *name)
{
	size_t i;

	for (i = 0; i < NFILTERS; i++)
		if (!strcmp(filters[i].name, name))
			return &filters[i];
	return NULL;
}

int scen_expr_check_filter(const enode *f, int nargs, scen_experr *e)
{
	const struct filter *d = find_filter(f->name);
	const char *names[NFILTERS], *near;
	size_t i;

	if (!d) {
		for (i = 0; i < NFILTERS; i++)
			names[i] = filters[i].name;
		near = util_nearest(f->name, names, NFILTERS);
		return scen_expr_fail(e, f->off, "unknown filter '%s'%s%s%s", f->name,
		                      near ? " (did you mean '" : "", near ? near : "",
		                      near ? "'?)" : "");
	}
	if (nargs < d->min || nargs > d->max) {
		if (d->min == d->max)
			return scen_expr_fail(e, f->off, "%s takes %d argument%s, not %d", f->name,
			                      d->min, d->min == 1 ? "" : "s", nargs);
		return scen_expr_fail(e, f->off, "%s takes %d to %d arguments, not %d", f->name,
		                      d->min, d->max, nargs);
	}
	return 0;
}

json_t *scen_expr_apply_filter(const ectx *c, const enode *f, json_t *input, json_t **args,
                               int nargs)
{
	return find_filter(f->name)->fn(c, f, input, args, nargs);
}
