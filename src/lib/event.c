/*
 * The public face of the receiver's webhook body parser (src/receiver,
 * rcv_body_parse): ontra_event_parse wraps it and the accessors read the
 * normalized event it builds. No I/O here either.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "receiver.h"
#include "util.h"
#include "banned.h"

struct ontra_event {
	json_t *doc; /* the normalized event (rcv_body_parse's shape); owned */
};

int ontra__event_new(ontra_event **out, json_t *doc)
{
	*out = NULL;
	if (!doc)
		return ontra__error_oom();
	*out = calloc(1, sizeof **out);
	if (!*out) {
		json_decref(doc);
		return ontra__error_oom();
	}
	(*out)->doc = doc;
	return 0;
}

int ontra__event_error(int rcv_code, const char *line)
{
	if (rcv_code == RCV_ERROR)
		return ontra__error_oom();
	ontra__error(ONTRA_EINVALID, "%s", line && *line ? line : rcv_strerror(rcv_code));
	ontra__error_detail(rcv_http_status(rcv_code), 0, NULL, 0);
	return ONTRA_EINVALID;
}

int ontra_event_parse(ontra_event **out, const char *body, size_t len, const char *content_type)
{
	rcv_limits lim = {ONTRA_EVENT_MAX_BODY, ONTRA_EVENT_MAX_DEPTH, ONTRA_EVENT_MAX_FIELDS};
	json_t *doc = NULL;
	char err[256];
	int rc;

	if (!out)
		return ontra__error(ONTRA_EINVALID, "no place for the event (out is null)");
	*out = NULL;
	rc = rcv_body_parse(&doc, body, len, content_type, RCV_MODE_ONTRAPORT, &lim, err,
	                    sizeof err);
	if (rc)
		return ontra__event_error(rc, err);
	return ontra__event_new(out, doc);
}

void ontra_event_free(ontra_event *ev)
{
	if (!ev)
		return;
	json_decref(ev->doc);
	free(ev);
}

/* A string member of an object, or NULL. */
static const char *str_at(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* A string member holding a decimal in [min, max], or `none`. */
static long long num_at(const json_t *obj, const char *key, long long min, long long max,
                        long long none)
{
	const char *s = str_at(obj, key);
	long long v;

	return s && util_parse_ll(s, min, max, &v) == 0 ? v : none;
}

static const json_t *ev_obj(const ontra_event *ev)
{
	return json_object_get(ev->doc, "event");
}

const char *ontra_event_type(const ontra_event *ev)
{
	const char *t = str_at(ev_obj(ev), "type");
	return t ? t : "";
}

int ontra_event_kind(const ontra_event *ev)
{
	const char *t = ontra_event_type(ev), *name;
	int k;

	for (k = 0; (name = ontra_webhook_event_name((ontra_webhook_event)k)) != NULL; k++)
		if (strcmp(name, t) == 0)
			return k;
	return -1;
}

int ontra_event_object_type(const ontra_event *ev)
{
	return (int)num_at(ev->doc, "object_type_id", 0, 0x7fffffff, -1);
}

long long ontra_event_object_id(const ontra_event *ev)
{
	return num_at(json_object_get(ev->doc, "data"), "id", 1, ONTRA_ID_MAX, 0);
}

long long ontra_event_webhook_id(const ontra_event *ev)
{
	return num_at(ev->doc, "webhook_id", 1, ONTRA_ID_MAX, 0);
}

long long ontra_event_timestamp(const ontra_event *ev)
{
	return num_at(ev->doc, "timestamp", 1, 0x7fffffffffffffffLL, 0);
}

long long ontra_event_tag_id(const ontra_event *ev)
{
	return num_at(ev_obj(ev), "tag_id", 1, ONTRA_ID_MAX, 0);
}

long long ontra_event_form_id(const ontra_event *ev)
{
	return num_at(ev_obj(ev), "form_id", 1, ONTRA_ID_MAX, 0);
}

long long ontra_event_product_id(const ontra_event *ev)
{
	return num_at(ev_obj(ev), "product_id", 1, ONTRA_ID_MAX, 0);
}

const char *ontra_event_field(const ontra_event *ev, const char *name)
{
	return name ? str_at(json_object_get(ev->doc, "data"), name) : NULL;
}

const json_t *ontra_event_data(const ontra_event *ev)
{
	return json_object_get(ev->doc, "data");
}

const char *ontra_event_encoding(const ontra_event *ev)
{
	const char *e = str_at(ev->doc, "encoding");
	return e ? e : "";
}

const json_t *ontra_event_json(const ontra_event *ev)
{
	return ev->doc;
}
