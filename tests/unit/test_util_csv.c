/* util/csv.c: CSV records one at a time (RFC 4180), fed in pieces, with limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util.h"

/* Every record of s (fed whole, at eof), fields joined by '|', records by '\n'. */
static void records(const char *s, const char *want)
{
	util_csv_row row = UTIL_CSV_ROW_INIT;
	char got[1024] = "", err[128] = "";
	size_t off = 0, len = strlen(s), used, i, g = 0;
	int rc;

	while ((rc = util_csv_record(&row, s + off, len - off, 1, NULL, &used, err, sizeof err)) ==
	       UTIL_CSV_RECORD) {
		for (i = 0; i < row.n; i++)
			g += (size_t)snprintf(got + g, sizeof got - g, "%s%s", i ? "|" : "",
			                      row.fields[i]);
		g += (size_t)snprintf(got + g, sizeof got - g, "\n");
		off += used;
	}
	if (rc != UTIL_CSV_MORE || off != len)
		fail_msg("'%s': rc %d at %zu: %s", s, rc, off, err);
	assert_string_equal(got, want);
	util_csv_row_release(&row);
}

static void plain_and_quoted(void **state)
{
	(void)state;
	records("a,b,c\n1,2,3\n", "a|b|c\n1|2|3\n");
	records("a,b\r\n1,2\r\n", "a|b\n1|2\n");
	records("a,b\r1,2", "a|b\n1|2\n"); /* lone CR, no final line break */
	records("a,,\n", "a||\n");         /* empty fields */
	records("\n", "\n");               /* a blank line is one empty field */
	records("\"x,y\",\"say \"\"hi\"\"\"\n", "x,y|say \"hi\"\n");
	records("\"two\nlines\",z\n", "two\nlines|z\n");
	records("\"\",b\n", "|b\n");
	records("", "");
	records("é,ü\n", "é|ü\n");
}

static void errors(void **state)
{
	util_csv_row row = UTIL_CSV_ROW_INIT;
	util_csv_limits lim = {2, 16};
	char err[128];
	size_t used;

	(void)state;
	assert_int_equal(util_csv_record(&row, "a\"b\n", 4, 1, NULL, &used, err, sizeof err),
	                 UTIL_CSV_ESYNTAX);
	assert_non_null(strstr(err, "quote inside an unquoted field"));
	assert_int_equal(util_csv_record(&row, "\"a\"b\n", 5, 1, NULL, &used, err, sizeof err),
	                 UTIL_CSV_ESYNTAX);
	assert_non_null(strstr(err, "after a closing quote"));
	assert_int_equal(util_csv_record(&row, "\"abc", 4, 1, NULL, &used, err, sizeof err),
	                 UTIL_CSV_ESYNTAX);
	assert_non_null(strstr(err, "not closed"));
	assert_int_equal(util_csv_record(&row, "a\0b\n", 4, 1, NULL, &used, err, sizeof err),
	                 UTIL_CSV_EENCODING);
	assert_int_equal(util_csv_record(&row, "\xff\n", 2, 1, NULL, &used, err, sizeof err),
	                 UTIL_CSV_EENCODING);
	assert_int_equal(util_csv_record(&row, "a,b,c\n", 6, 1, &lim, &used, err, sizeof err),
	                 UTIL_CSV_ELIMIT);
	assert_non_null(strstr(err, "too many fields"));
	assert_int_equal(
	    util_csv_record(&row, "aaaaaaaaaaaaaaaaaaaaa\n", 22, 1, &lim, &used, err, sizeof err),
	    UTIL_CSV_ELIMIT);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(row.n, 0);
	util_csv_row_release(&row);
}

/* Bytes that end inside a record ask for more; the same record then reads whole. */
static void pieces(void **state)
{
	util_csv_row row = UTIL_CSV_ROW_INIT;
	const char *s = "\"a\"\"b\",c\r\nd\n";
	char err[64];
	size_t used, k;

	(void)state;
	for (k = 0; k < 10; k++)
		assert_int_equal(util_csv_record(&row, s, k, 0, NULL, &used, err, sizeof err),
		                 UTIL_CSV_MORE);
	/* "...c\r" without eof: the CR may be half of CRLF */
	assert_int_equal(util_csv_record(&row, s, 10, 0, NULL, &used, err, sizeof err),
	                 UTIL_CSV_RECORD);
	assert_int_equal(used, 10);
	assert_string_equal(row.fields[0], "a\"b");
	assert_int_equal(util_csv_record(&row, s + 10, 1, 0, NULL, &used, err, sizeof err),
	                 UTIL_CSV_MORE);
	assert_int_equal(util_csv_record(&row, s + 10, 1, 1, NULL, &used, err, sizeof err),
	                 UTIL_CSV_RECORD);
	assert_string_equal(row.fields[0], "d");
	util_csv_row_release(&row);
	util_csv_row_release(&row); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_and_quoted),
	    cmocka_unit_test(errors),
	    cmocka_unit_test(pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
