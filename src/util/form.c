#include "form.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

char *util_form_unescape(const char *s, size_t n, size_t *outlen)
{
	char *tmp, *res, *copy;
	int olen = 0;
	size_t i;

	if (n > (size_t)0x7fffffff)
		return NULL;
	tmp = util_strndup(s, n);
	if (!tmp)
		return NULL;
	for (i = 0; i < n; i++)
		if (tmp[i] == '+')
			tmp[i] = ' ';
	res = curl_easy_unescape(NULL, tmp, (int)n, &olen);
	free(tmp);
	if (!res)
		return NULL;
	/* Hand back memory from our allocator, not curl's. */
	copy = util_strndup(res, (size_t)olen);
	curl_free(res);
	if (copy && outlen)
		*outlen = (size_t)olen;
	return copy;
}

/* Split a decoded key "a[b][c]" into its path; returns the segment count or -1. */
static int split_key(const char *key, size_t klen, const char **seg, size_t *seglen,
                     size_t maxseg)
{
	const char *p = memchr(key, '[', klen), *end = key + klen;
	size_t n = 0;

	if (!p || p == key) {
		/* No brackets, or a key that starts with one: a plain name. */
		seg[0] = key;
		seglen[0] = klen;
		return 1;
	}
	seg[n] = key;
	seglen[n++] = (size_t)(p - key);
	while (p < end && *p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (!close) {
			if (n == 1) { /* "a[b": no bracket pair at all, a plain name */
				seglen[0] = klen;
				return 1;
			}
			break; /* a trailing unclosed bracket is dropped, as PHP does */
		}
		if (n >= maxseg)
			return -1;
		seg[n] = p + 1;
		seglen[n++] = (size_t)(close - p - 1);
		p = close + 1;
	}
	return (int)n;
}

/*
 * Make arrays of objects whose keys are exactly "0".."n-1", recursively.
 * Returns v itself, or a new array (a new reference) that the caller stores
 * in v's place; v is borrowed and never released here.
 */
static json_t *arrayify(json_t *v, size_t depth)
{
	const char *k;
	json_t *child, *arr;
	size_t n, i;
	char idx[32];

	if (!json_is_object(v) || depth > 64)
		return v;
	json_object_foreach(v, k, child) {
		json_t *c2 = arrayify(child, depth + 1);
		if (c2 != child)
			json_object_set_new(v, k, c2);
	}
	n = json_object_size(v);
	if (n == 0)
		return v;
	for (i = 0; i < n; i++) {
		snprintf(idx, sizeof idx, "%zu", i);
		if (!json_object_get(v, idx))
			return v;
	}
	arr = json_array();
	if (!arr)
		return v;
	for (i = 0; i < n; i++) {
		snprintf(idx, sizeof idx, "%zu", i);
		json_array_append(arr, json_object_get(v, idx));
	}
	/* v stays owned by its parent, which drops it when the caller stores arr in its place. */
	return arr;
}

static void seterr(char *err, size_t errsz, const char *msg, const char *key)
{
	if (err && errsz)
		snprintf(err, errsz, "%s%s%.60s%s", msg, key ? " '" : "", key ? key : "",
		         key ? "'" : "");
}

int util_form_decode(json_t **out, const char *s, size_t len,
                     const util_form_limits *limits, char *err, size_t errsz)
{
	util_form_limits lim = UTIL_FORM_LIMITS_DEFAULT;
	json_t *root;
	const char *p = s, *end = s + len;
	size_t pairs = 0;

	*out = NULL;
	if (limits)
		lim = *limits;
	root = json_object();
	if (!root) {
		seterr(err, errsz, "out of memory", NULL);
		return -1;
	}
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pe = amp ? amp : end, *eq;
		const char *seg[64];
		size_t seglen[64], klen, vlen;
		char *key = NULL, *val = NULL;
		json_t *cur, *jv;
		int nseg, i;

		if (pe == p) { /* empty pair ("a=1&&b=2") */
			p = pe + 1;
			continue;
		}
		if (++pairs > lim.max_pairs) {
			seterr(err, errsz, "too many form fields", NULL);
			goto fail;
		}
		eq = memchr(p, '=', (size_t)(pe - p));
		key = util_form_unescape(p, (size_t)((eq ? eq : pe) - p), &klen);
		val = eq ? util_form_unescape(eq + 1, (size_t)(pe - eq - 1), &vlen)
		         : util_strdup("");
		if (!eq)
			vlen = 0;
		if (!key || !val) {
			free(key);
			free(val);
			seterr(err, errsz, "out of memory", NULL);
			goto fail;
		}
		if (klen == 0) {
			free(key);
			free(val);
			p = amp ? amp + 1 : end;
			continue; /* "=value": PHP drops it */
		}
		if (klen > lim.max_key || memchr(key, '\0', klen)) {
			seterr(err, errsz, klen > lim.max_key ? "form field name too long"
			                                      : "form field name holds a NUL byte",
			       NULL);
			free(key);
			free(val);
			goto fail;
		}
		if (!util_utf8_valid(val, vlen) || !util_utf8_valid(key, klen)) {
			seterr(err, errsz, "invalid UTF-8 in form field", key);
			free(key);
			free(val);
			goto fail;
		}
		nseg = split_key(key, klen,
		                 seg, seglen,
		                 lim.max_depth + 1 < 64 ? lim.max_depth + 1 : 64);
		if (nseg < 0) {
			seterr(err, errsz, "form field nested too deeply", key);
			free(key);
			free(val);
			goto fail;
		}
		jv = json_stringn(val, vlen);
		if (!jv) {
			seterr(err, errsz, "invalid form value", key);
			free(key);
			free(val);
			goto fail;
		}
		cur = root;
		for (i = 0; i < nseg; i++) {
			char name[1100];
			int last = i == nseg - 1;
			json_t *next;

			if (seglen[i] == 0 && i > 0) /* "a[]": next index */
				snprintf(name, sizeof name, "%zu", json_object_size(cur));
			else
				snprintf(name, sizeof name, "%.*s", (int)seglen[i], seg[i]);
			if (last) {
				json_object_set(cur, name, jv);
				break;
			}
			next = json_object_get(cur, name);
			if (!json_is_object(next)) {
				next = json_object();
				if (!next || json_object_set_new(cur, name, next) < 0) {
					json_decref(jv);
					free(key);
					free(val);
					seterr(err, errsz, "out of memory", NULL);
					goto fail;
				}
			}
			cur = next;
		}
		json_decref(jv);
		free(key);
		free(val);
		p = amp ? amp + 1 : end;
	}
	{
		/* The top level stays an object even when its keys are 0..n-1. */
		const char *k;
		json_t *child;
		json_object_foreach(root, k, child) {
			json_t *c2 = arrayify(child, 1);
			if (c2 != child)
				json_object_set_new(root, k, c2);
		}
	}
	*out = root;
	return 0;
fail:
	json_decref(root);
	return -1;
}
