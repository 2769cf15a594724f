/*
 * check: the problem list, the key checks, and expressions compiled in
 * place with their errors moved to FILE:LINE:COL.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen_check.h"
#include "util.h"
#include "banned.h"

void scen_ck_problem(ck *c, scen_pos pos, const char *fmt, ...)
{
	char msg[400], line[520];
	char **lines;
	long *keys;
	va_list ap;

	if (c->probs->n == SCEN_MAX_PROBLEMS) {
		c->probs->more++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(line, sizeof line, "%s:%d:%d: %s", scen_doc_name(c->doc), pos.line ? pos.line : 1,
	         pos.col ? pos.col : 1, msg);
	scen_one_line(line); /* the file name too */
	lines = realloc(c->probs->lines, (c->probs->n + 1) * sizeof *lines);
	if (lines)
		c->probs->lines = lines;
	keys = realloc(c->keys, (c->probs->n + 1) * sizeof *keys);
	if (keys)
		c->keys = keys;
	if (!lines || !keys || !(lines[c->probs->n] = strdup(line)))
		return;
	keys[c->probs->n++] = (long)pos.line * 100000 + pos.col;
}

typedef struct keyed {
	long key;
	size_t i;
	char *line;
} keyed;

static int by_key(const void *a, const void *b)
{
	const keyed *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->i < y->i ? -1 : 1; /* stable: found first, listed first */
}

void scen_ck_sort(ck *c)
{
	keyed *k = calloc(c->probs->n + 1, sizeof *k);
	size_t i;

	for (i = 0; k && i < c->probs->n; i++)
		k[i] = (keyed){c->keys[i], i, c->probs->lines[i]};
	if (k)
		qsort(k, c->probs->n, sizeof *k, by_key);
	for (i = 0; k && i < c->probs->n; i++)
		c->probs->lines[i] = k[i].line;
	free(k);
	free(c->keys);
	c->keys = NULL;
}

void scen_problems_free(scen_problems *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->lines[i]);
	free(p->lines);
	memset(p, 0, sizeof *p);
}

const char *scen_ck_hint(const char *word, const char *const *cands, size_t n, char *buf,
                         size_t bufsz)
{
	const char *near = word ? util_nearest(word, cands, n) : NULL;

	if (!near)
		return "";
	snprintf(buf, bufsz, " (did you mean '%s'?)", near);
	return buf;
}

static size_t count(const char *const *list)
{
	size_t n = 0;

	while (list && list[n])
		n++;
	return n;
}

static int listed(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list && list[i]; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

static void join_list(const char *const *list, char *buf, size_t n)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; list[i] && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", list[i]);
}

void scen_ck_keys(ck *c, const json_t *obj, const char *what, const char *const *known,
                  const char *const *required)
{
	char hint[120], all[400];
	const char *k;
	json_t *v;
	size_t i;

	join_list(known, all, sizeof all);
	json_object_foreach((json_t *)obj, k, v)
	{
		if (!listed(known, k))
			scen_ck_problem(c, scen_doc_key_pos(c->doc, obj, k),
			                "%s: unknown key '%.60s'%s; expected %s", what, k,
			                scen_ck_hint(k, known, count(known), hint, sizeof hint),
			                all);
	}
	for (i = 0; required && required[i]; i++)
		if (!json_object_get(obj, required[i]))
			scen_ck_problem(c, scen_doc_pos(c->doc, obj), "%s: '%s' is required", what,
			                required[i]);
}

const char *scen_ck_string(ck *c, const json_t *obj, const char *key, const char *what)
{
	const json_t *v = json_object_get(obj, key);

	if (!v)
		return NULL;
	if (json_is_string(v) && json_string_length(v) &&
	    strlen(json_string_value(v)) == json_string_length(v))
		return json_string_value(v);
	scen_ck_problem(c, scen_doc_value_pos(c->doc, obj, key), "%s: expected a non-empty text",
	                what);
	return NULL;
}

const char *scen_ck_choice(ck *c, const json_t *obj, const char *key, const char *what,
                           const char *const *choices, const char *dflt)
{
	const char *v = json_object_get(obj, key) ? scen_ck_string(c, obj, key, what) : dflt;
	char hint[120], all[300];

	if (!v || listed(choices, v))
		return v;
	join_list(choices, all, sizeof all);
	scen_ck_problem(c, scen_doc_value_pos(c->doc, obj, key), "%s: '%.60s' is not one of %s%s",
	                what, v, all, scen_ck_hint(v, choices, count(choices), hint, sizeof hint));
	return NULL;
}

void scen_ck_name(ck *c, const char *kind, const char *name, const char *field, const char *type,
                  scen_pos pos)
{
	scen_scenario *s = c->s;
	scen_name *n;

	if (!name || scen_expr_is_template(name))
		return; /* known only when the event comes */
	n = realloc(s->names, (s->nnames + 1) * sizeof *n);
	if (!n)
		return;
	s->names = n;
	n[s->nnames].kind = kind;
	n[s->nnames].name = name;
	n[s->nnames].field = field;
	n[s->nnames].object_type = type ? type : "contacts";
	n[s->nnames].pos = pos;
	s->nnames++;
}

/* ---- expressions ---- */

/* Where offset `off` of the string at pos is: exact on one line, else the string's start. */
static scen_pos at_offset(const json_t *v, scen_pos pos, size_t off)
{
	const char *s = json_string_value(v);

	if (s && !memchr(s, '\n', json_string_length(v)) && pos.line)
		pos.col += (int)off + (pos.quoted ? 1 : 0);
	return pos;
}

typedef struct ref_ctx {
	ck *c;
	const json_t *v;
	scen_pos pos;
} ref_ctx;

static int check_step_ref(ref_ctx *r, const char *name, size_t off)
{
	const char *ids[SCEN_MAX_STEPS] = {NULL};
	char hint[120];
	size_t i, n = r->c->in_steps ? r->c->step_index : 0;

	if (!name)
		return 0;
	size_t k = 0;

	for (i = 0; i < n; i++) {
		const char *id = r->c->s->steps[i].id;
		if (id && !strcmp(id, name))
			return 0;
		if (id)
			ids[k++] = id;
	}
	scen_ck_problem(r->c, at_offset(r->v, r->pos, off), "steps.%s: %s%s", name,
	                k ? "not an earlier step (a step sees only the steps before it)"
	                  : "no step comes before this one",
	                scen_ck_hint(name, ids, k, hint, sizeof hint));
	return 0;
}

static int check_ref(void *ud, const char *root, const char *name, size_t off)
{
	ref_ctx *r = ud;
	const json_t *env = r->c->s->env;
	size_t i;

	if (!strcmp(root, "steps"))
		return check_step_ref(r, name, off);
	if (!strcmp(root, "env") && name) {
		for (i = 0; i < json_array_size(env); i++)
			if (!strcmp(json_string_value(json_array_get(env, i)), name))
				return 0;
		scen_ck_problem(
		    r->c, at_offset(r->v, r->pos, off),
		    "env.%s: not allowed: list it in the scenario's 'env: [...]' to use it", name);
	}
	if (!strcmp(root, "tag_id"))
		scen_ck_name(r->c, "tag", name, NULL, NULL, at_offset(r->v, r->pos, off));
	if (!strcmp(root, "label_to_id") || !strcmp(root, "id_to_label"))
		scen_ck_name(r->c, "field", name, NULL, NULL, at_offset(r->v, r->pos, off));
	return 0;
}

static scen_expr *compiled(ck *c, const json_t *v, scen_pos pos, int rc, scen_expr *x,
                           const scen_experr *e)
{
	ref_ctx r = {c, v, pos};

	if (rc < 0) {
		scen_ck_problem(c, at_offset(v, pos, e->offset), "%s", e->msg);
		return NULL;
	}
	scen_expr_refs(x, check_ref, &r);
	return x;
}

scen_expr *scen_ck_template(ck *c, const json_t *v, scen_pos pos)
{
	scen_expr *x = NULL;
	scen_experr e = {0, ""};
	int rc;

	if (!scen_expr_is_template(json_string_value(v)))
		return NULL;
	rc = scen_expr_compile_template(json_string_value(v), json_string_length(v), &x, &e);
	return compiled(c, v, pos, rc, x, &e);
}

scen_expr *scen_ck_condition(ck *c, const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	scen_pos pos = scen_doc_value_pos(c->doc, obj, key);
	scen_expr *x = NULL;
	scen_experr e = {0, ""};
	const char *s;
	size_t start = 0, len;
	int rc;

	if (!v)
		return NULL;
	if (json_is_boolean(v))
		s = json_is_true(v) ? "true" : "false";
	else if (!json_is_string(v)) {
		scen_ck_problem(c, pos, "%s: expected an expression (text) or true/false", key);
		return NULL;
	} else
		s = json_string_value(v);
	/* "{{ x }} " from a quoted string is still one expression, not the text " false" */
	len = strlen(s);
	while (start < len && (s[start] == ' ' || s[start] == '\t'))
		start++;
	while (len > start && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n'))
		len--;
	if (json_is_string(v)) {
		pos = at_offset(v, pos, start);
		pos.quoted = 0;
	}
	if (scen_expr_is_template(s))
		rc = scen_expr_compile_template(s + start, len - start, &x, &e);
	else
		rc = scen_expr_compile(s + start, len - start, &x, &e);
	return compiled(c, json_is_string(v) ? v : NULL, pos, rc, x, &e);
}
