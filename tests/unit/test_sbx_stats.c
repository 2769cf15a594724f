/* Unit tests for src/sandbox/http/stats.c: counters and the recent-request log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sbx_stats.h"

static void record(sbx_stats *s, const char *path, int status)
{
	sbx_req_record r = {"GET", path,   "objectID=0",    NULL, NULL,
	                    0,     status, 1700000000000LL, 0.25};

	sbx_stats_request(s, &r);
}

static void test_counters(void **state)
{
	sbx_stats *s = sbx_stats_new(0);
	json_t *j;
	char *text;

	(void)state;
	assert_non_null(s);
	sbx_stats_connection(s);
	record(s, "/1/Contacts", 200);
	record(s, "/1/Contacts", 200);
	record(s, "/1/Contacts", 429);
	record(s, "/1/x", 404);
	j = sbx_stats_json(s);
	text = json_dumps(j, JSON_COMPACT);
	assert_string_equal(text, "{\"requests\":4,\"by_status\":{\"200\":2,\"404\":1,\"429\":1},"
	                          "\"connections\":1,\"rate_limited\":1}");
	free(text);
	json_decref(j);
	sbx_stats_reset(s);
	j = sbx_stats_json(s);
	text = json_dumps(j, JSON_COMPACT);
	assert_string_equal(text, "{\"requests\":0,\"by_status\":{},\"connections\":0,"
	                          "\"rate_limited\":0}");
	free(text);
	json_decref(j);
	sbx_stats_free(s);
	sbx_stats_free(NULL);
}

static void test_log_ring(void **state)
{
	sbx_stats *s = sbx_stats_new(3);
	json_t *j, *reqs;
	char path[32];
	int i;

	(void)state;
	for (i = 1; i <= 5; i++) {
		snprintf(path, sizeof path, "/1/p%d", i);
		record(s, path, 200);
	}
	j = sbx_stats_log_json(s, 100); /* only 3 kept: p3, p4, p5, oldest first */
	reqs = j;
	assert_int_equal(json_array_size(reqs), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(reqs, 0), "path")),
	                    "/1/p3");
	assert_string_equal(json_string_value(json_object_get(json_array_get(reqs, 2), "path")),
	                    "/1/p5");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(reqs, 2), "us")), 250);
	json_decref(j);
	j = sbx_stats_log_json(s, 1);
	reqs = j;
	assert_int_equal(json_array_size(reqs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(reqs, 0), "path")),
	                    "/1/p5");
	json_decref(j);
	sbx_stats_free(s);
}

static void test_log_caps_and_binary(void **state)
{
	sbx_stats *s = sbx_stats_new(10);
	static char big[5000];
	sbx_req_record r = {
	    "POST", "/1/\xff\x01path", NULL, "application/json", big, sizeof big - 1, 200, 0, 0};
	json_t *j, *e;

	(void)state;
	memset(big, 'x', sizeof big - 1);
	sbx_stats_request(s, &r);
	r.body = "\xff\xfe";
	r.body_len = 2;
	sbx_stats_request(s, &r);
	j = sbx_stats_log_json(s, 10);
	e = json_array_get(j, 0);
	assert_int_equal(json_string_length(json_object_get(e, "body")), SBX_LOG_BODY_MAX);
	assert_int_equal(json_integer_value(json_object_get(e, "body_bytes")), 4999);
	assert_string_equal(json_string_value(json_object_get(e, "path")), "/1/?\x01path");
	assert_string_equal(json_string_value(json_object_get(e, "query")), "");
	e = json_array_get(j, 1);
	assert_string_equal(json_string_value(json_object_get(e, "body")), "");
	assert_int_equal(json_integer_value(json_object_get(e, "body_bytes")), 2);
	json_decref(j);
	sbx_stats_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counters),
	    cmocka_unit_test(test_log_ring),
	    cmocka_unit_test(test_log_caps_and_binary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
