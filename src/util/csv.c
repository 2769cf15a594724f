/* One CSV record at a time (csv.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "str.h"
#include "banned.h"

static void set_err(char *err, size_t errsz, const char *msg)
{
	if (errsz)
		snprintf(err, errsz, "%s", msg);
}

static void row_clear(util_csv_row *row)
{
	row->n = 0;
}

/* Room for `need` bytes of field text; 0 or -1. */
static int text_room(util_csv_row *row, size_t need)
{
	char *t;
	size_t cap;

	if (need <= row->text_cap)
		return 0;
	cap = row->text_cap ? row->text_cap : 256;
	while (cap < need)
		cap *= 2;
	if (!(t = realloc(row->text, cap)))
		return -1;
	row->text = t;
	row->text_cap = cap;
	return 0;
}

/* Set the field pointers from the NUL-separated text (done once the text stops moving). */
static int fields_point(util_csv_row *row, size_t nfields)
{
	size_t i, off = 0;

	if (nfields > row->field_cap) {
		char **f = realloc(row->fields, nfields * sizeof *f);
		if (!f)
			return -1;
		row->fields = f;
		row->field_cap = nfields;
	}
	for (i = 0; i < nfields; i++) {
		row->fields[i] = row->text + off;
		off += strlen(row->text + off) + 1;
	}
	row->n = nfields;
	return 0;
}

/* A line break at p (1 = LF or CRLF or CR; *brk its length), 0 none, -1 undecided (need more). */
static int line_break(const char *p, const char *end, int eof, size_t *brk)
{
	if (*p == '\n') {
		*brk = 1;
		return 1;
	}
	if (*p != '\r')
		return 0;
	if (p + 1 == end && !eof)
		return -1;
	*brk = p + 1 < end && p[1] == '\n' ? 2 : 1;
	return 1;
}

int util_csv_record(util_csv_row *row, const char *data, size_t len, int eof,
                    const util_csv_limits *lim, size_t *used, char *err, size_t errsz)
{
	static const util_csv_limits defaults = UTIL_CSV_LIMITS_DEFAULT;
	const char *p = data, *end = data + len;
	size_t out = 0, nfields = 1, brk = 0;
	int quoted = 0, after_quote = 0, field_start = 1, lb;

	if (!lim)
		lim = &defaults;
	*used = 0;
	row_clear(row);
	if (len == 0)
		return UTIL_CSV_MORE;
	/* the text never grows past the record: one allocation up front */
	if (text_room(row, (len < lim->max_record ? len : lim->max_record) + 1) < 0) {
		set_err(err, errsz, "out of memory");
		return UTIL_CSV_ENOMEM;
	}
	for (; p < end; p++) {
		if ((size_t)(p - data) >= lim->max_record) {
			set_err(err, errsz, "record too long");
			return UTIL_CSV_ELIMIT;
		}
		if (*p == '\0') {
			set_err(err, errsz, "a NUL byte in the text");
			return UTIL_CSV_EENCODING;
		}
		if (quoted) {
			if (*p != '"') {
				row->text[out++] = *p;
				continue;
			}
			if (p + 1 == end && !eof)
				return UTIL_CSV_MORE;
			if (p + 1 < end && p[1] == '"') {
				row->text[out++] = '"';
				p++;
				continue;
			}
			quoted = 0;
			after_quote = 1;
			continue;
		}
		if (*p == ',') {
			if (nfields >= lim->max_fields) {
				set_err(err, errsz, "too many fields in a record");
				return UTIL_CSV_ELIMIT;
			}
			row->text[out++] = '\0';
			nfields++;
			field_start = 1;
			after_quote = 0;
			continue;
		}
		if ((lb = line_break(p, end, eof, &brk)) < 0)
			return UTIL_CSV_MORE;
		if (lb)
			break;
		if (after_quote) {
			set_err(err, errsz,
			        "text after a closing quote (a quoted field must end at ',' "
			        "or the end of the line)");
			return UTIL_CSV_ESYNTAX;
		}
		if (*p == '"') {
			if (!field_start) {
				set_err(err, errsz,
				        "a quote inside an unquoted field (quote the field "
				        "and double the quote)");
				return UTIL_CSV_ESYNTAX;
			}
			quoted = 1;
			field_start = 0;
			continue;
		}
		field_start = 0;
		row->text[out++] = *p;
	}
	if (quoted) {
		if (!eof)
			return UTIL_CSV_MORE;
		set_err(err, errsz, "a quoted field is not closed before the end of the text");
		return UTIL_CSV_ESYNTAX;
	}
	if (p == end && !eof)
		return UTIL_CSV_MORE;
	row->text[out] = '\0';
	if (!util_utf8_valid(row->text, out)) {
		set_err(err, errsz, "the text is not UTF-8");
		return UTIL_CSV_EENCODING;
	}
	if (fields_point(row, nfields) < 0) {
		set_err(err, errsz, "out of memory");
		return UTIL_CSV_ENOMEM;
	}
	*used = (size_t)(p - data) + (p < end ? brk : 0);
	return UTIL_CSV_RECORD;
}

void util_csv_row_release(util_csv_row *row)
{
	free(row->fields);
	free(row->text);
	row->fields = NULL;
	row->text = NULL;
	row->n = row->text_cap = row->field_cap = 0;
}
