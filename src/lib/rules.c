/*
 * Rules (REFERENCE.md §7): create (JSON POST /Rules), update (form PUT
 * /Rules), read (GET /Rule), pause and unpause (POST /objects/pause|unpause).
 * The rule strings are checked (rule_parse.c) and sent in canonical form;
 * nothing is sent when a check fails.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "internal.h"
#include "banned.h"

#define NAME_MAX_LEN 4096

struct parts {
	char *events, *conditions, *actions; /* canonical, or NULL when not given */
};

static void parts_release(struct parts *p)
{
	free(p->events);
	free(p->conditions);
	free(p->actions);
	memset(p, 0, sizeof *p);
}

/*
 * A rule's fields as the code below reads them, whatever the version the
 * caller filled in: object_type and pause are -1 when not given.
 */
struct rule_in {
	long long id;
	const char *name, *events, *conditions, *actions, *tags;
	int object_type, pause;
};

/* Version 1 of ontra_rule_options (-1 = not given for both ints), still accepted. */
struct rule_options_v1 {
	unsigned int version;
	long long id;
	const char *name, *events, *conditions, *actions;
	int object_type;
	const char *tags;
	int pause;
};

static int rule_in_v1(struct rule_in *r, const struct rule_options_v1 *o)
{
	*r = (struct rule_in){o->id,      o->name, o->events,      o->conditions,
	                      o->actions, o->tags, o->object_type, o->pause};
	if (o->pause < -1 || o->pause > 1)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid pause %d: expected 1 (paused), 0 (live) or "
		                    "-1 (not given)",
		                    o->pause);
	if (o->object_type < -1)
		return ontra__error(ONTRA_EINVALID, "invalid object type %d", o->object_type);
	return 0;
}

static int rule_in(struct rule_in *r, const ontra_rule_options *o)
{
	if (!o || o->version < 1 || o->version > ONTRA_RULE_OPTIONS_VERSION)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid rule options: expected ONTRA_RULE_OPTIONS_INIT");
	if (o->version == 1)
		return rule_in_v1(r, (const struct rule_options_v1 *)(const void *)o);
	*r =
	    (struct rule_in){o->id, o->name, o->events, o->conditions, o->actions, o->tags, -1, -1};
	if (o->pause != 0 && o->pause != ONTRA_PAUSE && o->pause != ONTRA_UNPAUSE)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid pause %d: expected ONTRA_PAUSE, ONTRA_UNPAUSE or 0 "
		                    "(not given)",
		                    (int)o->pause);
	if (o->object_type.given && o->object_type.type < 0)
		return ontra__error(ONTRA_EINVALID, "invalid object type %d", o->object_type.type);
	r->pause = o->pause ? o->pause == ONTRA_PAUSE : -1;
	r->object_type = o->object_type.given ? o->object_type.type : -1;
	return 0;
}

static int check_text(const char *what, const char *v)
{
	if (!v)
		return 0;
	if (strlen(v) > NAME_MAX_LEN)
		return ontra__error(ONTRA_EINVALID, "the rule's %s is too long (at most %d bytes)",
		                    what, NAME_MAX_LEN);
	if (!util_utf8_valid(v, strlen(v)))
		return ontra__error(ONTRA_EINVALID, "the rule's %s is not valid UTF-8 text", what);
	return 0;
}

/* The checks shared by create and update that need no server. */
static int check_simple(const struct rule_in *o)
{
	int rc;

	if ((rc = check_text("name", o->name)) < 0 || (rc = check_text("tags", o->tags)) < 0)
		return rc;
	return 0;
}

/* Check the parts given, for a rule on `type`; canonical forms into p. */
static int check_parts(struct parts *p, const struct rule_in *o, int type)
{
	int rc;

	memset(p, 0, sizeof *p);
	if ((o->events &&
	     (rc = ontra_rule_check(&p->events, ONTRA_RULE_EVENTS, o->events, type)) < 0) ||
	    (o->conditions && (rc = ontra_rule_check(&p->conditions, ONTRA_RULE_CONDITIONS,
	                                             o->conditions, type)) < 0) ||
	    (o->actions &&
	     (rc = ontra_rule_check(&p->actions, ONTRA_RULE_ACTIONS, o->actions, type)) < 0)) {
		parts_release(p);
		return rc;
	}
	return 0;
}

static int check_id(long long id)
{
	return ontra__check_id(id, "rule");
}

int ontra_rule_get(json_t **out, ontra_client *c, long long id)
{
	return ontra__get_by_id(out, c, "Rule", "rule", id);
}

/* A record's id, which the API writes as a string or a number. */
static long long record_id(const json_t *rec)
{
	const json_t *id = json_object_get(rec, "id");
	long long v;

	if (json_is_integer(id))
		return json_integer_value(id);
	if (json_is_string(id) && util_parse_ll(json_string_value(id), 1, ONTRA_ID_MAX, &v) == 0)
		return v;
	return 0;
}

/* PUT /Rules with a form; *out is data.attrs (or data). */
static int put_rules(json_t **out, ontra_client *c, ontra_params *form)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	json_t *data = NULL, *attrs;
	int rc;

	*out = NULL;
	req.method = "PUT";
	req.path = "/Rules";
	req.form = form;
	if ((rc = ontra_call_data(&data, c, &req)) < 0)
		return rc;
	attrs = json_object_get(data, "attrs");
	if (!json_is_object(attrs) && !json_is_object(data)) {
		json_decref(data);
		return ontra__error(ONTRA_EBADRESPONSE,
		                    "the server's reply to a rule update holds no attrs");
	}
	*out = json_incref(json_is_object(attrs) ? attrs : data);
	json_decref(data);
	return 0;
}

/* After a create with pause=1: pause the new rule and fold the change into the record. */
static int pause_created(json_t *rec, ontra_client *c)
{
	ontra_params *form = NULL;
	json_t *attrs = NULL;
	long long id = record_id(rec);
	const char *k;
	json_t *v;
	char msg[512];
	int rc;

	if (id <= 0)
		return ontra__error(ONTRA_EBADRESPONSE,
		                    "the server's reply to a rule create holds no id");
	if ((rc = ontra_params_new(&form)) < 0 || (rc = ontra_params_add_int(form, "id", id)) < 0 ||
	    (rc = ontra_params_add(form, "pause", "1")) < 0 ||
	    (rc = put_rules(&attrs, c, form)) < 0) {
		snprintf(msg, sizeof msg, "%s", ontra_error_last()->message);
		ontra_params_free(form);
		return ontra__error(rc, "rule %lld was created, but pausing it failed: %s", id,
		                    msg);
	}
	ontra_params_free(form);
	json_object_foreach(attrs, k, v) if (strcmp(k, "id") != 0) json_object_set(rec, k, v);
	json_decref(attrs);
	return 0;
}

static int rule_create(json_t **out, ontra_client *c, const struct rule_in *o)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	struct parts p = {NULL, NULL, NULL};
	json_t *body = NULL;
	int type, rc;

	*out = NULL;
	if ((rc = check_simple(o)) < 0)
		return rc;
	if (o->id != 0)
		return ontra__error(ONTRA_EINVALID,
		                    "a new rule takes no id (to change rule %lld, update "
		                    "it)",
		                    o->id);
	if (!o->events)
		return ontra__error(ONTRA_EINVALID,
		                    "missing events: a rule needs at least one event");
	if (!o->actions)
		return ontra__error(ONTRA_EINVALID,
		                    "missing actions: a rule needs at least one action");
	type = o->object_type < 0 ? ONTRA_CONTACT : o->object_type;
	if ((rc = check_parts(&p, o, type)) < 0)
		return rc;
	/* As the SDK's RuleBuilder sends it: every part present, conditions possibly "". */
	body = json_pack("{s:i, s:s, s:s, s:s}", "object_type_id", type, "events", p.events,
	                 "conditions", p.conditions ? p.conditions : "", "actions", p.actions);
	if (!body || (o->name && json_object_set_new(body, "name", json_string(o->name)) < 0) ||
	    (o->tags && json_object_set_new(body, "tags", json_string(o->tags)) < 0)) {
		rc = ontra__error_oom();
		goto out;
	}
	req.method = "POST";
	req.path = "/Rules";
	req.json = body;
	if ((rc = ontra_call_data(out, c, &req)) < 0)
		goto out;
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		rc = ontra__error(ONTRA_EBADRESPONSE,
		                  "the server's reply to a rule create holds no rule");
		goto out;
	}
	if (o->pause == 1 && (rc = pause_created(*out, c)) < 0) {
		json_decref(*out);
		*out = NULL;
	}
out:
	json_decref(body);
	parts_release(&p);
	return rc;
}

/* The object type a stored rule is for. */
static int stored_type(int *out, ontra_client *c, long long id, json_t **rec)
{
	const json_t *t;
	long long v;
	int rc;

	*out = -1;
	if ((rc = ontra_rule_get(rec, c, id)) < 0)
		return rc;
	t = json_object_get(*rec, "object_type_id");
	if (json_is_integer(t))
		v = json_integer_value(t);
	else if (!json_is_string(t) || util_parse_ll(json_string_value(t), 0, INT_MAX, &v) < 0)
		v = ONTRA_CONTACT; /* the API's default */
	*out = (int)v;
	return 0;
}

/* Check a part as stored on the server (empty is fine: the rule keeps what it has). */
static int check_stored(const json_t *rec, const char *key, ontra_rule_part part, int type)
{
	const char *text = json_string_value(json_object_get(rec, key));
	char *canon = NULL;
	int rc;

	if (!text || !*text)
		return 0;
	rc = ontra_rule_check(&canon, part, text, type);
	free(canon);
	return rc;
}

static int rule_update(json_t **out, ontra_client *c, const struct rule_in *o)
{
	ontra_params *form = NULL;
	struct parts p = {NULL, NULL, NULL};
	json_t *stored = NULL;
	int given_parts, type, rc;

	*out = NULL;
	if ((rc = check_simple(o)) < 0)
		return rc;
	if (o->id == 0)
		return ontra__error(ONTRA_EINVALID, "missing rule id: which rule to update?");
	if ((rc = check_id(o->id)) < 0)
		return rc;
	given_parts = (o->events != NULL) + (o->conditions != NULL) + (o->actions != NULL);
	if (!given_parts && !o->name && !o->tags && o->pause == -1 && o->object_type == -1)
		return ontra__error(ONTRA_EINVALID, "nothing to update: give at least one field");
	type = o->object_type;
	/* Check the given parts locally first, with contacts if the type is not known yet. */
	if ((rc = check_parts(&p, o, type < 0 ? ONTRA_CONTACT : type)) < 0)
		return rc;
	parts_release(&p);
	if (type < 0 && given_parts) {
		/* Contacts-only items are allowed only on contacts rules: learn the rule's type. */
		if ((rc = stored_type(&type, c, o->id, &stored)) < 0)
			goto out;
	} else if (type > 0 && given_parts < 3) {
		/* A new type must suit the parts that stay as they are, too. */
		if ((rc = ontra_rule_get(&stored, c, o->id)) < 0 ||
		    (!o->events &&
		     (rc = check_stored(stored, "events", ONTRA_RULE_EVENTS, type)) < 0) ||
		    (!o->conditions &&
		     (rc = check_stored(stored, "conditions", ONTRA_RULE_CONDITIONS, type)) < 0) ||
		    (!o->actions &&
		     (rc = check_stored(stored, "actions", ONTRA_RULE_ACTIONS, type)) < 0))
			goto out;
	}
	if ((rc = check_parts(&p, o, type < 0 ? ONTRA_CONTACT : type)) < 0)
		goto out;
	if ((rc = ontra_params_new(&form)) < 0 ||
	    (rc = ontra_params_add_int(form, "id", o->id)) < 0 ||
	    (o->name && (rc = ontra_params_add(form, "name", o->name)) < 0) ||
	    (p.events && (rc = ontra_params_add(form, "events", p.events)) < 0) ||
	    (p.conditions && (rc = ontra_params_add(form, "conditions", p.conditions)) < 0) ||
	    (p.actions && (rc = ontra_params_add(form, "actions", p.actions)) < 0) ||
	    (o->object_type >= 0 &&
	     (rc = ontra_params_add_int(form, "object_type_id", o->object_type)) < 0) ||
	    (o->tags && (rc = ontra_params_add(form, "tags", o->tags)) < 0) ||
	    (o->pause >= 0 && (rc = ontra_params_add(form, "pause", o->pause ? "1" : "0")) < 0))
		goto out;
	rc = put_rules(out, c, form);
out:
	json_decref(stored);
	ontra_params_free(form);
	parts_release(&p);
	return rc;
}

typedef int (*rule_write_fn)(json_t **out, ontra_client *c, const struct rule_in *o);

/* Read the caller's options (of any version), then write the rule. */
static int rule_write(json_t **out, ontra_client *c, const ontra_rule_options *o, rule_write_fn fn)
{
	struct rule_in r;
	int rc;

	*out = NULL;
	if ((rc = rule_in(&r, o)) < 0)
		return rc;
	return fn(out, c, &r);
}

int ontra_rule_create(json_t **out, ontra_client *c, const ontra_rule_options *o)
{
	return rule_write(out, c, o, rule_create);
}

int ontra_rule_update(json_t **out, ontra_client *c, const ontra_rule_options *o)
{
	return rule_write(out, c, o, rule_update);
}

int ontra_rule_pause(ontra_client *c, const long long *ids, size_t n, ontra_pause_op op)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *form = NULL;
	util_buf b = UTIL_BUF_INIT;
	json_t *data = NULL;
	int rc;

	if (n == 0 || !ids)
		return ontra__error(ONTRA_EINVALID, "no rule ids given");
	if (op != ONTRA_PAUSE && op != ONTRA_UNPAUSE)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid pause op %d: expected ONTRA_PAUSE or ONTRA_UNPAUSE",
		                    (int)op);
	if ((rc = ontra__ids_csv(&b, ids, n, "rule id")) < 0 ||
	    (rc = ontra_params_new(&form)) < 0 ||
	    (rc = ontra_params_add_int(form, "objectID", ONTRA_RULE)) < 0 ||
	    (rc = ontra_params_add(form, "ids", b.data)) < 0)
		goto out;
	/* Form-encoded, as the official SDK sends pause and unpause. */
	req.method = "POST";
	req.path = op == ONTRA_PAUSE ? "/objects/pause" : "/objects/unpause";
	req.form = form;
	rc = ontra_call_data(&data, c, &req);
out:
	json_decref(data);
	util_buf_release(&b);
	ontra_params_free(form);
	return rc;
}
