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
	cli_profiles p = CLI_PROFILES_INIT, q = CLI_PROFILES_INIT;
	char err[256] = "";
	char *text;
	size_t i;

	if (cli_profiles_parse(&p, (const char *)data, size, err, sizeof err) < 0) {
		if (!err[0] || strchr(err, '\n'))
			abort();
		cli_profiles_release(&p);
		return 0;
	}
	for (i = 0; i < p.count; i++)
		if (!cli_profile_name_valid(p.items[i].name))
			abort();
	text = cli_profiles_serialize(&p);
	if (text) {
		if (cli_profiles_parse(&q, text, strlen(text), err, sizeof err) < 0 ||
		    q.count != p.count || !same(q.default_name, p.default_name))
			abort();
		for (i = 0; i < p.count; i++) {
			const cli_profile *a = &p.items[i], *b = cli_profiles_find(&q, a->name);
			if (!b || !same(a->app_id, b->app_id) || !same(a->api_key, b->api_key) ||
			    !same(a->base_url, b->base_url))
				abort();
		}
		free(text);
	}
	cli_profiles_release(&q);
	cli_profiles_release(&p);
	return 0;
}
