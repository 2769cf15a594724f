/*
 * jsonscan: JSON text checked without building it (pure, capped, fuzzed by
 * tests/fuzz/fuzz_json_scan.c).
 *
 * util_json_check walks the text once and allocates nothing. It vouches for
 * text that jansson's json_loadb (flags 0) accepts: an object or an array at
 * the top, valid UTF-8 (no overlong forms, no surrogates), no control
 * character in a string, no \u0000, \u surrogates only in pairs, integers of
 * at most 18 digits, reals below 1e301 in magnitude, nesting of at
 * most UTIL_JSON_DEPTH. It is conservative: what it accepts, json_loadb
 * accepts; what it refuses may still be JSON it does not vouch for (a 19-digit
 * integer, deeper nesting, an escaped or repeated top-level key, more than
 * UTIL_JSON_MEMBERS top-level members), so a caller that is refused parses
 * with jansson as before, and gets jansson's verdict and message.
 *
 * Repeated keys below the top level are not looked for: their text is kept
 * as sent (jansson would keep one member, the last value at the first's
 * place; a reader that keeps the last value sees the same object).
 */
#ifndef UTIL_JSONSCAN_H
#define UTIL_JSONSCAN_H

#include "util_names.h"

#include <stddef.h>

#include "buf.h"

#define UTIL_JSON_DEPTH 64
#define UTIL_JSON_MEMBERS 8

typedef struct util_json_member {
	const char *key; /* the key between its quotes: no escape in it */
	size_t key_len;
	const char *value; /* the value's text, without the white space around it */
	size_t value_len;
} util_json_member;

typedef struct util_json_scan {
	char top;        /* '{' or '[' */
	int spaced;      /* white space between tokens: util_json_compact would remove some */
	size_t nmembers; /* members of a top-level object: at most UTIL_JSON_MEMBERS */
	util_json_member members[UTIL_JSON_MEMBERS];
} util_json_scan;

/* 0 with *out filled when the len bytes at s are JSON as above; -1 otherwise. */
int util_json_check(util_json_scan *out, const char *s, size_t len);

/* The top-level member named key (a plain name), or NULL when there is none. */
const util_json_member *util_json_member_get(const util_json_scan *sc, const char *key);

/*
 * Copy text util_json_check accepted (the whole or a member's value) to dst
 * without white space between tokens: what json_dumps(JSON_COMPACT) lays out,
 * with the strings and numbers as sent. dst holds len bytes. Returns the
 * length written.
 */
size_t util_json_compact(char *dst, const char *src, size_t len);

/*
 * Append text util_json_check accepted to b laid out as jansson's
 * json_dumps(JSON_INDENT(indent)) does, with `margin` spaces after each
 * newline (a value nested in an outer layout); strings and numbers as sent.
 */
void util_json_indent(util_buf *b, const char *src, size_t len, int indent, int margin);

#endif
