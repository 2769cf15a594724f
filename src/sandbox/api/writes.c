/*
 * writes: update, delete (one and many), saveorupdate and getByEmail for
 * every object type (reference §3.2, §10), generic and named (/Contacts).
 *
 * Writes that change a record's tag list (`contact_cat`) report the tags
 * added and removed, and saveorupdate that creates reports the creation
 * (sbx_deliveries.h), after the change is made.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_criteria.h"
#include "sbx_lists.h"
#include "sbx_tasks.h"
#include "sbx_call.h"
#include "sbx_routes.h"
#include "util.h"
#include "banned.h"

static int forbidden(sbx_call *c, const sbx_otype *t, unsigned verb, const char *what)
{
	if (t->access & verb)
		return 0;
	return sbx_fail(c, 403, "Forbidden: %s records cannot be %s through this endpoint", t->name,
	                what);
}

/*
 * Update record id of t from values, queueing tag events when its tag list
 * changes. *attrs is the update reply's `attrs` (new).
 */
static int update_record(sbx_store *st, const sbx_otype *t, long long id, json_t *values,
                         unsigned flags, json_t **attrs, sbx_pending *ev, sbx_err *e)
{
	json_t *old = NULL, *fields, *changed;
	int tags = sbx_otype_field(t, SBX_FIELD_TAGS) && json_object_get(values, SBX_FIELD_TAGS);
	int rc = -1;

	if (tags) {
		fields = json_pack("[s]", SBX_FIELD_TAGS);
		rc = fields ? sbx_record_get(st, t, id, fields, &old, e)
		            : sbx_err_set(e, 500, "Internal Server Error: out of memory");
		json_decref(fields);
		if (rc < 0)
			return -1;
	}
	rc = sbx_record_update(st, t, id, values, flags, attrs, e);
	if (rc == 0)
		rc = sbx_subs_recount_for(st, t, values, e);
	if (rc == 0 && tags && (changed = json_object_get(*attrs, SBX_FIELD_TAGS)) &&
	    sbx_pending_tag_diff(ev, t->id, id,
	                         json_string_value(json_object_get(old, SBX_FIELD_TAGS)),
	                         json_string_value(changed)) < 0)
		rc = sbx_err_set(e, 500, "Internal Server Error: out of memory");
	json_decref(old);
	return rc;
}

/* PUT /objects (objectID, id, fields), PUT /<Types> (id, fields): reply {attrs}. */
static void objects_update(sbx_call *c)
{
	const sbx_otype *t;
	sbx_pending ev = SBX_PENDING_INIT;
	json_t *attrs = NULL;
	long long id;
	sbx_err e = SBX_ERR_INIT;

	if (sbx_call_otype(c, &t) < 0 || forbidden(c, t, SBX_ACC_PUT, "updated") < 0 ||
	    sbx_arg_int(c, "id", SBX_REQUIRED, 0, LLONG_MAX, &id) < 0 ||
	    sbx_task_status_param(c, t) < 0)
		return;
	/* The parameters are the values; id, objectID and unknown names are not fields. */
	if (update_record(c->ctx->store, t, id, c->params, 0, &attrs, &ev, &e) < 0) {
		sbx_fail_err(c, &e);
	} else {
		sbx_pending_flush(&ev, c->ctx);
		sbx_reply(c, json_pack("{s:o}", "attrs", attrs));
	}
	sbx_pending_release(&ev);
}

/* DELETE /object?objectID=&id=, DELETE /<Type>?id=: no data; a missing id is 404. */
static void object_delete(sbx_call *c)
{
	const sbx_otype *t;
	long long id;
	sbx_err e = SBX_ERR_INIT;

	if (sbx_call_otype(c, &t) < 0 || forbidden(c, t, SBX_ACC_DELETE, "deleted") < 0 ||
	    sbx_arg_int(c, "id", SBX_REQUIRED, 0, LLONG_MAX, &id) < 0)
		return;
	if (sbx_record_delete(c->ctx->store, t, id, &e) < 0 ||
	    sbx_subs_recount_for(c->ctx->store, t, NULL, &e) < 0)
		sbx_fail_err(c, &e);
	else
		sbx_reply_nodata(c);
}

/*
 * DELETE /objects, DELETE /<Types>: every record the collection parameters
 * select -- unknown ids are ignored, and with no ids and no criteria that is
 * every record of the type (§10). One statement, so all or nothing.
 */
static void objects_delete(sbx_call *c)
{
	const sbx_otype *t;
	sbx_select s;
	long long n;
	sbx_err e = SBX_ERR_INIT;

	if (sbx_call_otype(c, &t) < 0 || forbidden(c, t, SBX_ACC_DELETE, "deleted") < 0)
		return;
	if (sbx_call_select(c, t, 0, &s) == 0) {
		if (sbx_record_delete_where(c->ctx->store, t, &s.q, &n, &e) < 0 ||
		    sbx_subs_recount_for(c->ctx->store, t, NULL, &e) < 0)
			sbx_fail_err(c, &e);
		else
			sbx_reply(c, json_string("Deleted"));
	}
	sbx_select_release(&s);
}

/* The ids of t's records whose column col equals value, ascending. */
static int ids_where_eq(sbx_store *st, const sbx_otype *t, const char *col, const char *value,
                        long long **ids, size_t *n, sbx_err *e)
{
	util_buf where = UTIL_BUF_INIT;
	sbx_query q;
	int rc;

	memset(&q, 0, sizeof q);
	sbx_sql_ident(&where, col);
	util_buf_puts(&where, " = ?");
	q.where = where.data;
	q.where_args = json_pack("[s]", value);
	if (util_buf_failed(&where) || !q.where_args)
		rc = sbx_err_set(e, 500, "Internal Server Error: out of memory");
	else
		rc = sbx_record_ids(st, t, &q, ids, n, e);
	json_decref(q.where_args);
	util_buf_release(&where);
	return rc;
}

/* The non-blank value of params[name] as text (numbers written into buf), or NULL. */
static const char *given(json_t *params, const char *name, char *buf, size_t bufsz)
{
	json_t *v = json_object_get(params, name);
	const char *s = json_string_value(v);

	if (json_is_integer(v)) {
		snprintf(buf, bufsz, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	return s && *s ? s : NULL;
}

/* Look for the record whose column col equals params[col] (when given); 1 found. */
static int match_on(sbx_store *st, const sbx_otype *t, json_t *params, const char *col,
                    long long *out, sbx_err *e)
{
	long long *ids = NULL;
	size_t n = 0;
	char num[32];
	const char *value = given(params, col, num, sizeof num);

	if (!value)
		return 0;
	if (ids_where_eq(st, t, col, value, &ids, &n, e) < 0)
		return -1;
	if (n)
		*out = ids[0];
	free(ids);
	return n > 0;
}

/*
 * The record saveorupdate merges into (0 = none: create). The keys, in order,
 * each tried when the request gives it a value: unique_id, the email of a
 * contact, each field marked unique (§3.2, §10); the first that finds a record
 * decides, the lowest id among several.
 */
static int find_match(sbx_store *st, const sbx_otype *t, json_t *params, long long *out, sbx_err *e)
{
	size_t i;
	int rc = 0;

	*out = 0;
	if (sbx_otype_field(t, "unique_id"))
		rc = match_on(st, t, params, "unique_id", out, e);
	if (rc == 0 && t->id == 0)
		rc = match_on(st, t, params, "email", out, e);
	for (i = 0; rc == 0 && i < t->nfields; i++) {
		const sbx_field *f = &t->fields[i];
		if ((f->flags & SBX_F_UNIQUE) && f->stored && strcmp(f->name, "unique_id") != 0)
			rc = match_on(st, t, params, f->name, out, e);
	}
	return rc < 0 ? -1 : 0;
}

/*
 * POST /objects/saveorupdate, POST /<Types>/saveorupdate: merge into the
 * matching record (reply {attrs: changed fields, dlm, id}) or create one
 * (reply the record like a create). ignore_blanks=1 leaves stored values
 * alone where the request sends "".
 */
static void objects_saveorupdate(sbx_call *c)
{
	sbx_store *st = c->ctx->store;
	const sbx_otype *t;
	sbx_pending ev = SBX_PENDING_INIT;
	json_t *data = NULL;
	long long id;
	unsigned flags = 0;
	int ignore = 0;
	sbx_err e = SBX_ERR_INIT;

	if (sbx_call_otype(c, &t) < 0 || forbidden(c, t, SBX_ACC_POST, "created") < 0 ||
	    sbx_arg_bool(c, "ignore_blanks", SBX_OPTIONAL, &ignore) < 0)
		return;
	if (ignore)
		flags |= SBX_REC_IGNORE_BLANKS;
	if (find_match(st, t, c->params, &id, &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	if (id) {
		json_t *attrs = NULL;
		if (update_record(st, t, id, c->params, flags, &attrs, &ev, &e) == 0)
			data = json_pack("{s:o}", "attrs", attrs);
	} else if (sbx_record_insert(st, t, c->params, flags, &id, &data, &e) == 0 &&
	           sbx_subs_recount_for(st, t, c->params, &e) == 0 &&
	           sbx_pending_created(&ev, t, id, data) < 0) {
		sbx_err_set(&e, 500, "Internal Server Error: out of memory");
	}
	if (e.status) {
		json_decref(data);
		sbx_fail_err(c, &e);
	} else {
		sbx_pending_flush(&ev, c->ctx);
		sbx_reply(c, data);
	}
	sbx_pending_release(&ev);
}

/*
 * GET /object/getByEmail?objectID=&email=[&all=1]: {id: "10"}, or with all=1
 * {ids: ["10", ...]}. A malformed or unknown address is 404 (§10).
 */
static void object_getbyemail(sbx_call *c)
{
	const sbx_otype *t;
	const char *email;
	const sbx_field *f;
	long long *ids = NULL;
	size_t n = 0, i;
	int all = 0;
	char shown[80], num[32];
	sbx_err e = SBX_ERR_INIT;

	if (sbx_call_otype(c, &t) < 0 || sbx_arg_str(c, "email", SBX_REQUIRED, &email) < 0 ||
	    sbx_arg_bool(c, "all", SBX_OPTIONAL, &all) < 0)
		return;
	f = sbx_otype_field(t, "email");
	if (!f || !f->stored) {
		sbx_fail(c, 400, "Invalid objectID '%lld': %s records have no email field", t->id,
		         t->name);
		return;
	}
	if (sbx_email_valid(email) &&
	    ids_where_eq(c->ctx->store, t, "email", email, &ids, &n, &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	if (!n) {
		sbx_fail(c, 404, "Object not found: no %s with email '%s'", t->name,
		         sbx_clip(email, shown, sizeof shown));
	} else if (all) {
		json_t *arr = json_array();
		for (i = 0; arr && i < n; i++) {
			snprintf(num, sizeof num, "%lld", ids[i]);
			json_array_append_new(arr, json_string(num));
		}
		sbx_reply(c, json_pack("{s:o*}", "ids", arr));
	} else {
		snprintf(num, sizeof num, "%lld", ids[0]);
		sbx_reply(c, json_pack("{s:s}", "id", num));
	}
	free(ids);
}

const sbx_route sbx_routes_writes[] = {
    {"PUT", "/1/objects", objects_update, 0},
    {"PUT", "/1/{types}", objects_update, 0},
    {"DELETE", "/1/object", object_delete, 0},
    {"DELETE", "/1/{type}", object_delete, 0},
    {"DELETE", "/1/objects", objects_delete, 0},
    {"DELETE", "/1/{types}", objects_delete, 0},
    {"POST", "/1/objects/saveorupdate", objects_saveorupdate, 0},
    {"POST", "/1/{types}/saveorupdate", objects_saveorupdate, 0},
    {"GET", "/1/object/getByEmail", object_getbyemail, 0},
    {NULL, NULL, NULL, 0},
};
