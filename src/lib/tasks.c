/*
 * tasks: assign task messages to objects and act on the tasks made
 * (REFERENCE-MORE §M3): POST /task/assign, /task/complete, /task/cancel,
 * /task/reopen, /task/reschedule. Every call is JSON. assign creates tasks,
 * so it is never repeated once it may have been sent; the others set a state
 * and are safe to repeat.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "banned.h"

#define TASK_IDS_MAX 500

/* Send body (stolen) as JSON; the replies carry no data. */
static int post(ontra_client *c, const char *path, json_t *body, ontra_retry retry)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	json_t *data = NULL;
	int rc;

	if (!body)
		return ontra__error_oom();
	req.method = "POST";
	req.path = path;
	req.json = body;
	req.retry = retry;
	rc = ontra_call_data(&data, c, &req);
	json_decref(data);
	json_decref(body);
	return rc;
}

/* ids as a JSON array, each checked. NULL with the error set. */
static json_t *id_array(const long long *ids, size_t n, const char *what, const char *call)
{
	json_t *arr;

	if (!ids || n == 0 || n > TASK_IDS_MAX) {
		ontra__error(ONTRA_EINVALID, "%s needs 1 to %d %s ids, got %zu", call, TASK_IDS_MAX,
		             what, ids ? n : 0);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (ontra__check_id(ids[i], what) < 0)
			return NULL;
	if (!(arr = json_array())) {
		ontra__error_oom();
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(arr, json_integer(ids[i])) < 0) {
			json_decref(arr);
			ontra__error_oom();
			return NULL;
		}
	return arr;
}

int ontra_task_assign(ontra_client *c, const ontra_task_assign_options *o)
{
	json_t *arr, *msg;
	int rc;

	if (!o || o->object_type < 0)
		return ontra__error(ONTRA_EINVALID, "task assign: invalid object type %d",
		                    o ? o->object_type : -1);
	if ((rc = ontra__check_id(o->message_id, "task message")) < 0)
		return rc;
	if (o->owner < 0 || o->due < 0)
		return ontra__error(
		    ONTRA_EINVALID,
		    "task assign: owner and due must be 0 (the message's) or positive");
	if (!(arr = id_array(o->ids, o->ids_count, "object", "task assign")))
		return ontra_error_last()->code;
	msg = json_pack("{s:I s:i}", "id", (json_int_t)o->message_id, "type",
	                o->fulfillment ? -1 : 0);
	if (msg && o->owner)
		json_object_set_new(msg, "task_owner", json_integer(o->owner));
	if (msg && o->due)
		json_object_set_new(msg, "due_date", json_integer(o->due));
	if (!msg) {
		json_decref(arr);
		return ontra__error_oom();
	}
	return post(c, "/task/assign",
	            json_pack("{s:i s:o s:o}", "object_type_id", o->object_type, "ids", arr,
	                      "message", msg),
	            ONTRA_RETRY_NEVER);
}

const char *ontra_task_op_name(ontra_task_op op)
{
	switch (op) {
	case ONTRA_TASK_COMPLETE:
		return "complete";
	case ONTRA_TASK_CANCEL:
		return "cancel";
	case ONTRA_TASK_REOPEN:
		return "reopen";
	}
	return NULL;
}

int ontra_task_act(ontra_client *c, ontra_task_op op, const long long *ids, size_t n)
{
	const char *name = ontra_task_op_name(op);
	char path[32];
	json_t *arr, *body;

	if (!name)
		return ontra__error(ONTRA_EINVALID, "invalid task action %d", (int)op);
	if (!(arr = id_array(ids, n, "task", name)))
		return ontra_error_last()->code;
	/* The key naming the objects' type differs by call (§M3.2); 0: contacts' tasks. */
	if (op == ONTRA_TASK_CANCEL)
		body = json_pack("{s:i s:o}", "objectID", 0, "ids", arr);
	else if (op == ONTRA_TASK_COMPLETE)
		body = json_pack("{s:i s:o}", "object_type_id", 0, "ids", arr);
	else
		body = json_pack("{s:o}", "ids", arr);
	snprintf(path, sizeof path, "/task/%s", name);
	return post(c, path, body, ONTRA_RETRY_SAFE);
}

int ontra_task_reschedule(ontra_client *c, long long id, long long when)
{
	int rc;

	if ((rc = ontra__check_id(id, "task")) < 0)
		return rc;
	if (when < 1)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid due time %lld: expected Unix seconds from 1", when);
	return post(c, "/task/reschedule",
	            json_pack("{s:I s:I}", "id", (json_int_t)id, "newtime", (json_int_t)when),
	            ONTRA_RETRY_SAFE);
}
