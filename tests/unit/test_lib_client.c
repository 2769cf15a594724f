/*
 * lib/client.c: option checks (each refusal names what was wrong), defaults,
 * the base URL's trailing slashes, shares, counters, and a custom user agent
 * on the wire.
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

static void refused(const ontra_client_options *o, const char *part)
{
	ontra_client *c = (ontra_client *)1;

	assert_int_equal(ontra_client_new(&c, o), ONTRA_EINVALID);
	assert_null(c);
	if (!strstr(ontra_error_last()->message, part))
		fail_msg("'%s' lacks '%s'", ontra_error_last()->message, part);
}

static void test_refused_options(void **state)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_client *c = (ontra_client *)1;

	(void)state;
	assert_int_equal(ontra_client_new(&c, NULL), ONTRA_EINVALID);
	assert_null(c);
	refused(&o, "missing app id");
	o.app_id = "a\r\nX-Evil: 1";
	refused(&o, "missing app id: expected a non-empty value without line breaks");
	o.app_id = "app";
	refused(&o, "missing api key");
	o.api_key = "k\n";
	refused(&o, "missing api key");
	o.api_key = "key";
	o.base_url = "ftp://x.example";
	refused(&o, "invalid base url 'ftp://x.example': expected http:// or https://");
	o.base_url = "https://x.example/1?q=1";
	refused(&o, "expected no spaces, query or fragment");
	o.base_url = "https://";
	refused(&o, "no host");
	o.base_url = "http://x.example";
	o.user_agent = "ua\r\n";
	refused(&o, "invalid user agent");
	o.user_agent = NULL;
	o.version = 99;
	refused(&o, "client options version 99 unsupported (expected 1..6)");
	o.version = 0;
	refused(&o, "unsupported");
}

static void test_defaults(void **state)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_client_stats st;
	ontra_rate_limit rl;
	ontra_client *c = NULL;

	(void)state;
	o.app_id = "app";
	o.api_key = "key";
	if (ontra_client_new(&c, &o) != 0)
		fail_msg("%s", ontra_error_last()->message);
	assert_string_equal(ontra_client_base_url(c), ONTRA_DEFAULT_BASE_URL);
	assert_int_equal(c->connect_timeout_ms, 10000);
	assert_int_equal(c->timeout_ms, 60000);
	assert_int_equal(c->max_response_size, 64u * 1024u * 1024u);
	assert_int_equal(c->max_retries, 5);
	assert_int_equal(c->retry_max_ms, 120000);
	assert_non_null(c->pacer);
	assert_string_equal(c->user_agent, "libontraport/" ONTRA_VERSION);
	ontra_client_rate_limit(c, &rl);
	assert_int_equal(rl.limit, -1);
	assert_int_equal(rl.remaining, -1);
	assert_int_equal(rl.reset, -1);
	ontra_client_stats_get(c, &st);
	assert_int_equal(st.requests + st.connections + st.retries + st.paced + st.rate_limited, 0);
	ontra_client_free(c);
	ontra_client_free(NULL);
	c = mock_client("http://127.0.0.1:9/1/");
	assert_string_equal(ontra_client_base_url(c), "http://127.0.0.1:9/1");
	assert_int_equal(c->timeout_ms, 5000);
	ontra_client_free(c);
}

static void test_options_applied(void **state)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_client *c = NULL;

	(void)state;
	o.base_url = "http://127.0.0.1:9/api///";
	o.app_id = "app";
	o.api_key = "key";
	o.max_retries = 1000; /* capped at 100 */
	o.retry_max_ms = 5;
	o.connect_timeout_ms = 7;
	o.timeout_ms = 8;
	o.max_response_size = 9;
	o.no_pacing = 1;
	if (ontra_client_new(&c, &o) != 0)
		fail_msg("%s", ontra_error_last()->message);
	assert_string_equal(ontra_client_base_url(c), "http://127.0.0.1:9/api");
	assert_int_equal(c->max_retries, 100);
	assert_int_equal(c->retry_max_ms, 5);
	assert_int_equal(c->connect_timeout_ms, 7);
	assert_int_equal(c->timeout_ms, 8);
	assert_int_equal(c->max_response_size, 9);
	assert_null(c->pacer);
	ontra_client_free(c);

	/* Version 1 options: the version-2 fields are not read. */
	o.version = 1;
	if (ontra_client_new(&c, &o) != 0)
		fail_msg("%s", ontra_error_last()->message);
	assert_int_equal(c->max_retries, 5);
	assert_int_equal(c->retry_max_ms, 120000);
	assert_non_null(c->pacer);
	ontra_client_free(c);

	/* Version 4: max_retries 0 means the default; ONTRA_RETRIES_NONE none. */
	o.version = ONTRA_CLIENT_OPTIONS_VERSION;
	o.max_retries = 0;
	if (ontra_client_new(&c, &o) != 0)
		fail_msg("%s", ontra_error_last()->message);
	assert_int_equal(c->max_retries, 5);
	ontra_client_free(c);
	o.max_retries = ONTRA_RETRIES_NONE;
	if (ontra_client_new(&c, &o) != 0)
		fail_msg("%s", ontra_error_last()->message);
	assert_int_equal(c->max_retries, 0);
	ontra_client_free(c);

	/* Before version 4: 0 means none; -1 the default. */
	o.version = 3;
	o.max_retries = 0;
	if (ontra_client_new(&c, &o) != 0)
		fail_msg("%s", ontra_error_last()->message);
	assert_int_equal(c->max_retries, 0);
	ontra_client_free(c);
	o.max_retries = -1;
	if (ontra_client_new(&c, &o) != 0)
		fail_msg("%s", ontra_error_last()->message);
	assert_int_equal(c->max_retries, 5);
	ontra_client_free(c);
}

static void test_share(void **state)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_client *a = NULL, *b = NULL;
	ontra_share *s = NULL;

	(void)state;
	if (ontra_share_new(&s) != 0)
		fail_msg("%s", ontra_error_last()->message);
	o.app_id = "app";
	o.api_key = "key";
	o.share = s;
	if (ontra_client_new(&a, &o) != 0 || ontra_client_new(&b, &o) != 0)
		fail_msg("%s", ontra_error_last()->message);
	/* One pacer for both: they keep to the account's limit together. */
	assert_ptr_equal(a->pacer, s->pacer);
	assert_ptr_equal(b->pacer, s->pacer);
	ontra_client_free(a);
	ontra_client_free(b);
	ontra_share_free(s);
	ontra_share_free(NULL);
}

static void test_user_agent_and_counters(void **state)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_response *r = NULL;
	ontra_client_stats st;
	ontra_client *c = NULL;
	char ua[128];
	mock_http m;

	(void)state;
	assert_int_equal(mock_start(&m, NULL), 0);
	m.statuses[0] = 429;
	o.base_url = m.base_url;
	o.app_id = "app";
	o.api_key = "key";
	o.user_agent = "my-tool/2";
	o.max_retries = ONTRA_RETRIES_NONE;
	if (ontra_client_new(&c, &o) != 0)
		fail_msg("%s", ontra_error_last()->message);
	req.path = "/a";
	assert_int_equal(ontra_send(&r, c, &req), 0);
	ontra_response_free(r);
	assert_int_equal(ontra_send(&r, c, &req), 0);
	ontra_response_free(r);
	mock_stop(&m);
	mock_header(m.reqs[0].head, strlen(m.reqs[0].head), "User-Agent", ua, sizeof ua);
	assert_string_equal(ua, "my-tool/2");
	ontra_client_stats_get(c, &st);
	assert_int_equal(st.requests, 2);
	assert_int_equal(st.connections, 2); /* the mock closes each connection */
	assert_int_equal(st.rate_limited, 1);
	assert_int_equal(st.retries, 0);
	mock_free(&m);
	ontra_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refused_options),         cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_options_applied),         cmocka_unit_test(test_share),
	    cmocka_unit_test(test_user_agent_and_counters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
