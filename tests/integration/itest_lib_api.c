/*
 * The public API's second pass (issue 13 §3), through the library against a
 * real sandbox:
 *  - one resolver for names or ids (ontra_id_parse, ontra_resolve): "0" is
 *    an invalid id, not a name; names are found by one search;
 *  - built-in object types resolve without a metadata request;
 *  - untagging a tag that does not exist is ONTRA_ENOTFOUND, by id as by
 *    name, in the library (one home for the policy), with nothing removed;
 *  - named directions (ontra_list_op, ontra_pause_op, ontra_delete_scope)
 *    refuse values that are none of theirs, sending nothing;
 *  - options whose zero value means "not given": max_retries 0 is the
 *    default (5) and ONTRA_RETRIES_NONE is none; a version-1 rule struct
 *    (-1 = not given) is still read as before.
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

static long long new_contact(ontra_client *c)
{
	json_t *f = json_pack("{s:s}", "firstname", "Tagged"), *rec = NULL;
	long long id;

	assert_int_equal(ontra_object_create(&rec, c, ONTRA_CONTACT, f), 0);
	id = json_integer_value(json_object_get(rec, "id"));
	if (!id)
		id = atoll(json_string_value(json_object_get(rec, "id")));
	json_decref(rec);
	json_decref(f);
	return id;
}

static void builtin_types_need_no_metadata(void **state)
{
	ontra_client *c = sandbox_client(&sp);
	const char *names[] = {"contacts",  "Contact",   "tags",  "messages", "rules", "forms",
	                       "sequences", "campaigns", "users", "0",        "14",    "122"};
	int type = -1;

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		assert_int_equal(ontra_object_type(&type, c, names[i]), 0);
	assert_int_equal(requests(c), 0);
	assert_int_equal(ontra_object_type(&type, c, "messages"), 0);
	assert_int_equal(type, ONTRA_MESSAGE);
	assert_int_equal(ontra_object_type(&type, c, "widgets"), ONTRA_ENOTFOUND);
	assert_int_equal(requests(c), 1); /* other names: the metadata */
	ontra_client_free(c);
}

static void untag_missing_tag_is_not_found(void **state)
{
	ontra_client *c = sandbox_client(&sp);
	long long who = new_contact(c), ghost = 987654;
	const char *name = "NoSuchTagHere";
	unsigned long before;

	(void)state;
	before = requests(c);
	assert_int_equal(ontra_tag_ids(c, ONTRA_CONTACT, &who, 1, &ghost, 1, ONTRA_REMOVE),
	                 ONTRA_ENOTFOUND);
	expect_message("no tag with id 987654");
	assert_int_equal(requests(c), before + 1); /* the GET of the tag; no DELETE */
	assert_int_equal(ontra_tag_names(c, ONTRA_CONTACT, &who, 1, &name, 1, ONTRA_REMOVE),
	                 ONTRA_ENOTFOUND);
	expect_message("no tag named 'NoSuchTagHere'");
	assert_int_equal(requests(c), before + 2);
	/* Adding creates the name; then it can be taken away, by name and by id. */
	assert_int_equal(ontra_tag_names(c, ONTRA_CONTACT, &who, 1, &name, 1, ONTRA_ADD), 0);
	assert_int_equal(ontra_tag_names(c, ONTRA_CONTACT, &who, 1, &name, 1, ONTRA_REMOVE), 0);
	assert_int_equal(ontra_tag_find(&ghost, c, name), 0);
	assert_int_equal(ontra_tag_ids(c, ONTRA_CONTACT, &who, 1, &ghost, 1, ONTRA_REMOVE), 0);
	ontra_client_free(c);
}

static void named_directions_refuse_other_values(void **state)
{
	ontra_client *c = sandbox_client(&sp);
	long long one = 1;
	const char *name = "x";
	ontra_search_options o = ONTRA_SEARCH_OPTIONS_INIT;

	(void)state;
	assert_int_equal(ontra_tag_ids(c, ONTRA_CONTACT, &one, 1, &one, 1, (ontra_list_op)2),
	                 ONTRA_EINVALID);
	assert_int_equal(ontra_tag_names(c, ONTRA_CONTACT, &one, 1, &name, 1, (ontra_list_op)-1),
	                 ONTRA_EINVALID);
	assert_int_equal(ontra_subscribe(c, ONTRA_CONTACT, &one, 1, &one, 1, ONTRA_SUB_SEQUENCE,
	                                 (ontra_list_op)7),
	                 ONTRA_EINVALID);
	assert_int_equal(ontra_rule_pause(c, &one, 1, (ontra_pause_op)0), ONTRA_EINVALID);
	expect_message("expected ONTRA_PAUSE or ONTRA_UNPAUSE");
	assert_int_equal(ontra_rule_pause(c, &one, 1, (ontra_pause_op)3), ONTRA_EINVALID);
	o.ids = &one;
	o.ids_count = 1;
	assert_int_equal(ontra_objects_delete(c, &o, (ontra_delete_scope)5), ONTRA_EINVALID);
	assert_int_equal(requests(c), 0);
	ontra_client_free(c);
}

/* A client whose options say version `version` and max_retries `retries`. */
static ontra_client *client_with_retries(unsigned int version, int retries)
{
	ontra_client_options o = ONTRA_CLIENT_OPTIONS_INIT;
	ontra_client *c = NULL;

	o.version = version;
	o.base_url = sp.base_url;
	o.app_id = sp.app_id;
	o.api_key = sp.api_key;
	o.max_retries = retries;
	assert_int_equal(ontra_client_new(&c, &o), 0);
	return c;
}

/* GET a contact after one injected 503: how many attempts did the client make? */
static unsigned long attempts_after_one_503(ontra_client *c, int *rc)
{
	json_t *f = sandbox_control(&sp, "POST", "faults?fault=status=503,path=/1/object*,count=1");
	json_t *rec = NULL;

	assert_non_null(f);
	json_decref(f);
	*rc = ontra_object_get(&rec, c, ONTRA_CONTACT, 1);
	json_decref(rec);
	json_decref(sandbox_control(&sp, "DELETE", "faults"));
	return requests(c);
}

static void zero_retries_is_the_default(void **state)
{
	ontra_client *c;
	int rc;

	(void)state;
	new_contact(c = sandbox_client(&sp)); /* record 1 exists */
	ontra_client_free(c);
	c = client_with_retries(ONTRA_CLIENT_OPTIONS_VERSION, 0);
	assert_int_equal(attempts_after_one_503(c, &rc), 2); /* the default: retried */
	assert_int_equal(rc, 0);
	ontra_client_free(c);
	c = client_with_retries(ONTRA_CLIENT_OPTIONS_VERSION, ONTRA_RETRIES_NONE);
	assert_int_equal(attempts_after_one_503(c, &rc), 1);
	assert_int_equal(rc, ONTRA_ESERVER);
	ontra_client_free(c);
	/* Version 3 callers keep their meaning: 0 = none, -1 = the default. */
	c = client_with_retries(3, 0);
	assert_int_equal(attempts_after_one_503(c, &rc), 1);
	ontra_client_free(c);
	c = client_with_retries(3, -1);
	assert_int_equal(attempts_after_one_503(c, &rc), 2);
	ontra_client_free(c);
}

/* Version 1 of ontra_rule_options, as a caller built against the older header lays it out. */
struct rule_options_v1 {
	unsigned int version;
	long long id;
	const char *name, *events, *conditions, *actions;
	int object_type;
	const char *tags;
	int pause;
};

static void rule_options_zero_and_version_1(void **state)
{
	ontra_client *c = sandbox_client(&sp);
	ontra_rule_options o = ONTRA_RULE_OPTIONS_INIT;
	struct rule_options_v1 v1 = {
	    1,  0,    "Old", "Contact_added_to_campaign(1)", NULL, "Add_contact_to_category(4)",
	    -1, NULL, 1};
	json_t *rec = NULL;

	(void)state;
	assert_int_equal(sizeof(ontra_rule_options) >= sizeof v1, 1);
	o.name = "New";
	o.events = "Contact_added_to_campaign(1)";
	o.actions = "Add_contact_to_category(4)";
	/* All else zero: not given (a live rule for contacts). */
	assert_int_equal(ontra_rule_create(&rec, c, &o), 0);
	assert_string_equal(json_string_value(json_object_get(rec, "pause")), "0");
	json_decref(rec);
	assert_int_equal(ontra_rule_create(&rec, c, (const ontra_rule_options *)(const void *)&v1),
	                 0);
	assert_string_equal(json_string_value(json_object_get(rec, "pause")), "1");
	assert_string_equal(json_string_value(json_object_get(rec, "name")), "Old");
	json_decref(rec);
	v1.pause = 2;
	assert_int_equal(ontra_rule_create(&rec, c, (const ontra_rule_options *)(const void *)&v1),
	                 ONTRA_EINVALID);
	ontra_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(id_parse_says_id_or_name),
	    cmocka_unit_test(resolve_names_and_ids),
	    cmocka_unit_test(builtin_types_need_no_metadata),
	    cmocka_unit_test(untag_missing_tag_is_not_found),
	    cmocka_unit_test(named_directions_refuse_other_values),
	    cmocka_unit_test(zero_retries_is_the_default),
	    cmocka_unit_test(rule_options_zero_and_version_1),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
