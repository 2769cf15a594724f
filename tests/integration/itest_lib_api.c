/*
 * The public API's second pass (issue 13 §3), through the library against a
 * real sandbox:
 *  - one resolver for names or ids (ontra_id_parse, ontra_resolve): "0" is
 *    an invalid id, not a name; names are found by one search;
 *  - built-in object types resolve without a metadata request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static unsigned long requests(const ontra_client *c)
{
	ontra_client_stats st;
	ontra_client_stats_get(c, &st);
	return st.requests;
}

static void expect_message(const char *part)
{
	const char *m = ontra_error_last()->message;
	if (!strstr(m, part))
		fail_msg("message '%s' lacks '%s'", m, part);
}

static void id_parse_says_id_or_name(void **state)
{
	long long v = -1;

	(void)state;
	assert_int_equal(ontra_id_parse(&v, "42", "tag"), 1);
	assert_int_equal(v, 42);
	assert_int_equal(ontra_id_parse(&v, "9007199254740991", "tag"), 1);
	assert_int_equal(v, ONTRA_ID_MAX);
	assert_int_equal(ontra_id_parse(&v, "VIP", "tag"), 0);
	assert_int_equal(v, 0);
	assert_int_equal(ontra_id_parse(&v, "4th of July", "tag"), 0);
	assert_int_equal(ontra_id_parse(&v, "-", NULL), 0);
	assert_int_equal(ontra_id_parse(&v, "0", "tag"), ONTRA_EINVALID);
	expect_message("invalid tag id '0'");
	assert_int_equal(ontra_id_parse(&v, "-3", "form"), ONTRA_EINVALID);
	expect_message("invalid form id '-3'");
	assert_int_equal(ontra_id_parse(&v, "9007199254740992", "tag"), ONTRA_EINVALID);
	assert_int_equal(ontra_id_parse(&v, "", "tag"), ONTRA_EINVALID);
	expect_message("empty tag");
	assert_int_equal(ontra_id_parse(&v, NULL, NULL), ONTRA_EINVALID);
}

static void resolve_names_and_ids(void **state)
{
	ontra_client *c = sandbox_client(&sp);
	json_t *f = json_pack("{s:s}", "tag_name", "Resolved"), *rec = NULL;
	long long id = -1, tag;
	unsigned long before;

	(void)state;
	assert_int_equal(ontra_object_create(&rec, c, ONTRA_TAG, f), 0);
	tag = json_integer_value(json_object_get(rec, "tag_id"));
	if (!tag)
		tag = atoll(json_string_value(json_object_get(rec, "tag_id")));
	assert_true(tag > 0);
	before = requests(c);
	assert_int_equal(ontra_resolve(&id, c, ONTRA_TAG, "17"), 0);
	assert_int_equal(id, 17);
	assert_int_equal(requests(c), before); /* an id is not looked up */
	assert_int_equal(ontra_resolve(&id, c, ONTRA_TAG, "0"), ONTRA_EINVALID);
	assert_int_equal(requests(c), before); /* "0" is an id, not a tag named "0" */
	assert_int_equal(ontra_resolve(&id, c, ONTRA_TAG, "Resolved"), 0);
	assert_int_equal(id, tag);
	assert_int_equal(requests(c), before + 1);
	assert_int_equal(ontra_resolve(&id, c, ONTRA_FORM, "Newsletter Signup"), 0);
	assert_true(id > 0);
	assert_int_equal(ontra_resolve(&id, c, ONTRA_SEQUENCE, "Nurture Sequence"), 0);
	assert_true(id > 0);
	assert_int_equal(ontra_resolve(&id, c, ONTRA_CAMPAIGN, "Onboarding Automation"), 0);
	assert_true(id > 0);
	assert_int_equal(ontra_resolve(&id, c, ONTRA_USER, "owner@sandbox.example"), 0);
	assert_true(id > 0);
	assert_int_equal(ontra_resolve(&id, c, ONTRA_TAG, "Nope"), ONTRA_ENOTFOUND);
	expect_message("no tag named 'Nope'");
	assert_int_equal(ontra_resolve(&id, c, ONTRA_FORM, "Contact"), ONTRA_ENOTFOUND);
	assert_int_equal(ontra_resolve(&id, c, ONTRA_CONTACT, "Bob"), ONTRA_EINVALID);
	expect_message("cannot resolve names of object type 0");
	json_decref(rec);
	json_decref(f);
	ontra_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(id_parse_says_id_or_name),
	    cmocka_unit_test(resolve_names_and_ids),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
