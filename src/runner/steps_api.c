/* steps_api: the messages.*, rules.* and api steps. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "step_args.h"
#include "banned.h"

/* ---- messages ---- */

/* The `with` keys that are plain text fields of ontra_message_options, and where they go. */
static const struct {
	const char *key;
	size_t offset;
} message_texts[] = {
#define T(key, member)                                                                             \
	{                                                                                          \
		key, offsetof(ontra_message_options, member)                                       \
	}
    T("type", type),
    T("name", name),
    T("subject", subject),
    T("send_from", send_from),
    T("from", from),
    T("send_out_name", send_out_name),
    T("reply_to", reply_to),
    T("plain_text", plaintext),
    T("html", html),
    T("email_title", email_title),
    T("spam_score", spam_score),
    T("template", template_content),
    T("sms_content", sms_content),
    T("send_to", send_to),
    T("task_data", task_data),
    T("due_date", due_date),
    T("task_owner", task_owner),
    T("task_form", task_form),
#undef T
};

static run_outcome message_options(const run_step_env *env, const json_t *with,
                                   ontra_message_options *o, run_strs *s, char *err, size_t errsz)
{
	const char *et = json_string_value(json_object_get(with, "email_type"));
	size_t i;
	int type;
	run_outcome oc;

	for (i = 0; i < sizeof message_texts / sizeof *message_texts; i++)
		*(const char **)((char *)o + message_texts[i].offset) =
		    run_arg_text(s, json_object_get(with, message_texts[i].key));
	if (et && !strcmp(et, "transactional"))
		o->email_type = ONTRA_TRANSACTIONAL;
	else if (et && !strcmp(et, "marketing"))
		o->email_type = ONTRA_MARKETING;
	else if (et)
		return run_fail(RUN_FAIL, err, errsz,
		                "email_type: expected transactional or marketing, got '%.40s'", et);
	if (json_object_get(with, "object_type")) {
		json_t *t = json_pack("{s:O}", "type", json_object_get(with, "object_type"));
		oc = t ? run_arg_type(env, t, &type, err, errsz) : RUN_RETRY;
		json_decref(t);
		if (oc != RUN_OK)
			return oc;
		o->object_type = ONTRA_TYPE_GIVEN(type);
	}
	return RUN_OK;
}

run_outcome run_step_message(const run_step_env *env, const char *kind, const json_t *with,
                             json_t **output, char *err, size_t errsz)
{
	ontra_message_options o = ONTRA_MESSAGE_OPTIONS_INIT;
	run_strs s = {0};
	int creates = !strcmp(kind, "messages.create"), rc;
	run_outcome oc = message_options(env, with, &o, &s, err, errsz);

	if (oc == RUN_OK && !creates)
		oc = run_arg_id(with, &o.id, err, errsz);
	if (oc == RUN_OK) {
		rc = creates ? ontra_message_create(output, env->client, &o)
		             : ontra_message_update(output, env->client, &o);
		if (rc)
			oc = run_lib_outcome(rc, creates, err, errsz);
	}
	run_strs_free(&s);
	return oc;
}

/* ---- rules ---- */

static run_outcome k_pause(const run_step_env *env, const json_t *with, json_t **output, char *err,
                           size_t errsz)
{
	long long *ids;
	size_t n;
	int rc;
	run_outcome oc = run_arg_ids(with, "ids", 1, &ids, &n, err, errsz);

	if (oc != RUN_OK)
		return oc;
	if ((rc = ontra_rule_pause(env->client, ids, n, ONTRA_PAUSE)) < 0)
		oc = run_lib_outcome(rc, 0, err, errsz);
	else if (!(*output = json_object()))
		oc = run_fail(RUN_RETRY, err, errsz, "out of memory");
	free(ids);
	return oc;
}

run_outcome run_step_rule(const run_step_env *env, const char *kind, const json_t *with,
                          json_t **output, char *err, size_t errsz)
{
	ontra_rule_options o = ONTRA_RULE_OPTIONS_INIT;
	run_strs s = {0};
	int creates = !strcmp(kind, "rules.create"), rc, type;
	run_outcome oc = RUN_OK;

	if (!strcmp(kind, "rules.pause"))
		return k_pause(env, with, output, err, errsz);
	o.name = run_arg_text(&s, json_object_get(with, "name"));
	o.events = run_arg_text(&s, json_object_get(with, "events"));
	o.conditions = run_arg_text(&s, json_object_get(with, "conditions"));
	o.actions = run_arg_text(&s, json_object_get(with, "actions"));
	o.tags = run_arg_text(&s, json_object_get(with, "tags"));
	if (json_object_get(with, "pause"))
		o.pause = run_arg_bool(with, "pause", 0) ? ONTRA_PAUSE : ONTRA_UNPAUSE;
	if (json_object_get(with, "object_type")) {
		json_t *t = json_pack("{s:O}", "type", json_object_get(with, "object_type"));
		oc = t ? run_arg_type(env, t, &type, err, errsz) : RUN_RETRY;
		json_decref(t);
		if (oc == RUN_OK)
			o.object_type = ONTRA_TYPE_GIVEN(type);
	}
	if (oc == RUN_OK && !creates)
		oc = run_arg_id(with, &o.id, err, errsz);
	if (oc == RUN_OK) {
		rc = creates ? ontra_rule_create(output, env->client, &o)
		             : ontra_rule_update(output, env->client, &o);
		if (rc)
			oc = run_lib_outcome(rc, creates, err, errsz);
	}
	run_strs_free(&s);
	return oc;
}

/* ---- api: any call, authentication added ---- */

static int query_params(const json_t *q, ontra_params **out, run_strs *s)
{
	const char *k, *text;
	json_t *v;

	if (!q || json_is_null(q))
		return 0;
	if (!json_is_object(q) || ontra_params_new(out) < 0)
		return -1;
	json_object_foreach((json_t *)q, k, v)
	{
		if (!(text = run_arg_text(s, v)) || ontra_params_add(*out, k, text) < 0)
			return -1;
	}
	return 0;
}

/* The answer as output: {"status": N, "data": the envelope's data, or the body}. */
static json_t *api_output(const ontra_response *r)
{
	size_t len;
	const char *body = ontra_response_body(r, &len);
	json_t *parsed = json_loadb(body, len, JSON_DECODE_ANY, NULL), *data;

	data = json_is_object(parsed) && json_object_get(parsed, "data")
	           ? json_incref(json_object_get(parsed, "data"))
	           : (parsed ? json_incref(parsed) : json_stringn(body, len));
	json_decref(parsed);
	return json_pack("{s:i, s:o}", "status", ontra_response_status(r), "data",
	                 data ? data : json_null());
}

run_outcome run_step_api(const run_step_env *env, const json_t *with, json_t **output, char *err,
                         size_t errsz)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *query = NULL;
	ontra_response *r = NULL;
	run_strs s = {0};
	const json_t *body = json_object_get(with, "body");
	int rc, status;
	run_outcome oc = RUN_OK;

	req.method = json_string_value(json_object_get(with, "method"));
	req.path = json_string_value(json_object_get(with, "path"));
	req.json = json_object_get(with, "json");
	req.body = run_arg_text(&s, body);
	req.body_len = req.body ? strlen(req.body) : 0;
	req.content_type = json_string_value(json_object_get(with, "content_type"));
	if (!req.method || !req.path || req.path[0] != '/')
		oc = run_fail(RUN_FAIL, err, errsz,
		              "api: expected a method and a path starting with /");
	else if (query_params(json_object_get(with, "query"), &query, &s) < 0)
		oc = run_fail(RUN_FAIL, err, errsz, "query: expected a mapping of names to values");
	req.query = query;
	if (oc == RUN_OK && (rc = ontra_send(&r, env->client, &req)) < 0)
		oc = run_lib_outcome(rc, 0, err, errsz);
	if (oc == RUN_OK) {
		status = ontra_response_status(r);
		oc = run_http_outcome(status);
		if (oc != RUN_OK)
			snprintf(err, errsz, "%s %s: HTTP %d: %.200s", req.method, req.path, status,
			         ontra_response_body(r, NULL));
		else if (!(*output = api_output(r)))
			oc = run_fail(RUN_RETRY, err, errsz, "out of memory");
	}
	ontra_response_free(r);
	ontra_params_free(query);
	run_strs_free(&s);
	return oc;
}
