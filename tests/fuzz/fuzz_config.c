/*
 * libFuzzer target for the connections config file parser (profiles_parse,
 * src/cli/profile.c): whatever is in the file, the parse succeeds with valid
 * names or fails with one line; and what parsed serialises and parses back
 * to the same set (so a save never writes a file the next load refuses).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	profiles p = PROFILES_INIT, q = PROFILES_INIT;
	char err[256] = "";
	char *text;
	size_t i;

	if (profiles_parse(&p, (const char *)data, size, err, sizeof err) < 0) {
		if (!err[0] || strchr(err, '\n'))
			abort();
		profiles_release(&p);
		return 0;
	}
	for (i = 0; i < p.count; i++)
		if (!profile_name_valid(p.items[i].name))
			abort();
	text = profiles_serialize(&p);
	if (text) {
		if (profiles_parse(&q, text, strlen(text), err, sizeof err) < 0 || q.count != p.count ||
		    !same(q.default_name, p.default_name))
			abort();
		for (i = 0; i < p.count; i++) {
			const profile *a = &p.items[i], *b = profiles_find(&q, a->name);
			if (!b || !same(a->app_id, b->app_id) || !same(a->api_key, b->api_key) ||
			    !same(a->base_url, b->base_url))
				abort();
		}
		free(text);
	}
	profiles_release(&q);
	profiles_release(&p);
	return 0;
}
