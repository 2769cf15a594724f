/*
 * steps: one step's rendered `with` turned into library calls; the objects
 * kinds here, messages/rules/api in steps_api.c, exec/http in steps_ext.c.
 * Each kind gives an output object the later steps read as steps.ID.
 */
#include <stdlib.h>
#include <string.h>

#include "step_args.h"
#include "banned.h"

#define SEARCH_DEFAULT_LIMIT 100
#define SEARCH_MAX_LIMIT 10000

/* ---- objects.search and objects.with-tag ---- */

typedef struct found {
	json_t *objects, *ids;
} found;

static int collect(json_t *obj, void *ud)
{
	found *f = ud;
	json_t *id = json_object_get(obj, "id");

	json_array_append(f->objects, obj);
	json_array_append(f->ids, id ? id : json_null());
	return 0;
}

/* The search options in `with` (where, search, ids, sort, ...). */
static run_outcome search_options(const json_t *with, ontra_search_options *o, json_t **cond,
                                  long long **ids, const char ***fields, char *err, size_t errsz)
{
	const json_t *where = json_object_get(with, "where"), *f = json_object_get(with, "fields");
	const json_t *lim = json_object_get(with, "limit"), *x;
	run_outcome oc;
	size_t i;

	o->search = json_string_value(json_object_get(with, "search"));
	o->search_notes = run_arg_bool(with, "search_notes", 0);
	o->sort = json_string_value(json_object_get(with, "sort"));
	o->sort_desc = run_arg_bool(with, "desc", 0);
	o->group_id = json_integer_value(json_object_get(with, "group"));
	o->start = (size_t)json_integer_value(json_object_get(with, "start"));
	o->limit = SEARCH_DEFAULT_LIMIT;
	if (lim && (!json_is_integer(lim) || json_integer_value(lim) < 1 ||
	            json_integer_value(lim) > SEARCH_MAX_LIMIT))
		return run_fail(RUN_FAIL, err, errsz, "limit: expected 1 to %d", SEARCH_MAX_LIMIT);
	if (lim)
		o->limit = (size_t)json_integer_value(lim);
	if ((oc = run_arg_ids(with, "ids", 0, ids, &o->ids_count, err, errsz)) != RUN_OK)
		return oc;
	o->ids = *ids;
	if (json_is_string(where) && ontra_where_parse(cond, json_string_value(where)) < 0)
		return run_lib_outcome(ONTRA_EINVALID, 0, err, errsz);
	if (where && !json_is_string(where) && !json_is_null(where))
		return run_fail(RUN_FAIL, err, errsz, "where: expected a condition as text");
	o->condition = *cond;
	if (json_array_size(f)) {
		if (!(*fields = calloc(json_array_size(f), sizeof **fields)))
			return run_fail(RUN_RETRY, err, errsz, "out of memory");
		json_array_foreach(
		    f, i,
		    x) if (!((*fields)[i] =
		                 json_string_value(
		                     x))) return run_fail(RUN_FAIL, err, errsz,
		                                          "fields: expected a list of field names");
		o->fields = *fields;
		o->fields_count = json_array_size(f);
	}
	return RUN_OK;
}

static run_outcome search_into(const run_step_env *env, const ontra_search_options *o,
                               json_t **output, char *err, size_t errsz)
{
	found f = {json_array(), json_array()};
	int rc = ONTRA_ERROR;

	if (!f.objects || !f.ids || (rc = ontra_search(env->client, o, collect, &f)) < 0) {
		json_decref(f.objects);
		json_decref(f.ids);
		return f.objects && f.ids ? run_lib_outcome(rc, 0, err, errsz)
		                          : run_fail(RUN_RETRY, err, errsz, "out of memory");
	}
	*output = json_pack("{s:I, s:o, s:o}", "count", (json_int_t)json_array_size(f.ids), "ids",
	                    f.ids, "objects", f.objects);
	return *output ? RUN_OK : run_fail(RUN_RETRY, err, errsz, "out of memory");
}

static run_outcome k_search(const run_step_env *env, const char *kind, const json_t *with,
                            json_t **output, char *err, size_t errsz)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	json_t *cond = NULL;
	long long *ids = NULL, *tag = NULL;
	const char **fields = NULL;
	size_t ntag = 0;
	run_outcome oc = run_arg_type(env, with, &o.object_type, err, errsz);

	if (oc == RUN_OK)
		oc = search_options(with, &o, &cond, &ids, &fields, err, errsz);
	if (oc == RUN_OK && !strcmp(kind, "objects.with-tag")) {
		oc = run_arg_named(env, with, "tag", "tag", &tag, &ntag, err, errsz);
		if (oc == RUN_OK && ntag != 1)
			oc = run_fail(RUN_FAIL, err, errsz, "tag: expected one tag");
		if (oc == RUN_OK)
			o.tag_id = tag[0];
	}
	if (oc == RUN_OK)
		oc = search_into(env, &o, output, err, errsz);
	json_decref(cond);
	free(ids);
	free(tag);
	free(fields);
	return oc;
}

/* ---- get, create, update, upsert, delete ---- */

static const json_t *fields_of(const json_t *with, char *err, size_t errsz)
{
	const json_t *f = json_object_get(with, "fields");

	if (!json_is_object(f) || !json_object_size(f)) {
		snprintf(err, errsz, "fields: expected a mapping of field names to values");
		return NULL;
	}
	return f;
}

static run_outcome k_get(const run_step_env *env, const char *kind, const json_t *with,
                         json_t **output, char *err, size_t errsz)
{
	int type, rc;
	long long id;
	run_outcome oc = run_arg_type(env, with, &type, err, errsz);

	if (oc == RUN_OK)
		oc = run_arg_id(with, &id, err, errsz);
	if (oc != RUN_OK)
		return oc;
	rc = ontra_object_get(output, env->client, type, id);
	return rc ? run_lib_outcome(rc, 0, err, errsz) : RUN_OK;
}

static run_outcome k_write(const run_step_env *env, const char *kind, const json_t *with,
                           json_t **output, char *err, size_t errsz)
{
	const json_t *fields = fields_of(with, err, errsz);
	int type, rc, created = 0, creates = !strcmp(kind, "objects.create");
	long long id = 0;
	run_outcome oc = fields ? run_arg_type(env, with, &type, err, errsz) : RUN_FAIL;

	if (oc == RUN_OK && !strcmp(kind, "objects.update"))
		oc = run_arg_id(with, &id, err, errsz);
	if (oc != RUN_OK)
		return oc;
	if (creates)
		rc = ontra_object_create(output, env->client, type, fields);
	else if (id)
		rc = ontra_object_update(output, env->client, type, id, fields);
	else
		rc = ontra_object_upsert(output, &created, env->client, type, fields,
		                         run_arg_bool(with, "ignore_blanks", 0));
	if (rc)
		return run_lib_outcome(rc, creates, err, errsz);
	if (!json_is_object(*output)) {
		json_decref(*output);
		*output = json_object();
	}
	if (!strcmp(kind, "objects.upsert"))
		json_object_set_new(*output, "created", json_boolean(created));
	return RUN_OK;
}

static run_outcome k_delete(const run_step_env *env, const char *kind, const json_t *with,
                            json_t **output, char *err, size_t errsz)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	const json_t *where = json_object_get(with, "where");
	json_t *cond = NULL;
	long long *ids = NULL;
	int rc = 0;
	run_outcome oc = run_arg_type(env, with, &o.object_type, err, errsz);

	if (oc == RUN_OK)
		oc = run_arg_ids(with, "ids", 0, &ids, &o.ids_count, err, errsz);
	o.ids = ids;
	if (oc == RUN_OK && json_is_string(where) &&
	    (rc = ontra_where_parse(&cond, json_string_value(where))) < 0)
		oc = run_lib_outcome(rc, 0, err, errsz);
	o.condition = cond;
	/* ONTRA_DELETE_SELECTED: a selection that narrows nothing down is refused, never "all" */
	if (oc == RUN_OK && (rc = ontra_objects_delete(env->client, &o, ONTRA_DELETE_SELECTED)) < 0)
		oc = run_lib_outcome(rc, 0, err, errsz);
	if (oc == RUN_OK && !(*output = json_object()))
		oc = run_fail(RUN_RETRY, err, errsz, "out of memory");
	json_decref(cond);
	free(ids);
	return oc;
}

/* ---- tag, untag, subscribe, unsubscribe ---- */

static json_t *ids_json(const long long *ids, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	return a;
}

static run_outcome k_tag(const run_step_env *env, const char *kind, const json_t *with,
                         json_t **output, char *err, size_t errsz)
{
	long long *ids = NULL, *tags = NULL;
	size_t n = 0, ntags = 0;
	int type, rc;
	ontra_list_op op = strcmp(kind, "objects.tag") ? ONTRA_REMOVE : ONTRA_ADD;
	run_outcome oc = run_arg_type(env, with, &type, err, errsz);

	if (oc == RUN_OK)
		oc = run_arg_ids(with, "ids", 1, &ids, &n, err, errsz);
	if (oc == RUN_OK)
		oc = run_arg_named(env, with, "tags", "tag", &tags, &ntags, err, errsz);
	if (oc == RUN_OK && !ntags)
		oc = run_fail(RUN_FAIL, err, errsz, "tags: expected a tag's name or id, or a list");
	if (oc == RUN_OK && (rc = ontra_tag_ids(env->client, type, ids, n, tags, ntags, op)) < 0)
		oc = run_lib_outcome(rc, 0, err, errsz);
	if (oc == RUN_OK)
		*output =
		    json_pack("{s:o, s:o}", "ids", ids_json(ids, n), "tags", ids_json(tags, ntags));
	free(ids);
	free(tags);
	return oc;
}

static run_outcome subscribe_kind(const run_step_env *env, const json_t *with, int type,
                                  const long long *ids, size_t n, ontra_list_op op, const char *key,
                                  json_t *out, char *err, size_t errsz)
{
	long long *lists = NULL;
	size_t nlists = 0;
	int rc;
	const char *kind = !strcmp(key, "sequences") ? "sequence" : "campaign";
	run_outcome oc = run_arg_named(env, with, key, kind, &lists, &nlists, err, errsz);

	if (oc == RUN_OK && nlists &&
	    (rc = ontra_subscribe(env->client, type, ids, n, lists, nlists,
	                          *kind == 's' ? ONTRA_SUB_SEQUENCE : ONTRA_SUB_CAMPAIGN, op)) < 0)
		oc = run_lib_outcome(rc, 0, err, errsz);
	if (oc == RUN_OK && nlists)
		json_object_set_new(out, key, ids_json(lists, nlists));
	free(lists);
	return oc;
}

static run_outcome k_subscribe(const run_step_env *env, const char *kind, const json_t *with,
                               json_t **output, char *err, size_t errsz)
{
	long long *ids = NULL;
	size_t n = 0;
	int type;
	ontra_list_op op = strcmp(kind, "objects.subscribe") ? ONTRA_REMOVE : ONTRA_ADD;
	run_outcome oc = run_arg_type(env, with, &type, err, errsz);
	json_t *out = json_object();

	if (!out)
		return run_fail(RUN_RETRY, err, errsz, "out of memory");
	if (oc == RUN_OK)
		oc = run_arg_ids(with, "ids", 1, &ids, &n, err, errsz);
	if (oc == RUN_OK)
		oc = subscribe_kind(env, with, type, ids, n, op, "sequences", out, err, errsz);
	if (oc == RUN_OK)
		oc = subscribe_kind(env, with, type, ids, n, op, "campaigns", out, err, errsz);
	if (oc == RUN_OK && !json_object_size(out))
		oc = run_fail(RUN_FAIL, err, errsz, "give 'sequences' or 'campaigns'");
	if (oc == RUN_OK)
		json_object_set_new(out, "ids", ids_json(ids, n));
	free(ids);
	if (oc == RUN_OK)
		*output = out;
	else
		json_decref(out);
	return oc;
}

/* ---- the table ---- */

typedef run_outcome (*kind_fn)(const run_step_env *env, const char *kind, const json_t *with,
                               json_t **output, char *err, size_t errsz);

static run_outcome k_message(const run_step_env *env, const char *kind, const json_t *with,
                             json_t **output, char *err, size_t errsz)
{
	return run_step_message(env, kind, with, output, err, errsz);
}

static run_outcome k_rule(const run_step_env *env, const char *kind, const json_t *with,
                          json_t **output, char *err, size_t errsz)
{
	return run_step_rule(env, kind, with, output, err, errsz);
}

static run_outcome k_api(const run_step_env *env, const char *kind, const json_t *with,
                         json_t **output, char *err, size_t errsz)
{
	return run_step_api(env, with, output, err, errsz);
}

static run_outcome k_exec(const run_step_env *env, const char *kind, const json_t *with,
                          json_t **output, char *err, size_t errsz)
{
	return run_step_exec_cmd(env, with, output, err, errsz);
}

static run_outcome k_http(const run_step_env *env, const char *kind, const json_t *with,
                          json_t **output, char *err, size_t errsz)
{
	return run_step_http(env, with, output, err, errsz);
}

static const struct {
	const char *kind;
	kind_fn fn;
	const char *request; /* for --dry-run */
} kinds[] = {
    {"objects.search", k_search, "GET /objects"},
    {"objects.get", k_get, "GET /object"},
    {"objects.create", k_write, "POST /objects"},
    {"objects.update", k_write, "PUT /objects"},
    {"objects.upsert", k_write, "POST /objects/saveorupdate"},
    {"objects.delete", k_delete, "DELETE /objects"},
    {"objects.tag", k_tag, "PUT /objects/tag"},
    {"objects.untag", k_tag, "DELETE /objects/tag"},
    {"objects.subscribe", k_subscribe, "PUT /objects/subscribe"},
    {"objects.unsubscribe", k_subscribe, "DELETE /objects/subscribe"},
    {"objects.with-tag", k_search, "GET /objects/tag"},
    {"messages.create", k_message, "POST /message"},
    {"messages.update", k_message, "PUT /message"},
    {"rules.create", k_rule, "POST /Rules"},
    {"rules.update", k_rule, "PUT /Rules"},
    {"rules.pause", k_rule, "POST /objects/pause"},
    {"api", k_api, NULL},
    {"exec", k_exec, "exec"},
    {"http", k_http, "http"},
};

const char *run_step_request_line(const char *kind, const json_t *with)
{
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (!strcmp(kinds[i].kind, kind))
			return kinds[i].request;
	return NULL;
}

/* --dry-run: one line per step, what it would send, and an empty output. */
static run_outcome dry_run(const run_step_env *env, const char *kind, const json_t *with,
                           json_t **output, char *err, size_t errsz)
{
	const char *line = run_step_request_line(kind, with);
	char *args = json_dumps(with, JSON_COMPACT | JSON_SORT_KEYS);
	const char *method = json_string_value(json_object_get(with, "method"));
	const char *path = json_string_value(json_object_get(with, "path"));
	char api[512];

	if (!strcmp(kind, "api")) {
		snprintf(api, sizeof api, "%s %s", method ? method : "GET", path ? path : "/");
		line = api;
	}
	fprintf(env->dry_out, "%s %s %s\n", kind, line ? line : "", args ? args : "{}");
	free(args);
	*output = json_object();
	return *output ? RUN_OK : run_fail(RUN_RETRY, err, errsz, "out of memory");
}

run_outcome run_step_exec(const run_step_env *env, const char *kind, const json_t *with,
                          json_t **output, char *err, size_t errsz)
{
	size_t i;

	*output = NULL;
	err[0] = '\0';
	for (i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (!strcmp(kinds[i].kind, kind))
			return env->dry_run ? dry_run(env, kind, with, output, err, errsz)
			                    : kinds[i].fn(env, kind, with, output, err, errsz);
	return run_fail(RUN_FAIL, err, errsz, "unknown step kind '%s'", kind);
}
