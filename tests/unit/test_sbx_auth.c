/* Unit tests for src/sandbox/http/auth.c: both headers, any case, and the control token. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sbx_auth.h"

static int check(const char *h1, const char *v1, const char *h2, const char *v2)
{
	sbx_req r;
	int ok;

	sbx_req_init(&r, 0);
	if (h1)
		sbx_req_add_header(&r, h1, v1);
	if (h2)
		sbx_req_add_header(&r, h2, v2);
	ok = sbx_auth_api(&r, "2_AppID_12345678", "Key5678");
	sbx_req_release(&r);
	return ok;
}

static void test_api_headers(void **state)
{
	(void)state;
	assert_true(check("Api-Key", "Key5678", "Api-Appid", "2_AppID_12345678"));
	assert_true(check("Api-key", "Key5678", "api-appid", "2_AppID_12345678"));
	assert_false(check("Api-Key", "Key5678", NULL, NULL));
	assert_false(check(NULL, NULL, "Api-Appid", "2_AppID_12345678"));
	assert_false(check(NULL, NULL, NULL, NULL));
	assert_false(check("Api-Key", "Key567", "Api-Appid", "2_AppID_12345678"));
	assert_false(check("Api-Key", "Key56789", "Api-Appid", "2_AppID_12345678"));
	assert_false(check("Api-Key", "Key5678", "Api-Appid", "2_AppID_1234567"));
	/* the pair must belong together: swapped values do not pass */
	assert_false(check("Api-Key", "2_AppID_12345678", "Api-Appid", "Key5678"));
	assert_false(check("Api-Key", "", "Api-Appid", ""));
}

static void test_control_token(void **state)
{
	sbx_req r;

	(void)state;
	sbx_req_init(&r, 0);
	assert_false(sbx_auth_control(&r, "tok"));
	sbx_req_add_header(&r, "x-sandbox-token", "tok");
	assert_true(sbx_auth_control(&r, "tok"));
	assert_false(sbx_auth_control(&r, "tok2"));
	assert_false(sbx_auth_control(&r, ""));
	assert_false(sbx_auth_control(&r, NULL));
	sbx_req_release(&r);
}

static void test_secret_eq(void **state)
{
	(void)state;
	assert_true(sbx_secret_eq("", ""));
	assert_true(sbx_secret_eq("abc", "abc"));
	assert_false(sbx_secret_eq("abc", "abd"));
	assert_false(sbx_secret_eq("ab", "abc"));
	assert_false(sbx_secret_eq("abcd", "abc"));
	assert_false(sbx_secret_eq("", "a"));
}

static void test_random_token(void **state)
{
	char a[33], b[33], small[10];
	size_t i;

	(void)state;
	assert_int_equal(sbx_random_token(a, sizeof a), 0);
	assert_int_equal(sbx_random_token(b, sizeof b), 0);
	assert_int_equal(strlen(a), 32);
	for (i = 0; i < 32; i++)
		assert_true(isxdigit((unsigned char)a[i]) && !isupper((unsigned char)a[i]));
	assert_string_not_equal(a, b);
	assert_int_equal(sbx_random_token(small, sizeof small), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_api_headers),
	    cmocka_unit_test(test_control_token),
	    cmocka_unit_test(test_secret_eq),
	    cmocka_unit_test(test_random_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
