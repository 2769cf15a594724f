/*
 * Forms and landing pages through the library against a real sandbox
 * (REFERENCE-MORE §M6, §M13):
 *  - ontra_form_blocks streams every block over pages of 50, in order, and
 *    stops at `limit` or when the callback says so (ONTRA_EUSER);
 *  - ontra_form_block_ids by name; ONTRA_ENOTFOUND for an unknown name;
 *  - ontra_form_html asks the lower-case /form (the record path answers an
 *    object, which would be ONTRA_EBADRESPONSE);
 *  - ontra_landing_page_url; ontra_resolve finds forms and landing pages by name;
 *  - local refusals send nothing; the pure parsers refuse bad shapes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

#define EXTRA_FORMS 60

static sandbox_proc sp;
static ontra_client *cl;

static unsigned long requests(void)
{
	return client_requests(cl);
}

static void expect_message(const char *part)
{
	assert_true(error_says(part));
}

/* Seed forms through the control API: the query's bracket form is the records array. */
static void seed(const char *query)
{
	char path[512];
	json_t *res;

	snprintf(path, sizeof path, "seed/objects?%s", query);
	res = sandbox_control(&sp, "POST", path);
	assert_non_null(json_object_get(res, "ids"));
	json_decref(res);
}

static int setup(void **state)
{
	char q[128];

	(void)state;
	if (sandbox_start(&sp, NULL) != 0)
		return -1;
	cl = sandbox_client(&sp);
	seed("objectID=122&records[0][formname]=Smart&records[0][type]=10");
	for (int i = 0; i < EXTRA_FORMS; i++) {
		snprintf(q, sizeof q, "objectID=122&records[0][formname]=Form%d", i);
		seed(q);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ontra_client_free(cl);
	sandbox_stop(&sp);
	return 0;
}

typedef struct seen {
	size_t n, stop_at;
	char first[32], last[32];
} seen;

static int on_block(const char *block_id, const char *formname, void *ud)
{
	seen *s = ud;

	assert_non_null(formname);
	if (!s->n)
		snprintf(s->first, sizeof s->first, "%s", block_id);
	snprintf(s->last, sizeof s->last, "%s", block_id);
	return ++s->n == s->stop_at;
}

static void blocks_stream(void **state)
{
	seen s = {0};
	unsigned long before = requests();

	(void)state;
	/* 2 seeded + 1 SmartForm + 60: two pages of 50. */
	assert_int_equal(ontra_form_blocks(cl, 0, on_block, &s), 0);
	assert_int_equal(s.n, 3 + EXTRA_FORMS);
	assert_string_equal(s.first, "f1");
	assert_string_equal(s.last, "f63");
	assert_int_equal(requests() - before, 2);

	memset(&s, 0, sizeof s);
	assert_int_equal(ontra_form_blocks(cl, 5, on_block, &s), 0);
	assert_int_equal(s.n, 5);

	memset(&s, 0, sizeof s);
	s.stop_at = 2;
	assert_int_equal(ontra_form_blocks(cl, 0, on_block, &s), ONTRA_EUSER);
	assert_int_equal(s.n, 2);
}

static void block_ids_by_name(void **state)
{
	json_t *ids = NULL;
	unsigned long before;

	(void)state;
	assert_int_equal(ontra_form_block_ids(&ids, cl, "Smart"), 0);
	assert_int_equal(json_array_size(ids), 1);
	assert_string_equal(json_string_value(json_array_get(ids, 0)), "f3");
	json_decref(ids);
	assert_int_equal(ontra_form_block_ids(&ids, cl, "Nothing Here"), ONTRA_ENOTFOUND);
	assert_null(ids);
	before = requests();
	assert_int_equal(ontra_form_block_ids(&ids, cl, ""), ONTRA_EINVALID);
	expect_message("empty form name");
	assert_int_equal(requests(), before);
}

static void html_and_url(void **state)
{
	char *text = NULL;
	long long id;
	unsigned long before;

	(void)state;
	assert_int_equal(ontra_resolve(&id, cl, ONTRA_FORM, "Smart"), 0);
	assert_int_equal(id, 3);
	assert_int_equal(ontra_form_html(&text, cl, id), 0);
	assert_non_null(strstr(text, "<form class=\"moonray-form\""));
	assert_non_null(strstr(text, "<h2>Smart</h2>"));
	ontra_free(text);
	assert_int_equal(ontra_form_html(&text, cl, 1), 0);
	assert_non_null(strstr(text, "<script"));
	ontra_free(text);
	assert_int_equal(ontra_form_html(&text, cl, 9999), ONTRA_ENOTFOUND);
	assert_null(text);

	assert_int_equal(ontra_resolve(&id, cl, ONTRA_LANDING_PAGE, "Spring Sale"), 0);
	assert_int_equal(ontra_landing_page_url(&text, cl, id), 0);
	assert_string_equal(text, "http://sandbox.pages.ontraport.net/1");
	ontra_free(text);
	assert_int_equal(ontra_landing_page_url(&text, cl, 42), ONTRA_ENOTFOUND);

	before = requests();
	assert_int_equal(ontra_form_html(&text, cl, 0), ONTRA_EINVALID);
	expect_message("form");
	assert_int_equal(ontra_landing_page_url(&text, cl, -1), ONTRA_EINVALID);
	expect_message("landing page");
	assert_int_equal(requests(), before);
}

static void parsers(void **state)
{
	static const char *const bad_blocks[] = {
	    "{\"f1\":1}", "{\"\":\"x\"}", "{\"f1\":\"a\\u0007b\"}", "[1]", "\"f1\"", "null",
	};
	static const char *const bad_ids[] = {"{}", "{\"block_ids\":[2]}",
	                                      "{\"block_ids\":\"f1\"}"};
	json_t *v, *out = NULL;

	(void)state;
	v = json_loads("{\"f1\":\"A\",\"f7\":\"B\"}", 0, NULL);
	assert_int_equal(ontra_form_blocks_parse(&out, v), 0);
	assert_int_equal(json_array_size(out), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(out, 1), "block_id")),
	                    "f7");
	json_decref(out);
	json_decref(v);
	v = json_array();
	assert_int_equal(ontra_form_blocks_parse(&out, v), 0);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
	json_decref(v);
	for (size_t i = 0; i < sizeof bad_blocks / sizeof *bad_blocks; i++) {
		v = json_loads(bad_blocks[i], JSON_DECODE_ANY, NULL);
		assert_int_equal(ontra_form_blocks_parse(&out, v), ONTRA_EBADRESPONSE);
		assert_null(out);
		expect_message("bad form blocks");
		json_decref(v);
	}
	for (size_t i = 0; i < sizeof bad_ids / sizeof *bad_ids; i++) {
		v = json_loads(bad_ids[i], JSON_DECODE_ANY, NULL);
		assert_int_equal(ontra_block_ids_parse(&out, v), ONTRA_EBADRESPONSE);
		assert_null(out);
		json_decref(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(blocks_stream),
	    cmocka_unit_test(block_ids_by_name),
	    cmocka_unit_test(html_and_url),
	    cmocka_unit_test(parsers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
