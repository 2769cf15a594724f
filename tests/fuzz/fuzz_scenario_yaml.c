/*
 * libFuzzer target for the scenario loader (src/scenario/yaml.c). Contract:
 * success gives a tree whose root has a position; failure gives no tree and
 * a one-line "NAME:LINE:COL: message".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scen_yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	return 0;
}
