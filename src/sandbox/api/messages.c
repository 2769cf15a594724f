/*
 * messages: create and update messages (reference §6), stored in the object
 * store as type 7. Reads go through the generic endpoints (GET /Message,
 * /Messages, /Messages/getInfo, /Messages/meta); this file answers
 *
 *   POST /1/message, POST /1/Messages   create: form (PHP SDK) or JSON (.NET);
 *                                       reply {id: <number>, date: "<unix>"}
 *   PUT  /1/message, PUT  /1/Messages   update: reply {id: "<string>", date}
 *   DELETE /1/Message?id=               delete one: reply without data
 *
 * The message type is checked: e-mail, email and legacyemail are stored as
 * "e-mail", template as "Template" (the spelling records show), sms and task
 * as themselves. Postcards cannot be written. A create without a type (even
 * an empty one) makes an e-mail message: a suite run against a live account
 * expects POST /Messages {} to succeed (REFERENCE-MORE §M13; the PHP SDK's
 * "required" is its own check, made before sending). docs/sandbox.md.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sbx_deliveries.h"
#include "sbx_call.h"
#include "sbx_routes.h"
#include "util.h"
#include "banned.h"

/* What a client may write (§6.2). spam_score is read-only in the meta but the
 * integration platform sends it, so it is stored as given. */
static const char *const writable[] = {"alias",
                                       "subject",
                                       "object_type_id",
                                       "from",
                                       "send_out_name",
                                       "send_from",
                                       "reply_to_email",
                                       "send_to",
                                       "plaintext",
                                       "message_body",
                                       "resource",
                                       "email_title",
                                       "transactional_email",
                                       "utm_tracking",
                                       "task_data",
                                       "due_date",
                                       "task_owner",
                                       "task_form",
                                       "spam_score",
                                       NULL};

/* The stored spelling of a message type, or NULL when it is not one. */
static const char *stored_type(const char *t)
{
	if (util_strieq(t, "e-mail") || util_strieq(t, "email") || util_strieq(t, "legacyemail"))
		return "e-mail";
	if (util_strieq(t, "template"))
		return "Template";
	if (util_strieq(t, "sms"))
		return "sms";
	if (util_strieq(t, "task"))
		return "task";
	return NULL;
}

/*
 * The values to store: the writable fields given, and the type in its stored
 * spelling. `name` is taken as the alias when no alias is given (the SDK lists
 * both). A new object, or NULL when the call was answered (400).
 */
static json_t *message_values(sbx_call *c, int type_required)
{
	const char *type = NULL, *canon;
	json_t *v = json_object(), *x;
	char shown[80];
	size_t i;

	if (!v) {
		sbx_fail(c, 500, "Internal Server Error: out of memory");
		return NULL;
	}
	if (sbx_arg_str(c, "type", type_required, &type) < 0) {
		json_decref(v);
		return NULL;
	}
	if (type) {
		if (!(canon = stored_type(type))) {
			json_decref(v);
			if (util_strieq(type, "postcard"))
				sbx_fail(c, 400,
				         "Invalid type 'postcard': postcards cannot be created "
				         "or updated through the API");
			else
				sbx_fail(
				    c, 400,
				    "Invalid type '%s': expected e-mail, template, sms or task",
				    sbx_clip(type, shown, sizeof shown));
			return NULL;
		}
		json_object_set_new(v, "type", json_string(canon));
	}
	for (i = 0; writable[i]; i++)
		if ((x = json_object_get(c->params, writable[i])) != NULL)
			json_object_set(v, writable[i], x);
	if (!json_object_get(v, "alias") && (x = json_object_get(c->params, "name")) != NULL)
		json_object_set(v, "alias", x);
	return v;
}

/* The record's creation date ("date"), as stored. */
static json_t *record_date(sbx_call *c, const sbx_otype *t, long long id)
{
	json_t *fields = json_pack("[s]", "date"), *rec = NULL, *date;
	sbx_err e = SBX_ERR_INIT;

	if (!fields || sbx_record_get(c->ctx->store, t, id, fields, &rec, &e) < 0) {
		json_decref(fields);
		return json_string("0");
	}
	date = json_incref(json_object_get(rec, "date"));
	json_decref(rec);
	json_decref(fields);
	return date ? date : json_string("0");
}

static const sbx_otype *message_type(sbx_call *c)
{
	const sbx_otype *t = sbx_store_type(c->ctx->store, 7);

	if (!t)
		sbx_fail(c, 500, "Internal Server Error: no message type in the store");
	return t;
}

/* POST /1/message, POST /1/Messages */
static void message_create(sbx_call *c)
{
	const sbx_otype *t = message_type(c);
	json_t *values;
	long long id;
	sbx_err e = SBX_ERR_INIT;

	if (!t || !(values = message_values(c, SBX_OPTIONAL)))
		return;
	if (!json_object_get(values, "type"))
		json_object_set_new(values, "type", json_string("e-mail"));
	/* RAW: the values are the whitelist above, spam_score among them. */
	if (sbx_record_insert(c->ctx->store, t, values, SBX_REC_RAW, &id, NULL, &e) < 0) {
		sbx_fail_err(c, &e);
	} else {
		sbx_report_object_created(c->ctx, t->id, id);
		/* The id is a number here, unlike everywhere else (§1.7). */
		sbx_reply(c, json_pack("{s:I, s:o}", "id", (json_int_t)id, "date",
		                       record_date(c, t, id)));
	}
	json_decref(values);
}

/* PUT /1/message, PUT /1/Messages */
static void message_update(sbx_call *c)
{
	const sbx_otype *t = message_type(c);
	json_t *values, *attrs = NULL;
	long long id;
	char ids[32];
	sbx_err e = SBX_ERR_INIT;

	if (!t || sbx_arg_int(c, "id", SBX_REQUIRED, 1, LLONG_MAX, &id) < 0 ||
	    !(values = message_values(c, SBX_OPTIONAL)))
		return;
	if (sbx_record_update(c->ctx->store, t, id, values, SBX_REC_RAW, &attrs, &e) < 0) {
		sbx_fail_err(c, &e);
	} else {
		/* {id, date} as strings; no attrs (§6.1, examples/resp-put-message-update.json). */
		snprintf(ids, sizeof ids, "%lld", id);
		sbx_reply(c, json_pack("{s:s, s:o}", "id", ids, "date", record_date(c, t, id)));
	}
	json_decref(attrs);
	json_decref(values);
}

/* DELETE /1/Message?id= */
static void message_delete(sbx_call *c)
{
	if (sbx_delete_by_id(c, message_type(c)) == 0)
		sbx_reply_nodata(c);
}

const sbx_route sbx_routes_messages[] = {
    {"POST", "/1/message", message_create, 0},   {"PUT", "/1/message", message_update, 0},
    {"POST", "/1/Messages", message_create, 0},  {"PUT", "/1/Messages", message_update, 0},
    {"DELETE", "/1/Message", message_delete, 0}, {NULL, NULL, NULL, 0},
};
