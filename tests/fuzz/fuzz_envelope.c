/*
 * libFuzzer target for the response check (ontra_response_check,
 * src/lib/call.c): whatever a server sends -- any status, any body -- gives
 * either the {code, data} envelope or an error code with a one-line message.
 * Input: two bytes of status (100-599), the rest is the body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ontra_response r;
	json_t *env = NULL;
	int rc;

	if (size < 2)
		return 0;
	memset(&r, 0, sizeof r);
	r.status = 100 + ((data[0] << 8 | data[1]) % 500);
	r.body = malloc(size - 2 + 1);
	if (!r.body)
		return 0;
	memcpy(r.body, data + 2, size - 2);
	r.body[size - 2] = '\0';
	r.body_len = size - 2;
	if (ontra_params_new(&r.headers) < 0) {
		free(r.body);
		return 0;
	}
	ontra_params_add(r.headers, "Content-Type", "application/json");
	rc = ontra_response_check(&env, &r);
	if (rc == 0) {
		if (!json_is_object(env) || json_integer_value(json_object_get(env, "code")) != 0 ||
		    r.status < 200 || r.status > 299)
			abort();
		json_decref(env);
	} else {
		const ontra_error *e = ontra_error_last();
		if (env || rc != e->code || !e->message[0] || strchr(e->message, '\n'))
			abort();
	}
	ontra_params_free(r.headers);
	free(r.body);
	return 0;
}
