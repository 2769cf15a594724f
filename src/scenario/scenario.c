/*
 * scenario: the top of a scenario file (version, name, connection, env,
 * trigger, filter, retry, on_error), then the steps (steps.c). Every
 * problem is collected; the scenario is given only when there is none.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "scen_check.h"
#include "banned.h"

static const char *const top_keys[] = {"version", "name",     "description", "connection",
                                       "env",     "trigger",  "filter",      "steps",
                                       "retry",   "on_error", NULL};
static const char *const top_required[] = {"version", "name", "trigger", "steps", NULL};

static int valid_name(const char *s, int upper_only)
{
	size_t i;

	for (i = 0; s[i]; i++) {
		int ok = upper_only ? (isupper((unsigned char)s[i]) || s[i] == '_' ||
		                       (i && isdigit((unsigned char)s[i])))
		                    : (isalnum((unsigned char)s[i]) || strchr("_.-", s[i]));
		if (!ok || i >= 100)
			return 0;
	}
	return i > 0;
}

static void check_version(ck *c, const json_t *root)
{
	const json_t *v = json_object_get(root, "version");

	if (v && !(json_is_integer(v) && json_integer_value(v) == 1))
		scen_ck_problem(c, scen_doc_value_pos(c->doc, root, "version"),
		                "version: expected 1 (the only version so far)");
}

static void check_names(ck *c, const json_t *root)
{
	const char *name = scen_ck_string(c, root, "name", "name");

	if (name && !valid_name(name, 0))
		scen_ck_problem(
		    c, scen_doc_value_pos(c->doc, root, "name"),
		    "name '%.60s': expected letters, digits, '_', '.' or '-' (at most 100): it "
		    "names the scenario's runs",
		    name);
	c->s->name = name;
	c->s->connection = scen_ck_string(c, root, "connection", "connection");
	if (json_object_get(root, "description"))
		scen_ck_string(c, root, "description", "description");
}

static void check_env(ck *c, const json_t *root)
{
	const json_t *env = json_object_get(root, "env"), *v;
	size_t i;

	if (!env)
		return;
	if (!json_is_array(env)) {
		scen_ck_problem(
		    c, scen_doc_value_pos(c->doc, root, "env"),
		    "env: expected a list of environment variable names, e.g. [HOME, MY_TOKEN]");
		return;
	}
	c->s->env = env;
	json_array_foreach(env, i, v)
	{
		if (!json_is_string(v) || !valid_name(json_string_value(v), 1))
			scen_ck_problem(c,
			                json_is_string(v) ? scen_doc_pos(c->doc, v)
			                                  : scen_doc_value_pos(c->doc, root, "env"),
			                "env: expected a variable name in capitals, digits and '_' "
			                "(e.g. MY_TOKEN)");
	}
}

/* ---- trigger ---- */

/* The watch events, and the key naming what each watches (NULL: the object type). */
static const struct watch_event {
	const char *event, *target;
} watch_events[] = {
    {"created", NULL},          {"tagged", "tag"},        {"untagged", "tag"},
    {"form-submitted", "form"}, {"purchased", "product"}, {"transaction-created", "product"},
};
#define NWATCH (sizeof watch_events / sizeof *watch_events)

/* Each target key: given with the events that take it, and only with them. */
static void watch_targets(ck *c, const json_t *w, const struct watch_event *ev)
{
	static const char *const keys[] = {"tag", "form", "product"};
	size_t i;

	if (ev->target && !json_object_get(w, ev->target))
		scen_ck_problem(c, scen_doc_pos(c->doc, w), "watch: event %s needs a '%s'",
		                ev->event, ev->target);
	for (i = 0; i < sizeof keys / sizeof *keys; i++)
		if (json_object_get(w, keys[i]) && (!ev->target || strcmp(ev->target, keys[i])))
			scen_ck_problem(c, scen_doc_key_pos(c->doc, w, keys[i]),
			                "watch: '%s' does not go with the %s event", keys[i],
			                ev->event);
}

static void trigger_watch(ck *c, const json_t *w)
{
	static const char *const keys[] = {"event",   "type",        "tag", "form",
	                                   "product", "data_format", NULL};
	static const char *const req[] = {"event", NULL};
	static const char *const formats[] = {"full", "notify", "lightweight", NULL};
	const char *events[NWATCH + 1];
	scen_trigger *t = &c->s->trigger;
	size_t i;

	for (i = 0; i < NWATCH; i++)
		events[i] = watch_events[i].event;
	events[NWATCH] = NULL;
	scen_ck_keys(c, w, "watch", keys, req);
	t->event = scen_ck_choice(c, w, "event", "watch: event", events, NULL);
	t->type =
	    json_object_get(w, "type") ? scen_ck_string(c, w, "type", "watch: type") : "contacts";
	t->tag = scen_ck_string(c, w, "tag", "watch: tag");
	t->form = scen_ck_string(c, w, "form", "watch: form");
	t->product = scen_ck_string(c, w, "product", "watch: product");
	t->data_format = scen_ck_choice(c, w, "data_format", "watch: data_format", formats, "full");
	for (i = 0; t->event && i < NWATCH; i++)
		if (!strcmp(t->event, watch_events[i].event))
			watch_targets(c, w, &watch_events[i]);
	scen_ck_name(c, "tag", t->tag, NULL, t->type, scen_doc_value_pos(c->doc, w, "tag"));
	scen_ck_name(c, "form", t->form, NULL, t->type, scen_doc_value_pos(c->doc, w, "form"));
	scen_ck_name(c, "product", t->product, NULL, t->type,
	             scen_doc_value_pos(c->doc, w, "product"));
}

static void check_duration(ck *c, const json_t *obj, const char *key, long long *out)
{
	const char *s = json_object_get(obj, key) ? scen_ck_string(c, obj, key, key) : NULL;
	scen_experr e;

	if (s && scen_duration_parse(s, out, &e) < 0)
		scen_ck_problem(c, scen_doc_value_pos(c->doc, obj, key), "%s: %s", key, e.msg);
}

static void trigger_poll(ck *c, const json_t *p)
{
	static const char *const keys[] = {"type", "changed", "every", NULL};
	static const char *const req[] = {"every", NULL};
	scen_trigger *t = &c->s->trigger;
	const json_t *ch = json_object_get(p, "changed");

	scen_ck_keys(c, p, "poll", keys, req);
	t->type =
	    json_object_get(p, "type") ? scen_ck_string(c, p, "type", "poll: type") : "contacts";
	check_duration(c, p, "every", &t->every);
	if (t->every && t->every < 10)
		scen_ck_problem(c, scen_doc_value_pos(c->doc, p, "every"), "every: at least 10s");
	if (ch && (!json_is_array(ch) || !json_array_size(ch)))
		scen_ck_problem(c, scen_doc_value_pos(c->doc, p, "changed"),
		                "changed: expected a list of field names");
	t->changed = json_is_array(ch) ? ch : NULL;
	for (size_t i = 0; i < json_array_size(t->changed); i++) {
		const json_t *f = json_array_get(ch, i);
		if (!json_is_string(f))
			scen_ck_problem(c,
			                scen_doc_pos(c->doc, f).line
			                    ? scen_doc_pos(c->doc, f)
			                    : scen_doc_value_pos(c->doc, p, "changed"),
			                "changed: expected field names (text)");
		scen_ck_name(c, "field", json_string_value(f), NULL, t->type,
		             scen_doc_pos(c->doc, f));
	}
}

static void trigger_schedule(ck *c, const json_t *trig)
{
	const char *s = scen_ck_string(c, trig, "schedule", "schedule");
	scen_pos pos = scen_doc_value_pos(c->doc, trig, "schedule");
	scen_experr e;

	if (!s)
		return;
	c->s->trigger.cron_text = s;
	if (scen_cron_parse(s, &c->s->trigger.cron, &e) < 0) {
		pos.col += (int)e.offset + pos.quoted;
		scen_ck_problem(c, pos, "schedule: %s", e.msg);
	}
}

static void trigger_manual(ck *c, const json_t *trig)
{
	const json_t *v = json_object_get(trig, "manual");

	if (!json_is_null(v) && !(json_is_object(v) && !json_object_size(v)))
		scen_ck_problem(c, scen_doc_value_pos(c->doc, trig, "manual"),
		                "manual: expected {}");
}

static const struct trigger_def {
	const char *name;
	scen_trigger_kind kind;
	void (*check)(ck *c, const json_t *v);       /* given the trigger's mapping... */
	void (*check_in)(ck *c, const json_t *trig); /* ...or the `trigger:` mapping */
	const char *example;
} trigger_defs[] = {
    {"watch", SCEN_TRIGGER_WATCH, trigger_watch, NULL, "{event: tagged, tag: VIP}"},
    {"poll", SCEN_TRIGGER_POLL, trigger_poll, NULL, "{type: contacts, every: 1m}"},
    {"schedule", SCEN_TRIGGER_SCHEDULE, NULL, trigger_schedule, NULL},
    {"manual", SCEN_TRIGGER_MANUAL, NULL, trigger_manual, NULL},
};

static void one_trigger(ck *c, const json_t *t, const struct trigger_def *d)
{
	const json_t *v = json_object_get(t, d->name);

	c->s->trigger.kind = d->kind;
	if (d->check_in)
		d->check_in(c, t);
	else if (!json_is_object(v))
		scen_ck_problem(c, scen_doc_value_pos(c->doc, t, d->name),
		                "%s: expected a mapping, e.g. %s", d->name, d->example);
	else
		d->check(c, v);
}

static void check_trigger(ck *c, const json_t *root)
{
	static const char *const kinds[] = {"watch", "poll", "schedule", "manual", NULL};
	const json_t *t = json_object_get(root, "trigger");
	size_t i;

	if (!t)
		return;
	if (!json_is_object(t) || json_object_size(t) != 1) {
		scen_ck_problem(c, scen_doc_value_pos(c->doc, root, "trigger"),
		                "trigger: expected exactly one of watch, poll, schedule or manual");
		if (!json_is_object(t))
			return;
	}
	scen_ck_keys(c, t, "trigger", kinds, NULL);
	for (i = 0; i < sizeof trigger_defs / sizeof *trigger_defs; i++)
		if (json_object_get(t, trigger_defs[i].name)) {
			one_trigger(c, t, &trigger_defs[i]);
			return;
		}
}

/* ---- retry, on_error ---- */

static void check_retry(ck *c, const json_t *root)
{
	static const char *const keys[] = {"max_attempts", "first", "max", NULL};
	const json_t *r = json_object_get(root, "retry"), *m;
	scen_scenario *s = c->s;

	if (!r)
		return;
	if (!json_is_object(r)) {
		scen_ck_problem(
		    c, scen_doc_value_pos(c->doc, root, "retry"),
		    "retry: expected a mapping, e.g. {max_attempts: 8, first: 5s, max: 1h}");
		return;
	}
	scen_ck_keys(c, r, "retry", keys, NULL);
	m = json_object_get(r, "max_attempts");
	if (m &&
	    !(json_is_integer(m) && json_integer_value(m) >= 1 && json_integer_value(m) <= 100))
		scen_ck_problem(c, scen_doc_value_pos(c->doc, r, "max_attempts"),
		                "max_attempts: expected a whole number from 1 to 100");
	else if (m)
		s->max_attempts = (int)json_integer_value(m);
	check_duration(c, r, "first", &s->first);
	check_duration(c, r, "max", &s->max_delay);
	if (s->first > s->max_delay)
		scen_ck_problem(c, scen_doc_value_pos(c->doc, r, "first"),
		                "retry: 'first' is longer than 'max'");
}

static void check_on_error(ck *c, const json_t *root)
{
	static const char *const modes[] = {"dead", "skip", "stop", NULL};
	const char *m = scen_ck_choice(c, root, "on_error", "on_error", modes, "dead");

	c->s->on_error = !m || m[1] == 'e' ? SCEN_ON_ERROR_DEAD
	                 : m[1] == 'k'     ? SCEN_ON_ERROR_SKIP
	                                   : SCEN_ON_ERROR_STOP;
}

/* ---- load ---- */

static void check_all(ck *c, const json_t *root)
{
	if (!json_is_object(root)) {
		scen_ck_problem(c, scen_doc_pos(c->doc, root),
		                "expected a mapping with version, name, trigger and steps");
		return;
	}
	scen_ck_keys(c, root, "scenario", top_keys, top_required);
	check_version(c, root);
	check_names(c, root);
	check_env(c, root);
	check_trigger(c, root);
	c->s->filter = scen_ck_condition(c, root, "filter");
	c->s->filter_pos = scen_doc_value_pos(c->doc, root, "filter");
	scen_ck_steps(c, root);
	check_retry(c, root);
	check_on_error(c, root);
}

static int problem_line(scen_problems *probs, const char *line)
{
	probs->lines = malloc(sizeof *probs->lines);
	if (probs->lines && (probs->lines[0] = strdup(line)))
		probs->n = 1;
	return -1;
}

int scen_load(const char *name, const char *bytes, size_t len, scen_scenario **out,
              scen_problems *probs)
{
	char err[600];
	scen_scenario *s;
	ck c;

	*out = NULL;
	memset(probs, 0, sizeof *probs);
	if (!(s = calloc(1, sizeof *s)))
		return problem_line(probs, "out of memory");
	if (scen_yaml_load(name, bytes, len, &s->doc, err, sizeof err) < 0) {
		free(s);
		return problem_line(probs, err);
	}
	s->max_attempts = 5;
	s->first = 5;
	s->max_delay = 3600;
	memset(&c, 0, sizeof c);
	c.s = s;
	c.doc = s->doc;
	c.probs = probs;
	check_all(&c, scen_doc_root(s->doc));
	if (probs->n || probs->more) {
		scen_ck_sort(&c);
		scen_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void scen_free(scen_scenario *s)
{
	size_t i, j;

	if (!s)
		return;
	for (i = 0; i < s->nsteps; i++) {
		scen_expr_free(s->steps[i].cond);
		for (j = 0; j < s->steps[i].ntemplates; j++)
			scen_expr_free(s->steps[i].templates[j].expr);
		free(s->steps[i].templates);
	}
	free(s->steps);
	scen_expr_free(s->filter);
	free(s->names);
	scen_doc_free(s->doc);
	free(s);
}
