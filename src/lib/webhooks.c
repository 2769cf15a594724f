/*
 * Webhook subscriptions (REFERENCE.md §8.1): subscribe (form POST
 * /Webhook/subscribe, as the official SDK sends it), unsubscribe (DELETE
 * /Webhook/unsubscribe?id=), read one (GET /Webhook), list (GET /Webhooks,
 * paged). Everything that can be checked is checked before sending.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "banned.h"

#define URL_MAX 2048
#define PAGE 50 /* the API's largest range */

static const char *const event_names[] = {"object_create",    "sub_tag",
                                          "unsub_tag",        "object_submits_form",
                                          "purchase_product", "transaction_created_with_product"};
static const char *const format_names[] = {"full", "notify", "lightweight"};

const char *ontra_webhook_event_name(ontra_webhook_event ev)
{
	return (unsigned)ev < sizeof event_names / sizeof *event_names ? event_names[ev] : NULL;
}

const char *ontra_webhook_format_name(ontra_webhook_format format)
{
	return (unsigned)format < sizeof format_names / sizeof *format_names ? format_names[format]
	                                                                     : NULL;
}

int ontra_webhook_event_string(char *out, size_t outsz, ontra_webhook_event ev, long long target)
{
	const char *name = ontra_webhook_event_name(ev);
	long long min = ev == ONTRA_EVENT_OBJECT_CREATE ? 0 : 1;

	if (out && outsz)
		out[0] = '\0';
	if (!name)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid webhook event %d: expected one of "
		                    "ONTRA_EVENT_*",
		                    (int)ev);
	if (target < min)
		return ontra__error(ONTRA_EINVALID, "invalid %s id %lld for %s: expected %s",
		                    ev == ONTRA_EVENT_OBJECT_CREATE      ? "object type"
		                    : ev == ONTRA_EVENT_SUBMITS_FORM     ? "form"
		                    : ev >= ONTRA_EVENT_PURCHASE_PRODUCT ? "product"
		                                                         : "tag",
		                    target, name,
		                    min ? "a positive whole number" : "a whole number from 0");
	if (!out || (size_t)snprintf(out, outsz, "%s(%lld)", name, target) >= outsz)
		return ontra__error(ONTRA_EINVALID, "no room for the event string");
	return 0;
}

/* An http(s) URL without blanks or control characters. */
static int check_url(const char *url)
{
	char shown[128];
	size_t i, n;

	if (!url || !*url)
		return ontra__error(ONTRA_EINVALID, "missing webhook url");
	n = strlen(url);
	util_url_shown(url, shown, sizeof shown); /* errors never show a password */
	for (i = 0; i < n; i++)
		if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
			return ontra__error(
			    ONTRA_EINVALID,
			    "invalid webhook url '%.60s': it holds blanks or control "
			    "characters",
			    shown);
	if (n > URL_MAX)
		return ontra__error(ONTRA_EINVALID, "invalid webhook url: longer than %d bytes",
		                    URL_MAX);
	if (!(util_strnieq(url, "http://", 7) && n > 7) &&
	    !(util_strnieq(url, "https://", 8) && n > 8))
		return ontra__error(
		    ONTRA_EINVALID,
		    "invalid webhook url '%.60s': expected an http:// or https:// url", shown);
	return 0;
}

int ontra_webhook_subscribe(json_t **out, ontra_client *c, const ontra_webhook_options *o)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_params *form = NULL;
	char event[64], data[64];
	json_t *reply = NULL;
	int rc;

	*out = NULL;
	if (!o || o->version < 1 || o->version > ONTRA_WEBHOOK_OPTIONS_VERSION)
		return ontra__error(ONTRA_EINVALID,
		                    "invalid webhook options: expected ONTRA_WEBHOOK_OPTIONS_INIT");
	if ((rc = check_url(o->url)) < 0 ||
	    (rc = ontra_webhook_event_string(event, sizeof event, o->event, o->target)) < 0)
		return rc;
	if (!ontra_webhook_format_name(o->format))
		return ontra__error(ONTRA_EINVALID,
		                    "invalid webhook data format %d: expected full, notify or "
		                    "lightweight",
		                    (int)o->format);
	snprintf(data, sizeof data, "{\"format\":\"%s\"}", ontra_webhook_format_name(o->format));
	if ((rc = ontra_params_new(&form)) < 0 ||
	    (rc = ontra_params_add(form, "url", o->url)) < 0 ||
	    (rc = ontra_params_add(form, "event", event)) < 0 ||
	    (o->format != ONTRA_WEBHOOK_FULL && (rc = ontra_params_add(form, "data", data)) < 0))
		goto out;
	req.method = "POST";
	req.path = "/Webhook/subscribe";
	req.form = form;
	if ((rc = ontra_call_data(&reply, c, &req)) < 0)
		goto out;
	if (!json_is_object(reply) || !json_object_get(reply, "id")) {
		rc =
		    ontra__error(ONTRA_EBADRESPONSE, "the server's reply holds no subscription id");
		goto out;
	}
	*out = reply;
	reply = NULL;
out:
	json_decref(reply);
	ontra_params_free(form);
	return rc;
}

int ontra_webhook_unsubscribe(ontra_client *c, long long id)
{
	ontra_request req = ONTRA_REQUEST_INIT;
	json_t *data = NULL;
	char path[64];
	int rc;

	if ((rc = ontra__check_id(id, "webhook")) < 0)
		return rc;
	snprintf(path, sizeof path, "/Webhook/unsubscribe?id=%lld", id);
	req.method = "DELETE";
	req.path = path;
	rc = ontra_call_data(&data, c, &req);
	json_decref(data);
	return rc;
}

int ontra_webhook_get(json_t **out, ontra_client *c, long long id)
{
	return ontra__get_by_id(out, c, "Webhook", "webhook", id);
}

int ontra_webhook_list(ontra_client *c, ontra_object_fn fn, void *userdata)
{
	size_t start = 0;
	int rc;

	if (!fn)
		return ontra__error(ONTRA_EINVALID, "ontra_webhook_list needs a callback");
	for (;;) {
		ontra_request req = ONTRA_REQUEST_INIT;
		json_t *data = NULL, *w;
		char path[96];
		size_t i, got;

		snprintf(path, sizeof path, "/Webhooks?start=%zu&range=%d", start, PAGE);
		req.path = path;
		if ((rc = ontra_call_data(&data, c, &req)) < 0)
			return rc;
		if (!json_is_array(data)) {
			json_decref(data);
			return ontra__error(ONTRA_EBADRESPONSE,
			                    "the server's webhook list is not a list");
		}
		got = json_array_size(data);
		json_array_foreach(data, i, w)
		{
			if (fn(w, userdata) != 0) {
				json_decref(data);
				return ontra__error(ONTRA_EUSER, "listing stopped by the caller");
			}
		}
		json_decref(data);
		/* A short page is the last; so is one longer than asked (a server ignoring range).
		 */
		if (got < PAGE || got > PAGE)
			return 0;
		start += got;
	}
}
