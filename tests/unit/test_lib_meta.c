/*
 * lib/meta.c: the account's metadata (GET /objects/meta?format=byId) fetched
 * once per client and cached until ontra_meta_invalidate; object type names
 * resolved by number, alias (built-in types without a request), the account's
 * own names (singular, plural, any case) with a suggestion when unknown; the
 * type list; and the field checks
 * that normalise values before anything is sent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ontraport.h"
#include "mock_http.h"

#define META                                                                                       \
	"{\"code\":0,\"data\":{"                                                                   \
	"\"0\":{\"name\":\"Contact\",\"fields\":{"                                                 \
	"\"firstname\":{\"alias\":\"First Name\",\"type\":\"text\"},"                              \
	"\"email\":{\"alias\":\"Email\",\"type\":\"email\"},"                                      \
	"\"status\":{\"alias\":\"Status\",\"type\":\"drop\",\"options\":{\"1\":\"Hot\",\"2\":"     \
	"\"Cold\"}},"                                                                              \
	"\"colors\":{\"alias\":\"Colors\",\"type\":\"list\",\"options\":{\"4\":\"Red\",\"5\":"     \
	"\"Blue\"}},"                                                                              \
	"\"bday\":{\"alias\":\"Birthday\",\"type\":\"fulldate\"},"                                 \
	"\"score\":{\"alias\":\"Score\",\"type\":\"numeric\"},"                                    \
	"\"vip\":{\"alias\":\"VIP\",\"type\":\"check\"},"                                          \
	"\"id\":{\"alias\":\"Contact ID\",\"type\":\"numeric\",\"editable\":0}}},"                 \
	"\"14\":{\"name\":\"Tag\",\"fields\":{\"tag_name\":{\"alias\":\"Name\"}}},"                \
	"\"10003\":{\"name\":\"Property\",\"fields\":{\"a\":{},\"b\":{}}},"                        \
	"\"10004\":{\"name\":\"Category\",\"fields\":{}},"                                         \
	"\"10005\":{\"name\":\"Box\",\"fields\":{}}}}"

#define META2                                                                                      \
	"{\"code\":0,\"data\":{\"0\":{\"name\":\"Contact\",\"fields\":{}},"                        \
	"\"10009\":{\"name\":\"Vehicle\",\"fields\":{}}}}"

static ontra_client *meta_client(mock_http *m, const char *const *replies)
{
	assert_int_equal(mock_start(m, replies), 0);
	return mock_client(m->base_url);
}

static void resolves(ontra_client *c, const char *typed, int want)
{
	int type = -7;

	if (ontra_object_type(&type, c, typed) != 0)
		fail_msg("'%s': %s", typed, ontra_error_last()->message);
	if (type != want)
		fail_msg("'%s' resolved to %d, expected %d", typed, type, want);
}

static void unknown(ontra_client *c, const char *typed, int want_rc, const char *part)
{
	int type = 3;

	assert_int_equal(ontra_object_type(&type, c, typed), want_rc);
	assert_int_equal(type, -1);
	if (!strstr(ontra_error_last()->message, part))
		fail_msg("'%s': '%s' lacks '%s'", typed, ontra_error_last()->message, part);
}

static void test_fetched_once(void **state)
{
	static const char *const replies[] = {META, NULL};
	const json_t *fields = NULL;
	mock_http m;
	ontra_client *c = meta_client(&m, replies);

	(void)state;
	resolves(c, "contacts", 0);
	resolves(c, "Tag", 14);
	assert_int_equal(ontra_fields(&fields, c, 0), 0);
	assert_int_equal(json_object_size(fields), 8);
	assert_string_equal(ontra_object_type_name(c, 10003), "Property");
	mock_stop(&m);
	assert_int_equal(m.nreqs, 1);
	assert_string_equal(m.reqs[0].method, "GET");
	assert_string_equal(m.reqs[0].target, "/1/objects/meta?format=byId");
	mock_free(&m);
	ontra_client_free(c);
}

static void test_invalidate_refetches(void **state)
{
	static const char *const replies[] = {META, META2, NULL};
	mock_http m;
	ontra_client *c = meta_client(&m, replies);
	int type;

	(void)state;
	resolves(c, "properties", 10003);
	ontra_meta_invalidate(c);
	ontra_meta_invalidate(c); /* twice is harmless */
	/* The second answer is used: Vehicle is new, Property is gone. */
	resolves(c, "vehicles", 10009);
	assert_int_equal(ontra_object_type(&type, c, "property"), ONTRA_ENOTFOUND);
	assert_string_equal(ontra_object_type_name(c, 10009), "Vehicle");
	mock_stop(&m);
	assert_int_equal(m.nreqs, 2);
	assert_string_equal(m.reqs[1].target, "/1/objects/meta?format=byId");
	mock_free(&m);
	ontra_client_free(c);
}

static void test_type_names(void **state)
{
	static const char *const replies[] = {META, NULL};
	mock_http m;
	ontra_client *c = meta_client(&m, replies);
	ontra_client_stats st;

	(void)state;
	/* Built-in types, by number or alias, need no metadata request... */
	resolves(c, "0", 0);
	resolves(c, "CONTACT", 0);
	resolves(c, "tags", 14);
	/* ...even one the account's metadata lacks. */
	resolves(c, "deals", 149);
	ontra_client_stats_get(c, &st);
	assert_int_equal(st.requests, 0);
	/* Other numbers and names come from the metadata. */
	resolves(c, "10004", 10004);
	resolves(c, "Property", 10003);
	resolves(c, "PROPERTIES", 10003);
	resolves(c, "categories", 10004);
	resolves(c, "boxes", 10005);
	resolves(c, "box", 10005);
	unknown(c, "contcts", ONTRA_ENOTFOUND, "(did you mean 'contacts'?)");
	unknown(c, "zzzzzzzzzzzz", ONTRA_ENOTFOUND, "see 'ontraport object-types'");
	unknown(c, "99", ONTRA_ENOTFOUND, "unknown object type 99");
	unknown(c, "-1", ONTRA_EINVALID, "expected a name or a number");
	unknown(c, "12abc", ONTRA_EINVALID, "invalid object type '12abc'");
	unknown(c, "", ONTRA_EINVALID, "missing object type");
	unknown(c, NULL, ONTRA_EINVALID, "missing object type");
	assert_string_equal(ontra_object_type_name(c, 0), "Contact");
	assert_null(ontra_object_type_name(c, 99));
	mock_stop(&m);
	assert_int_equal(m.nreqs, 1);
	mock_free(&m);
	ontra_client_free(c);
}

static void test_type_list(void **state)
{
	static const char *const replies[] = {META, NULL};
	mock_http m;
	ontra_client *c = meta_client(&m, replies);
	const json_t *fields = (const json_t *)1;
	json_t *types = NULL;
	char *s;

	(void)state;
	assert_int_equal(ontra_object_types(&types, c), 0);
	s = json_dumps(types, JSON_COMPACT);
	assert_non_null(s);
	assert_string_equal(s, "[{\"id\":0,\"name\":\"Contact\",\"fields\":8},"
	                       "{\"id\":14,\"name\":\"Tag\",\"fields\":1},"
	                       "{\"id\":10003,\"name\":\"Property\",\"fields\":2},"
	                       "{\"id\":10004,\"name\":\"Category\",\"fields\":0},"
	                       "{\"id\":10005,\"name\":\"Box\",\"fields\":0}]");
	free(s);
	json_decref(types);
	assert_int_equal(ontra_fields(&fields, c, 77), ONTRA_ENOTFOUND);
	assert_null(fields);
	assert_non_null(strstr(ontra_error_last()->message, "unknown object type 77"));
	mock_stop(&m);
	mock_free(&m);
	ontra_client_free(c);
}

static void test_bad_metadata(void **state)
{
	static const char *const replies[] = {"{\"code\":0,\"data\":[1,2]}", "{\"message\":\"no\"}",
	                                      META, NULL};
	mock_http m;
	ontra_client *c = meta_client(&m, replies);
	int type = 0;

	(void)state;
	m.statuses[1] = 401;
	assert_int_equal(ontra_object_type(&type, c, "properties"), ONTRA_EBADRESPONSE);
	assert_non_null(strstr(ontra_error_last()->message, "not an object of types"));
	/* A failure is not cached: the next call asks again. */
	assert_int_equal(ontra_object_type(&type, c, "properties"), ONTRA_EAUTH);
	/* A built-in type needs no metadata, so it resolves all the same. */
	resolves(c, "contacts", 0);
	assert_string_equal(ontra_object_type_name(c, 0), "Contact");
	mock_stop(&m);
	assert_int_equal(m.nreqs, 3);
	mock_free(&m);
	ontra_client_free(c);
}

/* Check {key: value} for contacts; on success return the normalised value of `out_key`. */
static int check(ontra_client *c, const char *json, json_t **values)
{
	json_error_t e;

	*values = json_loads(json, 0, &e);
	if (!*values)
		fail_msg("bad test JSON %s: %s", json, e.text);
	return ontra_fields_check(c, 0, *values);
}

static void check_ok(ontra_client *c, const char *json, const char *want)
{
	json_t *v;
	char *s;

	if (check(c, json, &v) != 0)
		fail_msg("%s: %s", json, ontra_error_last()->message);
	s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	if (!s || strcmp(s, want) != 0)
		fail_msg("%s became %s, expected %s", json, s ? s : "?", want);
	free(s);
	json_decref(v);
}

static void check_refused(ontra_client *c, const char *json, const char *part)
{
	json_t *v;

	assert_int_equal(check(c, json, &v), ONTRA_EINVALID);
	if (!strstr(ontra_error_last()->message, part))
		fail_msg("%s: '%s' lacks '%s'", json, ontra_error_last()->message, part);
	json_decref(v);
}

static void test_fields_check(void **state)
{
	static const char *const replies[] = {META, NULL};
	mock_http m;
	ontra_client *c = meta_client(&m, replies);

	(void)state;
	check_ok(c, "{\"First Name\":\"Ann\",\"email\":\"a@b.co\"}",
	         "{\"email\":\"a@b.co\",\"firstname\":\"Ann\"}");
	check_ok(c, "{\"status\":\"cold\",\"vip\":\"yes\",\"score\":12.5}",
	         "{\"score\":\"12.5\",\"status\":\"2\",\"vip\":\"1\"}");
	check_ok(c, "{\"colors\":\"Red,5\"}", "{\"colors\":\"*/*4*/*5*/*\"}");
	check_ok(c, "{\"colors\":[\"blue\"]}", "{\"colors\":\"*/*5*/*\"}");
	check_ok(c, "{\"bday\":\"2024-01-02\"}", "{\"bday\":\"1704153600\"}");
	check_ok(c, "{\"score\":\"\"}", "{\"score\":\"\"}");
	check_refused(c, "{\"emial\":\"x\"}",
	              "unknown field 'emial' for Contact (did you mean 'email'?)");
	check_refused(c, "{\"id\":5}", "field 'id' of Contact is read-only");
	check_refused(c, "{\"email\":\"nope\"}", "expected an email address");
	check_refused(c, "{\"status\":\"Warm\"}", "expected one of 1 (Hot), 2 (Cold)");
	check_refused(c, "{\"score\":\"ten\"}",
	              "invalid value 'ten' for field 'score': expected a number");
	check_refused(c, "{\"vip\":\"maybe\"}", "expected 1 or 0");
	check_refused(c, "{\"bday\":\"yesterday\"}", "expected a date");
	check_refused(c, "{\"firstname\":{\"a\":1}}", "expected text or a number, not an object");
	check_refused(c, "{\"firstname\":\"A\",\"First Name\":\"B\"}", "is given twice");
	check_refused(c, "[1]", "field values must be a JSON object");
	mock_stop(&m);
	assert_int_equal(m.nreqs, 1);
	mock_free(&m);
	ontra_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fetched_once), cmocka_unit_test(test_invalidate_refetches),
	    cmocka_unit_test(test_type_names),   cmocka_unit_test(test_type_list),
	    cmocka_unit_test(test_bad_metadata), cmocka_unit_test(test_fields_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
