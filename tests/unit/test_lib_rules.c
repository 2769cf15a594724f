/*
 * lib/rule_parse.c, rule_catalogue.c, rules.c: the rule language, its
 * catalogue, and the wire form of the rule calls.
 *
 * The arity tests are generated from the catalogue: for every event,
 * condition and action, the right number of arguments is accepted and one
 * more or one fewer is refused with a message naming the item.
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

static const ontra_rule_part parts[] = {ONTRA_RULE_EVENTS, ONTRA_RULE_CONDITIONS,
                                        ONTRA_RULE_ACTIONS};

/* A valid item of each part with no arguments, to put other items at position 2. */
static const char *const filler[] = {"Contact_added_to_my_database()", "sms_contains_email()",
                                     "Remove_contact_from_all_sequences()"};

/* A value that fits an argument. */
static const char *sample(const ontra_rule_arg *a)
{
	switch (a->kind) {
	case ONTRA_RULE_ARG_ID:
		return "12";
	case ONTRA_RULE_ARG_NUMBER:
		return "3";
	case ONTRA_RULE_ARG_AMOUNT:
		return "9.95";
	case ONTRA_RULE_ARG_UNITS:
		return "1";
	case ONTRA_RULE_ARG_OPTION:
		return a->max >= 1 ? "1" : "0";
	case ONTRA_RULE_ARG_CONDITIONAL:
		return "Greater Than";
	case ONTRA_RULE_ARG_DATE_CONDITIONAL:
		return "2";
	case ONTRA_RULE_ARG_ANY_CONDITIONAL:
		return "Equal To";
	case ONTRA_RULE_ARG_DATE:
		return "TODAY";
	case ONTRA_RULE_ARG_FIELD:
		return "f1234";
	case ONTRA_RULE_ARG_TEXT:
		return "hello";
	case ONTRA_RULE_ARG_VALUE:
		return "";
	case ONTRA_RULE_ARG_OBJECT_TYPE:
		return "0";
	}
	return "?";
}

/* "Name(v1,...,vn)" with n arguments taken from the entry (extra ones repeat a sample). */
static void item_text(char *buf, size_t sz, const ontra_rule_def *d, size_t n)
{
	size_t i, w = (size_t)snprintf(buf, sz, "%s(", d->name);

	for (i = 0; i < n; i++) {
		const char *v = i < d->nargs ? sample(&d->args[i]) : "7";
		w += (size_t)snprintf(buf + w, sz - w, "%s%s", i ? "," : "", v);
	}
	snprintf(buf + w, sz - w, ")");
}

static void expect_ok(ontra_rule_part part, const char *text, int type, const char *canonical)
{
	char *out = NULL;
	int rc = ontra_rule_check(&out, part, text, type);

	if (rc != 0)
		fail_msg("%s '%s' refused: %s", ontra_rule_part_name(part), text,
		         ontra_error_last()->message);
	if (canonical && strcmp(out, canonical) != 0)
		fail_msg("'%s' gave canonical '%s', want '%s'", text, out, canonical);
	ontra_free(out);
}

/* Refused; the message holds every one of the NULL-terminated words, and is one line. */
static void expect_refused(ontra_rule_part part, const char *text, int type, ...)
{
	char *out = (char *)1;
	const char *word, *msg;
	va_list ap;
	int rc = ontra_rule_check(&out, part, text, type);

	if (rc != ONTRA_EINVALID)
		fail_msg("%s '%s' was not refused (rc %d)", ontra_rule_part_name(part), text, rc);
	assert_null(out);
	msg = ontra_error_last()->message;
	if (strchr(msg, '\n'))
		fail_msg("message is not one line: %s", msg);
	va_start(ap, type);
	while ((word = va_arg(ap, const char *)) != NULL)
		if (!strstr(msg, word))
			fail_msg("'%s': message '%s' lacks '%s'", text, msg, word);
	va_end(ap);
}

#define REFUSED(part, text, type, ...)                                                             \
	expect_refused(part, text, type, __VA_ARGS__, (const char *)NULL)

static void every_entry_arity(void **state)
{
	char one[1024], text[2048], name[128];
	size_t p, i, checked = 0;

	(void)state;
	for (p = 0; p < 3; p++) {
		size_t n = ontra_rule_catalogue_size(parts[p]);
		assert_true(n > 0);
		for (i = 0; i < n; i++) {
			const ontra_rule_def *d = ontra_rule_catalogue_at(parts[p], i);
			assert_non_null(d);
			assert_int_equal(d->part, parts[p]);
			snprintf(name, sizeof name, "'%s(", d->name);

			/* The right count, alone and at position 2, on contacts: accepted as
			 * written. */
			item_text(one, sizeof one, d, d->nargs);
			expect_ok(parts[p], one, 0, one);
			snprintf(text, sizeof text, "%s;%s", filler[p], one);
			expect_ok(parts[p], text, 0, text);

			/* One more: refused, naming the item, its position and the signature. */
			item_text(one, sizeof one, d, d->nargs + 1);
			snprintf(text, sizeof text, "%s;%s", filler[p], one);
			REFUSED(parts[p], text, 0, "item 2", name, "wrong number of arguments",
			        ontra_rule_part_name(parts[p]));
			/* One fewer. */
			if (d->nargs > 0) {
				item_text(one, sizeof one, d, d->nargs - 1);
				REFUSED(parts[p], one, 0, "item 1", name,
				        "wrong number of arguments");
			}
			checked++;
		}
	}
	/* The reference's catalogue: 33 events (+1 spelling), 29 conditions, 27 actions. */
	assert_int_equal(ontra_rule_catalogue_size(ONTRA_RULE_EVENTS), 34);
	assert_int_equal(ontra_rule_catalogue_size(ONTRA_RULE_CONDITIONS), 29);
	assert_int_equal(ontra_rule_catalogue_size(ONTRA_RULE_ACTIONS), 27);
	assert_int_equal(checked, 34 + 29 + 27);
}

static void catalogue_accessors(void **state)
{
	const ontra_rule_def *d;
	const char *const *v;
	size_t n;

	(void)state;
	d = ontra_rule_catalogue_find(ONTRA_RULE_EVENTS, "relative_date_field");
	assert_non_null(d);
	assert_int_equal(d->nargs, 4);
	assert_string_equal(d->args[1].name, "units");
	assert_int_equal(d->args[1].kind, ONTRA_RULE_ARG_UNITS);
	assert_int_equal(d->args[2].kind, ONTRA_RULE_ARG_OPTION);
	assert_int_equal(d->args[2].max, 1);
	assert_false(d->contacts_only);
	d = ontra_rule_catalogue_find(ONTRA_RULE_EVENTS, "Contact_purchases_product");
	assert_true(d->contacts_only);
	assert_null(ontra_rule_catalogue_find(ONTRA_RULE_EVENTS, "contact_purchases_product"));
	assert_null(ontra_rule_catalogue_find(ONTRA_RULE_ACTIONS, "Is_in_category"));
	assert_null(ontra_rule_catalogue_at(ONTRA_RULE_ACTIONS, 9999));
	assert_null(ontra_rule_catalogue_at((ontra_rule_part)7, 0));
	assert_int_equal(ontra_rule_catalogue_size((ontra_rule_part)7), 0);
	assert_string_equal(ontra_rule_part_name(ONTRA_RULE_CONDITIONS), "conditions");
	assert_string_equal(ontra_rule_part_name((ontra_rule_part)7), "?");
	v = ontra_rule_vocabulary(ONTRA_RULE_VOCAB_CONDITIONALS);
	for (n = 0; v[n]; n++)
		;
	assert_int_equal(n, 10);
	assert_string_equal(v[4], "Greater Than or Equal To");
	v = ontra_rule_vocabulary(ONTRA_RULE_VOCAB_RELATIVE_DATES);
	for (n = 0; v[n]; n++)
		;
	assert_int_equal(n, 26);
	assert_null(ontra_rule_vocabulary((ontra_rule_vocab)9));
}

static void unknown_names(void **state)
{
	char *out;
	(void)state;
	/* The brief's example, to the letter. */
	assert_int_equal(ontra_rule_check(&out, ONTRA_RULE_ACTIONS,
	                                  "Send_contact_an_emailmbs(7);Add_contact_to_categry(4)",
	                                  0),
	                 ONTRA_EINVALID);
	assert_string_equal(
	    ontra_error_last()->message,
	    "actions item 2 'Add_contact_to_categry(4)': unknown action (did you mean "
	    "'Add_contact_to_category'?)");
	REFUSED(ONTRA_RULE_EVENTS, "Contact_added_to_campain(1)", 0, "events item 1",
	        "'Contact_added_to_campain(1)'", "unknown event",
	        "did you mean 'Contact_added_to_campaign'");
	REFUSED(ONTRA_RULE_CONDITIONS, "Is_in_category(1)|is_in_category(2)", 0,
	        "conditions item 2", "unknown condition", "did you mean 'Is_in_category'");
	REFUSED(ONTRA_RULE_ACTIONS, "Frobnicate(1)", 0, "actions item 1 'Frobnicate(1)'",
	        "unknown action", "rules catalogue actions");
	/* A name from another part says where it belongs. */
	REFUSED(ONTRA_RULE_EVENTS, "Is_in_category(1)", 0, "events item 1",
	        "'Is_in_category' is a condition, not an event");
	REFUSED(ONTRA_RULE_CONDITIONS, "Add_contact_to_category(1)", 0,
	        "is an action, not a condition");
	REFUSED(ONTRA_RULE_ACTIONS, "Contact_added_to_category(1)", 0,
	        "is an event, not an action");
}

static void vocabularies(void **state)
{
	(void)state;
	/* units */
	expect_ok(ONTRA_RULE_EVENTS, "relative_date_field(3,2,0,f1)", 0, NULL);
	REFUSED(ONTRA_RULE_EVENTS, "relative_date_field(3,5,1,f1)", 0, "events item 1",
	        "'relative_date_field(3,5,1,f1)'", "argument 2 (units) '5'", "0 (days)");
	REFUSED(ONTRA_RULE_CONDITIONS, "been_on_campaignbuilder_for_timeframe(1,2,days)", 0,
	        "argument 3 (units) 'days'");
	/* option ranges: per item */
	REFUSED(ONTRA_RULE_EVENTS, "relative_date_field(3,1,2,f1)", 0, "argument 3 (option) '2'",
	        "0 before, 1 after");
	expect_ok(ONTRA_RULE_EVENTS, "Contact_subscription_to_productsub_is_subaction(4,3)", 0,
	          NULL);
	REFUSED(ONTRA_RULE_EVENTS, "Contact_subscription_to_productsub_is_subaction(4,4)", 0,
	        "argument 2 (option) '4'");
	REFUSED(ONTRA_RULE_ACTIONS, "pause_or_unpause_on_camp(x,2)", 0, "argument 1 (option) 'x'");
	REFUSED(ONTRA_RULE_CONDITIONS, "paused_or_active_on_camp(-1,2)", 0, "argument 1 (option)");
	/* outcome */
	REFUSED(ONTRA_RULE_EVENTS, "object_submits_form(3,2)", 0, "argument 2 (outcome) '2'",
	        "0 success, 1 failure");
	/* conditionals */
	expect_ok(ONTRA_RULE_CONDITIONS, "field_is_condition_fieldvalue(firstname,Equal To,Mary)",
	          0, NULL);
	expect_ok(ONTRA_RULE_CONDITIONS, "field_is_condition_fieldvalue(f1,3,)", 0, NULL);
	REFUSED(ONTRA_RULE_CONDITIONS, "field_is_condition_fieldvalue(firstname,Equals,Mary)", 0,
	        "argument 2 (conditional) 'Equals'", "did you mean 'Equal To'");
	REFUSED(ONTRA_RULE_CONDITIONS, "Has_opened_email_condition_n_times(3,equal to,2)", 0,
	        "argument 2 (conditional) 'equal to'", "did you mean 'Equal To'");
	REFUSED(ONTRA_RULE_CONDITIONS, "Has_opened_email_condition_n_times(3,2,2)", 0,
	        "argument 2 (conditional) '2'");
	/* date conditionals and dates */
	expect_ok(ONTRA_RULE_CONDITIONS,
	          "Date_of_subscription_to_drip_is_datecondition_datevalue(1,3,2024-02-29)", 0,
	          NULL);
	expect_ok(ONTRA_RULE_CONDITIONS, "campaignbuilder_subscription_date_is_val(1,1,1700000000)",
	          0, NULL);
	REFUSED(ONTRA_RULE_CONDITIONS, "campaignbuilder_subscription_date_is_val(1,Equal To,TODAY)",
	        0, "argument 2 (conditional) 'Equal To'", "1 (on), 2 (before) or 3 (after)");
	REFUSED(ONTRA_RULE_CONDITIONS, "campaignbuilder_subscription_date_is_val(1,1,TODAYY)", 0,
	        "argument 3 (date) 'TODAYY'", "did you mean 'TODAY'");
	REFUSED(ONTRA_RULE_CONDITIONS, "campaignbuilder_subscription_date_is_val(1,1,2024-13-01)",
	        0, "argument 3 (date)");
	/* numeric ids must be numbers */
	REFUSED(ONTRA_RULE_ACTIONS, "Add_contact_to_category(VIP)", 0, "actions item 1",
	        "argument 1 (tag_id) 'VIP'", "expected an id");
	REFUSED(ONTRA_RULE_ACTIONS, "Add_contact_to_category(0)", 0, "argument 1 (tag_id) '0'");
	REFUSED(ONTRA_RULE_ACTIONS, "Add_contact_to_category(1.5)", 0, "argument 1 (tag_id)");
	REFUSED(ONTRA_RULE_ACTIONS, "Add_contact_to_category(99999999999999999999)", 0,
	        "argument 1 (tag_id)");
	REFUSED(ONTRA_RULE_ACTIONS, "Add_contact_to_category()", 0,
	        "wrong number of arguments: 0 given, expected 1: Add_contact_to_category(tag_id)");
	/* amounts, numbers, fields, text */
	expect_ok(ONTRA_RULE_CONDITIONS, "Has_spent_condition_N_on_product(Greater Than,19.99,4)",
	          0, NULL);
	REFUSED(ONTRA_RULE_CONDITIONS, "Has_spent_condition_N_on_product(Greater Than,$20,4)", 0,
	        "argument 2 (number) '$20'");
	REFUSED(ONTRA_RULE_EVENTS, "Contact_clicks_emailanchor(3,first)", 0,
	        "argument 2 (link_num)");
	REFUSED(ONTRA_RULE_EVENTS, "field_is_updated(first name)", 0, "argument 1 (field_id)");
	REFUSED(ONTRA_RULE_CONDITIONS, "sms_contains_text()", 0, "wrong number of arguments");
	REFUSED(ONTRA_RULE_CONDITIONS, "url_condition(Contains, )", 0, "argument 2 (text)",
	        "expected some text");
	REFUSED(ONTRA_RULE_CONDITIONS,
	        "Has_visited_landingpage_splittest_condition_n_times(1,x,Equal To,2)", 0,
	        "argument 2 (object_type_id) 'x'");
}

static void contacts_only(void **state)
{
	char one[1024];
	size_t p, i, n_only = 0;

	(void)state;
	for (p = 0; p < 3; p++) {
		for (i = 0; i < ontra_rule_catalogue_size(parts[p]); i++) {
			const ontra_rule_def *d = ontra_rule_catalogue_at(parts[p], i);
			item_text(one, sizeof one, d, d->nargs);
			if (d->contacts_only) {
				char quoted[160];
				snprintf(quoted, sizeof quoted, "item 1 '%s(", d->name);
				REFUSED(parts[p], one, 10000, quoted, "for contacts only",
				        "object type 10000");
				n_only++;
			} else {
				expect_ok(parts[p], one, 10000, NULL);
			}
			expect_ok(parts[p], one, 0, NULL);
		}
	}
	/* 12 events (with the second spelling), 8 conditions, 7 actions are starred in §7. */
	assert_int_equal(n_only, 12 + 8 + 7);
	REFUSED(ONTRA_RULE_ACTIONS, "Add_contact_to_category(1);Send_contact_a_postcard(2)", 3,
	        "actions item 2 'Send_contact_a_postcard(2)'", "action is for contacts only");
}

static void syntax_errors(void **state)
{
	char *big;
	size_t i, w;

	(void)state;
	REFUSED(ONTRA_RULE_CONDITIONS, "Is_in_category(1);Is_in_category(2", 0,
	        "conditions item 2 'Is_in_category(2'", "missing ')'");
	REFUSED(ONTRA_RULE_CONDITIONS, "Is_in_category(1;Is_in_category(2)", 0, "item 1",
	        "missing ')'", "cannot hold");
	REFUSED(ONTRA_RULE_EVENTS, "Contact_added_to_my_database", 0, "events item 1",
	        "missing '('", "Contact_added_to_my_database()");
	REFUSED(ONTRA_RULE_EVENTS, "Contact_added_to_my_database;Contact_sends_Email()", 0,
	        "missing '('");
	REFUSED(ONTRA_RULE_EVENTS, "Contact_added_to_category(1)|Contact_added_to_category(2)", 0,
	        "events item 1", "'|' (or) joins conditions only");
	REFUSED(ONTRA_RULE_ACTIONS, "Add_contact_to_category(1);;Add_contact_to_category(2)", 0,
	        "actions item 2: empty");
	REFUSED(ONTRA_RULE_ACTIONS, "Add_contact_to_category(1);", 0, "actions item 2: empty");
	REFUSED(ONTRA_RULE_CONDITIONS, "|Is_in_category(1)", 0, "conditions item 1: empty");
	REFUSED(ONTRA_RULE_ACTIONS, "Add_contact_to_category(1) Add_contact_to_category(2)", 0,
	        "unexpected 'A' after the item");
	REFUSED(ONTRA_RULE_ACTIONS, "Add_contact_to_category((1))", 0, "'(' inside the arguments");
	REFUSED(ONTRA_RULE_ACTIONS, "Add_contact_to_category(1\x01)", 0, "control character");
	REFUSED(ONTRA_RULE_ACTIONS, "Add-contact(1)", 0, "unexpected '-' after the name");
	REFUSED(ONTRA_RULE_ACTIONS, "(1)", 0, "expected a name");
	REFUSED(ONTRA_RULE_ACTIONS, "Add_contact_to_category(1)\xff", 0, "not valid UTF-8");
	REFUSED(ONTRA_RULE_EVENTS, "", 0, "events: at least one event is required");
	REFUSED(ONTRA_RULE_ACTIONS, "  \n ", 0, "actions: at least one action is required");
	expect_ok(ONTRA_RULE_CONDITIONS, "", 0, "");
	expect_ok(ONTRA_RULE_CONDITIONS, " \t", 0, "");
	REFUSED((ontra_rule_part)5, "x()", 0, "invalid rule part");

	/* limits */
	big = malloc(70 * 1024);
	assert_non_null(big);
	memset(big, ' ', 70 * 1024 - 1);
	big[70 * 1024 - 1] = '\0';
	REFUSED(ONTRA_RULE_EVENTS, big, 0, "events: too long");
	for (i = 0, w = 0; i < 257; i++)
		w += (size_t)snprintf(big + w, 70 * 1024 - w, "%sIs_in_category(1)", i ? ";" : "");
	REFUSED(ONTRA_RULE_CONDITIONS, big, 0, "too many items (at most 256)");
	snprintf(big, 1024, "Change_field_to_fieldvalue(%s)",
	         "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17");
	REFUSED(ONTRA_RULE_ACTIONS, big, 0, "actions item 1", "too many arguments (at most 16)");
	memset(big, 'a', 100);
	snprintf(big + 100, 100, "(1)");
	REFUSED(ONTRA_RULE_ACTIONS, big, 0, "name too long");
	snprintf(big, 2000, "Change_field_to_fieldvalue(f1,%0*d,x)", 1100, 0);
	REFUSED(ONTRA_RULE_ACTIONS, big, 0, "argument 2 is too long");
	free(big);
}

static void canonical_and_parse(void **state)
{
	json_t *items = NULL, *want;
	(void)state;
	expect_ok(
	    ONTRA_RULE_CONDITIONS,
	    "  Is_in_category( 2 ) ;Is_not_subscribed_to_drip(3)\n| field_is_condition_fieldvalue"
	    "(f1 , Equal To ,  Mary Ann )  ",
	    0,
	    "Is_in_category(2);Is_not_subscribed_to_drip(3)|field_is_condition_fieldvalue(f1,Equal "
	    "To,Mary Ann)");
	assert_int_equal(
	    ontra_rule_parse(&items, ONTRA_RULE_CONDITIONS,
	                     "Is_in_category(2);Is_not_in_category(3)|sms_contains_email()"),
	    0);
	want = json_loads("[{\"name\":\"Is_in_category\",\"args\":[\"2\"]},"
	                  "{\"name\":\"Is_not_in_category\",\"args\":[\"3\"],\"join\":\"AND\"},"
	                  "{\"name\":\"sms_contains_email\",\"args\":[],\"join\":\"OR\"}]",
	                  0, NULL);
	assert_true(json_equal(items, want));
	json_decref(items);
	json_decref(want);
	/* Parsing knows no catalogue: unknown names parse. */
	assert_int_equal(ontra_rule_parse(&items, ONTRA_RULE_ACTIONS, "Whatever(a, b)"), 0);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(json_array_get(items, 0), "args"), 1)),
	    "b");
	json_decref(items);
	assert_int_equal(ontra_rule_parse(&items, ONTRA_RULE_EVENTS, ""), 0);
	assert_int_equal(json_array_size(items), 0);
	json_decref(items);
	items = (json_t *)1;
	assert_int_equal(ontra_rule_parse(&items, ONTRA_RULE_EVENTS, "x("), ONTRA_EINVALID);
	assert_null(items);
	assert_int_equal(ontra_rule_parse(&items, ONTRA_RULE_EVENTS, NULL), ONTRA_EINVALID);
}

static void ping_apiurl(void **state)
{
	json_t *items;
	(void)state;
	expect_ok(ONTRA_RULE_ACTIONS, "Ping_APIURL(3)", 0, "Ping_APIURL(3)");
	/* The legacy form: '::' between arguments, commas inside them. */
	expect_ok(ONTRA_RULE_ACTIONS,
	          "Ping_APIURL(https://hooks.example/x?a=1,2 :: id=[id],e=[email] ::1)", 0,
	          "Ping_APIURL(https://hooks.example/x?a=1,2::id=[id],e=[email]::1)");
	expect_ok(ONTRA_RULE_ACTIONS, "Ping_APIURL(http://h.example::a=1)", 0, NULL);
	assert_int_equal(
	    ontra_rule_parse(&items, ONTRA_RULE_ACTIONS, "Ping_APIURL(http://h::a,b::0)"), 0);
	assert_int_equal(json_array_size(json_object_get(json_array_get(items, 0), "args")), 3);
	assert_true(json_is_true(json_object_get(json_array_get(items, 0), "legacy")));
	json_decref(items);
	REFUSED(ONTRA_RULE_ACTIONS, "Ping_APIURL(ftp://h::a=1)", 0, "argument 1 (url)", "http://");
	REFUSED(ONTRA_RULE_ACTIONS, "Ping_APIURL(http://h::a::2)", 0, "argument 3 (json_flag) '2'");
	REFUSED(ONTRA_RULE_ACTIONS, "Ping_APIURL(http://h::a::1::x)", 0,
	        "4 given, expected 1 to 3");
	REFUSED(ONTRA_RULE_ACTIONS, "Ping_APIURL(1,2)", 0, "wrong number of arguments: 2 given");
	/* found by the fuzzer: a ':' next to '::' would not read back the same */
	REFUSED(ONTRA_RULE_ACTIONS, "Ping_APIURL(http://h/x: ::: )", 0, "ambiguous next to '::'");
	REFUSED(ONTRA_RULE_ACTIONS, "Ping_APIURL(http://h:::a)", 0,
	        "argument 2 starts or ends with ':'");
	REFUSED(ONTRA_RULE_ACTIONS, "Ping_APIURL(http://h.example)", 0, "argument 1 (webhook_id)");
}

/* The reference's example record parses and checks as stored. */
static void reference_example(void **state)
{
	const char *shared = getenv("ONTRA_SHARED");
	char path[1024];
	json_t *rec;

	(void)state;
	if (!shared)
		skip();
	snprintf(path, sizeof path, "%s/ontraport-api/examples/data-rule-record-with-grammar.json",
	         shared);
	rec = json_load_file(path, 0, NULL);
	if (!rec)
		skip();
	expect_ok(ONTRA_RULE_EVENTS, json_string_value(json_object_get(rec, "events")), 0,
	          "Contact_added_to_campaign(1)");
	expect_ok(ONTRA_RULE_CONDITIONS, json_string_value(json_object_get(rec, "conditions")), 0,
	          "Is_subscribed_to_drip(1)");
	expect_ok(ONTRA_RULE_ACTIONS, json_string_value(json_object_get(rec, "actions")), 0,
	          "Add_contact_to_category(1)");
	json_decref(rec);
	/* And the reference's illustrative create request (§12). */
	expect_ok(ONTRA_RULE_CONDITIONS, "Is_in_category(2);Is_not_subscribed_to_drip(3)", 0, NULL);
	expect_ok(ONTRA_RULE_ACTIONS, "Add_contact_to_category(4);Send_contact_an_emailmbs(7)", 0,
	          NULL);
}

/* ---- the calls: their wire form against a scripted server, and nothing sent when refused ---- */

static void local_refusals_send_nothing(void **state)
{
	ontra_client *c = mock_client("http://127.0.0.1:9/1");
	ontra_rule_options o = ONTRA_RULE_OPTIONS_INIT;
	ontra_client_stats st;
	json_t *out = (json_t *)1;
	long long ids[] = {1};

	(void)state;
	assert_non_null(c);
	o.events = "Contact_added_to_campaign(1)";
	o.actions = "Add_contact_to_categry(4)";
	assert_int_equal(ontra_rule_create(&out, c, &o), ONTRA_EINVALID);
	assert_null(out);
	assert_non_null(
	    strstr(ontra_error_last()->message, "actions item 1 'Add_contact_to_categry(4)'"));
	o.actions = "Add_contact_to_category(4,5)";
	assert_int_equal(ontra_rule_create(&out, c, &o), ONTRA_EINVALID);
	o.actions = "Add_contact_to_category(4)";
	o.conditions = "been_on_campaignbuilder_for_timeframe(1,2,9)";
	assert_int_equal(ontra_rule_create(&out, c, &o), ONTRA_EINVALID);
	o.conditions = NULL;
	o.object_type = ONTRA_TYPE_GIVEN(10000);
	o.events = "Contact_purchases_product(1)";
	assert_int_equal(ontra_rule_create(&out, c, &o), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "contacts only"));
	o.object_type = (ontra_type_opt){0, 0};
	o.events = NULL;
	assert_int_equal(ontra_rule_create(&out, c, &o), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "missing events"));
	o.events = "Contact_added_to_campaign(1)";
	o.actions = NULL;
	assert_int_equal(ontra_rule_create(&out, c, &o), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "missing actions"));
	o.actions = "Add_contact_to_category(4)";
	o.pause = (ontra_pause_op)3;
	assert_int_equal(ontra_rule_create(&out, c, &o), ONTRA_EINVALID);
	o.pause = 0;
	o.id = 5;
	assert_int_equal(ontra_rule_create(&out, c, &o), ONTRA_EINVALID);
	o.version = 0;
	assert_int_equal(ontra_rule_create(&out, c, &o), ONTRA_EINVALID);
	/* update: id, something to change, and the same checks before any read */
	o = (ontra_rule_options)ONTRA_RULE_OPTIONS_INIT;
	o.name = "x";
	assert_int_equal(ontra_rule_update(&out, c, &o), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "missing rule id"));
	o.id = 3;
	o.name = NULL;
	assert_int_equal(ontra_rule_update(&out, c, &o), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "nothing to update"));
	o.events = "Contact_added_to_campaign(x)";
	assert_int_equal(ontra_rule_update(&out, c, &o), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "argument 1 (sequence_id) 'x'"));
	assert_int_equal(ontra_rule_pause(c, NULL, 0, ONTRA_PAUSE), ONTRA_EINVALID);
	ids[0] = -1;
	assert_int_equal(ontra_rule_pause(c, ids, 1, ONTRA_PAUSE), ONTRA_EINVALID);
	assert_int_equal(ontra_rule_get(&out, c, 0), ONTRA_EINVALID);
	ontra_client_stats_get(c, &st);
	assert_int_equal(st.requests, 0);
	ontra_client_free(c);
}

static void wire_forms(void **state)
{
	static const char *const replies[] = {
	    /* create */
	    "{\"code\":0,\"data\":{\"id\":\"2\",\"name\":\"R\",\"pause\":\"0\",\"events\":\"x\"},"
	    "\"account_id\":1}",
	    /* pause after create */
	    "{\"code\":0,\"data\":{\"attrs\":{\"pause\":\"1\",\"dlm\":\"9\",\"id\":\"2\"}},"
	    "\"account_id\":1}",
	    /* update */
	    "{\"code\":0,\"data\":{\"attrs\":{\"name\":\"S\",\"dlm\":\"10\",\"id\":\"2\"}},"
	    "\"account_id\":1}",
	    /* pause */
	    "{\"code\":0,\"account_id\":1}",
	    /* get */
	    "{\"code\":0,\"data\":{\"id\":\"2\",\"object_type_id\":\"0\"},\"account_id\":1}", NULL};
	mock_http m;
	ontra_client *c;
	ontra_rule_options o = ONTRA_RULE_OPTIONS_INIT;
	json_t *out = NULL, *body;
	long long ids[] = {2, 5};

	(void)state;
	assert_int_equal(mock_start(&m, replies), 0);
	c = mock_client(m.base_url);
	o.name = "R";
	o.events = "Contact_added_to_campaign( 1 );Contact_added_to_category(2)";
	o.conditions = "Is_in_category(2) | Is_not_subscribed_to_drip(3)";
	o.actions = "Add_contact_to_category(4);Send_contact_an_emailmbs(7)";
	o.tags = "vip,new";
	o.pause = ONTRA_PAUSE;
	assert_int_equal(ontra_rule_create(&out, c, &o), 0);
	assert_string_equal(json_string_value(json_object_get(out, "pause")), "1");
	assert_string_equal(json_string_value(json_object_get(out, "id")), "2");
	json_decref(out);
	o = (ontra_rule_options)ONTRA_RULE_OPTIONS_INIT;
	o.id = 2;
	o.object_type = ONTRA_TYPE_GIVEN(ONTRA_CONTACT);
	o.name = "S";
	o.conditions = "";
	o.pause = ONTRA_UNPAUSE;
	assert_int_equal(ontra_rule_update(&out, c, &o), 0);
	assert_string_equal(json_string_value(json_object_get(out, "name")), "S");
	json_decref(out);
	assert_int_equal(ontra_rule_pause(c, ids, 2, ONTRA_UNPAUSE), 0);
	assert_int_equal(ontra_rule_get(&out, c, 2), 0);
	json_decref(out);
	ontra_client_free(c);
	mock_stop(&m);

	assert_int_equal(m.nreqs, 5);
	assert_string_equal(m.reqs[0].method, "POST");
	assert_string_equal(m.reqs[0].target, "/1/Rules");
	assert_non_null(strstr(m.reqs[0].content_type, "application/json"));
	body = json_loads(m.reqs[0].body, 0, NULL);
	assert_non_null(body);
	assert_int_equal(json_integer_value(json_object_get(body, "object_type_id")), 0);
	assert_string_equal(json_string_value(json_object_get(body, "name")), "R");
	assert_string_equal(json_string_value(json_object_get(body, "events")),
	                    "Contact_added_to_campaign(1);Contact_added_to_category(2)");
	assert_string_equal(json_string_value(json_object_get(body, "conditions")),
	                    "Is_in_category(2)|Is_not_subscribed_to_drip(3)");
	assert_string_equal(json_string_value(json_object_get(body, "actions")),
	                    "Add_contact_to_category(4);Send_contact_an_emailmbs(7)");
	assert_string_equal(json_string_value(json_object_get(body, "tags")), "vip,new");
	assert_null(json_object_get(body, "pause"));
	json_decref(body);
	assert_string_equal(m.reqs[1].method, "PUT");
	assert_string_equal(m.reqs[1].target, "/1/Rules");
	assert_non_null(strstr(m.reqs[1].content_type, "application/x-www-form-urlencoded"));
	assert_string_equal(m.reqs[1].body, "id=2&pause=1");
	assert_string_equal(m.reqs[2].method, "PUT");
	assert_string_equal(m.reqs[2].body, "id=2&name=S&conditions=&object_type_id=0&pause=0");
	assert_string_equal(m.reqs[3].method, "POST");
	assert_string_equal(m.reqs[3].target, "/1/objects/unpause");
	assert_string_equal(m.reqs[3].body, "objectID=6&ids=2%2C5");
	assert_string_equal(m.reqs[4].method, "GET");
	assert_string_equal(m.reqs[4].target, "/1/Rule?id=2");
	mock_free(&m);
}

/* An update of the parts without the object type reads the rule first, then checks contacts-only.
 */
static void update_learns_type(void **state)
{
	static const char *const replies[] = {
	    "{\"code\":0,\"data\":{\"id\":\"4\",\"object_type_id\":\"10000\"},\"account_id\":1}",
	    NULL};
	mock_http m;
	ontra_client *c;
	ontra_rule_options o = ONTRA_RULE_OPTIONS_INIT;
	json_t *out = NULL;

	(void)state;
	assert_int_equal(mock_start(&m, replies), 0);
	c = mock_client(m.base_url);
	o.id = 4;
	o.actions = "Add_to_leadrouter(1)";
	assert_int_equal(ontra_rule_update(&out, c, &o), ONTRA_EINVALID);
	assert_non_null(strstr(ontra_error_last()->message, "object type 10000"));
	ontra_client_free(c);
	mock_stop(&m);
	assert_int_equal(m.nreqs, 1);
	assert_string_equal(m.reqs[0].target, "/1/Rule?id=4");
	mock_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_entry_arity),   cmocka_unit_test(catalogue_accessors),
	    cmocka_unit_test(unknown_names),       cmocka_unit_test(vocabularies),
	    cmocka_unit_test(contacts_only),       cmocka_unit_test(syntax_errors),
	    cmocka_unit_test(canonical_and_parse), cmocka_unit_test(ping_apiurl),
	    cmocka_unit_test(reference_example),   cmocka_unit_test(local_refusals_send_nothing),
	    cmocka_unit_test(wire_forms),          cmocka_unit_test(update_learns_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
