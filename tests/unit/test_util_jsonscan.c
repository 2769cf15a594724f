/* util/jsonscan.c: the checking scan vouches only for what jansson accepts; compact and indent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int scans(const char *text)
{
	util_json_scan sc;

	return util_json_check(&sc, text, strlen(text)) == 0;
}

/* The scan's verdict, and jansson's for the same text where the scan vouches. */
static void accepted(const char *text)
{
	json_t *j = json_loadb(text, strlen(text), 0, NULL);

	if (!scans(text))
		fail_msg("refused: %s", text);
	if (!j)
		fail_msg("vouched for text jansson refuses: %s", text);
	json_decref(j);
}

static void refused(const char *text)
{
	if (scans(text))
		fail_msg("accepted: %s", text);
}

static void accepts_json_jansson_accepts(void **state)
{
	(void)state;
	accepted("{}");
	accepted(" [ ] ");
	accepted("{\"code\":0,\"data\":{\"id\":\"1\",\"n\":-12.5e-3,\"t\":true,\"f\":false,"
	         "\"z\":null},\"account_id\":50}");
	accepted("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"]");
	accepted("[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]");
	accepted("[123456789012345678,-0,0.5,1E300,1e-300]");
	accepted("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
}

static void refuses_what_jansson_refuses(void **state)
{
	(void)state;
	refused("");
	refused("1");
	refused("\"a\"");
	refused("{\"a\":1");
	refused("{\"a\":1,}");
	refused("[1,]");
	refused("[01]");
	refused("[1.]");
	refused("[.5]");
	refused("[1e]");
	refused("[-]");
	refused("[tru]");
	refused("[truex]");
	refused("[1] x");
	refused("{\"a\" 1}");
	refused("{1:2}");
	refused("[\"a\x01\"]");
	refused("[\"\\u0000\"]");
	refused("[\"\\ud800\"]");
	refused("[\"\\udc00\"]");
	refused("[\"\\ud800\\u0041\"]");
	refused("[\"\\x\"]");
	refused("[\"\xc0\xaf\"]");         /* overlong */
	refused("[\"\xed\xa0\x80\"]");     /* a surrogate in UTF-8 */
	refused("[\"\xf4\x90\x80\x80\"]"); /* beyond U+10FFFF */
	refused("[\"\xe2\x82\"]");         /* cut short */
	refused("[\"abc");
}

static void refuses_what_it_does_not_vouch_for(void **state)
{
	char deep[2 * UTIL_JSON_DEPTH + 8];
	size_t i;

	(void)state;
	/* jansson takes these, or not, by rules the scan does not copy: the caller asks jansson */
	refused("[9223372036854775807]");
	refused("[1e400]");
	refused("[1e99999]");
	refused("{\"code\":0,\"code\":1}");
	refused("{\"co\\u0064e\":0}");
	refused("{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9}");
	for (i = 0; i <= UTIL_JSON_DEPTH; i++)
		deep[i] = '[';
	for (i = 0; i <= UTIL_JSON_DEPTH; i++)
		deep[UTIL_JSON_DEPTH + 1 + i] = ']';
	deep[2 * UTIL_JSON_DEPTH + 2] = '\0';
	refused(deep);
	/* below the top level a repeated key is kept as sent */
	accepted("{\"data\":{\"a\":1,\"a\":2}}");
}

static void finds_top_level_members(void **state)
{
	const char *text = " { \"code\" : 0 , \"data\" : { \"id\" : \"5\" , \"x\" : [ 1 , 2 ] } , "
	                   "\"account_id\":50}\n";
	const util_json_member *m;
	util_json_scan sc;

	(void)state;
	assert_int_equal(util_json_check(&sc, text, strlen(text)), 0);
	assert_int_equal(sc.top, '{');
	assert_true(sc.spaced);
	assert_int_equal(sc.nmembers, 3);
	m = util_json_member_get(&sc, "code");
	assert_non_null(m);
	assert_int_equal(m->value_len, 1);
	assert_memory_equal(m->value, "0", 1);
	m = util_json_member_get(&sc, "data");
	assert_non_null(m);
	assert_int_equal(m->value_len, strlen("{ \"id\" : \"5\" , \"x\" : [ 1 , 2 ] }"));
	assert_memory_equal(m->value, "{ \"id\"", 6);
	assert_null(util_json_member_get(&sc, "misc"));
	m = util_json_member_get(&sc, "account_id");
	assert_int_equal(m->value_len, 2);
	text = "{\"data\":{}}";
	assert_int_equal(util_json_check(&sc, text, strlen(text)), 0);
	assert_false(sc.spaced);
	assert_int_equal(util_json_member_get(&sc, "data")->value_len, 2);
}

/* text indented by 2 with a margin of 2 is want */
static void indented(util_buf *b, const char *text, const char *want)
{
	util_buf_clear(b);
	util_json_indent(b, text, strlen(text), 2, 2);
	assert_int_equal(util_buf_ensure(b), 0);
	assert_string_equal(b->data, want);
}

static void compacts_and_indents_as_jansson(void **state)
{
	const char *text =
	    "{ \"a\" : [ 1 , { } , [ ] , \"x y\\\" , \" ] ,\n\t\"b\" : { \"c\" : null } }";
	json_t *j = json_loads(text, 0, NULL);
	char *want, got[128];
	util_buf b = UTIL_BUF_INIT;
	size_t n;

	(void)state;
	assert_non_null(j);
	n = util_json_compact(got, text, strlen(text));
	want = json_dumps(j, JSON_COMPACT);
	assert_non_null(want);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(got, want, n);
	free(want);
	util_json_indent(&b, text, strlen(text), 2, 0);
	assert_int_equal(util_buf_ensure(&b), 0);
	want = json_dumps(j, JSON_INDENT(2));
	assert_non_null(want);
	assert_string_equal(b.data, want);
	free(want);
	indented(&b, "[]", "[]");
	indented(&b, "[1]", "[\n    1\n  ]");
	util_buf_release(&b);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(accepts_json_jansson_accepts),
	    cmocka_unit_test(refuses_what_jansson_refuses),
	    cmocka_unit_test(refuses_what_it_does_not_vouch_for),
	    cmocka_unit_test(finds_top_level_members),
	    cmocka_unit_test(compacts_and_indents_as_jansson),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
