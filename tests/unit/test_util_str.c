/* util/str.c and util/buf.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>

#include "util.h"

static void parse_ll(void **state)
{
	long long v;
	(void)state;
	assert_int_equal(util_parse_ll("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(util_parse_ll("-3", -5, 5, &v), 0);
	assert_int_equal(v, -3);
	assert_int_equal(util_parse_ll("", 0, 100, &v), -1);
	assert_int_equal(util_parse_ll(" 4", 0, 100, &v), -1);
	assert_int_equal(util_parse_ll("4x", 0, 100, &v), -1);
	assert_int_equal(util_parse_ll("101", 0, 100, &v), -1);
	assert_int_equal(util_parse_ll("99999999999999999999999", 0, 100, &v), -1);
}

static void nearest(void **state)
{
	const char *c[] = {"firstname", "lastname", "email", "office_phone"};
	(void)state;
	assert_string_equal(util_nearest("emial", c, 4), "email");
	assert_string_equal(util_nearest("frstname", c, 4), "firstname");
	assert_string_equal(util_nearest("first", c, 4), "firstname"); /* prefix */
	assert_null(util_nearest("zzzzzz", c, 4));
	assert_int_equal(util_edit_distance("kitten", "sitting", 10), 3);
	assert_int_equal(util_edit_distance("abc", "ABC", 10), 0);
}

static void mask(void **state)
{
	char out[16];
	(void)state;
	util_mask_secret("sk-test-0123456789abcdefSECRET42", out, sizeof out);
	assert_string_equal(out, "****ET42");
	util_mask_secret("Key5678", out, sizeof out);
	assert_string_equal(out, "********");
	util_mask_secret(NULL, out, sizeof out);
	assert_string_equal(out, "********");
}

static void utf8(void **state)
{
	(void)state;
	assert_true(util_utf8_valid("h\xc3\xa9llo", 6));
	assert_false(util_utf8_valid("\xc3", 1));
	assert_false(util_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	assert_false(util_utf8_valid("\xc0\xaf", 2));     /* overlong */
	assert_true(util_utf8_valid("\xf0\x9f\x98\x80", 4));
}

static void buf_cap(void **state)
{
	util_buf b = UTIL_BUF_INIT;
	(void)state;
	b.cap = 8;
	assert_int_equal(util_buf_puts(&b, "12345"), 0);
	assert_int_equal(util_buf_printf(&b, "%d", 678), 0);
	assert_string_equal(b.data, "12345678");
	assert_int_equal(util_buf_putc(&b, '9'), -1);
	assert_true(util_buf_failed(&b));
	assert_int_equal(b.len, 8);
	char *s = util_buf_detach(&b);
	assert_string_equal(s, "12345678");
	free(s);
	util_buf_release(&b);
}

static void trim_and_find(void **state)
{
	char s[] = "  hi there \n";
	(void)state;
	assert_string_equal(util_trim(s), "hi there");
	const char *h = "abcabd";
	assert_ptr_equal(util_memfind(h, 6, "abd", 3), h + 3);
	assert_null(util_memfind("abc", 3, "abcd", 4));
}

static void utc_dates(void **state)
{
	long long t;

	(void)state;
	assert_int_equal(util_parse_utc_date("2018-01-03", &t), 0);
	assert_int_equal(t, 1514937600);
	assert_int_equal(util_parse_utc_date("2018-01-03T00:42:20Z", &t), 0);
	assert_int_equal(t, 1514940140);
	assert_int_equal(util_parse_utc_date("2018-01-03 00:42", &t), 0);
	assert_int_equal(t, 1514940120);
	assert_int_equal(util_parse_utc_date("2018-02-30", &t), -1);
	assert_int_equal(util_parse_utc_date("2018-13-01", &t), -1);
	assert_int_equal(util_parse_utc_date("2018-1-3", &t), -1);
	assert_int_equal(util_parse_utc_date("2018-01-03X", &t), -1);
	assert_int_equal(util_parse_utc_date("1514940140", &t), -1);
	assert_int_equal(util_parse_utc_date("", &t), -1);
}

static void errf(void **state)
{
	char err[16];

	(void)state;
	assert_int_equal(util_errf(err, sizeof err, -7, "bad '%s'", "thing"), -7);
	assert_string_equal(err, "bad 'thing'");
	assert_int_equal(util_errf(err, sizeof err, -2, "%s", "a very long message indeed"), -2);
	assert_int_equal(strlen(err), sizeof err - 1);
	assert_int_equal(util_errf(NULL, 0, -3, "ignored"), -3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_ll),  cmocka_unit_test(nearest), cmocka_unit_test(mask),
	    cmocka_unit_test(utf8),      cmocka_unit_test(buf_cap), cmocka_unit_test(trim_and_find),
	    cmocka_unit_test(utc_dates), cmocka_unit_test(errf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
