/*
 * libFuzzer target for the sandbox's fault rules (sbx_fault_parse,
 * src/sandbox/http/faults.c), which come from the command line and the control
 * API. Contract: success gives a known kind with its values in range;
 * failure gives one line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbx_faults.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = malloc(size + 1);
	char err[200] = "";
	sbx_fault f;

	if (!spec)
		return 0;
	memcpy(spec, data, size);
	spec[size] = '\0';
	if (sbx_fault_parse(&f, spec, err, sizeof err) == 0) {
		if (f.kind <= SBX_FAULT_NONE || f.kind > SBX_FAULT_MALFORMED ||
		    !(f.p > 0 && f.p <= 1) || (f.count != -1 && f.count < 1) ||
		    (f.kind == SBX_FAULT_STATUS && (f.status < 100 || f.status > 599)))
			abort();
	} else if (!err[0] || strchr(err, '\n')) {
		abort();
	}
	free(spec);
	return 0;
}
