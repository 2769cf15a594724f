/*
 * Unit tests for src/sandbox/api/rules.c and src/sandbox/api/messages.c, over real
 * HTTP against an in-process sandbox: the sandbox's own check of rule strings
 * (table-driven: what it accepts, what it answers 400 to and with which text),
 * the reply shapes of rule and message writes, pause/unpause, deletes.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_sbx_helpers.h"

/* A rule create with these parts; NULL parts are left out. */
static long create_rule(sbx_fixture *f, const char *events, const char *conditions,
                        const char *actions)
{
	json_t *b = json_pack("{s:i}", "object_type_id", 0);
	char *s;
	long st;

	if (events)
		json_object_set_new(b, "events", json_string(events));
	if (conditions)
		json_object_set_new(b, "conditions", json_string(conditions));
	if (actions)
		json_object_set_new(b, "actions", json_string(actions));
	s = json_dumps(b, JSON_COMPACT);
	st = th_call(f, "POST", "/Rules", "json", s);
	free(s);
	json_decref(b);
	return st;
}

static void rule_strings(void **state)
{
	static const struct {
		const char *events, *conditions, *actions;
		long status;
		const char *says;
	} cases[] = {
	    /* accepted */
	    {"Contact_added_to_campaign(1)", NULL, "Add_contact_to_category(1)", 200, NULL},
	    {" Contact_added_to_my_database() ; relative_date_field(1,2,0,f1)",
	     "Is_in_category(1);Is_not_in_category(2)|sms_contains_email()",
	     "Ping_APIURL(http://h.example/x::a=1,b=2::1);Change_field_to_fieldvalue(f1,x,)", 200,
	     NULL},
	    {"Contact_subscription_to_productsub_is_subevent(1,2)", "", "Ping_APIURL(3)", 200,
	     NULL},
	    /* refused, with a short text naming the item */
	    {"Contact_added_to_campain(1)", NULL, "Add_contact_to_category(1)", 400,
	     "Invalid events: unknown item 'Contact_added_to_campain'"},
	    {"Contact_added_to_campaign(1)", NULL, "Add_contact_to_category(1,2)", 400,
	     "Invalid actions: 'Add_contact_to_category' takes 1 argument, got 2"},
	    {"relative_date_field(1,2)", NULL, "Add_contact_to_category(1)", 400,
	     "'relative_date_field' takes 4 arguments, got 2"},
	    {"Contact_added_to_campaign(1)", "Is_in_category(2", "Add_contact_to_category(1)", 400,
	     "Invalid conditions: malformed item 'Is_in_category(2'"},
	    {"Contact_added_to_campaign", NULL, "Add_contact_to_category(1)", 400,
	     "malformed item"},
	    {"Contact_added_to_campaign(1)x", NULL, "Add_contact_to_category(1)", 400,
	     "malformed item"},
	    {"Contact_added_to_campaign((1))", NULL, "Add_contact_to_category(1)", 400,
	     "malformed item"},
	    {"Is_in_category(1)", NULL, "Add_contact_to_category(1)", 400,
	     "Invalid events: unknown item 'Is_in_category'"},
	    {"Contact_added_to_campaign(1)|Contact_added_to_campaign(2)", NULL,
	     "Add_contact_to_category(1)", 400, "'|' is only allowed between conditions"},
	    {"Contact_added_to_campaign(1)", "Is_in_category(1);", "Add_contact_to_category(1)",
	     400, "Invalid conditions: empty item after ';'"},
	    {"Contact_added_to_campaign(1)", NULL, "Ping_APIURL(http://h::a::1::x)", 400,
	     "'Ping_APIURL' takes 1 to 3 arguments, got 4"},
	    {"  ", NULL, "Add_contact_to_category(1)", 400, "Invalid events: at least one item"},
	    {"Contact_added_to_campaign(1)", NULL, NULL, 200,
	     NULL}, /* parts not given: "" (§M13) */
	    {NULL, NULL, "Add_contact_to_category(1)", 200, NULL},
	};
	sbx_fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		long st = create_rule(f, cases[i].events, cases[i].conditions, cases[i].actions);
		if (st != cases[i].status)
			fail_msg("case %zu: status %ld, want %ld: %s", i, st, cases[i].status,
			         f->body.data);
		if (cases[i].says && !strstr(f->body.data, cases[i].says))
			fail_msg("case %zu: '%s' lacks '%s'", i, f->body.data, cases[i].says);
		if (st != 200)
			assert_null(strchr(f->body.data, '\n'));
	}
}

static void rule_writes(void **state)
{
	sbx_fixture *f = *state;
	json_t *env, *data;
	char path[64], body[128], id[32];

	th_call(
	    f, "POST", "/Rules", "json",
	    "{\"object_type_id\":0,\"name\":\"R\",\"tags\":\"t1\",\"events\":\"Contact_added_to_"
	    "campaign(1)\",\"actions\":\"Add_contact_to_category(1)\"}");
	env = th_ok(f);
	data = json_object_get(env, "data");
	/* the full record, values as strings (examples/resp-post-rules-create.json) */
	assert_string_equal(json_string_value(json_object_get(data, "name")), "R");
	assert_string_equal(json_string_value(json_object_get(data, "tags")), "t1");
	assert_string_equal(json_string_value(json_object_get(data, "pause")), "0");
	assert_string_equal(json_string_value(json_object_get(data, "conditions")), "");
	assert_string_equal(json_string_value(json_object_get(data, "last_action")), "0");
	assert_string_equal(json_string_value(json_object_get(data, "object_type_id")), "0");
	assert_true(json_is_null(json_object_get(data, "drip_id")));
	assert_non_null(json_object_get(data, "date"));
	assert_non_null(json_string_value(json_object_get(data, "id")));
	snprintf(id, sizeof id, "%s", json_string_value(json_object_get(data, "id")));
	json_decref(env);

	/* update, form as the SDK sends it: attrs = changed + dlm + id */
	snprintf(body, sizeof body, "id=%s&pause=true&name=R", id);
	th_call(f, "PUT", "/Rules", "form", body);
	env = th_ok(f);
	data = json_object_get(json_object_get(env, "data"), "attrs");
	assert_string_equal(json_string_value(json_object_get(data, "pause")), "1");
	assert_string_equal(json_string_value(json_object_get(data, "id")), id);
	assert_non_null(json_object_get(data, "dlm"));
	assert_null(json_object_get(data, "name")); /* unchanged */
	json_decref(env);

	/* unpause and pause: no data */
	snprintf(body, sizeof body, "objectID=6&ids=%s", id);
	th_call(f, "POST", "/objects/unpause", "form", body);
	env = th_ok(f);
	assert_false(json_object_get(env, "data") != NULL);
	json_decref(env);
	snprintf(path, sizeof path, "/Rule?id=%s", id);
	th_call(f, "GET", path, NULL, NULL);
	env = th_ok(f);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(env, "data"), "pause")), "0");
	json_decref(env);
	assert_int_equal(th_call(f, "POST", "/objects/pause", "form", "objectID=0&ids=1"), 400);
	assert_int_equal(th_call(f, "POST", "/objects/pause", "form", "objectID=6"), 400);
	assert_int_equal(th_call(f, "POST", "/objects/pause", "form", "objectID=6&ids=424242"),
	                 200);

	/* errors */
	assert_int_equal(th_call(f, "PUT", "/Rules", "form", "pause=1"), 400);
	assert_int_equal(th_call(f, "PUT", "/Rules", "form", "id=424242&pause=1"), 404);
	assert_int_equal(th_call(f, "PUT", "/Rules", "form", "id=1&pause=maybe"), 400);
	assert_int_equal(
	    th_call(f, "POST", "/Rules", "json",
	            "{\"object_type_id\":424242,\"events\":\"Contact_added_to_campaign(1)\","
	            "\"actions\":\"Add_contact_to_category(1)\"}"),
	    400);
	assert_non_null(strstr(f->body.data, "Invalid object_type_id '424242'"));

	/* delete */
	snprintf(path, sizeof path, "/Rule?id=%s", id);
	th_call(f, "DELETE", path, NULL, NULL);
	env = th_ok(f);
	assert_null(json_object_get(env, "data"));
	json_decref(env);
	assert_int_equal(th_call(f, "GET", path, NULL, NULL), 404);
	assert_int_equal(th_call(f, "DELETE", path, NULL, NULL), 404);
}

static void message_writes(void **state)
{
	static const struct {
		const char *sent, *stored;
	} types[] = {{"e-mail", "e-mail"},     {"EMAIL", "e-mail"}, {"legacyemail", "e-mail"},
	             {"template", "Template"}, {"SMS", "sms"},      {"task", "task"}};
	sbx_fixture *f = *state;
	json_t *env, *data;
	char body[256], path[64];
	long long id = 0;
	size_t i;

	for (i = 0; i < sizeof types / sizeof *types; i++) {
		snprintf(body, sizeof body, "type=%s&alias=M%zu&spam_score=1.5&mcsent=99",
		         types[i].sent, i);
		th_call(f, "POST", "/message", "form", body);
		env = th_ok(f);
		data = json_object_get(env, "data");
		assert_true(json_is_integer(json_object_get(data, "id"))); /* a number, here only */
		assert_true(json_is_string(json_object_get(data, "date")));
		id = json_integer_value(json_object_get(data, "id"));
		json_decref(env);
		snprintf(path, sizeof path, "/Message?id=%lld", id);
		th_call(f, "GET", path, NULL, NULL);
		env = th_ok(f);
		data = json_object_get(env, "data");
		assert_string_equal(json_string_value(json_object_get(data, "type")),
		                    types[i].stored);
		assert_string_equal(json_string_value(json_object_get(data, "spam_score")), "1.5");
		assert_false(json_string_value(json_object_get(data, "mcsent")) &&
		             !strcmp(json_string_value(json_object_get(data, "mcsent")), "99"));
		json_decref(env);
	}
	/* JSON, as .NET sends it to /Messages; name stands in for alias */
	th_call(f, "POST", "/Messages", "json",
	        "{\"type\":\"sms\",\"name\":\"Net\",\"plaintext\":\"hi\"}");
	env = th_ok(f);
	id = json_integer_value(json_object_get(json_object_get(env, "data"), "id"));
	json_decref(env);
	snprintf(body, sizeof body, "{\"id\":%lld,\"plaintext\":\"hey\"}", id);
	th_call(f, "PUT", "/Messages", "json", body);
	env = th_ok(f);
	data = json_object_get(env, "data");
	assert_true(json_is_string(json_object_get(data, "id"))); /* a string on update */
	assert_null(json_object_get(data, "attrs"));
	json_decref(env);
	snprintf(path, sizeof path, "/Message?id=%lld", id);
	th_call(f, "GET", path, NULL, NULL);
	env = th_ok(f);
	data = json_object_get(env, "data");
	assert_string_equal(json_string_value(json_object_get(data, "alias")), "Net");
	assert_string_equal(json_string_value(json_object_get(data, "plaintext")), "hey");
	assert_string_equal(json_string_value(json_object_get(data, "type")), "sms");
	json_decref(env);

	/* refused */
	assert_int_equal(th_call(f, "POST", "/message", "form", "type=fax&alias=x"), 400);
	assert_non_null(strstr(f->body.data, "Invalid type 'fax'"));
	assert_int_equal(th_call(f, "POST", "/message", "form", "type=postcard"), 400);
	/* no type: an e-mail message, as a live account takes an empty create (§M13) */
	assert_int_equal(th_call(f, "POST", "/message", "form", "alias=x"), 200);
	assert_int_equal(th_call(f, "PUT", "/message", "form", "type=sms"), 400);
	assert_int_equal(th_call(f, "PUT", "/message", "form", "id=424242&type=sms"), 404);
	assert_int_equal(th_call(f, "POST", "/message", "form", "type=e-mail&send_from=nobody"),
	                 422);
	/* the generic create stays closed to messages */
	assert_int_equal(th_call(f, "POST", "/objects", "form", "objectID=7&alias=x"), 403);

	/* delete */
	th_call(f, "DELETE", path, NULL, NULL);
	env = th_ok(f);
	assert_null(json_object_get(env, "data"));
	json_decref(env);
	assert_int_equal(th_call(f, "GET", path, NULL, NULL), 404);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(rule_strings, th_setup, th_teardown),
	    cmocka_unit_test_setup_teardown(rule_writes, th_setup, th_teardown),
	    cmocka_unit_test_setup_teardown(message_writes, th_setup, th_teardown),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
