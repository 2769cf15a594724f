/*
 * render: what the runner evaluates per event: a step's `with` with its
 * templates filled in, and conditions. Errors name the template's place.
 */
#include <stdio.h>
#include <string.h>

#include "scenario.h"
#include "banned.h"

static const scen_expr *template_of(const scen_step *st, const json_t *node)
{
	size_t i;

	for (i = 0; i < st->ntemplates; i++)
		if (st->templates[i].node == node)
			return st->templates[i].expr;
	return NULL;
}

/* Prefix the evaluation error with the place of `node` (or of the step). */
static void place(const scen_scenario *s, const json_t *node, scen_pos fallback, scen_experr *e)
{
	scen_pos p = node ? scen_doc_pos(s->doc, node) : fallback;
	char msg[sizeof e->msg + 600];

	if (!p.line)
		p = fallback;
	snprintf(msg, sizeof msg, "%s:%d:%d: %s", scen_doc_name(s->doc), p.line,
	         p.col + (int)e->offset + p.quoted, e->msg);
	memcpy(e->msg, msg, sizeof e->msg - 1); /* a long file name shortens the message */
	e->msg[sizeof e->msg - 1] = '\0';
	scen_one_line(e->msg);
}

typedef struct render_ctx {
	const scen_scenario *s;
	const scen_step *st;
	const json_t *ctx;
	const scen_resolver *r;
	scen_experr *e;
} render_ctx;

static json_t *render(const render_ctx *c, const json_t *v);

static json_t *render_object(const render_ctx *c, const json_t *v)
{
	json_t *out = json_object(), *x;
	const char *k;
	json_t *m;

	json_object_foreach((json_t *)v, k, m)
	{
		if (!out || !(x = render(c, m))) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, k, x);
	}
	return out;
}

static json_t *render_array(const render_ctx *c, const json_t *v)
{
	json_t *out = json_array(), *x, *m;
	size_t i;

	json_array_foreach(v, i, m)
	{
		if (!out || !(x = render(c, m))) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, x);
	}
	return out;
}

static json_t *render(const render_ctx *c, const json_t *v)
{
	const scen_expr *x;
	json_t *r;

	if (json_is_object(v))
		return render_object(c, v);
	if (json_is_array(v))
		return render_array(c, v);
	if (!json_is_string(v) || !(x = template_of(c->st, v)))
		return json_deep_copy(v);
	r = scen_expr_eval(x, c->ctx, c->r, c->e);
	if (!r)
		place(c->s, v, c->st->pos, c->e);
	return r;
}

json_t *scen_step_render(const scen_scenario *s, const scen_step *st, const json_t *ctx,
                         const scen_resolver *r, scen_experr *e)
{
	render_ctx c = {s, st, ctx, r, e};

	return st->with ? render(&c, st->with) : json_object();
}

int scen_condition(const scen_scenario *s, const scen_expr *cond, scen_pos pos, const json_t *ctx,
                   const scen_resolver *r, scen_experr *e)
{
	json_t *v;
	int t;

	if (!cond)
		return 1;
	if (!(v = scen_expr_eval(cond, ctx, r, e))) {
		place(s, NULL, pos, e);
		return -1;
	}
	t = scen_expr_truthy(v);
	json_decref(v);
	return t;
}
