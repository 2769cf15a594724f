/*
 * libFuzzer target for the sandbox's webhook subscription parsers
 * (src/sandbox/hooks/payload.c): the `event` string ("sub_tag(3)") and the `data`
 * option ({"format":"notify"}). The first byte picks the parser. Checks the
 * contract: an accepted event string is canonical (parsing the output gives
 * the output), a refusal is one non-empty line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, out[128], again[128], why[256];

	if (size == 0 || size > 4096)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0'; /* the parameters arrive as C strings */
	why[0] = '\0';
	if (data[0] & 1) {
		int f = sbx_hook_format_parse(s, why, sizeof why);
		if (f < 0 && (!why[0] || strchr(why, '\n')))
			abort();
		if (f > SBX_HOOK_LIGHTWEIGHT)
			abort();
	} else if (sbx_hook_event_parse(s, out, sizeof out, why, sizeof why) == 0) {
		if (sbx_hook_event_parse(out, again, sizeof again, why, sizeof why) != 0 ||
		    strcmp(out, again) != 0)
			abort();
	} else if (!why[0] || strchr(why, '\n')) {
		abort();
	}
	free(s);
	return 0;
}
