/*
 * Out-of-memory walks in process: each test runs one library call failing
 * its 1st, 2nd, ... allocation in turn (tests/unit/alloc_fail.c) and checks
 * that every run ends either with the whole result or with "out of memory",
 * and leaves nothing behind (the ASan build checks the leaks). These are the
 * regression tests of what scripts/torture.sh found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_fail.h"
#include "ontraport.h"
#include "mock_http.h"

/* Run fn with allocation k failing (k = 0: none); returns fn's code. */
#define WITH_FAILURE(k, call)                                                                      \
	({                                                                                         \
		int rc_;                                                                           \
		alloc_fail_set((k) ? alloc_fail_count() + (k) : 0);                                \
		rc_ = (call);                                                                      \
		alloc_fail_set(0);                                                                 \
		rc_;                                                                               \
	})

static void expect_oom(int rc, long k)
{
	if (rc != ONTRA_ERROR || strcmp(ontra_error_last()->message, "out of memory") != 0)
		fail_msg("allocation %ld: got %d '%s', expected 'out of memory'", k, rc,
		         ontra_error_last()->message);
}

/* ontra_where_parse: an IN list never loses a value, a clause is never leaked. */
static void test_where_parse(void **state)
{
	const char *text = "status = 1 AND id IN (1, 2, 3) OR email LIKE '%@x.org'";
	json_t *want = NULL, *got = NULL;
	long k, base, used;
	int rc, oom = 0;

	(void)state;
	if (getenv("ONTRA_FAIL_ALLOC"))
		skip();
	alloc_fail_set(0); /* count jansson's allocations too */
	base = alloc_fail_count();
	assert_int_equal(ontra_where_parse(&want, text), 0);
	used = alloc_fail_count() - base;
	assert_true(used > 10);
	for (k = 1; k <= used + 2; k++) {
		rc = WITH_FAILURE(k, ontra_where_parse(&got, text));
		if (rc == 0) {
			if (!json_equal(got, want)) {
				char *g = json_dumps(got, JSON_COMPACT);
				fail_msg(
				    "allocation %ld of %ld failed, yet the condition came back "
				    "incomplete: %s",
				    k, used, g ? g : "?");
			}
			json_decref(got);
			continue;
		}
		expect_oom(rc, k);
		assert_null(got);
		oom++;
	}
	assert_true(oom > 0);
	json_decref(want);
}

/* ontra_condition_add: a failure leaves the condition as it was (no dangling AND). */
static void test_condition_add(void **state)
{
	json_t *cond = NULL;
	long k, base, used = 0;
	int rc, oom = 0;

	(void)state;
	if (getenv("ONTRA_FAIL_ALLOC"))
		skip();
	alloc_fail_set(0);
	for (k = 0; k == 0 || k <= used + 2; k++) {
		assert_int_equal(ontra_where_parse(&cond, "a = 1"), 0);
		base = alloc_fail_count();
		rc = WITH_FAILURE(
		    k, ontra_condition_add(cond, "AND", "b", "IN", json_pack("[i,i]", 5, 6)));
		if (k == 0) {
			assert_int_equal(rc, 0);
			used = alloc_fail_count() - base;
			assert_int_equal(json_array_size(cond), 3);
		} else if (rc == 0) {
			assert_int_equal(json_array_size(cond), 3);
		} else if (rc == ONTRA_ERROR) {
			expect_oom(rc, k);
			if (json_array_size(cond) != 1)
				fail_msg(
				    "allocation %ld: the failed add left %zu items, expected 1", k,
				    json_array_size(cond));
			oom++;
		} else {
			/* the value itself could not be made (json_pack): refused, nothing added */
			assert_int_equal(json_array_size(cond), 1);
		}
		json_decref(cond);
	}
	assert_true(oom > 0);
}

/* ontra_fields_check on a list field: the joined option ids, or an error, and no leak
 * (the ASan build reported the join buffer lost before meta.c freed it). */
static void test_fields_check_list(void **state)
{
	static const char *const replies[] = {
	    "{\"code\":0,\"data\":{\"0\":{\"name\":\"Contact\",\"fields\":{\"colors\":"
	    "{\"alias\":\"Colors\",\"type\":\"list\",\"options\":{\"4\":\"Red\",\"5\":\"Blue\"}}}}}"
	    "}",
	    NULL};
	const json_t *fields;
	json_t *v = NULL;
	long k, base, used = 0;
	mock_http m;
	ontra_client *c;
	int rc, failed = 0;

	(void)state;
	if (getenv("ONTRA_FAIL_ALLOC"))
		skip();
	assert_int_equal(mock_start(&m, replies), 0);
	c = mock_client(m.base_url);
	assert_int_equal(ontra_fields(&fields, c, 0), 0); /* fetched once, then cached */
	alloc_fail_set(0);
	for (k = 0; k == 0 || k <= used + 2; k++) {
		v = json_pack("{s:s}", "Colors", "Red,Blue,4");
		assert_non_null(v);
		base = alloc_fail_count();
		rc = WITH_FAILURE(k, ontra_fields_check(c, 0, v));
		if (k == 0)
			used = alloc_fail_count() - base;
		if (rc == 0)
			assert_string_equal(json_string_value(json_object_get(v, "colors")),
			                    "*/*4*/*5*/*4*/*");
		else
			failed++;
		json_decref(v);
	}
	assert_true(failed > 0);
	mock_stop(&m);
	mock_free(&m);
	ontra_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_where_parse),
	    cmocka_unit_test(test_condition_add),
	    cmocka_unit_test(test_fields_check_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
