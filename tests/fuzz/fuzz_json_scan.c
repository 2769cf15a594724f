/*
 * libFuzzer target for the checking scan (util_json_check, src/util/jsonscan.c):
 * what it vouches for, jansson's json_loadb accepts; each top-level member it
 * reports is the value jansson finds under that key; the compact and the
 * indented layouts are the same JSON (json_equal) as the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_json(const json_t *want, const char *text, size_t len, size_t flags)
{
	json_t *got = json_loadb(text, len, flags, NULL);

	if (!got || !json_equal(want, got))
		abort();
	json_decref(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	util_json_scan sc;
	util_buf b = UTIL_BUF_INIT;
	json_t *j;
	char *compact;
	size_t i, n;

	if (util_json_check(&sc, text, size) < 0)
		return 0;
	j = json_loadb(text, size, 0, NULL);
	if (!j || (sc.top == '{') != json_is_object(j))
		abort();
	if (json_is_object(j) && sc.nmembers != json_object_size(j))
		abort();
	for (i = 0; i < sc.nmembers; i++) {
		char key[64];
		const util_json_member *m = &sc.members[i];
		if (m->key_len >= sizeof key)
			continue;
		memcpy(key, m->key, m->key_len);
		key[m->key_len] = '\0';
		if (util_json_member_get(&sc, key) != m || !json_object_get(j, key))
			abort();
		same_json(json_object_get(j, key), m->value, m->value_len, JSON_DECODE_ANY);
	}
	compact = malloc(size + 1);
	if (compact) {
		n = util_json_compact(compact, text, size);
		if (n > size || memchr(compact, '\n', n))
			abort();
		same_json(j, compact, n, 0);
		free(compact);
	}
	util_json_indent(&b, text, size, 2, 0);
	if (util_buf_ensure(&b) == 0)
		same_json(j, b.data, b.len, 0);
	util_buf_release(&b);
	json_decref(j);
	return 0;
}
