/*
 * libFuzzer target for the form / query-string decoder with PHP bracket
 * expansion (src/util/form.c), used by the sandbox for query strings and
 * form bodies and by the receiver for form-encoded webhooks. The first byte
 * picks tight or default limits. Contract: success gives an object within
 * the limits' depth; failure gives no object and a one-line reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t depth(const json_t *v)
{
	size_t d = 0, i;
	const char *k;
	json_t *x;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x)
		{
			size_t dx = depth(x);
			if (dx > d)
				d = dx;
		}
		return d + 1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		{
			size_t dx = depth(x);
			if (dx > d)
				d = dx;
		}
		return d + 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	util_form_limits lim = UTIL_FORM_LIMITS_DEFAULT;
	json_t *out = NULL;
	char err[256] = "";

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		lim.max_pairs = 8;
		lim.max_depth = 3;
		lim.max_key = 16;
	}
	if (util_form_decode(&out, (const char *)data + 1, size - 1, &lim, err, sizeof err) == 0) {
		if (!json_is_object(out) || depth(out) > lim.max_depth + 2)
			abort();
		json_decref(out);
	} else if (out || !err[0] || strchr(err, '\n')) {
		abort();
	}
	return 0;
}
