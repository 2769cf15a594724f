/*
 * Unit tests for src/sandbox/api/writes.c (and the collection parameters of
 * criteria.c as the endpoints read them), over real HTTP against an
 * in-process sandbox: update, delete one and many, saveorupdate (create vs
 * merge, ignore_blanks), getByEmail, getInfo and list with conditions, the
 * 403/404/422 answers, and that refused writes change nothing.
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

/* Create a contact from a JSON body; its id. */
static long long create(sbx_fixture *f, const char *json)
{
	json_t *env;
	long long id;

	th_call(f, "POST", "/objects", "json", json);
	env = th_ok(f);
	id = atoll(json_string_value(json_object_get(json_object_get(env, "data"), "id")));
	json_decref(env);
	return id;
}

/* getInfo's count for a query string. */
static long long count(sbx_fixture *f, const char *query)
{
	char path[1024];
	json_t *env;
	long long n;

	snprintf(path, sizeof path, "/objects/getInfo?objectID=0%s", query);
	th_call(f, "GET", path, NULL, NULL);
	env = th_ok(f);
	n = atoll(json_string_value(json_object_get(json_object_get(env, "data"), "count")));
	json_decref(env);
	return n;
}

static void test_update(void **state)
{
	sbx_fixture *f = *state;
	long long id = create(f, "{\"objectID\":0,\"firstname\":\"Mary\",\"email\":\"m@x.io\"}");
	char path[128], body[256], out[512], v[64];
	json_t *env, *attrs;

	/* JSON body: attrs holds what changed, then dlm, then id (resp-put-objects-update-contact)
	 */
	snprintf(body, sizeof body,
	         "{\"objectID\":0,\"id\":%lld,\"lastname\":\"Smith\",\"firstname\":"
	         "\"Mary\",\"nosuch\":1}",
	         id);
	th_call(f, "PUT", "/objects", "json", body);
	env = th_ok(f);
	attrs = json_object_get(json_object_get(env, "data"), "attrs");
	assert_int_equal(json_object_size(attrs), 3);
	assert_string_equal(json_string_value(json_object_get(attrs, "lastname")), "Smith");
	assert_non_null(json_string_value(json_object_get(attrs, "dlm")));
	snprintf(v, sizeof v, "%lld", id);
	assert_string_equal(json_string_value(json_object_get(attrs, "id")), v);
	json_decref(env);
	/* form body to the named endpoint */
	snprintf(body, sizeof body, "id=%lld&company=Acme", id);
	th_call(f, "PUT", "/Contacts", "form", body);
	json_decref(th_ok(f));
	assert_string_equal(th_field(f, 0, id, "company", v, sizeof v), "Acme");
	/* nothing changed: attrs is the id alone */
	th_call(f, "PUT", "/Contacts", "form", body);
	snprintf(v, sizeof v, "{\"attrs\":{\"id\":\"%lld\"}}", id);
	assert_string_equal(th_data(f, out, sizeof out), v);
	/* refused: bad email (unchanged), missing record, missing id, a type without PUT */
	snprintf(body, sizeof body,
	         "{\"objectID\":0,\"id\":%lld,\"email\":\"nope\",\"company\":\"B\"}", id);
	th_refused(f, "PUT", "/objects", "json", body, 422,
	           "Invalid email address 'nope' in field 'email'");
	assert_string_equal(th_field(f, 0, id, "company", v, sizeof v), "Acme");
	th_refused(f, "PUT", "/objects", "json", "{\"objectID\":0,\"id\":999,\"firstname\":\"X\"}",
	           404, "Object not found: no Contact with id 999");
	th_refused(f, "PUT", "/objects", "json", "{\"objectID\":0,\"firstname\":\"X\"}", 400,
	           "Missing required parameter 'id'");
	th_refused(f, "PUT", "/objects", "json", "{\"objectID\":5,\"id\":1,\"name\":\"X\"}", 403,
	           "Forbidden: Sequence records cannot be updated through this endpoint");
	snprintf(path, sizeof path, "/objects?objectID=0&id=%lld&firstname=Q", id);
	th_call(f, "PUT", path, NULL, NULL); /* parameters in the query string work too */
	json_decref(th_ok(f));
	assert_string_equal(th_field(f, 0, id, "firstname", v, sizeof v), "Q");
}

static void test_delete(void **state)
{
	sbx_fixture *f = *state;
	long long a = create(f, "{\"objectID\":0,\"firstname\":\"A\"}");
	long long b = create(f, "{\"objectID\":0,\"firstname\":\"B\"}");
	long long c = create(f, "{\"objectID\":0,\"firstname\":\"C\",\"email\":\"c@x.io\"}");
	char path[256], out[256];

	/* one: no data key (resp-delete-object-single.json); again: 404 */
	snprintf(path, sizeof path, "/object?objectID=0&id=%lld", a);
	th_call(f, "DELETE", path, NULL, NULL);
	assert_string_equal(th_data(f, out, sizeof out), "(none)");
	assert_null(strstr(f->body.data, "\"data\""));
	th_call(f, "DELETE", path, NULL, NULL);
	snprintf(out, sizeof out, "Object not found: no Contact with id %lld", a);
	th_fails(f, 404, out);
	th_refused(f, "DELETE", "/object?objectID=14", NULL, NULL, 400,
	           "Missing required parameter 'id'");
	th_refused(f, "DELETE", "/object?objectID=122&id=1", NULL, NULL, 403,
	           "Forbidden: SmartFormFE records cannot be deleted through this endpoint");
	/* many: unknown ids are ignored; ids in brackets */
	snprintf(path, sizeof path, "/objects?objectID=0&ids[0]=%lld&ids[1]=424242", b);
	th_call(f, "DELETE", path, NULL, NULL);
	assert_string_equal(th_data(f, out, sizeof out), "\"Deleted\"");
	assert_int_equal(count(f, ""), 1);
	/* by condition, in a JSON body */
	create(f, "{\"objectID\":0,\"firstname\":\"D\",\"email\":\"d@y.io\"}");
	th_call(f, "DELETE", "/objects", "json",
	        "{\"objectID\":0,\"condition\":[{\"field\":{\"field\":\"email\"},\"op\":\"LIKE\","
	        "\"value\":{\"value\":\"%@x.io\"}}]}");
	json_decref(th_ok(f));
	assert_int_equal(count(f, ""), 1);
	snprintf(path, sizeof path, "/Contact?id=%lld", c);
	th_call(f, "GET", path, NULL, NULL);
	assert_int_equal(f->status, 404);
	/* a bad condition deletes nothing */
	th_refused(f, "DELETE", "/objects?objectID=0&condition=%5B%7B%7D%5D", NULL, NULL, 400,
	           "Invalid condition: clause 1 needs \"field\":{\"field\":NAME}");
	assert_int_equal(count(f, ""), 1);
	/* no ids, no criteria: every record of the type (§10) */
	th_call(f, "DELETE", "/Contacts", NULL, NULL);
	json_decref(th_ok(f));
	assert_int_equal(count(f, ""), 0);
}

static void test_saveorupdate(void **state)
{
	sbx_fixture *f = *state;
	char out[1024], v[64];
	json_t *env, *data;
	long long id;

	/* created: the record like a create (resp-post-saveorupdate-contact-created.json) */
	th_call(f, "POST", "/objects/saveorupdate", "form",
	        "objectID=0&email=ann%40x.io&firstname=Ann&lastname=Lee");
	env = th_ok(f);
	data = json_object_get(env, "data");
	assert_null(json_object_get(data, "attrs"));
	assert_string_equal(json_string_value(json_object_get(data, "use_utm_names")), "false");
	assert_string_equal(json_string_value(json_object_get(data, "owner")), "1");
	id = atoll(json_string_value(json_object_get(data, "id")));
	json_decref(env);
	/* merged by email: attrs; a blank overwrites (ignore_blanks false, the default) */
	th_call(f, "POST", "/Contacts/saveorupdate", "form",
	        "email=ann%40x.io&firstname=Annie&lastname=&ignore_blanks=0");
	env = th_ok(f);
	data = json_object_get(json_object_get(env, "data"), "attrs");
	assert_string_equal(json_string_value(json_object_get(data, "firstname")), "Annie");
	assert_string_equal(json_string_value(json_object_get(data, "lastname")), "");
	assert_non_null(json_object_get(data, "dlm"));
	json_decref(env);
	/* ignore_blanks: the blank is skipped and absent from attrs */
	th_call(f, "POST", "/objects/saveorupdate", "json",
	        "{\"objectID\":0,\"email\":\"ann@x.io\",\"firstname\":\"\",\"company\":\"Co\","
	        "\"ignore_blanks\":true}");
	env = th_ok(f);
	data = json_object_get(json_object_get(env, "data"), "attrs");
	assert_null(json_object_get(data, "firstname"));
	assert_string_equal(json_string_value(json_object_get(data, "company")), "Co");
	json_decref(env);
	assert_string_equal(th_field(f, 0, id, "firstname", v, sizeof v), "Annie");
	assert_int_equal(count(f, ""), 1);
	/* a bad email is 422 and creates nothing */
	th_refused(f, "POST", "/objects/saveorupdate", "form", "objectID=0&email=bad%40", 422,
	           "Invalid email address 'bad@' in field 'email'");
	assert_int_equal(count(f, ""), 1);
	/* no email: always a new record */
	th_call(f, "POST", "/objects/saveorupdate", "form", "objectID=0&firstname=Ann");
	json_decref(th_ok(f));
	assert_int_equal(count(f, ""), 2);
	/* unique_id (read-only: a fixture sets it) is tried first, then the email */
	th_control(f, "POST", "/seed/objects",
	           "{\"objectID\":0,\"records\":[{\"unique_id\":\"U1\",\"email\":\"u@x.io\"}]}");
	assert_int_equal(f->status, 200);
	th_call(f, "POST", "/objects/saveorupdate", "form",
	        "objectID=0&unique_id=U1&email=ann%40x.io&firstname=ByUid");
	th_data(f, out, sizeof out);
	assert_non_null(strstr(out, "\"email\":\"ann@x.io\""));
	assert_string_equal(th_field(f, 0, 3, "firstname", v, sizeof v), "ByUid");
	th_call(f, "POST", "/objects/saveorupdate", "form",
	        "objectID=0&unique_id=NOPE&email=ann%40x.io&firstname=ByMail");
	json_decref(th_ok(f));
	assert_string_equal(th_field(f, 0, id, "firstname", v, sizeof v), "ByMail");
	assert_int_equal(count(f, ""), 3);
	/* a custom type merges on its unique field */
	th_control(f, "POST", "/object-types",
	           "{\"name\":\"Dog\",\"fields\":{\"chip\":{\"type\":\"text\",\"unique\":1},"
	           "\"name\":{\"type\":\"text\"}}}");
	assert_int_equal(f->status, 200);
	th_call(f, "POST", "/Dogs/saveorupdate", "json", "{\"chip\":\"A1\",\"name\":\"Rex\"}");
	json_decref(th_ok(f));
	th_call(f, "POST", "/Dogs/saveorupdate", "json", "{\"chip\":\"A1\",\"name\":\"Max\"}");
	th_data(f, out, sizeof out);
	assert_true(strncmp(out, "{\"attrs\":{\"name\":\"Max\",\"dlm\":", 29) == 0);
	th_call(f, "GET", "/Dogs/getInfo", NULL, NULL);
	assert_non_null(strstr(th_data(f, out, sizeof out), "\"count\":\"1\""));
}

static void test_getbyemail(void **state)
{
	sbx_fixture *f = *state;
	long long a = create(f, "{\"objectID\":0,\"email\":\"same@x.io\"}");
	long long b = create(f, "{\"objectID\":0,\"email\":\"same@x.io\"}");
	char out[256], want[256];

	th_call(f, "GET", "/object/getByEmail?objectID=0&email=same%40x.io", NULL, NULL);
	snprintf(want, sizeof want, "{\"id\":\"%lld\"}", a);
	assert_string_equal(th_data(f, out, sizeof out), want);
	th_call(f, "GET", "/object/getByEmail?objectID=0&email=same%40x.io&all=1", NULL, NULL);
	snprintf(want, sizeof want, "{\"ids\":[\"%lld\",\"%lld\"]}", a, b);
	assert_string_equal(th_data(f, out, sizeof out), want);
	th_refused(f, "GET", "/object/getByEmail?objectID=0&email=other%40x.io", NULL, NULL, 404,
	           "Object not found: no Contact with email 'other@x.io'");
	th_refused(f, "GET", "/object/getByEmail?objectID=0&email=not-an-email", NULL, NULL, 404,
	           "Object not found: no Contact with email 'not-an-email'");
	th_refused(f, "GET", "/object/getByEmail?objectID=0", NULL, NULL, 400,
	           "Missing required parameter 'email'");
	th_refused(f, "GET", "/object/getByEmail?objectID=14&email=a%40b.io", NULL, NULL, 400,
	           "Invalid objectID '14': Tag records have no email field");
}

/* The collection parameters as list and getInfo read them. */
static void test_selection(void **state)
{
	sbx_fixture *f = *state;
	char out[4096];
	json_t *env;
	int i;

	th_control(f, "POST", "/seed/contacts?count=120", NULL);
	assert_int_equal(f->status, 200);
	assert_int_equal(count(f, ""), 120);
	/* condition, search, ids (CSV, JSON array, bracket form) and their combination */
	assert_int_equal(
	    count(f, "&condition=%5B%7B%22field%22%3A%7B%22field%22%3A%22id%22%7D%2C"
	             "%22op%22%3A%22%3E%22%2C%22value%22%3A%7B%22value%22%3A100%7D%7D%5D"),
	    20);
	assert_int_equal(count(f, "&condition=id%20%3E%20100%20AND%20id%20%3C%3D%20105"), 5);
	assert_int_equal(count(f, "&search=contact11"), 11); /* 11, 110..119 */
	assert_int_equal(count(f, "&search=CONTACT11&ids=1,11,110"), 2);
	assert_int_equal(count(f, "&ids=%5B1%2C2%2C3%5D"), 3);
	assert_int_equal(count(f, "&ids[]=1&ids[]=2"), 2);
	assert_int_equal(count(f, "&ids=0"), 120);
	assert_int_equal(count(f, "&ids=1,2&performAll=1"), 120); /* performAll: every match */
	assert_int_equal(count(f, "&searchNotes=1&search=First7"), 11);
	assert_int_equal(count(f, "&group_id=0"), 120);
	/* a page: range capped at 50; sort + sortDir; listFields */
	th_call(f, "GET", "/objects?objectID=0&range=500&sort=id&sortDir=DESC&listFields=id,email",
	        NULL, NULL);
	env = th_ok(f);
	assert_int_equal(json_array_size(json_object_get(env, "data")), 50);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(env, "data"), 0), "id")),
	                    "120");
	assert_int_equal(json_object_size(json_array_get(json_object_get(env, "data"), 0)), 2);
	assert_non_null(json_object_get(env, "misc"));
	json_decref(env);
	th_call(f, "GET",
	        "/objects?objectID=0&start=110&condition=email%20LIKE%20%27%25%40seed%25%27", NULL,
	        NULL);
	env = th_ok(f);
	assert_int_equal(json_array_size(json_object_get(env, "data")), 10);
	json_decref(env);
	/* count=1: {"count": "N"} */
	th_call(f, "GET", "/Contacts?count=1&search=First12", NULL, NULL);
	assert_string_equal(th_data(f, out, sizeof out), "{\"count\":\"2\"}");
	/* "id" sorts by the id key of any type */
	th_call(f, "GET", "/Tags?sort=id", NULL, NULL);
	json_decref(th_ok(f));
	/* what the sandbox cannot honour is refused, one line each */
	static const struct {
		const char *query, *text;
	} refused[] = {
	    {"&group_id=3", "Invalid group_id '3': no such group"},
	    {"&group_ids=0,4", "Invalid group_ids '4': no such group"},
	    {"&group_id=x", "Invalid group_id"},
	    {"&performAll=maybe", "Invalid performAll 'maybe': expected 1, 0, true or false"},
	    {"&condition=%5B%7B", "Invalid condition: malformed JSON"},
	    {"&condition=nosuch%20%3D%201",
	     "Invalid condition: unknown field 'nosuch' for Contact"},
	    {"&ids=a", "Invalid ids"},
	};
	for (i = 0; i < (int)(sizeof refused / sizeof *refused); i++) {
		char path[512];
		snprintf(path, sizeof path, "/objects/getInfo?objectID=0%s", refused[i].query);
		th_call(f, "GET", path, NULL, NULL);
		if (f->status != 400 ||
		    strncmp(f->body.data, refused[i].text, strlen(refused[i].text)))
			fail_msg("%s: got %ld '%s'", refused[i].query, f->status, f->body.data);
		assert_null(strchr(f->body.data, '\n'));
	}
}

/* The id key is in every type's meta, read-only; sequences carry id and drip_id. */
static void test_meta_and_sequences(void **state)
{
	sbx_fixture *f = *state;
	json_t *env, *fields, *rec;

	th_call(f, "GET", "/Tags/meta", NULL, NULL);
	env = th_ok(f);
	fields = json_object_get(json_object_get(json_object_get(env, "data"), "14"), "fields");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(fields, "tag_id"), "editable")), "0");
	json_decref(env);
	th_call(f, "GET", "/objects?objectID=5", NULL, NULL);
	env = th_ok(f);
	rec = json_array_get(json_object_get(env, "data"), 1);
	assert_string_equal(json_string_value(json_object_get(rec, "id")), "2");
	assert_string_equal(json_string_value(json_object_get(rec, "drip_id")), "2");
	json_decref(env);
}

static int reset(void **state)
{
	sbx_fixture *f = *state;

	th_control(f, "POST", "/reset", NULL);
	assert_int_equal(f->status, 200);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_update, reset),
	    cmocka_unit_test_setup(test_delete, reset),
	    cmocka_unit_test_setup(test_saveorupdate, reset),
	    cmocka_unit_test_setup(test_getbyemail, reset),
	    cmocka_unit_test_setup(test_selection, reset),
	    cmocka_unit_test_setup(test_meta_and_sequences, reset),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, th_setup, th_teardown);
}
