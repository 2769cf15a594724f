/*
 * Library contracts, through the public API against a real sandbox:
 *  - ontra_objects_delete refuses a selection that selects nothing in
 *    particular (an empty or always-true condition, a blank search, a group
 *    id that is not sent) unless the caller asked for all (issue 12, item 5);
 *  - what ontra_fields and ontra_object_type_name return stays valid until
 *    the client is freed, even after ontra_meta_invalidate (item 6; under
 *    ASan a use after free aborts the test).
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

static long long contact_count(ontra_client *c)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	long long n = -1;

	assert_int_equal(ontra_search_count(&n, c, &o), 0);
	return n;
}

/* Make sure there are at least three contacts; returns how many there are. */
static long long some_contacts(ontra_client *c)
{
	for (int i = 0; i < 3; i++) {
		json_t *f = json_pack("{s:s, s:s}", "firstname", "Keep", "lastname", "Me");
		json_t *rec = NULL;
		assert_non_null(f);
		assert_int_equal(ontra_object_create(&rec, c, ONTRA_CONTACT, f), 0);
		json_decref(rec);
		json_decref(f);
	}
	return contact_count(c);
}

/* Delete with o; expect a local refusal (ONTRA_EINVALID) and nothing deleted. */
static void expect_refused_with(ontra_client *c, const ontra_search_options *o, const char *what,
                                const char *needle)
{
	long long before = contact_count(c);
	unsigned long sent;
	ontra_client_stats st;
	int rc;

	ontra_client_stats_get(c, &st);
	sent = st.requests;
	rc = ontra_objects_delete(c, o, ONTRA_DELETE_SELECTED);
	if (rc != ONTRA_EINVALID)
		fail_msg("%s: expected ONTRA_EINVALID, got %d (%s)", what, rc,
		         ontra_error_last()->message);
	ontra_client_stats_get(c, &st);
	assert_int_equal(st.requests, sent); /* refused locally: nothing was sent */
	if (!strstr(ontra_error_last()->message, needle))
		fail_msg("%s: message '%s' lacks '%s'", what, ontra_error_last()->message, needle);
	assert_int_equal(contact_count(c), before);
}

static void expect_refused(ontra_client *c, const ontra_search_options *o, const char *what)
{
	expect_refused_with(c, o, what, "refusing to delete every object");
}

static void delete_refuses_empty_selection(void **state)
{
	ontra_client *c = sandbox_client(&sp);
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	json_t *cond;
	long long ids[1] = {0};

	(void)state;
	assert_true(some_contacts(c) >= 3);

	cond = json_array(); /* an empty condition: the API would delete every contact */
	o.condition = cond;
	expect_refused(c, &o, "empty condition array");
	json_decref(cond);

	cond = json_string("  "); /* a blank legacy string condition */
	o.condition = cond;
	expect_refused(c, &o, "blank string condition");
	json_decref(cond);

	cond = json_null();
	o.condition = cond;
	expect_refused(c, &o, "null condition");

	o.condition = NULL;
	o.search = "   "; /* a blank search is not sent */
	expect_refused(c, &o, "blank search");

	o.search = NULL;
	o.group_id = -1; /* a group id that is not positive is not sent */
	expect_refused(c, &o, "negative group id");

	o.group_id = 0;
	o.ids = ids; /* ids=0 means "no id filter" to the API */
	o.ids_count = 1;
	expect_refused_with(c, &o, "ids of 0 only", "invalid object id 0");

	o.ids = NULL;
	o.ids_count = 0;
	o.search_notes = 1; /* searchNotes without a search selects nothing */
	expect_refused(c, &o, "searchNotes alone");

	expect_refused(c, NULL, "NULL options");
	cond = json_pack("{s:s}", "field", "id"); /* not an array of clauses */
	o.condition = cond;
	o.search_notes = 0;
	expect_refused(c, &o, "condition that is an object");
	json_decref(cond);
	ontra_client_free(c);
}

static void delete_refuses_always_true_condition(void **state)
{
	ontra_client *c = sandbox_client(&sp);
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	const char *wheres[] = {"id > 0",
	                        "id >= 1",
	                        "id IS NOT NULL",
	                        "id IS NOT EMPTY",
	                        "id <> 0",
	                        "email = 'x@example.com' OR id > 0",
	                        "id > 0 AND id IS NOT NULL OR firstname = 'A'",
	                        "id NOT IN (0, -1)",
	                        "id LIKE '%'",
	                        NULL};

	(void)state;
	assert_true(some_contacts(c) >= 3);
	for (int i = 0; wheres[i]; i++) {
		json_t *cond = NULL;
		assert_int_equal(ontra_where_parse(&cond, wheres[i]), 0);
		o.condition = cond;
		expect_refused(c, &o, wheres[i]);
		json_decref(cond);
		cond = json_string(wheres[i]); /* the same as a legacy string condition */
		o.condition = cond;
		expect_refused(c, &o, wheres[i]);
		json_decref(cond);
	}
	ontra_client_free(c);
}

/* A real selection still deletes, and all = 1 still means every object. */
static void delete_selection_and_all_still_work(void **state)
{
	ontra_client *c = sandbox_client(&sp);
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	json_t *f = json_pack("{s:s}", "firstname", "Zed"), *rec = NULL, *cond = NULL;
	long long before;

	(void)state;
	before = some_contacts(c);
	assert_int_equal(ontra_object_create(&rec, c, ONTRA_CONTACT, f), 0);
	assert_int_equal(contact_count(c), before + 1);
	assert_int_equal(ontra_where_parse(&cond, "firstname = 'Zed' AND id > 0"), 0);
	o.condition = cond;
	assert_int_equal(ontra_objects_delete(c, &o, ONTRA_DELETE_SELECTED), 0);
	assert_int_equal(contact_count(c), before);
	json_decref(cond);
	json_decref(rec);
	json_decref(f);

	o = (ontra_search_options)ONTRA_SEARCH_OPTIONS_INIT;
	assert_int_equal(ontra_objects_delete(c, &o, ONTRA_DELETE_ALL), 0);
	assert_int_equal(contact_count(c), 0);
	ontra_client_free(c);
}

/* Borrowed metadata outlives ontra_meta_invalidate, as documented. */
static void metadata_valid_until_client_freed(void **state)
{
	ontra_client *c = sandbox_client(&sp);
	const json_t *fields = NULL, *fresh = NULL;
	const char *name, *name2;

	(void)state;
	assert_int_equal(ontra_fields(&fields, c, ONTRA_CONTACT), 0);
	name = ontra_object_type_name(c, ONTRA_CONTACT);
	assert_non_null(name);
	for (int i = 0; i < 3; i++) {
		ontra_meta_invalidate(c);
		/* Reading what was handed out before: a use after free before the fix. */
		assert_string_equal(name, "Contact");
		assert_non_null(json_object_get(fields, "firstname"));
		assert_int_equal(ontra_fields(&fresh, c, ONTRA_CONTACT), 0);
		name2 = ontra_object_type_name(c, ONTRA_CONTACT);
		assert_string_equal(name2, "Contact");
		assert_int_equal(json_object_size(fresh), json_object_size(fields));
	}
	ontra_meta_invalidate(c);
	ontra_meta_invalidate(c); /* twice in a row, with nothing fetched between */
	assert_string_equal(name, "Contact");
	ontra_client_free(c); /* everything retired is freed here (ASan checks for leaks) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(delete_refuses_empty_selection),
	    cmocka_unit_test(delete_refuses_always_true_condition),
	    cmocka_unit_test(delete_selection_and_all_still_work),
	    cmocka_unit_test(metadata_valid_until_client_freed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
