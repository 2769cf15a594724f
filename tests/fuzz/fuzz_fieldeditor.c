/*
 * libFuzzer target for the field editor's reply parsers
 * (ontra_field_sections_parse, ontra_field_result_parse, src/lib/fieldeditor.c):
 * whatever `data` a server sends gives either a normalised value (an array of
 * sections, each with an array of fields; an object of two string maps) or
 * ONTRA_EBADRESPONSE with a one-line message, never a crash.
 * Input: the first byte picks the parser, the rest is the JSON `data`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int rc, json_t *out)
{
	const ontra_error *e = ontra_error_last();

	if (out || rc != e->code || !e->message[0] || strchr(e->message, '\n'))
		abort();
}

static void check_sections(json_t *out)
{
	size_t i, j;
	json_t *s, *f;

	if (!json_is_array(out) || json_array_size(out) > ONTRA_FIELDEDITOR_MAX_SECTIONS)
		abort();
	json_array_foreach(out, i, s)
	{
		if (!json_is_integer(json_object_get(s, "id")) ||
		    !json_is_string(json_object_get(s, "name")) ||
		    !json_is_array(json_object_get(s, "fields")))
			abort();
		json_array_foreach(json_object_get(s, "fields"), j, f)
		{
			json_int_t col = json_integer_value(json_object_get(f, "column"));
			if (!json_is_string(json_object_get(f, "field")) || col < 0 || col > 2)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *in, *out = NULL;
	int rc;

	if (size < 1)
		return 0;
	in = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY, NULL);
	if (!in)
		return 0;
	if (data[0] & 1) {
		rc = ontra_field_result_parse(&out, in);
		if (rc == 0 && (!json_is_object(json_object_get(out, "success")) ||
		                !json_is_object(json_object_get(out, "error"))))
			abort();
	} else {
		rc = ontra_field_sections_parse(&out, in);
		if (rc == 0)
			check_sections(out);
	}
	if (rc < 0)
		check_error(rc, out);
	json_decref(out);
	json_decref(in);
	return 0;
}
