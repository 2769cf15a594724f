/* lib/params.c: parameter lists, command-line pairs and header lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "util.h"
#include "internal.h"

static void pairs(void **state)
{
	ontra_params *p;
	(void)state;
	assert_int_equal(ontra_params_new(&p), 0);
	assert_int_equal(ontra_params_add_pair(p, "a=1"), 0);
	assert_int_equal(ontra_params_add_pair(p, "b="), 0);
	assert_int_equal(ontra_params_add_pair(p, "c=x=y"), 0);
	assert_int_equal(ontra_params_add_pair(p, "noequals"), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "'noequals'"));
	assert_int_equal(ontra_params_add_pair(p, "=v"), ONTRA_EINVALID);
	assert_int_equal(ontra_params_count(p), 3);
	assert_string_equal(ontra_params_get(p, "c"), "x=y");
	assert_string_equal(ontra_params_get(p, "b"), "");
	assert_null(ontra_params_get(p, "zz"));
	assert_int_equal(ontra_params_set(p, "a", "2"), 0);
	assert_int_equal(ontra_params_count(p), 3);
	assert_string_equal(ontra_params_get(p, "a"), "2");
	ontra_params_free(p);
}

static void headers(void **state)
{
	ontra_params *p;
	(void)state;
	assert_int_equal(ontra_params_new(&p), 0);
	assert_int_equal(ontra_params_add_header(p, "X-Trace:  abc  "), 0);
	assert_string_equal(ontra_params_get(p, "X-Trace"), "abc");
	assert_int_equal(ontra_params_add_header(p, "Empty:"), 0);
	assert_int_equal(ontra_params_add_header(p, "NoColon"), ONTRA_EINVALID);
	assert_int_equal(ontra_params_add_header(p, ": v"), ONTRA_EINVALID);
	assert_int_equal(ontra_params_add_header(p, "Bad Name: v"), ONTRA_EINVALID);
	assert_int_equal(ontra_params_add_header(p, "X: a\r\nInjected: 1"), ONTRA_EINVALID);
	assert_int_equal(ontra_params_count(p), 2);
	ontra_params_free(p);
}

static void encode(void **state)
{
	ontra_params *p;
	util_buf b = UTIL_BUF_INIT;
	(void)state;
	assert_int_equal(ontra_params_new(&p), 0);
	ontra_params_add(p, "email", "a+b@example.com");
	ontra_params_add(p, "name", "Ann Marie & Co");
	ontra_params_add_int(p, "id", -5);
	assert_int_equal(ontra__params_encode(p, &b), 0);
	assert_string_equal(b.data, "email=a%2Bb%40example.com&name=Ann%20Marie%20%26%20Co&id=-5");
	util_buf_release(&b);
	ontra_params_free(p);
}

static void client_options(void **state)
{
	ontra_client *c = (ontra_client *)1;
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	(void)state;
	assert_int_equal(ontra_client_new(&c, &o), ONTRA_EINVALID);
	assert_null(c);
	o.app_id = "a";
	o.api_key = "k\nInjected: 1";
	assert_int_equal(ontra_client_new(&c, &o), ONTRA_EINVALID);
	o.api_key = "k";
	o.base_url = "ftp://x";
	assert_int_equal(ontra_client_new(&c, &o), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "'ftp://x'"));
	o.base_url = "http://127.0.0.1:1/1///";
	assert_int_equal(ontra_client_new(&c, &o), 0);
	assert_string_equal(ontra_client_base_url(c), "http://127.0.0.1:1/1");
	ontra_client_free(c);
	o.base_url = NULL;
	assert_int_equal(ontra_client_new(&c, &o), 0);
	assert_string_equal(ontra_client_base_url(c), ONTRA_DEFAULT_BASE_URL);
	ontra_client_free(c);
	o.version = 99;
	assert_int_equal(ontra_client_new(&c, &o), ONTRA_EINVALID);
}

static void error_names(void **state)
{
	(void)state;
	assert_string_equal(ontra_error_name(ONTRA_EAUTH), "auth");
	assert_string_equal(ontra_error_name(ONTRA_ERATELIMIT), "rate limited");
	assert_string_equal(ontra_error_name(ONTRA_EFORBIDDEN), "forbidden");
	ontra_error_clear();
	assert_int_equal(ontra_error_last()->code, 0);
	assert_string_equal(ontra_error_last()->message, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pairs),       cmocka_unit_test(headers),
	    cmocka_unit_test(encode),      cmocka_unit_test(client_options),
	    cmocka_unit_test(error_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
