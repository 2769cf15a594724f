/*
 * libFuzzer target for the scenario loader (src/scenario/yaml.c) and the
 * checks on top of it (scen_load). Contract: success gives a tree whose root
 * has a position; failure gives no tree and a one-line "NAME:LINE:COL:
 * message"; scen_load gives a scenario or at least one such problem line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void model(const uint8_t *data, size_t size)
{
	scen_scenario *s = NULL;
	scen_problems p;
	size_t i;

	if (scen_load("f", (const char *)data, size, &s, &p) == 0) {
		if (!s || p.n)
			abort();
		scen_free(s);
		return;
	}
	if (s || (!p.n && !p.more))
		abort();
	for (i = 0; i < p.n; i++)
		if (strncmp(p.lines[i], "f:", 2) || strchr(p.lines[i], '\n'))
			abort();
	scen_problems_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	scen_doc *d = NULL;
	char err[512];

	if (scen_yaml_load("f", (const char *)data, size, &d, err, sizeof err) < 0) {
		if (d || strncmp(err, "f:", 2) != 0 || strchr(err, '\n'))
			abort();
		return 0;
	}
	if (json_is_object(scen_doc_root(d)) && scen_doc_pos(d, scen_doc_root(d)).line < 1)
		abort();
	scen_doc_free(d);
	model(data, size);
	return 0;
}
