/*
 * payload: what a webhook receives, built without the store or the network
 * (sbx_payload.h): event strings, the data formats, and the body, JSON or
 * form. Pure, capped by its callers' buffers, fuzzed (fuzz_hook_event,
 * fuzz_hook_payload).
 */
#include "sbx_payload.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_store.h"
#include "util.h"
#include "banned.h"

static const struct {
	const char *name;
	long long min; /* smallest target */
} event_names[] = {
    {"object_create", 0}, {"object_submits_form", 1}, {"sub_tag", 1},
    {"unsub_tag", 1},     {"purchase_product", 1},    {"transaction_created_with_product", 1},
};

int sbx_hook_event_parse(const char *s, char *out, size_t outsz, char *why, size_t whysz)
{
	char shown[80], name[64], num[32];
	const char *p = s, *open, *close;
	size_t n, i;
	long long target;

	sbx_clip(s ? s : "", shown, sizeof shown);
	if (!s || !*s) {
		util_errf(why, whysz, -1, "Missing required parameter 'event'");
		return -1;
	}
	while (isspace((unsigned char)*p))
		p++;
	open = strchr(p, '(');
	close = open ? strchr(open, ')') : NULL;
	if (!open || !close || close[1 + strspn(close + 1, " \t")] != '\0') {
		util_errf(
		    why, whysz, -1,
		    "Invalid event '%s': expected name(id), such as object_create(0) or sub_tag(3)",
		    shown);
		return -1;
	}
	n = (size_t)(open - p);
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	if (n == 0 || n >= sizeof name) {
		util_errf(why, whysz, -1, "Invalid event '%s': no event name", shown);
		return -1;
	}
	memcpy(name, p, n);
	name[n] = '\0';
	for (i = 0; i < sizeof event_names / sizeof *event_names; i++)
		if (strcmp(name, event_names[i].name) == 0)
			break;
	if (i == sizeof event_names / sizeof *event_names) {
		util_errf(
		    why, whysz, -1,
		    "Invalid event '%s': expected object_create, object_submits_form, sub_tag, "
		    "unsub_tag, purchase_product or transaction_created_with_product",
		    shown);
		return -1;
	}
	p = open + 1;
	while (isspace((unsigned char)*p))
		p++;
	n = (size_t)(close - p);
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	if (n == 0 || n >= sizeof num) {
		util_errf(why, whysz, -1, "Invalid event '%s': the id in parentheses is missing",
		          shown);
		return -1;
	}
	memcpy(num, p, n);
	num[n] = '\0';
	if (util_parse_ll(num, event_names[i].min, 1LL << 53, &target) < 0) {
		util_errf(why, whysz, -1,
		          "Invalid event '%s': expected a whole number %sin parentheses", shown,
		          event_names[i].min ? "from 1 " : "");
		return -1;
	}
	if ((size_t)snprintf(out, outsz, "%s(%lld)", name, target) >= outsz) {
		util_errf(why, whysz, -1, "Invalid event '%s': too long", shown);
		return -1;
	}
	return 0;
}

int sbx_hook_format_parse(const char *data, char *why, size_t whysz)
{
	json_t *o, *f;
	const char *s;
	int fmt = -1;
	char shown[80];

	if (!data || !*data)
		return SBX_HOOK_FULL;
	sbx_clip(data, shown, sizeof shown);
	o = json_loads(data, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(o)) {
		util_errf(
		    why, whysz, -1,
		    "Invalid data '%s': expected a JSON object such as {\"format\":\"notify\"}",
		    shown);
		json_decref(o);
		return -1;
	}
	f = json_object_get(o, "format");
	s = json_string_value(f);
	if (!f || json_is_null(f) || (s && (!*s || util_strieq(s, "full"))))
		fmt = SBX_HOOK_FULL;
	else if (s && util_strieq(s, "notify"))
		fmt = SBX_HOOK_NOTIFY;
	else if (s && util_strieq(s, "lightweight"))
		fmt = SBX_HOOK_LIGHTWEIGHT;
	else
		util_errf(why, whysz, -1,
		          "Invalid data format in '%s': expected notify or lightweight", shown);
	json_decref(o);
	return fmt;
}

static json_t *as_string(json_t *v)
{
	if (json_is_string(v))
		return json_incref(v);
	return json_string("");
}

/* Whether name is listed in the type's list fields. */
static int in_list_fields(const sbx_otype *t, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(t->list_fields, i, v)
	{
		const char *s = json_string_value(v);
		if (s && strcmp(s, name) == 0)
			return 1;
	}
	return 0;
}

json_t *sbx_hook_data(const sbx_otype *t, json_t *record, sbx_hook_format format)
{
	static const char *const light[] = {"firstname", "lastname", "email"};
	json_t *data = json_object(), *v;
	const char *k;
	size_t i;

	if (!data)
		return NULL;
	json_object_foreach(record, k, v)
	{
		int is_id = strcmp(k, t->id_field) == 0, keep = 1;
		json_t *val;

		if (format == SBX_HOOK_LIGHTWEIGHT && !is_id) {
			keep = 0;
			if (t->id == 0) {
				for (i = 0; i < sizeof light / sizeof *light; i++)
					if (strcmp(k, light[i]) == 0)
						keep = 1;
			} else {
				keep = in_list_fields(t, k);
			}
		}
		if (!keep)
			continue;
		val = format == SBX_HOOK_NOTIFY && !is_id ? json_string("") : as_string(v);
		if (!val || json_object_set_new(data, k, val) < 0) {
			json_decref(data);
			return NULL;
		}
	}
	return data;
}

int sbx_hook_payload(util_buf *out, const char **content_type, int json, long long webhook_id,
                     long long object_type, const char *event_type, const char *target_key,
                     long long target, json_t *data, long long timestamp)
{
	char wid[32], oid[32], tid[32], ts[32];
	const char *k;
	json_t *v;

	snprintf(wid, sizeof wid, "%lld", webhook_id);
	snprintf(oid, sizeof oid, "%lld", object_type);
	snprintf(tid, sizeof tid, "%lld", target);
	snprintf(ts, sizeof ts, "%lld", timestamp);
	if (json) {
		json_t *ev = json_pack("{s:s}", "type", event_type), *doc;
		char *text;
		if (ev && target_key)
			json_object_set_new(ev, target_key, json_string(tid));
		/* The order of the support article's listing. */
		doc = json_pack("{s:s, s:s, s:o, s:O, s:s}", "webhook_id", wid, "object_type_id",
		                oid, "event", ev, "data", data, "timestamp", ts);
		text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(doc);
		if (!text)
			return -1;
		util_buf_puts(out, text);
		free(text);
		*content_type = "application/json";
	} else {
		util_form_pair(out, NULL, "webhook_id", wid, strlen(wid));
		util_form_pair(out, NULL, "object_type_id", oid, strlen(oid));
		util_form_pair(out, "event", "type", event_type, strlen(event_type));
		if (target_key)
			util_form_pair(out, "event", target_key, tid, strlen(tid));
		json_object_foreach(data, k, v)
		{
			const char *s = json_string_value(v);
			util_form_pair(out, "data", k, s ? s : "", s ? json_string_length(v) : 0);
		}
		util_form_pair(out, NULL, "timestamp", ts, strlen(ts));
		*content_type = "application/x-www-form-urlencoded";
	}
	return util_buf_ensure(out) < 0 || util_buf_failed(out) ? -1 : 0;
}
