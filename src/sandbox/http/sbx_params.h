/*
 * sbx_params: typed getters over a request's unified parameter object.
 *
 * Clients send the same parameter as a query argument, a form field or a JSON
 * value (reference §1.6), so every getter accepts all the spellings:
 *   ints   "12" or 12 (or 12.0)
 *   bools  1 / 0 / true / false / "true" / "1" ... (case-insensitive)
 *   lists  "1,2,3", [1,2,3], "[1,2,3]", ids[0]=1&ids[1]=2 (arrives as an array),
 *          or a single number
 * A missing parameter, a JSON null and an empty string all count as absent
 * (PHP's http_build_query sends "" for unset values) -- except for
 * sbx_param_str, where "" is a value.
 *
 * Every getter returns 0 when the parameter was given and is valid (*out set),
 * 1 when it is absent and not required (*out untouched), and -1 otherwise with
 * e set to a 400 whose text names the parameter and what was expected, e.g.
 * "Invalid objectID 'abc': expected a whole number".
 */
#ifndef SBX_PARAMS_H
#define SBX_PARAMS_H

#include <jansson.h>

#include "sbx_req.h"

#define SBX_OPTIONAL 0
#define SBX_REQUIRED 1

#define SBX_MAX_LIST 100000 /* items in one list parameter */

/*
 * A string. Numbers and booleans are converted and written back into params
 * as strings, so *out is borrowed from params and lives as long as it does.
 */
int sbx_param_str(json_t *params, const char *name, int required, const char **out, sbx_err *e);

/* A whole number in [min, max]. */
int sbx_param_int(json_t *params, const char *name, int required, long long min, long long max,
                  long long *out, sbx_err *e);

/* A boolean: *out is 0 or 1. */
int sbx_param_bool(json_t *params, const char *name, int required, int *out, sbx_err *e);

/* A list of strings: *out is a new JSON array of strings (never empty on 0). */
int sbx_param_list(json_t *params, const char *name, int required, json_t **out, sbx_err *e);

/* A list of record ids (whole numbers >= 0). */
typedef struct sbx_ids {
	long long *v; /* owned */
	size_t n;
} sbx_ids;

#define SBX_IDS_INIT                                                                               \
	{                                                                                          \
		NULL, 0                                                                            \
	}

int sbx_param_ids(json_t *params, const char *name, int required, sbx_ids *out, sbx_err *e);
void sbx_ids_release(sbx_ids *ids);

/*
 * A JSON value that may also arrive as a JSON-encoded string (`condition`):
 * a string whose first non-blank character is '[' or '{' is parsed (malformed
 * -> 400); any other string is returned as a JSON string (legacy SQL-like
 * conditions); a non-string value is returned as is. *out is a new reference.
 * Nesting beyond SBX_MAX_JSON_DEPTH is a 400.
 */
int sbx_param_json(json_t *params, const char *name, int required, json_t **out, sbx_err *e);

#endif
