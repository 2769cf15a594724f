/*
 * libFuzzer target for the public webhook body parser, ontra_event_parse
 * (src/lib/event.c over src/receiver/event.c). The first byte picks the
 * Content-Type; the rest is the body. Checks the public contract: an event
 * whose accessors all answer (a type never NULL, ids in range), or no event,
 * ONTRA_EINVALID with one line and the status a receiver answers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ontraport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const content_types[] = {
    NULL,
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/x-www-form-urlencoded; charset=utf-8",
    "image/png",
};

static void read_all(const ontra_event *ev)
{
	const json_t *data = ontra_event_data(ev), *v;
	const char *k;
	int kind = ontra_event_kind(ev);

	if (!ontra_event_type(ev)[0] || kind < -1 || kind > ONTRA_EVENT_TRANSACTION_PRODUCT)
		abort();
	if (ontra_event_object_type(ev) < -1 || ontra_event_object_id(ev) < 0 ||
	    ontra_event_object_id(ev) > ONTRA_ID_MAX || ontra_event_webhook_id(ev) < 0 ||
	    ontra_event_timestamp(ev) < 0 || ontra_event_tag_id(ev) < 0 ||
	    ontra_event_form_id(ev) < 0 || ontra_event_product_id(ev) < 0)
		abort();
	if (!json_is_object(data) || !json_is_object(ontra_event_json(ev)))
		abort();
	if (strcmp(ontra_event_encoding(ev), "form") && strcmp(ontra_event_encoding(ev), "json"))
		abort();
	json_object_foreach((json_t *)data, k, v)
	{
		const char *s = ontra_event_field(ev, k);
		if (s && strcmp(s, json_string_value(v)) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ontra_event *ev = NULL;
	const ontra_error *e;
	int rc;

	if (size == 0)
		return 0;
	rc = ontra_event_parse(&ev, (const char *)data + 1, size - 1, content_types[data[0] % 6]);
	if (rc == 0) {
		if (!ev)
			abort();
		read_all(ev);
		ontra_event_free(ev);
		return 0;
	}
	e = ontra_error_last();
	if (ev || (rc != ONTRA_EINVALID && rc != ONTRA_ERROR) || e->code != rc || !e->message[0] ||
	    strchr(e->message, '\n'))
		abort();
	if (rc == ONTRA_EINVALID && e->http_status != 400 && e->http_status != 413 &&
	    e->http_status != 415)
		abort();
	return 0;
}
