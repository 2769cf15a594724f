#include "form.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "banned.h"

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
static int split_key(const char *key, size_t klen, const char **seg, size_t *seglen, size_t maxseg)
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
	json_object_foreach(v, k, child)
	{
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

/* At most 40 bytes of a decoded key, control characters as '?', for an error line. */
static const char *shown(const char *key, size_t klen, char *out, size_t outsz)
{
	size_t i, n = 0;

	for (i = 0; i < klen && i < 40 && n + 1 < outsz; i++) {
		unsigned char c = (unsigned char)key[i];
		out[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[n] = '\0';
	return out;
}

/* Set tree[path] = val (borrowed). Returns 0 or UTIL_FORM_ENOMEM. */
static int place(json_t *root, const char *const *seg, const size_t *seglen, int nseg, json_t *val)
{
	json_t *cur = root;
	char idx[24];
	int i;

	for (i = 0; i < nseg; i++) {
		const char *name = seg[i];
		size_t nlen = seglen[i];
		json_t *next;

		if (nlen == 0 && i > 0) { /* "a[]": the next index */
			nlen = (size_t)snprintf(idx, sizeof idx, "%zu", json_object_size(cur));
			name = idx;
		}
		if (i == nseg - 1)
			return json_object_setn(cur, name, nlen, val) ? UTIL_FORM_ENOMEM : 0;
		next = json_object_getn(cur, name, nlen);
		if (!json_is_object(next)) {
			/* A plain value given earlier under this name becomes a group, as in PHP.
			 */
			next = json_object();
			if (!next || json_object_setn_new(cur, name, nlen, next))
				return UTIL_FORM_ENOMEM;
		}
		cur = next;
	}
	return UTIL_FORM_ENOMEM;
}

int util_form_decode(json_t **out, const char *s, size_t len, const util_form_limits *limits,
                     char *err, size_t errsz)
{
	util_form_limits lim = UTIL_FORM_LIMITS_DEFAULT;
	json_t *root;
	const char *p = s, *end = s ? s + len : s; /* an empty body may come as NULL, 0 */
	size_t pairs = 0, maxseg;
	int rc = 0;

	*out = NULL;
	if (limits)
		lim = *limits;
	maxseg = lim.max_depth + 1 < 64 ? lim.max_depth + 1 : 64;
	root = json_object();
	if (!root)
		return util_errf(err, errsz, UTIL_FORM_ENOMEM, "out of memory");
	while (p < end && rc == 0) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pe = amp ? amp : end, *eq;
		const char *seg[64];
		size_t seglen[64], klen = 0, vlen = 0;
		char *key, *val, name[48];
		int nseg;

		if (pe == p) { /* empty pair ("a=1&&b=2") */
			p = pe + 1;
			continue;
		}
		if (++pairs > lim.max_pairs) {
			rc = util_errf(err, errsz, UTIL_FORM_ELIMIT,
			               "form body has more than %zu fields", lim.max_pairs);
			break;
		}
		eq = memchr(p, '=', (size_t)(pe - p));
		key = util_form_unescape(p, (size_t)((eq ? eq : pe) - p), &klen);
		val =
		    eq ? util_form_unescape(eq + 1, (size_t)(pe - eq - 1), &vlen) : util_strdup("");
		p = amp ? amp + 1 : end;
		if (!key || !val) {
			rc = util_errf(err, errsz, UTIL_FORM_ENOMEM, "out of memory");
		} else if (klen == 0) {
			/* "=value": PHP drops it */
		} else if (klen > lim.max_key) {
			rc = util_errf(err, errsz, UTIL_FORM_ELIMIT,
			               "form field name longer than %zu bytes", lim.max_key);
		} else if (memchr(key, '\0', klen)) {
			rc = util_errf(err, errsz, UTIL_FORM_EENCODING,
			               "form field name holds a nul byte");
		} else if (memchr(val, '\0', vlen)) {
			/* As JSON's \u0000 is refused: a C string would store it cut short. */
			rc = util_errf(err, errsz, UTIL_FORM_EENCODING,
			               "form field '%s' holds a nul byte (%%00): text only",
			               shown(key, klen, name, sizeof name));
		} else if (!util_utf8_valid(key, klen) || !util_utf8_valid(val, vlen)) {
			rc = util_errf(err, errsz, UTIL_FORM_EENCODING,
			               "invalid utf-8 in form field '%s'",
			               shown(key, klen, name, sizeof name));
		} else if ((nseg = split_key(key, klen, seg, seglen, maxseg)) < 0) {
			rc = util_errf(err, errsz, UTIL_FORM_ELIMIT,
			               "form field '%s' nested deeper than %zu levels",
			               shown(key, klen, name, sizeof name), maxseg);
		} else {
			json_t *jv = json_stringn(val, vlen);
			rc = jv ? place(root, seg, seglen, nseg, jv) : UTIL_FORM_ENOMEM;
			json_decref(jv);
			if (rc)
				util_errf(err, errsz, rc, "out of memory");
		}
		free(key);
		free(val);
	}
	if (rc == 0) {
		/* The top level stays an object even when its keys are 0..n-1. */
		const char *k;
		json_t *child;
		json_object_foreach(root, k, child)
		{
			json_t *c2 = arrayify(child, 1);
			if (!c2) {
				rc = util_errf(err, errsz, UTIL_FORM_ENOMEM, "out of memory");
				break;
			}
			if (c2 != child && json_object_set_new(root, k, c2)) {
				rc = util_errf(err, errsz, UTIL_FORM_ENOMEM, "out of memory");
				break;
			}
		}
	}
	if (rc) {
		json_decref(root);
		return rc;
	}
	*out = root;
	return 0;
}

/* ---- encoding ---- */

/* PHP's urlencode(): letters, digits and -_. stay; space is '+'; the rest %XX. */
static void urlencode(util_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '_' || c == '.') {
			util_buf_putc(b, (char)c);
		} else if (c == ' ') {
			util_buf_putc(b, '+');
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			util_buf_append(b, e, 3);
		}
	}
}

void util_form_pair(util_buf *b, const char *prefix, const char *key, const char *value,
                    size_t vlen)
{
	if (b->len)
		util_buf_putc(b, '&');
	if (prefix) {
		urlencode(b, prefix, strlen(prefix));
		util_buf_puts(b, "%5B");
	}
	urlencode(b, key, strlen(key));
	if (prefix)
		util_buf_puts(b, "%5D");
	util_buf_putc(b, '=');
	urlencode(b, value, vlen);
}
