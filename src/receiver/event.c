/*
 * event: one webhook body in, one normalized event out. No I/O, so it can be
 * unit-tested and fuzzed alone; every input bound is checked here, before any
 * allocation proportional to the input's structure.
 *
 * The order of checks is the order of the HTTP answers a sender can get:
 * empty (400), too large (413), unsupported media type (415), bad bytes
 * (400), too deep or too many fields (400), malformed (400), not an event (400).
 */
#include "receiver.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

/* Hard ceiling on nesting whatever the caller's limits say: keeps the
 * pre-scan's container stack on the stack. */
#define RCV_DEPTH_CEILING 256
/* Longest event type accepted ("object_submits_form" is 19). */
#define RCV_MAX_TYPE 128
#define FORM_KEY_MAX 1024 /* bytes of a decoded form field name */

enum body_kind { KIND_JSON, KIND_FORM, KIND_SNIFF };

/*
 * Copy at most 60 bytes of untrusted text for an error line, replacing bytes
 * that could break the one-line contract or a terminal with '?'.
 */
static void printable(const char *s, char *out, size_t outsz)
{
	size_t i, n = 0;

	for (i = 0; s[i] && n + 1 < outsz && i < 60; i++) {
		unsigned char c = (unsigned char)s[i];
		out[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[n] = '\0';
}

/* Map a Content-Type header to a body kind; -1 for one we do not take. */
static int classify(const char *ct)
{
	char type[96];
	size_t n = 0;

	if (!ct)
		return KIND_SNIFF;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	while (ct[n] && ct[n] != ';' && ct[n] != ' ' && ct[n] != '\t' && n + 1 < sizeof type) {
		type[n] = ct[n];
		n++;
	}
	type[n] = '\0';
	if (n == 0 || util_strieq(type, "text/plain"))
		return KIND_SNIFF;
	if (util_strieq(type, "application/json") || util_strieq(type, "text/json"))
		return KIND_JSON;
	if (util_strnieq(type, "application/", 12) && n > 5 && util_strieq(type + n - 5, "+json"))
		return KIND_JSON;
	if (util_strieq(type, "application/x-www-form-urlencoded"))
		return KIND_FORM;
	return -1;
}

static int sniff(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return (i < n && (s[i] == '{' || s[i] == '[')) ? KIND_JSON : KIND_FORM;
}

/*
 * Walk JSON text without building anything, counting nesting and fields
 * (object members + array elements) outside strings, so that a hostile body
 * is refused before jansson recurses into it. Exact for valid JSON; for
 * invalid JSON the counts of the prefix jansson would read are never lower
 * than jansson's, which is all the bound needs.
 */
static int json_prescan(const char *s, size_t n, size_t max_depth, size_t max_fields, char *err,
                        size_t errsz)
{
	unsigned char is_array[RCV_DEPTH_CEILING];
	size_t depth = 0, fields = 0, i;
	int in_str = 0, esc = 0, fresh_array = 0;

	if (max_depth > RCV_DEPTH_CEILING)
		max_depth = RCV_DEPTH_CEILING;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (in_str) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (fresh_array) {
			fresh_array = 0;
			if (c != ']')
				fields++;
		}
		switch (c) {
		case '"':
			in_str = 1;
			break;
		case '{':
		case '[':
			if (depth >= max_depth)
				return util_errf(err, errsz, RCV_ELIMIT,
				                 "json nested deeper than %zu levels", max_depth);
			is_array[depth++] = c == '[';
			fresh_array = c == '[';
			break;
		case '}':
		case ']':
			if (depth > 0)
				depth--;
			break;
		case ':':
			fields++;
			break;
		case ',':
			if (depth > 0 && is_array[depth - 1])
				fields++;
			break;
		default:
			break;
		}
		if (fields > max_fields)
			return util_errf(err, errsz, RCV_ELIMIT, "json has more than %zu fields",
			                 max_fields);
	}
	return 0;
}

static int parse_json(json_t **out, const char *s, size_t n, const rcv_limits *lim, char *err,
                      size_t errsz)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	*out = NULL;
	rc = json_prescan(s, n, lim->max_depth, lim->max_fields, err, errsz);
	if (rc)
		return rc;
	root = util_json_loadb(s, n, JSON_DECODE_ANY, &jerr);
	if (!root) {
		char text[96];
		printable(jerr.text, text, sizeof text);
		if (err && errsz)
			snprintf(err, errsz, "malformed json at line %d column %d: %s", jerr.line,
			         jerr.column, text);
		return RCV_ESYNTAX;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return util_errf(err, errsz, RCV_ESHAPE, "json body is not an object");
	}
	*out = root;
	return 0;
}

static int parse_form(json_t **out, const char *s, size_t n, const rcv_limits *lim, char *err,
                      size_t errsz)
{
	/* The receiver counts the top level as a level (data[x] is 2); util_form counts brackets.
	 */
	util_form_limits fl = {lim->max_fields, lim->max_depth > 1 ? lim->max_depth - 1 : 0,
	                       FORM_KEY_MAX};
	int rc = util_form_decode(out, s, n, &fl, err, errsz);

	return rc == 0                     ? 0
	       : rc == UTIL_FORM_ELIMIT    ? RCV_ELIMIT
	       : rc == UTIL_FORM_EENCODING ? RCV_EENCODING
	                                   : RCV_ERROR;
}

/* A scalar as the string PHP's form encoding would have sent; NULL for others. */
static json_t *scalar_string(json_t *v)
{
	char num[64];

	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_incref(v);
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return json_string(num);
	case JSON_REAL: {
		char *s = json_dumps(v, JSON_ENCODE_ANY);
		json_t *r = s ? json_string(s) : NULL;
		free(s);
		return r;
	}
	case JSON_TRUE:
		return json_string("1");
	case JSON_FALSE:
		return json_string("0");
	default:
		return NULL;
	}
}

/* Set out[name] to the id-like top-level field: a string, a number, or null. */
static int take_id(json_t *out, json_t *root, const char *name, char *err, size_t errsz)
{
	json_t *v = json_object_get(root, name), *s;

	if (!v || json_is_null(v))
		return json_object_set_new(out, name, json_null()) ? RCV_ERROR : 0;
	if (!json_is_string(v) && !json_is_number(v))
		return util_errf(err, errsz, RCV_ESHAPE, "'%s' is not a string or number", name);
	s = scalar_string(v);
	if (!s || json_object_set_new(out, name, s))
		return RCV_ERROR;
	return 0;
}

static int take_event(json_t *out, json_t *root, char *err, size_t errsz)
{
	json_t *ev = json_object_get(root, "event"), *type, *nev, *v;
	const char *k;
	char key[64];

	if (!ev)
		return util_errf(err, errsz, RCV_ESHAPE,
		                 "missing 'event' (not an ontraport webhook body)");
	if (!json_is_object(ev))
		return util_errf(err, errsz, RCV_ESHAPE, "'event' is not an object");
	type = json_object_get(ev, "type");
	if (!json_is_string(type) || json_string_length(type) == 0)
		return util_errf(err, errsz, RCV_ESHAPE,
		                 "'event[type]' is missing or not a string");
	if (json_string_length(type) > RCV_MAX_TYPE)
		return util_errf(err, errsz, RCV_ESHAPE, "'event[type]' is too long");
	nev = json_object();
	if (!nev || json_object_set_new(out, "event", nev))
		return RCV_ERROR;
	json_object_foreach(ev, k, v)
	{
		json_t *s = json_is_null(v) ? json_null() : scalar_string(v);
		if (!s) {
			printable(k, key, sizeof key);
			return util_errf(err, errsz, RCV_ESHAPE, "'event[%s]' is not a scalar",
			                 key);
		}
		if (json_object_set_new(nev, k, s))
			return RCV_ERROR;
	}
	return 0;
}

static int take_data(json_t *out, json_t *root, char *err, size_t errsz)
{
	json_t *data = json_object_get(root, "data"), *nd, *v;
	const char *k;

	nd = json_object();
	if (!nd || json_object_set_new(out, "data", nd))
		return RCV_ERROR;
	/* Absent, null, or PHP's empty array ([] is how json_encode writes array()). */
	if (!data || json_is_null(data) || (json_is_array(data) && json_array_size(data) == 0))
		return 0;
	if (!json_is_object(data))
		return util_errf(err, errsz, RCV_ESHAPE, "'data' is not an object");
	json_object_foreach(data, k, v)
	{
		json_t *s;
		if (json_is_object(v) || json_is_array(v) || json_is_null(v))
			s = json_incref(v); /* kept as sent */
		else
			s = scalar_string(v);
		if (!s || json_object_set_new(nd, k, s))
			return RCV_ERROR;
	}
	return 0;
}

static int normalize_ontraport(json_t **out, json_t *root, const char *encoding, char *err,
                               size_t errsz)
{
	static const char *const known[] = {"webhook_id", "object_type_id", "timestamp", "event",
	                                    "data"};
	json_t *ev = json_object(), *extra = NULL, *v;
	const char *k;
	size_t i;
	int rc;

	*out = NULL;
	if (!ev)
		return RCV_ERROR;
	if ((rc = take_id(ev, root, "webhook_id", err, errsz)) ||
	    (rc = take_id(ev, root, "object_type_id", err, errsz)) ||
	    (rc = take_id(ev, root, "timestamp", err, errsz)) ||
	    (rc = take_event(ev, root, err, errsz)) || (rc = take_data(ev, root, err, errsz)))
		goto out;
	rc = RCV_ERROR;
	if (json_object_set_new(ev, "encoding", json_string(encoding)))
		goto out;
	json_object_foreach(root, k, v)
	{
		for (i = 0; i < sizeof known / sizeof known[0]; i++)
			if (strcmp(k, known[i]) == 0)
				break;
		if (i < sizeof known / sizeof known[0])
			continue;
		if (!extra && (!(extra = json_object()) || json_object_set_new(ev, "extra", extra)))
			goto out;
		if (json_object_set(extra, k, v))
			goto out;
	}
	*out = ev;
	return 0;
out:
	if (rc == RCV_ERROR && err && errsz)
		snprintf(err, errsz, "out of memory");
	json_decref(ev);
	return rc;
}

static int normalize_generic(json_t **out, json_t *root, const char *encoding)
{
	json_t *ev = json_pack("{s:s, s:O}", "encoding", encoding, "fields", root);

	*out = ev;
	return ev ? 0 : RCV_ERROR;
}

int rcv_body_parse(json_t **out, const char *body, size_t len, const char *content_type,
                   rcv_mode mode, const rcv_limits *limits, char *err, size_t errsz)
{
	rcv_limits lim = RCV_LIMITS_DEFAULT;
	json_t *root = NULL;
	const char *encoding;
	int kind, rc;

	*out = NULL;
	if (err && errsz)
		err[0] = '\0';
	if (limits) {
		/* A zero field means the default, never "no limit". */
		rcv_limits def = RCV_LIMITS_DEFAULT;
		lim = *limits;
		if (!lim.max_body)
			lim.max_body = def.max_body;
		if (!lim.max_depth)
			lim.max_depth = def.max_depth;
		if (!lim.max_fields)
			lim.max_fields = def.max_fields;
	}
	if (!body || len == 0)
		return util_errf(err, errsz, RCV_EEMPTY, "empty body");
	if (len > lim.max_body)
		return util_errf(err, errsz, RCV_ETOOLARGE, "body larger than %zu bytes",
		                 lim.max_body);
	kind = classify(content_type);
	if (kind < 0) {
		char ct[64];
		printable(content_type, ct, sizeof ct);
		return util_errf(err, errsz, RCV_EMEDIA, "unsupported content type '%s'", ct);
	}
	if (kind == KIND_SNIFF)
		kind = sniff(body, len);
	if (memchr(body, '\0', len))
		return util_errf(err, errsz, RCV_EENCODING, "body holds a nul byte");
	if (!util_utf8_valid(body, len))
		return util_errf(err, errsz, RCV_EENCODING, "body is not valid utf-8");

	if (kind == KIND_JSON) {
		encoding = "json";
		rc = parse_json(&root, body, len, &lim, err, errsz);
	} else {
		encoding = "form";
		rc = parse_form(&root, body, len, &lim, err, errsz);
	}
	if (rc)
		return rc;
	if (mode == RCV_MODE_GENERIC)
		rc = normalize_generic(out, root, encoding);
	else
		rc = normalize_ontraport(out, root, encoding, err, errsz);
	json_decref(root);
	if (rc == RCV_ERROR && err && errsz && !err[0])
		snprintf(err, errsz, "out of memory");
	return rc;
}
