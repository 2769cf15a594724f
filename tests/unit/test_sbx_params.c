/* Unit tests for src/sandbox/http/params.c: every spelling clients use (reference §1.6). */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"
#include "sbx_params.h"

/* Parameters as a form/query string would give them. */
static json_t *form(const char *s)
{
	json_t *p = NULL;

	assert_int_equal(util_form_decode(&p, s, strlen(s), NULL, NULL, 0), 0);
	return p;
}

/* Parameters as a JSON body would give them. */
static json_t *js(const char *s)
{
	json_t *p = json_loads(s, 0, NULL);

	assert_non_null(p);
	return p;
}

static void expect_ids(json_t *params, const long long *want, size_t n)
{
	sbx_ids ids = SBX_IDS_INIT;
	sbx_err e = SBX_ERR_INIT;
	size_t i;

	assert_int_equal(sbx_param_ids(params, "ids", SBX_REQUIRED, &ids, &e), 0);
	assert_int_equal(ids.n, n);
	for (i = 0; i < n; i++)
		assert_int_equal(ids.v[i], want[i]);
	sbx_ids_release(&ids);
	json_decref(params);
}

static void test_ids_all_spellings(void **state)
{
	static const long long one_two_three[] = {1, 2, 3}, seven_eight[] = {7, 8}, nine[] = {9};

	(void)state;
	expect_ids(form("ids=1,2,3"), one_two_three, 3);
	expect_ids(form("ids=1%2C+2+%2C3"), one_two_three, 3);
	expect_ids(form("ids=1,,2,3,"), one_two_three, 3);
	expect_ids(js("{\"ids\":[1,\"2\",3]}"), one_two_three, 3);
	expect_ids(js("{\"ids\":\"1,2,3\"}"), one_two_three, 3);
	expect_ids(form("ids[0]=1&ids[1]=2&ids[2]=3"), one_two_three, 3);
	expect_ids(form("ids[]=7&ids[]=8"), seven_eight, 2);
	expect_ids(form("ids[3]=7&ids[9]=8"), seven_eight, 2);
	expect_ids(form("ids=%5B7%2C8%5D"), seven_eight, 2); /* ids=[7,8] in a form field */
	expect_ids(js("{\"ids\":9}"), nine, 1);
	expect_ids(js("{\"ids\":9.0}"), nine, 1);
}

static void test_ids_errors(void **state)
{
	sbx_ids ids = SBX_IDS_INIT;
	sbx_err e = SBX_ERR_INIT;
	json_t *p;

	(void)state;
	p = form("ids=1,a");
	assert_int_equal(sbx_param_ids(p, "ids", SBX_OPTIONAL, &ids, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.text, "Invalid ids 'a': expected whole numbers separated by commas");
	json_decref(p);

	p = form("ids=-4");
	assert_int_equal(sbx_param_ids(p, "ids", SBX_OPTIONAL, &ids, &e), -1);
	json_decref(p);

	p = js("{\"ids\":[1,{\"x\":1}]}");
	assert_int_equal(sbx_param_ids(p, "ids", SBX_OPTIONAL, &ids, &e), -1);
	assert_string_equal(e.text, "Invalid ids '{\"x\":1}': expected a list of values");
	json_decref(p);

	p = form("ids=%5B1%2C");
	assert_int_equal(sbx_param_ids(p, "ids", SBX_OPTIONAL, &ids, &e), -1);
	assert_string_equal(e.text, "Invalid ids: malformed JSON array");
	json_decref(p);

	/* absent, empty, or only commas: absent (1), or missing when required */
	p = form("ids=&x=1");
	assert_int_equal(sbx_param_ids(p, "ids", SBX_OPTIONAL, &ids, &e), 1);
	assert_int_equal(sbx_param_ids(p, "nope", SBX_OPTIONAL, &ids, &e), 1);
	assert_int_equal(sbx_param_ids(p, "ids", SBX_REQUIRED, &ids, &e), -1);
	assert_string_equal(e.text, "Missing required parameter 'ids'");
	json_decref(p);
	p = form("ids=,,");
	assert_int_equal(sbx_param_ids(p, "ids", SBX_OPTIONAL, &ids, &e), 1);
	json_decref(p);
	assert_null(ids.v);
}

static void test_list_strings(void **state)
{
	sbx_err e = SBX_ERR_INIT;
	json_t *p = form("listFields=id,+firstname,email"), *l;

	(void)state;
	assert_int_equal(sbx_param_list(p, "listFields", SBX_OPTIONAL, &l, &e), 0);
	assert_int_equal(json_array_size(l), 3);
	assert_string_equal(json_string_value(json_array_get(l, 1)), "firstname");
	json_decref(l);
	json_decref(p);
	p = js("{\"add_names\":[\"VIP\",\"Webinar, 2024\"]}");
	assert_int_equal(sbx_param_list(p, "add_names", SBX_OPTIONAL, &l, &e), 0);
	assert_string_equal(json_string_value(json_array_get(l, 1)), "Webinar, 2024");
	json_decref(l);
	json_decref(p);
}

static void test_bools(void **state)
{
	static const char *const yes[] = {"{\"b\":true}", "{\"b\":1}", "{\"b\":\"1\"}",
	                                  "{\"b\":\"true\"}", "{\"b\":\"TRUE\"}"};
	static const char *const no[] = {"{\"b\":false}", "{\"b\":0}", "{\"b\":\"0\"}",
	                                 "{\"b\":\"False\"}"};
	sbx_err e = SBX_ERR_INIT;
	json_t *p;
	size_t i;
	int b;

	(void)state;
	for (i = 0; i < sizeof yes / sizeof *yes; i++) {
		p = js(yes[i]);
		b = -1;
		assert_int_equal(sbx_param_bool(p, "b", SBX_REQUIRED, &b, &e), 0);
		assert_int_equal(b, 1);
		json_decref(p);
	}
	for (i = 0; i < sizeof no / sizeof *no; i++) {
		p = js(no[i]);
		b = -1;
		assert_int_equal(sbx_param_bool(p, "b", SBX_REQUIRED, &b, &e), 0);
		assert_int_equal(b, 0);
		json_decref(p);
	}
	p = form("ignore_blanks=yes&x=");
	assert_int_equal(sbx_param_bool(p, "ignore_blanks", SBX_OPTIONAL, &b, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.text, "Invalid ignore_blanks 'yes': expected 1, 0, true or false");
	b = 7;
	assert_int_equal(sbx_param_bool(p, "x", SBX_OPTIONAL, &b, &e), 1);
	assert_int_equal(b, 7);
	json_decref(p);
	p = js("{\"b\":2}");
	assert_int_equal(sbx_param_bool(p, "b", SBX_OPTIONAL, &b, &e), -1);
	json_decref(p);
}

static void test_ints(void **state)
{
	sbx_err e = SBX_ERR_INIT;
	long long n = -1;
	json_t *p;

	(void)state;
	p = form("objectID=0&id=12&start=&range=500&bad=abc&neg=-1&big=99999999999999999999");
	assert_int_equal(sbx_param_int(p, "objectID", SBX_REQUIRED, LLONG_MIN, LLONG_MAX, &n, &e),
	                 0);
	assert_int_equal(n, 0);
	assert_int_equal(sbx_param_int(p, "id", SBX_REQUIRED, 0, LLONG_MAX, &n, &e), 0);
	assert_int_equal(n, 12);
	n = 5;
	assert_int_equal(sbx_param_int(p, "start", SBX_OPTIONAL, 0, LLONG_MAX, &n, &e), 1);
	assert_int_equal(n, 5);
	assert_int_equal(sbx_param_int(p, "bad", SBX_OPTIONAL, LLONG_MIN, LLONG_MAX, &n, &e), -1);
	assert_string_equal(e.text, "Invalid bad 'abc': expected a whole number");
	assert_int_equal(sbx_param_int(p, "neg", SBX_OPTIONAL, 0, LLONG_MAX, &n, &e), -1);
	assert_string_equal(e.text, "Invalid neg '-1': expected a whole number >= 0");
	assert_int_equal(sbx_param_int(p, "range", SBX_OPTIONAL, 0, 50, &n, &e), -1);
	assert_string_equal(e.text, "Invalid range '500': expected a whole number from 0 to 50");
	assert_int_equal(sbx_param_int(p, "big", SBX_OPTIONAL, LLONG_MIN, LLONG_MAX, &n, &e), -1);
	assert_int_equal(sbx_param_int(p, "gone", SBX_REQUIRED, 0, 1, &n, &e), -1);
	assert_string_equal(e.text, "Missing required parameter 'gone'");
	json_decref(p);

	p = form("objectID=abc");
	assert_int_equal(sbx_param_int(p, "objectID", SBX_REQUIRED, LLONG_MIN, LLONG_MAX, &n, &e),
	                 -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.text, "Invalid objectID 'abc': expected a whole number");
	json_decref(p);

	p = js("{\"a\":7,\"b\":7.0,\"c\":7.5,\"d\":true,\"e\":\" 7\",\"f\":\"7x\"}");
	assert_int_equal(sbx_param_int(p, "a", SBX_REQUIRED, 0, 10, &n, &e), 0);
	assert_int_equal(n, 7);
	assert_int_equal(sbx_param_int(p, "b", SBX_REQUIRED, 0, 10, &n, &e), 0);
	assert_int_equal(sbx_param_int(p, "c", SBX_REQUIRED, 0, 10, &n, &e), -1);
	assert_int_equal(sbx_param_int(p, "d", SBX_REQUIRED, 0, 10, &n, &e), -1);
	assert_int_equal(sbx_param_int(p, "e", SBX_REQUIRED, 0, 10, &n, &e), -1);
	assert_int_equal(sbx_param_int(p, "f", SBX_REQUIRED, 0, 10, &n, &e), -1);
	json_decref(p);
}

static void test_strings(void **state)
{
	sbx_err e = SBX_ERR_INIT;
	const char *s = NULL;
	json_t *p = js("{\"a\":\"x\",\"n\":42,\"r\":1.5,\"t\":true,\"o\":{},\"e\":\"\"}");

	(void)state;
	assert_int_equal(sbx_param_str(p, "a", SBX_REQUIRED, &s, &e), 0);
	assert_string_equal(s, "x");
	assert_int_equal(sbx_param_str(p, "n", SBX_REQUIRED, &s, &e), 0);
	assert_string_equal(s, "42");
	assert_int_equal(sbx_param_str(p, "r", SBX_REQUIRED, &s, &e), 0);
	assert_string_equal(s, "1.5");
	assert_int_equal(sbx_param_str(p, "t", SBX_REQUIRED, &s, &e), 0);
	assert_string_equal(s, "true");
	assert_int_equal(sbx_param_str(p, "e", SBX_REQUIRED, &s, &e), 0); /* "" is a value here */
	assert_string_equal(s, "");
	assert_int_equal(sbx_param_str(p, "o", SBX_REQUIRED, &s, &e), -1);
	assert_string_equal(e.text, "Invalid o '{}': expected a string");
	assert_int_equal(sbx_param_str(p, "zz", SBX_OPTIONAL, &s, &e), 1);
	json_decref(p);
}

static void test_json_or_value(void **state)
{
	sbx_err e = SBX_ERR_INIT;
	json_t *p, *v;
	char deep[200];
	int i;

	(void)state;
	/* condition URL-encoded into the query string */
	p = form(
	    "condition=%5B%7B%22field%22%3A%7B%22field%22%3A%22email%22%7D%2C%22op%22%3A%22%3D%22"
	    "%2C%22value%22%3A%7B%22value%22%3A%22a%40b.com%22%7D%7D%5D");
	assert_int_equal(sbx_param_json(p, "condition", SBX_OPTIONAL, &v, &e), 0);
	assert_true(json_is_array(v));
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(json_array_get(v, 0), "field"), "field")),
	                    "email");
	json_decref(v);
	json_decref(p);

	/* condition as a JSON value inside a JSON body */
	p = js("{\"condition\":[{\"op\":\"IS\",\"value\":\"NULL\"}]}");
	assert_int_equal(sbx_param_json(p, "condition", SBX_OPTIONAL, &v, &e), 0);
	assert_true(json_is_array(v));
	json_decref(v);
	json_decref(p);

	/* a legacy SQL-like condition stays a string */
	p = form("condition=email+%3D+%27a%40b.com%27");
	assert_int_equal(sbx_param_json(p, "condition", SBX_OPTIONAL, &v, &e), 0);
	assert_string_equal(json_string_value(v), "email = 'a@b.com'");
	json_decref(v);
	json_decref(p);

	p = form("condition=%5B%7B");
	assert_int_equal(sbx_param_json(p, "condition", SBX_OPTIONAL, &v, &e), -1);
	assert_int_equal(e.status, 400);
	assert_true(strncmp(e.text, "Invalid condition: malformed JSON", 33) == 0);
	json_decref(p);

	/* 65 levels of nesting */
	for (i = 0; i < 65; i++)
		deep[i] = '[';
	for (i = 0; i < 65; i++)
		deep[65 + i] = ']';
	deep[130] = '\0';
	p = json_pack("{s:s}", "condition", deep);
	assert_int_equal(sbx_param_json(p, "condition", SBX_OPTIONAL, &v, &e), -1);
	assert_string_equal(e.text, "Invalid condition: nested deeper than 64 levels");
	json_decref(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ids_all_spellings),
	    cmocka_unit_test(test_ids_errors),
	    cmocka_unit_test(test_list_strings),
	    cmocka_unit_test(test_bools),
	    cmocka_unit_test(test_ints),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_json_or_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
