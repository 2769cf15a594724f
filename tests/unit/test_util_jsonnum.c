/* util/jsonnum.c: integers beyond int64 kept as strings of their exact digits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void quoted(const char *in, const char *want)
{
	size_t n = 0;
	char *got = util_json_quote_bigints(in, strlen(in), &n);

	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(n, strlen(want));
	free(got);
}

static void quotes_only_big_integers(void **state)
{
	(void)state;
	quoted("{\"a\":9223372036854775807,\"b\":-9223372036854775808}",
	       "{\"a\":9223372036854775807,\"b\":-9223372036854775808}");
	quoted("{\"a\":9223372036854775808,\"b\":-9223372036854775809}",
	       "{\"a\":\"9223372036854775808\",\"b\":\"-9223372036854775809\"}");
	quoted("[123456789012345678901234567890,1.5e400,12345678901234567890.5]",
	       "[\"123456789012345678901234567890\",1.5e400,12345678901234567890.5]");
	/* Inside strings (escaped quotes too) nothing changes; nor does an invalid token. */
	quoted("{\"k\\\"99999999999999999999\":\"99999999999999999999\"}",
	       "{\"k\\\"99999999999999999999\":\"99999999999999999999\"}");
	quoted("[099999999999999999999]", "[099999999999999999999]");
}

static void loads_keep_exact_digits(void **state)
{
	const char *text = "{\"n\":123456789012345678901234567890,\"small\":5,\"s\":\"x\"}";
	json_error_t je;
	json_t *v;

	(void)state;
	v = util_json_loadb(text, strlen(text), 0, &je);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "n")),
	                    "123456789012345678901234567890");
	assert_int_equal(json_integer_value(json_object_get(v, "small")), 5);
	json_decref(v);
	/* Other errors are jansson's own, unchanged. */
	assert_null(util_json_loadb("{\"a\":1", 6, 0, &je));
	assert_non_null(strstr(je.text, "expected"));
	assert_null(util_json_loadb("[0123456789012345678901]", 24, 0, &je));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(quotes_only_big_integers),
	    cmocka_unit_test(loads_keep_exact_digits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
