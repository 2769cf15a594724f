/*
 * Unit tests for src/lib/event.c: ontra_event_parse and its accessors, on
 * every recorded webhook body (tests/data/webhooks: the reference's examples
 * and the sandbox's deliveries of each event, in both encodings and every
 * data format), and the refusals with the status a receiver answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ontraport.h"
#include "test_rcv_helpers.h"

static const char FORM[] = "application/x-www-form-urlencoded";
static const char JSON[] = "application/json";

/* Parse a fixture, expecting success. */
static ontra_event *parse_fixture(const char *name, const char *ct)
{
	size_t len = 0;
	char *body = th_fixture(name, &len);
	ontra_event *ev = NULL;
	int rc;

	if (!body)
		fail_msg("no fixture %s", name);
	rc = ontra_event_parse(&ev, body, len, ct);
	free(body);
	if (rc)
		fail_msg("%s: %s", name, ontra_error_last()->message);
	assert_non_null(ev);
	return ev;
}

/* The same event from its form and its JSON body: equal but for the encoding. */
static void assert_same_event(ontra_event *form, ontra_event *json)
{
	json_t *a = json_deep_copy(ontra_event_json(form)),
	       *b = json_deep_copy(ontra_event_json(json));

	assert_string_equal(ontra_event_encoding(form), "form");
	assert_string_equal(ontra_event_encoding(json), "json");
	json_object_del(a, "encoding");
	json_object_del(b, "encoding");
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
}

static void support_article_sub_tag(void **state)
{
	ontra_event *ev = parse_fixture("sub_tag-support-article.form", FORM);

	(void)state;
	assert_string_equal(ontra_event_type(ev), "sub_tag");
	assert_int_equal(ontra_event_kind(ev), ONTRA_EVENT_SUB_TAG);
	assert_int_equal(ontra_event_webhook_id(ev), 3);
	assert_int_equal(ontra_event_object_type(ev), ONTRA_CONTACT);
	assert_int_equal(ontra_event_object_id(ev), 8);
	assert_int_equal(ontra_event_tag_id(ev), 4);
	assert_int_equal(ontra_event_form_id(ev), 0);
	assert_int_equal(ontra_event_product_id(ev), 0);
	assert_int_equal(ontra_event_timestamp(ev), 1514940140);
	assert_string_equal(ontra_event_field(ev, "email"), "mary@ontraport.com");
	assert_null(ontra_event_field(ev, "phone"));
	assert_int_equal(json_object_size(ontra_event_data(ev)), 4);
	ontra_event_free(ev);

	/* The same event as JSON, with no Content-Type (sniffed). */
	ev = parse_fixture("sub_tag-support-article.json", NULL);
	assert_string_equal(ontra_event_encoding(ev), "json");
	assert_int_equal(ontra_event_tag_id(ev), 4);
	assert_string_equal(ontra_event_field(ev, "firstname"), "Mary");
	ontra_event_free(ev);
}

static void apievangelist_form_submitted(void **state)
{
	ontra_event *ev = parse_fixture("object_submits_form-apievangelist.json", JSON);
	ontra_event *fev = parse_fixture("object_submits_form-apievangelist.form", FORM);

	(void)state;
	assert_int_equal(ontra_event_kind(ev), ONTRA_EVENT_SUBMITS_FORM);
	assert_int_equal(ontra_event_form_id(ev), 4);
	assert_int_equal(ontra_event_object_id(ev), 14);
	assert_int_equal(ontra_event_timestamp(ev), 0); /* absent in that example */
	assert_same_event(fev, ev);
	ontra_event_free(ev);
	ontra_event_free(fev);
}

/* Every event and data format the sandbox delivers, in both encodings. */
static void sandbox_deliveries(void **state)
{
	static const struct {
		const char *name;
		int kind, object_type;
		long long tag, product;
		size_t min_fields;
	} cases[] = {
	    {"create-full", ONTRA_EVENT_OBJECT_CREATE, 0, 0, 0, 40},
	    {"create-notify", ONTRA_EVENT_OBJECT_CREATE, 0, 0, 0, 40},
	    {"create-lightweight", ONTRA_EVENT_OBJECT_CREATE, 0, 0, 0, 4},
	    {"tag", ONTRA_EVENT_SUB_TAG, 0, 1, 0, 40},
	    {"untag", ONTRA_EVENT_UNSUB_TAG, 0, 1, 0, 40},
	    {"purchase", ONTRA_EVENT_PURCHASE_PRODUCT, 17, 0, 1, 10},
	    {"txn", ONTRA_EVENT_TRANSACTION_PRODUCT, 46, 0, 1, 10},
	};
	char path[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ontra_event *f, *j;
		snprintf(path, sizeof path, "sandbox/%s.form", cases[i].name);
		f = parse_fixture(path, FORM);
		snprintf(path, sizeof path, "sandbox/%s.json", cases[i].name);
		j = parse_fixture(path, JSON);
		assert_int_equal(ontra_event_kind(f), cases[i].kind);
		assert_int_equal(ontra_event_object_type(f), cases[i].object_type);
		assert_int_equal(ontra_event_object_id(f), 1);
		assert_int_equal(ontra_event_tag_id(f), cases[i].tag);
		assert_int_equal(ontra_event_product_id(f), cases[i].product);
		assert_true(ontra_event_webhook_id(f) > 0);
		assert_true(ontra_event_timestamp(f) > 1700000000);
		assert_true(json_object_size(ontra_event_data(f)) >= cases[i].min_fields);
		assert_same_event(f, j);
		ontra_event_free(f);
		ontra_event_free(j);
	}
}

/* What each data format leaves in a contact's fields. */
static void data_formats(void **state)
{
	ontra_event *full = parse_fixture("sandbox/create-full.form", FORM);
	ontra_event *notify = parse_fixture("sandbox/create-notify.json", JSON);
	ontra_event *light = parse_fixture("sandbox/create-lightweight.form", FORM);

	(void)state;
	assert_string_equal(ontra_event_field(full, "email"), "mary@example.com");
	assert_string_equal(ontra_event_field(notify, "id"), "1");
	assert_string_equal(ontra_event_field(notify, "email"), ""); /* present, empty */
	assert_string_equal(ontra_event_field(light, "lastname"), "Smith");
	assert_null(ontra_event_field(light, "owner")); /* absent */
	ontra_event_free(full);
	ontra_event_free(notify);
	ontra_event_free(light);
}

/* A transaction's offer_data arrives as a string of JSON, kept as sent. */
static void nested_and_odd_values(void **state)
{
	static const char body[] =
	    "{\"event\":{\"type\":\"object_create\"},\"object_type_id\":10005,"
	    "\"data\":{\"id\":12,\"tags\":[1,2],\"done\":true,\"gone\":null},"
	    "\"webhook_id\":\"x\",\"extra_top\":1}";
	ontra_event *ev = NULL;

	(void)state;
	assert_int_equal(ontra_event_parse(&ev, body, strlen(body), JSON), 0);
	assert_int_equal(ontra_event_object_type(ev), 10005);
	assert_int_equal(ontra_event_object_id(ev), 12);
	assert_int_equal(ontra_event_webhook_id(ev), 0); /* not an id */
	assert_int_equal(ontra_event_kind(ev), ONTRA_EVENT_OBJECT_CREATE);
	assert_string_equal(ontra_event_field(ev, "done"), "1");
	assert_null(ontra_event_field(ev, "gone"));
	assert_null(ontra_event_field(ev, "tags"));
	assert_true(json_is_array(json_object_get(ontra_event_data(ev), "tags")));
	assert_non_null(
	    json_object_get(json_object_get(ontra_event_json(ev), "extra"), "extra_top"));
	ontra_event_free(ev);

	assert_int_equal(ontra_event_parse(&ev, "event[type]=new_thing", 21, FORM), 0);
	assert_string_equal(ontra_event_type(ev), "new_thing");
	assert_int_equal(ontra_event_kind(ev), -1);
	assert_int_equal(ontra_event_object_type(ev), -1);
	assert_int_equal(ontra_event_object_id(ev), 0);
	assert_int_equal(json_object_size(ontra_event_data(ev)), 0);
	ontra_event_free(ev);
}

static void refused(const char *body, size_t len, const char *ct, int status, const char *part)
{
	ontra_event *ev = (ontra_event *)1;
	const ontra_error *e;

	assert_int_equal(ontra_event_parse(&ev, body, len, ct), ONTRA_EINVALID);
	assert_null(ev);
	e = ontra_error_last();
	assert_int_equal(e->code, ONTRA_EINVALID);
	assert_int_equal(e->http_status, status);
	if (!strstr(e->message, part))
		fail_msg("message '%s' lacks '%s'", e->message, part);
	assert_null(strchr(e->message, '\n'));
}

static void refusals(void **state)
{
	char *big = malloc(ONTRA_EVENT_MAX_BODY + 2), deep[200];
	size_t i;

	(void)state;
	assert_non_null(big);
	refused("", 0, JSON, 400, "empty body");
	refused(NULL, 5, JSON, 400, "empty body");
	memset(big, ' ', ONTRA_EVENT_MAX_BODY + 1);
	refused(big, ONTRA_EVENT_MAX_BODY + 1, JSON, 413, "larger than");
	free(big);
	refused("event[type]=x", 13, "text/xml", 415, "unsupported content type 'text/xml'");
	refused("{\"event\":{\"type\":\"x\"}", 21, JSON, 400, "malformed json");
	refused("{\"event\":{\"type\":\"\xff\"}}", 22, JSON, 400, "utf-8");
	refused("event[type]=a\0b", 15, FORM, 400, "nul byte");
	refused("{\"data\":{}}", 11, JSON, 400, "missing 'event'");
	refused("event[tag_id]=3", 15, FORM, 400, "'event[type]'");
	refused("[1,2]", 5, NULL, 400, "not an object");
	for (i = 0; i < 100; i++)
		deep[i] = '[';
	deep[i] = '\0';
	refused(deep, strlen(deep), JSON, 400, "deeper than 32");
	assert_int_equal(ontra_event_parse(NULL, "x", 1, NULL), ONTRA_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(support_article_sub_tag),
	    cmocka_unit_test(apievangelist_form_submitted),
	    cmocka_unit_test(sandbox_deliveries),
	    cmocka_unit_test(data_formats),
	    cmocka_unit_test(nested_and_odd_values),
	    cmocka_unit_test(refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
