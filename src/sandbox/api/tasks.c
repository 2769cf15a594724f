/*
 * tasks: the task calls (REFERENCE-MORE §M3), on task records (type 1).
 *
 *   POST /1/task/assign      object_type_id, ids (the objects), message {id, type,
 *                            due_date, task_owner}: one task per object
 *   POST /1/task/complete    ids (task ids): status 1, date_complete now
 *   POST /1/task/cancel      ids: status 2
 *   POST /1/task/reopen      ids: status 0, date_complete null
 *   POST /1/task/reschedule  id, newtime (Unix s): date_due
 *
 * None answers a `data` key. Every id is checked before anything changes (a
 * missing one is 400 naming it), and the writes are one transaction. `PUT
 * /Tasks` with a status given by name stores its code (§M13): see
 * sbx_task_status_param. Choices the reference leaves open are in
 * docs/sandbox.md (UNCONFIRMED).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sbx_tasks.h"
#include "sbx_routes.h"
#include "util.h"
#include "banned.h"

#define TASK_TYPE 1
#define MESSAGE_TYPE 7
#define DAYS_LIMIT 1000000 /* a due_date below this is days from now, else Unix s */

static const char *const status_names[] = {"pending", "complete", "cancelled"};

int sbx_task_status_param(sbx_call *c, const sbx_otype *t)
{
	json_t *v = json_object_get(c->params, "status");
	const char *s = json_string_value(v);
	size_t i;

	if (t->id != TASK_TYPE || !s || !*s || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < sizeof status_names / sizeof *status_names; i++)
		if (util_strieq(s, status_names[i]) || (i == 2 && util_strieq(s, "canceled")))
			return json_object_set_new(c->params, "status", json_sprintf("%zu", i)) < 0
			           ? sbx_fail(c, 500, "Internal Server Error: out of memory")
			           : 0;
	return sbx_fail(c, 400,
	                "Invalid status '%.32s': expected 0, 1, 2, pending, complete or "
	                "cancelled",
	                s);
}

/* Read record id of t (only `fields`, NULL = all) or answer 400 naming it. */
static json_t *must_get(sbx_call *c, const sbx_otype *t, long long id, json_t *fields,
                        const char *param)
{
	json_t *rec = NULL;
	sbx_err e = SBX_ERR_INIT;

	if (sbx_record_get(c->ctx->store, t, id, fields, &rec, &e) == 0)
		return rec;
	if (e.status == 404)
		sbx_fail(c, 400, "Invalid %s: no %s with id %lld", param, t->name, id);
	else
		sbx_fail_err(c, &e);
	return NULL;
}

/* Write `values` to every task of ids (all checked first), in one transaction. */
static void update_tasks(sbx_call *c, const sbx_ids *ids, json_t *values)
{
	const sbx_otype *t = sbx_store_type(c->ctx->store, TASK_TYPE);
	sbx_err e = SBX_ERR_INIT;
	size_t i;

	for (i = 0; i < ids->n; i++) {
		json_t *rec = must_get(c, t, ids->v[i], NULL, "ids");
		if (!rec)
			return;
		json_decref(rec);
	}
	if (sbx_store_begin(c->ctx->store, &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	for (i = 0; i < ids->n; i++)
		if (sbx_record_update(c->ctx->store, t, ids->v[i], values, SBX_REC_RAW, NULL, &e) <
		    0) {
			sbx_store_rollback(c->ctx->store);
			sbx_fail_err(c, &e);
			return;
		}
	if (sbx_store_commit(c->ctx->store, &e) < 0)
		sbx_fail_err(c, &e);
	else
		sbx_reply_nodata(c);
}

/* complete / cancel / reopen: ids (task ids) required; objectID / object_type_id ignored. */
static void set_status(sbx_call *c, int status)
{
	sbx_ids ids = SBX_IDS_INIT;
	json_t *values;

	if (sbx_arg_ids(c, "ids", SBX_REQUIRED, &ids) < 0)
		return;
	values = json_pack("{s:o}", "status", json_sprintf("%d", status));
	if (values && status == 1)
		json_object_set_new(values, "date_complete",
		                    json_sprintf("%lld", (long long)time(NULL)));
	else if (values && status == 0)
		json_object_set_new(values, "date_complete", json_null());
	if (!values || (status == 1 && !json_object_get(values, "date_complete")))
		sbx_fail(c, 500, "Internal Server Error: out of memory");
	else
		update_tasks(c, &ids, values);
	json_decref(values);
	sbx_ids_release(&ids);
}

static void task_complete(sbx_call *c)
{
	set_status(c, 1);
}

static void task_cancel(sbx_call *c)
{
	set_status(c, 2);
}

static void task_reopen(sbx_call *c)
{
	set_status(c, 0);
}

/* POST /task/reschedule: id, newtime (Unix s). */
static void task_reschedule(sbx_call *c)
{
	sbx_ids ids = SBX_IDS_INIT;
	long long id, when;
	json_t *values;

	if (sbx_arg_int(c, "id", SBX_REQUIRED, 1, LLONG_MAX, &id) < 0 ||
	    sbx_arg_int(c, "newtime", SBX_REQUIRED, 0, LLONG_MAX, &when) < 0)
		return;
	ids.v = &id;
	ids.n = 1;
	if (!(values = json_pack("{s:o}", "date_due", json_sprintf("%lld", when))))
		sbx_fail(c, 500, "Internal Server Error: out of memory");
	else
		update_tasks(c, &ids, values);
	json_decref(values);
}

/* A number from a JSON value (number or digits), or dflt. */
static long long num(json_t *v, long long dflt)
{
	const char *s = json_string_value(v);
	char *end;
	long long n;

	if (json_is_integer(v))
		return (long long)json_integer_value(v);
	if (!s || !*s)
		return dflt;
	n = strtoll(s, &end, 10);
	return *end ? dflt : n;
}

/* The task for object `rec` of type ot, from the task message msg and the call's message. */
static json_t *task_values(const sbx_otype *ot, json_t *rec, long long oid, json_t *msg, json_t *m,
                           long long msg_id, long long now)
{
	long long owner =
	    num(json_object_get(m, "task_owner"),
	        num(json_object_get(msg, "task_owner"), num(json_object_get(rec, "owner"), 1)));
	long long due = num(json_object_get(m, "due_date"), -1);
	const char *subject = json_string_value(json_object_get(msg, "subject"));
	const char *details = json_string_value(json_object_get(msg, "task_data"));

	if (due < 0)
		due = now + 86400 * num(json_object_get(msg, "due_date"), 0);
	else if (due < DAYS_LIMIT)
		due = now + 86400 * due;
	return json_pack(
	    "{s:o s:o s:s s:s s:o s:o s:s s:o s:o s:o s:s s:s}", "owner",
	    json_sprintf("%lld", owner), "contact_id", json_sprintf("%lld", oid), "subject",
	    subject ? subject : "", "details", details ? details : "", "date_assigned",
	    json_sprintf("%lld", now), "date_due", json_sprintf("%lld", due), "status", "0", "type",
	    json_sprintf("%lld", num(json_object_get(m, "type"), 0)), "item_id",
	    json_sprintf("%lld", msg_id), "object_type_id", json_sprintf("%lld", ot->id),
	    "object_name", ot->plural ? ot->plural : ot->name, "hidden", "0");
}

/* The task message the call names: message.id, a message of type task. NULL when answered. */
static json_t *task_message(sbx_call *c, json_t *m, long long *id)
{
	const sbx_otype *mt = sbx_store_type(c->ctx->store, MESSAGE_TYPE);
	json_t *msg;
	const char *type;

	*id = num(json_object_get(m, "id"), 0);
	if (!json_is_object(m) || *id < 1) {
		sbx_fail(c, 400,
		         "Invalid message: expected an object with \"id\", a task message's id");
		return NULL;
	}
	if (!(msg = must_get(c, mt, *id, NULL, "message")))
		return NULL;
	type = json_string_value(json_object_get(msg, "type"));
	if (!type || !util_strieq(type, "task")) {
		sbx_fail(c, 400, "Invalid message: message %lld is not a task message", *id);
		json_decref(msg);
		return NULL;
	}
	return msg;
}

/* Create one task per object; all objects checked first, one transaction. */
static void assign_all(sbx_call *c, const sbx_otype *ot, const sbx_ids *ids, json_t *msg, json_t *m,
                       long long msg_id)
{
	const sbx_otype *tt = sbx_store_type(c->ctx->store, TASK_TYPE);
	json_t **recs = calloc(ids->n ? ids->n : 1, sizeof *recs);
	long long now = (long long)time(NULL), tid;
	sbx_err e = SBX_ERR_INIT;
	size_t i, got = 0;
	int ok = recs != NULL;

	if (!ok)
		sbx_fail(c, 500, "Internal Server Error: out of memory");
	for (; ok && got < ids->n; got++)
		if (!(recs[got] = must_get(c, ot, ids->v[got], NULL, "ids")))
			ok = 0;
	if (ok && sbx_store_begin(c->ctx->store, &e) < 0) {
		sbx_fail_err(c, &e);
		ok = 0;
	}
	for (i = 0; ok && i < ids->n; i++) {
		json_t *v = task_values(ot, recs[i], ids->v[i], msg, m, msg_id, now);
		if (!v ||
		    sbx_record_insert(c->ctx->store, tt, v, SBX_REC_RAW, &tid, NULL, &e) < 0) {
			if (!v)
				sbx_err_set(&e, 500, "Internal Server Error: out of memory");
			sbx_store_rollback(c->ctx->store);
			sbx_fail_err(c, &e);
			ok = 0;
		}
		json_decref(v);
	}
	if (ok && sbx_store_commit(c->ctx->store, &e) < 0)
		sbx_fail_err(c, &e);
	else if (ok)
		sbx_reply_nodata(c);
	for (i = 0; recs && i < got; i++)
		json_decref(recs[i]);
	free(recs);
}

/* POST /task/assign: object_type_id, ids (objects), message {id, type, due_date, task_owner}. */
static void task_assign(sbx_call *c)
{
	sbx_ids ids = SBX_IDS_INIT;
	const sbx_otype *ot;
	json_t *m = NULL, *msg;
	long long type, msg_id;

	if (sbx_arg_int(c, "object_type_id", SBX_REQUIRED, 0, LLONG_MAX, &type) < 0 ||
	    sbx_arg_ids(c, "ids", SBX_REQUIRED, &ids) < 0)
		return;
	if (!(ot = sbx_store_type(c->ctx->store, type)))
		sbx_fail(c, 400, "Invalid object_type_id '%lld': no such object type", type);
	else if (sbx_arg_json(c, "message", SBX_REQUIRED, &m) >= 0 &&
	         (msg = task_message(c, m, &msg_id))) {
		assign_all(c, ot, &ids, msg, m, msg_id);
		json_decref(msg);
	}
	json_decref(m);
	sbx_ids_release(&ids);
}

const sbx_route sbx_routes_tasks[] = {
    {"POST", "/1/task/assign", task_assign, 0},
    {"POST", "/1/task/complete", task_complete, 0},
    {"POST", "/1/task/cancel", task_cancel, 0},
    {"POST", "/1/task/reopen", task_reopen, 0},
    {"POST", "/1/task/reschedule", task_reschedule, 0},
    {NULL, NULL, NULL, 0},
};
