/* Unit tests for src/receiver/event.c: the webhook body parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_rcv_helpers.h"

static const char FORM[] = "application/x-www-form-urlencoded";
static const char JSON[] = "application/json";

/* Parse, expecting success; the event without its "encoding" member. */
static json_t *parse_ok(const char *body, size_t len, const char *ct, rcv_mode mode,
                        const char *want_encoding)
{
	char err[256];
	json_t *ev = NULL;
	int rc = rcv_body_parse(&ev, body, len, ct, mode, NULL, err, sizeof err);

	if (rc)
		fail_msg("parse failed (%d): %s", rc, err);
	assert_non_null(ev);
	if (want_encoding)
		assert_string_equal(json_string_value(json_object_get(ev, "encoding")),
		                    want_encoding);
	json_object_del(ev, "encoding");
	return ev;
}

static json_t *parse_str(const char *body, const char *ct, rcv_mode mode)
{
	return parse_ok(body, strlen(body), ct, mode, NULL);
}

/* Parse, expecting failure with `code`; checks the message is one non-empty line. */
static void parse_fails(const char *body, size_t len, const char *ct, rcv_mode mode,
                        const rcv_limits *lim, int code, const char *msg_part)
{
	char err[256];
	json_t *ev = (json_t *)1;
	int rc = rcv_body_parse(&ev, body, len, ct, mode, lim, err, sizeof err);

	if (rc != code)
		fail_msg("expected %d, got %d (%s) for '%.40s'", code, rc, rc ? err : "ok", body);
	assert_null(ev);
	assert_true(strlen(err) > 0);
	assert_null(strchr(err, '\n'));
	assert_null(strchr(err, '\r'));
	if (msg_part && !strstr(err, msg_part))
		fail_msg("message '%s' lacks '%s'", err, msg_part);
}

static void fails_str(const char *body, const char *ct, int code, const char *msg_part)
{
	parse_fails(body, strlen(body), ct, RCV_MODE_ONTRAPORT, NULL, code, msg_part);
}

static json_t *expected(const char *name)
{
	char *text = th_fixture(name, NULL);
	json_t *v;

	assert_non_null(text);
	v = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(v);
	return v;
}

static void assert_json_equal(json_t *got, json_t *want)
{
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
		char *w = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT);
		fprintf(stderr, "got:  %s\nwant: %s\n", g, w);
		free(g);
		free(w);
		fail();
	}
}

/* The support article's key=value listing as a form body: drop comments, join lines with '&'. */
static char *listing_to_form(const char *listing)
{
	util_buf b = UTIL_BUF_INIT;
	const char *p = listing;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n && p[0] != '#') {
			if (b.len)
				util_buf_putc(&b, '&');
			util_buf_append(&b, p, n);
		}
		p += n + (nl ? 1 : 0);
	}
	util_buf_ensure(&b);
	return util_buf_detach(&b);
}

/* --- the real examples and their equivalents ----------------------------------- */

static void test_support_article_listing(void **state)
{
	char *listing = th_fixture("sub_tag-support-article.form.txt", NULL), *body;
	json_t *ev, *want = expected("sub_tag.expected.json");

	assert_non_null(listing);
	body = listing_to_form(listing);
	ev = parse_ok(body, strlen(body), FORM, RCV_MODE_ONTRAPORT, "form");
	assert_json_equal(ev, want);
	json_decref(ev);
	json_decref(want);
	free(body);
	free(listing);
}

static void test_sub_tag_all_encodings_equal(void **state)
{
	static const char *const files[] = {"sub_tag-support-article.form",
	                                    "sub_tag-support-article.json"};
	static const char *const cts[] = {FORM, JSON};
	json_t *want = expected("sub_tag.expected.json");
	size_t i;

	for (i = 0; i < 2; i++) {
		size_t len;
		char *body = th_fixture(files[i], &len);
		json_t *ev;
		assert_non_null(body);
		ev = parse_ok(body, len, cts[i], RCV_MODE_ONTRAPORT, i == 0 ? "form" : "json");
		assert_json_equal(ev, want);
		json_decref(ev);
		/* And sniffed, without a Content-Type. */
		ev = parse_ok(body, len, NULL, RCV_MODE_ONTRAPORT, i == 0 ? "form" : "json");
		assert_json_equal(ev, want);
		json_decref(ev);
		free(body);
	}
	json_decref(want);
}

static void test_object_submits_form_all_encodings_equal(void **state)
{
	static const char *const files[] = {"object_submits_form-apievangelist.json",
	                                    "object_submits_form-apievangelist.form"};
	static const char *const cts[] = {JSON, FORM};
	json_t *want = expected("object_submits_form.expected.json");
	size_t i;

	for (i = 0; i < 2; i++) {
		size_t len;
		char *body = th_fixture(files[i], &len);
		json_t *ev;
		assert_non_null(body);
		ev = parse_ok(body, len, cts[i], RCV_MODE_ONTRAPORT, i == 0 ? "json" : "form");
		assert_json_equal(ev, want);
		json_decref(ev);
		free(body);
	}
	json_decref(want);
}

/* --- content types --------------------------------------------------------------- */

static void test_content_types(void **state)
{
	static const char *const json_types[] = {"application/json",
	                                         "application/json; charset=UTF-8",
	                                         "APPLICATION/JSON",
	                                         "text/json",
	                                         "application/vnd.ontraport+json",
	                                         " application/json ;charset=utf-8"};
	const char *js = "{\"event\":{\"type\":\"sub_tag\"}}";
	const char *fm = "event[type]=sub_tag";
	size_t i;
	json_t *ev;

	for (i = 0; i < sizeof json_types / sizeof json_types[0]; i++) {
		ev = parse_ok(js, strlen(js), json_types[i], RCV_MODE_ONTRAPORT, "json");
		json_decref(ev);
	}
	ev = parse_ok(fm, strlen(fm), "application/x-www-form-urlencoded; charset=UTF-8",
	              RCV_MODE_ONTRAPORT, "form");
	json_decref(ev);
	/* Sniffing: missing type, empty type, text/plain. */
	ev = parse_ok(js, strlen(js), NULL, RCV_MODE_ONTRAPORT, "json");
	json_decref(ev);
	ev = parse_ok(js, strlen(js), "", RCV_MODE_ONTRAPORT, "json");
	json_decref(ev);
	ev = parse_ok(fm, strlen(fm), "text/plain", RCV_MODE_ONTRAPORT, "form");
	json_decref(ev);
	ev = parse_ok("\r\n {\"event\":{\"type\":\"x\"}}", 25, NULL, RCV_MODE_ONTRAPORT, "json");
	json_decref(ev);

	fails_str(js, "application/xml", RCV_EMEDIA, "application/xml");
	fails_str(fm, "multipart/form-data; boundary=x", RCV_EMEDIA, "multipart/form-data");
	fails_str(js, "text/html", RCV_EMEDIA, NULL);
	fails_str(js, "application/\x01json", RCV_EMEDIA, "?"); /* control bytes shown as '?' */
}

/* --- limits ---------------------------------------------------------------------- */

static char *nested_json(size_t depth)
{
	util_buf b = UTIL_BUF_INIT;
	size_t i;

	util_buf_puts(&b, "{\"event\":{\"type\":\"x\"},\"data\":");
	for (i = 0; i < depth; i++)
		util_buf_puts(&b, "{\"a\":");
	util_buf_puts(&b, "1");
	for (i = 0; i < depth; i++)
		util_buf_putc(&b, '}');
	util_buf_putc(&b, '}');
	return util_buf_detach(&b);
}

static void test_limits_body_size(void **state)
{
	rcv_limits lim = {64, 32, 100};
	char body[65];
	json_t *ev = NULL;
	char err[128];

	memset(body, 'a', sizeof body);
	parse_fails(body, sizeof body, FORM, RCV_MODE_GENERIC, &lim, RCV_ETOOLARGE, "64 bytes");
	/* Exactly at the cap is fine. */
	assert_int_equal(
	    rcv_body_parse(&ev, body, 64, FORM, RCV_MODE_GENERIC, &lim, err, sizeof err), 0);
	json_decref(ev);
	/* Zero fields mean the defaults, not "no limit" (nor "nothing allowed"). */
	{
		rcv_limits zero = {0, 0, 0};
		char *deep = nested_json(40);
		ev = NULL;
		assert_int_equal(rcv_body_parse(&ev, "event[type]=x&data[a][b]=1", 26, FORM,
		                                RCV_MODE_ONTRAPORT, &zero, err, sizeof err),
		                 0);
		json_decref(ev);
		parse_fails(deep, strlen(deep), JSON, RCV_MODE_ONTRAPORT, &zero, RCV_ELIMIT,
		            "deeper than 32 levels");
		free(deep);
	}
}

static void test_limits_depth(void **state)
{
	rcv_limits lim = {1 << 20, 8, 1000};
	json_t *ev = NULL;
	char err[128];
	/* The top level plus seven {"a": ...} levels is depth 8: allowed; one more is not. */
	char *ok = nested_json(7), *deep = nested_json(8), *huge = nested_json(100000);

	assert_true(ok && deep && huge); /* under scripts/torture.sh an allocation may fail */
	assert_int_equal(
	    rcv_body_parse(&ev, ok, strlen(ok), JSON, RCV_MODE_ONTRAPORT, &lim, err, sizeof err),
	    0);
	json_decref(ev);
	parse_fails(deep, strlen(deep), JSON, RCV_MODE_ONTRAPORT, &lim, RCV_ELIMIT, "deeper");
	/* Deep nesting with the default limits: refused before jansson recurses. */
	parse_fails(huge, strlen(huge), JSON, RCV_MODE_ONTRAPORT, NULL, RCV_ELIMIT, "deeper");
	/* Brackets inside strings do not count. */
	ev = parse_str("{\"event\":{\"type\":\"[[[[[[[[[[[[{{{{{{{{{{{{{\"}}", JSON,
	               RCV_MODE_ONTRAPORT);
	json_decref(ev);
	/* Form brackets: a[b][c]... one level per bracket below the name. */
	parse_fails("event[type]=x&data[a][b][c][d][e][f][g][h]=1", 44, FORM, RCV_MODE_ONTRAPORT,
	            &lim, RCV_ELIMIT, "deeper than 8 levels");
	ev = NULL;
	assert_int_equal(rcv_body_parse(&ev, "event[type]=x&data[a][b][c][d][e][f]=1", 38, FORM,
	                                RCV_MODE_ONTRAPORT, &lim, err, sizeof err),
	                 0);
	json_decref(ev);
	free(ok);
	free(deep);
	free(huge);
}

static void test_limits_fields(void **state)
{
	rcv_limits lim = {1 << 20, 32, 10};
	json_t *ev = NULL;
	char err[128];
	util_buf b = UTIL_BUF_INIT;
	int i;

	/* JSON: members count, array elements count. 2 + 8 = 10 fields: allowed. */
	util_buf_puts(&b, "{\"event\":{\"type\":\"x\"},\"data\":{");
	for (i = 0; i < 7; i++)
		util_buf_printf(&b, "%s\"f%d\":\"v\"", i ? "," : "", i);
	util_buf_puts(&b, "}}");
	assert_int_equal(
	    rcv_body_parse(&ev, b.data, b.len, JSON, RCV_MODE_ONTRAPORT, &lim, err, sizeof err), 0);
	json_decref(ev);
	util_buf_clear(&b);
	util_buf_puts(&b, "{\"a\":[1,2,3,4,5,6,7,8,9,10]}");
	parse_fails(b.data, b.len, JSON, RCV_MODE_GENERIC, &lim, RCV_ELIMIT, "more than 10 fields");
	/* Commas and colons inside strings do not count. */
	util_buf_clear(&b);
	util_buf_puts(&b, "{\"a\":\",,,,,,,,,,,,:::::::::::::\"}");
	ev = NULL;
	assert_int_equal(
	    rcv_body_parse(&ev, b.data, b.len, JSON, RCV_MODE_GENERIC, &lim, err, sizeof err), 0);
	json_decref(ev);
	/* Form: pairs count. */
	util_buf_clear(&b);
	for (i = 0; i < 11; i++)
		util_buf_printf(&b, "%sf%d=v", i ? "&" : "", i);
	parse_fails(b.data, b.len, FORM, RCV_MODE_GENERIC, &lim, RCV_ELIMIT, "more than 10 fields");
	util_buf_release(&b);
}

/* --- garbage --------------------------------------------------------------------- */

static void test_garbage(void **state)
{
	parse_fails("", 0, JSON, RCV_MODE_ONTRAPORT, NULL, RCV_EEMPTY, "empty");
	parse_fails(NULL, 0, NULL, RCV_MODE_GENERIC, NULL, RCV_EEMPTY, "empty");
	fails_str("{\"event\":{\"type\":\"\xff\"}}", JSON, RCV_EENCODING, "utf-8");
	fails_str("event[type]=\xc3\x28", FORM, RCV_EENCODING, "utf-8");
	fails_str("event[type]=%ff%fe", FORM, RCV_EENCODING, "'event[type]'");
	fails_str("event%00[type]=x", FORM, RCV_EENCODING, "nul byte");
	parse_fails("{\"a\":1}\0{}", 10, JSON, RCV_MODE_GENERIC, NULL, RCV_EENCODING, "nul");
	fails_str("{\"event\":", JSON, RCV_ESYNTAX, "malformed json");
	fails_str("{\"event\":{\"type\":\"x\"}} trailing", JSON, RCV_ESYNTAX, "malformed json");
	fails_str("{\"event\":{\"type\":\"\\u0000\"}}", JSON, RCV_ESYNTAX, NULL);
	fails_str("{'event':1}", JSON, RCV_ESYNTAX, NULL);
	fails_str("[1,2]", JSON, RCV_ESHAPE, "not an object");
	fails_str("[1,2]", NULL, RCV_ESHAPE, "not an object"); /* sniffed as JSON, not a form key */
	fails_str("\"sub_tag\"", JSON, RCV_ESHAPE, "not an object");
	fails_str("12", JSON, RCV_ESHAPE, "not an object");
	fails_str("hello", NULL, RCV_ESHAPE, "missing 'event'");
	fails_str("{\"event\":{\"type\":\"x\"},\"data\":{\"a\":1e999}}", JSON, RCV_ESYNTAX, NULL);
}

static void test_wrong_types(void **state)
{
	fails_str("{\"data\":{}}", JSON, RCV_ESHAPE, "missing 'event'");
	fails_str("{\"event\":\"sub_tag\"}", JSON, RCV_ESHAPE, "'event' is not an object");
	fails_str("event=sub_tag", FORM, RCV_ESHAPE, "'event' is not an object");
	fails_str("{\"event\":{}}", JSON, RCV_ESHAPE, "event[type]");
	fails_str("{\"event\":{\"type\":\"\"}}", JSON, RCV_ESHAPE, "event[type]");
	fails_str("{\"event\":{\"type\":4}}", JSON, RCV_ESHAPE, "event[type]");
	fails_str("event[tag_id]=4", FORM, RCV_ESHAPE, "event[type]");
	fails_str("{\"event\":{\"type\":\"x\",\"tag_id\":{\"a\":1}}}", JSON, RCV_ESHAPE,
	          "'event[tag_id]' is not a scalar");
	fails_str("event[type]=x&event[tag_id][a]=1", FORM, RCV_ESHAPE, "event[tag_id]");
	fails_str("{\"event\":{\"type\":\"x\"},\"data\":\"mary\"}", JSON, RCV_ESHAPE,
	          "'data' is not an object");
	fails_str("{\"event\":{\"type\":\"x\"},\"data\":[1]}", JSON, RCV_ESHAPE, "'data'");
	fails_str("{\"event\":{\"type\":\"x\"},\"webhook_id\":{}}", JSON, RCV_ESHAPE,
	          "'webhook_id'");
	fails_str("{\"event\":{\"type\":\"x\"},\"timestamp\":true}", JSON, RCV_ESHAPE,
	          "'timestamp'");
	fails_str("event[type]=x&object_type_id[]=0", FORM, RCV_ESHAPE, "'object_type_id'");
}

/* --- normalization --------------------------------------------------------------- */

static void test_normalization(void **state)
{
	json_t *ev =
	    parse_str("{\"webhook_id\":5,\"object_type_id\":0,\"timestamp\":1514940140,"
	              "\"event\":{\"type\":\"sub_tag\",\"tag_id\":3,\"flag\":true,\"none\":null},"
	              "\"data\":{\"id\":8,\"score\":1.5,\"optin\":false,\"drip_id\":null,"
	              "\"nested\":{\"a\":[1]}},\"account\":\"x\",\"misc\":[1,2]}",
	              JSON, RCV_MODE_ONTRAPORT);
	json_t *want = json_loads(
	    "{\"webhook_id\":\"5\",\"object_type_id\":\"0\",\"timestamp\":\"1514940140\","
	    "\"event\":{\"type\":\"sub_tag\",\"tag_id\":\"3\",\"flag\":\"1\",\"none\":null},"
	    "\"data\":{\"id\":\"8\",\"score\":\"1.5\",\"optin\":\"0\",\"drip_id\":null,"
	    "\"nested\":{\"a\":[1]}},\"extra\":{\"account\":\"x\",\"misc\":[1,2]}}",
	    0, NULL);

	assert_non_null(want);
	assert_json_equal(ev, want);
	json_decref(ev);
	json_decref(want);

	/* PHP writes an empty array as []; data absent or null is {} too. */
	ev = parse_str("{\"event\":{\"type\":\"x\"},\"data\":[]}", JSON, RCV_MODE_ONTRAPORT);
	want = json_loads("{\"webhook_id\":null,\"object_type_id\":null,\"timestamp\":null,"
	                  "\"event\":{\"type\":\"x\"},\"data\":{}}",
	                  0, NULL);
	assert_json_equal(ev, want);
	json_decref(ev);
	ev = parse_str("{\"event\":{\"type\":\"x\"},\"data\":null}", JSON, RCV_MODE_ONTRAPORT);
	assert_json_equal(ev, want);
	json_decref(ev);
	ev = parse_str("event[type]=x", FORM, RCV_MODE_ONTRAPORT);
	assert_json_equal(ev, want);
	json_decref(ev);
	json_decref(want);

	/* Unknown event members (a purchase's product_id) are kept. */
	ev = parse_str("event[type]=purchase_product&event[product_id]=12&data[id]=1", FORM,
	               RCV_MODE_ONTRAPORT);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(ev, "event"), "product_id")), "12");
	assert_null(json_object_get(ev, "extra"));
	json_decref(ev);

	/* '+' and percent escapes decode; brackets in values are data. */
	ev = parse_str("event[type]=sub_tag&data[firstname]=Mary+Ann&data[note]=a%26b%5B1%5D", FORM,
	               RCV_MODE_ONTRAPORT);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(ev, "data"), "firstname")),
	    "Mary Ann");
	assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "data"), "note")),
	                    "a&b[1]");
	json_decref(ev);
}

/* --- generic mode ---------------------------------------------------------------- */

static void test_generic(void **state)
{
	json_t *ev = parse_ok("{\"email\":\"a@b.c\",\"n\":3,\"tags\":[\"x\"]}", 36, JSON,
	                      RCV_MODE_GENERIC, "json");
	json_t *want =
	    json_loads("{\"fields\":{\"email\":\"a@b.c\",\"n\":3,\"tags\":[\"x\"]}}", 0, NULL);

	assert_json_equal(ev, want);
	json_decref(ev);
	json_decref(want);

	ev = parse_ok("contact[email]=a%40b.c&n=3", 26, FORM, RCV_MODE_GENERIC, "form");
	want = json_loads("{\"fields\":{\"contact\":{\"email\":\"a@b.c\"},\"n\":\"3\"}}", 0, NULL);
	assert_json_equal(ev, want);
	json_decref(ev);
	json_decref(want);

	/* An Ontraport body is accepted too, as plain fields. */
	ev = parse_str("event[type]=sub_tag", NULL, RCV_MODE_GENERIC);
	assert_non_null(json_object_get(json_object_get(ev, "fields"), "event"));
	json_decref(ev);

	parse_fails("[1]", 3, JSON, RCV_MODE_GENERIC, NULL, RCV_ESHAPE, "not an object");
	parse_fails("", 0, FORM, RCV_MODE_GENERIC, NULL, RCV_EEMPTY, NULL);
}

/* --- robustness: random bytes never crash, errors always one line ------------------ */

static void test_random_inputs(void **state)
{
	static const char *const cts[] = {NULL, JSON, FORM, "text/plain", "x/y"};
	static const char alphabet[] = "{}[]\":,=&%+ab019\\-.eE \n\xc3\xa9\xff";
	unsigned seed = 12345;
	char body[256], err[256];
	int i;

	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand_r(&seed) % (int)sizeof body), j;
		json_t *ev = NULL;
		int rc;

		for (j = 0; j < len; j++)
			body[j] = alphabet[rand_r(&seed) % (int)(sizeof alphabet - 1)];
		rc = rcv_body_parse(&ev, body, len, cts[i % 5], (rcv_mode)(i & 1), NULL, err,
		                    sizeof err);
		if (rc == 0) {
			assert_non_null(ev);
			json_decref(ev);
		} else {
			assert_null(ev);
			assert_true(rc < 0 && strlen(err) > 0 && !strchr(err, '\n'));
			assert_true(rcv_http_status(rc) == 400 || rcv_http_status(rc) == 413 ||
			            rcv_http_status(rc) == 415);
		}
	}
}

static void test_error_table(void **state)
{
	assert_int_equal(rcv_http_status(RCV_OK), 200);
	assert_int_equal(rcv_http_status(RCV_ETOOLARGE), 413);
	assert_int_equal(rcv_http_status(RCV_EMEDIA), 415);
	assert_int_equal(rcv_http_status(RCV_ESYNTAX), 400);
	assert_int_equal(rcv_http_status(RCV_ESTOPPED), 503);
	assert_int_equal(rcv_http_status(RCV_ERROR), 500);
	assert_string_equal(rcv_strerror(RCV_ETOOLARGE), "body too large");
	assert_string_equal(rcv_strerror(-999), "internal error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_support_article_listing),
	    cmocka_unit_test(test_sub_tag_all_encodings_equal),
	    cmocka_unit_test(test_object_submits_form_all_encodings_equal),
	    cmocka_unit_test(test_content_types),
	    cmocka_unit_test(test_limits_body_size),
	    cmocka_unit_test(test_limits_depth),
	    cmocka_unit_test(test_limits_fields),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_wrong_types),
	    cmocka_unit_test(test_normalization),
	    cmocka_unit_test(test_generic),
	    cmocka_unit_test(test_random_inputs),
	    cmocka_unit_test(test_error_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
