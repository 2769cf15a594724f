/* params: typed getters over the unified parameter object (contracts in sbx_params.h). */
#include "sbx_params.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

/* The value of name, or NULL when absent, null or (if blank_absent) "". */
static json_t *lookup(json_t *params, const char *name, int blank_absent)
{
	json_t *v = params ? json_object_get(params, name) : NULL;

	if (!v || json_is_null(v))
		return NULL;
	if (blank_absent && json_is_string(v) && json_string_length(v) == 0)
		return NULL;
	return v;
}

static int missing(const char *name, int required, sbx_err *e)
{
	if (required)
		return sbx_err_set(e, 400, "Missing required parameter '%s'", name);
	return 1;
}

/* A short rendering of v for an error message. */
static const char *show(json_t *v, char *out, size_t outsz)
{
	char *s;

	if (json_is_string(v))
		return sbx_clip(json_string_value(v), out, outsz);
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	sbx_clip(s ? s : "?", out, outsz);
	free(s);
	return out;
}

int sbx_param_str(json_t *params, const char *name, int required, const char **out, sbx_err *e)
{
	json_t *v = lookup(params, name, 0);
	char num[64], shown[80];

	if (!v)
		return missing(name, required, e);
	if (json_is_string(v)) {
		*out = json_string_value(v);
		return 0;
	}
	if (json_is_integer(v))
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(num, sizeof num, "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(num, sizeof num, "%s", json_is_true(v) ? "true" : "false");
	else
		return sbx_err_set(e, 400, "Invalid %s '%s': expected a string", name,
		                   show(v, shown, sizeof shown));
	/* Write the text back so the returned pointer is owned by params. */
	if (json_object_set_new(params, name, json_string(num)) < 0)
		return sbx_err_set(e, 500, "out of memory");
	*out = json_string_value(json_object_get(params, name));
	return 0;
}

static int int_error(const char *name, json_t *v, long long min, long long max, sbx_err *e)
{
	char shown[80];

	show(v, shown, sizeof shown);
	if (min == LLONG_MIN && max == LLONG_MAX)
		return sbx_err_set(e, 400, "Invalid %s '%s': expected a whole number", name, shown);
	if (max == LLONG_MAX)
		return sbx_err_set(e, 400, "Invalid %s '%s': expected a whole number >= %lld", name,
		                   shown, min);
	return sbx_err_set(e, 400, "Invalid %s '%s': expected a whole number from %lld to %lld",
	                   name, shown, min, max);
}

/* Parse v as a whole number; -1 when it is not one (range not checked). */
static int to_ll(json_t *v, long long *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d != floor(d) || d < -9.2e18 || d > 9.2e18)
			return -1;
		*out = (long long)d;
		return 0;
	}
	if (json_is_string(v))
		return util_parse_ll(json_string_value(v), LLONG_MIN, LLONG_MAX, out);
	return -1;
}

int sbx_param_int(json_t *params, const char *name, int required, long long min, long long max,
                  long long *out, sbx_err *e)
{
	json_t *v = lookup(params, name, 1);
	long long n;

	if (!v)
		return missing(name, required, e);
	if (to_ll(v, &n) < 0 || n < min || n > max)
		return int_error(name, v, min, max, e);
	*out = n;
	return 0;
}

int sbx_param_bool(json_t *params, const char *name, int required, int *out, sbx_err *e)
{
	json_t *v = lookup(params, name, 1);
	char shown[80];

	if (!v)
		return missing(name, required, e);
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
		*out = (int)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		if (!strcmp(s, "1") || util_strieq(s, "true")) {
			*out = 1;
			return 0;
		}
		if (!strcmp(s, "0") || util_strieq(s, "false")) {
			*out = 0;
			return 0;
		}
	}
	return sbx_err_set(e, 400, "Invalid %s '%s': expected 1, 0, true or false", name,
	                   show(v, shown, sizeof shown));
}

/* Append one list item (a string or number) to arr as a string. */
static int push_item(json_t *arr, const char *name, json_t *item, sbx_err *e)
{
	char num[64], shown[80];

	if (json_array_size(arr) >= SBX_MAX_LIST)
		return sbx_err_set(e, 400, "Too many values in %s (at most %d)", name,
		                   SBX_MAX_LIST);
	if (json_is_string(item))
		return json_array_append(arr, item) < 0 ? sbx_err_set(e, 500, "out of memory") : 0;
	if (json_is_integer(item))
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(item));
	else if (json_is_real(item))
		snprintf(num, sizeof num, "%.17g", json_real_value(item));
	else
		return sbx_err_set(e, 400, "Invalid %s '%s': expected a list of values", name,
		                   show(item, shown, sizeof shown));
	return json_array_append_new(arr, json_string(num)) < 0
	           ? sbx_err_set(e, 500, "out of memory")
	           : 0;
}

/* Split "a, b,,c" on commas into arr, trimming blanks and skipping empty items. */
static int push_csv(json_t *arr, const char *name, const char *s, sbx_err *e)
{
	while (*s) {
		const char *comma = strchr(s, ','), *end = comma ? comma : s + strlen(s);
		const char *a = s, *b = end;
		json_t *item;
		int rc;

		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (b > a) {
			item = json_stringn(a, (size_t)(b - a));
			if (!item)
				return sbx_err_set(e, 500, "out of memory");
			rc = push_item(arr, name, item, e);
			json_decref(item);
			if (rc < 0)
				return -1;
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	return 0;
}

static int push_json_items(json_t *arr, const char *name, json_t *v, sbx_err *e)
{
	size_t i;
	const char *k;
	json_t *item;

	if (json_is_array(v)) {
		json_array_foreach(v, i, item) if (push_item(arr, name, item, e) < 0) return -1;
	} else if (json_is_object(v)) {
		/* Bracket form with gaps (ids[3]=1&ids[7]=2) stays an object: take its values. */
		json_object_foreach(v, k, item) if (push_item(arr, name, item, e) < 0) return -1;
	} else {
		return push_item(arr, name, v, e);
	}
	return 0;
}

int sbx_param_list(json_t *params, const char *name, int required, json_t **out, sbx_err *e)
{
	json_t *v = lookup(params, name, 1), *arr;
	int rc;

	if (!v)
		return missing(name, required, e);
	arr = json_array();
	if (!arr)
		return sbx_err_set(e, 500, "out of memory");
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '[') {
			/* A JSON array sent inside a form field or query argument. */
			json_error_t je;
			json_t *parsed = util_json_loadb(s, strlen(s), 0, &je);
			if (!parsed || !json_is_array(parsed)) {
				json_decref(parsed);
				json_decref(arr);
				return sbx_err_set(e, 400, "Invalid %s: malformed JSON array",
				                   name);
			}
			rc = push_json_items(arr, name, parsed, e);
			json_decref(parsed);
		} else {
			rc = push_csv(arr, name, s, e);
		}
	} else {
		rc = push_json_items(arr, name, v, e);
	}
	if (rc < 0) {
		json_decref(arr);
		return -1;
	}
	if (json_array_size(arr) == 0) {
		/* ",," or [] carries nothing: the same as not sending it. */
		json_decref(arr);
		return missing(name, required, e);
	}
	*out = arr;
	return 0;
}

void sbx_ids_release(sbx_ids *ids)
{
	free(ids->v);
	ids->v = NULL;
	ids->n = 0;
}

int sbx_param_ids(json_t *params, const char *name, int required, sbx_ids *out, sbx_err *e)
{
	json_t *list, *item;
	long long *v;
	size_t i;
	int rc = sbx_param_list(params, name, required, &list, e);

	if (rc != 0)
		return rc;
	v = malloc(json_array_size(list) * sizeof *v);
	if (!v) {
		json_decref(list);
		return sbx_err_set(e, 500, "out of memory");
	}
	json_array_foreach(list, i, item)
	{
		if (util_parse_ll(json_string_value(item), 0, LLONG_MAX, &v[i]) < 0) {
			char shown[80];
			sbx_err_set(e, 400,
			            "Invalid %s '%s': expected whole numbers separated by commas",
			            name, sbx_clip(json_string_value(item), shown, sizeof shown));
			free(v);
			json_decref(list);
			return -1;
		}
	}
	out->v = v;
	out->n = json_array_size(list);
	json_decref(list);
	return 0;
}

int sbx_param_json(json_t *params, const char *name, int required, json_t **out, sbx_err *e)
{
	json_t *v = lookup(params, name, 1), *parsed;
	json_error_t je;

	if (!v)
		return missing(name, required, e);
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (*s != '[' && *s != '{') {
			*out = json_incref(v);
			return 0;
		}
		parsed = util_json_loadb(s, strlen(s), JSON_REJECT_DUPLICATES, &je);
		if (!parsed)
			return sbx_err_set(e, 400, "Invalid %s: malformed JSON: %s (column %d)",
			                   name, je.text, je.column);
		v = parsed;
	} else {
		json_incref(v);
	}
	if (!sbx_json_depth_ok(v, SBX_MAX_JSON_DEPTH)) {
		json_decref(v);
		return sbx_err_set(e, 400, "Invalid %s: nested deeper than %d levels", name,
		                   SBX_MAX_JSON_DEPTH);
	}
	*out = v;
	return 0;
}
