/*
 * lib/webhooks.c: the local checks (nothing sent when they fail) and the wire
 * form of subscribe, unsubscribe, get and list against a scripted server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "ontraport.h"
#include "mock_http.h"

static void test_names(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(ontra_webhook_event_name(ONTRA_EVENT_OBJECT_CREATE), "object_create");
	assert_string_equal(ontra_webhook_event_name(ONTRA_EVENT_SUB_TAG), "sub_tag");
	assert_string_equal(ontra_webhook_event_name(ONTRA_EVENT_UNSUB_TAG), "unsub_tag");
	assert_string_equal(ontra_webhook_event_name(ONTRA_EVENT_SUBMITS_FORM),
	                    "object_submits_form");
	assert_null(ontra_webhook_event_name((ontra_webhook_event)9));
	assert_string_equal(ontra_webhook_format_name(ONTRA_WEBHOOK_FULL), "full");
	assert_string_equal(ontra_webhook_format_name(ONTRA_WEBHOOK_LIGHTWEIGHT), "lightweight");
	assert_null(ontra_webhook_format_name((ontra_webhook_format)-1));

	assert_int_equal(ontra_webhook_event_string(buf, sizeof buf, ONTRA_EVENT_OBJECT_CREATE, 0),
	                 0);
	assert_string_equal(buf, "object_create(0)");
	assert_int_equal(ontra_webhook_event_string(buf, sizeof buf, ONTRA_EVENT_SUBMITS_FORM, 12),
	                 0);
	assert_string_equal(buf, "object_submits_form(12)");
	assert_int_equal(ontra_webhook_event_string(buf, sizeof buf, ONTRA_EVENT_SUB_TAG, 0),
	                 ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "invalid tag id 0 for sub_tag"));
	assert_int_equal(ontra_webhook_event_string(buf, 8, ONTRA_EVENT_SUB_TAG, 3),
	                 ONTRA_EINVALID);
}

static void refused(const ontra_webhook_options *o, const char *part)
{
	ontra_client *c = mock_client("http://127.0.0.1:9/1");
	ontra_client_stats st;
	json_t *out = (json_t *)1;

	assert_int_equal(ontra_webhook_subscribe(&out, c, o), ONTRA_EINVALID);
	assert_null(out);
	if (!strstr(ontra_error_last()->message, part))
		fail_msg("'%s' lacks '%s'", ontra_error_last()->message, part);
	ontra_client_stats_get(c, &st);
	assert_int_equal(st.requests, 0);
	ontra_client_free(c);
}

static void test_refused_locally(void **state)
{
	ontra_webhook_options o = ONTRA_WEBHOOK_OPTIONS_INIT;

	(void)state;
	refused(&o, "missing webhook url");
	o.url = "example.com/hook";
	refused(&o, "expected an http:// or https:// url");
	o.url = "http://x/a b";
	refused(&o, "blanks or control characters");
	o.url = "https://hooks.example/op";
	o.event = ONTRA_EVENT_UNSUB_TAG;
	refused(&o, "invalid tag id 0 for unsub_tag");
	o.event = ONTRA_EVENT_OBJECT_CREATE;
	o.target = -1;
	refused(&o, "invalid object type id -1");
	o.target = 0;
	o.format = (ontra_webhook_format)7;
	refused(&o, "invalid webhook data format 7");
	o.format = ONTRA_WEBHOOK_FULL;
	o.version = 0;
	refused(&o, "ONTRA_WEBHOOK_OPTIONS_INIT");
}

static void test_subscribe_wire(void **state)
{
	static const char *const replies[] = {
	    "{\"code\":0,\"data\":{\"url\":\"https://hooks.example/op\",\"event\":\"sub_tag(3)\","
	    "\"id\":2,\"owner\":\"1\"},\"account_id\":187157}",
	    "{\"code\":0,\"data\":{\"url\":\"https://hooks.example/"
	    "op\",\"event\":\"object_create(0)\","
	    "\"id\":3,\"owner\":\"1\"},\"account_id\":187157}",
	    "{\"code\":0,\"data\":{\"ok\":1},\"account_id\":187157}", NULL};
	ontra_webhook_options o = ONTRA_WEBHOOK_OPTIONS_INIT;
	mock_http m;
	ontra_client *c;
	json_t *out;

	(void)state;
	assert_int_equal(mock_start(&m, replies), 0);
	c = mock_client(m.base_url);
	o.url = "https://hooks.example/op";
	o.event = ONTRA_EVENT_SUB_TAG;
	o.target = 3;
	o.format = ONTRA_WEBHOOK_LIGHTWEIGHT;
	assert_int_equal(ontra_webhook_subscribe(&out, c, &o), 0);
	assert_int_equal(json_integer_value(json_object_get(out, "id")), 2);
	json_decref(out);
	o.event = ONTRA_EVENT_OBJECT_CREATE;
	o.target = 0;
	o.format = ONTRA_WEBHOOK_FULL;
	assert_int_equal(ontra_webhook_subscribe(&out, c, &o), 0);
	json_decref(out);
	/* A reply without an id is not a subscription. */
	assert_int_equal(ontra_webhook_subscribe(&out, c, &o), ONTRA_EBADRESPONSE);
	assert_null(out);
	ontra_client_free(c);
	mock_stop(&m);
	assert_string_equal(m.reqs[0].method, "POST");
	assert_string_equal(m.reqs[0].target, "/1/Webhook/subscribe");
	assert_string_equal(m.reqs[0].content_type, "application/x-www-form-urlencoded");
	assert_string_equal(m.reqs[0].body,
	                    "url=https%3A%2F%2Fhooks.example%2Fop&event=sub_tag%283%29"
	                    "&data=%7B%22format%22%3A%22lightweight%22%7D");
	/* The full format sends no data option. */
	assert_string_equal(m.reqs[1].body,
	                    "url=https%3A%2F%2Fhooks.example%2Fop&event=object_create%280%29");
	mock_free(&m);
}

static int count_cb(json_t *w, void *ud)
{
	(void)w;
	(*(int *)ud)++;
	return 0;
}

static int stop_cb(json_t *w, void *ud)
{
	(void)w;
	(void)ud;
	return 1;
}

static void test_unsubscribe_get_list(void **state)
{
	util_buf page = UTIL_BUF_INIT;
	const char *replies[6];
	mock_http m;
	ontra_client *c;
	json_t *out;
	int i, n = 0;

	(void)state;
	util_buf_puts(&page, "{\"code\":0,\"data\":[");
	for (i = 0; i < 50; i++)
		util_buf_printf(&page, "%s{\"id\":\"%d\",\"event\":\"object_create(0)\"}",
		                i ? "," : "", i + 1);
	util_buf_puts(&page, "],\"account_id\":1,\"misc\":[]}");
	replies[0] = "{\"code\":0,\"data\":\"Deleted\",\"account_id\":187157}";
	replies[1] = "{\"code\":0,\"data\":{\"url\":\"google.com\",\"event\":\"object_create(0)\","
	             "\"id\":1,\"owner\":\"1\"},\"account_id\":187157}";
	replies[2] = page.data;
	replies[3] = "{\"code\":0,\"data\":[{\"id\":\"51\"}],\"account_id\":1,\"misc\":[]}";
	replies[4] = page.data;
	replies[5] = NULL;
	assert_int_equal(mock_start(&m, replies), 0);
	c = mock_client(m.base_url);
	assert_int_equal(ontra_webhook_unsubscribe(c, 2), 0);
	assert_int_equal(ontra_webhook_get(&out, c, 1), 0);
	assert_string_equal(json_string_value(json_object_get(out, "url")), "google.com");
	json_decref(out);
	assert_int_equal(ontra_webhook_list(c, count_cb, &n), 0);
	assert_int_equal(n, 51);
	assert_int_equal(ontra_webhook_list(c, stop_cb, NULL), ONTRA_EUSER);
	assert_int_equal(ontra_webhook_unsubscribe(c, 0), ONTRA_EINVALID);
	assert_int_equal(ontra_webhook_get(&out, c, -1), ONTRA_EINVALID);
	assert_int_equal(ontra_webhook_list(c, NULL, NULL), ONTRA_EINVALID);
	ontra_client_free(c);
	mock_stop(&m);
	assert_int_equal(m.nreqs, 5);
	assert_string_equal(m.reqs[0].method, "DELETE");
	assert_string_equal(m.reqs[0].target, "/1/Webhook/unsubscribe?id=2");
	assert_string_equal(m.reqs[1].target, "/1/Webhook?id=1");
	assert_string_equal(m.reqs[2].target, "/1/Webhooks?start=0&range=50");
	assert_string_equal(m.reqs[3].target, "/1/Webhooks?start=50&range=50");
	mock_free(&m);
	util_buf_release(&page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_refused_locally),
	    cmocka_unit_test(test_subscribe_wire),
	    cmocka_unit_test(test_unsubscribe_get_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
