/* req: the request record and the unification of query + body parameters. */
#include "sbx_req.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

void sbx_req_init(sbx_req *r, size_t max_body)
{
	memset(r, 0, sizeof *r);
	r->body.cap = max_body ? max_body : SBX_MAX_BODY_DEFAULT;
}

void sbx_req_release(sbx_req *r)
{
	free(r->args);
	r->args = NULL;
	r->nargs = r->args_alloc = 0;
	util_buf_release(&r->body);
	json_decref(r->params);
	r->params = NULL;
}

int sbx_req_add_header(sbx_req *r, const char *name, const char *value)
{
	if (r->nheaders >= SBX_MAX_HEADERS) {
		r->headers_overflow = 1;
		return -1;
	}
	r->headers[r->nheaders].key = name;
	r->headers[r->nheaders].value = value ? value : "";
	r->nheaders++;
	return 0;
}

int sbx_req_add_arg(sbx_req *r, const char *key, const char *value)
{
	if (r->nargs >= SBX_MAX_ARGS) {
		r->args_overflow = 1;
		return -1;
	}
	if (r->nargs == r->args_alloc) {
		size_t n = r->args_alloc ? r->args_alloc * 2 : 16;
		sbx_kv *p = realloc(r->args, n * sizeof *p);
		if (!p) {
			r->args_overflow = 1;
			return -1;
		}
		r->args = p;
		r->args_alloc = n;
	}
	r->args[r->nargs].key = key;
	r->args[r->nargs].value = value;
	r->nargs++;
	return 0;
}

const char *sbx_req_header(const sbx_req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (util_strieq(r->headers[i].key, name))
			return r->headers[i].value;
	return NULL;
}

int sbx_json_depth_ok(const json_t *v, int max_depth)
{
	size_t i;
	const char *k;
	json_t *child;

	if (!json_is_array(v) && !json_is_object(v))
		return 1;
	if (max_depth <= 0)
		return 0;
	if (json_is_array(v)) {
		json_array_foreach(v, i,
		                   child) if (!sbx_json_depth_ok(child, max_depth - 1)) return 0;
	} else {
		/* json_object_foreach needs a non-const object; it does not modify it. */
		json_t *o = (json_t *)v;
		json_object_foreach(o, k,
		                    child) if (!sbx_json_depth_ok(child, max_depth - 1)) return 0;
	}
	return 1;
}

/* Whether the Content-Type's media type (before any ';') is `type`. */
static int media_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	if (!ct)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (!util_strnieq(ct, type, n))
		return 0;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static int is_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/* Parse the body as a JSON object. 1 = not JSON at all (only when lenient). */
static int body_json(const util_buf *b, json_t **out, int lenient, sbx_err *e)
{
	json_error_t je;
	json_t *v = util_json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES, &je);

	*out = NULL;
	if (!v) {
		if (lenient)
			return 1;
		return sbx_err_set(e, 400, "Malformed JSON body: %s (line %d, column %d)", je.text,
		                   je.line, je.column);
	}
	if (!json_is_object(v)) {
		json_decref(v);
		if (lenient)
			return 1;
		return sbx_err_set(e, 400, "Invalid JSON body: expected an object of parameters");
	}
	if (!sbx_json_depth_ok(v, SBX_MAX_JSON_DEPTH)) {
		json_decref(v);
		return sbx_err_set(e, 400, "Invalid JSON body: nested deeper than %d levels",
		                   SBX_MAX_JSON_DEPTH);
	}
	*out = v;
	return 0;
}

static int body_form(const util_buf *b, json_t **out, sbx_err *e)
{
	char why[128];

	if (util_form_decode(out, b->data, b->len, NULL, why, sizeof why) < 0)
		return sbx_err_set(e, 400, "Invalid form body: %s", why);
	return 0;
}

int sbx_req_parse_params(sbx_req *r, sbx_err *e)
{
	const char *ct = sbx_req_header(r, "Content-Type");
	json_t *params = NULL, *body = NULL;
	char why[128];
	int rc;

	json_decref(r->params);
	r->params = NULL;
	if (r->args_overflow)
		return sbx_err_set(e, 400, "Too many query parameters (at most %d)", SBX_MAX_ARGS);
	if (r->query && *r->query) {
		if (util_form_decode(&params, r->query, strlen(r->query), NULL, why, sizeof why) <
		    0)
			return sbx_err_set(e, 400, "Invalid query string: %s", why);
	} else {
		params = json_object();
		if (!params)
			return sbx_err_set(e, 500, "out of memory");
	}
	if (r->body.len && !is_blank(r->body.data, r->body.len)) {
		if (!util_utf8_valid(r->body.data, r->body.len)) {
			json_decref(params);
			return sbx_err_set(e, 400, "Invalid body: not valid UTF-8");
		}
		if (media_is(ct, "application/json"))
			rc = body_json(&r->body, &body, 0, e);
		else if (media_is(ct, "application/x-www-form-urlencoded"))
			rc = body_form(&r->body, &body, e);
		else if ((rc = body_json(&r->body, &body, 1, e)) == 1)
			rc = body_form(&r->body, &body, e);
		if (rc < 0) {
			json_decref(params);
			return -1;
		}
		if (json_object_update(params, body) < 0) {
			json_decref(body);
			json_decref(params);
			return sbx_err_set(e, 500, "out of memory");
		}
		json_decref(body);
	}
	r->params = params;
	return 0;
}
