/*
 * lib/objects.c: the wire form of get, create, update, upsert, delete, tags
 * and subscriptions; local refusals (nothing sent); search paging (offset
 * and keyset pages, limit, page size, the caller stopping, replies that are
 * not lists or not in order), counting, and bulk delete.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ontraport.h"
#include "mock_http.h"

#define META                                                                                       \
	"{\"code\":0,\"data\":{\"0\":{\"name\":\"Contact\",\"fields\":{"                           \
	"\"firstname\":{\"alias\":\"First Name\",\"type\":\"text\"},"                              \
	"\"email\":{\"alias\":\"Email\",\"type\":\"email\"},"                                      \
	"\"status\":{\"alias\":\"Status\",\"type\":\"drop\",\"options\":{\"1\":\"Hot\"}}}}}}"

/* The target of a recorded request, URL-decoded (a static buffer). */
static const char *decoded(const mock_req *r)
{
	static char out[1024];
	const char *s = r->target;
	size_t w = 0;

	while (*s && w + 1 < sizeof out) {
		if (s[0] == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
			char hex[3] = {s[1], s[2], 0};
			out[w++] = (char)strtol(hex, NULL, 16);
			s += 3;
		} else {
			out[w++] = *s++;
		}
	}
	out[w] = '\0';
	return out;
}

static ontra_client *start(mock_http *m, const char *const *replies)
{
	assert_int_equal(mock_start(m, replies), 0);
	return mock_client(m->base_url);
}

static unsigned long requests_of(const ontra_client *c)
{
	ontra_client_stats st;
	ontra_client_stats_get(c, &st);
	return st.requests;
}

static void test_get_delete(void **state)
{
	static const char *const replies[] = {"{\"code\":0,\"data\":{\"id\":\"5\"}}",
	                                      "{\"code\":0,\"data\":[]}", "{\"code\":0}", NULL};
	json_t *out = NULL;
	mock_http m;
	ontra_client *c = start(&m, replies);

	(void)state;
	assert_int_equal(ontra_object_get(&out, c, 0, 5), 0);
	assert_string_equal(json_string_value(json_object_get(out, "id")), "5");
	json_decref(out);
	assert_int_equal(ontra_object_get(&out, c, 0, 6), ONTRA_EBADRESPONSE);
	assert_null(out);
	assert_non_null(strstr(ontra_error_last()->message, "holds no object"));
	assert_int_equal(ontra_object_delete(c, 10003, 7), 0);
	/* Refused before sending. */
	assert_int_equal(ontra_object_get(&out, c, 0, 0), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "invalid object id 0"));
	assert_int_equal(ontra_object_get(&out, c, -1, 5), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "invalid object type -1"));
	assert_int_equal(ontra_object_delete(c, 0, -2), ONTRA_EINVALID);
	assert_int_equal(requests_of(c), 3);
	mock_stop(&m);
	assert_string_equal(m.reqs[0].method, "GET");
	assert_string_equal(m.reqs[0].target, "/1/object?objectID=0&id=5");
	assert_string_equal(m.reqs[2].method, "DELETE");
	assert_string_equal(m.reqs[2].target, "/1/object?objectID=10003&id=7");
	mock_free(&m);
	ontra_client_free(c);
}

/* The JSON body of a request equals `want` (key order aside). */
static void body_is(const mock_req *r, const char *want)
{
	json_t *a = json_loads(r->body, 0, NULL), *b = json_loads(want, 0, NULL);

	if (!a || !b || !json_equal(a, b))
		fail_msg("body %s, expected %s", r->body, want);
	json_decref(a);
	json_decref(b);
}

static void test_create_update(void **state)
{
	static const char *const replies[] = {
	    META, "{\"code\":0,\"data\":{\"id\":9,\"firstname\":\"Ann\"}}",
	    "{\"code\":0,\"data\":{\"attrs\":{\"id\":\"9\",\"status\":\"1\"}}}", NULL};
	json_t *fields = json_pack("{s:s, s:s}", "First Name", "Ann", "status", "Hot");
	json_t *out = NULL, *empty = json_object();
	mock_http m;
	ontra_client *c = start(&m, replies);

	(void)state;
	assert_non_null(fields);
	assert_non_null(empty);
	assert_int_equal(ontra_object_create(&out, c, 0, fields), 0);
	assert_int_equal(json_integer_value(json_object_get(out, "id")), 9);
	json_decref(out);
	/* The caller's values are not modified. */
	assert_string_equal(json_string_value(json_object_get(fields, "First Name")), "Ann");
	assert_int_equal(ontra_object_update(&out, c, 0, 9, fields), 0);
	assert_string_equal(json_string_value(json_object_get(out, "status")), "1");
	json_decref(out);
	assert_int_equal(ontra_object_update(&out, c, 0, 9, empty), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "nothing to update"));
	json_object_set_new(empty, "emial", json_string("x"));
	assert_int_equal(ontra_object_create(&out, c, 0, empty), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "unknown field 'emial'"));
	assert_int_equal(ontra_object_update(&out, c, 0, 0, fields), ONTRA_EINVALID);
	mock_stop(&m);
	assert_int_equal(m.nreqs, 3);
	assert_string_equal(m.reqs[1].method, "POST");
	assert_string_equal(m.reqs[1].target, "/1/objects");
	assert_string_equal(m.reqs[1].content_type, "application/json");
	body_is(&m.reqs[1], "{\"firstname\":\"Ann\",\"status\":\"1\",\"objectID\":0}");
	assert_string_equal(m.reqs[2].method, "PUT");
	body_is(&m.reqs[2], "{\"firstname\":\"Ann\",\"status\":\"1\",\"objectID\":0,\"id\":9}");
	mock_free(&m);
	json_decref(fields);
	json_decref(empty);
	ontra_client_free(c);
}

static void test_upsert(void **state)
{
	static const char *const replies[] = {
	    META, "{\"code\":0,\"data\":{\"id\":3,\"email\":\"a@b.co\"}}",
	    "{\"code\":0,\"data\":{\"attrs\":{\"id\":\"3\"}}}", NULL};
	json_t *fields = json_pack("{s:s, s:s}", "email", "a@b.co", "firstname", "");
	json_t *out = NULL;
	int created = -1;
	mock_http m;
	ontra_client *c = start(&m, replies);

	(void)state;
	assert_non_null(fields);
	assert_int_equal(ontra_object_upsert(&out, &created, c, 0, fields, 1), 0);
	assert_int_equal(created, 1);
	json_decref(out);
	assert_int_equal(ontra_object_upsert(&out, &created, c, 0, fields, 0), 0);
	assert_int_equal(created, 0);
	assert_string_equal(json_string_value(json_object_get(out, "id")), "3");
	json_decref(out);
	mock_stop(&m);
	assert_string_equal(m.reqs[1].method, "POST");
	assert_string_equal(m.reqs[1].target, "/1/objects/saveorupdate");
	assert_string_equal(m.reqs[1].content_type, "application/x-www-form-urlencoded");
	assert_string_equal(m.reqs[1].body, "objectID=0&email=a%40b.co&firstname=&ignore_blanks=1");
	assert_string_equal(m.reqs[2].body, "objectID=0&email=a%40b.co&firstname=");
	mock_free(&m);
	json_decref(fields);
	ontra_client_free(c);
}

struct seen {
	long long ids[64];
	size_t n;
	size_t stop_at; /* 0 = never */
};

static int on_object(json_t *obj, void *ud)
{
	struct seen *s = ud;
	json_t *id = json_object_get(obj, "id");

	s->ids[s->n++] = json_is_string(id) ? atoll(json_string_value(id)) : json_integer_value(id);
	return s->stop_at && s->n >= s->stop_at;
}

static void test_search_keyset(void **state)
{
	static const char *const replies[] = {"{\"code\":0,\"data\":[{\"id\":1},{\"id\":\"4\"}]}",
	                                      "{\"code\":0,\"data\":[{\"id\":6},{\"id\":9}]}",
	                                      "{\"code\":0,\"data\":[{\"id\":12}]}", NULL};
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	struct seen s = {{0}, 0, 0};
	json_t *cond = NULL;
	mock_http m;
	ontra_client *c = start(&m, replies);

	(void)state;
	assert_int_equal(ontra_where_parse(&cond, "status = 1"), 0);
	o.condition = cond;
	o.page_size = 2;
	o.search = "ann";
	assert_int_equal(ontra_search(c, &o, on_object, &s), 0);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.ids[1], 4);
	assert_int_equal(s.ids[4], 12);
	mock_stop(&m);
	assert_int_equal(m.nreqs, 3);
	assert_string_equal(
	    decoded(&m.reqs[0]),
	    "/1/objects?objectID=0&condition=[{\"field\":{\"field\":\"status\"},\"op\":\"=\","
	    "\"value\":{\"value\":1}}]&search=ann&start=0&range=2");
	/* Later pages: the ids after the last one seen, sorted by id, from the start. */
	assert_string_equal(
	    decoded(&m.reqs[1]),
	    "/1/objects?objectID=0&search=ann&condition=[{\"field\":{\"field\":\"status\"},"
	    "\"op\":\"=\",\"value\":{\"value\":1}},\"AND\",{\"field\":{\"field\":\"id\"},\"op\":\">"
	    "\","
	    "\"value\":{\"value\":4}}]&sort=id&sortDir=asc&start=0&range=2");
	assert_non_null(strstr(decoded(&m.reqs[2]), "\"value\":{\"value\":9}}]&sort=id"));
	mock_free(&m);
	json_decref(cond);
	ontra_client_free(c);
}

static void test_search_offsets(void **state)
{
	/* Descending ids: the first page shows no ascending order, so offsets to the end. */
	static const char *const replies[] = {"{\"code\":0,\"data\":[{\"id\":9},{\"id\":8}]}",
	                                      "{\"code\":0,\"data\":[{\"id\":7},{\"id\":6}]}",
	                                      "{\"code\":0,\"data\":[]}", NULL};
	static const char *const flist[] = {"id", "email"};
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	struct seen s = {{0}, 0, 0};
	mock_http m;
	ontra_client *c = start(&m, replies);

	(void)state;
	o.page_size = 2;
	o.start = 10;
	o.fields = flist;
	o.fields_count = 2;
	assert_int_equal(ontra_search(c, &o, on_object, &s), 0);
	assert_int_equal(s.n, 4);
	mock_stop(&m);
	assert_int_equal(m.nreqs, 3);
	assert_string_equal(decoded(&m.reqs[0]),
	                    "/1/objects?objectID=0&listFields=id,email&start=10&range=2");
	assert_string_equal(decoded(&m.reqs[1]),
	                    "/1/objects?objectID=0&listFields=id,email&start=12&range=2");
	assert_string_equal(decoded(&m.reqs[2]),
	                    "/1/objects?objectID=0&listFields=id,email&start=14&range=2");
	mock_free(&m);
	ontra_client_free(c);
}

static void test_search_limit_sort_tag(void **state)
{
	static const char *const replies[] = {
	    "{\"code\":0,\"data\":[{\"id\":1},{\"id\":2},{\"id\":3}]}",
	    "{\"code\":0,\"data\":[{\"id\":4},{\"id\":5}]}", NULL};
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	struct seen s = {{0}, 0, 0};
	mock_http m;
	ontra_client *c = start(&m, replies);

	(void)state;
	/* limit 4, pages of 3: the second page asks only for 1 (it returns 2: one is dropped). */
	o.page_size = 3;
	o.limit = 4;
	o.sort = "lastname";
	o.sort_desc = 1;
	o.tag_id = 8;
	assert_int_equal(ontra_search(c, &o, on_object, &s), 0);
	assert_int_equal(s.n, 4);
	mock_stop(&m);
	assert_int_equal(m.nreqs, 2);
	assert_string_equal(decoded(&m.reqs[0]), "/1/objects/tag?objectID=0&tag_id=8&sort=lastname&"
	                                         "sortDir=desc&start=0&range=3");
	assert_string_equal(decoded(&m.reqs[1]), "/1/objects/tag?objectID=0&tag_id=8&sort=lastname&"
	                                         "sortDir=desc&start=3&range=1");
	mock_free(&m);
	ontra_client_free(c);
}

static void test_search_failures(void **state)
{
	static const char *const replies[] = {
	    "{\"code\":0,\"data\":[{\"id\":1},{\"id\":2}]}", "{\"code\":0,\"data\":{\"id\":1}}",
	    "{\"code\":0,\"data\":[{\"id\":1},{\"id\":2}]}",
	    "{\"code\":0,\"data\":[{\"id\":1},{\"id\":2}]}", NULL};
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	struct seen s = {{0}, 0, 1};
	mock_http m;
	ontra_client *c = start(&m, replies);

	(void)state;
	/* The caller stops after the first object. */
	assert_int_equal(ontra_search(c, &o, on_object, &s), ONTRA_EUSER);
	assert_int_equal(s.n, 1);
	/* A reply that is not a list. */
	s.stop_at = 0;
	assert_int_equal(ontra_search(c, &o, on_object, &s), ONTRA_EBADRESPONSE);
	assert_non_null(strstr(ontra_error_last()->message, "search reply is not a list"));
	/* A keyset page that goes back: refused rather than looping. */
	s.n = 0;
	o.page_size = 2;
	assert_int_equal(ontra_search(c, &o, on_object, &s), ONTRA_EBADRESPONSE);
	assert_non_null(
	    strstr(ontra_error_last()->message, "after id 2 is not in ascending id order"));
	/* Refused locally. */
	assert_int_equal(ontra_search(c, &o, NULL, NULL), ONTRA_EINVALID);
	o.version = 0;
	assert_int_equal(ontra_search(c, &o, on_object, &s), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "expected ONTRA_SEARCH_OPTIONS_INIT"));
	assert_int_equal(requests_of(c), 4);
	mock_stop(&m);
	mock_free(&m);
	ontra_client_free(c);
}

static void test_count(void **state)
{
	static const char *const replies[] = {"{\"code\":0,\"data\":{\"count\":\"12\"}}",
	                                      "{\"code\":0,\"data\":{\"count\":7}}",
	                                      "{\"code\":0,\"data\":{\"listFields\":[]}}", NULL};
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	long long n = 0;
	mock_http m;
	ontra_client *c = start(&m, replies);

	(void)state;
	o.object_type = 14;
	o.search = "vip";
	assert_int_equal(ontra_search_count(&n, c, &o), 0);
	assert_int_equal(n, 12);
	assert_int_equal(ontra_search_count(&n, c, &o), 0);
	assert_int_equal(n, 7);
	assert_int_equal(ontra_search_count(&n, c, &o), ONTRA_EBADRESPONSE);
	assert_non_null(strstr(ontra_error_last()->message, "getInfo reply has no count"));
	o.tag_name = "x";
	assert_int_equal(ontra_search_count(&n, c, &o), ONTRA_EINVALID);
	assert_int_equal(n, -1);
	mock_stop(&m);
	assert_int_equal(m.nreqs, 3);
	assert_string_equal(m.reqs[0].target, "/1/objects/getInfo?objectID=14&search=vip");
	mock_free(&m);
	ontra_client_free(c);
}

static void test_bulk_delete(void **state)
{
	static const long long ids[] = {3, 4};
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;
	json_error_t e;
	json_t *always = json_loads("[{\"field\":{\"field\":\"id\"},\"op\":\">\","
	                            "\"value\":{\"value\":0}}]",
	                            0, &e);
	mock_http m;
	ontra_client *c = start(&m, NULL);

	(void)state;
	assert_non_null(always);
	/* An empty or always-true selection is refused unless ONTRA_DELETE_ALL... */
	assert_int_equal(ontra_objects_delete(c, &o, ONTRA_DELETE_SELECTED), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "refusing to delete every object"));
	o.condition = always;
	assert_int_equal(ontra_objects_delete(c, &o, ONTRA_DELETE_SELECTED), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "empty or always true"));
	o.condition = NULL;
	/* ...and so is a scope that is neither. */
	assert_int_equal(ontra_objects_delete(c, &o, (ontra_delete_scope)2), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "invalid delete scope 2"));
	assert_int_equal(requests_of(c), 0);
	assert_int_equal(ontra_objects_delete(c, &o, ONTRA_DELETE_ALL), 0);
	o.ids = ids;
	o.ids_count = 2;
	assert_int_equal(ontra_objects_delete(c, &o, ONTRA_DELETE_SELECTED), 0);
	json_decref(always);
	mock_stop(&m);
	assert_int_equal(m.nreqs, 2);
	assert_string_equal(m.reqs[0].method, "DELETE");
	assert_string_equal(m.reqs[0].target, "/1/objects?objectID=0&performAll=1");
	assert_string_equal(decoded(&m.reqs[1]), "/1/objects?objectID=0&ids=3,4");
	mock_free(&m);
	ontra_client_free(c);
}

static void test_tags_and_subscriptions(void **state)
{
	static const char *const replies[] = {
	    "{\"code\":0}",
	    "{\"code\":0,\"data\":{\"id\":\"7\",\"tag_name\":\"vip\"}}",
	    "{\"code\":0}",
	    "{\"code\":0}",
	    "{\"code\":0,\"data\":[{\"tag_id\":\"31\",\"tag_name\":\"vip\"}]}",
	    "{\"code\":0}",
	    "{\"code\":0,\"data\":[]}",
	    "{\"data\":\"no such object\"}",
	    NULL};
	static const long long ids[] = {1, 2}, tags[] = {7}, gone[] = {9}, bad[] = {0};
	static const char *const names[] = {"vip"};
	long long tag = 0;
	mock_http m;
	ontra_client *c = start(&m, replies);

	(void)state;
	m.statuses[7] = 404;
	assert_int_equal(ontra_tag_ids(c, 0, ids, 2, tags, 1, ONTRA_ADD), 0);
	/* Untagging by id reads each tag first. */
	assert_int_equal(ontra_tag_ids(c, 0, ids, 2, tags, 1, ONTRA_REMOVE), 0);
	assert_int_equal(ontra_subscribe(c, 0, ids, 1, tags, 1, ONTRA_SUB_SEQUENCE, ONTRA_ADD), 0);
	assert_int_equal(ontra_tag_find(&tag, c, "vip"), 0);
	assert_int_equal(tag, 31);
	assert_int_equal(ontra_tag_names(c, 0, ids, 2, names, 1, ONTRA_ADD), 0);
	assert_int_equal(ontra_tag_find(&tag, c, "nope"), ONTRA_ENOTFOUND);
	assert_non_null(strstr(ontra_error_last()->message, "no tag named 'nope'"));
	/* Untagging by a tag id that does not exist: the GET's 404, nothing removed. */
	assert_int_equal(ontra_tag_ids(c, 0, ids, 2, gone, 1, ONTRA_REMOVE), ONTRA_ENOTFOUND);
	assert_string_equal(ontra_error_last()->message, "no tag with id 9");
	/* Refused locally. */
	assert_int_equal(ontra_tag_ids(c, 0, ids, 0, tags, 1, ONTRA_ADD), ONTRA_EINVALID);
	assert_int_equal(ontra_tag_ids(c, 0, ids, 2, tags, 0, ONTRA_ADD), ONTRA_EINVALID);
	assert_int_equal(ontra_tag_ids(c, 0, ids, 2, bad, 1, ONTRA_ADD), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "invalid tag 0"));
	assert_int_equal(ontra_tag_ids(c, 0, ids, 2, tags, 1, (ontra_list_op)2), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "expected ONTRA_ADD or ONTRA_REMOVE"));
	assert_int_equal(
	    ontra_subscribe(c, 0, ids, 1, tags, 1, ONTRA_SUB_SEQUENCE, (ontra_list_op)-1),
	    ONTRA_EINVALID);
	assert_int_equal(ontra_tag_find(&tag, c, ""), ONTRA_EINVALID);
	assert_int_equal(ontra_tag_names(c, 0, ids, 2, names, 0, ONTRA_ADD), ONTRA_EINVALID);
	mock_stop(&m);
	assert_int_equal(m.nreqs, 8);
	assert_string_equal(m.reqs[0].method, "PUT");
	assert_string_equal(m.reqs[0].target, "/1/objects/tag");
	assert_string_equal(m.reqs[0].body, "objectID=0&ids=1%2C2&add_list=7");
	assert_string_equal(m.reqs[1].method, "GET");
	assert_string_equal(m.reqs[1].target, "/1/object?objectID=14&id=7");
	assert_string_equal(m.reqs[2].method, "DELETE");
	assert_string_equal(m.reqs[2].target, "/1/objects/tag?objectID=0&ids=1%2C2&remove_list=7");
	assert_string_equal(m.reqs[3].body, "objectID=0&ids=1&add_list=7&sub_type=Sequence");
	assert_string_equal(m.reqs[3].target, "/1/objects/subscribe");
	assert_string_equal(decoded(&m.reqs[4]),
	                    "/1/objects?objectID=14&condition=[{\"field\":{\"field\":\"tag_name\"},"
	                    "\"op\":\"=\",\"value\":{\"value\":\"vip\"}}]&start=0&range=50");
	assert_string_equal(m.reqs[5].target, "/1/objects/tagByName");
	assert_string_equal(m.reqs[5].body,
	                    "{\"objectID\":0,\"ids\":[1,2],\"add_names\":[\"vip\"]}");
	assert_string_equal(m.reqs[7].method, "GET");
	assert_string_equal(m.reqs[7].target, "/1/object?objectID=14&id=9");
	mock_free(&m);
	ontra_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_get_delete),      cmocka_unit_test(test_create_update),
	    cmocka_unit_test(test_upsert),          cmocka_unit_test(test_search_keyset),
	    cmocka_unit_test(test_search_offsets),  cmocka_unit_test(test_search_limit_sort_tag),
	    cmocka_unit_test(test_search_failures), cmocka_unit_test(test_count),
	    cmocka_unit_test(test_bulk_delete),     cmocka_unit_test(test_tags_and_subscriptions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
