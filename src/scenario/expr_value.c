/*
 * expr_value: what the parser, the filters and the evaluator share, below
 * all three: the error of an expression, number literals, and values as
 * text, numbers and equals.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen_expr_int.h"
#include "scen_yaml.h"
#include "banned.h"

int scen_expr_fail(scen_experr *e, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->offset = off;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	scen_one_line(e->msg);
	return -1;
}

int scen_expr_number_literal(const char *text, int real, json_t **out, scen_experr *e, size_t off)
{
	char *end;
	double d;
	long long v;

	if (real) {
		d = strtod(text, &end);
		if (*end || !isfinite(d))
			return scen_expr_fail(e, off, "not a number: '%s'", text);
		*out = json_real(d);
	} else {
		v = strtoll(text, &end, 10);
		if (*end || v == LLONG_MAX)
			return scen_expr_fail(e, off, "not a number, or out of range: '%s'", text);
		*out = json_integer(v);
	}
	return *out ? 0 : scen_expr_fail(e, off, "out of memory");
}

json_t *scen_expr_negate(const json_t *num)
{
	if (json_is_integer(num))
		return json_integer(-json_integer_value(num));
	return json_real(-json_real_value(num));
}

char *scen_expr_str(const json_t *v)
{
	if (!v || json_is_null(v))
		return strdup("");
	if (json_is_string(v))
		return strndup(json_string_value(v), json_string_length(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

json_t *scen_expr_string(const ectx *c, size_t off, const char *s, size_t n)
{
	json_t *v;

	if (n > SCEN_EXPR_MAX_STRING) {
		scen_expr_fail(c->e, off, "result too long (%zu bytes; at most %d)", n,
		               SCEN_EXPR_MAX_STRING);
		return NULL;
	}
	v = json_stringn(s, n);
	if (!v)
		scen_expr_fail(c->e, off, "result is not valid UTF-8");
	return v;
}

int scen_expr_num(const json_t *v, double *d)
{
	const char *s;
	char *end;

	if (json_is_number(v)) {
		*d = json_number_value(v);
		return 1;
	}
	if (!json_is_string(v) || !*(s = json_string_value(v)) || strspn(s, " \t\n"))
		return 0;
	*d = strtod(s, &end);
	return *end == '\0' && isfinite(*d);
}

/* Numbers compare as numbers, also when one side is a string holding a number. */
static int numeric_pair(const json_t *a, const json_t *b, double *x, double *y)
{
	if (!json_is_number(a) && !json_is_number(b))
		return 0;
	return scen_expr_num(a, x) && scen_expr_num(b, y);
}

int scen_expr_equal(const json_t *a, const json_t *b)
{
	double x, y;

	if (numeric_pair(a, b, &x, &y))
		return x == y;
	return json_equal(a, b);
}
