/*
 * jsonnum: JSON text whose integers may go beyond what jansson holds.
 *
 * jansson refuses an integer outside the int64 range ("too big integer"),
 * and JSON_DECODE_INT_AS_REAL would keep it only as a double, losing
 * digits. util_json_loadb parses like json_loadb; when that fails on such an
 * integer, it parses again with every out-of-range integer turned into a
 * string holding its exact digits ("12345678901234567890123").
 */
#ifndef UTIL_JSONNUM_H
#define UTIL_JSONNUM_H

#include "util_names.h"

#include <jansson.h>
#include <stddef.h>

/* json_loadb, with out-of-range integers kept as strings of their exact text. */
json_t *util_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *error);

/*
 * The n bytes at s with every integer token outside strings that does not fit
 * in an int64 put in double quotes. Returns a new NUL-terminated string (its
 * length in *outlen) or NULL when out of memory.
 */
char *util_json_quote_bigints(const char *s, size_t n, size_t *outlen);

#endif
