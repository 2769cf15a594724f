/*
 * libFuzzer target for the form block parsers (ontra_form_blocks_parse,
 * ontra_block_ids_parse, src/lib/forms.c): whatever JSON a server answers as
 * the data of getAllFormBlocks or getBlocksByFormName gives either the checked
 * values (every block id and name a non-empty string, capped) or
 * ONTRA_EBADRESPONSE with a one-line message. Input: JSON text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_strings(const json_t *arr, const char *key)
{
	const json_t *v;
	size_t i;

	if (!json_is_array(arr) || json_array_size(arr) > ONTRA_FORM_BLOCKS_MAX)
		abort();
	json_array_foreach(arr, i, v)
	{
		const json_t *s = key ? json_object_get(v, key) : v;
		if (!json_is_string(s) || !json_string_length(s) ||
		    json_string_length(s) > ONTRA_FORM_TEXT_MAX)
			abort();
	}
}

static void check_error(int rc, json_t *out)
{
	if (rc != ONTRA_EBADRESPONSE || out || strchr(ontra_error_last()->message, '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL), *out = NULL;
	int rc;

	if (!v)
		return 0;
	rc = ontra_form_blocks_parse(&out, v);
	if (rc == 0) {
		check_strings(out, "block_id");
		check_strings(out, "formname");
	} else {
		check_error(rc, out);
	}
	json_decref(out);
	out = NULL;
	rc = ontra_block_ids_parse(&out, v);
	if (rc == 0)
		check_strings(out, NULL);
	else
		check_error(rc, out);
	json_decref(out);
	json_decref(v);
	return 0;
}
