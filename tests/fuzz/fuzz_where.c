/*
 * libFuzzer target for the --where compiler (ontra_where_parse,
 * src/lib/criteria.c). Contract: success gives the API's condition list --
 * clauses (objects with field.field and a valid op) joined by "AND"/"OR" --
 * failure gives nothing and one line.
 */
#include <ontraport.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	json_t *out = NULL, *v;
	size_t i;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ontra_where_parse(&out, text) == 0) {
		if (!json_is_array(out) || json_array_size(out) % 2 != 1)
			abort();
		json_array_foreach(out, i, v)
		{
			if (i % 2) {
				const char *conj = json_string_value(v);
				if (!conj || (strcmp(conj, "AND") && strcmp(conj, "OR")))
					abort();
			} else if (!json_is_string(
			               json_object_get(json_object_get(v, "field"), "field")) ||
			           !ontra_condition_op_valid(
			               json_string_value(json_object_get(v, "op")))) {
				abort();
			}
		}
		json_decref(out);
	} else {
		const char *msg = ontra_error_last()->message;
		if (out || !msg[0] || strchr(msg, '\n'))
			abort();
	}
	free(text);
	return 0;
}
