/*
 * lib/call.c: checking a response as the API promises it. Statuses map to
 * error codes with the server's text in one line; a 2xx must be the JSON
 * envelope {code: 0, data}; a garbled 2xx to a safe request is asked again;
 * a failed create says it was not repeated; get-by-id and id checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ontraport.h"
#include "mock_http.h"

/* One call against a server answering (status, body); returns its code. */
static int call_one(int status, const char *body, const char *method, json_t **out,
                    unsigned long *requests)
{
	const char *replies[] = {body, NULL};
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_client_stats st;
	ontra_client *c;
	mock_http m;
	int rc;

	assert_int_equal(mock_start(&m, replies), 0);
	m.statuses[0] = status;
	c = mock_client_retry(m.base_url, ONTRA_RETRIES_NONE, 0);
	req.method = method;
	req.path = "/Contacts";
	rc = ontra_call(out, c, &req);
	ontra_client_stats_get(c, &st);
	if (requests)
		*requests = st.requests;
	mock_stop(&m);
	mock_free(&m);
	ontra_client_free(c);
	return rc;
}

static void expect(int status, const char *body, int want, const char *part)
{
	json_t *out = (json_t *)1;
	int rc = call_one(status, body, "GET", &out, NULL);

	if (rc != want)
		fail_msg("%d %s: got %d (%s), expected %d", status, body, rc,
		         ontra_error_last()->message, want);
	assert_null(out);
	if (part && !strstr(ontra_error_last()->message, part))
		fail_msg("%d: '%s' lacks '%s'", status, ontra_error_last()->message, part);
	assert_int_equal(ontra_error_last()->http_status, status);
}

static void test_status_codes(void **state)
{
	(void)state;
	expect(401, "{\"message\":\"Invalid key\"}", ONTRA_EAUTH,
	       "the server answered 401: Invalid key");
	expect(403, "Forbidden", ONTRA_EFORBIDDEN, "403: Forbidden");
	expect(404, "{\"data\":\"no such object\"}", ONTRA_ENOTFOUND, "404: no such object");
	expect(410, "", ONTRA_ENOTFOUND, "410: (empty body)");
	expect(400, "bad\nsecond line", ONTRA_EINVALID, "400: bad");
	expect(422, "x", ONTRA_EINVALID, "422: x");
	expect(429, "slow down", ONTRA_ERATELIMIT, "429: slow down");
	expect(500, "<html><title>Internal Error</title></html>", ONTRA_ESERVER,
	       "500: Internal Error (an HTML page)");
	expect(503, "<html>down</html>", ONTRA_ESERVER, "503: (an HTML page)");
	expect(302, "", ONTRA_EBADRESPONSE, "the server answered 302 redirecting");
	/* The server's body is kept for the caller. */
	expect(400, "field x is bad", ONTRA_EINVALID, NULL);
	assert_int_equal(ontra_error_last()->body_len, 14);
	assert_memory_equal(ontra_error_last()->body, "field x is bad", 14);
	/* Only the first line, control characters blanked. */
	expect(400, "a\tb\nc", ONTRA_EINVALID, "400: a b");
	assert_null(strstr(ontra_error_last()->message, "c"));
}

static void test_long_text_truncated(void **state)
{
	char body[600];

	(void)state;
	memset(body, 'x', sizeof body - 1);
	body[sizeof body - 1] = '\0';
	expect(400, body, ONTRA_EINVALID, "xxx...");
	assert_true(strlen(ontra_error_last()->message) < 260);
}

static void test_envelope(void **state)
{
	json_t *out = NULL;

	(void)state;
	assert_int_equal(
	    call_one(200, "{\"code\":0,\"data\":{\"id\":3},\"account_id\":1}", "GET", &out, NULL),
	    0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "data"), "id")),
	                 3);
	json_decref(out);
	expect(200, "not json", ONTRA_EBADRESPONSE, "the server's response is not JSON");
	expect(200, "", ONTRA_EBADRESPONSE, "(empty body)");
	expect(200, "[1,2]", ONTRA_EBADRESPONSE, "no {code, data} envelope");
	expect(200, "{\"data\":1}", ONTRA_EBADRESPONSE, "no {code, data} envelope");
	expect(200, "{\"code\":\"0\"}", ONTRA_EBADRESPONSE, "no {code, data} envelope");
	expect(200, "{\"code\":1,\"data\":\"x\"}", ONTRA_ESERVER, "the server answered code 1");
}

/*
 * ontra_call_text against ontra_call_data on the same answer: the same code
 * and message; on success the same data, as the server's own bytes when the
 * scan vouches for them (in_body), else laid out by jansson.
 */
static void text_like_data(int status, const char *body, const char *want_text, int in_body)
{
	const char *replies[] = {body, body, NULL};
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_response *r = (ontra_response *)1;
	const char *text = "x";
	char msg[512];
	json_t *data = NULL;
	ontra_client *c;
	mock_http m;
	size_t len = 9;
	int rc_data, rc_text;

	assert_int_equal(mock_start(&m, replies), 0);
	m.statuses[0] = m.statuses[1] = status;
	c = mock_client_retry(m.base_url, ONTRA_RETRIES_NONE, 0);
	req.path = "/Contacts";
	rc_data = ontra_call_data(&data, c, &req);
	snprintf(msg, sizeof msg, "%s", rc_data < 0 ? ontra_error_last()->message : "");
	rc_text = ontra_call_text(&r, &text, &len, c, &req);
	if (rc_text != rc_data || (rc_text < 0 && strcmp(msg, ontra_error_last()->message) != 0))
		fail_msg("%s: text %d '%s', data %d '%s'", body, rc_text,
		         ontra_error_last()->message, rc_data, msg);
	if (rc_text < 0) {
		assert_null(r);
		assert_null(text);
		assert_int_equal(len, 0);
	} else {
		json_t *back = json_loadb(text, len, JSON_DECODE_ANY, NULL);
		assert_true(json_equal(back, data));
		json_decref(back);
		if (want_text && (len != strlen(want_text) || memcmp(text, want_text, len) != 0))
			fail_msg("%s: text '%.*s', expected '%s'", body, (int)len, text, want_text);
		assert_int_equal(text >= r->body && text < r->body + r->body_len, in_body);
	}
	ontra_response_free(r);
	json_decref(data);
	mock_stop(&m);
	mock_free(&m);
	ontra_client_free(c);
}

static void test_call_text(void **state)
{
	(void)state;
	/* vouched for: the server's bytes, white space between tokens taken out */
	text_like_data(200,
	               "{\"code\":0,\"data\":{\"id\":\"3\",\"n\":\"\\u00e9\\/\"},\"account_id\":1}",
	               "{\"id\":\"3\",\"n\":\"\\u00e9\\/\"}", 1);
	text_like_data(200, "{ \"code\" : -0 ,\n \"data\" : [ 1 , 2.50 ] }", "[1,2.50]", 0);
	text_like_data(200, "{\"code\":0}", "null", 0);
	text_like_data(200, "{\"code\":0,\"data\":{\"a\":1,\"a\":2}}", "{\"a\":1,\"a\":2}", 1);
	/* not vouched for: jansson's check and layout, as before */
	text_like_data(200, "{\"code\":0,\"data\":{\"n\":9223372036854775807}}",
	               "{\"n\":9223372036854775807}", 0);
	text_like_data(200, "{\"code\":0,\"data\":1,\"data\":2}", "2", 0);
	text_like_data(200, "{\"co\\u0064e\":0,\"data\":\"\\u00e9\"}", "\"\xc3\xa9\"", 0);
	/* refused exactly as ontra_call refuses */
	text_like_data(200, "{\"code\":0,\"data\":{\"n\":1e999}}", NULL, 0);
	text_like_data(200, "{\"code\":0,\"code\":1,\"data\":2}", NULL, 0);
	text_like_data(200, "{\"code\":0,\"da", NULL, 0);
	text_like_data(200, "[1]", NULL, 0);
	text_like_data(200, "{\"code\":1,\"data\":\"x\"}", NULL, 0);
	text_like_data(200, "{\"code\":0.0,\"data\":\"x\"}", NULL, 0);
	text_like_data(200, "{\"code\":0,\"data\":\"\\ud800\"}", NULL, 0);
	text_like_data(404, "{\"code\":0,\"data\":\"x\"}", NULL, 0);
	text_like_data(500, "oops", NULL, 0);
}

static void test_malformed_retried(void **state)
{
	static const char *const replies[] = {"{\"code\":0,\"da", "{\"code\":0,\"data\":7}", NULL};
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_client_stats st;
	ontra_client *c;
	json_t *data = NULL;
	unsigned long n = 0;
	mock_http m;

	(void)state;
	/* A cut-short 2xx to a GET is asked again and the second answer used. */
	assert_int_equal(mock_start(&m, replies), 0);
	c = mock_client_retry(m.base_url, 1, 0);
	req.path = "/Contacts";
	assert_int_equal(ontra_call_data(&data, c, &req), 0);
	assert_int_equal(json_integer_value(data), 7);
	ontra_client_stats_get(c, &st);
	assert_int_equal(st.requests, 2);
	assert_int_equal(st.retries, 1);
	json_decref(data);
	mock_stop(&m);
	mock_free(&m);
	ontra_client_free(c);

	/* Not for a create, and not with ONTRA_RETRIES_NONE. */
	data = (json_t *)1;
	assert_int_equal(call_one(200, "{\"code\":0,\"da", "POST", &data, &n), ONTRA_EBADRESPONSE);
	assert_int_equal(n, 1);
	assert_null(data);
}

static void test_failed_create_says_not_repeated(void **state)
{
	json_t *out = (json_t *)1;
	unsigned long n = 0;

	(void)state;
	assert_int_equal(call_one(502, "bad gateway", "POST", &out, &n), ONTRA_ESERVER);
	assert_int_equal(n, 1);
	assert_non_null(strstr(ontra_error_last()->message, "502: bad gateway"));
	assert_non_null(strstr(ontra_error_last()->message, "it was not repeated"));
	assert_int_equal(ontra_error_last()->http_status, 502);
	/* A GET says no such thing. */
	assert_int_equal(call_one(502, "bad gateway", "GET", &out, &n), ONTRA_ESERVER);
	assert_null(strstr(ontra_error_last()->message, "not repeated"));
}

static void test_call_data_and_verify(void **state)
{
	static const char *const replies[] = {
	    "{\"code\":0,\"account_id\":1}", "{\"code\":0,\"data\":{\"0\":{}}}",
	    "{\"code\":0,\"data\":[1]}", "{\"code\":0,\"data\":{\"id\":\"5\"}}", NULL};
	ontra_request req = ONTRA_REQUEST_INIT;
	json_t *data = NULL;
	mock_http m;
	ontra_client *c;

	(void)state;
	assert_int_equal(mock_start(&m, replies), 0);
	c = mock_client(m.base_url);
	req.method = "DELETE";
	req.path = "/object?id=1";
	/* No data member: json null, not an error. */
	assert_int_equal(ontra_call_data(&data, c, &req), 0);
	assert_true(json_is_null(data));
	json_decref(data);
	assert_int_equal(ontra_client_verify(c), 0);
	/* get-by-id refuses a reply that is not an object. */
	data = (json_t *)1;
	assert_int_equal(ontra__get_by_id(&data, c, "Rule", "rule", 5), ONTRA_EBADRESPONSE);
	assert_null(data);
	assert_non_null(strstr(ontra_error_last()->message, "holds no rule"));
	assert_int_equal(ontra__get_by_id(&data, c, "Rule", "rule", 5), 0);
	assert_string_equal(json_string_value(json_object_get(data, "id")), "5");
	json_decref(data);
	/* Refused locally: nothing sent. */
	assert_int_equal(ontra__get_by_id(&data, c, "Rule", "rule", 0), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message,
	                       "invalid rule id 0: expected a positive whole number"));
	assert_int_equal(ontra__check_id(-3, "tag"), ONTRA_EINVALID);
	assert_int_equal(ontra__check_id(1, "tag"), 0);
	mock_stop(&m);
	assert_int_equal(m.nreqs, 4);
	assert_string_equal(m.reqs[1].target, "/1/objects/meta?objectID=0&format=byId");
	assert_string_equal(m.reqs[2].target, "/1/Rule?id=5");
	mock_free(&m);
	ontra_client_free(c);
}

static void test_verify_auth(void **state)
{
	static const char *const replies[] = {"{\"message\":\"bad key\"}", NULL};
	mock_http m;
	ontra_client *c;

	(void)state;
	assert_int_equal(mock_start(&m, replies), 0);
	m.statuses[0] = 401;
	c = mock_client(m.base_url);
	assert_int_equal(ontra_client_verify(c), ONTRA_EAUTH);
	assert_non_null(strstr(ontra_error_last()->message, "401: bad key"));
	mock_stop(&m);
	mock_free(&m);
	ontra_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_codes),
	    cmocka_unit_test(test_long_text_truncated),
	    cmocka_unit_test(test_envelope),
	    cmocka_unit_test(test_call_text),
	    cmocka_unit_test(test_malformed_retried),
	    cmocka_unit_test(test_failed_create_says_not_repeated),
	    cmocka_unit_test(test_call_data_and_verify),
	    cmocka_unit_test(test_verify_auth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
