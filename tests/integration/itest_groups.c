/*
 * Saved groups and externs through the library against a real sandbox
 * (REFERENCE-MORE §M8): ontra_search with group_id keeps a group's members
 * (the group found by name with ontra_resolve), ontra_search_count agrees,
 * externs add the related record's field to each object, and a malformed
 * extern is refused locally with no request.
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

static unsigned long requests(void)
{
	return client_requests(cl);
}

static void create(const char *json)
{
	json_t *fields = json_loads(json, 0, NULL), *res = NULL;
	assert_int_equal(ontra_object_create(&res, cl, ONTRA_CONTACT, fields), 0);
	json_decref(fields);
	json_decref(res);
}

/* A group of contacts whose condition (JSON text) is percent-encoded into the query. */
static void seed_group(const char *name, const char *cond)
{
	char path[1024];
	size_t n;
	json_t *res;

	n = (size_t)snprintf(path, sizeof path,
	                     "seed/objects?objectID=3&records[0][object_type_id]=0&"
	                     "records[0][name]=%s&records[0][condition]=",
	                     name);
	for (const char *p = cond; *p && n + 4 < sizeof path; p++)
		n += (size_t)snprintf(path + n, sizeof path - n, "%%%02X", (unsigned char)*p);
	res = sandbox_control(&sp, "POST", path);
	assert_non_null(json_object_get(res, "ids"));
	json_decref(res);
}

static int setup(void **state)
{
	(void)state;
	if (sandbox_start(&sp, NULL) != 0)
		return -1;
	cl = sandbox_client(&sp);
	create("{\"firstname\":\"Ann\",\"email\":\"ann@vip.example\"}");
	create("{\"firstname\":\"Bob\",\"email\":\"bob@vip.example\"}");
	create("{\"firstname\":\"Cy\",\"email\":\"cy@other.example\"}");
	seed_group("VIP", "[{\"field\":{\"field\":\"email\"},\"op\":\"LIKE\","
	                  "\"value\":{\"value\":\"%@vip.example\"}}]");
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

static void group_members(void **state)
{
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	json_t *all = json_array();
	long long n = 0;

	(void)state;
	o.object_type = ONTRA_CONTACT;
	assert_int_equal(ontra_resolve(&o.group_id, cl, ONTRA_GROUP, "VIP"), 0);
	assert_int_equal(o.group_id, 1);
	assert_int_equal(ontra_search(cl, &o, collect, all), 0);
	assert_int_equal(json_array_size(all), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(all, 1), "firstname")),
	                    "Bob");
	assert_int_equal(ontra_search_count(&n, cl, &o), 0);
	assert_int_equal(n, 2);
	o.group_id = 7;
	assert_int_equal(ontra_search(cl, &o, collect, all), ONTRA_EINVALID);
	json_decref(all);
}

static void externs(void **state)
{
	static const char *const ext[] = {"owner//email", "owner//nosuch"};
	static const char *const bad[] = {"owner/email"};
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	json_t *all = json_array(), *first;
	unsigned long before;

	(void)state;
	o.object_type = ONTRA_CONTACT;
	o.externs = ext;
	o.externs_count = 2;
	assert_int_equal(ontra_search(cl, &o, collect, all), 0);
	assert_int_equal(json_array_size(all), 3);
	first = json_array_get(all, 0);
	assert_string_equal(json_string_value(json_object_get(first, "owner//email")),
	                    "owner@sandbox.example");
	assert_true(json_is_null(json_object_get(first, "owner//nosuch")));
	json_decref(all);

	before = requests();
	o.externs = bad;
	o.externs_count = 1;
	assert_int_equal(ontra_search(cl, &o, collect, NULL), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "invalid extern 'owner/email'"));
	o.externs_count = ONTRA_EXTERNS_MAX + 1;
	assert_int_equal(ontra_search(cl, &o, collect, NULL), ONTRA_EINVALID);
	assert_int_equal(requests(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(group_members),
	    cmocka_unit_test(externs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
