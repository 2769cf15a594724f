/*
 * form: application/x-www-form-urlencoded (and query string) decoding into a
 * JSON tree, with PHP's bracket notation expanded, as Ontraport and its
 * clients write it:
 *
 *   a=1&b=x+y            -> {"a":"1","b":"x y"}
 *   ids[0]=1&ids[1]=2    -> {"ids":["1","2"]}
 *   ids[]=1&ids[]=2      -> {"ids":["1","2"]}
 *   data[firstname]=Mary -> {"data":{"firstname":"Mary"}}
 *
 * Every value is a JSON string. A key given twice keeps the last value (as
 * PHP does). An object whose keys are exactly "0".."n-1" becomes an array.
 * The parser does no I/O and has hard limits, so it can be fuzzed alone.
 */
#ifndef UTIL_FORM_H
#define UTIL_FORM_H

#include "util_names.h"

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

typedef struct util_form_limits {
	size_t max_pairs; /* key=value pairs */
	size_t max_depth; /* bracket nesting: a[b][c] is 2; never more than 63 */
	size_t max_key;   /* decoded key length */
} util_form_limits;

#define UTIL_FORM_LIMITS_DEFAULT                                                                   \
	{                                                                                          \
		10000, 16, 1024                                                                    \
	}

/* Why a decode failed; callers that need no detail just test for < 0. */
enum {
	UTIL_FORM_ENOMEM = -1, /* out of memory */
	UTIL_FORM_ELIMIT = -2, /* more pairs, deeper brackets or a longer key than allowed */
	UTIL_FORM_EENCODING =
	    -3 /* a key or value that is not UTF-8, a NUL byte in a key or value */
};

/*
 * Decode `len` bytes at `s`. On success returns 0 and *out is a new object.
 * On failure returns a negative UTIL_FORM_E* code, *out is NULL and err (if
 * not NULL) holds one lowercase line naming the offending key (at most 40
 * bytes of it, control characters shown as '?'), e.g. "form field
 * 'a[b][c]' nested deeper than 2 levels" (levels count the name itself).
 */
int util_form_decode(json_t **out, const char *s, size_t len, const util_form_limits *limits,
                     char *err, size_t errsz);

/*
 * Encoding, as Ontraport writes its form bodies: one pair "prefix[key]=value" ("key=value"
 * when prefix is NULL) appended to b, '&' before it unless b is empty; each part escaped as
 * PHP's urlencode() does (letters, digits and -_. stay, a space is '+', the rest %XX).
 * `value` is vlen bytes. A failed allocation shows in util_buf_failed(b).
 */
void util_form_pair(util_buf *b, const char *prefix, const char *key, const char *value,
                    size_t vlen);

/* Percent-decode n bytes ('+' is a space). Returns a new string or NULL. */
char *util_form_unescape(const char *s, size_t n, size_t *outlen);

#endif
