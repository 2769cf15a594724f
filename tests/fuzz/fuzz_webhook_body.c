/*
 * libFuzzer target for the webhook body parser (src/receiver/event.c and
 * src/util/form.c). The first byte picks the Content-Type, the mode and tight or
 * default limits; the rest is the body. Checks the parser's contract, not
 * just the absence of crashes: success gives an event of the promised shape,
 * failure gives no event and one non-empty line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "receiver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const content_types[] = {
    NULL,
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "application/vnd.ontraport+json; charset=utf-8",
    "multipart/form-data; boundary=x",
};

/* An accepted event must come out of the queue deliverable: what delivery loads from
 * the stored text is a document holding the very event that was parsed. */
static void deliverable(json_t *ev, char *text)
{
	rcv_item it;
	json_t *doc = NULL, *v;
	const char *k;

	memset(&it, 0, sizeof it);
	it.id = 1;
	it.webhook_key = "k";
	it.event = text;
	if (rcv_deliver_document(&doc, &it) != 0)
		abort();
	json_object_foreach(ev, k, v)
	{
		if (!json_equal(json_object_get(doc, k), v) && strcmp(k, "id") != 0 &&
		    strcmp(k, "received_at") != 0 && strcmp(k, "webhook_key") != 0)
			abort();
	}
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rcv_limits lim = RCV_LIMITS_DEFAULT;
	unsigned sel;
	const char *ct;
	rcv_mode mode;
	json_t *ev = NULL;
	char err[256];
	int rc;

	if (size == 0)
		return 0;
	sel = data[0];
	ct = content_types[sel % 6];
	mode = (sel / 6) % 2 ? RCV_MODE_GENERIC : RCV_MODE_ONTRAPORT;
	lim.max_body = 1 << 16;
	if (sel & 0x40) { /* tight limits, to reach their edges */
		lim.max_depth = 4;
		lim.max_fields = 16;
	}
	rc = rcv_body_parse(&ev, (const char *)data + 1, size - 1, ct, mode, &lim, err, sizeof err);
	if (rc == 0) {
		char *text;
		if (!json_is_object(ev))
			abort();
		if (mode == RCV_MODE_ONTRAPORT) {
			json_t *type = json_object_get(json_object_get(ev, "event"), "type");
			if (!json_is_string(type) || json_string_length(type) == 0 ||
			    !json_is_object(json_object_get(ev, "data")))
				abort();
		} else if (!json_is_object(json_object_get(ev, "fields"))) {
			abort();
		}
		text = json_dumps(ev, JSON_COMPACT); /* what the queue stores */
		if (!text)
			abort();
		deliverable(ev, text);
		free(text);
		json_decref(ev);
	} else {
		if (ev || rc >= 0 || !err[0] || strchr(err, '\n') || strlen(err) >= sizeof err)
			abort();
	}
	return 0;
}
