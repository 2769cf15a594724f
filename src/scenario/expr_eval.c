/*
 * expr_eval: evaluating a compiled expression. Recursion follows the AST,
 * whose size and depth the parser caps, so it always ends.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "scen_expr_int.h"
#include "banned.h"

static json_t *ev(const ectx *c, int i);

int scen_expr_truthy(const json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v))
		return 0;
	if (json_is_number(v))
		return json_number_value(v) != 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_object(v))
		return json_object_size(v) > 0;
	return 1;
}

static const char *type_name(const json_t *v)
{
	static const char *const names[] = {"an object", "a list", "a string", "a number",
	                                    "a number",  "true",   "false",    "null"};
	return names[json_typeof(v)];
}

static json_t *order(const ectx *c, const enode *n, const json_t *a, const json_t *b)
{
	double x, y;
	int r;

	if (scen_expr_num(a, &x) &&
	    scen_expr_num(b, &y)) /* "10" > "9": both numbers, as text or not */
		r = x < y ? -1 : x > y;
	else if (json_is_string(a) && json_is_string(b))
		r = strcmp(json_string_value(a), json_string_value(b));
	else {
		scen_expr_fail(c->e, n->off, "cannot order %s and %s", type_name(a), type_name(b));
		return NULL;
	}
	if (n->op == OP_LT)
		return json_boolean(r < 0);
	if (n->op == OP_LE)
		return json_boolean(r <= 0);
	if (n->op == OP_GT)
		return json_boolean(r > 0);
	return json_boolean(r >= 0);
}

static json_t *member(const ectx *c, const enode *n, const json_t *a, const json_t *b)
{
	size_t i;
	char *s;
	int found;

	if (json_is_null(b))
		return json_false();
	if (json_is_array(b)) {
		for (i = 0; i < json_array_size(b); i++)
			if (scen_expr_equal(a, json_array_get(b, i)))
				return json_true();
		return json_false();
	}
	if (json_is_object(b) && json_is_string(a))
		return json_boolean(json_object_get(b, json_string_value(a)) != NULL);
	if (json_is_string(b) && !json_is_object(a) && !json_is_array(a)) {
		s = scen_expr_str(a);
		found = s && strstr(json_string_value(b), s) != NULL;
		free(s);
		return json_boolean(found);
	}
	scen_expr_fail(c->e, n->off,
	               "'in' needs a list, a string or an object on its right, not %s",
	               type_name(b));
	return NULL;
}

static json_t *compare(const ectx *c, const enode *n)
{
	json_t *a = ev(c, n->a), *b = a ? ev(c, n->b) : NULL, *r;

	if (!a || !b) {
		json_decref(a);
		return NULL;
	}
	if (n->op == OP_EQ || n->op == OP_NE)
		r = json_boolean(scen_expr_equal(a, b) == (n->op == OP_EQ));
	else if (n->op == OP_IN)
		r = member(c, n, a, b);
	else
		r = order(c, n, a, b);
	json_decref(a);
	json_decref(b);
	return r;
}

static json_t *get(const ectx *c, const enode *n)
{
	json_t *base = ev(c, n->a), *key = base ? ev(c, n->b) : NULL, *r = NULL;
	long long i;

	if (!key) {
		json_decref(base);
		return NULL;
	}
	if (json_is_object(base) && json_is_string(key))
		r = json_object_get(base, json_string_value(key));
	else if (json_is_array(base) && json_is_integer(key)) {
		i = json_integer_value(key);
		if (i < 0)
			i += (long long)json_array_size(base);
		r = i >= 0 ? json_array_get(base, (size_t)i) : NULL;
	}
	r = r ? json_incref(r) : json_null();
	json_decref(base);
	json_decref(key);
	return r;
}

static json_t *list(const ectx *c, const enode *n)
{
	json_t *arr = json_array(), *v;
	int i;

	for (i = n->a; arr && i >= 0; i = c->x->nodes[i].next) {
		if (!(v = ev(c, i))) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, v);
	}
	return arr;
}

static json_t *logic(const ectx *c, const enode *n)
{
	json_t *a = ev(c, n->a);

	if (!a)
		return NULL;
	if (n->kind == N_NOT) {
		int t = scen_expr_truthy(a);
		json_decref(a);
		return json_boolean(!t);
	}
	if (scen_expr_truthy(a) == (n->kind == N_OR))
		return a; /* 'or' gives its first true operand, 'and' its first false one */
	json_decref(a);
	return ev(c, n->b);
}

static json_t *filter(const ectx *c, const enode *n)
{
	json_t *args[4] = {NULL, NULL, NULL, NULL}, *input = ev(c, n->a), *r = NULL;
	int i, k = 0, ok = input != NULL;

	for (i = n->b; ok && i >= 0 && k < 4; i = c->x->nodes[i].next)
		ok = (args[k++] = ev(c, i)) != NULL;
	if (ok)
		r = scen_expr_apply_filter(c, n, input, args, k);
	json_decref(input);
	while (k > 0)
		json_decref(args[--k]);
	return r;
}

static json_t *ev(const ectx *c, int i)
{
	const enode *n = &c->x->nodes[i];
	json_t *v;

	switch (n->kind) {
	case N_LIT:
		return json_incref(n->lit);
	case N_VAR:
		v = json_object_get(c->ctx, n->name);
		return v ? json_incref(v) : json_null();
	case N_GET:
		return get(c, n);
	case N_LIST:
		return list(c, n);
	case N_CMP:
		return compare(c, n);
	case N_FILTER:
		return filter(c, n);
	default:
		return logic(c, n);
	}
}

static int append_part(const ectx *c, const tpart *p, util_buf *b)
{
	json_t *v = p->text ? json_incref(p->text) : ev(c, p->root);
	char *s = v ? scen_expr_str(v) : NULL;
	int rc = s ? util_buf_puts(b, s) : -1;

	if (v && rc < 0 && b->overflow)
		scen_expr_fail(c->e, p->off, "result too long (at most %d bytes)",
		               SCEN_EXPR_MAX_STRING);
	else if (v && rc < 0)
		scen_expr_fail(c->e, p->off, "out of memory");
	free(s);
	json_decref(v);
	return rc;
}

static json_t *concat(const ectx *c)
{
	util_buf b = UTIL_BUF_INIT;
	json_t *r = NULL;
	int i;

	b.cap = SCEN_EXPR_MAX_STRING;
	for (i = 0; i < c->x->nparts; i++)
		if (append_part(c, &c->x->parts[i], &b) < 0)
			break;
	if (i == c->x->nparts)
		r = scen_expr_string(c, 0, b.data ? b.data : "", b.len);
	util_buf_release(&b);
	return r;
}

json_t *scen_expr_eval(const scen_expr *x, const json_t *ctx, const scen_resolver *r,
                       scen_experr *e)
{
	ectx c = {x, ctx, r, e};

	if (x->whole)
		return ev(&c, x->parts[0].root);
	return concat(&c);
}
