/*
 * lib/messages.c: the checks made before anything is sent (type, fields of
 * the type, required fields, values), and the wire form of create, update
 * and get against a scripted server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ontraport.h"
#include "mock_http.h"

static ontra_client *offline; /* points at a closed port: any request would fail with ENETWORK */

static int setup(void **state)
{
	(void)state;
	offline = mock_client("http://127.0.0.1:9/1");
	return offline ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	ontra_client_free(offline);
	return 0;
}

static void no_requests(void)
{
	ontra_client_stats st;

	ontra_client_stats_get(offline, &st);
	assert_int_equal(st.requests, 0);
}

/* Create (update when o->id) is refused locally; the message holds every NULL-terminated word. */
static void refused(const ontra_message_options *o, ...)
{
	json_t *out = (json_t *)1;
	const char *word, *msg;
	va_list ap;
	int rc =
	    o->id ? ontra_message_update(&out, offline, o) : ontra_message_create(&out, offline, o);

	if (rc != ONTRA_EINVALID)
		fail_msg("not refused (rc %d): %s", rc, ontra_error_last()->message);
	assert_null(out);
	msg = ontra_error_last()->message;
	assert_null(strchr(msg, '\n'));
	va_start(ap, o);
	while ((word = va_arg(ap, const char *)) != NULL)
		if (!strstr(msg, word))
			fail_msg("message '%s' lacks '%s'", msg, word);
	va_end(ap);
	no_requests();
}

#define REFUSED(o, ...) refused(o, __VA_ARGS__, (const char *)NULL)

static void type_spellings(void **state)
{
	(void)state;
	assert_string_equal(ontra_message_type_canonical("e-mail"), "e-mail");
	assert_string_equal(ontra_message_type_canonical("Email"), "e-mail");
	assert_string_equal(ontra_message_type_canonical("legacyemail"), "e-mail");
	assert_string_equal(ontra_message_type_canonical("Template"), "template");
	assert_string_equal(ontra_message_type_canonical("ONTRAmail"), "template");
	assert_string_equal(ontra_message_type_canonical("SMS"), "sms");
	assert_string_equal(ontra_message_type_canonical("task"), "task");
	assert_null(ontra_message_type_canonical("fax"));
	assert_null(ontra_message_type_canonical("postcard"));
	assert_null(ontra_message_type_canonical(NULL));
}

static void unknown_or_missing_type(void **state)
{
	ontra_message_options o = ONTRA_MESSAGE_OPTIONS_INIT;

	(void)state;
	o.name = "x";
	REFUSED(&o, "missing message type", "e-mail, template, sms or task");
	o.type = "fax";
	REFUSED(&o, "unknown message type 'fax'", "expected e-mail, template, sms or task");
	o.type = "emial";
	REFUSED(&o, "unknown message type 'emial'", "did you mean 'email'?");
	o.type = "postcard";
	REFUSED(&o, "postcard messages can be read but not created");
	o.type = "";
	REFUSED(&o, "missing message type");
	/* update too: an unknown type is refused before the message is read */
	o.id = 7;
	o.type = "letter";
	REFUSED(&o, "unknown message type 'letter'");
}

static void fields_of_other_types(void **state)
{
	ontra_message_options o;

	(void)state;
	o = (ontra_message_options)ONTRA_MESSAGE_OPTIONS_INIT;
	o.type = "sms";
	o.html = "<p>hi</p>";
	REFUSED(&o, "html (message_body) is not a field of sms messages",
	        "belongs to e-mail messages");
	o = (ontra_message_options)ONTRA_MESSAGE_OPTIONS_INIT;
	o.type = "e-mail";
	o.subject = "s";
	o.sms_content = "hi";
	REFUSED(&o, "sms_content (plaintext) is not a field of e-mail messages", "sms messages");
	o.sms_content = NULL;
	o.template_content = "{}";
	REFUSED(&o, "template_content (resource)", "e-mail messages",
	        "belongs to template messages");
	o.template_content = NULL;
	o.task_owner = "1";
	REFUSED(&o, "task_owner (task_owner) is not a field of e-mail messages", "task messages");
	o = (ontra_message_options)ONTRA_MESSAGE_OPTIONS_INIT;
	o.type = "template";
	o.html = "<p>";
	REFUSED(&o, "html (message_body)", "template messages");
	o.html = NULL;
	o.due_date = "3";
	REFUSED(&o, "due_date", "template messages");
	o = (ontra_message_options)ONTRA_MESSAGE_OPTIONS_INIT;
	o.type = "task";
	o.email_type = ONTRA_TRANSACTIONAL;
	REFUSED(&o, "transactional (transactional_email) is not a field of task messages",
	        "e-mail and template messages");
	o.email_type = ONTRA_EMAIL_TYPE_NOT_GIVEN;
	o.reply_to = "a@b.example";
	REFUSED(&o, "reply_to (reply_to_email)", "task messages", "e-mail and template");
	o = (ontra_message_options)ONTRA_MESSAGE_OPTIONS_INIT;
	o.type = "sms";
	o.subject = "hello";
	REFUSED(&o, "subject (subject) is not a field of sms messages",
	        "e-mail, template and task messages");
	o.subject = NULL;
	o.spam_score = "1";
	REFUSED(&o, "spam_score", "sms messages");
	/* on update, with the type given */
	o = (ontra_message_options)ONTRA_MESSAGE_OPTIONS_INIT;
	o.id = 3;
	o.type = "task";
	o.html = "<p>";
	REFUSED(&o, "html (message_body) is not a field of task messages");
}

static void required_and_values(void **state)
{
	ontra_message_options o = ONTRA_MESSAGE_OPTIONS_INIT;

	(void)state;
	o.type = "email";
	o.name = "Welcome";
	REFUSED(&o, "missing subject", "e-mail message");
	o.subject = "";
	REFUSED(&o, "missing subject");
	o.subject = "Hi";
	o.send_from = "not-an-address";
	REFUSED(&o, "invalid send_from 'not-an-address'", "e-mail address");
	o.send_from = "me@example.com";
	o.reply_to = "a b@example.com";
	REFUSED(&o, "invalid reply_to");
	o.reply_to = NULL;
	o.from = "boss";
	REFUSED(&o, "invalid from 'boss'", "owner, custom or a user id");
	o.from = "owner";
	o.send_out_name = "Mary";
	REFUSED(&o, "send_out_name needs from=custom");
	o.from = NULL;
	o.spam_score = "high";
	REFUSED(&o, "invalid spam_score 'high'", "a number");
	o.spam_score = "2.5";
	o.email_type = (ontra_email_type)3;
	REFUSED(&o, "invalid email_type 3");
	o.email_type = ONTRA_TRANSACTIONAL;
	o.html = "bad \xff utf-8";
	REFUSED(&o, "html is not valid UTF-8");
	o.html = NULL;
	o.object_type = ONTRA_TYPE_GIVEN(-5);
	REFUSED(&o, "invalid object type -5");
	o.object_type = (ontra_type_opt){0, 0};
	o.id = 0;
	o.send_to = "bad field!";
	REFUSED(&o, "invalid send_to 'bad field!'");
	o.send_to = NULL;

	o = (ontra_message_options)ONTRA_MESSAGE_OPTIONS_INIT;
	o.type = "template";
	o.template_content = "{\"blocks\": [";
	REFUSED(&o, "invalid template_content: not JSON");
	o = (ontra_message_options)ONTRA_MESSAGE_OPTIONS_INIT;
	o.type = "task";
	o.due_date = "tomorrow";
	REFUSED(&o, "invalid due_date 'tomorrow'", "whole number of days");
	o.due_date = "2";
	o.task_owner = "0";
	REFUSED(&o, "invalid task_owner '0'", "positive whole number");
	o.task_owner = "1";
	o.task_form = "x";
	REFUSED(&o, "invalid task_form 'x'");

	/* update: the id is required; without a type there must be something to change */
	o = (ontra_message_options)ONTRA_MESSAGE_OPTIONS_INIT;
	o.subject = "x";
	assert_int_equal(ontra_message_update(&(json_t *){NULL}, offline, &o), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "missing message id"));
	o.id = -2;
	REFUSED(&o, "invalid message id -2");
	o.id = 2;
	o.subject = NULL;
	REFUSED(&o, "nothing to update");
	/* without a type, values are still checked before the message is read */
	o.spam_score = "high";
	REFUSED(&o, "invalid spam_score 'high'");
	o.spam_score = "0x10";
	REFUSED(&o, "invalid spam_score '0x10'");
	o.spam_score = NULL;
	/* create takes no id; the options must be initialised */
	o = (ontra_message_options)ONTRA_MESSAGE_OPTIONS_INIT;
	o.type = "sms";
	o.version = 0;
	REFUSED(&o, "ONTRA_MESSAGE_OPTIONS_INIT");
	assert_int_equal(ontra_message_get(&(json_t *){NULL}, offline, 0), ONTRA_EINVALID);
	no_requests();
}

static void wire_forms(void **state)
{
	static const char *const replies[] = {
	    "{\"code\":0,\"data\":{\"id\":7,\"date\":\"1538590526\"},\"account_id\":1}",
	    "{\"code\":0,\"data\":{\"id\":8,\"date\":\"1538590527\"},\"account_id\":1}",
	    "{\"code\":0,\"data\":{\"id\":\"7\",\"date\":\"1538590526\"},\"account_id\":1}",
	    /* an update without a type reads the message first */
	    "{\"code\":0,\"data\":{\"id\":\"8\",\"type\":\"Template\",\"alias\":\"T\"},\"account_"
	    "id\":1}",
	    "{\"code\":0,\"data\":{\"id\":\"8\",\"date\":\"1538590528\"},\"account_id\":1}",
	    "{\"code\":0,\"data\":{\"id\":\"9\",\"type\":\"sms\"},\"account_id\":1}", NULL};
	mock_http m;
	ontra_client *c;
	ontra_message_options o = ONTRA_MESSAGE_OPTIONS_INIT;
	json_t *out = NULL;

	(void)state;
	assert_int_equal(mock_start(&m, replies), 0);
	c = mock_client(m.base_url);

	o.type = "email";
	o.name = "Welcome";
	o.subject = "Hi [First Name]";
	o.send_from = "me@example.com";
	o.send_out_name = "Mary & Co";
	o.reply_to = "help@example.com";
	o.plaintext = "Hello";
	o.html = "<p>Hello</p>";
	o.email_title = "Welcome!";
	o.email_type = ONTRA_MARKETING;
	o.spam_score = "1.5";
	o.object_type = ONTRA_TYPE_GIVEN(ONTRA_CONTACT);
	assert_int_equal(ontra_message_create(&out, c, &o), 0);
	assert_int_equal(json_integer_value(json_object_get(out, "id")), 7);
	json_decref(out);

	o = (ontra_message_options)ONTRA_MESSAGE_OPTIONS_INIT;
	o.type = "task";
	o.name = "Call";
	o.subject = "Call them";
	o.task_data = "Ask about the order";
	o.due_date = "2";
	o.task_owner = "1";
	o.task_form = "3";
	assert_int_equal(ontra_message_create(&out, c, &o), 0);
	json_decref(out);

	o = (ontra_message_options)ONTRA_MESSAGE_OPTIONS_INIT;
	o.id = 7;
	o.type = "e-mail";
	o.subject = "New subject";
	assert_int_equal(ontra_message_update(&out, c, &o), 0);
	assert_string_equal(json_string_value(json_object_get(out, "id")), "7");
	json_decref(out);

	o = (ontra_message_options)ONTRA_MESSAGE_OPTIONS_INIT;
	o.id = 8;
	o.template_content = "{\"blocks\":[]}";
	assert_int_equal(ontra_message_update(&out, c, &o), 0);
	json_decref(out);

	/* The stored type decides: an sms takes no html, and nothing is sent after the read. */
	o = (ontra_message_options)ONTRA_MESSAGE_OPTIONS_INIT;
	o.id = 9;
	o.html = "<p>";
	assert_int_equal(ontra_message_update(&out, c, &o), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "not a field of sms messages"));
	ontra_client_free(c);
	mock_stop(&m);

	assert_int_equal(m.nreqs, 6);
	assert_string_equal(m.reqs[0].method, "POST");
	assert_string_equal(m.reqs[0].target, "/1/message");
	assert_non_null(strstr(m.reqs[0].content_type, "application/x-www-form-urlencoded"));
	assert_string_equal(
	    m.reqs[0].body,
	    "type=e-mail&alias=Welcome&subject=Hi%20%5BFirst%20Name%5D&send_from=me%40example.com"
	    "&send_out_name=Mary%20%26%20Co&reply_to_email=help%40example.com&plaintext=Hello"
	    "&message_body=%3Cp%3EHello%3C%2Fp%3E&email_title=Welcome%21&spam_score=1.5"
	    "&from=custom&transactional_email=0&object_type_id=0");
	assert_string_equal(m.reqs[1].body, "type=task&alias=Call&subject=Call%20them"
	                                    "&task_data=Ask%20about%20the%20order&due_date=2"
	                                    "&task_owner=1&task_form=3");
	assert_string_equal(m.reqs[2].method, "PUT");
	assert_string_equal(m.reqs[2].target, "/1/message");
	assert_string_equal(m.reqs[2].body, "id=7&type=e-mail&subject=New%20subject");
	assert_string_equal(m.reqs[3].method, "GET");
	assert_string_equal(m.reqs[3].target, "/1/Message?id=8");
	assert_string_equal(m.reqs[4].body,
	                    "id=8&type=template&resource=%7B%22blocks%22%3A%5B%5D%7D");
	assert_string_equal(m.reqs[5].target, "/1/Message?id=9");
	mock_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(type_spellings),
	    cmocka_unit_test(unknown_or_missing_type),
	    cmocka_unit_test(fields_of_other_types),
	    cmocka_unit_test(required_and_values),
	    cmocka_unit_test(wire_forms),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
