/* Unit tests for src/sandbox/http/faults.c: the rule parser and the rule list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sbx_faults.h"

static sbx_fault parse_ok(const char *spec)
{
	sbx_fault f;
	char err[200] = "";

	if (sbx_fault_parse(&f, spec, err, sizeof err) != 0)
		fail_msg("'%s' refused: %s", spec, err);
	return f;
}

static void parse_bad(const char *spec, const char *want)
{
	sbx_fault f;
	char err[200] = "";

	assert_int_equal(sbx_fault_parse(&f, spec, err, sizeof err), -1);
	if (!strstr(err, want))
		fail_msg("'%s': error '%s' does not say '%s'", spec, err, want);
	assert_null(strchr(err, '\n'));
}

static void test_parse_kinds(void **state)
{
	sbx_fault f;

	(void)state;
	f = parse_ok("status=503");
	assert_int_equal(f.kind, SBX_FAULT_STATUS);
	assert_int_equal(f.status, 503);
	assert_int_equal(f.count, -1);
	assert_true(f.p == 1.0);
	f = parse_ok("latency=250,path=/1/objects*,method=GET,count=3,p=0.5");
	assert_int_equal(f.kind, SBX_FAULT_LATENCY);
	assert_int_equal(f.latency_ms, 250);
	assert_string_equal(f.path, "/1/objects*");
	assert_string_equal(f.method, "GET");
	assert_int_equal(f.count, 3);
	assert_true(f.p == 0.5);
	assert_int_equal(parse_ok("drop=before").kind, SBX_FAULT_DROP_BEFORE);
	assert_int_equal(parse_ok("drop=after,method=POST").kind, SBX_FAULT_DROP_AFTER);
	assert_int_equal(parse_ok("truncate").kind, SBX_FAULT_TRUNCATE);
	assert_int_equal(parse_ok("malformed,count=1").kind, SBX_FAULT_MALFORMED);
}

static void test_parse_errors(void **state)
{
	char longspec[400];

	(void)state;
	parse_bad("", "empty fault");
	parse_bad("bogus", "expected status=CODE");
	parse_bad("status", "invalid fault status ''");
	parse_bad("status=99", "expected an HTTP status");
	parse_bad("status=5000", "expected an HTTP status");
	parse_bad("latency=-1", "expected milliseconds");
	parse_bad("drop=sideways", "expected before or after");
	parse_bad("truncate=3", "expected status=CODE");
	parse_bad("status=503,count=0", "invalid fault count '0'");
	parse_bad("status=503,count=x", "invalid fault count");
	parse_bad("status=503,p=0", "expected 0 < p <= 1");
	parse_bad("status=503,p=1.5", "expected 0 < p <= 1");
	parse_bad("status=503,p=0.5x", "expected 0 < p <= 1");
	parse_bad("status=503,colour=red", "unknown fault option 'colour'");
	parse_bad("status=503,path=", "needs a value");
	parse_bad("status=503,", "ends with ','");
	parse_bad("status=503,,count=1", "empty part");
	parse_bad("status=503,method=G3T", "invalid fault method");
	parse_bad("truncate,p=x\ny", "control character at position 13");
	memset(longspec, 'a', sizeof longspec - 1);
	longspec[sizeof longspec - 1] = '\0';
	parse_bad(longspec, "too long");
}

static void test_pick_count_and_match(void **state)
{
	sbx_faults *fs = sbx_faults_new(42);
	sbx_fault r = parse_ok("status=500,path=/1/objects,method=get,count=2"), got;
	json_t *list;

	(void)state;
	assert_non_null(fs);
	assert_int_equal(sbx_faults_add(fs, &r), 0);
	sbx_faults_pick(fs, "POST", "/1/objects", &got);
	assert_int_equal(got.kind, SBX_FAULT_NONE); /* method differs */
	sbx_faults_pick(fs, "GET", "/1/Contacts", &got);
	assert_int_equal(got.kind, SBX_FAULT_NONE); /* path differs */
	sbx_faults_pick(fs, "GET", "/1/OBJECTS", &got);
	assert_int_equal(got.kind, SBX_FAULT_STATUS); /* paths compare case-insensitively */
	list = sbx_faults_json(fs);
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "hits")), 1);
	json_decref(list);
	sbx_faults_pick(fs, "GET", "/1/objects", &got);
	assert_int_equal(got.kind, SBX_FAULT_STATUS);
	sbx_faults_pick(fs, "GET", "/1/objects", &got);
	assert_int_equal(got.kind, SBX_FAULT_NONE); /* count used up: the rule is gone */
	list = sbx_faults_json(fs);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	sbx_faults_free(fs);
}

static void test_pick_order_and_clear(void **state)
{
	sbx_faults *fs = sbx_faults_new(1);
	sbx_fault a = parse_ok("latency=1,path=/1/a*"), b = parse_ok("status=503"), got;
	int i;

	(void)state;
	assert_int_equal(sbx_faults_add(fs, &a), 0);
	assert_int_equal(sbx_faults_add(fs, &b), 0);
	sbx_faults_pick(fs, "GET", "/1/abc", &got);
	assert_int_equal(got.kind, SBX_FAULT_LATENCY); /* the first that matches wins */
	sbx_faults_pick(fs, "GET", "/1/xyz", &got);
	assert_int_equal(got.kind, SBX_FAULT_STATUS);
	sbx_faults_clear(fs);
	sbx_faults_pick(fs, "GET", "/1/abc", &got);
	assert_int_equal(got.kind, SBX_FAULT_NONE);
	for (i = 0; i < SBX_FAULTS_MAX; i++)
		assert_int_equal(sbx_faults_add(fs, &b), 0);
	assert_int_equal(sbx_faults_add(fs, &b), -1);
	sbx_faults_free(fs);
}

static void test_probability(void **state)
{
	sbx_faults *fs = sbx_faults_new(7);
	sbx_fault r = parse_ok("status=500,p=0.25"), got;
	int i, fired = 0;

	(void)state;
	assert_int_equal(sbx_faults_add(fs, &r), 0);
	for (i = 0; i < 10000; i++) {
		sbx_faults_pick(fs, "GET", "/1/objects", &got);
		fired += got.kind == SBX_FAULT_STATUS;
	}
	/* 2,500 expected; the bounds are over 10 standard deviations wide. */
	assert_in_range(fired, 2000, 3000);
	sbx_faults_free(fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_kinds),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_pick_count_and_match),
	    cmocka_unit_test(test_pick_order_and_clear),
	    cmocka_unit_test(test_probability),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
