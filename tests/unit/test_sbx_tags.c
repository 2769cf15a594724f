/*
 * Unit tests for src/sandbox/api/tags.c and src/sandbox/api/subscriptions.c over
 * real HTTP against an in-process sandbox: tag and untag by id and by name
 * (tagByName creating tags), list with a tag, sequences and campaigns, the
 * "being processed" replies, selections by ids / condition / performAll, and
 * that a refused bulk call changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_sbx_helpers.h"

#define TAGGED "\"The tag is now being processed.\""
#define SUBSCRIBED "\"The subscription is now being processed.\""

/* The ids in a list reply, as "1,2". */
static const char *ids_of(sbx_fixture *f, const char *key, char *out, size_t outsz)
{
	json_t *env = th_ok(f), *rec;
	size_t i, len = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(env, "data"), i, rec) len +=
	    (size_t)snprintf(out + len, outsz - len, "%s%s", i ? "," : "",
	                     json_string_value(json_object_get(rec, key)));
	json_decref(env);
	return out;
}

/* Three contacts (1, 2, 3) and two tags (1 "VIP", 2 "Lead"). */
static int seed(void **state)
{
	sbx_fixture *f = *state;

	th_control(f, "POST", "/reset", NULL);
	th_control(f, "POST", "/seed/contacts?count=3", NULL);
	assert_int_equal(f->status, 200);
	th_call(f, "POST", "/Tags", "form", "tag_name=VIP");
	json_decref(th_ok(f));
	th_call(f, "POST", "/Tags", "json", "{\"tag_name\":\"Lead\",\"object_type_id\":0}");
	json_decref(th_ok(f));
	return 0;
}

static void test_tag_by_id(void **state)
{
	sbx_fixture *f = *state;
	char out[256];

	th_call(f, "PUT", "/objects/tag", "form", "objectID=0&ids=1,2&add_list=2,1");
	assert_string_equal(th_data(f, out, sizeof out), TAGGED);
	assert_string_equal(th_field(f, 0, 1, "contact_cat", out, sizeof out), "*/*2*/*1*/*");
	/* adding again changes nothing; JSON body, ids as an array */
	th_call(f, "PUT", "/objects/tag", "json", "{\"objectID\":0,\"ids\":[1],\"add_list\":[1]}");
	assert_string_equal(th_data(f, out, sizeof out), TAGGED);
	assert_string_equal(th_field(f, 0, 1, "contact_cat", out, sizeof out), "*/*2*/*1*/*");
	/* removing: query string (the SDK's DELETE); unknown tag ids change nothing */
	th_call(f, "DELETE", "/objects/tag?objectID=0&ids=1&remove_list=2,77", NULL, NULL);
	assert_string_equal(th_data(f, out, sizeof out), TAGGED);
	assert_string_equal(th_field(f, 0, 1, "contact_cat", out, sizeof out), "*/*1*/*");
	th_call(f, "DELETE", "/objects/tag", "json",
	        "{\"objectID\":0,\"ids\":\"1\",\"remove_list\":\"1\"}");
	json_decref(th_ok(f));
	assert_string_equal(th_field(f, 0, 1, "contact_cat", out, sizeof out), "");
	assert_string_equal(th_field(f, 0, 2, "contact_cat", out, sizeof out), "*/*2*/*1*/*");

	/* refused, and nothing changes: a tag that does not exist (even beside real ones) */
	th_refused(f, "PUT", "/objects/tag", "form", "objectID=0&ids=1,2,3&add_list=1,99", 400,
	           "Invalid add_list: no Tag with id 99");
	assert_string_equal(th_field(f, 0, 3, "contact_cat", out, sizeof out), "(null)");
	th_refused(f, "PUT", "/objects/tag", "form", "objectID=0&add_list=1", 400,
	           "Missing required parameter 'ids' (or performAll=1, a condition or a search)");
	th_refused(f, "PUT", "/objects/tag", "form", "objectID=0&ids=1", 400,
	           "Missing required parameter 'add_list'");
	th_refused(f, "PUT", "/objects/tag", "form", "objectID=14&ids=1&add_list=1", 400,
	           "Invalid objectID '14': Tag records cannot be tagged");
	th_refused(f, "PUT", "/objects/tag", "form", "objectID=0&ids=1&add_list=1&group_id=2", 400,
	           "Invalid group_id '2': no such group");
	/* unknown object ids are skipped */
	th_call(f, "PUT", "/objects/tag", "form", "objectID=0&ids=3,424242&add_list=1");
	json_decref(th_ok(f));
	assert_string_equal(th_field(f, 0, 3, "contact_cat", out, sizeof out), "*/*1*/*");
}

static void test_tag_by_name(void **state)
{
	sbx_fixture *f = *state;
	char out[512];

	/* examples/req-put-objects-tagbyname.json: names that are no tag are created */
	th_call(f, "PUT", "/objects/tagByName", "json",
	        "{\"objectID\":0,\"ids\":[1,2],\"add_names\":[\"VIP\",\"New, with comma\"]}");
	assert_string_equal(th_data(f, out, sizeof out), TAGGED);
	th_call(f, "GET", "/Tags?condition=tag_name%20%3D%20%27New%2C%20with%20comma%27", NULL,
	        NULL);
	assert_string_equal(ids_of(f, "tag_id", out, sizeof out), "3");
	assert_string_equal(th_field(f, 14, 3, "object_type_id", out, sizeof out), "0");
	assert_string_equal(th_field(f, 0, 2, "contact_cat", out, sizeof out), "*/*1*/*3*/*");
	/* again (form, CSV): no second tag */
	th_call(f, "PUT", "/objects/tagByName", "form", "objectID=0&ids=3&add_names=VIP");
	json_decref(th_ok(f));
	th_call(f, "GET", "/objects/getInfo?objectID=14", NULL, NULL);
	assert_non_null(strstr(th_data(f, out, sizeof out), "\"count\":\"3\""));
	/* remove by name; a name that is no tag removes nothing and creates nothing */
	th_call(f, "DELETE", "/objects/tagByName", "json",
	        "{\"objectID\":0,\"ids\":[1,2,3],\"remove_names\":[\"VIP\",\"Ghost\"]}");
	assert_string_equal(th_data(f, out, sizeof out), TAGGED);
	assert_string_equal(th_field(f, 0, 2, "contact_cat", out, sizeof out), "*/*3*/*");
	assert_string_equal(th_field(f, 0, 3, "contact_cat", out, sizeof out), "");
	th_call(f, "GET", "/objects/getInfo?objectID=14", NULL, NULL);
	assert_non_null(strstr(th_data(f, out, sizeof out), "\"count\":\"3\""));
	/* refused: an empty name; a failing call creates no tag */
	th_refused(f, "PUT", "/objects/tagByName", "json",
	           "{\"objectID\":0,\"ids\":[1],\"add_names\":[\"Fresh\",\"\"]}", 400,
	           "Invalid add_names: tag name 2 is empty");
	th_refused(f, "PUT", "/objects/tagByName", "json",
	           "{\"objectID\":0,\"ids\":[1],\"add_names\":[\"Fresh\"],\"condition\":\"x = 1\"}",
	           400, "Invalid condition: unknown field 'x' for Contact");
	th_call(f, "GET", "/objects/getInfo?objectID=14", NULL, NULL);
	assert_non_null(strstr(th_data(f, out, sizeof out), "\"count\":\"3\""));
}

static void test_with_tag(void **state)
{
	sbx_fixture *f = *state;
	char out[512];

	th_call(f, "PUT", "/objects/tag", "form", "objectID=0&ids=1,3&add_list=1");
	json_decref(th_ok(f));
	th_call(f, "GET", "/objects/tag?objectID=0&tag_id=1", NULL, NULL);
	assert_string_equal(ids_of(f, "id", out, sizeof out), "1,3");
	th_call(f, "GET", "/objects/tag?objectID=0&tag_name=VIP&search=contact3", NULL, NULL);
	assert_string_equal(ids_of(f, "id", out, sizeof out), "3");
	th_call(f, "GET", "/objects/tag?objectID=0&tag_name=VIP&sort=id&sortDir=desc&range=1", NULL,
	        NULL);
	assert_string_equal(ids_of(f, "id", out, sizeof out), "3");
	th_call(f, "GET", "/objects/tag?objectID=0&tag_id=1&count=true", NULL, NULL);
	assert_string_equal(th_data(f, out, sizeof out), "{\"count\":\"2\"}");
	th_call(f, "GET", "/objects/tag?objectID=0&tag_id=2", NULL, NULL);
	assert_string_equal(ids_of(f, "id", out, sizeof out), "");
	/* a tag id that is a prefix of another does not match it */
	th_call(f, "PUT", "/objects/tagByName", "json",
	        "{\"objectID\":0,\"ids\":[2],\"add_names\":[\"t3\",\"t4\",\"t5\",\"t6\",\"t7\","
	        "\"t8\",\"t9\",\"t10\",\"t11\"]}");
	json_decref(th_ok(f));
	th_call(f, "GET", "/objects/tag?objectID=0&tag_id=1", NULL, NULL);
	assert_string_equal(ids_of(f, "id", out, sizeof out), "1,3");
	th_call(f, "GET", "/objects/tag?objectID=0&tag_id=11", NULL, NULL);
	assert_string_equal(ids_of(f, "id", out, sizeof out), "2");
	/* refused */
	th_refused(f, "GET", "/objects/tag?objectID=0", NULL, NULL, 400,
	           "Missing required parameter 'tag_id' (or 'tag_name')");
	th_refused(f, "GET", "/objects/tag?objectID=0&tag_name=Nope", NULL, NULL, 404,
	           "Object not found: no tag named 'Nope'");
	th_refused(f, "GET", "/objects/tag?objectID=0&tag_id=404", NULL, NULL, 404,
	           "Object not found: no Tag with id 404");
	th_refused(f, "GET", "/objects/tag?objectID=5&tag_id=1", NULL, NULL, 400,
	           "Invalid objectID '5': Sequence records cannot be tagged");
}

/* performAll and conditions select what a bulk call acts on, atomically. */
static void test_bulk(void **state)
{
	sbx_fixture *f = *state;
	char out[256];

	th_control(f, "POST", "/seed/contacts?count=100", NULL);
	th_call(f, "PUT", "/objects/tag", "form",
	        "objectID=0&add_list=2&performAll=1&condition=id%20%3E%2090");
	json_decref(th_ok(f));
	th_call(f, "GET", "/objects/tag?objectID=0&tag_id=2&count=1", NULL, NULL);
	assert_string_equal(th_data(f, out, sizeof out), "{\"count\":\"13\"}");
	/* performAll alone: every object; ids are then ignored */
	th_call(f, "PUT", "/objects/tag", "form", "objectID=0&add_list=1&performAll=1&ids=1");
	json_decref(th_ok(f));
	th_call(f, "GET", "/objects/tag?objectID=0&tag_id=1&count=1", NULL, NULL);
	assert_string_equal(th_data(f, out, sizeof out), "{\"count\":\"103\"}");
	/* a search narrows too */
	th_call(f, "DELETE", "/objects/tag", "form", "objectID=0&remove_list=1&search=contact10");
	json_decref(th_ok(f));
	th_call(f, "GET", "/objects/tag?objectID=0&tag_id=1&count=1", NULL, NULL);
	assert_string_equal(th_data(f, out, sizeof out),
	                    "{\"count\":\"98\"}"); /* not 10, 100..103 */
}

static void test_subscriptions(void **state)
{
	sbx_fixture *f = *state;
	char out[256];

	/* examples/resp-put-delete-objects-sequence-or-subscribe.json */
	th_call(f, "PUT", "/objects/subscribe", "form",
	        "objectID=0&ids=1,2&add_list=2&sub_type=Sequence");
	assert_string_equal(th_data(f, out, sizeof out), SUBSCRIBED);
	assert_string_equal(th_field(f, 0, 1, "updateSequence", out, sizeof out), "*/*2*/*");
	assert_string_equal(th_field(f, 0, 1, "updateCampaign", out, sizeof out), "(null)");
	/* sub_type defaults to Campaign */
	th_call(f, "PUT", "/objects/subscribe", "json",
	        "{\"objectID\":0,\"ids\":[1],\"add_list\":[1,2]}");
	assert_string_equal(th_data(f, out, sizeof out), SUBSCRIBED);
	assert_string_equal(th_field(f, 0, 1, "updateCampaign", out, sizeof out), "*/*1*/*2*/*");
	th_call(f, "DELETE", "/objects/subscribe?objectID=0&ids=1&remove_list=1&sub_type=campaign",
	        NULL, NULL);
	json_decref(th_ok(f));
	assert_string_equal(th_field(f, 0, 1, "updateCampaign", out, sizeof out), "*/*2*/*");
	/* the legacy /objects/sequence */
	th_call(f, "PUT", "/objects/sequence", "form", "objectID=0&ids=3&add_list=1");
	assert_string_equal(th_data(f, out, sizeof out), SUBSCRIBED);
	assert_string_equal(th_field(f, 0, 3, "updateSequence", out, sizeof out), "*/*1*/*");
	th_call(f, "DELETE", "/objects/sequence?objectID=0&ids=3,2&remove_list=1,2", NULL, NULL);
	json_decref(th_ok(f));
	assert_string_equal(th_field(f, 0, 3, "updateSequence", out, sizeof out), "");
	assert_string_equal(th_field(f, 0, 2, "updateSequence", out, sizeof out), "");
	assert_string_equal(th_field(f, 0, 1, "updateSequence", out, sizeof out), "*/*2*/*");
	/* refused, nothing changed */
	th_refused(f, "PUT", "/objects/subscribe", "form",
	           "objectID=0&ids=2&add_list=1&sub_type=Drip", 400,
	           "Invalid sub_type 'Drip': expected Campaign or Sequence");
	th_refused(f, "PUT", "/objects/subscribe", "form",
	           "objectID=0&ids=2&add_list=1,3&sub_type=Sequence", 400,
	           "Invalid add_list: no Sequence with id 3");
	th_refused(f, "PUT", "/objects/subscribe", "form", "objectID=0&ids=2&add_list=9", 400,
	           "Invalid add_list: no CampaignBuilder with id 9");
	assert_string_equal(th_field(f, 0, 2, "updateSequence", out, sizeof out), "");
	th_refused(f, "PUT", "/objects/subscribe", "form", "objectID=14&ids=1&add_list=1", 400,
	           "Invalid objectID '14': Tag records cannot join campaigns");
	/* a custom object type takes them too */
	th_control(f, "POST", "/object-types", "{\"name\":\"Dog\",\"fields\":{\"name\":{}}}");
	th_call(f, "POST", "/Dogs", "json", "{\"name\":\"Rex\"}");
	json_decref(th_ok(f));
	th_call(f, "PUT", "/objects/subscribe", "form", "objectID=10000&ids=1&add_list=2");
	json_decref(th_ok(f));
	assert_string_equal(th_field(f, 10000, 1, "updateCampaign", out, sizeof out), "*/*2*/*");
	th_call(f, "PUT", "/objects/tagByName", "form", "objectID=10000&ids=1&add_names=Good");
	json_decref(th_ok(f));
	th_call(f, "GET", "/objects/tag?objectID=10000&tag_name=Good", NULL, NULL);
	assert_string_equal(ids_of(f, "id", out, sizeof out), "1");
	th_call(f, "GET", "/Tags?condition=tag_name%20%3D%20%27Good%27&listFields=object_type_id",
	        NULL, NULL);
	assert_string_equal(ids_of(f, "object_type_id", out, sizeof out), "10000");
}

/* /Tags CRUD is the generic code: create, rename, list, delete. */
static void test_tags_crud(void **state)
{
	sbx_fixture *f = *state;
	char out[256];

	th_call(f, "POST", "/Tags", "form", "tag_name=Third&object_type_id=0");
	assert_string_equal(th_data(f, out, sizeof out),
	                    "{\"tag_name\":\"Third\",\"object_type_id\":\"0\",\"tag_id\":\"3\"}");
	th_refused(f, "POST", "/Tags", "form", "object_type_id=0", 400,
	           "Missing required field 'tag_name'");
	th_call(f, "PUT", "/Tags", "form", "id=3&tag_name=Renamed");
	assert_string_equal(th_data(f, out, sizeof out),
	                    "{\"attrs\":{\"tag_name\":\"Renamed\",\"tag_id\":\"3\"}}");
	th_call(f, "GET", "/Tags?listFields=tag_id,tag_name&sort=tag_name", NULL, NULL);
	assert_string_equal(ids_of(f, "tag_name", out, sizeof out), "Lead,Renamed,VIP");
	th_call(f, "DELETE", "/Tag?id=3", NULL, NULL);
	assert_string_equal(th_data(f, out, sizeof out), "(none)");
	th_refused(f, "GET", "/Tag?id=3", NULL, NULL, 404, "Object not found: no Tag with id 3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_tag_by_id, seed),
	    cmocka_unit_test_setup(test_tag_by_name, seed),
	    cmocka_unit_test_setup(test_with_tag, seed),
	    cmocka_unit_test_setup(test_bulk, seed),
	    cmocka_unit_test_setup(test_subscriptions, seed),
	    cmocka_unit_test_setup(test_tags_crud, seed),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, th_setup, th_teardown);
}
