/* deliver_file: the default handler, one NDJSON line per event on a FILE*. */
#include "deliver_int.h"

#include <errno.h>
#include <string.h>

#include "banned.h"

int rcv_deliver__file(FILE *out, const char *doc, size_t len, char *err, size_t errsz)
{
	/*
	 * A line only counts as delivered once it left our buffer: fflush, and
	 * check both it and the stream's error flag (a full disk or a closed pipe
	 * shows up here, not in fwrite).
	 */
	clearerr(out);
	if (fwrite(doc, 1, len, out) != len || fputc('\n', out) == EOF || fflush(out) != 0 ||
	    ferror(out)) {
		int e = errno;
		snprintf(err, errsz, "cannot write the event line: %s",
		         e ? strerror(e) : "i/o error");
		clearerr(out);
		return e == EPIPE ? RCV_HANDLER_GONE : -1;
	}
	return 0;
}
