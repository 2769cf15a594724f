/*
 * The transport keeps its connection alive: N requests through one client
 * handle open one TCP connection, counted both by the client and by the
 * sandbox (which counts the connections it accepts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

static sandbox_proc sp;

static int setup(void **state)
{
	(void)state;
	return sandbox_start(&sp, NULL);
}

static int teardown(void **state)
{
	(void)state;
	sandbox_stop(&sp);
	return 0;
}

static void fifty_requests_one_connection(void **state)
{
	ontra_client *c = sandbox_client(&sp);
	ontra_client_stats st;
	json_t *before = sandbox_control(&sp, "GET", "stats"), *after;
	int i;

	(void)state;
	assert_non_null(before);
	for (i = 0; i < 50; i++) {
		ontra_request req = ONTRA_REQUEST_INIT;
		json_t *data = NULL;
		req.path = "/Contacts";
		assert_int_equal(ontra_call_data(&data, c, &req), 0);
		assert_true(json_is_array(data));
		json_decref(data);
	}
	ontra_client_stats_get(c, &st);
	assert_int_equal(st.requests, 50);
	assert_int_equal(st.connections, 1);
	/*
	 * The sandbox counts the TCP connections it accepts. Between the two
	 * reads of its stats: this client's one connection, and the connection
	 * of the second read itself (each control read uses a fresh client).
	 */
	after = sandbox_control(&sp, "GET", "stats");
	assert_non_null(after);
	assert_int_equal(json_integer_value(json_object_get(after, "requests")) -
	                     json_integer_value(json_object_get(before, "requests")),
	                 50);
	assert_int_equal(json_integer_value(json_object_get(after, "connections")) -
	                     json_integer_value(json_object_get(before, "connections")),
	                 2);
	json_decref(before);
	json_decref(after);
	ontra_client_free(c);
}

static void two_handles_two_connections(void **state)
{
	ontra_client *a = sandbox_client(&sp), *b = sandbox_client(&sp);
	ontra_client_stats sa, sb;
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		ontra_request req = ONTRA_REQUEST_INIT;
		json_t *d = NULL;
		req.path = "/Contacts";
		assert_int_equal(ontra_call_data(&d, i % 2 ? a : b, &req), 0);
		json_decref(d);
	}
	ontra_client_stats_get(a, &sa);
	ontra_client_stats_get(b, &sb);
	assert_int_equal(sa.connections, 1);
	assert_int_equal(sb.connections, 1);
	ontra_client_free(a);
	ontra_client_free(b);
}

static void envelope_and_errors(void **state)
{
	ontra_client *c = sandbox_client(&sp);
	ontra_request req = ONTRA_REQUEST_INIT;
	ontra_rate_limit rl;
	json_t *env = NULL;
	const ontra_error *e;

	(void)state;
	req.path = "/Contacts";
	assert_int_equal(ontra_call(&env, c, &req), 0);
	assert_int_equal(json_integer_value(json_object_get(env, "code")), 0);
	assert_true(json_is_integer(json_object_get(env, "account_id")));
	json_decref(env);
	ontra_client_rate_limit(c, &rl);
	assert_int_equal(rl.limit, 180);
	assert_true(rl.remaining >= 0 && rl.remaining < 180);
	assert_true(rl.reset >= 0);

	req.path = "/object?objectID=0&id=424242";
	assert_int_equal(ontra_call(&env, c, &req), ONTRA_ENOTFOUND);
	assert_null(env);
	e = ontra_error_last();
	assert_int_equal(e->code, ONTRA_ENOTFOUND);
	assert_int_equal(e->http_status, 404);
	assert_non_null(e->body);
	ontra_client_free(c);

	/* A wrong key: ONTRA_EAUTH, with the server's plain-text body kept. */
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	o.base_url = sp.base_url;
	o.app_id = sp.app_id;
	o.api_key = "wrong";
	assert_int_equal(ontra_client_new(&c, &o), 0);
	req.path = "/Contacts";
	assert_int_equal(ontra_call(&env, c, &req), ONTRA_EAUTH);
	e = ontra_error_last();
	assert_int_equal(e->http_status, 401);
	assert_string_equal(e->body, "Your App ID and API Key do not authenticate.");
	assert_int_equal(ontra_client_verify(c), ONTRA_EAUTH);
	ontra_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fifty_requests_one_connection),
	    cmocka_unit_test(two_handles_two_connections),
	    cmocka_unit_test(envelope_and_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
