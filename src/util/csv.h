/*
 * csv: one record at a time from CSV text (RFC 4180), as spreadsheets write
 * it: fields separated by ',', records ended by CRLF, LF or a lone CR, a
 * field in double quotes may hold commas, line breaks and "" for a quote.
 * A quote inside an unquoted field, or text after a closing quote, is an
 * error, not a guess. The parser does no I/O and has hard limits, so it can
 * be fuzzed alone; the caller feeds it bytes and says when they end.
 */
#ifndef UTIL_CSV_H
#define UTIL_CSV_H

#include "util_names.h"

#include <stddef.h>

typedef struct util_csv_limits {
	size_t max_fields; /* fields in one record */
	size_t max_record; /* bytes of one record, quotes and line break included */
} util_csv_limits;

#define UTIL_CSV_LIMITS_DEFAULT                                                                    \
	{                                                                                          \
		1024, 1024 * 1024                                                                  \
	}

/*
 * One record: fields[0..n-1] are NUL-terminated UTF-8 strings (quotes
 * undone) inside memory the row owns, valid until the next call with this
 * row or util_csv_row_release.
 */
typedef struct util_csv_row {
	char **fields;
	size_t n;
	char *text;       /* the fields' bytes */
	size_t text_cap;  /* bytes allocated at text */
	size_t field_cap; /* pointers allocated at fields */
} util_csv_row;

#define UTIL_CSV_ROW_INIT                                                                          \
	{                                                                                          \
		NULL, 0, NULL, 0, 0                                                                \
	}

enum {
	UTIL_CSV_RECORD = 1,    /* a record was read into row; *used bytes were consumed */
	UTIL_CSV_MORE = 0,      /* the bytes end inside a record (or, at eof, there are none) */
	UTIL_CSV_ENOMEM = -1,   /* out of memory */
	UTIL_CSV_ELIMIT = -2,   /* more fields or a longer record than the limits allow */
	UTIL_CSV_ESYNTAX = -3,  /* a stray quote, text after a closing quote, an unclosed quote */
	UTIL_CSV_EENCODING = -4 /* a NUL byte, or bytes that are not UTF-8 */
};

/*
 * Read the record at the start of the len bytes at data. Returns
 * UTIL_CSV_RECORD with the record in *row and *used the bytes it took (its
 * line break included). Returns UTIL_CSV_MORE when the bytes end before the
 * record does and eof is 0: call again with the same bytes and more after
 * them; at eof, UTIL_CSV_MORE with len 0 means there are no more records
 * (a last record without a line break is a record). Errors leave *row empty
 * and write a one-line reason into err (errsz bytes, may be 0). lim NULL =
 * UTIL_CSV_LIMITS_DEFAULT.
 */
int util_csv_record(util_csv_row *row, const char *data, size_t len, int eof,
                    const util_csv_limits *lim, size_t *used, char *err, size_t errsz);

/* Free what the row holds (accepts a row never used); the row is then empty. */
void util_csv_row_release(util_csv_row *row);

#endif
