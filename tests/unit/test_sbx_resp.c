/* Unit tests for src/sandbox/http/resp.c and jsontext.c: envelopes, text errors, JSON strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sbx_json.h"
#include "sbx_resp.h"

static void test_envelopes(void **state)
{
	sbx_resp r;

	(void)state;
	sbx_resp_init(&r);
	sbx_resp_envelope(&r, 187157, json_pack("{s:s}", "id", "8"), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "application/json");
	assert_string_equal(r.body.data,
	                    "{\"code\":0,\"data\":{\"id\":\"8\"},\"account_id\":187157}");

	sbx_resp_envelope(&r, 50, json_array(), SBX_ENV_MISC);
	assert_string_equal(r.body.data, "{\"code\":0,\"data\":[],\"account_id\":50,\"misc\":[]}");

	sbx_resp_envelope(&r, 50, json_string("Deleted"), 0);
	assert_string_equal(r.body.data, "{\"code\":0,\"data\":\"Deleted\",\"account_id\":50}");

	sbx_resp_envelope(&r, 50, NULL, SBX_ENV_NODATA);
	assert_string_equal(r.body.data, "{\"code\":0,\"account_id\":50}");

	sbx_resp_envelope_text(&r, 7, "[{\"id\":\"1\"}]", 12, SBX_ENV_MISC);
	assert_string_equal(r.body.data, "{\"code\":0,\"data\":[{\"id\":\"1\"}],\"account_id\":7,"
	                                 "\"misc\":[]}");

	sbx_resp_json(&r, json_pack("{s:i}", "requests", 3));
	assert_string_equal(r.body.data, "{\"requests\":3}");
	sbx_resp_release(&r);
}

static void test_text(void **state)
{
	sbx_resp r;
	sbx_err e = SBX_ERR_INIT;

	(void)state;
	sbx_resp_init(&r);
	sbx_resp_text(&r, 401, SBX_TEXT_401);
	assert_int_equal(r.status, 401);
	assert_string_equal(r.content_type, "text/plain; charset=UTF-8");
	assert_string_equal(r.body.data, "Your App ID and API Key do not authenticate.");
	sbx_resp_text(&r, 429, SBX_TEXT_429, 180L);
	assert_string_equal(r.body.data, "Too Many Requests - You have exceeded your maximum rate "
	                                 "limit of 180 requests per minute.");
	sbx_err_set(&e, 404, "Object not found: no %s with id %d", "Contact", 5);
	sbx_resp_err(&r, &e);
	assert_int_equal(r.status, 404);
	assert_string_equal(r.body.data, "Object not found: no Contact with id 5");
	e.status = 0;
	sbx_resp_err(&r, &e);
	assert_int_equal(r.status, 500);
	sbx_resp_release(&r);
}

static void test_headers(void **state)
{
	sbx_resp r;
	int i;

	(void)state;
	sbx_resp_init(&r);
	assert_int_equal(sbx_resp_header(&r, "X-Rate-Limit-Limit", "%d", 180), 0);
	assert_int_equal(sbx_resp_header(&r, "x-rate-limit-limit", "%d", 5), 0); /* replaces */
	assert_int_equal(r.nheaders, 1);
	assert_string_equal(sbx_resp_get_header(&r, "X-RATE-LIMIT-LIMIT"), "5");
	assert_null(sbx_resp_get_header(&r, "Allow"));
	for (i = 1; i < SBX_RESP_MAX_HEADERS; i++) {
		char name[16];
		snprintf(name, sizeof name, "X-H%d", i);
		assert_int_equal(sbx_resp_header(&r, name, "v"), 0);
	}
	assert_int_equal(sbx_resp_header(&r, "X-One-More", "v"), -1);
	assert_int_equal(sbx_resp_header(&r, "X-A-Header-Name-Far-Too-Long-To-Keep", "v"), -1);
	sbx_resp_release(&r);
}

static void put(const char *in, size_t n, const char *want)
{
	util_buf b = UTIL_BUF_INIT;
	json_t *parsed;

	assert_int_equal(sbx_json_put_string(&b, in, n), 0);
	assert_string_equal(b.data, want);
	parsed = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	assert_non_null(parsed); /* always valid JSON */
	json_decref(parsed);
	util_buf_release(&b);
}

static void test_json_strings(void **state)
{
	(void)state;
	put("plain", 5, "\"plain\"");
	put("", 0, "\"\"");
	put("q\"b\\s/", 6, "\"q\\\"b\\\\s/\"");
	put("a\nb\r\t\x01\x1f", 7, "\"a\\nb\\r\\t\\u0001\\u001f\"");
	put("nul\0x", 5, "\"nul\\u0000x\"");
	put("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80", 13,
	    "\"Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* bytes that are not UTF-8 become U+FFFD */
	put("a\xff"
	    "b",
	    3,
	    "\"a\xef\xbf\xbd"
	    "b\"");
	put("\xc3", 1, "\"\xef\xbf\xbd\"");
	put("\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""); /* a surrogate */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_envelopes),
	    cmocka_unit_test(test_text),
	    cmocka_unit_test(test_headers),
	    cmocka_unit_test(test_json_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
