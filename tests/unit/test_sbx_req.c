/* Unit tests for src/sandbox/http/req.c: one parameter object from query + body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sbx_req.h"

static void body(sbx_req *r, const char *ctype, const char *b)
{
	if (ctype)
		sbx_req_add_header(r, "Content-Type", ctype);
	util_buf_puts(&r->body, b);
}

static const char *str(sbx_req *r, const char *key)
{
	return json_string_value(json_object_get(r->params, key));
}

static void test_query_only(void **state)
{
	sbx_req r;
	sbx_err e = SBX_ERR_INIT;

	(void)state;
	sbx_req_init(&r, 0);
	r.query = "objectID=0&ids[0]=1&ids[1]=2&name=a+b%26c";
	assert_int_equal(sbx_req_parse_params(&r, &e), 0);
	assert_string_equal(str(&r, "objectID"), "0");
	assert_int_equal(json_array_size(json_object_get(r.params, "ids")), 2);
	assert_string_equal(str(&r, "name"), "a b&c");
	sbx_req_release(&r);

	sbx_req_init(&r, 0); /* no query, no body: an empty object */
	assert_int_equal(sbx_req_parse_params(&r, &e), 0);
	assert_int_equal(json_object_size(r.params), 0);
	sbx_req_release(&r);
}

static void test_json_body_over_query(void **state)
{
	sbx_req r;
	sbx_err e = SBX_ERR_INIT;

	(void)state;
	sbx_req_init(&r, 0);
	r.query = "objectID=1&keep=yes";
	body(&r, "application/json; charset=utf-8", "{\"objectID\":0,\"ids\":[8],\"n\":null}");
	assert_int_equal(sbx_req_parse_params(&r, &e), 0);
	assert_int_equal(json_integer_value(json_object_get(r.params, "objectID")), 0);
	assert_string_equal(str(&r, "keep"), "yes");
	assert_true(json_is_array(json_object_get(r.params, "ids")));
	sbx_req_release(&r);
}

static void test_form_body(void **state)
{
	sbx_req r;
	sbx_err e = SBX_ERR_INIT;

	(void)state;
	sbx_req_init(&r, 0);
	body(&r, "Application/X-WWW-Form-Urlencoded", "objectID=0&email=mary%40example.com");
	assert_int_equal(sbx_req_parse_params(&r, &e), 0);
	assert_string_equal(str(&r, "email"), "mary@example.com");
	sbx_req_release(&r);
}

static void test_sniffed_bodies(void **state)
{
	sbx_req r;
	sbx_err e = SBX_ERR_INIT;

	(void)state;
	sbx_req_init(&r, 0); /* no Content-Type, JSON */
	body(&r, NULL, " {\"a\":\"1\"}\n");
	assert_int_equal(sbx_req_parse_params(&r, &e), 0);
	assert_string_equal(str(&r, "a"), "1");
	sbx_req_release(&r);

	sbx_req_init(&r, 0); /* text/plain, a form */
	body(&r, "text/plain", "a=2&b=3");
	assert_int_equal(sbx_req_parse_params(&r, &e), 0);
	assert_string_equal(str(&r, "a"), "2");
	sbx_req_release(&r);

	sbx_req_init(&r, 0); /* blank bodies add nothing, whatever the type says */
	body(&r, "application/json", " \r\n");
	assert_int_equal(sbx_req_parse_params(&r, &e), 0);
	sbx_req_release(&r);
}

static void test_bad_bodies(void **state)
{
	static const struct {
		const char *ctype, *body, *text;
	} cases[] = {
	    {"application/json", "{\"a\":", "Malformed JSON body: "},
	    {"application/json", "[1,2]", "Invalid JSON body: expected an object of parameters"},
	    {"application/json", "{\"a\":1,\"a\":2}", "Malformed JSON body: "},
	    {"application/x-www-form-urlencoded",
	     "a[b][c][d][e][f][g][h][i][j][k][l][m][n][o][p][q]"
	     "[r]=1",
	     "Invalid form body: "},
	    {NULL, "\xff\xfe", "Invalid body: not valid UTF-8"},
	};
	sbx_req r;
	sbx_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		sbx_req_init(&r, 0);
		body(&r, cases[i].ctype, cases[i].body);
		e.status = 0;
		assert_int_equal(sbx_req_parse_params(&r, &e), -1);
		assert_int_equal(e.status, 400);
		assert_true(strncmp(e.text, cases[i].text, strlen(cases[i].text)) == 0);
		assert_null(r.params);
		sbx_req_release(&r);
	}
}

static void test_json_depth(void **state)
{
	char deep[300];
	sbx_req r;
	sbx_err e = SBX_ERR_INIT;
	int i, n;

	(void)state;
	/* {"a": 63 nested arrays} is 64 levels: fine; one more is not */
	for (n = 63; n <= 64; n++) {
		size_t w = 0;
		w += (size_t)snprintf(deep, sizeof deep, "{\"a\":");
		for (i = 0; i < n; i++)
			deep[w++] = '[';
		for (i = 0; i < n; i++)
			deep[w++] = ']';
		deep[w++] = '}';
		deep[w] = '\0';
		sbx_req_init(&r, 0);
		body(&r, "application/json", deep);
		assert_int_equal(sbx_req_parse_params(&r, &e), n == 63 ? 0 : -1);
		sbx_req_release(&r);
	}
	assert_string_equal(e.text, "Invalid JSON body: nested deeper than 64 levels");
}

static void test_headers_and_args(void **state)
{
	sbx_req r;
	sbx_err e = SBX_ERR_INIT;
	int i;

	(void)state;
	sbx_req_init(&r, 0);
	assert_int_equal(sbx_req_add_header(&r, "api-KEY", "k"), 0);
	assert_string_equal(sbx_req_header(&r, "Api-Key"), "k");
	assert_null(sbx_req_header(&r, "Api-Appid"));
	for (i = 1; i < SBX_MAX_HEADERS; i++)
		assert_int_equal(sbx_req_add_header(&r, "X", "y"), 0);
	assert_int_equal(sbx_req_add_header(&r, "One-Too-Many", "y"), -1);
	assert_true(r.headers_overflow);

	assert_int_equal(sbx_req_add_arg(&r, "ids", "1"), 0);
	assert_int_equal(sbx_req_add_arg(&r, "ids", "2"), 0); /* repeats are kept */
	assert_int_equal(sbx_req_add_arg(&r, "flag", NULL), 0);
	assert_int_equal(r.nargs, 3);
	for (i = 3; i < SBX_MAX_ARGS; i++)
		assert_int_equal(sbx_req_add_arg(&r, "a", "b"), 0);
	assert_int_equal(sbx_req_add_arg(&r, "a", "b"), -1);
	assert_int_equal(sbx_req_parse_params(&r, &e), -1);
	assert_string_equal(e.text, "Too many query parameters (at most 10000)");
	sbx_req_release(&r);
}

static void test_body_cap(void **state)
{
	sbx_req r;

	(void)state;
	sbx_req_init(&r, 4);
	assert_int_equal(util_buf_append(&r.body, "abcd", 4), 0);
	assert_int_equal(util_buf_append(&r.body, "e", 1), -1);
	assert_true(r.body.overflow);
	sbx_req_release(&r);
}

static void test_clip(void **state)
{
	char out[80];

	(void)state;
	assert_string_equal(sbx_clip("a\nb\tc", out, sizeof out), "a?b?c");
	assert_string_equal(sbx_clip(NULL, out, sizeof out), "");
	sbx_clip("0123456789012345678901234567890123456789012345678901234567890123456789", out,
	         sizeof out);
	assert_int_equal(strlen(out), 63);
	assert_string_equal(out + 60, "...");
	/* a cut never splits a UTF-8 character */
	sbx_clip("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	         "\xc3\xa9\xc3\xa9",
	         out, sizeof out);
	assert_int_equal(strlen(out), 63);
	/* ... and drops a character the limit cuts in two */
	sbx_clip("01234567890123456789012345678901234567890123456789012345678\xe2\x82\xac", out,
	         sizeof out);
	assert_int_equal(strlen(out), 62);
	assert_string_equal(out + 56, "678...");
	sbx_clip("abc", out, 3);
	assert_string_equal(out, "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_query_only),
	    cmocka_unit_test(test_json_body_over_query),
	    cmocka_unit_test(test_form_body),
	    cmocka_unit_test(test_sniffed_bodies),
	    cmocka_unit_test(test_bad_bodies),
	    cmocka_unit_test(test_json_depth),
	    cmocka_unit_test(test_headers_and_args),
	    cmocka_unit_test(test_body_cap),
	    cmocka_unit_test(test_clip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
