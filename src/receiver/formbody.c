/*
 * formbody: an application/x-www-form-urlencoded body as a JSON tree, with
 * PHP's bracket keys expanded, as Ontraport (PHP) writes webhook bodies:
 *
 *   event[type]=sub_tag&data[firstname]=Mary -> {"event":{"type":"sub_tag"},
 *                                                "data":{"firstname":"Mary"}}
 *   ids[]=1&ids[]=2 (or ids[0]=1&ids[1]=2)     -> {"ids":["1","2"]}
 *
 * The same rules as util_form_decode (every value a string; a key given twice
 * keeps its last value; an object below the top whose keys are exactly
 * "0".."n-1" becomes an array), written here because util_form_decode on
 * this branch's base frees a still-referenced object when it makes such an
 * array (a use-after-free reachable from any sender; fixed on main since, see
 * docs/receiver.md), and so that limits and bad bytes come back as RCV_E*
 * codes rather than as message text. No I/O; every bound checked.
 */
#include "formbody.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "str.h"

#define MAX_KEY 1024

static int fail(char *err, size_t errsz, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errsz, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errsz) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* At most 40 bytes of a decoded key, controls shown as '?', for an error line. */
static void shown(const char *key, size_t klen, char *out, size_t outsz)
{
	size_t i, n = 0;

	for (i = 0; i < klen && i < 40 && n + 1 < outsz; i++) {
		unsigned char c = (unsigned char)key[i];
		out[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[n] = '\0';
}

typedef struct seg {
	const char *p;
	size_t n;
} seg;

/*
 * Split "name[a][b]" into segments. A key without a closed bracket pair (or
 * starting with '[') is one plain name; text after the last closed pair is
 * dropped, as PHP does. Returns the count, or -1 past max segments.
 */
static int split_key(const char *key, size_t klen, seg *segs, size_t max)
{
	const char *open = memchr(key, '[', klen), *end = key + klen, *p;
	size_t n = 0;

	if (!open || open == key || !memchr(open, ']', (size_t)(end - open))) {
		segs[0].p = key;
		segs[0].n = klen;
		return 1;
	}
	segs[n].p = key;
	segs[n++].n = (size_t)(open - key);
	for (p = open; p < end && *p == '[';) {
		const char *close = memchr(p, ']', (size_t)(end - p));
		if (!close)
			break;
		if (n >= max)
			return -1;
		segs[n].p = p + 1;
		segs[n++].n = (size_t)(close - p - 1);
		p = close + 1;
	}
	return (int)n;
}

/* Set tree[path] = val (stolen). Returns 0 or RCV_ERROR (out of memory). */
static int place(json_t *root, const seg *segs, int nseg, json_t *val)
{
	json_t *cur = root;
	char idx[24];
	int i;

	for (i = 0; i < nseg; i++) {
		const char *name = segs[i].p;
		size_t nlen = segs[i].n;
		json_t *next;

		if (nlen == 0 && i > 0) { /* "a[]": the next index */
			nlen = (size_t)snprintf(idx, sizeof idx, "%zu", json_object_size(cur));
			name = idx;
		}
		if (i == nseg - 1)
			return json_object_setn_new(cur, name, nlen, val) ? RCV_ERROR : 0;
		next = json_object_getn(cur, name, nlen);
		if (!json_is_object(next)) {
			/* A scalar given earlier under this name is replaced, as in PHP. */
			next = json_object();
			if (!next || json_object_setn_new(cur, name, nlen, next)) {
				json_decref(val);
				return RCV_ERROR;
			}
		}
		cur = next;
	}
	json_decref(val);
	return RCV_ERROR;
}

static int is_index_object(json_t *o)
{
	size_t n = json_object_size(o), i;
	char idx[24];

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		snprintf(idx, sizeof idx, "%zu", i);
		if (!json_object_get(o, idx))
			return 0;
	}
	return 1;
}

/*
 * Turn every object below `obj` whose keys are exactly 0..n-1 into an array,
 * children first. The array takes its own references to the elements; the
 * replaced object is released by json_object_set_new, once, by its owner.
 * Recursion depth is bounded by the caller's nesting limit.
 */
static int arrayify_below(json_t *obj)
{
	const char *k;
	json_t *child;

	json_object_foreach(obj, k, child)
	{
		json_t *arr;
		size_t i, n;
		char idx[24];

		if (!json_is_object(child))
			continue;
		if (arrayify_below(child))
			return RCV_ERROR;
		if (!is_index_object(child))
			continue;
		n = json_object_size(child);
		arr = json_array();
		if (!arr)
			return RCV_ERROR;
		for (i = 0; i < n; i++) {
			snprintf(idx, sizeof idx, "%zu", i);
			if (json_array_append(arr, json_object_get(child, idx))) {
				json_decref(arr);
				return RCV_ERROR;
			}
		}
		/* Replacing the value of an existing key keeps the iteration valid. */
		if (json_object_set_new(obj, k, arr))
			return RCV_ERROR;
	}
	return 0;
}

int rcv_form_parse(json_t **out, const char *s, size_t len, size_t max_fields, size_t max_depth,
                   char *err, size_t errsz)
{
	seg segs[64];
	size_t max_segs = max_depth < 1 ? 1 : (max_depth > 64 ? 64 : max_depth);
	const char *p = s, *end = s + len;
	size_t pairs = 0;
	json_t *root;
	int rc = 0;

	*out = NULL;
	root = json_object();
	if (!root)
		return fail(err, errsz, RCV_ERROR, "out of memory");
	while (p < end && rc == 0) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pe = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(pe - p));
		char *key = NULL, *val = NULL, name[48];
		size_t klen = 0, vlen = 0;
		int nseg;

		if (pe == p) { /* "a=1&&b=2" */
			p = pe + 1;
			continue;
		}
		if (++pairs > max_fields) {
			rc = fail(err, errsz, RCV_ELIMIT, "form body has more than %zu fields",
			          max_fields);
			break;
		}
		key = util_form_unescape(p, (size_t)((eq ? eq : pe) - p), &klen);
		val =
		    eq ? util_form_unescape(eq + 1, (size_t)(pe - eq - 1), &vlen) : util_strdup("");
		p = amp ? amp + 1 : end;
		if (!key || !val) {
			rc = fail(err, errsz, RCV_ERROR, "out of memory");
		} else if (klen == 0) {
			/* "=value": PHP drops it */
		} else if (klen > MAX_KEY) {
			rc = fail(err, errsz, RCV_ELIMIT, "form field name longer than %d bytes",
			          MAX_KEY);
		} else if (memchr(key, '\0', klen)) {
			rc = fail(err, errsz, RCV_EENCODING, "form field name holds a nul byte");
		} else if (!util_utf8_valid(key, klen) || !util_utf8_valid(val, vlen)) {
			shown(key, klen, name, sizeof name);
			rc = fail(err, errsz, RCV_EENCODING, "invalid utf-8 in form field '%s'",
			          name);
		} else if ((nseg = split_key(key, klen, segs, max_segs)) < 0) {
			shown(key, klen, name, sizeof name);
			rc = fail(err, errsz, RCV_ELIMIT,
			          "form field '%s' nested deeper than %zu levels", name, max_depth);
		} else {
			json_t *v = json_stringn(val, vlen);
			rc = v ? place(root, segs, nseg, v) : RCV_ERROR;
			if (rc)
				fail(err, errsz, rc, "out of memory");
		}
		free(key);
		free(val);
	}
	if (rc == 0 && arrayify_below(root))
		rc = fail(err, errsz, RCV_ERROR, "out of memory");
	if (rc) {
		json_decref(root);
		return rc;
	}
	*out = root;
	return 0;
}
