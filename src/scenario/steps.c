/*
 * steps: each step's id, kind (`do`), `if` and `with`, checked per kind for
 * required and unknown keys; its templates compiled; the names it uses
 * collected for the resolver pass.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "scen_check.h"
#include "banned.h"

typedef struct kind_def {
	const char *name;
	const char *const *keys;
	const char *const *required;
	int creates;
	void (*extra)(ck *c, const json_t *with, const char *kind);
} kind_def;

#define L(...)                                                                                     \
	(const char *const[])                                                                      \
	{                                                                                          \
		__VA_ARGS__, NULL                                                                  \
	}
#define NONE ((const char *const *)NULL)
#define MSG_KEYS                                                                                   \
	"type", "name", "subject", "send_from", "from", "send_out_name", "reply_to", "plain_text", \
	    "html", "email_title", "email_type", "spam_score", "template", "sms_content",          \
	    "send_to", "task_data", "due_date", "task_owner", "task_form", "object_type"

/* ---- per-kind checks ---- */

static const char *type_of(const json_t *with)
{
	const char *t = json_string_value(json_object_get(with, "type"));
	return t ? t : "contacts";
}

/* A name, or a list of names, at with[key]: each recorded for the resolver. */
static void names_at(ck *c, const json_t *with, const char *key, const char *kind)
{
	const json_t *v = json_object_get(with, key), *x;
	scen_pos pos = scen_doc_value_pos(c->doc, with, key);
	size_t i;

	if (!v)
		return;
	if (json_is_string(v) || json_is_integer(v)) {
		scen_ck_name(c, kind, json_string_value(v), NULL, type_of(with), pos);
		return;
	}
	if (!json_is_array(v) || !json_array_size(v)) {
		scen_ck_problem(c, pos, "%s: expected a %s's name or id, or a list of them", key,
		                kind);
		return;
	}
	json_array_foreach(v, i, x)
	{
		if (!json_is_string(x) && !json_is_integer(x))
			scen_ck_problem(
			    c, scen_doc_pos(c->doc, x).line ? scen_doc_pos(c->doc, x) : pos,
			    "%s: expected a %s's name or id", key, kind);
		else
			scen_ck_name(c, kind, json_string_value(x), NULL, type_of(with),
			             scen_doc_pos(c->doc, x));
	}
}

static void x_object(ck *c, const json_t *with, const char *kind)
{
	scen_ck_name(c, "object_type", json_string_value(json_object_get(with, "type")), NULL, NULL,
	             scen_doc_value_pos(c->doc, with, "type"));
}

static void x_fields(ck *c, const json_t *with, const char *kind)
{
	const json_t *f = json_object_get(with, "fields"), *v;
	const char *k;

	x_object(c, with, kind);
	if (!f)
		return;
	if (!json_is_object(f) || !json_object_size(f)) {
		scen_ck_problem(c, scen_doc_value_pos(c->doc, with, "fields"),
		                "fields: expected a mapping of field names to values");
		return;
	}
	json_object_foreach((json_t *)f, k, v)
	{
		scen_ck_name(c, "field", k, NULL, type_of(with), scen_doc_key_pos(c->doc, f, k));
		if (json_is_string(v))
			scen_ck_name(c, "option", json_string_value(v), k, type_of(with),
			             scen_doc_value_pos(c->doc, f, k));
	}
}

static void x_tags(ck *c, const json_t *with, const char *kind)
{
	x_object(c, with, kind);
	names_at(c, with, "tags", "tag");
	names_at(c, with, "tag", "tag");
}

static void x_subscribe(ck *c, const json_t *with, const char *kind)
{
	x_object(c, with, kind);
	if (!json_object_get(with, "sequences") && !json_object_get(with, "campaigns"))
		scen_ck_problem(c, scen_doc_pos(c->doc, with),
		                "%s: give 'sequences' or 'campaigns'", kind);
	names_at(c, with, "sequences", "sequence");
	names_at(c, with, "campaigns", "campaign");
}

static void x_delete(ck *c, const json_t *with, const char *kind)
{
	x_object(c, with, kind);
	if (!json_object_get(with, "ids") && !json_object_get(with, "where"))
		scen_ck_problem(
		    c, scen_doc_pos(c->doc, with),
		    "objects.delete: give 'ids' or 'where' (a step never deletes every object)");
}

static void x_exec(ck *c, const json_t *with, const char *kind)
{
	const json_t *cmd = json_object_get(with, "command"), *a;
	size_t i;
	int ok = json_is_array(cmd) && json_array_size(cmd) > 0;

	json_array_foreach(cmd, i, a) ok &= json_is_string(a) && json_string_length(a) > 0;
	if (cmd && !ok)
		scen_ck_problem(
		    c, scen_doc_value_pos(c->doc, with, "command"),
		    "exec: command is a list of arguments, e.g. [\"/usr/local/bin/notify\", "
		    "\"--quiet\"], never a shell string; the event goes to its stdin");
}

static void x_http(ck *c, const json_t *with, const char *kind)
{
	static const char *const methods[] = {"POST", "PUT", "PATCH", NULL};
	const char *url = scen_ck_string(c, with, "url", "http: url");

	scen_ck_choice(c, with, "method", "http: method", methods, "POST");
	if (url && !scen_expr_is_template(url) && strncmp(url, "http://", 7) &&
	    strncmp(url, "https://", 8))
		scen_ck_problem(c, scen_doc_value_pos(c->doc, with, "url"),
		                "http: url must start with http:// or https://");
}

static void x_api(ck *c, const json_t *with, const char *kind)
{
	static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", NULL};
	const char *path = scen_ck_string(c, with, "path", "api: path");

	scen_ck_choice(c, with, "method", "api: method", methods, NULL);
	if (path && path[0] != '/' && !scen_expr_is_template(path))
		scen_ck_problem(c, scen_doc_value_pos(c->doc, with, "path"),
		                "api: path must start with '/', e.g. /Contacts");
}

static void x_message(ck *c, const json_t *with, const char *kind)
{
	static const char *const types[] = {"e-mail", "sms", "task", "template", NULL};

	scen_ck_choice(c, with, "type", "messages: type", types, NULL);
}

static const kind_def kinds[] = {
    {"objects.search",
     L("type", "where", "search", "search_notes", "ids", "sort", "desc", "group", "start", "limit",
       "fields"),
     NONE, 0, x_object},
    {"objects.get", L("type", "id"), L("id"), 0, x_object},
    {"objects.create", L("type", "fields"), L("fields"), 1, x_fields},
    {"objects.update", L("type", "id", "fields"), L("id", "fields"), 0, x_fields},
    {"objects.upsert", L("type", "fields", "ignore_blanks"), L("fields"), 0, x_fields},
    {"objects.delete", L("type", "ids", "where"), NONE, 0, x_delete},
    {"objects.tag", L("type", "ids", "tags"), L("ids", "tags"), 0, x_tags},
    {"objects.untag", L("type", "ids", "tags"), L("ids", "tags"), 0, x_tags},
    {"objects.subscribe", L("type", "ids", "sequences", "campaigns"), L("ids"), 0, x_subscribe},
    {"objects.unsubscribe", L("type", "ids", "sequences", "campaigns"), L("ids"), 0, x_subscribe},
    {"objects.with-tag", L("type", "tag", "search", "search_notes", "limit"), L("tag"), 0, x_tags},
    {"messages.create", L(MSG_KEYS), L("type", "name"), 1, x_message},
    {"messages.update", L("id", MSG_KEYS), L("id"), 0, x_message},
    {"rules.create", L("name", "object_type", "events", "conditions", "actions", "tags", "pause"),
     L("name", "events", "actions"), 1, NULL},
    {"rules.update", L("id", "name", "events", "conditions", "actions", "tags"), L("id"), 0, NULL},
    {"rules.pause", L("ids"), L("ids"), 0, NULL},
    {"api", L("method", "path", "query", "json", "body", "content_type"), L("method", "path"), 0,
     x_api},
    {"exec", L("command", "timeout"), L("command"), 0, x_exec},
    {"http", L("url", "method", "headers", "body", "timeout"), L("url"), 0, x_http},
};
#define NKINDS (sizeof kinds / sizeof *kinds)

const char *const scen_step_kinds[] = {"objects.search",
                                       "objects.get",
                                       "objects.create",
                                       "objects.update",
                                       "objects.upsert",
                                       "objects.delete",
                                       "objects.tag",
                                       "objects.untag",
                                       "objects.subscribe",
                                       "objects.unsubscribe",
                                       "objects.with-tag",
                                       "messages.create",
                                       "messages.update",
                                       "rules.create",
                                       "rules.update",
                                       "rules.pause",
                                       "api",
                                       "exec",
                                       "http",
                                       NULL};

static const kind_def *find_kind(const char *name)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (!strcmp(kinds[i].name, name))
			return &kinds[i];
	return NULL;
}

/* ---- templates in `with` ---- */

static void add_template(ck *c, scen_step *st, const json_t *v, scen_pos pos)
{
	scen_expr *x = scen_ck_template(c, v, pos);
	scen_template *t;

	if (!x)
		return;
	t = realloc(st->templates, (st->ntemplates + 1) * sizeof *t);
	if (!t) {
		scen_expr_free(x);
		return;
	}
	st->templates = t;
	t[st->ntemplates].node = v;
	t[st->ntemplates++].expr = x;
}

static void walk_templates(ck *c, scen_step *st, const json_t *v, scen_pos pos)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_string(v))
		add_template(c, st, v, pos);
	else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x)
		    walk_templates(c, st, x, scen_doc_value_pos(c->doc, v, k));
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) walk_templates(c, st, x, scen_doc_pos(c->doc, x));
	}
}

/* ---- one step ---- */

static int valid_id(const char *id)
{
	size_t i, n = strlen(id);

	if (!n || n > 64 || !(isalpha((unsigned char)id[0]) || id[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '_' && id[i] != '-')
			return 0;
	return 1;
}

static const char *step_id(ck *c, const json_t *step)
{
	const char *id = scen_ck_string(c, step, "id", "id");
	size_t i;

	if (!id)
		return NULL;
	if (!valid_id(id)) {
		scen_ck_problem(
		    c, scen_doc_value_pos(c->doc, step, "id"),
		    "id '%.64s': expected a letter then letters, digits, '_' or '-' (at most 64)",
		    id);
		return NULL;
	}
	for (i = 0; i < c->step_index; i++)
		if (c->s->steps[i].id && !strcmp(c->s->steps[i].id, id)) {
			scen_ck_problem(c, scen_doc_value_pos(c->doc, step, "id"),
			                "duplicate step id '%s' (first at line %d)", id,
			                c->s->steps[i].pos.line);
			return NULL;
		}
	return id;
}

static const kind_def *step_kind(ck *c, const json_t *step)
{
	const char *k = scen_ck_string(c, step, "do", "do");
	const kind_def *d = k ? find_kind(k) : NULL;
	char hint[120];

	if (k && !d)
		scen_ck_problem(c, scen_doc_value_pos(c->doc, step, "do"),
		                "do: unknown step kind '%.60s'%s; expected objects.*, messages.*, "
		                "rules.*, api, "
		                "exec or http",
		                k, scen_ck_hint(k, scen_step_kinds, NKINDS, hint, sizeof hint));
	return d;
}

static const json_t *step_with(ck *c, const json_t *step, const kind_def *d)
{
	const json_t *w = json_object_get(step, "with");
	json_t *empty = NULL;

	if (w && !json_is_object(w)) {
		scen_ck_problem(c, scen_doc_value_pos(c->doc, step, "with"),
		                "with: expected a mapping");
		return NULL;
	}
	if (!w && !(w = empty = json_object()))
		return NULL;
	if (d) {
		scen_ck_keys(c, w, d->name, d->keys, d->required);
		if (d->extra)
			d->extra(c, w, d->name);
	}
	json_decref(empty);
	return empty ? NULL : w;
}

static void one_step(ck *c, const json_t *step, scen_step *st)
{
	static const char *const keys[] = {"id", "name", "do", "with", "if", NULL};
	static const char *const required[] = {"id", "do", NULL};
	const kind_def *d;

	st->pos = scen_doc_pos(c->doc, step);
	if (!json_is_object(step)) {
		scen_ck_problem(c, st->pos, "a step is a mapping with id, do and with");
		return;
	}
	scen_ck_keys(c, step, "step", keys, required);
	st->id = step_id(c, step);
	d = step_kind(c, step);
	st->kind = d ? d->name : NULL;
	st->creates = d && d->creates;
	st->cond = scen_ck_condition(c, step, "if");
	st->cond_pos = scen_doc_value_pos(c->doc, step, "if");
	st->with = step_with(c, step, d);
	if (st->with)
		walk_templates(c, st, st->with, scen_doc_value_pos(c->doc, step, "with"));
}

void scen_ck_steps(ck *c, const json_t *root)
{
	const json_t *steps = json_object_get(root, "steps");
	size_t i, n = json_array_size(steps);

	if (!steps)
		return; /* reported as a missing required key */
	if (!json_is_array(steps) || !n || n > SCEN_MAX_STEPS) {
		scen_ck_problem(c, scen_doc_value_pos(c->doc, root, "steps"),
		                "steps: expected a list of 1 to %d steps", SCEN_MAX_STEPS);
		return;
	}
	c->s->steps = calloc(n, sizeof *c->s->steps);
	if (!c->s->steps)
		return;
	c->s->nsteps = n;
	c->in_steps = 1;
	for (i = 0; i < n; i++) {
		c->step_index = i;
		one_step(c, json_array_get(steps, i), &c->s->steps[i]);
	}
	c->in_steps = 0;
}
