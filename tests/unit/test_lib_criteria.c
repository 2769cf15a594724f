/* lib/criteria.c: the condition builder and the --where compiler. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ontraport.h"

static void expect(const char *where, const char *json)
{
	json_t *got = NULL, *want = json_loads(json, 0, NULL);
	int rc = ontra_where_parse(&got, where);

	assert_non_null(want);
	if (rc != 0)
		fail_msg("'%s' failed: %s", where, ontra_error_last()->message);
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_COMPACT);
		fail_msg("'%s' gave %s, want %s", where, g, json);
	}
	json_decref(got);
	json_decref(want);
}

static void expect_error(const char *where, const char *says)
{
	json_t *got = (json_t *)1;
	int rc = ontra_where_parse(&got, where);

	if (rc != ONTRA_EINVALID)
		fail_msg("'%s' was accepted", where);
	assert_null(got);
	if (!strstr(ontra_error_last()->message, says))
		fail_msg("'%s': message '%s' lacks '%s'", where, ontra_error_last()->message, says);
	assert_null(strchr(ontra_error_last()->message, '\n'));
}

#define F(x) "{\"field\":{\"field\":\"" x "\"}"

static void every_operator(void **state)
{
	(void)state;
	expect("email = 'a@b.com'",
	       "[" F("email") ",\"op\":\"=\",\"value\":{\"value\":\"a@b.com\"}}]");
	expect("status <> 6", "[" F("status") ",\"op\":\"<>\",\"value\":{\"value\":6}}]");
	expect("status != 6", "[" F("status") ",\"op\":\"<>\",\"value\":{\"value\":6}}]");
	expect("id > 5", "[" F("id") ",\"op\":\">\",\"value\":{\"value\":5}}]");
	expect("id < -5", "[" F("id") ",\"op\":\"<\",\"value\":{\"value\":-5}}]");
	expect("spent >= 1.5", "[" F("spent") ",\"op\":\">=\",\"value\":{\"value\":1.5}}]");
	expect("dlm <= 1700000000",
	       "[" F("dlm") ",\"op\":\"<=\",\"value\":{\"value\":1700000000}}]");
	expect("email like '%@example.com'",
	       "[" F("email") ",\"op\":\"LIKE\",\"value\":{\"value\":\"%@example.com\"}}]");
	expect("id IN (1, 2,3)", "[" F("id") ",\"op\":\"IN\",\"value\":{\"list\":[{\"value\":1},"
	                                     "{\"value\":2},{\"value\":3}]}}]");
	expect("city not in ('A', \"B\")",
	       "[" F("city") ",\"op\":\"NOT IN\",\"value\":{\"list\":"
	                     "[{\"value\":\"A\"},{\"value\":\"B\"}]}}]");
	expect("phone IS NULL", "[" F("phone") ",\"op\":\"IS\",\"value\":\"NULL\"}]");
	expect("phone is empty", "[" F("phone") ",\"op\":\"IS\",\"value\":\"NULL\"}]");
	expect("phone IS NOT NULL", "[" F("phone") ",\"op\":\"IS NOT EMPTY\"}]");
	expect("f1234//firstname = 'x'",
	       "[" F("f1234//firstname") ",\"op\":\"=\",\"value\":{\"value\":\"x\"}}]");
}

static void joins_and_quotes(void **state)
{
	(void)state;
	expect("email LIKE '%@example.com' AND status = 6 or id = 1",
	       "[" F("email") ",\"op\":\"LIKE\",\"value\":{\"value\":\"%@example.com\"}},"
	                      "\"AND\"," F("status") ",\"op\":\"=\",\"value\":{\"value\":6}},"
	                                             "\"OR\"," F("id") ",\"op\":\"=\",\"value\":{"
	                                                               "\"value\":1}}]");
	expect("lastname = 'O''Neil'",
	       "[" F("lastname") ",\"op\":\"=\",\"value\":{\"value\":\"O'Neil\"}}]");
	expect("lastname = 'O\\'Neil'",
	       "[" F("lastname") ",\"op\":\"=\",\"value\":{\"value\":\"O'Neil\"}}]");
	expect("  firstname='Ann Marie'  ",
	       "[" F("firstname") ",\"op\":\"=\",\"value\":{\"value\":\"Ann Marie\"}}]");
	/* keywords are whole words: a field named 'order' or 'android' is fine */
	expect("android = 1 AND order_x = 2",
	       "[" F("android") ",\"op\":\"=\",\"value\":{\"value\":1}},"
	                        "\"AND\"," F("order_x") ",\"op\":\"=\",\"value\":{\"value\":2}}]");
}

static void errors(void **state)
{
	(void)state;
	expect_error("", "empty");
	expect_error("   ", "empty");
	expect_error("email", "expected an operator");
	expect_error("email ~ 'x'", "expected an operator");
	expect_error("email = ", "expected a value");
	expect_error("email = bare", "expected a value");
	expect_error("email = 'open", "unterminated");
	expect_error("= 5", "expected a field name");
	expect_error("1abc = 5", "expected a field name");
	expect_error("a = 1 b = 2", "expected AND or OR");
	expect_error("a = 1 AND", "expected a field name");
	expect_error("(a = 1)", "parentheses");
	expect_error("a IN 1", "expected '('");
	expect_error("a IN (1, 2", "expected ',' or ')'");
	expect_error("a IS 5", "expected NULL or EMPTY");
	expect_error("a NOT LIKE 'x'", "expected IN after NOT");
	expect_error("a = 1.2.3", "expected a number");
	expect_error("a = 99999999999999999999", "out of range");
	expect_error("a = 12abc", "expected a number");
	expect_error("email = 'x' AND phone", "column 22");
}

static void builder(void **state)
{
	json_t *c = json_array();
	(void)state;
	assert_int_equal(ontra_condition_add(c, NULL, "email", "=", json_string("a@b.c")), 0);
	assert_int_equal(ontra_condition_add(c, "XOR", "id", "=", json_integer(1)), ONTRA_EINVALID);
	assert_int_equal(ontra_condition_add(c, "OR", "id", "~", json_integer(1)), ONTRA_EINVALID);
	assert_int_equal(ontra_condition_add(c, "OR", "id", "IN", json_integer(1)), ONTRA_EINVALID);
	assert_int_equal(ontra_condition_add(c, "OR", "id", "=", json_pack("[i]", 1)),
	                 ONTRA_EINVALID);
	assert_int_equal(ontra_condition_add(c, "OR", "id", "IN", json_pack("[i,i]", 1, 2)), 0);
	assert_int_equal(json_array_size(c), 3);
	json_decref(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_operator),
	    cmocka_unit_test(joins_and_quotes),
	    cmocka_unit_test(errors),
	    cmocka_unit_test(builder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
