/*
 * Campaign builder items (automations, object 140; REFERENCE-MORE §M7)
 * through the library against a real sandbox: listed with their subscriber
 * counts (ontra_search with listFields id,name,subs), which follow
 * ontra_subscribe; one read by id; found by name; GET only (a create is
 * ONTRA_EFORBIDDEN).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

static sandbox_proc sp;
static ontra_client *cl;

static int setup(void **state)
{
	(void)state;
	if (sandbox_start(&sp, NULL) != 0)
		return -1;
	cl = sandbox_client(&sp);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ontra_client_free(cl);
	sandbox_stop(&sp);
	return 0;
}

static int collect(json_t *obj, void *ud)
{
	json_array_append(ud, obj);
	return 0;
}

/* The subs of automation `name` in a listing of id, name, subs; -1 when absent. */
static long long subs_of(const char *name)
{
	static const char *const fields[] = {"id", "name", "subs"};
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	json_t *all = json_array(), *rec;
	long long subs = -1;
	size_t i;

	o.object_type = ONTRA_CAMPAIGN;
	o.fields = fields;
	o.fields_count = 3;
	assert_int_equal(ontra_search(cl, &o, collect, all), 0);
	assert_int_equal(json_array_size(all), 2);
	json_array_foreach(all, i, rec)
	{
		assert_int_equal(json_object_size(rec), 3);
		if (!strcmp(json_string_value(json_object_get(rec, "name")), name))
			subs = strtoll(json_string_value(json_object_get(rec, "subs")), NULL, 10);
	}
	json_decref(all);
	return subs;
}

static void listing_with_subs(void **state)
{
	json_t *fields = json_pack("{s:s}", "firstname", "Ann"), *res = NULL;
	long long camp, contact;

	(void)state;
	assert_int_equal(subs_of("Onboarding Automation"), 0);
	assert_int_equal(ontra_resolve(&camp, cl, ONTRA_CAMPAIGN, "Onboarding Automation"), 0);
	assert_int_equal(ontra_object_create(&res, cl, ONTRA_CONTACT, fields), 0);
	contact = strtoll(json_string_value(json_object_get(res, "id")), NULL, 10);
	json_decref(res);
	json_decref(fields);
	assert_int_equal(ontra_subscribe(cl, ONTRA_CONTACT, &contact, 1, &camp, 1,
	                                 ONTRA_SUB_CAMPAIGN, ONTRA_ADD),
	                 0);
	assert_int_equal(subs_of("Onboarding Automation"), 1);
	assert_int_equal(subs_of("Example: High Level Customer Lifecycle"), 0);
	assert_int_equal(ontra_subscribe(cl, ONTRA_CONTACT, &contact, 1, &camp, 1,
	                                 ONTRA_SUB_CAMPAIGN, ONTRA_REMOVE),
	                 0);
	assert_int_equal(subs_of("Onboarding Automation"), 0);
}

static void one_and_get_only(void **state)
{
	json_t *rec = NULL, *fields = json_pack("{s:s}", "name", "New");

	(void)state;
	assert_int_equal(ontra_object_get(&rec, cl, ONTRA_CAMPAIGN, 1), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "deleted")), "false");
	assert_string_equal(json_string_value(json_object_get(rec, "pause")), "0");
	json_decref(rec);
	assert_int_equal(ontra_object_get(&rec, cl, ONTRA_CAMPAIGN, 99), ONTRA_ENOTFOUND);
	assert_int_equal(ontra_object_create(&rec, cl, ONTRA_CAMPAIGN, fields), ONTRA_EFORBIDDEN);
	json_decref(fields);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(listing_with_subs),
	    cmocka_unit_test(one_and_get_only),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
