/*
 * journal_err: the journal's errors, one line per thread (run_journal_last_error), below
 * every other journal file (journal_int.h).
 */
#include "journal_int.h"

#include <stdarg.h>
#include <stdio.h>

#include "banned.h"

static _Thread_local char tls_err[256];

const char *run_journal_last_error(void)
{
	return tls_err;
}

int run_journal__seterr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tls_err, sizeof tls_err, fmt, ap);
	va_end(ap);
	return -1;
}
