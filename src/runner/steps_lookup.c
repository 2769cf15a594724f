/*
 * steps_lookup: after a create whose outcome is unknown (the process died
 * between sending it and journaling its answer, or the answer was lost),
 * find what it made instead of sending it again.
 *
 * What is looked for: records of the step's type created since the step
 * started (date >= started - SKEW) whose fields equal what the step sent:
 * for objects.create every non-empty field it gave, as the account stores
 * it (ontra_fields_check's normal form); for messages.create the name
 * (alias); for rules.create the name. One match is taken as the step's
 * output; none means nothing was made, so it is safe to send; more than one
 * cannot be told apart, and the run stops there (dead, with the reason)
 * rather than risk a duplicate.
 */
#include <stdlib.h>
#include <string.h>

#include "step_args.h"
#include "banned.h"

/* Seconds allowed between our clock and the account's when comparing creation dates. */
#define SKEW 120

typedef struct matches {
	json_t *first;
	size_t n;
} matches;

static int count_match(json_t *obj, void *ud)
{
	matches *m = ud;

	if (!m->n++)
		m->first = json_incref(obj);
	return 0;
}

/* The condition: every field = value, and date >= since. */
static int condition_of(const json_t *fields, long long since, json_t **out)
{
	json_t *cond = json_array(), *v;
	const char *k, *s;
	char buf[32];

	if (!cond)
		return -1;
	json_object_foreach((json_t *)fields, k, v)
	{
		if (!(s = json_string_value(v)) || !*s)
			continue; /* empty values are not stored as sent */
		if (ontra_condition_add(cond, "AND", k, "=", json_string(s)) < 0)
			goto fail;
	}
	snprintf(buf, sizeof buf, "%lld", since);
	if (ontra_condition_add(cond, "AND", "date", ">=", json_string(buf)) < 0)
		goto fail;
	*out = cond;
	return 0;
fail:
	json_decref(cond);
	return -1;
}

/* Whether records of the type carry their creation date (`date`), which the lookup needs. */
static int dated(const run_step_env *env, int type)
{
	const json_t *fields;

	return ontra_fields(&fields, env->client, type) == 0 && json_object_get(fields, "date");
}

static run_outcome find(const run_step_env *env, int type, const json_t *fields, long long since,
                        const char *what, json_t **output, char *err, size_t errsz)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	matches m = {NULL, 0};
	json_t *cond = NULL;
	int rc;

	if (!dated(env, type))
		return run_fail(
		    RUN_FAIL, err, errsz,
		    "outcome unknown: %s records carry no creation date to tell one made "
		    "now from an older one; not sent again (check, then replay or leave "
		    "it)",
		    ontra_object_type_name(env->client, type));

	if (condition_of(fields, since, &cond) < 0)
		return run_fail(RUN_FAIL, err, errsz, "cannot look up the %s: bad field values",
		                what);
	o.object_type = type;
	o.condition = cond;
	o.limit = 2;
	rc = ontra_search(env->client, &o, count_match, &m);
	json_decref(cond);
	if (rc < 0) {
		json_decref(m.first);
		return run_lib_outcome(rc, 0, err, errsz);
	}
	if (m.n == 1) {
		*output = m.first;
		return RUN_OK;
	}
	json_decref(m.first);
	if (m.n == 0)
		return run_fail(RUN_RETRY, err, errsz, "the %s was not made; sending it again",
		                what);
	return run_fail(RUN_FAIL, err, errsz,
	                "outcome unknown: several %ss made since the step started match what it "
	                "sent; not sent again (find the right one and replay, or mark it done)",
	                what);
}

static run_outcome lookup_object(const run_step_env *env, const json_t *with, long long since,
                                 json_t **output, char *err, size_t errsz)
{
	json_t *fields = json_deep_copy(json_object_get(with, "fields"));
	int type, rc;
	run_outcome oc = fields ? run_arg_type(env, with, &type, err, errsz)
	                        : run_fail(RUN_FAIL, err, errsz, "fields: missing");

	if (oc == RUN_OK && (rc = ontra_fields_check(env->client, type, fields)) < 0)
		oc = run_lib_outcome(rc, 0, err, errsz);
	if (oc == RUN_OK)
		oc = find(env, type, fields, since, "record", output, err, errsz);
	json_decref(fields);
	return oc;
}

static run_outcome lookup_named(const run_step_env *env, int type, const char *field,
                                const json_t *with, long long since, const char *what,
                                json_t **output, char *err, size_t errsz)
{
	const char *name = json_string_value(json_object_get(with, "name"));
	json_t *fields = name ? json_pack("{s:s}", field, name) : NULL;
	run_outcome oc;

	if (!fields)
		return run_fail(RUN_FAIL, err, errsz, "name: missing");
	oc = find(env, type, fields, since, what, output, err, errsz);
	json_decref(fields);
	return oc;
}

run_outcome run_step_lookup(const run_step_env *env, const char *kind, const json_t *with,
                            int64_t started_ms, json_t **output, char *err, size_t errsz)
{
	long long since = (long long)(started_ms / 1000) - SKEW;

	*output = NULL;
	if (!strcmp(kind, "objects.create"))
		return lookup_object(env, with, since, output, err, errsz);
	if (!strcmp(kind, "messages.create"))
		return lookup_named(env, ONTRA_MESSAGE, "alias", with, since, "message", output,
		                    err, errsz);
	if (!strcmp(kind, "rules.create"))
		return lookup_named(env, ONTRA_RULE, "name", with, since, "rule", output, err,
		                    errsz);
	return run_fail(RUN_FAIL, err, errsz, "%s: not a create", kind);
}
