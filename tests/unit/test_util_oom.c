/*
 * util/ on the error paths scripts/torture.sh walks: a buffer that lost an
 * append for lack of memory never looks whole again, and the form decoder
 * takes an empty body given as (NULL, 0) without undefined pointer
 * arithmetic (the UBSan build fails on it otherwise).
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
#include "buf.h"
#include "form.h"

static void test_buf_hole_is_failure(void **state)
{
	util_buf b = UTIL_BUF_INIT;
	char big[200];

	(void)state;
	if (getenv("ONTRA_FAIL_ALLOC"))
		skip();
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(util_buf_puts(&b, "a"), 0); /* 64 bytes allocated */
	alloc_fail_set(alloc_fail_count() + 1);
	assert_int_equal(util_buf_puts(&b, big), -1); /* needs to grow: fails */
	alloc_fail_set(0);
	assert_int_equal(util_buf_puts(&b, "b"), 0); /* fits: the buffer reads "ab" */
	assert_true(util_buf_failed(&b));
	assert_int_equal(util_buf_ensure(&b), -1);
	assert_null(util_buf_detach(&b));
	util_buf_release(&b);
	/* Cleared, it is whole again. */
	assert_int_equal(util_buf_puts(&b, "c"), 0);
	assert_int_equal(util_buf_ensure(&b), 0);
	assert_string_equal(b.data, "c");
	util_buf_release(&b);
}

static void test_form_empty_body(void **state)
{
	json_t *o = NULL;
	char err[128];

	(void)state;
	assert_int_equal(util_form_decode(&o, NULL, 0, NULL, err, sizeof err), 0);
	assert_non_null(o);
	assert_int_equal(json_object_size(o), 0);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf_hole_is_failure),
	    cmocka_unit_test(test_form_empty_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
