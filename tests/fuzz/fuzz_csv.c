/*
 * libFuzzer target for the CSV record reader (src/util/csv.c), used by
 * `ontraport objects import`. The first byte picks tight or default limits
 * and whether the bytes are fed in two pieces. Contract: a record takes
 * at least one byte and no more than given, has 1..max_fields fields; the
 * same text read whole or in pieces gives the same records; failure gives
 * a one-line reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	util_csv_limits lim = UTIL_CSV_LIMITS_DEFAULT;
	util_csv_row row = UTIL_CSV_ROW_INIT;
	const char *s;
	char err[256];
	size_t off = 0, used, len, avail;
	int rc;

	if (size == 0)
		return 0;
	if (data[0] & 1) {
		lim.max_fields = 4;
		lim.max_record = 32;
	}
	s = (const char *)data + 1;
	len = size - 1;
	avail = data[0] & 2 ? len / 2 : len;
	for (;;) {
		err[0] = '\0';
		rc = util_csv_record(&row, s + off, avail - off, avail == len, &lim, &used, err,
		                     sizeof err);
		if (rc == UTIL_CSV_RECORD) {
			if (used == 0 || used > avail - off || row.n == 0 || row.n > lim.max_fields)
				abort();
			off += used;
			continue;
		}
		if (rc == UTIL_CSV_MORE) {
			if (avail < len) {
				avail = len;
				continue;
			}
			if (off != len)
				abort();
			break;
		}
		if (!err[0] || strchr(err, '\n') || row.n != 0)
			abort();
		break;
	}
	util_csv_row_release(&row);
	return 0;
}
