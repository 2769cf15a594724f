/*
 * parse_event: read one webhook body on stdin, as Ontraport POSTs it, and
 * print what it says: the event, the record and its fields. No network: the
 * parser does no I/O, so a body saved from a log (or a test) is enough.
 *
 *   parse_event [CONTENT_TYPE] < body
 *
 * CONTENT_TYPE is the request's (application/x-www-form-urlencoded or
 * application/json); without it the body's first byte decides.
 */
#include <stdio.h>
#include <stdlib.h>

#include <ontraport.h>

int main(int argc, char **argv)
{
	static char body[ONTRA_EVENT_MAX_BODY + 1];
	const char *name;
	ontra_event *ev;
	const json_t *value;
	size_t len;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [CONTENT_TYPE] < body\n", argv[0]);
		return 2;
	}
	len = fread(body, 1, sizeof body, stdin);
	if (ontra_event_parse(&ev, body, len, argc > 1 ? argv[1] : NULL) < 0) {
		const ontra_error *e = ontra_error_last();
		fprintf(stderr, "error: %s (a receiver answers %d)\n", e->message, e->http_status);
		return 1;
	}
	printf("event %s (%s body)\n", ontra_event_type(ev), ontra_event_encoding(ev));
	printf("record %lld of object type %d\n", ontra_event_object_id(ev),
	       ontra_event_object_type(ev));
	if (ontra_event_tag_id(ev))
		printf("tag %lld\n", ontra_event_tag_id(ev));
	if (ontra_event_form_id(ev))
		printf("form %lld\n", ontra_event_form_id(ev));
	if (ontra_event_product_id(ev))
		printf("product %lld\n", ontra_event_product_id(ev));
	/* The record's fields that have a value (the notify format leaves all but id empty). */
	json_object_foreach((json_t *)ontra_event_data(ev), name, value)
	{
		const char *s = ontra_event_field(ev, name);
		if (s && *s)
			printf("  %s=%s\n", name, s);
		else if (!s && !json_is_null(value))
			printf("  %s=(nested)\n", name);
	}
	ontra_event_free(ev);
	return 0;
}
