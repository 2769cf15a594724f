/*
 * webhooks: the subscription API (REFERENCE.md §8.1) and the control API's
 * webhook tools.
 *
 *   POST   /1/Webhook/subscribe      url, event, data ({"format": ...}) -> {url, event, id, owner}
 *   DELETE /1/Webhook/unsubscribe    id (POST too: sources disagree on the verb)
 *   GET    /1/Webhook?id=, /1/Webhooks  the generic object routes (type 145)
 *   GET    /_sandbox/deliveries      what was POSTed to subscribers, and the outcome
 *   POST   /_sandbox/forms/submit    a form fill: saves the contact, reports the events
 *
 * Subscriptions are records of object type 145; deliveries are deliveries.c's.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_deliveries.h"
#include "sbx_payload.h"
#include "sbx_call.h"
#include "sbx_routes.h"
#include "util.h"
#include "banned.h"

#define WEBHOOK_TYPE 145
#define FORM_TYPE 122
#define URL_MAX 2048
#define DELIVERIES_MAX 100000

static const sbx_otype *webhook_type(sbx_call *c)
{
	const sbx_otype *t = sbx_store_type(c->ctx->store, WEBHOOK_TYPE);

	if (!t)
		sbx_fail(c, 500, "Internal Server Error: no webhook type in the store");
	return t;
}

/* The url parameter: any non-empty text without blanks or control characters (§8.1 does not
 * say what Ontraport checks; the SDK's own test subscribes "test.com"). */
static int check_url(sbx_call *c, const char *url)
{
	char shown[80];
	size_t i;

	for (i = 0; url[i]; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
			return sbx_fail(c, 400,
			                "Invalid url '%s': it holds blanks or control characters",
			                sbx_clip(url, shown, sizeof shown));
	if (i == 0)
		return sbx_fail(c, 400, "Missing required parameter 'url'");
	if (i > URL_MAX)
		return sbx_fail(c, 400, "Invalid url: longer than %d bytes", URL_MAX);
	return 0;
}

/* The `data` option as stored: "" when absent, the text sent, or a JSON object's text. */
static int data_text(sbx_call *c, char **out)
{
	json_t *v = NULL;
	char why[256];
	int rc = sbx_arg_json(c, "data", SBX_OPTIONAL, &v);

	*out = NULL;
	if (rc < 0)
		return -1;
	if (rc == 0 && json_is_object(v))
		*out = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	else if (rc == 0 && json_is_string(v))
		*out = util_strdup(json_string_value(v));
	else if (rc == 0)
		*out = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	else
		*out = util_strdup("");
	json_decref(v);
	if (!*out)
		return sbx_fail(c, 500, "Internal Server Error: out of memory");
	if (sbx_hook_format_parse(*out, why, sizeof why) < 0) {
		free(*out);
		*out = NULL;
		return sbx_fail(c, 400, "%s", why);
	}
	return 0;
}

/* POST /1/Webhook/subscribe */
static void hook_subscribe(sbx_call *c)
{
	const sbx_otype *t = webhook_type(c);
	const char *url, *event;
	char canon[128], why[256], *data = NULL;
	json_t *values = NULL, *echo = NULL;
	long long id, target;
	sbx_err e = SBX_ERR_INIT;

	if (!t || sbx_arg_str(c, "url", SBX_REQUIRED, &url) < 0 || check_url(c, url) < 0 ||
	    sbx_arg_str(c, "event", SBX_REQUIRED, &event) < 0)
		return;
	if (sbx_hook_event_parse(event, canon, sizeof canon, why, sizeof why) < 0) {
		sbx_fail(c, 400, "%s", why);
		return;
	}
	if (sscanf(canon, "object_create(%lld)", &target) == 1 &&
	    !sbx_store_type(c->ctx->store, target)) {
		sbx_fail(c, 400, "Invalid event '%s': no object type %lld", canon, target);
		return;
	}
	if (data_text(c, &data) < 0)
		return;
	values = json_pack("{s:s, s:s, s:s}", "event", canon, "data", data, "url", url);
	if (!values) {
		sbx_fail(c, 500, "Internal Server Error: out of memory");
	} else if (sbx_record_insert(c->ctx->store, t, values, 0, &id, &echo, &e) < 0) {
		sbx_fail_err(c, &e);
	} else {
		json_t *owner = json_object_get(echo, "owner");
		/* examples/resp-post-webhook-subscribe.json: the id is a number here. */
		sbx_reply(c, json_pack("{s:s, s:s, s:I, s:O}", "url", url, "event", canon, "id",
		                       (json_int_t)id, "owner", owner ? owner : json_string("1")));
	}
	json_decref(echo);
	json_decref(values);
	free(data);
}

/* DELETE or POST /1/Webhook/unsubscribe */
static void hook_unsubscribe(sbx_call *c)
{
	if (sbx_delete_by_id(c, webhook_type(c)) == 0)
		sbx_reply(c, json_string("Deleted")); /* examples/resp-webhook-unsubscribe.json */
}

/* GET /_sandbox/deliveries[?limit=N][&webhook_id=W]: {"pending": n, "deliveries": [...]} */
static void ctl_deliveries(sbx_call *c)
{
	long long limit = 100, wid = 0;
	size_t pending = 0;
	json_t *list;

	if (sbx_arg_int(c, "limit", SBX_OPTIONAL, 0, DELIVERIES_MAX, &limit) < 0 ||
	    sbx_arg_int(c, "webhook_id", SBX_OPTIONAL, 0, LLONG_MAX, &wid) < 0)
		return;
	list = sbx_deliveries_log_json(c->ctx->deliveries, (size_t)limit, wid, &pending);
	sbx_resp_json(c->resp,
	              json_pack("{s:I, s:o}", "pending", (json_int_t)pending, "deliveries", list));
}

/* The id of the record of type t whose email is `email`, or 0 (store locked). */
static long long find_by_email(sbx_store *st, const sbx_otype *t, const char *email)
{
	util_buf sql = UTIL_BUF_INIT;
	sqlite3_stmt *s = NULL;
	long long id = 0;
	sbx_err e = SBX_ERR_INIT;

	util_buf_puts(&sql, "SELECT ");
	sbx_sql_ident(&sql, t->id_field);
	util_buf_puts(&sql, " FROM ");
	sbx_sql_ident(&sql, t->table);
	util_buf_puts(&sql, " WHERE \"email\"=? ORDER BY 1 LIMIT 1");
	if (!util_buf_failed(&sql))
		s = sbx_store_prepare(st, sql.data, &e);
	if (s) {
		sqlite3_bind_text(s, 1, email, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW)
			id = sqlite3_column_int64(s, 0);
		sbx_store_done(st, s);
	}
	util_buf_release(&sql);
	return id;
}

/* The form's fillouts +1, and unique_fillouts +1 when the record is new (UNCONFIRMED:
 * "unique" taken as a first fill by that record). A failure leaves the counters. */
static void count_fillout(sbx_call *c, const sbx_otype *ft, long long form_id, int created)
{
	util_buf sql = UTIL_BUF_INIT;
	sqlite3_stmt *s = NULL;
	sbx_err e = SBX_ERR_INIT;

	util_buf_puts(&sql, "UPDATE ");
	sbx_sql_ident(&sql, ft->table);
	util_buf_printf(&sql,
	                " SET \"fillouts\"=COALESCE(\"fillouts\",0)+1, "
	                "\"unique_fillouts\"=COALESCE(\"unique_fillouts\",0)+%d WHERE ",
	                created ? 1 : 0);
	sbx_sql_ident(&sql, ft->id_field);
	util_buf_puts(&sql, "=?");
	if (!util_buf_failed(&sql))
		s = sbx_store_prepare(c->ctx->store, sql.data, &e);
	if (s) {
		sqlite3_bind_int64(s, 1, form_id);
		sqlite3_step(s);
		sbx_store_done(c->ctx->store, s);
	}
	util_buf_release(&sql);
}

/*
 * POST /_sandbox/forms/submit with form_id, objectID (default 0, contacts) and the
 * fields the visitor filled in: as a form on a page would, it saves the record
 * (merging into the one with the same email, else creating one), then reports
 * object_create (when created) and object_submits_form, and counts the fillout
 * (fillouts, unique_fillouts). Reply {form_id,
 * object_type_id, id, created}.
 */
static void ctl_form_submit(sbx_call *c)
{
	sbx_store *st = c->ctx->store;
	const sbx_otype *ft = sbx_store_type(st, FORM_TYPE), *t;
	long long form_id, type = 0, id = 0;
	const char *email = NULL;
	json_t *form = NULL, *values = NULL;
	sbx_err e = SBX_ERR_INIT;
	int created;

	if (sbx_arg_int(c, "form_id", SBX_REQUIRED, 1, LLONG_MAX, &form_id) < 0 ||
	    sbx_arg_int(c, "objectID", SBX_OPTIONAL, 0, LLONG_MAX, &type) < 0)
		return;
	if (!ft || !(t = sbx_store_type(st, type))) {
		sbx_fail(c, 400, "Invalid objectID '%lld': no such object type", type);
		return;
	}
	if (sbx_record_get(st, ft, form_id, NULL, &form, &e) < 0) {
		sbx_fail_err(c, &e);
		return;
	}
	json_decref(form);
	values = json_deep_copy(c->params);
	if (!values) {
		sbx_fail(c, 500, "Internal Server Error: out of memory");
		return;
	}
	json_object_del(values, "form_id");
	json_object_del(values, "objectID");
	if (sbx_otype_field(t, "email") && sbx_arg_str(c, "email", SBX_OPTIONAL, &email) == 0 &&
	    email && *email)
		id = find_by_email(st, t, email);
	created = id == 0;
	if ((created ? sbx_record_insert(st, t, values, 0, &id, NULL, &e)
	             : sbx_record_update(st, t, id, values, 0, NULL, &e)) < 0) {
		sbx_fail_err(c, &e);
	} else {
		if (created)
			sbx_report_object_created(c->ctx, type, id);
		sbx_report_form_submitted(c->ctx, type, id, form_id);
		count_fillout(c, ft, form_id, created);
		sbx_resp_json(c->resp,
		              json_pack("{s:I, s:I, s:I, s:b}", "form_id", (json_int_t)form_id,
		                        "object_type_id", (json_int_t)type, "id", (json_int_t)id,
		                        "created", created));
	}
	json_decref(values);
}

const sbx_route sbx_routes_webhooks[] = {
    {"POST", "/1/Webhook/subscribe", hook_subscribe, 0},
    {"DELETE", "/1/Webhook/unsubscribe", hook_unsubscribe, 0},
    {"POST", "/1/Webhook/unsubscribe", hook_unsubscribe, 0},
    {"GET", "/_sandbox/deliveries", ctl_deliveries, 0},
    {"POST", "/_sandbox/forms/submit", ctl_form_submit, 0},
    {NULL, NULL, NULL, 0},
};
