/*
 * control: the sandbox's own API under /_sandbox/, for tests, demos and
 * benchmarks. Needs X-Sandbox-Token (server.c checks it); never rate-limited,
 * never counted in the stats. Replies are plain JSON (no Ontraport envelope);
 * errors are plain text like the rest.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_deliveries.h"
#include "sbx_ratelimit.h"
#include "sbx_call.h"
#include "sbx_routes.h"
#include "sbx_stats.h"
#include "banned.h"

#define SEED_MAX 10000000LL   /* contacts per seed call */
#define FIXTURES_MAX 10000    /* records per seed/objects call */
#define CUSTOM_FIELDS_MAX 500 /* fields per custom object type */
#define CUSTOM_ID_MIN 10000   /* custom object types are numbered from here (§2) */

/* POST /_sandbox/reset: seeded data, zero counters, an empty rate window. */
static void ctl_reset(sbx_call *c)
{
	sbx_err e = SBX_ERR_INIT;

	if (sbx_store_reset(c->ctx->store, &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	sbx_stats_reset(c->ctx->stats);
	sbx_ratelimit_reset(c->ctx->limiter);
	sbx_deliveries_reset(c->ctx->deliveries);
	sbx_resp_json(c->resp, json_pack("{s:b}", "reset", 1));
}

/* GET /_sandbox/stats */
static void ctl_stats(sbx_call *c)
{
	sbx_resp_json(c->resp, sbx_stats_json(c->ctx->stats));
}

/* GET /_sandbox/requests[?limit=N] (default 100): an array of the last N API requests,
 * oldest first. */
static void ctl_requests(sbx_call *c)
{
	long long limit = 100;

	if (sbx_arg_int(c, "limit", SBX_OPTIONAL, 0, SBX_LOG_MAX, &limit) < 0)
		return;
	sbx_resp_json(c->resp, sbx_stats_log_json(c->ctx->stats, (size_t)limit));
}

/* Synthetic contact number `base + index`. */
static void fill_contact(void *arg, long long index, char **vals, size_t n)
{
	long long i = *(const long long *)arg + index;

	(void)n;
	snprintf(vals[0], SBX_FILL_MAX, "First%lld", i);
	snprintf(vals[1], SBX_FILL_MAX, "Last%lld", i);
	snprintf(vals[2], SBX_FILL_MAX, "contact%lld@seed.example", i);
}

/* The id the next contact will get (AUTOINCREMENT never reuses ids). */
static long long next_id(sbx_store *st, const sbx_otype *t)
{
	sqlite3_stmt *s;
	long long next = 1;

	if (sqlite3_prepare_v2(sbx_store_db(st), "SELECT seq FROM sqlite_sequence WHERE name=?", -1,
	                       &s, NULL) != SQLITE_OK)
		return next;
	sqlite3_bind_text(s, 1, t->table, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		next = sqlite3_column_int64(s, 0) + 1;
	sqlite3_finalize(s);
	return next;
}

/*
 * POST /_sandbox/seed/contacts?count=N: N contacts in one transaction; contact
 * with id K is FirstK LastK <contactK@seed.example> (when ids are not shared
 * with contacts created otherwise during the call, which the store lock
 * guarantees).
 */
static void ctl_seed_contacts(sbx_call *c)
{
	static const char *const names[] = {"firstname", "lastname", "email"};
	const sbx_otype *t = sbx_store_type(c->ctx->store, 0);
	long long count, first, base;
	sbx_err e = SBX_ERR_INIT;

	if (sbx_arg_int(c, "count", SBX_REQUIRED, 1, SEED_MAX, &count) < 0)
		return;
	if (!t) {
		sbx_fail(c, 500, "Internal Server Error: no contact type");
		return;
	}
	base = next_id(c->ctx->store, t);
	if (sbx_record_insert_bulk(c->ctx->store, t, names, 3, count, fill_contact, &base, &first,
	                           &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	sbx_resp_json(c->resp,
	              json_pack("{s:I, s:I, s:I}", "created", (json_int_t)count, "first_id",
	                        (json_int_t)first, "last_id", (json_int_t)(first + count - 1)));
}

/*
 * POST /_sandbox/seed/objects with {"objectID": N, "records": [{field: value}, ...]}:
 * fixtures for any type, bypassing the type's access rules and read-only flags
 * (so tests can create messages, tasks, ...). Reply {"ids": [..]}. All or nothing.
 */
static void ctl_seed_objects(sbx_call *c)
{
	sbx_store *st = c->ctx->store;
	const sbx_otype *t;
	json_t *records = json_object_get(c->params, "records"), *rec, *ids;
	sbx_err e = SBX_ERR_INIT;
	size_t i;

	if (sbx_call_otype(c, &t) < 0)
		return;
	if (!json_is_array(records) || json_array_size(records) > FIXTURES_MAX) {
		sbx_fail(c, 400, "Invalid records: expected a JSON array of at most %d objects",
		         FIXTURES_MAX);
		return;
	}
	ids = json_array();
	if (!ids || sbx_store_begin(st, &e) < 0) {
		json_decref(ids);
		sbx_fail_err(c, &e);
		return;
	}
	json_array_foreach(records, i, rec)
	{
		long long id;
		if (!json_is_object(rec)) {
			sbx_err_set(&e, 400, "Invalid records[%zu]: expected an object", i);
			break;
		}
		if (sbx_record_insert(st, t, rec, SBX_REC_RAW, &id, NULL, &e) < 0)
			break;
		json_array_append_new(ids, json_integer(id));
	}
	if (e.status)
		sbx_store_rollback(st);
	if (e.status || sbx_store_commit(st, &e) < 0) { /* a failed commit rolls back itself */
		json_decref(ids);
		sbx_fail_err(c, &e);
		return;
	}
	sbx_resp_json(c->resp, json_pack("{s:o}", "ids", ids));
}

/* Flags of a custom field spec: required/unique as 1/0/true/false. */
static int spec_flag(json_t *spec, const char *key, unsigned bit, unsigned *flags, sbx_err *e)
{
	int on = 0;
	int rc = sbx_param_bool(spec, key, SBX_OPTIONAL, &on, e);

	if (rc < 0)
		return -1;
	if (rc == 0 && on)
		*flags |= bit;
	return 0;
}

/* The next free custom object type id. */
static long long next_custom_id(sbx_store *st)
{
	long long next = CUSTOM_ID_MIN;
	size_t i;

	for (i = 0; i < sbx_store_ntypes(st); i++)
		if (sbx_store_type_at(st, i)->id >= next)
			next = sbx_store_type_at(st, i)->id + 1;
	return next;
}

/* Turn one {"alias","type","options","required","unique"} spec into a field definition. */
static int custom_field(const char *name, json_t *spec, sbx_field_def *d, char **options,
                        sbx_err *e)
{
	const char *type = json_string_value(json_object_get(spec, "type"));
	json_t *opts = json_object_get(spec, "options");
	int ft;

	if (!json_is_object(spec))
		return sbx_err_set(e, 400, "Invalid field '%.64s': expected an object", name);
	ft = sbx_ftype_parse(type ? type : "text");
	if (ft < 0)
		return sbx_err_set(e, 400, "Invalid type '%.32s' for field '%.64s'", type, name);
	d->name = name;
	d->alias = json_string_value(json_object_get(spec, "alias"));
	if (!d->alias || !*d->alias)
		d->alias = name;
	d->type = (sbx_ftype)ft;
	d->flags = SBX_F_EDITABLE | SBX_F_DELETABLE;
	if (spec_flag(spec, "required", SBX_F_REQUIRED, &d->flags, e) < 0 ||
	    spec_flag(spec, "unique", SBX_F_UNIQUE, &d->flags, e) < 0)
		return -1;
	if (opts && !json_is_null(opts)) {
		if (!json_is_object(opts))
			return sbx_err_set(
			    e, 400, "Invalid options for field '%.64s': expected an object", name);
		*options = json_dumps(opts, JSON_COMPACT);
		if (!*options)
			return sbx_err_set(e, 500, "out of memory");
		d->options = *options;
	}
	return 0;
}

/*
 * POST /_sandbox/object-types with {"name": "Dog", "plural": "Dogs" (optional),
 * "fields": {"<name>": {"alias", "type" (§1.7, default text), "options" (drop/list),
 * "required", "unique"}}}: declares a custom object type (id >= 10000) as an account
 * would in the app. Like Ontraport's custom objects it also gets owner, date and dlm.
 * Endpoints: /<Name> and /<Plural> (default Name + "s"). Reply {"id", "name",
 * "singular", "plural"}.
 */
static void ctl_object_types(sbx_call *c)
{
	sbx_store *st = c->ctx->store;
	json_t *fields = json_object_get(c->params, "fields"), *spec;
	const char *name, *plural = NULL, *key;
	char singular[65], plural_buf[66];
	sbx_field_def *defs = NULL;
	char **options = NULL;
	sbx_type_def def;
	sbx_err e = SBX_ERR_INIT;
	size_t n = 0, i, w = 0;

	if (sbx_arg_str(c, "name", SBX_REQUIRED, &name) < 0 ||
	    sbx_arg_str(c, "plural", SBX_OPTIONAL, &plural) < 0)
		return;
	/* The endpoint name: the letters and digits of the name. */
	for (i = 0; name[i] && w + 1 < sizeof singular; i++)
		if (isalnum((unsigned char)name[i]))
			singular[w++] = name[i];
	singular[w] = '\0';
	if (!isalpha((unsigned char)singular[0])) {
		sbx_fail(c, 400, "Invalid name '%.64s': it needs a letter first", name);
		return;
	}
	snprintf(plural_buf, sizeof plural_buf, "%s%s", plural && *plural ? plural : singular,
	         plural && *plural ? "" : "s");
	if (fields && !json_is_object(fields)) {
		sbx_fail(c, 400, "Invalid fields: expected an object of field specs");
		return;
	}
	if (json_object_size(fields) > CUSTOM_FIELDS_MAX) {
		sbx_fail(c, 400, "Too many fields (at most %d)", CUSTOM_FIELDS_MAX);
		return;
	}
	defs = calloc(json_object_size(fields) + 6, sizeof *defs);
	options = calloc(json_object_size(fields) + 1, sizeof *options);
	if (!defs || !options) {
		sbx_fail(c, 500, "Internal Server Error: out of memory");
		goto out;
	}
	json_object_foreach(fields, key, spec)
	{
		if (custom_field(key, spec, &defs[n], &options[n], &e) < 0)
			goto fail;
		n++;
	}
	if (!json_object_get(fields, "owner"))
		defs[n++] = (sbx_field_def){"owner", "Owner", SBX_FT_PARENT, SBX_F_EDITABLE,
		                            NULL,    "2",     "1",           NULL};
	if (!json_object_get(fields, "date"))
		defs[n++] = (sbx_field_def){
		    "date", "Date Added", SBX_FT_TIMESTAMP, SBX_F_CREATED, NULL, NULL, NULL, NULL};
	if (!json_object_get(fields, "dlm"))
		defs[n++] = (sbx_field_def){
		    "dlm", "Date Modified", SBX_FT_TIMESTAMP, SBX_F_MODIFIED, NULL, NULL, NULL,
		    NULL};
	/* Custom objects take tags, sequences and campaigns as contacts do (§5; .NET's
	 * ApiCustomObjectBase has the same three lists). */
	for (i = 0; i < 3; i++) {
		static const char *const lists[][2] = {{"contact_cat", "Tags"},
		                                       {"updateSequence", "Sequences"},
		                                       {"updateCampaign", "Campaigns"}};
		if (!json_object_get(fields, lists[i][0]))
			defs[n++] =
			    (sbx_field_def){lists[i][0],    lists[i][1], SBX_FT_SUBSCRIPTION,
			                    SBX_F_EDITABLE, NULL,        NULL,
			                    NULL,           NULL};
	}
	def = (sbx_type_def){next_custom_id(st), name, singular, plural_buf, "id",
	                     SBX_ACC_ALL,        1,    NULL,     defs,       n};
	if (sbx_store_add_type(st, &def, &e) < 0)
		goto fail;
	sbx_resp_json(c->resp, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)def.id, "name",
	                                 name, "singular", singular, "plural", plural_buf));
	goto out;
fail:
	sbx_fail_err(c, &e);
out:
	for (i = 0; options && i < json_object_size(fields); i++)
		free(options[i]);
	free(options);
	free(defs);
}

const sbx_route sbx_routes_control[] = {
    {"POST", "/_sandbox/reset", ctl_reset, 0},
    {"GET", "/_sandbox/stats", ctl_stats, 0},
    {"GET", "/_sandbox/requests", ctl_requests, 0},
    {"POST", "/_sandbox/seed/contacts", ctl_seed_contacts, 0},
    {"POST", "/_sandbox/seed/objects", ctl_seed_objects, 0},
    {"POST", "/_sandbox/object-types", ctl_object_types, 0},
    {NULL, NULL, NULL, 0},
};
